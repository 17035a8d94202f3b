"""Run the report notebooks with papermill and render each to self-contained HTML.

:func:`run_reports` reads as its steps: plan (check every folder and parameter before any kernel
starts), build the run's portfolio model once, reserve the run's id and temporary folder, execute
the notebooks in parallel (each in its own kernel; a cell timeout stops a hung one) and render each
to HTML without code and without anything loaded from the network, write the manifest, publish the
run in one step, and bring ``reports/latest`` and ``reports/index.html`` up to date. Everything
about published runs (ids, manifests, ``latest``, the indexes, pruning) lives in
:mod:`pmo_analysis.runs.publish`; its names are re-exported here for code written against the runner.

Each step has a module of its own: :mod:`~pmo_analysis.runs.plan` (the notebooks, their parameters
and the run's pages), :mod:`~pmo_analysis.runs.execute` (papermill, the HTML, the project pages),
:mod:`~pmo_analysis.runs.workbook` (``report.xlsx``) and :mod:`~pmo_analysis.runs.manifest`; the
model is built here. The public names of those modules are re-exported here too.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pmo_analysis.core import formatting as fmt
from pmo_analysis.core.config import NOTEBOOKS_DIR, REPORTS_DIR, SAMPLE_DATA_DIR
from pmo_analysis.inputs.params import typed_as_of, validate_model_params
from pmo_analysis.inputs.portfolio import load_portfolio
from pmo_analysis.inputs.scenarios import Scenario, check_scenario
from pmo_analysis.reporting.export import write_csv
from pmo_analysis.runs.execute import NotebookResult, _execute_notebooks, _render_pages, render_html
from pmo_analysis.runs.kernels import KernelTemplate
from pmo_analysis.runs.manifest import _manifest, _pages_manifest, _pages_status, _run_status, fingerprint
from pmo_analysis.runs.pages import PAGE_NOTEBOOK
from pmo_analysis.runs.plan import (
    _plan_pages,
    _plan_run,
    _projects_option,
    _reports_to_run,
    _Run,
    is_whole_suite,
    needs_sentence,
    plan_parameters,
    resolve_notebooks,
)
from pmo_analysis.runs.publish import (
    REPORT_NOTEBOOKS,
    discard_on_failure,
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
from pmo_analysis.runs.workbook import _Workbook

__all__ = [
    "REPORT_NOTEBOOKS",
    "RunResult",
    "NotebookResult",
    "run_reports",
    "render_html",
    "resolve_notebooks",
    "plan_parameters",
    "fingerprint",
    "is_whole_suite",
    # re-exported from pmo_analysis.runs.publish
    "update_index",
    "prune_reports",
    "read_manifests",
    "reserve_run",
    "write_manifest",
    "publish_run",
    "latest_good_run",
    "refresh_latest",
    "remove_dead_temp_folders",
]


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


# --------------------------------------------------------------------------- the run, step by step
def run_reports(
    *,
    data_dir: str | Path = SAMPLE_DATA_DIR,
    notebooks: list[str] | None = None,
    params: dict[str, Any] | None = None,
    notebook_params: dict[str, dict] | None = None,
    reports_dir: str | Path = REPORTS_DIR,
    schedule: str = "adhoc",
    jobs: int | None = None,
    timeout: float = 600,
    keep_code: bool = False,
    notebooks_dir: str | Path = NOTEBOOKS_DIR,
    projects: str | list[str] | None = None,
    scenarios: list[str | Path] | None = None,
    progress: Callable[[str], None] | None = print,
) -> RunResult:
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
    scenarios : list of paths, optional
        What-if scenario files (``docs/scenarios.md``): one model each, built from the data loaded
        once for the base model, saved in ``model/scenarios/``, compared with the base in
        ``scenario_changes.csv`` and recorded in the manifest with their checksums.

    Returns
    -------
    RunResult
        ``status`` is ``success``, ``partial`` (some notebooks failed), ``failed``, or ``stale``
        (every notebook succeeded, but the data ends more than a month before as_of and
        ``accept_stale`` was not given). A failed project page makes a successful run ``partial``.
    """
    started, say = _now(), _Progress(progress)
    # plan: the notebooks, their parameters and the folders, checked before any work
    which = _projects_option(projects, notebooks, notebooks_dir)
    plan = _plan_run(
        data_dir=data_dir,
        notebooks=notebooks,
        params=params,
        notebook_params=notebook_params,
        reports_dir=reports_dir,
        notebooks_dir=notebooks_dir,
        scenarios=scenarios,
    )
    # the report kernels' template imports on the core the model leaves (pmo_analysis.runs.kernels)
    with KernelTemplate() as kernels:
        # model: built once; every report of the run reads it
        model, what_if = _build_model(
            plan.data_dir,
            plan.common,
            processes=jobs or os.cpu_count() or 2,
            say=say,
            waiting=kernels.start,
            scenarios=plan.scenarios,
        )
        remove_dead_temp_folders(plan.reports_dir)
        run_id, tmp = reserve_run(plan.reports_dir, started, schedule)  # the final id, before anything names it
        run = _Run(
            run_id=run_id,
            tmp=tmp,
            started=started,
            as_of=model.meta["as_of"],
            schedule=schedule,
            timeout=timeout,
            keep_code=keep_code,
        )
        with discard_on_failure(tmp):
            _save_model(model, tmp)
            _save_scenarios(model, what_if, tmp, plan.common)
            pages_plan = _plan_pages(model, which, run, Path(notebooks_dir))  # before any report links to a page
            # a report whose tables the data does not hold is not run, and says which tables it needs
            runnable, not_run = _reports_to_run(plan, model.meta["tables_present"])
            for name, reason in not_run.items():
                say(f"{name}: not run: {reason}")
            # execute: the reports, each one's tables put into report.xlsx as soon as it has ended
            book = _Workbook(tmp, [p.stem for p in runnable.paths], language=str(plan.common.get("language") or "en"))
            try:
                ran = _execute_notebooks(runnable, run, jobs=jobs, say=say, ended=book.report_ended, kernels=kernels)
                kernels.close()  # every report has ended
                book.finish(say)
            finally:
                book.stop()
            results = _in_plan_order(plan, ran, not_run)
            # render: the project and department pages
            pages = _render_pages(plan, run, model, pages_plan, Path(notebooks_dir), jobs=jobs, say=say)
            # publish: the manifest, then the run moved into place in one step
            status = _pages_status(_run_status(results, model), pages)
            write_manifest(
                tmp,
                _manifest(plan, run, model, results, status=status, duration_s=say.elapsed(), finished=_now())
                | _pages_manifest(
                    which, pages, not_run=_pages_not_run(model, which, str(plan.common.get("language") or "en"))
                )
                | _scenarios_manifest(what_if),
            )
            final = publish_run(tmp, plan.reports_dir, run_id)
    refresh_latest(plan.reports_dir)
    total = round(say.elapsed(), 2)
    _say_outcome(say, final, status, model, total)
    return RunResult(final.name, final, status, results, total)


def _pages_not_run(model, which, language: str) -> str | None:
    """Why the project and department pages asked for are not made (the tables they need), or None."""
    missing = model.missing_for(PAGE_NOTEBOOK)
    if which == "none" or not missing:
        return None
    return needs_sentence(missing, language=language)


def _in_plan_order(plan, ran: list[NotebookResult], not_run: dict[str, str]) -> list[NotebookResult]:
    """Every planned notebook's result in the plan's order: those run, and those not run with why."""
    by_name = {r.name: r for r in ran} | {n: NotebookResult(n, status="not run", reason=r) for n, r in not_run.items()}
    return [by_name[p.stem] for p in plan.paths]


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


# --------------------------------------------------------------------------- the portfolio model
def _build_model(
    data_dir: Path | str,
    common: dict[str, Any],
    *,
    processes: int,
    say: _Progress,
    waiting: Callable[[], None] | None = None,
    scenarios: list[Scenario] | None = None,
):
    """Load the data once and compute the run's portfolio model (before any kernel starts), its
    lessons part in a process of its own, started before the load, when the run may use more than one;
    then one model per scenario from the same loaded data (each checked against it first). Returns
    the model and the scenarios' models.
    """
    # imported when the run gets this far: a run that stops at its checks need not wait for the model
    from pmo_analysis.model import build_model, build_scenario_model, lessons_process

    model_params = validate_model_params(common)
    as_of = typed_as_of(common.get("as_of"))
    with lessons_process() if processes > 1 else contextlib.nullcontext() as pool:
        portfolio = load_portfolio(
            data_dir, as_of=as_of, on_error="drop" if model_params["exclude_invalid"] else "raise"
        )
        for scenario in scenarios or []:  # every scenario file's problems before any model is built
            check_scenario(scenario, portfolio)
        # the model's words (health reasons, decisions and their reasons) read in the run's language and
        # name money in its currency: both are one value per run (see plan_parameters)
        with fmt.using(currency=str(common.get("currency") or "USD"), language=str(common.get("language") or "en")):
            model = build_model(
                portfolio, as_of=as_of, params=model_params, pool=pool, waiting=waiting, for_scenarios=bool(scenarios)
            )
            what_if = []
            for scenario in scenarios or []:
                what_if.append(build_scenario_model(portfolio, scenario, base=model))
                say(f"scenario {scenario.name!r}: model built")
    say(
        f"portfolio model as of {model.meta['as_of']}: {len(model.tables)} tables"
        + (f", {model.meta['excluded_rows']:,} invalid row(s) left out" if model.meta["excluded_rows"] else "")
    )
    if portfolio.source is not None:  # a database: its URL (no password) and its tables' fingerprints
        model.meta["source"] = portfolio.source
    return model, what_if


def _save_scenarios(model, what_if: list, tmp: Path, common: dict[str, Any]) -> None:
    """Save each scenario's model in ``model/scenarios/<n>/`` (listed in ``model/scenarios.json``)
    and every decision that changes against the base in ``scenario_changes.csv``, worded in the
    run's language and currency.
    """
    if not what_if:
        return
    from pmo_analysis.model import SCENARIOS_DIR, save_scenarios, scenario_changes

    save_scenarios(what_if, tmp / "model" / SCENARIOS_DIR)
    with fmt.using(currency=str(common.get("currency") or "USD"), language=str(common.get("language") or "en")):
        write_csv(scenario_changes(model, what_if), tmp / "scenario_changes.csv")


def _scenarios_manifest(what_if: list) -> dict[str, Any]:
    """The manifest's ``scenarios``: each scenario's name, file, SHA-256 of its text and model folder."""
    return {
        "scenarios": [
            {
                "name": m.meta["scenario"]["name"],
                "file": m.meta["scenario"]["source"],
                "sha256": m.meta["scenario"]["checksum"],
                "model_dir": f"model/scenarios/{i}",
            }
            for i, m in enumerate(what_if, start=1)
        ]
    }


def _save_model(model, tmp: Path) -> None:
    """Save the run's model and its decisions (where it has the finance part) into the run's
    folder, for every report to read.
    """
    model.save(tmp / "model")
    if model.has("decisions"):
        write_csv(model.decisions, tmp / "decisions.csv")


def _say_outcome(say: _Progress, final: Path, status: str, model, total: float) -> None:
    say.plain(f"run {final.name}: {status} in {total:.1f}s -> {final / 'index.html'}")
    if status == "stale":
        say.plain("stale data: " + "; ".join(model.stale) + " (accept it with --accept-stale)")
