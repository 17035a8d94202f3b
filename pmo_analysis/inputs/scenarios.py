"""Scenario files: what-if changes to the portfolio and the run's parameters, read and checked.

A scenario is a small YAML file a PMO keeps beside its data and reviews in git (``docs/scenarios.md``
documents every key). It names what changes from the base run:

.. code-block:: yaml

    name: Cut 20%, ERP slips a quarter
    parameters:            # model parameters (inputs.params.MODEL_PARAMS) that change
      budget_cap_share: 0.8  # or budget_cap: 9000000; discount_rate, w_alignment, w_value, w_risk...
    delay:
      - project: PRJ-010   # or department: Digital (its open projects)
        months: 3
    cancel: [PRJ-019]
    add_projects:
      - {project_id: PRJ-100, name: Portal, department: Digital, start_date: 2027-01-01,
         end_date: 2027-12-31, budget: 800000, monthly_benefit: 40000, benefit_months: 36}
    scale:
      - {costs: 1.1, department: Digital}   # a rate or FX change; benefits: 0.9
    people:
      - {add: 4, role: Developer, department: Digital, from: 2026-09}
      - {remove: 2, role: Tester, from: 2026-10}

This module reads the file with the one YAML loader (:mod:`pmo_analysis.core.yaml_files`) and
checks it against the loaded portfolio: an unknown key, project, department or role, a value of
the wrong kind, a negative cap or a delay that moves a date outside
:data:`~pmo_analysis.core.bounds.DATE_RANGE` is one line naming the file and its line
(``cut20.yml, line 4: delay: unknown project 'PRJ-999'``); every problem of a file is collected
before :class:`~pmo_analysis.core.exceptions.ScenarioError` is raised. Applying a scenario to the
data is :func:`pmo_analysis.analyses.scenarios.apply_scenario` (it moves successors by the
delivery analysis's dependency rules, which this layer does not know).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from pmo_analysis.core.bounds import DATE_RANGE, DATE_RANGE_TEXT
from pmo_analysis.core.exceptions import ParameterError, ScenarioError
from pmo_analysis.core.yaml_files import compose_yaml, construct_yaml, read_text
from pmo_analysis.inputs.params import check_param, check_together
from pmo_analysis.inputs.portfolio import Portfolio

__all__ = [
    "SCENARIO_PARAMS",
    "Delay",
    "NewProject",
    "People",
    "Scale",
    "Scenario",
    "parse_scenario",
    "read_scenario",
    "check_scenario",
    "scenario_yaml",
]

#: The model parameters a scenario may change (the others are the run's own, the same in every
#: scenario: thresholds of health, windows, lessons). ``budget_cap_share`` is the scenario's own:
#: the cap as a share of the base run's cap (0.8 cuts it by 20%).
SCENARIO_PARAMS = ("budget_cap", "discount_rate", "w_alignment", "w_value", "w_risk", "value_metric", "objective")

_TOP_KEYS = ("name", "description", "parameters", "delay", "cancel", "add_projects", "scale", "people")
_NEW_PROJECT_KEYS = {
    "project_id": True,
    "name": True,
    "department": True,
    "start_date": True,
    "end_date": True,
    "budget": True,
    "monthly_benefit": False,
    "benefit_months": False,
    "strategic_alignment": False,
    "risk_score": False,
    "strategic_objective": False,
}
#: Most months a delay may move a project (ten years; a larger one is a typing error).
MAX_DELAY_MONTHS = 120


@dataclass(frozen=True)
class Delay:
    """Move a project (``project``) or every open project of a department (``department``)
    ``months`` months later; ``line`` is where the file says so.
    """

    months: int
    project: str | None = None
    department: str | None = None
    line: int = 0


@dataclass(frozen=True)
class NewProject:
    """A proposed project the scenario adds: its budget spread evenly over the months from
    ``start_date`` to ``end_date``, then ``monthly_benefit`` for ``benefit_months`` months.
    """

    project_id: str
    name: str
    department: str
    start_date: dt.date
    end_date: dt.date
    budget: float
    monthly_benefit: float = 0.0
    benefit_months: int = 0
    strategic_alignment: float | None = None
    risk_score: float | None = None
    strategic_objective: str | None = None
    line: int = 0


@dataclass(frozen=True)
class Scale:
    """Costs and benefits multiplied (a rate or an exchange-rate change), for every project or
    those of ``department`` or ``projects``.
    """

    costs: float = 1.0
    benefits: float = 1.0
    department: str | None = None
    projects: tuple[str, ...] = ()
    line: int = 0


@dataclass(frozen=True)
class People:
    """``count`` people of ``role`` added (``count`` > 0) or removed (< 0) from month ``start``."""

    count: int
    role: str
    start: dt.date
    department: str | None = None
    weekly_capacity_hours: float | None = None
    hourly_cost: float | None = None
    line: int = 0


@dataclass(frozen=True)
class Scenario:
    """One scenario: its name, the model parameters it changes, and its changes to the data.

    ``source`` is the file it was read from (or where else it came from: ``"widgets"``), and
    ``checksum`` the SHA-256 of its text (what a run's manifest records).
    """

    name: str
    source: str = ""
    description: str = ""
    params: Mapping[str, Any] = field(default_factory=dict)
    budget_cap_share: float | None = None
    delays: tuple[Delay, ...] = ()
    cancel: tuple[str, ...] = ()
    add_projects: tuple[NewProject, ...] = ()
    scale: tuple[Scale, ...] = ()
    people: tuple[People, ...] = ()
    checksum: str = ""
    cancel_lines: tuple[int, ...] = ()

    def model_params(self, base: Mapping[str, Any], *, base_cap: float | None) -> dict[str, Any]:
        """The model parameters of this scenario: the base run's, changed by this scenario's.

        The budget cap is ``budget_cap`` when the scenario gives one, ``budget_cap_share`` times
        ``base_cap`` (the base model's cap) when it gives that, else the base model's cap itself:
        the money available stays what it was unless the scenario says otherwise (the default rule,
        a share of the need, would otherwise shrink the cap when a scenario stops projects).
        """
        out = dict(base) | dict(self.params)
        if base_cap is not None and "budget_cap" not in self.params:
            share = 1.0 if self.budget_cap_share is None else self.budget_cap_share
            out["budget_cap"] = float(share * base_cap)
        return out


# --------------------------------------------------------------------------- reading
def _lines(node: yaml.Node | None, path: tuple = (), out: dict | None = None) -> dict[tuple, int]:
    """The line (1-based) of every key and item of a YAML node tree, by its path of keys and indexes."""
    out = {} if out is None else out
    if node is None:
        return out
    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            key = k.value if isinstance(k, yaml.ScalarNode) else "?"
            out[(*path, key)] = k.start_mark.line + 1
            _lines(v, (*path, key), out) if not isinstance(v, yaml.ScalarNode) else None
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            _lines(v, (*path, i), out)
    return out


class _Problems:
    """Every problem of one file, each one line ``<file>, line <n>: <what>: <rule>``."""

    def __init__(self, source: str, lines: dict[tuple, int]) -> None:
        self.source, self.lines = source, lines
        self.found: list[str] = []

    def line(self, *path: Any) -> int:
        for n in range(len(path), -1, -1):  # the nearest enclosing key or item known
            if path[:n] in self.lines:
                return self.lines[path[:n]]
        return 1

    def add(self, path: tuple, rule: str) -> None:
        what = ".".join(str(p) for p in path if not isinstance(p, int)) if path else "file"
        self.found.append(f"{self.source}, line {self.line(*path)}: {what}: {rule}")

    def where(self, path: tuple) -> str:
        return f"{self.source}, line {self.line(*path)}"


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _number(
    p: _Problems,
    path: tuple,
    value: Any,
    *,
    minimum: float | None = None,
    above: float | None = None,
    maximum: float | None = None,
    whole: bool = False,
) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        p.add(path, f"must be a number, got {_show(value)}")
        return None
    if whole and not float(value).is_integer():
        p.add(path, f"must be a whole number, got {_show(value)}")
        return None
    rules = [
        (minimum is not None and value < minimum, ">= ", minimum),
        (above is not None and value <= above, "> ", above),
        (maximum is not None and value > maximum, "<= ", maximum),
    ]
    for broken, op, bound in rules:
        if broken:
            rule = f"{op}{bound:g}"
            p.add(path, f"must be {rule}, got {_show(value)}")
            return None
    return float(value)


def _text(p: _Problems, path: tuple, value: Any) -> str | None:
    if not isinstance(value, (str, int)) or isinstance(value, bool) or not str(value).strip():
        p.add(path, f"must be a text, got {_show(value)}")
        return None
    return str(value).strip()


def _date(p: _Problems, path: tuple, value: Any, *, month: bool = False) -> dt.date | None:
    if isinstance(value, str) and month and len(value.strip()) == 7:
        with contextlib.suppress(ValueError):  # not a month: said below
            value = dt.date.fromisoformat(value.strip() + "-01")
    if type(value) is not dt.date:
        p.add(path, f"must be a date YYYY-MM-DD{' or a month YYYY-MM' if month else ''}, got {_show(value)}")
        return None
    if not DATE_RANGE[0] <= value <= DATE_RANGE[1]:
        p.add(path, f"must be a date {DATE_RANGE_TEXT}, got {value.isoformat()!r}")
        return None
    return value


def _mapping(p: _Problems, path: tuple, value: Any, keys: Iterable[str]) -> dict | None:
    if not isinstance(value, dict):
        p.add(path, f"must be a mapping of {', '.join(keys)}, got {_show(value)}")
        return None
    unknown = [k for k in value if k not in keys]
    for k in unknown:
        p.add((*path, k), f"unknown key; the keys are {', '.join(keys)}")
    return value


def _items(p: _Problems, doc: dict, key: str) -> list[tuple[tuple, Any]]:
    value = doc.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        p.add((key,), f"must be a list, got {_show(value)}")
        return []
    return [((key, i), v) for i, v in enumerate(value)]


def parse_scenario(text: str, *, source: str, name: str | None = None) -> Scenario:
    r"""A :class:`Scenario` from YAML ``text``, its form checked (not yet against a portfolio:
    :func:`check_scenario`); every problem is one line naming ``source`` and the line.

    Examples
    --------
    >>> s = parse_scenario("parameters: {budget_cap_share: 0.8}\ndelay: [{project: PRJ-010, months: 3}]",
    ...                    source="cut20.yml")
    >>> s.name, s.budget_cap_share, s.delays[0].project, s.delays[0].months, s.delays[0].line
    ('cut20', 0.8, 'PRJ-010', 3, 2)
    >>> try:
    ...     parse_scenario("parameters:\n  budget_cap: -5", source="bad.yml")
    ... except ScenarioError as exc:
    ...     print(exc)
    bad.yml, line 2: parameter 'budget_cap' must be >= 0, got -5
    """
    node = compose_yaml(text, source=source)
    doc = construct_yaml(node, source=source)
    p = _Problems(source, _lines(node))
    stem = name or Path(source).stem
    if doc is None:
        doc = {}
    if not isinstance(doc, dict):
        p.add((), f"must be a mapping of {', '.join(_TOP_KEYS)}, got {_show(doc)}")
        raise ScenarioError(p.found)
    for k in doc:
        if k not in _TOP_KEYS:
            p.add((k,), f"unknown key; a scenario has {', '.join(_TOP_KEYS)}")
    params, share = _parameters(p, doc.get("parameters"))
    delays = []
    for path, item in _items(p, doc, "delay"):
        d = _mapping(p, path, item, ("project", "department", "months"))
        if d is None:
            continue
        if ("project" in d) == ("department" in d):
            p.add(path, "name either a project or a department")
            continue
        months = _number(p, (*path, "months"), d.get("months"), minimum=1, maximum=MAX_DELAY_MONTHS, whole=True)
        target = _text(p, (*path, "project" if "project" in d else "department"), d.get("project", d.get("department")))
        if months is not None and target is not None:
            delays.append(
                Delay(
                    int(months),
                    project=target if "project" in d else None,
                    department=target if "department" in d else None,
                    line=p.line(*path),
                )
            )
    cancel, cancel_lines = [], []
    for path, item in _items(p, doc, "cancel"):
        pid = _text(p, path, item)
        if pid is not None:
            cancel.append(pid)
            cancel_lines.append(p.line(*path))
    added = [a for a in (_new_project(p, path, item) for path, item in _items(p, doc, "add_projects")) if a]
    scales = [s for s in (_scale(p, path, item) for path, item in _items(p, doc, "scale")) if s]
    people = [x for x in (_people(p, path, item) for path, item in _items(p, doc, "people")) if x]
    label = doc.get("name", stem)
    if p.found:
        raise ScenarioError(p.found)
    return Scenario(
        name=str(label).strip() or stem,
        source=source,
        description=str(doc.get("description") or ""),
        params=params,
        budget_cap_share=share,
        delays=tuple(delays),
        cancel=tuple(cancel),
        add_projects=tuple(added),
        scale=tuple(scales),
        people=tuple(people),
        checksum=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        cancel_lines=tuple(cancel_lines),
    )


def _parameters(p: _Problems, value: Any) -> tuple[dict[str, Any], float | None]:
    if value is None:
        return {}, None
    keys = (*SCENARIO_PARAMS, "budget_cap_share")
    d = _mapping(p, ("parameters",), value, keys)
    if d is None:
        return {}, None
    typed, share = {}, None
    for k, v in d.items():
        if k == "budget_cap_share":
            share = _number(p, ("parameters", k), v, minimum=0)
        elif k in SCENARIO_PARAMS:
            try:
                typed[k] = check_param(p.where(("parameters", k)), k, v)
            except ParameterError as exc:
                p.found.append(str(exc))
    if "budget_cap" in d and "budget_cap_share" in d:
        p.add(("parameters", "budget_cap_share"), "give budget_cap or budget_cap_share, not both")
    try:
        check_together(p.where(("parameters",)), typed)
    except ParameterError as exc:
        p.found.append(str(exc))
    return typed, share


def _new_project(p: _Problems, path: tuple, item: Any) -> NewProject | None:
    d = _mapping(p, path, item, _NEW_PROJECT_KEYS)
    if d is None:
        return None
    for k, required in _NEW_PROJECT_KEYS.items():
        if required and k not in d:
            p.add(path, f"a new project needs {k}")
    if any(k not in d for k, required in _NEW_PROJECT_KEYS.items() if required):
        return None
    start = _date(p, (*path, "start_date"), d["start_date"])
    end = _date(p, (*path, "end_date"), d["end_date"])
    if start and end and end < start:
        p.add((*path, "end_date"), f"must not be before start_date {start.isoformat()}, got {end.isoformat()!r}")
    values = {
        "project_id": _text(p, (*path, "project_id"), d["project_id"]),
        "name": _text(p, (*path, "name"), d["name"]),
        "department": _text(p, (*path, "department"), d["department"]),
        "budget": _number(p, (*path, "budget"), d["budget"], minimum=0),
        "monthly_benefit": _number(p, (*path, "monthly_benefit"), d.get("monthly_benefit", 0), minimum=0),
        "benefit_months": _number(
            p,
            (*path, "benefit_months"),
            d.get("benefit_months", 0),
            minimum=0,
            maximum=MAX_DELAY_MONTHS * 3,
            whole=True,
        ),
    }
    optional = {
        k: _number(p, (*path, k), d[k], minimum=1, maximum=5) for k in ("strategic_alignment", "risk_score") if k in d
    }
    if any(v is None for v in (*values.values(), *optional.values(), start, end)):
        return None
    return NewProject(
        start_date=start,  # type: ignore[arg-type]
        end_date=end,  # type: ignore[arg-type]
        strategic_objective=str(d["strategic_objective"]) if d.get("strategic_objective") else None,
        line=p.line(*path),
        **{k: (int(v) if k == "benefit_months" else v) for k, v in values.items()},  # type: ignore[arg-type]
        **optional,  # type: ignore[arg-type]
    )


def _scale(p: _Problems, path: tuple, item: Any) -> Scale | None:
    d = _mapping(p, path, item, ("costs", "benefits", "department", "projects"))
    if d is None:
        return None
    if "costs" not in d and "benefits" not in d:
        p.add(path, "give costs or benefits (a factor: 1.1 raises them 10%)")
        return None
    costs = _number(p, (*path, "costs"), d.get("costs", 1.0), above=0, maximum=100)
    benefits = _number(p, (*path, "benefits"), d.get("benefits", 1.0), minimum=0, maximum=100)
    projects = d.get("projects", [])
    if not isinstance(projects, list):
        p.add((*path, "projects"), f"must be a list of project ids, got {_show(projects)}")
        return None
    ids = [_text(p, (*path, "projects", i), x) for i, x in enumerate(projects)]
    department = _text(p, (*path, "department"), d["department"]) if "department" in d else None
    if costs is None or benefits is None or None in ids or ("department" in d and department is None):
        return None
    return Scale(costs, benefits, department=department, projects=tuple(ids), line=p.line(*path))  # type: ignore[arg-type]


def _people(p: _Problems, path: tuple, item: Any) -> People | None:
    keys = ("add", "remove", "role", "department", "from", "weekly_capacity_hours", "hourly_cost")
    d = _mapping(p, path, item, keys)
    if d is None:
        return None
    if ("add" in d) == ("remove" in d):
        p.add(path, "give add or remove (how many people)")
        return None
    verb = "add" if "add" in d else "remove"
    n = _number(p, (*path, verb), d[verb], above=0, maximum=10_000, whole=True)
    for key, rule in (("role", "name the role"), ("from", "give from (a month)")):
        if key not in d:
            p.add(path, rule)
    role = _text(p, (*path, "role"), d["role"]) if "role" in d else None
    start = _date(p, (*path, "from"), d["from"], month=True) if "from" in d else None
    department = _text(p, (*path, "department"), d["department"]) if "department" in d else None
    hours = (
        _number(p, (*path, "weekly_capacity_hours"), d["weekly_capacity_hours"], above=0, maximum=168)
        if "weekly_capacity_hours" in d
        else None
    )
    cost = _number(p, (*path, "hourly_cost"), d["hourly_cost"], minimum=0) if "hourly_cost" in d else None
    if n is None or role is None or start is None:
        return None
    return People(
        int(n) if verb == "add" else -int(n),
        role,
        start.replace(day=1),
        department=department,
        weekly_capacity_hours=hours,
        hourly_cost=cost,
        line=p.line(*path),
    )


def read_scenario(path: str | Path, portfolio: Portfolio | None = None) -> Scenario:
    """Read a scenario file (:func:`parse_scenario`) and, given the ``portfolio``, check it
    against the data (:func:`check_scenario`).
    """
    scenario = parse_scenario(read_text(path, what="scenario file"), source=str(path))
    if portfolio is not None:
        check_scenario(scenario, portfolio)
    return scenario


# --------------------------------------------------------------------------- checked against the data
def _months_later(value: Any, months: int) -> pd.Timestamp:
    return pd.Timestamp(value) + pd.DateOffset(months=months)


def check_scenario(scenario: Scenario, portfolio: Portfolio) -> Scenario:
    """Check ``scenario`` against the loaded ``portfolio``: every project, department and role it
    names exists (and a new project's id does not), a removal finds the people it removes, and no
    delay moves a date of a project, its cash flows or its milestones outside
    :data:`~pmo_analysis.core.bounds.DATE_RANGE`. Every problem is one line naming the file and
    the line; returns ``scenario``.
    """
    src = scenario.source or scenario.name
    found: list[str] = []
    projects = portfolio.table("projects")
    ids = set(projects["project_id"])
    departments = set(projects["department"])
    roles = set(portfolio.resources["role"]) if portfolio.resources is not None else set()

    def bad(line: int, what: str, rule: str) -> None:
        found.append(f"{src}, line {line}: {what}: {rule}")

    def known_project(line: int, what: str, pid: str) -> bool:
        if pid not in ids:
            bad(line, what, f"unknown project {pid!r}; the portfolio has {_few(ids)}")
            return False
        return True

    status = projects.set_index("project_id")["status"]

    def still_open(line: int, what: str, pid: str) -> bool:
        if status.get(pid) in ("completed", "cancelled"):
            bad(line, what, f"project {pid!r} is {status[pid]}: there is nothing left to {what}")
            return False
        return True

    def known_department(line: int, what: str, name: str) -> bool:
        if name not in departments:
            bad(line, what, f"unknown department {name!r}; the portfolio has {_few(departments)}")
            return False
        return True

    lo, hi = pd.Timestamp(DATE_RANGE[0]), pd.Timestamp(DATE_RANGE[1])
    for d in scenario.delays:
        if d.project is not None and not (
            known_project(d.line, "delay", d.project) and still_open(d.line, "delay", d.project)
        ):
            continue
        if d.department is not None and not known_department(d.line, "delay", d.department):
            continue
        chosen = projects["project_id"] == d.project if d.project else projects["department"] == d.department
        dates = [projects.loc[chosen, c] for c in ("start_date", "end_date")]
        pids = set(projects.loc[chosen, "project_id"])
        if portfolio.milestones is not None:
            ms = portfolio.milestones.loc[portfolio.milestones["project_id"].isin(pids)]
            dates += [ms[c] for c in ("baseline_date", "forecast_date") if c in ms.columns]
        if portfolio.cashflows is not None:
            dates.append(portfolio.cashflows.loc[portfolio.cashflows["project_id"].isin(pids), "period"])
        moved = pd.concat(dates).dropna()
        if len(moved):
            first, last = _months_later(moved.min(), d.months), _months_later(moved.max(), d.months)
            if last > hi or first < lo:
                worst = last if last > hi else first
                bad(
                    d.line,
                    "delay",
                    f"moving {d.months} month(s) takes a date to {worst:%Y-%m-%d}; dates must be {DATE_RANGE_TEXT}",
                )
    for i, pid in enumerate(scenario.cancel):
        if known_project(_line_of(scenario, i), "cancel", pid):
            still_open(_line_of(scenario, i), "cancel", pid)
    for a in scenario.add_projects:
        if a.project_id in ids:
            bad(a.line, "add_projects", f"project {a.project_id!r} is already in the portfolio; give a new id")
        known_department(a.line, "add_projects", a.department)
        last = _months_later(a.end_date, a.benefit_months)
        if last > hi:
            bad(a.line, "add_projects", f"its benefits run to {last:%Y-%m}; dates must be {DATE_RANGE_TEXT}")
    for s in scenario.scale:
        if s.department is not None:
            known_department(s.line, "scale", s.department)
        for pid in s.projects:
            known_project(s.line, "scale", pid)
    for x in scenario.people:
        if portfolio.resources is None:
            bad(x.line, "people", "the portfolio has no resources table to change")
            continue
        if x.role not in roles:
            bad(x.line, "people", f"unknown role {x.role!r}; the portfolio has {_few(roles)}")
            continue
        if x.department is not None and not known_department(x.line, "people", x.department):
            continue
        if x.count < 0:
            available = len(removable(portfolio.resources, x))
            if available < -x.count:
                bad(
                    x.line,
                    "people",
                    f"cannot remove {-x.count} {x.role}(s) from {x.start:%Y-%m}: {available} are active then",
                )
    if found:
        raise ScenarioError(found)
    return scenario


def _line_of(scenario: Scenario, index: int) -> int:
    """The line of the ``index``-th cancelled project (0 when the scenario was not read from a file)."""
    return scenario.cancel_lines[index] if index < len(scenario.cancel_lines) else 0


def removable(resources: pd.DataFrame, change: People) -> pd.Series:
    """The ids of the people a removal takes out, in the order it takes them: those of the role
    (and department) still active in the month it starts, the highest id first.
    """
    month = pd.Timestamp(change.start)
    r = resources.loc[resources["role"] == change.role]
    if change.department is not None:
        r = r.loc[r["department"] == change.department]
    active_to = r["active_to"] if "active_to" in r.columns else pd.Series(pd.NaT, index=r.index)
    active_from = r["active_from"] if "active_from" in r.columns else pd.Series(pd.NaT, index=r.index)
    on = (active_to.isna() | (active_to >= month)) & (
        active_from.isna() | (active_from < month + pd.DateOffset(months=1))
    )
    return r.loc[on, "resource_id"].sort_values(ascending=False).reset_index(drop=True)


def _few(values: Iterable[Any], limit: int = 6) -> str:
    items = sorted(str(v) for v in values)
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


# --------------------------------------------------------------------------- writing
def scenario_yaml(scenario: Scenario) -> str:
    """The YAML text of ``scenario``: what :func:`parse_scenario` reads back as the same scenario
    (the interactive notebook's button writes it).

    Examples
    --------
    >>> s = Scenario("Cut 20%", budget_cap_share=0.8, delays=(Delay(3, project="PRJ-010"),), cancel=("PRJ-019",))
    >>> back = parse_scenario(scenario_yaml(s), source="x.yml")
    >>> back.name, back.budget_cap_share, back.delays[0].months, back.cancel
    ('Cut 20%', 0.8, 3, ('PRJ-019',))
    """
    doc: dict[str, Any] = {"name": scenario.name}
    if scenario.description:
        doc["description"] = scenario.description
    params = dict(scenario.params)
    if scenario.budget_cap_share is not None:
        params["budget_cap_share"] = scenario.budget_cap_share
    if params:
        doc["parameters"] = params
    if scenario.delays:
        doc["delay"] = [
            {("project" if d.project else "department"): d.project or d.department, "months": d.months}
            for d in scenario.delays
        ]
    if scenario.cancel:
        doc["cancel"] = list(scenario.cancel)
    if scenario.add_projects:
        doc["add_projects"] = [
            {k: v for k, v in a.__dict__.items() if k != "line" and v is not None} for a in scenario.add_projects
        ]
    if scenario.scale:
        doc["scale"] = [
            {
                k: (list(v) if isinstance(v, tuple) else v)
                for k, v in s.__dict__.items()
                if k != "line" and v not in (None, ())
            }
            for s in scenario.scale
        ]
    if scenario.people:
        doc["people"] = [
            {("add" if x.count > 0 else "remove"): abs(x.count), "role": x.role, "from": x.start}
            | {k: getattr(x, k) for k in ("department", "weekly_capacity_hours", "hourly_cost") if getattr(x, k)}
            for x in scenario.people
        ]
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)
