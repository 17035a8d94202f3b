"""Scenarios in a run: the CLI option, the models saved beside the base's and read back, the
changes exported, the manifest's record with checksums, and schedules that name scenarios."""

from __future__ import annotations

import datetime as dt
import hashlib

import pandas as pd
from click.testing import CliRunner

from pmo_analysis.cli import main
from pmo_analysis.core.config import PROJ_ROOT
from pmo_analysis.model import load_scenarios, save_scenarios, scenario_changes
from pmo_analysis.runs.runner import _scenarios_manifest
from pmo_analysis.runs.schedule import Schedule, load_schedules, run_schedules

CUT = PROJ_ROOT / "scenarios" / "cut20-delay-datalake.yml"


def test_scenario_models_are_saved_read_back_compared_and_recorded(cut_scenario, tmp_path):
    _portfolio, _scenario, base, cut = cut_scenario
    save_scenarios([cut], tmp_path / "model" / "scenarios")
    back = load_scenarios(tmp_path / "model")
    assert list(back) == ["Cap -20%, Data Lake +3 months"]
    pd.testing.assert_frame_equal(back["Cap -20%, Data Lake +3 months"].decisions, cut.decisions)
    assert load_scenarios(tmp_path / "elsewhere") == {}
    changes = scenario_changes(base, [cut])
    assert list(changes.columns) == ["scenario", "project_id", "decision_before", "decision_after", "reason"]
    b, s = base.decisions.set_index("project_id"), cut.decisions.set_index("project_id")
    assert set(changes["project_id"]) == set(b.index[b["decision"] != s.loc[b.index, "decision"]])
    assert set(changes["scenario"]) == {"Cap -20%, Data Lake +3 months"}
    assert _scenarios_manifest([cut]) == {
        "scenarios": [
            {
                "name": "Cap -20%, Data Lake +3 months",
                "file": str(CUT),
                "sha256": hashlib.sha256(CUT.read_bytes()).hexdigest(),
                "model_dir": "model/scenarios/1",
            }
        ]
    }


def test_a_bad_scenario_file_stops_the_run_before_any_work_in_one_line(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("parameters:\n  discount_rate: 2\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["run", "--scenario", str(bad), "--reports-dir", str(tmp_path / "r")])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"{bad}, line 2: parameter 'discount_rate' must be >= 0 and <= 1, got 2"
    ]
    assert not (tmp_path / "r" / "index.html").exists()


def test_a_schedule_names_its_scenarios_relative_to_its_file(tmp_path):
    path = tmp_path / "schedules.yml"
    path.write_text(
        "schedules:\n  monthly:\n    cron: '0 6 2 * *'\n    timezone: UTC\n    data_dir: data\n"
        "    scenarios: [scenarios/cut20.yml]\n",
        encoding="utf-8",
    )
    schedules, problems = load_schedules(path)
    assert problems == [] and schedules["monthly"].scenarios == ["scenarios/cut20.yml"]
    calls = []
    s = Schedule("monthly", "0 6 2 * *", "UTC", "data", scenarios=["scenarios/cut20.yml"])
    now = dt.datetime(2026, 3, 2, 6, 5, tzinfo=dt.UTC)
    run_schedules(
        {"monthly": s},
        reports_dir=tmp_path,
        now=now,
        base_dir=tmp_path,
        say=lambda m: None,
        runner=lambda **kw: calls.append(kw),
    )
    assert calls[0]["scenarios"] == [tmp_path / "scenarios" / "cut20.yml"]


def test_a_run_with_scenarios_runs_their_report_and_a_run_without_does_not(tmp_path):
    from pmo_analysis.core.config import NOTEBOOKS_DIR, SAMPLE_DATA_DIR
    from pmo_analysis.runs.plan import _plan_run, resolve_notebooks

    assert "scenarios" not in {p.stem for p in resolve_notebooks(None, NOTEBOOKS_DIR)}
    plan = _plan_run(
        data_dir=SAMPLE_DATA_DIR,
        notebooks=["executive_summary"],
        params={},
        notebook_params={},
        reports_dir=tmp_path,
        notebooks_dir=NOTEBOOKS_DIR,
        scenarios=[CUT],
    )
    assert [p.stem for p in plan.paths] == ["executive_summary", "scenarios"]
    assert [s.name for s in plan.scenarios] == ["Cap -20%, Data Lake +3 months"]
