"""Report notebooks: committed clean, parameters as declared, and executed with papermill."""

from __future__ import annotations

import ast
import json

import nbformat
import pandas as pd
import papermill as pm
import pytest

from pmo_analysis import ParameterError
from pmo_analysis.analyses import finance as roi
from pmo_analysis.core.config import NOTEBOOKS_DIR, SAMPLE_AS_OF, SAMPLE_DATA_DIR
from pmo_analysis.inputs.params import NOTEBOOKS, declared, parameters_cell
from pmo_analysis.reporting.report import open_report

NOTEBOOK_FILES = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))


def _parameters_cell(nb):
    cells = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(cells) == 1, "exactly one cell tagged 'parameters'"
    return cells[0]


@pytest.mark.parametrize("path", NOTEBOOK_FILES, ids=lambda p: p.stem)
def test_committed_without_outputs(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None, path.name


@pytest.mark.parametrize("path", NOTEBOOK_FILES, ids=lambda p: p.stem)
def test_parameters_cell_matches_declaration(path):
    nb = nbformat.read(path, as_version=4)
    tree = ast.parse(_parameters_cell(nb).source)
    found = {
        t.id: ast.literal_eval(node.value) for node in tree.body if isinstance(node, ast.Assign) for t in node.targets
    }
    expected = {p.name: p.default for p in declared(path.stem)}
    assert found == expected
    if path.stem in NOTEBOOKS:  # the cell is the declaration written out, help and types included
        assert _parameters_cell(nb).source == parameters_cell(path.stem)
    # the first cell after the parameters cell validates them
    idx = nb.cells.index(_parameters_cell(nb))
    opens = "open_project(globals())" if path.stem == "project_report" else f'open_report("{path.stem}", globals())'
    assert opens in nb.cells[idx + 1].source


def test_every_declared_notebook_exists():
    assert set(NOTEBOOKS) <= {p.stem for p in NOTEBOOK_FILES}


def test_every_notebook_is_declared():
    assert {p.stem for p in NOTEBOOK_FILES} <= set(NOTEBOOKS)


def _run(name, tmp_path, **params):
    out = tmp_path / "out"
    params = {"data_dir": str(SAMPLE_DATA_DIR), "as_of": SAMPLE_AS_OF, "output_dir": str(out)} | params
    pm.execute_notebook(
        str(NOTEBOOKS_DIR / f"{name}.ipynb"),
        str(tmp_path / f"{name}.ipynb"),
        parameters=params,
        cwd=str(tmp_path),
        progress_bar=False,
        kernel_name="python3",
    )
    return out


def test_portfolio_roi_notebook_exports(suite_run, sample):
    out = suite_run.run_dir / "portfolio_roi"
    got = pd.read_csv(out / "roi_by_project.csv")
    required = [
        "project_id",
        "name",
        "department",
        "status",
        "total_cost",
        "total_benefit",
        "net_benefit",
        "roi",
        "npv",
        "irr",
        "bcr",
        "payback_months",
        "bac",
        "pv",
        "ev",
        "ac",
        "cpi",
        "spi",
        "cv",
        "sv",
        "eac",
        "vac",
        "remaining_npv",
        "irr_roots",
        "months_without_actuals",
    ]
    assert set(required) <= set(got.columns) and len(got) == 40
    ref = roi.roi_by_project(sample.projects, sample.cashflows, as_of=SAMPLE_AS_OF, discount_rate=0.1)
    assert got["project_id"].tolist() == ref["project_id"].tolist()
    assert got["npv"].to_numpy() == pytest.approx(
        ref["npv"].to_numpy(), rel=1e-9, nan_ok=True
    )  # the run's discount rate
    assert got["remaining_npv"].to_numpy() == pytest.approx(ref["remaining_npv"].to_numpy(), rel=1e-9, nan_ok=True)
    sel = pd.read_csv(out / "portfolio_selection.csv")
    assert list(sel.columns[:2]) == ["project_id", "score"] and "selected" in sel and sel["selected"].any()
    charts = sorted(p.name for p in (out / "charts").glob("*.png"))
    assert {"j_curve.png", "cpi_spi_quadrant.png", "forecast_fans.png"} <= set(charts) and len(charts) == 8


@pytest.mark.notebook
def test_bad_parameter_fails_in_first_cell(tmp_path):
    with pytest.raises(pm.PapermillExecutionError) as info:
        _run("portfolio_roi", tmp_path, as_of="30/06/2026")
    assert info.value.ename == "ParameterError"
    assert "portfolio_roi: parameter 'as_of' must be a date YYYY-MM-DD, got '30/06/2026'" in info.value.evalue
    code = [c for c in nbformat.read(tmp_path / "portfolio_roi.ipynb", as_version=4).cells if c.cell_type == "code"]
    failed = [i for i, c in enumerate(code) if any(o.get("output_type") == "error" for o in c.outputs)]
    injected = next(i for i, c in enumerate(code) if "injected-parameters" in c.metadata.get("tags", []))
    assert failed == [injected + 1]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"discount_rate": -0.05}, "portfolio_roi: parameter 'discount_rate' must be >= 0 and <= 1, got -0.05"),
        ({"discount_rate": "ten"}, "portfolio_roi: parameter 'discount_rate' must be a number, got 'ten'"),
    ],
)
def test_bad_parameter_stops_the_report_before_any_figure(params, message):
    """What the first cell after the parameters calls (the kernel test above shows it is that cell)."""
    with pytest.raises(ParameterError) as info:
        open_report("portfolio_roi", {"data_dir": str(SAMPLE_DATA_DIR), **params}, show=False)
    assert str(info.value) == message


def test_resource_utilization_notebook_exports(suite_run):
    out = suite_run.run_dir / "resource_utilization"
    u = pd.read_csv(out / "utilization_by_resource.csv")
    assert list(u.columns) == [
        "resource_id",
        "period",
        "capacity_hours",
        "actual_hours",
        "utilization",
        "planned_hours",
        "planned_utilization",
        "month_status",
        "capacity_to_date",
    ]
    assert len(u) == 60 * 18 and u["period"].iloc[0] == "2025-07"
    o = pd.read_csv(out / "overallocations.csv")
    assert {"resource_id", "period", "planned_hours", "capacity_hours", "project_ids"} <= set(o.columns)
    assert (o["planned_hours"] > 1.1 * o["capacity_hours"]).all() and len(o) > 0  # the run's threshold
    c = pd.read_csv(out / "capacity_vs_demand.csv")
    assert {"role", "period", "capacity_hours", "demand_hours", "gap_hours"} <= set(c.columns)
    assert (c["gap_hours"] == c["capacity_hours"] - c["demand_hours"]).all()
    assert (out / "charts" / "heatmap_role.png").exists()  # a per-notebook display parameter


def test_lessons_notebook_exports(suite_run):
    out = suite_run.run_dir / "lessons_learned"
    rec = pd.read_csv(out / "recurring_themes.csv")
    assert list(rec.columns[:6]) == ["theme", "source", "top_terms", "lessons", "projects", "departments"]
    assert "example_lesson_ids" in rec and (rec["projects"] >= 4).all() and len(rec) >= 4
    cat = pd.read_csv(out / "lessons_by_category.csv")
    assert list(cat.columns) == ["category", "kind", "lessons", "high_impact", "projects"]
    assert cat["lessons"].sum() == 200
    rel = pd.read_csv(out / "lessons_for_active_projects.csv")
    assert list(rel.columns) == ["project_id", "lesson_id", "score", "reason"] and len(rel) > 0
    assert (out / "open_actions.csv").exists() and (out / "charts" / "open_actions_by_owner.png").exists()


@pytest.mark.parametrize("path", [p for p in NOTEBOOK_FILES if p.stem in NOTEBOOKS], ids=lambda p: p.stem)
def test_papermill_help_lists_every_declared_parameter_with_its_help(path):
    """``papermill --help-notebook`` reads the same declaration the runner validates against: every
    parameter, with its type and help (papermill skips a line whose comment holds a second '=')."""
    import papermill

    inferred = papermill.inspect_notebook(str(path))
    declared_ = declared(path.stem)
    assert list(inferred) == [p.name for p in declared_]
    for p in declared_:
        assert inferred[p.name]["help"].startswith(p.help.replace("=", "is")[:40]), p.name
        assert inferred[p.name]["inferred_type_name"] != "None", p.name
