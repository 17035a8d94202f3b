"""Write tables for people to open in Excel: safe from formula injection, readable, all-or-nothing.

Leadership opens the exported CSVs in Excel. A cell whose text starts with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return (or the full-width ``＝＋－＠``) is run by Excel as a formula, so a
project name, resource name or lesson text typed as ``=HYPERLINK("http://evil", "Report")`` would
become a live link or command on a director's machine. Following the OWASP guidance on CSV
injection (https://owasp.org/www-community/attacks/CSV_Injection), every such text cell gets a
single quote in front (``'=HYPERLINK(...)``): Excel then shows it as text, and a reader still sees
what was typed. Numbers are written as numbers and never changed (a negative NPV stays ``-5.0``);
text that happens to look like a number (``"-5"`` in a text column) is prefixed too, as OWASP asks,
since it came from a text column and may be followed by anything.

Files are written as UTF-8 with a byte-order mark, so Excel shows Chinese text correctly, with
CRLF line ends (RFC 4180; a cell holding a line break or carriage return is quoted), and
atomically: the table goes to a temporary file in the same folder that then replaces the target,
so a reader never sees half a file.

Each run also gathers its exported tables into one Excel workbook, ``report.xlsx``
(:func:`workbook_of_run`): one sheet per table, money with thousands separators and negatives in
red, percents, two-decimal ratios, dates as dates, columns as wide as their contents, the header
row frozen and an autofilter on it. Its text cells are neutralised exactly as the CSVs' are. A
sheet holds at most :data:`XLSX_MAX_ROWS` rows: its first sheet, ``Contents``, lists every sheet
with the rows it shows, the rows of its table and the CSV that holds them all, so a cut table says
so (ten thousand projects' person-month detail is for the CSVs; the workbook stays quick to open).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import secrets
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pmo_analysis.core import i18n
from pmo_analysis.reporting.xlsx import Column, Workbook

__all__ = [
    "FORMULA_PREFIXES",
    "neutralise",
    "write_csv",
    "write_xlsx",
    "workbook_of_run",
    "XLSX_FORMATS",
    "XLSX_MAX_ROWS",
]

XLSX_MAX_ROWS = 20_000
"""Rows a sheet of ``report.xlsx`` holds at most; the Contents sheet names the CSV with every row."""

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
"""First characters that make Excel (or LibreOffice) treat a cell as a formula."""

_QUOTE = "'"


def _neutralise_text(s: pd.Series) -> pd.Series:
    """Prefix the text cells of ``s`` that start with a formula character; leave the rest."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        s = s.astype(object)
    if pd.api.types.infer_dtype(s, skipna=True) in ("string", "empty"):
        risky = s.str.startswith(FORMULA_PREFIXES, na=False)
        return s.where(~risky, _QUOTE + s.astype("string")) if risky.any() else s
    # mixed values (text beside numbers or dates): only the text cells are looked at
    return s.map(lambda v: _QUOTE + v if isinstance(v, str) and v.startswith(FORMULA_PREFIXES) else v)


def _is_text_column(s: pd.Series) -> bool:
    if isinstance(s.dtype, pd.CategoricalDtype):
        return not (
            pd.api.types.is_numeric_dtype(s.cat.categories) or pd.api.types.is_datetime64_any_dtype(s.cat.categories)
        )
    return pd.api.types.is_object_dtype(s) or pd.api.types.is_string_dtype(s)


def neutralise(df: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``df`` whose text cells and column names cannot run as Excel formulas.

    Text that starts with one of :data:`FORMULA_PREFIXES` gets a single quote in front. Numeric,
    boolean and date columns are returned unchanged; so are missing values. ``df`` is not modified.

    Parameters
    ----------
    df : DataFrame
        A table about to be exported.

    Returns
    -------
    DataFrame
        The same table with risky text prefixed by ``'``.

    Examples
    --------
    >>> import pandas as pd
    >>> from pmo_analysis.reporting.export import neutralise
    >>> df = pd.DataFrame({"name": ["=1+2", "-5", "Roll-out", None], "npv": [-5.0, 1.0, 2.0, 3.0]})
    >>> safe = neutralise(df)
    >>> safe["name"].tolist()
    ["'=1+2", "'-5", 'Roll-out', nan]
    >>> safe["npv"].tolist()
    [-5.0, 1.0, 2.0, 3.0]
    """
    out = df.copy()
    for i in range(out.shape[1]):
        s = out.iloc[:, i]
        if _is_text_column(s):
            out.isetitem(i, _neutralise_text(s))
    out.columns = [_QUOTE + c if isinstance(c, str) and c.startswith(FORMULA_PREFIXES) else c for c in out.columns]
    return out


def write_csv(df: pd.DataFrame, path: str | Path, *, index: bool = False) -> Path:
    """Write ``df`` as a CSV for Excel: formula-safe, UTF-8 with BOM, replaced in one step.

    Parameters
    ----------
    df : DataFrame
        The table to export; it is not modified.
    path : path
        The CSV file to write; its folder must exist. An existing file is replaced only once the
        new one is complete.
    index : bool, default False
        Write the index as the first column.

    Returns
    -------
    Path
        ``path``.

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> from pathlib import Path
    >>> from pmo_analysis.reporting.export import write_csv
    >>> folder = Path(tempfile.mkdtemp())
    >>> df = pd.DataFrame({"project": ["=cmd|' /C calc'!A0", "数据中台建设"], "npv": [-1500.5, 20.0]})
    >>> out = write_csv(df, folder / "npv.csv")
    >>> print(out.read_text(encoding="utf-8-sig"), end="")
    project,npv
    '=cmd|' /C calc'!A0,-1500.5
    数据中台建设,20.0
    """
    path = Path(path)
    safe = neutralise(df.reset_index() if index else df)
    # O_EXCL on a random name in the same folder: created with the usual permissions (umask),
    # on the same file system, so os.replace swaps it in at once
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as f:
            safe.to_csv(f, index=False, lineterminator="\r\n")  # RFC 4180; CR or LF in a cell is quoted
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


#: Excel number formats by column name (the data contract's names); other numeric columns get
#: ``#,##0`` when every value is whole, else ``#,##0.00``.
XLSX_FORMATS: dict[str, str] = {
    **{
        c: "#,##0;[Red]-#,##0"
        for c in (
            "npv",
            "remaining_npv",
            "total_cost",
            "total_benefit",
            "bac",
            "eac",
            "vac",
            "pv",
            "ev",
            "ac",
            "budget",
            "funding_need",
            "money",
            "planned_cost",
            "actual_cost",
            "planned_benefit",
            "actual_benefit",
            "total_budget",
            "portfolio_npv",
            "spend_to_date",
            "planned_to_date",
            "budget_cap",
            "funded_need",
            "stop_frees",
            "cv",
            "sv",
            "budget_change_to_flip",
        )
    },
    **{
        c: "0.0%"
        for c in (
            "roi",
            "irr",
            "utilization",
            "planned_utilization",
            "booked_vs_plan",
            "share",
            "portfolio_roi",
            "utilization_mtd",
            "high_impact_done_share",
            "capacity_to_date",
            "break_even_rate",
            "cost_change_to_flip",
            "benefit_change_to_flip",
            "p80_cost_uplift",
        )
    },
    **{
        c: "0.00"
        for c in (
            "cpi",
            "spi",
            "bcr",
            "tcpi",
            "score",
            "gap_fte",
            "portfolio_cpi",
            "portfolio_spi",
            "priority_score",
            "weight_from",
            "weight_to",
        )
    },
}


def _sheet_name(name: str, taken: set[str]) -> str:
    """An Excel sheet name: unique (whatever the case), at most 31 characters as Excel counts them
    (UTF-16 units: an emoji counts two), no bracket, colon, star, question mark, slash or control
    character, and no apostrophe first or last; a name already taken gets `` (2)``, `` (3)``...

    >>> taken = set()
    >>> _sheet_name("Q1/Q2 [draft]", taken), _sheet_name("q1_q2 _draft_", taken), _sheet_name("'x'", taken)
    ('Q1_Q2 _draft_', 'q1_q2 _draft_ (2)', '_x_')
    >>> len(_sheet_name("😀" * 20, taken).encode("utf-16-le")) // 2
    30
    """
    base = "".join("_" if ch in "[]:*?/\\" or ord(ch) < 32 else ch for ch in name)
    if base[:1] == "'":
        base = "_" + base[1:]
    if base[-1:] == "'":
        base = base[:-1] + "_"

    def cut(text: str, units: int) -> str:
        while len(text.encode("utf-16-le")) // 2 > units:
            text = text[:-1]
        return text.rstrip("'") if text != base else text

    base = cut(base, 31) or "table"
    out, i = base, 2
    while out.lower() in taken:
        suffix = f" ({i})"
        out, i = cut(base, 31 - len(suffix)) + suffix, i + 1
    taken.add(out.lower())
    return out


def _excel_column(s: pd.Series) -> tuple[pd.Series, str | None]:
    """The cells of one column as Excel takes them, and its number format.

    Dates become Excel serial days (the column's ``yyyy-mm-dd`` format shows them as dates), missing
    values become blanks, a text longer than a cell holds is cut with a note saying so, an
    infinite number becomes the text ``inf`` or ``-inf`` (as in the CSVs),
    numbers and booleans stay themselves and text stays text (it is never read as a number, a
    formula or a link).
    """
    name = str(s.name)
    if pd.api.types.is_bool_dtype(s):
        return (s if not s.hasnans else s.astype(object).where(s.notna(), None)), None
    if pd.api.types.is_datetime64_any_dtype(s):
        days = (s.dt.tz_localize(None) if s.dt.tz is not None else s) - _EXCEL_EPOCH
        return days / pd.Timedelta(days=1), "yyyy-mm-dd"
    if pd.api.types.is_numeric_dtype(s):
        s = s.astype(float)
        values = s.to_numpy()
        finite = np.isfinite(values)
        number = XLSX_FORMATS.get(name) or ("#,##0" if (values[finite] % 1 == 0).all() else "#,##0.00")
        if not finite.all():  # an infinite ratio is shown as the CSV shows it, as text, never an error cell
            s = s.astype(object).where(finite | s.isna(), np.where(values > 0, "inf", "-inf"))
        return s, number
    if pd.api.types.infer_dtype(s, skipna=True) in ("string", "empty"):  # text: cut what a cell cannot hold
        s = s.astype(object)
        long = s.str.len() > XLSX_MAX_CHARS
        if long.any():
            s = s.where(~long, s.str.slice(0, XLSX_MAX_CHARS - len(_CUT)) + _CUT)
        return s.where(s.notna(), None), None
    # values of any kind (Python numbers, bools, dates, or anything else a caller holds)
    return s.astype(object).where(s.notna(), None).map(_excel_value), None


def _excel_value(v):
    """One cell of a column of mixed values as Excel takes it: numbers, booleans and times as
    themselves (dates as dates), an infinite number as ``inf``, text cut to what a cell holds (with a
    note saying so), anything else as its text.
    """
    if v is None or isinstance(v, (bool, int, str)):
        if isinstance(v, str) and len(v) > XLSX_MAX_CHARS:  # Excel holds at most 32,767 characters
            return v[: XLSX_MAX_CHARS - len(_CUT)] + _CUT
        return v
    if isinstance(v, float):
        return v if np.isfinite(v) else ("inf" if v > 0 else "-inf")
    if isinstance(v, (np.integer, np.floating, np.bool_)):
        return _excel_value(v.item())
    if isinstance(v, (dt.datetime, dt.date)):  # a date the column's format does not show: as ISO text
        return v.isoformat()
    return str(v)


XLSX_MAX_CHARS = 32_767
"""Characters an Excel cell holds."""
_CUT = " … (cut at Excel's limit of a cell; the CSV holds the whole text)"


_EXCEL_EPOCH = pd.Timestamp("1899-12-30")  # Excel's day 0 (its 1900 leap-year bug lies before any real date)


def _display_width(text: str) -> int:
    """Characters of ``text`` as wide as a Latin letter: a Chinese character is two."""
    return len(text) + sum(1 for ch in text if ord(ch) >= 0x2E80)


def _text_width(s: pd.Series) -> int:
    """Characters that show 95% of a column's values whole (blanks count as none)."""
    if s.empty:
        return 0
    if pd.api.types.is_datetime64_any_dtype(s):
        return 10  # yyyy-mm-dd
    import pyarrow as pa
    import pyarrow.compute as pc

    try:  # numbers, booleans and text, in Arrow (a column of any other objects: as Python shows them)
        values = pa.array(s.astype(object) if isinstance(s.dtype, pd.CategoricalDtype) else s, from_pandas=True)
        lengths = pc.utf8_length(values if pa.types.is_string(values.type) else pc.cast(values, pa.string()))
        lengths = pc.fill_null(lengths, 0).to_numpy()
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, UnicodeEncodeError):
        lengths = s.astype(object).where(s.notna(), "").astype(str).str.len().to_numpy()
    return int(np.quantile(lengths, 0.95, method="lower"))


class _Book:
    """An Excel workbook written sheet by sheet (:class:`pmo_analysis.reporting.xlsx.Workbook`), in any order:
    :meth:`close` orders the sheets, names them (unique, as Excel takes them, in that order) and
    puts the ``Contents`` sheet first; the file is replaced in one step.
    """

    def __init__(self, path: str | Path, *, max_rows: int = XLSX_MAX_ROWS) -> None:
        self.path = Path(path)
        self.tmp = self.path.with_name(f".{self.path.name}.{secrets.token_hex(8)}.tmp")
        self.max_rows = max_rows
        self.wb = Workbook(self.tmp)
        self.tables: dict[str, dict[str, Any]] = {}  # key -> the table's Contents row, its name as "sheet"

    def add(
        self, name: str, df: pd.DataFrame, *, rows: int | None = None, source: str = "", key: str | None = None
    ) -> None:
        """A sheet for table ``name`` (``key``, unique, says which: default ``name``): its first
        ``max_rows`` rows; ``rows`` the table's rows if more.
        """
        key = name if key is None else key
        self._sheet(key, df)
        self.tables[key] = {
            "sheet": name,
            "rows shown": min(len(df), self.max_rows),
            "rows": len(df) if rows is None else rows,
            "every row in": source,
        }

    def _sheet(self, key: str, df: pd.DataFrame) -> None:
        safe = neutralise(df.head(self.max_rows))
        columns = []
        words = i18n.current() != "en"  # a sheet in the report's language: headers in words, codes as labels
        for j in range(safe.shape[1]):
            s = safe.iloc[:, j]
            if words and str(s.name) in i18n.CODE_COLUMNS and not pd.api.types.is_numeric_dtype(s):
                s = s.map(lambda v: v if pd.isna(v) else i18n.label(v))
            cells, number = _excel_column(s)
            if words and number == "yyyy-mm-dd":
                number = 'yyyy"年"m"月"d"日"'
            header = i18n.column_label(s.name) if words else str(s.name)
            width = max(_display_width(header), _text_width(s)) + 2
            note = str(s.name) if header != str(s.name) else None
            columns.append(Column(header, cells, number, width=min(60, max(8, width)), note=note))
        self.wb.add_sheet(key, columns)

    def close(self, order: list[str] | None = None) -> Path:
        """Fill the Contents sheet, finish the file with the sheets in ``order`` (keys; default: as
        added) and put it in place.
        """
        order = list(self.tables) if order is None else order
        taken: set[str] = {"contents"}
        names = {key: _sheet_name(self.tables[key]["sheet"], taken) for key in order}
        contents = pd.DataFrame(
            [{**self.tables[key], "sheet": names[key]} for key in order],
            columns=["sheet", "rows shown", "rows", "every row in"],
        )
        if i18n.current() != "en":
            contents.columns = [i18n._(c) for c in contents.columns]
        self._sheet("\0contents", contents)  # a failure here is the caller's to discard
        self.wb.close(order=["\0contents", *order], names={"\0contents": i18n._("Contents"), **names})
        os.replace(self.tmp, self.path)
        return self.path

    def discard(self) -> None:
        """Leave no partial file behind."""
        with contextlib.suppress(Exception):  # a workbook that failed half-way is removed whatever its state
            self.wb.abandon()
        self.tmp.unlink(missing_ok=True)


def write_xlsx(
    tables: dict[str, pd.DataFrame],
    path: str | Path,
    *,
    sources: dict[str, str] | None = None,
    max_rows: int = XLSX_MAX_ROWS,
    rows: dict[str, int] | None = None,
) -> Path:
    """Write ``tables`` (sheet name -> frame) as one formatted Excel workbook, replaced in one step.

    Text is neutralised as in :func:`neutralise`; numbers get the formats of :data:`XLSX_FORMATS`;
    every sheet has its header row frozen, an autofilter and column widths fitted to the contents.
    A first sheet, ``Contents``, lists each table's sheet, the rows it shows (at most
    ``max_rows``), the rows of the table (``rows``, when the frames given are their first rows
    only) and, from ``sources``, the file that holds every row.

    Written by :mod:`pmo_analysis.reporting.xlsx` a whole column at a time, each sheet streamed into the
    file as it is made: a million cells take about a second, and memory holds one sheet's piece.
    Text is written as text: never as a formula, a link or a number.

    Examples
    --------
    >>> import tempfile, pandas as pd, openpyxl
    >>> from pathlib import Path
    >>> out = write_xlsx({"projects": pd.DataFrame({"name": ["=1+2", "ERP"], "npv": [-1500.5, 20.0],
    ...                                             "roi": [0.25, -0.1]})}, Path(tempfile.mkdtemp()) / "r.xlsx")
    >>> ws = openpyxl.load_workbook(out)["projects"]
    >>> ws["A2"].value, ws["A2"].data_type, ws["B2"].value, ws["B2"].number_format, ws["C2"].number_format
    ("'=1+2", 's', -1500.5, '#,##0;[Red]-#,##0', '0.0%')
    >>> ws.freeze_panes, ws.auto_filter.ref
    ('A2', 'A1:C3')
    >>> big = write_xlsx({"detail": pd.DataFrame({"n": range(5)})}, out, sources={"detail": "x/detail.csv"}, max_rows=3)
    >>> [[c.value for c in row] for row in openpyxl.load_workbook(big)["Contents"].iter_rows()]
    [['sheet', 'rows shown', 'rows', 'every row in'], ['detail', 3, 5, 'x/detail.csv']]
    """
    book = _Book(path, max_rows=max_rows)
    try:
        for name, df in tables.items():
            book.add(name, df, rows=(rows or {}).get(name), source=(sources or {}).get(name, ""))
        return book.close()
    except BaseException:
        book.discard()
        raise


def _read_exported(f: Path) -> tuple[pd.DataFrame, int | None]:
    """An exported CSV as the workbook shows it: its first :data:`XLSX_MAX_ROWS` rows (ISO dates as
    dates) and, when there may be more, its row count from DuckDB, which does not load them.
    """
    import duckdb

    df = pd.read_csv(f, encoding="utf-8-sig", keep_default_na=True, nrows=XLSX_MAX_ROWS, low_memory=False)
    rows = None
    if len(df) == XLSX_MAX_ROWS:  # maybe more: count them without reading them
        with duckdb.connect() as con:
            rows = con.execute("SELECT count(*) FROM read_csv(?, header=true, all_varchar=true)", [str(f)]).fetchall()[
                0
            ][0]
    for c in df.select_dtypes(include=["object", "string"]).columns:
        given = df[c].dropna().astype(str)
        if len(given) and given.str.fullmatch(r"\d{4}-\d{2}-\d{2}").all():
            df[c] = pd.to_datetime(df[c])
    return df, rows


def workbook_of_run(
    run_dir: str | Path,
    *,
    reports: list[str] | None = None,
    ended=None,
    name: str = "report.xlsx",
    language: str = "en",
) -> Path | None:
    """Gather every table a run exported into ``<run_dir>/report.xlsx``, one sheet per table:
    ``decisions.csv`` first, then each report's ``<report>/<table>.csv`` in the order of
    ``reports`` (every folder of the run, by name, when not given); ``None`` when the run exported none.

    With ``ended``, a function that blocks until some report has ended and returns its name
    (``None``: no more will), a report's sheets are written as soon as it has ended, whatever the
    order, and take their place in the order of ``reports`` when the file is closed: a run calls
    this in a process of its own while its notebooks run, so the workbook of a large portfolio
    costs the run little beyond its last report's sheets.

    The CSVs are read back as written: their text is already neutralised, and numbers and ISO
    dates come back as numbers and dates. Only the rows a sheet holds are read (DuckDB counts the
    rest): the detail tables of a very large portfolio never come into memory whole.

    In a run of another ``language`` than English the sheets read in it, as the reports do: each
    header in words with the contract's column name in its note, code values as their labels, days
    in the language's date style; the CSVs keep the contract's names and codes.
    """
    with i18n.language(language):
        return _workbook_of_run(Path(run_dir), reports=reports, ended=ended, name=name)


def _workbook_of_run(run_dir: Path, *, reports: list[str] | None, ended, name: str) -> Path | None:
    if reports is None:
        reports = sorted(p.name for p in run_dir.iterdir() if p.is_dir())
    book: _Book | None = None
    keys: dict[str | None, list[str]] = {}

    def write(folder: str | None) -> None:
        nonlocal book
        for f in sorted((run_dir / folder if folder else run_dir).glob("*.csv")):
            df, rows = _read_exported(f)
            book = book or _Book(run_dir / name)
            key = f.relative_to(run_dir).as_posix()
            book.add(f.stem, df, rows=rows, source=key, key=key)
            keys.setdefault(folder, []).append(key)

    try:
        write(None)
        waiting = list(reports)
        while ended is not None and waiting:  # each report as soon as it has ended
            done = ended()
            if done is None:  # no more will: the others are as they are
                break
            if done in waiting:
                waiting.remove(done)
                write(done)
        for folder in waiting:
            write(folder)
        return book.close(order=[k for folder in [None, *reports] for k in keys.get(folder, [])]) if book else None
    except BaseException:
        if book is not None:
            book.discard()
        raise
