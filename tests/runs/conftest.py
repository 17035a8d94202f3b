"""Fixtures of the tests of runs: a portfolio model that costs nothing to build."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

import pmo_analysis.runs.runner as runner


@pytest.fixture
def stand_in_model(monkeypatch):
    """A portfolio model that costs nothing to build: ``run_reports`` uses it instead of loading the
    data, for tests of publishing that do not look at figures."""
    model = SimpleNamespace(
        meta={
            "as_of": "2026-06-30",
            "as_of_source": "given",
            "freshness": {},
            "windows": {},
            "excluded_rows": 0,
            "version": 1,
            "tables_present": ["projects", "cashflows"],
        },
        stale=[],
        params={"accept_stale": False},
        data_quality=pd.DataFrame(),
        tables={},
        decisions=pd.DataFrame({"project_id": []}),
        has=lambda *names: set(names) <= {"decisions"},
        missing_for=lambda report: [],
        save=lambda folder: Path(folder).mkdir(),
    )
    monkeypatch.setattr(runner, "_build_model", lambda *a, **kw: (model, []))  # and no scenario
    return model
