"""torch.linalg's cholesky_ex, inv_ex and solve_ex against torch: results, int32 info codes,
gradients and named-tuple reprs; what is left in the result for a failing matrix (a partial
Cholesky factor, the infs and nans of a zero pivot); errors with check_errors=True."""
import numpy as np
import pytest

import ember
from oracle import Input, check, check_error, grad_input, torch

RNG = np.random.default_rng(31)
POSITIVE_DEFINITE = np.array([[4.0, 2.0, 1.0], [2.0, 3.0, 0.5], [1.0, 0.5, 5.0]])
# fails at the fourth leading minor, leaving a fifth column LAPACK never reached
INDEFINITE_5 = np.array([[4.0, 2.0, 1.0, 0.3, 0.1], [2.0, 3.0, 0.5, 0.2, 0.1],
                         [1.0, 0.5, 5.0, 0.1, 0.3], [0.3, 0.2, 0.1, -1.0, 0.0],
                         [0.1, 0.1, 0.3, 0.0, 2.0]])
SINGULAR = [np.array([[1.0, 2.0], [2.0, 4.0]]), np.zeros((2, 2)),
            np.array([[0.0, 0.0, 1.0], [0.0, 0.0, 2.0], [1.0, 1.0, 1.0]]),
            np.arange(1.0, 10.0).reshape(3, 3)]


def _well_conditioned(*shape):
    return RNG.standard_normal(shape) * 0.5 + 3 * np.eye(shape[-1])


def _same_repr(function, *arrays):
    mine = function(ember, *[ember.from_numpy(a.copy()) for a in arrays])
    theirs = function(torch, *[torch.from_numpy(a.copy()) for a in arrays])
    assert repr(mine) == repr(theirs).replace("torch.", "ember.")


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_successful_factorisations_match_torch(dtype):
    base = RNG.standard_normal((2, 3, 3))
    spd = (base @ np.swapaxes(base, -1, -2) + 3 * np.eye(3)).astype(dtype)
    square = _well_conditioned(2, 3, 3).astype(dtype)
    rhs = RNG.standard_normal((2, 3, 2)).astype(dtype)
    check(lambda lib, a: lib.linalg.cholesky_ex(a), grad_input(spd))
    check(lambda lib, a: lib.linalg.cholesky_ex(a, upper=True), grad_input(spd))
    check(lambda lib, a: lib.linalg.inv_ex(a), grad_input(square))
    check(lambda lib, a, b: lib.linalg.solve_ex(a, b), grad_input(square), grad_input(rhs))
    check(lambda lib, a, b: lib.linalg.solve_ex(a, b, left=False), grad_input(square),
          grad_input(np.swapaxes(rhs, -1, -2).copy()))
    check(lambda lib, a, b: lib.linalg.solve_ex(a, b), grad_input(square[0]),
          grad_input(rhs[0, :, 0].copy()))


def test_named_tuple_reprs():
    _same_repr(lambda lib, a: lib.linalg.cholesky_ex(a), POSITIVE_DEFINITE)
    _same_repr(lambda lib, a: lib.linalg.inv_ex(a), SINGULAR[0])
    _same_repr(lambda lib, a, b: lib.linalg.solve_ex(a, b), SINGULAR[0], np.ones(2))


@pytest.mark.parametrize("matrix", [np.array([[1.0, 2.0], [2.0, 1.0]]), INDEFINITE_5,
                                    INDEFINITE_5[[3, 0, 1, 2, 4]][:, [3, 0, 1, 2, 4]],
                                    POSITIVE_DEFINITE - 4 * np.eye(3)])
@pytest.mark.parametrize("upper", [False, True])
def test_cholesky_ex_leaves_the_partial_factor(matrix, upper):
    check(lambda lib, a: lib.linalg.cholesky_ex(a, upper=upper), Input(matrix))


def test_cholesky_ex_batch_info_and_complex():
    batch = np.stack([POSITIVE_DEFINITE, INDEFINITE_5[:3, :3] - 2 * np.eye(3), np.eye(3)])
    check(lambda lib, a: lib.linalg.cholesky_ex(a), Input(batch))
    hermitian_indefinite = np.array([[1.0 + 0j, 2j], [-2j, 1.0]])
    check(lambda lib, a: lib.linalg.cholesky_ex(a), Input(hermitian_indefinite))


@pytest.mark.parametrize("matrix", SINGULAR)
def test_inv_ex_and_solve_ex_through_a_zero_pivot(matrix):
    size = matrix.shape[-1]
    check(lambda lib, a: lib.linalg.inv_ex(a), Input(matrix))
    check(lambda lib, a, b: lib.linalg.solve_ex(a, b), Input(matrix),
          Input(np.arange(1.0, size + 1)))
    check(lambda lib, a, b: lib.linalg.solve_ex(a, b, left=False), Input(matrix),
          Input(np.ones((2, size))))


def test_batched_singular_info_follows_the_batch_of_A():
    batch = np.stack([np.eye(2), SINGULAR[0], SINGULAR[1]])
    check(lambda lib, a: lib.linalg.inv_ex(a), Input(batch))
    check(lambda lib, a, b: lib.linalg.solve_ex(a, b), Input(batch), Input(np.ones((4, 1, 2, 1))))


@pytest.mark.parametrize("function", [
    lambda lib, a: lib.linalg.cholesky_ex(a - 3 * lib.eye(3, dtype=a.dtype), check_errors=True),
    lambda lib, a: lib.linalg.inv_ex(a * 0, check_errors=True),
    lambda lib, a: lib.linalg.solve_ex(lib.stack([a, a * 0]), a, check_errors=True),
    lambda lib, a: lib.linalg.cholesky_ex(a[:2]),
    lambda lib, a: lib.linalg.inv_ex(a.long()),
    lambda lib, a: lib.linalg.solve_ex(a, a[:2]),
])
def test_errors(function):
    check_error(function, Input(POSITIVE_DEFINITE))
