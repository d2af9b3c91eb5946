"""linalg.matrix_exp, linalg.eig/eigvals, vander/linalg.vander, dist and inner against torch:
values, dtypes, grad_fn names, gradients (and finite differences in float64), errors."""
import numpy as np
import pytest

import ember
from oracle import Input, check, check_error, finite_differences, grad_input

RNG = np.random.default_rng(41)


def _distinct_eigenvalues(*shape):
    """Matrices with well-separated real eigenvalues (1, 2, 3...) in a random basis."""
    size = shape[-1]
    basis = RNG.standard_normal(shape) * 0.3 + np.eye(size)
    spectrum = np.diag(np.arange(1.0, size + 1))
    return basis @ spectrum @ np.linalg.inv(basis)


@pytest.mark.parametrize("shape", [(3, 3), (2, 4, 4), (1, 1), (0, 0)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex128])
def test_matrix_exp_matches_torch(shape, dtype):
    matrix = (RNG.standard_normal(shape) * 1.5).astype(dtype)
    if np.dtype(dtype).kind == "c":
        matrix = matrix + 0.5j * RNG.standard_normal(shape)
    check(lambda lib, a: lib.linalg.matrix_exp(a), grad_input(matrix))
    check(lambda lib, a: a.matrix_exp(), grad_input(matrix))


def test_matrix_exp_large_norm_and_second_order():
    check(lambda lib, a: lib.matrix_exp(a), grad_input(RNG.standard_normal((3, 3)) * 8))
    finite_differences(lambda a: ember.linalg.matrix_exp(a), RNG.standard_normal((3, 3)))

    def first_derivative(lib, a):
        grad, = lib.autograd.grad(lib.matrix_exp(a).sum(), a, create_graph=True)
        return grad
    check(first_derivative, grad_input(RNG.standard_normal((2, 2))))


@pytest.mark.parametrize("shape", [(3, 3), (2, 3, 3)])
def test_eig_matches_torch_for_phase_invariant_uses(shape):
    matrix = _distinct_eigenvalues(*shape)
    check(lambda lib, a: lib.linalg.eig(a).eigenvalues, grad_input(matrix))
    check(lambda lib, a: lib.linalg.eigvals(a), grad_input(matrix))
    check(lambda lib, a: lib.linalg.eig(a).eigenvectors.abs(), grad_input(matrix))
    check(lambda lib, a: lib.linalg.eigvals(a), matrix.astype(np.float32))


def test_eig_complex_eigenvalues_and_result_type():
    rotation = np.array([[0.0, 1.0], [-1.0, 0.0]])
    check(lambda lib, a: lib.linalg.eig(a).eigenvalues, rotation)
    check(lambda lib, a: lib.linalg.eig(a).eigenvectors.abs(), rotation)
    result = ember.linalg.eig(ember.tensor(rotation))
    assert type(result).__name__ == "linalg_eig" and len(result) == 2
    assert result.eigenvalues is result[0] and result.eigenvectors is result[1]


@pytest.mark.parametrize("call", [
    lambda lib: lib.linalg.eig(lib.ones(2, 3)),
    lambda lib: lib.linalg.eig(lib.ones(2)),
    lambda lib: lib.linalg.eig(lib.ones(2, 2, dtype=lib.int64)),
    lambda lib: lib.linalg.eigvals(lib.ones(2, 2, dtype=lib.int64)),
    lambda lib: lib.linalg.eig(lib.tensor([[1.0, float("nan")], [0.0, 1.0]])),
    lambda lib: lib.linalg.matrix_exp(lib.ones(2, 3)),
    lambda lib: lib.linalg.matrix_exp(lib.ones(2, 2, dtype=lib.int64)),
    lambda lib: lib.linalg.matrix_exp(lib.ones(2)),
])
def test_eig_and_matrix_exp_errors_match_torch(call):
    check_error(call)


@pytest.mark.parametrize("N, increasing", [(None, False), (4, True), (1, False), (0, False),
                                           (3, True)])
def test_vander_matches_torch(N, increasing):
    x = np.array([1.5, -2.0, 0.5])
    check(lambda lib, t: lib.vander(t, N=N, increasing=increasing), x)
    columns = 3 if N is None else N

    def backward(lib, t):
        lib.vander(t, N=N, increasing=increasing).sum().backward()
        return t.grad
    if columns > 1:
        # PyTorch's vander reads a slice it then overwrites, so its backward fails
        check_error(backward, grad_input(x))
    else:
        check(lambda lib, t: lib.vander(t, N=N, increasing=increasing), grad_input(x))
    check(lambda lib, t: lib.vander(t, N=N, increasing=increasing), np.array([1, 2, 3]))
    check(lambda lib, t: lib.vander(t, N=N), np.array([True, False]))


def test_linalg_vander_matches_torch():
    check(lambda lib, t: lib.linalg.vander(t), grad_input(RNG.standard_normal((2, 3))))
    check(lambda lib, t: lib.linalg.vander(t, N=4), np.array([[1, 2], [3, 4]]))
    check(lambda lib, t: lib.linalg.vander(t, N=2), np.array([1, 2], dtype=np.int32))


@pytest.mark.parametrize("call", [
    lambda lib: lib.vander(lib.ones(2, 2)),
    lambda lib: lib.vander(lib.ones(2), N=-1),
    lambda lib: lib.linalg.vander(lib.ones(2), N=1),
    lambda lib: lib.linalg.vander(lib.tensor(2.0)),
])
def test_vander_errors_match_torch(call):
    check_error(call)


@pytest.mark.parametrize("p", [2, 1, 3, float("inf"), -float("inf"), 0.5])
def test_dist_matches_torch(p):
    a = RNG.standard_normal((2, 3))
    b = RNG.standard_normal((3,))
    check(lambda lib, x, y: lib.dist(x, y, 0), a, b)
    check(lambda lib, x, y: lib.dist(x, y, p), grad_input(a), grad_input(b))
    check(lambda lib, x, y: x.dist(y, p=p), grad_input(a), grad_input(b))
    finite_differences(lambda x, y: ember.dist(x, y, p), a, b)


def test_dist_edges_and_errors():
    same = RNG.standard_normal(3)
    check(lambda lib, x, y: lib.dist(x, y), grad_input(same), grad_input(same))
    check(lambda lib, x, y: lib.dist(x, y), np.array([1.0, 2.0], dtype=np.float32),
          np.array([3, 4]))
    check(lambda lib, x, y: lib.dist(x, y), np.array([1 + 1j]), np.array([0j]))
    check_error(lambda lib, x: lib.dist(x, x), np.array([1, 2]))
    check_error(lambda lib, x: lib.dist(x, 3.0), np.array([1.0, 2.0]))
    check_error(lambda lib, x: lib.dist(x, lib.ones(3, dtype=lib.float64)), np.array([1.0, 2.0]))


@pytest.mark.parametrize("shapes", [((3,), (3,)), ((2, 3), (4, 3)), ((), (2, 3)),
                                    ((2, 3), ()), ((2, 1, 3), (3,))])
def test_inner_matches_torch(shapes):
    a = RNG.standard_normal(shapes[0])
    b = RNG.standard_normal(shapes[1])
    check(lambda lib, x, y: lib.inner(x, y), grad_input(a), grad_input(b))
    check(lambda lib, x, y: x.inner(y), a, b)


def test_inner_errors_match_torch():
    check_error(lambda lib, x, y: lib.inner(x, y), np.ones((2, 3)), np.ones((4, 2)))
    check_error(lambda lib, x, y: lib.inner(x, y), np.array([1, 2]), np.array([1.0, 2.0]))


@pytest.mark.parametrize("p", [None, 2, -2, 1, -1, 1.0, float("inf"), -float("inf"), "fro",
                               "nuc"])
def test_cond_matches_torch(p):
    matrices = RNG.standard_normal((2, 3, 3)) + 2 * np.eye(3)
    if p is None or p in (2, -2, "nuc"):
        check(lambda lib, a: lib.linalg.cond(a, p), grad_input(matrices))
    else:
        check(lambda lib, a: lib.linalg.cond(a, p), matrices)

        def backward(lib, a):
            # PyTorch fills inv_ex's saved output in place, so this backward always fails
            lib.linalg.cond(a, p).sum().backward()
        check_error(backward, grad_input(matrices))
    check(lambda lib, a: lib.linalg.cond(a, p), np.zeros((0, 0)))
    if p in (1, -1, float("inf"), "fro"):
        # a singular matrix: the inverse is filled with inf and 0 * inf reported as inf
        check(lambda lib, a: lib.linalg.cond(a, p), np.array([[1.0, 2.0], [2.0, 4.0]]))


@pytest.mark.parametrize("call", [
    lambda lib: lib.linalg.cond(lib.ones(2)),
    lambda lib: lib.linalg.cond(lib.ones(2, 2), 3),
    lambda lib: lib.linalg.cond(lib.ones(2, 3), 3),
    lambda lib: lib.linalg.cond(lib.ones(2, 3), "abc"),
    lambda lib: lib.linalg.cond(lib.ones(2, 2), "abc"),
    lambda lib: lib.linalg.cond(lib.ones(2, 3), 1),
    lambda lib: lib.linalg.cond(lib.ones(2, 3), 1.0),
    lambda lib: lib.linalg.cond(lib.ones(2, 3), -float("inf")),
    lambda lib: lib.linalg.cond(lib.ones(2, 3), "nuc"),
    lambda lib: lib.linalg.cond(lib.eye(2, dtype=lib.int64), 1),
])
def test_cond_errors_match_torch(call):
    check_error(call)


@pytest.mark.parametrize("driver", [None, "gels", "gelsy", "gelsd", "gelss"])
@pytest.mark.parametrize("shapes", [((4, 2), (4, 3)), ((2, 3, 2), (2, 3, 1)), ((3, 3), (3,))])
def test_lstsq_matches_torch(driver, shapes):
    A = RNG.standard_normal(shapes[0])
    B = RNG.standard_normal(shapes[1])
    if len(shapes[1]) == 1:
        B = RNG.standard_normal(shapes[0][:-1])
    check(lambda lib, a, b: lib.linalg.lstsq(a, b, driver=driver).solution, grad_input(A),
          grad_input(B))
    check(lambda lib, a, b: tuple(lib.linalg.lstsq(a, b, driver=driver))[1:], A, B)


@pytest.mark.parametrize("shapes", [((4, 3), (4,)), ((4, 3), (4, 2)), ((3, 4), (3, 2)),
                                    ((2, 4, 3), (2, 4)), ((2, 4, 3), (2, 4, 2)), ((3, 4), (3,))])
def test_lstsq_solution_is_a_view_of_the_padded_column_major_buffer(shapes):
    # LAPACK overwrites B (padded to max(m, n) rows) in place; torch narrows that buffer
    def solution_layout(lib, a, b):
        solution = lib.linalg.lstsq(a, b).solution
        return solution, solution.untyped_storage().nbytes(), solution.is_contiguous()
    check(solution_layout, Input(RNG.standard_normal(shapes[0])),
          Input(RNG.standard_normal(shapes[1])), strides=True)


def test_lstsq_errors_match_torch():
    check_error(lambda lib, a, b: lib.linalg.lstsq(a, b), np.ones((3, 2)), np.ones((2, 1)))
    check_error(lambda lib, a, b: lib.linalg.lstsq(a, b, driver="foo"), np.ones((3, 2)),
                np.ones((3, 1)))
