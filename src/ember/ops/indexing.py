"""Indexing: x[idx] and x[idx] = value, as PyTorch's applySlicing does it.

An index is read left to right: ints select, slices slice, None and Python bools unsqueeze,
Ellipsis skips dims; these basic steps give views with PyTorch's grad_fn chain. Tensor and
list indices are then applied together as NumPy advanced indexing on the basic view (NumPy's
result-shape rules are PyTorch's once ints have been selected away), giving a copy.
"""
import collections.abc
import warnings

import numpy as np

from ember import _dtype
from ember._errors import argument_type_error, dtype_name
from ember._tensor import Tensor, _wrap
from ember.autograd.grad_mode import STATE
from ember.ops._registry import (_history_alias, check_flagged_inplace, check_inplace, method,
                                 node_class, record, set_history, sum_to_shape)
from ember.ops.joining import tensor_sequence
from ember.ops.views import (alias, apply_view, element_strides, note_view_creation, restrided,
                             unsqueeze)
from ember.ops.views_slicing import SelectBackward0, SliceBackward0, _select_fn, _slice_fn

__all__ = ["index_put", "index_put_", "unravel_index"]

_SELECT = 0
_SLICE = 1
_UNSQUEEZE = 2

_BAD_INDEX = ("only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables "
              "are valid indices (got {})")
_INDEX_DTYPE = "tensors used as indices must be long, int, byte or bool tensors"


# ---- parsing an index into basic steps and advanced indices ---------------------------------

def _unsqueeze_fn(dim):
    def unsqueeze_view(array):
        strides = list(element_strides(array))
        inserted = array.shape[dim] * strides[dim] if dim < array.ndim else 1
        strides.insert(dim, inserted)
        return restrided(array, array.shape[:dim] + (1,) + array.shape[dim:], strides)
    return unsqueeze_view


def _out_of_bounds(index, dim, size):
    return IndexError(f"index {index} is out of bounds for dimension {dim} with size {size}")


def _consumed_dims(item):
    if item is None or item is Ellipsis or isinstance(item, bool):
        return 0
    if isinstance(item, Tensor):
        data = item._data
        return data.ndim if data.dtype.kind == "b" or data.dtype == np.uint8 else 1
    return 1


def _index_array(item):
    """A tensor or list index as an ndarray, with PyTorch's dtype check."""
    if isinstance(item, Tensor):
        data = item._data
    else:
        data = np.asarray(item)
        if data.dtype.kind == "f" and data.size == 0:
            data = data.astype(np.int64)
    kind = data.dtype.kind
    if kind == "b" or data.dtype == np.uint8:
        if kind == "u":
            warnings.warn("indexing with dtype torch.uint8 is now deprecated, please use a dtype "
                          "torch.bool instead.", UserWarning, stacklevel=4)
            data = data.astype(bool)
        return data
    if data.dtype not in (np.int64, np.int32):
        raise IndexError(_INDEX_DTYPE)
    return data


def _parse(shape, index, single):
    """Splits `index` for a tensor of `shape` into basic steps [(kind, dim, view_fn, arg)] and
    advanced indices {dim: ndarray}, checking bounds with PyTorch's errors."""
    items = index if isinstance(index, tuple) else (index,)
    shape = list(shape)
    ndim = len(shape)
    specified = 0
    for item in items:
        specified += _consumed_dims(item)
    if specified > ndim:
        if not ndim and isinstance(items[0], (int, np.integer)) and \
                not isinstance(items[0], bool):
            raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                             "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a "
                             "number")
        raise IndexError(f"too many indices for tensor of dimension {ndim}")
    steps = []
    advanced = {}
    dim = 0
    for position, item in enumerate(items):
        if item is None:
            steps.append((_UNSQUEEZE, dim, _unsqueeze_fn(dim), None))
            shape.insert(dim, 1)
            dim += 1
        elif item is Ellipsis:
            dim += ndim - specified
        elif isinstance(item, bool):
            steps.append((_UNSQUEEZE, dim, _unsqueeze_fn(dim), None))
            shape.insert(dim, 1)
            advanced[dim] = np.zeros(1 if item else 0, dtype=np.int64)
            dim += 1
        elif isinstance(item, slice):
            dim = _parse_slice(item, shape, dim, steps, single)
        elif isinstance(item, (int, np.integer)):
            _parse_select(int(item), shape, dim, steps, position)
        elif isinstance(item, Tensor) and item._data.ndim == 0 and item._data.dtype.kind in "iu" \
                and item._data.dtype != np.uint8:
            _parse_select(int(item._data), shape, dim, steps, position)
        elif isinstance(item, (Tensor, list, tuple, np.ndarray, range)):
            # a range is a sequence of ints, as a list is (x[range(n), target] in tutorials)
            dim = _parse_array(_index_array(item), shape, dim, steps, advanced)
        else:
            raise IndexError(_BAD_INDEX.format(type(item).__name__))
    _check_advanced_bounds(advanced, shape)
    return steps, advanced, shape


def _check_advanced_bounds(advanced, shape):
    """PyTorch checks index tensors in its index kernel, after every int and slice was applied,
    and names the dimension by the index tensor's rank among the advanced indices."""
    for ordinal, dim in enumerate(sorted(advanced)):
        array = advanced[dim]
        size = shape[dim]
        if array.size:
            bad = (array < -size) | (array >= size)
            if bad.any():
                raise _out_of_bounds(int(array[bad].flat[0]), ordinal, size)


def _parse_select(index, shape, dim, steps, position):
    if not shape:
        raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                         "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")
    size = shape[dim]
    if index < -size or index >= size:
        # PyTorch names the index's position in the index tuple, not the tensor's dim
        raise _out_of_bounds(index, position, size)
    if index < 0:
        index += size
    numel = 1
    for extent in shape:
        numel *= extent
    steps.append((_SELECT, dim, _select_fn(dim, index, numel), None))
    del shape[dim]


def _parse_slice(item, shape, dim, steps, single):
    step = 1 if item.step is None else _slice_bound(item.step)
    if step == 0:
        raise ValueError("slice step cannot be zero")
    if step < 0:
        raise ValueError("step must be greater than zero")
    size = shape[dim]
    start = 0 if item.start is None else _slice_bound(item.start)
    stop = size if item.stop is None else _slice_bound(item.stop)
    if start < 0:
        start += size
    if stop < 0:
        stop += size
    start = min(max(start, 0), size)
    stop = min(max(stop, start), size)
    # a whole-dim slice inside a tuple is skipped (x[:, 0] is one SelectBackward0)
    if single or start != 0 or stop != size or step != 1:
        length = (stop - start + step - 1) // step
        steps.append((_SLICE, dim, _slice_fn(dim, start, stop, step, length), None))
        shape[dim] = length
    return dim + 1


def _slice_bound(value):
    if isinstance(value, Tensor):
        return value.__index__()
    return int(value)


def _parse_array(array, shape, dim, steps, advanced):
    if array.dtype.kind == "b":
        if array.ndim == 0:
            steps.append((_UNSQUEEZE, dim, _unsqueeze_fn(dim), None))
            shape.insert(dim, 1)
            advanced[dim] = np.zeros(1 if array else 0, dtype=np.int64)
            return dim + 1
        indexed = shape[dim:dim + array.ndim]
        for position in range(array.ndim):
            if position >= len(indexed) or array.shape[position] != indexed[position]:
                raise IndexError(
                    f"The shape of the mask {list(array.shape)} at index {position} does not "
                    f"match the shape of the indexed tensor {shape} at index {dim + position}")
        for position, positions in enumerate(np.nonzero(array)):
            advanced[dim + position] = positions
        return dim + array.ndim
    advanced[dim] = array
    return dim + 1


def _numpy_advanced_index(advanced):
    """The NumPy index tuple applying the advanced indices (slices elsewhere), with PyTorch's
    error when the index shapes do not broadcast."""
    arrays = [advanced[d] for d in sorted(advanced)]
    try:
        np.broadcast_shapes(*(a.shape for a in arrays))
    except ValueError:
        shapes = ", ".join(str(list(a.shape)) for a in arrays)
        raise IndexError(f"shape mismatch: indexing tensors could not be broadcast together "
                         f"with shapes {shapes}") from None
    last = max(advanced)
    return tuple(advanced.get(d, slice(None)) for d in range(last + 1))


# ---- reading --------------------------------------------------------------------------------

def _index_rule(grad, input_shape, numpy_index):
    return _index_accumulate(grad, input_shape, numpy_index)


def _index_accumulate_rule(grad, input_shape, numpy_index):
    return _index(grad, numpy_index)


IndexBackward0 = node_class("IndexBackward0", _index_rule)
IndexBackwardBackward0 = node_class("IndexBackwardBackward0", _index_accumulate_rule)


def _index(input, numpy_index):
    """input's advanced-indexed elements (a copy), differentiable."""
    data = input._data
    return record(_contiguous(data[numpy_index]), IndexBackward0, (input,),
                  (data.shape, numpy_index))


def _contiguous(array):
    """A fresh result laid out as PyTorch lays out index results of contiguous inputs:
    C-contiguous (NumPy may put the indexed subspace first in memory), with PyTorch's strides
    for size-1 and empty dims, where NumPy reports others."""
    array = np.ascontiguousarray(array)
    shape = array.shape
    if array.size and 1 not in shape:
        return array
    strides = []
    running = array.itemsize
    for extent in reversed(shape):
        strides.append(running)
        running *= max(extent, 1)
    buffer = array if array.size else np.empty(0, array.dtype)
    return np.ndarray(shape, array.dtype, buffer=buffer, strides=tuple(reversed(strides)))


def _index_accumulate(grad, shape, numpy_index):
    """Zeros of `shape` with `grad` summed into the indexed positions (index_put accumulate)."""
    out = np.zeros(shape, dtype=grad._data.dtype)
    np.add.at(out, numpy_index, grad._data)
    return record(out, IndexBackwardBackward0, (grad,), (shape, numpy_index))


def _fast_basic(data, index):
    """One NumPy indexing call for indices that need no PyTorch-specific handling, or None."""
    items = index if isinstance(index, tuple) else (index,)
    for item in items:
        if isinstance(item, slice):
            step = item.step
            if step is not None and not (isinstance(step, int) and step > 0):
                return None
        elif item is not Ellipsis and (type(item) is not int):
            return None
    if not data.ndim:
        return None
    try:
        array = data[index]
    except IndexError:
        return None
    if type(array) is not np.ndarray:
        # all dims selected by ints: NumPy gives a scalar; with an Ellipsis it gives a 0-d view
        array = data[items + (Ellipsis,)]
    # NumPy leaves the pointer in place for empty results where PyTorch moves it
    return array if array.size else None


def getitem(input, index):
    """input[index]: basic indices give views; tensors, lists and masks give copies."""
    data = input._data
    if not (input._requires_grad and STATE.enabled):
        array = _fast_basic(data, index)
        if array is not None:
            return _no_grad_view(input, array, index)
    single = not isinstance(index, tuple) and (
        index is None or index is Ellipsis or isinstance(index, (int, slice)))
    if isinstance(index, list) and _is_sequence_index(index):
        index = tuple(index)
    steps, advanced, _ = _parse(data.shape, index, single)
    result = input
    for kind, dim, view_fn, _ in steps:
        if kind == _SELECT:
            result = apply_view(result, view_fn, SelectBackward0)
        elif kind == _SLICE:
            result = apply_view(result, view_fn, SliceBackward0)
        else:
            result = unsqueeze(result, dim)
    if advanced:
        return _index(result, _numpy_advanced_index(advanced))
    if result is input:
        return alias(input)
    return result


def _no_grad_view(input, array, index):
    view = _wrap(array)
    view._storage = input._shared_storage()
    view._version_counter = input._shared_version()
    root = input._view_base
    view._view_base = input if root is None else root
    if view._extra is not None or input._extra is not None or input._requires_grad:
        single = not isinstance(index, tuple)
        steps, _, _ = _parse(input._data.shape, index, single)
        note_view_creation(input, view, _view_node_name(steps))
    return view


def _is_sequence_index(items):
    """PyTorch reads a short list holding sequences, slices, None, Ellipsis or tensors as a
    tuple (NumPy's old heuristic, deprecated): x[[[0, 1]]] is x[[0, 1]]. ndarrays are indices."""
    if len(items) >= 32:
        return False
    for item in items:
        if item is None or item is Ellipsis or isinstance(
                item, (slice, Tensor, list, tuple, range, np.ndarray)):
            warnings.warn(
                "Using a non-tuple sequence for multidimensional indexing is deprecated and will "
                "be changed in pytorch 2.9; use x[tuple(seq)] instead of x[seq]. In pytorch 2.9 "
                "this will be interpreted as tensor index, x[torch.tensor(seq)], which will "
                "result either in an error or a different result", UserWarning, stacklevel=3)
            return True
    return False


# ---- writing --------------------------------------------------------------------------------

_C_TYPE_NAMES = {
    "bool": "bool", "uint8": "uint8_t", "int8": "int8_t", "int16": "int16_t", "int32": "int",
    "int64": "int64_t", "float16": "c10::Half", "bfloat16": "c10::BFloat16",
    "float32": "float", "float64": "double", "complex64": "c10::complex<float>",
    "complex128": "c10::complex<double>",
}


def _checked_scalar(value, numpy_dtype):
    """A Python scalar as a 0-d array of the target dtype, with PyTorch's overflow errors."""
    if isinstance(value, (bool, np.bool_)):
        return np.array(value).astype(numpy_dtype)
    if isinstance(value, int) and not -2 ** 63 <= value < 2 ** 63:
        raise ValueError("Overflow when unpacking long long")
    kind = numpy_dtype.kind
    if kind in "bc":
        return np.array(value).astype(numpy_dtype)
    name = _dtype.FROM_NUMPY[numpy_dtype]._name
    overflow = RuntimeError(f"value cannot be converted to type {_C_TYPE_NAMES[name]} without "
                            "overflow")
    if isinstance(value, (complex, np.complexfloating)):
        if value.imag != 0:
            raise overflow
        value = value.real
    if kind in "iu":
        limits = np.iinfo(numpy_dtype)
        if isinstance(value, (float, np.floating)) and not np.isfinite(value):
            raise overflow
        low = -limits.max if kind == "u" else limits.min
        if value < low or value > limits.max:
            raise overflow
        if kind == "u" and value < 0:
            return np.array(int(value) % (limits.max + 1), dtype=numpy_dtype)
        return np.array(int(value), dtype=numpy_dtype)
    if np.isfinite(value) and abs(value) > float(np.finfo(numpy_dtype).max):
        raise overflow
    return np.array(value, dtype=numpy_dtype)


def _strip_leading_ones(shape):
    """PyTorch drops a value's leading size-1 dims before broadcasting it (slicePrefix1sSize)."""
    position = 0
    while position < len(shape) and shape[position] == 1:
        position += 1
    return shape[position:]


def _value_array(input, value):
    """The value as an ndarray ready to assign, validated with PyTorch's errors."""
    target_dtype = input._data.dtype
    if isinstance(value, Tensor):
        return value._data
    if isinstance(value, (bool, int, float, complex, np.number, np.bool_)):
        return _checked_scalar(value, target_dtype)
    raise TypeError(f"can't assign a {type(value).__name__} to a torch."
                    f"{dtype_name(input.dtype)}Tensor")


def setitem(input, index, value):
    """input[index] = value, broadcasting value and casting it to input's dtype."""
    data = input._data
    single = not isinstance(index, tuple) and (
        index is None or index is Ellipsis or isinstance(index, (int, slice)))
    if isinstance(index, list) and _is_sequence_index(index):
        index = tuple(index)
    steps, advanced, shape = _parse(data.shape, index, single)
    _check_leaf(input, steps)
    if index is False:
        # PyTorch treats x[False] = v as a no-op
        return
    source = _value_array(input, value)
    target = data
    for _, _, view_fn, _ in steps:
        target = view_fn(target)
    if advanced:
        numpy_index = _numpy_advanced_index(advanced)
        result_shape = np.empty(target.shape, dtype=bool)[numpy_index].shape
        _check_broadcast(source.shape, result_shape, advanced=True)
        if isinstance(value, Tensor) and source.dtype != target.dtype:
            raise RuntimeError(
                f"Index put requires the source and destination dtypes match, got "
                f"{dtype_name(input.dtype)} for the destination and {dtype_name(value.dtype)} "
                f"for the source.")
        stripped = source.reshape(_strip_leading_ones(source.shape)) if source.ndim else source
        target[numpy_index] = stripped
    else:
        numpy_index = None
        _check_broadcast(source.shape, target.shape, advanced=False)
        if source.dtype.kind == "c" and target.dtype.kind != "c":
            warnings.warn("Casting complex values to real discards the imaginary part",
                          UserWarning, stacklevel=2)
            source = source.real
        stripped = source.reshape(_strip_leading_ones(source.shape)) if source.ndim else source
        _check_partial_overlap(target, stripped)
        np.copyto(target, stripped, casting="unsafe")
    input._bump_version()
    if STATE.enabled and (input._requires_grad or (
            isinstance(value, Tensor) and value._requires_grad)):
        _record_setitem(input, value, steps, numpy_index)


_STEP_NODE_NAMES = {_SELECT: SelectBackward0.__name__, _SLICE: SliceBackward0.__name__,
                    _UNSQUEEZE: "UnsqueezeBackward0"}


def _view_node_name(steps):
    """The node of the view an index's basic steps make (the last step's; an alias without
    steps), which PyTorch's messages name."""
    if not steps:
        return "AliasBackward0"
    return _STEP_NODE_NAMES[steps[-1][0]]


def _check_leaf(input, steps):
    """PyTorch's error for writing into a leaf that requires grad, or into a view of one (the
    basic steps of an index make such a view first)."""
    if input._extra is not None:
        # the write goes through the view the steps make, the input itself without steps
        check_flagged_inplace(input, _view_node_name(steps) if steps else None)
    if not STATE.enabled:
        return
    base = input._view_base
    if base is not None and base._requires_grad and base._grad_fn is None:
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in an "
                           "in-place operation.")
    if input._requires_grad and input._grad_fn is None:
        if steps:
            raise RuntimeError("a view of a leaf Variable that requires grad is being used in "
                               "an in-place operation.")
        check_inplace(input)


def _check_partial_overlap(target, source):
    """PyTorch refuses a copy between dense tensors whose memory partly overlaps."""
    if not (isinstance(source, np.ndarray) and source.ndim and target.flags.c_contiguous
            and source.flags.c_contiguous and source.size and target.size):
        return
    target_start = target.__array_interface__["data"][0]
    source_start = source.__array_interface__["data"][0]
    overlaps = (target_start < source_start + source.nbytes
                and source_start < target_start + target.nbytes)
    if overlaps and (target_start != source_start or target.nbytes != source.nbytes):
        raise RuntimeError("unsupported operation: some elements of the input tensor and the "
                           "written-to tensor refer to a single memory location. Please clone() "
                           "the tensor before performing the operation.")


def _check_broadcast(value_shape, target_shape, advanced):
    stripped = _strip_leading_ones(value_shape)
    try:
        fits = np.broadcast_shapes(stripped, target_shape) == tuple(target_shape)
    except ValueError:
        fits = False
    if fits and len(stripped) <= len(target_shape):
        return
    if advanced:
        raise RuntimeError(f"shape mismatch: value tensor of shape {list(value_shape)} cannot "
                           f"be broadcast to indexing result of shape {list(target_shape)}")
    target = list(target_shape)
    if len(stripped) > len(target):
        raise RuntimeError(
            f"expand(torch.FloatTensor{{{list(value_shape)}}}, size={target}): the number of "
            f"sizes provided ({len(target)}) must be greater or equal to the number of "
            f"dimensions in the tensor ({len(value_shape)})")
    lead = len(target) - len(stripped)
    for position in range(len(stripped) - 1, -1, -1):
        own = stripped[position]
        wanted = target[lead + position]
        if own != wanted and own != 1:
            raise RuntimeError(
                f"The expanded size of the tensor ({wanted}) must match the existing size "
                f"({own}) at non-singleton dimension {lead + position}.  Target sizes: "
                f"{target}.  Tensor sizes: {list(stripped)}")


# ---- autograd of assignment -----------------------------------------------------------------

def _region(array, steps):
    for _, _, view_fn, _ in steps:
        array = view_fn(array)
    return array


def _zero_region_rule(grad, steps, numpy_index):
    return _zero_region(grad, steps, numpy_index)


ZeroRegionBackward0 = node_class("ZeroRegionBackward0", _zero_region_rule)


def _zero_region(grad, steps, numpy_index):
    """grad with the assigned region set to zero (self-adjoint, so differentiable)."""
    out = np.array(grad._data, order="C")
    region = _region(out, steps)
    if numpy_index is None:
        region[...] = 0
    else:
        region[numpy_index] = 0
    return record(out, ZeroRegionBackward0, (grad,), (steps, numpy_index))


def _value_grad(grad, steps, numpy_index, value_shape):
    """The gradient flowing to the assigned value: grad read at the region, shaped to the
    value (leading size-1 dims restored; the registry sums broadcast dims)."""
    region = grad
    for kind, dim, view_fn, _ in steps:
        if kind == _SELECT:
            region = apply_view(region, view_fn, SelectBackward0)
        elif kind == _SLICE:
            region = apply_view(region, view_fn, SliceBackward0)
        else:
            region = unsqueeze(region, dim)
    if numpy_index is not None:
        region = _index(region, numpy_index)
    extra = len(value_shape) - region._data.ndim
    if extra > 0:
        region = region.reshape((1,) * extra + region._data.shape)
    elif extra < 0:
        region = sum_to_shape(region, value_shape)
    return region


def _setitem_rules():
    def self_rule(grad, steps, numpy_index, value_shape):
        return _zero_region(grad, steps, numpy_index)

    def value_rule(grad, steps, numpy_index, value_shape):
        return _value_grad(grad, steps, numpy_index, value_shape)
    return self_rule, value_rule


CopySlices = node_class("CopySlices", *_setitem_rules())
IndexPutBackward0 = node_class("IndexPutBackward0", *_setitem_rules())
CopyBackwards = node_class("CopyBackwards", *_setitem_rules())
FillBackward3 = node_class("FillBackward3", *_setitem_rules())


def _record_setitem(input, value, steps, numpy_index):
    """Gives `input` (just assigned into) the history of the out-of-place assignment. A view's
    base keeps its old history: rewriting it (PyTorch's CopySlices on the base) is autograd's
    view+in-place machinery, not indexing's."""
    if steps:
        node_cls = CopySlices
    elif numpy_index is not None:
        node_cls = IndexPutBackward0
    elif isinstance(value, Tensor):
        node_cls = CopyBackwards
    else:
        node_cls = FillBackward3
    old = _history_alias(input)
    value_shape = value._data.shape if isinstance(value, Tensor) else ()
    result = record(input._data, node_cls, (old, value),
                    (steps, numpy_index, value_shape))
    set_history(input, result)


# ---- index_put, index_put_: assignment in functional form ----------------------------------------
# The indices are a tuple of tensors; accumulate=True adds the values instead of writing them,
# duplicates included.

def _accumulate_value_rule(grad, numpy_index, value_shape):
    return _value_grad(grad, (), numpy_index, value_shape)


# accumulate=True adds into self, so self's gradient passes through unchanged
IndexPutAccumulateBackward0 = node_class(
    "IndexPutBackward0", lambda grad, numpy_index, value_shape: grad, _accumulate_value_rule)
IndexPutAssignBackward0 = node_class(
    "IndexPutBackward0",
    lambda grad, numpy_index, value_shape: _zero_region(grad, (), numpy_index),
    _accumulate_value_rule)


def _index_tuple(name, indices, values):
    """The indices as an index expression, with PyTorch's argument-parser errors."""
    tensor_sequence(indices, name, "indices")
    if not isinstance(values, Tensor):
        raise argument_type_error(name, "values", 2, "Tensor", values)
    return tuple(indices)


def _put(target, index, values, accumulate):
    """Writes (or adds) values into target (an ndarray) at index; returns the NumPy index."""
    steps, advanced, _ = _parse(target.shape, index, False)
    numpy_index = _numpy_advanced_index(advanced) if advanced else (Ellipsis,)
    result_shape = np.empty(target.shape, dtype=bool)[numpy_index].shape
    _check_broadcast(values._data.shape, result_shape, advanced=True)
    if values._data.dtype != target.dtype:
        raise RuntimeError(
            f"Index put requires the source and destination dtypes match, got "
            f"{dtype_name(_wrap(target).dtype)} for the destination and "
            f"{dtype_name(values.dtype)} for the source.")
    source = values._data
    stripped = source.reshape(_strip_leading_ones(source.shape)) if source.ndim else source
    if accumulate:
        np.add.at(target, numpy_index, np.broadcast_to(stripped, result_shape))
    else:
        target[numpy_index] = stripped
    return numpy_index


def index_put_(input, indices, values, accumulate=False):
    """input[indices] = values (or += with accumulate=True, duplicates adding up), in place."""
    index = _index_tuple("index_put_", indices, values)
    if not accumulate:
        setitem(input, index, values)
        return input
    _check_leaf(input, ())
    numpy_index = _put(input._data, index, values, True)
    input._bump_version()
    if STATE.enabled and (input._requires_grad or values._requires_grad):
        old = _history_alias(input)
        result = record(input._data, IndexPutAccumulateBackward0, (old, values),
                        (numpy_index, values._data.shape))
        set_history(input, result)
    return input


def index_put(input, indices, values, accumulate=False):
    """A copy of input with values written (or added) at indices."""
    index = _index_tuple("index_put", indices, values)
    out = np.array(input._data, order="K")
    numpy_index = _put(out, index, values, accumulate)
    node = IndexPutAccumulateBackward0 if accumulate else IndexPutAssignBackward0
    return record(out, node, (input, values), (numpy_index, values._data.shape))


method("index_put", index_put)
method("index_put_", index_put_)


# ---- unravel_index -------------------------------------------------------------------------------

def unravel_index(indices, shape):
    """The coordinates of flat indices in a tensor of `shape`, one tensor per dim. As in
    PyTorch, indices are not bounds-checked: they wrap around modulo the shape."""
    if indices.is_complex() or indices.is_floating_point() or indices._data.dtype.kind == "b":
        raise TypeError(f"expected 'indices' to be integer dtype, but got {indices.dtype}")
    if isinstance(shape, (int, np.integer)):
        shape = (int(shape),)
    elif not isinstance(shape, collections.abc.Sequence):
        raise TypeError(f"expected 'shape' to be int or sequence of ints, but got {type(shape)}")
    for extent in shape:
        if not isinstance(extent, (int, np.integer)):
            raise TypeError("expected 'shape' sequence to only contain ints, but got "
                            f"{type(extent)}")
    shape = tuple(int(extent) for extent in shape)
    if any(extent < 0 for extent in shape):
        raise ValueError(f"'shape' cannot have negative values, but got {shape}")
    # the stride of each dim in a contiguous tensor of `shape`
    coefficients = []
    running = 1
    for extent in reversed(shape[1:] + (1,)):
        running *= extent
        coefficients.append(running)
    coefficients.reverse()
    flat = indices._data.astype(np.int64)[..., None]
    with np.errstate(divide="ignore"):
        coordinates = np.floor_divide(flat, np.array(coefficients, dtype=np.int64))
        coordinates = np.remainder(coordinates, np.array(shape, dtype=np.int64))
    return tuple(_wrap(np.array(coordinates[..., dim]))
                 for dim in range(len(shape)))


Tensor.__getitem__ = getitem
Tensor.__setitem__ = setitem
