"""Separable linear maps over spatial axes: one small matrix per axis applied with BLAS.

Adaptive average pooling, area/linear/bilinear/bicubic/trilinear interpolation and the
backward of nearest interpolation are all such maps (each output row of an axis is a fixed
weighted sum of input rows). The forward applies the matrices; the backward applies their
transposes; each is the other's derivative, so gradients of any order work.
"""
import numpy as np

from ember.ops._registry import node_class, record

__all__ = ["map_pair", "apply_maps", "map_axes"]


def map_axes(data, matrices):
    """`data` with matrix (out, in) applied along each (axis, matrix) pair (contiguous)."""
    out = data
    ndim = data.ndim
    for axis, matrix in matrices:
        axis = axis + ndim if axis < 0 else axis
        matrix = matrix.astype(out.dtype, copy=False)
        if axis == ndim - 1:
            out = np.matmul(out, matrix.T)
        elif axis == ndim - 2:
            out = np.matmul(matrix, out)
        else:
            out = np.moveaxis(np.tensordot(matrix, out, axes=(1, axis)), 0, axis)
    return np.ascontiguousarray(out)


def _transposed(matrices):
    return tuple((axis, matrix.T) for axis, matrix in reversed(matrices))


def map_pair(forward_name):
    """The node classes of a separable map named `forward_name` and of its backward."""
    def forward_rule(grad, matrices):
        return apply_maps(grad, _transposed(matrices), backward_cls)

    def backward_rule(grad, matrices):
        return apply_maps(grad, _transposed(matrices), forward_cls)

    forward_cls = node_class(forward_name, forward_rule)
    backward_cls = node_class(forward_name[:-1] + "Backward0", backward_rule)
    return forward_cls, backward_cls


def apply_maps(input, matrices, node_cls):
    """Records `input` mapped by `matrices` ((axis, (out, in) array) pairs) as node_cls."""
    return record(map_axes(input._data, matrices), node_cls, (input,), (matrices,))
