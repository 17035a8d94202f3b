"""Charts of the portfolio ROI report (``notebooks/portfolio_roi.ipynb``): NPV and ROI by project
and by group, value against risk, the J-curve, earned value (CPI/SPI, also on the department
pages) and the efficient frontier.
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from pmo_analysis.core import formatting as fmt
from pmo_analysis.core.config import HEALTH_THRESHOLDS
from pmo_analysis.core.i18n import _, label
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


#: Colours of the health groups on the CPI/SPI chart (the red and amber of the threshold lines).
_HEALTH_COLOURS = {"off track": "#c62828", "at risk": "#f9a825", "on track": "#2e7d32", "data needed": "#9e9e9e"}


def quadrant_health(roi: pd.DataFrame, thresholds: Mapping[str, float]) -> pd.Series:
    """The health group each running project of ``roi`` is drawn in: its ``health`` (the model's,
    the one the executive summary lists) where the frame has it, else by the CPI and SPI
    thresholds alone (red below ``cpi_red``/``spi_red``, amber below ``cpi_amber``/``spi_amber``).
    Below a red line is always off track and below an amber line at least at risk, as the health
    rules judge by the same thresholds.
    """
    if "health" in roi and roi["health"].notna().all():
        return roi["health"].astype(str)
    cpi, spi = roi["cpi"], roi["spi"]
    red = (cpi < thresholds["cpi_red"]) | (spi < thresholds["spi_red"])
    amber = (cpi < thresholds["cpi_amber"]) | (spi < thresholds["spi_amber"])
    by_rule = pd.Series(np.select([red, amber], ["off track", "at risk"], "on track"), index=roi.index)
    return roi["health"].astype(object).fillna(by_rule) if "health" in roi else by_rule


@literal_text
def cpi_spi_quadrant(roi: pd.DataFrame, *, thresholds: Mapping[str, float] | None = None) -> Figure:
    """CPI against SPI of the running projects with earned value, coloured by health, with the
    health rules' red (off track) and amber (at risk) lines of ``thresholds`` (the model's
    ``assumptions`` row: cpi_red, cpi_amber, spi_red, spi_amber); projects off track or at risk
    are named (the 12 worst). The title counts the running projects off track or at risk, drawn
    or not (no CPI/SPI), so it reads the number the executive summary lists. Without
    ``thresholds``, the defaults of :data:`pmo_analysis.core.config.HEALTH_THRESHOLDS`.
    """
    thresholds = HEALTH_THRESHOLDS if thresholds is None else thresholds
    running = roi.loc[roi["status"].isin(["active", "on_hold"])] if "status" in roi else roi
    health = quadrant_health(running, thresholds)
    troubled = health.isin(["off track", "at risk"])
    df = running.dropna(subset=["cpi", "spi"])
    drawn = health.loc[df.index]
    fig, ax = plt.subplots(figsize=(9, 7))
    for code in ("on track", "data needed", "at risk", "off track"):
        d = df.loc[drawn == code]
        if len(d):
            ax.scatter(
                d["spi"],
                d["cpi"],
                color=_HEALTH_COLOURS[code],
                alpha=0.8,
                s=70 if code != "on track" else 50,
                edgecolor="white",
                label=label(code),
                zorder=3,
            )
    lo = min(0.5, df[["cpi", "spi"]].min().min() - 0.05) if len(df) else 0.5
    hi = max(1.3, df[["cpi", "spi"]].max().max() + 0.05) if len(df) else 1.3
    ax.set_xlim(lo, hi)
    ax.set_ylim(lo, hi)
    ax.axvline(1, color="#444", lw=0.8)
    ax.axhline(1, color="#444", lw=0.8)
    for kind, colour, name in (
        ("red", _HEALTH_COLOURS["off track"], "Off track below CPI {cpi} or SPI {spi}"),
        ("amber", _HEALTH_COLOURS["at risk"], "At risk below CPI {cpi} or SPI {spi}"),
    ):
        cpi_line, spi_line = thresholds[f"cpi_{kind}"], thresholds[f"spi_{kind}"]
        ax.axhline(
            cpi_line, color=colour, lw=1.2, ls="--", label=_(name, cpi=fmt.ratio(cpi_line), spi=fmt.ratio(spi_line))
        )
        ax.axvline(spi_line, color=colour, lw=1.2, ls="--")
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
    t = df.loc[troubled.loc[df.index]]
    t = t.loc[t[["cpi", "spi"]].min(axis=1).nsmallest(12).index]  # name the 12 worst at most
    ax.set_xlabel(_("Schedule performance index SPI = EV / PV"))
    ax.set_ylabel(_("Cost performance index CPI = EV / AC"))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=3, frameon=False)
    below = (df["cpi"] < thresholds["cpi_amber"]) | (df["spi"] < thresholds["spi_amber"])
    ax.set_title(
        _(
            "Earned value: {n} of {total} running projects off track or at risk, {k} of them below an amber CPI or "
            "SPI line",
            n=int(troubled.sum()),
            total=len(running),
            k=int(below.sum()),
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
    # one row per group, at its own position: labels alike would otherwise stack two groups on one row
    rows = np.arange(len(df))
    labels = shorten(df[by].astype(str), 32)
    axes[0].barh(rows, df["npv"], color=np.where(df["npv"] >= 0, "#2e7d32", "#c62828"))
    axes[0].set_yticks(rows, labels)
    money_axis(axes[0].xaxis)
    axes[0].set_xlabel(_("NPV ({unit})", unit=fmt.unit()))
    axes[0].axvline(0, color="#444", lw=0.8)
    axes[1].barh(rows, df["roi"], color="#1f77b4")
    axes[1].xaxis.set_major_formatter(PercentFormatter(1.0))
    axes[1].set_xlabel(_("ROI = net benefit / cost"))
    axes[1].axvline(0, color="#444", lw=0.8)
    fig.suptitle(_("Returns by {group}", group=_(by.replace("_", " "))), x=0.01, ha="left", fontweight=bold())
    fig.tight_layout()
    return fig
