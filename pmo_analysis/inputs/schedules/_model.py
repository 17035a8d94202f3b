"""What every schedule reader yields: one :class:`Schedule` per project, in plain Python and pandas.

The readers (``xer`` for Primavera P6 XER, ``mpxj`` for Microsoft Project and P6 PMXML) fill it;
``contract`` turns schedules into the data contract's tables. Nothing here knows a file format.

Frames and their columns (dates are ``datetime.date`` or ``None``):

- ``activities``: ``uid``, ``code``, ``name``, ``milestone``, ``start``, ``finish`` (the current
  forecast), ``baseline_start``, ``baseline_finish``, ``actual_start``, ``actual_finish``,
  ``percent`` (the activity's own progress, 0-100, by its own percent-complete type).
- ``costs``: one row per cost item (a resource assignment, an expense, a task's cost): ``uid`` (its
  activity), ``start``, ``finish`` (the dates the budget is spread over), ``actual_start``,
  ``actual_finish``, ``budget`` and ``actual`` (amounts in the file's currency).
- ``work``: one row per assignment of a work resource: ``resource``, ``uid``, ``start``, ``finish``,
  ``actual_start``, ``actual_finish``, ``planned_hours``, ``actual_hours``.
- ``resources``: ``resource`` (the key), ``name``, ``role``, ``max_units`` (1 = one full-time
  person), ``week_hours`` (the resource calendar's hours a week), ``hourly_rate``.
- ``links``: links to tasks of other projects: ``predecessor``, ``successor`` (project references:
  a project key, or ``file:<stem>`` for an external file), ``type`` (``FS``, ``SS``, ``FF``, ``SF``),
  ``lag_hours`` (working hours), ``task`` (the linked task names, for the description).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

__all__ = ["ACTIVITY_COLUMNS", "COST_COLUMNS", "LINK_COLUMNS", "RESOURCE_COLUMNS", "WORK_COLUMNS", "Schedule"]

ACTIVITY_COLUMNS = [
    "uid",
    "code",
    "name",
    "milestone",
    "start",
    "finish",
    "baseline_start",
    "baseline_finish",
    "actual_start",
    "actual_finish",
    "percent",
]
COST_COLUMNS = ["uid", "start", "finish", "actual_start", "actual_finish", "budget", "actual"]
WORK_COLUMNS = ["resource", "uid", "start", "finish", "actual_start", "actual_finish", "planned_hours", "actual_hours"]
RESOURCE_COLUMNS = ["resource", "name", "role", "max_units", "week_hours", "hourly_rate"]
LINK_COLUMNS = ["predecessor", "successor", "type", "lag_hours", "day_hours", "task"]


def frame(rows: list, columns: list[str]) -> pd.DataFrame:
    """A frame of ``rows`` (tuples in the order of ``columns``), with those columns even when empty."""
    return pd.DataFrame(rows, columns=columns)


@dataclass
class Schedule:
    """One project read from a schedule file, before it is mapped to the data contract.

    ``key`` identifies the project across imports and status copies (a P6 project code, or a
    Microsoft Project file's title, else its file name); ``notes`` say what was derived and every
    assumption the reader made; ``missing`` what the file does not hold and why it matters.
    """

    source: Path
    format: str
    key: str
    name: str
    currency: str | None
    status_date: dt.date | None
    start: dt.date | None
    finish: dt.date | None
    has_baseline: bool
    day_hours: float
    week_hours: float
    holidays: list[tuple[dt.date, str]] = field(default_factory=list)
    activities: pd.DataFrame = field(default_factory=lambda: frame([], ACTIVITY_COLUMNS))
    costs: pd.DataFrame = field(default_factory=lambda: frame([], COST_COLUMNS))
    work: pd.DataFrame = field(default_factory=lambda: frame([], WORK_COLUMNS))
    resources: pd.DataFrame = field(default_factory=lambda: frame([], RESOURCE_COLUMNS))
    links: pd.DataFrame = field(default_factory=lambda: frame([], LINK_COLUMNS))
    subprojects: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
