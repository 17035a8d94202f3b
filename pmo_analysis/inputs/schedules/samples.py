"""Microsoft Project files (MSPDI XML) written with MPXJ from generated projects, for the schedule
import benchmark and tests: real files of a known content, at any size.

:func:`write_mspdi` writes one project from a plain description (:class:`PlanTask` rows);
:func:`plans_from_projects` cuts the generator's projects (:func:`pmo_analysis.inputs.sample.
generate_portfolio`) into tasks whose baseline costs add up to each project's budget.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pmo_analysis.inputs.schedules.mpxj import start_jvm

__all__ = ["Plan", "PlanTask", "plans_from_projects", "write_mspdi"]


@dataclass
class PlanTask:
    """One task of a plan: dates, baseline, cost, progress, work of one resource, predecessor."""

    name: str
    start: dt.date
    finish: dt.date
    baseline_start: dt.date | None = None
    baseline_finish: dt.date | None = None
    baseline_cost: float = 0.0
    cost: float = 0.0
    actual_cost: float = 0.0
    actual_start: dt.date | None = None
    actual_finish: dt.date | None = None
    percent: float = 0.0
    milestone: bool = False
    resource: str | None = None
    work_hours: float = 0.0
    actual_hours: float = 0.0
    predecessor: int | None = None  # position of the predecessor task in the plan


@dataclass
class Plan:
    """A project to write: title, currency, status date, tasks and its work resources."""

    title: str
    currency: str
    status_date: dt.date | None
    tasks: list[PlanTask]
    resources: list[str] = field(default_factory=list)


def write_mspdi(plan: Plan, path: Path) -> Path:
    """Write ``plan`` as a Microsoft Project XML (MSPDI) file with MPXJ's writer."""
    start_jvm()
    import jpype
    from java.time import LocalDateTime  # Java classes, importable once the JVM runs
    from org.mpxj import Duration, ProjectFile, Relation, RelationType, TimeUnit
    from org.mpxj.writer import FileFormat, UniversalProjectWriter

    def at(day: dt.date | None, hour: int):
        return None if day is None else LocalDateTime.of(day.year, day.month, day.day, hour, 0)

    pf = ProjectFile()
    props = pf.getProjectProperties()
    props.setProjectTitle(plan.title)
    props.setCurrencyCode(plan.currency)
    if plan.status_date is not None:
        props.setStatusDate(at(plan.status_date, 17))
    pf.setDefaultCalendar(pf.addDefaultBaseCalendar())
    resources = {}
    for name in plan.resources:
        r = pf.addResource()
        r.setName(name)
        resources[name] = r
    tasks: list[Any] = []
    for t in plan.tasks:
        task = pf.addTask()
        task.setName(t.name)
        task.setStart(at(t.start, 8))
        task.setFinish(at(t.finish, 17))
        task.setDuration(
            Duration.getInstance(0 if t.milestone else max(1, np.busday_count(t.start, t.finish) + 1), TimeUnit.DAYS)
        )
        task.setMilestone(t.milestone)
        if t.baseline_finish is not None:
            task.setBaselineStart(at(t.baseline_start or t.baseline_finish, 8))
            task.setBaselineFinish(at(t.baseline_finish, 17))
            task.setBaselineCost(jpype.JDouble(t.baseline_cost))
        task.setCost(jpype.JDouble(t.cost))
        task.setActualCost(jpype.JDouble(t.actual_cost))
        task.setActualStart(at(t.actual_start, 8))
        task.setActualFinish(at(t.actual_finish, 17))
        task.setPercentageComplete(jpype.JDouble(t.percent))
        if t.resource is not None:
            a = task.addResourceAssignment(resources[t.resource])
            a.setWork(Duration.getInstance(t.work_hours, TimeUnit.HOURS))
            a.setBaselineWork(Duration.getInstance(t.work_hours, TimeUnit.HOURS))
            a.setActualWork(Duration.getInstance(t.actual_hours, TimeUnit.HOURS))
            a.setStart(task.getStart())
            a.setFinish(task.getFinish())
        if t.predecessor is not None:
            task.addPredecessor(
                Relation.Builder().predecessorTask(tasks[t.predecessor]).type(RelationType.FINISH_START)
            )
        tasks.append(task)
    UniversalProjectWriter(FileFormat.MSPDI).write(pf, str(path))
    return path


def plans_from_projects(
    projects: pd.DataFrame, *, tasks_per_project: int = 300, as_of: str = "2026-06-30", seed: int = 0
) -> list[Plan]:
    """One plan per project of the generator: ``tasks_per_project`` tasks in a few parallel
    chains between its start and end, baseline costs adding up to its budget (in cents), every
    tenth task a milestone, actuals for what lies before ``as_of``.
    """
    rng = np.random.default_rng(seed)
    status = pd.Timestamp(as_of).date()
    plans = []
    project_rows: Iterable[Any] = projects.itertuples(index=False)
    for p in project_rows:
        start, end = pd.Timestamp(p.start_date).date(), pd.Timestamp(p.end_date).date()
        days = max(1, (end - start).days)
        n = tasks_per_project
        offsets = np.sort(rng.integers(0, days, n))
        lengths = rng.integers(3, 40, n)
        weights = rng.random(n)
        milestone = np.arange(n) % 10 == 9
        weights[milestone] = 0
        cents = np.floor(weights / weights.sum() * round(float(p.budget) * 100)).astype(np.int64)
        cents[np.argmax(weights)] += round(float(p.budget) * 100) - cents.sum()
        people = [f"{p.project_id}-R{i}" for i in range(5)]
        tasks = []
        for i in range(n):
            s = start + dt.timedelta(days=int(offsets[i]))
            f = s if milestone[i] else min(end, s + dt.timedelta(days=int(lengths[i])))
            cost = cents[i] / 100
            begun, done = s <= status, f <= status
            share = 1.0 if done else (((status - s).days / max(1, (f - s).days)) if begun else 0.0)
            hours = 0.0 if milestone[i] else float(np.busday_count(s, f) + 1) * 4
            tasks.append(
                PlanTask(
                    name=f"Task {i + 1}",
                    start=s,
                    finish=f + dt.timedelta(days=7) if milestone[i] and not done else f,
                    baseline_start=s,
                    baseline_finish=f,
                    baseline_cost=cost,
                    cost=cost,
                    actual_cost=round(cost * share, 2),
                    actual_start=s if begun else None,
                    actual_finish=f if done else None,
                    percent=round(100 * share, 1),
                    milestone=bool(milestone[i]),
                    resource=None if milestone[i] else people[i % 5],
                    work_hours=hours,
                    actual_hours=round(hours * share, 2),
                    predecessor=i - 5 if i >= 5 and i % 7 == 0 else None,
                )
            )
        plans.append(Plan(str(p.name), "USD", status, tasks, people))
    return plans
