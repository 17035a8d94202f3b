"""ROI, NPV/IRR, payback and earned value against hand-computed and independent values."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import brentq

from pmo_analysis.analyses import finance as roi
from pmo_analysis.analyses.finance.irr import _IRR_RANGE


def cf(rows, project="P1"):
    """Cash flows from (period, planned_cost, planned_benefit, actual_cost, actual_benefit)."""
    df = pd.DataFrame(rows, columns=["period", "planned_cost", "planned_benefit", "actual_cost", "actual_benefit"])
    df.insert(0, "project_id", project)
    df["period"] = pd.to_datetime(df["period"])
    return df.astype({c: float for c in df.columns[2:]})


NaN = np.nan
BASIC = cf(
    [
        ("2026-01-01", 1000, 0, 1100, 0),
        ("2026-02-01", 500, 0, NaN, NaN),
        ("2026-03-01", 0, 800, NaN, NaN),
        ("2026-04-01", 0, 900, NaN, NaN),
    ]
)


def test_forecast_uses_actuals_to_as_of_and_plan_after():
    f = roi.forecast_cashflows(BASIC, as_of="2026-02-28")
    assert f["cost"].tolist() == [1100, 500, 0, 0]  # Feb actual missing -> plan
    assert f["benefit"].tolist() == [0, 0, 800, 900]
    assert f["net"].tolist() == [-1100, -500, 800, 900]


def test_financials_by_hand():
    r = roi.project_financials(BASIC, as_of="2026-02-28", discount_rate=0.10).iloc[0]
    assert r["total_cost"] == 1600 and r["total_benefit"] == 1700 and r["net_benefit"] == 100
    assert r["roi"] == pytest.approx(100 / 1600)
    # XNPV by hand: days from 2026-01-01 are 0, 31, 59, 90
    npv = -1100 - 500 / 1.1 ** (31 / 365) + 800 / 1.1 ** (59 / 365) + 900 / 1.1 ** (90 / 365)
    assert r["npv"] == pytest.approx(npv, abs=0.005)
    pv_b = 800 / 1.1 ** (59 / 365) + 900 / 1.1 ** (90 / 365)
    pv_c = 1100 + 500 / 1.1 ** (31 / 365)
    assert r["bcr"] == pytest.approx(pv_b / pv_c)
    assert r["payback_months"] == 4  # cumulative -1100, -1600, -800, +100
    assert roi.xnpv(
        r["irr"], [-1100, -500, 800, 900], ["2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01"]
    ) == pytest.approx(0, abs=1e-6)


def test_spreadsheet_reference_values():
    # The worked example of the spreadsheet XNPV / XIRR documentation
    values = [-10000, 2750, 4250, 3250, 2750]
    dates = ["2008-01-01", "2008-03-01", "2008-10-30", "2009-02-15", "2009-04-01"]
    assert roi.xnpv(0.09, values, dates) == pytest.approx(2086.647602, abs=0.01)
    assert roi.xirr(values, dates) == pytest.approx(0.373362535, abs=1e-8)
    assert roi.xirr([-1000, 1100], ["2026-01-01", "2027-01-01"]) == pytest.approx(0.10, abs=1e-10)


def test_no_cost_gives_empty_ratios():
    r = roi.project_financials(cf([("2026-01-01", 0, 100, NaN, NaN)]), as_of="2025-12-31").iloc[0]
    assert r["total_cost"] == 0 and np.isnan(r["roi"]) and np.isnan(r["bcr"])
    assert np.isnan(r["irr"])  # flows never change sign
    assert pd.isna(r["payback_months"])  # nothing to pay back


def test_never_pays_back():
    r = roi.project_financials(
        cf([("2026-01-01", 100, 0, NaN, NaN), ("2026-02-01", 100, 50, NaN, NaN)]), as_of="2025-12-31"
    ).iloc[0]
    assert pd.isna(r["payback_months"]) and r["roi"] == pytest.approx(-150 / 200)
    assert r["npv"] < 0 and np.isnan(r["irr"])  # net flows -100, -50 never change sign


def test_all_costs_no_irr():
    r = roi.project_financials(
        cf([("2026-01-01", 100, 0, NaN, NaN), ("2026-02-01", 100, 0, NaN, NaN)]), as_of="2025-12-31"
    ).iloc[0]
    assert np.isnan(r["irr"]) and pd.isna(r["payback_months"])


def test_payback_in_first_month():
    r = roi.project_financials(
        cf([("2026-01-01", 100, 150, NaN, NaN), ("2026-02-01", 100, 0, NaN, NaN)]), as_of="2025-12-31"
    ).iloc[0]
    assert r["payback_months"] == 1


def test_payback_counts_calendar_months_across_gaps():
    r = roi.project_financials(
        cf([("2026-01-01", 100, 0, NaN, NaN), ("2026-06-01", 0, 150, NaN, NaN)]), as_of="2025-12-31"
    ).iloc[0]
    assert r["payback_months"] == 6


@pytest.mark.parametrize(("as_of", "cost"), [("2025-06-30", 1500), ("2030-01-01", 1600)])
def test_as_of_before_first_and_after_last_month(as_of, cost):
    r = roi.project_financials(BASIC, as_of=as_of, discount_rate=0.1).iloc[0]
    assert r["total_cost"] == cost  # before: all plan; after: every reported actual


def _independent_npv(rate, flows, dates):
    d0 = dates[0]
    return sum(v / (1 + rate) ** ((d - d0).days / 365) for v, d in zip(flows, dates, strict=False))


def test_npv_irr_agree_with_independent_computation_on_generated_projects(sample):
    fin = roi.project_financials(sample.cashflows, as_of="2026-06-30", discount_rate=0.08).set_index("project_id")
    f = roi.forecast_cashflows(sample.cashflows, as_of="2026-06-30")
    checked = 0
    for pid, g in itertools.islice(f.groupby("project_id"), 25):
        flows, dates = g["net"].tolist(), list(g["period"])
        if not (g["planned_benefit"].fillna(0) + g["actual_benefit"].fillna(0)).any():  # no benefit figures
            assert not fin.loc[pid, "has_benefits"] and np.isnan(fin.loc[pid, "npv"])
            continue
        assert fin.loc[pid, "npv"] == pytest.approx(_independent_npv(0.08, flows, dates), abs=0.01)
        if fin.loc[pid, "irr"] == fin.loc[pid, "irr"]:  # not NaN
            ref = brentq(_independent_npv, -0.9, 100, args=(flows, dates))
            assert fin.loc[pid, "irr"] == pytest.approx(ref, abs=1e-6)
            checked += 1
    assert checked >= 20


PROJ = pd.DataFrame(
    {
        "project_id": ["A", "B", "C"],
        "budget": [1000.0, 2000.0, 0.0],
        "percent_complete": [50.0, np.nan, 0.0],
        "status": ["active"] * 3,
    }
)


def test_earned_value_by_hand():
    flows = pd.concat(
        [
            cf([("2026-01-01", 300, 0, 400, 0), ("2026-02-01", 300, 0, 200, 0), ("2026-03-01", 400, 0, NaN, 0)], "A"),
            cf([("2026-01-01", 500, 0, 600, 0)], "B"),
        ]
    )
    ev = roi.earned_value(PROJ, flows, as_of="2026-02-28").set_index("project_id")
    a = ev.loc["A"]
    assert (a["bac"], a["pv"], a["ac"], a["ev"]) == (1000, 600, 600, 500)
    assert a["cv"] == -100 and a["sv"] == -100
    assert a["cpi"] == pytest.approx(500 / 600) and a["spi"] == pytest.approx(500 / 600)
    assert a["eac"] == pytest.approx(1000 / (500 / 600)) and a["vac"] == pytest.approx(1000 - 1200)
    assert a["tcpi"] == pytest.approx((1000 - 500) / (1000 - 600))
    b = ev.loc["B"]
    assert np.isnan(b["ev"]) and np.isnan(b["cpi"])  # no percent complete -> no EV
    c = ev.loc["C"]  # no cash flows, zero budget: every ratio with a 0 denominator is empty
    assert c["pv"] == 0 and c["ac"] == 0 and np.isnan(c["cpi"]) and np.isnan(c["spi"]) and np.isnan(c["tcpi"])


def test_portfolio_ratios_from_sums_not_averages():
    df = pd.DataFrame(
        {
            "total_cost": [100.0, 900.0],
            "total_benefit": [300.0, 900.0],
            "net_benefit": [200.0, 0.0],
            "npv": [10.0, -5.0],
            "bac": [1, 1],
            "pv": [100.0, 100.0],
            "ac": [50.0, 200.0],
            "ev": [100.0, 100.0],
            "dept": ["x", "x"],
        }
    )
    t = roi.portfolio_totals(df).iloc[0]
    assert t["roi"] == pytest.approx(200 / 1000)  # the average of ratios would be 1.0
    assert t["cpi"] == pytest.approx(200 / 250) and t["npv"] == 5
    g = roi.portfolio_totals(df, by="dept").iloc[0]
    assert g["roi"] == pytest.approx(0.2) and g["projects"] == 2


def test_selection_matches_brute_force():
    rng = np.random.default_rng(3)
    n = 12
    df = pd.DataFrame(
        {
            "project_id": [f"P{i}" for i in range(n)],
            "name": "x",
            "status": rng.choice(["proposed", "active", "completed"], n),
            "bac": rng.integers(1, 20, n) * 1000.0,
            "ac": rng.integers(0, 5, n) * 1000.0,
            "score": rng.uniform(-10, 100, n),
            "npv": rng.normal(0, 1, n),
        }
    )
    cap = 40_000
    sel = roi.select_portfolio(df, budget_cap=cap)
    cand = df.loc[df["status"].isin(["proposed", "active"])].reset_index(drop=True)
    need = roi.funding_need(cand).to_numpy()
    best = max(
        sum(cand["score"].clip(lower=0)[list(c)])
        for k in range(len(cand) + 1)
        for c in itertools.combinations(range(len(cand)), k)
        if need[list(c)].sum() <= cap
    )
    assert sel.loc[sel["selected"], "score"].sum() == pytest.approx(best)
    assert sel.loc[sel["selected"], "funding_need"].sum() <= cap
    assert (sel.loc[sel["selected"], "score"] > 0).all()


def test_priority_score_weights():
    df = pd.DataFrame({"strategic_alignment": [5, 1], "risk_score": [1, 5], "npv": [10.0, -1.0]})
    s = roi.priority_scores(df, w_alignment=1, w_value=0, w_risk=0)
    assert s["score"].tolist() == [100, 0]
    s = roi.priority_scores(df, w_alignment=0, w_value=0, w_risk=1)
    assert s["score"].tolist() == [100, 0]
    with pytest.raises(ValueError, match="weights"):
        roi.priority_scores(df, w_alignment=0, w_value=0, w_risk=0)


def test_recommendations_reasons():
    df = pd.DataFrame(
        {
            "project_id": ["A", "B", "C", "D"],
            "name": "n",
            "department": "d",
            "status": ["active", "active", "active", "completed"],
            "npv": [-10.0, 5.0, 5.0, -10.0],
            "remaining_npv": [-10.0, 5.0, 5.0, -10.0],
            "strategic_alignment": [1, 4, 4, 1],
            "cpi": [1.0, 0.7, 1.0, 1.0],
            "spi": [1.0, 1.0, 0.8, 1.0],
            "eac": [1, 140, 1, 1],
            "bac": [1, 100, 1, 1],
            "payback_months": [pd.NA, 10, 10, pd.NA],
            "total_cost": [1, 1, 1, 1],
        }
    )
    r = roi.recommendations(df).set_index("project_id")
    assert r.loc["A", "recommendation"] == "stop"
    assert r.loc["A", "reason"].startswith("negative remaining NPV (-10); low strategic alignment (1/5)")
    assert (
        r.loc["B", "recommendation"] == "re-scope"
        and "CPI 0.70 below 0.85 (forecast overrun 40)" in r.loc["B", "reason"]
    )
    assert r.loc["C", "recommendation"] == "re-plan" and r.loc["C", "reason"] == "SPI 0.80 below 0.85"
    assert "D" not in r.index  # completed projects are not candidates


def _decidable(**cols) -> pd.DataFrame:
    """Six projects as decide() takes them (a scored roi_by_project frame), columns overridable."""
    base = {
        "project_id": [f"P{i}" for i in range(6)],
        "name": "n",
        "department": "d",
        "status": ["proposed", "active", "on_hold", "active", "proposed", "completed"],
        "npv": [-10.0, -10.0, -10.0, 5.0, 5.0, 1.0],
        "remaining_npv": [-10.0, -10.0, -10.0, 5.0, 5.0, 0.0],
        "strategic_alignment": [1, 1, 1, 4, 4, 3],
        "cpi": [np.nan, 1.0, 1.0, 1.0, np.nan, 1.0],
        "spi": [np.nan, 1.0, 1.0, 1.0, np.nan, 1.0],
        "eac": [np.nan, 3.0, 3.0, 3.0, np.nan, 3.0],
        "bac": [2.0, 3.0, 3.0, 3.0, 2.0, 3.0],
        "ac": [0.0, 1.0, 1.0, 1.0, 0.0, 3.0],
        "payback_months": [np.nan, np.nan, np.nan, 10, 10, 10],
        "total_cost": [2.0, 3.0, 3.0, 3.0, 2.0, 3.0],
        "risk_score": 2.0,
    } | cols
    df = pd.DataFrame(base)
    df["funding_need"] = roi.funding_need(df)
    return roi.priority_scores(df, value="remaining_npv")


def test_stop_reason_fits_the_project_state():
    """A running project (active or on hold) that is stopped is "not funded further"; only a
    proposal is "not funded" (rejected); never "never funded" for money already spent."""
    d, _cap = roi.decide(_decidable(), budget_cap=100.0)
    d = d.set_index("project_id")
    assert d.loc[["P0", "P1", "P2"], "decision"].tolist() == ["reject", "stop", "stop"]
    assert d.loc["P0", "reason"].endswith("not funded (rejecting frees a need of 2)")
    for pid in ("P1", "P2"):
        assert d.loc[pid, "reason"].endswith("not funded further (stopping frees a need of 2)"), d.loc[pid, "reason"]
    assert not d["reason"].str.contains("never funded").any()
    from pmo_analysis.core.formatting import using

    with using(language="zh", currency="CNY"):
        z = roi.decide(_decidable(), budget_cap=100.0)[0].set_index("project_id")
    assert z.loc["P1", "reason"].endswith("不再追加资助（停止可释放资金需求 ¥2）")
    assert z.loc["P0", "reason"].endswith("不予资助（拒绝可释放资金需求 ¥2）")


def test_missing_value_is_data_needed_not_rescoped_nor_ranked():
    """No benefits (NPV n/a, as the finance figures are where benefits are absent): the project is
    "data needed", says it needs benefits, is not told it never pays back, competes for no budget
    and does not count in the default cap's total need."""
    df = _decidable(
        npv=[np.nan, np.nan, -10.0, 5.0, 5.0, 1.0],
        remaining_npv=[np.nan, np.nan, -10.0, 5.0, 5.0, 0.0],
        payback_months=[np.nan, np.nan, np.nan, 10, 10, 10],
    )
    recs = roi.recommendations(df).set_index("project_id")
    assert recs.loc[["P0", "P1"], "recommendation"].tolist() == ["", ""]
    assert not recs.loc[["P0", "P1"], "reason"].str.contains("never pays back").any()
    d, cap = roi.decide(df)
    d = d.set_index("project_id")
    assert d.loc[["P0", "P1"], "decision"].tolist() == ["data needed", "data needed"]
    assert not d.loc[["P0", "P1"], "funded"].any()
    assert (
        d.loc["P1", "reason"]
        == "needs benefits (for ROI, NPV and payback); not ranked for funding until the data is there"
    )
    # the default cap is 70% of the need of P3 (2) and P4 (2) only: P2 is stopped, P0 and P1 wait for data
    assert cap == pytest.approx(0.7 * 4.0)
    a = roi.decision_assumptions(d.reset_index(), cap=cap, budget_cap=None, discount_rate=0.08, horizon_months=6)
    assert a.loc[0, "total_need"] == pytest.approx(4.0) and a.loc[0, "budget_cap_source"] == "default"
    # a running project with known value and no CPI is still decided on its value
    assert d.loc["P3", "decision"] in ("continue", "defer")


def test_sample_has_planted_findings(sample):
    r = roi.roi_by_project(sample.projects, sample.cashflows, as_of="2026-06-30")
    assert len(r) == 40
    assert (r["npv"] < 0).sum() >= 5 and (r["npv"] > 0).sum() >= 20
    running = r.loc[r["status"] == "active"]
    assert (running["cpi"] < 0.85).sum() >= 3 and (running["spi"] < 0.85).sum() >= 1
    assert r["payback_months"].isna().sum() >= 5


# --------------------------------------------------------------------------- laws (hypothesis)

_AMOUNTS = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_AMOUNTS, min_size=2, max_size=30))
def test_xnpv_is_zero_at_every_irr_root(flows):
    dates = pd.date_range("2025-01-01", periods=len(flows), freq="MS")
    scale = np.abs(flows).sum()
    for r in roi.irr_roots(flows, dates):
        assert abs(roi.xnpv(r, flows, dates)) <= 1e-7 * max(scale, 1.0)  # NPV is 0 at a root


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from("ab"), st.floats(1, 1e6), st.floats(0, 1e6), st.floats(0, 1e6), st.floats(1, 1e6)),
        min_size=1,
        max_size=12,
    )
)
def test_group_ratios_are_ratios_of_sums(rows):
    df = pd.DataFrame(rows, columns=["dept", "total_cost", "total_benefit", "ev", "ac"])
    df["net_benefit"] = df["total_benefit"] - df["total_cost"]
    df["npv"], df["bac"], df["pv"] = 0.0, 1.0, df["ac"]
    g = roi.portfolio_totals(df, by="dept").set_index("dept")
    for dept, part in df.groupby("dept"):
        assert g.loc[dept, "roi"] == pytest.approx(part["net_benefit"].sum() / part["total_cost"].sum())
        assert g.loc[dept, "cpi"] == pytest.approx(part["ev"].sum() / part["ac"].sum())


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 100), st.floats(0, 1_000)), min_size=0, max_size=11), st.floats(0, 1.2))
def test_greedy_knapsack_is_feasible_and_its_gap_bounds_the_optimum(items, share):
    """The frontier's greedy never spends over the budget, never beats the true optimum (found
    here by trying every subset), and its gap is proven: the optimum is within it.
    """
    from pmo_analysis.analyses.finance.selection import _greedy_knapsack

    values = np.array([v for v, _c in items], dtype=float)
    costs = np.array([c for _v, c in items], dtype=float)
    cap = share * costs.sum()
    pick, gap = _greedy_knapsack(values, costs, cap)
    assert costs[pick].sum() <= cap + 1e-9 and 0 <= gap <= 1
    subsets = (np.array(m, dtype=bool) for m in itertools.product((False, True), repeat=len(items)))
    best = max(values[m].sum() for m in subsets if costs[m].sum() <= cap)
    got = values[pick].sum()
    assert got <= best + 1e-9
    if gap < 1:  # the bound the gap is measured against: value / (1 - gap) >= optimum
        assert best <= got / (1 - gap) + 1e-6


@settings(max_examples=60, deadline=None)
@given(
    items=st.lists(
        st.tuples(st.one_of(st.just(0.0), st.floats(0.01, 100)), st.one_of(st.just(0.0), st.floats(0.01, 50))),
        min_size=1,
        max_size=14,
    ),
    share=st.floats(0.05, 1.2, allow_nan=False),
)
def test_knapsack_with_fixed_items_finds_the_optimum(items, share):
    """Reduced-cost fixing never changes the optimum: the value found equals the best of every
    subset (to the solver's 1e-6), within the budget."""
    from itertools import product

    from pmo_analysis.analyses.finance import selection

    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setattr(selection, "_FIX_ABOVE", 0)  # the fixing path, whatever the size
    values = np.array([v for v, _ in items])
    costs = np.array([c for _, c in items])
    cap = share * costs.sum()
    pick, _ = selection._knapsack(values, costs, cap)
    monkeypatch.undo()
    assert costs[pick].sum() <= cap + 1e-9
    best = max(
        values[np.array(m, dtype=bool)].sum()
        for m in product((0, 1), repeat=len(items))
        if costs[np.array(m, dtype=bool)].sum() <= cap + 1e-9
    )
    assert values[pick].sum() >= best * (1 - 1e-6) - 1e-9


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.floats(1, 1e6), st.integers(1, 30), st.floats(0.05, 5.0)), min_size=1, max_size=8))
def test_portfolio_irr_is_the_root_brent_finds_project_by_project(projects):
    """Every project of a portfolio solved at once (Newton kept in its bracket, projects leaving as
    they converge) has the IRR that Brent's method finds alone for its flows: spend first, then
    returns, so exactly one root."""
    rows = []
    for k, (spend, months, multiple) in enumerate(projects):
        flows = [-spend] + [spend * multiple / months] * months
        for i, v in enumerate(flows):
            rows.append(
                {
                    "project_id": f"P{k}",
                    "period": pd.Timestamp("2025-01-01") + pd.DateOffset(months=i),
                    "planned_cost": max(-v, 0.0),
                    "planned_benefit": max(v, 0.0),
                }
            )
    cf = pd.DataFrame(rows)
    fin = roi.project_financials(cf, as_of="2024-12-31").set_index("project_id")
    for pid, g in cf.groupby("project_id"):
        flows, dates = (g["planned_benefit"] - g["planned_cost"]).tolist(), list(g["period"])
        t = [(d - dates[0]).days / 365 for d in dates]  # XIRR: days / 365

        def npv(r, flows=flows, t=t):
            return sum(v / (1 + r) ** s for v, s in zip(flows, t, strict=True))

        lo, hi = _IRR_RANGE  # the rates the workbook looks within: outside them there is no IRR
        if np.sign(npv(lo)) == np.sign(npv(hi)):
            assert np.isnan(fin.loc[pid, "irr"]), pid
        else:
            ref = brentq(npv, lo, hi, xtol=1e-14)
            assert fin.loc[pid, "irr"] == pytest.approx(ref, rel=1e-9, abs=1e-12), pid


def test_a_reordered_or_edited_forecast_is_never_taken_for_the_model_s(sample):
    """Only the model hands its forecast over (``forecast=``): cash flows shuffled or changed by an
    analyst are forecast again, so their figures are theirs."""
    cf = sample.cashflows
    base = roi.project_financials(cf, as_of="2026-06-30").set_index("project_id")
    f = roi.forecast_cashflows(cf, as_of="2026-06-30")
    shuffled = roi.project_financials(f.sample(frac=1, random_state=1), as_of="2026-06-30").set_index("project_id")
    pd.testing.assert_frame_equal(shuffled, base)
    more = f.assign(planned_cost=f["planned_cost"] * 1.5, actual_cost=f["actual_cost"] * 1.5)
    costlier = roi.project_financials(more, as_of="2026-06-30").set_index("project_id")
    assert costlier["total_cost"].sum() == pytest.approx(1.5 * base["total_cost"].sum())
    given = roi.project_financials(cf, as_of="2026-06-30", forecast=f).set_index("project_id")
    pd.testing.assert_frame_equal(given, base)


# --------------------------------------------------------------------------- missing is not zero, NPV dates
def test_lifetime_and_remaining_npv_against_spreadsheet_xnpv():
    """Yearly flows at 10%: lifetime NPV at the first month is the spreadsheet's XNPV
    (-1000 + 600 / 1.1 + 600 / 1.1 ** 2 = 41.3223); remaining NPV discounts only the flows after
    the last complete month to as_of, by hand."""
    flows = cf([("2026-01-01", 1000, 0, 1000, 0), ("2027-01-01", 0, 600, NaN, NaN), ("2028-01-01", 0, 600, NaN, NaN)])
    r = roi.project_financials(flows, as_of="2026-06-30", discount_rate=0.10).iloc[0]
    assert r["npv"] == pytest.approx(-1000 + 600 / 1.1 + 600 / 1.1**2, abs=1e-9)
    assert r["npv"] == pytest.approx(41.32231405, abs=1e-8)
    assert r["remaining_npv"] == pytest.approx(600 / 1.1 ** (185 / 365) + 600 / 1.1 ** (550 / 365), abs=1e-9)
    assert r["has_benefits"] and r["roi"] == pytest.approx(0.2)


def test_zero_benefits_in_every_month_are_unknown_not_a_total_loss():
    """Benefits zero (or actual empty) in every month: no ROI/NPV/BCR/payback, listed in
    data_needed; a project with one non-zero benefit month keeps its zeros as zeros."""
    none = cf([("2025-03-01", 400, 0, 380, NaN), ("2025-04-01", 400, 0, NaN, NaN)], project="N")
    some = cf([("2025-03-01", 400, 0, 380, 0), ("2025-04-01", 400, 0, NaN, NaN), ("2025-05-01", 0, 100, NaN, NaN)])
    fin = roi.project_financials(pd.concat([none, some]), as_of="2025-03-31").set_index("project_id")
    for col in ("total_benefit", "net_benefit", "roi", "npv", "remaining_npv", "bcr", "irr", "payback_months"):
        assert pd.isna(fin.loc["N", col]), col
    assert fin.loc["N", "total_cost"] == 780 and fin.loc["N", "pv_cost"] > 0 and not fin.loc["N", "has_benefits"]
    assert fin.loc["P1", "roi"] == pytest.approx((100 - 780) / 780) and fin.loc["P1", "has_benefits"]


def test_missing_percent_complete_and_actuals_are_listed_and_leave_figures_empty():
    projects = pd.DataFrame(
        {
            "project_id": ["A", "B", "C", "D"],
            "name": "x",
            "department": "d",
            "budget": [1000.0] * 4,
            "percent_complete": [40.0, np.nan, 40.0, np.nan],
            "status": ["active", "active", "on_hold", "proposed"],
        }
    )
    flows = pd.concat(
        [
            cf([("2026-01-01", 300, 500, 350, NaN)], project="A"),
            cf([("2026-01-01", 300, 500, 350, NaN)], project="B"),
            cf([("2026-01-01", 300, 500, NaN, NaN)], project="C"),  # no actual reported
            cf([("2027-01-01", 300, 500, NaN, NaN)], project="D"),  # not started: AC 0 is true
        ]
    )
    r = roi.roi_by_project(projects, flows, as_of="2026-03-31").set_index("project_id")
    assert r["data_needed"].to_dict() == {"A": "", "B": "no_percent_complete", "C": "no_actuals", "D": ""}
    assert r.loc["A", "cpi"] == pytest.approx(400 / 350)
    assert r[["ev", "cpi", "spi", "eac"]].loc["B"].isna().all()
    assert r[["ac", "cv", "cpi", "eac", "vac", "tcpi"]].loc["C"].isna().all() and r.loc["C", "spi"] == pytest.approx(
        400 / 300
    )
    assert r.loc["D", "ac"] == 0 and r.loc["C", "funding_need"] == 700  # BAC - PV where AC is unknown
    t = roi.portfolio_totals(r.reset_index()).iloc[0]
    assert t["evm_projects"] == 1 and t["cpi"] == pytest.approx(400 / 350)  # A alone has both EV and AC


_flow = st.tuples(st.integers(0, 47), st.floats(0, 1e6), st.floats(0, 1e6))


@settings(max_examples=40, deadline=None)
@given(flows=st.lists(_flow, min_size=1, max_size=12), rate=st.floats(0.0, 0.3))
def test_flows_all_after_as_of_remaining_npv_is_the_npv_moved_to_as_of(flows, rate):
    """When every flow lies after as_of, remaining NPV is the whole NPV, discounted to as_of
    instead of to the first month: remaining = npv / (1 + r) ** ((d_0 - as_of).days / 365)."""
    months = pd.date_range("2027-01-01", periods=48, freq="MS")
    rows = {}
    for m, cost, benefit in flows:
        rows[m] = (months[m], cost, benefit + 1.0, NaN, NaN)  # every project has benefit figures
    r = roi.project_financials(cf(list(rows.values())), as_of="2026-06-30", discount_rate=rate).iloc[0]
    d0 = min(months[m] for m in rows)
    moved = r["npv"] / (1 + rate) ** ((d0 - pd.Timestamp("2026-06-30")).days / 365)
    assert r["remaining_npv"] == pytest.approx(moved, rel=1e-9, abs=1e-6)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cost=st.floats(1, 1e7), months=st.integers(1, 30), start=st.integers(0, 200))
def test_adding_a_project_without_benefits_never_changes_portfolio_roi_or_npv(sample, cost, months, start):
    base = roi.roi_by_project(sample.projects, sample.cashflows, as_of="2026-06-30")
    periods = pd.date_range("2000-01-01", periods=240, freq="MS")[start : start + months]
    extra = pd.DataFrame(
        {
            "project_id": "NEW",
            "period": periods,
            "planned_cost": cost,
            "planned_benefit": 0.0,
            "actual_cost": cost,
            "actual_benefit": np.nan,
        }
    )
    projects = pd.concat(
        [
            sample.projects,
            pd.DataFrame(
                {
                    "project_id": ["NEW"],
                    "name": ["n"],
                    "department": ["d"],
                    "status": ["active"],
                    "budget": [cost * months],
                }
            ),
        ],
        ignore_index=True,
    )
    more = roi.roi_by_project(projects, pd.concat([sample.cashflows, extra]), as_of="2026-06-30")
    a, b = roi.portfolio_totals(base).iloc[0], roi.portfolio_totals(more).iloc[0]
    assert b["roi"] == a["roi"] and b["npv"] == a["npv"] and b["remaining_npv"] == a["remaining_npv"]
    assert b["projects"] == a["projects"] + 1 and b["value_projects"] == a["value_projects"]
    assert b["total_cost"] == pytest.approx(a["total_cost"] + cost * months)


def test_projects_waiting_for_benefits_are_one_decision_to_ask_for():
    """The executive summary asks leadership once for the benefits of the "data needed" projects,
    naming them, and asks no stop, re-scope or funding of them (held-out: 12 waiting projects,
    two of them proposals)."""
    from pmo_analysis.analyses import summary
    from pmo_analysis.core.formatting import using

    n = 12
    df = _decidable(
        project_id=[f"Q{i:02d}" for i in range(n)],
        status=["proposed", "proposed"] + ["active"] * (n - 2),
        npv=np.nan,
        remaining_npv=np.nan,
        strategic_alignment=1,
        cpi=0.5,
        spi=0.5,
        eac=3.0,
        bac=2.0,
        ac=1.0,
        payback_months=np.nan,
        total_cost=2.0,
    )
    d, cap = roi.decide(df)

    class Model:
        decisions = d

        def has(self, *names):
            return False

    asks = summary.decisions_needed(Model())
    # the CPI and SPI rules still fire on what is known (re-scope, re-plan are conditions of
    # funding), but no project is funded, stopped or deferred on an unknown value
    assert d["decision"].value_counts().to_dict() == {"data needed": n} and cap == 0
    assert asks["decision"].tolist() == [f"Collect the benefits of {n} project(s) before deciding their funding"]
    assert asks.loc[0, "why"].startswith("Q00 n, Q01 n") and asks.loc[0, "why"].endswith(" and 2 more")
    with using(language="zh"):
        zh = summary.decisions_needed(Model())
    assert zh["decision"].tolist() == [f"先补充 {n} 个项目的收益数据，再决定其资助"]


def test_choosing_the_portfolio_prints_nothing(sample, capfd):
    """HiGHS prints a debug line from C++ on some of the sample's frontier budgets; building the
    finance part must leave the console (and a notebook's output) clean."""
    from pmo_analysis.model import build_model

    build_model(sample, as_of="2026-06-30")
    out = capfd.readouterr()
    assert "Highs" not in out.out and "Highs" not in out.err
