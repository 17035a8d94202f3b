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
        mail:                        # optional: the executive summary by email after each run
          to: [cio@example.org, cfo@example.org]
          alert_off_track: true      # optional: an alert when a project turns off track
        scenarios: [scenarios/cut20-delay-datalake.yml]  # optional: what-if files (docs/scenarios.md)

``data_dir`` is a data folder, a database URL or a mapping file (:mod:`pmo_analysis.inputs.sources`).

Cron expressions have five fields (minute hour day-of-month month day-of-week) or are one of
croniter's ``@daily``-style names; day-of-week 0 and 7 are both Sunday. One engine, croniter,
computes the slots for ``schedule list``, ``schedule run-due`` and ``schedule serve``. An
expression that can never fire (``0 0 30 2 *``) is refused when the file is loaded.

Templates in parameter values are evaluated at the slot time in the schedule's time zone:
``{{ today }}``, ``{{ yesterday }}``, ``{{ last_month_end }}``, ``{{ last_week_end }}`` (the last
Sunday) and ``{{ slot }}`` (the slot time, ISO).

:func:`run_due` runs each schedule's most recent slot if it has not run yet, holding a lock so that
overlapping calls never run a slot twice (the operating system releases the lock if the process
dies). A slot is recorded as done in ``reports/.schedule-state.json`` only once its run has ended,
whatever the run's status: a call killed mid-run leaves the slot to the next call. A run that
raises before publishing (missing data folder, invalid data) is tried again by later calls, at most
:data:`MAX_ATTEMPTS` times in all for one slot, then recorded as failed with its message.

A schedule with ``mail:`` sends its published run's executive summary (:mod:`pmo_analysis.runs.mail`;
the SMTP server and login come from ``PMO_SMTP_*`` environment variables, never from this file)
once the run is published and recorded. Mail never holds up or loses a report: a failure is
logged and recorded as ``pending``, and every later call tries again until it is sent or a newer
run of the schedule replaces it. A run that failed altogether is not mailed.

State file, one entry per schedule (an entry that is just the slot string, as written before
attempts were recorded, still reads as the last slot done)::

    {"weekly": {"done": "2026-03-02T07:00:00+00:00", "status": "success",
                "run_id": "20260302T070004Z-weekly", "message": "",
                "attempt": {"slot": "2026-03-09T07:00:00+00:00", "count": 1, "error": "..."},
                "mail": {"run_id": "20260302T070004Z-weekly", "status": "sent", "attempts": 1, "error": null}}}
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import re
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from croniter import croniter

from pmo_analysis.core.config import PROJ_ROOT, REPORTS_DIR
from pmo_analysis.core.exceptions import ParameterError, PMOError
from pmo_analysis.core.yaml_files import compose_yaml, construct_yaml, read_text
from pmo_analysis.inputs.params import check_plain
from pmo_analysis.inputs.sources import data_source
from pmo_analysis.runs.mail import MailError, check_address, deliver
from pmo_analysis.runs.pages import parse_projects
from pmo_analysis.runs.publish import read_manifests, started_timestamp

__all__ = [
    "Schedule",
    "SlotOutcome",
    "MAX_ATTEMPTS",
    "load_schedules",
    "next_runs",
    "render_params",
    "due_slot",
    "run_schedules",
    "run_due",
    "serve",
]

#: Attempts at one slot whose run raises before it publishes anything, before it is recorded as failed.
MAX_ATTEMPTS = 3

_TEMPLATE = re.compile(r"\{\{\s*(\w+)\s*\}\}")
_TEMPLATE_NAMES = ("today", "yesterday", "last_month_end", "last_week_end", "slot")
_FIELDS = ("minute", "hour", "day-of-month", "month", "day-of-week")
_ALIASES = ("@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly")
_DAYS_IN_MONTH = {1: 31, 2: 29, 3: 31, 4: 30, 5: 31, 6: 30, 7: 31, 8: 31, 9: 30, 10: 31, 11: 30, 12: 31}
_RANDOM_OR_HASHED = re.compile(r"(^|[,/-])[HR](\(|$|[,/-])", re.IGNORECASE)


@dataclass
class Schedule:
    """A named schedule of ``schedules.yml``: when (cron, time zone), on what data, which reports."""

    name: str
    cron: str
    timezone: str
    data_dir: str
    notebooks: list[str] | None = None
    params: dict[str, Any] = field(default_factory=dict)
    mail_to: list[str] = field(default_factory=list)  #: who gets the executive summary by email
    alert_off_track: bool = False  #: also an alert mail when a project turns off track
    projects: str | tuple[str, ...] | None = None  # the run's project pages (pmo_analysis.runs.pages.parse_projects)
    scenarios: list[str] = field(default_factory=list)  #: what-if scenario files, relative to schedules.yml

    @property
    def tz(self) -> ZoneInfo:
        """The schedule's time zone."""
        return ZoneInfo(self.timezone)


# --------------------------------------------------------------------------- loading
def _cron_problem(expr: str) -> str | None:
    """Why ``expr`` is not a usable cron expression (naming the field), or None."""
    if expr.lower() in _ALIASES:
        return None if croniter.is_valid(expr) else f"'cron' {expr!r} is not supported by this croniter"
    fields = expr.split()
    if len(fields) != 5:
        return f"'cron' must have 5 fields (minute hour day-of-month month day-of-week), got {len(fields)}: {expr!r}"
    for i, name in enumerate(_FIELDS):
        if _RANDOM_OR_HASHED.search(fields[i]):
            return f"'cron' field {name} {fields[i]!r} is random or hashed; give fixed times: {expr!r}"
        probe = ["*"] * 5
        probe[i] = fields[i]
        if not croniter.is_valid(" ".join(probe)):
            return f"'cron' field {name} {fields[i]!r} is not valid: {expr!r}"
    if not croniter.is_valid(expr):
        return f"'cron' is not a valid cron expression: {expr!r}"
    days, months, weekdays = croniter(expr).expanded[2:5]
    # a day-of-month that no month in the expression has: cron never fires (unless a weekday is
    # given too, which cron ORs with the day of the month)
    if (
        weekdays == ["*"]
        and "*" not in days
        and "l" not in days
        and "*" not in months
        and all(d > _DAYS_IN_MONTH[m] for d in days for m in months)
    ):
        return (
            f"'cron' field day-of-month {fields[2]!r} never occurs in month {fields[3]!r}, "
            f"so the schedule would never run: {expr!r}"
        )
    try:
        croniter(expr, dt.datetime(2000, 1, 1)).get_next(dt.datetime)
    except Exception:  # noqa: BLE001 - croniter found no slot in the years it searches
        return f"'cron' never fires: {expr!r}"
    return None


def _check_schedule(name: str, s: Any) -> Schedule:
    """One entry of ``schedules:`` as a :class:`Schedule`; a problem raises ParameterError (field named)."""
    if not isinstance(s, dict):
        raise ParameterError(f"must be a mapping with cron, timezone and data_dir, got {type(s).__name__}")
    for key in ("cron", "timezone", "data_dir"):
        if s.get(key) in (None, ""):
            raise ParameterError(f"needs {key!r}")
    unknown = set(map(str, s)) - {
        "cron",
        "timezone",
        "data_dir",
        "notebooks",
        "params",
        "mail",
        "projects",
        "scenarios",
    }
    if unknown:
        raise ParameterError(
            f"unknown field(s) {', '.join(sorted(unknown))}; "
            f"use cron, timezone, data_dir, notebooks, params, mail, projects, scenarios"
        )
    cron = str(s["cron"]).strip()
    problem = _cron_problem(cron)
    if problem:
        raise ParameterError(problem)
    try:
        ZoneInfo(str(s["timezone"]))
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ParameterError(f"'timezone' is not an IANA time zone such as Europe/London: {s['timezone']!r}") from None

    data_source(str(s["data_dir"]), where="'data_dir'")  # a database URL must not hold a password
    notebooks = s.get("notebooks")
    if notebooks is not None and not (
        isinstance(notebooks, list) and notebooks and all(isinstance(n, str) for n in notebooks)
    ):
        raise ParameterError(f"'notebooks' must be a list of notebook names, got {notebooks!r}")
    params = s.get("params") or {}
    if not isinstance(params, dict):
        raise ParameterError(f"'params' must be a mapping of parameter names to values, got {type(params).__name__}")
    for key, value in params.items():
        if not isinstance(key, str):
            raise ParameterError(f"'params' names must be text, got {key!r}")
        check_plain(value, where=f"parameter {key!r}")
        for template in _TEMPLATE.findall(value) if isinstance(value, str) else []:
            if template not in _TEMPLATE_NAMES:
                raise ParameterError(
                    f"parameter {key!r}: unknown template {{{{ {template} }}}}; use one of {', '.join(_TEMPLATE_NAMES)}"
                )
    mail_to, alert = _check_mail(s.get("mail"))
    scenarios = s.get("scenarios") or []
    if not (isinstance(scenarios, list) and all(isinstance(f, str) and f.strip() for f in scenarios)):
        raise ParameterError(f"'scenarios' must be a list of scenario files (YAML), got {scenarios!r}")
    return Schedule(
        name,
        cron,
        str(s["timezone"]),
        str(s["data_dir"]),
        notebooks,
        dict(params),
        mail_to=mail_to,
        alert_off_track=alert,
        projects=_schedule_projects(s),
        scenarios=list(scenarios),
    )


def _check_mail(mail: Any) -> tuple[list[str], bool]:
    """A schedule's ``mail:`` (``to:`` addresses, ``alert_off_track:``) as (recipients, alert)."""
    if mail is None:
        return [], False
    if not isinstance(mail, dict) or not mail.get("to"):
        raise ParameterError("'mail' must be a mapping with 'to: [addresses]' (and optionally alert_off_track)")
    unknown = set(map(str, mail)) - {"to", "alert_off_track"}
    if unknown:
        raise ParameterError(
            f"'mail' has unknown field(s) {', '.join(sorted(unknown))}; use to, alert_off_track "
            "(the server and its login come from PMO_SMTP_* environment variables, never "
            "from this file)"
        )
    to = [mail["to"]] if isinstance(mail["to"], str) else mail["to"]
    if not isinstance(to, list):
        raise ParameterError(f"'mail.to' must be a list of email addresses, got {mail['to']!r}")
    try:
        to = [check_address(a, where="'mail.to'") for a in to]
    except MailError as exc:
        raise ParameterError(str(exc)) from None
    alert = mail.get("alert_off_track", False)
    if not isinstance(alert, bool):
        raise ParameterError(f"'mail.alert_off_track' must be true or false, got {alert!r}")
    return to, alert


def _schedule_projects(s: dict) -> str | tuple[str, ...] | None:
    """A schedule's ``projects``: which project pages its runs render (``off-track``, a list of ids...)."""
    if s.get("projects") is None:
        return None

    return parse_projects(s["projects"], where="'projects'")


def load_schedules(path: str | Path) -> tuple[dict[str, Schedule], list[str]]:
    """Read and check ``schedules.yml``: the valid schedules, and one message per invalid one.

    A bad schedule never stops the others: each message names the file, the schedule and the field,
    and the valid schedules still list and run. A file that cannot be read at all (missing, not
    YAML, a tag such as ``!!python/...``, no ``schedules:`` mapping) raises :class:`ParameterError`.

    Returns
    -------
    (dict of str to Schedule, list of str)
        The valid schedules by name, in file order, and the problems.
    """
    path = Path(path)
    source = str(path)
    root = compose_yaml(read_text(path, what="schedule file"), source=source)
    # built schedule by schedule: a refused tag in one schedule leaves the others usable
    items = None
    if isinstance(root, yaml.MappingNode):
        items = next((v for k, v in root.value if isinstance(k, yaml.ScalarNode) and k.value == "schedules"), None)
    if not isinstance(items, yaml.MappingNode) or not items.value:
        raise ParameterError(f"{path}: expected a 'schedules:' mapping of named schedules")
    out, problems = {}, []
    for key_node, node in items.value:
        name = str(construct_yaml(key_node, source=source, key="schedules"))
        try:
            out[name] = _check_schedule(name, construct_yaml(node, source=source, key=f"schedules.{name}"))
        except ParameterError as exc:
            problems.append(f"{path}: schedule {name!r}: {str(exc).removeprefix(source + ': ')}")
    return out, problems


# --------------------------------------------------------------------------- slots
def next_runs(schedule: Schedule, *, after: dt.datetime | None = None, n: int = 3) -> list[dt.datetime]:
    """The next ``n`` slot times (aware, in the schedule's time zone)."""
    start = (after or dt.datetime.now(dt.UTC)).astimezone(schedule.tz)
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
                raise ParameterError(
                    f"schedule {schedule.name!r}: unknown template {{{{ {m.group(1)} }}}}; "
                    f"use one of {', '.join(values)}"
                )
            return values[m.group(1)]

        return _TEMPLATE.sub(one, text)

    return {k: sub(v) if isinstance(v, str) else v for k, v in schedule.params.items()}


def due_slot(schedule: Schedule, *, now: dt.datetime, last_slot: str | None) -> dt.datetime | None:
    """The most recent slot at or before ``now`` if it is later than ``last_slot`` (ISO), else None.
    Missed slots collapse into one run of the latest.
    """
    local_now = now.astimezone(schedule.tz)
    it = croniter(schedule.cron, local_now + dt.timedelta(seconds=1))
    prev = it.get_prev(dt.datetime)
    if last_slot is not None and prev <= dt.datetime.fromisoformat(last_slot):
        return None
    return prev


# --------------------------------------------------------------------------- running
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


def _resolve_dir(d: str, base: Path) -> Path | str:
    """A schedule's data folder or mapping file relative to ``base``; a database URL as it is."""
    return data_source(d, base=base)


@dataclass
class SlotOutcome:
    """What one call did for one schedule.

    ``status``: ``success``, ``partial`` or ``failed`` (the run ended with that status, or failed
    for good after :data:`MAX_ATTEMPTS` attempts), ``error`` (the run raised; a later call tries
    again) or ``not due``.
    """

    schedule: str
    status: str
    slot: str | None = None
    message: str = ""
    run_id: str | None = None
    attempt: int = 0
    ran: bool = False  #: a run was started by this call
    mail: str = ""  #: what this call did about mailing the schedule's report, if anything

    @property
    def ok(self) -> bool:
        """True unless the schedule's run failed."""
        return self.status in ("success", "not due")

    def __str__(self) -> str:
        if self.status == "not due":
            return (
                f"{self.schedule}: not due"
                + (f" ({self.message})" if self.message else "")
                + (f"; {self.mail}" if self.mail else "")
            )
        text = f"{self.schedule}: {self.status}, slot {self.slot}"
        if self.run_id:
            text += f", run {self.run_id}"
        if self.status == "error":
            text += f", attempt {self.attempt} of {MAX_ATTEMPTS}, tried again at the next call"
        elif self.status == "failed" and not self.run_id:
            text += f", gave up after {self.attempt} attempt(s)"
        return text + (f": {self.message}" if self.message else "") + (f"; {self.mail}" if self.mail else "")


def _read_state(
    path: Path, *, now: dt.datetime | None = None, say: Callable[[str], None] = print
) -> dict[str, dict[str, Any]]:
    """The schedule state, read defensively: it never stops the scheduler.

    A file that is not a JSON object is moved aside (``.schedule-state.json.invalid``), said in one
    line, and the state starts empty (every schedule's latest slot runs again). In an entry, a
    ``done`` time that cannot be read, has no offset, or lies in the future (the clock was once set
    ahead: it would silence the schedule until then) is said and dropped, so the latest slot runs;
    an ``attempt`` or ``mail`` record of the wrong shape is said and dropped.
    """
    if not path.exists():
        return {}
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(raw, dict):
            raise ValueError("not a JSON object")
    except (OSError, ValueError) as exc:
        aside = path.with_name(path.name + ".invalid")
        with contextlib.suppress(OSError):
            os.replace(path, aside)
        say(
            f"{path}: the schedule state is not valid ({exc}); kept as {aside.name}, and every schedule's "
            "latest slot runs again"
        )
        return {}
    # before attempts were recorded an entry was the last slot done, as an ISO string
    state = {
        str(k): ({"done": v} if isinstance(v, str) else dict(v) if isinstance(v, dict) else {}) for k, v in raw.items()
    }
    for name, entry in state.items():
        for problem in _entry_problems(entry, now=now or dt.datetime.now(dt.UTC)):
            say(f"{path}: schedule {name!r}: {problem}")
    return state


def _entry_problems(entry: dict[str, Any], *, now: dt.datetime) -> list[str]:
    """Repair one schedule's state entry in place (see :func:`_read_state`); what was wrong, in words."""
    problems = []
    done = entry.get("done")
    if done is not None:
        when = None
        with contextlib.suppress(ValueError):
            when = dt.datetime.fromisoformat(done) if isinstance(done, str) else None
        if when is None:
            problems.append(f"the 'done' time {done!r} is not a time; the latest slot runs again")
        elif when.tzinfo is None:
            problems.append(f"the 'done' time {done!r} has no offset (+00:00); the latest slot runs again")
        elif when > now + dt.timedelta(minutes=5):
            problems.append(
                f"the 'done' time {done!r} is in the future (a clock error: was the clock once set ahead?); "
                "the latest slot runs again"
            )
            when = None
        if when is None or when.tzinfo is None:
            for key in ("done", "status", "run_id", "message"):
                entry.pop(key, None)
    attempt = entry.get("attempt")
    if attempt is not None and not (
        isinstance(attempt, dict)
        and isinstance(attempt.get("slot"), str)
        and type(attempt.get("count")) is int
        and attempt["count"] >= 0
    ):
        problems.append(f"the 'attempt' record {attempt!r} is not valid; attempts of this slot count from 0")
        entry.pop("attempt")
    mail = entry.get("mail")
    if mail is not None and not (
        isinstance(mail, dict)
        and isinstance(mail.get("run_id"), str)
        and isinstance(mail.get("status"), str)
        and (mail.get("attempts") is None or type(mail.get("attempts")) is int)
    ):
        problems.append(f"the 'mail' record {mail!r} is not valid; it is dropped")
        entry.pop("mail")
    return problems


def _write_state(path: Path, state: dict[str, dict[str, Any]]) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=2, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)  # atomic: a reader never sees half a state


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    lines = text.splitlines()
    first = lines[0] if isinstance(exc, PMOError) else f"{type(exc).__name__}: {lines[0]}"
    return first + (f" (and {len(lines) - 1} more line(s))" if len(lines) > 1 else "")


def _run_slot(
    name: str,
    s: Schedule,
    slot: dt.datetime,
    state: dict[str, dict[str, Any]],
    state_path: Path,
    *,
    runner: Callable[..., Any],
    reports_dir: Path,
    base_dir: Path,
    say: Callable[[str], None],
) -> SlotOutcome:
    """Attempt one due slot: record the attempt, run, record how it ended (see :func:`run_schedules`)."""
    key = slot.isoformat()
    entry = state.setdefault(name, {})
    unsent = entry.get("mail")  # a report not mailed yet stays to be mailed, whatever this run does
    attempt = dict(
        (entry.get("attempt") or {})
        if (entry.get("attempt") or {}).get("slot") == key
        else {"slot": key, "count": 0, "error": None}
    )
    published = _published_by(reports_dir, name, attempt) if attempt["count"] else None
    if published is not None:  # the last attempt published its run, then stopped: one run per slot
        say(f"schedule {name}: slot {key} was published as run {published['_dir']} by the last attempt")
        return _ended(name, s, key, state, state_path, published, attempt, reports_dir=reports_dir, say=say)
    if attempt["count"] >= MAX_ATTEMPTS:  # the last attempt was interrupted before it ended
        message = f"the last of {attempt['count']} attempts was interrupted before it ended"
        state[name] = {"done": key, "status": "failed", "run_id": None, "message": message}
        _write_state(state_path, state)
        return SlotOutcome(name, "failed", key, message, attempt=attempt["count"])
    say(
        f"schedule {name}: "
        + (
            f"slot {key} again, attempt {attempt['count'] + 1} of {MAX_ATTEMPTS}"
            if attempt["count"]
            else f"running slot {key}"
        )
    )
    attempt["count"] += 1
    attempt["error"] = None
    attempt["started"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")  # to find a run it published
    entry["attempt"] = attempt
    # the attempt is recorded before the run: a process killed mid-run leaves the slot not done,
    # and the next call tries again (and stops after MAX_ATTEMPTS)
    _write_state(state_path, state)
    try:
        result = runner(
            data_dir=_resolve_dir(s.data_dir, base_dir),
            notebooks=s.notebooks,
            params=render_params(s, slot),
            reports_dir=reports_dir,
            schedule=name,
            **({} if s.projects is None else {"projects": s.projects}),
            **({"scenarios": [base_dir / f for f in s.scenarios]} if s.scenarios else {}),
        )
    except Exception as exc:  # noqa: BLE001 - one schedule's failure does not stop the others
        message = _one_line(exc)
        published = _published_by(reports_dir, name, attempt)
        if published is not None:  # it raised after publishing: the slot has its run, not another
            say(f"schedule {name}: run {published['_dir']} was published, then: {message}")
            return _ended(name, s, key, state, state_path, published, attempt, reports_dir=reports_dir, say=say)
        if attempt["count"] >= MAX_ATTEMPTS:
            state[name] = {"done": key, "status": "failed", "run_id": None, "message": message}
            outcome = SlotOutcome(name, "failed", key, message, attempt=attempt["count"], ran=True)
        else:
            attempt["error"] = message
            outcome = SlotOutcome(name, "error", key, message, attempt=attempt["count"], ran=True)
    else:  # the run ended and published, whatever its status
        status, run_id = getattr(result, "status", "success"), getattr(result, "run_id", None)
        state[name] = {"done": key, "status": status, "run_id": run_id, "message": ""}
        outcome = SlotOutcome(name, status, key, run_id=run_id, attempt=attempt["count"], ran=True)
        if s.mail_to and run_id and status != "failed":  # a newer report replaces one not yet mailed
            state[name]["mail"] = {"run_id": run_id, "status": "pending", "attempts": 0, "error": None}
    if unsent is not None:
        state[name].setdefault("mail", unsent)
    _write_state(state_path, state)
    if (state[name].get("mail") or {}).get("status") == "pending":
        outcome.mail = _mail_pending(name, s, state, state_path, reports_dir=reports_dir, say=say)
    return outcome


def _published_by(reports_dir: Path, name: str, attempt: dict[str, Any]) -> dict[str, Any] | None:
    """The manifest of the newest run of schedule ``name`` published since ``attempt`` started, or None."""
    try:
        since = dt.datetime.fromisoformat(str(attempt.get("started"))).timestamp()
    except ValueError:
        return None
    runs = [m for m in read_manifests(reports_dir) if m.get("schedule") == name and started_timestamp(m) >= since - 1]
    return runs[0] if runs else None


def _ended(
    name: str,
    s: Schedule,
    key: str,
    state: dict[str, dict[str, Any]],
    state_path: Path,
    manifest: dict[str, Any],
    attempt: dict[str, Any],
    *,
    reports_dir: Path,
    say: Callable[[str], None],
) -> SlotOutcome:
    """Record the slot ``key`` as ended with the published run ``manifest`` (and its mail pending)."""
    unsent = state.get(name, {}).get("mail")
    status, run_id = str(manifest.get("status")), manifest["_dir"]
    state[name] = {"done": key, "status": status, "run_id": run_id, "message": ""}
    if s.mail_to and status != "failed":
        state[name]["mail"] = {"run_id": run_id, "status": "pending", "attempts": 0, "error": None}
    elif unsent is not None:
        state[name]["mail"] = unsent
    _write_state(state_path, state)
    outcome = SlotOutcome(name, status, key, run_id=run_id, attempt=int(attempt.get("count") or 0), ran=True)
    if (state[name].get("mail") or {}).get("status") == "pending":
        outcome.mail = _mail_pending(name, s, state, state_path, reports_dir=reports_dir, say=say)
    return outcome


def _bare(address: str) -> str:
    """The address part of ``Name <address>`` (as a server names a refused recipient)."""
    return parseaddr(address)[1] or address


def _mail_pending(
    name: str,
    s: Schedule,
    state: dict[str, dict[str, Any]],
    state_path: Path,
    *,
    reports_dir: Path,
    say: Callable[[str], None],
) -> str:
    """Try to mail the schedule's published run that has not gone out yet; record how it went.

    Runs after the run is published and its slot recorded: a mail server that is down or refuses
    never holds up or loses a report. A failure is logged and left ``pending``; every later call
    (``run-due``, ``serve``) tries again, until it is sent or a newer run of the schedule replaces it.
    """
    entry = state[name]["mail"]
    run_dir = reports_dir / entry["run_id"]
    if not (run_dir / "manifest.json").is_file():  # pruned or removed since: nothing left to mail
        text = f"mail of run {entry['run_id']} dropped: its run folder {str(run_dir)!r} is gone (pruned?)"
        entry.update(status="dropped", error=text)
        _write_state(state_path, state)
        say(f"schedule {name}: {text}")
        return text
    entry["attempts"] = int(entry.get("attempts") or 0) + 1
    # a retry after some recipients were refused goes to them only (the others have it)
    pending_to = [a for a in entry.get("to") or s.mail_to if isinstance(a, str)] or s.mail_to
    try:
        delivery = deliver(run_dir, to=pending_to, alert_off_track=s.alert_off_track)
    except Exception as exc:  # noqa: BLE001 - logged and tried again: delivery never fails the schedule
        entry["error"] = _one_line(exc)
        text = (
            f"mail of run {entry['run_id']} not sent (attempt {entry['attempts']}, tried again at the next call): "
            f"{entry['error']}"
        )
    else:
        got = [a for a in pending_to if a not in delivery.refused and _bare(a) not in delivery.refused]
        text = f"mailed run {entry['run_id']} to {len(got)} of {len(pending_to)} recipient(s): " + "; ".join(
            delivery.subjects
        )
        if delivery.refused:
            refused = "; ".join(f"{a} ({why})" for a, why in delivery.refused.items())
            entry.update(status="pending", to=[a for a in pending_to if a not in got], error=f"refused: {refused}")
            text += f"; refused, tried again at the next call: {refused}"
        else:
            entry.pop("to", None)
            entry.update(
                status="sent",
                error=None,
                sent=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                subjects=delivery.subjects,
            )
    _write_state(state_path, state)
    say(f"schedule {name}: {text}")
    return text


def run_schedules(
    schedules: dict[str, Schedule],
    *,
    reports_dir: Path = REPORTS_DIR,
    now: dt.datetime | None = None,
    runner: Callable[..., Any] | None = None,
    base_dir: Path = PROJ_ROOT,
    say: Callable[[str], None] = print,
) -> list[SlotOutcome]:
    """Run every schedule whose latest slot has not ended yet; one :class:`SlotOutcome` per schedule.

    The engine behind ``schedule run-due`` and ``schedule serve``. A concurrent call finds the lock
    taken, says so and returns ``[]``. Each attempt is recorded before its run starts; the slot is
    recorded as done when the run returns (any status) or when its :data:`MAX_ATTEMPTS`-th attempt
    has raised or been interrupted. One schedule's failure never stops the others.
    """
    if runner is None:
        # here, not at the top: listing or checking schedules never loads the runner (papermill, nbconvert)
        from pmo_analysis.runs.runner import run_reports as runner
    now = now or dt.datetime.now(dt.UTC)
    reports_dir = Path(reports_dir)
    state_path = reports_dir / ".schedule-state.json"
    outcomes: list[SlotOutcome] = []
    with _lock(reports_dir / ".schedule.lock") as got:
        if not got:
            say("another run-due call is running; nothing to do")
            return outcomes
        state = _read_state(state_path, now=now, say=say)
        for name, s in schedules.items():
            slot = due_slot(s, now=now, last_slot=state.get(name, {}).get("done"))
            if slot is None:
                nxt = next_runs(s, after=now, n=1)[0]
                outcomes.append(SlotOutcome(name, "not due", message=f"next slot {nxt.isoformat()}"))
                if s.mail_to and (state.get(name, {}).get("mail") or {}).get("status") == "pending":
                    outcomes[-1].mail = _mail_pending(name, s, state, state_path, reports_dir=reports_dir, say=say)
            else:
                outcomes.append(
                    _run_slot(
                        name,
                        s,
                        slot,
                        state,
                        state_path,
                        runner=runner,
                        reports_dir=reports_dir,
                        base_dir=base_dir,
                        say=say,
                    )
                )
    return outcomes


def run_due(
    schedules: dict[str, Schedule],
    *,
    reports_dir: Path = REPORTS_DIR,
    now: dt.datetime | None = None,
    runner: Callable[..., Any] | None = None,
    base_dir: Path = PROJ_ROOT,
    say: Callable[[str], None] = print,
) -> list[tuple[str, str]]:
    """Run every schedule whose latest slot has not run yet. Safe to call every minute.

    Returns ``[(schedule, slot)]`` of the slots this call started a run for; see
    :func:`run_schedules` for how each ended.
    """
    outcomes = run_schedules(schedules, reports_dir=reports_dir, now=now, runner=runner, base_dir=base_dir, say=say)
    return [(o.schedule, o.slot) for o in outcomes if o.ran and o.slot]


def serve(
    schedules: dict[str, Schedule],
    *,
    reports_dir: Path = REPORTS_DIR,
    base_dir: Path = PROJ_ROOT,
    runner: Callable[..., Any] | None = None,
    say: Callable[[str], None] = print,
    clock: Callable[[], dt.datetime] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    max_iterations: int | None = None,
) -> None:
    """Keep running: at the start of every minute, run every schedule that is due.

    Each wake-up is one :func:`run_schedules` call for all schedules, so every schedule due in the
    same minute runs, with the slots, the state file and the lock of ``run-due`` (the two can be
    used together). ``clock``, ``sleep`` and ``max_iterations`` (wake-ups before returning; None:
    forever) let a test drive the loop.
    """
    clock = clock or (lambda: dt.datetime.now(dt.UTC))
    for name, s in schedules.items():
        say(f"{name}: next run {next_runs(s, after=clock(), n=1)[0]:%Y-%m-%d %H:%M %Z}")
    done = 0
    while max_iterations is None or done < max_iterations:
        now = clock()
        try:
            for outcome in run_schedules(
                schedules, reports_dir=reports_dir, now=now, runner=runner, base_dir=base_dir, say=say
            ):
                if outcome.ran or outcome.status == "failed":
                    say(str(outcome))
        except (PMOError, OSError) as exc:  # e.g. an unreadable state file: report it, keep serving
            say(f"schedules not run at {now:%Y-%m-%d %H:%M %Z}: {_one_line(exc)}")
        done += 1
        if max_iterations is not None and done >= max_iterations:
            break
        after = clock()
        wake = after.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
        sleep(max((wake - after).total_seconds(), 0))
