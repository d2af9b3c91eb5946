"""Matrix functions and matrices built from vectors: linalg.matrix_exp, linalg.eig/eigvals
(general, non-Hermitian eigendecomposition), linalg.cond, vander and linalg.vander, torch.dist
and inner.
Forwards in NumPy, derivatives in ember ops (PyTorch's formulas), PyTorch's errors."""
import math

import numpy as np

from ember import _dtype, return_types
from ember._errors import dtype_name
from ember._tensor import Tensor, _wrap
from ember.autograd.grad_mode import STATE
from ember.ops._elementwise import broadcasting, finish, require_tensor
from ember.ops._registry import OUTPUT, RESULT, binary_operands, method, node_class, record
from ember.ops._registry import record_multi
from ember.ops.decompositions import (LinalgInvExBackward0, _check_floating, _check_square,
                                      _singular_error, solve, svdvals)
from ember.ops.linalg import adjoint, column_major
from ember.ops.linalg_ex import inv_ex
from ember.ops.norms import _vector_norm_backward, matrix_norm, vector_norm

__all__ = ["matrix_exp", "vander", "dist", "inner"]

return_types.linalg_eig = return_types._return_type("linalg_eig", ("eigenvalues", "eigenvectors"))


# ---- matrix_exp ----------------------------------------------------------------------------------
# Scaling and squaring with the degree-13 Pade approximant (Higham 2005): the matrix is halved
# until its 1-norm is below theta_13, where the approximant is accurate to double precision.

_PADE_13 = (64764752532480000.0, 32382376266240000.0, 7771770303897600.0, 1187353796428800.0,
            129060195264000.0, 10559470521600.0, 670442572800.0, 33522128640.0,
            1323241920.0, 40840800.0, 960960.0, 16380.0, 182.0, 1.0)
_THETA_13 = 5.371920351148152


def _expm_one(matrix):
    size = matrix.shape[0]
    norm = np.abs(matrix).sum(axis=0).max()
    if not np.isfinite(norm):
        return np.full_like(matrix, np.nan)
    squarings = max(0, int(np.ceil(np.log2(norm / _THETA_13)))) if norm > 0 else 0
    scaled = matrix / (2.0 ** squarings)
    identity = np.eye(size, dtype=matrix.dtype)
    b = _PADE_13
    a2 = scaled @ scaled
    a4 = a2 @ a2
    a6 = a4 @ a2
    odd = scaled @ (a6 @ (b[13] * a6 + b[11] * a4 + b[9] * a2)
                    + b[7] * a6 + b[5] * a4 + b[3] * a2 + b[1] * identity)
    even = (a6 @ (b[12] * a6 + b[10] * a4 + b[8] * a2)
            + b[6] * a6 + b[4] * a4 + b[2] * a2 + b[0] * identity)
    result = np.linalg.solve(even - odd, even + odd)
    for _ in range(squarings):
        result = result @ result
    return result


def _expm(data):
    if not data.size:
        return data.copy()
    # float64 (complex128) inside: the approximant's coefficients span 17 orders of magnitude
    wide = np.complex128 if data.dtype.kind == "c" else np.float64
    matrices = data.astype(wide).reshape((-1,) + data.shape[-2:])
    stacked = np.stack([_expm_one(matrix) for matrix in matrices])
    return stacked.reshape(data.shape).astype(data.dtype)


def _matrix_exp_backward(grad, input):
    """PyTorch's rule: the top-right block of exp([[A^H, G], [0, A^H]])."""
    from ember.ops.joining import cat
    size = input._data.shape[-1]
    transposed = adjoint(input)
    zeros = transposed * 0
    block = cat([cat([transposed, grad], -1), cat([zeros, transposed], -1)], -2)
    return matrix_exp(block)[..., :size, size:]


LinalgMatrixExpBackward0 = node_class("LinalgMatrixExpBackward0", _matrix_exp_backward)


def matrix_exp(A):
    """The matrix exponential of each square matrix in A."""
    _check_square("linalg.matrix_exp", A)
    _check_floating("linalg.matrix_exp", A)
    return record(_expm(A._data), LinalgMatrixExpBackward0, (A,), (A,))


method("matrix_exp", matrix_exp)


# ---- eig, eigvals --------------------------------------------------------------------------------

def _eig_backward(grads, input, eigenvalues, eigenvectors):
    """PyTorch's linalg_eig_backward: gA = V^-H (diag(gL) + P(V^H gV) / conj(E)) V^H, with
    E_ij = L_j - L_i and P the projection removing V^H V diag(re(V^H gV))."""
    from ember.ops.ranges import eye
    grad_values, grad_vectors = grads
    size = eigenvalues._data.shape[-1]
    vectors_h = adjoint(eigenvectors)
    projected = vectors_h.matmul(grad_vectors)
    diagonal = projected.diagonal(0, -2, -1)
    imaginary = diagonal.imag
    if not np.allclose(imaginary._data, 0.0, rtol=1e-2, atol=1e-2):
        raise RuntimeError("linalg_eig_backward: The eigenvectors in the complex case are "
                           "specified up to multiplication by e^{i phi}. The specified loss "
                           "function depends on this quantity, so it is ill-defined.")
    projected = projected - vectors_h.matmul(eigenvectors * diagonal.real.unsqueeze(-2))
    conjugated = eigenvalues.conj()
    identity = eye(size, dtype=conjugated.real.dtype)
    gaps = conjugated.unsqueeze(-2) - conjugated.unsqueeze(-1) + identity
    inner_grad = projected / gaps * (1 - identity) + grad_values.diag_embed()
    return solve(vectors_h, inner_grad.matmul(vectors_h))


LinalgEigBackward0 = node_class("LinalgEigBackward0", _eig_backward, multi_output=True)

_COMPLEX_OF = {np.dtype(np.float32): np.complex64, np.dtype(np.float64): np.complex128,
               np.dtype(np.complex64): np.complex64, np.dtype(np.complex128): np.complex128}


def _eig_arrays(A):
    _check_square("linalg.eig", A)
    data = A._data
    complex_type = _COMPLEX_OF.get(data.dtype)
    if complex_type is None:
        # PyTorch looks up the complex counterpart of the dtype before anything else
        raise RuntimeError(f"Unknown Complex ScalarType for {dtype_name(A.dtype)}")
    if not np.isfinite(data).all():
        raise RuntimeError("torch.linalg.eig: input tensor should not contain infs or NaNs.")
    values, vectors = np.linalg.eig(data)
    # NumPy returns real arrays when every eigenvalue is real; PyTorch's are always complex
    return values.astype(complex_type), vectors.astype(complex_type)


def eig(A):
    """Eigenvalues and eigenvectors (unit norm, as LAPACK's geev gives them) of a square
    matrix, always complex."""
    values, vectors = _eig_arrays(A)
    outs = record_multi((values, column_major(vectors)), LinalgEigBackward0, (A,),
                        (A, OUTPUT[0], OUTPUT[1]))
    return return_types.linalg_eig(outs)


def eigvals(A):
    """The (complex) eigenvalues of a square matrix."""
    if A._requires_grad and STATE.enabled:
        # as PyTorch: the eigenvectors are needed for the gradient, so eig runs in full
        return eig(A).eigenvalues
    values, _ = _eig_arrays(A)
    return _wrap(values)


# ---- lstsq ---------------------------------------------------------------------------------------

return_types.linalg_lstsq = return_types._return_type(
    "linalg_lstsq", ("solution", "residuals", "rank", "singular_values"))
_LSTSQ_DRIVERS = ("gels", "gelsy", "gelsd", "gelss")


def _lstsq_backward(grads, A, B):
    """PyTorch's rule, through the pseudo-inverse: only the solution's gradient counts."""
    from ember.ops.decompositions import _pinv_backward, pinv
    grad = grads[0]
    vector = B._data.ndim == 1 or (B._data.ndim == A._data.ndim - 1
                                   and B._data.shape == A._data.shape[:-1])
    if vector:
        B = B.unsqueeze(-1)
        grad = grad.unsqueeze(-1)
    pinv_A = pinv(A)
    grad_A = _pinv_backward(grad.matmul(adjoint(B)), A, pinv_A)
    grad_B = adjoint(pinv_A).matmul(grad)
    return grad_A, grad_B.squeeze(-1) if vector else grad_B


LinalgLstsqBackward0 = node_class("LinalgLstsqBackward0",
                                  lambda grads, A, B: _lstsq_backward(grads, A, B)[0],
                                  lambda grads, A, B: _lstsq_backward(grads, A, B)[1],
                                  multi_output=True)


def lstsq(A, B, rcond=None, *, driver=None):
    """The least-squares solution of A X = B, with residuals, rank and singular values as
    PyTorch's CPU drivers report them (gelsy, the default, reports no residuals)."""
    driver = "gelsy" if driver is None else driver
    if driver not in _LSTSQ_DRIVERS:
        raise RuntimeError("torch.linalg.lstsq: parameter `driver` should be one of (gels, "
                           "gelsy, gelsd, gelss)")
    a = A._data
    b = B._data
    # a vector right-hand side: 1-D, or shaped as A without its last dim (torch.linalg.solve's
    # rule)
    vector = b.ndim == 1 or (b.ndim == a.ndim - 1 and b.shape == a.shape[:-1])
    if vector:
        b = b[..., None]
    if a.shape[-2] != b.shape[-2]:
        raise RuntimeError("torch.linalg.lstsq: input.size(-2) should match other.size(-2)")
    rows, columns = a.shape[-2:]
    batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    a_batch = np.broadcast_to(a, batch + a.shape[-2:]).reshape((-1,) + a.shape[-2:])
    b_batch = np.broadcast_to(b, batch + b.shape[-2:]).reshape((-1,) + b.shape[-2:])
    solutions, residuals, ranks, singular = [], [], [], []
    for matrix, rhs in zip(a_batch, b_batch):
        solution, residual, rank, values = np.linalg.lstsq(matrix, rhs, rcond=rcond)
        solutions.append(solution)
        residuals.append(residual)
        ranks.append(rank)
        singular.append(values)
    dtype = a.dtype
    real = np.empty(0, dtype).real.dtype
    solution = np.stack(solutions).reshape(batch + (columns, b.shape[-1])).astype(dtype)
    # LAPACK overwrites B, padded to max(m, n) rows, with the solution on top: torch returns
    # that view of the column-major buffer
    buffer = np.zeros(batch + (max(rows, columns), b.shape[-1]), dtype)
    buffer[..., :columns, :] = solution
    solution = column_major(buffer)[..., :columns, :]
    if vector:
        solution = solution[..., 0]
    full_rank = all(rank == min(rows, columns) for rank in ranks)
    if driver != "gelsy" and rows > columns and full_rank:
        residual = np.stack(residuals).reshape(batch + (b.shape[-1],)).astype(real)
    else:
        residual = np.empty(0, real)
    if driver == "gels":
        rank = np.empty(0, np.int64)
    else:
        rank = np.array(ranks, dtype=np.int64).reshape(batch)
    if driver in ("gelsd", "gelss"):
        values = np.stack(singular).reshape(batch + (min(rows, columns),)).astype(real)
    else:
        values = np.empty(0, real)
    solution_tensor, residual_tensor = record_multi(
        (solution, residual), LinalgLstsqBackward0, (A, B), (A, B))
    return return_types.linalg_lstsq((solution_tensor, residual_tensor, _wrap(rank),
                                      _wrap(values)))


# ---- cond ----------------------------------------------------------------------------------------
# PyTorch's composition: singular values for the 2-norms (and 'nuc'), otherwise
# norm(A) * norm(inv(A)) with a singular matrix's inverse filled with inf.

def _check_cond_order(ord):
    valid = ord in ("fro", "nuc") if isinstance(ord, str) else abs(ord) in (1, 2, math.inf)
    if not valid:
        raise RuntimeError(f"linalg.cond got an invalid norm type: {ord}")


def _order_text(ord):
    """The order as PyTorch's message prints it: an int as is, a float as C++'s to_string."""
    if isinstance(ord, str) or isinstance(ord, int):
        return str(ord)
    if math.isinf(ord):
        return "inf" if ord > 0 else "-inf"
    return f"{ord:.6f}"


def _inverse_or_inf(A):
    """linalg.inv_ex then masked_fill_, as PyTorch's cond: singular matrices' inverses become
    inf. The in-place fill moves the version of the saved inverse, so, as in PyTorch, a
    backward through this path fails."""
    _check_square("linalg.inv", A)
    _check_floating("linalg.inv", A)
    matrices = A._data.reshape((-1,) + A._data.shape[-2:])
    inverses = []
    singular = []
    for matrix in matrices:
        try:
            inverses.append(np.linalg.inv(matrix))
            singular.append(False)
        except np.linalg.LinAlgError:
            inverses.append(np.zeros_like(matrix))
            singular.append(True)
    batch = A._data.shape[:-2]
    inverse = record(np.stack(inverses).reshape(A._data.shape), LinalgInvExBackward0, (A,),
                     (RESULT,))
    info = _wrap(np.array(singular).reshape(batch + (1, 1)))
    return inverse.masked_fill_(info, math.inf)


def cond(A, p=None):
    """The condition number of A in the p-norm (the 2-norm by default)."""
    if A._data.ndim < 2:
        raise RuntimeError("linalg.cond: The input tensor must have at least 2 dimensions.")
    ord = 2 if p is None else p
    if isinstance(ord, str):
        _check_square(f"linalg.cond(ord={ord})", A)
        _check_cond_order(ord)
    else:
        _check_cond_order(ord)
    if not A._data.size:
        real = A._data.real.dtype if A._data.dtype.kind == "c" else A._data.dtype
        return _wrap(np.zeros(A._data.shape[:-2], dtype=real))
    if ord == "nuc":
        values = svdvals(A)
        return values.sum(-1) * values.reciprocal().sum(-1)
    if not isinstance(ord, str) and abs(ord) == 2:
        values = svdvals(A)
        largest = values.narrow(-1, 0, 1)
        smallest = values.narrow(-1, -1, 1)
        ratio = smallest / largest if ord < 0 else largest / smallest
        return ratio.squeeze(-1)
    _check_square(f"linalg.cond(ord={_order_text(ord)})", A)
    inverse = _inverse_or_inf(A)
    result = matrix_norm(A, ord) * matrix_norm(inverse, ord)
    # 0 * inf is nan for a singular matrix; PyTorch (and NumPy) report inf
    return result.nan_to_num_(math.inf, math.inf, -math.inf)


# ---- vander, linalg.vander -----------------------------------------------------------------------

def vander(x, N=None, increasing=False):
    """The Vandermonde matrix of a vector: columns x^(N-1) ... x^0 (or increasing powers)."""
    from ember.ops.creation import empty
    from ember.ops.joining import flip
    from ember.ops.scan import cumprod
    if x._data.ndim != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    size = x._data.shape[0]
    columns = size if N is None else N
    if columns < 0:
        raise RuntimeError("N must be non-negative.")
    # integral and bool inputs give int64 powers, as PyTorch promotes with Long
    dtype = _dtype.promote_types(x.dtype, _dtype.int64)
    result = empty(size, columns, dtype=dtype)
    result.fill_(1)
    if columns > 1:
        # PyTorch's own steps, so the history is PyTorch's (CopySlices): the cumprod reads the
        # slice it is then written into, so a backward through it fails as PyTorch's does
        tail = result[:, 1:]
        tail.copy_(x.unsqueeze(1))
        tail = result[:, 1:]
        tail.copy_(cumprod(tail, 1))
    if not increasing and columns > 0:
        return flip(result, [1])
    return result


def linalg_vander(x, *, N=None):
    """Vandermonde matrices of the last dim of x: increasing powers x^0 ... x^(N-1)."""
    from ember.ops.joining import cat
    from ember.ops.scan import cumprod
    shape = x._data.shape
    columns = N
    if columns is None:
        columns = shape[-1] if shape else 0
    if columns <= 1:
        raise RuntimeError("N must be greater than 1.")
    powers = cumprod(x.unsqueeze(-1).expand(shape + (columns - 1,)), -1)
    return cat([powers.new_ones(shape + (1,)), powers], -1)


# ---- dist, inner ---------------------------------------------------------------------------------

def _dist_input_backward(grad, input, other, p, result):
    return _vector_norm_backward(grad, input - other, result, p, None, False)


def _dist_other_backward(grad, input, other, p, result):
    return -_vector_norm_backward(grad, input - other, result, p, None, False)


DistBackward0 = node_class("DistBackward0", _dist_input_backward, _dist_other_backward)


def dist(input, other, p=2):
    """The p-norm of input - other (broadcast)."""
    require_tensor("dist", other)
    a, b, dtype = binary_operands(input, other)
    if dtype.kind not in "fc":
        raise RuntimeError("norm(): input dtype should be either floating point or complex. "
                           f"Got {dtype_name(_dtype.FROM_NUMPY[dtype])} instead.")
    difference = _wrap(broadcasting(np.subtract, a, b))
    array = vector_norm(difference, float(p))._data
    return record(array, DistBackward0, (input, other), (input, other, float(p), RESULT))


def inner(input, other, *, out=None):
    """Sum of products over the last dims of input and other (a product if either is 0-d)."""
    from ember.ops.contractions import tensordot
    if not isinstance(other, Tensor):
        require_tensor("inner", other)
    if input._data.ndim == 0 or other._data.ndim == 0:
        result = input * other
    else:
        if input._data.shape[-1] != other._data.shape[-1]:
            raise RuntimeError(f"inner() the last dimension must match on both input tensors "
                               f"but got shapes {list(input._data.shape)} and "
                               f"{list(other._data.shape)}")
        result = tensordot(input, other, ([-1], [-1]))
    return finish(result, out, "inner")


for _name, _function in (("dist", dist), ("inner", inner)):
    method(_name, _function)


# ---- tensorinv, tensorsolve ----------------------------------------------------------------------
# PyTorch composes both from inv_ex and solve on the input reshaped to a square matrix

def tensorinv(A, ind=2):
    """The tensor X with tensordot(A, X, ind) the identity: the inverse of A reshaped to a
    square matrix, shaped A.shape[ind:] + A.shape[:ind]."""
    if ind <= 0:
        raise RuntimeError(f"Expected a strictly positive integer for 'ind', but got {ind}")
    leading = tuple(A.shape[:ind])
    trailing = tuple(A.shape[ind:])
    rows = math.prod(leading)
    columns = math.prod(trailing)
    if columns != rows:
        raise RuntimeError("Expected self to satisfy the requirement prod(self.shape[ind:]) == "
                           f"prod(self.shape[:ind]), but got {columns} != {rows}")
    square = A.reshape(columns, columns)
    inverse, info = inv_ex(square)
    if info.item():
        raise _singular_error("inv", square._data)
    return inverse.reshape(trailing + leading)


def tensorsolve(A, B, dims=None):
    """The tensor X with tensordot(A, X, X.ndim) = B; dims of A move to the end first."""
    ndim = A.dim()
    if dims is not None:
        A = A.movedim(tuple(dims), tuple(range(ndim - len(dims), ndim)))
    result_shape = tuple(A.shape[B.dim():])
    result_size = math.prod(result_shape)
    other_size = B.numel()
    if result_size != other_size:
        raise RuntimeError("Expected self to satisfy the requirement prod(self.shape[other.ndim:]) "
                           f"== prod(self.shape[:other.ndim]), but got {result_size} != "
                           f"{other_size}")
    result = solve(A.reshape(result_size, result_size), B.flatten())
    return result.reshape(result_shape)
