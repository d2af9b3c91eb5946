"""linalg.solve_triangular against torch: both triangles, left/right, unit diagonal,
batch broadcasting, gradients, second derivatives and the shape error."""
import numpy as np
import pytest

from oracle import check, check_error, grad_input

RNG = np.random.default_rng(3)
A = RNG.standard_normal((2, 3, 3)) + 3 * np.eye(3)
B = RNG.standard_normal((2, 3, 4))


@pytest.mark.parametrize("upper", [False, True])
@pytest.mark.parametrize("left", [True, False])
@pytest.mark.parametrize("unitriangular", [False, True])
def test_matches_torch(upper, left, unitriangular):
    b = B if left else B.swapaxes(-1, -2).copy()
    check(lambda lib, a, rhs: lib.linalg.solve_triangular(
        a, rhs, upper=upper, left=left, unitriangular=unitriangular),
        grad_input(A), grad_input(b), rtol=1e-10, atol=1e-12)


def test_broadcasting_float32_and_second_derivative():
    check(lambda lib, a, rhs: lib.linalg.solve_triangular(a, rhs, upper=False),
          grad_input(A[0]), grad_input(B))
    check(lambda lib, a, rhs: lib.linalg.solve_triangular(a, rhs, upper=True),
          A.astype(np.float32), B.astype(np.float32))

    def second(lib, a, rhs):
        x = lib.linalg.solve_triangular(a, rhs, upper=False)
        (grad,) = lib.autograd.grad((x * x).sum(), a, create_graph=True)
        return grad
    check(second, grad_input(A), grad_input(B), rtol=1e-9, atol=1e-12)


def test_shape_error():
    check_error(lambda lib, a, rhs: lib.linalg.solve_triangular(a, rhs, upper=False),
                A, RNG.standard_normal((2, 4, 2)))
