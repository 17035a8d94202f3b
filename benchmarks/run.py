"""Benchmark of the workbook, from the 40-project sample to an enterprise portfolio.

    python benchmarks/run.py            # full benchmark (make bench), writes benchmarks/results.json
    python benchmarks/run.py --smoke    # tiny sizes, seconds; run by the test suite so it cannot rot

Every step runs in a fresh child process, several times; the table shows the median wall time and
the peak resident memory of the child (which includes loading its data), each beside its target.
Generated portfolios go to benchmarks/data/ (git-ignored).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

AS_OF = "2026-06-30"
GB = 1024 ** 3


# --------------------------------------------------------------------------- steps (child side)
def _load(data: str, tables=None):
    from pmo_analysis import load_portfolio

    return load_portfolio(data, as_of=AS_OF, tables=tables)


def step_load(data: str) -> None:
    _load(data)


def step_roi(data: str) -> None:
    from pmo_analysis import health, roi

    p = _load(data, ["projects", "cashflows"])
    t = time.perf_counter()
    r = roi.roi_by_project(p.projects, p.cashflows, as_of=AS_OF)
    roi.portfolio_totals(r, by="department")
    roi.cumulative_cashflow(p.cashflows, as_of=AS_OF)
    roi.recommendations(r)
    s = roi.priority_scores(r)
    need = roi.funding_need(s.loc[s["status"].isin(["proposed", "active"])]).sum()
    roi.select_portfolio(s, budget_cap=0.7 * need)
    roi.efficient_frontier(s, levels=10, include=[0.7 * need])
    health.project_health(r, as_of=AS_OF)
    _analysis_time(t)


def step_utilization(data: str) -> None:
    from pmo_analysis import utilization as U

    p = _load(data, ["projects", "resources", "assignments", "timesheets", "holidays"])
    t = time.perf_counter()
    u = U.utilization_by_resource(p.resources, p.assignments, p.timesheets, as_of=AS_OF,
                                  holidays=p.holidays)
    months = U.month_window(AS_OF)
    plan = U.planned_by_assignment(p.resources, p.assignments, months, holidays=p.holidays)
    U.utilization_by_group(u, by="role")
    over = U.overallocations(u, plan)
    U.bench(u, over, as_of=AS_OF)
    U.capacity_vs_demand(u, as_of=AS_OF)
    U.plan_vs_actual_by_project(plan, p.timesheets, as_of=AS_OF, months=months)
    U.time_split(p.timesheets, p.resources, as_of=AS_OF, months=months)
    _analysis_time(t)


def step_utilization_table(data: str) -> None:
    """The utilization table alone (issue target: 10 M timesheet rows in < 20 s, < 4 GB)."""
    from pmo_analysis import utilization as U

    p = _load(data, ["projects", "resources", "assignments", "timesheets", "holidays"])
    t = time.perf_counter()
    U.utilization_by_resource(p.resources, p.assignments, p.timesheets, as_of=AS_OF, holidays=p.holidays)
    _analysis_time(t)


def step_lessons(data: str) -> None:
    from pmo_analysis import lessons as L

    p = _load(data, ["projects", "lessons"])
    t = time.perf_counter()
    d = L.prepare(p.lessons, p.projects)
    found = L.lesson_themes(d)  # text themes and recurring problems, as the portfolio model computes them
    L.open_actions(d, as_of=AS_OF)
    L.action_followthrough(d, as_of=AS_OF)
    L.fixes_that_did_not_stick(d, found.theme)
    L.lessons_for_projects(d, p.projects, as_of=AS_OF, theme=found.theme)
    L.went_well(d)
    L.search_lessons(p.lessons, "vendor delay")
    _analysis_time(t)


def step_model(data: str) -> None:
    """The portfolio model, as a report run computes it once before any notebook starts."""
    from pmo_analysis.model import build_model

    p = _load(data)
    t = time.perf_counter()
    build_model(p, as_of=AS_OF)
    _analysis_time(t)


def step_direct(data: str) -> None:
    """The report suite's work in one process: the portfolio model, and every chart drawn from it.
    The floor that notebook execution adds to."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from pmo_analysis import plots
    from pmo_analysis.model import build_model

    M = build_model(_load(data), as_of=AS_OF)
    plots.use_style()
    h = M.headline.iloc[0]
    figs = [plots.kpi_bars(M.by_department, by="department"),
            plots.kpi_bars(M.by_objective, by="strategic_objective"),
            plots.npv_ranked(M.projects), plots.value_vs_risk(M.projects), plots.j_curve(M.cashflow, as_of=AS_OF),
            plots.cpi_spi_quadrant(M.projects),
            plots.frontier(M.frontier, budget_cap=h["budget_cap"],
                           chosen_value=M.decisions.loc[M.decisions["funded"], "score"].sum(), objective="score")]
    soon = M.overallocations.loc[M.overallocations["ahead"]]
    figs += [plots.utilization_trend(M.util_by_department, M.util_overall, by="department"),
             plots.utilization_trend(M.util_by_role, M.util_overall, by="role"),
             plots.utilization_heatmap(M.utilization, as_of=AS_OF), plots.overallocation_bars(soon),
             plots.capacity_vs_demand(M.capacity), plots.plan_vs_actual(M.plan_vs_actual, M.projects),
             plots.time_split(M.time_split)]
    figs += [plots.lessons_by_category(M.lessons_by_category), plots.lessons_trend(M.lessons_trend),
             plots.recurring_themes(M.recurring), plots.open_actions_by_owner(M.followthrough),
             plots.went_well(M.went_well)]
    for f in figs:
        f.savefig(os.devnull, format="png")
        plt.close(f)


def step_pages(data: str, which: str = "off-track") -> None:
    """Project pages of ``which`` (and the department pages), as a run renders them after its
    reports: one kernel per core kept alive for many pages. Uses the portfolio model saved next to
    the data (``<data>/../model-<name>``), building it once if missing; times the pages alone."""
    import shutil
    import tempfile

    from pmo_analysis.config import NOTEBOOKS_DIR
    from pmo_analysis.links import PAGES_FILE
    from pmo_analysis.model import build_model, load_model
    from pmo_analysis.pages import plan_pages, render_department_pages, render_project_pages, select_projects

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
        pages = render_project_pages(NOTEBOOKS_DIR / "project_report.ipynb", rows, run_dir=run, header=header,
                                     params={"data_dir": str(data), "as_of": AS_OF, "model_dir": str(run / "model"),
                                             "output_dir": str(run / "projects")}, jobs=os.cpu_count() or 2)
        took, end = time.perf_counter() - t, os.times()
        # CPU seconds of this process and of its kernels (reaped when they shut down): the pages per
        # second the cores would give on a machine nobody else uses
        cpu_s = sum(getattr(end, k) - getattr(cpu, k) for k in ("user", "system", "children_user", "children_system"))
        pages += render_department_pages(model, planned["departments"], run_dir=run, pages=planned, header=header)
        sizes = [(run / p.path).stat().st_size for p in pages]
        print(json.dumps({"analysis_s": took, "pages": len(rows), "pages_per_s": len(rows) / took,
                          "cpu_s": cpu_s, "pages_per_s_idle": len(rows) / cpu_s * (os.cpu_count() or 2),
                          "failed": sum(p.status != "success" for p in pages), "max_page_bytes": max(sizes),
                          "load_average": os.getloadavg()}), flush=True)
    finally:
        shutil.rmtree(run, ignore_errors=True)


def _analysis_time(t0: float) -> None:
    print(json.dumps({"analysis_s": time.perf_counter() - t0}), flush=True)


STEPS = {"load": step_load, "roi": step_roi, "utilization": step_utilization,
         "utilization_table": step_utilization_table, "lessons": step_lessons, "model": step_model,
         "direct": step_direct, "pages": step_pages, "pages_running": lambda d: step_pages(d, "running")}


# --------------------------------------------------------------------------- parent side
def run_child(args: list[str], repeat: int) -> dict:
    """Run a command ``repeat`` times; median wall time, peak resident memory of the child and its
    descendants (from ``wait4``), and the median analysis-only time the step reports (without
    loading its data)."""
    import tempfile

    walls, peaks, analysis, last = [], [], [], {}
    for _ in range(repeat):
        with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
            t = time.perf_counter()
            proc = subprocess.Popen(args, stdout=out, stderr=err, text=True)
            _, status, usage = os.wait4(proc.pid, 0)
            walls.append(time.perf_counter() - t)
            proc.returncode = os.waitstatus_to_exitcode(status)
            out.seek(0)
            err.seek(0)
            stdout, stderr = out.read(), err.read()
        if proc.returncode != 0:
            return {"error": (stderr or stdout)[-1500:]}
        peaks.append(usage.ru_maxrss * 1024)
        for line in stdout.splitlines():
            if line.startswith('{"analysis_s"'):
                analysis.append(json.loads(line)["analysis_s"])
                last = json.loads(line)
    res = {"median_s": statistics.median(walls), "runs": [round(w, 2) for w in walls],
           "peak_rss_bytes": max(peaks)}
    if analysis:
        res["analysis_median_s"] = statistics.median(analysis)
        res["step_output"] = last  # everything the step printed, of its last run
    return res


def step_cmd(step: str, data: Path) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), "--step", step, "--data", str(data)]


def ensure_data(folder: Path, scale: str) -> float | None:
    """Generate the portfolio if missing; return the generation time when it was generated."""
    if (folder / "projects.parquet").exists() or (folder / "projects.csv").exists():
        return None
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pmo_analysis.cli", "sample-data", str(folder), "--scale", scale,
                    "--format", "parquet"], check=True, capture_output=True)
    return time.perf_counter() - t


def machine() -> dict:
    import numpy
    import pandas

    from pmo_analysis import __version__

    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return {"cores": os.cpu_count(), "memory_gb": round(mem / GB, 1), "python": platform.python_version(),
            "pandas": pandas.__version__, "numpy": numpy.__version__, "pmo_analysis": __version__,
            "platform": platform.platform()}


def _fmt_mem(b):
    return "" if b is None else f"{b / GB:.2f} GB"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--smoke", action="store_true", help="tiny sizes, one repeat (for the test suite)")
    ap.add_argument("--out", type=Path, default=None, help="results file (default: benchmarks/results.json)")
    ap.add_argument("--step", choices=sorted(STEPS), help=argparse.SUPPRESS)
    ap.add_argument("--data", help=argparse.SUPPRESS)
    ap.add_argument("--skip-large-suite", action="store_true", help="skip the report suite on the large portfolio")
    args = ap.parse_args()
    if args.step:
        STEPS[args.step](args.data)
        return 0

    data_root = HERE / "data"
    sample = ROOT / "data" / "sample"
    if args.smoke:
        large_scale, scales, repeat, big_repeat = "0.5", {"1x": "0.25", "10x": "0.5", "100x": "1"}, 1, 1
        large = data_root / "smoke-large"
    else:
        large_scale, scales, repeat, big_repeat = "large", {"1x": "1", "10x": "10", "100x": "100"}, 5, 3
        large = data_root / "large"
    results: dict = {"machine": machine(), "smoke": args.smoke, "steps": []}
    rows = []

    def record(name, res, target_s=None, target_mem=None, note="", target_ratio=None):
        met = None
        if "error" not in res:
            met = True
            if target_s is not None:
                met &= res["median_s"] < target_s
            if target_mem is not None:
                met &= res["peak_rss_bytes"] < target_mem
            if target_ratio is not None:
                met &= res["ratio_to_direct"] < target_ratio
        res.pop("step_output", None)  # the pages steps read theirs before they record
        entry = {"step": name, **res, "target_s": target_s, "target_mem_bytes": target_mem, "met": met,
                 "note": note}
        results["steps"].append(entry)
        rows.append(entry)
        target = " ".join(x for x in (f"< {target_s:g} s" if target_s else "",
                                      f"< {target_mem / GB:g} GB" if target_mem else "") if x)
        status = "ERROR" if met is None else ("met" if met else "MISSED") if target else ""
        if "error" in res:
            print(f"{name:<42} ERROR {res['error'][-300:]}", flush=True)
        else:
            extra = f" (analysis {res['analysis_median_s']:.2f} s)" if "analysis_median_s" in res else ""
            print(f"{name:<42} {res['median_s']:8.2f} s{extra:<22} {_fmt_mem(res['peak_rss_bytes']):>9}"
                  f"   {target:<18} {status} {note}", flush=True)

    print(f"machine: {results['machine']}")
    gen = ensure_data(large, large_scale)
    if gen is not None:
        record(f"generate large portfolio ({large_scale})", {"median_s": gen, "runs": [round(gen, 2)],
                                                             "peak_rss_bytes": None}, target_s=180)
    # 1-2: load + validate, each analysis, on both sizes
    for label, folder, rep in (("sample", sample, repeat), ("large", large, big_repeat)):
        big = label == "large" and not args.smoke
        record(f"load + validate [{label}]", run_child(step_cmd("load", folder), rep),
               target_s=60 if big else None, target_mem=8 * GB if big else None)
        for step in ("roi", "utilization", "lessons", "model"):
            record(f"{step} [{label}]", run_child(step_cmd(step, folder), rep),
                   target_s=30 if big else None, target_mem=6 * GB if big else None)
        if big:
            record("utilization table only [large]", run_child(step_cmd("utilization_table", folder), rep),
                   target_mem=4 * GB, note="analysis part must be < 20 s")
    # 3: the report suite on the sample, serial and parallel, and the direct floor
    if args.smoke:  # the suite itself is exercised end to end by tests/test_runner.py
        record("direct in-process, charts drawn [smoke]", run_child(step_cmd("direct", large), 1))
    else:
        reports = HERE / "out" / "reports"
        suite = [sys.executable, "-m", "pmo_analysis.cli", "run", "--data-dir", str(sample), "-p", "as_of",
                 AS_OF, "--reports-dir", str(reports)]
        direct = run_child(step_cmd("direct", sample), repeat)
        record("direct in-process, charts drawn [sample]", direct)
        record("report suite --jobs 1 [sample]", run_child(suite + ["--jobs", "1"], 3))
        par = run_child(suite + ["--jobs", str(os.cpu_count() or 2)], 3)
        ratio = par["median_s"] / direct["median_s"] if "median_s" in direct and "median_s" in par else None
        if ratio is not None:
            par["ratio_to_direct"] = ratio
        record(f"report suite --jobs {os.cpu_count()} [sample]", par, target_s=30,
               target_ratio=2.5 if ratio is not None else None,
               note=f"= {ratio:.2f} x direct (target < 2.5 x)" if ratio else "")
    # 4: scaling at 1x, 10x, 100x
    for step in ("roi", "utilization", "lessons"):
        times = {}
        for k, scale in scales.items():
            folder = data_root / f"scale-{scale}"
            ensure_data(folder, scale)
            res = run_child(step_cmd(step, folder), 1 if k == "100x" else repeat)
            times[k] = res.get("analysis_median_s")
            record(f"scaling {step} {k}", res)
        if all(times.values()):
            g = times["100x"] / times["10x"]
            print(f"  {step}: 10x -> 100x data took {g:.1f} x the time (linear = 10)")
            results.setdefault("scaling_growth_10x_to_100x", {})[step] = g
    # the full suite on the large portfolio: it must finish, HTML under 10 MB per notebook
    if not (args.skip_large_suite or args.smoke):
        lrep = HERE / "out" / "reports-large"
        res = run_child([sys.executable, "-m", "pmo_analysis.cli", "run", "--data-dir", str(large), "-p", "as_of",
                         AS_OF, "--reports-dir", str(lrep)], 1)
        sizes = {}
        latest = lrep / "latest"
        if latest.exists():
            sizes = {p.name: p.stat().st_size for p in latest.glob("*.html") if p.name != "index.html"}
        ok = "error" not in res and bool(sizes) and max(sizes.values()) < 10 * 1024 ** 2
        res["html_bytes"] = sizes
        record("report suite [large]", res, note=(f"finishes; largest HTML {max(sizes.values()) / 1024 ** 2:.1f} MB"
                                                  f" (target < 10 MB): {'met' if ok else 'MISSED'}")
               if sizes else "no HTML produced")
        rows[-1]["met"] = ok
        results["steps"][-1]["met"] = ok
    # project pages: every running project of the sample, and the off-track projects of the large portfolio
    if not args.smoke:
        for label, folder, step in (("running [sample]", sample, "pages_running"),
                                    ("off-track [large]", large, "pages")):
            res = run_child(step_cmd(step, folder), 1)
            info = res.pop("step_output", {})
            res.update(info)
            ok = bool(info) and info["failed"] == 0 and info["max_page_bytes"] < 1024 ** 2 and \
                (label.startswith("running") or info["pages_per_s_idle"] >= 3)
            record(f"project pages {label}", res, note=(
                f"{info['pages']} pages, {info['pages_per_s']:.1f} pages/s ({info['pages_per_s_idle']:.1f} on idle "
                f"cores, target >= 3 for the large portfolio), largest {info['max_page_bytes'] / 1024:.0f} kB "
                f"(target < 1 MB)") if info else "no pages")
            rows[-1]["met"] = results["steps"][-1]["met"] = ok
    out = args.out or (HERE / ("results-smoke.json" if args.smoke else "results.json"))
    out.write_text(json.dumps(results, indent=2))
    missed = [r["step"] for r in rows if r["met"] is False]
    errors = [r["step"] for r in rows if r["met"] is None and "error" in r]
    print(f"\nresults written to {out}; targets missed: {missed or 'none'}; errors: {errors or 'none'}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
