"""Tensor repr/str against PyTorch's, character for character (ember. for torch.)."""
import time

import numpy as np
import pytest
from hypothesis import given, strategies as st
from hypothesis.extra import numpy as hnp

import ember
from oracle import Input, check, grad_input, torch

pytestmark = pytest.mark.skipif(torch is None, reason="EMBER_NO_ORACLE=1 and no torch")

DTYPES = ["float16", "bfloat16", "float32", "float64", "complex64", "complex128",
          "int8", "int16", "int32", "int64", "uint8", "bool"]
SHAPES = [(), (0,), (0, 3), (2, 0, 4), (1,), (5,), (3, 4), (2, 3, 4), (2, 1, 3, 2),
          (40, 50), (3, 400), (1100,), (7, 8, 9, 10)]
OPTION_VARIANTS = [
    {"precision": 2}, {"precision": 0}, {"precision": 8}, {"threshold": 5},
    {"threshold": 0}, {"edgeitems": 1, "threshold": 10}, {"edgeitems": 0},
    {"edgeitems": 0, "threshold": 3}, {"linewidth": 30}, {"linewidth": 5}, {"linewidth": 200},
    {"sci_mode": True}, {"sci_mode": False}, {"profile": "short"}, {"profile": "full"},
    {"profile": "short", "precision": 6}, {"profile": "unknown"},
]


@pytest.fixture(autouse=True)
def default_print_state():
    """Every test starts and ends with both libraries at their default options and dtype."""
    yield
    for library in (torch, ember):
        library.set_printoptions(profile="default")
        library.set_default_dtype(library.float32)


def set_both(**options):
    torch.set_printoptions(**options)
    ember.set_printoptions(**options)


def make_pair(array, dtype_name=None, requires_grad=False):
    """The same values as a torch and an ember tensor, cast to dtype_name when given (bfloat16
    has no NumPy type, so it is reached through a cast)."""
    array = np.array(array)
    theirs = torch.from_numpy(array.copy())
    mine = ember.from_numpy(array.copy())
    if dtype_name is not None:
        theirs = theirs.to(getattr(torch, dtype_name))
        mine = mine.to(getattr(ember, dtype_name))
    if requires_grad:
        theirs.requires_grad_(True)
        mine.requires_grad_(True)
    return mine, theirs


def assert_same_text(mine, theirs):
    expected = repr(theirs).replace("torch.", "ember.")
    assert repr(mine) == expected, f"\n{mine!r}\n!=\n{expected}"
    assert str(mine) == str(theirs).replace("torch.", "ember.")


def values_for(dtype_name, shape, seed=0):
    """Deterministic values suited to a dtype: small integers, bools, or mixed-sign floats."""
    rng = np.random.default_rng(seed)
    if dtype_name == "bool":
        return rng.random(shape) > 0.5
    if dtype_name == "uint8":
        return rng.integers(0, 256, shape).astype(np.uint8)
    if dtype_name.startswith("int"):
        info = np.iinfo(dtype_name)
        return rng.integers(max(info.min, -1000), min(info.max, 1000), shape).astype(dtype_name)
    values = rng.standard_normal(shape) * 10.0
    if dtype_name.startswith("complex"):
        return (values + 1j * rng.standard_normal(shape)).astype(dtype_name)
    return values.astype(np.float32)


def pair_for(dtype_name, shape, seed=0):
    array = values_for(dtype_name, shape, seed)
    if dtype_name in ("float16", "bfloat16", "float64"):
        return make_pair(array, dtype_name)
    return make_pair(array)


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("dtype_name", DTYPES)
def test_dtypes_and_shapes(dtype_name, shape):
    assert_same_text(*pair_for(dtype_name, shape))


VALUE_RANGES = {
    "tiny": [1e-7, 2.5e-6, -3e-5],
    "huge": [1e9, -2.5e10, 3e12],
    "mixed": [1e-3, 1.0, 5e4],
    "ratio_at_limit": [1.0, 1000.0],
    "ratio_over_limit": [1.0, 1000.5],
    "limit_1e8": [1e8, 2.0],
    "over_1e8": [1.5e8, 2.0],
    "below_1e-4": [9e-5, 1.0],
    "negative": [-1.5, -2.25, -100.125],
    "integer_valued": [1.0, 10.0, -300.0],
    "integer_valued_large": [123456789.0, 1.0],
    "nonfinite": [np.nan, np.inf, -np.inf, 1.5],
    "nonfinite_integer": [np.nan, -np.inf, 2.0, -0.0],
    "only_nonfinite": [np.nan, np.inf],
    "zeros": [0.0, -0.0, 0.0],
    "rounding_carry": [9.99996, 0.5],
    "exponent_three_digits": [1e-200, 1e150, -1e-300],
    "subnormal": [5e-324, 1.0],
}


@pytest.mark.parametrize("dtype_name", ["float16", "bfloat16", "float32", "float64"])
@pytest.mark.parametrize("case", sorted(VALUE_RANGES))
def test_value_ranges(case, dtype_name):
    array = np.array(VALUE_RANGES[case], dtype=np.float64)
    with np.errstate(over="ignore", under="ignore"):
        assert_same_text(*make_pair(array, dtype_name))
        assert_same_text(*make_pair(array.reshape(-1, 1), dtype_name))
        assert_same_text(*make_pair(np.array(array[0]), dtype_name))


@pytest.mark.parametrize("case", sorted(VALUE_RANGES))
def test_complex_value_ranges(case):
    real = np.array(VALUE_RANGES[case], dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        array = real + 1j * real[::-1]
        narrow = array.astype(np.complex64)
    assert_same_text(*make_pair(array))
    assert_same_text(*make_pair(narrow))
    assert_same_text(*make_pair(np.array(array[-1])))


def test_complex_signs_and_zeros():
    array = np.array([1 + 0j, 1 - 0j, -0.0 - 2j, complex(np.nan, np.nan), complex(0, np.inf),
                      complex(3, -np.inf)])
    assert_same_text(*make_pair(array))


@pytest.mark.parametrize("options", OPTION_VARIANTS, ids=str)
@pytest.mark.parametrize("dtype_name", ["float32", "int64", "bool", "complex64", "float64"])
def test_print_options(options, dtype_name):
    set_both(**options)
    for shape in [(), (4,), (12,), (3, 5), (6, 7), (2, 3, 8), (30, 40)]:
        assert_same_text(*pair_for(dtype_name, shape, seed=len(shape)))
    assert_same_text(*make_pair(np.zeros((2, 0))))


@pytest.mark.parametrize("options", OPTION_VARIANTS, ids=str)
def test_get_printoptions(options):
    set_both(**options)
    assert ember._printing.get_printoptions() == torch._tensor_str.get_printoptions()


def test_printoptions_context_restores():
    ember.set_printoptions(precision=6, sci_mode=True)
    before = ember._printing.get_printoptions()
    with ember._printing.printoptions(precision=1, threshold=3):
        assert repr(ember.tensor([1.25, 2.5])) == "tensor([1.2, 2.5])"
    assert ember._printing.get_printoptions() == before


def test_set_printoptions_is_exported():
    assert "set_printoptions" in ember.__all__
    assert ember.set_printoptions is ember._printing.set_printoptions


def test_sci_mode_is_reset_by_every_call():
    set_both(sci_mode=True)
    set_both(precision=3)
    assert_same_text(*make_pair(np.array([1.5, 2.0, 300.0])))


@pytest.mark.parametrize("edgeitems", [0, 1, 2, 3, 5])
@pytest.mark.parametrize("threshold", [0, 10, 1000])
@pytest.mark.parametrize("shape", [(), (7,), (11,), (4, 11), (11, 4), (3, 12, 5)], ids=str)
def test_summarisation(shape, threshold, edgeitems):
    set_both(threshold=threshold, edgeitems=edgeitems)
    assert_same_text(*pair_for("float32", shape))
    assert_same_text(*pair_for("int64", shape))


def test_summarised_width_comes_from_shown_values_only():
    # the huge middle value is not shown, so it must not switch on scientific notation
    array = np.ones(3000)
    array[1500] = 1e20
    assert_same_text(*make_pair(array))


def test_large_tensor_is_fast_and_identical():
    array = np.random.default_rng(1).standard_normal(10**7).astype(np.float32)
    mine, theirs = make_pair(array)
    start = time.perf_counter()
    text = repr(mine)
    assert time.perf_counter() - start < 0.5
    assert text == repr(theirs)
    mine, theirs = make_pair(array.reshape(1000, 100, 100))
    assert_same_text(mine, theirs)


@pytest.mark.parametrize("view", ["t", "step", "negative_offset", "expand", "column"])
def test_non_contiguous(view):
    views = {
        "t": lambda lib, x: x.t(),
        "step": lambda lib, x: x[::2, 1::3],
        "negative_offset": lambda lib, x: x[1:, 2:],
        "expand": lambda lib, x: x[:1].expand(5, 12),
        "column": lambda lib, x: x[:, 3],
    }
    array = np.arange(60, dtype=np.float32).reshape(5, 12) * 1.5
    check(views[view], Input(array), repr_=True)


def test_linewidth_wrapping_nested():
    set_both(linewidth=40)
    assert_same_text(*pair_for("float64", (2, 3, 17)))
    assert_same_text(*pair_for("complex128", (3, 9)))


def test_requires_grad_and_grad_fn():
    check(lambda lib, x: x, grad_input(np.array([1.0, 2.0])), repr_=True)
    check(lambda lib, x: x * 2, grad_input(np.array([1.0, 2.0], dtype=np.float32)),
          repr_=True)
    check(lambda lib, x: x.sum(), grad_input(np.arange(4.0)), repr_=True)
    check(lambda lib, x: x * 2, grad_input(np.zeros((0, 3))), repr_=True)
    check(lambda lib, x: x * x, grad_input(np.array(3.0, dtype=np.float32)), repr_=True)


@pytest.mark.parametrize("linewidth", [20, 40, 80])
def test_suffixes_wrap_at_linewidth(linewidth):
    set_both(linewidth=linewidth)
    check(lambda lib, x: x * 3, grad_input(np.linspace(-1, 1, 9)), repr_=True)
    check(lambda lib, x: x * 3, grad_input(np.linspace(-1, 1, 12).reshape(3, 4)), repr_=True)
    assert_same_text(*make_pair(np.arange(5, dtype=np.float16), requires_grad=True))


def test_default_dtype_float64():
    for library in (torch, ember):
        library.set_default_dtype(library.float64)
    for dtype_name in ["float32", "float64", "complex64", "complex128", "float16"]:
        assert_same_text(*pair_for(dtype_name, (3,)))
        assert_same_text(*make_pair(np.zeros((0,)), dtype_name))


def test_default_dtype_float16():
    for library in (torch, ember):
        library.set_default_dtype(library.float16)
    for dtype_name in ["float16", "float32", "complex64", "complex128"]:
        assert_same_text(*pair_for(dtype_name, (2, 2)))


@pytest.mark.parametrize("dtype_name", DTYPES)
def test_empty_dtype_suffix(dtype_name):
    for shape in [(0,), (0, 3), (3, 0, 1)]:
        array = np.zeros(shape, dtype=np.float32)
        assert_same_text(*make_pair(array, dtype_name))


def test_tensor_contents_override():
    mine, theirs = make_pair(np.arange(3.0), requires_grad=True)
    expected = theirs.__repr__(tensor_contents="[custom]").replace("torch.", "ember.")
    assert mine.__repr__(tensor_contents="[custom]") == expected


def test_format_of_non_scalar_is_str():
    mine, theirs = make_pair(np.arange(3.0))
    assert f"{mine}" == f"{theirs}".replace("torch.", "ember.")
    assert f"{make_pair(np.array(2.5))[0]:.3f}" == "2.500"


FLOAT_DTYPES = st.sampled_from([np.float16, np.float32, np.float64])
SHAPE_STRATEGY = hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=7)


@st.composite
def float_arrays(draw):
    dtype = draw(FLOAT_DTYPES)
    width = {np.float16: 16, np.float32: 32, np.float64: 64}[dtype]
    elements = draw(st.sampled_from([
        st.floats(width=width),
        st.floats(-1024, 1024, width=width),
        st.integers(-2048, 2048).map(float),
        st.floats(-2.0**-10, 2.0**-10, width=width),
    ]))
    return draw(hnp.arrays(dtype, SHAPE_STRATEGY, elements=elements))


@st.composite
def print_options(draw):
    return {
        "precision": draw(st.integers(0, 8)),
        "threshold": draw(st.sampled_from([0, 5, 30, 1000])),
        "edgeitems": draw(st.integers(0, 4)),
        "linewidth": draw(st.integers(5, 120)),
        "sci_mode": draw(st.sampled_from([None, True, False])),
    }


@given(array=float_arrays(), options=print_options())
def test_hypothesis_floats(array, options):
    try:
        set_both(**options)
        assert_same_text(*make_pair(array))
    finally:
        set_both(profile="default")


@given(array=hnp.arrays(st.sampled_from([np.int8, np.int16, np.int32, np.int64, np.uint8,
                                         np.bool_]), SHAPE_STRATEGY),
       options=print_options())
def test_hypothesis_integers(array, options):
    try:
        set_both(**options)
        assert_same_text(*make_pair(array))
    finally:
        set_both(profile="default")


@given(real=float_arrays(), seed=st.integers(0, 2**16), options=print_options())
def test_hypothesis_complex(real, seed, options):
    rng = np.random.default_rng(seed)
    imag = rng.standard_normal(real.shape) * 10.0 ** rng.integers(-6, 6)
    precision = np.complex128 if real.dtype == np.float64 else np.complex64
    with np.errstate(over="ignore", invalid="ignore"):
        array = (real.astype(np.float64) + 1j * imag).astype(precision)
    try:
        set_both(**options)
        assert_same_text(*make_pair(array))
    finally:
        set_both(profile="default")


@given(array=float_arrays(), axes_seed=st.integers(0, 1000), step=st.integers(1, 3))
def test_hypothesis_strided_views(array, axes_seed, step):
    # from_numpy keeps NumPy's strides in both libraries, so the printed tensor is a
    # permuted, stepped view of the buffer
    order = np.random.default_rng(axes_seed).permutation(array.ndim)
    view = np.asarray(np.transpose(array, order)[(slice(None, None, step),) * array.ndim])
    theirs = torch.from_numpy(view)
    mine = ember.from_numpy(view)
    assert mine.stride() == theirs.stride()
    assert_same_text(mine, theirs)
