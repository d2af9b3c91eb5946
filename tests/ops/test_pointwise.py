"""Elementwise ops against torch, one row per op: values, dtypes, grad_fn names and gradients
(float32 and float64), the integer/bool dtype behaviour (result dtype or PyTorch's error), and
finite differences in float64 for every differentiable op."""
import numpy as np
import pytest

import ember
from oracle import Input, check, check_error, finite_differences, grad_input, torch

# pytest swaps the warning filters ember installs on import for its own, so NumPy's
# floating-point RuntimeWarnings (which ember silences, as PyTorch never warns) resurface here;
# test_no_numpy_warnings_without_pytest_filters checks the real behaviour in a fresh process.
pytestmark = pytest.mark.filterwarnings("ignore:.*encountered:RuntimeWarning")

RNG = np.random.default_rng(11)
SHAPE = (3, 4)


def uniform(low, high, shape=SHAPE):
    return RNG.uniform(low, high, shape)


def away_from_zero(low, high, shape=SHAPE):
    """Magnitudes in [low, high] with random signs (divisors, copysign operands)."""
    return uniform(low, high, shape) * RNG.choice([-1.0, 1.0], shape)


def compare(function, *inputs, **options):
    """check() when torch accepts the call, check_error() when torch rejects it."""
    try:
        function(torch, *[torch.from_numpy(np.array(getattr(v, "array", v)))
                          if isinstance(v, (Input, np.ndarray)) else v for v in inputs])
    except Exception:  # noqa: BLE001 - any torch error must be ember's error too
        check_error(function, *inputs)
        return
    check(function, *inputs, **options)


# ---- unary ops: (name, function(lib, x), domain (low, high), differentiable) ------------------

SYMMETRIC = (-2.0, 2.0)
POSITIVE = (0.5, 3.0)
UNIT = (-0.9, 0.9)

UNARY = [
    ("abs", lambda lib, x: lib.abs(x), SYMMETRIC, True),
    ("absolute", lambda lib, x: x.absolute(), SYMMETRIC, True),
    ("abs_operator", lambda lib, x: abs(x), SYMMETRIC, True),
    ("neg", lambda lib, x: lib.neg(x), SYMMETRIC, True),
    ("negative", lambda lib, x: x.negative(), SYMMETRIC, True),
    ("neg_operator", lambda lib, x: -x, SYMMETRIC, True),
    ("positive", lambda lib, x: lib.positive(x), SYMMETRIC, True),
    ("pos_operator", lambda lib, x: +x, SYMMETRIC, True),
    ("sign", lambda lib, x: lib.sign(x), SYMMETRIC, True),
    ("sgn", lambda lib, x: x.sgn(), SYMMETRIC, True),
    ("exp", lambda lib, x: lib.exp(x), SYMMETRIC, True),
    ("exp2", lambda lib, x: lib.exp2(x), SYMMETRIC, True),
    ("expm1", lambda lib, x: lib.expm1(x), SYMMETRIC, True),
    ("log", lambda lib, x: lib.log(x), POSITIVE, True),
    ("log2", lambda lib, x: lib.log2(x), POSITIVE, True),
    ("log10", lambda lib, x: x.log10(), POSITIVE, True),
    ("log1p", lambda lib, x: lib.log1p(x), (-0.5, 2.0), True),
    ("sqrt", lambda lib, x: lib.sqrt(x), POSITIVE, True),
    ("rsqrt", lambda lib, x: lib.rsqrt(x), POSITIVE, True),
    ("square", lambda lib, x: lib.square(x), SYMMETRIC, True),
    ("sin", lambda lib, x: lib.sin(x), SYMMETRIC, True),
    ("cos", lambda lib, x: x.cos(), SYMMETRIC, True),
    ("tan", lambda lib, x: lib.tan(x), (-1.2, 1.2), True),
    ("asin", lambda lib, x: lib.asin(x), UNIT, True),
    ("acos", lambda lib, x: lib.acos(x), UNIT, True),
    ("atan", lambda lib, x: lib.atan(x), SYMMETRIC, True),
    ("arcsin", lambda lib, x: lib.arcsin(x), UNIT, True),
    ("arccos", lambda lib, x: x.arccos(), UNIT, True),
    ("arctan", lambda lib, x: lib.arctan(x), SYMMETRIC, True),
    ("sinh", lambda lib, x: lib.sinh(x), SYMMETRIC, True),
    ("cosh", lambda lib, x: lib.cosh(x), SYMMETRIC, True),
    ("tanh", lambda lib, x: lib.tanh(x), SYMMETRIC, True),
    ("asinh", lambda lib, x: lib.asinh(x), SYMMETRIC, True),
    ("acosh", lambda lib, x: lib.acosh(x), (1.2, 3.0), True),
    ("atanh", lambda lib, x: lib.atanh(x), UNIT, True),
    ("arcsinh", lambda lib, x: lib.arcsinh(x), SYMMETRIC, True),
    ("arccosh", lambda lib, x: lib.arccosh(x), (1.2, 3.0), True),
    ("arctanh", lambda lib, x: lib.arctanh(x), UNIT, True),
    ("sigmoid", lambda lib, x: lib.sigmoid(x), (-6.0, 6.0), True),
    ("logit", lambda lib, x: lib.logit(x), (0.1, 0.9), True),
    ("logit_eps", lambda lib, x: lib.logit(x, eps=0.2), (0.05, 0.95), True),
    ("erf", lambda lib, x: lib.erf(x), SYMMETRIC, True),
    ("erfc", lambda lib, x: lib.erfc(x), SYMMETRIC, True),
    ("erfinv", lambda lib, x: lib.erfinv(x), UNIT, True),
    ("floor", lambda lib, x: lib.floor(x), (-3.0, 3.0), True),
    ("ceil", lambda lib, x: lib.ceil(x), (-3.0, 3.0), True),
    ("round", lambda lib, x: lib.round(x), (-3.0, 3.0), True),
    ("round_decimals", lambda lib, x: lib.round(x, decimals=2), (-3.0, 3.0), True),
    ("round_decimals_zero", lambda lib, x: lib.round(x, decimals=0), (-3.0, 3.0), True),
    ("round_method_decimals_zero", lambda lib, x: x.round(decimals=0), (-3.0, 3.0), True),
    ("round_negative_decimals", lambda lib, x: lib.round(x * 100, decimals=-1), (-3.0, 3.0),
     True),
    ("trunc", lambda lib, x: lib.trunc(x), (-3.0, 3.0), True),
    ("fix", lambda lib, x: lib.fix(x), (-3.0, 3.0), True),
    ("frac", lambda lib, x: lib.frac(x), (-3.0, 3.0), True),
    ("reciprocal", lambda lib, x: lib.reciprocal(x), POSITIVE, True),
    ("deg2rad", lambda lib, x: lib.deg2rad(x), SYMMETRIC, True),
    ("rad2deg", lambda lib, x: lib.rad2deg(x), SYMMETRIC, True),
    ("nan_to_num", lambda lib, x: lib.nan_to_num(x), SYMMETRIC, True),
    ("sinc", lambda lib, x: lib.sinc(x), SYMMETRIC, True),
    ("nan_to_num_values", lambda lib, x: lib.nan_to_num(lib.log(x), nan=1.5, posinf=9.0,
                                                        neginf=-9.0), (-1.0, 1.0), True),
    ("logical_not", lambda lib, x: lib.logical_not(x > 0), SYMMETRIC, False),
    ("isnan", lambda lib, x: lib.isnan(lib.log(x)), (-1.0, 1.0), False),
    ("isinf", lambda lib, x: lib.isinf(1 / lib.trunc(x)), (-1.5, 1.5), False),
    ("isposinf", lambda lib, x: lib.isposinf(1 / lib.trunc(x)), (-1.5, 1.5), False),
    ("isneginf", lambda lib, x: x.isneginf(), SYMMETRIC, False),
    ("isfinite", lambda lib, x: lib.isfinite(lib.log(x)), (-1.0, 1.0), False),
    ("isreal", lambda lib, x: lib.isreal(x), SYMMETRIC, False),
]

UNARY_IDS = [row[0] for row in UNARY]


@pytest.mark.parametrize("name, function, domain, differentiable", UNARY, ids=UNARY_IDS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_unary_floating(name, function, domain, differentiable, dtype):
    array = uniform(*domain).astype(dtype)
    check(function, Input(array, requires_grad=differentiable))


@pytest.mark.parametrize("name, function, domain, differentiable", UNARY, ids=UNARY_IDS)
@pytest.mark.parametrize("dtype", [np.int64, np.uint8, np.int8, np.bool_, np.float16])
def test_unary_other_dtypes(name, function, domain, differentiable, dtype):
    low, high = domain
    if dtype == np.uint8:
        low = max(low, 0.0)
    array = np.round(uniform(low, high)).astype(dtype)
    compare(function, array)


DIFFERENTIABLE_UNARY = [row for row in UNARY if row[3]]


@pytest.mark.parametrize("name, function, domain, differentiable", DIFFERENTIABLE_UNARY,
                         ids=[row[0] for row in DIFFERENTIABLE_UNARY])
def test_unary_finite_differences(name, function, domain, differentiable):
    finite_differences(lambda x: function(ember, x), uniform(*domain, shape=(2, 3)))


SPECIAL = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1e-30, -1e30, 88.0, -104.0])


@pytest.mark.parametrize("name, function, domain, differentiable", UNARY, ids=UNARY_IDS)
def test_unary_special_values_zero_dim_and_empty(name, function, domain, differentiable):
    check(function, SPECIAL.astype(np.float32))
    check(function, SPECIAL)
    check(function, np.array(0.75))
    check(function, np.zeros((0, 3), dtype=np.float32))


# ---- binary ops: (name, function(lib, x, y), domain of x, domain of y, differentiable) ---------

def _positive(shape=SHAPE):
    return uniform(0.5, 2.0, shape)


def _divisor(shape=SHAPE):
    return away_from_zero(0.5, 2.0, shape)


def _symmetric(shape=SHAPE):
    return uniform(-2.0, 2.0, shape)


BINARY = [
    ("add", lambda lib, x, y: lib.add(x, y), _symmetric, _symmetric, True),
    ("add_alpha", lambda lib, x, y: lib.add(x, y, alpha=2.5), _symmetric, _symmetric, True),
    ("add_operator", lambda lib, x, y: x + y, _symmetric, _symmetric, True),
    ("sub", lambda lib, x, y: lib.sub(x, y), _symmetric, _symmetric, True),
    ("subtract_alpha", lambda lib, x, y: x.subtract(y, alpha=3), _symmetric, _symmetric, True),
    ("sub_operator", lambda lib, x, y: x - y, _symmetric, _symmetric, True),
    ("rsub", lambda lib, x, y: lib.rsub(x, y), _symmetric, _symmetric, True),
    ("rsub_alpha", lambda lib, x, y: lib.rsub(x, y, alpha=2), _symmetric, _symmetric, True),
    ("mul", lambda lib, x, y: lib.mul(x, y), _symmetric, _symmetric, True),
    ("multiply", lambda lib, x, y: x.multiply(y), _symmetric, _symmetric, True),
    ("mul_operator", lambda lib, x, y: x * y, _symmetric, _symmetric, True),
    ("div", lambda lib, x, y: lib.div(x, y), _symmetric, _divisor, True),
    ("divide", lambda lib, x, y: lib.divide(x, y), _symmetric, _divisor, True),
    ("true_divide", lambda lib, x, y: x.true_divide(y), _symmetric, _divisor, True),
    ("div_operator", lambda lib, x, y: x / y, _symmetric, _divisor, True),
    ("div_trunc", lambda lib, x, y: lib.div(x, y, rounding_mode="trunc"), _symmetric, _divisor,
     True),
    ("div_floor", lambda lib, x, y: lib.div(x, y, rounding_mode="floor"), _symmetric, _divisor,
     True),
    ("floor_divide", lambda lib, x, y: lib.floor_divide(x, y), _symmetric, _divisor, False),
    ("floordiv_operator", lambda lib, x, y: x // y, _symmetric, _divisor, False),
    ("remainder", lambda lib, x, y: lib.remainder(x, y), _symmetric, _divisor, True),
    ("mod_operator", lambda lib, x, y: x % y, _symmetric, _divisor, True),
    ("fmod", lambda lib, x, y: lib.fmod(x, y), _symmetric, _divisor, True),
    ("pow", lambda lib, x, y: lib.pow(x, y), _positive, _symmetric, True),
    ("pow_operator", lambda lib, x, y: x ** y, _positive, _symmetric, True),
    ("float_power", lambda lib, x, y: lib.float_power(x, y), _positive, _symmetric, True),
    ("maximum", lambda lib, x, y: lib.maximum(x, y), _symmetric, _symmetric, True),
    ("minimum", lambda lib, x, y: lib.minimum(x, y), _symmetric, _symmetric, True),
    ("fmax", lambda lib, x, y: lib.fmax(x, y), _symmetric, _symmetric, True),
    ("fmin", lambda lib, x, y: x.fmin(y), _symmetric, _symmetric, True),
    ("atan2", lambda lib, x, y: lib.atan2(x, y), _symmetric, _divisor, True),
    ("arctan2", lambda lib, x, y: lib.arctan2(x, y), _symmetric, _divisor, True),
    ("hypot", lambda lib, x, y: lib.hypot(x, y), _symmetric, _symmetric, True),
    ("copysign", lambda lib, x, y: lib.copysign(x, y), _symmetric, _divisor, True),
    ("xlogy", lambda lib, x, y: lib.xlogy(x, y), _symmetric, _positive, True),
    ("logaddexp", lambda lib, x, y: lib.logaddexp(x, y), _symmetric, _symmetric, True),
    ("logaddexp2", lambda lib, x, y: x.logaddexp2(y), _symmetric, _symmetric, True),
    ("eq", lambda lib, x, y: lib.eq(x, lib.round(y)), _symmetric, _symmetric, False),
    ("ne", lambda lib, x, y: x != y, _symmetric, _symmetric, False),
    ("lt", lambda lib, x, y: lib.lt(x, y), _symmetric, _symmetric, False),
    ("le", lambda lib, x, y: x <= y, _symmetric, _symmetric, False),
    ("gt", lambda lib, x, y: lib.greater(x, y), _symmetric, _symmetric, False),
    ("ge", lambda lib, x, y: x.greater_equal(y), _symmetric, _symmetric, False),
    ("less", lambda lib, x, y: lib.less(x, y), _symmetric, _symmetric, False),
    ("less_equal", lambda lib, x, y: lib.less_equal(x, y), _symmetric, _symmetric, False),
    ("not_equal", lambda lib, x, y: lib.not_equal(x, y), _symmetric, _symmetric, False),
    ("isclose", lambda lib, x, y: lib.isclose(x, x + y * 1e-6), _symmetric, _symmetric, False),
    ("logical_and", lambda lib, x, y: lib.logical_and(x > 0, y), _symmetric, _symmetric, False),
    ("logical_or", lambda lib, x, y: lib.logical_or(x > 0, y > 0), _symmetric, _symmetric,
     False),
    ("logical_xor", lambda lib, x, y: x.logical_xor(y > 0), _symmetric, _symmetric, False),
]
BINARY_IDS = [row[0] for row in BINARY]


@pytest.mark.parametrize("name, function, x_domain, y_domain, differentiable", BINARY,
                         ids=BINARY_IDS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_binary_floating(name, function, x_domain, y_domain, differentiable, dtype):
    x = x_domain().astype(dtype)
    y = y_domain().astype(dtype)
    check(function, Input(x, differentiable), Input(y, differentiable))


@pytest.mark.parametrize("name, function, x_domain, y_domain, differentiable", BINARY,
                         ids=BINARY_IDS)
def test_binary_broadcasting_gradients(name, function, x_domain, y_domain, differentiable):
    x = x_domain((2, 1, 4))
    y = y_domain((3, 1))
    check(function, Input(x, differentiable), Input(y, differentiable))


@pytest.mark.parametrize("name, function, x_domain, y_domain, differentiable", BINARY,
                         ids=BINARY_IDS)
@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8, np.bool_, np.float16])
def test_binary_other_dtypes(name, function, x_domain, y_domain, differentiable, dtype):
    x = np.abs(np.round(x_domain())) + 1
    y = np.abs(np.round(y_domain())) + 1
    compare(function, x.astype(dtype), y.astype(dtype))


DIFFERENTIABLE_BINARY = [row for row in BINARY if row[4]]


@pytest.mark.parametrize("name, function, x_domain, y_domain, differentiable",
                         DIFFERENTIABLE_BINARY, ids=[row[0] for row in DIFFERENTIABLE_BINARY])
def test_binary_finite_differences(name, function, x_domain, y_domain, differentiable):
    finite_differences(lambda x, y: function(ember, x, y), x_domain((2, 3)), y_domain((2, 3)))


# Ops with a Python number on one side take other node variants (PowBackward0/2,
# RsubBackward1, RemainderBackward0, CopysignBackward1, XlogyBackward1/2...).
SCALAR_OPERAND = [
    ("add_scalar", lambda lib, x: x + 2.5, True),
    ("radd_scalar", lambda lib, x: 3 + x, True),
    ("sub_scalar", lambda lib, x: x - 2, True),
    ("rsub_scalar", lambda lib, x: 2 - x, True),
    ("rsub_function_scalar", lambda lib, x: lib.rsub(x, 1.5, alpha=2), True),
    ("mul_scalar", lambda lib, x: x * 1.5, True),
    ("rmul_scalar", lambda lib, x: 2 * x, True),
    ("div_scalar", lambda lib, x: x / 4, True),
    ("rdiv_scalar", lambda lib, x: 2 / x, True),
    ("div_trunc_scalar", lambda lib, x: lib.div(x, 0.7, rounding_mode="trunc"), True),
    ("floordiv_scalar", lambda lib, x: x // 0.3, False),
    ("rfloordiv_scalar", lambda lib, x: 3 // x, False),
    ("mod_scalar", lambda lib, x: x % 0.7, True),
    ("rmod_scalar", lambda lib, x: 3 % x, False),
    ("fmod_scalar", lambda lib, x: lib.fmod(x, -0.7), True),
    ("pow_scalar", lambda lib, x: x ** 3, True),
    ("pow_zero", lambda lib, x: x ** 0, True),
    ("pow_half", lambda lib, x: lib.pow(x, 0.5), True),
    ("rpow_scalar", lambda lib, x: 2 ** x, True),
    ("pow_scalar_base", lambda lib, x: lib.pow(1.5, x), True),
    ("float_power_scalar", lambda lib, x: lib.float_power(x, 2), True),
    ("float_power_scalar_base", lambda lib, x: lib.float_power(2, x), True),
    ("copysign_scalar", lambda lib, x: lib.copysign(x, -1.0), True),
    ("xlogy_scalar_other", lambda lib, x: lib.xlogy(x, 3.0), True),
    ("xlogy_scalar_input", lambda lib, x: lib.xlogy(2.0, x), True),
    ("eq_scalar", lambda lib, x: x == 1.0, False),
    ("lt_scalar", lambda lib, x: x < 1, False),
    ("ge_scalar", lambda lib, x: lib.ge(x, 1.25), False),
    ("add_zero_dim", lambda lib, x: x + lib.tensor(2.0, dtype=lib.float64), True),
]


@pytest.mark.parametrize("name, function, differentiable", SCALAR_OPERAND,
                         ids=[r[0] for r in SCALAR_OPERAND])
def test_scalar_operand(name, function, differentiable):
    check(function, Input(uniform(0.5, 2.0).astype(np.float32), differentiable))
    check(function, np.round(uniform(1.0, 3.0)).astype(np.int64))
    check(function, np.array(1.5))


DIFFERENTIABLE_SCALAR_OPERAND = [row for row in SCALAR_OPERAND if row[2]]


@pytest.mark.parametrize("name, function, differentiable", DIFFERENTIABLE_SCALAR_OPERAND,
                         ids=[r[0] for r in DIFFERENTIABLE_SCALAR_OPERAND])
def test_scalar_operand_finite_differences(name, function, differentiable):
    finite_differences(lambda x: function(ember, x), uniform(0.5, 2.0, (2, 2)))


# ---- three-operand ops -------------------------------------------------------------------------

TERNARY = [
    ("where", lambda lib, x, y, z: lib.where(z > 0, x, y), True),
    ("where_method", lambda lib, x, y, z: x.where(z > 0, y), True),
    ("where_scalar_other", lambda lib, x, y, z: lib.where(z > 0, x, 0.5), True),
    ("where_scalar_input", lambda lib, x, y, z: lib.where(z > 0, 2, y), True),
    ("clamp_scalars", lambda lib, x, y, z: lib.clamp(x, -0.5, 0.7), True),
    ("clamp_min_only", lambda lib, x, y, z: lib.clamp(x, min=-0.5), True),
    ("clamp_max_only", lambda lib, x, y, z: x.clamp(max=0.3), True),
    ("clamp_tensors", lambda lib, x, y, z: lib.clamp(x, y, z), True),
    ("clamp_tensor_min", lambda lib, x, y, z: lib.clamp(x, min=y), True),
    ("clamp_tensor_max", lambda lib, x, y, z: lib.clamp(x, max=z), True),
    ("clip", lambda lib, x, y, z: lib.clip(x, -1, 1), True),
    ("clamp_min", lambda lib, x, y, z: lib.clamp_min(x, 0.2), True),
    ("clamp_min_tensor", lambda lib, x, y, z: lib.clamp_min(x, y), True),
    ("clamp_max", lambda lib, x, y, z: x.clamp_max(0.2), True),
    ("clamp_max_tensor", lambda lib, x, y, z: lib.clamp_max(x, z), True),
    ("lerp_scalar", lambda lib, x, y, z: lib.lerp(x, y, 0.3), True),
    ("lerp_scalar_high", lambda lib, x, y, z: lib.lerp(x, y, 0.8), True),
    ("lerp_tensor", lambda lib, x, y, z: lib.lerp(x, y, z), True),
    ("addcmul", lambda lib, x, y, z: lib.addcmul(x, y, z, value=0.5), True),
    ("addcmul_method", lambda lib, x, y, z: x.addcmul(y, z), True),
    ("addcdiv", lambda lib, x, y, z: lib.addcdiv(x, y, z.abs() + 0.5, value=-2), True),
]
TERNARY_IDS = [row[0] for row in TERNARY]


@pytest.mark.parametrize("name, function, differentiable", TERNARY, ids=TERNARY_IDS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_ternary(name, function, differentiable, dtype):
    x, y, z = (_symmetric().astype(dtype) for _ in range(3))
    check(function, grad_input(x), grad_input(y), grad_input(z))


@pytest.mark.parametrize("name, function, differentiable", TERNARY, ids=TERNARY_IDS)
def test_ternary_broadcasting(name, function, differentiable):
    check(function, grad_input(_symmetric((2, 3, 4))), grad_input(_symmetric((4,))),
          grad_input(_symmetric((3, 1))))
    if not name.startswith("clamp_tensor"):
        # torch's clamp backward itself fails when the bounds broadcast the input's shape
        check(function, grad_input(_symmetric((3, 1))), grad_input(_symmetric((4,))),
              grad_input(_symmetric((2, 1, 1))))


@pytest.mark.parametrize("name, function, differentiable", TERNARY, ids=TERNARY_IDS)
def test_ternary_finite_differences(name, function, differentiable):
    finite_differences(lambda x, y, z: function(ember, x, y, z), _symmetric((2, 3)),
                       _symmetric((2, 3)), _symmetric((2, 3)))


@pytest.mark.parametrize("dtype", [np.int64, np.uint8, np.bool_])
def test_ternary_integral(dtype):
    x, y, z = (np.abs(np.round(_symmetric())).astype(dtype) for _ in range(3))
    for name, function, _ in TERNARY:
        compare(function, x, y, z)


def test_clamp_crossed_bounds_and_nan():
    x = np.array([0.0, 1.0, np.nan, 3.0, -2.0])
    low = np.array([1.0, 2.0, 0.0, np.nan, 0.5])
    high = np.array([0.5, 1.5, 1.0, 4.0, -1.0])
    check(lambda lib, x, a, b: lib.clamp(x, a, b), grad_input(x), grad_input(low),
          grad_input(high))
    check(lambda lib, x: lib.clamp(x, 2.0, 1.0), grad_input(x))


def test_extremum_ties_and_nan_gradients():
    x = np.array([1.0, 2.0, np.nan, 3.0, np.nan])
    y = np.array([1.0, 1.0, 0.0, np.nan, np.nan])
    for name in ("maximum", "minimum", "fmax", "fmin"):
        check(lambda lib, a, b: getattr(lib, name)(a, b), grad_input(x), grad_input(y))


def test_pow_special_cases():
    base = np.array([0.0, 0.0, 2.0, -1.5, 1.0])
    exponent = np.array([0.0, 2.0, 0.0, 2.0, -1.0])
    check(lambda lib, a, b: lib.pow(a, b), grad_input(base), grad_input(exponent))
    check(lambda lib, b: lib.pow(0.0, b), grad_input(exponent))
    integers = np.array([0, 1, -1, 2, -3, 5])
    check(lambda lib, a, b: a ** b, integers, np.array([-1, -2, -3, -1, 2, 0]))
    check(lambda lib, a: lib.pow(2, a), np.abs(integers))
    check(lambda lib, a: a ** 2.5, np.abs(integers))


def test_integer_division_rounding():
    a = np.array([5, -5, 7, -7, 0, 6], dtype=np.int64)
    b = np.array([3, 3, -2, -2, 4, -3], dtype=np.int64)
    for mode in (None, "trunc", "floor"):
        check(lambda lib, x, y: lib.div(x, y, rounding_mode=mode), a, b)
    check(lambda lib, x, y: x // y, a, b)
    check(lambda lib, x, y: x % y, a, b)
    check(lambda lib, x, y: lib.fmod(x, y), a, b)
    check(lambda lib, x, y: lib.div(x, y, rounding_mode="trunc"), a.astype(np.uint8) % 8,
          b.astype(np.uint8) % 5 + 1)


def test_float_division_by_zero():
    x = np.array([1.0, -1.0, 0.0, 2.5])
    for function in (lambda lib, a: a / 0.0, lambda lib, a: a // 0.0, lambda lib, a: a % 0.0,
                     lambda lib, a: lib.fmod(a, 0.0),
                     lambda lib, a: lib.div(a, 0.0, rounding_mode="trunc")):
        check(function, x.astype(np.float32))


def test_erf_family_float64_accuracy():
    x = np.concatenate([np.linspace(-6, 6, 2001), np.geomspace(1e-12, 30, 300),
                        [0.0, np.inf, -np.inf, np.nan]])
    for name in ("erf", "erfc"):
        mine = getattr(ember, name)(ember.tensor(x)).numpy()
        theirs = getattr(torch, name)(torch.tensor(x)).numpy()
        np.testing.assert_allclose(mine, theirs, rtol=1e-12, atol=0, err_msg=name)
    y = np.concatenate([np.linspace(-0.999, 0.999, 2001), [-1.0, 1.0, 0.0, 1.5, np.nan]])
    mine = ember.erfinv(ember.tensor(y)).numpy()
    theirs = torch.erfinv(torch.tensor(y)).numpy()
    np.testing.assert_allclose(mine, theirs, rtol=1e-12, atol=0)


def test_higher_order_gradient():
    x = uniform(0.5, 1.5, (4,))
    for name in ("sin", "exp", "tanh", "sigmoid", "erf", "log", "sqrt", "atan"):
        def function(lib, t, name=name):
            first, = lib.autograd.grad(getattr(lib, name)(t).sum(), t, create_graph=True)
            return first
        check(function, grad_input(x))


def test_every_public_op_has_a_row():
    """Every public elementwise function (or the function it aliases) has a table row."""
    rows = set(UNARY_IDS) | set(BINARY_IDS) | set(TERNARY_IDS) | {r[0] for r in SCALAR_OPERAND}
    # rows in test_pointwise_bitwise_and_errors.py
    rows |= {"allclose", "equal", "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not",
             "bitwise_left_shift", "bitwise_right_shift", "where", "clamp", "lerp"}
    # integer-only rows below (test_gcd_lcm_match_torch)
    rows |= {"gcd", "lcm"}
    # rows in test_tensor_extras.py
    rows |= {"nextafter"}
    covered = {id(getattr(ember, name)) for name in rows if hasattr(ember, name)}
    from ember.ops import binary, bitwise, comparison, pointwise, ternary, unary
    for module in (pointwise, unary, binary, ternary, comparison, bitwise):
        for name in module.__all__:
            assert id(getattr(ember, name)) in covered, f"{name} has no op-table row"


def test_float_remainder_keeps_the_sign_of_an_exact_zero():
    # PyTorch computes fmod and moves it by one divisor: remainder(3., -1.5) is 0., not -0.
    dividends = np.array([0.0, -0.0, 3.0, -3.0, 5.0, -5.0, 2.5], dtype=np.float32)
    for divisor in (-1.5, 1.5, float("inf"), -float("inf")):
        check(lambda lib, x: lib.remainder(x, divisor), dividends)
        result = ember.remainder(ember.from_numpy(dividends), divisor).numpy()
        expected = torch.remainder(torch.from_numpy(dividends), divisor).numpy()
        assert (np.signbit(result) == np.signbit(expected)).all()
    check(lambda lib, x, y: x % y, dividends, np.array([-1.5, 1.5, -1.5, 1.5, 2.0, -2.0, 0.5],
                                                       dtype=np.float32))


def test_sinc_at_zero_and_integers():
    # PyTorch multiplies by pi in the input's dtype, so sinc(1.) is a tiny nonzero in float32
    x = np.array([0.0, 1.0, 2.0, -3.0, 0.5, 1e-20], dtype=np.float32)
    check(lambda lib, t: lib.sinc(t), grad_input(x))
    check(lambda lib, t: lib.sinc(t), np.array([0, 1, 2]))
    check(lambda lib, t: lib.sinc(t), np.array([0j, 0.5 + 1j], dtype=np.complex64))


def test_logaddexp_edges_and_errors():
    infinities = np.array([np.inf, -np.inf, np.inf, 0.0], dtype=np.float32)
    check(lambda lib, a, b: lib.logaddexp(a, b), infinities, infinities[::-1].copy())
    check(lambda lib, a, b: lib.logaddexp2(a, b), infinities, infinities)
    check(lambda lib, a, b: lib.logaddexp(a, b), np.array([1.0, 2.0], dtype=np.float32),
          np.array([1, 2]))
    check(lambda lib, a, b: lib.logaddexp(a, b), np.array([1 + 1j, -2 + 0.5j]),
          np.array([3 - 1j, -2 + 0j]))
    check_error(lambda lib, a: lib.logaddexp(a, a), np.array([1, 2]))
    check_error(lambda lib, a: lib.logaddexp(a, 1.0), np.array([1.0, 2.0]))
    check_error(lambda lib, a: lib.logaddexp2(a, a), np.array([1j]))


def test_gcd_lcm_match_torch():
    a = np.array([4, -6, 0, 15, 7])
    b = np.array([6, 4, 0, -10, 0])
    for name in ("gcd", "lcm"):
        check(lambda lib, x, y: getattr(lib, name)(x, y), a, b)
        check(lambda lib, x, y: getattr(x, name)(y), a.astype(np.int8), b)
        check_error(lambda lib, x: getattr(lib, name)(x, x), a.astype(np.float32))
        check_error(lambda lib, x: getattr(lib, name)(x, 3), a)


@pytest.mark.parametrize("call", [
    lambda lib, c, x: lib.where(c, x.to(lib.int8), 300),
    lambda lib, c, x: lib.where(c, 300, x.to(lib.int8)),
    lambda lib, c, x: lib.where(c, x.to(lib.uint8), -300),
    lambda lib, c, x: lib.where(c, x, 1e300),
    lambda lib, c, x: lib.where(c, 1, 2 ** 70),
    lambda lib, c, x: lib.clamp(x.to(lib.int8), max=300),
    lambda lib, c, x: lib.clamp(x.half(), max=1e6),
    lambda lib, c, x: lib.clamp(x, min=-1e300),
    lambda lib, c, x: lib.addcmul(x, x, x, value=1e300),
    lambda lib, c, x: lib.lerp(x, x, 1e300),
])
def test_scalar_operands_that_overflow_the_result_dtype_raise(call):
    check_error(call, np.array([True, False]), np.array([1.0, 2.0], dtype=np.float32))


def test_scalar_operands_that_fit_or_wrap_match_torch():
    condition = np.array([True, False])
    x = np.array([1.0, 2.0], dtype=np.float32)
    # a negative int wraps into uint8; where takes a half-precision scalar as float (inf)
    check(lambda lib, c, t: lib.where(c, t.to(lib.uint8), -1), condition, x)
    check(lambda lib, c, t: lib.clamp(t.to(lib.uint8), min=-1), condition, x)
    check(lambda lib, c, t: lib.where(c, t.half(), 1e6), condition, x)
    check(lambda lib, c, t: lib.where(c, t.to(lib.int8), -128), condition, x)


def test_round_with_explicit_decimals_is_the_other_overload():
    # torch's round.decimals overload (RoundBackward1 in the table) refuses integers, even at 0
    check(lambda lib, a: lib.round(a), np.array([1, 2]))
    check_error(lambda lib, a: lib.round(a, decimals=0), np.array([1, 2]))
    check_error(lambda lib, a: lib.round(a, decimals=0), np.array([True]))
