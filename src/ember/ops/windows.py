"""Window functions for spectral analysis: torch.hann_window, hamming_window, blackman_window,
bartlett_window, kaiser_window. A periodic window is the symmetric one of length + 1 without
its last point (PyTorch's convention, the one stft expects)."""
import numpy as np

from ember._device import check_device
from ember._errors import argument_type_error, dtype_name
from ember.ops.creation import CPP_TYPE_NAMES, _numpy_dtype_or_default, finish, parse_dtype

__all__ = ["hann_window", "hamming_window", "blackman_window", "bartlett_window",
           "kaiser_window"]


def _window(function, window_length, periodic, dtype, device, requires_grad, shape):
    """Checks the arguments as PyTorch's window_function_checks, then evaluates shape(n, N)
    at n = 0..N with N = length - 1 (length + 1 - 1 when periodic) in float64."""
    if not isinstance(window_length, int) or isinstance(window_length, bool):
        raise argument_type_error(function, "window_length", 1, "int", window_length)
    dtype = parse_dtype(function, dtype)
    check_device(device)
    numpy_dtype = _numpy_dtype_or_default(dtype)
    if numpy_dtype.kind not in "fcV":
        raise RuntimeError(
            f"{function} expects floating point dtypes, got: TensorOptions(dtype="
            f"{CPP_TYPE_NAMES[numpy_dtype.name]}, device=cpu, layout=Strided (default), "
            "requires_grad=false (default), pinned_memory=false, memory_format=(nullopt))")
    if window_length < 0:
        raise RuntimeError(f"{function} requires non-negative window_length, got "
                           f"window_length={window_length}")
    if window_length <= 1:
        return finish(np.ones(window_length, dtype=numpy_dtype), requires_grad)
    if numpy_dtype.kind == "c":
        # PyTorch builds the window from an arange, which has no complex kernel
        raise NotImplementedError(f"\"arange_cpu\" not implemented for '{dtype_name(dtype)}'")
    length = window_length + 1 if periodic else window_length
    n = np.arange(length, dtype=np.float64)
    values = shape(n, length - 1)[:window_length]
    return finish(values.astype(numpy_dtype), requires_grad)


def hamming_window(window_length, periodic=True, alpha=0.54, beta=0.46, *, dtype=None,
                   layout=None, device=None, requires_grad=False):
    """alpha - beta cos(2 pi n / N)."""
    return _window("hamming_window", window_length, periodic, dtype, device, requires_grad,
                   lambda n, last: alpha - beta * np.cos(2 * np.pi * n / last))


def hann_window(window_length, periodic=True, *, dtype=None, layout=None, device=None,
                requires_grad=False):
    """0.5 - 0.5 cos(2 pi n / N) = sin^2(pi n / N)."""
    return _window("hann_window", window_length, periodic, dtype, device, requires_grad,
                   lambda n, last: 0.5 - 0.5 * np.cos(2 * np.pi * n / last))


def blackman_window(window_length, periodic=True, *, dtype=None, layout=None, device=None,
                    requires_grad=False):
    """0.42 - 0.5 cos(2 pi n / N) + 0.08 cos(4 pi n / N)."""
    return _window("blackman_window", window_length, periodic, dtype, device, requires_grad,
                   lambda n, last: 0.42 - 0.5 * np.cos(2 * np.pi * n / last)
                   + 0.08 * np.cos(4 * np.pi * n / last))


def bartlett_window(window_length, periodic=True, *, dtype=None, layout=None, device=None,
                    requires_grad=False):
    """The triangle 1 - |2n / N - 1|."""
    return _window("bartlett_window", window_length, periodic, dtype, device, requires_grad,
                   lambda n, last: 1 - np.abs(2 * n / last - 1))


def kaiser_window(window_length, periodic=True, beta=12.0, *, dtype=None, layout=None,
                  device=None, requires_grad=False):
    """I0(beta sqrt(1 - (2n / N - 1)^2)) / I0(beta)."""
    return _window("kaiser_window", window_length, periodic, dtype, device, requires_grad,
                   lambda n, last: np.i0(beta * np.sqrt(np.clip(1 - (2 * n / last - 1) ** 2,
                                                                0, None))) / np.i0(beta))
