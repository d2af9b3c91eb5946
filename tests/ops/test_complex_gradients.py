"""Complex gradients of the elementwise ops against torch: a holomorphic op f passes
grad * conj(f'(z)) to its input (PyTorch's convention), non-holomorphic ones (abs, sgn) follow
PyTorch's own formulas; first derivatives in complex128 and complex64, second derivatives
(create_graph) for a selection, and finite differences in float64 through real-valued
wrappers (z = a + bi in, real and imaginary parts out), which check the convention without
the oracle."""
import numpy as np
import pytest

import ember
from oracle import check, finite_differences, grad_input

# pytest swaps the warning filters ember installs on import for its own (see test_pointwise.py)
pytestmark = pytest.mark.filterwarnings("ignore:.*encountered:RuntimeWarning")

SHAPE = (3, 4)
DTYPES = [np.complex128, np.complex64]
# complex64 gradients go through a few more roundings than the forward values
TOLERANCES = {np.complex128: {}, np.complex64: {"rtol": 1e-4, "atol": 1e-5}}


def complex_values(seed, shape=SHAPE, low=0.5, high=2.0):
    """Real parts of magnitude in [low, high] with random signs, imaginary parts away from 0:
    off every branch cut (log, sqrt, asin, acosh... cut along the real or imaginary axis)."""
    rng = np.random.default_rng(seed)
    real = rng.uniform(low, high, shape) * rng.choice([-1.0, 1.0], shape)
    imaginary = rng.uniform(0.2, 1.5, shape) * rng.choice([-1.0, 1.0], shape)
    return real + 1j * imaginary


def real_values(seed, shape=SHAPE):
    rng = np.random.default_rng(seed)
    return rng.uniform(0.5, 2.0, shape) * rng.choice([-1.0, 1.0], shape)


UNARY = [
    ("abs", lambda lib, x: lib.abs(x)),
    ("neg", lambda lib, x: -x),
    ("sgn", lambda lib, x: lib.sgn(x)),
    ("exp", lambda lib, x: lib.exp(x)),
    ("exp2", lambda lib, x: lib.exp2(x)),
    ("expm1", lambda lib, x: lib.expm1(x)),
    ("log", lambda lib, x: lib.log(x)),
    ("log2", lambda lib, x: lib.log2(x)),
    ("log10", lambda lib, x: x.log10()),
    ("log1p", lambda lib, x: lib.log1p(x)),
    ("sqrt", lambda lib, x: lib.sqrt(x)),
    ("rsqrt", lambda lib, x: lib.rsqrt(x)),
    ("square", lambda lib, x: lib.square(x)),
    ("reciprocal", lambda lib, x: lib.reciprocal(x)),
    ("sin", lambda lib, x: lib.sin(x)),
    ("cos", lambda lib, x: x.cos()),
    ("tan", lambda lib, x: lib.tan(x)),
    ("asin", lambda lib, x: lib.asin(x)),
    ("acos", lambda lib, x: lib.acos(x)),
    ("atan", lambda lib, x: lib.atan(x)),
    ("sinh", lambda lib, x: lib.sinh(x)),
    ("cosh", lambda lib, x: lib.cosh(x)),
    ("tanh", lambda lib, x: lib.tanh(x)),
    ("asinh", lambda lib, x: lib.asinh(x)),
    ("acosh", lambda lib, x: lib.acosh(x)),
    ("atanh", lambda lib, x: lib.atanh(x)),
    ("sigmoid", lambda lib, x: lib.sigmoid(x)),
    ("nan_to_num_inplace", lambda lib, x: (x * 1).nan_to_num_()),
    # scalar operands: node variants with a Python number saved in the rule
    ("mul_complex_scalar", lambda lib, x: x * (1.5 - 2j)),
    ("div_scalar", lambda lib, x: x / 4),
    ("div_complex_scalar", lambda lib, x: x / (0.5 + 1.5j)),
    ("rdiv_scalar", lambda lib, x: 2 / x),
    ("rdiv_complex_scalar", lambda lib, x: (1 - 2j) / x),
    ("add_complex_scalar_alpha", lambda lib, x: lib.add(x, 2.0, alpha=1 + 1j)),
    ("rsub_complex_alpha", lambda lib, x: lib.rsub(x, 1.5, alpha=2 - 1j)),
    ("pow_int", lambda lib, x: x ** 3),
    ("pow_half", lambda lib, x: lib.pow(x, 0.5)),
    ("pow_complex_exponent", lambda lib, x: x ** (0.5 + 1.5j)),
    ("rpow", lambda lib, x: 2 ** x),
    ("rpow_negative_base", lambda lib, x: (-1.5) ** x),
    ("rpow_complex_base", lambda lib, x: lib.pow(1 + 2j, x)),
    ("float_power", lambda lib, x: lib.float_power(x, 2)),
    ("float_power_scalar_base", lambda lib, x: lib.float_power(3, x)),
]


@pytest.mark.parametrize("name, function", UNARY, ids=[row[0] for row in UNARY])
@pytest.mark.parametrize("dtype", DTYPES, ids=["complex128", "complex64"])
def test_unary_complex_gradient(name, function, dtype):
    check(function, grad_input(complex_values(1).astype(dtype)), **TOLERANCES[dtype])


BINARY = [
    ("add", lambda lib, x, y: x + y),
    ("add_complex_alpha", lambda lib, x, y: lib.add(x, y, alpha=2 - 0.5j)),
    ("sub", lambda lib, x, y: x - y),
    ("sub_complex_alpha", lambda lib, x, y: lib.sub(x, y, alpha=0.5 + 1j)),
    ("rsub_complex_alpha", lambda lib, x, y: lib.rsub(x, y, alpha=-1j)),
    ("mul", lambda lib, x, y: lib.mul(x, y)),
    ("div", lambda lib, x, y: lib.div(x, y)),
    ("true_divide", lambda lib, x, y: x.true_divide(y)),
    ("div_operator", lambda lib, x, y: x / y),
    ("pow", lambda lib, x, y: lib.pow(x, y)),
    ("pow_operator", lambda lib, x, y: x ** y),
    ("float_power", lambda lib, x, y: lib.float_power(x, y)),
    ("lerp_tensor", lambda lib, x, y: lib.lerp(x, y, x * y)),
    ("lerp_complex_scalar", lambda lib, x, y: lib.lerp(x, y, 0.3 + 0.4j)),
    ("addcmul", lambda lib, x, y: lib.addcmul(x, x, y, value=0.5 - 2j)),
    ("addcdiv", lambda lib, x, y: lib.addcdiv(y, x, y, value=1.5j)),
]


@pytest.mark.parametrize("name, function", BINARY, ids=[row[0] for row in BINARY])
@pytest.mark.parametrize("dtype", DTYPES, ids=["complex128", "complex64"])
def test_binary_complex_gradient(name, function, dtype):
    x = complex_values(2).astype(dtype)
    y = complex_values(3).astype(dtype)
    check(function, grad_input(x), grad_input(y), **TOLERANCES[dtype])


def _parts(z):
    return z.real.copy(), z.imag.copy()


def _real_valued(tensor):
    return ember.view_as_real(tensor) if tensor.is_complex() else tensor


@pytest.mark.parametrize("name, function", UNARY, ids=[row[0] for row in UNARY])
def test_unary_finite_differences(name, function):
    finite_differences(
        lambda a, b: _real_valued(function(ember, ember.complex(a, b))),
        *_parts(complex_values(8, (2, 3))))


@pytest.mark.parametrize("name, function", BINARY, ids=[row[0] for row in BINARY])
def test_binary_finite_differences(name, function):
    finite_differences(
        lambda a, b, c, d: _real_valued(
            function(ember, ember.complex(a, b), ember.complex(c, d))),
        *_parts(complex_values(9, (2, 3))), *_parts(complex_values(10, (2, 3))))


@pytest.mark.parametrize("name, function", BINARY, ids=[row[0] for row in BINARY])
def test_binary_complex_gradient_broadcasting(name, function):
    check(function, grad_input(complex_values(4, (2, 1, 4))),
          grad_input(complex_values(5, (3, 1))))


MIXED = [
    ("mul", lambda lib, x, y: x * y),
    ("div", lambda lib, x, y: x / y),
    ("rdiv", lambda lib, x, y: y / x),
    ("pow_real_base", lambda lib, x, y: lib.pow(x, y)),
    ("pow_real_exponent", lambda lib, x, y: lib.pow(y, x)),
    ("sub", lambda lib, x, y: x - y),
]


@pytest.mark.parametrize("name, function", MIXED, ids=[row[0] for row in MIXED])
def test_real_and_complex_operands(name, function):
    """A real input of a complex result gets the real part of its gradient (negative real
    bases of complex powers included: log(-2) is log(2) + pi i)."""
    check(function, grad_input(real_values(6)), grad_input(complex_values(7)))


def test_pow_complex_zero_base():
    """0 ** e is flat in e for real e >= 0 although log(0) is -inf. (torch's forward gives nan
    for 0j ** 0j and inf + nan j for 0j ** -1, so those are left out.)"""
    base = np.array([0j, 0j, 0j, 1 - 1j, 2 + 1j])
    exponent = np.array([2 + 0j, 1 + 1j, 0.5 + 0j, 0j, 1.5 - 0.5j])
    check(lambda lib, a, b: lib.pow(a, b), grad_input(base), grad_input(exponent))
    nonzero_exponent = np.array([2 + 0j, 1 + 1j, 0.5 + 0j, 1.5 - 0.5j])
    check(lambda lib, b: lib.pow(0j, b), grad_input(nonzero_exponent))
    check(lambda lib, b: lib.pow(0, b), grad_input(nonzero_exponent))


def test_sgn_at_zero():
    check(lambda lib, x: lib.sgn(x), grad_input(np.array([0j, 1 + 1j, -2j, 3 + 0j])))


SECOND_ORDER = [
    ("sin", lambda lib, x, y: lib.sin(x)),
    ("exp", lambda lib, x, y: lib.exp(x)),
    ("log", lambda lib, x, y: lib.log(x)),
    ("sqrt", lambda lib, x, y: lib.sqrt(x)),
    ("reciprocal", lambda lib, x, y: lib.reciprocal(x)),
    ("tanh", lambda lib, x, y: lib.tanh(x)),
    ("sigmoid", lambda lib, x, y: lib.sigmoid(x)),
    ("acosh", lambda lib, x, y: lib.acosh(x)),
    ("sgn", lambda lib, x, y: lib.sgn(x)),
    ("abs", lambda lib, x, y: lib.abs(x)),
    ("div", lambda lib, x, y: x / y),
    ("pow", lambda lib, x, y: x ** y),
    ("pow_scalar", lambda lib, x, y: x ** 3),
    ("rpow", lambda lib, x, y: 2 ** x),
]


@pytest.mark.parametrize("name, function", SECOND_ORDER, ids=[row[0] for row in SECOND_ORDER])
def test_second_order_complex_gradient(name, function):
    """The derivative rules are ember ops: differentiating the vector-Jacobian product (with
    respect to the inputs and the complex cotangent) matches torch."""
    def vjp(lib, x, y, cotangent):
        output = function(lib, x, y)
        inputs = (x, y) if name in ("div", "pow") else (x,)
        return lib.autograd.grad(output, inputs, cotangent, create_graph=True)
    # abs has a real output, so a real cotangent
    cotangent = real_values(10) if name == "abs" else complex_values(10)
    # the rules compose ops in their own order: the grad_fn names of the vjp can differ
    check(vjp, grad_input(complex_values(8)), grad_input(complex_values(9)),
          grad_input(cotangent), grad_fn=False)
