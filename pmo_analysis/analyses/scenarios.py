"""What-if scenarios: the portfolio edited as a scenario says, and what changed against the base.

:func:`apply_scenario` is a pure function: the loaded portfolio and a
:class:`~pmo_analysis.inputs.scenarios.Scenario` in, a new portfolio out, edited as a PMO would edit
its files by hand (nothing in the model knows that it reads a scenario). The edits, in this order
(``docs/scenarios.md`` and ``docs/definitions.md``, "Scenarios", say the same in words):

scale
    A rate or exchange-rate change of the remaining plan: the planned cost (benefit) of every
    month after the last complete month is multiplied by ``costs`` (``benefits``), and the
    budget grows by what the remaining planned cost grows. Reported actuals stay as reported.
cancel
    The project's status becomes cancelled; its planned cash flows after the last complete
    month are removed (it spends and earns nothing more), its assignments end at as_of and
    those that start later are removed.
add_projects
    A proposed project: its budget spread evenly over the months from its start to its end,
    then ``monthly_benefit`` for ``benefit_months`` months.
delay
    A project not started by as_of moves whole ``months`` months later: its dates, every cash
    flow, its milestones' baseline and forecast dates and its assignments. A project already
    started keeps its history: its end date, its cash flows after the last complete month, its
    milestones and assignments dated after as_of move. A department's delay moves each of its
    proposed, active and on-hold projects. The dependency chain then moves with it, by the rules
    of the delivery analysis (:func:`~pmo_analysis.analyses.delivery.slip_propagation` on the
    plan): level by level down the network, a successor moves by the whole months that cover
    the slip the delay adds to it (the slip it had in the base plan, a conflict already there,
    is not the scenario's to move).
people
    ``add`` new people of a role from a month (the role's median weekly hours and hourly cost
    unless given, in the given department or the role's most common one); ``remove`` ends the
    work of people of the role active before that month, the highest resource id first.

:func:`decision_changes` and :func:`headline_changes` compare the model tables of a scenario with
the base run's: every decision that changes, with its reasons as codes
(:mod:`pmo_analysis.core.wording`), and the headline figures side by side.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from pmo_analysis.analyses import delivery as D
from pmo_analysis.core.config import RUNNING_STATUSES
from pmo_analysis.core.periods import last_complete_month, month_start
from pmo_analysis.core.wording import Reason, join, word
from pmo_analysis.inputs.portfolio import Portfolio
from pmo_analysis.inputs.scenarios import Delay, NewProject, People, Scale, Scenario, removable

__all__ = [
    "apply_scenario",
    "delays_with_successors",
    "HEADLINE_FIGURES",
    "headline_changes",
    "cash_need_by_quarter",
    "capacity_gaps",
    "decision_changes",
    "change_sentences",
]

_OPEN = ("proposed", *RUNNING_STATUSES)


def apply_scenario(portfolio: Portfolio, scenario: Scenario, *, as_of) -> Portfolio:
    """The portfolio as ``scenario`` edits it at ``as_of`` (see the module docstring); ``portfolio``
    is left as it was.

    Examples
    --------
    >>> from pmo_analysis import load_portfolio
    >>> from pmo_analysis.core.config import SAMPLE_DATA_DIR
    >>> p = load_portfolio(SAMPLE_DATA_DIR)
    >>> s = Scenario("late", delays=(Delay(3, project="PRJ-010"),))
    >>> e = apply_scenario(p, s, as_of="2026-06-30")
    >>> ends = e.projects.set_index("project_id")["end_date"].dt.strftime("%Y-%m-%d")
    >>> p.projects.set_index("project_id").loc["PRJ-010", "end_date"].date(), ends["PRJ-010"]
    (datetime.date(2026, 9, 30), '2026-12-31')
    """
    as_of = pd.Timestamp(as_of)
    out = dataclasses.replace(portfolio)
    for s in scenario.scale:
        _scale(out, s, as_of)
    if scenario.cancel:
        _cancel(out, scenario.cancel, as_of)
    for a in scenario.add_projects:
        _add_project(out, a)
    if scenario.delays:
        _shift(out, delays_with_successors(out, scenario.delays, as_of=as_of), as_of)
    for i, x in enumerate(scenario.people):
        _people(out, x, number=i + 1)
    return out


# --------------------------------------------------------------------------- the edits
def _chosen(projects: pd.DataFrame, department: str | None, ids: Iterable[str]) -> pd.Series:
    ids = list(ids)
    if department is None and not ids:
        return pd.Series(True, index=projects.index)
    mask = projects["project_id"].isin(ids)
    return mask | (projects["department"] == department) if department is not None else mask


def _scale(out: Portfolio, s: Scale, as_of: pd.Timestamp) -> None:
    projects = out.table("projects")
    ids = projects.loc[_chosen(projects, s.department, s.projects), "project_id"]
    if out.cashflows is None:
        out.projects = projects.assign(budget=projects["budget"] * s.costs)
        return
    cf = out.cashflows
    rows = cf["project_id"].isin(ids) & (cf["period"] > last_complete_month(as_of))
    grows = (cf.loc[rows, "planned_cost"] * (s.costs - 1)).groupby(cf.loc[rows, "project_id"]).sum()
    cf = cf.copy()
    cf.loc[rows, "planned_cost"] = cf.loc[rows, "planned_cost"] * s.costs
    cf.loc[rows, "planned_benefit"] = cf.loc[rows, "planned_benefit"] * s.benefits
    out.cashflows = cf
    out.projects = projects.assign(budget=projects["budget"] + projects["project_id"].map(grows).fillna(0.0))


def _cancel(out: Portfolio, ids: Iterable[str], as_of: pd.Timestamp) -> None:
    ids = list(ids)
    projects = out.table("projects").copy()
    projects.loc[projects["project_id"].isin(ids), "status"] = "cancelled"
    out.projects = projects
    if out.cashflows is not None:
        cf = out.cashflows
        out.cashflows = cf.loc[~(cf["project_id"].isin(ids) & (cf["period"] > last_complete_month(as_of)))]
    if out.assignments is not None:
        a = out.assignments
        mine = a["project_id"].isin(ids)
        a = a.loc[~(mine & (a["start_date"] > as_of))].copy()
        mine = a["project_id"].isin(ids)
        a["end_date"] = a["end_date"].where(~mine | (a["end_date"] <= as_of), as_of)
        out.assignments = a


def _add_project(out: Portfolio, a: NewProject) -> None:
    projects = out.table("projects")
    row = {c: pd.NA for c in projects.columns} | {
        "project_id": a.project_id,
        "name": a.name,
        "department": a.department,
        "status": "proposed",
        "start_date": pd.Timestamp(a.start_date),
        "end_date": pd.Timestamp(a.end_date),
        "budget": float(a.budget),
        "strategic_objective": a.strategic_objective,
        "strategic_alignment": a.strategic_alignment,
        "risk_score": a.risk_score,
    }
    if "percent_complete" in projects.columns:
        row["percent_complete"] = 0.0
    new = pd.DataFrame([row]).astype(projects.dtypes.to_dict())
    out.projects = pd.concat([projects, new], ignore_index=True)
    if out.cashflows is None:
        return
    work = pd.date_range(month_start(a.start_date), month_start(a.end_date), freq="MS")
    after = pd.date_range(work[-1] + pd.DateOffset(months=1), periods=a.benefit_months, freq="MS")
    flows = pd.DataFrame(
        {
            "project_id": a.project_id,
            "period": work.append(after),
            "planned_cost": np.r_[np.full(len(work), a.budget / len(work)), np.zeros(len(after))],
            "planned_benefit": np.r_[np.zeros(len(work)), np.full(len(after), a.monthly_benefit)],
        }
    )
    cf = out.cashflows
    flows = flows.reindex(columns=cf.columns).astype(cf.dtypes.to_dict())
    out.cashflows = pd.concat([cf, flows], ignore_index=True)


def _months_later(values: pd.Series, months: pd.Series) -> pd.Series:
    """Each date moved by its own number of whole months (one vectorised step per distinct number);
    the last day of a month stays the last day of its month (2026-09-30 + 3 months = 2026-12-31).
    """
    out = values.copy()
    for m in months.loc[months != 0].unique():
        rows = months == m
        moved = values.loc[rows] + pd.DateOffset(months=int(m))
        month_end = values.loc[rows].dt.is_month_end.fillna(False).astype(bool)
        out.loc[rows] = moved.where(~month_end, moved + pd.offsets.MonthEnd(0))
    return out


def _shift(out: Portfolio, delays: Mapping[str, int], as_of: pd.Timestamp) -> None:
    """Move each project of ``delays`` by its months (see the module docstring)."""
    if not delays:
        return
    projects = out.table("projects")
    by = pd.Series(delays, dtype="int64")
    started = projects.set_index("project_id")["start_date"] <= as_of
    lcm = last_complete_month(as_of)
    m = projects["project_id"].map(by).fillna(0).astype("int64")
    whole = m.where(~projects["project_id"].map(started).fillna(False).astype(bool), 0)
    out.projects = projects.assign(
        start_date=_months_later(projects["start_date"], whole), end_date=_months_later(projects["end_date"], m)
    )

    def months_of(ids: pd.Series, dates: pd.Series, cutoff: pd.Timestamp) -> pd.Series:
        """The months each row moves: all of a project not started, those after ``cutoff`` of one started."""
        n = ids.map(by).fillna(0).astype("int64")
        began = ids.map(started).fillna(False).astype(bool)
        return n.where(~began | (dates > cutoff), 0)

    if out.cashflows is not None:
        cf = out.cashflows
        out.cashflows = cf.assign(period=_months_later(cf["period"], months_of(cf["project_id"], cf["period"], lcm)))
    if out.milestones is not None:
        ms = out.milestones
        moved = {
            c: _months_later(ms[c], months_of(ms["project_id"], ms[c], as_of))
            for c in ("baseline_date", "forecast_date")
            if c in ms.columns
        }
        out.milestones = ms.assign(**moved)
    if out.assignments is not None:
        a = out.assignments
        out.assignments = a.assign(
            start_date=_months_later(a["start_date"], months_of(a["project_id"], a["start_date"], as_of)),
            end_date=_months_later(a["end_date"], months_of(a["project_id"], a["end_date"], as_of)),
        )


def _plan_ends(projects: pd.DataFrame) -> pd.DataFrame:
    """The projects' plan as :func:`~pmo_analysis.analyses.delivery.slip_propagation` reads it: the
    planned end is the forecast end (a scenario moves plans, not forecasts).
    """
    return projects[["project_id", "start_date"]].assign(
        planned_end=projects["end_date"], forecast_end=projects["end_date"]
    )


def _whole_months(end: pd.Timestamp, days: float) -> int:
    """The fewest whole months that move ``end`` by at least ``days`` days (as :func:`_months_later` moves it)."""
    k = max(int(days // 31), 0)
    one = pd.Series([pd.Timestamp(end)])
    while _months_later(one, pd.Series([k]))[0] < end + pd.Timedelta(days=days):
        k += 1
    return k


def delays_with_successors(portfolio: Portfolio, delays: Iterable[Delay], *, as_of) -> dict[str, int]:
    """The months each project moves: those the scenario delays (a department's open projects
    each), then their successors, level by level down the dependency network, by the whole months
    that cover the slip the delays add to them (see the module docstring).

    Examples
    --------
    PRJ-010 (ends 2026-10-31) moves 3 months; PRJ-034 waits for it (finish to start), and
    PRJ-013 starts 60 days after PRJ-034 starts:

    >>> from pmo_analysis import load_portfolio
    >>> from pmo_analysis.core.config import SAMPLE_DATA_DIR
    >>> p = load_portfolio(SAMPLE_DATA_DIR)
    >>> delays_with_successors(p, [Delay(3, project="PRJ-010")], as_of="2026-06-30")
    {'PRJ-010': 3, 'PRJ-034': 3, 'PRJ-013': 3}
    """
    as_of = pd.Timestamp(as_of)
    projects = portfolio.table("projects")
    direct: dict[str, int] = {}
    for d in delays:
        if d.project is not None:
            ids = [d.project]
        else:
            mine = (projects["department"] == d.department) & projects["status"].isin(_OPEN)
            ids = list(projects.loc[mine, "project_id"])
        for pid in ids:
            direct[pid] = max(direct.get(pid, 0), d.months)
    deps = portfolio.dependencies
    if deps is None or not len(deps) or not direct:
        return direct
    network = D.dependency_network(deps, projects)
    if not len(network):
        return direct
    import networkx as nx  # here, as in the delivery analysis: only a scenario with a dependency network needs it

    graph = nx.DiGraph()
    graph.add_edges_from(network[["predecessor_id", "successor_id"]].itertuples(index=False, name=None))
    # only the delayed projects' successors can move: the network down from them, with every
    # predecessor of those successors (their constraints count too)
    reached = set().union(*(nx.descendants(graph, pid) for pid in direct if pid in graph))
    if not reached:
        return direct
    network = network.loc[network["successor_id"].isin(reached)]
    graph = graph.edge_subgraph(network[["predecessor_id", "successor_id"]].itertuples(index=False, name=None))
    projects = projects.loc[projects["project_id"].isin(list(graph.nodes))]
    base, _ = D.slip_propagation(_plan_ends(projects), network)
    base_slip = base.set_index("project_id")["propagated_slip_days"]
    moves = dict(direct)
    for level in list(nx.topological_generations(graph))[1:]:
        trial = Portfolio(portfolio.data_dir, projects=projects)  # the dates of the projects are enough here
        _shift(trial, {k: v for k, v in moves.items() if k in graph}, as_of)
        slip, _ = D.slip_propagation(_plan_ends(trial.table("projects")), network)
        slip = slip.set_index("project_id")
        added = slip["propagated_slip_days"] - base_slip
        for pid in sorted(level):
            days = float(added.get(pid, 0.0))
            if days > 0:
                k = _whole_months(slip.loc[pid, "planned_end"], days)
                if k:
                    moves[pid] = moves.get(pid, 0) + k
    return moves


def _people(out: Portfolio, x: People, *, number: int) -> None:
    res = out.table("resources")
    start = pd.Timestamp(x.start)
    if x.count < 0:
        gone = removable(res, x).iloc[: -x.count]
        res = res.copy()
        res.loc[res["resource_id"].isin(gone), "active_to"] = start - pd.Timedelta(days=1)
        out.resources = res
        return
    same = res.loc[res["role"] == x.role]
    department = x.department or str(same["department"].mode().sort_values().iloc[0])
    hours = (
        x.weekly_capacity_hours
        if x.weekly_capacity_hours is not None
        else float(same["weekly_capacity_hours"].median())
    )
    cost = x.hourly_cost if x.hourly_cost is not None else same["hourly_cost"].median()
    new = pd.DataFrame(
        {
            "resource_id": [f"SCN-{number}-{i}" for i in range(1, x.count + 1)],
            "name": [f"{x.role} (scenario) {i}" for i in range(1, x.count + 1)],
            "role": x.role,
            "department": department,
            "weekly_capacity_hours": hours,
            "hourly_cost": cost,
            "active_from": start,
            "active_to": pd.NaT,
        }
    )
    new = new.reindex(columns=res.columns).astype(res.dtypes.to_dict())
    out.resources = pd.concat([res, new], ignore_index=True)


# --------------------------------------------------------------------------- comparing with the base
#: The headline figures a scenario is compared on, in the order the report shows them.
HEADLINE_FIGURES = (
    "portfolio_npv",
    "remaining_npv",
    "budget_cap",
    "funded_need",
    "cash_need_p50",
    "cash_need_p80",
    "off_track",
    "delayed_projects",
)


def headline_changes(
    base: Mapping[str, pd.DataFrame], scenarios: Mapping[str, Mapping[str, pd.DataFrame]]
) -> pd.DataFrame:
    """The headline figures of the base and of each scenario side by side: one row per figure
    (:data:`HEADLINE_FIGURES`), a column ``base``, then per scenario its value and its change
    (``<name>`` and ``<name> change``). A figure the model has not got is n/a (NaN), never 0.

    ``base`` and each scenario are the tables of a model (``model.tables``).
    """

    def figures(tables: Mapping[str, pd.DataFrame]) -> pd.Series:
        h = tables["headline"].iloc[0]
        return pd.Series({f: float(h[f]) if f in h.index else np.nan for f in HEADLINE_FIGURES}, dtype=float)

    out = pd.DataFrame({"figure": list(HEADLINE_FIGURES), "base": figures(base).to_numpy()})
    for name, tables in scenarios.items():
        v = figures(tables).to_numpy()
        out[name] = v
        out[f"{name} change"] = v - out["base"].to_numpy()
    return out


def cash_need_by_quarter(tables: Mapping[str, pd.DataFrame], *, as_of) -> pd.DataFrame:
    """Cash need by quarter after as_of: the forecast net outflow (forecast cost - forecast
    benefit) of the portfolio's months in each quarter after the last complete month; a negative
    need is a net inflow. Returns quarter (``2026Q3``), net_cash_need (every project, cost less
    benefit), and cash_need_p50 and cash_need_p80: the running projects' spend alone (no benefit) in
    the quarter at the 50th and 80th percentile, from the model's forecast (its ``cash_need`` table,
    each model its own Monte Carlo). Each quarter's percentile is its own: the headline's P80 over
    four quarters is the percentile of their sum, not the sum of theirs. A quarter the forecast does
    not cover, or a model without it, has n/a there, never 0.

    >>> cf = pd.DataFrame({"period": pd.to_datetime(["2026-07-31", "2026-08-31", "2026-10-31", "2027-10-31"]),
    ...                    "forecast_net": [-10.0, -5.0, 3.0, -1.0]})
    >>> fc = pd.DataFrame({"quarter": ["2026-Q3", "2026-Q4", "total"], "p50": [14.0, 2.0, 16.0],
    ...                    "p80": [18.0, 4.0, 22.0]})
    >>> cash_need_by_quarter({"cashflow": cf, "cash_need": fc}, as_of="2026-06-30").values.tolist()
    [['2026Q3', 15.0, 14.0, 18.0], ['2026Q4', -3.0, 2.0, 4.0], ['2027Q4', 1.0, nan, nan]]
    """
    cf = tables.get("cashflow")
    if cf is None or not len(cf):
        return pd.DataFrame(
            {
                "quarter": pd.Series(dtype=object),
                "net_cash_need": pd.Series(dtype=float),
                "cash_need_p50": pd.Series(dtype=float),
                "cash_need_p80": pd.Series(dtype=float),
            }
        )
    ahead = cf.loc[pd.to_datetime(cf["period"]) > last_complete_month(as_of)]
    q = pd.to_datetime(ahead["period"]).dt.to_period("Q").astype(str)
    need = (-ahead["forecast_net"]).groupby(q.to_numpy()).sum()
    out = pd.DataFrame({"quarter": need.index.astype(str), "net_cash_need": need.to_numpy(dtype=float)})
    fc = tables.get("cash_need")
    ranges = pd.DataFrame(columns=["p50", "p80"], dtype=float)
    if fc is not None and len(fc):
        ranges = fc.loc[fc["quarter"] != "total"].assign(quarter=lambda f: f["quarter"].str.replace("-", ""))
        ranges = ranges.set_index("quarter")[["p50", "p80"]].astype(float)
    out["cash_need_p50"] = out["quarter"].map(ranges["p50"]).astype(float)
    out["cash_need_p80"] = out["quarter"].map(ranges["p80"]).astype(float)
    return out


def capacity_gaps(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Capacity gap by role over the forward window (``capacity_by_role``: capacity - demand, in
    hours and FTE; negative = short); an empty table where the model has no resources part.
    """
    t = tables.get("capacity_by_role")
    if t is None:
        return pd.DataFrame(columns=["role", "capacity_hours", "demand_hours", "gap_hours", "gap_fte"])
    return t[["role", "capacity_hours", "demand_hours", "gap_hours", "gap_fte"]].reset_index(drop=True)


_BUDGET = ("fund", "continue", "re-scope", "re-plan", "defer")


def decision_changes(
    base: Mapping[str, pd.DataFrame],
    scenario: Mapping[str, pd.DataFrame],
    *,
    cap_before: float,
    cap_after: float,
    objective: str = "score",
    cancelled: Iterable[str] = (),
    added: Iterable[str] = (),
) -> pd.DataFrame:
    """Every project whose decision differs between the base and the scenario, and why.

    Returns project_id, name, decision_before, decision_after ("" for a project one side has
    not got) and reason: the reasons of the change, worded by :mod:`pmo_analysis.core.wording`:

    * a project the scenario cancels or adds says so;
    * a change between funded and deferred says what moved (the need, the priority score or the
      remaining NPV, whichever the selection ranks by) and whether the need now fits the cap;
    * any other change (a rule fires or no longer fires) gives the scenario's reasons for its decision.

    ``base`` and ``scenario`` are the tables of two models (their ``decisions``); ``cap_before``
    and ``cap_after`` their budget caps.
    """
    cols = ["project_id", "name", "decision", "funded", "funding_need", "remaining_npv", "score", "reason"]
    b = base["decisions"][cols].set_index("project_id")
    s = scenario["decisions"][cols].set_index("project_id")
    ids = b.index.union(s.index, sort=False)
    b, s = b.reindex(ids), s.reindex(ids)
    before, after = b["decision"].fillna(""), s["decision"].fillna("")
    changed = before != after
    b, s, before, after = b.loc[changed], s.loc[changed], before.loc[changed], after.loc[changed]
    index = before.index
    cancelled_ = index.isin(list(cancelled))
    added_ = index.isin(list(added))
    budget = before.isin(_BUDGET) & after.isin(_BUDGET) & ~cancelled_ & ~added_
    need_b, need_s = b["funding_need"].astype(float), s["funding_need"].astype(float)
    moved_need = budget & ~np.isclose(need_b, need_s, rtol=1e-9, atol=0.5)
    value = "score" if objective == "score" else "remaining_npv"
    vb, vs = b[value].astype(float), s[value].astype(float)
    # a move the reader can see: a whole point of score, or a currency unit of NPV
    moved_value = budget & (vb.round() != vs.round()) & ~(vb.isna() & vs.isna())
    now_funded = s["funded"].fillna(False).astype(bool)
    moved = (
        Reason("scenario_score_moved", before=vb, after=vs)
        if value == "score"
        else Reason("scenario_npv_moved", before=vb, after=vs)
    )
    reason = join(
        [
            (cancelled_, Reason("scenario_cancelled")),
            (added_, Reason("scenario_added")),
            (moved_need, Reason("scenario_need_moved", before=need_b, after=need_s)),
            (moved_value, moved),
            (budget & ~now_funded, Reason("scenario_no_longer_fits", need=need_s, cap=cap_after)),
            (budget & now_funded, Reason("scenario_now_fits", need=need_s, cap=cap_after)),
            (~budget & ~cancelled_ & ~added_, Reason("scenario_rules", reasons=s["reason"].fillna(""))),
        ],
        index=index,
    )
    out = pd.DataFrame(
        {
            "project_id": index.astype(str),
            "name": s["name"].fillna(b["name"]).astype(object).to_numpy(),
            "decision_before": before.to_numpy(),
            "decision_after": after.to_numpy(),
            "reason": reason.to_numpy(),
        }
    )
    return out.sort_values("project_id", kind="stable").reset_index(drop=True)


def change_sentences(changes: pd.DataFrame) -> pd.Series:
    """Each change as one sentence: ``PRJ-029 fund → defer: its need of $1.6M no longer fits the cap of $9.0M``."""
    if not len(changes):
        return pd.Series([], dtype=object)
    return word(
        Reason(
            "scenario_change",
            project=changes["project_id"],
            before=changes["decision_before"],
            after=changes["decision_after"],
            reason=changes["reason"],
        )
    ).str.replace("  ", " ", regex=False)  # a project one side has not got has no decision there
