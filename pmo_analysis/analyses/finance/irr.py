"""IRR and NPV numerics: spreadsheet XNPV and XIRR, every IRR root found exactly, and the IRR of
every project of a portfolio at once.

The definitions (npv, irr and irr_roots) are written in :mod:`pmo_analysis.analyses.finance`.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

import numpy as np
import pandas as pd

from pmo_analysis.core.periods import years_after

__all__ = ["xnpv", "xirr", "irr_roots"]

#: Rates searched for IRR roots: -99% to +1,000,000% a year.
_IRR_RANGE = (-0.99, 10_000.0)


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
    return years_after(d, d.iloc[0])


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
    from scipy.optimize import brentq  # here: importing scipy.optimize takes 0.4 s

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


# --------------------------------------------------------------------------- vectorized
def _bracketed_newton(
    codes: np.ndarray,
    t: np.ndarray,
    net: np.ndarray,
    which: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    f_lo: np.ndarray,
) -> np.ndarray:
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
            r = order[bounds[k] : bounds[k + 1]]
            roots = _roots(net[r], t_all[r])
            count[k] = len(roots)
            irr[k] = roots[np.argmin(np.abs(roots - guess))] if len(roots) else np.nan
    return pd.DataFrame({"irr": irr, "irr_roots": count}, index=uniques)
