"""Schedules (:class:`~pmo_analysis.inputs.schedules._model.Schedule`) as the data contract's tables.

Pure functions: schedules in, the contract's tables out (``projects``, ``cashflows``,
``resources``, ``assignments``, ``timesheets``, ``holidays``, ``dependencies``, ``milestones``),
plus what was derived for each project. The rules, each written once here:

- **Monthly spread.** Each cost item's budget is spread over the working days (Monday to Friday)
  between its planned start and finish, its actual cost over the working days between its actual
  start and its actual finish (or the status date, or its actual start); an item whose dates hold
  no weekday falls on its calendar days, and one without dates on its first month. Amounts are
  split in whole cents by the largest-remainder rule, so every item's months add up to the item
  to the cent, and a project's months to the file's totals.
- **Budget** (``projects.budget``) is the sum of the items' baselines (or, with no baseline, the
  planned cost the reader said it used); **percent complete** is the cost-weighted earned value
  over that budget: ``sum(activity budget x activity percent) / budget``, never the file's
  roll-up; empty when the budget is 0 (nothing to weigh by).
- **Status** comes from actual dates: every activity finished is ``completed``, any started (or
  any actual cost) is ``active``, none is ``proposed``. On hold and cancelled are decisions no
  schedule records.
- **Actual cost** is stated for every month up to the status date (0 where nothing was spent) and
  left empty after it (not reported yet); with no status date, up to the last actual date.
- **Assignments** are one row per person, project and month: planned hours ÷ the month's
  capacity (``weekly capacity x weekdays / 5``), at most 100%.
- **Timesheets** are the actual hours spread over the working days of the actual dates, marked
  ``activity = schedule actuals``.
- **Dependencies** roll links between tasks of different projects up to one row per project pair:
  the most frequent link type (start-to-finish, which the contract has no word for, counts as
  finish-to-start), the largest lag, working hours converted to calendar days
  (``hours / hours a day x 7 / 5``).
- **Milestones**: one row per milestone and status copy; a milestone without a baseline date is
  left out (a baseline is what a milestone is measured against).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from pmo_analysis.core.i18n import _, current, label
from pmo_analysis.inputs.schedules._model import Schedule

__all__ = ["ACTUALS_ACTIVITY", "Derived", "spread_by_day", "spread_by_month", "to_contract"]

ACTUALS_ACTIVITY = "schedule actuals"
_DEPENDENCY_TYPES = {"FS": "finish_to_start", "SS": "start_to_start", "FF": "finish_to_finish", "SF": "finish_to_start"}
_MAX_LAG_DAYS = 3650


@dataclass
class Derived:
    """What the mapping derived for one project, and the assumptions it made, for import-report.md."""

    project_id: str
    copies: list[Schedule]
    derived: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- spreading
def _days(values) -> np.ndarray:
    return pd.to_datetime(pd.Series(list(values), dtype="object")).to_numpy().astype("datetime64[D]")


def _largest_remainder(item: np.ndarray, weights: np.ndarray, cents: np.ndarray) -> np.ndarray:
    """Whole cents per segment: each item's ``cents`` split by its segments' ``weights`` exactly."""
    totals = np.bincount(item, weights=weights, minlength=len(cents))
    share = np.abs(cents[item]) * weights / np.where(totals[item] > 0, totals[item], 1)
    base = np.floor(share).astype(np.int64)
    left = np.abs(cents) - np.bincount(item, weights=base, minlength=len(cents)).astype(np.int64)
    order = np.lexsort((-(share - base), item))
    first = np.searchsorted(item[order], item[order], side="left")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order)) - first
    return (base + (rank < left[item])) * np.sign(cents[item])


def spread_by_month(starts, finishes, cents) -> pd.DataFrame:
    """Split whole-cent ``cents`` of items running from ``starts`` to ``finishes`` (inclusive) into
    months by working days: a frame of ``item`` (position), ``period`` (first day of the month)
    and ``cents``, whose cents add up to each item's exactly.

    >>> import datetime as dt
    >>> spread_by_month([dt.date(2026, 1, 26)], [dt.date(2026, 2, 6)], [1000]).cents.tolist()
    [500, 500]
    """
    cents = np.asarray(cents, dtype=np.int64)
    if len(cents) == 0:
        return pd.DataFrame({"item": [], "period": [], "cents": []})
    s = _days(starts)
    f = _days(finishes)
    f = np.where(np.isnat(f), s, f)
    f = np.where(f < s, s, f)
    ms, mf = s.astype("datetime64[M]"), f.astype("datetime64[M]")
    n = (mf - ms).astype(np.int64) + 1
    item = np.repeat(np.arange(len(cents)), n)
    offset = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
    month = ms[item] + offset
    lo = np.maximum(s[item], month.astype("datetime64[D]"))
    hi = np.minimum(f[item] + 1, (month + 1).astype("datetime64[D]"))
    weights = np.busday_count(lo, hi).astype(float)
    no_weekday = np.bincount(item, weights=weights, minlength=len(cents)) == 0
    calendar = (hi - lo).astype(np.int64).astype(float)
    weights = np.where(no_weekday[item], calendar, weights)
    return pd.DataFrame(
        {"item": item, "period": month.astype("datetime64[ns]"), "cents": _largest_remainder(item, weights, cents)}
    )


def spread_by_day(starts, finishes, cents) -> pd.DataFrame:
    """Split ``cents`` (hundredths of an hour, say) of items over the weekdays from ``starts`` to
    ``finishes`` (inclusive; every day when no weekday is in range): ``item``, ``date``, ``cents``.

    >>> import datetime as dt
    >>> spread_by_day([dt.date(2026, 3, 6)], [dt.date(2026, 3, 9)], [1000]).cents.tolist()
    [500, 500]
    """
    cents = np.asarray(cents, dtype=np.int64)
    if len(cents) == 0:
        return pd.DataFrame({"item": [], "date": [], "cents": []})
    s = _days(starts)
    f = _days(finishes)
    f = np.where(np.isnat(f) | (f < s), s, f)
    n = (f - s).astype(np.int64) + 1
    item = np.repeat(np.arange(len(cents)), n)
    day = s[item] + (np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n))
    weights = np.is_busday(day).astype(float)
    none = np.bincount(item, weights=weights, minlength=len(cents)) == 0
    weights = np.where(none[item], 1.0, weights)
    out = pd.DataFrame({"item": item, "date": day, "cents": _largest_remainder(item, weights, cents)})
    return out[out.cents != 0]


def _cents(amounts: pd.Series) -> np.ndarray:
    return np.round(pd.to_numeric(amounts, errors="coerce").fillna(0).to_numpy(dtype=float) * 100).astype(np.int64)


# --------------------------------------------------------------------------- one project
def _progress_date(s: Schedule) -> dt.date | None:
    """The date actuals are reported to: the status date, else the last actual date in the file
    (and never before an actual date the file holds, so no actual cost is lost).
    """
    dates = [d for col in ("actual_start", "actual_finish") for d in s.activities[col] if d is not None]
    if s.status_date is not None:
        dates.append(s.status_date)
    return max(dates) if dates else None


def _actual_spans(frame: pd.DataFrame, progress: dt.date | None) -> tuple[list, list]:
    starts = list(frame.actual_start.where(frame.actual_start.notna(), frame.start))
    finishes = [
        f if f is not None else (max(progress, st) if progress is not None and st is not None else st)
        for f, st in zip(frame.actual_finish.where(frame.actual_finish.notna(), None), starts, strict=True)
    ]
    return starts, finishes


def _status(s: Schedule) -> str:
    acts = s.activities
    if len(acts) and acts.actual_finish.notna().all():
        return "completed"
    if acts.actual_start.notna().any() or _cents(s.costs.actual).sum() > 0:
        return "active"
    return "proposed"


def _percent_complete(s: Schedule) -> float | None:
    """Cost-weighted earned value over the budget, in percent; None when the budget is 0."""
    budget = s.costs.groupby("uid").budget.sum()
    total = float(budget.sum())
    if total <= 0:
        return None
    percent = s.activities.set_index("uid").percent.reindex(budget.index).fillna(0)
    return round(float((budget * percent.clip(0, 100)).sum()) / total, 2)


def _cashflows(pid: str, s: Schedule, derived: Derived) -> pd.DataFrame:
    costs = s.costs
    planned = spread_by_month(costs.start, costs.finish, _cents(costs.budget))
    progress = _progress_date(s)
    a_start, a_finish = _actual_spans(costs, progress)
    has_actual = _cents(costs.actual) != 0
    actual = spread_by_month(
        [d for d, h in zip(a_start, has_actual, strict=True) if h],
        [d for d, h in zip(a_finish, has_actual, strict=True) if h],
        _cents(costs.actual)[has_actual],
    )
    months = pd.concat([planned.period, actual.period])
    first = pd.Timestamp(s.start or min(filter(None, s.activities.start), default=None) or dt.date.today())
    last = pd.Timestamp(s.finish or max(filter(None, s.activities.finish), default=None) or first)
    span = pd.date_range(first.to_period("M").to_timestamp(), last.to_period("M").to_timestamp(), freq="MS")
    index = pd.DatetimeIndex(sorted(set(months) | set(span)), name="period")
    out = pd.DataFrame(
        {
            "planned_cost": planned.groupby("period").cents.sum().reindex(index, fill_value=0) / 100,
            "actual_cost": actual.groupby("period").cents.sum().reindex(index, fill_value=0) / 100,
        }
    )
    out["planned_benefit"] = 0.0
    out["actual_benefit"] = np.nan
    if progress is None:
        out["actual_cost"] = np.nan
        derived.notes.append(_("no status date and no actual dates: actual costs are left empty (not reported)"))
    else:
        out.loc[out.index > pd.Timestamp(progress).to_period("M").to_timestamp(), "actual_cost"] = np.nan
    out = out.reset_index()
    out.insert(0, "project_id", pid)
    out["period"] = out.period.dt.strftime("%Y-%m")
    derived.derived.append(
        _(
            "cash flows: {n} months; planned cost {planned} and actual cost {actual}, each month's amounts adding "
            "up to the file's totals",
            n=len(out),
            planned=f"{planned.cents.sum() / 100:,.2f}",
            actual=f"{actual.cents.sum() / 100:,.2f}",
        )
    )
    return out[["project_id", "period", "planned_cost", "planned_benefit", "actual_cost", "actual_benefit"]]


def _project_row(pid: str, s: Schedule, department: str, derived: Derived) -> dict:
    acts = s.activities
    starts = [d for d in list(acts.actual_start) + list(acts.start) if d is not None]
    finishes = [d for d in acts.finish if d is not None]
    start = min(starts) if starts else s.start
    end = max(finishes) if finishes else s.finish
    start = start or end or s.status_date
    end = max(end or start, start) if start else end
    budget = _cents(s.costs.budget).sum() / 100
    percent = _percent_complete(s)
    status = _status(s)
    derived.derived.append(
        _(
            "status {status} (from actual dates); budget {budget} {source}; percent complete {percent} "
            "(cost-weighted earned value over the budget)",
            status=status if current() == "en" else label(status),  # the code, in words in another language
            budget=f"{budget:,.2f}",
            source=_("(baseline cost)") if s.has_baseline else _("(planned cost: no baseline)"),
            percent=_("n/a (the budget is 0, so there is nothing to weigh progress by)")
            if percent is None
            else f"{percent:g}%",
        )
    )
    return {
        "project_id": pid,
        "name": s.name,
        "department": department,
        "status": status,
        "start_date": start,
        "end_date": end,
        "budget": budget,
        "percent_complete": percent,
        "status_date": s.status_date,
    }


def _work_frames(pid: str, s: Schedule, derived: Derived) -> tuple[pd.DataFrame, pd.DataFrame]:
    w = s.work
    capacity = {r.resource: _capacity(r) for r in _rows(s.resources)}
    plan = spread_by_month(w.start, w.finish, _cents(w.planned_hours))
    plan["resource"] = w.resource.to_numpy()[plan.item.astype(int)] if len(w) else []
    hours = plan.groupby(["resource", "period"]).cents.sum().reset_index()
    month = pd.to_datetime(hours.period).to_numpy().astype("datetime64[M]")
    weekdays = np.busday_count(month.astype("datetime64[D]"), (month + 1).astype("datetime64[D]"))
    cap = hours.resource.map(capacity).fillna(0).to_numpy(dtype=float) * weekdays / 5
    pct = np.round(np.divide(hours.cents.to_numpy() / 100, cap, out=np.zeros(len(cap)), where=cap > 0) * 100, 2)
    capped = int((pct > 100).sum())
    keep = pct > 0
    assignments = pd.DataFrame(
        {
            "resource_id": hours.resource[keep],
            "project_id": pid,
            "start_date": pd.to_datetime(month[keep]).date,
            "end_date": pd.to_datetime((month[keep] + 1).astype("datetime64[D]") - 1).date,
            "allocation_pct": np.minimum(pct[keep], 100.0),
        }
    ).reset_index(drop=True)
    if capped:
        derived.notes.append(_("{n} person-month(s) planned above capacity are shown at 100% allocation", n=capped))
    progress = _progress_date(s)
    done = _cents(w.actual_hours) > 0
    a_start, a_finish = _actual_spans(w[done], progress)
    booked = spread_by_day(a_start, a_finish, _cents(w.actual_hours)[done])
    booked["resource_id"] = w.resource.to_numpy()[done][booked.item.astype(int)] if done.any() else []
    booked = booked.groupby(["resource_id", "date"]).cents.sum().reset_index()
    timesheets = pd.DataFrame(
        {
            "resource_id": booked.resource_id,
            "date": pd.to_datetime(booked.date).dt.date,
            "hours": booked.cents / 100,
            "project_id": pid,
            "activity": ACTUALS_ACTIVITY,
        }
    )
    if (timesheets.hours > 24).any():
        derived.notes.append(_("days with more than 24 actual hours of one person are capped at 24 hours"))
        timesheets["hours"] = timesheets.hours.clip(upper=24)
    derived.derived.append(
        _(
            "{n} monthly assignment row(s) from planned work; {hours} actual hours as timesheet rows marked "
            "'{activity}'",
            n=len(assignments),
            hours=f"{timesheets.hours.sum():,.2f}",
            activity=ACTUALS_ACTIVITY,
        )
    )
    return assignments, timesheets


def _rows(frame: pd.DataFrame) -> Iterable[Any]:
    """The rows of ``frame`` as named tuples (typed loosely: their fields are the frame's columns)."""
    return frame.itertuples(index=False)


def _capacity(r) -> float:
    """Weekly capacity hours: max units x the calendar's hours a week, within (0, 168]."""
    hours = float(r.max_units or 1.0) * float(r.week_hours or 40.0)
    return min(max(hours, 0.01), 168.0)


def _milestones(pid: str, copies: list[Schedule], derived: Derived) -> pd.DataFrame:
    rows = []
    for s in copies:
        ms = s.activities[s.activities.milestone.astype(bool)]
        milestone_rows: Iterable[Any] = ms.itertuples(index=False)
        for m in milestone_rows:
            if m.baseline_finish is None:
                continue
            rows.append(
                {
                    "project_id": pid,
                    "milestone_id": str(m.code),
                    "name": str(m.name),
                    "baseline_date": m.baseline_finish,
                    "forecast_date": None if m.actual_finish is not None else m.finish,
                    "actual_date": m.actual_finish,
                    "status_date": s.status_date,
                }
            )
    total = sum(int(s.activities.milestone.astype(bool).sum()) for s in copies)
    if total:
        derived.derived.append(
            (
                _("{n} milestone row(s) from 1 status copy", n=len(rows))
                if len(copies) == 1
                else _("{n} milestone row(s) from {copies} status copies", n=len(rows), copies=len(copies))
            )
            + (_("; {n} without a baseline date left out", n=total - len(rows)) if total > len(rows) else "")
        )
    return pd.DataFrame(
        rows,
        columns=["project_id", "milestone_id", "name", "baseline_date", "forecast_date", "actual_date", "status_date"],
    )


# --------------------------------------------------------------------------- the portfolio
def to_contract(
    projects: dict[str, list[Schedule]],
    *,
    departments: dict[str, str],
    refs: dict[str, str],
) -> tuple[dict[str, pd.DataFrame], list[Derived], list[str]]:
    """The contract's tables for ``projects`` (project_id -> its status copies, oldest first).

    ``departments`` gives each project's department; ``refs`` maps a link's project reference (a
    key, or ``file:<stem>``) to a project_id. Returns the tables, what was derived per project,
    and portfolio-wide notes (links left out, resources merged).
    """
    tables: dict[str, list[pd.DataFrame]] = {t: [] for t in ("cashflows", "assignments", "timesheets", "milestones")}
    rows: list[dict] = []
    derived_all: list[Derived] = []
    notes: list[str] = []
    resources: dict[str, dict] = {}
    holidays: dict[dt.date, str] = {}
    links = []
    for pid, copies in projects.items():
        latest = copies[-1]
        derived = Derived(pid, copies)
        rows.append(_project_row(pid, latest, departments.get(pid, "Unassigned"), derived))
        tables["cashflows"].append(_cashflows(pid, latest, derived))
        a, t = _work_frames(pid, latest, derived)
        tables["assignments"].append(a)
        tables["timesheets"].append(t)
        tables["milestones"].append(_milestones(pid, copies, derived))
        resource_rows: Iterable[Any] = latest.resources.itertuples(index=False)
        for r in resource_rows:
            old = resources.get(r.resource)
            row = {
                "resource_id": r.resource,
                "name": r.name,
                "role": r.role or "Scheduled resource",
                "department": "Unassigned",
                "weekly_capacity_hours": round(_capacity(r), 2),
                "hourly_cost": None
                if r.hourly_rate is None or pd.isna(r.hourly_rate)
                else round(float(r.hourly_rate), 4),
            }
            if old is None or row["weekly_capacity_hours"] > old["weekly_capacity_hours"]:
                resources[r.resource] = row
        for day, name in latest.holidays:
            holidays.setdefault(day, name)
        link_rows: Iterable[Any] = latest.links.itertuples(index=False)
        for link in link_rows:
            links.append((link, pid))
        derived_all.append(derived)
    frames = {
        "projects": pd.DataFrame(rows),
        "cashflows": pd.concat(tables["cashflows"], ignore_index=True),
        "resources": pd.DataFrame(
            list(resources.values()),
            columns=["resource_id", "name", "role", "department", "weekly_capacity_hours", "hourly_cost"],
        ),
        "assignments": pd.concat(tables["assignments"], ignore_index=True),
        "timesheets": pd.concat(tables["timesheets"], ignore_index=True),
        "holidays": pd.DataFrame(sorted(holidays.items()), columns=["date", "name"]),
        "dependencies": _dependencies(links, refs, notes),
        "milestones": pd.concat(tables["milestones"], ignore_index=True),
    }
    return frames, derived_all, notes


def _dependencies(links: list, refs: dict[str, str], notes: list[str]) -> pd.DataFrame:
    pairs: dict[tuple[str, str], list] = {}
    for link, pid in links:
        pred = refs.get(link.predecessor)
        succ = refs.get(link.successor, pid)
        if pred is None:
            notes.append(
                _(
                    "a link from {source!r} into {project} ({task}) is left out: that project was not imported "
                    "with this one",
                    source=link.predecessor.removeprefix("file:"),
                    project=succ,
                    task=link.task,
                )
            )
            continue
        if pred == succ:
            continue
        pairs.setdefault((pred, succ), []).append(link)
    rows = []
    for (pred, succ), group in sorted(pairs.items()):
        kind = Counter(_DEPENDENCY_TYPES[g.type] for g in group).most_common(1)[0][0]
        lag = max(g.lag_hours / (g.day_hours or 8.0) * 7 / 5 for g in group)
        names = sorted({str(g.task) for g in group})
        rows.append(
            {
                "predecessor_id": pred,
                "successor_id": succ,
                "type": kind,
                "lag_days": int(max(-_MAX_LAG_DAYS, min(_MAX_LAG_DAYS, round(lag)))),
                "description": f"{len(group)} task link(s) into {', '.join(names[:3])}"
                + (" ..." if len(names) > 3 else ""),
            }
        )
    out = pd.DataFrame(rows, columns=["predecessor_id", "successor_id", "type", "lag_days", "description"])
    return _without_cycles(out, notes)


def _find_cycle(edges: list[tuple[str, str]]) -> list[str] | None:
    """One cycle of the directed graph ``edges`` as its nodes in order, or None (depth-first search;
    written here because the graph is a few edges and networkx costs seconds to import).
    """
    succ: dict[str, list[str]] = {}
    for a, b in edges:
        succ.setdefault(a, []).append(b)
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    for root in succ:
        if state.get(root):
            continue
        path, stack = [root], [iter(succ.get(root, []))]
        state[root] = 1
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                return path[path.index(nxt) :]
            elif not state.get(nxt):
                state[nxt] = 1
                path.append(nxt)
                stack.append(iter(succ.get(nxt, [])))
    return None


def _without_cycles(deps: pd.DataFrame, notes: list[str]) -> pd.DataFrame:
    """Drop the link that closes each cycle (the contract refuses cycles), saying which.

    >>> deps = pd.DataFrame({"predecessor_id": ["A", "B", "C"], "successor_id": ["B", "C", "A"]})
    >>> notes = []
    >>> _without_cycles(deps, notes).successor_id.tolist(), notes[0].split(":")[0]
    (['B', 'C'], 'the links A -> B -> C -> A form a cycle between projects')
    """
    edges = list(zip(deps.predecessor_id, deps.successor_id, strict=True))
    dropped = set()
    while (cycle := _find_cycle([e for e in edges if e not in dropped])) is not None:
        pred, succ = cycle[-1], cycle[0]
        dropped.add((pred, succ))
        notes.append(
            _(
                "the links {cycle} form a cycle between projects: the link {pred} -> {succ} is left out",
                cycle=" -> ".join([*cycle, cycle[0]]),
                pred=pred,
                succ=succ,
            )
        )
    keep = [e not in dropped for e in edges]
    return deps[keep].reset_index(drop=True)
