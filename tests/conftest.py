"""Shared fixtures: the bundled sample portfolio, loaded once, and editable copies of it."""
from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from pmo_analysis import load_portfolio
from pmo_analysis.core.config import PROJ_ROOT, SAMPLE_AS_OF, SAMPLE_DATA_DIR

REAL_DATA = PROJ_ROOT.parent / "shared" / "real-data"


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


def edit_csv(folder: Path, table: str, edit) -> None:
    """Read ``table``.csv as text, apply ``edit(df)`` and write it back."""
    path = folder / f"{table}.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df = edit(df)
    df.to_csv(path, index=False)


def ts(value: str) -> pd.Timestamp:
    return pd.Timestamp(value)


#: Parameters of the one suite run of a test session: not the defaults, so the tests can see them
#: reach every report.
SUITE_PARAMS = {"as_of": SAMPLE_AS_OF, "discount_rate": 0.1, "over_threshold": 1.1, "min_projects": 4,
                "n_themes": 8}
SUITE_NOTEBOOK_PARAMS = {"resource_utilization": {"group_by": "role"}}


@pytest.fixture(scope="session")
def suite_run(tmp_path_factory):
    """The whole report suite on the sample, run once per test session (each report notebook is
    executed here and nowhere else), in a reports folder of its own."""
    from pmo_analysis.runs.runner import run_reports

    reports = tmp_path_factory.mktemp("reports")
    return run_reports(data_dir=SAMPLE_DATA_DIR, params=SUITE_PARAMS, notebook_params=SUITE_NOTEBOOK_PARAMS,
                       reports_dir=reports, jobs=2, progress=None)


@pytest.fixture(autouse=True)
def _report_language_and_currency_restored():
    """A test that opens a report in this process (open_report sets the report's language and
    currency) leaves the package as it found it."""
    from pmo_analysis.core import formatting, i18n

    before = (formatting.currency(), i18n.current())
    yield
    formatting.use(currency=before[0], language=before[1])


@pytest.fixture(scope="session")
def suite_run_zh(tmp_path_factory):
    """The same suite run in Chinese with money in renminbi (language and currency are report
    parameters), once per session, for the tests of what leadership sees in each language."""
    from pmo_analysis.runs.runner import run_reports

    reports = tmp_path_factory.mktemp("reports-zh")
    return run_reports(data_dir=SAMPLE_DATA_DIR, params=SUITE_PARAMS | {"language": "zh", "currency": "CNY"},
                       notebook_params=SUITE_NOTEBOOK_PARAMS, reports_dir=reports, jobs=2, progress=None)


@pytest.fixture
def stand_in_model(monkeypatch):
    """A portfolio model that costs nothing to build: ``run_reports`` uses it instead of loading the
    data, for tests of publishing that do not look at figures."""
    from types import SimpleNamespace

    import pmo_analysis.runs.runner as runner

    model = SimpleNamespace(
        meta={"as_of": "2026-06-30", "as_of_source": "given", "freshness": {}, "windows": {}, "excluded_rows": 0,
              "version": 1},
        stale=[], params={"accept_stale": False}, data_quality=pd.DataFrame(), tables={},
        decisions=pd.DataFrame({"project_id": []}), save=lambda folder: Path(folder).mkdir())
    monkeypatch.setattr(runner, "_build_model", lambda *a, **kw: model)
    return model


def pytest_collection_modifyitems(config, items):
    """A test that reads the session's suite run executes notebooks: it is marked so `make
    test-fast` can leave it out.

    ``make test`` runs on two workers (pytest-xdist, ``--dist loadgroup``): the tests that read one
    of the session's suite runs share a worker, so each suite runs once, and the other tests go file
    by file (their module fixtures, such as a PostgreSQL server, start once)."""
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if {"suite_run", "suite_run_zh", "run_of"} & names:
            item.add_marker(pytest.mark.notebook)
        callspec = getattr(item, "callspec", None)
        language = callspec.params.get("run_of") if callspec is not None and "run_of" in names else None
        if "suite_run_zh" in names or language == "zh":
            group = "suite_zh"
        elif "suite_run" in names or language == "en":
            group = "suite"
        else:
            group = item.path.name
        item.add_marker(pytest.mark.xdist_group(group))
