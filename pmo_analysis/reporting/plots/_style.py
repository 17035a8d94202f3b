"""How every chart looks and is written: the fonts (with a CJK fallback for Chinese text), the
style copied from seaborn's whitegrid at notebook size, the decorator that draws a chart in that
style with literal text, and the one way a chart is saved.

Nothing here changes matplotlib's global settings: :func:`literal_text` applies :func:`style` to
the chart it draws only. Registering the CJK fonts adds them to matplotlib's font list, once.
"""

from __future__ import annotations

import functools
import importlib.util
import io
import logging
from pathlib import Path

import matplotlib.pyplot as plt
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.text import Text

CJK_CANDIDATES = [
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Noto Sans CJK JP",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "Heiti SC",
    "Arial Unicode MS",
    "Droid Sans Fallback",
]
PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f"]


def _bundled_cjk_font() -> str | None:
    """Register the Noto Sans CJK SC font that the ``mplfonts`` package (a dependency) ships, and
    return its family name. Found without importing mplfonts, which has start-up side effects.
    """
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
    "figure.facecolor": "white",
    "axes.labelcolor": ".15",
    "xtick.direction": "out",
    "ytick.direction": "out",
    "xtick.color": ".15",
    "ytick.color": ".15",
    "axes.axisbelow": True,
    "grid.linestyle": "-",
    "text.color": ".15",
    "font.family": ["sans-serif"],
    "font.sans-serif": ["Arial", "DejaVu Sans", "Liberation Sans", "Bitstream Vera Sans", "sans-serif"],
    "lines.solid_capstyle": "round",
    "patch.edgecolor": "w",
    "patch.force_edgecolor": True,
    "xtick.top": False,
    "ytick.right": False,
    "axes.grid": True,
    "axes.facecolor": "white",
    "axes.edgecolor": ".8",
    "grid.color": ".8",
    "axes.spines.left": True,
    "axes.spines.bottom": True,
    "axes.spines.right": True,
    "axes.spines.top": True,
    "xtick.bottom": False,
    "ytick.left": False,
    "axes.linewidth": 1.25,
    "grid.linewidth": 1,
    "lines.linewidth": 1.5,
    "lines.markersize": 6,
    "patch.linewidth": 1,
    "xtick.major.width": 1.25,
    "ytick.major.width": 1.25,
    "xtick.minor.width": 1,
    "ytick.minor.width": 1,
    "xtick.major.size": 6,
    "ytick.major.size": 6,
    "xtick.minor.size": 4,
    "ytick.minor.size": 4,
    "font.size": 12,
    "axes.labelsize": 12,
    "axes.titlesize": 12,
    "xtick.labelsize": 11,
    "ytick.labelsize": 11,
    "legend.fontsize": 11,
    "legend.title_fontsize": 12,
}


@functools.lru_cache(maxsize=1)
def style() -> dict:
    """The workbook's chart style as matplotlib settings: seaborn's whitegrid at notebook size,
    readable titles, the fonts (with a CJK fallback) and literal text. Applied per chart by
    :func:`literal_text`, so drawing a chart changes nothing global.
    """
    families = ["DejaVu Sans"]
    cjk = cjk_font()
    if cjk:
        families.append(cjk)  # matplotlib falls back glyph by glyph along this list
    return {
        **SEABORN_WHITEGRID_NOTEBOOK,
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


def bold() -> str:
    """Bold where the fonts have it (see :func:`style`)."""
    return style()["axes.titleweight"]


def use_style() -> None:
    """Prepare a notebook for the workbook's charts without changing matplotlib's settings: the
    style is applied per chart (see :func:`style`). It only silences matplotlib's note that the
    bundled one-weight CJK font has no bold, which is not for the reader of a report.
    """
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)


def literal_text(chart):
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


def png(fig: Figure, *, width: int | None = None) -> bytes:
    """``fig`` written as PNG bytes with :data:`SAVE_OPTIONS` (the figure stays open).

    With ``width`` (pixels), the resolution is chosen so that the image, trimmed to what it draws
    (``bbox_inches="tight"``), is at most ``width`` pixels wide and no more than 5% narrower: a
    mail's inline chart at the width mail clients show, drawn from the same figure as the report's.
    Labels placed to avoid each other move with the resolution, so the crop's width does not
    scale exactly with it: a few renderings find it.
    """
    options = dict(SAVE_OPTIONS)
    best: tuple[int, bytes] | None = None
    for _attempt in range(6 if width else 1):
        buf = io.BytesIO()
        fig.savefig(buf, format="png", **options)
        data = buf.getvalue()
        drawn = int.from_bytes(data[16:20], "big")  # the PNG header's width
        if width is None:
            return data
        if drawn <= width and (best is None or drawn > best[0]):
            best = (drawn, data)
        if width * 0.95 <= drawn <= width:
            break
        options["dpi"] = options["dpi"] * width / drawn * (0.99 if drawn > width else 1.0)
    if best is None:  # every rendering came out too wide: the narrowest tried, scaled down once more
        options["dpi"] = options["dpi"] * 0.9
        buf = io.BytesIO()
        fig.savefig(buf, format="png", **options)
        return buf.getvalue()
    return best[1]


def save(fig: Figure, path: str | Path) -> Path:
    """Write ``fig`` as a PNG and close it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, **SAVE_OPTIONS)
    plt.close(fig)
    return path
