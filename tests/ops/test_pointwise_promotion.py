"""Elementwise type promotion, broadcasting and layouts against torch: every dtype pair and
scalar kind (including 0-d tensors), hypothesis-drawn broadcastable shapes and non-contiguous
operands, and bitwise ops on every integer dtype."""
import numpy as np
import pytest
from hypothesis import given, strategies as st
from hypothesis.extra import numpy as hnp

import ember
from oracle import Input, check, check_error, torch

# pytest swaps the warning filters ember installs on import for its own, so NumPy's
# floating-point RuntimeWarnings (which ember silences, as PyTorch never warns) resurface here;
# test_no_numpy_warnings_without_pytest_filters checks the real behaviour in a fresh process.
pytestmark = pytest.mark.filterwarnings("ignore:.*encountered:RuntimeWarning")

DTYPES = [np.bool_, np.uint8, np.int8, np.int16, np.int32, np.int64, np.float16, np.float32,
          np.float64, np.complex64, np.complex128]
REAL_DTYPES = DTYPES[:-2]

# ops whose result dtype follows the promotion table (or is bool / float by rule)
PROMOTING = {
    "add": lambda lib, x, y: x + y,
    "sub": lambda lib, x, y: x - y,
    "mul": lambda lib, x, y: x * y,
    "div": lambda lib, x, y: x / y,
    "floor_divide": lambda lib, x, y: x // y,
    "remainder": lambda lib, x, y: x % y,
    "pow": lambda lib, x, y: x ** y,
    "eq": lambda lib, x, y: x == y,
    "lt": lambda lib, x, y: x < y,
    "maximum": lambda lib, x, y: lib.maximum(x, y),
    "where": lambda lib, x, y: lib.where(x == x, x, y),
    "atan2": lambda lib, x, y: lib.atan2(x, y),
    "copysign": lambda lib, x, y: lib.copysign(x, y),
    "and": lambda lib, x, y: x & y,
    "shift": lambda lib, x, y: x << y,
    "fmod": lambda lib, x, y: lib.fmod(x, y),
}


def small_values(dtype, shape=(3,)):
    """1, 2, 3...: valid for every dtype, never a zero divisor."""
    values = (np.arange(int(np.prod(shape))) % 3 + 1).reshape(shape)
    return values.astype(dtype)


def compare(function, *inputs):
    try:
        function(torch, *[torch.from_numpy(v.copy()) if isinstance(v, np.ndarray) else v
                          for v in inputs])
    except Exception:  # noqa: BLE001 - any torch error must be ember's error too
        check_error(function, *inputs)
        return
    check(function, *inputs)


@pytest.mark.parametrize("op", sorted(PROMOTING))
@pytest.mark.parametrize("left", DTYPES, ids=lambda d: np.dtype(d).name)
def test_dtype_pairs(op, left):
    function = PROMOTING[op]
    for right in DTYPES:
        compare(function, small_values(left), small_values(right))


SCALARS = [2, -1, 2.5, True, False, 1 + 2j]


@pytest.mark.parametrize("op", sorted(PROMOTING))
@pytest.mark.parametrize("dtype", REAL_DTYPES, ids=lambda d: np.dtype(d).name)
def test_scalar_kinds(op, dtype):
    function = PROMOTING[op]
    for scalar in SCALARS:
        if dtype == np.float16 and isinstance(scalar, complex):
            continue  # torch gives complex32, a dtype ember does not have
        compare(lambda lib, x: function(lib, x, scalar), small_values(dtype))
        if op not in ("maximum", "atan2", "where", "fmod", "copysign"):  # no number first
            compare(lambda lib, x: function(lib, scalar, x), small_values(dtype))


@pytest.mark.parametrize("op", ["add", "mul", "div", "eq", "maximum", "where", "sub"])
@pytest.mark.parametrize("left", REAL_DTYPES, ids=lambda d: np.dtype(d).name)
def test_zero_dim_tensor_priority(op, left):
    """0-d tensors rank below dimensioned tensors but above Python numbers (same category)."""
    function = PROMOTING[op]
    for right in REAL_DTYPES:
        compare(function, small_values(left), np.array(2, dtype=right))
        compare(function, np.array(2, dtype=left), small_values(right))
        compare(function, np.array(1, dtype=left), np.array(2, dtype=right))


def test_integer_scalar_wraps_like_torch():
    for dtype in (np.int8, np.uint8, np.int16):
        compare(lambda lib, x: x + 1000, small_values(dtype))
        compare(lambda lib, x: x * 300, small_values(dtype))
        compare(lambda lib, x: x - 3, small_values(dtype))


shapes = hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, max_side=3)
BROADCAST_OPS = ["add", "sub", "mul", "div", "pow", "maximum", "atan2", "remainder", "eq",
                 "where", "copysign"]


@given(shapes=shapes, op=st.sampled_from(BROADCAST_OPS),
       dtypes=st.tuples(st.sampled_from([np.float32, np.float64, np.int64, np.int32]),
                        st.sampled_from([np.float32, np.float64, np.int64, np.uint8])))
def test_broadcasting_shapes_and_dtypes(shapes, op, dtypes):
    x_shape, y_shape = shapes.input_shapes
    x = small_values(dtypes[0], x_shape)
    y = small_values(dtypes[1], y_shape)
    differentiable = all(np.dtype(d).kind == "f" for d in dtypes) and op not in ("eq",)
    _compare_inputs(PROMOTING[op], x, y, differentiable)


def _compare_inputs(function, x, y, differentiable):
    try:
        function(torch, torch.from_numpy(x.copy()), torch.from_numpy(y.copy()))
    except Exception:  # noqa: BLE001 - torch's error must be ember's error
        check_error(function, x, y)
        return
    check(function, Input(x, differentiable), Input(y, differentiable))


def _layout(array, kind):
    """A non-contiguous view with array's values: transposed, strided or expanded."""
    if kind == "transposed":
        return np.ascontiguousarray(array.T).T
    if kind == "strided":
        padded = np.repeat(array, 2, axis=-1)
        return padded[..., ::2]
    return array


LAYOUT_OPS = {
    "add": lambda lib, x, y: x + y,
    "mul_scalar": lambda lib, x, y: x * 3.0,
    "sin": lambda lib, x, y: lib.sin(x),
    "exp": lambda lib, x, y: x.exp(),
    "div": lambda lib, x, y: x / (y.abs() + 1),
    "where": lambda lib, x, y: lib.where(x > y, x, y),
    "clamp": lambda lib, x, y: lib.clamp(x, -0.5, 0.5),
    "erf": lambda lib, x, y: lib.erf(x),
    "pow": lambda lib, x, y: x.abs() ** y,
    "transposed_view_add": lambda lib, x, y: x.t() + y.t(),
    "expanded": lambda lib, x, y: x[:1].expand(3, 4) * y,
}


@given(op=st.sampled_from(sorted(LAYOUT_OPS)),
       layouts=st.tuples(st.sampled_from(["transposed", "strided", "contiguous"]),
                         st.sampled_from(["transposed", "strided", "contiguous"])),
       seed=st.integers(0, 1000))
def test_non_contiguous_operands(op, layouts, seed):
    rng = np.random.default_rng(seed)
    x = _layout(rng.uniform(-2, 2, (3, 4)), layouts[0])
    y = _layout(rng.uniform(-2, 2, (3, 4)), layouts[1])
    check(LAYOUT_OPS[op], Input(x, True), Input(y, True))


def test_non_contiguous_results_keep_values_on_ember_views():
    base = ember.arange(12.0).reshape(3, 4)
    view = base.t()[1:, ::2]
    reference = torch.arange(12.0).reshape(3, 4).t()[1:, ::2]
    np.testing.assert_allclose((view * 2 + 1).numpy(), (reference * 2 + 1).numpy())
    np.testing.assert_allclose(ember.sin(view).numpy(), torch.sin(reference).numpy(), rtol=1e-6)


# ---- bitwise ops ------------------------------------------------------------------------------

BITWISE = {
    "and": lambda lib, x, y: lib.bitwise_and(x, y),
    "or": lambda lib, x, y: x.bitwise_or(y),
    "xor": lambda lib, x, y: lib.bitwise_xor(x, y),
    "and_operator": lambda lib, x, y: x & y,
    "or_operator": lambda lib, x, y: x | y,
    "xor_operator": lambda lib, x, y: x ^ y,
    "and_scalar": lambda lib, x, y: x & 6,
    "ror_scalar": lambda lib, x, y: 5 | x,
    "not": lambda lib, x, y: lib.bitwise_not(x),
    "invert_operator": lambda lib, x, y: ~x,
    "left_shift": lambda lib, x, y: lib.bitwise_left_shift(x, y),
    "right_shift": lambda lib, x, y: lib.bitwise_right_shift(x, y),
    "lshift_operator": lambda lib, x, y: x << y,
    "rshift_operator": lambda lib, x, y: x >> y,
    "rshift_scalar": lambda lib, x, y: x >> 1,
    "rlshift_scalar": lambda lib, x, y: 1 << (y % 4),
    "allclose": lambda lib, x, y: lib.allclose(x, y),
    "allclose_close": lambda lib, x, y: lib.allclose(x, x + 0),
    "equal": lambda lib, x, y: lib.equal(x, y),
    "equal_same": lambda lib, x, y: x.equal(x.clone()),
    "logical_and": lambda lib, x, y: lib.logical_and(x, y),
}


@pytest.mark.parametrize("op", sorted(BITWISE))
@pytest.mark.parametrize("dtype", REAL_DTYPES, ids=lambda d: np.dtype(d).name)
def test_bitwise(op, dtype):
    rng = np.random.default_rng(3)
    low = 0 if np.dtype(dtype).kind in "ub" else -100
    x = rng.integers(low, 100, (3, 4)).astype(dtype)
    y = rng.integers(0, 9, (3, 4)).astype(dtype)
    compare(BITWISE[op], x, y)


def test_shift_out_of_range():
    for dtype in (np.int8, np.uint8, np.int32, np.int64):
        x = np.array([1, 3, 100, 7, 2], dtype=dtype)
        if dtype != np.uint8:
            x[3] = -7
        shifts = np.array([0, 7, 8, 65, -1], dtype=dtype if dtype != np.uint8 else np.int64)
        compare(lambda lib, a, b: a << b, x, shifts)
        compare(lambda lib, a, b: a >> b, x, shifts)
