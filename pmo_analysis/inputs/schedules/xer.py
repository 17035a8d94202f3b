"""Primavera P6 XER files, read by the workbook itself rather than through MPXJ.

MPXJ reads XER, but spreads costs by a monthly curve of its own that does not add up to the
file's totals (3,360 spread against 27,600 budgeted on MPXJ's own ``resource-rates-test.xer``).
An XER is a plain tab-separated export (``%T`` a table, ``%F`` its fields, ``%R`` a row), so this
module reads the tables it needs and keeps every amount as the file states it: the budget and
actual cost of each resource assignment (``TASKRSRC``) and expense (``PROJCOST``), with the dates
they run between. ``contract`` spreads them by month so that the months add up to the totals.

The text encoding is the workbook's one rule (:func:`pmo_analysis.inputs.readers.decode_text`):
P6 writes XER in the exporting machine's Windows code page, so a Chinese installation writes
GB18030 and a Western one Windows-1252; a file whose encoding cannot be told is refused.

What an XER holds, per project (``PROJECT``; a file may hold many):

- activities (``TASK``): WBS summaries (``TT_WBS``) are not activities; milestones are
  ``TT_Mile`` and ``TT_FinMile``; progress follows each activity's percent-complete type
  (physical, duration or units);
- baselines: an XER holds a frozen baseline only when the project was exported with its
  baseline project (a ``PROJECT`` row whose ``orig_proj_id`` is the project); otherwise there is
  none, and the reader says so rather than call the planned dates a baseline;
- resources (``RSRC``, ``RSRCRATE``): only labour resources are people; equipment and material
  resources (the "£1/h" cost buckets of cost-loaded schedules) carry cost, not work;
- relationships (``TASKPRED``): those between activities of different projects;
- calendars (``CALENDAR``): the project calendar's hours and its non-working exceptions.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from pathlib import Path

from pmo_analysis.core.exceptions import ReadError, ScheduleFileError
from pmo_analysis.core.i18n import _
from pmo_analysis.inputs.readers import decode_text
from pmo_analysis.inputs.schedules._model import (
    ACTIVITY_COLUMNS,
    COST_COLUMNS,
    LINK_COLUMNS,
    RESOURCE_COLUMNS,
    WORK_COLUMNS,
    Schedule,
    frame,
)

__all__ = ["read_xer"]

FORMAT = "Primavera P6 XER"
_SAVE_AS = "export it again from P6 in Unicode (UTF-8), or save the file as UTF-8, and import it again"
_LINK_TYPES = {"PR_FS": "FS", "PR_SS": "SS", "PR_FF": "FF", "PR_SF": "SF"}
_EXCEL_EPOCH = dt.date(1899, 12, 30)  # P6 calendars count exception days from here, as Excel does
_EXCEPTION = re.compile(r"\(d\|(\d+)\)\(\s*\)")  # a day with no working hours


def parse_tables(text: str) -> tuple[list[str], dict[str, list[dict[str, str]]]]:
    r"""The header fields and the tables of an XER text, each table a list of rows (field -> text).

    >>> text = "ERMHDR\t8.4\n%T\tPROJECT\n%F\tproj_id\tproj_short_name\n%R\t1\tP1\n%E\n"
    >>> header, tables = parse_tables(text)
    >>> tables["PROJECT"]
    [{'proj_id': '1', 'proj_short_name': 'P1'}]
    """
    header: list[str] = []
    tables: dict[str, list[dict[str, str]]] = {}
    fields: list[str] = []
    rows: list[dict[str, str]] = []
    for line in text.splitlines():
        kind, _tab, rest = line.partition("\t")
        if kind == "%R":
            rows.append(dict(zip(fields, rest.split("\t"), strict=False)))
        elif kind == "%T":
            rows = tables.setdefault(rest.strip(), [])
        elif kind == "%F":
            fields = rest.split("\t")
        elif kind == "ERMHDR":
            header = rest.split("\t")
    return header, tables


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text[:10]) if text else None


def _num(text: str | None) -> float:
    return float(text) if text else 0.0


def _decode(path: Path, raw: bytes) -> str:
    try:
        return decode_text(raw, save_as=_SAVE_AS)
    except ReadError as exc:
        raise ScheduleFileError(path.name, str(exc)) from None


def read_xer(path: Path) -> list[Schedule]:
    """Every project of the XER file ``path`` (baseline copies inside it give baselines, not projects).

    Raises :class:`~pmo_analysis.core.exceptions.ScheduleFileError` for a file that is empty, not
    an XER, or in an encoding that cannot be told.
    """
    raw = path.read_bytes()
    if not raw.strip():
        raise ScheduleFileError(path.name, _("the file is empty"))
    if not raw.lstrip(b"\xef\xbb\xbf").startswith(b"ERMHDR"):
        raise ScheduleFileError(path.name, _("not a Primavera P6 XER file (it does not start with ERMHDR)"))
    header, tables = parse_tables(_decode(path, raw))
    projects = tables.get("PROJECT", [])
    if not projects:
        raise ScheduleFileError(path.name, _("the XER file holds no project (no PROJECT table)"))
    currency = _currency(header, tables)
    by_id = {p["proj_id"]: p for p in projects}
    baseline_of = {p["orig_proj_id"]: p["proj_id"] for p in projects if p.get("orig_proj_id") in by_id}
    baselines = set(baseline_of.values())
    tasks_by_project: dict[str, list[dict[str, str]]] = defaultdict(list)
    for t in tables.get("TASK", []):
        tasks_by_project[t.get("proj_id", "")].append(t)
    task_project = {t["task_id"]: t.get("proj_id", "") for t in tables.get("TASK", [])}
    calendars = {c["clndr_id"]: c for c in tables.get("CALENDAR", [])}
    resources = {r["rsrc_id"]: r for r in tables.get("RSRC", [])}
    rates = _rates(tables.get("RSRCRATE", []))
    codes = {p["proj_id"]: p.get("proj_short_name") or p["proj_id"] for p in projects}
    schedules = []
    for p in projects:
        if p["proj_id"] in baselines:
            continue
        schedules.append(
            _project(
                path,
                p,
                tasks_by_project,
                baseline_of.get(p["proj_id"]),
                tables,
                calendars,
                resources,
                rates,
                codes,
                task_project,
                currency,
            )
        )
    return schedules


def _currency(header: list[str], tables: dict[str, list[dict[str, str]]]) -> str | None:
    """The file's base currency: the last field of the header (``USD``), else the base currency row."""
    if header and header[-1].strip():
        return header[-1].strip()
    base = [c for c in tables.get("CURRTYPE", []) if c.get("base_exch_rate") in ("1", "1.0")]
    return base[0].get("curr_short_name") if base else None


def _rates(rows: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    """The latest rate row of each resource (the one with the last ``start_date``)."""
    latest: dict[str, dict[str, str]] = {}
    for r in rows:
        old = latest.get(r["rsrc_id"])
        if old is None or (r.get("start_date") or "") >= (old.get("start_date") or ""):
            latest[r["rsrc_id"]] = r
    return latest


def _holidays(calendar: dict[str, str] | None) -> list[tuple[dt.date, str]]:
    """The non-working exception days of a P6 calendar that fall on weekdays."""
    if not calendar:
        return []
    days = {_EXCEL_EPOCH + dt.timedelta(days=int(n)) for n in _EXCEPTION.findall(calendar.get("clndr_data", ""))}
    name = calendar.get("clndr_name") or "calendar"
    return sorted((d, f"non-working day ({name})") for d in days if d.weekday() < 5)


def _percent(t: dict[str, str]) -> float:
    """An activity's own progress by its percent-complete type: physical, duration or units."""
    kind = t.get("complete_pct_type", "CP_Drtn")
    if t.get("status_code") == "TK_Complete":
        return 100.0
    if kind == "CP_Phys":
        return _num(t.get("phys_complete_pct"))
    if kind == "CP_Units":
        done, left = _num(t.get("act_work_qty")), _num(t.get("remain_work_qty"))
        return 100.0 * done / (done + left) if done + left else 0.0
    total, left = _num(t.get("target_drtn_hr_cnt")), _num(t.get("remain_drtn_hr_cnt"))
    if t.get("status_code") == "TK_NotStart" or not total:
        return 0.0
    return max(0.0, min(100.0, 100.0 * (total - left) / total))


def _project(
    path: Path,
    p: dict[str, str],
    tasks_by_project: dict[str, list[dict[str, str]]],
    baseline_id: str | None,
    tables: dict[str, list[dict[str, str]]],
    calendars: dict[str, dict[str, str]],
    resources: dict[str, dict[str, str]],
    rates: dict[str, dict[str, str]],
    codes: dict[str, str],
    task_project: dict[str, str],
    currency: str | None,
) -> Schedule:
    pid = p["proj_id"]
    code = codes[pid]
    calendar = calendars.get(p.get("clndr_id", "")) or next(
        (c for c in calendars.values() if c.get("default_flag") == "Y"), None
    )
    day_hours = _num(calendar.get("day_hr_cnt")) if calendar else 0.0
    week_hours = _num(calendar.get("week_hr_cnt")) if calendar else 0.0
    notes: list[str] = []
    missing: list[str] = []
    if not day_hours:
        day_hours, week_hours = 8.0, 40.0
        notes.append("the project has no calendar: 8 working hours a day and 40 a week are assumed")
    baseline_tasks = {t.get("task_code"): t for t in tasks_by_project.get(baseline_id or "", [])}
    tasks = [t for t in tasks_by_project.get(pid, []) if t.get("task_type") != "TT_WBS"]
    activities, by_task = [], {}
    for t in tasks:
        bl = baseline_tasks.get(t.get("task_code"))
        actual_start, actual_finish = _date(t.get("act_start_date")), _date(t.get("act_end_date"))
        start = actual_start or _date(t.get("restart_date")) or _date(t.get("early_start_date"))
        finish = actual_finish or _date(t.get("reend_date")) or _date(t.get("early_end_date"))
        by_task[t["task_id"]] = t
        activities.append(
            (
                t["task_id"],
                t.get("task_code") or t["task_id"],
                t.get("task_name") or t.get("task_code") or t["task_id"],
                t.get("task_type") in ("TT_Mile", "TT_FinMile"),
                start or _date(t.get("target_start_date")),
                finish or _date(t.get("target_end_date")),
                _date(bl.get("target_start_date")) if bl else None,
                _date(bl.get("target_end_date")) if bl else None,
                actual_start,
                actual_finish,
                _percent(t),
            )
        )
    costs, work, used = [], [], set()
    for a in tables.get("TASKRSRC", []):
        owner = by_task.get(a.get("task_id", ""))
        if owner is None:
            continue
        t = owner
        start, finish = _date(a.get("target_start_date")), _date(a.get("target_end_date"))
        start = start or _date(t.get("target_start_date"))
        finish = finish or _date(t.get("target_end_date"))
        a_start, a_finish = _date(a.get("act_start_date")), _date(a.get("act_end_date"))
        actual = _num(a.get("act_reg_cost")) + _num(a.get("act_ot_cost"))
        budget = 0.0 if baseline_id else _num(a.get("target_cost"))  # with a baseline, its own costs are the budget
        costs.append((t["task_id"], start, finish, a_start, a_finish, budget, actual))
        r = resources.get(a.get("rsrc_id", ""))
        if r is not None and r.get("rsrc_type", "RT_Labor") == "RT_Labor":
            used.add(r["rsrc_id"])
            hours = _num(a.get("act_reg_qty")) + _num(a.get("act_ot_qty"))
            work.append(
                (
                    r.get("rsrc_short_name") or r["rsrc_id"],
                    t["task_id"],
                    start,
                    finish,
                    a_start,
                    a_finish,
                    _num(a.get("target_qty")),
                    hours,
                )
            )
    for e in tables.get("PROJCOST", []):
        owner = by_task.get(e.get("task_id", ""))
        if owner is None:
            continue
        t = owner
        costs.append(
            (
                t["task_id"],
                _date(t.get("target_start_date")),
                _date(t.get("target_end_date")),
                _date(t.get("act_start_date")),
                _date(t.get("act_end_date")),
                0.0 if baseline_id else _num(e.get("target_cost")),
                _num(e.get("act_cost")),
            )
        )
    if baseline_id:
        costs += _baseline_costs(tables, tasks_by_project.get(baseline_id, []), by_task)
    non_labour = sorted(
        {
            resources[a["rsrc_id"]].get("rsrc_name", a["rsrc_id"])
            for a in tables.get("TASKRSRC", [])
            if a.get("task_id") in by_task
            and a.get("rsrc_id") in resources
            and resources[a["rsrc_id"]].get("rsrc_type", "RT_Labor") != "RT_Labor"
        }
    )
    if non_labour:
        notes.append(
            f"{len(non_labour)} non-labour resource(s) ({', '.join(non_labour[:5])}) carry cost only: "
            "their cost is in the cash flows, and they are not people in resources.csv"
        )
    resource_rows = []
    for rid in sorted(used):
        r = resources[rid]
        rate = rates.get(rid, {})
        cal = calendars.get(r.get("clndr_id", "")) or calendar
        resource_rows.append(
            (
                r.get("rsrc_short_name") or rid,
                r.get("rsrc_name") or r.get("rsrc_short_name") or rid,
                r.get("rsrc_title_name") or "",
                _num(rate.get("max_qty_per_hr")) or 1.0,
                _num(cal.get("week_hr_cnt")) if cal else week_hours,
                _num(rate.get("cost_per_qty")) if rate.get("cost_per_qty") else None,
            )
        )
    links = []
    for rel in tables.get("TASKPRED", []):
        succ_project = rel.get("proj_id") or task_project.get(rel.get("task_id", ""), "")
        pred_project = rel.get("pred_proj_id") or task_project.get(rel.get("pred_task_id", ""), "")
        if succ_project != pid or pred_project == pid:
            continue
        pred = codes.get(pred_project)
        if pred is None:
            missing.append(
                f"a relationship from activity {rel.get('pred_task_id')} of a project not in this file "
                f"(proj_id {pred_project}) is left out: export that project into the same XER to keep it"
            )
            continue
        succ_task = by_task.get(rel.get("task_id", ""), {})
        links.append(
            (
                pred,
                code,
                _LINK_TYPES.get(rel.get("pred_type", ""), "FS"),
                _num(rel.get("lag_hr_cnt")),
                day_hours,
                succ_task.get("task_name") or rel.get("task_id"),
            )
        )
    status_date = _date(p.get("last_recalc_date")) or _date(p.get("next_data_date"))
    if baseline_id is None:
        missing.append(
            "no baseline: an XER holds a frozen baseline only when the project is exported with its "
            "baseline project, so the budget is P6's budgeted cost and milestones have no baseline date "
            "(they are left out); export the project with its baseline (P6: Export, 'Baseline' projects "
            "included) to get both"
        )
    return Schedule(
        source=path,
        format=FORMAT,
        key=code,
        name=p.get("proj_name") or _wbs_name(tables, pid) or code,
        currency=currency,
        status_date=status_date,
        start=_date(p.get("plan_start_date")),
        finish=_date(p.get("scd_end_date")) or _date(p.get("plan_end_date")),
        has_baseline=baseline_id is not None,
        day_hours=day_hours,
        week_hours=week_hours or day_hours * 5,
        holidays=_holidays(calendar),
        activities=frame(activities, ACTIVITY_COLUMNS),
        costs=frame(costs, COST_COLUMNS),
        work=frame(work, WORK_COLUMNS),
        resources=frame(resource_rows, RESOURCE_COLUMNS),
        links=frame(links, LINK_COLUMNS),
        notes=notes,
        missing=missing,
    )


def _baseline_costs(
    tables: dict[str, list[dict[str, str]]], baseline_tasks: list[dict[str, str]], by_task: dict[str, dict[str, str]]
) -> list[tuple]:
    """The budget: the baseline project's assignment and expense costs over its own planned dates,
    each on the current activity of the same code (or on the baseline's own id if it was deleted).
    """
    current = {t.get("task_code"): tid for tid, t in by_task.items()}
    mine = {t["task_id"]: t for t in baseline_tasks}
    rows = []
    for table in ("TASKRSRC", "PROJCOST"):
        for a in tables.get(table, []):
            bl = mine.get(a.get("task_id", ""))
            if bl is None:
                continue
            start = _date(a.get("target_start_date")) or _date(bl.get("target_start_date"))
            finish = _date(a.get("target_end_date")) or _date(bl.get("target_end_date"))
            uid = current.get(bl.get("task_code"), bl["task_id"])
            rows.append((uid, start, finish, None, None, _num(a.get("target_cost")), 0.0))
    return rows


def _wbs_name(tables: dict[str, list[dict[str, str]]], pid: str) -> str | None:
    """The project's name: XER keeps it on the project's root WBS node, not on the PROJECT row."""
    for w in tables.get("PROJWBS", []):
        if w.get("proj_id") == pid and w.get("proj_node_flag") == "Y":
            return w.get("wbs_name") or None
    return None
