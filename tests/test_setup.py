"""Setup: one dependency list, the two README commands, and CI calling the same command."""

from __future__ import annotations

import re
import tomllib

import yaml
from click.testing import CliRunner
from packaging.version import Version

import pmo_analysis
from pmo_analysis.cli import main
from pmo_analysis.core.config import PROJ_ROOT


def test_environment_yml_installs_the_pyproject_dependency_set():
    env = yaml.safe_load((PROJ_ROOT / "environment.yml").read_text())
    project = tomllib.loads((PROJ_ROOT / "pyproject.toml").read_text())["project"]
    deps = env["dependencies"]
    pip = next(d["pip"] for d in deps if isinstance(d, dict))
    # conda installs Python and pip, then the package itself with the dev extra: one list, in pyproject
    assert pip == ["-e .[dev]"]
    assert "dev" in project["optional-dependencies"]
    py = next(d for d in deps if isinstance(d, str) and d.startswith("python"))
    # as versions, not text: "3.9" < "3.11"
    assert Version(py.split("=")[1]) >= Version(project["requires-python"].removeprefix(">="))
    names = {re.split(r"[<>=!\[ ]", d)[0].lower() for d in project["dependencies"]}
    assert {"jupyterlab", "pandas", "matplotlib", "papermill", "nbconvert"} <= names
    # the charts draw with matplotlib alone; seaborn is the reference their style is checked against
    assert not {"seaborn", "adjusttext"} & names
    dev = {re.split(r"[<>=!\[ ]", d)[0].lower() for d in project["optional-dependencies"]["dev"]}
    assert {"pytest", "hypothesis", "seaborn", "import-linter", "mypy", "nbval"} <= dev


def test_version_is_declared_once():
    pyproject = tomllib.loads((PROJ_ROOT / "pyproject.toml").read_text())
    assert "version" not in pyproject["project"] and "version" in pyproject["project"]["dynamic"]
    assert pyproject["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "pmo_analysis.__version__"}
    assert Version(pmo_analysis.__version__) >= Version("0.1.0")
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0 and f"version {pmo_analysis.__version__}" in result.output


def test_readme_quick_start_and_ci():
    readme = (PROJ_ROOT / "README.md").read_text()
    assert "make report" in readme and "make test" in readme
    makefile = (PROJ_ROOT / "Makefile").read_text()
    for target in ("report:", "test:", "lab:", "help:", "bench:"):
        assert target in makefile
    ci = (PROJ_ROOT / ".ci" / "run").read_text()
    assert "make test" in ci


def test_every_cli_command_has_help():
    runner = CliRunner()
    for args in (
        [],
        ["validate"],
        ["sample-data"],
        ["import"],
        ["run"],
        ["params"],
        ["schedule"],
        ["schedule", "list"],
        ["schedule", "run-due"],
        ["schedule", "serve"],
        ["reports"],
        ["reports", "prune"],
    ):
        result = runner.invoke(main, [*args, "--help"])
        assert result.exit_code == 0 and "Usage:" in result.output, args


def test_validate_command(tmp_path):
    runner = CliRunner()
    ok = runner.invoke(main, ["validate", str(PROJ_ROOT / "data" / "sample")])
    assert ok.exit_code == 0 and "projects" in ok.output and "40 rows" in ok.output
    bad = runner.invoke(main, ["validate", str(tmp_path / "missing")])
    assert bad.exit_code == 1 and "the data folder does not exist" in bad.output


def test_sample_data_is_deterministic(tmp_path):
    runner = CliRunner()
    for d in ("a", "b"):
        assert runner.invoke(main, ["sample-data", str(tmp_path / d), "--seed", "7"]).exit_code == 0
    for f in (tmp_path / "a").iterdir():
        assert f.read_bytes() == (tmp_path / "b" / f.name).read_bytes(), f.name
    bundled = PROJ_ROOT / "data" / "sample"
    runner.invoke(main, ["sample-data", str(tmp_path / "c")])
    for f in bundled.iterdir():
        assert f.read_bytes() == (tmp_path / "c" / f.name).read_bytes(), f"data/sample/{f.name} is stale"


def test_validate_command_reports_a_defect(sample_copy):
    from tests.helpers import edit_csv

    edit_csv(
        sample_copy,
        "assignments",
        lambda df: df.assign(allocation_pct=df["allocation_pct"].where(df.index != 3, "150")),
    )
    result = CliRunner().invoke(main, ["validate", str(sample_copy)])
    assert result.exit_code == 1
    assert "assignments.csv, row 5, column 'allocation_pct': value '150': must be > 0 and <= 100" in result.output


def test_readme_says_what_each_notebook_needs_as_the_package_declares():
    """The README's table of what each notebook needs is the package's one declaration
    (inputs.schema.REPORT_TABLES), which the run's plan and the reports read too."""
    from pmo_analysis.core.config import NOTEBOOKS_DIR
    from pmo_analysis.inputs.schema import REPORT_TABLES

    readme = (PROJ_ROOT / "README.md").read_text()
    rows = dict(re.findall(r"^\| `(\w+)\.ipynb` \|.*\| ([^|]+?) \|$", readme, flags=re.M))
    assert rows == {name: needs.words() for name, needs in REPORT_TABLES.items()}
    assert rows["lessons_learned"] == "projects, lessons" and rows["portfolio_roi"] == "projects, cashflows"
    assert set(REPORT_TABLES) == {p.stem for p in NOTEBOOKS_DIR.glob("*.ipynb")}
