"""Portfolio financials and earned value: pure functions, DataFrames in, DataFrames out.

Definitions (the notebook and ``docs/definitions.md`` say the same in words):

Forecast cash flow of a month
    Up to and including the ``as_of`` month: the actual cost / benefit where reported, else the
    planned figure. After ``as_of``: the planned figures. ``net = benefit - cost``.
total_cost, total_benefit, net_benefit
    Sums of the forecast over all months; ``net_benefit = total_benefit - total_cost``.
roi
    ``net_benefit / total_cost`` (empty when total_cost is 0).
npv (spreadsheet XNPV)
    ``sum(CF_i / (1 + r) ** ((d_i - d_0).days / 365))`` with each monthly net flow dated on the
    first day of its month and ``d_0`` the project's first cash-flow month.
bcr
    Present value of benefits / present value of costs, discounted as for npv.
irr (spreadsheet XIRR)
    The annual rate at which npv is zero; empty when the flows never change sign or no root exists
    in (-99%, 1,000,000%).
payback_months
    Months from the first cash-flow month through the first month whose cumulative forecast net
    flow is >= 0 (the first month counts as 1); empty if it never pays back.
Earned value (PMI) at ``as_of``
    BAC = budget; PV = planned cost up to and including the as_of month; AC = actual cost up to
    and including it; EV = percent_complete / 100 * BAC; CV = EV - AC; SV = EV - PV; CPI = EV / AC;
    SPI = EV / PV; EAC = BAC / CPI; VAC = BAC - EAC; TCPI = (BAC - EV) / (BAC - AC).
    Ratios are empty where the denominator is 0.
Portfolio totals
    Sums; ratios are recomputed from the sums (never averaged).
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = [
    "xnpv",
    "xirr",
    "forecast_cashflows",
    "project_financials",
    "earned_value",
    "roi_by_project",
    "portfolio_totals",
    "cumulative_cashflow",
    "priority_scores",
    "select_portfolio",
    "efficient_frontier",
    "recommendations",
]

_DAYS_PER_YEAR = 365.0


def _month(as_of) -> pd.Timestamp:
    return pd.Timestamp(as_of).to_period("M").to_timestamp()


def _safe_div(num, den):
    num = pd.Series(num, dtype="float64") if not isinstance(num, pd.Series) else num.astype("float64")
    den = pd.Series(den, dtype="float64", index=num.index) if not isinstance(den, pd.Series) \
        else den.astype("float64")
    return num.div(den.where(den != 0))


# --------------------------------------------------------------------------- scalar reference
def xnpv(rate: float, values: Sequence[float], dates: Sequence) -> float:
    """Spreadsheet XNPV: ``sum(v_i / (1 + rate) ** ((d_i - d_0).days / 365))``.

    ``d_0`` is the first date given (as in a spreadsheet).

    Examples
    --------
    >>> round(xnpv(0.1, [-1000, 1100], ["2026-01-01", "2027-01-01"]), 6)
    0.0
    """
    d = pd.to_datetime(pd.Series(dates))
    t = (d - d.iloc[0]).dt.days.to_numpy() / _DAYS_PER_YEAR
    return float(np.sum(np.asarray(values, dtype=float) / (1.0 + rate) ** t))


def xirr(values: Sequence[float], dates: Sequence, guess: float = 0.1) -> float:
    """Spreadsheet XIRR: the rate where :func:`xnpv` is zero; ``nan`` if there is none.

    Examples
    --------
    >>> round(xirr([-1000, 1100], ["2026-01-01", "2027-01-01"]), 6)
    0.1
    """
    s = pd.DataFrame({"project_id": "x", "t": _years(dates), "net": np.asarray(values, float)})
    return float(_vector_irr(s, guess=guess).iloc[0])


def _years(dates) -> np.ndarray:
    d = pd.to_datetime(pd.Series(dates))
    return (d - d.iloc[0]).dt.days.to_numpy() / _DAYS_PER_YEAR


# --------------------------------------------------------------------------- vectorized core
def forecast_cashflows(cashflows: pd.DataFrame, *, as_of) -> pd.DataFrame:
    """Add the forecast ``cost``, ``benefit`` and ``net`` of each project-month.

    Up to and including the as_of month the actual is used where reported, else the plan; after
    as_of the plan. Returns a new frame sorted by project and period.
    """
    m = _month(as_of)
    cf = cashflows.sort_values(["project_id", "period"], kind="stable").reset_index(drop=True)
    past = cf["period"] <= m
    out = cf.copy()
    for kind in ("cost", "benefit"):
        actual = cf[f"actual_{kind}"] if f"actual_{kind}" in cf.columns else np.nan
        out[kind] = cf[f"planned_{kind}"].where(~past, pd.Series(actual, index=cf.index)
                                                .fillna(cf[f"planned_{kind}"]))
    out["net"] = out["benefit"] - out["cost"]
    return out


def _npv_by_project(g: pd.DataFrame, codes: np.ndarray, n: int, rate) -> np.ndarray:
    rate = np.asarray(rate, dtype=float)
    r = rate[codes] if rate.ndim else rate
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        disc = g["net"].to_numpy() / (1.0 + r) ** g["t"].to_numpy()
    return np.bincount(codes, weights=disc, minlength=n)


def _vector_irr(g: pd.DataFrame, guess: float = 0.1) -> pd.Series:
    """XIRR for every project at once: scan a grid of rates for sign changes of NPV, keep the
    bracket nearest ``guess`` (where a spreadsheet's Newton iteration would land), then bisect."""
    codes, uniques = pd.factorize(g["project_id"], sort=True)
    n = len(uniques)
    net = g["net"].to_numpy()
    has_pos = np.bincount(codes, weights=(net > 0), minlength=n) > 0
    has_neg = np.bincount(codes, weights=(net < 0), minlength=n) > 0
    # grid in log(1 + r): from -99% to +1,000,000%
    grid = np.expm1(np.linspace(np.log(0.01), np.log(10_001.0), 241))
    vals = np.stack([_npv_by_project(g, codes, n, r) for r in grid])  # (grid, n)
    sign_change = np.sign(vals[:-1]) * np.sign(vals[1:]) <= 0
    sign_change &= np.isfinite(vals[:-1]) & np.isfinite(vals[1:])
    dist = np.abs(np.log1p(grid[:-1]) - np.log1p(guess))[:, None] + np.where(sign_change, 0, np.inf)
    best = np.argmin(dist, axis=0)
    found = np.isfinite(dist[best, np.arange(n)]) & has_pos & has_neg
    lo = np.log1p(grid[best])
    hi = np.log1p(grid[best + 1])
    f_lo = vals[best, np.arange(n)]
    for _ in range(100):
        mid = (lo + hi) / 2
        f_mid = _npv_by_project(g, codes, n, np.expm1(mid))
        left = np.sign(f_mid) == np.sign(f_lo)
        lo = np.where(left, mid, lo)
        f_lo = np.where(left, f_mid, f_lo)
        hi = np.where(left, hi, mid)
    root = np.expm1((lo + hi) / 2)
    # an exact zero on a grid point
    exact = vals[best, np.arange(n)] == 0
    root = np.where(exact, grid[best], root)
    return pd.Series(np.where(found, root, np.nan), index=uniques, name="irr")


def project_financials(cashflows: pd.DataFrame, *, as_of, discount_rate: float = 0.08
                       ) -> pd.DataFrame:
    """Financial returns per project from the forecast cash flows.

    Returns one row per project_id with total_cost, total_benefit, net_benefit, roi, npv, pv_cost,
    pv_benefit, bcr, irr, payback_months, first_period and last_period. See the module docstring
    for each definition.

    Examples
    --------
    >>> from pmo_analysis import load_portfolio
    >>> from pmo_analysis.config import SAMPLE_DATA_DIR
    >>> p = load_portfolio(SAMPLE_DATA_DIR)
    >>> fin = project_financials(p.cashflows, as_of="2026-06-30")
    >>> len(fin)
    40
    """
    if discount_rate <= -1:
        raise ValueError(f"discount_rate must be greater than -1, got {discount_rate!r}")
    f = forecast_cashflows(cashflows, as_of=as_of)
    codes, uniques = pd.factorize(f["project_id"], sort=True)
    n = len(uniques)
    first = f.groupby(codes)["period"].transform("min")
    f["t"] = (f["period"] - first).dt.days.to_numpy() / _DAYS_PER_YEAR
    disc = (1.0 + discount_rate) ** f["t"].to_numpy()
    out = pd.DataFrame(index=pd.Index(uniques, name="project_id"))
    out["total_cost"] = np.bincount(codes, weights=f["cost"].to_numpy(), minlength=n)
    out["total_benefit"] = np.bincount(codes, weights=f["benefit"].to_numpy(), minlength=n)
    out["net_benefit"] = out["total_benefit"] - out["total_cost"]
    out["roi"] = _safe_div(out["net_benefit"], out["total_cost"])
    out["pv_cost"] = np.bincount(codes, weights=f["cost"].to_numpy() / disc, minlength=n)
    out["pv_benefit"] = np.bincount(codes, weights=f["benefit"].to_numpy() / disc, minlength=n)
    out["npv"] = out["pv_benefit"] - out["pv_cost"]
    out["bcr"] = _safe_div(out["pv_benefit"], out["pv_cost"])
    out["irr"] = _vector_irr(f[["project_id", "t", "net"]])
    # payback: first month whose cumulative net >= 0, counted in calendar months from the first
    cum = f.groupby(codes)["net"].cumsum()
    months = ((f["period"].dt.year - first.dt.year) * 12
              + (f["period"].dt.month - first.dt.month) + 1)
    paid = pd.Series(np.where(cum.to_numpy() >= -1e-9, months.to_numpy(), np.nan))
    out["payback_months"] = paid.groupby(codes).min().to_numpy()
    out["payback_months"] = out["payback_months"].astype("Int64")
    out["first_period"] = f.groupby(codes)["period"].min().to_numpy()
    out["last_period"] = f.groupby(codes)["period"].max().to_numpy()
    return out.reset_index()


def earned_value(projects: pd.DataFrame, cashflows: pd.DataFrame, *, as_of) -> pd.DataFrame:
    """PMI earned-value figures per project at ``as_of`` (see the module docstring).

    Projects without cash flows get PV = AC = 0. Where ``percent_complete`` is absent or empty,
    EV and everything derived from it are empty.
    """
    m = _month(as_of)
    past = cashflows.loc[cashflows["period"] <= m]
    pv = past.groupby("project_id")["planned_cost"].sum()
    ac = (past.groupby("project_id")["actual_cost"].sum() if "actual_cost" in past.columns
          else pd.Series(dtype=float))
    out = projects[["project_id"]].copy()
    out["bac"] = projects["budget"].astype(float)
    out["pv"] = out["project_id"].map(pv).fillna(0.0).astype(float)
    out["ac"] = out["project_id"].map(ac).fillna(0.0).astype(float)
    pct = projects["percent_complete"] if "percent_complete" in projects.columns else np.nan
    out["ev"] = pd.Series(pct, index=projects.index, dtype=float) / 100.0 * out["bac"]
    out["cv"] = out["ev"] - out["ac"]
    out["sv"] = out["ev"] - out["pv"]
    out["cpi"] = _safe_div(out["ev"], out["ac"])
    out["spi"] = _safe_div(out["ev"], out["pv"])
    out["eac"] = _safe_div(out["bac"], out["cpi"])
    out["vac"] = out["bac"] - out["eac"]
    out["tcpi"] = _safe_div(out["bac"] - out["ev"], out["bac"] - out["ac"])
    return out.reset_index(drop=True)


ROI_COLUMNS = ["project_id", "name", "department", "status", "strategic_objective",
               "strategic_alignment", "risk_score", "total_cost", "total_benefit", "net_benefit",
               "roi", "npv", "irr", "bcr", "payback_months", "bac", "pv", "ev", "ac", "cpi", "spi",
               "cv", "sv", "eac", "vac", "tcpi"]


def roi_by_project(projects: pd.DataFrame, cashflows: pd.DataFrame, *, as_of,
                   discount_rate: float = 0.08) -> pd.DataFrame:
    """One row per project: its attributes, financial returns and earned value.

    Projects without any cash flow keep empty financial figures. Columns: :data:`ROI_COLUMNS`,
    then percent_complete, start_date, end_date, pv_cost and pv_benefit.
    """
    fin = project_financials(cashflows, as_of=as_of, discount_rate=discount_rate)
    ev = earned_value(projects, cashflows, as_of=as_of)
    out = projects.merge(fin, on="project_id", how="left").merge(ev, on="project_id", how="left")
    for c in ("strategic_objective", "strategic_alignment", "risk_score"):
        if c not in out.columns:
            out[c] = np.nan
    extra = [c for c in ("percent_complete", "start_date", "end_date", "pv_cost", "pv_benefit")
             if c in out.columns]
    return out[ROI_COLUMNS + extra]


def portfolio_totals(roi: pd.DataFrame, *, by: str | list[str] | None = None) -> pd.DataFrame:
    """Portfolio (or per-group) totals with ratios recomputed from the sums.

    roi = sum(net_benefit) / sum(total_cost); cpi = sum(ev) / sum(ac); spi = sum(ev) / sum(pv);
    npv is the sum of project npvs. Only projects with an EV enter the EV sums.
    """
    df = roi.copy()
    df["has_ev"] = df["ev"].notna()
    df["ev_ac"] = df["ac"].where(df["has_ev"], 0.0)
    df["ev_pv"] = df["pv"].where(df["has_ev"], 0.0)
    sums = ["total_cost", "total_benefit", "net_benefit", "npv", "bac", "pv", "ac", "ev",
            "ev_ac", "ev_pv", "pv_cost", "pv_benefit"]
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


def cumulative_cashflow(cashflows: pd.DataFrame, *, as_of) -> pd.DataFrame:
    """Portfolio net cash flow per month, planned and forecast, with running totals (the J-curve)."""
    f = forecast_cashflows(cashflows, as_of=as_of)
    f["planned_net"] = f["planned_benefit"] - f["planned_cost"]
    m = f.groupby("period")[["planned_net", "net"]].sum().rename(columns={"net": "forecast_net"})
    full = pd.date_range(m.index.min(), m.index.max(), freq="MS")
    m = m.reindex(full, fill_value=0.0).rename_axis("period")
    m["planned_cumulative"] = m["planned_net"].cumsum()
    m["forecast_cumulative"] = m["forecast_net"].cumsum()
    m["is_actual"] = m.index <= _month(as_of)
    return m.reset_index()


def priority_scores(roi: pd.DataFrame, *, w_alignment: float = 0.4, w_value: float = 0.4,
                    w_risk: float = 0.2, value: str = "npv") -> pd.DataFrame:
    """Weighted priority score 0-100 for each project.

    Components are scaled to 0-1: alignment (1-5 -> 0-1), value (the percentile rank of ``value``
    among the projects given: robust to outliers), and low risk (risk 1 -> 1, 5 -> 0). Missing
    alignment or risk count as the middle (0.5). score = 100 * sum(w_i * c_i) / sum(w_i).
    """
    weights = np.array([w_alignment, w_value, w_risk], dtype=float)
    if (weights < 0).any() or weights.sum() <= 0:
        raise ValueError(f"weights must be >= 0 and not all zero, got {weights.tolist()}")
    out = roi.copy()
    out["c_alignment"] = ((out["strategic_alignment"] - 1) / 4).fillna(0.5)
    out["c_value"] = out[value].rank(pct=True, method="average").fillna(0.0)
    out["c_risk"] = (1 - (out["risk_score"] - 1) / 4).fillna(0.5)
    out["score"] = 100 * (out[["c_alignment", "c_value", "c_risk"]].to_numpy() @ weights) / weights.sum()
    return out


def funding_need(roi: pd.DataFrame) -> pd.Series:
    """Money still to commit: the budget for a proposed project, the remaining budget
    (max(BAC - AC, 0)) for one already running."""
    remaining = (roi["bac"] - roi["ac"].fillna(0)).clip(lower=0)
    return remaining.where(roi["status"] != "proposed", roi["bac"])


def _knapsack(values: np.ndarray, costs: np.ndarray, cap: float, *, gap: float = 1e-6,
              time_limit: float | None = None) -> tuple[np.ndarray, float]:
    """0/1 knapsack with HiGHS: (chosen items, proven relative gap to the optimum)."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    n = len(values)
    if n == 0:
        return np.zeros(0, dtype=bool), 0.0
    # HiGHS presolve costs seconds on thousands of items and gains nothing on one constraint
    options = {"presolve": False, "mip_rel_gap": gap}
    if time_limit is not None:
        options["time_limit"] = time_limit
    res = milp(c=-values, constraints=LinearConstraint(costs[None, :], -np.inf, cap),
               integrality=np.ones(n), bounds=Bounds(0, 1), options=options)
    if res.x is None:  # pragma: no cover - x = 0 is always feasible
        raise RuntimeError(f"portfolio selection failed: {res.message}")
    return res.x > 0.5, float(getattr(res, "mip_gap", 0.0) or 0.0)


def select_portfolio(scored: pd.DataFrame, *, budget_cap: float, objective: str = "score"
                     ) -> pd.DataFrame:
    """Choose the proposed and active projects that maximize total ``objective`` within
    ``budget_cap`` of funding need (see :func:`funding_need`), solved exactly as a 0/1 knapsack
    with ``scipy.optimize.milp`` (optimal to a relative gap of 1e-6). Projects with a
    non-positive objective are never selected.

    Returns project_id, name, status, funding_need, score, npv and selected.
    """
    if objective not in ("score", "npv"):
        raise ValueError(f"objective must be 'score' or 'npv', got {objective!r}")
    if budget_cap < 0:
        raise ValueError(f"budget_cap must be >= 0, got {budget_cap!r}")
    cand = scored.loc[scored["status"].isin(["proposed", "active"])].copy()
    cand["funding_need"] = funding_need(cand)
    vals = cand[objective].fillna(0).to_numpy(dtype=float)
    pick, _ = _knapsack(np.clip(vals, 0, None), cand["funding_need"].to_numpy(dtype=float), budget_cap)
    cand["selected"] = pick & (vals > 0)
    cols = ["project_id", "name", "status", "funding_need", "score", "npv", "selected"]
    return cand[cols].sort_values(["selected", objective], ascending=False).reset_index(drop=True)


def efficient_frontier(scored: pd.DataFrame, *, objective: str = "score", levels: int = 25,
                       include: Sequence[float] = (), time_limit: float = 3.0) -> pd.DataFrame:
    """Best achievable total ``objective`` at each budget level from 0 to the full funding need
    (``levels`` evenly spaced levels, plus the budgets in ``include``, such as the chosen cap).

    Each level is a knapsack solved to a relative gap of 1e-4, or for at most ``time_limit``
    seconds on very large portfolios; the ``gap`` column gives the proven distance to the optimum.
    """
    cand = scored.loc[scored["status"].isin(["proposed", "active"])].copy()
    need = funding_need(cand).to_numpy(dtype=float)
    vals = np.clip(cand[objective].fillna(0).to_numpy(dtype=float), 0, None)
    caps = np.unique(np.r_[np.linspace(0, need.sum(), levels), np.asarray(include, dtype=float)])
    rows = []
    for cap in caps:
        pick, gap = _knapsack(vals, need, cap, gap=1e-4, time_limit=time_limit)
        rows.append({"budget": cap, "value": vals[pick].sum(), "projects": int(pick.sum()),
                     "spent": need[pick].sum(), "gap": gap})
    return pd.DataFrame(rows)


def recommendations(roi: pd.DataFrame, *, cpi_threshold: float = 0.85, spi_threshold: float = 0.85,
                    low_alignment: int = 2) -> pd.DataFrame:
    """Projects the PMO should consider stopping or re-scoping, each with its reasons in words.

    Rules (active, on-hold and proposed projects only):

    * stop: npv < 0 and strategic_alignment <= ``low_alignment``;
    * re-scope: cpi < ``cpi_threshold`` (cost overrun), or npv < 0 with higher alignment,
      or no payback within the forecast horizon;
    * re-plan: spi < ``spi_threshold`` (behind schedule).
    """
    df = roi.loc[roi["status"].isin(["active", "on_hold", "proposed"])].copy()
    reasons = pd.DataFrame(index=df.index)
    neg = df["npv"] < 0
    low = df["strategic_alignment"] <= low_alignment
    fmt = lambda v: f"{v:,.0f}"  # noqa: E731
    reasons["npv"] = np.where(neg, "negative NPV (" + df["npv"].map(fmt) + ")", "")
    reasons["align"] = np.where(neg & low, "low strategic alignment ("
                                + df["strategic_alignment"].map(lambda v: f"{v:.0f}") + "/5)", "")
    reasons["cpi"] = np.where(df["cpi"] < cpi_threshold,
                              "CPI " + df["cpi"].map(lambda v: f"{v:.2f}") + f" below {cpi_threshold:.2f}"
                              " (forecast overrun " + (df["eac"] - df["bac"]).map(fmt) + ")", "")
    reasons["spi"] = np.where(df["spi"] < spi_threshold,
                              "SPI " + df["spi"].map(lambda v: f"{v:.2f}") + f" below {spi_threshold:.2f}", "")
    reasons["payback"] = np.where(df["payback_months"].isna() & df["total_cost"].gt(0),
                                  "never pays back in the forecast", "")
    action = np.select([neg & low, (df["cpi"] < cpi_threshold) | neg | df["payback_months"].isna(),
                        df["spi"] < spi_threshold], ["stop", "re-scope", "re-plan"], "")
    df["recommendation"] = action
    df["reason"] = (reasons.where(reasons != "").stack().dropna().groupby(level=0).agg("; ".join)
                    .reindex(df.index, fill_value=""))
    df = df.loc[df["recommendation"] != ""]
    order = {"stop": 0, "re-scope": 1, "re-plan": 2}
    df = df.assign(_o=df["recommendation"].map(order)).sort_values(["_o", "npv"])
    return df[["project_id", "name", "department", "status", "recommendation", "reason", "npv",
               "cpi", "spi", "strategic_alignment"]].reset_index(drop=True)
