"""How numbers, money, months and dates read in every report, table and chart: defined once.

A report reads in one language (``en`` or ``zh``, :mod:`pmo_analysis.core.i18n`) and one currency (an
ISO 4217 code, the run's ``currency`` parameter). :func:`pmo_analysis.reporting.report.open_report` sets both
with :func:`use`; a new notebook needs nothing else: ``fmt.money(9_000_000)`` then reads ``$9.0M``
(``currency="USD"``), ``€9.0M`` (EUR) or, in Chinese, ``¥900.0万`` (CNY). Without a currency (the
package's default, e.g. in an interactive session) money has no symbol.

* :func:`money`: compact money for tiles, sentences and chart axes (``$1.2M``, ``-$2.5k``; in
  Chinese ``¥123.5万``, ``¥1.2亿``); also a matplotlib tick formatter.
* :func:`money_full`: money to the unit with thousands separators, for tables (``$1,234,567``); in
  Chinese the same 万/亿 as tiles and axes (``¥123.5万``), so a report reads money in one style.
* :func:`pct`, :func:`ratio`, :func:`count`: ``39.5%``, ``0.84`` (CPI, SPI, BCR), ``1,234``;
  :func:`probability`: ``50%``.
* :func:`month`, :func:`date`: ``Mar 2026`` / ``2026年3月``, ``30 Jun 2026`` / ``2026年6月30日``;
  :func:`timestamp`: ``7 Dec 2026 05:53`` / ``2026年12月7日 05:53`` (when a run was made);
  :func:`period`: ``1 Jan 2025 – 30 Apr 2027`` / ``2025年1月1日至2027年4月30日``.
* :func:`unit`: the money unit for an axis label: ``USD``, ``人民币``.
* :func:`is_negative`: a figure to mark (tables and tiles show negatives in red as well as signed).

An empty figure reads ``n/a`` (``不适用`` in Chinese).

Examples
--------
>>> money(1_234_567), money(-2_500), pct(0.395), ratio(0.8397), count(1234), money(float("nan"))
('1.2M', '-2.5k', '39.5%', '0.84', '1,234', 'n/a')
>>> with using(currency="USD"):
...     money(9_000_000), money(-2_500), money_full(-1234.4), month("2026-03-01"), date("2026-06-30")
('$9.0M', '-$2.5k', '-$1,234', 'Mar 2026', '30 Jun 2026')
>>> with using(currency="CNY", language="zh"):
...     money(9_000_000), money(-250_000_000), month("2026-03-01"), date("2026-06-30"), unit()
('¥900.0万', '-¥2.5亿', '2026年3月', '2026年6月30日', '人民币')
"""

from __future__ import annotations

import contextlib
import contextvars
import math
from collections.abc import Iterator

from pmo_analysis.core import i18n

__all__ = [
    "money",
    "money_full",
    "pct",
    "ratio",
    "probability",
    "count",
    "month",
    "date",
    "timestamp",
    "period",
    "unit",
    "symbol",
    "as_text",
    "is_negative",
    "use",
    "using",
    "currency",
    "na",
    "NA",
    "CURRENCIES",
]

#: What an empty figure reads as (English; :func:`na` gives it in the report language).
NA = "n/a"

#: Symbols and names of the currencies a report may use; any other ISO code is written as a prefix
#: ("CHF 9.0M").
CURRENCIES: dict[str, tuple[str, str, str]] = {
    # code: (symbol, English unit, Chinese unit)
    "USD": ("$", "USD", "美元"),
    "EUR": ("€", "EUR", "欧元"),
    "CNY": ("¥", "CNY", "人民币"),
    "JPY": ("¥", "JPY", "日元"),
    "GBP": ("£", "GBP", "英镑"),
    "HKD": ("HK$", "HKD", "港元"),
    "CAD": ("C$", "CAD", "加元"),
    "AUD": ("A$", "AUD", "澳元"),
    "SGD": ("S$", "SGD", "新加坡元"),
    "INR": ("₹", "INR", "印度卢比"),
    "KRW": ("₩", "KRW", "韩元"),
}

#: The currency of the figures being written (an ISO code, or None for no symbol): set per report
#: or per ``with using(...)`` block, never as module state; threads and processes start with none.
_CURRENCY: contextvars.ContextVar[str | None] = contextvars.ContextVar("pmo_analysis_currency", default=None)


def _checked(currency: str | None) -> str | None:
    if currency is not None and not (len(currency) == 3 and currency.isalpha() and currency.isupper()):
        raise ValueError(f"currency must be an ISO 4217 code such as USD, EUR or CNY, got {currency!r}")
    return currency


def use(*, currency: str | None = None, language: str | None = None) -> None:
    """Set the currency (ISO code, or ``None`` for no symbol) and the language of every figure
    written from now on, in this context (a report's kernel, or the calling thread).
    :func:`pmo_analysis.reporting.report.open_report` calls it for each report; elsewhere prefer
    :func:`using`, which puts the previous settings back.
    """
    _CURRENCY.set(_checked(currency))
    if language is not None:
        i18n.use(language)


@contextlib.contextmanager
def using(*, currency: str | None = None, language: str | None = None) -> Iterator[None]:
    """:func:`use` inside a ``with`` block, then the previous settings."""
    token = _CURRENCY.set(_checked(currency))
    try:
        if language is None:
            yield
        else:
            with i18n.language(language):
                yield
    finally:
        _CURRENCY.reset(token)


def currency() -> str | None:
    """The ISO code in use, or ``None``."""
    return _CURRENCY.get()


def symbol() -> str:
    """The money symbol in use (``$``, ``¥``), the code with a space for others, or ``""``."""
    code = _CURRENCY.get()
    if code is None:
        return ""
    return CURRENCIES[code][0] if code in CURRENCIES else code + " "


def unit() -> str:
    """The money unit for axis labels and headers: ``USD``, ``美元``; ``currency`` with none set."""
    code = _CURRENCY.get()
    zh = i18n.current() == "zh"
    if code is None:
        return "货币" if zh else "currency"
    if code in CURRENCIES:
        return CURRENCIES[code][2 if zh else 1]
    return code


def na() -> str:
    """An empty figure in the report language."""
    return "不适用" if i18n.current() == "zh" else NA


def _missing(v) -> bool:
    try:
        return v is None or math.isnan(float(v))
    except (TypeError, ValueError):
        return True


def is_negative(v) -> bool:
    """Whether ``v`` is a figure below zero (to mark it)."""
    return not _missing(v) and float(v) < 0


def _signed(v: float, text: str) -> str:
    return ("-" if v < 0 else "") + symbol() + text


def money(v, _pos=None) -> str:
    """Compact money: $1.2M, $45k, $1.3B; in Chinese ¥123.5万, ¥1.2亿 (also a tick formatter)."""
    if _missing(v):
        return na()
    v = float(v)
    a = abs(v)
    if i18n.current() == "zh":
        if a >= 1e8:
            return _signed(v, f"{a / 1e8:,.1f}亿")
        if a >= 1e4:
            return _signed(v, f"{a / 1e4:,.1f}万")
        return _signed(v, f"{a:,.0f}")
    if a >= 1e9:
        return _signed(v, f"{a / 1e9:,.1f}B")
    if a >= 1e6:
        return _signed(v, f"{a / 1e6:,.1f}M")
    if a >= 1e4:
        return _signed(v, f"{a / 1e3:,.0f}k")
    if a >= 1e3:
        return _signed(v, f"{a / 1e3:,.1f}k")
    return _signed(v, f"{a:,.0f}")


def money_full(v) -> str:
    """Money with thousands separators and no decimals: $1,234,567 (-$1,234 for a negative).

    In Chinese, money in a table reads as in a tile, a sentence and on an axis (:func:`money`):
    ``¥40.5万`` beside a tile's ``¥40.5万``, never ``¥405,500``.

    >>> with using(currency="CNY", language="zh"):
    ...     money_full(405_500), money_full(-2_500), money_full(250_000_000)
    ('¥40.5万', '-¥2,500', '¥2.5亿')
    """
    if _missing(v):
        return na()
    if i18n.current() == "zh":
        return money(v)
    v = float(v)
    return _signed(v, f"{abs(v):,.0f}") if round(abs(v)) else symbol() + "0"


def pct(v, decimals: int = 1) -> str:
    """A share as a percent: 0.395 -> 39.5%."""
    return na() if _missing(v) else f"{v:.{decimals}%}"


def probability(v) -> str:
    """A probability as a whole percent: 0.5 -> 50% (every table, reason and page alike)."""
    return pct(v, 0)


def ratio(v) -> str:
    """CPI, SPI, BCR: two decimals."""
    return na() if _missing(v) else f"{v:.2f}"


def count(v) -> str:
    """A whole number with thousands separators."""
    return na() if _missing(v) else f"{round(float(v)):,}"


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _timestamp(v):
    import pandas as pd

    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return None
    try:
        return pd.Timestamp(v)
    except (TypeError, ValueError):
        return None


def month(v) -> str:
    """A month: ``Mar 2026`` (``2026年3月``); ``v`` is a date, a timestamp or ISO text."""
    t = _timestamp(v)
    if t is None:
        return na() if v is None or not isinstance(v, str) else v
    return f"{t.year}年{t.month}月" if i18n.current() == "zh" else f"{_MONTHS[t.month - 1]} {t.year}"


def date(v) -> str:
    """A day: ``30 Jun 2026`` (``2026年6月30日``); ``v`` is a date, a timestamp or ISO text."""
    t = _timestamp(v)
    if t is None:
        return na() if v is None or not isinstance(v, str) else v
    if i18n.current() == "zh":
        return f"{t.year}年{t.month}月{t.day}日"
    return f"{t.day} {_MONTHS[t.month - 1]} {t.year}"


def timestamp(v) -> str:
    """A moment, to the minute: ``7 Dec 2026 05:53`` (``2026年12月7日 05:53``), in the time zone ``v``
    carries; ``v`` is a datetime, a timestamp or ISO text.

    >>> timestamp("2026-12-07T05:53:01+00:00")
    '7 Dec 2026 05:53'
    """
    t = _timestamp(v)
    if t is None:
        return na() if v is None or not isinstance(v, str) else v
    return f"{date(t)} {t:%H:%M}"


def period(start, end) -> str:
    """A span of days in the report's date style: ``1 Jan 2025 – 30 Apr 2027``
    (``2025年1月1日至2027年4月30日``).

    >>> from pmo_analysis.core.i18n import language
    >>> with language("zh"):
    ...     period("2025-01-01", "2027-04-30")
    '2025年1月1日至2027年4月30日'
    """
    if i18n.current() == "zh":
        return f"{date(start)}至{date(end)}"
    return f"{date(start)} – {date(end)}"


def as_text(values, formatter):
    """A column of ``values`` written with ``formatter`` (one of the above, or any callable): a
    text column even when it has no rows, so reasons can be built from it in words.
    """
    return values.map(formatter).astype(object)
