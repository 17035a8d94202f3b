"""Pushdown: timesheets checked and aggregated inside a real PostgreSQL (the session's cluster,
``pg`` in conftest.py, shared with test_sql.py), compared with the same rows read whole and read
from files.

The engine is forced with ``engine="duckdb"`` ("in the engine", whatever the row count) so the
sample's 51,440 timesheet rows (the first 2,000 of them where a few rows are planted) stand for the
ten million of a PPM database.
"""

from __future__ import annotations

import contextvars

import pandas as pd
import pytest
import sqlalchemy as sa

from pmo_analysis import load_portfolio
from pmo_analysis.core.config import SAMPLE_AS_OF
from pmo_analysis.core.exceptions import DataValidationError
from pmo_analysis.inputs import pushdown
from pmo_analysis.inputs.pushdown import PushedTable, booked_hours_expr, cashflows_by_month_expr
from pmo_analysis.inputs.timesheets import monthly_frame, monthly_hours
from tests.inputs.test_sql import _sorted

ibis = pytest.importorskip("ibis", reason="pip install 'pmo-analysis[engines]' (ibis) to test pushdown")


def _problems(exc: DataValidationError) -> list[tuple]:
    return [(p.table, p.row, p.column, p.value, p.rule, p.severity) for p in exc.problems]


def _admin(pg, db: str = "postgres"):
    return sa.create_engine(f"postgresql+psycopg://pmo@127.0.0.1:{pg['port']}/{db}", isolation_level="AUTOCOMMIT")


KEYED_ROWS = 2_000


@pytest.fixture(scope="module")
def keyed(pg):
    """Database ``keyed``: the sample with an ``entry_id`` primary key on timesheets (as a PPM tool
    numbers its entries), 1 to 2,000 in file order: the sample's first 2,000 entries (enough for a
    few planted rows, quicker to read whole beside)."""
    admin = _admin(pg)
    with admin.connect() as conn:  # a copy of the sample database, made by the server itself
        conn.execute(sa.text("CREATE DATABASE keyed TEMPLATE ppm"))
    admin.dispose()
    url = pg["url"].replace("/ppm", "/keyed")
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as conn:
        conn.execute(sa.text("ALTER TABLE timesheets ADD COLUMN entry_id bigserial PRIMARY KEY"))
        conn.execute(sa.text(f"DELETE FROM timesheets WHERE entry_id > {KEYED_ROWS}"))
    engine.dispose()
    return url


# --------------------------------------------------------------------------- the expressions, once
def _duckdb_table(df: pd.DataFrame):
    """``df`` as a table of an in-memory DuckDB, through ibis."""
    import duckdb

    raw = duckdb.connect()
    raw.register("frame", df)
    raw.execute("CREATE TABLE t AS SELECT * FROM frame")
    return ibis.duckdb.from_connection(raw).table("t")


def test_allocation_by_month_expression(sample):
    """The allocation of the assignments running in a month, summed per person and project."""
    from pmo_analysis.inputs.pushdown import allocation_by_month_expr

    a = sample.assignments
    months = [pd.Timestamp("2026-01-01"), pd.Timestamp("2026-02-01")]
    got = allocation_by_month_expr(_duckdb_table(a), months).to_pyarrow().to_pandas()
    for m in months:
        end = m + pd.offsets.MonthEnd(0)
        run = a.loc[(a["start_date"] <= end) & (a["end_date"] >= m)]
        want = run.groupby(["resource_id", "project_id"])["allocation_pct"].sum()
        mine = got.loc[pd.to_datetime(got["period"]) == m].set_index(["resource_id", "project_id"])["allocation_pct"]
        assert len(want) > 0
        pd.testing.assert_series_equal(mine.sort_index(), want.sort_index(), check_names=False, check_index_type=False)


def test_booked_hours_expression_equals_the_pandas_aggregation(sample):
    """One ibis expression, run by DuckDB here, gives the table monthly_hours computes in pandas."""
    ts = sample.timesheets
    t = _duckdb_table(ts[["resource_id", "project_id", "activity", "date", "hours"]])
    got = monthly_frame(booked_hours_expr(t, "2026-03-31", start="2025-06-15").to_pyarrow().to_pandas())
    pd.testing.assert_frame_equal(got, monthly_hours(ts, "2026-03-31", start="2025-06-15"))
    # a hand-checked cell: R001's hours on its projects in January 2026, straight from the rows
    jan = ts.loc[
        (ts["resource_id"] == "R001") & (ts["date"].dt.strftime("%Y-%m") == "2026-01") & ts["project_id"].notna()
    ]
    mine = got.loc[(got["resource_id"] == "R001") & (got["period"] == "2026-01-01") & got["project_id"].notna()]
    assert mine["hours"].sum() == pytest.approx(jan["hours"].sum()) and jan["hours"].sum() > 0


def test_booked_hours_without_the_optional_activity_column(sample):
    """A timesheet table without its optional activity column aggregates as pandas does it."""
    ts = sample.timesheets[["resource_id", "project_id", "date", "hours"]]
    got = monthly_frame(booked_hours_expr(_duckdb_table(ts), "2026-03-31").to_pyarrow().to_pandas())
    pd.testing.assert_frame_equal(got, monthly_hours(ts, "2026-03-31"))


def test_cashflows_by_month_expression(sample):
    cf = sample.cashflows
    t = _duckdb_table(cf)
    got = cashflows_by_month_expr(t).to_pyarrow().to_pandas()
    want = cf.groupby(["project_id", "period"], as_index=False)[["planned_cost", "actual_cost"]].sum(min_count=1)
    got = got.astype({"period": "datetime64[ns]", "project_id": "string"})
    merged = want.merge(got, on=["project_id", "period"], suffixes=("", "_engine"))
    assert len(merged) == len(want) == len(got)
    pd.testing.assert_series_equal(merged["planned_cost"], merged["planned_cost_engine"], check_names=False)
    pd.testing.assert_series_equal(merged["actual_cost"], merged["actual_cost_engine"], check_names=False)


def test_the_expressions_compile_to_postgres_and_spark_sql():
    t = ibis.table(
        {
            "resource_id": "string",
            "project_id": "string",
            "activity": "string",
            "date": "timestamp",
            "hours": "float64",
        },
        name="timesheets",
    )
    for dialect in ("duckdb", "postgres", "trino", "snowflake", "bigquery"):
        sql = ibis.to_sql(booked_hours_expr(t, "2026-06-30"), dialect=dialect)
        assert "GROUP BY" in sql and "timesheets" in sql, dialect


# --------------------------------------------------------------------------- PostgreSQL
def test_auto_pushes_down_by_row_count(pg, monkeypatch):
    small = load_portfolio(pg["url"], tables=["timesheets"])
    assert small.out_of_core == {} and len(small.timesheets) == 51_440
    monkeypatch.setattr(pushdown, "PUSHDOWN_ROWS", 50_000)
    monkeypatch.setattr("pmo_analysis.inputs.sources.PUSHDOWN_ROWS", 50_000)
    large = load_portfolio(pg["url"], tables=["timesheets"])
    assert small.timesheets is not None and isinstance(large.out_of_core["timesheets"], PushedTable)
    assert large.timesheets is None and large.row_counts()["timesheets"] == 51_440


def test_the_model_from_postgres_equals_the_model_from_files(pg, model):
    """Every model table and the decisions, built from timesheets left in PostgreSQL, equal those
    built from the files; the manifest's fingerprint of the timesheets is computed in the database."""
    from pmo_analysis.model import build_model

    def build():
        p = load_portfolio(pg["url"], as_of=SAMPLE_AS_OF, engine="duckdb")
        return p, build_model(p, as_of=SAMPLE_AS_OF)

    portfolio, ours = contextvars.copy_context().run(build)
    assert isinstance(portfolio.out_of_core["timesheets"], PushedTable) and portfolio.timesheets is None
    assert sorted(ours.tables) == sorted(model.tables)
    for name in model.tables:
        pd.testing.assert_frame_equal(_sorted(ours.tables[name]), _sorted(model.tables[name]), obj=name)
    pd.testing.assert_frame_equal(_sorted(ours.decisions), _sorted(model.decisions))
    record = {t["table"]: t for t in portfolio.source["tables"]}["timesheets"]
    assert record["rows"] == 51_440 and record["computed_in"] == "postgresql" and len(record["sha256"]) == 64
    again = load_portfolio(pg["url"], tables=["timesheets"], engine="duckdb").source["tables"]
    assert {t["table"]: t for t in again}["timesheets"]["sha256"] == record["sha256"]
    # summed per person in the check's scan, it is the fingerprint of the whole table at once
    pushed = portfolio.out_of_core["timesheets"]
    whole = pushdown.engine_fingerprint(pushed.source, list(pushed.source.columns))
    assert pushed._person_raw is not None and whole["sha256"] == record["sha256"]


@pytest.mark.parametrize("key", [True, False], ids=["primary key", "no key"])
def test_a_planted_invalid_row_is_reported_as_when_read_whole(keyed, sample_undated, key):
    """A bad value and an unknown resource planted in the table: the same messages, row names
    included, whether the database checks them or the rows are read whole; the same words and
    values as from a file."""
    engine = sa.create_engine(keyed.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE timesheets SET hours = 25 WHERE entry_id = 777"))
        conn.execute(sa.text("UPDATE timesheets SET resource_id = 'R999' WHERE entry_id IN (1500, 1800)"))
        if not key:
            conn.execute(sa.text("ALTER TABLE timesheets DROP CONSTRAINT timesheets_pkey"))
    try:
        with pytest.raises(DataValidationError) as pushed:
            load_portfolio(keyed, tables=["timesheets"], engine="duckdb")
        with pytest.raises(DataValidationError) as whole:
            load_portfolio(keyed, tables=["timesheets"], engine="pandas")
        assert _problems(pushed.value) == _problems(whole.value)
        got = [(p.row, p.column, p.value, p.rule) for p in pushed.value.problems]
        if key:
            assert got == [
                ("entry_id '777'", "hours", "25", "must be > 0 and <= 24"),
                ("entry_id '1500'", "resource_id", "R999", "unknown resource_id: not in resources"),
                ("entry_id '1800'", "resource_id", "R999", "unknown resource_id: not in resources"),
            ]
        # from a file: the same table, column, value and rule (a file names the spreadsheet row)
        ts = sample_undated.timesheets.iloc[:KEYED_ROWS].copy()
        ts.loc[776, "hours"] = 25.0
        ts.loc[[1499, 1799], "resource_id"] = "R999"
        filed = [(p.column, p.value, p.rule) for p in _file_problems(ts, sample_undated)]
        assert filed == [(c, v, r) for _, c, v, r in got]
        # under --exclude-invalid the database leaves the rows out: the same hours as read whole
        a = load_portfolio(keyed, tables=["timesheets"], engine="duckdb", on_error="drop")
        b = load_portfolio(keyed, tables=["timesheets"], engine="pandas", on_error="drop")
        assert [(p.row, p.column, p.rule) for p in a.dropped] == [(p.row, p.column, p.rule) for p in b.dropped]
        assert a.row_counts()["timesheets"] == len(b.timesheets) == KEYED_ROWS - 3
        pd.testing.assert_frame_equal(a.booked_hours(SAMPLE_AS_OF), b.booked_hours(SAMPLE_AS_OF))
    finally:
        if not key:  # the planted values stay: the next case plants the same
            with engine.begin() as conn:
                conn.execute(sa.text("ALTER TABLE timesheets ADD PRIMARY KEY (entry_id)"))
        engine.dispose()


def _file_problems(ts: pd.DataFrame, sample) -> list:
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as d:
        for table in ("projects", "resources"):
            getattr(sample, table).to_csv(Path(d) / f"{table}.csv", index=False)
        ts.to_csv(Path(d) / "timesheets.csv", index=False, float_format="%g")
        with pytest.raises(DataValidationError) as exc:
            load_portfolio(d, tables=["timesheets"])
    return [p for p in exc.value.problems if p.table == "timesheets"]


def test_a_mapping_query_is_pushed_down_on_a_read_only_session(pg, tmp_path):
    """A PPM schema's query: checked in the database (whose read-only session creates nothing), the
    same rows and the same fingerprint as the table it selects from."""
    mapping = tmp_path / "ppm.yml"
    mapping.write_text(f"""url: {pg["url"]}
tables:
  timesheets:
    query: SELECT resource_id, date, hours, project_id, activity FROM timesheets WHERE hours > 0
""")
    by_query = load_portfolio(mapping, tables=["timesheets"], engine="duckdb")
    by_table = load_portfolio(pg["url"], tables=["timesheets"], engine="duckdb")
    assert isinstance(by_query.out_of_core["timesheets"], PushedTable)
    assert by_query.files["timesheets"] == "query"
    prints = [{t["table"]: t for t in p.source["tables"]}["timesheets"] for p in (by_query, by_table)]
    assert prints[0]["sha256"] == prints[1]["sha256"] and prints[0]["rows"] == 51_440
    pd.testing.assert_frame_equal(by_query.booked_hours(SAMPLE_AS_OF), by_table.booked_hours(SAMPLE_AS_OF))


def test_weekend_entries_are_counted_by_the_database_as_when_read_whole(keyed):
    # a Saturday and a Sunday are weekend entries, the Friday and the Monday around them are not
    engine = sa.create_engine(keyed.replace("postgresql://", "postgresql+psycopg://"))
    days = {11: "2026-03-06", 12: "2026-03-07", 13: "2026-03-08", 14: "2026-03-09"}
    with engine.begin() as conn:
        rows = conn.execute(sa.text("SELECT entry_id, date FROM timesheets WHERE entry_id IN (11, 12, 13, 14)"))
        saved = {int(r[0]): r[1] for r in rows}
        for entry, day in days.items():
            conn.execute(sa.text(f"UPDATE timesheets SET date = '{day}' WHERE entry_id = {entry}"))
    try:
        # (the rows an earlier test planted, if it ran, are left out alike)
        pushed, whole = (
            load_portfolio(keyed, tables=["timesheets"], engine=e, on_error="drop") for e in ("duckdb", "pandas")
        )
        assert "timesheets" in pushed.out_of_core and "timesheets" not in whole.out_of_core
        warned = [[(p.column, p.rule) for p in x.warnings] for x in (pushed, whole)]
        assert warned[0] == warned[1]
        assert ("date", "2 entries fall on a Saturday or Sunday; they count as booked hours") in warned[0]
        # the fingerprint the same scan summed changes with one hour
        before = {t["table"]: t for t in pushed.source["tables"]}["timesheets"]["sha256"]
        with engine.begin() as conn:
            conn.execute(sa.text("UPDATE timesheets SET hours = hours + 0.5 WHERE entry_id = 11"))
        again = load_portfolio(keyed, tables=["timesheets"], engine="duckdb", on_error="drop")
        assert {t["table"]: t for t in again.source["tables"]}["timesheets"]["sha256"] != before
        with engine.begin() as conn:
            conn.execute(sa.text("UPDATE timesheets SET hours = hours - 0.5 WHERE entry_id = 11"))
    finally:
        with engine.begin() as conn:
            for entry, day in saved.items():
                conn.execute(sa.text("UPDATE timesheets SET date = :d WHERE entry_id = :e"), {"d": day, "e": entry})
        engine.dispose()
