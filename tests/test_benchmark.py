"""A smoke run of the benchmark at tiny sizes, so `make bench` cannot rot."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from pmo_analysis.config import PROJ_ROOT


@pytest.mark.slow
def test_benchmark_smoke(tmp_path):
    out = tmp_path / "results.json"
    proc = subprocess.run([sys.executable, str(PROJ_ROOT / "benchmarks" / "run.py"), "--smoke", "--out", str(out)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    res = json.loads(out.read_text())
    steps = {s["step"]: s for s in res["steps"]}
    assert {"load + validate [sample]", "roi [large]", "utilization [large]", "lessons [large]", "model [large]",
            "direct in-process, charts drawn [smoke]", "scaling lessons 100x"} <= set(steps)
    assert all("error" not in s for s in res["steps"])
    assert all(s["median_s"] > 0 and (s["peak_rss_bytes"] is None or s["peak_rss_bytes"] > 0) for s in res["steps"])
    assert res["machine"]["cores"] >= 1 and set(res["scaling_growth_10x_to_100x"]) == {"roi", "utilization", "lessons"}
    assert "targets missed: none; errors: none" in proc.stdout
    assert all(s["met"] is not False for s in res["steps"])
