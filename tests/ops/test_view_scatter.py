"""select_scatter, slice_scatter and diagonal_scatter against torch (values, dtypes, layouts,
grad_fn names, gradients), by finite differences, with hypothesis, and PyTorch's errors."""
import numpy as np
import pytest
from hypothesis import given, strategies as st
from hypothesis.extra import numpy as hnp

import ember
from oracle import (check, check_double_backward, check_error, check_in_dtypes,
                    finite_differences, grad_input, Input)
RNG = np.random.default_rng(13)
A = RNG.standard_normal((3, 4))
D = RNG.standard_normal((2, 3, 4))

# (id, function(lib, input, src), input, src)
OPS = [
    ("select_scatter", lambda lib, x, s: lib.select_scatter(x, s, 0, 1), A, A[0]),
    ("select_scatter_negative", lambda lib, x, s: x.select_scatter(s, -1, -2), D, D[:, :, 0]),
    ("slice_scatter", lambda lib, x, s: lib.slice_scatter(x, s, 0, 0, 2), A, A[1:]),
    ("slice_scatter_step", lambda lib, x, s: x.slice_scatter(s, 1, step=2), A, A[:, :2]),
    ("slice_scatter_defaults", lambda lib, x, s: lib.slice_scatter(x, s), D, D[::-1].copy()),
    ("slice_scatter_negative_start", lambda lib, x, s: x.slice_scatter(s, -1, -3, None), D,
     D[:, :, :3]),
    ("slice_scatter_clamped_end", lambda lib, x, s: x.slice_scatter(s, 1, 2, 99), A, A[:, :2]),
    ("diagonal_scatter", lambda lib, x, s: lib.diagonal_scatter(x, s), A, A[0, :3]),
    ("diagonal_scatter_offset", lambda lib, x, s: x.diagonal_scatter(s, 1), A, A[1, :3]),
    ("diagonal_scatter_below", lambda lib, x, s: x.diagonal_scatter(s, -1), A, A[0, :2]),
    ("diagonal_scatter_dims", lambda lib, x, s: x.diagonal_scatter(s, 0, 2, 0), D,
     D[0, :, :2]),
]


@pytest.mark.parametrize("function, array, source", [row[1:] for row in OPS],
                         ids=[row[0] for row in OPS])
def test_op_matches_torch(function, array, source):
    check_in_dtypes(function, (array, source))


@pytest.mark.parametrize("function, array, source", [row[1:] for row in OPS],
                         ids=[row[0] for row in OPS])
def test_finite_differences(function, array, source):
    finite_differences(lambda x, s: function(ember, x, s), array, source)


@pytest.mark.parametrize("function, array, source", [row[1:] for row in OPS],
                         ids=[row[0] for row in OPS])
def test_double_backward(function, array, source):
    check_double_backward(function, (array, source))


def test_second_order_layout_and_casting():
    def second(lib, x, s):
        y = lib.select_scatter(x * x, s * s, 0, 2)
        y = y.slice_scatter(s[:2].reshape(1, 2) * x[:, :2], 1, 1, 3)
        (g,) = lib.autograd.grad(y.diagonal_scatter(s[:3], 1).sum(), x, create_graph=True)
        return (g * g).sum()
    check(second, grad_input(A), grad_input(A[1]))
    def layouts(lib, x, s):
        return [x.t().select_scatter(s[:3], 0, 1), x.t().slice_scatter(s[:3][None], 0, 1, 2),
                x.t().diagonal_scatter(s[:3]), x.select_scatter(s.double(), 0, 0),
                x.select_scatter(s.long(), 0, 0)]
    check(layouts, Input(A.astype(np.float32)), Input(A[0].astype(np.float32)), strides=True)


ERRORS = [
    ("select_scatter_index", lambda lib, x: lib.select_scatter(x, x[0], 0, 5)),
    ("select_scatter_size", lambda lib, x: lib.select_scatter(x, x[0, :3], 0, 1)),
    ("select_scatter_dim", lambda lib, x: lib.select_scatter(x, x[0], 2, 1)),
    ("slice_scatter_size", lambda lib, x: lib.slice_scatter(x, x[:2], 0, 0, 1)),
    ("slice_scatter_step", lambda lib, x: lib.slice_scatter(x, x[:, ::2], 1, step=0)),
    ("slice_scatter_dim", lambda lib, x: lib.slice_scatter(x, x, 2)),
    ("diagonal_scatter_size", lambda lib, x: lib.diagonal_scatter(x, x[0, :2])),
    ("diagonal_scatter_same_dims", lambda lib, x: lib.diagonal_scatter(x, x[0, :3], 0, 0, 0)),
]


@pytest.mark.parametrize("function", [row[1] for row in ERRORS], ids=[row[0] for row in ERRORS])
def test_errors(function):
    check_error(function, Input(A.astype(np.float32)))


@given(hnp.array_shapes(min_dims=2, max_dims=3, max_side=4), st.data())
def test_hypothesis_regions(shape, data):
    ndim = len(shape)
    dim = data.draw(st.integers(-ndim, ndim - 1))
    extent = shape[dim]
    start = data.draw(st.one_of(st.none(), st.integers(-extent - 1, extent + 1)))
    end = data.draw(st.one_of(st.none(), st.integers(-extent - 1, extent + 1)))
    step = data.draw(st.integers(1, 3))
    index = data.draw(st.integers(-extent, extent - 1))
    offset = data.draw(st.integers(-3, 3))
    array = RNG.standard_normal(shape)
    key = (slice(None),) * (dim % ndim) + (slice(start, end, step),)
    sliced = RNG.standard_normal(array[key].shape)
    selected = RNG.standard_normal(np.take(array, index, axis=dim).shape)
    diagonal = RNG.standard_normal(np.diagonal(array, offset, 0, -1).shape)

    def scattered(lib, x, a, b, c):
        return [x.slice_scatter(a, dim, start, end, step), x.select_scatter(b, dim, index),
                x.diagonal_scatter(c, offset, 0, -1)]
    check(scattered, grad_input(array), grad_input(sliced), grad_input(selected),
          grad_input(diagonal))
