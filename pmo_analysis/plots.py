r"""Charts: each function turns a tidy frame from an analysis module into a matplotlib Figure.

The style is defined in one place (:func:`style`) and applied to each chart as it is drawn,
never to matplotlib's global settings; it also picks a font with Chinese glyphs so project names
and lesson text in Chinese render as characters, not boxes. Figures are returned, never shown or
saved here; :func:`save` writes a PNG and closes the figure.

Text in a chart is literal: a project called ``Cost $5 to $7`` or ``$\\frac{1}{2}$`` is printed as
typed, never read as matplotlib mathtext (which would turn it into formulas, or fail the whole
report on a name such as ``Fix $\\x$``). Every chart function draws with mathtext off, whatever
the global settings (see :func:`_literal_text`).
"""
from __future__ import annotations

import functools
import logging
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.ticker import FuncFormatter, PercentFormatter

from .formatting import money as fmt_money

__all__ = [
    "use_style", "cjk_font", "save", "money", "npv_ranked", "value_vs_risk", "j_curve", "project_curves",
    "cpi_spi_quadrant", "frontier", "kpi_bars", "utilization_trend", "utilization_heatmap",
    "overallocation_bars", "capacity_vs_demand", "plan_vs_actual", "time_split", "lessons_by_category",
    "lessons_trend", "recurring_themes", "open_actions_by_owner", "went_well", "headline_trend",
    "dependency_network", "milestone_trend", "risk_heatmap",
]

CJK_CANDIDATES = ["Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Noto Sans CJK JP",
                  "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Microsoft YaHei", "SimHei",
                  "PingFang SC", "Heiti SC", "Arial Unicode MS", "Droid Sans Fallback"]
PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f"]


def _bundled_cjk_font() -> str | None:
    """Register the Noto Sans CJK SC font that the ``mplfonts`` package (a dependency) ships, and
    return its family name. Found without importing mplfonts, which has start-up side effects.
    """
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec("mplfonts")
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent / "fonts" / "NotoSansCJKsc-Regular.otf"
    if not path.exists():
        return None
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


def cjk_font() -> str | None:
    """Name of a font with Chinese glyphs: an installed one (Noto Sans CJK, Source Han, WenQuanYi,
    Microsoft YaHei...), else the Noto Sans CJK SC bundled with the ``mplfonts`` dependency, else
    ``None`` (then Chinese text shows as boxes: ``apt-get install fonts-noto-cjk``).
    """
    names = {f.name for f in font_manager.fontManager.ttflist}
    for c in CJK_CANDIDATES:
        if c in names:
            return c
    return _bundled_cjk_font()


#: How a chart is written to PNG: the same for reports, exports and tests.
SAVE_OPTIONS = {"dpi": 110, "bbox_inches": "tight"}


@functools.lru_cache(maxsize=1)
def style() -> dict:
    """The workbook's chart style as matplotlib settings: seaborn's whitegrid at notebook size,
    readable titles, the fonts (with a CJK fallback) and literal text. Applied per chart by
    :func:`_literal_text`, so drawing a chart changes nothing global.
    """
    import seaborn as sns

    families = ["DejaVu Sans"]
    cjk = cjk_font()
    if cjk:
        families.append(cjk)  # matplotlib falls back glyph by glyph along this list
    return {**sns.axes_style("whitegrid"), **sns.plotting_context("notebook"),
            "font.family": families,
            "axes.unicode_minus": False,
            "figure.dpi": 100,
            "axes.titleweight": "bold",
            "axes.titlesize": 13,
            "axes.titlelocation": "left",
            "text.parse_math": False,  # names and lesson text are literal: "$5 to $7" is not a formula
            }


def use_style() -> None:
    """Prepare a notebook for the workbook's charts without changing matplotlib's settings: the
    style is applied per chart (see :func:`style`). It only silences matplotlib's note that the
    bundled one-weight CJK font has no bold, which is not for the reader of a report.
    """
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)


def _literal_text(chart):
    """Decorator: draw ``chart`` in the workbook's :func:`style` (mathtext off), and leave every
    text of its figure literal.

    Texts created while the chart is drawn (titles, labels, legends, annotations, adjustText
    labels, category tick labels, which ``tight_layout`` creates) take ``text.parse_math=False``
    from the scoped rc setting; the walk afterwards makes sure of it for any text created with an
    explicit setting, so a later draw or save outside the scope stays literal.
    """
    @functools.wraps(chart)
    def draw(*args, **kwargs) -> Figure:
        with plt.rc_context(style()):
            fig = chart(*args, **kwargs)
            for ax in fig.axes:
                for axis in (ax.xaxis, ax.yaxis):
                    axis.get_major_ticks()  # create the tick labels inside the scope
            for text in fig.findobj(Text):
                text.set_parse_math(False)
        return fig
    return draw


def save(fig: Figure, path: str | Path) -> Path:
    """Write ``fig`` as a PNG and close it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, **SAVE_OPTIONS)
    plt.close(fig)
    return path


_money = fmt_money  # the one money format (pmo_analysis.formatting)


money = FuncFormatter(_money)


def _shorten(s: pd.Series, width: int = 28) -> pd.Series:
    s = s.astype(str)
    return s.where(s.str.len() <= width, s.str.slice(0, width - 1) + "…")


def _labels(ax, xs, ys, texts, fontsize: int = 8) -> None:
    """Label points without overlaps (adjustText moves the labels and draws leader lines)."""
    from adjustText import adjust_text

    items = [ax.text(x, y, str(t), fontsize=fontsize, parse_math=False) for x, y, t in zip(xs, ys, texts, strict=False)]
    if items:
        adjust_text(items, ax=ax, arrowprops={"arrowstyle": "-", "color": "#777", "lw": 0.6})


@_literal_text
def npv_ranked(roi: pd.DataFrame, *, top: int = 30) -> Figure:
    """NPV per project, ranked, with ROI printed beside each bar (the ``top`` by |NPV| if many)."""
    df = roi.dropna(subset=["npv"])
    if len(df) > top:
        df = df.loc[df["npv"].abs().nlargest(top).index]
    df = df.sort_values("npv")
    fig, ax = plt.subplots(figsize=(10, max(4, 0.32 * len(df) + 1.5)))
    colours = np.where(df["npv"] >= 0, "#2e7d32", "#c62828")
    labels = _shorten(df["project_id"] + "  " + df["name"])
    ax.barh(labels, df["npv"], color=colours)
    ax.xaxis.set_major_formatter(money)
    for y, (npv, r) in enumerate(zip(df["npv"], df["roi"], strict=False)):
        txt = "" if pd.isna(r) else f" ROI {r:.0%}"
        ax.annotate(txt, (max(npv, 0), y), xytext=(3, 0), textcoords="offset points",
                    va="center", fontsize=8, color="#333")
    ax.axvline(0, color="#444", lw=0.8)
    ax.set_xlabel("Net present value (currency)")
    ax.set_ylabel("")
    ax.margins(x=0.15)
    n_neg = int((df["npv"] < 0).sum())
    ax.set_title(f"NPV by project: {n_neg} of {len(df)} shown destroy value")
    fig.tight_layout()
    return fig


@_literal_text
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
        ax.scatter(d["x"], d["npv"], s=40 + 1400 * d["bac"] / smax, alpha=0.6,
                   color=PALETTE[i % len(PALETTE)], edgecolor="white", label=obj)
    ax.axhline(0, color="#444", lw=0.8)
    ax.yaxis.set_major_formatter(money)
    ax.set_xticks([1, 2, 3, 4, 5])
    ax.set_xlabel("Delivery risk score (1 = low, 5 = high)")
    ax.set_ylabel("Net present value (currency)")
    lowest = df["npv"].rank(method="first") <= 3
    worst = df.loc[(df["npv"] < 0) & ((df["risk_score"] >= 4) | lowest)].nsmallest(10, "npv")
    _labels(ax, worst["x"], worst["npv"], worst["project_id"] + " " + _shorten(worst["name"], 18))
    leg = ax.legend(title="Strategic objective (size = budget)", loc="upper left",
                    bbox_to_anchor=(1.01, 1), frameon=False)
    for h in leg.legend_handles:
        h.set_sizes([60])
    ax.set_title("Value vs risk: the deepest-loss and high-risk negative-NPV projects are named")
    fig.tight_layout()
    return fig


@_literal_text
def j_curve(cum: pd.DataFrame, *, as_of, title: str | None = None) -> Figure:
    """Cumulative net cash flow over time, plan vs forecast (the J-curve), of the portfolio or of
    the flows given; ``title`` replaces the default "Portfolio J-curve: deepest point ..." (for one
    project, a department).
    """
    fig, ax = plt.subplots(figsize=(11, 5))
    ax.plot(cum["period"], cum["planned_cumulative"], color="#7f7f7f", ls="--", label="Plan")
    ax.plot(cum["period"], cum["forecast_cumulative"], color="#1f77b4", lw=2,
            label="Forecast (actuals to as-of, plan after)")
    ax.axhline(0, color="#444", lw=0.8)
    ax.axvline(pd.Timestamp(as_of), color="#c62828", lw=1, ls=":")
    ax.annotate(f"as of {pd.Timestamp(as_of):%Y-%m-%d}", (pd.Timestamp(as_of), ax.get_ylim()[1]),
                xytext=(4, -12), textcoords="offset points", color="#c62828", fontsize=9)
    ax.yaxis.set_major_formatter(money)
    ax.set_ylabel("Cumulative net cash flow (currency)")
    ax.set_xlabel("Month")
    low = cum.loc[cum["forecast_cumulative"].idxmin()]
    ax.set_title(title or f"Portfolio J-curve: deepest point {_money(low['forecast_cumulative'])} "
                          f"in {low['period']:%Y-%m}")
    ax.legend(loc="upper left", frameon=False)
    fig.tight_layout()
    return fig


@_literal_text
def project_curves(months: pd.DataFrame, project: pd.Series, *, as_of) -> Figure:
    """One project's earned-value S-curve and J-curve, side by side.

    Left: planned value (cumulative planned cost, the whole plan), actual cost to date (reported
    actuals, and the plan for months without one) through the last complete month, earned value
    at that month (percent complete x BAC, reported once), BAC, and EAC at the planned end.
    Right: the cumulative net cash flow, plan against forecast. ``months`` are the project's rows
    of :func:`pmo_analysis.roi.project_months`; ``project`` its row of the model's projects table.
    The titles state the finding (CPI and SPI; the deepest point of the J-curve).
    """
    from matplotlib.dates import AutoDateLocator, DateFormatter

    fig, (ev_ax, j_ax) = plt.subplots(1, 2, figsize=(11, 3.1))
    # fixed margins rather than tight_layout: one page per project, so one draw per chart
    as_of = pd.Timestamp(as_of)
    done = months.loc[months["is_actual"]]
    ev_ax.plot(months["period"], months["pv_cumulative"], color="#7f7f7f", ls="--", label="PV (plan)")
    if len(done):
        ev_ax.plot(done["period"], done["ac_cumulative"], color="#c62828", lw=2, label="AC (actual cost)")
        if pd.notna(project.get("ev")):
            ev_ax.plot([done["period"].iloc[-1]], [project["ev"]], "o", color="#2e7d32", ms=8,
                       label=f"EV {_money(project['ev'])}")
    if pd.notna(project.get("bac")):
        ev_ax.axhline(project["bac"], color="#1f4e79", lw=0.8, ls=":", label=f"BAC {_money(project['bac'])}")
    if pd.notna(project.get("eac")) and len(months):
        spend = months.loc[months["planned_cost"] > 0, "period"]  # EAC at the last planned cost
        ev_ax.plot([spend.iloc[-1] if len(spend) else months["period"].iloc[-1]], [project["eac"]], "D",
                   color="#ef6c00", ms=6,
                   label=f"EAC {_money(project['eac'])}")
    ev_ax.axvline(as_of, color="#c62828", lw=1, ls=":")
    ev_ax.yaxis.set_major_formatter(money)
    ev_ax.set_ylabel("Cumulative cost (currency)")
    ev_ax.set_xlabel("Month")
    cpi, spi = project.get("cpi"), project.get("spi")
    ev_ax.set_title("Earned value: " + (f"CPI {cpi:.2f}, SPI {spi:.2f}" if pd.notna(cpi) and pd.notna(spi)
                                        else "no earned value yet"), fontsize=11)
    ev_ax.legend(loc="upper left", frameon=False, fontsize=8)
    j_ax.plot(months["period"], months["planned_cumulative"], color="#7f7f7f", ls="--", label="Plan")
    j_ax.plot(months["period"], months["forecast_cumulative"], color="#1f77b4", lw=2,
              label="Forecast (actuals to as-of)")
    j_ax.axhline(0, color="#444", lw=0.8)
    j_ax.axvline(as_of, color="#c62828", lw=1, ls=":")
    j_ax.yaxis.set_major_formatter(money)
    j_ax.set_ylabel("Cumulative net cash flow (currency)")
    j_ax.set_xlabel("Month")
    if len(months):
        low = months.loc[months["forecast_cumulative"].idxmin()]
        j_ax.set_title(f"J-curve: deepest {_money(low['forecast_cumulative'])} in {low['period']:%Y-%m}",
                       fontsize=11)
    else:
        j_ax.set_title("J-curve: no cash flows", fontsize=11)
    j_ax.legend(loc="upper left", frameon=False, fontsize=8)
    for ax in (ev_ax, j_ax):
        ax.xaxis.set_major_locator(AutoDateLocator(minticks=3, maxticks=6))
        ax.xaxis.set_major_formatter(DateFormatter("%Y-%m"))
        ax.tick_params(labelsize=8)
    fig.subplots_adjust(left=0.075, right=0.99, bottom=0.15, top=0.9, wspace=0.22)
    return fig


@_literal_text
def cpi_spi_quadrant(roi: pd.DataFrame, *, cpi_threshold: float = 0.85,
                     spi_threshold: float = 0.85) -> Figure:
    """CPI against SPI for projects with earned value; projects below a threshold are named."""
    df = roi.dropna(subset=["cpi", "spi"])
    df = df.loc[df["status"].isin(["active", "on_hold"])] if "status" in df else df
    fig, ax = plt.subplots(figsize=(9, 7))
    trouble = (df["cpi"] < cpi_threshold) | (df["spi"] < spi_threshold)
    ax.scatter(df.loc[~trouble, "spi"], df.loc[~trouble, "cpi"], color="#2e7d32", alpha=0.7,
               s=50, label="Within thresholds")
    ax.scatter(df.loc[trouble, "spi"], df.loc[trouble, "cpi"], color="#c62828", s=70,
               label="Below a threshold")
    lo = min(0.5, df[["cpi", "spi"]].min().min() - 0.05) if len(df) else 0.5
    hi = max(1.3, df[["cpi", "spi"]].max().max() + 0.05) if len(df) else 1.3
    ax.set_xlim(lo, hi)
    ax.set_ylim(lo, hi)
    ax.axvline(1, color="#444", lw=0.8)
    ax.axhline(1, color="#444", lw=0.8)
    ax.axvline(spi_threshold, color="#c62828", lw=0.8, ls=":")
    ax.axhline(cpi_threshold, color="#c62828", lw=0.8, ls=":")
    for txt, x, y in [("late, over budget", lo, lo), ("early, over budget", hi, lo),
                      ("late, under budget", lo, hi), ("early, under budget", hi, hi)]:
        ax.text(x, y, txt, ha="left" if x == lo else "right", va="bottom" if y == lo else "top",
                color="#888", fontsize=9, transform=ax.transData)
    t = df.loc[trouble]
    t = t.loc[t[["cpi", "spi"]].min(axis=1).nsmallest(12).index]  # name the 12 worst at most
    _labels(ax, t["spi"], t["cpi"], _shorten(t["project_id"] + " " + t["name"], 22))
    ax.set_xlabel("Schedule performance index SPI = EV / PV")
    ax.set_ylabel("Cost performance index CPI = EV / AC")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=2, frameon=False)
    ax.set_title(f"Earned value: {int(trouble.sum())} of {len(df)} running projects "
                 "below CPI or SPI threshold")
    fig.tight_layout()
    return fig


@_literal_text
def frontier(front: pd.DataFrame, *, budget_cap: float, chosen_value: float, objective: str) -> Figure:
    """Efficient frontier: best achievable value at each budget level, with the chosen cap."""
    fig, ax = plt.subplots(figsize=(10, 5))
    ax.step(front["budget"], front["value"], where="post", color="#1f77b4", lw=2)
    ax.scatter([budget_cap], [chosen_value], color="#c62828", zorder=3, s=60,
               label=f"Budget cap {_money(budget_cap)}: value {chosen_value:,.0f}")
    ax.xaxis.set_major_formatter(money)
    if objective == "npv":
        ax.yaxis.set_major_formatter(money)
    ax.set_xlabel("Funding available for proposed + active projects (currency)")
    ax.set_ylabel("Best total " + ("priority score" if objective == "score" else "NPV (currency)"))
    ax.legend(loc="lower right", frameon=False)
    ax.set_title("Efficient frontier: what each extra unit of budget buys")
    fig.tight_layout()
    return fig


@_literal_text
def kpi_bars(totals: pd.DataFrame, *, by: str) -> Figure:
    """NPV and ROI per group (department, objective), ratios computed from sums."""
    df = totals.sort_values("npv")
    fig, axes = plt.subplots(1, 2, figsize=(12, max(3, 0.5 * len(df) + 1.5)), sharey=True)
    labels = _shorten(df[by].astype(str), 24)
    axes[0].barh(labels, df["npv"], color=np.where(df["npv"] >= 0, "#2e7d32", "#c62828"))
    axes[0].xaxis.set_major_formatter(money)
    axes[0].set_xlabel("NPV (currency)")
    axes[0].axvline(0, color="#444", lw=0.8)
    axes[1].barh(labels, df["roi"], color="#1f77b4")
    axes[1].xaxis.set_major_formatter(PercentFormatter(1.0))
    axes[1].set_xlabel("ROI = net benefit / cost")
    axes[1].axvline(0, color="#444", lw=0.8)
    fig.suptitle(f"Returns by {by.replace('_', ' ')}", x=0.01, ha="left", fontweight="bold")
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- utilization
def _month_labels(periods) -> list[str]:
    return [f"{pd.Timestamp(p):%Y-%m}" for p in periods]


@_literal_text
def utilization_trend(by_group: pd.DataFrame, portfolio: pd.DataFrame, *, by: str,
                      over: float = 1.0, under: float = 0.6) -> Figure:
    """Utilization per month for each group (solid: actual, complete months only), with the
    portfolio (and its month to date as a hollow marker) and its plan (dotted).
    """
    def complete(d: pd.DataFrame) -> pd.Series:
        return d["utilization"].where(d["month_status"] == "complete") if "month_status" in d else d["utilization"]

    fig, ax = plt.subplots(figsize=(11, 5))
    for i, (name, d) in enumerate(by_group.groupby(by, observed=True)):
        c = PALETTE[i % len(PALETTE)]
        ax.plot(d["period"], complete(d), color=c, lw=1.5, label=str(name))
    ax.plot(portfolio["period"], complete(portfolio), color="black", lw=3, label="Portfolio (actual)")
    if "month_status" in portfolio:
        mtd = portfolio.loc[portfolio["month_status"] == "month to date"]
        if len(mtd) and mtd["utilization"].notna().any():
            ax.plot(mtd["period"], mtd["utilization"], ls="none", marker="o", mfc="white", mec="black", ms=8,
                    label="Portfolio (month to date)")
    ax.plot(portfolio["period"], portfolio["planned_utilization"], color="black", lw=1.5, ls=":",
            label="Portfolio (planned)")
    ax.axhline(over, color="#c62828", lw=0.8, ls="--")
    ax.axhline(under, color="#f9a825", lw=0.8, ls="--")
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_ylabel("Utilization (booked project hours / capacity)")
    ax.set_xlabel("Month")
    done = portfolio.assign(utilization=complete(portfolio)).dropna(subset=["utilization"])
    last = done.iloc[-1] if len(done) else None
    now = f"{last['utilization']:.0%} in {last['period']:%Y-%m}" if last is not None else "no actuals"
    ax.set_title(f"Utilization by {by}: portfolio {now}")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    fig.tight_layout()
    return fig


@_literal_text
def utilization_heatmap(util: pd.DataFrame, *, by: str = "resource", as_of=None,
                        max_rows: int = 60, over: float = 1.0) -> Figure:
    """Heatmap of utilization (rows: people, roles or departments; columns: months).

    Past months show actual utilization, later months planned utilization. With more than
    ``max_rows`` people, the ``max_rows`` furthest from a healthy 80% are shown (the title says so).
    """
    import seaborn as sns

    df = util.copy()
    # actual in complete months; the month to date and the future show the plan
    if "month_status" in df:
        df["is_past"] = df["month_status"] == "complete"
    df["value"] = df["utilization"].where(df["is_past"], df["planned_utilization"])
    if by == "resource":
        df["row"] = df["name"].astype(str) + " (" + df["role"].astype(str) + ")"
        pivot_hours = None
    else:
        pivot_hours = df.assign(h=np.where(df["is_past"], df["actual_hours"], df["planned_hours"])) \
            .groupby([by, "period"], observed=True)[["h", "capacity_hours"]].sum()
        df = (pivot_hours["h"] / pivot_hours["capacity_hours"].where(pivot_hours["capacity_hours"] > 0)) \
            .rename("value").reset_index().rename(columns={by: "row"})
    table = df.pivot_table(index="row", columns="period", values="value", aggfunc="first")
    note = ""
    if len(table) > max_rows:
        dev = (table - 0.8).abs().mean(axis=1)
        table = table.loc[dev.nlargest(max_rows).index]
        note = f" ({max_rows} of {len(dev):,} people furthest from 80%)"
    table = table.sort_index()
    table.columns = _month_labels(table.columns)
    h = max(3.5, 0.26 * len(table) + 2)
    fig, ax = plt.subplots(figsize=(13, h))
    annot = len(table) <= 40
    sns.heatmap(table, ax=ax, cmap="RdBu_r", vmin=0, vmax=max(1.6, over + 0.3), center=0.8,
                annot=annot, fmt=".0%", annot_kws={"fontsize": 7}, linewidths=0.3, linecolor="white",
                cbar_kws={"label": "Utilization", "format": PercentFormatter(1.0), "shrink": 0.6})
    if as_of is not None:
        from .periods import last_complete_month

        cols = list(table.columns)
        label = f"{last_complete_month(as_of):%Y-%m}"
        if label in cols:
            ax.axvline(cols.index(label) + 1, color="black", lw=2)
    ax.set_xlabel("Month (left of the black line: actual; right: planned)")
    ax.set_ylabel("")
    ax.set_title(f"Utilization by {by} and month{note}")
    fig.tight_layout()
    return fig


@_literal_text
def overallocation_bars(over: pd.DataFrame, *, top: int = 20) -> Figure:
    """Excess planned hours per over-allocated person, summed over the months, top ``top``."""
    g = over.groupby(["resource_id", "name", "role"], observed=True).agg(
        excess=("excess_hours", "sum"), months=("period", "nunique"),
        peak=("planned_utilization", "max")).reset_index().nlargest(top, "excess").sort_values("excess")
    fig, ax = plt.subplots(figsize=(10, max(3, 0.35 * len(g) + 1.5)))
    labels = _shorten(g["name"].astype(str) + " (" + g["role"].astype(str) + ")", 34)
    ax.barh(labels, g["excess"], color="#c62828")
    for y, (e, m, pk) in enumerate(zip(g["excess"], g["months"], g["peak"], strict=False)):
        ax.annotate(f" {m} mo, peak {pk:.0%}", (e, y), va="center", fontsize=8)
    ax.set_xlabel("Planned hours above capacity, summed over the months (hours)")
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.margins(x=0.2)
    ax.set_title(f"Over-allocation: {over['resource_id'].nunique()} people planned above capacity")
    fig.tight_layout()
    return fig


@_literal_text
def capacity_vs_demand(cvd: pd.DataFrame) -> Figure:
    """Capacity vs planned demand by role over the forecast months, with the gap in FTE."""
    g = cvd.groupby("role", observed=True)[["capacity_hours", "demand_hours", "gap_hours"]].sum()
    fte = cvd.groupby("role", observed=True)["gap_fte"].mean()
    g = g.assign(gap_fte=fte).sort_values("gap_hours")
    fig, ax = plt.subplots(figsize=(11, max(3.5, 0.55 * len(g) + 1.5)))
    y = np.arange(len(g))
    ax.barh(y + 0.2, g["capacity_hours"], height=0.4, color="#9ecae1", label="Capacity")
    ax.barh(y - 0.2, g["demand_hours"], height=0.4, color="#3182bd", label="Planned demand")
    ax.set_yticks(y, _shorten(pd.Series(g.index), 24))
    for yy, (cap, dem, fte_) in enumerate(zip(g["capacity_hours"], g["demand_hours"], g["gap_fte"], strict=False)):
        txt = ("balanced" if abs(fte_) < 0.05 else
               f"short {-fte_:.1f} FTE" if fte_ < 0 else f"spare {fte_:.1f} FTE")
        ax.annotate(" " + txt, (max(cap, dem), yy), va="center", fontsize=9,
                    color="#c62828" if fte_ < 0 else "#2e7d32", fontweight="bold" if fte_ < 0 else None)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.set_xlabel("Hours over the forecast months")
    ax.margins(x=0.22)
    ax.legend(loc="lower right", frameon=False)
    months = cvd["period"].nunique()
    ax.set_title(f"Capacity vs demand by role, next {months} months (FTE = average per month)")
    fig.tight_layout()
    return fig


@_literal_text
def plan_vs_actual(pva: pd.DataFrame, projects: pd.DataFrame | None = None, *, top: int = 15) -> Figure:
    """Booked minus planned hours for the projects furthest from plan."""
    d = pva.head(top).iloc[::-1]
    names = d["project_id"]
    if projects is not None:
        names = names + " " + d["project_id"].map(projects.set_index("project_id")["name"]).fillna("")
    fig, ax = plt.subplots(figsize=(10, max(3, 0.35 * len(d) + 1.5)))
    ax.barh(_shorten(names, 30), d["variance_hours"],
            color=np.where(d["variance_hours"] >= 0, "#f9a825", "#3182bd"))
    for y, (v, r) in enumerate(zip(d["variance_hours"], d["booked_vs_plan"], strict=False)):
        ax.annotate("" if pd.isna(r) else f" {r:.0%} of plan", (v, y), va="center", fontsize=8,
                    ha="left" if v >= 0 else "right")
    ax.axvline(0, color="#444", lw=0.8)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.set_xlabel("Booked minus planned hours (hours; negative = less effort than planned)")
    ax.margins(x=0.25)
    ax.set_title("Plan vs actual effort: projects furthest from plan")
    fig.tight_layout()
    return fig


@_literal_text
def time_split(split: pd.DataFrame) -> Figure:
    """Share of booked hours by kind of time (project work, leave, admin...) per department."""
    t = split.pivot_table(index="department", columns="kind", values="share", fill_value=0)
    order = ["project work"] + sorted(c for c in t.columns if c != "project work")
    t = t[[c for c in order if c in t.columns]]
    fig, ax = plt.subplots(figsize=(11, max(3, 0.5 * len(t) + 1.5)))
    left = np.zeros(len(t))
    for i, c in enumerate(t.columns):
        ax.barh(t.index.astype(str), t[c], left=left, color=PALETTE[i % len(PALETTE)], label=c)
        for y, (start, v) in enumerate(zip(left, t[c], strict=False)):
            if v >= 0.04:
                ax.text(start + v / 2, y, f"{v:.0%}", ha="center", va="center", fontsize=8, color="white")
        left += t[c].to_numpy()
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlim(0, 1)
    ax.set_xlabel("Share of booked hours")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=max(1, len(t.columns)), frameon=False)
    ax.set_title("Where time went: project work vs non-project time by department")
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- lessons
KIND_COLOURS = {"to_improve": "#c62828", "went_well": "#2e7d32"}


@_literal_text
def lessons_by_category(by_cat: pd.DataFrame) -> Figure:
    """Lessons per category, split into went well / to improve."""
    t = by_cat.pivot_table(index="category", columns="kind", values="lessons", fill_value=0, aggfunc="sum")
    t = t.loc[t.sum(axis=1).sort_values().index]
    if len(t) > 25:
        t = t.iloc[-25:]
    fig, ax = plt.subplots(figsize=(10, max(3, 0.4 * len(t) + 1.5)))
    left = np.zeros(len(t))
    for kind in [k for k in ("to_improve", "went_well") if k in t.columns]:
        ax.barh(_shorten(pd.Series(t.index), 30), t[kind], left=left, color=KIND_COLOURS[kind],
                label=kind.replace("_", " "))
        left += t[kind].to_numpy()
    ax.set_xlabel("Lessons")
    ax.legend(loc="lower right", frameon=False)
    ax.set_title(f"Lessons by category ({int(t.to_numpy().sum()):,} lessons"
                 + (", 25 largest categories" if len(by_cat["category"].unique()) > 25 else "") + ")")
    fig.tight_layout()
    return fig


@_literal_text
def lessons_trend(trend: pd.DataFrame) -> Figure:
    """Lessons recorded per quarter, by kind."""
    fig, ax = plt.subplots(figsize=(11, 4))
    bottom = np.zeros(len(trend))
    for kind in [k for k in ("to_improve", "went_well") if k in trend.columns]:
        ax.bar(trend["quarter"], trend[kind], bottom=bottom, color=KIND_COLOURS[kind],
               label=kind.replace("_", " "))
        bottom += trend[kind].to_numpy()
    step = max(1, len(trend) // 16)
    ax.set_xticks(range(0, len(trend), step), trend["quarter"].iloc[::step], rotation=45, ha="right")
    ax.set_ylabel("Lessons per quarter")
    ax.legend(loc="upper left", frameon=False)
    ax.set_title("Lessons recorded per quarter")
    fig.tight_layout()
    return fig


@_literal_text
def recurring_themes(themes: pd.DataFrame, *, top: int = 15) -> Figure:
    """Recurring themes: projects reporting each, labelled with the theme's name (its top terms when
    a table has no name column).
    """
    d = themes.head(top).iloc[::-1]
    named = d["name"].astype(str) if "name" in d else d["top_terms"].astype(str).str.split(", ").str[:3].str.join(", ")
    label = np.where(d["source"] == "category", d["theme"].astype(str), "text: " + named)
    fig, ax = plt.subplots(figsize=(11, max(3, 0.42 * len(d) + 1.5)))
    ax.barh(_shorten(pd.Series(label), 46), d["projects"],
            color=np.where(d["source"] == "category", "#1f77b4", "#9467bd"))
    for y, (pr, le) in enumerate(zip(d["projects"], d["lessons"], strict=False)):
        ax.annotate(f" {pr} projects, {le} lessons", (pr, y), va="center", fontsize=8)
    ax.set_xlabel("Distinct projects reporting the problem")
    ax.margins(x=0.25)
    ax.set_title("Recurring problems (blue: by category, purple: found in the text)")
    fig.tight_layout()
    return fig


@_literal_text
def open_actions_by_owner(by_owner: pd.DataFrame) -> Figure:
    """Open recommendations per owner, high-impact highlighted, with the oldest age."""
    d = by_owner.sort_values("open_actions")
    fig, ax = plt.subplots(figsize=(10, max(3, 0.4 * len(d) + 1.5)))
    names = _shorten(d["owner"].astype(str), 28)
    ax.barh(names, d["open_actions"] - d["high_impact"], color="#9ecae1", label="other")
    ax.barh(names, d["high_impact"], left=d["open_actions"] - d["high_impact"], color="#c62828",
            label="high impact")
    for y, (n, old) in enumerate(zip(d["open_actions"], d["oldest_days"], strict=False)):
        ax.annotate(f" oldest {old:,.0f} days", (n, y), va="center", fontsize=8)
    ax.set_xlabel("Open or in-progress recommendations")
    ax.margins(x=0.22)
    ax.legend(loc="lower right", frameon=False)
    ax.set_title(f"Open actions by owner ({int(d['open_actions'].sum()):,} in all)")
    fig.tight_layout()
    return fig


@_literal_text
def went_well(practices: pd.DataFrame, *, top: int = 12) -> Figure:
    """Practices most often reported as working."""
    d = practices.head(top).iloc[::-1]
    fig, ax = plt.subplots(figsize=(10, max(2.5, 0.45 * len(d) + 1.5)))
    label = d["practice"].astype(str) + ": " + d["top_terms"].astype(str).str.split(", ").str[:3].str.join(", ")
    ax.barh(_shorten(label, 50), d["projects"], color="#2e7d32")
    ax.set_xlabel("Distinct projects reporting it")
    ax.set_title("What went well: practices to make standard")
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- executive summary
@_literal_text
def headline_trend(hist: pd.DataFrame, labels: dict[str, str]) -> Figure:
    """Small multiples: each headline figure across the runs of a schedule."""
    metrics = [m for m in labels if m in hist.columns and hist[m].notna().any()]
    n = len(metrics)
    cols = 4
    rows = int(np.ceil(n / cols)) or 1
    fig, axes = plt.subplots(rows, cols, figsize=(12, 1.35 * rows + 0.45), squeeze=False)
    pct = {"portfolio_roi", "utilization"}
    money_like = {"total_budget", "portfolio_npv", "spend_to_date", "planned_to_date"}
    for ax, m in zip(axes.flat, metrics, strict=False):
        y = hist[m].astype(float)
        ax.plot(hist["as_of"], y, marker="o", color="#1f4e79", lw=1.5, ms=3)
        ax.scatter(hist["as_of"].iloc[-1:], y.iloc[-1:], color="#c62828", zorder=3, s=20)
        last = y.iloc[-1]
        shown = (f"{last:.0%}" if m in pct else _money(last) if m in money_like
                 else f"{last:.2f}" if m.endswith(("cpi", "spi")) else f"{last:,.0f}")
        ax.set_title(f"{labels[m]}: {shown}", fontsize=9, fontweight="bold")
        ax.tick_params(labelsize=7)
        ax.set_xticks(hist["as_of"].iloc[[0, -1]].unique())
        ax.xaxis.set_major_formatter(matplotlib_date_formatter())
        if m in pct:
            ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=1))
        elif m in money_like:
            ax.yaxis.set_major_formatter(money)
        ax.margins(y=0.25)
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    runs = len(hist)
    fig.suptitle(f"Headline figures across {runs} report{'s' if runs != 1 else ''} of this schedule",
                 x=0.01, ha="left", fontweight="bold")
    fig.tight_layout()
    return fig


def matplotlib_date_formatter():
    from matplotlib.dates import DateFormatter

    return DateFormatter("%Y-%m-%d")


# --------------------------------------------------------------------------- delivery charts
HEALTH_COLOURS = {"off track": "#c62828", "at risk": "#f9a825", "on track": "#2e7d32"}
_NOT_RUNNING_COLOUR = "#9e9e9e"


@_literal_text
def dependency_network(edges: pd.DataFrame, projects: pd.DataFrame, *, max_nodes: int = 60) -> Figure:
    """The dependency network: one node per project, coloured by health (grey: not running), an
    arrow per dependency, conflicts in red labelled with their slip in days. Projects are laid out
    left to right by their level in the network. With more than ``max_nodes`` projects, those
    connected to a conflict are shown (the title says so).

    ``edges`` is the model's ``dependencies`` table, ``projects`` its ``projects`` table.
    """
    import networkx as nx

    e = edges
    note = ""
    nodes = pd.unique(pd.concat([e["predecessor_id"], e["successor_id"]]))
    if len(nodes) > max_nodes:
        bad = e.loc[e["conflict"]]
        keep = set(bad["predecessor_id"]) | set(bad["successor_id"])
        e = e.loc[e["predecessor_id"].isin(keep) | e["successor_id"].isin(keep)]
        note = f" (the {len(pd.unique(pd.concat([e['predecessor_id'], e['successor_id']])))} of {len(nodes)} " \
               "projects around a conflict)"
    graph = nx.DiGraph()
    graph.add_edges_from(e[["predecessor_id", "successor_id"]].itertuples(index=False, name=None))
    for layer, members in enumerate(nx.topological_generations(graph)):
        for n in members:
            graph.nodes[n]["layer"] = layer
    pos = nx.multipartite_layout(graph, subset_key="layer", align="vertical") if len(graph) else {}
    info = projects.set_index("project_id")
    health = info["health"].reindex(list(graph.nodes)).where(info["running"].reindex(list(graph.nodes)).fillna(False))
    colours = [HEALTH_COLOURS.get(h, _NOT_RUNNING_COLOUR) if isinstance(h, str) else _NOT_RUNNING_COLOUR
               for h in health]
    layers = max((d["layer"] for _, d in graph.nodes(data=True)), default=0) + 1
    width = max(8, 3.2 * layers)
    height = max(4, 0.8 * max((sum(1 for _, d in graph.nodes(data=True) if d["layer"] == k)
                                for k in range(layers)), default=1) + 2)
    fig, ax = plt.subplots(figsize=(min(width, 18), min(height, 24)))
    conflict = e.set_index(["predecessor_id", "successor_id"])["conflict"]
    edge_colours = ["#c62828" if conflict.get(edge, False) else "#9e9e9e" for edge in graph.edges]
    edge_widths = [2.4 if conflict.get(edge, False) else 1.0 for edge in graph.edges]
    nx.draw_networkx_edges(graph, pos, ax=ax, edge_color=edge_colours, width=edge_widths, arrows=True,
                           arrowsize=16, node_size=900, connectionstyle="arc3,rad=0.08")
    nx.draw_networkx_nodes(graph, pos, ax=ax, node_color=colours, node_size=900, edgecolors="white")
    names = info["name"].reindex(list(graph.nodes)).astype(str)
    labels = {n: f"{n}\n{_shorten(pd.Series([names[n]]), 22).iloc[0]}" for n in graph.nodes}
    for n, (x, y) in pos.items():
        ax.text(x, y - 0.06, labels[n], ha="center", va="top", fontsize=8)
    slip = e.loc[e["conflict"]].set_index(["predecessor_id", "successor_id"])["slip_days"]
    nx.draw_networkx_edge_labels(graph, pos, ax=ax, edge_labels={k: f"+{v:,.0f} d" for k, v in slip.items()},
                                 font_color="#c62828", font_size=9)
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], marker="o", ls="", color=c, markersize=10, label=k) for k, c in HEALTH_COLOURS.items()]
    handles += [Line2D([], [], marker="o", ls="", color=_NOT_RUNNING_COLOUR, markersize=10, label="not running"),
                Line2D([], [], color="#c62828", lw=2.4, label="conflict (slip in days)")]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.02), ncol=5, frameon=False)
    ax.margins(x=0.12, y=0.15)
    ax.set_axis_off()
    n_conf = int(e["conflict"].sum())
    ax.set_title(f"Dependencies: {n_conf} conflict(s) among {graph.number_of_nodes()} linked projects{note} "
                 "(earlier projects on the left)")
    fig.tight_layout()
    return fig


@_literal_text
def milestone_trend(history: pd.DataFrame, *, project_ids: list[str] | None = None, cols: int = 2) -> Figure:
    """Milestone trend analysis (MTA): for each project, the status date across and the date each
    status report gave for each milestone up, one line per milestone. A flat line keeps its date,
    a rising line slips; a line ends on the diagonal when the milestone is reached.

    ``history`` is the model's ``milestone_history`` table; ``project_ids`` the projects to draw
    (default: every project in ``history``, at most six).
    """
    from matplotlib.dates import DateFormatter

    ids = list(project_ids) if project_ids is not None else list(pd.unique(history["project_id"]))[:6]
    n = max(len(ids), 1)
    cols = min(cols, n)
    rows = -(-n // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(7.2 * cols, 5.2 * rows), squeeze=False)
    for ax, pid in zip(axes.flat, ids, strict=False):
        h = history.loc[history["project_id"] == pid]
        lo = min(h["status_date"].min(), h["reported_date"].min())
        hi = max(h["status_date"].max(), h["reported_date"].max())
        ax.plot([lo, hi], [lo, hi], color="#bbb", lw=1, ls="--", label="reached (date = status date)")
        for i, (mid, g) in enumerate(h.groupby("milestone_id", sort=True)):
            colour = PALETTE[i % len(PALETTE)]
            ax.plot(g["status_date"], g["reported_date"], marker="o", color=colour, lw=1.8,
                    label=f"{mid} {g['name'].iloc[-1]}")
            reached = g.loc[g["reached"]]
            if len(reached):
                ax.scatter(reached["status_date"].iloc[:1], reached["reported_date"].iloc[:1], marker="D", s=60,
                           color=colour, edgecolors="black", zorder=3)
            ax.axhline(g["baseline_date"].iloc[0], color=colour, lw=0.6, ls=":")
        title = h["project"].iloc[0] if "project" in h and len(h) else ""
        slip = (h.groupby("milestone_id")["reported_date"].last() - h.groupby("milestone_id")["baseline_date"].last())
        worst = slip.max() / pd.Timedelta(days=1) if len(slip) else 0
        ax.set_title(f"{pid} {title}: " + (f"up to {worst:,.0f} days late" if worst > 0 else "on baseline"),
                     fontsize=11)
        ax.xaxis.set_major_formatter(DateFormatter("%Y-%m"))
        ax.yaxis.set_major_formatter(DateFormatter("%Y-%m"))
        ax.set_xlabel("Status report date")
        ax.set_ylabel("Forecast date (dotted: baseline)")
        ax.legend(fontsize=8, loc="upper left", frameon=False)
        ax.tick_params(axis="x", labelrotation=30)
    for ax in list(axes.flat)[len(ids):]:
        ax.set_axis_off()
    fig.suptitle("Milestone trend analysis: rising lines are milestones slipping report after report",
                 x=0.01, ha="left", fontweight="bold", fontsize=13)
    fig.tight_layout()
    return fig


@_literal_text
def risk_heatmap(heat: pd.DataFrame) -> Figure:
    """Open risks and issues by probability band (up) and impact band (across): the count in each
    cell, coloured by the cell's exposure. ``heat`` is the model's ``risk_heatmap`` table.
    """
    import seaborn as sns

    items = heat.pivot_table(index="probability_band", columns="impact_band", values="items",
                             aggfunc="sum", observed=False).iloc[::-1]
    exposure = heat.pivot_table(index="probability_band", columns="impact_band", values="exposure",
                                aggfunc="sum", observed=False).iloc[::-1]
    fig, ax = plt.subplots(figsize=(11, 5.5))
    text = items.astype(int).astype(str) + "\n" + exposure.map(_money)
    sns.heatmap(exposure, ax=ax, cmap="OrRd", annot=text.where(items > 0, ""), fmt="", linewidths=0.5,
                linecolor="white", cbar_kws={"label": "Exposure (probability x impact)", "format": money})
    top = exposure.stack()
    worst = top.idxmax() if len(top) and top.max() > 0 else None
    ax.set_xlabel("Impact as a share of the project's budget")
    ax.set_ylabel("Probability")
    ax.set_title(f"{int(items.to_numpy().sum())} open risks and issues (count, exposure)"
                 + (f": most exposure at {worst[0]} probability, impact {worst[1]}" if worst else ""), fontsize=12)
    ax.tick_params(axis="y", labelrotation=0)
    fig.tight_layout()
    return fig
