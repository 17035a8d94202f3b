"""Benchmark of the workbook against its targets, from the 40-project sample to ten times the
enterprise portfolio, on one machine.

    python benchmarks/run.py                  # full benchmark (make bench): results.json and results.md
    python benchmarks/run.py --smoke          # tiny sizes, under a minute; run by the test suite
    python benchmarks/run.py --update-readme  # put results.md's table into README.md's Speed section
    python benchmarks/run.py --step utilization --data benchmarks/data/huge   # one step, one process

Portfolios, generated into benchmarks/data/ (git-ignored) when missing:

    sample  the bundled sample (40 projects)
    0.1x    enterprise_size(0.1): 1,000 projects, 500 people, ~1.2 M timesheet rows
    1x      the enterprise portfolio ("large"): 10,000 projects, 5,000 people, 11.6 M rows
    10x     "huge": a global organisation of ten regions, 100,000 projects, 50,000 people,
            ~116 M rows (timesheets partitioned by month)

Every step runs in a fresh child process: the wall time (median of the repeats) includes starting
Python and loading the data; ``analysis_s`` is the part the step times itself (named per step);
``peak_rss_bytes`` is the largest process (``wait4``), ``peak_tree_rss_bytes`` the sum over the
child and its descendants (kernels), sampled every 0.2 s. Each figure is written with its target
and whether it was met; the smoke run records the same steps at tiny sizes without judging them.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

AS_OF = "2026-06-30"
GB = 1024**3
HOUR = 3600.0
README_START, README_END = "<!-- benchmark table: start -->", "<!-- benchmark table: end -->"

# size key -> (folder name, what to generate: a preset name or "k" / "k:regions" times the enterprise portfolio)
FULL_DATA = {"0.1x": ("enterprise-0.1x", "0.1"), "1x": ("large", "large"), "10x": ("huge", "huge")}
# (named by their size, so a changed size is generated anew)
SMOKE_DATA = {"0.1x": ("smoke-0.0002", "0.0002"), "1x": ("smoke-0.002", "0.002"), "10x": ("smoke-0.02x4", "0.02:4")}


# --------------------------------------------------------------------------- steps (child side)
def _load(data: str, tables=None):
    from pmo_analysis import load_portfolio

    return load_portfolio(data, as_of=AS_OF, tables=tables)


def _model_inputs():
    """(as_of, model parameters, months ahead) as build_model derives them."""
    import pandas as pd

    from pmo_analysis.core.periods import forward_months
    from pmo_analysis.inputs.params import validate_model_params

    p = validate_model_params({})
    as_of = pd.Timestamp(AS_OF)
    return as_of, p, forward_months(as_of, p["horizon_months"])


def _table_sql(data: str, table: str) -> str:
    """A DuckDB table function reading ``table`` of the data folder: a Parquet or CSV file, or a
    folder of Parquet files (partitioned by month)."""
    folder = Path(data) / table
    if folder.is_dir():
        return f"read_parquet('{folder.as_posix()}/**/*.parquet')"
    for ext, fn in (("parquet", "read_parquet"), ("csv", "read_csv_auto")):
        if (Path(data) / f"{table}.{ext}").exists():
            return f"{fn}('{(Path(data) / f'{table}.{ext}').as_posix()}')"
    raise FileNotFoundError(f"no {table} table in {data}")


def step_floor(data: str) -> None:
    """The floor of reading timesheets: DuckDB alone reads the file(s), sums hours per person and
    month up to as_of and joins the people's role and department; into a pandas frame. Times the
    query (not the imports)."""
    import duckdb

    t = time.perf_counter()
    con = duckdb.connect()
    out = con.sql(f"""
        SELECT t.resource_id, r.role, r.department, date_trunc('month', t.date) AS month, sum(t.hours) AS hours
        FROM {_table_sql(data, "timesheets")} t JOIN {_table_sql(data, "resources")} r USING (resource_id)
        WHERE t.date <= DATE '{AS_OF}'
        GROUP BY ALL""").df()
    _analysis_time(t, rows_out=len(out))


def step_load_timesheets(data: str) -> None:
    """The workbook's load + validate of the timesheets (with the tables they refer to) and the
    booked hours the analyses read (``Portfolio.booked_hours``); times both (not the imports)."""
    t = time.perf_counter()
    p = _load(data, ["resources", "timesheets"])
    if hasattr(p, "booked_hours"):  # the out-of-core engine
        booked = p.booked_hours(AS_OF)
    else:  # before it: the same sums from the timesheets in memory
        ts = p.timesheets.loc[p.timesheets["date"] <= AS_OF]
        booked = ts.groupby(
            ["resource_id", "project_id", "activity", ts["date"].dt.to_period("M")], observed=True, dropna=False
        )["hours"].sum()
    _analysis_time(t, rows_out=len(booked))


def step_load(data: str) -> None:
    _load(data)


def step_roi(data: str) -> None:
    """ROI, EVM, health, decisions, selection and frontier: the finance part of the model."""
    from pmo_analysis.model import _finance

    p = _load(data, ["projects", "cashflows"])
    as_of, params, _ = _model_inputs()
    t = time.perf_counter()
    _finance(p, as_of, params)
    _analysis_time(t)


def step_forecast(data: str) -> None:
    """Earned Schedule, the IEACs and their back-test, reference classes and the Monte Carlo: the
    forecast part of the model, from the finance part's tables (computed first, not timed)."""
    from pmo_analysis.analyses import delivery as D
    from pmo_analysis.analyses import finance as R
    from pmo_analysis.analyses.forecast import forecast_portfolio

    p = _load(data, ["projects", "cashflows", "dependencies"])
    as_of, params, _ = _model_inputs()
    flows = R.forecast_cashflows(p.cashflows, as_of=as_of)
    roi = R.roi_by_project(p.projects, p.cashflows, as_of=as_of, discount_rate=params["discount_rate"], forecast=flows)
    network = D.dependency_network(p.dependencies, p.projects) if p.dependencies is not None else None
    t = time.perf_counter()
    fc = forecast_portfolio(roi, flows, as_of=as_of, discount_rate=params["discount_rate"], dependencies=network)
    _analysis_time(t, simulated_projects=fc.meta["simulated_projects"], draws=fc.meta["draws"])


def step_utilization(data: str) -> None:
    """Utilization, over-allocation, bench, capacity, plan vs actual, time split: the utilization
    part of the model, as build_model computes it (after load + validate)."""
    from pmo_analysis.model import _resources

    p = _load(data, ["projects", "resources", "assignments", "timesheets", "holidays"])
    as_of, params, ahead = _model_inputs()
    t = time.perf_counter()
    _resources(p, as_of, params, ahead)
    _analysis_time(t)


def step_lessons(data: str) -> None:
    """Themes, recurring problems, follow-through, matching to running projects: the lessons part."""
    from pmo_analysis.model import _lessons

    p = _load(data, ["projects", "lessons"])
    as_of, params, _ = _model_inputs()
    t = time.perf_counter()
    _lessons(p.lessons, p.projects, as_of, params)
    _analysis_time(t)


def step_model(data: str) -> None:
    """The portfolio model, as a report run computes it once before any notebook starts: its lessons
    part in a process of its own, started before the load. The timed part is the model after the load."""
    from pmo_analysis.model import build_model, lessons_process

    with lessons_process() as pool:
        p = _load(data)
        t = time.perf_counter()
        build_model(p, as_of=AS_OF, pool=pool)
        _analysis_time(t)


def bench_scenarios(p) -> list:
    """Ten what-if scenarios over a loaded portfolio, written as a PMO writes them (YAML, read and
    checked as a run reads scenario files): cap cuts, a discount rate, weights, delays of the
    largest open projects and of a department, cancellations, a cost rise, new projects, hires,
    and all of these at once."""
    from pmo_analysis.inputs.scenarios import check_scenario, parse_scenario

    pr = p.projects
    open_ = pr.loc[pr["status"].isin(["proposed", "active", "on_hold"])]
    big = open_.nlargest(5, "budget")["project_id"].tolist()
    weak = open_.loc[open_["status"] == "proposed"].nsmallest(10, "strategic_alignment")["project_id"].tolist()
    dept = str(pr["department"].mode().iloc[0])
    role = str(p.resources["role"].mode().iloc[0]) if p.resources is not None else None
    delay = "delay:\n" + "".join(f"  - {{project: {x}, months: 3}}\n" for x in big)
    cancel = f"cancel: [{', '.join(weak)}]\n" if weak else ""
    add = "add_projects:\n" + "".join(
        f"  - {{project_id: NEW-{i}, name: New {i}, department: {dept}, start_date: 2027-01-01, "
        f"end_date: 2027-12-31, budget: 1000000, monthly_benefit: 60000, benefit_months: 36}}\n"
        for i in range(3)
    )
    hire = f"people:\n  - {{add: 20, role: {role}, from: 2026-08}}\n" if role else ""
    texts = [
        "parameters: {budget_cap_share: 0.8}\n",
        "parameters: {budget_cap_share: 0.6, discount_rate: 0.1}\n",
        "parameters: {w_alignment: 0.2, w_value: 0.7, w_risk: 0.1}\n",
        delay,
        f"delay:\n  - {{department: {dept}, months: 2}}\n",
        cancel or "parameters: {budget_cap_share: 0.9}\n",
        f"scale:\n  - {{costs: 1.1, department: {dept}}}\n",
        add,
        hire or "parameters: {budget_cap_share: 0.7}\n",
        "parameters: {budget_cap_share: 0.8}\n" + delay + cancel + add + hire,
    ]
    return [check_scenario(parse_scenario(t, source=f"scenario-{i + 1}.yml"), p) for i, t in enumerate(texts)]


def step_scenarios(data: str) -> None:
    """Ten scenarios beside the base, the data loaded once, as ``pmo-analysis run --scenario`` x 10
    builds them before its notebooks start: the base model (its lessons part in a process of its
    own), then one model per scenario. The timed part is everything after the load."""
    from pmo_analysis.model import build_model, build_scenario_model, lessons_process, scenario_changes

    with lessons_process() as pool:
        p = _load(data)
        t = time.perf_counter()
        base = build_model(p, as_of=AS_OF, pool=pool, for_scenarios=True)
    base_s = time.perf_counter() - t
    models = [build_scenario_model(p, s, base=base) for s in bench_scenarios(p)]
    changes = scenario_changes(base, models)
    used = os.times()  # processor time of this process and its children (the lessons process)
    _analysis_time(
        t,
        base_model_s=base_s,
        per_scenario_s=(time.perf_counter() - t - base_s) / len(models),
        changed_decisions=len(changes),
        cpu_s=used.user + used.system + used.children_user + used.children_system,
    )


def step_direct(data: str) -> None:
    """The report suite's work in one process: the portfolio model, and every chart of the reports
    drawn from it and written as they write them (all but the executive summary's trend, which
    needs earlier runs). The floor that notebook execution adds to."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from pmo_analysis.model import build_model
    from pmo_analysis.reporting import plots

    M = build_model(_load(data), as_of=AS_OF)
    plots.use_style()
    h = M.headline.iloc[0]
    figs = [
        plots.kpi_bars(M.by_department, by="department"),
        plots.kpi_bars(M.by_objective, by="strategic_objective"),
        plots.npv_ranked(M.projects),
        plots.value_vs_risk(M.projects),
        plots.j_curve(M.cashflow, as_of=AS_OF),
        plots.cpi_spi_quadrant(M.projects),
        plots.frontier(
            M.frontier,
            budget_cap=h["budget_cap"],
            chosen_value=M.decisions.loc[M.decisions["funded"], "score"].sum(),
            objective="score",
        ),
    ]
    soon = M.overallocations.loc[M.overallocations["ahead"]]
    figs += [
        plots.utilization_trend(M.util_by_department, M.util_overall, by="department"),
        plots.utilization_trend(M.util_by_role, M.util_overall, by="role"),
        plots.utilization_heatmap(M.utilization, as_of=AS_OF),
        plots.overallocation_bars(soon),
        plots.capacity_vs_demand(M.capacity),
        plots.plan_vs_actual(M.plan_vs_actual, M.projects),
        plots.time_split(M.time_split),
    ]
    figs += [
        plots.lessons_by_category(M.lessons_by_category),
        plots.lessons_trend(M.lessons_trend),
        plots.recurring_themes(M.recurring),
        plots.open_actions_by_owner(M.followthrough),
        plots.went_well(M.went_well),
    ]
    if M.has("dependencies"):  # the delivery report's charts, where the data has their tables
        figs.append(plots.dependency_network(M.dependencies, M.projects))
    if M.has("milestones"):
        worst = M.slip.loc[M.slip["own_slip_days"] > 0].nlargest(4, "own_slip_days")["project_id"].tolist()
        figs += [plots.milestone_trend(M.milestone_history, project_ids=worst)] if worst else []
    if M.has("risk_heatmap"):
        figs.append(plots.risk_heatmap(M.risk_heatmap))
    for f in figs:  # as the reports write them
        f.savefig(os.devnull, format="png", **plots.SAVE_OPTIONS)
        plt.close(f)


def step_pages(data: str, which: str = "off-track") -> None:
    """Project pages of ``which`` (and the department pages), as a run renders them after its
    reports: one kernel per core kept alive for many pages. Uses the portfolio model saved next to
    the data (``<data>/../model-<name>``), building it once if missing; times the pages alone."""
    import tempfile

    from pmo_analysis.core.config import NOTEBOOKS_DIR
    from pmo_analysis.model import build_model, load_model
    from pmo_analysis.reporting.links import PAGES_FILE
    from pmo_analysis.runs.pages import plan_pages, render_department_pages, render_project_pages, select_projects

    saved = HERE / "out" / f"model-{Path(data).name}"
    if not (saved / "model.json").exists():
        build_model(_load(data), as_of=AS_OF).save(saved)
    run = Path(tempfile.mkdtemp(prefix="pages-", dir=HERE / "out"))
    try:
        shutil.copytree(saved, run / "model")
        model = load_model(run / "model")
        planned = plan_pages(model, which)
        (run / PAGES_FILE).write_text(json.dumps(planned), encoding="utf-8")
        rows = select_projects(model.projects, tuple(planned["projects"]))
        if os.environ.get("PMO_BENCH_PAGES"):  # a first slice of the pages (a quicker measure)
            rows = rows.head(int(os.environ["PMO_BENCH_PAGES"]))
        header = {"as_of": AS_OF, "data_dir": Path(data).name, "run_time": "", "run_id": "bench"}
        t, cpu = time.perf_counter(), os.times()
        pages = render_project_pages(
            NOTEBOOKS_DIR / "project_report.ipynb",
            rows,
            run_dir=run,
            header=header,
            params={
                "data_dir": str(data),
                "as_of": AS_OF,
                "model_dir": str(run / "model"),
                "output_dir": str(run / "projects"),
            },
            jobs=os.cpu_count() or 2,
        )
        took, end = time.perf_counter() - t, os.times()
        # CPU seconds of this process and of its kernels (reaped when they shut down): the pages per
        # second the cores would give on a machine nobody else uses
        cpu_s = sum(getattr(end, k) - getattr(cpu, k) for k in ("user", "system", "children_user", "children_system"))
        pages += render_department_pages(model, planned["departments"], run_dir=run, pages=planned, header=header)
        sizes = [(run / p.path).stat().st_size for p in pages]
        print(
            json.dumps(
                {
                    "analysis_s": took,
                    "pages": len(rows),
                    "pages_per_s": len(rows) / took,
                    "cpu_s": cpu_s,
                    "pages_per_s_idle": len(rows) / cpu_s * (os.cpu_count() or 2),
                    "failed": sum(p.status != "success" for p in pages),
                    "max_page_bytes": max(sizes),
                    "load_average": os.getloadavg(),
                }
            ),
            flush=True,
        )
    finally:
        shutil.rmtree(run, ignore_errors=True)


def step_generate(data: str) -> None:
    """Generate the portfolio named by ``--size`` into ``data`` (via a temporary folder, so a folder
    that exists is complete)."""
    from pmo_analysis.inputs.sample import enterprise_size, write_sample

    spec = os.environ["PMO_BENCH_SIZE"]
    if re.fullmatch(r"[0-9.]+(:[0-9]+)?", spec):
        k, _, regions = spec.partition(":")
        scale = enterprise_size(float(k), regions=int(regions) if regions else None)
    else:
        scale = spec
    tmp = Path(f"{data}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    t = time.perf_counter()
    write_sample(tmp, scale=scale, fmt="parquet")
    tmp.rename(data)
    _analysis_time(t)


def step_schedule_files(data: str) -> None:
    """Write ``PMO_BENCH_SCHEDULES`` Microsoft Project XML (MSPDI) files of ``PMO_BENCH_TASKS`` tasks
    each into ``data``, with MPXJ's writer, from the enterprise generator's projects."""
    from pmo_analysis.inputs.sample import enterprise_size, generate_portfolio
    from pmo_analysis.inputs.schedules.samples import plans_from_projects, write_mspdi

    files, tasks = int(os.environ["PMO_BENCH_SCHEDULES"]), int(os.environ["PMO_BENCH_TASKS"])
    t = time.perf_counter()
    projects = generate_portfolio(scale=enterprise_size(files / 10_000), as_of=AS_OF)["projects"].head(files)
    tmp = Path(f"{data}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for plan, pid in zip(
        plans_from_projects(projects, tasks_per_project=tasks, as_of=AS_OF), projects.project_id, strict=True
    ):
        write_mspdi(plan, tmp / f"{pid}.xml")
    tmp.rename(data)
    _analysis_time(t)


def step_schedule_import(data: str) -> None:
    """Import every schedule file of ``data`` into a temporary folder: JVM start-up, then per file."""
    import resource
    import tempfile

    from pmo_analysis.inputs.schedules.mpxj import start_jvm
    from pmo_analysis.runs.imports import import_schedules

    t = time.perf_counter()
    start_jvm()
    jvm_s = time.perf_counter() - t
    files = sorted(Path(data).glob("*.xml"))
    with tempfile.TemporaryDirectory() as out:
        t1 = time.perf_counter()
        result = import_schedules(files, Path(out))
        import_s = time.perf_counter() - t1
    usage = resource.getrusage(resource.RUSAGE_SELF)  # every thread of the process, the JVM's included
    _analysis_time(
        t,
        jvm_start_s=jvm_s,
        import_s=import_s,
        files=len(files),
        per_file_s=import_s / len(files),
        cpu_s=usage.ru_utime + usage.ru_stime,
        load_average=os.getloadavg(),
        rows=result.rows,
    )


def _analysis_time(t0: float, **extra) -> None:
    print(json.dumps({"analysis_s": time.perf_counter() - t0, **extra}), flush=True)


# --------------------------------------------------------------------------- engines (pushdown)
_FLOOR_SQL = (
    "SELECT resource_id, project_id, date_trunc('month', date) AS month, sum(hours) AS hours "
    "FROM {ts} GROUP BY resource_id, project_id, date_trunc('month', date)"
)
_UTILIZATION_TABLES = ["projects", "resources", "assignments", "timesheets", "holidays"]


def step_pg_floor(url: str) -> None:
    """PostgreSQL's own GROUP BY resource_id, project_id, month on the timesheets, its rows fetched."""
    import psycopg

    with psycopg.connect(url) as con, con.cursor() as cur:
        t = time.perf_counter()
        cur.execute(_FLOOR_SQL.format(ts="timesheets"))
        rows = cur.fetchall()
    _analysis_time(t, rows_out=len(rows))


def _load_and_utilization(source: str) -> None:
    """load + validate (the timesheets checked where they live) and the utilization part of the
    model; times both (not the imports)."""
    import ibis  # noqa: F401 - the libraries a load imports lazily, imported before the clock starts
    import sqlalchemy  # noqa: F401

    from pmo_analysis import load_portfolio
    from pmo_analysis.model import _resources

    as_of, params, ahead = _model_inputs()
    t = time.perf_counter()
    p = load_portfolio(source, as_of=AS_OF, tables=_UTILIZATION_TABLES)
    loaded = time.perf_counter() - t
    _resources(p, as_of, params, ahead)
    _analysis_time(t, load_s=loaded, pushed_down=sorted(p.out_of_core))


def _spark_session():
    from pyspark.sql import SparkSession

    s = (
        SparkSession.builder.master("local[2]")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", "2g")
        .getOrCreate()
    )
    s.sparkContext.setLogLevel("ERROR")
    return s


def step_spark_floor(mapping: str) -> None:
    """Spark's own GROUP BY resource_id, project_id, month on the timesheets' Parquet file, its rows
    fetched; the session is started first (a cluster is running), not timed."""
    folder = Path(mapping).parent
    spark = _spark_session()
    t = time.perf_counter()
    rows = spark.sql(_FLOOR_SQL.format(ts=f"parquet.`{folder / 'timesheets.parquet'}`")).toArrow().num_rows
    _analysis_time(t, rows_out=rows)


def step_spark_utilization(mapping: str) -> None:
    """:func:`_load_and_utilization` from Spark (spark://local): the session is started first, not timed."""
    _spark_session()
    _load_and_utilization(mapping)


def step_pg_load(folder: str) -> None:
    """:func:`pg_load` in a process of its own (the runner stays small: a child inherits its peak memory)."""
    seconds = pg_load(Path(folder), os.environ["PMO_BENCH_PG_URL"], Path(os.environ["PMO_BENCH_PG_BASE"]))
    print(json.dumps({"analysis_s": seconds}), flush=True)


def step_spark_data(folder: str) -> None:
    """:func:`spark_data` in a process of its own."""
    t = time.perf_counter()
    spark_data(Path(folder))
    _analysis_time(t)


STEPS_ENGINES = {
    "pg_load": step_pg_load,
    "spark_data": step_spark_data,
    "pg_floor": step_pg_floor,
    "pg_utilization": _load_and_utilization,
    "spark_floor": step_spark_floor,
    "spark_utilization": step_spark_utilization,
}

STEPS = {
    "floor": step_floor,
    "load_timesheets": step_load_timesheets,
    "load": step_load,
    "roi": step_roi,
    "forecast": step_forecast,
    "utilization": step_utilization,
    "lessons": step_lessons,
    "model": step_model,
    "scenarios": step_scenarios,
    "direct": step_direct,
    "pages": step_pages,
    "pages_running": lambda d: step_pages(d, "running"),
    "generate": step_generate,
    "schedule_files": step_schedule_files,
    "schedule_import": step_schedule_import,
    **STEPS_ENGINES,
}


# --------------------------------------------------------------------------- parent side
def _tree_rss(pid: int, stop: threading.Event, peak: list[int]) -> None:
    """Largest sum of resident memory of ``pid`` and its descendants, sampled until ``stop``."""
    import psutil

    try:
        root = psutil.Process(pid)
    except psutil.Error:
        return
    while not stop.is_set():
        try:
            procs = [root, *root.children(recursive=True)]
        except psutil.Error:
            return
        total = 0
        for p in procs:
            with contextlib.suppress(psutil.Error):
                total += p.memory_info().rss
        peak[0] = max(peak[0], total)
        stop.wait(0.2)


def run_child(args: list[str], repeat: int, env: dict | None = None) -> dict:
    """Run a command ``repeat`` times: median wall time, peak resident memory of the largest process
    (``wait4``) and of the process tree, and the median of the time the step reports itself."""
    import tempfile

    walls, peaks, trees, analysis, last = [], [], [], [], {}
    for _ in range(repeat):
        with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
            t = time.perf_counter()
            proc = subprocess.Popen(args, stdout=out, stderr=err, text=True, env={**os.environ, **(env or {})})
            stop, tree = threading.Event(), [0]
            sampler = threading.Thread(target=_tree_rss, args=(proc.pid, stop, tree), daemon=True)
            sampler.start()
            _, status, usage = os.wait4(proc.pid, 0)
            walls.append(time.perf_counter() - t)
            stop.set()
            sampler.join()
            proc.returncode = os.waitstatus_to_exitcode(status)
            out.seek(0)
            err.seek(0)
            stdout, stderr = out.read(), err.read()
        if proc.returncode != 0:
            return {"error": (stderr or stdout)[-1500:]}
        peaks.append(usage.ru_maxrss * 1024)
        trees.append(max(tree[0], usage.ru_maxrss * 1024))
        for line in stdout.splitlines():
            if line.startswith('{"analysis_s"'):
                last = json.loads(line)
                analysis.append(last["analysis_s"])
    res = {
        "median_s": statistics.median(walls),
        "runs": [round(w, 2) for w in walls],
        "peak_rss_bytes": max(peaks),
        "peak_tree_rss_bytes": max(trees),
    }
    if analysis:
        res["analysis_median_s"] = statistics.median(analysis)
        res["step_output"] = last  # everything the step printed, of its last run
    return res


def run_side_by_side(cmds: dict[str, list[str]], repeat: int) -> dict[str, dict]:
    """Run each command once per round, ``repeat`` rounds, so the machine's load falls on all alike."""
    rounds: dict[str, list[dict]] = {k: [] for k in cmds}
    for _ in range(repeat):
        for k, cmd in cmds.items():
            rounds[k].append(run_child(cmd, 1))
    out = {}
    for k, results in rounds.items():
        bad = [r for r in results if "error" in r]
        if bad:
            out[k] = bad[0]
            continue
        out[k] = {
            "median_s": statistics.median(r["median_s"] for r in results),
            "runs": [r["runs"][0] for r in results],
            "peak_rss_bytes": max(r["peak_rss_bytes"] for r in results),
            "peak_tree_rss_bytes": max(r["peak_tree_rss_bytes"] for r in results),
        }
        if all("analysis_median_s" in r for r in results):
            out[k]["analysis_median_s"] = statistics.median(r["analysis_median_s"] for r in results)
            out[k]["step_output"] = results[-1]["step_output"]  # everything the step printed, of its last run
    return out


def step_cmd(step: str, data: Path) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), "--step", step, "--data", str(data)]


def suite_cmd(data: Path, reports: Path, jobs: int | None = None) -> list[str]:
    """The report suite as a user runs it, without project pages (measured on their own)."""
    return [
        sys.executable,
        "-m",
        "pmo_analysis.cli",
        "run",
        "--data-dir",
        str(data),
        "-p",
        "as_of",
        AS_OF,
        "--reports-dir",
        str(reports),
        "--projects",
        "none",
        "--jobs",
        str(jobs or os.cpu_count() or 2),
    ]


def ensure_data(folder: Path, spec: str) -> dict | None:
    """Generate the portfolio if missing; its generation's figures when it was generated."""
    if folder.exists():
        return None
    folder.parent.mkdir(parents=True, exist_ok=True)
    return run_child(step_cmd("generate", folder), 1, env={"PMO_BENCH_SIZE": spec})


def timesheet_rows(folder: Path) -> int:
    import duckdb

    return int(duckdb.sql(f"SELECT count(*) FROM {_table_sql(str(folder), 'timesheets')}").fetchall()[0][0])


def machine() -> dict:
    import duckdb
    import numpy
    import pandas
    import pyarrow

    from pmo_analysis import __version__

    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return {
        "cores": os.cpu_count(),
        "memory_gb": round(mem / GB, 1),
        "python": platform.python_version(),
        "pandas": pandas.__version__,
        "numpy": numpy.__version__,
        "duckdb": duckdb.__version__,
        "pyarrow": pyarrow.__version__,
        "pmo_analysis": __version__,
        "platform": platform.platform(),
        "date": time.strftime("%Y-%m-%d"),
        "load_average_at_start": os.getloadavg(),
    }


def linear_limit(rows: list[float], values: list[float], limit: float) -> dict:
    """Least-squares line ``value = a + b * rows`` and the rows at which it reaches ``limit``
    (None when it never does: no growth).

    >>> r = linear_limit([1e6, 1e7, 1e8], [10.0, 100.0, 1000.0], 3600.0)
    >>> round(r["slope"] * 1e6, 6), round(r["rows_at_limit"] / 1e6)
    (10.0, 360)
    """
    import numpy as np

    b, a = np.polyfit(np.asarray(rows, float), np.asarray(values, float), 1)
    return {"intercept": float(a), "slope": float(b), "rows_at_limit": float((limit - a) / b) if b > 0 else None}


# --------------------------------------------------------------------------- results
class Results:
    """Every figure with its target and whether it was met (None: not judged, or no target)."""

    def __init__(self, smoke: bool, out: Path | None = None):
        self.smoke, self.out = smoke, out
        self.data: dict = {"machine": machine(), "smoke": smoke, "complete": False, "steps": []}

    @property
    def steps(self) -> list[dict]:
        return self.data["steps"]

    def record(
        self,
        name: str,
        size: str,
        res: dict,
        *,
        targets: list[tuple[str, bool]] = (),
        note: str = "",
        figure: str | None = None,
    ) -> dict:
        """``targets``: (target in words, met); ``figure``: the figure in words when it is not a time."""
        res = {k: v for k, v in res.items() if k != "step_output"}
        judged = [{"target": t, "met": None if self.smoke or "error" in res else bool(ok)} for t, ok in targets]
        met = None if not judged or any(j["met"] is None for j in judged) else all(j["met"] for j in judged)
        entry = {"step": name, "size": size, **res, "figure": figure, "targets": judged, "met": met, "note": note}
        self.steps.append(entry)
        if "error" in res:
            print(f"{name:<48} [{size:>6}] ERROR {res['error'][-400:]}", flush=True)
        else:
            shown = figure or _time_and_memory(entry)
            status = {True: "met", False: "MISSED", None: ""}[met]
            print(
                f"{name:<48} [{size:>6}] {shown:<44} {'; '.join(t for t, _ in targets):<26} {status} {note}", flush=True
            )
        if self.out is not None:  # every figure is kept as it comes: a run stopped half-way says so
            self.write(self.out)
        return entry

    def write(self, out: Path) -> None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(self.data, indent=2, default=str))
        out.with_suffix(".md").write_text(markdown_table(self.data), encoding="utf-8")


def bench_schedules(R: Results, smoke: bool) -> None:
    """Schedule import: 200 Microsoft Project XML files of about 300 tasks each (smoke: 3 of 30),
    written once with MPXJ into benchmarks/data/, then imported in one process: the JVM's start-up
    and the time per file are recorded; the whole import must take under 60 s."""
    import importlib.util

    files, tasks = (3, 30) if smoke else (200, 300)
    if shutil.which("java") is None or importlib.util.find_spec("mpxj") is None:
        R.record("import schedule files (pmo-analysis import)", f"{files}x{tasks}", {}, figure="skipped: no Java/MPXJ")
        return
    folder = HERE / "data" / f"schedules-{files}x{tasks}"
    env = {"PMO_BENCH_SCHEDULES": str(files), "PMO_BENCH_TASKS": str(tasks)}
    if not folder.exists():
        gen = run_child(step_cmd("schedule_files", folder), 1, env=env)
        R.record("write schedule files (MPXJ)", f"{files}x{tasks}", gen)
    res = run_child(step_cmd("schedule_import", folder), 1)
    info = res.pop("step_output", {})
    res.update({k: v for k, v in info.items() if k != "analysis_s"})
    R.record(
        "import schedule files (pmo-analysis import)",
        f"{files}x{tasks}",
        res,
        targets=[] if smoke else [_time(res, 60)],
        note=f"JVM start-up {info['jvm_start_s']:.1f} s, {info['per_file_s'] * 1000:.0f} ms per file, "
        f"{info['cpu_s']:.0f} s of CPU, load average {info['load_average'][0]:.1f} at the end"
        if info
        else "",
    )


# --------------------------------------------------------------------------- engines: parent side
def _pg_bin() -> Path | None:
    import glob

    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).parent
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True):
        return Path(candidate).parent
    return None


@contextlib.contextmanager
def pg_cluster():
    """A PostgreSQL cluster of its own on a free port (trust login on 127.0.0.1 only, for the run);
    yields (its admin URL, a function giving a database's URL)."""
    import socket
    import tempfile

    bin_dir = _pg_bin()
    user = "postgres" if os.geteuid() == 0 else None
    base = Path(tempfile.mkdtemp(prefix="pmo-bench-pg-"))
    if user:
        shutil.chown(base, user)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]

    def run(*args):
        return subprocess.run(
            [str(bin_dir / args[0]), *args[1:]], check=True, capture_output=True, text=True, user=user, cwd=base
        )

    run("initdb", "-D", str(base / "data"), "-U", "pmo", "--auth=trust", "-E", "UTF8", "--locale=C")
    opts = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off -c work_mem=256MB -c shared_buffers=512MB"
    run("pg_ctl", "-D", str(base / "data"), "-l", str(base / "log"), "-w", "-o", opts, "start")
    try:
        yield (lambda db: f"postgresql://pmo@127.0.0.1:{port}/{db}"), base
    finally:
        run("pg_ctl", "-D", str(base / "data"), "-m", "immediate", "stop")
        shutil.rmtree(base, ignore_errors=True)


def pg_load(folder: Path, url: str, base: Path) -> float:
    """Every table of the data folder into the database: each written as CSV by DuckDB and read by
    the server's COPY (the table's types from the Parquet file); returns the seconds it took."""
    import duckdb
    import pandas as pd
    import sqlalchemy as sa

    t = time.perf_counter()
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    for f in sorted(folder.glob("*.parquet")):
        table = f.stem
        head = duckdb.sql(f"SELECT * FROM read_parquet('{f}') LIMIT 0").df()
        head = head.astype({c: "datetime64[us]" for c in head.columns if pd.api.types.is_datetime64_any_dtype(head[c])})
        with engine.begin() as conn:
            head.to_sql(table, conn, if_exists="replace", index=False)
        csv = base / f"{table}.csv"
        duckdb.sql(f"COPY (SELECT * FROM read_parquet('{f}')) TO '{csv}' (HEADER, DELIMITER ',')")
        if os.geteuid() == 0:
            shutil.chown(csv, "postgres")
        with engine.begin() as conn:
            conn.execute(sa.text(f"COPY {table} FROM '{csv}' WITH (FORMAT csv, HEADER true)"))
            conn.execute(sa.text(f"ANALYZE {table}"))
        csv.unlink()
    engine.dispose()
    return time.perf_counter() - t


def spark_data(folder: Path) -> Path:
    """The data folder's tables as Parquet that Spark reads (microsecond timestamps) and a mapping
    file reading each through spark://local; returns the mapping file."""
    import duckdb

    out = folder.parent / f"{folder.name}-spark"
    if not out.exists():
        tmp = Path(f"{out}.tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        for f in sorted(folder.glob("*.parquet")):
            cols = duckdb.sql(f"DESCRIBE SELECT * FROM read_parquet('{f}')").fetchall()
            select = ", ".join(
                f'CAST("{c}" AS TIMESTAMP) AS "{c}"' if t.startswith("TIMESTAMP") else f'"{c}"' for c, t, *_ in cols
            )
            duckdb.sql(f"COPY (SELECT {select} FROM read_parquet('{f}')) TO '{tmp / f.name}' (FORMAT parquet)")
        tmp.rename(out)
    mapping = out / "spark.yml"
    lines = ["url: spark://local", "tables:"]
    for f in sorted(out.glob("*.parquet")):
        lines.append(f"  {f.stem}:\n    query: SELECT * FROM parquet.`{f}`")
    mapping.write_text("\n".join(lines) + "\n")
    return mapping


def bench_engines(R: Results, smoke: bool, engines: tuple[str, ...] = ("PostgreSQL", "Spark")) -> None:
    """Timesheets where they live: the workbook's load + validate + utilization from PostgreSQL
    and from Spark (local mode), each beside the engine's own GROUP BY resource_id, project_id,
    month on the same table in the same run; at 0.1x and 1x the enterprise portfolio."""
    sizes = {k: HERE / "data" / name for k, (name, _) in (SMOKE_DATA if smoke else FULL_DATA).items() if k != "10x"}
    for key, (_, spec) in (SMOKE_DATA if smoke else FULL_DATA).items():
        if key in sizes:
            ensure_data(sizes[key], spec)
    rows = {k: timesheet_rows(f) for k, f in sizes.items()}
    R.data.setdefault("engines", {})["timesheet_rows"] = rows
    measured: dict[tuple[str, str], dict] = {}
    if _pg_bin() is not None and "PostgreSQL" in engines:
        with pg_cluster() as (url_of, base):
            for key, folder in sizes.items():
                db = f"bench_{key.replace('.', '_')}"
                with contextlib.closing(__import__("psycopg").connect(url_of("postgres"), autocommit=True)) as c:
                    c.execute(f"CREATE DATABASE {db}")
                # in a child process: a process inherits its parent's peak memory across fork and exec
                loaded = run_child(
                    step_cmd("pg_load", folder), 1, env={"PMO_BENCH_PG_URL": url_of(db), "PMO_BENCH_PG_BASE": str(base)}
                )
                R.record("PostgreSQL: load the portfolio into the database (COPY)", key, loaded)
                pair = run_side_by_side(  # the judged size three times: the median of rounds on a shared machine
                    {"floor": step_cmd("pg_floor", url_of(db)), "ours": step_cmd("pg_utilization", url_of(db))},
                    3 if key == "1x" and not smoke else 1,
                )
                _record_engine(R, "PostgreSQL", key, pair, measured, judged=key == "1x" and not smoke)
    if "Spark" in engines and shutil.which("java") is not None and importlib.util.find_spec("pyspark") is not None:
        for key, folder in sizes.items():
            run_child(step_cmd("spark_data", folder), 1)
            mapping = spark_data(folder)  # written already: only the mapping file's text
            pair = run_side_by_side(
                {"floor": step_cmd("spark_floor", mapping), "ours": step_cmd("spark_utilization", mapping)}, 1
            )
            _record_engine(R, "Spark (local mode)", key, pair, measured, judged=key == "1x" and not smoke)
    growth = R.data["engines"].setdefault("growth_0_1x_to_1x", {})
    for engine in ("PostgreSQL", "Spark (local mode)"):
        a, b = measured.get((engine, "0.1x"), {}), measured.get((engine, "1x"), {})
        if "analysis_median_s" in a and "analysis_median_s" in b:
            g = b["analysis_median_s"] / a["analysis_median_s"]
            m = b["peak_rss_bytes"] / a["peak_rss_bytes"]
            growth[engine] = {"time": g, "peak_rss": m, "rows": rows["1x"] / rows["0.1x"]}
            R.record(
                f"{engine}: growth 0.1x -> 1x",
                "1x",
                {},
                figure=f"{g:.1f} x the time and {m:.2f} x the memory for {rows['1x'] / rows['0.1x']:.1f} x the rows",
            )


ENGINES_START, ENGINES_END = "<!-- engines table: start -->", "<!-- engines table: end -->"


def engines_markdown(data: dict) -> str:
    """The pushdown figures of a results file as the README's table, with how the run went."""
    eng = data.get("engines", {})
    per = eng.get("machine_per_engine", {})
    m = next(iter(per.values()), eng.get("machine", {}))
    rows = eng.get("timesheet_rows", {})
    lines = [
        "| step | portfolio | timesheet rows | figure | target | met |",
        "|---|---|---|---|---|---|",
    ]
    for e in data["steps"]:
        if not e["step"].startswith(("PostgreSQL", "Spark")):
            continue
        figure = e.get("figure") or _time_and_memory(e)
        if e.get("note"):
            figure += f"; {e['note']}"
        target = "; ".join(t["target"] for t in e["targets"])
        met = {True: "met", False: "missed", None: ""}[e["met"]]
        lines.append(f"| {e['step']} | {e['size']} | {rows.get(e['size'], 0):,} | {figure} | {target} | {met} |")
    loads = "; ".join(
        f"{name}: load average {r['load_average_at_start'][0]:.1f} at the start, {r['load_average_at_end'][0]:.1f} "
        "at the end"
        for name, r in per.items()
    )
    rounds = max(
        (len(e.get("runs", [])) for e in data["steps"] if e["step"].startswith("PostgreSQL") and e["size"] == "1x"),
        default=1,
    )
    runs = "one run each" if rounds <= 1 else f"one run each (PostgreSQL at 1x: the median of {rounds} rounds)"
    lines += [
        "",
        f"Measured on {m.get('date', '?')}, {m.get('cores', '?')} cores, {m.get('memory_gb', '?')} GB, PostgreSQL "
        f"15 on the same machine, Spark in local mode (2 threads, 2 GB driver), {runs}, the engine's own "
        f"GROUP BY and the workbook side by side. The machine was shared with other work ({loads}, on 2 "
        "cores): the times are longer and noisier than on an idle machine, and the ratios, measured side by side, "
        "are the figures to read. Memory is the workbook's own process; Spark's JVM is the engine and is counted "
        "under all processes.",
    ]
    return "\n".join(lines)


def update_engines_readme(data: dict, readme: Path = ROOT / "README.md") -> None:
    text = readme.read_text(encoding="utf-8")
    head, _, rest = text.partition(ENGINES_START)
    _, _, tail = rest.partition(ENGINES_END)
    readme.write_text(f"{head}{ENGINES_START}\n{engines_markdown(data)}\n{ENGINES_END}{tail}", encoding="utf-8")


def _record_engine(R: Results, engine: str, key: str, pair: dict, measured: dict, *, judged: bool) -> None:
    floor, ours = pair["floor"], pair["ours"]
    R.record(f"{engine}: its own GROUP BY resource, project, month", key, floor)
    ratio = (
        ours["analysis_median_s"] / floor["analysis_median_s"]
        if "analysis_median_s" in ours and "analysis_median_s" in floor
        else None
    )
    measured[engine, key] = ours
    info = ours.get("step_output", {})
    targets = (
        [("<= 3 x the engine's own GROUP BY", ratio is not None and ratio <= 3), _mem(ours, 2 * GB)] if judged else []
    )
    R.record(
        f"{engine}: load + validate + utilization, timesheets pushed down",
        key,
        {**ours, "ratio_to_floor": ratio},
        targets=targets,
        note=(f"{ratio:.2f} x the engine's GROUP BY; load + validate {info.get('load_s', 0):.1f} s" if ratio else ""),
    )


def _time_and_memory(e: dict) -> str:
    if "median_s" not in e:
        return ""
    s = f"{e['median_s']:.1f} s"
    if e.get("analysis_median_s") is not None:
        s += f" ({e['analysis_median_s']:.1f} s timed part)"
    if e.get("peak_rss_bytes"):
        s += f", {e['peak_rss_bytes'] / GB:.2f} GB"
        if e.get("peak_tree_rss_bytes", 0) > 1.2 * e["peak_rss_bytes"]:
            s += f" ({e['peak_tree_rss_bytes'] / GB:.2f} GB all processes)"
    return s


def markdown_table(data: dict) -> str:
    """The README's table: every figure, its target and met or missed."""
    m = data["machine"]
    lines = [
        f"Measured {m['date']} on {m['cores']} cores, {m['memory_gb']} GB (load average at start "
        f"{m['load_average_at_start'][0]:.1f}){'; smoke sizes, not judged' if data['smoke'] else ''}"
        f"{'' if data.get('complete', True) else '; INCOMPLETE: the run stopped before its end'}.",
        "",
        "| step | portfolio | figure | target | result |",
        "|---|---|---|---|---|",
    ]
    for e in data["steps"]:
        fig = "error" if "error" in e else (e.get("figure") or _time_and_memory(e))
        if e.get("note"):
            fig += f"; {e['note']}"
        target = "; ".join(t["target"] for t in e["targets"]) or "-"
        result = {True: "met", False: "**missed**", None: "-" if not e["targets"] else "not judged"}[e["met"]]
        lines.append(f"| {e['step']} | {e['size']} | {fig} | {target} | {result} |")
    ex = data.get("extrapolation")
    if ex:
        lines += ["", ex["summary"]]
    return "\n".join(lines) + "\n"


def update_readme(table: Path, readme: Path = ROOT / "README.md") -> None:
    text = readme.read_text(encoding="utf-8")
    a, b = text.index(README_START) + len(README_START), text.index(README_END)
    readme.write_text(text[:a] + "\n" + table.read_text(encoding="utf-8") + text[b:], encoding="utf-8")


def _time(res: dict, limit: float) -> tuple[str, bool]:
    return f"< {limit:g} s", "median_s" in res and res["median_s"] < limit


def _mem(res: dict, limit: float, key: str = "peak_rss_bytes") -> tuple[str, bool]:
    return f"< {limit / GB:g} GB", key in res and res[key] < limit


# --------------------------------------------------------------------------- the benchmark
def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--smoke", action="store_true", help="tiny sizes, one repeat, targets not judged")
    ap.add_argument("--out", type=Path, default=None, help="results file (default: benchmarks/results.json)")
    ap.add_argument("--skip-huge", action="store_true", help="leave out the 10x portfolio (and the extrapolation)")
    ap.add_argument("--update-readme", action="store_true", help="copy results.md into README.md and stop")
    ap.add_argument(
        "--schedules", action="store_true", help="only the schedule-import benchmark, added to the results file"
    )
    ap.add_argument(
        "--engines",
        nargs="?",
        const="all",
        choices=["all", "postgresql", "spark"],
        help="only the pushdown benchmark (PostgreSQL, Spark, or one of them), added to the results file",
    )
    ap.add_argument("--step", choices=sorted(STEPS), help=argparse.SUPPRESS)
    ap.add_argument("--data", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.step:
        STEPS[args.step](args.data)
        return 0
    if args.update_readme:
        update_readme((args.out or HERE / "results.json").with_suffix(".md"))
        return 0
    smoke = args.smoke
    out_file = args.out or (HERE / ("results-smoke.json" if smoke else "results.json"))
    R = Results(smoke, out_file)
    print(f"machine: {R.data['machine']}", flush=True)
    if args.schedules:  # the other figures of the results file are kept as they are
        if out_file.exists():
            kept = json.loads(out_file.read_text())
            kept["steps"] = [e for e in kept["steps"] if "schedule" not in e["step"]]
            R.data = {**kept, "schedules_machine": R.data["machine"]}
        bench_schedules(R, smoke)
        R.write(out_file)
        return 0
    if args.engines:  # the other figures of the results file are kept as they are
        machine_now = R.data["machine"]
        names = {"all": ("PostgreSQL", "Spark"), "postgresql": ("PostgreSQL",), "spark": ("Spark",)}[args.engines]
        if out_file.exists():
            kept = json.loads(out_file.read_text())
            kept["steps"] = [e for e in kept["steps"] if not e["step"].startswith(names)]
            R.data = kept
        runs = R.data.setdefault("engines", {}).setdefault("machine_per_engine", {})
        for name in ("PostgreSQL", "Spark"):  # an engine not run again keeps the machine of its run
            if name not in runs and "machine" in R.data["engines"]:
                runs[name] = R.data["engines"]["machine"]
        bench_engines(R, smoke, names)
        for name in names:
            runs[name] = {**machine_now, "load_average_at_end": os.getloadavg()}
        R.write(out_file)
        if not smoke:
            update_engines_readme(R.data)
        return 0
    repeat, big_repeat = (1, 1) if smoke else (5, 3)
    data_root, sample, cores = HERE / "data", ROOT / "data" / "sample", os.cpu_count() or 2
    sizes = {"sample": sample}
    for key, (name, spec) in (SMOKE_DATA if smoke else FULL_DATA).items():
        if key == "10x" and args.skip_huge:
            continue
        sizes[key] = data_root / name
        gen = ensure_data(sizes[key], spec)
        if gen is not None:  # the huge portfolio must be generated in bounded memory
            R.record("generate the portfolio", key, gen, targets=[_mem(gen, 8 * GB)] if key == "10x" else [])
    R.data["timesheet_rows"] = rows = {k: timesheet_rows(f) for k, f in sizes.items()}
    big = [k for k in ("0.1x", "1x", "10x") if k in sizes]
    measured: dict[tuple[str, str], dict] = {}

    def rep(key: str) -> int:
        return big_repeat if key == "1x" else 1 if key in ("0.1x", "10x") else repeat

    # 1. reading the timesheets: the workbook's load + validate against DuckDB's plain read, side by side
    for key in big:
        if smoke and key == "0.1x":
            continue
        pair = run_side_by_side(
            {"floor": step_cmd("floor", sizes[key]), "load": step_cmd("load_timesheets", sizes[key])}, rep(key)
        )
        floor = measured["floor", key] = pair["floor"]
        load = measured["load_timesheets", key] = pair["load"]
        R.record("DuckDB floor: timesheets by person-month", key, floor)
        ratio = (
            load["analysis_median_s"] / floor["analysis_median_s"]
            if "analysis_median_s" in load and "analysis_median_s" in floor
            else None
        )
        targets = [("<= 3 x the DuckDB floor", ratio is not None and ratio <= 3)] if key == "1x" else []
        R.record(
            "load + validate timesheets, booked hours",
            key,
            {**load, "ratio_to_floor": ratio},
            targets=targets,
            note=f"{ratio:.2f} x the floor (timed parts)" if ratio else "",
        )

    # 2. each part of the model, on the sample and the enterprise portfolio (and the utilization on all sizes)
    for key in ("sample", "1x"):
        if smoke and key == "sample":
            continue
        enterprise = key == "1x" and not smoke
        res = measured["load", key] = run_child(step_cmd("load", sizes[key]), rep(key))
        R.record(
            "load + validate every table", key, res, targets=[_time(res, 60), _mem(res, 8 * GB)] if enterprise else []
        )
        for step, label in (
            ("roi", "ROI, EVM, decisions, frontier (model part)"),
            ("utilization", "utilization, capacity, bench (model part)"),
            ("lessons", "lessons themes and matching (model part)"),
        ):
            if smoke and step != "utilization":  # the smoke run's model steps compute these parts
                continue
            res = measured[step, key] = run_child(step_cmd(step, sizes[key]), rep(key))
            R.record(label, key, res, targets=[_time(res, 30), _mem(res, 6 * GB)] if enterprise else [])
        if not smoke:  # the forecast part: its own timed part against its target
            res = measured["forecast", key] = run_child(step_cmd("forecast", sizes[key]), rep(key))
            timed = res.get("analysis_median_s")
            R.record(
                "forecasts: ES, IEACs, reference class, Monte Carlo (model part)",
                key,
                res,
                targets=[("< 10 s timed part", timed is not None and timed < 10), _mem(res, 4 * GB)]
                if enterprise
                else [],
            )
        if not smoke:
            R.record("the whole portfolio model", key, run_child(step_cmd("model", sizes[key]), rep(key)))
        if key == "1x":  # what-if: ten scenarios beside the base, the data loaded once
            res = run_child(step_cmd("scenarios", sizes[key]), rep(key))
            info = res.pop("step_output", {})
            R.record(
                "ten scenarios beside the base, data loaded once",
                key,
                res,
                targets=[] if smoke else [_time(res, 120)],
                note=f"base model {info['base_model_s']:.1f} s, {info['per_scenario_s']:.1f} s per scenario, "
                f"{info['cpu_s']:.0f} s of processor time in all"
                if info
                else "",
            )
    for key in ("0.1x", "10x"):
        if key in sizes and not (smoke and key == "0.1x"):
            res = measured["utilization", key] = run_child(step_cmd("utilization", sizes[key]), 1)
            R.record(
                "load + validate + utilization (model part)",
                key,
                res,
                targets=[_time(res, 60), _mem(res, 8 * GB)] if key == "10x" else [],
            )
    if "10x" in sizes and not smoke:  # the other parts, for the growth from 1x to 10x
        for step, label in (
            ("roi", "ROI, EVM, decisions, frontier (model part)"),
            ("lessons", "lessons themes and matching (model part)"),
            ("forecast", "forecasts: ES, IEACs, reference class, Monte Carlo (model part)"),
        ):
            res = measured[step, "10x"] = run_child(step_cmd(step, sizes["10x"]), 1)
            R.record(label, "10x", res)

    # 3. the report suite: on the sample against the in-process floor, then on every size (the smoke
    # run stands the portfolio model in for the suite, which tests/runs/test_runner.py runs end to end)
    out = HERE / "out"
    if not smoke:
        direct = run_child(step_cmd("direct", sample), repeat)
        R.record("in-process floor: the model and every chart", "sample", direct)
        R.record("report suite, one notebook at a time", "sample", run_child(suite_cmd(sample, out / "r1", 1), 3))
        par = run_child(suite_cmd(sample, out / "r", cores), 3)
        ratio = par["median_s"] / direct["median_s"] if "median_s" in par and "median_s" in direct else None
        R.record(
            f"report suite, {cores} notebooks at a time",
            "sample",
            {**par, "ratio_to_direct": ratio},
            targets=[("<= 1.5 x the in-process floor", ratio is not None and ratio <= 1.5)],
            note=f"{ratio:.2f} x the floor" if ratio else "",
        )
    for key in big:
        reports = out / f"reports-{key}"
        cmd = step_cmd("model", sizes[key]) if smoke else suite_cmd(sizes[key], reports)
        # the median of three where a run takes seconds (a single run on a shared machine varies by a fifth)
        res = measured["suite", key] = run_child(cmd, 1 if smoke or key == "10x" else 3)
        targets, note = [], ""
        if key == "1x":
            targets = [_time(res, 30)]
            html = {p.name: p.stat().st_size for p in (reports / "latest").glob("*.html") if p.name != "index.html"}
            if html and not smoke:
                res["html_bytes"] = html
                targets.append(("largest HTML < 10 MB", max(html.values()) < 10 * 1024**2))
                note = f"largest HTML {max(html.values()) / 1024**2:.1f} MB"
        R.record(
            "report suite (smoke: the model alone)" if smoke else "report suite", key, res, targets=targets, note=note
        )

    # 4. cost grows linearly: the same steps at 1x and 10x the enterprise portfolio
    if "10x" in sizes:
        growth, row_growth = {}, rows["10x"] / rows["1x"]
        for step in ("floor", "load_timesheets", "utilization", "roi", "forecast", "lessons", "suite"):
            a, b = measured.get((step, "1x"), {}), measured.get((step, "10x"), {})
            if "median_s" in a and "median_s" in b:
                growth[step] = g = b["median_s"] / a["median_s"]
                R.record(
                    f"growth 1x -> 10x: {step}",
                    "10x",
                    {},
                    figure=f"{g:.1f} x the time for {row_growth:.1f} x the timesheet rows",
                    targets=[("<= 12 x", g <= 12)],
                )
        R.data["growth_1x_to_10x"] = growth

    # 5. where this machine ends: the suite's time and memory, fitted linearly in the timesheet rows
    points = [(rows[k], measured["suite", k]) for k in big if "median_s" in measured.get(("suite", k), {})]
    if len(points) >= 2:
        xs = [p[0] for p in points]
        t = linear_limit(xs, [p[1]["median_s"] for p in points], HOUR)
        m = linear_limit(xs, [p[1]["peak_tree_rss_bytes"] for p in points], 20 * GB)
        limits = {"1 hour": t["rows_at_limit"], "20 GB": m["rows_at_limit"]}
        reached = {k: v for k, v in limits.items() if v is not None}
        first = min(reached, key=reached.get) if reached else None
        limit_rows = reached.get(first)
        enterprise = rows["1x"]
        measured_at = ", ".join(f"{x / 1e6:.1f} M" for x in xs)
        summary = (
            f"Extrapolated from {len(points)} sizes ({measured_at} timesheet rows):"
            f" the whole report suite would pass {first} at about {limit_rows / 1e6:,.0f} M timesheet rows"
            f" ({limit_rows / enterprise:.0f} x the enterprise portfolio) on this machine"
            if first
            else "The suite's time and memory do not grow with the rows measured: no limit found"
        )
        R.data["extrapolation"] = {
            "points": [
                {"timesheet_rows": x, "suite_s": p["median_s"], "suite_peak_tree_rss_bytes": p["peak_tree_rss_bytes"]}
                for x, p in points
            ],
            "time_fit": t,
            "memory_fit": m,
            "limit_rows": limit_rows,
            "limited_by": first,
            "limit_x_enterprise": limit_rows / enterprise if limit_rows else None,
            "summary": summary + ".",
        }
        beyond = rows.get("10x", enterprise * 10)
        R.record(
            "rows at which the suite passes 1 hour or 20 GB",
            "fit",
            {},
            figure=f"{limit_rows / 1e6:,.0f} M rows ({first})" if first else "no limit",
            targets=[
                ("beyond the 10x portfolio", limit_rows is None or limit_rows > beyond),
                ("3 sizes measured", len(points) >= 3),
            ],
        )

    # 6. project pages: every running project of the sample, the worst off-track of the enterprise portfolio
    if not smoke:
        for label, folder, step in (("running", sample, "pages_running"), ("off-track", sizes["1x"], "pages")):
            res = run_child(step_cmd(step, folder), 1)
            info = res.pop("step_output", {})
            res.update(info)
            key = "sample" if label == "running" else "1x"
            targets = [
                ("no failed page", bool(info) and info["failed"] == 0),
                ("largest page < 1 MB", bool(info) and info["max_page_bytes"] < 1024**2),
            ]
            if key == "1x":
                targets.append((">= 3 pages/s on idle cores", bool(info) and info["pages_per_s_idle"] >= 3))
            R.record(
                f"project pages ({label})",
                key,
                res,
                targets=targets,
                note=(
                    f"{info['pages']} pages, {info['pages_per_s']:.1f} pages/s ({info['pages_per_s_idle']:.1f} on idle "
                    f"cores), largest {info['max_page_bytes'] / 1024:.0f} kB"
                )
                if info
                else "no pages",
            )

    bench_schedules(R, smoke)
    R.data["machine"]["load_average_at_end"] = os.getloadavg()
    R.data["complete"] = True
    R.write(out_file)
    missed = [f"{e['step']} [{e['size']}]" for e in R.steps if e["met"] is False]
    errors = [f"{e['step']} [{e['size']}]" for e in R.steps if "error" in e]
    print(
        f"\nresults written to {out_file} and {out_file.with_suffix('.md').name}; "
        f"targets missed: {missed or 'none'}; errors: {errors or 'none'}"
    )
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
