"""Process-wide settings PyTorch scripts set up front: thread counts, determinism, matmul
precision, and the math constants torch re-exports.

ember computes through NumPy, which is deterministic and runs float32 products in float32
whatever is asked, so these settings are recorded and reported back, with PyTorch's checks on
the values, but change no result. NumPy's BLAS picks its own thread count (OPENBLAS_NUM_THREADS
and friends set it)."""
import importlib
import math
import os
import warnings

from ember import _dtype, _errors
from ember._device import device as _device_type
from ember.ops.creation import _LegacyTensorType

__all__ = ["inf", "nan", "pi", "e", "newaxis", "get_num_threads", "set_num_threads",
           "get_num_interop_threads", "set_num_interop_threads", "use_deterministic_algorithms",
           "are_deterministic_algorithms_enabled", "is_deterministic_algorithms_warn_only_enabled",
           "get_float32_matmul_precision", "set_float32_matmul_precision", "set_warn_always",
           "is_warn_always_enabled", "set_flush_denormal", "get_default_device",
           "set_default_device", "set_default_tensor_type"]

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
                 "deterministic_warn_only", "matmul_precision", "default_device")

    def __init__(self):
        self.threads = _available_cores()
        self.interop_threads = self.threads
        self.interop_threads_fixed = False
        self.deterministic = False
        self.deterministic_warn_only = False
        self.matmul_precision = "highest"
        self.default_device = None


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


def set_warn_always(b):
    """Records whether warnings PyTorch gives once per process should be given every time."""
    if type(b) is not bool:
        raise RuntimeError(f"setWarnOnlyOnce expects a bool, but got {type(b).__name__}")
    _errors.WARN_ALWAYS[0] = b


def is_warn_always_enabled():
    """Whether set_warn_always(True) is in force."""
    return _errors.WARN_ALWAYS[0]


def set_flush_denormal(mode):
    """Asks for subnormal floats to be flushed to zero; returns False, PyTorch's answer on a
    CPU that cannot: NumPy computes with subnormals whatever is asked."""
    if type(mode) is not bool:
        raise RuntimeError(f"flush_denormal expects a bool, but got {type(mode).__name__}")
    return False


def set_default_device(device):
    """Records the default device (None resets it to the CPU). ember creates every tensor on
    the CPU; like PyTorch without CUDA, asking for 'cuda' fails when the device is read."""
    if device is not None and not isinstance(device, (str, _device_type)):
        # PyTorch reads a bare index as an accelerator device
        raise RuntimeError("Cannot access accelerator device when none is available.")
    _SETTINGS.default_device = None if device is None else _device_type(device)


def get_default_device():
    """The default device: the CPU unless set_default_device chose one."""
    chosen = _SETTINGS.default_device
    if chosen is None:
        return _device_type("cpu")
    if chosen.type == "cuda":
        raise AssertionError("Torch not compiled with CUDA enabled")
    return chosen


_TENSOR_TYPE_DEPRECATION = (
    "torch.set_default_tensor_type() is deprecated as of PyTorch 2.1, please use "
    "torch.set_default_dtype() and torch.set_default_device() as alternatives. (Triggered "
    "internally at /__w/pytorch/pytorch/torch/csrc/tensor/python_tensor.cpp:434.)")


def set_default_tensor_type(t):
    """Deprecated: sets the default dtype from a floating tensor type (ember.DoubleTensor or
    its name, 'torch.DoubleTensor')."""
    if isinstance(t, str):
        module_name, _, type_name = t.rpartition(".")
        if module_name in ("torch", "ember"):
            module_name = __name__.partition(".")[0]
        t = getattr(importlib.import_module(module_name), type_name)
    _errors.warn_once("set_default_tensor_type", _TENSOR_TYPE_DEPRECATION)
    if not isinstance(t, _LegacyTensorType):
        raise TypeError("invalid type object: only floating-point types are supported as the "
                        "default type")
    if not t.dtype.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    _dtype.set_default_dtype(t.dtype)
