"""Presentation helpers for the notebooks: tables, KPI tiles, headings, notes and figures.

Every text value from the data goes through HTML escaping here, so a lesson whose text contains
``<script>`` is shown as text in the notebook and in the HTML report and runs nothing. A cell that
is already HTML on purpose (a link to a project page) is a :class:`markupsafe.Markup` (anything
with ``__html__``): it is let through as it is, and sorts by its visible text.

Tables (:func:`table`) are plain HTML tables that the report page makes sortable and filterable
with a small inline script (``templates/pmo``; nothing is loaded from the network). Without
JavaScript they are complete plain tables. Rows after ``collapse_after`` are collapsed behind a
"Show all" button, never cut; only beyond ``max_rows`` (a guard for ten-thousand-row portfolios)
are rows left out, and the caption says so and names the CSV that holds them.

Cells read in the report language and currency (:mod:`pmo_analysis.core.formatting`,
:mod:`pmo_analysis.core.i18n`): code values get human labels (``on_hold`` -> On hold), true/false read
Yes/No, dates ``30 Jun 2026`` and months ``Mar 2026``, negative numbers are red as well as signed,
headers are words (``total_cost`` -> Total cost) and an abbreviation in a header carries its
meaning; :func:`abbreviations` lists every abbreviation the report used, once, at its end.
"""

from __future__ import annotations

import html as htmllib
import re
from pathlib import Path

import numpy as np
import pandas as pd
from IPython.display import HTML, display
from markupsafe import Markup, escape

from pmo_analysis.core import formatting as fmt
from pmo_analysis.core import i18n, wording
from pmo_analysis.core.config import HEALTH_THRESHOLDS, MILESTONE_ON_TIME_TARGET
from pmo_analysis.core.i18n import _, label
from pmo_analysis.core.wording import Reason
from pmo_analysis.reporting.plots import png, sparkline

__all__ = [
    "table",
    "health_table",
    "first_items",
    "kpi_tiles",
    "is_empty_figure",
    "tile",
    "headline_tiles",
    "delivery_tiles",
    "show",
    "note",
    "heading",
    "text",
    "abbreviations",
    "pretty_label",
    "Table",
    "CODE_COLUMNS",
    "MONTH_COLUMNS",
    "COLUMN_FORMATS",
    "budget_tile",
    "judge",
]

#: Columns whose values are codes shown through :func:`pmo_analysis.core.i18n.label` (defined there:
#: report.xlsx shows them so too).
CODE_COLUMNS = i18n.CODE_COLUMNS
#: Date columns that hold a month (shown ``Mar 2026``).
MONTH_COLUMNS = {"period", "month", "first_month", "last_month"}
#: Quantities that read the same in every table of every report, whatever the table: a column of
#: this name is formatted so unless the caller names another format for it (a probability reads
#: ``50%`` on a project page, in the delivery report and in the decisions' reasons alike).
COLUMN_FORMATS = {
    "probability": "probability",
    "impact_share": "pct",
    "exposure_share": "pct",
    "on_time_rate": "pct",
    "impact_cost": "money",
    "exposure": "money",
    "open_exposure": "money",
}

_ABBR = re.compile(r"\b(" + "|".join(sorted(i18n.ABBREVIATIONS, key=len, reverse=True)) + r")\b")
_used_abbreviations: set[str] = set()


def _track(text: str) -> None:
    _used_abbreviations.update(_ABBR.findall(str(text)))


def pretty_label(name) -> str:
    """A column name in words in the report language: ``total_cost`` -> Total cost, ``npv`` -> NPV."""
    return i18n.column_label(name)


def _header(name) -> str:
    text = pretty_label(name)
    _track(text)
    out = htmllib.escape(text)
    lang = 1 if i18n.current() == "zh" else 0
    for abbr in set(_ABBR.findall(text)):
        meaning = htmllib.escape(i18n.ABBREVIATIONS[abbr][lang], quote=True)
        out = re.sub(rf"\b{abbr}\b", f'<abbr title="{meaning}">{abbr}</abbr>', out, count=1)
    return out


def _blank_if_missing(formatter):
    return lambda v: "" if pd.isna(v) else formatter(v)


def _number(v) -> str:
    return f"{v:,.2f}"


_KINDS = {
    "probability": fmt.probability,
    "money": fmt.money_full,
    "pct": fmt.pct,
    "ratio": fmt.ratio,
    "integer": fmt.count,
    "dates": fmt.date,
    "months": fmt.month,
}


def _cells(s: pd.Series, kind: str | None) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Text, sort key and CSS class of every cell of column ``s`` (vectorised per column)."""
    name = str(s.name)
    if kind is None:
        if pd.api.types.is_bool_dtype(s):
            kind = "code"
        elif pd.api.types.is_datetime64_any_dtype(s):
            kind = "months" if name in MONTH_COLUMNS else "dates"
        elif pd.api.types.is_numeric_dtype(s):
            values = s.dropna()
            kind = "integer" if len(values) == 0 or np.all(np.mod(values.to_numpy(float), 1) == 0) else "number"
        elif name in CODE_COLUMNS:
            kind = "code"
    missing = s.isna()
    if (
        kind == "integer"
        and not pd.api.types.is_numeric_dtype(s)
        and pd.to_numeric(s, errors="coerce").isna().gt(missing).any()
    ):
        kind = None  # text where numbers were expected (a database row named "result row 12"): shown as text
    if kind in ("money", "pct", "ratio", "integer", "number", "probability"):
        num = pd.to_numeric(s, errors="coerce").astype(float)  # nullable integers too: NA -> NaN
        f = _number if kind == "number" else _KINDS[kind]
        text = num.map(_blank_if_missing(f)).astype(object)
        key = num.map(lambda v: "" if pd.isna(v) else repr(float(v))).astype(object)
        cls = np.where(num.to_numpy() < 0, "num neg", "num")
        return text, key, pd.Series(cls, index=s.index)
    if kind in ("dates", "months"):
        t = pd.to_datetime(s, errors="coerce")
        text = t.map(_blank_if_missing(_KINDS[kind])).astype(object)
        key = t.dt.strftime("%Y-%m-%d").fillna("").astype(object)
        return text, key, pd.Series("date", index=s.index)
    if kind == "html":  # made by the package (links): let through, sorted by its visible text
        text = s.astype(object).where(~missing, "")
        key = s.astype(str).where(~missing, "").str.replace(r"<[^>]+>", "", regex=True).astype(object)
        return text.astype(object), key, pd.Series("text", index=s.index)
    if name == "breakdown" and i18n.current() != "en":  # hours per project, "PRJ-1: 84 h; PRJ-7: 70 h"
        s = s.astype(object).where(missing, s.astype(str).str.replace(_HOURS, _hours_in_words, regex=True))
    if kind == "code":
        text = s.map(lambda v: "" if pd.isna(v) else i18n.label(v)).astype(object)
        cls = ("health h-" + s.astype(str).str.replace(" ", "-")) if name == "health" else pd.Series("", index=s.index)
        return text, pd.Series("", index=s.index, dtype=object), cls
    text = s.astype(object).where(~missing, "")
    return text, pd.Series("", index=s.index, dtype=object), pd.Series("text", index=s.index)


_HOURS = r"(\d[\d,]*) h(?=;|$)"


def _hours_in_words(m: re.Match) -> str:
    return _("{hours} h", hours=m.group(1))


def first_items(
    s: pd.Series, *, sep: str = ";", keep: int = 5, csv: str | None = None, total: pd.Series | None = None
) -> pd.Series:
    """Cells that list many items (``PRJ-1;PRJ-2;...``) cut to the first ``keep``, saying how many
    more there are and where they all are: ``PRJ-1, PRJ-2 and 310 more (bench.csv)``. A report table
    of a ten-thousand-project portfolio then stays readable and small; the exported CSV keeps
    every item. ``total``: how many items each cell stands for, when the cell itself names only
    the first of them.

    Examples
    --------
    >>> first_items(pd.Series(["a;b;c", "d", ""]), keep=2, csv="x.csv").tolist()
    ['a, b and 1 more (x.csv)', 'd', '']
    >>> first_items(pd.Series(["a;b;c"]), keep=2, total=pd.Series([40])).tolist()
    ['a, b and 38 more']
    """
    items = s.fillna("").astype(str).str.split(sep)
    n = items.str.len().where(s.fillna("").astype(str) != "", 0)
    if total is not None:
        n = pd.Series(np.maximum(n.to_numpy(), total.fillna(0).to_numpy(dtype=int)), index=s.index)
    head = items.str[:keep].str.join(", ")
    more = n - keep
    where = f" ({csv})" if csv else ""
    tail = more.map(lambda k: _(" and {n} more", n=fmt.count(k)) + where if k > 0 else "")
    return (head.where(n > 0, "") + tail).astype(object)


class Table:
    """An HTML table (what :func:`table` returns): shown by Jupyter, or written with :meth:`to_html`."""

    def __init__(self, body: str, data: pd.DataFrame, caption: str = "") -> None:
        self._body = body
        self.data = data
        self.caption = caption

    def to_html(self) -> str:
        """The table as HTML."""
        return self._body

    def _repr_html_(self) -> str:
        return self._body

    def __html__(self) -> str:
        return self._body


#: A table of this many columns or more prints in smaller type (``data-wide``: templates/pmo), so
#: that it fits a portrait A4 page with its headers wrapped between words.
WIDE_TABLE_COLUMNS = 12


def table(
    df: pd.DataFrame,
    *,
    money=(),
    pct=(),
    ratio=(),
    integer=(),
    dates=(),
    months=(),
    html=(),
    caption: str | None = None,
    collapse_after: int = 12,
    max_rows: int = 1000,
    csv: str | None = None,
    print_rows: int | None = None,
) -> Table:
    """A table in the workbook's formats, text escaped, sortable and filterable in the report.

    Columns not named in a format are formatted by their type: whole numbers with thousands
    separators, other numbers to two decimals, dates ``30 Jun 2026`` (months ``Mar 2026`` for
    :data:`MONTH_COLUMNS`), true/false and :data:`CODE_COLUMNS` as human labels. Rows after
    ``collapse_after`` are behind "Show all"; cells of the ``html`` columns are HTML made by the
    package (links to project pages) and are not escaped (a :class:`markupsafe.Markup` cell in any
    column of dtype object is not escaped either); rows after ``max_rows`` are left out, and the caption
    says how many and that ``csv`` (or the exported CSV) holds them all. ``print_rows`` limits the
    rows printed (0: the table is left off paper; a one-page print names what it leaves out). A column named in a format
    that the frame does not have raises ``ValueError``: a format for a column that is gone is a
    mistake, not a no-op.
    """
    kinds = {
        "money": money,
        "pct": pct,
        "ratio": ratio,
        "integer": integer,
        "dates": dates,
        "months": months,
        "html": html,
    }
    unknown = sorted({c for cols in kinds.values() for c in cols} - set(df.columns))
    if unknown:
        raise ValueError(
            f"table(): no column {', '.join(map(repr, unknown))} to format; "
            f"the frame has {', '.join(map(str, df.columns))}"
        )
    kind_of = {c: COLUMN_FORMATS[c] for c in df.columns if c in COLUMN_FORMATS}
    kind_of |= {c: kind for kind, cols in kinds.items() for c in cols}
    shown = df.head(max_rows).reset_index(drop=True)
    rows = pd.Series("", index=shown.index, dtype=object)
    heads = []
    for i, col in enumerate(shown.columns):
        text, key, cls = _cells(shown.iloc[:, i], kind_of.get(col))
        safe = text.astype(str) if kind_of.get(col) == "html" else text.map(lambda v: str(escape(v)))
        attr = key.astype(str).map(lambda v: htmllib.escape(v, quote=True))
        sort = np.where(key != "", ' data-sort="' + attr + '"', "")
        rows = rows + '<td class="' + cls.astype(str) + '"' + sort + ">" + safe + "</td>"
        numeric = bool(len(cls)) and cls.astype(str).str.startswith("num").all()
        heads.append(f'<th scope="col"{" class=num" if numeric else ""}>{_header(col)}</th>')
    extra = np.where(shown.index >= collapse_after, ' class="pmo-extra"', "")
    body = "".join(("<tr" + pd.Series(extra, index=shown.index) + ">" + rows + "</tr>").tolist())
    text = caption or ""
    more = len(df) - len(shown)
    if more > 0:
        text += (" " if text else "") + _(
            "(first {shown} of {total} rows; all rows in {csv})",
            shown=fmt.count(len(shown)),
            total=fmt.count(len(df)),
            csv=csv or _("the exported CSV"),
        )
    _track(text)
    cap = f"<caption>{htmllib.escape(text.strip())}</caption>" if text.strip() else ""
    paper = "" if print_rows is None else f' data-print-rows="{int(print_rows)}"'
    paper += " data-wide" if shown.shape[1] >= WIDE_TABLE_COLUMNS else ""
    out = (
        f'<div class="pmo-table-wrap" data-collapse="{int(collapse_after)}" data-rows="{len(shown)}"{paper}>'
        f'<table class="pmo-table">{cap}<thead><tr>{"".join(heads)}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )
    return Table(out, shown, text.strip())


def briefing(frame: pd.DataFrame, *, total: int) -> HTML:
    """The printed briefing's decisions that need money or people (the frame of
    :func:`pmo_analysis.analyses.summary.briefing`): one column per group (fund, find money, stop,
    add capacity) headed by its total, each decision with its money; ``total`` decisions in all are
    on screen and in decisions.csv. Shown on paper only (``pmo-print-only``): on screen the full
    decisions table says the same, with reasons.
    """
    heads = {
        "fund": label("fund"),
        "find money": _("Find money"),
        "stop": label("stop"),
        "add capacity": _("Add capacity"),
    }
    columns = []
    for group, rows in frame.groupby("group", sort=False):
        money = float(rows["money"].sum()) if rows["money"].notna().any() else None
        if money is not None:
            sums = wording.word(Reason("frees" if money > 0 else "needs", money=abs(money)))
        else:
            sums = _("short {fte} FTE", fte=f"{float(rows['fte'].sum()):.1f}")
        items = "".join(
            f"<li>{htmllib.escape(str(r.decision))}"
            + (f' <span class="m">{htmllib.escape(str(r.money_text))}</span>' if r.money_text else "")
            + "</li>"
            for r in rows.itertuples()
        )
        head = f"{heads.get(str(group), str(group))}: {sums}"
        _track(head)
        columns.append(
            f'<div class="pmo-brief-group"><div class="h">{htmllib.escape(head)}</div><ul>{items}</ul></div>'
        )
    if not columns:
        return HTML("")
    title = _("Decisions that need money or people")
    note_text = _("All {n} decisions, with their reasons, are in the report online and in decisions.csv.", n=total)
    _track(title + note_text)
    return HTML(
        f'<div class="pmo-briefing pmo-print-only"><div class="pmo-brief-title">{htmllib.escape(title)}</div>'
        f'<div class="pmo-brief-groups">{"".join(columns)}</div>'
        f'<p class="pmo-small">{htmllib.escape(note_text)}</p></div>'
    )


def health_table(
    df: pd.DataFrame,
    *,
    caption: str | None = None,
    collapse_after: int = 12,
    max_rows: int = 1000,
    print_rows: int | None = None,
) -> Table:
    """:func:`table` with the health columns formatted; the ``health`` cell is colour-coded and
    written in words, for colour-blind readers and black-and-white printing.
    """

    def present(*cols: str) -> list[str]:  # the health columns a caller chose to show
        return [c for c in cols if c in df.columns]

    return table(
        df,
        ratio=present("cpi", "spi"),
        money=present("bac", "eac", "npv"),
        integer=present("percent_complete", "months_without_actuals"),
        dates=present("end_date", "forecast_end"),
        caption=caption,
        collapse_after=collapse_after,
        max_rows=max_rows,
        print_rows=print_rows,
    )


def tile(
    label: str,
    value: str,
    *,
    delta: str | None = None,
    target: str | None = None,
    status: str | None = None,
    negative: bool = False,
    reason: str | None = None,
    spark: str | None = None,
) -> dict:
    """One KPI tile for :func:`kpi_tiles`: ``label``, ``value``, the change since the previous
    report (``delta``), the threshold or target (``target``) and ``status`` (``good``, ``bad`` or
    ``None``: the colour of the tile's edge); ``negative`` shows the value in red. ``reason`` says
    why the value is ``n/a`` (the data it lacks): such a tile is shown, neutral, with its reason.
    ``spark`` is the figure's monthly history as inline SVG
    (:func:`pmo_analysis.reporting.plots.sparkline`), drawn under the value.
    """
    return {
        "label": label,
        "value": value,
        "delta": delta,
        "target": target,
        "status": status,
        "negative": negative,
        "reason": reason,
        "spark": spark,
    }


def budget_tile(h: pd.Series, decisions: pd.DataFrame) -> dict:
    """The budget cap and the need of the projects it funds (the headline's ``budget_cap`` and
    ``funded_need``), as one :func:`tile`; n/a with the reason when nothing competes for funding
    (no proposed or running project, or none that can be ranked: a cap of 0 funding 0 says nothing).

    Examples
    --------
    >>> h = pd.Series({"budget_cap": 0.0, "funded_need": 0.0})
    >>> t = budget_tile(h, pd.DataFrame({"decision": ["data needed", "data needed", "closed"]}))
    >>> t["value"], t["reason"]
    ('n/a', 'nothing to fund: no proposed or running project can be ranked yet (2 wait for benefit figures)')
    >>> budget_tile(pd.Series({"budget_cap": 7e6, "funded_need": 6.5e6}), pd.DataFrame({"decision": ["fund"]}))["value"]
    '7.0M / 6.5M'
    """
    label_ = _("Budget cap / funded need")
    competing = ~decisions["decision"].isin(("stop", "reject", "data needed", "closed"))
    if competing.any() and not fmt._missing(h.get("budget_cap")):
        return tile(label_, f"{fmt.money(h['budget_cap'])} / {fmt.money(h['funded_need'])}")
    waiting = int(decisions["decision"].eq("data needed").sum())
    reason = Reason("nothing_to_fund_waiting", n=waiting) if waiting else Reason("nothing_to_fund")
    return tile(label_, fmt.na(), reason=wording.word(reason))


def judge(value, *, low=None, high=None) -> str | None:
    """A tile's status against its threshold: ``good`` when ``value`` is within ``low`` and ``high``
    (either may be open), ``bad`` outside, ``None`` for a missing value (a neutral tile).

    Examples
    --------
    >>> judge(0, high=0), judge(26, high=0), judge(0.65, low=0.6, high=1.0), judge(float("nan"), high=0)
    ('good', 'bad', 'good', None)
    """
    if fmt._missing(value):
        return None
    v = float(value)
    return "good" if (low is None or v >= low) and (high is None or v <= high) else "bad"


def is_empty_figure(value) -> bool:
    """Whether a tile's value says nothing: ``n/a`` (``不适用``), or only such parts (``n/a / n/a``).

    Examples
    --------
    >>> is_empty_figure("n/a / n/a"), is_empty_figure("0 / n/a"), is_empty_figure("$1.2M")
    (True, False, False)
    """
    return all(p.strip() in ("", fmt.NA, "不适用") for p in str(value).split(" / "))


def kpi_tiles(items) -> None:
    """Display a row of headline figures: a list of :func:`tile` dicts, or ``{"label": "value"}``.

    A tile whose value is empty (:func:`is_empty_figure`: the data cannot give that figure, e.g. no
    milestones table) is left out rather than shown as ``n/a``; the report says once, in words or
    in small print (:func:`note` ``small=True``), what the data lacks. No row is shown when every
    tile is empty.
    """
    if isinstance(items, dict):
        items = [tile(k, v) for k, v in items.items()]
    items = [t for t in items if t.get("reason") or not is_empty_figure(t["value"])]
    if not items:
        return
    parts = []
    for t in items:
        _track(t["label"])
        cls = "pmo-tile" + (f" pmo-{t['status']}" if t.get("status") else "")
        value_cls = "v neg" if t.get("negative") else "v"
        extra = "".join(
            f'<div class="{k}">{htmllib.escape(str(t[k]))}</div>' for k in ("reason", "delta", "target") if t.get(k)
        )
        if t.get("spark"):  # made by plots.sparkline: numbers and an escaped title
            extra = f'<div class="spark">{t["spark"]}</div>' + extra
        parts.append(
            f'<div class="{cls}"><div class="l">{htmllib.escape(str(t["label"]))}</div>'
            f'<div class="{value_cls}">{htmllib.escape(str(t["value"]))}</div>{extra}</div>'
        )
    display(HTML(f'<div class="pmo-kpis">{"".join(parts)}</div>'))


def note(text: str, *, small: bool = False) -> None:
    """Display a short paragraph of computed narrative (escaped), wherever it is called; ``small``
    sets it in small print (what the data lacks, said once beside the figures it leaves out).
    """
    _track(text)
    cls = ' class="pmo-small"' if small else ""
    display(HTML(f"<p{cls}>{htmllib.escape(text)}</p>"))


def text(en: str, *, zh: str | None = None) -> None:
    """Display a block of Markdown written in the notebook (definitions, how a figure is made) in
    the report language: ``zh`` in a Chinese report when given, else ``en``.
    """
    from IPython.display import Markdown

    chosen = zh if i18n.current() == "zh" and zh else en
    _track(chosen)
    display(Markdown(chosen))


def heading(text: str, level: int = 2) -> None:
    """Display a section heading (already in the report language: pass ``_("...")``)."""
    _track(text)
    display(HTML(f"<h{level}>{htmllib.escape(text)}</h{level}>"))


def abbreviations(*extra: str) -> None:
    """Display the meaning of every abbreviation the report showed (in headers, tiles, notes and
    captions so far, plus ``extra``), once, at the end of the report.
    """
    used = sorted(_used_abbreviations | set(extra))
    if not used:
        return
    lang = 1 if i18n.current() == "zh" else 0
    items = "; ".join(f"<b>{a}</b> {htmllib.escape(i18n.ABBREVIATIONS[a][lang])}" for a in used)
    display(HTML(f'<p class="pmo-abbr"><b>{htmllib.escape(_("Abbreviations"))}:</b> {items}.</p>'))


def show(fig, output_dir: str | Path | None, name: str):
    """Render ``fig`` once to PNG, save it as ``<output_dir>/charts/<name>.png``, display that
    image in the notebook and close the figure.
    """
    import matplotlib.pyplot as plt
    from IPython.display import Image

    for text in fig.texts + [t for ax in fig.axes for t in (ax.title, ax.xaxis.label, ax.yaxis.label)]:
        _track(text.get_text())
    # the chart's title is its image's alt text in the report (templates/pmo)
    titles = [fig.get_suptitle()] + [ax.get_title(loc=loc) for ax in fig.axes for loc in ("left", "center")]
    alt = next((t for t in titles if t.strip()), name.replace("_", " "))
    data = png(fig)
    plt.close(fig)
    if output_dir is not None:
        path = Path(output_dir) / "charts" / f"{name}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    display(Image(data=data, format="png", metadata={"alt": alt}))


#: Kept for notebooks written against the earlier table renderer.
HEALTH_STYLE = {
    "off track": "background-color:#c62828;color:#fff;font-weight:bold",
    "at risk": "background-color:#f9a825;color:#000;font-weight:bold",
    "on track": "background-color:#2e7d32;color:#fff;font-weight:bold",
}


def _delta(kind: str, now, before) -> str | None:
    """The change of one headline figure in its own format (``+$0.3M``, ``-1.0 pt``, ``+2``)."""
    if fmt._missing(now) or fmt._missing(before):
        return None
    d = float(now) - float(before)
    if kind == "pct":
        return f"{d * 100:+.1f} pt" if round(d * 1000) else ""
    if kind == "ratio":
        return f"{d:+.2f}" if round(d * 100) else ""
    if kind == "money":
        return ("+" if d > 0 else "") + fmt.money(d) if round(d) else ""
    return f"{d:+,.0f}" if round(d) else ""


def headline_tiles(
    h: pd.Series, previous: pd.Series | None, params: dict, windows: dict, history: pd.DataFrame | None = None
) -> list[dict]:
    """The executive summary's tiles: each headline figure, named with what it counts, with its
    change since the previous report of the schedule (``previous``, its headline row, or ``None``
    on a first report: no change to show), its threshold from the run's parameters (health
    thresholds, utilization band; none of a count should be above zero), and, from the data's own
    monthly history (``history``, the model's ``kpi_history``), a sparkline of spend against plan
    and of utilization, first report or not.
    """
    prev_date = fmt.date(previous["as_of"]) if previous is not None else None
    hist = history if history is not None and len(history) else None

    def spark(col: str, describe, plan: str | None = None):
        if hist is None or col not in hist:
            return None
        svg = sparkline(hist["period"], hist[col], describe=describe, plan=hist[plan] if plan else None)
        if svg is None:
            return None
        known = hist.loc[hist[col].notna(), "period"]
        months = f"{fmt.month(known.iloc[0])}–{fmt.month(known.iloc[-1])}"
        words = _("{months}, dashed: plan", months=months) if plan else months
        return svg + Markup('<div class="sc">{}</div>').format(words)  # escaped by Markup.format

    def change(col: str, kind: str) -> str | None:
        if previous is None:
            return None
        d = _delta(kind, h.get(col), previous.get(col) if col in previous else None)
        if d is None:
            return ""
        return (
            _("{change} since {date}", change=d, date=prev_date) if d else _("no change since {date}", date=prev_date)
        )

    def good(ok) -> str | None:
        return None if ok is None else ("good" if ok else "bad")

    cpi, spi = h["portfolio_cpi"], h["portfolio_spi"]
    util = h["utilization"]
    over, under = params.get("over_threshold", 1.0), params.get("under_threshold", 0.6)
    troubled = int(h["off_track"]) + int(h["at_risk"])

    def money_tile(label: str, col: str, part: str, kind: str = "money") -> dict:
        """A tile of a portfolio total: n/a with its reason (neutral) when no project has its
        inputs; with how many projects it covers when only some have them.
        """
        value, fmt_value = h.get(col), (fmt.money if kind == "money" else fmt.pct)
        if fmt._missing(value):
            code = h.get(f"{part}_reason") or "no_benefits"
            return tile(label, fmt.na(), reason=wording.word(Reason(code)))
        covered, of = h.get(f"{part}_projects"), h.get(f"{part}_projects_of")
        partial = not fmt._missing(covered) and not fmt._missing(of) and int(covered) < int(of)
        target_value = fmt.money(0) if kind == "money" else fmt.pct(0, 0)
        return tile(
            label,
            fmt_value(value),
            delta=change(col, kind),
            target=_("target ≥ {value}", value=target_value)
            + (
                " · " + _("over {coverage}", coverage=wording.word(Reason("projects_covered", n=covered, total=of)))
                if partial
                else ""
            ),
            status=good(value >= 0),
            negative=fmt.is_negative(value),
        )

    tiles = [
        tile(
            _("Running projects (active or on hold)"),
            fmt.count(h["running_projects"]),
            delta=change("running_projects", "count"),
        ),
        tile(
            _("Off track / at risk (running projects)"),
            f"{int(h['off_track']):,} / {int(h['at_risk']):,}",
            delta=change("off_track", "count"),
            target=_("target ≤ {value}", value=0),
            status=good(troubled == 0) if h["running_projects"] else None,
        ),
        *(
            # running projects whose health waits for data: counted apart, never as at risk
            [
                tile(
                    _("Data needed (running projects whose health waits for data)"),
                    fmt.count(h["data_needed"]),
                    delta=change("data_needed", "count"),
                    target=_("target ≤ {value}", value=0),
                    status=good(h["data_needed"] == 0) if h["running_projects"] else None,
                )
            ]
            if "data_needed" in h and not fmt._missing(h["data_needed"])
            else []
        ),
        money_tile(
            _("Remaining NPV")
            + f" ({fmt.month(windows['forward_first'])}→, {_('at {date}', date=fmt.date(h['as_of']))})",
            "remaining_npv",
            "value",
        ),
        money_tile(_("Lifetime NPV (each project at its start)"), "portfolio_npv", "value"),
        money_tile(_("Portfolio ROI (lifetime)"), "portfolio_roi", "value", kind="pct"),
        tile(_("Budget of running projects"), fmt.money(h["total_budget"]), delta=change("total_budget", "money")),
        tile(
            _("Spend to date vs plan (running projects, AC / PV)"),
            f"{fmt.money(h['spend_to_date'])} / {fmt.money(h['planned_to_date'])}",
            delta=change("spend_to_date", "money"),
            spark=spark("spend_to_date", fmt.money, plan="planned_to_date"),
        ),
        tile(
            _("CPI / SPI (running projects)"),
            f"{fmt.ratio(cpi)} / {fmt.ratio(spi)}",
            delta=change("portfolio_cpi", "ratio"),
            target=_("target ≥ {value}", value=fmt.ratio(params.get("cpi_amber", 0.95))),
            status=None if fmt._missing(cpi) else good(min(cpi, spi) >= params.get("cpi_amber", 0.95)),
        ),
    ]
    if not fmt._missing(util):
        tiles.append(
            tile(
                _("Utilization (booked / capacity, {month})", month=fmt.month(h["utilization_month"])),
                fmt.pct(util, 0),
                delta=change("utilization", "pct"),
                spark=spark("utilization", lambda v: fmt.pct(v, 0)),
                target=_("target {low}–{high}", low=fmt.pct(under, 0), high=fmt.pct(over, 0)),
                status=good(under <= util <= over),
            )
        )
    if not fmt._missing(h["overallocated_people"]):
        tiles.append(
            tile(
                _("Over-allocated people") + f" ({fmt.month(windows['forward_first'])}–"
                f"{fmt.month(windows['forward_last'])})",
                fmt.count(h["overallocated_people"]),
                delta=change("overallocated_people", "count"),
                target=_("target ≤ {value}", value=0),
                status=good(h["overallocated_people"] == 0),
            )
        )
    if not fmt._missing(h["open_high_impact_actions"]):
        tiles.append(
            tile(
                _("Open high-impact actions (lessons learned)"),
                fmt.count(h["open_high_impact_actions"]),
                delta=change("open_high_impact_actions", "count"),
                target=_("target ≤ {value}", value=0),
                status=good(h["open_high_impact_actions"] == 0),
            )
        )
    if "cash_need_p80" in h and not fmt._missing(h["cash_need_p80"]):  # the running projects' (analyses/forecast)
        tiles.append(
            tile(
                _("Cash need of running projects, next four quarters, P50 / P80"),
                f"{fmt.money(h['cash_need_p50'])} / {fmt.money(h['cash_need_p80'])}",
                delta=change("cash_need_p80", "money"),
            )
        )
    return tiles


def delivery_tiles(h: pd.Series, params: dict | None = None) -> list[dict]:
    """The delivery headline as tiles (the executive summary and the delivery report show the same),
    each with its threshold and the colour it gives: no dependency conflict, delayed project,
    missed milestone, overdue or unowned risk; a milestone on-time rate of at least
    :data:`~pmo_analysis.core.config.MILESTONE_ON_TIME_TARGET`; open risk exposure below
    ``exposure_amber`` (the health rule's share) of the running projects' budget; benefits
    realized at least as planned. A figure the data cannot give is n/a (and left out by
    :func:`kpi_tiles`).

    Examples
    --------
    >>> h = pd.Series({"as_of": "2026-06-30", "dependency_conflicts": 2, "delayed_projects": 1,
    ...                "missed_milestones": 9, "milestone_on_time_rate": 0.4, "open_risk_exposure": 2.09e6,
    ...                "total_budget": 3.04e7, "overdue_mitigations": 12, "unowned_risks": 3,
    ...                "benefits_realization": 0.86})
    >>> [(t["label"], t["value"], t["status"]) for t in delivery_tiles(h)][3]
    ('Milestones on time (due by 30 Jun 2026)', '40%', 'bad')
    """
    p = params or {}

    def good(ok) -> str | None:
        return None if ok is None else ("good" if ok else "bad")

    def count_tile(label_: str, *cols: str) -> dict:
        values = [h.get(c) for c in cols]
        known = [v for v in values if not fmt._missing(v)]
        return tile(
            label_,
            " / ".join(fmt.count(v) for v in values),
            target=_("target ≤ {value}", value=0) if known else None,
            status=good(all(v == 0 for v in known)) if known else None,
        )

    rate, exposure, budget = h.get("milestone_on_time_rate"), h.get("open_risk_exposure"), h.get("total_budget")
    share = p.get("exposure_amber", HEALTH_THRESHOLDS["exposure_amber"])
    budgeted = not fmt._missing(exposure) and not fmt._missing(budget) and budget > 0
    realized = h.get("benefits_realization")
    return [
        count_tile(_("Dependency conflicts"), "dependency_conflicts"),
        count_tile(_("Projects delayed by a predecessor"), "delayed_projects"),
        count_tile(_("Missed milestones"), "missed_milestones"),
        tile(
            _("Milestones on time (due by {date})", date=fmt.date(h["as_of"])),
            fmt.pct(rate, 0),
            target=_("target ≥ {value}", value=fmt.pct(MILESTONE_ON_TIME_TARGET, 0)),
            status=None if fmt._missing(rate) else good(rate >= MILESTONE_ON_TIME_TARGET),
        ),
        tile(
            _("Open risk exposure (share of the running budget)"),
            fmt.money(exposure) + (f" ({fmt.pct(exposure / budget, 0)})" if budgeted else ""),
            target=_("target < {value}", value=fmt.pct(share, 0)) if budgeted else None,
            status=good(exposure / budget < share) if budgeted else None,
        ),
        count_tile(_("Overdue mitigations / no owner (open risks and issues)"), "overdue_mitigations", "unowned_risks"),
        tile(
            _("Benefits realized (completed projects, vs plan to date)"),
            fmt.pct(realized, 0),
            target=_("target ≥ {value}", value=fmt.pct(1, 0)),
            status=None if fmt._missing(realized) else good(realized >= 1),
        ),
    ]
