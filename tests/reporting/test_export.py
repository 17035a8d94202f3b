"""Exported CSVs: no text cell can run as an Excel formula, numbers stay numbers, UTF-8 with BOM, atomic."""

from __future__ import annotations

import csv
import datetime as dt
import doctest
import os

import numpy as np
import pandas as pd
import pytest

from pmo_analysis.reporting import export
from pmo_analysis.reporting.export import FORMULA_PREFIXES, neutralise, write_csv

RISKY = [
    '=HYPERLINK("http://x.example","Report")',
    "+1+2",
    "-2+3",
    "@SUM(A1:A2)",
    "\tTab start",
    "\r=carriage",
    "＝１＋１",
    "＋cmd",
    "－5",
    "＠SUM(A1)",
    "-5",
    "=cmd|' /C calc'!A0",
]
SAFE = ["Roll-out 2026", "数据中台建设", "供应商延迟 = late", "Cost $5 to $7", " =leading space", "'already quoted"]


def _frame() -> pd.DataFrame:
    n = len(RISKY) + len(SAFE)
    return pd.DataFrame(
        {
            "project": RISKY + SAFE,
            "owner": pd.Series((["=owner", "王芳", None] * n)[:n], dtype="string"),
            "department": pd.Categorical((["-Ops", "Finance"] * n)[:n]),
            "mixed": ([-5.0, "=1+1", pd.NaT, "ok"] * n)[:n],
            "npv": np.linspace(-3_000.5, 500.0, n),
            "count": np.arange(-3, n - 3),
            "as_of": pd.date_range("2026-06-01", periods=n, freq="D"),
            "missing": [np.nan] * n,
        }
    )


def test_written_csv_has_no_cell_from_text_starting_with_a_formula_character(tmp_path):
    df = _frame()
    path = write_csv(df, tmp_path / "out.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel shows the Chinese text
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    assert header == list(df.columns) and len(body) == len(df)
    cols = {name: [r[i] for r in body] for i, name in enumerate(header)}
    for name in ("project", "owner", "department"):
        assert not [v for v in cols[name] if v.startswith(FORMULA_PREFIXES)], name
    assert not [
        v
        for v, orig in zip(cols["mixed"], df["mixed"], strict=False)
        if isinstance(orig, str) and v.startswith(FORMULA_PREFIXES)
    ]
    # readable: the quote is the only change
    assert cols["project"][: len(RISKY)] == ["'" + v for v in RISKY]
    assert cols["project"][len(RISKY) :] == SAFE
    assert cols["owner"][:3] == ["'=owner", "王芳", ""]
    assert cols["department"][:2] == ["'-Ops", "Finance"]
    # numbers stay numbers, negative ones included; dates and missing values as pandas writes them
    assert [float(v) for v in cols["npv"]] == pytest.approx(df["npv"].tolist())
    assert cols["npv"][0] == "-3000.5" and cols["count"][0] == "-3"
    assert cols["mixed"][:4] == ["-5.0", "'=1+1", "", "ok"]
    assert cols["as_of"][0] == "2026-06-01" and set(cols["missing"]) == {""}


def test_neutralise_leaves_the_input_and_numbers_alone():
    df = _frame()
    before = df.copy()
    out = neutralise(df)
    pd.testing.assert_frame_equal(df, before)
    for name in ("npv", "count", "as_of", "missing"):
        pd.testing.assert_series_equal(out[name], df[name])
    assert out.loc[0, "project"] == "'" + RISKY[0]
    assert list(neutralise(pd.DataFrame({"=total": [1], "-x": ["a"]})).columns) == ["'=total", "'-x"]


def test_index_is_neutralised_when_written(tmp_path):
    df = pd.DataFrame({"npv": [1.0, -2.0]}, index=pd.Index(["=A1", "ok"], name="department"))
    with open(write_csv(df, tmp_path / "by_dept.csv", index=True), encoding="utf-8-sig", newline="") as f:
        assert list(csv.reader(f)) == [["department", "npv"], ["'=A1", "1.0"], ["ok", "-2.0"]]


def test_write_is_atomic_and_keeps_the_old_file_on_failure(tmp_path, monkeypatch):
    path = tmp_path / "report.csv"
    path.write_text("old,content\n", encoding="utf-8")

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(pd.DataFrame, "to_csv", broken)
    with pytest.raises(OSError, match="disk full"):
        write_csv(pd.DataFrame({"a": [1]}), path)
    assert path.read_text(encoding="utf-8") == "old,content\n"
    assert os.listdir(tmp_path) == ["report.csv"]  # no temporary file left behind
    monkeypatch.undo()
    write_csv(pd.DataFrame({"a": [1]}), path)
    assert path.read_bytes() == b"\xef\xbb\xbfa\r\n1\r\n"
    assert (path.stat().st_mode & 0o777) == (0o666 & ~_umask())  # shared like any other file


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_docstring_examples_run():
    result = doctest.testmod(export)
    assert result.attempted >= 8 and result.failed == 0


def test_workbook_cells_keep_their_kind_and_no_text_runs(tmp_path):
    import openpyxl

    df = _frame()
    n = len(df)
    df["done"] = ([True, False] * n)[:n]
    df["ratio"] = ([np.inf, 1.25, -np.inf, np.nan] * n)[:n]
    df["seen"] = pd.date_range("2026-06-01 09:30", periods=n, freq="D", tz="Asia/Shanghai")
    df["size"] = pd.Series(([1, None, 3] * n)[:n], dtype="Int64")
    df["url"] = "https://example.org/x"
    df["digits"] = "0012"
    df["long"] = "x" * 40_000
    df["ints_as_objects"] = pd.Series(([1, None, 3] * n)[:n], dtype=object)
    df["bools_as_objects"] = pd.Series(([True, None] * n)[:n], dtype=object)
    df["nullable_bool"] = pd.Series(([True, None] * n)[:n], dtype="boolean")
    df["odd_objects"] = pd.Series(
        ([float("inf"), pd.Period("2026-06", "M"), [1, 2], dt.date(2026, 6, 1)] * n)[:n], dtype=object
    )
    out = export.write_xlsx(
        {"t": df, "empty": df.head(0), "no columns": pd.DataFrame(index=range(3))}, tmp_path / "r.xlsx"
    )
    wb = openpyxl.load_workbook(out)
    ws = wb["t"]
    header = [c.value for c in ws[1]]
    assert header == list(df.columns)
    cells = {name: [ws.cell(i + 2, j + 1) for i in range(n)] for j, name in enumerate(header)}
    assert not [c.coordinate for row in ws.iter_rows() for c in row if c.data_type == "f"]
    for c, want in zip(cells["project"], neutralise(df)["project"], strict=True):
        # a carriage return is stored as OOXML's escape _x000D_, which Excel reads back (openpyxl does not)
        assert c.value.replace("_x000D_", "\r") == want and c.data_type == "s"
    assert [c.value for c in cells["npv"]] == pytest.approx(df["npv"].tolist())
    assert cells["npv"][0].number_format == export.XLSX_FORMATS["npv"]
    assert [c.value for c in cells["done"]] == df["done"].tolist()
    assert [c.value for c in cells["as_of"]] == df["as_of"].dt.to_pydatetime().tolist()
    assert {c.number_format for c in cells["as_of"]} == {"yyyy-mm-dd"}
    # an aware time is shown at its local wall clock
    assert cells["seen"][0].value == dt.datetime(2026, 6, 1, 9, 30)
    assert [c.value for c in cells["missing"]] == [None] * n
    assert [c.value for c in cells["size"][:3]] == [1, None, 3]
    assert [c.value for c in cells["ratio"][:4]] == ["inf", 1.25, "-inf", None]
    assert cells["url"][0].value == "https://example.org/x" and not cells["url"][0].hyperlink
    assert cells["digits"][0].value == "0012" and cells["digits"][0].data_type == "s"
    long = cells["long"][0].value
    assert [c.value for c in cells["ints_as_objects"][:3]] == [1, None, 3]
    assert [c.value for c in cells["bools_as_objects"][:2]] == [True, None]
    assert [c.value for c in cells["nullable_bool"][:2]] == [True, None]
    assert [c.value for c in cells["odd_objects"][:4]] == ["inf", "2026-06", "[1, 2]", "2026-06-01"]
    assert len(long) == export.XLSX_MAX_CHARS and long.endswith("the CSV holds the whole text)")
    assert [c.value for c in wb["empty"][1]] == list(df.columns) and wb["empty"].max_row == 1
    assert [[c.value for c in row] for row in wb["Contents"].iter_rows(min_row=2, max_col=3)] == [
        ["t", n, n],
        ["empty", 0, 0],
        ["no columns", 3, 3],
    ]


def test_workbook_sheets_follow_the_reports_order_whatever_order_they_end_in(tmp_path):
    import openpyxl

    write_csv(pd.DataFrame({"decision": ["fund"]}), tmp_path / "decisions.csv")
    for report, n in (("first", 1), ("second", 2), ("third", 3)):
        (tmp_path / report).mkdir()
        write_csv(pd.DataFrame({"n": range(n)}), tmp_path / report / "projects.csv")
    write_csv(pd.DataFrame({"x": [1]}), tmp_path / "second" / "another.csv")
    said = iter(["third", "unknown", "first", None])  # "second" never says it ended: written at the end
    out = export.workbook_of_run(tmp_path, reports=["first", "second", "third"], ended=lambda: next(said))
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Contents", "decisions", "projects", "another", "projects (2)", "projects (3)"]
    assert [[c.value for c in row] for row in wb["Contents"].iter_rows(min_row=2)] == [
        ["decisions", 1, 1, "decisions.csv"],
        ["projects", 1, 1, "first/projects.csv"],
        ["another", 1, 1, "second/another.csv"],
        ["projects (2)", 2, 2, "second/projects.csv"],
        ["projects (3)", 3, 3, "third/projects.csv"],
    ]
    assert wb["projects (3)"].max_row == 4
