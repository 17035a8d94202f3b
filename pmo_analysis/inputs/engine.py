"""Out-of-core loading: DuckDB reads, checks and aggregates the timesheets where they lie.

Timesheets grow with people times working days: 11.6 million rows for 5,000 people over four
years, 750 million for a global organisation. Typed in pandas they need about 2 GB per 10 million
rows while they are checked, so ten times the enterprise portfolio would not fit this machine. Yet
every report only needs hours per person, project, activity and month. So a large timesheets table
stays in its files and DuckDB, an embedded engine made for this, scans it:

1. It reads a Parquet file, a folder of Parquet files (for example one folder per month,
   ``timesheets/month=2026-01/part-0.parquet``) or a UTF-8 CSV file, numbering each row as a
   spreadsheet user sees it (the header is row 1; in a folder, each file has its own rows).
2. For each column of the contract it takes the distinct values and how many rows hold each: ids,
   dates, hours and activities have few distinct values even in a hundred million rows.
3. Those distinct values are typed and checked by the same code as a small table
   (:mod:`pmo_analysis.inputs.validation`): the rules, their words and the values shown are the same by
   construction.
4. For each rule broken, DuckDB lists the first rows holding a bad value, in row order, and counts
   the rest: the same file, row, column, value and rule as the pandas path, row numbers included.
5. References to resources and projects, the warnings (hours outside a person's active dates,
   weekend hours) and, with ``on_error="drop"``, the rows left out are computed in SQL on the
   typed values.
6. The portfolio model asks for :meth:`OutOfCoreTable.booked_hours`: hours per resource, project,
   activity and month up to the as-of date; memory grows with people times months, not with rows.
   DuckDB itself works within :data:`MEMORY_LIMIT` and spills to a temporary folder beyond it.

When: :func:`use_engine` decides per table. ``engine="auto"`` (the default) scans timesheets out of
core when they are a folder of Parquet files or hold more than :data:`LARGE_ROWS` rows;
``"duckdb"`` always (the tests compare both paths on the same data); ``"pandas"`` never, except
for a folder, which only this module reads. The other tables are held in memory as before: they
grow with projects, not with days. A CSV that DuckDB cannot number as a spreadsheet does (blank
lines, a value spanning lines, rows longer than the header, another encoding than UTF-8) is read
by the pandas path, which says what is wrong with it.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import tempfile
import weakref
from pathlib import Path

import numpy as np
import pandas as pd

from pmo_analysis.inputs import validation as V
from pmo_analysis.inputs.schema import ORDERED_DATES, SCHEMA, UNIQUE_KEYS

__all__ = [
    "ENGINES",
    "LARGE_ROWS",
    "MEMORY_LIMIT",
    "OUT_OF_CORE",
    "OutOfCoreTable",
    "use_engine",
    "validate_out_of_core",
]

ENGINES = ("auto", "duckdb", "pandas")
LARGE_ROWS = 1_000_000
"""With ``engine="auto"``, timesheets with more rows than this are scanned out of core (a CSV:
more than 40 bytes a row, about 40 MB)."""
MEMORY_LIMIT = "4GB"
"""What DuckDB may hold in memory; beyond it, it spills to a temporary folder."""
OUT_OF_CORE = ("timesheets",)
"""Tables that may stay in their files. They have no rules across rows of their own (dates in
order, keys unique together): those need the whole table, and tests check there are none."""

_CSV_BYTES_PER_ROW = 40
# Python's str.strip() whitespace, which the pandas path strips, as an RE2 class
_WS = r"[\s\x{0B}\x{1C}-\x{1F}\x{85}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}]"


def _lit(text: str) -> str:
    """``text`` as a SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def parquet_rows(path: Path) -> int:
    """Rows of a Parquet file or of every Parquet file under a folder, from their footers."""
    import pyarrow.parquet as pq

    files = sorted(path.rglob("*.parquet")) if path.is_dir() else [path]
    return sum(pq.ParquetFile(f).metadata.num_rows for f in files)


def use_engine(engine: str, table: str, path: Path) -> bool:
    """True when ``table``, read from ``path``, is scanned out of core (see the module docstring)."""
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, got {engine!r}")
    if table not in OUT_OF_CORE:
        return False
    if path.is_dir():
        return True
    if engine == "pandas" or path.suffix not in (".csv", ".parquet"):
        return False
    if engine == "duckdb":
        return True
    if path.suffix == ".parquet":
        return parquet_rows(path) > LARGE_ROWS
    return path.stat().st_size > LARGE_ROWS * _CSV_BYTES_PER_ROW


def _q(name: str) -> str:
    """``name`` as a quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


@dataclasses.dataclass
class _Column:
    name: str  # as the contract names it
    written: str  # as the file writes it
    distinct: str  # temp table: did, raw, n
    typed: pd.Series  # typed value per did (index = did)
    n: np.ndarray  # rows per did
    null_did: int | None  # the did of the empty value, if any row has one
    same: str | None = None  # SQL giving the typed value straight from the file's value, when no lookup is needed
    bad: set[int] = dataclasses.field(default_factory=set)  # dids of rows left out: errors, or dropped in lenient mode


class OutOfCoreTable:
    """A checked table left in its files, queried through DuckDB.

    ``rows`` counts its data rows; :meth:`booked_hours` and :meth:`span` answer what the model asks
    of timesheets; :meth:`to_frame` loads the typed rows (for small data and tests only).
    """

    def __init__(self, table: str, path: Path, label: str, *, memory_limit: str = MEMORY_LIMIT):
        import duckdb

        self.table, self.path, self.label = table, Path(path), label
        self._tmp = Path(tempfile.mkdtemp(prefix="pmo-engine-"))
        weakref.finalize(self, shutil.rmtree, self._tmp, True)
        self.con = duckdb.connect(
            config={"memory_limit": memory_limit, "temp_directory": str(self._tmp), "preserve_insertion_order": False}
        )
        self.con.execute("SET enable_progress_bar = false")  # nothing printed into a run's output
        self.columns: dict[str, _Column] = {}
        self.rows = 0
        self.dropping = False  # lenient mode: rows with errors are left out (validation.drop_invalid_rows)
        self._types: dict[str, str] = {}
        self._date_raw = False

    # ----------------------------------------------------------------------- reading
    def open(self) -> list[str] | None:
        """Create the view ``src`` (``_row``, ``_file`` and the file's columns); return the column
        names as written, or ``None`` for a CSV it cannot number as a spreadsheet (the pandas path
        reads that one, and says what is wrong with it).
        """
        import duckdb

        p = self.path
        try:
            if p.is_dir():
                self.con.execute(
                    "CREATE VIEW src AS SELECT file_row_number + 2 AS _row, filename AS _file, "
                    "* EXCLUDE (file_row_number, filename) FROM read_parquet("
                    f"{_lit(str(p / '**' / '*.parquet'))}, file_row_number=true, "
                    "filename=true, hive_partitioning=false, union_by_name=true)"
                )
            elif p.suffix == ".parquet":
                self.con.execute(
                    "CREATE VIEW src AS SELECT file_row_number + 2 AS _row, NULL::VARCHAR AS _file, "
                    f"* EXCLUDE (file_row_number) FROM read_parquet({_lit(str(p))}, file_row_number=true)"
                )
            elif not self._open_csv():
                return None
        except duckdb.Error:
            if p.suffix == ".csv":
                return None
            raise
        names = [r[0] for r in self.con.execute("DESCRIBE src").fetchall()]
        return [n for n in names if n not in ("_row", "_file")]

    def _open_csv(self) -> bool:
        """Read a UTF-8 CSV into a temporary table on one thread, so rows keep their order and
        number. False for a file the pandas path must read: not UTF-8 or no header on the first
        line, blank or repeated column names, or records that are not its lines.
        """
        import csv

        with open(self.path, "rb") as f:
            first = f.readline()
            lines = 1 + sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 24), b""))
            f.seek(-1, 2)
            if f.read(1) != b"\n":
                lines += 1
        try:
            header = next(csv.reader([first.decode("utf-8-sig")]))
        except (UnicodeDecodeError, StopIteration):
            return False
        names = [h.strip().lower() for h in header]
        if not any(names) or len(set(names)) < len(names) or "_row" in names or "_file" in names:
            return False
        self.con.execute("SET threads = 1")
        self.con.execute(
            "CREATE TEMP TABLE src AS SELECT (row_number() OVER ()) + 1 AS _row, NULL::VARCHAR AS _file, * "
            f"FROM read_csv({_lit(str(self.path))}, header=true, auto_detect=false, delim=',', quote='\"', "
            "escape='\"', columns={" + ", ".join(f"{_lit(h)}: 'VARCHAR'" for h in header) + "}, strict_mode=true)"
        )
        self.con.execute("RESET threads")
        n = self.con.execute("SELECT count(*) FROM src").fetchall()[0][0]
        if n != lines - 1:  # blank lines or values spanning lines: DuckDB's rows are not the file's
            return False
        # rows whose every cell is blank (",,,," as Excel leaves them) are not data; they keep their number
        blank = " AND ".join(f"(coalesce({_q(h)}, '') = '' OR regexp_full_match({_q(h)}, '{_WS}*'))" for h in header)
        self.con.execute(f"DELETE FROM src WHERE {blank}")
        return True

    # ----------------------------------------------------------------------- checking
    def check(self, collector: V.Collector, written: list[str]) -> bool:
        """Check every column (steps 2-4 of the module docstring); False when a problem with the
        whole table leaves nothing to check.
        """
        names = pd.Index([str(c).strip().lower() for c in written])
        if V._report_repeated_columns(collector, pd.Index(written), names):
            return False
        by_name = dict(zip(names, written, strict=True))
        self.rows = self.con.execute("SELECT count(*) FROM src").fetchall()[0][0]
        shape = pd.DataFrame(columns=list(names), index=range(min(self.rows, 1)))
        if not V._has_required_columns_and_rows(collector, shape):
            return False
        types = self._types = dict(self.con.execute("SELECT column_name, column_type FROM (DESCRIBE src)").fetchall())
        for i, c in enumerate(col for col in SCHEMA[self.table] if col.name in by_name):
            w = by_name[c.name]
            is_float = types[w] in ("FLOAT", "DOUBLE")
            dname = f"d{i}"
            self.con.execute(
                f"CREATE TEMP TABLE {dname} AS SELECT row_number() OVER () - 1 AS did, raw, n, is_nan FROM "
                f"(SELECT {_q(w)} AS raw, count(*) AS n, {'isnan(' + _q(w) + ')' if is_float else 'FALSE'} AS is_nan "
                f"FROM src GROUP BY ALL)"
            )
            d = self.con.sql(f"SELECT raw, n, is_nan FROM {dname} ORDER BY did").to_arrow_table().to_pandas()
            raw = d["raw"]
            recorder = V.RuleRecorder(self.table, collector.file)
            nan = pd.Series(d["is_nan"].to_numpy(dtype=bool), index=d.index) if is_float else None
            typed = V._typed_column(dataclasses.replace(c, unique=False), raw, recorder, nan)
            n = d["n"].to_numpy(dtype=np.int64)
            if c.unique:  # unique over rows: count the rows of each typed value
                per_value = pd.Series(n, index=d.index).groupby(typed.astype(object)).transform("sum")
                recorder.add((typed.notna() & (per_value > 1)).to_numpy(), c.name, typed, V.UNIQUE_RULE)
            empty = np.flatnonzero(raw.isna().to_numpy() & ~d["is_nan"].to_numpy(dtype=bool))
            col = _Column(
                c.name, w, dname, typed, n, int(empty[0]) if len(empty) else None, _same(c.kind, types[w], raw, typed)
            )
            self.columns[c.name] = col
            for column, rule, severity, mask, values in recorder.rules:
                self._list(collector, col, mask, values, column, rule, severity)
        self._typed_view()
        return True

    def _list(
        self,
        collector: V.Collector,
        col: _Column,
        mask: np.ndarray,
        values: pd.Series | None,
        column: str | None,
        rule: str,
        severity: str,
        *,
        extra: str = "TRUE",
    ) -> None:
        """List the rows whose value of ``col`` is one of the distinct values in ``mask``, as
        :meth:`Collector.add` lists rows (first ``collector.limit`` in row order, then a count).
        """
        dids = np.flatnonzero(mask)
        total = int(col.n[dids].sum()) if extra == "TRUE" else None
        self.con.register("bad_dids", pd.DataFrame({"did": dids.astype(np.int64)}))
        join = (
            f"FROM src s JOIN {col.distinct} d ON d.raw IS NOT DISTINCT FROM s.{_q(col.written)} "
            f"WHERE d.did IN (SELECT did FROM bad_dids) AND {extra}"
        )
        limit = "" if collector.limit is None else f"LIMIT {int(collector.limit)}"
        found = self.con.execute(f"SELECT s._row, s._file, d.did {join} ORDER BY s._file, s._row {limit}").fetchall()
        if total is None:
            total = self.con.execute(f"SELECT count(*) {join}").fetchall()[0][0]
        self.con.unregister("bad_dids")
        rows = [r for r, _, _ in found]
        shown = [None] * len(found) if values is None else [values.iloc[k] for _, _, k in found]
        collector.listed(rows, shown, column, rule, severity, total - len(found), self._files(found, collector))
        if severity == "error":
            self._leave_out(col, dids)

    def _leave_out(self, col: _Column, dids: np.ndarray) -> None:
        """Rows holding one of these distinct values of ``col`` are left out of every figure."""
        col.bad.update(int(k) for k in dids)
        self.con.register("out_dids", pd.DataFrame({"did": np.array(sorted(col.bad), dtype=np.int64)}))
        self.con.execute(
            f"CREATE OR REPLACE TEMP TABLE {col.distinct}_out AS SELECT d.raw FROM {col.distinct} d "
            "WHERE d.did IN (SELECT did FROM out_dids) AND d.raw IS NOT NULL"
        )
        self.con.unregister("out_dids")
        self._typed_view()

    def _bad_sql(self, alias: str) -> str:
        """SQL true for a row of ``src`` (as ``alias``) that has an error or was dropped."""
        parts = []
        for col in self.columns.values():
            if col.bad:
                x = f"{alias}.{_q(col.written)}"
                parts.append(f"{x} IN (SELECT raw FROM {col.distinct}_out)")
                if col.null_did in col.bad:
                    parts.append(f"{x} IS NULL")
        return "coalesce(" + (" OR ".join(parts) or "FALSE") + ", FALSE)"  # NULL is not an error

    def _files(self, found: list, collector: V.Collector) -> list[str] | None:
        """The file of each listed row of a folder (``timesheets/month=2026-01/part-0.parquet``)."""
        if not self.path.is_dir():
            return None
        return [str(Path(collector.file) / Path(f).relative_to(self.path)) for _, f, _ in found]

    def _typed_view(self) -> None:
        """The view ``typed``: ``_row``, ``_file``, each contract column typed, and ``_bad`` (the row
        has an error, or refers to a row that was dropped).
        """
        selects, joins = ["s._row", "s._file"], []
        date = self.columns.get("date")
        self._date_raw = (
            date is not None
            and date.same is not None
            and date.same.startswith("TRY_CAST")
            and self._types.get(date.written, "").startswith(("TIMESTAMP", "DATE"))
        )
        if date is not None and self._date_raw:  # the file's own dates, so a filter on them skips row groups and files
            selects.append(f"s.{_q(date.written)} AS _date_raw")
        for i, col in enumerate(self.columns.values()):
            if col.same is not None:
                selects.append(f"{col.same.replace('{x}', 's.' + _q(col.written))} AS {_q(col.name)}")
                continue
            m = f"m{i}"
            typed = col.typed
            if not pd.api.types.is_datetime64_any_dtype(typed) and not pd.api.types.is_float_dtype(typed):
                typed = typed.astype(object).where(typed.notna(), None)
            self.con.register(
                f"{m}_values", pd.DataFrame({"did": typed.index.to_numpy(dtype=np.int64), "typed": typed.to_numpy()})
            )
            joins.append(
                f"LEFT JOIN (SELECT d.raw, v.typed, d.did FROM {col.distinct} d JOIN {m}_values v "
                f"USING (did)) {m} ON {m}.raw IS NOT DISTINCT FROM s.{_q(col.written)}"
            )
            selects.append(f"{m}.typed AS {_q(col.name)}")
        selects.append(f"{self._bad_sql('s')} AS _bad")
        self.con.execute(f"CREATE OR REPLACE VIEW typed AS SELECT {', '.join(selects)} FROM src s {' '.join(joins)}")

    # ----------------------------------------------------------------------- across tables
    def check_references(
        self,
        tables: dict[str, pd.DataFrame | OutOfCoreTable],
        collector: V.Collector,
        refs: list[tuple[str, str, str]],
        *,
        dropped: bool = False,
    ) -> None:
        """Values not found in the table they refer to, as :func:`validation.check_references`
        reports them; with ``dropped``, the rows whose referred row was dropped (lenient mode).
        """
        for column, col, ref_table, ref_col, unknown in V.unknown_distinct(tables, refs, self.columns):
            if dropped:  # rows still valid whose referred row is gone
                self._list(
                    collector,
                    col,
                    unknown,
                    col.typed,
                    column,
                    V.dropped_rule(ref_table),
                    "dropped",
                    extra=f"NOT {self._bad_sql('s')}",
                )
                self._leave_out(col, np.flatnonzero(unknown))
            else:
                self._list(collector, col, unknown, col.typed, column, V.reference_rule(ref_table, ref_col), "error")

    def check_warnings(self, resources: pd.DataFrame | None, collector: V.Collector) -> None:
        """The timesheet warnings of :func:`validation.check_warnings`, in SQL: one scan gives each
        person's first and last date and weekend entries; rows are looked at only for the people
        with dates outside their active dates.
        """
        if self.table != "timesheets" or "date" not in self.columns or "resource_id" not in self.columns:
            return
        spans = (
            self.con.sql(
                "SELECT resource_id, min(date) AS lo, max(date) AS hi, count_if(isodow(date) >= 6) "
                f"AS weekend FROM typed WHERE {self._kept_rows()} GROUP BY 1"
            )
            .to_arrow_table()
            .to_pandas()
        )
        cols = [c for c in ("active_from", "active_to") if resources is not None and c in resources.columns]
        if resources is not None and cols and len(spans):
            r = resources.drop_duplicates("resource_id")[["resource_id", *cols]]
            r = r.assign(resource_id=r["resource_id"].astype(object))
            j = spans.assign(resource_id=spans["resource_id"].astype(object)).merge(r, on="resource_id")
            out = pd.Series(False, index=j.index)
            if "active_from" in cols:
                out |= (j["lo"] < j["active_from"]).fillna(False)
            if "active_to" in cols:
                out |= (j["hi"] > j["active_to"]).fillna(False)
            if out.any():
                self._list_outside(collector, r.loc[r["resource_id"].isin(j.loc[out, "resource_id"])], cols)
        weekend = int(spans["weekend"].sum())
        if weekend:
            collector.whole(V.weekend_rule(weekend), "date", severity="warning")

    def _list_outside(self, collector: V.Collector, active: pd.DataFrame, cols: list[str]) -> None:
        """List the entries of the people in ``active`` dated outside their active dates."""
        self.con.register("active", active)
        cond = " OR ".join(f"t.date {'<' if c == 'active_from' else '>'} a.{c}" for c in cols)
        sql = f"FROM typed t JOIN active a ON a.resource_id = t.resource_id WHERE {self._kept_rows('t.')} AND ({cond})"
        limit = "" if collector.limit is None else f"LIMIT {int(collector.limit)}"
        found = self.con.execute(f"SELECT t._row, t._file, t.date {sql} ORDER BY t._file, t._row {limit}").fetchall()
        total = self.con.execute(f"SELECT count(*) {sql}").fetchall()[0][0]
        self.con.unregister("active")
        collector.listed(
            [r for r, _, _ in found],
            [pd.Timestamp(d) for _, _, d in found],
            "date",
            V.OUTSIDE_ACTIVE_RULE,
            "warning",
            total - len(found),
            self._files([(r, f, None) for r, f, _ in found], collector),
        )

    def _kept_rows(self, prefix: str = "") -> str:
        """SQL for the rows warnings look at: all of them, or in lenient mode those kept."""
        return f"NOT {prefix}_bad" if self.dropping else "TRUE"

    def valid_rows(self) -> int:
        """Rows without an error (all rows, unless some were dropped)."""
        return self.con.execute("SELECT count(*) FROM typed WHERE NOT _bad").fetchall()[0][0]

    # ----------------------------------------------------------------------- what the model asks
    def booked_hours(self, as_of, start=None) -> pd.DataFrame:
        """Hours per resource_id, project_id (empty: non-project time), activity (of non-project
        time only) and period (month) of the valid entries dated on or before ``as_of`` (and in or
        after the month of ``start``); the same table as
        :func:`pmo_analysis.inputs.timesheets.monthly_hours` on the rows in memory. With a folder by
        month, the months before ``start`` are not even read.
        """
        import pyarrow as pa
        import pyarrow.compute as pc

        have = set(self.columns)
        project = "project_id" if "project_id" in have else "NULL::VARCHAR"
        activity = f"CASE WHEN {project} IS NULL THEN activity END" if "activity" in have else "NULL::VARCHAR"
        since, params = "", [pd.Timestamp(as_of).normalize().to_pydatetime()]
        if start is not None:
            since = f"AND {'_date_raw' if self._date_raw else 'date'} >= ?"
            params.append(pd.Timestamp(start).to_period("M").to_timestamp().to_pydatetime())
        sql = (
            f"SELECT resource_id, {project} AS project_id, {activity} AS activity, "
            "CAST(date_trunc('month', date) AS TIMESTAMP_NS) AS period, sum(hours) AS hours "
            f"FROM typed WHERE NOT _bad AND date <= ? {since} GROUP BY ALL "
            "ORDER BY resource_id, period, project_id NULLS FIRST, activity NULLS FIRST"
        )
        t = self.con.sql(sql, params=params).to_arrow_table()
        for name in ("resource_id", "project_id"):  # ids as categories: ten million rows stay cheap
            k = t.schema.get_field_index(name)
            t = t.set_column(k, name, pc.dictionary_encode(t.column(name).cast(pa.string())))
        from pmo_analysis.inputs.timesheets import monthly_frame

        return monthly_frame(t.to_pandas(), ordered=True)

    def span(self) -> tuple[pd.Timestamp, pd.Timestamp] | None:
        """The first and last date of the valid entries (``None`` when there are none)."""
        lo, hi = self.con.execute("SELECT min(date), max(date) FROM typed WHERE NOT _bad").fetchall()[0]
        return None if lo is None else (pd.Timestamp(lo), pd.Timestamp(hi))

    def to_frame(self) -> pd.DataFrame:
        """Every valid row, typed, in row order: loads the whole table (small data and tests)."""
        cols = ", ".join(_q(c) for c in self.columns)
        df = self.con.sql(f"SELECT {cols} FROM typed WHERE NOT _bad ORDER BY _file, _row").to_arrow_table().to_pandas()
        for c in SCHEMA[self.table]:
            if c.name in df.columns and c.kind in ("id", "text", "category"):
                df[c.name] = df[c.name].astype("string")
        return df


def _same(kind: str, sql_type: str, raw: pd.Series, typed: pd.Series) -> str | None:
    """SQL (with ``{x}`` for the file's value) that types a column without looking its values up,
    when typing changes no value of a row without errors: text that needs no trimming, dates and
    numbers stored as such. ``None`` when the lookup is needed.
    """
    if kind in ("id", "text", "category") and sql_type == "VARCHAR":
        kept = typed.notna()
        if (raw.notna() & ~kept).any() or (raw[kept].astype(object) != typed[kept].astype(object)).any():
            return None
        return "{x}"
    if kind == "date" and sql_type.startswith(("TIMESTAMP", "DATE")) and "WITH TIME ZONE" not in sql_type:
        return "TRY_CAST({x} AS TIMESTAMP_NS)"  # a date too far for it is an error already
    if kind in ("number", "amount") and sql_type in (
        "DOUBLE",
        "FLOAT",
        "BIGINT",
        "INTEGER",
        "SMALLINT",
        "TINYINT",
        "UBIGINT",
        "UINTEGER",
        "USMALLINT",
        "UTINYINT",
    ):
        return "CAST({x} AS DOUBLE)"
    if sql_type != "VARCHAR":
        return None
    kept = typed.notna()
    text = raw[kept].astype(object)
    if (
        kind == "date"
        and text.map(lambda v: isinstance(v, str) and _ISO_DAY.fullmatch(v) is not None).all()
        and (typed[kept].dt.strftime("%Y-%m-%d") == text).all()
    ):
        return "TRY_CAST({x} AS TIMESTAMP_NS)"  # a CSV's plain ISO dates (bad cells are rows with errors)
    if (
        kind in ("number", "amount")
        and text.map(lambda v: isinstance(v, str) and _PLAIN_NUMBER.fullmatch(v) is not None).all()
    ):
        return "TRY_CAST({x} AS DOUBLE)"  # a CSV's plain numbers: the same float as pandas reads
    return None


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_PLAIN_NUMBER = re.compile(r"-?\d{1,15}(\.\d{1,15})?")


def validate_out_of_core(
    table: str, path: Path, label: str, *, limit: int | None
) -> tuple[OutOfCoreTable | None, V.Collector] | None:
    """Open and check ``table`` in ``path`` (see the module docstring). Returns the table (``None``
    when a problem with the whole table leaves nothing to use) and its problems; ``None`` when the
    file must be read by the pandas path.
    """
    assert not any(t == table for t, *_ in ORDERED_DATES) and not any(t == table for t, _ in UNIQUE_KEYS)
    t = OutOfCoreTable(table, path, label)
    written = t.open()
    if written is None:
        return None
    collector = V.Collector(table, label, pd.Series(dtype="int64"), limit)
    ok = t.check(collector, written)
    return (t if ok else None), collector
