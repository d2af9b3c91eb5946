"""Selecting by mask and searching: masked_fill, masked_scatter, masked_select, nonzero,
argwhere, searchsorted, bucketize."""
import warnings

import numpy as np

from ember._errors import broadcast_mismatch, dtype_name
from ember._tensor import Tensor, _wrap
from ember.ops._registry import method, node_class, record
from ember.ops.joining import finish_out
from ember.ops.scatter_gather import inplace_variant, mask_not

__all__ = ["masked_fill", "masked_scatter", "masked_select", "nonzero", "argwhere",
           "searchsorted", "bucketize"]

# how PyTorch's masked_fill error names a mask's dtype (its C++ type names)
_CPP_TYPE_NAMES = {
    "uint8": "unsigned char", "int8": "signed char", "int16": "short int", "int32": "int",
    "int64": "long int", "float16": "c10::Half", "bfloat16": "c10::BFloat16",
    "float32": "float", "float64": "double", "complex64": "c10::complex<float>",
    "complex128": "c10::complex<double>",
}


def _broadcast(mask_shape, input_shape):
    try:
        return np.broadcast_shapes(mask_shape, input_shape)
    except ValueError:
        raise broadcast_mismatch(mask_shape, input_shape) from None


def _check_output_shape(shape, input_shape):
    """An in-place op cannot grow its target to the broadcast shape."""
    if shape != input_shape:
        raise RuntimeError(f"output with shape {list(input_shape)} doesn't match the broadcast "
                           f"shape {list(shape)}")


# ---- masked_fill ------------------------------------------------------------------------------

MaskedFillBackward0 = node_class("MaskedFillBackward0",
                                 lambda grad, mask: grad.masked_fill(mask, 0))
MaskedFillBackward1 = node_class(
    "MaskedFillBackward1", lambda grad, mask: grad.masked_fill(mask, 0),
    lambda grad, mask: grad.masked_fill(mask_not(mask), 0).sum())


def _masked_fill_checks(mask, value):
    if isinstance(value, Tensor) and value._data.ndim:
        raise RuntimeError(f"masked_fill_ only supports a 0-dimensional value tensor, but got "
                           f"tensor with {value._data.ndim} dimension(s).")
    if mask._data.dtype.kind != "b":
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype "
                           f"{_CPP_TYPE_NAMES[mask.dtype._name]}")


def _apply_masked_fill(input, target, mask, value):
    data = input._data
    flags = mask._data
    if target is None:
        # raises PyTorch's error when mask and input do not broadcast
        _broadcast(flags.shape, data.shape)
        _masked_fill_checks(mask, value)
    else:
        _masked_fill_checks(mask, value)
        _check_output_shape(_broadcast(flags.shape, data.shape), data.shape)
    fill = np.asarray(value._data if isinstance(value, Tensor) else value).astype(data.dtype)
    if target is None:
        target = np.where(flags, fill, data)
        if not target.flags.c_contiguous:
            # PyTorch's result is contiguous whatever the input's layout
            target = target.copy()
    else:
        np.copyto(target, fill, where=flags)
    if isinstance(value, Tensor):
        return target, MaskedFillBackward1, (input, value), (mask,)
    return target, MaskedFillBackward0, (input,), (mask,)


def masked_fill(input, mask, value):
    """A copy of input (broadcast with mask) with value where mask is True."""
    return record(*_apply_masked_fill(input, None, mask, value))


# ---- masked_scatter and masked_select ---------------------------------------------------------

def _masked_scatter_source_backward(grad, mask, source_shape):
    from ember.ops.creation import zeros
    from ember.ops.joining import cat
    selected = grad.masked_select(mask)
    missing = int(np.prod(source_shape)) - selected._data.size
    if missing > 0:
        selected = cat([selected, zeros(missing, dtype=grad.dtype)])
    return selected.reshape(source_shape)


MaskedScatterBackward0 = node_class(
    "MaskedScatterBackward0", lambda grad, mask, source_shape: grad.masked_fill(mask, 0),
    _masked_scatter_source_backward)


def _apply_masked_scatter(input, target, mask, source):
    data = input._data
    flags = mask._data
    shape = _broadcast(flags.shape, data.shape) if target is None else data.shape
    if source._data.dtype != data.dtype:
        raise RuntimeError(f"masked_scatter: expected self and source to have same dtypes but "
                           f"got{dtype_name(input.dtype)} and {dtype_name(source.dtype)}")
    if flags.dtype == np.uint8:
        warnings.warn("masked_scatter_ received a mask with dtype torch.uint8, this behavior is "
                      "now deprecated,please use a mask with dtype torch.bool instead.",
                      UserWarning, stacklevel=3)
    if flags.dtype.kind != "b":
        raise RuntimeError(f"masked_scatter_ only supports boolean masks, but got mask with "
                           f"dtype {dtype_name(mask.dtype)}")
    if target is not None:
        flags = mask.expand(shape)._data
    flags = np.broadcast_to(flags, shape)
    count = int(np.count_nonzero(flags))
    if source._data.size < count:
        raise RuntimeError("Number of elements of source < number of ones in mask")
    if target is None:
        target = np.array(np.broadcast_to(data, shape), order="C")
    target[flags] = source._data.reshape(-1)[:count]
    return target, MaskedScatterBackward0, (input, source), (mask, source._data.shape)


def masked_scatter(input, mask, source):
    """A copy of input (broadcast with mask) where the True positions of mask receive
    source's elements in order."""
    return record(*_apply_masked_scatter(input, None, mask, source))


def _masked_select_backward(grad, mask, shape):
    from ember.ops.creation import zeros
    return zeros(shape, dtype=grad.dtype).masked_scatter(mask, grad)


MaskedSelectBackward0 = node_class("MaskedSelectBackward0", _masked_select_backward)


def masked_select(input, mask, *, out=None):
    """The elements of input (broadcast with mask) where mask is True, as a 1-d tensor."""
    data = input._data
    flags = mask._data
    if flags.dtype.kind != "b":
        raise RuntimeError("masked_select: expected BoolTensor for mask")
    shape = _broadcast(flags.shape, data.shape)
    array = np.broadcast_to(data, shape)[np.broadcast_to(flags, shape)]
    result = record(array, MaskedSelectBackward0, (input,), (mask, shape))
    return finish_out(result, out, "masked_select")


# ---- nonzero and argwhere ---------------------------------------------------------------------

def _nonzero_rows(data):
    """The coordinates of non-zero elements as an (ndim, count) int64 array; a 0-d input
    counts as one dim for as_tuple, as PyTorch does."""
    return np.array(np.nonzero(data), dtype=np.int64).reshape(data.ndim, -1)


def nonzero(input, *, out=None, as_tuple=False):
    """Indices of non-zero elements: an (n, ndim) tensor, or one 1-d tensor per dim."""
    data = input._data
    if as_tuple:
        rows = _nonzero_rows(np.atleast_1d(data))
        return tuple(_wrap(row) for row in rows)
    if data.ndim == 0:
        array = np.zeros((int(data != 0), 0), dtype=np.int64)
    else:
        # PyTorch lays the (n, ndim) result out dim-major: strides (1, n)
        array = _nonzero_rows(data).T
    return finish_out(_wrap(array), out, "nonzero")


def argwhere(input):
    """Indices of non-zero elements as an (n, ndim) tensor."""
    return nonzero(input)


# ---- searchsorted and bucketize ---------------------------------------------------------------

def _search_side(right, side):
    if side is None:
        return "right" if right else "left"
    if side not in ("left", "right"):
        raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but got "
                           f"{side}")
    if right and side == "left":
        raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites, "
                           "got side of left while right was True")
    return side


def _rowwise_search(boundaries, values, side):
    """searchsorted of each row of values in the same row of boundaries, in one call: every
    value is replaced by its rank among all values, offset by its row, so rows never mix."""
    rows = int(np.prod(boundaries.shape[:-1]))
    width = boundaries.shape[-1]
    flat_boundaries = boundaries.reshape(rows, width)
    flat_values = values.reshape(rows, -1)
    _, ranks = np.unique(np.concatenate([flat_boundaries.reshape(-1), flat_values.reshape(-1)]),
                         return_inverse=True)
    stride = ranks.max(initial=0) + 1
    boundary_keys = ranks[:flat_boundaries.size].reshape(rows, width)
    value_keys = ranks[flat_boundaries.size:].reshape(flat_values.shape)
    offsets = np.arange(rows)[:, None] * stride
    found = np.searchsorted((boundary_keys + offsets).reshape(-1),
                            (value_keys + offsets).reshape(-1), side=side)
    return (found.reshape(flat_values.shape) - np.arange(rows)[:, None] * width).reshape(
        values.shape)


def _check_sorter(sorter, boundaries):
    if sorter._data.dtype != np.int64:
        raise RuntimeError(f"torch.searchsorted(): sorter must be a tensor of long dtype but got "
                           f"dtype {dtype_name(sorter.dtype)}")
    if sorter._data.shape != boundaries.shape:
        raise RuntimeError(
            "torch.searchsorted(): boundary and sorter must have the same size, but got "
            f"boundary tensor {list(boundaries.shape)}and got sorter tensor "
            f"{list(sorter._data.shape)}")
    width = boundaries.shape[-1]
    if sorter._data.size and (sorter._data.min() < 0 or sorter._data.max() >= width):
        raise RuntimeError("torch.searchsorted(): sorter index out of range")
    return np.take_along_axis(boundaries, sorter._data, axis=-1)


def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None,
                 out=None, sorter=None):
    """Indices where the values of input would be inserted into the innermost dim of
    sorted_sequence to keep it sorted."""
    boundaries = sorted_sequence._data
    side = _search_side(right, side)
    scalar = not isinstance(input, Tensor)
    values = np.asarray(input) if scalar else input._data
    if boundaries.ndim == 0:
        raise RuntimeError("torch.searchsorted(): boundaries tensor should have positive "
                           "dimension, but got 0 dimension")
    if boundaries.ndim != 1 and (scalar or boundaries.shape[:-1] != values.shape[:-1]):
        raise RuntimeError(
            "torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
            "dimensions of boundaries tensor and input value tensor must match, but we got "
            f"boundaries tensor {list(boundaries.shape)} and input value tensor "
            f"{list(values.shape)}")
    if sorter is not None:
        boundaries = _check_sorter(sorter, boundaries)
    if boundaries.ndim == 1:
        found = np.searchsorted(boundaries, values, side=side)
    else:
        found = _rowwise_search(boundaries, values, side)
    if values.dtype.kind == "f" and boundaries.size:
        # PyTorch's binary search never stops at a NaN value: it lands past the end
        found = np.where(np.isnan(values), boundaries.shape[-1], found)
    index_dtype = np.int32 if out_int32 else np.int64
    result = _wrap(np.asarray(found, dtype=index_dtype))
    return finish_out(result, out, "searchsorted")


def bucketize(input, boundaries, *, out_int32=False, right=False, out=None):
    """The bucket of each value of input among the 1-d sorted boundaries."""
    if boundaries._data.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim("
                           f"{boundaries._data.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right, out=out)


for _name, _function, _apply in (("masked_fill", masked_fill, _apply_masked_fill),
                                 ("masked_scatter", masked_scatter, _apply_masked_scatter)):
    method(_name, _function)
    inplace_variant(_name, _function, _apply)

for _name, _function in (("masked_select", masked_select), ("nonzero", nonzero),
                         ("argwhere", argwhere)):
    method(_name, _function)

