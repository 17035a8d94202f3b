"""The portfolio data contract, declared once: tables, columns, kinds, ranges and references.

``docs/data-dictionary.md`` documents this declaration in words (a test checks that every column
of :data:`SCHEMA` is in it). Loading (:mod:`pmo_analysis.inputs.portfolio`) reads files with
:mod:`pmo_analysis.inputs.readers` and checks them against this contract with
:mod:`pmo_analysis.inputs.validation`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pmo_analysis.core.bounds import Bounds

__all__ = [
    "AMOUNT_LIMIT",
    "Column",
    "DELIVERY_TABLES",
    "DEPENDENCY_TYPES",
    "LAG_LIMIT_DAYS",
    "SCHEMA",
    "TABLES",
    "PERCENT_COLUMNS",
    "ORDERED_DATES",
    "PART_TABLES",
    "REPORT_TABLES",
    "REQUIRED_TABLES",
    "Needs",
    "UNIQUE_KEYS",
    "references",
]

AMOUNT_LIMIT = 1e15
"""Largest amount accepted, in absolute value (a thousand trillion in the folder's currency).

Far above any real project in any currency; below it a float64 holds every amount exactly to the
currency unit (whole numbers are exact up to about 9e15), and sums over millions of rows stay far
from overflow. A larger value is a unit or typing error."""


@dataclass(frozen=True)
class Column:
    """One column of the contract.

    kind is one of ``id`` (non-empty text), ``text``, ``date``, ``month``, ``amount`` (a number
    >= 0, thousands separators allowed), ``number`` and ``category``.

    Numbers (``amount`` and ``number``) must be finite: ``inf``, ``-inf`` and ``nan`` are rejected
    in every file format. Besides ``min``/``max`` (its :attr:`bounds`), a number must be at most
    ``limit`` in absolute value (default :data:`AMOUNT_LIMIT`; its :attr:`limit_bounds`), so no
    value can overflow a sum.
    """

    name: str
    kind: str
    required: bool = True
    unique: bool = False
    min: float | None = None
    max: float | None = None
    min_inclusive: bool = True
    limit: float = AMOUNT_LIMIT
    allowed: tuple[str, ...] = ()
    references: str | None = None  # "table.column"
    unit: str = ""
    description: str = ""
    bounds: Bounds = field(init=False, repr=False, compare=False)
    """The column's own range (``min``, ``max``, ``min_inclusive``)."""
    limit_bounds: Bounds = field(init=False, repr=False, compare=False)
    """``-limit`` to ``limit``: the plausibility bound every number meets."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "bounds", Bounds(self.min, self.max, self.min_inclusive))
        object.__setattr__(self, "limit_bounds", Bounds(-self.limit, self.limit))


DEPENDENCY_TYPES = ("finish_to_start", "start_to_start", "finish_to_finish")
"""Kinds of dependency: which date of the predecessor constrains which date of the successor."""

LAG_LIMIT_DAYS = 3650
"""Largest lag or lead of a dependency, in days (ten years; a larger one is a typing error)."""

_STATUS = ("proposed", "active", "on_hold", "completed", "cancelled")

SCHEMA: dict[str, list[Column]] = {
    "projects": [
        Column("project_id", "id", unique=True, description="Unique project identifier"),
        Column("name", "id", description="Project name"),
        Column("department", "id", description="Owning department"),
        Column("status", "category", allowed=_STATUS, description="Portfolio status"),
        Column("start_date", "date", description="Planned or actual start"),
        Column("end_date", "date", description="Planned finish (must not be before start_date)"),
        Column("budget", "amount", min=0, unit="currency", description="Budget at completion (BAC)"),
        Column("sponsor", "text", required=False, description="Executive sponsor"),
        Column("manager", "text", required=False, description="Project manager"),
        Column("strategic_objective", "text", required=False, description="Objective it serves"),
        Column(
            "strategic_alignment",
            "number",
            required=False,
            min=1,
            max=5,
            unit="score 1-5",
            description="Fit with strategy, 5 = best",
        ),
        Column(
            "risk_score",
            "number",
            required=False,
            min=1,
            max=5,
            unit="score 1-5",
            description="Delivery risk, 5 = riskiest",
        ),
        Column(
            "percent_complete",
            "number",
            required=False,
            min=0,
            max=100,
            unit="%",
            description="Physical percent complete, used for earned value",
        ),
        Column(
            "status_date",
            "date",
            required=False,
            description="Date percent_complete was last reported; tells the reports how fresh progress is",
        ),
    ],
    "cashflows": [
        Column("project_id", "id", references="projects.project_id"),
        Column("period", "month", description="Month (2026-03 or any date in it)"),
        Column("planned_cost", "amount", min=0, unit="currency"),
        Column("planned_benefit", "amount", min=0, unit="currency"),
        Column("actual_cost", "amount", required=False, min=0, unit="currency", description="Empty = not reported yet"),
        Column(
            "actual_benefit", "amount", required=False, min=0, unit="currency", description="Empty = not reported yet"
        ),
    ],
    "resources": [
        Column("resource_id", "id", unique=True),
        Column("name", "id"),
        Column("role", "id"),
        Column("department", "id"),
        Column("weekly_capacity_hours", "number", min=0, min_inclusive=False, max=168, unit="hours/week"),
        Column("hourly_cost", "amount", required=False, min=0, unit="currency/hour"),
        Column("active_from", "date", required=False, description="First working day"),
        Column("active_to", "date", required=False, description="Last working day"),
    ],
    "assignments": [
        Column("resource_id", "id", references="resources.resource_id"),
        Column("project_id", "id", references="projects.project_id"),
        Column("start_date", "date"),
        Column("end_date", "date"),
        Column("allocation_pct", "number", min=0, min_inclusive=False, max=100, unit="% of weekly capacity"),
    ],
    "timesheets": [
        Column("resource_id", "id", references="resources.resource_id"),
        Column("date", "date"),
        Column("hours", "number", min=0, min_inclusive=False, max=24, unit="hours"),
        Column(
            "project_id",
            "text",
            required=False,
            references="projects.project_id",
            description="Empty = non-project time",
        ),
        Column("activity", "text", required=False, description="e.g. delivery, leave, admin, training"),
    ],
    "lessons": [
        Column("lesson_id", "id", unique=True),
        Column("project_id", "id", references="projects.project_id"),
        Column("date", "date"),
        Column("category", "id"),
        Column("kind", "category", allowed=("went_well", "to_improve")),
        Column("impact", "category", allowed=("low", "medium", "high")),
        Column("title", "id"),
        Column("description", "text"),
        Column(
            "phase",
            "category",
            required=False,
            allowed=("initiating", "planning", "executing", "monitoring", "closing"),
        ),
        Column("recommendation", "text", required=False),
        Column("action_status", "category", required=False, allowed=("open", "in_progress", "done", "n/a")),
        Column("owner", "text", required=False),
    ],
    "holidays": [
        Column("date", "date", unique=True, description="A non-working weekday"),
        Column("name", "text", required=False),
    ],
    # ---- delivery tables (optional): dependencies, milestones, risks and issues
    "dependencies": [
        Column(
            "predecessor_id",
            "id",
            references="projects.project_id",
            description="The project whose dates constrain the successor",
        ),
        Column(
            "successor_id",
            "id",
            references="projects.project_id",
            description="The project that waits (must differ from predecessor_id; no cycles)",
        ),
        Column("type", "category", required=False, allowed=DEPENDENCY_TYPES, description="Empty = finish_to_start"),
        Column(
            "lag_days",
            "number",
            required=False,
            min=-LAG_LIMIT_DAYS,
            max=LAG_LIMIT_DAYS,
            unit="calendar days",
            description="Days between the two dates (negative = lead); empty = 0",
        ),
        Column("description", "text", required=False, description="What the successor waits for"),
    ],
    "milestones": [
        Column("project_id", "id", references="projects.project_id"),
        Column("milestone_id", "id", description="Identifies the milestone within its project"),
        Column("name", "id", description="Milestone name"),
        Column("baseline_date", "date", description="Date agreed in the baseline plan"),
        Column(
            "forecast_date",
            "date",
            required=False,
            description="Date forecast at status_date (empty = the baseline still holds)",
        ),
        Column("actual_date", "date", required=False, description="Date reached (empty = not reached yet)"),
        Column(
            "status_date",
            "date",
            required=False,
            description="Date of the status report this row records; several rows of one milestone "
            "are the history of its forecast",
        ),
    ],
    "risks": [
        Column("risk_id", "id", unique=True),
        Column("project_id", "id", references="projects.project_id"),
        Column("kind", "category", allowed=("risk", "issue"), description="risk: may happen; issue: has happened"),
        Column("title", "id"),
        Column(
            "probability",
            "number",
            required=False,
            min=0,
            max=1,
            unit="probability 0-1",
            description="Chance the risk happens; required for a risk, empty = 1 for an issue",
        ),
        Column("impact_cost", "amount", min=0, unit="currency", description="Cost if it happens"),
        Column("owner", "text", required=False, description="Who manages it (empty = nobody)"),
        Column("status", "category", allowed=("open", "closed")),
        Column("raised_date", "date"),
        Column(
            "due_date",
            "date",
            required=False,
            description="Mitigation (risk) or resolution (issue) due; not before raised_date",
        ),
        Column("closed_date", "date", required=False, description="When it was closed"),
    ],
}

TABLES: tuple[str, ...] = tuple(SCHEMA)
"""Table names in loading order: a table comes after the tables it refers to."""

DELIVERY_TABLES: tuple[str, ...] = ("dependencies", "milestones", "risks")
"""The optional tables of delivery tracking (:mod:`pmo_analysis.analyses.delivery`); a portfolio without
them runs every other analysis as before."""

REQUIRED_TABLES: tuple[str, ...] = ("projects",)
"""The tables every data folder holds, with at least one row: every other table refers to them.
Every other table is optional: absent, or exported with its header only, it means "none" (a
header-only optional table loads as an empty table with its columns typed)."""


@dataclass(frozen=True)
class Needs:
    """The tables a part of the portfolio model or a report needs, and those it also reads when
    they are present.

    Examples
    --------
    >>> REPORT_TABLES["lessons_learned"].missing({"projects", "cashflows"})
    ['lessons']
    >>> REPORT_TABLES["resource_utilization"].words()
    'projects, resources, assignments, timesheets (holidays optional)'
    """

    tables: tuple[str, ...]
    optional: tuple[str, ...] = ()

    def missing(self, present) -> list[str]:
        """The needed tables not in ``present``, in the order declared."""
        present = set(present)
        return [t for t in self.tables if t not in present]

    def words(self) -> str:
        """The tables in words, as the README's table of what each notebook needs writes them."""
        optional = f" ({', '.join(self.optional)} optional)" if self.optional else ""
        return ", ".join(self.tables) + optional


PART_TABLES: dict[str, Needs] = {
    "finance": Needs(("projects", "cashflows")),
    "delivery": Needs(("projects",), ("cashflows", *DELIVERY_TABLES)),
    "resources": Needs(("projects", "resources", "assignments", "timesheets"), ("holidays",)),
    "lessons": Needs(("projects", "lessons")),
}
"""The parts of the portfolio model (:func:`pmo_analysis.model.build_model`) and the tables each is
built from: a part whose tables are present is built, the others are recorded as missing, with
the tables they need. Delivery's benefits realization reads the cash flows when they are present."""

REPORT_TABLES: dict[str, Needs] = {
    "executive_summary": Needs(
        ("projects", "cashflows"), (*DELIVERY_TABLES, "resources", "assignments", "timesheets", "lessons")
    ),
    "portfolio_roi": Needs(("projects", "cashflows")),
    "resource_utilization": PART_TABLES["resources"],
    "lessons_learned": PART_TABLES["lessons"],
    "portfolio_delivery": Needs(("projects", "cashflows"), DELIVERY_TABLES),
    "project_report": Needs(
        ("projects", "cashflows"), ("resources", "assignments", "timesheets", "lessons", *DELIVERY_TABLES)
    ),
    "scenarios": Needs(
        ("projects", "cashflows"), ("dependencies", "milestones", "resources", "assignments", "timesheets")
    ),
    "explore_scenarios": Needs(("projects", "cashflows"), ("dependencies", "resources", "assignments", "timesheets")),
}
"""The tables each report notebook needs (and reads when present): the one declaration the run's
plan (a report whose tables are missing is not run, and its run index says which), the reports
themselves (:func:`pmo_analysis.reporting.report.open_report`) and the README's table of what each
notebook needs are checked against."""

PERCENT_COLUMNS: dict[str, tuple[str, ...]] = {
    t: tuple(c.name for c in cols if c.unit.startswith("%")) for t, cols in SCHEMA.items()
}
"""Columns holding a percentage (unit ``%...``), per table: Excel percent-formatted cells are read
as the percentage shown (0.64 in a cell formatted as 64% is read as 64)."""

ORDERED_DATES: tuple[tuple[str, str, str], ...] = (
    ("projects", "start_date", "end_date"),
    ("resources", "active_from", "active_to"),
    ("assignments", "start_date", "end_date"),
    ("risks", "raised_date", "due_date"),
    ("risks", "raised_date", "closed_date"),
)
"""(table, start column, end column): the end must not be before the start."""

UNIQUE_KEYS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("cashflows", ("project_id", "period")),
    ("milestones", ("project_id", "milestone_id", "status_date")),
    ("dependencies", ("predecessor_id", "successor_id")),
)
"""(table, key columns) that must be unique together."""


def references(table: str) -> list[tuple[str, str, str]]:
    """The references of ``table``: ``(column, referred table, referred column)`` for each column
    whose values must be found in another table.

    Examples
    --------
    >>> references("assignments")
    [('resource_id', 'resources', 'resource_id'), ('project_id', 'projects', 'project_id')]
    """
    out = []
    for c in SCHEMA[table]:
        if c.references:
            referred_table, referred_column = c.references.split(".")
            out.append((c.name, referred_table, referred_column))
    return out
