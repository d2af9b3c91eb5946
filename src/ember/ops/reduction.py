"""Reductions over dims: sum, mean, prod, std/var, max/min, logsumexp, norm, all/any...,
with PyTorch's dim/keepdim/dtype conventions, errors and derivative rules."""
import builtins
import warnings

import numpy as np

from ember import _dtype, return_types
from ember._errors import dtype_name, normalize_dim, normalize_dims
from ember._tensor import Tensor, _wrap
from ember.ops._elementwise import conjugate
from ember.ops._registry import RESULT, method, node_class, record, record_multi
from ember.ops.creation import parse_size, zeros
from ember.ops.joining import finish_out

__all__ = ["sum", "nansum", "mean", "nanmean", "prod", "std", "var", "std_mean", "var_mean",
           "max", "min", "amax", "amin", "aminmax", "argmax", "argmin", "logsumexp", "norm",
           "all", "any", "count_nonzero"]


# ---- shared helpers ---------------------------------------------------------------------------

def reduction_dims(dim, ndim):
    """A normalized tuple of dims to reduce, or None for all dims."""
    if dim is None:
        return None
    if isinstance(dim, int):
        dim = (dim,)
    elif len(dim) == 0:
        return None
    dims = normalize_dims(tuple(dim), ndim)
    # a 0-d tensor accepts dim 0 or -1 and reduces over nothing but itself
    return dims if ndim else None


def expand_reduced(grad, input_shape, dims, keepdim):
    """Broadcasts a reduction's gradient back over the reduced dims of input_shape."""
    return keep_reduced(grad, dims, keepdim).expand(input_shape)


def keep_reduced(value, dims, keepdim):
    """A reduction's result with its reduced dims restored as size 1 (keepdim=True form)."""
    if dims is not None and not keepdim:
        for d in sorted(dims):
            value = value.unsqueeze(d)
    return value


def value_selecting_backward(grad, dim, indices, input_shape, keepdim):
    """Routes a reduction's gradient to the element each output value came from (indices, an
    int64 ndarray, along dim), as PyTorch's value_selecting_reduction_backward."""
    if not input_shape:
        return grad
    indices = _wrap(indices)
    if not keepdim:
        grad = grad.unsqueeze(dim)
        indices = indices.unsqueeze(dim)
    return zeros(input_shape, dtype=grad.dtype).scatter(dim, indices, grad)


def _reduced_count(shape, dims):
    count = 1
    for d in range(len(shape)) if dims is None else dims:
        count *= shape[d]
    return count


def _accumulate_dtype(data):
    """Half-precision floats accumulate in float32, as PyTorch's CPU kernels do."""
    if data.dtype.itemsize == 2 and data.dtype.kind in "fV":
        return np.dtype(np.float32)
    return None


def kernel_missing(input, kernel, kinds="c"):
    """PyTorch's NotImplementedError for a dtype (of the given NumPy kinds) its CPU kernel
    lacks, e.g. complex input to an ordering op."""
    if input._data.dtype.kind in kinds:
        raise NotImplementedError(f"\"{kernel}\" not implemented for "
                                  f"'{dtype_name(input.dtype)}'")


def reject_complex(input, message):
    """PyTorch's RuntimeError for ops that refuse complex input."""
    if input._data.dtype.kind == "c":
        raise RuntimeError(message)


def _empty_reduction_check(name, data, dims, error=IndexError):
    """PyTorch's errors for reductions without identity over empty inputs or dims."""
    if dims is None:
        if data.size == 0:
            raise RuntimeError(f"{name}(): Expected reduction dim to be specified for "
                               "input.numel() == 0. Specify the reduction dim with the 'dim' "
                               "argument.")
        return
    for d in dims:
        if data.shape[d] == 0:
            raise error(f"{name}(): Expected reduction dim {d} to have non-zero size.")


# ---- sum, nansum, mean, nanmean ---------------------------------------------------------------

SumBackward0 = node_class("SumBackward0", lambda grad, input_shape: grad.expand(input_shape))
SumBackward1 = node_class("SumBackward1", expand_reduced)


def _sum_dtype(input, dtype):
    """Integral and bool inputs sum to int64 by default, as in PyTorch."""
    if dtype is not None:
        return _dtype.numpy_dtype(dtype)
    if input._data.dtype.kind in "biu":
        return np.dtype(np.int64)
    return None


def reduce(ufunc, data, dims, keepdim, dtype=None):
    """ufunc.reduce over dims (all when None) as an ndarray, never a NumPy scalar. Calling the
    ufunc directly skips np.sum's wrapper, which dominates the cost for small tensors."""
    if dims is not None and len(dims) < data.ndim and not keepdim:
        return ufunc.reduce(data, axis=dims, dtype=dtype)
    kept = ufunc.reduce(data, axis=dims, dtype=dtype, keepdims=True)
    if not data.ndim:
        return np.asarray(kept)
    return kept if keepdim else kept.reshape(())


def _summed(ufunc, data, dims, numpy_dtype, keepdim):
    accumulate = numpy_dtype or _accumulate_dtype(data)
    array = reduce(ufunc, data, dims, keepdim, accumulate)
    result_dtype = numpy_dtype or data.dtype
    return array if array.dtype == result_dtype else array.astype(result_dtype)


def sum(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Sum over all elements, or over dim (an int or a tuple) keeping dims if keepdim."""
    data = input._data
    numpy_dtype = _sum_dtype(input, dtype)
    if dim is None and not keepdim:
        array = _summed(np.add, data, None, numpy_dtype, False)
        result = record(array, SumBackward0, (input,), (data.shape,))
        return finish_out(result, out, "sum")
    dims = reduction_dims(dim, data.ndim)
    array = _summed(np.add, data, dims, numpy_dtype, keepdim)
    result = record(array, SumBackward1, (input,), (data.shape, dims, keepdim))
    return finish_out(result, out, "sum")


def _nansum_backward(grad, input, dims, keepdim):
    return expand_reduced(grad, input.shape, dims, keepdim) * (input == input)


NansumBackward0 = node_class("NansumBackward0", _nansum_backward)


def nansum(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Sum treating NaN as zero."""
    reject_complex(input, "nansum on CPU does not support complex inputs")
    data = input._data
    dims = reduction_dims(dim, data.ndim)
    if data.dtype.kind == "f":
        data = np.where(np.isnan(data), 0, data)
    array = _summed(np.add, data, dims, _sum_dtype(input, dtype), keepdim)
    result = record(array, NansumBackward0, (input,), (input, dims, keepdim))
    return finish_out(result, out, "nansum")


def _mean_backward(grad, input_shape, dims, keepdim, count):
    return expand_reduced(grad, input_shape, dims, keepdim) / count


MeanBackward0 = node_class("MeanBackward0", lambda grad, input_shape, count:
                           grad.expand(input_shape) / count)
MeanBackward1 = node_class("MeanBackward1", _mean_backward)


def _mean_dtype(name, input, dtype):
    if dtype is not None:
        if not dtype.is_floating_point and not dtype.is_complex:
            raise RuntimeError(f"{name}(): could not infer output dtype. Optional dtype must be "
                               f"either a floating point or complex dtype. Got: "
                               f"{dtype_name(dtype)}")
        return _dtype.numpy_dtype(dtype)
    if input._data.dtype.kind in "biu":
        raise RuntimeError(f"{name}(): could not infer output dtype. Input dtype must be either "
                           f"a floating point or complex dtype. Got: {dtype_name(input.dtype)}")
    return None


def mean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Arithmetic mean over all elements or over dim."""
    data = input._data
    numpy_dtype = _mean_dtype("mean", input, dtype)
    if numpy_dtype is not None:
        data = data.astype(numpy_dtype)
    dims = reduction_dims(dim, data.ndim)
    count = _reduced_count(data.shape, dims)
    total = _summed(np.add, data, dims, None, keepdim)
    with np.errstate(invalid="ignore", divide="ignore"):
        array = np.asarray(total / np.asarray(count, dtype=total.dtype)).astype(total.dtype)
    if dim is None and not keepdim:
        result = record(array, MeanBackward0, (input,), (data.shape, count))
    else:
        result = record(array, MeanBackward1, (input,), (data.shape, dims, keepdim, count))
    return finish_out(result, out, "mean")


def nanmean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Mean over the non-NaN elements (a composite of nansum and a count, as in PyTorch)."""
    if input._data.dtype.kind in "biu":
        raise RuntimeError("nanmean(): expected input to have floating point or complex dtype "
                           f"but got {dtype_name(input.dtype)}")
    present = (input == input).sum(dim, keepdim)
    return finish_out(nansum(input, dim, keepdim, dtype=dtype) / present, out, "nanmean")


# ---- prod -------------------------------------------------------------------------------------

def _product_of_others(input, result, dim):
    """For each element, the product of the other elements of its slice (the derivative of
    prod), exact when the slice holds zeros: no element is ever divided by zero."""
    zero = input == 0
    # zeros replaced by the constant 1 (so second derivatives come out right too)
    safe = input * (zero == 0) + zero
    if dim is None:
        zero_count = zero.sum()
        safe_product = safe.reshape(-1).prod(0)
    else:
        zero_count = zero.sum(dim, keepdim=True)
        safe_product = safe.prod(dim, keepdim=True)
    # no zero: result / x; one zero: the zero's slot gets the product of the others; else 0
    return result / safe + safe_product * (zero * (zero_count == 1))


def _prod_full_backward(grad, input, result):
    # complex inputs: the gradient is grad times the conjugated derivative, as in PyTorch
    return grad * _product_of_others(conjugate(input), conjugate(result), None)


def _prod_dim_backward(grad, input, result, dim, keepdim):
    if not keepdim and input.dim():
        grad = grad.unsqueeze(dim)
        result = result.unsqueeze(dim)
    return grad * _product_of_others(conjugate(input), conjugate(result), dim)


ProdBackward0 = node_class("ProdBackward0", _prod_full_backward)
ProdBackward1 = node_class("ProdBackward1", _prod_dim_backward)


def prod(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Product of all elements, or along one dim."""
    data = input._data
    numpy_dtype = _sum_dtype(input, dtype)
    if dim is None:
        array = _summed(np.multiply, data, None, numpy_dtype, False)
        result = record(array, ProdBackward0, (input,), (input, RESULT))
        return finish_out(result, out, "prod")
    dim = normalize_dim(dim, data.ndim)
    dims = (dim,) if data.ndim else None
    array = _summed(np.multiply, data, dims, numpy_dtype, keepdim)
    result = record(array, ProdBackward1, (input,), (input, RESULT, dim, keepdim))
    return finish_out(result, out, "prod")


# ---- var, std, var_mean, std_mean --------------------------------------------------------------

def _variance_arguments(name, input, dim, unbiased, correction):
    """Resolves torch's overloads: var(dim, unbiased, keepdim), var(unbiased), correction=."""
    if isinstance(dim, bool):
        unbiased, dim = dim, None
    if input._data.dtype.kind in "biu":
        raise RuntimeError("std and var only support floating point and complex dtypes")
    if correction is None:
        correction = 0 if unbiased is False else 1
    dims = reduction_dims(dim, input._data.ndim)
    count = _reduced_count(input._data.shape, dims)
    if count - correction <= 0:
        warnings.warn(f"{name}(): degrees of freedom is <= 0. Correction should be strictly "
                      "less than the reduction factor (input numel divided by output numel).",
                      UserWarning, stacklevel=3)
    return dims, correction, count


def _variance(data, dims, correction, count, keepdim):
    """Variance (real dtype) of data over dims, dividing by max(0, count - correction)."""
    accumulate = _accumulate_dtype(data)
    work = data if accumulate is None else data.astype(accumulate)
    with np.errstate(invalid="ignore", divide="ignore"):
        centre = np.add.reduce(work, axis=dims, keepdims=True) / count
        deviation = work - centre
        if work.dtype.kind == "c":
            squared = deviation.real * deviation.real + deviation.imag * deviation.imag
        else:
            squared = deviation * deviation
        squares = reduce(np.add, squared, dims, keepdim)
        variance = squares / builtins.max(0, count - correction)
    real = data.real.dtype if data.dtype.kind == "c" else data.dtype
    if not keepdim:
        centre = centre.reshape(()) if dims is None else np.squeeze(centre, axis=dims)
    variance = np.asarray(variance).astype(real, copy=False)
    return variance, np.asarray(centre).astype(data.dtype, copy=False)


def _var_backward(grad, input, dims, correction, keepdim):
    count = _reduced_count(input.shape, dims)
    centred = input - input.mean(dims, keepdim=True)
    freedom = builtins.max(0, count - correction)
    return keep_reduced(grad, dims, keepdim) * centred * (2.0 / freedom if freedom else
                                                          float("inf"))


def _std_backward(grad, input, dims, correction, keepdim, result):
    # torch masks the gradient where std is 0 (a constant slice) to 0 instead of nan
    result = keep_reduced(result, dims, keepdim)
    nonzero = result != 0
    scaled = keep_reduced(grad, dims, keepdim) * nonzero / (result * 2 + (result == 0))
    return _var_backward(scaled, input, dims, correction, True)


VarBackward0 = node_class("VarBackward0", _var_backward)
StdBackward0 = node_class("StdBackward0", _std_backward)


def _std_mean_backward(grads, input, dims, correction, keepdim, std_result):
    grad_std, grad_mean = grads
    count = _reduced_count(input.shape, dims)
    mean_part = expand_reduced(grad_mean, input.shape, dims, keepdim) / count
    return _std_backward(grad_std, input, dims, correction, keepdim, std_result) + mean_part


def _var_mean_backward(grads, input, dims, correction, keepdim):
    grad_var, grad_mean = grads
    count = _reduced_count(input.shape, dims)
    mean_part = expand_reduced(grad_mean, input.shape, dims, keepdim) / count
    return _var_backward(grad_var, input, dims, correction, keepdim) + mean_part


StdMeanBackward0 = node_class("StdMeanBackward0", _std_mean_backward, multi_output=True)
VarMeanBackward0 = node_class("VarMeanBackward0", _var_mean_backward, multi_output=True)


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """Variance over dim, dividing by N - correction (Bessel's correction by default)."""
    dims, correction, count = _variance_arguments("var", input, dim, unbiased, correction)
    variance, _ = _variance(input._data, dims, correction, count, keepdim)
    result = record(variance, VarBackward0, (input,), (input, dims, correction, keepdim))
    return finish_out(result, out, "var")


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """Standard deviation over dim, dividing by N - correction."""
    dims, correction, count = _variance_arguments("std", input, dim, unbiased, correction)
    variance, _ = _variance(input._data, dims, correction, count, keepdim)
    result = record(np.sqrt(variance), StdBackward0, (input,),
                    (input, dims, correction, keepdim, RESULT))
    return finish_out(result, out, "std")


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """(var, mean) over dim in one pass."""
    dims, correction, count = _variance_arguments("var_mean", input, dim, unbiased, correction)
    variance, centre = _variance(input._data, dims, correction, count, keepdim)
    return record_multi((variance, centre), VarMeanBackward0, (input,),
                        (input, dims, correction, keepdim))


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """(std, mean) over dim in one pass."""
    dims, correction, count = _variance_arguments("std_mean", input, dim, unbiased, correction)
    variance, centre = _variance(input._data, dims, correction, count, keepdim)
    deviation = np.sqrt(variance)
    return record_multi((deviation, centre), StdMeanBackward0, (input,),
                        (input, dims, correction, keepdim, _wrap(deviation.copy())))


# ---- max, min, amax, amin, aminmax, argmax, argmin ----------------------------------------------

def _share_among_ties(grad, mask, dims, keepdim):
    """grad spread evenly over the elements of each reduced slice that mask selects."""
    count = mask.sum(dims, keepdim=True) if dims is not None else mask.sum()
    return keep_reduced(grad, dims, keepdim) * mask / count


def _amax_backward(grad, input, result, dims, keepdim):
    # a NaN extreme matches no element, so its slice's gradient is NaN, as in PyTorch
    return _share_among_ties(grad, input == keep_reduced(result, dims, keepdim), dims, keepdim)


def evenly_distribute_backward(grad, input, result):
    """The gradient of max()/min()/median() of all elements, shared among the elements equal
    to the result; a NaN result shares it among the NaN elements."""
    if result._data.dtype.kind in "fc" and np.isnan(result._data):
        mask = input != input
    else:
        mask = input == result
    return _share_among_ties(grad, mask, None, False)


def _dim_extreme_backward(grads, input_shape, dim, indices, keepdim):
    return value_selecting_backward(grads[0], dim, indices, input_shape, keepdim)


MaxBackward1 = node_class("MaxBackward1", evenly_distribute_backward)
MinBackward1 = node_class("MinBackward1", evenly_distribute_backward)
MaxBackward0 = node_class("MaxBackward0", _dim_extreme_backward, multi_output=True)
MinBackward0 = node_class("MinBackward0", _dim_extreme_backward, multi_output=True)
AmaxBackward0 = node_class("AmaxBackward0", _amax_backward)
AminBackward0 = node_class("AminBackward0", _amax_backward)


def _with_dim(name, input, dim, keepdim, pick, ufunc, node_cls, result_type, out):
    """max/min along one dim: (values, indices) with the first index among ties."""
    if not isinstance(dim, int) or isinstance(dim, bool):
        raise TypeError(f"{name}() received an invalid combination of arguments - got "
                        f"({type(dim).__name__}), but expected one of:\n * ()\n * (Tensor other)"
                        "\n * (int dim, bool keepdim = False)\n")
    data = input._data
    dim = normalize_dim(dim, data.ndim)
    reject_complex(input, f"{name}(): does not support complex input")
    if not data.ndim:
        indices = np.zeros((), dtype=np.int64)
        values = data.copy()
    else:
        _empty_reduction_check(name, data, (dim,))
        # both propagate NaN: the value is NaN where the index is the first NaN's
        indices = pick(data, axis=dim, keepdims=keepdim)
        values = ufunc.reduce(data, axis=dim, keepdims=keepdim)
    indices = indices.astype(np.int64, copy=False)
    result = result_type(record_multi((values, indices), node_cls, (input,),
                                      (data.shape, dim, indices, keepdim), (True, False)))
    if out is not None:
        finish_out(result[0], out[0], name)
        finish_out(result[1], out[1], name)
        return result_type(out)
    return result


def max(input, dim=None, keepdim=False, *, out=None):
    """The maximum of all elements; with dim, (values, indices); with a tensor, maximum."""
    if dim is None:
        data = input._data
        kernel_missing(input, "max_all")
        _empty_reduction_check("max", data, None)
        return record(reduce(np.maximum, data, None, False), MaxBackward1, (input,),
                      (input, RESULT))
    if isinstance(dim, Tensor):
        # the binary form is the elementwise op (its own grad_fn), in its own family
        import ember
        return ember.maximum(input, dim, out=out)
    return _with_dim("max", input, dim, keepdim, np.argmax, np.maximum, MaxBackward0,
                     return_types.max, out)


def min(input, dim=None, keepdim=False, *, out=None):
    """The minimum of all elements; with dim, (values, indices); with a tensor, minimum."""
    if dim is None:
        data = input._data
        kernel_missing(input, "min_all")
        _empty_reduction_check("min", data, None)
        return record(reduce(np.minimum, data, None, False), MinBackward1, (input,),
                      (input, RESULT))
    if isinstance(dim, Tensor):
        # the binary form is the elementwise op (its own grad_fn), in its own family
        import ember
        return ember.minimum(input, dim, out=out)
    return _with_dim("min", input, dim, keepdim, np.argmin, np.minimum, MinBackward0,
                     return_types.min, out)


def _extreme_over(name, reducer, node_cls, input, dim, keepdim, out):
    data = input._data
    dims = reduction_dims(dim, data.ndim)
    kernel_missing(input, "max_values_cpu" if name == "amax" else "min_values_cpu")
    _empty_reduction_check(name, data, dims)
    array = reduce(reducer, data, dims, keepdim)
    result = record(array, node_cls, (input,), (input, RESULT, dims, keepdim))
    return finish_out(result, out, name)


def amax(input, dim=(), keepdim=False, *, out=None):
    """The maximum over dim (all dims when empty); ties share the gradient evenly."""
    return _extreme_over("amax", np.maximum, AmaxBackward0, input, dim, keepdim, out)


def amin(input, dim=(), keepdim=False, *, out=None):
    """The minimum over dim (all dims when empty); ties share the gradient evenly."""
    return _extreme_over("amin", np.minimum, AminBackward0, input, dim, keepdim, out)


def _aminmax_backward(grads, input, dims, keepdim, low, high):
    grad_min, grad_max = grads
    return (_amax_backward(grad_min, input, low, dims, keepdim)
            + _amax_backward(grad_max, input, high, dims, keepdim))


AminmaxBackward0 = node_class("AminmaxBackward0", _aminmax_backward, multi_output=True)


def aminmax(input, *, dim=None, keepdim=False):
    """(min, max) over all elements or one dim."""
    data = input._data
    dims = None if dim is None or not data.ndim else (normalize_dim(dim, data.ndim),)
    if dim is not None and not data.ndim:
        normalize_dim(dim, 0)
    kernel_missing(input, "aminmax_cpu")
    if data.size == 0:
        if dims is None:
            raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as "
                               "the operation has no identity.")
        for d in dims:
            if data.shape[d] == 0:
                raise IndexError(f"aminmax: Expected reduction dim {d} to have non-zero size.")
    low = reduce(np.minimum, data, dims, keepdim)
    high = reduce(np.maximum, data, dims, keepdim)
    outs = record_multi((low, high), AminmaxBackward0, (input,),
                        (input, dims, keepdim, _wrap(low.copy()), _wrap(high.copy())))
    return return_types.aminmax(outs)


def _arg_extreme(name, pick, input, dim, keepdim, out):
    data = input._data
    if data.dtype.kind == "b":
        raise RuntimeError(f"{name}(): does not support bool input")
    reject_complex(input, f"{name}(): does not support complex input")
    if dim is None:
        if data.size == 0:
            raise IndexError(f"{name}(): Expected reduction dim to be specified for "
                             "input.numel() == 0.")
        index = np.asarray(pick(data.reshape(-1)), dtype=np.int64)
        if keepdim:
            index = index.reshape((1,) * data.ndim)
        return finish_out(_wrap(index), out, name)
    dim = normalize_dim(dim, data.ndim)
    if not data.ndim:
        return finish_out(_wrap(np.zeros((), dtype=np.int64)), out, name)
    _empty_reduction_check(name, data, (dim,))
    index = np.asarray(pick(data, axis=dim, keepdims=keepdim)).astype(np.int64, copy=False)
    return finish_out(_wrap(index), out, name)


def argmax(input, dim=None, keepdim=False, *, out=None):
    """Index of the maximum (the first one among ties; NaN counts as the maximum)."""
    return _arg_extreme("argmax", np.argmax, input, dim, keepdim, out)


def argmin(input, dim=None, keepdim=False, *, out=None):
    """Index of the minimum (the first one among ties; NaN counts as the minimum)."""
    return _arg_extreme("argmin", np.argmin, input, dim, keepdim, out)


# ---- logsumexp, norm ----------------------------------------------------------------------------

def _logsumexp_backward(grad, input, result, dims, keepdim):
    kept = keep_reduced(result, dims, keepdim)
    return keep_reduced(grad, dims, keepdim) * conjugate(input - kept).exp()


LogsumexpBackward0 = node_class("LogsumexpBackward0", _logsumexp_backward)


def logsumexp(input, dim, keepdim=False, *, out=None):
    """log(sum(exp(input))) over dim, computed stably by shifting by the maximum."""
    if dim is None:
        raise TypeError("logsumexp(): argument 'dim' must be tuple of ints, not NoneType")
    data = input._data
    if data.dtype.kind in "biu":
        data = data.astype(_dtype.DEFAULT.numpy)
    dims = reduction_dims(dim, data.ndim)
    if not data.ndim:
        dims = None
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if data.size == 0:
            shift = np.zeros((), dtype=data.dtype)
        else:
            # complex inputs shift by the largest real part, as PyTorch does
            shift = np.maximum.reduce(data.real, axis=dims, keepdims=True)
            shift = np.where(np.isinf(shift), 0, shift).astype(data.dtype)
        total = np.add.reduce(np.exp(data - shift), axis=dims, keepdims=True)
        array = np.log(total) + shift
    if not keepdim:
        array = array.reshape(()) if dims is None else np.squeeze(array, axis=dims)
    array = np.asarray(array).astype(data.dtype, copy=False)
    result = record(array, LogsumexpBackward0, (input,), (input, RESULT, dims, keepdim))
    return finish_out(result, out, "logsumexp")


def norm(input, p="fro", dim=None, keepdim=False, out=None, dtype=None):
    """The p-norm of input over dim; 'fro' (the default) is the 2-norm of the entries."""
    # torch.norm forwards to the linalg norms (one place for their forwards and rules)
    from ember.ops.norms import matrix_norm, vector_norm
    if p is None:
        p = 2
    if p == "fro" and (dim is None or isinstance(dim, int) or len(dim) <= 2):
        result = vector_norm(input, 2, dim, keepdim, dtype=dtype)
    elif isinstance(p, str):
        result = matrix_norm(input, p, (-2, -1) if dim is None else dim, keepdim, dtype=dtype)
    else:
        result = vector_norm(input, p, dim, keepdim, dtype=dtype)
    return finish_out(result, out, "norm")


# ---- all, any, count_nonzero --------------------------------------------------------------------

def _logical_reduction(reducer, input, dim, keepdim, out):
    data = input._data
    if dim is None:
        dims = None
    elif isinstance(dim, int):
        dims = (normalize_dim(dim, data.ndim),) if data.ndim else None
    else:
        dims = normalize_dims(tuple(dim), data.ndim) if data.ndim else ()
    array = np.asarray(reducer(data, axis=dims, keepdims=keepdim))
    if data.dtype == np.uint8:
        array = array.astype(np.uint8)
    return finish_out(_wrap(array), out, reducer.__name__)


def all(input, dim=None, keepdim=False, *, out=None):
    """True where every element over dim is non-zero (uint8 in, uint8 out)."""
    return _logical_reduction(np.all, input, dim, keepdim, out)


def any(input, dim=None, keepdim=False, *, out=None):
    """True where some element over dim is non-zero (uint8 in, uint8 out)."""
    return _logical_reduction(np.any, input, dim, keepdim, out)


def count_nonzero(input, dim=None):
    """The number of non-zero elements over dim (int64)."""
    data = input._data
    dims = reduction_dims(dim, data.ndim)
    if not data.ndim:
        dims = None
    return _wrap(np.asarray(np.count_nonzero(data, axis=dims)).astype(np.int64, copy=False))


def sum_to_size(self, *sizes, size=None):
    """The sum of self down to `size`, a shape self expands from: leading dims summed away,
    dims of size 1 in `size` summed with keepdim (self itself when nothing is summed)."""
    if size is not None:
        sizes = (size,)
    if not sizes:
        raise TypeError('sum_to_size() missing 1 required positional arguments: "size"')
    target = parse_size("sum_to_size", sizes)
    shape = self._data.shape
    leading = len(shape) - len(target)
    expandable = leading >= 0 and builtins.all(
        extent in (1, shape[leading + position]) for position, extent in enumerate(target))
    if not expandable:
        raise RuntimeError(f"size {{{list(target)}}} is not expandable to size "
                           f"{{{list(shape)}}}.")
    dims = list(range(leading)) + [leading + position for position, extent
                                   in enumerate(target) if extent == 1
                                   and shape[leading + position] != 1]
    result = self.sum(dims, keepdim=True) if dims else self
    return result.view(target) if leading else result


method("sum_to_size", sum_to_size)

for _name in __all__:
    if _name not in ("std_mean", "var_mean"):
        method(_name, globals()[_name])
