"""Fixtures shared across the test folders: the bundled sample portfolio, loaded once, editable
copies of it, its portfolio model, the session's suite run, and a headless chromium. Plain helpers
(``edit_csv``, ``REAL_DATA``, the suite's parameters) are in ``tests/helpers.py``; fixtures used in
one folder only are in that folder's conftest.py."""

from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest

from pmo_analysis import load_portfolio
from pmo_analysis.core.config import PROJ_ROOT, SAMPLE_AS_OF, SAMPLE_DATA_DIR
from pmo_analysis.model import build_model
from tests.helpers import SUITE_NOTEBOOK_PARAMS, SUITE_PARAMS

#: How the browser tests start chromium: headless, no sandbox (CI runs as root), nothing fetched behind
#: the page's back (a report must open offline).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_configure(config):
    """One store of the encoders' vectors for the whole run, its workers and the kernels they start,
    and a fresh one each run: a register themed by several tests is encoded once, and every run
    encodes (``pmo_analysis.analyses.lessons.meaning.VECTOR_CACHE_ENV``)."""
    from pmo_analysis.analyses.lessons.meaning import VECTOR_CACHE_ENV

    if not hasattr(config, "workerinput") and VECTOR_CACHE_ENV not in os.environ:
        config.pmo_vector_dir = tempfile.mkdtemp(prefix="pmo-vectors-")
        os.environ[VECTOR_CACHE_ENV] = os.path.join(config.pmo_vector_dir, "vectors.sqlite")


def pytest_unconfigure(config):
    if getattr(config, "pmo_vector_dir", None):
        shutil.rmtree(config.pmo_vector_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def sample():
    """The bundled sample portfolio, validated."""
    return load_portfolio(SAMPLE_DATA_DIR, as_of=SAMPLE_AS_OF)


@pytest.fixture
def sample_copy(tmp_path: Path) -> Path:
    """A writable copy of data/sample."""
    dst = tmp_path / "data"
    shutil.copytree(SAMPLE_DATA_DIR, dst)
    return dst


@pytest.fixture(scope="module")
def model(sample):
    """The sample's portfolio model as of the sample's date, built once per test module."""
    return build_model(sample, as_of=SAMPLE_AS_OF)


@pytest.fixture(scope="session")
def cut_scenario(sample):
    """The sample's example scenario ``scenarios/cut20-delay-datalake.yml`` (the cap cut 20%, PRJ-010
    three months late), with the data it was applied to (every table but the lessons, quicker to
    build), the base model and the scenario's model: ``(portfolio, scenario, base, model)``."""
    from pmo_analysis.inputs.scenarios import read_scenario
    from pmo_analysis.model import build_scenario_model

    tables = ["projects", "cashflows", "dependencies", "milestones", "risks", "resources", "assignments", "timesheets"]
    portfolio = load_portfolio(sample.data_dir, tables=tables)
    scenario = read_scenario(PROJ_ROOT / "scenarios" / "cut20-delay-datalake.yml", portfolio)
    base = build_model(portfolio, as_of=SAMPLE_AS_OF, for_scenarios=True)
    return portfolio, scenario, base, build_scenario_model(portfolio, scenario, base=base)


@pytest.fixture
def chromium():
    """Debian's chromium through Playwright: ``with chromium() as browser:`` opens a headless browser
    and closes it afterwards. Skips the test, saying what to install, when either is missing."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if not executable:
        pytest.skip("needs Debian's chromium for the browser tests: apt-get install chromium")

    @contextmanager
    def launch():
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            try:
                yield browser
            finally:
                browser.close()

    return launch


@pytest.fixture(scope="session")
def suite_run(tmp_path_factory):
    """The whole report suite on the sample, run once per test session (each report notebook is
    executed here and nowhere else), in a reports folder of its own."""
    from pmo_analysis.runs.runner import run_reports

    reports = tmp_path_factory.mktemp("reports")
    return run_reports(
        data_dir=SAMPLE_DATA_DIR,
        params=SUITE_PARAMS,
        notebook_params=SUITE_NOTEBOOK_PARAMS,
        reports_dir=reports,
        jobs=2,
        progress=None,
    )


@pytest.fixture(scope="session")
def suite_run_zh(tmp_path_factory):
    """The same suite run in Chinese with money in renminbi (language and currency are report
    parameters), once per session, for the tests of what leadership sees in each language."""
    from pmo_analysis.runs.runner import run_reports

    reports = tmp_path_factory.mktemp("reports-zh")
    return run_reports(
        data_dir=SAMPLE_DATA_DIR,
        params=SUITE_PARAMS | {"language": "zh", "currency": "CNY"},
        notebook_params=SUITE_NOTEBOOK_PARAMS,
        reports_dir=reports,
        jobs=2,
        progress=None,
    )


@pytest.hookimpl(wrapper=True)  # around xdist's own hook, which reads the groups set here
def pytest_collection_modifyitems(config, items):
    """A test that reads the session's suite run executes notebooks, as does a notebook's cell under
    ``--nbval-lax``: it is marked so `make test-fast` can leave it out.

    ``make test`` runs on two workers (pytest-xdist, ``--dist loadgroup``): the tests that read one
    of the session's suite runs share a worker, so each suite runs once, and the other tests go file
    by file (their module fixtures, such as a PostgreSQL server, start once; a notebook under
    ``--nbval-lax`` is one file too, its cells in one kernel).

    xdist tells its scheduler a test's group by appending ``@group`` to the test's node id; under
    pytest 9.2 its rewrite of the id no longer takes (pytest-dev/pytest-xdist#1386) and every test
    would be scheduled alone, so each suite would run on both workers and a notebook's cells be
    split between two kernels: the id is rewritten here when xdist's did not take."""
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if {"suite_run", "suite_run_zh", "run_of"} & names or item.path.suffix == ".ipynb":  # nbval's cells
            item.add_marker(pytest.mark.notebook)
        callspec = getattr(item, "callspec", None)
        language = callspec.params.get("run_of") if callspec is not None and "run_of" in names else None
        if "suite_run_zh" in names or language == "zh":
            group = "suite_zh"
        elif "suite_run" in names or language == "en":
            group = "suite"
        else:
            group = item.nodeid.split("::")[0]  # the file, relative to the root: tests/runs/test_pages.py
        item.add_marker(pytest.mark.xdist_group(group))
    result = yield
    if getattr(config.option, "loadgroup", False):  # set on the workers of --dist loadgroup
        for item in items:
            suffix = "@" + item.get_closest_marker("xdist_group").args[0]
            if not item.nodeid.endswith(suffix) and hasattr(item, "_id"):
                item._id = type(item._id).parse(item.nodeid + suffix)
    return result
