"""torch.linalg's *_ex forms (cholesky_ex, inv_ex, solve_ex): the factor or solution together
with LAPACK's info code instead of an error. On a failing matrix they return what LAPACK leaves
behind (a partial Cholesky factor, the infs and nans of substituting through a zero pivot), as
PyTorch does, so LAPACK's unblocked algorithms are reproduced for those matrices only."""
import numpy as np

from ember import return_types
from ember._tensor import _wrap
from ember.ops._registry import RESULT, record
from ember.ops.linalg import column_major
from ember.ops.decompositions import (LinalgCholeskyExBackward0, LinalgInvExBackward0,
                                      LinalgSolveExBackward0, _check_floating, _check_square,
                                      _cholesky, _is_vector_rhs, _LinAlgError,
                                      _partial_cholesky, _singular_error, _solver_failed, inv,
                                      solve)
from ember.ops.lu import _getrf, _row_order

for _type_name, _fields in (("linalg_cholesky_ex", ("L", "info")),
                            ("linalg_inv_ex", ("inverse", "info")),
                            ("linalg_solve_ex", ("result", "info"))):
    setattr(return_types, _type_name, return_types._return_type(_type_name, _fields))


def _info(codes, batch_shape):
    return _wrap(np.asarray(codes, dtype=np.int32).reshape(batch_shape))


# ---- cholesky_ex -----------------------------------------------------------------------------

def cholesky_ex(A, *, upper=False, check_errors=False):
    """The Cholesky factor and info (0, or the order of the first leading minor that is not
    positive-definite) instead of an error."""
    _check_square("linalg.cholesky", A)
    _check_floating("linalg.cholesky", A)
    data = A._data
    batch_shape = data.shape[:-2]
    try:
        factor = _cholesky("linalg.cholesky_ex", A, upper, LinalgCholeskyExBackward0)
        return return_types.linalg_cholesky_ex((factor, _info(np.zeros(batch_shape), batch_shape)))
    except _LinAlgError:
        if check_errors:
            raise
    factors = []
    codes = []
    for matrix in data.reshape((-1,) + data.shape[-2:]):
        factor, code = _partial_cholesky(matrix)
        factors.append(np.tril(factor))
        codes.append(code)
    array = np.stack(factors).reshape(data.shape)
    if upper:
        array = np.swapaxes(array, -1, -2).conj()
    factor = record(column_major(array), LinalgCholeskyExBackward0, (A,), (RESULT, upper))
    return return_types.linalg_cholesky_ex((factor, _info(codes, batch_shape)))


# ---- inv_ex, solve_ex --------------------------------------------------------------------------

def _substitute(lu, rows, right_hand_sides):
    """getrs: forward and back substitution column by column, without skipping zeros, so a
    zero pivot spreads infs and nans the way the BLAS triangular solves do."""
    solution = right_hand_sides[rows].copy()
    size = lu.shape[0]
    for k in range(size):
        solution[k + 1:] -= np.multiply.outer(lu[k + 1:, k], solution[k])
    for k in reversed(range(size)):
        solution[k] /= lu[k, k]
        solution[:k] -= np.multiply.outer(lu[:k, k], solution[k])
    return solution


def _substitute_transposed(lu, rows, right_hand_sides):
    """getrs for A^T x = b from A's factors: U^T then L^T, row by row (dot products, as the
    BLAS solves transposed triangles), then the rows back in A's order."""
    work = right_hand_sides.copy()
    size = lu.shape[0]
    for k in range(size):
        work[k] = (work[k] - lu[:k, k] @ work[:k]) / lu[k, k]
    for k in reversed(range(size)):
        work[k] -= lu[k + 1:, k] @ work[k + 1:]
    solution = np.empty_like(work)
    solution[rows] = work
    return solution


def _singular_solve(matrices, right_hand_sides, transposed=False):
    """Solutions and info codes for a batch holding a singular matrix: getrf on the whole
    batch, then the substitutions matrix by matrix."""
    substitute = _substitute_transposed if transposed else _substitute
    factors, pivots, codes = _getrf(matrices)
    orders = _row_order(pivots, matrices.shape[-2])
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        solutions = [substitute(lu, rows, rhs)
                     for lu, rows, rhs in zip(factors, orders, right_hand_sides)]
    return np.stack(solutions), codes


def inv_ex(A, *, check_errors=False):
    """The inverse and info (0, or the first zero pivot of the LU factorisation) instead of
    an error."""
    _check_square("linalg.inv", A)
    _check_floating("linalg.inv", A)
    data = A._data
    batch_shape = data.shape[:-2]
    try:
        inverse = inv(A)
        return return_types.linalg_inv_ex((inverse, _info(np.zeros(batch_shape), batch_shape)))
    except _LinAlgError:
        if check_errors:
            raise _singular_error("linalg.inv_ex", data) from None
    matrices = data.reshape((-1,) + data.shape[-2:])
    identities = np.broadcast_to(np.eye(data.shape[-1], dtype=data.dtype), matrices.shape)
    solutions, codes = _singular_solve(matrices, identities)
    inverse = record(column_major(solutions.reshape(data.shape)), LinalgInvExBackward0, (A,), (RESULT,))
    return return_types.linalg_inv_ex((inverse, _info(codes, batch_shape)))


def solve_ex(A, B, *, left=True, check_errors=False):
    """The solution of A X = B (X A = B when left=False) and info (0, or the first zero pivot
    of A's LU factorisation) instead of an error."""
    batch_shape = A._data.shape[:-2]
    try:
        result = solve(A, B, left=left)
        return return_types.linalg_solve_ex((result, _info(np.zeros(batch_shape), batch_shape)))
    except _LinAlgError:
        if check_errors:
            raise _solver_failed("torch.linalg.solve_ex", A._data, B._data) from None
    a = A._data
    b = B._data
    vector = left and _is_vector_rhs(A, B)
    if vector:
        b = b[..., None]
    if not left:
        # X A = B is A^T X^T = B^T, solved with A's own LU factors as PyTorch does
        b = np.swapaxes(b, -1, -2)
    shape = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    matrices = np.broadcast_to(a, shape + a.shape[-2:]).reshape((-1,) + a.shape[-2:])
    right_hand_sides = np.broadcast_to(b, shape + b.shape[-2:]).reshape((-1,) + b.shape[-2:])
    solutions, _ = _singular_solve(matrices, right_hand_sides, transposed=not left)
    array = solutions.reshape(shape + b.shape[-2:])
    if vector:
        array = np.ascontiguousarray(array[..., 0])
    elif left:
        array = column_major(array)
    else:
        # X A = B is solved transposed, which leaves X row-major
        array = np.ascontiguousarray(np.swapaxes(array, -1, -2))
    codes = _getrf(a)[2]
    result = record(array, LinalgSolveExBackward0, (A, B), (A, RESULT, left))
    return return_types.linalg_solve_ex((result, _info(codes, batch_shape)))
