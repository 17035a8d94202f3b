"""The portfolio model: every figure of a run, computed once, read by every report.

:func:`build_model` turns the validated data, the as-of date and the run's parameters into named
tables (one row per project, per person-month, per decision...) and a small ``meta`` record
(as-of date, time windows, data freshness, parameters, data quality). The report runner builds it
once per run and stores it in the run folder (``model/*.parquet`` and ``model/model.json``); every
notebook reads that copy, so a figure shown in two reports is the same row of the same table. In
JupyterLab, :func:`pmo_analysis.reporting.report.open_report` builds it on the fly from the notebook's
parameters.

The model is built in parts, each from the tables :data:`~pmo_analysis.inputs.schema.PART_TABLES`
names: finance (projects, cash flows), delivery, resources and lessons. A part whose tables the
data does not hold is not built; ``meta["missing_parts"]`` records it with the tables it needs
(``{"finance": ["cashflows"]}``), and the headline shows its figures as n/a, never 0. A lessons
register alone (projects and lessons) thus builds the lessons tables and the headline.

Tables (each documented where it is computed):

========================  ==============================================================
projects                  :func:`roi.roi_by_project` + health, score, decision, tcpi_reason, next_step
decisions                 :func:`roi.decide`: one decision per project, with the reason, and what
                          flips it (:func:`roi.decision_robustness`)
selection                 the budget selection's candidates (funded or not, and why)
frontier                  :func:`roi.efficient_frontier`
by_department, by_objective  :func:`roi.portfolio_totals` per group
cashflow                  :func:`roi.cumulative_cashflow` of the portfolio
project_months            :func:`roi.project_months`: each project's PV, AC and net flows by month
utilization               :func:`utilization.utilization_by_resource`
util_overall, util_by_role, util_by_department   :func:`utilization.utilization_by_group`
overallocations           every over-allocated person-month of the window
overallocated_ahead       the people over-allocated in the forward months
bench, capacity, capacity_by_role, plan_vs_actual, time_split
project_people            :func:`utilization.plan_vs_actual_by_person`: planned and booked hours per person and project
lessons, themes, recurring, open_actions, followthrough, fixes, relevant, went_well, lesson_search,
lessons_by_category, lessons_by_phase, lessons_by_impact, lessons_trend
benefits                  :func:`delivery.benefits_realization` (completed projects)
slip, dependencies, dependency_chain    :func:`delivery.slip_propagation` (needs dependencies
                          and/or milestones)
milestones, milestone_history, milestones_by_department   :func:`delivery.milestone_status`
risks, risks_by_project, risks_by_department, risk_heatmap   :func:`delivery.risk_register`
forecast                  :func:`forecast.forecast_portfolio`: Earned Schedule, the IEACs, reference
                          class, optimism-bias uplift and the P10-P90 ranges of every project (its
                          columns in :data:`~pmo_analysis.analyses.finance.FORECAST_EXPORT_COLUMNS`
                          are on ``projects`` too; ``decisions`` gains cost_p50 ... funded_p80)
ieac_backtest, cash_need, reference_class   each IEAC formula's back-test error; the running
                          projects' cash need by quarter, P50 and P80; the reference outcomes
headline                  the headline figures (one row)
kpi_history               :func:`summary.monthly_kpis`: the tiles' monthly history (spend, plan, utilization)
assumptions               :func:`roi.decision_assumptions`: budget cap and its source, discount rate,
                          health thresholds, horizon (one row; stated on the pages, drawn on the charts)
data_quality              rows left out of the run, if any
========================  ==============================================================
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import multiprocessing
import os
from collections.abc import Callable, Iterator, MutableMapping
from concurrent.futures import BrokenExecutor, Executor, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pmo_analysis.analyses import delivery as D
from pmo_analysis.analyses import finance as R
from pmo_analysis.analyses import forecast as F
from pmo_analysis.analyses import health as H
from pmo_analysis.analyses import lessons as L
from pmo_analysis.analyses import summary as S
from pmo_analysis.analyses import utilization as U
from pmo_analysis.analyses.scenarios import apply_scenario, decision_changes
from pmo_analysis.core import formatting as fmt
from pmo_analysis.core import i18n
from pmo_analysis.core.bounds import DATE_RANGE
from pmo_analysis.core.config import CLOSED_STATUSES, HEALTH_THRESHOLDS, RUNNING_STATUSES
from pmo_analysis.core.orphans import end_with_parent
from pmo_analysis.core.periods import forward_months, last_complete_month, month_end, month_start
from pmo_analysis.inputs.params import check_start, validate_model_params
from pmo_analysis.inputs.portfolio import Portfolio
from pmo_analysis.inputs.scenarios import Scenario
from pmo_analysis.inputs.schema import PART_TABLES, REPORT_TABLES, REQUIRED_TABLES

__all__ = [
    "PortfolioModel",
    "build_model",
    "build_scenario_model",
    "WhatIf",
    "save_scenarios",
    "load_scenarios",
    "scenario_changes",
    "SCENARIOS_DIR",
    "load_model",
    "default_as_of",
    "freshness",
    "MODEL_VERSION",
]

#: Bumped when a table changes shape, so a notebook never reads a model it does not understand.
MODEL_VERSION = 3  # 3: the forecast part (projects and decisions gain its columns, headline the cash need)


@dataclass(frozen=True)
class _Made:
    """A part of a model as computed (``value``), with what it read: its tables and its settings."""

    tables: tuple[Any, ...]
    settings: tuple[Any, ...]
    value: Any


class _Parts:
    """The parts of the model being built, each computed once from what it reads, or taken from
    an earlier model of the same process (a scenario's base run) that read the same: the same
    table objects (an edit makes a new table and never changes one in place, see
    :func:`~pmo_analysis.analyses.scenarios.apply_scenario`) or equal columns where a part reads
    a few of a table's columns, and equal settings (the parameters
    it reads, the as-of date, the language and the currency of its words). A scenario thus
    recomputes only what it changes: a budget cut, not the people's utilization; a hire, not the
    forecast ranges (its finance is recomputed: a scenario states the base run's cap as its own,
    and the assumptions say so). The result is the same tables a computation from scratch gives
    (tested).
    """

    def __init__(self, earlier: PortfolioModel | None, *, keep: bool) -> None:
        self.earlier = {} if earlier is None else earlier.parts
        #: Whether to keep a copy of each part computed, for scenarios built on this model: a run
        #: with scenarios keeps its base run's, nothing else keeps any (a copy of the model's tables).
        self.keep = keep
        self.made: dict[str, _Made] = {}

    def get(self, name: str, tables: tuple[Any, ...], settings: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
        """Part ``name``: the earlier model's when it read the same ``tables`` and ``settings``,
        else ``compute()``. A part taken is a copy, so this model owns its tables, and the part
        kept is a copy too, so a table changed in place after the model is built is never taken.
        """
        settings = (*settings, i18n.current(), fmt.currency())
        old = self.earlier.get(name)
        same = old is not None and old.value is not None and old.settings == settings and len(old.tables) == len(tables)
        if same and all(_same(a, b) for a, b in zip(old.tables, tables, strict=True)):
            self.made[name] = old
            return _copied(old.value)
        value = compute()
        # a copy: a table of the model changed in place after it is built never reaches a scenario
        self.made[name] = _Made(tables, settings, _copied(value)) if self.keep else _Made((), settings, None)
        return value

    def taken(self, name: str) -> bool:
        """True when part ``name`` was taken from the earlier model."""
        return name in self.made and self.made[name] is self.earlier.get(name)


def _same(a: Any, b: Any) -> bool:
    """True when a part reads the same from table ``a`` as from ``b``: the same object, or tables
    with equal values (a column selection a part reads, made anew for each model).
    """
    if a is b:
        return True
    return isinstance(a, pd.DataFrame) and isinstance(b, pd.DataFrame) and a.shape == b.shape and a.equals(b)


def _copied(value: Any) -> Any:
    """``value`` with each mapping and table in it copied (tuples, mappings and dataclasses followed)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(
            value, **{f.name: _copied(getattr(value, f.name)) for f in dataclasses.fields(value)}
        )
    if isinstance(value, tuple):
        return tuple(_copied(v) for v in value)
    if isinstance(value, dict):
        return {k: _copied(v) for k, v in value.items()}
    if isinstance(value, pd.DataFrame | pd.Series):
        return value.copy()
    return value


@dataclass
class PortfolioModel:
    """Named tables plus ``meta`` (as_of, windows, freshness, params, data quality).

    Tables are attributes too: ``model.projects`` is ``model.tables["projects"]``. A table the
    data cannot support (no resources, no lessons) is absent: :meth:`has` says so, and
    :attr:`missing_parts` which part of the model was not built for want of which tables.
    """

    meta: dict[str, Any]
    tables: MutableMapping[str, pd.DataFrame] = field(default_factory=dict)
    parts: dict[str, _Made] = field(default_factory=dict, repr=False, compare=False)
    """The parts as this process computed them, each with what it read (:class:`_Parts`): a
    scenario built on this model takes those it reads the same for (a scenario's model keeps
    only which parts it took). Not saved."""

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(f"the portfolio model has no table {name!r}")

    def has(self, *names: str) -> bool:
        """True when every table in ``names`` is in the model."""
        return all(n in self.tables for n in names)

    @property
    def as_of(self) -> pd.Timestamp:
        """The report date."""
        return pd.Timestamp(self.meta["as_of"])

    @property
    def params(self) -> dict[str, Any]:
        """The run's model parameters, typed, defaults filled in."""
        return self.meta["params"]

    @property
    def missing_parts(self) -> dict[str, list[str]]:
        """The parts of the model (:data:`~pmo_analysis.inputs.schema.PART_TABLES`) not built, each
        with the tables it needs that the data does not hold: ``{"finance": ["cashflows"]}``.
        """
        return {k: list(v) for k, v in self.meta.get("missing_parts", {}).items()}

    def missing_for(self, report: str) -> list[str]:
        """The tables report ``report`` needs (:data:`~pmo_analysis.inputs.schema.REPORT_TABLES`)
        that the data does not hold; empty when it can run (or is not a declared report).
        """
        needs = REPORT_TABLES.get(report)
        return [] if needs is None else needs.missing(self.meta.get("tables_present", []))

    @property
    def stale(self) -> list[str]:
        """What makes the data stale at as_of, in words (empty when it is fresh)."""
        return list(self.meta["freshness"]["stale"])

    def save(self, folder: str | Path) -> Path:
        """Write every table as Parquet and ``model.json``; returns the folder."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        for name, df in self.tables.items():
            df.to_parquet(folder / f"{name}.parquet", index=False)
        (folder / "model.json").write_text(
            json.dumps(self.meta, indent=2, ensure_ascii=False, default=str), encoding="utf-8"
        )
        return folder


def load_model(folder: str | Path) -> PortfolioModel:
    """Read a model written by :meth:`PortfolioModel.save`."""
    folder = Path(folder)
    meta = json.loads((folder / "model.json").read_text(encoding="utf-8"))
    if meta.get("version") != MODEL_VERSION:
        raise ValueError(
            f"the portfolio model in {folder} has version {meta.get('version')!r}; "
            f"this workbook reads version {MODEL_VERSION}: run the reports again"
        )
    return PortfolioModel(meta, _TablesOnDemand({p.stem: p for p in sorted(folder.glob("*.parquet"))}))


class _TablesOnDemand(MutableMapping):
    """A saved model's tables, each read from its Parquet file the first time it is used: a report
    reads the few tables it shows, not the whole model (the enterprise portfolio's model holds a
    million project-months that only project pages draw).
    """

    def __init__(self, paths: dict[str, Path]) -> None:
        self._paths = dict(paths)
        self._read: dict[str, pd.DataFrame] = {}

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self._read:
            self._read[name] = pd.read_parquet(self._paths[name])
        return self._read[name]

    def __setitem__(self, name: str, df: pd.DataFrame) -> None:
        self._paths.setdefault(name, Path())
        self._read[name] = df

    def __delitem__(self, name: str) -> None:
        del self._paths[name]
        self._read.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter(self._paths)

    def __len__(self) -> int:
        return len(self._paths)

    def __contains__(self, name: object) -> bool:
        return name in self._paths


# --------------------------------------------------------------------------- time and freshness
#: The kinds of data reported every month: each is stale on its own when it ends early.
_MONTHLY = ("actual costs", "timesheets", "progress reports")

#: How many months old the data may be, at the run's own date, before a report whose date was
#: taken from the data says it is stale (data a few months old is the latest a PMO has; data
#: years old is history, not the state of the portfolio).
STALE_AFTER_MONTHS = 12


def _run_month(today: dt.date | None) -> pd.Timestamp:
    return month_start(today or dt.date.today())


def _months_between(first: pd.Timestamp, last: pd.Timestamp) -> int:
    return (last.year - first.year) * 12 + last.month - first.month


def _projected_actuals(portfolio: Portfolio, *, today: dt.date | None = None) -> pd.Timestamp | None:
    """The newest month of an actual cost dated after the run's month: such "actuals" are
    projections (a PMO cannot have reported next year's costs), so the actual costs do not date
    the data. ``None`` when every actual cost is dated up to the run's month.
    """
    cf = portfolio.cashflows
    if cf is None or "actual_cost" not in cf.columns:
        return None
    newest = cf.loc[cf["actual_cost"].notna(), "period"].max()
    return month_start(newest) if pd.notna(newest) and newest > _run_month(today) else None


def _newest(dates: pd.Series | None, run: pd.Timestamp) -> pd.Timestamp | None:
    """The month of the newest date up to the run's month (a later date reports nothing yet)."""
    if dates is None:
        return None
    d = pd.to_datetime(dates, errors="coerce")
    d = d.loc[d.notna() & (d < run + pd.DateOffset(months=1))]
    return month_start(d.max()) if len(d) else None


def _last_months(portfolio: Portfolio, *, today: dt.date | None = None) -> dict[str, pd.Timestamp | None]:
    """The newest month in which the data reports something, by kind (``None`` where it has none).

    actual costs
        the newest month with an actual cost; none when an actual cost is dated after the run's
        month (:func:`_projected_actuals`: the column then holds projections);
    timesheets
        the newest month with booked hours;
    progress reports
        the newest projects.status_date (when percent complete was reported);
    milestone reports
        the newest milestone actual_date or status_date;
    risk updates
        the newest risk raised_date or closed_date;
    completions
        the newest month with a cost of a completed or cancelled project: a project recorded as
        closed has finished spending, so its last cost was reported.

    Dates after the run's month report nothing yet and are left out. How far *plans* run into
    the future never counts.
    """
    run = _run_month(today)
    out: dict[str, pd.Timestamp | None] = dict.fromkeys(
        ("actual costs", "timesheets", "progress reports", "milestone reports", "risk updates", "completions")
    )
    cf, pr = portfolio.cashflows, portfolio.projects
    if cf is not None and "actual_cost" in cf.columns and _projected_actuals(portfolio, today=today) is None:
        out["actual costs"] = _newest(cf.loc[cf["actual_cost"].notna(), "period"], run)
    span = portfolio.timesheet_span()
    if span is not None:
        out["timesheets"] = _newest(pd.Series([span[1]]), run)
    if pr is not None and "status_date" in pr.columns:
        out["progress reports"] = _newest(pr["status_date"], run)
    ms = portfolio.milestones
    if ms is not None:
        out["milestone reports"] = _newest(
            pd.concat([ms[c] for c in ("actual_date", "status_date") if c in ms.columns], ignore_index=True), run
        )
    rk = portfolio.risks
    if rk is not None:
        out["risk updates"] = _newest(
            pd.concat([rk[c] for c in ("raised_date", "closed_date") if c in rk.columns], ignore_index=True), run
        )
    if cf is not None and pr is not None and len(cf):
        closed = cf["project_id"].isin(pr.loc[pr["status"].isin(CLOSED_STATUSES), "project_id"])
        cost = cf["actual_cost"].fillna(cf["planned_cost"]) if "actual_cost" in cf.columns else cf["planned_cost"]
        out["completions"] = _newest(cf.loc[closed & (cost > 0), "period"], run)
    return out


def _last_reported(last: dict[str, pd.Timestamp | None]) -> pd.Timestamp | None:
    months = [m for m in last.values() if m is not None]
    return max(months) if months else None


def default_as_of(portfolio: Portfolio, *, today: dt.date | None = None) -> dt.date:
    """The end of the last month the data reports: the newest month of any kind of reported
    data (:func:`_last_months`: actual costs, timesheets, status dates, milestone and risk
    updates, completions), or the month before if that month has not ended by ``today``. Without
    any, the end of the month before ``today``. Plans that run into the future never move it.

    Examples
    --------
    >>> from pmo_analysis import load_portfolio
    >>> from pmo_analysis.core.config import SAMPLE_DATA_DIR
    >>> default_as_of(load_portfolio(SAMPLE_DATA_DIR), today=dt.date(2026, 11, 22))
    datetime.date(2026, 6, 30)
    """
    this_month = _run_month(today)
    newest = _last_reported(_last_months(portfolio, today=today)) or this_month
    if newest >= this_month:
        newest = this_month - pd.DateOffset(months=1)
    return month_end(newest).date()


def freshness(
    portfolio: Portfolio, *, as_of, today: dt.date | None = None, as_of_from_data: bool = False
) -> dict[str, Any]:
    """When each kind of reported data ends, and what is stale at ``as_of``.

    A monthly kind (actual costs, timesheets, progress reports) is stale when the last complete
    month is more than one month after the newest month that has it: at 2026-07-31 actual costs
    that end in May are stale (June and July are missing); at 2026-06-30 they are not (June's
    costs are usually booked in July). Where no monthly kind says so, the data as a whole is
    stale when its newest report of any kind is more than one month before the last complete
    month. Past planned costs without any actual cost at all are stale too, and so are actual
    costs dated after the run's month (``today``): projections, not reports. With
    ``as_of_from_data`` (the report date was taken from the data, :func:`default_as_of`), data
    whose newest report is more than :data:`STALE_AFTER_MONTHS` months before the run's last
    complete month is stale: a report on it describes the past, not the portfolio today.
    """
    last = _last_months(portfolio, today=today)
    newest = _last_reported(last)
    lcm = last_complete_month(as_of)
    ym = _month_words
    stale = []
    for kind in _MONTHLY:
        m = last[kind]
        if m is None:
            continue
        gap = _months_between(m, lcm)
        if gap > 1:
            stale.append(
                i18n._(
                    "{kind} end in {month}, {n} months before the last complete month {last}",
                    kind=i18n._(kind),
                    month=ym(m),
                    n=gap,
                    last=ym(lcm),
                )
            )
    if not stale and newest is not None and _months_between(newest, lcm) > 1:
        stale.append(
            i18n._(
                "the data was last reported in {month}, {n} months before the last complete month {last}",
                month=ym(newest),
                n=_months_between(newest, lcm),
                last=ym(lcm),
            )
        )
    projected = _projected_actuals(portfolio, today=today)
    run = _run_month(today)
    if projected is not None:
        stale.append(
            i18n._(
                "actual costs are dated up to {month}, after this run ({run}): they are projections, "
                "not reports, and do not show when the data was reported",
                month=ym(projected),
                run=ym(run),
            )
        )
    cf = portfolio.cashflows
    reported = cf is not None and "actual_cost" in cf.columns and cf["actual_cost"].notna().any()
    if not reported and cf is not None and ((cf["period"] <= lcm) & (cf["planned_cost"] > 0)).any():
        first = cf.loc[(cf["period"] <= lcm) & (cf["planned_cost"] > 0), "period"].min()
        stale.append(i18n._("no actual cost is reported, although costs were planned from {month}", month=ym(first)))
    run_lcm = run - pd.DateOffset(months=1)
    if as_of_from_data and newest is not None and _months_between(newest, run_lcm) > STALE_AFTER_MONTHS:
        stale.append(
            i18n._(
                "the data was last reported in {month}, {n} months before this run ({run})",
                month=ym(newest),
                n=_months_between(newest, run_lcm),
                run=ym(run),
            )
        )
    return {
        "last_complete_month": f"{lcm:%Y-%m}",
        **{f"last_{k.replace(' ', '_')}_month": (None if m is None else f"{m:%Y-%m}") for k, m in last.items()},
        "last_reported_month": None if newest is None else f"{newest:%Y-%m}",
        "actuals_dated_after_run": None if projected is None else f"{projected:%Y-%m}",
        "stale": stale,
        "before_data": _before_data(portfolio, lcm),
    }


def _month_words(m) -> str:
    """A month in a freshness note: ``2026-03`` as the data writes it in English (the notes name
    the data's own months), in the report's month style in another language (``2026年3月``).
    """
    return f"{pd.Timestamp(m):%Y-%m}" if i18n.current() == "en" else fmt.month(m)


def _before_data(portfolio: Portfolio, lcm: pd.Timestamp) -> str | None:
    """In words, when the last complete month comes before every cash flow and timesheet: the
    report then shows plans only. ``None`` otherwise.
    """
    firsts = {}
    cf, span = portfolio.cashflows, portfolio.timesheet_span()
    if cf is not None and len(cf):
        firsts["cash flows"] = month_start(cf["period"].min())
    if span is not None:
        firsts["timesheets"] = month_start(span[0])
    if not firsts or min(firsts.values()) <= lcm:
        return None
    return i18n._(
        "the data begins after this date ({firsts})",
        firsts=i18n._(", ").join(
            i18n._("{kind} from {month}", kind=i18n._(k), month=_month_words(m)) for k, m in firsts.items()
        ),
    )


# --------------------------------------------------------------------------- the model
def _warm_lessons() -> None:
    """Import what the lessons part uses and read its dictionaries (jieba's, CC-CEDICT)."""
    from scipy.cluster.hierarchy import DisjointSet  # noqa: F401
    from sklearn.cluster import KMeans  # noqa: F401
    from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: F401
    from sklearn.preprocessing import normalize  # noqa: F401

    from pmo_analysis.analyses.lessons import text as T

    T._jieba().lcut("预热")
    T._cedict()
    T._en_stop()


@contextlib.contextmanager
def lessons_process() -> Iterator[Executor | None]:
    """A process of its own for the lessons part of :func:`build_model` (its ``pool``), started at
    once and warmed while the caller loads the data: its imports and dictionaries (about 4 s on
    two cores) are then done before the lessons are. ``None`` where no process can be started (a
    daemonic worker of a task queue may have no children): the lessons part then runs in the caller.

    >>> with lessons_process() as pool:
    ...     pool.submit(sum, [1, 2]).result()
    3
    """
    try:
        # its worker ends with the run, even a run killed outright
        pool = ProcessPoolExecutor(
            1, mp_context=multiprocessing.get_context("spawn"), initializer=end_with_parent, initargs=(os.getpid(),)
        )
        pool.submit(_warm_lessons)
    except AssertionError:  # "daemonic processes are not allowed to have children": work here
        yield None
        return
    ok = False
    try:
        yield pool
        ok = True
    finally:  # a failed load does not wait for the warming
        pool.shutdown(wait=ok, cancel_futures=not ok)


def build_model(
    portfolio: Portfolio,
    *,
    as_of=None,
    params: dict[str, Any] | None = None,
    today: dt.date | None = None,
    processes: int = 1,
    pool: Executor | None = None,
    waiting: Callable[[], None] | None = None,
    lessons_of: PortfolioModel | None = None,
    reuse: PortfolioModel | None = None,
    for_scenarios: bool = False,
) -> PortfolioModel:
    """Compute every table of the portfolio model (see the module docstring).

    ``params`` are the model parameters (:data:`pmo_analysis.inputs.params.MODEL_PARAMS`); missing
    ones take their defaults, and a bad value raises :class:`~pmo_analysis.ParameterError`.
    Without ``as_of``, the end of the last complete month the data covers (:func:`default_as_of`).
    With ``processes`` of 2 or more, or a ``pool`` (:func:`lessons_process`), the lessons part (which
    reads nothing of the rest) is computed in a process of its own while this one computes finance,
    delivery and resources: the same tables, in about the time of the longer of the two (a report
    run does this when it may use more than one core). ``waiting`` is called once this process has
    done its part, before it waits for the lessons (a run then lets other work use its core).
    ``lessons_of``, a model built from the same lessons register (a scenario's base run), gives
    its lessons tables instead of computing them again. ``reuse``, a model built in this process
    with ``for_scenarios`` (a scenario's base run), gives each part that reads the same tables and
    parameters (see :class:`_Parts`); ``for_scenarios`` keeps a copy of each part for them.

    Examples
    --------
    >>> from pmo_analysis import load_portfolio
    >>> from pmo_analysis.core.config import SAMPLE_DATA_DIR
    >>> m = build_model(load_portfolio(SAMPLE_DATA_DIR), as_of="2026-06-30")
    >>> int(m.headline.loc[0, "running_projects"]), m.meta["windows"]["last_complete_month"]
    (23, '2026-06')
    """
    portfolio.require(*REQUIRED_TABLES)
    p = validate_model_params(dict(params or {}))
    as_of_source = "given" if as_of is not None else "data"
    as_of = pd.Timestamp(as_of if as_of is not None else default_as_of(portfolio, today=today)).normalize()
    lcm = last_complete_month(as_of)
    ahead = forward_months(as_of, p["horizon_months"])
    meta: dict[str, Any] = {
        "version": MODEL_VERSION,
        "as_of": f"{as_of:%Y-%m-%d}",
        "as_of_source": as_of_source,
        "params": {k: (v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else v) for k, v in p.items()},
        "windows": {
            "last_complete_month": f"{lcm:%Y-%m}",
            "month_to_date": None if lcm == month_start(as_of) else f"{month_start(as_of):%Y-%m}",
            "forward_first": f"{ahead[0]:%Y-%m}",
            "forward_last": f"{ahead[-1]:%Y-%m}",
            "horizon_months": int(p["horizon_months"]),
            "running_statuses": list(RUNNING_STATUSES),
        },
        "freshness": freshness(portfolio, as_of=as_of, today=today, as_of_from_data=as_of_source == "data"),
        "tables_present": [t for t, n in portfolio.row_counts().items() if n is not None],
    }
    # each part is built from its tables, or recorded as missing with the tables it needs
    meta["missing_parts"] = {k: n.missing(meta["tables_present"]) for k, n in PART_TABLES.items()}
    meta["missing_parts"] = {k: v for k, v in meta["missing_parts"].items() if v}
    built = {k for k in PART_TABLES if k not in meta["missing_parts"]}
    with contextlib.ExitStack() as stack:
        lessons_part = None
        if "lessons" in built and lessons_of is not None and lessons_of.has("lessons"):
            built.discard("lessons")  # the same register: the same tables (a scenario changes no lesson)
            tables_of = {k: lessons_of.tables[k] for k in _LESSONS_TABLES if lessons_of.has(k)}
            figures_of = {"high_impact_done_share": float(lessons_of.headline.loc[0, "high_impact_done_share"])}
        else:
            tables_of, figures_of = {}, {}
        if "lessons" in built and pool is None and processes > 1:
            pool = stack.enter_context(lessons_process())
        if "lessons" in built and pool is not None:
            lessons_part = pool.submit(
                _lessons_in_child, fmt.currency(), i18n.current(), portfolio.lessons, portfolio.projects, as_of, p
            )
        parts = _Parts(reuse, keep=for_scenarios)
        project_tables = tuple(getattr(portfolio, t) for t in ("projects", "cashflows", "dependencies"))
        delivery_tables = (*project_tables, portfolio.milestones, portfolio.risks)
        delivery, flags = parts.get("delivery", delivery_tables, (as_of,), lambda: _delivery(portfolio, as_of))
        tables, figures = ({}, {})
        if "finance" in built:
            settings = (as_of, *sorted(p.items()))
            tables, figures = parts.get(
                "finance", delivery_tables, settings, lambda: _finance(portfolio, as_of, p, flags, parts=parts)
            )
            if parts.taken("finance"):  # its forecast with it, for a model built on this one
                parts.made["forecast"] = parts.earlier["forecast"]
        tables.update(delivery)
        tables.update(tables_of)
        figures.update(figures_of)
        _add_forecast_end(tables)
        if "resources" in built:
            people = (portfolio.out_of_core.get("timesheets", portfolio.timesheets), portfolio.holidays)
            # of the projects, the resources part reads which are closed (their assignments end)
            read = (portfolio.projects[["project_id", "status"]], portfolio.resources, portfolio.assignments, *people)
            settings = (as_of, *(p[k] for k in ("start", "horizon_months", "over_threshold", "under_threshold")))
            tables.update(parts.get("resources", read, settings, lambda: _resources(portfolio, as_of, p, ahead)))
        if waiting is not None:
            waiting()
        if "lessons" in built:
            try:
                lessons, done_share = lessons_part.result() if lessons_part is not None else (None, None)
            except BrokenExecutor:  # its process died (out of memory?): the lessons part is made here
                lessons_part = None
            if lessons_part is None:
                lessons, done_share = _lessons(portfolio.lessons, portfolio.projects, as_of, p)
            tables.update(lessons)
            figures["high_impact_done_share"] = done_share
    if "project_months" in tables or "util_overall" in tables:  # the tiles' monthly history, from the data
        running = portfolio.projects.loc[portfolio.projects["status"].isin(RUNNING_STATUSES), "project_id"]
        tables["kpi_history"] = S.monthly_kpis(tables.get("project_months"), running, tables.get("util_overall"))
    tables["headline"] = _headline(tables, figures, as_of, portfolio.projects)
    tables["data_quality"] = _data_quality(portfolio)
    meta["budget_cap"] = figures.get("budget_cap")  # None without the finance part
    meta["forecast"] = figures.get("forecast_meta")  # what the forecasts rest on (None without finance)
    # rows, not problems: one row can break several rules
    meta["excluded_rows"] = len(tables["data_quality"][["table", "row"]].drop_duplicates())
    return PortfolioModel(meta, tables, parts=parts.made)


#: The tables of the lessons part (:func:`_lessons`).
_LESSONS_TABLES = (
    "lessons",
    "themes",
    "recurring",
    "open_actions",
    "followthrough",
    "fixes",
    "relevant",
    "went_well",
    "lesson_search",
    "lessons_by_category",
    "lessons_by_phase",
    "lessons_by_impact",
    "lessons_trend",
)


def build_scenario_model(portfolio: Portfolio, scenario: Scenario, *, base: PortfolioModel) -> PortfolioModel:
    """The model of ``scenario``: :func:`build_model` of the portfolio the scenario edits
    (:func:`~pmo_analysis.analyses.scenarios.apply_scenario` at the base run's as-of date), with the
    base run's parameters changed by the scenario's, and the base run's lessons tables (a scenario
    changes no lesson). ``meta["scenario"]`` names it: name, source, checksum, description.

    ``portfolio`` is the data ``base`` was built from, loaded once for every scenario. A base built
    with ``for_scenarios=True`` gives the scenario every part the scenario does not change; any
    other base gives none (the same tables, computed in full).

    Examples
    --------
    >>> from pmo_analysis import load_portfolio
    >>> from pmo_analysis.core.config import SAMPLE_DATA_DIR
    >>> from pmo_analysis.inputs.scenarios import Scenario
    >>> p = load_portfolio(SAMPLE_DATA_DIR, tables=["projects", "cashflows"])
    >>> base = build_model(p, as_of="2026-06-30")
    >>> cut = build_scenario_model(p, Scenario("cut 20%", budget_cap_share=0.8), base=base)
    >>> round(cut.meta["budget_cap"] / base.meta["budget_cap"], 6)
    0.8
    """
    edited = apply_scenario(portfolio, scenario, as_of=base.as_of)
    params = scenario.model_params(base.params, base_cap=base.meta.get("budget_cap"))
    model = build_model(edited, as_of=base.as_of.date(), params=params, lessons_of=base, reuse=base)
    model.meta["as_of_source"] = base.meta.get("as_of_source")
    model.meta["freshness"] = base.meta["freshness"]  # the data's dates: those of the base run
    model.meta["scenario"] = {
        "name": scenario.name,
        "source": scenario.source,
        "checksum": scenario.checksum,
        "description": scenario.description,
        "cancelled": list(scenario.cancel),
        "added": [a.project_id for a in scenario.add_projects],
    }
    return model


#: The folder of a run's model (``model/``) that holds one folder per scenario's model.
SCENARIOS_DIR = "scenarios"


def save_scenarios(models: list[PortfolioModel], folder: str | Path) -> Path:
    """Save each scenario's model in ``folder/<n>/`` (1, 2, ... in the order given) and list them,
    with their names, files and checksums, in ``folder/scenarios.json``; returns ``folder``.
    """
    folder = Path(folder)
    index = []
    for i, m in enumerate(models, start=1):
        m.save(folder / str(i))
        index.append({"dir": str(i)} | {k: m.meta["scenario"][k] for k in ("name", "source", "checksum")})
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "scenarios.json").write_text(json.dumps(index, indent=2, ensure_ascii=False), encoding="utf-8")
    return folder


def load_scenarios(model_dir: str | Path) -> dict[str, PortfolioModel]:
    """The scenarios' models of a run whose model is in ``model_dir`` (:func:`save_scenarios`), by
    name, in the run's order; empty for a run without scenarios.
    """
    folder = Path(model_dir) / SCENARIOS_DIR
    if not (folder / "scenarios.json").is_file():
        return {}
    index = json.loads((folder / "scenarios.json").read_text(encoding="utf-8"))
    return {e["name"]: load_model(folder / e["dir"]) for e in index}


def scenario_changes(base: PortfolioModel, scenarios: list[PortfolioModel] | dict[str, PortfolioModel]) -> pd.DataFrame:
    """Every decision that changes in each scenario against ``base``, one row per scenario and
    project: scenario, project_id, decision_before, decision_after, reason
    (:func:`~pmo_analysis.analyses.scenarios.decision_changes`, worded in the current language and
    currency). Empty without the finance part.
    """
    cols = ["scenario", "project_id", "decision_before", "decision_after", "reason"]
    models = list(scenarios.values()) if isinstance(scenarios, dict) else list(scenarios)
    parts = []
    for m in models:
        if not (base.has("decisions") and m.has("decisions")):
            continue
        meta = m.meta["scenario"]
        changes = decision_changes(
            base.tables,
            m.tables,
            cap_before=float(base.meta["budget_cap"]),
            cap_after=float(m.meta["budget_cap"]),
            objective=str(m.params.get("objective", "score")),
            cancelled=meta.get("cancelled", []),
            added=meta.get("added", []),
        )
        parts.append(changes.assign(scenario=meta["name"])[cols])
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=cols)


def _finance(
    portfolio: Portfolio,
    as_of: pd.Timestamp,
    p: dict[str, Any],
    flags: pd.DataFrame | None = None,
    *,
    parts: _Parts | None = None,
) -> tuple[dict[str, pd.DataFrame], dict[str, Any]]:
    flows = R.forecast_cashflows(portfolio.cashflows, as_of=as_of)  # once, for every figure below
    by_project = R.roi_by_project(
        portfolio.projects, portfolio.cashflows, as_of=as_of, discount_rate=p["discount_rate"], forecast=flows
    )
    parts = parts or _Parts(None, keep=False)
    read = tuple(getattr(portfolio, t) for t in ("projects", "cashflows", "dependencies", "milestones"))
    settings = (as_of, *(p[k] for k in _FORECAST_PARAMS))
    fc = parts.get("forecast", read, settings, lambda: _forecast(portfolio, by_project, flows, as_of, p, flags))
    status = H.project_health(
        _spi_for_health(by_project, fc.projects),
        as_of=as_of,
        cpi_red=p["cpi_red"],
        cpi_amber=p["cpi_amber"],
        spi_red=p["spi_red"],
        spi_amber=p["spi_amber"],
        risk_amber=p["risk_amber"],
        delivery=flags,
        exposure_amber=p["exposure_amber"],
    )
    scored, decisions, cap = _decisions(by_project, p)
    # what flips each decision, at the end of its row (decisions.csv), judged fragile against the
    # forecast's own P80 overrun of each project (the published default where it has none)
    decisions = decisions.merge(
        R.decision_robustness(
            decisions,
            scored,
            flows,
            as_of=as_of,
            discount_rate=p["discount_rate"],
            budget_cap=cap,
            objective=p["objective"],
            weights={k: p[k] for k in R.WEIGHTS},
            p80_cost_uplift=_p80_overrun(fc.projects, by_project, flows, as_of),
        ),
        on="project_id",
        how="left",
    )
    projects = (
        scored.drop(columns=["c_alignment", "c_value", "c_risk"])
        .merge(
            status[["project_id", "health", "reason", "missing_data"]].rename(columns={"reason": "health_reason"}),
            on="project_id",
            how="left",
        )
        .merge(
            decisions[["project_id", "decision", "funded", "reason", "rule", "robustness", "fragile"]].rename(
                columns={"reason": "decision_reason", "robustness": "decision_robustness"}
            ),
            on="project_id",
            how="left",
        )
    )
    projects["running"] = projects["status"].isin(RUNNING_STATUSES)
    projects = projects.merge(fc.projects[["project_id", *_PROJECT_FORECAST]], on="project_id", how="left")
    # a project page's words: an extreme TCPI explained, and the decision's next step for its manager
    projects["tcpi_reason"] = R.tcpi_reasons(projects).where(projects["running"], "")
    projects["next_step"] = R.next_steps(projects)
    projects["health_rank"] = projects["health"].map(H.HEALTH_ORDER).astype("Int64")
    selection = decisions.loc[
        decisions["decision"].isin(["fund", "continue", "re-scope", "re-plan", "defer"])
    ].reset_index(drop=True)
    frontier = R.efficient_frontier(decisions, objective=p["objective"], include=[cap])
    cashflow = R.cumulative_cashflow(portfolio.cashflows, as_of=as_of, forecast=flows)
    running = by_project["status"].isin(RUNNING_STATUSES)
    assumptions = R.decision_assumptions(
        decisions,
        cap=cap,
        budget_cap=p["budget_cap"],
        discount_rate=p["discount_rate"],
        horizon_months=p["horizon_months"],
        thresholds={k: p[k] for k in HEALTH_THRESHOLDS},
    )
    # what the forecast's ranges rest on, beside the decisions' assumptions (the draws actually made)
    assumptions = assumptions.assign(
        forecast_draws=int(fc.meta["draws"]),
        forecast_seed=int(fc.meta["seed"]),
        forecast_correlation=float(fc.meta["correlation"]),
        forecast_correlated_by=str(fc.meta["correlated_by"]),
        forecast_min_reference=int(fc.meta["min_reference"]),
        forecast_reference_projects=int(fc.meta["reference_projects"]),
    )
    decisions = _decisions_at_confidence(
        decisions, fc.projects, by_project.set_index("project_id")["ac"], cap=cap, objective=p["objective"]
    )
    figures = {
        "cash_need": fc.cash_need,
        "budget_cap": float(cap),
        "portfolio": R.portfolio_totals(by_project).iloc[0],
        "running": R.portfolio_totals(by_project.loc[running]).iloc[0],
    }
    return {
        "projects": projects,
        "decisions": decisions.drop(columns=["rank"]),
        "assumptions": assumptions,
        "selection": selection.drop(columns=["rank"]),
        "frontier": frontier,
        "by_department": R.portfolio_totals(by_project, by="department"),
        # projects without an objective form one group with a name, never an empty label
        "by_objective": R.portfolio_totals(
            by_project.assign(strategic_objective=by_project["strategic_objective"].astype(object).fillna("(none)")),
            by="strategic_objective",
        ),
        "cashflow": cashflow,
        # project pages' S- and J-curves
        "project_months": R.project_months(portfolio.cashflows, as_of=as_of, forecast=flows),
        # the forecast part (analyses/forecast): ranges, Earned Schedule, IEACs, reference classes
        "forecast": fc.projects,
        "ieac_backtest": fc.backtest,
        "cash_need": fc.cash_need,
        "reference_class": fc.reference,
    }, figures | {"forecast_meta": fc.meta}


#: The forecast columns the projects table carries (after its own), and roi_by_project.csv exports.
_PROJECT_FORECAST = list(R.FORECAST_EXPORT_COLUMNS)


def _p80_overrun(forecast: pd.DataFrame, by_project: pd.DataFrame, flows: pd.DataFrame, as_of) -> pd.Series:
    """The forecast's P80 overrun of each project's cost still to come, by project_id, on the basis
    the robustness's break-even overrun has (a share of the planned cost after the last complete
    month): for a running project (P80 final cost - AC) / planned cost to come - 1, so an EAC already
    over the plan counts; for a proposed one its P80 budget uplift. Projects the forecast cannot
    range, or with no cost to come, are left out (the robustness takes the published default).
    """
    f = forecast.set_index("project_id")
    ac = by_project.set_index("project_id")["ac"].reindex(f.index)
    ahead = flows.loc[flows["period"] > last_complete_month(as_of)]
    to_come = ahead.groupby("project_id")["cost"].sum().reindex(f.index).where(lambda x: x > 0)
    running = (f["cost_p80"] - ac).div(to_come) - 1.0
    proposed = f["uplift_p80"] if "uplift_p80" in f else pd.Series(np.nan, index=f.index)
    return running.fillna(proposed).dropna().clip(lower=0.0)


#: The parameters the forecast part reads (with the projects, cash flows and dependencies).
_FORECAST_PARAMS = (
    "discount_rate",
    "forecast_draws",
    "forecast_seed",
    "forecast_correlation",
    "forecast_correlated_by",
    "forecast_min_reference",
)


def _forecast(
    portfolio: Portfolio,
    by_project: pd.DataFrame,
    flows: pd.DataFrame,
    as_of: pd.Timestamp,
    p: dict[str, Any],
    flags: pd.DataFrame | None = None,
) -> F.Forecast:
    """The forecast part (:func:`pmo_analysis.analyses.forecast.forecast_portfolio`), with the
    dependencies that constrain work still to do (the delivery analysis's network) and each
    project's milestone end (``flags``, from the delivery analysis), so the finish range is
    centred on the same forecast end the pages show.
    """
    deps = portfolio.dependencies
    network = None
    if deps is not None and len(deps):
        network = D.dependency_network(deps, portfolio.projects)
    return F.forecast_portfolio(
        by_project,
        flows,
        as_of=as_of,
        discount_rate=p["discount_rate"],
        dependencies=network,
        draws=p["forecast_draws"],
        seed=p["forecast_seed"],
        correlation=p["forecast_correlation"],
        by=None if p["forecast_correlated_by"] == "portfolio" else p["forecast_correlated_by"],
        min_reference=p["forecast_min_reference"],
        milestone_end=None
        if flags is None or "milestone_end" not in flags
        else flags.set_index("project_id")["milestone_end"],
    )


def _spi_for_health(by_project: pd.DataFrame, forecast: pd.DataFrame) -> pd.DataFrame:
    """The projects as health reads them: SPI(t) in place of SPI once the plan has ended (the
    last complete month is at or past the plan's last month), where SPI = EV / BAC tends to 1 as
    any late project finishes. Elsewhere SPI, the figure the reports show.
    """
    f = forecast.set_index("project_id")
    past_end = by_project["project_id"].map(f["actual_months"] >= f["planned_months"]).fillna(False).astype(bool)
    spi_t = by_project["project_id"].map(f["spi_t"])
    return by_project.assign(spi=by_project["spi"].where(~past_end | spi_t.isna(), spi_t))


def _decisions_at_confidence(
    decisions: pd.DataFrame, forecast: pd.DataFrame, ac: pd.Series, *, cap: float, objective: str
) -> pd.DataFrame:
    """The decisions with the forecast's ranges at the end: cost_p50, cost_p80, finish_p80,
    miss_probability (of a running project missing its planned end, the same figure as on its
    row of the projects table), need_p80 (the
    funding need at the P80 cost: P80 cost less AC of a running project, the budget raised by
    the P80 optimism-bias uplift of a proposed one) and funded_p80 (the budget selection with
    every candidate at its P80 need, beside the expected-value selection in ``funded``).
    """
    f = forecast.set_index("project_id")
    d = decisions.copy()
    for c in ("cost_p50", "cost_p80", "finish_p80"):
        d[c] = d["project_id"].map(f[c])
    d["miss_probability"] = d["project_id"].map(f["miss_probability"]).astype(float)
    ac = d["project_id"].map(ac)
    running_need = (d["cost_p80"] - ac).clip(lower=0)
    proposed_need = d["funding_need"] * (1 + d["project_id"].map(f["uplift_p80"]))
    need = running_need.where(running_need.notna(), proposed_need.where(d["status"] == "proposed"))
    d["need_p80"] = need.where(need.notna(), d["funding_need"])
    sel = R.select_portfolio(d.assign(funding_need=d["need_p80"]), budget_cap=cap, objective=objective)
    d["funded_p80"] = d["project_id"].isin(set(sel.loc[sel["selected"], "project_id"]))
    return d


def _decisions(by_project: pd.DataFrame, p: dict[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame, float]:
    """The priority scores, the decisions and the budget cap used, from :func:`roi.roi_by_project`."""
    value = "remaining_npv" if p["value_metric"] == "npv" else "roi"
    scored = R.priority_scores(
        by_project, w_alignment=p["w_alignment"], w_value=p["w_value"], w_risk=p["w_risk"], value=value
    )
    decisions, cap = R.decide(
        scored,
        budget_cap=p["budget_cap"],
        objective=p["objective"],
        cpi_threshold=p["cpi_red"],
        spi_threshold=p["spi_red"],
        low_alignment=p["low_alignment"],
    )
    return scored, decisions, cap


class WhatIf:
    """The few tables of a scenario that interactive exploration redraws, computed by the same
    functions as :func:`build_model` (and :func:`build_scenario_model`): the scenario applied to
    the data (:func:`~pmo_analysis.analyses.scenarios.apply_scenario`), then the decisions, the
    efficient frontier and the capacity by role, each only when what it reads has changed.

    One object per loaded portfolio and base model; :meth:`tables` of a scenario returns
    ``decisions``, ``frontier``, ``capacity_by_role`` and ``assumptions`` (with the cap used).

    Examples
    --------
    >>> from pmo_analysis import load_portfolio
    >>> from pmo_analysis.core.config import SAMPLE_DATA_DIR
    >>> from pmo_analysis.inputs.scenarios import Scenario
    >>> p = load_portfolio(SAMPLE_DATA_DIR, tables=["projects", "cashflows"])
    >>> base = build_model(p, as_of="2026-06-30")
    >>> w = WhatIf(p, base)
    >>> cut = w.tables(Scenario("cut", budget_cap_share=0.8))
    >>> round(float(cut["assumptions"].loc[0, "budget_cap"]) / base.meta["budget_cap"], 6)
    0.8
    """

    #: Budget levels of the frontier while exploring (the run's model has 25).
    FRONTIER_LEVELS = 12

    def __init__(self, portfolio: Portfolio, base: PortfolioModel) -> None:
        self.portfolio, self.base = portfolio, base
        self._edited: dict[Any, Portfolio] = {}
        self._roi: dict[Any, tuple[pd.DataFrame, pd.DataFrame]] = {}
        self._frontier: dict[Any, pd.DataFrame] = {}
        self._capacity: dict[Any, pd.DataFrame] = {}

    def params(self, scenario: Scenario) -> dict[str, Any]:
        """The model parameters of ``scenario`` (the base run's, changed by the scenario's)."""
        return validate_model_params(scenario.model_params(self.base.params, base_cap=self.base.meta.get("budget_cap")))

    def tables(self, scenario: Scenario) -> dict[str, pd.DataFrame]:
        """``decisions``, ``frontier``, ``capacity_by_role`` and ``assumptions`` of ``scenario``."""
        p = self.params(scenario)
        as_of = self.base.as_of
        data = (scenario.delays, scenario.cancel, scenario.add_projects, scenario.scale, scenario.people)
        if data not in self._edited:
            self._edited[data] = apply_scenario(self.portfolio, scenario, as_of=as_of) if any(data) else self.portfolio
        edited = self._edited[data]
        key = (data, p["discount_rate"])
        if key not in self._roi:
            flows = R.forecast_cashflows(edited.cashflows, as_of=as_of)
            self._roi[key] = (
                R.roi_by_project(
                    edited.projects, edited.cashflows, as_of=as_of, discount_rate=p["discount_rate"], forecast=flows
                ),
                flows,
            )
        by_project = self._roi[key][0]
        _scored, decisions, cap = _decisions(by_project, p)
        weights = (key, p["w_alignment"], p["w_value"], p["w_risk"], p["value_metric"], p["objective"])
        if weights not in self._frontier:
            self._frontier[weights] = R.efficient_frontier(
                decisions, objective=p["objective"], levels=self.FRONTIER_LEVELS
            )
        out = {
            "decisions": decisions.drop(columns=["rank"]),
            "frontier": self._frontier[weights],
            "assumptions": pd.DataFrame([{"budget_cap": float(cap), "objective": p["objective"]}]),
        }
        if self.base.has("capacity_by_role"):
            if not any(data):
                out["capacity_by_role"] = self.base.capacity_by_role
            else:
                if data not in self._capacity:
                    self._capacity[data] = _capacity_ahead(edited, as_of, p)
                out["capacity_by_role"] = self._capacity[data]
        return out


def _capacity_ahead(portfolio: Portfolio, as_of: pd.Timestamp, p: dict[str, Any]) -> pd.DataFrame:
    """:func:`utilization.capacity_by_role` over the forward months, as :func:`_resources` computes it,
    from a window that starts at the as-of month (the history before it does not count there).
    """
    ahead = forward_months(as_of, p["horizon_months"])
    res, hol = portfolio.resources, portfolio.holidays
    window = U.month_window(as_of, start=month_start(as_of), end=ahead[-1])
    ts = portfolio.booked_hours(as_of, window[0])
    asg = U.open_assignments(portfolio.assignments, portfolio.projects, as_of=as_of)
    plan = U.planned_by_assignment(res, asg, window, holidays=hol)
    util = U.utilization_by_resource(res, asg, ts, as_of=as_of, start=window[0], end=ahead[-1], holidays=hol, plan=plan)
    return U.capacity_by_role(U.capacity_vs_demand(util, as_of=as_of, months=p["horizon_months"]))


def _add_forecast_end(tables: dict[str, pd.DataFrame]) -> None:
    """Each project's forecast end beside its planned end (``projects.forecast_end``).

    It is the one end date every table, chart, page and export shows as "forecast end"
    (``docs/definitions.md``, "Project health"): the latest of

    * the plan (``end_date``);
    * the delivery analysis's end with milestones and dependencies, where the data has them;
    * for a running project, the Earned Schedule finish (``finish_ieac_t``, IEAC(t) = PD / SPI(t):
      the pace measured by SPI(t), which stays true past the planned end where SPI tends to 1),
      when it falls in a later month than the two above (a pace so slow that it finishes past
      :data:`~pmo_analysis.core.bounds.DATE_RANGE` reads as the range's last day, 31 Dec 2099).

    ``forecast_end_source`` says which: ``plan``, ``delivery`` or ``earned_schedule``. A project
    ahead of its plan keeps its planned end (as milestones ahead of plan do), and one finishing in
    its planned month keeps its planned day.
    """
    if "projects" not in tables:  # the finance part was not built (no cash flows)
        return
    projects = tables["projects"]
    planned = pd.to_datetime(projects["end_date"])
    end = planned
    if "slip" in tables:
        ends = tables["slip"].set_index("project_id")["forecast_end_with_dependencies"]
        end = pd.to_datetime(projects["project_id"].map(ends)).fillna(planned)
    source = pd.Series(np.where(end > planned, "delivery", "plan"), index=projects.index, dtype=object)
    if "finish_ieac_t" in projects:
        es = pd.to_datetime(projects["finish_ieac_t"]).where(projects["running"].astype(bool))
        # a pace so slow that its finish falls past the dates the workbook reads (DATE_RANGE) reads as
        # the range's last day: still later than the plan, never the plan itself
        last_day = pd.Timestamp(DATE_RANGE[1])
        es = es.where(es.isna() | (es <= last_day), last_day).astype(end.dtype)
        later = es.dt.to_period("M") > end.dt.to_period("M")
        end = end.where(~later.fillna(False), es)
        source = source.where(~later.fillna(False), "earned_schedule")
    tables["projects"] = projects.assign(forecast_end=end, forecast_end_source=source)


def _delivery(portfolio: Portfolio, as_of: pd.Timestamp) -> tuple[dict[str, pd.DataFrame], pd.DataFrame | None]:
    """The delivery tables (see :mod:`pmo_analysis.analyses.delivery`) the data supports, and one row per
    project of what health reads from them (None when the data has no delivery table).
    """
    projects = portfolio.projects
    tables = {}
    if portfolio.cashflows is not None:  # benefits realization reads the cash flows
        tables["benefits"] = D.benefits_realization(projects, portfolio.cashflows, as_of=as_of)
    deps, ms, risks = portfolio.dependencies, portfolio.milestones, portfolio.risks
    if deps is None and ms is None and risks is None:
        return tables, None
    flags = projects[["project_id"]].copy()
    status = None
    if ms is not None:
        status = D.milestone_status(ms, projects, as_of=as_of)
        tables["milestones"] = status
        tables["milestone_history"] = D.milestone_history(ms, as_of=as_of).merge(
            projects[["project_id", "name"]].rename(columns={"name": "project"}), on="project_id"
        )
        tables["milestones_by_department"] = D.on_time_rate(status, by="department")
        flags = flags.join(status.groupby("project_id")["missed"].sum().rename("missed_milestones"), on="project_id")
    if deps is not None or ms is not None:
        network = D.dependency_network(
            deps if deps is not None else pd.DataFrame(columns=["predecessor_id", "successor_id"]), projects
        )
        slip, edges = D.slip_propagation(D.forecast_ends(projects, status), network)
        tables["slip"] = slip
        if deps is not None:
            tables["dependencies"] = edges
            chain = D.longest_chain(network) if len(network) else []
            tables["dependency_chain"] = (
                slip.set_index("project_id")
                .loc[chain]
                .reset_index()[
                    ["project_id", "name", "status", "start_date", "planned_end", "forecast_end_with_dependencies"]
                ]
                .assign(position=np.arange(1, len(chain) + 1))
            )
        # the milestones' own end too: the forecast's finish range is centred on it when it is later
        ends = ["project_id", "milestone_end", "propagated_slip_days", "delayed_by"]
        flags = flags.merge(slip[[c for c in ends if c in slip]], on="project_id", how="left")
    if risks is not None:
        register = D.risk_register(risks, projects, as_of=as_of)
        by_project = D.project_exposure(register, projects)
        tables.update(
            {
                "risks": register,
                "risks_by_project": by_project,
                "risks_by_department": D.exposure_by_department(register, projects),
                "risk_heatmap": D.risk_heatmap(register),
            }
        )
        flags = flags.merge(by_project[["project_id", "open_exposure", "exposure_share"]], on="project_id", how="left")
    return tables, flags


def _resources(
    portfolio: Portfolio, as_of: pd.Timestamp, p: dict[str, Any], ahead: pd.DatetimeIndex
) -> dict[str, pd.DataFrame]:
    res, asg, hol = portfolio.resources, portfolio.assignments, portfolio.holidays
    check_start("run", p["start"], as_of.date())  # as_of may come from the data: known only here
    window = U.month_window(as_of, start=p["start"], end=ahead[-1])
    ts = portfolio.booked_hours(as_of, window[0])  # hours per person, project and month of the window
    asg = U.open_assignments(asg, portfolio.projects, as_of=as_of)
    plan = U.planned_by_assignment(res, asg, window, holidays=hol)
    util = U.utilization_by_resource(
        res, asg, ts, as_of=as_of, start=p["start"], end=ahead[-1], holidays=hol, plan=plan
    )
    months = pd.DatetimeIndex(util["period"].drop_duplicates().sort_values())
    over = U.overallocations(util, plan, threshold=p["over_threshold"])
    over["ahead"] = over["period"].isin(ahead)
    soon = over.loc[over["ahead"]]
    ahead_people = soon.groupby(["resource_id", "name", "role"], as_index=False, observed=True).agg(
        months=("period", "nunique"),
        peak_planned_utilization=("planned_utilization", "max"),
        excess_hours=("excess_hours", "sum"),
    )
    # text even without rows: nobody over-allocated ahead
    ahead_people["detail"] = (
        "peak " + ahead_people["peak_planned_utilization"].map("{:.0%}".format).astype(object) + " planned"
    )
    cvd = U.capacity_vs_demand(util, as_of=as_of, months=p["horizon_months"])
    return {
        "utilization": util,
        "util_overall": U.utilization_by_group(util),
        "util_by_role": U.utilization_by_group(util, by="role"),
        "util_by_department": U.utilization_by_group(util, by="department"),
        "util_role_totals": U.utilization_totals(util, by="role"),
        "util_totals": U.utilization_totals(util),
        "overallocations": over,
        "overallocated_ahead": ahead_people.sort_values("excess_hours", ascending=False).reset_index(drop=True),
        "bench": U.bench(util, over, as_of=as_of, threshold=p["under_threshold"]),
        "capacity": cvd,
        "capacity_by_role": U.capacity_by_role(cvd),
        "plan_vs_actual": U.plan_vs_actual_by_project(plan, ts, as_of=as_of, months=months),
        "time_split": U.time_split(ts, res, as_of=as_of, months=months),
        # people on each project (project pages)
        "project_people": U.plan_vs_actual_by_person(plan, ts, res, as_of=as_of, months=months, ahead=ahead),
    }


def _lessons_in_child(currency: str | None, language: str, *args) -> tuple[dict[str, pd.DataFrame], float]:
    """:func:`_lessons` in another process, in the caller's currency and language."""
    with fmt.using(currency=currency, language=language):
        return _lessons(*args)


def _lessons(
    register: pd.DataFrame, projects: pd.DataFrame, as_of: pd.Timestamp, p: dict[str, Any]
) -> tuple[dict[str, pd.DataFrame], float]:
    lessons = L.prepare(register, projects)
    found = L.lesson_themes(lessons, n_themes=p["n_themes"], min_projects=p["min_projects"])
    theme, terms, recurring = found.theme, found.themes, found.recurring
    with_action = lessons.assign(theme=theme).loc[lessons["action_status"].isin(["open", "in_progress"])]
    covered = set(with_action["category"]) | set(with_action["theme"].dropna())
    recurring["has_open_action"] = recurring["theme"].isin(covered)
    relevant = L.lessons_for_projects(lessons, projects, as_of=as_of, top_n=p["top_n"], theme=theme)
    relevant = relevant.merge(
        lessons[["lesson_id", "title", "project_id"]].rename(columns={"project_id": "from_project"}), on="lesson_id"
    ).merge(projects[["project_id", "name"]], on="project_id")
    return {
        "lessons": lessons.assign(theme=theme),
        "themes": terms,
        "recurring": recurring,
        "open_actions": L.open_actions(lessons, as_of=as_of),
        "followthrough": L.action_followthrough(lessons, as_of=as_of),
        "fixes": L.fixes_that_did_not_stick(lessons, theme),
        "relevant": relevant[["project_id", "name", "lesson_id", "from_project", "title", "score", "reason"]],
        "went_well": L.went_well(lessons),
        "lesson_search": L.search_examples(lessons),  # the lessons report's example searches
        "lessons_by_category": L.lessons_by_category(lessons),
        "lessons_by_phase": L.overview(lessons, by="phase"),
        "lessons_by_impact": L.overview(lessons, by="impact"),
        "lessons_trend": L.quarterly_trend(lessons),
    }, L.high_impact_done_share(lessons)


def _finance_headline(tables: dict[str, pd.DataFrame], figures: dict[str, Any], as_of: pd.Timestamp) -> dict[str, Any]:
    """The headline figures of the finance part, with the project counts."""
    projects = tables["projects"]
    t, rt = figures["portfolio"], figures["running"]
    running = projects.loc[projects["running"]]
    decisions = tables["decisions"]
    row: dict[str, Any] = {
        "as_of": f"{as_of:%Y-%m-%d}",
        "running_projects": len(running),
        "active_projects": int((projects["status"] == "active").sum()),
        "on_hold_projects": int((projects["status"] == "on_hold").sum()),
        "off_track": int((running["health"] == "off track").sum()),
        "at_risk": int((running["health"] == "at risk").sum()),
        "on_track": int((running["health"] == "on track").sum()),
        "data_needed": int((running["health"] == "data needed").sum()),
        "total_budget": float(running["bac"].sum()),
        "portfolio_npv": float(t["npv"]),
        "remaining_npv": float(t["remaining_npv"]),
        "portfolio_roi": float(t["roi"]),
        **_coverage(t, "value", "no_benefits" if int(t["value_projects"]) == 0 else ""),
        "spend_to_date": float(rt["ac"]) if len(running) else np.nan,
        "planned_to_date": float(rt["pv"]) if len(running) else np.nan,
        "portfolio_cpi": float(rt["cpi"]) if len(running) else np.nan,
        "portfolio_spi": float(rt["spi"]) if len(running) else np.nan,
        **_coverage(rt, "evm", _evm_reason(running)),
        "months_without_actuals": int(running["months_without_actuals"].sum()),
        "budget_cap": figures["budget_cap"],
        "funded_need": float(decisions.loc[decisions["funded"], "funding_need"].sum()),
        "stop_frees": float(decisions.loc[decisions["decision"] == "stop", "funding_need"].sum()),
        "utilization": np.nan,
        "utilization_month": "",
        "utilization_mtd": np.nan,
        "overallocated_people": np.nan,
        "open_high_impact_actions": np.nan,
        "high_impact_done_share": figures.get("high_impact_done_share", np.nan),
        **_cash_need(figures["cash_need"]),
    }
    return row


def _cash_need(cash: pd.DataFrame) -> dict[str, float]:
    """The running projects' cash need over the next four quarters, P50 and P80 (of the sum)."""
    total = cash.loc[cash["quarter"] == "total"]
    if not len(total):
        return {"cash_need_p50": np.nan, "cash_need_p80": np.nan}
    return {"cash_need_p50": float(total["p50"].iloc[0]), "cash_need_p80": float(total["p80"].iloc[0])}


def _headline_without_finance(projects: pd.DataFrame, figures: dict[str, Any], as_of: pd.Timestamp) -> dict[str, Any]:
    """The headline of a model without its finance part (no cash flows): the project counts, and
    every finance figure n/a (NaN, never 0); ``missing_parts`` in the model's meta says why.
    """
    running = projects["status"].isin(RUNNING_STATUSES)
    finance = (
        "off_track",
        "at_risk",
        "on_track",
        "total_budget",
        "portfolio_npv",
        "remaining_npv",
        "portfolio_roi",
        "spend_to_date",
        "planned_to_date",
        "portfolio_cpi",
        "portfolio_spi",
        "months_without_actuals",
        "budget_cap",
        "funded_need",
        "stop_frees",
    )
    return {
        "as_of": f"{as_of:%Y-%m-%d}",
        "running_projects": int(running.sum()),
        "active_projects": int((projects["status"] == "active").sum()),
        "on_hold_projects": int((projects["status"] == "on_hold").sum()),
        **dict.fromkeys(finance, np.nan),
        "data_needed": np.nan,
        # the totals cover no project because there are no cash flows: a tile says so, never "no benefits"
        "value_projects": 0,
        "value_projects_of": len(projects),
        "value_reason": "no_cashflows",
        "evm_projects": 0,
        "evm_projects_of": int(running.sum()),
        "evm_reason": "no_cashflows",
        "utilization": np.nan,
        "utilization_month": "",
        "utilization_mtd": np.nan,
        "overallocated_people": np.nan,
        "open_high_impact_actions": np.nan,
        "high_impact_done_share": figures.get("high_impact_done_share", np.nan),
        "cash_need_p50": np.nan,
        "cash_need_p80": np.nan,
    }


def _headline(
    tables: dict[str, pd.DataFrame], figures: dict[str, Any], as_of: pd.Timestamp, projects: pd.DataFrame
) -> pd.DataFrame:
    """One row of headline figures (see docs/definitions.md, "Headline figures"); the figures of a
    part not built are n/a.
    """
    if "projects" in tables:
        row = _finance_headline(tables, figures, as_of)
    else:
        row = _headline_without_finance(projects, figures, as_of)
    if "util_overall" in tables:
        o = tables["util_overall"]
        complete = o.loc[(o["month_status"] == "complete") & o["utilization"].notna()]
        if len(complete):
            row["utilization"] = float(complete["utilization"].iloc[-1])
            row["utilization_month"] = f"{complete['period'].iloc[-1]:%Y-%m}"
        mtd = o.loc[o["month_status"] == "month to date", "utilization"]
        row["utilization_mtd"] = float(mtd.iloc[0]) if len(mtd) else np.nan
        row["overallocated_people"] = int(tables["overallocated_ahead"]["resource_id"].nunique())
    if "open_actions" in tables:
        row["open_high_impact_actions"] = int((tables["open_actions"]["impact"] == "high").sum())
    row.update(_delivery_headline(tables))
    return pd.DataFrame([row])


def _coverage(totals: pd.Series, part: str, reason: str) -> dict[str, Any]:
    """How many projects a headline total covers: ``<part>_projects`` of ``<part>_projects_of``,
    and ``<part>_reason``, the :class:`~pmo_analysis.core.wording.Reason` code of why the figure
    is empty when it covers none (``""`` otherwise).
    """
    return {
        f"{part}_projects": int(totals[f"{part}_projects"]),
        f"{part}_projects_of": int(totals["projects"]),
        f"{part}_reason": reason,
    }


def _evm_reason(running: pd.DataFrame) -> str:
    """Why no running project has earned value: the data it lacks most often ("" if one has)."""
    if not len(running) or (running["ev"].notna() & running["ac"].notna()).any():
        return ""
    needed = running["data_needed"].str.split(",").explode()
    needed = needed.loc[needed.isin(["no_percent_complete", "no_actuals"])]
    return str(needed.value_counts().index[0]) if len(needed) else "no_earned_value"


def _delivery_headline(tables: dict[str, pd.DataFrame]) -> dict[str, Any]:
    """Headline figures of delivery (NaN where the data has no table for them)."""
    row: dict[str, Any] = {
        k: np.nan
        for k in (
            "dependency_conflicts",
            "delayed_projects",
            "missed_milestones",
            "milestone_on_time_rate",
            "open_risk_exposure",
            "overdue_mitigations",
            "unowned_risks",
        )
    }
    if "dependencies" in tables:
        row["dependency_conflicts"] = int(tables["dependencies"]["conflict"].sum())
    if "slip" in tables:
        row["delayed_projects"] = int((tables["slip"]["propagated_slip_days"] > 0).sum())
    if "milestones" in tables:
        m = tables["milestones"]
        row["missed_milestones"] = int(m["missed"].sum())
        row["milestone_on_time_rate"] = float(D.on_time_rate(m)["on_time_rate"].iloc[0]) if len(m) else np.nan
    if "risks" in tables:
        o = tables["risks"].loc[tables["risks"]["open"]]
        row["open_risk_exposure"] = float(o["exposure"].sum())
        row["overdue_mitigations"] = int(o["overdue"].sum())
        row["unowned_risks"] = int(o["no_owner"].sum())
    row["benefits_realization"] = row["benefits_shortfall"] = np.nan
    if "benefits" in tables:
        b = tables["benefits"]
        planned = float(b["planned_to_date"].sum())
        row["benefits_realization"] = float(b["realized_to_date"].sum()) / planned if planned > 0 else np.nan
        row["benefits_shortfall"] = float(b["shortfall"].sum())
    return row


def _data_quality(portfolio: Portfolio) -> pd.DataFrame:
    """Rows left out of the run (``exclude_invalid``): table, file, row, column, value, rule."""
    rows = [
        {
            "table": q.table,
            "file": q.file,
            "row": q.row,
            "column": q.column or "",
            "value": "" if q.value is None else str(q.value),
            "rule": q.rule,
        }
        for q in portfolio.dropped
    ]
    df = pd.DataFrame(rows, columns=["table", "file", "row", "column", "value", "rule"])
    # a spreadsheet row is a number; a database row is named by its key or its row of the result
    # ("result row 12"), so rows of a database are text
    if df["row"].map(lambda r: r is None or isinstance(r, int)).all():
        df["row"] = df["row"].astype("Int64")
    else:
        df["row"] = df["row"].map(lambda r: None if r is None else str(r)).astype("string")
    return df
