"""Exceptions raised by the workbook.

Every error the workbook raises on purpose derives from :class:`PMOError`, so the
CLI can print it as one clear line (tracebacks only with ``--debug``).
"""

from __future__ import annotations

from dataclasses import dataclass


class PMOError(Exception):
    """Base class of the workbook's own errors."""


@dataclass(frozen=True)
class Problem:
    """One problem found in the input data.

    ``row`` is the row number a spreadsheet user sees (the header is row 1); for a table read
    from a database, the row's primary key or its row in the query result, as text
    (``project_id 'PRJ-007'``, ``result row 12``); ``None`` when the problem concerns the whole
    table or file.
    """

    table: str
    file: str
    row: int | str | None
    column: str | None
    value: object
    rule: str
    severity: str = "error"

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}" if isinstance(self.row, int) else f", {self.row}"
        if self.column:
            where += f", column {self.column!r}"
        value = "" if self.value is None else f": value {self.value!r}"
        return f"{where}{value}: {self.rule}"


@dataclass(frozen=True)
class NotebookError:
    """Why one notebook of a report run failed; recorded, not raised.

    A failed notebook does not stop the run: the other notebooks still publish, and this record
    goes into the run's ``manifest.json`` (as ``{cell, ename, evalue, source}``), the report's
    banner and the run's index. ``cell`` is the execution count of the failing cell (``In [4]``),
    or ``None`` when the notebook failed before or outside a cell (a cell timeout, a kernel that
    died, an unreadable notebook); ``source`` is the first non-blank line of that cell.
    """

    cell: int | None
    ename: str
    evalue: str
    source: str = ""

    @property
    def where(self) -> str:
        """Where the notebook failed, as the report's banner says it."""
        if self.cell is None:
            return "before or outside a cell"
        return f"in cell In [{self.cell}]" + (f" ({self.source})" if self.source else "")

    def __str__(self) -> str:
        return f"{self.ename}: {self.evalue}"

    @classmethod
    def from_manifest(cls, error: dict) -> NotebookError:
        """The record of a notebook's ``error`` in a ``manifest.json`` (``source`` may be absent)."""
        return cls(
            cell=error.get("cell"),
            ename=str(error.get("ename", "")),
            evalue=str(error.get("evalue", "")),
            source=str(error.get("source") or ""),
        )


class DataValidationError(PMOError):
    """The data folder breaks the data contract; ``problems`` lists every problem."""

    def __init__(self, problems: list[Problem], data_dir: str = "") -> None:
        self.problems = list(problems)
        self.data_dir = data_dir
        super().__init__(self._format())

    def _format(self) -> str:
        errors = [p for p in self.problems if p.severity == "error"]
        lines = [f"{len(errors)} problem(s) in the portfolio data {self.data_dir}".rstrip()]
        by_table: dict[str, list[Problem]] = {}
        for p in errors:
            by_table.setdefault(p.table, []).append(p)
        for table, problems in by_table.items():
            lines.append(f"[{table}]")
            lines.extend(f"  - {p}" for p in problems)
        return "\n".join(lines)


class ParameterError(PMOError):
    """A notebook or CLI parameter is invalid."""


class ScenarioError(PMOError):
    """A scenario file that cannot be applied; ``problems`` lists every problem, each one line
    naming the file and its line (``cut20.yml, line 4: delay: unknown project 'PRJ-999'``).
    """

    def __init__(self, problems: list[str]) -> None:
        self.problems = sorted(problems, key=_line_number)  # in the order of the file
        super().__init__("\n".join(self.problems))


def _line_number(problem: str) -> int:
    """The line a scenario problem names (``"<file>, line 4: ..."``); 0 for one without."""
    _head, sep, rest = problem.partition(", line ")
    number = rest.split(":", 1)[0] if sep else ""
    return int(number) if number.isdigit() else 0


class MissingTableError(PMOError):
    """An analysis needs a table that the data folder does not hold."""


class ReadError(PMOError):
    """A file or database table that cannot be read as a table; the message is the rule shown to the user."""


class PublishError(PMOError):
    """The reports folder holds something the workbook did not make where it would write (an
    ``index.html`` or ``latest`` of someone else's); the message names it and what to do.
    """


class MailError(PMOError):
    """Mail could not be prepared or sent; the message says why (never a password)."""


class ScheduleFileError(PMOError):
    """A schedule file (Microsoft Project, Primavera P6) that cannot be imported: corrupt,
    password-protected, empty or of an unsupported format; the message names the file and why.
    """

    def __init__(self, file: str, reason: str) -> None:
        self.file = file
        self.reason = reason
        super().__init__(f"{file}: {reason}")
