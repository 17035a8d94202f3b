"""Load a portfolio data folder into typed DataFrames and validate it against the data contract.

The contract is documented in ``docs/data-dictionary.md`` and declared once, in :data:`SCHEMA`.

A data folder holds one file per table (``<table>.csv``, ``<table>.xlsx`` or ``<table>.parquet``)
or one workbook ``portfolio.xlsx`` with one sheet per table. Column names are matched
case-insensitively with surrounding spaces stripped; extra columns are kept.

Loading never guesses: a value that cannot be read as its type is reported (file, spreadsheet
row, column, value, rule), every problem is collected before raising, and nothing is silently
dropped or coerced. Non-fatal oddities are returned as warnings.

Numbers are finite and plausible in every format: ``inf``, ``-inf`` and ``nan`` (text in a CSV
or a workbook, floats in Parquet) are "not a number"; an empty cell (a Parquet null) stays empty;
a number larger than :data:`AMOUNT_LIMIT` (1e15) in absolute value is rejected. In a workbook, a
percent-formatted cell in a percent column (``percent_complete``, ``allocation_pct``) holds 0.64
for the 64% the user sees, and is read as 64.

A header is read as written: two columns whose names are equal once spaces are stripped and case
ignored (``budget,budget`` or ``Budget, budget``) are an error naming the column, whatever the format.

CSV encodings are chosen by one rule, and a file is refused rather than garbled:

1. A byte-order mark decides: UTF-8 (as Excel's "CSV UTF-8" writes) or UTF-16.
2. Otherwise a file that is valid UTF-8 is UTF-8.
3. Otherwise the candidates are GB18030 (Chinese Excel; a superset of GBK and GB2312) and
   Windows-1252 (Western European Excel; it covers Latin-1's printable characters). A candidate
   the bytes are not valid in is out. A candidate is plausible when at least 80% of the non-ASCII
   letters it produces form words of one script: accented Latin letters inside Latin words
   (``Jürgen``, ``Ærøskøbing``; or a one-letter word such as ``à``), CJK characters in runs or
   words of their own (``项目管理``, ``SAP系统``: characters of GB2312, the simplified set everyday
   Chinese is written in); not rare ideographs or private-use characters (Japanese or Big5 bytes
   read as GB18030), not ideographs glued to lowercase Latin letters
   or wedged alone inside a Latin word (``J黵gen``: Latin-1 read as GB18030), nor accented
   capitals and symbols with no Latin letter around them (``ÏîÄ¿¹ÜÀí``: GB18030 read as
   Windows-1252). Text with no non-ASCII letter at all is plausible in any candidate.
4. If exactly one candidate is plausible it is used; otherwise the file is refused with one
   problem that shows how each candidate reads it and asks for the file to be saved as UTF-8.

With ``on_error="drop"`` every invalid row, and every row that refers to one, is removed and listed
in :attr:`Portfolio.dropped`; loading still fails for problems no row removal can fix: a file that
cannot be read, a missing projects table, a missing or repeated column, a table that refers to a
missing table, or a table left with no rows.
"""
from __future__ import annotations

import codecs
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd

from .exceptions import DataValidationError, MissingTableError, Problem

__all__ = [
    "SCHEMA",
    "TABLES",
    "Column",
    "Portfolio",
    "load_portfolio",
]

_MAX_LISTED = 25  # problems listed per (table, column, rule) before summarising the rest


AMOUNT_LIMIT = 1e15
"""Largest amount accepted, in absolute value (a thousand trillion in the folder's currency).

Far above any real project in any currency; below it a float64 holds every amount exactly to the
currency unit (whole numbers are exact up to about 9e15), and sums over millions of rows stay far
from overflow. A larger value is a unit or typing error."""


@dataclass(frozen=True)
class Column:
    """One column of the contract.

    kind is one of ``id`` (non-empty text), ``text``, ``date``, ``month``, ``amount`` (a number
    >= 0, thousands separators allowed), ``number`` and ``category``.

    Numbers (``amount`` and ``number``) must be finite: ``inf``, ``-inf`` and ``nan`` are rejected
    in every file format. Besides ``min``/``max``, a number must be at most ``limit`` in absolute
    value (default :data:`AMOUNT_LIMIT`), so no value can overflow a sum.
    """

    name: str
    kind: str
    required: bool = True
    unique: bool = False
    min: float | None = None
    max: float | None = None
    min_inclusive: bool = True
    limit: float = AMOUNT_LIMIT
    allowed: tuple[str, ...] = ()
    references: str | None = None  # "table.column"
    unit: str = ""
    description: str = ""


_STATUS = ("proposed", "active", "on_hold", "completed", "cancelled")

SCHEMA: dict[str, list[Column]] = {
    "projects": [
        Column("project_id", "id", unique=True, description="Unique project identifier"),
        Column("name", "id", description="Project name"),
        Column("department", "id", description="Owning department"),
        Column("status", "category", allowed=_STATUS, description="Portfolio status"),
        Column("start_date", "date", description="Planned or actual start"),
        Column("end_date", "date", description="Planned finish (must not be before start_date)"),
        Column("budget", "amount", min=0, unit="currency", description="Budget at completion (BAC)"),
        Column("sponsor", "text", required=False, description="Executive sponsor"),
        Column("manager", "text", required=False, description="Project manager"),
        Column("strategic_objective", "text", required=False, description="Objective it serves"),
        Column("strategic_alignment", "number", required=False, min=1, max=5,
               unit="score 1-5", description="Fit with strategy, 5 = best"),
        Column("risk_score", "number", required=False, min=1, max=5,
               unit="score 1-5", description="Delivery risk, 5 = riskiest"),
        Column("percent_complete", "number", required=False, min=0, max=100,
               unit="%", description="Physical percent complete, used for earned value"),
    ],
    "cashflows": [
        Column("project_id", "id", references="projects.project_id"),
        Column("period", "month", description="Month (2026-03 or any date in it)"),
        Column("planned_cost", "amount", min=0, unit="currency"),
        Column("planned_benefit", "amount", min=0, unit="currency"),
        Column("actual_cost", "amount", required=False, min=0, unit="currency",
               description="Empty = not reported yet"),
        Column("actual_benefit", "amount", required=False, min=0, unit="currency",
               description="Empty = not reported yet"),
    ],
    "resources": [
        Column("resource_id", "id", unique=True),
        Column("name", "id"),
        Column("role", "id"),
        Column("department", "id"),
        Column("weekly_capacity_hours", "number", min=0, min_inclusive=False, max=168,
               unit="hours/week"),
        Column("hourly_cost", "amount", required=False, min=0, unit="currency/hour"),
        Column("active_from", "date", required=False, description="First working day"),
        Column("active_to", "date", required=False, description="Last working day"),
    ],
    "assignments": [
        Column("resource_id", "id", references="resources.resource_id"),
        Column("project_id", "id", references="projects.project_id"),
        Column("start_date", "date"),
        Column("end_date", "date"),
        Column("allocation_pct", "number", min=0, min_inclusive=False, max=100,
               unit="% of weekly capacity"),
    ],
    "timesheets": [
        Column("resource_id", "id", references="resources.resource_id"),
        Column("date", "date"),
        Column("hours", "number", min=0, min_inclusive=False, max=24, unit="hours"),
        Column("project_id", "text", required=False, references="projects.project_id",
               description="Empty = non-project time"),
        Column("activity", "text", required=False,
               description="e.g. delivery, leave, admin, training"),
    ],
    "lessons": [
        Column("lesson_id", "id", unique=True),
        Column("project_id", "id", references="projects.project_id"),
        Column("date", "date"),
        Column("category", "id"),
        Column("kind", "category", allowed=("went_well", "to_improve")),
        Column("impact", "category", allowed=("low", "medium", "high")),
        Column("title", "id"),
        Column("description", "text"),
        Column("phase", "category", required=False,
               allowed=("initiating", "planning", "executing", "monitoring", "closing")),
        Column("recommendation", "text", required=False),
        Column("action_status", "category", required=False,
               allowed=("open", "in_progress", "done", "n/a")),
        Column("owner", "text", required=False),
    ],
    "holidays": [
        Column("date", "date", unique=True, description="A non-working weekday"),
        Column("name", "text", required=False),
    ],
}

TABLES: tuple[str, ...] = tuple(SCHEMA)

# columns holding a percentage (unit '%...'): Excel percent-formatted cells are read as shown
_PERCENT_COLUMNS = {t: tuple(c.name for c in cols if c.unit.startswith("%")) for t, cols in SCHEMA.items()}

# (table, start column, end column) pairs where end must not be before start
_ORDERED_DATES = [
    ("projects", "start_date", "end_date"),
    ("resources", "active_from", "active_to"),
    ("assignments", "start_date", "end_date"),
]
# (table, key columns) that must be unique together
_UNIQUE_KEYS = [("cashflows", ("project_id", "period"))]


@dataclass
class Portfolio:
    """The tables of one data folder, typed and validated. A missing table is ``None``."""

    data_dir: Path
    projects: pd.DataFrame | None = None
    cashflows: pd.DataFrame | None = None
    resources: pd.DataFrame | None = None
    assignments: pd.DataFrame | None = None
    timesheets: pd.DataFrame | None = None
    lessons: pd.DataFrame | None = None
    holidays: pd.DataFrame | None = None
    files: dict[str, Path] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)
    dropped: list[Problem] = field(default_factory=list)

    def table(self, name: str) -> pd.DataFrame:
        """Return table ``name`` or raise :class:`MissingTableError` saying which file to add."""
        df = getattr(self, name)
        if df is None:
            raise MissingTableError(
                f"this analysis needs the {name!r} table, which is not in {self.data_dir}: "
                f"add {name}.csv, {name}.xlsx, {name}.parquet or a {name!r} sheet in portfolio.xlsx "
                "(see docs/data-dictionary.md)"
            )
        return df

    def require(self, *names: str) -> None:
        """Raise :class:`MissingTableError` listing every table in ``names`` that is missing."""
        missing = [n for n in names if getattr(self, n) is None]
        if missing:
            raise MissingTableError(
                f"this analysis needs the table(s) {', '.join(missing)}, not found in "
                f"{self.data_dir} (expected <table>.csv/.xlsx/.parquet or sheets of "
                "portfolio.xlsx; see docs/data-dictionary.md)"
            )

    def row_counts(self) -> dict[str, int | None]:
        """Rows per table (``None`` for a table that is absent)."""
        return {t: (None if getattr(self, t) is None else len(getattr(self, t))) for t in TABLES}


# --------------------------------------------------------------------------- reading files
def _find_files(data_dir: Path) -> tuple[dict[str, Path], list[Problem]]:
    found: dict[str, Path] = {}
    problems: list[Problem] = []
    for table in TABLES:
        candidates = [data_dir / f"{table}{ext}" for ext in (".csv", ".xlsx", ".parquet")]
        present = [c for c in candidates if c.exists()]
        if len(present) > 1:
            problems.append(Problem(table, present[0].name, None, None, None,
                                    "several files for one table: "
                                    + ", ".join(p.name for p in present)
                                    + "; keep exactly one"))
        elif present:
            found[table] = present[0]
    return found, problems


class _ReadError(Exception):
    """A file that cannot be read as a table; the message is the rule shown to the user."""


@dataclass
class _Read:
    """A table as read from its file, before validation.

    ``header_row`` is the spreadsheet row of the header; ``nan_cells`` maps a column position to
    the cells that hold a floating-point NaN (not an empty cell) in a Parquet file; ``bad_rows``
    are CSV rows that could not be split into the header's columns.
    """

    df: pd.DataFrame
    header_row: int = 1
    nan_cells: dict[int, np.ndarray] = field(default_factory=dict)
    row_numbers: np.ndarray | None = None  # spreadsheet row of each data row, when not consecutive
    bad_rows: list[tuple[int, str]] = field(default_factory=list)  # (row, rule): rows not read


def _header_names(values: Iterable) -> list[str]:
    """Column names as written in the header; an empty header cell is named like pandas does."""
    names = []
    for i, v in enumerate(values):
        text = "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)
        names.append(text if text.strip() else f"Unnamed: {i}")
    return names


# Encodings tried, in order, when a CSV is not UTF-8: (Python codec, name shown to users).
_CANDIDATE_ENCODINGS = (("gb18030", "GB18030"), ("cp1252", "Windows-1252"))
_PLAUSIBLE = 0.8  # share of non-ASCII letters that must sit in words of one script
_SAVE_AS_UTF8 = "save it as UTF-8 (in Excel: File > Save As > CSV UTF-8 (Comma delimited)) and load it again"
# one-letter words written with an accent (French/Portuguese "à", Italian "è"...)
_ONE_LETTER_WORDS = frozenset("àèéòóùáíú")
_WORD = re.compile(r"[^\W\d_]+")
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")


@lru_cache(maxsize=8192)
def _script(ch: str) -> str:
    """'ascii' (letters), 'latin' (accented Latin letters), 'cjk' (Chinese characters of GB2312,
    the simplified set that everyday Chinese text is written in, and full-width forms), 'other'
    (letters of other scripts, and rare ideographs: Japanese or Big5 bytes read as GB18030 give
    those) or 'none' (not a letter: ¹, ½)."""
    if ch.isascii():
        return "ascii"
    if not ch.isalpha():
        return "none"
    name = unicodedata.name(ch, "")
    if name.startswith("LATIN"):
        return "latin"
    if "CJK" in name or name.startswith(("FULLWIDTH", "HALFWIDTH", "IDEOGRAPHIC")):
        try:
            ch.encode("gb2312")
        except UnicodeEncodeError:
            return "other"
        return "cjk"
    return "other"


def _ascii_letter(ch: str) -> bool:
    return ch.isascii() and ch.isalpha()


def _word_score(word: str) -> tuple[int, int]:
    """(non-ASCII letters that sit in a word of their own script, non-ASCII letters) in ``word``.

    An accented Latin letter belongs when every letter of the word is Latin and the word has
    unaccented letters too (``Jürgen``), or is a one-letter word such as ``à``. A run of CJK
    characters belongs unless it touches a lowercase ASCII letter or is a single character
    between two ASCII letters (``J黵gen``, ``苧鴖k鴅ing``: Latin-1 bytes read as GB18030);
    ``SAP系统`` and ``PMO办公室`` belong. A letter of any other script does not belong.
    """
    scripts = [_script(c) for c in word]
    latin_word = all(s in ("ascii", "latin", "none") for s in scripts) and (
        "ascii" in scripts or word in _ONE_LETTER_WORDS)
    good = total = i = 0
    while i < len(word):
        s = scripts[i]
        j = i + 1
        while j < len(word) and scripts[j] == s:
            j += 1
        if s not in ("ascii", "none"):
            total += j - i
            before, after = word[i - 1:i], word[j:j + 1]
            glued = (before.islower() and before.isascii()) or (after.islower() and after.isascii())
            wedged = j - i == 1 and _ascii_letter(before) and _ascii_letter(after)
            if (s == "latin" and latin_word) or (s == "cjk" and not glued and not wedged):
                good += j - i
        i = j
    return good, total


def _script_score(text: str) -> float:
    """Share of the non-ASCII letters of ``text`` that form words of one script (1.0 if none)."""
    good, total = 0, len(_PRIVATE_USE.findall(text))  # private-use characters come only from a wrong decoding
    words = Counter(w for w in _WORD.findall(text) if not w.isascii())
    for word, n in words.items():
        g, t = _word_score(word)
        good, total = good + g * n, total + t * n
    return 1.0 if total == 0 else good / total


def _excerpt(raw: bytes, codec: str) -> str:
    """The field around the first non-ASCII byte, decoded with ``codec``, to show to the user."""
    pos = next(i for i, b in enumerate(raw) if b >= 0x80)
    start = max(raw.rfind(b",", 0, pos), raw.rfind(b"\n", 0, pos), pos - 40) + 1
    stops = [i for i in (raw.find(b",", pos), raw.find(b"\n", pos), raw.find(b"\r", pos)) if i >= 0]
    stop = min(stops + [pos + 40, len(raw)])
    return raw[start:stop].decode(codec, errors="replace").strip()


def _decode_csv(raw: bytes) -> str:
    """Decode a CSV file by the documented rule (module docstring); never guess silently."""
    if raw.startswith(codecs.BOM_UTF8):
        try:
            return raw[len(codecs.BOM_UTF8):].decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _ReadError(f"the file starts with a UTF-8 byte-order mark but is not valid UTF-8 "
                             f"(byte {exc.start + 3:,}): {_SAVE_AS_UTF8}") from None
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            raise _ReadError(f"the file starts with a UTF-16 byte-order mark but is not valid UTF-16: "
                             f"{_SAVE_AS_UTF8}") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    decoded = {}
    for codec, label in _CANDIDATE_ENCODINGS:
        try:
            decoded[label] = (codec, raw.decode(codec))
        except UnicodeDecodeError:
            continue
    if not decoded:
        raise _ReadError("cannot decode the file: it is not UTF-8, "
                         + " or ".join(label for _, label in _CANDIDATE_ENCODINGS) + f"; {_SAVE_AS_UTF8}")
    plausible = [label for label, (_, text) in decoded.items() if _script_score(text) >= _PLAUSIBLE]
    if len(plausible) == 1:
        return decoded[plausible[0]][1]
    readings = ", ".join(f"as {label} it reads {_excerpt(raw, codec)!r}" for label, (codec, _) in decoded.items())
    raise _ReadError(f"cannot tell the text encoding: the file is not UTF-8, and {readings}; "
                     f"{_SAVE_AS_UTF8}")


def _read_csv(path: Path) -> _Read:
    """Read a CSV as text. The header is read as written, so repeated names stay visible."""
    from io import StringIO

    text = _decode_csv(path.read_bytes())
    try:
        df = pd.read_csv(StringIO(text), dtype=str, keep_default_na=False, header=None,
                         skip_blank_lines=False)
    except pd.errors.ParserError:  # a row with more values than the header: find each one
        return _read_ragged_csv(text)
    if df.empty:
        return _Read(pd.DataFrame())
    head = df.head(1000)  # the header is the first row with text (Excel may leave blank rows above)
    filled = (head.notna() & (head.apply(lambda c: c.str.strip()) != "")).any(axis=1).to_numpy()
    first = int(filled.argmax()) if filled.any() else 0
    body = df.iloc[first + 1:].reset_index(drop=True)
    body.columns = _header_names(df.iloc[first])
    return _Read(body, header_row=first + 1)


def _read_ragged_csv(text: str) -> _Read:
    """Read a CSV in which some rows have more values than the header has columns.

    Those rows (typically a comma inside an unquoted value) are reported one by one, and the other
    rows keep their spreadsheet row numbers. Extra values that are all empty (trailing commas) are
    harmless and ignored. Runs only when the fast reader has failed.
    """
    import csv
    from io import StringIO

    records = list(csv.reader(StringIO(text)))
    first = next((i for i, r in enumerate(records) if any(v.strip() for v in r)), 0)
    header = records[first] if records else []
    width = len(header)
    good, numbers, bad = [], [], []
    for row, values in enumerate(records[first + 1:], start=first + 2):
        if len(values) > width and any(v.strip() for v in values[width:]):
            bad.append((row, f"has {len(values)} values but the header has {width} columns "
                             "(a comma inside a value that is not in double quotes?)"))
            continue
        good.append(values[:width] + [""] * (width - len(values)))
        numbers.append(row)
    df = pd.DataFrame(good, columns=_header_names(header), dtype=object).astype("string")
    return _Read(df, header_row=first + 1, row_numbers=np.array(numbers, dtype=np.int64), bad_rows=bad)


_PERCENT_IN_FORMAT = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')  # quoted text, escapes, [colour] sections


@lru_cache(maxsize=256)
def _is_percent_format(number_format: str) -> bool:
    """True when Excel shows the cell as a percentage (a bare ``%`` multiplies by 100)."""
    return "%" in _PERCENT_IN_FORMAT.sub("", number_format or "")


def _read_xlsx(path: Path, sheet: str | None, percent_columns: tuple[str, ...]) -> _Read:
    """Read one sheet with openpyxl (read-only, cached formula values).

    A percent-formatted number in a percent column is read as the percentage Excel shows:
    the cell holds 0.64, the user sees and means 64%.
    """
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        ws = wb[sheet] if sheet is not None else wb.worksheets[0]
        ws.reset_dimensions()  # the size a file records can be wrong; read the cells it holds
        rows = ws.iter_rows()
        header, header_row = None, 0
        for cells in rows:
            header_row += 1
            values = [c.value for c in cells]
            if any(v is not None and str(v).strip() for v in values):
                header = values
                break
        if header is None:
            return _Read(pd.DataFrame())
        while header and header[-1] is None:
            header.pop()
        names = _header_names(header)
        pct = [i for i, n in enumerate(names) if n.strip().lower() in percent_columns]
        data: list[list] = []
        if pct:
            for cells in rows:
                values = [c.value for c in cells]
                for i in pct:
                    if i < len(cells):
                        v = values[i]
                        if isinstance(v, (int, float)) and not isinstance(v, bool) \
                                and _is_percent_format(cells[i].number_format):
                            values[i] = round(v * 100, 9)
                data.append(values)
        else:
            data = [list(v) for v in ws.iter_rows(min_row=header_row + 1, values_only=True)]
    finally:
        wb.close()
    width = len(names)
    if any(len(r) > width for r in data):  # cells beyond the last header cell: keep those with data
        width = max((i + 1 for r in data for i in range(width, len(r)) if r[i] is not None), default=width)
        names += [f"Unnamed: {i}" for i in range(len(names), width)]
        data = [r[:width] for r in data]
    df = pd.DataFrame([r + [None] * (width - len(r)) for r in data] if data else None,
                      columns=names, dtype=object)
    return _Read(df, header_row=header_row)


def _read_parquet(path: Path) -> _Read:
    """Read a Parquet file, noting float cells that hold NaN (an empty cell is null, not NaN)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    table = pq.ParquetFile(path).read()
    nan_cells = {}
    for i, column in enumerate(table.columns):
        if pa.types.is_floating(column.type):
            isnan = pc.is_nan(column)
            if pc.any(isnan).as_py():
                nan_cells[i] = isnan.fill_null(False).to_numpy(zero_copy_only=False)
    return _Read(table.to_pandas(), nan_cells=nan_cells)


def _read_table(path: Path, table: str, sheet: str | None = None) -> _Read:
    if path.suffix == ".csv":
        return _read_csv(path)
    if path.suffix == ".xlsx":
        return _read_xlsx(path, sheet, _PERCENT_COLUMNS[table])
    return _read_parquet(path)


def _normalise_columns(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy(deep=False)
    df.columns = [str(c).strip().lower() for c in df.columns]
    return df


def _column_letter(i: int) -> str:
    """Spreadsheet column letter of position ``i`` (0 -> A, 26 -> AA)."""
    letters = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        letters = chr(65 + r) + letters
    return letters


# --------------------------------------------------------------------------- parsing values
def _as_text(s: pd.Series) -> pd.Series:
    """Strip text; empty strings and missing values become <NA>.

    A categorical column (Parquet dictionary columns, such as ids in large timesheets) is
    cleaned on its categories and stays categorical, which keeps 10 million rows cheap.
    """
    if isinstance(s.dtype, pd.CategoricalDtype):
        cats = pd.Index(s.cat.categories.astype(str)).str.strip()
        out = s.cat.rename_categories(cats) if cats.is_unique else s.astype(str).str.strip().astype("category")
        if "" in out.cat.categories:
            out = out.cat.remove_categories([""])
        return out
    if pd.api.types.is_float_dtype(s) or pd.api.types.is_integer_dtype(s):
        v = s.to_numpy(dtype=float, na_value=np.nan)
        exact = np.isfinite(v) & (np.abs(v) < 2.0 ** 53)  # whole numbers print without ".0"
        whole = exact & (np.mod(np.where(exact, v, 0), 1) == 0)
        text = np.where(whole, np.char.mod("%d", np.where(whole, v, 0).astype(np.int64)), v.astype(str))
        return pd.Series(text, index=s.index, dtype="string").mask(np.isnan(v))
    if not (pd.api.types.is_object_dtype(s) or pd.api.types.is_string_dtype(s)) or (
            pd.api.types.is_object_dtype(s)
            and pd.api.types.infer_dtype(s, skipna=True) in ("floating", "mixed-integer-float", "mixed")):
        # workbook cells: 656.0 is the id 656, not "656.0"
        s = s.astype(object).where(s.notna(), None)
        s = s.map(lambda v: v if v is None else (str(int(v)) if isinstance(v, float)
                                                 and v.is_integer() and abs(v) < 2 ** 53 else str(v)))
    out = s.astype("string").str.strip()
    return out.mask(out == "")


_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


def _parse_number(s: pd.Series, nan_cells: pd.Series | None = None) -> tuple[pd.Series, pd.Series]:
    """Return (values, bad mask). Thousands separators like ``1,200,000`` are accepted.

    Only finite numbers are valid: ``inf``/``nan`` text and infinite floats are bad, and so are
    NaN floats in ``nan_cells`` (Parquet NaN, as opposed to an empty cell).
    """
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        values = s.astype("float64")
        v = values.to_numpy()
        bad = pd.Series(np.isinf(v), index=s.index)
    else:
        text = _as_text(s)
        cleaned = text.where(~text.str.match(_THOUSANDS, na=False), text.str.replace(",", "", regex=False))
        values = pd.to_numeric(cleaned, errors="coerce").astype("float64")
        bad = text.notna() & (values.isna() | ~np.isfinite(values.fillna(0)))
    if nan_cells is not None:
        bad = bad | nan_cells
    if bad.any():
        values = values.mask(bad)
    return values, bad


def _parse_date(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    if pd.api.types.is_datetime64_any_dtype(s):
        out = s.dt.tz_localize(None) if getattr(s.dt, "tz", None) is not None else s
        return out.astype("datetime64[ns]"), pd.Series(False, index=s.index)
    if pd.api.types.is_object_dtype(s) and s.map(lambda v: hasattr(v, "year")).any():
        # Excel cells read as datetime objects mixed with text
        s = s.map(lambda v: v.isoformat() if hasattr(v, "isoformat") else v)
    text = _as_text(s)
    iso = text.str.replace("/", "-", regex=False)
    # Only ISO-like year-first dates are accepted: 03/04/2026 is ambiguous and is reported.
    shaped = iso.str.match(r"^\d{4}-\d{1,2}(-\d{1,2})?([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?$", na=False)
    values = pd.to_datetime(iso.where(shaped), errors="coerce", format="ISO8601")
    if getattr(values.dt, "tz", None) is not None:  # pragma: no cover
        values = values.dt.tz_localize(None)
    values = values.astype("datetime64[ns]")
    bad = text.notna() & values.isna()
    return values, bad


# --------------------------------------------------------------------------- validation
class _Collector:
    """Problems found in one table, and the rows they make invalid.

    ``limit`` caps the rows listed per (column, rule), the rest summarised in one line; ``None``
    lists every row (on_error="drop", where each dropped row must be accounted for).
    ``fatal`` holds the problems no row removal can fix (a missing column, an empty table...).
    """

    def __init__(self, table: str, file: str, row_numbers: pd.Series, limit: int | None = _MAX_LISTED):
        self.table, self.file, self.rows, self.limit = table, file, row_numbers, limit
        self.problems: list[Problem] = []
        self.fatal: list[Problem] = []
        self._bad: list[pd.Index] = []

    @property
    def bad_index(self) -> pd.Index:
        """Index labels of the rows with at least one error."""
        return pd.Index(np.unique(np.concatenate([i.to_numpy() for i in self._bad]))) if self._bad else pd.Index([])

    def add(self, mask: pd.Series, column: str | None, values: pd.Series | None, rule: str,
            severity: str = "error") -> None:
        if not mask.any():
            return
        idx = mask.index[mask.to_numpy(dtype=bool)]
        if severity == "error":
            self._bad.append(idx)
        listed = idx if self.limit is None else idx[:self.limit]
        rows = self.rows.loc[listed].to_numpy()
        shown = [None] * len(listed) if values is None else values.loc[listed].astype(object).tolist()
        for row, value in zip(rows, shown):
            if value is not None and pd.isna(value):
                value = ""
            if isinstance(value, pd.Timestamp):
                value = value.date().isoformat()
            elif hasattr(value, "item"):  # numpy scalar -> plain Python for a readable repr
                value = value.item()
            self.problems.append(Problem(self.table, self.file, int(row), column, value, rule, severity))
        if len(idx) > len(listed):
            self.problems.append(Problem(self.table, self.file, None, column, None,
                                         f"{rule} (and {len(idx) - len(listed):,} more rows)",
                                         severity))

    def whole(self, rule: str, column: str | None = None, severity: str = "error") -> None:
        """A problem with the whole table; an error of this kind cannot be fixed by dropping rows."""
        problem = Problem(self.table, self.file, None, column, None, rule, severity)
        self.problems.append(problem)
        if severity == "error":
            self.fatal.append(problem)


def _fmt_num(v: float) -> str:
    return f"{v:g}".replace("e+", "e")


def _fmt_bound(col: Column) -> str:
    lo = "" if col.min is None else (f">= {_fmt_num(col.min)}" if col.min_inclusive else f"> {_fmt_num(col.min)}")
    hi = "" if col.max is None else f"<= {_fmt_num(col.max)}"
    return " and ".join(x for x in (lo, hi) if x)


def _validate_table(table: str, read: _Read, file: str, text_source: bool = True,
                    limit: int | None = _MAX_LISTED) -> tuple[pd.DataFrame | None, _Collector]:
    raw = read.df
    df = _normalise_columns(raw)
    # row number as a spreadsheet user sees it: header on `header_row`, data just below
    numbers = np.arange(len(df)) + read.header_row + 1 if read.row_numbers is None else read.row_numbers
    rows = pd.Series(numbers, index=df.index)
    col = _Collector(table, file, rows, limit)
    for k, (row, rule) in enumerate(read.bad_rows):  # rows that could not be read at all
        if limit is not None and k == limit:
            col.problems.append(Problem(table, file, None, None, None, "rows with more values than the header "
                                        f"has columns (and {len(read.bad_rows) - limit:,} more rows)"))
            break
        col.problems.append(Problem(table, file, row, None, None, rule))

    dupes = df.columns[df.columns.duplicated()].unique()
    for d in dupes:
        where = [f"{raw.columns[i]!r} in column {_column_letter(i)}"
                 for i in np.flatnonzero(df.columns == d)]
        col.whole(f"column {d!r} appears more than once ({', '.join(where)}): keep one", d)
    if len(dupes):
        return None, col
    nan_cells = {df.columns[i]: pd.Series(m, index=df.index) for i, m in read.nan_cells.items()}

    # trailing / interspersed fully blank rows (Excel leaves them) are not data
    if len(df) and text_source:
        as_text = df.astype("string").apply(lambda c: c.str.strip())
        blank = (as_text.isna() | (as_text == "")).all(axis=1)
        df, rows = df.loc[~blank], rows.loc[~blank]
        col.rows = rows

    spec = SCHEMA[table]
    missing = [c.name for c in spec if c.required and c.name not in df.columns]
    if missing:
        col.whole("missing required column(s) " + ", ".join(repr(m) for m in missing)
                  + f"; the file has {', '.join(map(repr, df.columns)) or 'no columns'}")
        return None, col
    if df.empty:
        col.whole("the table is empty (header only): it needs at least one data row")
        return None, col

    out = df.copy()
    for c in spec:
        if c.name not in out.columns:
            continue
        s = out[c.name]
        if c.kind in ("id", "text"):
            values = _as_text(s)
            if c.kind == "id":
                col.add(values.isna(), c.name, values, "must not be empty")
        elif c.kind == "category":
            text = _as_text(s)
            values = text.str.lower().str.replace(r"[\s-]+", "_", regex=True)
            if c.required:
                col.add(values.isna(), c.name, text, "must not be empty; one of " + ", ".join(c.allowed))
            col.add(values.notna() & ~values.isin(c.allowed), c.name, text,
                    "must be one of " + ", ".join(c.allowed))
        elif c.kind in ("date", "month"):
            values, bad = _parse_date(s)
            expected = "a date YYYY-MM-DD" if c.kind == "date" else "a month YYYY-MM (or a date in it)"
            col.add(bad, c.name, _as_text(s) if bad.any() else None, f"not {expected}")
            if c.required:
                col.add(values.isna() & ~bad, c.name, values, f"must not be empty; {expected}")
            if c.kind == "month":
                values = values.dt.to_period("M").dt.to_timestamp()
        else:  # amount / number
            nan = nan_cells[c.name].loc[s.index] if c.name in nan_cells else None
            values, bad = _parse_number(s, nan)
            if bad.any():
                shown = _as_text(s) if nan is None else _as_text(s).mask(nan, "nan")
                col.add(bad, c.name, shown, "not a number")
            if c.required:
                col.add(values.isna() & ~bad, c.name, values, "must not be empty; a number")
            lo_bad = pd.Series(False, index=values.index)
            if c.min is not None:
                lo_bad = values < c.min if c.min_inclusive else values <= c.min
            hi_bad = values > c.max if c.max is not None else pd.Series(False, index=values.index)
            out_of_range = (lo_bad | hi_bad).fillna(False)
            if out_of_range.any():  # the text form is only needed to report the bad values
                col.add(out_of_range, c.name, _as_text(s), "must be " + _fmt_bound(c))
            huge = (values.abs() > c.limit).fillna(False) & ~out_of_range
            if huge.any():
                col.add(huge, c.name, _as_text(s),
                        f"must be at most {_fmt_num(c.limit)} in absolute value (check the unit)")
        out[c.name] = values
        if c.unique:
            dup = values.notna() & values.duplicated(keep=False)
            col.add(dup, c.name, values, "duplicate value: must be unique")

    for t, start, end in _ORDERED_DATES:
        if t == table and start in out.columns and end in out.columns:
            col.add((out[end] < out[start]).fillna(False), end, out[end],
                    f"{end} is before {start}")
    for t, keys in _UNIQUE_KEYS:
        if t == table:
            dup = out.duplicated(list(keys), keep=False) & out[list(keys)].notna().all(axis=1)
            shown = out[keys[0]].astype(str) + " / " + out[keys[1]].dt.strftime("%Y-%m")
            col.add(dup, ", ".join(keys), shown, f"duplicate ({', '.join(keys)}): must be unique")
    return out, col


def _check_references(tables: dict[str, pd.DataFrame], collectors: dict[str, _Collector]) -> None:
    for table, df in tables.items():
        for c in SCHEMA[table]:
            if not c.references or c.name not in df.columns:
                continue
            ref_table, ref_col = c.references.split(".")
            ref = tables.get(ref_table)
            if ref is None:
                if ref_table not in collectors:  # absent, not merely invalid
                    collectors[table].whole(
                        f"refers to {ref_table}.{ref_col}, but the {ref_table!r} table is missing; "
                        f"add {ref_table}.csv", c.name)
                continue
            values = df[c.name]
            unknown = values.notna() & ~values.isin(ref[ref_col].dropna())
            collectors[table].add(unknown, c.name, values, f"unknown {ref_col}: not in {ref_table}")


def _check_warnings(tables: dict[str, pd.DataFrame], collectors: dict[str, _Collector],
                    as_of: pd.Timestamp | None) -> None:
    cf = tables.get("cashflows")
    if cf is not None and as_of is not None:
        month = as_of.to_period("M").to_timestamp()
        for a in ("actual_cost", "actual_benefit"):
            if a in cf.columns:
                mask = (cf["period"] > month) & cf[a].notna() & (cf[a] > 0)
                collectors["cashflows"].add(mask, a, cf["period"],
                                            f"actual reported for a month after the as-of date "
                                            f"{as_of.date()}", severity="warning")
    ts, res = tables.get("timesheets"), tables.get("resources")
    if ts is not None and res is not None:
        cols = [c for c in ("active_from", "active_to") if c in res.columns]
        if cols:
            r = res.drop_duplicates("resource_id").set_index("resource_id")[cols]
            joined = ts[["resource_id", "date"]].join(r, on="resource_id")
            outside = pd.Series(False, index=ts.index)
            if "active_from" in cols:
                outside |= (joined["date"] < joined["active_from"]).fillna(False)
            if "active_to" in cols:
                outside |= (joined["date"] > joined["active_to"]).fillna(False)
            collectors["timesheets"].add(outside, "date", ts["date"],
                                         "hours booked outside the resource's active dates",
                                         severity="warning")
    if ts is not None:
        weekend = ts["date"].dt.day_of_week >= 5
        if weekend.any():
            n = int(weekend.sum())
            collectors["timesheets"].whole(f"{n:,} entries fall on a Saturday or Sunday; they count "
                                           "as booked hours", "date", severity="warning")


def _drop_invalid_rows(tables: dict[str, pd.DataFrame], collectors: dict[str, _Collector]) -> None:
    """Lenient mode: remove rows with an error, then rows that refer to a removed row.

    Every removed row is already listed by its collector (its own errors, or "dropped: its ...
    row was invalid"). A table left without rows is a problem no removal can fix.
    """
    for table, coll in collectors.items():
        if table in tables:
            bad = coll.bad_index
            if len(bad):
                tables[table] = tables[table].loc[~tables[table].index.isin(bad)]
    for table, df in tables.items():  # projects and resources refer to nothing: one pass suffices
        for c in SCHEMA[table]:
            if c.references and c.name in df.columns:
                ref_table, ref_col = c.references.split(".")
                ref = tables.get(ref_table)
                if ref is not None:
                    gone = df[c.name].notna() & ~df[c.name].isin(ref[ref_col])
                    collectors[table].add(gone, c.name, df[c.name],
                                          f"dropped: its {ref_table} row was invalid",
                                          severity="dropped")
                    df = df.loc[~gone]
        tables[table] = df
    for table, df in tables.items():
        if df.empty:
            collectors[table].whole("every data row has a problem: nothing is left after dropping them")


def load_portfolio(data_dir: str | Path, *, as_of: str | pd.Timestamp | None = None,
                   tables: Iterable[str] | None = None, on_error: str = "raise") -> Portfolio:
    """Load and validate a portfolio data folder.

    Parameters
    ----------
    data_dir : path
        Folder with ``<table>.csv|.xlsx|.parquet`` files or a ``portfolio.xlsx`` workbook.
    as_of : date, optional
        Report date; enables the "actual after as-of" warning.
    tables : iterable of str, optional
        Only load these tables (plus the tables they refer to). Default: every table present.
    on_error : {"raise", "drop"}
        ``"raise"`` (default) raises :class:`DataValidationError` listing every problem.
        ``"drop"`` removes the offending rows (and rows that refer to them) and reports each one
        in :attr:`Portfolio.dropped`; for exploring messy exports, never for leadership reports.

    Returns
    -------
    Portfolio
        Typed tables: ids as strings, dates as ``datetime64``, amounts as ``float64``.

    Examples
    --------
    >>> from pmo_analysis import load_portfolio
    >>> from pmo_analysis.config import SAMPLE_DATA_DIR
    >>> p = load_portfolio(SAMPLE_DATA_DIR)
    >>> p.projects["budget"].dtype
    dtype('float64')
    """
    if on_error not in ("raise", "drop"):
        raise ValueError(f"on_error must be 'raise' or 'drop', got {on_error!r}")
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        what = "is a file, not a folder" if data_dir.exists() else "does not exist"
        raise DataValidationError([Problem("-", str(data_dir), None, None, None,
                                           f"the data folder {what}")], str(data_dir))
    as_of_ts = pd.Timestamp(as_of) if as_of is not None else None

    files, problems = _find_files(data_dir)
    workbook = data_dir / "portfolio.xlsx"
    sheets: dict[str, str] = {}
    if workbook.exists():
        import openpyxl

        wb = openpyxl.load_workbook(workbook, read_only=True)
        for sheet in wb.sheetnames:
            name = sheet.strip().lower()
            if name in SCHEMA:
                if name in files:
                    problems.append(Problem(name, workbook.name, None, None, None,
                                            f"table given twice: sheet {sheet!r} and {files[name].name}"))
                else:
                    files[name] = workbook
                    sheets[name] = sheet
        wb.close()

    wanted = set(TABLES if tables is None else tables)
    for t in list(wanted):  # pull in the tables referred to
        for c in SCHEMA[t]:
            if c.references:
                wanted.add(c.references.split(".")[0])
    if not files:
        raise DataValidationError([Problem("-", str(data_dir), None, None, None,
                                           "no portfolio tables found: expected files such as "
                                           "projects.csv, cashflows.csv (see docs/data-dictionary.md)")],
                                  str(data_dir))
    if "projects" not in files:
        problems.append(Problem("projects", "projects.csv", None, None, None,
                                "the projects table is required: add projects.csv "
                                "(or .xlsx/.parquet, or a 'projects' sheet)"))

    loaded: dict[str, pd.DataFrame] = {}
    collectors: dict[str, _Collector] = {}
    limit = _MAX_LISTED if on_error == "raise" else None
    for table in TABLES:
        if table not in files or table not in wanted:
            continue
        path = files[table]
        label = path.name if table not in sheets else f"{path.name} [sheet {sheets[table]}]"
        try:
            read = _read_table(path, table, sheets.get(table))
        except _ReadError as exc:
            problems.append(Problem(table, label, None, None, None, str(exc)))
            continue
        except Exception as exc:  # unreadable file: report it as a problem, keep going
            problems.append(Problem(table, label, None, None, None, f"cannot read the file: {exc}"))
            continue
        df, coll = _validate_table(table, read, label, text_source=path.suffix != ".parquet", limit=limit)
        collectors[table] = coll
        if df is not None:
            loaded[table] = df

    if not problems:
        _check_references(loaded, collectors)
    if on_error == "drop":
        _drop_invalid_rows(loaded, collectors)
    _check_warnings(loaded, collectors, as_of_ts)

    all_problems = problems + [p for c in collectors.values() for p in c.problems]
    errors = [p for p in all_problems if p.severity == "error"]
    fatal = problems + [p for c in collectors.values() for p in c.fatal]
    if errors and (on_error == "raise" or fatal):
        raise DataValidationError(all_problems, str(data_dir))

    portfolio = Portfolio(data_dir=data_dir, files={t: files[t] for t in collectors})
    for table, df in loaded.items():
        setattr(portfolio, table, df.reset_index(drop=True))
    portfolio.warnings = [p for p in all_problems if p.severity == "warning"]
    portfolio.dropped = [p for p in all_problems if p.severity in ("error", "dropped")]
    return portfolio
