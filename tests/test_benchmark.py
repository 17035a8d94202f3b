"""The benchmark and its portfolios: a smoke run at tiny sizes (so `make bench` cannot rot), the
regional generator behind the huge preset, and the benchmark's arithmetic."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from pmo_analysis.core.config import PROJ_ROOT
from pmo_analysis.inputs.sample import SIZES, enterprise_size, generate_portfolio, write_sample

RUN = PROJ_ROOT / "benchmarks" / "run.py"


def _bench():
    spec = importlib.util.spec_from_file_location("bench_run", RUN)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _digests(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


# --------------------------------------------------------------------------- the huge preset's generator
def test_huge_preset_is_ten_enterprise_regions():
    huge, large = SIZES["huge"], SIZES["large"]
    assert (huge.projects, huge.people, huge.lessons, huge.regions) == (100_000, 50_000, 1_000_000, 10)
    assert huge.timesheet_months == large.timesheet_months == 48 and huge.enterprise and large.enterprise
    assert enterprise_size(1) == large
    with pytest.raises(ValueError, match="region by region"):
        generate_portfolio(scale="huge")


@pytest.fixture(scope="module")
def regional(tmp_path_factory):
    """A portfolio of three tiny regions, written twice with the same seed."""
    size = enterprise_size(0.02, regions=3)
    a, b = tmp_path_factory.mktemp("a"), tmp_path_factory.mktemp("b")
    return size, a, b, write_sample(a, scale=size, seed=3), write_sample(b, scale=size, seed=3)


def test_regions_are_written_deterministically_with_timesheets_by_month(regional):
    size, a, b, written, _ = regional
    assert _digests(a) == _digests(b)
    assert written["timesheets"] == a / "timesheets" and not (a / "timesheets.parquet").exists()
    months = sorted(p.name for p in (a / "timesheets").iterdir())
    assert len(months) == size.timesheet_months and months[-1] == "month=2026-06"
    assert sorted(p.name for p in (a / "timesheets" / "month=2026-06").iterdir()) == [
        "part-0.parquet",
        "part-1.parquet",
        "part-2.parquet",
    ]
    # every row sits in the month its folder names, and the folder reads as one table
    bad = duckdb.sql(
        f"SELECT count(*) FROM read_parquet('{a}/timesheets/**/*.parquet', hive_partitioning=true) "
        "WHERE strftime(date, '%Y-%m') <> month"
    ).fetchall()[0][0]
    assert bad == 0


def test_regions_add_up_to_one_valid_portfolio(regional):
    size, a, _, _, _ = regional
    projects, people = pd.read_parquet(a / "projects.parquet"), pd.read_parquet(a / "resources.parquet")
    lessons = pd.read_parquet(a / "lessons.parquet")
    assert (len(projects), len(people), len(lessons)) == (size.projects, size.people, size.lessons)
    for df, col in ((projects, "project_id"), (people, "resource_id"), (people, "name"), (lessons, "lesson_id")):
        assert df[col].is_unique, col
    assert projects["project_id"].iloc[[0, -1]].tolist() == ["PRJ-001", f"PRJ-{size.projects:03d}"]
    ts = duckdb.sql(
        f"SELECT resource_id, project_id, count(*) AS n FROM read_parquet('{a}/timesheets/**/*.parquet') GROUP BY ALL"
    ).df()
    assert set(ts["resource_id"]) <= set(people["resource_id"])
    assert set(ts["project_id"].dropna()) <= set(projects["project_id"])
    # every region books time: the people of the last region too
    last = people["resource_id"].iloc[-size.people // 3 :]
    assert ts["resource_id"].isin(last).any()
    # the folder passes the data contract as it is (the engine reads it with DuckDB), and gives the
    # booked hours the same timesheets give from one file in memory
    from pmo_analysis import load_portfolio

    flat = a.parent / f"{a.name}-flat"
    flat.mkdir()
    for f in a.glob("*.parquet"):
        (flat / f.name).write_bytes(f.read_bytes())
    duckdb.sql(f"COPY (SELECT * FROM read_parquet('{a}/timesheets/**/*.parquet')) TO '{flat}/timesheets.parquet'")
    in_files = load_portfolio(a, as_of="2026-06-30")
    in_memory = load_portfolio(flat, as_of="2026-06-30", engine="pandas")
    assert in_files.timesheets is None and in_memory.timesheets["hours"].gt(0).all()
    assert in_files.row_counts() == in_memory.row_counts()
    pd.testing.assert_frame_equal(
        in_files.booked_hours("2026-06-30"), in_memory.booked_hours("2026-06-30"), check_dtype=False
    )


# --------------------------------------------------------------------------- the benchmark's arithmetic
def test_linear_limit_finds_the_rows_where_a_line_reaches_the_limit():
    fit = _bench().linear_limit([1e6, 1e7, 1e8], [15.0, 60.0, 510.0], 3600.0)  # 10 s + 5 s per million rows
    assert fit["intercept"] == pytest.approx(10.0) and fit["slope"] == pytest.approx(5e-6)
    assert fit["rows_at_limit"] == pytest.approx(718e6)
    assert _bench().linear_limit([1e6, 1e7], [5.0, 5.0], 3600.0)["rows_at_limit"] is None  # no growth, no limit


def test_readme_table_is_replaced_between_its_markers(tmp_path):
    bench = _bench()
    readme, table = tmp_path / "README.md", tmp_path / "results.md"
    readme.write_text(f"# x\n{bench.README_START}\nold\n{bench.README_END}\nafter\n", encoding="utf-8")
    table.write_text("| step |\n", encoding="utf-8")
    bench.update_readme(table, readme)
    assert readme.read_text(encoding="utf-8") == f"# x\n{bench.README_START}\n| step |\n{bench.README_END}\nafter\n"


# --------------------------------------------------------------------------- the smoke run
@pytest.mark.slow
def test_benchmark_smoke(tmp_path):
    out = tmp_path / "results.json"
    proc = subprocess.run(
        [sys.executable, str(RUN), "--smoke", "--out", str(out)], capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    res = json.loads(out.read_text())
    steps = {(s["step"], s["size"]): s for s in res["steps"]}
    expected = {
        ("DuckDB floor: timesheets by person-month", "1x"),
        ("load + validate timesheets, booked hours", "1x"),
        ("load + validate timesheets, booked hours", "10x"),
        ("load + validate + utilization (model part)", "10x"),
        ("utilization, capacity, bench (model part)", "1x"),
        ("load + validate every table", "1x"),
        ("report suite (smoke: the model alone)", "0.1x"),
        ("report suite (smoke: the model alone)", "10x"),
        ("growth 1x -> 10x: utilization", "10x"),
        ("growth 1x -> 10x: suite", "10x"),
        ("rows at which the suite passes 1 hour or 20 GB", "fit"),
        ("import schedule files (pmo-analysis import)", "3x30"),
    }
    assert expected <= set(steps), expected - set(steps)
    assert not [s for s in res["steps"] if "error" in s]
    timed = [s for s in res["steps"] if "median_s" in s]
    assert all(
        s["median_s"] > 0 and s["peak_rss_bytes"] > 0 and s["peak_tree_rss_bytes"] >= s["peak_rss_bytes"] for s in timed
    )
    # the three sizes grow about tenfold in timesheet rows; the 10x one is four regions partitioned by month
    rows = res["timesheet_rows"]
    assert rows["0.1x"] < rows["1x"] < rows["10x"] and 5 < rows["10x"] / rows["1x"] < 20
    assert (PROJ_ROOT / "benchmarks" / "data" / _bench().SMOKE_DATA["10x"][0] / "timesheets").is_dir()
    ratio = steps["load + validate timesheets, booked hours", "1x"]["ratio_to_floor"]
    assert (
        ratio > 0
        and steps["load + validate timesheets, booked hours", "1x"]["targets"][0]["target"] == "<= 3 x the DuckDB floor"
    )
    ex = res["extrapolation"]
    assert len(ex["points"]) == 3 and ex["time_fit"]["slope"] is not None and "timesheet rows" in ex["summary"]
    assert set(res["growth_1x_to_10x"]) == {"floor", "load_timesheets", "utilization", "suite"}
    # smoke sizes judge no target, and say so; the Markdown table carries every step
    assert all(s["met"] is None for s in res["steps"])
    table = out.with_suffix(".md").read_text(encoding="utf-8")
    assert table.count("\n| ") == len(res["steps"]) + 1 and "not judged" in table
    assert "targets missed: none; errors: none" in proc.stdout


def test_engines_table_is_replaced_between_its_markers(tmp_path):
    bench = _bench()
    readme = tmp_path / "README.md"
    readme.write_text(f"# x\n{bench.ENGINES_START}\nold\n{bench.ENGINES_END}\nafter\n", encoding="utf-8")
    step = {"step": "PostgreSQL: its own GROUP BY resource, project, month", "size": "1x", "median_s": 9.4}
    step |= {"analysis_median_s": 9.1, "peak_rss_bytes": 0.31 * 1024**3, "peak_tree_rss_bytes": 0.31 * 1024**3}
    machine = {"date": "2026-12-07", "cores": 2, "memory_gb": 23.5}
    run = {"load_average_at_start": [2.8], "load_average_at_end": [3.9]}
    data = {
        "steps": [
            {**step, "figure": None, "targets": [], "met": None, "note": ""},
            {"step": "report suite", "size": "1x"},
        ],
        "engines": {"timesheet_rows": {"1x": 11_608_291}, "machine_per_engine": {"PostgreSQL": {**machine, **run}}},
    }
    bench.update_engines_readme(data, readme)
    text = readme.read_text(encoding="utf-8")
    assert text.startswith(f"# x\n{bench.ENGINES_START}\n| step |") and text.endswith(f"{bench.ENGINES_END}\nafter\n")
    assert (
        "| PostgreSQL: its own GROUP BY resource, project, month | 1x | 11,608,291 | 9.4 s (9.1 s timed part)" in text
    )
    assert "report suite" not in text and "PostgreSQL: load average 2.8 at the start, 3.9 at the end" in text
