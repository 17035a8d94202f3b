"""Run the report notebooks with papermill and publish self-contained HTML.

One run: validate every parameter before any kernel starts; execute the notebooks in parallel,
each in its own kernel (a cell timeout stops a hung one); render each executed notebook to HTML
without code and without anything loaded from the network; write ``manifest.json`` and the run's
``index.html``; then move the finished run from its temporary folder ``reports/.tmp-<run-id>``
into ``reports/<run-id>/`` in one step, and update ``reports/index.html`` and ``reports/latest``.

``latest`` is computed from the manifests, never "the run that just finished": it is the run with
status success that ran the whole report suite, with the newest as-of date, then the newest start
time (:func:`latest_good_run`). A failed, partial, stale or subset run, or a re-run of an older
date, never replaces it, and pruning never removes it.
"""
from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import html
import json
import os
import platform
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from .config import NOTEBOOKS_DIR, REPORTS_DIR, SAMPLE_DATA_DIR
from .exceptions import ParameterError
from .params import MODEL_PARAMS, declared_for_path, validate_model_params, validate_params

__all__ = ["REPORT_NOTEBOOKS", "RunResult", "run_reports", "render_html", "update_index",
           "prune_reports", "fingerprint", "read_manifests", "is_whole_suite", "reserve_run",
           "write_manifest", "publish_run", "latest_good_run", "refresh_latest", "remove_dead_temp_folders"]

#: Report notebooks in the order of the report index (the executive summary first).
REPORT_NOTEBOOKS = ["executive_summary", "portfolio_roi", "resource_utilization", "lessons_learned"]
TITLES = {
    "executive_summary": "Executive portfolio summary",
    "portfolio_roi": "Portfolio ROI and performance",
    "resource_utilization": "Resource utilization and capacity",
    "lessons_learned": "Lessons learned",
}
_TEMPLATES = Path(__file__).parent / "templates"


@dataclass
class NotebookResult:
    name: str
    status: str = "queued"  # queued, running, success, failed
    parameters: dict[str, Any] = field(default_factory=dict)
    duration_s: float | None = None
    error: dict[str, Any] | None = None
    outputs: list[str] = field(default_factory=list)


@dataclass
class RunResult:
    run_id: str
    run_dir: Path
    status: str
    notebooks: list[NotebookResult]
    duration_s: float

    @property
    def ok(self) -> bool:
        return self.status == "success"


# --------------------------------------------------------------------------- parameters
def resolve_notebooks(notebooks: list[str] | None, notebooks_dir: Path) -> list[Path]:
    """Paths of the notebooks to run: the report notebooks by default, else the names or paths
    given. Unknown names raise :class:`ParameterError` listing the available ones."""
    available = {p.stem: p for p in sorted(notebooks_dir.glob("*.ipynb"))}
    if not notebooks:
        return [available[n] for n in REPORT_NOTEBOOKS if n in available] + \
            [p for n, p in available.items() if n not in REPORT_NOTEBOOKS]
    out = []
    for n in notebooks:
        p = Path(n)
        if p.suffix == ".ipynb" and p.exists():
            out.append(p.resolve())
        elif Path(n).stem in available:
            out.append(available[Path(n).stem])
        else:
            raise ParameterError(f"unknown notebook {n!r}; available: {', '.join(available)}")
    return out


def plan_parameters(paths: list[Path], common: dict[str, Any], per_notebook: dict[str, dict]
                    ) -> dict[str, dict[str, Any]]:
    """The parameters each notebook gets, validated before any kernel starts.

    ``common`` values go to every notebook that declares the name; a common name that neither a
    notebook nor the portfolio model declares is an error, as is any bad value. ``per_notebook``
    values must be declared by that notebook and may not be model parameters: the model has one
    value per run, so that every report shows the same figures.
    """
    decl = {p.stem: {d.name for d in declared_for_path(p)} for p in paths}
    unknown = sorted(k for k in common if k not in MODEL_PARAMS
                     and not any(k in names for names in decl.values()))
    if unknown:
        raise ParameterError(f"unknown parameter(s) {', '.join(map(repr, unknown))}: no notebook in "
                             f"this run declares them (see `pmo-analysis params NOTEBOOK`)")
    extra = sorted(set(per_notebook) - set(decl))
    if extra:
        raise ParameterError(f"parameters given for notebook(s) not in this run: {', '.join(extra)}")
    for nb, values in per_notebook.items():
        shared = sorted(k for k in values if k in MODEL_PARAMS)
        if shared:
            raise ParameterError(f"{nb}: {', '.join(map(repr, shared))} is a portfolio-model parameter, one value "
                                 "per run so that every report shows the same figures: set it for the whole run")
    planned = {}
    for p in paths:
        values = {k: v for k, v in common.items() if k in decl[p.stem]}
        values |= per_notebook.get(p.stem, {})
        # typed and plain (str, int, float, bool, None, date, path): nothing else reaches papermill
        planned[p.stem] = validate_params(p.stem, values, path=p)
    return planned


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    return {k: (str(v) if isinstance(v, (Path, dt.date)) else v) for k, v in values.items()}


# --------------------------------------------------------------------------- fingerprints
def fingerprint(data_dir: Path) -> list[dict[str, Any]]:
    """Name, size and sha256 of every file in the data folder (recursively, sorted)."""
    files = []
    for f in sorted(p for p in Path(data_dir).rglob("*") if p.is_file()):
        h = hashlib.sha256()
        with f.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        files.append({"name": str(f.relative_to(data_dir)), "size": f.stat().st_size,
                      "sha256": h.hexdigest()})
    return files


def _versions() -> dict[str, str]:
    import nbconvert
    import pandas
    import papermill

    from . import __version__

    return {"python": platform.python_version(), "pandas": pandas.__version__,
            "pmo_analysis": __version__, "papermill": papermill.__version__,
            "nbconvert": nbconvert.__version__, "platform": platform.platform()}


# --------------------------------------------------------------------------- execution
def _execute(nb: Path, out_ipynb: Path, params: dict[str, Any], *, timeout: float,
             html: dict[str, Any]) -> dict[str, Any]:
    """Execute one notebook with papermill (its own kernel process) and render its HTML.

    Runs in a runner thread: the kernels do the work in their own processes, so threads cost
    no parallelism and save a Python start-up and imports per notebook. A cell running longer than
    ``timeout`` seconds is stopped by nbclient, which then shuts the kernel down; a kernel that
    dies is detected by nbclient. Both are reported as failures, never hidden.
    """
    import papermill as pm

    result: dict[str, Any] = {"status": "success", "error": None}
    try:
        # cwd=None: papermill changes the process-wide working directory otherwise, which threads
        # share; the notebooks resolve every path themselves
        pm.execute_notebook(str(nb), str(out_ipynb), parameters=params, cwd=None, kernel_name="python3",
                            progress_bar=False, execution_timeout=timeout, log_output=False)
    except pm.PapermillExecutionError as exc:
        first_line = next((ln for ln in (exc.source or "").splitlines() if ln.strip()), "")
        result = {"status": "failed", "error": {"cell": exc.exec_count, "ename": exc.ename,
                                                "evalue": str(exc.evalue), "source": first_line[:200]}}
    except Exception as exc:  # cell timeout, dead kernel, unreadable notebook
        result = {"status": "failed", "error": {"cell": None, "ename": type(exc).__name__,
                                                "evalue": str(exc)}}
    meta = dict(html["meta"])
    err = result["error"]
    if err:
        cell = err.get("cell")
        where = (f"in cell In [{cell}]" + (f" ({err['source']})" if err.get("source") else "")
                 if cell is not None else "before or outside a cell")
        meta["error"] = {"where": where, "ename": err.get("ename", ""), "evalue": err.get("evalue", "")}
    if out_ipynb.exists():
        try:
            render_html(out_ipynb, Path(html["path"]), meta=meta, keep_code=html["keep_code"])
        except Exception as exc:  # a rendering bug is reported, never hidden
            result = {"status": "failed", "error": err or {
                "cell": None, "ename": type(exc).__name__, "evalue": f"HTML rendering failed: {exc}"}}
    return result


def render_html(ipynb: Path, html_path: Path, *, meta: dict[str, Any], keep_code: bool = False
                ) -> None:
    """Render an executed notebook to self-contained HTML (no code unless ``keep_code``)."""
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(ipynb, as_version=4)
    # papermill's own error-anchor cells duplicate our banner; drop them from the leadership view
    nb.cells = [c for c in nb.cells
                if not (c.cell_type == "markdown" and "papermill-error-cell-tag" in c.metadata.get("tags", []))]
    exporter = HTMLExporter(template_name="pmo", extra_template_basedirs=[str(_TEMPLATES)],
                            exclude_input=not keep_code, exclude_input_prompt=not keep_code,
                            exclude_output_prompt=True, embed_images=True)
    body, _ = exporter.from_notebook_node(nb, resources={"pmo": meta, "metadata": {"name": meta["title"]}})
    html_path.write_text(body, encoding="utf-8")


def _fmt_time(t: dt.datetime) -> str:
    return t.isoformat(timespec="seconds")


def run_reports(*, data_dir: str | Path = SAMPLE_DATA_DIR, notebooks: list[str] | None = None,
                params: dict[str, Any] | None = None, notebook_params: dict[str, dict] | None = None,
                reports_dir: str | Path = REPORTS_DIR, schedule: str = "adhoc",
                jobs: int | None = None, timeout: float = 600, keep_code: bool = False,
                notebooks_dir: str | Path = NOTEBOOKS_DIR,
                progress: Callable[[str], None] | None = print) -> RunResult:
    """Execute the report notebooks and publish the run.

    Parameters
    ----------
    data_dir : path
        The portfolio data folder, passed to every notebook as ``data_dir``.
    notebooks : list of str, optional
        Names (``portfolio_roi``) or paths; default: every report notebook.
    params, notebook_params : dict
        Parameters for every notebook that declares them, and per notebook.
    reports_dir : path
        Where runs are published.
    schedule : str
        Schedule name; part of the run id, and used to find the previous run.
    jobs : int, optional
        Notebooks run at once (default: the number of cores).
    timeout : float
        Seconds a cell may run before the notebook is stopped and reported as failed.
    keep_code : bool
        Keep code cells in the HTML (for analysts).

    Returns
    -------
    RunResult
        ``status`` is ``success``, ``partial`` (some notebooks failed), ``failed``, or ``stale``
        (every notebook succeeded, but the data ends more than a month before as_of and
        ``accept_stale`` was not given).
    """
    started = _now()
    t0 = time.perf_counter()
    say = progress or (lambda _msg: None)
    data_dir = Path(data_dir).resolve()
    reports_dir = Path(reports_dir).resolve()
    if not data_dir.is_dir():
        raise ParameterError(f"data folder not found: {str(data_dir)!r}")
    params = dict(params or {})
    if "data_dir" in params and Path(str(params["data_dir"])).expanduser().resolve() != data_dir:
        raise ParameterError(f"two data folders given: {str(data_dir)!r} and parameter data_dir "
                             f"{str(params['data_dir'])!r}; give one")
    paths = resolve_notebooks(notebooks, Path(notebooks_dir))
    common = params | {"data_dir": str(data_dir)}
    planned = plan_parameters(paths, common, dict(notebook_params or {}))
    reports_dir.mkdir(parents=True, exist_ok=True)  # a folder that cannot be made fails before any work
    model = _build_model(data_dir, common, say=say, t0=t0)
    as_of = model.meta["as_of"]

    complete = is_whole_suite(paths, Path(notebooks_dir))
    remove_dead_temp_folders(reports_dir)
    # the final run id, chosen before anything names it (the HTML headers, manifest, index)
    run_id, tmp = reserve_run(reports_dir, started, schedule)
    results = {p.stem: NotebookResult(p.stem) for p in paths}

    def one(path: Path) -> None:
        name = path.stem
        r = results[name]
        r.status = "running"
        say(f"[{time.perf_counter() - t0:6.1f}s] {name}: running")
        out_dir = tmp / name
        out_dir.mkdir()
        takes = {d.name for d in declared_for_path(path)}
        values = planned[name] | {"output_dir": str(out_dir)}
        # every report reads the run's model at the run's as-of date
        values |= {k: v for k, v in (("model_dir", str(tmp / "model")), ("as_of", as_of)) if k in takes}
        for key, value in (("reports_dir", str(reports_dir)), ("schedule", schedule)):
            if key in takes:
                values.setdefault(key, value)
        r.parameters = _jsonable(values)
        meta = {"title": TITLES.get(name, name.replace("_", " ").capitalize()),
                "as_of": as_of, "data_dir": data_dir.name,
                "run_time": _fmt_time(started), "run_id": run_id, "index_href": "index.html"}
        t1 = time.perf_counter()
        res = _execute(path, tmp / f"{name}.ipynb", r.parameters, timeout=timeout,
                       html={"path": str(tmp / f"{name}.html"), "meta": meta, "keep_code": keep_code})
        r.duration_s = round(time.perf_counter() - t1, 2)
        r.status = res["status"]
        r.error = res.get("error")
        r.outputs = sorted(str(p.relative_to(tmp)) for p in [tmp / f"{name}.ipynb", tmp / f"{name}.html"]
                           if p.exists()) + sorted(str(p.relative_to(tmp)) for p in out_dir.rglob("*")
                                                   if p.is_file())
        say(f"[{time.perf_counter() - t0:6.1f}s] {name}: {r.status} in {r.duration_s:.1f}s"
            + (f" ({r.error['ename']}: {str(r.error['evalue'])[:200]})" if r.error else ""))

    for p in paths:
        say(f"[{time.perf_counter() - t0:6.1f}s] {p.stem}: queued")
    # longest first (from the last run's durations): the parallel run finishes sooner
    last = {n["name"]: n.get("duration_s") or 0 for m in read_manifests(reports_dir)[:1]
            for n in m.get("notebooks", [])}
    order = sorted(paths, key=lambda p: -last.get(p.stem, float("inf")))
    try:
        model.save(tmp / "model")
        from .export import write_csv

        write_csv(model.decisions, tmp / "decisions.csv")
        with ThreadPoolExecutor(max_workers=jobs or os.cpu_count() or 2) as pool:
            list(pool.map(one, order))
        status = _run_status(results.values(), model)
        finished = _now()
        manifest = {
            "run_id": run_id, "schedule": schedule, "status": status, "complete": complete,
            "started": _fmt_time(started), "finished": _fmt_time(finished),
            "started_utc": _fmt_time(started.astimezone(dt.timezone.utc)),
            "timezone": str(started.tzinfo),
            "duration_s": round(time.perf_counter() - t0, 2),
            "as_of": as_of,
            "as_of_source": model.meta["as_of_source"],
            "stale": model.stale,
            "accept_stale": bool(model.params["accept_stale"]),
            "freshness": model.meta["freshness"],
            "windows": model.meta["windows"],
            "data_quality": {"excluded_rows": model.meta["excluded_rows"],
                             "rows": model.data_quality.head(1000).astype(str).to_dict("records")},
            "model": {"dir": "model", "version": model.meta["version"], "tables": sorted(model.tables)},
            "notebooks": [vars(r) for r in results.values()],
            "data": {"dir": str(data_dir), "files": fingerprint(data_dir)},
            "versions": _versions(),
        }
        write_manifest(tmp, manifest)
        final = publish_run(tmp, reports_dir, run_id)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    refresh_latest(reports_dir)
    total = time.perf_counter() - t0
    say(f"run {final.name}: {status} in {total:.1f}s -> {final / 'index.html'}")
    if status == "stale":
        say("stale data: " + "; ".join(model.stale) + " (accept it with --accept-stale)")
    return RunResult(final.name, final, status, list(results.values()), round(total, 2))


def _build_model(data_dir: Path, common: dict[str, Any], *, say, t0: float):
    """Load the data once and compute the run's portfolio model (before any kernel starts)."""
    from .data import load_portfolio
    from .model import build_model
    from .params import typed_as_of

    model_params = validate_model_params(common)
    as_of = typed_as_of(common.get("as_of"))
    portfolio = load_portfolio(data_dir, as_of=as_of,
                               on_error="drop" if model_params["exclude_invalid"] else "raise")
    model = build_model(portfolio, as_of=as_of, params=model_params)
    say(f"[{time.perf_counter() - t0:6.1f}s] portfolio model as of {model.meta['as_of']}: "
        f"{len(model.tables)} tables" + (f", {model.meta['excluded_rows']:,} invalid row(s) left out"
                                         if model.meta["excluded_rows"] else ""))
    return model


def _run_status(results, model) -> str:
    """success, partial (some notebooks failed), failed (all did), or stale (all succeeded on data
    that ends more than a month before as_of, not accepted with accept_stale)."""
    results = list(results)
    n_failed = sum(r.status != "success" for r in results)
    if n_failed:
        return "failed" if n_failed == len(results) else "partial"
    return "stale" if model.stale and not model.params["accept_stale"] else "success"


# --------------------------------------------------------------------------- publishing
# A run is published in four steps, each a function below: reserve_run (the final run id and the
# temporary folder, before anything names the run), write_manifest, publish_run (one rename), and
# refresh_latest (``latest`` and ``reports/index.html`` from the manifests). remove_dead_temp_folders
# and prune_reports keep the reports folder tidy.

#: The file in a run's temporary folder that says which process is writing it.
_PID_FILE = "run.pid"
#: A temporary folder without a readable pid file is removed once it is this old (seconds): a run
#: writes the file right after making the folder, so only a run that died at once, or a run of an
#: older version of the package, leaves such a folder.
_TMP_GRACE_S = 3600
#: A temporary folder whose process still seems alive (or that was written on another host) is
#: removed once it is this old (seconds): no run takes a day, so its pid now belongs to another process.
_TMP_MAX_AGE_S = 24 * 3600


def _now() -> dt.datetime:
    """The current local time, with its offset (the run clock; tests replace it)."""
    return dt.datetime.now().astimezone()


def is_whole_suite(paths: list[Path], notebooks_dir: Path) -> bool:
    """Whether a run of ``paths`` ran the whole report suite of ``notebooks_dir``.

    The suite is every notebook of :data:`REPORT_NOTEBOOKS` in the folder (a folder with none of
    them, such as a test folder, has every notebook in it as its suite). A notebook given by a path
    outside the folder is not the suite's notebook, even under the same name. Only a complete
    run can become ``latest``.
    """
    available = {p.stem: p.resolve() for p in Path(notebooks_dir).glob("*.ipynb")}
    suite = {available[n] for n in REPORT_NOTEBOOKS if n in available} or set(available.values())
    return bool(paths) and suite <= {Path(p).resolve() for p in paths}


def reserve_run(reports_dir: Path, started: dt.datetime, schedule: str) -> tuple[str, Path]:
    """Choose the run's final id and make its temporary folder ``reports/.tmp-<run-id>``.

    The id is the UTC start time and the schedule (``20260302T070004Z-weekly``); when another run
    holds or published that id, ``-2``, ``-3``, ... is added. The temporary folder is the
    reservation: ``os.mkdir`` succeeds for one process only, and a published id is seen as its
    folder, so two runs started in the same second get two ids, each equal to its final folder
    name. The folder holds a pid file (see :func:`remove_dead_temp_folders`).
    """
    safe_schedule = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in schedule)
    base = f"{started.astimezone(dt.timezone.utc):%Y%m%dT%H%M%SZ}-{safe_schedule}"
    for n in range(1, 10_000):
        run_id = base if n == 1 else f"{base}-{n}"
        tmp = reports_dir / f".tmp-{run_id}"
        try:
            tmp.mkdir(mode=0o700)
        except FileExistsError:  # another run in progress holds the id
            continue
        if (reports_dir / run_id).exists():  # published earlier
            tmp.rmdir()
            continue
        pid = {"pid": os.getpid(), "host": platform.node(), "started": _fmt_time(started)}
        (tmp / _PID_FILE).write_text(json.dumps(pid), encoding="utf-8")
        return run_id, tmp
    raise FileExistsError(f"no free run id for {base!r} in {str(reports_dir)!r}")


def write_manifest(tmp: Path, manifest: dict[str, Any]) -> None:
    """Write the run's ``manifest.json`` and its ``index.html`` into its temporary folder."""
    (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False, default=str),
                                       encoding="utf-8")
    (tmp / "index.html").write_text(_run_index_html(manifest), encoding="utf-8")


def publish_run(tmp: Path, reports_dir: Path, run_id: str) -> Path:
    """Move the finished run from its temporary folder to ``reports/<run-id>/`` in one rename
    (atomic on one file system: readers never see a half-written run) and return that folder."""
    final = reports_dir / run_id
    (tmp / _PID_FILE).unlink(missing_ok=True)
    tmp.chmod(0o755)  # private while written; a published run is readable like any report
    os.rename(tmp, final)  # fails rather than replace a published run
    return final


def _started_key(m: dict[str, Any]) -> float:
    """A manifest's start time as a POSIX timestamp (``-inf`` when it has none)."""
    for key in ("started_utc", "started"):
        try:
            t = dt.datetime.fromisoformat(str(m.get(key) or ""))
        except ValueError:
            continue
        return (t if t.tzinfo else t.replace(tzinfo=dt.timezone.utc)).timestamp()
    return float("-inf")


def _is_complete(m: dict[str, Any]) -> bool:
    """Whether a published run ran the whole report suite: its manifest's ``complete``; a manifest
    written before that flag existed counts as complete when it lists every report notebook."""
    if "complete" in m:
        return m["complete"] is True
    return set(REPORT_NOTEBOOKS) <= {n.get("name") for n in m.get("notebooks", [])}


def latest_good_run(manifests: list[dict[str, Any]]) -> str | None:
    """The folder name of the run ``reports/latest`` points at, or ``None``.

    Among the runs with status ``success`` that ran the whole report suite (``complete``), the one
    with the newest as-of date, then the newest start time. A subset run (``-n portfolio_roi``), a
    re-run of an older date, a partial, failed or stale run never becomes latest.

    Examples
    --------
    >>> latest_good_run([
    ...     {"_dir": "a", "status": "success", "complete": True, "as_of": "2026-06-30", "started": "2026-07-01T07:00:00+00:00"},
    ...     {"_dir": "b", "status": "success", "complete": False, "as_of": "2026-06-30", "started": "2026-07-02T07:00:00+00:00"},
    ...     {"_dir": "c", "status": "success", "complete": True, "as_of": "2026-05-31", "started": "2026-07-03T07:00:00+00:00"}])
    'a'
    """
    good = [m for m in manifests if m.get("status") == "success" and _is_complete(m)]
    if not good:
        return None
    return max(good, key=lambda m: (str(m.get("as_of") or ""), _started_key(m), m["_dir"]))["_dir"]


@contextmanager
def _publish_lock(reports_dir: Path):
    """Hold ``reports/.publish.lock`` (waiting for it): ``latest``, the index and pruning change
    under it, so two runs or a run and a prune never leave ``latest`` at an older answer."""
    with (reports_dir / ".publish.lock").open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def refresh_latest(reports_dir: str | Path) -> str | None:
    """Point ``reports/latest`` at :func:`latest_good_run` (or remove it when there is none),
    rewrite ``reports/index.html``, and return the latest run's folder name."""
    reports_dir = Path(reports_dir)
    with _publish_lock(reports_dir):
        return _refresh_latest(reports_dir)


def _refresh_latest(reports_dir: Path) -> str | None:
    manifests = read_manifests(reports_dir)
    latest = latest_good_run(manifests)
    _point_latest(reports_dir, latest)
    _write_index(reports_dir, manifests, latest)
    return latest


def _point_latest(reports_dir: Path, run_name: str | None) -> None:
    """Replace the ``latest`` symlink in one step (``None``: remove it)."""
    link = reports_dir / "latest"
    if run_name is None:
        if link.is_symlink():
            link.unlink()
        return
    tmp_link = reports_dir / f".latest-{os.getpid()}"
    if tmp_link.is_symlink() or tmp_link.exists():
        tmp_link.unlink()
    tmp_link.symlink_to(run_name, target_is_directory=True)
    os.replace(tmp_link, link)


def _pid_alive(pid: Any) -> bool:
    if not isinstance(pid, int) or pid <= 0:  # os.kill(0, ...) would signal our own process group
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by another user
        return True
    return True


def remove_dead_temp_folders(reports_dir: str | Path, *, now: float | None = None) -> list[str]:
    """Remove the temporary folders (``reports/.tmp-*``) of runs that died, and return their names.

    A run writes ``run.pid`` (its pid and host) into its temporary folder right after making it,
    and removes it just before publishing. A folder is removed when

    * its pid file names this host and a process that no longer exists (``os.kill(pid, 0)``): the
      run was killed (``kill -9``, a reboot, a crash);
    * its pid file is older than a day (``_TMP_MAX_AGE_S``) whatever the pid: no run takes that
      long, so the pid was reused, or the run died on another host sharing the folder;
    * it has no readable pid file and has not changed for an hour (``_TMP_GRACE_S``).

    The folder of a run still in progress is never removed: its process exists, and it is younger
    than a day. Each run and each prune calls this first.
    """
    reports_dir = Path(reports_dir)
    now = time.time() if now is None else now
    host = platform.node()
    removed = []
    for tmp in sorted(reports_dir.glob(".tmp-*")):
        if tmp.is_symlink() or not tmp.is_dir():
            continue
        pid_file = tmp / _PID_FILE
        try:
            info = json.loads(pid_file.read_text(encoding="utf-8"))
            age = now - pid_file.stat().st_mtime
            dead = (info.get("host") == host and not _pid_alive(info.get("pid"))) or age > _TMP_MAX_AGE_S
        except (OSError, ValueError, AttributeError):
            try:
                dead = now - tmp.stat().st_mtime > _TMP_GRACE_S
            except OSError:  # published or removed meanwhile
                continue
        if dead:
            shutil.rmtree(tmp, ignore_errors=True)
            removed.append(tmp.name)
    return removed


# --------------------------------------------------------------------------- indexes
_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:1100px;margin:24px auto;padding:0 16px;color:#222}
h1{color:#1f4e79;font-size:24px;margin-bottom:4px} .sub{color:#555;font-size:13px;margin-bottom:16px}
table{border-collapse:collapse;width:100%;font-size:14px} th,td{text-align:left;padding:6px 10px;border-bottom:1px solid #ddd}
th{background:#f2f5f9} a{color:#1f4e79}
.status{font-weight:bold;padding:2px 8px;border-radius:10px;font-size:12px;color:#fff}
.success{background:#2e7d32} .partial{background:#ef6c00} .failed{background:#c62828} .stale{background:#f9a825;color:#222}
@media print{a{color:#000;text-decoration:none}}
"""


def _badge(status: str) -> str:
    s = html.escape(status)
    return f'<span class="status {s}">{s.upper()}</span>'


def _run_index_html(m: dict[str, Any]) -> str:
    rows = []
    for nb in m["notebooks"]:
        name = nb["name"]
        link = (f'<a href="{html.escape(name)}.html">{html.escape(TITLES.get(name, name))}</a>'
                if f"{name}.html" in nb["outputs"] else html.escape(TITLES.get(name, name)))
        err = html.escape(f"{nb['error']['ename']}: {nb['error']['evalue']}"[:300]) if nb["error"] else ""
        tables = ", ".join(f'<a href="{html.escape(o)}">{html.escape(Path(o).name)}</a>'
                           for o in nb["outputs"] if o.endswith(".csv"))
        rows.append(f"<tr><td>{link}</td><td>{_badge(nb['status'])}</td><td>{nb['duration_s'] or 0:.1f} s</td>"
                    f"<td>{tables}</td><td>{err}</td></tr>")
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Portfolio report {html.escape(m['run_id'])}</title>
<style>{_CSS}</style></head><body>
<p><a href="../index.html">&larr; All reports</a></p>
<h1>Portfolio report, as of {html.escape(m['as_of'])} {_badge(m['status'])}</h1>
<div class="sub">Run {html.escape(m['run_id'])} &middot; schedule {html.escape(m['schedule'])} &middot; started {html.escape(m['started'])}
&middot; {m['duration_s']:.0f} s &middot; data {html.escape(m['data']['dir'])} ({len(m['data']['files'])} files)
&middot; <a href="manifest.json">manifest</a></div>
{_stale_note(m)}
<table><tr><th>Report</th><th>Status</th><th>Time</th><th>Tables</th><th>Error</th></tr>
{''.join(rows)}</table></body></html>"""


def _stale_note(m: dict[str, Any]) -> str:
    stale = m.get("stale") or []
    if not stale:
        return ""
    head = "Stale data, accepted for this run" if m.get("accept_stale") else "Stale data"
    items = "".join(f"<li>{html.escape(s)}</li>" for s in stale)
    return (f'<div style="margin:8px 0 12px;padding:10px 14px;border:1px solid #f9a825;background:#fff4d6;'
            f'border-radius:6px"><strong>{head}</strong><ul style="margin:4px 0 0">{items}</ul></div>')


def read_manifests(reports_dir: str | Path) -> list[dict[str, Any]]:
    """Every published run's manifest, newest first by start time (then by folder name), each
    with ``_dir``, the run's folder name. Unreadable manifests, temporary folders and the
    ``latest`` link are skipped."""
    reports_dir = Path(reports_dir)
    out = []
    for mf in reports_dir.glob("*/manifest.json"):
        if mf.parent.name.startswith(".") or mf.parent.is_symlink():
            continue
        try:
            m = json.loads(mf.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(m, dict):
            continue
        m["_dir"] = mf.parent.name
        out.append(m)
    return sorted(out, key=lambda m: (_started_key(m), m["_dir"]), reverse=True)


def update_index(reports_dir: str | Path) -> Path:
    """Rewrite ``reports/index.html``: every run, newest first by start time, with its status,
    as-of date and links; the latest good run (:func:`latest_good_run`) is marked."""
    reports_dir = Path(reports_dir)
    manifests = read_manifests(reports_dir)
    return _write_index(reports_dir, manifests, latest_good_run(manifests))


def _write_index(reports_dir: Path, runs: list[dict[str, Any]], latest: str | None) -> Path:
    rows = []
    for m in runs:
        d = html.escape(m["_dir"])
        notebooks = m.get("notebooks") or []
        links = " &middot; ".join(
            f'<a href="{d}/{html.escape(nb["name"])}.html">{html.escape(TITLES.get(nb["name"], nb["name"]))}</a>'
            for nb in notebooks if f'{nb["name"]}.html' in nb.get("outputs", []))
        star = " (latest good)" if m["_dir"] == latest else ""
        subset = "" if _is_complete(m) else ' <span class="sub">(not the whole suite)</span>'
        rows.append(f'<tr><td><a href="{d}/index.html">{d}</a>{star}{subset}</td>'
                    f'<td>{_badge(str(m.get("status", "unknown")))}</td>'
                    f'<td>{html.escape(str(m.get("as_of") or ""))}</td><td>{html.escape(str(m.get("schedule", "")))}</td>'
                    f'<td>{html.escape(str(m.get("started", "")))}</td><td>{links}</td></tr>')
    head = (f'Latest good run: <a href="latest/index.html">{html.escape(latest)}</a>' if latest
            else "No successful run of the whole suite yet.")
    body = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Portfolio reports</title>
<style>{_CSS}</style></head><body><h1>Portfolio reports</h1>
<div class="sub">{len(runs)} run(s), newest first. {head}</div>
<table><tr><th>Run</th><th>Status</th><th>As of</th><th>Schedule</th><th>Started</th><th>Reports</th></tr>
{''.join(rows)}</table></body></html>"""
    path = reports_dir / "index.html"
    tmp = reports_dir / f".index-{os.getpid()}.html"
    tmp.write_text(body, encoding="utf-8")
    os.replace(tmp, path)
    return path


def prune_reports(reports_dir: str | Path, *, keep: int) -> list[str]:
    """Delete old runs and the leftovers of dead runs; return the names of the runs deleted.

    Keeps the ``keep`` newest runs (by start time) and, always, the latest good run
    (:func:`latest_good_run`): ``keep=0`` deletes every run but that one. Temporary folders of
    runs that died are removed as :func:`remove_dead_temp_folders` describes; a run in progress
    is never touched. ``reports/latest`` and ``reports/index.html`` are brought up to date.
    """
    if keep < 0:
        raise ParameterError(f"--keep must be >= 0, got {keep}")
    reports_dir = Path(reports_dir)
    with _publish_lock(reports_dir):
        remove_dead_temp_folders(reports_dir)
        runs = read_manifests(reports_dir)
        latest = latest_good_run(runs)
        removed = [m["_dir"] for m in runs[keep:] if m["_dir"] != latest]
        for r in removed:
            shutil.rmtree(reports_dir / r)
        _refresh_latest(reports_dir)
    return removed
