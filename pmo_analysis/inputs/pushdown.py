"""Pushdown: a large table in a database or a cluster is checked and aggregated where it lives.

A PPM tool keeps its timesheets in PostgreSQL, a data platform in Spark: ten or a hundred million
rows. Reading them whole into Python costs minutes and gigabytes, yet the checks of the contract
are per-row predicates and the model needs only hours per person, project and month. So, for a
database URL or a mapping file, a table of :data:`~pmo_analysis.inputs.engine.OUT_OF_CORE` with
more than :data:`PUSHDOWN_ROWS` rows stays in the database, and the database does the work:

1. For each column of the contract it returns the distinct values and how many rows hold each
   (ids, dates, hours and activities have few distinct values, even in a hundred million rows).
2. Those values are typed and checked by the same code as a small table
   (:mod:`pmo_analysis.inputs.validation`): the rules, their words and the values shown are the same.
3. For each rule broken, the database returns the first rows holding a bad value, in key order
   (the table's primary key, as a small table names its rows) or in the order of the result
   (``result row 12``), and counts the rest: the same table, row, column, value and rule.
4. References, warnings and, under ``--exclude-invalid``, the rows left out are predicates the
   database evaluates; the manifest's fingerprint of the table is computed there as well (for
   timesheets without an error, in the same scan as each person's first and last dates).
5. The model asks for :meth:`PushedTable.booked_hours` (:func:`booked_hours_expr`): hours per
   person, project, activity and month come back, never rows.

Only the distinct values, the invalid rows (capped at the listing limit, with their count) and the
aggregates cross the wire, so memory is flat in the row count.

Results are fetched from PostgreSQL by a plain cursor, not a named (server-side) one: PostgreSQL
never runs a cursor's query in parallel, and every result here is small. A table's row count,
which decides whether it is large, comes from PostgreSQL's own estimate when that is far above
the threshold (a count is a scan of its own).

The expressions are written once with **ibis**: one expression compiles to the SQL of DuckDB,
PostgreSQL, Spark, Trino, Snowflake or BigQuery, so :func:`booked_hours_expr`,
:func:`cashflows_by_month_expr` and :func:`allocation_by_month_expr` run unchanged in whichever
engine holds the data. ibis is an optional extra (``pip install 'pmo-analysis[engines]'``): without
it, a database table is read whole, as before.

A column is typed inside the database when typing changes no kept value beyond a cast (text ids
as they are, dates and numbers stored as such, ISO dates and plain numbers as text) or, for a
column of few distinct values, by a lookup of each value; a table with a column that needs more
(ids with surrounding spaces in millions of distinct values) is read whole, as before.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from typing import Any

import numpy as np
import pandas as pd

from pmo_analysis.inputs import validation as V
from pmo_analysis.inputs.schema import ORDERED_DATES, SCHEMA, UNIQUE_KEYS, Column

__all__ = [
    "PUSHDOWN_ROWS",
    "LOOKUP_VALUES",
    "COMBINED_GROUPS",
    "available",
    "PushedTable",
    "CannotPush",
    "booked_hours_expr",
    "cashflows_by_month_expr",
    "allocation_by_month_expr",
    "engine_fingerprint",
    "read_whole",
    "validate_pushed",
]

PUSHDOWN_ROWS = 1_000_000
"""A table of :data:`~pmo_analysis.inputs.engine.OUT_OF_CORE` in a database with more rows than
this is checked and aggregated in the database (the files' threshold,
:data:`~pmo_analysis.inputs.engine.LARGE_ROWS`); a smaller one is read whole."""
COMBINED_GROUPS = 200_000
"""In PostgreSQL, the distinct values of the columns of few distinct values (dates, numbers,
categories) come from one ``GROUP BY`` of them together while their combinations are at most
this many (one scan in place of one per column); more, and each is grouped alone."""
LOOKUP_VALUES = 10_000
"""A column that a cast cannot type is typed in the database by looking each of its distinct
values up, when it has at most this many (a longer lookup is read whole instead)."""


def available() -> bool:
    """True when ibis is installed (the ``engines`` extra)."""
    try:
        import ibis  # noqa: F401
    except ImportError:
        return False
    return True


class CannotPush(Exception):
    """The table cannot be typed in the database: it is read whole instead."""


# --------------------------------------------------------------------------- the aggregations, once
def booked_hours_expr(typed, as_of, start=None):
    """Hours per resource_id, project_id (empty: non-project time), activity (of non-project time
    only) and period (month) of the rows of ``typed`` dated on or before ``as_of`` (and from the
    month of ``start``), as an ibis expression: the same table as
    :func:`pmo_analysis.inputs.timesheets.monthly_hours` computes on rows in memory.

    ``typed`` holds the contract's columns typed (``date`` a timestamp, ``hours`` a float).

    Examples
    --------
    >>> import ibis
    >>> t = ibis.table({"resource_id": "string", "project_id": "string", "activity": "string",
    ...                 "date": "timestamp", "hours": "float64"}, name="timesheets")
    >>> print(ibis.to_sql(booked_hours_expr(t, "2026-06-30"), dialect="postgres"))  # doctest: +ELLIPSIS
    SELECT
    ...
    GROUP BY
    ...
    """
    import ibis

    cols = set(typed.columns)
    t = typed.filter(typed.date <= pd.Timestamp(as_of).normalize().to_pydatetime())
    if start is not None:
        t = t.filter(t.date >= pd.Timestamp(start).to_period("M").to_timestamp().to_pydatetime())
    project = t.project_id if "project_id" in cols else ibis.null("string")
    # activity is optional: a table without it books every hour to its project (noqa: ibis, not pandas)
    activity = ibis.cases((project.isnull(), t.activity)) if "activity" in cols else ibis.null("string")  # noqa: PD003
    return t.group_by(
        resource_id=t.resource_id,
        project_id=project,
        activity=activity,
        period=t.date.truncate("M").cast("timestamp"),
    ).agg(hours=t.hours.sum())


def cashflows_by_month_expr(cashflows):
    """Planned and actual cost and benefit per project and month (``period``), summed over the
    rows of each: the cash flows the finance analyses start from, as an ibis expression. An
    actual stays empty where no row of the month reports one (missing is not zero).
    """
    amounts = [
        c for c in ("planned_cost", "planned_benefit", "actual_cost", "actual_benefit") if c in cashflows.columns
    ]
    return cashflows.group_by(project_id=cashflows.project_id, period=cashflows.period.truncate("M")).agg(
        **{c: cashflows[c].sum() for c in amounts}
    )


def allocation_by_month_expr(assignments, months: list[pd.Timestamp]):
    """Planned allocation per resource, project and month: the sum of ``allocation_pct`` of the
    assignments running on any day of each month in ``months``, as an ibis expression (the hours
    follow from it with the person's capacity and the month's working days,
    :func:`pmo_analysis.analyses.utilization.planned_by_assignment`).
    """
    import ibis

    a = assignments
    parts = []
    for m in months:
        first = pd.Timestamp(m).to_period("M").to_timestamp()
        last = first + pd.offsets.MonthEnd(0)
        running = a.filter((a.start_date <= last.to_pydatetime()) & (a.end_date >= first.to_pydatetime()))
        parts.append(
            running.group_by(["resource_id", "project_id"])
            .agg(allocation_pct=running.allocation_pct.sum())
            .mutate(period=ibis.literal(first.to_pydatetime(), type="timestamp"))
        )
    return ibis.union(*parts) if len(parts) > 1 else parts[0]


def engine_fingerprint(table, columns: list[str]) -> dict[str, Any]:
    """Row count, columns and a SHA-256 of the rows of ``table`` (an ibis table) computed in its
    engine, independent of the row order: each row's text is hashed there, once, and the hashes
    (modulo the prime :data:`FINGERPRINT_PRIME`) are summed exactly, so only two numbers cross the
    wire. Two runs on the same rows give the same fingerprint; a changed, added or removed row
    gives another, but for a chance of one in about 2^61 (2^32 in Spark, whose hash has 32 bits).
    """
    n, total = _arrow(table.aggregate(**_fingerprint_sums(table, columns))).to_pylist()[0].values()
    return _digest(n, total or 0, columns)  # no rows: a sum of nothing, 0 as when summed per person


FINGERPRINT_PRIME = 2**61 - 1
"""The Mersenne prime the rows' 64-bit hashes are taken modulo before they are summed: the sum of
any number of rows stays exact (PostgreSQL and DuckDB sum 64-bit integers into 128 bits or more;
Spark's hashes have 32 bits, and its 64-bit sum of them is exact up to 2^32 rows)."""


def _fingerprint_sums(table, columns: list[str]) -> dict[str, Any]:
    """The two aggregates of :func:`engine_fingerprint` (rows, and the sum of the rows' hashes), as
    ibis expressions: sums, so they add up across groups when computed per group. Each row is
    hashed once (a second hash of the row's text cost 1.5 s more on 11.6 M rows in PostgreSQL).
    """
    import ibis

    text = ibis.literal("\x1f").join([table[c].cast("string").fill_null("\\N") for c in columns])
    h = text.hash() % FINGERPRINT_PRIME
    if table._find_backend().name == "pyspark":  # its hash has 32 bits: a 64-bit sum is exact to 2^32 rows
        return {"n": table.count(), "s": h.sum()}
    # the 128-bit sum as the engine gives it (ibis would type it as 64 bits)
    return {"n": table.count(), "s": h.sum().cast("decimal(38, 0)")}


def _digest(n, total, columns: list[str]) -> dict[str, Any]:
    """:func:`engine_fingerprint`'s answer from its two aggregates."""
    digest = hashlib.sha256(f"{n}|{total}|{chr(31).join(columns)}".encode()).hexdigest()
    return {"rows": int(n), "columns": list(columns), "sha256": digest}


# --------------------------------------------------------------------------- reading and checking
def read_whole(table) -> pd.DataFrame:
    """The rows of an ibis table as a driver returns them (Python values in object columns), so a
    small table read through ibis is typed exactly as one read through SQLAlchemy.
    """
    arrow = _arrow(table)
    return pd.DataFrame(
        {name: pd.Series(arrow.column(name).to_pylist(), dtype=object) for name in arrow.column_names}
    ).infer_objects()


@dataclasses.dataclass
class _Column:
    name: str  # as the contract names it
    written: str  # as the database writes it
    raw: list  # distinct values, as the driver gives them
    nan: np.ndarray  # the distinct value is a floating-point NaN
    n: np.ndarray  # rows per distinct value
    typed: pd.Series  # typed value per distinct value
    bad: set[int] = dataclasses.field(default_factory=set)  # distinct values whose rows are left out


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


class PushedTable:
    """A table checked and aggregated inside its database through ibis (see the module docstring).

    ``rows`` counts its rows; :meth:`booked_hours` and :meth:`span` answer what the model asks.
    Quacks like :class:`pmo_analysis.inputs.engine.OutOfCoreTable`, so loading and the model treat
    both alike.
    """

    def __init__(self, table: str, source, label: str, key: list[str], engine: str):
        self.table, self.label, self.key, self.engine = table, label, list(key), engine
        self.source = source  # the ibis table as the database holds it
        self.columns: dict[str, _Column] = {}
        self.rows = 0
        self.dropping = False
        self._typed_cols: dict[str, Any] = {}
        self._stats: dict[tuple, pd.DataFrame] = {}
        self._person_raw: pd.DataFrame | None = None
        self.backend_name = source._find_backend().name

    # ----------------------------------------------------------------------- checking
    def check(self, collector: V.Collector) -> bool:
        """Check every column (steps 1-3 of the module docstring); False when a problem with the
        whole table leaves nothing to check. Raises :class:`CannotPush` before reporting anything
        when a column cannot be typed in the database.
        """
        src = self.source
        written = list(src.columns)
        names = pd.Index([str(c).strip().lower() for c in written])
        if V._report_repeated_columns(collector, pd.Index(written), names):
            return False
        by_name = dict(zip(names, written, strict=True))
        schema = src.schema()
        contract = [c for c in SCHEMA[self.table] if c.name in by_name]
        floats = {c.name for c in contract if schema[by_name[c.name]].is_floating()}
        few = {by_name[c.name] for c in contract if c.kind not in ("id", "text")}
        sets = self._one_scan([by_name[c.name] for c in contract], {by_name[n] for n in floats}, few)
        self.rows = int(sets[None]["n"].sum())
        shape = pd.DataFrame(columns=list(names), index=range(min(self.rows, 1)))
        if not V._has_required_columns_and_rows(collector, shape):
            return False
        found: list[tuple[_Column, list]] = []
        for c in contract:
            w = by_name[c.name]
            got = sets[w]
            raw = got["raw"].tolist()
            nan = got["is_nan"].to_numpy(dtype=bool)
            n = got["n"].to_numpy(dtype=np.int64)
            raw_s = pd.Series(raw, dtype=object).infer_objects()
            if c.name in floats:  # a NaN is "not a number", an empty cell (NULL) is empty
                raw_s = pd.Series([np.nan if k else v for v, k in zip(raw, nan, strict=True)], dtype=object)
                raw_s = raw_s.infer_objects()
            recorder = V.RuleRecorder(self.table, collector.file)
            typed = V._typed_column(
                dataclasses.replace(c, unique=False), raw_s, recorder, pd.Series(nan) if c.name in floats else None
            )
            col = _Column(c.name, w, raw, nan, n, typed)
            self._typed_cols[c.name] = self._typed_expr(c, col, schema[w])
            self.columns[c.name] = col
            found.append((col, recorder.rules))
        for col, rules in found:
            for column, rule, severity, mask, values in rules:
                self._list(collector, col, mask, values, column, rule, severity)
        return True

    def _one_scan(self, columns: list[str], floats: set[str], few: set[str]) -> dict[str | None, pd.DataFrame]:
        """In one scan of the table: the distinct values of each column in ``columns`` with their
        row count and whether they are a NaN (``raw``, ``n``, ``is_nan``), and under ``None`` the
        row count, by ``GROUPING SETS``, which DuckDB, PostgreSQL, Spark, Trino, Snowflake and
        BigQuery share. PostgreSQL runs grouping sets on one core: there, one plain ``GROUP BY``
        per column (:meth:`_per_column`), which it spreads over its workers.
        """
        import ibis
        import sqlglot as sg

        src = self.source
        inner = src.select(
            *columns,
            _nan=ibis.literal(0),
            **{f"_nan{i}": ibis.cases((src[c].isnan(), 1), else_=0) for i, c in enumerate(columns) if c in floats},
        )
        dialect = _DIALECTS[self.backend_name]
        con = self.source._find_backend()
        if self.backend_name == "postgres":
            return self._per_column(con, inner, columns, floats, few)
        q = [sg.to_identifier(c, quoted=True).sql(dialect) for c in columns]
        nan = [f'"_nan{i}"' if c in floats else '"_nan"' for i, c in enumerate(columns)]
        nan = [sg.to_identifier(x.strip('"'), quoted=True).sql(dialect) for x in nan]
        sql = (
            "SELECT "
            + ", ".join(q)
            + ", "
            + ", ".join(f"GROUPING({x}) AS g{i}" for i, x in enumerate(q))
            + ", COUNT(*) AS n, "
            + ", ".join(f"MAX({x}) AS m{i}" for i, x in enumerate(nan))
            + f" FROM ({con.compile(inner)}) AS t GROUP BY GROUPING SETS ("
            + ", ".join(f"({x})" for x in q)
            + ", ())"
        )
        got = _fetch(con, sql)
        out: dict[str | None, pd.DataFrame] = {}
        flags = got[[f"g{i}" for i in range(len(columns))]].to_numpy(dtype=np.int64)
        total = flags.sum(axis=1) == len(columns)
        t = got.loc[total]
        out[None] = pd.DataFrame({"n": t["n"].astype("int64")})
        for i, c in enumerate(columns):
            mine = got.loc[(flags[:, i] == 0) & (flags.sum(axis=1) == len(columns) - 1)]
            out[c] = pd.DataFrame(
                {
                    "raw": pd.Series(mine[c].tolist(), dtype=object),
                    "n": mine["n"].to_numpy(dtype=np.int64),
                    "is_nan": mine[f"m{i}"].fillna(0).to_numpy(dtype=np.int64) > 0,
                }
            )
        return out

    def _per_column(
        self, con, inner, columns: list[str], floats: set[str], few: set[str]
    ) -> dict[str | None, pd.DataFrame]:
        """:meth:`_one_scan` as plain ``GROUP BY`` queries, which PostgreSQL spreads over its
        workers (it runs grouping sets on one core): one per id column, and one for the columns
        of few distinct values (``few``: dates, numbers, categories) together, when their
        combinations stay under :data:`COMBINED_GROUPS` (else one per column as well).
        """
        nan = {c: f"_nan{i}" if c in floats else "_nan" for i, c in enumerate(columns)}
        together = [c for c in columns if c in few]
        got: dict[str, dict] = {}
        if len(together) > 1:
            combined = _fetch(
                con,
                con.compile(
                    inner.group_by(*together)
                    .agg(n=inner.count(), **{f"_m{i}": inner[nan[c]].max() for i, c in enumerate(together)})
                    .limit(COMBINED_GROUPS + 1)
                ),
            )
            if len(combined) <= COMBINED_GROUPS:
                n = combined["n"].to_numpy(dtype=np.int64)
                for i, c in enumerate(together):
                    seen: dict = {}
                    m = combined[f"_m{i}"].fillna(0).to_numpy(dtype=np.int64) > 0
                    for v, k, rows in zip(combined[c].tolist(), m, n, strict=True):
                        entry = seen.setdefault(_key(v, bool(k)), [v, bool(k), 0])
                        entry[2] += int(rows)
                    got[c] = {
                        "raw": [e[0] for e in seen.values()],
                        "is_nan": [e[1] for e in seen.values()],
                        "n": [e[2] for e in seen.values()],
                    }
        for c in columns:
            if c in got:
                continue
            if c == self._person_column():  # the scan per person that the fingerprint needs anyway
                one = self._per_person_raw(con).assign(m=0)
            else:
                one = _fetch(con, con.compile(inner.group_by(raw=inner[c]).agg(n=inner.count(), m=inner[nan[c]].max())))
            got[c] = {
                "raw": one["raw"].tolist(),
                "is_nan": (one["m"].fillna(0).to_numpy(dtype=np.int64) > 0).tolist(),
                "n": one["n"].tolist(),
            }
        out: dict[str | None, pd.DataFrame] = {
            c: pd.DataFrame(
                {
                    "raw": pd.Series(g["raw"], dtype=object),
                    "n": np.asarray(g["n"], dtype=np.int64),
                    "is_nan": np.asarray(g["is_nan"], dtype=bool),
                }
            )
            for c, g in got.items()
        }
        out[None] = pd.DataFrame({"n": [int(out[columns[0]]["n"].sum()) if columns else 0]}, dtype="int64")
        return out

    def _person_column(self) -> str | None:
        """The written resource_id column of timesheets whose dates the database stores as dates
        (typed by a cast, whatever their values): one scan per person then gives the distinct
        people, their first and last dates, weekend entries and the fingerprint together
        (:meth:`_per_person_raw`), in place of two scans.
        """
        if self.table != "timesheets":
            return None
        by_name = {str(c).strip().lower(): c for c in self.source.columns}
        rid, date = by_name.get("resource_id"), by_name.get("date")
        if rid is None or date is None:
            return None
        schema = self.source.schema()
        dtype = schema[date]
        dated = (dtype.is_timestamp() and dtype.timezone is None) or dtype.is_date()
        return rid if dated and schema[rid].is_string() else None  # (text ids: no NaN among them)

    def _per_person_raw(self, con) -> pd.DataFrame:
        """Per stored resource_id (``raw``) of every row: the rows (``n``), the first and last date,
        the weekend entries (:meth:`_span_aggregates`) and the fingerprint's sums (``_fp_n``,
        ``_fp_s``, :func:`_fingerprint_sums` of the rows as stored); kept for :meth:`fingerprint`.
        """
        if self._person_raw is None:
            src = self.source
            by_name = {str(c).strip().lower(): c for c in src.columns}
            t = src.mutate(_day=src[by_name["date"]].cast("timestamp"))
            sums = {f"_fp_{k}": v for k, v in _fingerprint_sums(t, list(src.columns)).items()}
            q = t.group_by(raw=t[by_name["resource_id"]]).agg(**self._span_aggregates(t, t._day), **sums)
            self._person_raw = _fetch(con, con.compile(q))
        return self._person_raw

    def _typed_expr(self, c: Column, col: _Column, dtype) -> Any:
        """The ibis expression of ``col`` typed as the contract says (see the module docstring)."""
        import ibis

        x = self.source[col.written]
        kept = np.array([k not in col.bad for k in range(len(col.raw))]) & col.typed.notna().to_numpy()
        typed = col.typed
        raw = pd.Series(col.raw, dtype=object)
        if c.kind in ("id", "text", "category"):
            if dtype.is_string() and all(raw[kept] == typed[kept].astype(object)):
                return x
        elif c.kind in ("date", "month"):
            if (dtype.is_timestamp() and dtype.timezone is None) or dtype.is_date():
                e = x.cast("timestamp")  # the stored value is the typed one (a date out of range is an error)
                return e.truncate("M") if c.kind == "month" else e
            if dtype.is_string() and c.kind == "date":
                iso = raw[kept].map(lambda v: isinstance(v, str) and _ISO_DAY.fullmatch(v) is not None)
                if iso.all() and (typed[kept].dt.strftime("%Y-%m-%d") == raw[kept]).all():
                    return x.cast("date").cast("timestamp")  # plain ISO dates as text
        elif dtype.is_numeric():  # integers, floats and decimals: the same float as read whole
            return x.cast("float64")
        if int(kept.sum()) > LOOKUP_VALUES:
            raise CannotPush(f"{c.name}: {int(kept.sum()):,} distinct values to type")
        pairs = [(col.raw[k], typed.iloc[k]) for k in np.flatnonzero(kept) if not col.nan[k]]
        target = {"date": "timestamp", "month": "timestamp", "number": "float64", "amount": "float64"}.get(
            c.kind, "string"
        )
        if not pairs:
            return ibis.null(target)
        return ibis.cases(*[(x == v, ibis.literal(_plain(t), type=target)) for v, t in pairs], else_=ibis.null(target))

    def _where(self, col: _Column, dids) -> Any:
        """Predicate: the row's value of ``col`` is one of the distinct values ``dids``."""
        x = self.source[col.written]
        values = [col.raw[k] for k in dids if col.raw[k] is not None and not col.nan[k]]
        parts = []
        if values:
            parts.append(x.isin(values))
        if any(col.raw[k] is None and not col.nan[k] for k in dids):
            parts.append(x.isnull())  # noqa: PD003 - ibis, not pandas
        if any(col.nan[k] for k in dids):
            parts.append(x.isnan())
        if not parts:
            import ibis

            return ibis.literal(False)
        out = parts[0]
        for p in parts[1:]:
            out = out | p
        return out.fill_null(False)

    def _numbered(self):
        """The source with ``_row``, each row's number in the result (for a table without a key)."""
        import ibis

        return self.source.mutate(_row=ibis.row_number() + 1)

    def _list(self, collector, col, mask, values, column, rule, severity, *, extra=None) -> None:
        """List the rows whose value of ``col`` is one of the distinct values in ``mask``, as
        :meth:`Collector.add` lists rows (first ``collector.limit`` in key order, then a count).
        """
        dids = np.flatnonzero(mask)
        where = self._where(col, dids)
        if extra is not None:
            where = where & extra
        base = self.source if self.key else self._numbered()
        order = self.key or ["_row"]
        picked = base.filter(where).order_by(order).select(*dict.fromkeys([*order, col.written]))
        if collector.limit is not None:
            picked = picked.limit(collector.limit)
        found = read_whole(picked)
        total = int(col.n[dids].sum()) if extra is None else _count(base.filter(where))
        if self.key:
            rows = list(V.key_labels(found, self.key)) if len(found) else []
        else:
            rows = [f"result row {int(r)}" for r in found["_row"]]
        lookup = {}
        for k in dids:
            lookup[_key(col.raw[k], bool(col.nan[k]))] = k
        shown = []
        for v in found[col.written].tolist() if len(found) else []:
            found_k = lookup.get(_key(v, isinstance(v, float) and np.isnan(v)))
            shown.append(None if values is None or found_k is None else values.iloc[found_k])
        collector.listed(rows, shown, column, rule, severity, total - len(found))
        if severity == "error":
            col.bad.update(int(k) for k in dids)

    def _bad(self):
        """Predicate: the row has an error, or was left out (lenient mode)."""
        import ibis

        out = ibis.literal(False)
        for col in self.columns.values():
            if col.bad:
                out = out | self._where(col, sorted(col.bad))
        return out

    def typed(self, *, kept: bool = True):
        """The contract's columns typed, of the rows without an error (``kept``)."""
        t = self.source
        if kept:
            t = t.filter(~self._bad())
        return t.select(**self._typed_cols)

    # ----------------------------------------------------------------------- across tables
    def check_references(self, tables, collector, refs, *, dropped: bool = False) -> None:
        """Values not found in the table they refer to, as :func:`validation.check_references`
        reports them; with ``dropped``, the rows whose referred row was dropped (lenient mode).
        """
        for column, col, ref_table, ref_col, unknown in V.unknown_distinct(tables, refs, self.columns):
            if dropped:
                self._list(
                    collector,
                    col,
                    unknown,
                    col.typed,
                    column,
                    V.dropped_rule(ref_table),
                    "dropped",
                    extra=~self._bad(),
                )
                col.bad.update(int(k) for k in np.flatnonzero(unknown))
            else:
                self._list(collector, col, unknown, col.typed, column, V.reference_rule(ref_table, ref_col), "error")

    def check_warnings(self, resources: pd.DataFrame | None, collector: V.Collector) -> None:
        """The timesheet warnings of :func:`validation.check_warnings`, in the database: one scan
        gives each person's first and last date and weekend entries; rows are listed only for the
        people with dates outside their active dates.
        """
        if self.table != "timesheets" or "date" not in self.columns or "resource_id" not in self.columns:
            return
        spans = self._per_resource(kept=self.dropping)
        cols = [c for c in ("active_from", "active_to") if resources is not None and c in resources.columns]
        if resources is not None and cols and len(spans):
            r = resources.drop_duplicates("resource_id")[["resource_id", *cols]]
            r = r.assign(resource_id=r["resource_id"].astype(object))
            j = spans.assign(
                resource_id=spans["resource_id"].astype(object),
                lo=pd.to_datetime(spans["lo"]),
                hi=pd.to_datetime(spans["hi"]),
            ).merge(r, on="resource_id")
            out = pd.Series(False, index=j.index)
            if "active_from" in cols:
                out |= (j["lo"] < j["active_from"]).fillna(False)
            if "active_to" in cols:
                out |= (j["hi"] > j["active_to"]).fillna(False)
            if out.any():
                self._list_outside(collector, r.loc[r["resource_id"].isin(j.loc[out, "resource_id"])], cols)
        weekend = int(spans["weekend"].sum()) if len(spans) else 0
        if weekend:
            collector.whole(V.weekend_rule(weekend), "date", severity="warning")

    def _list_outside(self, collector: V.Collector, active: pd.DataFrame, cols: list[str]) -> None:
        """List the entries of the people in ``active`` dated outside their active dates."""
        import ibis

        base = self.source if self.key else self._numbered()
        date, rid = self._typed_cols["date"], self._typed_cols["resource_id"]
        cond = ibis.literal(False)
        for row in active.itertuples(index=False):
            outside = ibis.literal(False)
            for c in cols:
                bound = getattr(row, c)
                if pd.notna(bound):
                    b = pd.Timestamp(bound).to_pydatetime()
                    outside = outside | (date < b if c == "active_from" else date > b)
            cond = cond | ((rid == row.resource_id) & outside)
        where = cond.fill_null(False)
        if self.dropping:
            where = where & ~self._bad()
        order = self.key or ["_row"]
        base = base.mutate(_date=date)
        picked = base.filter(where).order_by(order).select(*dict.fromkeys([*order, "_date"]))
        if collector.limit is not None:
            picked = picked.limit(collector.limit)
        found = read_whole(picked)
        total = _count(base.filter(where))
        if self.key:
            rows = list(V.key_labels(found, self.key)) if len(found) else []
        else:
            rows = [f"result row {int(r)}" for r in found["_row"]]
        shown = [pd.Timestamp(d) for d in found["_date"]] if len(found) else []
        collector.listed(rows, shown, "date", V.OUTSIDE_ACTIVE_RULE, "warning", total - len(found))

    def _per_resource(self, *, kept: bool) -> pd.DataFrame:
        """Per resource_id: the first and last date, the weekend entries and the rows (``lo``,
        ``hi``, ``weekend``, ``n``), of the rows without an error (``kept``) or of all rows: one
        scan answers the warnings, :meth:`span` and :meth:`valid_rows`, kept until rows are left out.
        """
        bad = tuple(tuple(sorted(c.bad)) for c in self.columns.values())
        key = (kept and any(bad), bad)
        if key not in self._stats:
            t = self.typed(kept=kept)
            self._stats[key] = read_whole(t.group_by("resource_id").agg(**self._span_aggregates(t, t.date)))
        return self._stats[key]

    def _span_aggregates(self, t, date) -> dict[str, Any]:
        """The aggregates of :meth:`_per_resource` over the rows of ``t`` dated ``date``."""
        import ibis

        if self.backend_name == "postgres":
            # Saturday or Sunday: on or after the fifth day of its week (weeks start on Monday);
            # PostgreSQL's day of the week is a numeric, slower to compute on 10 M rows
            weekend = date >= date.truncate("W") + ibis.interval(days=5)
        else:
            weekend = date.day_of_week.index() >= 5
        return {"lo": date.min(), "hi": date.max(), "weekend": ibis.cases((weekend, 1), else_=0).sum(), "n": t.count()}

    def valid_rows(self) -> int:
        """Rows without an error (all rows, unless some were dropped)."""
        if "resource_id" in self._typed_cols and "date" in self._typed_cols:
            return int(self._per_resource(kept=True)["n"].sum())
        return _count(self.source.filter(~self._bad()))

    def fingerprint(self) -> dict[str, Any]:
        """The table's fingerprint, computed in the database (:func:`engine_fingerprint`).

        Timesheets without an error get it from the scan that gives each person's dates
        (:meth:`_per_resource`): the hashes are summed per person, then across people.
        """
        columns = list(self.source.columns)
        bad = tuple(tuple(sorted(c.bad)) for c in self.columns.values())
        if self._person_raw is not None:  # the check's scan per person (PostgreSQL) summed the hashes
            got = self._person_raw
            n, total = (sum(int(v) for v in got[f"_fp_{k}"].dropna()) for k in ("n", "s"))
            rid = self.columns.get("resource_id")
            if not any(bad) and rid is not None and self._typed_cols["resource_id"].equals(self.source[rid.written]):
                # the people as stored are the people typed: their dates answer _per_resource too
                stats = got.rename(columns={"raw": "resource_id"})[["resource_id", "lo", "hi", "weekend", "n"]]
                self._stats[(False, bad)] = stats
            return {**_digest(n, total, columns), "computed_in": self.engine}
        if self.table != "timesheets" or any(bad) or not {"resource_id", "date"} <= set(self._typed_cols):
            return {**engine_fingerprint(self.source, columns), "computed_in": self.engine}
        t = self.source.mutate(_rid=self._typed_cols["resource_id"], _date=self._typed_cols["date"])
        got = read_whole(
            t.group_by(resource_id=t._rid).agg(
                **self._span_aggregates(t, t._date), **{f"_fp_{k}": v for k, v in _fingerprint_sums(t, columns).items()}
            )
        )
        n, total = (sum(int(v) for v in got[f"_fp_{k}"].dropna()) for k in ("n", "s"))
        self._stats[(False, bad)] = got.drop(columns=[f"_fp_{k}" for k in ("n", "s")])
        return {**_digest(n, total, columns), "computed_in": self.engine}

    # ----------------------------------------------------------------------- what the model asks
    def booked_hours(self, as_of, start=None) -> pd.DataFrame:
        """Hours per resource_id, project_id, activity and month of the valid entries dated on or
        before ``as_of`` (:func:`booked_hours_expr`, run in the database).
        """
        from pmo_analysis.inputs.timesheets import monthly_frame

        got = _arrow(booked_hours_expr(self.typed(), as_of, start)).to_pandas()
        return monthly_frame(got)

    def span(self) -> tuple[pd.Timestamp, pd.Timestamp] | None:
        """The first and last date of the valid entries (``None`` when there are none)."""
        spans = self._per_resource(kept=True)
        lo, hi = spans["lo"].dropna(), spans["hi"].dropna()
        return None if lo.empty else (pd.Timestamp(min(lo)), pd.Timestamp(max(hi)))

    def to_frame(self) -> pd.DataFrame:
        """Every valid row, typed, in key order: loads the whole table (small data and tests)."""
        order = self.key or ["_row"]
        base = self.source if self.key else self._numbered()
        base = base.filter(~self._bad())
        cols = {c: e for c, e in self._typed_cols.items()}
        df = _arrow(base.order_by(order).select(**cols)).to_pandas()
        for c in SCHEMA[self.table]:
            if c.name in df.columns and c.kind in ("id", "text", "category"):
                df[c.name] = df[c.name].astype("string")
            elif c.name in df.columns and c.kind in ("date", "month"):
                df[c.name] = df[c.name].astype("datetime64[ns]")
        return df


_DIALECTS = {"postgres": "postgres", "duckdb": "duckdb", "pyspark": "spark"}


def _fetch(con, sql: str) -> pd.DataFrame:
    """The result of ``sql`` run by the ibis connection ``con``, as Python values in object columns."""
    name = con.name
    if name == "postgres":
        with con.con.cursor() as cur:
            cur.execute(sql)
            names = [d.name for d in cur.description]
            rows = cur.fetchall()
        return pd.DataFrame({k: pd.Series([r[i] for r in rows], dtype=object) for i, k in enumerate(names)})
    if name == "duckdb":
        arrow = con.con.sql(sql).to_arrow_table()
    elif name == "pyspark":
        arrow = con._session.sql(sql).toArrow()
    else:  # pragma: no cover - another engine ibis reaches: through ibis
        arrow = con.sql(sql).to_pyarrow()
    return pd.DataFrame({k: pd.Series(arrow.column(k).to_pylist(), dtype=object) for k in arrow.column_names})


def _arrow(expr):
    """The result of the ibis expression ``expr`` as an Arrow table, as ``expr.to_pyarrow()`` gives
    it. From PostgreSQL the rows are fetched by a plain (client-side) cursor: ibis reads through a
    named server-side cursor, and PostgreSQL never runs a cursor's query in parallel, so each scan
    would run on one core (the results are small: aggregates and capped listings). From Spark, by
    Spark's own Arrow transfer, cast to the expression's types.
    """
    con = expr._find_backend()
    if con.name not in ("postgres", "pyspark"):
        return expr.to_pyarrow()
    import pyarrow as pa

    table = expr.as_table()
    schema = table.schema()
    if con.name == "pyspark":  # Spark's own Arrow transfer: ibis collects Python rows (10 s for 740,000)
        got = con._session.sql(con.compile(table)).toArrow()
        arrow = pa.Table.from_arrays(
            [got.column(i).cast(t) for i, t in enumerate(schema.to_pyarrow().types)],
            schema=schema.to_pyarrow(),
        )
        import ibis.expr.types as ir

        return arrow.column(0)[0] if isinstance(expr, ir.Scalar) else arrow
    with con.con.cursor() as cur, con.con.transaction():
        rows = cur.execute(con.compile(table)).fetchall()
    batch = pa.RecordBatch.from_struct_array(pa.array(rows, type=schema.as_struct().to_pyarrow()))
    arrow = pa.Table.from_batches([batch], schema=schema.to_pyarrow())
    import ibis.expr.types as ir

    return arrow.column(0)[0] if isinstance(expr, ir.Scalar) else arrow


def _count(table) -> int:
    """The row count of the ibis table ``table``, computed in its engine."""
    return int(_arrow(table.count()).as_py())


def _plain(value: Any) -> Any:
    """A typed value as an ibis literal takes it."""
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item"):
        return value.item()
    return value


def _key(value: Any, nan: bool) -> Any:
    """A distinct value as a dictionary key (NaN and NULL told apart)."""
    if nan:
        return ("nan",)
    if value is None:
        return ("null",)
    return value


def validate_pushed(
    table: str, source, label: str, key: list[str], engine: str, *, limit: int | None
) -> tuple[PushedTable | None, V.Collector]:
    """Check ``table`` inside its database (see the module docstring). Returns the table (``None``
    when a problem with the whole table leaves nothing to use) and its problems; raises
    :class:`CannotPush` when it must be read whole.
    """
    assert not any(t == table for t, *_ in ORDERED_DATES) and not any(t == table for t, _ in UNIQUE_KEYS)
    t = PushedTable(table, source, label, key, engine)
    collector = V.Collector(table, label, pd.Series(dtype="int64"), limit)
    ok = t.check(collector)
    return (t if ok else None), collector
