"""Delivery: dependencies and slip propagation, milestones, risks, benefits (hand-computed cases),
the delivery tables' validation messages, and portfolios without them."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pmo_analysis import DataValidationError, load_portfolio
from pmo_analysis.analyses import delivery as D
from pmo_analysis.analyses.health import project_health
from pmo_analysis.analyses.summary import decisions_needed
from pmo_analysis.core.config import SAMPLE_AS_OF, SAMPLE_DATA_DIR
from pmo_analysis.model import build_model
from tests.helpers import REAL_DATA, edit_csv, ten_thousand_projects

d = pd.to_datetime


def _ends(rows):
    """project_id, start, planned end, own forecast end."""
    return pd.DataFrame(rows, columns=["project_id", "start_date", "planned_end", "forecast_end"]).assign(
        start_date=lambda f: d(f["start_date"]),
        planned_end=lambda f: d(f["planned_end"]),
        forecast_end=lambda f: d(f["forecast_end"]),
    )


def _net(rows):
    return pd.DataFrame(rows, columns=["predecessor_id", "successor_id", "type", "lag_days"])


# --------------------------------------------------------------------------- slip propagation, by hand
def test_a_45_day_slip_travels_down_the_chain_less_each_slack():
    # A ends 2026-06-30, forecast 2026-08-14 (45 days late). B starts 2026-07-06 (5 days of slack after
    # the day after A's end): B is 40 days late. C starts 14 days after B starts (lag 10, 4 days of
    # slack): 36 days late. D waits for C's finish + 7 days and ends 2027-03-01 (C ends 2027-01-31 ->
    # 2027-03-08 with 36 days; + 7 = 2027-03-15): 14 days late at its end.
    ends = _ends(
        [
            ("A", "2026-01-01", "2026-06-30", "2026-08-14"),
            ("B", "2026-07-06", "2026-10-31", "2026-10-31"),
            ("C", "2026-07-20", "2027-01-31", "2027-01-31"),
            ("D", "2026-09-01", "2027-03-01", "2027-03-01"),
        ]
    )
    net = _net([("A", "B", "finish_to_start", 0), ("B", "C", "start_to_start", 10), ("C", "D", "finish_to_finish", 7)])
    p, deps = D.slip_propagation(ends, net)
    p = p.set_index("project_id")
    assert p["propagated_slip_days"].tolist() == [0.0, 40.0, 36.0, 14.0]
    assert p.loc["C", "forecast_end_with_dependencies"] == d("2027-03-08")
    assert p["delay_path"].tolist() == ["", "A -> B", "A -> B -> C", "A -> B -> C -> D"]
    assert p["delayed_by"].tolist() == ["", "A", "B", "C"]
    assert p["root_cause"].tolist() == ["", "A", "A", "A"]
    deps = deps.set_index("successor_id")
    assert deps["slip_days"].to_dict() == {"B": 40.0, "C": 36.0, "D": 14.0}
    assert deps.loc["D", "constraint_date"] == d("2027-03-15")


def test_no_conflict_when_the_successor_has_enough_slack():
    ends = _ends([("A", "2026-01-01", "2026-06-30", "2026-07-30"), ("B", "2026-09-01", "2026-12-31", "2026-12-31")])
    p, deps = D.slip_propagation(ends, _net([("A", "B", "finish_to_start", 7)]))
    assert deps["slip_days"].tolist() == [-25.0] and not deps["conflict"].any()  # 08-07 = 07-30 + 1 + 7 d
    assert p["propagated_slip_days"].tolist() == [0.0, 0.0]


def test_a_successor_waits_for_its_worst_predecessor_and_keeps_its_own_later_forecast():
    ends = _ends(
        [
            ("A", "2026-01-01", "2026-06-30", "2026-07-10"),  # B late 10 days by A
            ("X", "2026-01-01", "2026-06-30", "2026-07-30"),  # B late 30 days by X
            ("B", "2026-07-01", "2026-12-31", "2027-01-20"),
        ]
    )  # B's own milestones: 20 days late
    p, _ = D.slip_propagation(ends, _net([("A", "B", "finish_to_start", 0), ("X", "B", "finish_to_start", 0)]))
    b = p.set_index("project_id").loc["B"]
    assert b["delayed_by"] == "X" and b["total_slip_days"] == 30.0 and b["propagated_slip_days"] == 10.0


def test_longest_chain_of_the_network():
    net = _net(
        [
            ("A", "B", "finish_to_start", 0),
            ("B", "C", "finish_to_start", 0),
            ("C", "E", "finish_to_start", 0),
            ("A", "E", "finish_to_start", 0),
            ("Z", "E", "finish_to_start", 0),
        ]
    )
    assert D.longest_chain(net) == ["A", "B", "C", "E"]


@st.composite
def _chains(draw):
    n = draw(st.integers(2, 7))
    start = d("2026-01-01") + pd.to_timedelta(
        np.cumsum(draw(st.lists(st.integers(0, 60), min_size=n, max_size=n))), unit="D"
    )
    dur = pd.to_timedelta(draw(st.lists(st.integers(10, 200), min_size=n, max_size=n)), unit="D")
    own = pd.to_timedelta(draw(st.lists(st.integers(0, 90), min_size=n, max_size=n)), unit="D")
    ids = [f"P{i}" for i in range(n)]
    ends = pd.DataFrame(
        {"project_id": ids, "start_date": start, "planned_end": start + dur, "forecast_end": start + dur + own}
    )
    edges = {(i, j) for i in range(n) for j in range(i + 1, n) if draw(st.booleans())}
    types = ["finish_to_start", "start_to_start", "finish_to_finish"]
    net = pd.DataFrame(
        [(f"P{i}", f"P{j}", types[draw(st.integers(0, 2))], draw(st.integers(-10, 30))) for i, j in sorted(edges)],
        columns=["predecessor_id", "successor_id", "type", "lag_days"],
    )
    return ends, net


@settings(max_examples=60, deadline=None)
@given(_chains(), st.integers(1, 120))
def test_slip_propagation_laws(chain, extra):
    """Slip is never negative, every dependency holds on the propagated dates, and slipping a
    project more never makes any project finish earlier (monotone)."""
    ends, net = chain
    p, _deps = D.slip_propagation(ends, net)
    assert (p["propagated_slip_days"] >= 0).all() and (
        p["total_slip_days"] >= p["own_slip_days"] if "own_slip_days" in p else p["total_slip_days"] >= 0
    ).all()
    f = p.set_index("project_id")
    for r in net.itertuples(index=False):  # the law, checked edge by edge on a small network
        pred, succ = f.loc[r.predecessor_id], f.loc[r.successor_id]
        lag = pd.Timedelta(days=r.lag_days)
        if r.type == "finish_to_start":
            assert succ["forecast_start"] >= pred["forecast_end_with_dependencies"] + lag + pd.Timedelta(days=1)
        elif r.type == "start_to_start":
            assert succ["forecast_start"] >= pred["forecast_start"] + lag
        else:
            assert succ["forecast_end_with_dependencies"] >= pred["forecast_end_with_dependencies"] + lag
    later = ends.copy()
    later.loc[0, "forecast_end"] += pd.Timedelta(days=extra)
    q, _ = D.slip_propagation(later, net)
    assert (q["forecast_end_with_dependencies"] >= p["forecast_end_with_dependencies"]).all()


# --------------------------------------------------------------------------- milestones, risks, benefits
def test_milestone_status_by_hand():
    projects = pd.DataFrame({"project_id": ["P"], "name": ["Portal"], "department": ["IT"]})
    m = pd.DataFrame(
        {
            "project_id": "P",
            "milestone_id": ["M1", "M2", "M2", "M3", "M4", "M4"],
            "name": ["Design", "Build", "Build", "Test", "Go-live", "Go-live"],
            "baseline_date": d(["2026-02-01", "2026-04-01", "2026-04-01", "2026-05-01", "2026-09-01", "2026-09-01"]),
            "forecast_date": d([None, "2026-04-20", "2026-05-10", None, "2026-09-15", "2026-10-01"]),
            "actual_date": d(["2026-01-30", None, "2026-05-10", None, None, None]),
            "status_date": d(["2026-02-28", "2026-03-31", "2026-05-31", "2026-05-31", "2026-05-31", "2026-07-31"]),
        }
    )
    s = D.milestone_status(m, projects, as_of="2026-06-30").set_index("milestone_id")
    # M4's report of 2026-07-31 is after as-of: the forecast known at as-of is 2026-09-15
    assert s.loc["M4", "current_date"] == d("2026-09-15") and s.loc["M4", "state"] == "slipping"
    assert s["state"].to_dict() == {"M3": "missed", "M2": "reached late", "M4": "slipping", "M1": "reached on time"}
    assert s["slip_days"].to_dict() == {"M3": 60.0, "M2": 39.0, "M4": 14.0, "M1": -2.0}
    assert s.loc["M2", "forecast_changes"] == 1
    rate = D.on_time_rate(s.reset_index())
    assert rate[["due", "on_time", "missed", "slipped"]].iloc[0].tolist() == [3, 1, 1, 3]
    assert rate["on_time_rate"].iloc[0] == pytest.approx(1 / 3)


def test_risk_exposure_by_hand():
    projects = pd.DataFrame(
        {
            "project_id": ["P", "Q"],
            "name": ["Portal", "ERP"],
            "department": ["IT", "Fin"],
            "budget": [1_000_000.0, 200_000.0],
        }
    )
    r = pd.DataFrame(
        {
            "risk_id": ["R1", "R2", "I1", "R3", "R4"],
            "project_id": ["P", "P", "Q", "Q", "Q"],
            "kind": ["risk", "risk", "issue", "risk", "risk"],
            "title": list("abcde"),
            "probability": [0.5, 0.2, np.nan, 0.9, 0.9],
            "impact_cost": [200_000.0, 50_000.0, 30_000.0, 10_000.0, 1e6],
            "owner": ["Ann", "", None, "Bo", "Bo"],
            "status": ["open", "open", "closed", "closed", "open"],
            "raised_date": d(["2026-01-01", "2026-03-01", "2026-02-01", "2026-01-01", "2026-08-01"]),
            "due_date": d(["2026-06-01", "2026-09-01", "2026-03-01", None, None]),
            "closed_date": d([None, None, "2026-03-11", "2026-07-15", None]),
        }
    )
    reg = D.risk_register(r, projects, as_of="2026-06-30").set_index("risk_id")
    assert "R4" not in reg.index  # raised after as-of
    assert reg["exposure"].to_dict() == {"R1": 100_000.0, "R2": 10_000.0, "R3": 9_000.0, "I1": 30_000.0}
    assert reg["open"].to_dict() == {"R1": True, "R2": True, "R3": True, "I1": False}  # R3 closed after as-of
    assert reg.loc["R1", "overdue"] and reg.loc["R1", "days_overdue"] == 29
    assert reg.loc["R2", "no_owner"] and not reg.loc["R1", "no_owner"]
    assert reg.loc["I1", "age_days"] == 38 and reg.loc["I1", "probability"] == 1.0
    assert (
        str(reg.loc["R1", "impact_band"]) == ">= 10% of budget" and str(reg.loc["R1", "probability_band"]) == "40-60%"
    )
    by_p = D.project_exposure(reg.reset_index(), projects).set_index("project_id")
    assert by_p.loc["P", "open_exposure"] == 110_000.0 and by_p.loc["P", "exposure_share"] == pytest.approx(0.11)
    by_d = D.exposure_by_department(reg.reset_index(), projects).set_index("department")
    assert by_d.loc["Fin", "exposure_share"] == pytest.approx(9_000 / 200_000)
    assert D.risk_heatmap(reg.reset_index())["items"].sum() == 3 and len(D.risk_heatmap(reg.reset_index())) == 25


def test_benefits_realization_is_a_ratio_of_sums():
    projects = pd.DataFrame(
        {
            "project_id": ["P", "Q", "R"],
            "name": list("pqr"),
            "department": "IT",
            "status": ["completed", "completed", "active"],
            "end_date": d(["2026-01-31"] * 3),
        }
    )
    cf = pd.DataFrame(
        {
            "project_id": ["P", "P", "Q", "Q", "R"],
            "period": d(["2026-05-01", "2026-06-01", "2026-05-01", "2026-07-01", "2026-05-01"]),
            "planned_benefit": [100.0, 100.0, 300.0, 300.0, 50.0],
            "actual_benefit": [120.0, np.nan, 150.0, 400.0, 0.0],
        }
    )
    b = D.benefits_realization(projects, cf, as_of="2026-06-30").set_index("project_id")
    assert list(b.index) == ["Q", "P"]  # largest shortfall first; R is not completed
    assert b.loc["P", ["planned_to_date", "realized_to_date", "shortfall", "months_unreported"]].tolist() == [
        200.0,
        120.0,
        80.0,
        1,
    ]
    assert b.loc["Q", "realization"] == 0.5  # July is after the last complete month
    assert b["realized_to_date"].sum() / b["planned_to_date"].sum() == pytest.approx(270 / 500)


def test_health_reads_delivery_rules_in_words():
    roi = pd.DataFrame(
        {
            "project_id": ["A", "B", "C"],
            "name": list("abc"),
            "department": "d",
            "status": "active",
            "cpi": 1.0,
            "spi": 1.0,
            "risk_score": 1,
            "end_date": d("2027-01-01"),
            "percent_complete": 50.0,
            "bac": 1e6,
            "eac": 1e6,
            "npv": 0.0,
        }
    )
    flags = pd.DataFrame(
        {
            "project_id": ["A", "B", "C"],
            "propagated_slip_days": [45.0, 0.0, 0.0],
            "delayed_by": ["PRJ-010", "", ""],
            "missed_milestones": [0, 2, 0],
            "open_exposure": [0.0, 0.0, 150_000.0],
            "exposure_share": [0.0, 0.0, 0.15],
        }
    )
    h = project_health(roi, as_of="2026-06-30", delivery=flags, exposure_amber=0.1).set_index("project_id")
    assert h["health"].tolist() == ["at risk"] * 3
    assert h["reason"].to_dict() == {
        "A": "delayed 45 days by PRJ-010 (dependency)",
        "B": "2 missed milestone(s)",
        "C": "open risk exposure 150k = 15% of budget",
    }
    assert project_health(roi, as_of="2026-06-30")["health"].tolist() == ["on track"] * 3


# --------------------------------------------------------------------------- the sample and the model
def test_sample_chain_off_track_project_delays_two_others(model):
    c = model.dependencies.loc[model.dependencies["conflict"]]
    assert c[["predecessor_id", "successor_id", "slip_days"]].to_numpy().tolist() == [
        ["PRJ-010", "PRJ-034", 45.0],
        ["PRJ-034", "PRJ-013", 44.0],
    ]
    assert c["path"].tolist() == ["PRJ-010 -> PRJ-034", "PRJ-010 -> PRJ-034 -> PRJ-013"]
    assert model.projects.set_index("project_id").loc["PRJ-010", "health"] == "off track"
    assert model.dependency_chain["project_id"].tolist() == ["PRJ-010", "PRJ-034", "PRJ-013"]
    h = model.headline.iloc[0]
    assert (h["dependency_conflicts"], h["delayed_projects"]) == (2, 2)
    assert len(model.risks) >= 60 and model.risks["title"].str.contains(r"[\u4e00-\u9fff]").any()
    assert model.milestone_history.groupby(["project_id", "milestone_id"]).size().min() >= 1
    assert model.milestone_history.groupby(["project_id", "milestone_id"]).size().max() >= 3
    asks = decisions_needed(model)
    assert asks["decision"].str.startswith("Re-plan PRJ-034 Chatbot Pilot or recover PRJ-010").any()
    assert asks["decision"].str.startswith("Re-plan PRJ-013 移动办公平台 or recover PRJ-010").any()
    assert asks["decision"].str.startswith("Decide on risk").any()


def test_portfolio_without_delivery_tables_runs_as_before(tmp_path, model):
    old = tmp_path / "old"
    shutil.copytree(SAMPLE_DATA_DIR, old)
    for t in ("dependencies", "milestones", "risks"):
        (old / f"{t}.csv").unlink()
    m = build_model(load_portfolio(old, as_of=SAMPLE_AS_OF), as_of=SAMPLE_AS_OF)
    assert not m.has("dependencies") and not m.has("milestones") and not m.has("risks") and m.has("benefits")
    assert np.isnan(m.headline.loc[0, "dependency_conflicts"]) and np.isnan(m.headline.loc[0, "open_risk_exposure"])
    # health without the delivery tables is the health the existing rules give
    same = model.projects["health_reason"].str.contains("dependency|milestone|exposure") == False  # noqa: E712
    assert m.projects.loc[same, "health"].fillna("").equals(model.projects.loc[same, "health"].fillna(""))
    assert m.decisions.equals(model.decisions)


@pytest.mark.skipif(not REAL_DATA.exists(), reason="../shared/real-data not present")
def test_real_data_without_delivery_tables_still_loads_and_builds():
    p = load_portfolio(REAL_DATA / "it-dashboard", on_error="drop")
    assert p.dependencies is None and p.milestones is None and p.risks is None
    m = build_model(p, as_of="2024-06-30")
    assert m.has("benefits") and not m.has("risks")


# --------------------------------------------------------------------------- bad input: exact messages
def _errors(folder) -> list[str]:
    with pytest.raises(DataValidationError) as info:
        load_portfolio(folder)
    return [str(p) for p in info.value.problems if p.severity == "error"]


def _write(folder, table, rows):
    pd.DataFrame(rows).to_csv(folder / f"{table}.csv", index=False)


def test_dependency_messages(sample_copy):
    _write(
        sample_copy,
        "dependencies",
        {
            "predecessor_id": ["PRJ-001", "PRJ-002", "PRJ-003", "PRJ-004", "PRJ-999"],
            "successor_id": ["PRJ-002", "PRJ-003", "PRJ-001", "PRJ-004", "PRJ-005"],
            "type": ["finish_to_start", "Start to start", "", "", "later"],
            "lag_days": [0, 5, "", 0, 99999],
        },
    )
    assert _errors(sample_copy) == [
        "dependencies.csv, row 6, column 'type': value 'later': must be one of finish_to_start, start_to_start, "
        "finish_to_finish",
        "dependencies.csv, row 6, column 'lag_days': value '99999': must be >= -3650 and <= 3650",
        "dependencies.csv, row 5, column 'successor_id': value 'PRJ-004': a project cannot depend on itself "
        "(successor_id equals predecessor_id)",
        "dependencies.csv, row 2, column 'successor_id': value 'PRJ-002': dependency cycle PRJ-001 -> PRJ-002 -> "
        "PRJ-003 -> PRJ-001 (rows 2, 3, 4): a project cannot wait for itself; remove or reverse one of these rows",
        "dependencies.csv, row 6, column 'predecessor_id': value 'PRJ-999': unknown project_id: not in projects",
    ]


def test_unknown_project_in_a_dependency(sample_copy):
    _write(sample_copy, "dependencies", {"predecessor_id": ["PRJ-999"], "successor_id": ["PRJ-005"]})
    assert _errors(sample_copy) == [
        "dependencies.csv, row 2, column 'predecessor_id': value 'PRJ-999': unknown project_id: not in projects"
    ]


def test_milestone_messages(sample_copy):
    edit_csv(
        sample_copy,
        "milestones",
        lambda df: df.head(3).assign(
            actual_date=["2023-03-11", "", ""], status_date=["2025-12-31", "", ""], milestone_id=["M1", "M9", "M9"]
        ),
    )
    assert _errors(sample_copy) == [
        "milestones.csv, row 3, column 'status_date': value 'PRJ-003 / M9': several rows of one milestone "
        "(project_id, milestone_id): each needs its status_date",
        "milestones.csv, row 4, column 'status_date': value 'PRJ-003 / M9': several rows of one milestone "
        "(project_id, milestone_id): each needs its status_date",
        "milestones.csv, row 2, column 'actual_date': value '2023-03-11': actual_date is more than 365 days before "
        "baseline_date (a typing error in the year?)",
    ]


def test_risk_messages(sample_copy):
    def edit(df):
        df = df.head(5).copy()
        df.loc[0, "probability"] = "1.5"
        df.loc[1, "impact_cost"] = "-5000"
        df.loc[2, ["raised_date", "due_date", "closed_date"]] = ["2026-03-01", "2026-01-01", ""]
        df.loc[3, ["kind", "probability"]] = ["risk", ""]
        df.loc[4, "project_id"] = "PRJ-999"
        return df

    edit_csv(sample_copy, "risks", edit)
    assert _errors(sample_copy) == [
        "risks.csv, row 2, column 'probability': value '1.5': must be >= 0 and <= 1",
        "risks.csv, row 3, column 'impact_cost': value '-5000': must be >= 0",
        "risks.csv, row 4, column 'due_date': value '2026-01-01': due_date is before raised_date",
        "risks.csv, row 5, column 'probability': value 'R-004': a risk needs a probability between 0 and 1 (only an "
        "issue may leave it empty)",
        "risks.csv, row 6, column 'project_id': value 'PRJ-999': unknown project_id: not in projects",
    ]


def test_delivery_notebook_exports(suite_run):
    out = suite_run.run_dir / "portfolio_delivery"
    c = pd.read_csv(out / "dependency_conflicts.csv")
    assert list(c.columns[:4]) == ["predecessor_id", "successor_id", "slip_days", "path"]
    assert c["slip_days"].tolist() == [45, 44]
    r = pd.read_csv(out / "risk_exposure.csv")
    assert {"risk_id", "project_id", "exposure", "overdue"} <= set(r.columns) and len(r) >= 60
    assert (pd.read_csv(out / "milestones_slipped.csv")["slip_days"] > 0).all()
    assert len(pd.read_csv(out / "benefits_realization.csv")) == 8
    charts = sorted(p.name for p in (out / "charts").glob("*.png"))
    assert charts == ["dependency_network.png", "milestone_trend.png", "risk_heatmap.png", "roadmap.png"]


def test_the_roadmap_of_ten_thousand_projects_draws_the_most_at_stake():
    p = ten_thousand_projects()
    rows, rest = D.roadmap_projects(p, top_n=30)
    # all 12 off track, then the 18 at-risk projects of the largest budgets (ids P00019 to P00036)
    off = {f"P{i:05d}" for i in range(12)}
    risk = {f"P{i:05d}" for i in range(19, 37)}
    assert set(rows["project_id"]) == off | risk
    assert rest == 12 + 25 + 9_000 + 500 - 30  # running and proposed only: completed projects are no roadmap's
    assert rows["forecast_start"].is_monotonic_increasing
    # proposed projects rank by budget with the on-track ones; completed ones are never drawn
    few = p.loc[p["status"].isin(["proposed", "completed"]) | p["project_id"].isin(["P00000", "P09036"])]
    rows, rest = D.roadmap_projects(few, top_n=3)
    # P00000 off track; then budgets: proposed P09536 (9,537k) and P09535 above on-track P09036 (9,037k)
    assert set(rows["project_id"]) == {"P00000", "P09535", "P09536"} and rest == 502 - 3
