"""The portfolio model: one answer per question, with the figures measured on the sample.

Each test names the contradiction or wrong figure it guards against (sample at 2026-06-30 unless
said otherwise). None starts a kernel.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from pmo_analysis import load_portfolio
from pmo_analysis.analyses import finance as roi
from pmo_analysis.analyses import summary
from pmo_analysis.core.config import SAMPLE_AS_OF
from pmo_analysis.core.periods import forward_months, last_complete_month
from pmo_analysis.model import (
    _decisions_at_confidence,
    _spi_for_health,
    build_model,
    default_as_of,
    freshness,
    load_model,
)
from tests.helpers import REAL_DATA


@pytest.fixture(scope="module")
def weekly(sample):
    """A weekly schedule's run: as_of the last week end, mid-month."""
    return build_model(sample, as_of="2026-06-14")


def _project(model, pid):
    return model.projects.set_index("project_id").loc[pid]


# --------------------------------------------------------------------------- decisions
def test_no_project_is_both_stopped_and_funded(model):
    d = model.decisions
    assert not (d["decision"].isin(["stop", "reject"]) & d["funded"]).any()
    assert d["project_id"].is_unique and len(d) == 40
    assert set(d["decision"]) <= set(roi.DECISIONS)


@pytest.mark.parametrize("pid", ["PRJ-008", "PRJ-019", "PRJ-030", "PRJ-040"])
def test_stop_judges_remaining_value_not_money_spent(model, pid):
    """Lifetime NPV below zero (money already spent) no longer stops a project whose remaining
    flows are worth having."""
    p = _project(model, pid)
    assert p["npv"] < 0 < p["remaining_npv"]
    assert p["decision"] not in ("stop", "reject")


def test_prj019_figures(model):
    p = _project(model, "PRJ-019")
    assert p["npv"] == pytest.approx(-3_122_965, abs=1)
    assert p["remaining_npv"] == pytest.approx(201_393, abs=1)
    # funding need is the estimate to complete (EAC - AC), not what is left of the budget (76k)
    assert p["bac"] - p["ac"] == pytest.approx(76_315, abs=1)
    assert p["funding_need"] == pytest.approx(p["eac"] - p["ac"]) == pytest.approx(1_919_446, abs=1)


def test_every_candidate_says_why(model):
    d = model.decisions
    open_ = d.loc[d["decision"] != "closed"]
    assert (open_["reason"].str.len() > 0).all()
    assert open_.loc[open_["funded"], "reason"].str.contains("funded: ").all()
    assert open_.loc[open_["decision"] == "defer", "reason"].str.contains("not funded").all()
    assert open_.loc[open_["decision"] == "stop", "reason"].str.contains("not funded further").all()


def test_selection_respects_the_cap_and_never_funds_a_stop(model):
    d = model.decisions
    assert d.loc[d["funded"], "funding_need"].sum() <= model.meta["budget_cap"] + 1e-6
    stopped = set(d.loc[d["decision"] == "stop", "project_id"])
    assert stopped and not stopped & set(model.selection["project_id"])


def test_executive_decisions_come_from_the_decisions_table(model):
    asks = summary.decisions_needed(model)
    d = model.decisions.set_index("project_id")
    for _, a in asks.loc[asks["project_id"] != ""].iterrows():
        r = d.loc[a["project_id"]]
        assert a["why"] == r["reason"] + ("; " + r["robustness"] if r["robustness"] else "")  # what flips it
        assert abs(a["money"]) == pytest.approx(r["funding_need"])
    stop = asks.loc[asks["decision"].str.startswith("Stop ")]
    assert (stop["money"] > 0).all() and stop["money_text"].str.startswith("frees ").all()


# --------------------------------------------------------------------------- one figure, one place
def test_capacity_shortfall_is_one_figure(model):
    """The executive summary's 'short X FTE' and the resource report's gap are one row."""
    role = model.capacity_by_role.set_index("role")
    cvd = model.capacity.loc[model.capacity["role"] == "Project Manager"]
    assert role.loc["Project Manager", "gap_fte"] == pytest.approx(cvd["gap_hours"].sum() / cvd["fte_hours"].sum())
    assert role.loc["Project Manager", "gap_fte"] == pytest.approx(-1.46, abs=0.01)
    assert set(cvd["period"]) == set(forward_months(SAMPLE_AS_OF, 6))
    asks = summary.decisions_needed(model)
    pm = asks.loc[asks["decision"] == "Add capacity: Project Manager", "why"].item()
    assert pm.startswith("short 1.5 FTE on average over Jul 2026 to Dec 2026")
    assert "Business Analyst" not in " ".join(asks["decision"])  # spare, not short


def test_running_projects_have_one_definition(model):
    h = model.headline.iloc[0]
    assert h["running_projects"] == 23 == h["active_projects"] + h["on_hold_projects"]
    assert h["off_track"] + h["at_risk"] + h["on_track"] + h["data_needed"] == 23
    assert model.projects["health"].notna().sum() == 23


def test_portfolio_npv_is_the_lifetime_npv_of_each_project_at_its_start(model):
    """Portfolio NPV sums each project's lifetime NPV at its own first month (never past flows
    compounded to as_of), over the 37 of 40 projects that have benefit figures."""
    h = model.headline.iloc[0]
    assert model.projects["npv"].sum() == pytest.approx(10_464_404, abs=1)
    assert h["portfolio_npv"] == pytest.approx(10_464_404, abs=1)
    assert (h["value_projects"], h["value_projects_of"], h["value_reason"]) == (37, 40, "")
    assert model.by_department["npv"].sum() == pytest.approx(h["portfolio_npv"])
    assert h["remaining_npv"] == pytest.approx(model.projects["remaining_npv"].sum())


# --------------------------------------------------------------------------- time windows
def test_last_complete_month():
    assert last_complete_month("2026-06-30") == pd.Timestamp("2026-06-01")
    assert last_complete_month("2026-06-14") == pd.Timestamp("2026-05-01")
    assert last_complete_month("2024-02-29") == pd.Timestamp("2024-02-01")


def test_weekly_utilization_tile_is_the_last_complete_month(model, weekly):
    """At 2026-06-14 the tile showed 29%: the partial month. It shows May, labelled."""
    h = weekly.headline.iloc[0]
    assert h["utilization_month"] == "2026-05"
    may = model.util_overall.set_index("period").loc["2026-05-01", "utilization"]
    assert h["utilization"] == pytest.approx(may) == pytest.approx(0.83, abs=0.005)
    assert model.headline.loc[0, "utilization"] == pytest.approx(0.65, abs=0.005)
    assert 0.6 < h["utilization_mtd"] < 0.7  # month to date: hours so far / capacity so far
    assert weekly.meta["windows"]["month_to_date"] == "2026-06"


def test_hours_after_as_of_are_not_actuals(sample, weekly):
    june = weekly.utilization.loc[weekly.utilization["period"] == "2026-06-01"]
    ts = sample.timesheets
    booked = ts.loc[(ts["date"] >= "2026-06-01") & (ts["date"] <= "2026-06-14") & ts["project_id"].notna(), "hours"]
    assert june["actual_hours"].sum() == pytest.approx(booked.sum())
    assert (june["month_status"] == "month to date").all()


def test_weekly_remaining_npv_counts_june_on(sample, weekly):
    f = roi.forecast_cashflows(sample.cashflows, as_of="2026-06-14")
    f = f.loc[(f["project_id"] == "PRJ-019") & (f["period"] >= "2026-06-01")]
    t = (f["period"] - pd.Timestamp("2026-06-14")).dt.days / 365
    expected = (f["net"] / 1.08**t).sum()
    assert _project(weekly, "PRJ-019")["remaining_npv"] == pytest.approx(expected)


# --------------------------------------------------------------------------- freshness
def test_default_as_of_is_the_end_of_the_data(sample):
    assert default_as_of(sample, today=dt.date(2026, 11, 22)) == dt.date(2026, 6, 30)
    assert default_as_of(sample, today=dt.date(2026, 6, 14)) == dt.date(2026, 5, 31)
    m = build_model(sample, today=dt.date(2026, 11, 22))
    assert m.meta["as_of"] == "2026-06-30" and m.meta["as_of_source"] == "data" and not m.stale


def test_as_of_months_after_the_data_is_stale(sample):
    assert freshness(sample, as_of="2026-11-22")["stale"] == [
        "actual costs end in 2026-06, 4 months before the last complete month 2026-10",
        "timesheets end in 2026-06, 4 months before the last complete month 2026-10",
    ]
    assert freshness(sample, as_of="2026-07-31")["stale"] == []  # July's actuals are booked in August
    assert len(freshness(sample, as_of="2026-08-31")["stale"]) == 2


# --------------------------------------------------------------------------- finance definitions
def test_missing_actuals_accrue_at_plan(model):
    p = _project(model, "PRJ-010")
    assert p["months_without_actuals"] == 3
    assert p["cpi"] == pytest.approx(0.654, abs=0.001)  # 1.15 when the months counted as 0
    assert p["ac"] - p["ac_reported"] > 0


def test_tcpi_after_the_budget_is_spent(model):
    p = _project(model, "PRJ-036")
    assert p["ac"] >= p["bac"]
    assert p["tcpi"] == pytest.approx((p["bac"] - p["ev"]) / (p["eac"] - p["ac"]))
    assert (model.projects["tcpi"].dropna() >= 0).all()


def test_irr_finds_every_root():
    yearly = ["2025-01-01", "2026-01-01", "2027-01-01", "2028-01-01"]
    assert roi.irr_roots([-1000, 3900, -4992.5, 2100], yearly) == pytest.approx([0.05, 0.25, 0.60])
    assert roi.xirr([-1000, 3900, -4992.5, 2100], yearly) == pytest.approx(0.05)  # nearest 10%
    assert roi.irr_roots([-1000, 2220, -1232], yearly[:3]) == pytest.approx([0.10, 0.12])
    cf = pd.DataFrame(
        {
            "project_id": "A",
            "period": pd.to_datetime(yearly[:3]),
            "planned_cost": [1000.0, 0, 1232],
            "planned_benefit": [0, 2220.0, 0],
        }
    )
    fin = roi.project_financials(cf, as_of="2024-12-31").iloc[0]
    assert fin["irr_roots"] == 2 and fin["irr"] == pytest.approx(0.10, abs=1e-6)


def test_irr_roots_agree_with_the_xnpv():
    rng = np.random.default_rng(7)
    dates = pd.date_range("2025-01-01", periods=36, freq="MS")
    for _ in range(30):
        flows = rng.normal(0, 1000, 36)
        for r in roi.irr_roots(flows, dates):
            scale = np.abs(flows / (1 + r) ** (np.asarray((dates - dates[0]).days) / 365)).sum()
            assert abs(roi.xnpv(r, flows, dates)) < 1e-9 * scale


@pytest.mark.skipif(not (REAL_DATA / "it-dashboard").is_dir(), reason="../shared/real-data is not beside the repo")
def test_zero_benefit_is_unknown_not_never_pays_back_on_real_data():
    """The IT Dashboard records no benefits (zero in every month): ROI, NPV and payback are
    unknown for every project, at any as_of, never -100% or "never pays back"."""
    p = load_portfolio(REAL_DATA / "it-dashboard", on_error="drop")
    for as_of in ("2015-06-30", "2026-06-30"):
        r = roi.roi_by_project(p.projects, p.cashflows, as_of=as_of)
        assert len(r) == 2420 and not r["has_benefits"].any()
        for col in ("roi", "npv", "remaining_npv", "bcr", "payback_months", "total_benefit"):
            assert r[col].isna().all(), col
        assert r["data_needed"].str.contains("no_benefits").sum() == 2420
        t = roi.portfolio_totals(r).iloc[0]
        assert t["value_projects"] == 0 and np.isnan(t["roi"]) and np.isnan(t["npv"])
        assert t["total_cost"] == pytest.approx(r["total_cost"].sum())


# --------------------------------------------------------------------------- storage
def test_saved_model_reads_back_identically(model, tmp_path):
    back = load_model(model.save(tmp_path / "model"))
    assert back.meta == load_model(tmp_path / "model").meta
    assert set(back.tables) == set(model.tables)
    for name, df in model.tables.items():
        pd.testing.assert_frame_equal(
            back.tables[name].reset_index(drop=True),
            df.reset_index(drop=True),
            check_dtype=False,
            check_index_type=False,
            check_column_type=False,
            check_names=False,
            obj=name,
        )


def test_model_parameters_are_one_per_run(sample):
    m = build_model(sample, as_of=SAMPLE_AS_OF, params={"discount_rate": 0.1, "horizon_months": 3})
    assert m.params["discount_rate"] == 0.1
    assert m.meta["windows"]["forward_last"] == "2026-09"
    assert set(m.capacity["period"]) == set(forward_months(SAMPLE_AS_OF, 3))


def test_months_without_timesheets_are_not_zero_utilization(sample):
    """On data that ends in June, a November report showed 'Utilization 0%': months nobody has reported
    are not reported, not idle."""
    m = build_model(sample, as_of="2026-11-22")
    h = m.headline.iloc[0]
    assert h["utilization_month"] == "2026-06" and h["utilization"] == pytest.approx(0.65, abs=0.005)
    later = m.utilization.loc[(m.utilization["period"] > "2026-06-01") & (m.utilization["period"] <= "2026-10-01")]
    assert len(later) and later["actual_hours"].isna().all() and later["utilization"].isna().all()
    assert m.stale  # and the report says why


def test_progress_reports_have_a_freshness_too(sample):
    """percent_complete drives EV; with status_date the reports know when progress was last reported."""
    projects = sample.projects.assign(status_date=pd.Timestamp("2026-03-15"))
    p = type(sample)(**{**sample.__dict__, "projects": projects})
    f = freshness(p, as_of="2026-06-30")
    assert f["last_progress_reports_month"] == "2026-03"
    assert f["stale"] == ["progress reports end in 2026-03, 3 months before the last complete month 2026-06"]


def test_cancelled_project_frees_its_people_from_as_of(sample):
    """Cancelling a running project removes exactly its planned hours after as-of from demand
    ahead, and leaves the months up to as-of (plan against actual) as they were."""
    import dataclasses

    from pmo_analysis.analyses import utilization as U

    base = build_model(sample, as_of=SAMPLE_AS_OF)
    ahead = base.capacity["period"].unique()
    asg = sample.assignments
    running = base.projects.loc[base.projects["running"], "project_id"]
    busy = asg.loc[asg["project_id"].isin(running) & (asg["end_date"] > pd.Timestamp("2027-01-01")), "project_id"]
    pid = busy.iloc[0]
    projects = sample.projects.assign(
        status=sample.projects["status"].where(sample.projects["project_id"] != pid, "cancelled")
    )
    cancelled = build_model(dataclasses.replace(sample, projects=projects), as_of=SAMPLE_AS_OF)
    months = pd.DatetimeIndex(sorted(base.utilization["period"].unique()))
    plan = U.planned_by_assignment(
        sample.resources, asg.loc[asg["project_id"] == pid], months, holidays=sample.holidays
    )
    freed = plan.loc[plan["period"].isin(ahead), "planned_hours"].sum()
    assert freed > 0
    before, after = base.capacity["demand_hours"].sum(), cancelled.capacity["demand_hours"].sum()
    assert before - after == pytest.approx(freed)
    past = base.plan_vs_actual.merge(cancelled.plan_vs_actual, on="project_id", suffixes=("", "_c"))
    assert (past["planned_hours"] == past["planned_hours_c"]).all()


def test_lessons_part_in_its_own_process_gives_the_same_model(sample):
    """A report run computes the lessons part in another process: every table is the same, and the
    other process writes in the caller's language and currency."""
    from pmo_analysis.core import formatting as fmt
    from pmo_analysis.model import lessons_process

    with fmt.using(currency="CNY", language="zh"):
        here = build_model(sample, as_of=SAMPLE_AS_OF)
        with lessons_process() as pool:
            apart = build_model(sample, as_of=SAMPLE_AS_OF, pool=pool)
    assert sorted(here.tables) == sorted(apart.tables)
    for name in here.tables:
        pd.testing.assert_frame_equal(here.tables[name], apart.tables[name], obj=name)
    assert here.recurring["name"].eq(apart.recurring["name"]).all()
    assert apart.lesson_search["query"].drop_duplicates().tolist() == ["vendor delay", "需求变更"]


# --------------------------------------------------------------------------- the IT Dashboard: absent data and old data
@pytest.fixture(scope="module")
def it_dashboard():
    if not (REAL_DATA / "it-dashboard").is_dir():
        pytest.skip("../shared/real-data is not beside the repo")
    p = load_portfolio(REAL_DATA / "it-dashboard", on_error="drop")
    return p, build_model(p, today=dt.date(2026, 12, 7))


def test_it_dashboard_is_dated_by_what_it_reports_and_is_stale(it_dashboard):
    """Its "actual" costs run to 2048 (projections), so they cannot date it; the newest month a
    project recorded as completed had a cost is 2012-10: the report is as of 31 Oct 2012, and
    stale, 169 months before the run's last complete month (Nov 2026)."""
    p, m = it_dashboard
    assert m.meta["as_of"] == "2012-10-31" and m.meta["as_of_source"] == "data"
    f = m.meta["freshness"]
    assert f["last_reported_month"] == f["last_completions_month"] == "2012-10"
    assert f["actuals_dated_after_run"] == "2048-08" and f["last_actual_costs_month"] is None
    assert m.stale == [
        "actual costs are dated up to 2048-08, after this run (2026-12): they are projections, not reports, "
        "and do not show when the data was reported",
        "the data was last reported in 2012-10, 169 months before this run (2026-12)",
    ]
    assert default_as_of(p, today=dt.date(2026, 12, 7)) == dt.date(2012, 10, 31)


def test_it_dashboard_headline_shows_no_figure_from_absent_benefits_or_progress(it_dashboard):
    _, m = it_dashboard
    h = m.headline.iloc[0]
    for col in ("portfolio_npv", "remaining_npv", "portfolio_roi", "portfolio_cpi", "portfolio_spi"):
        assert np.isnan(h[col]), col
    assert (h["value_projects"], h["value_projects_of"], h["value_reason"]) == (0, 2420, "no_benefits")
    assert (h["evm_projects"], h["evm_projects_of"], h["evm_reason"]) == (0, 1811, "no_percent_complete")
    running = m.projects.loc[m.projects["running"]]
    assert (running["data_needed"] == "no_benefits,no_percent_complete").sum() == 1811
    assert running["roi"].isna().all() and running["cpi"].isna().all()


@pytest.mark.skipif(not (REAL_DATA / "it-dashboard").is_dir(), reason="../shared/real-data is not beside the repo")
def test_it_dashboard_with_benefits_portfolio_npv_is_not_past_spend_compounded():
    """Give every IT Dashboard project a benefit (120% of its planned cost, a year later): the
    portfolio NPV is the sum of each project's XNPV at its own first month, computed here
    independently, and far from the past flows compounded forward to as_of."""
    p = load_portfolio(REAL_DATA / "it-dashboard", on_error="drop")
    cf = p.cashflows.copy()
    later = cf[["project_id", "period", "planned_cost"]].assign(period=cf["period"] + pd.DateOffset(years=1))
    cf = cf.drop(columns="planned_benefit").merge(
        later.rename(columns={"planned_cost": "planned_benefit"}), on=["project_id", "period"], how="left"
    )
    cf["planned_benefit"] = cf["planned_benefit"].fillna(0.0) * 1.2
    cf["actual_benefit"] = np.nan
    as_of, rate = "2012-10-31", 0.08
    r = roi.roi_by_project(p.projects, cf, as_of=as_of, discount_rate=rate)
    t = roi.portfolio_totals(r).iloc[0]
    f = roi.forecast_cashflows(cf, as_of=as_of)
    first = f.groupby("project_id")["period"].transform("min")
    years = (f["period"] - first).dt.days.to_numpy() / 365
    has = f.groupby("project_id")["benefit"].transform("sum") > 0
    independent = float(np.sum((f["net"].to_numpy() / (1 + rate) ** years)[has.to_numpy()]))
    years_to_as_of = (f["period"] - pd.Timestamp(as_of)).dt.days.to_numpy() / 365
    compounded = float(np.sum((f["net"].to_numpy() / (1 + rate) ** years_to_as_of)[has.to_numpy()]))
    assert t["value_projects"] == has.groupby(f["project_id"]).first().sum() > 1500
    assert t["npv"] == pytest.approx(independent, rel=1e-9)
    assert abs(t["npv"] - compounded) > 0.05 * abs(independent)


def test_a_start_after_the_as_of_the_data_gives_is_one_line():
    """``start`` is checked against as_of when it is given (a parameter rule), and here, when as_of
    comes from the data, once the model knows it: a ParameterError, never a ValueError."""
    from pmo_analysis import ParameterError
    from pmo_analysis.core.config import SAMPLE_DATA_DIR
    from pmo_analysis.inputs.params import validate_model_params
    from pmo_analysis.inputs.portfolio import load_portfolio
    from pmo_analysis.model import build_model

    with pytest.raises(ParameterError, match=r"^run: parameter 'start' \(2030-01-01\) is after as_of \(20"):
        build_model(load_portfolio(SAMPLE_DATA_DIR), params=validate_model_params({"start": "2030-01-01"}))


def test_the_tiles_monthly_history_ends_at_the_headline(model):
    """The executive summary's sparklines come from the data: spend and plan to date summed month by
    month end at the headline's figures, and the utilization at the headline's month."""
    k, h = model.kpi_history, model.headline.iloc[0]
    assert len(k) == 12 and f"{k['period'].iloc[-1]:%Y-%m}" == model.meta["windows"]["last_complete_month"]
    assert k["spend_to_date"].iloc[-1] == pytest.approx(h["spend_to_date"], rel=1e-12)
    assert k["planned_to_date"].iloc[-1] == pytest.approx(h["planned_to_date"], rel=1e-12)
    assert k["utilization"].iloc[-1] == pytest.approx(h["utilization"], rel=1e-12)
    np.testing.assert_allclose(k["spend_to_date"].diff().iloc[1:], k["spend"].iloc[1:], rtol=1e-12)


def test_health_reads_spi_t_once_the_plan_has_ended():
    roi = pd.DataFrame({"project_id": ["late", "early", "no_es"], "spi": [0.99, 0.9, 0.8]})
    fc = pd.DataFrame(
        {
            "project_id": ["late", "early", "no_es"],
            "actual_months": [13.0, 7.0, 12.0],
            "planned_months": [10.0, 10.0, 10.0],
            "spi_t": [10 / 13, 0.7, np.nan],
        }
    )
    # past its plan SPI (EV / BAC) is near 1 for a late project: SPI(t) is read; before it, SPI
    assert _spi_for_health(roi, fc)["spi"].tolist() == pytest.approx([10 / 13, 0.9, 0.8])


def test_selection_at_p80_funds_what_fits_the_cap_at_p80_needs():
    d = pd.DataFrame(
        {
            "project_id": ["A", "B", "C"],
            "name": ["A", "B", "C"],
            "status": ["active", "active", "proposed"],
            "decision": ["continue", "continue", "fund"],
            "funded": [True, True, True],
            "funding_need": [40.0, 40.0, 20.0],
            "score": [3.0, 2.0, 1.0],
            "remaining_npv": [10.0, 10.0, 10.0],
        }
    )
    fc = pd.DataFrame(
        {
            "project_id": ["A", "B", "C"],
            "cost_p50": [90.0, 90.0, np.nan],
            "cost_p80": [100.0, 95.0, np.nan],
            "finish_p80": pd.to_datetime(["2027-01-31", "2027-02-28", None]),
            "miss_probability": [0.5, 0.2, np.nan],
            "uplift_p80": [np.nan, np.nan, 0.5],
        }
    )
    ac = pd.Series([50.0, 50.0, np.nan], index=["A", "B", "C"])
    out = _decisions_at_confidence(d, fc, ac, cap=100.0, objective="score").set_index("project_id")
    assert out["need_p80"].tolist() == [50.0, 45.0, 30.0]  # P80 cost - AC; the budget x 1.5
    assert out["funded_p80"].tolist() == [True, True, False]  # 50 + 45 fit 100; + 30 would not
    assert out["miss_probability"].iloc[:2].tolist() == [0.5, 0.2] and np.isnan(out.loc["C", "miss_probability"])


def test_the_forecasts_monte_carlo_settings_are_run_parameters():
    from pmo_analysis import load_portfolio
    from pmo_analysis.analyses.summary import assumptions_line
    from pmo_analysis.core.config import SAMPLE_DATA_DIR

    portfolio = load_portfolio(SAMPLE_DATA_DIR, tables=["projects", "cashflows"])
    params = {
        "forecast_correlation": 0.6,
        "forecast_correlated_by": "portfolio",
        "forecast_draws": 500,
        "forecast_seed": 7,
        "forecast_min_reference": 9,
    }
    m = build_model(portfolio, as_of=SAMPLE_AS_OF, params=params)
    fc = m.meta["forecast"]
    assert (fc["correlation"], fc["correlated_by"], fc["draws"], fc["seed"], fc["min_reference"]) == (
        0.6,
        "portfolio",
        500,
        7,
        9,
    )
    assert fc["eac_basis"] == "fallback"  # 8 completed projects: fewer than 9
    a = m.assumptions.iloc[0]
    assert (a["forecast_draws"], a["forecast_seed"], a["forecast_correlation"]) == (500, 7, 0.6)
    assert assumptions_line(m).endswith(
        "Forecast ranges: 500 seeded draws (seed 7); outcomes correlated 0.60 within the whole portfolio; "
        "a reference class needs 9 completed projects (8 in the data)."
    )


def test_forecast_end_is_the_latest_of_plan_delivery_and_earned_schedule():
    from pmo_analysis.model import _add_forecast_end

    d = pd.to_datetime
    projects = pd.DataFrame(
        {
            "project_id": list("ABCDEF"),
            "end_date": d(["2026-09-15"] * 6),
            "running": [True, True, True, True, False, True],
            # A late by its pace; B finishing in its planned month; C ahead; D later by a predecessor;
            # E completed (no pace); F without percent complete
            "finish_ieac_t": d(["2026-12-31", "2026-09-30", "2026-06-30", "2026-12-31", None, None]),
        }
    )
    slip = pd.DataFrame(
        {
            "project_id": list("ABCDEF"),
            "forecast_end_with_dependencies": d(
                ["2026-09-15", "2026-09-15", "2026-09-15", "2027-01-20", "2026-10-01", "2026-09-15"]
            ),
        }
    )
    tables = {"projects": projects, "slip": slip}
    _add_forecast_end(tables)
    p = tables["projects"].set_index("project_id")
    assert p["forecast_end"].dt.strftime("%Y-%m-%d").tolist() == [
        "2026-12-31",
        "2026-09-15",
        "2026-09-15",
        "2027-01-20",
        "2026-10-01",
        "2026-09-15",
    ]
    assert p["forecast_end_source"].tolist() == ["earned_schedule", "plan", "plan", "delivery", "delivery", "plan"]
    tables = {"projects": projects}  # no delivery tables: the plan and the pace
    _add_forecast_end(tables)
    assert tables["projects"]["forecast_end"].dt.strftime("%Y-%m-%d").tolist()[:4] == [
        "2026-12-31",
        "2026-09-15",
        "2026-09-15",
        "2026-12-31",
    ]


def test_every_running_project_ends_no_earlier_than_its_earned_schedule_month(model):
    p = model.projects.loc[model.projects["running"] & model.projects["finish_ieac_t"].notna()]
    assert (p["forecast_end"].dt.to_period("M") >= p["finish_ieac_t"].dt.to_period("M")).all()
    assert (p["forecast_end"] >= p["end_date"]).all()
    late = p.loc[p["forecast_end_source"] == "earned_schedule"]
    assert len(late) and (late["forecast_end"] == late["finish_ieac_t"]).all()


def test_no_running_project_to_simulate_gives_no_cash_need_not_zero(sample_copy):
    """Without percent complete no running project can be ranged (as in the IT Dashboard data): the
    cash need P50 / P80 is n/a, never $0 / $0."""
    projects = pd.read_csv(sample_copy / "projects.csv")
    projects["percent_complete"] = np.nan
    projects.to_csv(sample_copy / "projects.csv", index=False)
    m = build_model(load_portfolio(sample_copy, as_of=SAMPLE_AS_OF), as_of=SAMPLE_AS_OF)
    assert m.meta["forecast"]["simulated_projects"] == 0
    h = m.headline.iloc[0]
    assert np.isnan(h["cash_need_p50"]) and np.isnan(h["cash_need_p80"]) and m.cash_need.empty
