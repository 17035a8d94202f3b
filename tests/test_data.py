"""The data contract: loading, typing, and the exact problems reported for bad input."""
from __future__ import annotations

import pandas as pd
import pytest

from pmo_analysis import DataValidationError, MissingTableError, load_portfolio
from pmo_analysis.data import SCHEMA
from tests.conftest import REAL_DATA, edit_csv


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
    "bad date": (*_set("projects", 0, "start_date", "2026-13-45"),
                 "projects.csv, row 2, column 'start_date': value '2026-13-45': not a date YYYY-MM-DD"),
    "ambiguous date": (*_set("projects", 1, "end_date", "03/04/2026"),
                       "projects.csv, row 3, column 'end_date': value '03/04/2026': not a date YYYY-MM-DD"),
    "text amount": (*_set("projects", 2, "budget", "abc"),
                    "projects.csv, row 4, column 'budget': value 'abc': not a number"),
    "negative budget": (*_set("projects", 3, "budget", "-5"),
                        "projects.csv, row 5, column 'budget': value '-5': must be >= 0"),
    "bad status": (*_set("projects", 4, "status", "Done"),
                   "projects.csv, row 6, column 'status': value 'Done': must be one of proposed, "
                   "active, on_hold, completed, cancelled"),
    "empty id": (*_set("projects", 5, "project_id", "  "),
                 "projects.csv, row 7, column 'project_id': value '': must not be empty"),
    "duplicate id": (*_set("resources", 1, "resource_id", "R001"),
                     "resources.csv, row 2, column 'resource_id': value 'R001': duplicate value: must be unique"),
    "capacity zero": (*_set("resources", 0, "weekly_capacity_hours", "0"),
                      "resources.csv, row 2, column 'weekly_capacity_hours': value '0': must be > 0 and <= 168"),
    "allocation over 100": (*_set("assignments", 0, "allocation_pct", "120"),
                            "assignments.csv, row 2, column 'allocation_pct': value '120': must be > 0 and <= 100"),
    "hours over 24": (*_set("timesheets", 0, "hours", "25"),
                      "timesheets.csv, row 2, column 'hours': value '25': must be > 0 and <= 24"),
    "unknown project": (*_set("cashflows", 0, "project_id", "PRJ-999"),
                        "cashflows.csv, row 2, column 'project_id': value 'PRJ-999': unknown project_id: not in projects"),
    "unknown resource": (*_set("timesheets", 0, "resource_id", "R999"),
                         "timesheets.csv, row 2, column 'resource_id': value 'R999': unknown resource_id: not in resources"),
    "bad lesson kind": (*_set("lessons", 0, "kind", "lesson"),
                        "lessons.csv, row 2, column 'kind': value 'lesson': must be one of went_well, to_improve"),
    "bad month": (*_set("cashflows", 0, "period", "March"),
                  "cashflows.csv, row 2, column 'period': value 'March': not a month YYYY-MM (or a date in it)"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_each_defect_is_reported_precisely(sample_copy, case):
    table, edit, expected = CASES[case]
    edit_csv(sample_copy, table, edit)
    assert expected in _problems(sample_copy)


def test_end_before_start(sample_copy):
    edit_csv(sample_copy, "projects", lambda df: df.assign(
        end_date=df["end_date"].where(df.index != 0, "2020-01-01")))
    problems = _problems(sample_copy)
    assert any(p.startswith("projects.csv, row 2, column 'end_date': value '2020-01-01': end_date is before start_date")
               for p in problems), problems


def test_duplicate_cashflow_month(sample_copy):
    edit_csv(sample_copy, "cashflows", lambda df: pd.concat([df, df.iloc[[0]]], ignore_index=True))
    problems = _problems(sample_copy)
    n = len(pd.read_csv(sample_copy / "cashflows.csv"))
    first = pd.read_csv(sample_copy / "cashflows.csv", dtype=str).iloc[0]
    assert (f"cashflows.csv, row {n + 1}, column 'project_id, period': value "
            f"'{first.project_id} / {first.period}': duplicate (project_id, period): must be unique") in problems


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
    assert str(info.value).splitlines()[:2] == ["3 problem(s) in the portfolio data " + str(sample_copy),
                                                "[projects]"]


def test_missing_required_column(sample_copy):
    edit_csv(sample_copy, "resources", lambda df: df.drop(columns=["role"]))
    problems = _problems(sample_copy)
    assert problems[0].startswith("resources.csv: missing required column(s) 'role'")


def test_empty_table(sample_copy):
    edit_csv(sample_copy, "lessons", lambda df: df.iloc[0:0])
    assert "lessons.csv: the table is empty (header only): it needs at least one data row" in _problems(sample_copy)


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
    from pmo_analysis.config import PROJ_ROOT
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
