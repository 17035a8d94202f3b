"""Publishing: the index pages show every value as text, and a notebook's failure survives the trip
through manifest.json. No kernel starts: runs are reserved and published by hand, or run_reports
runs with a stand-in model and a stand-in notebook execution."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import nbformat
import papermill
import pytest
from nbformat.v4 import new_code_cell, new_notebook

import pmo_analysis.runs.execute as execute_module
import pmo_analysis.runs.runner as runner
from pmo_analysis.core.exceptions import NotebookError
from pmo_analysis.runs.publish import publish_run, read_manifests, refresh_latest, reserve_run, write_manifest

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
