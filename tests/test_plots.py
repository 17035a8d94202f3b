"""Charts: Chinese labels render with real glyphs, and every chart function returns a titled figure."""
from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from pmo_analysis import plots, roi  # noqa: E402


def test_chinese_labels_render_with_a_cjk_font(tmp_path):
    if plots.cjk_font() is None:
        pytest.skip("no font with Chinese glyphs: apt-get install fonts-noto-cjk "
                    "(or conda install font-ttf-noto-cjk), then delete ~/.cache/matplotlib")
    plots.use_style()
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
    name = plots._bundled_cjk_font()
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
    for fig in (plots.npv_ranked(r), plots.value_vs_risk(r), plots.cpi_spi_quadrant(r),
                plots.j_curve(roi.cumulative_cashflow(sample.cashflows, as_of="2026-06-30"), as_of="2026-06-30"),
                plots.kpi_bars(roi.portfolio_totals(r, by="department"), by="department")):
        ax = fig.axes[0]
        assert (ax.get_title(loc="left") or fig._suptitle.get_text()), "chart without a title"
        assert ax.get_xlabel() or ax.get_ylabel()
        plt.close(fig)


def test_money_format():
    assert [plots._money(v) for v in (950, 12_500, 3_400_000, -2_100_000_000)] == ["950", "12k", "3.4M", "-2.1B"]
    assert isinstance(pd.Series([1.0]).map(plots._money).iloc[0], str)
