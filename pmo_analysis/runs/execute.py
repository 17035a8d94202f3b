"""Execute a run's notebooks with papermill and render each to self-contained HTML.

``_execute_notebooks`` runs the planned notebooks in threads, ``jobs`` at once and the longest
first, each in its own kernel (forked from the run's :class:`~pmo_analysis.runs.kernels.KernelTemplate`
when it can be); ``_execute`` runs one and renders its HTML with :func:`render_html`, a failure
recorded as a :class:`~pmo_analysis.core.exceptions.NotebookError`, never hidden. Papermill runs each
notebook with the engine registered here at import (``pmo-save-at-end``), which writes the executed
notebook once, when it ends. ``_render_pages`` renders the run's project and department pages.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pmo_analysis.core import formatting as fmt
from pmo_analysis.core.exceptions import NotebookError
from pmo_analysis.core.i18n import _, label
from pmo_analysis.inputs.params import validate_params
from pmo_analysis.runs.kernels import KernelTemplate
from pmo_analysis.runs.pages import (
    KERNEL_QUIET,
    PAGE_NOTEBOOK,
    PageResult,
    render_department_pages,
    render_project_pages,
    select_projects,
)
from pmo_analysis.runs.plan import RUN_PARAMS, _jsonable, _notebook_parameters, _Plan, _Run
from pmo_analysis.runs.publish import TITLES, iso_time, read_manifests

# papermill and nbconvert read notebooks with nbformat, whose jsonschema imports rfc3987_syntax
# when it is installed (Jupyter Server's extras bring it) to check IRI formats, which no notebook
# schema uses; the import builds a Lark grammar, 1.7 s before the first report of every run starts.
# Marked absent before jsonschema is first imported, jsonschema leaves that one format unchecked.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[assignment]

# after the line above: nbformat and papermill import jsonschema
import nbformat  # noqa: E402
import papermill as pm  # noqa: E402
from papermill.engines import NBClientEngine, NotebookExecutionManager, papermill_engines  # noqa: E402

__all__ = ["NotebookResult", "render_html"]


@dataclass
class NotebookResult:
    """One notebook of a run: its status, the parameters it got, how long it took, why it failed
    (``error``) and the files it wrote (relative to the run's folder).
    """

    name: str
    status: str = "queued"  # queued, running, success, failed, not run (``reason`` says why)
    parameters: dict[str, Any] = field(default_factory=dict)
    duration_s: float | None = None
    error: NotebookError | None = None
    outputs: list[str] = field(default_factory=list)
    reason: str | None = None  # why it was not run: "needs the table(s) cashflows"


# --------------------------------------------------------------------------- executing the run's notebooks
def _execute_notebooks(
    plan: _Plan,
    run: _Run,
    *,
    jobs: int | None,
    say: Callable[[str], None],
    ended: Callable[[str], None] = lambda name: None,
    kernels: KernelTemplate | None = None,
) -> list[NotebookResult]:
    """Execute every notebook, ``jobs`` at once, longest first; results in the plan's order.
    ``ended`` is told the name of each notebook that has ended, however it ended.
    """
    results = {p.stem: NotebookResult(p.stem) for p in plan.paths}
    for p in plan.paths:
        say(f"{p.stem}: queued")

    def one(path: Path) -> None:
        try:
            _run_notebook(path, results[path.stem], plan, run, say=say, kernels=kernels)
        finally:
            ended(path.stem)

    with ThreadPoolExecutor(max_workers=jobs or os.cpu_count() or 2) as pool:
        list(pool.map(one, _longest_first(plan.paths, plan.reports_dir)))
    return list(results.values())


def _longest_first(paths: list[Path], reports_dir: Path) -> list[Path]:
    """``paths``, the longest first by the last run's durations (new ones first of all): the
    parallel run finishes sooner.
    """
    last = {
        n["name"]: n.get("duration_s") or 0 for m in read_manifests(reports_dir)[:1] for n in m.get("notebooks", [])
    }
    return sorted(paths, key=lambda p: -last.get(p.stem, float("inf")))


def _run_notebook(
    path: Path,
    result: NotebookResult,
    plan: _Plan,
    run: _Run,
    *,
    say: Callable[[str], None],
    kernels: KernelTemplate | None = None,
) -> None:
    """Execute one notebook into the run's folder and fill in its ``result``."""
    name = path.stem
    result.status = "running"
    say(f"{name}: running")
    (run.tmp / name).mkdir()
    result.parameters = _notebook_parameters(path, plan, run)
    html = {"path": str(run.tmp / f"{name}.html"), "meta": _report_header(name, plan, run), "keep_code": run.keep_code}
    t1 = time.perf_counter()
    res = _execute(path, run.tmp / f"{name}.ipynb", result.parameters, timeout=run.timeout, html=html, kernels=kernels)
    result.duration_s = round(time.perf_counter() - t1, 2)
    result.status, result.error = res["status"], res.get("error")
    result.outputs = _outputs(run.tmp, name)
    say(
        f"{name}: {result.status} in {result.duration_s:.1f}s"
        + (f" ({result.error.ename}: {result.error.evalue[:200]})" if result.error else "")
    )


def _report_header(name: str, plan: _Plan, run: _Run) -> dict[str, Any]:
    """What the header of a report page says (``templates/pmo``), in the report's language: its
    title, as-of date, schedule and when it was made; no path and no run id (the manifest has them).
    """
    lang = str(plan.planned.get(name, {}).get("language") or plan.common.get("language") or "en")
    with fmt.using(language=lang):
        return {
            "title": _(TITLES.get(name, name.replace("_", " ").capitalize())),
            "as_of": run.as_of,
            "as_of_text": _("As of {date}", date=fmt.date(run.as_of)),
            "schedule_text": _("Schedule: {schedule}", schedule=label(run.schedule)),
            "run_text": _("Generated {time}", time=fmt.timestamp(run.started)),
            "language": lang,
            "landscape": name == "executive_summary",
            "index_href": "index.html",
            "run_id": run.run_id,
            "run_time": iso_time(run.started),  # for the page's code, not shown
            "labels": {
                "all_reports": _("All reports"),
                "failed": _("This report failed and is incomplete."),
                "filter": _("Filter rows"),
                "rows_of": _("{shown} of {total} rows"),
                "all": _("Show all {n} rows"),
                "fewer": _("Show fewer rows"),
                "more": _("+ {n} more rows: all in the report online and in its CSV"),
            },
        }


def _outputs(tmp: Path, name: str) -> list[str]:
    """The files a notebook left in the run's folder: its executed notebook and HTML, then its tables."""
    pages = [p for p in (tmp / f"{name}.ipynb", tmp / f"{name}.html") if p.exists()]
    tables = [p for p in (tmp / name).rglob("*") if p.is_file()]
    return sorted(str(p.relative_to(tmp)) for p in pages) + sorted(str(p.relative_to(tmp)) for p in tables)


# --------------------------------------------------------------------------- executing one notebook
def _execute(
    nb: Path,
    out_ipynb: Path,
    params: dict[str, Any],
    *,
    timeout: float,
    html: dict[str, Any],
    kernels: KernelTemplate | None = None,
) -> dict[str, Any]:
    """Execute one notebook with papermill (its own kernel process) and render its HTML.

    Returns ``{"status": "success" | "failed", "error": NotebookError | None}``. Runs in a runner
    thread: the kernels do the work in their own processes, so threads cost no parallelism and
    save a Python start-up and imports per notebook. A cell running longer than ``timeout``
    seconds is stopped by nbclient, which then shuts the kernel down; a kernel that dies is
    detected by nbclient. Both are reported as failures, never hidden.
    """
    error = _papermill(nb, out_ipynb, params, timeout=timeout, kernels=kernels)
    if out_ipynb.exists():
        error = _render_report(out_ipynb, html, error)
    return {"status": "failed" if error else "success", "error": error}


class _SaveAtEnd(NotebookExecutionManager):
    """Papermill's notebook manager, saving the notebook only once it has ended."""

    def save(self, **kwargs):
        """Save the notebook, once :meth:`notebook_complete` has set ``end_time``."""
        if self.end_time is not None:  # set by notebook_complete just before its save
            super().save(**kwargs)


class _SaveAtEndEngine(NBClientEngine):
    """Papermill's nbclient engine, saving the executed notebook once, when it ends.

    papermill writes the whole notebook (JSON-serialised and schema-validated) when each cell
    starts and ends; a report of twenty cells holding 2 MB of charts and tables is written forty
    times, in the run's own process where the notebooks' threads take turns (2.8 s of CPU for the
    enterprise utilization report). Nothing reads those copies before the run publishes. The
    final save still happens whatever the ending (papermill's ``notebook_complete`` runs in a
    ``finally``): a failed, timed-out or killed notebook is written with the outputs it had.
    """

    @classmethod
    def execute_notebook(
        cls, nb, kernel_name, output_path=None, progress_bar=True, log_output=False, autosave_cell_every=30, **kwargs
    ):
        """Execute ``nb`` as :class:`NBClientEngine` does, with a :class:`_SaveAtEnd` manager."""
        nb_man = _SaveAtEnd(
            nb,
            output_path=output_path,
            progress_bar=progress_bar,
            log_output=log_output,
            autosave_cell_every=autosave_cell_every,
        )
        nb_man.notebook_start()
        try:
            cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output, **kwargs)
        finally:
            nb_man.cleanup_pbar()
            nb_man.notebook_complete()
        return nb_man.nb


_ENGINE = "pmo-save-at-end"
papermill_engines.register(_ENGINE, _SaveAtEndEngine)


def _papermill(
    nb: Path, out_ipynb: Path, params: dict[str, Any], *, timeout: float, kernels: KernelTemplate | None = None
) -> NotebookError | None:
    """Execute ``nb`` into ``out_ipynb``, its kernel forked from ``kernels`` when given; why it
    failed, or ``None``.
    """
    try:
        # cwd=None: papermill changes the process-wide working directory otherwise, which threads
        # share; the notebooks resolve every path themselves
        pm.execute_notebook(
            str(nb),
            str(out_ipynb),
            parameters=params,
            cwd=None,
            kernel_name="python3",
            engine_name=_ENGINE,
            **({"kernel_manager_class": kernels.manager} if kernels else {}),
            progress_bar=False,
            execution_timeout=timeout,
            log_output=False,
            # the kernel's own start-up notes (TCP transport) are not for the run's reader
            extra_arguments=[KERNEL_QUIET],
        )
    except pm.PapermillExecutionError as exc:
        first_line = next((ln for ln in (exc.source or "").splitlines() if ln.strip()), "")
        return NotebookError(cell=exc.exec_count, ename=exc.ename, evalue=str(exc.evalue), source=first_line[:200])
    except Exception as exc:  # noqa: BLE001 - cell timeout, dead kernel, unreadable notebook
        return NotebookError(cell=None, ename=type(exc).__name__, evalue=str(exc))
    return None


def _render_report(out_ipynb: Path, html: dict[str, Any], error: NotebookError | None) -> NotebookError | None:
    """Render the executed notebook to HTML, with a banner saying why it failed when it did;
    return the notebook's error, or the rendering's when only that failed.
    """
    meta = dict(html["meta"])
    if error:
        meta["error"] = {"where": error.where, "ename": error.ename, "evalue": error.evalue}
    try:
        render_html(out_ipynb, Path(html["path"]), meta=meta, keep_code=html["keep_code"])
    except Exception as exc:  # noqa: BLE001 - a rendering bug is reported, never hidden
        return error or NotebookError(cell=None, ename=type(exc).__name__, evalue=f"HTML rendering failed: {exc}")
    return error


def render_html(ipynb: Path, html_path: Path, *, meta: dict[str, Any], keep_code: bool = False) -> None:
    """Render an executed notebook to self-contained HTML (no code unless ``keep_code``)."""
    # imported on the first render: nbconvert takes 0.35 s to import, which a run that stops at
    # its checks (a bad parameter, a missing folder) need not wait for
    from pmo_analysis.reporting.rendering import report_exporter

    nb = nbformat.read(ipynb, as_version=4)
    # papermill's own error-anchor cells duplicate our banner; drop them from the leadership view
    nb.cells = [
        c
        for c in nb.cells
        if not (c.cell_type == "markdown" and "papermill-error-cell-tag" in c.metadata.get("tags", []))
    ]
    exporter = report_exporter(keep_code=keep_code, language=str(meta.get("language") or "en"))
    body, _resources = exporter.from_notebook_node(nb, resources={"pmo": meta, "metadata": {"name": meta["title"]}})
    html_path.write_text(body, encoding="utf-8")


# --------------------------------------------------------------------------- project and department pages
def _render_pages(
    plan: _Plan,
    run: _Run,
    model,
    planned: dict[str, dict[str, str]],
    notebooks_dir: Path,
    *,
    jobs: int | None,
    say: Callable[[str], None],
) -> list[PageResult]:
    """Render the planned project pages (one kernel per worker) and department pages; a failure of
    the whole stage is reported as one failed page, never raised: the portfolio reports stand.
    """
    if not planned["projects"]:
        return []
    t0 = time.perf_counter()
    header = {k: v for k, v in _report_header(PAGE_NOTEBOOK, plan, run).items() if k != "title"}
    with fmt.using(language=header["language"]):
        header["page_title"] = _("Project {title}")  # each page fills in its project
    try:
        rows = select_projects(model.projects, tuple(planned["projects"]))
        # the run's language and currency, as the reports read them
        run_wide = {k: plan.common[k] for k in RUN_PARAMS if plan.common.get(k) is not None}
        params = validate_params(
            PAGE_NOTEBOOK,
            {
                "data_dir": str(plan.data_dir),
                "as_of": run.as_of,
                "model_dir": str(run.tmp / "model"),
                "output_dir": str(run.tmp / "projects"),
                **run_wide,
            },
        )
        say(f"project pages: {len(rows):,} queued")
        pages = render_project_pages(
            notebooks_dir / f"{PAGE_NOTEBOOK}.ipynb",
            rows,
            run_dir=run.tmp,
            params=_jsonable(params),
            header=header,
            jobs=jobs or os.cpu_count() or 2,
            timeout=run.timeout,
            keep_code=run.keep_code,
            say=say,
        )
        with fmt.using(
            currency=str(plan.common.get("currency") or "USD"), language=str(plan.common.get("language") or "en")
        ):  # money and words as the reports'
            pages += render_department_pages(
                model, planned["departments"], run_dir=run.tmp, pages=planned, header=header
            )
    except Exception as exc:  # noqa: BLE001 - the stage itself broke (no kernel could start...): say so, keep the reports
        pages = [
            PageResult(
                "projects",
                "(all)",
                "Project pages",
                "",
                status="failed",
                error=NotebookError(cell=None, ename=type(exc).__name__, evalue=str(exc)[:500]),
            )
        ]
    took = time.perf_counter() - t0
    n = sum(p.kind == "projects" for p in pages)
    failed = sum(p.status != "success" for p in pages)
    say(
        f"project pages: {n:,} in {took:.1f}s ({n / took:.1f} pages/s), department pages: "
        f"{len(pages) - n:,}, failed: {failed:,}"
    )
    return pages
