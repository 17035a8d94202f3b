"""Publishing: the index pages show every value as text, and a notebook's failure survives the trip
through manifest.json. No kernel starts: runs are reserved and published by hand, or run_reports
runs with a stand-in model and a stand-in notebook execution."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import shutil
from pathlib import Path

import nbformat
import papermill
import pytest
from click.testing import CliRunner
from nbformat.v4 import new_code_cell, new_notebook

import pmo_analysis.runs.execute as execute_module
import pmo_analysis.runs.runner as runner
from pmo_analysis.cli import main
from pmo_analysis.core.exceptions import NotebookError
from pmo_analysis.runs.publish import (
    INDEX_MARKER,
    prune_reports,
    publish_run,
    read_manifests,
    refresh_latest,
    reserve_run,
    write_manifest,
)

SCRIPT = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
STARTED = dt.datetime(2026, 7, 1, 7, 0, 0, tzinfo=dt.UTC)


def _publish(
    reports: Path,
    *,
    schedule: str,
    as_of: str = "2026-06-30",
    status: str = "partial",
    stale: list[str] | None = None,
    error: dict | None = None,
) -> Path:
    """Reserve, write and publish a run as run_reports does, and return its folder."""
    run_id, tmp = reserve_run(reports, STARTED, schedule)
    notebooks = [
        {
            "name": "executive_summary",
            "status": "success",
            "duration_s": 1.0,
            "error": None,
            "outputs": ["executive_summary.html"],
        },
        {
            "name": "portfolio_roi",
            "status": "failed",
            "duration_s": 2.0,
            "error": error,
            "outputs": ["portfolio_roi.ipynb"],
        },
    ]
    write_manifest(
        tmp,
        {
            "run_id": run_id,
            "schedule": schedule,
            "status": status,
            "complete": True,
            "as_of": as_of,
            "started": STARTED.isoformat(),
            "duration_s": 3,
            "stale": stale or [],
            "accept_stale": False,
            "notebooks": notebooks,
            "data": {"dir": "data", "files": []},
        },
    )
    return publish_run(tmp, reports, run_id)


# ---------------------------------------------------------------- escaping in both indexes
def test_schedule_error_and_stale_note_are_shown_as_text_in_both_indexes(tmp_path):
    error = {"cell": 3, "ename": "ValueError", "evalue": f"budget sheet {SCRIPT}", "source": "x = 1"}
    run = _publish(
        tmp_path,
        schedule=f"weekly{SCRIPT}",
        as_of=f"2026-06-30{SCRIPT}",
        stale=[f"actual costs end in 2026-03 {SCRIPT}"],
        error=error,
    )
    refresh_latest(tmp_path)
    run_page = (run / "index.html").read_text(encoding="utf-8")
    top_page = (tmp_path / "index.html").read_text(encoding="utf-8")
    for page in (run_page, top_page):
        assert "<script" not in page.lower()
        assert f"weekly{ESCAPED}" in page  # the schedule name, in both
        assert f"2026-06-30{ESCAPED}" in page  # the as-of date, in both
    assert f"ValueError: budget sheet {ESCAPED}</td>" in run_page  # the error, in the run's page
    assert f"<li>actual costs end in 2026-03 {ESCAPED}</li>" in run_page  # the stale note
    assert "<strong>Stale data</strong>" in run_page


def test_markup_in_a_notebook_name_is_text_in_both_indexes(tmp_path):
    run_id, tmp = reserve_run(tmp_path, STARTED, "weekly")
    name = f"roi{SCRIPT}"
    write_manifest(
        tmp,
        {
            "run_id": run_id,
            "schedule": "weekly",
            "status": "success",
            "complete": True,
            "as_of": "2026-06-30",
            "started": STARTED.isoformat(),
            "duration_s": 3,
            "notebooks": [
                {
                    "name": name,
                    "status": "success",
                    "duration_s": 1.0,
                    "error": None,
                    "outputs": [f"{name}.html", f"{name}/table.csv"],
                }
            ],
            "data": {"dir": "data", "files": []},
        },
    )
    run = publish_run(tmp, tmp_path, run_id)
    assert refresh_latest(tmp_path) == run_id
    for page in (run / "index.html", tmp_path / "index.html"):
        text = page.read_text(encoding="utf-8")
        assert "<script" not in text.lower() and f"roi{ESCAPED}" in text, page


def test_error_is_cut_at_300_characters_before_escaping(tmp_path):
    error = {"cell": None, "ename": "TimeoutError", "evalue": "<" * 400, "source": ""}
    run = _publish(tmp_path, schedule="weekly", error=error)
    page = (run / "index.html").read_text(encoding="utf-8")
    assert "TimeoutError: " + "&lt;" * (300 - len("TimeoutError: ")) + "</td>" in page


# ---------------------------------------------------------------- the failure record
def test_notebook_error_says_where_it_failed():
    assert NotebookError(4, "ValueError", "bad").where == "in cell In [4]"
    assert NotebookError(4, "ValueError", "bad", source="x = 1").where == "in cell In [4] (x = 1)"
    assert NotebookError(None, "TimeoutError", "cell timed out").where == "before or outside a cell"
    assert str(NotebookError(4, "ValueError", "bad")) == "ValueError: bad"


def test_notebook_error_from_a_manifest_written_before_source_was_kept():
    old = {"cell": None, "ename": "DeadKernelError", "evalue": "Kernel died"}
    assert NotebookError.from_manifest(old) == NotebookError(None, "DeadKernelError", "Kernel died", "")


def _tiny_nb(folder: Path, name: str) -> None:
    nb = new_notebook()
    cell = new_code_cell("data_dir = None\noutput_dir = None\nas_of = None")
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, folder / f"{name}.ipynb")


@pytest.fixture
def failing_run(tmp_path, monkeypatch, stand_in_model):
    """run_reports on two tiny notebooks, a stand-in model, and ``bad`` failing in cell 4."""
    error = NotebookError(
        cell=4, ename="ValueError", evalue="budget sheet is missing <b>column</b>", source="check(budget)"
    )

    def execute(nb, out_ipynb, params, *, timeout, html, kernels=None):
        Path(html["path"]).write_text("<p>report</p>")
        return {"status": "failed", "error": error} if nb.stem == "bad" else {"status": "success", "error": None}

    monkeypatch.setattr(execute_module, "_execute", execute)
    nbs = tmp_path / "nbs"
    nbs.mkdir()
    for name in ("good", "bad"):
        _tiny_nb(nbs, name)
    result = runner.run_reports(notebooks_dir=nbs, reports_dir=tmp_path / "reports", progress=None)
    return result, error


def test_failure_round_trips_through_the_manifest(failing_run):
    result, error = failing_run
    assert result.status == "partial"
    by_name = {n.name: n for n in result.notebooks}
    assert by_name["bad"].error == error and by_name["good"].error is None
    m = json.loads((result.run_dir / "manifest.json").read_text(encoding="utf-8"))
    written = {n["name"]: n for n in m["notebooks"]}
    # the same keys as manifests have always had
    assert written["bad"]["error"] == {
        "cell": 4,
        "ename": "ValueError",
        "evalue": "budget sheet is missing <b>column</b>",
        "source": "check(budget)",
    }
    assert written["good"]["error"] is None
    assert NotebookError.from_manifest(written["bad"]["error"]) == error
    assert [m["_dir"] for m in read_manifests(result.run_dir.parent)] == [result.run_id]
    page = (result.run_dir / "index.html").read_text(encoding="utf-8")
    assert "ValueError: budget sheet is missing &lt;b&gt;column&lt;/b&gt;</td>" in page


def test_failure_dataclass_serialises_with_asdict():
    result = runner.NotebookResult("bad", status="failed", error=NotebookError(None, "TimeoutError", "too slow"))
    assert dataclasses.asdict(result)["error"] == {
        "cell": None,
        "ename": "TimeoutError",
        "evalue": "too slow",
        "source": "",
    }


# ---------------------------------------------------------------- how a failure is recorded (no kernel)
def test_a_failing_cell_is_recorded_with_its_first_line(tmp_path, monkeypatch):
    def fail(*args, **kwargs):
        raise papermill.PapermillExecutionError(
            cell_index=3,
            exec_count=4,
            source="\n  \nraise ValueError('x')\nmore",
            ename="ValueError",
            evalue="x",
            traceback=[],
        )

    monkeypatch.setattr(papermill, "execute_notebook", fail)
    res = execute_module._execute(
        tmp_path / "bad.ipynb",
        tmp_path / "out.ipynb",
        {},
        timeout=5,
        html={"path": str(tmp_path / "bad.html"), "meta": {"title": "Bad"}, "keep_code": False},
    )
    assert res == {"status": "failed", "error": NotebookError(4, "ValueError", "x", source="raise ValueError('x')")}


def test_a_notebook_that_cannot_be_read_is_a_failure_outside_a_cell(tmp_path):
    res = execute_module._execute(
        tmp_path / "missing.ipynb",
        tmp_path / "out.ipynb",
        {},
        timeout=5,
        html={"path": str(tmp_path / "missing.html"), "meta": {"title": "Missing"}, "keep_code": False},
    )
    assert res["status"] == "failed" and res["error"].cell is None
    assert res["error"].where == "before or outside a cell" and res["error"].ename
    assert not (tmp_path / "missing.html").exists()


# ---------------------------------------------------------------- only what the tool made
def _tree(folder: Path) -> dict[str, object]:
    """Every path under ``folder`` with its bytes (a file), its target (a link) or ``dir``."""
    out: dict[str, object] = {}
    for p in sorted(folder.rglob("*")):
        key = p.relative_to(folder).as_posix()
        out[key] = f"-> {os.readlink(p)}" if p.is_symlink() else p.read_bytes() if p.is_file() else "dir"
    return out


def _not_runs(folder: Path) -> None:
    """A folder of things the tool did not make, some looking like runs."""
    web = {"name": "My web app", "short_name": "app", "start_url": "/", "icons": []}
    extension = {"manifest_version": 3, "name": "my extension", "version": "1.0", "status": "success"}
    for name, manifest in (
        ("public", web),
        ("my-extension", extension),
        # a run id's pattern, but not a run's manifest
        ("20260101T000000Z-notes", {"run_id": "notes", "status": "success", "notebooks": []}),
        # a run's manifest copied under another name
        ("backup", {"run_id": "20260101T000000Z-weekly", "status": "success", "notebooks": []}),
    ):
        (folder / name).mkdir(parents=True)
        (folder / name / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
        (folder / name / "index.html").write_text(f"<h1>{name}</h1>", encoding="utf-8")
    (folder / "notes.txt").write_text("keep me", encoding="utf-8")
    build = folder / ".tmp-build"  # a temporary folder of someone else's, days old
    build.mkdir()
    (build / "cache.bin").write_bytes(b"\x00" * 16)
    old = dt.datetime(2026, 1, 1, tzinfo=dt.UTC).timestamp()
    os.utime(build, (old, old))


def _no_kernel_cli(monkeypatch) -> None:
    """``pmo-analysis run`` in this process, with a stand-in model and notebooks that write a line."""

    def execute(nb, out_ipynb, params, *, timeout, html, kernels=None):
        Path(html["path"]).write_text("<p>report</p>")
        return {"status": "success", "error": None}

    monkeypatch.setattr(execute_module, "_execute", execute)


def test_prune_and_run_leave_a_folder_of_other_things_as_it_was(tmp_path, monkeypatch, stand_in_model):
    _no_kernel_cli(monkeypatch)
    _not_runs(tmp_path)
    before = _tree(tmp_path)
    result = CliRunner().invoke(main, ["reports", "prune", "--keep", "0", "--reports-dir", str(tmp_path)])
    assert result.exit_code == 0 and result.output == "removed 0 run(s)\n", result.output
    result = CliRunner().invoke(main, ["run", "--projects", "none", "--reports-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    after = _tree(tmp_path)
    assert {k: v for k, v in after.items() if k in before} == before  # nothing of it changed
    runs = [m["_dir"] for m in read_manifests(tmp_path)]
    assert len(runs) == 1 and os.readlink(tmp_path / "latest") == runs[0]
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    for name in ("public", "my-extension", "notes", "backup"):
        assert f'href="{name}/' not in index
    # and prune, with the tool's run beside them, deletes nothing else
    (tmp_path / runs[0] / "manifest.json").write_text(
        json.dumps(json.loads((tmp_path / runs[0] / "manifest.json").read_text()) | {"status": "failed"})
    )
    result = CliRunner().invoke(main, ["reports", "prune", "--keep", "0", "--reports-dir", str(tmp_path)])
    assert result.output == f"removed 1 run(s): {runs[0]}\n"
    assert {k: v for k, v in _tree(tmp_path).items() if k in before} == before


@pytest.mark.parametrize(
    ("name", "make", "what"),
    [
        ("index.html", lambda p: p.write_text("<h1>Our team page</h1>"), "was not written by pmo-analysis"),
        ("index.html", lambda p: p.symlink_to("notes.txt"), "was not written by pmo-analysis"),
        ("latest", lambda p: p.write_text("the latest notes"), "is not a link to a run"),
        ("latest", lambda p: p.symlink_to("/etc"), "is not a link to a run"),
        ("latest", lambda p: (p.mkdir(), (p / "todo.txt").write_text("x")), "is not a link to a run"),
    ],
)
def test_an_index_or_latest_not_ours_stops_prune_and_run_before_any_change(
    tmp_path, monkeypatch, stand_in_model, name, make, what
):
    _no_kernel_cli(monkeypatch)
    _not_runs(tmp_path)
    fake = tmp_path / "20260101T000000Z-weekly"
    fake.mkdir()
    (fake / "manifest.json").write_text(
        json.dumps({"run_id": fake.name, "status": "failed", "started": STARTED.isoformat(), "notebooks": []})
    )
    make(tmp_path / name)
    before = _tree(tmp_path)
    for args in (["reports", "prune", "--keep", "0"], ["run", "--projects", "none"]):
        result = CliRunner().invoke(main, [*args, "--reports-dir", str(tmp_path)])
        assert result.exit_code == 1, result.output
        assert result.output.count("\n") == 1 and "Traceback" not in result.output
        assert result.output.startswith(f"{str(tmp_path / name)!r} {what}")
        assert result.output.endswith("move it away, or publish into another --reports-dir (nothing was changed)\n")
        assert _tree(tmp_path) == before


def test_an_index_written_by_an_older_version_is_replaced(tmp_path):
    old = '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Portfolio reports</title>\n'
    (tmp_path / "index.html").write_text(old + "<style></style></head><body>\n<h1>Portfolio reports</h1>\n")
    _publish(tmp_path, schedule="weekly", status="success")
    refresh_latest(tmp_path)
    assert f'<meta name="generator" content="{INDEX_MARKER}">' in (tmp_path / "index.html").read_text()


def test_latest_as_a_real_folder_copy_of_a_run_becomes_the_link_again(tmp_path):
    run = _publish(tmp_path, schedule="weekly", status="success")
    shutil.copytree(run, tmp_path / "latest")  # rsync without links
    assert refresh_latest(tmp_path) == run.name
    assert os.readlink(tmp_path / "latest") == run.name
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != ".publish.lock") == [run.name, "index.html", "latest"]


# ---------------------------------------------------------------- earlier manifests read defensively
@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"notebooks": "abc"}, "'notebooks' must be a list, got 'abc'"),
        ({"notebooks": 5}, "'notebooks' must be a list, got 5"),
        ({"notebooks": [{"name": "x", "outputs": 5}]}, "'notebooks' entry 1: 'outputs' must be a list, got 5"),
        ({"notebooks": [7]}, "'notebooks' entry 1 must be an object with a text 'name', got 7"),
        ({"status": None}, "'status' must be text, got None"),
        ({"complete": "yes"}, "'complete' must be true or false, got 'yes'"),
        ({"as_of": ["2026"]}, "'as_of' must be text or none, got ['2026']"),
    ],
)
def test_a_malformed_earlier_manifest_is_named_once_and_skipped(tmp_path, caplog, change, problem):
    bad = _publish(tmp_path, schedule="weekly", status="success")
    manifest = bad / "manifest.json"
    manifest.write_text(json.dumps(json.loads(manifest.read_text()) | change))
    good = _publish(tmp_path, schedule="daily", status="success")
    caplog.set_level("WARNING", logger="pmo_analysis.runs.publish")
    for _ in range(2):
        assert refresh_latest(tmp_path) == good.name
    assert [m["_dir"] for m in read_manifests(tmp_path)] == [good.name]
    assert [r.getMessage() for r in caplog.records] == [f"{manifest}: skipped, not a run's manifest: {problem}"]
    assert prune_reports(tmp_path, keep=0) == []  # prune neither stops nor deletes the unreadable run
    assert bad.is_dir() and os.readlink(tmp_path / "latest") == good.name


def test_a_malformed_earlier_manifest_does_not_stop_a_new_run(tmp_path, monkeypatch, stand_in_model):
    _no_kernel_cli(monkeypatch)
    bad = _publish(tmp_path, schedule="weekly", status="success")
    (bad / "manifest.json").write_text(json.dumps({"run_id": bad.name, "status": "success", "notebooks": "abc"}))
    (tmp_path / "20260101T000000Z-weekly").mkdir()
    (tmp_path / "20260101T000000Z-weekly" / "manifest.json").write_text("{not json")
    result = CliRunner().invoke(main, ["run", "--projects", "none", "--reports-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    new = next(m["_dir"] for m in read_manifests(tmp_path))
    assert new != bad.name and os.readlink(tmp_path / "latest") == new
    assert f'href="{new}/index.html"' in (tmp_path / "index.html").read_text()
