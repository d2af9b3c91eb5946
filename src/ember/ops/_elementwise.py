"""Machinery shared by the elementwise families (pointwise, unary, comparison, bitwise):
out= handling, broadcasting errors, PyTorch's dtype-rejection messages, unary registration."""
import warnings

import numpy as np

from ember import _dtype
from ember._errors import argument_type_error, broadcast_mismatch, dtype_name
from ember._tensor import Tensor, _wrap
from ember.autograd.grad_mode import STATE
from ember.ops._registry import (RESULT, check_inplace, inplace_method, method, node_class,
                                 record, write_result)

__all__ = ["as_array", "finish", "found_dtype", "broadcasting", "not_implemented", "dtype_of",
           "unary", "zeros_rule", "zeros_of", "require_tensor", "kernel_error", "message_error",
           "reject_complex", "conjugate"]

_ndarray = np.ndarray
_asarray = np.asarray

# NumPy reports overflow, division by zero and invalid operations as RuntimeWarnings where
# PyTorch returns inf/nan silently. np.errstate costs more than a whole small op, so a filter
# scoped to ember's modules silences them instead (it costs nothing until a warning fires).
warnings.filterwarnings("ignore", r"(overflow|invalid value|divide by zero|underflow) "
                        r"encountered", RuntimeWarning, r"ember\.")


def as_array(value):
    """NumPy hands back a scalar for 0-d operands; tensors always hold an ndarray."""
    if type(value) is _ndarray:
        return value
    return _asarray(value)


def found_dtype(out_name, result_name):
    """The message of ops whose out= must have the result's dtype exactly (abs, floor...)."""
    return f"Found dtype {out_name} but expected {result_name}"


def finish(result, out, name, exact_dtype=None):
    """Honours an out= argument: writes `result` into `out` (resizing an out of another shape,
    as PyTorch does) and returns `out`. exact_dtype(out_name, result_name) words the error of
    ops that refuse an out of another dtype."""
    if out is None:
        return result
    if result._requires_grad and STATE.enabled:
        raise RuntimeError(f"{name}(): functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad.")
    if exact_dtype is not None and out._data.dtype != result._data.dtype:
        raise RuntimeError(exact_dtype(dtype_name(out.dtype), dtype_name(result.dtype)))
    if out._data.shape == result._data.shape:
        write_result(out, result._data)
        return out
    check_inplace(out)
    resized = _wrap(np.empty(result._data.shape, out._data.dtype))
    write_result(resized, result._data)
    if out._data.size:
        warnings.warn(
            f"An output with one or more elements was resized since it had shape "
            f"{list(out._data.shape)}, which does not match the required output shape "
            f"{list(result._data.shape)}. This behavior is deprecated, and in a future PyTorch "
            "release outputs will not be resized unless they have zero elements. You can "
            "explicitly reuse an out tensor t by resizing it, inplace, to zero elements with "
            "t.resize_(0).", UserWarning, stacklevel=3)
    out._data = resized._data
    out._storage = None
    out._bump_version()
    return out


def broadcasting(ufunc, a, b, **options):
    """ufunc(a, b) as an ndarray, with PyTorch's message when the shapes do not broadcast."""
    try:
        return as_array(ufunc(a, b, **options))
    except ValueError:
        raise broadcast_mismatch(np.shape(a), np.shape(b)) from None


def dtype_of(value):
    """The ember dtype of a tensor, or of a Python scalar standing alone."""
    if isinstance(value, Tensor):
        return _dtype.FROM_NUMPY[value._data.dtype]
    return _dtype.scalar_dtype(value)


def not_implemented(kernel, dtype):
    """PyTorch's error for a kernel that has no implementation for `dtype`."""
    return NotImplementedError(f'"{kernel}" not implemented for \'{dtype_name(dtype)}\'')


def require_tensor(name, value, position=2, argument="other"):
    """PyTorch's argument-parser error for a non-tensor where only a tensor is accepted."""
    if not isinstance(value, Tensor):
        raise argument_type_error(name, argument, position, "Tensor", value)


def zeros_of(tensor):
    """A constant zero tensor shaped and typed like `tensor` (no history)."""
    return _wrap(np.zeros_like(tensor._data))


def zeros_rule(grad, *saved):
    """The derivative of a piecewise-constant op (sign, floor, round...)."""
    return zeros_of(grad)


def conjugate(value):
    """A tensor's or a Python number's complex conjugate (itself when real). PyTorch's rule for
    a holomorphic op f passes grad * conj(f'(z)) to its input, so the derivative rules
    conjugate; the kind test keeps that free for real tensors."""
    if isinstance(value, Tensor):
        if value._data.dtype.kind == "c":
            return value.conj()
        return value
    return value.conjugate()


def reject_complex(numpy_dtype, kernel):
    """PyTorch's error for a binary op without a complex kernel."""
    if numpy_dtype.kind == "c":
        raise not_implemented(kernel, _dtype.FROM_NUMPY[numpy_dtype])


def kernel_error(kernel):
    """complex_error for an op whose complex kernel is missing under PyTorch's kernel name."""
    return lambda dtype: not_implemented(kernel, dtype)


def message_error(exception_type, message):
    """complex_error for an op that rejects complex input with a fixed message."""
    return lambda dtype: exception_type(message)


def _rejecting_complex(forward, complex_error):
    def checked(data):
        if data.dtype.kind == "c":
            raise complex_error(_dtype.FROM_NUMPY[data.dtype])
        return forward(data)
    return checked


def unary(name, forward, node_name, rule, saves="input", promote=True, kernel=None,
          rejects="", complex_error=None, has_method=True, has_inplace=True):
    """Registers a unary elementwise op as ember.<name>, Tensor.<name> and Tensor.<name>_.

    promote: integral and bool inputs compute in the default float dtype (sin, exp, sqrt...);
    otherwise the result keeps the input's dtype. rejects: the NumPy dtype kinds PyTorch has
    no kernel for, reported under PyTorch's kernel name. complex_error(dtype): the exception
    for complex input, where PyTorch rejects it."""
    node = node_class(node_name, rule)
    saves_result = saves == "result"
    kernel = kernel or name + "_cpu"
    if complex_error is not None:
        forward = _rejecting_complex(forward, complex_error)

    # The hot path (sin, exp... on a float tensor without grad) is a dtype test, the NumPy
    # call and a wrap; everything else is behind a branch.
    def function(input, *, out=None):
        data = input._data
        kind = data.dtype.kind
        if kind in rejects:
            raise not_implemented(kernel, _dtype.FROM_NUMPY[data.dtype])
        if promote and kind in "biu":
            data = data.astype(_dtype.DEFAULT.numpy)
        array = forward(data)
        if type(array) is not _ndarray:
            array = _asarray(array)
        if input._requires_grad:
            result = record(array, node, (input,), (RESULT,) if saves_result else (input,))
        else:
            result = _wrap(array)
        if out is None:
            return result
        return finish(result, out, name, None if promote else found_dtype)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"Elementwise {name}, as torch.{name}."
    if has_method:
        method(name, function)
    if has_inplace:
        inplace_method(name, function)
    return function
