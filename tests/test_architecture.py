"""The package's layers (docs/architecture.md) hold: imports go one way, and nothing imports in a circle.

``make lint`` checks the import-linter contract in pyproject.toml; these tests show that the
contract can fail, and check what it does not: that no module of the package is part of an
import cycle.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import networkx as nx
import pytest

from pmo_analysis.core.config import PROJ_ROOT

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(root: Path) -> subprocess.CompletedProcess:
    """``lint-imports`` with the project's contract, on the package found in ``root``."""
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(PROJ_ROOT / "pyproject.toml"), "--no-cache"],
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _copy(tmp_path: Path) -> Path:
    shutil.copytree(
        PROJ_ROOT / "pmo_analysis", tmp_path / "pmo_analysis", ignore=shutil.ignore_patterns("__pycache__", "templates")
    )
    return tmp_path


def test_the_package_keeps_its_layers():
    result = _lint(PROJ_ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "upward"),
    [
        # a lazy import inside a function counts as much as one at the top
        ("core/periods.py", "def _planted():\n    from pmo_analysis.analyses import utilization  # noqa\n"),
        ("inputs/schema.py", "from pmo_analysis.model import build_model  # noqa\n"),
        ("analyses/health.py", "import pmo_analysis.reporting.display  # noqa\n"),
        ("reporting/links.py", "from pmo_analysis.runs import publish  # noqa\n"),
    ],
)
def test_an_upward_import_breaks_the_contract(tmp_path, module, upward):
    root = _copy(tmp_path)
    path = root / "pmo_analysis" / module
    path.write_text(path.read_text(encoding="utf-8") + "\n" + upward, encoding="utf-8")
    result = _lint(root)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Layers: cli > runs > reporting > model > analyses > inputs > core BROKEN" in result.stdout
    assert f"pmo_analysis.{module.removesuffix('.py').replace('/', '.')} ->" in result.stdout


def test_one_analysis_reading_another_breaks_the_contract(tmp_path):
    root = _copy(tmp_path)
    path = root / "pmo_analysis" / "analyses" / "delivery.py"
    path.write_text(
        path.read_text(encoding="utf-8") + "\nfrom pmo_analysis.analyses.finance import xnpv  # noqa\n",
        encoding="utf-8",
    )
    result = _lint(root)
    assert result.returncode == 1
    assert "Analyses are independent of each other BROKEN" in result.stdout


@pytest.mark.parametrize(
    ("planted", "imported"),
    [
        ("from pmo_analysis.core.i18n import _  # noqa\n", "pmo_analysis.core.i18n"),
        ("def _planted():\n    from pmo_analysis.core import formatting  # noqa\n", "pmo_analysis.core.formatting"),
    ],
)
def test_an_analysis_wording_its_own_reasons_breaks_the_contract(tmp_path, planted, imported):
    # reasons are codes with their values; only core.wording words them (through it is allowed)
    root = _copy(tmp_path)
    path = root / "pmo_analysis" / "analyses" / "health.py"
    assert "pmo_analysis.core.wording" in path.read_text(encoding="utf-8")
    path.write_text(path.read_text(encoding="utf-8") + "\n" + planted, encoding="utf-8")
    result = _lint(root)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Analyses word their reasons through core.wording only BROKEN" in result.stdout
    assert f"pmo_analysis.analyses.health -> {imported} (l." in result.stdout
    assert "Layers: cli > runs > reporting > model > analyses > inputs > core KEPT" in result.stdout


def _module_graph() -> nx.DiGraph:
    # an import under ``if TYPE_CHECKING:`` is read by the type checker only: it runs in no process
    graph = grimp.build_graph("pmo_analysis", exclude_type_checking_imports=True, cache_dir=None)
    g = nx.DiGraph()
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            g.add_edge(module, imported)
    return g


def test_no_module_imports_in_a_circle():
    g = _module_graph()
    # a package's __init__ re-exporting its own modules is its front door, not a circle
    front_doors = [(a, b) for a, b in g.edges if b.startswith(a + ".")]
    g.remove_edges_from(front_doors)
    cycles = sorted(sorted(c) for c in nx.simple_cycles(g))
    assert cycles == []


def test_a_planted_circle_is_found(tmp_path, monkeypatch):
    root = _copy(tmp_path)
    path = root / "pmo_analysis" / "core" / "periods.py"
    path.write_text(
        path.read_text(encoding="utf-8") + "\nfrom pmo_analysis.core import formatting  # noqa\n", encoding="utf-8"
    )
    path = root / "pmo_analysis" / "core" / "formatting.py"
    assert "pmo_analysis.core.periods" not in path.read_text(encoding="utf-8")
    path.write_text(
        path.read_text(encoding="utf-8") + "\nfrom pmo_analysis.core import periods  # noqa\n", encoding="utf-8"
    )
    monkeypatch.syspath_prepend(str(root))
    for name in [m for m in sys.modules if m == "pmo_analysis" or m.startswith("pmo_analysis.")]:
        monkeypatch.delitem(sys.modules, name)
    g = _module_graph()
    assert g.has_edge("pmo_analysis.core.periods", "pmo_analysis.core.formatting")
    assert ["pmo_analysis.core.formatting", "pmo_analysis.core.periods"] in [sorted(c) for c in nx.simple_cycles(g)]
