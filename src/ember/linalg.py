"""ember.linalg: norms, inverses, decompositions and solvers, as torch.linalg."""
from ember.ops.contractions import linalg_cross as cross
from ember.ops.decompositions import (_LinAlgError as LinAlgError, det, eigh, eigvalsh, inv,
                                      linalg_cholesky as cholesky, linalg_qr as qr,
                                      linalg_slogdet as slogdet, linalg_svd as svd,
                                      matrix_power, matrix_rank, multi_dot, pinv, solve, svdvals)
from ember.ops.diagonals import linalg_diagonal as diagonal
from ember.ops.linalg import linalg_vecdot as vecdot, matmul
from ember.ops.linalg_ex import cholesky_ex, inv_ex, solve_ex
from ember.ops.lu import (linalg_lu as lu, linalg_lu_solve as lu_solve, lu_factor,
                          lu_factor_ex)
from ember.ops.matrix_functions import (cond, eig, eigvals, linalg_vander as vander, lstsq,
                                        matrix_exp, tensorinv, tensorsolve)
from ember.ops.norms import matrix_norm, norm, vector_norm
from ember.ops.triangular_solve import solve_triangular

__all__ = ["LinAlgError", "cholesky", "cholesky_ex", "cond", "cross", "det", "diagonal", "eig",
           "eigh", "eigvals", "eigvalsh", "inv", "inv_ex", "lstsq", "matmul", "matrix_exp",
           "matrix_norm", "matrix_power", "matrix_rank", "multi_dot", "norm", "pinv", "qr",
           "slogdet", "solve", "solve_ex", "solve_triangular", "svd", "svdvals", "tensorinv",
           "tensorsolve", "vander", "vecdot", "vector_norm"]
__all__ += ["lu", "lu_factor", "lu_factor_ex", "lu_solve"]
