"""No noise: no library warning, file path, stderr block or traceback reaches a page, whatever the
data, and no font message reaches the console on a machine without system CJK fonts.

The sources are fixed where they are: month axes tick on their own rule (matplotlib's
``AutoDateLocator`` warned on ranges of 2-3 years and repeated a month under daily ticks), bold text
asks for bold only where the fonts have it, and project pages quieten library chatter as reports do.
"""

from __future__ import annotations

import logging
import re
import warnings
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib import font_manager

from pmo_analysis.model import load_model
from pmo_analysis.reporting import plots
from pmo_analysis.reporting.plots import _style
from pmo_analysis.runs import kernels

matplotlib.use("Agg")

#: What a reader must never see in a page: a library's warning, a traceback, the package's path, a
#: notebook's stderr block.
NOISE = ("Warning", "Traceback", "/pmo_analysis/", "stderr")


def noise_in(html: str) -> list[str]:
    """The noise words in a page's markup, outside its style sheets and scripts (the notebook
    template's CSS names ``stderr`` and ``alert-warning`` for blocks a page does not have)."""
    markup = re.sub(r"(?is)<(style|script)\b.*?</\1>", "", html)
    return [w for w in NOISE if w in markup]


def test_no_page_of_a_run_holds_a_warning_a_path_or_a_traceback(suite_run):
    pages = [*sorted(suite_run.run_dir.rglob("*.html")), suite_run.run_dir.parent / "index.html"]
    assert len(pages) > 30  # reports, project and department pages, the run's and the reports' index
    noisy = {str(p.relative_to(suite_run.run_dir.parent)): noise_in(p.read_text("utf-8")) for p in pages}
    assert {p: words for p, words in noisy.items() if words} == {}


def test_noise_in_finds_a_warning_printed_into_a_page():
    page = (
        "<style>.jp-RenderedText[data-mime-type='application/vnd.jupyter.stderr']{}</style>"
        '<div data-mime-type="application/vnd.jupyter.stderr"><pre>/x/pmo_analysis/plots.py:12: UserWarning: '
        "AutoDateLocator was unable to pick an appropriate interval</pre></div>"
    )
    assert noise_in(page) == ["Warning", "/pmo_analysis/", "stderr"]
    assert noise_in(page.split("</style>")[0] + "</style><p>CPI 0.91</p>") == []


# --------------------------------------------------------------------------- short and odd date ranges
@pytest.fixture(scope="module")
def model(suite_run):
    """The suite run's portfolio model, as saved with the run (read, not built again)."""
    return load_model(suite_run.run_dir / "model")


def _month_rows(months: pd.DataFrame, first: str, n: int) -> pd.DataFrame:
    """``n`` rows of a project's months moved to start at ``first`` (one row a month, or a day apart
    when ``first`` ends in a day: a project that starts and ends within a month)."""
    rows = pd.concat([months] * (n // len(months) + 1), ignore_index=True).head(n).copy()
    daily = len(first) == 10
    rows["period"] = pd.date_range(first, periods=n, freq="D" if daily else "MS")
    rows["is_actual"] = rows.index < n // 2
    return rows


@pytest.mark.parametrize(
    ("first", "n"),
    [("2026-03-10", 1), ("2026-03-03", 12), ("2026-03", 2), ("2026-01", 35), ("2020-01", 150)],
)
def test_charts_over_short_and_odd_ranges_raise_no_warning(model, first, n):
    """Every chart with a month axis, on a project of a day, a few days, 2 to 150 months: no warning,
    and no month named twice on an axis."""
    pid = model.projects.loc[model.projects["running"], "project_id"].iloc[0]
    months = _month_rows(model.project_months.loc[model.project_months["project_id"] == pid], first, n)
    row = model.projects.set_index("project_id").loc[pid].rename(pid)
    as_of = months["period"].iloc[len(months) // 2]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for fig in (plots.project_curves(months, row, as_of=as_of), plots.j_curve(months, as_of=as_of)):
            fig.canvas.draw()
            for ax in fig.axes:
                labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
                if labels and re.fullmatch(r"[A-Z][a-z]{2} \d{4}", labels[0]):  # a month axis
                    assert len(labels) == len(set(labels)), labels
                    assert len(labels) <= 8
            plt.close(fig)


# --------------------------------------------------------------------------- a console without CJK fonts
@pytest.fixture
def no_system_cjk_fonts(monkeypatch):
    """matplotlib as on a machine with no font but its own: the system fonts left out of its list,
    none found on disk; the chart fonts chosen again (the bundled Noto Sans CJK SC, regular only)."""
    own = str(Path(matplotlib.get_data_path()) / "fonts")
    monkeypatch.setattr(
        font_manager.fontManager, "ttflist", [f for f in font_manager.fontManager.ttflist if f.fname.startswith(own)]
    )
    monkeypatch.setattr(font_manager, "findSystemFonts", lambda *a, **k: [])
    caches = (_style.cjk_font, _style.style, font_manager.fontManager._findfont_cached, font_manager._get_font)
    for cache in caches:
        cache.cache_clear()
    yield
    for cache in caches:
        cache.cache_clear()


def test_a_machine_without_cjk_fonts_gets_no_findfont_message(no_system_cjk_fonts, model, caplog):
    assert _style.cjk_font() == "Noto Sans CJK SC" and _style.bold() == "normal"  # the bundled face has no bold
    caplog.set_level(logging.DEBUG, logger="matplotlib.font_manager")
    logging.getLogger("matplotlib.font_manager").setLevel(logging.WARNING)  # as a fresh process has it
    kernels._warm_fonts()  # what the kernels' template process draws first, on the run's console
    fig = plots.milestone_trend(
        model.milestone_history, project_ids=list(model.milestone_history["project_id"].unique()[:2])
    )
    fig.canvas.draw()
    plt.close(fig)
    messages = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert [m for m in messages if "findfont" in m] == []
