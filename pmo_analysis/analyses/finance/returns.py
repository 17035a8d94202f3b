"""Per-project figures: financial returns (ROI, NPV, BCR, IRR, payback), earned value (PMI), both
joined with the project's attributes, and portfolio or group totals.

The definitions are written in :mod:`pmo_analysis.analyses.finance`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pmo_analysis.analyses.finance.cashflows import _forecast
from pmo_analysis.analyses.finance.irr import _DAYS_PER_YEAR, _vector_irr
from pmo_analysis.analyses.finance.selection import funding_need
from pmo_analysis.core.periods import last_complete_month

__all__ = [
    "project_financials",
    "earned_value",
    "ROI_COLUMNS",
    "ROI_EXTRA_COLUMNS",
    "roi_by_project",
    "portfolio_totals",
]


def _safe_div(num, den, *, positive: bool = False):
    num = pd.Series(num, dtype="float64") if not isinstance(num, pd.Series) else num.astype("float64")
    den = pd.Series(den, dtype="float64", index=num.index) if not isinstance(den, pd.Series) else den.astype("float64")
    return num.div(den.where(den > 0 if positive else den != 0))


def project_financials(
    cashflows: pd.DataFrame, *, as_of, discount_rate: float = 0.08, forecast: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Financial returns per project from the forecast cash flows.

    Returns one row per project_id with total_cost, total_benefit, net_benefit, roi, npv,
    npv_as_of, remaining_npv, pv_cost, pv_benefit, bcr, irr, irr_roots, payback_months,
    months_without_actuals, first_period and last_period. See :mod:`pmo_analysis.analyses.finance` for
    each definition.

    Examples
    --------
    >>> from pmo_analysis import load_portfolio
    >>> from pmo_analysis.core.config import SAMPLE_DATA_DIR
    >>> p = load_portfolio(SAMPLE_DATA_DIR)
    >>> fin = project_financials(p.cashflows, as_of="2026-06-30")
    >>> len(fin), round(float(fin["npv_as_of"].sum()) / 1e6, 2)
    (40, 10.08)
    """
    if not np.isfinite(discount_rate) or discount_rate <= -1:
        raise ValueError(f"discount_rate must be a number greater than -1, got {discount_rate!r}")
    f = _forecast(cashflows, as_of, forecast)
    codes, uniques = pd.factorize(f["project_id"], sort=True)
    n = len(uniques)
    first = f.groupby(codes)["period"].transform("min")
    f["t"] = (f["period"] - first).dt.days.to_numpy() / _DAYS_PER_YEAR
    disc = (1.0 + discount_rate) ** f["t"].to_numpy()
    t_as_of = (f["period"] - pd.Timestamp(as_of).normalize()).dt.days.to_numpy() / _DAYS_PER_YEAR
    net_as_of = f["net"].to_numpy() / (1.0 + discount_rate) ** t_as_of
    future = (f["period"] > last_complete_month(as_of)).to_numpy()

    def total(weights) -> np.ndarray:
        return np.bincount(codes, weights=np.asarray(weights, dtype=float), minlength=n)

    out = pd.DataFrame(index=pd.Index(uniques, name="project_id"))
    out["total_cost"] = total(f["cost"])
    out["total_benefit"] = total(f["benefit"])
    out["net_benefit"] = out["total_benefit"] - out["total_cost"]
    out["roi"] = _safe_div(out["net_benefit"], out["total_cost"])
    out["pv_cost"] = total(f["cost"].to_numpy() / disc)
    out["pv_benefit"] = total(f["benefit"].to_numpy() / disc)
    out["npv"] = out["pv_benefit"] - out["pv_cost"]
    out["npv_as_of"] = total(net_as_of)
    out["remaining_npv"] = total(np.where(future, net_as_of, 0.0))
    out["bcr"] = _safe_div(out["pv_benefit"], out["pv_cost"])
    out = out.join(_vector_irr(f[["project_id", "t", "net"]]))
    # payback: the first month, at or after the first cost, whose cumulative net is >= 0
    cum = f.groupby(codes)["net"].cumsum()
    cost_started = f.groupby(codes)["cost"].cumsum() > 0
    months = (f["period"].dt.year - first.dt.year) * 12 + (f["period"].dt.month - first.dt.month) + 1
    paid = pd.Series(np.where((cum >= -1e-9) & cost_started, months.to_numpy(), np.nan))
    out["payback_months"] = paid.groupby(codes).min().to_numpy()
    out["payback_months"] = out["payback_months"].astype("Int64")
    out["months_without_actuals"] = total(f["accrued"]).astype(int)
    out["first_period"] = f.groupby(codes)["period"].min().to_numpy()
    out["last_period"] = f.groupby(codes)["period"].max().to_numpy()
    return out.reset_index()


def earned_value(
    projects: pd.DataFrame, cashflows: pd.DataFrame, *, as_of, forecast: pd.DataFrame | None = None
) -> pd.DataFrame:
    """PMI earned-value figures per project at ``as_of`` (see :mod:`pmo_analysis.analyses.finance`).

    AC counts the planned cost of a past month without a reported actual (``ac_reported`` is
    the reported part alone). Projects without cash flows get PV = AC = 0. Where
    ``percent_complete`` is absent or empty, EV and everything derived from it are empty.
    """
    f = _forecast(cashflows, as_of, forecast)
    past = f.loc[f["period"] <= last_complete_month(as_of)]
    g = past.groupby("project_id")
    pv, ac = g["planned_cost"].sum(), g["cost"].sum()
    reported = (
        (past["actual_cost"] if "actual_cost" in past.columns else pd.Series(np.nan, index=past.index))
        .groupby(past["project_id"])
        .sum()
    )
    out = projects[["project_id"]].copy()
    out["bac"] = projects["budget"].astype(float)
    out["pv"] = out["project_id"].map(pv).fillna(0.0).astype(float)
    out["ac"] = out["project_id"].map(ac).fillna(0.0).astype(float)
    out["ac_reported"] = out["project_id"].map(reported).fillna(0.0).astype(float)
    pct = projects["percent_complete"] if "percent_complete" in projects.columns else np.nan
    out["ev"] = pd.Series(pct, index=projects.index, dtype=float) / 100.0 * out["bac"]
    out["cv"] = out["ev"] - out["ac"]
    out["sv"] = out["ev"] - out["pv"]
    out["cpi"] = _safe_div(out["ev"], out["ac"])
    out["spi"] = _safe_div(out["ev"], out["pv"])
    out["eac"] = _safe_div(out["bac"], out["cpi"], positive=True)
    out["vac"] = out["bac"] - out["eac"]
    over_budget = out["ac"] >= out["bac"]
    out["tcpi"] = _safe_div(
        out["bac"] - out["ev"], (out["eac"] - out["ac"]).where(over_budget, out["bac"] - out["ac"]), positive=True
    )
    return out.reset_index(drop=True)


ROI_COLUMNS = [
    "project_id",
    "name",
    "department",
    "status",
    "strategic_objective",
    "strategic_alignment",
    "risk_score",
    "total_cost",
    "total_benefit",
    "net_benefit",
    "roi",
    "npv",
    "irr",
    "bcr",
    "payback_months",
    "bac",
    "pv",
    "ev",
    "ac",
    "cpi",
    "spi",
    "cv",
    "sv",
    "eac",
    "vac",
    "tcpi",
]
#: Columns added after :data:`ROI_COLUMNS` (and the optional project attributes).
ROI_EXTRA_COLUMNS = [
    "npv_as_of",
    "remaining_npv",
    "irr_roots",
    "months_without_actuals",
    "ac_reported",
    "funding_need",
    "pv_cost",
    "pv_benefit",
]


def roi_by_project(
    projects: pd.DataFrame,
    cashflows: pd.DataFrame,
    *,
    as_of,
    discount_rate: float = 0.08,
    forecast: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per project: its attributes, financial returns and earned value.

    Projects without any cash flow keep empty financial figures. Columns: :data:`ROI_COLUMNS`,
    then sponsor, manager, percent_complete, start_date, end_date where the projects table has
    them, then :data:`ROI_EXTRA_COLUMNS`.
    """
    f = _forecast(cashflows, as_of, forecast)
    fin = project_financials(cashflows, as_of=as_of, discount_rate=discount_rate, forecast=f)
    ev = earned_value(projects, cashflows, as_of=as_of, forecast=f)
    out = projects.merge(fin, on="project_id", how="left").merge(ev, on="project_id", how="left")
    for c in ("strategic_objective", "strategic_alignment", "risk_score"):
        if c not in out.columns:
            out[c] = np.nan
    out["months_without_actuals"] = out["months_without_actuals"].fillna(0).astype(int)
    out["irr_roots"] = out["irr_roots"].fillna(0).astype(int)
    out["funding_need"] = funding_need(out)
    attrs = [c for c in ("sponsor", "manager", "percent_complete", "start_date", "end_date") if c in out.columns]
    return out[ROI_COLUMNS + attrs + ROI_EXTRA_COLUMNS]


def portfolio_totals(roi: pd.DataFrame, *, by: str | list[str] | None = None) -> pd.DataFrame:
    """Portfolio (or per-group) totals with ratios recomputed from the sums.

    roi = sum(net_benefit) / sum(total_cost); cpi = sum(ev) / sum(ac); spi = sum(ev) / sum(pv);
    npv is the sum of each project's flows discounted to the as-of date (``npv_as_of``), so
    projects that start in different years are valued at one date. Only projects with an EV
    enter the EV sums.
    """
    df = roi.copy()
    if "npv_as_of" in df.columns:
        df["npv"] = df["npv_as_of"]
    df["has_ev"] = df["ev"].notna()
    df["ev_ac"] = df["ac"].where(df["has_ev"], 0.0)
    df["ev_pv"] = df["pv"].where(df["has_ev"], 0.0)
    sums = [
        "total_cost",
        "total_benefit",
        "net_benefit",
        "npv",
        "remaining_npv",
        "bac",
        "pv",
        "ac",
        "ev",
        "ev_ac",
        "ev_pv",
        "pv_cost",
        "pv_benefit",
        "funding_need",
    ]
    sums = [c for c in sums if c in df.columns]
    if by is None:
        g = df[sums].sum(min_count=0).to_frame().T
        g.insert(0, "projects", len(df))
    else:
        grouped = df.groupby(by, dropna=False, observed=True)
        g = grouped[sums].sum()
        g.insert(0, "projects", grouped.size())
        g = g.reset_index()
    g["roi"] = _safe_div(g["net_benefit"], g["total_cost"])
    g["cpi"] = _safe_div(g["ev"], g["ev_ac"])
    g["spi"] = _safe_div(g["ev"], g["ev_pv"])
    return g.drop(columns=["ev_ac", "ev_pv"])
