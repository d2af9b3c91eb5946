"""ember.cuda: ember computes on the CPU only, and answers as PyTorch's CPU-only build does."""

__all__ = ["is_available", "device_count", "is_initialized", "manual_seed", "manual_seed_all",
           "seed", "seed_all", "empty_cache", "is_bf16_supported", "current_device",
           "synchronize", "get_device_name", "get_device_capability", "get_rng_state",
           "set_rng_state", "get_device_properties", "init", "mem_get_info", "initial_seed",
           "memory_allocated", "max_memory_allocated", "memory_reserved", "get_arch_list",
           "get_rng_state_all", "get_gencode_flags", "can_device_access_peer", "ipc_collect",
           "current_stream", "default_stream", "device"]


def _not_compiled():
    return AssertionError("Torch not compiled with CUDA enabled")


def is_available():
    """False: ember has no CUDA backend."""
    return False


def device_count():
    """0: ember has no CUDA devices."""
    return 0


def is_initialized():
    """False: there is nothing to initialise."""
    return False


def is_bf16_supported(including_emulation=True):
    """False: no CUDA device."""
    return False


def manual_seed(seed):
    """Accepted and ignored, as torch does lazily without CUDA."""


def manual_seed_all(seed):
    """Accepted and ignored, as torch does lazily without CUDA."""


def seed():
    """Accepted and ignored, as torch does lazily without CUDA."""


def seed_all():
    """Accepted and ignored, as torch does lazily without CUDA."""


def empty_cache():
    """Nothing to free."""


def current_device():
    """Raises torch's CPU-only error."""
    raise _not_compiled()


def synchronize(device=None):
    """Raises torch's CPU-only error."""
    raise _not_compiled()


def get_device_name(device=None):
    """Raises torch's CPU-only error."""
    raise _not_compiled()


def get_device_capability(device=None):
    """Raises torch's CPU-only error."""
    raise _not_compiled()


def get_rng_state(device="cuda"):
    """Raises torch's CPU-only error."""
    raise _not_compiled()


def set_rng_state(new_state, device="cuda"):
    """Accepted and ignored: torch queues it until CUDA initialises, which never happens."""


def get_rng_state_all():
    """[]: no CUDA devices, no generator states."""
    return []


def get_device_properties(device=None):
    """Raises torch's CPU-only error."""
    raise _not_compiled()


def init():
    """Raises torch's CPU-only error."""
    raise _not_compiled()


def mem_get_info(device=None):
    """Raises torch's CPU-only error."""
    raise _not_compiled()


def initial_seed():
    """Raises torch's CPU-only error."""
    raise _not_compiled()


def can_device_access_peer(device, peer_device):
    """Raises torch's CPU-only error."""
    raise _not_compiled()


def ipc_collect():
    """Raises torch's CPU-only error."""
    raise _not_compiled()


def current_stream(device=None):
    """Raises torch's CPU-only error."""
    raise _not_compiled()


def default_stream(device=None):
    """Raises torch's CPU-only error."""
    raise _not_compiled()


def memory_allocated(device=None):
    """0: nothing is allocated on a CUDA device."""
    return 0


def max_memory_allocated(device=None):
    """0: nothing is allocated on a CUDA device."""
    return 0


def memory_reserved(device=None):
    """0: nothing is reserved on a CUDA device."""
    return 0


def get_arch_list():
    """[]: ember is built for no CUDA architecture."""
    return []


def get_gencode_flags():
    """'': ember is built for no CUDA architecture."""
    return ""


class device:
    """Context manager that would select a CUDA device; entering it fails without CUDA."""

    def __init__(self, device):
        self.idx = device
        self.prev_idx = -1

    def __enter__(self):
        raise RuntimeError("PyTorch was compiled without CUDA support")

    def __exit__(self, *exc):
        return False
