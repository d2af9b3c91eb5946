"""ember.cuda: ember computes on the CPU only, and says so truthfully."""

__all__ = ["is_available", "device_count"]


def is_available():
    """False: ember has no CUDA backend."""
    return False


def device_count():
    """0: ember has no CUDA devices."""
    return 0
