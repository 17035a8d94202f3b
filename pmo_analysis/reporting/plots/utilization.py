"""Charts of the resource utilization report (``notebooks/resource_utilization.ipynb``):
utilization by group and month, over-allocation, capacity against demand, plan against actual
effort, and where time went.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, PercentFormatter

from pmo_analysis.core import formatting as fmt
from pmo_analysis.core import i18n
from pmo_analysis.core.i18n import _
from pmo_analysis.core.periods import last_complete_month
from pmo_analysis.reporting.plots._axes import legend_below, month_axis, month_labels, shorten
from pmo_analysis.reporting.plots._heatmap import heatmap
from pmo_analysis.reporting.plots._style import PALETTE, bold, literal_text


@literal_text
def utilization_trend(
    by_group: pd.DataFrame, portfolio: pd.DataFrame, *, by: str, over: float = 1.0, under: float = 0.6, cols: int = 4
) -> Figure:
    """Small multiples: one panel per group (department, role) with its utilization per complete
    month (solid) and its plan (dotted), the portfolio in grey behind it for comparison, and the
    over- and under-utilization thresholds. One panel each keeps eight roles readable, where eight
    lines in one chart tangle.
    """

    def complete(d: pd.DataFrame) -> pd.Series:
        return d["utilization"].where(d["month_status"] == "complete") if "month_status" in d else d["utilization"]

    groups = list(by_group.groupby(by, observed=True))
    n = max(1, len(groups))
    cols = min(cols, n)
    rows = int(np.ceil(n / cols))
    fig, axes = plt.subplots(
        rows, cols, figsize=(3.3 * cols + 0.6, 2.5 * rows + 0.9), squeeze=False, sharex=True, sharey=True
    )
    top = max(
        1.2,
        over + 0.15,
        float(np.nanmax(by_group[["utilization", "planned_utilization"]].to_numpy(float), initial=0)) * 1.08,
    )
    for ax, (name, d) in zip(axes.flat, groups, strict=False):
        ax.plot(portfolio["period"], complete(portfolio), color="#bbbbbb", lw=2.2)
        ax.plot(d["period"], complete(d), color="#1f4e79", lw=1.8)
        ax.plot(d["period"], d["planned_utilization"], color="#1f4e79", lw=1.1, ls=":")
        ax.axhline(over, color="#c62828", lw=0.8, ls="--")
        ax.axhline(under, color="#f9a825", lw=0.8, ls="--")
        last = d.assign(u=complete(d)).dropna(subset=["u"])
        value = fmt.pct(last["u"].iloc[-1], 0) if len(last) else fmt.na()
        ax.set_title(f"{shorten(pd.Series([str(name)]), 22).iloc[0]}: {value}", fontsize=10)
        ax.set_ylim(0, top)
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.tick_params(labelsize=8)
        month_axis(ax)
        ax.set_xticks(pd.to_datetime(by_group["period"]).agg(["min", "max"]).unique())  # first and last month
    for i, ax in enumerate(axes.flat):
        if i >= len(groups):
            ax.axis("off")
        elif i + cols >= len(groups):  # nothing drawn below it: it carries the month labels
            ax.xaxis.set_tick_params(labelbottom=True)
    handles = [
        plt.Line2D([], [], color="#1f4e79", lw=1.8),
        plt.Line2D([], [], color="#1f4e79", lw=1.1, ls=":"),
        plt.Line2D([], [], color="#bbbbbb", lw=2.2),
        plt.Line2D([], [], color="#c62828", lw=0.8, ls="--"),
        plt.Line2D([], [], color="#f9a825", lw=0.8, ls="--"),
    ]
    names = [
        _("Actual (complete months)"),
        _("Planned"),
        _("Portfolio (actual)"),
        _("Over-allocated above {pct}", pct=fmt.pct(over, 0)),
        _("Bench below {pct}", pct=fmt.pct(under, 0)),
    ]
    fig.legend(handles, names, loc="lower center", ncol=len(names), frameon=False, fontsize=8.5)
    done = portfolio.assign(utilization=complete(portfolio)).dropna(subset=["utilization"])
    now = (
        _(
            "{value} in {month}",
            value=fmt.pct(done["utilization"].iloc[-1], 0),
            month=fmt.month(done["period"].iloc[-1]),
        )
        if len(done)
        else _("no actuals")
    )
    fig.suptitle(
        _("Utilization by {by}, one panel each: portfolio {now}", by=_(by), now=now),
        x=0.01,
        ha="left",
        fontweight=bold(),
    )
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    return fig


@literal_text
def utilization_heatmap(
    util: pd.DataFrame, *, by: str = "resource", as_of=None, max_rows: int = 60, over: float = 1.0
) -> Figure:
    """Heatmap of utilization (rows: people, roles or departments; columns: months), the rows
    furthest from a healthy 80% first (the mean distance over the months shown).

    Past months show actual utilization, later months planned utilization. With more than
    ``max_rows`` rows, the ``max_rows`` furthest from 80% are shown, and the title names how many
    are left out and how close to 80% they all are.
    """
    df = util.copy()
    # actual in complete months; the month to date and the future show the plan
    if "month_status" in df:
        df["is_past"] = df["month_status"] == "complete"
    df["value"] = df["utilization"].where(df["is_past"], df["planned_utilization"])
    if by == "resource":
        df["row"] = df["name"].astype(str) + " (" + df["role"].astype(str) + ")"
    else:
        pivot_hours = (
            df.assign(h=np.where(df["is_past"], df["actual_hours"], df["planned_hours"]))
            .groupby([by, "period"], observed=True)[["h", "capacity_hours"]]
            .sum()
        )
        df = (
            (pivot_hours["h"] / pivot_hours["capacity_hours"].where(pivot_hours["capacity_hours"] > 0))
            .rename("value")
            .reset_index()
            .rename(columns={by: "row"})
        )
    table = df.pivot_table(index="row", columns="period", values="value", aggfunc="first")
    severity = (table - 0.8).abs().mean(axis=1).sort_values(ascending=False, kind="stable")
    note = ""
    if len(table) > max_rows:
        rest = severity.iloc[max_rows:]
        note = _(
            " ({shown} of {total}; the other {rest} are within {band} of 80%, all in utilization_by_resource.csv)",
            shown=max_rows,
            total=fmt.count(len(table)),
            rest=fmt.count(len(rest)),
            band=f"{rest.max() * 100:.0f} pt",
        )
    table = table.loc[severity.index[:max_rows]]
    table.columns = month_labels(table.columns)
    h = max(3.5, 0.26 * len(table) + 2)
    fig, ax = plt.subplots(figsize=(13, h))
    heatmap(
        ax,
        table,
        cmap="RdBu_r",
        vmin=0,
        vmax=max(1.6, over + 0.3),
        center=0.8,
        annot=True if len(table) <= 40 else None,
        fmt_cell=".0%",
        linewidth=0.3,
        cbar_label=_("Utilization"),
        cbar_format=PercentFormatter(1.0),
        shrink=0.6,
    )
    if as_of is not None:
        cols = list(table.columns)
        label = fmt.month(last_complete_month(as_of))
        if label in cols:
            ax.axvline(cols.index(label) + 1, color="black", lw=2)
    ax.set_xlabel(_("Month (left of the black line: actual; right: planned)"))
    ax.set_ylabel("")
    ax.set_title(_("Utilization by {by} and month, furthest from a healthy 80% first{note}", by=_(by), note=note))
    fig.tight_layout()
    return fig


@literal_text
def overallocation_bars(over: pd.DataFrame, *, top: int = 20) -> Figure:
    """Excess planned hours per over-allocated person, summed over the months, top ``top``."""
    g = (
        over.groupby(["resource_id", "name", "role"], observed=True)
        .agg(excess=("excess_hours", "sum"), months=("period", "nunique"), peak=("planned_utilization", "max"))
        .reset_index()
        .nlargest(top, "excess")
        .sort_values("excess")
    )
    fig, ax = plt.subplots(figsize=(10, max(3, 0.35 * len(g) + 1.5)))
    labels = shorten(g["name"].astype(str) + " (" + g["role"].astype(str) + ")", 34)
    ax.barh(labels, g["excess"], color="#c62828")
    for y, (e, m, pk) in enumerate(zip(g["excess"], g["months"], g["peak"], strict=False)):
        ax.annotate(_(" {months} mo, peak {peak}", months=m, peak=fmt.pct(pk, 0)), (e, y), va="center", fontsize=8)
    ax.set_xlabel(_("Planned hours above capacity, summed over the months (hours)"))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.margins(x=0.2)
    ax.set_title(_("Over-allocation: {n} people planned above capacity", n=over["resource_id"].nunique()))
    fig.tight_layout()
    return fig


@literal_text
def capacity_vs_demand(cvd: pd.DataFrame) -> Figure:
    """Capacity vs planned demand by role over the forecast months, with the gap in FTE."""
    g = cvd.groupby("role", observed=True)[["capacity_hours", "demand_hours", "gap_hours"]].sum()
    fte = cvd.groupby("role", observed=True)["gap_fte"].mean()
    g = g.assign(gap_fte=fte).sort_values("gap_hours")
    fig, ax = plt.subplots(figsize=(11, max(3.5, 0.55 * len(g) + 1.5)))
    y = np.arange(len(g))
    ax.barh(y + 0.2, g["capacity_hours"], height=0.4, color="#9ecae1", label=_("Capacity"))
    ax.barh(y - 0.2, g["demand_hours"], height=0.4, color="#3182bd", label=_("Planned demand"))
    ax.set_yticks(y, shorten(pd.Series(g.index), 24))
    for yy, (cap, dem, fte_) in enumerate(zip(g["capacity_hours"], g["demand_hours"], g["gap_fte"], strict=False)):
        txt = (
            _("balanced")
            if abs(fte_) < 0.05
            else _("short {fte} FTE", fte=f"{-fte_:.1f}")
            if fte_ < 0
            else _("spare {fte} FTE", fte=f"{fte_:.1f}")
        )
        ax.annotate(
            " " + txt,
            (max(cap, dem), yy),
            va="center",
            fontsize=9,
            color="#c62828" if fte_ < 0 else "#2e7d32",
            fontweight=bold() if fte_ < 0 else None,
        )
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.set_xlabel(_("Hours over the forecast months"))
    ax.margins(x=0.22)
    months = cvd["period"].nunique()
    ax.set_title(_("Capacity vs demand by role, next {n} months (FTE = average per month)", n=months))
    legend_below(fig, ax)
    return fig


@literal_text
def plan_vs_actual(pva: pd.DataFrame, projects: pd.DataFrame | None = None, *, top: int = 15) -> Figure:
    """Booked minus planned hours for the projects furthest from plan."""
    d = pva.head(top).iloc[::-1]
    names = d["project_id"]
    if projects is not None:
        names = names + " " + d["project_id"].map(projects.set_index("project_id")["name"]).fillna("")
    fig, ax = plt.subplots(figsize=(10, max(3, 0.35 * len(d) + 1.5)))
    ax.barh(shorten(names, 30), d["variance_hours"], color=np.where(d["variance_hours"] >= 0, "#f9a825", "#3182bd"))
    for y, (v, r) in enumerate(zip(d["variance_hours"], d["booked_vs_plan"], strict=False)):
        ax.annotate(
            "" if pd.isna(r) else _(" {pct} of plan", pct=fmt.pct(r, 0)),
            (v, y),
            va="center",
            fontsize=8,
            ha="left" if v >= 0 else "right",
        )
    ax.axvline(0, color="#444", lw=0.8)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.set_xlabel(_("Booked minus planned hours (hours; negative = less effort than planned)"))
    ax.margins(x=0.25)
    ax.set_title(_("Plan vs actual effort: projects furthest from plan"))
    fig.tight_layout()
    return fig


@literal_text
def time_split(split: pd.DataFrame) -> Figure:
    """Share of booked hours by kind of time (project work, leave, admin...) per department."""
    t = split.pivot_table(index="department", columns="kind", values="share", fill_value=0)
    order = ["project work", *sorted(c for c in t.columns if c != "project work")]
    t = t[[c for c in order if c in t.columns]]
    fig, ax = plt.subplots(figsize=(11, max(3, 0.5 * len(t) + 1.5)))
    left = np.zeros(len(t))
    for i, c in enumerate(t.columns):
        ax.barh(t.index.astype(str), t[c], left=left, color=PALETTE[i % len(PALETTE)], label=i18n.label(c))
        for y, (start, v) in enumerate(zip(left, t[c], strict=False)):
            if v >= 0.04:
                ax.text(start + v / 2, y, f"{v:.0%}", ha="center", va="center", fontsize=8, color="white")
        left += t[c].to_numpy()
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlim(0, 1)
    ax.set_xlabel(_("Share of booked hours"))
    ax.set_title(_("Where time went: project work vs non-project time by department"))
    legend_below(fig, ax)
    return fig
