"""Resource utilization and capacity: pure, vectorized functions (DataFrames in, DataFrames out).

Definitions (the notebook and docs say the same in words):

Working days
    Monday to Friday, minus the dates of an optional holiday calendar.
capacity_hours (resource, month)
    ``weekly_capacity_hours * working days of the month inside the resource's active dates / 5``.
actual_hours (resource, month)
    Timesheet hours booked to a project (non-empty project_id) dated in the month and not after
    as_of, weekends included. Non-project hours (leave, admin, training) are reported separately
    by activity.
month_status
    ``complete``, ``month to date`` or ``future`` (see :mod:`pmo_analysis.core.periods`).
capacity_to_date (resource, month)
    Capacity of the working days up to as_of: the whole capacity of a complete month, the days so
    far of the month to date, nothing in the future.
utilization
    ``actual_hours / capacity_to_date`` (empty where it is 0, for future months, and for months
    after the newest timesheet entry: not reported is not zero hours). The utilization of the
    month to date is labelled so and never shown as a month's figure.
planned_hours (resource, month)
    Sum over the resource's assignments of ``allocation_pct / 100 * weekly_capacity_hours *
    working days in (month ∩ assignment dates ∩ active dates) / 5``.
    Assignments of a closed project (completed or cancelled) end at as-of: a cancelled project's
    people are free from then on, whatever its old plan said (:func:`open_assignments`).
planned_utilization
    ``planned_hours / capacity_hours``.
Over-allocated
    planned_utilization > ``over_threshold`` in a month.
Bench (under-utilized)
    utilization < ``under_threshold`` in a month that has ended by as-of.
Groups (role, department, portfolio)
    Hours are summed first and divided after; ratios are never averaged.
FTE
    Hours / (40 * working days of the month / 5): one full-time person for that month.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pmo_analysis.core.config import CLOSED_STATUSES
from pmo_analysis.core.periods import forward_months, last_complete_month, month_status
from pmo_analysis.inputs.timesheets import monthly_hours

__all__ = [
    "month_window",
    "working_days",
    "open_assignments",
    "planned_by_assignment",
    "utilization_by_resource",
    "utilization_by_group",
    "utilization_totals",
    "overallocations",
    "bench",
    "capacity_vs_demand",
    "capacity_by_role",
    "plan_vs_actual_by_project",
    "plan_vs_actual_by_person",
    "time_split",
]

FTE_WEEKLY_HOURS = 40.0
_FAR_PAST = np.datetime64("1900-01-01", "D")
_FAR_FUTURE = np.datetime64("2200-01-01", "D")


def month_window(as_of, *, start=None, end=None, back: int = 11, ahead: int = 6) -> pd.DatetimeIndex:
    """Month starts from ``start`` (default: ``back`` months before the as-of month) to ``end``
    (default: ``ahead`` months after it), inclusive.
    """
    m = pd.Timestamp(as_of).to_period("M")
    first = pd.Timestamp(start).to_period("M") if start is not None else m - back
    last = pd.Timestamp(end).to_period("M") if end is not None else m + ahead
    if last < first:
        raise ValueError(f"the window ends ({last}) before it starts ({first})")
    return pd.period_range(first, last, freq="M").to_timestamp()


def _holidays(holidays) -> np.ndarray:
    if holidays is None:
        return np.array([], dtype="datetime64[D]")
    if isinstance(holidays, pd.DataFrame):
        holidays = holidays["date"]
    return pd.to_datetime(pd.Series(holidays)).to_numpy().astype("datetime64[D]")


def working_days(first, last, *, holidays=None) -> np.ndarray:
    """Working days from ``first`` to ``last`` inclusive (elementwise; 0 where last < first)."""
    a = np.asarray(first, dtype="datetime64[D]")
    b = np.asarray(last, dtype="datetime64[D]") + np.timedelta64(1, "D")
    b = np.maximum(a, b)
    return np.busday_count(a, b, holidays=_holidays(holidays))


def _active_bounds(resources: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    def col(name, fill):
        if name not in resources.columns:
            return np.full(len(resources), fill)
        v = resources[name].to_numpy().astype("datetime64[D]")
        return np.where(np.isnat(v), fill, v)

    return col("active_from", _FAR_PAST), col("active_to", _FAR_FUTURE)


def _month_bounds(months: pd.DatetimeIndex) -> tuple[np.ndarray, np.ndarray]:
    first = months.to_numpy().astype("datetime64[D]")
    last = (months + pd.offsets.MonthEnd(0)).to_numpy().astype("datetime64[D]")
    return first, last


def _capacity(resources: pd.DataFrame, months: pd.DatetimeIndex, holidays, *, until=None) -> pd.DataFrame:
    nr, nm = len(resources), len(months)
    af, at = _active_bounds(resources)
    if until is not None:
        at = np.minimum(at, np.datetime64(pd.Timestamp(until).date(), "D"))
    m0, m1 = _month_bounds(months)
    r = np.repeat(np.arange(nr), nm)
    k = np.tile(np.arange(nm), nr)
    days = working_days(np.maximum(m0[k], af[r]), np.minimum(m1[k], at[r]), holidays=holidays)
    cap = resources["weekly_capacity_hours"].to_numpy(dtype=float)[r] * days / 5
    return pd.DataFrame(
        {
            "resource_id": resources["resource_id"].to_numpy()[r],
            "period": months[k],
            "capacity_hours": cap,
            "working_days": days,
        }
    )


def open_assignments(assignments: pd.DataFrame, projects: pd.DataFrame, *, as_of) -> pd.DataFrame:
    """The assignments that still make demand: those of a closed project (status completed or
    cancelled) end at ``as_of`` at the latest; the rest are unchanged. Months up to as-of keep
    their plan, so plan against actual of the past is not rewritten. Returns a new frame.

    Examples
    --------
    >>> a = pd.DataFrame({"resource_id": ["R1", "R2"], "project_id": ["P1", "P2"],
    ...                   "start_date": pd.to_datetime(["2026-01-01"] * 2),
    ...                   "end_date": pd.to_datetime(["2026-12-31"] * 2), "allocation_pct": [50.0, 50.0]})
    >>> p = pd.DataFrame({"project_id": ["P1", "P2"], "status": ["cancelled", "active"]})
    >>> open_assignments(a, p, as_of="2026-06-30")["end_date"].dt.strftime("%Y-%m-%d").tolist()
    ['2026-06-30', '2026-12-31']
    """
    closed = set(projects.loc[projects["status"].isin(CLOSED_STATUSES), "project_id"])
    out = assignments.copy()
    cut = out["project_id"].isin(closed)
    # pandas-stubs types Series.clip for numbers only; a datetime column clips to a Timestamp
    capped = out["end_date"].clip(upper=pd.Timestamp(as_of))  # type: ignore[call-overload]
    out["end_date"] = out["end_date"].where(~cut, capped)
    return out.loc[~cut | (out["start_date"] <= out["end_date"])].reset_index(drop=True)


def planned_by_assignment(
    resources: pd.DataFrame, assignments: pd.DataFrame, months: pd.DatetimeIndex, *, holidays=None
) -> pd.DataFrame:
    """Planned hours of every assignment in every month of ``months`` where it has working days.

    Returns resource_id, project_id, period, planned_hours.
    """
    res = resources.drop_duplicates("resource_id").reset_index(drop=True)
    ridx = pd.Index(res["resource_id"]).get_indexer(assignments["resource_id"])
    a = assignments.loc[ridx >= 0].reset_index(drop=True)
    ridx = ridx[ridx >= 0]
    af, at = _active_bounds(res)
    lo = np.maximum(a["start_date"].to_numpy().astype("datetime64[D]"), af[ridx])
    hi = np.minimum(a["end_date"].to_numpy().astype("datetime64[D]"), at[ridx])
    m0, m1 = _month_bounds(months)
    # months each assignment touches, as positions in `months`
    first = np.searchsorted(m1, lo, side="left")
    last = np.searchsorted(m0, hi, side="right") - 1
    n = np.clip(last - first + 1, 0, None)
    ai = np.repeat(np.arange(len(a)), n)
    k = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n) + first[ai]
    days = working_days(np.maximum(m0[k], lo[ai]), np.minimum(m1[k], hi[ai]), holidays=holidays)
    cap = res["weekly_capacity_hours"].to_numpy(dtype=float)[ridx[ai]]
    hours = a["allocation_pct"].to_numpy(dtype=float)[ai] / 100 * cap * days / 5
    out = pd.DataFrame(
        {
            "resource_id": a["resource_id"].to_numpy()[ai],
            "project_id": a["project_id"].to_numpy()[ai],
            "period": months[k],
            "planned_hours": hours,
        }
    )
    return out.loc[out["planned_hours"] > 0].reset_index(drop=True)


def _monthly(timesheets: pd.DataFrame, as_of) -> pd.DataFrame:
    """``timesheets`` as :func:`monthly_hours` (given already monthly, it is returned as it is)."""
    return timesheets if "date" not in timesheets.columns else monthly_hours(timesheets, as_of)


def _booked(booked: pd.DataFrame, months: pd.DatetimeIndex) -> pd.DataFrame:
    """The rows of :func:`monthly_hours` within ``months``."""
    return booked.loc[(booked["period"] >= months[0]) & (booked["period"] <= months[-1])]


def utilization_by_resource(
    resources: pd.DataFrame,
    assignments: pd.DataFrame,
    timesheets: pd.DataFrame,
    *,
    as_of,
    start=None,
    end=None,
    holidays=None,
    plan: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Capacity, actual and planned hours and utilization of every resource in every month.

    Returns resource_id, name, role, department, period, month_status, working_days,
    capacity_hours, capacity_to_date, actual_hours, non_project_hours, utilization, planned_hours,
    planned_utilization, is_past. Actual figures are empty for future months; hours dated after
    as_of are not actuals.
    ``timesheets`` is the timesheet rows or :func:`monthly_hours` already cut at as_of (what
    :meth:`pmo_analysis.inputs.portfolio.Portfolio.booked_hours` gives); so are the other functions' below.

    Examples
    --------
    >>> from pmo_analysis import load_portfolio
    >>> from pmo_analysis.core.config import SAMPLE_DATA_DIR
    >>> p = load_portfolio(SAMPLE_DATA_DIR)
    >>> u = utilization_by_resource(p.resources, p.assignments, p.timesheets, as_of="2026-06-30")
    >>> len(u) == 60 * 18
    True
    """
    as_of_ts = pd.Timestamp(as_of).normalize()
    months = month_window(as_of, start=start, end=end)
    res = resources.drop_duplicates("resource_id").reset_index(drop=True)
    out = _capacity(res, months, holidays)
    out["capacity_to_date"] = _capacity(res, months, holidays, until=as_of_ts)["capacity_hours"].to_numpy()
    if plan is None:  # the caller may pass planned_by_assignment over the same months, computed once
        plan = planned_by_assignment(res, assignments, months, holidays=holidays)
    planned = plan.groupby(["resource_id", "period"], observed=True)["planned_hours"].sum()

    booked = _monthly(timesheets, as_of_ts)
    ts = _booked(booked, months)
    is_project = ts["project_id"].notna().to_numpy()
    rcode = pd.Index(res["resource_id"]).get_indexer(ts["resource_id"])
    mcode = months.get_indexer(pd.Index(ts["period"]))
    ok = rcode >= 0
    key = rcode[ok] * len(months) + mcode[ok]
    hours = ts["hours"].to_numpy(dtype=float)[ok]
    size = len(res) * len(months)
    out["actual_hours"] = np.bincount(key, weights=np.where(is_project[ok], hours, 0.0), minlength=size)
    out["non_project_hours"] = np.bincount(key, weights=np.where(is_project[ok], 0.0, hours), minlength=size)
    idx = pd.MultiIndex.from_arrays([out["resource_id"], out["period"]])
    out["planned_hours"] = planned.reindex(idx).fillna(0.0).to_numpy()

    out["month_status"] = month_status(out["period"], as_of_ts)
    out["is_past"] = out["month_status"] != "future"
    out.loc[~out["is_past"], ["actual_hours", "non_project_hours"]] = np.nan
    # months after the newest timesheet entry are not reported yet: no actuals, not zero hours
    if len(booked):
        unreported = out["period"] > booked["period"].max()
        out.loc[unreported, ["actual_hours", "non_project_hours"]] = np.nan
    cap = out["capacity_hours"].where(out["capacity_hours"] > 0)
    cap_to_date = out["capacity_to_date"].where(out["capacity_to_date"] > 0)
    out["utilization"] = out["actual_hours"] / cap_to_date
    out["planned_utilization"] = out["planned_hours"] / cap
    attrs = res.set_index("resource_id")[["name", "role", "department"]]
    out = out.join(attrs, on="resource_id")
    cols = [
        "resource_id",
        "name",
        "role",
        "department",
        "period",
        "month_status",
        "working_days",
        "capacity_hours",
        "capacity_to_date",
        "actual_hours",
        "non_project_hours",
        "utilization",
        "planned_hours",
        "planned_utilization",
        "is_past",
    ]
    return out[cols]


def utilization_by_group(util: pd.DataFrame, *, by: str | list[str] | None = None) -> pd.DataFrame:
    """Utilization per group and month (or for the whole portfolio when ``by`` is None):
    hours are summed first and divided after.
    """
    keys = ([] if by is None else [by] if isinstance(by, str) else list(by)) + ["period"]
    g = util.groupby(keys, observed=True)
    sums = [c for c in ("capacity_hours", "capacity_to_date", "planned_hours") if c in util.columns]
    out = g[sums].sum()
    out["actual_hours"] = g["actual_hours"].sum(min_count=1)
    out["people"] = g["resource_id"].nunique()
    if "month_status" in util.columns:
        out["month_status"] = g["month_status"].first()
    cap = out["capacity_hours"].where(out["capacity_hours"] > 0)
    cap_now = out["capacity_to_date"] if "capacity_to_date" in out.columns else out["capacity_hours"]
    out["utilization"] = out["actual_hours"] / cap_now.where(cap_now > 0)
    out["planned_utilization"] = out["planned_hours"] / cap
    return out.reset_index()


def utilization_totals(util: pd.DataFrame, *, by: str | list[str] | None = None) -> pd.DataFrame:
    """Utilization over all complete months of ``util``, per group (or for the whole portfolio):
    hours summed over the months and people, then divided. Returns the group columns,
    capacity_hours, actual_hours, planned_hours, utilization, planned_utilization and months.
    """
    keys = [] if by is None else [by] if isinstance(by, str) else list(by)
    done = util.loc[util["month_status"] == "complete"] if "month_status" in util.columns else util
    sums = ["capacity_hours", "actual_hours", "planned_hours"]
    if keys:
        g = done.groupby(keys, observed=True)
        out = g[sums].sum()
        out["months"] = g["period"].nunique()
        out = out.reset_index()
    else:
        out = done[sums].sum().to_frame().T
        out["months"] = done["period"].nunique()
    cap = out["capacity_hours"].where(out["capacity_hours"] > 0)
    out["utilization"] = out["actual_hours"] / cap
    out["planned_utilization"] = out["planned_hours"] / cap
    return out.sort_values("utilization", ascending=False).reset_index(drop=True) if keys else out


def overallocations(util: pd.DataFrame, plan: pd.DataFrame, *, threshold: float = 1.0) -> pd.DataFrame:
    """Every person-month with planned_utilization > ``threshold``, ranked by excess hours, with
    the assignments that cause it.

    ``plan`` is :func:`planned_by_assignment`. Returns resource_id, name, role, period,
    planned_hours, capacity_hours, planned_utilization, excess_hours, project_ids (";"-joined)
    and breakdown (``"PRJ-001: 84 h; PRJ-007: 70 h"``).
    """
    cols = [
        "resource_id",
        "name",
        "role",
        "department",
        "period",
        "planned_hours",
        "capacity_hours",
        "planned_utilization",
        "excess_hours",
        "project_ids",
        "breakdown",
    ]
    over = util.loc[util["planned_utilization"] > threshold].copy()
    over["excess_hours"] = over["planned_hours"] - threshold * over["capacity_hours"]
    if over.empty:  # nobody over-allocated: the same columns, no rows
        return over.assign(project_ids="", breakdown="")[cols].reset_index(drop=True)
    p = plan.merge(over[["resource_id", "period"]], on=["resource_id", "period"])
    p = p.sort_values(["resource_id", "period", "planned_hours"], ascending=[True, True, False], kind="stable")
    p = pd.DataFrame(
        {
            "resource_id": p["resource_id"].astype(str).to_numpy(),
            "period": p["period"].to_numpy(),
            "project_id": p["project_id"].astype(str).to_numpy(),
            "part": (p["project_id"].astype(str) + ": " + _hours_text(p["planned_hours"])).to_numpy(),
            "i": np.arange(len(p)),
        }
    )
    # one string per person-month, in the order above: DuckDB's string_agg joins them in C++ (a
    # Python join per group took a minute for the 265,000 over-allocated months of a 50,000-person plan)
    import duckdb

    with duckdb.connect() as con:
        con.register("p", p)
        agg = con.sql(
            "SELECT resource_id, period, string_agg(project_id, ';' ORDER BY i) AS project_ids, "
            "string_agg(part, '; ' ORDER BY i) AS breakdown FROM p GROUP BY ALL"
        ).df()
    agg["period"] = agg["period"].astype("datetime64[ns]")
    over = over.assign(_rid=over["resource_id"].astype(str)).merge(
        agg.rename(columns={"resource_id": "_rid"}), on=["_rid", "period"], how="left"
    )
    return over.sort_values("excess_hours", ascending=False)[cols].reset_index(drop=True)


def _hours_text(hours: pd.Series) -> pd.Series:
    """``84 h``, ``1,250 h``: whole hours as the breakdowns show them (vectorised: a plan has
    millions of them).
    """
    r = hours.round(0)
    text = pd.Series(np.char.mod("%d h", r.to_numpy(dtype=float).astype(np.int64)), index=hours.index, dtype=object)
    big = r.abs() >= 1000
    if big.any():
        text[big] = r[big].map("{:,.0f} h".format)
    return text


BENCH_PROJECTS = 10
"""Projects a bench row names where its role is needed; ``projects_needing_role_count`` counts them all."""


def bench(
    util: pd.DataFrame,
    overalloc: pd.DataFrame,
    *,
    as_of,
    threshold: float = 0.6,
    recent_months: int = 3,
    keep: int = BENCH_PROJECTS,
) -> pd.DataFrame:
    """People whose utilization was below ``threshold`` over the last ``recent_months`` complete
    months (hours summed over those months, then divided), with their role and the projects
    where people of the same role are over-allocated in the months after the last complete one
    (where they could help): the ``keep`` projects with most such person-months first (then by
    id), and how many there are in all (every one is in the over-allocations table). On a large
    portfolio a role can be short on thousands of projects; a row listing them all helps nobody
    and does not fit a spreadsheet cell.

    >>> util = pd.DataFrame({"resource_id": ["R1"] * 3, "name": ["Ann"] * 3, "role": ["Dev"] * 3,
    ...     "department": ["IT"] * 3, "period": pd.to_datetime(["2026-04-01", "2026-05-01", "2026-06-01"]),
    ...     "capacity_hours": [160.0] * 3, "actual_hours": [40.0] * 3, "utilization": [0.25] * 3})
    >>> over = pd.DataFrame({"role": ["Dev", "Dev", "Dev"], "period": pd.to_datetime(["2026-07-01"] * 3),
    ...                      "project_ids": ["P3;P1", "P1", "P2;P1"]})
    >>> bench(util, over, as_of="2026-06-30", keep=2)[["projects_needing_role", "projects_needing_role_count"]
    ...                                              ].values.tolist()
    [['P1;P2', 3]]
    """
    last = last_complete_month(as_of)
    past_months = util.loc[util["period"] <= last, "period"].drop_duplicates().nlargest(recent_months)
    recent = util.loc[util["period"].isin(past_months)]
    g = recent.groupby(["resource_id", "name", "role", "department"], observed=True)
    b = g[["capacity_hours", "actual_hours"]].sum().reset_index()
    b = b.loc[b["capacity_hours"] > 0]
    b["utilization"] = b["actual_hours"] / b["capacity_hours"]
    b["months_below"] = b["resource_id"].map(
        recent.assign(below=recent["utilization"] < threshold).groupby("resource_id")["below"].sum()
    )
    b = b.loc[b["utilization"] < threshold]
    future = overalloc.loc[overalloc["period"] > last]
    pairs = (
        future.assign(project_id=future["project_ids"].astype(str).str.split(";"))
        .explode("project_id")
        .loc[lambda d: d["project_id"].fillna("") != ""]
        .groupby(["role", "project_id"], observed=True)
        .size()
        .rename("months")
        .reset_index()
        .sort_values(["role", "months", "project_id"], ascending=[True, False, True], kind="stable")
    )
    named = pairs.groupby("role", observed=True).head(keep).groupby("role", observed=True)["project_id"].agg(";".join)
    counts = pairs.groupby("role", observed=True).size()
    # plain lookups: text and a count whether or not anybody is over-allocated ahead
    role = b["role"].astype(object)
    b["projects_needing_role"] = role.map(named).astype(object).fillna("")
    b["projects_needing_role_count"] = role.map(counts).fillna(0).astype(int)
    return b.sort_values("utilization").reset_index(drop=True)


def capacity_vs_demand(util: pd.DataFrame, *, as_of, months: int = 6) -> pd.DataFrame:
    """Capacity against planned demand by role and month over the ``months`` forward months
    (see :func:`pmo_analysis.core.periods.forward_months`).

    gap_hours = capacity_hours - demand_hours (negative = short); fte_hours = 40 h x working
    days / 5; gap_fte = gap_hours / fte_hours.
    """
    window = forward_months(as_of, months)
    f = util.loc[util["period"].isin(window)]
    g = (
        f.groupby(["role", "period"], observed=True)
        .agg(
            capacity_hours=("capacity_hours", "sum"),
            demand_hours=("planned_hours", "sum"),
            working_days=("working_days", "max"),
        )
        .reset_index()
    )
    g["gap_hours"] = g["capacity_hours"] - g["demand_hours"]
    g["fte_hours"] = FTE_WEEKLY_HOURS * g["working_days"] / 5
    g["gap_fte"] = g["gap_hours"] / g["fte_hours"].where(g["fte_hours"] > 0)
    return g.drop(columns="working_days")


def capacity_by_role(cvd: pd.DataFrame) -> pd.DataFrame:
    """Each role's capacity, demand and gap over the whole horizon of :func:`capacity_vs_demand`:
    hours summed over the months, and ``gap_fte`` = sum(gap_hours) / sum(fte_hours), the average
    number of full-time people short (negative) or spare (positive). Shortest first.
    """
    cols = ["role", "capacity_hours", "demand_hours", "gap_hours", "gap_fte", "months"]
    if cvd.empty:
        return pd.DataFrame(columns=cols)
    g = cvd.groupby("role", observed=True).agg(
        capacity_hours=("capacity_hours", "sum"),
        demand_hours=("demand_hours", "sum"),
        gap_hours=("gap_hours", "sum"),
        fte_hours=("fte_hours", "sum"),
        months=("period", "nunique"),
    )
    g["gap_fte"] = g["gap_hours"] / g["fte_hours"].where(g["fte_hours"] > 0)
    return g.reset_index().sort_values("gap_fte", kind="stable")[cols].reset_index(drop=True)


def plan_vs_actual_by_project(
    plan: pd.DataFrame, timesheets: pd.DataFrame, *, as_of, months: pd.DatetimeIndex | None = None
) -> pd.DataFrame:
    """Planned vs booked hours per project over the complete months.

    Returns project_id, planned_hours, booked_hours, variance_hours (booked - planned) and
    booked_vs_plan (booked / planned), sorted by the size of the variance.
    """
    m = last_complete_month(as_of)
    p = plan.loc[plan["period"] <= m]
    if months is not None:
        p = p.loc[p["period"] >= months[0]]
    first = months[0] if months is not None else p["period"].min()
    t = _booked(_monthly(timesheets, as_of), pd.date_range(first, m, freq="MS"))
    t = t.loc[t["project_id"].notna()]
    out = pd.concat(
        [
            p.groupby("project_id")["planned_hours"].sum(),
            t.groupby("project_id", observed=True)["hours"].sum().rename("booked_hours"),
        ],
        axis=1,
    ).fillna(0.0)
    out["variance_hours"] = out["booked_hours"] - out["planned_hours"]
    out["booked_vs_plan"] = out["booked_hours"] / out["planned_hours"].where(out["planned_hours"] > 0)
    out = out.rename_axis("project_id").reset_index()
    return out.reindex(out["variance_hours"].abs().sort_values(ascending=False).index).reset_index(drop=True)


def plan_vs_actual_by_person(
    plan: pd.DataFrame,
    timesheets: pd.DataFrame,
    resources: pd.DataFrame,
    *,
    as_of,
    months: pd.DatetimeIndex,
    ahead: pd.DatetimeIndex,
) -> pd.DataFrame:
    """Planned and booked hours of every person on every project: over the complete months of
    ``months`` (as :func:`plan_vs_actual_by_project`, whose per-project sums these are) and planned
    over the forward months ``ahead``.

    Returns project_id, resource_id, name, role, planned_hours, booked_hours, variance_hours
    (booked - planned), booked_vs_plan (booked / planned) and planned_ahead_hours, sorted by
    project, then the largest planned hours.
    """
    m = last_complete_month(as_of)
    keys = ["project_id", "resource_id"]
    past = plan.loc[(plan["period"] <= m) & (plan["period"] >= months[0])]
    soon = plan.loc[plan["period"].isin(ahead)]
    t = _booked(_monthly(timesheets, as_of), pd.date_range(months[0], m, freq="MS"))
    t = t.loc[t["project_id"].notna()]
    out = (
        pd.concat(
            [
                past.groupby(keys, observed=True)["planned_hours"].sum(),
                t.groupby(keys, observed=True)["hours"].sum().rename("booked_hours"),
                soon.groupby(keys, observed=True)["planned_hours"].sum().rename("planned_ahead_hours"),
            ],
            axis=1,
        )
        .fillna(0.0)
        .rename_axis(keys)
        .reset_index()
    )
    out["variance_hours"] = out["booked_hours"] - out["planned_hours"]
    out["booked_vs_plan"] = out["booked_hours"] / out["planned_hours"].where(out["planned_hours"] > 0)
    attrs = resources.drop_duplicates("resource_id").set_index("resource_id")[["name", "role"]]
    out = out.join(attrs, on="resource_id")
    cols = [
        "project_id",
        "resource_id",
        "name",
        "role",
        "planned_hours",
        "booked_hours",
        "variance_hours",
        "booked_vs_plan",
        "planned_ahead_hours",
    ]
    return out.sort_values(["project_id", "planned_hours", "planned_ahead_hours"], ascending=[True, False, False])[
        cols
    ].reset_index(drop=True)


def time_split(
    timesheets: pd.DataFrame, resources: pd.DataFrame, *, as_of, months: pd.DatetimeIndex | None = None
) -> pd.DataFrame:
    """Hours by department and kind of time (project work, or each non-project activity) over
    the complete months, with each kind's share of the department's booked hours.
    """
    m = last_complete_month(as_of)
    booked = _monthly(timesheets, as_of)
    first = months[0] if months is not None else booked["period"].min()
    ts = _booked(booked, pd.date_range(pd.Timestamp(first).to_period("M").to_timestamp(), m, freq="MS"))
    act = ts["activity"] if "activity" in ts.columns else pd.Series("", index=ts.index)
    kind = np.where(
        ts["project_id"].notna(), "project work", act.fillna("other").astype(str).str.lower().replace("", "other")
    )
    dept = ts["resource_id"].map(resources.drop_duplicates("resource_id").set_index("resource_id")["department"])
    out = (
        pd.DataFrame({"department": dept.to_numpy(), "kind": kind, "hours": ts["hours"].to_numpy()})
        .groupby(["department", "kind"])["hours"]
        .sum()
        .reset_index()
    )
    out["share"] = out["hours"] / out.groupby("department")["hours"].transform("sum")
    return out
