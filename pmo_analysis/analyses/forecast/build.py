"""The forecast part of the model, from the finance part's tables: one call, every forecast table.

The definitions are written in :mod:`pmo_analysis.analyses.forecast`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from pmo_analysis.analyses.forecast.eac import (
    backtest_ieac,
    best_formula,
    cpi_stability,
    ieac,
    progress_history,
)
from pmo_analysis.analyses.forecast.montecarlo import CORRELATION, DRAWS, SEED, joint_draws, simulate
from pmo_analysis.analyses.forecast.reference import (
    MIN_REFERENCE,
    optimism_uplift,
    outcomes,
    reference_classes,
)
from pmo_analysis.analyses.forecast.schedule import earned_schedule, months_between, plan_matrix
from pmo_analysis.core.config import RUNNING_STATUSES
from pmo_analysis.core.periods import last_complete_month, years_after

__all__ = ["Forecast", "forecast_portfolio", "month_of"]

_DAYS_PER_MONTH = 365.25 / 12


@dataclass
class Forecast:
    """The forecast tables and what they rest on (``meta``: best formula, classes, draws, seed)."""

    projects: pd.DataFrame
    backtest: pd.DataFrame
    cash_need: pd.DataFrame
    reference: pd.DataFrame
    meta: dict[str, Any] = field(default_factory=dict)


def month_of(first_month: pd.Series, months) -> pd.Series:
    """The month-end date of the month in which ``months`` (months from ``first_month``, at month
    ends) falls: 3.0 from January is the end of March, 3.2 the end of April.

    >>> month_of(pd.Series(pd.to_datetime(["2026-01-01", "2026-01-01"])), np.array([3.0, 3.2])).dt.date.tolist()
    [datetime.date(2026, 3, 31), datetime.date(2026, 4, 30)]
    """
    m = np.asarray(months, dtype=float)
    ok = np.isfinite(m) & pd.notna(first_month).to_numpy()
    k = np.where(ok, np.ceil(np.round(m, 9)) - 1, 0).astype(int)
    first = pd.DatetimeIndex(first_month)
    total = np.where(ok, first.year * 12 + first.month - 1 + k, 0)
    start = pd.to_datetime(pd.DataFrame({"year": total // 12, "month": total % 12 + 1, "day": 1}))
    return (start + pd.offsets.MonthEnd(0)).where(ok)


def _finished_months(costs: pd.DataFrame, info: pd.DataFrame) -> pd.Series:
    """Months from each project's plan start to its last month with a cost (its actual duration)."""
    spent = costs.loc[costs["cost"] > 0]
    last = spent.groupby("project_id")["period"].max().reindex(info.index)
    return pd.Series(months_between(info["first_month"], last) + 1, index=info.index)


def _future(flows: pd.DataFrame, as_of: pd.Timestamp, lcm: pd.Timestamp, rate: float) -> pd.DataFrame:
    """Per project: planned cost after the last complete month, the present value of one unit of
    it, and the present value of the planned benefits after it (discounted to as_of as
    remaining NPV is).
    """
    f = flows.loc[flows["period"] > lcm]
    disc = (1.0 + rate) ** -years_after(f["period"], as_of)
    g = (
        pd.DataFrame(
            {
                "project_id": f["project_id"].to_numpy(),
                "future_cost": f["planned_cost"].to_numpy(dtype=float),
                "pv_cost": f["planned_cost"].to_numpy(dtype=float) * disc,
                "pv_benefit_future": f["planned_benefit"].to_numpy(dtype=float) * disc,
            }
        )
        .groupby("project_id")[["future_cost", "pv_cost", "pv_benefit_future"]]
        .sum()
    )
    g["df_cost"] = (g["pv_cost"] / g["future_cost"].where(g["future_cost"] > 0)).fillna(1.0)
    return g.drop(columns="pv_cost")


def _quarters(flows: pd.DataFrame, ids: pd.Index, lcm: pd.Timestamp, n: int = 4) -> tuple[np.ndarray, list[str]]:
    """Planned cost of each project (rows ``ids``) in each of the ``n`` calendar quarters from the
    one holding the month after the last complete month (that quarter's remaining months only).
    """
    first = lcm + pd.DateOffset(months=1)
    q0 = first.year * 4 + (first.month - 1) // 3
    f = flows.loc[(flows["period"] >= first) & flows["project_id"].isin(ids)]
    qi = (f["period"].dt.year * 4 + (f["period"].dt.month - 1) // 3 - q0).to_numpy()
    keep = (qi >= 0) & (qi < n)
    m = np.zeros((len(ids), n))
    np.add.at(
        m, (ids.get_indexer(pd.Index(f["project_id"]))[keep], qi[keep]), f["planned_cost"].to_numpy(dtype=float)[keep]
    )
    labels = [f"{(q0 + i) // 4}-Q{(q0 + i) % 4 + 1}" for i in range(n)]
    return m, labels


def forecast_portfolio(
    roi: pd.DataFrame,
    flows: pd.DataFrame,
    *,
    as_of,
    discount_rate: float = 0.08,
    dependencies: pd.DataFrame | None = None,
    draws: int = DRAWS,
    seed: int = SEED,
    correlation: float = CORRELATION,
    by: str | None = "department",
    min_reference: int = MIN_REFERENCE,
    milestone_end: pd.Series | None = None,
) -> Forecast:
    """Every forecast of the portfolio (see :mod:`pmo_analysis.analyses.forecast`).

    ``roi`` is the finance part's projects (:func:`~pmo_analysis.analyses.finance.roi_by_project`:
    project_id, department, status, start_date, end_date, bac, ev, ac, pv, percent_complete, npv,
    pv_cost, remaining_npv); ``flows`` the forecast cash flows
    (:func:`~pmo_analysis.analyses.finance.forecast_cashflows`); ``dependencies`` the delivery
    analysis's network (predecessor_id, successor_id, type, lag_days) or None; ``milestone_end``
    each project's latest milestone date by project_id (the delivery analysis's own end) or None:
    a running project's finish is centred on the latest of its Earned Schedule finish, its planned
    end and its milestones' end, so the range surrounds the forecast end the pages show.

    Examples
    --------
    >>> from pmo_analysis import load_portfolio
    >>> from pmo_analysis.core.config import SAMPLE_DATA_DIR
    >>> from pmo_analysis.analyses.finance import forecast_cashflows, roi_by_project
    >>> p = load_portfolio(SAMPLE_DATA_DIR)
    >>> flows = forecast_cashflows(p.cashflows, as_of="2026-06-30")
    >>> roi = roi_by_project(p.projects, p.cashflows, as_of="2026-06-30", forecast=flows)
    >>> fc = forecast_portfolio(roi, flows, as_of="2026-06-30", draws=500)
    >>> fc.meta["eac_formula"], fc.meta["reference_projects"]
    ('bac_over_cpi', 8)
    """
    as_of = pd.Timestamp(as_of).normalize()
    lcm = last_complete_month(as_of)
    plan = flows[["project_id", "period", "planned_cost"]]
    costs = flows[["project_id", "period", "cost"]]
    p = roi.set_index("project_id")
    info = plan_matrix(plan)[2].reindex(p.index)
    running = p["status"].isin(RUNNING_STATUSES)
    completed = p["status"].eq("completed")
    at = pd.Series(months_between(info["first_month"], pd.Series(lcm, index=info.index)) + 1, index=p.index)
    actual = _finished_months(costs, info.dropna(subset=["first_month"])).reindex(p.index)
    at = at.where(running, actual.where(completed))
    earned = (p["percent_complete"] / 100.0).where(running, 1.0).where(running | completed)

    out = _schedule(plan, p, info, at, earned, running)
    bt = backtest_ieac(
        plan, costs, pd.DataFrame({"project_id": p.index[completed], "actual_months": actual[completed]}).dropna()
    )
    table, best, basis = best_formula(bt, min_projects=min_reference)
    est = ieac(p["bac"], p["ev"], p["ac"], p["pv"]).set_index(p.index)
    for c in est.columns:
        out[f"ieac_{c}"] = est[c].where(running)
    out["eac_point"] = est[best].where(running)
    out["eac_formula"] = np.where(running, best, "")
    out = out.join(_stability(plan, costs, out, at, running))
    reference, classes = _reference(p, info, actual, completed, min_reference)
    out = out.join(classes.set_index("project_id")).join(_uplift(p, classes, reference))
    sim = running & out["eac_point"].notna() & out["ieac_t"].notna() & info["first_month"].notna()
    ms_end = None if milestone_end is None else pd.to_datetime(milestone_end.reindex(p.index))
    fut = _future(flows, as_of, lcm, discount_rate).reindex(p.index)
    state = _state(p, out, info, at, earned, sim, fut, ms_end)
    quarters, labels = _quarters(flows, pd.Index(state["project_id"]), lcm)
    draws = joint_draws(len(state), draws=draws)
    mc, cash = simulate(
        state,
        bt.loc[bt["formula"] == best] if basis == "backtest" else bt.iloc[:0],
        classes.set_index("project_id").loc[state["project_id"]].reset_index(),
        reference,
        quarters=quarters,
        dependencies=_lags_in_months(dependencies),
        discount_rate=discount_rate,
        draws=draws,
        seed=seed,
        correlation=correlation,
        by=by,
        min_errors=min_reference,
    )
    mc = mc.set_index("project_id").reindex(p.index)
    for c in mc.columns:  # finishes, counted from as-of, as the month-end of their month
        out[c] = month_of(info["first_month"], mc[c] + at).to_numpy() if c.startswith("finish_p") else mc[c]
    out["planned_finish"] = pd.to_datetime(p["end_date"]) + pd.offsets.MonthEnd(0)
    out["forecast_reason"] = _reasons(p, running, sim, out)
    cash.insert(0, "quarter", [*labels, "total"][: len(cash)] if len(cash) else [])
    meta = {
        "eac_formula": best,
        "eac_basis": basis,
        "backtest_projects": int(bt["project_id"].nunique()) if len(bt) else 0,
        "reference_projects": len(reference),
        "min_reference": min_reference,
        "draws": draws,
        "seed": seed,
        "correlation": correlation,
        "correlated_by": by or "portfolio",
        "simulated_projects": int(sim.sum()),
    }
    return Forecast(out.reset_index(), table, cash, reference, meta)


def _schedule(
    plan: pd.DataFrame, p: pd.DataFrame, info: pd.DataFrame, at: pd.Series, earned: pd.Series, running: pd.Series
) -> pd.DataFrame:
    """Earned Schedule of every running project at as-of and of every completed one at its finish."""
    obs = pd.DataFrame({"project_id": p.index, "earned": earned.to_numpy(), "at": at.to_numpy()})
    es = earned_schedule(plan, obs.dropna(subset=["earned", "at"])).set_index("project_id").reindex(p.index)
    out = pd.DataFrame(index=p.index)
    out["planned_months"] = info["planned_months"]
    out["actual_months"] = at
    for c in ("es", "spi_t", "sv_t", "tspi", "ieac_t"):
        out[c] = es[c]
    out["finish_ieac_t"] = month_of(info["first_month"], out["ieac_t"].where(running)).to_numpy()
    return out


def _stability(
    plan: pd.DataFrame, costs: pd.DataFrame, out: pd.DataFrame, at: pd.Series, running: pd.Series
) -> pd.DataFrame:
    """cpi_stable and cpi_swing of the running projects, from their rebuilt progress history."""
    pace = (out["es"] / out["actual_months"]).where(running)
    hist = pd.DataFrame({"project_id": out.index[running], "at": at[running].to_numpy(), "pace": pace[running]})
    hist = hist.dropna()
    if not len(hist):
        return pd.DataFrame(
            {"cpi_stable": pd.array([pd.NA] * len(out), dtype="boolean"), "cpi_swing": np.nan}, index=out.index
        )
    ids, _pv, ev, ac, info = progress_history(plan.loc[plan["project_id"].isin(hist["project_id"])], costs, hist)
    months = hist.set_index("project_id").reindex(ids)["at"].to_numpy()
    stab = cpi_stability(ids, ev, ac, months, info["planned_total"].to_numpy()).set_index("project_id")
    return stab.reindex(out.index)


def _reference(
    p: pd.DataFrame, info: pd.DataFrame, actual: pd.Series, completed: pd.Series, min_reference: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The completed projects' outcomes, and every project's reference class."""
    ref_in = pd.DataFrame(
        {
            "project_id": p.index[completed],
            "department": p.loc[completed, "department"].astype(str).to_numpy(),
            "budget": p.loc[completed, "bac"].to_numpy(dtype=float),
            "final_cost": p.loc[completed, "total_cost"].to_numpy(dtype=float),
            "planned_months": info.loc[completed, "planned_months"].to_numpy(),
            "actual_months": actual[completed].to_numpy(),
        }
    )
    reference = outcomes(ref_in.dropna())
    projects = pd.DataFrame({"project_id": p.index, "department": p["department"].astype(str).to_numpy()})
    return reference, reference_classes(projects, reference, min_projects=min_reference)


def _uplift(p: pd.DataFrame, classes: pd.DataFrame, reference: pd.DataFrame) -> pd.DataFrame:
    """The proposed projects' optimism-bias uplift and NPV at the uplifted cost (empty for the others)."""
    proposed = p.index[p["status"].eq("proposed")]
    frame = pd.DataFrame(
        {
            "project_id": proposed,
            "bac": p.loc[proposed, "bac"].to_numpy(dtype=float),
            "npv": p.loc[proposed, "npv"].to_numpy(dtype=float),
            "pv_cost": p.loc[proposed, "pv_cost"].to_numpy(dtype=float),
        }
    )
    up = optimism_uplift(frame, classes.loc[classes["project_id"].isin(proposed)], reference).set_index("project_id")
    cols = ["uplift_p50", "uplift_p80", "budget_p50", "budget_p80", "npv_p50", "npv_p80"]
    return up[cols].reindex(p.index)


def _state(
    p: pd.DataFrame,
    out: pd.DataFrame,
    info: pd.DataFrame,
    at: pd.Series,
    earned: pd.Series,
    sim: pd.Series,
    fut: pd.DataFrame,
    milestone_end: pd.Series | None = None,
) -> pd.DataFrame:
    """What :func:`simulate` reads of each running project with a point forecast, its months
    counted from as-of (the end of the last complete month): the same scale for every project.
    Its finish is the latest of the Earned Schedule finish, its planned end and its latest
    milestone's day: the forecast end the pages show, before its predecessors' slips.
    """
    first = info["first_month"]
    # the later of the planned end and the milestones' end: a project ahead of its pace keeps its
    # planned end, as the forecast end every page shows does
    latest = pd.to_datetime(p.loc[sim, "end_date"])
    if milestone_end is not None:
        ms = pd.to_datetime(milestone_end[sim])
        later = ms.notna() & (latest.isna() | (ms > latest))  # (a project without a planned end: its milestones)
        latest = latest.where(~later, ms)
    day = pd.to_datetime(latest.fillna(first[sim]))
    # the months elapsed from the plan's first month to that day, as IEAC(t) counts them
    elapsed = months_between(first[sim], day) + (day.dt.day / day.dt.days_in_month).to_numpy()
    by_dates = np.where(latest.notna().to_numpy(), elapsed - at[sim].to_numpy(), np.nan)
    finish = np.fmax((out.loc[sim, "ieac_t"] - at[sim]).to_numpy(dtype=float), by_dates)
    return pd.DataFrame(
        {
            "project_id": p.index[sim],
            "department": p.loc[sim, "department"].astype(str).to_numpy(),
            "earned": earned[sim].to_numpy(),
            "ac": p.loc[sim, "ac"].to_numpy(dtype=float),
            "eac": out.loc[sim, "eac_point"].to_numpy(dtype=float),
            "at": 0.0,
            "finish": np.maximum(finish, 0.0),
            "start": months_between(first[sim], p.loc[sim, "start_date"]) - at[sim].to_numpy(),
            "planned_end": months_between(first[sim], p.loc[sim, "end_date"]) + 1 - at[sim].to_numpy(),
            "future_cost": fut.loc[sim, "future_cost"].fillna(0).to_numpy(),
            "df_cost": fut.loc[sim, "df_cost"].fillna(1).to_numpy(),
            "pv_benefit_future": fut.loc[sim, "pv_benefit_future"].fillna(0).to_numpy(),
            "remaining_npv": p.loc[sim, "remaining_npv"].to_numpy(dtype=float),
        }
    )


def _lags_in_months(dependencies: pd.DataFrame | None) -> pd.DataFrame | None:
    """The dependencies with their lag in months (None without any)."""
    if dependencies is None or not len(dependencies):
        return None
    return dependencies.assign(lag_months=dependencies["lag_days"].fillna(0) / _DAYS_PER_MONTH)


def _reasons(p: pd.DataFrame, running: pd.Series, sim: pd.Series, out: pd.DataFrame) -> pd.Series:
    """Why a running project has no range: a reason code (``""`` where it has one, or is not running)."""
    r = pd.Series("", index=p.index, dtype=object)
    r[running & ~sim & p["percent_complete"].isna()] = "no_percent_complete"
    r[running & ~sim & (r == "") & p["ac"].isna()] = "no_actuals"
    r[running & ~sim & (r == "")] = "no_earned_value"
    return r
