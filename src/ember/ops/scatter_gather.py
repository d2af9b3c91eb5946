"""Index-driven data movement: gather, scatter (and its add/reduce forms), index_select,
index_add, index_copy, index_fill, take, take_along_dim, put. Accumulation uses ufunc.at,
which NumPy >= 1.25 runs at vectorised speed, in index order and in the tensor's dtype."""

import numpy as np

from ember._errors import (broadcast_mismatch, dim_out_of_range, dtype_name, normalize_dim,
                           warn_once)
from ember._tensor import Tensor, _wrap
from ember.autograd.grad_mode import STATE
from ember.ops._registry import (RESULT, apply_inplace, check_flagged_inplace, method,
                                 node_class, record)
from ember.ops.joining import finish_out

__all__ = ["gather", "scatter", "scatter_add", "scatter_reduce", "index_select", "index_add",
           "index_reduce", "index_copy", "index_fill", "take", "take_along_dim", "put"]

_INDEX_KINDS = (np.dtype(np.int64), np.dtype(np.int32))
_SCATTER_REDUCTIONS = ("sum", "prod", "mean", "amax", "amin")
_REDUCE_UFUNCS = {"sum": np.add, "add": np.add, "prod": np.multiply, "multiply": np.multiply,
                  "amax": np.maximum, "amin": np.minimum, "mean": np.add}


# ---- shared machinery ------------------------------------------------------------------------

def inplace_variant(name, function, apply):
    """Binds Tensor.<name>_: with no graph to record, apply(self, self._data, *args) validates
    and writes straight into self's memory; otherwise the out-of-place function runs and its
    result and history are transferred to self."""
    def inplace(self, *args, **kwargs):
        if STATE.enabled and (self._requires_grad or _any_requires_grad(args, kwargs)):
            return apply_inplace(self, function, args, kwargs)
        if self._extra is not None:
            # an inference tensor, or a view autograd refuses to let be written (no_grad view)
            check_flagged_inplace(self)
        apply(self, self._data, *args, **kwargs)
        self._bump_version()
        return self
    inplace.__name__ = name + "_"
    inplace.__qualname__ = "Tensor." + name + "_"
    inplace.__doc__ = f"In-place version of {name}()."
    setattr(Tensor, name + "_", inplace)


def _any_requires_grad(args, kwargs):
    for value in args:
        if isinstance(value, Tensor) and value._requires_grad:
            return True
    for value in kwargs.values():
        if isinstance(value, Tensor) and value._requires_grad:
            return True
    return False


def first_out_of_bounds(index, low, high):
    """The first index (in C order) outside [low, high), or None when all are inside."""
    # the ufuncs' own reduce skips ndarray.min/max's Python-level wrappers (small-tensor cost)
    if index.size == 0 or (np.minimum.reduce(index, axis=None) >= low
                           and np.maximum.reduce(index, axis=None) < high):
        return None
    flat = index.reshape(-1)
    bad = (flat < low) | (flat >= high)
    return int(flat[np.argmax(bad)])


def _check_bounds(index, size, dim, error=RuntimeError, prefix=""):
    bad = first_out_of_bounds(index, 0, size)
    if bad is not None:
        raise error(f"{prefix}index {bad} is out of bounds for dimension {dim} with size {size}")


def mask_not(mask):
    """The negation of a bool mask (masks carry no gradient, so no graph is needed)."""
    return _wrap(np.logical_not(mask._data))


def _nonempty(array):
    """PyTorch's scatter/gather treat a 0-d tensor as a 1-d tensor of one element."""
    return array.reshape(1) if array.ndim == 0 else array


def _index_region(array, shape, skip_dim):
    """The leading block of `array` that an index of `shape` addresses (all of skip_dim)."""
    return array[tuple(slice(None) if axis == skip_dim else slice(0, extent)
                       for axis, extent in enumerate(shape))]


def _linear_positions(index, dim, shape):
    """Flat C-order positions into an array of `shape` for every element of `index` (its
    value along dim, the element's own coordinates elsewhere), as a 1-d array."""
    strides = [1] * len(shape)
    for axis in range(len(shape) - 2, -1, -1):
        strides[axis] = strides[axis + 1] * shape[axis + 1]
    linear = np.multiply(index, strides[dim], dtype=np.intp)
    for axis, extent in enumerate(index.shape):
        if axis != dim and extent > 1:
            offsets = np.arange(0, extent * strides[axis], strides[axis], dtype=np.intp)
            linear = linear + offsets.reshape((extent,) + (1,) * (index.ndim - axis - 1))
    return linear.reshape(-1)


def _check_index_dtype(index, message):
    if index._data.dtype not in _INDEX_KINDS:
        raise RuntimeError(message)


# ---- gather -----------------------------------------------------------------------------------

def _gather_backward(grad, dim, index, input_shape):
    from ember.ops.creation import zeros
    return zeros(input_shape, dtype=grad.dtype).scatter_add(dim, index, grad)


GatherBackward0 = node_class("GatherBackward0", _gather_backward)


def _gather_shape_check(data, dim, index):
    if max(data.ndim, 1) != max(index.ndim, 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    data = _nonempty(data)
    index = _nonempty(index)
    for axis in range(data.ndim):
        if axis != dim and index.shape[axis] > data.shape[axis]:
            raise RuntimeError(
                f"Size does not match at dimension {axis} expected index "
                f"{list(index.shape)} to be no larger than self {list(data.shape)} apart from "
                f"dimension {dim}")


def gather(input, dim, index, *, sparse_grad=False, out=None):
    """Values of input along dim at the positions index gives (index's shape)."""
    data = input._data
    dim = normalize_dim(dim, data.ndim)
    _check_index_dtype(index, "gather(): Expected dtype int32/int64 for index")
    positions = index._data
    if positions.size == 0:
        array = np.empty(positions.shape, dtype=data.dtype)
    else:
        _gather_shape_check(data, dim, positions)
        source = _nonempty(data)
        _check_bounds(positions, source.shape[dim], dim)
        flat_index = _nonempty(positions)
        if source.flags.c_contiguous:
            spots = _linear_positions(flat_index, dim, source.shape)
            array = source.reshape(-1).take(spots).reshape(positions.shape)
        else:
            array = np.take_along_axis(_index_region(source, flat_index.shape, dim),
                                       flat_index, axis=dim).reshape(positions.shape)
    result = record(array, GatherBackward0, (input,), (dim, index, data.shape))
    return finish_out(result, out, "gather")


# ---- scatter, scatter_add, scatter_reduce -----------------------------------------------------

ScatterBackward0 = node_class(
    "ScatterBackward0", lambda grad, dim, index: grad.scatter(dim, index, 0),
    lambda grad, dim, index: grad.gather(dim, index))
ScatterBackward1 = node_class("ScatterBackward1",
                              lambda grad, dim, index: grad.scatter(dim, index, 0))
ScatterAddBackward0 = node_class("ScatterAddBackward0", lambda grad, dim, index: grad,
                                 lambda grad, dim, index: grad.gather(dim, index))


def _not_implemented(grad, *saved):
    raise RuntimeError("derivative for aten::scatter is not implemented")


# PyTorch has no derivative for scatter with reduce=; its node is literally named so
ScatterNotImplemented = node_class("NotImplemented", _not_implemented, _not_implemented)


def _scatter_shape_check(data, dim, index, src):
    """PyTorch's scatter_shape_check (skipped for an empty index)."""
    if index.size == 0:
        return
    if max(data.ndim, 1) != max(index.ndim, 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as self tensor")
    ndim = max(data.ndim, 1)
    index_shape = index.shape or (1,)
    self_shape = data.shape or (1,)
    wrong = any(axis != dim and index_shape[axis] > self_shape[axis] for axis in range(ndim))
    if not wrong and src is not None:
        for axis in range(ndim):
            if src.ndim and axis >= src.ndim:
                raise dim_out_of_range(axis, src.ndim)
            if index_shape[axis] > (src.shape[axis] if src.ndim else 1):
                wrong = True
                break
    if wrong:
        message = (f"Expected index {list(index.shape)} to be no larger than self "
                   f"{list(data.shape)} apart from dimension {dim}")
        if src is not None:
            message += f" and to be no larger size than src {list(src.shape)}"
        raise RuntimeError(message)


def _scatter_prepare(input, dim, index, src):
    """Validates a scatter call; returns (dim, index array, source values or None)."""
    data = input._data
    dim = normalize_dim(dim, data.ndim)
    _check_index_dtype(index, "scatter(): Expected dtype int32/int64 for index")
    source = None
    if isinstance(src, Tensor):
        if src._data.dtype != data.dtype:
            raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
        source = src._data
    positions = index._data
    _scatter_shape_check(data, dim, positions, source)
    if positions.size:
        _check_bounds(positions, (data.shape or (1,))[dim], dim)
    return dim, positions, source


def _scatter_write(target, dim, positions, source, value, reduce, include_self=True):
    """Writes source (or a scalar value) into target at the scattered positions, combining
    collisions with `reduce` (None: the last write wins). ufunc.at applies the updates in
    index order, as PyTorch's CPU kernel does."""
    if positions.size == 0:
        return
    work = _nonempty(target)
    flat_index = _nonempty(positions)
    # ufunc.at is fast only for 1-d index arrays, so positions and values are flattened
    spots = _linear_positions(flat_index, dim, work.shape)
    if source is not None:
        values = _index_region(_nonempty(source), flat_index.shape, None).reshape(-1)
    else:
        values = np.asarray(value).astype(target.dtype)
    if work.flags.c_contiguous:
        destination = work.reshape(-1)
    else:
        destination = work
        spots = np.unravel_index(spots, work.shape)
    if reduce is None:
        destination[spots] = values
        return
    if not include_self:
        destination[spots] = _reduction_identity(reduce, target.dtype)
    np.ufunc.at(_REDUCE_UFUNCS[reduce], destination, spots, values)
    if reduce == "mean":
        counts = np.full(destination.shape, 1 if include_self else 0, dtype=np.int64)
        np.add.at(counts, spots, 1)
        counts[counts == 0] = 1
        if target.dtype.kind in "iu":
            np.floor_divide(destination, counts, out=destination, casting="unsafe")
        else:
            np.divide(destination, counts, out=destination, casting="unsafe")


def _reduction_identity(reduce, numpy_dtype):
    """The value PyTorch seeds the reduced positions with when include_self=False."""
    if reduce in ("sum", "mean"):
        return 0
    if reduce == "prod":
        return 1
    lowest = reduce == "amax"
    if numpy_dtype.kind in "iu":
        info = np.iinfo(numpy_dtype)
        return info.min if lowest else info.max
    return -np.inf if lowest else np.inf


def _apply_scatter(input, target, dim, index, src=None, *, value=None, reduce=None):
    if not isinstance(src, Tensor) and src is not None:
        src, value = None, src
    if reduce is not None and reduce not in ("add", "multiply"):
        raise RuntimeError("reduce argument must be either add or multiply.")
    if reduce is not None and src is not None:
        warn_once("scatter_reduce_argument",
                  "The reduce argument of torch.scatter with Tensor src is deprecated and will be "
                  "removed in a future PyTorch release. Use torch.scatter_reduce instead for more "
                  "reduction options. (Triggered internally at "
                  "/__w/pytorch/pytorch/aten/src/ATen/native/TensorAdvancedIndexing.cpp:225.)",
                  stacklevel=3)
    dim, positions, source = _scatter_prepare(input, dim, index, src)
    if target is None:
        target = np.array(input._data, order="C")
    _scatter_write(target, dim, positions, source, value, reduce)
    if reduce is not None:
        return target, ScatterNotImplemented, (input, src), (dim, index)
    if source is None:
        return target, ScatterBackward1, (input,), (dim, index)
    return target, ScatterBackward0, (input, src), (dim, index)


def scatter(input, dim, index, src=None, *, value=None, reduce=None):
    """A copy of input with src's values (or a scalar value) written at index along dim."""
    array, node, inputs, saved = _apply_scatter(input, None, dim, index, src, value=value,
                                                reduce=reduce)
    return record(array, node, inputs, saved)


def _apply_scatter_add(input, target, dim, index, src):
    dim, positions, source = _scatter_prepare(input, dim, index, src)
    if target is None:
        target = np.array(input._data, order="C")
    _scatter_write(target, dim, positions, source, None, "add")
    return target, ScatterAddBackward0, (input, src), (dim, index)


def scatter_add(input, dim, index, src):
    """A copy of input with src's values added at index along dim."""
    return record(*_apply_scatter_add(input, None, dim, index, src))


class _Scattering:
    """The four ops a reduce-into derivative is written with, for scatter_reduce (positions
    per element, along dim) and index_reduce (whole slices along dim)."""

    def __init__(self, pick, spread, clear, reduce_into):
        self.pick = pick                  # grad at the positions: gather / index_select
        self.spread = spread              # add onto base at them: scatter_add / index_add
        self.clear = clear                # zero them: scatter / index_fill with 0
        self.reduce_into = reduce_into    # the forward op itself


_BY_ELEMENT = _Scattering(
    lambda t, dim, index: t.gather(dim, index),
    lambda base, dim, index, t: base.scatter_add(dim, index, t),
    lambda t, dim, index: t.scatter(dim, index, 0),
    lambda base, dim, index, src, how, include_self: base.scatter_reduce(
        dim, index, src, how, include_self=include_self))
_BY_SLICE = _Scattering(
    lambda t, dim, index: t.index_select(dim, index),
    lambda base, dim, index, t: base.index_add(dim, index, t),
    lambda t, dim, index: t.index_fill(dim, index, 0),
    lambda base, dim, index, src, how, include_self: base.index_reduce(
        dim, index, src, how, include_self=include_self))


def _reduce_into_backward(way, grad, dim, index, input, src, reduce, include_self, result,
                          wanted):
    """Gradients of scatter_reduce / index_reduce for self (wanted=0) and src (wanted=1), as
    PyTorch's scatter_reduce_backward: ties of amax/amin share the gradient equally."""
    from ember.ops.creation import ones_like, zeros_like
    if reduce == "sum":
        grad_self, grad_src = grad, (way.pick(grad, dim, index) if wanted else None)
    elif reduce == "mean":
        counts = ones_like(grad) if include_self else zeros_like(grad)
        counts = way.spread(counts, dim, index, ones_like(src))
        counts = counts.masked_fill(counts.eq(0), 1)
        grad_self = grad / counts
        grad_src = way.pick(grad, dim, index) / way.pick(counts, dim, index)
    elif reduce == "prod":
        grad_self, grad_src = _prod_backward(way, grad, dim, index, input, src, include_self,
                                             result)
    else:
        self_hits = input.eq(result)
        src_hits = src.eq(way.pick(result, dim, index))
        shares = way.spread(self_hits.to(grad.dtype), dim, index, src_hits.to(grad.dtype))
        grad_distributed = grad / shares
        grad_self = grad_distributed.masked_fill(mask_not(self_hits), 0)
        grad_src = way.pick(grad_distributed, dim, index).masked_fill(mask_not(src_hits), 0)
    if wanted == 0:
        return grad_self if include_self else way.clear(grad_self, dim, index)
    return grad_src


def _prod_backward(way, grad, dim, index, input, src, include_self, result):
    """Products excluding each element, computed without dividing by a zero factor."""
    from ember.ops.creation import zeros_like
    masked_self = input.masked_fill(input.eq(0), 1)
    masked_self_result = way.reduce_into(masked_self, dim, index, src, "prod", include_self)
    grad_self = grad * masked_self_result / masked_self
    src_zero = src.eq(0)
    zeros_per_spot = way.spread(zeros_like(input), dim, index, src_zero.to(input.dtype))
    single_zero = _wrap(src_zero._data & way.pick(zeros_per_spot, dim, index).eq(1)._data)
    masked_src = src.masked_fill(single_zero, 1)
    masked_src_result = way.reduce_into(input, dim, index, masked_src, "prod", include_self)
    through_zero = way.pick(grad * masked_src_result, dim, index)
    regular = way.pick(grad * result, dim, index) / src.masked_fill(src_zero, 1)
    grad_src = through_zero.masked_fill(mask_not(single_zero), 0) + regular.masked_fill(
        single_zero, 0)
    return grad_self, grad_src


def _reduce_into_rule(way, wanted):
    def rule(grad, dim, index, input, src, reduce, include_self, result):
        return _reduce_into_backward(way, grad, dim, index, input, src, reduce, include_self,
                                     result, wanted)
    return rule


ScatterReduceBackward0 = node_class("ScatterReduceBackward0", _reduce_into_rule(_BY_ELEMENT, 0),
                                    _reduce_into_rule(_BY_ELEMENT, 1))


def _apply_scatter_reduce(input, target, dim, index, src, reduce, *, include_self=True):
    if reduce not in _SCATTER_REDUCTIONS:
        raise RuntimeError("reduce argument must be either sum, prod, mean, amax or amin, got "
                           f"{reduce}")
    dim, positions, source = _scatter_prepare(input, dim, index, src)
    if target is None:
        target = np.array(input._data, order="C")
    _scatter_write(target, dim, positions, source, None, reduce, include_self)
    saved = (dim, index, input, src, reduce, include_self, RESULT)
    return target, ScatterReduceBackward0, (input, src), saved


def scatter_reduce(input, dim, index, src, reduce, *, include_self=True):
    """A copy of input where src's values at index along dim are reduced (sum, prod, mean,
    amax, amin) into it, with or without input's own values."""
    return record(*_apply_scatter_reduce(input, None, dim, index, src, reduce,
                                         include_self=include_self))


# ---- index_select, index_add, index_copy, index_fill -----------------------------------------

def _index_select_backward(grad, dim, index, input_shape):
    from ember.ops.creation import zeros
    return zeros(input_shape, dtype=grad.dtype).index_add(dim, index, grad)


IndexSelectBackward0 = node_class("IndexSelectBackward0", _index_select_backward)


def index_select(input, dim, index, *, out=None):
    """The slices of input along dim at the positions in index (a vector or a scalar)."""
    data = input._data
    dim = normalize_dim(dim, data.ndim)
    positions = index._data
    if positions.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    if data.ndim == 0 and positions.size != 1:
        raise RuntimeError(f"index_select(): Index to scalar can have only 1 value, got "
                           f"{positions.size} value(s)")
    if positions.dtype not in _INDEX_KINDS:
        raise RuntimeError("index_select(): Expected dtype int32 or int64 for index")
    source = _nonempty(data)
    if first_out_of_bounds(positions, 0, source.shape[dim]) is not None:
        raise IndexError("index out of range in self")
    array = source.take(positions.reshape(-1), axis=dim).reshape(
        data.shape if data.ndim == 0 else
        data.shape[:dim] + (positions.size,) + data.shape[dim + 1:])
    result = record(array, IndexSelectBackward0, (input,), (dim, index, data.shape))
    return finish_out(result, out, "index_select")


def _check_slices_match(data, dim, source):
    self_rest = list(data.shape)
    source_rest = list(source.shape)
    if data.ndim and source.ndim:
        del self_rest[dim]
        del source_rest[dim]
    if self_rest != source_rest:
        raise RuntimeError(
            "source tensor shape must match self tensor shape, excluding the specified "
            f"dimension. Got self.shape = {list(data.shape)} source.shape = "
            f"{list(source.shape)}")


IndexAddBackward0 = node_class(
    "IndexAddBackward0", lambda grad, dim, index, alpha, source_shape: grad,
    lambda grad, dim, index, alpha, source_shape: _scaled(
        grad.index_select(dim, index).reshape(source_shape), alpha))


def _scaled(tensor, alpha):
    return tensor if alpha == 1 else tensor * alpha


def _index_func_checks(function, input, dim, index, source):
    """PyTorch's argument checks shared by index_add and index_reduce; returns dim."""
    data = input._data
    dim = normalize_dim(dim, data.ndim)
    positions = index._data
    if positions.ndim > 1:
        raise IndexError(
            f"{function}(): Index is supposed to be a vector, but got dim: {positions.ndim} "
            f"with type: {dtype_name(index.dtype)} and size: {list(positions.shape)}")
    if positions.dtype not in _INDEX_KINDS:
        raise RuntimeError(f"{function}(): Expected dtype int32/int64 for index but got: "
                           f"{dtype_name(index.dtype)}")
    values = source._data
    if values.dtype != data.dtype:
        raise RuntimeError(f"{function}(): self ({dtype_name(input.dtype)}) and source "
                           f"({dtype_name(source.dtype)}) must have the same scalar type")
    if dim != 0 and dim >= values.ndim:
        raise RuntimeError(f"{function}(): Indexing dim {dim} is out of bounds of the source "
                           f"tensor with dim {values.ndim}")
    along = 1 if values.ndim == 0 else values.shape[dim]
    if positions.size != along:
        raise RuntimeError(f"{function}(): Number of indices ({positions.size}) should be "
                           f"equal to source.size(dim): ({along}), for dim: {dim}")
    _check_slices_match(data, dim, values)
    return dim


def _slices_along(target, dim, positions, values):
    """target and values with dim moved first, values shaped one slice per index."""
    moved_target = np.moveaxis(_nonempty(target), dim, 0)
    if values.ndim == 0:
        return moved_target, values.reshape((positions.size,) + moved_target.shape[1:])
    return moved_target, np.moveaxis(values, dim, 0)


def _apply_index_add(input, target, dim, index, source, *, alpha=1):
    dim = _index_func_checks("index_add_", input, dim, index, source)
    data = input._data
    positions = index._data
    values = source._data
    _check_bounds(positions, (data.shape or (1,))[dim], dim)
    if target is None:
        target = np.array(data, order="C")
    if positions.size:
        moved_target, moved_source = _slices_along(target, dim, positions, values)
        if alpha != 1:
            moved_source = moved_source * np.asarray(alpha).astype(data.dtype)
        np.add.at(moved_target, positions.reshape(-1), moved_source)
    return target, IndexAddBackward0, (input, source), (dim, index, alpha, values.shape)


def index_add(input, dim, index, source, *, alpha=1):
    """A copy of input with alpha * source's slices added at index along dim."""
    return record(*_apply_index_add(input, None, dim, index, source, alpha=alpha))


IndexReduceBackward0 = node_class("IndexReduceBackward0", _reduce_into_rule(_BY_SLICE, 0),
                                   _reduce_into_rule(_BY_SLICE, 1))
_INDEX_REDUCTIONS = ("prod", "mean", "amax", "amin")


def _apply_index_reduce(input, target, dim, index, source, reduce, *, include_self=True):
    warn_once("index_reduce", "index_reduce() is in beta and the API may change at any time. "
              "(Triggered internally at "
              "/__w/pytorch/pytorch/aten/src/ATen/native/TensorAdvancedIndexing.cpp:1523.)",
              stacklevel=3)
    if reduce not in _INDEX_REDUCTIONS:
        raise RuntimeError(f"index_reduce(): Expected reduce to be one of prod, mean, amax or "
                           f"amin but got {reduce}.")
    dim = _index_func_checks("index_reduce_", input, dim, index, source)
    data = input._data
    positions = index._data
    if first_out_of_bounds(positions, 0, (data.shape or (1,))[dim]) is not None:
        raise IndexError("index out of range in self")
    if target is None:
        target = np.array(data, order="C")
    if positions.size:
        flat = positions.reshape(-1)
        moved_target, moved_source = _slices_along(target, dim, flat, source._data)
        if not include_self:
            moved_target[flat] = _reduction_identity(reduce, data.dtype)
        np.ufunc.at(_REDUCE_UFUNCS[reduce], moved_target, flat, moved_source)
        if reduce == "mean":
            counts = np.bincount(flat, minlength=moved_target.shape[0]) + int(include_self)
            counts[counts == 0] = 1
            counts = counts.reshape((-1,) + (1,) * (moved_target.ndim - 1))
            divide = np.floor_divide if data.dtype.kind in "iu" else np.divide
            divide(moved_target, counts, out=moved_target, casting="unsafe")
    saved = (dim, index, input, source, reduce, include_self, RESULT)
    return target, IndexReduceBackward0, (input, source), saved


def index_reduce(input, dim, index, source, reduce, *, include_self=True):
    """A copy of input where source's slices at index along dim are reduced (prod, mean,
    amax, amin) into it, with or without input's own values."""
    return record(*_apply_index_reduce(input, None, dim, index, source, reduce,
                                       include_self=include_self))


IndexCopyBackward0 = node_class(
    "IndexCopyBackward0", lambda grad, dim, index, source_shape: grad.index_fill(dim, index, 0),
    lambda grad, dim, index, source_shape: grad.index_select(dim, index).reshape(source_shape))


def _apply_index_copy(input, target, dim, index, source):
    data = input._data
    dim = normalize_dim(dim, data.ndim)
    positions = index._data
    values = source._data
    if positions.ndim >= 2:
        raise IndexError(f"index_copy_(): Index should have dimension 1 or 0 (got "
                         f"{positions.ndim})")
    if values.ndim == 0 and positions.size != 1:
        raise IndexError(f"index_copy_(): When source is scalar, index should have one element "
                         f"(got {positions.size})")
    if values.ndim != data.ndim and values.ndim and data.ndim:
        raise IndexError(
            "index_copy_(): When source and destination are not scalars, their dimensionality "
            f"must match. Source dimensionality ({values.ndim}), destination dimensionality "
            f"({data.ndim})")
    if positions.dtype != np.int64:
        raise RuntimeError(f"index_copy_(): Expected a long tensor for index, but got "
                           f"{dtype_name(index.dtype)}")
    if values.dtype != data.dtype:
        raise RuntimeError(
            "index_copy_(): self and source expected to have the same dtype, but got (self) "
            f"{dtype_name(input.dtype)} and (source) {dtype_name(source.dtype)}")
    self_rest = [e for axis, e in enumerate(data.shape) if axis != dim]
    source_rest = [e for axis, e in enumerate(values.shape) if axis != dim]
    if self_rest != source_rest:
        raise RuntimeError(
            "index_copy_(): Source/destination tensor must have same slice shapes. Destination "
            f"slice shape: {' '.join(map(str, self_rest))} at dimension {dim} and source slice "
            f"shape: {' '.join(map(str, source_rest))} at dimension 0.")
    if values.ndim and positions.size != values.shape[dim]:
        raise IndexError(f"index_copy_(): Number of indices ({positions.size}) should be equal "
                         f"to source.size(dim) ({values.shape[dim]})")
    _check_bounds(positions, (data.shape or (1,))[dim], dim, IndexError, "index_copy_(): ")
    if target is None:
        target = np.array(data, order="C")
    moved_target = np.moveaxis(_nonempty(target), dim, 0)
    moved_source = np.moveaxis(_nonempty(values), dim, 0)
    moved_target[positions.reshape(-1)] = moved_source.reshape(
        (positions.size,) + moved_target.shape[1:])
    return target, IndexCopyBackward0, (input, source), (dim, index, values.shape)


def index_copy(input, dim, index, source):
    """A copy of input with source's slices written at index along dim."""
    return record(*_apply_index_copy(input, None, dim, index, source))


IndexFillBackward0 = node_class("IndexFillBackward0",
                                lambda grad, dim, index: grad.index_fill(dim, index, 0))
IndexFillBackward1 = node_class(
    "IndexFillBackward1", lambda grad, dim, index: grad.index_fill(dim, index, 0),
    lambda grad, dim, index: grad.index_select(dim, index).sum())


def _apply_index_fill(input, target, dim, index, value):
    data = input._data
    if isinstance(value, Tensor) and value._data.ndim:
        raise RuntimeError(f"index_fill_ only supports a 0-dimensional value tensor, but got "
                           f"tensor with {value._data.ndim} dimension(s).")
    positions = index._data
    if positions.dtype != np.int64:
        raise IndexError("index_fill_(): Expected dtype int64 for index.")
    dim = normalize_dim(dim, max(data.ndim, 1))
    if positions.ndim > 1:
        raise RuntimeError("Index has to be a vector/scalar")
    extent = (data.shape or (1,))[dim]
    bad = first_out_of_bounds(positions, -extent, extent)
    if bad is not None:
        raise IndexError(f"index {bad} is out of bounds for dimension {dim} with size {extent}")
    if target is None:
        target = data.copy(order="K")
    fill = value._data if isinstance(value, Tensor) else value
    np.moveaxis(_nonempty(target), dim, 0)[positions.reshape(-1)] = np.asarray(fill).astype(
        data.dtype)
    if isinstance(value, Tensor):
        return target, IndexFillBackward1, (input, value), (dim, index)
    return target, IndexFillBackward0, (input,), (dim, index)


def index_fill(input, dim, index, value):
    """A copy of input with the slices at index along dim set to value."""
    return record(*_apply_index_fill(input, None, dim, index, value))


# ---- take, take_along_dim, put ----------------------------------------------------------------

def _take_backward(grad, index, input_shape):
    from ember.ops.creation import zeros
    return zeros(input_shape, dtype=grad.dtype).put(index, grad, accumulate=True)


TakeBackward0 = node_class("TakeBackward0", _take_backward)


def _flat_positions(index, numel):
    """Linear indices for take/put, negatives wrapped, with PyTorch's range error."""
    positions = index._data
    bad = first_out_of_bounds(positions, -numel, numel)
    if bad is not None:
        raise IndexError(f"out of range: tried to access index {bad} on a tensor of {numel} "
                         "elements.")
    if positions.size and positions.min() < 0:
        return np.where(positions < 0, positions + numel, positions)
    return positions


def take(input, index, *, out=None):
    """The elements of input, seen as 1-d, at index (shaped like index)."""
    if index._data.dtype != np.int64:
        raise RuntimeError(f"take(): Expected a long tensor for index, but got "
                           f"{dtype_name(index.dtype)}")
    data = input._data
    positions = _flat_positions(index, data.size)
    array = data.reshape(-1).take(positions)
    result = record(array, TakeBackward0, (input,), (index, data.shape))
    return finish_out(result, out, "take")


def take_along_dim(input, indices, dim=None, *, out=None):
    """gather() after broadcasting input and indices against each other (all dims but dim);
    with dim None, over the flattened input."""
    if dim is None:
        result = input.reshape(-1).gather(0, indices.reshape(-1))
        return finish_out(result, out, "take_along_dim")
    data = input._data
    positions = indices._data
    if data.ndim != positions.ndim:
        raise RuntimeError(
            "torch.take_along_dim(): input and indices should have the same number of "
            f"dimensions, but got {data.ndim} dimensions for input, and {positions.ndim} "
            "dimensions for indices")
    if positions.dtype != np.int64:
        raise RuntimeError(f"torch.take_along_dim(): dtype of indices should be Long but got "
                           f"{dtype_name(indices.dtype)}")
    dim = normalize_dim(dim, data.ndim)
    self_shape = list(data.shape)
    self_shape[dim] = positions.shape[dim]
    try:
        shape = list(np.broadcast_shapes(tuple(self_shape), positions.shape))
    except ValueError:
        raise broadcast_mismatch(tuple(self_shape), positions.shape) from None
    wide_indices = indices.expand(shape) if list(positions.shape) != shape else indices
    shape[dim] = data.shape[dim]
    wide_input = input.expand(shape) if list(data.shape) != shape else input
    return finish_out(wide_input.gather(dim, wide_indices), out, "take_along_dim")


def _put_self_backward(grad, index, source, accumulate):
    if accumulate:
        return grad
    from ember.ops.creation import zeros_like
    return grad.put(index, zeros_like(source), False)


PutBackward0 = node_class(
    "PutBackward0", _put_self_backward,
    lambda grad, index, source, accumulate: grad.take(index).reshape(source.shape))


def _apply_put(input, target, index, source, accumulate=False):
    data = input._data
    if index._data.dtype != np.int64:
        raise RuntimeError(f"put_(): Expected a long tensor for index, but got "
                           f"{dtype_name(index.dtype)}")
    if source._data.dtype != data.dtype:
        raise RuntimeError(
            "put_(): self and source expected to have the same dtype, but got self.dtype = "
            f"{dtype_name(input.dtype)} and source.dtype = {dtype_name(source.dtype)}")
    if source._data.size != index._data.size:
        raise IndexError(
            "put_(): Expected source and index to have the same number of elements, but got "
            f"source.numel() = {source._data.size}, index.numel() = {index._data.size}")
    positions = _flat_positions(index, data.size).reshape(-1)
    if target is None:
        target = data.copy(order="K")
    values = source._data.reshape(-1)
    if positions.size:
        if target.flags.c_contiguous:
            destination, spots = target.reshape(-1), positions
        else:
            destination, spots = target, np.unravel_index(positions, target.shape)
        if accumulate:
            np.add.at(destination, spots, values)
        else:
            destination[spots] = values
    return target, PutBackward0, (input, source), (index, source, accumulate)


def put(input, index, source, accumulate=False):
    """A copy of input with source written (or added) at index, input seen as 1-d."""
    return record(*_apply_put(input, None, index, source, accumulate))


for _name, _function, _apply in (
        ("scatter", scatter, _apply_scatter), ("scatter_add", scatter_add, _apply_scatter_add),
        ("scatter_reduce", scatter_reduce, _apply_scatter_reduce),
        ("index_add", index_add, _apply_index_add), ("index_copy", index_copy, _apply_index_copy),
        ("index_reduce", index_reduce, _apply_index_reduce),
        ("index_fill", index_fill, _apply_index_fill), ("put", put, _apply_put)):
    method(_name, _function)
    inplace_variant(_name, _function, _apply)

for _name, _function in (("gather", gather), ("index_select", index_select), ("take", take),
                         ("take_along_dim", take_along_dim)):
    method(_name, _function)
