"""The process allocator policy ember sets on glibc (Linux), once, at import.

glibc serves arrays over 128 KiB with mmap and returns freed memory to the OS as soon as the
top of the heap holds a few MiB free. A training step allocates its activations and
gradients afresh each step and frees them all at the end of backward, so every step faults
that memory back in page by page; on virtual machines a page fault costs microseconds, and on
this project's machines the faults took about 40% of a small transformer's training step.
PyTorch's performance guide recommends another allocator (jemalloc, tcmalloc) for the same
reason; ember gets the same effect from glibc's own settings: arrays up to 32 MiB come from
the heap, and freed heap memory is kept for reuse (up to 1 GiB) instead of being returned.
The memory a process keeps is at most what it already used at its peak.

EMBER_MALLOC_TUNING=0 in the environment leaves glibc's defaults alone."""
import os

__all__ = ["keep_freed_memory"]

# glibc's mallopt parameters (malloc.h)
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_HEAP_SERVED_UP_TO = 32 * 1024 * 1024
_KEPT_UP_TO = 1024 * 1024 * 1024


def _is_glibc():
    try:
        return os.confstr("CS_GNU_LIBC_VERSION").startswith("glibc")
    except (AttributeError, ValueError, OSError):
        return False


def keep_freed_memory():
    """Applies the policy; returns whether glibc accepted it."""
    if os.environ.get("EMBER_MALLOC_TUNING", "1") == "0" or not _is_glibc():
        return False
    import ctypes
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    # mallopt returns 1 on success; setting either parameter turns off glibc's own
    # adjustment of both
    return bool(mallopt(_M_MMAP_THRESHOLD, _HEAP_SERVED_UP_TO)
                and mallopt(_M_TRIM_THRESHOLD, _KEPT_UP_TO))
