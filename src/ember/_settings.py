"""Process-wide settings PyTorch scripts set up front: thread counts, determinism, matmul
precision, and the math constants torch re-exports.

ember computes through NumPy, which is deterministic and runs float32 products in float32
whatever is asked, so these settings are recorded and reported back, with PyTorch's checks on
the values, but change no result. NumPy's BLAS picks its own thread count (OPENBLAS_NUM_THREADS
and friends set it)."""
import math
import os
import warnings

__all__ = ["inf", "nan", "pi", "e", "newaxis", "get_num_threads", "set_num_threads",
           "get_num_interop_threads", "set_num_interop_threads", "use_deterministic_algorithms",
           "are_deterministic_algorithms_enabled", "is_deterministic_algorithms_warn_only_enabled",
           "get_float32_matmul_precision", "set_float32_matmul_precision"]

inf = math.inf
nan = math.nan
pi = math.pi
e = math.e
newaxis = None


def _available_cores():
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


class _Settings:
    __slots__ = ("threads", "interop_threads", "interop_threads_fixed", "deterministic",
                 "deterministic_warn_only", "matmul_precision")

    def __init__(self):
        self.threads = _available_cores()
        self.interop_threads = self.threads
        self.interop_threads_fixed = False
        self.deterministic = False
        self.deterministic_warn_only = False
        self.matmul_precision = "highest"


_SETTINGS = _Settings()
_MATMUL_PRECISIONS = ("highest", "high", "medium")


def _positive_count(function_name, value):
    if type(value) is not int:
        raise RuntimeError(f"{function_name} expects an int, but got {type(value).__name__}")
    if value <= 0:
        raise RuntimeError(f"{function_name} expects a positive integer")
    return value


def get_num_threads():
    """The number of threads for intra-op parallelism (the usable cores until set)."""
    return _SETTINGS.threads


def set_num_threads(int):
    """Sets the number reported by get_num_threads()."""
    _SETTINGS.threads = _positive_count("set_num_threads", int)


def get_num_interop_threads():
    """The number of threads for inter-op parallelism."""
    return _SETTINGS.interop_threads


def set_num_interop_threads(int):
    """Sets the number reported by get_num_interop_threads(), once per process as in PyTorch
    (whose inter-op pool cannot be resized once made)."""
    count = _positive_count("set_num_interop_threads", int)
    if _SETTINGS.interop_threads_fixed:
        raise RuntimeError("Error: cannot set number of interop threads after parallel work has "
                           "started or set_num_interop_threads called")
    _SETTINGS.interop_threads = count
    _SETTINGS.interop_threads_fixed = True


def _require_bool(name, value):
    if type(value) is not bool:
        raise TypeError(f"_set_deterministic_algorithms(): argument '{name}'"
                        f"{' (position 1)' if name == 'mode' else ''} must be bool, not "
                        f"{type(value).__name__}")


def use_deterministic_algorithms(mode, *, warn_only=False):
    """Records the determinism request; every ember op is deterministic already."""
    _require_bool("mode", mode)
    _require_bool("warn_only", warn_only)
    _SETTINGS.deterministic = mode
    _SETTINGS.deterministic_warn_only = warn_only


def are_deterministic_algorithms_enabled():
    """Whether use_deterministic_algorithms(True) is in force."""
    return _SETTINGS.deterministic


def is_deterministic_algorithms_warn_only_enabled():
    """Whether use_deterministic_algorithms was given warn_only=True."""
    return _SETTINGS.deterministic_warn_only


def get_float32_matmul_precision():
    """The precision last set for float32 matrix products ('highest' by default)."""
    return _SETTINGS.matmul_precision


def set_float32_matmul_precision(precision):
    """Records the float32 matmul precision; NumPy always multiplies float32 in float32, which
    is 'highest'."""
    if type(precision) is not str:
        raise RuntimeError(f"set_float32_matmul_precision expects a str, but got "
                           f"{type(precision).__name__}")
    if precision not in _MATMUL_PRECISIONS:
        # PyTorch warns and keeps the current setting (its message lacks the space after
        # "current", reproduced here)
        warnings.warn(f"{precision} is not one of 'highest', 'high', or 'medium'; the "
                      "currentsetFloat32MatmulPrecision call has no effect.", UserWarning,
                      stacklevel=2)
        return
    _SETTINGS.matmul_precision = precision
