"""Load a portfolio data folder into typed DataFrames and validate it against the data contract.

The contract is documented in ``docs/data-dictionary.md`` and declared once, in :data:`SCHEMA`.

A data folder holds one file per table (``<table>.csv``, ``<table>.xlsx`` or ``<table>.parquet``)
or one workbook ``portfolio.xlsx`` with one sheet per table. Column names are matched
case-insensitively with surrounding spaces stripped; extra columns are kept.

Loading never guesses: a value that cannot be read as its type is reported (file, spreadsheet
row, column, value, rule), every problem is collected before raising, and nothing is silently
dropped or coerced. Non-fatal oddities are returned as warnings.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
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


@dataclass(frozen=True)
class Column:
    """One column of the contract.

    kind is one of ``id`` (non-empty text), ``text``, ``date``, ``month``, ``amount`` (a number
    >= 0, thousands separators allowed), ``number`` and ``category``.
    """

    name: str
    kind: str
    required: bool = True
    unique: bool = False
    min: float | None = None
    max: float | None = None
    min_inclusive: bool = True
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


def _read_csv(path: Path) -> pd.DataFrame:
    """Read a CSV as text, accepting UTF-8 (with or without Excel's BOM) and GB18030/GBK."""
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes almost any byte string
        raise DataValidationError([Problem(path.stem, path.name, None, None, None,
                                           "cannot decode the file: save it as UTF-8 CSV")])
    from io import StringIO

    return pd.read_csv(StringIO(text), dtype=str, keep_default_na=False, skipinitialspace=False)


def _read_table(path: Path, sheet: str | None = None) -> pd.DataFrame:
    if path.suffix == ".csv":
        return _read_csv(path)
    if path.suffix == ".xlsx":
        return pd.read_excel(path, sheet_name=sheet or 0, dtype=object)
    return pd.read_parquet(path)


def _normalise_columns(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy(deep=False)
    df.columns = [str(c).strip().lower() for c in df.columns]
    return df


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
        whole = np.isfinite(v) & (np.mod(v, 1) == 0)
        text = np.where(whole, np.char.mod("%d", np.where(whole, v, 0).astype(np.int64)), v.astype(str))
        return pd.Series(text, index=s.index, dtype="string").mask(np.isnan(v))
    if not (pd.api.types.is_object_dtype(s) or pd.api.types.is_string_dtype(s)):
        s = s.astype(object).where(s.notna(), None)
        s = s.map(lambda v: v if v is None else (str(int(v)) if isinstance(v, float)
                                                 and v.is_integer() else str(v)))
    out = s.astype("string").str.strip()
    return out.mask(out == "")


_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


def _parse_number(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Return (values, bad mask). Thousands separators like ``1,200,000`` are accepted."""
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        return s.astype("float64"), pd.Series(False, index=s.index)
    text = _as_text(s)
    cleaned = text.where(~text.str.match(_THOUSANDS, na=False), text.str.replace(",", "", regex=False))
    values = pd.to_numeric(cleaned, errors="coerce").astype("float64")
    bad = text.notna() & (values.isna() | ~np.isfinite(values.fillna(0)))
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
    def __init__(self, table: str, file: str, row_numbers: pd.Series):
        self.table, self.file, self.rows = table, file, row_numbers
        self.problems: list[Problem] = []
        self.bad_index: set = set()

    def add(self, mask: pd.Series, column: str | None, values: pd.Series | None, rule: str,
            severity: str = "error") -> None:
        if not mask.any():
            return
        idx = mask[mask].index
        if severity == "error":
            self.bad_index.update(idx)
        for i in idx[:_MAX_LISTED]:
            value = None if values is None else values.loc[i]
            if value is not None and pd.isna(value):
                value = ""
            if isinstance(value, pd.Timestamp):
                value = value.date().isoformat()
            elif hasattr(value, "item"):  # numpy scalar -> plain Python for a readable repr
                value = value.item()
            self.problems.append(Problem(self.table, self.file, int(self.rows.loc[i]), column,
                                         value, rule, severity))
        if len(idx) > _MAX_LISTED:
            self.problems.append(Problem(self.table, self.file, None, column, None,
                                         f"{rule} (and {len(idx) - _MAX_LISTED:,} more rows)",
                                         severity))

    def whole(self, rule: str, column: str | None = None, severity: str = "error") -> None:
        self.problems.append(Problem(self.table, self.file, None, column, None, rule, severity))


def _fmt_bound(col: Column) -> str:
    lo = "" if col.min is None else (f">= {col.min:g}" if col.min_inclusive else f"> {col.min:g}")
    hi = "" if col.max is None else f"<= {col.max:g}"
    return " and ".join(x for x in (lo, hi) if x)


def _validate_table(table: str, raw: pd.DataFrame, file: str, header_row: int = 1,
                    text_source: bool = True) -> tuple[pd.DataFrame | None, _Collector]:
    df = _normalise_columns(raw)
    # row number as a spreadsheet user sees it: header on `header_row`, data just below
    rows = pd.Series(np.arange(len(df)) + header_row + 1, index=df.index)
    col = _Collector(table, file, rows)

    dupes = df.columns[df.columns.duplicated()].unique()
    for d in dupes:
        col.whole(f"column {d!r} appears more than once", d)
    if len(dupes):
        return None, col

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
            values, bad = _parse_number(s)
            col.add(bad, c.name, _as_text(s) if bad.any() else None, "not a number")
            if c.required:
                col.add(values.isna() & ~bad, c.name, values, "must not be empty; a number")
            lo_bad = pd.Series(False, index=values.index)
            if c.min is not None:
                lo_bad = values < c.min if c.min_inclusive else values <= c.min
            hi_bad = values > c.max if c.max is not None else pd.Series(False, index=values.index)
            out_of_range = (lo_bad | hi_bad).fillna(False)
            if out_of_range.any():  # the text form is only needed to report the bad values
                col.add(out_of_range, c.name, _as_text(s), "must be " + _fmt_bound(c))
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


def _drop_dependents(tables: dict[str, pd.DataFrame], collectors: dict[str, _Collector]) -> None:
    """In lenient mode, remove rows that refer to a dropped parent row."""
    for table, df in tables.items():
        for c in SCHEMA[table]:
            if c.references and c.name in df.columns:
                ref_table, ref_col = c.references.split(".")
                ref = tables.get(ref_table)
                if ref is not None:
                    gone = df[c.name].notna() & ~df[c.name].isin(ref[ref_col])
                    collectors[table].add(gone, c.name, df[c.name],
                                          f"dropped: its {ref_table} row was invalid",
                                          severity="dropped")
                    tables[table] = df.loc[~gone]
                    df = tables[table]


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
    for table in TABLES:
        if table not in files or table not in wanted:
            continue
        path = files[table]
        label = path.name if table not in sheets else f"{path.name} [sheet {sheets[table]}]"
        try:
            raw = _read_table(path, sheets.get(table))
        except Exception as exc:  # unreadable file: report it as a problem, keep going
            problems.append(Problem(table, label, None, None, None, f"cannot read the file: {exc}"))
            continue
        df, coll = _validate_table(table, raw, label, text_source=path.suffix != ".parquet")
        collectors[table] = coll
        if df is not None:
            loaded[table] = df

    if not problems:
        _check_references(loaded, collectors)
    if on_error == "drop":
        for table, coll in collectors.items():
            if table in loaded and coll.bad_index:
                loaded[table] = loaded[table].drop(index=list(coll.bad_index))
        _drop_dependents(loaded, collectors)
    _check_warnings(loaded, collectors, as_of_ts)

    all_problems = problems + [p for c in collectors.values() for p in c.problems]
    errors = [p for p in all_problems if p.severity == "error"]
    if errors and (on_error == "raise" or problems or len(loaded) < len(collectors)):
        raise DataValidationError(all_problems, str(data_dir))

    portfolio = Portfolio(data_dir=data_dir, files={t: files[t] for t in collectors})
    for table, df in loaded.items():
        setattr(portfolio, table, df.reset_index(drop=True))
    portfolio.warnings = [p for p in all_problems if p.severity == "warning"]
    portfolio.dropped = [p for p in all_problems if p.severity in ("error", "dropped")]
    return portfolio

