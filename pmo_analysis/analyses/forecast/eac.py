"""Independent estimates at completion (IEAC), their back-test on completed projects, progress
histories and the stability of the CPI.

The definitions are written in :mod:`pmo_analysis.analyses.forecast`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pmo_analysis.analyses.forecast.schedule import months_between, plan_matrix

__all__ = [
    "IEAC_FORMULAS",
    "FALLBACK_FORMULA",
    "BACKTEST_POINTS",
    "ieac",
    "progress_history",
    "backtest_ieac",
    "best_formula",
    "cpi_stability",
    "holdout_coverage",
]

#: The four independent EACs, by name, in the order the reports list them.
IEAC_FORMULAS = ("ac_plus_remaining", "bac_over_cpi", "cpi_times_spi", "composite_80_20")

#: The formula used when no completed project can say which predicts best: BAC / CPI, the IEAC
#: most cited and found the most accurate lower bound (Christensen, Antolini and McKinney 1995).
FALLBACK_FORMULA = "bac_over_cpi"

#: The progress points at which the back-test compares each formula with the final cost.
BACKTEST_POINTS = (0.25, 0.50, 0.75)

#: CPI stability: the cumulative CPI stays within this of its current value ...
CPI_BAND = 0.10
#: ... in every month since the project was this far complete (Christensen and Payne 1992).
CPI_STABLE_FROM = 0.20


def ieac(bac, ev, ac, pv) -> pd.DataFrame:
    """The four independent estimates at completion, one column per :data:`IEAC_FORMULAS`.

    ``ac_plus_remaining`` = AC + (BAC - EV); ``bac_over_cpi`` = BAC / CPI;
    ``cpi_times_spi`` = AC + (BAC - EV) / (CPI x SPI); ``composite_80_20`` =
    AC + (BAC - EV) / (0.8 CPI + 0.2 SPI), with CPI = EV / AC and SPI = EV / PV. A formula whose
    index is not positive is empty.

    >>> ieac([100.0], [40.0], [50.0], [40.0]).round(2).values.tolist()
    [[110.0, 125.0, 125.0, 121.43]]
    """
    bac, ev, ac, pv = (np.asarray(x, dtype=float) for x in (bac, ev, ac, pv))
    with np.errstate(divide="ignore", invalid="ignore"):
        cpi = np.where(ac > 0, ev / ac, np.nan)
        spi = np.where(pv > 0, ev / pv, np.nan)
        rest = bac - ev
        comp = 0.8 * cpi + 0.2 * spi
        out = pd.DataFrame(
            {
                "ac_plus_remaining": ac + rest,
                "bac_over_cpi": np.where(cpi > 0, bac / cpi, np.nan),
                "cpi_times_spi": np.where(cpi * spi > 0, ac + rest / (cpi * spi), np.nan),
                "composite_80_20": np.where(comp > 0, ac + rest / comp, np.nan),
            }
        )
    return out


def _interp_rows(curve: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Row-wise linear interpolation: ``curve[i]`` (values at 0, 1, 2, ...) read at ``x[i, j]``."""
    top = curve.shape[1] - 1
    x = np.clip(x, 0.0, top)
    lo = np.floor(x).astype(int)
    hi = np.minimum(lo + 1, top)
    w = x - lo
    return np.take_along_axis(curve, lo, axis=1) * (1 - w) + np.take_along_axis(curve, hi, axis=1) * w


def progress_history(
    plan: pd.DataFrame, costs: pd.DataFrame, projects: pd.DataFrame
) -> tuple[pd.Index, np.ndarray, np.ndarray, np.ndarray, pd.DataFrame]:
    """Each project's month-end PV, EV and AC since its plan's first month, by actual month.

    ``plan`` has project_id, period, planned_cost; ``costs`` project_id, period, cost (the
    forecast cost: actuals where reported); ``projects`` project_id, ``at`` (months of actual
    time to rebuild) and ``pace`` (planned months of work done per actual month: ES / AT for a
    running project, PD / actual duration for a finished one).

    The data reports percent complete once, so EV by month is rebuilt: the work done by actual
    month ``m`` is what the plan scheduled by month ``m x pace``, the plan's own shape followed
    at the project's own pace (at ``at`` it is the reported EV). Returns the project ids (rows),
    PV, EV and AC (each projects x months+1, column 0 = before the start, on the plan's scale),
    and the :func:`plan_matrix` info.
    """
    ids, pv_plan, info = plan_matrix(plan)
    p = projects.set_index("project_id").reindex(ids)
    at = p["at"].fillna(0).clip(lower=0).to_numpy(dtype=float)
    width = int(np.nanmax(np.ceil(at), initial=0)) + 1
    months = np.arange(width, dtype=float)[None, :]
    pace = p["pace"].fillna(0).to_numpy(dtype=float)[:, None]
    ev = _interp_rows(pv_plan, months * pace)
    pv = _interp_rows(pv_plan, np.broadcast_to(months, ev.shape))
    c = costs.loc[costs["project_id"].isin(ids)]
    row = ids.get_indexer(pd.Index(c["project_id"]))
    k = months_between(info["first_month"].to_numpy()[row], c["period"]).astype(int) + 1
    keep = k < width
    monthly = np.zeros((len(ids), width))
    np.add.at(monthly, (row[keep], np.maximum(k[keep], 1)), c["cost"].to_numpy(dtype=float)[keep])
    ac = np.cumsum(monthly, axis=1)
    return ids, pv, ev, ac, info


def backtest_ieac(
    plan: pd.DataFrame, costs: pd.DataFrame, completed: pd.DataFrame, *, points=BACKTEST_POINTS
) -> pd.DataFrame:
    """How far each IEAC formula was from the final cost, on each completed project, at each point.

    ``completed`` has project_id and ``actual_months`` (months from the plan's first month to
    the last month with a cost). The EV history is rebuilt by :func:`progress_history` (the plan
    followed at the pace that finished the work in the actual duration). At each of ``points``
    (fraction complete), the first month-end at or past it gives AC, EV and PV, and each formula
    its IEAC. Returns one row per project, point and formula: project_id, point, month, formula,
    ieac, final_cost, error (= IEAC / final cost - 1) and ratio (= final cost / IEAC).
    """
    cols = ["project_id", "point", "month", "formula", "ieac", "final_cost", "error", "ratio"]
    if completed.empty:
        return pd.DataFrame(columns=cols)
    ids, _pv_plan, info = plan_matrix(plan.loc[plan["project_id"].isin(completed["project_id"])])
    ad = completed.set_index("project_id")["actual_months"].reindex(ids)
    prj = pd.DataFrame({"project_id": ids, "at": ad.to_numpy(), "pace": info["planned_months"] / ad.to_numpy()})
    ids, pv, ev, ac, info = progress_history(plan.loc[plan["project_id"].isin(ids)], costs, prj)
    total = info["planned_total"].to_numpy()
    final = ac[np.arange(len(ids)), np.minimum(ad.fillna(0).to_numpy(dtype=int), ac.shape[1] - 1)]
    frames = []
    for q in points:  # three points, each one vectorised step over every project
        with np.errstate(invalid="ignore", divide="ignore"):
            done = ev >= q * total[:, None] - 1e-9
        m = np.where(done.any(axis=1), done.argmax(axis=1), -1)
        r = np.arange(len(ids))
        ok = (m > 0) & (total > 0) & (final > 0)
        est = ieac(total[ok], ev[r, m][ok], ac[r, m][ok], pv[r, m][ok])
        est.insert(0, "project_id", ids[ok])
        est.insert(1, "point", q)
        est.insert(2, "month", m[ok])
        est["final_cost"] = final[ok]
        frames.append(est.melt(["project_id", "point", "month", "final_cost"], var_name="formula", value_name="ieac"))
    out = pd.concat(frames, ignore_index=True)
    out["error"] = out["ieac"] / out["final_cost"] - 1
    out["ratio"] = out["final_cost"] / out["ieac"]
    return out[cols]


def best_formula(backtest: pd.DataFrame, *, min_projects: int = 3) -> tuple[pd.DataFrame, str, str]:
    """Which IEAC formula came closest to the final cost: the smallest mean absolute error over
    every project and point of ``backtest`` (:func:`backtest_ieac`).

    Returns one row per formula (formula, projects, estimates, mean_abs_error, mean_error, best),
    the best formula and the basis: ``"backtest"``, or ``"fallback"`` (:data:`FALLBACK_FORMULA`)
    when fewer than ``min_projects`` completed projects could be back-tested.

    >>> bt = pd.DataFrame({"project_id": ["A", "A"], "formula": ["bac_over_cpi", "ac_plus_remaining"],
    ...                    "error": [0.05, -0.10]})
    >>> best_formula(bt, min_projects=1)[1:]
    ('bac_over_cpi', 'backtest')
    >>> best_formula(bt.iloc[:0])[1:]
    ('bac_over_cpi', 'fallback')
    """
    g = backtest.dropna(subset=["error"]).groupby("formula")
    table = pd.DataFrame(
        {
            "projects": g["project_id"].nunique(),
            "estimates": g.size(),
            "mean_abs_error": g["error"].apply(lambda e: e.abs().mean()) if len(backtest) else [],
            "mean_error": g["error"].mean(),
        }
    ).reindex(list(IEAC_FORMULAS))
    table["projects"] = table["projects"].fillna(0).astype(int)
    table["estimates"] = table["estimates"].fillna(0).astype(int)
    enough = table["projects"] >= min_projects
    if enough.any():
        best, basis = str(table.loc[enough, "mean_abs_error"].idxmin()), "backtest"
    else:
        best, basis = FALLBACK_FORMULA, "fallback"
    table["best"] = table.index == best
    return table.rename_axis("formula").reset_index(), best, basis


def cpi_stability(ids: pd.Index, ev: np.ndarray, ac: np.ndarray, at: np.ndarray, total: np.ndarray) -> pd.DataFrame:
    """Whether each project's cumulative CPI has settled: every month-end since it was
    :data:`CPI_STABLE_FROM` complete, up to ``at``, within :data:`CPI_BAND` of the CPI at ``at``.

    ``ev`` and ``ac`` are :func:`progress_history`'s. Returns project_id, cpi_stable (True,
    False, or empty before 20% complete or without actual costs) and cpi_swing (the largest
    distance from the current CPI in those months).
    """
    width = ev.shape[1]
    months = np.arange(width)[None, :]
    last = np.clip(np.nan_to_num(at, nan=0).astype(int), 0, width - 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        cpi = np.where(ac > 0, ev / ac, np.nan)
    r = np.arange(len(ids))
    now = cpi[r, last]
    window = (ev >= CPI_STABLE_FROM * total[:, None]) & (months <= last[:, None]) & np.isfinite(cpi)
    dist = np.where(window, np.abs(cpi - now[:, None]), -np.inf)
    swing = dist.max(axis=1, initial=-np.inf)
    known = np.isfinite(now) & window.any(axis=1)
    return pd.DataFrame(
        {
            "project_id": ids,
            "cpi_stable": pd.array(np.where(known, swing <= CPI_BAND, False), dtype="boolean"),
            "cpi_swing": np.where(known, swing, np.nan),
        }
    ).assign(cpi_stable=lambda d: d["cpi_stable"].where(known, pd.NA))


def holdout_coverage(backtest: pd.DataFrame, *, formula: str, point: float = 0.5, level: float = 0.8) -> pd.DataFrame:
    """Calibration by hold-out: each completed project forecast at ``point`` from the *other*
    completed projects (the ``level`` quantile of their final cost / IEAC ratios times its own
    IEAC), and whether its final cost came within it.

    Returns project_id, ieac, final_cost, p_level (the forecast) and covered. A well calibrated
    P80 covers about 80% of the projects.

    >>> bt = pd.DataFrame({"project_id": list("ABCDE"), "point": 0.5, "formula": "f", "ieac": 100.0,
    ...                    "final_cost": [100.0, 110.0, 120.0, 130.0, 140.0]})
    >>> bt["ratio"] = bt["final_cost"] / bt["ieac"]
    >>> holdout_coverage(bt, formula="f")["covered"].tolist()
    [True, True, True, False, False]
    """
    b = backtest.loc[(backtest["formula"] == formula) & np.isclose(backtest["point"], point)].dropna(subset=["ratio"])
    r = b["ratio"].to_numpy(dtype=float)
    others = np.where(np.eye(len(r), dtype=bool), np.nan, np.broadcast_to(r, (len(r), len(r))))
    with np.errstate(all="ignore"):
        q = np.nanquantile(others, level, axis=1) if len(r) > 1 else np.full(len(r), np.nan)
    out = b[["project_id", "ieac", "final_cost"]].reset_index(drop=True)
    out[f"p{round(level * 100)}"] = out["ieac"] * q
    bound = out[f"p{round(level * 100)}"]
    # with no other project to learn from there is no P80: n/a, not a miss
    out["covered"] = (out["final_cost"] <= bound + 1e-9).astype("boolean").where(bound.notna())
    return out
