"""Schedule files read without Java: P6 XER (the workbook's own reader), the monthly spread, the
mapping to the contract and the import's folder, ids, currencies and bad files.

The Microsoft Project and PMXML files read through MPXJ are tested in
tests/runs/test_schedule_import_mpxj.py (one module, so the JVM starts once per worker).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pmo_analysis.core.exceptions import PMOError, ScheduleFileError
from pmo_analysis.inputs.portfolio import load_portfolio
from pmo_analysis.inputs.schedules import read_schedule
from pmo_analysis.inputs.schedules.contract import spread_by_day, spread_by_month
from pmo_analysis.runs.imports import ID_FILE, REPORT_FILE, import_schedules
from tests.helpers import SCHEDULE_FIXTURES, two_programme_xer, xer_text


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


@pytest.fixture
def programmes(tmp_path) -> Path:
    return _write(tmp_path / "programmes.xer", xer_text(two_programme_xer()), "gb18030")


def _csv(folder: Path, table: str) -> pd.DataFrame:
    return pd.read_csv(folder / f"{table}.csv", dtype={"project_id": str})


# --------------------------------------------------------------------------- reading XER
@pytest.mark.parametrize("encoding", ["gb18030", "utf-8", "utf-8-sig"])
def test_xer_text_is_decoded_by_the_workbook_rule_not_garbled(tmp_path, encoding):
    path = _write(tmp_path / "p.xer", xer_text(two_programme_xer()), encoding)
    schedules = {s.key: s for s in read_schedule(path)}
    assert schedules["DP-01"].name == "数据中台建设"
    assert schedules["ERP-02"].name == "ERP Upgrade (Müller)"
    assert "数据建模" in set(schedules["DP-01"].activities.name)


def test_windows_1252_xer_reads_accented_names(tmp_path):
    tables = two_programme_xer(name="Ærøskøbing harbour")
    tables["RSRC"][0]["rsrc_name"] = "Jürgen Müller"
    for task in tables["TASK"]:
        task["task_name"] = task["task_code"] + " étape"
    path = _write(tmp_path / "p.xer", xer_text(tables), "cp1252")
    dp = read_schedule(path)[0]
    assert dp.name == "Ærøskøbing harbour"
    assert set(dp.resources.name) == {"Jürgen Müller"}


def test_xer_whose_encoding_cannot_be_told_is_refused_in_one_line(tmp_path):
    # Big5 bytes are valid GB18030 and Windows-1252 text, but plausible in neither
    tables = {
        "PROJECT": [{"proj_id": 1, "proj_short_name": "P1"}],
        "PROJWBS": [{"wbs_id": 1, "proj_id": 1, "proj_node_flag": "Y", "wbs_name": "資料平台建設計畫"}],
    }
    path = _write(tmp_path / "big5.xer", xer_text(tables), "big5")
    with pytest.raises(
        ScheduleFileError, match=r"^big5\.xer: cannot tell the text encoding: .*export it again from P6"
    ):
        read_schedule(path)


def test_wbs_nodes_and_baseline_projects_are_not_activities_or_projects(programmes):
    schedules = read_schedule(programmes)
    assert [s.key for s in schedules] == ["DP-01", "ERP-02"]
    assert "DP-SUM" not in set(schedules[0].activities.code)
    assert schedules[0].has_baseline and schedules[0].activities.set_index("code").baseline_finish["M100"] == dt.date(
        2026, 5, 29
    )


def test_mpxj_fixture_xer_keeps_its_own_totals():
    """MPXJ's own reader spreads 3,360 of this file's 27,600 budget; ours keeps every cent."""
    (s,) = read_schedule(SCHEDULE_FIXTURES / "resource-rates-test.xer")
    assert round(s.costs.budget.sum(), 2) == 27600.00
    spread = spread_by_month(s.costs.start, s.costs.finish, np.round(s.costs.budget * 100).astype(int))
    assert spread.cents.sum() == 2_760_000


# --------------------------------------------------------------------------- spreading
@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31)),
            st.integers(0, 800),
            st.integers(-(10**9), 10**11),
        ),
        min_size=1,
        max_size=20,
    )
)
def test_each_item_spreads_to_its_exact_cents(items):
    starts = [s for s, _, _ in items]
    finishes = [s + dt.timedelta(days=d) for s, d, _ in items]
    cents = [c for _, _, c in items]
    spread = spread_by_month(starts, finishes, cents)
    assert spread.groupby("item").cents.sum().reindex(range(len(items)), fill_value=0).tolist() == cents
    months = spread.period.dt.date
    assert all(
        dt.date(s.year, s.month, 1) <= m <= f
        for m, s, f in zip(months, np.array(starts)[spread.item], np.array(finishes)[spread.item], strict=True)
    )


def test_spread_follows_working_days():
    # 2026-01-29 (Thu) to 2026-02-03 (Tue): 2 weekdays in January, 2 in February
    spread = spread_by_month([dt.date(2026, 1, 29)], [dt.date(2026, 2, 3)], [301])
    assert spread.cents.tolist() == [151, 150] or spread.cents.tolist() == [150, 151]
    weekend = spread_by_month([dt.date(2026, 1, 31)], [dt.date(2026, 2, 1)], [100])  # Sat-Sun: calendar days
    assert weekend.cents.tolist() == [50, 50]
    days = spread_by_day([dt.date(2026, 1, 30)], [dt.date(2026, 2, 2)], [800])  # Fri, Sat, Sun, Mon
    assert pd.to_datetime(days.date).dt.day.tolist() == [30, 2] and days.cents.tolist() == [400, 400]


# --------------------------------------------------------------------------- the imported folder
def test_imported_folder_validates_and_costs_add_up_to_the_cent(programmes, tmp_path):
    out = tmp_path / "out"
    result = import_schedules([programmes], out)
    assert result.ok and set(result.projects.values()) == {"数据中台建设", "ERP Upgrade (Müller)"}
    portfolio = load_portfolio(out)
    assert set(portfolio.row_counts()) >= {"projects", "cashflows", "dependencies", "milestones"}
    ids = pd.read_csv(out / ID_FILE).set_index("key").project_id
    cash = _csv(out, "cashflows").groupby("project_id")
    planned = (cash.planned_cost.sum() * 100).round().astype(int)
    actual = (cash.actual_cost.sum() * 100).round().astype(int)
    assert planned[ids["DP-01"]] == 1_758_023 and planned[ids["ERP-02"]] == 1_000_000
    assert actual[ids["DP-01"]] == 471_098 and actual[ids["ERP-02"]] == 0
    projects = _csv(out, "projects").set_index("project_id")
    assert projects.budget.to_dict() == {ids["DP-01"]: 17580.23, ids["ERP-02"]: 10000.0}
    # actual costs are stated up to the status date (April) and empty after it
    dp = _csv(out, "cashflows").set_index(["project_id", "period"]).actual_cost
    assert dp[(ids["DP-01"], "2026-04")] >= 0 and np.isnan(dp[(ids["DP-01"], "2026-05")])


def test_percent_complete_is_cost_weighted_earned_value_and_status_comes_from_actual_dates(programmes, tmp_path):
    import_schedules([programmes], tmp_path / "out")
    ids = pd.read_csv(tmp_path / "out" / ID_FILE).set_index("key").project_id
    projects = _csv(tmp_path / "out", "projects").set_index("project_id")
    # DP-01: its one activity is 30% physically complete and carries the whole budget; the
    # milestone carries none; ERP-02 has not started (0% of 10,000), so 0, not empty
    assert projects.percent_complete[ids["DP-01"]] == pytest.approx(30.0)
    assert projects.percent_complete[ids["ERP-02"]] == 0.0
    assert projects.status[ids["DP-01"]] == "active" and projects.status[ids["ERP-02"]] == "proposed"
    assert projects.status_date[ids["DP-01"]] == "2026-04-30"


def test_percent_complete_weighs_activities_by_budget(tmp_path):
    tables = two_programme_xer(with_baselines=False)  # the budget is the plan: the new activity counts
    # a second activity in DP-01, finished, with a budget of 1,000: (17,580.23 x 30% + 1,000 x 100%) / 18,580.23
    tables["TASK"].append(
        {
            "task_id": 6,
            "proj_id": 10,
            "task_code": "A200",
            "task_name": "Done",
            "task_type": "TT_Task",
            "status_code": "TK_Complete",
            "act_start_date": "2026-01-05 08:00",
            "act_end_date": "2026-01-09 17:00",
            "target_start_date": "2026-01-05 08:00",
            "target_end_date": "2026-01-09 17:00",
        }
    )
    tables["PROJCOST"].append({"task_id": 6, "proj_id": 10, "target_cost": 1000, "act_cost": 1000})
    path = _write(tmp_path / "p.xer", xer_text(tables))
    import_schedules([path], tmp_path / "out")
    projects = _csv(tmp_path / "out", "projects").set_index("name")
    assert projects.percent_complete["数据中台建设"] == pytest.approx(
        round((17580.23 * 0.3 + 1000) / 18580.23 * 100, 2)
    )


def test_a_zero_budget_leaves_percent_complete_empty_not_zero():
    out_rows = None
    (s,) = read_schedule(SCHEDULE_FIXTURES / "percent-complete-8.4.xer")
    assert s.costs.empty
    from pmo_analysis.inputs.schedules.contract import to_contract

    tables, derived, _ = to_contract({"P1": [s]}, departments={}, refs={})
    out_rows = tables["projects"].iloc[0]
    assert out_rows.budget == 0 and pd.isna(out_rows.percent_complete)
    assert any("n/a" in line for line in derived[0].derived)


def test_only_labour_resources_are_people_and_cost_buckets_still_cost(programmes, tmp_path):
    import_schedules([programmes], tmp_path / "out")
    resources = _csv(tmp_path / "out", "resources").set_index("resource_id")
    assert set(resources.index) == {"WF", "JW"}  # not the £1/h cost bucket
    assert resources.weekly_capacity_hours["WF"] == 20.0  # 0.5 units x 40 h a week
    assert resources.hourly_cost["WF"] == 85.0
    timesheets = _csv(tmp_path / "out", "timesheets")
    assert set(timesheets.activity) == {"schedule actuals"}
    assert round(timesheets.hours.sum(), 2) == 37.78
    report = (tmp_path / "out" / REPORT_FILE).read_text(encoding="utf-8")
    assert "Cost bucket" in report and "carry cost only" in report


def test_cross_project_relations_roll_up_to_project_pairs_in_calendar_days(programmes, tmp_path):
    import_schedules([programmes], tmp_path / "out")
    ids = pd.read_csv(tmp_path / "out" / ID_FILE).set_index("key").project_id
    deps = _csv(tmp_path / "out", "dependencies")
    assert deps[["predecessor_id", "successor_id", "type", "lag_days"]].to_numpy().tolist() == [
        [ids["DP-01"], ids["ERP-02"], "start_to_start", 3]  # 16 working hours = 2 days of 8 h = 2.8 calendar days
    ]
    holidays = _csv(tmp_path / "out", "holidays")
    assert holidays.date.tolist() == ["2026-05-01"]  # the Saturday exception is not a weekday holiday


def test_milestones_come_from_the_baseline_and_an_xer_without_one_says_so(tmp_path):
    with_bl = _write(tmp_path / "bl.xer", xer_text(two_programme_xer()))
    import_schedules([with_bl], tmp_path / "a")
    ms = _csv(tmp_path / "a", "milestones").set_index("milestone_id")
    assert ms.baseline_date.to_dict() == {"M100": "2026-05-29", "M200": "2026-10-30"}
    assert ms.forecast_date.to_dict() == {"M100": "2026-06-19", "M200": "2026-12-18"}
    without = _write(tmp_path / "nobl.xer", xer_text(two_programme_xer(with_baselines=False)))
    import_schedules([without], tmp_path / "b")
    assert not (tmp_path / "b" / "milestones.csv").exists()
    report = (tmp_path / "b" / REPORT_FILE).read_text(encoding="utf-8")
    assert "no baseline" in report and "milestones have no baseline date" in report


def test_status_copies_give_the_milestone_history(tmp_path):
    march = _write(tmp_path / "march.xer", xer_text(two_programme_xer(status_date="2026-03-31")))
    tables = two_programme_xer(status_date="2026-04-30")
    tables["TASK"][2]["early_end_date"] = "2026-07-03 17:00"  # M100 slips in the April copy
    april = _write(tmp_path / "april.xer", xer_text(tables))
    import_schedules([april, march], tmp_path / "out")
    ms = _csv(tmp_path / "out", "milestones")
    m100 = ms[ms.milestone_id == "M100"].sort_values("status_date")
    assert m100[["status_date", "forecast_date"]].to_numpy().tolist() == [
        ["2026-03-31", "2026-06-19"],
        ["2026-04-30", "2026-07-03"],
    ]
    assert len(_csv(tmp_path / "out", "projects")) == 2  # copies are one project each
    load_portfolio(tmp_path / "out")


# --------------------------------------------------------------------------- ids, currencies, bad files
def test_project_ids_are_stable_across_imports_and_a_renamed_code_keeps_its_id(programmes, tmp_path):
    out = tmp_path / "out"
    import_schedules([programmes], out)
    first = pd.read_csv(out / ID_FILE).set_index("key").project_id.to_dict()
    other = _write(tmp_path / "other.xer", xer_text(two_programme_xer()).replace("DP-01", "NEW-01"), "gb18030")
    ids = pd.read_csv(out / ID_FILE)
    ids = pd.concat([ids, pd.DataFrame([{"key": "NEW-01", "project_id": first["DP-01"], "department": "Digital"}])])
    ids.to_csv(out / ID_FILE, index=False)
    import_schedules([other], out)
    again = pd.read_csv(out / ID_FILE).set_index("key").project_id.to_dict()
    assert again["ERP-02"] == first["ERP-02"] and again["NEW-01"] == first["DP-01"]
    projects = _csv(out, "projects").set_index("project_id")
    assert projects.department[first["DP-01"]] == "Digital" and set(projects.index) == set(first.values())


def test_a_mix_of_currencies_is_refused_naming_the_files(tmp_path):
    usd = _write(tmp_path / "usd.xer", xer_text(two_programme_xer()))
    cny = _write(
        tmp_path / "cny.xer",
        xer_text(two_programme_xer(), currency="CNY").replace("DP-01", "X1").replace("ERP-02", "X2"),
    )
    with pytest.raises(PMOError, match=r"several currencies \(CNY: cny\.xer; USD: usd\.xer\)"):
        import_schedules([usd, cny], tmp_path / "out")


def test_each_bad_file_is_one_line_and_the_others_still_import(programmes, tmp_path):
    bad = {
        "empty.xer": b"",
        "notes.xer": b"these are meeting notes, not a schedule\n",
        "plan.txt": b"ERMHDR\t8.4\n",
    }
    for name, content in bad.items():
        (tmp_path / name).write_bytes(content)
    said = []
    result = import_schedules([programmes, *(tmp_path / n for n in bad)], tmp_path / "out", say=said.append)
    assert len(result.projects) == 2
    assert result.problems == [
        "empty.xer: the file is empty",
        "notes.xer: not a Primavera P6 XER file (it does not start with ERMHDR)",
        "plan.txt: unsupported format '.txt': import Microsoft Project (.mpp, .xml) or Primavera P6 (.xer, .xml/.pmxml) files",
    ]
    assert all("\n" not in p for p in result.problems)
    report = (tmp_path / "out" / REPORT_FILE).read_text(encoding="utf-8")
    assert "## Files not imported" in report and "empty.xer: the file is empty" in report
    # an import in Chinese says why in Chinese
    zh = import_schedules([programmes, *(tmp_path / n for n in bad)], tmp_path / "zh", language="zh")
    assert zh.problems == [
        "empty.xer: 文件为空",
        "notes.xer: 不是 Primavera P6 XER 文件（开头不是 ERMHDR）",
        "plan.txt: 不支持的格式 '.txt'：请导入 Microsoft Project（.mpp、.xml）或 Primavera P6（.xer、.xml/.pmxml）文件",
    ]


def test_import_report_says_what_was_read_derived_missing_and_assumed(programmes, tmp_path):
    import_schedules([programmes], tmp_path / "out")
    report = (tmp_path / "out" / REPORT_FILE).read_text(encoding="utf-8")
    for heading in ("## programmes.xer", "**Read**", "**Derived**", "**Missing**", "**Benefits**"):
        assert heading in report
    assert "each month's amounts adding up to the file's totals" in report


def test_an_import_in_chinese_writes_its_report_and_lines_in_chinese(programmes, tmp_path):
    said = []
    import_schedules([programmes], tmp_path / "out", say=said.append, language="zh")
    report = (tmp_path / "out" / REPORT_FILE).read_text(encoding="utf-8")
    for heading in (
        "# 进度计划导入",
        "## programmes.xer",
        "**读取**",
        "**推导**",
        "**缺失**",
        "**收益**",
        "## 所有项目",
    ):
        assert heading in report, heading
    assert "Schedule import" not in report and "**Read**" not in report
    assert "- 现金流：" in report and "- 状态 进行中（由实际日期推导）" in report  # what was derived, in Chinese too
    assert said and all(line.startswith("已读取 programmes.xer：") for line in said), said


def test_with_a_baseline_project_the_budget_is_the_baselines_not_the_current_plans(tmp_path):
    for with_baselines, budget in ((True, 10_000.0), (False, 13_000.0)):
        tables = two_programme_xer(with_baselines=with_baselines)
        tables["TASKRSRC"][2]["target_cost"] = 12_000  # ERP-02's current plan grew from 9,000
        out = tmp_path / str(with_baselines)
        import_schedules([_write(tmp_path / f"{with_baselines}.xer", xer_text(tables))], out)
        projects = _csv(out, "projects").set_index("name")
        assert projects.budget["ERP Upgrade (Müller)"] == budget
        cash = _csv(out, "cashflows")
        assert (
            round(cash[cash.project_id == projects.project_id["ERP Upgrade (Müller)"]].planned_cost.sum(), 2) == budget
        )
