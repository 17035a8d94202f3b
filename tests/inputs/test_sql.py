"""A database as the data source: a real PostgreSQL server (a throwaway cluster), SQLite and DuckDB.

The PostgreSQL tests read the sample from the session's cluster (``pg`` in conftest.py, shared
with test_pushdown.py), loaded through SQLAlchemy; they are skipped, with the reason, only where
PostgreSQL's binaries cannot be found (``.ci/run`` installs Debian's ``postgresql``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from pmo_analysis import load_portfolio
from pmo_analysis.cli import main
from pmo_analysis.core.config import SAMPLE_DATA_DIR
from pmo_analysis.core.exceptions import DataValidationError, ParameterError
from pmo_analysis.inputs.schema import TABLES
from pmo_analysis.inputs.sources import describe_source, open_sql_source
from tests.helpers import SUITE_NOTEBOOK_PARAMS, SUITE_PARAMS
from tests.inputs.conftest import PASSWORD, _free_port, _load

#: Model tables whose rows depend on the order the input rows come in (none: lessons are read in
#: lesson_id order, so a database and the files give the same themes and the same ties).
ROW_ORDER_SENSITIVE: set[str] = set()


def _sorted(df: pd.DataFrame) -> pd.DataFrame:
    return df.sort_values(list(df.columns), kind="stable").reset_index(drop=True)


def _assert_same_tables(a, b) -> None:
    """Same tables, values and types; a table without a key has no row order in SQL, so rows are sorted."""
    for table in TABLES:
        pd.testing.assert_frame_equal(
            _sorted(getattr(a, table)), _sorted(getattr(b, table)), check_dtype=True, obj=table
        )


# --------------------------------------------------------------------------- PostgreSQL
def test_postgres_reads_the_same_portfolio_as_the_files(pg, sample_undated):
    p = load_portfolio(pg["url"])
    _assert_same_tables(sample_undated, p)
    assert p.data_dir == pg["url"]
    assert p.files["cashflows"] == "table cashflows"
    record = {t["table"]: t for t in p.source["tables"]}
    assert record["projects"]["rows"] == 40 and len(record["projects"]["sha256"]) == 64
    assert set(record) == set(TABLES)


def test_validate_from_a_postgres_url(pg):
    result = CliRunner().invoke(main, ["validate", pg["url"]])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == f"{pg['url']}: valid"
    assert "          40 rows  (table projects)" in result.output
    assert PASSWORD not in result.output


def test_a_bad_value_is_named_by_its_primary_key(pg, sample_undated):
    url = pg["url"].replace("/ppm", "/broken")
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    _load(engine, sample_undated)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE projects SET budget = -5 WHERE project_id = 'PRJ-003'"))
        conn.execute(
            sa.text("UPDATE cashflows SET planned_cost = 'NaN' WHERE project_id = 'PRJ-001' AND period = '2027-03-01'")
        )
    engine.dispose()
    with pytest.raises(DataValidationError) as exc:
        load_portfolio(url)
    where = f"in {url}"
    assert str(exc.value).splitlines() == [
        f"2 problem(s) in the portfolio data {url}",
        "[projects]",
        f"  - projects [table projects] {where}, project_id 'PRJ-003', column 'budget': value '-5': must be >= 0",
        "[cashflows]",
        f"  - cashflows [table cashflows] {where}, project_id 'PRJ-001', period '2027-03-01', "
        "column 'planned_cost': value 'nan': not a number",
    ]
    result = CliRunner().invoke(main, ["validate", url])
    assert result.exit_code == 1 and "project_id 'PRJ-003', column 'budget'" in result.output


def test_a_mapping_file_reads_a_ppm_schema_by_table_and_query(pg, sample_undated, tmp_path, monkeypatch):
    """A PPM tool's own schema: a table under another name and schema, and a query that renames."""
    engine = sa.create_engine(pg["url"].replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE SCHEMA IF NOT EXISTS ppm"))
        conn.execute(sa.text("DROP TABLE IF EXISTS ppm.project_register"))
        conn.execute(sa.text("CREATE TABLE ppm.project_register AS SELECT * FROM projects"))
        conn.execute(sa.text("DROP TABLE IF EXISTS ppm.forecast"))
        conn.execute(
            sa.text(
                "CREATE TABLE ppm.forecast AS SELECT project_id AS code, period AS fiscal_month, "
                "planned_cost AS plan_cost, planned_benefit AS plan_benefit, actual_cost, "
                "actual_benefit FROM cashflows"
            )
        )
        conn.execute(
            sa.text(
                "UPDATE ppm.forecast SET plan_cost = -1 WHERE code = 'PRJ-001' "
                "AND fiscal_month = (SELECT min(fiscal_month) FROM ppm.forecast WHERE code = 'PRJ-001')"
            )
        )
    engine.dispose()
    mapping = tmp_path / "ppm.yml"
    mapping.write_text(f"""url: {pg["url"]}
password_env: PPM_DB_PASSWORD
tables:
  projects: ppm.project_register
  cashflows:
    query: |
      SELECT code AS project_id, fiscal_month AS period, plan_cost AS planned_cost,
             plan_benefit AS planned_benefit, actual_cost, actual_benefit
      FROM ppm.forecast ORDER BY code, fiscal_month
""")
    monkeypatch.delenv("PGPASSWORD")
    with pytest.raises(ParameterError, match="password_env names 'PPM_DB_PASSWORD', which is not set"):
        load_portfolio(mapping)
    monkeypatch.setenv("PPM_DB_PASSWORD", PASSWORD)
    with pytest.raises(DataValidationError) as exc:
        load_portfolio(mapping, tables=["cashflows"])
    assert str(exc.value).splitlines()[2] == (
        f"  - cashflows [query] in {pg['url']}, result row 1, column 'planned_cost': value '-1': must be >= 0"
    )
    p = load_portfolio(mapping, tables=["projects"])
    pd.testing.assert_frame_equal(p.projects, sample_undated.projects)
    assert p.files["projects"] == "table ppm.project_register"
    assert p.source["mapping_file"] == str(mapping)


def test_the_password_is_never_shown(pg, monkeypatch):
    url = pg["url"]
    with_password = url.replace("pmo@", f"pmo:{PASSWORD}@")
    with pytest.raises(ParameterError) as exc:
        load_portfolio(with_password)
    assert PASSWORD not in str(exc.value) and "pmo:***@" in str(exc.value)
    result = CliRunner().invoke(main, ["validate", with_password])
    assert result.exit_code == 2 and PASSWORD not in result.output and "holds a password" in result.output
    assert describe_source(with_password) == url.replace("pmo@", "pmo:***@")
    # a wrong password: one line saying so, and still no password in it
    monkeypatch.setenv("PGPASSWORD", PASSWORD + "-wrong")
    with pytest.raises(DataValidationError) as exc:
        load_portfolio(url)
    message = str(exc.value)
    assert message.splitlines()[1:] == [
        "[-]",
        f"  - {url}: cannot read the database: connection failed: "
        + message.split("connection failed: ", 1)[1].splitlines()[0],
    ]
    assert "password authentication failed" in message and PASSWORD not in message


@pytest.mark.slow
def test_the_whole_suite_from_postgres_equals_the_suite_from_files(pg, suite_run, tmp_path):
    """The report suite run from the database gives the same model and decisions as from files,
    and no file of the run (manifest, model, HTML, notebooks, CSVs) nor its log holds the password."""
    from pmo_analysis.model import load_model
    from pmo_analysis.runs.runner import run_reports

    log: list[str] = []
    result = run_reports(
        data_dir=pg["url"],
        params=SUITE_PARAMS,
        notebook_params=SUITE_NOTEBOOK_PARAMS,
        reports_dir=tmp_path,
        jobs=2,
        progress=log.append,
    )
    assert result.status == suite_run.status == "success", result
    ours, theirs = load_model(result.run_dir / "model"), load_model(suite_run.run_dir / "model")
    assert sorted(ours.tables) == sorted(theirs.tables)
    for name in theirs.tables:  # a database gives rows in key order, files in file order: same rows
        if name in ROW_ORDER_SENSITIVE:
            continue
        pd.testing.assert_frame_equal(_sorted(ours.tables[name]), _sorted(theirs.tables[name]), obj=name)
    for name in ROW_ORDER_SENSITIVE:  # same projects and as many lessons each; ties may pick another lesson
        a, b = (m.tables[name].groupby("project_id").size() for m in (ours, theirs))
        pd.testing.assert_series_equal(a, b, obj=name)
    ours_csv, theirs_csv = (pd.read_csv(r.run_dir / "decisions.csv", dtype=str) for r in (result, suite_run))
    pd.testing.assert_frame_equal(_sorted(ours_csv), _sorted(theirs_csv))
    manifest = json.loads((result.run_dir / "manifest.json").read_text())
    assert manifest["data"]["dir"] == pg["url"]
    assert {t["table"]: t["rows"] for t in manifest["data"]["tables"]}["timesheets"] == len(
        load_portfolio(SAMPLE_DATA_DIR).timesheets
    )
    for f in [p for p in result.run_dir.rglob("*") if p.is_file()] + [tmp_path / "index.html"]:
        assert PASSWORD.encode() not in f.read_bytes(), f
    assert not any(PASSWORD in line for line in log)
    assert PASSWORD not in pg["log"].read_text(errors="replace")


# --------------------------------------------------------------------------- SQLite and DuckDB files
@pytest.mark.parametrize("scheme", ["sqlite", "duckdb"])
def test_a_database_file_reads_the_same_portfolio(scheme, sample_undated, tmp_path):
    url = f"{scheme}:///{tmp_path / 'ppm.db'}"
    engine = sa.create_engine(url)
    _load(engine, sample_undated, keys=False)
    engine.dispose()
    p = load_portfolio(url)
    _assert_same_tables(sample_undated, p)
    fingerprints = {t["table"]: t["sha256"] for t in p.source["tables"]}
    assert fingerprints == {t["table"]: t["sha256"] for t in load_portfolio(url).source["tables"]}


def test_a_table_without_a_key_is_named_by_the_row_of_the_result(sample_undated, tmp_path):
    url = f"sqlite:///{tmp_path / 'ppm.sqlite'}"
    engine = sa.create_engine(url)
    _load(engine, sample_undated, keys=False)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE resources SET weekly_capacity_hours = 0 WHERE resource_id = 'R002'"))
    engine.dispose()
    with pytest.raises(DataValidationError) as exc:
        load_portfolio(url)
    assert (
        f"  - resources [table resources] in {url}, result row 2, column 'weekly_capacity_hours': "
        "value '0': must be > 0 and <= 168" in str(exc.value).splitlines()
    )


def test_mapping_file_mistakes_are_one_line(tmp_path):
    bad = tmp_path / "m.yml"
    bad.write_text("url: sqlite:///x.db\ntables:\n  project: projects\n")
    with pytest.raises(ParameterError, match=r"tables' names 'project', which is not a contract table"):
        open_sql_source(bad)
    bad.write_text("url: postgresql://u:pw@h/db\n")
    with pytest.raises(ParameterError) as exc:
        open_sql_source(bad)
    assert "pw" not in str(exc.value).replace("password", "") and "u:***@h/db" in str(exc.value)


def test_an_unreachable_database_is_one_line():
    url = f"postgresql://pmo@127.0.0.1:{_free_port()}/ppm"
    with pytest.raises(DataValidationError) as exc:
        load_portfolio(url)
    lines = str(exc.value).splitlines()
    assert lines[0] == f"1 problem(s) in the portfolio data {url}"
    assert lines[2].startswith(f"  - {url}: cannot read the database: connection failed")


def test_a_notebook_takes_a_database_url_as_data_dir(tmp_path):
    from pmo_analysis.inputs.params import resolve_params

    url = f"sqlite:///{tmp_path / 'ppm.sqlite'}"
    P = resolve_params("portfolio_roi", {"data_dir": url, "output_dir": str(tmp_path / "out")})
    assert P.data_dir == url  # kept as text: a path would fold the '//' of the URL
    with pytest.raises(ParameterError, match=r"holds a password"):
        resolve_params("portfolio_roi", {"data_dir": "postgresql://u:pw@h/db"})


# --------------------------------------------------------------------------- no secret in a URL
SECRET = "hunter2-in-a-url"


@pytest.mark.parametrize(
    "tail",
    [
        f"?password={SECRET}",
        f"?sslmode=require&sslpassword={SECRET}",
        f"?PassWord={SECRET}",
        f"?application_name=pmo&db_pwd={SECRET}",
        f"?dsn=host%3Ddb%20password%3D{SECRET}",
        f"#{SECRET}",
        f"?sslmode=require#password={SECRET}",
    ],
)
def test_a_secret_anywhere_in_a_url_is_refused_and_never_shown(tail, tmp_path):
    url = f"postgresql://pmo@127.0.0.1:{_free_port()}/ppm{tail}"
    for args in (["validate", url], ["run", "--data-dir", url, "--reports-dir", str(tmp_path)]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 2 and "Traceback" not in result.output, result.output
        assert SECRET not in result.output and "never in the URL" in result.output
    with pytest.raises(ParameterError) as exc:
        load_portfolio(url)
    assert SECRET not in str(exc.value)
    assert SECRET not in describe_source(url)
    mapping = tmp_path / "m.yml"
    mapping.write_text(f"url: {json.dumps(url)}\n", encoding="utf-8")
    with pytest.raises(ParameterError) as exc:
        open_sql_source(mapping)
    assert SECRET not in str(exc.value) and str(mapping) in str(exc.value)
    assert not any(tmp_path.iterdir()) or [p.name for p in tmp_path.iterdir()] == ["m.yml"]


def test_a_url_without_a_secret_still_passes():
    url = "postgresql://pmo@db/ppm?sslmode=require&application_name=pmo&passfile=/home/pmo/.pgpass"
    assert open_sql_source(url).url == url and describe_source(url) == url


# --------------------------------------------------------------------------- a read never writes
def _audit(engine) -> int:
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE IF NOT EXISTS audit (id integer)"))
        conn.execute(sa.text("DELETE FROM audit"))
        conn.execute(sa.text("INSERT INTO audit VALUES (1), (2), (3)"))
    return 3


def _audit_rows(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT count(*) FROM audit")).scalar_one()


WRITING_QUERIES = [
    "SELECT * FROM risks; DELETE FROM audit; COMMIT",
    "DROP TABLE audit",
    "DELETE FROM audit",
    "WITH gone AS (DELETE FROM audit RETURNING *) SELECT * FROM risks",
    "SELECT * INTO audit_copy FROM audit",
    "  -- the risks\n  SELECT * FROM risks;\n  TRUNCATE audit",
]


def _mapping(tmp_path, url: str, query: str) -> Path:
    path = tmp_path / "ppm.yml"
    path.write_text(f"url: {json.dumps(url)}\ntables:\n  risks:\n    query: {json.dumps(query)}\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("query", WRITING_QUERIES)
def test_a_writing_query_is_refused_before_it_is_sent_to_postgres(pg, tmp_path, query):
    engine = sa.create_engine(pg["url"].replace("postgresql://", "postgresql+psycopg://"))
    rows = _audit(engine)
    with pytest.raises(ParameterError, match=r"tables\.risks\.query: must be a single SELECT or WITH statement"):
        load_portfolio(_mapping(tmp_path, pg["url"], query))
    assert _audit_rows(engine) == rows
    engine.dispose()


def test_the_postgres_session_is_read_only(pg):
    engine = open_sql_source(pg["url"])._engine()
    with engine.connect() as conn:
        assert conn.execute(sa.text("SHOW default_transaction_read_only")).scalar_one() == "on"
        with pytest.raises(sa.exc.DBAPIError, match="read-only transaction"):
            conn.execute(sa.text("CREATE TABLE written (id integer)"))
    engine.dispose()


@pytest.mark.parametrize("scheme", ["sqlite", "duckdb"])
def test_a_database_file_is_opened_read_only(scheme, tmp_path):
    url = f"{scheme}:///{tmp_path / 'ppm.db'}"
    engine = sa.create_engine(url)
    rows = _audit(engine)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE risks (risk_id text)"))
    engine.dispose()
    for query in WRITING_QUERIES:
        with pytest.raises(ParameterError, match=r"must be a single SELECT or WITH statement"):
            load_portfolio(_mapping(tmp_path, url, query))
    reader = open_sql_source(url)._engine()
    with reader.connect() as conn, pytest.raises(sa.exc.DBAPIError, match=r"(?i)read.?only"):
        conn.execute(sa.text("DELETE FROM audit"))
    reader.dispose()
    engine = sa.create_engine(url)
    assert _audit_rows(engine) == rows
    engine.dispose()


@pytest.mark.parametrize("scheme", ["sqlite", "duckdb"])
def test_a_mistyped_database_file_is_one_line_and_no_file_is_made(scheme, tmp_path):
    url = f"{scheme}:///{tmp_path / 'ppm-typo.db'}"
    with pytest.raises(DataValidationError) as exc:
        load_portfolio(url)
    assert str(exc.value).splitlines()[1:] == [
        "[-]",
        f"  - {url}: no database file at {str(tmp_path / 'ppm-typo.db')!r}",
    ]
    result = CliRunner().invoke(main, ["validate", url])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_exclude_invalid_from_a_table_without_a_key_builds_and_saves_the_model(sample_undated, tmp_path):
    """Rows left out of a database table without a primary key are named by their result row: the
    model's data-quality table keeps that text, and the model saves (it crashed converting it to int)."""
    from pmo_analysis.inputs.params import validate_model_params
    from pmo_analysis.model import build_model, load_model

    url = f"sqlite:///{tmp_path / 'ppm.sqlite'}"
    engine = sa.create_engine(url)
    _load(engine, sample_undated, keys=False)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE resources SET weekly_capacity_hours = 0 WHERE resource_id = 'R002'"))
    engine.dispose()
    portfolio = load_portfolio(url, on_error="drop")
    model = build_model(portfolio, params=validate_model_params({"exclude_invalid": True}))
    saved = load_model(model.save(tmp_path / "model"))
    dq = saved.data_quality
    mine = dq.loc[dq["table"] == "resources"]
    assert mine["row"].tolist()[0] == "result row 2" and mine["column"].tolist()[0] == "weekly_capacity_hours"
    assert saved.meta["excluded_rows"] == len(dq[["table", "row"]].drop_duplicates()) >= 1
