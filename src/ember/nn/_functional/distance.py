"""nn.functional.pdist: the p-norm distances between every pair of rows."""
import math

import numpy as np

from ember._tensor import _wrap
from ember.ops._registry import RESULT, node_class, record

__all__ = ["pdist"]


def _pair_indices(rows):
    """The row pairs (i, j), i < j, in PyTorch's order: (0, 1), (0, 2)..., (1, 2)..."""
    first, second = np.triu_indices(rows, 1)
    return first.astype(np.int64), second.astype(np.int64)


def _pdist_backward(grad, input, result, p):
    """d dist / d diff per pair (0 where the difference or the distance is 0, as ATen),
    scattered with + to each pair's first row and - to its second."""
    first, second = (_wrap(indices) for indices in _pair_indices(input.shape[0]))
    zeros = input * 0
    if p == 0 or first.numel() == 0:
        return zeros
    difference = input.index_select(0, first) - input.index_select(0, second)
    distance = result.unsqueeze(1)
    if p == 1:
        slope = difference.sign()
    elif math.isinf(p):
        slope = difference.sign() * (difference.abs() == distance)
    else:
        ratio = difference.abs() / distance
        slope = difference.sign() * ratio.pow(p - 1)
        slope = slope.masked_fill((difference == 0) | (distance == 0), 0)
    contribution = grad.unsqueeze(1) * slope
    return zeros.index_add(0, first, contribution).index_add(0, second, -contribution)


PdistBackward0 = node_class("PdistBackward0", _pdist_backward)


def pdist(input, p=2):
    """The p-norm distance between each pair of input's rows, as a 1-D tensor."""
    data = input._data
    if data.ndim != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {data.ndim}D")
    if data.dtype.kind not in "f":
        raise RuntimeError("pdist only supports floating-point dtypes")
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    first, second = _pair_indices(data.shape[0])
    difference = data[first] - data[second]
    distances = np.linalg.norm(difference, ord=p, axis=1) if difference.size else (
        np.zeros(first.size))
    return record(distances.astype(data.dtype, copy=False), PdistBackward0, (input,),
                  (input, RESULT, p))
