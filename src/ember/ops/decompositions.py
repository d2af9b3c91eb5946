"""Inverses, determinants, solvers and decompositions (torch.linalg's inv, det, slogdet, solve,
cholesky, qr, eigh, svd, pinv, ...) on NumPy's LAPACK, with PyTorch's derivative formulas
written in ember ops and PyTorch's errors."""

import numpy as np

from ember import return_types
from ember._errors import dtype_name, warn_once
from ember._tensor import _wrap
from ember.autograd.grad_mode import STATE
from ember.ops._elementwise import conjugate, not_implemented
from ember.ops._registry import OUTPUT, RESULT, method, node_class, record, record_multi
from ember.ops.linalg import _into_out, adjoint, column_major, cpp_type_name
from ember.ops.lu import _getrf
from ember.ops.triangular_solve import _solve_array, check_linear_solve_inputs

__all__ = ["det", "logdet", "slogdet", "inverse", "cholesky", "cholesky_inverse", "cholesky_solve",
           "qr", "svd", "pinverse", "matrix_power"]


class _LinAlgError(RuntimeError):
    """Raised when a matrix is singular or not positive-definite (torch.linalg.LinAlgError)."""


_LinAlgError.__module__ = "ember._C"

# torch.return_types for the multi-output decompositions (shared helper in ember.return_types)
for _type_name, _fields in (("linalg_slogdet", ("sign", "logabsdet")),
                            ("slogdet", ("sign", "logabsdet")), ("linalg_qr", ("Q", "R")),
                            ("qr", ("Q", "R")), ("linalg_eigh", ("eigenvalues", "eigenvectors")),
                            ("linalg_svd", ("U", "S", "Vh")), ("svd", ("U", "S", "V"))):
    setattr(return_types, _type_name, return_types._return_type(_type_name, _fields))


# ---- argument checks -----------------------------------------------------------------------------

def _check_floating(name, input):
    if input._data.dtype.kind not in "fc":
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. Got "
                           f"{dtype_name(input.dtype)}")


def _check_square(name, input, argument="A"):
    shape = input._data.shape
    if len(shape) < 2:
        raise RuntimeError(f"{name}: The input tensor {argument} must have at least 2 "
                           "dimensions.")
    if shape[-1] != shape[-2]:
        raise RuntimeError(f"{name}: {argument} must be batches of square matrices, but they "
                           f"are {shape[-2]} by {shape[-1]} matrices")


def _batch_prefix(data, flat_index):
    if data.ndim > 2:
        return f"(Batch element {flat_index}): "
    return ""


def _each_matrix(data):
    """(flat batch index, matrix) pairs, for the error paths only."""
    matrices = data.reshape((-1,) + data.shape[-2:])
    return enumerate(matrices)


def _singular_error(name, data):
    for index, matrix in _each_matrix(data):
        column = int(_getrf(matrix)[2])
        if column:
            return _LinAlgError(
                f"{name}: {_batch_prefix(data, index)}The diagonal element {column} is zero, the "
                "inversion could not be completed because the input matrix is singular.")
    return _LinAlgError(f"{name}: The diagonal element {data.shape[-1]} is zero, the inversion "
                        "could not be completed because the input matrix is singular.")


# ---- inverse and determinants --------------------------------------------------------------------

LinalgInvExBackward0 = node_class(
    "LinalgInvExBackward0",
    lambda grad, inverse: -(adjoint(inverse).matmul(grad.matmul(adjoint(inverse)))))


def inv(A):
    """The inverse of a square matrix (or a batch of them)."""
    _check_square("linalg.inv", A)
    _check_floating("linalg.inv", A)
    data = A._data
    try:
        array = np.linalg.inv(data)
    except np.linalg.LinAlgError:
        raise _singular_error("linalg.inv", data) from None
    return record(column_major(array), LinalgInvExBackward0, (A,), (RESULT,))


def inverse(input):
    """The inverse of a square matrix (torch.inverse, an alias of linalg.inv)."""
    return inv(input)


def _det_backward(grad, A, determinant):
    """conj(det) * grad * A^{-H}. For exactly singular matrices the determinant factor is 0 and
    PyTorch's gradient is zero: the pseudo-inverse stands in for the missing inverse there."""
    scale = (grad * conjugate(determinant)).unsqueeze(-1).unsqueeze(-1)
    try:
        inverse = inv(A)
    except _LinAlgError:
        inverse = pinv(A)
    return scale * adjoint(inverse)


LinalgDetBackward0 = node_class("LinalgDetBackward0", _det_backward)


def det(A):
    """The determinant of a square matrix (or a batch of them)."""
    _check_square("linalg.det", A)
    _check_floating("linalg.det", A)
    return record(np.asarray(np.linalg.det(A._data)), LinalgDetBackward0, (A,), (A, RESULT))


def _slogdet_backward(grads, A):
    grad_logabsdet = grads[1]
    return grad_logabsdet.unsqueeze(-1).unsqueeze(-1) * adjoint(inv(A))


LinalgSlogdetBackward0 = node_class("LinalgSlogdetBackward0", _slogdet_backward,
                                    multi_output=True)


def _slogdet(name, A, result_type):
    _check_square(name, A)
    _check_floating(name, A)
    sign, logabsdet = np.linalg.slogdet(A._data)
    outs = record_multi((np.asarray(sign), np.asarray(logabsdet)), LinalgSlogdetBackward0,
                        (A,), (A,))
    return result_type(outs)


def linalg_slogdet(A):
    """(sign, log|det|) of a square matrix, as torch.linalg.slogdet."""
    return _slogdet("linalg.slogdet", A, return_types.linalg_slogdet)


def slogdet(input):
    """(sign, log|det|) of a square matrix, as torch.slogdet."""
    return _slogdet("linalg.slogdet", input, return_types.slogdet)


def logdet(input):
    """log(det(input)): nan for a negative determinant (composed as PyTorch composes it)."""
    sign, logabsdet = linalg_slogdet(input)
    if input._data.dtype.kind == "c":
        return sign.log() + logabsdet
    import ember  # the namespace (for where) loads after this module
    return ember.where(sign == -1, float("nan"), logabsdet)


# ---- solve ---------------------------------------------------------------------------------------

def _is_vector_rhs(A, B):
    shape_a = A._data.shape
    shape_b = B._data.shape
    return len(shape_b) == 1 or (len(shape_b) == len(shape_a) - 1
                                 and shape_b == shape_a[:-1])


def _solve_backward(grad, A, result, left, for_A):
    vector = result._data.ndim == A._data.ndim - 1
    grad_b = solve(adjoint(A), grad, left=left)
    if not for_A:
        return grad_b
    if vector:
        grad_b = grad_b.unsqueeze(-1)
        result = result.unsqueeze(-1)
    if left:
        return -(grad_b.matmul(adjoint(result)))
    return -(adjoint(result).matmul(grad_b))


def _solver_failed(name, a, b):
    """The error for a singular A, naming the first singular matrix of the broadcast batch."""
    batch = np.broadcast_to(a, np.broadcast_shapes(a.shape[:-2], b.shape[:-2]) + a.shape[-2:])
    # LAPACK may meet an exact zero pivot where our rounding does not: name the first matrix
    index = next((i for i, matrix in _each_matrix(batch) if _getrf(matrix)[2]), 0)
    return _LinAlgError(f"{name}: {_batch_prefix(batch, index)}The solver failed because the "
                        "input matrix is singular.")


LinalgSolveExBackward0 = node_class(
    "LinalgSolveExBackward0",
    lambda grad, A, result, left: _solve_backward(grad, A, result, left, True),
    lambda grad, A, result, left: _solve_backward(grad, A, result, left, False))


def solve(A, B, *, left=True):
    """The solution X of A X = B (or X A = B when left=False)."""
    _check_square("linalg.solve", A)
    if A.dtype != B.dtype:
        raise RuntimeError(f"linalg.solve: Expected A and B to have the same dtype, but found A "
                           f"of type {dtype_name(A.dtype)} and B of type {dtype_name(B.dtype)} "
                           "instead")
    _check_floating("linalg.solve", A)
    a = A._data
    b = B._data
    vector = left and _is_vector_rhs(A, B)
    if vector:
        b = b[..., None]
    size = a.shape[-1]
    rows = b.shape[-2] if left else b.shape[-1]
    if b.ndim < 2 or rows != size:
        equation = "AX = B" if left else "XA = B"
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation "
                           f"{equation} ({size}x{size} and {b.shape[-2]}x{b.shape[-1]})")
    try:
        if left:
            array = np.linalg.solve(a, b)
        else:
            array = np.swapaxes(np.linalg.solve(np.swapaxes(a, -1, -2), np.swapaxes(b, -1, -2)),
                                -1, -2)
    except np.linalg.LinAlgError:
        raise _solver_failed("torch.linalg.solve", a, b) from None
    if vector:
        array = np.ascontiguousarray(array[..., 0])
    elif left:
        array = column_major(array)
    else:
        # X A = B is solved transposed, which leaves X row-major
        array = np.ascontiguousarray(array)
    return record(array, LinalgSolveExBackward0, (A, B), (A, RESULT, left))


# ---- cholesky ------------------------------------------------------------------------------------

def _partial_cholesky(matrix):
    """LAPACK's left-looking potf2 (lower) on one matrix, column by column: the factor as far
    as it got, the failing pivot's value in its place, later columns untouched, and info."""
    factor = matrix.copy()
    for column in range(matrix.shape[0]):
        row = factor[column, :column]
        pivot = np.real(matrix[column, column]) - np.real(np.vdot(row, row))
        if not pivot > 0:
            factor[column, column] = pivot
            return factor, column + 1
        factor[column, column] = np.sqrt(pivot)
        below = matrix[column + 1:, column] - factor[column + 1:, :column] @ row.conj()
        factor[column + 1:, column] = below / np.sqrt(pivot)
    return factor, 0


def _cholesky_backward(grad, L, upper):
    """PyTorch's cholesky_backward: gA = L^{-H} Phi(L^H gL) L^{-1}, symmetrised."""
    if upper:
        L = adjoint(L)
        grad = adjoint(grad)
    gA = adjoint(L).matmul(grad).tril()
    gA = (gA + adjoint(gA.tril(-1))) * 0.5
    gA = solve(adjoint(L), gA)
    return solve(L, gA, left=False)


LinalgCholeskyExBackward0 = node_class("LinalgCholeskyExBackward0", _cholesky_backward)
CholeskyBackward0 = node_class("CholeskyBackward0", _cholesky_backward)


def _cholesky(name, A, upper, node_cls):
    _check_square(name, A)
    _check_floating(name, A)
    data = A._data
    try:
        array = np.linalg.cholesky(data)
    except np.linalg.LinAlgError:
        for index, matrix in _each_matrix(data):
            try:
                np.linalg.cholesky(matrix)
            except np.linalg.LinAlgError:
                order = _partial_cholesky(matrix)[1]
                raise _LinAlgError(
                    f"{name}: {_batch_prefix(data, index)}The factorization could not be "
                    "completed because the input is not positive-definite (the leading minor of "
                    f"order {order} is not positive-definite).") from None
        raise
    if upper:
        array = np.swapaxes(array, -1, -2).conj()
    return record(column_major(array), node_cls, (A,), (RESULT, upper))


def linalg_cholesky(A, *, upper=False):
    """The Cholesky factor L (A = L L^H) of a Hermitian positive-definite matrix."""
    return _cholesky("linalg.cholesky", A, upper, LinalgCholeskyExBackward0)


def cholesky(input, upper=False):
    """The Cholesky factor (deprecated torch.cholesky; upper=True gives U = L^H)."""
    warn_once(
        "cholesky",
        "torch.cholesky is deprecated in favor of torch.linalg.cholesky and will be removed in "
        "a future PyTorch release.\nL = torch.cholesky(A)\nshould be replaced with\nL = "
        "torch.linalg.cholesky(A)\nand\nU = torch.cholesky(A, upper=True)\nshould be replaced "
        "with\nU = torch.linalg.cholesky(A).mH\nThis transform will produce equivalent results "
        "for all valid (symmetric positive definite) inputs. (Triggered internally at "
        "/__w/pytorch/pytorch/aten/src/ATen/native/BatchLinearAlgebra.cpp:1765.)")
    return _cholesky("cholesky", input, upper, CholeskyBackward0)


def _cholesky_solve_b_backward(grad, B, L, result, upper):
    return cholesky_solve(grad, L, upper)


def _cholesky_solve_l_backward(grad, B, L, result, upper):
    """PyTorch's cholesky_solve_backward: with gB = cholesky_solve(grad, L) and
    S = gB X^H + X gB^H, gL = -S L (lower) or -L S (upper), not restricted to the triangle."""
    common = _cholesky_solve_b_backward(grad, B, L, result, upper).matmul(adjoint(result))
    common = common + adjoint(common)
    return -L.matmul(common) if upper else -common.matmul(L)


CholeskySolveBackward0 = node_class("CholeskySolveBackward0", _cholesky_solve_b_backward,
                                    _cholesky_solve_l_backward)


def _check_cholesky_solve(B, L):
    for name, value in (("b", B), ("u", L)):
        if value._data.ndim < 2:
            raise RuntimeError(f"{name} should have at least 2 dimensions, but has "
                               f"{value._data.ndim} dimensions instead")
    check_linear_solve_inputs(B, L, "cholesky_solve")
    if B._data.dtype.kind not in "fc" or B._data.itemsize < 4:
        raise not_implemented("cholesky_solve_cpu", B.dtype)


def cholesky_solve(B, L, upper=False, *, out=None):
    """The solution X of A X = B given A's Cholesky factor L (A = L L^H; A = U^H U if upper)."""
    _check_cholesky_solve(B, L)
    factor = L._data
    factor_h = np.swapaxes(factor, -1, -2).conj()
    # two triangular solves, reading only the factor's triangle, as LAPACK's potrs does
    if upper:
        halfway = _solve_array(factor_h, B._data, False, True, False)
        array = _solve_array(factor, halfway, True, True, False)
    else:
        halfway = _solve_array(factor, B._data, False, True, False)
        array = _solve_array(factor_h, halfway, True, True, False)
    result = record(column_major(array.astype(B._data.dtype, copy=False)), CholeskySolveBackward0, (B, L),
                    (B, L, RESULT, upper))
    return _into_out(result, out, "cholesky_solve")


def _cholesky_inverse_backward(grad, L, upper, inverse):
    """PyTorch's cholesky_inverse_backward: -(A^{-1} (G + G^H) A^{-1}) applied to the factor."""
    common = inverse.matmul((grad + adjoint(grad)).matmul(inverse))
    return -L.matmul(common) if upper else -common.matmul(L)


CholeskyInverseBackward0 = node_class("CholeskyInverseBackward0", _cholesky_inverse_backward)


def cholesky_inverse(L, upper=False, *, out=None):
    """The inverse of A given its Cholesky factor L (A = L L^H; A = U^H U if upper)."""
    _check_square("cholesky_inverse", L)
    if L._data.dtype.kind not in "fc":
        raise not_implemented("cholesky_inverse_out_cpu", L.dtype)
    factor = np.triu(L._data) if upper else np.tril(L._data)
    for index, matrix in _each_matrix(factor):
        zeros = np.flatnonzero(np.diagonal(matrix) == 0)
        if zeros.size:
            raise _LinAlgError(
                f"cholesky_inverse: {_batch_prefix(factor, index)}The diagonal element "
                f"{zeros[0] + 1} is zero, the inversion could not be completed because the "
                "input matrix is singular.")
    identity = np.broadcast_to(np.eye(factor.shape[-1], dtype=factor.dtype), factor.shape)
    factor_inverse = _solve_array(factor, identity, upper, True, False)
    factor_inverse_h = np.swapaxes(factor_inverse, -1, -2).conj()
    # A^{-1} = L^{-H} L^{-1}, or U^{-1} U^{-H} for the upper factor
    if upper:
        array = factor_inverse @ factor_inverse_h
    else:
        array = factor_inverse_h @ factor_inverse
    result = record(column_major(array), CholeskyInverseBackward0, (L,), (L, upper, RESULT))
    return _into_out(result, out, "cholesky_inverse")


# ---- qr ------------------------------------------------------------------------------------------

def _copy_lower_to_upper(matrix):
    return matrix.tril() + adjoint(matrix.tril(-1))


def _qr_square_or_tall_backward(grad_q, grad_r, Q, R):
    """gA = (gQ + Q copyltu(M)) R^{-H} with M = R gR^H - gQ^H Q (m >= n, reduced)."""
    M = R.matmul(adjoint(grad_r)) - adjoint(grad_q).matmul(Q)
    return solve(adjoint(R), grad_q + Q.matmul(_copy_lower_to_upper(M)), left=False)


def _qr_backward(grads, A, Q, R, mode):
    if mode == "r":
        raise RuntimeError("The derivative of linalg.qr depends on Q, which is not computed when "
                           "mode='r'. Please use linalg.qr(A, mode='reduced') if you are going "
                           "to differentiate through linalg.qr.")
    rows, columns = A._data.shape[-2:]
    if mode == "complete" and rows > columns:
        raise RuntimeError("The QR decomposition is not differentiable when mode='complete' and "
                           "nrows > ncols.")
    grad_q, grad_r = grads
    if rows >= columns:
        return _qr_square_or_tall_backward(grad_q, grad_r, Q, R)
    # wide: A = [X | Y] with X = Q U square; Y's part flows through Q only
    import ember  # the namespace (for cat) loads after this module
    U = R.narrow(-1, 0, rows)
    Y = A.narrow(-1, rows, columns - rows)
    grad_u = grad_r.narrow(-1, 0, rows)
    grad_v = grad_r.narrow(-1, rows, columns - rows)
    grad_x = _qr_square_or_tall_backward(grad_q + Y.matmul(adjoint(grad_v)), grad_u, Q, U)
    return ember.cat([grad_x, Q.matmul(grad_v)], -1)


LinalgQrBackward0 = node_class("LinalgQrBackward0", _qr_backward, multi_output=True)


def _qr(A, mode, result_type):
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of "
                           "'reduced' (default), 'r', or 'complete'")
    data = A._data
    if data.ndim < 2:
        raise RuntimeError("linalg.qr: The input tensor A must have at least 2 dimensions.")
    _check_floating("linalg.qr", A)
    q, r = np.linalg.qr(data, mode="complete" if mode == "complete" else "reduced")
    if mode == "r":
        q = np.zeros((0,), dtype=data.dtype)
    else:
        q = column_major(q)
    outs = record_multi((q, column_major(r)), LinalgQrBackward0, (A,), (A, OUTPUT[0], OUTPUT[1], mode))
    return result_type(outs)


def linalg_qr(A, mode="reduced"):
    """The QR decomposition A = QR ('reduced', 'complete' or 'r')."""
    return _qr(A, mode, return_types.linalg_qr)


def qr(input, some=True):
    """The QR decomposition (deprecated torch.qr; some=False gives the complete one)."""
    warn_once(
        "qr",
        "torch.qr is deprecated in favor of torch.linalg.qr and will be removed in a future "
        "PyTorch release.\nThe boolean parameter 'some' has been replaced with a string "
        "parameter 'mode'.\nQ, R = torch.qr(A, some)\nshould be replaced with\nQ, R = "
        "torch.linalg.qr(A, 'reduced' if some else 'complete') (Triggered internally at "
        "/__w/pytorch/pytorch/aten/src/ATen/native/BatchLinearAlgebra.cpp:2505.)")
    return _qr(input, "reduced" if some else "complete", return_types.qr)


# ---- eigh ----------------------------------------------------------------------------------------

def _eye_like(tensor, size):
    return _wrap(np.eye(size, dtype=tensor._data.dtype))


def _eigh_backward(grads, eigenvalues, eigenvectors):
    """gA = V (diag(gL) + skew(V^H gV) / E) V^H, E_ij = L_j - L_i (off the diagonal)."""
    grad_values, grad_vectors = grads
    size = eigenvalues._data.shape[-1]
    projected = adjoint(eigenvectors).matmul(grad_vectors)
    projected = (projected - adjoint(projected)) * 0.5
    gaps = eigenvalues.unsqueeze(-2) - eigenvalues.unsqueeze(-1) + _eye_like(eigenvalues, size)
    inner = projected / gaps + grad_values.diag_embed()
    return eigenvectors.matmul(inner.matmul(adjoint(eigenvectors)))


LinalgEighBackward0 = node_class("LinalgEighBackward0", _eigh_backward, multi_output=True)


def _check_uplo(UPLO):
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")


def eigh(A, UPLO="L"):
    """Eigenvalues (ascending) and eigenvectors of a Hermitian matrix."""
    _check_square("linalg.eigh", A)
    _check_uplo(UPLO)
    _check_floating("linalg.eigh", A)
    values, vectors = np.linalg.eigh(A._data, UPLO=UPLO)
    outs = record_multi((values, column_major(vectors)), LinalgEighBackward0, (A,), (OUTPUT[0], OUTPUT[1]))
    return return_types.linalg_eigh(outs)


def eigvalsh(A, UPLO="L"):
    """Eigenvalues (ascending) of a Hermitian matrix."""
    if A._requires_grad and STATE.enabled:
        # as PyTorch: the eigenvectors are needed for the gradient, so eigh runs in full
        return eigh(A, UPLO).eigenvalues
    _check_square("linalg.eigh", A)
    _check_uplo(UPLO)
    _check_floating("linalg.eigh", A)
    return _wrap(np.linalg.eigvalsh(A._data, UPLO=UPLO))


# ---- svd -----------------------------------------------------------------------------------------

def _svd_backward(grads, U, S, Vh, full_matrices):
    """PyTorch's svd_backward on the thin factors (full factors are narrowed to k columns)."""
    grad_u, grad_s, grad_vh = grads
    rows = U._data.shape[-2]
    columns = Vh._data.shape[-1]
    k = S._data.shape[-1]
    if full_matrices:
        U = U.narrow(-1, 0, k)
        Vh = Vh.narrow(-2, 0, k)
        grad_u = grad_u.narrow(-1, 0, k)
        grad_vh = grad_vh.narrow(-2, 0, k)
    V = adjoint(Vh)
    grad_v = adjoint(grad_vh)
    skew_u = adjoint(U).matmul(grad_u)
    skew_u = skew_u - adjoint(skew_u)
    skew_v = adjoint(V).matmul(grad_v)
    skew_v = skew_v - adjoint(skew_v)
    squares = S * S
    gaps = squares.unsqueeze(-2) - squares.unsqueeze(-1) + _eye_like(S, k)
    inner = (skew_u * S.unsqueeze(-2) + S.unsqueeze(-1) * skew_v) / gaps
    inner = inner + grad_s.diag_embed()
    if rows > columns:
        scaled_u = grad_u / S.unsqueeze(-2)
        inner = U.matmul(inner) + scaled_u - U.matmul(adjoint(U).matmul(scaled_u))
        return inner.matmul(Vh)
    if rows < columns:
        scaled_v = grad_v / S.unsqueeze(-2)
        inner = inner.matmul(Vh) + adjoint(scaled_v - V.matmul(adjoint(V).matmul(scaled_v)))
        return U.matmul(inner)
    return U.matmul(inner.matmul(Vh))


LinalgSvdBackward0 = node_class("LinalgSvdBackward0", _svd_backward, multi_output=True)


def _check_svd_input(name, A, driver):
    if driver is not None:
        raise RuntimeError("torch.linalg.svd: keyword argument `driver=` is only supported on "
                           "CUDA inputs with cuSOLVER backend.")
    if A._data.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor A must have at least 2 dimensions.")
    _check_floating(name, A)


def linalg_svd(A, full_matrices=True, *, driver=None):
    """The singular value decomposition A = U diag(S) Vh."""
    _check_svd_input("linalg.svd", A, driver)
    u, s, vh = np.linalg.svd(A._data, full_matrices=full_matrices)
    saved = (OUTPUT[0], OUTPUT[1], OUTPUT[2], full_matrices)
    outs = record_multi((column_major(u), s, column_major(vh)), LinalgSvdBackward0, (A,), saved)
    return return_types.linalg_svd(outs)


def svdvals(A, *, driver=None):
    """The singular values of a matrix, in descending order."""
    if A._requires_grad and STATE.enabled:
        # as PyTorch: the singular vectors are needed for the gradient, so svd runs in full
        return linalg_svd(A, full_matrices=False, driver=driver).S
    _check_svd_input("linalg.svd", A, driver)
    return _wrap(np.linalg.svd(A._data, compute_uv=False))


def svd(input, some=True, compute_uv=True):
    """torch.svd: (U, S, V) with V (not Vh); zero U and V when compute_uv is False."""
    if not compute_uv:
        shape = input._data.shape
        S = svdvals(input)
        U = _wrap(np.zeros(shape[:-1] + (shape[-2],), dtype=input._data.dtype))
        V = _wrap(np.zeros(shape[:-2] + (shape[-1], shape[-1]), dtype=input._data.dtype))
        return return_types.svd((U, S, V))
    U, S, Vh = linalg_svd(input, full_matrices=not some)
    return return_types.svd((U, S, Vh.mH))


# ---- pseudo-inverse, powers, rank, chains --------------------------------------------------------

def _pinv_backward(grad, A, pinv_A):
    rows, columns = A._data.shape[-2:]
    pinv_h = adjoint(pinv_A)
    grad_h = adjoint(grad)
    if rows <= columns:
        K = grad_h.matmul(pinv_A)
        K_pinv_h = K.matmul(pinv_h)
        return (-adjoint(pinv_A.matmul(K)) + K_pinv_h - A.matmul(pinv_A).matmul(K_pinv_h)
                + pinv_h.matmul(pinv_A).matmul(grad_h - K.matmul(A)))
    K = pinv_A.matmul(grad_h)
    pinv_h_K = pinv_h.matmul(K)
    return (-adjoint(K.matmul(pinv_A)) + pinv_h_K - pinv_h_K.matmul(pinv_A).matmul(A)
            + (grad_h - A.matmul(K)).matmul(pinv_A).matmul(pinv_h))


LinalgPinvBackward0 = node_class("LinalgPinvBackward0", _pinv_backward)


def _per_matrix(tolerance):
    """A tolerance as a number, or a tensor's values (one per matrix of the batch, broadcast)
    with a trailing axis to meet the singular values."""
    if hasattr(tolerance, "_data"):
        return tolerance._data[..., None]
    return tolerance


def _tolerance(data, singular_max, atol, rtol):
    """PyTorch's cut-off max(atol, rtol * largest singular value); rtol defaults to
    eps * max(m, n) when neither tolerance is given, and to 0 where atol is positive."""
    default_rtol = np.finfo(data.dtype).eps * max(data.shape[-2:])
    atol = 0.0 if atol is None else _per_matrix(atol)
    if rtol is None:
        rtol = np.where(np.asarray(atol) > 0, 0.0, default_rtol)
    return np.maximum(atol, _per_matrix(rtol) * singular_max)


def pinv(A, *, atol=None, rtol=None, hermitian=False):
    """The Moore-Penrose pseudo-inverse, singular values below the tolerance dropped."""
    data = A._data
    if data.ndim < 2 or data.dtype.kind not in "fc":
        raise RuntimeError(f"linalg.pinv({dtype_name(A.dtype)}{{{list(data.shape)}}}): expected "
                           "a tensor with 2 or more dimensions of float, double, cfloat or "
                           "cdouble types")
    if hermitian:
        # A = V diag(w) V^H: the singular values are |w|
        w, u = np.linalg.eigh(data)
        vh = np.swapaxes(u, -1, -2).conj()
        magnitudes = np.abs(w)
    else:
        u, magnitudes, vh = np.linalg.svd(data, full_matrices=False)
        w = magnitudes
    if magnitudes.shape[-1]:
        largest = np.max(magnitudes, axis=-1, keepdims=True)
        cutoff = _tolerance(data, largest, atol, rtol)
    else:
        cutoff = np.zeros(magnitudes.shape[:-1] + (1,), dtype=magnitudes.dtype)
    kept = magnitudes > cutoff
    inverted = np.where(kept, 1 / np.where(kept, w, 1), 0).astype(w.dtype)
    array = np.matmul(np.swapaxes(vh, -1, -2).conj() * inverted[..., None, :],
                      np.swapaxes(u, -1, -2).conj())
    return record(array, LinalgPinvBackward0, (A,), (A, RESULT))


def pinverse(input, rcond=1e-15):
    """The pseudo-inverse with singular values below rcond * the largest dropped."""
    return pinv(input, rtol=rcond)


def matrix_power(A, n):
    """A to the integer power n (negative n through the inverse), by repeated squaring."""
    _check_square("linalg.matrix_power", A)
    if n == 0:
        identity = _wrap(np.broadcast_to(np.eye(A._data.shape[-1], dtype=A._data.dtype),
                                         A._data.shape))
        return A.clone().copy_(identity)
    base = A
    if n < 0:
        base = inv(A)
        n = -n
        if n == 1:
            return base
    elif n == 1:
        return A.clone()
    if n == 2:
        return base.matmul(base)
    if n == 3:
        return base.matmul(base).matmul(base)
    square = None
    result = None
    while n > 0:
        bit = n % 2
        n //= 2
        square = base if square is None else square.matmul(square)
        if bit:
            result = square if result is None else result.matmul(square)
    return result


def matrix_rank(A, tol=None, hermitian=False, *, atol=None, rtol=None):
    """The number of singular values above the tolerance (int64); the deprecated positional
    tol is an absolute tolerance."""
    if tol is not None:
        atol = tol
        rtol = 0.0
    data = A._data
    if data.dtype.kind not in "fc":
        raise RuntimeError("This function doesn't handle types other than float and double")
    if data.ndim < 2:
        raise RuntimeError("linalg.matrix_rank: The input tensor input must have at least 2 "
                           "dimensions.")
    if hermitian:
        singular = np.abs(np.linalg.eigvalsh(data))
        singular = np.sort(singular, axis=-1)[..., ::-1]
    else:
        singular = np.linalg.svd(data, compute_uv=False)
    if singular.shape[-1]:
        cutoff = _tolerance(data, singular[..., :1], atol, rtol)
        count = np.sum(singular > cutoff, axis=-1)
    else:
        count = np.zeros(singular.shape[:-1], dtype=np.int64)
    return _wrap(np.asarray(count, dtype=np.int64))


def _chain_order(shapes):
    """The cheapest parenthesisation of a matrix chain (classic dynamic programme)."""
    count = len(shapes)
    dims = [shapes[0][0]] + [shape[1] for shape in shapes]
    cost = [[0] * count for _ in range(count)]
    split = [[0] * count for _ in range(count)]
    for length in range(1, count):
        for start in range(count - length):
            end = start + length
            cost[start][end] = None
            for middle in range(start, end):
                candidate = (cost[start][middle] + cost[middle + 1][end]
                             + dims[start] * dims[middle + 1] * dims[end + 1])
                if cost[start][end] is None or candidate < cost[start][end]:
                    cost[start][end] = candidate
                    split[start][end] = middle
    return split


def _multiply_chain(tensors, split, start, end):
    if start == end:
        return tensors[start]
    middle = split[start][end]
    return (_multiply_chain(tensors, split, start, middle)
            .mm(_multiply_chain(tensors, split, middle + 1, end)))


def multi_dot(tensors):
    """The product of a chain of matrices in the cheapest order (first/last may be 1-D)."""
    count = len(tensors)
    if count < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {count}")
    first = tensors[0]
    last = tensors[-1]
    out_shape = []
    chain = list(tensors)
    if first._data.ndim == 1:
        chain[0] = first.unsqueeze(0)
    elif first._data.ndim == 2:
        out_shape.append(first._data.shape[0])
    else:
        raise RuntimeError(f"multi_dot(): the first tensor must be 1D or 2D but got "
                           f"{first._data.ndim}D")
    if last._data.ndim == 1:
        chain[-1] = last.unsqueeze(-1)
    elif last._data.ndim == 2:
        out_shape.append(last._data.shape[1])
    else:
        raise RuntimeError(f"multi_dot(): the last tensor must be 1D or 2D but got "
                           f"{last._data.ndim}D")
    for index in range(1, count - 1):
        if tensors[index]._data.ndim != 2:
            raise RuntimeError(f"multi_dot(): tensor {index} must be 2D but got "
                               f"{tensors[index]._data.ndim}D")
    for index in range(1, count):
        if chain[index].dtype != chain[0].dtype:
            raise RuntimeError(f"multi_dot(): all tensors must have be the same dtype but tensor "
                               f"0 is {cpp_type_name(chain[0].dtype)} and tensor {index} "
                               f"{cpp_type_name(chain[index].dtype)}")
        if chain[index - 1]._data.shape[-1] != chain[index]._data.shape[0]:
            raise RuntimeError(f"multi_dot(): tensors {index - 1} and {index} with shapes "
                               f"{list(tensors[index - 1]._data.shape)} and "
                               f"{list(tensors[index]._data.shape)} cannot be multiplied")
    if count == 2:
        result = chain[0].mm(chain[1])
    elif count == 3:
        a, b = chain[0]._data.shape
        c, d = chain[2]._data.shape
        if a * c * (b + d) > b * d * (a + c):
            result = chain[0].mm(chain[1].mm(chain[2]))
        else:
            result = chain[0].mm(chain[1]).mm(chain[2])
    else:
        split = _chain_order([t._data.shape for t in chain])
        result = _multiply_chain(chain, split, 0, count - 1)
    return result.view(out_shape)


for _name, _function in (("det", det), ("logdet", logdet), ("slogdet", slogdet),
                         ("inverse", inverse), ("cholesky", cholesky),
                         ("cholesky_inverse", cholesky_inverse),
                         ("cholesky_solve", cholesky_solve), ("qr", qr), ("svd", svd),
                         ("pinverse", pinverse), ("matrix_power", matrix_power)):
    method(_name, _function)
