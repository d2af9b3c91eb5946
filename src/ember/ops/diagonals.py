"""Triangles and diagonals of matrices: tril, triu, trace, diag, diag_embed, diagflat."""
import numpy as np

from ember._errors import normalize_dim
from ember._tensor import Tensor
from ember.ops._registry import inplace_method, method, node_class, record

__all__ = ["tril", "triu", "trace", "diag", "diag_embed", "diagflat"]


def _scatter_diagonal(values, shape, offset, dim1, dim2):
    """A zero array of `shape` whose (offset, dim1, dim2) diagonal holds `values` (whose last
    dim runs along the diagonal, as diagonal() returns it)."""
    out = np.zeros(shape, dtype=values.dtype)
    moved = np.moveaxis(out, (dim1, dim2), (-2, -1))
    length = values.shape[-1]
    positions = np.arange(length)
    moved[..., positions + max(-offset, 0), positions + max(offset, 0)] = values
    return out


def _diagonal_copy(input, offset, dim1, dim2, node_cls):
    array = np.diagonal(input._data, offset, dim1, dim2).copy()
    return record(array, node_cls, (input,), (input._data.shape, offset, dim1, dim2))


def _diagonal_backward(grad, input_shape, offset, dim1, dim2):
    """The gradient of a diagonal: `grad` placed on the diagonal of zeros shaped like the
    input (a primitive so that it is itself differentiable)."""
    array = _scatter_diagonal(grad._data, input_shape, offset, dim1, dim2)
    return record(array, DiagonalBackwardBackward0, (grad,), (offset, dim1, dim2))


DiagonalBackwardBackward0 = node_class(
    "DiagonalBackwardBackward0",
    lambda grad, offset, dim1, dim2: _diagonal_copy(grad, offset, dim1, dim2,
                                                    DiagonalBackward0_copy))
DiagonalBackward0_copy = node_class(
    "DiagonalBackward0_copy",
    lambda grad, input_shape, offset, dim1, dim2: _diagonal_backward(grad, input_shape, offset,
                                                                     dim1, dim2))


# ---- triangles -----------------------------------------------------------------------------------

TrilBackward0 = node_class("TrilBackward0", lambda grad, diagonal: grad.tril(diagonal))
TriuBackward0 = node_class("TriuBackward0", lambda grad, diagonal: grad.triu(diagonal))


def _check_matrix_like(name, input):
    if input._data.ndim < 2:
        raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")


def tril(input, diagonal=0):
    """The lower triangle of the last two dims (elements above `diagonal` zeroed)."""
    _check_matrix_like("tril", input)
    return record(np.tril(input._data, diagonal), TrilBackward0, (input,), (diagonal,))


def triu(input, diagonal=0):
    """The upper triangle of the last two dims (elements below `diagonal` zeroed)."""
    _check_matrix_like("triu", input)
    return record(np.triu(input._data, diagonal), TriuBackward0, (input,), (diagonal,))


# ---- trace and diagonals -------------------------------------------------------------------------

def _trace_backward(grad, input_shape):
    length = min(input_shape)
    return _diagonal_backward(grad.expand(length), input_shape, 0, 0, 1)


TraceBackward0 = node_class("TraceBackward0", _trace_backward)


def trace(input):
    """The sum of the main diagonal of a matrix (integers sum to int64)."""
    data = input._data
    if data.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {data.ndim}")
    if data.dtype.kind == "b":
        raise NotImplementedError("\"trace\" not implemented for 'Bool'")
    numpy_dtype = np.int64 if data.dtype.kind in "iu" else None
    return record(np.asarray(np.trace(data, dtype=numpy_dtype)), TraceBackward0, (input,),
                  (data.shape,))


DiagEmbedBackward0 = node_class(
    "DiagEmbedBackward0",
    lambda grad, offset, dim1, dim2: _diagonal_copy(grad, offset, dim1, dim2,
                                                    DiagonalBackward0_copy))


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """A tensor whose (offset, dim1, dim2) diagonals are filled from input's last dim."""
    data = input._data
    ndim = data.ndim + 1
    dim1 = normalize_dim(dim1, ndim)
    dim2 = normalize_dim(dim2, ndim)
    if dim1 == dim2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    size = data.shape[-1] + abs(offset)
    shape = list(data.shape[:-1])
    for dim in sorted((dim1, dim2)):
        shape.insert(dim, size)
    array = _scatter_diagonal(data, tuple(shape), offset, dim1, dim2)
    return record(array, DiagEmbedBackward0, (input,), (offset, dim1, dim2))


def diag(input, diagonal=0):
    """A 1-D tensor's square diagonal matrix, or a 2-D tensor's diagonal (a copy)."""
    ndim = input._data.ndim
    if ndim == 1:
        return diag_embed(input, diagonal)
    if ndim == 2:
        return _diagonal_copy(input, diagonal, 0, 1, DiagonalBackward0_copy)
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {ndim}D")


def diagflat(input, offset=0):
    """The flattened input as the `offset` diagonal of a square matrix."""
    return diag_embed(input.contiguous().view(-1), offset)


def linalg_diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    """The diagonals of a batch of matrices (a view), as torch.linalg.diagonal."""
    return A.diagonal(offset, dim1, dim2)


for _name, _function in (("tril", tril), ("triu", triu), ("trace", trace), ("diag", diag),
                         ("diag_embed", diag_embed), ("diagflat", diagflat)):
    method(_name, _function)
inplace_method("tril", tril)
inplace_method("triu", triu)


def fill_diagonal_(self, fill_value, wrap=False):
    """Fills the main diagonal in place (every index equal); wrap continues a tall matrix's
    diagonal below its square top, every width + 1 rows."""
    shape = self.shape
    if len(shape) < 2:
        raise RuntimeError("dimensions must larger than 1")
    if len(shape) > 2 and any(size != shape[0] for size in shape[1:]):
        raise RuntimeError("all dimensions of input must be of equal length")
    # PyTorch writes through as_strided views and fill_, so autograd records CopySlices
    stride = sum(self.stride())
    offset = self.storage_offset()
    self.as_strided((min(shape[0], shape[1]),), (stride,), offset).fill_(fill_value)
    height, width = shape[0], shape[1]
    if wrap and len(shape) == 2 and height > width + 1:
        step = width + 1
        wrapped = (self.numel() + step - 1) // step - min(height, width)
        self.as_strided((wrapped,), (stride,), offset + self.stride(0) * step).fill_(fill_value)
    return self


Tensor.fill_diagonal_ = fill_diagonal_
