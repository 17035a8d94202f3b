"""A PMO's own tracker read through a mapping file: same figures as the contract shape, messages in
the PMO's own words, one line for each mistake in a mapping file.

The trackers are built here from the bundled sample, in shapes a PMO keeps: an .xlsx workbook with
sheets named in Chinese and English, its own headers, statuses and units (k$, 万元), dates as
dd/mm/yyyy, a title above the header; and a held-out shape unlike it (a semicolon CSV in GB18030
with decimal commas and its columns in another order, cash flows in a Parquet file, dates as
2026年3月31日, amounts in M$ and 千元).
"""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from pmo_analysis import load_portfolio
from pmo_analysis.analyses.finance import roi_export
from pmo_analysis.cli import main
from pmo_analysis.core.config import SAMPLE_AS_OF, SAMPLE_DATA_DIR
from pmo_analysis.core.exceptions import DataValidationError, ParameterError
from pmo_analysis.inputs.mapping import UNITS, open_file_mapping, scale_amounts, unit_factor
from pmo_analysis.inputs.validation import parse_number
from pmo_analysis.model import build_model
from pmo_analysis.reporting.export import write_csv
from tests.helpers import REAL_DATA

#: The tables the trackers below hold; the others sit beside the mapping file in contract shape.
MAPPED = ("projects", "cashflows")
THEIR_STATUS = {  # several of their words for one status, in English and Chinese
    "proposed": ["Proposed", "提议"],
    "active": ["In Progress", "进行中", "in progress"],
    "on_hold": ["On Hold", "暂停"],
    "completed": ["Done", "已完成"],
    "cancelled": ["Cancelled", "已取消"],
}
STATUS_MAP = {word: status for status, words in THEIR_STATUS.items() for word in words if word != "in progress"}


def _contract(table: str) -> pd.DataFrame:
    """A sample table as its CSV holds it, every cell as text."""
    return pd.read_csv(SAMPLE_DATA_DIR / f"{table}.csv", dtype=str, keep_default_na=False)


def _in_unit(text: str, unit: float) -> float | None:
    """An amount as a PMO types it in ``unit``: 9861.21 in k$ is 9.86121 (exact, not 9.861210000000001)."""
    return None if text == "" else float(Decimal(text) / Decimal(repr(unit)))


def _their_status(status: pd.Series) -> pd.Series:
    """Each contract status as one of their words, taking turns."""
    words = [THEIR_STATUS[s][i % len(THEIR_STATUS[s])] for i, s in enumerate(status)]
    return pd.Series(words, index=status.index)


def _other_tables(folder: Path) -> None:
    """The tables the tracker does not hold, beside the mapping file as a data folder has them."""
    for path in SAMPLE_DATA_DIR.glob("*.csv"):
        if path.stem not in MAPPED:
            shutil.copy(path, folder / path.name)


# --------------------------------------------------------------------------- the workbook tracker
WORKBOOK_MAPPING = """\
workbook: PMO Tracker.xlsx
tables:
  projects:
    sheet: 项目
    columns:
      Project Code: project_id
      Project Name: name
      Dept: department
      状态: status
      Start: start_date
      Finish: end_date
      Budget (k$): budget
      Sponsor: sponsor
      PM: manager
      Objective: strategic_objective
      Alignment: strategic_alignment
      Risk: risk_score
      "% Complete": percent_complete
    values:
      status: {STATUS}
    dates: "%d/%m/%Y"
    scale:
      budget: k$
  cashflows:
    sheet: Cash flows
    header_row: 3
    columns:
      Project Code: project_id
      Month: period
      Planned Cost (万元): planned_cost
      Planned Benefit (万元): planned_benefit
      Actual Cost (万元): actual_cost
      Actual Benefit (万元): actual_benefit
    dates:
      period: "%Y年%m月"
    scale: {planned_cost: 万元, planned_benefit: 万元, actual_cost: 万元, actual_benefit: 万元}
""".replace("{STATUS}", "{" + ", ".join(f'"{k}": {v}' for k, v in STATUS_MAP.items()) + "}")


def _dmy(text: str) -> str:
    return "" if text == "" else pd.Timestamp(text).strftime("%d/%m/%Y")


def _write_sheet(
    ws, df: pd.DataFrame, *, title_rows: int = 0, percent: str | None = None, title: str | None = None
) -> None:
    for i in range(title_rows):  # blank rows above the header, or a title and notes, as trackers have
        ws.append([title] if title and i == 0 else [])
    ws.append(list(df.columns))
    for row in df.itertuples(index=False):
        ws.append([None if v is None or v == "" or (isinstance(v, float) and pd.isna(v)) else v for v in row])
    if percent is not None:
        col = list(df.columns).index(percent) + 1
        for cells in ws.iter_rows(min_row=title_rows + 2, min_col=col, max_col=col):
            cells[0].number_format = "0%"


def write_workbook_tracker(folder: Path, edit=None) -> Path:
    """``PMO Tracker.xlsx`` (sheets 项目 and Cash flows) and ``tracker.yml`` in ``folder``; ``edit``
    may change the projects sheet (their shape) before it is written."""
    folder.mkdir(parents=True, exist_ok=True)
    p = _contract("projects")
    projects = pd.DataFrame(
        {
            "Project Code": p["project_id"],
            "Project Name": p["name"],
            "状态": _their_status(p["status"]),
            "Dept": p["department"],
            "Start": p["start_date"].map(_dmy),
            "Finish": p["end_date"].map(_dmy),
            "Budget (k$)": p["budget"].map(lambda v: _in_unit(v, 1000)),
            "Sponsor": p["sponsor"],
            "PM": p["manager"],
            "Objective": p["strategic_objective"],
            "Alignment": pd.to_numeric(p["strategic_alignment"]),
            "Risk": pd.to_numeric(p["risk_score"]),
            "% Complete": p["percent_complete"].map(lambda v: None if v == "" else float(Decimal(v) / 100)),
        }
    )
    if edit is not None:
        projects = edit(projects)
    c = _contract("cashflows")
    cashflows = pd.DataFrame(
        {
            "Project Code": c["project_id"],
            "Month": c["period"].map(lambda v: f"{int(v[:4])}年{int(v[5:7])}月"),
            **{
                f"{name.replace('_', ' ').title()} (万元)": c[name].map(lambda v: _in_unit(v, 10000))
                for name in ("planned_cost", "planned_benefit", "actual_cost", "actual_benefit")
            },
        }
    )
    wb = openpyxl.Workbook()
    _write_sheet(wb.active, projects, title_rows=2, percent="% Complete")
    wb.active.title = "项目"
    _write_sheet(wb.create_sheet("Cash flows"), cashflows, title_rows=2, title="Monthly forecast, in 万元")
    wb.save(folder / "PMO Tracker.xlsx")
    (folder / "tracker.yml").write_text(WORKBOOK_MAPPING, encoding="utf-8")
    _other_tables(folder)
    return folder / "tracker.yml"


# --------------------------------------------------------------------------- the held-out shape
CSV_MAPPING = """\
tables:
  projects:
    file: exports/register.csv
    delimiter: ";"
    decimal: ","
    columns:
      Budget M$: budget
      Ende: end_date
      Beginn: start_date
      Kennung: project_id
      Bezeichnung: name
      Bereich: department
      项目状态: status
    values:
      项目状态:
        建议: proposed
        执行中: active
        搁置: on_hold
        完成: completed
        取消: cancelled
    dates: "%Y年%m月%d日"
    scale: {budget: M$}
  cashflows:
    file: exports/cashflows.parquet
    columns: {code: project_id, month_start: period, plan_k: planned_cost, benefit_k: planned_benefit,
              actual_k: actual_cost, actual_benefit_k: actual_benefit}
    scale: {planned_cost: 千元, planned_benefit: 千元, actual_cost: 千元, actual_benefit: 千元}
"""
CHINESE = {"proposed": "建议", "active": "执行中", "on_hold": "搁置", "completed": "完成", "cancelled": "取消"}


def _decimal_comma(v: float | None) -> str:
    return "" if v is None else repr(v).replace(".", ",")


def write_csv_tracker(folder: Path) -> Path:
    """A semicolon CSV (decimal commas, columns in their own order, dates 2026年3月31日, budgets in
    M$) and a Parquet file of cash flows in 千元, named by ``register.yml``."""
    (folder / "exports").mkdir(parents=True, exist_ok=True)
    p = _contract("projects")
    zh_date = lambda v: "" if v == "" else "{0.year}年{0.month}月{0.day}日".format(pd.Timestamp(v))  # noqa: E731
    register = pd.DataFrame(
        {
            "Ende": p["end_date"].map(zh_date),
            "Kennung": p["project_id"],
            "Budget M$": p["budget"].map(lambda v: _decimal_comma(_in_unit(v, 1e6))),
            "项目状态": p["status"].map(CHINESE),
            "Bezeichnung": p["name"],
            "Beginn": p["start_date"].map(zh_date),
            "Bereich": p["department"],
            **{c: p[c] for c in ("strategic_alignment", "risk_score", "percent_complete", "sponsor", "manager")},
            "strategic_objective": p["strategic_objective"],
        }
    )
    register["percent_complete"] = register["percent_complete"].str.replace(".", ",", regex=False)
    register.to_csv(folder / "exports" / "register.csv", sep=";", index=False, encoding="gb18030")
    c = _contract("cashflows")
    pd.DataFrame(
        {
            "code": c["project_id"],
            "month_start": pd.to_datetime(c["period"]),
            **{
                f"{short}_k": c[name].map(lambda v: _in_unit(v, 1000)).astype("float64")
                for short, name in (
                    ("plan", "planned_cost"),
                    ("benefit", "planned_benefit"),
                    ("actual", "actual_cost"),
                    ("actual_benefit", "actual_benefit"),
                )
            },
        }
    ).to_parquet(folder / "exports" / "cashflows.parquet", index=False)
    (folder / "register.yml").write_text(CSV_MAPPING, encoding="utf-8")
    _other_tables(folder)
    return folder / "register.yml"


# --------------------------------------------------------------------------- same figures
def _roi_by_project(model) -> pd.DataFrame:
    """The roi_by_project table the ROI report exports."""
    return roi_export(model.projects)


@pytest.mark.parametrize("write", [write_workbook_tracker, write_csv_tracker], ids=["workbook", "held-out-csv"])
def test_a_tracker_in_its_own_shape_gives_the_same_figures(write, model, tmp_path):
    mapping = write(tmp_path / "tracker")
    portfolio = load_portfolio(mapping, as_of=SAMPLE_AS_OF)
    ours = build_model(portfolio, as_of=SAMPLE_AS_OF)
    pd.testing.assert_frame_equal(_roi_by_project(ours), _roi_by_project(model))
    pd.testing.assert_frame_equal(ours.decisions, model.decisions)
    (tmp_path / "ours").mkdir()
    (tmp_path / "sample").mkdir()
    for name, table in (("roi_by_project", _roi_by_project), ("decisions", lambda m: m.decisions)):
        write_csv(table(ours), tmp_path / "ours" / f"{name}.csv")
        write_csv(table(model), tmp_path / "sample" / f"{name}.csv")
        assert (tmp_path / "ours" / f"{name}.csv").read_bytes() == (tmp_path / "sample" / f"{name}.csv").read_bytes()
    assert portfolio.source["kind"] == "files"
    assert [t["from"] for t in portfolio.source["tables"]][:1] in (
        ["PMO Tracker.xlsx [sheet 项目]"],
        ["exports/register.csv"],
    )


def test_validate_and_run_take_a_mapping_of_files(tmp_path):
    mapping = write_workbook_tracker(tmp_path / "tracker")
    result = CliRunner().invoke(main, ["validate", str(mapping), "--as-of", SAMPLE_AS_OF])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"{mapping}: valid"
    assert "  projects               40 rows  (PMO Tracker.xlsx [sheet 项目])" in lines
    assert any(line.startswith("  timesheets") and line.endswith("(timesheets.csv)") for line in lines)


# --------------------------------------------------------------------------- messages in their words
def _problems(mapping: Path) -> list[str]:
    with pytest.raises(DataValidationError) as exc:
        load_portfolio(mapping, as_of=SAMPLE_AS_OF, tables=MAPPED)
    return str(exc.value).splitlines()


def test_messages_name_their_file_sheet_header_and_row(tmp_path):
    def edit(df: pd.DataFrame) -> pd.DataFrame:
        df = df.copy()
        df.loc[2, "Budget (k$)"] = -5.0  # spreadsheet row 6: two blank rows, the header, then data
        df.loc[3, "Finish"] = "31/02/2027"  # no such day
        df.loc[4, "Finish"] = "2024-01-31"  # an ISO date is read whatever the format: before its start
        for i in (5, 9, 12):
            df.loc[i, "状态"] = "Parked"
        df.loc[7, "状态"] = "closed"
        return df

    lines = _problems(write_workbook_tracker(tmp_path, edit))
    sheet = "PMO Tracker.xlsx [sheet 项目]"
    assert lines == [
        f"4 problem(s) in the portfolio data {tmp_path / 'tracker.yml'}",
        "[projects]",
        f"  - {sheet}, column '状态': 2 value(s) not mapped to a status the contract allows: "
        "'Parked' (rows 9, 13, 16), 'closed' (row 11); allowed: proposed, active, on_hold, completed, cancelled; "
        "map each to one of those under tables.projects.values.status in tracker.yml",
        f"  - {sheet}, row 7, column 'Finish': value '31/02/2027': not a date in the mapping's format "
        "'%d/%m/%Y' (such as '31/03/2026')",
        f"  - {sheet}, row 6, column 'Budget (k$)': value -5: must be >= 0",
        f"  - {sheet}, row 8, column 'Finish': value '2024-01-31': 'Finish' is before 'Start'",
    ]


def test_a_reference_to_an_unknown_project_names_both_sheets(tmp_path):
    def edit(df: pd.DataFrame) -> pd.DataFrame:
        return df.iloc[1:]  # PRJ-001 leaves the register; its cash flows stay

    lines = _problems(write_workbook_tracker(tmp_path, edit))
    assert lines[2] == (
        "  - PMO Tracker.xlsx [sheet Cash flows], row 4, column 'Project Code': value 'PRJ-001': "
        "unknown 'Project Code': not in the projects of PMO Tracker.xlsx [sheet 项目]"
    )


def test_without_a_limit_each_unmapped_row_is_listed(tmp_path):
    """Leaving out invalid rows lists each row it leaves out, so an unmapped status is one line per row."""

    def edit(df: pd.DataFrame) -> pd.DataFrame:
        df = df.copy()
        df.loc[[5, 9], "状态"] = "Parked"
        return df

    p = load_portfolio(write_workbook_tracker(tmp_path, edit), as_of=SAMPLE_AS_OF, on_error="drop", tables=MAPPED)
    own = [str(d) for d in p.dropped if d.table == "projects"]
    assert own == [
        "PMO Tracker.xlsx [sheet 项目], row 9, column '状态': value 'Parked': must be one of "
        "proposed, active, on_hold, completed, cancelled",
        "PMO Tracker.xlsx [sheet 项目], row 13, column '状态': value 'Parked': must be one of "
        "proposed, active, on_hold, completed, cancelled",
    ]
    assert len(p.projects) == 38


# --------------------------------------------------------------------------- mistakes in a mapping file
@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (("projects:\n", "project:\n"), "tables names 'project', which is not a contract table; use projects, "),
        (("Dept: department", "Dept: dept"), "tables.projects.columns maps 'Dept' to 'dept', which is not a column"),
        (
            ("workbook: PMO Tracker.xlsx", "workbook: Tracker.xlsx"),
            "tables.projects.file 'Tracker.xlsx' does not exist",
        ),
        (
            ("sheet: 项目", "sheet: Projekte"),
            "tables.projects.sheet 'Projekte' is not a sheet of PMO Tracker.xlsx; its sheets are '项目', 'Cash flows'",
        ),
        (("PM: manager", "PM: name"), "tables.projects.columns maps both 'Project Name' and 'PM' to 'name': keep one"),
        (
            ('"Done": completed', '"Done": finished'),
            "tables.projects.values.status maps 'Done' to 'finished', which "
            "status does not allow; use one of proposed, active, on_hold, completed, cancelled",
        ),
        (("budget: k$", "budget: thousands of dollars"), "tables.projects.scale.budget must be a number or a unit"),
        (("budget: k$", "budget: -1000"), "tables.projects.scale.budget must be a number greater than 0, got -1000"),
        (("budget: k$", "name: k$"), "tables.projects.scale names 'name', which is not a number column"),
        (('dates: "%d/%m/%Y"', 'dates: "%d/%m"'), "tables.projects.dates.start_date: the format '%d/%m' needs a year"),
        (
            ("sheet: Cash flows", "sheet: Cash flows\n    delimiter: ';'"),
            "tables.cashflows.delimiter: 'PMO Tracker.xlsx' is not a CSV file",
        ),
        (
            ("header_row: 3", "header_row: first"),
            "tables.cashflows.header_row must be the spreadsheet row of the header",
        ),
        (
            (None, "tables:\n  projects: ppm.projects\n"),
            "tracker.yml: not a mapping file: give 'url:' and 'tables:' to read a database (see README, 'Reading "
            "from a database'), or 'tables:' whose tables name a 'file:' or 'sheet:' to read your own files "
            "(see README, 'A spreadsheet in your own shape')",
        ),
    ],
)
def test_a_mistake_in_a_mapping_file_is_one_line(edit, message, tmp_path):
    mapping = write_workbook_tracker(tmp_path)
    text = mapping.read_text(encoding="utf-8")
    assert edit[0] is None or edit[0] in text
    mapping.write_text(edit[1] if edit[0] is None else text.replace(edit[0], edit[1], 1), encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(mapping)])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and message in lines[0], result.output


def test_a_header_the_file_lacks_is_one_problem_naming_its_columns(tmp_path):
    mapping = write_workbook_tracker(tmp_path, lambda df: df.rename(columns={"Dept": "Department"}))
    lines = _problems(mapping)
    assert lines[2] == (
        "  - PMO Tracker.xlsx [sheet 项目]: the mapping's columns name 'Dept', which this sheet does not have; "
        "its columns are 'Project Code', 'Project Name', '状态', 'Department', 'Start', 'Finish', 'Budget (k$)', "
        "'Sponsor', 'PM', 'Objective', 'Alignment', 'Risk', '% Complete'"
    )


# --------------------------------------------------------------------------- laws
@settings(max_examples=150, deadline=None)
@given(
    cents=st.lists(st.integers(min_value=-(10**14), max_value=10**14), min_size=1, max_size=40),
    unit=st.sampled_from([*sorted(set(UNITS)), "k$", "$M", "kEUR", 1000, 0.01, 2.5]),
)
def test_an_amount_typed_in_a_unit_reads_as_the_amount_typed_in_the_currency(cents, unit):
    """Scaling, then validating, gives the very float the amount typed in the currency gives, for
    amounts up to a trillion to the cent, typed as text (a CSV) or held as a float (a workbook cell)."""
    factor = unit_factor(unit) if isinstance(unit, str) else float(unit)
    amounts = [Decimal(c) / 100 for c in cents]
    typed = [format((a / Decimal(repr(factor))).normalize(), "f") for a in amounts]  # as a PMO types them
    assert all(Decimal(t) * Decimal(repr(factor)) == a for t, a in zip(typed, amounts, strict=True))
    expected, _ = parse_number(pd.Series([format(a, "f") for a in amounts]))
    assert scale_amounts(pd.Series(typed), factor).tolist() == expected.tolist()
    from_cells = scale_amounts(pd.Series([float(t) for t in typed]), factor)
    assert from_cells.tolist() == expected.tolist()


@given(
    day=st.dates(min_value=pd.Timestamp("1900-01-01").date(), max_value=pd.Timestamp("2200-12-31").date()),
    fmt=st.sampled_from(["%d/%m/%Y", "%Y年%m月%d日", "%m-%d-%Y", "%d.%m.%Y", "%Y%m%d"]),
)
def test_a_date_written_in_the_mapped_format_reads_as_that_date(day, fmt):
    """Any date written in the mapping's format is read as that date."""
    from pmo_analysis.inputs.mapping import _parse_dates

    parsed = _parse_dates(pd.Series([day.strftime(fmt)], dtype=object), fmt)
    assert pd.Timestamp(parsed.iloc[0]) == pd.Timestamp(day)


def test_open_file_mapping_resolves_files_against_the_mapping_folder(tmp_path):
    mapping = write_csv_tracker(tmp_path / "deep" / "folder")
    m = open_file_mapping(mapping)
    assert m.tables["projects"].file == (tmp_path / "deep" / "folder" / "exports" / "register.csv").resolve()
    assert m.tables["cashflows"].scale == {
        c: 1000.0 for c in ("planned_cost", "planned_benefit", "actual_cost", "actual_benefit")
    }
    (tmp_path / "db.yml").write_text("url: sqlite:///x.db\n")
    with pytest.raises(ParameterError, match="a database mapping file"):
        open_file_mapping(tmp_path / "db.yml")


# --------------------------------------------------------------------------- the README's recipe
def test_the_readme_recipe_validates_as_written(tmp_path):
    """The mapping file of the README, with a tracker in the shape it describes, validates."""
    from pmo_analysis.core.config import PROJ_ROOT

    readme = (PROJ_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### A spreadsheet in your own shape", 1)[1]
    recipe = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    (tmp_path / "tracker.yml").write_text(recipe, encoding="utf-8")
    p, c = _contract("projects"), _contract("cashflows")
    words = {"active": "In Progress", "on_hold": "On Hold", "completed": "Done"}  # proposed, cancelled as they are
    projects = pd.DataFrame(
        {
            "Project Code": p["project_id"],
            "Project Name": p["name"],
            "Dept": p["department"],
            "状态": p["status"].map(lambda s: words.get(s, s)),
            "Start": p["start_date"].map(_dmy),
            "Finish": p["end_date"].map(_dmy),
            "Budget (k$)": p["budget"].map(lambda v: _in_unit(v, 1000)),
        }
    )
    wb = openpyxl.Workbook()
    _write_sheet(wb.active, projects)
    wb.active.title = "项目"
    wb.save(tmp_path / "PMO Tracker.xlsx")
    (tmp_path / "finance").mkdir()
    pd.DataFrame(
        {
            "Project Code": c["project_id"],
            "Month": c["period"].map(lambda v: f"{v[5:7]}/{v[:4]}"),
            "Plan": c["planned_cost"].str.replace(".", ",", regex=False),
            "Benefit": c["planned_benefit"].str.replace(".", ",", regex=False),
        }
    ).to_csv(tmp_path / "finance" / "monthly.csv", sep=";", index=False)
    commands = [line.split("pmo-analysis ", 1)[1].split() for line in section.split("```bash\n", 1)[1].splitlines()[:2]]
    assert commands[0] == ["validate", "tracker.yml", "--as-of", "2026-06-30"]
    assert commands[1] == ["run", "--data-dir", "tracker.yml", "-p", "as_of", "2026-06-30"]
    result = CliRunner().invoke(main, ["validate", str(tmp_path / "tracker.yml"), *commands[0][2:]])
    assert result.exit_code == 0, result.output
    loaded = load_portfolio(tmp_path / "tracker.yml")
    sample = load_portfolio(SAMPLE_DATA_DIR, tables=MAPPED)
    pd.testing.assert_series_equal(loaded.projects["budget"], sample.projects["budget"])
    pd.testing.assert_series_equal(loaded.projects["status"], sample.projects["status"])
    pd.testing.assert_series_equal(loaded.cashflows["planned_cost"], sample.cashflows["planned_cost"])


def test_a_header_row_below_the_table_is_one_problem(tmp_path):
    mapping = write_workbook_tracker(tmp_path)
    mapping.write_text(
        mapping.read_text(encoding="utf-8").replace("header_row: 3", "header_row: 5000"), encoding="utf-8"
    )
    lines = _problems(mapping)
    assert lines[1:] == [
        "[cashflows]",
        "  - PMO Tracker.xlsx [sheet Cash flows]: header_row 5000 is not a row of the table: the first row with "
        "text is row 1, the last row 1814",
    ]


# --------------------------------------------------------------------------- other coded columns
def test_codes_of_other_tables_map_and_unmapped_codes_are_one_message(tmp_path):
    """Dependency types as a schedule writes them (FS, SS, FF), lesson impacts as numbers 1-3 in a
    Parquet file: mapped; a code no entry maps is one message, whatever the column."""
    shutil.copy(SAMPLE_DATA_DIR / "projects.csv", tmp_path / "projects.csv")
    d = _contract("dependencies")
    short = {"finish_to_start": "FS", "start_to_start": "SS", "finish_to_finish": "FF"}
    links = pd.DataFrame({"To": d["successor_id"], "From": d["predecessor_id"], "Link": d["type"].map(short)})
    links.to_csv(tmp_path / "links.csv", sep="\t", index=False)
    lessons = _contract("lessons")
    lessons["impact"] = lessons["impact"].map({"low": 1, "medium": 2, "high": 3}).astype("int64")
    lessons.to_parquet(tmp_path / "lessons.parquet", index=False)
    (tmp_path / "m.yml").write_text(
        "tables:\n"
        "  dependencies:\n"
        "    file: links.csv\n"
        '    delimiter: "\\t"\n'
        "    columns: {From: predecessor_id, To: successor_id, Link: type}\n"
        "    values: {type: {FS: finish_to_start, SS: start_to_start, FF: finish_to_finish}}\n"
        "  lessons:\n"
        "    file: lessons.parquet\n"
        "    values: {impact: {1: low, 2: medium, 3: high}}\n",
        encoding="utf-8",
    )
    p = load_portfolio(tmp_path / "m.yml", tables=("dependencies", "lessons"))
    sample = load_portfolio(SAMPLE_DATA_DIR, tables=("dependencies", "lessons"))
    pd.testing.assert_series_equal(p.dependencies["type"], sample.dependencies["type"])
    pd.testing.assert_series_equal(p.lessons["impact"], sample.lessons["impact"])

    links.loc[[1, 4], "Link"] = "SF"
    links.to_csv(tmp_path / "links.csv", sep="\t", index=False)
    with pytest.raises(DataValidationError) as exc:
        load_portfolio(tmp_path / "m.yml", tables=("dependencies",))
    assert str(exc.value).splitlines()[1:] == [
        "[dependencies]",
        "  - links.csv, column 'Link': 1 value(s) not mapped to a type the contract allows: 'SF' (rows 3, 6); "
        "allowed: finish_to_start, start_to_start, finish_to_finish; map each to one of those under "
        "tables.dependencies.values.type in m.yml",
    ]


# --------------------------------------------------------------------------- real data nobody here wrote
@pytest.mark.skipif(not REAL_DATA.exists(), reason="../shared/real-data not present")
def test_real_messy_records_in_their_own_headers_and_k_dollars(tmp_path):
    """The IT Dashboard records (2,467 projects, 68,945 cash flows, defects left in), their headers
    renamed and every amount in k$: the same problems on the same rows, named by the new headers;
    leaving the invalid rows out, the same tables to the cent."""
    folder = REAL_DATA / "it-dashboard"
    header = {
        c: c.replace("_", " ").title()
        for c in ("project_id", "name", "department", "status", "start_date", "end_date", "percent_complete")
    }
    money = {
        "budget": "Budget (k$)",
        "planned_cost": "Plan (k$)",
        "planned_benefit": "Benefit (k$)",
        "actual_cost": "Actual (k$)",
        "actual_benefit": "Actual Benefit (k$)",
    }
    header |= money | {"period": "Month"}
    spec = ["tables:"]
    for table in MAPPED:
        df = pd.read_csv(folder / f"{table}.csv", dtype=str, keep_default_na=False)
        for c in set(money) & set(df.columns):
            df[c] = df[c].map(lambda v: "" if v == "" else format((Decimal(v) / 1000).normalize(), "f"))
        df.rename(columns=header).to_csv(tmp_path / f"{table} export.csv", index=False)
        spec += [
            f"  {table}:",
            f"    file: {table} export.csv",
            "    columns: {" + ", ".join(f"{header[c]}: {c}" for c in df.columns) + "}",
            "    scale: {" + ", ".join(f"{c}: k$" for c in df.columns if c in money) + "}",
        ]
    (tmp_path / "it.yml").write_text("\n".join(spec) + "\n", encoding="utf-8")
    with pytest.raises(DataValidationError) as theirs:
        load_portfolio(folder)
    with pytest.raises(DataValidationError) as ours:
        load_portfolio(tmp_path / "it.yml")
    assert len(ours.value.problems) == len(theirs.value.problems) == 77
    for a, b in zip(ours.value.problems, theirs.value.problems, strict=True):
        assert (a.table, a.row, a.severity) == (b.table, b.row, b.severity)
        assert a.file == f"{b.table} export.csv"
        assert a.column == header[b.column]
        assert a.value == b.value or b.column in money
        assert a.rule == b.rule.replace("end_date is before start_date", "'End Date' is before 'Start Date'")
    ok_theirs = load_portfolio(folder, on_error="drop")
    ok_ours = load_portfolio(tmp_path / "it.yml", on_error="drop")
    for table in MAPPED:
        pd.testing.assert_frame_equal(getattr(ok_ours, table), getattr(ok_theirs, table))
