"""Forecast cash flows by project-month, and the monthly views built on them: the portfolio's
J-curve and each project's S-curve and J-curve.

The definition of the forecast is written in :mod:`pmo_analysis.analyses.finance`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pmo_analysis.core.periods import last_complete_month

__all__ = ["forecast_cashflows", "cumulative_cashflow", "project_months"]


def forecast_cashflows(cashflows: pd.DataFrame, *, as_of) -> pd.DataFrame:
    """Add the forecast ``cost``, ``benefit`` and ``net`` of each project-month, and ``accrued``.

    Up to and including the last complete month the actual is used where reported, else the plan
    (``accrued`` is True where a planned cost stands in for a missing actual cost); later months
    use the plan. Returns a new frame sorted by project and period.

    The functions of :mod:`pmo_analysis.analyses.finance` that need it take it as ``forecast=``
    (this function's result for the same cash flows and as_of date): the portfolio model forecasts
    ten million project-months once, not once per figure. Without it, each forecasts for itself.

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
        actual = cf[f"actual_{kind}"] if f"actual_{kind}" in cf.columns else pd.Series(np.nan, index=cf.index)
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


def cumulative_cashflow(cashflows: pd.DataFrame, *, as_of, forecast: pd.DataFrame | None = None) -> pd.DataFrame:
    """Net cash flow per month, planned and forecast, with running totals (the J-curve) of the
    flows given (the portfolio, or one project's rows). ``ahead_of_plan`` is the forecast minus
    the planned running total; ``is_actual`` marks the complete months.
    """
    cols = [
        "period",
        "planned_net",
        "forecast_net",
        "planned_cumulative",
        "forecast_cumulative",
        "ahead_of_plan",
        "is_actual",
    ]
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
    >>> from pmo_analysis.analyses.finance import earned_value
    >>> m = project_months(p.cashflows, as_of="2026-06-30")
    >>> ev = earned_value(p.projects, p.cashflows, as_of="2026-06-30").set_index("project_id")
    >>> last = m.loc[m["is_actual"]].groupby("project_id").last()
    >>> bool(np.allclose(last["ac_cumulative"], ev.loc[last.index, "ac"]))
    True
    """
    cols = [
        "project_id",
        "period",
        "planned_cost",
        "cost",
        "planned_net",
        "forecast_net",
        "pv_cumulative",
        "ac_cumulative",
        "planned_cumulative",
        "forecast_cumulative",
        "is_actual",
    ]
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
