"""ember.cuda: ember computes on the CPU only, and answers as PyTorch's CPU-only build does."""

__all__ = ["is_available", "device_count", "is_initialized", "manual_seed", "manual_seed_all",
           "seed", "seed_all", "empty_cache", "is_bf16_supported", "current_device",
           "synchronize", "get_device_name", "get_device_capability", "get_rng_state",
           "set_rng_state"]


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
    """Raises torch's CPU-only error."""
    raise _not_compiled()
