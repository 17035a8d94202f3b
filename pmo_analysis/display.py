"""Presentation helpers for the notebooks: formatted, escaped tables, KPI tiles and figures.

Every text value from the data goes through HTML escaping here, so a lesson whose text contains
``<script>`` is shown as text in the notebook and in the HTML report and runs nothing.
"""
from __future__ import annotations

import html
from pathlib import Path

import pandas as pd
from IPython.display import HTML, display

from . import formatting as fmt

__all__ = ["table", "kpi_tiles", "show", "note"]


_ACRONYMS = {"npv", "roi", "irr", "bcr", "cpi", "spi", "bac", "pv", "ev", "ac", "cv", "sv", "eac",
             "vac", "tcpi", "fte", "id", "ids"}


def pretty_label(name) -> str:
    """``total_cost`` -> ``Total cost``; ``npv`` -> ``NPV``; ``project_id`` -> ``Project ID``."""
    words = str(name).split("_")
    words = [w.upper() if w.lower() in _ACRONYMS else w for w in words]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def _blank_if_missing(formatter):
    """A table cell: the workbook's format (:mod:`pmo_analysis.formatting`), blank when empty."""
    return lambda v: "" if pd.isna(v) else formatter(v)


_FORMATS = {"money": _blank_if_missing(fmt.money_full), "pct": _blank_if_missing(fmt.pct),
            "ratio": _blank_if_missing(fmt.ratio), "integer": _blank_if_missing(fmt.count),
            "dates": _blank_if_missing(lambda v: f"{pd.Timestamp(v):%Y-%m-%d}")}


def table(df: pd.DataFrame, *, money=(), pct=(), ratio=(), integer=(), dates=(),
          caption: str | None = None, max_rows: int = 40):
    """A styled table: thousands separators for money, percents, 2-decimal ratios; text escaped.

    Only the first ``max_rows`` rows are shown (the exported CSV holds all of them). A column
    named in ``money``, ``pct``, ``ratio``, ``integer`` or ``dates`` that the frame does not have
    raises ``ValueError``: a format for a column that is gone is a mistake, not a no-op.
    """
    kinds = {"money": money, "pct": pct, "ratio": ratio, "integer": integer, "dates": dates}
    unknown = sorted({c for cols in kinds.values() for c in cols} - set(df.columns))
    if unknown:
        raise ValueError(f"table(): no column {', '.join(map(repr, unknown))} to format; "
                         f"the frame has {', '.join(map(str, df.columns))}")
    shown = df.head(max_rows)
    formats = {c: _FORMATS[kind] for kind, cols in kinds.items() for c in cols}
    styler = shown.style.format(formats, escape="html", na_rep="").hide(axis="index")
    styler = styler.format_index(pretty_label, escape="html", axis=1)
    num_cols = list(dict.fromkeys((*money, *pct, *ratio, *integer)))
    styler = styler.set_properties(subset=num_cols, **{"text-align": "right", "white-space": "nowrap"})
    styler = styler.set_table_attributes('class="pmo-table"')
    more = len(df) - len(shown)
    text = caption or ""
    if more > 0:
        text += f" (first {len(shown)} of {len(df):,} rows; all rows in the exported CSV)"
    if text:
        styler = styler.set_caption(html.escape(text.strip()))
    return styler


def kpi_tiles(items: dict[str, str]) -> None:
    """Display a row of headline figures: ``{"label": "formatted value"}``."""
    tiles = "".join(
        f'<div style="display:inline-block;min-width:150px;margin:4px 8px 4px 0;padding:8px 12px;'
        f'border:1px solid #ccc;border-radius:6px;vertical-align:top">'
        f'<div style="font-size:12px;color:#555">{html.escape(str(k))}</div>'
        f'<div style="font-size:20px;font-weight:bold">{html.escape(str(v))}</div></div>'
        for k, v in items.items())
    display(HTML(f'<div class="pmo-kpis">{tiles}</div>'))


def note(text: str) -> None:
    """Display a short paragraph of computed narrative (escaped), wherever it is called."""
    display(HTML(f"<p>{html.escape(text)}</p>"))


def show(fig, output_dir: str | Path | None, name: str):
    """Render ``fig`` once to PNG, save it as ``<output_dir>/charts/<name>.png``, display that
    image in the notebook and close the figure.
    """
    import io

    import matplotlib.pyplot as plt
    from IPython.display import Image

    buf = io.BytesIO()
    from .plots import SAVE_OPTIONS

    fig.savefig(buf, format="png", **SAVE_OPTIONS)
    plt.close(fig)
    data = buf.getvalue()
    if output_dir is not None:
        path = Path(output_dir) / "charts" / f"{name}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    display(Image(data=data, format="png"))


HEALTH_STYLE = {"off track": "background-color:#c62828;color:#fff;font-weight:bold",
                "at risk": "background-color:#f9a825;color:#000;font-weight:bold",
                "on track": "background-color:#2e7d32;color:#fff;font-weight:bold"}


def health_table(df: pd.DataFrame, *, caption: str | None = None, max_rows: int = 40):
    """:func:`table` with the ``health`` column colour-coded; the status is also written as text,
    for colour-blind readers and black-and-white printing.
    """
    def present(*cols: str) -> list[str]:  # the health columns a caller chose to show
        return [c for c in cols if c in df.columns]

    styler = table(df, ratio=present("cpi", "spi"), money=present("bac", "eac", "npv"),
                   integer=present("percent_complete", "months_without_actuals"), dates=present("end_date"),
                   caption=caption, max_rows=max_rows)
    return styler.map(lambda v: HEALTH_STYLE.get(v, "") + ";white-space:nowrap", subset=["health"])
