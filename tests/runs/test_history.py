"""Published runs over time: which run is ``latest``, pruning, leftovers of dead runs, the reports
index and unique run ids. Runs are fake folders with a ``manifest.json``; no kernel starts."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

import pmo_analysis.runs.execute as execute_module
import pmo_analysis.runs.runner as runner
from pmo_analysis.core.exceptions import ParameterError
from pmo_analysis.runs.publish import (
    REPORT_NOTEBOOKS,
    latest_good_run,
    prune_reports,
    publish_run,
    read_manifests,
    refresh_latest,
    remove_dead_temp_folders,
    reserve_run,
    update_index,
    write_manifest,
)
from pmo_analysis.runs.publish import previous_report as find_previous_run
from pmo_analysis.runs.runner import is_whole_suite, run_reports


def fake_run(
    reports: Path,
    name: str,
    *,
    status: str = "success",
    as_of: str = "2026-06-30",
    started: str = "2026-07-01T07:00:00+00:00",
    schedule: str = "weekly",
    complete: bool | None = True,
    names: list[str] | None = None,
) -> Path:
    """A published run folder with a manifest (``complete=None``: a manifest from before the flag)."""
    folder = reports / name
    (folder / "executive_summary").mkdir(parents=True)
    (folder / "executive_summary" / "project_snapshot.csv").write_text("project_id\n")
    nb_status = "failed" if status in ("failed", "partial") else "success"
    notebooks = [
        {"name": n, "status": nb_status, "outputs": [f"{n}.html", f"{n}.ipynb"], "error": None}
        for n in (REPORT_NOTEBOOKS if names is None else names)
    ]
    m = {
        "run_id": name,
        "schedule": schedule,
        "status": status,
        "started": started,
        "as_of": as_of,
        "notebooks": notebooks,
    }
    if complete is not None:
        m["complete"] = complete
    (folder / "manifest.json").write_text(json.dumps(m), encoding="utf-8")
    return folder


def latest_link(reports: Path) -> str | None:
    link = reports / "latest"
    return os.readlink(link) if link.is_symlink() else None


# ---------------------------------------------------------------- the latest rule
def test_subset_run_never_becomes_latest(tmp_path):
    fake_run(tmp_path, "20260701T070000Z-weekly")
    fake_run(
        tmp_path,
        "20260702T070000Z-adhoc",
        started="2026-07-02T07:00:00+00:00",
        schedule="adhoc",
        complete=False,
        names=["portfolio_roi"],
    )
    assert refresh_latest(tmp_path) == "20260701T070000Z-weekly"
    assert latest_link(tmp_path) == "20260701T070000Z-weekly"


def test_rerun_of_an_older_date_never_becomes_latest(tmp_path):
    fake_run(tmp_path, "20260701T070000Z-weekly", as_of="2026-06-30")
    fake_run(tmp_path, "20260705T070000Z-weekly", as_of="2026-05-31", started="2026-07-05T07:00:00+00:00")
    assert refresh_latest(tmp_path) == "20260701T070000Z-weekly"


def test_same_date_newest_start_wins_across_time_zones(tmp_path):
    # 09:00 in Paris is 07:00 UTC, an hour before 08:00 UTC
    fake_run(tmp_path, "20260101T000000Z-a", started="2026-07-01T09:00:00+02:00")
    fake_run(tmp_path, "20260101T000000Z-b", started="2026-07-01T08:00:00+00:00")
    assert refresh_latest(tmp_path) == "20260101T000000Z-b"
    assert [m["_dir"] for m in read_manifests(tmp_path)] == ["20260101T000000Z-b", "20260101T000000Z-a"]


@pytest.mark.parametrize("status", ["partial", "failed", "stale"])
def test_only_success_can_be_latest(tmp_path, status):
    fake_run(tmp_path, "20260101T000000Z-good", as_of="2026-05-31", started="2026-06-01T07:00:00+00:00")
    fake_run(tmp_path, "20260101T000000Z-newer", status=status, started="2026-07-01T07:00:00+00:00")
    assert latest_good_run(read_manifests(tmp_path)) == "20260101T000000Z-good"


def test_no_good_run_removes_a_stale_latest_link(tmp_path):
    fake_run(tmp_path, "20260101T000000Z-subset", complete=False, names=["portfolio_roi"])
    fake_run(tmp_path, "20260101T000000Z-broken", status="failed", started="2026-07-02T07:00:00+00:00")
    (tmp_path / "latest").symlink_to(
        "20260101T000000Z-subset"
    )  # left by an earlier version that pointed at any success
    assert refresh_latest(tmp_path) is None
    assert not (tmp_path / "latest").is_symlink()
    assert "No successful run of the whole suite yet." in (tmp_path / "index.html").read_text()


def test_manifests_from_before_the_complete_flag(tmp_path):
    fake_run(tmp_path, "20260101T000000Z-all-four", complete=None)
    fake_run(
        tmp_path, "20260101T000000Z-one", complete=None, names=["portfolio_roi"], started="2026-07-02T07:00:00+00:00"
    )
    assert latest_good_run(read_manifests(tmp_path)) == "20260101T000000Z-all-four"


def test_whole_suite(tmp_path):
    nbs, elsewhere = tmp_path / "nbs", tmp_path / "elsewhere"
    for folder, names in ((nbs, ["executive_summary", "portfolio_roi", "scratch"]), (elsewhere, ["portfolio_roi"])):
        folder.mkdir()
        for n in names:
            (folder / f"{n}.ipynb").write_text("{}")
    assert is_whole_suite([nbs / "executive_summary.ipynb", nbs / "portfolio_roi.ipynb"], nbs)
    assert not is_whole_suite([nbs / "portfolio_roi.ipynb"], nbs)
    assert not is_whole_suite([nbs / "executive_summary.ipynb", elsewhere / "portfolio_roi.ipynb"], nbs)
    # a folder without report notebooks: its suite is every notebook in it
    other = tmp_path / "other"
    other.mkdir()
    (other / "a.ipynb").write_text("{}")
    (other / "b.ipynb").write_text("{}")
    assert is_whole_suite([other / "a.ipynb", other / "b.ipynb"], other)
    assert not is_whole_suite([other / "a.ipynb"], other)
    assert not is_whole_suite([], other)


def test_previous_run_is_newest_date_then_newest_start(tmp_path):
    fake_run(tmp_path, "20260101T000000Z-z-first", started="2026-07-01T09:00:00+02:00")  # 07:00 UTC
    fake_run(tmp_path, "20260101T000000Z-a-rerun", started="2026-07-01T08:00:00+00:00")
    fake_run(tmp_path, "20260101T000000Z-later-date", as_of="2026-07-31", started="2026-08-01T07:00:00+00:00")
    assert (
        find_previous_run(tmp_path, schedule="weekly", before_as_of="2026-06-30")
        == tmp_path / "20260101T000000Z-a-rerun" / "executive_summary"
    )


# ---------------------------------------------------------------- prune
def test_prune_keep_0_keeps_the_only_complete_run(tmp_path):
    fake_run(tmp_path, "20260701T070000Z-weekly")
    fake_run(
        tmp_path, "20260702T070000Z-adhoc", started="2026-07-02T07:00:00+00:00", complete=False, names=["portfolio_roi"]
    )
    (tmp_path / "latest").symlink_to("20260702T070000Z-adhoc")  # what the subset run left before
    assert prune_reports(tmp_path, keep=0) == ["20260702T070000Z-adhoc"]
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == [
        "20260701T070000Z-weekly",
        "index.html",
        "latest",
    ]
    assert latest_link(tmp_path) == "20260701T070000Z-weekly"


def test_prune_keep_n_keeps_the_newest_and_the_latest_good(tmp_path):
    fake_run(tmp_path, "20260101T000000Z-r1", started="2026-07-01T07:00:00+00:00")  # the latest good run
    for i, status in enumerate(["failed", "partial", "stale", "failed"], start=2):
        fake_run(tmp_path, f"20260101T000000Z-r{i}", status=status, started=f"2026-07-0{i}T07:00:00+00:00")
    assert prune_reports(tmp_path, keep=2) == ["20260101T000000Z-r3", "20260101T000000Z-r2"]
    assert sorted(m["_dir"] for m in read_manifests(tmp_path)) == [
        "20260101T000000Z-r1",
        "20260101T000000Z-r4",
        "20260101T000000Z-r5",
    ]
    assert prune_reports(tmp_path, keep=0) == ["20260101T000000Z-r5", "20260101T000000Z-r4"]
    assert [m["_dir"] for m in read_manifests(tmp_path)] == ["20260101T000000Z-r1"]
    assert latest_link(tmp_path) == "20260101T000000Z-r1"


def test_prune_rejects_negative_keep(tmp_path):
    with pytest.raises(ParameterError, match=r"^--keep must be >= 0, got -1$"):
        prune_reports(tmp_path, keep=-1)


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _tmp_folder(reports: Path, name: str, *, pid: int | None, host: str | None = None, age_s: float = 0) -> Path:
    folder = reports / name
    (folder / "portfolio_roi").mkdir(parents=True)
    if pid is not None:
        (folder / "run.pid").write_text(json.dumps({"pid": pid, "host": host or platform.node()}))
    old = time.time() - age_s
    for p in (folder / "run.pid", folder):
        if p.exists():
            os.utime(p, (old, old))
    return folder


def test_prune_removes_leftovers_of_dead_runs_only(tmp_path):
    fake_run(tmp_path, "20260101T000000Z-r1")
    _tmp_folder(tmp_path, ".tmp-20260101T000000Z-killed", pid=_dead_pid())
    _tmp_folder(tmp_path, ".tmp-20260101T000000Z-running", pid=os.getpid())
    _tmp_folder(tmp_path, ".tmp-20260101T000000Z-pid-reused", pid=os.getpid(), age_s=2 * 24 * 3600)
    _tmp_folder(tmp_path, ".tmp-20260101T000000Z-other-host", pid=_dead_pid(), host="another-host")
    _tmp_folder(tmp_path, ".tmp-20260101T000000Z-other-host-old", pid=1, host="another-host", age_s=2 * 24 * 3600)
    _tmp_folder(tmp_path, ".tmp-20260101T000000Z-adhoc-k3j9", pid=None, age_s=2 * 3600)  # an older version's
    _tmp_folder(tmp_path, ".tmp-20260101T000000Z-just-made", pid=None)  # a run between mkdir and writing its pid file
    _tmp_folder(tmp_path, ".tmp-notes", pid=None, age_s=30 * 24 * 3600)  # not a run's: never removed
    assert prune_reports(tmp_path, keep=5) == []
    assert sorted(p.name for p in tmp_path.glob(".tmp-*")) == [
        ".tmp-20260101T000000Z-just-made",
        ".tmp-20260101T000000Z-other-host",
        ".tmp-20260101T000000Z-running",
        ".tmp-notes",
    ]
    assert (tmp_path / "20260101T000000Z-r1").is_dir() and latest_link(tmp_path) == "20260101T000000Z-r1"


def test_pid_zero_or_garbage_is_not_a_live_run(tmp_path):
    for name, pid in ((".tmp-20260101T000000Z-zero", 0), (".tmp-20260101T000000Z-text", "123")):
        _tmp_folder(tmp_path, name, pid=pid)  # type: ignore[arg-type]
    assert remove_dead_temp_folders(tmp_path) == [".tmp-20260101T000000Z-text", ".tmp-20260101T000000Z-zero"]


# ---------------------------------------------------------------- the reports index
def test_index_lists_newest_first_marks_latest_and_stale(tmp_path):
    fake_run(tmp_path, "20260101T000000Z-b-good", started="2026-07-01T07:00:00+00:00")
    fake_run(tmp_path, "20260101T000000Z-a-stale", status="stale", started="2026-07-03T07:00:00+00:00")
    fake_run(
        tmp_path,
        "20260101T000000Z-c-subset",
        complete=False,
        names=["portfolio_roi"],
        started="2026-07-02T07:00:00+00:00",
    )
    page = update_index(tmp_path).read_text(encoding="utf-8")
    rows = re.findall(r'<tr><td><a href="([^"/]+)/index.html">', page)
    assert rows == ["20260101T000000Z-a-stale", "20260101T000000Z-c-subset", "20260101T000000Z-b-good"]
    assert page.count("(latest good)") == 1
    assert '<a href="20260101T000000Z-b-good/index.html">20260101T000000Z-b-good</a> (latest good)</td>' in page
    assert 'Latest good run: <a href="latest/index.html">20260101T000000Z-b-good</a>' in page
    assert '<span class="status stale">STALE</span>' in page
    assert (
        '<a href="20260101T000000Z-c-subset/index.html">20260101T000000Z-c-subset</a> <span class="sub">(not the whole suite)</span>'
        in page
    )


# ---------------------------------------------------------------- unique run ids
STARTED = dt.datetime(2026, 7, 1, 9, 0, 4, tzinfo=dt.timezone(dt.timedelta(hours=2)))


def test_two_runs_in_the_same_second_get_their_own_ids(tmp_path):
    first_id, first_tmp = reserve_run(tmp_path, STARTED, "weekly")
    second_id, second_tmp = reserve_run(tmp_path, STARTED, "weekly")
    assert (first_id, second_id) == ("20260701T070004Z-weekly", "20260701T070004Z-weekly-2")
    assert json.loads((first_tmp / "run.pid").read_text())["pid"] == os.getpid()
    # the second finishes first
    for run_id, tmp in ((second_id, second_tmp), (first_id, first_tmp)):
        write_manifest(
            tmp,
            {
                "run_id": run_id,
                "schedule": "weekly",
                "status": "success",
                "as_of": "2026-06-30",
                "started": STARTED.isoformat(),
                "duration_s": 1,
                "notebooks": [],
                "data": {"dir": "d", "files": []},
            },
        )
        final = publish_run(tmp, tmp_path, run_id)
        assert final == tmp_path / run_id and not (final / "run.pid").exists()
    for m in read_manifests(tmp_path):
        assert m["run_id"] == m["_dir"]
        assert f"Run {m['_dir']} &middot;" in (tmp_path / m["_dir"] / "index.html").read_text()
    # a published id is not given again
    assert reserve_run(tmp_path, STARTED, "weekly")[0] == "20260701T070004Z-weekly-3"


def _tiny_nb(folder: Path, name: str) -> None:
    nb = new_notebook()
    cell = new_code_cell("data_dir = None\noutput_dir = None\nas_of = None")
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell]
    nbformat.write(nb, folder / f"{name}.ipynb")


@pytest.fixture
def no_kernel(monkeypatch, stand_in_model):
    """run_reports with a stand-in model and notebooks that write the header meta they were given."""

    def execute(nb, out_ipynb, params, *, timeout, html, kernels=None):
        Path(html["path"]).write_text(f'<meta name="run_id" content="{html["meta"]["run_id"]}">')
        return {"status": "success", "error": None}

    monkeypatch.setattr(execute_module, "_execute", execute)
    monkeypatch.setattr(runner, "_now", lambda: STARTED)


def test_run_reports_in_the_same_second_publish_their_own_ids(tmp_path, no_kernel):
    nbs, reports = tmp_path / "nbs", tmp_path / "reports"
    nbs.mkdir()
    for name in ("executive_summary", "portfolio_roi"):
        _tiny_nb(nbs, name)
    reports.mkdir()
    _tmp_folder(reports, ".tmp-20260101T000000Z-killed", pid=_dead_pid())
    runs = [run_reports(notebooks_dir=nbs, reports_dir=reports, schedule="weekly", progress=None) for _ in range(2)]
    subset = run_reports(
        notebooks_dir=nbs, notebooks=["portfolio_roi"], reports_dir=reports, schedule="weekly", progress=None
    )
    ids = [r.run_id for r in [*runs, subset]]
    assert ids == ["20260701T070004Z-weekly", "20260701T070004Z-weekly-2", "20260701T070004Z-weekly-3"]
    for r in [*runs, subset]:
        assert r.run_dir == reports / r.run_id
        m = json.loads((r.run_dir / "manifest.json").read_text())
        assert m["run_id"] == r.run_id and m["complete"] is (r is not subset)
        assert (r.run_dir / "portfolio_roi.html").read_text() == f'<meta name="run_id" content="{r.run_id}">'
    assert not list(reports.glob(".tmp-*"))  # the dead run's leftover went with the first run
    # same date, same second: the newest folder name of the complete runs; the subset run is not latest
    assert latest_link(reports) == "20260701T070004Z-weekly-2"
