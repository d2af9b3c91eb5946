"""Joining and rearranging (cat ... atleast_3d) against torch: values, dtypes, grad_fn names
and gradients; finite differences in float64; hypothesis over shapes, dims and dtypes;
PyTorch's errors."""
import numpy as np
import pytest
from hypothesis import given, strategies as st
from hypothesis.extra import numpy as hnp

import ember
from oracle import (check, check_double_backward, check_error, check_in_dtypes,
                    finite_differences, grad_input, Input)
RNG = np.random.default_rng(5)
A = RNG.standard_normal((3, 4))
B = RNG.standard_normal((3, 4))
C = RNG.standard_normal((2, 4))
D = RNG.standard_normal((2, 3, 4))
V = RNG.standard_normal(4)
S = np.array(1.5)

# (id, function(lib, *tensors), arrays): every array is a differentiable input
OPS = [
    ("cat", lambda lib, x, y: lib.cat([x, y]), (A, C)),
    ("cat_dim1", lambda lib, x, y: lib.cat((x, y), 1), (A, B)),
    ("cat_negative_dim", lambda lib, x, y: lib.cat([x, y, x], dim=-1), (A, B)),
    ("cat_single", lambda lib, x: lib.cat([x]), (A,)),
    ("concat", lambda lib, x, y: lib.concat([x, y]), (A, C)),
    ("concatenate", lambda lib, x, y: lib.concatenate([x, y], 1), (A, B)),
    ("stack", lambda lib, x, y: lib.stack([x, y]), (A, B)),
    ("stack_last", lambda lib, x, y: lib.stack([x, y, x], -1), (A, B)),
    ("hstack", lambda lib, x, y: lib.hstack([x, y]), (A, B)),
    ("hstack_1d", lambda lib, x, y: lib.hstack([x, y]), (V, V)),
    ("vstack", lambda lib, x, y: lib.vstack([x, y]), (A, C)),
    ("vstack_1d", lambda lib, x, y: lib.vstack([x, y]), (V, V)),
    ("row_stack", lambda lib, x, y: lib.row_stack([x, y]), (V, A)),
    ("dstack", lambda lib, x, y: lib.dstack([x, y]), (A, B)),
    ("dstack_1d", lambda lib, x, y: lib.dstack([x, y]), (V, V)),
    ("column_stack", lambda lib, x, y: lib.column_stack([x, y, x]), (V, V)),
    ("column_stack_mixed", lambda lib, x, y: lib.column_stack([x, y]), (A[:, 0], A)),
    ("flip", lambda lib, x: lib.flip(x, [0]), (A,)),
    ("flip_dims", lambda lib, x: x.flip((0, -1)), (D,)),
    ("fliplr", lambda lib, x: lib.fliplr(x), (D,)),
    ("flipud", lambda lib, x: x.flipud(), (V,)),
    ("roll", lambda lib, x: lib.roll(x, 1, 0), (A,)),
    ("roll_flat", lambda lib, x: x.roll(5), (A,)),
    ("roll_dims", lambda lib, x: x.roll((1, -2), (0, 2)), (D,)),
    ("roll_large_shift", lambda lib, x: x.roll(-7, 1), (A,)),
    ("rot90", lambda lib, x: lib.rot90(x), (A,)),
    ("rot90_k2", lambda lib, x: x.rot90(2), (A,)),
    ("rot90_k3_dims", lambda lib, x: x.rot90(3, [2, 0]), (D,)),
    ("rot90_negative", lambda lib, x: x.rot90(-1, (1, 0)), (A,)),
    ("rot90_k0", lambda lib, x: x.rot90(0), (A,)),
    ("repeat", lambda lib, x: x.repeat(2, 1), (A,)),
    ("repeat_new_dims", lambda lib, x: x.repeat((2, 1, 3)), (A,)),
    ("repeat_scalar", lambda lib, x: x.repeat(3, 2), (S,)),
    ("tile", lambda lib, x: lib.tile(x, (2,)), (A,)),
    ("tile_more", lambda lib, x: x.tile((2, 1, 2)), (A,)),
    ("tile_spread", lambda lib, x: x.tile(2, 1, 2), (A,)),
    ("tile_one_int", lambda lib, x: x.tile(3), (A,)),
    ("repeat_interleave", lambda lib, x: x.repeat_interleave(2), (A,)),
    ("repeat_interleave_dim", lambda lib, x: lib.repeat_interleave(x, 3, dim=1), (A,)),
    ("repeat_interleave_negative_dim", lambda lib, x: x.repeat_interleave(2, -3), (D,)),
    ("repeat_interleave_scalar", lambda lib, x: x.repeat_interleave(3), (S,)),
    ("split_with_sizes", lambda lib, x: lib.split_with_sizes(x, [1, 0, 2]), (A,)),
    ("split_with_sizes_method", lambda lib, x: x.split_with_sizes((3, 1), -1), (A,)),
    ("broadcast_to", lambda lib, x: lib.broadcast_to(x, (2, 3, 4)), (A,)),
    ("broadcast_to_method", lambda lib, x: x.broadcast_to((3, 2, 4)), (C[:1],)),
    ("broadcast_tensors", lambda lib, x, y: lib.broadcast_tensors(x, y), (A[:, :1], V)),
    ("atleast_1d", lambda lib, x: lib.atleast_1d(x), (S,)),
    ("atleast_2d", lambda lib, x, y: lib.atleast_2d(x, y), (S, V)),
    ("atleast_3d", lambda lib, x, y, z: lib.atleast_3d([x, y, z]), (S, V, A)),
]


@pytest.mark.parametrize("function, arrays", [row[1:] for row in OPS],
                         ids=[row[0] for row in OPS])
def test_op_matches_torch(function, arrays):
    check_in_dtypes(function, arrays)


@pytest.mark.parametrize("function, arrays", [row[1:] for row in OPS],
                         ids=[row[0] for row in OPS])
def test_finite_differences(function, arrays):
    def combined(*tensors):
        result = function(ember, *tensors)
        if isinstance(result, (tuple, list)):
            return ember.cat([part.reshape(-1) for part in result])
        return result
    finite_differences(combined, *arrays)


def _single_output(row):
    return not isinstance(row[1](ember, *[ember.tensor(a) for a in row[2]]), (tuple, list))


SINGLE_OUTPUT = [row for row in OPS if _single_output(row)]


@pytest.mark.parametrize("function, arrays", [row[1:] for row in SINGLE_OUTPUT],
                         ids=[row[0] for row in SINGLE_OUTPUT])
def test_double_backward(function, arrays):
    check_double_backward(function, arrays)


def test_second_order():
    def second(lib, x, y):
        z = lib.cat([x.flip([1]) * y, x.roll(1, 0).repeat(1, 2)[:, :4]])
        z = lib.stack([z, z.rot90(2)]).sum(0) * z
        (g,) = lib.autograd.grad(z.sum(), x, create_graph=True)
        return (g * g * y.repeat(1, 1)).sum()
    check(second, grad_input(A), grad_input(B))


def test_layouts_match_torch():
    """Results copy like PyTorch: flip/rot90 keep the input's layout, the rest are dense."""
    def layouts(lib, x):
        t = x.t()
        return [t.flip(0), t.rot90(), x.rot90(), x.rot90(2), t.roll(1, 0), t.repeat(1, 2),
                lib.cat([t, t]), lib.stack([t, t], 1), x[:, ::2].flip(1), t.rot90(0)]
    check(layouts, Input(A), strides=True)


def test_cat_type_promotion():
    def joined(lib, a, b, c):
        return [lib.cat([a, b]), lib.cat([b, c]), lib.cat([a, c, b]), lib.stack([a, b]),
                lib.hstack([a, c])]
    check(joined, Input(np.arange(3, dtype=np.int32)), Input(np.ones(3, dtype=np.float16)),
          Input(np.array([True, False, True])))
    check(joined, Input(np.arange(3, dtype=np.uint8)), Input(np.ones(3, dtype=np.int8)),
          Input(np.ones(3, dtype=np.float64)))
    check(lambda lib, a, b: lib.cat([a, b]), grad_input(A.astype(np.float32)), grad_input(C))


def test_cat_skips_legacy_empty_tensors():
    check(lambda lib, x, e: [lib.cat([e, x], 1), lib.cat([x, e]), lib.cat([e, e])],
          grad_input(A), Input(np.zeros(0)))
    check(lambda lib, x, e: lib.cat([x, e]), Input(A.astype(np.int32)), Input(np.zeros(0)))
    check(lambda lib, x, e: lib.cat([x, e]), grad_input(A), Input(np.zeros((0, 4))))


def test_out_arguments():
    def into(lib, x, y):
        out = lib.zeros(6, 4)
        same = lib.cat([x, y], out=out)
        grown = lib.stack([x, y], out=lib.zeros(0))
        return [out, same is out, grown, lib.hstack([x, y], out=lib.zeros(3, 8))]
    check(into, Input(A.astype(np.float32)), Input(B.astype(np.float32)))
    check_error(lambda lib, x: lib.cat([x, x], out=lib.zeros(0)), grad_input(A))
    check_error(lambda lib, x: lib.stack([x, x], out=lib.zeros(0)), grad_input(A))


def test_identity_results():
    """atleast_Nd and broadcast_tensors hand back tensors that already qualify."""
    def same(lib, x, y):
        a, b = lib.broadcast_tensors(x, y)
        return [lib.atleast_1d(x) is x, lib.atleast_2d(x) is x, lib.atleast_3d(y) is y,
                a is x, b is y, lib.atleast_1d(), len(lib.atleast_2d([x]))]
    check(same, grad_input(A), grad_input(D))


def test_repeat_interleave_tensor_repeats():
    def repeated(lib, x, counts, one):
        return [x.repeat_interleave(counts, dim=0), lib.repeat_interleave(x, one),
                x.repeat_interleave(one, 1), lib.repeat_interleave(counts),
                x.repeat_interleave(counts[:1].reshape(()), dim=-1)]
    check(repeated, grad_input(A), Input(np.array([1, 0, 3])), Input(np.array([2])))
    check(lambda lib, c: lib.repeat_interleave(c), Input(np.array([2, 1], dtype=np.int32)))
    check(lambda lib, c: lib.repeat_interleave(c, output_size=3), Input(np.array([1, 2])))
    finite_differences(lambda x: x.repeat_interleave(ember.tensor([1, 0, 3]), dim=0), A)


def test_broadcast_shapes():
    def shapes(lib):
        return [lib.broadcast_shapes((2, 1), (3,)), lib.broadcast_shapes(3, (2, 1)),
                lib.broadcast_shapes(), lib.broadcast_shapes((1, 4), [5, 1], (1,)),
                lib.broadcast_shapes((0, 1), (3,))]
    check(shapes)


def test_empty_and_scalar_inputs():
    def shaped(lib, e, s):
        return [e.flip([0, 1]), e.roll(2, 0), e.repeat(2, 3), e.rot90(), lib.cat([e, e], 1),
                lib.stack([e, e]), s.flip([0]), s.roll(1), s.repeat(2), e.repeat_interleave(2),
                lib.column_stack([s, s]), lib.hstack([s, s]), lib.dstack([s])]
    check(shaped, grad_input(np.zeros((0, 3))), grad_input(S))


def test_inputs_are_not_modified():
    x = ember.tensor(A)
    before = A.copy()
    for result in (x.flip([0]), x.roll(1), x.rot90(), x.repeat(1, 1), ember.cat([x])):
        result.mul_(0)
    np.testing.assert_array_equal(x.numpy(), before)


ERRORS = [
    ("cat_empty", lambda lib, x: lib.cat([])),
    ("cat_sizes", lambda lib, x: lib.cat([x, x[:2, :3]], 1)),
    ("cat_sizes_dim0", lambda lib, x: lib.cat([x, x[:2, :3]])),
    ("cat_ndim", lambda lib, x: lib.cat([x, x[0]])),
    ("cat_zero_dim", lambda lib, x: lib.cat([x, x[0, 0]])),
    ("cat_zero_dim_first", lambda lib, x: lib.cat([x[0, 0], x])),
    ("cat_dim", lambda lib, x: lib.cat([x, x], 2)),
    ("cat_not_a_list", lambda lib, x: lib.cat(x)),
    ("cat_not_tensors", lambda lib, x: lib.cat([x, 1])),
    ("cat_empty_2d", lambda lib, x: lib.cat([x, lib.zeros(0, 3)])),
    ("cat_legacy_empty_dim", lambda lib, x: lib.cat([lib.zeros(0), x], 5)),
    ("stack_empty", lambda lib, x: lib.stack([])),
    ("stack_sizes", lambda lib, x: lib.stack([x, x[:2]])),
    ("stack_dim", lambda lib, x: lib.stack([x, x], 3)),
    ("stack_negative_dim", lambda lib, x: lib.stack([x, x], -4)),
    ("stack_not_a_list", lambda lib, x: lib.stack(x)),
    ("hstack_empty", lambda lib, x: lib.hstack([])),
    ("vstack_empty", lambda lib, x: lib.vstack([])),
    ("dstack_empty", lambda lib, x: lib.dstack(())),
    ("column_stack_empty", lambda lib, x: lib.column_stack([])),
    ("flip_repeated_dim", lambda lib, x: x.flip([0, 0])),
    ("flip_repeated_negative_dim", lambda lib, x: x.flip([1, -1])),
    ("flip_dim", lambda lib, x: lib.flip(x, [2])),
    ("flip_int_dims", lambda lib, x: lib.flip(x, 0)),
    ("fliplr_1d", lambda lib, x: lib.fliplr(x[0])),
    ("flipud_0d", lambda lib, x: lib.flipud(x[0, 0])),
    ("roll_mismatch", lambda lib, x: x.roll([1, 2], [0])),
    ("roll_no_dims", lambda lib, x: x.roll([1, 2])),
    ("roll_no_shifts", lambda lib, x: x.roll([], [])),
    ("roll_dim", lambda lib, x: x.roll(1, 2)),
    ("roll_scalar_dim", lambda lib, x: x[0, 0].roll(1, 0)),
    ("rot90_one_dim", lambda lib, x: x.rot90(1, [0])),
    ("rot90_same_dims", lambda lib, x: x.rot90(1, [0, 0])),
    ("rot90_aliased_dims", lambda lib, x: x.rot90(1, [0, -2])),
    ("rot90_1d", lambda lib, x: x[0].rot90()),
    ("rot90_dim_range", lambda lib, x: x.rot90(1, [0, 2])),
    ("repeat_too_few", lambda lib, x: x.repeat(2)),
    ("repeat_negative", lambda lib, x: x.repeat(2, -1)),
    ("tile_negative", lambda lib, x: x.tile((-1,))),
    ("tile_no_dims", lambda lib, x: x.tile()),
    ("repeat_interleave_negative", lambda lib, x: x.repeat_interleave(-1)),
    ("repeat_interleave_dim", lambda lib, x: x.repeat_interleave(2, dim=3)),
    ("repeat_interleave_negative_counts",
     lambda lib, x: x.repeat_interleave(lib.tensor([1, -1, 1]), dim=0)),
    ("repeat_interleave_length", lambda lib, x: x.repeat_interleave(lib.tensor([1, 1]), 0)),
    ("repeat_interleave_length_negative_dim",
     lambda lib, x: x.repeat_interleave(lib.tensor([1, 1]), -1)),
    ("repeat_interleave_flat_length", lambda lib, x: x.repeat_interleave(lib.tensor([1, 1]))),
    ("repeat_interleave_float_counts",
     lambda lib, x: x.repeat_interleave(lib.tensor([1.0, 1.0, 1.0]), dim=0)),
    ("repeat_interleave_2d_counts", lambda lib, x: x.repeat_interleave(lib.tensor([[1]]), 0)),
    ("repeat_interleave_counts_2d", lambda lib, x: lib.repeat_interleave(lib.tensor([[1]]))),
    ("repeat_interleave_counts_0d", lambda lib, x: lib.repeat_interleave(lib.tensor(2))),
    ("repeat_interleave_counts_float", lambda lib, x: lib.repeat_interleave(lib.ones(2))),
    ("split_with_sizes_int", lambda lib, x: lib.split_with_sizes(x, 2)),
    ("split_with_sizes_method_int", lambda lib, x: x.split_with_sizes(1, 2)),
    ("split_with_sizes_sum", lambda lib, x: x.split_with_sizes([1, 1])),
    ("broadcast_shapes_mismatch", lambda lib, x: lib.broadcast_shapes((2, 1), (3, 4))),
    ("broadcast_shapes_negative", lambda lib, x: lib.broadcast_shapes((-1,))),
    ("broadcast_tensors_mismatch", lambda lib, x: lib.broadcast_tensors(x, x[:2])),
    ("broadcast_to_mismatch", lambda lib, x: lib.broadcast_to(x, (2, 4))),
]


@pytest.mark.parametrize("function", [row[1] for row in ERRORS], ids=[row[0] for row in ERRORS])
def test_errors(function):
    check_error(function, Input(A.astype(np.float32)))


DTYPES = ["float32", "float64", "int64", "int32", "int16", "uint8", "bool", "float16",
          "complex64"]


@given(st.lists(st.sampled_from(DTYPES), min_size=1, max_size=4),
       hnp.array_shapes(min_dims=1, max_dims=3, max_side=4), st.integers(0, 2), st.data())
def test_hypothesis_cat_stack_mixed_dtypes(dtypes, shape, dim, data):
    dim = dim % len(shape)
    arrays = []
    for dtype in dtypes:
        part = list(shape)
        part[dim] = data.draw(st.integers(0, 3))
        arrays.append(Input((RNG.standard_normal(part) * 3).astype(dtype)))
    check(lambda lib, *xs: lib.cat(xs, dim), *arrays)
    same = [Input((RNG.standard_normal(shape) * 3).astype(dtype)) for dtype in dtypes]
    check(lambda lib, *xs: [lib.stack(xs, dim), lib.stack(xs, -1)], *same)


@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=4, max_side=4),
                  elements=st.floats(-5, 5)), st.data())
def test_hypothesis_rearrangements(array, data):
    ndim = array.ndim
    dims = data.draw(st.lists(st.integers(-ndim, ndim - 1), unique_by=lambda d: d % ndim,
                              max_size=ndim))
    shifts = data.draw(st.lists(st.integers(-6, 6), min_size=len(dims), max_size=len(dims)))
    repeats = data.draw(st.lists(st.integers(0, 3), min_size=ndim, max_size=ndim + 1))
    k = data.draw(st.integers(-5, 5))
    permuted = data.draw(st.booleans())

    def rearranged(lib, x):
        if permuted:
            x = x.transpose(0, -1)
        results = [x.flip(dims), x.repeat(repeats), x.tile(repeats[:2]),
                   x.repeat_interleave(repeats[0], dim=dims[0] if dims else None)]
        if dims:
            results.append(x.roll(shifts, dims))
        if ndim >= 2:
            results.append(x.rot90(k, (0, -1)))
        return results
    check(rearranged, grad_input(array))


def test_every_public_op_is_tested():
    """Each public function of the joining, scatter/gather, selection and view-scatter modules
    appears in their differential tests (a new op without a test row fails here)."""
    from pathlib import Path

    from ember.ops import joining, scatter_gather, selection, view_scatter
    here = Path(__file__).parent
    text = "".join((here / name).read_text() for name in (
        "test_joining.py", "test_scatter_gather.py", "test_selection.py",
        "test_view_scatter.py"))
    names = joining.__all__ + scatter_gather.__all__ + selection.__all__ + view_scatter.__all__
    missing = [name for name in names if f"lib.{name}(" not in text]
    assert not missing, f"no differential test calls lib.<name>( for {missing}"
    inplace = [name for name in names if hasattr(ember.Tensor, name + "_")
               and f".{name}_(" not in text]
    assert not inplace, f"no test of the in-place variants {inplace}"


def test_keyword_arguments():
    """PyTorch's argument names (and cat/stack's axis alias) are accepted by keyword."""
    def by_keyword(lib, x, i):
        return [lib.cat([x, x], axis=1), lib.concat(tensors=[x, x], dim=1),
                lib.stack([x, x], axis=1), lib.flip(x, dims=(0,)), x.flip(dims=[0]),
                x.roll(shifts=1, dims=0), x.repeat(repeats=(2, 1)), x.tile(dims=(2,)),
                x.rot90(k=1, dims=[0, 1]), x.repeat_interleave(repeats=2, dim=0),
                lib.hstack(tensors=[x, x]), x.broadcast_to(size=(2, 3, 4)),
                x.split_with_sizes(split_sizes=[1, 2], dim=0),
                lib.gather(x, 1, i, sparse_grad=False), x.index_select(dim=0, index=i[0]),
                x.masked_fill(mask=x > 0, value=1.0), x.scatter(dim=0, index=i, src=x),
                x.clone().scatter_(dim=0, index=i, value=1.0),
                x.scatter_reduce(dim=0, index=i, src=x, reduce="sum", include_self=False),
                x.index_add(dim=0, index=i[0], source=x[:1], alpha=2),
                x.index_fill(dim=0, index=i[0], value=2), x.take(index=i[0]),
                x.index_copy(dim=0, index=i[0], source=x[:1]),
                x.take_along_dim(indices=i, dim=0), x.masked_select(mask=x > 0),
                x.put(index=i[0], source=x[0, :1], accumulate=True),
                x.masked_scatter(mask=x > 0, source=x), lib.nonzero(input=x, as_tuple=False),
                lib.searchsorted(sorted_sequence=x[0].sort().values, input=x),
                lib.bucketize(input=x, boundaries=x[0].sort().values),
                lib.select_scatter(x, src=x[0], dim=0, index=1)]
    check(by_keyword, Input(A), Input(np.array([[0]])))
