"""Report kernels forked from the run's template: the kernel Jupyter would start, isolated, stoppable."""

from __future__ import annotations

import asyncio
import json
import os
import time

import nbformat
import papermill as pm
import pytest

from pmo_analysis.runs import kernels
from pmo_analysis.runs.kernels import KernelTemplate
from pmo_analysis.runs.pages import KERNEL_QUIET

pytestmark = pytest.mark.skipif(not kernels.can_fork(), reason="kernels are forked on Linux only")


def _notebook(path, *cells: str):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    nbformat.write(nb, path)
    return path


def _run(path, out, template: KernelTemplate | None, **kw):
    pm.execute_notebook(
        str(path),
        str(out),
        kernel_name="python3",
        progress_bar=False,
        cwd=None,
        extra_arguments=[KERNEL_QUIET],
        **({"kernel_manager_class": template.manager} if template else {}),
        **kw,
    )
    return json.loads(nbformat.read(out, as_version=4).cells[-1].outputs[0]["text"])


FACTS = """\
import json, os, sys
print(json.dumps({"pid": os.getpid(), "ppid": os.getppid(), "sid": os.getsid(0), "pgid": os.getpgid(0),
                  "parent_env": os.environ.get("JPY_PARENT_PID"), "pandas_before": PANDAS_BEFORE,
                  "backend": os.environ.get("MPLBACKEND"), "cwd": os.getcwd(),
                  "leak": getattr(sys.modules.get("pmo_analysis.core.formatting"), "_leak", None)}))"""


def test_a_kernel_is_forked_from_the_template_and_is_the_kernel_jupyter_would_start(tmp_path):
    nb = _notebook(tmp_path / "facts.ipynb", "import sys\nPANDAS_BEFORE = 'pandas' in sys.modules", FACTS)
    plain = _run(nb, tmp_path / "plain.ipynb", None)
    assert plain["pandas_before"] is False  # a kernel started as Jupyter starts it imports by itself
    with KernelTemplate() as template:
        forked = _run(nb, tmp_path / "forked.ipynb", template)
        assert forked["ppid"] == template.process.pid != os.getpid()
        assert forked["pandas_before"] is True  # imported once, in the template
    # a session and process group of its own, as Jupyter's; everything else as a plain kernel's
    assert forked["sid"] == forked["pgid"] == forked["pid"]
    assert forked["parent_env"] == str(forked["ppid"])
    assert (forked["backend"], forked["cwd"]) == (plain["backend"], plain["cwd"])
    assert forked["backend"] == "module://matplotlib_inline.backend_inline"


def test_nothing_of_one_kernel_reaches_the_next(tmp_path):
    leaks = _notebook(
        tmp_path / "leak.ipynb",
        "import sys\nPANDAS_BEFORE = True",
        "import pmo_analysis.core.formatting as f\nf._leak = 'from the first report'",
        FACTS,
    )
    reads = _notebook(tmp_path / "read.ipynb", "import sys\nPANDAS_BEFORE = True", FACTS)
    with KernelTemplate() as template:
        first = _run(leaks, tmp_path / "1.ipynb", template)
        second = _run(reads, tmp_path / "2.ipynb", template)
    assert first["leak"] == "from the first report" and second["leak"] is None
    assert first["pid"] != second["pid"]


def test_a_cell_past_its_timeout_is_stopped_and_its_kernel_ends(tmp_path):
    nb = _notebook(tmp_path / "slow.ipynb", "import os\nprint(os.getpid(), flush=True)", "import time\ntime.sleep(60)")
    with KernelTemplate() as template:
        t0 = time.monotonic()
        with pytest.raises(Exception, match=r"(?i)timed? ?out|timeout"):
            pm.execute_notebook(
                str(nb),
                str(tmp_path / "out.ipynb"),
                kernel_name="python3",
                progress_bar=False,
                cwd=None,
                execution_timeout=2,
                kernel_manager_class=template.manager,
            )
        assert time.monotonic() - t0 < 30
        pid = int(nbformat.read(tmp_path / "out.ipynb", as_version=4).cells[0].outputs[0]["text"].split()[0])
    _gone(pid)


def test_kernels_start_the_usual_way_when_the_template_has_died_or_cannot_fork(tmp_path, monkeypatch):
    nb = _notebook(tmp_path / "facts.ipynb", "import sys\nPANDAS_BEFORE = 'pandas' in sys.modules", FACTS)
    with KernelTemplate() as template:
        template.process.kill()
        template.process.wait()
        facts = _run(nb, tmp_path / "after.ipynb", template)
        assert template.failed  # found dead, and not asked again
    assert facts["ppid"] == os.getpid() and facts["pandas_before"] is False
    monkeypatch.setattr(kernels, "can_fork", lambda: False)
    with KernelTemplate() as template:
        assert template.process is None
        assert _run(nb, tmp_path / "nofork.ipynb", template)["ppid"] == os.getpid()


def _kernel_of(template: KernelTemplate) -> int:
    """The process id of a kernel started from ``template`` and left running."""
    km = template.manager(kernel_name="python3")

    async def start():
        await km.start_kernel(extra_arguments=[KERNEL_QUIET])
        return km.provisioner.pid

    return asyncio.run(start())


def test_a_kernel_left_running_ends_with_its_template(tmp_path):
    template = KernelTemplate()
    pid = _kernel_of(template)
    os.kill(pid, 0)  # running
    template.close()  # the run ends (or dies) without shutting it down
    _gone(pid, within=15)


def _gone(pid: int, within: float = 10) -> None:
    end = time.monotonic() + within
    while time.monotonic() < end:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    pytest.fail(f"kernel {pid} still running after {within} s")


def test_a_forked_kernel_draws_charts_inline_as_any_kernel(tmp_path):
    nb = _notebook(
        tmp_path / "plot.ipynb",
        "import sys\nPANDAS_BEFORE = True",
        "import matplotlib.pyplot as plt\nplt.plot([1, 2, 3])\nplt.show()",
        "import json, matplotlib\nprint(json.dumps({'interactive': matplotlib.is_interactive(), "
        "'open': plt.get_fignums(), 'backend': matplotlib.get_backend()}))",
    )

    def shown(template):
        out = tmp_path / f"plot-{bool(template)}.ipynb"
        facts = _run(nb, out, template)
        kinds = [k for o in nbformat.read(out, as_version=4).cells[1].outputs for k in o.get("data", {})]
        return facts, kinds

    plain = shown(None)
    with KernelTemplate() as template:
        forked = shown(template)
    assert "image/png" in plain[1] and forked == plain


def test_a_forked_kernel_leaves_as_a_process_leaves_and_draws_its_own_random_numbers(tmp_path):
    nb = _notebook(
        tmp_path / "exit.ipynb",
        f"import atexit, pathlib\natexit.register(pathlib.Path({str(tmp_path / 'left')!r}).write_text, 'x')",
        "import numpy as np\nprint(np.random.rand())",
    )
    with KernelTemplate() as template:
        draws = []
        for i in range(2):
            out = tmp_path / f"exit{i}.ipynb"
            pm.execute_notebook(
                str(nb),
                str(out),
                kernel_name="python3",
                progress_bar=False,
                cwd=None,
                kernel_manager_class=template.manager,
            )
            draws.append(nbformat.read(out, as_version=4).cells[1].outputs[0]["text"])
    assert (tmp_path / "left").read_text() == "x"  # its exit handlers ran
    assert draws[0] != draws[1]


def test_a_kernel_ends_at_once_when_its_template_is_killed(tmp_path):
    template = KernelTemplate()
    pid = _kernel_of(template)
    template.process.kill()  # no goodbye: the system tells the kernel
    template.process.wait()
    _gone(pid, within=5)
    template.close()


def test_a_template_that_does_not_answer_is_left_and_kernels_start_the_usual_way(tmp_path, monkeypatch):
    import signal

    nb = _notebook(tmp_path / "facts.ipynb", "import sys\nPANDAS_BEFORE = 'pandas' in sys.modules", FACTS)
    monkeypatch.setattr(KernelTemplate, "ANSWER_S", 1.0)
    with KernelTemplate() as template:
        _run(nb, tmp_path / "first.ipynb", template)  # ready, and answering
        process = template.process
        os.kill(process.pid, signal.SIGSTOP)
        t0 = time.monotonic()
        facts = _run(nb, tmp_path / "stopped.ipynb", template)
        assert time.monotonic() - t0 < 30 and template.failed
        assert facts["ppid"] == os.getpid()
    assert process.poll() is not None  # ended with the run, not before
