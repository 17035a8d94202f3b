"""Charts of the portfolio ROI report (``notebooks/portfolio_roi.ipynb``): NPV and ROI by project
and by group, value against risk, the J-curve, earned value (CPI/SPI, also on the department
pages) and the efficient frontier.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from pmo_analysis.core import formatting as fmt
from pmo_analysis.core.i18n import _
from pmo_analysis.reporting.plots._axes import legend_below, money, money_axis, month_axis, shorten
from pmo_analysis.reporting.plots._labels import label_points
from pmo_analysis.reporting.plots._style import PALETTE, bold, literal_text


@literal_text
def npv_ranked(roi: pd.DataFrame, *, top: int = 30) -> Figure:
    """NPV per project, ranked, with ROI printed beside each bar (the ``top`` by |NPV| if many)."""
    df = roi.dropna(subset=["npv"])
    if len(df) > top:
        df = df.loc[df["npv"].abs().nlargest(top).index]
    df = df.sort_values("npv")
    fig, ax = plt.subplots(figsize=(10, max(4, 0.32 * len(df) + 1.5)))
    colours = np.where(df["npv"] >= 0, "#2e7d32", "#c62828")
    labels = shorten(df["project_id"] + "  " + df["name"])
    ax.barh(labels, df["npv"], color=colours)
    money_axis(ax.xaxis)
    for y, (npv, r) in enumerate(zip(df["npv"], df["roi"], strict=False)):
        txt = "" if pd.isna(r) else f" ROI {r:.0%}"
        ax.annotate(
            txt, (max(npv, 0), y), xytext=(3, 0), textcoords="offset points", va="center", fontsize=8, color="#333"
        )
    ax.axvline(0, color="#444", lw=0.8)
    ax.set_xlabel(_("Net present value ({unit})", unit=fmt.unit()))
    ax.set_ylabel("")
    ax.margins(x=0.15)
    n_neg = int((df["npv"] < 0).sum())
    ax.set_title(_("NPV by project: {neg} of {n} shown destroy value", neg=n_neg, n=len(df)))
    fig.tight_layout()
    return fig


@literal_text
def value_vs_risk(roi: pd.DataFrame) -> Figure:
    """Bubble chart: NPV against risk score, bubble size = budget, colour = strategic objective."""
    df = roi.dropna(subset=["npv"]).copy()
    rng = np.random.default_rng(0)
    df["x"] = df["risk_score"].fillna(3) + rng.uniform(-0.18, 0.18, len(df))
    fig, ax = plt.subplots(figsize=(10, 6.5))
    objective = df["strategic_objective"].astype(object).fillna("(none)")  # the column may hold no text at all
    objectives = sorted(objective.unique())
    smax = df["bac"].max() or 1
    for i, obj in enumerate(objectives):
        d = df.loc[objective == obj]
        ax.scatter(
            d["x"],
            d["npv"],
            s=40 + 1400 * d["bac"] / smax,
            alpha=0.6,
            color=PALETTE[i % len(PALETTE)],
            edgecolor="white",
            label=obj,
        )
    ax.axhline(0, color="#444", lw=0.8)
    ax.yaxis.set_major_formatter(money)
    ax.set_xticks([1, 2, 3, 4, 5])
    ax.set_xlabel(_("Delivery risk score (1 = low, 5 = high)"))
    ax.set_ylabel(_("Net present value ({unit})", unit=fmt.unit()))
    lowest = df["npv"].rank(method="first") <= 3
    worst = df.loc[(df["npv"] < 0) & ((df["risk_score"] >= 4) | lowest)].nsmallest(10, "npv")
    leg = ax.legend(
        title=_("Strategic objective (size = budget)"), loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False
    )
    for h in leg.legend_handles:
        h.set_sizes([60])
    ax.set_title(_("Value vs risk: the deepest-loss and high-risk negative-NPV projects are named"))
    fig.tight_layout()
    label_points(ax, worst["x"], worst["npv"], worst["project_id"] + " " + shorten(worst["name"], 18))
    return fig


@literal_text
def j_curve(cum: pd.DataFrame, *, as_of, title: str | None = None) -> Figure:
    """Cumulative net cash flow over time, plan vs forecast (the J-curve), of the portfolio or of
    the flows given; ``title`` replaces the default "Portfolio J-curve: deepest point ..." (for one
    project, a department).
    """
    fig, ax = plt.subplots(figsize=(11, 5))
    ax.plot(cum["period"], cum["planned_cumulative"], color="#7f7f7f", ls="--", label=_("Plan"))
    ax.plot(
        cum["period"],
        cum["forecast_cumulative"],
        color="#1f77b4",
        lw=2,
        label=_("Forecast (actuals to as-of, plan after)"),
    )
    ax.axhline(0, color="#444", lw=0.8)
    ax.axvline(pd.Timestamp(as_of), color="#c62828", lw=1, ls=":")
    ax.annotate(
        _("as of {date}", date=fmt.date(as_of)),
        (pd.Timestamp(as_of), ax.get_ylim()[1]),
        xytext=(4, -12),
        textcoords="offset points",
        color="#c62828",
        fontsize=9,
    )
    ax.yaxis.set_major_formatter(money)
    ax.set_ylabel(_("Cumulative net cash flow ({unit})", unit=fmt.unit()))
    ax.set_xlabel(_("Month"))
    month_axis(ax)
    low = cum.loc[cum["forecast_cumulative"].idxmin()]
    ax.set_title(
        title
        or _(
            "Portfolio J-curve: deepest point {value} in {month}",
            value=fmt.money(low["forecast_cumulative"]),
            month=fmt.month(low["period"]),
        )
    )
    legend_below(fig, ax)
    return fig


@literal_text
def cpi_spi_quadrant(roi: pd.DataFrame, *, cpi_threshold: float = 0.85, spi_threshold: float = 0.85) -> Figure:
    """CPI against SPI for projects with earned value; projects below a threshold are named."""
    df = roi.dropna(subset=["cpi", "spi"])
    df = df.loc[df["status"].isin(["active", "on_hold"])] if "status" in df else df
    fig, ax = plt.subplots(figsize=(9, 7))
    trouble = (df["cpi"] < cpi_threshold) | (df["spi"] < spi_threshold)
    ax.scatter(
        df.loc[~trouble, "spi"], df.loc[~trouble, "cpi"], color="#2e7d32", alpha=0.7, s=50, label=_("Within thresholds")
    )
    ax.scatter(df.loc[trouble, "spi"], df.loc[trouble, "cpi"], color="#c62828", s=70, label=_("Below a threshold"))
    lo = min(0.5, df[["cpi", "spi"]].min().min() - 0.05) if len(df) else 0.5
    hi = max(1.3, df[["cpi", "spi"]].max().max() + 0.05) if len(df) else 1.3
    ax.set_xlim(lo, hi)
    ax.set_ylim(lo, hi)
    ax.axvline(1, color="#444", lw=0.8)
    ax.axhline(1, color="#444", lw=0.8)
    ax.axvline(spi_threshold, color="#c62828", lw=0.8, ls=":")
    ax.axhline(cpi_threshold, color="#c62828", lw=0.8, ls=":")
    for txt, x, y in [
        ("late, over budget", lo, lo),
        ("early, over budget", hi, lo),
        ("late, under budget", lo, hi),
        ("early, under budget", hi, hi),
    ]:
        ax.text(
            x,
            y,
            _(txt),
            ha="left" if x == lo else "right",
            va="bottom" if y == lo else "top",
            color="#888",
            fontsize=9,
            transform=ax.transData,
        )
    t = df.loc[trouble]
    t = t.loc[t[["cpi", "spi"]].min(axis=1).nsmallest(12).index]  # name the 12 worst at most
    ax.set_xlabel(_("Schedule performance index SPI = EV / PV"))
    ax.set_ylabel(_("Cost performance index CPI = EV / AC"))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=2, frameon=False)
    ax.set_title(
        _(
            "Earned value: {n} of {total} running projects below CPI or SPI threshold",
            n=int(trouble.sum()),
            total=len(df),
        )
    )
    fig.tight_layout()
    label_points(ax, t["spi"], t["cpi"], shorten(t["project_id"] + " " + t["name"], 22))  # on the final layout
    return fig


@literal_text
def frontier(front: pd.DataFrame, *, budget_cap: float, chosen_value: float, objective: str) -> Figure:
    """Efficient frontier: best achievable value at each budget level, with the chosen cap."""
    fig, ax = plt.subplots(figsize=(10, 5))
    ax.step(front["budget"], front["value"], where="post", color="#1f77b4", lw=2)
    ax.scatter(
        [budget_cap],
        [chosen_value],
        color="#c62828",
        zorder=3,
        s=60,
        label=_(
            "Budget cap {cap}: value {value}",
            cap=fmt.money(budget_cap),
            value=fmt.money(chosen_value) if objective == "npv" else fmt.count(chosen_value),
        ),
    )
    money_axis(ax.xaxis)
    if objective == "npv":
        ax.yaxis.set_major_formatter(money)
    ax.set_xlabel(_("Funding available for proposed + active projects ({unit})", unit=fmt.unit()))
    ax.set_ylabel(
        _("Best total priority score") if objective == "score" else _("Best total NPV ({unit})", unit=fmt.unit())
    )
    ax.legend(loc="lower right", frameon=False)
    ax.set_title(_("Efficient frontier: what each extra unit of budget buys"))
    fig.tight_layout()
    return fig


@literal_text
def kpi_bars(totals: pd.DataFrame, *, by: str) -> Figure:
    """NPV and ROI per group (department, objective), ratios computed from sums."""
    df = totals.sort_values("npv")
    fig, axes = plt.subplots(1, 2, figsize=(12, max(3, 0.5 * len(df) + 1.5)), sharey=True)
    labels = shorten(df[by].astype(str), 24)
    axes[0].barh(labels, df["npv"], color=np.where(df["npv"] >= 0, "#2e7d32", "#c62828"))
    money_axis(axes[0].xaxis)
    axes[0].set_xlabel(_("NPV ({unit})", unit=fmt.unit()))
    axes[0].axvline(0, color="#444", lw=0.8)
    axes[1].barh(labels, df["roi"], color="#1f77b4")
    axes[1].xaxis.set_major_formatter(PercentFormatter(1.0))
    axes[1].set_xlabel(_("ROI = net benefit / cost"))
    axes[1].axvline(0, color="#444", lw=0.8)
    fig.suptitle(_("Returns by {group}", group=_(by.replace("_", " "))), x=0.01, ha="left", fontweight=bold())
    fig.tight_layout()
    return fig
