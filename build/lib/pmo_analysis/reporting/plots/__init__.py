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
from matplotlib import dates as mdates
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

from pmo_analysis.core import formatting as fmt
from pmo_analysis.core import i18n
from pmo_analysis.core.i18n import _

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


def _register_system_cjk_fonts() -> None:
    """Add the CJK fonts installed on this machine (``fonts-noto-cjk``: every face of its .ttc
    collections, regular and bold) to matplotlib's font list, which may predate their install.
    """
    known = {f.fname for f in font_manager.fontManager.ttflist}
    for path in font_manager.findSystemFonts():
        name = Path(path).name.lower()
        if path not in known and any(k in name for k in ("cjk", "sourcehan", "wqy", "droidsansfallback")):
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError, ValueError):  # an unreadable font file is skipped
                continue


def _weights(family: str) -> set:
    return {f.weight for f in font_manager.fontManager.ttflist if f.name == family}


@functools.lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """Name of a font with Chinese glyphs: an installed one with a bold face (Noto Sans CJK,
    Source Han, WenQuanYi...), else one without, else the Noto Sans CJK SC bundled with the
    ``mplfonts`` dependency, else ``None`` (then Chinese text shows as boxes:
    ``apt-get install fonts-noto-cjk``).
    """
    _register_system_cjk_fonts()
    names = {f.name for f in font_manager.fontManager.ttflist}
    present = [c for c in CJK_CANDIDATES if c in names]
    with_bold = [c for c in present if any(w in (700, "bold") for w in _weights(c))]
    if with_bold or present:
        return (with_bold or present)[0]
    return _bundled_cjk_font()


def _has_bold(family: str | None) -> bool:
    return family is None or any(w in (600, 700, 800, 900, "bold", "heavy") for w in _weights(family))


#: How a chart is written to PNG: the same for reports, exports and tests.
SAVE_OPTIONS = {"dpi": 110, "bbox_inches": "tight"}


#: seaborn's ``axes_style("whitegrid")`` and ``plotting_context("notebook")``, copied once (a test
#: checks they still equal seaborn's) so that a report kernel draws its charts without importing
#: seaborn and with it scipy.stats: about 2 CPU-s in every kernel of a run. Left out: the default
#: image colour map ``rocket``, which only exists once seaborn is imported; every heatmap names its own.
SEABORN_WHITEGRID_NOTEBOOK: dict = {
    "figure.facecolor": "white", "axes.labelcolor": ".15", "xtick.direction": "out", "ytick.direction": "out",
    "xtick.color": ".15", "ytick.color": ".15", "axes.axisbelow": True, "grid.linestyle": "-", "text.color": ".15",
    "font.family": ["sans-serif"],
    "font.sans-serif": ["Arial", "DejaVu Sans", "Liberation Sans", "Bitstream Vera Sans", "sans-serif"],
    "lines.solid_capstyle": "round", "patch.edgecolor": "w", "patch.force_edgecolor": True,
    "xtick.top": False, "ytick.right": False, "axes.grid": True, "axes.facecolor": "white", "axes.edgecolor": ".8",
    "grid.color": ".8", "axes.spines.left": True, "axes.spines.bottom": True, "axes.spines.right": True,
    "axes.spines.top": True, "xtick.bottom": False, "ytick.left": False,
    "axes.linewidth": 1.25, "grid.linewidth": 1, "lines.linewidth": 1.5, "lines.markersize": 6, "patch.linewidth": 1,
    "xtick.major.width": 1.25, "ytick.major.width": 1.25, "xtick.minor.width": 1, "ytick.minor.width": 1,
    "xtick.major.size": 6, "ytick.major.size": 6, "xtick.minor.size": 4, "ytick.minor.size": 4,
    "font.size": 12, "axes.labelsize": 12, "axes.titlesize": 12, "xtick.labelsize": 11, "ytick.labelsize": 11,
    "legend.fontsize": 11, "legend.title_fontsize": 12,
}


@functools.lru_cache(maxsize=1)
def style() -> dict:
    """The workbook's chart style as matplotlib settings: seaborn's whitegrid at notebook size,
    readable titles, the fonts (with a CJK fallback) and literal text. Applied per chart by
    :func:`_literal_text`, so drawing a chart changes nothing global.
    """
    families = ["DejaVu Sans"]
    cjk = cjk_font()
    if cjk:
        families.append(cjk)  # matplotlib falls back glyph by glyph along this list
    return {**SEABORN_WHITEGRID_NOTEBOOK,
            "font.family": families,
            "axes.unicode_minus": False,
            "figure.dpi": 100,
            # a CJK font with one weight (the bundled one) has no bold: titles are then regular, and
            # matplotlib never warns "findfont: Failed to find font weight bold" into a report
            "axes.titleweight": "bold" if _has_bold(cjk) else "normal",
            "figure.titleweight": "bold" if _has_bold(cjk) else "normal",
            "axes.titlesize": 13,
            "axes.titlelocation": "left",
            "text.parse_math": False,  # names and lesson text are literal: "$5 to $7" is not a formula
            }


def _bold() -> str:
    """Bold where the fonts have it (see :func:`style`)."""
    return style()["axes.titleweight"]


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


def _money(v, _pos=None) -> str:
    """The one money format (:func:`pmo_analysis.core.formatting.money`), in the report's currency."""
    return fmt.money(v)


money = FuncFormatter(_money)


class _FittingTicks(MaxNLocator):
    """Ticks at round values (as matplotlib's default), as many as leave a gap of half a character
    between neighbouring labels on a horizontal axis: a money label such as ``¥200.0万`` is wide,
    and a fixed tick count let neighbours overlap on a narrow chart.
    """

    def __init__(self) -> None:
        super().__init__(nbins="auto", steps=[1, 2, 2.5, 5, 10])

    def __call__(self):
        vmin, vmax = self.axis.get_view_interval()
        fig = self.axis.figure
        renderer = fig.canvas.get_renderer()
        prop = self.axis.majorTicks[0].label1.get_fontproperties()  # the labels' own font and size
        room = self.axis.axes.get_window_extent(renderer).width
        gap = prop.get_size_in_points() * fig.dpi / 72 / 2
        label = self.axis.get_major_formatter()
        for n in range(9, 1, -1):
            self.set_params(nbins=n)
            ticks = self.tick_values(vmin, vmax)
            shown = [t for t in ticks if vmin <= t <= vmax]
            widths = [renderer.get_text_width_height_descent(label(t, i), prop, ismath=False)[0]
                      for i, t in enumerate(shown)]
            # centred labels: neighbours' half widths plus a gap must fit between their ticks
            scale = room / (vmax - vmin) if vmax > vmin else 0.0
            fits = all((b - a) * scale >= (wa + wb) / 2 + gap
                       for a, b, wa, wb in zip(shown, shown[1:], widths, widths[1:], strict=False))
            if fits:
                return ticks
        return ticks


def money_axis(axis) -> None:
    """Label a horizontal ``axis`` with money in the report's currency, with ticks whose labels fit."""
    axis.set_major_formatter(money)
    axis.set_major_locator(_FittingTicks())


def _shorten(s: pd.Series, width: int = 28) -> pd.Series:
    s = s.astype(str)
    return s.where(s.str.len() <= width, s.str.slice(0, width - 1) + "…")


def _labels(ax, xs, ys, texts, fontsize: int = 8) -> None:
    """Label points so that no two labels overlap and none leaves the axes.

    Each label starts beside its point with a leader line; labels whose boxes overlap are pushed
    apart vertically (in screen pixels, the way a reader sees them), a label that would cross the
    right edge is put on the left of its point, and every label is kept inside the axes. The result
    is checked on the sample by a test that measures the drawn text boxes.
    """
    items = [ax.annotate(str(t), (x, y), xytext=(6, 4), textcoords="offset points", fontsize=fontsize,
                         va="bottom", ha="left", parse_math=False,
                         arrowprops={"arrowstyle": "-", "color": "#777", "lw": 0.6, "shrinkA": 0, "shrinkB": 2})
             for x, y, t in zip(xs, ys, texts, strict=False)]
    if not items:
        return
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    px = fig.dpi / 72  # pixels per point
    frame = ax.get_window_extent(renderer)

    def box(t):
        return Text.get_window_extent(t, renderer)  # the text itself, without its leader line

    for t in items:  # a label past the right edge goes on the left of its point
        if box(t).x1 > frame.x1 - 2:
            t.set_ha("right")
            t.xyann = (-6, t.xyann[1])
    # each label is measured once: moving it by its offset (points) moves its box by as many pixels
    # times px, so the rounds below work on numbers, not on laid-out text
    measured = [box(t) for t in items]
    x0 = np.array([b.x0 for b in measured])
    x1 = np.array([b.x1 for b in measured])
    y0 = np.array([b.y0 for b in measured])
    y1 = np.array([b.y1 for b in measured])
    start = np.array([t.xyann[1] for t in items], dtype=float)
    dy = start.copy()  # each label's vertical offset, in points

    def bottom(i):
        return y0[i] + (dy[i] - start[i]) * px

    def top(i):
        return y1[i] + (dy[i] - start[i]) * px

    n = len(items)
    for _round in range(300):
        moved = False
        tops, bottoms = [top(i) for i in range(n)], [bottom(i) for i in range(n)]
        for i in range(n):
            for j in range(i + 1, n):
                wide = min(x1[i], x1[j]) - max(x0[i], x0[j])
                high = min(tops[i], tops[j]) - max(bottoms[i], bottoms[j])
                if wide > 0 and high > -2:  # overlapping, or closer than 2 px
                    push = (high + 3) / 2 / px
                    up, down = (i, j) if (bottoms[i] + tops[i]) >= (bottoms[j] + tops[j]) else (j, i)
                    dy[up] += push
                    dy[down] -= push
                    moved = True
        for i in range(n):  # inside the axes, top and bottom
            if top(i) > frame.y1 - 1:
                dy[i] -= (top(i) - frame.y1 + 2) / px
                moved = True
            elif bottom(i) < frame.y0 + 1:
                dy[i] += (frame.y0 - bottom(i) + 2) / px
                moved = True
        if not moved:
            break
    for t, d in zip(items, dy, strict=True):
        t.xyann = (t.xyann[0], float(d))


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
    money_axis(ax.xaxis)
    for y, (npv, r) in enumerate(zip(df["npv"], df["roi"], strict=False)):
        txt = "" if pd.isna(r) else f" ROI {r:.0%}"
        ax.annotate(txt, (max(npv, 0), y), xytext=(3, 0), textcoords="offset points",
                    va="center", fontsize=8, color="#333")
    ax.axvline(0, color="#444", lw=0.8)
    ax.set_xlabel(_("Net present value ({unit})", unit=fmt.unit()))
    ax.set_ylabel("")
    ax.margins(x=0.15)
    n_neg = int((df["npv"] < 0).sum())
    ax.set_title(_("NPV by project: {neg} of {n} shown destroy value", neg=n_neg, n=len(df)))
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
    ax.set_xlabel(_("Delivery risk score (1 = low, 5 = high)"))
    ax.set_ylabel(_("Net present value ({unit})", unit=fmt.unit()))
    lowest = df["npv"].rank(method="first") <= 3
    worst = df.loc[(df["npv"] < 0) & ((df["risk_score"] >= 4) | lowest)].nsmallest(10, "npv")
    leg = ax.legend(title=_("Strategic objective (size = budget)"), loc="upper left",
                    bbox_to_anchor=(1.01, 1), frameon=False)
    for h in leg.legend_handles:
        h.set_sizes([60])
    ax.set_title(_("Value vs risk: the deepest-loss and high-risk negative-NPV projects are named"))
    fig.tight_layout()
    _labels(ax, worst["x"], worst["npv"], worst["project_id"] + " " + _shorten(worst["name"], 18))
    return fig


@_literal_text
def j_curve(cum: pd.DataFrame, *, as_of, title: str | None = None) -> Figure:
    """Cumulative net cash flow over time, plan vs forecast (the J-curve), of the portfolio or of
    the flows given; ``title`` replaces the default "Portfolio J-curve: deepest point ..." (for one
    project, a department).
    """
    fig, ax = plt.subplots(figsize=(11, 5))
    ax.plot(cum["period"], cum["planned_cumulative"], color="#7f7f7f", ls="--", label=_("Plan"))
    ax.plot(cum["period"], cum["forecast_cumulative"], color="#1f77b4", lw=2,
            label=_("Forecast (actuals to as-of, plan after)"))
    ax.axhline(0, color="#444", lw=0.8)
    ax.axvline(pd.Timestamp(as_of), color="#c62828", lw=1, ls=":")
    ax.annotate(_("as of {date}", date=fmt.date(as_of)), (pd.Timestamp(as_of), ax.get_ylim()[1]),
                xytext=(4, -12), textcoords="offset points", color="#c62828", fontsize=9)
    ax.yaxis.set_major_formatter(money)
    ax.set_ylabel(_("Cumulative net cash flow ({unit})", unit=fmt.unit()))
    ax.set_xlabel(_("Month"))
    _month_axis(ax)
    low = cum.loc[cum["forecast_cumulative"].idxmin()]
    ax.set_title(title or _("Portfolio J-curve: deepest point {value} in {month}",
                            value=_money(low["forecast_cumulative"]), month=fmt.month(low["period"])))
    _legend_below(fig, ax)
    return fig


@_literal_text
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
    ev_ax.set_ylabel(_("Cumulative cost ({unit})", unit=fmt.unit()))
    ev_ax.set_xlabel(_("Month"))
    cpi, spi = project.get("cpi"), project.get("spi")
    ev_ax.set_title(_("Earned value: CPI {cpi}, SPI {spi}", cpi=fmt.ratio(cpi), spi=fmt.ratio(spi))
                    if pd.notna(cpi) and pd.notna(spi) else _("Earned value: none yet"), fontsize=11)
    ev_ax.legend(loc="upper left", frameon=False, fontsize=8)
    j_ax.plot(months["period"], months["planned_cumulative"], color="#7f7f7f", ls="--", label=_("Plan"))
    j_ax.plot(months["period"], months["forecast_cumulative"], color="#1f77b4", lw=2,
              label=_("Forecast (actuals to as-of, plan after)"))
    j_ax.axhline(0, color="#444", lw=0.8)
    j_ax.axvline(as_of, color="#c62828", lw=1, ls=":")
    j_ax.yaxis.set_major_formatter(money)
    j_ax.set_ylabel(_("Cumulative net cash flow ({unit})", unit=fmt.unit()))
    j_ax.set_xlabel(_("Month"))
    if len(months):
        low = months.loc[months["forecast_cumulative"].idxmin()]
        j_ax.set_title(_("J-curve: deepest {money} in {month}", money=_money(low["forecast_cumulative"]),
                         month=fmt.month(low["period"])), fontsize=11)
    else:
        j_ax.set_title(_("J-curve: no cash flows"), fontsize=11)
    j_ax.legend(loc="upper left", frameon=False, fontsize=8)
    for ax in (ev_ax, j_ax):
        _month_axis(ax, maxticks=6)
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
               s=50, label=_("Within thresholds"))
    ax.scatter(df.loc[trouble, "spi"], df.loc[trouble, "cpi"], color="#c62828", s=70,
               label=_("Below a threshold"))
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
        ax.text(x, y, _(txt), ha="left" if x == lo else "right", va="bottom" if y == lo else "top",
                color="#888", fontsize=9, transform=ax.transData)
    t = df.loc[trouble]
    t = t.loc[t[["cpi", "spi"]].min(axis=1).nsmallest(12).index]  # name the 12 worst at most
    ax.set_xlabel(_("Schedule performance index SPI = EV / PV"))
    ax.set_ylabel(_("Cost performance index CPI = EV / AC"))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=2, frameon=False)
    ax.set_title(_("Earned value: {n} of {total} running projects below CPI or SPI threshold",
                   n=int(trouble.sum()), total=len(df)))
    fig.tight_layout()
    _labels(ax, t["spi"], t["cpi"], _shorten(t["project_id"] + " " + t["name"], 22))  # on the final layout
    return fig


@_literal_text
def frontier(front: pd.DataFrame, *, budget_cap: float, chosen_value: float, objective: str) -> Figure:
    """Efficient frontier: best achievable value at each budget level, with the chosen cap."""
    fig, ax = plt.subplots(figsize=(10, 5))
    ax.step(front["budget"], front["value"], where="post", color="#1f77b4", lw=2)
    ax.scatter([budget_cap], [chosen_value], color="#c62828", zorder=3, s=60,
               label=_("Budget cap {cap}: value {value}", cap=_money(budget_cap),
                       value=_money(chosen_value) if objective == "npv" else fmt.count(chosen_value)))
    money_axis(ax.xaxis)
    if objective == "npv":
        ax.yaxis.set_major_formatter(money)
    ax.set_xlabel(_("Funding available for proposed + active projects ({unit})", unit=fmt.unit()))
    ax.set_ylabel(_("Best total priority score") if objective == "score" else
                  _("Best total NPV ({unit})", unit=fmt.unit()))
    ax.legend(loc="lower right", frameon=False)
    ax.set_title(_("Efficient frontier: what each extra unit of budget buys"))
    fig.tight_layout()
    return fig


@_literal_text
def kpi_bars(totals: pd.DataFrame, *, by: str) -> Figure:
    """NPV and ROI per group (department, objective), ratios computed from sums."""
    df = totals.sort_values("npv")
    fig, axes = plt.subplots(1, 2, figsize=(12, max(3, 0.5 * len(df) + 1.5)), sharey=True)
    labels = _shorten(df[by].astype(str), 24)
    axes[0].barh(labels, df["npv"], color=np.where(df["npv"] >= 0, "#2e7d32", "#c62828"))
    money_axis(axes[0].xaxis)
    axes[0].set_xlabel(_("NPV ({unit})", unit=fmt.unit()))
    axes[0].axvline(0, color="#444", lw=0.8)
    axes[1].barh(labels, df["roi"], color="#1f77b4")
    axes[1].xaxis.set_major_formatter(PercentFormatter(1.0))
    axes[1].set_xlabel(_("ROI = net benefit / cost"))
    axes[1].axvline(0, color="#444", lw=0.8)
    fig.suptitle(_("Returns by {group}", group=_(by.replace("_", " "))), x=0.01, ha="left", fontweight=_bold())
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- utilization
def _legend_below(fig: Figure, ax) -> None:
    """The legend in one row under the chart, outside the bars, lines and their labels (a legend
    inside the axes sits on a bar or a label whichever corner it takes); lays the figure out with
    the room it needs.
    """
    handles, names = ax.get_legend_handles_labels()
    fig.legend(handles, names, loc="lower center", ncol=max(1, len(names)), frameon=False, fontsize=9,
               borderaxespad=0.3)
    fig.tight_layout(rect=(0, 0.4 / fig.get_figheight(), 1, 1))


def _month_labels(periods) -> list[str]:
    return [fmt.month(p) for p in periods]


def _month_axis(ax, *, maxticks: int = 8) -> None:
    """Months on a time axis as the reports write them (``Mar 2026``), at most about ``maxticks`` ticks."""
    ax.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=3, maxticks=maxticks))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: fmt.month(mdates.num2date(v).replace(tzinfo=None))))


@_literal_text
def utilization_trend(by_group: pd.DataFrame, portfolio: pd.DataFrame, *, by: str,
                      over: float = 1.0, under: float = 0.6, cols: int = 4) -> Figure:
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
    fig, axes = plt.subplots(rows, cols, figsize=(3.3 * cols + 0.6, 2.5 * rows + 0.9), squeeze=False,
                             sharex=True, sharey=True)
    top = max(1.2, over + 0.15, float(np.nanmax(by_group[["utilization", "planned_utilization"]].to_numpy(float),
                                                initial=0)) * 1.08)
    for ax, (name, d) in zip(axes.flat, groups, strict=False):
        ax.plot(portfolio["period"], complete(portfolio), color="#bbbbbb", lw=2.2)
        ax.plot(d["period"], complete(d), color="#1f4e79", lw=1.8)
        ax.plot(d["period"], d["planned_utilization"], color="#1f4e79", lw=1.1, ls=":")
        ax.axhline(over, color="#c62828", lw=0.8, ls="--")
        ax.axhline(under, color="#f9a825", lw=0.8, ls="--")
        last = d.assign(u=complete(d)).dropna(subset=["u"])
        value = fmt.pct(last["u"].iloc[-1], 0) if len(last) else fmt.na()
        ax.set_title(f"{_shorten(pd.Series([str(name)]), 22).iloc[0]}: {value}", fontsize=10)
        ax.set_ylim(0, top)
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.tick_params(labelsize=8)
        _month_axis(ax)
        ax.set_xticks(pd.to_datetime(by_group["period"]).agg(["min", "max"]).unique())  # first and last month
    for i, ax in enumerate(axes.flat):
        if i >= len(groups):
            ax.axis("off")
        elif i + cols >= len(groups):  # nothing drawn below it: it carries the month labels
            ax.xaxis.set_tick_params(labelbottom=True)
    handles = [plt.Line2D([], [], color="#1f4e79", lw=1.8), plt.Line2D([], [], color="#1f4e79", lw=1.1, ls=":"),
               plt.Line2D([], [], color="#bbbbbb", lw=2.2), plt.Line2D([], [], color="#c62828", lw=0.8, ls="--"),
               plt.Line2D([], [], color="#f9a825", lw=0.8, ls="--")]
    names = [_("Actual (complete months)"), _("Planned"), _("Portfolio (actual)"),
             _("Over-allocated above {pct}", pct=fmt.pct(over, 0)), _("Bench below {pct}", pct=fmt.pct(under, 0))]
    fig.legend(handles, names, loc="lower center", ncol=len(names), frameon=False, fontsize=8.5)
    done = portfolio.assign(utilization=complete(portfolio)).dropna(subset=["utilization"])
    now = (_("{value} in {month}", value=fmt.pct(done["utilization"].iloc[-1], 0),
             month=fmt.month(done["period"].iloc[-1])) if len(done) else _("no actuals"))
    fig.suptitle(_("Utilization by {by}, one panel each: portfolio {now}", by=_(by), now=now),
                 x=0.01, ha="left", fontweight=_bold())
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    return fig


def _heatmap(ax, table: pd.DataFrame, *, cmap: str, vmin: float | None = None, vmax: float | None = None,
             center: float | None = None, annot=None, fmt_cell: str = "", linewidth: float = 0.3,
             cbar_label: str = "", cbar_format=None, shrink: float = 1.0):
    """A heatmap drawn as seaborn's ``heatmap`` draws it (rows top down, the colour map centred on
    ``center``, cell text dark on light cells and white on dark, a colourbar without outline),
    with matplotlib alone: seaborn's import and its scipy.stats cost a report kernel 1.6 s.
    ``annot`` is True (the values in ``fmt_cell``), a frame of texts, or None.
    """
    from matplotlib.colors import ListedColormap, Normalize

    values = np.ma.masked_invalid(table.to_numpy(dtype=float))
    missing = np.ma.getmaskarray(values)
    lo = vmin if vmin is not None else float(values.min()) if values.count() else 0.0
    hi = vmax if vmax is not None else float(values.max()) if values.count() else 1.0
    colors = plt.get_cmap(cmap)
    if center is not None:  # seaborn's recentring: the middle colour at ``center``
        span = max(hi - center, center - lo)
        cmin, cmax = Normalize(center - span, center + span)([lo, hi])
        colors = ListedColormap(colors(np.linspace(cmin, cmax, 256)))
    mesh = ax.pcolormesh(values, cmap=colors, vmin=lo, vmax=hi, edgecolors="white", linewidth=linewidth)
    ax.set_xlim(0, values.shape[1])
    ax.set_ylim(0, values.shape[0])
    ax.invert_yaxis()
    ax.grid(False)
    for side in ax.spines.values():
        side.set_visible(False)
    ax.set_xticks(np.arange(values.shape[1]) + 0.5, [str(c) for c in table.columns], rotation=90)
    ax.set_yticks(np.arange(values.shape[0]) + 0.5, [str(r) for r in table.index], rotation=0)
    ax.tick_params(length=0)
    if annot is not None and annot is not False:
        texts = (table.map(lambda v: format(v, fmt_cell) if pd.notna(v) else "") if annot is True
                 else annot.astype(str))
        rgb = mesh.cmap(mesh.norm(values))[..., :3]
        rgb = np.where(rgb <= 0.03928, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)  # sRGB to linear, as seaborn
        lum = 0.2126 * rgb[..., 0] + 0.7152 * rgb[..., 1] + 0.0722 * rgb[..., 2]
        for (i, j), text in np.ndenumerate(texts.to_numpy()):  # cells of a chart, at most a few hundred
            if text and not missing[i, j]:
                ax.text(j + 0.5, i + 0.5, text, ha="center", va="center", fontsize=7,
                        color=".15" if lum[i, j] > 0.408 else "w")
    bar = ax.figure.colorbar(mesh, ax=ax, label=cbar_label, format=cbar_format, shrink=shrink)
    bar.outline.set_linewidth(0)
    return mesh


@_literal_text
def utilization_heatmap(util: pd.DataFrame, *, by: str = "resource", as_of=None,
                        max_rows: int = 60, over: float = 1.0) -> Figure:
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
        pivot_hours = df.assign(h=np.where(df["is_past"], df["actual_hours"], df["planned_hours"])) \
            .groupby([by, "period"], observed=True)[["h", "capacity_hours"]].sum()
        df = (pivot_hours["h"] / pivot_hours["capacity_hours"].where(pivot_hours["capacity_hours"] > 0)) \
            .rename("value").reset_index().rename(columns={by: "row"})
    table = df.pivot_table(index="row", columns="period", values="value", aggfunc="first")
    severity = (table - 0.8).abs().mean(axis=1).sort_values(ascending=False, kind="stable")
    note = ""
    if len(table) > max_rows:
        rest = severity.iloc[max_rows:]
        note = _(" ({shown} of {total}; the other {rest} are within {band} of 80%, all in utilization_by_resource.csv)",
                 shown=max_rows, total=fmt.count(len(table)), rest=fmt.count(len(rest)),
                 band=f"{rest.max() * 100:.0f} pt")
    table = table.loc[severity.index[:max_rows]]
    table.columns = _month_labels(table.columns)
    h = max(3.5, 0.26 * len(table) + 2)
    fig, ax = plt.subplots(figsize=(13, h))
    _heatmap(ax, table, cmap="RdBu_r", vmin=0, vmax=max(1.6, over + 0.3), center=0.8,
             annot=True if len(table) <= 40 else None, fmt_cell=".0%", linewidth=0.3,
             cbar_label=_("Utilization"), cbar_format=PercentFormatter(1.0), shrink=0.6)
    if as_of is not None:
        from pmo_analysis.core.periods import last_complete_month

        cols = list(table.columns)
        label = fmt.month(last_complete_month(as_of))
        if label in cols:
            ax.axvline(cols.index(label) + 1, color="black", lw=2)
    ax.set_xlabel(_("Month (left of the black line: actual; right: planned)"))
    ax.set_ylabel("")
    ax.set_title(_("Utilization by {by} and month, furthest from a healthy 80% first{note}", by=_(by), note=note))
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
        ax.annotate(_(" {months} mo, peak {peak}", months=m, peak=fmt.pct(pk, 0)), (e, y), va="center", fontsize=8)
    ax.set_xlabel(_("Planned hours above capacity, summed over the months (hours)"))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.margins(x=0.2)
    ax.set_title(_("Over-allocation: {n} people planned above capacity", n=over["resource_id"].nunique()))
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
    ax.barh(y + 0.2, g["capacity_hours"], height=0.4, color="#9ecae1", label=_("Capacity"))
    ax.barh(y - 0.2, g["demand_hours"], height=0.4, color="#3182bd", label=_("Planned demand"))
    ax.set_yticks(y, _shorten(pd.Series(g.index), 24))
    for yy, (cap, dem, fte_) in enumerate(zip(g["capacity_hours"], g["demand_hours"], g["gap_fte"], strict=False)):
        txt = (_("balanced") if abs(fte_) < 0.05 else
               _("short {fte} FTE", fte=f"{-fte_:.1f}") if fte_ < 0 else _("spare {fte} FTE", fte=f"{fte_:.1f}"))
        ax.annotate(" " + txt, (max(cap, dem), yy), va="center", fontsize=9,
                    color="#c62828" if fte_ < 0 else "#2e7d32", fontweight=_bold() if fte_ < 0 else None)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.set_xlabel(_("Hours over the forecast months"))
    ax.margins(x=0.22)
    months = cvd["period"].nunique()
    ax.set_title(_("Capacity vs demand by role, next {n} months (FTE = average per month)", n=months))
    _legend_below(fig, ax)
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
        ax.annotate("" if pd.isna(r) else _(" {pct} of plan", pct=fmt.pct(r, 0)), (v, y), va="center", fontsize=8,
                    ha="left" if v >= 0 else "right")
    ax.axvline(0, color="#444", lw=0.8)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.set_xlabel(_("Booked minus planned hours (hours; negative = less effort than planned)"))
    ax.margins(x=0.25)
    ax.set_title(_("Plan vs actual effort: projects furthest from plan"))
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
        ax.barh(t.index.astype(str), t[c], left=left, color=PALETTE[i % len(PALETTE)], label=i18n.label(c))
        for y, (start, v) in enumerate(zip(left, t[c], strict=False)):
            if v >= 0.04:
                ax.text(start + v / 2, y, f"{v:.0%}", ha="center", va="center", fontsize=8, color="white")
        left += t[c].to_numpy()
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xlim(0, 1)
    ax.set_xlabel(_("Share of booked hours"))
    ax.set_title(_("Where time went: project work vs non-project time by department"))
    _legend_below(fig, ax)
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
                label=i18n.label(kind))
        left += t[kind].to_numpy()
    ax.set_xlabel(_("Lessons"))
    ax.set_title(_("Lessons by category ({n} lessons{note})", n=fmt.count(t.to_numpy().sum()),
                   note=_(", 25 largest categories") if len(by_cat["category"].unique()) > 25 else ""))
    _legend_below(fig, ax)
    return fig


@_literal_text
def lessons_trend(trend: pd.DataFrame) -> Figure:
    """Lessons recorded per quarter, by kind."""
    fig, ax = plt.subplots(figsize=(11, 4))
    bottom = np.zeros(len(trend))
    for kind in [k for k in ("to_improve", "went_well") if k in trend.columns]:
        ax.bar(trend["quarter"], trend[kind], bottom=bottom, color=KIND_COLOURS[kind],
               label=i18n.label(kind))
        bottom += trend[kind].to_numpy()
    step = max(1, len(trend) // 16)
    ax.set_xticks(range(0, len(trend), step), trend["quarter"].iloc[::step], rotation=45, ha="right")
    ax.set_ylabel(_("Lessons per quarter"))
    ax.set_title(_("Lessons recorded per quarter"))
    _legend_below(fig, ax)
    return fig


@_literal_text
def recurring_themes(themes: pd.DataFrame, *, top: int = 15) -> Figure:
    """Recurring themes: projects reporting each, labelled with the theme's name (its top terms when
    a table has no name column).
    """
    themes = themes.loc[themes["theme"].astype(str) != "Other"]  # the remainder ("Other lessons") is never ranked
    d = themes.head(top).iloc[::-1]
    named = d["name"].astype(str) if "name" in d else d["top_terms"].astype(str).str.split(", ").str[:3].str.join(", ")
    label = np.where(d["source"] == "category", d["theme"].astype(str), "text: " + named)
    fig, ax = plt.subplots(figsize=(11, max(3, 0.42 * len(d) + 1.5)))
    ax.barh(_shorten(pd.Series(label), 46), d["projects"],
            color=np.where(d["source"] == "category", "#1f77b4", "#9467bd"))
    for y, (pr, le) in enumerate(zip(d["projects"], d["lessons"], strict=False)):
        ax.annotate(_(" {projects} projects, {lessons} lessons", projects=pr, lessons=le), (pr, y), va="center",
                    fontsize=8)
    ax.set_xlabel(_("Distinct projects reporting the problem"))
    ax.margins(x=0.25)
    ax.set_title(_("Recurring problems (blue: by category, purple: found in the text)"))
    fig.tight_layout()
    return fig


@_literal_text
def open_actions_by_owner(by_owner: pd.DataFrame) -> Figure:
    """Open recommendations per owner, high-impact highlighted, with the oldest age."""
    d = by_owner.sort_values("open_actions")
    fig, ax = plt.subplots(figsize=(10, max(3, 0.4 * len(d) + 1.5)))
    names = _shorten(d["owner"].astype(str), 28)
    ax.barh(names, d["open_actions"] - d["high_impact"], color="#9ecae1", label=_("other"))
    ax.barh(names, d["high_impact"], left=d["open_actions"] - d["high_impact"], color="#c62828",
            label=_("high impact"))
    for y, (n, old) in enumerate(zip(d["open_actions"], d["oldest_days"], strict=False)):
        ax.annotate(_(" oldest {days} days", days=fmt.count(old)), (n, y), va="center", fontsize=8)
    ax.set_xlabel(_("Open or in-progress recommendations"))
    ax.margins(x=0.22)
    ax.set_title(_("Open actions by owner ({n} in all)", n=fmt.count(d["open_actions"].sum())))
    _legend_below(fig, ax)
    return fig


@_literal_text
def went_well(practices: pd.DataFrame, *, top: int = 12) -> Figure:
    """Practices most often reported as working."""
    d = practices.head(top).iloc[::-1]
    fig, ax = plt.subplots(figsize=(10, max(2.5, 0.45 * len(d) + 1.5)))
    label = d["practice"].astype(str) + ": " + d["top_terms"].astype(str).str.split(", ").str[:3].str.join(", ")
    ax.barh(_shorten(label, 50), d["projects"], color="#2e7d32")
    ax.set_xlabel(_("Distinct projects reporting it"))
    ax.set_title(_("What went well: practices to make standard"))
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- executive summary
@_literal_text
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
    money_like = {"total_budget", "portfolio_npv", "remaining_npv", "spend_to_date", "planned_to_date",
                  "open_risk_exposure", "benefits_shortfall", "budget_cap", "funded_need", "stop_frees"}
    x_first, x_last = hist["as_of"].iloc[0], hist["as_of"].iloc[-1]
    pad = max((x_last - x_first) * 0.08, pd.Timedelta(days=5))
    for ax, m in zip(axes.flat, metrics, strict=False):
        y = hist[m].astype(float)
        ax.plot(hist["as_of"], y, marker="o", color="#1f4e79", lw=1.5, ms=3)
        ax.scatter(hist["as_of"].iloc[-1:], y.iloc[-1:], color="#c62828", zorder=3, s=20)
        last = y.iloc[-1]
        shown = (fmt.pct(last, 1) if m in pct else _money(last) if m in money_like
                 else fmt.ratio(last) if m.endswith(("cpi", "spi")) else fmt.count(last))
        ax.set_title(f"{_(labels[m])}\n{shown}", fontsize=9, fontweight=_bold())
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
    fig.suptitle(_("Headline figures across {n} reports of this schedule", n=len(hist)),
                 x=0.01, ha="left", fontweight=_bold())
    fig.tight_layout()
    return fig


def matplotlib_date_formatter():
    """Dates on a time axis as the reports write them (``30 Jun 2026``)."""
    return FuncFormatter(lambda v, _pos: fmt.date(mdates.num2date(v)))


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
    items = heat.pivot_table(index="probability_band", columns="impact_band", values="items",
                             aggfunc="sum", observed=False).iloc[::-1]
    exposure = heat.pivot_table(index="probability_band", columns="impact_band", values="exposure",
                                aggfunc="sum", observed=False).iloc[::-1]
    fig, ax = plt.subplots(figsize=(11, 5.5))
    text = items.astype(int).astype(str) + "\n" + exposure.map(_money)
    _heatmap(ax, exposure, cmap="OrRd", annot=text.where(items > 0, ""), linewidth=0.5,
             cbar_label="Exposure (probability x impact)", cbar_format=money)
    top = exposure.stack()
    worst = top.idxmax() if len(top) and top.max() > 0 else None
    ax.set_xlabel("Impact as a share of the project's budget")
    ax.set_ylabel("Probability")
    ax.set_title(f"{int(items.to_numpy().sum())} open risks and issues (count, exposure)"
                 + (f": most exposure at {worst[0]} probability, impact {worst[1]}" if worst else ""), fontsize=12)
    ax.tick_params(axis="y", labelrotation=0)
    fig.tight_layout()
    return fig
