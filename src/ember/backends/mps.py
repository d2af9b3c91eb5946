"""ember.backends.mps: ember is built without Apple's Metal backend."""

__all__ = ["is_available", "is_built", "is_macos13_or_newer"]


def is_available():
    """False: no MPS device."""
    return False


def is_built():
    """False: ember has no MPS backend."""
    return False


def is_macos13_or_newer(minor=0):
    """Raises, as torch does without the MPS backend."""
    raise RuntimeError("Cannot execute isOnMacOSorNewer() without MPS backend.")
