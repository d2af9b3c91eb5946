"""svd_lowrank and pca_lowrank against torch. The random sketches differ (ember draws from its
own stream), so the comparisons are of what both must agree on: shapes, dtypes and grad_fns,
exact singular values and reconstructions for matrices of rank <= q, and an approximation
error of the same size as torch's for full-rank matrices."""
import numpy as np
import pytest

from oracle import check_error, run_both

RNG = np.random.default_rng(21)


def _low_rank(batch, rows, columns, rank, complex_=False):
    left = RNG.standard_normal(batch + (rows, rank))
    right = RNG.standard_normal(batch + (rank, columns))
    if complex_:
        left = left + 1j * RNG.standard_normal(left.shape)
    return left @ right


def _numpy(tensor):
    return tensor.detach().resolve_conj().numpy()


def _reconstruction(U, S, V):
    U, S, V = _numpy(U), _numpy(S), _numpy(V)
    return (U * S[..., None, :]) @ np.conj(np.swapaxes(V, -1, -2))


def _assert_same_kind(mine, theirs):
    for a, b in zip(mine, theirs):
        assert tuple(a.shape) == tuple(b.shape)
        assert str(a.dtype).split(".")[-1] == str(b.dtype).split(".")[-1]
        assert type(a.grad_fn).__name__ == type(b.grad_fn).__name__


@pytest.mark.parametrize("shape", [((), 30, 20), ((2,), 20, 30), ((3,), 25, 25)])
@pytest.mark.parametrize("complex_", [False, True])
def test_svd_lowrank_is_exact_for_low_rank_matrices(shape, complex_):
    batch, rows, columns = shape
    matrix = _low_rank(batch, rows, columns, 4, complex_)
    mine, theirs = run_both(lambda lib, A: lib.svd_lowrank(A, q=6), matrix)
    _assert_same_kind(mine, theirs)
    np.testing.assert_allclose(_numpy(mine[1])[..., :4], _numpy(theirs[1])[..., :4],
                               rtol=1e-10)
    np.testing.assert_allclose(_reconstruction(*mine), _reconstruction(*theirs), atol=1e-9)
    np.testing.assert_allclose(_reconstruction(*mine), matrix, atol=1e-9)


def test_svd_lowrank_with_M():
    matrix = _low_rank((), 20, 12, 3)
    offset = RNG.standard_normal((1, 12))

    def run(lib, A, M):
        A.requires_grad_(True)
        U, S, V = lib.svd_lowrank(A + M, q=5, niter=1, M=M)
        return U, S, V
    mine, theirs = run_both(run, matrix, offset)
    _assert_same_kind(mine, theirs)
    np.testing.assert_allclose(_numpy(mine[1])[:3], _numpy(theirs[1])[:3], rtol=1e-10)
    np.testing.assert_allclose(_reconstruction(*mine), _reconstruction(*theirs), atol=1e-9)


def test_svd_lowrank_float32_and_full_rank_accuracy():
    matrix = RNG.standard_normal((60, 40)) * np.linspace(3, 0.01, 40)
    mine, theirs = run_both(lambda lib, A: lib.svd_lowrank(A, q=10, niter=4), matrix)
    _assert_same_kind(mine, theirs)
    exact = np.linalg.svd(matrix, compute_uv=False)[:10]
    mine_error = np.abs(_numpy(mine[1]) - exact).max()
    theirs_error = np.abs(_numpy(theirs[1]) - exact).max()
    assert mine_error < 10 * theirs_error + 1e-3
    single = matrix.astype(np.float32)
    mine, theirs = run_both(lambda lib, A: lib.svd_lowrank(A, q=10, niter=4), single)
    _assert_same_kind(mine, theirs)
    np.testing.assert_allclose(_numpy(mine[1]), _numpy(theirs[1]), rtol=0.1)


@pytest.mark.parametrize("center", [True, False])
def test_pca_lowrank(center):
    data = _low_rank((2,), 40, 15, 3) + RNG.standard_normal((2, 1, 15))
    mine, theirs = run_both(lambda lib, A: lib.pca_lowrank(A, q=5, center=center), data)
    _assert_same_kind(mine, theirs)
    rank = 3 if center else 4
    np.testing.assert_allclose(_numpy(mine[1])[..., :rank], _numpy(theirs[1])[..., :rank],
                               rtol=1e-9)
    mine, theirs = run_both(lambda lib, A: lib.pca_lowrank(A), data[0])
    _assert_same_kind(mine, theirs)
    np.testing.assert_allclose(_numpy(mine[1])[:3], _numpy(theirs[1])[:3], rtol=1e-9)


def test_gradient_graph_matches_torch():
    matrix = _low_rank((), 12, 8, 2)

    def run(lib, A):
        A.requires_grad_(True)
        U, S, V = lib.svd_lowrank(A, q=3)
        (grad,) = lib.autograd.grad(S[:2].sum(), A)
        return U, S, V, grad
    mine, theirs = run_both(run, matrix)
    _assert_same_kind(mine[:3], theirs[:3])
    # d(sum of the top singular values)/dA = U_k V_k^H for an exactly rank-k matrix
    np.testing.assert_allclose(_numpy(mine[3]), _numpy(theirs[3]), atol=1e-8)


def test_pca_lowrank_errors():
    data = RNG.standard_normal((5, 4))
    check_error(lambda lib, A: lib.pca_lowrank(A, q=5), data)
    check_error(lambda lib, A: lib.pca_lowrank(A, q=-1), data)
    check_error(lambda lib, A: lib.pca_lowrank(A, niter=-1), data)

