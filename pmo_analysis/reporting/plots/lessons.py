"""Charts of the lessons learned report (``notebooks/lessons_learned.ipynb``)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from pmo_analysis.core import formatting as fmt
from pmo_analysis.core import i18n
from pmo_analysis.core.i18n import _
from pmo_analysis.reporting.plots._axes import legend_below, shorten
from pmo_analysis.reporting.plots._style import literal_text

KIND_COLOURS = {"to_improve": "#c62828", "went_well": "#2e7d32"}


@literal_text
def lessons_by_category(by_cat: pd.DataFrame) -> Figure:
    """Lessons per category, split into went well / to improve."""
    t = by_cat.pivot_table(index="category", columns="kind", values="lessons", fill_value=0, aggfunc="sum")
    t = t.loc[t.sum(axis=1).sort_values().index]
    if len(t) > 25:
        t = t.iloc[-25:]
    fig, ax = plt.subplots(figsize=(10, max(3, 0.4 * len(t) + 1.5)))
    left = np.zeros(len(t))
    for kind in [k for k in ("to_improve", "went_well") if k in t.columns]:
        ax.barh(shorten(pd.Series(t.index), 30), t[kind], left=left, color=KIND_COLOURS[kind], label=i18n.label(kind))
        left += t[kind].to_numpy()
    ax.set_xlabel(_("Lessons"))
    ax.set_title(
        _(
            "Lessons by category ({n} lessons{note})",
            n=fmt.count(t.to_numpy().sum()),
            note=_(", 25 largest categories") if len(by_cat["category"].unique()) > 25 else "",
        )
    )
    legend_below(fig, ax)
    return fig


@literal_text
def lessons_trend(trend: pd.DataFrame) -> Figure:
    """Lessons recorded per quarter, by kind."""
    fig, ax = plt.subplots(figsize=(11, 4))
    bottom = np.zeros(len(trend))
    for kind in [k for k in ("to_improve", "went_well") if k in trend.columns]:
        ax.bar(trend["quarter"], trend[kind], bottom=bottom, color=KIND_COLOURS[kind], label=i18n.label(kind))
        bottom += trend[kind].to_numpy()
    step = max(1, len(trend) // 16)
    ax.set_xticks(range(0, len(trend), step), trend["quarter"].iloc[::step], rotation=45, ha="right")
    ax.set_ylabel(_("Lessons per quarter"))
    ax.set_title(_("Lessons recorded per quarter"))
    legend_below(fig, ax)
    return fig


@literal_text
def recurring_themes(themes: pd.DataFrame, *, top: int = 15) -> Figure:
    """Recurring themes: projects reporting each, labelled with the theme's name (its top terms when
    a table has no name column).
    """
    themes = themes.loc[themes["theme"].astype(str) != "Other"]  # the remainder ("Other lessons") is never ranked
    d = themes.head(top).iloc[::-1]
    named = d["name"].astype(str) if "name" in d else d["top_terms"].astype(str).str.split(", ").str[:3].str.join(", ")
    label = np.where(d["source"] == "category", d["theme"].astype(str), _("text: {name}", name=named))
    fig, ax = plt.subplots(figsize=(11, max(3, 0.42 * len(d) + 1.5)))
    ax.barh(
        shorten(pd.Series(label), 46), d["projects"], color=np.where(d["source"] == "category", "#1f77b4", "#9467bd")
    )
    for y, (pr, le) in enumerate(zip(d["projects"], d["lessons"], strict=False)):
        ax.annotate(
            _(" {projects} projects, {lessons} lessons", projects=pr, lessons=le), (pr, y), va="center", fontsize=8
        )
    ax.set_xlabel(_("Distinct projects reporting the problem"))
    ax.margins(x=0.25)
    ax.set_title(_("Recurring problems (blue: by category, purple: found in the text)"))
    fig.tight_layout()
    return fig


@literal_text
def open_actions_by_owner(by_owner: pd.DataFrame) -> Figure:
    """Open recommendations per owner, high-impact highlighted, with the oldest age."""
    d = by_owner.sort_values("open_actions")
    fig, ax = plt.subplots(figsize=(10, max(3, 0.4 * len(d) + 1.5)))
    names = shorten(d["owner"].astype(str), 28)
    ax.barh(names, d["open_actions"] - d["high_impact"], color="#9ecae1", label=_("other"))
    ax.barh(names, d["high_impact"], left=d["open_actions"] - d["high_impact"], color="#c62828", label=_("high impact"))
    for y, (n, old) in enumerate(zip(d["open_actions"], d["oldest_days"], strict=False)):
        ax.annotate(_(" oldest {days} days", days=fmt.count(old)), (n, y), va="center", fontsize=8)
    ax.set_xlabel(_("Open or in-progress recommendations"))
    ax.margins(x=0.22)
    ax.set_title(_("Open actions by owner ({n} in all)", n=fmt.count(d["open_actions"].sum())))
    legend_below(fig, ax)
    return fig


@literal_text
def went_well(practices: pd.DataFrame, *, top: int = 12) -> Figure:
    """Practices most often reported as working."""
    d = practices.head(top).iloc[::-1]
    fig, ax = plt.subplots(figsize=(10, max(2.5, 0.45 * len(d) + 1.5)))
    label = d["practice"].astype(str) + ": " + d["top_terms"].astype(str).str.split(", ").str[:3].str.join(", ")
    ax.barh(shorten(label, 50), d["projects"], color="#2e7d32")
    ax.set_xlabel(_("Distinct projects reporting it"))
    ax.set_title(_("What went well: practices to make standard"))
    fig.tight_layout()
    return fig
