"""Fan charts of the forecasts (``pmo_analysis.analyses.forecast``): a project's final cost and
finish as P10-P90 bands (its page), and every running project's bands (the ROI report).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from pmo_analysis.core import formatting as fmt
from pmo_analysis.core.i18n import _
from pmo_analysis.reporting.plots._axes import money, month_axis, shorten
from pmo_analysis.reporting.plots._style import literal_text

__all__ = ["FORMULAS", "finish_p80_words", "project_fan", "portfolio_fans"]

#: Each independent EAC formula (:data:`pmo_analysis.analyses.forecast.IEAC_FORMULAS`) as written.
FORMULAS = {
    "ac_plus_remaining": "AC + (BAC − EV)",
    "bac_over_cpi": "BAC / CPI",
    "cpi_times_spi": "AC + (BAC − EV) / (CPI × SPI)",
    "composite_80_20": "AC + (BAC − EV) / (0.8 CPI + 0.2 SPI)",
}

_BAND = "#90caf9"
_P50 = "#1565c0"
_P80 = "#ef6c00"


def finish_p80_words(project: pd.Series) -> str:
    """``Finish P80 May 2027 (plan Jan 2027)``, or ``""`` when the project has no range."""
    if pd.isna(project.get("finish_p80")):
        return ""
    return _(
        "Finish P80 {month} (plan {plan})",
        month=fmt.month(project["finish_p80"]),
        plan=fmt.month(project.get("planned_finish", project.get("end_date"))),
    )


@literal_text
def project_fan(months: pd.DataFrame, project: pd.Series, *, as_of) -> Figure:
    """One project's fan charts: cumulative cost to date, then P10-P90 of the final cost, each
    reached at the finish of the same draw's quantile (a straight line from the cost at as-of);
    right, the finish's P10-P90 against the planned end. ``months`` are the project's rows of
    :func:`pmo_analysis.analyses.finance.project_months`; ``project`` its row of the model's
    projects table (with the forecast columns). The titles state the P80s.
    """
    fig, (cost_ax, end_ax) = plt.subplots(1, 2, figsize=(11, 2.9), gridspec_kw={"width_ratios": [3, 2]})
    as_of = pd.Timestamp(as_of)
    done = months.loc[months["is_actual"]]
    ac = float(done["ac_cumulative"].iloc[-1]) if len(done) else 0.0
    start = done["period"].iloc[-1] + pd.offsets.MonthEnd(0) if len(done) else as_of
    cost_ax.plot(done["period"], done["ac_cumulative"], color="#c62828", lw=2, label=_("AC (actual cost)"))
    ends = {q: pd.Timestamp(project[f"finish_p{q}"]) for q in (10, 50, 80, 90)}
    costs = {q: float(project[f"cost_p{q}"]) for q in (10, 50, 80, 90)}
    cost_ax.fill(
        [start, ends[10], ends[90], start],
        [ac, costs[10], costs[90], ac],
        color=_BAND,
        alpha=0.6,
        lw=0,
        label=_("P10-P90"),
    )
    for q, color, ls in ((50, _P50, "-"), (80, _P80, "--")):
        cost_ax.plot([start, ends[q]], [ac, costs[q]], color=color, ls=ls, lw=1.5, label=f"P{q} {fmt.money(costs[q])}")
    if pd.notna(project.get("bac")):
        cost_ax.axhline(project["bac"], color="#1f4e79", lw=0.8, ls=":", label=f"BAC {fmt.money(project['bac'])}")
    cost_ax.axvline(as_of, color="#c62828", lw=1, ls=":")
    cost_ax.yaxis.set_major_formatter(money)
    cost_ax.set_ylabel(_("Cumulative cost ({unit})", unit=fmt.unit()))
    cost_ax.set_xlabel(_("Month"))
    cost_ax.set_title(
        _("Final cost P80 {p80} (budget {bac})", p80=fmt.money(costs[80]), bac=fmt.money(project.get("bac"))),
        fontsize=11,
    )
    cost_ax.legend(loc="upper left", frameon=False, fontsize=8)
    planned = pd.Timestamp(project.get("planned_finish", project.get("end_date")))
    end_ax.barh([0], [(ends[90] - ends[10]).days or 15], left=ends[10], height=0.5, color=_BAND, label=_("P10-P90"))
    end_ax.plot([ends[50]], [0], "o", color=_P50, ms=8, label=f"P50 {fmt.month(ends[50])}")
    end_ax.plot([ends[80]], [0], "D", color=_P80, ms=7, label=f"P80 {fmt.month(ends[80])}")
    end_ax.axvline(planned, color="#444", lw=1.2, label=_("Plan {month}", month=fmt.month(planned)))
    lo, hi = min(ends[10], planned), max(ends[90], planned)
    pad = pd.Timedelta(days=max(45, (hi - lo).days * 0.15))
    end_ax.set_xlim(lo - pad, hi + pad)
    end_ax.set_yticks([])
    end_ax.set_ylim(-1, 1.4)
    end_ax.set_xlabel(_("Month"))
    end_ax.set_title(finish_p80_words(project), fontsize=11)
    end_ax.legend(loc="upper left", frameon=False, fontsize=8, ncol=2)
    for ax in (cost_ax, end_ax):
        month_axis(ax, maxticks=6)
        ax.tick_params(labelsize=8)
    fig.subplots_adjust(left=0.075, right=0.99, bottom=0.17, top=0.88, wspace=0.12)
    return fig


@literal_text
def portfolio_fans(forecast: pd.DataFrame, *, top: int = 20) -> Figure:
    """Every running project's P10-P90 of final cost (as a share of budget) and of finish (months
    after the planned end), the ``top`` with the highest P80 overrun. ``forecast`` is the model's
    projects table (name, bac, planned_finish and the forecast columns).
    """
    f = forecast.loc[forecast["cost_p80"].notna() & (forecast["bac"] > 0)].copy()
    for q in (10, 50, 80, 90):
        f[f"c{q}"] = f[f"cost_p{q}"] / f["bac"] - 1
        f[f"d{q}"] = (pd.to_datetime(f[f"finish_p{q}"]) - pd.to_datetime(f["planned_finish"])).dt.days / (365.25 / 12)
    f = f.sort_values("c80", ascending=False).head(top).iloc[::-1]
    fig, (c_ax, d_ax) = plt.subplots(1, 2, figsize=(11, max(2.4, 0.32 * len(f) + 1.2)), sharey=True)
    y = np.arange(len(f))
    for ax, k in ((c_ax, "c"), (d_ax, "d")):
        ax.barh(y, f[f"{k}90"] - f[f"{k}10"], left=f[f"{k}10"], height=0.6, color=_BAND, label=_("P10-P90"))
        ax.plot(f[f"{k}50"], y, "o", color=_P50, ms=5, label="P50")
        ax.plot(f[f"{k}80"], y, "D", color=_P80, ms=5, label="P80")
        ax.axvline(0, color="#444", lw=1)
        ax.margins(x=0.06)
        ax.tick_params(labelsize=8)
    c_ax.set_yticks(y)
    c_ax.set_yticklabels(shorten(f["name"].astype(str)).tolist())
    c_ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _pos: fmt.pct(v, 0)))
    c_ax.set_xlabel(_("Final cost against budget (0 = on budget)"))
    d_ax.set_xlabel(_("Finish against the planned end (months)"))
    over = int((f["c80"] > 0).sum())
    late = int((f["d80"] > 0).sum())
    c_ax.set_title(_("Final cost: P80 over budget for {n} of {m}", n=over, m=len(f)), fontsize=11)
    d_ax.set_title(_("Finish: P80 after the plan for {n} of {m}", n=late, m=len(f)), fontsize=11)
    c_ax.legend(loc="lower right", frameon=False, fontsize=8)
    fig.subplots_adjust(left=0.2, right=0.99, bottom=0.12, top=0.92, wspace=0.06)
    return fig
