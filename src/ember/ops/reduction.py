"""Reductions over dims: sum, mean, ..., with PyTorch's dim/keepdim/dtype conventions."""
import numpy as np

from ember import _dtype
from ember._errors import normalize_dims
from ember.ops._registry import method, node_class, record

__all__ = ["sum"]


def reduction_dims(dim, ndim):
    """A normalized tuple of dims to reduce, or None for all dims."""
    if dim is None:
        return None
    if isinstance(dim, int):
        dim = (dim,)
    elif len(dim) == 0:
        return None
    return normalize_dims(tuple(dim), ndim)


def expand_reduced(grad, input_shape, dims, keepdim):
    """Broadcasts a reduction's gradient back over the reduced dims of input_shape."""
    if dims is not None and not keepdim:
        for d in sorted(dims):
            grad = grad.unsqueeze(d)
    return grad.expand(input_shape)


def _sum_backward(grad, input_shape, dims, keepdim):
    return expand_reduced(grad, input_shape, dims, keepdim)


SumBackward0 = node_class("SumBackward0", lambda grad, input_shape: grad.expand(input_shape))
SumBackward1 = node_class("SumBackward1", _sum_backward)


def _sum_dtype(input, dtype):
    """Integral and bool inputs sum to int64 by default, as in PyTorch."""
    if dtype is not None:
        return _dtype.numpy_dtype(dtype)
    if input._data.dtype.kind in "biu":
        return np.dtype(np.int64)
    return None


def sum(input, dim=None, keepdim=False, *, dtype=None):
    """Sum over all elements, or over dim (an int or a tuple) keeping dims if keepdim."""
    data = input._data
    numpy_dtype = _sum_dtype(input, dtype)
    if dim is None:
        return record(np.sum(data, dtype=numpy_dtype), SumBackward0, (input,), (data.shape,))
    dims = reduction_dims(dim, data.ndim)
    array = np.sum(data, axis=dims, dtype=numpy_dtype, keepdims=keepdim)
    return record(np.asarray(array), SumBackward1, (input,), (data.shape, dims, keepdim))


method("sum", sum)
