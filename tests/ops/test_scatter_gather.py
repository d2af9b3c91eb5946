"""Index-driven data movement (gather ... put) against torch: values, dtypes, grad_fn names
and gradients, in-place variants; finite differences in float64; hypothesis over shapes,
dims and random in-bounds indices; PyTorch's errors."""

import numpy as np
import pytest
from hypothesis import given, strategies as st
from hypothesis.extra import numpy as hnp

import ember
from oracle import (Input, check, check_double_backward, check_error, check_in_dtypes,
                    finite_differences, grad_input, run_script_both_ways)
# both libraries announce index_reduce as beta; the warning itself is not under test
pytestmark = pytest.mark.filterwarnings("ignore:index_reduce\\(\\) is in beta")

RNG = np.random.default_rng(7)
A = RNG.standard_normal((3, 4))
B = RNG.standard_normal((2, 4))
D = RNG.standard_normal((2, 3, 4))
S = np.array(0.75)
# per column, no position repeats: plain scatter writes are then order independent
UNIQUE = np.array([[0, 1, 2, 0], [2, 0, 1, 1]])
REPEATED = np.array([[0, 0, 2, 0], [0, 1, 2, 0]])
COLUMNS = np.array([[3, 0, 1], [2, 2, 0]])
ROWS = np.array([2, 0, 2, 1])
ZEROS_AT = np.where(np.abs(A) < 0.5, 0.0, A)

# (id, function(lib, *differentiable, *fixed), differentiable arrays, fixed arrays)
OPS = [
    ("gather", lambda lib, x, i: lib.gather(x, 0, i), (A,), (UNIQUE,)),
    ("gather_smaller_index", lambda lib, x, i: x.gather(1, i), (A,), (COLUMNS,)),
    ("gather_negative_dim", lambda lib, x, i: x.gather(-2, i), (A,), (REPEATED,)),
    ("gather_int32", lambda lib, x, i: x.gather(0, i), (A,), (REPEATED.astype(np.int32),)),
    ("gather_scalar", lambda lib, x, i: x.gather(0, i), (S,), (np.array(0),)),
    ("scatter", lambda lib, x, s, i: lib.scatter(x, 0, i, s), (A, B), (UNIQUE,)),
    ("scatter_value", lambda lib, x, i: x.scatter(0, i, 2.5), (A,), (REPEATED,)),
    ("scatter_value_keyword", lambda lib, x, i: lib.scatter(x, 1, i, value=-1.0), (A,),
     (COLUMNS,)),
    ("scatter_", lambda lib, x, s, i: (x * 1).scatter_(0, i, s), (A, B), (UNIQUE,)),
    ("scatter_add", lambda lib, x, s, i: lib.scatter_add(x, 0, i, s), (A, B), (REPEATED,)),
    ("scatter_add_dim1", lambda lib, x, s, i: x.scatter_add(1, i, s), (A, B[:, :3]),
     (COLUMNS,)),
    ("scatter_add_", lambda lib, x, s, i: (x * 1).scatter_add_(0, i, s), (A, B), (REPEATED,)),
    ("scatter_reduce_sum", lambda lib, x, s, i: x.scatter_reduce(0, i, s, "sum"), (A, B),
     (REPEATED,)),
    ("scatter_reduce_sum_exclusive",
     lambda lib, x, s, i: lib.scatter_reduce(x, 0, i, s, "sum", include_self=False), (A, B),
     (REPEATED,)),
    ("scatter_reduce_mean", lambda lib, x, s, i: x.scatter_reduce(0, i, s, "mean"), (A, B),
     (REPEATED,)),
    ("scatter_reduce_mean_exclusive",
     lambda lib, x, s, i: x.scatter_reduce(0, i, s, "mean", include_self=False), (A, B),
     (REPEATED,)),
    ("scatter_reduce_prod", lambda lib, x, s, i: x.scatter_reduce(0, i, s, "prod"), (A, B),
     (REPEATED,)),
    ("scatter_reduce_prod_exclusive",
     lambda lib, x, s, i: x.scatter_reduce(0, i, s, "prod", include_self=False), (A, B),
     (REPEATED,)),
    ("scatter_reduce_amax", lambda lib, x, s, i: x.scatter_reduce(0, i, s, "amax"), (A, B),
     (REPEATED,)),
    ("scatter_reduce_amin_exclusive",
     lambda lib, x, s, i: x.scatter_reduce(1, i, s, "amin", include_self=False),
     (A, B[:, :3]), (COLUMNS,)),
    ("scatter_reduce_", lambda lib, x, s, i: (x * 1).scatter_reduce_(0, i, s, "amax"),
     (A, B), (REPEATED,)),
    ("index_select", lambda lib, x, i: lib.index_select(x, 0, i), (A,), (ROWS,)),
    ("index_select_dim1", lambda lib, x, i: x.index_select(-1, i), (D,), (ROWS[:3],)),
    ("index_select_scalar_index", lambda lib, x, i: x.index_select(1, i), (A,),
     (np.array(3),)),
    ("index_select_int32", lambda lib, x, i: x.index_select(0, i), (A,),
     (ROWS.astype(np.int32),)),
    ("index_add", lambda lib, x, s, i: lib.index_add(x, 0, i, s), (A, A[[0, 1, 2, 0]]),
     (ROWS,)),
    ("index_add_alpha", lambda lib, x, s, i: x.index_add(1, i, s, alpha=-2.5), (A, A),
     (ROWS,)),
    ("index_add_", lambda lib, x, s, i: (x * 1).index_add_(2, i, s), (D, D[:, :, :3]),
     (ROWS[:3],)),
    ("index_reduce_prod", lambda lib, x, s, i: lib.index_reduce(x, 0, i, s, "prod"),
     (A, A[[0, 1, 2, 0]]), (ROWS,)),
    ("index_reduce_mean_exclusive",
     lambda lib, x, s, i: x.index_reduce(1, i, s, "mean", include_self=False), (A, A), (ROWS,)),
    ("index_reduce_amax", lambda lib, x, s, i: x.index_reduce(0, i, s, "amax"), (A, B),
     (ROWS[:2],)),
    ("index_reduce_amin_", lambda lib, x, s, i: (x * 1).index_reduce_(2, i, s, "amin"),
     (D, D[:, :, :3]), (ROWS[:3],)),
    ("index_copy", lambda lib, x, s, i: lib.index_copy(x, 1, i, s), (A, A[:, :2]),
     (np.array([3, 0]),)),
    ("index_copy_", lambda lib, x, s, i: (x * 1).index_copy_(0, i, s), (D, D[:1]),
     (np.array([1]),)),
    ("index_fill", lambda lib, x, i: lib.index_fill(x, 1, i, -1.5), (A,), (ROWS,)),
    ("index_fill_negative", lambda lib, x, i: x.index_fill(0, i, 2), (A,), (np.array([-1]),)),
    ("index_fill_tensor", lambda lib, x, v, i: x.index_fill(1, i, v), (A, S), (ROWS[:2],)),
    ("index_fill_", lambda lib, x, v, i: (x * 1).index_fill_(1, i, v), (D, S), (ROWS[:1],)),
    ("take", lambda lib, x, i: lib.take(x, i), (A,), (np.array([[0, 11], [-1, 5]]),)),
    ("take_repeated", lambda lib, x, i: x.take(i), (D,), (np.array([3, 3, -24, 23]),)),
    ("take_along_dim", lambda lib, x, i: lib.take_along_dim(x, i, 0), (A,), (REPEATED,)),
    ("take_along_dim_broadcast", lambda lib, x, i: x.take_along_dim(i, 1), (A,),
     (COLUMNS[:1],)),
    ("take_along_dim_flat", lambda lib, x, i: x.take_along_dim(i), (A,), (ROWS,)),
    ("put", lambda lib, x, s, i: lib.put(x, i, s), (A, B[0, :3]), (np.array([0, -1, 5]),)),
    ("put_accumulate", lambda lib, x, s, i: x.put(i, s, accumulate=True), (A, B[:, :2]),
     (np.array([[1, 1], [-11, 7]]),)),
    ("put_", lambda lib, x, s, i: (x * 1).put_(i, s), (A, B[0, :2]), (np.array([4, 2]),)),
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


def test_scatter_reduce_prod_with_zeros():
    """The product's derivative must not divide by the zero factors (one or several)."""
    source = np.array([[0.0, 2.0, 0.0, 1.5], [0.0, -1.0, 3.0, 0.0]])
    for include_self in (True, False):
        def reduced(lib, x, s, i):
            return x.scatter_reduce(0, i, s, "prod", include_self=include_self)
        check(reduced, grad_input(ZEROS_AT), grad_input(source), Input(REPEATED))


def test_second_order():
    def second(lib, x, s, i, rows):
        y = x.gather(0, i) * s + x.index_select(0, rows)[:2]
        z = x.scatter_add(0, i, y * s).index_add(1, rows, x) * x
        (g,) = lib.autograd.grad(z.sum(), x, create_graph=True)
        return (g * g).sum() + (x.take(i) * g.take(i)).sum()
    check(second, grad_input(A), grad_input(B), Input(REPEATED), Input(ROWS))


# the once-per-process deprecation warning is compared with torch's in a fresh process below
@pytest.mark.filterwarnings("ignore:The reduce argument of torch.scatter")
def test_scatter_with_reduce_argument():
    """reduce= has no derivative in PyTorch: the node is named NotImplemented."""
    def reduced(lib, x, s, i):
        return [x.scatter(0, i, s, reduce="add"), x.scatter(0, i, 2.0, reduce="multiply"),
                x.scatter(0, i, s, reduce="multiply"), (x * 1).scatter_(0, i, 3.0, reduce="add")]
    check(reduced, Input(A), Input(B), Input(REPEATED))
    check(reduced, grad_input(A), Input(B), Input(REPEATED), grad=False)

    def backward(lib, x, s, i):
        x.scatter(0, i, s, reduce="add").sum().backward()
    check_error(backward, grad_input(A), Input(B), Input(REPEATED))


def test_inplace_without_graph_writes_through_views():
    def written(lib, x, s, i):
        view = x[1:]
        results = [view.scatter_(0, i[:, :2], s[:, :2]), view.index_fill_(1, i[0, :2], 7.0),
                   x.index_add_(0, i[:, 0], s), x.put_(i[0], s[0], accumulate=True),
                   x.scatter_reduce_(0, i, s, "mean", include_self=False),
                   x.index_copy_(1, lib.tensor([2, 0]), s[:, :2].t().contiguous().t()[:1]
                                 .expand(3, 2).contiguous())]
        return [x, x._version, view._version] + [r is x or r is view for r in results]
    check(written, Input(A), Input(np.round(B, 2)), Input(np.array([[0, 1, 1, 0], [1, 0, 0, 1]])))


def test_inplace_leaf_and_dtype_errors_leave_target_unchanged():
    def leaf(lib, x, s, i):
        x.scatter_(0, i, s)
    check_error(leaf, grad_input(A), Input(B), Input(UNIQUE))
    for function in (lambda lib, x, s, i: x.scatter_(0, i, s.double()),
                     lambda lib, x, s, i: x.index_add_(0, i[0], s.double()),
                     lambda lib, x, s, i: x.put_(i[0] + 20, s[0])):
        x = ember.tensor(A.astype(np.float32))
        check_error(function, Input(A.astype(np.float32)), Input(B.astype(np.float32)),
                    Input(UNIQUE))
        with pytest.raises(Exception):
            function(ember, x, ember.tensor(B.astype(np.float32)), ember.tensor(UNIQUE))
        np.testing.assert_array_equal(x.numpy(), A.astype(np.float32))
        assert x._version == 0


def test_out_arguments_and_empty_inputs():
    def into(lib, x, i, rows):
        out = lib.zeros(0)
        return [lib.gather(x, 0, i, out=out), out,
                lib.index_select(x, 0, rows, out=lib.zeros(4, 4)),
                lib.take(x, i, out=lib.zeros(2, 4)),
                lib.take_along_dim(x, i, 0, out=lib.zeros(0)),
                x.gather(0, i[:0]), x.gather(0, lib.zeros(0, 9, dtype=lib.long)),
                x.index_select(0, rows[:0]), x.take(i[:0]), x.scatter(0, i[:0], 1.0),
                x.index_add(0, rows[:0], x[:0]), x.put(rows[:0], x[0, :0])]
    check(into, Input(A.astype(np.float32)), Input(REPEATED), Input(ROWS))
    check_error(lambda lib, x, i: lib.gather(x, 0, i, out=lib.zeros(0)), grad_input(A),
                Input(REPEATED))
    check_error(lambda lib, x, i: lib.take(x, i, out=lib.zeros(0)), grad_input(A),
                Input(REPEATED))


@pytest.mark.parametrize("dtype", ["float16", "int32", "uint8", "int8", "bool", "complex64"])
def test_dtypes(dtype):
    values = Input((A * 4).astype(dtype))
    source = Input((B * 4).astype(dtype))

    def moved(lib, x, s, i, rows):
        results = [x.gather(0, i), x.scatter(0, i, s), x.index_select(1, rows), x.take(i),
                   x.index_fill(0, rows[:1], 1), x.index_copy(0, rows[:2].flip(0).unique(),
                                                              x[:2]),
                   x.put(rows, s[0])]
        if dtype != "bool":
            results += [x.scatter_add(0, i, s), x.index_add(0, rows, s[[0, 1, 0, 1]])]
        return results
    check(moved, values, source, Input(REPEATED), Input(ROWS))


def test_index_reduce_with_zeros_and_integers():
    source = np.array([[0.0, 2.0, 0.0, 1.5], [0.0, -1.0, 3.0, 0.0]])
    for include_self in (True, False):
        check(lambda lib, x, s, i: x.index_reduce(0, i, s, "prod", include_self=include_self),
              grad_input(ZEROS_AT), grad_input(source), Input(np.array([1, 1])))
    check(lambda lib, x, s, i: [x.index_reduce(0, i, s, how, include_self=flag)
                                for how in ("prod", "mean", "amax", "amin")
                                for flag in (True, False)],
          Input(np.arange(-6, 6).reshape(3, 4)), Input(np.arange(8).reshape(2, 4) - 5),
          Input(np.array([2, 2])))


def test_scatter_reduce_integers():
    """Integer means floor, as PyTorch's kernel divides with rounding_mode='floor'."""
    def reduced(lib, x, s, i):
        return [x.scatter_reduce(0, i, s, how, include_self=flag)
                for how in ("sum", "prod", "mean", "amax", "amin") for flag in (True, False)]
    check(reduced, Input(np.arange(-6, 6).reshape(3, 4)), Input(np.arange(8).reshape(2, 4) - 5),
          Input(REPEATED))


ERRORS = [
    ("gather_out_of_bounds", lambda lib, x, i: x.gather(0, i + 3)),
    ("gather_negative", lambda lib, x, i: x.gather(0, i - 1)),
    ("gather_float_index", lambda lib, x, i: x.gather(0, i.float())),
    ("gather_int16_index", lambda lib, x, i: x.gather(0, i.short())),
    ("gather_ndim", lambda lib, x, i: x.gather(0, i[0])),
    ("gather_size", lambda lib, x, i: x.gather(0, lib.zeros(2, 5, dtype=lib.long))),
    ("gather_dim", lambda lib, x, i: x.gather(2, i)),
    ("scatter_out_of_bounds", lambda lib, x, i: x.scatter(0, i + 1, 1.0)),
    ("scatter_negative", lambda lib, x, i: x.scatter(0, i - 1, 1.0)),
    ("scatter_src_size", lambda lib, x, i: x.scatter(0, i, x[:1])),
    ("scatter_index_size", lambda lib, x, i: x.scatter(0, lib.zeros(2, 5, dtype=lib.long),
                                                       lib.ones(2, 5))),
    ("scatter_value_index_size",
     lambda lib, x, i: x.scatter(0, lib.zeros(2, 5, dtype=lib.long), 1.0)),
    ("scatter_src_dtype", lambda lib, x, i: x.scatter(0, i, x.double())),
    ("scatter_index_dtype", lambda lib, x, i: x.scatter(0, i.float(), 1.0)),
    ("scatter_bad_reduce", lambda lib, x, i: x.scatter(0, i, 1.0, reduce="sum")),
    ("scatter_ndim", lambda lib, x, i: x.scatter(0, i[0], 1.0)),
    ("scatter_src_ndim", lambda lib, x, i: x.scatter(0, i[:1, :1], x[0])),
    ("scatter_dim", lambda lib, x, i: x.scatter(3, i, 1.0)),
    ("scatter_add_dtype", lambda lib, x, i: x.scatter_add(0, i, x.double())),
    ("scatter_add_out_of_bounds", lambda lib, x, i: x.scatter_add(0, i + 1, x)),
    ("scatter_add_index_dtype", lambda lib, x, i: x.scatter_add(0, i.float(), x)),
    ("scatter_reduce_bad", lambda lib, x, i: x.scatter_reduce(0, i, x, "add")),
    ("scatter_reduce_out_of_bounds", lambda lib, x, i: x.scatter_reduce(0, i + 3, x, "sum")),
    ("scatter_reduce_dtype", lambda lib, x, i: x.scatter_reduce(0, i, x.double(), "amax")),
    ("index_select_out_of_bounds", lambda lib, x, i: x.index_select(0, lib.tensor([5]))),
    ("index_select_negative", lambda lib, x, i: x.index_select(0, lib.tensor([-1]))),
    ("index_select_2d", lambda lib, x, i: x.index_select(0, i)),
    ("index_select_float", lambda lib, x, i: x.index_select(0, lib.tensor([0.0]))),
    ("index_select_2d_float", lambda lib, x, i: x.index_select(0, i.float())),
    ("index_select_scalar_input", lambda lib, x, i: x[0, 0].index_select(0, i[0])),
    ("index_select_dim", lambda lib, x, i: x.index_select(5, i[0])),
    ("index_add_out_of_bounds", lambda lib, x, i: x.index_add(0, lib.tensor([5]), x[:1])),
    ("index_add_negative", lambda lib, x, i: x.index_add(0, lib.tensor([-1]), x[:1])),
    ("index_add_count", lambda lib, x, i: x.index_add(0, lib.tensor([0]), x[:2])),
    ("index_add_slice_shape", lambda lib, x, i: x.index_add(0, lib.tensor([0]), x[:1, :3])),
    ("index_add_dtype", lambda lib, x, i: x.index_add(0, lib.tensor([0]), x[:1].double())),
    ("index_add_float_index", lambda lib, x, i: x.index_add(0, lib.tensor([0.0]), x[:1])),
    ("index_add_2d_index", lambda lib, x, i: x.index_add(0, lib.tensor([[0]]), x[:1])),
    ("index_add_source_dim", lambda lib, x, i: x.index_add(1, lib.tensor([0]), x[0, :1])),
    ("index_reduce_bad", lambda lib, x, i: x.index_reduce(0, i[0, :2], x[:2], "sum")),
    ("index_reduce_out_of_bounds", lambda lib, x, i: x.index_reduce(0, i[0, :2] + 5, x[:2],
                                                                    "prod")),
    ("index_reduce_negative", lambda lib, x, i: x.index_reduce(0, i[0, :2] - 1, x[:2], "amax")),
    ("index_reduce_float_index", lambda lib, x, i: x.index_reduce(0, i[0].float(), x, "mean")),
    ("index_reduce_2d_index", lambda lib, x, i: x.index_reduce(0, i[:, :2], x[:2], "mean")),
    ("index_reduce_dtype", lambda lib, x, i: x.index_reduce(0, i[0, :2], x[:2].double(),
                                                            "amin")),
    ("index_reduce_slice_shape", lambda lib, x, i: x.index_reduce(0, i[0, :2], x[:2, :3],
                                                                  "prod")),
    ("index_reduce_count", lambda lib, x, i: x.index_reduce(0, i[0, :1], x[:2], "prod")),
    ("index_reduce_dim", lambda lib, x, i: x.index_reduce(3, i[0, :2], x[:2], "prod")),
    ("index_reduce_source_dim", lambda lib, x, i: x.index_reduce(1, i[0, :1], x[0, :1],
                                                                 "prod")),
    ("index_copy_out_of_bounds", lambda lib, x, i: x.index_copy(0, lib.tensor([5]), x[:1])),
    ("index_copy_negative", lambda lib, x, i: x.index_copy(0, lib.tensor([-1]), x[:1])),
    ("index_copy_count", lambda lib, x, i: x.index_copy(0, lib.tensor([0]), x[:2])),
    ("index_copy_dtype", lambda lib, x, i: x.index_copy(0, lib.tensor([0]), x[:1].double())),
    ("index_copy_int32_index",
     lambda lib, x, i: x.index_copy(0, lib.tensor([0], dtype=lib.int32), x[:1])),
    ("index_copy_2d_index", lambda lib, x, i: x.index_copy(0, lib.tensor([[0]]), x[:1])),
    ("index_copy_slice_shape", lambda lib, x, i: x.index_copy(0, lib.tensor([0]), x[:1, :3])),
    ("index_copy_ndim", lambda lib, x, i: x.index_copy(0, lib.tensor([0]), x[0])),
    ("index_copy_scalar_source", lambda lib, x, i: x.index_copy(0, i[0, :2], x[0, 0])),
    ("index_fill_out_of_bounds", lambda lib, x, i: x.index_fill(0, lib.tensor([5]), 1.0)),
    ("index_fill_negative", lambda lib, x, i: x.index_fill(0, lib.tensor([-4]), 1.0)),
    ("index_fill_float_index", lambda lib, x, i: x.index_fill(0, lib.tensor([0.0]), 1.0)),
    ("index_fill_int32_index", lambda lib, x, i: x.index_fill(0, i[0].int(), 1.0)),
    ("index_fill_2d_index", lambda lib, x, i: x.index_fill(0, i, 1.0)),
    ("index_fill_value_dim", lambda lib, x, i: x.index_fill(0, i[0], lib.ones(2))),
    ("index_fill_dim", lambda lib, x, i: x.index_fill(5, i[0], 1.0)),
    ("take_out_of_bounds", lambda lib, x, i: x.take(lib.tensor([12]))),
    ("take_negative_out_of_bounds", lambda lib, x, i: x.take(lib.tensor([-13]))),
    ("take_float_index", lambda lib, x, i: x.take(i.float())),
    ("take_int32_index", lambda lib, x, i: x.take(i.int())),
    ("take_along_dim_ndim", lambda lib, x, i: x.take_along_dim(i[0], 0)),
    ("take_along_dim_float", lambda lib, x, i: x.take_along_dim(i.float(), 0)),
    ("take_along_dim_int32", lambda lib, x, i: x.take_along_dim(i.int(), 1)),
    ("take_along_dim_flat_float", lambda lib, x, i: x.take_along_dim(i.float())),
    ("take_along_dim_broadcast", lambda lib, x, i: x.take_along_dim(lib.tensor([[0], [1]]), 1)),
    ("put_out_of_bounds", lambda lib, x, i: x.put(lib.tensor([12]), x[0, :1])),
    ("put_count", lambda lib, x, i: x.put(lib.tensor([1]), x[0, :2])),
    ("put_dtype", lambda lib, x, i: x.put(lib.tensor([1]), x[0, :1].double())),
    ("put_int32_index", lambda lib, x, i: x.put(lib.tensor([1], dtype=lib.int32), x[0, :1])),
]


@pytest.mark.parametrize("function", [row[1] for row in ERRORS], ids=[row[0] for row in ERRORS])
def test_errors(function):
    check_error(function, Input(A.astype(np.float32)), Input(UNIQUE))


@given(hnp.array_shapes(min_dims=1, max_dims=3, max_side=4), st.integers(0, 2),
       st.sampled_from(["float64", "float32", "int64"]), st.booleans(), st.data())
def test_hypothesis_random_indices(shape, dim, dtype, transposed, data):
    dim = dim % len(shape)
    array = (RNG.standard_normal(shape) * 3).astype(dtype)
    differentiable = dtype != "int64"
    extent = shape[dim]
    index_shape = tuple(data.draw(st.integers(0 if axis == dim else 1, extent if axis == dim
                                              else side)) for axis, side in enumerate(shape))
    index = RNG.integers(0, extent, index_shape)
    rows = RNG.integers(0, extent, data.draw(st.integers(0, 5)))
    source_shape = list(shape)
    source_shape[dim] = rows.size
    source = (RNG.standard_normal(source_shape) * 3).astype(dtype)
    flat = RNG.integers(-array.size, array.size, data.draw(st.integers(0, 5)))

    def moved(lib, x, src, i, r, f):
        if transposed:
            x = (x.transpose(0, -1) * 1).transpose(0, -1)
        results = [x.gather(dim, i), x.index_select(dim, r), x.index_add(dim, r, src),
                   x.take(f), x.scatter_add(dim, i, x.gather(dim, i) * 2)]
        if all(extent == side for axis, (extent, side) in enumerate(zip(index_shape, shape))
               if axis != dim):
            results.append(x.take_along_dim(i, dim))
        if dtype != "int64":
            results.append(x.scatter_reduce(dim, i, x.gather(dim, i), "mean"))
        return results
    check(moved, Input(array, differentiable), Input(source, differentiable), Input(index),
          Input(rows), Input(flat))


def test_deprecation_and_beta_warnings_print_as_torch_once_per_process(tmp_path):
    # both are C++ TORCH_WARN_ONCE warnings in torch: their text carries the "Triggered
    # internally" suffix, and a second call is silent; fresh processes keep the once-only
    # state of other tests out
    script = tmp_path / "scatter_warnings.py"
    script.write_text(
        "import torch\n"
        "for _ in range(2):\n"
        "    torch.zeros(3).scatter_(0, torch.tensor([0, 2]), torch.ones(2), reduce='add')\n"
        "    torch.zeros(3).index_reduce_(0, torch.tensor([0]), torch.ones(1), 'amin')\n")
    mine, theirs = run_script_both_ways(script)
    assert mine.stderr == theirs.stderr
