"""ember.backends.cudnn: cuDNN is absent; the flags keep PyTorch's defaults."""

__all__ = ["is_available", "version", "enabled", "benchmark", "deterministic", "allow_tf32"]

# torch reports cuDNN as enabled (a flag) yet unavailable (no library) on a CPU-only build
enabled = True
benchmark = False
deterministic = False
allow_tf32 = True


def is_available():
    """False: no cuDNN library."""
    return False


def version():
    """None: no cuDNN library."""
    return None
