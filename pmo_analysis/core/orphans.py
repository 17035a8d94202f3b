"""Child processes of a run that end when the run ends, however it ends.

A run starts processes of its own: the model's lessons part, the workbook writer, the kernel
template and the kernels forked from it. A run killed outright (SIGKILL, the machine's out-of-memory
killer, a scheduler's hard timeout) says goodbye to none of them. On Linux a child can ask the
system to send it a signal when its parent ends (``prctl(PR_SET_PDEATHSIG)``); :func:`end_with_parent`
asks for SIGTERM, and ends the child at once if its parent has already gone.
"""

from __future__ import annotations

import os
import signal
import sys

__all__ = ["end_with_parent"]


def end_with_parent(parent: int | None = None) -> None:
    """Be sent SIGTERM when this process's parent ends (Linux); exit now if it has already ended.

    ``parent`` is the process id the caller knows as its parent (taken before a fork); by default
    the current one. Elsewhere than Linux, nothing is asked and only the check is made.
    """
    parent = os.getppid() if parent is None else parent
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):  # pragma: no cover - a C library without prctl
            pass
    if os.getppid() != parent:  # it ended before the signal was asked for
        os._exit(1)
