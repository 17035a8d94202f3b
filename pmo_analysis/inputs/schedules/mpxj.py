"""Microsoft Project (.mpp, MSPDI .xml) and Primavera P6 PMXML files, read through MPXJ.

MPXJ (https://www.mpxj.org, LGPL) is the standard library for project files. It is Java: the
``mpxj`` wheel carries its jars and ``JPype1`` runs them in a Java virtual machine inside this
process. Both are the optional extra ``schedules`` (``pip install -e '.[schedules]'``), and a Java
runtime must be installed (``apt-get install default-jre-headless``).

The JVM starts once per process, at the first schedule file read (:func:`start_jvm`), and is
reused for every file after it: starting it costs about a second, reading a file milliseconds.
Nothing else in the workbook imports this module at import time, so ``pmo-analysis run``, the
model and the reports never start Java.

What is read, per project: leaf tasks only (summary tasks, the project summary task and
subproject placeholders are not activities), with their current, baseline and actual dates,
baseline (else planned) and actual cost, and own progress; work resources and their
assignments; links from tasks of other projects (external tasks); the default calendar's hours and
non-working exceptions. A master project names its subprojects (``Schedule.subprojects``) and
the importer reads those files instead.

P6 PMXML read through MPXJ carries P6's planned dates in MPXJ's baseline fields; they are not a
frozen baseline, so a PMXML project, like an XER, is treated as having no baseline.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from pathlib import Path, PureWindowsPath
from typing import Any

from pmo_analysis.core.exceptions import PMOError, ScheduleFileError
from pmo_analysis.core.i18n import _
from pmo_analysis.inputs.schedules._model import (
    ACTIVITY_COLUMNS,
    COST_COLUMNS,
    LINK_COLUMNS,
    RESOURCE_COLUMNS,
    WORK_COLUMNS,
    Schedule,
    frame,
)

__all__ = ["INSTALL_HINT", "jvm_starts", "read_mpxj", "start_jvm"]

INSTALL_HINT = (
    "reading Microsoft Project and P6 PMXML files needs Java and MPXJ: "
    "apt-get install default-jre-headless, then pip install -e '.[schedules]'"
)
_LINK_TYPES = {"FINISH_START": "FS", "START_START": "SS", "FINISH_FINISH": "FF", "START_FINISH": "SF"}
_state: dict[str, Any] = {"starts": 0}
_start_lock = threading.Lock()  # files may be read on two threads: the JVM still starts once
_JVM_OPTIONS = (
    # MPXJ logs through Log4j, which finds no configuration here and says so on stderr: silence it
    "-Dlog4j2.loggerContextFactory=org.apache.logging.log4j.simple.SimpleLoggerContextFactory",
    # an import reads each file once: the quick compiler alone and the serial collector halve the
    # CPU time of reading 40 benchmark files (5.2 s against 11.3 s, JVM start-up included)
    "-XX:TieredStopAtLevel=1",
    "-XX:+UseSerialGC",
)


def jvm_starts() -> int:
    """How many times this process started the JVM (0 or 1: it is started once and reused)."""
    return int(_state["starts"])


def start_jvm() -> None:
    """Start the JVM with MPXJ's jars, once per process; later calls return at once.

    Raises :class:`~pmo_analysis.core.exceptions.PMOError` saying how to install Java and MPXJ
    when either is missing.
    """
    # Lazy imports: jpype and mpxj start a Java VM (about a second and 100 MB); only reading a
    # schedule file needs them, never a report run, the model or another command.
    try:
        import jpype
        import mpxj  # noqa: F401  (importing it puts MPXJ's jars on the class path)
    except ImportError:
        raise PMOError(INSTALL_HINT) from None
    with _start_lock:
        if jpype.isJVMStarted():
            return
        try:
            jpype.startJVM(*_JVM_OPTIONS, convertStrings=True)
        except (OSError, RuntimeError, jpype.JVMNotFoundException) as exc:
            raise PMOError(f"{INSTALL_HINT} ({exc})") from None
        _state["starts"] += 1


def _date(value) -> dt.date | None:
    return None if value is None else dt.date.fromisoformat(str(value)[:10])


def _num(value) -> float:
    return 0.0 if value is None else float(value.doubleValue() if hasattr(value, "doubleValue") else value)


def _hours(duration, properties, time_unit) -> float:
    if duration is None:
        return 0.0
    return float(duration.convertUnits(time_unit.HOURS, properties).getDuration())


def _stem(path_text: str) -> str:
    """The file name without extension of a path written on Windows or elsewhere."""
    return PureWindowsPath(str(path_text)).stem


def _format(path: Path, application: str) -> str:
    suffix = path.suffix.lower()
    if "Primavera" in application:
        return "Primavera P6 PMXML"
    return "Microsoft Project MSPDI (.xml)" if suffix == ".xml" else f"Microsoft Project ({suffix or 'mpp'})"


def read_mpxj(path: Path) -> list[Schedule]:
    """Every project of the Microsoft Project or PMXML file ``path``, read through MPXJ.

    Raises :class:`~pmo_analysis.core.exceptions.ScheduleFileError` for a file that is empty,
    corrupt, password-protected or of a format MPXJ does not read.
    """
    if path.stat().st_size == 0:
        raise ScheduleFileError(path.name, _("the file is empty"))
    start_jvm()
    from org.mpxj.reader import UniversalProjectReader  # a Java class, importable once the JVM runs

    try:
        files = list(UniversalProjectReader().readAll(str(path)))
    except Exception as exc:  # noqa: BLE001  (any Java exception: the file is unreadable, said in one line)
        raise ScheduleFileError(path.name, _why_unreadable(exc)) from None
    if not files:
        raise ScheduleFileError(
            path.name,
            _("the file is corrupt or not a Microsoft Project or P6 file (MPXJ does not recognise its content)"),
        )
    schedules = [_project(path, pf, len(files)) for pf in files]
    return [s for s in schedules if s is not None]


def _why_unreadable(exc: Exception) -> str:
    text = str(exc)
    if re.search(r"password|encrypt", text, re.IGNORECASE):
        return _("the file is password-protected: save it without a password in Microsoft Project and import it again")
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    return _("the file is corrupt or not a schedule MPXJ can read ({detail})", detail=first[:160])


def _project(path: Path, pf, count: int) -> Schedule | None:
    from org.mpxj import TimeUnit

    props = pf.getProjectProperties()
    application = str(props.getFileApplication() or "")
    fmt = _format(path, application)
    primavera = "Primavera" in application
    title = props.getProjectTitle()
    code = props.getProjectID() if primavera else None
    key = str(code or (title if count > 1 and title else None) or path.stem)
    name = str(props.getName() if primavera and props.getName() else title or path.stem)
    calendar = pf.getDefaultCalendar()
    day_hours = (calendar.getMinutesPerDay() / 60.0) if calendar is not None else 8.0
    week_hours = (calendar.getMinutesPerWeek() / 60.0) if calendar is not None else 40.0
    notes: list[str] = []
    missing: list[str] = []
    tasks = list(pf.getTasks())
    subprojects = sorted({_stem(t.getSubprojectFile()) for t in tasks if t.getSubprojectFile() is not None})
    # Each Java getter is a call across JPype (microseconds each, 60,000 tasks in the benchmark):
    # every field is read once per task into a plain tuple, and dates once into Python dates.
    leaves, rows = [], []
    for t in tasks:
        uid = t.getUniqueID()
        if t.getSummary() or t.getExternalTask() or t.getSubprojectFile() is not None or t.getNull():
            continue
        if uid is not None and int(uid) == 0:  # the project summary task
            continue
        leaves.append(t)
        rows.append(
            (
                str(uid),
                _date(t.getStart()),
                _date(t.getFinish()),
                _date(t.getBaselineStart()),
                _date(t.getBaselineFinish()),
                _date(t.getActualStart()),
                _date(t.getActualFinish()),
                t.getBaselineCost(),
            )
        )
    has_baseline = not primavera and any(r[4] is not None or _num(r[7]) for r in rows)
    activities, costs = [], []
    for t, (uid, start, finish, bl_start, bl_finish, act_start, act_finish, bl_cost) in zip(leaves, rows, strict=True):
        percent = _num(t.getPhysicalPercentComplete()) if _physical(t, primavera) else _num(t.getPercentageComplete())
        activities.append(
            (
                uid,
                str(t.getActivityID() or t.getID() or uid) if primavera else uid,
                str(t.getName() or f"Task {uid}"),
                bool(t.getMilestone()),
                start,
                finish,
                bl_start if has_baseline else None,
                bl_finish if has_baseline else None,
                act_start,
                act_finish,
                percent,
            )
        )
        if has_baseline:
            budget, spread_start, spread_finish = _num(bl_cost), bl_start, bl_finish
        else:
            planned = t.getPlannedCost() if primavera else None
            budget, spread_start, spread_finish = _num(planned if planned is not None else t.getCost()), start, finish
            if primavera and t.getPlannedStart() is not None:
                spread_start, spread_finish = _date(t.getPlannedStart()), _date(t.getPlannedFinish())
        costs.append(
            (
                uid,
                spread_start or start,
                spread_finish or finish,
                act_start,
                act_finish,
                budget,
                _num(t.getActualCost()),
            )
        )
    actual_dates = {r[0]: (r[5], r[6]) for r in rows}
    work, used = [], {}
    for a in pf.getResourceAssignments():
        task, resource = a.getTask(), a.getResource()
        task_uid = None if task is None else str(task.getUniqueID())
        if resource is None or task_uid not in actual_dates:
            continue
        if str(resource.getType()) != "WORK" or not resource.getName():
            continue
        rkey = str(resource.getResourceID() or resource.getName()) if primavera else str(resource.getName())
        used[rkey] = resource
        planned = a.getBaselineWork() if has_baseline else None
        planned = planned if planned is not None else a.getWork()
        start = a.getBaselineStart() if has_baseline else None
        start, finish = (start, a.getBaselineFinish()) if start is not None else (a.getStart(), a.getFinish())
        task_start, task_finish = actual_dates[task_uid]
        work.append(
            (
                rkey,
                task_uid,
                _date(start),
                _date(finish),
                _date(a.getActualStart()) or task_start,
                _date(a.getActualFinish()) or task_finish,
                _hours(planned, props, TimeUnit),
                _hours(a.getActualWork(), props, TimeUnit),
            )
        )
    resources = [_resource(rkey, r, props, TimeUnit, week_hours) for rkey, r in used.items()]
    links = []
    for rel in pf.getRelations():
        pred, succ = rel.getPredecessorTask(), rel.getSuccessorTask()
        if pred is None or succ is None or not pred.getExternalTask() or succ.getExternalTask():
            continue
        other = pred.getSubprojectFile()
        if other is None:
            missing.append(f"a link from external task {pred.getName()!s} names no project file: left out")
            continue
        links.append(
            (
                f"file:{_stem(other)}",
                key,
                _LINK_TYPES.get(str(rel.getType()), "FS"),
                _hours(rel.getLag(), props, TimeUnit),
                day_hours,
                str(succ.getName() or succ.getUniqueID()),
            )
        )
    holidays = []
    if calendar is not None:
        for exc in calendar.getCalendarExceptions():
            if exc.getWorking():
                continue
            day, last = _date(exc.getFromDate()), _date(exc.getToDate())
            while day is not None and last is not None and day <= last:
                if day.weekday() < 5:
                    holidays.append((day, str(exc.getName() or f"non-working day ({calendar.getName()})")))
                day += dt.timedelta(days=1)
    if primavera:
        missing.append(
            "no baseline: MPXJ gives a PMXML project's planned dates as its baseline, which is not a frozen "
            "baseline, so the budget is P6's planned cost and milestones have no baseline date (they are left out)"
        )
    elif not has_baseline:
        missing.append(
            "no baseline: the file's tasks have no baseline dates or cost, so the budget is the current planned "
            "cost and milestones have no baseline date (they are left out); set a baseline in Microsoft Project "
            "(Project > Set Baseline) and import again"
        )
    return Schedule(
        source=path,
        format=fmt,
        key=key,
        name=name,
        currency=str(props.getCurrencyCode()) if props.getCurrencyCode() else None,
        status_date=_date(props.getStatusDate()),
        start=_date(props.getStartDate()),
        finish=_date(props.getFinishDate()),
        has_baseline=has_baseline,
        day_hours=day_hours,
        week_hours=week_hours,
        holidays=holidays,
        activities=frame(activities, ACTIVITY_COLUMNS),
        costs=frame(costs, COST_COLUMNS),
        work=frame(work, WORK_COLUMNS),
        resources=frame(resources, RESOURCE_COLUMNS),
        links=frame(links, LINK_COLUMNS),
        subprojects=subprojects,
        notes=notes,
        missing=missing,
    )


def _physical(task, primavera: bool) -> bool:
    """Whether a task's progress is its physical percent complete (P6's type, or Project's EV method)."""
    if primavera:
        return str(task.getPercentCompleteType()) == "PHYSICAL"
    return str(task.getEarnedValueMethod()) == "PHYSICAL_PERCENT_COMPLETE"


def _resource(rkey: str, r, props, time_unit, week_hours: float) -> tuple:
    """A work resource: max units as a fraction (Project stores 100 for 100%), rate per hour."""
    calendar = r.getCalendar()
    hours = calendar.getMinutesPerWeek() / 60.0 if calendar is not None else week_hours
    rate = r.getStandardRate()
    per_hour = None
    if rate is not None and rate.getUnits() is not None:
        unit = rate.getUnits()
        one = props.getMinutesPerDay() / 60.0 if str(unit) in ("DAYS", "ELAPSED_DAYS") else None
        per_unit = {
            "MINUTES": 1 / 60,
            "HOURS": 1.0,
            "WEEKS": props.getMinutesPerWeek() / 60.0,
            "MONTHS": props.getMinutesPerMonth() / 60.0,
            "YEARS": props.getMinutesPerMonth() * 12 / 60.0,
        }.get(str(unit).removeprefix("ELAPSED_"), one)
        if per_unit:
            per_hour = float(rate.getAmount()) / per_unit
    units = _num(r.getMaxUnits()) / 100.0 if r.getMaxUnits() is not None else 1.0
    return (rkey, str(r.getName()), str(r.getGroup() or ""), units, hours, per_hour)
