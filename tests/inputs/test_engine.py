"""The out-of-core engine (pmo_analysis.inputs.engine) against the pandas path: the same problems, word for
word and row for row, the same booked hours and the same portfolio model."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pmo_analysis import load_portfolio
from pmo_analysis.core.config import SAMPLE_DATA_DIR
from pmo_analysis.core.exceptions import DataValidationError
from pmo_analysis.inputs import engine as E
from pmo_analysis.inputs.schema import ORDERED_DATES, UNIQUE_KEYS
from pmo_analysis.inputs.timesheets import monthly_hours

AS_OF = "2026-06-14"  # mid-month: the cut at as-of falls inside a month


def _folder(tmp_path, name="data"):
    """A copy of the sample without its timesheets."""
    out = tmp_path / name
    shutil.copytree(SAMPLE_DATA_DIR, out)
    (out / "timesheets.csv").unlink()
    res = pd.read_csv(out / "resources.csv", dtype=str, keep_default_na=False)
    res.loc[res["resource_id"] == "R003", "active_to"] = "2026-03-01"  # hours after it: warnings
    res.loc[res["resource_id"] == "R002", "active_from"] = "2026-03-04"
    res.to_csv(out / "resources.csv", index=False)
    return out


def _problems(folder, engine, on_error="raise"):
    """Every problem and warning loading ``folder`` gives, as the user reads them."""
    try:
        p = load_portfolio(folder, as_of=AS_OF, engine=engine, on_error=on_error, tables=["timesheets"])
    except DataValidationError as exc:
        return [str(x) for x in exc.problems], None
    return [str(x) for x in p.warnings + p.dropped], p


def _both(folder, on_error="raise"):
    a, pa_ = _problems(folder, "pandas", on_error)
    b, pb = _problems(folder, "duckdb", on_error)
    assert pb is None or "timesheets" in pb.out_of_core
    return a, b, pa_, pb


MESSY = pd.DataFrame(
    {
        "resource_id": [
            "R001",
            " R002 ",
            "",
            "R999",
            "R001",
            "R003",
            "R001",
            "R004",
            "R001",
            "R005",
            "R001",
            "R001",
            "R002",
        ],
        "date": [
            "2026-03-02",
            "2026-03-03",
            "2026-03-04",
            "2026-03-05",
            "03/04/2026",
            "2026-02-30",
            "2026-03",
            "2026-03-07",
            "",
            "2026-03-09 10:00",
            "2026/03/10",
            "2026-03-11",
            "2026-06-20",
        ],
        "hours": ["8", "7.5", "8", "8", "8", "8", "8", "abc", "8", "25", "-1", "inf", "1,5"],
        "project_id": [
            "PRJ-001",
            "",
            "PRJ-001",
            "PRJ-001",
            "PRJ-404",
            "PRJ-002",
            "",
            "PRJ-001",
            "PRJ-001",
            "PRJ-001",
            "PRJ-001",
            "PRJ-001",
            "PRJ-003",
        ],
        "activity": [
            "delivery",
            "Leave",
            "delivery",
            "delivery",
            "delivery",
            "delivery",
            " admin ",
            "delivery",
            "delivery",
            "delivery",
            "delivery",
            "delivery",
            "delivery",
        ],
    }
)


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
@pytest.mark.parametrize("on_error", ["raise", "drop"])
def test_messy_timesheets_give_the_same_problems_row_for_row(tmp_path, fmt, on_error):
    folder = _folder(tmp_path)
    if fmt == "csv":
        MESSY.to_csv(folder / "timesheets.csv", index=False)
    else:
        MESSY.to_parquet(folder / "timesheets.parquet", index=False)
    a, b, pa_, pb = _both(folder, on_error)
    assert a == b
    assert f"timesheets.{fmt}, row 6, column 'date': value '03/04/2026': not a date YYYY-MM-DD" in a
    assert f"timesheets.{fmt}, row 4, column 'resource_id': value '': must not be empty" in a
    assert f"timesheets.{fmt}, row 9, column 'hours': value 'abc': not a number" in a
    assert f"timesheets.{fmt}, row 5, column 'resource_id': value 'R999': unknown resource_id: not in resources" in a
    assert (
        f"timesheets.{fmt}, row 3, column 'date': value '2026-03-03': hours booked outside the resource's "
        "active dates" in a
    )
    if on_error == "drop":
        pd.testing.assert_frame_equal(pa_.booked_hours(AS_OF), pb.booked_hours(AS_OF))
        assert pa_.timesheet_span() == pb.timesheet_span()


def test_many_bad_rows_are_listed_then_counted(tmp_path):
    folder = _folder(tmp_path)
    n = 60
    df = pd.DataFrame(
        {
            "resource_id": ["R001"] * n,
            "date": pd.date_range("2026-03-02", periods=n).strftime("%Y-%m-%d"),
            "hours": ["x"] * 30 + ["30"] * 30,
            "project_id": ["PRJ-001"] * n,
            "activity": ["delivery"] * n,
        }
    )
    df.to_csv(folder / "timesheets.csv", index=False)
    a, b, _, _ = _both(folder)
    assert a == b
    assert sum("(and 5 more rows)" in x for x in a) == 2  # 25 listed, then a count, for each rule


def test_parquet_nan_null_and_typed_columns(tmp_path):
    """Typed Parquet: a NaN float is "not a number", a null is empty, dates stay dates."""
    folder = _folder(tmp_path)
    table = pa.table(
        {
            "resource_id": pa.array(["R001", "R002", None, "R003"]).dictionary_encode(),
            "date": pa.array(pd.to_datetime(["2026-03-02", "2026-03-03", "2026-03-04", None])),
            "hours": pa.array([8.0, float("nan"), None, 4.0]),
            "project_id": pa.array(["PRJ-001", None, "PRJ-001", "PRJ-002"]),
            "activity": pa.array(["delivery", "leave", "delivery", "delivery"]),
        }
    )
    pq.write_table(table, folder / "timesheets.parquet")
    a, b, _, _ = _both(folder)
    assert a == b
    assert "timesheets.parquet, row 3, column 'hours': value 'nan': not a number" in a
    assert "timesheets.parquet, row 4, column 'resource_id': value '': must not be empty" in a


def test_sample_gives_the_same_model_in_memory_and_out_of_core():
    from pmo_analysis.model import build_model

    a = load_portfolio(SAMPLE_DATA_DIR, as_of=AS_OF, engine="pandas")
    b = load_portfolio(SAMPLE_DATA_DIR, as_of=AS_OF, engine="duckdb")
    assert b.timesheets is None and "timesheets" in b.out_of_core and a.timesheets is not None
    assert a.row_counts() == b.row_counts()
    booked = b.booked_hours(AS_OF)
    pd.testing.assert_frame_equal(a.booked_hours(AS_OF), booked)
    # the cut at as-of: June hours are those dated up to the 14th
    ts = a.timesheets
    june = ts.loc[(ts["date"] >= "2026-06-01") & (ts["date"] <= AS_OF), "hours"].sum()
    assert booked.loc[booked["period"] == "2026-06-01", "hours"].sum() == pytest.approx(june)
    assert booked["hours"].sum() == pytest.approx(ts.loc[ts["date"] <= AS_OF, "hours"].sum())
    ma, mb = build_model(a, as_of=AS_OF), build_model(b, as_of=AS_OF)
    assert set(ma.tables) == set(mb.tables)
    for name in ma.tables:
        pd.testing.assert_frame_equal(ma.tables[name], mb.tables[name], obj=name)
    pd.testing.assert_frame_equal(
        b.table("timesheets").reset_index(drop=True),
        a.timesheets[list(b.table("timesheets").columns)],
        check_dtype=False,
    )


def test_generated_portfolio_as_parquet_folder_by_month(tmp_path):
    """A generated portfolio (twice the sample), its timesheets written one Parquet file per month:
    the same booked hours as the single CSV file read in memory."""
    from pmo_analysis.inputs.sample import write_sample

    folder = tmp_path / "gen"
    write_sample(folder, scale=2, fmt="csv", seed=7)
    in_memory = load_portfolio(folder, as_of="2026-06-30", engine="pandas")
    ts = in_memory.timesheets
    (folder / "timesheets.csv").rename(tmp_path / "timesheets.csv")
    for month, part in ts.groupby(ts["date"].dt.strftime("%Y-%m")):
        out = folder / "timesheets" / f"month={month}"
        out.mkdir(parents=True)
        part.to_parquet(out / "part-0.parquet", index=False)
    folded = load_portfolio(folder, as_of="2026-06-30")  # a folder is always read out of core
    assert "timesheets" in folded.out_of_core
    for as_of in ("2026-06-30", "2026-03-17"):
        pd.testing.assert_frame_equal(in_memory.booked_hours(as_of), folded.booked_hours(as_of))
    assert [str(w) for w in in_memory.warnings] == [str(w) for w in folded.warnings]


def test_a_bad_row_in_a_folder_names_its_file(tmp_path):
    folder = _folder(tmp_path)
    for month, hours in (("2026-03", ["8", "8"]), ("2026-04", ["8", "99"])):
        out = folder / "timesheets" / f"month={month}"
        out.mkdir(parents=True)
        pd.DataFrame(
            {
                "resource_id": ["R001", "R004"],
                "date": [f"{month}-02", f"{month}-03"],
                "hours": hours,
                "project_id": ["PRJ-001", "PRJ-001"],
            }
        ).to_parquet(out / "part-0.parquet")
    with pytest.raises(DataValidationError) as exc:
        load_portfolio(folder, as_of=AS_OF)
    assert [str(p) for p in exc.value.problems] == [
        "timesheets/month=2026-04/part-0.parquet, row 3, column 'hours': value '99': must be > 0 and <= 24"
    ]


def test_a_csv_duckdb_cannot_number_is_read_by_the_pandas_path(tmp_path):
    """A blank line or a value spanning lines: DuckDB's rows would not be the spreadsheet's."""
    folder = _folder(tmp_path)
    text = (
        "resource_id,date,hours,project_id,activity\nR001,2026-03-02,8,PRJ-001,delivery\n\n"
        'R001,2026-03-03,8,PRJ-001,"two\nlines"\nR001,2026-03-04,x,PRJ-001,delivery\n'
    )
    (folder / "timesheets.csv").write_text(text, encoding="utf-8")
    a, _ = _problems(folder, "pandas")
    b, _ = _problems(folder, "duckdb")
    assert a == b == ["timesheets.csv, row 5, column 'hours': value 'x': not a number"]


def test_auto_leaves_only_large_timesheets_out_of_core(tmp_path, monkeypatch):
    folder = _folder(tmp_path)
    MESSY.iloc[:2].to_parquet(folder / "timesheets.parquet", index=False)
    assert not E.use_engine("auto", "timesheets", folder / "timesheets.parquet")
    assert E.use_engine("duckdb", "timesheets", folder / "timesheets.parquet")
    assert not E.use_engine("duckdb", "projects", folder / "projects.csv")
    monkeypatch.setattr(E, "LARGE_ROWS", 1)
    assert E.use_engine("auto", "timesheets", folder / "timesheets.parquet")
    with pytest.raises(ValueError, match="engine must be one of"):
        load_portfolio(folder, engine="spark")


def test_out_of_core_tables_have_no_rules_across_rows():
    """Dates in order and keys unique together need the whole table: no out-of-core table has any."""
    assert not {t for t, *_ in ORDERED_DATES} & set(E.OUT_OF_CORE)
    assert not {t for t, _ in UNIQUE_KEYS} & set(E.OUT_OF_CORE)


_values = st.one_of(
    st.sampled_from(
        [
            "8",
            " 7.5 ",
            "",
            "  ",
            "0",
            "24",
            "24.0001",
            "1e1",
            "+5",
            ".5",
            "5.",
            "1,5",
            "1,000",
            "inf",
            "-inf",
            "nan",
            "NaN",
            "1_0",
            "0x10",
            "１２",
            "abc",
            "-0",
        ]
    ),
    st.text(alphabet="0123456789.,+-eE x", max_size=6),
)
_dates = st.one_of(
    st.sampled_from(
        [
            "2026-03-02",
            "2026-3-2",
            "2026/03/02",
            "2026-03",
            "2026-3",
            "03/02/2026",
            "2026-02-30",
            "2026-03-02T10:00",
            "2026-03-02 10:00:00.5",
            "1600-01-01",
            "2026-13-01",
            "",
            " 2026-03-05 ",
            "２０２６-03-02",
            "2026-03-02 25:00",
        ]
    ),
    st.text(alphabet="0123456789-/: T", max_size=12),
)
_ids = st.sampled_from(["R001", " R001", "R001\u3000", "res-001", "", "\u00a0", "R999"])


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(
        st.tuples(
            _ids,
            _dates,
            _values,
            st.sampled_from(["PRJ-001", "", " PRJ-002 ", "prj-001"]),
            st.sampled_from(["delivery", "", " Leave", "LEAVE"]),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_any_text_gets_the_same_verdict_from_both_engines(tmp_path_factory, rows):
    folder = _folder(tmp_path_factory.mktemp("h"))
    df = pd.DataFrame(rows, columns=["resource_id", "date", "hours", "project_id", "activity"])
    df.to_parquet(folder / "timesheets.parquet", index=False)  # text cells, exactly as written
    for on_error in ("raise", "drop"):
        a, b, pa_, pb = _both(folder, on_error)
        assert a == b
        if pa_ is not None and pb is not None:
            pd.testing.assert_frame_equal(pa_.booked_hours(AS_OF), pb.booked_hours(AS_OF))


def test_monthly_hours_law_total_is_kept():
    """Booked hours are a regrouping: their total is the total of the entries up to as-of."""
    p = load_portfolio(SAMPLE_DATA_DIR)
    ts = p.timesheets
    for as_of in ("2025-01-01", "2025-07-15", "2026-06-30", "2027-01-01"):
        got = monthly_hours(ts, as_of)["hours"].sum()
        assert got == pytest.approx(ts.loc[ts["date"] <= as_of, "hours"].sum())
    assert np.isclose(monthly_hours(ts)["hours"].sum(), ts["hours"].sum())


@pytest.mark.parametrize("typed", [False, True])
def test_a_date_no_timestamp_can_hold_is_one_clear_problem(tmp_path, typed):
    """Year 1600 or 9999 is a typing error: reported with its row, never a crash, on both paths."""
    folder = _folder(tmp_path)
    dates = ["1600-01-01", "2026-03-02", "9999-12-31"]
    df = pd.DataFrame({"resource_id": ["R001"] * 3, "date": dates, "hours": [8.0] * 3})
    if typed:
        df["date"] = pd.to_datetime(pd.Series(dates), format="%Y-%m-%d").astype("datetime64[s]")
    df.to_parquet(folder / "timesheets.parquet", index=False)
    a, b, _, _ = _both(folder)
    assert a == b
    rule = "must be between 1900-01-01 and 2099-12-31 (a typing error in the year?)"
    assert [x.split(": value ")[0] for x in a] == [
        "timesheets.parquet, row 2, column 'date'",
        "timesheets.parquet, row 4, column 'date'",
    ]
    assert all(x.endswith(rule) for x in a)
