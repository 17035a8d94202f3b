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
session of its own), and its Jupyter kernel manager (:class:`ForkingKernelManager`) signals,
interrupts and kills it as it would any kernel. Where ``fork`` is missing (Windows) or unsafe (macOS
system libraries), or the template cannot start or has died, a kernel starts as Jupyter starts it.

The template waits for the line ``import`` on its standard input, imports and answers ``ready``;
then it reads requests, one JSON line each, and answers each with the new kernel's process id. It
ends when the run closes that input, or dies with it; a kernel whose template has gone ends too
(ipykernel watches its parent).
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from typing import Any

from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner

__all__ = ["ForkingKernelManager", "KernelTemplate", "can_fork"]

#: what a report kernel imports before its first cell ends; ``matplotlib_inline`` is the backend
#: ipykernel gives every kernel
PRELOAD = ("numpy", "pandas", "pyarrow", "matplotlib", "matplotlib.pyplot", "matplotlib_inline.backend_inline",
           "IPython.display", "ipykernel.kernelapp", "ipykernel.ipkernel", "pmo_analysis", "pmo_analysis.config",
           "pmo_analysis.display", "pmo_analysis.formatting", "pmo_analysis.i18n", "pmo_analysis.links",
           "pmo_analysis.pages", "pmo_analysis.plots", "pmo_analysis.publish", "pmo_analysis.report",
           "pmo_analysis.roi", "pmo_analysis.summary")

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

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.process: subprocess.Popen | None = None
        self.started = self.ready = False
        if not can_fork():
            return
        env = dict(os.environ, MPLBACKEND=os.environ.get("MPLBACKEND") or
                   "module://matplotlib_inline.backend_inline")  # as ipykernel sets it for its kernel
        try:
            self.process = subprocess.Popen([sys.executable, "-m", "pmo_analysis.kernels"], stdin=subprocess.PIPE,
                                            stdout=subprocess.PIPE, env=env, text=True, bufsize=1)
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
        if self.process is not None and not self.started:
            self.started = True
            try:
                self.process.stdin.write("import\n")
                self.process.stdin.flush()
            except OSError:
                self._drop()

    def _drop(self) -> None:
        """The template failed: end it; kernels start the usual way from now on."""
        self.process.kill()
        self.process.wait()
        for pipe in (self.process.stdin, self.process.stdout):
            try:
                pipe.close()
            except OSError:
                pass
        self.process = None

    def close(self) -> None:
        """End the template (its kernels end with their reports, or with it)."""
        with self.lock:
            if self.process is None:
                return
            try:
                self.process.stdin.close()
                self.process.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                self.process.kill()
                self.process.wait()
            self.process.stdout.close()
            self.process = None

    def fork(self, cmd: list[str], env: dict[str, str] | None, cwd: str | None) -> int | None:
        """The process id of a kernel forked to run ``cmd`` (``[python, -m, ipykernel_launcher,
        ...]``, this Python) in ``env`` and ``cwd``; ``None`` when it cannot be (any other command,
        or no template).
        """
        if self.process is None or len(cmd) < 3 or cmd[1:3] != ["-m", _KERNEL_MODULE] \
                or os.path.abspath(cmd[0]) != os.path.abspath(sys.executable):  # another Python's kernel
            return None
        request = json.dumps({"argv": cmd[3:], "env": dict(env or os.environ), "cwd": str(cwd or os.getcwd())})
        with self.lock:
            self._start()
            try:
                if self.process is None:
                    return None
                if not self.ready:  # the template answers "ready" once its imports are done
                    self.ready = self.process.stdout.readline().strip() == "ready"
                    if not self.ready:
                        raise OSError("the kernel template did not start")
                self.process.stdin.write(request + "\n")
                self.process.stdin.flush()
                return int(json.loads(self.process.stdout.readline())["pid"])
            except (OSError, ValueError, KeyError, TypeError):  # it died: kernels start the usual way
                self._drop()
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
            try:
                os.kill(self.pid, signum)
            except ProcessLookupError:
                pass

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
        pid = self.template.fork(kernel_cmd, kw.get("env"), kw.get("cwd")) \
            if self.template is not None and type(self.provisioner) is LocalProvisioner else None
        if pid is None:
            return await super()._async_launch_kernel(kernel_cmd, **kw)
        p = self.provisioner
        p.process, p.pid, p.pgid = _Forked(pid), pid, pid  # a session of its own, as Jupyter's kernels
        p.cwd = kw.get("cwd") or os.getcwd()
        self._reconcile_connection_info(p.connection_info)
        return None


def _kernel(request: dict[str, Any]) -> None:
    """In the forked child: become the kernel asked for; never returns."""
    code = 1
    try:
        os.setsid()  # its own session and process group, as Jupyter starts a kernel
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # its own children are its to wait for
        null = os.open(os.devnull, os.O_RDWR)
        os.dup2(null, 0)
        os.dup2(null, 1)  # the template's answers are not the kernel's; its errors go to the run's stderr
        os.close(null)
        os.environ.clear()
        os.environ.update(request["env"])
        os.chdir(request["cwd"])
        # it ends if its template does (ipykernel read JPY_PARENT_PID when the template imported it)
        argv = [*request["argv"], f"--IPKernelApp.parent_handle={os.getppid()}"]
        os.environ["JPY_PARENT_PID"] = str(os.getppid())
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
        os._exit(code)


def _warm_fonts() -> None:
    """Read the chart fonts once (Latin and Chinese), as every report's first chart would."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from . import plots

    with plots.plt.rc_context(plots.style()):
        fig = Figure(figsize=(2, 1))
        fig.text(0.1, 0.5, "ROI 项目组合 0123456789", fontsize=10)
        fig.text(0.1, 0.2, "NPV", fontsize=8, fontweight="bold")
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
    try:
        _warm_fonts()
    except Exception:  # noqa: BLE001, S110 - the kernels read the fonts themselves
        pass
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # ended kernels are reaped at once
    out = sys.stdout
    out.write("ready\n")
    out.flush()
    for line in sys.stdin:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            _kernel(request)
        out.write(json.dumps({"pid": pid}) + "\n")
        out.flush()


if __name__ == "__main__":
    _serve()
