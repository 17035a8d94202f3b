"""Scenario files: read with the one YAML loader, checked against the sample, every problem one
line naming the file and its line."""

from __future__ import annotations

import pytest

from pmo_analysis.core.exceptions import ScenarioError
from pmo_analysis.inputs.scenarios import Delay, Scenario, check_scenario, parse_scenario, read_scenario, scenario_yaml

GOOD = """\
name: Cut 20%, Data Lake slips
description: the budget round's low case
parameters:
  budget_cap_share: 0.8
  discount_rate: 0.1
  w_value: 0.6
delay:
  - project: PRJ-010
    months: 3
  - department: Finance
    months: 1
cancel: [PRJ-019]
add_projects:
  - {project_id: PRJ-100, name: Portal, department: Digital, start_date: 2027-01-01, end_date: 2027-06-30,
     budget: 600000, monthly_benefit: 30000, benefit_months: 36, strategic_alignment: 4}
scale:
  - {costs: 1.1, department: Digital}
people:
  - {add: 2, role: Developer, from: 2026-09}
  - {remove: 1, role: Tester, from: 2026-10}
"""


def test_a_scenario_file_reads_every_change_with_its_line(tmp_path, sample):
    path = tmp_path / "cut20.yml"
    path.write_text(GOOD, encoding="utf-8")
    s = read_scenario(path, sample)
    assert (s.name, s.budget_cap_share, dict(s.params)) == (
        "Cut 20%, Data Lake slips",
        0.8,
        {"discount_rate": 0.1, "w_value": 0.6},
    )
    assert [(d.project, d.department, d.months, d.line) for d in s.delays] == [
        ("PRJ-010", None, 3, 8),
        (None, "Finance", 1, 10),
    ]
    assert s.cancel == ("PRJ-019",) and s.cancel_lines == (12,)
    assert (s.add_projects[0].project_id, s.add_projects[0].budget, s.add_projects[0].line) == ("PRJ-100", 600000.0, 14)
    assert [(x.count, x.role, str(x.start)) for x in s.people] == [
        (2, "Developer", "2026-09-01"),
        (-1, "Tester", "2026-10-01"),
    ]
    assert len(s.checksum) == 64
    # the base run's cap, cut by the share; the other parameters as the base run's unless changed
    assert s.model_params({"budget_cap": None, "discount_rate": 0.08, "w_risk": 0.2}, base_cap=10.0) == {
        "budget_cap": 8.0,
        "discount_rate": 0.1,
        "w_risk": 0.2,
        "w_value": 0.6,
    }
    # without a cap of its own, a scenario keeps the base run's: stopping projects frees money, it
    # does not shrink the budget (the default rule is a share of the need)
    assert Scenario("stop two", cancel=("PRJ-019",)).model_params({"budget_cap": None}, base_cap=10.0) == {
        "budget_cap": 10.0
    }
    assert Scenario("set", params={"budget_cap": 7.0}).model_params({"budget_cap": None}, base_cap=10.0) == {
        "budget_cap": 7.0
    }
    # what the widgets' button writes reads back as the same scenario
    again = parse_scenario(scenario_yaml(s), source="again.yml")
    assert (again.params, again.budget_cap_share, again.delays[0].months, again.people, again.scale) == (
        s.params,
        s.budget_cap_share,
        3,
        tuple(x.__class__(**{**x.__dict__, "line": y.line}) for x, y in zip(s.people, again.people, strict=True)),
        tuple(x.__class__(**{**x.__dict__, "line": y.line}) for x, y in zip(s.scale, again.scale, strict=True)),
    )


BAD = """\
parameters:
  budget_cap: -5
  colour: blue
delay:
  - project: PRJ-999
    months: 2
  - department: Nowhere
    months: 1
  - project: PRJ-010
    months: 1500
  - project: PRJ-010
    months: 0
cancel: [PRJ-404]
scale:
  - {costs: -1}
people:
  - {add: 3, role: Astronaut, from: 2026-09}
  - {remove: 40, role: Architect, from: 2026-09}
add_projects:
  - {project_id: PRJ-001, name: Again, department: Digital, start_date: 2027-01-01, end_date: 2026-06-30, budget: 1}
"""


def test_a_bad_scenario_file_gives_one_line_per_problem_naming_file_and_line(sample):
    with pytest.raises(ScenarioError) as form:
        parse_scenario(BAD, source="bad.yml")
    assert form.value.problems == [
        "bad.yml, line 2: parameter 'budget_cap' must be >= 0, got -5",
        "bad.yml, line 3: parameters.colour: unknown key; the keys are budget_cap, discount_rate, w_alignment, "
        "w_value, w_risk, value_metric, objective, budget_cap_share",
        "bad.yml, line 10: delay.months: must be <= 120, got 1500",
        "bad.yml, line 12: delay.months: must be >= 1, got 0",
        "bad.yml, line 15: scale.costs: must be > 0, got -1",
        "bad.yml, line 20: add_projects.end_date: must not be before start_date 2027-01-01, got '2026-06-30'",
    ]
    fixed = (
        BAD.replace("-5", "5")
        .replace("colour: blue", "discount_rate: 0.1")
        .replace("1500", "1")
        .replace("months: 0", "months: 2")
    )
    fixed = fixed.replace("costs: -1", "costs: 1").replace("end_date: 2026-06-30", "end_date: 2027-06-30")
    with pytest.raises(ScenarioError) as data:
        check_scenario(parse_scenario(fixed, source="bad.yml"), sample)
    lines = str(data.value).splitlines()
    assert lines == data.value.problems
    assert lines == [
        "bad.yml, line 5: delay: unknown project 'PRJ-999'; the portfolio has PRJ-001, PRJ-002, PRJ-003, PRJ-004, "
        "PRJ-005, PRJ-006 and 34 more",
        "bad.yml, line 7: delay: unknown department 'Nowhere'; the portfolio has Customer Service, Digital, Finance, "
        "Operations, Supply Chain",
        "bad.yml, line 13: cancel: unknown project 'PRJ-404'; the portfolio has PRJ-001, PRJ-002, PRJ-003, PRJ-004, "
        "PRJ-005, PRJ-006 and 34 more",
        "bad.yml, line 17: people: unknown role 'Astronaut'; the portfolio has Architect, Business Analyst, "
        "Change Manager, Data Analyst, Developer, Project Manager and 2 more",
        "bad.yml, line 18: people: cannot remove 40 Architect(s) from 2026-09: 2 are active then",
        "bad.yml, line 20: add_projects: project 'PRJ-001' is already in the portfolio; give a new id",
    ]


def test_a_delay_that_moves_a_date_outside_the_date_range_is_refused(sample):
    s = Scenario("far", source="far.yml", delays=(Delay(120, project="PRJ-001", line=3),))
    check_scenario(s, sample)  # 2029 + 10 years is still a date
    late = sample.projects.assign(
        end_date=sample.projects["end_date"].where(sample.projects["project_id"] != "PRJ-001", "2095-01-31")
    )
    edited = sample.__class__(sample.data_dir, projects=late.astype({"end_date": "datetime64[ns]"}))
    with pytest.raises(
        ScenarioError,
        match=r"^far.yml, line 3: delay: moving 120 month\(s\) takes a date to 2105-01-31; dates must be between 1900-01-01 and 2099-12-31$",
    ):
        check_scenario(s, edited)


def test_a_closed_project_cannot_be_delayed_or_cancelled(sample):
    s = parse_scenario("delay: [{project: PRJ-003, months: 2}]\ncancel: [PRJ-002]\n", source="closed.yml")
    with pytest.raises(ScenarioError) as exc:
        check_scenario(s, sample)
    assert exc.value.problems == [
        "closed.yml, line 1: delay: project 'PRJ-003' is completed: there is nothing left to delay",
        "closed.yml, line 2: cancel: project 'PRJ-002' is cancelled: there is nothing left to cancel",
    ]


def test_yaml_syntax_and_tags_are_one_line_too():
    with pytest.raises(Exception, match=r"^x.yml: not valid YAML at line 2"):
        parse_scenario("delay:\n  - [", source="x.yml")
    with pytest.raises(ScenarioError, match=r"^x.yml, line 1: file: must be a mapping"):
        parse_scenario("- 1", source="x.yml")
