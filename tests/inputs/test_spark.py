"""Spark as the data source: the sample's tables in a local Spark session (one per test session),
read through ``spark://local``, the timesheets checked and aggregated inside Spark.

Skipped, saying how to install, where pyspark or a Java runtime is missing.
"""

from __future__ import annotations

import contextvars
import shutil

import pandas as pd
import pytest

from pmo_analysis import load_portfolio
from pmo_analysis.core.config import SAMPLE_AS_OF
from pmo_analysis.core.exceptions import DataValidationError
from pmo_analysis.inputs.pushdown import PushedTable
from pmo_analysis.inputs.schema import TABLES
from tests.inputs.test_sql import _sorted

URL = "spark://local"


@pytest.fixture(scope="session")
def spark(tmp_path_factory, sample_undated):
    """A local Spark session (two threads, no web UI) holding the sample as temporary views."""
    pytest.importorskip("pyspark", reason="pip install 'pmo-analysis[spark]' (pyspark) to test Spark")
    pytest.importorskip("ibis", reason="pip install 'pmo-analysis[spark]' (ibis) to test Spark")
    if shutil.which("java") is None:
        pytest.skip("Spark needs a Java runtime: apt-get install openjdk-17-jre-headless")
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("pmo-analysis tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", "1g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    folder = tmp_path_factory.mktemp("spark")
    for table in TABLES:  # through Parquet: Spark reads empty cells as NULL and dates as dates
        df = getattr(sample_undated, table)
        df = df.astype({c: "datetime64[us]" for c in df.columns if pd.api.types.is_datetime64_any_dtype(df[c])})
        df.to_parquet(folder / f"{table}.parquet", index=False)
        session.read.parquet(str(folder / f"{table}.parquet")).createOrReplaceTempView(table)
    yield session
    session.stop()


def test_the_model_from_spark_equals_the_model_from_files(spark, model):
    """Every model table and the decisions, built from Spark with the timesheets left there, equal
    those built from the files."""
    from pmo_analysis.model import build_model

    def build():
        p = load_portfolio(URL, as_of=SAMPLE_AS_OF, engine="duckdb")
        return p, build_model(p, as_of=SAMPLE_AS_OF)

    portfolio, ours = contextvars.copy_context().run(build)
    assert isinstance(portfolio.out_of_core["timesheets"], PushedTable) and portfolio.timesheets is None
    assert portfolio.row_counts()["timesheets"] == 51_440
    assert sorted(ours.tables) == sorted(model.tables)
    for name in model.tables:
        pd.testing.assert_frame_equal(_sorted(ours.tables[name]), _sorted(model.tables[name]), obj=name)
    pd.testing.assert_frame_equal(_sorted(ours.decisions), _sorted(model.decisions))
    record = {t["table"]: t for t in portfolio.source["tables"]}["timesheets"]
    assert record["rows"] == 51_440 and record["computed_in"] == "spark"


def test_a_bad_value_in_spark_is_reported_as_from_a_file(spark, tmp_path):
    """Hours of 25 in a row of the Spark table: the same column, value and rule as from a file."""
    ts = spark.table("timesheets")
    from pyspark.sql import functions as F

    bad = ts.withColumn(
        "hours", F.when((ts.resource_id == "R001") & (ts.date == "2025-01-02"), 25.0).otherwise(ts.hours)
    )
    bad.createOrReplaceTempView("timesheets_bad")
    mapping = tmp_path / "cluster.yml"
    mapping.write_text(f"url: {URL}\ntables:\n  timesheets: timesheets_bad\n")
    with pytest.raises(DataValidationError) as exc:
        load_portfolio(mapping, tables=["timesheets"], engine="duckdb")
    problems = [(p.column, p.value, p.rule) for p in exc.value.problems if p.severity == "error"]
    assert problems and set(problems) == {("hours", "25", "must be > 0 and <= 24")}
    assert all(str(p.row).startswith("result row ") for p in exc.value.problems if p.severity == "error")
