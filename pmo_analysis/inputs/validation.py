"""Check raw tables against the data contract: type every value, collect every problem.

Loading never guesses: a value that cannot be read as its type is reported (file, spreadsheet
row, column, value, rule), every problem of a table is collected in its :class:`Collector` before
anything is raised, and nothing is silently dropped or coerced. Non-fatal oddities are warnings.

Numbers are finite and plausible in every format: ``inf``, ``-inf`` and ``nan`` (text in a CSV
or a workbook, floats in Parquet) are "not a number"; an empty cell (a Parquet null) stays empty;
a number outside its column's range, or larger than its limit in absolute value
(:data:`~pmo_analysis.inputs.schema.AMOUNT_LIMIT`, 1e15), is reported. Only ISO year-first dates are
read (``2026-03-04``; ``03/04/2026`` is ambiguous and reported).

The steps, in the order :func:`pmo_analysis.inputs.portfolio.load_portfolio` runs them: :func:`validate_table`
for each table, :func:`check_references` across tables, :func:`drop_invalid_rows` (lenient mode
only) and :func:`check_warnings`. Each works on whole columns: no Python loop over rows.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from pmo_analysis.core.bounds import DATE_RANGE as _DATE_RANGE
from pmo_analysis.core.bounds import DATE_RANGE_TEXT, format_number
from pmo_analysis.core.exceptions import Problem
from pmo_analysis.inputs.readers import RawTable, column_letter
from pmo_analysis.inputs.schema import ORDERED_DATES, REQUIRED_TABLES, SCHEMA, UNIQUE_KEYS, Column, references

if TYPE_CHECKING:
    from pmo_analysis.inputs.engine import OutOfCoreTable

__all__ = [
    "unknown_distinct",
    "RuleRecorder",
    "key_labels",
    "MAX_LISTED",
    "UNIQUE_RULE",
    "Collector",
    "as_text",
    "category_key",
    "parse_number",
    "validate_table",
    "check_references",
    "check_cashflow_periods",
    "check_warnings",
    "drop_invalid_rows",
]

MAX_LISTED = 25
"""Problems listed per (table, column, rule) before the rest are summarised in one line."""

# Rules that the out-of-core engine (pmo_analysis.inputs.engine) checks in SQL: their words are written once, here.
UNIQUE_RULE = "duplicate value: must be unique"
OUTSIDE_ACTIVE_RULE = "hours booked outside the resource's active dates"


def ordered_rule(start: str, end: str) -> str:
    return f"{end} is before {start}"


def unique_key_rule(keys: tuple[str, ...]) -> str:
    return f"duplicate ({', '.join(keys)}): must be unique"


def reference_rule(ref_table: str, ref_col: str) -> str:
    return f"unknown {ref_col}: not in {ref_table}"


def dropped_rule(ref_table: str) -> str:
    return f"dropped: its {ref_table} row was invalid"


def weekend_rule(n: int) -> str:
    return f"{n:,} entries fall on a Saturday or Sunday; they count as booked hours"


# --------------------------------------------------------------------------- columns and parsing values
def _normalise_columns(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy(deep=False)
    df.columns = [str(c).strip().lower() for c in df.columns]
    return df


def _as_text(s: pd.Series) -> pd.Series:
    """Strip text; empty strings and missing values become <NA>.

    A categorical column (Parquet dictionary columns, such as ids in large timesheets) is
    cleaned on its categories and stays categorical, which keeps 10 million rows cheap.
    """
    if isinstance(s.dtype, pd.CategoricalDtype):
        cats = pd.Index(s.cat.categories.astype(str)).str.strip()
        out: pd.Series = (
            s.cat.rename_categories(cats) if cats.is_unique else s.astype(str).str.strip().astype("category")
        )
        if "" in out.cat.categories:
            out = out.cat.remove_categories([""])
        return out
    if pd.api.types.is_float_dtype(s) or pd.api.types.is_integer_dtype(s):
        v = s.to_numpy(dtype=float, na_value=np.nan)
        exact = np.isfinite(v) & (np.abs(v) < 2.0**53)  # whole numbers print without ".0"
        whole = exact & (np.mod(np.where(exact, v, 0), 1) == 0)
        text = np.where(whole, np.char.mod("%d", np.where(whole, v, 0).astype(np.int64)), v.astype(str))
        return pd.Series(text, index=s.index, dtype="string").mask(np.isnan(v))
    if not (pd.api.types.is_object_dtype(s) or pd.api.types.is_string_dtype(s)) or (
        pd.api.types.is_object_dtype(s)
        and pd.api.types.infer_dtype(s, skipna=True) in ("floating", "mixed-integer-float", "mixed")
    ):
        # workbook cells: 656.0 is the id 656, not "656.0"
        s = s.astype(object).where(s.notna(), None)
        s = s.map(
            lambda v: (
                v
                if v is None
                else (str(int(v)) if isinstance(v, float) and v.is_integer() and abs(v) < 2**53 else str(v))
            )
        )
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
        bad: pd.Series = pd.Series(np.isinf(v), index=s.index)
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


def as_text(s: pd.Series) -> pd.Series:
    """The cells of ``s`` as the text validation reads: stripped, empty as <NA>, a whole number
    of a workbook cell without ``.0`` (``656.0`` is ``'656'``), other numbers as Python prints them.
    """
    return _as_text(s)


def parse_number(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(the numbers of ``s`` as validation reads them, the cells that are not a finite number)."""
    return _parse_number(s)


def category_key(text: pd.Series) -> pd.Series:
    """A category value as it is matched: lower case, spaces and hyphens as ``_`` (``On Hold`` is ``on_hold``)."""
    return text.str.lower().str.replace(r"[\s-]+", "_", regex=True)


DATE_RANGE = (pd.Timestamp(_DATE_RANGE[0]), pd.Timestamp(_DATE_RANGE[1]))
"""Dates a portfolio can hold (:data:`pmo_analysis.core.bounds.DATE_RANGE`); a date outside is a
typing error in the year and is reported, never a crash (a range as wide as the timestamp's own,
1678 to 2261, made a milestone of 1700 overflow against a 2026 as-of date)."""
DATE_RANGE_RULE = f"must be {DATE_RANGE_TEXT} (a typing error in the year?)"


def _in_date_range(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(``values`` as nanosecond timestamps, with dates outside :data:`DATE_RANGE` empty; the mask of those)."""
    far = values.notna() & ((values < DATE_RANGE[0]) | (values > DATE_RANGE[1]))
    if far.any():
        values = values.mask(far)
    return values.astype("datetime64[ns]"), far


def _parse_date(s: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(dates, cells that are not a date, dates outside :data:`DATE_RANGE`)."""
    if pd.api.types.is_datetime64_any_dtype(s):
        out = s.dt.tz_localize(None) if getattr(s.dt, "tz", None) is not None else s
        values, far = _in_date_range(out)
        return values, pd.Series(False, index=s.index), far
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
    values, far = _in_date_range(values)
    bad = text.notna() & values.isna() & ~far
    return values, bad, far


# --------------------------------------------------------------------------- collecting problems
class Collector:
    """Problems found in one table, and the rows they make invalid.

    ``limit`` caps the rows listed per (column, rule), the rest summarised in one line; ``None``
    lists every row (on_error="drop", where each dropped row must be accounted for).
    ``fatal`` holds the problems no row removal can fix (a missing column, an empty table...).
    """

    def __init__(self, table: str, file: str, row_numbers: pd.Series, limit: int | None = MAX_LISTED):
        self.table, self.file, self.rows, self.limit = table, file, row_numbers, limit
        self.problems: list[Problem] = []
        self.fatal: list[Problem] = []
        self._bad: list[pd.Index] = []

    @property
    def bad_index(self) -> pd.Index:
        """Index labels of the rows with at least one error."""
        return pd.Index(np.unique(np.concatenate([i.to_numpy() for i in self._bad]))) if self._bad else pd.Index([])

    def add(
        self, mask: pd.Series, column: str | None, values: pd.Series | None, rule: str, severity: str = "error"
    ) -> None:
        """Report the rows where ``mask`` is true, showing their value in ``values``.

        An ``"error"`` makes the rows invalid; ``"warning"`` and ``"dropped"`` only list them.
        """
        if not mask.any():
            return
        idx = mask.index[mask.to_numpy(dtype=bool)]
        if severity == "error":
            self._bad.append(idx)
        listed = idx if self.limit is None else idx[: self.limit]
        rows = self.rows.loc[listed].to_numpy()
        shown = [None] * len(listed) if values is None else values.loc[listed].astype(object).tolist()
        self.listed(rows, shown, column, rule, severity, len(idx) - len(listed))

    def listed(
        self, rows, shown: list, column: str | None, rule: str, severity: str, more: int, files: list[str] | None = None
    ) -> None:
        """Add one problem per row of ``rows`` showing its value in ``shown``, and a line counting the
        ``more`` rows not listed. ``files`` names each row's file when a table spans several files.
        """
        for k, (row, value) in enumerate(zip(rows, shown, strict=False)):
            if value is not None and pd.isna(value):
                value = ""
            if isinstance(value, pd.Timestamp):
                value = value.date().isoformat()
            elif hasattr(value, "item"):  # numpy scalar -> plain Python for a readable repr
                value = value.item()
            row = row if isinstance(row, str) else int(row)  # a database row is named by its key
            file = self.file if files is None else files[k]
            self.problems.append(Problem(self.table, file, row, column, value, rule, severity))
        if more > 0:
            self.problems.append(
                Problem(self.table, self.file, None, column, None, f"{rule} (and {more:,} more rows)", severity)
            )

    def whole(self, rule: str, column: str | None = None, severity: str = "error") -> None:
        """A problem with the whole table; an error of this kind cannot be fixed by dropping rows."""
        problem = Problem(self.table, self.file, None, column, None, rule, severity)
        self.problems.append(problem)
        if severity == "error":
            self.fatal.append(problem)


# --------------------------------------------------------------------------- one table
def validate_table(
    table: str, raw: RawTable, file: str, *, text_source: bool = True, limit: int | None = MAX_LISTED
) -> tuple[pd.DataFrame | None, Collector]:
    """Type table ``table`` as read from ``file`` and check it against its contract.

    Parameters
    ----------
    table : str
        Name of the table in :data:`~pmo_analysis.inputs.schema.SCHEMA`.
    raw : RawTable
        The table as read, every value untyped.
    file : str
        How problems name the file (``projects.csv``, ``portfolio.xlsx [sheet Projects]``).
    text_source : bool
        The file holds text cells (CSV, Excel): rows that are entirely blank are not data.
    limit : int or None
        Rows listed per (column, rule); ``None`` lists every row.

    Returns
    -------
    (DataFrame or None, Collector)
        The typed table (``None`` when a problem with the whole table, such as a missing column,
        leaves nothing to type) and the problems found.
    """
    df = _normalise_columns(raw.df)
    # row number as a spreadsheet user sees it: header on `header_row`, data just below
    numbers = np.arange(len(df)) + raw.header_row + 1 if raw.row_numbers is None else raw.row_numbers
    collector = Collector(table, file, pd.Series(numbers, index=df.index), limit)
    _report_unread_rows(collector, raw.bad_rows)
    if _report_repeated_columns(collector, raw.df.columns, df.columns):
        return None, collector
    nan_cells = {df.columns[i]: pd.Series(m, index=df.index) for i, m in raw.nan_cells.items()}
    if len(df) and text_source:  # trailing / interspersed fully blank rows (Excel leaves them) are not data
        keep = ~_blank_rows(df)
        df, collector.rows = df.loc[keep], collector.rows.loc[keep]
    if not _has_required_columns_and_rows(collector, df):
        return None, collector
    out = df.copy()
    for c in SCHEMA[table]:
        if c.name in out.columns:
            out[c.name] = _typed_column(c, out[c.name], collector, nan_cells.get(c.name))
    _check_table_rules(out, collector)
    return out, collector


def _report_unread_rows(collector: Collector, bad_rows: list[tuple[int, str]]) -> None:
    """Rows the reader could not split into the header's columns, up to the collector's limit."""
    limit = collector.limit
    for k, (row, rule) in enumerate(bad_rows):
        if limit is not None and k == limit:
            collector.problems.append(
                Problem(
                    collector.table,
                    collector.file,
                    None,
                    None,
                    None,
                    f"rows with more values than the header has columns (and {len(bad_rows) - limit:,} more rows)",
                )
            )
            break
        collector.problems.append(Problem(collector.table, collector.file, row, None, None, rule))


def _report_repeated_columns(collector: Collector, written: pd.Index, names: pd.Index) -> bool:
    """Report each column name that repeats once normalised (``names``), showing the names as
    ``written`` and their column letters; True when there is any.
    """
    repeated = names[names.duplicated()].unique()
    for name in repeated:
        where = [f"{written[i]!r} in column {column_letter(i)}" for i in np.flatnonzero(names == name).tolist()]
        collector.whole(f"column {name!r} appears more than once ({', '.join(where)}): keep one", name)
    return len(repeated) > 0


def _blank_rows(df: pd.DataFrame) -> pd.Series:
    """Rows whose every cell is empty or spaces."""
    as_text = df.astype("string").apply(lambda c: c.str.strip())
    return (as_text.isna() | (as_text == "")).all(axis=1)


def _has_required_columns_and_rows(collector: Collector, df: pd.DataFrame) -> bool:
    """Report a missing required column or a table without data rows; False when there is one."""
    missing = [c.name for c in SCHEMA[collector.table] if c.required and c.name not in df.columns]
    if missing:
        collector.whole(
            "missing required column(s) "
            + ", ".join(repr(m) for m in missing)
            + f"; the file has {', '.join(map(repr, df.columns)) or 'no columns'}"
        )
        return False
    if df.empty and collector.table in REQUIRED_TABLES:  # an optional table with its header only: none
        collector.whole("the table is empty (header only): it needs at least one data row")
        return False
    return True


# --------------------------------------------------------------------------- one column
def _typed_column(c: Column, s: pd.Series, collector: Collector, nan: pd.Series | None) -> pd.Series:
    """Column ``s`` typed as ``c`` declares, every bad value reported; ``nan`` marks Parquet NaN cells."""
    if c.kind in ("id", "text"):
        values = _text_column(c, s, collector)
    elif c.kind == "category":
        values = _category_column(c, s, collector)
    elif c.kind in ("date", "month"):
        values = _date_column(c, s, collector)
    else:  # amount / number
        values = _number_column(c, s, collector, None if nan is None else nan.loc[s.index])
    if c.unique:
        dup = values.notna() & values.duplicated(keep=False)
        collector.add(dup, c.name, values, UNIQUE_RULE)
    return values


def _text_column(c: Column, s: pd.Series, collector: Collector) -> pd.Series:
    values = _as_text(s)
    if c.kind == "id":
        collector.add(values.isna(), c.name, values, "must not be empty")
    return values


def _category_column(c: Column, s: pd.Series, collector: Collector) -> pd.Series:
    """Categories are matched case-insensitively, spaces and hyphens read as ``_`` (``On hold``)."""
    text = _as_text(s)
    if isinstance(text.dtype, pd.CategoricalDtype):
        values = text.str.lower().str.replace(r"[\s-]+", "_", regex=True)  # done on the categories
    else:  # a few distinct values in many rows: each is read once
        codes, uniq = pd.factorize(text)
        norm = category_key(pd.Series(uniq, dtype=text.dtype))
        picked = np.append(norm.to_numpy(dtype=object), np.array([None]))[codes]  # code -1 (missing) takes the None
        values = pd.Series(picked, index=text.index, dtype=text.dtype)
    if c.required:
        collector.add(values.isna(), c.name, text, "must not be empty; one of " + ", ".join(c.allowed))
    collector.add(values.notna() & ~values.isin(c.allowed), c.name, text, "must be one of " + ", ".join(c.allowed))
    return values


def _date_column(c: Column, s: pd.Series, collector: Collector) -> pd.Series:
    """A date, or for a ``month`` column the first day of the month of a date or ``YYYY-MM``."""
    values, bad, far = _parse_date(s)
    expected = "a date YYYY-MM-DD" if c.kind == "date" else "a month YYYY-MM (or a date in it)"
    collector.add(bad, c.name, _as_text(s) if bad.any() else None, f"not {expected}")
    collector.add(far, c.name, _as_text(s) if far.any() else None, DATE_RANGE_RULE)
    if c.required:
        collector.add(values.isna() & ~bad & ~far, c.name, values, f"must not be empty; {expected}")
    if c.kind == "month":
        values = values.dt.to_period("M").dt.to_timestamp()
    return values


def _number_column(c: Column, s: pd.Series, collector: Collector, nan: pd.Series | None) -> pd.Series:
    """A finite number within the column's bounds and its limit."""
    values, bad = _parse_number(s, nan)
    if bad.any():
        shown = _as_text(s) if nan is None else _as_text(s).mask(nan, "nan")
        collector.add(bad, c.name, shown, "not a number")
    if c.required:
        collector.add(values.isna() & ~bad, c.name, values, "must not be empty; a number")
    v = values.to_numpy()
    out_of_range = c.bounds.outside(v)
    if out_of_range.any():  # the text form is only needed to report the bad values
        collector.add(
            pd.Series(out_of_range, index=values.index), c.name, _as_text(s), "must be " + c.bounds.describe()
        )
    huge = c.limit_bounds.outside(v) & ~out_of_range
    if huge.any():
        collector.add(
            pd.Series(huge, index=values.index),
            c.name,
            _as_text(s),
            f"must be at most {format_number(c.limit)} in absolute value (check the unit)",
        )
    return values


def _check_table_rules(out: pd.DataFrame, collector: Collector) -> None:
    """Rules across columns of one row: dates in order, keys unique together."""
    table = collector.table
    for t, start, end in ORDERED_DATES:
        if t == table and start in out.columns and end in out.columns:
            collector.add((out[end] < out[start]).fillna(False), end, out[end], ordered_rule(start, end))
    for t, keys in UNIQUE_KEYS:
        if t == table:
            dup = out.duplicated(list(keys), keep=False) & out[list(keys)].notna().all(axis=1)
            if dup.any():
                collector.add(dup, ", ".join(keys), key_text(out, keys, table), unique_key_rule(keys))
    if table in _DELIVERY_RULES:
        _DELIVERY_RULES[table](out, collector)


def key_text(out: pd.DataFrame, keys: tuple[str, ...], table: str) -> pd.Series:
    """The key of each row as shown in a message: ``PRJ-001 / 2026-03`` (a month), ``PRJ-001 / M1 /
    2026-05-31`` (a date).
    """
    parts = []
    for k in keys:
        col = out[k]
        if pd.api.types.is_datetime64_any_dtype(col):
            kind = next((c.kind for c in SCHEMA[table] if c.name == k), "date")
            col = col.dt.strftime("%Y-%m" if kind == "month" else "%Y-%m-%d")
        parts.append(col.astype(str))
    text = parts[0]
    for part in parts[1:]:
        text = text + " / " + part
    return text


# --------------------------------------------------------------------------- delivery tables
#: A milestone reached more than this many days before its baseline is a typing error (the year).
EARLY_ACTUAL_LIMIT_DAYS = 365
#: A cash flow more than this many months before its project's start_date is a typing error (the year).
CASHFLOW_BEFORE_START_MONTHS = 24
#: A cash flow more than this many months after its project's end_date is a typing error (the year):
#: benefits are reported for years after a project ends, so this bound is wider than the one before.
CASHFLOW_AFTER_END_MONTHS = 120


def _check_dependencies(out: pd.DataFrame, collector: Collector) -> None:
    """A project cannot depend on itself, and dependencies must not form a cycle: each cycle is
    one problem naming every project on it, in order, and the rows that make it.
    """
    pred, succ = out["predecessor_id"], out["successor_id"]
    collector.add(
        (pred == succ).fillna(False),
        "successor_id",
        succ,
        "a project cannot depend on itself (successor_id equals predecessor_id)",
    )
    import networkx as nx

    edges = out.loc[pred.notna() & succ.notna() & (pred != succ), ["predecessor_id", "successor_id"]]
    graph = nx.DiGraph()
    graph.add_edges_from(edges.itertuples(index=False, name=None))
    rows = collector.rows
    for component in sorted(nx.strongly_connected_components(graph), key=min):
        if len(component) < 2:
            continue
        cycle = nx.find_cycle(graph.subgraph(component), source=min(component))
        on_cycle = edges.set_index(["predecessor_id", "successor_id"]).index.isin(cycle)
        first = edges.index[on_cycle][0]
        path = " -> ".join([u for u, _ in cycle] + [cycle[0][0]])
        where = ", ".join(str(r) for r in rows.loc[edges.index[on_cycle]].sort_values())
        others = sorted(component - {u for u, _ in cycle})
        also = f"; {', '.join(others)} are in the same loop" if others else ""
        collector.add(
            out.index.to_series().eq(first),
            "successor_id",
            succ,
            f"dependency cycle {path} (rows {where}){also}: a project cannot wait for itself; "
            "remove or reverse one of these rows",
        )


def _check_milestones(out: pd.DataFrame, collector: Collector) -> None:
    """Several rows of one milestone each need their own status_date; a milestone reached years
    before its baseline is a typing error.
    """
    key = ["project_id", "milestone_id"]
    if "status_date" in out.columns:
        undated = out.duplicated(key, keep=False) & out["status_date"].isna() & out[key].notna().all(axis=1)
    else:
        undated = out.duplicated(key, keep=False) & out[key].notna().all(axis=1)
    collector.add(
        undated,
        "status_date",
        key_text(out, tuple(key), "milestones"),
        "several rows of one milestone (project_id, milestone_id): each needs its status_date",
    )
    if "actual_date" in out.columns:
        early = (out["baseline_date"] - out["actual_date"]).dt.days > EARLY_ACTUAL_LIMIT_DAYS
        collector.add(
            early.fillna(False),
            "actual_date",
            out["actual_date"],
            f"actual_date is more than {EARLY_ACTUAL_LIMIT_DAYS} days before baseline_date "
            "(a typing error in the year?)",
        )


def _check_risks(out: pd.DataFrame, collector: Collector) -> None:
    """A risk (as opposed to an issue, which has happened) needs its probability."""
    missing = out["kind"].eq("risk").fillna(False)
    if "probability" in out.columns:
        missing &= out["probability"].isna()
    collector.add(
        missing,
        "probability",
        out["risk_id"],
        "a risk needs a probability between 0 and 1 (only an issue may leave it empty)",
    )


_DELIVERY_RULES = {"dependencies": _check_dependencies, "milestones": _check_milestones, "risks": _check_risks}


# --------------------------------------------------------------------------- across tables
def _is_in(values: pd.Series, allowed: pd.Series) -> pd.Series:
    """``values.isin(allowed)``; for Arrow text, in Arrow (pandas makes a Python object of every
    allowed value first: a tenth of a second per reference to ten thousand projects).
    """
    if (
        isinstance(values.dtype, pd.StringDtype)
        and values.dtype.storage == "pyarrow"
        and isinstance(allowed.dtype, pd.StringDtype)
    ):
        import pyarrow as pa
        import pyarrow.compute as pc

        arr = pa.array(values)
        found = pc.fill_null(pc.is_in(arr, value_set=pa.array(allowed).cast(arr.type)), False)
        return pd.Series(found.to_numpy(zero_copy_only=False), index=values.index)
    return values.isin(allowed)


def in_memory(tables: dict[str, pd.DataFrame | OutOfCoreTable], name: str) -> pd.DataFrame | None:
    """Table ``name`` (``None`` when absent) of a kind never left in its files: only those of
    :data:`pmo_analysis.inputs.engine.OUT_OF_CORE` (the timesheets, which no table refers to) may be.
    """
    table = tables.get(name)
    assert table is None or isinstance(table, pd.DataFrame), f"{name} is left in its files"
    return table


def check_references(tables: dict[str, pd.DataFrame | OutOfCoreTable], collectors: dict[str, Collector]) -> None:
    """Report every value that refers to a row missing from its table, and every table that refers
    to a table the folder lacks (a table that is present but invalid is not reported again).
    """
    for table, df in tables.items():
        for column, ref_table, ref_col in references(table):
            if column not in df.columns:
                continue
            ref = in_memory(tables, ref_table)
            if ref is None:
                if ref_table not in collectors:  # absent, not merely invalid
                    collectors[table].whole(
                        f"refers to {ref_table}.{ref_col}, but the {ref_table!r} table is missing; add {ref_table}.csv",
                        column,
                    )
                continue
            if not isinstance(df, pd.DataFrame):  # a table left in its files (pmo_analysis.inputs.engine)
                df.check_references(tables, collectors[table], [(column, ref_table, ref_col)])
                continue
            values = df[column]
            unknown = values.notna() & ~_is_in(values, ref[ref_col].dropna())
            collectors[table].add(unknown, column, values, reference_rule(ref_table, ref_col))
    cf, projects = in_memory(tables, "cashflows"), in_memory(tables, "projects")
    if cf is not None and projects is not None and "cashflows" in collectors:
        check_cashflow_periods(cf, projects, collectors["cashflows"])


def _month_number(dates: pd.Series) -> pd.Series:
    """Months since year 0 (a float, NaN for no date): differences of months that cannot overflow."""
    dates = pd.to_datetime(dates)
    return dates.dt.year * 12 + dates.dt.month


def check_cashflow_periods(cf: pd.DataFrame, projects: pd.DataFrame, collector: Collector) -> None:
    """A cash flow far outside its project's dates is a typing error in the year (``1925-05`` for
    ``2025-05``), refused as milestones far from their baseline are: a month more than
    :data:`CASHFLOW_BEFORE_START_MONTHS` before the project's ``start_date``, or more than
    :data:`CASHFLOW_AFTER_END_MONTHS` after its ``end_date``. A project without those dates is not checked.
    """
    if not {"project_id", "period"} <= set(cf.columns) or "project_id" not in projects.columns:
        return
    dates = projects.dropna(subset=["project_id"]).drop_duplicates("project_id").set_index("project_id")
    month = _month_number(cf["period"])
    shown = cf["period"].dt.strftime("%Y-%m")
    for column, months, sign, words in (
        ("start_date", CASHFLOW_BEFORE_START_MONTHS, -1, "before its project's start_date"),
        ("end_date", CASHFLOW_AFTER_END_MONTHS, 1, "after its project's end_date"),
    ):
        if column not in dates.columns:
            continue
        gap = (month - _month_number(cf["project_id"].map(dates[column]))) * sign  # months past the bound
        collector.add(
            (gap > months).fillna(False),
            "period",
            shown,
            f"period is more than {months} months {words} (a typing error in the year?)",
        )


def check_warnings(
    tables: dict[str, pd.DataFrame | OutOfCoreTable], collectors: dict[str, Collector], as_of: pd.Timestamp | None
) -> None:
    """Add the warnings: oddities worth a look that do not make a row invalid."""
    cf, ts, res = in_memory(tables, "cashflows"), tables.get("timesheets"), in_memory(tables, "resources")
    if cf is not None and as_of is not None:
        _warn_actuals_after(cf, collectors["cashflows"], as_of)
    if ts is not None and not isinstance(ts, pd.DataFrame):  # a table left in its files (pmo_analysis.inputs.engine)
        ts.check_warnings(res, collectors["timesheets"])
        return
    if ts is not None and res is not None:
        _warn_hours_outside_active_dates(ts, res, collectors["timesheets"])
    if ts is not None:
        _warn_weekend_hours(ts, collectors["timesheets"])


def _warn_actuals_after(cf: pd.DataFrame, collector: Collector, as_of: pd.Timestamp) -> None:
    month = as_of.to_period("M").to_timestamp()
    for a in ("actual_cost", "actual_benefit"):
        if a in cf.columns:
            mask = (cf["period"] > month) & cf[a].notna() & (cf[a] > 0)
            collector.add(
                mask,
                a,
                cf["period"],
                f"actual reported for a month after the as-of date {as_of.date()}",
                severity="warning",
            )


def _warn_hours_outside_active_dates(ts: pd.DataFrame, res: pd.DataFrame, collector: Collector) -> None:
    cols = [c for c in ("active_from", "active_to") if c in res.columns]
    if not cols:
        return
    r = res.drop_duplicates("resource_id").set_index("resource_id")[cols]
    joined = ts[["resource_id", "date"]].join(r, on="resource_id")
    outside = pd.Series(False, index=ts.index)
    if "active_from" in cols:
        outside |= (joined["date"] < joined["active_from"]).fillna(False)
    if "active_to" in cols:
        outside |= (joined["date"] > joined["active_to"]).fillna(False)
    collector.add(outside, "date", ts["date"], OUTSIDE_ACTIVE_RULE, severity="warning")


def _warn_weekend_hours(ts: pd.DataFrame, collector: Collector) -> None:
    weekend = ts["date"].dt.day_of_week >= 5
    if weekend.any():
        n = int(weekend.sum())
        collector.whole(weekend_rule(n), "date", severity="warning")


def drop_invalid_rows(tables: dict[str, pd.DataFrame | OutOfCoreTable], collectors: dict[str, Collector]) -> None:
    """Lenient mode: remove rows with an error, then rows that refer to a removed row.

    Every removed row is already listed by its collector (its own errors, or "dropped: its ...
    row was invalid"). A table left without rows is a problem no removal can fix (a table exported
    with its header only had none to leave: it stays empty). ``tables`` is updated in place.
    """
    had_rows = {t for t, df in tables.items() if not isinstance(df, pd.DataFrame) or len(df)}  # large: never empty
    for table, coll in collectors.items():
        if table not in tables:
            continue
        t = tables[table]
        if not isinstance(t, pd.DataFrame):
            t.dropping = True  # the engine leaves out its own rows (pmo_analysis.inputs.engine)
        else:
            bad = coll.bad_index
            if len(bad):
                tables[table] = t.loc[~t.index.isin(bad)]
    for table, df in tables.items():  # projects and resources refer to nothing: one pass suffices
        for column, ref_table, ref_col in references(table):
            ref = in_memory(tables, ref_table)
            if column in df.columns and ref is not None:
                if not isinstance(df, pd.DataFrame):
                    df.check_references(tables, collectors[table], [(column, ref_table, ref_col)], dropped=True)
                    continue
                gone = df[column].notna() & ~df[column].isin(ref[ref_col])
                collectors[table].add(gone, column, df[column], dropped_rule(ref_table), severity="dropped")
                df = df.loc[~gone]
        tables[table] = df
    for table, df in tables.items():
        if table not in had_rows:  # exported with its header only: none, as in strict mode
            continue
        if df.empty if isinstance(df, pd.DataFrame) else df.valid_rows() == 0:
            collectors[table].whole("every data row has a problem: nothing is left after dropping them")


def key_labels(df: pd.DataFrame, key: list[str]) -> np.ndarray:
    """``project_id 'PRJ-007'`` (``, period '2026-03-01'`` for a key of several columns) per row."""
    parts = [(name + " '") + df[name].astype(str) + "'" for name in key]
    out = parts[0]
    for p in parts[1:]:
        out = out + ", " + p
    return out.to_numpy(dtype=object)


class RuleRecorder(Collector):
    """A collector that records each rule a column breaks over the column's distinct values, instead
    of listing rows: the rows are found afterwards, where the data lives (DuckDB over a file,
    :mod:`pmo_analysis.inputs.engine`; the source database, :mod:`pmo_analysis.inputs.pushdown`).
    """

    def __init__(self, table: str, file: str):
        super().__init__(table, file, pd.Series(dtype="int64"), None)
        self.rules: list[tuple[str | None, str, str, np.ndarray, pd.Series | None]] = []

    def add(self, mask, column, values, rule, severity="error"):
        """Record that the distinct values under ``mask`` break ``rule`` (their rows come later)."""
        m = np.asarray(mask, dtype=bool)
        if m.any():
            self.rules.append((column, rule, severity, m, values))


def unknown_distinct(tables: dict[str, Any], refs: list[tuple[str, str, str]], columns: dict[str, Any]):
    """For a table checked over its distinct values (DuckDB over files, or the source database):
    each reference ``(column, ref_table, ref_col)`` some of whose distinct values the referred
    table lacks, as ``(column, col, ref_table, ref_col, unknown)``; ``col`` is ``columns[column]``
    (with its ``typed`` distinct values) and ``unknown`` the mask over them.
    """
    for column, ref_table, ref_col in refs:
        col = columns.get(column)
        ref = in_memory(tables, ref_table)
        if col is None or ref is None:
            continue
        unknown = (col.typed.notna() & ~col.typed.isin(ref[ref_col].dropna())).to_numpy()
        if unknown.any():
            yield column, col, ref_table, ref_col, unknown
