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

    ``row`` is the row number a spreadsheet user sees (the header is row 1), or
    ``None`` when the problem concerns the whole table or file.
    """

    table: str
    file: str
    row: int | None
    column: str | None
    value: object
    rule: str
    severity: str = "error"

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column {self.column!r}"
        value = "" if self.value is None else f": value {self.value!r}"
        return f"{where}{value}: {self.rule}"


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


class MissingTableError(PMOError):
    """An analysis needs a table that the data folder does not hold."""
