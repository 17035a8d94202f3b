"""What a run will do, checked before any data is read or kernel starts.

:func:`resolve_notebooks` chooses the notebooks, :func:`plan_parameters` the parameters each one gets
(validated, so that nothing unchecked reaches papermill), and the runner's plan (``_plan_run``) adds
the data source and the reports folder. Once the run is reserved, ``_Run`` holds what its notebooks
share, ``_notebook_parameters`` what each one is given, and ``_plan_pages`` names its project and
department pages before any report links to them.

Once the data is loaded, ``_reports_to_run`` leaves out the reports whose tables the data does not
hold (:data:`~pmo_analysis.inputs.schema.REPORT_TABLES`): each is recorded as not run, with the
tables it needs, rather than started only to fail.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pmo_analysis.core import formatting as fmt
from pmo_analysis.core import i18n
from pmo_analysis.core.exceptions import ParameterError
from pmo_analysis.core.wording import listing
from pmo_analysis.inputs.params import MODEL_PARAMS, declared_for_path, validate_params
from pmo_analysis.inputs.readers import is_workbook
from pmo_analysis.inputs.scenarios import Scenario, read_scenario
from pmo_analysis.inputs.schema import REPORT_TABLES
from pmo_analysis.inputs.sources import data_source, is_mapping_file
from pmo_analysis.reporting.links import PAGES_FILE
from pmo_analysis.runs.pages import PAGE_NOTEBOOK, parse_projects, plan_pages
from pmo_analysis.runs.publish import REPORT_NOTEBOOKS, check_reports_folder

__all__ = [
    "SCENARIO_NOTEBOOKS",
    "RUN_PARAMS",
    "resolve_notebooks",
    "is_whole_suite",
    "plan_parameters",
    "needs_sentence",
]

#: Notebooks a run starts only on purpose: the scenarios report, when the run has scenarios, and the
#: interactive exploration of scenarios (JupyterLab only).
SCENARIO_NOTEBOOKS = ("scenarios", "explore_scenarios")

#: Report parameters that are one value per run, like the model's: the model is built once, its
#: words in this language and its money in this currency (a notebook may not set its own).
RUN_PARAMS = ("language", "currency")


# --------------------------------------------------------------------------- choosing notebooks and parameters
def resolve_notebooks(notebooks: list[str] | None, notebooks_dir: Path) -> list[Path]:
    """Paths of the notebooks to run: the report notebooks by default, else the names or paths
    given. Unknown names raise :class:`ParameterError` listing the available ones.
    """
    available = {p.stem: p for p in sorted(notebooks_dir.glob("*.ipynb")) if p.stem != PAGE_NOTEBOOK}
    if not notebooks:
        return [available[n] for n in REPORT_NOTEBOOKS if n in available] + [
            p for n, p in available.items() if n not in REPORT_NOTEBOOKS and n not in SCENARIO_NOTEBOOKS
        ]
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


def plan_parameters(
    paths: list[Path], common: dict[str, Any], per_notebook: dict[str, dict]
) -> dict[str, dict[str, Any]]:
    """The parameters each notebook gets, validated before any kernel starts.

    ``common`` values go to every notebook that declares the name; a common name that neither a
    notebook nor the portfolio model declares is an error, as is any bad value. ``per_notebook``
    values must be declared by that notebook and may not be model parameters: the model has one
    value per run, so that every report shows the same figures.
    """
    decl = {p.stem: {d.name for d in declared_for_path(p)} for p in paths}
    unknown = sorted(k for k in common if k not in MODEL_PARAMS and not any(k in names for names in decl.values()))
    if unknown:
        raise ParameterError(
            f"unknown parameter(s) {', '.join(map(repr, unknown))}: no notebook in "
            f"this run declares them (see `pmo-analysis params NOTEBOOK`)"
        )
    extra = sorted(set(per_notebook) - set(decl))
    if extra:
        raise ParameterError(f"parameters given for notebook(s) not in this run: {', '.join(extra)}")
    for nb, values in per_notebook.items():
        shared = sorted(k for k in values if k in MODEL_PARAMS)
        if shared:
            raise ParameterError(
                f"{nb}: {', '.join(map(repr, shared))} is a portfolio-model parameter, one value "
                "per run so that every report shows the same figures: set it for the whole run"
            )
        run_wide = sorted(k for k in values if k in RUN_PARAMS)
        if run_wide:
            raise ParameterError(
                f"{nb}: {', '.join(map(repr, run_wide))} is one value per run (the portfolio "
                "model's reasons and decisions are written once, in the run's language and "
                "currency): set it for the whole run"
            )
    planned = {}
    for p in paths:
        values = {k: v for k, v in common.items() if k in decl[p.stem]}
        values |= per_notebook.get(p.stem, {})
        # typed and plain (str, int, float, bool, None, date, path): nothing else reaches papermill
        planned[p.stem] = validate_params(p.stem, values, path=p)
    return planned


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    return {k: (str(v) if isinstance(v, (Path, dt.date)) else v) for k, v in values.items()}


# --------------------------------------------------------------------------- the run's plan
@dataclass(frozen=True)
class _Plan:
    """What a run will do, checked before any data is read or kernel starts."""

    data_dir: Path | str  # a folder or mapping file, or a database URL (no password)
    reports_dir: Path
    paths: list[Path]
    common: dict[str, Any]  # the run's parameters (with data_dir): the model's, and every notebook's
    planned: dict[str, dict[str, Any]]  # validated parameters of each notebook, by name
    complete: bool  # the run is the whole report suite (see is_whole_suite)
    scenarios: list[Scenario] = field(default_factory=list)  # read and checked in form; against the data once loaded


def _plan_run(
    *,
    data_dir: str | Path,
    notebooks: list[str] | None,
    params: dict[str, Any] | None,
    notebook_params: dict[str, dict] | None,
    reports_dir: str | Path,
    notebooks_dir: str | Path,
    scenarios: list[str | Path] | None = None,
) -> _Plan:
    """Plan the run: the data folder, the notebooks, every parameter and the form of every scenario
    file, checked before any work.
    """
    read = [read_scenario(Path(f)) for f in scenarios or []]
    data_dir = _data_source(data_dir)
    params = dict(params or {})
    if "data_dir" in params and _data_source(params["data_dir"], check=False) != data_dir:
        raise ParameterError(
            f"two data folders given: {str(data_dir)!r} and parameter data_dir {str(params['data_dir'])!r}; give one"
        )
    paths = resolve_notebooks(notebooks, Path(notebooks_dir))
    report = Path(notebooks_dir) / f"{SCENARIO_NOTEBOOKS[0]}.ipynb"
    if read and report.is_file() and report.stem not in {p.stem for p in paths}:
        paths.append(report)  # a run with scenarios compares them in their report
    common = params | {"data_dir": str(data_dir)}
    planned = plan_parameters(paths, common, dict(notebook_params or {}))
    reports_dir = Path(reports_dir).resolve()
    reports_dir.mkdir(parents=True, exist_ok=True)  # a folder that cannot be made fails before any work
    check_reports_folder(reports_dir)  # an index.html or latest not ours stops the run before any work
    return _Plan(
        data_dir=data_dir,
        reports_dir=reports_dir,
        paths=paths,
        common=common,
        planned=planned,
        complete=is_whole_suite(paths, Path(notebooks_dir)),
        scenarios=read,
    )


def needs_sentence(missing: list[str], *, language: str = "en") -> str:
    """Why a report or a page is not run, in the words of the run's index and in its language:
    ``needs the table(s) cashflows, resources`` (``需要数据表 cashflows、resources``).
    """
    with fmt.using(language=language):
        return i18n._("needs the table(s) {tables}", tables=listing(missing))


def _reports_to_run(plan: _Plan, tables_present) -> tuple[_Plan, dict[str, str]]:
    """The plan with only the notebooks whose tables are in ``tables_present`` (a notebook that
    :data:`~pmo_analysis.inputs.schema.REPORT_TABLES` does not declare always runs), and why each
    other one is not run, by name.
    """
    missing = {p.stem: REPORT_TABLES[p.stem].missing(tables_present) for p in plan.paths if p.stem in REPORT_TABLES}
    language = str(plan.common.get("language") or "en")
    not_run = {name: needs_sentence(tables, language=language) for name, tables in missing.items() if tables}
    return replace(plan, paths=[p for p in plan.paths if p.stem not in not_run]), not_run


def _data_source(value: str | Path, *, check: bool = True) -> Path | str:
    """The run's data source: a folder or mapping file (resolved; with ``check``, it must exist) or
    a database URL (checked: no password in it; see :mod:`pmo_analysis.inputs.sources`).
    """
    source = data_source(value)
    if isinstance(source, str):
        return source
    source = source.resolve()
    if check and not (source.is_file() if is_mapping_file(source) or is_workbook(source) else source.is_dir()):
        what = "mapping file" if is_mapping_file(source) else "data workbook" if is_workbook(source) else None
        raise ParameterError(f"{what or 'data folder'} not found: {str(source)!r}")
    return source


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
    ok = (
        "projects" in getattr(model, "tables", {})
        and not model.missing_for(PAGE_NOTEBOOK)  # the tables pages need (REPORT_TABLES)
        and (notebooks_dir / f"{PAGE_NOTEBOOK}.ipynb").exists()
    )
    planned = plan_pages(model, which) if ok else {"projects": {}, "departments": {}}
    (run.tmp / PAGES_FILE).write_text(json.dumps(planned, ensure_ascii=False, indent=1), encoding="utf-8")
    return planned
