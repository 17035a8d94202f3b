"""Portfolio financials and earned value: pure functions, DataFrames in, DataFrames out.

Definitions (the notebooks and ``docs/definitions.md`` say the same in words). Months are dated on
their first day; the *last complete month* is defined in :mod:`pmo_analysis.core.periods`.

Forecast cash flow of a month
    Up to and including the last complete month: the actual cost / benefit where reported, else
    the planned figure (a past month without a reported actual is *accrued* at its plan, the
    assumption the forecast makes anyway). Later months: the planned figures.
    ``net = benefit - cost``.
total_cost, total_benefit, net_benefit
    Sums of the forecast over all months; ``net_benefit = total_benefit - total_cost``.
roi
    ``net_benefit / total_cost`` (empty when total_cost is 0).
npv (spreadsheet XNPV, lifetime)
    ``sum(CF_i / (1 + r) ** ((d_i - d_0).days / 365))`` with each monthly net flow dated on the
    first day of its month and ``d_0`` the project's first cash-flow month.
npv_as_of
    The same flows discounted to the as-of date: ``sum(CF_i / (1 + r) ** ((d_i - as_of).days / 365))``
    (past flows are compounded forward). Portfolio and group NPV are sums of npv_as_of, so every
    project is valued at the same date.
remaining_npv
    npv_as_of of the months after the last complete month only: the value still to gain or lose.
    Money already spent is sunk; stop and re-scope decisions judge this figure.
bcr
    Present value of benefits / present value of costs, discounted as for npv.
irr (spreadsheet XIRR) and irr_roots
    irr_roots counts every annual rate in (-99%, 1,000,000%) at which npv is zero (found exactly:
    flows with at most one sign change have at most one root; others are split at the roots of
    the derivative, recursively, so no two roots hide between grid points). irr is the root
    nearest 10%, as a spreadsheet's iteration from its default guess would find; empty when
    there is no root. Where irr_roots > 1, the IRR is not unique and is shown with its count.
payback_months
    Months from the first cash-flow month through the first month, at or after the first month
    with a cost, whose cumulative forecast net flow is >= 0 (the first month counts as 1); empty
    if it never pays back, or if the project has no cost.
Earned value (PMI) at ``as_of``
    BAC = budget; PV = planned cost through the last complete month; AC = forecast cost through
    it (reported actuals, and the plan for months without one); EV = percent_complete / 100 *
    BAC; CV = EV - AC; SV = EV - PV; CPI = EV / AC; SPI = EV / PV; EAC = BAC / CPI;
    VAC = BAC - EAC; TCPI = (BAC - EV) / (BAC - AC) while AC < BAC, and (BAC - EV) / (EAC - AC)
    once AC >= BAC. Ratios are empty where the denominator is 0 or less.
months_without_actuals
    Months up to the last complete month with a planned cost but no reported actual cost: the
    months accrued at plan. Shown beside CPI as a data-quality flag.
funding_need
    Money still to commit: the budget of a proposed project; max(EAC - AC, 0) of a running one
    (max(BAC - AC, 0) where EAC cannot be computed); 0 for a closed one.
Portfolio totals
    Sums; ratios are recomputed from the sums (never averaged).
"""
from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

import numpy as np
import pandas as pd

from pmo_analysis.core.config import RUNNING_STATUSES
from pmo_analysis.core.formatting import as_text, money, ratio
from pmo_analysis.core.i18n import _, current, label
from pmo_analysis.core.periods import last_complete_month

__all__ = [
    "xnpv",
    "xirr",
    "irr_roots",
    "forecast_cashflows",
    "project_financials",
    "earned_value",
    "roi_by_project",
    "portfolio_totals",
    "cumulative_cashflow",
    "project_months",
    "priority_scores",
    "funding_need",
    "select_portfolio",
    "efficient_frontier",
    "recommendations",
    "DECISIONS",
    "decide",
]

_DAYS_PER_YEAR = 365.0
_RUNNING = RUNNING_STATUSES
#: Rates searched for IRR roots: -99% to +1,000,000% a year.
_IRR_RANGE = (-0.99, 10_000.0)


def _safe_div(num, den, *, positive: bool = False):
    num = pd.Series(num, dtype="float64") if not isinstance(num, pd.Series) else num.astype("float64")
    den = pd.Series(den, dtype="float64", index=num.index) if not isinstance(den, pd.Series) \
        else den.astype("float64")
    return num.div(den.where(den > 0 if positive else den != 0))


# --------------------------------------------------------------------------- scalar reference
def xnpv(rate: float, values: Sequence[float], dates: Sequence) -> float:
    """Spreadsheet XNPV: ``sum(v_i / (1 + rate) ** ((d_i - d_0).days / 365))``.

    ``d_0`` is the first date given (as in a spreadsheet).

    Examples
    --------
    >>> abs(round(xnpv(0.1, [-1000, 1100], ["2026-01-01", "2027-01-01"]), 6))
    0.0
    """
    t = _years(dates)
    return float(np.sum(np.asarray(values, dtype=float) / (1.0 + rate) ** t))


def xirr(values: Sequence[float], dates: Sequence, guess: float = 0.1) -> float:
    """Spreadsheet XIRR: the rate where :func:`xnpv` is zero, the root nearest ``guess`` where
    there are several (see :func:`irr_roots`); ``nan`` if there is none.

    Examples
    --------
    >>> round(xirr([-1000, 1100], ["2026-01-01", "2027-01-01"]), 6)
    0.1
    >>> round(xirr([-1000, 3900, -4992.5, 2100],
    ...            ["2025-01-01", "2026-01-01", "2027-01-01", "2028-01-01"]), 6)
    0.05
    """
    roots = irr_roots(values, dates)
    if not len(roots):
        return float("nan")
    return float(roots[np.argmin(np.abs(roots - guess))])


def irr_roots(values: Sequence[float], dates: Sequence) -> np.ndarray:
    """Every annual rate in (-99%, 1,000,000%) at which :func:`xnpv` is zero, ascending.

    Examples
    --------
    >>> [round(float(r), 6) for r in irr_roots([-1000, 2220, -1232], ["2025-01-01", "2026-01-01", "2027-01-01"])]
    [0.1, 0.12]
    """
    return _roots(np.asarray(values, dtype=float), _years(dates))


def _years(dates) -> np.ndarray:
    d = pd.to_datetime(pd.Series(dates))
    return (d - d.iloc[0]).dt.days.to_numpy() / _DAYS_PER_YEAR


def _sign_changes(values: np.ndarray) -> int:
    s = np.sign(values[values != 0])
    return int(np.count_nonzero(s[1:] != s[:-1]))


def _roots(values: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Roots in rate of ``sum(v_i / (1 + r) ** t_i)``, found exactly.

    With ``u = -log(1 + r)`` the NPV is ``g(u) = sum(v_i * exp(t_i * u))``, an exponential sum.
    By the rule of signs (which holds for real exponents), g has at most as many roots as its
    coefficients (ordered by exponent) change sign. With at most one change, a root is bracketed
    by the ends of the range; otherwise g is monotone between consecutive roots of its derivative,
    itself an exponential sum with one term fewer, found the same way (recursively).
    """
    order = np.argsort(t, kind="stable")
    t, v = t[order], values[order]
    ut, inv = np.unique(t, return_inverse=True)
    c = np.bincount(inv, weights=v)
    keep = c != 0
    lo, hi = -np.log1p(_IRR_RANGE[1]), -np.log1p(_IRR_RANGE[0])
    u = _exp_sum_roots(c[keep], ut[keep], lo, hi)
    return np.sort(np.expm1(-np.asarray(u, dtype=float)))


def _exp_sum_roots(c: np.ndarray, t: np.ndarray, lo: float, hi: float) -> list[float]:
    from scipy.optimize import brentq

    if len(c) == 0 or _sign_changes(c) == 0:
        return []
    t = t - t[0]  # divide by exp(t_0 u): same roots, and the derivative drops the first term

    def g(u: float) -> float:
        with np.errstate(over="ignore"):
            return float(np.dot(c, np.exp(t * u)))

    if _sign_changes(c) == 1:
        points = [lo, hi]
    else:
        keep = t > 0
        points = [lo, *_exp_sum_roots(c[keep] * t[keep], t[keep], lo, hi), hi]
    roots: list[float] = []
    vals = [g(x) for x in points]
    for (a, fa), (b, fb) in pairwise(zip(points, vals, strict=True)):
        if fa == 0:
            roots.append(a)
        elif np.isfinite(fa) and np.isfinite(fb) and fa * fb < 0:
            roots.append(brentq(g, a, b, xtol=1e-15, rtol=1e-15, maxiter=500))
    if vals[-1] == 0:
        roots.append(points[-1])
    # a root found from both sides of a critical point is one root
    out = [r for i, r in enumerate(roots) if i == 0 or abs(r - roots[i - 1]) > 1e-12]
    return out


# --------------------------------------------------------------------------- vectorized core
def forecast_cashflows(cashflows: pd.DataFrame, *, as_of) -> pd.DataFrame:
    """Add the forecast ``cost``, ``benefit`` and ``net`` of each project-month, and ``accrued``.

    Up to and including the last complete month the actual is used where reported, else the plan
    (``accrued`` is True where a planned cost stands in for a missing actual cost); later months
    use the plan. Returns a new frame sorted by project and period.

    The functions of this module that need it take it as ``forecast=`` (this function's result for
    the same cash flows and as_of date): the portfolio model forecasts ten million project-months
    once, not once per figure. Without it, each forecasts for itself.

    >>> cf = pd.DataFrame({"project_id": ["P1", "P1"], "period": pd.to_datetime(["2026-05-01", "2026-07-01"]),
    ...                    "planned_cost": [10.0, 10.0], "actual_cost": [12.0, None],
    ...                    "planned_benefit": [0.0, 30.0], "actual_benefit": [0.0, None]})
    >>> f = forecast_cashflows(cf, as_of="2026-06-30")
    >>> f[["cost", "benefit", "net", "accrued"]].values.tolist()
    [[12.0, 0.0, -12.0, False], [10.0, 30.0, 20.0, False]]
    """
    last = last_complete_month(as_of)
    cf = cashflows.sort_values(["project_id", "period"], kind="stable").reset_index(drop=True)
    past = cf["period"] <= last
    out = cf  # a new frame already
    for kind in ("cost", "benefit"):
        actual = cf[f"actual_{kind}"] if f"actual_{kind}" in cf.columns else \
            pd.Series(np.nan, index=cf.index)
        out[kind] = cf[f"planned_{kind}"].where(~past, actual.fillna(cf[f"planned_{kind}"]))
        if kind == "cost":
            out["accrued"] = past & actual.isna() & (cf["planned_cost"] > 0)
    out["net"] = out["benefit"] - out["cost"]
    return out


def _forecast(cashflows: pd.DataFrame, as_of, forecast: pd.DataFrame | None) -> pd.DataFrame:
    """``forecast`` if given (:func:`forecast_cashflows` of these flows at as_of), else a new one;
    a frame of the caller's own either way (the functions add columns to it).
    """
    return forecast.copy(deep=False) if forecast is not None else forecast_cashflows(cashflows, as_of=as_of)


def _bracketed_newton(codes: np.ndarray, t: np.ndarray, net: np.ndarray, which: np.ndarray, lo: np.ndarray,
                      hi: np.ndarray, f_lo: np.ndarray) -> np.ndarray:
    """The root x in (lo, hi) of f(x) = sum(net * exp(-t * x)) for each project of ``which``.

    f has one root in each bracket (its sign differs at ``lo`` and ``hi``). Each step is Newton's
    (f' = -sum(t * net * exp(-t * x))) where it lands inside the bracket, else bisection, and the
    bracket shrinks around the root at every step; a project is done when its step no longer
    moves x (or f is 0). Done projects leave the computation, so its cost per step falls as they
    converge (about six steps each, where bisection took some fifty over every row of them all).
    """
    keep = np.isin(codes, which)
    rows_t, rows_net = t[keep], net[keep]
    rows_k = np.searchsorted(which, codes[keep])  # 0..len(which)-1, rows grouped by project
    n = len(which)
    x = (lo + hi) / 2
    out = x.copy()
    active = np.arange(n)
    lo, hi, f_lo = lo.copy(), hi.copy(), f_lo.copy()
    for _step in range(200):
        if not len(active):
            break
        k = rows_k
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            e = rows_net * np.exp(-rows_t * x[k])
            f = np.bincount(k, weights=e, minlength=len(active))
            d = -np.bincount(k, weights=rows_t * e, minlength=len(active))
            left = np.sign(f) == np.sign(f_lo)
            lo, f_lo, hi = np.where(left, x, lo), np.where(left, f, f_lo), np.where(left, hi, x)
            newton = x - f / d
        inside = np.isfinite(newton) & (newton > lo) & (newton < hi)
        nxt = np.where(inside, newton, (lo + hi) / 2)
        done = (f == 0) | (nxt == x) | (np.abs(nxt - x) <= 1e-15 * np.maximum(np.abs(x), 1.0)) | (hi - lo <= 0)
        out[active] = np.where(f == 0, x, nxt)
        go = ~done
        if not go.all():  # the converged projects leave: renumber the others and keep their rows
            rows = go[k]
            rows_t, rows_net = rows_t[rows], rows_net[rows]
            rows_k = (np.cumsum(go) - 1)[k[rows]]
            active, x, lo, hi, f_lo = active[go], nxt[go], lo[go], hi[go], f_lo[go]
        else:
            x = nxt
    return out


def _vector_irr(g: pd.DataFrame, guess: float = 0.1) -> pd.DataFrame:
    """IRR and the number of roots for every project.

    Flows with at most one sign change have at most one root: all such projects are solved at
    once (a grid of rates brackets the root, then bisection). The few others are solved exactly
    by :func:`_roots`, which finds every root.
    """
    codes, uniques = pd.factorize(g["project_id"], sort=True)
    n = len(uniques)
    net = g["net"].to_numpy()
    nz = net != 0
    sign = np.sign(net)
    # sign changes per project among the non-zero flows (rows are sorted by project, period)
    prev_sign = pd.Series(np.where(nz, sign, np.nan)).groupby(codes).ffill().shift(1)
    same_project = np.r_[False, codes[1:] == codes[:-1]]
    change = nz & same_project & prev_sign.notna().to_numpy() & (prev_sign.to_numpy() != sign)
    changes = np.bincount(codes, weights=change, minlength=n)
    grid = np.expm1(np.linspace(np.log1p(_IRR_RANGE[0]), np.log1p(_IRR_RANGE[1]), 241))
    # the grid brackets the root by the sign of the NPV at each rate: every rate for every project at
    # once, as (project x distinct time) flows times (distinct time x rate) discount factors
    t_codes, t_values = pd.factorize(g["t"], sort=False)
    from scipy.sparse import csr_matrix  # here: report kernels import this module only to read

    flows = csr_matrix((net, (codes, t_codes)), shape=(n, len(t_values)))
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        factors = 1.0 / (1.0 + grid)[None, :] ** np.asarray(t_values, dtype=float)[:, None]
        vals = np.asarray(flows @ factors).T  # (grid, n)
    sign_change = np.sign(vals[:-1]) * np.sign(vals[1:]) <= 0
    sign_change &= np.isfinite(vals[:-1]) & np.isfinite(vals[1:])
    dist = np.abs(np.log1p(grid[:-1]) - np.log1p(guess))[:, None] + np.where(sign_change, 0, np.inf)
    best = np.argmin(dist, axis=0)
    found = np.isfinite(dist[best, np.arange(n)]) & (changes >= 1)
    exact = vals[best, np.arange(n)] == 0
    irr = np.where(found & exact, grid[best], np.nan)
    count = found.astype(int)
    # the projects with one sign change and a bracketed root (the others are found below, or have
    # none): Newton's method in x = log(1 + rate), kept inside the bracket by bisection
    one = np.flatnonzero(found & ~exact & (changes == 1))
    lo, hi = np.log1p(grid[best[one]]), np.log1p(grid[best[one] + 1])
    irr[one] = np.expm1(_bracketed_newton(codes, g["t"].to_numpy(), net, one, lo, hi, vals[best[one], one]))
    # possibly several roots: find them all, project by project (rows grouped by project)
    several = np.flatnonzero(changes >= 2)
    if len(several):
        order = np.argsort(codes, kind="stable")
        bounds = np.r_[0, np.cumsum(np.bincount(codes, minlength=n))]
        t_all = g["t"].to_numpy()
        for k in several:
            r = order[bounds[k]:bounds[k + 1]]
            roots = _roots(net[r], t_all[r])
            count[k] = len(roots)
            irr[k] = roots[np.argmin(np.abs(roots - guess))] if len(roots) else np.nan
    return pd.DataFrame({"irr": irr, "irr_roots": count}, index=uniques)


def project_financials(cashflows: pd.DataFrame, *, as_of, discount_rate: float = 0.08,
                       forecast: pd.DataFrame | None = None) -> pd.DataFrame:
    """Financial returns per project from the forecast cash flows.

    Returns one row per project_id with total_cost, total_benefit, net_benefit, roi, npv,
    npv_as_of, remaining_npv, pv_cost, pv_benefit, bcr, irr, irr_roots, payback_months,
    months_without_actuals, first_period and last_period. See the module docstring for each
    definition.

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
    months = ((f["period"].dt.year - first.dt.year) * 12
              + (f["period"].dt.month - first.dt.month) + 1)
    paid = pd.Series(np.where((cum >= -1e-9) & cost_started, months.to_numpy(), np.nan))
    out["payback_months"] = paid.groupby(codes).min().to_numpy()
    out["payback_months"] = out["payback_months"].astype("Int64")
    out["months_without_actuals"] = total(f["accrued"]).astype(int)
    out["first_period"] = f.groupby(codes)["period"].min().to_numpy()
    out["last_period"] = f.groupby(codes)["period"].max().to_numpy()
    return out.reset_index()


def earned_value(projects: pd.DataFrame, cashflows: pd.DataFrame, *, as_of,
                 forecast: pd.DataFrame | None = None) -> pd.DataFrame:
    """PMI earned-value figures per project at ``as_of`` (see the module docstring).

    AC counts the planned cost of a past month without a reported actual (``ac_reported`` is
    the reported part alone). Projects without cash flows get PV = AC = 0. Where
    ``percent_complete`` is absent or empty, EV and everything derived from it are empty.
    """
    f = _forecast(cashflows, as_of, forecast)
    past = f.loc[f["period"] <= last_complete_month(as_of)]
    g = past.groupby("project_id")
    pv, ac = g["planned_cost"].sum(), g["cost"].sum()
    reported = (past["actual_cost"] if "actual_cost" in past.columns
                else pd.Series(np.nan, index=past.index)).groupby(past["project_id"]).sum()
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
    out["tcpi"] = _safe_div(out["bac"] - out["ev"],
                            (out["eac"] - out["ac"]).where(over_budget, out["bac"] - out["ac"]),
                            positive=True)
    return out.reset_index(drop=True)


ROI_COLUMNS = ["project_id", "name", "department", "status", "strategic_objective",
               "strategic_alignment", "risk_score", "total_cost", "total_benefit", "net_benefit",
               "roi", "npv", "irr", "bcr", "payback_months", "bac", "pv", "ev", "ac", "cpi", "spi",
               "cv", "sv", "eac", "vac", "tcpi"]
#: Columns added after :data:`ROI_COLUMNS` (and the optional project attributes).
ROI_EXTRA_COLUMNS = ["npv_as_of", "remaining_npv", "irr_roots", "months_without_actuals",
                     "ac_reported", "funding_need", "pv_cost", "pv_benefit"]


def roi_by_project(projects: pd.DataFrame, cashflows: pd.DataFrame, *, as_of,
                   discount_rate: float = 0.08, forecast: pd.DataFrame | None = None) -> pd.DataFrame:
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
    attrs = [c for c in ("sponsor", "manager", "percent_complete", "start_date", "end_date")
             if c in out.columns]
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
    sums = ["total_cost", "total_benefit", "net_benefit", "npv", "remaining_npv", "bac", "pv",
            "ac", "ev", "ev_ac", "ev_pv", "pv_cost", "pv_benefit", "funding_need"]
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


def cumulative_cashflow(cashflows: pd.DataFrame, *, as_of, forecast: pd.DataFrame | None = None) -> pd.DataFrame:
    """Net cash flow per month, planned and forecast, with running totals (the J-curve) of the
    flows given (the portfolio, or one project's rows). ``ahead_of_plan`` is the forecast minus
    the planned running total; ``is_actual`` marks the complete months.
    """
    cols = ["period", "planned_net", "forecast_net", "planned_cumulative", "forecast_cumulative",
            "ahead_of_plan", "is_actual"]
    if cashflows.empty:
        return pd.DataFrame(columns=cols)
    f = _forecast(cashflows, as_of, forecast)
    f["planned_net"] = f["planned_benefit"] - f["planned_cost"]
    m = f.groupby("period")[["planned_net", "net"]].sum().rename(columns={"net": "forecast_net"})
    full = pd.date_range(m.index.min(), m.index.max(), freq="MS")
    m = m.reindex(full, fill_value=0.0).rename_axis("period")
    m["planned_cumulative"] = m["planned_net"].cumsum()
    m["forecast_cumulative"] = m["forecast_net"].cumsum()
    m["ahead_of_plan"] = m["forecast_cumulative"] - m["planned_cumulative"]
    m["is_actual"] = m.index <= last_complete_month(as_of)
    return m.reset_index()[cols]


def project_months(cashflows: pd.DataFrame, *, as_of, forecast: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every project's months, for its earned-value S-curve and its J-curve (one row per
    project-month with a cash flow).

    ``pv_cumulative`` is the planned cost to date (the PV of that month: PV at as_of is its value
    at the last complete month); ``ac_cumulative`` the forecast cost to date (the AC: reported
    actuals, and the plan for months without one), whose value at the last complete month is the
    project's AC; ``planned_cumulative`` and ``forecast_cumulative`` the running net flows, as
    :func:`cumulative_cashflow` computes them for the portfolio; ``is_actual`` marks the complete
    months. EV has one value, at as_of (percent complete is reported once), so it is not here.

    Examples
    --------
    >>> from pmo_analysis import load_portfolio
    >>> from pmo_analysis.core.config import SAMPLE_DATA_DIR
    >>> p = load_portfolio(SAMPLE_DATA_DIR)
    >>> m = project_months(p.cashflows, as_of="2026-06-30")
    >>> ev = earned_value(p.projects, p.cashflows, as_of="2026-06-30").set_index("project_id")
    >>> last = m.loc[m["is_actual"]].groupby("project_id").last()
    >>> bool(np.allclose(last["ac_cumulative"], ev.loc[last.index, "ac"]))
    True
    """
    cols = ["project_id", "period", "planned_cost", "cost", "planned_net", "forecast_net", "pv_cumulative",
            "ac_cumulative", "planned_cumulative", "forecast_cumulative", "is_actual"]
    f = _forecast(cashflows, as_of, forecast)  # sorted by project and period
    f["planned_net"] = f["planned_benefit"] - f["planned_cost"]
    f = f.rename(columns={"net": "forecast_net"})
    g = f.groupby("project_id", sort=False, observed=True)
    f["pv_cumulative"] = g["planned_cost"].cumsum()
    f["ac_cumulative"] = g["cost"].cumsum()
    f["planned_cumulative"] = g["planned_net"].cumsum()
    f["forecast_cumulative"] = g["forecast_net"].cumsum()
    f["is_actual"] = f["period"] <= last_complete_month(as_of)
    return f[cols].reset_index(drop=True)


def priority_scores(roi: pd.DataFrame, *, w_alignment: float = 0.4, w_value: float = 0.4,
                    w_risk: float = 0.2, value: str = "npv") -> pd.DataFrame:
    """Weighted priority score 0-100 for each project.

    Components are scaled to 0-1: alignment (1-5 -> 0-1), value (the percentile rank of ``value``
    among the projects given: robust to outliers), and low risk (risk 1 -> 1, 5 -> 0). Missing
    alignment or risk count as the middle (0.5). score = 100 * sum(w_i * c_i) / sum(w_i).
    """
    weights = np.array([w_alignment, w_value, w_risk], dtype=float)
    if not np.isfinite(weights).all() or (weights < 0).any() or weights.sum() <= 0:
        raise ValueError(f"weights must be >= 0 and not all zero, got {weights.tolist()}")
    out = roi.copy()
    out["c_alignment"] = ((out["strategic_alignment"] - 1) / 4).fillna(0.5)
    out["c_value"] = out[value].rank(pct=True, method="average").fillna(0.0)
    out["c_risk"] = (1 - (out["risk_score"] - 1) / 4).fillna(0.5)
    out["score"] = 100 * (out[["c_alignment", "c_value", "c_risk"]].to_numpy() @ weights) / weights.sum()
    return out


def funding_need(roi: pd.DataFrame) -> pd.Series:
    """Money still to commit (see the module docstring): the budget of a proposed project,
    max(EAC - AC, 0) of a running one (max(BAC - AC, 0) where EAC is empty), 0 otherwise.
    """
    ac = roi["ac"].fillna(0)
    eac = roi["eac"] if "eac" in roi.columns else pd.Series(np.nan, index=roi.index)
    to_complete = eac.where(eac.notna(), roi["bac"]) - ac
    need = to_complete.clip(lower=0)
    need = need.where(roi["status"] != "proposed", roi["bac"])
    return need.where(roi["status"].isin(("proposed", *_RUNNING)), 0.0).astype(float)


_FIX_ABOVE = 20_000
"""Candidates above which the knapsack fixes items before HiGHS: measured on generated portfolios,
HiGHS alone takes 3 s for 7,000 candidates (fixing first: 4 s) but 80 s for 70,000 (fixing first: 17 s)."""


def _knapsack(values: np.ndarray, costs: np.ndarray, cap: float, *, gap: float = 1e-6,
              time_limit: float | None = None) -> tuple[np.ndarray, float]:
    """0/1 knapsack with HiGHS: (chosen items, proven relative gap to the optimum).

    Before the solver, reduced-cost fixing (a textbook step of branch and bound): with the ratio
    of the first item the relaxed problem cannot take whole as the price of a unit of budget, an
    item whose value exceeds its cost at that price by more than the distance between the relaxed
    optimum and the greedy selection is in every selection better than the greedy one, and an item
    short by more is in none. HiGHS then sees only the items near that ratio: on 100,000
    projects a fraction of them (see :data:`_FIX_ABOVE`). The greedy selection is kept if nothing
    beats it.
    """
    n = len(values)
    if n <= _FIX_ABOVE:
        return _milp_knapsack(values, costs, cap, gap=gap, time_limit=time_limit)
    greedy, _ = _greedy_knapsack(values, costs, cap)
    idx = np.flatnonzero((costs > 0) & (values > 0))
    with np.errstate(over="ignore"):  # a value per a tiny cost is infinite: first in line, as it should be
        order = idx[np.argsort(-(values[idx] / costs[idx]), kind="stable")]
    cum = np.cumsum(costs[order])
    k = int(np.searchsorted(cum, cap, side="right"))
    if k >= len(order):  # every item of positive value fits: nothing to choose
        return greedy, 0.0
    price = values[order[k]] / costs[order[k]]
    upper = float(values[(costs <= 0) & (values > 0)].sum() + values[order[:k]].sum()
                  + (cap - (cum[k - 1] if k else 0.0)) * price)
    slack = max(upper - float(values[greedy].sum()), 0.0) * (1 + 1e-9) + 1e-9 * max(upper, 1.0)
    reduced = values - price * costs
    one = (values > 0) & ((costs <= 0) | (reduced > slack))
    core = (values > 0) & ~one & (reduced >= -slack)
    left = cap - float(costs[one].sum())
    if left < 0:  # pragma: no cover - rounding only: solve the whole problem
        one, core, left = np.zeros(n, dtype=bool), values > 0, cap
    pick, found_gap = _milp_knapsack(values[core], costs[core], left, gap=gap, time_limit=time_limit)
    chosen = one.copy()
    chosen[np.flatnonzero(core)[pick]] = True
    if values[greedy].sum() > values[chosen].sum():
        return greedy, found_gap
    return chosen, found_gap


def _milp_knapsack(values: np.ndarray, costs: np.ndarray, cap: float, *, gap: float,
                   time_limit: float | None) -> tuple[np.ndarray, float]:
    """0/1 knapsack solved by HiGHS (scipy.optimize.milp) to the relative ``gap``."""
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


def _objective_column(objective: str) -> str:
    if objective not in ("score", "npv"):
        raise ValueError(f"objective must be 'score' or 'npv', got {objective!r}")
    return "score" if objective == "score" else "remaining_npv"


def _candidates(scored: pd.DataFrame) -> pd.DataFrame:
    """Projects that compete for funding: proposed and running, minus those the rules stop."""
    cand = scored.loc[scored["status"].isin(("proposed", *_RUNNING))]
    if "decision" in cand.columns:
        cand = cand.loc[~cand["decision"].isin(("stop", "reject"))]
    return cand.copy()


def select_portfolio(scored: pd.DataFrame, *, budget_cap: float, objective: str = "score"
                     ) -> pd.DataFrame:
    """Choose the proposed and running projects that maximize the total ``objective`` (the
    priority score, or the remaining NPV) within ``budget_cap`` of funding need (see
    :func:`funding_need`), solved exactly as a 0/1 knapsack with ``scipy.optimize.milp``
    (optimal to a relative gap of 1e-6). Projects with a non-positive objective are never
    selected; projects whose ``decision`` is stop or reject are not candidates.

    Returns project_id, name, status, funding_need, score, remaining_npv and selected.
    """
    col = _objective_column(objective)
    if not np.isfinite(budget_cap) or budget_cap < 0:
        raise ValueError(f"budget_cap must be a number >= 0, got {budget_cap!r}")
    cand = _candidates(scored)
    if "funding_need" not in cand.columns:
        cand["funding_need"] = funding_need(cand)
    vals = cand[col].fillna(0).to_numpy(dtype=float)
    pick, _value = _knapsack(np.clip(vals, 0, None), cand["funding_need"].to_numpy(dtype=float), budget_cap)
    cand["selected"] = pick & (vals > 0)
    cols = [c for c in ("project_id", "name", "status", "funding_need", "score", "remaining_npv",
                        "selected") if c in cand.columns]
    return cand[cols].sort_values(["selected", col], ascending=False).reset_index(drop=True)


def _greedy_knapsack(values: np.ndarray, costs: np.ndarray, cap: float) -> tuple[np.ndarray, float]:
    """0/1 knapsack by Dantzig's greedy: (chosen items, proven relative gap to the optimum).

    Items with a positive value are taken by value per unit of cost, best first, while they fit;
    then every later item that still fits (those with no cost always do). The gap is measured
    against the optimum of the relaxed problem (the items taken whole plus the fraction of the
    first one that does not fit), which no selection can beat. On thousands of items it is of the
    order of 1e-5, found in milliseconds; without any Python loop over items (one step per item
    skipped for not fitting, until nothing left fits).
    """
    pick = (costs <= 0) & (values > 0)
    idx = np.flatnonzero((costs > 0) & (values > 0))
    with np.errstate(over="ignore"):  # a value per a tiny cost is infinite: first in line, as it should be
        order = idx[np.argsort(-(values[idx] / costs[idx]), kind="stable")]
    c = costs[order]
    cum = np.cumsum(c)
    k = int(np.searchsorted(cum, cap, side="right"))  # the first k items fit
    taken = np.zeros(len(c), dtype=bool)
    taken[:k] = True
    bound = float(values[pick].sum() + values[order[:k]].sum())
    if k < len(c):
        bound += (cap - (cum[k - 1] if k else 0.0)) / c[k] * values[order[k]]
    # fill: the longest run of later items that fits, skip the next one, and again
    smallest_after = np.minimum.accumulate(c[::-1])[::-1]
    pos, left = k + 1, cap - float(c[taken].sum())
    while pos < len(c) and smallest_after[pos] <= left:
        base = cum[pos - 1]
        end = int(np.searchsorted(cum, base + left, side="right"))
        while end > pos and cum[end - 1] - base > left:  # rounding of the running sum
            end -= 1
        taken[pos:end] = True
        left = cap - float(c[taken].sum())
        pos = end + 1
    pick[order[taken]] = True
    value = float(values[pick].sum())
    return pick, (max(0.0, (bound - value) / bound) if bound > 0 else 0.0)  # never below 0 by rounding


def efficient_frontier(scored: pd.DataFrame, *, objective: str = "score", levels: int = 25,
                       include: Sequence[float] = (), time_limit: float = 3.0) -> pd.DataFrame:
    """Best achievable total ``objective`` at each budget level from 0 to the full funding need
    of the candidates of :func:`select_portfolio` (``levels`` evenly spaced levels, plus the
    budgets in ``include``, such as the chosen cap).

    Each level is a 0/1 knapsack solved to a relative gap of at most 1e-4: by Dantzig's greedy
    where its proven gap is that small (large portfolios, in milliseconds), else with HiGHS
    (for at most ``time_limit`` seconds), keeping the better of the two. The ``gap`` column gives
    the proven distance to the optimum. Only projects that add value are counted as bought.
    """
    col = _objective_column(objective)
    cand = _candidates(scored)
    need = (cand["funding_need"] if "funding_need" in cand.columns else funding_need(cand)) \
        .to_numpy(dtype=float)
    vals = np.clip(cand[col].fillna(0).to_numpy(dtype=float), 0, None)
    caps = np.unique(np.r_[np.linspace(0, need.sum(), levels), np.asarray(include, dtype=float)])
    rows = []
    for cap in caps:
        pick, gap = _greedy_knapsack(vals, need, cap)
        if gap > 1e-4:
            exact, exact_gap = _knapsack(vals, need, cap, gap=1e-4, time_limit=time_limit)
            exact &= vals > 0
            if vals[exact].sum() >= vals[pick].sum():
                pick = exact
            gap = min(gap, exact_gap)  # both are measured against bounds no selection can beat
        rows.append({"budget": cap, "value": vals[pick].sum(), "projects": int(pick.sum()),
                     "spent": need[pick].sum(), "gap": gap})
    return pd.DataFrame(rows, columns=["budget", "value", "projects", "spent", "gap"])


def recommendations(roi: pd.DataFrame, *, cpi_threshold: float = 0.85, spi_threshold: float = 0.85,
                    low_alignment: int = 2) -> pd.DataFrame:
    """What the rules say of each proposed, active and on-hold project, with reasons in words.

    Rules, on forward-looking value (``remaining_npv``: money already spent is sunk):

    * stop (a running project) or reject (a proposed one): remaining_npv < 0 and
      strategic_alignment <= ``low_alignment``;
    * re-scope: cpi < ``cpi_threshold`` (cost overrun), or remaining_npv < 0 with higher
      alignment, or (a proposed project) no payback within the forecast horizon; for a running
      project "never pays back" is stated as a reason but the remaining NPV decides;
    * re-plan: spi < ``spi_threshold`` (behind schedule).

    Returns project_id, name, department, status, recommendation ('' where no rule fires),
    reason, remaining_npv, npv, cpi, spi, strategic_alignment, one row per project given that
    is proposed, active or on hold.
    """
    df = roi.loc[roi["status"].isin(("proposed", *_RUNNING))].copy()
    reasons = pd.DataFrame(index=df.index)
    value = df["remaining_npv"]
    neg = value < 0
    low = df["strategic_alignment"] <= low_alignment
    # reasons in the report language (pmo_analysis.core.i18n), each a text column
    reasons["npv"] = np.where(neg, _("negative remaining NPV ({value})", value=as_text(value, money)), "")
    reasons["align"] = np.where(neg & low, _("low strategic alignment ({value}/5)", value=as_text(
        df["strategic_alignment"], lambda v: f"{v:.0f}")), "")
    # no EAC where CPI is 0 (nothing earned yet): the overrun is then not forecast
    gap = df["eac"] - df["bac"]
    overrun = _(" (forecast overrun {amount})", amount=as_text(gap, money)).where(gap.notna(), "")
    reasons["cpi"] = np.where(df["cpi"] < cpi_threshold,
                              _("CPI {value} below {threshold}", value=as_text(df["cpi"], ratio),
                                threshold=f"{cpi_threshold:.2f}") + overrun, "")
    reasons["spi"] = np.where(df["spi"] < spi_threshold,
                              _("SPI {value} below {threshold}", value=as_text(df["spi"], ratio),
                                threshold=f"{spi_threshold:.2f}"), "")
    never = df["payback_months"].isna() & df["total_cost"].gt(0)
    reasons["payback"] = np.where(never, _("never pays back in the forecast"), "")
    stop = np.where(df["status"] == "proposed", "reject", "stop")
    # lifetime payback is forward-looking only for a project not yet started; for a running one
    # it is said, and the remaining NPV decides
    never_ahead = never & (df["status"] == "proposed")
    action = np.select([neg & low, (df["cpi"] < cpi_threshold) | neg | never_ahead,
                        df["spi"] < spi_threshold], [stop, "re-scope", "re-plan"], "")
    df["recommendation"] = action
    df["reason"] = (reasons.where(reasons != "").stack().dropna().groupby(level=0).agg(_("; ").join)
                    .reindex(df.index, fill_value=""))
    order = {"stop": 0, "reject": 0, "re-scope": 1, "re-plan": 2, "": 3}
    df = df.assign(_o=df["recommendation"].map(order)).sort_values(["_o", "remaining_npv"])
    return df[["project_id", "name", "department", "status", "recommendation", "reason",
               "remaining_npv", "npv", "cpi", "spi", "strategic_alignment"]].reset_index(drop=True)


#: Decisions, in the order leadership reads them, with what each means.
DECISIONS = {
    "stop": "running project the rules stop: its remaining value is negative and it serves "
            "strategy poorly; stopping frees its funding need",
    "reject": "proposed project the rules reject, for the same reasons",
    "re-scope": "funded, on condition of a smaller or cheaper scope (cost overrun, negative "
                "remaining value, or no payback)",
    "re-plan": "funded, on condition of a new schedule (behind schedule)",
    "fund": "proposed project funded within the budget cap",
    "continue": "running project funded within the budget cap, no rule fired",
    "defer": "not funded within the budget cap: a proposed project waits, a running one "
             "pauses unless money is found",
    "closed": "completed or cancelled: nothing to decide",
}


def decide(roi: pd.DataFrame, *, budget_cap: float | None = None, budget_share: float = 0.7,
           objective: str = "score", cpi_threshold: float = 0.85, spi_threshold: float = 0.85,
           low_alignment: int = 2) -> tuple[pd.DataFrame, float]:
    """One decision per project (see :data:`DECISIONS`): the rules first, then the budget.

    ``roi`` is :func:`priority_scores` of :func:`roi_by_project`. The rules of
    :func:`recommendations` stop or reject a project; the others compete for ``budget_cap``
    (default: ``budget_share`` of the candidates' total funding need) in :func:`select_portfolio`.
    A stopped project is never funded. Returns the decisions (project_id, name, status, decision,
    funded, funding_need, remaining_npv, npv, score, reason, rule, rank) and the budget cap used.
    """
    recs = recommendations(roi, cpi_threshold=cpi_threshold, spi_threshold=spi_threshold,
                           low_alignment=low_alignment)
    df = roi.merge(recs[["project_id", "recommendation", "reason"]], on="project_id", how="left")
    df["recommendation"] = df["recommendation"].fillna("")
    df["reason"] = df["reason"].fillna("")
    df["decision"] = np.where(df["recommendation"].isin(("stop", "reject")), df["recommendation"], "")
    cand = _candidates(df)
    total_need = float(cand["funding_need"].sum())
    cap = float(budget_share * total_need if budget_cap is None else budget_cap)
    sel = select_portfolio(df, budget_cap=cap, objective=objective)
    chosen = set(sel.loc[sel["selected"], "project_id"])
    col = _objective_column(objective)
    df["funded"] = df["project_id"].isin(chosen)
    running = df["status"].isin(_RUNNING)
    is_cand = df["project_id"].isin(cand["project_id"])
    funded_kind = np.where(df["recommendation"].isin(("re-scope", "re-plan")), df["recommendation"],
                           np.where(running, "continue", "fund"))
    df["decision"] = np.select(
        [df["decision"] != "", ~df["status"].isin(("proposed", *_RUNNING)), df["funded"], is_cand],
        [df["decision"], "closed", funded_kind, "defer"], "closed")
    # why, in words, in the report language (pmo_analysis.core.i18n)
    need = as_text(df["funding_need"], money)
    value = _("priority score {score}", score=as_text(df["score"], lambda v: f"{v:.0f}")) if col == "score" else \
        _("remaining NPV {value}", value=as_text(df["remaining_npv"], money))
    worthless = df[col].fillna(0) <= 0
    why_funded = _("funded: {value} for a need of {need}", value=value, need=need)
    why_not = np.where(worthless, _("not funded: no positive score") if col == "score" else
                       _("not funded: no positive remaining NPV"),
                       _("not funded within the budget cap of {cap}: {value} for a need of {need} ranks below "
                         "the funded projects", cap=money(cap), value=value, need=need))
    rules, sep = df["reason"], _("; ")
    budget_reason = np.where(df["funded"], why_funded, why_not)
    # a status is a code (data); in English the reason has always named the code itself
    status = df["status"].astype(str) if current() == "en" else as_text(df["status"], label)
    df["reason"] = np.select(
        [df["decision"].isin(("stop", "reject")), df["decision"] == "closed"],
        [rules + sep + _("never funded (stopping frees a need of {need})", need=need),
         _("closed ({status})", status=status)],
        np.where(rules != "", rules + sep + budget_reason, budget_reason))
    df["rule"] = df["recommendation"]
    order = {k: i for i, k in enumerate(DECISIONS)}
    df["rank"] = df["decision"].map(order)
    df = df.sort_values(["rank", "funding_need"], ascending=[True, False], kind="stable")
    cols = ["project_id", "name", "status", "decision", "funded", "funding_need", "remaining_npv",
            "npv", "score", "reason", "rule", "rank"]
    return df[cols].reset_index(drop=True), cap
