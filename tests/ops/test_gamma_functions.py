"""lgamma, digamma and polygamma against torch: values over the real line (poles, infinities,
tiny and huge arguments), dtypes, methods, gradients and finite differences; 0-d inputs of the
special functions."""
import numpy as np
import pytest

import ember
from oracle import check, check_error, finite_differences, grad_input

VALUES = np.array([0.0, -1.0, -2.5, 1e-8, 0.5, 1.0, 2.0, 30.0, 1e10, np.inf, -np.inf, np.nan,
                   0.1, 3.7, 9.99, 10.01, -0.3, -7.2, 1e-300, 19.5, 20.5, 150.3])
SMOOTH = np.array([0.05, 0.7, 1.3, 4.2, 12.5, 25.0, -0.4, -3.6])


@pytest.mark.parametrize("name", ["lgamma", "digamma"])
def test_values_match_torch(name):
    check(lambda lib, x: getattr(lib, name)(x), VALUES, atol=1e-12, rtol=1e-12)
    check(lambda lib, x: getattr(x, name)(), VALUES.astype(np.float32))
    check(lambda lib, x: getattr(lib, name)(x), np.array([1, 2, 5]))
    check(lambda lib, x: getattr(lib, name)(x), grad_input(SMOOTH), rtol=1e-10)


@pytest.mark.parametrize("n", [1, 2, 3])
def test_polygamma_matches_torch(n):
    finite = np.array([1e-8, -2.5, 0.5, 1.0, 2.0, 30.0, 1e10, 0.1, 3.7, -0.3, -7.2])
    check(lambda lib, x: lib.polygamma(n, x), finite, rtol=1e-9)
    check(lambda lib, x: x.polygamma(n), grad_input(SMOOTH), rtol=1e-9)
    check(lambda lib, x: lib.polygamma(n, x), np.array([0.0, np.inf, np.nan]))
    check(lambda lib, x: lib.polygamma(n, x), SMOOTH.astype(np.float32))


def test_in_place_and_second_derivative():
    check(lambda lib, x: x.clone().lgamma_(), SMOOTH)
    check(lambda lib, x: x.clone().digamma_(), SMOOTH)
    finite_differences(lambda x: ember.lgamma(x), SMOOTH)
    finite_differences(lambda x: ember.digamma(x), SMOOTH)
    finite_differences(lambda x: ember.polygamma(2, x), SMOOTH)

    def second(lib, x):
        (grad,) = lib.autograd.grad(lib.lgamma(x).sum(), x, create_graph=True)
        return grad
    check(second, grad_input(SMOOTH), rtol=1e-10)


@pytest.mark.parametrize("name", ["igamma", "igammac"])
def test_incomplete_gamma_matches_torch(name):
    a = np.array([0.3, 1.0, 2.0, 5.5, 50.0, 0.01, 3.0, 200.0, 0.0, -1.0, 2.0, 1.0])
    x = np.array([0.1, 0.0, 2.5, 5.0, 49.0, 1e-5, 30.0, 210.0, 0.0, 1.0, np.inf, -1.0])
    check(lambda lib, s, t: getattr(lib, name)(s, t), a, x, rtol=1e-9, atol=1e-14)
    check(lambda lib, s, t: getattr(s, name)(t), a.astype(np.float32), x.astype(np.float32))
    check(lambda lib, s, t: getattr(lib, name)(s, t), a[:8], grad_input(x[:8] + 0.5),
          rtol=1e-9)
    check_error(lambda lib, s, t: lib.autograd.grad(getattr(lib, name)(s, t).sum(), s),
                grad_input(a[:3]), x[:3])


def test_xlogy_gradient_where_input_is_zero():
    check(lambda lib, s, t: lib.xlogy(s, t), grad_input(np.array([0.0, 0.0, 1.5, 0.0])),
          grad_input(np.array([0.3, -1.0, 2.0, 0.0])))


@pytest.mark.parametrize("name", ["digamma", "lgamma", "special.psi", "special.bessel_j1",
                                  "special.modified_bessel_i1", "special.spherical_bessel_j0",
                                  "special.bessel_j0", "erfinv", "i0", "special.i1e"])
def test_zero_dim_input(name):
    # the kernels' masked assignments once failed on the NumPy scalars 0-d arrays decay to
    def apply(lib, x):
        function = lib
        for part in name.split("."):
            function = getattr(function, part)
        return function(x)
    check(apply, np.array(0.5))
    check(apply, np.array(-1.5, dtype=np.float32))


def test_zero_dim_polygamma_and_gradient():
    check(lambda lib, x: lib.polygamma(2, x), np.array(0.5))
    check(lambda lib, x: lib.special.polygamma(1, x), np.array(0.0))
    check(lambda lib, x: lib.mvlgamma(x, 2), np.array(2.5))
    check(lambda lib, x: lib.digamma(x), grad_input(np.array(0.5)))
