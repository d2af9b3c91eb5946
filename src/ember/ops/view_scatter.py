"""The *_scatter ops: a copy of input with src written where a view (select, slice,
diagonal) of it would be. The view ops themselves locate the region and raise PyTorch's
errors for bad dims and indices."""
import numpy as np

from ember._tensor import _wrap
from ember.autograd.grad_mode import no_grad
from ember.ops._registry import method, node_class, record

__all__ = ["select_scatter", "slice_scatter", "diagonal_scatter"]


def _zeros(shape, like):
    from ember.ops.creation import zeros
    return zeros(shape, dtype=like.dtype)


def _slice_key(dim, start, end, step):
    return (slice(None),) * dim + (slice(start, end, step),)


def _scatter_into_view(input, src, region_of, node_cls, saved):
    """A copy of input (its layout kept) with src copied into region_of(copy)."""
    result = _wrap(input._data.copy(order="K"))
    with no_grad():
        region = region_of(result)
    if region._data.shape != src._data.shape:
        raise RuntimeError(
            f"expected src to have a size equal to the slice of self. src size = "
            f"{list(src._data.shape)}, slice size = {list(region._data.shape)}")
    np.copyto(region._data, src._data, casting="unsafe")
    return record(result._data, node_cls, (input, src), saved + (src._data.shape,))


SelectScatterBackward0 = node_class(
    "SelectScatterBackward0",
    lambda grad, dim, index, src_shape: grad.select_scatter(_zeros(src_shape, grad), dim, index),
    lambda grad, dim, index, src_shape: grad.select(dim, index))


def select_scatter(input, src, dim, index):
    """A copy of input with src written at index along dim (where select() would look)."""
    return _scatter_into_view(input, src, lambda t: t.select(dim, index),
                              SelectScatterBackward0, (dim, index))


def _slice_input_backward(grad, dim, start, end, step, src_shape):
    return grad.slice_scatter(_zeros(src_shape, grad), dim, start, end, step)


SliceScatterBackward0 = node_class(
    "SliceScatterBackward0", _slice_input_backward,
    lambda grad, dim, start, end, step, src_shape: grad[_slice_key(dim, start, end, step)])


def slice_scatter(input, src, dim=0, start=None, end=None, step=1):
    """A copy of input with src written into the slice start:end:step along dim."""
    from ember._errors import normalize_dim
    dim = normalize_dim(dim, input._data.ndim)
    if step <= 0:
        raise RuntimeError("slice step must be positive")
    return _scatter_into_view(input, src, lambda t: t[_slice_key(dim, start, end, step)],
                              SliceScatterBackward0, (dim, start, end, step))


def _diagonal_input_backward(grad, offset, dim1, dim2, src_shape):
    return grad.diagonal_scatter(_zeros(src_shape, grad), offset, dim1, dim2)


DiagonalScatterBackward0 = node_class(
    "DiagonalScatterBackward0", _diagonal_input_backward,
    lambda grad, offset, dim1, dim2, src_shape: grad.diagonal(offset, dim1, dim2))


def diagonal_scatter(input, src, offset=0, dim1=0, dim2=1):
    """A copy of input with src written onto the diagonal that diagonal() would return."""
    return _scatter_into_view(input, src, lambda t: t.diagonal(offset, dim1, dim2),
                              DiagonalScatterBackward0, (offset, dim1, dim2))


for _name, _function in (("select_scatter", select_scatter), ("slice_scatter", slice_scatter),
                         ("diagonal_scatter", diagonal_scatter)):
    method(_name, _function)
