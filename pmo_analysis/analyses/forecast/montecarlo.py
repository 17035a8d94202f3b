"""Monte Carlo forecasts of running projects: final cost, finish and remaining NPV as ranges,
projects correlated through a shared factor and slips passed along dependencies; the portfolio's
cash need by quarter.

The definitions are written in :mod:`pmo_analysis.analyses.forecast`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri

from pmo_analysis.analyses.forecast.eac import BACKTEST_POINTS
from pmo_analysis.analyses.forecast.reference import MIN_REFERENCE, _empirical_inverse, sample_class
from pmo_analysis.core.config import FORECAST_CORRELATION, FORECAST_DRAWS, FORECAST_SEED

__all__ = [
    "DRAWS",
    "MAX_PROJECT_DRAWS",
    "MIN_DRAWS",
    "joint_draws",
    "SEED",
    "CORRELATION",
    "QUANTILES",
    "shared_uniforms",
    "simulate",
]

#: Joint draws of the portfolio (sums, dependencies, the chance of missing a date): enough that
#: the cash need's P80 moves less than 1% between seeds (a test checks it). A project's own
#: quantiles need none: they are exact (see :func:`simulate`).
DRAWS = FORECAST_DRAWS
#: Fewer joint draws (down to :data:`MIN_DRAWS`) above this many project-draws: a sum over
#: thousands of projects settles sooner (the enterprise portfolio's cash-need P80 moves 0.08%
#: between seeds at 1,000 draws), and the draws are most of the forecast's time and memory.
MAX_PROJECT_DRAWS = 4_000_000
MIN_DRAWS = 1000


def joint_draws(projects: int, *, draws: int = DRAWS) -> int:
    """The joint draws for ``projects`` running projects: ``draws``, fewer for a large portfolio.

    >>> joint_draws(40), joint_draws(2_200), joint_draws(10_000)
    (2000, 1818, 1000)
    """
    return int(min(draws, max(MIN_DRAWS, MAX_PROJECT_DRAWS // max(projects, 1))))


#: The seed of the run's draws: the same data gives the same ranges.
SEED = FORECAST_SEED
#: Correlation of two projects' outcomes through the shared factor (a one-factor Gaussian copula):
#: 0 independent, 1 every project over- or under-runs together. The run parameter
#: ``forecast_correlation`` sets it, ``forecast_correlated_by`` the group sharing the factor.
CORRELATION = FORECAST_CORRELATION
#: The quantiles reported.
QUANTILES = (0.10, 0.50, 0.80, 0.90)


def _stratified_normals(rng: np.random.Generator, rows: int, draws: int) -> np.ndarray:
    """Standard normal scores, each row a Latin hypercube: one draw in each of ``draws`` equal
    slices of probability, in a random order (McKay, Beckman and Conover 1979).
    """
    order = rng.permuted(np.broadcast_to(np.arange(draws, dtype=float), (rows, draws)), axis=1)
    order += rng.random((rows, draws))
    order /= draws
    return ndtri(order)


def shared_uniforms(groups: np.ndarray, *, draws: int, correlation: float, rng: np.random.Generator) -> np.ndarray:
    """Uniform draws (projects x draws) correlated through one shared factor per group.

    ``z = sqrt(rho) * g + sqrt(1 - rho) * e``, with ``g`` shared by the projects of a group (a
    department, or the whole portfolio when every group is the same) and ``e`` each project's
    own; ``u = Phi(z)``. Two projects of a group thus have normal scores correlated ``rho``. Both
    ``g`` and ``e`` are stratified (:func:`_stratified_normals`), so sums over projects settle in
    far fewer draws than plain sampling needs.
    """
    codes, uniq = pd.factorize(pd.Series(groups, dtype=object))
    g = _stratified_normals(rng, len(uniq), draws)
    z = _stratified_normals(rng, len(codes), draws)
    z *= np.sqrt(1.0 - correlation)
    z += np.sqrt(correlation) * g[codes]
    return ndtr(z)


def _propagate(finish: np.ndarray, start: np.ndarray, edges: pd.DataFrame, ids: pd.Index) -> np.ndarray:
    """Later finishes of successors waiting for a predecessor's simulated finish, in every draw.

    ``finish`` is projects x draws (months), ``start`` the planned start of each (months);
    ``edges`` predecessor_id, successor_id, type, lag_months. Finish to start: a successor not
    started by then moves by ``pred finish + lag - its start`` when positive; finish to finish:
    its finish is at least ``pred finish + lag``. Relaxed over every edge at once, as many times
    as the longest chain needs.
    """
    e = edges.loc[edges["predecessor_id"].isin(ids) & edges["successor_id"].isin(ids)]
    e = e.loc[e["type"].isin(["finish_to_start", "finish_to_finish"])]
    if e.empty:
        return finish
    e = e.assign(_su=ids.get_indexer(pd.Index(e["successor_id"]))).sort_values("_su", kind="stable")
    pr, su = ids.get_indexer(pd.Index(e["predecessor_id"])), e["_su"].to_numpy()
    lag = e["lag_months"].to_numpy(dtype=float)[:, None]
    fs = (e["type"] == "finish_to_start").to_numpy()[:, None]
    heads = np.flatnonzero(np.r_[True, su[1:] != su[:-1]])  # each successor's first edge
    targets = su[heads]
    own = finish
    out = finish.copy()
    for _ in range(len(ids)):  # a chain is at most as long as the projects it joins
        need = np.where(
            fs,
            own[su] + np.maximum(out[pr] + lag - start[su][:, None], 0.0),
            np.maximum(own[su], out[pr] + lag),
        )
        new = np.maximum(own[targets], np.maximum.reduceat(need, heads, axis=0))
        if np.array_equal(new, out[targets]):
            break
        out[targets] = new
    return out


def _outcomes(state: pd.DataFrame, u: np.ndarray, cost_ratio, duration_ratio) -> tuple[np.ndarray, np.ndarray]:
    """Final cost and finish of each project (rows of ``state``) at probabilities ``u``
    (projects x k), both increasing in ``u``.
    """
    ac = state["ac"].to_numpy(dtype=float)[:, None]
    cost = np.maximum(cost_ratio(u), ac)
    at = state["at"].to_numpy(dtype=float)[:, None]
    to_go = np.maximum(state["finish"].to_numpy(dtype=float)[:, None] - at, 0.0)
    return cost, at + to_go * duration_ratio(u)


def _npv(state: pd.DataFrame, cost: np.ndarray, finish: np.ndarray, *, rate: float) -> np.ndarray:
    """Remaining NPV: less the extra cost at the present value of the remaining costs, less the
    planned benefits after as-of discounted by the months of slip past the planned end.
    """
    ac = state["ac"].to_numpy(dtype=float)[:, None]
    slip = np.maximum(finish - state["planned_end"].to_numpy(dtype=float)[:, None], 0.0)
    extra = (cost - ac) - state["future_cost"].to_numpy(dtype=float)[:, None]
    lost = state["pv_benefit_future"].fillna(0).to_numpy(dtype=float)[:, None] * (1 - (1 + rate) ** (-slip / 12))
    return state["remaining_npv"].to_numpy(dtype=float)[:, None] - extra * state["df_cost"].to_numpy()[:, None] - lost


def simulate(
    state: pd.DataFrame,
    errors: pd.DataFrame,
    classes: pd.DataFrame,
    reference: pd.DataFrame,
    *,
    quarters: np.ndarray | None = None,
    dependencies: pd.DataFrame | None = None,
    discount_rate: float = 0.08,
    draws: int = DRAWS,
    seed: int = SEED,
    correlation: float = CORRELATION,
    by: str | None = "department",
    min_errors: int = MIN_REFERENCE,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ranges of every running project, and the portfolio's cash need.

    ``state`` has one row per running project: project_id, department, earned (fraction
    complete), ac, eac (the point forecast), at (0: as-of), finish (the point forecast of the
    finish, months from as-of), start and planned_end (same scale), future_cost (planned cost
    after as_of), df_cost (present value of one unit of that cost), pv_benefit_future and
    remaining_npv. ``errors`` is the best formula's back-test (point, ratio = final / IEAC);
    ``classes`` and ``reference`` the reference classes. ``quarters`` (projects x quarters) the
    planned cost of each coming quarter.

    Final cost at probability ``u``: where at least ``min_errors`` back-tested estimates were made
    at the point nearest the project's progress, ``eac x`` their ratio's quantile ``u``;
    otherwise the reference class's cost ratio applied to the cost still to come,
    ``ac + (eac - ac) x ratio(u)``. Finish: the class's duration ratio on the time still to come,
    ``at + (finish - at) x ratio(u)``. One probability serves both (a project that overruns its
    cost is late too). Remaining NPV: see :func:`_npv`.

    Each outcome is monotone in ``u``, so a project's own P10 ... P90 are exact: its outcome at
    ``u`` = 0.1 ... 0.9 (for the remaining NPV, whose P80 is the value reached with 80%
    confidence, at 1 - 0.8 of the way down: the outcome at ``u`` = 0.8). Sums over projects,
    slips passed along dependencies and the chance of missing a date need the projects together:
    ``draws`` joint draws correlated through :func:`shared_uniforms` give them (a successor's
    finish quantiles, after the slips of its predecessors, come from them too).

    Returns ``(projects, cash)``: per project the :data:`QUANTILES` of final cost, finish
    (months), remaining NPV, the cost basis and miss_probability (finish after the planned end);
    per quarter the cash need's mean, P50 and P80, then the same of all the quarters together
    (the quantiles of the sum, not the sum of the quantiles).
    """
    n = len(state)
    ac = state["ac"].to_numpy(dtype=float)[:, None]
    eac = state["eac"].to_numpy(dtype=float)[:, None]
    basis = np.full(n, "reference_class", dtype=object)
    points = np.asarray(BACKTEST_POINTS)
    nearest = points[np.abs(state["earned"].to_numpy(dtype=float)[:, None] - points[None, :]).argmin(axis=1)]
    by_errors = {}
    for q in points:  # three points, each over all its projects
        ratios = errors.loc[np.isclose(errors["point"], q), "ratio"].dropna().to_numpy(dtype=float)
        rows = nearest == q
        if len(ratios) >= min_errors and rows.any():
            by_errors[q] = (rows, ratios)
            basis[rows] = "backtest"

    by_class = basis == "reference_class"

    def cost_ratio(u: np.ndarray) -> np.ndarray:
        cost = np.empty_like(u)
        if by_class.any():
            ratio = sample_class(classes.loc[by_class], reference, u[by_class], kind="cost")
            cost[by_class] = ac[by_class] + (eac[by_class] - ac[by_class]) * ratio
        for rows, ratios in by_errors.values():
            cost[rows] = eac[rows] * _empirical_inverse(ratios, u[rows])
        return cost

    def duration_ratio(u: np.ndarray) -> np.ndarray:
        return sample_class(classes, reference, u, kind="duration")

    # each project on its own: exact quantiles
    qs = np.asarray(QUANTILES)
    grid = np.broadcast_to(qs, (n, len(qs))).copy()
    cost_q, finish_q = _outcomes(state, grid, cost_ratio, duration_ratio)
    npv_q = _npv(state, cost_q, finish_q, rate=discount_rate)
    # the projects together: joint draws
    rng = np.random.default_rng(seed)
    groups = state[by].astype(str).to_numpy() if by else np.zeros(n, dtype=object)
    u = shared_uniforms(groups, draws=draws, correlation=correlation, rng=rng)
    cost, finish = _outcomes(state, u, cost_ratio, duration_ratio)
    del u
    if dependencies is not None and len(dependencies):
        ids = pd.Index(state["project_id"])
        moved = _propagate(finish, state["start"].to_numpy(dtype=float), dependencies, ids)
        waits = (moved != finish).any(axis=1)
        if waits.any():  # successors that wait for a predecessor: their range after the slips
            finish_q[waits] = np.quantile(moved[waits], qs, axis=1).T
            cost_w = cost[waits]
            npv_w = _npv(state.loc[waits], cost_w, moved[waits], rate=discount_rate)
            npv_q[waits] = -np.quantile(-npv_w, qs, axis=1).T
        finish = moved
    out = pd.DataFrame({"project_id": state["project_id"].to_numpy()})
    for name, values in (("cost", cost_q), ("finish", finish_q), ("remaining_npv", npv_q)):
        for i, q in enumerate(qs):
            out[f"{name}_p{round(q * 100)}"] = values[:, i]
    out["cost_basis"] = basis
    planned_end = state["planned_end"].to_numpy(dtype=float)[:, None]
    out["miss_probability"] = (finish > planned_end + 1e-9).mean(axis=1) if n else np.zeros(0)
    cash = pd.DataFrame(columns=["quarter_index", "mean", "p50", "p80"])
    if quarters is not None and n:  # no project simulated: no cash need (n/a), never 0
        future = state["future_cost"].to_numpy(dtype=float)[:, None]
        with np.errstate(invalid="ignore", divide="ignore"):
            scale = np.where(future > 0, (cost - ac) / np.where(future > 0, future, 1.0), 0.0)
        need = scale.T @ quarters  # draws x quarters
        need = np.column_stack([need, need.sum(axis=1)])  # and all the quarters together
        cash = pd.DataFrame(
            {
                "quarter_index": np.arange(need.shape[1]),
                "mean": need.mean(axis=0),
                "p50": np.quantile(need, 0.5, axis=0),
                "p80": np.quantile(need, 0.8, axis=0),
            }
        )
    return out, cash
