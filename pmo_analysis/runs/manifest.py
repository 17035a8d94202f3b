"""A run's ``manifest.json``: what ran, on which data, with which parameters and versions, and how it ended.

``_run_status`` and ``_pages_status`` give the run's status from its notebooks, its model and its
pages; ``_manifest`` and ``_pages_manifest`` say everything else. :func:`fingerprint` lists the data
files with their checksums. Writing the manifest into the run's folder, and reading published ones,
is :mod:`pmo_analysis.runs.publish`'s.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import platform
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pandas

from pmo_analysis import __version__
from pmo_analysis.runs.execute import NotebookResult
from pmo_analysis.runs.pages import PageResult
from pmo_analysis.runs.plan import _Plan, _Run
from pmo_analysis.runs.publish import iso_time

__all__ = ["fingerprint", "fingerprint_file"]


def _run_status(results: list[NotebookResult], model) -> str:
    """success, partial (some notebooks failed), failed (all did, or none could run), or stale (all
    succeeded on data that ends more than a month before as_of, not accepted with accept_stale). A
    notebook not run for want of its tables is no failure: the run's index says which it needs.
    """
    ran = [r for r in results if r.status != "not run"]
    n_failed = sum(r.status != "success" for r in ran)
    if n_failed or not ran:
        return "failed" if n_failed == len(ran) else "partial"
    return "stale" if model.stale and not model.params["accept_stale"] else "success"


def _pages_status(status: str, pages: list[PageResult]) -> str:
    """A successful run with a failed page is partial; a failed page changes no other status."""
    return "partial" if status == "success" and any(p.status != "success" for p in pages) else status


def _manifest(
    plan: _Plan,
    run: _Run,
    model,
    results: list[NotebookResult],
    *,
    status: str,
    duration_s: float,
    finished: dt.datetime,
) -> dict[str, Any]:
    """The run's ``manifest.json``: what ran, on which data (with checksums), with which
    parameters and versions, and how each notebook ended (``error`` as ``{cell, ename, evalue, source}``).
    """
    return {
        "run_id": run.run_id,
        "schedule": run.schedule,
        "status": status,
        "complete": plan.complete,
        "started": iso_time(run.started),
        "finished": iso_time(finished),
        "started_utc": iso_time(run.started.astimezone(dt.UTC)),
        "timezone": str(run.started.tzinfo),
        "duration_s": round(duration_s, 2),
        "as_of": run.as_of,
        "as_of_source": model.meta["as_of_source"],
        "stale": model.stale,
        "accept_stale": bool(model.params["accept_stale"]),
        "freshness": model.meta["freshness"],
        "windows": model.meta["windows"],
        "data_quality": {
            "excluded_rows": model.meta["excluded_rows"],
            "rows": model.data_quality.head(1000).astype(str).to_dict("records"),
        },
        "model": {"dir": "model", "version": model.meta["version"], "tables": sorted(model.tables)},
        "notebooks": [asdict(r) for r in results],
        "data": _data_record(plan.data_dir, model.meta.get("source")),
        "versions": _versions(),
        "workbook": "report.xlsx" if (run.tmp / "report.xlsx").exists() else None,
    }


def _pages_manifest(which, pages: list[PageResult], *, not_run: str | None = None) -> dict[str, Any]:
    """The manifest's ``projects`` option and ``pages`` (each page's kind, key, title, path, health,
    status, time and error), and ``pages_not_run``: why no page was made although some were asked
    for (``needs the table(s) cashflows``), else None.
    """
    return {
        "projects": which if isinstance(which, str) else list(which),
        "pages": [asdict(p) for p in pages],
        "pages_not_run": not_run,
    }


def _data_record(data_dir: Path | str, source: dict[str, Any] | None) -> dict[str, Any]:
    """What the manifest says of the data: a folder's files with checksums; for a database its URL
    without a password, the mapping file and each table's row count and row fingerprint.
    """
    if source is None and Path(data_dir).is_file():  # a workbook, one sheet per table
        return {"dir": str(data_dir), "files": fingerprint_file(Path(data_dir))}
    if source is None:
        return {"dir": str(data_dir), "files": fingerprint(data_dir)}
    files = [] if source.get("mapping_file") is None else fingerprint_file(Path(source["mapping_file"]))
    for read in source.get("files", []):  # a mapping of files: each file it read, with its checksum
        files += fingerprint_file(Path(read), os.path.relpath(read, Path(source["mapping_file"]).parent))
    return {
        **({"kind": source["kind"]} if "kind" in source else {}),
        "dir": source["source"],
        "files": files,
        "mapping_file": source.get("mapping_file"),
        "tables": source["tables"],
    }


def fingerprint_file(path: Path, name: str | None = None) -> list[dict[str, Any]]:
    """Name, size and sha256 of one file, as :func:`fingerprint` lists them."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return [{"name": name or path.name, "size": path.stat().st_size, "sha256": h.hexdigest()}]


def fingerprint(data_dir: Path) -> list[dict[str, Any]]:
    """Name, size and sha256 of every file in the data folder (recursively, sorted)."""
    return [
        f
        for p in sorted(p for p in Path(data_dir).rglob("*") if p.is_file())
        for f in fingerprint_file(p, str(p.relative_to(data_dir)))
    ]


def _versions() -> dict[str, str]:
    # imported when the manifest is written, by then already loaded: nbconvert takes 0.35 s to
    # import, and papermill must come after pmo_analysis.runs.execute's rfc3987_syntax stub
    import nbconvert
    import papermill

    return {
        "python": platform.python_version(),
        "pandas": pandas.__version__,
        "pmo_analysis": __version__,
        "papermill": papermill.__version__,
        "nbconvert": nbconvert.__version__,
        "platform": platform.platform(),
    }
