"""View ops against torch: values, shapes, strides, storage offsets, grad_fn names, gradients,
shared memory (writes through a view reach the base), errors and finite differences."""
import numpy as np
import pytest
from hypothesis import assume, given, strategies as st

import ember
from oracle import (assert_matches, check, check_error, finite_differences, grad_input,
                    torch)

RNG = np.random.default_rng(0)


def _data(*shape):
    return RNG.standard_normal(shape)


# (name, input shape, function(lib, x)) for every view op; x is a non-leaf clone so the
# result's grad_fn is the view's own.
VIEW_OPS = [
    ("view", (2, 3, 4), lambda lib, x: x.view(6, 4)),
    ("view_infer", (2, 3, 4), lambda lib, x: x.view(-1, 2)),
    ("view_tuple", (2, 3, 4), lambda lib, x: x.view((4, 6))),
    ("view_noncontiguous", (4, 6), lambda lib, x: x[:, ::2].view(4, 3, 1)),
    ("view_as", (2, 3, 4), lambda lib, x: x.view_as(x.reshape(4, 6))),
    ("reshape_view", (2, 3, 4), lambda lib, x: x.reshape(4, 6)),
    ("reshape_copy", (2, 3, 4), lambda lib, x: x.transpose(0, 1).reshape(-1)),
    ("flatten", (2, 3, 4), lambda lib, x: x.flatten()),
    ("flatten_range", (2, 3, 4), lambda lib, x: x.flatten(1)),
    ("flatten_copy", (2, 3, 4), lambda lib, x: x.transpose(1, 2).flatten()),
    ("flatten_0d", (), lambda lib, x: x.flatten()),
    ("unflatten", (2, 3, 4), lambda lib, x: x.unflatten(2, (2, -1))),
    ("ravel", (2, 3, 4), lambda lib, x: x.ravel()),
    ("ravel_copy", (2, 3, 4), lambda lib, x: x.mT.ravel()),
    ("t", (3, 4), lambda lib, x: x.t()),
    ("t_1d", (4,), lambda lib, x: x.t()),
    ("T", (3, 4), lambda lib, x: x.T),
    ("mT", (2, 3, 4), lambda lib, x: x.mT),
    ("mH", (2, 3, 4), lambda lib, x: x.mH),
    ("H", (3, 4), lambda lib, x: x.H),
    ("adjoint", (2, 3, 4), lambda lib, x: x.adjoint()),
    ("transpose", (2, 3, 4), lambda lib, x: x.transpose(0, 2)),
    ("swapaxes", (2, 3, 4), lambda lib, x: x.swapaxes(-1, 1)),
    ("swapdims", (2, 3, 4), lambda lib, x: lib.swapdims(x, 0, 1)),
    ("permute", (2, 3, 4), lambda lib, x: x.permute(2, 0, 1)),
    ("permute_list", (2, 3, 4), lambda lib, x: lib.permute(x, [1, 2, 0])),
    ("movedim", (2, 3, 4), lambda lib, x: x.movedim(0, 2)),
    ("movedim_tuple", (2, 3, 4, 5), lambda lib, x: lib.movedim(x, (0, 1), (3, 0))),
    ("moveaxis", (2, 3, 4), lambda lib, x: x.moveaxis(-1, 0)),
    ("expand", (2, 1, 4), lambda lib, x: x.expand(3, 2, 5, 4)),
    ("expand_keep", (2, 1, 4), lambda lib, x: x.expand(-1, 3, -1)),
    ("expand_as", (1, 4), lambda lib, x: x.expand_as(x.expand(3, 4).clone())),
    ("unsqueeze", (2, 3), lambda lib, x: x.unsqueeze(1)),
    ("unsqueeze_end", (2, 3), lambda lib, x: x.unsqueeze(-1)),
    ("squeeze", (2, 1, 3, 1), lambda lib, x: x.squeeze()),
    ("squeeze_dim", (2, 1, 3), lambda lib, x: x.squeeze(1)),
    ("squeeze_dim_noop", (2, 1, 3), lambda lib, x: x.squeeze(0)),
    ("squeeze_dims", (1, 2, 1, 3), lambda lib, x: x.squeeze((0, 2))),
    ("narrow", (4, 5), lambda lib, x: x.narrow(1, 1, 3)),
    ("narrow_negative", (4, 5), lambda lib, x: lib.narrow(x, 0, -2, 2)),
    ("select", (4, 5), lambda lib, x: x.select(1, -2)),
    ("diagonal", (3, 4), lambda lib, x: x.diagonal()),
    ("diagonal_offset", (2, 3, 4), lambda lib, x: x.diagonal(1, 1, 2)),
    ("diagonal_negative", (2, 3, 4), lambda lib, x: lib.diagonal(x, -1, 2, 0)),
    ("diagonal_empty", (2, 3), lambda lib, x: x.diagonal(5)),
    ("as_strided", (3, 4), lambda lib, x: x.as_strided((2, 2), (1, 2), 1)),
    ("as_strided_overlap", (3, 4), lambda lib, x: x.as_strided((3, 3), (1, 1))),
    ("as_strided_of_view", (10,), lambda lib, x: x[2:].as_strided((3, 3), (1, 1), 0)),
    ("unfold", (2, 6), lambda lib, x: x.unfold(1, 2, 2)),
    ("unfold_overlap", (2, 6), lambda lib, x: x.unfold(1, 3, 1)),
    ("unfold_0d", (), lambda lib, x: x.unfold(0, 1, 1)),
    ("split", (5, 3), lambda lib, x: x.split(2)),
    ("split_sizes", (5, 3), lambda lib, x: x.split([1, 4])),
    ("split_dim", (5, 3), lambda lib, x: lib.split(x, 2, dim=1)),
    ("chunk", (5, 3), lambda lib, x: x.chunk(3)),
    ("chunk_empty", (0, 3), lambda lib, x: x.chunk(2)),
    ("unbind", (3, 4), lambda lib, x: x.unbind(1)),
    ("tensor_split_sections", (7, 2), lambda lib, x: x.tensor_split(3)),
    ("tensor_split_indices", (7, 2), lambda lib, x: x.tensor_split([1, 5, 3])),
    ("hsplit", (2, 6), lambda lib, x: x.hsplit(3)),
    ("vsplit", (4, 2), lambda lib, x: x.vsplit([1])),
    ("dsplit", (2, 2, 4), lambda lib, x: x.dsplit(2)),
    ("detach", (2, 3), lambda lib, x: x.detach()),
]


@pytest.mark.parametrize("name,shape,function", VIEW_OPS, ids=[row[0] for row in VIEW_OPS])
def test_view_op_matches_torch(name, shape, function):
    check(lambda lib, x: function(lib, x.clone()), grad_input(_data(*shape)), strides=True)


@pytest.mark.parametrize("name,shape,function", VIEW_OPS, ids=[row[0] for row in VIEW_OPS])
def test_view_op_shares_memory_with_its_base(name, shape, function):
    mine = ember.tensor(_data(*shape))
    theirs = torch.tensor(mine.numpy().copy())
    mine_views = function(ember, mine)
    theirs_views = function(torch, theirs)
    pairs = list(zip(mine_views, theirs_views)) if isinstance(theirs_views, tuple) else [
        (mine_views, theirs_views)]
    for position, (a, b) in enumerate(pairs):
        assert (a._base is mine) == (b._base is theirs), f"piece {position}: _base"
        if b._base is not theirs or not b.numel():
            continue
        assert a.storage_offset() == b.storage_offset()
        assert (a.data_ptr() - mine.data_ptr()) == (b.data_ptr() - theirs.data_ptr())
        assert a.untyped_storage() is mine.untyped_storage()
        # a write through a view that reads no element twice reaches the base identically
        if "overlap" not in name and not name.startswith("expand"):
            a.fill_(7.0 + position)
            b.fill_(7.0 + position)
            np.testing.assert_array_equal(mine.numpy(), theirs.numpy())


# as_strided_of_view reads storage elements outside its input: they change the output but,
# as in PyTorch, get no gradient, so finite differences do not apply to it.
DIFFERENTIABLE = [row for row in VIEW_OPS if row[0] not in ("detach", "as_strided_of_view")]


@pytest.mark.parametrize("name,shape,function", DIFFERENTIABLE,
                         ids=[row[0] for row in DIFFERENTIABLE])
def test_view_op_finite_differences(name, shape, function):
    def weighted_pieces(x):
        result = function(ember, x * 1.0)
        if isinstance(result, tuple):
            return sum((piece * (position + 1.0)).sum() for position, piece in enumerate(result))
        return result
    finite_differences(weighted_pieces, _data(*shape))


def test_split_pieces_share_one_node_and_gradients_match():
    check(lambda lib, x: [p * 2 for p in x.clone().split([2, 1, 2])], grad_input(_data(5, 3)))
    check(lambda lib, x: x.clone().unbind(0)[1:], grad_input(_data(3, 2)))


def test_view_dtype():
    check(lambda lib, x: x.view(lib.int32), np.arange(6, dtype=np.float32).reshape(2, 3),
          strides=True)
    check(lambda lib, x: x.view(lib.float64), np.arange(8, dtype=np.float32).reshape(2, 4),
          strides=True)
    check(lambda lib, x: x.view(lib.int8), np.arange(4, dtype=np.int32), strides=True)
    check(lambda lib, x: x[1:].view(lib.float32), np.arange(4, dtype=np.float64),
          strides=True)


def test_higher_order_gradient_through_select():
    x = ember.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = (x.select(0, 1) ** 2).sum()
    (g,) = ember.autograd.grad(y, x, create_graph=True)
    (gg,) = ember.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(gg.numpy(), [[0, 0], [2, 2]])


def test_seed_transpose_write_changes_base_column():
    check(lambda lib: _seed(lib), repr_=True)


def _seed(lib):
    A = lib.ones(10, 10)
    B = A.t()
    B[1] = 10
    assert A.stride() == (10, 1) and B.stride() == (1, 10)
    return A


# ---- hypothesis: random chains of view ops ---------------------------------------------------

def _chain_step(draw, shape):
    """One random view op valid for `shape`, as (description, function(lib, x), new shape)."""
    ndim = len(shape)
    choices = ["unsqueeze", "view_flat"]
    if ndim:
        choices += ["transpose", "permute", "narrow", "select", "slice", "flip_dims", "expand",
                    "squeeze", "unfold"]
    if ndim >= 2:
        choices += ["diagonal", "t_last"]
    kind = draw(st.sampled_from(choices))
    if kind == "unsqueeze":
        dim = draw(st.integers(-ndim - 1, ndim))
        new = list(shape)
        new.insert(dim % (ndim + 1), 1)
        return kind, lambda lib, x: x.unsqueeze(dim), tuple(new)
    if kind == "view_flat":
        return kind, lambda lib, x: x.reshape(-1), (int(np.prod(shape)),)
    if kind in ("transpose", "flip_dims"):
        a = draw(st.integers(0, ndim - 1))
        b = draw(st.integers(0, ndim - 1))
        new = list(shape)
        new[a], new[b] = new[b], new[a]
        return kind, lambda lib, x: x.transpose(a, b), tuple(new)
    if kind == "permute":
        order = draw(st.permutations(range(ndim)))
        return kind, lambda lib, x: x.permute(*order), tuple(shape[d] for d in order)
    dim = draw(st.integers(0, ndim - 1))
    size = shape[dim]
    if kind == "narrow":
        start = draw(st.integers(0, size))
        length = draw(st.integers(0, size - start))
        new = list(shape)
        new[dim] = length
        return kind, lambda lib, x: x.narrow(dim, start, length), tuple(new)
    if kind == "select":
        if size == 0:
            return "noop", lambda lib, x: x, shape
        index = draw(st.integers(-size, size - 1))
        return kind, lambda lib, x: x.select(dim, index), shape[:dim] + shape[dim + 1:]
    if kind == "slice":
        start = draw(st.integers(-size - 1, size + 1))
        stop = draw(st.integers(-size - 1, size + 1))
        step = draw(st.integers(1, 3))
        key = (slice(None),) * dim + (slice(start, stop, step),)
        new = list(shape)
        new[dim] = len(range(*slice(start, stop, step).indices(size)))
        return kind, lambda lib, x: x[key], tuple(new)
    if kind == "expand":
        if size != 1:
            return "noop", lambda lib, x: x, shape
        target = draw(st.integers(0, 3))
        new = list(shape)
        new[dim] = target
        return kind, lambda lib, x: x.expand(*new), tuple(new)
    if kind == "squeeze":
        new = tuple(s for position, s in enumerate(shape) if position != dim or s != 1)
        return kind, lambda lib, x: x.squeeze(dim), new
    if kind == "unfold":
        window = draw(st.integers(0, size))
        step = draw(st.integers(1, 3))
        new = list(shape)
        new[dim] = (size - window) // step + 1
        return kind, lambda lib, x: x.unfold(dim, window, step), tuple(new) + (window,)
    if kind == "t_last":
        new = shape[:-2] + (shape[-1], shape[-2])
        return kind, lambda lib, x: x.mT, new
    other = draw(st.sampled_from([d for d in range(ndim) if d != dim]))
    offset = draw(st.integers(-3, 3))
    kept = [shape[d] for d in range(ndim) if d not in (dim, other)]
    if offset >= 0:
        length = max(min(shape[dim], shape[other] - offset), 0)
    else:
        length = max(min(shape[dim] + offset, shape[other]), 0)
    return kind, lambda lib, x: x.diagonal(offset, dim, other), tuple(kept) + (length,)


@st.composite
def view_chains(draw):
    shape = tuple(draw(st.lists(st.integers(0, 4), min_size=0, max_size=4)))
    steps = []
    current = shape
    for _ in range(draw(st.integers(1, 5))):
        if int(np.prod(current)) > 2000 or len(current) > 6:
            break
        kind, function, current = _chain_step(draw, current)
        steps.append((kind, function))
    return shape, steps


def _apply_chain(lib, x, steps):
    for _, function in steps:
        x = function(lib, x)
    return x


@given(view_chains())
def test_view_chains_match_torch_and_write_through(chain):
    shape, steps = chain
    array = np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape)
    mine_base = ember.tensor(array)
    theirs_base = torch.tensor(array)
    # empty tensors' strides come from creation, which is checked elsewhere
    assume(mine_base.stride() == theirs_base.stride())
    mine = _apply_chain(ember, mine_base, steps)
    theirs = _apply_chain(torch, theirs_base, steps)
    assert_matches(mine, theirs, strides=True, grad_fn=False)
    assert mine.is_contiguous() == theirs.is_contiguous()
    has_overlap = any(s == 0 and n > 1 for s, n in zip(theirs.stride(), theirs.shape)) or \
        any(kind == "unfold" for kind, _ in steps)
    if theirs.numel() and not has_overlap:
        values = np.arange(theirs.numel(), dtype=np.float64).reshape(tuple(theirs.shape)) + 100
        mine.copy_(ember.tensor(values))
        theirs.copy_(torch.tensor(values))
        np.testing.assert_array_equal(mine_base.numpy(), theirs_base.numpy())


@given(view_chains())
def test_view_chain_gradients_match_torch(chain):
    shape, steps = chain
    check(lambda lib, x: _apply_chain(lib, x.clone(), steps), grad_input(_data(*shape)),
          grad_fn=False)


# ---- errors ------------------------------------------------------------------------------------

ERRORS = [
    lambda lib, x: x.transpose(0, 1).view(-1),
    lambda lib, x: x.view(5, -1),
    lambda lib, x: x.view(-1, -1),
    lambda lib, x: x.view(-2, 12),
    lambda lib, x: x[:, :, :3].view(lib.float64),
    lambda lib, x: x.transpose(1, 2).view(lib.float16),
    lambda lib, x: x[:, :, 1:3].view(lib.float64),
    lambda lib, x: x[0, 0, 0].view(lib.float64),
    lambda lib, x: x.t(),
    lambda lib, x: x.transpose(0, 3),
    lambda lib, x: x.permute(0, 1),
    lambda lib, x: x.permute(0, 1, 1),
    lambda lib, x: x.permute(0, 1, 5),
    lambda lib, x: x.expand(2, 3),
    lambda lib, x: x.expand(3, 3, 4),
    lambda lib, x: x.expand(-1, 2, 3, 4),
    lambda lib, x: x.narrow(0, 3, 1),
    lambda lib, x: x.narrow(0, 1, 2),
    lambda lib, x: x.narrow(0, 0, -1),
    lambda lib, x: x[0, 0, 0].narrow(0, 0, 1),
    lambda lib, x: x.select(0, 2),
    lambda lib, x: x.select(3, 0),
    lambda lib, x: x[0, 0, 0].select(0, 0),
    lambda lib, x: x.unsqueeze(4),
    lambda lib, x: x.squeeze(3),
    lambda lib, x: x.squeeze((0, 0)),
    lambda lib, x: x.flatten(2, 1),
    lambda lib, x: x.unflatten(1, (2, 2)),
    lambda lib, x: x.unflatten(1, ()),
    lambda lib, x: x.as_strided((2, 2), (1, 2), -1),
    lambda lib, x: x.as_strided((2, 2), (1, -2)),
    lambda lib, x: x.as_strided((30,), (1,)),
    lambda lib, x: x.as_strided((2, 2), (1,)),
    lambda lib, x: x.unfold(2, 5, 1),
    lambda lib, x: x.unfold(2, 2, 0),
    lambda lib, x: x.unfold(2, -1, 1),
    lambda lib, x: x.diagonal(0, 1, 1),
    lambda lib, x: x[0, 0, 0].diagonal(),
    lambda lib, x: x.split(0, 1),
    lambda lib, x: x.split(-1, 1),
    lambda lib, x: x.split([1, 1], 1),
    lambda lib, x: x.split([4, -1], 1),
    lambda lib, x: x[0, 0, 0].split(1),
    lambda lib, x: x.chunk(0),
    lambda lib, x: x[0, 0, 0].unbind(),
    lambda lib, x: x.tensor_split(0, 1),
    lambda lib, x: x.movedim((0, 1), (1, 1)),
    lambda lib, x: x.movedim((0, 1), (1,)),
    lambda lib, x: x.view_as(lib.ones(5)),
    lambda lib, x: x[0, 0].mT,
    lambda lib, x: x[0, 0].mH,
    lambda lib, x: x[0, 0].vsplit(1),
    lambda lib, x: x[0].dsplit(2),
    lambda lib, x: x.hsplit(2),
]


@pytest.mark.parametrize("function", ERRORS)
def test_view_errors_match_torch(function):
    check_error(function, np.zeros((2, 3, 4), dtype=np.float32))


@pytest.mark.parametrize("sizes", [(2, 3), (3, 8), (-1, 2, 4), (1, -1), (-1, 3, 4), (5, 3)])
def test_expand_checks_the_last_dim_first_as_torch(sizes):
    # PyTorch's inferExpandGeometry walks the dims from the last; its error names that dim
    check_error(lambda lib, x: x.expand(*sizes), np.zeros((3, 4)))


@pytest.mark.parametrize("reshaped", [
    lambda x: x.t().reshape(2, 2, 4), lambda x: x.reshape(2, 8), lambda x: x.t().reshape(16),
    lambda x: x[:, :1].reshape(4), lambda x: x[::2].reshape(2, 2, 2),
    lambda x: x.t().reshape(4, 4), lambda x: x.unsqueeze(0).expand(3, 4, 4).reshape(3, 4, 4),
], ids=["transposed_split", "contiguous", "transposed_flat", "column", "strided_rows",
        "transposed_same_shape", "expanded"])
def test_reshape_records_view_alias_or_copy_as_pytorch(reshaped):
    # contiguous: ViewBackward0; viewable but not contiguous: ReshapeAliasBackward0; a copy:
    # UnsafeViewBackward0
    check(lambda lib, x: reshaped(x), grad_input(np.arange(16.0).reshape(4, 4)))
