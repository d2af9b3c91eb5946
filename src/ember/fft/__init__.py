"""ember.fft: discrete Fourier transforms, as torch.fft.

Every transform is composed, as ATen composes it, from three primitives (_primitives.py):
_fft_c2c, _fft_r2c and _fft_c2r, plus conj, dtype conversion, padding and slicing, so results,
grad_fn names and gradients are PyTorch's. NumPy's pocketfft computes the sums."""
import warnings

import numpy as np

from ember import _dtype
from ember._device import check_device
from ember._errors import dtype_name
from ember.autograd.grad_mode import no_grad
from ember.fft._arguments import parsed
from ember.fft._primitives import (c2r_shape_and_dims, check_points, fft_c2c, fft_c2r,
                                   fft_r2c, norm_mode, promote, resize, shape_and_dims,
                                   wrap_dim)
from ember.ops._elementwise import finish
from ember.ops.complex_numbers import conj_physical
from ember.ops.creation import finish as created, into_out
from ember.ops.joining import roll

__all__ = ["fft", "ifft", "rfft", "irfft", "hfft", "ihfft", "fft2", "ifft2", "rfft2", "irfft2",
           "hfft2", "ihfft2", "fftn", "ifftn", "rfftn", "irfftn", "hfftn", "ihfftn", "fftfreq",
           "rfftfreq", "fftshift", "ifftshift"]

_OUT = (("out", "Tensor?"),)
_ONE_DIM = (("input", "Tensor"), ("n", "int?"), ("dim", "int"), ("norm", "str?"))
_N_DIMS = (("input", "Tensor"), ("s", "int[]?"), ("dim", "int[]?"), ("norm", "str?"))
# the 2-D forms take dim as a required list, defaulting to (-2, -1)
_TWO_DIMS = (("input", "Tensor"), ("s", "int[]?"), ("dim", "int[]"), ("norm", "str?"))
_FREQUENCY = (("n", "int"), ("d", "float"))
_FACTORY = (("out", "Tensor?"), ("dtype", "dtype?"), ("layout", "any"), ("device", "any"),
            ("pin_memory", "any"), ("requires_grad", "any"))


def _is_complex(tensor):
    return tensor._data.dtype.kind == "c"


def _require_complex_out(function, out):
    if out is not None and not _is_complex(out):
        raise RuntimeError(f"{function} expects a complex output tensor, but got "
                           f"{dtype_name(out.dtype)}")


def _require_real_out(function, out):
    if out is not None and not out.dtype.is_floating_point:
        raise RuntimeError(f"{function} expects a floating point output tensor, but got "
                           f"{dtype_name(out.dtype)}")


def _conjugated(result, out):
    """conj(result), written into out when given. PyTorch's out= path here (conj_physical_out)
    raises no error for inputs that require grad; its result has no usable history."""
    if out is None:
        return result.conj()
    with no_grad():
        return conj_physical(result, out=out)


# ---- one-dimensional transforms (ATen's fft_c2c, fft_r2c, fft_c2r) ---------------------------

def _c2c(function, out, input, n, dim, norm, forward):
    dim = wrap_dim(dim, input.dim())
    check_points(input.shape[dim] if n is None else n)
    if n is not None:
        input = resize(input, (dim,), (n,))
    mode = norm_mode(norm, forward)
    _require_complex_out(function, out)
    return finish(fft_c2c(input, (dim,), mode, forward), out, "_fft_c2c")


def _r2c(function, out, input, n, dim, norm, forward, onesided):
    if _is_complex(input):
        raise RuntimeError(f"{function} expects a real input tensor, but got "
                           f"{dtype_name(input.dtype)}")
    _require_complex_out(function, out)
    input = promote(input)
    dim = wrap_dim(dim, input.dim())
    check_points(input.shape[dim] if n is None else n)
    if n is not None:
        input = resize(input, (dim,), (n,))
    mode = norm_mode(norm, forward)
    if forward:
        return finish(fft_r2c(input, (dim,), mode, onesided), out, "_fft_r2c")
    # the inverse of a real signal is the conjugate of its forward transform
    return _conjugated(fft_r2c(input, (dim,), mode, onesided), out)


def _c2r(function, out, input, n, dim, norm, forward):
    _require_real_out(function, out)
    input = promote(input, require_complex=True)
    dim = wrap_dim(dim, input.dim())
    points = 2 * (input.shape[dim] - 1) if n is None else n
    check_points(points)
    if n is not None:
        input = resize(input, (dim,), (points // 2 + 1,))
    mode = norm_mode(norm, forward)
    if forward:
        # hfft: the forward transform of a Hermitian signal is the inverse of its conjugate
        input = input.conj()
    return finish(fft_c2r(input, (dim,), mode, points), out, "_fft_c2r")


@parsed("fft_fft", _ONE_DIM, _OUT)
def fft(input, n=None, dim=-1, norm=None, *, out=None):
    """The one-dimensional discrete Fourier transform of input along dim."""
    if _is_complex(input):
        return _c2c("fft", out, input, n, dim, norm, True)
    return _r2c("fft", out, input, n, dim, norm, True, False)


@parsed("fft_ifft", _ONE_DIM, _OUT)
def ifft(input, n=None, dim=-1, norm=None, *, out=None):
    """The one-dimensional inverse discrete Fourier transform of input along dim."""
    if _is_complex(input):
        return _c2c("ifft", out, input, n, dim, norm, False)
    return _r2c("ifft", out, input, n, dim, norm, False, False)


@parsed("fft_rfft", _ONE_DIM, _OUT)
def rfft(input, n=None, dim=-1, norm=None, *, out=None):
    """The one-sided Fourier transform of a real signal: frequencies 0 to n // 2."""
    return _r2c("rfft", out, input, n, dim, norm, True, True)


@parsed("fft_irfft", _ONE_DIM, _OUT)
def irfft(input, n=None, dim=-1, norm=None, *, out=None):
    """The inverse of rfft: a real signal of n points (default 2 * (size - 1))."""
    return _c2r("irfft", out, input, n, dim, norm, False)


@parsed("fft_hfft", _ONE_DIM, _OUT)
def hfft(input, n=None, dim=-1, norm=None, *, out=None):
    """The Fourier transform of a Hermitian signal given by its one-sided half: real."""
    return _c2r("hfft", out, input, n, dim, norm, True)


@parsed("fft_ihfft", _ONE_DIM, _OUT)
def ihfft(input, n=None, dim=-1, norm=None, *, out=None):
    """The inverse of hfft: the one-sided inverse transform of a real signal."""
    return _r2c("ihfft", out, input, n, dim, norm, False, True)


# ---- n-dimensional transforms ----------------------------------------------------------------

def _fftn_c2c(out, input, s, dim, norm, forward):
    shape, dims = shape_and_dims(input, s, dim)
    input = promote(input, require_complex=True)
    input = resize(input, dims, shape)
    mode = norm_mode(norm, forward)
    # ATen names fftn in this message for ifftn, fft2 and ifft2 too
    _require_complex_out("fftn", out)
    return finish(fft_c2c(input, dims, mode, forward), out, "_fft_c2c")


def _rfftn(input, s, dim, norm, out):
    if _is_complex(input):
        raise RuntimeError("rfftn expects a real-valued input tensor, but got "
                           f"{dtype_name(input.dtype)}")
    shape, dims = shape_and_dims(input, s, dim)
    if not shape:
        raise RuntimeError("rfftn must transform at least one axis")
    input = resize(promote(input), dims, shape)
    mode = norm_mode(norm, True)
    _require_complex_out("rfftn", out)
    return finish(fft_r2c(input, dims, mode, True), out, "_fft_r2c")


def _irfftn(input, s, dim, norm, out):
    shape, dims, points = c2r_shape_and_dims("irfftn", input, s, dim)
    input = resize(promote(input, require_complex=True), dims, shape)
    mode = norm_mode(norm, False)
    _require_real_out("irfftn", out)
    return finish(fft_c2r(input, dims, mode, points), out, "_fft_c2r")


def _hfftn(input, s, dim, norm, out):
    shape, dims, points = c2r_shape_and_dims("hfftn", input, s, dim)
    input = resize(promote(input, require_complex=True), dims, shape)
    mode = norm_mode(norm, True)
    if len(dims) > 1:
        input = fft_c2c(input, dims[:-1], mode, True)
    input = input.conj()
    _require_real_out("hfftn", out)
    return finish(fft_c2r(input, dims[-1:], mode, points), out, "_fft_c2r")


def _ihfftn(input, s, dim, norm, out):
    shape, dims = shape_and_dims(input, s, dim)
    if not shape:
        raise RuntimeError("ihfftn must transform at least one axis")
    input = resize(promote(input), dims, shape)
    mode = norm_mode(norm, False)
    half = fft_r2c(input, dims[-1:], mode, True)
    if len(dims) == 1:
        return _conjugated(half, out)
    half = conj_physical(half)
    _require_complex_out("ihfftn", out)
    return finish(fft_c2c(half, dims[:-1], mode, False), out, "_fft_c2c")


@parsed("fft_fftn", _N_DIMS, _OUT)
def fftn(input, s=None, dim=None, norm=None, *, out=None):
    """The n-dimensional Fourier transform over dim (default: the last len(s) dims, or all)."""
    return _fftn_c2c(out, input, s, dim, norm, True)


@parsed("fft_ifftn", _N_DIMS, _OUT)
def ifftn(input, s=None, dim=None, norm=None, *, out=None):
    """The n-dimensional inverse Fourier transform over dim."""
    return _fftn_c2c(out, input, s, dim, norm, False)


@parsed("fft_rfftn", _N_DIMS, _OUT)
def rfftn(input, s=None, dim=None, norm=None, *, out=None):
    """The n-dimensional Fourier transform of a real signal, one-sided in the last dim."""
    return _rfftn(input, s, dim, norm, out)


@parsed("fft_irfftn", _N_DIMS, _OUT)
def irfftn(input, s=None, dim=None, norm=None, *, out=None):
    """The inverse of rfftn: a real signal."""
    return _irfftn(input, s, dim, norm, out)


@parsed("fft_hfftn", _N_DIMS, _OUT)
def hfftn(input, s=None, dim=None, norm=None, *, out=None):
    """The n-dimensional transform of a Hermitian signal given by its one-sided half."""
    return _hfftn(input, s, dim, norm, out)


@parsed("fft_ihfftn", _N_DIMS, _OUT)
def ihfftn(input, s=None, dim=None, norm=None, *, out=None):
    """The inverse of hfftn: one-sided in the last dim."""
    return _ihfftn(input, s, dim, norm, out)


@parsed("fft_fft2", _TWO_DIMS, _OUT)
def fft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    """The two-dimensional Fourier transform (fftn over the last two dims)."""
    return _fftn_c2c(out, input, s, dim, norm, True)


@parsed("fft_ifft2", _TWO_DIMS, _OUT)
def ifft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    """The two-dimensional inverse Fourier transform."""
    return _fftn_c2c(out, input, s, dim, norm, False)


@parsed("fft_rfft2", _TWO_DIMS, _OUT)
def rfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    """The two-dimensional Fourier transform of a real signal, one-sided in the last dim."""
    return _rfftn(input, s, dim, norm, out)


@parsed("fft_irfft2", _TWO_DIMS, _OUT)
def irfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    """The inverse of rfft2."""
    return _irfftn(input, s, dim, norm, out)


@parsed("fft_hfft2", _TWO_DIMS, _OUT)
def hfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    """The two-dimensional transform of a Hermitian signal given by its one-sided half."""
    return _hfftn(input, s, dim, norm, out)


@parsed("fft_ihfft2", _TWO_DIMS, _OUT)
def ihfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    """The inverse of hfft2."""
    return _ihfftn(input, s, dim, norm, out)


# ---- sample frequencies and shifts -----------------------------------------------------------

def _frequencies(function, count, n, d, out, dtype, device, requires_grad):
    """arange(count) with its upper half wrapped to negative frequencies (fftfreq) or not
    (rfftfreq), times 1 / (n * d), in the requested floating or complex dtype."""
    if out is not None:
        dtype = out.dtype
    elif dtype is None:
        dtype = _dtype.DEFAULT.value
    if not (dtype.is_floating_point or dtype.is_complex):
        raise RuntimeError(f"{function} requires a floating point or complex dtype")
    check_device(device)
    if dtype.is_complex:
        raise NotImplementedError(f"\"arange_cpu\" not implemented for '{dtype_name(dtype)}'")
    if count < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {count}: "
                           f"[{count}]")
    values = np.arange(count, dtype=np.float64)
    if function == "fftfreq":
        values[(n + 1) // 2:] -= n
    numpy_dtype = _dtype.numpy_dtype(dtype)
    # PyTorch multiplies by the double 1 / (n * d) in the tensor's compute type: float for
    # the 16-bit floats, the dtype itself otherwise; C division by zero gives inf or nan
    compute = numpy_dtype if numpy_dtype.itemsize >= 4 else np.dtype(np.float32)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.float64(1.0) / np.float64(n * d)
        array = (values.astype(compute) * compute.type(scale)).astype(numpy_dtype)
    if out is None:
        return created(array, requires_grad)
    if out._data.size and out._data.size != array.size:
        # the warning of the arange_out PyTorch fills out with
        warnings.warn(
            f"The number of elements in the out tensor of shape {list(out._data.shape)} is "
            f"{out._data.size} which does not match the computed number of elements "
            f"{array.size}. Note that this may occur as a result of rounding error. The out "
            f"tensor will be resized to a tensor of shape ({array.size},).", UserWarning,
            stacklevel=4)
    return into_out(out, array)


@parsed("fft_fftfreq", _FREQUENCY, _FACTORY)
def fftfreq(n, d=1.0, *, out=None, dtype=None, layout=None, device=None, pin_memory=False,
            requires_grad=False):
    """The sample frequencies of an n-point fft with sample spacing d."""
    return _frequencies("fftfreq", n, n, d, out, dtype, device, requires_grad)


@parsed("fft_rfftfreq", _FREQUENCY, _FACTORY)
def rfftfreq(n, d=1.0, *, out=None, dtype=None, layout=None, device=None, pin_memory=False,
             requires_grad=False):
    """The sample frequencies of an n-point rfft (0 to n // 2) with sample spacing d."""
    # C++'s n / 2 rounds toward zero
    half = abs(n) // 2 if n >= 0 else -(abs(n) // 2)
    return _frequencies("rfftfreq", half + 1, n, d, out, dtype, device, requires_grad)


def _shift(input, dim, shift_of):
    ndim = input.dim()
    dims = list(range(ndim)) if dim is None else [wrap_dim(d, ndim) for d in dim]
    return roll(input, [shift_of(input.shape[d]) for d in dims], dims)


@parsed("fft_fftshift", (("input", "Tensor"), ("dim", "int[]?")))
def fftshift(input, dim=None):
    """Rolls the zero frequency to the centre of the dims (default: all): a roll by size // 2."""
    return _shift(input, dim, lambda size: size // 2)


@parsed("fft_ifftshift", (("input", "Tensor"), ("dim", "int[]?")))
def ifftshift(input, dim=None):
    """The inverse of fftshift: a roll by (size + 1) // 2."""
    return _shift(input, dim, lambda size: (size + 1) // 2)
