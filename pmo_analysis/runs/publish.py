"""Published report runs: reserving a run, publishing it in one step, ``latest``, the indexes, pruning.

A run is published in four steps, each a function below:

1. :func:`reserve_run` chooses the run's final id and makes its temporary folder
   ``reports/.tmp-<run-id>``, before anything names the run;
2. :func:`write_manifest` writes ``manifest.json`` and the run's ``index.html`` into it;
3. :func:`publish_run` moves it to ``reports/<run-id>/`` in one rename, so no reader ever sees half
   a run (:func:`discard_on_failure` removes the folder of a run that stops before this step);
4. :func:`refresh_latest` points ``reports/latest`` at :func:`latest_good_run` and rewrites
   ``reports/index.html``, both computed from the manifests.

``latest`` is never "the run that just finished": it is the run with status success that ran the
whole report suite, with the newest as-of date, then the newest start time. A failed, partial,
stale or subset run, or a re-run of an older date, never replaces it, and pruning never removes it.
:func:`remove_dead_temp_folders` and :func:`prune_reports` keep the reports folder tidy.

The tool deletes and replaces only what it made. A run folder is one whose name has the run id's
pattern (:data:`RUN_ID`) and whose ``manifest.json`` has a run's own keys (its ``run_id`` is the
folder's name; see :func:`manifest_problem`): any other folder, a web app's ``public/manifest.json``
say, is neither listed, nor pruned. ``index.html`` is replaced only when it carries the index's
marker (:data:`INDEX_MARKER`), and ``latest`` only when it is a link to a run folder or a copy of a
run (a real folder, after an rsync without links); anything else there stops the run or the prune
with a :class:`~pmo_analysis.core.exceptions.PublishError` before anything is changed
(:func:`check_reports_folder`). An earlier run's manifest that is malformed is named in one warning
line and skipped: it never stops a new run, the index, ``latest`` or prune.

The two index pages are Jinja templates in ``templates/`` (``run_index.html.j2``,
``reports_index.html.j2``, sharing ``_base.html.j2``), rendered with autoescape: a schedule name,
an error message or a data note is always shown as text.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import logging
import os
import platform
import re
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd

from pmo_analysis.analyses.summary import SNAPSHOT_FILES
from pmo_analysis.core import formatting as fmt
from pmo_analysis.core import i18n
from pmo_analysis.core.exceptions import ParameterError, PublishError
from pmo_analysis.core.i18n import _
from pmo_analysis.reporting import TEMPLATES as _TEMPLATES

__all__ = [
    "REPORT_NOTEBOOKS",
    "TITLES",
    "RUN_ID",
    "INDEX_MARKER",
    "check_reports_folder",
    "manifest_problem",
    "reserve_run",
    "write_manifest",
    "publish_run",
    "discard_on_failure",
    "latest_good_run",
    "refresh_latest",
    "read_manifests",
    "started_timestamp",
    "update_index",
    "render_run_index",
    "render_reports_index",
    "remove_dead_temp_folders",
    "prune_reports",
    "iso_time",
    "previous_report",
    "load_snapshot",
    "headline_history",
    "page_templates",
]

#: The report suite, in the order of the indexes (the executive summary first). A run that ran all
#: of them is complete, and only a complete run can become ``latest``.
REPORT_NOTEBOOKS = [
    "executive_summary",
    "portfolio_roi",
    "resource_utilization",
    "lessons_learned",
    "portfolio_delivery",
]
#: The title of each report, as the indexes and the report headers show it.
TITLES = {
    "executive_summary": "Executive portfolio summary",
    "portfolio_roi": "Portfolio ROI and performance",
    "resource_utilization": "Resource utilization and capacity",
    "lessons_learned": "Lessons learned",
    "portfolio_delivery": "Delivery: dependencies, milestones, risks, benefits",
    "scenarios": "What-if scenarios",
}

#: The name of a published run's folder, as :func:`reserve_run` makes it: the UTC start time and the
#: schedule (letters, digits, ``-`` and ``_``), and ``-2``, ``-3``, ... when the second was taken.
RUN_ID = re.compile(r"\d{8}T\d{6}Z-[\w-]+")
#: The marker in ``reports/index.html`` (a ``<meta name="generator">``) that says the tool wrote it.
INDEX_MARKER = "pmo-analysis reports index"
#: How ``reports/index.html`` began before it carried the marker: such a page is the tool's too.
_OLD_INDEX_SIGNS = ("<title>Portfolio reports</title>", "<h1>Portfolio reports</h1>")

_log = logging.getLogger(__name__)

#: The file in a run's temporary folder that says which process is writing it.
_PID_FILE = "run.pid"
#: A temporary folder without a readable pid file is removed once it is this old (seconds): a run
#: writes the file right after making the folder, so only a run that died at once, or a run of an
#: older version of the package, leaves such a folder.
_TMP_GRACE_S = 3600
#: A temporary folder whose process still seems alive (or that was written on another host) is
#: removed once it is this old (seconds): no run takes a day, so its pid now belongs to another process.
_TMP_MAX_AGE_S = 24 * 3600


def iso_time(t: dt.datetime) -> str:
    """A time as manifests and pid files write it: ISO 8601 to the second, with its offset."""
    return t.isoformat(timespec="seconds")


# --------------------------------------------------------------------------- one run
def reserve_run(reports_dir: Path, started: dt.datetime, schedule: str) -> tuple[str, Path]:
    """Choose the run's final id and make its temporary folder ``reports/.tmp-<run-id>``.

    The id is the UTC start time and the schedule (``20260302T070004Z-weekly``); when another run
    holds or published that id, ``-2``, ``-3``, ... is added. The temporary folder is the
    reservation: ``os.mkdir`` succeeds for one process only, and a published id is seen as its
    folder, so two runs started in the same second get two ids, each equal to its final folder
    name. The folder holds a pid file (see :func:`remove_dead_temp_folders`).
    """
    check_reports_folder(reports_dir)  # stop before anything is written when index.html or latest is not ours
    safe_schedule = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in schedule)
    base = f"{started.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}-{safe_schedule}"
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
        pid = {"pid": os.getpid(), "host": platform.node(), "started": iso_time(started)}
        (tmp / _PID_FILE).write_text(json.dumps(pid), encoding="utf-8")
        return run_id, tmp
    raise FileExistsError(f"no free run id for {base!r} in {str(reports_dir)!r}")


@contextmanager
def discard_on_failure(tmp: Path) -> Iterator[Path]:
    """Remove the run's temporary folder when anything stops the run before it is published (an
    error, Ctrl-C): a run either publishes whole or leaves nothing behind.
    """
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def write_manifest(tmp: Path, manifest: dict[str, Any]) -> None:
    """Write the run's ``manifest.json`` and its ``index.html`` into its temporary folder."""
    (tmp / "manifest.json").write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False, default=str), encoding="utf-8"
    )
    (tmp / "index.html").write_text(render_run_index(manifest), encoding="utf-8")


def publish_run(tmp: Path, reports_dir: Path, run_id: str) -> Path:
    """Move the finished run from its temporary folder to ``reports/<run-id>/`` in one rename
    (atomic on one file system: readers never see a half-written run) and return that folder.
    """
    final = reports_dir / run_id
    (tmp / _PID_FILE).unlink(missing_ok=True)
    tmp.chmod(0o755)  # private while written; a published run is readable like any report
    os.rename(tmp, final)  # fails rather than replace a published run
    return final


# --------------------------------------------------------------------------- published runs
def read_manifests(reports_dir: str | Path) -> list[dict[str, Any]]:
    """Every published run's manifest, newest first by start time (then by folder name), each
    with ``_dir``, the run's folder name.

    Only run folders count: a name of the run id's pattern (:data:`RUN_ID`), not a link. Any other
    folder (temporary folders, ``latest``, a web app's ``public/``) is not looked at. A run folder
    whose manifest cannot be read, or is not a run's manifest (:func:`manifest_problem`), is named
    in one warning line and skipped.
    """
    reports_dir = Path(reports_dir)
    out = []
    for mf in reports_dir.glob("*/manifest.json"):
        folder = mf.parent
        if not RUN_ID.fullmatch(folder.name) or folder.is_symlink():
            continue
        m = _read_run_manifest(mf)
        if m is not None:
            m["_dir"] = folder.name
            out.append(m)
    return sorted(out, key=lambda m: (started_timestamp(m), m["_dir"]), reverse=True)


def _read_run_manifest(path: Path) -> dict[str, Any] | None:
    """A run folder's manifest, or ``None`` (said in one warning line) when it is not a run's."""
    try:
        m = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        _warn_once(str(path), f"cannot be read ({getattr(exc, 'strerror', None) or exc})")
        return None
    problem = manifest_problem(m, path.parent.name)
    if problem is not None:
        _warn_once(str(path), problem)
        return None
    return m


@lru_cache(maxsize=256)
def _warn_once(path: str, problem: str) -> None:
    """One warning line per bad manifest and process (a run reads the manifests several times)."""
    _log.warning("%s: skipped, not a run's manifest: %s", path, problem)


#: The types of a manifest's keys that the indexes, ``latest`` and prune read (absent is allowed).
_MANIFEST_TYPES: dict[str, tuple[type, ...]] = {
    "status": (str,),
    "schedule": (str,),
    "as_of": (str, type(None)),
    "started": (str, type(None)),
    "started_utc": (str, type(None)),
    "complete": (bool,),
    "stale": (list,),
    "notebooks": (list,),
    "pages": (list,),
    "data": (dict,),
}
#: The same for each entry of ``notebooks``.
_NOTEBOOK_TYPES: dict[str, tuple[type, ...]] = {
    "name": (str,),
    "status": (str,),
    "outputs": (list,),
    "error": (dict, type(None)),
    "duration_s": (int, float, type(None)),
}


def manifest_problem(manifest: Any, folder_name: str) -> str | None:
    """Why ``manifest`` is not the manifest of the run in the folder ``folder_name`` (``None`` when it is).

    A run's manifest is a JSON object whose ``run_id`` is its folder's name and whose ``status`` is
    text; its other keys, where present, have the types the indexes read (``notebooks`` a list of
    objects, each with a text ``name``, ...).

    Examples
    --------
    >>> manifest_problem({"run_id": "20260701T070000Z-weekly", "status": "success", "notebooks": "abc"},
    ...                  "20260701T070000Z-weekly")
    "'notebooks' must be a list, got 'abc'"
    >>> manifest_problem({"name": "my web app", "icons": []}, "public")
    "its run_id None is not its folder's name 'public'"
    """
    if not isinstance(manifest, dict):
        return f"must be a JSON object, got {_short(manifest)}"
    if manifest.get("run_id") != folder_name:
        return f"its run_id {_short(manifest.get('run_id'))} is not its folder's name {folder_name!r}"
    if not isinstance(manifest.get("status"), str):
        return f"'status' must be text, got {_short(manifest.get('status'))}"
    problem = _type_problem(manifest, _MANIFEST_TYPES, "")
    if problem is not None:
        return problem
    for i, nb in enumerate(manifest.get("notebooks") or []):
        if not isinstance(nb, dict) or not isinstance(nb.get("name"), str):
            return f"'notebooks' entry {i + 1} must be an object with a text 'name', got {_short(nb)}"
        problem = _type_problem(nb, _NOTEBOOK_TYPES, f"'notebooks' entry {i + 1}: ")
        if problem is None and not all(isinstance(o, str) for o in nb.get("outputs") or []):
            problem = f"'notebooks' entry {i + 1}: 'outputs' must be a list of file names"
        if problem is not None:
            return problem
    return None


def _type_problem(mapping: dict[str, Any], types: dict[str, tuple[type, ...]], where: str) -> str | None:
    for key, kinds in types.items():
        value = mapping.get(key)
        if key in mapping and not (isinstance(value, kinds) and not (isinstance(value, bool) and bool not in kinds)):
            expected = " or ".join("none" if k is type(None) else _KIND_NAMES[k] for k in kinds)
            return f"{where}{key!r} must be {expected}, got {_short(value)}"
    return None


_KIND_NAMES = {
    str: "text",
    bool: "true or false",
    list: "a list",
    dict: "an object",
    int: "a number",
    float: "a number",
}


def _short(value: Any) -> str:
    """A value as a message shows it: its repr, cut at 60 characters."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def check_reports_folder(reports_dir: str | Path) -> None:
    """Stop, before anything is changed, when the reports folder holds an ``index.html`` or a
    ``latest`` the tool did not make (see the module's docstring): raise
    :class:`~pmo_analysis.core.exceptions.PublishError` naming it, and what to do.
    """
    reports_dir = Path(reports_dir)
    index, latest = reports_dir / "index.html", reports_dir / "latest"
    if index.is_symlink() or (index.exists() and not _is_our_index(index)):
        raise PublishError(
            f"{str(index)!r} was not written by pmo-analysis and would be replaced by the reports index: "
            "move it away, or publish into another --reports-dir (nothing was changed)"
        )
    if _latest_kind(latest) == "foreign":
        raise PublishError(
            f"{str(latest)!r} is not a link to a run and would be replaced by the link to the latest good run: "
            "move it away, or publish into another --reports-dir (nothing was changed)"
        )


def _is_our_index(path: Path) -> bool:
    """Whether ``reports/index.html`` is the tool's: it carries :data:`INDEX_MARKER` (or, written by
    an older version, begins as the tool's index did).
    """
    try:
        with path.open("rb") as fh:
            head = fh.read(4096).decode("utf-8", errors="replace")
    except OSError:
        return False
    return f'<meta name="generator" content="{INDEX_MARKER}">' in head or all(s in head for s in _OLD_INDEX_SIGNS)


def _latest_kind(latest: Path) -> str:
    """What ``reports/latest`` is: ``absent``; ``link`` (a link to a run folder: a name without a
    ``/``); ``copy`` (a real folder holding a run's manifest, left by a copy without links); or
    ``foreign`` (anything else: a file, a folder or a link of someone else's).
    """
    if latest.is_symlink():
        target = os.readlink(latest)
        return (
            "link" if target and "/" not in target and os.sep not in target and target not in (".", "..") else "foreign"
        )
    if not latest.exists():
        return "absent"
    if latest.is_dir():
        try:
            m = json.loads((latest / "manifest.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return "foreign"
        run_id = m.get("run_id") if isinstance(m, dict) else None
        if isinstance(run_id, str) and RUN_ID.fullmatch(run_id) and manifest_problem(m, run_id) is None:
            return "copy"
    return "foreign"


def started_timestamp(manifest: dict[str, Any]) -> float:
    """A run's start time as a POSIX timestamp, from its manifest (``-inf`` when it has none), so
    that runs started in different time zones compare by the moment they started.
    """
    for key in ("started_utc", "started"):
        try:
            t = dt.datetime.fromisoformat(str(manifest.get(key) or ""))
        except ValueError:
            continue
        return (t if t.tzinfo else t.replace(tzinfo=dt.UTC)).timestamp()
    return float("-inf")


def _is_complete(m: dict[str, Any]) -> bool:
    """Whether a published run ran the whole report suite: its manifest's ``complete``; a manifest
    written before that flag existed counts as complete when it lists every report notebook.
    """
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
    >>> run = {"status": "success", "complete": True, "as_of": "2026-06-30"}
    >>> latest_good_run([
    ...     run | {"_dir": "a", "started": "2026-07-01T07:00:00+00:00"},
    ...     run | {"_dir": "b", "started": "2026-07-02T07:00:00+00:00", "complete": False},  # a subset run
    ...     run | {"_dir": "c", "started": "2026-07-03T07:00:00+00:00", "as_of": "2026-05-31"}])  # an older date
    'a'
    """
    good = [m for m in manifests if m.get("status") == "success" and _is_complete(m)]
    if not good:
        return None
    return max(good, key=lambda m: (str(m.get("as_of") or ""), started_timestamp(m), m["_dir"]))["_dir"]


@contextmanager
def _publish_lock(reports_dir: Path) -> Iterator[None]:
    """Hold ``reports/.publish.lock`` (waiting for it): ``latest``, the index and pruning change
    under it, so two runs or a run and a prune never leave ``latest`` at an older answer.
    """
    with (reports_dir / ".publish.lock").open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def refresh_latest(reports_dir: str | Path) -> str | None:
    """Point ``reports/latest`` at :func:`latest_good_run` (or remove it when there is none),
    rewrite ``reports/index.html``, and return the latest run's folder name.
    """
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
    """Replace the ``latest`` symlink in one step (``None``: remove it). A copy of a run in its
    place (a real folder, after a copy without links) is removed first; anything not the tool's
    stops with :class:`~pmo_analysis.core.exceptions.PublishError` (:func:`check_reports_folder`).
    """
    link = reports_dir / "latest"
    check_reports_folder(reports_dir)
    if _latest_kind(link) == "copy":
        aside = reports_dir / f".latest-copy-{os.getpid()}"
        os.rename(link, aside)
        shutil.rmtree(aside, ignore_errors=True)
    if run_name is None:
        if link.is_symlink():
            link.unlink()
        return
    tmp_link = reports_dir / f".latest-{os.getpid()}"
    if tmp_link.is_symlink() or tmp_link.exists():
        tmp_link.unlink()
    tmp_link.symlink_to(run_name, target_is_directory=True)
    try:
        os.replace(tmp_link, link)
    finally:
        if tmp_link.is_symlink():  # not moved into place: no link left behind
            tmp_link.unlink()


def update_index(reports_dir: str | Path) -> Path:
    """Rewrite ``reports/index.html``: every run, newest first by start time, with its status,
    as-of date and links; the latest good run (:func:`latest_good_run`) is marked.
    """
    reports_dir = Path(reports_dir)
    manifests = read_manifests(reports_dir)
    return _write_index(reports_dir, manifests, latest_good_run(manifests))


def _write_index(reports_dir: Path, runs: list[dict[str, Any]], latest: str | None) -> Path:
    """Write ``reports/index.html`` in one step (readers see the old page or the new one)."""
    path = reports_dir / "index.html"
    tmp = reports_dir / f".index-{os.getpid()}.html"
    tmp.write_text(
        render_reports_index(runs, latest, headline=latest_headline(reports_dir, runs, latest)), encoding="utf-8"
    )
    try:
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def latest_headline(reports_dir: Path, runs: list[dict[str, Any]], latest: str | None) -> dict[str, str] | None:
    """The headline of the latest good run, formatted for the top of the reports index (health
    counts, NPV, ROI, CPI/SPI, utilization) in that run's currency; ``None`` without one.
    """
    run = next((m for m in runs if m.get("_dir") == latest), None)
    path = Path(reports_dir) / str(latest) / "executive_summary" / "headline.csv"
    if run is None or not path.exists():
        return None
    h = pd.read_csv(path, encoding="utf-8-sig").iloc[0]
    params = next(
        (n.get("parameters") or {} for n in run.get("notebooks", []) if n.get("name") == "executive_summary"), {}
    )
    with fmt.using(currency=params.get("currency") or "USD", language=run_language(run)):  # the defaults
        figures = {
            _("Running projects"): fmt.count(h["running_projects"]),
            _("Off track / at risk / on track"): f"{fmt.count(h['off_track'])} / {fmt.count(h['at_risk'])} / "
            f"{fmt.count(h['on_track'])}",
            _("Portfolio NPV"): fmt.money(h["portfolio_npv"]),
            _("Portfolio ROI"): fmt.pct(h["portfolio_roi"]),
            _("CPI / SPI"): f"{fmt.ratio(h['portfolio_cpi'])} / {fmt.ratio(h['portfolio_spi'])}",
            _("Utilization"): fmt.pct(h["utilization"], 0),
        }
        return {"as_of": fmt.date(h["as_of"]), "run": str(latest), "figures": figures, "off_track": int(h["off_track"])}


# --------------------------------------------------------------------------- index pages
@lru_cache(maxsize=1)
def page_templates() -> jinja2.Environment:
    """The Jinja environment of the pages a run writes besides its reports (indexes, department and
    failed pages): autoescaped, strict about missing values.
    """
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(_TEMPLATES),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["basename"] = lambda path: Path(path).name
    # every word of a page in the language it is rendered in (see run_language): these read the
    # language when the page is rendered
    env.globals.update(
        titles=TITLES, is_complete=_is_complete, _=_, label=i18n.label, date=fmt.date, timestamp=fmt.timestamp
    )
    return env


def run_language(manifest: dict[str, Any] | None) -> str:
    """The language a run's reports were written in (their ``language`` parameter; ``en`` when none
    says): its index page, and the reports index while it is the latest run, read in it too.
    """
    for nb in (manifest or {}).get("notebooks") or []:
        lang = (nb.get("parameters") or {}).get("language")
        if lang in i18n.LANGUAGES:
            return str(lang)
    return "en"


def render_run_index(manifest: dict[str, Any]) -> str:
    """The HTML of a run's ``index.html``: its status, data, stale notes and each report with its
    status, time, tables and error (``templates/run_index.html.j2``), in the run's language.
    """
    lang = run_language(manifest)
    with fmt.using(language=lang):
        return page_templates().get_template("run_index.html.j2").render(run=manifest, lang=lang)


def render_reports_index(
    runs: list[dict[str, Any]], latest: str | None, *, headline: dict[str, Any] | None = None
) -> str:
    """The HTML of ``reports/index.html``: the latest good run's ``headline`` (see
    :func:`latest_headline`) above ``runs`` (manifests with ``_dir``) in the order given, ``latest``
    marked (``templates/reports_index.html.j2``), in the language of the latest good run (else the
    newest run).
    """
    shown = next((m for m in runs if m.get("_dir") == latest), runs[0] if runs else None)
    lang = run_language(shown)
    with fmt.using(language=lang):
        return (
            page_templates()
            .get_template("reports_index.html.j2")
            .render(runs=runs, latest=latest, headline=headline, index_marker=INDEX_MARKER, lang=lang)
        )


# --------------------------------------------------------------------------- tidying
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
    """Remove the temporary folders (``reports/.tmp-<run id>``) of runs that died, and return their
    names. Only folders named like a run's temporary folder are looked at: a ``.tmp-notes`` folder
    of someone else's is never removed.

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
    removed = []
    for tmp in sorted(reports_dir.glob(".tmp-*")):
        if tmp.is_symlink() or not tmp.is_dir() or not RUN_ID.fullmatch(tmp.name.removeprefix(".tmp-")):
            continue  # not a run's temporary folder (reserve_run names them .tmp-<run id>): not ours
        if _is_dead(tmp, now=now, host=platform.node()):
            shutil.rmtree(tmp, ignore_errors=True)
            removed.append(tmp.name)
    return removed


def _is_dead(tmp: Path, *, now: float, host: str) -> bool:
    """Whether the run writing the temporary folder ``tmp`` died (see :func:`remove_dead_temp_folders`)."""
    pid_file = tmp / _PID_FILE
    try:
        info = json.loads(pid_file.read_text(encoding="utf-8"))
        age = now - pid_file.stat().st_mtime
        return (info.get("host") == host and not _pid_alive(info.get("pid"))) or age > _TMP_MAX_AGE_S
    except (OSError, ValueError, AttributeError):
        try:
            return now - tmp.stat().st_mtime > _TMP_GRACE_S
        except OSError:  # published or removed meanwhile
            return False


def prune_reports(reports_dir: str | Path, *, keep: int) -> list[str]:
    """Delete old runs and the leftovers of dead runs; return the names of the runs deleted.

    Only run folders are deleted (a name of the run id's pattern and a run's manifest, see
    :func:`read_manifests`); nothing else in the folder is touched. Keeps the ``keep`` newest runs
    (by start time) and, always, the latest good run
    (:func:`latest_good_run`): ``keep=0`` deletes every run but that one. Temporary folders of
    runs that died are removed as :func:`remove_dead_temp_folders` describes; a run in progress
    is never touched. ``reports/latest`` and ``reports/index.html`` are brought up to date.
    """
    if keep < 0:
        raise ParameterError(f"--keep must be >= 0, got {keep}")
    reports_dir = Path(reports_dir)
    check_reports_folder(reports_dir)  # before anything is made or deleted (the lock file included)
    with _publish_lock(reports_dir):
        check_reports_folder(reports_dir)  # and again under the lock
        remove_dead_temp_folders(reports_dir)
        runs = read_manifests(reports_dir)
        latest = latest_good_run(runs)
        removed = [m["_dir"] for m in runs[keep:] if m["_dir"] != latest]
        for r in removed:
            shutil.rmtree(reports_dir / r)
        _refresh_latest(reports_dir)
    return removed


# --------------------------------------------------------------------------- earlier reports
def previous_report(reports_dir: str | Path, *, schedule: str, before_as_of=None) -> Path | None:
    """The previous report of ``schedule``: among its published runs whose executive summary
    succeeded (with ``before_as_of``, only those whose as-of date is not after it), the newest
    as-of date, then the newest start time (as ``reports/latest`` is chosen); as the folder of its
    exported tables, or ``None``. A March report is never compared with a June report; a re-run for
    the same date is compared with the run it repeats.
    """
    reports_dir = Path(reports_dir)
    before = None if before_as_of is None else pd.Timestamp(before_as_of).strftime("%Y-%m-%d")
    runs = sorted(
        read_manifests(reports_dir),
        key=lambda m: (str(m.get("as_of", "")), started_timestamp(m), m["_dir"]),
        reverse=True,
    )
    for m in runs:  # newest as-of first
        ok = any(n.get("name") == "executive_summary" and n.get("status") == "success" for n in m.get("notebooks", []))
        if m.get("schedule") != schedule or not ok:
            continue
        if before is not None and str(m.get("as_of", "")) > before:
            continue
        folder = reports_dir / m["_dir"] / "executive_summary"
        if (folder / "project_snapshot.csv").exists():
            return folder
    return None


def load_snapshot(folder: str | Path) -> dict[str, pd.DataFrame]:
    """The snapshot tables (:data:`pmo_analysis.analyses.summary.SNAPSHOT_FILES`) a previous executive summary
    exported, as frames; a missing one is empty.
    """
    folder = Path(folder)
    out = {}
    for name in SNAPSHOT_FILES:
        path = folder / name
        out[name.removesuffix(".csv")] = (
            pd.read_csv(path, dtype={"project_id": str, "lesson_id": str, "resource_id": str})
            if path.exists()
            else pd.DataFrame()
        )
    return out


def headline_history(reports_dir: str | Path, *, schedule: str, current: pd.DataFrame | None = None) -> pd.DataFrame:
    """Headline figures of every successful executive summary of ``schedule`` (plus ``current``),
    oldest first, one row per run.
    """
    frames = []
    for m in reversed(read_manifests(reports_dir)):  # oldest first
        h = Path(reports_dir) / m["_dir"] / "executive_summary" / "headline.csv"
        if m.get("schedule") == schedule and h.exists():
            frames.append(pd.read_csv(h).assign(run=m["_dir"]))
    if current is not None:
        frames.append(current.assign(run="this report"))
    if not frames:
        return pd.DataFrame()
    out = pd.concat(frames, ignore_index=True)
    out["as_of"] = pd.to_datetime(out["as_of"])
    return out.sort_values(["as_of", "run"]).reset_index(drop=True)
