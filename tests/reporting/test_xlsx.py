"""pmo_analysis.reporting.xlsx: workbooks read back by openpyxl hold exactly the cells given, as XlsxWriter's do."""

from __future__ import annotations

import doctest
import math
import os
import xml.etree.ElementTree as ET
import zipfile

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pmo_analysis.reporting import xlsx
from pmo_analysis.reporting.xlsx import Column, Workbook

xlsxwriter = pytest.importorskip("xlsxwriter", reason="pip install xlsxwriter (the [dev] extras)")

# text as people type it and as files hold it: any character a string can hold except lone surrogates,
# with the ones XML cannot hold, Excel's own escape and markup over-represented
TEXT = st.text(
    st.one_of(
        st.characters(exclude_categories=("Cs",)),
        st.sampled_from(
            ["\x00", "\x01", "\x0b", "\r", "\t", "\n", "\x1f", "\ufffe", "&", "<", ">", '"', "'", "数", "😀"]
        ),
    ),
    max_size=12,
) | st.sampled_from(["_x0041_", "a_x00e9_b", "_x005F_x0000_", "&amp;", "<t>", " lead", "trail ", ""])
NUMBER = st.floats(allow_nan=False, allow_infinity=False) | st.integers(-(2**53), 2**53).map(float)
CELL = st.one_of(st.none(), TEXT, NUMBER, st.booleans())
FORMATS = [None, "#,##0;[Red]-#,##0", "0.0%", "0.00", "#,##0", "#,##0.00", "0"]  # dates: below


@st.composite
def tables(draw):
    rows = draw(st.integers(0, 6))
    kinds = draw(st.lists(st.sampled_from(["text", "number", "bool", "mixed"]), min_size=1, max_size=5))
    columns = []
    for j, kind in enumerate(kinds):
        if kind == "number":
            values = pd.Series(draw(st.lists(NUMBER | st.just(math.nan), min_size=rows, max_size=rows)), dtype=float)
        elif kind == "bool":
            values = pd.Series(draw(st.lists(st.booleans(), min_size=rows, max_size=rows)), dtype=bool)
        elif kind == "text":
            values = pd.Series(draw(st.lists(TEXT | st.none(), min_size=rows, max_size=rows)), dtype=object)
        else:
            values = pd.Series(draw(st.lists(CELL, min_size=rows, max_size=rows)), dtype=object)
        columns.append(
            Column(
                draw(TEXT.filter(bool)) + f" {j}",
                values,
                draw(st.sampled_from(FORMATS)),
                width=draw(st.sampled_from([None, 8, 12.5, 60])),
            )
        )
    return columns


def _with_xlsxwriter(path, sheets: dict[str, list[Column]]):
    """The same sheets written cell by cell by XlsxWriter, the reference."""
    wb = xlsxwriter.Workbook(
        str(path),
        {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False},
    )
    bold = wb.add_format({"bold": True})
    for name, columns in sheets.items():
        ws = wb.add_worksheet(name)
        for j, c in enumerate(columns):
            fmt = wb.add_format({"num_format": c.number_format}) if c.number_format else None
            if c.width is not None or fmt is not None:
                ws.set_column(j, j, 8.43 if c.width is None else c.width, fmt)
        ws.freeze_panes(1, 0)
        for j, c in enumerate(columns):
            ws.write_string(0, j, c.header, bold)
        rows = len(columns[0].data) if columns else 0
        for i in range(rows):
            for j, c in enumerate(columns):
                v = c.data.iloc[i]
                if v is None or (isinstance(v, float) and math.isnan(v)):
                    continue
                if isinstance(v, str):
                    ws.write_string(i + 1, j, v)
                elif isinstance(v, (bool, np.bool_)):
                    ws.write_boolean(i + 1, j, bool(v))
                else:
                    ws.write_number(i + 1, j, float(v))
        if columns:
            ws.autofilter(0, 0, rows, len(columns) - 1)
    wb.close()


def _cells(path, name):
    ws = openpyxl.load_workbook(path)[name]
    cells = {
        (c.row, c.column): (c.value, c.data_type, c.number_format if c.value is not None else None, bool(c.font.b))
        for row in ws.iter_rows()
        for c in row
        if c.value is not None
    }
    widths = {
        i: round(d.width, 6) for d in ws.column_dimensions.values() if d.customWidth for i in range(d.min, d.max + 1)
    }  # XlsxWriter joins neighbours of equal width
    return cells, widths, ws.freeze_panes, ws.auto_filter.ref


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(columns=tables())
def test_cells_read_back_as_xlsxwriter_writes_them_and_numbers_exactly(tmp_path, columns):
    ours, theirs = tmp_path / "ours.xlsx", tmp_path / "theirs.xlsx"
    with Workbook(ours) as wb:
        wb.add_sheet("t", columns)
    _with_xlsxwriter(theirs, {"t": columns})
    got, want = _cells(ours, "t"), _cells(theirs, "t")
    # XlsxWriter writes numbers to 16 significant digits; ours are exact: compared apart
    numbers = {k: v for k, v in got[0].items() if v[1] == "n"}
    for (r, c), (value, *_rest) in numbers.items():
        given_ = float(columns[c - 1].data.iloc[r - 2])
        assert value == given_
        if abs(given_) < 1e308:  # XlsxWriter's 16 digits make the largest floats infinite
            assert want[0][r, c][0] == pytest.approx(given_, rel=1e-15, abs=0)
    assert {k: v for k, v in got[0].items() if k not in numbers} == {
        k: v for k, v in want[0].items() if k not in numbers
    }
    assert {k: v[1:] for k, v in got[0].items()} == {k: v[1:] for k, v in want[0].items()}
    assert got[1:] == want[1:]


def test_sheets_in_the_order_given_with_names_excel_takes_and_a_filter_range_per_sheet(tmp_path):
    path = tmp_path / "b.xlsx"
    n = 12_345  # more rows than one piece: pieces join without a gap
    wb = Workbook(path)
    wb.add_sheet(
        "O'Brien & Co <1>",
        [
            Column("n", pd.Series(np.arange(n, dtype=float))),
            Column("s", pd.Series([f"row {i}" for i in range(n)], dtype=object)),
        ],
    )
    wb.add_sheet("empty", [Column("a", pd.Series([], dtype=float))])
    wb.add_sheet("no columns", [])
    wb.add_sheet("Contents", [Column("sheet", pd.Series(["O'Brien & Co <1>", "empty"], dtype=object))])
    wb.close(order=["Contents", "O'Brien & Co <1>", "empty", "no columns"])
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Contents", "O'Brien & Co <1>", "empty", "no columns"]
    ws = book["O'Brien & Co <1>"]
    assert ws.max_row == n + 1 and ws.cell(n + 1, 1).value == n - 1 and ws.cell(n + 1, 2).value == f"row {n - 1}"
    assert [ws.cell(i, 1).value for i in range(4999, 5004)] == [4997, 4998, 4999, 5000, 5001]
    assert ws.auto_filter.ref == f"A1:B{n + 1}"
    assert book["empty"].max_row == 1 and book["empty"].auto_filter.ref == "A1"
    with zipfile.ZipFile(path) as z:
        for part in z.namelist():  # every part is well-formed XML
            ET.fromstring(z.read(part))
        names = ET.fromstring(z.read("xl/workbook.xml")).find(f"{{{xlsx._MAIN}}}definedNames")
        filters = {d.get("localSheetId"): d.text for d in names if d.get("name") == "_xlnm._FilterDatabase"}
        titles = {d.get("localSheetId"): d.text for d in names if d.get("name") == "_xlnm.Print_Titles"}
    assert filters == {"1": "'O''Brien & Co <1>'!$A$1:$B$12346", "2": "'empty'!$A$1", "0": "'Contents'!$A$1:$A$3"}
    # printed: the header row atop every page, A4 landscape, every column on one page's width
    assert titles == {"1": "'O''Brien & Co <1>'!$1:$1", "2": "'empty'!$1:$1", "0": "'Contents'!$1:$1"}
    assert ws.print_title_rows == "$1:$1" and ws.sheet_properties.pageSetUpPr.fitToPage
    setup = ws.page_setup
    assert (setup.paperSize, setup.orientation, setup.fitToWidth, setup.fitToHeight) == (9, "landscape", 1, 0)


def test_what_no_cell_can_hold_is_refused_and_lone_surrogates_are_replaced(tmp_path):
    with Workbook(tmp_path / "x.xlsx") as wb:
        with pytest.raises(ValueError, match="'r': Excel has no infinite number"):
            wb.add_sheet("a", [Column("r", pd.Series([1.0, np.inf]))])
        with pytest.raises(ValueError, match="'m': Excel has no infinite number"):
            wb.add_sheet("b", [Column("m", pd.Series(["x", -np.inf], dtype=object))])
        with pytest.raises(TypeError, match=r"'o': a cell cannot hold \[1\] \(list\)"):
            wb.add_sheet("c", [Column("o", pd.Series(["x", [1]], dtype=object))])
        with pytest.raises(ValueError, match="unequal length"):
            wb.add_sheet("d", [Column("a", pd.Series([1.0])), Column("b", pd.Series([1.0, 2.0]))])
        wb.add_sheet("e", [Column("s", pd.Series(["ok \ud800 end"], dtype=object))])
    assert openpyxl.load_workbook(tmp_path / "x.xlsx")["e"]["A2"].value == "ok \ufffd end"


def test_a_spreadsheet_program_opens_the_workbook_and_reads_every_cell(tmp_path):
    """LibreOffice, a reader that shares no code with openpyxl or XlsxWriter, reads every cell back."""
    import csv
    import shutil
    import subprocess

    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("needs LibreOffice to open the workbook: apt-get install libreoffice-calc-nogui")
    text = ["ERP <new> & co", "数据中台建设", "tab\there", "_x0041_ stays", "'=1+2", "bell\x07", "😀"]
    numbers = [-1500.5, 0.1, 1e20, -0.0, 123456789.25, 2.5e-7, 3.0]
    path = tmp_path / "book.xlsx"
    with Workbook(path) as wb:
        wb.add_sheet("Contents", [Column("sheet", pd.Series(["O'Brien & <Co>"], dtype=object))])
        wb.add_sheet(
            "O'Brien & <Co>",
            [
                Column("text", pd.Series(text, dtype=object)),
                Column("number", pd.Series(numbers), "General"),
                Column("flag", pd.Series([True, False] * 3 + [True])),
            ],
        )
    env = dict(os.environ, HOME=str(tmp_path))  # a profile of its own
    # every sheet to CSV, values unformatted (LibreOffice's filter options: UTF-8, all sheets)
    subprocess.run(
        [
            soffice,
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
            str(path),
            "--outdir",
            str(tmp_path / "out"),
        ],
        check=True,
        capture_output=True,
        timeout=120,
        env=env,
    )
    with open(tmp_path / "out" / "book-O'Brien & <Co>.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["text", "number", "flag"]
    # Excel's escapes read back as the characters, and text that looks like one as itself
    assert [r[0] for r in rows[1:]] == text
    assert [float(r[1]) for r in rows[1:]] == pytest.approx(numbers, rel=1e-15)
    assert [r[2] for r in rows[1:]] == ["TRUE", "FALSE"] * 3 + ["TRUE"]


def test_docstring_examples_run():
    result = doctest.testmod(xlsx)
    assert result.attempted >= 4 and result.failed == 0
