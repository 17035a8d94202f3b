"""Plain helpers and constants the tests import (fixtures live in the conftest.py of each folder)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pmo_analysis.core.config import PROJ_ROOT, SAMPLE_AS_OF

REAL_DATA = PROJ_ROOT.parent / "shared" / "real-data"

#: Screenshots and PDFs of the browser tests (git-ignored).
ARTIFACTS = Path(__file__).parent / "artifacts"

#: Parameters of the one suite run of a test session: not the defaults, so the tests can see them
#: reach every report.
SUITE_PARAMS = {"as_of": SAMPLE_AS_OF, "discount_rate": 0.1, "over_threshold": 1.1, "min_projects": 4, "n_themes": 8}
SUITE_NOTEBOOK_PARAMS = {"resource_utilization": {"group_by": "role"}}


def edit_csv(folder: Path, table: str, edit) -> None:
    """Read ``table``.csv as text, apply ``edit(df)`` and write it back."""
    path = folder / f"{table}.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df = edit(df)
    df.to_csv(path, index=False)
