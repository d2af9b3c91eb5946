"""linalg.solve_triangular: AX = B (or XA = B) for triangular A, with PyTorch's derivative
(written with ember ops, so it differentiates again)."""
import numpy as np

from ember._errors import broadcast_mismatch, dtype_name
from ember.ops._registry import RESULT, node_class, record
from ember.ops.linalg import adjoint, column_major

__all__ = ["solve_triangular"]


def check_linear_solve_inputs(b, A, name):
    """ATen's checks on the right-hand side b and the square matrices A of a solve (`name` is
    the function the size message names): dtypes, squareness, rows, broadcastable batches."""
    if b.dtype != A.dtype:
        raise RuntimeError(f"Expected b and A to have the same dtype, but found b of type "
                           f"{dtype_name(b.dtype)} and A of type {dtype_name(A.dtype)} instead.")
    rows, columns = A._data.shape[-2:]
    if rows != columns:
        raise RuntimeError(f"A must be batches of square matrices, but they are {rows} by "
                           f"{columns} matrices")
    if b._data.shape[-2] != rows:
        raise RuntimeError(f"Incompatible matrix sizes for {name}: each A matrix is {rows} by "
                           f"{columns} but each b matrix is {b._data.shape[-2]} by "
                           f"{b._data.shape[-1]}")
    batch_b, batch_a = b._data.shape[:-2], A._data.shape[:-2]
    try:
        np.broadcast_shapes(batch_b, batch_a)
    except ValueError:
        raise broadcast_mismatch(batch_b, batch_a) from None


def _triangle(matrix, upper, unitriangular):
    """The part of matrix the solve reads (strictly, when the unit diagonal is implied)."""
    offset = 1 if unitriangular else 0
    return matrix.triu(offset) if upper else matrix.tril(-offset)


def _solve_other_backward(grad, A, B, result, upper, left, unitriangular):
    return solve_triangular(adjoint(A), grad, upper=not upper, left=left,
                            unitriangular=unitriangular)


def _solve_input_backward(grad, A, B, result, upper, left, unitriangular):
    grad_b = _solve_other_backward(grad, A, B, result, upper, left, unitriangular)
    grad_a = -grad_b.matmul(adjoint(result)) if left else -adjoint(result).matmul(grad_b)
    return _triangle(grad_a, upper, unitriangular)


LinalgSolveTriangularBackward0 = node_class("LinalgSolveTriangularBackward0",
                                            _solve_input_backward, _solve_other_backward)


def _solve_array(a, b, upper, left, unitriangular):
    a = np.triu(a) if upper else np.tril(a)
    if unitriangular:
        a = a.copy()
        diagonal = np.einsum("...ii->...i", a)
        diagonal[...] = 1
    if not left:
        # X A = B  <=>  A^T X^T = B^T
        return np.swapaxes(_solve_array(np.swapaxes(a, -1, -2), np.swapaxes(b, -1, -2),
                                        not upper, True, False), -1, -2)
    batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    a = np.broadcast_to(a, batch + a.shape[-2:])
    b = np.broadcast_to(b, batch + b.shape[-2:])
    return np.linalg.solve(a, b)


def solve_triangular(A, B, *, upper, left=True, unitriangular=False, out=None):
    """Solves AX = B (left=True) or XA = B for a triangular A."""
    rows_a, rows_b = A.shape[-2:], B.shape[-2:]
    inner = B.shape[-2] if left else B.shape[-1]
    if A.shape[-1] != inner or A.shape[-1] != A.shape[-2]:
        equation = "AX = B" if left else "XA = B"
        raise RuntimeError(
            f"linalg.solve_triangular: Incompatible shapes of A and B for the equation "
            f"{equation} ({rows_a[0]}x{rows_a[1]} and {rows_b[0]}x{rows_b[1]})")
    array = _solve_array(A._data, B._data, upper, left, unitriangular)
    array = column_major(array.astype(np.result_type(A._data, B._data), copy=False))
    result = record(array, LinalgSolveTriangularBackward0, (A, B),
                    (A, B, RESULT, upper, left, unitriangular))
    if out is not None:
        out.copy_(result)
        return out
    return result
