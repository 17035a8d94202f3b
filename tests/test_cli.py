"""The command line: every user error is one clear line and exit status 1, never a traceback.

Each case fails before a run starts, or replaces ``run_reports``: no kernel is started.
"""

from __future__ import annotations

import datetime as dt
import errno
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

import pmo_analysis.runs.runner
from pmo_analysis import ParameterError
from pmo_analysis.cli import main
from pmo_analysis.core.config import NOTEBOOKS_DIR, SAMPLE_DATA_DIR
from pmo_analysis.runs.runner import plan_parameters, resolve_notebooks
from tests.helpers import REAL_DATA

TAG = "is not allowed; give plain values (text, numbers, true/false, dates YYYY-MM-DD)"


def _invoke(args: list[str]):
    return CliRunner().invoke(main, [str(a) for a in args])


def _one_line_error(result, message: str) -> None:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.output == message + "\n"


@pytest.fixture
def no_run(monkeypatch):
    """Replace run_reports by its checks alone: the parameters are validated as a run would, the
    call is recorded, and nothing runs."""
    calls = []

    def fake(*, data_dir, notebooks, params, notebook_params, **kwargs):
        paths = resolve_notebooks(notebooks, NOTEBOOKS_DIR)
        plan_parameters(paths, {"data_dir": str(data_dir)} | params, notebook_params)
        calls.append({"params": params, "notebook_params": notebook_params} | kwargs)
        return SimpleNamespace(ok=True, run_id="r", status="success", run_dir=Path("r"))

    monkeypatch.setattr(pmo_analysis.runs.runner, "run_reports", fake)
    return calls


# ---------------------------------------------------------------- parameters
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["-p", "as_of", "2026-02-30"],
            "executive_summary: parameter 'as_of' must be a date YYYY-MM-DD, got '2026-02-30' (day is out of range for month)",
        ),
        (
            ["-p", "as_of", "30/06/2026"],
            "executive_summary: parameter 'as_of' must be a date YYYY-MM-DD, got '30/06/2026'",
        ),
        (
            ["-p", "as_of", "9999-12-31"],
            "executive_summary: parameter 'as_of' must be a date between 1900-01-01 and 2099-12-31, got '9999-12-31'",
        ),
        (
            ["-p", "as_of", "2261-12-31"],
            "executive_summary: parameter 'as_of' must be a date between 1900-01-01 and 2099-12-31, got '2261-12-31'",
        ),
        (
            ["-p", "w_alignment", "0", "-p", "w_value", "0", "-p", "w_risk", "0"],
            "portfolio_roi: the score weights w_alignment, w_value, w_risk are all 0; give at least one a weight above 0",
        ),
        (
            ["-p", "w_value", "0.0", "-p", "w_alignment", "0", "-p", "w_risk", "0.0"],
            "portfolio_roi: the score weights w_alignment, w_value, w_risk are all 0; give at least one a weight above 0",
        ),
        (
            ["-p", "start", "2030-01-01", "-p", "as_of", "2026-06-30"],
            "resource_utilization: parameter 'start' (2030-01-01) is after as_of (2026-06-30); it is the first month "
            "of the utilization history, so it must be on or before as_of",
        ),
        (
            ["-p", "start", "1899-12-31"],
            "resource_utilization: parameter 'start' must be a date between 1900-01-01 and 2099-12-31, got '1899-12-31'",
        ),
        (["-p", "budget_cap", "inf"], "portfolio_roi: parameter 'budget_cap' must be a finite number, got 'inf'"),
        (["-p", "budget_cap", ".nan"], "portfolio_roi: parameter 'budget_cap' must be a finite number, got nan"),
        (["-p", "budget_cap", "!!binary aGk="], f"-p budget_cap: YAML tag '!!binary' {TAG}"),
        (
            ["-p", "schedule", "!!python/object/apply:os.system ['id']"],
            f"-p schedule: YAML tag '!!python/object/apply:os.system' {TAG}",
        ),
        (
            ["-p", "schedule", "[1, 2]"],
            "executive_summary: parameter 'schedule' must be a single value (text, a number, true/false or a date "
            "YYYY-MM-DD), got list [1, 2]",
        ),
    ],
)
def test_bad_p_values_are_one_line(no_run, args, message):
    _one_line_error(_invoke(["run", *args]), message)
    assert no_run == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "- as_of\n",
            "{path}: the top level must be a mapping of parameter names to values (and an optional "
            "'notebooks:' mapping), got a list",
        ),
        (
            "just text\n",
            "{path}: the top level must be a mapping of parameter names to values (and an optional "
            "'notebooks:' mapping), got the value 'just text'",
        ),
        (
            "notebooks: [portfolio_roi]\n",
            "{path}: 'notebooks' must map notebook names to mappings of parameters, got a list",
        ),
        (
            "notebooks:\n  portfolio_roi: 3\n",
            "{path}: 'notebooks' entry 'portfolio_roi' must be a mapping of parameter names to values, got the value 3",
        ),
        (
            "notebooks:\n  portfolio_roi: [budget_cap]\n",
            "{path}: 'notebooks' entry 'portfolio_roi' must be a mapping of parameter names to values, got a list",
        ),
        ("1: x\n", "{path}: parameter names must be text, got 1"),
        (
            "as_of: !!python/object/apply:os.system [id]\n",
            f"{{path}}: key 'as_of' (line 1): YAML tag '!!python/object/apply:os.system' {TAG}",
        ),
        (
            "notebooks:\n  portfolio_roi:\n    budget_cap: !!binary aGk=\n",
            f"{{path}}: key 'notebooks.portfolio_roi.budget_cap' (line 3): YAML tag '!!binary' {TAG}",
        ),
        ("as_of: [2026\n", "{path}: not valid YAML at line 2, column 1: expected ',' or ']', but got '<stream end>'"),
        ("as_of: .inf\n", "executive_summary: parameter 'as_of' must be a date YYYY-MM-DD, got inf"),
        ("budget_cap: .nan\n", "portfolio_roi: parameter 'budget_cap' must be a finite number, got nan"),
        (
            "notebooks:\n  portfolio_roi:\n    budget_cap: 1000\n",
            "portfolio_roi: 'budget_cap' is a portfolio-model parameter, one value per run so that every report "
            "shows the same figures: set it for the whole run",
        ),
    ],
)
def test_bad_params_files_are_one_line(tmp_path, no_run, text, message):
    path = tmp_path / "params.yml"
    path.write_text(text, encoding="utf-8")
    _one_line_error(_invoke(["run", "-f", path]), message.format(path=path))
    assert no_run == []


def test_missing_or_unreadable_params_file_is_one_line(tmp_path, no_run):
    _one_line_error(
        _invoke(["run", "-f", tmp_path / "nope.yml"]), f"parameters file not found: {str(tmp_path / 'nope.yml')!r}"
    )
    _one_line_error(
        _invoke(["run", "-f", tmp_path]), f"cannot read the parameters file {str(tmp_path)!r}: Is a directory"
    )
    latin1 = tmp_path / "latin1.yml"
    latin1.write_bytes("as_of: '2026-06-30' # März\n".encode("latin-1"))
    _one_line_error(_invoke(["run", "-f", latin1]), f"parameters file {str(latin1)!r} is not UTF-8 text")


def test_good_params_file_reaches_the_run_as_plain_values(tmp_path, no_run):
    path = tmp_path / "params.yml"
    path.write_text(
        "as_of: 2026-06-30\nbudget_cap: 1500000\nnotebooks:\n  resource_utilization:\n"
        "    group_by: role\n  lessons_learned:\n",
        encoding="utf-8",
    )
    result = _invoke(["run", "-f", path, "-p", "discount_rate", "0.1", "--reports-dir", tmp_path / "reports"])
    assert result.exit_code == 0, result.output
    [call] = no_run
    assert call["params"] == {"as_of": dt.date(2026, 6, 30), "budget_cap": 1500000, "discount_rate": 0.1}
    assert call["notebook_params"] == {"resource_utilization": {"group_by": "role"}, "lessons_learned": {}}


# ---------------------------------------------------------------- dates given to validate
@pytest.mark.parametrize(
    ("as_of", "message"),
    [
        ("2026-02-30", "--as-of must be a date YYYY-MM-DD, got '2026-02-30' (day is out of range for month)"),
        ("30/06/2026", "--as-of must be a date YYYY-MM-DD, got '30/06/2026'"),
        ("06/30/2026", "--as-of must be a date YYYY-MM-DD, got '06/30/2026'"),
        ("2026-06-30 07:00", "--as-of must be a date YYYY-MM-DD, got '2026-06-30 07:00'"),
    ],
)
def test_validate_as_of_follows_the_parameter_date_rule(as_of, message):
    _one_line_error(_invoke(["validate", SAMPLE_DATA_DIR, "--as-of", as_of]), message)


@pytest.mark.parametrize(
    ("as_of", "message"),
    [
        ("30/06/2026", "--as-of must be a date YYYY-MM-DD, got '30/06/2026'"),
        ("2026-02-30", "--as-of must be a date YYYY-MM-DD, got '2026-02-30' (day is out of range for month)"),
    ],
)
def test_sample_data_as_of_follows_the_same_rule(tmp_path, as_of, message):
    _one_line_error(_invoke(["sample-data", tmp_path / "out", "--as-of", as_of]), message)
    assert not (tmp_path / "out").exists()


def test_validate_accepts_an_iso_as_of():
    result = _invoke(["validate", SAMPLE_DATA_DIR, "--as-of", "2026-06-30"])
    assert result.exit_code == 0 and f"{SAMPLE_DATA_DIR}: valid" in result.output


# ---------------------------------------------------------------- the reports folder
def test_full_reports_folder_is_one_line(tmp_path, monkeypatch):
    reports = tmp_path / "reports"

    def full(**kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pmo_analysis.runs.runner, "run_reports", full)
    _one_line_error(
        _invoke(["run", "--reports-dir", reports]),
        f"cannot publish the run in the reports folder {str(reports)!r}: No space left on device",
    )


def test_read_only_reports_folder_is_one_line(tmp_path, monkeypatch):
    reports = tmp_path / "reports"

    def read_only(**kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(reports / ".tmp-run"))

    monkeypatch.setattr(pmo_analysis.runs.runner, "run_reports", read_only)
    _one_line_error(
        _invoke(["run", "--reports-dir", reports]),
        f"cannot publish the run in the reports folder {str(reports)!r}: Permission denied",
    )


def test_reports_folder_that_cannot_be_made_is_one_line(tmp_path):
    # the real runner: the folder fails after the parameter checks, before any kernel starts
    (tmp_path / "a-file").write_text("x")
    reports = tmp_path / "a-file" / "reports"
    _one_line_error(
        _invoke(["run", "-n", "portfolio_roi", "--reports-dir", reports]),
        f"cannot publish the run in the reports folder {str(reports)!r}: Not a directory",
    )


def test_prune_on_a_missing_folder_is_one_line(tmp_path):
    _one_line_error(
        _invoke(["reports", "prune", "--keep", "3", "--reports-dir", tmp_path / "none"]),
        f"reports folder not found: {str(tmp_path / 'none')!r}",
    )


# ---------------------------------------------------------------- usage errors and --debug
def test_usage_errors_stay_usage_errors():
    result = _invoke(["run", "-p", "as_of"])
    assert result.exit_code == 2 and "Error: Option '-p' requires 2 arguments." in result.output
    assert "Traceback" not in result.output


def test_debug_shows_the_traceback(no_run):
    result = _invoke(["--debug", "run", "-p", "as_of", "2026-02-30"])
    assert result.exit_code == 1 and isinstance(result.exception, ParameterError)
    result = _invoke(["--debug", "reports", "prune", "--keep", "1", "--reports-dir", "/nonexistent/reports"])
    assert isinstance(result.exception, ParameterError)


# ---------------------------------------------------------------- schedules
SCHEDULES = """schedules:
  weekly:
    cron: "0 7 * * MON"
    timezone: Europe/London
    data_dir: data/sample
  never:
    cron: "0 0 30 2 *"
    timezone: UTC
    data_dir: data/sample
  daily:
    cron: "0 6 * * *"
    timezone: Asia/Shanghai
    data_dir: data/sample
"""
NEVER = (
    "schedule 'never': 'cron' field day-of-month '30' never occurs in month '2', so the schedule would "
    "never run: '0 0 30 2 *'"
)


@pytest.fixture
def schedules_file(tmp_path) -> Path:
    path = tmp_path / "schedules.yml"
    path.write_text(SCHEDULES, encoding="utf-8")
    return path


def test_schedule_list_shows_the_valid_schedules_and_one_line_per_bad_one(schedules_file):
    result = _invoke(["schedule", "list", "--file", schedules_file])
    assert result.exit_code == 1 and "Traceback" not in result.output
    lines = result.output.splitlines()
    assert lines[0] == f"{schedules_file}: {NEVER}"
    assert "weekly: cron '0 7 * * MON' (Europe/London), data data/sample, notebooks all" in lines
    assert "daily: cron '0 6 * * *' (Asia/Shanghai), data data/sample, notebooks all" in lines
    assert len(lines) == 1 + 2 * 4


def test_schedule_run_due_prints_each_status_and_fails_if_one_did_not_succeed(schedules_file, tmp_path, monkeypatch):
    def runner(**kw):
        if kw["schedule"] == "daily":
            raise ParameterError(f"data folder not found: '{tmp_path / 'gone'}'")
        return SimpleNamespace(status="success", run_id=f"run-{kw['schedule']}")

    monkeypatch.setattr(pmo_analysis.runs.runner, "run_reports", runner)
    reports = tmp_path / "reports"
    result = _invoke(["schedule", "run-due", "--file", schedules_file, "--reports-dir", reports])
    assert result.exit_code == 1 and "Traceback" not in result.output
    lines = result.output.splitlines()
    assert lines[0] == f"{schedules_file}: {NEVER}"
    status = [ln for ln in lines if ln.startswith(("weekly:", "daily:"))]
    assert len(status) == 2
    assert status[0].startswith("weekly: success, slot ") and status[0].endswith(", run run-weekly")
    assert status[1].startswith("daily: error, slot ")
    assert status[1].endswith(
        f", attempt 1 of 3, tried again at the next call: data folder not found: '{tmp_path / 'gone'}'"
    )


def test_schedule_run_due_succeeds_when_every_run_succeeds(tmp_path, monkeypatch):
    path = tmp_path / "schedules.yml"
    path.write_text(SCHEDULES.split("  never:")[0], encoding="utf-8")
    monkeypatch.setattr(
        pmo_analysis.runs.runner, "run_reports", lambda **kw: SimpleNamespace(status="success", run_id="r")
    )
    reports = tmp_path / "reports"
    first = _invoke(["schedule", "run-due", "--file", path, "--reports-dir", reports])
    assert first.exit_code == 0 and first.output.splitlines()[-1].startswith("weekly: success, slot ")
    again = _invoke(["schedule", "run-due", "--file", path, "--reports-dir", reports])
    assert again.exit_code == 0 and again.output.startswith("weekly: not due (next slot ")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "schedules:\n  x: !!python/object/apply:os.system [id]\n",
            f"{{path}}: schedule 'x': key 'schedules.x' (line 2): YAML tag '!!python/object/apply:os.system' {TAG}",
        ),
        ("- a\n", "{path}: expected a 'schedules:' mapping of named schedules"),
        (
            "schedules: {a: [}\n",
            "{path}: not valid YAML at line 1, column 17: expected the node content, but found '}}'",
        ),
    ],
)
def test_schedule_files_that_cannot_be_used_are_one_line(tmp_path, text, message):
    path = tmp_path / "schedules.yml"
    path.write_text(text, encoding="utf-8")
    _one_line_error(_invoke(["schedule", "list", "--file", path]), message.format(path=path))
    _one_line_error(
        _invoke(["schedule", "list", "--file", tmp_path / "none.yml"]),
        f"schedule file not found: {str(tmp_path / 'none.yml')!r}",
    )


@pytest.mark.skipif(not (REAL_DATA / "it-dashboard").is_dir(), reason="../shared/real-data is not beside the repo")
def test_validate_can_leave_out_invalid_rows_of_a_real_export():
    refused = _invoke(["validate", REAL_DATA / "it-dashboard"])
    assert refused.exit_code == 1 and "end_date is before start_date" in refused.output
    result = _invoke(["validate", REAL_DATA / "it-dashboard", "--exclude-invalid"])
    assert result.exit_code == 0, result.output
    assert "it-dashboard: usable with 117 invalid row(s) left out (projects: 47, cashflows: 70)" in result.output
    assert result.output.count("left out: [projects]") == 81  # every problem of every row, listed
    assert "  projects            2,420 rows  (projects.csv)" in result.output


def test_import_writes_a_folder_that_validates_and_names_each_bad_file_in_one_line(tmp_path):
    from tests.helpers import two_programme_xer, xer_text

    (tmp_path / "plan.xer").write_bytes(xer_text(two_programme_xer()).encode("gb18030"))
    (tmp_path / "empty.xer").write_bytes(b"")
    result = _invoke(["import", tmp_path / "plan.xer", tmp_path / "empty.xer", "--out", tmp_path / "out"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "not imported: empty.xer: the file is empty\n" in result.output
    assert "imported 2 project(s) into" in result.output and "1 file(s) not imported (listed above)" in result.output
    assert _invoke(["validate", tmp_path / "out"]).exit_code == 0


def test_import_of_nothing_importable_is_one_line(tmp_path):
    (tmp_path / "notes.txt").write_text("minutes")
    result = _invoke(["import", tmp_path / "notes.txt", "--out", tmp_path / "out"])
    _one_line_error(
        result,
        "not imported: notes.txt: unsupported format '.txt': import Microsoft Project (.mpp, .xml) or "
        "Primavera P6 (.xer, .xml/.pmxml) files\nno schedule could be imported: notes.txt: unsupported format "
        "'.txt': import Microsoft Project (.mpp, .xml) or Primavera P6 (.xer, .xml/.pmxml) files",
    )
