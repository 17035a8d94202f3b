"""Axes as the reports write them: money in the report's currency with ticks whose labels fit,
months (``Mar 2026``), shortened category labels, and a legend in one row under the chart.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib import dates as mdates
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, Locator, MaxNLocator

from pmo_analysis.core import formatting as fmt


def _money(v, _pos=None) -> str:
    """The one money format (:func:`pmo_analysis.core.formatting.money`), in the report's currency;
    a round tick in 万 or 亿 without its ``.0`` (``¥2,000万``, not ``¥2,000.0万``).

    >>> with fmt.using(currency="CNY", language="zh"):
    ...     _money(20_000_000), _money(12_500_000), _money(300_000_000)
    ('¥2,000万', '¥1,250万', '¥3亿')
    """
    text = fmt.money(v)
    return text.replace(".0万", "万").replace(".0亿", "亿")


#: The money format as a tick formatter: ``ax.yaxis.set_major_formatter(money)``.
money = FuncFormatter(_money)


class _FittingTicks(MaxNLocator):
    """Ticks at round values (as matplotlib's default), as many as leave a gap of half a character
    between neighbouring labels on a horizontal axis: a money label such as ``¥200.0万`` is wide,
    and a fixed tick count let neighbours overlap on a narrow chart.
    """

    def __init__(self) -> None:
        super().__init__(nbins="auto", steps=[1, 2, 2.5, 5, 10])

    def __call__(self):
        vmin, vmax = self.axis.get_view_interval()
        fig = self.axis.figure
        renderer = fig.canvas.get_renderer()
        prop = self.axis.majorTicks[0].label1.get_fontproperties()  # the labels' own font and size
        room = self.axis.axes.get_window_extent(renderer).width
        gap = prop.get_size_in_points() * fig.dpi / 72 / 2
        label = self.axis.get_major_formatter()
        for n in range(9, 1, -1):
            self.set_params(nbins=n)
            ticks = self.tick_values(vmin, vmax)
            shown = [t for t in ticks if vmin <= t <= vmax]
            widths = [
                renderer.get_text_width_height_descent(label(t, i), prop, ismath=False)[0] for i, t in enumerate(shown)
            ]
            # centred labels: neighbours' half widths plus a gap must fit between their ticks
            scale = room / (vmax - vmin) if vmax > vmin else 0.0
            fits = all(
                (b - a) * scale >= (wa + wb) / 2 + gap
                for a, b, wa, wb in zip(shown, shown[1:], widths, widths[1:], strict=False)
            )
            if fits:
                return ticks
        return ticks


def money_axis(axis) -> None:
    """Label a horizontal ``axis`` with money in the report's currency, with ticks whose labels fit."""
    axis.set_major_formatter(money)
    axis.set_major_locator(_FittingTicks())


def shorten(s: pd.Series, width: int = 28) -> pd.Series:
    """``s`` as text, each longer than ``width`` characters cut to ``width`` with an ellipsis, and
    distinct names kept distinct: names that the cut would merge (the 26 "United States Department
    of ..." of a federal portfolio share their first 24 characters): then every long name keeps its
    start and its end around a middle ellipsis ("United Stat… Agriculture"), and any still alike
    are numbered. A chart drawn with these labels never stacks two categories on one row.

    Written here rather than with :func:`textwrap.shorten`, which cuts at word ends and keeps no
    end of a name: what tells two long names apart is often their last words.

    >>> names = pd.Series(["United States Department of Agriculture", "United States Department of Commerce", "HR"])
    >>> shorten(names, 24).tolist()
    ['United Stat… Agriculture', 'United Stat… of Commerce', 'HR']
    """
    s = s.astype(str)
    out = s.where(s.str.len() <= width, s.str.slice(0, width - 1) + "…")
    if _distinct(s, out):
        return out
    head = (width - 1) // 2
    long = s.str.len() > width
    # every long name the same way, so that a reader compares like with like
    out = out.where(~long, s.str.slice(0, head) + "…" + s.str.slice(head - width + 1))
    if _distinct(s, out):
        return out
    # names alike at both ends: each distinct name of a label that still stands for several is
    # numbered, over all such names, so that no two numbered labels meet either
    names = pd.Series(pd.unique(s))
    labels = names.map(dict(zip(s, out, strict=True)))
    clash = labels.duplicated(keep=False)
    n = clash.cumsum()
    numbered = pd.Series(
        [x[: max(width - len(f"…{k}"), 1)] + f"…{k}" for x, k in zip(names, n, strict=True)], index=names.index
    )
    fixed = labels.where(~clash, numbered)
    return s.map(dict(zip(names, fixed, strict=True)))


def _distinct(s: pd.Series, out: pd.Series) -> bool:
    """Whether ``out`` has as many distinct labels as ``s`` has distinct names."""
    return out.nunique() == s.nunique()


def legend_below(fig: Figure, ax) -> None:
    """The legend in one row under the chart, outside the bars, lines and their labels (a legend
    inside the axes sits on a bar or a label whichever corner it takes); lays the figure out with
    the room it needs.
    """
    handles, names = ax.get_legend_handles_labels()
    fig.legend(
        handles, names, loc="lower center", ncol=max(1, len(names)), frameon=False, fontsize=9, borderaxespad=0.3
    )
    fig.tight_layout(rect=(0, 0.4 / fig.get_figheight(), 1, 1))


def month_labels(periods) -> list[str]:
    """``periods`` as the reports write months (``Mar 2026``)."""
    return [fmt.month(p) for p in periods]


#: Months between two month ticks, smallest first: every month, quarter, half year, year, or years.
_MONTH_STEPS = (1, 2, 3, 6, 12, 24, 36, 48, 60, 120, 240, 600, 1200)


class MonthTicks(Locator):
    """Ticks on the first day of months, every 1, 2, 3, 6 or 12 months or whole years (aligned:
    quarters start in January, April, July, October), at most ``maxticks`` of them, for any range:
    a range of a few days, of 2.9 years (where matplotlib's ``AutoDateLocator`` finds no interval
    and warns) or of decades. A range inside one month has one tick, in its middle, so its label
    names that month once instead of repeating it under daily ticks.

    Examples
    --------
    >>> import datetime as dt
    >>> def ticks(first, last, maxticks=6):
    ...     values = MonthTicks(maxticks).tick_values(mdates.date2num(first), mdates.date2num(last))
    ...     return [mdates.num2date(v).strftime("%Y-%m-%d") for v in values]
    >>> ticks(dt.datetime(2026, 1, 15), dt.datetime(2028, 12, 20))  # 35 months: every half year
    ['2026-07-01', '2027-01-01', '2027-07-01', '2028-01-01', '2028-07-01']
    >>> ticks(dt.datetime(2026, 3, 3), dt.datetime(2026, 3, 21))
    ['2026-03-12']
    """

    def __init__(self, maxticks: int = 8) -> None:
        self.maxticks = max(1, int(maxticks))

    def __call__(self):
        vmin, vmax = self.axis.get_view_interval()
        return self.tick_values(vmin, vmax)

    def tick_values(self, vmin, vmax):
        if not (np.isfinite(vmin) and np.isfinite(vmax)):
            return []
        vmin, vmax = sorted((float(vmin), float(vmax)))
        try:
            lo = pd.Timestamp(mdates.num2date(vmin)).tz_localize(None)
            hi = pd.Timestamp(mdates.num2date(vmax)).tz_localize(None)
        except (ValueError, OverflowError, pd.errors.OutOfBoundsDatetime):  # outside the dates pandas holds
            return []
        first = lo.to_period("M").to_timestamp()
        first = first if first >= lo else first + pd.offsets.MonthBegin(1)
        n = (hi.year - first.year) * 12 + hi.month - first.month + 1 if first <= hi else 0
        if n <= 0:  # no month starts in the range
            return [(vmin + vmax) / 2]
        step = next((s for s in _MONTH_STEPS if n // s + 1 <= self.maxticks), _MONTH_STEPS[-1])
        months = pd.date_range(first, hi, freq="MS")
        keep = months[(months.year * 12 + months.month - 1) % step == 0]
        return list(mdates.date2num((keep if len(keep) else months[:1]).to_pydatetime()))


def month_axis(ax, *, maxticks: int = 8) -> None:
    """Months on a time axis as the reports write them (``Mar 2026``), at most ``maxticks`` ticks
    (:class:`MonthTicks`), whatever the range.
    """
    ax.xaxis.set_major_locator(MonthTicks(maxticks))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: fmt.month(mdates.num2date(v).replace(tzinfo=None))))


def matplotlib_date_formatter():
    """Dates on a time axis as the reports write them (``30 Jun 2026``)."""
    return FuncFormatter(lambda v, _pos: fmt.date(mdates.num2date(v)))
