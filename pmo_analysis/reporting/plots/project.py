"""Charts of a project's page (``notebooks/project_report.ipynb``)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from pmo_analysis.core import formatting as fmt
from pmo_analysis.core.i18n import _
from pmo_analysis.reporting.plots._axes import money, month_axis
from pmo_analysis.reporting.plots._style import literal_text


@literal_text
def project_curves(months: pd.DataFrame, project: pd.Series, *, as_of) -> Figure:
    """One project's earned-value S-curve and J-curve, side by side.

    Left: planned value (cumulative planned cost, the whole plan), actual cost to date (reported
    actuals, and the plan for months without one) through the last complete month, earned value
    at that month (percent complete x BAC, reported once), BAC, and EAC at the planned end.
    Right: the cumulative net cash flow, plan against forecast. ``months`` are the project's rows
    of :func:`pmo_analysis.analyses.finance.project_months`; ``project`` its row of the model's projects table.
    The titles state the finding (CPI and SPI; the deepest point of the J-curve).
    """
    fig, (ev_ax, j_ax) = plt.subplots(1, 2, figsize=(11, 3.1))
    # fixed margins rather than tight_layout: one page per project, so one draw per chart
    as_of = pd.Timestamp(as_of)
    done = months.loc[months["is_actual"]]
    ev_ax.plot(months["period"], months["pv_cumulative"], color="#7f7f7f", ls="--", label=_("PV (plan)"))
    if len(done):
        ev_ax.plot(done["period"], done["ac_cumulative"], color="#c62828", lw=2, label=_("AC (actual cost)"))
        if pd.notna(project.get("ev")):
            ev_ax.plot(
                [done["period"].iloc[-1]],
                [project["ev"]],
                "o",
                color="#2e7d32",
                ms=8,
                label=f"EV {fmt.money(project['ev'])}",
            )
    if pd.notna(project.get("bac")):
        ev_ax.axhline(project["bac"], color="#1f4e79", lw=0.8, ls=":", label=f"BAC {fmt.money(project['bac'])}")
    if pd.notna(project.get("eac")) and len(months):
        spend = months.loc[months["planned_cost"] > 0, "period"]  # EAC at the last planned cost
        ev_ax.plot(
            [spend.iloc[-1] if len(spend) else months["period"].iloc[-1]],
            [project["eac"]],
            "D",
            color="#ef6c00",
            ms=6,
            label=f"EAC {fmt.money(project['eac'])}",
        )
    ev_ax.axvline(as_of, color="#c62828", lw=1, ls=":")
    ev_ax.yaxis.set_major_formatter(money)
    ev_ax.set_ylabel(_("Cumulative cost ({unit})", unit=fmt.unit()))
    ev_ax.set_xlabel(_("Month"))
    cpi, spi = project.get("cpi"), project.get("spi")
    ev_ax.set_title(
        _("Earned value: CPI {cpi}, SPI {spi}", cpi=fmt.ratio(cpi), spi=fmt.ratio(spi))
        if pd.notna(cpi) and pd.notna(spi)
        else _("Earned value: none yet"),
        fontsize=11,
    )
    ev_ax.legend(loc="upper left", frameon=False, fontsize=8)
    j_ax.plot(months["period"], months["planned_cumulative"], color="#7f7f7f", ls="--", label=_("Plan"))
    j_ax.plot(
        months["period"],
        months["forecast_cumulative"],
        color="#1f77b4",
        lw=2,
        label=_("Forecast (actuals to as-of, plan after)"),
    )
    j_ax.axhline(0, color="#444", lw=0.8)
    j_ax.axvline(as_of, color="#c62828", lw=1, ls=":")
    j_ax.yaxis.set_major_formatter(money)
    j_ax.set_ylabel(_("Cumulative net cash flow ({unit})", unit=fmt.unit()))
    j_ax.set_xlabel(_("Month"))
    if len(months):
        low = months.loc[months["forecast_cumulative"].idxmin()]
        j_ax.set_title(
            _(
                "J-curve: deepest {money} in {month}",
                money=fmt.money(low["forecast_cumulative"]),
                month=fmt.month(low["period"]),
            ),
            fontsize=11,
        )
    else:
        j_ax.set_title(_("J-curve: no cash flows"), fontsize=11)
    j_ax.legend(loc="upper left", frameon=False, fontsize=8)
    for ax in (ev_ax, j_ax):
        month_axis(ax, maxticks=6)
        ax.tick_params(labelsize=8)
    fig.subplots_adjust(left=0.075, right=0.99, bottom=0.15, top=0.9, wspace=0.22)
    return fig
