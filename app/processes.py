"""Child processes that die with their parent: the one ``PR_SET_PDEATHSIG`` helper.

The media jobs start ffprobe and ffmpeg with ``preexec_fn=dying_with_this_process()``; the library's
rebuild forks whoosh's indexing helpers and ties each to the rebuilding process with
``die_with_parent`` in an at-fork hook. A worker killed with SIGKILL then leaves no transcoding
running on, and no orphaned indexing helper holding the index's write lock. Linux only: elsewhere
the helpers do nothing and children may outlive a killed parent.

libc's ``prctl`` is looked up here, in the parent, so a child only calls into libc: nothing is
imported or loaded between fork and exec.
"""

import ctypes
import os
import signal
from collections.abc import Callable

PR_SET_PDEATHSIG = 1  # linux/prctl.h
_prctl: Callable[..., int] | None
try:
    _prctl = ctypes.CDLL(None, use_errno=True).prctl
except (OSError, AttributeError):  # not Linux
    _prctl = None


def die_with_parent(parent: int) -> None:
    """In a child: have the kernel SIGKILL it when ``parent`` dies, even by SIGKILL.

    (Strictly: when the thread that started it ends.) If ``parent`` died before this was set up, the
    child exits at once.
    """
    if _prctl is None:
        return
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)


def dying_with_this_process() -> Callable[[], None] | None:
    """A ``preexec_fn`` tying the child about to be started to this process (None where unsupported)."""
    if _prctl is None:
        return None
    parent = os.getpid()
    return lambda: die_with_parent(parent)
