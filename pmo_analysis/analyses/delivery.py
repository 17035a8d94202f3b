"""Delivery across projects: dependencies and slip propagation, milestones, risks and issues,
benefits realization. Pure functions: DataFrames in, new DataFrames out, no I/O, no plotting.

Definitions (``docs/definitions.md``, "Delivery", says the same in words). Dates are calendar
dates; a slip is counted in calendar days. Only what is known at ``as_of`` counts: milestone
status reports dated after it, and risks raised after it, are left out.

Milestone current date
    From the milestone's newest status report on or before as_of (a row without status_date is
    the only report of its milestone): the actual date when reached by as_of, else the forecast
    date, else the baseline date; a milestone not reached whose date has passed counts at as_of
    (it cannot be reached earlier). ``slip_days = current date - baseline date``.
Milestone state
    *reached on time* (actual <= baseline), *reached late* (actual > baseline), *missed* (baseline
    before as_of and not reached), *slipping* (not due yet, forecast after baseline), *on track*.
    A milestone is *due* when its baseline is on or before as_of; the on-time rate of a group is
    (due milestones reached on or before their baseline) / (due milestones): a ratio of sums.
Project forecast end (own)
    The later of the planned end (``projects.end_date``) and the latest current date of its
    milestones. ``own_slip_days = own forecast end - planned end`` (>= 0).
Dependency constraint, conflict and slip
    finish_to_start: the successor's start must be on or after the day after the predecessor's
    forecast end, + lag (an end date is the last day of work); start_to_start: its start on or
    after the predecessor's start + lag; finish_to_finish: its end on or after the predecessor's
    forecast end + lag. The successor's date compared is its
    planned start (its own forecast end for finish_to_finish). ``slip_days`` = the constraint
    date - that date; a *conflict* is a dependency with ``slip_days > 0``. Dependencies of a
    cancelled predecessor, and of a completed or cancelled successor, are left out.
Slip propagation
    A successor's start moves by its largest start conflict (its duration is kept), its end by the
    largest of that move and its finish conflicts: forecast end with dependencies = max(own
    forecast end, planned end + start move, finish constraint). ``propagated_slip_days`` = forecast
    end with dependencies - own forecast end; ``total_slip_days`` = forecast end with dependencies
    - planned end. Predecessors are settled before their successors (topological order), so a
    45-day slip of A moves B, and through B, C. ``delayed_by`` is the predecessor of the largest
    conflict; ``delay_path`` the chain from the project where the slip starts.
Longest dependency chain
    The path through the most projects in the dependency network.
Risk exposure
    ``exposure = probability x impact_cost``; an issue has happened, so an empty probability is 1.
    A risk is open at as_of when its status is open, or its closed_date is after as_of. Overdue:
    open with due_date before as_of. Issue age: as_of - raised_date while open, closed_date -
    raised_date once closed. A project's open exposure share = open exposure / budget.
Benefits realization (completed projects)
    Planned to date: planned benefit of the months up to the last complete month. Realized to
    date: the actual benefit reported for those months (a month without a report realizes
    nothing and is counted in ``months_unreported``). ``realization = realized / planned``,
    ``shortfall = max(planned - realized, 0)``; a group's realization is a ratio of sums.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pmo_analysis.core.config import CLOSED_STATUSES, ROADMAP_TOP_N, RUNNING_STATUSES
from pmo_analysis.core.periods import last_complete_month

__all__ = [
    "MILESTONE_STATES",
    "PROBABILITY_BANDS",
    "IMPACT_BANDS",
    "milestone_history",
    "milestone_status",
    "on_time_rate",
    "forecast_ends",
    "dependency_network",
    "slip_propagation",
    "slip_for_readers",
    "longest_chain",
    "risk_register",
    "project_exposure",
    "exposure_by_department",
    "risk_heatmap",
    "benefits_realization",
    "roadmap_projects",
]

MILESTONE_STATES = ("missed", "reached late", "slipping", "on track", "reached on time")
#: Probability bands of the heat map (lower edges; the last band includes 1).
PROBABILITY_BANDS = (0.0, 0.2, 0.4, 0.6, 0.8)
#: Impact bands of the heat map: impact_cost as a share of the project's budget (lower edges).
IMPACT_BANDS = (0.0, 0.01, 0.025, 0.05, 0.10)
_DAY = np.timedelta64(1, "D")


def _days(delta: pd.Series[pd.Timedelta]) -> pd.Series:
    """Whole calendar days of a timedelta column (NaN where missing)."""
    return delta / pd.Timedelta(days=1)


# --------------------------------------------------------------------------- milestones
def milestone_history(milestones: pd.DataFrame, *, as_of) -> pd.DataFrame:
    """Every status report of every milestone known at ``as_of``, oldest first, with the date
    each report gives (``reported_date``: actual when reached by its status date, else forecast,
    else baseline). The data of the milestone trend analysis (MTA) chart.

    A row without status_date is dated ``as_of`` (the only report of its milestone).

    Examples
    --------
    >>> m = pd.DataFrame({"project_id": ["P", "P"], "milestone_id": ["M1", "M1"], "name": ["Go-live"] * 2,
    ...                   "baseline_date": pd.to_datetime(["2026-06-01"] * 2),
    ...                   "forecast_date": pd.to_datetime(["2026-06-15", "2026-07-15"]),
    ...                   "actual_date": pd.NaT, "status_date": pd.to_datetime(["2026-03-31", "2026-05-31"])})
    >>> milestone_history(m, as_of="2026-06-30")["reported_date"].dt.strftime("%Y-%m-%d").tolist()
    ['2026-06-15', '2026-07-15']
    """
    as_of = pd.Timestamp(as_of)
    m = milestones.copy()
    for c in ("forecast_date", "actual_date", "status_date"):
        if c not in m.columns:
            m[c] = pd.NaT
    m["status_date"] = m["status_date"].fillna(as_of)
    m = m.loc[m["status_date"] <= as_of]
    reached = m["actual_date"].notna() & (m["actual_date"] <= m["status_date"])
    m["reached"] = reached
    m["reported_date"] = m["actual_date"].where(reached, m["forecast_date"]).fillna(m["baseline_date"])
    return m.sort_values(["project_id", "milestone_id", "status_date"]).reset_index(drop=True)


def milestone_status(milestones: pd.DataFrame, projects: pd.DataFrame, *, as_of) -> pd.DataFrame:
    """Each milestone as its newest report at ``as_of`` gives it, with its slip and state.

    Returns project_id, name (of the project), department, milestone_id, milestone, baseline_date,
    forecast_date, actual_date, status_date, current_date, slip_days, state, due, on_time,
    slipped, missed, forecast_changes (how often the forecast date moved), worst first.

    Examples
    --------
    >>> p = pd.DataFrame({"project_id": ["P"], "name": ["Portal"], "department": ["IT"]})
    >>> m = pd.DataFrame({"project_id": ["P", "P"], "milestone_id": ["M1", "M2"], "name": ["Design", "Go-live"],
    ...                   "baseline_date": pd.to_datetime(["2026-03-01", "2026-06-01"]),
    ...                   "forecast_date": pd.NaT, "actual_date": pd.to_datetime(["2026-03-11", None]),
    ...                   "status_date": pd.to_datetime(["2026-05-31", "2026-05-31"])})
    >>> milestone_status(m, p, as_of="2026-06-30")[["milestone_id", "slip_days", "state"]].values.tolist()
    [['M2', 29.0, 'missed'], ['M1', 10.0, 'reached late']]
    """
    as_of = pd.Timestamp(as_of)
    h = milestone_history(milestones, as_of=as_of)
    key = ["project_id", "milestone_id"]
    changes = h.groupby(key, sort=False)["reported_date"].nunique().sub(1).rename("forecast_changes")
    # merged, not joined: a join on an empty text index has no type to join on (no milestone yet)
    cur = h.drop_duplicates(key, keep="last").merge(changes.reset_index(), on=key, how="left")
    reached = cur["reached"]
    cur["current_date"] = cur["reported_date"]
    # a milestone not reached and past its baseline slips at least to the as-of date
    cur.loc[~reached & (cur["current_date"] < as_of), "current_date"] = as_of
    cur["slip_days"] = _days(cur["current_date"] - cur["baseline_date"])
    due = cur["baseline_date"] <= as_of
    late = reached & (cur["actual_date"] > cur["baseline_date"])
    cur["state"] = np.select(
        [reached & ~late, late, ~reached & due, ~reached & (cur["slip_days"] > 0)],
        ["reached on time", "reached late", "missed", "slipping"],
        "on track",
    )
    cur["due"] = due
    cur["on_time"] = due & reached & ~late
    cur["slipped"] = cur["slip_days"] > 0
    cur["missed"] = cur["state"] == "missed"
    cur = cur.rename(columns={"name": "milestone"}).merge(
        projects[["project_id", "name", "department"]], on="project_id", how="left"
    )
    cur["_o"] = cur["state"].map({s: i for i, s in enumerate(MILESTONE_STATES)})
    cur = cur.sort_values(["_o", "slip_days", "project_id", "milestone_id"], ascending=[True, False, True, True])
    cols = [
        "project_id",
        "name",
        "department",
        "milestone_id",
        "milestone",
        "baseline_date",
        "forecast_date",
        "actual_date",
        "status_date",
        "current_date",
        "slip_days",
        "state",
        "due",
        "on_time",
        "slipped",
        "missed",
        "forecast_changes",
    ]
    return cur[cols].reset_index(drop=True)


def on_time_rate(status: pd.DataFrame, *, by: str | None = None) -> pd.DataFrame:
    """Due milestones, those reached on time, missed and slipped, and the on-time rate (a ratio
    of sums) per ``by`` group, or for the portfolio (one row) when ``by`` is None.

    Examples
    --------
    >>> s = pd.DataFrame({"department": ["A", "A", "B"], "due": [True, True, False],
    ...                   "on_time": [True, False, False], "missed": [False, True, False],
    ...                   "slipped": [False, True, True]})
    >>> on_time_rate(s, by="department")[["department", "due", "on_time_rate"]].values.tolist()
    [['A', 2, 0.5], ['B', 0, nan]]
    """
    df = status.assign(_all="portfolio") if by is None else status
    g = (
        df.groupby(by or "_all", sort=True, observed=True)
        .agg(
            milestones=("due", "size"),
            due=("due", "sum"),
            on_time=("on_time", "sum"),
            missed=("missed", "sum"),
            slipped=("slipped", "sum"),
        )
        .reset_index()
    )
    for c in ("due", "on_time", "missed", "slipped"):
        g[c] = g[c].astype("int64")
    g["on_time_rate"] = (g["on_time"] / g["due"].where(g["due"] > 0)).astype(float)
    return g.drop(columns="_all", errors="ignore")


# --------------------------------------------------------------------------- dependencies
def forecast_ends(projects: pd.DataFrame, status: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each project's planned end, the latest current date of its milestones and its own forecast
    end (the later of the two), with ``own_slip_days``.

    ``status`` is :func:`milestone_status` (None: no milestones, the forecast end is the plan).
    """
    out = projects[["project_id", "name", "department", "status", "start_date", "end_date"]].rename(
        columns={"end_date": "planned_end"}
    )
    if status is not None and len(status):
        last = status.groupby("project_id")["current_date"].max().rename("milestone_end")
        out = out.join(last, on="project_id")
    else:
        out["milestone_end"] = pd.NaT
    out["forecast_end"] = out[["planned_end", "milestone_end"]].max(axis=1)
    out["own_slip_days"] = _days(out["forecast_end"] - out["planned_end"])
    return out.reset_index(drop=True)


def dependency_network(dependencies: pd.DataFrame, projects: pd.DataFrame) -> pd.DataFrame:
    """The dependencies that constrain work still to do: type filled in (finish_to_start), lag
    filled in (0), those of a cancelled predecessor or a completed or cancelled successor left
    out, one row per (predecessor, successor).
    """
    d = dependencies.copy()
    d["type"] = d["type"].fillna("finish_to_start") if "type" in d else "finish_to_start"
    d["lag_days"] = d["lag_days"].fillna(0.0) if "lag_days" in d else 0.0
    if "description" not in d:
        d["description"] = pd.NA
    status = projects.set_index("project_id")["status"]
    keep = (~d["predecessor_id"].map(status).eq("cancelled")) & ~d["successor_id"].map(status).isin(CLOSED_STATUSES)
    d = d.loc[keep & (d["predecessor_id"] != d["successor_id"])]
    d = d.drop_duplicates(["predecessor_id", "successor_id"])
    return d[["predecessor_id", "successor_id", "type", "lag_days", "description"]].reset_index(drop=True)


def slip_propagation(ends: pd.DataFrame, network: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Propagate slip down the dependency network (see the module docstring).

    ``ends`` is :func:`forecast_ends`, ``network`` :func:`dependency_network` (acyclic: the data
    contract refuses cycles). Returns ``(projects, dependencies)``:

    * projects: ``ends`` with forecast_start, forecast_end_with_dependencies,
      propagated_slip_days, total_slip_days, delayed_by, root_cause, delay_path;
    * dependencies: each dependency with the predecessor's forecast date, the successor's date
      it is compared with, constraint_date, slip_days, conflict and path (from the project where
      the slip starts to the successor).

    Examples
    --------
    A slips 45 days; B waits for A (finish to start), C waits for B:

    >>> d = pd.to_datetime
    >>> ends = pd.DataFrame({"project_id": ["A", "B", "C"], "start_date": d(["2026-01-01", "2026-07-01", "2026-10-01"]),
    ...                      "planned_end": d(["2026-06-30", "2026-09-30", "2026-12-31"]),
    ...                      "forecast_end": d(["2026-08-14", "2026-09-30", "2026-12-31"])})
    >>> net = pd.DataFrame({"predecessor_id": ["A", "B"], "successor_id": ["B", "C"],
    ...                     "type": "finish_to_start", "lag_days": 0.0})
    >>> p, deps = slip_propagation(ends, net)
    >>> p[["project_id", "propagated_slip_days", "delay_path"]].values.tolist()
    [['A', 0.0, ''], ['B', 45.0, 'A -> B'], ['C', 45.0, 'A -> B -> C']]
    """
    p = ends.set_index("project_id")
    start = p["start_date"].copy()
    end = p["forecast_end"].copy()
    delayed_by = pd.Series("", index=p.index, dtype=object)
    path = pd.Series("", index=p.index, dtype=object)
    cols = ["predecessor_id", "successor_id", "type", "lag_days"]
    net = network[cols + [c for c in network.columns if c not in cols]].copy()
    import networkx as nx  # here: a report kernel that draws only needs none of it (0.35 s to import)

    graph = nx.DiGraph()
    graph.add_edges_from(net[["predecessor_id", "successor_id"]].itertuples(index=False, name=None))
    level = {n: i for i, gen in enumerate(nx.topological_generations(graph)) for n in gen}
    net["_level"] = net["successor_id"].map(level)
    done = []
    for lv in sorted(net["_level"].unique()):  # one vectorised step per level of the network
        e = net.loc[net["_level"] == lv].copy()
        is_start = e["type"].isin(["finish_to_start", "start_to_start"]).to_numpy()
        pred_date = np.where(
            e["type"] == "start_to_start", start.reindex(e["predecessor_id"]), end.reindex(e["predecessor_id"])
        )
        e["predecessor_date"] = pd.to_datetime(pred_date)
        e["successor_date"] = np.where(
            is_start, p["start_date"].reindex(e["successor_id"]), p["forecast_end"].reindex(e["successor_id"])
        )
        e["successor_date"] = pd.to_datetime(e["successor_date"])
        # a finish date is the last working day: a finish-to-start successor starts the day after
        after = np.where(e["type"] == "finish_to_start", 1.0, 0.0)
        e["constraint_date"] = e["predecessor_date"] + pd.to_timedelta(e["lag_days"] + after, unit="D")
        e["slip_days"] = _days(e["constraint_date"] - e["successor_date"])
        e["conflict"] = e["slip_days"] > 0
        pred_path = path.reindex(e["predecessor_id"]).to_numpy()
        e["path"] = np.where(pred_path == "", e["predecessor_id"], pred_path) + " -> " + e["successor_id"]
        start_move = e.loc[is_start & e["conflict"]].groupby("successor_id")["slip_days"].max()
        finish = e.loc[~is_start].groupby("successor_id")["constraint_date"].max()
        succ = pd.Index(e["successor_id"].unique())
        moved_start = p.loc[succ, "start_date"] + pd.to_timedelta(start_move.reindex(succ).fillna(0), unit="D")
        moved_end = pd.concat(
            [
                p.loc[succ, "forecast_end"],
                p.loc[succ, "planned_end"] + pd.to_timedelta(start_move.reindex(succ).fillna(0), unit="D"),
                finish.reindex(succ),
            ],
            axis=1,
        ).max(axis=1)
        start.loc[succ], end.loc[succ] = moved_start, moved_end
        worst = (
            e.loc[e["conflict"]]
            .sort_values(["slip_days", "predecessor_id"], ascending=[False, True])
            .drop_duplicates("successor_id")
            .set_index("successor_id")
        )
        slipped = worst.index[(moved_end.reindex(worst.index) > p.loc[worst.index, "forecast_end"]).to_numpy()]
        delayed_by.loc[slipped] = worst.loc[slipped, "predecessor_id"]
        path.loc[slipped] = worst.loc[slipped, "path"]
        done.append(e)
    out = p.assign(forecast_start=start, forecast_end_with_dependencies=end).reset_index()
    out["propagated_slip_days"] = _days(out["forecast_end_with_dependencies"] - out["forecast_end"])
    out["total_slip_days"] = _days(out["forecast_end_with_dependencies"] - out["planned_end"])
    out["delayed_by"] = delayed_by.reindex(out["project_id"]).to_numpy()
    out["delay_path"] = path.reindex(out["project_id"]).to_numpy()
    out["root_cause"] = out["delay_path"].str.split(" -> ").str[0].where(out["delay_path"] != "", "")
    deps_cols = [
        "predecessor_id",
        "successor_id",
        "type",
        "lag_days",
        "predecessor_date",
        "successor_date",
        "constraint_date",
        "slip_days",
        "conflict",
        "path",
    ]
    deps = pd.concat(done, ignore_index=True) if done else pd.DataFrame(columns=[*deps_cols, "description"])
    deps = deps.sort_values(["slip_days", "predecessor_id", "successor_id"], ascending=[False, True, True])
    extra = [c for c in network.columns if c not in deps_cols and c in deps.columns]
    return out, deps[deps_cols + extra].reset_index(drop=True)


def slip_for_readers(slip: pd.DataFrame, projects: pd.DataFrame) -> pd.DataFrame:
    """The slip table as reports and exports show it: the delivery analysis's intermediate ends
    named for what they are (``end_by_milestones``, the own forecast end; ``end_with_dependencies``)
    and the model's one ``forecast_end`` with its ``forecast_end_source`` (``projects``: the model's
    projects table), so that "forecast end" is the same date in every report.

    >>> d = pd.to_datetime
    >>> slip = pd.DataFrame({"project_id": ["A"], "forecast_end": d(["2026-09-30"]),
    ...                      "forecast_end_with_dependencies": d(["2026-10-31"])})
    >>> projects = pd.DataFrame({"project_id": ["A"], "forecast_end": d(["2026-12-31"]),
    ...                          "forecast_end_source": ["earned_schedule"]})
    >>> slip_for_readers(slip, projects).columns.tolist()
    ['project_id', 'end_by_milestones', 'end_with_dependencies', 'forecast_end', 'forecast_end_source']
    >>> str(slip_for_readers(slip, projects).loc[0, "forecast_end"].date())
    '2026-12-31'
    """
    out = slip.rename(
        columns={"forecast_end": "end_by_milestones", "forecast_end_with_dependencies": "end_with_dependencies"}
    )
    model = projects.set_index("project_id")
    for c in ("forecast_end", "forecast_end_source"):
        if c in model:
            out[c] = out["project_id"].map(model[c])
    if "forecast_end" not in out:
        out["forecast_end"] = out["end_with_dependencies"]
    return out


def longest_chain(network: pd.DataFrame) -> list[str]:
    """The projects of the longest path (most projects) of the dependency network, in order.

    Examples
    --------
    >>> longest_chain(pd.DataFrame({"predecessor_id": ["A", "B", "X"], "successor_id": ["B", "C", "C"]}))
    ['A', 'B', 'C']
    """
    import networkx as nx

    graph = nx.DiGraph()
    edges = network[["predecessor_id", "successor_id"]].sort_values(["predecessor_id", "successor_id"])
    graph.add_edges_from(edges.itertuples(index=False, name=None))
    return [str(n) for n in nx.dag_longest_path(graph, topo_order=nx.lexicographical_topological_sort(graph))]


# --------------------------------------------------------------------------- risks and issues
def _band(values: pd.Series, edges: tuple[float, ...], labels: list[str]) -> pd.Categorical[str]:
    codes = np.searchsorted(np.asarray(edges[1:]), values.to_numpy(dtype=float), side="right")
    return pd.Categorical.from_codes(np.where(values.isna(), -1, codes), categories=pd.Index(labels), ordered=True)


PROBABILITY_LABELS = ["< 20%", "20-40%", "40-60%", "60-80%", ">= 80%"]
IMPACT_LABELS = ["< 1% of budget", "1-2.5%", "2.5-5%", "5-10%", ">= 10% of budget"]


def risk_register(risks: pd.DataFrame, projects: pd.DataFrame, *, as_of) -> pd.DataFrame:
    """Each risk and issue raised by ``as_of``, with exposure, whether it is open, overdue or
    unowned, its age and its heat-map bands, largest open exposure first.

    Returns risk_id, project_id, name, department, kind, title, probability, impact_cost,
    exposure, owner, status, open, overdue, days_overdue, no_owner, raised_date, due_date,
    closed_date, age_days, impact_share, probability_band, impact_band.

    Examples
    --------
    >>> p = pd.DataFrame({"project_id": ["P"], "name": ["Portal"], "department": ["IT"], "budget": [1e6]})
    >>> r = pd.DataFrame({"risk_id": ["R1", "I1"], "project_id": ["P", "P"], "kind": ["risk", "issue"],
    ...                   "title": ["Vendor late", "Outage"], "probability": [0.4, None],
    ...                   "impact_cost": [100_000.0, 30_000.0], "owner": ["Ann", None], "status": ["open", "open"],
    ...                   "raised_date": pd.to_datetime(["2026-01-10", "2026-05-01"]),
    ...                   "due_date": pd.to_datetime(["2026-05-31", "2026-07-31"])})
    >>> cols = ["risk_id", "exposure", "overdue", "no_owner", "age_days"]
    >>> risk_register(r, p, as_of="2026-06-30")[cols].values.tolist()
    [['R1', 40000.0, True, False, 171.0], ['I1', 30000.0, False, True, 60.0]]
    """
    as_of = pd.Timestamp(as_of)
    r = risks.loc[risks["raised_date"] <= as_of].copy()
    for c in ("probability", "owner", "due_date", "closed_date"):
        if c not in r.columns:
            r[c] = pd.NaT if c.endswith("date") else np.nan
    r["probability"] = r["probability"].astype(float).where(~(r["kind"].eq("issue") & r["probability"].isna()), 1.0)
    r["exposure"] = r["probability"] * r["impact_cost"]
    reopened = r["status"].eq("closed") & r["closed_date"].notna() & (r["closed_date"] > as_of)
    r["open"] = r["status"].eq("open") | reopened
    r["overdue"] = r["open"] & (r["due_date"] < as_of).fillna(False)
    r["days_overdue"] = _days(as_of - r["due_date"]).where(r["overdue"])
    owner = r["owner"].astype("string").str.strip()
    r["no_owner"] = r["open"] & (owner.isna() | (owner == "")).to_numpy()
    end = pd.Series(as_of, index=r.index).where(r["open"], r["closed_date"])
    r["age_days"] = _days(end - r["raised_date"])
    r = r.merge(projects[["project_id", "name", "department", "budget"]], on="project_id", how="left")
    r["impact_share"] = r["impact_cost"] / r["budget"].where(r["budget"] > 0)
    r["probability_band"] = _band(r["probability"], PROBABILITY_BANDS, PROBABILITY_LABELS)
    r["impact_band"] = _band(r["impact_share"].fillna(np.inf), IMPACT_BANDS, IMPACT_LABELS)
    r = r.sort_values(["open", "exposure", "risk_id"], ascending=[False, False, True])
    cols = [
        "risk_id",
        "project_id",
        "name",
        "department",
        "kind",
        "title",
        "probability",
        "impact_cost",
        "exposure",
        "owner",
        "status",
        "open",
        "overdue",
        "days_overdue",
        "no_owner",
        "raised_date",
        "due_date",
        "closed_date",
        "age_days",
        "impact_share",
        "probability_band",
        "impact_band",
    ]
    return r[cols].reset_index(drop=True)


def project_exposure(register: pd.DataFrame, projects: pd.DataFrame) -> pd.DataFrame:
    """Per project: open risks and issues, open exposure, overdue and unowned items, and open
    exposure as a share of the budget (every project, zeros where nothing is open).
    """
    o = register.loc[register["open"]]
    # numbers even when nothing is open (an empty group-by keeps the text type of its columns)
    o = pd.DataFrame(
        {
            "project_id": o["project_id"],
            "open_risks": (o["kind"] == "risk").astype("int64"),
            "open_issues": (o["kind"] == "issue").astype("int64"),
            "open_exposure": o["exposure"].astype(float),
            "overdue": o["overdue"].astype("int64"),
            "no_owner": o["no_owner"].astype("int64"),
        }
    )
    g = o.groupby("project_id").sum()
    out = projects[["project_id", "budget"]].join(g, on="project_id")
    for c in ("open_risks", "open_issues", "overdue", "no_owner"):
        out[c] = out[c].fillna(0).astype("int64")
    out["open_exposure"] = out["open_exposure"].fillna(0.0)
    out["exposure_share"] = out["open_exposure"] / out["budget"].where(out["budget"] > 0)
    return out.drop(columns="budget")


def exposure_by_department(register: pd.DataFrame, projects: pd.DataFrame) -> pd.DataFrame:
    """Open exposure, open items, overdue and unowned items per department, and open exposure as
    a share of the department's budget (a ratio of sums), largest exposure first.
    """
    o = register.loc[register["open"]]
    g = o.groupby("department").agg(
        open_items=("risk_id", "size"),
        open_exposure=("exposure", "sum"),
        overdue=("overdue", "sum"),
        no_owner=("no_owner", "sum"),
    )
    budget = projects.groupby("department")["budget"].sum()
    g = g.join(budget).reset_index()
    g["exposure_share"] = g["open_exposure"] / g["budget"].where(g["budget"] > 0)
    g[["overdue", "no_owner"]] = g[["overdue", "no_owner"]].astype("int64")
    return g.sort_values("open_exposure", ascending=False).reset_index(drop=True)


def risk_heatmap(register: pd.DataFrame) -> pd.DataFrame:
    """Open risks and issues per probability band and impact band (every cell, empty ones as 0):
    probability_band, impact_band, items, exposure.
    """
    o = register.loc[register["open"]]
    g = (
        o.groupby(["probability_band", "impact_band"], observed=False)
        .agg(items=("risk_id", "size"), exposure=("exposure", "sum"))
        .reset_index()
    )
    g["items"] = g["items"].astype("int64")
    return g


# --------------------------------------------------------------------------- benefits
def benefits_realization(projects: pd.DataFrame, cashflows: pd.DataFrame, *, as_of) -> pd.DataFrame:
    """Realized against planned benefit to date of each completed project, largest shortfall
    first (see the module docstring).

    Returns project_id, name, department, end_date, planned_to_date, realized_to_date,
    realization, shortfall, months_unreported, planned_total.

    Examples
    --------
    >>> p = pd.DataFrame({"project_id": ["P"], "name": ["Portal"], "department": ["IT"], "status": ["completed"],
    ...                   "end_date": pd.to_datetime(["2026-01-31"])})
    >>> cf = pd.DataFrame({"project_id": "P", "period": pd.to_datetime(["2026-04-01", "2026-05-01", "2026-06-01",
    ...                    "2026-07-01"]), "planned_benefit": 100.0, "actual_benefit": [80.0, 50.0, None, None]})
    >>> benefits_realization(p, cf, as_of="2026-06-30")[["planned_to_date", "realized_to_date", "realization",
    ...                                                  "shortfall", "months_unreported"]].values.tolist()
    [[300.0, 130.0, 0.43333333333333335, 170.0, 1.0]]
    """
    lcm = last_complete_month(as_of)
    done = projects.loc[projects["status"] == "completed", ["project_id", "name", "department", "end_date"]]
    cf = cashflows.loc[cashflows["project_id"].isin(done["project_id"])]
    actual = cf["actual_benefit"] if "actual_benefit" in cf else pd.Series(np.nan, index=cf.index)
    past = (cf["period"] <= lcm).to_numpy()
    f = pd.DataFrame(
        {
            "project_id": cf["project_id"],
            "planned_to_date": cf["planned_benefit"].where(past, 0.0),
            "realized_to_date": actual.where(past).fillna(0.0),
            "months_unreported": past & actual.isna().to_numpy() & (cf["planned_benefit"] > 0).to_numpy(),
            "planned_total": cf["planned_benefit"],
        }
    )
    g = f.groupby("project_id").sum()
    out = done.join(g, on="project_id")
    for c in ("planned_to_date", "realized_to_date", "planned_total"):
        out[c] = out[c].fillna(0.0).astype(float)
    out["months_unreported"] = out["months_unreported"].fillna(0).astype("int64")
    out["realization"] = out["realized_to_date"] / out["planned_to_date"].where(out["planned_to_date"] > 0)
    out["shortfall"] = (out["planned_to_date"] - out["realized_to_date"]).clip(lower=0)
    out = out.sort_values(["shortfall", "project_id"], ascending=[False, True])
    cols = [
        "project_id",
        "name",
        "department",
        "end_date",
        "planned_to_date",
        "realized_to_date",
        "realization",
        "shortfall",
        "months_unreported",
        "planned_total",
    ]
    return out[cols].reset_index(drop=True)


def roadmap_projects(
    projects: pd.DataFrame, slip: pd.DataFrame | None = None, *, top_n: int = ROADMAP_TOP_N
) -> tuple[pd.DataFrame, int]:
    """The running and proposed projects the roadmap draws, and how many more it leaves out.

    The ``top_n`` with the most at stake: off track first, then at risk, then waiting for data
    (``health_rank``), then on-track and proposed projects by budget (BAC), largest first; ties
    by project id. Each row has its plan (``start_date`` to ``end_date``) and its forecast:
    ``forecast_start`` (moved by a dependency, from ``slip``) to ``forecast_end`` (the model's,
    with milestones and dependencies). Rows come in the order of the forecast start.

    ``projects`` is the model's projects table (health_rank, bac, forecast_end), ``slip`` its
    ``slip`` table or ``None``.

    Examples
    --------
    >>> d = pd.to_datetime
    >>> p = pd.DataFrame({"project_id": ["A", "B", "C", "D"], "name": list("abcd"),
    ...                   "status": ["active", "proposed", "active", "completed"],
    ...                   "health": ["on track", None, "off track", None], "health_rank": [3, None, 0, None],
    ...                   "bac": [5.0, 9.0, 1.0, 7.0], "end_date": d(["2026-12-31"] * 4),
    ...                   "start_date": d(["2026-01-01", "2026-09-01", "2025-06-01", "2025-01-01"]),
    ...                   "forecast_end": d(["2026-12-31"] * 4)})
    >>> rows, rest = roadmap_projects(p, top_n=2)
    >>> rows["project_id"].tolist(), rest
    (['C', 'B'], 1)
    """
    open_ = projects.loc[projects["status"].isin((*RUNNING_STATUSES, "proposed"))].copy()
    rank = open_["health_rank"] if "health_rank" in open_ else pd.Series(np.nan, index=open_.index)
    open_["_stake"] = pd.to_numeric(rank, errors="coerce").fillna(3.0).clip(upper=3.0)
    budget = open_["bac"] if "bac" in open_ else open_["budget"]  # the model's BAC, or the data's budget
    open_["_bac"] = pd.to_numeric(budget, errors="coerce").fillna(0.0)
    chosen = open_.sort_values(["_stake", "_bac", "project_id"], ascending=[True, False, True]).head(top_n)
    if "forecast_end" not in chosen:
        chosen["forecast_end"] = chosen["end_date"]
    chosen["forecast_end"] = chosen["forecast_end"].fillna(chosen["end_date"])
    starts = None if slip is None else slip.set_index("project_id")["forecast_start"]
    chosen["forecast_start"] = (
        chosen["start_date"] if starts is None else chosen["project_id"].map(starts).fillna(chosen["start_date"])
    )
    chosen["forecast_start"] = pd.to_datetime(chosen["forecast_start"])
    cols = ["project_id", "name", "status", "health", "bac", "start_date", "end_date", "forecast_start", "forecast_end"]
    chosen = chosen.assign(bac=chosen["_bac"])
    for c in ("health", "name"):
        if c not in chosen:
            chosen[c] = pd.NA
    out = chosen.sort_values(["forecast_start", "project_id"])[cols].reset_index(drop=True)
    return out, len(open_) - len(out)
