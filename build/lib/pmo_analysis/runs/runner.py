"""Run the report notebooks with papermill and render each to self-contained HTML.

:func:`run_reports` reads as its steps: plan (check every folder and parameter before any kernel
starts), build the run's portfolio model once, reserve the run's id and temporary folder, execute
the notebooks in parallel (each in its own kernel; a cell timeout stops a hung one) and render each
to HTML without code and without anything loaded from the network, write the manifest, publish the
run in one step, and bring ``reports/latest`` and ``reports/index.html`` up to date. Everything
about published runs (ids, manifests, ``latest``, the indexes, pruning) lives in
:mod:`pmo_analysis.runs.publish`; its names are re-exported here for code written against the runner.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import multiprocessing
import os
import platform
import queue
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pmo_analysis.core.config import NOTEBOOKS_DIR, REPORTS_DIR, SAMPLE_DATA_DIR
from pmo_analysis.core.exceptions import NotebookError, ParameterError
from pmo_analysis.inputs.params import MODEL_PARAMS, declared_for_path, validate_model_params, validate_params
from pmo_analysis.runs.kernels import KernelTemplate
from pmo_analysis.runs.pages import KERNEL_QUIET, PAGE_NOTEBOOK, PageResult, parse_projects, plan_pages, select_projects
from pmo_analysis.runs.publish import (
    REPORT_NOTEBOOKS,
    TITLES,
    discard_on_failure,
    iso_time,
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

# papermill and nbconvert read notebooks with nbformat, whose jsonschema imports rfc3987_syntax
# when it is installed (Jupyter Server's extras bring it) to check IRI formats, which no notebook
# schema uses; the import builds a Lark grammar, 1.7 s before the first report of every run starts.
# Marked absent before jsonschema is first imported, jsonschema leaves that one format unchecked.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[assignment]

__all__ = ["REPORT_NOTEBOOKS", "RunResult", "NotebookResult", "run_reports", "render_html", "resolve_notebooks",
           "plan_parameters", "fingerprint", "is_whole_suite",
           # re-exported from pmo_analysis.runs.publish
           "update_index", "prune_reports", "read_manifests", "reserve_run", "write_manifest", "publish_run",
           "latest_good_run", "refresh_latest", "remove_dead_temp_folders"]


#: Report parameters that are one value per run, like the model's: the model is built once, its
#: words in this language and its money in this currency (a notebook may not set its own).
RUN_PARAMS = ("language", "currency")


@dataclass
class NotebookResult:
    """One notebook of a run: its status, the parameters it got, how long it took, why it failed
    (``error``) and the files it wrote (relative to the run's folder).
    """

    name: str
    status: str = "queued"  # queued, running, success, failed
    parameters: dict[str, Any] = field(default_factory=dict)
    duration_s: float | None = None
    error: NotebookError | None = None
    outputs: list[str] = field(default_factory=list)


@dataclass
class RunResult:
    """What a run published: its id and folder, its status and each notebook's result."""

    run_id: str
    run_dir: Path
    status: str
    notebooks: list[NotebookResult]
    duration_s: float

    @property
    def ok(self) -> bool:
        """True for a good run (status success)."""
        return self.status == "success"


# --------------------------------------------------------------------------- choosing notebooks and parameters
def resolve_notebooks(notebooks: list[str] | None, notebooks_dir: Path) -> list[Path]:
    """Paths of the notebooks to run: the report notebooks by default, else the names or paths
    given. Unknown names raise :class:`ParameterError` listing the available ones.
    """
    available = {p.stem: p for p in sorted(notebooks_dir.glob("*.ipynb")) if p.stem != PAGE_NOTEBOOK}
    if not notebooks:
        return [available[n] for n in REPORT_NOTEBOOKS if n in available] + \
            [p for n, p in available.items() if n not in REPORT_NOTEBOOKS]
    out = []
    for n in notebooks:
        p = Path(n)
        if p.suffix == ".ipynb" and p.exists():
            out.append(p.resolve())
        elif Path(n).stem in available:
            out.append(available[Path(n).stem])
        else:
            raise ParameterError(f"unknown notebook {n!r}; available: {', '.join(available)}")
    return out


def is_whole_suite(paths: list[Path], notebooks_dir: Path) -> bool:
    """Whether a run of ``paths`` ran the whole report suite of ``notebooks_dir``.

    The suite is every notebook of :data:`REPORT_NOTEBOOKS` in the folder (a folder with none of
    them, such as a test folder, has every notebook in it as its suite). A notebook given by a path
    outside the folder is not the suite's notebook, even under the same name. Only a complete
    run can become ``latest``.
    """
    available = {p.stem: p.resolve() for p in Path(notebooks_dir).glob("*.ipynb")}
    suite = {available[n] for n in REPORT_NOTEBOOKS if n in available} or set(available.values())
    return bool(paths) and suite <= {Path(p).resolve() for p in paths}


def plan_parameters(paths: list[Path], common: dict[str, Any], per_notebook: dict[str, dict]
                    ) -> dict[str, dict[str, Any]]:
    """The parameters each notebook gets, validated before any kernel starts.

    ``common`` values go to every notebook that declares the name; a common name that neither a
    notebook nor the portfolio model declares is an error, as is any bad value. ``per_notebook``
    values must be declared by that notebook and may not be model parameters: the model has one
    value per run, so that every report shows the same figures.
    """
    decl = {p.stem: {d.name for d in declared_for_path(p)} for p in paths}
    unknown = sorted(k for k in common if k not in MODEL_PARAMS
                     and not any(k in names for names in decl.values()))
    if unknown:
        raise ParameterError(f"unknown parameter(s) {', '.join(map(repr, unknown))}: no notebook in "
                             f"this run declares them (see `pmo-analysis params NOTEBOOK`)")
    extra = sorted(set(per_notebook) - set(decl))
    if extra:
        raise ParameterError(f"parameters given for notebook(s) not in this run: {', '.join(extra)}")
    for nb, values in per_notebook.items():
        shared = sorted(k for k in values if k in MODEL_PARAMS)
        if shared:
            raise ParameterError(f"{nb}: {', '.join(map(repr, shared))} is a portfolio-model parameter, one value "
                                 "per run so that every report shows the same figures: set it for the whole run")
        run_wide = sorted(k for k in values if k in RUN_PARAMS)
        if run_wide:
            raise ParameterError(f"{nb}: {', '.join(map(repr, run_wide))} is one value per run (the portfolio "
                                 "model's reasons and decisions are written once, in the run's language and "
                                 "currency): set it for the whole run")
    planned = {}
    for p in paths:
        values = {k: v for k, v in common.items() if k in decl[p.stem]}
        values |= per_notebook.get(p.stem, {})
        # typed and plain (str, int, float, bool, None, date, path): nothing else reaches papermill
        planned[p.stem] = validate_params(p.stem, values, path=p)
    return planned


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    return {k: (str(v) if isinstance(v, (Path, dt.date)) else v) for k, v in values.items()}


# --------------------------------------------------------------------------- the run, step by step
def run_reports(*, data_dir: str | Path = SAMPLE_DATA_DIR, notebooks: list[str] | None = None,
                params: dict[str, Any] | None = None, notebook_params: dict[str, dict] | None = None,
                reports_dir: str | Path = REPORTS_DIR, schedule: str = "adhoc",
                jobs: int | None = None, timeout: float = 600, keep_code: bool = False,
                notebooks_dir: str | Path = NOTEBOOKS_DIR, projects: str | list[str] | None = None,
                progress: Callable[[str], None] | None = print) -> RunResult:
    """Execute the report notebooks and publish the run.

    Parameters
    ----------
    data_dir : path
        The portfolio data folder, passed to every notebook as ``data_dir``.
    notebooks : list of str, optional
        Names (``portfolio_roi``) or paths; default: every report notebook.
    params, notebook_params : dict
        Parameters for every notebook that declares them, and per notebook.
    reports_dir : path
        Where runs are published.
    schedule : str
        Schedule name; part of the run id, and used to find the previous run.
    jobs : int, optional
        Notebooks run at once (default: the number of cores).
    timeout : float
        Seconds a cell may run before the notebook is stopped and reported as failed.
    keep_code : bool
        Keep code cells in the HTML (for analysts).
    projects : str or list of str, optional
        Which projects get a one-page report in ``projects/`` (:func:`pmo_analysis.runs.pages.parse_projects`):
        ``running``, ``off-track``, ``all``, ``none`` or project ids. Default: ``running`` for a run of
        the whole suite, ``none`` for a subset. Department pages come with any project page.

    Returns
    -------
    RunResult
        ``status`` is ``success``, ``partial`` (some notebooks failed), ``failed``, or ``stale``
        (every notebook succeeded, but the data ends more than a month before as_of and
        ``accept_stale`` was not given). A failed project page makes a successful run ``partial``.
    """
    started, say = _now(), _Progress(progress)
    which = _projects_option(projects, notebooks, notebooks_dir)
    plan = _plan_run(data_dir=data_dir, notebooks=notebooks, params=params, notebook_params=notebook_params,
                     reports_dir=reports_dir, notebooks_dir=notebooks_dir)
    # the report kernels' template imports on the core the model leaves (pmo_analysis.runs.kernels)
    with KernelTemplate() as kernels:
        model = _build_model(plan.data_dir, plan.common, processes=jobs or os.cpu_count() or 2, say=say,
                             waiting=kernels.start)
        remove_dead_temp_folders(plan.reports_dir)
        run_id, tmp = reserve_run(plan.reports_dir, started, schedule)  # the final id, before anything names it
        run = _Run(run_id=run_id, tmp=tmp, started=started, as_of=model.meta["as_of"], schedule=schedule,
                   timeout=timeout, keep_code=keep_code)
        with discard_on_failure(tmp):
            _save_model(model, tmp)
            pages_plan = _plan_pages(model, which, run, Path(notebooks_dir))  # before any report links to a page
            book = _Workbook(tmp, [p.stem for p in plan.paths])
            try:
                results = _execute_notebooks(plan, run, jobs=jobs, say=say, ended=book.report_ended,
                                             kernels=kernels)
                kernels.close()  # every report has ended
                book.finish(say)
            finally:
                book.stop()
            pages = _render_pages(plan, run, model, pages_plan, Path(notebooks_dir), jobs=jobs, say=say)
            status = _pages_status(_run_status(results, model), pages)
            write_manifest(tmp, _manifest(plan, run, model, results, status=status, duration_s=say.elapsed())
                           | _pages_manifest(which, pages))
            final = publish_run(tmp, plan.reports_dir, run_id)
    refresh_latest(plan.reports_dir)
    total = round(say.elapsed(), 2)
    _say_outcome(say, final, status, model, total)
    return RunResult(final.name, final, status, results, total)


def _now() -> dt.datetime:
    """The current local time, with its offset (the run clock; tests replace it)."""
    return dt.datetime.now().astimezone()


class _Progress:
    """Progress lines for ``run_reports(progress=...)``, stamped with the seconds since the run started."""

    def __init__(self, progress: Callable[[str], None] | None) -> None:
        self._say = progress or (lambda _msg: None)
        self._t0 = time.perf_counter()

    def elapsed(self) -> float:
        return time.perf_counter() - self._t0

    def __call__(self, message: str) -> None:
        self._say(f"[{self.elapsed():6.1f}s] {message}")

    def plain(self, message: str) -> None:
        self._say(message)


@dataclass(frozen=True)
class _Plan:
    """What a run will do, checked before any data is read or kernel starts."""

    data_dir: Path | str  # a folder or mapping file, or a database URL (no password)
    reports_dir: Path
    paths: list[Path]
    common: dict[str, Any]  # the run's parameters (with data_dir): the model's, and every notebook's
    planned: dict[str, dict[str, Any]]  # validated parameters of each notebook, by name
    complete: bool  # the run is the whole report suite (see is_whole_suite)


def _plan_run(*, data_dir: str | Path, notebooks: list[str] | None, params: dict[str, Any] | None,
              notebook_params: dict[str, dict] | None, reports_dir: str | Path, notebooks_dir: str | Path
              ) -> _Plan:
    """Plan the run: the data folder, the notebooks and every parameter, checked before any work."""
    data_dir = _data_source(data_dir)
    params = dict(params or {})
    if "data_dir" in params and _data_source(params["data_dir"], check=False) != data_dir:
        raise ParameterError(f"two data folders given: {str(data_dir)!r} and parameter data_dir "
                             f"{str(params['data_dir'])!r}; give one")
    paths = resolve_notebooks(notebooks, Path(notebooks_dir))
    common = params | {"data_dir": str(data_dir)}
    planned = plan_parameters(paths, common, dict(notebook_params or {}))
    reports_dir = Path(reports_dir).resolve()
    reports_dir.mkdir(parents=True, exist_ok=True)  # a folder that cannot be made fails before any work
    return _Plan(data_dir=data_dir, reports_dir=reports_dir, paths=paths, common=common, planned=planned,
                 complete=is_whole_suite(paths, Path(notebooks_dir)))


def _data_source(value: str | Path, *, check: bool = True) -> Path | str:
    """The run's data source: a folder or mapping file (resolved; with ``check``, it must exist) or
    a database URL (checked: no password in it; see :mod:`pmo_analysis.inputs.sources`).
    """
    from pmo_analysis.inputs.sources import data_source, is_mapping_file

    source = data_source(value)
    if isinstance(source, str):
        return source
    source = source.resolve()
    if check and not (source.is_file() if is_mapping_file(source) else source.is_dir()):
        raise ParameterError(f"{'database mapping file' if is_mapping_file(source) else 'data folder'} "
                             f"not found: {str(source)!r}")
    return source


def _build_model(data_dir: Path | str, common: dict[str, Any], *, processes: int, say: _Progress,
                 waiting: Callable[[], None] | None = None):
    """Load the data once and compute the run's portfolio model (before any kernel starts), its
    lessons part in a process of its own, started before the load, when the run may use more than one.
    """
    from pmo_analysis.inputs.params import typed_as_of
    from pmo_analysis.inputs.portfolio import load_portfolio
    from pmo_analysis.model import build_model, lessons_process

    model_params = validate_model_params(common)
    as_of = typed_as_of(common.get("as_of"))
    from pmo_analysis.core import formatting as fmt

    with lessons_process() if processes > 1 else contextlib.nullcontext() as pool:
        portfolio = load_portfolio(data_dir, as_of=as_of,
                                   on_error="drop" if model_params["exclude_invalid"] else "raise")
        # the model's words (health reasons, decisions and their reasons) read in the run's language and
        # name money in its currency: both are one value per run (see plan_parameters)
        with fmt.using(currency=str(common.get("currency") or "USD"),
                       language=str(common.get("language") or "en")):
            model = build_model(portfolio, as_of=as_of, params=model_params, pool=pool, waiting=waiting)
    say(f"portfolio model as of {model.meta['as_of']}: {len(model.tables)} tables"
        + (f", {model.meta['excluded_rows']:,} invalid row(s) left out" if model.meta["excluded_rows"] else ""))
    if portfolio.source is not None:  # a database: its URL (no password) and its tables' fingerprints
        model.meta["source"] = portfolio.source
    return model


@dataclass(frozen=True)
class _Run:
    """What every notebook of one reserved run shares."""

    run_id: str
    tmp: Path  # the run's temporary folder, reports/.tmp-<run-id>
    started: dt.datetime
    as_of: str  # the model's as-of date: every report reads the model at it
    schedule: str
    timeout: float
    keep_code: bool


def _save_model(model, tmp: Path) -> None:
    """Save the run's model and its decisions into the run's folder, for every report to read."""
    from pmo_analysis.reporting.export import write_csv

    model.save(tmp / "model")
    write_csv(model.decisions, tmp / "decisions.csv")


def _workbook_process(tmp: str, reports: list[str], ended, errors) -> None:
    """The body of the workbook's process: :func:`pmo_analysis.reporting.export.workbook_of_run` fed by the run."""
    from pmo_analysis.core.orphans import end_with_parent
    from pmo_analysis.reporting.export import workbook_of_run

    parent = multiprocessing.parent_process()
    if parent is not None:
        end_with_parent(parent.pid)  # Linux ends it with a run killed outright

    def next_ended():
        while True:
            try:
                return ended.get(timeout=2)
            except queue.Empty:  # where the system does not, it looks for itself between reports
                if parent is not None and not parent.is_alive():
                    raise SystemExit(1) from None

    try:
        workbook_of_run(tmp, reports=reports, ended=next_ended)
    except BaseException as exc:  # told to the run, which goes on without a workbook
        errors.put(f"{type(exc).__name__}: {exc}"[:2000])  # short: a long message would block its exit


class _Workbook:
    """``report.xlsx``, written by a process of its own while the notebooks run: each report's
    tables become sheets as soon as it has ended, put in the plan's order when the file closes.
    A workbook that cannot be written never costs the run its reports.
    """

    def __init__(self, tmp: Path, reports: list[str]) -> None:
        self.tmp, self.reports = tmp, reports
        ctx = multiprocessing.get_context("spawn")
        self.ended, self.errors = ctx.Queue(), ctx.Queue()
        self.process = ctx.Process(target=_workbook_process, args=(str(tmp), reports, self.ended, self.errors),
                                   name="report.xlsx", daemon=True)
        try:
            self.process.start()
        except AssertionError:  # "daemonic processes are not allowed to have children": written at the end
            self.process = None

    def report_ended(self, name: str) -> None:
        if self.process is not None:
            self.ended.put(name)

    def finish(self, say: _Progress) -> None:
        """Wait for the workbook; say why it was not written, if it was not."""
        if self.process is None:
            from pmo_analysis.reporting.export import workbook_of_run

            try:
                workbook_of_run(self.tmp, reports=self.reports)
            except Exception as exc:  # a workbook that cannot be written never costs the run its reports
                say(f"report.xlsx not written: {type(exc).__name__}: {exc}")
            return
        self.ended.put(None)
        self.process.join()
        try:  # what the process put is in the pipe once it has ended
            why = self.errors.get_nowait() if self.process.exitcode == 0 else None
        except queue.Empty:
            why = None
        if self.process.exitcode:
            why = f"its process ended with exit code {self.process.exitcode}"
            for part in self.tmp.glob(".report.xlsx.*.tmp"):  # a process that died leaves no half file
                part.unlink(missing_ok=True)
        if why:
            say(f"report.xlsx not written: {why}")

    def stop(self) -> None:
        """The run failed: the workbook is not wanted."""
        if self.process is not None and self.process.is_alive():
            self.process.kill()
            self.process.join()


def _execute_notebooks(plan: _Plan, run: _Run, *, jobs: int | None, say: _Progress,
                       ended: Callable[[str], None] = lambda name: None,
                       kernels: KernelTemplate | None = None) -> list[NotebookResult]:
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
    last = {n["name"]: n.get("duration_s") or 0 for m in read_manifests(reports_dir)[:1]
            for n in m.get("notebooks", [])}
    return sorted(paths, key=lambda p: -last.get(p.stem, float("inf")))


def _run_notebook(path: Path, result: NotebookResult, plan: _Plan, run: _Run, *, say: _Progress,
                  kernels: KernelTemplate | None = None) -> None:
    """Execute one notebook into the run's folder and fill in its ``result``."""
    name = path.stem
    result.status = "running"
    say(f"{name}: running")
    (run.tmp / name).mkdir()
    result.parameters = _notebook_parameters(path, plan, run)
    html = {"path": str(run.tmp / f"{name}.html"), "meta": _report_header(name, plan, run),
            "keep_code": run.keep_code}
    t1 = time.perf_counter()
    res = _execute(path, run.tmp / f"{name}.ipynb", result.parameters, timeout=run.timeout, html=html,
                   kernels=kernels)
    result.duration_s = round(time.perf_counter() - t1, 2)
    result.status, result.error = res["status"], res.get("error")
    result.outputs = _outputs(run.tmp, name)
    say(f"{name}: {result.status} in {result.duration_s:.1f}s"
        + (f" ({result.error.ename}: {result.error.evalue[:200]})" if result.error else ""))


def _notebook_parameters(path: Path, plan: _Plan, run: _Run) -> dict[str, Any]:
    """The planned parameters of one notebook plus what the run gives it: its output folder and,
    when it declares them, the run's model, as-of date, reports folder and schedule.
    """
    takes = {d.name for d in declared_for_path(path)}
    values = plan.planned[path.stem] | {"output_dir": str(run.tmp / path.stem)}
    # every report reads the run's model at the run's as-of date
    values |= {k: v for k, v in (("model_dir", str(run.tmp / "model")), ("as_of", run.as_of)) if k in takes}
    for key, value in (("reports_dir", str(plan.reports_dir)), ("schedule", run.schedule)):
        if key in takes:
            values.setdefault(key, value)
    return _jsonable(values)


def _report_header(name: str, plan: _Plan, run: _Run) -> dict[str, Any]:
    """What the header of a report page says (``templates/pmo``), in the report's language: its
    title, as-of date, schedule and when it was made; no path and no run id (the manifest has them).
    """
    from pmo_analysis.core import formatting as fmt
    from pmo_analysis.core.i18n import _

    lang = str(plan.planned.get(name, {}).get("language") or plan.common.get("language") or "en")
    with fmt.using(language=lang):
        return {"title": _(TITLES.get(name, name.replace("_", " ").capitalize())), "as_of": run.as_of,
                "as_of_text": _("As of {date}", date=fmt.date(run.as_of)),
                "schedule_text": _("Schedule: {schedule}", schedule=run.schedule),
                "run_text": _("Generated {time}", time=f"{run.started:%Y-%m-%d %H:%M}"),
                "language": lang, "landscape": name == "executive_summary", "index_href": "index.html",
                "run_id": run.run_id, "run_time": iso_time(run.started),  # for the page's code, not shown
                "labels": {"all_reports": _("All reports"), "failed": _("This report failed and is incomplete."),
                           "filter": _("Filter rows"), "rows_of": _("{shown} of {total} rows"),
                           "all": _("Show all {n} rows"), "fewer": _("Show fewer rows"),
                           "more": _("+ {n} more rows: all in the report online and in its CSV")}}


def _outputs(tmp: Path, name: str) -> list[str]:
    """The files a notebook left in the run's folder: its executed notebook and HTML, then its tables."""
    pages = [p for p in (tmp / f"{name}.ipynb", tmp / f"{name}.html") if p.exists()]
    tables = [p for p in (tmp / name).rglob("*") if p.is_file()]
    return sorted(str(p.relative_to(tmp)) for p in pages) + sorted(str(p.relative_to(tmp)) for p in tables)


def _run_status(results: list[NotebookResult], model) -> str:
    """success, partial (some notebooks failed), failed (all did), or stale (all succeeded on data
    that ends more than a month before as_of, not accepted with accept_stale).
    """
    n_failed = sum(r.status != "success" for r in results)
    if n_failed:
        return "failed" if n_failed == len(results) else "partial"
    return "stale" if model.stale and not model.params["accept_stale"] else "success"


def _manifest(plan: _Plan, run: _Run, model, results: list[NotebookResult], *, status: str,
              duration_s: float) -> dict[str, Any]:
    """The run's ``manifest.json``: what ran, on which data (with checksums), with which
    parameters and versions, and how each notebook ended (``error`` as ``{cell, ename, evalue, source}``).
    """
    return {
        "run_id": run.run_id, "schedule": run.schedule, "status": status, "complete": plan.complete,
        "started": iso_time(run.started), "finished": iso_time(_now()),
        "started_utc": iso_time(run.started.astimezone(dt.UTC)),
        "timezone": str(run.started.tzinfo),
        "duration_s": round(duration_s, 2),
        "as_of": run.as_of,
        "as_of_source": model.meta["as_of_source"],
        "stale": model.stale,
        "accept_stale": bool(model.params["accept_stale"]),
        "freshness": model.meta["freshness"],
        "windows": model.meta["windows"],
        "data_quality": {"excluded_rows": model.meta["excluded_rows"],
                         "rows": model.data_quality.head(1000).astype(str).to_dict("records")},
        "model": {"dir": "model", "version": model.meta["version"], "tables": sorted(model.tables)},
        "notebooks": [asdict(r) for r in results],
        "data": _data_record(plan.data_dir, model.meta.get("source")),
        "versions": _versions(),
        "workbook": "report.xlsx" if (run.tmp / "report.xlsx").exists() else None,
    }


def _data_record(data_dir: Path | str, source: dict[str, Any] | None) -> dict[str, Any]:
    """What the manifest says of the data: a folder's files with checksums; for a database its URL
    without a password, the mapping file and each table's row count and row fingerprint.
    """
    if source is None:
        return {"dir": str(data_dir), "files": fingerprint(data_dir)}
    files = [] if source.get("mapping_file") is None else fingerprint_file(Path(source["mapping_file"]))
    return {"dir": source["source"], "files": files, "mapping_file": source.get("mapping_file"),
            "tables": source["tables"]}


def fingerprint_file(path: Path, name: str | None = None) -> list[dict[str, Any]]:
    """Name, size and sha256 of one file, as :func:`fingerprint` lists them."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return [{"name": name or path.name, "size": path.stat().st_size, "sha256": h.hexdigest()}]


def fingerprint(data_dir: Path) -> list[dict[str, Any]]:
    """Name, size and sha256 of every file in the data folder (recursively, sorted)."""
    return [f for p in sorted(p for p in Path(data_dir).rglob("*") if p.is_file())
            for f in fingerprint_file(p, str(p.relative_to(data_dir)))]


def _versions() -> dict[str, str]:
    import nbconvert
    import pandas
    import papermill

    from pmo_analysis import __version__

    return {"python": platform.python_version(), "pandas": pandas.__version__,
            "pmo_analysis": __version__, "papermill": papermill.__version__,
            "nbconvert": nbconvert.__version__, "platform": platform.platform()}


def _say_outcome(say: _Progress, final: Path, status: str, model, total: float) -> None:
    say.plain(f"run {final.name}: {status} in {total:.1f}s -> {final / 'index.html'}")
    if status == "stale":
        say.plain("stale data: " + "; ".join(model.stale) + " (accept it with --accept-stale)")


# --------------------------------------------------------------------------- project and department pages
def _projects_option(projects, notebooks: list[str] | None, notebooks_dir: str | Path) -> str | tuple[str, ...]:
    """The run's ``--projects``, checked before any work: as given, else ``running`` for a run of the
    whole suite and ``none`` for a subset (an analyst re-running one report).
    """
    if projects is not None:
        return parse_projects(projects)
    whole = not notebooks or is_whole_suite(resolve_notebooks(notebooks, Path(notebooks_dir)), Path(notebooks_dir))
    return "running" if whole else "none"


def _plan_pages(model, which, run: _Run, notebooks_dir: Path) -> dict[str, dict[str, str]]:
    """The run's pages, written as ``pages.json`` before any report runs, so the reports link to
    exactly the pages that will exist. None without a projects table or a project_report notebook.
    """
    import json

    from pmo_analysis.reporting.links import PAGES_FILE

    ok = "projects" in getattr(model, "tables", {}) and (notebooks_dir / f"{PAGE_NOTEBOOK}.ipynb").exists()
    planned = plan_pages(model, which) if ok else {"projects": {}, "departments": {}}
    (run.tmp / PAGES_FILE).write_text(json.dumps(planned, ensure_ascii=False, indent=1), encoding="utf-8")
    return planned


def _render_pages(plan: _Plan, run: _Run, model, planned: dict[str, dict[str, str]], notebooks_dir: Path, *,
                  jobs: int | None, say: _Progress) -> list[PageResult]:
    """Render the planned project pages (one kernel per worker) and department pages; a failure of
    the whole stage is reported as one failed page, never raised: the portfolio reports stand.
    """
    from pmo_analysis.core import formatting as fmt
    from pmo_analysis.runs.pages import render_department_pages, render_project_pages

    if not planned["projects"]:
        return []
    t0 = time.perf_counter()
    from pmo_analysis.core.i18n import _

    header = {k: v for k, v in _report_header(PAGE_NOTEBOOK, plan, run).items() if k != "title"}
    with fmt.using(language=header["language"]):
        header["page_title"] = _("Project {title}")  # each page fills in its project
    try:
        rows = select_projects(model.projects, tuple(planned["projects"]))
        # the run's language and currency, as the reports read them
        run_wide = {k: plan.common[k] for k in RUN_PARAMS if plan.common.get(k) is not None}
        params = validate_params(PAGE_NOTEBOOK, {"data_dir": str(plan.data_dir), "as_of": run.as_of,
                                                 "model_dir": str(run.tmp / "model"),
                                                 "output_dir": str(run.tmp / "projects"), **run_wide})
        say(f"project pages: {len(rows):,} queued")
        pages = render_project_pages(notebooks_dir / f"{PAGE_NOTEBOOK}.ipynb", rows, run_dir=run.tmp,
                                     params=_jsonable(params), header=header, jobs=jobs or os.cpu_count() or 2,
                                     timeout=run.timeout, keep_code=run.keep_code, say=say)
        with fmt.using(currency=str(plan.common.get("currency") or "USD"),
                       language=str(plan.common.get("language") or "en")):  # money and words as the reports'
            pages += render_department_pages(model, planned["departments"], run_dir=run.tmp, pages=planned,
                                             header=header)
    except Exception as exc:  # the stage itself broke (no kernel could start...): say so, keep the reports
        pages = [PageResult("projects", "(all)", "Project pages", "", status="failed",
                            error=NotebookError(cell=None, ename=type(exc).__name__, evalue=str(exc)[:500]))]
    took = time.perf_counter() - t0
    n = sum(p.kind == "projects" for p in pages)
    failed = sum(p.status != "success" for p in pages)
    say(f"project pages: {n:,} in {took:.1f}s ({n / took:.1f} pages/s), department pages: "
        f"{len(pages) - n:,}, failed: {failed:,}")
    return pages


def _pages_status(status: str, pages: list[PageResult]) -> str:
    """A successful run with a failed page is partial; a failed page changes no other status."""
    return "partial" if status == "success" and any(p.status != "success" for p in pages) else status


def _pages_manifest(which, pages: list[PageResult]) -> dict[str, Any]:
    """The manifest's ``projects`` option and ``pages`` (each page's kind, key, title, path, health,
    status, time and error).
    """
    return {"projects": which if isinstance(which, str) else list(which), "pages": [asdict(p) for p in pages]}


# --------------------------------------------------------------------------- executing one notebook
def _execute(nb: Path, out_ipynb: Path, params: dict[str, Any], *, timeout: float,
             html: dict[str, Any], kernels: KernelTemplate | None = None) -> dict[str, Any]:
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


_ENGINE = "pmo-save-at-end"
_ENGINE_READY = False


def _register_engine() -> None:
    """Register papermill's nbclient engine, saving the executed notebook once, when it ends.

    papermill writes the whole notebook (JSON-serialised and schema-validated) when each cell
    starts and ends; a report of twenty cells holding 2 MB of charts and tables is written forty
    times, in the run's own process where the notebooks' threads take turns (2.8 s of CPU for the
    enterprise utilization report). Nothing reads those copies before the run publishes. The
    final save still happens whatever the ending (papermill's ``notebook_complete`` runs in a
    ``finally``): a failed, timed-out or killed notebook is written with the outputs it had.
    """
    from papermill.engines import NBClientEngine, NotebookExecutionManager, papermill_engines

    global _ENGINE_READY
    if _ENGINE_READY:
        return

    class _SaveAtEnd(NotebookExecutionManager):
        def save(self, **kwargs):
            if self.end_time is not None:  # set by notebook_complete just before its save
                super().save(**kwargs)

    class _Engine(NBClientEngine):
        @classmethod
        def execute_notebook(cls, nb, kernel_name, output_path=None, progress_bar=True, log_output=False,
                             autosave_cell_every=30, **kwargs):
            nb_man = _SaveAtEnd(nb, output_path=output_path, progress_bar=progress_bar, log_output=log_output,
                                autosave_cell_every=autosave_cell_every)
            nb_man.notebook_start()
            try:
                cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output, **kwargs)
            finally:
                nb_man.cleanup_pbar()
                nb_man.notebook_complete()
            return nb_man.nb

    papermill_engines.register(_ENGINE, _Engine)
    _ENGINE_READY = True


def _papermill(nb: Path, out_ipynb: Path, params: dict[str, Any], *, timeout: float,
               kernels: KernelTemplate | None = None) -> NotebookError | None:
    """Execute ``nb`` into ``out_ipynb``, its kernel forked from ``kernels`` when given; why it
    failed, or ``None``.
    """
    import papermill as pm

    _register_engine()
    try:
        # cwd=None: papermill changes the process-wide working directory otherwise, which threads
        # share; the notebooks resolve every path themselves
        pm.execute_notebook(str(nb), str(out_ipynb), parameters=params, cwd=None, kernel_name="python3",
                            engine_name=_ENGINE, **({"kernel_manager_class": kernels.manager} if kernels else {}),
                            progress_bar=False, execution_timeout=timeout, log_output=False,
                            # the kernel's own start-up notes (TCP transport) are not for the run's reader
                            extra_arguments=[KERNEL_QUIET])
    except pm.PapermillExecutionError as exc:
        first_line = next((ln for ln in (exc.source or "").splitlines() if ln.strip()), "")
        return NotebookError(cell=exc.exec_count, ename=exc.ename, evalue=str(exc.evalue), source=first_line[:200])
    except Exception as exc:  # cell timeout, dead kernel, unreadable notebook
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
    except Exception as exc:  # a rendering bug is reported, never hidden
        return error or NotebookError(cell=None, ename=type(exc).__name__, evalue=f"HTML rendering failed: {exc}")
    return error


def render_html(ipynb: Path, html_path: Path, *, meta: dict[str, Any], keep_code: bool = False
                ) -> None:
    """Render an executed notebook to self-contained HTML (no code unless ``keep_code``)."""
    import nbformat

    from pmo_analysis.reporting.rendering import report_exporter

    nb = nbformat.read(ipynb, as_version=4)
    # papermill's own error-anchor cells duplicate our banner; drop them from the leadership view
    nb.cells = [c for c in nb.cells
                if not (c.cell_type == "markdown" and "papermill-error-cell-tag" in c.metadata.get("tags", []))]
    exporter = report_exporter(keep_code=keep_code, language=str(meta.get("language") or "en"))
    body, _ = exporter.from_notebook_node(nb, resources={"pmo": meta, "metadata": {"name": meta["title"]}})
    html_path.write_text(body, encoding="utf-8")

