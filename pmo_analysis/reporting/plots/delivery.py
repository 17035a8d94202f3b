"""Charts of the portfolio delivery report (``notebooks/portfolio_delivery.ipynb``): the
dependency network, milestone trend analysis, the risk heatmap and the roadmap (also in the
executive summary).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib import dates as mdates
from matplotlib.dates import num2date
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

from pmo_analysis.core import formatting as fmt
from pmo_analysis.core.i18n import _, label
from pmo_analysis.reporting.plots._axes import money, month_axis, shorten
from pmo_analysis.reporting.plots._heatmap import heatmap
from pmo_analysis.reporting.plots._style import PALETTE, bold, literal_text

HEALTH_COLOURS = {"off track": "#c62828", "at risk": "#f9a825", "on track": "#2e7d32"}
_NOT_RUNNING_COLOUR = "#9e9e9e"


@literal_text
def dependency_network(edges: pd.DataFrame, projects: pd.DataFrame, *, max_nodes: int = 60) -> Figure:
    """The dependency network: one node per project, coloured by health (grey: not running), an
    arrow per dependency, conflicts in red labelled with their slip in days. Projects are laid out
    left to right by their level in the network. With more than ``max_nodes`` projects, those
    connected to a conflict are shown (the title says so).

    ``edges`` is the model's ``dependencies`` table, ``projects`` its ``projects`` table.
    """
    import networkx as nx  # here, not at the top: its import costs a report kernel about 0.3 s

    e = edges
    note = ""
    nodes = pd.unique(pd.concat([e["predecessor_id"], e["successor_id"]]))
    if len(nodes) > max_nodes:
        bad = e.loc[e["conflict"]]
        keep = set(bad["predecessor_id"]) | set(bad["successor_id"])
        e = e.loc[e["predecessor_id"].isin(keep) | e["successor_id"].isin(keep)]
        note = _(
            " (the {n} of {total} projects around a conflict)",
            n=fmt.count(len(pd.unique(pd.concat([e["predecessor_id"], e["successor_id"]])))),
            total=fmt.count(len(nodes)),
        )
    graph = nx.DiGraph()
    graph.add_edges_from(e[["predecessor_id", "successor_id"]].itertuples(index=False, name=None))
    for layer, members in enumerate(nx.topological_generations(graph)):
        for n in members:
            graph.nodes[n]["layer"] = layer
    pos = nx.multipartite_layout(graph, subset_key="layer", align="vertical") if len(graph) else {}
    info = projects.set_index("project_id")
    health = info["health"].reindex(list(graph.nodes)).where(info["running"].reindex(list(graph.nodes)).fillna(False))
    colours = [
        HEALTH_COLOURS.get(h, _NOT_RUNNING_COLOUR) if isinstance(h, str) else _NOT_RUNNING_COLOUR for h in health
    ]
    layers = max((d["layer"] for _, d in graph.nodes(data=True)), default=0) + 1
    width = max(8, 3.2 * layers)
    height = max(
        4,
        0.8 * max((sum(1 for _, d in graph.nodes(data=True) if d["layer"] == k) for k in range(layers)), default=1) + 2,
    )
    fig, ax = plt.subplots(figsize=(min(width, 18), min(height, 24)))
    conflict = e.set_index(["predecessor_id", "successor_id"])["conflict"]
    edge_colours = ["#c62828" if conflict.get(edge, False) else "#9e9e9e" for edge in graph.edges]
    edge_widths = [2.4 if conflict.get(edge, False) else 1.0 for edge in graph.edges]
    nx.draw_networkx_edges(
        graph,
        pos,
        ax=ax,
        edge_color=edge_colours,
        width=edge_widths,
        arrows=True,
        arrowsize=16,
        node_size=900,
        connectionstyle="arc3,rad=0.08",
    )
    nx.draw_networkx_nodes(graph, pos, ax=ax, node_color=colours, node_size=900, edgecolors="white")
    names = info["name"].reindex(list(graph.nodes)).astype(str)
    labels = {n: f"{n}\n{shorten(pd.Series([names[n]]), 22).iloc[0]}" for n in graph.nodes}
    for n, (x, y) in pos.items():
        ax.text(x, y - 0.06, labels[n], ha="center", va="top", fontsize=8)
    slip = e.loc[e["conflict"]].set_index(["predecessor_id", "successor_id"])["slip_days"]
    nx.draw_networkx_edge_labels(
        graph,
        pos,
        ax=ax,
        edge_labels={k: _("+{days} d", days=f"{v:,.0f}") for k, v in slip.items()},
        font_color="#c62828",
        font_size=9,
    )
    handles = [
        Line2D([], [], marker="o", ls="", color=c, markersize=10, label=label(k)) for k, c in HEALTH_COLOURS.items()
    ]
    handles += [
        Line2D([], [], marker="o", ls="", color=_NOT_RUNNING_COLOUR, markersize=10, label=_("not running")),
        Line2D([], [], color="#c62828", lw=2.4, label=_("conflict (slip in days)")),
    ]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.02), ncol=5, frameon=False)
    ax.margins(x=0.12, y=0.15)
    ax.set_axis_off()
    n_conf = int(e["conflict"].sum())
    ax.set_title(
        _(
            "Dependencies: {n} conflict(s) among {linked} linked projects{note} (earlier projects on the left)",
            n=fmt.count(n_conf),
            linked=fmt.count(graph.number_of_nodes()),
            note=note,
        )
    )
    fig.tight_layout()
    return fig


@literal_text
def milestone_trend(history: pd.DataFrame, *, project_ids: list[str] | None = None, cols: int = 2) -> Figure:
    """Milestone trend analysis (MTA): for each project, the status date across and the date each
    status report gave for each milestone up, one line per milestone. A flat line keeps its date,
    a rising line slips; a line ends on the diagonal when the milestone is reached.

    ``history`` is the model's ``milestone_history`` table; ``project_ids`` the projects to draw
    (default: every project in ``history``, at most six).
    """
    ids = list(project_ids) if project_ids is not None else list(pd.unique(history["project_id"]))[:6]
    n = max(len(ids), 1)
    cols = min(cols, n)
    rows = -(-n // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(7.2 * cols, 5.2 * rows), squeeze=False)
    for ax, pid in zip(axes.flat, ids, strict=False):
        h = history.loc[history["project_id"] == pid]
        lo = min(h["status_date"].min(), h["reported_date"].min())
        hi = max(h["status_date"].max(), h["reported_date"].max())
        ax.plot([lo, hi], [lo, hi], color="#bbb", lw=1, ls="--", label=_("reached (date = status date)"))
        for i, (mid, g) in enumerate(h.groupby("milestone_id", sort=True)):
            colour = PALETTE[i % len(PALETTE)]
            ax.plot(
                g["status_date"],
                g["reported_date"],
                marker="o",
                color=colour,
                lw=1.8,
                label=f"{mid} {g['name'].iloc[-1]}",
            )
            reached = g.loc[g["reached"]]
            if len(reached):
                ax.scatter(
                    reached["status_date"].iloc[:1],
                    reached["reported_date"].iloc[:1],
                    marker="D",
                    s=60,
                    color=colour,
                    edgecolors="black",
                    zorder=3,
                )
            ax.axhline(g["baseline_date"].iloc[0], color=colour, lw=0.6, ls=":")
        title = h["project"].iloc[0] if "project" in h and len(h) else ""
        slip = h.groupby("milestone_id")["reported_date"].last() - h.groupby("milestone_id")["baseline_date"].last()
        worst = slip.max() / pd.Timedelta(days=1) if len(slip) else 0
        ax.set_title(
            _(
                "{project}: {slip}",
                project=f"{pid} {title}",
                slip=_("up to {days} days late", days=f"{worst:,.0f}") if worst > 0 else _("on baseline"),
            ),
            fontsize=11,
        )
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: fmt.month(num2date(v))))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: fmt.month(num2date(v))))
        ax.set_xlabel(_("Status report date"))
        ax.set_ylabel(_("Forecast date (dotted: baseline)"))
        ax.legend(fontsize=8, loc="upper left", frameon=False)
        ax.tick_params(axis="x", labelrotation=30)
    for ax in list(axes.flat)[len(ids) :]:
        ax.set_axis_off()
    fig.suptitle(
        _("Milestone trend analysis: rising lines are milestones slipping report after report"),
        x=0.01,
        ha="left",
        fontweight=bold(),  # regular where the CJK font has no bold face: matplotlib would warn on the console
        fontsize=13,
    )
    fig.tight_layout()
    return fig


@literal_text
def risk_heatmap(heat: pd.DataFrame) -> Figure:
    """Open risks and issues by probability band (up) and impact band (across): the count in each
    cell, coloured by the cell's exposure. ``heat`` is the model's ``risk_heatmap`` table.
    """
    items = heat.pivot_table(
        index="probability_band", columns="impact_band", values="items", aggfunc="sum", observed=False
    ).iloc[::-1]
    exposure = heat.pivot_table(
        index="probability_band", columns="impact_band", values="exposure", aggfunc="sum", observed=False
    ).iloc[::-1]
    items.columns = exposure.columns = [label(c) for c in items.columns]  # the bands in words
    fig, ax = plt.subplots(figsize=(11, 5.5))
    text = items.astype(int).astype(str) + "\n" + exposure.map(fmt.money)
    heatmap(
        ax,
        exposure,
        cmap="OrRd",
        annot=text.where(items > 0, ""),
        linewidth=0.5,
        cbar_label=_("Exposure (probability x impact)"),
        cbar_format=money,
    )
    top = exposure.stack()
    worst = top.idxmax() if len(top) and top.max() > 0 else None
    ax.set_xlabel(_("Impact as a share of the project's budget"))
    ax.set_ylabel(_("Probability"))
    ax.set_title(
        _("{n} open risks and issues (count, exposure)", n=fmt.count(items.to_numpy().sum()))
        + (
            _(": most exposure at {probability} probability, impact {impact}", probability=worst[0], impact=worst[1])
            if worst
            else ""
        ),
        fontsize=12,
    )
    ax.tick_params(axis="y", labelrotation=0)
    fig.tight_layout()
    return fig


@literal_text
def roadmap(
    rows: pd.DataFrame,
    *,
    left_out: int = 0,
    milestones: pd.DataFrame | None = None,
    dependencies: pd.DataFrame | None = None,
    as_of=None,
) -> Figure:
    """The roadmap: one row per project of ``rows`` (:func:`pmo_analysis.analyses.delivery.roadmap_projects`),
    its plan as an outline and its forecast as a bar coloured by health (hatched grey: proposed),
    its milestones at their current date (black: reached; red: missed; white: to come), an arrow per dependency
    between two projects drawn (red: in conflict), and the as-of date.

    ``left_out`` (the running and proposed projects not drawn) is said in the title;
    ``milestones`` and ``dependencies`` are the model's tables of those names.
    """
    n = max(len(rows), 1)
    fig, ax = plt.subplots(figsize=(12, 1.4 + 0.34 * n))
    y = {pid: i for i, pid in enumerate(rows["project_id"])}
    num = mdates.date2num
    for i, r in enumerate(rows.itertuples(index=False)):
        if pd.notna(r.start_date) and pd.notna(r.end_date):
            ax.barh(
                i,
                num(r.end_date) - num(r.start_date),
                left=num(r.start_date),
                height=0.78,
                color="none",
                edgecolor="#616161",
                lw=0.9,
                zorder=1,
            )
        if pd.notna(r.forecast_start) and pd.notna(r.forecast_end):
            proposed = r.status == "proposed"
            colour = HEALTH_COLOURS.get(str(r.health), _NOT_RUNNING_COLOUR)
            ax.barh(
                i,
                num(r.forecast_end) - num(r.forecast_start),
                left=num(r.forecast_start),
                height=0.42,
                color=colour,
                alpha=0.9,
                hatch="///" if proposed else None,
                edgecolor="white",
                lw=0,
                zorder=2,
            )
    if milestones is not None and len(milestones):
        m = milestones.loc[milestones["project_id"].isin(list(y))]
        reached = m["state"].isin(["reached on time", "reached late"])
        missed = m["state"] == "missed"
        ax.scatter(
            num(m["current_date"]),
            m["project_id"].map(y),
            marker="D",
            s=26,
            zorder=4,
            c=["#c62828" if x else "#212121" if r else "white" for r, x in zip(reached, missed, strict=True)],
            edgecolors="#212121",
            linewidths=0.9,
        )
    if dependencies is not None and len(dependencies):
        d = dependencies.loc[dependencies["predecessor_id"].isin(list(y)) & dependencies["successor_id"].isin(list(y))]
        ends = rows.set_index("project_id")
        for e in d.itertuples(index=False):
            start_type = e.type in ("start_to_start", "start_to_finish")
            x0 = ends.loc[e.predecessor_id, "forecast_start" if start_type else "forecast_end"]
            finish_type = e.type in ("finish_to_finish", "start_to_finish")
            x1 = ends.loc[e.successor_id, "forecast_end" if finish_type else "forecast_start"]
            if pd.isna(x0) or pd.isna(x1):
                continue
            ax.annotate(
                "",
                xy=(num(x1), y[e.successor_id]),
                xytext=(num(x0), y[e.predecessor_id]),
                zorder=3,
                arrowprops={
                    "arrowstyle": "-|>",
                    "color": "#c62828" if e.conflict else "#757575",
                    "lw": 1.1,
                    "connectionstyle": "arc3,rad=0.15",
                },
            )
    if as_of is not None:
        ax.axvline(num(pd.Timestamp(as_of)), color="#212121", lw=1, ls="--", zorder=0)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels(shorten(rows["project_id"].astype(str) + " " + rows["name"].astype(str), 34), fontsize=9)
    ax.set_ylim(len(rows) - 0.4, -0.6)
    ax.xaxis_date()
    month_axis(ax)
    ax.grid(axis="y", visible=False)
    title = _("Roadmap: {n} running and proposed projects, plan and forecast", n=fmt.count(len(rows)))
    if left_out:
        title += " " + _("({n} more not drawn)", n=fmt.count(left_out))
    ax.set_title(title, loc="left", fontweight="bold", fontsize=12)
    ax.set_xlabel(_("Dashed line: as of {date}", date=fmt.date(as_of)) if as_of is not None else "")
    handles = [Patch(facecolor=HEALTH_COLOURS[h], label=label(h)) for h in ("off track", "at risk", "on track")] + [
        Patch(facecolor=_NOT_RUNNING_COLOUR, hatch="///", edgecolor="white", label=label("proposed")),
        Patch(facecolor="none", edgecolor="#616161", label=_("Plan")),
        Line2D(
            [],
            [],
            marker="D",
            ls="",
            color="#212121",
            markerfacecolor="white",
            label=_("Milestone (black: reached, red: missed)"),
        ),
        Line2D([], [], color="#757575", marker=">", label=_("Dependency (red: conflict)")),
    ]
    fig.legend(handles=handles, loc="lower center", ncol=len(handles), frameon=False, fontsize=9)
    fig.tight_layout(rect=(0, 0.45 / fig.get_figheight(), 1, 1))
    return fig
