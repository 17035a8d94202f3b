"""The run's ``report.xlsx``, written by a process of its own while the notebooks run.

``_Workbook`` starts the process (``_workbook_process``, a spawned child that imports this module
only), tells it each report that has ended, and waits for it when the last one has; where no child
process may start, the workbook is written in the run's own process at the end. The sheets
themselves are :func:`pmo_analysis.reporting.export.workbook_of_run`'s.
"""

from __future__ import annotations

import multiprocessing
import queue
from collections.abc import Callable
from pathlib import Path

from pmo_analysis.core.orphans import end_with_parent
from pmo_analysis.reporting.export import workbook_of_run


def _workbook_process(tmp: str, reports: list[str], ended, errors, language: str = "en") -> None:
    """The body of the workbook's process: :func:`pmo_analysis.reporting.export.workbook_of_run` fed by the run."""
    parent = multiprocessing.parent_process()
    if parent is not None:
        end_with_parent(parent.pid)  # Linux ends it with a run killed outright

    def next_ended():
        while True:
            try:
                return ended.get(timeout=2)
            except queue.Empty:  # where the system does not, it looks for itself between reports
                if parent is not None and not parent.is_alive():
                    raise SystemExit(1) from None

    try:
        workbook_of_run(tmp, reports=reports, ended=next_ended, language=language)
    except BaseException as exc:  # noqa: BLE001 - told to the run, which goes on without a workbook
        errors.put(f"{type(exc).__name__}: {exc}"[:2000])  # short: a long message would block its exit


class _Workbook:
    """``report.xlsx``, written by a process of its own while the notebooks run: each report's
    tables become sheets as soon as it has ended, put in the plan's order when the file closes.
    A workbook that cannot be written never costs the run its reports.
    """

    def __init__(self, tmp: Path, reports: list[str], *, language: str = "en") -> None:
        self.tmp, self.reports, self.language = tmp, reports, language
        ctx = multiprocessing.get_context("spawn")
        self.ended, self.errors = ctx.Queue(), ctx.Queue()
        self.process = ctx.Process(
            target=_workbook_process,
            args=(str(tmp), reports, self.ended, self.errors, language),
            name="report.xlsx",
            daemon=True,
        )
        try:
            self.process.start()
        except AssertionError:  # "daemonic processes are not allowed to have children": written at the end
            self.process = None

    def report_ended(self, name: str) -> None:
        if self.process is not None:
            self.ended.put(name)

    def finish(self, say: Callable[[str], None]) -> None:
        """Wait for the workbook; say why it was not written, if it was not."""
        if self.process is None:
            try:
                workbook_of_run(self.tmp, reports=self.reports, language=self.language)
            except Exception as exc:  # noqa: BLE001 - a workbook that cannot be written never costs the run its reports
                say(f"report.xlsx not written: {type(exc).__name__}: {exc}")
            return
        self.ended.put(None)
        self.process.join()
        try:  # what the process put is in the pipe once it has ended
            why = self.errors.get_nowait() if self.process.exitcode == 0 else None
        except queue.Empty:
            why = None
        if self.process.exitcode:
            why = f"its process ended with exit code {self.process.exitcode}"
            for part in self.tmp.glob(".report.xlsx.*.tmp"):  # a process that died leaves no half file
                part.unlink(missing_ok=True)
        if why:
            say(f"report.xlsx not written: {why}")

    def stop(self) -> None:
        """The run failed: the workbook is not wanted."""
        if self.process is not None and self.process.is_alive():
            self.process.kill()
            self.process.join()
