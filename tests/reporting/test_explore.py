"""Exploring scenarios with widgets, in a real kernel: a change sent as JupyterLab sends it (a
comm message to the slider's model) redraws the selection, the changed decisions, the frontier
and the capacity gap in place, within a second on the sample."""

from __future__ import annotations

import json
import os
import time

import pytest

from pmo_analysis.core import formatting as fmt
from pmo_analysis.core.config import PROJ_ROOT

jupyter_client = pytest.importorskip("jupyter_client")

SETUP = """
import json
from pmo_analysis import load_portfolio
from pmo_analysis.core.config import SAMPLE_DATA_DIR
from pmo_analysis.model import build_model
from pmo_analysis.reporting.explore import ScenarioExplorer

p = load_portfolio(SAMPLE_DATA_DIR, tables=["projects", "cashflows", "dependencies", "resources", "assignments",
                                            "timesheets", "holidays"])
X = ScenarioExplorer(p, build_model(p, as_of="2026-06-30"))
display(X)
print(json.dumps({"cap": X.cap.model_id, "summary": X.summary.model_id, "changes": X.changes.model_id,
                  "frontier": X.frontier.model_id, "value": X.cap.value, "stop": X.stop.model_id,
                  "project": X.project.model_id, "index": [v for _, v in X.project.options].index("PRJ-019")}))
"""


def _printed(kc, code: str) -> str:
    out = []

    def hook(msg):
        if msg["header"]["msg_type"] == "stream":
            out.append(msg["content"]["text"])
        elif msg["header"]["msg_type"] == "error":
            out.append("\n".join(msg["content"]["traceback"]))

    reply = kc.execute_interactive(code, timeout=180, output_hook=hook)
    assert reply["content"]["status"] == "ok", "".join(out)
    return "".join(out)


def _change(kc, model_id: str, value, watch: set[str], *, trait: str = "value") -> tuple[float, dict[str, object]]:
    """Send a widget's new value as the front end does; wait until every model in ``watch`` has
    sent its new state back. Returns the seconds taken and the new states."""
    msg = kc.session.msg(
        "comm_msg", {"comm_id": model_id, "data": {"method": "update", "state": {trait: value}, "buffer_paths": []}}
    )
    started = time.perf_counter()
    kc.shell_channel.send(msg)
    states: dict[str, object] = {}
    while set(states) < watch:
        m = kc.get_iopub_msg(timeout=30)
        c = m["content"]
        if m["header"]["msg_type"] == "comm_msg" and c.get("comm_id") in watch:
            state = c["data"].get("state", {})
            if "value" in state or c["data"].get("buffer_paths"):
                states[c["comm_id"]] = state.get("value", "<image>")
    return time.perf_counter() - started, states


@pytest.mark.notebook
def test_the_explorer_redraws_in_place_within_a_second_in_a_real_kernel(tmp_path):
    km = jupyter_client.KernelManager(kernel_name="python3")
    km.start_kernel(cwd=str(tmp_path), env=os.environ | {"PYTHONPATH": str(PROJ_ROOT)})
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=120)
        ids = json.loads(_printed(kc, SETUP).strip().splitlines()[-1])
        # the cap cut by 20%, as a slider moved in JupyterLab
        seconds, states = _change(kc, ids["cap"], ids["value"] * 0.8, {ids["summary"], ids["changes"], ids["frontier"]})
        assert states[ids["summary"]].endswith(f"within the cap of {fmt.money(ids['value'] * 0.8)}")
        assert "no longer fits the cap of" in states[ids["changes"]]
        wall, cpu, cap = json.loads(
            _printed(kc, "print(json.dumps([X.seconds, X.cpu_seconds, X.scenario().params['budget_cap']]))")
        )
        assert cap == pytest.approx(ids["value"] * 0.8)
        # within a second of the kernel's time; on a machine shared by other work the wall clock runs
        # longer than that (the round trip, from the message sent to every widget redrawn, is printed)
        print(f"redrawn in {cpu:.2f} s of processor time, {wall:.2f} s in the kernel, {seconds:.2f} s round trip")
        assert cpu < 1.0
        # stop a project: picked, then stopped
        _change(kc, ids["project"], ids["index"], set(), trait="index")  # a pick alone changes nothing yet
        seconds, states = _change(kc, ids["stop"], True, {ids["changes"]})
        assert "PRJ-019" in states[ids["changes"]] and "cancelled by the scenario" in states[ids["changes"]]
        # the button's YAML reads back as the scenario on screen
        saved = _printed(kc, "X.file.value = 'what-if.yml'; print(X.save().read_text())")
        assert "cancel:\n- PRJ-019" in saved and "budget_cap:" in saved
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
