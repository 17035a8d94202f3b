"""Charts: Chinese labels render with real glyphs, and every chart function returns a titled figure."""

from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")
import itertools
import re

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from pmo_analysis.analyses import finance as roi
from pmo_analysis.reporting import plots
from pmo_analysis.reporting.plots._axes import _money, shorten
from pmo_analysis.reporting.plots._style import _bundled_cjk_font


def test_chinese_labels_render_with_a_cjk_font(tmp_path):
    if plots.cjk_font() is None:
        pytest.skip(
            "no font with Chinese glyphs: apt-get install fonts-noto-cjk "
            "(or conda install font-ttf-noto-cjk), then delete ~/.cache/matplotlib"
        )
    with plt.rc_context(plots.style()):  # what every chart function draws in
        fig, ax = plt.subplots()
        ax.barh(["供应商交付延迟", "需求变更", "Vendor delay"], [3, 2, 1])
        ax.set_title("经常出现的问题 recurring problems")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        plots.save(fig, tmp_path / "cjk.png")
    missing = [str(w.message) for w in caught if "missing from" in str(w.message)]
    assert missing == [], missing
    assert (tmp_path / "cjk.png").stat().st_size > 5_000


def test_bundled_cjk_font_has_chinese_glyphs(tmp_path):
    """The font shipped with the mplfonts dependency works where no system CJK font is installed."""
    name = _bundled_cjk_font()
    assert name is not None, "the mplfonts dependency is missing its Noto Sans CJK font"
    with plt.rc_context({"font.family": [name]}):
        fig, ax = plt.subplots()
        ax.set_title("供应商交付延迟")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fig.savefig(tmp_path / "bundled.png")
        plt.close(fig)
    assert not [w for w in caught if "missing from" in str(w.message)]


def test_roi_charts_have_titles_and_units(sample):
    plots.use_style()
    r = roi.roi_by_project(sample.projects, sample.cashflows, as_of="2026-06-30")
    for fig in (
        plots.npv_ranked(r),
        plots.value_vs_risk(r),
        plots.cpi_spi_quadrant(r),
        plots.j_curve(roi.cumulative_cashflow(sample.cashflows, as_of="2026-06-30"), as_of="2026-06-30"),
        plots.kpi_bars(roi.portfolio_totals(r, by="department"), by="department"),
    ):
        ax = fig.axes[0]
        assert ax.get_title(loc="left") or fig._suptitle.get_text(), "chart without a title"
        assert ax.get_xlabel() or ax.get_ylabel()
        plt.close(fig)


def test_money_format():
    assert [_money(v) for v in (950, 12_500, 3_400_000, -2_100_000_000)] == ["950", "12k", "3.4M", "-2.1B"]
    assert isinstance(pd.Series([1.0]).map(_money).iloc[0], str)


# --------------------------------------------------------------------------- literal text
# Names that mathtext would read as formulas ("$5 to $7"), typeset ("$\frac{1}{2}$") or fail on
# ("$\nocmd$" is an unknown command: drawing it raised and failed the whole report).
NAMES = ["Cost $5 to $7", "$\\frac{1}{2}$", "a_b^c", "Fix $\\nocmd$ now"]


def _names(n: int) -> list[str]:
    return [NAMES[i % len(NAMES)] for i in range(n)]


def _roi_frame() -> pd.DataFrame:
    n = len(NAMES)
    return pd.DataFrame(
        {
            "project_id": [f"P{i}" for i in range(n)],
            "name": NAMES,
            "status": "active",
            "npv": [-4e6, -2e6, 1e6, -3e6],
            "roi": [0.1, -0.2, 0.3, -0.4],
            "risk_score": [5, 4, 2, 5],
            "strategic_objective": NAMES,
            "bac": [1e6, 2e6, 3e6, 4e6],
            "cpi": [0.6, 0.7, 0.8, 0.5],
            "spi": [0.7, 0.6, 1.0, 0.55],
        }
    )


def _months(n: int = 3) -> pd.DatetimeIndex:
    return pd.date_range("2026-04-01", periods=n, freq="MS")


def _chart_cases():
    roi_df = _roi_frame()
    m = _months()
    util = pd.DataFrame(
        [
            {
                "resource_id": f"R{i}",
                "name": name,
                "role": name,
                "period": p,
                "utilization": 0.9 + 0.1 * i,
                "planned_utilization": 1.2,
                "is_past": j < 2,
                "actual_hours": 100.0,
                "planned_hours": 120.0,
                "capacity_hours": 100.0,
                "excess_hours": 20.0 + i,
            }
            for i, name in enumerate(NAMES)
            for j, p in enumerate(m)
        ]
    )
    return {
        "npv_ranked": lambda: plots.npv_ranked(roi_df),
        "value_vs_risk": lambda: plots.value_vs_risk(roi_df),
        "cpi_spi_quadrant": lambda: plots.cpi_spi_quadrant(roi_df),
        "kpi_bars": lambda: plots.kpi_bars(
            pd.DataFrame({"department": NAMES, "npv": [1e6, -1e6, 2e6, 0.5e6], "roi": [0.1, -0.1, 0.2, 0.05]}),
            by="department",
        ),
        "utilization_trend": lambda: plots.utilization_trend(
            util.rename(columns={"name": "department"}),
            pd.DataFrame({"period": m, "utilization": [0.8, 0.9, 1.0], "planned_utilization": [0.9, 0.9, 0.9]}),
            by="department",
        ),
        "utilization_heatmap": lambda: plots.utilization_heatmap(util, as_of="2026-05-31"),
        "overallocation_bars": lambda: plots.overallocation_bars(util),
        "capacity_vs_demand": lambda: plots.capacity_vs_demand(
            util.assign(demand_hours=120.0, gap_hours=-20.0, gap_fte=-0.5)
        ),
        "plan_vs_actual": lambda: plots.plan_vs_actual(
            pd.DataFrame(
                {
                    "project_id": roi_df["project_id"],
                    "variance_hours": [10.0, -5.0, 3.0, -8.0],
                    "booked_vs_plan": [1.1, 0.9, 1.05, 0.8],
                }
            ),
            roi_df[["project_id", "name"]],
        ),
        "time_split": lambda: plots.time_split(
            pd.DataFrame(
                {"department": NAMES * 2, "kind": ["project work"] * 4 + ["a_b^c"] * 4, "share": [0.7] * 4 + [0.3] * 4}
            )
        ),
        "lessons_by_category": lambda: plots.lessons_by_category(
            pd.DataFrame(
                {"category": NAMES * 2, "kind": ["to_improve"] * 4 + ["went_well"] * 4, "lessons": range(1, 9)}
            )
        ),
        "recurring_themes": lambda: plots.recurring_themes(
            pd.DataFrame(
                {
                    "theme": NAMES,
                    "source": "category",
                    "top_terms": "x, y",
                    "projects": [4, 3, 2, 2],
                    "lessons": [8, 6, 4, 3],
                }
            )
        ),
        "open_actions_by_owner": lambda: plots.open_actions_by_owner(
            pd.DataFrame(
                {
                    "owner": NAMES,
                    "open_actions": [5, 4, 3, 2],
                    "high_impact": [1, 1, 0, 2],
                    "oldest_days": [100, 50, 20, 10],
                }
            )
        ),
        "went_well": lambda: plots.went_well(
            pd.DataFrame({"practice": NAMES, "top_terms": "a, b", "projects": [4, 3, 2, 1]})
        ),
    }


@pytest.mark.parametrize("chart", list(_chart_cases()))
def test_names_in_charts_are_literal_text(chart):
    """Drawn outside use_style (mathtext on, matplotlib's default), every name is printed as typed."""
    with plt.rc_context({"text.parse_math": True}):
        fig = _chart_cases()[chart]()
        fig.canvas.draw()  # raised "Unknown symbol: \nocmd" before
        texts = [t for t in fig.findobj(matplotlib.text.Text) if t.get_text() and t.get_visible()]
        shown = {t.get_text() for t in texts}
        for name in NAMES:
            assert any(name in s for s in shown), (name, sorted(shown))
        with_dollar = [t for t in texts if "$" in t.get_text()]
        assert with_dollar and all(t.get_parse_math() is False for t in with_dollar)
    plt.close(fig)


def test_style_is_scoped_to_each_chart():
    """Drawing a chart applies the workbook's style to that chart only: matplotlib's global
    settings (a user's own plots in JupyterLab) are left as they were."""
    assert plots.style()["text.parse_math"] is False
    with plt.rc_context():
        plots.use_style()
        before = dict(plt.rcParams)
        fig = plots.kpi_bars(
            pd.DataFrame({"department": ["A", "B"], "npv": [1.0, -2.0], "roi": [0.1, -0.2]}), by="department"
        )
        assert dict(plt.rcParams) == before
        assert fig.axes[0].title.get_fontweight() == "bold"  # the chart has the workbook's style
        plt.close(fig)


# --------------------------------------------------------------------------- labels on the sample
def _sample_charts(m):
    p = m.projects.dropna(subset=["npv"])
    yield "npv_ranked", plots.npv_ranked(p)
    yield "value_vs_risk", plots.value_vs_risk(p)
    yield "cpi_spi_quadrant", plots.cpi_spi_quadrant(m.projects)
    yield "j_curve", plots.j_curve(m.cashflow, as_of="2026-06-30")
    yield "kpi_bars", plots.kpi_bars(m.by_department, by="department")
    yield "utilization_trend_role", plots.utilization_trend(m.util_by_role, m.util_overall, by="role")
    yield "overallocation", plots.overallocation_bars(m.overallocations.loc[m.overallocations["ahead"]])
    yield "capacity_vs_demand", plots.capacity_vs_demand(m.capacity)
    yield "plan_vs_actual", plots.plan_vs_actual(m.plan_vs_actual, m.projects)
    yield "recurring_themes", plots.recurring_themes(m.recurring)
    yield "open_actions_by_owner", plots.open_actions_by_owner(m.followthrough)
    yield "time_split", plots.time_split(m.time_split)
    yield "lessons_by_category", plots.lessons_by_category(m.lessons_by_category)
    yield "lessons_trend", plots.lessons_trend(m.lessons_trend)
    yield (
        "project_curves",
        plots.project_curves(
            m.project_months.loc[m.project_months["project_id"] == "PRJ-005"],
            m.projects.set_index("project_id").loc["PRJ-005"],
            as_of="2026-06-30",
        ),
    )


def _boxes(fig):
    """The drawn text of ``fig`` (titles, labels, annotations, tick labels, legends) with its box
    in pixels: every text a reader sees."""
    from matplotlib.text import Text

    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    out = []
    for t in fig.findobj(Text):
        if t.get_visible() and t.get_text().strip() and t.get_figure() is fig:
            out.append((t, Text.get_window_extent(t, renderer)))  # the text, not an annotation's leader line
    return out


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_no_label_overlaps_or_leaves_its_chart_on_the_sample(model, lang, tmp_path):
    """Point labels (adjustText) and bar annotations never overlap each other and no text is cut at
    the edge of the saved figure, in either language."""
    from matplotlib.patches import Rectangle

    from pmo_analysis.core import formatting as fmt

    with fmt.using(currency="CNY" if lang == "zh" else "USD", language=lang):
        for name, fig in _sample_charts(model):
            boxes = _boxes(fig)
            assert boxes, name
            # labels drawn on the axes (annotations, adjustText labels) must not overlap each other
            labels = [(t, b) for t, b in boxes if t in [x for ax in fig.axes for x in ax.texts]]
            for i, (t1, b1) in enumerate(labels):
                for t2, b2 in labels[i + 1 :]:
                    overlap = (
                        b1.overlaps(b2)
                        and min(b1.x1, b2.x1) - max(b1.x0, b2.x0) > 1
                        and min(b1.y1, b2.y1) - max(b1.y0, b2.y0) > 1
                    )
                    assert not overlap, (name, t1.get_text(), t2.get_text())
            # neighbouring tick labels of an axis never touch (long money labels such as ¥200.0万)
            renderer = fig.canvas.get_renderer()
            for ax in fig.axes:
                for axis, lo, hi in ((ax.xaxis, "x0", "x1"), (ax.yaxis, "y0", "y1")):
                    ticks = sorted(
                        (
                            b
                            for b in (
                                t.get_window_extent(renderer)
                                for t in axis.get_ticklabels()
                                if t.get_visible() and t.get_text().strip()
                            )
                        ),
                        key=lambda b: getattr(b, lo),
                    )
                    for a, b in itertools.pairwise(ticks):
                        assert getattr(b, lo) - getattr(a, hi) >= 0, (
                            name,
                            lang,
                            "tick labels overlap",
                            [t.get_text() for t in axis.get_ticklabels()],
                        )
            # a legend sits outside the bars and apart from every label of the axes
            legends = [lg for lg in [*fig.legends, *(ax.get_legend() for ax in fig.axes)] if lg is not None]
            for lg in legends:
                lb = lg.get_window_extent(renderer)
                for ax in fig.axes:
                    bars = [
                        p.get_window_extent(renderer)
                        for p in ax.patches
                        if isinstance(p, Rectangle) and p.get_width() and p.get_height()
                    ]
                    texts = [b for t, b in boxes if t in ax.texts]
                    for b in bars + texts:
                        inter = min(lb.x1, b.x1) - max(lb.x0, b.x0), min(lb.y1, b.y1) - max(lb.y0, b.y0)
                        assert min(inter) <= 1, (name, lang, "legend overlaps", [t.get_text() for t in lg.texts])
            # saved with bbox_inches="tight": every text lies inside the saved image
            plots.save(fig, tmp_path / f"{name}-{lang}.png")
            from PIL import Image

            with Image.open(tmp_path / f"{name}-{lang}.png") as img:
                assert img.size[0] > 300 and img.size[1] > 200, name
            # and an axes' own labels stay inside their axes (adjustText keeps them in)
            for ax in fig.axes:
                inside = ax.get_window_extent()
                for t, b in boxes:
                    if t in ax.texts and t.get_text().strip() and getattr(t, "xyann", None) is not None:
                        assert b.x0 >= inside.x0 - 2 and b.x1 <= inside.x1 + 2, (name, t.get_text())


def test_utilization_by_role_is_one_panel_per_role(model):
    fig = plots.utilization_trend(model.util_by_role, model.util_overall, by="role")
    roles = model.util_by_role["role"].nunique()
    drawn = [ax for ax in fig.axes if ax.get_visible() and ax.lines]
    assert len(drawn) == roles
    assert all(len(ax.lines) <= 5 for ax in drawn)  # group, plan, portfolio and two thresholds
    plt.close(fig)


def test_heatmap_rows_by_severity_and_omission_named(model):
    u = model.utilization
    fig = plots.utilization_heatmap(u, by="resource", max_rows=20)
    title = fig.axes[0].get_title(loc="left")
    people = u["resource_id"].nunique()
    assert f"(20 of {people}; the other {people - 20} are within" in title
    rows = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert rows != sorted(rows)  # by distance from 80%, not alphabetical
    plt.close(fig)


def test_chart_style_is_seaborns_whitegrid_at_notebook_size():
    """The copied style equals seaborn's (all but the colour map only seaborn registers)."""
    import seaborn as sns

    theirs = {**sns.axes_style("whitegrid"), **sns.plotting_context("notebook")}
    theirs.pop("image.cmap")
    assert dict(theirs) == plots.SEABORN_WHITEGRID_NOTEBOOK


def test_headline_trend_reads_older_runs_without_the_delivery_figures(model, tmp_path):
    """A run's headline.csv written before the delivery figures existed reads as a gap in their
    panels, not an error; every figure of summary.TREND that this run has gets a panel."""
    from pmo_analysis.analyses import summary
    from pmo_analysis.core import formatting as fmt

    now = model.headline.assign(as_of=pd.Timestamp("2026-06-30"))
    old = now.drop(
        columns=[
            "dependency_conflicts",
            "missed_milestones",
            "milestone_on_time_rate",
            "open_risk_exposure",
            "overdue_mitigations",
            "benefits_realization",
        ]
    )
    old = old.assign(as_of=pd.Timestamp("2026-05-31"))
    hist = pd.concat([old, old.assign(as_of=pd.Timestamp("2026-04-30")), now], ignore_index=True)
    hist = hist.sort_values("as_of").reset_index(drop=True)
    labels = {k: summary.HEADLINE_LABELS[k] for k in summary.TREND}
    with fmt.using(currency="USD"):
        fig = plots.headline_trend(hist, labels, cols=6)
    titles = [ax.get_title(loc="left") + ax.get_title() for ax in fig.axes]
    titles = [t for t in titles if t]
    assert len(titles) == sum(now[k].notna().item() for k in summary.TREND)
    assert any(t.startswith("Missed milestones\n") for t in titles)
    assert any(t.startswith("Open risk exposure\n$") for t in titles)
    panel = next(ax for ax, t in zip(fig.axes, titles, strict=False) if t.startswith("Missed milestones"))
    y = panel.lines[0].get_ydata()
    assert np.isnan(y[:2]).all() and not np.isnan(y[-1])
    plots.save(fig, tmp_path / "trend.png")


# --------------------------------------------------------------------------- distinct labels, one threshold per rule
#: The 26 names of a federal portfolio's departments that share their first 28 characters (and
#: more): cut to the same width, they used to stack their bars on one row.
_FEDERAL = [
    "United States Department of " + n
    for n in (
        "Agriculture",
        "Commerce",
        "Defense",
        "Education",
        "Energy",
        "Health and Human Services",
        "Homeland Security",
        "Housing and Urban Development",
        "the Interior",
        "Justice",
        "Labor",
        "State",
        "the Treasury",
        "Transportation",
        "Veterans Affairs",
        "Defense - Army",
        "Defense - Navy",
        "Defense - Air Force",
        "Energy - Science",
        "Energy - Nuclear Security",
        "State - Consular Affairs",
        "State - Diplomatic Security",
        "Justice - Prisons",
        "Justice - Marshals",
        "Labor - Statistics",
        "Labor - Employment and Training",
    )
]


@pytest.mark.parametrize("width", [12, 24, 32])
def test_shortened_labels_keep_distinct_names_distinct(width):
    """Names sharing a long prefix, names alike at both ends, and repeated names: as many labels
    as names, none longer than the width, and a repeated name keeps one label."""
    alike = ["Programme Office Alpha Beta One Gamma", "Programme Office Alpha Zeta One Gamma", "HR", "HR"]
    names = pd.Series([*_FEDERAL, *alike, "Project Delta Kappa Lambda Sigma Omega " * 2])
    labels = shorten(names, width)
    assert labels.nunique() == names.nunique() == 30
    assert labels.str.len().max() <= width
    assert labels.iloc[-2] == labels.iloc[-3] == "HR"
    # names the cut keeps apart stay as they were: only the merged ones change
    assert shorten(pd.Series(["Finance", "A much longer department name than the width"]), 24).tolist() == [
        "Finance",
        "A much longer departmen…",
    ]


def test_returns_by_department_draws_one_row_per_department():
    """The IT Dashboard finding: 26 'United States Department of ...' departments drew 13 rows. Each
    panel has one bar per department, at a row of its own, with a label of its own."""
    totals = pd.DataFrame(
        {
            "department": _FEDERAL,
            "npv": np.linspace(-5e6, 20e6, len(_FEDERAL)),
            "roi": np.linspace(-0.2, 0.6, len(_FEDERAL)),
        }
    )
    fig = plots.kpi_bars(totals, by="department")
    try:
        for ax in fig.axes:
            bars = [b for b in ax.patches]
            assert len(bars) == 26
            assert len({round(b.get_y(), 6) for b in bars}) == 26  # 26 rows, no two on one
        labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
        assert len(labels) == len(set(labels)) == 26
        assert all(lab.startswith("United St") for lab in labels)
    finally:
        plt.close(fig)


def _quadrant_counts(fig) -> tuple[int, int, int]:
    """(n, total, k) read back from the CPI/SPI chart's title."""
    n, total, k = (int(x) for x in re.findall(r"\d+", fig.axes[0].get_title(loc="left"))[:3])
    return n, total, k


def test_cpi_spi_chart_draws_red_and_amber_and_counts_what_the_summary_lists(model):
    """The sample: the chart draws both thresholds of the run (0.85 red, 0.95 amber), colours no
    point below an amber line as on track, and its title counts the running projects the
    executive summary lists as off track or at risk (20 of 23, where it said 9 below a threshold)."""
    a = model.assumptions.iloc[0]
    fig = plots.cpi_spi_quadrant(model.projects, thresholds=a)
    try:
        ax = fig.axes[0]
        flat = [ln for ln in ax.lines if ln.get_ydata()[0] == ln.get_ydata()[1]]
        lines = {(round(float(ln.get_ydata()[0]), 4), ln.get_color()) for ln in flat}
        assert (0.85, "#c62828") in lines and (0.95, "#f9a825") in lines
        running = model.projects.loc[model.projects["running"]]
        listed = running["health"].isin(["off track", "at risk"]).sum()
        n, total, _k = _quadrant_counts(fig)
        assert (n, total) == (listed, len(running)) == (20, 23)
        h = model.headline.iloc[0]
        assert n == h["off_track"] + h["at_risk"]
        # colours by the same thresholds: nothing below an amber line is drawn green
        green = [c for c in ax.collections if c.get_label() == "On track"]
        for c in green:
            xy = c.get_offsets()
            assert ((xy[:, 0] >= a["spi_amber"]) & (xy[:, 1] >= a["cpi_amber"])).all()
    finally:
        plt.close(fig)


def test_cpi_spi_chart_on_a_hand_made_portfolio():
    """Held-out thresholds (0.7 / 0.9, not the defaults) and projects on both sides of each line,
    one with no CPI (data needed, not drawn, not counted as at risk), without a health column: the
    chart judges by the thresholds it is given and counts what health.project_health lists."""
    from pmo_analysis.analyses import health

    t = {"cpi_red": 0.7, "cpi_amber": 0.9, "spi_red": 0.7, "spi_amber": 0.9}
    df = pd.DataFrame(
        {
            "project_id": list("ABCDEF"),
            "name": "n",
            "department": "d",
            "status": ["active", "active", "on_hold", "active", "active", "completed"],
            "cpi": [0.69, 0.75, 1.0, 0.95, np.nan, 0.5],
            "spi": [1.0, 1.0, 0.89, 0.91, 1.0, 0.5],
            "risk_score": 1.0,
            "end_date": pd.Timestamp("2030-01-01"),
            "percent_complete": 50.0,
            "bac": 1.0,
            "eac": 1.0,
            "npv": 1.0,
        }
    )
    listed = health.project_health(df, as_of="2026-06-30", **t)
    fig = plots.cpi_spi_quadrant(df, thresholds=t)
    try:
        n, total, k = _quadrant_counts(fig)
        assert (n, total, k) == (3, 5, 3)
        assert n == listed["health"].isin(["off track", "at risk"]).sum()
        assert listed.set_index("project_id").loc["E", "health"] == "data needed"
    finally:
        plt.close(fig)


def test_the_roadmap_draws_its_projects_by_health_with_milestones_and_dependencies():
    from matplotlib.patches import Rectangle
    from matplotlib.text import Annotation

    from pmo_analysis.analyses.delivery import roadmap_projects
    from pmo_analysis.reporting.plots.delivery import HEALTH_COLOURS
    from tests.helpers import ten_thousand_projects

    rows, rest = roadmap_projects(ten_thousand_projects(), top_n=30)
    deps = pd.DataFrame(
        {
            "predecessor_id": ["P00000", "P00001", "P09999"],  # P09999 is not drawn: its arrow neither
            "successor_id": ["P00019", "P00002", "P00003"],
            "type": ["finish_to_start", "start_to_start", "finish_to_start"],
            "conflict": [True, False, False],
        }
    )
    ms = pd.DataFrame(
        {
            "project_id": ["P00000", "P00000", "P09999"],
            "current_date": pd.to_datetime(["2026-03-01", "2026-09-01", "2026-05-01"]),
            "state": ["reached late", "missed", "on track"],
        }
    )
    fig = plots.roadmap(rows, left_out=rest, milestones=ms, dependencies=deps, as_of="2026-06-30")
    ax = fig.axes[0]
    assert len(ax.get_yticklabels()) == 30 and ax.get_yticklabels()[0].get_text().startswith("P0")
    assert (
        ax.get_title(loc="left")
        == "Roadmap: 30 running and proposed projects, plan and forecast (9,507 more not drawn)"
    )
    bars = [b for b in ax.patches if isinstance(b, Rectangle) and b.get_height() < 0.5]  # the forecasts
    colours = {matplotlib.colors.to_hex(b.get_facecolor()) for b in bars}
    assert len(bars) == 30 and colours == {HEALTH_COLOURS["off track"], HEALTH_COLOURS["at risk"]}
    arrows = [c for c in ax.get_children() if isinstance(c, Annotation)]
    assert [matplotlib.colors.to_hex(a.arrow_patch.get_edgecolor()) for a in arrows] == ["#c62828", "#757575"]
    drawn = ax.collections[0]  # the milestones: two of P00000 (reached black, missed red); none of P09999
    assert [matplotlib.colors.to_hex(c) for c in drawn.get_facecolors()] == ["#212121", "#c62828"]
    plt.close(fig)
