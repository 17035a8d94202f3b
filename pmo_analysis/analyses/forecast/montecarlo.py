"""Monte Carlo forecasts of running projects: final cost, finish and remaining NPV as ranges,
projects correlated through a shared factor and slips passed along dependencies; the portfolio's
cash need by quarter.

The definitions are written in :mod:`pmo_analysis.analyses.forecast`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pmo_analysis.analyses.forecast.eac import BACKTEST_POINTS
from pmo_analysis.analyses.forecast.reference import MIN_REFERENCE, _empirical_inverse, sample_class

__all__ = ["DRAWS", "SEED", "CORRELATION", "QUANTILES", "shared_uniforms", "simulate", "quantile_columns"]

#: Draws per project: enough that each P80 moves less than 1% between seeds (a test checks it).
DRAWS = 4000
#: The seed of the run's draws: the same data gives the same ranges.
SEED = 20_260_630
#: Correlation of two projects' outcomes through the shared factor (a one-factor Gaussian copula):
#: 0 independent, 1 every project over- or under-runs together.
CORRELATION = 0.3
#: The quantiles reported.
QUANTILES = (0.10, 0.50, 0.80, 0.90)


def shared_uniforms(groups: np.ndarray, *, draws: int, correlation: float, rng: np.random.Generator) -> np.ndarray:
    """Uniform draws (projects x draws) correlated through one shared factor per group.

    ``z = sqrt(rho) * g + sqrt(1 - rho) * e``, with ``g`` shared by the projects of a group (a
    department, or the whole portfolio when every group is the same) and ``e`` each project's
    own. Two projects of a group thus have normal scores correlated ``rho``. Each project's
    draws are then stratified (a Latin hypercube in the order of its ``z``, as Iman and Conover
    1982 impose a rank correlation): the draw of rank ``k`` gets ``u = (k + U(0, 1)) / draws``, one
    draw in each of ``draws`` equal slices of probability. The dependence between projects (the
    ranks) is the copula's; each project's quantiles are those of its distribution to within a
    slice, so a P80 moves far less between seeds than plain sampling would let it.
    """
    codes, uniq = pd.factorize(pd.Series(groups, dtype=object))
    g = rng.standard_normal((len(uniq), draws))
    e = rng.standard_normal((len(codes), draws))
    z = np.sqrt(correlation) * g[codes] + np.sqrt(1.0 - correlation) * e
    ranks = np.argsort(np.argsort(z, axis=1), axis=1)
    return (ranks + rng.random(z.shape)) / draws


def quantile_columns(values: np.ndarray, prefix: str, qs=QUANTILES) -> dict[str, np.ndarray]:
    """``{prefix_p10: ..., prefix_p50: ...}``: the row quantiles of ``values`` (projects x draws)."""
    if values.shape[0] == 0:
        return {f"{prefix}_p{round(q * 100)}": np.zeros(0) for q in qs}
    got = np.quantile(values, qs, axis=1)
    return {f"{prefix}_p{round(q * 100)}": got[i] for i, q in enumerate(qs)}


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
    pr, su = ids.get_indexer(pd.Index(e["predecessor_id"])), ids.get_indexer(pd.Index(e["successor_id"]))
    lag = e["lag_months"].to_numpy(dtype=float)[:, None]
    fs = (e["type"] == "finish_to_start").to_numpy()[:, None]
    own = finish.copy()
    out = finish.copy()
    for _ in range(len(ids)):  # a chain is at most as long as the projects it joins
        need = np.where(
            fs,
            own[su] + np.maximum(out[pr] + lag - start[su][:, None], 0.0),
            np.maximum(own[su], out[pr] + lag),
        )
        new = own.copy()
        np.maximum.at(new, su, need)
        if np.array_equal(new, out):
            break
        out = new
    return out


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
    """Simulate every running project ``draws`` times.

    ``state`` has one row per running project: project_id, department, earned (fraction
    complete), ac, eac (the point forecast), at, finish (the point forecast of the finish, months
    from the plan's first month: IEAC(t), at least ``at``), start (planned start, same scale),
    planned_end (same scale), future_cost (planned cost after as_of), df_cost (present value of
    one unit of that cost), pv_benefit_future and remaining_npv. ``errors`` is the best formula's
    back-test (point, ratio = final / IEAC); ``classes`` and ``reference`` the reference classes.
    ``quarters`` (projects x quarters) the planned cost of each coming quarter.

    Final cost: where at least ``min_errors`` back-tested estimates were made at the point
    nearest the project's progress, ``eac x ratio`` drawn from them; otherwise the reference
    class's cost ratio applied to the cost still to come, ``ac + (eac - ac) x ratio``. Finish:
    the class's duration ratio applied to the time still to come, ``at + (finish - at) x ratio``,
    then slips passed along the dependencies. One probability per project and draw serves both
    (a project that overruns its cost is late too), correlated with the others through
    :func:`shared_uniforms`. Remaining NPV: the remaining NPV less the extra cost (at the present
    value of the remaining costs) and less the benefits lost to the months of slip.

    Returns ``(projects, cash)``: per project the :data:`QUANTILES` of final cost, finish
    (months), remaining NPV, the cost basis and miss_probability (finish after the planned end);
    per quarter the cash need's mean, P50 and P80, then the same of all the quarters together
    (the quantiles of the sum, not the sum of the quantiles). The P10 ... P90 of the remaining NPV
    are confidence levels: its P80 is the value 80% of the draws reach (their 20th percentile).
    """
    n = len(state)
    rng = np.random.default_rng(seed)
    groups = state[by].astype(str).to_numpy() if by else np.zeros(n, dtype=object)
    u = shared_uniforms(groups, draws=draws, correlation=correlation, rng=rng)
    ac = state["ac"].to_numpy(dtype=float)[:, None]
    eac = state["eac"].to_numpy(dtype=float)[:, None]
    cost = ac + (eac - ac) * sample_class(classes, reference, u, kind="cost")
    basis = np.full(n, "reference_class", dtype=object)
    points = np.asarray(BACKTEST_POINTS)
    nearest = points[np.abs(state["earned"].to_numpy(dtype=float)[:, None] - points[None, :]).argmin(axis=1)]
    for q in points:  # three points, each over all its projects and draws
        ratios = errors.loc[np.isclose(errors["point"], q), "ratio"].dropna().to_numpy(dtype=float)
        rows = nearest == q
        if len(ratios) >= min_errors and rows.any():
            cost[rows] = eac[rows] * _empirical_inverse(ratios, u[rows])
            basis[rows] = "backtest"
    cost = np.maximum(cost, ac)
    at = state["at"].to_numpy(dtype=float)[:, None]
    finish = at + np.maximum(state["finish"].to_numpy(dtype=float)[:, None] - at, 0.0) * sample_class(
        classes, reference, u, kind="duration"
    )
    if dependencies is not None and len(dependencies):
        ids = pd.Index(state["project_id"])
        finish = _propagate(finish, state["start"].to_numpy(dtype=float), dependencies, ids)
    planned_end = state["planned_end"].to_numpy(dtype=float)[:, None]
    slip = np.maximum(finish - planned_end, 0.0)
    extra = (cost - ac) - state["future_cost"].to_numpy(dtype=float)[:, None]
    lost = state["pv_benefit_future"].fillna(0).to_numpy(dtype=float)[:, None] * (
        1 - (1 + discount_rate) ** (-slip / 12)
    )
    npv = state["remaining_npv"].to_numpy(dtype=float)[:, None] - extra * state["df_cost"].to_numpy()[:, None] - lost
    out = pd.DataFrame({"project_id": state["project_id"].to_numpy()})
    for name, values in (("cost", cost), ("finish", finish)):
        for col, v in quantile_columns(values, name).items():
            out[col] = v
    # a value's P80 is the one reached with 80% confidence: the 20th percentile of the draws
    for col, v in quantile_columns(-npv, "remaining_npv").items():
        out[col] = -v
    out["cost_basis"] = basis
    out["miss_probability"] = (finish > planned_end + 1e-9).mean(axis=1) if n else np.zeros(0)
    cash = pd.DataFrame(columns=["quarter_index", "mean", "p50", "p80"])
    if quarters is not None:
        future = state["future_cost"].to_numpy(dtype=float)[:, None]
        with np.errstate(invalid="ignore", divide="ignore"):
            scale = np.where(future > 0, (cost - ac) / future, 0.0)
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
