"""logcumsumexp (function, method, out=) against torch: values with -inf entries and large
magnitudes, dtypes, LogcumsumexpBackward0 gradients, finite differences and errors."""
import numpy as np
import pytest

import ember
from oracle import Input, check, check_double_backward, check_error, finite_differences, grad_input

RNG = np.random.default_rng(21)
A = RNG.standard_normal((3, 5))
INF = float("inf")
WITH_INF = np.array([[-INF, 0.0, 1.0, -INF], [2.0, -INF, -INF, 3.0], [-INF, -INF, 0.5, 0.5]])
LARGE = np.array([[800.0, 801.0, -900.0], [-1000.0, -999.0, 1000.0]])


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_logcumsumexp_matches_torch(dim):
    check(lambda lib, x: lib.logcumsumexp(x, dim), grad_input(A))
    check(lambda lib, x: x.logcumsumexp(dim=dim), grad_input(A.astype(np.float32)))


@pytest.mark.parametrize("array", [WITH_INF, LARGE], ids=["inf", "large"])
def test_logcumsumexp_extremes_match_torch(array):
    check(lambda lib, x: lib.logcumsumexp(x, 1), grad_input(array))
    check(lambda lib, x: lib.logcumsumexp(x, 0), grad_input(array))


def test_logcumsumexp_other_dtypes_and_shapes_match_torch():
    check(lambda lib, x: lib.logcumsumexp(x, 0), Input(A.astype(np.float16)), atol=1e-3)
    check(lambda lib, x: lib.logcumsumexp(x, 1), grad_input(A + 1j * A[::-1]))
    check(lambda lib, x: lib.logcumsumexp(x, 0), grad_input(np.array(1.5)))
    check(lambda lib, x: lib.logcumsumexp(x, 1), grad_input(np.ones((2, 0))))
    check(lambda lib, x: lib.logcumsumexp(x.t(), 1), grad_input(A))


def test_logcumsumexp_out_matches_torch():
    def with_out(lib, x):
        out = lib.empty(0, dtype=lib.float64)
        result = lib.logcumsumexp(x, 1, out=out)
        return result, out
    check(with_out, Input(A))


def test_logcumsumexp_finite_differences():
    finite_differences(lambda x: ember.logcumsumexp(x, 1), A)
    finite_differences(lambda x: ember.logcumsumexp(x, 0), LARGE / 100)


def test_logcumsumexp_double_backward_matches_torch():
    check_double_backward(lambda lib, x: lib.logcumsumexp(x, 1), [A])


def test_logcumsumexp_errors_match_torch():
    check_error(lambda lib, x: lib.logcumsumexp(x, 0), Input(np.arange(3)))
    check_error(lambda lib, x: lib.logcumsumexp(x, 0), Input(np.ones(3, dtype=bool)))
    check_error(lambda lib, x: lib.logcumsumexp(x, 2), Input(A))
