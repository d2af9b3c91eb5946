"""ember.linalg: norms, inverses, decompositions and solvers, as torch.linalg."""
from ember.ops.contractions import linalg_cross as cross
from ember.ops.decompositions import (_LinAlgError as LinAlgError, det, eigh, eigvalsh, inv,
                                      linalg_cholesky as cholesky, linalg_qr as qr,
                                      linalg_slogdet as slogdet, linalg_svd as svd,
                                      matrix_power, matrix_rank, multi_dot, pinv, solve, svdvals)
from ember.ops.linalg import matmul, vdot
from ember.ops.norms import matrix_norm, norm, vector_norm


def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    """The diagonals of a batch of matrices (a view), as torch.linalg.diagonal."""
    return A.diagonal(offset, dim1, dim2)


def vecdot(x, y, *, dim=-1):
    """The dot product of vectors along dim (conjugating x), with broadcasting."""
    from ember.ops.linalg import conj
    return (conj(x) * y).sum(dim)


__all__ = ["LinAlgError", "cholesky", "cross", "det", "diagonal", "eigh", "eigvalsh", "inv",
           "matmul", "matrix_norm", "matrix_power", "matrix_rank", "multi_dot", "norm", "pinv",
           "qr", "slogdet", "solve", "svd", "svdvals", "vecdot", "vector_norm"]
