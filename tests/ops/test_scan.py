"""Scans (cumsum, cumprod, cummax, cummin) against torch, by finite differences and with
hypothesis over shapes, dims, dtypes and layouts."""
import numpy as np
import pytest
from hypothesis import given, strategies as st
from hypothesis.extra import numpy as hnp

import ember
from oracle import Input, check, check_error, finite_differences, grad_input

RNG = np.random.default_rng(3)
A = RNG.standard_normal((3, 4))
B = RNG.standard_normal((2, 3, 4))
WITH_ZEROS = np.array([[1.5, 0.0, 2.0, -1.0, 0.5], [0.0, 0.0, 3.0, 2.0, 1.0],
                       [1.0, 2.0, 0.5, 3.0, 0.0]])
TIES = np.array([[3.0, 3.0, 1.0, 3.0, 4.0], [1.0, 1.0, 2.0, 1.0, 0.0]])
WITH_NAN = np.array([[1.0, 3.0, np.nan, 3.0, 4.0], [np.nan, 1.0, np.nan, 0.0, 5.0]])

OPS = [
    ("cumsum", lambda lib, x: x.cumsum(1), B, True),
    ("cumsum_negative_dim", lambda lib, x: lib.cumsum(x, -3), B, True),
    ("cumsum_dtype", lambda lib, x: lib.cumsum(x, 0, dtype=lib.float32), A, True),
    ("cumprod", lambda lib, x: lib.cumprod(x, 1), A, True),
    ("cumprod_dim0", lambda lib, x: x.cumprod(0), B, True),
    ("cumprod_zeros", lambda lib, x: x.cumprod(1), WITH_ZEROS, True),
    ("cummax", lambda lib, x: x.cummax(1), B, True),
    ("cummax_ties", lambda lib, x: lib.cummax(x, 1), TIES, True),
    ("cummin", lambda lib, x: lib.cummin(x, 0), B, True),
    ("cummin_ties", lambda lib, x: x.cummin(-1), TIES, True),
    ("cummax_nan", lambda lib, x: x.cummax(1), WITH_NAN, True),
    ("cummin_nan", lambda lib, x: x.cummin(1), WITH_NAN, True),
]



def test_every_op_has_a_row():
    # ops without a row in OPS are covered by their own tests, named here
    dedicated = ("logcumsumexp",)  # tests/ops/test_logcumsumexp.py
    for name in ember.ops.scan.__all__:
        assert name in dedicated or any(row[0] == name or row[0].startswith(name + "_")
                                        for row in OPS), f"{name} has no row in OPS"

@pytest.mark.parametrize("function, array, differentiable",
                         [row[1:] for row in OPS], ids=[row[0] for row in OPS])
def test_op_matches_torch(function, array, differentiable):
    check(function, Input(array, requires_grad=differentiable))
    check(function, Input(array.astype(np.float32), requires_grad=differentiable))


SMOOTH = [row for row in OPS if "nan" not in row[0] and "ties" not in row[0]
          and "dtype" not in row[0]]


@pytest.mark.parametrize("function, array", [(row[1], row[2]) for row in SMOOTH],
                         ids=[row[0] for row in SMOOTH])
def test_finite_differences(function, array):
    def values(x):
        result = function(ember, x)
        return result[0] if isinstance(result, tuple) else result
    finite_differences(values, array)


def test_cumprod_second_order_with_zeros():
    def second(lib, x):
        (g,) = lib.autograd.grad((x.cumprod(1) * x).sum(), x, create_graph=True)
        return g.pow(2).sum()
    check(second, grad_input(WITH_ZEROS[:, :4]))
    check(second, grad_input(A))


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8", "bool", "float16"])
def test_dtypes(dtype):
    array = Input((np.arange(12) % 3).reshape(3, 4).astype(dtype))
    check(lambda lib, x: [x.cumsum(1), x.cumprod(0), x.cummax(1), x.cummin(0),
                          x.cumsum(0, dtype=lib.int8)], array)


def test_in_place_and_out():
    def run(lib, x):
        y = x.clone()
        y.cumsum_(0)
        z = x.clone()
        z.cumprod_(1)
        out = lib.empty(0)
        lib.cumsum(x, 1, out=out)
        return [y, z, out]
    check(run, Input(A))


def test_scalar_and_empty():
    check(lambda lib, x: [x.cumsum(0), x.cumprod(-1), x.cummax(0), x.cummin(0)],
          grad_input(np.array(1.5)))
    check(lambda lib, x: [x.cumsum(0), x.cumprod(1), x.cummax(0), x.cummin(1)],
          Input(np.zeros((0, 3))))


@pytest.mark.parametrize("function", [
    lambda lib, x: x.cumsum(2), lambda lib, x: lib.cumprod(x, -3),
    lambda lib, x: x.cummax(5), lambda lib, x: lib.cummin(x, 2),
])
def test_bad_dims(function):
    check_error(function, Input(A))


@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=5),
                  elements=st.integers(-3, 3).map(float)),
       st.integers(0, 2), st.booleans())
def test_hypothesis_scans(array, dim, transposed):
    dim = dim % array.ndim

    def scans(lib, x):
        if transposed:
            x = x.transpose(0, -1)
        return [x.cumsum(dim), x.cumprod(dim), x.cummax(dim), x.cummin(-1 - dim % x.dim())]
    check(scans, grad_input(array))


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32", "complex64"])
@pytest.mark.parametrize("op", ["cumsum", "cumprod"])
def test_scans_accumulate_in_a_wider_type(op, dtype):
    # torch accumulates float16/bfloat16 in float32 and float32/complex64 in double: a long
    # scan rounded at every step in the tensor's own dtype drifts visibly from torch's
    rng = np.random.default_rng(0)
    array = rng.standard_normal(2000) if op == "cumsum" else rng.uniform(0.9, 1.1, 300)
    if dtype == "complex64":
        array = array * np.exp(0.3j)
    check(lambda lib, x: getattr(x.to(getattr(lib, dtype)), op)(0), Input(array.copy()),
          atol=0, rtol=0)
    if dtype != "complex64":
        check(lambda lib, x: x.reshape(20, -1).to(getattr(lib, dtype)).cumsum(1, dtype=lib.float32),
              Input(array.copy()), atol=0, rtol=0)
