"""Charts of the executive summary (``notebooks/executive_summary.ipynb``)."""

from __future__ import annotations

import html as _html
from collections.abc import Callable

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from markupsafe import Markup
from matplotlib import dates as mdates
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

from pmo_analysis.core import formatting as fmt
from pmo_analysis.core.i18n import _
from pmo_analysis.reporting.plots._axes import money
from pmo_analysis.reporting.plots._style import bold, literal_text


@literal_text
def headline_trend(hist: pd.DataFrame, labels: dict[str, str], *, cols: int = 6) -> Figure:
    """Small multiples: each headline figure across the runs of a schedule, on honest axes.

    Every panel's value axis starts at zero (or below it, for a negative figure) and ends a little
    above the largest value, so a move from 40.5% to 39.5% reads as the small move it is; CPI and
    SPI panels show the target line at 1.0. A figure an earlier run did not record (a column its
    headline.csv predates) is a gap in the line; a figure no run recorded has no panel.
    """
    metrics = [m for m in labels if m in hist.columns and hist[m].notna().any()]
    n = len(metrics)
    rows = int(np.ceil(n / cols)) or 1
    fig, axes = plt.subplots(rows, cols, figsize=(13, 1.8 * rows + 0.5), squeeze=False)
    pct = {"portfolio_roi", "utilization", "milestone_on_time_rate", "benefits_realization", "high_impact_done_share"}
    money_like = {
        "total_budget",
        "portfolio_npv",
        "remaining_npv",
        "spend_to_date",
        "planned_to_date",
        "open_risk_exposure",
        "benefits_shortfall",
        "budget_cap",
        "funded_need",
        "stop_frees",
    }
    x_first, x_last = hist["as_of"].iloc[0], hist["as_of"].iloc[-1]
    pad = max((x_last - x_first) * 0.08, pd.Timedelta(days=5))
    for ax, m in zip(axes.flat, metrics, strict=False):
        y = hist[m].astype(float)
        ax.plot(hist["as_of"], y, marker="o", color="#1f4e79", lw=1.5, ms=3)
        ax.scatter(hist["as_of"].iloc[-1:], y.iloc[-1:], color="#c62828", zorder=3, s=20)
        last = y.iloc[-1]
        shown = (
            fmt.pct(last, 1)
            if m in pct
            else fmt.money(last)
            if m in money_like
            else fmt.ratio(last)
            if m.endswith(("cpi", "spi"))
            else fmt.count(last)
        )
        ax.set_title(f"{_(labels[m])}\n{shown}", fontsize=9, fontweight=bold())
        ax.tick_params(labelsize=7.5)
        ax.set_xticks(hist["as_of"].iloc[[0, -1]].unique())
        ax.set_xlim(x_first - pad, x_last + pad)  # every panel spans every run, also one with gaps
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: fmt.month(mdates.num2date(v))))
        lo, hi = float(np.nanmin(y)), float(np.nanmax(y))
        if m.endswith(("cpi", "spi")):
            ax.axhline(1.0, color="#2e7d32", lw=0.8, ls="--")
            hi = max(hi, 1.0)
        ax.set_ylim(min(0.0, lo * 1.15), max(hi * 1.15, 1e-9) if hi > 0 else 1.0)
        if m in pct:
            ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        elif m in money_like:
            ax.yaxis.set_major_formatter(money)
        counted = m not in pct and m not in money_like and not m.endswith(("cpi", "spi"))
        ax.yaxis.set_major_locator(MaxNLocator(3, integer=counted))
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    fig.suptitle(
        _("Headline figures across {n} reports of this schedule", n=len(hist)), x=0.01, ha="left", fontweight=bold()
    )
    fig.tight_layout()
    return fig


#: A sparkline's size in CSS pixels (it sits under a tile's value) and its colours: the figure, and
#: the plan it is read against.
SPARK_SIZE = (120, 28)
_SPARK_COLOURS = ("#1f77b4", "#7f7f7f")


def sparkline(
    periods: pd.Series,
    values: pd.Series,
    *,
    describe: Callable[[float], str],
    plan: pd.Series | None = None,
    size: tuple[int, int] = SPARK_SIZE,
) -> Markup | None:
    """A tile's monthly history as a small inline SVG: ``values`` by month (``periods``), and
    ``plan`` dashed beside it; ``None`` with fewer than two months that have a value.

    The value axis starts at zero (or below, for a negative figure), as every chart of the
    workbook does, so a small move reads as small. The SVG's title (read aloud, shown on hover)
    says the months and the first and last values, written with ``describe``.

    Examples
    --------
    >>> svg = sparkline(pd.Series(pd.to_datetime(["2026-04-01", "2026-05-01", "2026-06-01"])),
    ...                 pd.Series([0.5, 1.0, 0.75]), describe=fmt.pct, size=(100, 20))
    >>> import re
    >>> re.search(r'points="([^"]+)"', svg).group(1)
    '1.0,10.0 50.0,1.0 99.0,5.5'
    >>> re.search(r"<title>(.*)</title>", svg).group(1)
    'Apr 2026 to Jun 2026: 50.0% → 75.0%'
    """
    v = pd.to_numeric(pd.Series(values), errors="coerce").reset_index(drop=True)
    when = pd.to_datetime(pd.Series(periods)).reset_index(drop=True)
    p = None if plan is None else pd.to_numeric(pd.Series(plan), errors="coerce").reset_index(drop=True)
    known = v.notna()
    if known.sum() < 2:
        return None
    w, h = size
    both = pd.concat([v, p]) if p is not None else v
    low, high = min(0.0, float(both.min())), max(0.0, float(both.max()))
    span = (high - low) or 1.0
    n = len(v)

    def points(series: pd.Series) -> str:
        xs = [1 + i * (w - 2) / (n - 1) for i in range(n)]
        return " ".join(
            f"{x:.1f},{h - 1 - (y - low) * (h - 2) / span:.1f}" for x, y in zip(xs, series, strict=True) if y == y
        )

    first, last = v[known].iloc[0], v[known].iloc[-1]
    title = _(
        "{first} to {last}: {start} → {end}",
        first=fmt.month(when[known].iloc[0]),
        last=fmt.month(when[known].iloc[-1]),
        start=describe(first),
        end=describe(last),
    )
    lines = []
    if p is not None and p.notna().sum() >= 2:
        lines.append(
            f'<polyline fill="none" stroke="{_SPARK_COLOURS[1]}" stroke-width="1" stroke-dasharray="3 2" '
            f'points="{points(p)}"/>'
        )
    lines.append(f'<polyline fill="none" stroke="{_SPARK_COLOURS[0]}" stroke-width="1.5" points="{points(v)}"/>')
    label = _html.escape(title, quote=True)
    return Markup(  # noqa: S704 - numbers made here and a title escaped above
        f'<svg class="pmo-spark" xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
        f'viewBox="0 0 {w} {h}" role="img" aria-label="{label}"><title>{label}</title>{"".join(lines)}</svg>'
    )
