"""Schedules: loading with per-schedule errors, one cron engine, slots marked done only when the run
ended, bounded retries, and the serve loop driven by a fake clock. No test starts a kernel: the
runner is replaced by a function."""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import signal
from pathlib import Path
from types import SimpleNamespace

import pytest

from pmo_analysis import ParameterError
from pmo_analysis.runs.schedule import (
    MAX_ATTEMPTS,
    Schedule,
    due_slot,
    load_schedules,
    next_runs,
    run_due,
    run_schedules,
    serve,
)

UTC = dt.UTC
TAG = "is not allowed; give plain values (text, numbers, true/false, dates YYYY-MM-DD)"


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "schedules.yml"
    path.write_text("schedules:\n" + body, encoding="utf-8")
    return path


def _entry(name: str, cron: str, extra: str = "") -> str:
    return f'  {name}:\n    cron: "{cron}"\n    timezone: UTC\n    data_dir: d\n{extra}'


# ---------------------------------------------------------------- loading
@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        (
            _entry("bad", "0 0 30 2 *"),
            "'cron' field day-of-month '30' never occurs in month '2', so the schedule would never run: '0 0 30 2 *'",
        ),
        (
            _entry("bad", "0 0 31 4 *"),
            "'cron' field day-of-month '31' never occurs in month '4', so the schedule would never run: '0 0 31 4 *'",
        ),
        (
            _entry("bad", "0 0 30,31 2 *"),
            "'cron' field day-of-month '30,31' never occurs in month '2', so the "
            "schedule would never run: '0 0 30,31 2 *'",
        ),
        (_entry("bad", "0 25 * * *"), "'cron' field hour '25' is not valid: '0 25 * * *'"),
        (_entry("bad", "0 7 * * 8"), "'cron' field day-of-week '8' is not valid: '0 7 * * 8'"),
        (
            _entry("bad", "0 0 * * * *"),
            "'cron' must have 5 fields (minute hour day-of-month month day-of-week), got 6: '0 0 * * * *'",
        ),
        (_entry("bad", "R 7 * * *"), "'cron' field minute 'R' is random or hashed; give fixed times: 'R 7 * * *'"),
        (
            "  bad:\n    cron: '0 7 * * *'\n    timezone: Europe\n    data_dir: d\n",
            "'timezone' is not an IANA time zone such as Europe/London: 'Europe'",
        ),
        ("  bad:\n    timezone: UTC\n    data_dir: d\n", "needs 'cron'"),
        ("  bad: 3\n", "must be a mapping with cron, timezone and data_dir, got int"),
        (
            _entry("bad", "0 7 * * *", "    colour: red\n"),
            "unknown field(s) colour; use cron, timezone, data_dir, notebooks, params, mail, projects, scenarios",
        ),
        (
            _entry("bad", "0 7 * * *", "    notebooks: portfolio_roi\n"),
            "'notebooks' must be a list of notebook names, got 'portfolio_roi'",
        ),
        (
            _entry("bad", "0 7 * * *", "    params:\n      as_of: [1, 2]\n"),
            "parameter 'as_of' must be a single value (text, a number, true/false or a date YYYY-MM-DD), got list [1, 2]",
        ),
        (
            _entry("bad", "0 7 * * *", "    params:\n      budget_cap: .inf\n"),
            "parameter 'budget_cap' must be a finite number, got inf",
        ),
        (
            _entry("bad", "0 7 * * *", "    params:\n      as_of: '{{ last_year_end }}'\n"),
            "parameter 'as_of': unknown template {{ last_year_end }}; use one of today, yesterday, last_month_end, "
            "last_week_end, slot",
        ),
        (
            _entry("bad", "0 7 * * *", "    params:\n      as_of: !!python/object/apply:os.system [id]\n"),
            f"key 'schedules.bad.params.as_of' (line 11): YAML tag '!!python/object/apply:os.system' {TAG}",
        ),
        (
            _entry("bad", "0 7 * * *", "    params:\n      as_of: !!binary aGk=\n"),
            f"key 'schedules.bad.params.as_of' (line 11): YAML tag '!!binary' {TAG}",
        ),
    ],
)
def test_a_bad_schedule_is_reported_and_the_others_still_load(tmp_path, entry, problem):
    path = _write(tmp_path, _entry("first", "0 7 * * MON") + entry + _entry("last", "0 6 2 * *"))
    schedules, problems = load_schedules(path)
    assert list(schedules) == ["first", "last"]
    assert problems == [f"{path}: schedule 'bad': {problem}"]


def test_names_weekday_numbers_and_leap_days_load(tmp_path):
    path = _write(
        tmp_path,
        _entry("a", "@daily")
        + _entry("b", "0 7 * * 0-7")
        + _entry("c", "0 0 29 2 *")
        + _entry("d", "0 0 30 2 1")
        + _entry("e", "0 0 L 2 *"),
    )
    schedules, problems = load_schedules(path)
    assert problems == [] and list(schedules) == ["a", "b", "c", "d", "e"]


def test_the_workbook_schedules_load():
    from pmo_analysis.core.config import PROJ_ROOT

    schedules, problems = load_schedules(PROJ_ROOT / "schedules.yml")
    assert problems == [] and set(schedules) == {"weekly", "monthly"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("schedules: []\n", "{path}: expected a 'schedules:' mapping of named schedules"),
        (
            "schedules: [\n",
            "{path}: not valid YAML at line 2, column 1: expected the node content, but found '<stream end>'",
        ),
    ],
)
def test_a_file_that_cannot_be_read_raises_one_line(tmp_path, text, message):
    path = tmp_path / "s.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ParameterError) as info:
        load_schedules(path)
    assert str(info.value) == message.format(path=path)
    with pytest.raises(ParameterError, match=r"^schedule file not found: "):
        load_schedules(tmp_path / "none.yml")


# ---------------------------------------------------------------- one cron engine: weekday numbers
def test_day_of_week_numbers_are_cron_numbers():
    after = dt.datetime(2026, 3, 1, 12, tzinfo=UTC)  # a Sunday
    monday = Schedule("m", "0 7 * * 1", "Europe/London", "d")
    sunday = Schedule("s", "0 7 * * 7", "Europe/London", "d")
    assert [t.strftime("%a %d") for t in next_runs(monday, after=after)] == ["Mon 02", "Mon 09", "Mon 16"]
    assert [t.strftime("%a %d") for t in next_runs(sunday, after=after)] == ["Sun 08", "Sun 15", "Sun 22"]
    assert next_runs(Schedule("z", "0 7 * * 0", "UTC", "d"), after=after) == next_runs(
        Schedule("s", "0 7 * * 7", "UTC", "d"), after=after
    )
    # run-due sees the same Monday
    assert (
        due_slot(monday, now=dt.datetime(2026, 3, 2, 7, 0, tzinfo=UTC), last_slot=None).isoformat()
        == "2026-03-02T07:00:00+00:00"
    )


# ---------------------------------------------------------------- marking slots done
MONDAY = Schedule("weekly", "0 7 * * 1", "UTC", "data/sample")
NOW = dt.datetime(2026, 3, 2, 7, 5, tzinfo=UTC)
SLOT = "2026-03-02T07:00:00+00:00"


def _state(reports: Path) -> dict:
    return json.loads((reports / ".schedule-state.json").read_text())


def _quiet(**kwargs):
    kwargs.setdefault("say", lambda m: None)
    return run_schedules({"weekly": MONDAY}, **kwargs)


def test_a_run_that_raises_is_retried_then_recorded_as_failed(tmp_path):
    calls = []

    def missing_folder(**kw):
        calls.append(kw)
        raise ParameterError("data folder not found: '/srv/pmo/data'")

    outcomes = [
        _quiet(reports_dir=tmp_path, now=NOW + dt.timedelta(minutes=i), runner=missing_folder)[0]
        for i in range(MAX_ATTEMPTS + 1)
    ]
    assert [o.status for o in outcomes] == ["error", "error", "failed", "not due"]
    assert len(calls) == MAX_ATTEMPTS == 3
    assert str(outcomes[0]) == (
        f"weekly: error, slot {SLOT}, attempt 1 of 3, tried again at the next call: "
        f"data folder not found: '/srv/pmo/data'"
    )
    assert (
        str(outcomes[2])
        == f"weekly: failed, slot {SLOT}, gave up after 3 attempt(s): data folder not found: '/srv/pmo/data'"
    )
    assert _state(tmp_path)["weekly"] == {
        "done": SLOT,
        "status": "failed",
        "run_id": None,
        "message": "data folder not found: '/srv/pmo/data'",
    }
    # the next slot starts afresh
    ok = _quiet(reports_dir=tmp_path, now=NOW + dt.timedelta(days=7), runner=lambda **kw: None)[0]
    assert ok.status == "success" and ok.slot == "2026-03-09T07:00:00+00:00"


def test_a_run_that_recovers_is_recorded_as_its_status(tmp_path):
    results = iter([OSError(28, "No space left on device"), SimpleNamespace(status="partial", run_id="r2")])

    def flaky(**kw):
        r = next(results)
        if isinstance(r, Exception):
            raise r
        return r

    first = _quiet(reports_dir=tmp_path, now=NOW, runner=flaky)[0]
    assert first.status == "error" and first.message == "OSError: [Errno 28] No space left on device"
    second = _quiet(reports_dir=tmp_path, now=NOW + dt.timedelta(minutes=1), runner=flaky)[0]
    assert (second.status, second.run_id, second.attempt, second.ok) == ("partial", "r2", 2, False)
    # a published run ended, whatever its status: not run again
    third = _quiet(reports_dir=tmp_path, now=NOW + dt.timedelta(minutes=2), runner=flaky)[0]
    assert third.status == "not due"
    assert _state(tmp_path)["weekly"] == {"done": SLOT, "status": "partial", "run_id": "r2", "message": ""}


class _Killed(BaseException):
    """Stands for the process being stopped mid-run (KeyboardInterrupt, SystemExit, a signal)."""


def test_a_run_interrupted_mid_way_is_run_again(tmp_path):
    def interrupted(**kw):
        raise _Killed()

    with pytest.raises(_Killed):
        _quiet(reports_dir=tmp_path, now=NOW, runner=interrupted)
    assert "done" not in _state(tmp_path)["weekly"]
    calls = []
    again = _quiet(reports_dir=tmp_path, now=NOW + dt.timedelta(minutes=1), runner=lambda **kw: calls.append(kw))[0]
    assert again.status == "success" and again.attempt == 2 and len(calls) == 1


def test_a_slot_interrupted_every_time_fails_after_the_last_attempt(tmp_path):
    def interrupted(**kw):
        raise _Killed()

    for i in range(MAX_ATTEMPTS):
        with pytest.raises(_Killed):
            _quiet(reports_dir=tmp_path, now=NOW + dt.timedelta(minutes=i), runner=interrupted)
    outcome = _quiet(reports_dir=tmp_path, now=NOW + dt.timedelta(minutes=9), runner=interrupted)[0]
    assert str(outcome) == (
        f"weekly: failed, slot {SLOT}, gave up after 3 attempt(s): "
        "the last of 3 attempts was interrupted before it ended"
    )


def _killed_child(reports: str) -> None:
    def kill(**kw):
        os.kill(os.getpid(), signal.SIGKILL)

    run_due({"weekly": MONDAY}, reports_dir=Path(reports), now=NOW, runner=kill, say=lambda m: None)


def test_a_process_killed_mid_run_leaves_the_slot_and_the_lock_to_the_next_call(tmp_path):
    child = multiprocessing.get_context("fork").Process(target=_killed_child, args=(str(tmp_path),))
    child.start()
    child.join(10)
    assert child.exitcode == -signal.SIGKILL
    calls = []
    ran = run_due(
        {"weekly": MONDAY},
        reports_dir=tmp_path,
        now=NOW + dt.timedelta(minutes=1),
        runner=lambda **kw: calls.append(kw),
        say=lambda m: None,
    )
    assert ran == [("weekly", SLOT)] and len(calls) == 1
    assert _state(tmp_path)["weekly"]["done"] == SLOT


def test_one_schedule_failing_does_not_stop_the_others(tmp_path):
    other = Schedule("monthly", "0 6 2 * *", "UTC", "data/sample")

    def runner(**kw):
        if kw["schedule"] == "weekly":
            raise RuntimeError("boom")

    outcomes = run_schedules(
        {"weekly": MONDAY, "monthly": other}, reports_dir=tmp_path, now=NOW, runner=runner, say=lambda m: None
    )
    assert [(o.schedule, o.status) for o in outcomes] == [("weekly", "error"), ("monthly", "success")]


def test_state_written_before_attempts_were_recorded_still_reads(tmp_path):
    (tmp_path / ".schedule-state.json").write_text(json.dumps({"weekly": SLOT}))
    assert _quiet(reports_dir=tmp_path, now=NOW, runner=lambda **kw: pytest.fail("ran twice"))[0].status == "not due"
    _quiet(reports_dir=tmp_path, now=NOW + dt.timedelta(days=7), runner=lambda **kw: None)
    assert _state(tmp_path)["weekly"]["done"] == "2026-03-09T07:00:00+00:00"


def test_an_unreadable_state_file_is_one_line_kept_aside_and_never_stops_the_schedules(tmp_path):
    (tmp_path / ".schedule-state.json").write_text("{not json")
    said, calls = [], []
    outcome = run_schedules(
        {"weekly": MONDAY}, reports_dir=tmp_path, now=NOW, runner=lambda **kw: calls.append(kw), say=said.append
    )[0]
    assert said[0].startswith(f"{tmp_path / '.schedule-state.json'}: the schedule state is not valid (")
    assert said[0].endswith("); kept as .schedule-state.json.invalid, and every schedule's latest slot runs again")
    assert (tmp_path / ".schedule-state.json.invalid").read_text() == "{not json"
    assert outcome.status == "success" and len(calls) == 1 and _state(tmp_path)["weekly"]["done"] == SLOT


# ---------------------------------------------------------------- serve
class _Clock:
    """A clock that moves on by the time asked to sleep (plus a few seconds of work per wake-up)."""

    def __init__(self, start: dt.datetime) -> None:
        self.now, self.sleeps = start, []

    def __call__(self) -> dt.datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += dt.timedelta(seconds=seconds + 3)


def test_serve_wakes_every_minute_and_runs_every_schedule_due(tmp_path):
    schedules = {
        "monday": Schedule("monday", "5 0 * * 1", "Europe/London", "d"),
        "also_monday": Schedule("also_monday", "5 0 * * MON", "Europe/London", "d"),
        "sunday": Schedule("sunday", "55 23 * * 7", "Europe/London", "d"),
        "tuesday": Schedule("tuesday", "5 0 * * 2", "Europe/London", "d"),
    }
    # state as if every schedule had run its slot before Sunday 1 March
    (tmp_path / ".schedule-state.json").write_text(
        json.dumps({name: "2026-02-28T00:00:00+00:00" for name in schedules})
    )
    clock = _Clock(dt.datetime(2026, 3, 1, 23, 50, 30, tzinfo=UTC))  # Sunday 23:50:30 in London (GMT)
    runs = []
    serve(
        schedules,
        reports_dir=tmp_path,
        runner=lambda **kw: runs.append((kw["schedule"], clock.now)),
        say=lambda m: None,
        clock=clock,
        sleep=clock.sleep,
        max_iterations=20,
    )
    assert [(name, f"{t:%a %H:%M}") for name, t in runs] == [
        ("sunday", "Sun 23:55"),
        ("monday", "Mon 00:05"),
        ("also_monday", "Mon 00:05"),
    ]
    assert clock.sleeps[0] == 30 and set(clock.sleeps[1:]) == {57}


def test_serve_reports_a_bad_state_file_and_keeps_going(tmp_path):
    (tmp_path / ".schedule-state.json").write_text("[]")
    said = []
    clock = _Clock(dt.datetime(2026, 3, 2, 7, 0, tzinfo=UTC))
    serve(
        {"weekly": MONDAY},
        reports_dir=tmp_path,
        runner=lambda **kw: None,
        say=said.append,
        clock=clock,
        sleep=clock.sleep,
        max_iterations=2,
    )
    assert said == [
        "weekly: next run 2026-03-09 07:00 UTC",
        f"{tmp_path / '.schedule-state.json'}: the schedule state is not valid (not a JSON object); kept as "
        ".schedule-state.json.invalid, and every schedule's latest slot runs again",
        f"schedule weekly: running slot {SLOT}",
        f"weekly: success, slot {SLOT}",
    ]


# ---------------------------------------------------------------- state read defensively
@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ({"done": "2026-03-02T07:00:00"}, "the 'done' time '2026-03-02T07:00:00' has no offset (+00:00)"),
        ({"done": "next monday"}, "the 'done' time 'next monday' is not a time"),
        ({"done": 5}, "the 'done' time 5 is not a time"),
        (
            {"done": "2031-01-06T07:00:00+00:00", "status": "success"},
            "the 'done' time '2031-01-06T07:00:00+00:00' is in the future (a clock error: was the clock once set ahead?)",
        ),
    ],
)
def test_a_bad_done_time_is_named_and_the_latest_slot_runs(tmp_path, entry, problem):
    (tmp_path / ".schedule-state.json").write_text(json.dumps({"weekly": entry}))
    said, calls = [], []
    outcome = run_schedules(
        {"weekly": MONDAY}, reports_dir=tmp_path, now=NOW, runner=lambda **kw: calls.append(kw), say=said.append
    )[0]
    assert said[0] == f"{tmp_path / '.schedule-state.json'}: schedule 'weekly': {problem}; the latest slot runs again"
    assert outcome.status == "success" and len(calls) == 1
    assert _state(tmp_path)["weekly"]["done"] == SLOT


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        ({"attempt": "x"}, "the 'attempt' record 'x' is not valid; attempts of this slot count from 0"),
        (
            {"attempt": {"slot": SLOT, "count": "2"}},
            "the 'attempt' record {'slot': '2026-03-02T07:00:00+00:00', 'count': '2'} is not valid; "
            "attempts of this slot count from 0",
        ),
        ({"mail": "pending"}, "the 'mail' record 'pending' is not valid; it is dropped"),
        (
            {"mail": {"run_id": "r1", "status": "pending", "attempts": "x"}},
            "the 'mail' record {'run_id': 'r1', 'status': 'pending', 'attempts': 'x'} is not valid; it is dropped",
        ),
    ],
)
def test_a_bad_attempt_or_mail_record_is_named_and_reset(tmp_path, entry, problem):
    (tmp_path / ".schedule-state.json").write_text(json.dumps({"weekly": entry}))
    said = []
    outcome = run_schedules(
        {"weekly": MONDAY}, reports_dir=tmp_path, now=NOW, runner=lambda **kw: None, say=said.append
    )[0]
    assert said[0] == f"{tmp_path / '.schedule-state.json'}: schedule 'weekly': {problem}"
    assert outcome.status == "success" and outcome.attempt == 1


def test_a_run_that_raises_after_publishing_is_one_run_for_its_slot(tmp_path):
    """A run that published its folder and then raised (the index could not be written) is the
    slot's run: later calls record it, and never publish another."""
    published = []

    def publishes_then_raises(**kw):
        run_id = f"20260302T0700{len(published):02d}Z-weekly"
        folder = tmp_path / run_id
        folder.mkdir()
        manifest = {
            "run_id": run_id,
            "schedule": "weekly",
            "status": "success",
            "started": dt.datetime.now(UTC).isoformat(timespec="seconds"),
            "notebooks": [],
        }
        (folder / "manifest.json").write_text(json.dumps(manifest))
        published.append(run_id)
        raise OSError(28, "No space left on device")

    outcomes = [
        _quiet(reports_dir=tmp_path, now=NOW + dt.timedelta(minutes=i), runner=publishes_then_raises)[0]
        for i in range(3)
    ]
    assert len(published) == 1
    assert [(o.status, o.run_id) for o in outcomes] == [("success", published[0]), ("not due", None), ("not due", None)]
    assert _state(tmp_path)["weekly"] == {"done": SLOT, "status": "success", "run_id": published[0], "message": ""}


def test_a_pending_mail_of_a_pruned_run_is_dropped_with_a_message(tmp_path):
    mailed = Schedule("weekly", "0 7 * * 1", "UTC", "data/sample", mail_to=["cio@example.org"])
    pending = {"run_id": "20260302T070004Z-weekly", "status": "pending", "attempts": 1, "error": "x"}
    (tmp_path / ".schedule-state.json").write_text(
        json.dumps({"weekly": {"done": SLOT, "status": "success", "run_id": pending["run_id"], "mail": pending}})
    )
    said = []
    (outcome,) = run_schedules({"weekly": mailed}, reports_dir=tmp_path, now=NOW, runner=None, say=said.append)
    gone = tmp_path / pending["run_id"]
    text = f"mail of run {pending['run_id']} dropped: its run folder {str(gone)!r} is gone (pruned?)"
    assert outcome.status == "not due" and outcome.mail == text and said == [f"schedule weekly: {text}"]
    assert _state(tmp_path)["weekly"]["mail"]["status"] == "dropped"
    (later,) = run_schedules({"weekly": mailed}, reports_dir=tmp_path, now=NOW, runner=None, say=said.append)
    assert later.mail == "" and len(said) == 1
