"""Worker processes for the parallel stages: forked (they inherit the data they work on
instead of receiving it pickled) and tied to their parent, so a build killed with
SIGKILL leaves no workers behind."""

from __future__ import annotations

import ctypes
import signal
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def pool(workers: int) -> ProcessPoolExecutor:
    import multiprocessing  # only when there are workers: a rebuild mostly has none
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                               initializer=_die_with_parent)


def give_back_free_memory() -> None:
    """Return the heap's free pages to the system (glibc's malloc_trim): what parsing
    and linking let go of would otherwise stay resident in the main process, and be
    counted again in every worker forked from it."""
    if not sys.platform.startswith("linux"):
        return
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass
