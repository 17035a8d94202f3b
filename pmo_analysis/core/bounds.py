"""A numeric range, described and checked one way for data columns and notebook parameters.

A :class:`Bounds` is what the data contract says of a number column (``allocation_pct`` is
``> 0 and <= 100``) and what a parameter declaration says of a number (``discount_rate`` is
``>= 0 and <= 1``). The same object writes the range in messages (:meth:`Bounds.describe`) and
checks values against it, a whole column at once (:meth:`Bounds.outside`) or one value
(:meth:`Bounds.is_outside`); both checks give the same answer for every float.

A missing value (NaN) is never outside a range: whether a value may be empty is a separate rule.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["Bounds", "format_number", "DATE_RANGE", "DATE_RANGE_TEXT"]

#: The dates a portfolio and its parameters can hold, the same for every date column and every date
#: parameter (``as_of``, ``start``), on every path (pandas and DuckDB). Two centuries: the difference
#: of any two such dates, and any of them moved by a forecast window, fits in a nanosecond timedelta
#: (292 years), so no figure computed from them overflows. A date outside is a typing error in the year.
DATE_RANGE = (dt.date(1900, 1, 1), dt.date(2099, 12, 31))
#: :data:`DATE_RANGE` as messages write it.
DATE_RANGE_TEXT = f"between {DATE_RANGE[0].isoformat()} and {DATE_RANGE[1].isoformat()}"


def format_number(value: float) -> str:
    """A bound as written in messages: shortest form, no ``+`` in an exponent.

    Examples
    --------
    >>> format_number(0), format_number(0.85), format_number(168), format_number(1e15)
    ('0', '0.85', '168', '1e15')
    """
    return f"{value:g}".replace("e+", "e")


@dataclass(frozen=True)
class Bounds:
    """The range a number must lie in: above ``min`` (inclusive unless ``min_inclusive`` is false)
    and at most ``max``. ``None`` leaves a side open.

    Examples
    --------
    >>> pct = Bounds(min=0, max=100, min_inclusive=False)
    >>> pct.describe()
    '> 0 and <= 100'
    >>> pct.is_outside(0), pct.is_outside(100)
    (True, False)
    >>> pct.outside([0.0, 50.0, 150.0, float("nan")])
    array([ True, False,  True, False])
    """

    min: float | None = None
    max: float | None = None
    min_inclusive: bool = True

    def __post_init__(self) -> None:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min must not be above max, got min={self.min!r}, max={self.max!r}")

    def describe(self) -> str:
        """The range in words, as messages show it after "must be": ``'>= 1 and <= 5'``, ``'> 0'``,
        ``'<= 24'``; an empty string when the range is open.
        """
        parts = []
        if self.min is not None:
            parts.append((">= " if self.min_inclusive else "> ") + format_number(self.min))
        if self.max is not None:
            parts.append("<= " + format_number(self.max))
        return " and ".join(parts)

    def outside(self, values: ArrayLike) -> np.ndarray:
        """Boolean mask of the values that lie outside the range (NaN is never outside).

        Vectorised: one comparison per side over the whole array, for millions of rows.
        """
        v = np.asarray(values, dtype="float64")
        bad = np.zeros(v.shape, dtype=bool)
        if self.min is not None:
            bad |= (v < self.min) if self.min_inclusive else (v <= self.min)
        if self.max is not None:
            bad |= v > self.max
        return bad

    def is_outside(self, value: float) -> bool:
        """True when the single number ``value`` lies outside the range (NaN is never outside)."""
        below = self.min is not None and (value < self.min if self.min_inclusive else value <= self.min)
        above = self.max is not None and value > self.max
        return bool(below or above)
