"""Earned Schedule (Lipke): schedule performance measured in months, not money.

The definitions are written in :mod:`pmo_analysis.analyses.forecast`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["plan_matrix", "earned_schedule", "months_between"]

#: Money below this fraction of the planned total counts as "not yet earned" (rounding of sums).
_EPS = 1e-9


def months_between(first, last) -> np.ndarray:
    """Whole calendar months from ``first`` to ``last`` (both dates or month starts), as floats.

    >>> d = pd.to_datetime
    >>> months_between(pd.Series(d(["2026-01-01"])), pd.Series(d(["2026-07-01"]))).tolist()
    [6.0]
    """
    a, b = pd.DatetimeIndex(first), pd.DatetimeIndex(last)
    return ((b.year - a.year) * 12 + (b.month - a.month)).to_numpy(dtype=float)


def plan_matrix(plan: pd.DataFrame) -> tuple[pd.Index, np.ndarray, pd.DataFrame]:
    """The cumulative planned cost of every project, one row per project and one column per month.

    ``plan`` has project_id, period (month starts) and planned_cost. A project's months run from
    its first month with a planned cost to its last; its planned duration PD is their count. The
    matrix's column ``k`` is the planned value at the end of the plan's month ``k`` (column 0 is
    0, before the start); past PD it stays at the planned total. Returns the project ids (the
    matrix's rows, sorted), the matrix, and per project: first_month, planned_months (PD) and
    planned_total.

    >>> plan = pd.DataFrame({"project_id": ["A"] * 3, "period": pd.to_datetime(["2026-01-01", "2026-02-01",
    ...                      "2026-03-01"]), "planned_cost": [10.0, 20.0, 10.0]})
    >>> ids, pv, info = plan_matrix(plan)
    >>> pv.tolist(), int(info.loc["A", "planned_months"])
    ([[0.0, 10.0, 30.0, 40.0]], 3)
    """
    p = plan.loc[plan["planned_cost"] > 0, ["project_id", "period", "planned_cost"]]
    ids = pd.Index(sorted(p["project_id"].unique()), name="project_id")
    code = ids.get_indexer(pd.Index(p["project_id"]))
    first = p.groupby("project_id")["period"].min().reindex(ids)
    last = p.groupby("project_id")["period"].max().reindex(ids)
    n_months = months_between(first, last) + 1 if len(ids) else np.zeros(0)
    k = months_between(first.to_numpy()[code], p["period"]).astype(int) + 1
    width = int(n_months.max()) + 1 if len(ids) else 1
    monthly = np.zeros((len(ids), width))
    np.add.at(monthly, (code, k), p["planned_cost"].to_numpy(dtype=float))
    pv = np.cumsum(monthly, axis=1)
    info = pd.DataFrame(
        {"first_month": first.to_numpy(), "planned_months": n_months, "planned_total": pv[:, -1]}, index=ids
    )
    return ids, pv, info


def earned_schedule(plan: pd.DataFrame, observed: pd.DataFrame) -> pd.DataFrame:
    """Earned Schedule and its indicators for each observation of a project's progress.

    ``plan`` is the time-phased plan (project_id, period, planned_cost: :func:`plan_matrix`).
    ``observed`` has one row per observation: project_id, ``earned`` (the fraction of the work
    done, EV / BAC, 0 to 1) and ``at`` (actual time: months since the plan's first month, at the
    end of the month observed). Returns ``observed`` with planned_months (PD), es, spi_t
    (= ES / AT), sv_t (= ES - AT, months), tspi (= (PD - ES) / (PD - AT), empty once AT >= PD)
    and ieac_t (= PD / SPI(t), months from the plan's first month). Projects without a plan have
    every figure empty.

    EV is placed on the plan's own scale (``earned`` times the planned total), so a budget that
    differs from the sum of the planned costs does not move ES.

    Examples
    --------
    Planned 10, 20, 30, 20, 20 a month; at the end of month 4 the work done is what was planned
    by mid-month 3 (EV = 45 of 100):

    >>> d = pd.to_datetime
    >>> plan = pd.DataFrame({"project_id": "A", "period": d(["2026-01-01", "2026-02-01", "2026-03-01",
    ...                      "2026-04-01", "2026-05-01"]), "planned_cost": [10.0, 20.0, 30.0, 20.0, 20.0]})
    >>> es = earned_schedule(plan, pd.DataFrame({"project_id": ["A"], "earned": [0.45], "at": [4.0]}))
    >>> es[["es", "spi_t", "sv_t", "tspi", "ieac_t"]].round(4).values.tolist()
    [[2.5, 0.625, -1.5, 2.5, 8.0]]
    """
    ids, pv, info = plan_matrix(plan)
    out = observed.copy()
    row = ids.get_indexer(pd.Index(out["project_id"]))
    known = row >= 0
    r = np.where(known, row, 0)
    total = pv[r, -1]
    ev = np.clip(out["earned"].to_numpy(dtype=float), 0.0, 1.0) * total
    n = info["planned_months"].to_numpy()[r] if len(ids) else np.zeros(len(out))
    # C: the whole months whose cumulative plan the work done has reached
    months = np.arange(pv.shape[1])[None, :]
    reached = (pv[r] <= ev[:, None] + _EPS * np.maximum(total, 1.0)[:, None]) & (months >= 1) & (months <= n[:, None])
    c = reached.sum(axis=1)
    nxt = np.minimum(c + 1, pv.shape[1] - 1)
    step = pv[r, nxt] - pv[r, c]
    frac = np.where((c < n) & (step > 0), (ev - pv[r, c]) / np.where(step > 0, step, 1.0), 0.0)
    es = np.where(c >= n, n, c + np.clip(frac, 0.0, 1.0))
    es = np.where(known & np.isfinite(ev), es, np.nan)
    at = out["at"].to_numpy(dtype=float)
    out["planned_months"] = np.where(known, n, np.nan)
    out["es"] = es
    with np.errstate(divide="ignore", invalid="ignore"):
        out["spi_t"] = np.where(at > 0, es / at, np.nan)
        out["sv_t"] = es - at
        out["tspi"] = np.where(at < n, (n - es) / (n - at), np.nan)
        out["ieac_t"] = np.where(out["spi_t"] > 0, n / out["spi_t"], np.nan)
    out.loc[~known, ["planned_months", "tspi", "ieac_t"]] = np.nan
    return out
