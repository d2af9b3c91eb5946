"""The LU family: linalg.lu, lu_factor, lu_factor_ex, lu_solve, lu_unpack and the deprecated
torch.lu, torch.lu_solve and torch.triangular_solve. The factorisation is LAPACK getrf's partial
pivoting, batched in NumPy (one loop over the columns), so pivots, L and U are LAPACK's; the
derivatives are PyTorch's formulas written with ember ops, so they differentiate again."""

import numpy as np

from ember import return_types
from ember._errors import dtype_name, warn_once
from ember._tensor import _wrap
from ember.ops._elementwise import not_implemented
from ember.ops._registry import OUTPUT, RESULT, method, node_class, record, record_multi
from ember.ops.joining import cat
from ember.ops.linalg import _into_out, adjoint, column_major
from ember.ops.triangular_solve import check_linear_solve_inputs, solve_triangular

__all__ = ["lu", "lu_solve", "lu_unpack", "triangular_solve"]

for _type_name, _fields in (("linalg_lu", ("P", "L", "U")),
                            ("linalg_lu_factor", ("LU", "pivots")),
                            ("linalg_lu_factor_ex", ("LU", "pivots", "info")),
                            ("_lu_with_info", ("LU", "pivots", "info")),
                            ("lu_unpack", ("P", "L", "U")),
                            ("triangular_solve", ("solution", "cloned_coefficient"))):
    setattr(return_types, _type_name, return_types._return_type(_type_name, _fields))
    # with out=, torch names the result type <op>_out
    setattr(return_types, _type_name + "_out",
            return_types._return_type(_type_name + "_out", _fields))

# ATen issues its deprecation warnings once per process (TORCH_WARN_ONCE: _errors.warn_once)
_DEPRECATIONS = {
    "lu": "torch.lu is deprecated in favor of torch.linalg.lu_factor / torch.linalg.lu_factor_ex "
          "and will be removed in a future PyTorch release.\nLU, pivots = torch.lu(A, "
          "compute_pivots)\nshould be replaced with\nLU, pivots = torch.linalg.lu_factor(A, "
          "compute_pivots)\nand\nLU, pivots, info = torch.lu(A, compute_pivots, get_infos=True)"
          "\nshould be replaced with\nLU, pivots, info = torch.linalg.lu_factor_ex(A, "
          "compute_pivots) (Triggered internally at "
          "/__w/pytorch/pytorch/aten/src/ATen/native/BatchLinearAlgebra.cpp:2073.)",
    "lu_solve": "torch.lu_solve is deprecated in favor of torch.linalg.lu_solveand will be "
                "removed in a future PyTorch release.\nNote that torch.linalg.lu_solve has its "
                "arguments reversed.\nX = torch.lu_solve(B, LU, pivots)\nshould be replaced "
                "with\nX = torch.linalg.lu_solve(LU, pivots, B) (Triggered internally at "
                "/__w/pytorch/pytorch/aten/src/ATen/native/BatchLinearAlgebra.cpp:2230.)",
    "triangular_solve": "torch.triangular_solve is deprecated in favor of "
                        "torch.linalg.solve_triangularand will be removed in a future PyTorch "
                        "release.\ntorch.linalg.solve_triangular has its arguments reversed and "
                        "does not return a copy of one of the inputs.\nX = "
                        "torch.triangular_solve(B, A).solution\nshould be replaced with\nX = "
                        "torch.linalg.solve_triangular(A, B). (Triggered internally at "
                        "/__w/pytorch/pytorch/aten/src/ATen/native/BatchLinearAlgebra.cpp:2273.)",
}


# ---- the factorisation -------------------------------------------------------------------------

def _pivot_magnitude(column):
    # i?amax compares |re| + |im| for complex entries, not the modulus
    if column.dtype.kind == "c":
        return np.abs(column.real) + np.abs(column.imag)
    return np.abs(column)


def _getrf(data):
    """getrf on a batch: the packed factors, the 1-based int32 pivots (..., min(m, n)) and
    info (the first zero pivot, 1-based, or 0), carrying on past zero pivots as LAPACK does."""
    rows, columns = data.shape[-2:]
    steps = min(rows, columns)
    batch_shape = data.shape[:-2]
    count = int(np.prod(batch_shape, dtype=np.int64))
    factors = np.array(data, copy=True).reshape((count, rows, columns))
    every = np.arange(count)
    pivots = np.empty((count, steps), dtype=np.int32)
    info = np.zeros(count, dtype=np.int32)
    tiny = np.finfo(data.dtype).tiny
    for step in range(steps):
        pivot_rows = step + np.argmax(_pivot_magnitude(factors[:, step:, step]), axis=1)
        pivots[:, step] = pivot_rows + 1
        swapped = factors[every, pivot_rows].copy()
        factors[every, pivot_rows] = factors[:, step]
        factors[:, step] = swapped
        pivot = factors[:, step, step][:, None]
        zero = pivot[:, 0] == 0
        info[zero & (info == 0)] = step + 1
        below = factors[:, step + 1:, step]
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            # getf2 scales by the reciprocal unless that would overflow; a zero pivot's
            # column is all zeros and stays as it is
            scaled = np.where(np.abs(pivot) >= tiny, below * (1 / pivot), below / pivot)
        factors[:, step + 1:, step] = np.where(zero[:, None], below, scaled)
        factors[:, step + 1:, step + 1:] -= (factors[:, step + 1:, step, None]
                                             * factors[:, step, None, step + 1:])
    return (factors.reshape(data.shape), pivots.reshape(batch_shape + (steps,)),
            info.reshape(batch_shape))


def _row_order(pivots, rows):
    """The permutation the pivots' successive row swaps make: LU = A[..., order, :]."""
    batch_shape = pivots.shape[:-1]
    count = int(np.prod(batch_shape, dtype=np.int64))
    flat_pivots = pivots.reshape((count, pivots.shape[-1])).astype(np.intp) - 1
    order = np.broadcast_to(np.arange(rows), (count, rows)).copy()
    every = np.arange(count)
    for step in range(flat_pivots.shape[1]):
        target = flat_pivots[:, step]
        swapped = order[every, target].copy()
        order[every, target] = order[:, step]
        order[:, step] = swapped
    return order.reshape(batch_shape + (rows,))


def _permutation_matrix(pivots, rows, numpy_dtype):
    """P with A = P L U: P[order[i], i] = 1."""
    order = _row_order(pivots, rows)
    permutation = np.swapaxes(order[..., :, None] == np.arange(rows), -1, -2)
    return np.ascontiguousarray(permutation, dtype=numpy_dtype)


def _unpack_arrays(factors):
    rows, columns = factors.shape[-2:]
    steps = min(rows, columns)
    lower = np.tril(factors[..., :, :steps], -1) + np.eye(rows, steps, dtype=factors.dtype)
    upper = np.triu(factors[..., :steps, :])
    return lower, upper


def _unpack_tensors(LU):
    """L and U from the packed factors, as ember ops (so the rules differentiate again)."""
    rows, columns = LU.shape[-2:]
    steps = min(rows, columns)
    identity = _wrap(np.eye(rows, steps, dtype=LU._data.dtype))
    return LU[..., :, :steps].tril(-1) + identity, LU[..., :steps, :].triu()


# ---- derivatives -------------------------------------------------------------------------------

def _lu_backward(grad_L, grad_U, P, L, U, pivot):
    """PyTorch's linalg_lu_backward: A's gradient from those of L (m x k) and U (k x n)."""
    rows = L.shape[-2]
    columns = U.shape[-1]
    steps = min(rows, columns)
    if rows == columns:
        grad = adjoint(L).matmul(grad_L).tril(-1) + grad_U.matmul(adjoint(U)).triu()
        grad = solve_triangular(adjoint(U), grad, upper=False, left=False)
        grad = solve_triangular(adjoint(L), grad, upper=True, unitriangular=True)
    elif rows < columns:
        # wide: A = P L [U1 | U2]
        grad = adjoint(L).matmul(grad_L) - grad_U.triu().matmul(adjoint(U))
        grad = solve_triangular(adjoint(U[..., :steps]), grad.tril(-1), upper=False, left=False)
        grad = cat([grad + grad_U[..., :steps].triu(), grad_U[..., steps:]], -1)
        grad = solve_triangular(adjoint(L), grad, upper=True, unitriangular=True)
    else:
        # tall: A = P [L1; L2] U
        grad = grad_U.matmul(adjoint(U)) - adjoint(L).matmul(grad_L.tril(-1))
        grad = solve_triangular(adjoint(L[..., :steps, :]), grad.triu(), upper=True,
                                unitriangular=True)
        grad = cat([grad + grad_L[..., :steps, :].tril(-1), grad_L[..., steps:, :]], -2)
        grad = solve_triangular(adjoint(U), grad, upper=False, left=False)
    return P.matmul(grad) if pivot else grad


def _lu_factor_backward(grads, LU, pivots, pivot):
    steps = min(LU.shape[-2:])
    L, U = _unpack_tensors(LU)
    P = _wrap(_permutation_matrix(pivots._data, LU.shape[-2], LU._data.dtype))
    grad = grads[0]
    return _lu_backward(grad[..., :, :steps], grad[..., :steps, :], P, L, U, pivot)


def _lu_unpack_backward(grads, shape, unpack_data):
    if not unpack_data:
        # L and U were left empty: nothing flows back to the factors
        return _wrap(np.zeros(shape, dtype=grads[1]._data.dtype))
    grad_L = grads[1]
    grad_U = grads[2]
    m, n = shape[-2:]
    steps = min(m, n)
    if m == n:
        return grad_L.tril(-1) + grad_U.triu()
    if m < n:
        return cat([grad_U[..., :, :steps].triu() + grad_L.tril(-1), grad_U[..., :, steps:]], -1)
    return cat([grad_L[..., :steps, :].tril(-1) + grad_U.triu(), grad_L[..., steps:, :]], -2)


LinalgLuFactorExBackward0 = node_class(
    "LinalgLuFactorExBackward0", _lu_factor_backward, multi_output=True)
LinalgLuBackward0 = node_class(
    "LinalgLuBackward0",
    lambda grads, P, L, U, pivot: _lu_backward(grads[1], grads[2], P, L, U, pivot),
    multi_output=True)
LuUnpackBackward0 = node_class("LuUnpackBackward0", _lu_unpack_backward, None,
                               multi_output=True)


def _into_outs(results, out, name, type_name):
    """The results as return_types.<type_name>, or written into the out= tensors (then as
    <type_name>_out, holding those tensors)."""
    if out is None:
        return getattr(return_types, type_name)(results)
    written = tuple(_into_out(result, target, name) for result, target in zip(results, out))
    return getattr(return_types, type_name + "_out")(written)


# ---- checks ------------------------------------------------------------------------------------

def _check_matrix(name, A):
    if A._data.ndim < 2:
        raise RuntimeError(f"{name}: Expected tensor with 2 or more dimensions. Got size: "
                           f"{list(A._data.shape)} instead")


def _check_lu_input(name, A, pivot):
    _check_matrix(name, A)
    if A._data.dtype.kind not in "fc" or A._data.itemsize < 4:
        raise not_implemented("lu_cpu", A.dtype)
    if not pivot:
        raise RuntimeError("linalg.lu_factor: LU without pivoting is not implemented on the CPU")


def _zero_pivot_error(name, info):
    flat = info.reshape(-1)
    index = int(np.flatnonzero(flat)[0])
    prefix = f"(Batch element {index}): " if info.ndim > 0 else ""
    position = int(flat[index])
    return RuntimeError(
        f"{name}: {prefix}U[{position},{position}] is zero and using it on lu_solve would "
        "result in a division by zero. If you still want to perform the factorization, consider "
        "calling linalg.lu(A, pivot) or linalg.lu_factor_ex(A, pivot)")


# ---- public functions --------------------------------------------------------------------------

def _factor(A, pivot, check_errors, name):
    _check_lu_input("torch.lu_factor", A, pivot)
    factors, pivots, info = _getrf(A._data)
    if check_errors and np.any(info):
        raise _zero_pivot_error(name, info)
    # LAPACK writes the factors column by column, and torch returns them so
    return record_multi((column_major(factors), pivots, info), LinalgLuFactorExBackward0, (A,),
                        (OUTPUT[0], OUTPUT[1], pivot), differentiable=(True, False, False))


def lu_factor_ex(A, *, pivot=True, check_errors=False, out=None):
    """The packed LU factorisation, its pivots and LAPACK's info code."""
    results = _factor(A, pivot, check_errors, "torch.linalg.lu_factor_ex")
    return _into_outs(results, out, "linalg_lu_factor_ex", "linalg_lu_factor_ex")


def lu_factor(A, *, pivot=True, out=None):
    """The packed LU factorisation and its pivots; an error for a singular matrix."""
    results = _factor(A, pivot, True, "torch.linalg.lu_factor")[:2]
    return _into_outs(results, out, "linalg_lu_factor_ex", "linalg_lu_factor")


def lu(input, pivot=True, get_infos=False):
    """torch.lu (deprecated): lu_factor, with the info codes when get_infos is set."""
    warn_once("lu", _DEPRECATIONS["lu"])
    # torch's _lu_with_info no longer honours check_errors: singular inputs pass silently
    result = return_types._lu_with_info(_factor(input, pivot, False, "torch.lu"))
    if get_infos:
        return result
    return result[0], result[1]


def linalg_lu(A, *, pivot=True, out=None):
    """P, L, U with A = P L U (L unit lower trapezoidal, U upper trapezoidal)."""
    _check_lu_input("linalg.lu", A, pivot)
    factors, pivots, _ = _getrf(A._data)
    lower, upper = _unpack_arrays(factors)
    permutation = _permutation_matrix(pivots, factors.shape[-2], factors.dtype)
    outputs = record_multi((permutation, lower, upper), LinalgLuBackward0, (A,),
                           (OUTPUT[0], OUTPUT[1], OUTPUT[2], pivot),
                           differentiable=(False, True, True))
    return _into_outs(outputs, out, "linalg_lu", "linalg_lu")


def _check_pivots(LU_data, LU_pivots):
    pivots = LU_pivots._data
    if pivots.dtype != np.int32:
        raise RuntimeError("torch.lu_unpack: LU_pivots is expected to be a contiguous tensor of "
                           "torch.int32 dtype.\nNote: this function is intended to be used with "
                           "the output produced by torch.linalg.lu_factor")
    if pivots.size and (pivots.min() < 1 or pivots.max() > LU_data._data.shape[-2]):
        raise RuntimeError("pivots passed to lu_unpack must be between 1 and LU.size(-2) "
                           "inclusive.Did you properly pass the result of lu_factor?")


def lu_unpack(LU_data, LU_pivots, unpack_data=True, unpack_pivots=True, *, out=None):
    """P, L, U from lu_factor's packed factors and pivots."""
    _check_matrix("torch.lu_unpack", LU_data)
    _check_pivots(LU_data, LU_pivots)
    factors = LU_data._data
    nothing = np.empty(0, dtype=factors.dtype)
    lower, upper = _unpack_arrays(factors) if unpack_data else (nothing, nothing)
    permutation = nothing
    if unpack_pivots:
        permutation = _permutation_matrix(LU_pivots._data, factors.shape[-2], factors.dtype)
    outputs = record_multi((permutation, lower, upper), LuUnpackBackward0, (LU_data, LU_pivots),
                           (factors.shape, unpack_data), differentiable=(False, True, True))
    return _into_outs(outputs, out, "lu_unpack", "lu_unpack")


def _column_solve(triangle, rhs, lower, unit):
    """trsm for T X = B, batched and column by column as the BLAS kernels run it (no zero is
    skipped), so a zero on the diagonal spreads infs and nans as LAPACK's solves do."""
    solution = rhs.copy()
    size = triangle.shape[-1]
    for k in (range(size) if lower else reversed(range(size))):
        if not unit:
            solution[..., k, :] /= triangle[..., k, k, None]
        rest = slice(k + 1, None) if lower else slice(0, k)
        solution[..., rest, :] -= triangle[..., rest, k, None] * solution[..., k, None, :]
    return solution


def _row_solve(triangle, rhs, lower, unit):
    """trsm for T^T X = B, row by row (dot products, as the BLAS solves transposed
    triangles); `lower` describes T itself."""
    solution = rhs.copy()
    size = triangle.shape[-1]
    for k in (reversed(range(size)) if lower else range(size)):
        done = slice(k + 1, None) if lower else slice(0, k)
        dot = np.einsum("...i,...ij->...j", triangle[..., done, k], solution[..., done, :])
        solution[..., k, :] -= dot
        if not unit:
            solution[..., k, :] /= triangle[..., k, k, None]
    return solution


def _lu_solve_array(factors, pivots, rhs, left, adjoint_):
    if not left:
        # X op(A) = B  <=>  op(A)^H X^H = B^H
        flipped = np.conj(np.swapaxes(rhs, -1, -2))
        return np.conj(np.swapaxes(_lu_solve_array(factors, pivots, flipped, True,
                                                   not adjoint_), -1, -2))
    lower, upper = _unpack_arrays(factors)
    order = _row_order(pivots, factors.shape[-2])
    rows = np.broadcast_to(order[..., :, None], rhs.shape)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if adjoint_:
            # A^H = U^H L^H P^T, so X = P (L^H)^-1 (U^H)^-1 B
            solved = _row_solve(np.conj(upper), rhs, False, False)
            solved = _row_solve(np.conj(lower), solved, True, True)
            solution = np.empty_like(solved)
            np.put_along_axis(solution, rows, solved, axis=-2)
            return solution
        solved = _column_solve(lower, np.take_along_axis(rhs, rows, axis=-2), True, True)
        return _column_solve(upper, solved, False, False)


def _lu_solve_LU_backward(grad, LU, pivots, result, left, adjoint_):
    """PyTorch's linalg_lu_solve_LU."""
    L, U = _unpack_tensors(LU)
    if left != adjoint_:
        product = -(grad if left else adjoint(grad)).matmul(adjoint(result) if left else result)
        grad_R = solve_triangular(adjoint(U), product, upper=False)
        grad_L = solve_triangular(adjoint(L), grad_R.matmul(adjoint(U)), upper=True,
                                  unitriangular=True).tril(-1)
        return grad_L + grad_R.triu()
    P = _wrap(_permutation_matrix(pivots._data, LU.shape[-2], LU._data.dtype))
    grad_R = -P.mT.matmul(result if left else adjoint(result))
    grad_R = grad_R.matmul(adjoint(grad) if left else grad).matmul(P)
    grad_R = solve_triangular(adjoint(L), grad_R, upper=True, left=False, unitriangular=True)
    grad_U = solve_triangular(adjoint(U), adjoint(L).matmul(grad_R), upper=False,
                              left=False).triu()
    return grad_R.tril(-1) + grad_U


LinalgLuSolveBackward0 = node_class(
    "LinalgLuSolveBackward0", _lu_solve_LU_backward, None,
    lambda grad, LU, pivots, result, left, adjoint_: linalg_lu_solve(
        LU, pivots, grad, left=left, adjoint=not adjoint_))


def _check_lu_solve(LU, pivots, B, left):
    for name, value in (("LU", LU), ("B", B)):
        if value._data.ndim < 2:
            raise RuntimeError(f"linalg.lu_solve: The input tensor {name} must have at least 2 "
                               "dimensions.")
    rows, columns = LU._data.shape[-2:]
    if rows != columns:
        raise RuntimeError(f"torch.linalg.lu_solve: A must be batches of square matrices, but "
                           f"they are {rows} by {columns} matrices")
    inner = B._data.shape[-2] if left else B._data.shape[-1]
    if inner != rows:
        equation = "AX = B" if left else "XA = B"
        raise RuntimeError(f"linalg.lu_solve: Incompatible shapes of A and B for the equation "
                           f"{equation} ({rows}x{columns} and {B._data.shape[-2]}x"
                           f"{B._data.shape[-1]})")
    if LU.dtype != B.dtype:
        raise RuntimeError(f"linalg.lu_solve: Expected LU and B to have the same dtype, but found "
                           f"LU of type {dtype_name(LU.dtype)} and B of type "
                           f"{dtype_name(B.dtype)} instead")
    if pivots._data.dtype != np.int32:
        raise RuntimeError("linalg.lu_solve: pivots should be a Tensor of scalar type torch.int32")
    if pivots._data.shape[-1:] != (rows,):
        raise RuntimeError("linalg.lu_solve: Number of pivots per batch should be same as the "
                           "dimension of the matrix")
    if pivots._data.shape != LU._data.shape[:-1]:
        raise RuntimeError(f"linalg.lu_solve: Expected LU.shape[:-1] and pivots.shape to be the "
                           f"same, but got pivots with shape {list(pivots._data.shape)} instead")
    if LU._data.dtype.kind not in "fc":
        raise RuntimeError(f"torch.linalg.lu_solve: Expected a floating point or complex tensor "
                           f"as input. Got {dtype_name(LU.dtype)}")


def linalg_lu_solve(LU, pivots, B, *, left=True, adjoint=False, out=None):
    """The solution X of A X = B (X A = B when left=False; A^H when adjoint) from A's LU."""
    _check_lu_solve(LU, pivots, B, left)
    factors = LU._data
    rhs = B._data
    batch_shape = np.broadcast_shapes(factors.shape[:-2], rhs.shape[:-2])
    factors = np.broadcast_to(factors, batch_shape + factors.shape[-2:])
    pivot_rows = np.broadcast_to(pivots._data, batch_shape + pivots._data.shape[-1:])
    rhs = np.broadcast_to(rhs, batch_shape + rhs.shape[-2:])
    array = _lu_solve_array(factors, pivot_rows, rhs, left, adjoint)
    # getrs solves in column-major storage; XA = B is the transpose of such a solve
    array = array.astype(B._data.dtype, copy=False)
    array = column_major(array) if left else np.ascontiguousarray(array)
    result = record(array, LinalgLuSolveBackward0,
                    (LU, pivots, B), (LU, pivots, RESULT, left, adjoint))
    return result if out is None else _into_out(result, out, "linalg_lu_solve")


def lu_solve(input, LU_data, LU_pivots):
    """torch.lu_solve (deprecated): linalg.lu_solve with the arguments reversed."""
    warn_once("lu_solve", _DEPRECATIONS["lu_solve"])
    return linalg_lu_solve(LU_data, LU_pivots, input)


# ---- triangular_solve --------------------------------------------------------------------------

def _triangular_solve_backward(grads, input, A, solution, upper, transpose, unitriangular):
    """PyTorch's triangular_solve_backward: (grad of b, grad of A)."""
    grad_solution, grad_coefficient = grads
    grad_b = triangular_solve(grad_solution, A.conj(), upper, not transpose, unitriangular)[0]
    if transpose:
        grad_A = -solution.conj().matmul(grad_b.mT)
    else:
        grad_A = -grad_b.matmul(adjoint(solution))
    offset = 1 if unitriangular else 0
    grad_A = grad_A.triu(offset) if upper else grad_A.tril(-offset)
    return grad_b, grad_A + grad_coefficient


TriangularSolveBackward0 = node_class(
    "TriangularSolveBackward0",
    lambda grads, input, A, solution, upper, transpose, unitriangular: _triangular_solve_backward(
        grads, input, A, solution, upper, transpose, unitriangular)[0],
    lambda grads, input, A, solution, upper, transpose, unitriangular: _triangular_solve_backward(
        grads, input, A, solution, upper, transpose, unitriangular)[1],
    multi_output=True)


def _check_triangular_solve(input, A):
    for name, value in (("b", input), ("A", A)):
        if value._data.ndim < 2:
            raise RuntimeError(f"torch.triangular_solve: Expected {name} to have at least 2 "
                               f"dimensions, but it has {value._data.ndim} dimensions instead")
    check_linear_solve_inputs(input, A, "triangular_solve")
    if A._data.dtype.kind not in "fc" or A._data.itemsize < 4:
        raise not_implemented("triangular_solve_cpu", A.dtype)


def triangular_solve(input, A, upper=True, transpose=False, unitriangular=False, *, out=None):
    """torch.triangular_solve (deprecated): the solution of op(A) X = b and a copy of A."""
    warn_once("triangular_solve", _DEPRECATIONS["triangular_solve"])
    _check_triangular_solve(input, A)
    batch_shape = np.broadcast_shapes(input._data.shape[:-2], A._data.shape[:-2])
    coefficient = np.broadcast_to(A._data, batch_shape + A._data.shape[-2:])
    rhs = np.broadcast_to(input._data, batch_shape + input._data.shape[-2:])
    triangle = np.triu(coefficient) if upper else np.tril(coefficient)
    solve = _row_solve if transpose else _column_solve
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        solution = solve(triangle, rhs, not upper, unitriangular)
    outputs = record_multi((column_major(solution.astype(A._data.dtype, copy=False)),
                            column_major(coefficient)), TriangularSolveBackward0, (input, A),
                           (input, A, OUTPUT[0], upper, transpose, unitriangular))
    return _into_outs(outputs, out, "triangular_solve", "triangular_solve")


method("lu", lu)
method("lu_solve", lu_solve)
method("triangular_solve", triangular_solve)
