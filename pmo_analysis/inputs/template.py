"""The data contract as an Excel input template: the standard workbook a PMO hands its project
managers, in English or Chinese.

:func:`write_template` writes one sheet per table of :data:`~pmo_analysis.inputs.schema.SCHEMA`,
each with the contract's column names as its header row (frozen, required columns dark, optional
ones light) and a comment on every header cell saying what the column holds, its type, unit,
range, allowed values and references, in the template's language. Every column the contract
restricts has a data validation, so a spreadsheet program refuses a wrong value as it is typed:

* a coded column (``allowed`` values: status, kind, type, impact, phase...) a drop-down list of
  exactly those values;
* a reference (``project_id``, ``resource_id``, ``predecessor_id``...) a drop-down list of the ids
  typed so far in the referred sheet (a named range that grows with it);
* a date column a date between 1900-01-01 (the first date a spreadsheet holds) and the last date
  the contract accepts, shown ``yyyy-mm-dd``; a month column a date shown ``yyyy-mm``;
* a number column its range (``Column.min``/``max``, at most ``Column.limit`` in absolute value).

The first sheet says in plain words what each table is for, who fills it, which tables are
required, and how to check and run the filled workbook. It is ignored when the workbook is read:
``pmo-analysis validate filled.xlsx`` and ``pmo-analysis run --data-dir filled.xlsx`` read the
sheets named after the tables (:func:`pmo_analysis.inputs.readers.find_workbook_tables`).

The validations are the contract's rules that a spreadsheet can check cell by cell; the rest
(unique ids, end dates after start dates, references to rows deleted later) is checked by
``pmo-analysis validate``, which names the workbook, sheet, row, column, value and rule.

openpyxl writes the file: the package reads every workbook with it, so one library writes and
reads the template (XlsxWriter, which writes report.xlsx, writes validations too, but cannot read
them back).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils.datetime import to_excel
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from pmo_analysis.core.bounds import format_number
from pmo_analysis.core.i18n import CODE_LABELS, LANGUAGES, _, current, language
from pmo_analysis.inputs.schema import ORDERED_DATES, SCHEMA, TABLES, UNIQUE_KEYS, Column, references
from pmo_analysis.inputs.validation import DATE_RANGE

__all__ = [
    "LAST_ROW",
    "FIRST_DATE",
    "TABLE_GUIDE",
    "write_template",
    "column_note",
    "value_label",
    "number_range",
    "id_list_name",
]

LAST_ROW = 1_048_576
"""The last row of a sheet: every validation and format covers its column down to here."""

FIRST_DATE = dt.date(1900, 1, 1)
"""The first date a spreadsheet cell holds (Excel's serial 1); the contract accepts earlier ones
from CSV and Parquet (:data:`~pmo_analysis.inputs.validation.DATE_RANGE`)."""

#: What each table is for, who fills it and whether a run needs it (English; the catalogue has
#: the Chinese). The need is one of the keys of :data:`_NEEDS`.
TABLE_GUIDE: dict[str, tuple[str, str, str]] = {
    "projects": (
        "One row per project in the portfolio, whatever its status.",
        "PMO",
        "required",
    ),
    "cashflows": (
        "One row per project and month: planned and actual cost and benefit.",
        "Finance, with each project manager",
        "required",
    ),
    "resources": (
        "One row per person whose time the PMO plans: role, department, weekly capacity, cost.",
        "Resource manager",
        "utilization",
    ),
    "assignments": (
        "Who is planned on which project, from when to when, at what share of their week.",
        "Resource manager, with each project manager",
        "utilization",
    ),
    "timesheets": (
        "Hours booked: one row per person, project (or non-project activity) and day.",
        "Each person, or an export of the timesheet system",
        "utilization",
    ),
    "lessons": (
        "Lessons learned: what went well and what to improve, with a recommendation.",
        "Project manager",
        "lessons",
    ),
    "holidays": (
        "Public holidays: weekdays nobody works.",
        "PMO",
        "optional",
    ),
    "dependencies": (
        "Projects that wait for another project: which one, how and with what lag.",
        "PMO",
        "delivery",
    ),
    "milestones": (
        "Milestones with their baseline, forecast and actual dates; one row per status report.",
        "Project manager",
        "delivery",
    ),
    "risks": (
        "Open and closed risks and issues, with probability, cost impact, owner and due date.",
        "Project manager",
        "delivery",
    ),
}

_NEEDS = {
    "required": "Required",
    "utilization": "For the utilization report",
    "lessons": "For the lessons-learned report",
    "delivery": "Optional: for the delivery report",
    "optional": "Optional",
}

_KINDS = {
    "id": "Text (an identifier or a name).",
    "text": "Text.",
    "date": "Date (YYYY-MM-DD).",
    "month": "Month (YYYY-MM, or any date in the month).",
    "amount": "Number (amount).",
    "number": "Number.",
    "category": "One of the listed values.",
}

_FORMATS = {"date": "yyyy-mm-dd", "month": "yyyy-mm", "amount": "#,##0.00"}
_WIDTHS = {"id": 16, "text": 28, "date": 13, "month": 11, "amount": 15, "number": 12, "category": 16}
_REQUIRED_FILL = PatternFill("solid", fgColor="1F3864")
_OPTIONAL_FILL = PatternFill("solid", fgColor="D9E1F2")
_TITLE_FONT = Font(bold=True, size=14)
_BOLD = Font(bold=True)


def id_list_name(table: str, column: str) -> str:
    """The workbook-wide name of the ids typed in ``table.column`` (what a reference's drop-down
    lists): ``projects.project_id`` is ``projects_project_id``.

    >>> id_list_name("projects", "project_id")
    'projects_project_id'
    """
    return f"{table}_{column}"


def write_template(path: str | Path, *, language_code: str = "en") -> Path:
    """Write the data contract as an Excel input workbook to ``path`` and return the path.

    Parameters
    ----------
    path : path
        The ``.xlsx`` file to write (its folder must exist; a file there is replaced).
    language_code : {"en", "zh"}
        Language of the instructions sheet, the header comments and the validation messages;
        sheet and column names are the contract's, in every language, so the workbook reads back.

    Returns
    -------
    Path
        ``path``.

    Examples
    --------
    >>> import tempfile, openpyxl
    >>> out = write_template(Path(tempfile.mkdtemp()) / "template.xlsx", language_code="zh")
    >>> openpyxl.load_workbook(out).sheetnames[:3]
    ['说明', 'projects', 'cashflows']
    """
    if language_code not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, got {language_code!r}")
    path = Path(path)
    with language(language_code):
        wb = Workbook()
        _write_instructions(wb.active)
        for table in TABLES:
            _write_table_sheet(wb, table)
        _define_id_lists(wb)
        wb.save(path)
    return path


# --------------------------------------------------------------------------- the instructions
def _write_instructions(ws: Worksheet) -> None:
    """The first sheet: what the workbook is, how to fill it, each table, how to check and run."""
    ws.title = _("Instructions")
    ws.sheet_properties.tabColor = "1F3864"
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["B"].width = 70
    ws.column_dimensions["C"].width = 34
    ws.column_dimensions["D"].width = 30
    wrap = Alignment(wrap_text=True, vertical="top")
    ws["A1"] = _("Portfolio data template")
    ws["A1"].font = _TITLE_FONT
    ws.merge_cells("A1:D1")
    steps = [
        _(
            "Fill one sheet per table below. Keep the sheet names and the header rows as they are; "
            "type or paste your rows under the header."
        ),
        _(
            "Point at a column's header to read what it holds. "
            "Dark headers are required; light headers may be left empty."
        ),
        _(
            "Coded columns offer a drop-down list; date columns take dates only; number columns take their range "
            "only; id columns offer the ids typed in the projects or resources sheet, so fill those sheets first."
        ),
        _("Amounts are in one currency for the whole workbook. An empty cell means not given, never zero."),
        _("This sheet is ignored when the workbook is read; sheets you do not need may stay empty."),
    ]
    row = 3
    for i, step in enumerate(steps, start=1):
        ws.cell(row, 1, f"{i}.").alignment = wrap
        cell = ws.cell(row, 2, step)
        cell.alignment = wrap
        ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=4)
        ws.row_dimensions[row].height = 32
        row += 1
    row += 1
    for col, text in enumerate((_("Sheet"), _("What it holds"), _("Who fills it"), _("Needed")), start=1):
        cell = ws.cell(row, col, text)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = _REQUIRED_FILL
    for table in TABLES:
        row += 1
        purpose, who, need = TABLE_GUIDE[table]
        link = ws.cell(row, 1, table)
        link.hyperlink = f"#'{table}'!A1"
        link.font = Font(color="0563C1", underline="single")
        link.alignment = wrap
        for col, text in enumerate((_(purpose), _(who), _(_NEEDS[need])), start=2):
            ws.cell(row, col, text).alignment = wrap
        ws.row_dimensions[row].height = 30
    row += 2
    ws.cell(row, 1, _("Check and run")).font = _BOLD
    commands = [
        (_("Check the workbook:"), "pmo-analysis validate portfolio-data.xlsx"),
        (_("Run the reports:"), "pmo-analysis run --data-dir portfolio-data.xlsx -p as_of 2026-06-30"),
    ]
    for text, command in commands:
        row += 1
        ws.cell(row, 1, text)
        ws.cell(row, 2, command).font = Font(name="Courier New")
    row += 1
    cell = ws.cell(
        row,
        2,
        _(
            "validate lists every problem with its sheet, row, column, value and rule; fix them and check again. "
            "The rules are in docs/data-dictionary.md."
        ),
    )
    cell.alignment = wrap
    ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=4)
    ws.row_dimensions[row].height = 32
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)


# --------------------------------------------------------------------------- one sheet per table
def _write_table_sheet(wb: Workbook, table: str) -> None:
    """The sheet of ``table``: header, comments, widths, formats and validations."""
    ws = wb.create_sheet(table)
    ws.freeze_panes = "A2"
    for i, col in enumerate(SCHEMA[table], start=1):
        letter = ws.cell(1, i).column_letter
        cell = ws.cell(1, i, col.name)
        cell.font = Font(bold=True, color="FFFFFF" if col.required else "1F3864")
        cell.fill = _REQUIRED_FILL if col.required else _OPTIONAL_FILL
        note = column_note(table, col)
        comment = Comment(note, "pmo-analysis")
        comment.width, comment.height = _NOTE_WIDTH, _note_height(note)
        cell.comment = comment
        dim = ws.column_dimensions[letter]
        dim.width = max(_WIDTHS[col.kind], len(col.name) + 3)
        if col.kind in _FORMATS:
            dim.number_format = _FORMATS[col.kind]
        validation = _validation(table, col)
        if validation is not None:
            validation.add(f"{letter}2:{letter}{LAST_ROW}")
            ws.add_data_validation(validation)


_NOTE_WIDTH = 330  # points; a note box does not grow with its text in Excel, so it is sized here


def _note_height(note: str) -> int:
    """The height in points that shows all of ``note`` in a box :data:`_NOTE_WIDTH` wide: about
    6 points a Latin character and 11 a Chinese one, 15 points a line, and a margin.

    >>> _note_height("status"), _note_height("状态" * 40)
    (35, 65)
    """
    lines = 0
    for line in note.splitlines():
        width = sum(11 if _CJK.match(ch) else 6 for ch in line)
        lines += max(1, -(-width // (_NOTE_WIDTH - 20)))
    return 15 * lines + 20


_CJK = re.compile(r"[\u2e80-\u9fff\uff00-\uffef]")


def _reference(table: str, col: Column) -> tuple[str, str] | None:
    """``(referred table, referred column)`` when ``col`` refers to another table."""
    for name, ref_table, ref_col in references(table):
        if name == col.name:
            return ref_table, ref_col
    return None


def _validation(table: str, col: Column) -> DataValidation | None:
    """The data validation of ``col``, or ``None`` for free text."""
    title = _("Not allowed here")
    ref = _reference(table, col)
    if ref is not None:
        ref_table, ref_col = ref
        return _checked(
            type="list",
            formula1=id_list_name(ref_table, ref_col),
            allow_blank=True,
            errorTitle=title,
            error=_(
                "Choose a {column} typed in the {table} sheet (fill that sheet first).", column=ref_col, table=ref_table
            ),
        )
    if col.allowed:
        return _checked(
            type="list",
            formula1='"' + ",".join(col.allowed) + '"',
            allow_blank=True,
            errorTitle=title,
            error=_("Choose one of: {values}", values=", ".join(col.allowed)),
        )
    if col.kind == "date":
        first, last = (to_excel(d) for d in (FIRST_DATE, DATE_RANGE[1].date()))
        return _checked(
            type="date",
            operator="between",
            formula1=_number(first),
            formula2=_number(last),
            allow_blank=True,
            errorTitle=title,
            error=_("Enter a date, such as 2026-03-31."),
        )
    if col.kind == "month":
        # a date cell, or text that starts with a year and month: a spreadsheet may keep a typed
        # 2026-03 as text (LibreOffice does), which the contract accepts as the month
        cell = f"{_letter_of(table, col)}2"
        return _checked(
            type="custom",
            formula1=f'OR(ISNUMBER({cell}),ISNUMBER(DATEVALUE(LEFT({cell},7)&"-01")))',
            allow_blank=True,
            errorTitle=title,
            error=_("Enter a month, such as 2026-03."),
        )
    if col.kind in ("amount", "number"):
        low, high = number_range(col)
        if col.min_inclusive or col.min is None:
            return _checked(
                type="decimal",
                operator="between",
                formula1=_number(low),
                formula2=_number(high),
                allow_blank=True,
                errorTitle=title,
                error=_("Enter a number {range}.", range=_range_words(col)),
            )
        # "above min, at most max": a spreadsheet's "between" includes both ends, so the rule is a
        # formula on the column's first cell (relative: each cell checks itself)
        cell = f"{_letter_of(table, col)}2"
        return _checked(
            type="custom",
            formula1=f"AND(ISNUMBER({cell}),{cell}>{_number(low)},{cell}<={_number(high)})",
            allow_blank=True,
            errorTitle=title,
            error=_("Enter a number {range}.", range=_range_words(col)),
        )
    return None


def _checked(**options) -> DataValidation:
    """A data validation that refuses a wrong entry with its message (openpyxl's default shows
    no message, so a spreadsheet program would accept anything).
    """
    return DataValidation(showErrorMessage=True, errorStyle="stop", **options)


def _number(value: float) -> str:
    """A bound as a spreadsheet formula writes it: ``0``, ``0.5``, ``1000000000000000``."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _letter_of(table: str, col: Column) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter([c.name for c in SCHEMA[table]].index(col.name) + 1)


def number_range(col: Column) -> tuple[float, float]:
    """The lowest and highest value a number column takes: its own range within ``±limit``.

    >>> number_range(SCHEMA["projects"][6])  # budget
    (0, 1000000000000000.0)
    """
    low = -col.limit if col.min is None else max(col.min, -col.limit)
    high = col.limit if col.max is None else min(col.max, col.limit)
    return low, high


def _range_words(col: Column) -> str:
    low, high = number_range(col)
    lower = (">= " if col.min_inclusive or col.min is None else "> ") + format_number(low)
    return _("{low} and {high}", low=lower, high="<= " + format_number(high))


def _define_id_lists(wb: Workbook) -> None:
    """A name per referred id column: the cells from row 2 down to the last filled one, so a
    reference's drop-down offers the ids typed so far and grows as rows are added.
    """
    from openpyxl.utils import get_column_letter

    referred = {(t, c) for table in TABLES for _name, t, c in references(table)}
    for ref_table, ref_col in sorted(referred):
        letter = get_column_letter([c.name for c in SCHEMA[ref_table]].index(ref_col) + 1)
        formula = f"OFFSET({ref_table}!${letter}$2,0,0,MAX(1,COUNTA({ref_table}!${letter}$2:${letter}${LAST_ROW})),1)"
        wb.defined_names[id_list_name(ref_table, ref_col)] = DefinedName(
            id_list_name(ref_table, ref_col), attr_text=formula
        )


# --------------------------------------------------------------------------- header comments
def value_label(code: str) -> str:
    """A code value with its meaning in the current language: ``on_hold (暂停)`` in Chinese,
    ``on_hold`` in English, where the code already reads as a word.
    """
    if current() == "en":
        return code
    pair = CODE_LABELS.get(code)
    words = pair[LANGUAGES.index(current())] if pair is not None else _(code)
    return code if words == code else f"{code}（{words}）"


def column_note(table: str, col: Column) -> str:
    """What the header comment of ``col`` says, in the current language: its meaning, whether it
    is required, its type, unit, range, values, reference and the rules it shares with others.

    >>> print(column_note("cashflows", SCHEMA["cashflows"][0]))
    project_id
    Required.
    Text (an identifier or a name).
    Must be a project_id of the projects sheet.
    Unique together with period: one row per project_id, period.
    """
    lines = [col.name]
    if col.description:
        lines.append(_(col.description))
    lines.append(_("Required.") if col.required else _("Optional: leave empty when not known."))
    lines.append(_(_KINDS[col.kind]))
    if col.unit:
        lines.append(_("Unit: {unit}.", unit=_(col.unit)))
    if col.kind in ("amount", "number"):
        lines.append(_("Range: {range}.", range=_range_words(col)))
    if col.allowed:
        lines.append(_("Values: {values}.", values=", ".join(value_label(v) for v in col.allowed)))
    ref = _reference(table, col)
    if ref is not None:
        lines.append(_("Must be a {column} of the {table} sheet.", column=ref[1], table=ref[0]))
    if col.unique:
        lines.append(_("Unique: no two rows have the same value."))
    for t, key in UNIQUE_KEYS:
        if t == table and col.name == key[0]:
            others = ", ".join(key[1:])
            lines.append(_("Unique together with {others}: one row per {key}.", others=others, key=", ".join(key)))
    for t, start, end in ORDERED_DATES:
        if t == table and col.name == end:
            lines.append(_("Must not be before {column}.", column=start))
    return "\n".join(lines)
