"""The forecast part: Earned Schedule against a hand-computed worked example, the IEACs, the
reference classes, the Monte Carlo's laws (zero variance, known quantiles, seeds) and the
degenerate portfolios."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from pmo_analysis.analyses import forecast as F
from pmo_analysis.analyses.finance import forecast_cashflows, roi_by_project

# Lipke's illustration of ES (Lipke 2003; PMI Practice Standard for EVM, 2nd ed., appendix D):
# a plan from January, the EV reported at the end of July (AT = 7) falls inside June's planned
# value, so ES = 5 + (EV - PV_May) / (PV_Jun - PV_May). Figures below computed by hand.
MONTHLY = [10.0, 20.0, 30.0, 40.0, 50.0, 50.0, 40.0, 30.0, 20.0, 10.0]  # cumulative 10 ... 300
PLAN = pd.DataFrame(
    {"project_id": "A", "period": pd.date_range("2026-01-01", periods=10, freq="MS"), "planned_cost": MONTHLY}
)


def test_earned_schedule_matches_the_worked_example():
    # EV 170 at the end of July: PV_May = 150, PV_Jun = 200 -> ES = 5 + 20 / 50 = 5.4
    es = F.earned_schedule(PLAN, pd.DataFrame({"project_id": ["A"], "earned": [170 / 300], "at": [7.0]})).iloc[0]
    assert es["planned_months"] == 10
    assert es["es"] == pytest.approx(5.4)
    assert es["spi_t"] == pytest.approx(5.4 / 7)  # 0.7714
    assert es["sv_t"] == pytest.approx(-1.6)
    assert es["tspi"] == pytest.approx(4.6 / 3)  # (PD - ES) / (PD - AT) = 1.5333
    assert es["ieac_t"] == pytest.approx(10 / (5.4 / 7))  # 12.96 months


def test_a_project_that_finished_late_has_spi_one_but_spi_t_below_one():
    # the same plan, all work done at the end of month 13: SPI = 300 / 300 = 1, SPI(t) = 10 / 13
    es = F.earned_schedule(PLAN, pd.DataFrame({"project_id": ["A"], "earned": [1.0], "at": [13.0]})).iloc[0]
    assert es["es"] == pytest.approx(10.0)
    assert es["spi_t"] == pytest.approx(10 / 13)
    assert es["sv_t"] == pytest.approx(-3.0)
    assert es["ieac_t"] == pytest.approx(13.0)  # the actual duration
    assert np.isnan(es["tspi"])  # past the planned end: no time left in the plan


def test_earned_schedule_by_month_and_unknown_projects():
    obs = pd.DataFrame({"project_id": ["A", "A", "A", "Z"], "earned": [0.0, 60 / 300, 1.0, 0.5], "at": [1.0, 3, 10, 4]})
    es = F.earned_schedule(PLAN, obs)
    assert es["es"].tolist()[:3] == pytest.approx([0.0, 3.0, 10.0])
    assert es["spi_t"].tolist()[:3] == pytest.approx([0.0, 1.0, 1.0])
    assert es.iloc[3][["es", "spi_t", "ieac_t"]].isna().all()  # no plan: n/a, never 0


def test_the_four_ieacs():
    # BAC 100, EV 40, AC 50, PV 50: CPI 0.8, SPI 0.8
    got = F.ieac([100.0], [40.0], [50.0], [50.0]).iloc[0]
    assert got["ac_plus_remaining"] == pytest.approx(110.0)
    assert got["bac_over_cpi"] == pytest.approx(125.0)
    assert got["cpi_times_spi"] == pytest.approx(50 + 60 / 0.64)
    assert got["composite_80_20"] == pytest.approx(50 + 60 / 0.8)


def _portfolio(statuses, *, overrun=1.0, late=0, n_months=10, start="2025-01-01"):
    """Projects with the plan above; completed ones spent ``overrun`` times it over ``late`` more months."""
    rows, flows = [], []
    for i, status in enumerate(statuses):
        pid = f"P{i}"
        first = pd.Timestamp(start) + pd.DateOffset(months=i)
        months = pd.date_range(first, periods=n_months, freq="MS")
        rows.append(
            {
                "project_id": pid,
                "name": pid,
                "department": "D",
                "status": status,
                "start_date": first,
                "end_date": months[-1] + pd.offsets.MonthEnd(0),
                "budget": 300.0,
                "percent_complete": {"completed": 100.0, "active": 50.0}.get(status, 0.0),
            }
        )
        actual_months = n_months + (late if status == "completed" else 0)
        for k, m in enumerate(pd.date_range(first, periods=actual_months, freq="MS")):
            plan = MONTHLY[k] if k < n_months else 0.0
            flows.append(
                {
                    "project_id": pid,
                    "period": m,
                    "planned_cost": plan,
                    "planned_benefit": 100.0 if k >= n_months - 2 else 0.0,
                    "actual_cost": (300.0 * overrun / actual_months) if status in ("completed", "active") else np.nan,
                    "actual_benefit": np.nan,
                }
            )
    return pd.DataFrame(rows), pd.DataFrame(flows)


def _forecast(statuses, as_of="2025-12-31", **kw):
    projects, cf = _portfolio(statuses, **{k: kw.pop(k) for k in ("overrun", "late") if k in kw})
    cf.loc[cf["period"] > pd.Timestamp(as_of), "actual_cost"] = np.nan
    flows = forecast_cashflows(cf, as_of=as_of)
    roi = roi_by_project(projects, cf, as_of=as_of, forecast=flows)
    return F.forecast_portfolio(roi, flows, as_of=as_of, draws=kw.pop("draws", 400), **kw)


def test_no_completed_projects_falls_back_to_the_stated_defaults():
    fc = _forecast(["active", "active", "proposed"])
    assert (fc.meta["eac_formula"], fc.meta["eac_basis"], fc.meta["reference_projects"]) == (
        "bac_over_cpi",
        "fallback",
        0,
    )
    running = fc.projects.loc[fc.projects["project_id"].isin(["P0", "P1"])]
    assert (running["reference_class"] == "default").all()
    assert running[["cost_p50", "cost_p80", "finish_p80", "remaining_npv_p80"]].notna().all().all()
    assert (running["cost_p80"] > running["cost_p50"]).all()  # the default class has spread
    proposed = fc.projects.set_index("project_id").loc["P2"]
    d = F.DEFAULT_CLASS["cost"]
    assert proposed["uplift_p50"] == pytest.approx(0.10)  # the Green Book lower bound, its median
    assert proposed["uplift_p80"] == pytest.approx(np.exp(d["mu"] + d["sigma"] * norm.ppf(0.8)) - 1)


def test_one_project_and_all_cancelled_give_no_nan_where_a_figure_is_due():
    one = _forecast(["active"])
    assert one.projects[["cost_p80", "finish_p80", "eac_point"]].notna().all().all()
    assert one.cash_need["quarter"].iloc[-1] == "total" and one.cash_need["p80"].notna().all()
    cancelled = _forecast(["cancelled", "cancelled"])
    assert cancelled.meta["simulated_projects"] == 0
    assert cancelled.projects["cost_p80"].isna().all()  # nothing running: nothing to forecast
    assert (cancelled.cash_need["p80"] == 0).all()


def test_completed_projects_on_budget_give_a_range_of_zero_width():
    # five projects exactly on budget and on time: zero variance, so the Monte Carlo is the point forecast
    fc = _forecast(["completed"] * 5 + ["active"], as_of="2026-03-31")
    assert (fc.meta["eac_basis"], fc.meta["reference_projects"]) == ("backtest", 5)
    r = fc.projects.set_index("project_id").loc["P5"]
    assert r["reference_class"] == "department"
    assert r["cost_p10"] == pytest.approx(r["eac_point"]) and r["cost_p90"] == pytest.approx(r["eac_point"])
    assert r["finish_p10"] == r["finish_p90"] == r["finish_ieac_t"]


def test_the_finish_range_is_centred_on_milestones_that_end_later_than_the_earned_schedule():
    # zero variance (five projects done on budget and on time): the range is its centre. P5's
    # milestones end five months after its Earned Schedule finish, past its plan: the range sits on
    # the milestones' month and the plan is missed in every draw; a milestone end before the ES
    # finish leaves the range where it was
    base = _forecast(["completed"] * 5 + ["active"], as_of="2026-03-31").projects.set_index("project_id").loc["P5"]
    es = pd.Timestamp(base["finish_ieac_t"])
    later = pd.Series({"P5": es + pd.DateOffset(months=5) - pd.Timedelta(days=10)})
    moved = _forecast(["completed"] * 5 + ["active"], as_of="2026-03-31", milestone_end=later)
    r = moved.projects.set_index("project_id").loc["P5"]
    expected = (es + pd.DateOffset(months=5)) + pd.offsets.MonthEnd(0)
    assert r["finish_p10"] == r["finish_p50"] == r["finish_p90"] == expected
    assert r["finish_ieac_t"] == es and pd.Timestamp(r["finish_p50"]) > pd.Timestamp(r["planned_finish"])
    assert r["miss_probability"] == 1.0
    earlier = _forecast(
        ["completed"] * 5 + ["active"],
        as_of="2026-03-31",
        milestone_end=pd.Series({"P5": es - pd.DateOffset(months=2)}),
    )
    e = earlier.projects.set_index("project_id").loc["P5"]
    assert e["finish_p10"] == e["finish_p90"] == es


def test_late_completed_projects_move_the_finish_and_spi_t_says_so():
    fc = _forecast(["completed"] * 5 + ["active"], as_of="2026-06-30", late=3)
    done = fc.projects.set_index("project_id").loc["P0"]
    assert done["spi_t"] == pytest.approx(10 / 13)  # SPI is 1.0 at the finish
    ref = fc.reference
    assert ref["delay_ratio"].tolist() == pytest.approx([0.3] * 5)
    r = fc.projects.set_index("project_id").loc["P5"]
    assert r["finish_p50"] > r["finish_ieac_t"]  # 30% more of the time still to come
    assert r["miss_probability"] == 1.0


def _state(n=1, eac=100.0):
    return pd.DataFrame(
        {
            "project_id": [f"P{i}" for i in range(n)],
            "department": "D",
            "earned": 0.5,
            "ac": 0.0,
            "eac": eac,
            "at": 0.0,
            "finish": 6.0,
            "start": -6.0,
            "planned_end": 6.0,
            "future_cost": eac,
            "df_cost": 1.0,
            "pv_benefit_future": 0.0,
            "remaining_npv": 50.0,
        }
    )


def _default_classes(n=1):
    return pd.DataFrame(
        {
            "project_id": [f"P{i}" for i in range(n)],
            "reference_class": "default",
            "reference_group": "",
            "reference_projects": 0,
        }
    )


EMPTY_REF = pd.DataFrame(columns=["project_id", "department", "cost_ratio", "delay_ratio"])
EMPTY_ERRORS = pd.DataFrame(columns=["point", "ratio"])


def test_known_distribution_quantiles_are_exact():
    mc, _ = F.simulate(_state(), EMPTY_ERRORS, _default_classes(), EMPTY_REF, correlation=0.0)
    d = F.DEFAULT_CLASS["cost"]
    for q in F.QUANTILES:
        want = 100 * np.exp(d["mu"] + d["sigma"] * norm.ppf(q))
        assert mc[f"cost_p{round(q * 100)}"].iloc[0] == pytest.approx(want, rel=1e-9)


def test_joint_draws_match_the_known_distribution_within_sampling_tolerance():
    # the cash need of one project is its cost still to come: its draws follow the class
    quarters = np.array([[100.0]])
    _mc, cash = F.simulate(_state(), EMPTY_ERRORS, _default_classes(), EMPTY_REF, quarters=quarters, draws=20_000)
    d = F.DEFAULT_CLASS["cost"]
    for col, q in (("p50", 0.5), ("p80", 0.8)):
        assert cash[col].iloc[0] == pytest.approx(100 * np.exp(d["mu"] + d["sigma"] * norm.ppf(q)), rel=0.03)


def test_cash_need_p80_moves_less_than_one_percent_between_seeds():
    n = 40
    quarters = np.tile([25.0, 25.0, 25.0, 25.0], (n, 1))
    state = _state(n).assign(department=[f"D{i % 4}" for i in range(n)])
    p80 = [
        F.simulate(state, EMPTY_ERRORS, _default_classes(n), EMPTY_REF, quarters=quarters, seed=s)[1]["p80"]
        for s in (1, 2, 3)
    ]
    p80 = np.array(p80)
    assert (p80.max(axis=0) / p80.min(axis=0) - 1 < 0.01).all()
    again = F.simulate(state, EMPTY_ERRORS, _default_classes(n), EMPTY_REF, quarters=quarters, seed=1)[1]["p80"]
    assert again.tolist() == p80[0].tolist()  # seeded: the same run gives the same numbers


def test_the_shared_factor_correlates_projects():
    rng = np.random.default_rng(0)
    u = F.montecarlo.shared_uniforms(np.array(["a", "a", "b"]), draws=20_000, correlation=0.5, rng=rng)
    z = norm.ppf(u)
    assert np.corrcoef(z[0], z[1])[0, 1] == pytest.approx(0.5, abs=0.03)
    assert np.corrcoef(z[0], z[2])[0, 1] == pytest.approx(0.0, abs=0.03)


def test_slips_pass_along_a_finish_to_start_dependency():
    state = _state(2)
    state.loc[1, ["start", "finish", "planned_end"]] = [6.0, 12.0, 12.0]  # P1 starts when P0 should finish
    classes = pd.DataFrame(
        {"project_id": ["P0", "P1"], "reference_class": "portfolio", "reference_group": "", "reference_projects": 5}
    )
    ref = pd.DataFrame({"department": "D", "cost_ratio": [1.0] * 5, "delay_ratio": [0.5] * 5})
    deps = pd.DataFrame(
        {"predecessor_id": ["P0"], "successor_id": ["P1"], "type": "finish_to_start", "lag_months": 0.0}
    )
    mc, _ = F.simulate(state, EMPTY_ERRORS, classes, ref, dependencies=deps, draws=50)
    # P0 finishes at 9 (6 months to come, 50% later); P1 starts 3 months late and takes 6 x 1.5 more
    assert mc["finish_p50"].tolist() == pytest.approx([9.0, 18.0 + 3.0])


def test_holdout_calibration_on_the_sample():
    from pmo_analysis import load_portfolio
    from pmo_analysis.core.config import SAMPLE_DATA_DIR

    p = load_portfolio(SAMPLE_DATA_DIR)
    flows = forecast_cashflows(p.cashflows, as_of="2026-06-30")
    roi = roi_by_project(p.projects, p.cashflows, as_of="2026-06-30", forecast=flows)
    fc = F.forecast_portfolio(roi, flows, as_of="2026-06-30", draws=200)
    assert fc.meta["eac_basis"] == "backtest" and fc.meta["backtest_projects"] == 8
    plan, costs = flows[["project_id", "period", "planned_cost"]], flows[["project_id", "period", "cost"]]
    done = fc.projects.loc[fc.projects["actual_months"].notna() & roi["status"].eq("completed").to_numpy()]
    bt = F.backtest_ieac(plan, costs, done[["project_id", "actual_months"]])
    cov = F.holdout_coverage(bt, formula=fc.meta["eac_formula"], point=0.5)
    assert len(cov) == 8
    assert 0.7 <= cov["covered"].mean() <= 0.9


def _cash_spread(correlation, by, n=20):
    """P80 - P50 of the portfolio's total cash need: ``n`` projects of 100 still to come each, the
    published default class, four departments, the default seed.
    """
    state = _state(n).assign(department=[f"D{i % 4}" for i in range(n)])
    quarters = np.full((n, 1), 100.0)
    cash = F.simulate(
        state, EMPTY_ERRORS, _default_classes(n), EMPTY_REF, quarters=quarters, correlation=correlation, by=by
    )[1]
    total = cash.iloc[-1]
    return total["p80"] - total["p50"]


def test_correlation_widens_the_cash_need_as_theory_says():
    # Var(sum) = n var + n (n - 1) cov, and cov grows with the copula's correlation: the spread of the
    # sum grows with it, more when the whole portfolio shares one factor than when each department does
    n = 20
    d = F.DEFAULT_CLASS["cost"]
    mu, s = d["mu"], d["sigma"]
    by_department = [_cash_spread(r, "department") for r in (0.0, 0.3, 0.6, 0.9)]
    portfolio = [_cash_spread(r, None) for r in (0.0, 0.3, 0.6, 0.9, 1.0)]
    assert by_department == sorted(by_department) and portfolio == sorted(portfolio)
    assert portfolio[3] > 1.9 * by_department[3] > 3.5 * portfolio[0]
    # independent: the sum of 20 lognormals, its P80 - P50 by Cornish-Fisher (skewness g / sqrt(n))
    mean = 100 * np.exp(mu + s * s / 2)
    sd = np.sqrt(n * (np.exp(s * s) - 1)) * mean
    skew = (np.exp(s * s) + 2) * np.sqrt(np.exp(s * s) - 1) / np.sqrt(n)
    z = norm.ppf(0.8)
    independent = sd * (z + (z * z - 1) * skew / 6) + sd * skew / 6  # 359.1
    assert portfolio[0] == pytest.approx(independent, rel=0.06)
    assert by_department[0] == pytest.approx(independent, rel=0.06)
    # fully correlated across the portfolio: the sum is n times one project, P80 - P50 exact
    one = 100 * (np.exp(mu + s * z) - np.exp(mu))
    assert portfolio[4] == pytest.approx(n * one, rel=0.005)  # 1,476.0


@pytest.mark.parametrize("as_of", ["2026-04-14", "2026-06-30", "2026-11-14"])
def test_every_finish_range_surrounds_the_one_forecast_end(sample, as_of):
    # the forecast end a page shows (plan, milestones, dependencies, Earned Schedule) and the Monte
    # Carlo's range never disagree: the range reaches the forecast end's month by its P80 (the range
    # adds the draws' own slips), and a forecast end past the plan is a miss more often than not
    from pmo_analysis.model import build_model

    m = build_model(sample, as_of=as_of)
    pr = m.projects.loc[m.projects["running"] & m.projects["finish_p80"].notna()]
    assert len(pr) > 10
    end = pd.to_datetime(pr["forecast_end"]).dt.to_period("M")
    assert (pd.to_datetime(pr["finish_p80"]).dt.to_period("M") >= end).all()
    late = pd.to_datetime(pr["forecast_end"]) > pd.to_datetime(pr["end_date"]) + pd.offsets.MonthEnd(0)
    assert (pr.loc[late, "miss_probability"] >= 0.5).all()
