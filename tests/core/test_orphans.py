"""A run's child processes end when the run is killed outright."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")

RUN = """\
import os, time
from pmo_analysis.model import lessons_process
with lessons_process() as pool:
    print(pool.submit(os.getpid).result(), flush=True)
    time.sleep(60)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as f:  # a zombie has ended; only its exit status waits
        return f.read().split(") ")[1][0] != "Z"


def test_the_lessons_process_ends_when_the_run_is_killed_outright():
    run = subprocess.Popen([sys.executable, "-c", RUN], stdout=subprocess.PIPE, text=True)
    worker = int(run.stdout.readline())
    assert _alive(worker)
    run.send_signal(signal.SIGKILL)
    run.wait()
    end = time.monotonic() + 10
    while _alive(worker) and time.monotonic() < end:
        time.sleep(0.1)
    assert not _alive(worker)


def test_a_child_whose_parent_has_already_ended_ends_at_once():
    code = (
        "import os, sys\nfrom pmo_analysis.core.orphans import end_with_parent\n"
        "end_with_parent(os.getppid() + 1_000_000)\nsys.exit(0)"
    )
    assert subprocess.run([sys.executable, "-c", code]).returncode == 1
