"""Named report schedules: cron expression + IANA time zone + templated parameters.

``schedules.yml``::

    schedules:
      weekly:
        cron: "0 7 * * MON"          # 07:00 every Monday
        timezone: Europe/London      # the schedule's own time zone (DST handled)
        data_dir: data/sample
        notebooks: [executive_summary, portfolio_roi]   # optional, default all
        params:
          as_of: "{{ last_month_end }}"

Templates in parameter values are evaluated at the slot time in the schedule's time zone:
``{{ today }}``, ``{{ yesterday }}``, ``{{ last_month_end }}``, ``{{ last_week_end }}`` (the last
Sunday) and ``{{ slot }}`` (the slot time, ISO).

``run_due`` runs each schedule's most recent slot if it has not run yet (recorded in
``reports/.schedule-state.json``), holding a lock so that overlapping calls never run a slot twice.
"""
from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from croniter import croniter

from .config import PROJ_ROOT, REPORTS_DIR
from .exceptions import ParameterError

__all__ = ["Schedule", "load_schedules", "next_runs", "render_params", "due_slot", "run_due", "serve"]

_TEMPLATE = re.compile(r"\{\{\s*(\w+)\s*\}\}")


@dataclass
class Schedule:
    name: str
    cron: str
    timezone: str
    data_dir: str
    notebooks: list[str] | None = None
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def load_schedules(path: str | Path) -> dict[str, Schedule]:
    """Read and check ``schedules.yml``; errors name the schedule and the field."""
    path = Path(path)
    if not path.exists():
        raise ParameterError(f"schedule file not found: {str(path)!r}")
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    items = raw.get("schedules") if isinstance(raw, dict) else None
    if not isinstance(items, dict) or not items:
        raise ParameterError(f"{path}: expected a 'schedules:' mapping of named schedules")
    out = {}
    for name, s in items.items():
        where = f"{path}: schedule {name!r}"
        if not isinstance(s, dict):
            raise ParameterError(f"{where} must be a mapping")
        for key in ("cron", "timezone", "data_dir"):
            if key not in s:
                raise ParameterError(f"{where} needs {key!r}")
        if not croniter.is_valid(str(s["cron"])):
            raise ParameterError(f"{where}: 'cron' is not a valid cron expression: {s['cron']!r}")
        try:
            ZoneInfo(str(s["timezone"]))
        except (ZoneInfoNotFoundError, ValueError):
            raise ParameterError(f"{where}: 'timezone' is not an IANA time zone such as "
                                 f"Europe/London: {s['timezone']!r}") from None
        unknown = set(s) - {"cron", "timezone", "data_dir", "notebooks", "params"}
        if unknown:
            raise ParameterError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
        out[name] = Schedule(name, str(s["cron"]), str(s["timezone"]), str(s["data_dir"]),
                             s.get("notebooks"), dict(s.get("params") or {}))
    return out


def next_runs(schedule: Schedule, *, after: dt.datetime | None = None, n: int = 3) -> list[dt.datetime]:
    """The next ``n`` slot times (aware, in the schedule's time zone)."""
    start = (after or dt.datetime.now(dt.timezone.utc)).astimezone(schedule.tz)
    it = croniter(schedule.cron, start)
    return [it.get_next(dt.datetime) for _ in range(n)]


def render_params(schedule: Schedule, slot: dt.datetime) -> dict[str, Any]:
    """Evaluate ``{{ today }}``-style templates at ``slot`` in the schedule's time zone."""
    local = slot.astimezone(schedule.tz)
    today = local.date()
    first = today.replace(day=1)
    values = {
        "today": today.isoformat(),
        "yesterday": (today - dt.timedelta(days=1)).isoformat(),
        "last_month_end": (first - dt.timedelta(days=1)).isoformat(),
        "last_week_end": (today - dt.timedelta(days=(today.weekday() + 1) % 7 or 7)).isoformat(),
        "slot": local.isoformat(timespec="minutes"),
    }

    def sub(text: str) -> str:
        def one(m: re.Match) -> str:
            if m.group(1) not in values:
                raise ParameterError(f"schedule {schedule.name!r}: unknown template {{{{ {m.group(1)} }}}}; "
                                     f"use one of {', '.join(values)}")
            return values[m.group(1)]
        return _TEMPLATE.sub(one, text)

    return {k: sub(v) if isinstance(v, str) else v for k, v in schedule.params.items()}


def due_slot(schedule: Schedule, *, now: dt.datetime, last_slot: str | None) -> dt.datetime | None:
    """The most recent slot at or before ``now`` if it is later than ``last_slot`` (ISO), else None.
    Missed slots collapse into one run of the latest."""
    local_now = now.astimezone(schedule.tz)
    it = croniter(schedule.cron, local_now + dt.timedelta(seconds=1))
    prev = it.get_prev(dt.datetime)
    if last_slot is not None and prev <= dt.datetime.fromisoformat(last_slot):
        return None
    return prev


@contextmanager
def _lock(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    fh = path.open("a+")
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        fh.close()
        yield False
        return
    try:
        yield True
    finally:
        fcntl.flock(fh, fcntl.LOCK_UN)
        fh.close()


def _resolve_dir(d: str, base: Path) -> Path:
    p = Path(d)
    return p if p.is_absolute() else (base / p)


def run_due(schedules: dict[str, Schedule], *, reports_dir: Path = REPORTS_DIR,
            now: dt.datetime | None = None, runner: Callable[..., Any] | None = None,
            base_dir: Path = PROJ_ROOT, say: Callable[[str], None] = print) -> list[tuple[str, str]]:
    """Run every schedule whose latest slot has not run yet. Safe to call every minute.

    Returns ``[(schedule, slot)]`` of the slots run by this call. A concurrent call finds the lock
    taken and runs nothing.
    """
    from .runner import run_reports

    runner = runner or run_reports
    now = now or dt.datetime.now(dt.timezone.utc)
    reports_dir = Path(reports_dir)
    state_path = reports_dir / ".schedule-state.json"
    ran: list[tuple[str, str]] = []
    with _lock(reports_dir / ".schedule.lock") as got:
        if not got:
            say("another run-due call is running; nothing to do")
            return ran
        state = json.loads(state_path.read_text()) if state_path.exists() else {}
        for name, s in schedules.items():
            slot = due_slot(s, now=now, last_slot=state.get(name))
            if slot is None:
                continue
            say(f"schedule {name}: running slot {slot.isoformat()}")
            # record the slot first: a crash mid-run must not make the next call run it again
            state[name] = slot.isoformat()
            tmp = state_path.with_suffix(".tmp")
            tmp.write_text(json.dumps(state, indent=2))
            os.replace(tmp, state_path)
            try:
                runner(data_dir=_resolve_dir(s.data_dir, base_dir), notebooks=s.notebooks,
                       params=render_params(s, slot), reports_dir=reports_dir, schedule=name)
            except Exception as exc:  # one schedule's failure does not stop the others
                say(f"schedule {name}: {type(exc).__name__}: {exc}")
            ran.append((name, slot.isoformat()))
    return ran


def serve(schedules: dict[str, Schedule], *, reports_dir: Path = REPORTS_DIR,
          base_dir: Path = PROJ_ROOT) -> None:  # pragma: no cover - long-running
    """Keep running and fire each schedule on time (APScheduler, one cron trigger per schedule)."""
    from apscheduler.schedulers.blocking import BlockingScheduler
    from apscheduler.triggers.cron import CronTrigger

    sched = BlockingScheduler()
    for name, s in schedules.items():
        trigger = CronTrigger.from_crontab(s.cron, timezone=s.tz)
        sched.add_job(run_due, trigger, kwargs={"schedules": {name: s}, "reports_dir": reports_dir,
                                                "base_dir": base_dir},
                      id=name, name=name, max_instances=1, coalesce=True, misfire_grace_time=3600)
        print(f"{name}: next run {trigger.get_next_fire_time(None, dt.datetime.now(s.tz))}")
    sched.start()
