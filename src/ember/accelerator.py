"""ember.accelerator, as torch.accelerator on a machine without one: ember runs on the CPU, so
scripts that pick `torch.accelerator.current_accelerator()` when available fall back to "cpu",
and every call that needs a device raises PyTorch's error."""

__all__ = ["is_available", "current_accelerator", "device_count", "current_device_index",
           "set_device_index", "synchronize", "current_stream", "empty_cache",
           "memory_allocated", "max_memory_allocated", "memory_reserved", "max_memory_reserved",
           "memory_stats", "reset_peak_memory_stats", "reset_accumulated_memory_stats",
           "get_memory_info", "get_device_capability"]

_NO_ACCELERATOR = "Cannot access accelerator device when none is available."


def is_available():
    """False: ember has no accelerator."""
    return False


def current_accelerator(check_available=False):
    """None: there is no accelerator to report."""
    return None


def device_count():
    """0 accelerators."""
    return 0


def _needs_accelerator(name):
    def function(*args):
        raise RuntimeError(_NO_ACCELERATOR)
    function.__name__ = name
    function.__qualname__ = name
    function.__doc__ = "Raises PyTorch's error: there is no accelerator."
    return function


current_device_index = _needs_accelerator("current_device_index")
set_device_index = _needs_accelerator("set_device_index")
synchronize = _needs_accelerator("synchronize")
current_stream = _needs_accelerator("current_stream")
empty_cache = _needs_accelerator("empty_cache")
memory_allocated = _needs_accelerator("memory_allocated")
max_memory_allocated = _needs_accelerator("max_memory_allocated")
memory_reserved = _needs_accelerator("memory_reserved")
max_memory_reserved = _needs_accelerator("max_memory_reserved")
memory_stats = _needs_accelerator("memory_stats")
reset_peak_memory_stats = _needs_accelerator("reset_peak_memory_stats")
reset_accumulated_memory_stats = _needs_accelerator("reset_accumulated_memory_stats")
get_memory_info = _needs_accelerator("get_memory_info")
get_device_capability = _needs_accelerator("get_device_capability")
