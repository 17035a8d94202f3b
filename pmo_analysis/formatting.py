"""How numbers read in every report, table and chart: defined once (dates and months are always
written YYYY-MM-DD and YYYY-MM).

Examples
--------
>>> money(1_234_567), money(-2_500), pct(0.395), ratio(0.8397), count(1234), money(float("nan"))
('1.2M', '-2.5k', '39.5%', '0.84', '1,234', 'n/a')
"""
from __future__ import annotations

import math

__all__ = ["money", "money_full", "pct", "ratio", "count", "as_text", "NA"]

#: What an empty figure reads as.
NA = "n/a"


def _missing(v) -> bool:
    try:
        return v is None or math.isnan(float(v))
    except (TypeError, ValueError):
        return True


def money(v, _pos=None) -> str:
    """Compact money: 1.2M, 45k, 1.3B (also a matplotlib tick formatter)."""
    if _missing(v):
        return NA
    a = abs(v)
    if a >= 1e9:
        return f"{v / 1e9:,.1f}B"
    if a >= 1e6:
        return f"{v / 1e6:,.1f}M"
    if a >= 1e4:
        return f"{v / 1e3:,.0f}k"
    if a >= 1e3:
        return f"{v / 1e3:,.1f}k"
    return f"{v:,.0f}"


def money_full(v) -> str:
    """Money with thousands separators and no decimals: 1,234,567."""
    return NA if _missing(v) else f"{v:,.0f}"


def pct(v, decimals: int = 1) -> str:
    """A share as a percent: 0.395 -> 39.5%."""
    return NA if _missing(v) else f"{v:.{decimals}%}"


def ratio(v) -> str:
    """CPI, SPI, BCR: two decimals."""
    return NA if _missing(v) else f"{v:.2f}"


def count(v) -> str:
    """A whole number with thousands separators."""
    return NA if _missing(v) else f"{int(round(float(v))):,}"


def as_text(values, formatter):
    """A column of ``values`` written with ``formatter`` (one of the above, or any callable): a
    text column even when it has no rows, so reasons can be built from it in words.
    """
    return values.map(formatter).astype(object)
