"""Order statistics and counting: sort, argsort, msort, topk, kthvalue, median, nanmedian,
mode, unique, unique_consecutive, bincount, histc."""
import numpy as np

from ember import return_types
from ember._errors import dtype_name, normalize_dim
from ember._tensor import _wrap
from ember.ops._registry import RESULT, method, node_class, record, record_multi
from ember.ops.joining import finish_out
from ember.ops.reduction import (evenly_distribute_backward, kernel_missing, reject_complex,
                                 value_selecting_backward)

_SORT_COMPLEX = " Sort does not support complex dtypes on CPU"

__all__ = ["sort", "argsort", "msort", "topk", "kthvalue", "median", "nanmedian", "mode",
           "unique", "unique_consecutive", "bincount", "histc"]


def _stable_order(data, dim, descending):
    """Stable sorting indices along dim; NaN sorts as the largest value. Descending keeps tied
    elements in their original order too."""
    if not descending:
        return np.argsort(data, axis=dim, kind="stable")
    # sorting the reversed array and reversing back keeps ties in order when descending
    order = np.argsort(np.flip(data, axis=dim), axis=dim, kind="stable")
    return data.shape[dim] - 1 - np.flip(order, axis=dim)


def _pair(values, indices, node_cls, input, saved, result_type):
    outs = record_multi((values, indices.astype(np.int64, copy=False)), node_cls, (input,),
                        saved, (True, False))
    return result_type(outs)


def _scatter_backward(grads, input_shape, dim, indices):
    return value_selecting_backward(grads[0], dim, indices, input_shape, True)


def _selected_backward(grads, input_shape, dim, indices, keepdim):
    return value_selecting_backward(grads[0], dim, indices, input_shape, keepdim)


SortBackward0 = node_class("SortBackward0", _scatter_backward, multi_output=True)
# torch.sort(..., stable=...) is a separate overload with its own node
SortBackward1 = node_class("SortBackward1", _scatter_backward, multi_output=True)
TopkBackward0 = node_class("TopkBackward0", _scatter_backward, multi_output=True)
KthvalueBackward0 = node_class("KthvalueBackward0", _selected_backward, multi_output=True)
MedianBackward1 = node_class("MedianBackward1", _selected_backward, multi_output=True)
NanmedianBackward1 = node_class("NanmedianBackward1", _selected_backward, multi_output=True)
ModeBackward0 = node_class("ModeBackward0", _selected_backward, multi_output=True)


# ---- sort, argsort, msort, topk -----------------------------------------------------------------

def sort(input, dim=-1, descending=False, *, stable=None):
    """(values, indices) sorted along dim; always stable, so ties keep their order."""
    data = input._data
    dim = normalize_dim(dim, data.ndim)
    node_cls = SortBackward0 if stable is None else SortBackward1
    reject_complex(input, _SORT_COMPLEX)
    if not data.ndim:
        return _pair(data.copy(), np.zeros((), np.int64), node_cls, input,
                     ((), dim, None), return_types.sort)
    order = _stable_order(data, dim, descending)
    values = np.take_along_axis(data, order, axis=dim)
    return _pair(values, order, node_cls, input, (data.shape, dim, order), return_types.sort)


def argsort(input, dim=-1, descending=False, *, stable=False):
    """The indices that sort input along dim."""
    data = input._data
    dim = normalize_dim(dim, data.ndim)
    reject_complex(input, _SORT_COMPLEX)
    if not data.ndim:
        return _wrap(np.zeros((), np.int64))
    return _wrap(_stable_order(data, dim, descending).astype(np.int64, copy=False))


def msort(input):
    """input sorted along its first dim."""
    return sort(input, 0)[0]


def topk(input, k, dim=-1, largest=True, sorted=True):
    """The k largest (or smallest) elements along dim and their indices (which of several tied
    elements is picked is unspecified, as in PyTorch)."""
    data = input._data
    if data.dtype.kind == "b":
        raise RuntimeError("topk does not support bool dtypes on CPU")
    reject_complex(input, " topk does not support complex dtypes on CPU")
    dim = normalize_dim(dim, data.ndim)
    extent = data.shape[dim] if data.ndim else 1
    if k < 0 or k > extent:
        raise RuntimeError("selected index k out of range")
    if not data.ndim:
        return _pair(data.copy(), np.zeros((), np.int64), TopkBackward0, input,
                     ((), dim, None), return_types.topk)
    # partition (linear time) to find the k candidates, then order only those, ties by index
    kept = np.arange(extent - k, extent) if largest else np.arange(k)
    if k:
        partitioned = np.argpartition(data, extent - k if largest else k - 1, axis=dim)
        candidates = np.sort(np.take(partitioned, kept, axis=dim), axis=dim)
    else:
        candidates = np.take(np.zeros(data.shape, np.int64), kept, axis=dim)
    ranks = _stable_order(np.take_along_axis(data, candidates, axis=dim), dim, largest)
    order = np.take_along_axis(candidates, ranks, axis=dim)
    values = np.take_along_axis(data, order, axis=dim)
    return _pair(values, order, TopkBackward0, input, (data.shape, dim, order),
                 return_types.topk)


# ---- kthvalue, median, nanmedian, mode ----------------------------------------------------------

def _select(name, input, dim, keepdim, select, node_cls, result_type):
    """The element of each slice along dim whose index select(data, dim) gives (keepdim)."""
    data = input._data
    dim = normalize_dim(dim, data.ndim)
    if not data.ndim:
        return _pair(data.copy(), np.zeros((), np.int64), node_cls, input,
                     ((), dim, None, keepdim), result_type)
    _require_nonempty_dim(name, data, dim)
    indices = select(data, dim)
    values = np.take_along_axis(data, indices, axis=dim)
    if not keepdim:
        indices = np.squeeze(indices, axis=dim)
        values = np.squeeze(values, axis=dim)
    return _pair(values, indices, node_cls, input, (data.shape, dim, indices, keepdim),
                 result_type)


def _require_nonempty_dim(name, data, dim):
    if data.ndim and data.shape[dim] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {dim} to have non-zero size.")


def _require_non_bool(kernel, input):
    kernel_missing(input, kernel, "bc")


def _nan_count(data, dim):
    if data.dtype.kind not in "fc":
        return np.zeros(data.shape[:dim] + (1,) + data.shape[dim + 1:], dtype=np.int64)
    return np.sum(np.isnan(data), axis=dim, keepdims=True)


def _kth_smallest_index(data, dim, position):
    """Index of the element at `position` of each slice's ascending order (NaN last), found by
    partitioning in linear time; among ties any may be picked, as in PyTorch."""
    return np.take(np.argpartition(data, position, axis=dim), [position], axis=dim)


def _stable_kth_index(data, dim, position):
    """Index of the element at `position` of each slice's stable ascending order: PyTorch's
    median breaks ties by index, so among equal values the order is the original one. Linear
    time: the value by partitioning, then the right occurrence of it."""
    value = np.take(np.partition(data, position, axis=dim), [position], axis=dim)
    smaller = np.sum(data < value, axis=dim, keepdims=True)
    equal = data == value
    occurrences = np.cumsum(equal, axis=dim)
    return np.argmax(equal & (occurrences == position - smaller + 1), axis=dim, keepdims=True)


def _median_indices(data, dim):
    indices = _stable_kth_index(data, dim, (data.shape[dim] - 1) // 2)
    if data.dtype.kind in "fc":
        # a slice holding NaN has median NaN, found at its first NaN
        nan = np.isnan(data)
        first_nan = np.argmax(nan, axis=dim, keepdims=True)
        indices = np.where(np.any(nan, axis=dim, keepdims=True), first_nan, indices)
    return indices


def _nanmedian_indices(data, dim):
    if data.dtype.kind not in "fc" or not np.isnan(data).any():
        return _median_indices(data, dim)
    # each slice has its own count of non-NaN values: pick positions from a full sort
    valid = data.shape[dim] - _nan_count(data, dim)
    positions = np.where(valid > 0, (valid - 1) // 2, 0)
    order = np.argsort(data, axis=dim, kind="stable")
    return np.take_along_axis(order, positions, axis=dim)


def kthvalue(input, k, dim=-1, keepdim=False):
    """The k-th smallest element along dim and its index."""
    data = input._data
    dim = normalize_dim(dim, data.ndim)
    _require_nonempty_dim("kthvalue", data, dim)
    _require_non_bool("kthvalue_cpu", input)
    extent = data.shape[dim] if data.ndim else 1
    if k < 1 or k > extent:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {dim}")

    def select(array, axis):
        return _kth_smallest_index(array, axis, k - 1)

    return _select("kthvalue", input, dim, keepdim, select, KthvalueBackward0,
                   return_types.kthvalue)


MedianBackward0 = node_class("MedianBackward0", evenly_distribute_backward)
NanmedianBackward0 = node_class("NanmedianBackward0", evenly_distribute_backward)


def _full_median(input, ignore_nan, node_cls):
    flat = input._data.reshape(-1)
    if ignore_nan and flat.dtype.kind in "fc":
        flat = flat[~np.isnan(flat)]
    if flat.size == 0:
        value = np.array(np.nan, dtype=input._data.dtype)
    elif flat.dtype.kind in "fc" and np.isnan(flat).any():
        value = np.array(np.nan, dtype=flat.dtype)
    else:
        value = np.partition(flat, (flat.size - 1) // 2)[(flat.size - 1) // 2]
    return record(np.asarray(value), node_cls, (input,), (input, RESULT))


def median(input, dim=None, keepdim=False):
    """The lower median of all elements, or (values, indices) along dim; NaN propagates."""
    if dim is None:
        _require_non_bool("median_cpu", input)
        return _full_median(input, False, MedianBackward0)
    _require_nonempty_dim("median", input._data, normalize_dim(dim, input._data.ndim))
    _require_non_bool("median_out", input)
    return _select("median", input, dim, keepdim, _median_indices, MedianBackward1,
                   return_types.median)


def nanmedian(input, dim=None, keepdim=False):
    """median ignoring NaN (NaN only where a slice is all NaN)."""
    if dim is None:
        _require_non_bool("median_cpu", input)
        return _full_median(input, True, NanmedianBackward0)
    _require_nonempty_dim("median", input._data, normalize_dim(dim, input._data.ndim))
    _require_non_bool("median_out", input)
    return _select("median", input, dim, keepdim, _nanmedian_indices, NanmedianBackward1,
                   return_types.nanmedian)


def _mode_position(sorted_values, dim):
    """Position in the stable ascending order of the last element of the first longest run
    of equal values (the smallest most frequent value, at its last occurrence)."""
    moved = np.moveaxis(sorted_values, dim, -1)
    rows = moved.reshape(-1, moved.shape[-1])
    starts = np.ones(rows.shape, dtype=bool)
    starts[:, 1:] = rows[:, 1:] != rows[:, :-1]
    run_ids = np.cumsum(starts.reshape(-1)) - 1
    run_lengths = np.bincount(run_ids)
    lengths = run_lengths[run_ids].reshape(rows.shape)
    ends = np.ones(rows.shape, dtype=bool)
    ends[:, :-1] = starts[:, 1:]
    best = np.argmax(np.where(ends, lengths, -1), axis=1)
    return np.moveaxis(best.reshape(moved.shape[:-1] + (1,)), -1, dim)


def mode(input, dim=-1, keepdim=False):
    """The most frequent value along dim (the smallest among equally frequent ones) and the
    index of its last occurrence."""
    kernel_missing(input, "mode_cpu")

    def select(array, axis):
        order = np.argsort(array, axis=axis, kind="stable")
        positions = _mode_position(np.take_along_axis(array, order, axis=axis), axis)
        return np.take_along_axis(order, positions, axis=axis)

    return _select("mode", input, dim, keepdim, select, ModeBackward0, return_types.mode)


# ---- unique, unique_consecutive -----------------------------------------------------------------

def _not_implemented(kernel, error=NotImplementedError, message="the derivative for '{}' is "
                     "not implemented."):
    """A rule for an op torch records but cannot differentiate: backward raises its error."""
    def rule(grad, *saved):
        raise error(message.format(kernel))
    return rule


Unique2Backward0 = node_class("Unique2Backward0", _not_implemented("_unique2"),
                              multi_output=True)
UniqueDimBackward0 = node_class("UniqueDimBackward0", _not_implemented("unique_dim"),
                                multi_output=True)
UniqueConsecutiveBackward0 = node_class("UniqueConsecutiveBackward0",
                                        _not_implemented("unique_consecutive"),
                                        multi_output=True)


def _unique_result(input, node_cls, values, inverse, counts, return_inverse, return_counts):
    outs = record_multi((values, inverse.astype(np.int64, copy=False),
                         counts.astype(np.int64, copy=False)), node_cls, (input,), (),
                        (True, False, False))
    result = [outs[0]]
    if return_inverse:
        result.append(outs[1])
    if return_counts:
        result.append(outs[2])
    return result[0] if len(result) == 1 else tuple(result)


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """The distinct elements (or slices along dim), sorted, with inverse indices and counts."""
    data = input._data
    kernel_missing(input, "unique" if dim is None else "unique_dim")
    if dim is None:
        values, inverse, counts = np.unique(data.reshape(-1), return_inverse=True,
                                            return_counts=True, equal_nan=False)
        inverse = inverse.reshape(data.shape)
        node_cls = Unique2Backward0
    else:
        dim = normalize_dim(dim, data.ndim)
        values, inverse, counts = np.unique(data, axis=dim, return_inverse=True,
                                            return_counts=True, equal_nan=False)
        inverse = inverse.reshape(-1)
        node_cls = UniqueDimBackward0
    return _unique_result(input, node_cls, values, inverse, counts, return_inverse,
                          return_counts)


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    """Collapses each run of equal consecutive elements (or slices along dim) to one."""
    kernel_missing(input, "unique")
    data = input._data
    if dim is None:
        rows = data.reshape(-1, 1)
    else:
        dim = normalize_dim(dim, data.ndim)
        rows = np.moveaxis(data, dim, 0).reshape(data.shape[dim] if data.ndim else 1, -1)
    starts = np.ones(rows.shape[0], dtype=bool)
    starts[1:] = np.any(rows[1:] != rows[:-1], axis=1)
    positions = np.flatnonzero(starts)
    counts = np.diff(np.append(positions, rows.shape[0]))
    inverse = np.cumsum(starts) - 1
    if dim is None:
        values = data.reshape(-1)[starts]
        inverse = inverse.reshape(data.shape)
    else:
        values = np.take(data, positions, axis=dim) if data.ndim else data.copy()
    return _unique_result(input, UniqueConsecutiveBackward0, values, inverse, counts,
                          return_inverse, return_counts)


# ---- bincount, histc ----------------------------------------------------------------------------

def bincount(input, weights=None, minlength=0):
    """Counts of each non-negative integer (weighted sums with weights)."""
    data = input._data
    if data.dtype.kind not in "iu":
        raise NotImplementedError(f"\"bincount_cpu\" not implemented for "
                                  f"'{dtype_name(input.dtype)}'")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    if data.ndim != 1 or (data.size and data.min() < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if weights is None:
        return _wrap(np.bincount(data, minlength=minlength).astype(np.int64, copy=False))
    weight_data = weights._data
    if weight_data.ndim != 1 or weight_data.shape[0] != data.shape[0]:
        raise RuntimeError("weights should be 1-d and have the same length as input")
    result_dtype = weight_data.dtype if weight_data.dtype.kind == "f" else np.float64
    counts = np.bincount(data, weights=weight_data, minlength=minlength)
    return record(counts.astype(result_dtype), NotImplemented, (weights,), ())


# torch records bincount's weights under a node literally named NotImplemented
NotImplemented = node_class("NotImplemented", _not_implemented(
    "aten::bincount", RuntimeError, "derivative for {} is not implemented"))


def _range_word(value):
    """A bound as C++ streams print it in PyTorch's histc message (1, 2.5, inf, -nan)."""
    if np.isnan(value):
        return "-nan"
    return f"{float(value):g}"


def histc(input, bins=100, min=0, max=0, *, out=None):
    """A histogram of `bins` equal bins over [min, max] (the data's range when both are 0)."""
    data = input._data
    kernel_missing(input, "aminmax_cpu")
    if data.dtype.kind not in "f":
        raise NotImplementedError(f"\"histogram_cpu\" not implemented for "
                                  f"'{dtype_name(input.dtype)}'")
    if bins <= 0:
        raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for "
                           "dimension 0")
    if min > max:
        raise RuntimeError("torch.histc: max must be larger than min")
    low, high = data.dtype.type(min), data.dtype.type(max)
    if low == high and data.size:
        low, high = data.min(), data.max()
    if low == high:
        low, high = low - 1, high + 1
    if not (np.isfinite(low) and np.isfinite(high)):
        raise RuntimeError(f"torch.histc: range of [{_range_word(low)}, {_range_word(high)}] "
                           "is not finite")
    flat = data.reshape(-1)
    inside = flat[(flat >= low) & (flat <= high)]
    positions = ((inside - low) * data.dtype.type(bins) / (high - low)).astype(np.int64)
    positions = np.minimum(positions, bins - 1)
    counts = np.bincount(positions, minlength=bins).astype(data.dtype)
    return finish_out(_wrap(counts), out, "histc")


for _name in __all__:
    method(_name, globals()[_name])
