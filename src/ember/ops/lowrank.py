"""svd_lowrank and pca_lowrank: the randomized range finder with subspace iterations (Halko,
Martinsson and Tropp 2009, algorithms 4.4 and 5.1), composed of ember ops so the results are
differentiable. The Gaussian test matrix comes from ember's own random stream, so the factors
differ from torch's while approximating the same singular triplets."""
from ember import _dtype
from ember.ops.decompositions import linalg_qr, linalg_svd
from ember.ops.linalg import matmul
from ember.ops.sampling import randn

__all__ = ["svd_lowrank", "pca_lowrank"]


def _sampling_dtype(A):
    """The test matrix's dtype: A's own when floating or complex, else the default float."""
    if A.dtype.is_floating_point or A.dtype.is_complex:
        return A.dtype
    return _dtype.DEFAULT


def _approximate_basis(A, q, niter, M):
    """An orthonormal Q (..., m, q) whose range approximates that of A - M."""
    def applied(operand, transposed):
        matrix = A.mH if transposed else A
        product = matmul(matrix, operand)
        if M is not None:
            product = product - matmul(M.mH if transposed else M, operand)
        return product

    test_matrix = randn(A.shape[-1], q, dtype=_sampling_dtype(A))
    basis = linalg_qr(applied(test_matrix, False)).Q
    # each power iteration sharpens the spectrum's decay; re-orthonormalise every half step
    for _ in range(niter):
        basis = linalg_qr(applied(basis, True)).Q
        basis = linalg_qr(applied(basis, False)).Q
    return basis


def _svd_lowrank(A, q, niter, M):
    q = 6 if q is None else q
    niter = 2 if niter is None else niter
    rows, columns = A.shape[-2:]
    if M is not None:
        M = M.broadcast_to(A.size())
    wide = rows < columns
    if wide:
        # work on the tall adjoint: the sketch then has q columns of the longer side
        A = A.mH
        M = None if M is None else M.mH
    basis = _approximate_basis(A, q, niter, M)
    projected = matmul(basis.mH, A)
    if M is not None:
        projected = projected - matmul(basis.mH, M)
    U, S, Vh = linalg_svd(projected, full_matrices=False)
    V = Vh.mH
    U = basis.matmul(U)
    if wide:
        U, V = V, U
    return U, S, V


def svd_lowrank(A, q=6, niter=2, M=None):
    """An approximate rank-q SVD (U, S, V) of A - M, with A ~ U diag(S) V^H."""
    return _svd_lowrank(A, q, niter, M)


def pca_lowrank(A, q=None, center=True, niter=2):
    """The principal directions of A's rows: svd_lowrank of A with its column means removed."""
    rows, columns = A.shape[-2:]
    if q is None:
        q = min(6, rows, columns)
    elif not 0 <= q <= min(rows, columns):
        raise ValueError(f"q(={q}) must be non-negative integer and not greater than min(m, n)="
                         f"{min(rows, columns)}")
    if not niter >= 0:
        raise ValueError(f"niter(={niter}) must be non-negative integer")
    if not center:
        return _svd_lowrank(A, q, niter, None)
    return _svd_lowrank(A - A.mean(dim=(-2,), keepdim=True), q, niter, None)
