"""Matrix products: dot, mm, matmul and friends, on NumPy's BLAS."""
import numpy as np

from ember._errors import dtype_name
from ember._tensor import Tensor
from ember.ops._registry import method, node_class, record

__all__ = ["dot", "mm", "matmul"]


def _check_same_dtype(op_name, a, b):
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(f"{op_name} : expected both vectors to have same dtype, but found "
                           f"{dtype_name(a.dtype)} and {dtype_name(b.dtype)}")


DotBackward0 = node_class("DotBackward0", lambda grad, input, tensor: grad * tensor,
                          lambda grad, input, tensor: grad * input)
MmBackward0 = node_class("MmBackward0", lambda grad, input, mat2: grad.mm(mat2.t()),
                         lambda grad, input, mat2: input.t().mm(grad))


def dot(input, tensor):
    """The inner product of two 1-D tensors."""
    _check_same_dtype("dot", input, tensor)
    a = input._data
    b = tensor._data
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors")
    if a.shape[0] != b.shape[0]:
        raise RuntimeError(
            f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src [{b.shape[0]}] "
            f"to have the same number of elements, but got {a.shape[0]} and {b.shape[0]} "
            "elements respectively")
    return record(np.asarray(np.dot(a, b)), DotBackward0, (input, tensor), (input, tensor))


def mm(input, mat2):
    """The matrix product of two 2-D tensors."""
    a = input._data
    b = mat2._data
    if a.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if b.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    if a.shape[1] != b.shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({a.shape[0]}x"
                           f"{a.shape[1]} and {b.shape[0]}x{b.shape[1]})")
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: "
                           f"{a.dtype} != {b.dtype}")
    return record(np.matmul(a, b), MmBackward0, (input, mat2), (input, mat2))


def matmul(input, other):
    """The matrix product with PyTorch's broadcasting rules for 1-D and batched operands."""
    a = input._data
    b = other._data
    if a.ndim == 0 or b.ndim == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are "
                           f"{a.ndim}D and {b.ndim}D")
    if a.ndim == 1 and b.ndim == 1:
        return dot(input, other)
    if a.ndim == 2 and b.ndim == 2:
        return mm(input, other)
    raise NotImplementedError("batched matmul")


for _name, _function in (("dot", dot), ("mm", mm), ("matmul", matmul)):
    method(_name, _function)
Tensor.__matmul__ = matmul
Tensor.__rmatmul__ = lambda self, other: matmul(other, self)
