"""Time windows, defined once: every report counts months the same way.

Definitions (``docs/definitions.md`` says the same in words):

month start
    Every monthly figure is dated on the first day of its month.
last complete month
    The as-of month if ``as_of`` is the last day of that month, else the month before. Actual
    figures (costs, hours, utilization) of the months up to and including it are *complete*;
    the as-of month when it is not complete is *month to date*; later months are the *future*.
forward months (the capacity horizon)
    The ``horizon_months`` months after the last complete month: over-allocation, capacity
    against demand and the funding horizon all look at the same months.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "month_start",
    "month_end",
    "last_complete_month",
    "is_month_end",
    "forward_months",
    "month_status",
    "DAYS_PER_YEAR",
    "years_after",
]

DAYS_PER_YEAR = 365.0
"""Days per year as the spreadsheet's XNPV and XIRR count them: a flow dated ``d`` is
``(d - d0).days / 365`` years after ``d0``, leap days or not (docs/definitions.md)."""


def years_after(dates: pd.Series, origin) -> np.ndarray:
    """The years from ``origin`` (a day, or a column of days on the rows of ``dates``) to each of
    ``dates``, as XNPV counts them (:data:`DAYS_PER_YEAR`): every discounting in the workbook
    (NPV, remaining NPV, IRR, the forecasts' present values) times its flows by this.

    Examples
    --------
    >>> years_after(pd.Series(pd.to_datetime(["2026-07-31", "2027-06-30", "2028-06-30"])), "2026-06-30").tolist()
    [0.08493150684931507, 1.0, 2.0027397260273974]
    """
    start = origin if isinstance(origin, pd.Series) else pd.Timestamp(origin)
    return (pd.to_datetime(dates) - start).dt.days.to_numpy() / DAYS_PER_YEAR


def month_start(value) -> pd.Timestamp:
    """The first day of the month of ``value``.

    Examples
    --------
    >>> month_start("2026-06-14")
    Timestamp('2026-06-01 00:00:00')
    """
    return pd.Timestamp(value).to_period("M").to_timestamp()


def month_end(value) -> pd.Timestamp:
    """The last day of the month of ``value``.

    Examples
    --------
    >>> month_end("2026-02-03")
    Timestamp('2026-02-28 00:00:00')
    """
    return pd.Timestamp(value).to_period("M").to_timestamp(how="end").normalize()


def is_month_end(as_of) -> bool:
    """True when ``as_of`` is the last day of its month.

    Examples
    --------
    >>> is_month_end("2026-06-30"), is_month_end("2026-06-14")
    (True, False)
    """
    ts = pd.Timestamp(as_of).normalize()
    return ts == month_end(ts)


def last_complete_month(as_of) -> pd.Timestamp:
    """The newest month whose actuals are complete at ``as_of`` (as its first day).

    Examples
    --------
    >>> last_complete_month("2026-06-30"), last_complete_month("2026-06-14")
    (Timestamp('2026-06-01 00:00:00'), Timestamp('2026-05-01 00:00:00'))
    """
    m = month_start(as_of)
    return m if is_month_end(as_of) else m - pd.DateOffset(months=1)


def forward_months(as_of, horizon_months: int) -> pd.DatetimeIndex:
    """The ``horizon_months`` month starts after the last complete month.

    Examples
    --------
    >>> [f"{m:%Y-%m}" for m in forward_months("2026-06-14", 3)]
    ['2026-06', '2026-07', '2026-08']
    """
    first = last_complete_month(as_of) + pd.DateOffset(months=1)
    return pd.date_range(first, periods=int(horizon_months), freq="MS")


def month_status(periods: pd.Series, as_of) -> pd.Series:
    """``complete``, ``month to date`` or ``future`` for each month start in ``periods``.

    Examples
    --------
    >>> s = pd.Series(pd.to_datetime(["2026-05-01", "2026-06-01", "2026-07-01"]))
    >>> month_status(s, "2026-06-14").tolist()
    ['complete', 'month to date', 'future']
    """
    last = last_complete_month(as_of)
    current = month_start(as_of)
    out = pd.Series("future", index=periods.index, dtype=object)
    out[periods <= current] = "month to date"
    out[periods <= last] = "complete"
    return out
