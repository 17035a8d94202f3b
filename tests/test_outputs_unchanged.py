"""What a run publishes as data does not change under a refactor: every CSV, every model table and
decisions.csv of the session's suite runs (the sample at 2026-06-30, in English and in Chinese with
money in renminbi) equal the digests committed in tests/data/suite_digests.json.

The digests were made before the package moved into its layers. A change that means to change a
figure, a column or a reason updates them, and says so in its commit:

    python -m tests.test_outputs_unchanged  # rewrites tests/data/suite_digests.json from a fresh suite run
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

DIGESTS = Path(__file__).parent / "data" / "suite_digests.json"


def digests(run_dir: Path) -> dict[str, str]:
    """sha256 of each CSV (its bytes) and of each model table (its column names, types and values
    written as CSV to 9 significant digits, so that another Parquet writer version, or a last-bit
    difference of another numeric library version, is not a change)."""
    out = {}
    for path in sorted(run_dir.rglob("*.csv")):
        out[path.relative_to(run_dir).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    for path in sorted((run_dir / "model").glob("*.parquet")):
        df = pq.read_table(path).to_pandas()
        text = (
            repr(list(zip(df.columns, map(str, df.dtypes), strict=True)))
            + "\n"
            + df.to_csv(index=False, float_format="%.9g")
        )
        out[path.relative_to(run_dir).as_posix()] = hashlib.sha256(text.encode()).hexdigest()
    return out


def _unchanged(run, language: str) -> None:
    expected = json.loads(DIGESTS.read_text(encoding="utf-8"))[language]
    got = digests(Path(run.run_dir))
    assert sorted(got) == sorted(expected)
    changed = sorted(name for name in expected if got[name] != expected[name])
    assert changed == []


def test_every_published_table_is_unchanged_in_english(suite_run):
    _unchanged(suite_run, "en")


def test_every_published_table_is_unchanged_in_chinese(suite_run_zh):
    _unchanged(suite_run_zh, "zh")


def test_a_changed_value_is_caught(tmp_path):
    (tmp_path / "model").mkdir()
    pd.DataFrame({"npv": [1.0, 2.0]}).to_parquet(tmp_path / "model" / "t.parquet")
    (tmp_path / "decisions.csv").write_text("project_id,reason\nP1,fund\n", encoding="utf-8")
    before = digests(tmp_path)
    pd.DataFrame({"npv": [1.0, 2.000001]}).to_parquet(tmp_path / "model" / "t.parquet")
    after = digests(tmp_path)
    assert before["decisions.csv"] == after["decisions.csv"]
    assert before["model/t.parquet"] != after["model/t.parquet"]
    pd.DataFrame({"npv": [1, 2]}).to_parquet(tmp_path / "model" / "t.parquet")  # same values, other type
    assert digests(tmp_path)["model/t.parquet"] != before["model/t.parquet"]


def _rewrite() -> None:  # pragma: no cover - run by hand when a change means to change the outputs
    import tempfile

    from pmo_analysis.core.config import SAMPLE_DATA_DIR
    from pmo_analysis.runs.runner import run_reports
    from tests.helpers import SUITE_NOTEBOOK_PARAMS, SUITE_PARAMS

    out = json.loads(DIGESTS.read_text(encoding="utf-8"))
    for language, extra in (("en", {}), ("zh", {"language": "zh", "currency": "CNY"})):
        with tempfile.TemporaryDirectory() as reports:
            run = run_reports(
                data_dir=SAMPLE_DATA_DIR,
                params=SUITE_PARAMS | extra,
                notebook_params=SUITE_NOTEBOOK_PARAMS,
                reports_dir=Path(reports),
                jobs=2,
                progress=None,
            )
            out[language] = digests(Path(run.run_dir))
    DIGESTS.write_text(json.dumps(out, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    _rewrite()
