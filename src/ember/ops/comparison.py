"""Comparisons, classification (isnan, isinf, ...), closeness and logical ops: every result is
a bool tensor (or a Python bool for allclose/equal); none is differentiable."""
import numpy as np

from ember import _dtype
from ember._errors import dtype_name
from ember._tensor import TENSOR_TYPES, Tensor, _wrap
from ember.ops._elementwise import (as_array, broadcasting, finish, reject_complex,
                                    require_tensor)
from ember.ops._registry import SCALAR_TYPES, binary_operands, inplace_method, method

__all__ = ["eq", "ne", "lt", "le", "gt", "ge", "greater", "greater_equal", "less", "less_equal",
           "not_equal", "isnan", "isinf", "isposinf", "isneginf", "isfinite", "isreal",
           "isclose", "allclose", "equal", "logical_and", "logical_or", "logical_xor",
           "logical_not"]


def _comparison(name, ufunc):
    ordering = name not in ("eq", "ne")

    def function(input, other, *, out=None):
        a, b, dtype = binary_operands(input, other)
        if ordering:
            reject_complex(dtype, name + "_cpu")
        result = _wrap(broadcasting(ufunc, a, b))
        return result if out is None else finish(result, out, name)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"Elementwise {name} comparison; returns a bool tensor."
    method(name, function)
    inplace_method(name, function)
    return function


eq = _comparison("eq", np.equal)
ne = _comparison("ne", np.not_equal)
lt = _comparison("lt", np.less)
le = _comparison("le", np.less_equal)
gt = _comparison("gt", np.greater)
ge = _comparison("ge", np.greater_equal)
not_equal, less, less_equal, greater, greater_equal = ne, lt, le, gt, ge
for _name, _function in (("not_equal", ne), ("less", lt), ("less_equal", le),
                         ("greater", gt), ("greater_equal", ge)):
    method(_name, _function)
    inplace_method(_name, _function)


def _comparison_operator(ufunc, function, compares_arrays=False):
    """A comparison operator; with compares_arrays, a numeric ndarray operand counts as a
    tensor (torch's == does so, its other comparison operators do not)."""
    def operator(self, other):
        if type(other) in TENSOR_TYPES:
            a = self._data
            b = other._data
            if a.dtype is b.dtype and a.dtype.kind != "c":
                return _wrap(broadcasting(ufunc, a, b))
        elif compares_arrays and type(other) is np.ndarray and other.dtype.kind in "biufc":
            other = _wrap(other)
        elif not isinstance(other, SCALAR_TYPES):
            # PyTorch answers False (or True for !=) to comparisons with None, strings...
            return NotImplemented
        return function(self, other)
    return operator


Tensor.__eq__ = _comparison_operator(np.equal, eq, compares_arrays=True)
Tensor.__ne__ = _comparison_operator(np.not_equal, ne)
Tensor.__lt__ = _comparison_operator(np.less, lt)
Tensor.__le__ = _comparison_operator(np.less_equal, le)
Tensor.__gt__ = _comparison_operator(np.greater, gt)
Tensor.__ge__ = _comparison_operator(np.greater_equal, ge)


# ---- classification ----------------------------------------------------------------------------

def _classifier(name, floating_test, integral_value):
    """Registers a bool-valued test; integral and bool tensors take the constant answer."""
    def function(input):
        data = input._data
        if data.dtype.kind in "fc":
            return _wrap(as_array(floating_test(data)))
        return _wrap(np.full(data.shape, integral_value))

    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"Elementwise {name}; returns a bool tensor."
    method(name, function)
    return function


isnan = _classifier("isnan", np.isnan, False)
isinf = _classifier("isinf", np.isinf, False)


def _real_only(name, test):
    def checked(data):
        if data.dtype.kind == "c":
            raise RuntimeError(f"{name} does not support complex inputs.")
        return test(data)
    return checked


isposinf = _classifier("isposinf", _real_only("isposinf", np.isposinf), False)
isneginf = _classifier("isneginf", _real_only("isneginf", np.isneginf), False)
isfinite = _classifier("isfinite", np.isfinite, True)
isreal = _classifier("isreal", lambda data: np.imag(data) == 0, True)


# ---- closeness ---------------------------------------------------------------------------------

def _check_same_dtype(input, other):
    if input._data.dtype != other._data.dtype:
        raise RuntimeError(f"{dtype_name(input.dtype)} did not match {dtype_name(other.dtype)}")


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """|input - other| <= atol + rtol * |other|, elementwise (nan equal to nan if equal_nan)."""
    require_tensor("isclose", other)
    _check_same_dtype(input, other)
    a = input._data
    b = other._data
    close = broadcasting(np.equal, a, b)
    if a.dtype.kind == "b":
        return _wrap(close)
    if a.dtype.kind in "iu":
        a = a.astype(_dtype.DEFAULT.numpy)
        b = b.astype(_dtype.DEFAULT.numpy)
    if equal_nan:
        close = close | (np.isnan(a) & np.isnan(b))
    allowed = atol + np.abs(rtol * b)
    actual = np.abs(a - b)
    close = close | (np.isfinite(actual) & (actual <= allowed))
    return _wrap(as_array(close))


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """True when every element of input is close to other's (see isclose)."""
    return bool(isclose(input, other, rtol, atol, equal_nan)._data.all())


def equal(input, other):
    """True when both tensors have the same shape and the same elements."""
    require_tensor("equal", other)
    if input._data.shape != other._data.shape:
        return False
    a, b, _ = binary_operands(input, other)
    return bool(np.array_equal(a, b))


method("isclose", isclose)
method("allclose", allclose)
method("equal", equal)


# ---- logical ops -------------------------------------------------------------------------------

def _logical(name, ufunc):
    def function(input, other, *, out=None):
        require_tensor(name, other)
        result = _wrap(broadcasting(ufunc, input._data, other._data))
        return result if out is None else finish(result, out, name)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"Elementwise {name} of the tensors' truth values; a bool tensor."
    method(name, function)
    inplace_method(name, function)
    return function


logical_and = _logical("logical_and", np.logical_and)
logical_or = _logical("logical_or", np.logical_or)
logical_xor = _logical("logical_xor", np.logical_xor)


def logical_not(input, *, out=None):
    """Elementwise not of the tensor's truth values; a bool tensor."""
    result = _wrap(as_array(np.logical_not(input._data)))
    return result if out is None else finish(result, out, "logical_not")


method("logical_not", logical_not)
inplace_method("logical_not", logical_not)
