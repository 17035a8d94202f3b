"""Health rules at their thresholds, and the changes found between two report runs."""

from __future__ import annotations

import re
import shutil

import numpy as np
import pandas as pd
import pytest

from pmo_analysis import load_portfolio
from pmo_analysis.analyses import finance as roi
from pmo_analysis.analyses import health
from pmo_analysis.core.config import SAMPLE_AS_OF, SAMPLE_DATA_DIR
from pmo_analysis.runs.runner import run_reports
from tests.helpers import REAL_DATA


def _one(**kw):
    row = {
        "project_id": "A",
        "name": "a",
        "department": "d",
        "status": "active",
        "cpi": 1.0,
        "spi": 1.0,
        "risk_score": 2.0,
        "end_date": pd.Timestamp("2027-01-01"),
        "percent_complete": 50.0,
        "bac": 1.0,
        "eac": 1.0,
        "npv": 0.0,
    } | kw
    h = health.project_health(pd.DataFrame([row]), as_of="2026-06-30")
    return h["health"].item(), h["reason"].item()


@pytest.mark.parametrize(
    ("kw", "expected"),
    [
        ({}, ("on track", "")),
        ({"cpi": 0.95}, ("on track", "")),
        ({"cpi": 0.9499}, ("at risk", "CPI 0.95 below 0.95")),
        ({"cpi": 0.85}, ("at risk", "CPI 0.85 below 0.95")),
        ({"cpi": 0.8499}, ("off track", "CPI 0.85 below 0.85")),
        ({"spi": 0.85}, ("at risk", "SPI 0.85 below 0.95")),
        ({"spi": 0.84}, ("off track", "SPI 0.84 below 0.85")),
        ({"risk_score": 4.0}, ("at risk", "risk score 4/5")),
        ({"risk_score": 3.0}, ("on track", "")),
        ({"end_date": pd.Timestamp("2026-06-29")}, ("off track", "end date 29 Jun 2026 passed at 50% complete")),
        (
            {"end_date": pd.Timestamp("2026-06-29"), "percent_complete": np.nan},
            ("off track", "end date 29 Jun 2026 passed with no percent complete reported"),
        ),
        ({"end_date": pd.Timestamp("2026-06-30")}, ("on track", "")),
        ({"end_date": pd.Timestamp("2026-06-29"), "percent_complete": 100.0}, ("on track", "")),
        ({"cpi": np.nan}, ("data needed", "needs actual cost to date (for CPI)")),
        (
            {"cpi": np.nan, "spi": np.nan, "percent_complete": np.nan},
            ("data needed", "needs percent complete (for CPI and SPI)"),
        ),
        ({"npv": np.nan}, ("data needed", "needs benefits (for ROI, NPV and payback)")),
        # what is known still decides; what is missing is said too
        ({"cpi": 0.9, "spi": np.nan}, ("at risk", "CPI 0.90 below 0.95; needs planned cost to date (for SPI)")),
        ({"risk_score": 5.0, "npv": np.nan}, ("at risk", "risk score 5/5; needs benefits (for ROI, NPV and payback)")),
        ({"cpi": 0.8, "risk_score": 5.0}, ("off track", "CPI 0.80 below 0.85; risk score 5/5")),
    ],
)
def test_health_rules_at_thresholds(kw, expected):
    assert _one(**kw) == expected


def test_late_reason_reads_naturally_in_chinese():
    from pmo_analysis.core.i18n import language

    with language("zh"):
        late = _one(end_date=pd.Timestamp("2026-06-29"), percent_complete=np.nan)[1]
        known = _one(end_date=pd.Timestamp("2026-06-29"))[1]
    assert late == "结束日期 2026年6月29日 已过，未报告完成百分比"
    assert known == "结束日期 2026年6月29日 已过，完成 50%"


def test_health_only_running_projects_worst_first():
    df = pd.DataFrame(
        {
            "project_id": ["A", "B", "C", "D"],
            "name": "n",
            "department": "d",
            "status": ["active", "active", "completed", "on_hold"],
            "cpi": [1.0, 0.5, 0.5, 0.9],
            "spi": 1.0,
            "risk_score": 1.0,
            "end_date": pd.Timestamp("2027-01-01"),
            "percent_complete": 50.0,
            "bac": 1.0,
            "eac": 1.0,
            "npv": 0.0,
        }
    )
    h = health.project_health(df, as_of="2026-06-30")
    assert h["project_id"].tolist() == ["B", "D", "A"]
    assert h["health"].tolist() == ["off track", "at risk", "on track"]
    with pytest.raises(ValueError, match="red thresholds must not be above amber thresholds"):
        health.project_health(df, as_of="2026-06-30", cpi_red=0.9, cpi_amber=0.8)


def test_missing_inputs_are_data_needed_never_at_risk():
    """A portfolio like the IT Dashboard's: most running projects report no percent complete and
    no benefits. None of them is at risk or off track for that; each is "data needed" and says
    what is missing, in English and Chinese; the one with a real overrun stays off track."""
    from pmo_analysis.core.formatting import using

    n = 40
    df = pd.DataFrame(
        {
            "project_id": [f"P{i:02d}" for i in range(n)],
            "name": "n",
            "department": "d",
            "status": ["active", "on_hold"] * (n // 2),
            "cpi": np.nan,
            "spi": np.nan,
            "risk_score": np.nan,
            "end_date": pd.Timestamp("2030-01-01"),
            "percent_complete": np.nan,
            "bac": 1.0,
            "eac": np.nan,
            "npv": np.nan,
        }
    )
    df.loc[0, ["cpi", "spi", "percent_complete", "npv"]] = [0.7, 1.0, 30.0, 5.0]
    h = health.project_health(df, as_of="2026-06-30").set_index("project_id")
    assert h["health"].value_counts().to_dict() == {"data needed": n - 1, "off track": 1}
    assert h.loc["P01", "missing_data"] == (
        "needs percent complete (for CPI and SPI); needs benefits (for ROI, NPV and payback)"
    )
    assert h.loc["P00", "missing_data"] == ""
    with using(language="zh"):
        zh = health.project_health(df, as_of="2026-06-30").set_index("project_id")
    assert (
        zh.loc["P01", "missing_data"] == "需要完成百分比（用于 CPI 和 SPI）；需要收益数据（用于 ROI、净现值和回收期）"
    )
    assert list(h.index[:2]) == ["P00", "P01"]  # off track first, then data needed


@pytest.mark.notebook
def test_changes_between_two_runs(tmp_path):
    """Run the executive summary on the sample, then on a copy where one on-track project overruns
    and a project is added; the changes file names each change exactly once."""
    first = tmp_path / "first"
    shutil.copytree(SAMPLE_DATA_DIR, first)
    p = load_portfolio(first)
    by = roi.roi_by_project(p.projects, p.cashflows, as_of=SAMPLE_AS_OF)
    h = health.project_health(by, as_of=SAMPLE_AS_OF)
    target = h.loc[h["health"] == "on track", "project_id"].iloc[0]

    second = tmp_path / "second"
    shutil.copytree(SAMPLE_DATA_DIR, second)
    cf = pd.read_csv(second / "cashflows.csv", dtype=str, keep_default_na=False)
    mask = (cf["project_id"] == target) & (cf["actual_cost"] != "")
    cf.loc[mask, "actual_cost"] = (cf.loc[mask, "actual_cost"].astype(float) * 1.5).round(2).astype(str)
    cf = pd.concat(
        [
            cf,
            pd.DataFrame(
                {
                    "project_id": ["PRJ-041"] * 2,
                    "period": ["2026-06", "2026-07"],
                    "planned_cost": ["1000", "1000"],
                    "planned_benefit": ["0", "5000"],
                    "actual_cost": ["1000", ""],
                    "actual_benefit": ["0", ""],
                }
            ),
        ]
    )
    cf.to_csv(second / "cashflows.csv", index=False)
    pr = pd.read_csv(second / "projects.csv", dtype=str, keep_default_na=False)
    new = pr.iloc[[0]].assign(
        project_id="PRJ-041",
        name="New Analytics Hub",
        status="proposed",
        start_date="2026-06-01",
        end_date="2026-12-31",
        budget="2000",
        percent_complete="0",
    )
    pd.concat([pr, new]).to_csv(second / "projects.csv", index=False)

    reports = tmp_path / "reports"
    for data in (first, second):
        r = run_reports(
            data_dir=data,
            notebooks=["executive_summary"],
            params={"as_of": SAMPLE_AS_OF},
            reports_dir=reports,
            schedule="weekly",
            progress=None,
        )
        assert r.status == "success", r.notebooks[0].error
    changes = pd.read_csv(r.run_dir / "executive_summary" / "changes_since_previous.csv")
    hc = changes.loc[changes["change"] == "health changed"]
    assert hc[["item_id", "before", "after"]].to_numpy().tolist() == [[target, "on track", "off track"]]
    assert changes.loc[changes["change"] == "new project", "item_id"].tolist() == ["PRJ-041"]
    cpi = changes.loc[(changes["change"] == "CPI") & (changes["item_id"] == target)]
    assert len(cpi) == 1 and cpi["delta"].item() < -0.2
    assert changes.loc[changes["change"] == "CPI", "item_id"].tolist() == [target]
    assert not changes["change"].isin(["closed project", "new over-allocation", "new high-impact lesson"]).any()
    html = (r.run_dir / "executive_summary.html").read_text(encoding="utf-8")
    assert "Compared with the previous report" in html and "New Analytics Hub" in html
    assert re.search(r'<img[^>]+src="data:image/png;base64,', html)  # the trend chart, from the second report on


def test_first_run_says_there_is_nothing_to_compare(suite_run):
    html = (suite_run.run_dir / "executive_summary.html").read_text(encoding="utf-8")
    # no trend chart of earlier runs: the one image is the roadmap (the tiles' sparklines are the data's own months)
    assert "No previous report of the" in html and re.findall(r'<img[^>]*alt="([^"]*)"', html) == [
        "Roadmap: 29 running and proposed projects, plan and forecast"
    ]
    assert pd.read_csv(suite_run.run_dir / "executive_summary" / "changes_since_previous.csv").empty


@pytest.mark.skipif(not (REAL_DATA / "it-dashboard").is_dir(), reason="../shared/real-data is not beside the repo")
def test_it_dashboard_missing_data_is_data_needed_not_at_risk():
    """The US federal IT Dashboard (2,420 valid records, 1,811 running, none with a percent complete
    or benefits), at the end of 2011 when it was reported, with the finance figures n/a where their
    inputs are absent: 1,765 projects were "at risk" and 1,810 told they "never pay back" only for
    missing data, and 1,806 were funded ("continue") on a value nobody knows. Now 1,765 are "data
    needed" (with what is missing), none at risk, none "never pays back", none ranked for funding;
    the 46 past their end date with no percent complete stay off track, for what is known."""
    p = load_portfolio(REAL_DATA / "it-dashboard", on_error="drop")
    as_of = "2011-12-31"
    by = roi.roi_by_project(p.projects, p.cashflows, as_of=as_of)
    absent = by["total_benefit"].fillna(0) <= 0  # no benefit reported: the finance figures are n/a
    assert int(absent.sum()) == 2420
    by.loc[absent, ["roi", "npv", "remaining_npv", "bcr", "payback_months"]] = np.nan
    h = health.project_health(by, as_of=as_of)
    assert h["health"].value_counts().to_dict() == {"data needed": 1765, "off track": 46}
    assert (
        h.loc[h["health"] == "data needed", "missing_data"]
        == ("needs percent complete (for CPI and SPI); needs benefits (for ROI, NPV and payback)")
    ).all()
    d, cap = roi.decide(roi.priority_scores(by, value="remaining_npv"))
    assert d["decision"].value_counts().to_dict() == {"data needed": 1811, "closed": 609}
    assert not d["reason"].str.contains("never pays back").any() and not d["funded"].any() and cap == 0
