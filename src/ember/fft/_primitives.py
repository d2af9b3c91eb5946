"""The three FFT primitives every torch.fft function is built from, as in ATen: _fft_c2c,
_fft_r2c and _fft_c2r, each a NumPy forward and a derivative rule written with these same
primitives (so higher-order gradients work). Also the shared argument handling: dtype
promotion, dim wrapping, normalisation modes, padding or truncating the signal, and the
checks on `s` and `dim` of the n-dimensional transforms.

`normalization` is ATen's fft_norm_mode: 0 leaves the sum unscaled, 1 scales it by
1/sqrt(n), 2 by 1/n, where n is the number of points transformed (the output's for c2r)."""
import numpy as np

from ember import _dtype
from ember._errors import dim_out_of_range, dtype_name
from ember._tensor import _wrap
from ember.nn._functional.padding import constant_pad_nd
from ember.ops._registry import node_class, record
from ember.ops.creation import zeros
from ember.ops.joining import cat

__all__ = ["fft_c2c", "fft_r2c", "fft_c2r", "norm_mode", "promote", "wrap_dim", "resize",
           "shape_and_dims", "c2r_shape_and_dims", "check_points"]

# numpy's `norm` word for each fft_norm_mode, for a forward (e^-i) and an inverse transform
_FORWARD_NORMS = ("backward", "ortho", "forward")
_INVERSE_NORMS = ("forward", "ortho", "backward")


# ---- the primitives --------------------------------------------------------------------------

def _c2c_backward(grad, dim, normalization, forward):
    # the adjoint of a scaled DFT is the same scale times the unscaled opposite transform
    return fft_c2c(grad, dim, normalization, not forward)


def _r2c_backward(grad, dim, normalization, onesided, last_dim_size):
    # A one-sided r2c is a c2c of the real signal with the upper half of the spectrum dropped:
    # its adjoint pads that half with zeros, runs the inverse c2c and keeps the real part.
    if onesided:
        last = dim[-1]
        missing = last_dim_size - grad.shape[last]
        if missing > 0:
            shape = list(grad.shape)
            shape[last] = missing
            grad = cat((grad, zeros(shape, dtype=grad.dtype)), last)
    return fft_c2c(grad, dim, normalization, False).real


def _c2r_backward(grad, dim, normalization):
    # c2r fills the upper half of the spectrum by conjugate symmetry before an inverse c2c, so
    # each entry whose mirror image lies outside the one-sided range counts twice (ATen's rule)
    result = fft_r2c(grad, dim, normalization, True)
    last = dim[-1]
    doubled = grad.shape[last] - result.shape[last]
    if doubled > 0:
        scale = np.ones(result.shape[last], dtype=grad._data.dtype)
        scale[1:1 + doubled] = 2
        shape = [1] * grad.dim()
        shape[last] = -1
        result = result * _wrap(scale.reshape(shape))
    return result


FftC2CBackward0 = node_class("FftC2CBackward0", _c2c_backward)
FftR2CBackward0 = node_class("FftR2CBackward0", _r2c_backward)
FftC2RBackward0 = node_class("FftC2RBackward0", _c2r_backward)


def _by_stride(data, dims):
    """dims ordered by decreasing stride in data (a stable sort, as ATen's on few dims)."""
    strides = data.strides
    return sorted(dims, key=lambda d: -strides[d])


# NumPy's one-axis functions skip the n-dimensional ones' bookkeeping (about twice as fast)
_ONE_AXIS = {np.fft.fftn: np.fft.fft, np.fft.ifftn: np.fft.ifft, np.fft.rfftn: np.fft.rfft}


def _in_aten_layout(transform, data, dims, norm):
    """transform (an n-dimensional numpy.fft function) over `dims`, run with the untransformed
    dims first (by decreasing stride) and `dims` last, in their order: the result has the
    strides of ATen's FFT output, contiguous in that order (it shows in stride() and in which
    views work)."""
    batch = _by_stride(data, [d for d in range(data.ndim) if d not in dims])
    order = batch + list(dims)
    moved = data.transpose(order)
    if len(dims) == 1:
        result = _ONE_AXIS[transform](moved, norm=norm)
    else:
        result = transform(moved, axes=tuple(range(len(batch), data.ndim)), norm=norm)
    return np.ascontiguousarray(result).transpose(np.argsort(order))


def _c2c_array(data, dim, normalization, forward):
    if not dim:
        # clone's preserve_format: dense strides in the input's stride order
        return np.copy(data, order="K")
    if forward:
        return _in_aten_layout(np.fft.fftn, data, _by_stride(data, dim),
                               _FORWARD_NORMS[normalization])
    return _in_aten_layout(np.fft.ifftn, data, _by_stride(data, dim),
                           _INVERSE_NORMS[normalization])


def fft_c2c(input, dim, normalization, forward):
    """The complex-to-complex DFT over the dims `dim` (a tuple, possibly empty)."""
    data = input._data
    array = _c2c_array(data, dim, normalization, forward).astype(data.dtype, copy=False)
    return record(array, FftC2CBackward0, (input,), (dim, normalization, forward))


def fft_r2c(input, dim, normalization, onesided):
    """The forward DFT of a real signal over `dim`; one-sided keeps the last dim's first
    n // 2 + 1 frequencies."""
    data = input._data
    if data.dtype.kind == "c":
        raise RuntimeError("Only supports floating-point dtypes, but found: "
                           f"{dtype_name(_dtype.FROM_NUMPY[data.dtype])}")
    # the last dim keeps its place: a one-sided transform halves it
    dims = _by_stride(data, dim[:-1]) + [dim[-1]]
    transform = np.fft.rfftn if onesided else np.fft.fftn
    array = _in_aten_layout(transform, data, dims, _FORWARD_NORMS[normalization])
    array = array.astype(np.result_type(data.dtype, np.complex64), copy=False)
    saved = (dim, normalization, onesided, data.shape[dim[-1]])
    return record(array, FftR2CBackward0, (input,), saved)


def fft_c2r(input, dim, normalization, last_dim_size):
    """The inverse DFT of a one-sided Hermitian spectrum over `dim`, a real signal whose last
    transformed dim has last_dim_size points (imaginary parts of the DC and Nyquist terms are
    ignored)."""
    data = input._data
    spectrum = data
    if len(dim) > 1:
        # as ATen: an inverse c2c over the other dims, then a one-dimensional c2r
        spectrum = _c2c_array(data, dim[:-1], normalization, False)
    last = dim[-1]
    batch = _by_stride(spectrum, [d for d in range(data.ndim) if d != last])
    order = batch + [last]
    result = np.fft.irfft(spectrum.transpose(order), n=last_dim_size,
                          norm=_INVERSE_NORMS[normalization])
    array = np.ascontiguousarray(result).transpose(np.argsort(order))
    array = array.astype(data.real.dtype, copy=False)
    return record(array, FftC2RBackward0, (input,), (dim, normalization))


# ---- argument handling shared by the public functions ----------------------------------------

def norm_mode(norm, forward):
    """ATen's fft_norm_mode for a `norm` string: "backward" (the default) scales only the
    inverse transform by 1/n, "forward" only the forward one, "ortho" both by 1/sqrt(n)."""
    if norm is None or norm == "backward":
        return 0 if forward else 2
    if norm == "forward":
        return 2 if forward else 0
    if norm == "ortho":
        return 1
    raise RuntimeError(f'Invalid normalization mode: "{norm}"')


def promote(input, require_complex=False):
    """input as a dtype the transforms take: integers and bool become the default float,
    half precision is refused (as on PyTorch's CPU), and complex when required."""
    dtype = input.dtype
    if dtype.is_complex:
        return input
    target = dtype if dtype.is_floating_point else _dtype.DEFAULT.value
    if target is not _dtype.float32 and target is not _dtype.float64:
        raise RuntimeError(f"Unsupported dtype {dtype_name(target)}")
    if require_complex:
        target = target.to_complex()
    return input if target is dtype else input.to(target)


def wrap_dim(dim, ndim):
    """A dim wrapped into [0, ndim), with no allowance for 0-d tensors (wrap_scalar=False)."""
    if ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    if dim < -ndim or dim >= ndim:
        raise dim_out_of_range(dim, ndim)
    return dim + ndim if dim < 0 else dim


def check_points(n):
    if n < 1:
        raise RuntimeError(f"Invalid number of data points ({n}) specified")


def resize(input, dims, sizes):
    """input zero-padded or truncated (from the start) to sizes[i] along dims[i]."""
    shape = input.shape
    pad = [0] * (2 * len(shape))
    padded = False
    for dim, size in zip(dims, sizes):
        if shape[dim] < size:
            padded = True
            pad[len(pad) - 2 * dim - 1] = size - shape[dim]
        if shape[dim] > size:
            input = input.narrow(dim, 0, size)
    return constant_pad_nd(input, pad) if padded else input


def shape_and_dims(input, s, dim):
    """The signal sizes and dims of an n-dimensional transform from its `s` and `dim`
    arguments (tuples or None), checked as ATen checks them."""
    ndim = input.dim()
    sizes = input.shape
    if dim is not None:
        dims = tuple(wrap_dim(d, ndim) for d in dim)
        if len(set(dims)) != len(dims):
            raise RuntimeError("FFT dims must be unique")
    if s is not None:
        if dim is not None and len(dim) != len(s):
            raise RuntimeError("When given, dim and shape arguments must have the same length")
        if len(s) > ndim:
            raise RuntimeError(f"Got shape with {len(s)} values but input tensor only has "
                               f"{ndim} dimensions.")
        if dim is None:
            dims = tuple(range(ndim - len(s), ndim))
        shape = tuple(sizes[d] if n == -1 else n for n, d in zip(s, dims))
    elif dim is None:
        dims = tuple(range(ndim))
        shape = tuple(sizes)
    else:
        shape = tuple(sizes[d] for d in dims)
    for n in shape:
        check_points(n)
    return shape, dims


def c2r_shape_and_dims(function, input, s, dim):
    """shape_and_dims for irfftn/hfftn: the one-sided input shape, the dims and the size of
    the real output's last transformed dim."""
    shape, dims = shape_and_dims(input, s, dim)
    if not shape:
        raise RuntimeError(f"{function} must transform at least one axis")
    if s is None or s[-1] == -1:
        last_dim_size = 2 * (input.shape[dims[-1]] - 1)
    else:
        last_dim_size = shape[-1]
    check_points(last_dim_size)
    return shape[:-1] + (last_dim_size // 2 + 1,), dims, last_dim_size

