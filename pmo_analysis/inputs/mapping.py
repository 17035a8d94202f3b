"""Read a PMO's own spreadsheets and CSVs, as they are, through a mapping file.

A PMO's tracker has its own headers (``Project Code``, ``Budget (k$)``, ``状态``), its own codes
(``In Progress``, ``进行中``), its own date formats (``31/03/2026``, ``2026年3月31日``) and its own
units (k$, 万元). A *file mapping* says, per contract table, where the table is and how to read it,
so nobody writes a converter::

    # tracker.yml
    workbook: PMO Tracker.xlsx          # optional: the file of every table that names only a sheet
    tables:
      projects:
        sheet: 项目                      # a sheet of the workbook (default: its first sheet)
        header_row: 3                   # optional: a title and notes sit above the header
        columns:                        # your header: the contract's column
          Project Code: project_id
          Project Name: name
          Dept: department
          状态: status
          Start: start_date
          Finish: end_date
          Budget (k$): budget
        values:                         # per contract column, your value: the contract's value
          status: {In Progress: active, On Hold: on_hold, 进行中: active, Done: completed}
        dates: "%d/%m/%Y"               # one format for every date column of the table, or per column
        scale:                          # per money column: a unit (k$, 万元, M$...) or a number
          budget: k$
      cashflows:
        file: finance/monthly.csv       # a CSV, .xlsx or .parquet file, relative to the mapping file
        delimiter: ";"
        columns: {Code: project_id, Month: period, Plan: planned_cost, Benefit: planned_benefit}
        dates: {period: "%m/%Y"}

How a mapping file is recognised (:func:`mapping_kind`): with ``url:`` it reads a database
(:mod:`pmo_analysis.inputs.sources`); without ``url:``, with a top-level ``workbook:`` or a table
that names a ``file:`` or ``sheet:``, it reads files; anything else is refused in one line. A
contract table the mapping does not name is read from the mapping file's folder as in a data
folder (``timesheets.csv`` beside ``tracker.yml``), if it is there.

The rules, each applied to whole columns (no Python loop over rows):

* **Headers** are matched with surrounding spaces stripped and case ignored; columns the mapping
  does not rename keep their header (a header that already is a contract name needs no entry).
* **Values** are matched likewise (``in progress`` is ``In Progress``); a value without an entry
  is read as it is, so ``active`` needs none. A value may be mapped to empty (``~``) in a column
  that is not required. For a coded column (status, kind, impact, type...) the contract's value
  must be one the contract allows.
* **Dates**: a ``strftime`` format (``%d/%m/%Y``, ``%Y年%m月%d日``, ``%m/%Y`` for a month); a cell
  the format does not read is still read if it is a real date cell or an ISO date (``2026-03-31``).
* **Scale**: the amount read times the unit (k = 1,000, 万 = 10,000, M = 1,000,000, 亿 =
  100,000,000; with or without a currency mark: ``k$``, ``$k``, ``k€``, ``kUSD``, ``万元``, ``M$``)
  or a number. The product is exact to the decimals typed: 9.86121 k$ is 9,861.21 exactly, as if
  9861.21 had been typed (:func:`scale_amounts`).

Every message names the PMO's own file, sheet, header and spreadsheet row, and shows the value as
typed (``PMO Tracker.xlsx [sheet 项目], row 7, column 'Budget (k$)': value -5: must be >= 0``);
the values of a coded column that no entry maps are one message listing them with their rows and
the values allowed. A mapping file that cannot be right (an unknown table or column, a file or
sheet that does not exist, two headers for one column, a value mapped onto a value the contract
does not allow, a scale that is no number) is refused in one line naming the entry.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pmo_analysis.core.exceptions import ParameterError, Problem, ReadError
from pmo_analysis.inputs.readers import RawTable, column_letter, read_file
from pmo_analysis.inputs.schema import ORDERED_DATES, SCHEMA, TABLES, Column, references
from pmo_analysis.inputs.validation import (
    Collector,
    as_text,
    category_key,
    ordered_rule,
    parse_number,
    reference_rule,
    validate_table,
)

__all__ = [
    "FileMapping",
    "UNITS",
    "is_file_mapping",
    "mapping_kind",
    "open_file_mapping",
    "scale_amounts",
    "unit_factor",
]

_SUFFIXES = (".csv", ".xlsx", ".parquet")
_TOP_KEYS = ("workbook", "tables")
_TABLE_KEYS = ("file", "sheet", "header_row", "delimiter", "decimal", "columns", "values", "dates", "scale")
_README = "see README, 'A spreadsheet in your own shape'"

UNITS: dict[str, float] = {
    "k": 1e3,
    "K": 1e3,
    "thousand": 1e3,
    "thousands": 1e3,
    "千": 1e3,
    "千元": 1e3,
    "万": 1e4,
    "万元": 1e4,
    "M": 1e6,
    "MM": 1e6,
    "mn": 1e6,
    "million": 1e6,
    "millions": 1e6,
    "百万": 1e6,
    "百万元": 1e6,
    "亿": 1e8,
    "亿元": 1e8,
    "bn": 1e9,
    "B": 1e9,
    "billion": 1e9,
    "billions": 1e9,
}
"""Units of a money column's ``scale``; a Latin one may carry a currency mark (:func:`unit_factor`)."""

_CURRENCY_MARK = r"(?:[$€£¥]|US\$|USD|EUR|GBP|CNY|RMB|JPY|CHF)"
_MARKED_UNIT = re.compile(rf"^{_CURRENCY_MARK}?\s*(?P<unit>k|K|M|MM|mn|bn|B)\s*{_CURRENCY_MARK}?$")


def unit_factor(unit: str) -> float | None:
    """The factor of a unit name, ``None`` when it is not one.

    Examples
    --------
    >>> unit_factor("k$"), unit_factor("万元"), unit_factor("$M"), unit_factor("kEUR"), unit_factor("kg")
    (1000.0, 10000.0, 1000000.0, 1000.0, None)
    """
    unit = unit.strip()
    if unit in UNITS:
        return UNITS[unit]
    m = _MARKED_UNIT.match(unit)
    return UNITS[m.group("unit")] if m else None


# --------------------------------------------------------------------------- scaling amounts
_NUMBER_SHAPE = r"^[+-]?(?P<whole>\d*)(?:\.(?P<fraction>\d*))?(?:[eE](?P<exponent>[+-]?\d+))?$"
_EXACT = 2.0**53  # integers up to here are exact in a float64


def _decimals(x: float) -> int:
    """Decimals ``x`` adds to a number it multiplies: 0.01 -> 2, 2.5 -> 1, 1000 -> -3 (it removes three)."""
    return -int(Decimal(repr(float(x))).normalize().as_tuple().exponent)


def _mantissa(x: float) -> int:
    """The digits of ``x`` as an integer, without its decimal point: 2.5 -> 25, 1000 -> 1, 0.01 -> 1."""
    return int("".join(map(str, Decimal(repr(float(x))).normalize().as_tuple().digits)))


def _trailing_zeros(low: np.ndarray, factor: float, most: int) -> np.ndarray:
    """Trailing decimal zeros (up to ``most``, at most 6) of each typed mantissa times the mantissa
    of ``factor``, from the mantissas' last six digits ``low``: 187270594073.076 x 2.5 ends in
    ...1826900, so its product has two decimals fewer than 3 + 1.
    """
    product = low * (_mantissa(factor) % 10**6)  # < 10**12: exact in int64
    zeros = np.zeros(len(low), dtype=np.int64)
    for k in range(1, min(most, 6) + 1):
        zeros += (product % 10**k == 0) & (zeros == k - 1)
    return zeros


def scale_amounts(s: pd.Series, factor: float) -> pd.Series:
    """The amounts of ``s`` times ``factor``, exact to the decimals typed; cells that are not a
    number are left as they are (validation then reports them as typed), empty cells stay empty.

    The product of a number typed with *d* decimals and a factor with *e* decimals has at most
    *d + e* decimals (*d - 3* for a factor of 1,000), fewer where the product of the digits ends in
    zeros (0.076 x 2.5 = 0.19): the float product is rounded to them, which
    gives the float of the exact decimal result (9.86121 k$ is the float of 9861.21, not
    9861.210000000001), so a tracker in k$ gives the very figures of the same tracker in dollars.
    The rounding is skipped where the result has more significant digits than a float holds.

    Examples
    --------
    >>> scale_amounts(pd.Series(["9.86121", "1,200", "", "abc"]), 1000).tolist()
    [9861.21, 1200000.0, nan, 'abc']
    """
    values, bad = parse_number(s)
    text = as_text(s).str.replace(",", "", regex=False)
    shape = text.str.extract(_NUMBER_SHAPE)
    typed = shape["fraction"].str.len().fillna(0).to_numpy(dtype=float)
    shifted = pd.to_numeric(shape["exponent"], errors="coerce").fillna(0).to_numpy(dtype=float)
    mantissa = (shape["whole"].fillna("") + shape["fraction"].fillna("")).str[-6:]
    low = pd.to_numeric(mantissa, errors="coerce").fillna(0).to_numpy(dtype=np.int64)
    digits = np.clip(typed - shifted + _decimals(factor), 0, None)
    digits = np.clip(digits - _trailing_zeros(low, factor, int(digits.max(initial=0))), 0, None)
    product = values.to_numpy(dtype=float) * factor
    with np.errstate(invalid="ignore", over="ignore"):
        power = 10.0 ** np.minimum(digits, 22)
        whole = product * power
        exact = np.isfinite(whole) & (np.abs(whole) < _EXACT) & (digits <= 22)
        rounded = np.where(exact, np.rint(np.where(exact, whole, 0)) / power, product)
    out = pd.Series(rounded, index=s.index, dtype="float64")
    if bad.any():  # the text as typed, for validation to report
        return out.astype(object).where(~bad.to_numpy(), s)
    return out


# --------------------------------------------------------------------------- what a mapping file is
def mapping_kind(spec: Any, path: Path) -> str:
    """``"database"`` (a ``url:``) or ``"files"`` (tables that name a file or sheet) for the parsed
    mapping file ``spec``; one line naming ``path`` for a mapping that is neither.
    """
    if isinstance(spec, dict) and "url" in spec:
        return "database"
    if isinstance(spec, dict) and (
        "workbook" in spec
        or (
            isinstance(spec.get("tables"), dict)
            and any(isinstance(t, dict) and ("file" in t or "sheet" in t) for t in spec["tables"].values())
        )
    ):
        return "files"
    raise ParameterError(
        f"{path}: not a mapping file: give 'url:' and 'tables:' to read a database (see README, "
        "'Reading from a database'), or 'tables:' whose tables name a 'file:' or 'sheet:' to read your "
        f"own files ({_README})"
    )


def is_file_mapping(value: Any) -> bool:
    """True when ``value`` is an existing mapping file that reads files (:func:`mapping_kind`)."""
    from pmo_analysis.core.yaml_files import read_yaml

    if not isinstance(value, (str, Path)) or Path(str(value)).suffix.lower() not in (".yml", ".yaml"):
        return False
    path = Path(value)
    if re.match(r"^[A-Za-z][A-Za-z0-9+.\-]*://", str(value)) or not path.is_file():
        return False
    try:
        return mapping_kind(read_yaml(path, what="mapping file"), path) == "files"
    except ParameterError:
        return False  # the database path reads it again and says what is wrong


# --------------------------------------------------------------------------- one table's mapping
@dataclass(frozen=True)
class TableMapping:
    """How one contract table is read from a PMO's file (every name checked against the contract)."""

    table: str
    file: Path
    """The file, resolved against the mapping file's folder."""
    shown: str
    """How messages name it: the file as the mapping writes it, and its sheet."""
    sheet: str | None = None
    header_row: int | None = None
    """The spreadsheet row of the header, when a title or notes sit above it (default: the first row with text)."""
    delimiter: str = ","
    decimal: str = "."
    """The decimal mark of the numbers of a CSV: ``,`` where Excel writes ``1.234,56`` (with ``;`` between cells)."""
    rename: dict[str, str] = field(default_factory=dict)
    """Header (stripped, case-folded) -> contract column."""
    spelled: dict[str, str] = field(default_factory=dict)
    """Header (stripped, case-folded) -> the header as the mapping file writes it."""
    value_maps: dict[str, dict[str, str | None]] = field(default_factory=dict)
    """Contract column -> {value (stripped, case-folded): contract value or None}."""
    dates: dict[str, str] = field(default_factory=dict)
    """Contract column -> strftime format."""
    scale: dict[str, float] = field(default_factory=dict)
    """Contract column -> factor."""


@dataclass
class _Notes:
    """What messages need of one table once read: headers as written, cells as typed, unmapped codes."""

    header: dict[str, str]
    original: pd.DataFrame
    unmapped: dict[str, str] = field(default_factory=dict)


@dataclass
class FileMapping:
    """A mapping file that reads a PMO's own files: made by :func:`open_file_mapping`."""

    path: Path
    tables: dict[str, TableMapping]
    _notes: dict[str, _Notes] = field(default_factory=dict, repr=False)

    @property
    def folder(self) -> Path:
        """Where tables the mapping does not name are looked for, as in a data folder."""
        return self.path.parent

    def files(self) -> list[Path]:
        """Every file the mapping reads, once each, in table order."""
        return list(dict.fromkeys(t.file for t in self.tables.values()))

    def read(self, table: str) -> RawTable:
        """The raw table of ``table`` as its file holds it (the PMO's headers)."""
        tm = self.tables[table]
        percent = tuple(h for h, c in tm.rename.items() if c in _percent_columns(table)) + _percent_columns(table)
        raw = read_file(tm.file, sheet=tm.sheet, delimiter=tm.delimiter, percent_columns=percent)
        return raw if tm.header_row is None else _header_on(raw, tm.header_row)

    def validate(self, table: str, raw: RawTable, *, limit: int | None) -> tuple[pd.DataFrame | None, Collector]:
        """Rename, map, parse and scale ``raw`` as the mapping says, then check it against the
        contract as a data folder's table is; problems name the PMO's own headers (:meth:`relabel`).
        """
        tm = self.tables[table]
        shaped, notes, problems = self._shape(tm, raw)
        if shaped is None:
            collector = Collector(table, tm.shown, pd.Series([], dtype="int64"), limit)
            for rule in problems:
                collector.whole(rule)
            return None, collector
        self._notes[table] = notes
        text_source = tm.file.suffix.lower() != ".parquet"
        return validate_table(table, shaped, tm.shown, text_source=text_source, limit=limit)

    # ------------------------------------------------------------------ shaping the table
    def _shape(self, tm: TableMapping, raw: RawTable) -> tuple[RawTable | None, _Notes, list[str]]:
        table = tm.table
        written = [str(c) for c in raw.df.columns]
        keys = [w.strip().casefold() for w in written]
        where = "sheet" if tm.sheet is not None else "file"
        listed = ", ".join(map(repr, written)) or "none"
        problems = []
        absent = [tm.spelled.get(h, h) for h in tm.rename if h not in keys]
        if absent:
            problems.append(
                f"the mapping's columns name {', '.join(map(repr, absent))}, which this {where} does not have; "
                f"its columns are {listed}"
            )
        names = [tm.rename.get(k, w) for k, w in zip(keys, written, strict=True)]
        normal = [n.strip().lower() for n in names]
        for column in dict.fromkeys(tm.rename.values()):
            at = [i for i, n in enumerate(normal) if n == column]
            if len(at) > 1:
                both = ", ".join(f"{written[i]!r} (column {column_letter(i)})" for i in at)
                problems.append(f"columns {both} would all be read as {column!r}: map only one of them to it")
        if not problems:
            missing = [c.name for c in SCHEMA[table] if c.required and c.name not in normal]
            if missing:
                problems.append(
                    f"missing required column(s) {', '.join(map(repr, missing))}: name the header that holds "
                    f"each under tables.{table}.columns in {self.path.name}; this {where} has {listed}"
                )
        if problems:
            return None, _Notes({}, pd.DataFrame()), problems
        df = raw.df.set_axis(names, axis=1).copy()
        rows = raw.row_numbers if raw.row_numbers is not None else np.arange(len(df)) + raw.header_row + 1
        header = {normal[i]: written[i] for i in range(len(names)) if normal[i] in _COLUMNS[table]}
        position = {c: normal.index(c) for c in header if normal.count(c) == 1}
        commas = {c for c in position if tm.decimal == "," and _COLUMNS[table][c].kind in ("amount", "number")}
        changed = {c for c in (*tm.value_maps, *tm.dates, *tm.scale, *commas) if c in position}
        original = pd.DataFrame({c: df.iloc[:, position[c]].astype(object) for c in changed}, index=df.index).set_axis(
            pd.Index(rows, name="row"), axis=0
        )
        notes = _Notes(header, original)
        for column, i in position.items():
            s = df.iloc[:, i]
            if column in commas:  # 1.234,56 -> 1234.56
                s = as_text(s).str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
            if column in tm.value_maps:
                s = _map_values(s, tm.value_maps[column])
            if column in tm.dates and not pd.api.types.is_datetime64_any_dtype(s):
                s = _parse_dates(s, tm.dates[column])
            if column in tm.scale:
                s = scale_amounts(s, tm.scale[column])
            if _COLUMNS[table][column].kind == "category":
                notes.unmapped[column] = self._unmapped(tm, column, s, df.iloc[:, i], rows)
            if column in changed:
                df.isetitem(i, s.array)
        shaped = RawTable(
            df, header_row=raw.header_row, nan_cells=raw.nan_cells, row_numbers=raw.row_numbers, bad_rows=raw.bad_rows
        )
        return shaped, notes, []

    def _unmapped(self, tm: TableMapping, column: str, mapped: pd.Series, typed: pd.Series, rows) -> str:
        """The rule of the one message for the values of coded ``column`` that are not allowed
        (``""`` when every value is allowed): each value as typed, with its rows.
        """
        allowed = _COLUMNS[tm.table][column].allowed
        key = category_key(as_text(mapped.astype(object)))
        bad = (key.notna() & ~key.isin(allowed)).to_numpy()
        if not bad.any():
            return ""
        seen = pd.DataFrame({"value": as_text(typed.astype(object))[bad], "row": np.asarray(rows)[bad]})
        per_value = seen.groupby("value", sort=False)["row"].agg(["size", "min", _first_three])
        per_value.columns = ["n", "first", "rows"]
        shown = []
        for value, n, _, first_rows in per_value.itertuples():  # one per distinct value, not per row
            where = ", ".join(map(str, first_rows)) + (f" and {n - 3:,} more" if n > 3 else "")
            shown.append(f"{value!r} ({'row' if n == 1 else 'rows'} {where})")
        return (
            f"{len(shown)} value(s) not mapped to a {column} the contract allows: {', '.join(shown)}; "
            f"allowed: {', '.join(allowed)}; map each to one of those under tables.{tm.table}.values.{column} "
            f"in {self.path.name}"
        )

    # ------------------------------------------------------------------ messages in the PMO's words
    def relabel(self, collectors: dict[str, Collector]) -> None:
        """Name the PMO's own headers in the problems of the mapped tables, show mapped, parsed or
        scaled cells as typed, and, unless every row must be listed (``on_error="drop"``), make the
        values of a coded column that no entry maps one problem. Updates ``collectors`` in place.
        """
        for table, collector in collectors.items():
            notes = self._notes.get(table)
            if notes is None:
                continue
            collapse = collector.limit is not None
            summarised: set[str] = set()
            new: dict[int, Problem] = {}
            kept: list[Problem] = []
            for p in collector.problems:
                column = p.column or ""
                if collapse and notes.unmapped.get(column) and p.rule.startswith("must be one of "):
                    if column not in summarised:
                        summarised.add(column)
                        kept.append(Problem(table, p.file, None, notes.header[column], None, notes.unmapped[column]))
                    continue
                new[id(p)] = self._relabel(table, p, notes)
                kept.append(new[id(p)])
            collector.problems = kept
            collector.fatal = [new.get(id(p), p) for p in collector.fatal]

    def _relabel(self, table: str, p: Problem, notes: _Notes) -> Problem:
        def name(column: str) -> str:
            return notes.header.get(column, column)

        column = p.column
        value = p.value
        row = p.row
        if (
            isinstance(row, int)
            and column is not None
            and column in notes.original.columns
            and row in notes.original.index
        ):
            value = _shown(notes.original.loc[row, column])
        rule, more = p.rule, ""
        m = re.match(r"^(.*) (\(and [\d,]+ more rows\))$", rule, flags=re.S)
        if m:
            rule, more = m.group(1), " " + m.group(2)
        fmt = self.tables[table].dates.get(column or "")
        if fmt and rule.startswith(("not a date YYYY-MM-DD", "not a month YYYY-MM")):
            rule = f"not a date in the mapping's format {fmt!r} (such as {pd.Timestamp('2026-03-31').strftime(fmt)!r})"
        for t, start, end in ORDERED_DATES:
            if t == table and rule == ordered_rule(start, end):
                rule = f"{name(end)!r} is before {name(start)!r}"
        for ref_column, ref_table, ref_col in references(table):
            if rule == reference_rule(ref_table, ref_col) and column == ref_column:
                other = self.tables.get(ref_table)
                in_table = f"the {ref_table} of {other.shown}" if other else ref_table
                rule = f"unknown {name(ref_column)!r}: not in {in_table}"
        if column:
            column = ", ".join(name(c) for c in column.split(", "))
        return replace(p, column=column, value=value, rule=rule + more)


def _header_on(raw: RawTable, row: int) -> RawTable:
    """``raw`` read again with its header on spreadsheet row ``row``: the rows above it (a title,
    notes) are not data. Raises :class:`ReadError` when that row is above the first row with text
    or below the last.
    """
    if row == raw.header_row:
        return raw
    k = row - raw.header_row - 1  # position of the header among the rows read as data
    if k < 0 or k >= len(raw.df) or raw.row_numbers is not None:
        first = f"the first row with text is row {raw.header_row}"
        raise ReadError(
            f"header_row {row} is not a row of the table: {first}, the last row {raw.header_row + len(raw.df)}"
        )
    header = as_text(raw.df.iloc[k].astype(object)).fillna("")
    names = [str(v) if str(v).strip() else f"Unnamed: {i}" for i, v in enumerate(header)]
    body = raw.df.iloc[k + 1 :].reset_index(drop=True).set_axis(names, axis=1)
    nan_cells = {i: cells[k + 1 :] for i, cells in raw.nan_cells.items()}
    return RawTable(body, header_row=row, nan_cells=nan_cells, bad_rows=raw.bad_rows)


def _first_three(rows: pd.Series) -> list:
    return rows.head(3).tolist()


def _shown(cell: Any) -> Any:
    """A cell as a message shows it: a date cell as its date, a whole number without ``.0``."""
    if cell is None or (isinstance(cell, float) and math.isnan(cell)):
        return ""
    if hasattr(cell, "isoformat") and hasattr(cell, "year"):
        return pd.Timestamp(cell).date().isoformat()
    if hasattr(cell, "item"):
        cell = cell.item()
    return cell


def _percent_columns(table: str) -> tuple[str, ...]:
    return tuple(c.name for c in SCHEMA[table] if c.unit.startswith("%"))


_COLUMNS: dict[str, dict[str, Column]] = {t: {c.name: c for c in cols} for t, cols in SCHEMA.items()}


def _map_values(s: pd.Series, table: dict[str, str | None]) -> pd.Series:
    """``s`` with each value that has an entry in ``table`` (keys stripped and case-folded) replaced."""
    text = as_text(s.astype(object))
    key = text.str.casefold()
    hit = key.isin(list(table)).to_numpy()
    if not hit.any():
        return s
    mapped = key.map(table)
    return s.astype(object).where(~hit, mapped.astype(object).where(mapped.notna(), None))


def _parse_dates(s: pd.Series, fmt: str) -> pd.Series:
    """``s`` with the cells that ``fmt`` reads as dates; other cells as they are, for validation."""
    parsed = pd.to_datetime(as_text(s.astype(object)), format=fmt, errors="coerce")
    ok = parsed.notna().to_numpy()
    if ok.all():
        return parsed
    return s.astype(object).where(~ok, parsed.astype(object))


# --------------------------------------------------------------------------- reading the mapping file
def open_file_mapping(path: str | Path) -> FileMapping:
    """The :class:`FileMapping` of a mapping file; a mistake in it is one line naming the entry.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "tracker.csv").write_text("Code,Name")
    >>> _ = (folder / "m.yml").write_text("tables: {projects: {file: tracker.csv, columns: {Code: id}}}")
    >>> open_file_mapping(folder / "m.yml")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    pmo_analysis.core.exceptions.ParameterError: .../m.yml: tables.projects.columns maps 'Code' to 'id', \
which is not a column of projects; its columns are project_id, name, department, status, start_date, \
end_date, budget, sponsor, manager, strategic_objective, strategic_alignment, risk_score, \
percent_complete, status_date
    """
    from pmo_analysis.core.yaml_files import read_yaml

    path = Path(path)
    spec = read_yaml(path, what="mapping file")
    if mapping_kind(spec, path) != "files":
        raise ParameterError(f"{path}: a database mapping file (it has 'url:'), not a mapping of files")
    shown = str(path)  # as given, as the YAML loader names it

    def fail(message: str) -> ParameterError:
        return ParameterError(f"{shown}: {message}")

    unknown = [str(k) for k in spec if k not in _TOP_KEYS]
    if unknown:
        raise fail(f"unknown field(s) {', '.join(unknown)}; a mapping of files has {', '.join(_TOP_KEYS)}")
    workbook = spec.get("workbook")
    if workbook is not None and not (isinstance(workbook, str) and workbook.strip()):
        raise fail(f"workbook must name an .xlsx file, got {workbook!r}")
    tables = spec.get("tables")
    if not isinstance(tables, dict) or not tables:
        raise fail(f"'tables:' must map contract tables ({', '.join(TABLES)}) to their file or sheet")
    sheets: dict[Path, list[str]] = {}
    mapped = {}
    for name, entry in tables.items():
        table = str(name).strip().lower()
        if table not in SCHEMA:
            raise fail(f"tables names {name!r}, which is not a contract table; use {', '.join(TABLES)}")
        if table in mapped:
            raise fail(f"tables names {table!r} twice")
        mapped[table] = _table_mapping(path, table, entry, workbook, sheets, fail)
    return FileMapping(path=path, tables=mapped)


def _table_mapping(path: Path, table: str, entry: Any, workbook: str | None, sheets, fail) -> TableMapping:
    where = f"tables.{table}"
    if not isinstance(entry, dict):
        raise fail(
            f"{where} must be a mapping with file: or sheet: (and columns:, values:, dates:, scale:), got {entry!r}"
        )
    unknown = [str(k) for k in entry if k not in _TABLE_KEYS]
    if unknown:
        raise fail(f"{where}: unknown field(s) {', '.join(unknown)}; use {', '.join(_TABLE_KEYS)}")
    written = entry.get("file", workbook)
    if not isinstance(written, str) or not written.strip():
        raise fail(f"{where} names no file: give file: (or a workbook: above tables: for a sheet), got {written!r}")
    file = (path.parent / written.strip()).resolve() if not Path(written.strip()).is_absolute() else Path(written)
    if file.suffix.lower() not in _SUFFIXES:
        hint = "; save it as .xlsx" if file.suffix.lower() in (".xls", ".xlsm", ".xlsb", ".ods") else ""
        raise fail(f"{where}.file {written!r} is not a .csv, .xlsx or .parquet file{hint}")
    if not file.is_file():
        raise fail(f"{where}.file {written!r} does not exist (looked for {file})")
    shown = written.strip()
    sheet = entry.get("sheet")
    if file.suffix.lower() == ".xlsx":
        names = sheets.setdefault(file, _sheet_names(file, fail, where))
        sheet = names[0] if sheet is None else _sheet(names, str(sheet), written, fail, where)
        shown = f"{shown} [sheet {sheet}]"
    elif sheet is not None:
        raise fail(f"{where}.sheet: {written!r} is not a workbook; sheet: is for .xlsx files")
    header_row = entry.get("header_row")
    if header_row is not None and not (
        isinstance(header_row, int) and not isinstance(header_row, bool) and header_row > 0
    ):
        raise fail(f"{where}.header_row must be the spreadsheet row of the header (1, 2, ...), got {header_row!r}")
    if header_row is not None and file.suffix.lower() == ".parquet":
        raise fail(f"{where}.header_row: {written!r} is a Parquet file, whose header is its column names")
    delimiter = entry.get("delimiter", ",")
    if "delimiter" in entry and file.suffix.lower() != ".csv":
        raise fail(f"{where}.delimiter: {written!r} is not a CSV file; delimiter: is for .csv files")
    if not (isinstance(delimiter, str) and len(delimiter) == 1 and delimiter not in '"\r\n'):
        raise fail(f"{where}.delimiter must be one character such as ';' or '\\t' (in quotes), got {delimiter!r}")
    decimal = entry.get("decimal", ".")
    if "decimal" in entry and file.suffix.lower() != ".csv":
        raise fail(f"{where}.decimal: {written!r} is not a CSV file; decimal: is for .csv files")
    if decimal not in (".", ","):
        raise fail(f"{where}.decimal must be '.' or ',' (in quotes), got {decimal!r}")
    columns = _COLUMNS[table]
    rename, spelled = _renames(entry.get("columns"), table, where, fail)
    by_header = {h: c for h, c in rename.items()}

    def column_of(key: Any, what: str) -> Column:
        text = str(key).strip()
        found = columns.get(text.lower()) or columns.get(by_header.get(text.casefold(), ""))
        if found is None:
            raise fail(
                f"{where}.{what} names {key!r}, which is neither a column of {table} nor a header the mapping "
                f"renames; its columns are {', '.join(columns)}"
            )
        return found

    values = {}
    for key, entries in _mapping(entry.get("values"), f"{where}.values", fail).items():
        column = column_of(key, "values")
        values[column.name] = _value_map(column, entries, f"{where}.values.{key}", fail)
    dates = {}
    date_columns = [c for c in columns.values() if c.kind in ("date", "month")]
    given = entry.get("dates")
    if isinstance(given, str):
        given = {c.name: given for c in date_columns}
    for key, fmt in _mapping(given, f"{where}.dates", fail).items():
        column = column_of(key, "dates")
        if column.kind not in ("date", "month"):
            raise fail(
                f"{where}.dates names {key!r}, which is not a date column; the date columns of {table} are "
                + ", ".join(c.name for c in date_columns)
            )
        dates[column.name] = _date_format(fmt, column, f"{where}.dates.{key}", fail)
    scale = {}
    for key, unit in _mapping(entry.get("scale"), f"{where}.scale", fail).items():
        column = column_of(key, "scale")
        if column.kind not in ("amount", "number"):
            raise fail(
                f"{where}.scale names {key!r}, which is not a number column; scale the money columns of {table}: "
                + ", ".join(c.name for c in columns.values() if c.kind == "amount")
            )
        scale[column.name] = _factor(unit, f"{where}.scale.{key}", fail)
    return TableMapping(
        table, file, shown, sheet, header_row, delimiter, decimal, rename, spelled, values, dates, scale
    )


def _mapping(value: Any, where: str, fail) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise fail(f"{where} must be a mapping, got {value!r}")
    return value


def _sheet_names(file: Path, fail, where: str) -> list[str]:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(file, read_only=True)
    except Exception as exc:  # noqa: BLE001 - not a workbook: one line
        raise fail(f"{where}.file {file.name!r} cannot be read as a workbook: {exc}") from None
    try:
        return list(wb.sheetnames)
    finally:
        wb.close()


def _sheet(names: list[str], sheet: str, written: str, fail, where: str) -> str:
    if sheet in names:
        return sheet
    close = [n for n in names if n.strip().casefold() == sheet.strip().casefold()]
    if len(close) == 1:
        return close[0]
    raise fail(f"{where}.sheet {sheet!r} is not a sheet of {written}; its sheets are {', '.join(map(repr, names))}")


def _renames(value: Any, table: str, where: str, fail) -> tuple[dict[str, str], dict[str, str]]:
    columns = _COLUMNS[table]
    rename: dict[str, str] = {}
    spelled: dict[str, str] = {}
    headers: dict[str, str] = {}
    for header, target in _mapping(value, f"{where}.columns", fail).items():
        text = str(header).strip()
        if not text:
            raise fail(f"{where}.columns has an empty header")
        name = str(target).strip().lower() if isinstance(target, str) else None
        if name not in columns:
            raise fail(
                f"{where}.columns maps {header!r} to {target!r}, which is not a column of {table}; "
                f"its columns are {', '.join(columns)}"
            )
        if name in headers:
            raise fail(f"{where}.columns maps both {headers[name]!r} and {header!r} to {name!r}: keep one")
        if text.casefold() in rename:
            raise fail(f"{where}.columns names the header {header!r} twice")
        headers[name] = str(header)
        rename[text.casefold()] = name
        spelled[text.casefold()] = text
    return rename, spelled


def _value_map(column: Column, entries: Any, where: str, fail) -> dict[str, str | None]:
    if not isinstance(entries, dict) or not entries:
        raise fail(f"{where} must map your values to the contract's, such as {{In Progress: active}}, got {entries!r}")
    out: dict[str, str | None] = {}
    for theirs, ours in entries.items():
        for v in (theirs, ours):
            if isinstance(v, bool):
                raise fail(f"{where}: YAML reads {v!r} as true/false: write the value in quotes")
        key = str(theirs).strip().casefold()
        if ours is None or (isinstance(ours, str) and not ours.strip()):
            if column.required:
                raise fail(f"{where} maps {theirs!r} to empty, but {column.name} is required")
            target = None
        else:
            target = str(ours).strip()
            if column.kind == "category":
                target = category_key(pd.Series([target])).iloc[0]
                if target not in column.allowed:
                    raise fail(
                        f"{where} maps {theirs!r} to {ours!r}, which {column.name} does not allow; "
                        f"use one of {', '.join(column.allowed)}"
                    )
        if key in out and out[key] != target:
            raise fail(f"{where} maps {theirs!r} twice, to {out[key]!r} and {target!r}")
        out[key] = target
    return out


def _date_format(fmt: Any, column: Column, where: str, fail) -> str:
    if not isinstance(fmt, str) or "%" not in fmt:
        raise fail(f"{where} must be a date format such as '%d/%m/%Y' (in quotes), got {fmt!r}")
    if not re.search("%[Yy]", fmt) or (column.kind == "date" and not re.search("%[dj]", fmt)):
        needs = "a year (%Y)" if column.kind == "month" else "a year (%Y) and a day (%d)"
        raise fail(f"{where}: the format {fmt!r} needs {needs}")
    try:
        example = pd.Timestamp("2026-03-31").strftime(fmt)
        if pd.isna(pd.to_datetime(pd.Series([example]), format=fmt, errors="coerce").iloc[0]):
            raise ValueError(fmt)
    except ValueError:
        raise fail(f"{where}: {fmt!r} is not a date format pandas can read (see Python's strftime codes)") from None
    return fmt


def _factor(unit: Any, where: str, fail) -> float:
    if isinstance(unit, (int, float)) and not isinstance(unit, bool):
        factor = float(unit)
    elif isinstance(unit, str) and unit_factor(unit) is not None:
        factor = float(unit_factor(unit) or 0)
    else:
        raise fail(
            f"{where} must be a number or a unit ({', '.join(u for u in UNITS if not u.endswith('s'))}, "
            f"with a currency mark such as k$ or $M), got {unit!r}"
        )
    if not (math.isfinite(factor) and factor > 0):
        raise fail(f"{where} must be a number greater than 0, got {unit!r}")
    return factor


def read_problem(tm: TableMapping, exc: Exception) -> Problem:
    """The one problem of a mapped file that cannot be read."""
    rule = str(exc) if isinstance(exc, ReadError) else f"cannot read the file: {exc}"
    return Problem(tm.table, tm.shown, None, None, None, rule)
