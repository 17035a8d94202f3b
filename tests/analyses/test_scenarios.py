"""What-if scenarios on the sample: a scenario built by hand (the cap cut 20%, a project with
dependents delayed) against values worked out in the test, and a scenario's model against the
model of data edited the same way by hand."""

from __future__ import annotations

import calendar
import contextvars

import pandas as pd
import pytest

from pmo_analysis import load_portfolio
from pmo_analysis.analyses.scenarios import (
    apply_scenario,
    cash_need_by_quarter,
    change_sentences,
    decision_changes,
    delays_with_successors,
    headline_changes,
)
from pmo_analysis.core import formatting as fmt
from pmo_analysis.core.config import SAMPLE_AS_OF
from pmo_analysis.inputs.scenarios import Delay, People, Scale, Scenario
from pmo_analysis.model import build_model, build_scenario_model
from tests.helpers import edit_csv

#: Every table but the lessons (a scenario reuses the base run's lessons tables): quicker to build.
TABLES = ["projects", "cashflows", "dependencies", "milestones", "risks", "resources", "assignments", "timesheets"]
CUT_AND_DELAY = Scenario("cut 20%, Data Lake late", budget_cap_share=0.8, delays=(Delay(3, project="PRJ-010"),))


@pytest.fixture
def built(cut_scenario):
    portfolio, scenario, base, cut = cut_scenario
    # the example file is the scenario of these tests
    assert (scenario.budget_cap_share, scenario.delays) == (0.8, (Delay(3, project="PRJ-010", line=7),))
    return portfolio, base, cut


def _plus(text: str, months: int) -> str:
    """A date YYYY-MM-DD or a month YYYY-MM ``months`` later, by the calendar (a month's last day
    stays its last day): the hand edit of a PMO, independent of the package's date arithmetic."""
    y, m, *d = (int(x) for x in text.split("-"))
    y, m = y + (m - 1 + months) // 12, (m - 1 + months) % 12 + 1
    if not d:
        return f"{y:04d}-{m:02d}"
    last_before = calendar.monthrange(int(text[:4]), int(text[5:7]))[1]
    day = calendar.monthrange(y, m)[1] if d[0] == last_before else min(d[0], calendar.monthrange(y, m)[1])
    return f"{y:04d}-{m:02d}-{day:02d}"


def test_a_delay_moves_the_project_and_its_dependents_as_the_dependency_rules_say(sample):
    # PRJ-010 (started 2025-11-01, ends 2026-09-30) slips 3 months to 2026-12-31. PRJ-034 waits for
    # it (finish to start, lag 0): it must start on or after 2027-01-01; it planned 2026-10-04, so it
    # moves 3 whole months (2 would give 2026-12-04). PRJ-013 starts 60 days after PRJ-034 starts
    # (start to start): 2027-01-04 + 60 days = 2027-03-05, after its own 2026-12-04: 3 months again.
    assert delays_with_successors(sample, [Delay(3, project="PRJ-010")], as_of=SAMPLE_AS_OF) == {
        "PRJ-010": 3,
        "PRJ-034": 3,
        "PRJ-013": 3,
    }
    e = apply_scenario(sample, CUT_AND_DELAY, as_of=SAMPLE_AS_OF).projects.set_index("project_id")
    dates = e.loc[["PRJ-010", "PRJ-034", "PRJ-013"], ["start_date", "end_date"]].map(lambda t: f"{t:%Y-%m-%d}")
    assert dates.to_numpy().tolist() == [
        ["2025-11-01", "2026-12-31"],  # started: its start is history
        ["2027-01-04", "2027-09-30"],
        ["2027-03-04", "2027-10-31"],
    ]
    # the rest of the portfolio is untouched, and so is the portfolio given
    assert sample.projects.set_index("project_id").loc["PRJ-010", "end_date"] == pd.Timestamp("2026-09-30")
    others = ~e.index.isin(["PRJ-010", "PRJ-034", "PRJ-013"])
    pd.testing.assert_frame_equal(e.loc[others], sample.projects.set_index("project_id").loc[others])
    # a delay without dependents moves that project only; a department's moves its open projects
    assert delays_with_successors(sample, [Delay(2, project="PRJ-013")], as_of=SAMPLE_AS_OF) == {"PRJ-013": 2}
    finance = sample.projects.loc[
        (sample.projects["department"] == "Finance")
        & sample.projects["status"].isin(["proposed", "active", "on_hold"]),
        "project_id",
    ]
    assert set(delays_with_successors(sample, [Delay(1, department="Finance")], as_of=SAMPLE_AS_OF)) >= set(finance)


def test_cutting_the_cap_defers_what_no_longer_fits_and_says_why(built):
    _portfolio, base, cut = built
    cap_before, cap_after = base.meta["budget_cap"], cut.meta["budget_cap"]
    assert cap_after == pytest.approx(0.8 * cap_before, rel=1e-12)
    b = base.decisions.set_index("project_id")
    s = cut.decisions.set_index("project_id")
    assert s.loc[s["funded"], "funding_need"].sum() <= cap_after
    changes = decision_changes(base.tables, cut.tables, cap_before=cap_before, cap_after=cap_after)
    # the projects whose decision changed, worked out from the two decision tables
    differ = sorted(b.index[b["decision"] != s.loc[b.index, "decision"]])
    assert changes["project_id"].tolist() == differ and len(differ) > 0
    funded_before = set(b.index[b["funded"]])
    for row in changes.itertuples():
        if row.project_id in funded_before and not s.loc[row.project_id, "funded"]:
            need = s.loc[row.project_id, "funding_need"]
            assert row.decision_after == "defer"
            assert row.reason.endswith(
                f"its need of {fmt.money(need)} no longer fits the cap of {fmt.money(cap_after)}"
            ), row.reason
    sentences = change_sentences(changes)
    first = changes.iloc[0]
    assert sentences.iloc[0] == f"{first.project_id} {first.decision_before.capitalize()} → Defer: {first.reason}"
    with fmt.using(language="zh", currency="CNY"):
        zh = change_sentences(decision_changes(base.tables, cut.tables, cap_before=cap_before, cap_after=cap_after))
    assert "暂缓" in zh.iloc[0] and "已超出预算上限" in zh.iloc[0]
    # the headline side by side: the cap and the funded need moved by the cut; NPV by the delay
    h = headline_changes(base.tables, {"cut": cut.tables}).set_index("figure")
    assert h.loc["budget_cap", "cut change"] == pytest.approx(cap_after - cap_before)
    assert h.loc["funded_need", "cut"] == pytest.approx(s.loc[s["funded"], "funding_need"].sum())
    assert h.loc["portfolio_npv", "base"] == pytest.approx(base.headline.loc[0, "portfolio_npv"])


def test_a_scenario_equals_a_plain_run_on_data_edited_the_same_way_by_hand(built, sample_copy):
    _portfolio, base, cut = built
    moved = {"PRJ-010": 3, "PRJ-034": 3, "PRJ-013": 3}
    started = {"PRJ-010"}  # before 2026-06-30: only what lies after it moves

    def later(df, columns, after):
        df = df.copy()
        for c in columns:
            for i, (pid, text) in enumerate(zip(df["project_id"], df[c], strict=True)):
                if pid in moved and text and (pid not in started or text > after):
                    df.loc[df.index[i], c] = _plus(text, moved[pid])
        return df

    edit_csv(
        sample_copy,
        "projects",
        lambda df: later(df, ["end_date"], "").pipe(
            lambda d: d.assign(
                start_date=[
                    _plus(t, 3) if p in ("PRJ-034", "PRJ-013") else t
                    for p, t in zip(d["project_id"], d["start_date"], strict=True)
                ]
            )
        ),
    )
    edit_csv(sample_copy, "cashflows", lambda df: later(df, ["period"], "2026-06"))
    edit_csv(sample_copy, "milestones", lambda df: later(df, ["baseline_date", "forecast_date"], SAMPLE_AS_OF))
    edit_csv(sample_copy, "assignments", lambda df: later(df, ["start_date", "end_date"], SAMPLE_AS_OF))
    by_hand = build_model(
        load_portfolio(sample_copy, tables=TABLES),
        as_of=SAMPLE_AS_OF,
        params={"budget_cap": 0.8 * base.meta["budget_cap"]},
    )
    assert set(by_hand.tables) == set(cut.tables)
    for name in by_hand.tables:
        pd.testing.assert_frame_equal(
            cut.tables[name].reset_index(drop=True), by_hand.tables[name].reset_index(drop=True), obj=name
        )


def test_people_added_and_removed_change_the_capacity_of_their_role(built):
    portfolio, _base, _cut = built
    scenario = Scenario(
        "hire",
        people=(
            People(4, "Developer", pd.Timestamp("2026-07-01").date()),
            People(-1, "Tester", pd.Timestamp("2026-07-01").date()),
        ),
    )
    edited = apply_scenario(portfolio, scenario, as_of=SAMPLE_AS_OF)
    new = edited.resources.loc[edited.resources["resource_id"].str.startswith("SCN-")]
    assert new["role"].tolist() == ["Developer"] * 4
    gone = edited.resources.loc[edited.resources["active_to"] == pd.Timestamp("2026-06-30"), "resource_id"].tolist()
    testers = portfolio.resources.loc[portfolio.resources["role"] == "Tester"]
    assert gone == [testers.loc[testers["active_to"].isna(), "resource_id"].max()]


def test_the_sentences_read_in_chinese_inside_a_context():
    changes = pd.DataFrame(
        {
            "project_id": ["PRJ-029"],
            "decision_before": ["fund"],
            "decision_after": ["defer"],
            "reason": ["its need of 1.6M no longer fits the cap of 9.0M"],
        }
    )
    assert change_sentences(changes).tolist() == [
        "PRJ-029 Fund → Defer: its need of 1.6M no longer fits the cap of 9.0M"
    ]
    zh = contextvars.copy_context().run(lambda: (fmt.use(language="zh"), change_sentences(changes))[1])
    assert zh.tolist() == ["PRJ-029 资助 → 暂缓：its need of 1.6M no longer fits the cap of 9.0M"]


def test_cash_need_by_quarter_is_the_forecast_net_outflow_of_the_quarters_ahead():
    months = pd.date_range("2026-05-01", "2026-12-01", freq="MS")
    net = [-9.0, -8.0, -10.0, -20.0, 5.0, -1.0, 2.0, 4.0]  # May ... Dec
    need = cash_need_by_quarter({"cashflow": pd.DataFrame({"period": months, "forecast_net": net})}, as_of=SAMPLE_AS_OF)
    # June is the last complete month at 2026-06-30: Q3 = Jul-Sep, Q4 = Oct-Dec
    assert need[["quarter", "net_cash_need"]].to_dict("list") == {
        "quarter": ["2026Q3", "2026Q4"],
        "net_cash_need": [25.0, -5.0],
    }
    assert need[["cash_need_p50", "cash_need_p80"]].isna().all().all()  # no forecast: n/a, not 0
    assert cash_need_by_quarter({}, as_of=SAMPLE_AS_OF).empty


@pytest.mark.parametrize(
    ("scenario", "taken"),
    [
        (Scenario("cut", budget_cap_share=0.8), {"delivery", "forecast", "resources"}),
        (Scenario("rate", params={"discount_rate": 0.12}), {"delivery", "resources"}),
        (
            Scenario("weights", params={"w_alignment": 0.1, "w_value": 0.8, "w_risk": 0.1}),
            {"delivery", "forecast", "resources"},
        ),
        (
            Scenario("hire", people=(People(3, "Developer", pd.Timestamp("2026-08-01").date()),)),
            {"delivery", "forecast"},
        ),
        (Scenario("dearer", scale=(Scale(costs=1.15, department="IT"),)), {"resources"}),
        (Scenario("stop two", cancel=("PRJ-020", "PRJ-029")), set()),
        # PRJ-010's assignments ended before the as-of date: the people's plan is as it was
        (CUT_AND_DELAY, {"resources"}),
        (Scenario("late", delays=(Delay(2, project="PRJ-022"),)), set()),
    ],
    ids=lambda x: x.name if isinstance(x, Scenario) else None,
)
def test_a_scenario_takes_from_its_base_only_the_parts_it_does_not_change(built, scenario, taken):
    # a scenario's model takes the base run's parts that read what the scenario leaves as it was
    # (the same tables, the same parameters): every table is still the one a model built from
    # scratch on the edited data has, and the parts it changes are computed anew
    portfolio, base, _cut = built
    model = build_scenario_model(portfolio, scenario, base=base)
    edited = apply_scenario(portfolio, scenario, as_of=base.as_of)
    params = scenario.model_params(base.params, base_cap=base.meta["budget_cap"])
    scratch = build_model(edited, as_of=base.as_of.date(), params=params, lessons_of=base)
    assert {name for name, made in model.parts.items() if made is base.parts.get(name)} == taken
    assert set(model.tables) == set(scratch.tables)
    for name in scratch.tables:
        pd.testing.assert_frame_equal(model.tables[name], scratch.tables[name], obj=name)
    # a table taken is the model's own: changing it leaves the base run's as it was
    if "resources" in taken:
        model.tables["utilization"].iloc[0, 0] = None
        assert base.tables["utilization"].iloc[0, 0] is not None


def test_a_base_model_changed_after_it_is_built_does_not_reach_its_scenarios(sample):
    # an analyst may change a table of the base model in a notebook: a scenario built on it later
    # still takes the parts as they were computed, never the edit
    portfolio = load_portfolio(sample.data_dir, tables=TABLES)
    base = build_model(portfolio, as_of=SAMPLE_AS_OF, for_scenarios=True)
    kept = base.tables["utilization"].copy()
    base.tables["utilization"]["utilization"] = -1.0
    cut = build_scenario_model(portfolio, Scenario("cut", budget_cap_share=0.8), base=base)
    assert cut.parts["resources"] is base.parts["resources"]  # taken, as computed
    pd.testing.assert_frame_equal(cut.tables["utilization"], kept)
    # a scenario's model keeps no second copy of the parts it computed itself, and a model built
    # without scenarios in view keeps none at all (its scenarios then compute every part)
    assert cut.parts["finance"].value is None
    plain = build_model(portfolio, as_of=SAMPLE_AS_OF)
    assert all(made.value is None for made in plain.parts.values())
    again = build_scenario_model(portfolio, Scenario("cut", budget_cap_share=0.8), base=plain)
    assert not any(made is plain.parts.get(name) for name, made in again.parts.items())
    pd.testing.assert_frame_equal(again.tables["decisions"], cut.tables["decisions"])
