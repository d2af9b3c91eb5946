"""Selecting by mask and searching (masked_fill ... bucketize) against torch: values, dtypes,
grad_fn names and gradients, in-place variants; finite differences in float64; hypothesis
over shapes, masks and sorted boundaries; PyTorch's errors."""
import numpy as np
import pytest
from hypothesis import given, strategies as st
from hypothesis.extra import numpy as hnp

import ember
from oracle import (Input, check, check_double_backward, check_error, check_in_dtypes,
                    finite_differences, grad_input, requires_oracle, torch)

RNG = np.random.default_rng(3)
A = RNG.standard_normal((3, 4))
D = RNG.standard_normal((2, 3, 4))
S = np.array(-0.5)
MASK = RNG.random((3, 4)) > 0.5
ROW_MASK = np.array([True, False, True, True])
WIDE_MASK = RNG.random((2, 3, 4)) > 0.4
SOURCE = RNG.standard_normal(14)

# (id, function(lib, *differentiable, *fixed), differentiable arrays, fixed arrays)
OPS = [
    ("masked_fill", lambda lib, x, m: lib.masked_fill(x, m, 2.5), (A,), (MASK,)),
    ("masked_fill_broadcast_mask", lambda lib, x, m: x.masked_fill(m, -1), (A,), (ROW_MASK,)),
    ("masked_fill_broadcast_input", lambda lib, x, m: x.masked_fill(m, 0.0), (A,),
     (WIDE_MASK,)),
    ("masked_fill_tensor", lambda lib, x, v, m: x.masked_fill(m, v), (A, S), (MASK,)),
    ("masked_fill_tensor_broadcast", lambda lib, x, v, m: x.masked_fill(m, v), (A[0], S),
     (MASK,)),
    ("masked_fill_", lambda lib, x, m: (x * 1).masked_fill_(m, 3.0), (D,), (ROW_MASK,)),
    ("masked_fill_tensor_", lambda lib, x, v, m: (x * 1).masked_fill_(m, v), (A, S), (MASK,)),
    ("masked_scatter", lambda lib, x, s, m: lib.masked_scatter(x, m, s), (A, SOURCE), (MASK,)),
    ("masked_scatter_broadcast", lambda lib, x, s, m: x.masked_scatter(m, s), (A, SOURCE),
     (ROW_MASK,)),
    ("masked_scatter_wide", lambda lib, x, s, m: x.masked_scatter(m, s.repeat(2)), (A, SOURCE),
     (WIDE_MASK,)),
    ("masked_scatter_", lambda lib, x, s, m: (x * 1).masked_scatter_(m, s.reshape(2, 7)),
     (A, SOURCE), (MASK,)),
    ("masked_select", lambda lib, x, m: lib.masked_select(x, m), (A,), (MASK,)),
    ("masked_select_broadcast", lambda lib, x, m: x.masked_select(m), (A,), (WIDE_MASK,)),
    ("masked_select_row", lambda lib, x, m: x.masked_select(m), (D,), (ROW_MASK,)),
]


@pytest.mark.parametrize("function, arrays, fixed", [row[1:] for row in OPS],
                         ids=[row[0] for row in OPS])
def test_op_matches_torch(function, arrays, fixed):
    check_in_dtypes(function, arrays, fixed)


@pytest.mark.parametrize("function, arrays, fixed", [row[1:] for row in OPS],
                         ids=[row[0] for row in OPS])
def test_finite_differences(function, arrays, fixed):
    fixed = [ember.from_numpy(array.copy()) for array in fixed]
    finite_differences(lambda *tensors: function(ember, *tensors, *fixed), *arrays)


@pytest.mark.parametrize("function, arrays, fixed", [row[1:] for row in OPS],
                         ids=[row[0] for row in OPS])
def test_double_backward(function, arrays, fixed):
    check_double_backward(function, arrays, fixed)


def test_second_order():
    def second(lib, x, s, m):
        y = x.masked_fill(m, 1.0) * x.masked_scatter(m, s) + x.masked_select(m).sum()
        (g,) = lib.autograd.grad((y * y).sum(), x, create_graph=True)
        return (g * g * x).sum()
    check(second, grad_input(A), grad_input(SOURCE), Input(MASK))


def test_scalar_inputs():
    def scalars(lib, x, s):
        return [x.masked_fill(lib.tensor(True), 1.0), x.masked_select(lib.tensor(True)),
                x.masked_scatter(lib.tensor(True), s), x.masked_fill(lib.tensor([True, False]),
                                                                     2.0)]
    check(scalars, grad_input(S), grad_input(A[0]))


def test_masked_fill_value_casts_to_input_dtype():
    def filled(lib, x, m, v):
        return [x.masked_fill(m, 2.7), x.masked_fill(m, v), x.masked_fill(m, True),
                x.bool().masked_fill(m, 0), x.half().masked_fill(m, v)]
    check(filled, Input(np.arange(12).reshape(3, 4)), Input(MASK), Input(np.array(-1.9)))


def test_inplace_without_graph_and_layouts():
    def written(lib, x, m, s):
        view = x[:, 1:]
        view.masked_fill_(m[:, 1:], 9.0)
        x.masked_scatter_(m, s)
        results = [x, x._version, view._version]
        t = x.t()
        return results + [t.masked_fill(m.t(), 1.0), t.masked_scatter(m.t(), s),
                          x[:, ::2].masked_select(m[:, ::2])]
    check(written, Input(A), Input(MASK), Input(SOURCE), strides=True)


def test_nonzero_and_argwhere():
    def found(lib, x):
        return [lib.nonzero(x), x.nonzero(as_tuple=True), lib.argwhere(x), x.argwhere(),
                lib.nonzero(x, as_tuple=False), x.t().nonzero(), x[1:, ::2].nonzero()]

    def degenerate(lib, x):
        return [x[0, 0].nonzero(), x[0, 1].nonzero(), x[0, 0].nonzero(as_tuple=True),
                x[0, 1].nonzero(as_tuple=True), x[:0].nonzero(), x[:0].nonzero(as_tuple=True)]
    data = (RNG.random((3, 4)) > 0.5) * RNG.integers(1, 5, (3, 4))
    data[0, :2] = [0, 3]
    check(found, Input(data), strides=True)
    for values in (data, data.astype(bool), data * 0.5):
        check(found, Input(values))
        check(degenerate, Input(values))
    check(lambda lib, x: lib.nonzero(x, out=lib.zeros(0, dtype=lib.long)), Input(data))


def test_searchsorted_and_bucketize():
    boundaries = np.array([1.0, 3.0, 3.0, 5.0, 7.0])
    values = np.array([[0.0, 3.0, 8.0], [5.0, 4.5, 1.0]])

    def searched(lib, b, v):
        return [lib.searchsorted(b, v), lib.searchsorted(b, v, right=True),
                lib.searchsorted(b, v, side="right"), lib.searchsorted(b, v, out_int32=True),
                lib.searchsorted(b, 3), lib.searchsorted(b, 3.5), lib.searchsorted(b, v[0, 1]),
                lib.searchsorted(b, v, right=False, side="right"),
                lib.bucketize(v, b), lib.bucketize(v, b, right=True),
                lib.bucketize(v, b, out_int32=True), lib.bucketize(3, b),
                lib.bucketize(v[0, 1], b), lib.searchsorted(b, v.long()),
                lib.searchsorted(b, v, out=lib.zeros(0, dtype=lib.long))]
    check(searched, Input(boundaries), Input(values))
    check(searched, Input(np.array([1, 3, 3, 5, 7])), Input(values.astype(np.int64)))
    check(lambda lib, b, v: [lib.searchsorted(b, v), lib.searchsorted(b, v, right=True),
                             lib.searchsorted(b[None], v[None]), lib.bucketize(v, b)],
          Input(np.array([1.0, 2.0, 4.0])), Input(np.array([np.nan, 1.5, 2.0, 7.0])))


def test_searchsorted_sorter_and_batches():
    unsorted = np.array([5.0, 1.0, 7.0, 3.0])
    order = np.argsort(unsorted)
    batched = np.sort(RNG.standard_normal((2, 3, 5)), axis=-1)
    values = RNG.standard_normal((2, 3, 4))
    values[0, 0, 0] = batched[0, 0, 2]

    def searched(lib, u, o, b, v):
        return [lib.searchsorted(u, v[0, 0], sorter=o),
                lib.searchsorted(u, v[0, 0], side="right", sorter=o),
                lib.searchsorted(b, v), lib.searchsorted(b, v, right=True),
                lib.searchsorted(b[0], v[0]), lib.searchsorted(b[:, :, :0], v)]
    check(searched, Input(unsorted), Input(order), Input(batched), Input(values))


ERRORS = [
    ("masked_fill_uint8_mask", lambda lib, x, m: x.masked_fill(m.byte(), 1.0)),
    ("masked_fill_long_mask", lambda lib, x, m: x.masked_fill(m.long(), 1.0)),
    ("masked_fill_int_masks", lambda lib, x, m: [x.masked_fill(m.to(d), 1.0) for d in (
        lib.int8, lib.int16, lib.int32, lib.float16, lib.float32, lib.float64,
        lib.complex64)]),
    ("masked_fill_value_dim", lambda lib, x, m: x.masked_fill(m, lib.ones(2))),
    ("masked_fill_broadcast", lambda lib, x, m: x.masked_fill(m[:2], 1.0)),
    ("masked_fill_broadcast_before_dtype", lambda lib, x, m: x.masked_fill(m[:2].byte(), 1.0)),
    ("masked_fill_broadcast_before_value",
     lambda lib, x, m: x.masked_fill(m[:2], lib.ones(2))),
    ("masked_fill_inplace_grows", lambda lib, x, m: x.masked_fill_(m.expand(2, 3, 4), 1.0)),
    ("masked_fill_inplace_dtype_first",
     lambda lib, x, m: x.masked_fill_(m.expand(2, 3, 4).byte(), 1.0)),
    ("masked_fill_inplace_value_first", lambda lib, x, m: x.masked_fill_(m[0].byte(),
                                                                         lib.ones(2))),
    ("masked_scatter_uint8_mask", lambda lib, x, m: x.masked_scatter(m.byte(), x)),
    ("masked_scatter_dtype", lambda lib, x, m: x.masked_scatter(m, x.double())),
    ("masked_scatter_dtype_before_mask", lambda lib, x, m: x.masked_scatter(m.byte(),
                                                                            x.double())),
    ("masked_scatter_broadcast", lambda lib, x, m: x.masked_scatter(m[:2], x)),
    ("masked_scatter_too_few", lambda lib, x, m: x.masked_scatter(m, x[0, :1])),
    ("masked_select_uint8_mask", lambda lib, x, m: x.masked_select(m.byte())),
    ("masked_select_broadcast", lambda lib, x, m: x.masked_select(m[:2])),
    ("masked_fill_leaf", lambda lib, x, m: x.requires_grad_().masked_fill_(m, 1.0)),
    ("searchsorted_side", lambda lib, x, m: lib.searchsorted(x[0].sort().values, x, side="mid")),
    ("searchsorted_opposites",
     lambda lib, x, m: lib.searchsorted(x[0], x, right=True, side="left")),
    ("searchsorted_scalar_boundaries", lambda lib, x, m: lib.searchsorted(x[0, 0], x)),
    ("searchsorted_batch_mismatch", lambda lib, x, m: lib.searchsorted(x, x[:2])),
    ("searchsorted_batch_vector", lambda lib, x, m: lib.searchsorted(x, x[0])),
    ("searchsorted_sorter_dtype",
     lambda lib, x, m: lib.searchsorted(x[0], x, sorter=x[0].argsort().float())),
    ("searchsorted_sorter_size",
     lambda lib, x, m: lib.searchsorted(x[0], x, sorter=x[0].argsort()[:3])),
    ("searchsorted_sorter_range",
     lambda lib, x, m: lib.searchsorted(x[0], x, sorter=x[0].argsort() + 1)),
    ("bucketize_2d_boundaries", lambda lib, x, m: lib.bucketize(x[0], x)),
]


@pytest.mark.parametrize("function", [row[1] for row in ERRORS], ids=[row[0] for row in ERRORS])
@pytest.mark.filterwarnings("ignore:masked_scatter_ received a mask with dtype torch.uint8")
def test_errors(function):
    check_error(function, Input(A.astype(np.float32)), Input(MASK))


@requires_oracle
def test_uint8_mask_deprecation_warning():
    """PyTorch warns that uint8 masks are deprecated before rejecting them."""
    for lib in (ember, torch):
        x = lib.ones(2, 2)
        with pytest.warns(UserWarning, match="received a mask with dtype torch.uint8"):
            with pytest.raises(RuntimeError, match="only supports boolean masks"):
                x.masked_scatter(lib.ones(2, 2, dtype=lib.uint8), x)


def test_failed_inplace_leaves_target_unchanged():
    x = ember.tensor(A)
    for bad in (lambda: x.masked_fill_(ember.tensor(MASK).byte(), 1.0),
                lambda: x.masked_scatter_(ember.tensor(MASK), ember.zeros(2, dtype=ember.float64)),
                lambda: x.masked_fill_(ember.tensor(WIDE_MASK), 1.0)):
        with pytest.raises(RuntimeError):
            bad()
    np.testing.assert_array_equal(x.numpy(), A)
    assert x._version == 0


@given(hnp.array_shapes(min_dims=1, max_dims=3, max_side=4), st.booleans(), st.data())
def test_hypothesis_masks(shape, transposed, data):
    array = RNG.standard_normal(shape)
    mask_shape = data.draw(hnp.broadcastable_shapes(shape, max_dims=len(shape)))
    mask = RNG.random(mask_shape) > 0.5
    size = int(np.prod(np.broadcast_shapes(shape, mask_shape)))
    source = RNG.standard_normal(size)

    def selected(lib, x, m, s):
        if transposed:
            x = (x.transpose(0, -1) * 1).transpose(0, -1)
        return [x.masked_fill(m, 0.5), x.masked_select(m), x.masked_scatter(m, s),
                lib.nonzero(m), m.nonzero(as_tuple=True)]
    check(selected, grad_input(array), Input(mask), grad_input(source))


@given(hnp.array_shapes(min_dims=1, max_dims=3, max_side=5), st.integers(1, 6),
       st.booleans(), st.data())
def test_hypothesis_searchsorted(shape, width, right, data):
    batched = data.draw(st.booleans())
    boundary_shape = shape[:-1] + (width,) if batched else (width,)
    boundaries = np.sort(RNG.integers(-4, 5, boundary_shape), axis=-1).astype(np.float64)
    values = RNG.integers(-5, 6, shape).astype(np.float64)

    def searched(lib, b, v):
        results = [lib.searchsorted(b, v, right=right)]
        if not batched:
            results.append(lib.bucketize(v, b, right=right))
        return results
    check(searched, Input(boundaries), Input(values))
