"""The data contract: loading, typing, and the exact problems reported for bad input."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pmo_analysis import DataValidationError, MissingTableError, load_portfolio
from pmo_analysis.inputs.portfolio import SCHEMA
from tests.helpers import REAL_DATA, edit_csv


def test_sample_loads_typed(sample):
    counts = sample.row_counts()
    assert counts["projects"] == 40
    assert counts["resources"] == 60
    assert counts["lessons"] == 200
    assert counts["timesheets"] > 30_000
    assert sample.warnings == []
    p = sample.projects
    assert pd.api.types.is_datetime64_any_dtype(p["start_date"])
    assert p["budget"].dtype == "float64"
    assert pd.api.types.is_string_dtype(p["project_id"])
    assert set(p["status"]) == {"proposed", "active", "on_hold", "completed", "cancelled"}
    assert p["department"].nunique() == 5 and p["strategic_objective"].nunique() == 4
    cf = sample.cashflows
    assert (cf["period"] == cf["period"].dt.to_period("M").dt.to_timestamp()).all()
    assert cf["actual_cost"].isna().any()  # "not reported yet" stays empty, not 0
    assert sample.resources["role"].nunique() == 8
    assert set(sample.lessons["kind"]) == {"went_well", "to_improve"}


def _problems(folder):
    with pytest.raises(DataValidationError) as info:
        load_portfolio(folder)
    return [str(p) for p in info.value.problems if p.severity == "error"]


def _set(table, row, column, value):
    def edit(df):
        df.loc[row, column] = value
        return df

    return table, edit


# (table, edit, exact problem string expected). Row numbers are spreadsheet rows: data row 0 is row 2.
CASES = {
    "bad date": (
        *_set("projects", 0, "start_date", "2026-13-45"),
        "projects.csv, row 2, column 'start_date': value '2026-13-45': not a date YYYY-MM-DD",
    ),
    "ambiguous date": (
        *_set("projects", 1, "end_date", "03/04/2026"),
        "projects.csv, row 3, column 'end_date': value '03/04/2026': not a date YYYY-MM-DD",
    ),
    "text amount": (
        *_set("projects", 2, "budget", "abc"),
        "projects.csv, row 4, column 'budget': value 'abc': not a number",
    ),
    "negative budget": (
        *_set("projects", 3, "budget", "-5"),
        "projects.csv, row 5, column 'budget': value '-5': must be >= 0",
    ),
    "bad status": (
        *_set("projects", 4, "status", "Done"),
        "projects.csv, row 6, column 'status': value 'Done': must be one of proposed, "
        "active, on_hold, completed, cancelled",
    ),
    "empty id": (
        *_set("projects", 5, "project_id", "  "),
        "projects.csv, row 7, column 'project_id': value '': must not be empty",
    ),
    "duplicate id": (
        *_set("resources", 1, "resource_id", "R001"),
        "resources.csv, row 2, column 'resource_id': value 'R001': duplicate value: must be unique",
    ),
    "capacity zero": (
        *_set("resources", 0, "weekly_capacity_hours", "0"),
        "resources.csv, row 2, column 'weekly_capacity_hours': value '0': must be > 0 and <= 168",
    ),
    "allocation over 100": (
        *_set("assignments", 0, "allocation_pct", "120"),
        "assignments.csv, row 2, column 'allocation_pct': value '120': must be > 0 and <= 100",
    ),
    "hours over 24": (
        *_set("timesheets", 0, "hours", "25"),
        "timesheets.csv, row 2, column 'hours': value '25': must be > 0 and <= 24",
    ),
    "unknown project": (
        *_set("cashflows", 0, "project_id", "PRJ-999"),
        "cashflows.csv, row 2, column 'project_id': value 'PRJ-999': unknown project_id: not in projects",
    ),
    "unknown resource": (
        *_set("timesheets", 0, "resource_id", "R999"),
        "timesheets.csv, row 2, column 'resource_id': value 'R999': unknown resource_id: not in resources",
    ),
    "bad lesson kind": (
        *_set("lessons", 0, "kind", "lesson"),
        "lessons.csv, row 2, column 'kind': value 'lesson': must be one of went_well, to_improve",
    ),
    "bad month": (
        *_set("cashflows", 0, "period", "March"),
        "cashflows.csv, row 2, column 'period': value 'March': not a month YYYY-MM (or a date in it)",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_each_defect_is_reported_precisely(sample_copy, case):
    table, edit, expected = CASES[case]
    edit_csv(sample_copy, table, edit)
    assert expected in _problems(sample_copy)


def test_end_before_start(sample_copy):
    edit_csv(sample_copy, "projects", lambda df: df.assign(end_date=df["end_date"].where(df.index != 0, "2020-01-01")))
    problems = _problems(sample_copy)
    assert any(
        p.startswith("projects.csv, row 2, column 'end_date': value '2020-01-01': end_date is before start_date")
        for p in problems
    ), problems


def test_duplicate_cashflow_month(sample_copy):
    edit_csv(sample_copy, "cashflows", lambda df: pd.concat([df, df.iloc[[0]]], ignore_index=True))
    problems = _problems(sample_copy)
    n = len(pd.read_csv(sample_copy / "cashflows.csv"))
    first = pd.read_csv(sample_copy / "cashflows.csv", dtype=str).iloc[0]
    assert (
        f"cashflows.csv, row {n + 1}, column 'project_id, period': value "
        f"'{first.project_id} / {first.period}': duplicate (project_id, period): must be unique"
    ) in problems


def test_every_problem_listed_not_only_first(sample_copy):
    def edit(df):
        df.loc[0, "budget"] = "abc"
        df.loc[1, "status"] = "??"
        df.loc[2, "start_date"] = "yesterday"
        return df

    edit_csv(sample_copy, "projects", edit)
    problems = _problems(sample_copy)
    assert len(problems) == 3
    with pytest.raises(DataValidationError) as info:
        load_portfolio(sample_copy)
    assert str(info.value).splitlines()[:2] == ["3 problem(s) in the portfolio data " + str(sample_copy), "[projects]"]


def test_missing_required_column(sample_copy):
    edit_csv(sample_copy, "resources", lambda df: df.drop(columns=["role"]))
    problems = _problems(sample_copy)
    assert problems[0].startswith("resources.csv: missing required column(s) 'role'")


def test_header_only_required_table_is_refused(sample_copy):
    edit_csv(sample_copy, "projects", lambda df: df.iloc[0:0])
    assert "projects.csv: the table is empty (header only): it needs at least one data row" in _problems(sample_copy)


def _header_only(folder: Path, table: str, fmt: str) -> None:
    """Rewrite ``table`` as its header only, in format ``fmt`` (csv, xlsx or parquet)."""
    header = pd.read_csv(folder / f"{table}.csv", dtype=str, nrows=0)
    (folder / f"{table}.csv").unlink()
    if fmt == "csv":
        (folder / f"{table}.csv").write_text(",".join(header.columns) + "\n", encoding="utf-8")
    elif fmt == "xlsx":
        header.to_excel(folder / f"{table}.xlsx", index=False)
    else:
        header.astype("string").to_parquet(folder / f"{table}.parquet", index=False)


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet"])
@pytest.mark.parametrize("on_error", ["raise", "drop"])
def test_header_only_optional_tables_are_empty_not_errors(sample_copy, fmt, on_error):
    """An optional table exported with its header only means "none": an empty table with its
    columns typed, in every format and in lenient mode too (where nothing was dropped from it)."""
    for table in ("risks", "milestones", "holidays", "lessons"):
        _header_only(sample_copy, table, fmt)
    p = load_portfolio(sample_copy, on_error=on_error)
    assert {t: len(getattr(p, t)) for t in ("risks", "milestones", "holidays", "lessons")} == dict.fromkeys(
        ("risks", "milestones", "holidays", "lessons"), 0
    )
    assert p.row_counts()["risks"] == 0 and p.row_counts()["projects"] == 40
    assert str(p.risks["raised_date"].dtype) == "datetime64[ns]" and p.risks["impact_cost"].dtype == "float64"
    assert str(p.lessons["date"].dtype) == "datetime64[ns]" and list(p.lessons.columns)[:3] == [
        "lesson_id",
        "project_id",
        "date",
    ]
    assert p.dropped == []


def test_missing_folder(tmp_path):
    assert _problems(tmp_path / "nope") == [f"{tmp_path / 'nope'}: the data folder does not exist"]


def test_empty_folder(tmp_path):
    assert "no portfolio tables found" in _problems(tmp_path)[0]


def test_missing_optional_table_is_none_and_named_when_needed(sample_copy):
    (sample_copy / "lessons.csv").unlink()
    p = load_portfolio(sample_copy)
    assert p.lessons is None
    with pytest.raises(MissingTableError, match="needs the 'lessons' table"):
        p.table("lessons")


def test_column_names_case_and_spaces_and_extra_columns_kept(sample_copy):
    def edit(df):
        df.columns = [f"  {c.upper()} " for c in df.columns]
        df["Notes"] = "extra"
        return df

    edit_csv(sample_copy, "projects", edit)
    p = load_portfolio(sample_copy)
    assert "notes" in p.projects.columns and len(p.projects) == 40


def test_thousands_separators_bom_and_trailing_blank_rows(sample_copy):
    path = sample_copy / "projects.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df.loc[0, "budget"] = "1,200,000"
    text = df.to_csv(index=False) + ",,,,,,,,,,,,\n,,,,,,,,,,,,\n"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    p = load_portfolio(sample_copy)
    assert len(p.projects) == 40
    assert p.projects.loc[0, "budget"] == 1_200_000.0


def test_bad_thousands_grouping_is_not_guessed(sample_copy):
    edit_csv(sample_copy, "projects", lambda df: df.assign(budget=df["budget"].where(df.index != 0, "1,2")))
    assert "projects.csv, row 2, column 'budget': value '1,2': not a number" in _problems(sample_copy)


def test_gb18030_csv_from_chinese_excel(sample_copy):
    path = sample_copy / "lessons.csv"
    text = path.read_text(encoding="utf-8")
    path.write_bytes(text.encode("gb18030"))
    p = load_portfolio(sample_copy)
    assert p.lessons["title"].str.contains("供应商").any()


def test_excel_workbook_and_parquet(sample_copy, sample):
    src = load_portfolio(sample_copy)
    with pd.ExcelWriter(sample_copy / "portfolio.xlsx") as xl:
        src.projects.to_excel(xl, sheet_name="Projects", index=False)
        src.resources.to_excel(xl, sheet_name="resources", index=False)
    (sample_copy / "projects.csv").unlink()
    (sample_copy / "resources.csv").unlink()
    src.cashflows.to_parquet(sample_copy / "cashflows.parquet")
    (sample_copy / "cashflows.csv").unlink()
    p = load_portfolio(sample_copy)
    pd.testing.assert_frame_equal(p.projects, sample.projects, check_dtype=False)
    assert p.cashflows["planned_cost"].sum() == pytest.approx(sample.cashflows["planned_cost"].sum())


def test_two_files_for_one_table(sample_copy):
    load_portfolio(sample_copy).projects.to_parquet(sample_copy / "projects.parquet")
    assert "several files for one table" in _problems(sample_copy)[0]


def test_warning_actual_after_as_of(sample_copy):
    def edit(df):
        i = df.index[df["period"] == "2026-09"][0]
        df.loc[i, "actual_cost"] = "100"
        return df

    edit_csv(sample_copy, "cashflows", edit)
    p = load_portfolio(sample_copy, as_of="2026-06-30")
    assert [w.rule for w in p.warnings] == ["actual reported for a month after the as-of date 2026-06-30"]
    assert p.warnings[0].column == "actual_cost"


def test_warning_timesheet_outside_active_dates(sample_copy):
    def edit(df):
        df.loc[0, "active_to"] = "2025-01-01"
        return df

    edit_csv(sample_copy, "resources", edit)
    p = load_portfolio(sample_copy)
    rules = {w.rule for w in p.warnings}
    assert "hours booked outside the resource's active dates" in rules


def test_drop_mode_reports_each_dropped_row(sample_copy):
    edit_csv(sample_copy, "projects", lambda df: df.assign(budget=df["budget"].where(df.index != 0, "abc")))
    p = load_portfolio(sample_copy, on_error="drop")
    assert len(p.projects) == 39
    assert "PRJ-001" not in set(p.cashflows["project_id"])
    assert any(d.rule == "not a number" for d in p.dropped)


def test_schema_documented_in_data_dictionary():
    from pmo_analysis.core.config import PROJ_ROOT

    text = (PROJ_ROOT / "docs" / "data-dictionary.md").read_text(encoding="utf-8")
    for table, cols in SCHEMA.items():
        assert f"### {table}" in text
        for c in cols:
            assert f"`{c.name}`" in text, (table, c.name)


@pytest.mark.skipif(not REAL_DATA.exists(), reason="../shared/real-data not present")
def test_real_it_dashboard_reports_its_known_defects():
    with pytest.raises(DataValidationError) as info:
        load_portfolio(REAL_DATA / "it-dashboard")
    errors = [p for p in info.value.problems if p.severity == "error"]
    ends = [p for p in errors if p.rule == "end_date is before start_date"]
    more = [p for p in errors if p.rule == "end_date is before start_date (and 5 more rows)"]
    assert len(ends) == 25 and len(more) == 1  # the README's 30 end-before-start rows
    assert ends[0].file == "projects.csv" and ends[0].row >= 2
    missing_budget = [p for p in errors if p.column == "budget" and p.rule.startswith("must not be empty")]
    assert len(missing_budget) == 17  # the 17 FY14-16 placeholders without dates or budget


@pytest.mark.skipif(not REAL_DATA.exists(), reason="../shared/real-data not present")
def test_real_nasa_lessons_load():
    p = load_portfolio(REAL_DATA / "nasa-llis")
    assert len(p.lessons) == 1292 and len(p.projects) == 14
    assert p.cashflows is None


# --------------------------------------------------------------------------- hardening
def _error_strings(exc_info) -> list[str]:
    return [str(p) for p in exc_info.value.problems if p.severity == "error"]


def test_non_finite_and_absurd_numbers_in_csv(sample_copy):
    def edit(df):
        df.loc[0, "budget"] = "inf"
        df.loc[1, "budget"] = "1e308"
        df.loc[2, "budget"] = "-inf"
        df.loc[3, "percent_complete"] = "nan"
        df.loc[4, "risk_score"] = "Infinity"
        df.loc[5, "budget"] = "2,000,000,000,000,000"
        return df

    edit_csv(sample_copy, "projects", edit)
    assert _problems(sample_copy) == [
        "projects.csv, row 2, column 'budget': value 'inf': not a number",
        "projects.csv, row 4, column 'budget': value '-inf': not a number",
        "projects.csv, row 3, column 'budget': value '1e308': must be at most 1e15 in absolute value (check the unit)",
        "projects.csv, row 7, column 'budget': value '2,000,000,000,000,000': must be at most 1e15 in absolute value "
        "(check the unit)",
        "projects.csv, row 6, column 'risk_score': value 'Infinity': not a number",
        "projects.csv, row 5, column 'percent_complete': value 'nan': not a number",
    ]


def test_non_finite_and_absurd_numbers_in_parquet(sample_copy, sample):
    """A Parquet null is an empty cell; a float NaN or inf is a value, and not a valid one."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(sample.projects, preserve_index=False)
    budget = sample.projects["budget"].tolist()
    budget[0], budget[1], budget[2], budget[3] = float("inf"), float("nan"), 1e308, None
    pct = sample.projects["percent_complete"].astype(object).where(sample.projects["percent_complete"].notna(), None)
    pct = pct.tolist()
    pct[4], pct[5] = float("nan"), None  # NaN is rejected, an empty optional cell stays empty
    table = table.set_column(table.column_names.index("budget"), "budget", pa.array(budget, pa.float64()))
    table = table.set_column(
        table.column_names.index("percent_complete"), "percent_complete", pa.array(pct, pa.float64(), from_pandas=False)
    )
    pq.write_table(table, sample_copy / "projects.parquet")
    (sample_copy / "projects.csv").unlink()
    assert _problems(sample_copy) == [
        "projects.parquet, row 2, column 'budget': value 'inf': not a number",
        "projects.parquet, row 3, column 'budget': value 'nan': not a number",
        "projects.parquet, row 5, column 'budget': value '': must not be empty; a number",
        "projects.parquet, row 4, column 'budget': value '1e+308': must be at most 1e15 in absolute value (check the unit)",
        "projects.parquet, row 6, column 'percent_complete': value 'nan': not a number",
    ]


def _write_xlsx(path, sheets: dict[str, pd.DataFrame], percent: dict[str, str] | None = None):
    """Write real .xlsx sheets with openpyxl; ``percent`` maps a column to the number format its
    cells get, with the value divided by 100 (what Excel stores for a cell shown as 64%)."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, df in sheets.items():
        ws = wb.create_sheet(name)
        ws.append(list(df.columns))
        for row in df.astype(object).itertuples(index=False):
            ws.append([None if pd.isna(v) else (v.to_pydatetime() if isinstance(v, pd.Timestamp) else v) for v in row])
        for column, fmt in (percent or {}).items():
            if column not in df.columns:
                continue
            j = list(df.columns).index(column) + 1
            for (cell,) in ws.iter_rows(min_row=2, min_col=j, max_col=j):
                if isinstance(cell.value, (int, float)):
                    cell.value = cell.value / 100
                    cell.number_format = fmt
    wb.save(path)


def test_excel_percent_cells_read_as_the_percentage_shown(sample_copy, sample):
    _write_xlsx(sample_copy / "projects.xlsx", {"projects": sample.projects}, {"percent_complete": "0%"})
    _write_xlsx(
        sample_copy / "portfolio.xlsx",
        {"Resources": sample.resources, "Assignments": sample.assignments},
        {"allocation_pct": "0.0%"},
    )
    for table in ("projects", "resources", "assignments"):
        (sample_copy / f"{table}.csv").unlink()
    p = load_portfolio(sample_copy)
    pd.testing.assert_series_equal(p.projects["percent_complete"], sample.projects["percent_complete"])
    assert p.projects.loc[3, "percent_complete"] == 64.0  # 0.64 in the cell, 64% on screen
    pd.testing.assert_series_equal(p.assignments["allocation_pct"], sample.assignments["allocation_pct"])


def test_excel_percent_format_rule():
    from pmo_analysis.inputs.readers import _is_percent_format

    assert [_is_percent_format(f) for f in ("0%", "0.00%", "[Red]0.0%;-0%", "General", "0", '0"%"', "0\\%")] == [
        True,
        True,
        True,
        False,
        False,
        False,
        False,
    ]


def test_excel_plain_numbers_and_nan_text_are_not_guessed(sample_copy, sample):
    """A percent column written as plain 64 stays 64; text 'nan' in a cell is not an empty cell."""
    projects = sample.projects.astype({"percent_complete": object})
    projects.loc[5, "percent_complete"] = "nan"
    _write_xlsx(sample_copy / "projects.xlsx", {"projects": projects})
    (sample_copy / "projects.csv").unlink()
    with pytest.raises(DataValidationError) as info:
        load_portfolio(sample_copy)
    assert _error_strings(info) == ["projects.xlsx, row 7, column 'percent_complete': value 'nan': not a number"]


# Real names as Western European and Chinese exports write them.
WESTERN = ["Jürgen Müller", "François Lefèvre", "Ærøskøbing Havn", "Zoë Smith", "Begoña Núñez"]
CHINESE = ["项目管理办公室", "供应商延迟", "王芳", "数据中台建设", "张伟"]


def _write_names(folder, names, encoding):
    path = folder / "resources.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df.loc[: len(names) - 1, "name"] = names
    path.write_bytes(df.to_csv(index=False).encode(encoding))
    return df["name"].tolist()


@pytest.mark.parametrize(
    ("encoding", "names"),
    [
        ("latin-1", WESTERN),
        ("cp1252", [*WESTERN, "Ms “Zoë” – €5"]),
        ("gb18030", CHINESE),
        ("gb18030", WESTERN[:2] + CHINESE),
        ("gbk", CHINESE),
        ("utf-8", WESTERN + CHINESE),
        ("utf-8-sig", WESTERN + CHINESE),
        ("latin-1", ["Jürgen Müller"]),
        ("latin-1", ["François"]),
        ("latin-1", ["Ærøskøbing"]),
        ("latin-1", ["Zoë"]),
        ("gb18030", ["项目管理办公室"]),
        ("gb18030", ["供应商延迟"]),
    ],
)
def test_csv_encodings_never_garble(sample_copy, encoding, names):
    expected = _write_names(sample_copy, names, encoding)
    p = load_portfolio(sample_copy)
    assert p.resources["name"].tolist() == expected


def test_csv_encoding_that_cannot_be_told_apart_is_refused(sample_copy):
    """Only punctuation outside ASCII: GB18030 and Windows-1252 both read it, neither shows letters."""
    _write_names(sample_copy, ["Ops “night” shift", "Ops ‘day’ shift"], "gb18030")
    with pytest.raises(DataValidationError) as info:
        load_portfolio(sample_copy)
    assert _error_strings(info) == [
        "resources.csv: cannot tell the text encoding: the file is not UTF-8, and as GB18030 it reads "
        "'Ops “night” shift', as Windows-1252 it reads 'Ops ¡°night¡± shift'; save it as UTF-8 (in Excel: "
        "File > Save As > CSV UTF-8 (Comma delimited)) and load it again"
    ]


def test_encoding_rule_scores_words_of_one_script():
    from pmo_analysis.inputs.readers import _script_score

    assert _script_score("Jürgen Müller, Ærøskøbing, Zoë, à Paris") == 1.0
    assert _script_score("J黵gen M黮ler") == 0.0  # Latin-1 read as GB18030
    assert _script_score("ÏîÄ¿¹ÜÀí°ì¹«ÊÒ") == 0.0  # GB18030 read as Windows-1252
    assert _script_score("使用SAP系统, PMO办公室, 第1期") == 1.0
    assert _script_score("plain ASCII") == 1.0


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (
            "budget,budget",
            "column 'budget' appears more than once ('budget' in column G, 'budget' in column N): keep one",
        ),
        (
            "budget, Budget ",
            "column 'budget' appears more than once ('budget' in column G, ' Budget ' in column N): keep one",
        ),
    ],
)
def test_duplicate_columns_in_csv(sample_copy, header, expected):
    path = sample_copy / "projects.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    extra = header.split(",")[1]
    lines = [lines[0] + "," + extra] + [line + ",1" for line in lines[1:]]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert [p for p in _problems(sample_copy) if p.startswith("projects.csv")] == [
        f"projects.csv, column 'budget': {expected}"
    ]


def test_duplicate_columns_in_excel_and_parquet(sample_copy, sample):
    import pyarrow as pa
    import pyarrow.parquet as pq

    projects = sample.projects.copy()
    projects.insert(len(projects.columns), "BUDGET", projects["budget"], allow_duplicates=True)
    _write_xlsx(sample_copy / "projects.xlsx", {"projects": projects})
    cf = pa.Table.from_pandas(sample.cashflows, preserve_index=False)
    pq.write_table(cf.append_column("Period", cf.column("planned_cost")), sample_copy / "cashflows.parquet")
    (sample_copy / "projects.csv").unlink()
    (sample_copy / "cashflows.csv").unlink()
    assert _problems(sample_copy) == [
        "projects.xlsx, column 'budget': column 'budget' appears more than once ('budget' in column G, "
        "'BUDGET' in column N): keep one",
        "cashflows.parquet, column 'period': column 'period' appears more than once ('period' in column B, "
        "'Period' in column G): keep one",
    ]


def test_drop_mode_lists_every_dropped_row_and_its_dependents(sample_copy):
    edit_csv(sample_copy, "projects", lambda df: df.assign(budget=df["budget"].where(df.index >= 30, "abc")))
    p = load_portfolio(sample_copy, on_error="drop")
    assert len(p.projects) == 10
    own = [d for d in p.dropped if d.table == "projects"]
    assert [d.row for d in own] == list(range(2, 32)) and {d.rule for d in own} == {"not a number"}
    deps = [d for d in p.dropped if d.table == "cashflows"]
    assert all(d.rule == "dropped: its projects row was invalid" and d.row for d in deps)
    raw = pd.read_csv(sample_copy / "cashflows.csv", dtype=str)
    assert len(deps) == len(raw) - len(p.cashflows)
    assert set(p.cashflows["project_id"]) <= set(p.projects["project_id"])


def test_drop_mode_still_fails_for_problems_no_row_removal_fixes(sample_copy):
    (sample_copy / "resources.csv").unlink()  # assignments and timesheets refer to it
    with pytest.raises(DataValidationError) as info:
        load_portfolio(sample_copy, on_error="drop")
    assert (
        "assignments.csv, column 'resource_id': refers to resources.resource_id, but the 'resources' table "
        "is missing; add resources.csv" in _error_strings(info)
    )


def test_drop_mode_fails_when_no_row_is_left(sample_copy):
    edit_csv(sample_copy, "holidays", lambda df: df.assign(date="someday"))
    with pytest.raises(DataValidationError) as info:
        load_portfolio(sample_copy, on_error="drop")
    assert "holidays.csv: every data row has a problem: nothing is left after dropping them" in _error_strings(info)


@pytest.mark.skipif(not REAL_DATA.exists(), reason=f"real public data not present at {REAL_DATA}")
def test_real_it_dashboard_drop_lists_every_dropped_row():
    folder = REAL_DATA / "it-dashboard"
    p = load_portfolio(folder, on_error="drop")
    raw = {t: pd.read_csv(folder / f"{t}.csv", dtype=str, keep_default_na=False) for t in ("projects", "cashflows")}
    dropped_rows = {t: {d.row for d in p.dropped if d.table == t} for t in raw}
    assert all(d.row is not None for d in p.dropped)  # no "(and N more rows)" summary: each row named
    # 17 placeholders without dates or budget + 30 end-before-start; their 70 cash-flow rows go with them
    assert {t: len(rows) for t, rows in dropped_rows.items()} == {"projects": 47, "cashflows": 70}
    assert {t: len(raw[t]) - len(getattr(p, t)) for t in raw} == {"projects": 47, "cashflows": 70}
    gone = set(raw["projects"]["project_id"].iloc[[r - 2 for r in dropped_rows["projects"]]])
    assert gone.isdisjoint(p.projects["project_id"]) and len(gone) == 47
    kept_cf = raw["cashflows"].drop(index=[r - 2 for r in dropped_rows["cashflows"]])
    assert kept_cf["project_id"].isin(p.projects["project_id"]).all()
    assert set(raw["cashflows"]["project_id"].iloc[[r - 2 for r in dropped_rows["cashflows"]]]) <= gone

    with pytest.raises(DataValidationError) as info:  # the strict load names the same problems
        load_portfolio(folder)
    strict = [e for e in info.value.problems if e.severity == "error"]
    listed = {(e.row, e.column, e.rule) for e in strict if e.row is not None}
    assert listed <= {(d.row, d.column, d.rule) for d in p.dropped}
    summarised = sum(int(e.rule.split("(and ")[1].split()[0]) for e in strict if e.row is None)
    assert len(listed) + summarised == len([d for d in p.dropped if d.severity == "error"]) == 81


def test_csv_row_with_extra_values_is_reported_by_row_and_can_be_dropped(sample_copy):
    path = sample_copy / "projects.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    header_width = len(lines[0].split(","))
    first, rest = lines[3].split(",", 1)
    lines[3] = f"{first},Data, platform,{rest.split(',', 1)[1]}"  # row 4: an unquoted comma in the name
    lines[5] = lines[5] + ",,"  # row 6: trailing commas are harmless
    lines.insert(8, "")  # a blank line is row 9 in Excel: the rows below keep their numbers
    cells = lines[10].split(",")
    cells[6] = "abc"  # row 11: a bad budget below the blank line
    lines[10] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert [p for p in _problems(sample_copy) if p.startswith("projects.csv")] == [
        f"projects.csv, row 4: has {header_width + 1} values but the header has {header_width} columns "
        "(a comma inside a value that is not in double quotes?)",
        "projects.csv, row 11, column 'budget': value 'abc': not a number",
    ]
    p = load_portfolio(sample_copy, on_error="drop")
    assert len(p.projects) == 38 and [(d.table, d.row) for d in p.dropped if d.table == "projects"] == [
        ("projects", 4),
        ("projects", 11),
    ]


def test_whole_numbers_from_workbook_cells_are_ids_not_decimals(sample_copy, sample):
    projects = sample.projects.copy()
    projects["project_id"] = [float(i) if i % 2 else f"PRJ-{i:03d}" for i in range(1, len(projects) + 1)]
    cashflows = sample.cashflows.assign(
        project_id=sample.cashflows["project_id"].map(
            dict(
                zip(
                    sample.projects["project_id"],
                    projects["project_id"].astype(str).str.replace(".0", ""),
                    strict=False,
                )
            )
        )
    )
    _write_xlsx(sample_copy / "portfolio.xlsx", {"projects": projects, "cashflows": cashflows})
    (sample_copy / "projects.csv").unlink()
    (sample_copy / "cashflows.csv").unlink()
    import openpyxl

    wb = openpyxl.load_workbook(sample_copy / "portfolio.xlsx")
    wb["projects"]["A2"].value = 1.0  # stored as "1.0" by some tools
    wb["projects"]["A2"].number_format = "0.0"
    wb.save(sample_copy / "portfolio.xlsx")
    p = load_portfolio(sample_copy, tables=["cashflows"])
    assert p.projects["project_id"].iloc[:3].tolist() == ["1", "PRJ-002", "3"]
    assert len(p.cashflows) == len(sample.cashflows)


@pytest.mark.skipif(not REAL_DATA.exists(), reason=f"real public data not present at {REAL_DATA}")
def test_real_nasa_lessons_saved_as_windows_1252_read_unchanged(tmp_path):
    """Real English engineering text with smart quotes, dashes, degrees and accented names."""
    text = (REAL_DATA / "nasa-llis" / "lessons.csv").read_text(encoding="utf-8")
    text = text.encode("cp1252", errors="replace").decode("cp1252")  # the few non-Western characters become '?'
    folders = {}
    for encoding in ("utf-8", "cp1252"):
        folder = folders[encoding] = tmp_path / encoding
        folder.mkdir()
        (folder / "projects.csv").write_bytes((REAL_DATA / "nasa-llis" / "projects.csv").read_bytes())
        (folder / "lessons.csv").write_bytes(text.encode(encoding))
    utf8, cp1252 = (load_portfolio(folders[e]).lessons for e in ("utf-8", "cp1252"))
    pd.testing.assert_frame_equal(cp1252, utf8)
    assert cp1252["description"].str.contains("“", regex=False).any()


@pytest.mark.parametrize(
    ("encoding", "names"),
    [
        ("cp1251", ["Иван Петров", "Проект внедрения"]),  # Cyrillic Windows: accented capitals only
        ("shift_jis", ["山田太郎", "プロジェクト管理室"]),  # Japanese: rare ideographs in GB18030
        ("big5", ["專案管理辦公室", "供應商延遲"]),  # traditional Chinese: rare and private-use characters
    ],
)
def test_csv_in_other_encodings_is_refused_not_garbled(sample_copy, encoding, names):
    _write_names(sample_copy, names, encoding)
    with pytest.raises(DataValidationError) as info:
        load_portfolio(sample_copy)
    [problem] = [p for p in info.value.problems if p.severity == "error"]
    assert problem.file == "resources.csv" and problem.row is None
    assert problem.rule.startswith(
        (
            "cannot tell the text encoding: the file is not UTF-8, and as ",
            "cannot decode the file: it is not UTF-8, GB18030 or Windows-1252",
        )
    )
    assert problem.rule.endswith(
        "save it as UTF-8 (in Excel: File > Save As > CSV UTF-8 (Comma delimited)) and load it again"
    )


_PROJECTS_HEADER = b"project_id,name,department,status,start_date,end_date,budget,percent_complete\n"
_ROW = b"P1,CRM,Digital,active,2026-01-01,2026-12-31,1000,50\n"


@settings(max_examples=60, deadline=None)
@given(
    raw=st.one_of(
        st.binary(max_size=400),
        st.binary(max_size=400).map(lambda b: _PROJECTS_HEADER + b),
        st.binary(max_size=200).map(lambda b: _PROJECTS_HEADER + _ROW + b),
    ),
    other=st.sampled_from([None, "cashflows", "resources"]),
)
def test_any_bytes_as_a_csv_load_or_raise_a_data_validation_error(raw, other):
    """Whatever a CSV holds (any encoding, any damage), loading either succeeds or lists problems:
    no other exception reaches the user."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "projects.csv").write_bytes(raw)
        if other:  # the same bytes for a table that refers to projects, or to nothing
            (folder / f"{other}.csv").write_bytes(raw)
        for on_error in ("raise", "drop"):
            try:
                load_portfolio(folder, on_error=on_error)
            except DataValidationError as exc:  # refused: then it says why
                problems = exc.problems
            else:
                problems = ["loaded"]
            assert problems


# ---------------------------------------------------------------- cash flows far from their project
def _move_one_cashflow(folder, *, side: str, months: int) -> tuple[int, str]:
    """Move the first cash flow of the project with the most rows to ``months`` months before its
    start (``side="start"``) or after its end; return its spreadsheet row and the new period."""
    projects = pd.read_csv(folder / "projects.csv", dtype=str)
    cf = pd.read_csv(folder / "cashflows.csv", dtype=str, keep_default_na=False)
    pid = cf["project_id"].value_counts().index[0]
    bound = pd.Timestamp(projects.set_index("project_id").loc[pid, f"{side}_date"]).to_period("M")
    period = str(bound - months if side == "start" else bound + months)
    row = int(cf.index[cf["project_id"] == pid][0])
    cf.loc[row, "period"] = period
    cf.to_csv(folder / "cashflows.csv", index=False)
    return row + 2, period


@pytest.mark.parametrize(
    ("side", "months", "words"),
    [
        ("start", 25, "more than 24 months before its project's start_date"),
        ("start", 12 * 100, "more than 24 months before its project's start_date"),  # 1925 for 2025
        ("end", 121, "more than 120 months after its project's end_date"),
        ("end", 12 * 27, "more than 120 months after its project's end_date"),  # 2052 for 2025
    ],
)
def test_a_cash_flow_far_outside_its_project_is_refused_like_a_milestone(sample_copy, side, months, words):
    row, period = _move_one_cashflow(sample_copy, side=side, months=months)
    assert _problems(sample_copy) == [
        f"cashflows.csv, row {row}, column 'period': value {period!r}: period is {words} (a typing error in the year?)"
    ]
    lenient = load_portfolio(sample_copy, on_error="drop")  # left out, and listed, with --exclude-invalid
    assert pd.Timestamp(period) not in set(lenient.cashflows["period"])


@pytest.mark.parametrize(("side", "months"), [("start", 24), ("start", 3), ("end", 120), ("end", 60)])
def test_a_cash_flow_within_the_bound_loads(sample_copy, side, months):
    _, period = _move_one_cashflow(sample_copy, side=side, months=months)
    assert pd.Timestamp(period) in set(load_portfolio(sample_copy).cashflows["period"])


# ---------------------------------------------------------------- one date range, no overflow
@pytest.mark.parametrize(
    ("table", "column", "value"),
    [
        ("milestones", "baseline_date", "1700-03-01"),  # inside 1678-2261, once accepted and then overflowing
        ("risks", "raised_date", "1733-12-31"),
        ("projects", "end_date", "2100-01-01"),
        ("cashflows", "period", "1899-12"),
    ],
)
def test_a_date_outside_the_one_documented_range_is_refused(sample_copy, table, column, value):
    edit_csv(sample_copy, table, lambda df: df.assign(**{column: df[column].where(df.index != 0, value)}))
    assert (
        f"{table}.csv, row 2, column {column!r}: value {value!r}: must be between 1900-01-01 and 2099-12-31 "
        "(a typing error in the year?)"
    ) in _problems(sample_copy)


def test_the_range_s_extremes_build_the_model_without_overflow(sample_copy):
    from pmo_analysis.inputs.params import validate_model_params
    from pmo_analysis.model import build_model

    edit_csv(sample_copy, "milestones", lambda df: df.assign(baseline_date="1900-01-02", forecast_date="1900-01-02"))
    edit_csv(
        sample_copy, "risks", lambda df: df.assign(raised_date=df["raised_date"].where(df.index != 0, "1900-01-01"))
    )
    as_of = pd.Timestamp("2099-12-31")
    model = build_model(load_portfolio(sample_copy, as_of=as_of), as_of=as_of.date(), params=validate_model_params({}))
    assert model.meta["as_of"] == "2099-12-31"


# ---------------------------------------------------------------- spreadsheets written by scripts
def _with_formulas(path, df: pd.DataFrame, cells: dict[tuple[int, str], str]) -> list[str]:
    """Write ``df`` as an .xlsx sheet with openpyxl, a formula (never calculated) in each of
    ``cells`` ((data row, column) -> formula); return their cell names."""
    import openpyxl
    from openpyxl.utils import get_column_letter

    _write_xlsx(path, {path.stem: df})
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    names = []
    for (row, column), formula in cells.items():
        name = f"{get_column_letter(list(df.columns).index(column) + 1)}{row + 2}"
        ws[name] = formula
        names.append(name)
    wb.save(path)
    return names


def test_formula_cells_without_a_saved_value_are_named_with_the_fix(sample_copy, sample):
    (sample_copy / "projects.csv").unlink()
    formulas = {(3, "budget"): "=1000*2", (18, "budget"): "=F2*0.5", (18, "percent_complete"): "=40+2"}
    names = _with_formulas(sample_copy / "projects.xlsx", sample.projects, formulas)
    assert _problems(sample_copy) == [
        f"projects.xlsx: formula cells without a saved value: {', '.join(sorted(names, key=lambda n: (int(n[1:]), n)))}; "
        "the file was saved by a program that does not calculate formulas (a script): open it in Excel or "
        "LibreOffice and save it, so that each formula keeps its value"
    ]


def test_formula_cells_with_their_saved_values_read_as_those_values(sample_copy, sample):
    """What Excel writes: the formula and the value it calculated (here put in the file by hand)."""
    import zipfile

    (sample_copy / "projects.csv").unlink()
    path = sample_copy / "projects.xlsx"
    _with_formulas(path, sample.projects, {(3, "budget"): "=1000*2"})
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    sheet = next(k for k in parts if k.startswith("xl/worksheets/sheet"))
    parts[sheet] = parts[sheet].replace(b"<f>1000*2</f><v />", b"<f>1000*2</f><v>2000</v>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for k, v in parts.items():
            z.writestr(k, v)
    assert load_portfolio(sample_copy).projects.loc[3, "budget"] == 2000.0


def test_a_workbook_padded_with_unused_shared_strings_is_refused_before_it_is_loaded(sample_copy, sample, monkeypatch):
    import time
    import zipfile

    import pmo_analysis.inputs.readers as readers

    monkeypatch.setattr(readers, "XLSX_SHARED_STRINGS_LIMIT", 2**20)  # 1 MB here; 128 MB in use
    (sample_copy / "projects.csv").unlink()
    path = sample_copy / "projects.xlsx"
    _write_xlsx(path, {"projects": sample.projects})
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist() if i.filename != "xl/sharedStrings.xml"}
    padding = b"".join(b"<si><t>unused %d</t></si>" % i for i in range(200_000))
    parts["xl/sharedStrings.xml"] = (
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' + padding + b"</sst>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for k, v in parts.items():
            z.writestr(k, v)
    started = time.perf_counter()
    problems = _problems(sample_copy)
    assert time.perf_counter() - started < 30
    unpacked = len(parts["xl/sharedStrings.xml"]) / 2**20
    assert problems[0].startswith(
        f"projects.xlsx: cannot read the file: its shared strings take {unpacked:,.0f} MB unpacked ("
    )
    assert problems[0].endswith(
        "more than the 1 MB a workbook may hold in memory here; save the sheet as CSV, or open and save it in "
        "Excel or LibreOffice (which keep only the strings used)"
    )


def test_a_dangling_link_for_a_table_file_is_unreadable_not_absent(sample_copy):
    (sample_copy / "risks.csv").unlink()
    (sample_copy / "risks.csv").symlink_to(sample_copy / "moved" / "risks.csv")
    assert _problems(sample_copy) == [
        f"risks.csv: cannot read the file: it is a link to {str(sample_copy / 'moved' / 'risks.csv')!r}, "
        "which does not exist"
    ]
