"""nn.functional: embedding and embedding_bag.

Lookups are NumPy fancy indexing; the weight gradients are one scatter-add (np.add.at) each,
recorded as ops of their own so that double backward (a lookup again) works."""
import numpy as np

from ember._dtype import int32, int64, promote_types
from ember._errors import dtype_name
from ember._tensor import _wrap
from ember.autograd.grad_mode import no_grad
from ember.ops._registry import node_class, record

__all__ = ["embedding", "embedding_bag"]


def _check_index_dtype(dtype, argument, function):
    if dtype not in (int64, int32):
        type_name = dtype_name(dtype) + "Tensor"
        raise RuntimeError(f"Expected tensor for argument #{argument} 'indices' to have one of "
                           f"the following scalar types: Long, Int; but got torch.{type_name} "
                           f"instead (while checking arguments for {function})")


def _check_indices(indices, function):
    _check_index_dtype(indices.dtype, 1, function)


def _lookup(weight_data, index_data):
    rows = weight_data.shape[0]
    if index_data.size and (index_data.min() < 0 or index_data.max() >= rows):
        raise IndexError("index out of range in self")
    return weight_data[index_data]


# ---- embedding ---------------------------------------------------------------------------------

def _embedding_backward(grad, indices, rows, padding_idx, scale_grad_by_freq):
    """Scatter-adds each looked-up row's gradient into a zero weight gradient."""
    g = grad._data
    width = g.shape[-1]
    flat_indices = indices.reshape(-1)
    flat_grad = g.reshape(-1, width)
    if scale_grad_by_freq:
        counts = np.bincount(flat_indices, minlength=rows)
        flat_grad = flat_grad / counts[flat_indices][:, None].astype(g.dtype)
    if padding_idx >= 0:
        keep = flat_indices != padding_idx
        flat_indices = flat_indices[keep]
        flat_grad = flat_grad[keep]
    array = np.zeros((rows, width), dtype=g.dtype)
    np.add.at(array, flat_indices, flat_grad)
    return record(array, EmbeddingDenseBackwardBackward0, (grad,),
                  (indices, padding_idx, scale_grad_by_freq, rows))


def _embedding_double_backward(gradgrad, indices, padding_idx, scale_grad_by_freq, rows):
    # the backward is linear in grad: its derivative looks rows up again
    picked = gradgrad[_wrap(indices)]
    if scale_grad_by_freq:
        counts = np.bincount(indices.reshape(-1), minlength=rows)[indices]
        picked = picked / _wrap(counts[..., None].astype(gradgrad._data.dtype))
    if padding_idx >= 0:
        keep = _wrap((indices != padding_idx)[..., None])
        picked = picked * keep
    return picked


EmbeddingDenseBackwardBackward0 = node_class("EmbeddingDenseBackwardBackward0",
                                             _embedding_double_backward)
EmbeddingBackward0 = node_class(
    "EmbeddingBackward0",
    lambda grad, indices, rows, padding_idx, scale:
        _embedding_backward(grad, indices, rows, padding_idx, scale),
    None)


def _renorm_rows(weight, indices, max_norm, norm_type):
    """Rescales, in place and without history, the looked-up rows whose norm exceeds
    max_norm (PyTorch's embedding_renorm_). As PyTorch, it walks the distinct indices in
    sorted order and selects each row before the lookup checks its range: rows before an
    out-of-range index are already rescaled when select() fails, and a negative index in
    range wraps."""
    _check_index_dtype(indices.dtype, 2, "embedding_renorm_")
    data = weight._data
    rows = np.unique(indices._data)
    bad = np.nonzero((rows < -data.shape[0]) | (rows >= data.shape[0]))[0]
    failing = None
    if bad.size:
        failing = rows[bad[0]]
        rows = rows[:bad[0]]
    with no_grad():
        selected = data[rows]
        norms = np.linalg.norm(selected, ord=norm_type, axis=1)
        over = norms > max_norm
        if over.any():
            scale = (max_norm / (norms[over] + 1e-7)).astype(data.dtype)
            data[rows[over]] = selected[over] * scale[:, None]
            weight._bump_version()
    if failing is not None:
        raise IndexError(f"select(): index {failing} out of range for tensor of size "
                         f"{list(data.shape)} at dimension 0")


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,
              scale_grad_by_freq=False, sparse=False):
    """Rows of weight selected by the integer indices in input."""
    rows = weight._data.shape[0]
    if padding_idx is not None:
        if padding_idx > 0 and padding_idx >= rows:
            raise AssertionError("Padding_idx must be within num_embeddings")
        if padding_idx < 0:
            if padding_idx < -rows:
                raise AssertionError("Padding_idx must be within num_embeddings")
            padding_idx = rows + padding_idx
    else:
        padding_idx = -1
    # PyTorch renormalises (with its own checks and messages) before the lookup's checks
    if max_norm is not None:
        _renorm_rows(weight, input, max_norm, norm_type)
    _check_indices(input, "embedding")
    index_data = input._data.astype(np.int64, copy=False)
    array = _lookup(weight._data, index_data)
    return record(array, EmbeddingBackward0, (weight, input),
                  (index_data, rows, padding_idx, scale_grad_by_freq))


# ---- embedding_bag -----------------------------------------------------------------------------

class _Bags:
    """Which bag each index belongs to, each index's per-sample scale, and the bag sizes."""

    __slots__ = ("indices", "bag_of", "scales", "count", "keep", "argmax", "mode")


def _bag_backward_weight(grad, per_sample_weights, weight, bags):
    width = grad._data.shape[1]
    rows = weight._data.shape[0]
    if bags.mode == "max":
        flat = (bags.argmax * width + np.arange(width)).reshape(-1)
        valid = (bags.argmax >= 0).reshape(-1)
        zeros = _wrap(np.zeros(rows * width, dtype=grad._data.dtype))
        source = grad.reshape(-1)[_wrap(np.nonzero(valid)[0])]
        return zeros.index_add(0, _wrap(flat[valid]), source).view(rows, width)
    contribution = grad[_wrap(bags.bag_of)]
    if bags.scales is not None:
        contribution = contribution * _wrap(bags.scales[:, None])
    if per_sample_weights is not None:
        contribution = contribution * per_sample_weights.reshape(-1)[_wrap(bags.keep)][:, None]
    zeros = _wrap(np.zeros((rows, width), dtype=grad._data.dtype))
    return zeros.index_add(0, _wrap(bags.indices), contribution)


def _bag_backward_per_sample(grad, per_sample_weights, weight, bags):
    looked_up = weight[_wrap(bags.indices)]
    products = (grad[_wrap(bags.bag_of)] * looked_up).sum(1)
    total = per_sample_weights._data.size
    zeros = _wrap(np.zeros(total, dtype=grad._data.dtype))
    result = zeros.index_add(0, _wrap(bags.keep), products)
    return result.view(per_sample_weights._data.shape)


EmbeddingBagBackward0 = node_class("EmbeddingBagBackward0", _bag_backward_weight, None, None,
                                   _bag_backward_per_sample)


def _bag_layout(input, offsets, include_last_offset):
    """Flat indices and the start offset of each bag, with PyTorch's checks."""
    if input._data.ndim == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated "
                             "is a mini-batch of fixed length sequences. However, found offsets "
                             f"of type {type(offsets)}")
        batch, length = input._data.shape
        return input._data.reshape(-1), np.arange(0, batch * length, length, dtype=np.int64)
    if input._data.ndim != 1:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension "
                         f"{input._data.ndim}")
    if offsets is None:
        raise ValueError("offsets has to be a 1D Tensor but got None")
    if offsets._data.ndim != 1:
        raise ValueError("offsets has to be a 1D Tensor")
    starts = offsets._data.astype(np.int64)
    if include_last_offset:
        starts = starts[:-1]
    return input._data, starts


def _bag_index_message(weight, mode, padding_idx, position, value, rows):
    """ATen words an out-of-range index by the kernel that meets it: the fbgemm fast path
    (float32/float16 rows, contiguous, sum or mean, no padding_idx) or the generic one."""
    data = weight._data
    fast = (data.dtype in (np.float32, np.float16) and mode != "max" and padding_idx is None
            and data.strides[1] == data.itemsize)
    if fast:
        return (f"Index {position} of input takes value {value} which is not in the valid "
                f"range [0, {rows})")
    return (f"embedding_bag: Expected idx >= 0 && idx < num_embeddings but found idx to be "
            f"{value}")


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2,
                  scale_grad_by_freq=False, mode="mean", sparse=False, per_sample_weights=None,
                  include_last_offset=False, padding_idx=None):
    """Sums, means or maxima of bags of embedding rows, without materialising the lookup."""
    if per_sample_weights is not None and input.shape != per_sample_weights.shape:
        raise ValueError(f"embedding_bag: If per_sample_weights ({per_sample_weights.shape}) is "
                         f"not None, then it must have the same shape as the input "
                         f"({input.shape})")
    if weight._data.ndim != 2:
        raise ValueError(f"weight has to be a 2D Tensor, but got Tensor of dimension "
                         f"{weight._data.ndim}")
    index_data, starts = _bag_layout(input, offsets, include_last_offset)
    if mode not in ("sum", "mean", "max"):
        raise ValueError("mode has to be one of sum, mean or max")
    if max_norm is not None:
        _renorm_rows(weight, input, max_norm, norm_type)
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError(f"embedding_bag: per_sample_weights was not None. "
                                  f"per_sample_weights is only supported for mode='sum' (got "
                                  f"mode='{mode}'). Please open a feature request on GitHub.")
    # ATen promotes indices and offsets to their common type before checking it (int16
    # indices pass with int64 offsets; a 2-D input's offsets take the input's dtype)
    offsets_dtype = input.dtype if offsets is None else offsets.dtype
    _check_index_dtype(promote_types(input.dtype, offsets_dtype), 1, "embedding_bag")
    rows, width = weight._data.shape
    if padding_idx is not None and padding_idx < 0:
        padding_idx = rows + padding_idx
    if starts.size and starts[0] != 0:
        raise RuntimeError(f"offsets[0] has to be 0, i.e., the first sequence in the mini-batch "
                           f"has to start from position 0. However, got {starts[0]}\n"
                           "[ torch.LongTensor{} ]")
    index_data = index_data.astype(np.int64, copy=False)
    bad = (index_data < 0) | (index_data >= rows)
    if bad.any():
        position = np.nonzero(bad)[0][0]
        raise RuntimeError(_bag_index_message(weight, mode, padding_idx, position,
                                              index_data[position], rows))
    bags = _Bags()
    bags.mode = mode
    bag_of = np.searchsorted(starts, np.arange(index_data.size), side="right") - 1
    keep = np.arange(index_data.size)
    if padding_idx is not None:
        keep = keep[index_data != padding_idx]
    bags.keep = keep
    bags.indices = index_data[keep]
    bags.bag_of = bag_of[keep]
    count = np.bincount(bags.bag_of, minlength=starts.size)
    dtype = weight._data.dtype
    looked_up = weight._data[bags.indices]
    if per_sample_weights is not None:
        looked_up = looked_up * per_sample_weights._data.reshape(-1)[keep][:, None]
    output = np.zeros((starts.size, width), dtype=dtype)
    bags.scales = None
    bags.argmax = None
    if mode == "max":
        output.fill(-np.inf)
        np.maximum.at(output, bags.bag_of, looked_up)
        output[count == 0] = 0
        # each bag's arg-max row per column (the first maximum, as PyTorch's kernel)
        winners = np.full((starts.size, width), -1, dtype=np.int64)
        order = np.arange(bags.indices.size)[::-1]
        hits = looked_up[order] == output[bags.bag_of[order]]
        bag_rows, columns = np.nonzero(hits)
        winners[bags.bag_of[order][bag_rows], columns] = bags.indices[order][bag_rows]
        bags.argmax = winners
    else:
        np.add.at(output, bags.bag_of, looked_up)
        if mode == "mean":
            divisor = np.maximum(count, 1).astype(dtype)
            output /= divisor[:, None]
            bags.scales = (1 / divisor)[bags.bag_of]
    bags.count = count
    return record(output, EmbeddingBagBackward0, (weight, input, offsets, per_sample_weights),
                  (per_sample_weights, weight, bags))
