"""Read the files of a portfolio data folder into raw tables, before any value is checked.

A data folder holds one file per table (``<table>.csv``, ``<table>.xlsx`` or ``<table>.parquet``)
or one workbook ``portfolio.xlsx`` with one sheet per table: :func:`find_tables` finds them and
:func:`read_table` reads one into a :class:`RawTable`. A header is read as written, so repeated
column names stay visible to validation. A file that cannot be read raises :class:`ReadError`
whose message is the rule shown to the user.

In a workbook, a percent-formatted cell in a percent column (``percent_complete``,
``allocation_pct``) holds 0.64 for the 64% the user sees, and is read as 64. In Parquet, a float
NaN (as opposed to an empty cell) is noted, so validation can report it as "not a number".

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
"""

from __future__ import annotations

import codecs
import os
import re
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from pmo_analysis.core.exceptions import Problem, ReadError
from pmo_analysis.inputs.schema import PERCENT_COLUMNS, SCHEMA, TABLES

__all__ = [
    "RawTable",
    "ReadError",
    "column_letter",
    "decode_text",
    "find_tables",
    "find_workbook_tables",
    "is_workbook",
    "read_file",
    "read_table",
]


def column_letter(i: int) -> str:
    """The letters of the zero-based column ``i``: ``A`` to ``Z``, then ``AA`` and on.

    >>> column_letter(0), column_letter(25), column_letter(26), column_letter(16383)
    ('A', 'Z', 'AA', 'XFD')
    """
    letters = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        letters = chr(65 + r) + letters
    return letters


_EXTENSIONS = (".csv", ".xlsx", ".parquet")
_WORKBOOK = "portfolio.xlsx"


# --------------------------------------------------------------------------- finding files
def find_tables(data_dir: Path) -> tuple[dict[str, Path], dict[str, str], list[Problem]]:
    """The file of each table in ``data_dir``, and what is wrong with the folder's layout.

    Returns ``(files, sheets, problems)``: ``files`` maps a table to its file (``portfolio.xlsx``
    for a table given as a sheet of it), ``sheets`` maps a table given as a sheet to the sheet's
    name as written, and ``problems`` lists tables given more than once.
    """
    files, problems = _find_files(data_dir)
    sheets: dict[str, str] = {}
    workbook = data_dir / _WORKBOOK
    if workbook.exists():
        problems += _find_sheets(workbook, files, sheets)
    return files, sheets, problems


def is_workbook(value) -> bool:
    """True when ``value`` names an Excel workbook (``.xlsx``) given as the data source itself,
    one sheet per table, as the input template (:mod:`pmo_analysis.inputs.template`) is filled.

    >>> is_workbook("filled.xlsx"), is_workbook("data/sample"), is_workbook("postgresql://db/ppm")
    (True, False, False)
    """
    return isinstance(value, (str, Path)) and "://" not in str(value) and Path(str(value)).suffix.lower() == ".xlsx"


def find_workbook_tables(workbook: Path) -> tuple[dict[str, Path], dict[str, str], list[Problem]]:
    """The tables of a workbook given as the data source: ``(files, sheets, problems)`` as
    :func:`find_tables` returns them. Sheets named after a table (any case) are its tables; other
    sheets, such as the template's instructions, are ignored. A sheet name given twice in
    different case is a problem.

    A sheet with nothing below its header is a table not given, as a missing file is in a folder:
    the template has a sheet for every table, and a PMO leaves the ones it does not keep empty.
    """
    import openpyxl

    files: dict[str, Path] = {}
    sheets: dict[str, str] = {}
    problems = _find_sheets(workbook, files, sheets)
    wb = openpyxl.load_workbook(workbook, read_only=True)
    try:
        for table, sheet in list(sheets.items()):
            filled = (r for r in wb[sheet].iter_rows(values_only=True) if any(_has_text(v) for v in r))
            next(filled, None)  # the header
            if next(filled, None) is None:
                del files[table], sheets[table]
    finally:
        wb.close()
    return files, sheets, problems


def _has_text(value) -> bool:
    return value is not None and bool(str(value).strip())


def _find_files(data_dir: Path) -> tuple[dict[str, Path], list[Problem]]:
    found: dict[str, Path] = {}
    problems: list[Problem] = []
    for table in TABLES:
        candidates = [data_dir / f"{table}{ext}" for ext in _EXTENSIONS]
        present = [c for c in candidates if c.exists() or c.is_symlink()]  # a dangling link is unreadable, not absent
        folder = data_dir / table  # a folder of Parquet files (by month, say): read by pmo_analysis.inputs.engine
        if folder.is_dir() and next(folder.rglob("*.parquet"), None) is not None:
            present.append(folder)
        if len(present) > 1:
            problems.append(
                Problem(
                    table,
                    present[0].name,
                    None,
                    None,
                    None,
                    "several files for one table: "
                    + ", ".join(p.name + ("/" if p.is_dir() else "") for p in present)
                    + "; keep exactly one",
                )
            )
        elif present:
            found[table] = present[0]
    return found, problems


def _find_sheets(workbook: Path, files: dict[str, Path], sheets: dict[str, str]) -> list[Problem]:
    """Add the tables given as sheets of ``workbook`` to ``files`` and ``sheets`` (sheet names are
    table names, any case); a table also given as its own file is a problem.
    """
    import openpyxl

    problems = []
    try:
        _check_xlsx_parts(workbook)
    except ReadError as exc:
        return [Problem("-", workbook.name, None, None, None, str(exc))]
    wb = openpyxl.load_workbook(workbook, read_only=True)
    for sheet in wb.sheetnames:
        name = sheet.strip().lower()
        if name in SCHEMA:
            if name in files:
                problems.append(
                    Problem(
                        name,
                        workbook.name,
                        None,
                        None,
                        None,
                        f"table given twice: sheet {sheet!r} and {files[name].name}",
                    )
                )
            else:
                files[name] = workbook
                sheets[name] = sheet
    wb.close()
    return problems


# --------------------------------------------------------------------------- reading one table
def read_table(path: Path, table: str, sheet: str | None = None) -> RawTable:
    """Read the file of ``table`` (a sheet of a workbook when ``sheet`` is given), untyped.

    Raises :class:`ReadError` when the file cannot be read as a table (an encoding that cannot be
    told, a broken byte-order mark); other exceptions are those of the format's library.
    """
    if path.is_symlink() and not path.exists():
        raise ReadError(f"cannot read the file: it is a link to {os.readlink(path)!r}, which does not exist")
    if path.suffix == ".csv":
        return _read_csv(path)
    if path.suffix == ".xlsx":
        return _read_xlsx(path, sheet, PERCENT_COLUMNS[table])
    return _read_parquet(path)


def read_file(
    path: Path, *, sheet: str | None = None, delimiter: str = ",", percent_columns: tuple[str, ...] = ()
) -> RawTable:
    """Read any one file as a table, untyped: a CSV (cells separated by ``delimiter``, its
    encoding told by the rule of this module), a sheet of an ``.xlsx`` workbook (the first when
    ``sheet`` is not given) or a Parquet file.

    ``percent_columns`` are the headers (lower case) whose percent-formatted cells are read as the
    percentage shown. :func:`read_table` reads a table of a data folder; this reads a file named
    by a mapping file (:mod:`pmo_analysis.inputs.mapping`), whose headers are the PMO's own.
    """
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _read_csv(path, delimiter)
    if suffix == ".xlsx":
        return _read_xlsx(path, sheet, percent_columns)
    return _read_parquet(path)


@dataclass
class RawTable:
    """A table as read from its file, before validation.

    ``header_row`` is the spreadsheet row of the header; ``nan_cells`` maps a column position to
    the cells that hold a floating-point NaN (not an empty cell) in a Parquet file; ``bad_rows``
    are CSV rows that could not be split into the header's columns.
    """

    df: pd.DataFrame
    header_row: int = 1
    nan_cells: dict[int, np.ndarray] = field(default_factory=dict)
    # spreadsheet row of each data row, when not consecutive; for a database, each row's key as text
    row_numbers: np.ndarray | None = None
    bad_rows: list[tuple[int, str]] = field(default_factory=list)  # (row, rule): rows not read


def _header_names(values: Iterable) -> list[str]:
    """Column names as written in the header; an empty header cell is named like pandas does."""
    names = []
    for i, v in enumerate(values):
        text = "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)
        names.append(text if text.strip() else f"Unnamed: {i}")
    return names


# --------------------------------------------------------------------------- CSV: the encoding rule
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
    those) or 'none' (not a letter: ¹, ½).
    """
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
        "ascii" in scripts or word in _ONE_LETTER_WORDS
    )
    good = total = i = 0
    while i < len(word):
        s = scripts[i]
        j = i + 1
        while j < len(word) and scripts[j] == s:
            j += 1
        if s not in ("ascii", "none"):
            total += j - i
            before, after = word[i - 1 : i], word[j : j + 1]
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
    stop = min([*stops, pos + 40, len(raw)])
    return raw[start:stop].decode(codec, errors="replace").strip()


def decode_text(raw: bytes, *, save_as: str = _SAVE_AS_UTF8) -> str:
    """Decode the bytes of a text file by the workbook's one encoding rule (module docstring).

    Used for CSV files here and for other text exports (Primavera P6 XER files); ``save_as`` is
    the advice shown when the encoding cannot be told. Raises :class:`ReadError`.

    >>> decode_text("项目管理".encode("gb18030"))
    '项目管理'
    """
    return _decode_csv(raw, save_as=save_as)


def _decode_csv(raw: bytes, *, save_as: str = _SAVE_AS_UTF8) -> str:
    """Decode a CSV file by the documented rule (module docstring); never guess silently."""
    if raw.startswith(codecs.BOM_UTF8):
        try:
            return raw[len(codecs.BOM_UTF8) :].decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ReadError(
                f"the file starts with a UTF-8 byte-order mark but is not valid UTF-8 "
                f"(byte {exc.start + 3:,}): {save_as}"
            ) from None
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            raise ReadError(
                f"the file starts with a UTF-16 byte-order mark but is not valid UTF-16: {save_as}"
            ) from None
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
        raise ReadError(
            "cannot decode the file: it is not UTF-8, "
            + " or ".join(label for _, label in _CANDIDATE_ENCODINGS)
            + f"; {save_as}"
        )
    plausible = [label for label, (_, text) in decoded.items() if _script_score(text) >= _PLAUSIBLE]
    if len(plausible) == 1:
        return decoded[plausible[0]][1]
    readings = ", ".join(f"as {label} it reads {_excerpt(raw, codec)!r}" for label, (codec, _) in decoded.items())
    raise ReadError(f"cannot tell the text encoding: the file is not UTF-8, and {readings}; {save_as}")


# --------------------------------------------------------------------------- CSV, Excel, Parquet
def _read_csv(path: Path, delimiter: str = ",") -> RawTable:
    """Read a CSV as text. The header is read as written, so repeated names stay visible."""
    from io import StringIO

    text = _decode_csv(path.read_bytes())
    try:
        df = pd.read_csv(
            StringIO(text), dtype=str, keep_default_na=False, header=None, skip_blank_lines=False, sep=delimiter
        )
    except pd.errors.ParserError:  # a row with more values than the header: find each one
        return _read_ragged_csv(text, delimiter)
    if df.empty:
        return RawTable(pd.DataFrame())
    head = df.head(1000)  # the header is the first row with text (Excel may leave blank rows above)
    filled = (head.notna() & (head.apply(lambda c: c.str.strip()) != "")).any(axis=1).to_numpy()
    first = int(filled.argmax()) if filled.any() else 0
    body = df.iloc[first + 1 :].reset_index(drop=True)
    body.columns = _header_names(df.iloc[first])
    return RawTable(body, header_row=first + 1)


def _read_ragged_csv(text: str, delimiter: str = ",") -> RawTable:
    """Read a CSV in which some rows have more values than the header has columns.

    Those rows (typically a comma inside an unquoted value) are reported one by one, and the other
    rows keep their spreadsheet row numbers. Extra values that are all empty (trailing commas) are
    harmless and ignored. Runs only when the fast reader has failed.
    """
    import csv
    from io import StringIO

    records = list(csv.reader(StringIO(text), delimiter=delimiter))
    first = next((i for i, r in enumerate(records) if any(v.strip() for v in r)), 0)
    header = records[first] if records else []
    width = len(header)
    good, numbers, bad = [], [], []
    for row, values in enumerate(records[first + 1 :], start=first + 2):
        if len(values) > width and any(v.strip() for v in values[width:]):
            bad.append(
                (
                    row,
                    f"has {len(values)} values but the header has {width} columns "
                    "(a comma inside a value that is not in double quotes?)",
                )
            )
            continue
        good.append(values[:width] + [""] * (width - len(values)))
        numbers.append(row)
    df = pd.DataFrame(good, columns=_header_names(header), dtype=object).astype("string")
    return RawTable(df, header_row=first + 1, row_numbers=np.array(numbers, dtype=np.int64), bad_rows=bad)


_PERCENT_IN_FORMAT = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')  # quoted text, escapes, [colour] sections


@lru_cache(maxsize=256)
def _is_percent_format(number_format: str) -> bool:
    """True when Excel shows the cell as a percentage (a bare ``%`` multiplies by 100)."""
    return "%" in _PERCENT_IN_FORMAT.sub("", number_format or "")


def _read_xlsx(path: Path, sheet: str | None, percent_columns: tuple[str, ...]) -> RawTable:
    """Read one sheet with openpyxl (read-only, cached formula values).

    The header is the first row with text (a sheet may have blank rows above it). A
    percent-formatted number in a percent column is read as the percentage Excel shows: the cell
    holds 0.64, the user sees and means 64%.
    """
    import openpyxl

    _check_xlsx_parts(path)  # before openpyxl holds every shared string in memory
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        ws = wb[sheet] if sheet is not None else wb.worksheets[0]
        _check_formulas_have_values(wb, ws)
        ws.reset_dimensions()  # the size a file records can be wrong; read the cells it holds
        rows = ws.iter_rows()
        header, header_row = _sheet_header(rows)
        if header is None:
            return RawTable(pd.DataFrame())
        names = _header_names(header)
        pct = [i for i, n in enumerate(names) if n.strip().lower() in percent_columns]
        if pct:
            data = _rows_with_percent_cells(rows, pct)
        else:
            data = [list(v) for v in ws.iter_rows(min_row=header_row + 1, values_only=True)]
    finally:
        wb.close()
    names, data = _fit_to_header(names, data)
    width = len(names)
    df = pd.DataFrame([r + [None] * (width - len(r)) for r in data] if data else None, columns=names, dtype=object)
    return RawTable(df, header_row=header_row)


#: Most bytes an .xlsx's shared strings may take unpacked. openpyxl holds every one of them in
#: memory, used or not (about four times their size as Python strings), so a 3 MB file padded with
#: unused strings once took 2.2 GB; such a file is refused with its sizes, before it is loaded.
XLSX_SHARED_STRINGS_LIMIT = 128 * 2**20
_SHEET_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
#: Formula cells listed by name in the message, the rest counted.
_FORMULAS_LISTED = 10


def _check_xlsx_parts(path: Path) -> None:
    """Refuse (:class:`ReadError`) a workbook whose shared strings would need more memory than
    :data:`XLSX_SHARED_STRINGS_LIMIT` allows, from the sizes its zip directory records.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        return  # not a zip: openpyxl says what it is
    for info in parts:
        if info.filename.lower().endswith("sharedstrings.xml") and info.file_size > XLSX_SHARED_STRINGS_LIMIT:
            raise ReadError(
                f"cannot read the file: its shared strings take {info.file_size / 2**20:,.0f} MB unpacked "
                f"({info.compress_size / 2**20:,.1f} MB in the file), more than the "
                f"{XLSX_SHARED_STRINGS_LIMIT // 2**20} MB a workbook may hold in memory here; save the sheet "
                "as CSV, or open and save it in Excel or LibreOffice (which keep only the strings used)"
            )


def _check_formulas_have_values(wb, ws) -> None:
    """Refuse (:class:`ReadError`) a sheet with formula cells that hold no saved value.

    A workbook written by a script (openpyxl, for one) stores formulas without calculating them;
    read, such a cell is empty, and a figure computed from it is silently wrong. The sheet's XML is
    streamed (the cells are not kept): a cell with an ``<f>`` and no ``<v>``, or an empty one that
    is not a text result, has no value.
    """
    archive, part = getattr(wb, "_archive", None), getattr(ws, "_worksheet_path", None)
    if archive is None or part is None:  # pragma: no cover - another openpyxl: nothing to check
        return
    from defusedxml.ElementTree import iterparse  # type: ignore[import-untyped]  # no entity expansion

    missing: list[str] = []
    count = 0
    with archive.open(part) as fh:
        for _event, el in iterparse(fh):
            if el.tag == _SHEET_NS + "c":
                if el.find(_SHEET_NS + "f") is not None:
                    v = el.find(_SHEET_NS + "v")
                    if v is None or (not v.text and el.get("t") != "str"):
                        count += 1
                        if len(missing) < _FORMULAS_LISTED:
                            missing.append(str(el.get("r")))
                el.clear()
            elif el.tag == _SHEET_NS + "row":
                el.clear()
    if count:
        more = f" (and {count - len(missing):,} more)" if count > len(missing) else ""
        raise ReadError(
            f"formula cells without a saved value: {', '.join(missing)}{more}; the file was saved by a program "
            "that does not calculate formulas (a script): open it in Excel or LibreOffice and save it, so that "
            "each formula keeps its value"
        )


def _sheet_header(rows: Iterable) -> tuple[list | None, int]:
    """Consume ``rows`` up to the header, the first row with text: (its values without the empty
    cells at its end, its spreadsheet row); ``(None, n)`` for a sheet with no text.
    """
    header_row = 0
    for cells in rows:
        header_row += 1
        values = [c.value for c in cells]
        if any(v is not None and str(v).strip() for v in values):
            while values and values[-1] is None:
                values.pop()
            return values, header_row
    return None, header_row


def _rows_with_percent_cells(rows: Iterable, pct: list[int]) -> list[list]:
    """Values of the remaining ``rows``; a percent-formatted number at a position in ``pct`` is
    read as the percentage shown (0.64 -> 64).
    """
    data: list[list] = []
    for cells in rows:
        values = [c.value for c in cells]
        for i in pct:
            if i < len(cells):
                v = values[i]
                if (
                    isinstance(v, (int, float))
                    and not isinstance(v, bool)
                    and _is_percent_format(cells[i].number_format)
                ):
                    values[i] = round(v * 100, 9)
        data.append(values)
    return data


def _fit_to_header(names: list[str], data: list[list]) -> tuple[list[str], list[list]]:
    """Cells beyond the last header cell: keep the columns that hold data (named like pandas does),
    drop the empty ones.
    """
    width = len(names)
    if any(len(r) > width for r in data):
        width = max((i + 1 for r in data for i in range(width, len(r)) if r[i] is not None), default=width)
        names = names + [f"Unnamed: {i}" for i in range(len(names), width)]
        data = [r[:width] for r in data]
    return names, data


def _read_parquet(path: Path) -> RawTable:
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
    return RawTable(table.to_pandas(), nan_cells=nan_cells)
