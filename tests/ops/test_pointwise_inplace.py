"""In-place variants, out=, and bad input for the elementwise ops, against torch: values,
dtypes, grad_fn names and gradients after in-place ops, PyTorch's exact errors, and failed
in-place ops leaving their target unchanged."""
import subprocess
import sys
import warnings

import numpy as np
import pytest

import ember
from oracle import Input, check, check_error, grad_input, torch

# pytest swaps the warning filters ember installs on import for its own, so NumPy's
# floating-point RuntimeWarnings (which ember silences, as PyTorch never warns) resurface here;
# test_no_numpy_warnings_without_pytest_filters checks the real behaviour in a fresh process.
pytestmark = pytest.mark.filterwarnings("ignore:.*encountered:RuntimeWarning")

RNG = np.random.default_rng(5)


def values(shape=(3, 4), low=0.5, high=2.0):
    return RNG.uniform(low, high, shape)


# (name, function(lib, x, y) applying the in-place op to a non-leaf copy of x)
INPLACE = [
    ("add_", lambda x, y: x.add_(y)),
    ("add_alpha_", lambda x, y: x.add_(y, alpha=2)),
    ("iadd", lambda x, y: x.__iadd__(y)),
    ("sub_", lambda x, y: x.sub_(y)),
    ("isub_scalar", lambda x, y: x.__isub__(1.5)),
    ("mul_", lambda x, y: x.mul_(y)),
    ("imul_scalar", lambda x, y: x.__imul__(3)),
    ("div_", lambda x, y: x.div_(y)),
    ("div_floor_", lambda x, y: x.div_(y, rounding_mode="floor")),
    ("itruediv", lambda x, y: x.__itruediv__(y)),
    ("imod", lambda x, y: x.__imod__(y)),
    ("pow_", lambda x, y: x.pow_(y)),
    ("ipow_scalar", lambda x, y: x.__ipow__(2)),
    ("remainder_", lambda x, y: x.remainder_(y)),
    ("fmod_", lambda x, y: x.fmod_(y)),
    ("atan2_", lambda x, y: x.atan2_(y)),
    ("hypot_", lambda x, y: x.hypot_(y)),
    ("copysign_", lambda x, y: x.copysign_(-y)),
    ("xlogy_", lambda x, y: x.xlogy_(y)),
    ("clamp_", lambda x, y: x.clamp_(0.7, 1.5)),
    ("clamp_tensor_", lambda x, y: x.clamp_(min=y)),
    ("clip_", lambda x, y: x.clip_(max=1.0)),
    ("clamp_min_", lambda x, y: x.clamp_min_(1.0)),
    ("clamp_max_", lambda x, y: x.clamp_max_(y)),
    ("lerp_", lambda x, y: x.lerp_(y, 0.25)),
    ("addcmul_", lambda x, y: x.addcmul_(y, y, value=2)),
    ("addcdiv_", lambda x, y: x.addcdiv_(y, y + 1)),
    ("sin_", lambda x, y: x.sin_()),
    ("exp_", lambda x, y: x.exp_()),
    ("sqrt_", lambda x, y: x.sqrt_()),
    ("square_", lambda x, y: x.square_()),
    ("neg_", lambda x, y: x.neg_()),
    ("abs_", lambda x, y: x.abs_()),
    ("sigmoid_", lambda x, y: x.sigmoid_()),
    ("tanh_", lambda x, y: x.tanh_()),
    ("logit_", lambda x, y: x.div_(3).logit_()),
    ("erf_", lambda x, y: x.erf_()),
    ("erfinv_", lambda x, y: x.div_(3).erfinv_()),
    ("round_", lambda x, y: x.round_(decimals=1)),
    ("frac_", lambda x, y: x.frac_()),
    ("reciprocal_", lambda x, y: x.reciprocal_()),
    ("nan_to_num_", lambda x, y: x.nan_to_num_()),
    ("float_power_", lambda x, y: x.float_power_(2)),
    ("arctan_", lambda x, y: x.arctan_()),
]

# In-place ops that are not differentiable: compared on tensors without grad.
INPLACE_WITHOUT_GRAD = [
    ("ifloordiv", lambda x, y: x.__ifloordiv__(y)),
    ("floor_divide_", lambda x, y: x.floor_divide_(y)),
    ("eq_", lambda x, y: x.eq_(y)),
    ("lt_", lambda x, y: x.lt_(1.0)),
    ("ge_", lambda x, y: x.greater_equal_(y)),
    ("logical_and_", lambda x, y: x.logical_and_(y)),
    ("logical_not_", lambda x, y: x.logical_not_()),
    ("iand", lambda x, y: x.long().__iand__(3)),
    ("ior", lambda x, y: x.long().__ior__(y.long())),
    ("ixor", lambda x, y: x.long().__ixor__(5)),
    ("ilshift", lambda x, y: x.long().__ilshift__(2)),
    ("irshift", lambda x, y: x.long().__irshift__(y.long())),
    ("bitwise_not_", lambda x, y: x.long().bitwise_not_()),
    ("int_add_", lambda x, y: x.long().add_(y.long(), alpha=3)),
    ("int_mul_scalar_", lambda x, y: x.long().mul_(7)),
    ("int_pow_", lambda x, y: x.long().pow_(3)),
    ("int_remainder_", lambda x, y: x.long().remainder_(3)),
    ("bool_logical_xor_", lambda x, y: (x > 1).logical_xor_(y > 1)),
]


@pytest.mark.parametrize("name, operation", INPLACE, ids=[row[0] for row in INPLACE])
def test_inplace_on_non_leaf(name, operation):
    def function(lib, x, y):
        target = x * 1
        result = operation(target, y)
        assert result is target
        return target

    x = values()
    check(function, grad_input(x if name != "float_power_" else x.astype(np.float64)),
          grad_input(values()))


@pytest.mark.parametrize("name, operation", INPLACE_WITHOUT_GRAD,
                         ids=[row[0] for row in INPLACE_WITHOUT_GRAD])
def test_inplace_without_grad(name, operation):
    def function(lib, x, y):
        result = operation(x, y)
        return result, x

    check(function, values(high=9.0), values(high=9.0))


def test_inplace_bumps_version_and_shares_memory():
    x = ember.ones(3)
    view = x[1:]
    before = x._version
    view.mul_(4)
    assert x._version == before + 1
    np.testing.assert_array_equal(x.numpy(), [1.0, 4.0, 4.0])


def test_inplace_through_view_of_non_leaf():
    def function(lib, x):
        y = x * 2
        y[1:].exp_()
        return y
    check(function, grad_input(values((4,))))


# Failed in-place ops must raise PyTorch's error and leave the target unchanged.
INPLACE_ERRORS = [
    ("int_add_float", lambda lib, x: x.add_(1.5), np.array([1, 2, 3])),
    ("int_div", lambda lib, x: x.div_(2), np.array([1, 2, 3])),
    ("int_sqrt", lambda lib, x: x.sqrt_(), np.array([1, 2, 3])),
    ("int_itruediv", lambda lib, x: x.__itruediv__(2), np.array([1, 2, 3])),
    ("bool_add_int", lambda lib, x: x.add_(1), np.array([True, False])),
    ("int_mul_float_tensor", lambda lib, x: x.mul_(lib.ones(3)), np.array([1, 2, 3])),
    ("broadcast_target", lambda lib, x: x.add_(lib.ones(2, 3)), np.array([1.0, 2.0, 3.0])),
    ("bool_sub", lambda lib, x: x.sub_(x), np.array([True, False])),
    ("float_power_float32", lambda lib, x: x.float_power_(2), np.array([1.0, 2.0],
                                                                         np.float32)),
    ("leaf_requires_grad", lambda lib, x: x.requires_grad_().mul_(2), np.array([1.0, 2.0])),
    ("uint8_sub_float", lambda lib, x: x.__isub__(0.5), np.array([1, 2], np.uint8)),
]


@pytest.mark.parametrize("name, function, array", INPLACE_ERRORS,
                         ids=[row[0] for row in INPLACE_ERRORS])
def test_failed_inplace_leaves_target_unchanged(name, function, array):
    check_error(function, array)
    target = ember.from_numpy(array.copy())
    version = target._version
    with pytest.raises(RuntimeError):
        function(ember, target)
    np.testing.assert_array_equal(target.detach().numpy(), array)
    assert target._version == version


# ---- out= -------------------------------------------------------------------------------------

OUT_CALLS = [
    ("add", lambda lib, x, y, out: lib.add(x, y, out=out)),
    ("mul", lambda lib, x, y, out: lib.mul(x, y, out=out)),
    ("div", lambda lib, x, y, out: lib.div(x, y, out=out)),
    ("sin", lambda lib, x, y, out: lib.sin(x, out=out)),
    ("exp", lambda lib, x, y, out: lib.exp(x, out=out)),
    ("pow", lambda lib, x, y, out: lib.pow(x, 2, out=out)),
    ("maximum", lambda lib, x, y, out: lib.maximum(x, y, out=out)),
    ("clamp", lambda lib, x, y, out: lib.clamp(x, 0.8, out=out)),
    ("where", lambda lib, x, y, out: lib.where(x > y, x, y, out=out)),
    ("eq", lambda lib, x, y, out: lib.eq(x, y, out=out)),
    ("round", lambda lib, x, y, out: lib.round(x, out=out)),
    ("atan2", lambda lib, x, y, out: lib.atan2(x, y, out=out)),
    ("logical_not", lambda lib, x, y, out: lib.logical_not(x, out=out)),
    ("abs", lambda lib, x, y, out: lib.abs(x, out=out)),
    ("floor", lambda lib, x, y, out: lib.floor(x, out=out)),
    ("nan_to_num", lambda lib, x, y, out: lib.nan_to_num(x, out=out)),
    ("float_power", lambda lib, x, y, out: lib.float_power(x, 2, out=out)),
    ("clamp_min", lambda lib, x, y, out: lib.clamp_min(x, 1.0, out=out)),
    ("clamp_tensor", lambda lib, x, y, out: lib.clamp(x, y, out=out)),
    ("remainder", lambda lib, x, y, out: lib.remainder(x, y, out=out)),
    ("bitwise_and", lambda lib, x, y, out: lib.bitwise_and(x.long(), y.long(), out=out)),
]


@pytest.mark.parametrize("name, call", OUT_CALLS, ids=[row[0] for row in OUT_CALLS])
@pytest.mark.parametrize("out_dtype", [np.float32, np.float64, np.int64, np.bool_])
def test_out(name, call, out_dtype):
    def function(lib, x, y, out):
        result = call(lib, x, y, out)
        assert result is out
        return out

    compare(function, values().astype(np.float32), values().astype(np.float32),
            np.zeros((3, 4), dtype=out_dtype))


def compare(function, *inputs):
    """check() when torch accepts the call, check_error() when torch rejects it."""
    try:
        function(torch, *[torch.from_numpy(v.copy()) for v in inputs])
    except Exception:  # noqa: BLE001 - torch's error must be ember's error
        check_error(function, *inputs)
        return
    check(function, *inputs)


def test_out_resized_with_warning_and_cast_errors():
    def resized(lib, x, y, size):
        out = lib.zeros(size)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            lib.add(x, y, out=out)
        assert any("resized" in str(w.message) for w in caught) == (size > 0)
        return out
    check(resized, values(), values(), 5)
    check(resized, values(), values(), 0)
    check_error(lambda lib, x, y, out: lib.add(x, y, out=out), values(), values(),
                np.zeros((3, 4), dtype=np.int64))
    check_error(lambda lib, x, y, out: lib.mul(x, y, out=out), grad_input(values()), values(),
                np.zeros((3, 4)))


# ---- bad input ---------------------------------------------------------------------------------

ERRORS = [
    ("broadcast", lambda lib, x, y: x + y[:, :3].t(), values(), values()),
    ("broadcast_function", lambda lib, x, y: lib.mul(x, y[:2]), values(), values()),
    ("broadcast_where", lambda lib, x, y: lib.where(x > 1, x, y[:2]), values(), values()),
    ("broadcast_clamp", lambda lib, x, y: lib.clamp(x, y[:2]), values(), values()),
    ("broadcast_lerp", lambda lib, x, y: lib.lerp(x, y[:, :1].t(), 0.5), values(), values()),
    ("bool_sub", lambda lib, x, y: (x > 1) - (y > 1), values(), values()),
    ("bool_sub_scalar", lambda lib, x, y: (x > 1) - 1, values(), values()),
    ("bool_rsub", lambda lib, x, y: 1 - (x > 1), values(), values()),
    ("bool_neg", lambda lib, x, y: -(x > 1), values(), values()),
    ("bool_pos", lambda lib, x, y: +(x > 1), values(), values()),
    ("bool_abs", lambda lib, x, y: (x > 1).abs(), values(), values()),
    ("bitwise_float", lambda lib, x, y: x & y, values(), values()),
    ("bitwise_float_scalar", lambda lib, x, y: lib.bitwise_or(x.long(), 1.5), values(),
     values()),
    ("invert_float", lambda lib, x, y: ~x, values(), values()),
    ("bitwise_not_float", lambda lib, x, y: lib.bitwise_not(x), values(), values()),
    ("shift_float", lambda lib, x, y: x << 1, values(), values()),
    ("shift_bool", lambda lib, x, y: (x > 1) >> (y > 1), values(), values()),
    ("int_negative_power", lambda lib, x, y: x.long() ** -1, values(), values()),
    ("bool_power", lambda lib, x, y: (x > 1) ** (y > 1), values(), values()),
    ("floor_divide_by_zero", lambda lib, x, y: x.long() // 0, values(), values()),
    ("remainder_by_zero", lambda lib, x, y: x.long() % (y.long() * 0), values(), values()),
    ("fmod_by_zero", lambda lib, x, y: lib.fmod(x.long(), 0), values(), values()),
    ("div_trunc_by_zero", lambda lib, x, y: lib.div(x.long(), 0, rounding_mode="trunc"),
     values(), values()),
    ("rounding_mode", lambda lib, x, y: lib.div(x, y, rounding_mode="round"), values(),
     values()),
    ("alpha_float_for_int", lambda lib, x, y: lib.add(x.long(), y.long(), alpha=0.5),
     values(), values()),
    ("alpha_bool", lambda lib, x, y: lib.add(x, y, alpha=True), values(), values()),
    ("where_condition_dtype", lambda lib, x, y: lib.where(x.long(), x, y), values(), values()),
    ("clamp_no_bounds", lambda lib, x, y: lib.clamp(x), values(), values()),
    ("clamp_mixed_bounds", lambda lib, x, y: lib.clamp(x, y, 1.0), values(), values()),
    ("clamp_bool_tensor_bounds", lambda lib, x, y: lib.clamp(x > 1, x > 1, y > 1), values(),
     values()),
    ("lerp_end_dtype", lambda lib, x, y: lib.lerp(x, y.double(), 0.5), values(), values()),
    ("lerp_weight_dtype", lambda lib, x, y: lib.lerp(x, y, y.double()), values(), values()),
    ("lerp_integer", lambda lib, x, y: lib.lerp(x.long(), y.long(), 0.5), values(), values()),
    ("addcdiv_integer", lambda lib, x, y: lib.addcdiv(x.long(), y.long(), y.long()), values(),
     values()),
    ("addcmul_bool", lambda lib, x, y: lib.addcmul(x > 1, x > 1, y > 1), values(), values()),
    ("maximum_scalar", lambda lib, x, y: lib.maximum(x, 1.0), values(), values()),
    ("logical_and_scalar", lambda lib, x, y: lib.logical_and(x, 1), values(), values()),
    ("hypot_integer", lambda lib, x, y: lib.hypot(x.long(), y.long()), values(), values()),
    ("isclose_dtypes", lambda lib, x, y: lib.isclose(x, y.double()), values(), values()),
    ("allclose_dtypes", lambda lib, x, y: lib.allclose(x.long(), y), values(), values()),
    ("frac_integer", lambda lib, x, y: lib.frac(x.long()), values(), values()),
    ("round_decimals_integer", lambda lib, x, y: lib.round(x.long(), decimals=1), values(),
     values()),
    ("floor_bool", lambda lib, x, y: lib.floor(x > 1), values(), values()),
    ("remainder_bool", lambda lib, x, y: (x > 1) % (y > 1), values(), values()),
    ("sign_complex", lambda lib, x, y: lib.sign(x.to(lib.complex64)), values(), values()),
    ("maximum_complex", lambda lib, x, y: lib.maximum(x.to(lib.complex64),
                                                      y.to(lib.complex64)), values(), values()),
    ("lt_complex", lambda lib, x, y: x.to(lib.complex64) < 1, values(), values()),
    ("clamp_complex", lambda lib, x, y: lib.clamp(x.to(lib.complex64), 0, 1), values(),
     values()),
    ("no_derivative_floor_divide",
     lambda lib, x, y: lib.autograd.grad((x // 0.5).sum(), x), grad_input(values()), values()),
    ("no_derivative_remainder_scalar_input",
     lambda lib, x, y: lib.autograd.grad((2 % x).sum(), x), grad_input(values()), values()),
]


@pytest.mark.parametrize("name, function, x, y", ERRORS, ids=[row[0] for row in ERRORS])
def test_bad_input(name, function, x, y):
    check_error(function, x.astype(np.float32) if isinstance(x, np.ndarray) else
                Input(x.array.astype(np.float32), True), y.astype(np.float32))


def test_comparison_with_non_tensor_objects():
    x = ember.tensor([1.0, 2.0])
    theirs = torch.tensor([1.0, 2.0])
    assert (x == None) is (theirs == None) is False  # noqa: E711 - the operator is under test
    assert (x != "a") is (theirs != "a") is True


def test_no_numpy_warnings_without_pytest_filters():
    """ember's ops return inf/nan silently, as PyTorch does, even with warnings as errors (run
    in a fresh interpreter: pytest replaces the warning filters ember installs on import)."""
    script = ("import ember; x = ember.tensor([1.0, 0.0, -1.0]); "
              "(x / 0, ember.exp(x * 1000), ember.log(x), x.sqrt(), x // 0, x % 0, "
              "ember.atan2(x, x * 0), ember.sigmoid(x * -1e4), ember.erfinv(x * 2))")
    subprocess.run([sys.executable, "-W", "error", "-c", script], check=True)


def test_temporary_elision_never_touches_visible_buffers():
    """Operators reuse the buffer of an unnamed large intermediate (NumPy's temporary elision);
    every tensor or array a user can still see keeps its values."""
    size = 1 << 17
    x = ember.full((size,), 2.0)
    y = ember.full((size,), 3.0)
    z = ember.ones(size)
    assert float((x * y + z)[0]) == 7.0
    named = x * y
    assert float((named + z)[0]) == 7.0 and float(named[0]) == 6.0
    viewed = x * y
    view = viewed[:]
    assert float((view + z)[0]) == 7.0 and float(viewed[0]) == 6.0
    exported = x * y
    array = exported.numpy()
    assert float((exported * 2.0)[0]) == 12.0 and array[0] == 6.0
    held = [x * y]
    assert float((held[0] - z)[0]) == 5.0 and float(held[0][0]) == 6.0
    for tensor, value in ((x, 2.0), (y, 3.0), (z, 1.0)):
        np.testing.assert_array_equal(tensor.numpy(), value)


def test_temporary_elision_keeps_autograd():
    size = 1 << 17
    def function(lib, x, y):
        return (x * y + y) / 2.0 - 1.0
    check(function, grad_input(values((size,))), values((size,)))
