"""Generate a realistic, deterministic sample portfolio (and large ones for benchmarks).

The bundled ``data/sample/`` folder is ``write_sample(..., scale="sample", seed=42)``. Everything is
drawn from one ``numpy.random.Generator`` and vectorized, so the large preset (10,000 projects,
5,000 people, ~11 million timesheet rows) is written in Parquet in well under three minutes.

What is planted, so the analyses have something to find:

* projects in every status across 5 departments and 4 strategic objectives; some overrun their
  cost (CPI ~0.75), some run late (SPI ~0.7), some deliver benefits before they finish, some never
  pay back;
* people in 8 roles, part-time staff, joiners and leavers, a few people picked for many projects
  (over-allocated) and a few picked for almost none (the bench), leave, admin and training time;
* lessons in English and Chinese with recurring themes (vendor delays, unclear requirements /
  需求变更, test environments, key-person dependency, data migration) across many projects;
* delivery tracking: dependencies (a chain in which an off-track project ending soon delays the
  next proposed project by 45 days and, through it, a third), four milestones per started
  project with a status report every two months (late projects' forecasts move out report after
  report), and risks and issues in English and Chinese (some overdue, some without an owner).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple, cast

import numpy as np
import pandas as pd

__all__ = ["SampleSize", "SIZES", "enterprise_size", "generate_portfolio", "write_sample"]

DEPARTMENTS = ["Digital", "Operations", "Finance", "Customer Service", "Supply Chain"]
OBJECTIVES = ["Grow revenue", "Reduce cost", "Customer experience", "Compliance & risk"]
ROLES = [
    "Project Manager",
    "Business Analyst",
    "Developer",
    "Tester",
    "Architect",
    "Data Analyst",
    "UX Designer",
    "Change Manager",
]
ROLE_WEIGHTS = np.array([6, 8, 16, 8, 4, 7, 5, 6], dtype=float)
_PROJECT_NAMES = [
    "CRM Replacement",
    "ERP Upgrade",
    "数据中台建设",
    "Mobile App 2.0",
    "Warehouse Automation",
    "供应链可视化",
    "Customer Portal",
    "Payroll Consolidation",
    "客服智能化",
    "Data Lake Migration",
    "E-invoicing Rollout",
    "Cloud Landing Zone",
    "移动办公平台",
    "Fraud Analytics",
    "Contact Centre IVR",
    "Supplier Onboarding",
    "财务共享中心",
    "GDPR Remediation",
    "Identity & Access",
    "Network Refresh",
    "Demand Forecasting",
    "门店数字化",
    "HR Self-Service",
    "Treasury System",
    "Field Service App",
    "Loyalty Programme",
    "质量追溯系统",
    "Billing Modernisation",
    "Document Management",
    "BI Dashboards",
    "Procurement Portal",
    "生产排程优化",
    "Cybersecurity Uplift",
    "Chatbot Pilot",
    "Asset Tracking IoT",
    "Regulatory Reporting",
    "电子签章",
    "Pricing Engine",
    "Data Quality Programme",
    "Website Relaunch",
]
_GIVEN = [
    "Alice",
    "Ben",
    "Chloe",
    "David",
    "Emma",
    "Farid",
    "Grace",
    "Hugo",
    "Isla",
    "Jonas",
    "Kate",
    "Liam",
    "Maya",
    "Noah",
    "Olivia",
    "Priya",
    "Quentin",
    "Rosa",
    "Sam",
    "Tara",
]
_FAMILY = ["Smith", "Brown", "Garcia", "Müller", "Okafor", "Patel", "Rossi", "Tanaka", "Nguyen", "Silva"]
_CN_NAMES = [
    "王芳",
    "李伟",
    "张敏",
    "刘洋",
    "陈静",
    "杨磊",
    "赵丽",
    "黄强",
    "周杰",
    "吴婷",
    "徐明",
    "孙悦",
    "马超",
    "朱琳",
    "胡斌",
    "郭静",
    "何涛",
    "高原",
    "林峰",
    "罗燕",
]


@dataclass(frozen=True)
class SampleSize:
    """Sizes of a generated portfolio (totals over its regions).

    ``enterprise``: teams sized so planned demand is about 85% of capacity, people spread over
    many projects at small allocations. ``regions`` above 1: the portfolio is generated and written
    one region at a time (each staffs its projects from its own people), timesheets as Parquet
    partitioned by month, so memory stays that of one region.
    """

    projects: int
    people: int
    timesheet_months: int
    lessons: int
    benefit_months: int = 30
    enterprise: bool = False
    regions: int = 1


def enterprise_size(k: float, *, regions: int | None = None) -> SampleSize:
    """``k`` times the enterprise (``"large"``) portfolio: projects, people and lessons times ``k``
    over the same 48 months, so about ``k`` x 11.6 million timesheet rows. Beyond 1x it is made of
    ``ceil(k)`` regions (or ``regions``) of at most the enterprise portfolio's size each.

    >>> enterprise_size(1) == SIZES["large"], enterprise_size(10) == SIZES["huge"]
    (True, True)
    >>> s = enterprise_size(0.1)
    >>> s.projects, s.people, s.lessons, s.timesheet_months, s.regions
    (1000, 500, 10000, 48, 1)
    """
    if not k > 0:
        raise ValueError(f"k must be positive, got {k!r}")
    regions = regions or max(1, math.ceil(round(k, 9)))
    return SampleSize(
        projects=max(10 * regions, round(10_000 * k)),
        people=max(8 * regions, round(5_000 * k)),
        timesheet_months=48,
        lessons=max(10 * regions, round(100_000 * k)),
        benefit_months=96,
        enterprise=True,
        regions=regions,
    )


SIZES = {
    "sample": SampleSize(projects=40, people=60, timesheet_months=18, lessons=200),
    "large": SampleSize(
        projects=10_000, people=5_000, timesheet_months=48, lessons=100_000, benefit_months=96, enterprise=True
    ),
}
# A global organisation at ten times the enterprise portfolio: 50,000 people and 100,000 projects in
# ten regions (Americas, Europe, Asia-Pacific... each the size of the enterprise portfolio, staffing
# its projects from its own people; departments and strategic objectives are global), the same 48
# months of daily timesheets (~116 million rows) and 1,000,000 lessons.
SIZES["huge"] = enterprise_size(10)


def _size(scale: str | float | SampleSize) -> SampleSize:
    if isinstance(scale, SampleSize):
        return scale
    if isinstance(scale, str) and scale in SIZES:
        return SIZES[scale]
    try:
        k = float(scale)
    except (TypeError, ValueError):
        raise ValueError(f"scale must be one of {', '.join(SIZES)} or a positive number, got {scale!r}") from None
    if k <= 0:
        raise ValueError(f"scale must be positive, got {scale!r}")
    base = SIZES["sample"]
    return SampleSize(
        projects=max(5, round(base.projects * k)),
        people=max(8, round(base.people * k)),
        timesheet_months=base.timesheet_months,
        lessons=max(10, round(base.lessons * k)),
    )


def _month_start(ts: pd.Timestamp) -> pd.Timestamp:
    return ts.to_period("M").to_timestamp()


def _months(ordinals: np.ndarray) -> pd.PeriodIndex:
    """Monthly periods from their ordinals (months since 1970-01)."""
    # PeriodIndex.from_ordinals is public pandas API that pandas-stubs does not declare
    return pd.PeriodIndex.from_ordinals(ordinals, freq="M")  # type: ignore[attr-defined]


def _ordinal_to_ts(ordinals: np.ndarray) -> pd.DatetimeIndex:
    return _months(np.asarray(ordinals, dtype="int64")).to_timestamp()


# --------------------------------------------------------------------------- projects + cashflows
def _projects(
    rng: np.random.Generator, n: int, as_of: pd.Timestamp, *, first: int = 0, width: int | None = None
) -> pd.DataFrame:
    """The projects table, with hidden ``_``-columns (months, planted behaviours) for later steps.
    ``first``: number of the first project (a region of a larger portfolio); ``width``: digits of
    the ids (default: enough for ``n``).
    """
    status = _project_status(rng, n)
    start, end = _project_months(rng, status, as_of.to_period("M").ordinal)
    budget = np.round(rng.lognormal(mean=np.log(900_000), sigma=0.7, size=n), -3)
    names = np.array(
        [
            _PROJECT_NAMES[i % len(_PROJECT_NAMES)]
            + ("" if i < len(_PROJECT_NAMES) else f" #{i // len(_PROJECT_NAMES) + 1}")
            for i in range(first, first + n)
        ],
        dtype=object,
    )
    people = np.array([f"{g} {f}" for g in _GIVEN for f in _FAMILY] + _CN_NAMES, dtype=object)
    width = width or max(3, len(str(n)))
    df = pd.DataFrame(
        {
            "project_id": [f"PRJ-{i + 1:0{width}d}" for i in range(first, first + n)],
            "name": names,
            "department": rng.choice(DEPARTMENTS, size=n),
            "status": status,
            "start_date": _ordinal_to_ts(start) + pd.to_timedelta(rng.integers(0, 10, size=n), unit="D"),
            "end_date": (_ordinal_to_ts(end + 1) - pd.Timedelta(days=1)),
            "budget": budget,
            "sponsor": rng.choice(people, size=n),
            "manager": rng.choice(people, size=n),
            "strategic_objective": rng.choice(OBJECTIVES, size=n),
            "strategic_alignment": rng.choice([1, 2, 3, 4, 5], size=n, p=[0.08, 0.17, 0.3, 0.28, 0.17]),
            "risk_score": rng.choice([1, 2, 3, 4, 5], size=n, p=[0.12, 0.28, 0.3, 0.2, 0.1]),
        }
    )
    df["_start"], df["_end"] = start, end
    return _plant_behaviours(rng, df)


def _project_status(rng: np.random.Generator, n: int) -> np.ndarray:
    """Statuses in sample proportions; from 10 projects on, every status is present."""
    status = rng.choice(
        ["active", "completed", "proposed", "on_hold", "cancelled"], size=n, p=[0.50, 0.20, 0.15, 0.075, 0.075]
    )
    if n >= 10:
        fixed = (
            ["active"] * round(n * 0.5)
            + ["completed"] * round(n * 0.2)
            + ["proposed"] * round(n * 0.15)
            + ["on_hold"] * max(1, round(n * 0.075))
        )
        fixed += ["cancelled"] * (n - len(fixed))
        status = rng.permutation(np.array(fixed[:n]))
    return status


def _project_months(rng: np.random.Generator, status: np.ndarray, asof_ord: int) -> tuple[np.ndarray, np.ndarray]:
    """First and last month (period ordinals) of each project, consistent with its status: active
    projects end after the as-of month, completed ones before it, proposed ones start after it.
    """
    n = len(status)
    duration = rng.integers(6, 25, size=n)
    start = np.empty(n, dtype="int64")
    for st, lo, hi in [
        ("active", -24, -3),
        ("completed", -30, -8),
        ("proposed", 2, 10),
        ("on_hold", -18, -6),
        ("cancelled", -24, -8),
    ]:
        m = status == st
        start[m] = asof_ord + rng.integers(lo, hi + 1, size=m.sum())
    end = start + duration - 1
    m = status == "active"
    end[m] = np.maximum(end[m], asof_ord + rng.integers(1, 13, size=m.sum()))
    m = status == "completed"
    end[m] = np.minimum(end[m], asof_ord - 1)
    end[m] = np.maximum(end[m], start[m] + 3)
    return start, end


def _plant_behaviours(rng: np.random.Generator, df: pd.DataFrame) -> pd.DataFrame:
    """Hidden columns the later steps read: cost factor (CPI ~ 1 / factor), schedule factor (SPI),
    benefit ratio (strong, moderate or weak payback) and early benefits.
    """
    n = len(df)
    df["_cost_factor"] = np.where(rng.random(n) < 0.2, rng.uniform(1.25, 1.45, n), rng.uniform(0.93, 1.07, n))
    df["_schedule"] = np.where(rng.random(n) < 0.2, rng.uniform(0.65, 0.8, n), rng.uniform(0.92, 1.05, n))
    profile = rng.choice(["strong", "moderate", "weak"], size=n, p=[0.35, 0.4, 0.25])
    df["_benefit_ratio"] = np.select(
        [profile == "strong", profile == "moderate"],
        [rng.uniform(2.2, 3.5, n), rng.uniform(1.2, 1.8, n)],
        rng.uniform(0.2, 0.7, n),
    )
    df["_early"] = rng.random(n) < 0.2
    return df


class _MonthGrid(NamedTuple):
    """One row per project and month, from its first month to ``benefit_months`` after its last."""

    pidx: np.ndarray  # project of each row
    offs: np.ndarray  # months since the project's first month
    month: np.ndarray  # period ordinal
    d: np.ndarray  # the project's duration in months, per row
    dur: np.ndarray  # duration per project
    span: np.ndarray  # rows per project

    @property
    def last_exec(self) -> np.ndarray:
        """Row of each project's last execution month."""
        return np.cumsum(self.span) - self.span + self.dur - 1


def _month_grid(projects: pd.DataFrame, benefit_months: int) -> _MonthGrid:
    start = projects["_start"].to_numpy()
    dur = (projects["_end"] - projects["_start"] + 1).to_numpy()
    span = dur + benefit_months
    pidx = np.repeat(np.arange(len(projects)), span)
    offs = np.arange(span.sum()) - np.repeat(np.cumsum(span) - span, span)
    return _MonthGrid(pidx, offs, start[pidx] + offs, dur[pidx], dur, span)


def _cashflows(
    rng: np.random.Generator, projects: pd.DataFrame, as_of: pd.Timestamp, benefit_months: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Monthly planned and actual cost and benefit of each project, and the projects with their
    ``percent_complete`` (from the planned progress and the schedule factor).
    """
    asof_ord = as_of.to_period("M").ordinal
    grid = _month_grid(projects, benefit_months)
    planned_cost = _planned_cost(projects["budget"].to_numpy(), grid)
    planned_benefit = _planned_benefit(projects, grid, benefit_months)
    status = projects["status"].to_numpy()[grid.pidx]
    # cancelled projects stop where they were cancelled: no later cost and no benefit
    cancel_at = asof_ord - rng.integers(1, 6, size=len(projects))
    cancelled = status == "cancelled"
    planned_cost = np.where(cancelled & (grid.month > cancel_at[grid.pidx]), 0.0, planned_cost)
    planned_benefit = np.where(cancelled, 0.0, planned_benefit)
    actual_cost, actual_benefit = _actuals(rng, projects, grid, status, planned_cost, planned_benefit, asof_ord)
    cf = pd.DataFrame(
        {
            "project_id": projects["project_id"].to_numpy()[grid.pidx],
            "period": _ordinal_to_ts(grid.month).strftime("%Y-%m"),
            "planned_cost": planned_cost,
            "planned_benefit": planned_benefit,
            "actual_cost": actual_cost,
            "actual_benefit": actual_benefit,
        }
    )
    keep = (cf["planned_cost"] > 0) | (cf["planned_benefit"] > 0) | cf["actual_cost"].gt(0)
    cf = cf.loc[keep].reset_index(drop=True)
    pct = _percent_complete(projects, grid, planned_cost, asof_ord)
    return projects.assign(percent_complete=pct), cf


def _planned_cost(budget: np.ndarray, grid: _MonthGrid) -> np.ndarray:
    """The budget spread over the execution months in an S-shaped profile, rounded to the cent,
    the rounding remainder booked in the last execution month.
    """
    n = len(budget)
    pidx, offs, d = grid.pidx, grid.offs, grid.d
    w = np.where(offs < d, np.sin(np.pi * (offs + 0.5) / d) + 0.6, 0.0)
    wsum = np.bincount(pidx, weights=w, minlength=n)
    planned_cost = np.round(w / wsum[pidx] * budget[pidx], 2)
    resid = budget - np.bincount(pidx, weights=planned_cost, minlength=n)
    last_exec = grid.last_exec
    planned_cost[last_exec] = np.round(planned_cost[last_exec] + resid, 2)
    return planned_cost


def _planned_benefit(projects: pd.DataFrame, grid: _MonthGrid, benefit_months: int) -> np.ndarray:
    """Benefits ramping up over 6 months from the end of execution (half-way, for early projects)."""
    pidx, offs, d = grid.pidx, grid.offs, grid.d
    budget = projects["budget"].to_numpy()
    ratio = projects["_benefit_ratio"].to_numpy()[pidx]
    early = projects["_early"].to_numpy()[pidx]
    ben_start = np.where(early, d // 2, d)
    k = offs - ben_start
    ramp = np.clip((k + 1) / 6.0, 0, 1)
    horizon = benefit_months + (d - ben_start)
    planned_benefit = np.where(k >= 0, budget[pidx] * ratio / horizon * ramp * 1.1, 0.0)
    return np.round(planned_benefit, -2)


def _actuals(
    rng: np.random.Generator,
    projects: pd.DataFrame,
    grid: _MonthGrid,
    status: np.ndarray,
    planned_cost: np.ndarray,
    planned_benefit: np.ndarray,
    asof_ord: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Actual cost and benefit of the months reported (NaN for the others): up to the as-of month,
    nothing for proposed projects nor for the last 3 months of on-hold ones, and a quarter of the
    active projects have not reported the as-of month yet.
    """
    pidx, month = grid.pidx, grid.month
    reported = month <= asof_ord
    reported &= ~((status == "on_hold") & (month > asof_ord - 3))
    late_report = rng.random(len(projects)) < 0.25
    reported &= ~((status == "active") & late_report[pidx] & (month == asof_ord))
    reported &= status != "proposed"
    noise = rng.uniform(0.9, 1.1, size=len(pidx))
    actual_cost = np.where(
        reported, np.round(planned_cost * projects["_cost_factor"].to_numpy()[pidx] * noise, 2), np.nan
    )
    actual_benefit = np.where(reported, np.round(planned_benefit * rng.uniform(0.7, 1.15, len(pidx)), -2), np.nan)
    return actual_cost, actual_benefit


def _percent_complete(projects: pd.DataFrame, grid: _MonthGrid, planned_cost: np.ndarray, asof_ord: int) -> np.ndarray:
    """Planned progress (planned value / budget) times the schedule factor; 100 when completed,
    0 when proposed, at most 99 otherwise.
    """
    n = len(projects)
    budget = projects["budget"].to_numpy()
    pv = np.bincount(grid.pidx, weights=np.where(grid.month <= asof_ord, planned_cost, 0.0), minlength=n)
    planned_pct = np.divide(pv, budget, out=np.zeros(n), where=budget > 0) * 100
    pct = np.clip(planned_pct * projects["_schedule"].to_numpy(), 0, 99)
    status = projects["status"].to_numpy()
    return np.select([status == "completed", status == "proposed"], [100.0, 0.0], np.round(pct))


# --------------------------------------------------------------------------- people + time
def _resources(
    rng: np.random.Generator,
    n: int,
    as_of: pd.Timestamp,
    ts_start: pd.Timestamp,
    *,
    first: int = 0,
    width: int | None = None,
) -> pd.DataFrame:
    """People, their roles, capacity, cost and joining or leaving dates; ``first`` and ``width``
    as for :func:`_projects` (names stay unique across regions).
    """
    roles = rng.choice(ROLES, size=n, p=ROLE_WEIGHTS / ROLE_WEIGHTS.sum())
    roles[: len(ROLES)] = ROLES  # every role present
    cap = rng.choice([40.0, 40.0, 40.0, 40.0, 40.0, 40.0, 32.0, 24.0, 20.0], size=n)
    names = np.array([f"{g} {f}" for f in _FAMILY for g in _GIVEN] + _CN_NAMES, dtype=object)
    k = np.arange(first, first + n)
    name = np.where(
        k < len(names),
        names[k % len(names)],
        np.char.add(names[k % len(names)].astype(str), np.char.add(" ", (k // len(names)).astype(str))),
    )
    rng.shuffle(name)
    active_from = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    active_to = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    joiners = rng.random(n) < 0.08
    leavers = (rng.random(n) < 0.06) & ~joiners
    span = (as_of - ts_start).days
    active_from[joiners] = (ts_start + pd.to_timedelta(rng.integers(60, span - 30, joiners.sum()), unit="D")).to_numpy()
    active_to[leavers] = (ts_start + pd.to_timedelta(rng.integers(90, span - 30, leavers.sum()), unit="D")).to_numpy()
    width = width or max(3, len(str(n)))
    return pd.DataFrame(
        {
            "resource_id": [f"R{i + 1:0{width}d}" for i in range(first, first + n)],
            "name": name,
            "role": roles,
            "department": rng.choice(DEPARTMENTS, size=n),
            "weekly_capacity_hours": cap,
            "hourly_cost": np.round(rng.uniform(45, 140, size=n), 0),
            "active_from": active_from,
            "active_to": active_to,
        }
    )


class _Slots(NamedTuple):
    """The team slots to fill: one per (project, role) wanted, with its allocation and dates."""

    pidx: np.ndarray  # row of the project in the staffed projects
    role: np.ndarray
    alloc: np.ndarray  # % of weekly capacity
    start: np.ndarray  # datetime64[D]
    end: np.ndarray


def _assignments(
    rng: np.random.Generator, projects: pd.DataFrame, resources: pd.DataFrame, *, enterprise: bool = False
) -> pd.DataFrame:
    """Staff every project that is not merely proposed, the way a resource manager would: each slot
    (role, allocation) goes to the least-loaded person of that role over the project's months,
    except that a few "stars" are picked even when busy (over-allocation) and a few people are
    rarely picked at all (the bench). One pass over the slots, in project start order.
    """
    staffed = projects.loc[projects["status"] != "proposed"].sort_values("start_date")
    staffed = staffed.reset_index(drop=True)
    n_people = len(resources)
    star = rng.random(n_people) < 0.08
    bench = (rng.random(n_people) < 0.08) & ~star
    slots = _team_slots(rng, staffed, n_people, enterprise)
    penalty = np.where(star, -0.7, 0.0) + np.where(bench, 3.0, 0.0)
    chosen = _pick_people(rng, slots, resources["role"].to_numpy(), penalty)
    df = pd.DataFrame(
        {
            "resource_id": resources["resource_id"].to_numpy()[chosen],
            "project_id": staffed["project_id"].to_numpy()[slots.pidx],
            "start_date": pd.to_datetime(slots.start),
            "end_date": pd.to_datetime(slots.end),
            "allocation_pct": slots.alloc,
        }
    )
    return df.drop_duplicates(["resource_id", "project_id"]).reset_index(drop=True)


def _team_slots(rng: np.random.Generator, staffed: pd.DataFrame, n_people: int, enterprise: bool) -> _Slots:
    """Team size, roles (a project manager first) and allocations of each staffed project; people
    of on-hold and cancelled projects were released half-way through.
    """
    alloc_choices, alloc_p, team = _team_sizes(rng, staffed, n_people, enterprise)
    pidx = np.repeat(np.arange(len(staffed)), team)
    want_role = rng.choice(ROLES, size=len(pidx), p=ROLE_WEIGHTS / ROLE_WEIGHTS.sum())
    first = np.r_[True, pidx[1:] != pidx[:-1]]
    want_role[first] = "Project Manager"
    alloc = np.where(
        want_role == "Project Manager",
        rng.choice([20.0, 25.0, 30.0], size=len(pidx)),
        rng.choice(alloc_choices, size=len(pidx), p=alloc_p).astype(float),
    )
    start = staffed["start_date"].to_numpy().astype("datetime64[D]")[pidx]
    end = staffed["end_date"].to_numpy().astype("datetime64[D]")[pidx]
    st = staffed["status"].to_numpy()[pidx]
    cut = start + (end - start) // 2
    end = np.where(np.isin(st, ["on_hold", "cancelled"]), np.minimum(end, cut), end)
    return _Slots(pidx, want_role, alloc, start, end)


def _team_sizes(
    rng: np.random.Generator, staffed: pd.DataFrame, n_people: int, enterprise: bool
) -> tuple[list[int], list[float], np.ndarray]:
    """(allocation choices, their probabilities, team size of each staffed project)."""
    if not enterprise:
        alloc_choices, alloc_p = [20, 25, 30, 40, 50, 60, 80, 100], [0.08, 0.12, 0.1, 0.2, 0.2, 0.12, 0.12, 0.06]
        return alloc_choices, alloc_p, rng.integers(4, 9, size=len(staffed))
    # an enterprise portfolio: teams sized so that planned demand is ~85% of capacity, people
    # spread over more projects at smaller allocations
    alloc_choices, alloc_p = [5, 10, 15, 20, 25], [0.15, 0.25, 0.25, 0.2, 0.15]
    # size teams on the busiest stretch: the 12 months before the latest start of a staffed project
    w_end = staffed["start_date"].max()
    w_start = w_end - pd.DateOffset(months=12)
    overlap = (staffed["end_date"].clip(upper=w_end) - staffed["start_date"].clip(lower=w_start)).dt.days.clip(
        lower=0
    ) / 30.4
    mean_alloc = float(np.dot(alloc_choices, alloc_p)) / 100
    team_mean = 0.85 * n_people * 12 / (mean_alloc * max(overlap.sum(), 1.0))
    team = np.clip(rng.poisson(max(team_mean - 1, 0.5), size=len(staffed)) + 1, 1, 12)
    return alloc_choices, alloc_p, team


def _pick_people(rng: np.random.Generator, slots: _Slots, role_of: np.ndarray, penalty: np.ndarray) -> np.ndarray:
    """The person given each slot: the least loaded of the slot's role over its months (plus
    ``penalty`` and a little noise), never twice on one project. A loop over slots, not rows: each
    pick changes the load the next one sees.
    """
    m_start = slots.start.astype("datetime64[M]").astype("int64")
    m_end = slots.end.astype("datetime64[M]").astype("int64")
    base = m_start.min()
    load = np.zeros((len(role_of), int(m_end.max() - base + 1)))
    pools = {role: np.flatnonzero(role_of == role) for role in ROLES}
    pidx = slots.pidx
    chosen = np.empty(len(pidx), dtype="int64")
    team: list[int] = []
    for i in range(len(pidx)):
        if i == 0 or pidx[i] != pidx[i - 1]:
            team = []
        pool = pools[slots.role[i]]
        a, b = int(m_start[i] - base), int(m_end[i] - base) + 1
        score = load[pool, a:b].max(axis=1) + penalty[pool] + rng.normal(0, 0.12, size=len(pool))
        if team:
            score[np.isin(pool, team)] += 10.0  # one slot per person and project
        pick = int(pool[np.argmin(score)])
        chosen[i] = pick
        team.append(pick)
        load[pick, a:b] += slots.alloc[i] / 100
    return chosen


def _timesheets(
    rng: np.random.Generator,
    resources: pd.DataFrame,
    assignments: pd.DataFrame,
    ts_start: pd.Timestamp,
    as_of: pd.Timestamp,
) -> pd.DataFrame:
    """Daily bookings from ``ts_start`` to ``as_of``: project hours close to each assignment's
    plan, leave (~5% of working days, whole days) and a weekly admin or training slot.
    """
    days = pd.bdate_range(ts_start, as_of).to_numpy().astype("datetime64[D]")
    nd, nr = len(days), len(resources)
    aidx, day_i, res_i = _assignment_days(resources, assignments, days)
    leave = rng.random(nr * nd) < 0.05
    keep = ~leave[res_i * nd + day_i]
    aidx, day_i, res_i = aidx[keep], day_i[keep], res_i[keep]
    rid_index = pd.Index(resources["resource_id"])
    cap_day = resources["weekly_capacity_hours"].to_numpy() / 5
    hours = _project_hours(rng, assignments, aidx, day_i, res_i, cap_day, nd)
    proj = pd.DataFrame(
        {
            "resource_id": pd.Categorical.from_codes(res_i, categories=rid_index),
            "date": days[day_i].astype("datetime64[ns]"),
            "hours": hours,
            "project_id": assignments["project_id"].to_numpy()[aidx],
            "activity": "delivery",
        }
    )
    non = _non_project_time(rng, resources, days, leave, cap_day)
    ts = pd.concat([proj, non], ignore_index=True)
    ts["resource_id"] = ts["resource_id"].astype(str)
    return ts.sort_values(["date", "resource_id"], kind="stable").reset_index(drop=True)


def _active_dates(resources: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(active_from, active_to) of each person as datetime64[D], NaT when open."""
    return (
        resources["active_from"].to_numpy().astype("datetime64[D]"),
        resources["active_to"].to_numpy().astype("datetime64[D]"),
    )


def _assignment_days(
    resources: pd.DataFrame, assignments: pd.DataFrame, days: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One entry per assignment and working day it covers while its person is active:
    (assignment, day, person) positions.
    """
    r_of_a = pd.Index(resources["resource_id"]).get_indexer(assignments["resource_id"])
    af, at = _active_dates(resources)
    lo = np.maximum(
        assignments["start_date"].to_numpy().astype("datetime64[D]"),
        af[r_of_a],
        where=~np.isnat(af[r_of_a]),
        out=assignments["start_date"].to_numpy().astype("datetime64[D]").copy(),
    )
    hi = np.minimum(
        assignments["end_date"].to_numpy().astype("datetime64[D]"),
        at[r_of_a],
        where=~np.isnat(at[r_of_a]),
        out=assignments["end_date"].to_numpy().astype("datetime64[D]").copy(),
    )
    i0 = np.searchsorted(days, lo, side="left")
    i1 = np.searchsorted(days, hi, side="right")
    length = np.clip(i1 - i0, 0, None)
    aidx = np.repeat(np.arange(len(assignments)), length)
    day_i = np.arange(length.sum()) - np.repeat(np.cumsum(length) - length, length) + i0[aidx]
    return aidx, day_i, r_of_a[aidx]


def _project_hours(
    rng: np.random.Generator,
    assignments: pd.DataFrame,
    aidx: np.ndarray,
    day_i: np.ndarray,
    res_i: np.ndarray,
    cap_day: np.ndarray,
    nd: int,
) -> np.ndarray:
    """Hours booked per entry: allocation x daily capacity x the project's effort factor (some
    projects burn more effort than planned, most a little less), with noise; nobody books more
    than 10 hours of project work a day, however over-allocated; in half hours. ``nd``: working days.
    """
    alloc = assignments["allocation_pct"].to_numpy()[aidx] / 100
    pcode, puniq = pd.factorize(assignments["project_id"])
    effort = np.where(rng.random(len(puniq)) < 0.2, rng.uniform(1.15, 1.35, len(puniq)), 0.93)
    hours = alloc * cap_day[res_i] * effort[pcode[aidx]] * rng.normal(1.0, 0.15, size=len(aidx))
    day_total = np.bincount(res_i * nd + day_i, weights=hours, minlength=len(cap_day) * nd)
    scale = np.minimum(1.0, 10.0 / np.maximum(day_total, 1e-9))
    hours = hours * scale[res_i * nd + day_i]
    return np.clip(np.round(hours * 2) / 2, 0.5, 10.0)


def _non_project_time(
    rng: np.random.Generator, resources: pd.DataFrame, days: np.ndarray, leave: np.ndarray, cap_day: np.ndarray
) -> pd.DataFrame:
    """Leave days (a full day's capacity) and a 2-hour admin or training slot each Friday, only
    while the person is active.
    """
    nd, nr = len(days), len(resources)
    af, at = _active_dates(resources)
    r_all = np.repeat(np.arange(nr), nd)
    d_all = np.tile(np.arange(nd), nr)
    dd = days[d_all]
    active = (np.isnat(af[r_all]) | (dd >= af[r_all])) & (np.isnat(at[r_all]) | (dd <= at[r_all]))
    is_leave = leave & active
    friday = (pd.DatetimeIndex(days).day_of_week == 4)[d_all] & active & ~leave
    return pd.DataFrame(
        {
            "resource_id": pd.Categorical.from_codes(
                np.r_[r_all[is_leave], r_all[friday]], categories=pd.Index(resources["resource_id"])
            ),
            "date": np.r_[dd[is_leave], dd[friday]].astype("datetime64[ns]"),
            "hours": np.r_[cap_day[r_all[is_leave]], np.full(friday.sum(), 2.0)],
            "project_id": None,
            "activity": np.r_[
                np.full(is_leave.sum(), "leave", dtype=object),
                rng.choice(np.array(["admin", "training"], dtype=object), size=friday.sum(), p=[0.75, 0.25]),
            ],
        }
    )


# --------------------------------------------------------------------------- lessons
# (category, kind, theme, [(title, description, recommendation)]) in English and Chinese
_LESSON_TEMPLATES = [
    (
        "Vendor management",
        "to_improve",
        "vendor delay",
        [
            (
                "Vendor delivered the {thing} six weeks late",
                "The vendor missed the agreed delivery date for the {thing}; the delay pushed testing and go-live. "
                "The contract had no milestone penalties and we had no early warning of the slippage.",
                "Add milestone-based payments and weekly vendor status reviews to every contract.",
            ),
            (
                "Supplier delay on {thing} hit the critical path",
                "Late delivery by the supplier of the {thing} delayed integration. Vendor delays were not tracked "
                "in the risk register until too late.",
                "Track vendor delivery dates as critical-path milestones with an owner.",
            ),
            (
                "供应商交付延迟影响上线",
                "供应商未按合同约定时间交付{thing_cn}，导致测试和上线推迟。合同中缺少里程碑考核条款。",
                "在合同中增加里程碑付款和延迟罚则，每周检查供应商进度。",
            ),
        ],
    ),
    (
        "Requirements",
        "to_improve",
        "requirements change",
        [
            (
                "Unclear requirements caused rework on the {thing}",
                "Requirements for the {thing} were vague and changed late; the team rebuilt two modules. "
                "Business owners were not available for sign-off.",
                "Hold a requirements sign-off gate with named business owners before build.",
            ),
            (
                "Late requirement changes without change control",
                "Scope changes to the {thing} were accepted informally, without impact analysis, which caused "
                "rework and a budget overrun.",
                "Route every requirement change through the change control board with cost and schedule impact.",
            ),
            (
                "需求变更频繁导致返工",
                "业务方在开发阶段多次提出需求变更，{thing_cn}模块返工两次，需求变更没有经过评审。",
                "建立需求变更评审流程，变更需评估对进度和成本的影响后再实施。",
            ),
            (
                "需求不明确，验收标准缺失",
                "项目启动时需求不明确，验收标准没有书面确认，导致上线前出现大量需求变更和争议。",
                "在计划阶段明确需求和验收标准，并由业务负责人签字确认。",
            ),
        ],
    ),
    (
        "Testing",
        "to_improve",
        "test environment",
        [
            (
                "Test environment not ready when testing started",
                "The shared test environment for the {thing} was unavailable for three weeks; testers were idle "
                "and defects were found late in production.",
                "Book and provision test environments at planning time, with an environment owner.",
            ),
            (
                "测试环境不稳定影响进度",
                "测试环境频繁宕机且数据不完整，{thing_cn}的集成测试推迟了两周。",
                "提前规划测试环境并指定负责人，准备完整的测试数据。",
            ),
        ],
    ),
    (
        "Resourcing",
        "to_improve",
        "key person dependency",
        [
            (
                "Key developer left mid-project",
                "Only one developer knew the {thing} integration; when they left, work stalled for a month. "
                "Knowledge was not documented.",
                "Pair people on critical components and document key knowledge.",
            ),
            (
                "Team members over-allocated across projects",
                "Core staff were booked on three projects at once; the {thing} work slipped as people were pulled "
                "onto other priorities.",
                "Review cross-project allocations monthly in the PMO resource meeting.",
            ),
            (
                "关键人员被多个项目同时占用",
                "核心开发人员同时参与三个项目，{thing_cn}相关任务多次延期，资源冲突没有及时上报。",
                "由PMO每月统一审查跨项目资源分配。",
            ),
        ],
    ),
    (
        "Data",
        "to_improve",
        "data migration",
        [
            (
                "Data migration underestimated",
                "Legacy data for the {thing} was of poor quality; cleansing and migration took twice the plan.",
                "Profile legacy data during planning and run a trial migration early.",
            ),
            (
                "数据迁移质量问题",
                "历史数据质量差，{thing_cn}数据迁移工作量被严重低估，迁移演练不足。",
                "在计划阶段做数据质量评估，并安排至少两次迁移演练。",
            ),
        ],
    ),
    (
        "Stakeholder management",
        "to_improve",
        "stakeholder communication",
        [
            (
                "Stakeholders surprised by go-live changes",
                "End users of the {thing} were not told about process changes until the week of go-live; adoption "
                "was slow and support tickets spiked.",
                "Start change management and user communication at least two months before go-live.",
            ),
        ],
    ),
    (
        "Delivery practice",
        "went_well",
        "early user testing",
        [
            (
                "Early user acceptance testing caught issues",
                "Running UAT on the {thing} in short cycles from the second sprint found usability problems early, "
                "when they were cheap to fix.",
                "Make iterative UAT a standard for all customer-facing projects.",
            ),
            (
                "尽早开展用户验收测试效果好",
                "从第二个迭代开始邀请业务用户参与{thing_cn}的验收测试，问题发现得早，修复成本低。",
                "将迭代式用户验收测试纳入项目管理标准。",
            ),
        ],
    ),
    (
        "Delivery practice",
        "went_well",
        "daily stand-up",
        [
            (
                "Daily stand-ups with the vendor kept work aligned",
                "A 15-minute daily stand-up including the vendor team kept the {thing} on schedule and surfaced "
                "blockers the same day.",
                "Include vendors in daily stand-ups on joint projects.",
            ),
        ],
    ),
    (
        "Governance",
        "went_well",
        "automated testing",
        [
            (
                "Automated regression tests reduced release risk",
                "An automated regression suite for the {thing} let us release every two weeks with few defects.",
                "Fund test automation in the project budget from the start.",
            ),
            (
                "自动化测试提升了发布质量",
                "{thing_cn}建立了自动化回归测试，每两周发布一次，缺陷明显减少。",
                "在项目预算中预留自动化测试投入。",
            ),
        ],
    ),
    (
        "Governance",
        "went_well",
        "clear sponsor",
        [
            (
                "Engaged sponsor unblocked decisions quickly",
                "The sponsor of the {thing} attended every steering meeting and took decisions within days.",
                "Require a named, available sponsor for every project above the approval threshold.",
            ),
        ],
    ),
]
_THINGS = [
    ("billing interface", "计费接口"),
    ("customer portal", "客户门户"),
    ("analytics platform", "分析平台"),
    ("mobile app", "移动应用"),
    ("ERP module", "ERP模块"),
    ("payment gateway", "支付网关"),
    ("reporting layer", "报表模块"),
    ("identity service", "身份认证服务"),
]


def _lessons(
    rng: np.random.Generator,
    projects: pd.DataFrame,
    n: int,
    as_of: pd.Timestamp,
    *,
    first: int = 0,
    width: int | None = None,
) -> pd.DataFrame:
    flat = [(cat, kind, theme, t, d, r) for cat, kind, theme, items in _LESSON_TEMPLATES for (t, d, r) in items]
    weights = np.array([3.0 if kind == "to_improve" else 1.6 for _, kind, *_ in flat])
    pick = rng.choice(len(flat), size=n, p=weights / weights.sum())
    eligible = projects.loc[projects["status"] != "proposed"].reset_index(drop=True)
    pj = rng.integers(0, len(eligible), size=n)
    thing = rng.integers(0, len(_THINGS), size=n)
    start = eligible["start_date"].to_numpy()[pj]
    end = np.minimum(eligible["end_date"].to_numpy()[pj], np.datetime64(as_of, "ns"))
    span = np.maximum((end - start).astype("timedelta64[D]").astype(int), 1)
    date = start + (rng.random(n) * span).astype("timedelta64[D]")
    kinds = np.array([flat[i][1] for i in pick])
    impact = np.where(
        kinds == "to_improve",
        rng.choice(["low", "medium", "high"], size=n, p=[0.2, 0.45, 0.35]),
        rng.choice(["low", "medium", "high"], size=n, p=[0.3, 0.5, 0.2]),
    )
    phase = rng.choice(
        ["initiating", "planning", "executing", "monitoring", "closing"], size=n, p=[0.1, 0.3, 0.35, 0.1, 0.15]
    )
    age_days = (np.datetime64(as_of, "ns") - date).astype("timedelta64[D]").astype(int)
    p_done = np.clip(age_days / 500, 0.1, 0.85)
    action = np.where(
        kinds == "went_well",
        "n/a",
        np.where(rng.random(n) < p_done, "done", rng.choice(["open", "in_progress"], size=n, p=[0.6, 0.4])),
    )
    owners = np.array(
        [
            "PMO",
            "Procurement",
            "Architecture Board",
            "QA Lead",
            "HR Business Partner",
            "项目管理办公室",
            "Change Manager",
        ],
        dtype=object,
    )
    titles, descs, recs = [], [], []
    for i, k in enumerate(pick):
        _, _, _, t, d, r = flat[k]
        en, cn = _THINGS[thing[i]]
        titles.append(t.format(thing=en, thing_cn=cn))
        descs.append(d.format(thing=en, thing_cn=cn))
        recs.append(r)
    width = width or max(4, len(str(n)))
    df = pd.DataFrame(
        {
            "lesson_id": [f"L{i + 1:0{width}d}" for i in range(first, first + n)],
            "project_id": eligible["project_id"].to_numpy()[pj],
            "date": pd.to_datetime(date).normalize(),
            "category": [flat[i][0] for i in pick],
            "kind": kinds,
            "impact": impact,
            "title": titles,
            "description": descs,
            "phase": phase,
            "recommendation": recs,
            "action_status": action,
            "owner": rng.choice(owners, size=n),
        }
    )
    return df.sort_values(["date", "lesson_id"]).reset_index(drop=True)


def _holidays(as_of: pd.Timestamp) -> pd.DataFrame:
    rows = []
    for y in range(as_of.year - 2, as_of.year + 2):
        rows += [
            (f"{y}-01-01", "New Year's Day"),
            (f"{y}-05-01", "Labour Day"),
            (f"{y}-12-25", "Christmas Day"),
            (f"{y}-12-26", "Boxing Day"),
        ]
    df = pd.DataFrame(rows, columns=["date", "name"])
    df["date"] = pd.to_datetime(df["date"])
    return df.loc[df["date"].dt.day_of_week < 5].reset_index(drop=True)


# --------------------------------------------------------------------------- delivery tables
_MILESTONES = [
    (0.15, "Requirements signed off", "需求确认"),
    (0.45, "Design approved", "设计评审通过"),
    (0.75, "Build complete", "开发完成"),
    (1.0, "Go-live", "上线"),
]
_RISK_TITLES = {
    "risk": [
        ("Key vendor delivers late", "关键供应商交付延迟"),
        ("Data migration quality below target", "数据迁移质量不达标"),
        ("Key architect leaves the project", "核心架构师离职"),
        ("Regulatory change alters scope", "监管变化导致范围变更"),
        ("Test environment not ready in time", "测试环境未按时就绪"),
        ("Integration with legacy system fails", "与遗留系统集成失败"),
        ("Budget cut in the next fiscal year", "下一财年预算削减"),
        ("User adoption below plan", "用户采纳率低于计划"),
        ("Security review finds critical gaps", "安全评审发现重大缺陷"),
        ("Licence costs rise", "许可证费用上涨"),
    ],
    "issue": [
        ("Vendor missed a delivery date", "供应商未按期交付"),
        ("Production outage during cutover", "切换期间生产中断"),
        ("Requirements changed after sign-off", "需求确认后发生变更"),
        ("Key developer on long leave", "核心开发人员长期休假"),
        ("Defect backlog above the agreed limit", "缺陷积压超过约定上限"),
    ],
}
_CHAIN_SLIP_DAYS = 45  # how far the planted chain's first successor is pushed


def _is_chinese(names: pd.Series) -> np.ndarray:
    return names.str.contains(r"[\u4e00-\u9fff]", regex=True).to_numpy()


def _planted_chain(projects: pd.DataFrame, as_of: pd.Timestamp) -> tuple[str, str, str] | None:
    """An off-track running project ending within six months (the slowest by its schedule factor)
    and the first two proposed projects that can only start after it: A -> B -> C.
    """
    running = projects.loc[
        projects["status"].isin(["active", "on_hold"])
        & (projects["end_date"] > as_of)
        & (projects["end_date"] <= as_of + pd.DateOffset(months=6))
    ]
    if running.empty:
        return None
    a = running.sort_values(["_schedule", "project_id"]).iloc[0]
    later = projects.loc[(projects["status"] == "proposed") & (projects["start_date"] > a["end_date"])]
    later = later.sort_values(["start_date", "project_id"])
    if later.empty:
        return None
    b = later.iloc[0]
    c = later.loc[later["start_date"] > b["start_date"] + pd.Timedelta(days=30)]
    return None if c.empty else (a["project_id"], b["project_id"], c.iloc[0]["project_id"])


def _dependencies(rng: np.random.Generator, projects: pd.DataFrame, chain: tuple[str, str, str] | None) -> pd.DataFrame:
    """About a third of the projects wait for one that starts before them (so the network has no
    cycle): finish to start when the predecessor ends first, else start to start. The planted
    chain A -> B (finish to start) -> C (start to start) comes first.
    """
    live = projects.loc[projects["status"] != "cancelled"].sort_values(["start_date", "project_id"])
    live = live.reset_index(drop=True)
    n = len(live)
    rank = np.arange(n)
    pick = (rng.random(n) < 0.35) & (rank > 0)
    succ = live.loc[pick]
    pred = live.iloc[np.floor(rng.random(pick.sum()) * rank[pick]).astype(int)].reset_index(drop=True)
    succ = succ.reset_index(drop=True)
    fs = pred["end_date"] < succ["start_date"]
    gap = np.where(
        fs, (succ["start_date"] - pred["end_date"]).dt.days - 1, (succ["start_date"] - pred["start_date"]).dt.days
    )
    lag = np.minimum(np.floor(gap * rng.uniform(0.2, 0.9, len(succ)) / 7) * 7, 60)
    d = pd.DataFrame(
        {
            "predecessor_id": pred["project_id"],
            "successor_id": succ["project_id"],
            "type": np.where(fs, "finish_to_start", "start_to_start"),
            "lag_days": lag.astype(int),
            "description": np.where(
                fs, "needs the predecessor's platform in production", "shares the predecessor's team and environments"
            ),
        }
    )
    if chain is not None:
        a, b, c = (projects.set_index("project_id").loc[x] for x in chain)
        planted = pd.DataFrame(
            {
                "predecessor_id": [chain[0], chain[1]],
                "successor_id": [chain[1], chain[2]],
                "type": ["finish_to_start", "start_to_start"],
                "lag_days": [0, max(0, (c["start_date"] - b["start_date"]).days - 1)],
                "description": [
                    f"{b['name']} needs the data and platform of {a['name']}",
                    f"{c['name']} 复用 {b['name']} 的核心组件 (reuses its core components)",
                ],
            }
        )
        d = pd.concat([planted, d], ignore_index=True)
    d = d.loc[d["predecessor_id"] != d["successor_id"]]
    return d.drop_duplicates(["predecessor_id", "successor_id"]).reset_index(drop=True)


def _milestones(
    rng: np.random.Generator, projects: pd.DataFrame, as_of: pd.Timestamp, chain: tuple[str, str, str] | None
) -> pd.DataFrame:
    """Four milestones per started project, with a status report every two months (the last six):
    late projects (low schedule factor) see their forecasts move out report after report; the
    planted chain's first project slips its go-live so its successor starts 45 days late.
    """
    started = projects.loc[projects["status"].isin(["active", "on_hold", "completed"])].reset_index(drop=True)
    k = len(_MILESTONES)
    pj = np.repeat(np.arange(len(started)), k)
    frac = np.tile([f for f, _, _ in _MILESTONES], len(started))
    start, end = started["start_date"].to_numpy()[pj], started["end_date"].to_numpy()[pj]
    span = (end - start).astype("timedelta64[D]").astype(float)
    baseline = start + (np.round(span * frac)).astype("timedelta64[D]")
    schedule = started["_schedule"].to_numpy()[pj]
    slip = np.round(span * frac * (1 / schedule - 1) * rng.uniform(0.3, 0.7, len(pj)))
    done = started["status"].to_numpy()[pj] == "completed"
    slip = np.where(done, np.minimum(slip, (end - baseline).astype("timedelta64[D]").astype(float)), slip)
    if chain is not None:
        ids = started["project_id"].to_numpy()[pj]
        succ_start = cast(pd.Timestamp, projects.set_index("project_id").loc[chain[1], "start_date"])
        go_live = (ids == chain[0]) & (frac == 1.0)
        needed = (succ_start - pd.Timestamp(end[go_live][0])).days - 1 + _CHAIN_SLIP_DAYS
        slip = np.where(ids == chain[0], np.round(needed * frac), slip)
    final = baseline + slip.astype("timedelta64[D]")
    # status reports: month ends every two months, from the first month after the start to as_of
    first = pd.DatetimeIndex(start).to_period("M").asi8 + 1
    last = np.minimum(
        pd.DatetimeIndex(np.minimum(end, np.datetime64(as_of))).to_period("M").asi8 + 1, as_of.to_period("M").ordinal
    )
    last = last - (last - first) % 2
    n_rep = np.clip((last - first) // 2 + 1, 1, 6)
    mi = np.repeat(np.arange(len(pj)), n_rep)
    step = np.arange(n_rep.sum()) - np.repeat(np.cumsum(n_rep) - n_rep, n_rep)
    month = last[mi] - 2 * (n_rep[mi] - 1 - step)
    status_date = _months(month).to_timestamp(how="end").normalize()
    sd = status_date.to_numpy()
    # a forecast reveals more of the slip at each report, all of it by the last report or the baseline
    last_sd = np.maximum.reduceat(sd, np.cumsum(n_rep) - n_rep)[mi]
    horizon = (np.minimum(baseline[mi], last_sd) - start[mi]).astype("timedelta64[D]").astype(float)
    progress = np.clip((sd - start[mi]).astype("timedelta64[D]").astype(float) / np.maximum(horizon, 1), 0, 1)
    partial = baseline[mi] + (np.round(slip[mi] * progress / 7) * 7).astype("timedelta64[D]")
    forecast = np.where(progress >= 1, final[mi], partial)
    reached = final[mi] <= sd
    forecast = np.where(reached, final[mi], np.maximum(forecast, sd))
    names = np.where(
        _is_chinese(started["name"])[pj],
        [c for _, _, c in _MILESTONES] * len(started),
        [e for _, e, _ in _MILESTONES] * len(started),
    )
    df = pd.DataFrame(
        {
            "project_id": started["project_id"].to_numpy()[pj][mi],
            "milestone_id": np.tile([f"M{i + 1}" for i in range(k)], len(started))[mi],
            "name": names[mi],
            "baseline_date": pd.to_datetime(baseline[mi]),
            "forecast_date": pd.to_datetime(forecast),
            "actual_date": pd.to_datetime(np.where(reached, final[mi], np.datetime64("NaT"))),
            "status_date": status_date,
        }
    )
    return df.sort_values(["project_id", "milestone_id", "status_date"]).reset_index(drop=True)


def _risks(
    rng: np.random.Generator, projects: pd.DataFrame, as_of: pd.Timestamp, chain: tuple[str, str, str] | None
) -> pd.DataFrame:
    """Risks and issues (about 1.75 per project, at least 60), in English and in Chinese for the
    projects with Chinese names; completed projects' are closed. The planted chain's first project
    has an overdue, unowned issue with a large impact.
    """
    live = projects.loc[projects["status"] != "cancelled"].reset_index(drop=True)
    n = max(60, round(1.75 * len(projects)))
    w = np.where(live["status"].isin(["active", "on_hold"]), 3.0, 1.0)
    pj = rng.choice(len(live), size=n, p=w / w.sum())
    kind = np.where(rng.random(n) < 0.75, "risk", "issue")
    titles = np.empty(n, dtype=object)
    for k, options in _RISK_TITLES.items():  # two kinds, not rows
        m = kind == k
        pick = rng.integers(0, len(options), m.sum())
        cn = _is_chinese(live["name"])[pj[m]] | (rng.random(m.sum()) < 0.15)
        titles[m] = np.where(cn, [options[i][1] for i in pick], [options[i][0] for i in pick])
    budget = live["budget"].to_numpy()[pj]
    impact = np.round(np.minimum(budget * rng.lognormal(np.log(0.035), 0.8, n), budget * 0.5), -3)
    prob = np.where(kind == "risk", rng.choice([0.1, 0.2, 0.3, 0.5, 0.7, 0.9], size=n), np.nan)
    status_p = live["status"].to_numpy()[pj]
    start = live["start_date"].to_numpy()[pj]
    lo = np.where(status_p == "proposed", np.datetime64(as_of - pd.Timedelta(days=90)), start)
    end = np.where(status_p == "completed", live["end_date"].to_numpy()[pj], np.datetime64(as_of))
    days = np.maximum((end - lo).astype("timedelta64[D]").astype(int), 1)
    raised = lo + (rng.random(n) * days).astype("timedelta64[D]")
    due = raised + rng.integers(30, 150, n).astype("timedelta64[D]")
    closed = (status_p == "completed") | ((status_p != "proposed") & (rng.random(n) < 0.3))
    closed_date = np.minimum(raised + rng.integers(10, 120, n).astype("timedelta64[D]"), np.datetime64(as_of))
    people = np.array([f"{g} {f}" for g in _GIVEN for f in _FAMILY] + _CN_NAMES, dtype=object)
    owner = np.where(rng.random(n) < 0.1, np.array(None, dtype=object), rng.choice(people, size=n))
    width = max(3, len(str(n)))
    df = pd.DataFrame(
        {
            "risk_id": [f"R-{i + 1:0{width}d}" for i in range(n)],
            "project_id": live["project_id"].to_numpy()[pj],
            "kind": kind,
            "title": titles,
            "probability": prob,
            "impact_cost": impact,
            "owner": owner,
            "status": np.where(closed, "closed", "open"),
            "raised_date": pd.to_datetime(raised).normalize(),
            "due_date": pd.to_datetime(due).normalize(),
            "closed_date": pd.to_datetime(np.where(closed, closed_date, np.datetime64("NaT"))).normalize(),
        }
    )
    if chain is not None:
        a = projects.set_index("project_id").loc[chain[0]]
        df.loc[len(df)] = {
            "risk_id": f"R-{n + 1:0{width}d}",
            "project_id": chain[0],
            "kind": "issue",
            "title": "Migration vendor missed the cutover window",
            "probability": np.nan,
            "impact_cost": float(np.round(a["budget"] * 0.12, -3)),
            "owner": None,
            "status": "open",
            "raised_date": as_of - pd.Timedelta(days=75),
            "due_date": as_of - pd.Timedelta(days=20),
            "closed_date": pd.NaT,
        }
    return df


# --------------------------------------------------------------------------- one region
def _core_tables(
    rng: np.random.Generator,
    size: SampleSize,
    counts: tuple[int, int, int],
    as_of: pd.Timestamp,
    *,
    first: tuple[int, int, int] = (0, 0, 0),
    widths: tuple[int | None, ...] = (None, None, None),
) -> dict[str, pd.DataFrame]:
    """Projects (with their hidden columns), cash flows, people, assignments, timesheets and lessons
    of one region: ``counts`` (projects, people, lessons) numbered from ``first`` with ``widths``
    digits (the defaults: a whole portfolio).
    """
    n_projects, n_people, n_lessons = counts
    ts_start = _month_start(as_of) - pd.DateOffset(months=size.timesheet_months - 1)
    projects = _projects(rng, n_projects, as_of, first=first[0], width=widths[0])
    projects, cashflows = _cashflows(rng, projects, as_of, size.benefit_months)
    resources = _resources(rng, n_people, as_of, ts_start, first=first[1], width=widths[1])
    assignments = _assignments(rng, projects, resources, enterprise=size.enterprise)
    timesheets = _timesheets(rng, resources, assignments, ts_start, as_of)
    lessons = _lessons(rng, projects, n_lessons, as_of, first=first[2], width=widths[2])
    return {
        "projects": projects,
        "cashflows": cashflows,
        "resources": resources,
        "assignments": assignments,
        "timesheets": timesheets,
        "lessons": lessons,
    }


def _delivery_tables(seed: int, projects: pd.DataFrame, as_of: pd.Timestamp) -> dict[str, pd.DataFrame]:
    """Dependencies, milestones and risks, drawn from a generator of their own (so the other tables
    stay as they were before these existed).
    """
    drng = np.random.default_rng([seed, 14])
    chain = _planted_chain(projects, as_of)
    return {
        "dependencies": _dependencies(drng, projects, chain),
        "milestones": _milestones(drng, projects, as_of, chain),
        "risks": _risks(drng, projects, as_of, chain),
    }


def _public(projects: pd.DataFrame) -> pd.DataFrame:
    return projects.drop(columns=[c for c in projects.columns if c.startswith("_")])


def _split(total: int, parts: int) -> np.ndarray:
    """``total`` in ``parts`` near-equal whole parts (the first ones one larger)."""
    return total // parts + (np.arange(parts) < total % parts)


def _parquet_ready(name: str, df: pd.DataFrame) -> pd.DataFrame:
    """Timesheets' ids and activity as dictionary-encoded (categorical) columns, as written to Parquet."""
    if name == "timesheets":
        for c in ("resource_id", "project_id", "activity"):
            df[c] = df[c].astype("category")
    return df


def _write_timesheets_by_month(ts: pd.DataFrame, folder: Path, part: int) -> None:
    """One region's timesheets (sorted by date) as ``month=YYYY-MM/part-<part>.parquet`` files, the
    Hive layout DuckDB and pyarrow read as one table; ids as dictionaries with 32-bit indices so
    every file has the same schema.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(_parquet_ready("timesheets", ts), preserve_index=False)
    dict32 = pa.dictionary(pa.int32(), pa.string())
    table = table.cast(
        pa.schema(
            [pa.field(f.name, dict32) if pa.types.is_dictionary(f.type) else f for f in table.schema],
            metadata=table.schema.metadata,
        )
    )
    month = ts["date"].to_numpy().astype("datetime64[M]")
    months = np.unique(month)
    bounds = [*np.searchsorted(month, months, side="left").tolist(), len(ts)]
    for m, a, b in zip(months, bounds[:-1], bounds[1:], strict=True):  # 48 months, not rows
        target = folder / f"month={m}" / f"part-{part}.parquet"
        target.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(table.slice(a, b - a), target)


class _Appender:
    """One Parquet file per table, written a region at a time (one row group or more per region)."""

    def __init__(self, out: Path):
        self.out = out
        self.writers: dict[str, Any] = {}  # pyarrow.parquet.ParquetWriter by table name

    def append(self, name: str, df: pd.DataFrame) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.Table.from_pandas(df, preserve_index=False)
        if name not in self.writers:
            self.writers[name] = pq.ParquetWriter(self.out / f"{name}.parquet", table.schema)
        writer = self.writers[name]
        writer.write_table(table.cast(writer.schema))

    def close(self) -> dict[str, Path]:
        for w in self.writers.values():
            w.close()
        return {name: self.out / f"{name}.parquet" for name in self.writers}


def _three(row: np.ndarray) -> tuple[int, int, int]:
    """A row of three counts as Python ints."""
    a, b, c = (int(x) for x in row)
    return a, b, c


def _write_in_regions(out: Path, size: SampleSize, seed: int, as_of: str) -> dict[str, Path]:
    """Generate and write a portfolio one region at a time: memory holds one region's tables (and
    every region's projects, for the delivery tables), never the whole timesheets.
    """
    import shutil

    as_of_ts = pd.Timestamp(as_of)
    totals = (size.projects, size.people, size.lessons)
    counts = np.stack([_split(t, size.regions) for t in totals], axis=1)
    firsts = np.cumsum(counts, axis=0) - counts
    widths = (max(3, len(str(size.projects))), max(3, len(str(size.people))), max(4, len(str(size.lessons))))
    folder = out / "timesheets"
    shutil.rmtree(folder, ignore_errors=True)  # parts of an earlier portfolio would join this one
    for stale in (out / "timesheets.parquet", out / "timesheets.csv"):
        stale.unlink(missing_ok=True)
    appender, projects = _Appender(out), []
    for r in range(size.regions):  # a few regions, each vectorized
        rng = np.random.default_rng([seed, 100, r])
        t = _core_tables(rng, size, _three(counts[r]), as_of_ts, first=_three(firsts[r]), widths=widths)
        _write_timesheets_by_month(t.pop("timesheets"), folder, part=r)
        projects.append(t.pop("projects"))
        for name, df in t.items():
            appender.append(name, df)
        del t
    written = appender.close()
    written["timesheets"] = folder
    everything = pd.concat(projects, ignore_index=True)
    rest = {
        "projects": _public(everything),
        "holidays": _holidays(as_of_ts),
        **_delivery_tables(seed, everything, as_of_ts),
    }
    for name, df in rest.items():
        df.to_parquet(out / f"{name}.parquet", index=False)
        written[name] = out / f"{name}.parquet"
    order = [
        "projects",
        "cashflows",
        "resources",
        "assignments",
        "timesheets",
        "lessons",
        "holidays",
        "dependencies",
        "milestones",
        "risks",
    ]
    return {name: written[name] for name in order}


# --------------------------------------------------------------------------- public API
def generate_portfolio(
    *, seed: int = 42, scale: str | float | SampleSize = "sample", as_of: str = "2026-06-30"
) -> dict[str, pd.DataFrame]:
    """Generate every table of a portfolio in the data contract.

    Parameters
    ----------
    seed : int
        Seed of the random generator: the same seed gives the same portfolio.
    scale : {"sample", "large"}, float or SampleSize
        ``"sample"`` (40 projects, 60 people, 18 months of timesheets, 200 lessons), ``"large"``
        (10,000 projects, 5,000 people, 48 months, 100,000 lessons), a multiple of the sample, or a
        :class:`SampleSize` (such as :func:`enterprise_size`) of one region. The ``"huge"`` preset
        (~116 million timesheet rows) does not fit in memory as DataFrames: :func:`write_sample`
        writes it region by region.
    as_of : str
        The date the portfolio is "current" at: actuals are reported up to this month.

    Returns
    -------
    dict of DataFrame
        ``projects``, ``cashflows``, ``resources``, ``assignments``, ``timesheets``, ``lessons``,
        ``holidays``, ``dependencies``, ``milestones``, ``risks``.
    """
    size = _size(scale)
    if size.regions > 1:
        raise ValueError(
            f"a portfolio of {size.regions} regions is written region by region, not held in "
            f"memory: use write_sample(out_dir, scale={scale!r})"
        )
    rng = np.random.default_rng(seed)
    as_of_ts = pd.Timestamp(as_of)
    tables = _core_tables(rng, size, (size.projects, size.people, size.lessons), as_of_ts)
    delivery = _delivery_tables(seed, tables["projects"], as_of_ts)
    tables["projects"] = _public(tables["projects"])
    return {**tables, "holidays": _holidays(as_of_ts), **delivery}


def write_sample(
    out_dir: str | Path,
    *,
    seed: int = 42,
    scale: str | float | SampleSize = "sample",
    as_of: str = "2026-06-30",
    fmt: str | None = None,
) -> dict[str, Path]:
    """Generate a portfolio and write one file per table to ``out_dir``.

    ``fmt`` is ``"csv"`` or ``"parquet"``; by default CSV for the sample and Parquet otherwise.
    A portfolio of several regions (``"huge"``: 50,000 people, 100,000 projects, ~116 million
    timesheet rows) is Parquet only, generated a region at a time in bounded memory (about that of
    the enterprise portfolio, 3-4 GB), its timesheets in a ``timesheets/`` folder partitioned by
    month (``timesheets/month=2026-01/part-0.parquet``, a part per region).
    Returns the path written for each table (the folder, for partitioned timesheets).
    """
    size = _size(scale)
    fmt = fmt or ("csv" if scale == "sample" else "parquet")
    if fmt not in ("csv", "parquet"):
        raise ValueError(f"fmt must be 'csv' or 'parquet', got {fmt!r}")
    out = Path(out_dir)
    if size.regions > 1:
        if fmt != "parquet":
            raise ValueError(f"a portfolio of {size.regions} regions is written as Parquet, got format {fmt!r}")
        out.mkdir(parents=True, exist_ok=True)
        return _write_in_regions(out, size, seed, as_of)
    tables = generate_portfolio(seed=seed, scale=size, as_of=as_of)
    out.mkdir(parents=True, exist_ok=True)
    if (out / "timesheets").is_dir():  # partitioned timesheets of an earlier portfolio
        import shutil

        shutil.rmtree(out / "timesheets")
    written = {}
    for name, df in tables.items():
        path = out / f"{name}.{fmt}"
        if fmt == "csv":
            df = df.copy()
            for c in df.columns:
                if pd.api.types.is_datetime64_any_dtype(df[c]):
                    df[c] = df[c].dt.strftime("%Y-%m-%d")
            df.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
        else:
            df = _parquet_ready(name, df)
            df.to_parquet(path, index=False)
        written[name] = path
    return written
