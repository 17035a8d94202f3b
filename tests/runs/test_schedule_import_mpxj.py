"""Schedule import of Microsoft Project (.mpp, MSPDI .xml) and P6 PMXML files, read through MPXJ.

One module, so its tests share one pytest-xdist worker (conftest.py groups tests by file) and the
JVM starts once for all of them. Skipped, saying how to install, where Java or MPXJ is missing.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from pmo_analysis.inputs.portfolio import load_portfolio
from pmo_analysis.runs.imports import ID_FILE, REPORT_FILE, import_schedules
from tests.helpers import SCHEDULE_FIXTURES as FIX

_MISSING = [m for m in ("jpype", "mpxj") if importlib.util.find_spec(m) is None] + (
    ["java"] if shutil.which("java") is None else []
)
pytestmark = pytest.mark.skipif(
    bool(_MISSING),
    reason=f"needs Java and MPXJ (missing: {', '.join(_MISSING)}): "
    "apt-get install default-jre-headless; pip install -e '.[schedules]'",
)


def _csv(folder: Path, table: str) -> pd.DataFrame:
    return pd.read_csv(folder / f"{table}.csv")


# each shipped fixture, alone or with the files it belongs with (one currency per portfolio)
FIXTURE_SETS = [
    ["sample.mpp"],
    ["sample.xml"],
    ["mpp9baseline.mpp"],
    ["mpp14baseline.mpp"],
    ["mpp12timephased.mpp"],
    ["mpp12subproject.mpp"],
    ["baselines.xml"],
    ["percent-complete-8.4.pmxml"],
    ["resource-rates-test.xer", "percent-complete-8.4.xer"],
]


@pytest.mark.parametrize("names", FIXTURE_SETS, ids=lambda names: "+".join(names))
def test_each_shipped_fixture_imports_into_a_folder_that_validates(names, tmp_path):
    result = import_schedules([FIX / n for n in names], tmp_path)
    assert result.ok and result.projects
    portfolio = load_portfolio(tmp_path)
    assert len(portfolio.projects) == len(result.projects)
    report = (tmp_path / REPORT_FILE).read_text(encoding="utf-8")
    assert all(f"## {n}" in report for n in names if n != "mpp12subproject.mpp")


def test_monthly_costs_add_up_to_the_files_totals_to_the_cent(tmp_path):
    from org.mpxj.reader import UniversalProjectReader  # the JVM runs after the first import

    import_schedules([FIX / "sample.mpp"], tmp_path / "a")
    total = float(UniversalProjectReader().read(str(FIX / "sample.mpp")).getTasks().get(0).getCost())
    cash = _csv(tmp_path / "a", "cashflows")
    assert total == 4171.25 and round(cash.planned_cost.sum() * 100) == round(total * 100)
    assert _csv(tmp_path / "a", "projects").budget.tolist() == [4171.25]


def test_a_baseline_gives_milestones_and_project_versions_read_alike(tmp_path):
    for name in ("mpp9baseline.mpp", "mpp14baseline.mpp"):  # Project 2003 and 2010 files of one plan
        import_schedules([FIX / name], tmp_path / name)
        ms = _csv(tmp_path / name, "milestones")
        assert ms[["name", "baseline_date", "forecast_date"]].to_numpy().tolist() == [
            ["Complete", "2006-09-13", "2006-09-14"]
        ]
        projects = _csv(tmp_path / name, "projects")
        assert projects.status.tolist() == ["active"] and projects.start_date.tolist() == ["2006-08-24"]
        # no costs in this plan: nothing to weigh progress by, so percent complete is n/a, not 0
        assert projects.budget.tolist() == [0.0] and projects.percent_complete.isna().all()
        timesheets = _csv(tmp_path / name, "timesheets")
        assert round(timesheets.hours.sum(), 2) == 24 + 40 + 8 * 5  # the assignments' actual work


def test_a_master_project_gives_its_subprojects(tmp_path):
    result = import_schedules([FIX / "mpp12subproject.mpp"], tmp_path)
    assert sorted(result.projects.values()) == ["SubprojectA-9", "SubprojectB-9"]
    report = (tmp_path / REPORT_FILE).read_text(encoding="utf-8")
    assert "(master project)" in report and "SubprojectA-9: read from SubprojectA-9.mpp" in report


def test_each_bad_file_is_one_line_and_the_others_still_import(tmp_path):
    corrupt = tmp_path / "corrupt.mpp"
    corrupt.write_bytes((FIX / "sample.mpp").read_bytes()[:20_000])
    (tmp_path / "empty.mpp").write_bytes(b"")
    (tmp_path / "report.docx").write_bytes(b"PK\x03\x04")
    files = [FIX / "readpassword9.mpp", corrupt, tmp_path / "empty.mpp", tmp_path / "report.docx", FIX / "sample.mpp"]
    result = import_schedules(files, tmp_path / "out")
    assert list(result.projects.values()) == ["sample"]
    assert result.problems == [
        "readpassword9.mpp: the file is password-protected: save it without a password in Microsoft Project "
        "and import it again",
        "corrupt.mpp: the file is corrupt or not a Microsoft Project or P6 file (MPXJ does not recognise its content)",
        "empty.mpp: the file is empty",
        "report.docx: unsupported format '.docx': import Microsoft Project (.mpp, .xml) or Primavera P6 "
        "(.xer, .xml/.pmxml) files",
    ]


def _plan(status: dt.date, go_live: dt.date):
    from pmo_analysis.inputs.schedules.samples import Plan, PlanTask

    d = dt.date
    tasks = [
        # 9,000 of budget 60% done by duration and 1,000 finished: cost-weighted 64%, whatever the
        # file's own roll-up (duration-weighted) says
        PlanTask(
            "Build",
            d(2026, 1, 5),
            d(2026, 6, 26),
            d(2026, 1, 5),
            d(2026, 6, 19),
            9000.0,
            9100.0,
            5400.5,
            d(2026, 1, 5),
            None,
            60.0,
            resource="Ann",
            work_hours=400,
            actual_hours=240,
        ),
        PlanTask(
            "Design",
            d(2025, 12, 1),
            d(2025, 12, 31),
            d(2025, 12, 1),
            d(2025, 12, 31),
            1000.0,
            1000.0,
            1000.0,
            d(2025, 12, 1),
            d(2025, 12, 31),
            100.0,
        ),
        PlanTask("Go-live", go_live, go_live, d(2026, 6, 26), d(2026, 6, 26), milestone=True, predecessor=0),
    ]
    return Plan("Billing platform", "USD", status, tasks, ["Ann"])


def test_status_copies_give_the_milestone_history_and_percent_complete_is_cost_weighted(tmp_path):
    from pmo_analysis.inputs.schedules.samples import write_mspdi

    march = write_mspdi(_plan(dt.date(2026, 3, 31), dt.date(2026, 7, 3)), tmp_path / "billing-2026-03.xml")
    april = write_mspdi(_plan(dt.date(2026, 4, 30), dt.date(2026, 7, 17)), tmp_path / "billing-2026-04.xml")
    out = tmp_path / "out"
    out.mkdir()
    # two files, one project: the id mapping gives both file keys the same project id
    pd.DataFrame(
        {"key": ["billing-2026-03", "billing-2026-04"], "project_id": ["BIL-1", "BIL-1"], "department": "Finance"}
    ).to_csv(out / ID_FILE, index=False)
    import_schedules([april, march], out)
    ms = _csv(out, "milestones")
    assert ms[["status_date", "baseline_date", "forecast_date"]].to_numpy().tolist() == [
        ["2026-03-31", "2026-06-26", "2026-07-03"],
        ["2026-04-30", "2026-06-26", "2026-07-17"],
    ]
    projects = _csv(out, "projects")
    assert projects[["project_id", "department", "status", "budget"]].to_numpy().tolist() == [
        ["BIL-1", "Finance", "active", 10000.0]
    ]
    assert projects.percent_complete.tolist() == [64.0]
    assert projects.status_date.tolist() == ["2026-04-30"]
    load_portfolio(out)


def test_the_jvm_starts_once_per_process_and_never_for_other_commands(tmp_path):
    from pmo_analysis.inputs.schedules.mpxj import jvm_starts

    import_schedules([FIX / "sample.mpp", FIX / "sample.xml"], tmp_path / "a")
    import_schedules([FIX / "mpp9baseline.mpp"], tmp_path / "b")
    assert jvm_starts() == 1
    code = (
        "import sys, pmo_analysis.cli, pmo_analysis.model, pmo_analysis.runs.runner, pmo_analysis.runs.imports, "
        "pmo_analysis.inputs.schedules; print(sorted(m for m in ('jpype', 'mpxj') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.slow
def test_the_delivery_report_runs_on_an_imported_folder_and_shows_its_milestones_and_links(tmp_path):
    from pmo_analysis.inputs.schedules.samples import write_mspdi
    from pmo_analysis.runs.runner import run_reports
    from tests.helpers import two_programme_xer, xer_text

    xer = tmp_path / "programmes.xer"
    xer.write_bytes(xer_text(two_programme_xer()).encode("gb18030"))
    mspdi = write_mspdi(_plan(dt.date(2026, 4, 30), dt.date(2026, 7, 17)), tmp_path / "billing.xml")
    import_schedules([xer, mspdi], tmp_path / "data")
    result = run_reports(
        data_dir=tmp_path / "data",
        notebooks=["portfolio_delivery"],
        params={"as_of": "2026-04-30"},
        reports_dir=tmp_path / "reports",
        jobs=1,
        progress=None,
    )
    assert result.ok, result.status
    html = (result.run_dir / "portfolio_delivery.html").read_text(encoding="utf-8")
    for milestone in ("数据平台上线", "ERP go-live", "Go-live"):
        assert milestone in html
    assert "数据中台建设 → SCH-0002 ERP Upgrade (Müller)" in html  # the link between the two P6 projects
