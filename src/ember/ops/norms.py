"""Vector and matrix norms: torch.linalg.vector_norm, matrix_norm and norm."""
import math

import numpy as np

from ember import _dtype
from ember._errors import dtype_name, normalize_dim, normalize_dims
from ember._tensor import _wrap
from ember.ops._registry import RESULT, inplace_method, method, node_class, record
from ember.ops.decompositions import svdvals

__all__ = ["renorm"]


def _restore_reduced(tensor, dims, ndim, keepdim):
    """Unsqueezes reduced dims back (for broadcasting against the input) unless kept."""
    if keepdim:
        return tensor
    reduced = range(ndim) if dims is None else sorted(dims)
    for dim in reduced:
        tensor = tensor.unsqueeze(dim)
    return tensor


def _vector_norm_backward(grad, input, norm, ord, dims, keepdim):
    """PyTorch's norm_backward for the orders 0, 1, 2, +-inf and general p."""
    import ember  # the namespace (for where) loads after this module
    ndim = input._data.ndim
    if ord == 0:
        return _wrap(np.zeros(input._data.shape, dtype=grad._data.dtype))
    grad = _restore_reduced(grad, dims, ndim, keepdim)
    norm = _restore_reduced(norm, dims, ndim, keepdim)
    if ord == 1:
        return input.sgn() * grad
    if ord == 2:
        return input * ember.where(norm == 0, 0.0, grad / norm)
    if math.isinf(ord):
        mask = input.abs() == norm
        count = mask.sum(tuple(range(ndim)) if dims is None else tuple(dims), keepdim=True)
        return input.sgn() * ((grad / count) * mask)
    scale = ember.where(norm == 0, 0.0, grad / norm.pow(ord - 1))
    return input * input.abs().pow(ord - 2) * scale


LinalgVectorNormBackward0 = node_class("LinalgVectorNormBackward0", _vector_norm_backward)


def _check_norm_dtype(name, input, dtype):
    if input._data.dtype.kind not in "fc":
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. Got "
                           f"{dtype_name(input.dtype)}")
    if dtype is None:
        return input._data
    if not (dtype.is_floating_point or dtype.is_complex):
        raise RuntimeError(f"{name}: dtype should be floating point or complex, but got "
                           f"{dtype_name(dtype)}")
    if dtype.is_complex and input._data.dtype.kind != "c":
        raise RuntimeError(f"{name}: dtype should be real for real inputs, but got "
                           f"{dtype_name(dtype)}")
    if _dtype.promote_types(input.dtype, dtype) != dtype:
        raise RuntimeError(f"{name}: the dtype of the input ({dtype_name(input.dtype)}) should "
                           f"be convertible without narrowing to the specified dtype "
                           f"({dtype_name(dtype)})")
    return input._data.astype(_dtype.numpy_dtype(dtype), copy=False)


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None):
    """The ord-norm of x's entries over dim (all entries when dim is None)."""
    data = _check_norm_dtype("linalg.vector_norm", x, dtype)
    if isinstance(dim, int):
        dim = (dim,)
    dims = None if dim is None or len(dim) == 0 else normalize_dims(tuple(dim), data.ndim)
    if not data.ndim:
        dims = None  # a 0-d tensor accepts dim 0 or -1 and has nothing else to reduce
    magnitudes = np.abs(data)
    ord = float(ord)
    if math.isinf(ord):
        reduced = data.size if dims is None else math.prod(data.shape[d] for d in dims)
        if reduced == 0:
            raise RuntimeError("linalg.vector_norm cannot compute the inf norm on an empty tensor "
                               "because the operation does not have an identity")
        reducer = np.amax if ord > 0 else np.amin
        array = reducer(magnitudes, axis=dims, keepdims=keepdim)
    elif ord == 0:
        array = np.sum(magnitudes != 0, axis=dims, keepdims=keepdim).astype(magnitudes.dtype)
    elif ord == 1:
        array = np.sum(magnitudes, axis=dims, keepdims=keepdim)
    elif ord == 2:
        array = np.sqrt(np.sum(np.square(magnitudes), axis=dims, keepdims=keepdim))
    else:
        array = np.power(np.sum(np.power(magnitudes, ord), axis=dims, keepdims=keepdim),
                         1.0 / ord)
    array = np.asarray(array, dtype=magnitudes.dtype)
    return record(array, LinalgVectorNormBackward0, (x,), (x, RESULT, ord, dims, keepdim))


_MATRIX_ORDERS = ("fro", "nuc", 1, -1, 2, -2, math.inf, -math.inf)


def _ord_text(ord):
    if isinstance(ord, float) and math.isinf(ord):
        return "inf" if ord > 0 else "-inf"
    return str(ord)


def _backshift(dims, ndim):
    """A permutation moving dims to the end (others keep their order), and its inverse."""
    permutation = [d for d in range(ndim) if d not in dims] + list(dims)
    inverse = [0] * ndim
    for position, dim in enumerate(permutation):
        inverse[dim] = position
    return permutation, inverse


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None):
    """A matrix norm ('fro', 'nuc', +-1, +-2, +-inf) over the two dims in dim."""
    if A._data.ndim < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 "
                           "dimensions.")
    if ord not in _MATRIX_ORDERS:
        raise RuntimeError(f"linalg.matrix_norm: Order {_ord_text(ord)} not supported.")
    ndim = A._data.ndim
    dims = tuple(normalize_dim(d, ndim) for d in dim)
    if len(dims) != 2 or dims[0] == dims[1]:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got {tuple(dim)}")
    if ord == "fro":
        return vector_norm(A, 2, dims, keepdim, dtype=dtype)
    if ord in ("nuc", 2, -2):
        _check_norm_dtype("linalg.matrix_norm", A, dtype)
        source = A if dtype is None else A.to(dtype)
        permutation, inverse = _backshift(dims, ndim)
        singular = svdvals(source.permute(permutation))
        if ord == "nuc":
            result = singular.sum(-1, keepdim=keepdim)
        elif ord > 0:
            result = singular.amax(-1, keepdim=keepdim)
        else:
            result = singular.amin(-1, keepdim=keepdim)
        if keepdim:
            result = result.unsqueeze(-1).permute(inverse)
        return result
    summed, extreme = dims
    if math.isinf(ord):
        summed, extreme = extreme, summed
    if not keepdim and summed < extreme:
        extreme -= 1
    sums = vector_norm(A, 1, summed, keepdim, dtype=dtype)
    if ord > 0:
        return sums.amax(extreme, keepdim=keepdim)
    return sums.amin(extreme, keepdim=keepdim)


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None):
    """A vector or matrix norm, chosen from ord and dim as torch.linalg.norm chooses."""
    if dim is not None:
        dims = (dim,) if isinstance(dim, int) else tuple(dim)
        if len(dims) not in (1, 2):
            raise RuntimeError(f"linalg.norm: If dim is specified, it must be of length 1 or 2. "
                               f"Got {list(dims)}")
    else:
        dims = None
        if ord is not None and A._data.ndim not in (1, 2):
            raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must "
                               f"be 1D or 2D. Got {A._data.ndim}D.")
    if isinstance(ord, str):
        return matrix_norm(A, ord, (-2, -1) if dims is None else dims, keepdim, dtype=dtype)
    if ord is not None and ((dims is not None and len(dims) == 2)
                            or (dims is None and A._data.ndim == 2)):
        return matrix_norm(A, ord, (-2, -1) if dims is None else dims, keepdim, dtype=dtype)
    return vector_norm(A, 2 if ord is None else ord, dims, keepdim, dtype=dtype)


# ---- renorm ------------------------------------------------------------------------------------

def _renorm_backward(grad, input, p, dim, maxnorm):
    """PyTorch's renorm_backward: the scale's own derivative enters only where it applied."""
    import ember  # the namespace (for where) loads after this module
    reduced = tuple(d for d in range(input._data.ndim) if d != dim)
    norm = vector_norm(input, p, reduced, keepdim=True)
    projected = input.conj() * grad
    if projected.is_complex():
        projected = projected.real
    norm_grad = _vector_norm_backward(projected.sum(reduced, keepdim=True), input, norm, p,
                                      reduced, True)
    inverse_norm = (norm + 1e-7).reciprocal()
    factor = inverse_norm * maxnorm
    return ember.where(norm > maxnorm, factor * grad - (factor * inverse_norm) * norm_grad, grad)


RenormBackward0 = node_class("RenormBackward0", _renorm_backward)


def renorm(input, p, dim, maxnorm):
    """Each slice along dim scaled down to p-norm maxnorm where its norm exceeds it."""
    data = input._data
    if data.ndim < 2:
        raise RuntimeError(f"renorm: input needs at least 2 dimensions, got {data.ndim} "
                           "dimensions")
    dim = normalize_dim(dim, data.ndim)
    if p <= 0:
        raise RuntimeError("renorm: non-positive-norm not supported")
    if maxnorm < 0:
        # PyTorch prints the Scalar through a C++ stream: %g
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm:g}")
    reduced = tuple(d for d in range(data.ndim) if d != dim)
    norm = vector_norm(_wrap(data), p, reduced, keepdim=True)._data
    # the 1e-7 keeps the scaled norm just under maxnorm, as PyTorch's kernel does
    scale = np.where(norm > maxnorm, maxnorm / (norm + 1e-7), 1).astype(norm.dtype)
    array = (data * scale).astype(data.dtype, copy=False)
    return record(array, RenormBackward0, (input,), (input, p, dim, maxnorm))


method("renorm", renorm)
inplace_method("renorm", renorm)
