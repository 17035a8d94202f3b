"""The scenarios report's tables and charts, and the executive summary's link to it."""

from __future__ import annotations

from types import SimpleNamespace

import matplotlib.pyplot as plt

from pmo_analysis.core import formatting as fmt
from pmo_analysis.model import save_scenarios
from pmo_analysis.reporting import plots
from pmo_analysis.reporting.scenarios import cash_range_text, compare, headline_text, scenarios_link


def test_the_base_beside_the_scenario_in_words_and_charts(cut_scenario, tmp_path):
    _portfolio, _scenario, base, cut = cut_scenario
    c = compare(base, {"cut": cut})
    text = headline_text(c).set_index("Figure")
    cap, new_cap = base.meta["budget_cap"], cut.meta["budget_cap"]
    assert text.loc["Budget cap", "Base"] == fmt.money(cap)
    assert text.loc["Budget cap", "cut"] == f"{fmt.money(new_cap)} ({fmt.money(new_cap - cap)})"
    assert all(t.startswith(f"{p} ") for t, p in zip(c.changes["change"], c.changes["project_id"], strict=True))
    assert len(c.changes) > 0
    fronts, caps, chosen = c.frontiers()
    assert list(fronts) == ["Base", "cut"] and caps == {"Base": cap, "cut": new_cap}
    assert chosen["cut"] == cut.decisions.loc[cut.decisions["funded"], "score"].sum()
    for fig in (
        plots.scenario_frontiers(fronts, caps, chosen, objective="score"),
        plots.scenario_capacity(c.capacity),
        plots.scenario_cash_need(c.cash),
    ):
        assert len(fig.axes[0].get_legend_handles_labels()[1]) == 2  # the base and the scenario
        plt.close(fig)
    # the executive summary links to the scenarios report of a run that has scenarios, only then
    run = SimpleNamespace(P=SimpleNamespace(model_dir=tmp_path / "model"))
    assert scenarios_link(run) is None
    save_scenarios([cut], tmp_path / "model" / "scenarios")
    assert scenarios_link(run) == (
        '<p class="pmo-note"><a href="scenarios.html">What-if scenarios of this run: Cap -20%, Data Lake +3 months</a></p>'
    )
    assert scenarios_link(SimpleNamespace(P=SimpleNamespace(model_dir=None))) is None


def test_each_scenarios_cash_need_is_a_range_from_its_own_forecast(cut_scenario):
    _portfolio, _scenario, base, cut = cut_scenario
    c = compare(base, {"cut": cut})
    for name, model in (("Base", base), ("cut", cut)):
        fc = model.cash_need.loc[model.cash_need["quarter"] != "total"]
        got = c.cash[name].dropna(subset=["cash_need_p80"])
        assert (
            got["quarter"].tolist()
            == fc["quarter"].str.replace("-", "").tolist()
            == [
                "2026Q3",
                "2026Q4",
                "2027Q1",
                "2027Q2",
            ]
        )
        assert got["cash_need_p50"].tolist() == fc["p50"].tolist()
        assert got["cash_need_p80"].tolist() == fc["p80"].tolist()
        assert (got["cash_need_p80"] >= got["cash_need_p50"]).all()
        assert c.cash[name].loc[c.cash[name]["quarter"] > "2027Q2", "cash_need_p80"].isna().all()  # n/a, not 0
    # the Data Lake's three months' delay moves its spend: the scenario's range is its own
    assert c.cash["cut"]["cash_need_p80"].iloc[0] != c.cash["Base"]["cash_need_p80"].iloc[0]
    ranges = cash_range_text(c).set_index("Quarter")
    q3 = c.cash["cut"].iloc[0]
    assert ranges.loc["2026Q3", "cut"] == f"P50 {fmt.money(q3['cash_need_p50'])} / P80 {fmt.money(q3['cash_need_p80'])}"
    text = headline_text(c).set_index("Figure")
    p80 = base.headline.loc[0, "cash_need_p80"]
    assert text.loc["Cash need of running projects, next four quarters, P80", "Base"] == fmt.money(p80)
