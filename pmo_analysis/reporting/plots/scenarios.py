"""Charts of the scenarios report: the base beside each scenario."""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from pmo_analysis.core import formatting as fmt
from pmo_analysis.core.i18n import _
from pmo_analysis.reporting.plots._axes import legend_below, money, money_axis, shorten
from pmo_analysis.reporting.plots._style import PALETTE, literal_text

__all__ = ["scenario_frontiers", "scenario_capacity", "scenario_cash_need"]


def _colour(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


@literal_text
def scenario_frontiers(
    fronts: Mapping[str, pd.DataFrame], caps: Mapping[str, float], chosen: Mapping[str, float], *, objective: str
) -> Figure:
    """The efficient frontier of each model (``frontier`` table) on one chart, each with its cap
    and the value its selection reaches there; the first is the base.
    """
    fig, ax = plt.subplots(figsize=(10, 5))
    for i, (name, front) in enumerate(fronts.items()):
        colour = _colour(i)
        ax.step(front["budget"], front["value"], where="post", color=colour, lw=2.4 if i == 0 else 1.6, label=name)
        if name in caps:
            ax.scatter([caps[name]], [chosen.get(name, np.nan)], color=colour, zorder=3, s=50)
    money_axis(ax.xaxis)
    if objective == "npv":
        ax.yaxis.set_major_formatter(money)
    ax.set_xlabel(_("Funding available for proposed + active projects ({unit})", unit=fmt.unit()))
    ax.set_ylabel(
        _("Best total priority score") if objective == "score" else _("Best total NPV ({unit})", unit=fmt.unit())
    )
    ax.set_title(_("Efficient frontier of each scenario: the dot is its budget cap"))
    legend_below(fig, ax)
    return fig


@literal_text
def scenario_capacity(gaps: Mapping[str, pd.DataFrame]) -> Figure:
    """The capacity gap by role (FTE, negative = short) of each model (``capacity_by_role``), side by side."""
    roles = sorted({r for g in gaps.values() for r in g["role"]})
    fig, ax = plt.subplots(figsize=(11, max(3.5, 0.6 * len(roles) + 1.5)))
    y = np.arange(len(roles))
    height = 0.8 / max(len(gaps), 1)
    for i, (name, g) in enumerate(gaps.items()):
        fte = g.set_index("role")["gap_fte"].reindex(roles)
        ax.barh(y + (i - (len(gaps) - 1) / 2) * height, fte, height=height * 0.95, color=_colour(i), label=name)
    ax.axvline(0, color="#444", lw=0.8)
    ax.set_yticks(y, shorten(pd.Series(roles), 24))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:,.1f}"))
    ax.set_xlabel(_("Capacity minus demand, FTE on average over the forward months (negative = short)"))
    ax.set_title(_("Capacity gap by role in each scenario"))
    legend_below(fig, ax)
    return fig


@literal_text
def scenario_cash_need(needs: Mapping[str, pd.DataFrame], *, quarters: int = 8) -> Figure:
    """Cash need by quarter (forecast cost - benefit) of each model, the next ``quarters`` quarters."""
    all_q = sorted({q for n in needs.values() for q in n["quarter"]})[:quarters]
    fig, ax = plt.subplots(figsize=(11, 4.5))
    x = np.arange(len(all_q))
    width = 0.8 / max(len(needs), 1)
    for i, (name, n) in enumerate(needs.items()):
        v = n.set_index("quarter")["net_cash_need"].reindex(all_q)
        ax.bar(x + (i - (len(needs) - 1) / 2) * width, v, width=width * 0.95, color=_colour(i), label=name)
    ax.axhline(0, color="#444", lw=0.8)
    ax.set_xticks(x, all_q)
    ax.yaxis.set_major_formatter(money)
    ax.set_ylabel(_("Net cash need ({unit})", unit=fmt.unit()))
    ax.set_title(_("Cash need by quarter: forecast cost minus benefit (below zero: net inflow)"))
    legend_below(fig, ax)
    return fig
