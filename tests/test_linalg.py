"""ember.linalg (inverses, determinants, solvers, decompositions, norms) and torch's top-level
aliases against torch: values, dtypes, grad_fn names, named-tuple results and gradients on
well-conditioned inputs; finite differences in float64; PyTorch's errors."""
import warnings

import numpy as np
import pytest

import ember
from oracle import Input, check, check_error, finite_differences, grad_input, run_script_both_ways

RNG = np.random.default_rng(23)


def randn(*shape):
    return RNG.standard_normal(shape)


def well_conditioned(*shape):
    """Square matrices near 3 * identity (invertible, moderate condition number)."""
    return randn(*shape) * 0.5 + 3 * np.eye(shape[-1])


def positive_definite(*shape):
    base = randn(*shape)
    return base @ np.swapaxes(base, -1, -2) + shape[-1] * np.eye(shape[-1])


def cholesky_factor(*shape):
    return np.linalg.cholesky(positive_definite(*shape))


def symmetric(*shape):
    base = randn(*shape)
    return base + np.swapaxes(base, -1, -2)


# Eigenvectors and singular vectors are defined up to sign, and LAPACK builds differ in the
# sign they pick; these functions of them are sign-free.
def _eigh_invariant(lib, x):
    values, vectors = lib.linalg.eigh(x)
    return values, vectors * vectors


def _svd_invariant(lib, x, full_matrices=False):
    U, S, Vh = lib.linalg.svd(x, full_matrices=full_matrices)
    k = S.shape[-1]
    return (U[..., :k] * U[..., :k]).sum(-1), S, U[..., :k] @ Vh[..., :k, :]


def _torch_svd_invariant(lib, x):
    U, S, V = lib.svd(x)
    return U @ V.mT, S


# (id, function(lib, *tensors), arrays): every array is a differentiable input
OPS = [
    ("inv", lambda lib, x: lib.linalg.inv(x), (well_conditioned(3, 3),)),
    ("inv_batched", lambda lib, x: lib.linalg.inv(x), (well_conditioned(2, 3, 3),)),
    ("inverse", lambda lib, x: lib.inverse(x), (well_conditioned(3, 3),)),
    ("det", lambda lib, x: lib.linalg.det(x), (well_conditioned(3, 3),)),
    ("det_batched", lambda lib, x: x.det(), (randn(2, 3, 3),)),
    ("slogdet", lambda lib, x: lib.linalg.slogdet(x), (randn(3, 3),)),
    ("slogdet_top_level", lambda lib, x: lib.slogdet(x), (randn(2, 3, 3),)),
    ("logdet", lambda lib, x: lib.logdet(x), (positive_definite(3, 3),)),
    ("solve_vector", lambda lib, a, b: lib.linalg.solve(a, b), (well_conditioned(3, 3), randn(3))),
    ("solve_matrix", lambda lib, a, b: lib.linalg.solve(a, b),
     (well_conditioned(3, 3), randn(3, 2))),
    ("solve_broadcast", lambda lib, a, b: lib.linalg.solve(a, b),
     (well_conditioned(2, 3, 3), randn(3, 2))),
    ("solve_batched_vector", lambda lib, a, b: lib.linalg.solve(a, b),
     (well_conditioned(2, 3, 3), randn(2, 3))),
    ("solve_right", lambda lib, a, b: lib.linalg.solve(a, b, left=False),
     (well_conditioned(3, 3), randn(2, 3))),
    ("cholesky", lambda lib, x: lib.linalg.cholesky(x), (positive_definite(3, 3),)),
    ("cholesky_upper", lambda lib, x: lib.linalg.cholesky(x, upper=True),
     (positive_definite(2, 3, 3),)),
    ("qr_tall", lambda lib, x: lib.linalg.qr(x), (randn(4, 3),)),
    ("qr_square_batched", lambda lib, x: lib.linalg.qr(x), (randn(2, 3, 3),)),
    ("qr_wide", lambda lib, x: lib.linalg.qr(x), (randn(3, 5),)),
    ("qr_complete_wide", lambda lib, x: lib.linalg.qr(x, mode="complete"), (randn(3, 4),)),
    ("eigh", _eigh_invariant, (symmetric(3, 3),)),
    ("eigh_batched", _eigh_invariant, (symmetric(2, 4, 4),)),
    ("eigvalsh", lambda lib, x: lib.linalg.eigvalsh(x), (symmetric(3, 3),)),
    ("eigvalsh_upper", lambda lib, x: lib.linalg.eigvalsh(x, UPLO="U"), (randn(3, 3),)),
    ("svd_tall", _svd_invariant, (randn(4, 3),)),
    ("svd_wide", _svd_invariant, (randn(3, 5),)),
    ("svd_square_batched", _svd_invariant, (randn(2, 3, 3),)),
    ("svd_full_matrices", lambda lib, x: _svd_invariant(lib, x, True), (randn(4, 3),)),
    ("svdvals", lambda lib, x: lib.linalg.svdvals(x), (randn(4, 3),)),
    ("torch_svd", _torch_svd_invariant, (randn(4, 3),)),
    ("pinv_tall", lambda lib, x: lib.linalg.pinv(x), (randn(4, 3),)),
    ("pinv_wide", lambda lib, x: lib.linalg.pinv(x), (randn(3, 4),)),
    ("pinverse", lambda lib, x: lib.pinverse(x), (randn(3, 3),)),
    ("matrix_power_0", lambda lib, x: lib.linalg.matrix_power(x, 0), (randn(3, 3),)),
    ("matrix_power_1", lambda lib, x: lib.linalg.matrix_power(x, 1), (randn(3, 3),)),
    ("matrix_power_3", lambda lib, x: lib.linalg.matrix_power(x, 3), (randn(3, 3),)),
    ("matrix_power_6_batched", lambda lib, x: x.matrix_power(6), (randn(2, 3, 3) * 0.5,)),
    ("matrix_power_minus_1", lambda lib, x: lib.linalg.matrix_power(x, -1),
     (well_conditioned(3, 3),)),
    ("matrix_power_minus_2", lambda lib, x: lib.matrix_power(x, -2), (well_conditioned(3, 3),)),
    ("multi_dot", lambda lib, x, y, z: lib.linalg.multi_dot([x, y, z]),
     (randn(2, 3), randn(3, 4), randn(4, 5))),
    ("multi_dot_vectors", lambda lib, x, y, z: lib.linalg.multi_dot([x, y, z]),
     (randn(3), randn(3, 4), randn(4))),
    ("multi_dot_chain", lambda lib, w, x, y, z: lib.linalg.multi_dot([w, x, y, z]),
     (randn(5, 2), randn(2, 6), randn(6, 3), randn(3, 1))),
    ("vector_norm", lambda lib, x: lib.linalg.vector_norm(x), (randn(3, 4),)),
    ("vector_norm_1_dim", lambda lib, x: lib.linalg.vector_norm(x, 1, dim=0), (randn(3, 4),)),
    ("vector_norm_inf", lambda lib, x: lib.linalg.vector_norm(x, float("inf"), 1, True),
     (randn(3, 4),)),
    ("vector_norm_minus_inf", lambda lib, x: lib.linalg.vector_norm(x, -float("inf")),
     (randn(3, 4),)),
    ("vector_norm_3", lambda lib, x: lib.linalg.vector_norm(x, 3, (0, 1)), (randn(3, 4),)),
    ("vector_norm_half", lambda lib, x: lib.linalg.vector_norm(x, 0.5), (randn(3, 4),)),
    ("vector_norm_0", lambda lib, x: lib.linalg.vector_norm(x, 0), (randn(3, 4),)),
    ("matrix_norm_fro", lambda lib, x: lib.linalg.matrix_norm(x), (randn(2, 3, 4),)),
    ("matrix_norm_nuc", lambda lib, x: lib.linalg.matrix_norm(x, "nuc"), (randn(3, 4),)),
    ("matrix_norm_2_keepdim", lambda lib, x: lib.linalg.matrix_norm(x, 2, keepdim=True),
     (randn(2, 3, 4),)),
    ("matrix_norm_minus_2", lambda lib, x: lib.linalg.matrix_norm(x, -2), (randn(3, 4),)),
    ("matrix_norm_1", lambda lib, x: lib.linalg.matrix_norm(x, 1), (randn(3, 4),)),
    ("matrix_norm_inf_dims", lambda lib, x: lib.linalg.matrix_norm(x, float("inf"), (0, 2)),
     (randn(3, 2, 4),)),
    ("matrix_norm_minus_1_keepdim", lambda lib, x: lib.linalg.matrix_norm(x, -1, keepdim=True),
     (randn(3, 4),)),
    ("norm_default", lambda lib, x: lib.linalg.norm(x), (randn(2, 3, 4),)),
    ("norm_vector_ord", lambda lib, x: lib.linalg.norm(x, 3), (randn(4),)),
    ("norm_matrix_ord", lambda lib, x: lib.linalg.norm(x, 2), (randn(3, 4),)),
    ("norm_fro_dims", lambda lib, x: lib.linalg.norm(x, "fro", (0, 1)), (randn(3, 4, 2),)),
    ("norm_dim", lambda lib, x: lib.linalg.norm(x, dim=1, keepdim=True), (randn(3, 4),)),
    ("linalg_vecdot", lambda lib, x, y: lib.linalg.vecdot(x, y), (randn(2, 3), randn(3))),
    ("linalg_vecdot_vectors", lambda lib, x, y: lib.linalg.vecdot(x, y), (randn(3), randn(3))),
    ("linalg_vecdot_dim", lambda lib, x, y: lib.linalg.vecdot(x, y, dim=0),
     (randn(3, 2), randn(3, 1))),
    ("linalg_matmul", lambda lib, x, y: lib.linalg.matmul(x, y), (randn(2, 3), randn(3, 4))),
    ("linalg_diagonal", lambda lib, x: lib.linalg.diagonal(x, offset=1), (randn(2, 3, 3),)),
    # cholesky_solve reads one triangle of the factor; tril()/triu() make the other one's
    # (unread) entries get the zero gradient finite differences see
    ("cholesky_solve", lambda lib, b, m: lib.cholesky_solve(b, m.tril()),
     (randn(3, 2), cholesky_factor(3, 3))),
    ("cholesky_solve_upper", lambda lib, b, m: b.cholesky_solve(m.triu(), upper=True),
     (randn(3, 2), cholesky_factor(3, 3).T.copy())),
    ("cholesky_solve_broadcast", lambda lib, b, m: lib.cholesky_solve(b, m.tril(), False),
     (randn(2, 1, 3, 2), cholesky_factor(4, 3, 3))),
]

# Every rule is checked by central differences in float64. Hermitian-input ops read one triangle
# but return PyTorch's symmetric gradient, so their differences go through a symmetrisation.
HERMITIAN_INPUT = ("cholesky", "cholesky_upper", "eigh", "eigh_batched", "eigvalsh",
                   "eigvalsh_upper")


@pytest.mark.parametrize("function, arrays", [row[1:] for row in OPS], ids=[r[0] for r in OPS])
def test_matches_torch(function, arrays):
    check(function, *[grad_input(a) for a in arrays], atol=1e-6, rtol=1e-6)


@pytest.mark.parametrize("name, function, arrays", OPS, ids=[r[0] for r in OPS])
def test_finite_differences(name, function, arrays):
    def all_outputs(*tensors):
        if name in HERMITIAN_INPUT:
            tensors = [(t + t.mT) * 0.5 for t in tensors]
        result = function(ember, *tensors)
        if isinstance(result, tuple):
            return ember.cat([part.reshape(-1) for part in result])
        return result
    finite_differences(all_outputs, *arrays)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", ["inv", "det", "slogdet", "cholesky", "solve", "pinv",
                                  "eigvalsh", "svdvals", "vector_norm", "matrix_norm"])
def test_dtypes(name, dtype):
    matrix = positive_definite(3, 3).astype(dtype)
    call = {"solve": lambda lib, x: lib.linalg.solve(x, x[0])}.get(
        name, lambda lib, x: getattr(lib.linalg, name)(x))
    check(call, Input(matrix), atol=1e-4, rtol=1e-4)


def test_integer_matrix_power():
    check(lambda lib, x: lib.linalg.matrix_power(x, 5), Input(np.arange(9).reshape(3, 3)))


def test_named_tuple_results():
    matrix = positive_definite(3, 3)
    for call in (lambda lib, x: lib.linalg.slogdet(x), lambda lib, x: lib.slogdet(x),
                 lambda lib, x: lib.linalg.eigh(x), lambda lib, x: lib.linalg.qr(x, "r"),
                 lambda lib, x: lib.svd(x, compute_uv=False)):
        result = check(call, Input(matrix), repr_=False)
        assert type(result).__module__ == "ember.return_types"
    sign, logabsdet = ember.linalg.slogdet(ember.tensor(matrix))
    assert repr(ember.linalg.slogdet(ember.tensor(matrix))).startswith(
        "ember.return_types.linalg_slogdet(\nsign=")
    assert ember.linalg.slogdet(ember.tensor(matrix)).logabsdet.item() == logabsdet.item()


def test_matrix_rank_and_tolerances():
    low_rank = randn(4, 2) @ randn(2, 5)
    for call in (lambda lib, x: lib.linalg.matrix_rank(x),
                 lambda lib, x: lib.linalg.matrix_rank(x, atol=1.0, rtol=0.0),
                 lambda lib, x: lib.linalg.matrix_rank(x @ x.mT, hermitian=True),
                 lambda lib, x: lib.linalg.pinv(x, rtol=0.5),
                 lambda lib, x: lib.linalg.pinv(x @ x.mT, hermitian=True),
                 lambda lib, x: lib.linalg.pinv(x, atol=1.0)):
        check(call, Input(low_rank), atol=1e-6, rtol=1e-6)


@pytest.mark.parametrize("call", [
    lambda lib, x, t: lib.linalg.matrix_rank(x, tol=1e-4),
    lambda lib, x, t: lib.linalg.matrix_rank(x, 1e-4, True),
    lambda lib, x, t: lib.linalg.matrix_rank(x, tol=t),
    lambda lib, x, t: lib.linalg.matrix_rank(x, atol=t),
    lambda lib, x, t: lib.linalg.matrix_rank(x, rtol=t),
    lambda lib, x, t: lib.linalg.matrix_rank(x, atol=t[:, None]),
    lambda lib, x, t: lib.linalg.pinv(x, atol=t),
    lambda lib, x, t: lib.linalg.pinv(x[0], rtol=t[1]),
])
def test_deprecated_tol_and_tensor_tolerances(call):
    # one tolerance per matrix of the batch, as tensors; the deprecated tol is absolute
    spectra = np.stack([np.diag([1.0, 1e-3, 1e-9]), np.diag([2.0, 1e-5, 0.5])])
    check(call, Input(spectra), Input(np.array([1e-2, 1e-6])))


@pytest.mark.filterwarnings("ignore:torch.(cholesky|qr) is deprecated")
def test_deprecated_top_level_decompositions():
    check(lambda lib, x: lib.cholesky(x, upper=True), grad_input(positive_definite(3, 3)))
    check(lambda lib, x: lib.qr(x), grad_input(randn(4, 3)))


def test_deprecated_top_level_decompositions_warn_once_as_torch(tmp_path):
    # TORCH_WARN_ONCE warnings: torch's text with its "Triggered internally" suffix, once per
    # process; fresh processes keep other tests' once-only state out
    script = tmp_path / "deprecated.py"
    script.write_text(
        "import torch\n"
        "a = torch.tensor([[4.0, 1.0], [1.0, 3.0]])\n"
        "for _ in range(2):\n"
        "    torch.cholesky(a)\n"
        "    torch.qr(a)\n")
    mine, theirs = run_script_both_ways(script)
    assert mine.stderr == theirs.stderr


def test_det_gradient_of_singular_matrices_is_zero():
    singular = np.array([[[1.0, 2.0], [2.0, 4.0]], [[1.0, 0.0], [0.0, 2.0]]])
    check(lambda lib, x: lib.linalg.det(x), grad_input(singular))


def test_second_order_gradient_of_inverse():
    check(lambda lib, x: lib.autograd.grad(lib.linalg.inv(x).sum(), x, create_graph=True)[0],
          grad_input(well_conditioned(3, 3)))


def _svd_product(lib, x):
    U, S, Vh = lib.linalg.svd(x, full_matrices=False)
    return U @ Vh * S.sum()


# Rules are written in ember ops, so differentiating a gradient works; the decompositions save
# their outputs (not copies) so the second derivative sees them move. PyTorch builds its
# backward graphs from other primitives, so only values are compared here.
SECOND_ORDER = [
    ("det", lambda lib, x: lib.linalg.det(x), well_conditioned(3, 3)),
    ("slogdet", lambda lib, x: lib.linalg.slogdet(x)[1], well_conditioned(3, 3)),
    ("solve", lambda lib, x: lib.linalg.solve(x, x[0]), well_conditioned(3, 3)),
    ("cholesky", lambda lib, x: lib.linalg.cholesky(x @ x.mT), well_conditioned(3, 3)),
    ("pinv", lambda lib, x: lib.linalg.pinv(x), randn(3, 2)),
    ("qr", lambda lib, x: lib.linalg.qr(x)[1], randn(3, 3)),
    ("qr_wide", lambda lib, x: lib.linalg.qr(x)[0] ** 2, randn(2, 3)),
    ("eigh", lambda lib, x: lib.linalg.eigh(x + x.mT)[1] ** 2, randn(3, 3)),
    ("eigvalsh", lambda lib, x: lib.linalg.eigvalsh(x + x.mT), randn(3, 3)),
    ("svd", _svd_product, randn(3, 2)),
    ("svdvals_full", lambda lib, x: lib.linalg.svd(x)[1], randn(3, 2)),
    ("svdvals", lambda lib, x: lib.linalg.svdvals(x), randn(2, 3)),
    ("vector_norm", lambda lib, x: lib.linalg.vector_norm(x, 3), randn(3, 2)),
    ("matrix_norm_nuc", lambda lib, x: lib.linalg.matrix_norm(x, "nuc"), randn(3, 2)),
]


@pytest.mark.parametrize("function, array", [row[1:] for row in SECOND_ORDER],
                         ids=[row[0] for row in SECOND_ORDER])
def test_second_order_gradients(function, array):
    def gradient(lib, x):
        out = function(lib, x)
        return lib.autograd.grad((out * out).sum(), x, create_graph=True)[0]
    check(gradient, grad_input(array), grad_fn=False, atol=1e-6, rtol=1e-6)


# ---- errors -----------------------------------------------------------------------------------

SINGULAR = np.array([[1.0, 2.0], [2.0, 4.0]], dtype=np.float32)
SINGULAR_3 = np.array([[1.0, 2, 3], [4, 5, 6], [7, 8, 9]], dtype=np.float32)
SINGULAR_BATCH = np.stack([np.eye(2, dtype=np.float32), SINGULAR])


def f32(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


LONG = np.ones((2, 2), dtype=np.int64)

ERRORS = [
    ("inv_singular", lambda lib, x: lib.linalg.inv(x), (SINGULAR,)),
    ("inv_singular_3", lambda lib, x: lib.linalg.inv(x), (SINGULAR_3,)),
    ("inv_singular_batch", lambda lib, x: lib.linalg.inv(x), (SINGULAR_BATCH,)),
    ("inverse_singular", lambda lib, x: lib.inverse(x), (SINGULAR,)),
    ("inv_not_square", lambda lib, x: lib.linalg.inv(x), (f32(2, 3),)),
    ("inv_vector", lambda lib, x: lib.linalg.inv(x), (f32(3),)),
    ("inv_integer", lambda lib, x: lib.linalg.inv(x), (LONG,)),
    ("det_not_square", lambda lib, x: lib.linalg.det(x), (f32(2, 3),)),
    ("det_vector", lambda lib, x: lib.linalg.det(x), (f32(3),)),
    ("det_integer", lambda lib, x: lib.linalg.det(x), (LONG,)),
    ("slogdet_not_square", lambda lib, x: lib.linalg.slogdet(x), (f32(2, 3),)),
    ("solve_singular", lambda lib, a, b: lib.linalg.solve(a, b), (SINGULAR, f32(2))),
    ("solve_singular_batch", lambda lib, a, b: lib.linalg.solve(a, b),
     (SINGULAR_BATCH, f32(2, 2))),
    ("solve_not_square", lambda lib, a, b: lib.linalg.solve(a, b), (f32(2, 3), f32(2))),
    ("solve_vector_shape", lambda lib, a, b: lib.linalg.solve(a, b), (f32(3, 3), f32(4))),
    ("solve_matrix_shape", lambda lib, a, b: lib.linalg.solve(a, b), (f32(3, 3), f32(4, 2))),
    ("solve_right_shape", lambda lib, a, b: lib.linalg.solve(a, b, left=False),
     (f32(3, 3), f32(3, 2))),
    ("solve_dtypes", lambda lib, a, b: lib.linalg.solve(a, b),
     (f32(3, 3), RNG.standard_normal(3))),
    ("cholesky_indefinite", lambda lib, x: lib.linalg.cholesky(x),
     (np.array([[1.0, 2], [2, 1]], dtype=np.float32),)),
    ("cholesky_negative", lambda lib, x: lib.linalg.cholesky(x), (-np.eye(3),)),
    ("cholesky_batch", lambda lib, x: lib.linalg.cholesky(x),
     (np.stack([np.eye(2), -np.eye(2)]),)),
    ("cholesky_top_level", lambda lib, x: lib.cholesky(x), (-np.eye(2),)),
    ("cholesky_not_square", lambda lib, x: lib.linalg.cholesky(x), (f32(2, 3),)),
    ("qr_mode", lambda lib, x: lib.linalg.qr(x, mode="x"), (f32(3, 3),)),
    ("qr_vector", lambda lib, x: lib.linalg.qr(x), (f32(3),)),
    ("eigh_not_square", lambda lib, x: lib.linalg.eigh(x), (f32(2, 3),)),
    ("eigh_uplo", lambda lib, x: lib.linalg.eigh(x, UPLO="X"), (f32(2, 2),)),
    ("eigvalsh_not_square", lambda lib, x: lib.linalg.eigvalsh(x), (f32(2, 3),)),
    ("svd_vector", lambda lib, x: lib.linalg.svd(x), (f32(3),)),
    ("svdvals_vector", lambda lib, x: lib.linalg.svdvals(x), (f32(3),)),
    ("svd_driver", lambda lib, x: lib.linalg.svd(x, driver="gesvd"), (f32(3, 3),)),
    ("pinv_vector", lambda lib, x: lib.linalg.pinv(x), (f32(3),)),
    ("matrix_power_not_square", lambda lib, x: lib.linalg.matrix_power(x, 2), (f32(2, 3),)),
    ("matrix_power_vector", lambda lib, x: lib.linalg.matrix_power(x, 2), (f32(3),)),
    ("matrix_power_integer_negative", lambda lib, x: lib.linalg.matrix_power(x, -1), (LONG,)),
    ("matrix_rank_integer", lambda lib, x: lib.linalg.matrix_rank(x), (LONG,)),
    ("vector_norm_integer", lambda lib, x: lib.linalg.vector_norm(x), (LONG,)),
    ("vector_norm_integer_dtype", lambda lib, x: lib.linalg.vector_norm(x, dtype=lib.int64),
     (f32(3),)),
    ("vector_norm_narrowing", lambda lib, x: lib.linalg.vector_norm(x, dtype=lib.float32),
     (RNG.standard_normal(3),)),
    ("vector_norm_empty_inf", lambda lib, x: lib.linalg.vector_norm(x, float("inf")),
     (f32(0),)),
    ("matrix_norm_vector", lambda lib, x: lib.linalg.matrix_norm(x), (f32(3),)),
    ("matrix_norm_order", lambda lib, x: lib.linalg.matrix_norm(x, 3), (f32(3, 3),)),
    ("matrix_norm_order_string", lambda lib, x: lib.linalg.matrix_norm(x, "abc"), (f32(3, 3),)),
    ("matrix_norm_same_dims", lambda lib, x: lib.linalg.matrix_norm(x, dim=(0, 0)),
     (f32(3, 3),)),
    ("norm_ord_3d", lambda lib, x: lib.linalg.norm(x, 2), (f32(2, 2, 2),)),
    ("norm_string_vector", lambda lib, x: lib.linalg.norm(x, "fro"), (f32(3),)),
    ("norm_three_dims", lambda lib, x: lib.linalg.norm(x, dim=(0, 1, 2)), (f32(2, 2, 2),)),
    ("vecdot_dtypes", lambda lib, x, y: lib.linalg.vecdot(x, y), (f32(3), RNG.standard_normal(3))),
    ("vecdot_integer", lambda lib, x, y: lib.linalg.vecdot(x, y), (LONG, LONG)),
    ("multi_dot_one", lambda lib, x: lib.linalg.multi_dot([x]), (f32(2, 3),)),
    ("multi_dot_first_3d", lambda lib, x, y: lib.linalg.multi_dot([x, y]),
     (f32(2, 2, 3), f32(3, 3))),
    ("multi_dot_last_3d", lambda lib, x, y: lib.linalg.multi_dot([x, y]),
     (f32(2, 3), f32(3, 3, 3))),
    ("multi_dot_middle", lambda lib, x, y, z: lib.linalg.multi_dot([x, y, z]),
     (f32(2, 3), f32(3), f32(3, 3))),
    ("multi_dot_shapes", lambda lib, x, y: lib.linalg.multi_dot([x, y]), (f32(2, 3), f32(4, 3))),
    ("multi_dot_dtypes", lambda lib, x, y: lib.linalg.multi_dot([x, y]),
     (f32(2, 3), RNG.standard_normal((3, 3)))),
    ("cholesky_solve_vector_b", lambda lib, b, l: lib.cholesky_solve(b, l), (f32(3), f32(3))),
    ("cholesky_solve_vector_l", lambda lib, b, l: lib.cholesky_solve(b, l), (f32(3, 2), f32(3))),
    ("cholesky_solve_dtypes", lambda lib, b, l: lib.cholesky_solve(b, l),
     (f32(3, 2), RNG.standard_normal((3, 3)))),
    ("cholesky_solve_not_square", lambda lib, b, l: lib.cholesky_solve(b, l),
     (f32(3, 2), f32(3, 2))),
    ("cholesky_solve_sizes", lambda lib, b, l: lib.cholesky_solve(b, l), (f32(3, 2), f32(2, 2))),
    ("cholesky_solve_batches", lambda lib, b, l: lib.cholesky_solve(b, l),
     (f32(2, 3, 2), f32(4, 3, 3))),
    ("cholesky_solve_integer", lambda lib, b, l: lib.cholesky_solve(b, l), (LONG, LONG)),
    ("cholesky_solve_half", lambda lib, b, l: lib.cholesky_solve(b, l),
     (f32(2, 2).astype(np.float16), f32(2, 2).astype(np.float16))),
]


@pytest.mark.parametrize("function, arrays", [row[1:] for row in ERRORS],
                         ids=[r[0] for r in ERRORS])
def test_errors(function, arrays):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        error = check_error(function, *[Input(a) for a in arrays])
    if "singular" in str(error) or "positive-definite" in str(error):
        assert isinstance(error, ember.linalg.LinAlgError)


def test_qr_gradient_errors():
    for mode, array in (("r", randn(3, 3)), ("complete", randn(4, 3))):
        def function(lib, x, mode=mode):
            Q, R = lib.linalg.qr(x, mode=mode)
            return lib.autograd.grad(R.sum(), x)
        check_error(function, grad_input(array))


def test_saved_outputs_are_version_checked():
    def modified_after_use(lib, x):
        Q, R = lib.linalg.qr(x)
        loss = (Q * 2).sum() + R.sum()
        with lib.no_grad():
            Q.mul_(2)
        return lib.autograd.grad(loss, x)
    check_error(modified_after_use, grad_input(randn(3, 3)))


def test_cholesky_solve_factor_gradient_is_not_restricted_to_its_triangle():
    # torch's factor gradient is its full-matrix formula, though the forward reads one triangle
    for upper in (False, True):
        factor = cholesky_factor(3, 3)
        factor = factor.T.copy() if upper else factor
        check(lambda lib, b, l: lib.cholesky_solve(b, l, upper), grad_input(randn(3, 2)),
              grad_input(factor), strides=True)
    check(lambda lib, b, l: lib.cholesky_solve(b, l), Input(f32(3, 2)),
          Input(cholesky_factor(3, 3).astype(np.float32)), atol=1e-5, rtol=1e-5)


RENORM_INPUT = np.array([[3.0, 4.0, 0.5], [0.1, 0.2, -0.1], [1.0, -1.0, 2.0], [0.0, 0.0, 0.0]])


@pytest.mark.parametrize("p, dim, maxnorm", [(2, 0, 1.0), (1, 1, 2.0), (3, -1, 0.5),
                                             (float("inf"), 1, 1.5), (2.5, 0, 10.0)])
def test_renorm_matches_torch(p, dim, maxnorm):
    # the zero row and the rows under maxnorm pass unscaled; the others shrink to maxnorm
    check(lambda lib, x: lib.renorm(x, p, dim, maxnorm), grad_input(RENORM_INPUT))
    check(lambda lib, x: x.renorm(p, dim, maxnorm), grad_input(RENORM_INPUT.astype(np.float32)))
    check(lambda lib, x: x.clone().renorm_(p, dim, maxnorm), grad_input(RENORM_INPUT))
    finite_differences(lambda x: ember.renorm(x, p, dim, maxnorm), RENORM_INPUT[:3])


@pytest.mark.parametrize("call", [
    lambda lib, x: lib.renorm(x[0], 2, 0, 1.0),
    lambda lib, x: lib.renorm(x, 2, 2, 1.0),
    lambda lib, x: lib.renorm(x, 0, 0, 1.0),
    lambda lib, x: lib.renorm(x, 2, 0, -1.0),
    lambda lib, x: lib.renorm(x, 2, 0, -0.25),
    lambda lib, x: lib.renorm(x.long(), 2, 0, 1.0),
])
def test_renorm_errors(call):
    check_error(call, Input(RENORM_INPUT))


@pytest.mark.parametrize("upper", [False, True])
def test_cholesky_inverse_matches_torch(upper):
    factor = cholesky_factor(2, 3, 3)
    if upper:
        factor = np.swapaxes(factor, -1, -2).copy()
    check(lambda lib, L: lib.cholesky_inverse(L, upper), grad_input(factor), strides=True)
    check(lambda lib, L: L.cholesky_inverse(upper=upper), grad_input(factor[0].astype(np.float32)),
          strides=True)
    # the forward reads one triangle, while torch's gradient fills the whole matrix: the
    # finite differences go through the triangle explicitly
    finite_differences(lambda L: ember.cholesky_inverse(L.triu() if upper else L.tril(), upper),
                       factor[0])


@pytest.mark.parametrize("array", [np.ones((2, 3)), np.ones(2), np.ones((2, 2), dtype=np.int64),
                                   np.stack([np.eye(2), np.array([[2.0, 0.0], [1.0, 0.0]])])])
def test_cholesky_inverse_errors(array):
    check_error(lambda lib, L: lib.cholesky_inverse(L), Input(array))


# LAPACK writes matrices column by column and torch hands those buffers back: the results'
# strides (and so is_contiguous, view and the reshape grad_fns after them) follow
@pytest.mark.parametrize("function", [
    lambda lib, a, b: lib.linalg.inv(a),
    lambda lib, a, b: lib.inverse(a[0]),
    lambda lib, a, b: lib.linalg.matrix_power(a, -1),
    lambda lib, a, b: lib.linalg.solve(a, b),
    lambda lib, a, b: lib.linalg.solve(a[0], b[0, :, 0]),
    lambda lib, a, b: lib.linalg.solve(a, b.mT, left=False),
    lambda lib, a, b: lib.linalg.cholesky(a @ a.mT),
    lambda lib, a, b: lib.linalg.cholesky(a @ a.mT, upper=True),
    lambda lib, a, b: list(lib.linalg.qr(a[0, :, :2])),
    lambda lib, a, b: list(lib.linalg.qr(a[0, :2], mode="complete")),
    lambda lib, a, b: lib.linalg.eigh(a + a.mT).eigenvectors.abs(),
    lambda lib, a, b: [lib.linalg.svd(a[0, :, :2], full_matrices=False).S],
    lambda lib, a, b: lib.linalg.svd(a[0]).U.abs(),
    lambda lib, a, b: lib.linalg.svd(a[0, :2]).Vh.abs(),
    lambda lib, a, b: lib.linalg.eig(a[0]).eigenvectors.abs(),
    lambda lib, a, b: lib.linalg.solve_triangular(a.triu(), b, upper=True),
    lambda lib, a, b: lib.linalg.solve_triangular(a.tril(), b.mT, upper=False, left=False),
    lambda lib, a, b: list(lib.linalg.inv_ex(a)),
    lambda lib, a, b: list(lib.linalg.solve_ex(a, b)),
    lambda lib, a, b: list(lib.linalg.cholesky_ex(a @ a.mT)),
])
def test_lapack_results_are_column_major(function):
    check(function, Input(well_conditioned(2, 3, 3)), Input(randn(2, 3, 2)), strides=True,
          rtol=1e-6, atol=1e-8)


def test_singular_ex_results_are_column_major():
    singular = np.stack([np.eye(3), np.ones((3, 3))])
    check(lambda lib, a: list(lib.linalg.inv_ex(a)), Input(singular), strides=True)
    check(lambda lib, a: list(lib.linalg.solve_ex(a, a)), Input(singular), strides=True)
    check(lambda lib, a: list(lib.linalg.solve_ex(a, a[:, :2], left=False)), Input(singular),
          strides=True)
    indefinite = np.stack([np.eye(3), -np.eye(3)])
    check(lambda lib, a: list(lib.linalg.cholesky_ex(a, upper=True)), Input(indefinite),
          strides=True)


def test_tensorsolve_matches_torch():
    square = well_conditioned(6, 6)
    check(lambda lib, a, b: lib.linalg.tensorsolve(a, b), grad_input(square.reshape(2, 3, 6)),
          grad_input(randn(2, 3)))
    check(lambda lib, a, b: lib.linalg.tensorsolve(a, b, dims=(0,)),
          grad_input(square.reshape(6, 2, 3)), grad_input(randn(2, 3)))


@pytest.mark.parametrize("shape, ind", [((4, 2, 2), 1), ((2, 2, 2, 2), 2), ((6, 2, 3), 1)])
def test_tensorinv_matches_torch(shape, ind):
    # torch reshapes the column-major inverse through _reshape_alias (ReshapeAliasBackward0),
    # ember's reshape records a view: the names differ, values, strides and gradients do not
    check(lambda lib, a: lib.linalg.tensorinv(a, ind), grad_input(well_conditioned(
        int(np.prod(shape[:ind])), int(np.prod(shape[:ind]))).reshape(shape)),
        strides=True, grad_fn=False)


@pytest.mark.parametrize("function", [
    lambda lib, x: lib.linalg.tensorinv(x.reshape(2, 8), 1),
    lambda lib, x: lib.linalg.tensorinv(x, 0),
    lambda lib, x: lib.linalg.tensorinv(x * 0, 1),
    lambda lib, x: lib.linalg.tensorsolve(x, x[0, 0]),
    lambda lib, x: lib.linalg.tensorsolve(x.reshape(4, 4) * 0, x[0, 0]),
])
def test_tensorinv_and_tensorsolve_errors(function):
    check_error(function, Input(randn(4, 2, 2)))


@pytest.mark.parametrize("function", [
    lambda lib, a: lib.solve(a, a),
    lambda lib, a: a.solve(a),
    lambda lib, a: lib.lstsq(a, a),
    lambda lib, a: a.lstsq(a),
    lambda lib, a: lib.symeig(a, True),
    lambda lib, a: a.symeig(),
    lambda lib, a: lib.eig(a, eigenvectors=True),
    lambda lib, a: a.eig(),
    lambda lib, a: lib.matrix_rank(a, 0.1, True),
])
def test_functions_removed_in_1_9_raise_torch_errors(function):
    # pre-1.9 tutorial code (torch.solve(B, A), torch.symeig...) fails as it does under torch
    check_error(function, Input(positive_definite(3, 3)))
