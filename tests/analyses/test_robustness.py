"""Decision robustness against hand-computed values, numpy's polynomial roots, brute-force
knapsacks, and laws (hypothesis)."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from pmo_analysis.analyses import finance as F
from pmo_analysis.analyses.finance.robustness import budget_flips, remaining_values, weight_flips
from pmo_analysis.core.config import P80_COST_UPLIFT
from pmo_analysis.core.formatting import using

AS_OF = "2029-06-30"  # the flows below fall on 1 July of 2029, 2030 and 2031: 365 days apart


def flows(rows, project="P1"):
    """Forecast flows from (period, cost, benefit)."""
    f = pd.DataFrame(rows, columns=["period", "cost", "benefit"])
    f.insert(0, "project_id", project)
    f["period"] = pd.to_datetime(f["period"])
    f[["cost", "benefit"]] = f[["cost", "benefit"]].astype(float)
    f["net"] = f["benefit"] - f["cost"]
    return f


THREE = flows([("2029-07-01", 100, 0), ("2030-07-01", 0, 60), ("2031-07-01", 0, 60)])


def _remaining_npv(f: pd.DataFrame, rate: float) -> float:
    t = (f["period"] - pd.Timestamp(AS_OF)).dt.days.to_numpy() / 365
    return float((f["net"].to_numpy() / (1 + rate) ** t).sum())


def test_break_even_rate_of_three_flows_by_the_quadratic_formula():
    # -100 + 60 x + 60 x^2 = 0 with x = 1 / (1 + r): x = (-60 + sqrt(60^2 + 4 * 60 * 100)) / 120
    x = (-60 + np.sqrt(60**2 + 4 * 60 * 100)) / 120
    r = remaining_values(THREE, as_of=AS_OF, discount_rate=0.08).iloc[0]
    assert r["break_even_rate"] == pytest.approx(1 / x - 1, abs=1e-10)  # 13.066%
    assert r["break_even_rates"] == 1
    # PVC and PVB by hand: the first flow is one day after as_of
    pvc = 100 / 1.08 ** (1 / 365)
    pvb = 60 / 1.08 ** (366 / 365) + 60 / 1.08 ** (731 / 365)
    assert r["pv_cost"] == pytest.approx(pvc) and r["pv_benefit"] == pytest.approx(pvb)
    assert r["remaining_npv"] == pytest.approx(pvb - pvc)


def test_several_roots_give_the_one_nearest_the_rate_with_their_count():
    f = flows([("2029-07-01", 1000, 0), ("2030-07-01", 0, 2220), ("2031-07-01", 1232, 0)])
    # oracle: numpy's roots of -1232 x^2 + 2220 x - 1000 in x = 1 / (1 + r)
    oracle = sorted(1 / np.roots([-1232.0, 2220.0, -1000.0]).real - 1)
    assert oracle == pytest.approx([0.10, 0.12])
    for rate, nearest in ((0.08, oracle[0]), (0.115, oracle[1]), (0.20, oracle[1])):
        r = remaining_values(f, as_of=AS_OF, discount_rate=rate).iloc[0]
        assert r["break_even_rate"] == pytest.approx(nearest, abs=1e-9)
        assert r["break_even_rates"] == 2


def _decisions(rows):
    """decide()-like rows and priority components from (id, status, decision, funded, need, score)."""
    d = pd.DataFrame(rows, columns=["project_id", "status", "decision", "funded", "funding_need", "score"])
    d["name"] = d["project_id"]
    d["remaining_npv"] = np.nan
    scored = d[["project_id", "score"]].assign(c_alignment=0.5, c_value=0.5, c_risk=0.5, remaining_npv=np.nan)
    return d, scored


def _robust(d, scored, f, **kw):
    rest = remaining_values(f, as_of=AS_OF, discount_rate=0.08).set_index("project_id")
    d = d.assign(remaining_npv=d["project_id"].map(rest["remaining_npv"]))
    scored = scored.assign(remaining_npv=d["remaining_npv"].to_numpy())
    kw = {"as_of": AS_OF, "discount_rate": 0.08, "budget_cap": 1000.0} | kw
    return F.decision_robustness(d, scored, f, **kw).set_index("project_id")


def test_fund_decision_overrun_and_fragility_and_the_sentence():
    d, s = _decisions([("P1", "proposed", "fund", True, 100.0, 50.0)])
    r = _robust(d, s, THREE).loc["P1"]
    pvc = 100 / 1.08 ** (1 / 365)
    pvb = 60 / 1.08 ** (366 / 365) + 60 / 1.08 ** (731 / 365)
    assert r["cost_change_to_flip"] == pytest.approx((pvb - pvc) / pvc)  # 7.0% of the planned cost
    assert np.isnan(r["benefit_change_to_flip"])  # a positive NPV: no benefit rise to ask for
    assert r["p80_cost_uplift"] == P80_COST_UPLIFT and r["fragile"]  # 7.0% < 84%
    assert r["robustness"].startswith(
        "remaining NPV turns negative if the discount rate rises above 13.1%; "
        "turns negative if costs overrun by 7% (fragile: within the P80 overrun of 84%)"
    )
    # the forecast's own P80 per project replaces the default
    own = _robust(d, s, THREE, p80_cost_uplift=pd.Series({"P1": 0.03})).loc["P1"]
    assert own["p80_cost_uplift"] == 0.03 and not own["fragile"]
    assert "(beyond the P80 overrun of 3%)" in own["robustness"]
    with using(language="zh"):
        zh = _robust(d, s, THREE).loc["P1", "robustness"]
    assert zh.startswith("折现率升至 13.1% 以上时剩余净现值转为负；成本超支 7% 时转为负（脆弱：在 P80 超支 84% 以内）")


def test_stop_decision_cost_reduction_benefit_rise_and_rate():
    f = flows([("2029-07-01", 100, 0), ("2030-07-01", 0, 40), ("2031-07-01", 0, 40)], project="S")
    d, s = _decisions([("S", "active", "stop", False, 100.0, 20.0)])
    r = _robust(d, s, f).loc["S"]
    pvc = 100 / 1.08 ** (1 / 365)
    pvb = 40 / 1.08 ** (366 / 365) + 40 / 1.08 ** (731 / 365)
    assert r["cost_change_to_flip"] == pytest.approx((pvb - pvc) / pvc)  # negative: a reduction
    assert r["benefit_change_to_flip"] == pytest.approx((pvc - pvb) / pvb)
    x = (-40 + np.sqrt(40**2 + 4 * 40 * 100)) / 80
    assert r["break_even_rate"] == pytest.approx(1 / x - 1, abs=1e-10)  # -13.7%
    assert not r["fragile"] and np.isnan(r["budget_change_to_flip"])  # the rules stop it, not the budget
    assert r["robustness"] == (
        "Stop holds at any discount rate of 0% or more; "  # -13.7%: no plausible rate flips it
        "would turn positive if remaining costs fell by 29% or its benefits rose by 40%"
    )


def test_degenerate_projects_say_why_nothing_flips():
    only_costs = flows([("2029-07-01", 50, 0), ("2030-07-01", 50, 0)], project="C")
    only_benefit = flows([("2030-07-01", 0, 80)], project="B")
    d, s = _decisions(
        [
            ("C", "active", "stop", False, 100.0, 10.0),
            ("B", "active", "continue", True, 0.0, 60.0),
            ("N", "proposed", "data needed", False, 10.0, 40.0),  # no cash flows at all
            ("X", "completed", "closed", False, 0.0, 40.0),
        ]
    )
    r = _robust(d, s, pd.concat([only_costs, only_benefit]))
    assert r.loc["C", "robustness_na"] == "no_sign_change" and np.isnan(r.loc["C", "break_even_rate"])
    assert r.loc["C", "robustness"].startswith("no discount rate changes the sign of its remaining NPV; ")
    assert r.loc["B", "robustness"].startswith(
        "no discount rate changes the sign of its remaining NPV; no cost overrun turns it negative (no remaining cost)"
    )
    assert np.isnan(r.loc["B", "budget_change_to_flip"])  # no need: every budget funds it
    assert r.loc["N", "robustness_na"] == "no_cashflows"
    assert r.loc["N", "robustness"] == "robustness n/a (no cash flows)"
    assert r.loc["X", "robustness"] == "" and r.loc["X", "robustness_na"] == ""
    assert not r["fragile"].any()
    empty = F.decision_robustness(
        d.iloc[0:0], s.iloc[0:0], THREE.iloc[0:0], as_of=AS_OF, discount_rate=0.08, budget_cap=0.0
    )
    assert list(empty.columns) == ["project_id", *F.ROBUSTNESS_COLUMNS] and empty.empty


def test_weight_flip_against_the_crossing_worked_by_hand():
    # A = 0.9 w_a + 0.2 w_v + 0.5 w_r = 0.54, B = 0.3 w_a + 0.7 w_v + 0.5 w_r = 0.50: one fits, A first.
    # Lowering w_a: 0.9 t + 0.18 = 0.3 t + 0.38 at t = 1/3 (a change of 0.067); raising w_v: 0.5 t = 0.24,
    # t = 0.48 (0.08); w_risk moves both alike. So w_alignment at just under 1/3 flips both.
    comp = np.array([[0.9, 0.2, 0.5], [0.3, 0.7, 0.5]])
    w = weight_flips(comp, np.array([0.4, 0.4, 0.2]), np.array([1.0, 1.0]), np.array([True, False]), 1.0)
    assert w["weight"].tolist() == [0, 0] and w["weight_from"].tolist() == [0.4, 0.4]
    assert all(1 / 3 - 0.01 < t < 1 / 3 for t in w["weight_to"])  # within one step (0.01) of the crossing
    assert not w["at_margin"].any()


def _best(values, costs, cap):
    """The 0/1 optimum by trying every subset (all at once)."""
    masks = np.array(list(itertools.product((False, True), repeat=len(values))), dtype=bool)
    worth = np.where(masks @ costs <= cap * (1 + 1e-12), masks @ values, -np.inf)
    return masks[int(np.argmax(worth))]


_DISTINCT = st.lists(st.tuples(st.floats(1, 100), st.floats(1, 100)), min_size=1, max_size=7).filter(
    lambda items: len({round(v / c, 6) for v, c in items}) == len(items)  # no two ratios tie
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(_DISTINCT, st.floats(0.05, 0.95))
def test_at_the_budget_flip_the_exact_selection_has_flipped(items, share):
    """Checked against the 0/1 optimum found by trying every subset: at the cap plus the change,
    a deferred project is in the optimum and a funded one out of it."""
    values = np.array([v for v, _ in items])
    costs = np.array([c for _, c in items])
    masks = np.array(list(itertools.product((False, True), repeat=len(values))), dtype=bool)
    totals = np.sort(masks @ values)
    assume(np.all(np.diff(totals) > 1e-6 * totals[-1]))  # one optimum: no two selections worth the same
    cap = share * costs.sum()
    funded = _best(values, costs, cap)
    change = budget_flips(values, costs, funded, cap)
    for i, delta in enumerate(change):
        assert np.isfinite(delta) and (np.signbit(delta) == funded[i] or delta == 0)
        if funded[i] and -delta == pytest.approx(cap - costs[i]):  # out below its own need
            new_cap = costs[i] * (1 - 1e-9)
        else:
            new_cap = (cap + delta) * (1 + 1e-12)
        assert _best(values, costs, new_cap)[i] == (not funded[i])


_AMOUNT = st.floats(0, 1e6, allow_nan=False)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(_AMOUNT, _AMOUNT), min_size=1, max_size=24), st.floats(0.0, 0.3))
def test_npv_is_zero_at_the_break_even_rate_and_overrun(rows, rate):
    periods = pd.date_range("2029-07-01", periods=len(rows), freq="MS")
    f = flows([(p, c, b) for p, (c, b) in zip(periods, rows, strict=True)])
    r = remaining_values(f, as_of=AS_OF, discount_rate=rate).iloc[0]
    scale = f[["cost", "benefit"]].to_numpy().sum()
    if r["break_even_rates"] >= 1:
        assert abs(_remaining_npv(f, r["break_even_rate"])) <= 1e-6 * max(scale, 1.0)
    if r["pv_cost"] > 1e-6 * max(scale, 1.0):  # a cost of nothing cannot overrun
        x = r["remaining_npv"] / r["pv_cost"]
        over = flows([(p, c * (1 + x), b) for p, (c, b) in zip(periods, rows, strict=True)])
        assert abs(_remaining_npv(over, rate)) <= 1e-7 * max(scale * (1 + abs(x)), 1.0)


def test_the_model_puts_robustness_after_the_reason_and_the_forecast_last(sample):
    from pmo_analysis.inputs.params import validate_model_params
    from pmo_analysis.model import _finance

    tables, _ = _finance(sample, pd.Timestamp("2026-06-30"), validate_model_params({}))
    d = tables["decisions"]
    cols = list(d.columns)
    at = cols.index("rule") + 1  # after the decision's reason and rule, before the forecast's columns
    assert cols[at - 2 : at + len(F.ROBUSTNESS_COLUMNS)] == ["reason", "rule", *F.ROBUSTNESS_COLUMNS]
    assert cols[at + len(F.ROBUSTNESS_COLUMNS) :] == [
        "cost_p50",
        "cost_p80",
        "finish_p80",
        "miss_probability",
        "need_p80",
        "funded_p80",
    ]
    judged = d["decision"].isin(["stop", "reject", "re-scope", "re-plan", "fund", "continue", "defer"])
    assert (d.loc[judged, "robustness"] != "").all() and (
        d.loc[~judged & (d["decision"] == "closed"), "robustness"] == ""
    ).all()
    # the same figures as the remaining NPV: cost_change_to_flip has the sign of remaining_npv
    both = d.loc[judged & d["cost_change_to_flip"].notna()]
    assert (np.sign(both["cost_change_to_flip"]) == np.sign(both["remaining_npv"])).all()
    p = tables["projects"].set_index("project_id")
    assert p.loc["PRJ-020", "decision_robustness"] == d.set_index("project_id").loc["PRJ-020", "robustness"]
    # a project not started (every flow ahead) with one IRR: its break-even rate is that IRR
    ahead = p.loc[(p["start_date"] > pd.Timestamp("2026-06-30")) & (p["irr_roots"] == 1)].index
    r = d.set_index("project_id").loc[ahead]
    assert len(ahead) >= 3 and np.allclose(r["break_even_rate"].astype(float), p.loc[ahead, "irr"], atol=1e-9)


def test_the_p80_fallback_is_the_forecasts_published_default_class():
    from scipy.stats import norm

    from pmo_analysis.analyses import forecast as FC

    # Green Book bounds for IT: median +10%, 95th percentile +200% of a lognormal; its 80th percentile
    sigma = (np.log(3.0) - np.log(1.1)) / norm.ppf(0.95)
    by_hand = np.exp(np.log(1.1) + sigma * norm.ppf(0.8)) - 1
    assert P80_COST_UPLIFT == pytest.approx(by_hand, rel=1e-12) == pytest.approx(0.838, abs=5e-4)
    cls = pd.DataFrame(
        {"project_id": ["A"], "reference_class": ["default"], "reference_group": [""], "reference_projects": [0]}
    )
    prop = pd.DataFrame({"project_id": ["A"], "bac": [100.0], "npv": [0.0], "pv_cost": [100.0]})
    ref = pd.DataFrame(columns=["project_id", "department", "cost_ratio", "delay_ratio"])
    assert FC.optimism_uplift(prop, cls, ref).loc[0, "uplift_p80"] == pytest.approx(P80_COST_UPLIFT, rel=1e-12)


def test_a_break_even_rate_beyond_100_percent_is_worded_without_the_figure():
    # +: -100 now, +5000 a year later: the remaining NPV is 0 at 4,900% a year
    fund = flows([("2029-07-01", 100, 0), ("2030-07-01", 0, 5000)], project="F")
    # -: +100 now, -500 a year later: negative at 8%, 0 at 400% a year
    stop = flows([("2029-07-01", 0, 100), ("2030-07-01", 500, 0)], project="S")
    d, s = _decisions([("F", "proposed", "fund", True, 100.0, 50.0), ("S", "active", "stop", False, 0.0, 10.0)])
    r = _robust(d, s, pd.concat([fund, stop]))
    # the flows are 365 days apart: (1 + r) = 5000 / 100 and 500 / 100 exactly
    assert r.loc["F", "break_even_rate"] == pytest.approx(49.0, rel=1e-6)
    assert r.loc["S", "break_even_rate"] == pytest.approx(4.0, rel=1e-6)
    assert r.loc["F", "robustness"].startswith("remaining NPV stays positive at any discount rate up to 100% a year; ")
    assert r.loc["S", "robustness"].startswith("Stop holds at any discount rate up to 100% a year; ")
    with using(language="zh"):
        zh = _robust(d, s, pd.concat([fund, stop]))
    assert zh.loc["F", "robustness"].startswith("年折现率在 100% 以内时剩余净现值均为正")
    assert zh.loc["S", "robustness"].startswith("年折现率在 100% 以内时均维持“")


def test_a_break_even_rate_below_zero_is_worded_without_its_figure():
    """A stop whose remaining NPV would turn positive only below -50% a year reads 'holds at any
    discount rate of 0% or more' (in Chinese too), never 'unless the discount rate falls below -50.6%'."""
    from pmo_analysis.core import i18n, wording
    from pmo_analysis.core.wording import Reason

    assert wording.word(Reason("robust_holds_any_positive_rate", decision="stop")) == (
        "Stop holds at any discount rate of 0% or more"
    )
    with i18n.language("zh"):
        assert (
            wording.word(Reason("robust_holds_any_positive_rate", decision="stop")) == "折现率不低于 0% 时均维持“停止”"
        )
