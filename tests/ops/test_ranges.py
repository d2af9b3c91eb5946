"""Ranges and grids against torch: arange (torch's length formula, integer truncation, float
steps), linspace, logspace, eye, tril/triu_indices, meshgrid views, and their errors."""
import warnings

import pytest
from hypothesis import given, strategies as st

from oracle import check, check_error

ARANGE_CASES = [
    (5,), (0, 5), (1, 10, 3), (10, 1, -3), (0, 1, 0.1), (1, 2, 0.3), (-1.5, 2.5, 0.5),
    (0.5, 5), (0, 5, 1.5), (2.5,), (0, 2**60, 2**57), (True,), (-3, 3, 7),
]


@pytest.mark.parametrize("args", ARANGE_CASES)
@pytest.mark.parametrize("dtype", [None, "int64", "int32", "uint8", "float16", "bfloat16",
                                   "float32", "float64"])
def test_arange(args, dtype):
    def make(lib):
        if dtype is None:
            return lib.arange(*args)
        return lib.arange(*args, dtype=getattr(lib, dtype))
    if dtype == "uint8" and any(value < 0 for value in args) or (
            dtype in ("float16", "bfloat16", "uint8") and args == (0, 2**60, 2**57)):
        return  # out of the dtype's range: torch's values are unspecified there
    if dtype == "int64" and isinstance(args[-1], float) and len(args) == 3 and args[-1] < 1:
        check_error(make)  # the step truncates to 0 in int64
        return
    check(make)


@given(st.floats(-100, 100), st.floats(-100, 100), st.floats(0.01, 10))
def test_arange_float_steps_match_length_and_values(start, end, step):
    if end < start:
        step = -step
    check(lambda lib: lib.arange(start, end, step))
    check(lambda lib: lib.arange(start, end, step, dtype=lib.float64))


def test_arange_tensor_arguments_and_out():
    check(lambda lib: lib.arange(lib.tensor(3.0)))
    check(lambda lib: lib.arange(lib.tensor(1), 7, lib.tensor(2)))
    with pytest.warns(UserWarning, match="The number of elements in the out tensor of shape"):
        check(lambda lib: lib.arange(0, 10, 3, out=lib.zeros(2)))
    check(lambda lib: lib.arange(0, 10, 3, out=lib.zeros(0)))
    check(lambda lib: lib.arange(4, requires_grad=True, dtype=lib.float32))


@pytest.mark.parametrize("call", [
    lambda lib: lib.arange(1, 0.5),
    lambda lib: lib.arange(0, 1, -0.1),
    lambda lib: lib.arange(0, 1, 0),
    lambda lib: lib.arange(0, 5, 0.5, dtype=lib.int64),
    lambda lib: lib.arange(float("nan")),
    lambda lib: lib.arange(float("inf")),
    lambda lib: lib.arange(0.5, float("-inf"), -1),
    lambda lib: lib.arange(3, dtype=lib.bool),
    lambda lib: lib.arange(2.5, dtype=lib.complex64),
    lambda lib: lib.arange("a"),
    lambda lib: lib.arange(0, 3, "c"),
    lambda lib: lib.arange(0, "b"),
    lambda lib: lib.arange(3, dtype="int"),
    lambda lib: lib.arange(3, device="cuda"),
])
def test_arange_errors(call):
    check_error(call)


LINSPACE_CASES = [(0, 1, 5), (0, 10, 5), (1, 1, 3), (0, 1, 1), (0, 1, 0), (-3, 7, 4),
                  (10, -10, 7), (0.1, 0.7, 13), (1e-3, 1e3, 6)]


@pytest.mark.parametrize("args", LINSPACE_CASES)
@pytest.mark.parametrize("dtype", [None, "int64", "int32", "float16", "float32", "float64",
                                   "complex64"])
def test_linspace(args, dtype):
    def make(lib):
        options = {} if dtype is None else {"dtype": getattr(lib, dtype)}
        return lib.linspace(*args, **options)
    check(make)


def test_linspace_complex_and_tensor_ends():
    check(lambda lib: lib.linspace(1j, 2, 3))
    check(lambda lib: lib.linspace(lib.tensor(0.0), 1, 3))
    check(lambda lib: lib.linspace(0, 1, steps=4, out=lib.zeros(1)))


@pytest.mark.parametrize("args", [(0, 2, 3), (0, 2, 3, 2), (-1, 1, 5, 3.0), (0, 3, 4),
                                  (2, 0, 3, 0.5), (0, 1, 0), (0, 1, 1)])
@pytest.mark.parametrize("dtype", [None, "int64", "float32", "float64"])
def test_logspace(args, dtype):
    def make(lib):
        options = {} if dtype is None else {"dtype": getattr(lib, dtype)}
        return lib.logspace(*args, **options)
    check(make)


@pytest.mark.parametrize("call", [
    lambda lib: lib.linspace(0, 1, -1),
    lambda lib: lib.logspace(0, 2, -1),
    lambda lib: lib.linspace(0, 1, 2.5),
    lambda lib: lib.logspace(0, 1, 2.5),
    lambda lib: lib.linspace(0, 1),
])
def test_linspace_errors(call):
    check_error(call)


@pytest.mark.parametrize("args", [(3,), (2, 3), (3, 2), (0,), (1, 0)])
@pytest.mark.parametrize("dtype", [None, "int64", "bool", "float64"])
def test_eye(args, dtype):
    def make(lib):
        options = {} if dtype is None else {"dtype": getattr(lib, dtype)}
        return lib.eye(*args, **options)
    check(make)
    check(lambda lib: lib.eye(*args, requires_grad=True))


@pytest.mark.parametrize("call", [lambda lib: lib.eye(-1), lambda lib: lib.eye(2, -1)])
def test_eye_errors(call):
    check_error(call)


@pytest.mark.parametrize("name", ["tril_indices", "triu_indices"])
@pytest.mark.parametrize("args", [(3, 3), (3, 4, 1), (4, 3, -1), (0, 0), (1, 5, 10),
                                  (5, 2, -10), (4, 4, 0)])
def test_triangle_indices(name, args):
    check(lambda lib: getattr(lib, name)(*args))
    check(lambda lib: getattr(lib, name)(*args, dtype=lib.int32))


@pytest.mark.parametrize("call", [
    lambda lib: lib.tril_indices(-1, 3),
    lambda lib: lib.triu_indices(3, -2),
    lambda lib: lib.tril_indices(3, 3, dtype=lib.float32),
])
def test_triangle_indices_errors(call):
    check_error(call)


@pytest.mark.parametrize("indexing", ["ij", "xy"])
@pytest.mark.parametrize("lengths", [(2,), (2, 3), (2, 3, 4), (1, 0)])
def test_meshgrid_views(indexing, lengths):
    import numpy as np
    arrays = [np.arange(n, dtype=np.float64) + 10 * position
              for position, n in enumerate(lengths)]
    check(lambda lib, *xs: lib.meshgrid(*xs, indexing=indexing), *arrays, strides=True)
    check(lambda lib, *xs: lib.meshgrid(list(xs), indexing=indexing), *arrays, strides=True)


def test_meshgrid_default_indexing_warns_and_uses_ij():
    import numpy as np
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(lambda lib, a, b: lib.meshgrid(a, b), np.arange(2), np.arange(3))
    import ember
    with pytest.warns(UserWarning, match="indexing argument"):
        ember.meshgrid(ember.arange(2))


def test_meshgrid_of_zero_dim_and_grad():
    import numpy as np
    from oracle import grad_input
    check(lambda lib, a, b: lib.meshgrid(a, b, indexing="ij"), np.array(2.0), np.arange(3.0))
    check(lambda lib, a, b: lib.meshgrid(a, b, indexing="xy"), grad_input(np.arange(2.0)),
          grad_input(np.arange(3.0)))


@pytest.mark.parametrize("call", [
    lambda lib: lib.meshgrid(lib.arange(2), lib.arange(3), indexing="foo"),
    lambda lib: lib.meshgrid(lib.arange(2), lib.arange(3.0), indexing="ij"),
    lambda lib: lib.meshgrid(indexing="ij"),
])
def test_meshgrid_errors(call):
    check_error(call)
