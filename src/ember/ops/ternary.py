"""Elementwise ops of three operands: where, clamp/clip (and clamp_min/clamp_max), lerp,
addcmul, addcdiv. Forwards in NumPy, derivatives in ember ops, side by side."""
import numpy as np

from ember import _dtype
from ember._errors import broadcast_mismatch, dtype_name
from ember._tensor import Tensor, _wrap
from ember.ops._elementwise import (as_array, conjugate, dtype_of, finish, found_dtype,
                                    not_implemented)
from ember.ops._registry import inplace_method, method, node_class, record
from ember.ops.creation import checked_fill

__all__ = ["where", "clamp", "clip", "clamp_min", "clamp_max", "lerp", "addcmul", "addcdiv"]


_HALF_KINDS = ("float16", "bfloat16")


def _data(value, numpy_dtype, half_overflows_to_inf=False):
    """A tensor's or scalar's values in `numpy_dtype`. A scalar that does not fit the dtype
    raises PyTorch's overflow error (a negative int still wraps into an unsigned type);
    where() alone takes a scalar into half precision as a float, overflowing to inf."""
    if isinstance(value, Tensor):
        data = value._data
        return data if data.dtype is numpy_dtype else data.astype(numpy_dtype)
    if isinstance(value, int) and not isinstance(value, bool) and \
            not -2 ** 63 <= value < 2 ** 63:
        raise OverflowError("int too big to convert")
    dtype = _dtype.FROM_NUMPY[numpy_dtype]
    if not (half_overflows_to_inf and dtype._name in _HALF_KINDS):
        checked_fill(value, dtype)
    with np.errstate(over="ignore"):
        return np.array(value).astype(numpy_dtype)


def _check_broadcast(*values):
    """PyTorch's message for the first pair of operands whose shapes do not broadcast."""
    shape = ()
    for value in values:
        if isinstance(value, Tensor):
            try:
                shape = np.broadcast_shapes(shape, value._data.shape)
            except ValueError:
                raise broadcast_mismatch(shape, value._data.shape) from None


def _result_dtype(*values):
    return _dtype.numpy_dtype(_dtype.promote_operands(values))


# ---- where -------------------------------------------------------------------------------------

WhereBackward0 = node_class(
    "WhereBackward0", None,
    lambda grad, condition: where(condition, grad, 0.0),
    lambda grad, condition: where(condition, 0.0, grad))


def where(condition, input=None, other=None, *, out=None):
    """input where condition holds, other elsewhere (either may be a number); with only a
    condition, the indices of its nonzero elements as a tuple of tensors."""
    if input is None and other is None:
        return tuple(_wrap(index.astype(np.int64)) for index in np.nonzero(condition._data))
    if condition._data.dtype.kind != "b":
        raise RuntimeError("where expected condition to be a boolean tensor, but got a tensor "
                           f"with dtype {dtype_name(condition.dtype)}")
    _check_broadcast(condition, input, other)
    numpy_dtype = _result_dtype(input, other)
    array = as_array(np.where(condition._data, _data(input, numpy_dtype, True),
                              _data(other, numpy_dtype, True)))
    result = record(array, WhereBackward0, (condition, input, other), (condition,))
    return result if out is None else finish(result, out, "where", _where_out_dtype)


def _where_out_dtype(out_name, result_name):
    return f"Expected out type to be {result_name} but got {out_name}"


method("where", lambda self, condition, other: where(condition, self, other))


# ---- clamp -------------------------------------------------------------------------------------

def _within(input, min, max):
    if min is None:
        return input <= max
    if max is None:
        return input >= min
    return (input >= min).logical_and(input <= max)


def _clamp_min_backward(grad, input, min, max):
    if max is None:
        return where(input < min, grad, 0.0)
    return where((input < min).logical_and(min < max), grad, 0.0)


def _clamp_max_backward(grad, input, min, max):
    if min is None:
        return where(input > max, grad, 0.0)
    return where((input > max).logical_or(max < min), grad, 0.0)


ClampBackward0 = node_class(
    "ClampBackward0",
    lambda grad, input, min, max: where(_within(input, min, max), grad, 0.0),
    _clamp_min_backward, _clamp_max_backward)
ClampBackward1 = node_class(
    "ClampBackward1",
    lambda grad, input, min, max: where(_within(input, min, max), grad, 0.0))
ClampMinBackward0 = node_class("ClampMinBackward0",
                               lambda grad, input, min: where(input >= min, grad, 0.0))
ClampMinBackward1 = node_class("ClampMinBackward1",
                               lambda grad, input, min: where(input >= min, grad, 0.0),
                               lambda grad, input, min: where(input < min, grad, 0.0))
ClampMaxBackward0 = node_class("ClampMaxBackward0",
                               lambda grad, input, max: where(input <= max, grad, 0.0))
ClampMaxBackward1 = node_class("ClampMaxBackward1",
                               lambda grad, input, max: where(input <= max, grad, 0.0),
                               lambda grad, input, max: where(input > max, grad, 0.0))


def _clamp_forward(input, min, max, complex_kernel=None):
    numpy_dtype = _result_dtype(*(v for v in (input, min, max) if v is not None))
    if numpy_dtype.kind == "c":
        if complex_kernel is not None:
            raise not_implemented(complex_kernel, _dtype.FROM_NUMPY[numpy_dtype])
        raise NotImplementedError("clamp is not supported for complex types")
    array = _data(input, numpy_dtype)
    # maximum then minimum: nan propagates from any operand, and min > max gives max
    if min is not None:
        array = np.maximum(array, _data(min, numpy_dtype))
    if max is not None:
        array = np.minimum(array, _data(max, numpy_dtype))
    if array is input._data:
        array = array.copy()
    return as_array(array)


def _type_word(value):
    return "Tensor" if isinstance(value, Tensor) else type(value).__name__


def clamp(input, min=None, max=None, *, out=None):
    """Limits input to [min, max]; each bound may be a number, a tensor or None."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    tensor_bounds = [isinstance(v, Tensor) for v in (min, max) if v is not None]
    if any(tensor_bounds) and not all(tensor_bounds):
        raise TypeError(
            "clamp() received an invalid combination of arguments - got "
            f"({', '.join(_type_word(v) for v in (input, min, max))}), but expected one of:\n"
            " * (Tensor input, Tensor min = None, Tensor max = None, *, Tensor out = None)\n"
            " * (Tensor input, Number min = None, Number max = None, *, Tensor out = None)\n")
    _check_broadcast(input, min, max)
    if input._data.dtype.kind == "b" and min is not None and max is not None:
        if all(tensor_bounds) or dtype_of(min) is dtype_of(max) is _dtype.bool:
            raise not_implemented("clamp_cpu", _dtype.bool)
    array = _clamp_forward(input, min, max)
    if any(tensor_bounds):
        result = record(array, ClampBackward0, (input, min, max), (input, min, max))
        return result if out is None else finish(result, out, "clamp")
    result = record(array, ClampBackward1, (input,), (input, min, max))
    return result if out is None else finish(result, out, "clamp", found_dtype)


clip = clamp


def clamp_min(input, min, *, out=None):
    """Limits input from below."""
    _check_broadcast(input, min)
    # with a tensor bound PyTorch computes maximum, and rejects complex under its kernel name
    tensor_bound = isinstance(min, Tensor)
    array = _clamp_forward(input, min, None, "maximum_cpu" if tensor_bound else None)
    if tensor_bound:
        result = record(array, ClampMinBackward1, (input, min), (input, min))
        return result if out is None else finish(result, out, "clamp_min")
    result = record(array, ClampMinBackward0, (input, min), (input, min))
    return result if out is None else finish(result, out, "clamp_min", found_dtype)


def clamp_max(input, max, *, out=None):
    """Limits input from above."""
    _check_broadcast(input, max)
    tensor_bound = isinstance(max, Tensor)
    array = _clamp_forward(input, None, max, "minimum_cpu" if tensor_bound else None)
    if tensor_bound:
        result = record(array, ClampMaxBackward1, (input, max), (input, max))
        return result if out is None else finish(result, out, "clamp_max")
    result = record(array, ClampMaxBackward0, (input, max), (input, max))
    return result if out is None else finish(result, out, "clamp_max", found_dtype)


# ---- lerp, addcmul, addcdiv -------------------------------------------------------------------

_CPP_TYPE_NAMES = {
    "bool": "bool", "uint8": "unsigned char", "int8": "signed char", "int16": "short int",
    "int32": "int", "int64": "long int", "float16": "c10::Half", "bfloat16": "c10::BFloat16",
    "float32": "float", "float64": "double", "complex64": "c10::complex<float>",
    "complex128": "c10::complex<double>",
}


def _check_lerp_dtype(input, value, name):
    if isinstance(value, Tensor) and value._data.dtype != input._data.dtype:
        raise RuntimeError(
            f"expected dtype {_CPP_TYPE_NAMES[input.dtype._name]} for `{name}` but got dtype "
            f"{_CPP_TYPE_NAMES[value.dtype._name]}")


# Complex rules multiply by the conjugate derivative, as PyTorch's do.
LerpBackward0 = node_class("LerpBackward0",
                           lambda grad, input, end, weight: grad * (1 - conjugate(weight)),
                           lambda grad, input, end, weight: grad * conjugate(weight))
LerpBackward1 = node_class("LerpBackward1",
                           lambda grad, input, end, weight: grad * conjugate(1 - weight),
                           lambda grad, input, end, weight: grad * conjugate(weight),
                           lambda grad, input, end, weight: grad * conjugate(end - input))


def lerp(input, end, weight, *, out=None):
    """input + weight * (end - input), computed from the nearer end for accuracy."""
    if input._data.dtype.kind in "biu":
        kernel = "lerp_kernel_tensor" if isinstance(weight, Tensor) else "lerp_kernel_scalar"
        raise not_implemented(kernel, input.dtype)
    _check_lerp_dtype(input, end, "end")
    _check_lerp_dtype(input, weight, "weight")
    _check_broadcast(input, end, weight)
    start = input._data
    stop = end._data
    numpy_dtype = start.dtype
    weights = _data(weight, numpy_dtype)
    difference = stop - start
    # PyTorch's formula: from the start below weight 0.5, from the end above it
    array = as_array(np.where(np.abs(weights) < 0.5, start + weights * difference,
                              stop - difference * (1 - weights)))
    node = LerpBackward1 if isinstance(weight, Tensor) else LerpBackward0
    result = record(array, node, (input, end, weight), (input, end, weight))
    return result if out is None else finish(result, out, "lerp")


AddcmulBackward0 = node_class(
    "AddcmulBackward0", lambda grad, tensor1, tensor2, value: grad,
    lambda grad, tensor1, tensor2, value: grad * conjugate(tensor2) * conjugate(value),
    lambda grad, tensor1, tensor2, value: grad * conjugate(tensor1) * conjugate(value))
AddcdivBackward0 = node_class(
    "AddcdivBackward0", lambda grad, tensor1, tensor2, value: grad,
    lambda grad, tensor1, tensor2, value: grad * conjugate(value) / conjugate(tensor2),
    lambda grad, tensor1, tensor2, value: (-grad * conjugate(value) * conjugate(tensor1)
                                           / conjugate(tensor2 * tensor2)))


def addcmul(input, tensor1, tensor2, *, value=1, out=None):
    """input + value * tensor1 * tensor2."""
    _check_broadcast(input, tensor1, tensor2)
    numpy_dtype = _result_dtype(input, tensor1, tensor2)
    if numpy_dtype.kind == "b":
        raise not_implemented("addcmul_cpu_out", _dtype.bool)
    scale = _data(value, numpy_dtype)
    array = as_array(_data(input, numpy_dtype)
                     + scale * _data(tensor1, numpy_dtype) * _data(tensor2, numpy_dtype))
    result = record(array, AddcmulBackward0, (input, tensor1, tensor2),
                    (tensor1, tensor2, value))
    return result if out is None else finish(result, out, "addcmul")


_ADDCDIV_INTEGER = (
    "Integer division with addcdiv is no longer supported, and in a future  release addcdiv "
    "will perform a true division of tensor1 and tensor2. The historic addcdiv behavior can "
    "be implemented as (input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for "
    "integer inputs and as (input + value * tensor1 / tensor2) for float inputs. The future "
    "addcdiv behavior is just the latter implementation: (input + value * tensor1 / tensor2), "
    "for all dtypes.")


def addcdiv(input, tensor1, tensor2, *, value=1, out=None):
    """input + value * tensor1 / tensor2."""
    if tensor1._data.dtype.kind in "biu" and tensor2._data.dtype.kind in "biu":
        raise RuntimeError(_ADDCDIV_INTEGER)
    _check_broadcast(input, tensor1, tensor2)
    numpy_dtype = _result_dtype(input, tensor1, tensor2)
    scale = _data(value, numpy_dtype)
    array = as_array(_data(input, numpy_dtype)
                     + scale * (_data(tensor1, numpy_dtype) / _data(tensor2, numpy_dtype)))
    result = record(array, AddcdivBackward0, (input, tensor1, tensor2),
                    (tensor1, tensor2, value))
    return result if out is None else finish(result, out, "addcdiv")


for _name, _function in (("clamp", clamp), ("clip", clamp), ("clamp_min", clamp_min),
                         ("clamp_max", clamp_max), ("lerp", lerp), ("addcmul", addcmul),
                         ("addcdiv", addcdiv)):
    method(_name, _function)
    inplace_method(_name, _function)
