"""Presentation helpers for the notebooks: formatted, escaped tables, KPI tiles and figures.

Every text value from the data goes through HTML escaping here, so a lesson whose text contains
``<script>`` is shown as text in the notebook and in the HTML report and runs nothing.
"""
from __future__ import annotations

import html
from pathlib import Path

import pandas as pd
from IPython.display import HTML, display

__all__ = ["table", "kpi_tiles", "show", "note"]


_ACRONYMS = {"npv", "roi", "irr", "bcr", "cpi", "spi", "bac", "pv", "ev", "ac", "cv", "sv", "eac",
             "vac", "tcpi", "fte", "id", "ids"}


def pretty_label(name) -> str:
    """``total_cost`` -> ``Total cost``; ``npv`` -> ``NPV``; ``project_id`` -> ``Project ID``."""
    words = str(name).split("_")
    words = [w.upper() if w.lower() in _ACRONYMS else w for w in words]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def _fmt_money(v) -> str:
    return "" if pd.isna(v) else f"{v:,.0f}"


def _fmt_pct(v) -> str:
    return "" if pd.isna(v) else f"{v:.1%}"


def _fmt_ratio(v) -> str:
    return "" if pd.isna(v) else f"{v:.2f}"


def table(df: pd.DataFrame, *, money=(), pct=(), ratio=(), integer=(), dates=(),
          caption: str | None = None, max_rows: int = 40):
    """A styled table: thousands separators for money, percents, 2-decimal ratios; text escaped.

    Only the first ``max_rows`` rows are shown (the exported CSV holds all of them).
    """
    shown = df.head(max_rows)
    fmt = {c: _fmt_money for c in money if c in shown}
    fmt |= {c: _fmt_pct for c in pct if c in shown}
    fmt |= {c: _fmt_ratio for c in ratio if c in shown}
    fmt |= {c: (lambda v: "" if pd.isna(v) else f"{v:,.0f}") for c in integer if c in shown}
    fmt |= {c: (lambda v: "" if pd.isna(v) else f"{pd.Timestamp(v):%Y-%m-%d}") for c in dates
            if c in shown}
    styler = shown.style.format(fmt, escape="html", na_rep="").hide(axis="index")
    styler = styler.format_index(pretty_label, escape="html", axis=1)
    num_cols = list(dict.fromkeys(c for c in (*money, *pct, *ratio, *integer) if c in shown))
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
    fig.savefig(buf, format="png")
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
    styler = table(df, ratio=["cpi", "spi"], money=["bac", "eac", "npv"], integer=["percent_complete"],
                   dates=["end_date"], caption=caption, max_rows=max_rows)
    return styler.map(lambda v: HEALTH_STYLE.get(v, "") + ";white-space:nowrap", subset=["health"])
