"""Set membership, products and floating-point decomposition (isin, cartesian_prod,
combinations, block_diag, signbit, frexp, ldexp, heaviside, typename) against torch."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import ember
from oracle import Input, check, check_double_backward, check_error, finite_differences, \
    grad_input

RNG = np.random.default_rng(5)
V = RNG.standard_normal(4)
W = RNG.standard_normal(3)
M = RNG.standard_normal((2, 3))
INTEGERS = np.array([[3, 1, 4], [1, 5, 9]])
SPECIAL = np.array([0.0, -0.0, 1.0, -3.5, np.inf, -np.inf, np.nan, 1e-310, -2.5e-300, 7e300])
STEPS = np.array([-2.0, 0.0, -0.0, 3.0, np.nan])


def test_isin():
    tests = np.array([1, 9, 7])
    check(lambda lib, x, t: lib.isin(x, t), Input(INTEGERS), Input(tests))
    check(lambda lib, x, t: lib.isin(x, t, invert=True), Input(INTEGERS), Input(tests))
    check(lambda lib, x, t: lib.isin(x, t, assume_unique=True), Input(np.array([3, 1, 2])),
          Input(np.array([2, 4])))
    check(lambda lib, x: lib.isin(5, x), Input(INTEGERS))
    check(lambda lib, x: lib.isin(x, 4), Input(INTEGERS))
    check(lambda lib, x: lib.isin(x, 4.5), Input(INTEGERS))
    check(lambda lib, x: lib.isin(x, 4.0, invert=True), Input(INTEGERS))
    # compared in the promoted dtype: uint8 255 is not int64 -1
    check(lambda lib, x, t: lib.isin(x, t), Input(np.array([255, 1], dtype=np.uint8)),
          Input(np.array([-1, 1])))
    check(lambda lib, x, t: lib.isin(x, t), Input(SPECIAL), Input(SPECIAL[::2]))
    check(lambda lib, x, t: lib.isin(x, t), Input(SPECIAL.astype(np.float16)),
          Input(INTEGERS))
    check(lambda lib, x, t: lib.isin(x, t), grad_input(V), Input(V[:2]))


@settings(max_examples=30, deadline=None)
@given(elements=hnp.arrays(np.int64, hnp.array_shapes(max_dims=3, max_side=4),
                           elements=st.integers(-5, 5)),
       tests=hnp.arrays(np.int64, hnp.array_shapes(min_dims=0, max_dims=2, max_side=5),
                        elements=st.integers(-5, 5)),
       invert=st.booleans())
def test_isin_over_shapes(elements, tests, invert):
    check(lambda lib, x, t: lib.isin(x, t, invert=invert), Input(elements), Input(tests))


def test_cartesian_prod():
    check(lambda lib, a, b: lib.cartesian_prod(a, b), grad_input(V), grad_input(W))
    check(lambda lib, a, b, c: lib.cartesian_prod(a, b, c), grad_input(V), grad_input(W),
          grad_input(V[:2]))
    # one tensor: returned as it is (same object, its own grad_fn)
    check(lambda lib, a: lib.cartesian_prod(a), grad_input(V))
    check(lambda lib, a: lib.cartesian_prod(a * 2), grad_input(V))
    check(lambda lib, a, b: lib.cartesian_prod(a, b), Input(np.array([1, 2])),
          Input(np.array([], dtype=np.int64)))


@pytest.mark.parametrize("r", [0, 1, 2, 3, 5])
@pytest.mark.parametrize("with_replacement", [False, True])
def test_combinations(r, with_replacement):
    def combinations(lib, x):
        return lib.combinations(x, r, with_replacement=with_replacement)
    check(combinations, grad_input(V))
    check(combinations, Input(np.array([3, 1, 2])))
    if r:
        finite_differences(lambda x: combinations(ember, x), V)


def test_combinations_of_an_empty_vector():
    check(lambda lib, x: lib.combinations(x), grad_input(np.zeros(0)))


def test_block_diag():
    check(lambda lib, a, b, c: lib.block_diag(a, b, c), grad_input(M), grad_input(V),
          grad_input(np.array(2.5)))
    check(lambda lib, a, b: lib.block_diag(a, b), grad_input(M.astype(np.float32)),
          grad_input(M.T))
    check(lambda lib, a, b: lib.block_diag(a, b), grad_input(M), grad_input(np.ones((0, 2))))
    check(lambda lib, a, b: lib.block_diag(a, b), grad_input(M), grad_input(M + 1j * M))
    check(lambda lib, a, b: lib.block_diag(a, b), Input(INTEGERS), grad_input(M))
    check(lambda lib: lib.block_diag())
    finite_differences(lambda a, b: ember.block_diag(a, b, a), M, V)
    check_double_backward(lambda lib, a, b: lib.block_diag(a, b) ** 2, [M, V])


def test_signbit():
    check(lambda lib, x: lib.signbit(x), Input(SPECIAL))
    check(lambda lib, x: x.signbit(), Input(SPECIAL.astype(np.float32)))
    check(lambda lib, x: lib.signbit(x), Input(SPECIAL.astype(np.float16)))
    check(lambda lib, x: lib.signbit(x), Input(np.array([-1, 0, 2])))
    check(lambda lib, x: lib.signbit(x), Input(np.array([0, 200], dtype=np.uint8)))
    check(lambda lib, x: lib.signbit(x), Input(np.array([True, False])))
    check(lambda lib, x: lib.signbit(x), grad_input(V))
    check(lambda lib, x: lib.signbit(x.bfloat16()), Input(SPECIAL[:4]))


@pytest.mark.parametrize("numpy_dtype", [np.float64, np.float32, np.float16])
def test_frexp(numpy_dtype):
    with np.errstate(over="ignore"):
        special = SPECIAL.astype(numpy_dtype)
    check(lambda lib, x: lib.frexp(x), Input(special))
    check(lambda lib, x: x.frexp(), grad_input((V * 100).astype(numpy_dtype)))


def test_frexp_bfloat16_and_derivatives():
    check(lambda lib, x: lib.frexp(x.bfloat16()), Input(SPECIAL[:6]))
    finite_differences(lambda x: ember.frexp(x).mantissa, V * 10)
    check_double_backward(lambda lib, x: lib.frexp(x).mantissa ** 2, [V * 10])


def test_ldexp():
    exponents = np.array([1, -2, 30, -150])
    check(lambda lib, x, e: lib.ldexp(x, e), grad_input(V.astype(np.float32)),
          Input(exponents))
    check(lambda lib, x, e: x.ldexp(e), grad_input(V), grad_input(np.array([0.5, -1.0, 3.0,
                                                                            2.0])))
    check(lambda lib, x, e: lib.ldexp(x, e), grad_input(M.astype(np.float32)), grad_input(W))
    check(lambda lib, x, e: lib.ldexp(x, e), Input(INTEGERS), Input(INTEGERS))
    check(lambda lib, x, e: lib.ldexp(x, e), Input(V.astype(np.float16)), Input(exponents))
    check(lambda lib, x, e: lib.ldexp(x, e), Input(V), Input(np.array([[1], [2]])))
    check(lambda lib, x, e: lib.ldexp(x.bfloat16(), e), Input(V), Input(exponents))
    check(lambda lib, x, e: lib.ldexp(x, e), grad_input(V + 1j * V), Input(exponents))
    finite_differences(lambda x, e: ember.ldexp(x, e), V, W[:1])
    check_double_backward(lambda lib, x, e: lib.ldexp(x, e), [V, V * 0.5])


@pytest.mark.parametrize("numpy_dtype", [np.int64, np.int32, np.uint8, np.int8])
def test_ldexp_gradient_uses_integer_powers_like_torch(numpy_dtype):
    # torch's derivative takes 2 ** exponent in the exponent's integer dtype: 0 when negative,
    # wrapped past the top bit
    exponents = np.array([-1, 0, 3, 7, 31, 63, 70]).astype(numpy_dtype)
    check(lambda lib, x, e: lib.ldexp(x, e), grad_input(np.ones(7) * 1e-30), Input(exponents))


def test_ldexp_in_place():
    check(lambda lib, x, e: x.clone().ldexp_(e), grad_input(V), Input(np.array([1, 2, 3, 4])))
    check(lambda lib, x, e: x.clone().ldexp_(e), grad_input(V), Input(np.array([0.5])))


def test_heaviside():
    check(lambda lib, x, v: lib.heaviside(x, v), grad_input(STEPS), Input(np.array([0.5])),
          grad=False)
    check(lambda lib, x, v: x.heaviside(v), Input(STEPS.astype(np.float32)),
          grad_input(np.full((2, 1), 7.0, dtype=np.float32)), grad=False)
    check(lambda lib, x, v: lib.heaviside(x, v), Input(np.array([-1, 0, 2])),
          Input(np.array([7])))
    check(lambda lib, x, v: lib.heaviside(x, v), Input(np.array([True, False])),
          Input(np.array([True])))
    check(lambda lib, x, v: x.clone().heaviside_(v), Input(STEPS), Input(np.array([0.5])))
    check_error(lambda lib, x, v: lib.heaviside(x, v).sum().backward(), grad_input(STEPS),
                Input(np.array([0.5])))


def test_typename():
    assert ember.typename(ember.ones(2)) == "torch.FloatTensor"
    assert ember.typename(ember.ones(2, dtype=ember.int64)) == "torch.LongTensor"
    assert ember.typename(3) == "int"
    assert ember.typename(None) == "NoneType"
    assert ember.typename(ember.Size([1])) == "ember.Size"
    assert ember.typename(np.float64) == "numpy.float64"
    check(lambda lib, x: lib.typename(x.double()), Input(V))


ERRORS = [
    (lambda lib, x: lib.isin(2, 3), V),
    (lambda lib, x: lib.isin(x > 0, x), V),
    (lambda lib, x: lib.isin(x, x > 0), V),
    (lambda lib, x: lib.isin(x.long(), x.to(lib.complex64)), V),
    (lambda lib, x: lib.cartesian_prod(), V),
    (lambda lib, x: lib.cartesian_prod(x, x.long()), V),
    (lambda lib, x: lib.cartesian_prod(x.view(2, 2), x), V),
    (lambda lib, x: lib.cartesian_prod(x[0], x), V),
    (lambda lib, x: lib.combinations(x.view(2, 2)), V),
    (lambda lib, x: lib.combinations(x, -1), V),
    (lambda lib, x: lib.block_diag(x, x.view(1, 2, 2)), V),
    (lambda lib, x: lib.signbit(x.to(lib.complex64)), V),
    (lambda lib, x: lib.frexp(x.long()), V),
    (lambda lib, x: lib.frexp(x.to(lib.complex128)), V),
    (lambda lib, x: lib.ldexp(x, 2), V),
    (lambda lib, x: lib.ldexp(x, x > 0), V),
    (lambda lib, x: lib.ldexp(x, x[:3]), V),
    (lambda lib, x: x.long().ldexp_(x.long()), V),
    (lambda lib, x: lib.heaviside(x, 0.5), V),
    (lambda lib, x: lib.heaviside(x, x.float()), V),
    (lambda lib, x: lib.heaviside(x.to(lib.complex128), x.to(lib.complex128)), V),
    (lambda lib, x: lib.heaviside(x, x[:3]), V),
]


@pytest.mark.parametrize("function, array", ERRORS)
def test_misuse_raises_like_torch(function, array):
    check_error(function, Input(array))
