"""Report kernels forked from a prepared process: the imports every report makes, made once a run.

Each report runs in a kernel of its own, a new process, so that nothing of one report (its
variables, its settings) can reach another. Starting one costs about 2 s of CPU before its first
cell does anything useful: Python, ipykernel, pandas, matplotlib and the workbook's own modules are
imported and the chart fonts read. On the enterprise portfolio that is a sixth of the report
suite's CPU, five times over.

On Linux a run therefore starts one *template* process (:class:`KernelTemplate`) that imports all
that once, and then forks it for each report. It imports while the run builds its model, once one
of the model's two processes has finished its part and waits for the other (the core it leaves
would otherwise idle). The fork is a new
process with nothing of any other report in it: the template never runs a cell, and a kernel's
changes stay in its own copy. It becomes the kernel Jupyter would have started (the same
``ipykernel`` application, connection file, arguments, environment and working directory, in a
session of its own; matplotlib's inline backend sets itself up in it as in any kernel), and its
Jupyter kernel manager (:class:`ForkingKernelManager`) signals, interrupts and kills it as it
would any kernel. Two things it shares with its siblings, which started processes would not:
Python's string hash seed (the order of a set of strings), and the template's interpreter state
before the fork (numpy's global random generator is reseeded). Where ``fork`` is missing (Windows) or unsafe (macOS
system libraries), or the template cannot start or has died, a kernel starts as Jupyter starts it.

The template waits for the line ``import`` on its standard input, imports and answers ``ready``;
then it reads requests, one JSON line each, and answers each with the new kernel's process id. It
ends when the run closes that input, or dies with it; a kernel whose template has gone ends too
(the system sends it SIGTERM, and ipykernel watches its parent). A template that does not answer
in time is not asked again: kernels then start the usual way.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import threading
import time
from typing import Any

from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner

from pmo_analysis.core.orphans import end_with_parent

__all__ = ["ForkingKernelManager", "KernelTemplate", "can_fork"]

#: what a report kernel imports before its first cell ends. Not the kernel's matplotlib backend
#: (``matplotlib_inline``): it sets itself up with the kernel's shell when first imported, which
#: only the kernel has.
PRELOAD = (
    "numpy",
    "pandas",
    "pyarrow",
    "matplotlib",
    "matplotlib.pyplot",
    "IPython.display",
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "pmo_analysis",
    "pmo_analysis.core.config",
    "pmo_analysis.core.formatting",
    "pmo_analysis.core.i18n",
    "pmo_analysis.reporting.display",
    "pmo_analysis.reporting.links",
    "pmo_analysis.reporting.plots",
    "pmo_analysis.reporting.report",
    "pmo_analysis.runs.pages",
    "pmo_analysis.runs.publish",
    "pmo_analysis.analyses.finance",
    "pmo_analysis.analyses.summary",
)

_KERNEL_MODULE = "ipykernel_launcher"


def can_fork() -> bool:
    """Whether kernels may be forked here: Linux (fork is missing on Windows, and macOS system
    libraries are not safe to use in a forked child).
    """
    return sys.platform.startswith("linux") and hasattr(os, "fork")


class KernelTemplate:
    """The run's template process; :meth:`fork` starts a kernel from it (``None``: start it the
    usual way). Use it as a context manager: it ends with the block.
    """

    #: seconds the template may take to import (a first run on a new machine builds matplotlib's
    #: font list), and to answer a request
    READY_S, ANSWER_S = 60.0, 10.0

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.process: subprocess.Popen | None = None
        self.started = self.ready = self.failed = False
        if not can_fork():
            return
        env = dict(
            os.environ, MPLBACKEND=os.environ.get("MPLBACKEND") or "module://matplotlib_inline.backend_inline"
        )  # as ipykernel sets it for its kernel
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "pmo_analysis.runs.kernels"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                env=env,
                text=True,
                bufsize=1,
            )
        except OSError:
            self.process = None

    def __enter__(self) -> KernelTemplate:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    @property
    def manager(self) -> type[ForkingKernelManager]:
        """The kernel manager class whose kernels are forked from this template."""
        return type("RunKernelManager", (ForkingKernelManager,), {"template": self})

    def start(self) -> None:
        """Let the template import (it waits to be told: a run tells it when a core is free)."""
        with self.lock:
            self._start()

    def _start(self) -> None:
        if self.process is not None and not self.started and not self.failed:
            self.started = True
            try:
                self.process.stdin.write("import\n")
                self.process.stdin.flush()
            except OSError:
                self.failed = True

    def _answer(self, timeout: float) -> str:
        """The template's next line (one is outstanding at a time), within ``timeout`` seconds."""
        if not select.select([self.process.stdout], [], [], timeout)[0]:
            raise TimeoutError(f"the kernel template did not answer within {timeout:.0f} s")
        line = self.process.stdout.readline()
        if not line:
            raise OSError("the kernel template has ended")
        return line

    def close(self) -> None:
        """End the template (its kernels end with their reports, or with it)."""
        process, self.process = self.process, None
        if process is None:
            return
        try:
            process.stdin.close()
            process.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):  # stuck: it has no report left to serve
            process.kill()
            process.wait()
        process.stdout.close()

    def fork(self, cmd: list[str], env: dict[str, str] | None, cwd: str | None) -> int | None:
        """The process id of a kernel forked to run ``cmd`` (``[python, -m, ipykernel_launcher,
        ...]``, this Python) in ``env`` and ``cwd``; ``None`` when it cannot be (any other command,
        no template, or one that failed: it is not asked again, and is ended by :meth:`close`, not
        before, so the kernels it forked finish their reports).
        """
        if (
            len(cmd) < 3
            or cmd[1:3] != ["-m", _KERNEL_MODULE]
            or os.path.abspath(cmd[0]) != os.path.abspath(sys.executable)
        ):  # another Python's kernel
            return None
        request = json.dumps({"argv": cmd[3:], "env": dict(env or os.environ), "cwd": str(cwd or os.getcwd())})
        with self.lock:
            self._start()
            if self.process is None or self.failed:
                return None
            try:
                if not self.ready:  # the template answers "ready" once its imports are done
                    if self._answer(self.READY_S).strip() != "ready":
                        raise OSError("the kernel template did not start")
                    self.ready = True
                self.process.stdin.write(request + "\n")
                self.process.stdin.flush()
                pid = json.loads(self._answer(self.ANSWER_S))["pid"]
                return None if pid is None else int(pid)  # None: that fork failed; the next may not
            except (OSError, ValueError, KeyError, TypeError):  # TimeoutError is an OSError
                self.failed = True
                return None


class _Forked:
    """A forked kernel as :class:`subprocess.Popen` shows a process, for Jupyter's provisioner.

    The template reaps its children, so once a kernel has ended its exit code is unknown: it is
    given as -1, a kernel that did not end normally (Jupyter only asks whether it is alive).
    """

    stdin = stdout = stderr = None

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                self.returncode = -1
            except PermissionError:  # pragma: no cover - the pid went to another user's process
                self.returncode = -1
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        end = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if end is not None and time.monotonic() > end:
                raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout)
            time.sleep(0.02)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signum)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


class ForkingKernelManager(AsyncKernelManager):
    """Jupyter's kernel manager, its kernel forked from ``template`` when it can be
    (:attr:`KernelTemplate.manager` gives the class bound to a run's template).
    """

    template: KernelTemplate | None = None

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
        pid = (
            self.template.fork(kernel_cmd, kw.get("env"), kw.get("cwd"))
            if self.template is not None and type(self.provisioner) is LocalProvisioner
            else None
        )
        if pid is None:
            return await super()._async_launch_kernel(kernel_cmd, **kw)
        p = self.provisioner
        p.process, p.pid, p.pgid = _Forked(pid), pid, pid  # a session of its own, as Jupyter's kernels
        p.cwd = kw.get("cwd") or os.getcwd()
        self._reconcile_connection_info(p.connection_info)
        return None


def _kernel(request: dict[str, Any], template: int) -> None:
    """In the forked child of ``template`` (its process id): become the kernel asked for; never
    returns (it leaves as a kernel process leaves: exit handlers run, output flushed).
    """
    code = 1
    try:
        os.setsid()  # its own session and process group, as Jupyter starts a kernel
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # its own children are its to wait for
        end_with_parent(template)
        null = os.open(os.devnull, os.O_RDWR)
        os.dup2(null, 0)
        os.dup2(null, 1)  # the template's answers are not the kernel's; its errors go to the run's stderr
        os.close(null)
        os.environ.clear()
        os.environ.update(request["env"])
        if sys.path and sys.path[0] == os.getcwd():  # python -m puts its working directory first
            sys.path[0] = request["cwd"]
        os.chdir(request["cwd"])
        if "numpy" in sys.modules:  # a fresh process has fresh entropy; a fork has its template's
            sys.modules["numpy"].random.seed()
        # ipykernel watches its parent (it read JPY_PARENT_PID when the template imported it, so
        # the parent is given on the command line too)
        argv = [*request["argv"], f"--IPKernelApp.parent_handle={template}"]
        os.environ["JPY_PARENT_PID"] = str(template)
        sys.argv = [_KERNEL_MODULE, *argv]
        from ipykernel.kernelapp import IPKernelApp

        IPKernelApp.launch_instance(argv=argv)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:  # noqa: BLE001 - told on stderr, as a kernel that fails to start tells it
        import traceback

        traceback.print_exc()
    finally:
        try:  # what a process does when it exits, which os._exit skips
            import atexit

            atexit._run_exitfuncs()
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def _warm_fonts() -> None:
    """Read the chart fonts once (Latin and Chinese), as every report's first chart would."""
    from matplotlib import rc_context
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from pmo_analysis.reporting import plots

    with rc_context(plots.style()):
        fig = Figure(figsize=(2, 1))
        fig.text(0.1, 0.5, "ROI 项目组合 0123456789", fontsize=10)
        fig.text(0.1, 0.2, "NPV", fontsize=8, fontweight=plots.bold())  # the titles' weight (plots.style)
        FigureCanvasAgg(fig).draw()


def _serve() -> None:
    """The template: import, then fork a kernel for each request, until the run closes stdin."""
    import importlib

    if sys.stdin.readline().strip() != "import":  # the run ended before it needed kernels
        return
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001, S112 - a module that fails here fails in the kernel, where it is told
            continue
    with contextlib.suppress(Exception):  # the kernels read the fonts themselves
        _warm_fonts()
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # ended kernels are reaped at once
    out = sys.stdout
    out.write("ready\n")
    out.flush()
    me = os.getpid()
    for line in sys.stdin:
        try:
            request = json.loads(line)
            pid = os.fork()
        except (ValueError, OSError):  # a bad request, or no process to be had: that kernel starts the usual way
            pid = None
        if pid == 0:
            _kernel(request, me)
        out.write(json.dumps({"pid": pid}) + "\n")
        out.flush()


if __name__ == "__main__":
    _serve()
