"""Scans along one dim: cumsum, cumprod, cummax, cummin, logcumsumexp, with their derivative
rules."""
import numpy as np

from ember import _dtype, return_types
from ember._errors import normalize_dim
from ember._tensor import _wrap
from ember.ops._elementwise import conjugate
from ember.ops._registry import RESULT, inplace_method, method, node_class, record, record_multi
from ember.ops.creation import zeros
from ember.ops.joining import finish_out
from ember.ops.reduction import kernel_missing

__all__ = ["cumsum", "cumprod", "cummax", "cummin", "logcumsumexp"]


def _reverse_cumsum(grad, dim):
    """Sums from each position to the end of dim (the adjoint of cumsum)."""
    return grad.flip((dim,)).cumsum(dim).flip((dim,))


def _cumsum_backward(grad, dim):
    if not grad.dim():
        return grad
    return _reverse_cumsum(grad, dim)


def _cumprod_backward(grad, input, result, dim):
    """d cumprod: exact with zeros, without dividing by any zero. Before a slice's first zero
    the gradient is reverse_cumsum(grad * result) / x; at the first zero it is the sum of
    grad times the cumulative product with that zero replaced by 1; after it, zero."""
    if not input.dim():
        return grad
    # complex inputs: the derivative is conjugated, so conjugate its factors
    input = conjugate(input)
    result = conjugate(result)
    zero = input == 0
    zeros_so_far = zero.cumsum(dim)
    before = zeros_so_far == 0
    first_zero = zero * (zeros_so_far == 1)
    # the replaced entries are constants, so that second derivatives come out right too
    safe = input * (zero == 0) + zero
    part_before = _reverse_cumsum(grad * result, dim) / safe * before
    replaced = input * (first_zero == 0) + first_zero
    at_first = (grad * replaced.cumprod(dim) * (zeros_so_far > 0)).sum(dim, keepdim=True)
    return part_before + at_first * first_zero


CumsumBackward0 = node_class("CumsumBackward0", _cumsum_backward)
CumprodBackward0 = node_class("CumprodBackward0", _cumprod_backward)


def _scan_dtype(data, dtype):
    """Integral and bool inputs accumulate to int64 by default, as in PyTorch."""
    if dtype is not None:
        return _dtype.numpy_dtype(dtype)
    if data.dtype.kind in "biu":
        return np.dtype(np.int64)
    return data.dtype


_ACCUMULATE_IN = {"float16": np.float32, "bfloat16": np.float32, "float32": np.float64,
                  "complex64": np.complex128}


def _scan(function, input, dim, dtype):
    data = input._data
    dim = normalize_dim(dim, data.ndim)
    numpy_dtype = _scan_dtype(data, dtype)
    if not data.ndim:
        return data.astype(numpy_dtype), dim
    accumulate = _ACCUMULATE_IN.get(numpy_dtype.name)
    if accumulate is not None:
        # PyTorch's CPU scans run in a wider type (its acc_type), rounded per element
        data = data.astype(numpy_dtype, copy=False)
        array = function(data, axis=dim, dtype=accumulate)
        return array.astype(numpy_dtype), dim
    return np.asarray(function(data, axis=dim, dtype=numpy_dtype)), dim


def cumsum(input, dim, *, dtype=None, out=None):
    """Cumulative sum along dim (integers accumulate to int64)."""
    array, dim = _scan(np.add.accumulate, input, dim, dtype)
    return finish_out(record(array, CumsumBackward0, (input,), (dim,)), out, "cumsum")


def cumprod(input, dim, *, dtype=None, out=None):
    """Cumulative product along dim (integers accumulate to int64)."""
    array, dim = _scan(np.multiply.accumulate, input, dim, dtype)
    return finish_out(record(array, CumprodBackward0, (input,), (input, RESULT, dim)), out,
                      "cumprod")


def _running_extreme(data, dim, better):
    """Running extreme along dim and the index it came from: the latest index among ties, and
    NaN, once seen, wins (PyTorch's cummax/cummin)."""
    moved = np.moveaxis(data, dim, -1)
    extent = moved.shape[-1]
    positions = np.broadcast_to(np.arange(extent), moved.shape)
    if moved.dtype.kind in "fc":
        nan = np.isnan(moved)
        # every NaN becomes the new extreme (and its index), once one has been seen
        seen_nan = np.maximum.accumulate(np.where(nan, positions, -1), axis=-1)
    else:
        seen_nan = np.full(moved.shape, -1)
    values = better.accumulate(moved, axis=-1) if extent else moved.copy()
    # the latest position whose element equals the running extreme up to there
    matches = np.where(moved == values, positions, -1)
    indices = np.maximum.accumulate(matches, axis=-1) if extent else matches
    # NumPy's maximum/minimum already propagate NaN into the running values
    indices = np.where(seen_nan >= 0, seen_nan, indices)
    return (np.moveaxis(values.astype(data.dtype, copy=False), -1, dim),
            np.moveaxis(indices.astype(np.int64), -1, dim))


def _cumextreme_backward(grads, input_shape, dim, indices):
    if not input_shape:
        return grads[0]
    grad = grads[0]
    return zeros(input_shape, dtype=grad.dtype).scatter_add(dim, _wrap(indices), grad)


CummaxBackward0 = node_class("CummaxBackward0", _cumextreme_backward, multi_output=True)
CumminBackward0 = node_class("CumminBackward0", _cumextreme_backward, multi_output=True)


def _cumulative_extreme(input, dim, better, node_cls, result_type):
    data = input._data
    dim = normalize_dim(dim, data.ndim)
    kernel_missing(input, "cummax_cpu" if better is np.maximum else "cummin_cpu")
    if not data.ndim:
        values, indices = data.copy(), np.zeros((), dtype=np.int64)
    else:
        values, indices = _running_extreme(data, dim, better)
    outs = record_multi((values, indices), node_cls, (input,), (data.shape, dim, indices),
                        (True, False))
    return result_type(outs)


def cummax(input, dim):
    """(running maximum, its index) along dim."""
    return _cumulative_extreme(input, dim, np.maximum, CummaxBackward0, return_types.cummax)


def cummin(input, dim):
    """(running minimum, its index) along dim."""
    return _cumulative_extreme(input, dim, np.minimum, CumminBackward0, return_types.cummin)


def _reverse_logcumsumexp(values, dim):
    return values.flip((dim,)).logcumsumexp(dim).flip((dim,))


def _logcumsumexp_backward(grad, input, result, dim):
    """PyTorch's formula: sum over j >= i of grad_j * exp(input_i - result_j), computed in log
    space with the positive and negative parts of grad apart, so no exp overflows."""
    if not input.dim():
        return grad
    if grad.is_complex():
        # complex logs carry the sign in their imaginary part: no split needed
        log_grad = conjugate(grad).log()
        return conjugate((_reverse_logcumsumexp(log_grad - result, dim) + input).exp())
    lowest = float(np.finfo(grad._data.dtype).min)
    log_magnitude = grad.abs().log()
    log_positive = log_magnitude.where(grad > 0, lowest)
    log_negative = log_magnitude.where(grad < 0, lowest)
    positive = (_reverse_logcumsumexp(log_positive - result, dim) + input).exp()
    negative = (_reverse_logcumsumexp(log_negative - result, dim) + input).exp()
    return positive - negative


LogcumsumexpBackward0 = node_class("LogcumsumexpBackward0", _logcumsumexp_backward)


def _complex_logcumsumexp(data, dim):
    # NumPy's logaddexp is real only: shift by the largest real part along dim, so that no exp
    # overflows, and take the log of the running sum
    shift = np.max(data.real, axis=dim, keepdims=True)
    shift = np.where(np.isfinite(shift), shift, 0)
    with np.errstate(divide="ignore"):
        return np.log(np.cumsum(np.exp(data - shift), axis=dim)) + shift


def logcumsumexp(input, dim, *, out=None):
    """log(cumsum(exp(input))) along dim, without overflow."""
    data = input._data
    dim = normalize_dim(dim, data.ndim)
    kernel_missing(input, "logcumsumexp_out_cpu", kinds="biu")
    if not data.ndim or not data.size:
        array = data.copy()
    elif data.dtype.kind == "c":
        array = _complex_logcumsumexp(data, dim).astype(data.dtype)
    elif data.dtype.itemsize < 4:
        # float16 and bfloat16 accumulate in float32, as PyTorch's kernel
        array = np.logaddexp.accumulate(data.astype(np.float32), axis=dim).astype(data.dtype)
    else:
        array = np.logaddexp.accumulate(data, axis=dim)
    result = record(array, LogcumsumexpBackward0, (input,), (input, RESULT, dim))
    return finish_out(result, out, "logcumsumexp")


for _name, _function in (("cumsum", cumsum), ("cumprod", cumprod), ("cummax", cummax),
                         ("cummin", cummin), ("logcumsumexp", logcumsumexp)):
    method(_name, _function)
inplace_method("cumsum", cumsum)
inplace_method("cumprod", cumprod)
