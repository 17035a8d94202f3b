"""The input template (``pmo-analysis template``): the data contract as an Excel workbook, read back
as a data source.

The unit tests read the written workbook with openpyxl and start nothing. The round trip starts
LibreOffice: a spreadsheet program that shares no code with openpyxl types the sample's rows into
the template and saves it, and the workbook it wrote validates and gives the sample's model.
"""

from __future__ import annotations

import ast
import csv
import dataclasses
import re
import shutil
import subprocess
import time
import zipfile
from pathlib import Path
from types import SimpleNamespace
from xml.etree import ElementTree as ET
from xml.sax.saxutils import escape

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from openpyxl.worksheet.datavalidation import DataValidation, DataValidationList

from pmo_analysis import DataValidationError, load_portfolio
from pmo_analysis.cli import main
from pmo_analysis.core import i18n
from pmo_analysis.core.config import SAMPLE_AS_OF, SAMPLE_DATA_DIR
from pmo_analysis.inputs import template as T
from pmo_analysis.inputs.schema import SCHEMA, TABLES, Column, references
from pmo_analysis.model import build_model

_CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> dict[str, openpyxl.Workbook]:
    """The template in each language, as written and read back by openpyxl."""
    folder = tmp_path_factory.mktemp("template")
    return {
        lang: openpyxl.load_workbook(T.write_template(folder / f"{lang}.xlsx", language_code=lang))
        for lang in i18n.LANGUAGES
    }


def _validations(ws) -> dict[str, object]:
    """The data validation of each column letter of ``ws`` (each covers one column)."""
    out = {}
    for dv in ws.data_validations.dataValidation:
        for rng in str(dv.sqref).split():
            letters = {re.sub(r"\d", "", part) for part in rng.split(":")}
            assert len(letters) == 1, rng
            out[letters.pop()] = dv
    return out


def _letter(table: str, column: str) -> str:
    return openpyxl.utils.get_column_letter([c.name for c in SCHEMA[table]].index(column) + 1)


def _columns(kinds: tuple[str, ...]) -> list[tuple[str, Column]]:
    return [(t, c) for t in TABLES for c in SCHEMA[t] if c.kind in kinds]


# --------------------------------------------------------------------------- the sheets
@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_one_sheet_per_table_with_the_contract_headers_after_the_instructions(books, lang):
    wb = books[lang]
    assert wb.sheetnames == [{"en": "Instructions", "zh": "说明"}[lang], *TABLES]
    for table in TABLES:
        ws = wb[table]
        assert [c.value for c in ws[1]] == [c.name for c in SCHEMA[table]]
        assert ws.freeze_panes == "A2"
        for col in SCHEMA[table]:
            cell = ws[f"{_letter(table, col.name)}1"]
            assert (cell.fill.fgColor.rgb == "001F3864") is col.required, (table, col.name)
            assert ws.column_dimensions[_letter(table, col.name)].width >= len(col.name) + 3


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_the_instructions_name_every_table_who_fills_it_and_the_commands(books, lang):
    ws = books[lang].worksheets[0]
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    by_table = {r[0]: r for r in rows if r[0] in TABLES}
    assert list(by_table) == list(TABLES)
    with i18n.language(lang):
        for table, (purpose, who, need) in T.TABLE_GUIDE.items():
            assert by_table[table][1:4] == [i18n._(purpose), i18n._(who), i18n._(T._NEEDS[need])]
        assert by_table["projects"][3] == i18n._("Required")
        assert by_table["risks"][3] != i18n._("Required")
    text = "\n".join(str(v) for r in rows for v in r if v)
    assert "pmo-analysis validate portfolio-data.xlsx" in text
    assert "pmo-analysis run --data-dir portfolio-data.xlsx" in text
    assert bool(_CJK.search(text)) is (lang == "zh")


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_every_header_has_a_note_in_the_template_language(books, lang):
    for table in TABLES:
        for cell in books[lang][table][1]:
            note = cell.comment.text
            assert note.splitlines()[0] == cell.value
            if lang == "zh":  # every line but the column name says something in Chinese
                assert all(_CJK.search(line) for line in note.splitlines()[1:]), note
            else:
                assert not _CJK.search(note), note


def test_a_note_says_what_the_contract_says_of_its_column(books):
    with i18n.language("zh"):
        note = T.column_note("projects", SCHEMA["projects"][3])
    assert note == (
        "status\n在项目组合中的状态\n必填。\n列表中的一个值。\n"
        "可选值：proposed（提议）, active（进行中）, on_hold（暂停）, completed（已完成）, cancelled（已取消）。"
    )
    assert T.column_note("assignments", SCHEMA["assignments"][3]).splitlines()[-1] == "Must not be before start_date."
    assert "Range: > 0 and <= 24." in T.column_note("timesheets", SCHEMA["timesheets"][2])
    assert "Optional: leave empty when not known." in T.column_note("timesheets", SCHEMA["timesheets"][3])


def test_every_template_text_has_chinese():
    """The literal texts of the module and the contract's words it shows (descriptions, units,
    values) are in the catalogue; the package-wide check reads only top-level modules.
    """
    literals = set()
    for node in ast.walk(ast.parse(Path(T.__file__).read_text(encoding="utf-8"))):
        call = isinstance(node, ast.Call) and getattr(node.func, "id", None) == "_" and node.args
        if call and isinstance(node.args[0], ast.Constant):
            literals.add(node.args[0].value)
    shown = {c.description for cols in SCHEMA.values() for c in cols if c.description}
    shown |= {c.unit for cols in SCHEMA.values() for c in cols if c.unit}
    shown |= {v for cols in SCHEMA.values() for c in cols for v in c.allowed if v not in i18n.CODE_LABELS}
    shown |= {text for guide in T.TABLE_GUIDE.values() for text in guide[:2]} | set(T._NEEDS.values())
    shown |= set(T._KINDS.values())
    assert len(literals) > 30
    assert sorted(m for m in literals | shown if m not in i18n.CATALOGUE) == []


# --------------------------------------------------------------------------- the validations
def test_every_coded_column_offers_exactly_its_allowed_values(books):
    coded = [(t, c) for t in TABLES for c in SCHEMA[t] if c.allowed]
    assert {c.name for _, c in coded} >= {"status", "kind", "type", "impact", "phase", "action_status"}
    for table, col in coded:
        dv = _validations(books["en"][table])[_letter(table, col.name)]
        assert dv.type == "list"
        assert dv.formula1.strip('"').split(",") == list(col.allowed), (table, col.name)


def test_every_reference_offers_the_ids_of_the_referred_sheet(books):
    wb = books["en"]
    refs = [(t, *r) for t in TABLES for r in references(t)]
    assert len(refs) == 10
    for table, column, ref_table, ref_column in refs:
        dv = _validations(wb[table])[_letter(table, column)]
        assert dv.type == "list" and dv.allow_blank, (table, column)
        name = wb.defined_names[dv.formula1]
        # the ids typed from row 2 of the referred column down to the last one
        letter = _letter(ref_table, ref_column)
        assert name.attr_text.startswith(f"OFFSET({ref_table}!${letter}$2,0,0,"), name.attr_text
        assert f"COUNTA({ref_table}!${letter}$2:${letter}${T.LAST_ROW})" in name.attr_text


def test_every_date_column_takes_dates_only_and_shows_them_year_first(books):
    dates = _columns(("date",))
    assert len(dates) == 17
    for table, col in dates:
        ws = books["en"][table]
        dv = _validations(ws)[_letter(table, col.name)]
        assert (dv.type, dv.operator, dv.formula1, dv.formula2) == ("date", "between", "1", "73050")
        assert ws.column_dimensions[_letter(table, col.name)].number_format == "yyyy-mm-dd"
    assert openpyxl.utils.datetime.from_excel(73050).date().isoformat() == "2099-12-31"  # the contract's last date


def test_the_month_column_takes_a_date_or_a_year_and_month(books):
    ws = books["en"]["cashflows"]
    dv = _validations(ws)["B"]
    assert (dv.type, dv.formula1) == ("custom", 'OR(ISNUMBER(B2),ISNUMBER(DATEVALUE(LEFT(B2,7)&"-01")))')
    assert ws.column_dimensions["B"].number_format == "yyyy-mm"


def _accepts(dv, value: float) -> bool:
    """Whether a spreadsheet accepts ``value`` under a number validation of the template."""
    if dv.type == "decimal":
        assert dv.operator == "between"
        return float(dv.formula1) <= value <= float(dv.formula2)
    m = re.fullmatch(r"AND\(ISNUMBER\(([A-Z]+2)\),\1>(-?[\d.]+),\1<=(-?[\d.]+)\)", dv.formula1)
    assert dv.type == "custom" and m, dv.formula1
    return float(m[2]) < value <= float(m[3])


_NUMBER_COLUMNS = _columns(("amount", "number"))


@given(
    column=st.sampled_from(_NUMBER_COLUMNS),
    value=st.one_of(
        st.floats(allow_nan=False, allow_infinity=False),
        st.sampled_from([0.0, -0.0, 1.0, 5.0, 5.000001, 24.0, 100.0, 168.0, 3650.0, -3650.0, 1e15, -1e15, 1e15 + 1]),
    ),
)
def test_a_number_column_accepts_what_the_contract_accepts(books, column, value):
    """The law: a number the template's validation lets through is one the contract accepts, and
    the other way round (its own range and the plausibility limit)."""
    table, col = column
    dv = _validations(books["en"][table])[_letter(table, col.name)]
    contract = not (col.bounds.is_outside(value) or col.limit_bounds.is_outside(value))
    assert _accepts(dv, value) is contract


def test_every_validation_refuses_a_wrong_entry_with_a_message_in_the_language(books):
    for lang, wb in books.items():
        for table in TABLES:
            for dv in wb[table].data_validations.dataValidation:
                assert dv.showErrorMessage and dv.errorStyle == "stop" and dv.allow_blank
                assert bool(_CJK.search(dv.error)) is (lang == "zh"), dv.error
                assert len(dv.errorTitle) <= 32  # Excel's limit
    # free text has no validation; every other column has one
    ws = books["en"]["projects"]
    assert set(_validations(ws)) == {"D", "E", "F", "G", "K", "L", "M", "N"}


# --------------------------------------------------------------------------- reading a filled workbook
def _fill(path: Path, rows: dict[str, list[list]]) -> Path:
    """Write ``rows`` under the headers of a fresh template (as a user pasting would)."""
    T.write_template(path)
    wb = openpyxl.load_workbook(path)
    for table, values in rows.items():
        for r, row in enumerate(values, start=2):
            for c, value in enumerate(row, start=1):
                wb[table].cell(r, c, value)
    wb.save(path)
    return path


_PROJECT = ["P-1", "Lagerverwaltung", "Logistik", "active", pd.Timestamp("2026-01-05"), pd.Timestamp("2026-09-30"), 5e5]


def test_a_filled_template_loads_and_its_empty_sheets_are_tables_not_given(tmp_path):
    p2 = ["P-2", "仓库系统", "物流部", "completed", pd.Timestamp("2025-02-01"), pd.Timestamp("2025-12-31"), 120000]
    path = _fill(
        tmp_path / "filled.xlsx",
        {
            "projects": [_PROJECT, p2],
            "cashflows": [["P-1", pd.Timestamp("2026-02-01"), 1000, 0], ["P-2", "2025-03", 2500.5, 300, 2400, None]],
        },
    )
    p = load_portfolio(path)
    assert p.projects["project_id"].tolist() == ["P-1", "P-2"]
    assert p.projects["name"].tolist() == ["Lagerverwaltung", "仓库系统"]
    assert p.cashflows["period"].dt.strftime("%Y-%m").tolist() == ["2026-02", "2025-03"]
    assert p.cashflows["actual_cost"].isna().tolist() == [True, False]
    assert p.files == {"projects": path, "cashflows": path}
    assert {t: n for t, n in p.row_counts().items() if n is not None} == {"projects": 2, "cashflows": 2}


def test_a_problem_names_the_workbook_sheet_spreadsheet_row_and_column(tmp_path):
    bad = ["P-3", "Data lake", "IT", "Done", pd.Timestamp("2026-01-01"), pd.Timestamp("2026-06-30"), -10]
    path = _fill(tmp_path / "team.xlsx", {"projects": [_PROJECT, [None] * 7, bad]})  # a blank row counts
    with pytest.raises(DataValidationError) as info:
        load_portfolio(path)
    assert [str(p) for p in info.value.problems] == [
        "team.xlsx [sheet projects], row 4, column 'status': value 'Done': must be one of "
        "proposed, active, on_hold, completed, cancelled",
        "team.xlsx [sheet projects], row 4, column 'budget': value '-10': must be >= 0",
    ]


def test_a_reference_to_a_row_of_another_sheet_is_checked_across_sheets(tmp_path):
    path = _fill(
        tmp_path / "refs.xlsx",
        {
            "projects": [_PROJECT],
            "cashflows": [["P-1", "2026-02", 10, 0], ["P-9", "2026-02", 10, 0]],
            "risks": [["K-1", "P-1", "risk", "Vendor late", 0.3, 5000, None, "open", pd.Timestamp("2026-01-10")]],
        },
    )
    with pytest.raises(DataValidationError) as info:
        load_portfolio(path)
    assert [str(p) for p in info.value.problems] == [
        "refs.xlsx [sheet cashflows], row 3, column 'project_id': value 'P-9': unknown project_id: not in projects"
    ]


def test_a_missing_empty_or_damaged_workbook_is_one_line(tmp_path):
    def problems(path):
        with pytest.raises(DataValidationError) as info:
            load_portfolio(path)
        return [str(p) for p in info.value.problems]

    assert problems(tmp_path / "none.xlsx") == [f"{tmp_path / 'none.xlsx'}: the data workbook does not exist"]
    empty = T.write_template(tmp_path / "empty.xlsx")
    assert problems(empty)[0].startswith(f"{empty}: no table has a row: name each sheet after its table")
    damaged = tmp_path / "damaged.xlsx"
    damaged.write_bytes(b"PK\x03\x04 not really a workbook")
    assert problems(damaged)[0].startswith(f"{damaged}: cannot read the workbook: ")
    only_cashflows = _fill(tmp_path / "cf.xlsx", {"cashflows": [["P-1", "2026-01", 1, 0]]})
    assert problems(only_cashflows) == [
        "cf.xlsx [sheet projects]: the projects table is required: fill the projects sheet "
        "(every other table refers to it)"
    ]


def test_the_commands_write_check_and_refuse(tmp_path):
    runner = CliRunner()
    out = tmp_path / "模板.xlsx"
    result = runner.invoke(main, ["template", "--language", "zh", str(out)])
    assert result.exit_code == 0, result.output
    assert openpyxl.load_workbook(out).sheetnames[0] == "说明"
    bad = runner.invoke(main, ["template", str(tmp_path / "template.csv")])
    assert bad.exit_code == 2 and "must end in .xlsx" in bad.output
    filled = _fill(tmp_path / "filled.xlsx", {"projects": [_PROJECT]})
    result = runner.invoke(main, ["validate", str(filled)])
    assert result.exit_code == 0, result.output
    assert "  projects                1 rows  (filled.xlsx)" in result.output
    assert "  cashflows    absent" in result.output


# --------------------------------------------------------------------------- the round trip through LibreOffice
#: Planted by LibreOffice after it saved the filled workbook, one at a time, each followed by its
#: own check of the sheet (Tools > Detective > Mark Invalid Data): (sheet, cell, typed, invalid?).
#: Row 2 holds the sample's first row of each sheet.
PLANTED = [
    ("projects", "D2", "done", True),  # a lessons action status, not a project status
    ("projects", "D2", "on_hold", False),
    ("projects", "D2", "On hold", True),  # the contract reads it as on_hold; LibreOffice's list compares exactly
    ("projects", "G2", "-0.01", True),
    ("projects", "K2", "4.5", False),
    ("projects", "K2", "6", True),
    ("projects", "E2", "next week", True),
    ("projects", "N2", "2026-02-29", True),  # not a date (2026 is no leap year): stays text
    ("cashflows", "A2", "PRJ-999", True),  # no such project
    ("cashflows", "A2", "PRJ-040", False),
    ("cashflows", "B2", "2026-11", False),  # kept as text by LibreOffice, a month for the contract
    ("cashflows", "B2", "November", True),
    ("resources", "E2", "0", True),
    ("resources", "E2", "168", False),
    ("resources", "E2", "168.5", True),
    ("risks", "E2", "1.2", True),
    ("dependencies", "C2", "start_to_finish", True),
    ("dependencies", "C2", "finish_to_finish", False),
]
_TYPED_KINDS = ("date", "month", "amount", "number")


def _basic_module(template: Path, data: Path, out: Path, report: Path) -> str:
    """A LibreOffice Basic module whose ``Fill`` opens ``template``, types each CSV of ``data``
    into its sheet column by column, saves the workbook as ``out`` (.xlsx), then plants
    :data:`PLANTED` and writes what LibreOffice's own validity check says of each to ``report``.

    Each CSV is opened with every column as text; dates and numbers are then entered as typed
    input (LibreOffice parses them as a user's typing), text as text.
    """
    lines = [
        "Sub Fill",
        "  Dim hidden(0) As New com.sun.star.beans.PropertyValue",
        '  hidden(0).Name = "Hidden" : hidden(0).Value = True',
        f'  doc = StarDesktop.loadComponentFromURL("{template.as_uri()}", "_blank", 0, hidden())',
    ]
    for table, cols in SCHEMA.items():
        path = data / f"{table}.csv"
        with path.open(encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
        header, n = rows[0], len(rows) - 1
        options = "44,34,76,1," + "/".join(f"{i}/2" for i in range(1, len(header) + 1))  # UTF-8, all text
        lines += [f'  src = OpenCsv("{path.as_uri()}", "{options}")', f'  sheet = doc.Sheets.getByName("{table}")']
        for j, col in enumerate(cols):
            if col.name in header:
                typed = col.kind in _TYPED_KINDS
                lines.append(
                    f"  CopyColumn(src.Sheets.getByIndex(0), sheet, {header.index(col.name)}, {j}, {n}, {typed})"
                )
        lines.append("  src.close(True)")
    lines += [
        "  Dim props(0) As New com.sun.star.beans.PropertyValue",
        '  props(0).Name = "FilterName" : props(0).Value = "Calc MS Excel 2007 XML"',
        f'  doc.storeToURL("{out.as_uri()}", props())',
        f'  Open "{report}" For Output As #1',
    ]
    # the sample as filled: nothing invalid (the timesheets, 51,440 rows, take LibreOffice 12 s to check)
    for table in TABLES:
        if table != "timesheets":
            lines.append(f'  Print #1, "{table},," & doc.Sheets.getByName("{table}").showInvalid()')
    for sheet, cell, typed, _invalid in PLANTED:
        lines.append(f'  Plant(doc.Sheets.getByName("{sheet}"), "{cell}", "{typed}")')
    lines += [
        "  Close #1",
        "  doc.close(True)",
        "End Sub",
        "",
        "Function OpenCsv(url As String, options As String)",
        "  Dim props(2) As New com.sun.star.beans.PropertyValue",
        '  props(0).Name = "FilterName" : props(0).Value = "Text - txt - csv (StarCalc)"',
        '  props(1).Name = "FilterOptions" : props(1).Value = options',
        '  props(2).Name = "Hidden" : props(2).Value = True',
        '  OpenCsv = StarDesktop.loadComponentFromURL(url, "_blank", 0, props())',
        "End Function",
        "",
        "Sub CopyColumn(src, sheet, srcCol As Long, col As Long, n As Long, typed As Boolean)",
        "  values = src.getCellRangeByPosition(srcCol, 1, srcCol, n).getDataArray()",
        "  cells = sheet.getCellRangeByPosition(col, 1, col, n)",
        "  If typed Then",
        "    cells.setFormulaArray(values)",
        "  Else",
        "    cells.setDataArray(values)",
        "  End If",
        "End Sub",
        "",
        "Sub Plant(sheet, name As String, typed As String)",
        "  cell = sheet.getCellRangeByName(name)",
        "  before = cell.getFormula()",
        "  cell.setFormula(typed)",
        "  sheet.clearArrows()",  # the marks of the last check
        '  Print #1, sheet.Name & "," & name & "," & sheet.showInvalid()',
        "  cell.setFormula(before)",
        "End Sub",
    ]
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<!DOCTYPE script:module PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "module.dtd">\n'
        '<script:module xmlns:script="http://openoffice.org/2000/script" script:name="Module1" '
        'script:language="StarBasic">' + escape("\n".join(lines)) + "</script:module>"
    )


@pytest.fixture(scope="module")
def filled_by_libreoffice(tmp_path_factory):
    """The template as LibreOffice filled it with the sample, and what its validity check said.

    LibreOffice runs a Basic macro from a profile of its own: Python-UNO (python3-uno) is not
    installed here, and Basic ships with every LibreOffice, so the same route works wherever
    ``soffice`` does.
    """
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("needs LibreOffice to fill the template: apt-get install libreoffice-calc-nogui")
    tmp = tmp_path_factory.mktemp("libreoffice")
    profile = tmp / "profile"
    template = T.write_template(tmp / "template.xlsx")
    out, report = tmp / "filled.xlsx", tmp / "invalid.txt"
    env_arg = f"-env:UserInstallation={profile.as_uri()}"
    subprocess.run([soffice, env_arg, "--headless", "--terminate_after_init"], check=True, capture_output=True)
    module = profile / "user" / "basic" / "Standard" / "Module1.xba"  # the profile's own macro library
    module.write_text(_basic_module(template, SAMPLE_DATA_DIR, out, report), encoding="utf-8")
    t0 = time.perf_counter()
    subprocess.run(
        [soffice, env_arg, "--headless", "--norestore", "macro:///Standard.Module1.Fill"],
        check=True,
        capture_output=True,
        timeout=180,
    )
    seconds = time.perf_counter() - t0
    assert out.is_file(), f"LibreOffice wrote no workbook in {seconds:.0f} s"
    lines = [line.split(",") for line in report.read_text(encoding="utf-8").splitlines()]
    return out, lines


@pytest.mark.slow
def test_libreoffice_fills_the_template_and_the_suite_reads_the_same_model(filled_by_libreoffice, sample):
    path, _ = filled_by_libreoffice
    filled = load_portfolio(path, as_of=SAMPLE_AS_OF)
    assert filled.warnings == []
    # every table reads as from the sample's CSV files: same rows, values and types; the template's
    # optional columns the sample does not have (projects.status_date...) are empty
    for table in TABLES:
        ours, theirs = getattr(filled, table), getattr(sample, table)
        extra = [c for c in ours.columns if c not in theirs.columns]
        assert ours[extra].isna().all().all() and set(extra) <= {c.name for c in SCHEMA[table] if not c.required}
        pd.testing.assert_frame_equal(ours[list(theirs.columns)], theirs, obj=table)
    # LibreOffice typed dates and numbers as cells of their own type, not text
    ws = openpyxl.load_workbook(path, read_only=True)["projects"]
    first = next(ws.iter_rows(min_row=2, max_row=2))
    assert [type(c.value).__name__ for c in first[4:7]] == ["datetime", "datetime", "int"]
    # shown in the template's formats: dates year first, amounts with thousands separators
    assert [c.number_format.replace("\\", "") for c in first[4:7]] == ["yyyy-mm-dd", "yyyy-mm-dd", "#,##0.00"]
    # so the model is the same: compared on the finance and delivery tables (ROI by project,
    # decisions...), built without the people and lessons tables to keep the test short
    people_and_lessons = dict.fromkeys(("resources", "assignments", "timesheets", "lessons", "holidays"))
    ours, theirs = (
        build_model(dataclasses.replace(p, **people_and_lessons), as_of=SAMPLE_AS_OF) for p in (filled, sample)
    )
    assert ours.tables.keys() == theirs.tables.keys() >= {"projects", "decisions", "selection", "milestones"}
    for name in theirs.tables:
        pd.testing.assert_frame_equal(ours.tables[name], theirs.tables[name], obj=name)


_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def _saved_validations(path: Path, sheet: str) -> dict[str, DataValidation]:
    """The data validations of ``sheet`` as openpyxl reads them, found in the file's XML: loading
    the whole workbook (51,440 timesheet rows) would take openpyxl 9 s.
    """
    rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    with zipfile.ZipFile(path) as z:
        ids = {s.get("name"): s.get(rel) for s in ET.fromstring(z.read("xl/workbook.xml")).iter(f"{_MAIN}sheet")}
        rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
        target = next(r.get("Target") for r in rels if r.get("Id") == ids[sheet])
        with z.open("xl/" + target.removeprefix("/xl/")) as f:
            for _event, elem in ET.iterparse(f):
                if elem.tag == f"{_MAIN}dataValidations":
                    ws = SimpleNamespace(data_validations=DataValidationList.from_tree(elem))
                    return _validations(ws)
                if elem.tag == f"{_MAIN}row":
                    elem.clear()
    return {}


@pytest.mark.slow
def test_the_validations_survive_libreoffice_and_it_applies_them_as_the_contract_does(filled_by_libreoffice):
    path, checks = filled_by_libreoffice
    for table in TABLES:
        got = {
            letter: (dv.type, dv.formula1, dv.showErrorMessage)
            for letter, dv in _saved_validations(path, table).items()
        }
        with i18n.language("en"):
            wanted = {
                _letter(table, c.name): (dv.type, dv.formula1, True)
                for c in SCHEMA[table]
                if (dv := T._validation(table, c)) is not None
            }
        assert got == wanted, table
    with zipfile.ZipFile(path) as z:
        names = ET.fromstring(z.read("xl/workbook.xml")).iter(f"{_MAIN}definedName")
        assert {n.get("name"): n.text for n in names} == {
            "projects_project_id": "OFFSET(projects!$A$2,0,0,MAX(1,COUNTA(projects!$A$2:$A$1048576)),1)",
            "resources_resource_id": "OFFSET(resources!$A$2,0,0,MAX(1,COUNTA(resources!$A$2:$A$1048576)),1)",
        }
    # LibreOffice's own check: the sample as filled is valid everywhere, and each planted value is
    # marked invalid exactly when the contract refuses it
    assert [c for c in checks if c[1] == ""] == [[t, "", "False"] for t in TABLES if t != "timesheets"]
    planted = [c for c in checks if c[1]]
    assert planted == [[sheet, cell, str(invalid)] for sheet, cell, _, invalid in PLANTED]


def test_a_run_and_a_notebook_take_the_workbook_as_their_data(tmp_path):
    """What a run checks before any kernel starts, and what a notebook checks of its data_dir."""
    from pmo_analysis.core.exceptions import ParameterError
    from pmo_analysis.inputs.params import resolve_params
    from pmo_analysis.runs.manifest import _data_record
    from pmo_analysis.runs.plan import _data_source

    path = _fill(tmp_path / "filled.xlsx", {"projects": [_PROJECT]})
    assert _data_source(str(path)) == path
    with pytest.raises(ParameterError, match=r"^data workbook not found: '.*gone\.xlsx'$"):
        _data_source(str(tmp_path / "gone.xlsx"))
    params = resolve_params("portfolio_roi", {"data_dir": str(path), "output_dir": str(tmp_path / "out")})
    assert params.data_dir == path
    with pytest.raises(ParameterError, match="is not a folder, a workbook, a mapping file or a database URL"):
        resolve_params("portfolio_roi", {"data_dir": str(tmp_path / "gone.xlsx"), "output_dir": str(tmp_path)})
    record = _data_record(path, None)  # the manifest: the workbook with its checksum
    assert record["dir"] == str(path)
    assert [f["name"] for f in record["files"]] == ["filled.xlsx"] and len(record["files"][0]["sha256"]) == 64
