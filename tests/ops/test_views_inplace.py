"""In-place view ops (transpose_, t_, squeeze_, unsqueeze_, swapdims_, swapaxes_, as_strided_)
and the memory-changing methods (resize_, resize_as_, set_) against torch: the tensor's own
shape, strides and storage offset, memory shared with its base and siblings, version counters,
grad_fn names, gradients and errors."""
import numpy as np
import pytest
from hypothesis import given, strategies as st

from oracle import check, check_error, grad_input, Input

RNG = np.random.default_rng(0)


def _data(*shape):
    return RNG.standard_normal(shape)


def _grad_fn_name(tensor):
    return type(tensor.grad_fn).__name__ if tensor.grad_fn is not None else None


def _layout(tensor):
    """What resize_/set_ change: geometry, storage size and version."""
    return (tuple(tensor.shape), tensor.stride(), tensor.storage_offset(),
            tensor.untyped_storage().nbytes(), tensor._version)


# (name, input shape, function(y)); y is a non-leaf (x * 2) so its history is torch's node
INPLACE_VIEWS = [
    ("transpose_", (2, 3, 4), lambda y: y.transpose_(0, 2)),
    ("transpose_negative", (2, 3, 4), lambda y: y.transpose_(-1, 1)),
    ("transpose_same_dim", (2, 3), lambda y: y.transpose_(1, 1)),
    ("transpose_0d", (), lambda y: y.transpose_(0, -1)),
    ("swapdims_", (2, 3, 4), lambda y: y.swapdims_(0, 1)),
    ("swapaxes_", (2, 3, 4), lambda y: y.swapaxes_(2, 0)),
    ("t_", (3, 4), lambda y: y.t_()),
    ("t_1d", (4,), lambda y: y.t_()),
    ("t_0d", (), lambda y: y.t_()),
    ("squeeze_all", (2, 1, 3, 1), lambda y: y.squeeze_()),
    ("squeeze_dim", (2, 1, 3), lambda y: y.squeeze_(1)),
    ("squeeze_dim_noop", (2, 1, 3), lambda y: y.squeeze_(0)),
    ("squeeze_dims", (1, 2, 1, 3), lambda y: y.squeeze_((0, 2))),
    ("squeeze_dims_list", (1, 2, 1, 3), lambda y: y.squeeze_([-2, 1])),
    ("squeeze_0d", (), lambda y: y.squeeze_(0)),
    ("unsqueeze_", (2, 3), lambda y: y.unsqueeze_(1)),
    ("unsqueeze_end", (2, 3), lambda y: y.unsqueeze_(-1)),
    ("unsqueeze_0d", (), lambda y: y.unsqueeze_(0)),
    ("unsqueeze_strided", (2, 6), lambda y: y[:, ::2].unsqueeze_(2)),
    ("unsqueeze_strided_middle", (2, 6), lambda y: y[:, ::2].unsqueeze_(1)),
    ("as_strided_", (3, 4), lambda y: y.as_strided_((2, 2), (1, 2), 1)),
    ("as_strided_default_offset", (3, 4), lambda y: y[1:].as_strided_((2, 3), (1, 2))),
    ("as_strided_overlap", (3, 4), lambda y: y.as_strided_((3, 3), (1, 1))),
    ("chain", (2, 3), lambda y: y.t_().unsqueeze_(0).squeeze_().transpose_(0, 1)),
]


@pytest.mark.parametrize("name,shape,function", INPLACE_VIEWS, ids=[r[0] for r in INPLACE_VIEWS])
def test_inplace_view_matches_torch(name, shape, function):
    def run(lib, x):
        y = x * 2
        version = y._version
        result = function(y)
        return result, result._version - version, result._base is None
    check(run, grad_input(_data(*shape)), strides=True)


@pytest.mark.parametrize("name,shape,function", INPLACE_VIEWS, ids=[r[0] for r in INPLACE_VIEWS])
def test_inplace_view_returns_the_tensor_itself(name, shape, function):
    def run(lib, x):
        y = x.clone()
        view = y[...]
        result = function(view)
        # a view stays a view of the same base, over the same memory
        return result is view, view._base is y, view.untyped_storage() is y.untyped_storage()
    check(run, Input(_data(*shape)))


@given(shape=st.lists(st.integers(1, 3), min_size=1, max_size=4), data=st.data())
def test_transpose_and_unsqueeze_in_place_on_any_layout(shape, data):
    ndim = len(shape)
    dim0 = data.draw(st.integers(-ndim, ndim - 1))
    dim1 = data.draw(st.integers(-ndim, ndim - 1))
    new = data.draw(st.integers(-ndim - 1, ndim))
    permuted = data.draw(st.booleans())

    def run(lib, x):
        y = x * 3
        if permuted:
            y = y.transpose(0, -1)
        y.transpose_(dim0, dim1).unsqueeze_(new)
        return y
    check(run, grad_input(_data(*shape)), strides=True)


@given(shape=st.lists(st.integers(1, 2), min_size=1, max_size=4), data=st.data())
def test_squeeze_in_place_of_any_dims(shape, data):
    ndim = len(shape)
    dims = data.draw(st.lists(st.integers(0, ndim - 1), unique=True, max_size=ndim))

    def run(lib, x):
        y = x * 3
        y.squeeze_(tuple(dims))
        return y
    check(run, grad_input(_data(*shape)), strides=True)


def test_inplace_view_keeps_sharing_memory_and_leaves_siblings_alone():
    def run(lib, x):
        y = x.clone()
        sibling = y.view(12)
        view = y[1:]
        view.t_()
        view[0, 1] = 100.0
        sibling[0] = -1.0
        return (y, sibling, view, view.data_ptr() - y.data_ptr(), y._version, sibling._version)
    check(run, Input(_data(3, 4)), strides=True)


def test_views_of_the_tensor_follow_its_new_layout():
    def run(lib, x):
        y = x * 2
        first_row = y[0]
        y.transpose_(0, 1)
        column = y[:, 1]
        column.mul_(10)
        return y, first_row, column
    check(run, grad_input(_data(2, 3)), strides=True)


@pytest.mark.parametrize("function", [lambda v: v.unsqueeze_(2), lambda v: v.as_strided_(
    (2, 2), (1, 2), 1), lambda v: v.t_()], ids=["unsqueeze_", "as_strided_", "t_"])
def test_writing_through_a_view_after_an_inplace_view_op(function):
    def run(lib, x):
        base = x.clone()
        view = base[:, ::2]
        function(view)
        view.mul_(10)
        return base, view, _grad_fn_name(base), _grad_fn_name(view)
    check(run, grad_input(_data(2, 4)), strides=True)


def test_sibling_histories_are_replayed_after_an_inplace_view_op():
    def run(lib, x):
        base = x.clone()
        row = base[1]
        view = base[:, :]
        view.t_()
        names = (_grad_fn_name(row), _grad_fn_name(view), _grad_fn_name(base))
        next_names = tuple(type(node).__name__ for node, _ in view.grad_fn.next_functions)
        view.mul_(3)
        after = (_grad_fn_name(row), _grad_fn_name(view), _grad_fn_name(base))
        return base * 1, row * 1, names, next_names, after
    check(run, grad_input(_data(2, 3)))


def test_gradients_flow_through_a_chain_of_inplace_view_ops():
    def run(lib, x, w):
        y = x.sin()
        y.t_()
        y.unsqueeze_(0)
        y.squeeze_(0)
        y.as_strided_((2, 3), (1, 2), 0)
        return (y * w).sum(), _grad_fn_name(y)
    check(run, grad_input(_data(2, 3)), grad_input(_data(2, 3)))


def test_inplace_view_ops_invalidate_saved_outputs():
    def run(lib, x):
        y = x.exp()
        y.t_()
        y.sum().backward()
    check_error(run, grad_input(_data(2, 3)))


def test_double_backward_through_transpose_in_place():
    def run(lib, x):
        y = x * x
        y.transpose_(0, 1)
        (grad,) = lib.autograd.grad(y.sum(), x, create_graph=True)
        return grad.transpose(0, 1) * 1
    check(run, grad_input(_data(2, 3)))


@pytest.mark.parametrize("function", [
    lambda t: t.transpose_(0, 1), lambda t: t.t_(), lambda t: t.squeeze_(),
    lambda t: t.unsqueeze_(0), lambda t: t.swapdims_(0, 1),
    lambda t: t.as_strided_((2,), (1,)), lambda t: t.set_(t.detach().clone()),
    lambda t: t.transpose_(0, 5)], ids=["transpose_", "t_", "squeeze_", "unsqueeze_",
                                        "swapdims_", "as_strided_", "set_", "bad_dim"])
def test_leaves_requiring_grad_refuse_inplace_view_ops(function):
    check_error(lambda lib, x: function(x), grad_input(_data(2, 3)))
    check_error(lambda lib, x: function(x[:]), grad_input(_data(2, 3)))


def test_leaf_requiring_grad_changes_layout_under_no_grad():
    def run(lib, x):
        with lib.no_grad():
            x.transpose_(0, 1)
        return x, x.requires_grad, _grad_fn_name(x), x._version
    check(run, grad_input(_data(2, 3)), grad=False, strides=True)


def test_non_leaf_under_no_grad_keeps_its_history():
    def run(lib, x):
        y = x * 2
        with lib.no_grad():
            y.unsqueeze_(0)
        return tuple(y.shape), _grad_fn_name(y), y._version
    check(run, grad_input(_data(2, 3)), grad=False)


def test_inplace_view_ops_on_plain_tensors_bump_the_version():
    def run(lib, x):
        versions = []
        for function in (lambda t: t.t_(), lambda t: t.squeeze_(-1), lambda t: t.unsqueeze_(1),
                         lambda t: t.swapaxes_(0, 2), lambda t: t.as_strided_((3,), (2,))):
            function(x)
            versions.append(x._version)
        return x, versions
    check(run, Input(_data(3, 4)), strides=True)


INPLACE_VIEW_ERRORS = [
    ("transpose_dim", (2, 3), lambda t: t.transpose_(0, 5)),
    ("swapaxes_dim", (2, 3), lambda t: t.swapaxes_(-3, 0)),
    ("t_3d", (2, 3, 4), lambda t: t.t_()),
    ("squeeze_dim", (2, 3), lambda t: t.squeeze_(4)),
    ("squeeze_repeated", (2, 3), lambda t: t.squeeze_((0, -2))),
    ("unsqueeze_dim", (2, 3), lambda t: t.unsqueeze_(5)),
    ("as_strided_bounds", (2, 3), lambda t: t.as_strided_((3, 3), (1, 1), 10)),
    ("as_strided_negative", (2, 3), lambda t: t.as_strided_((3, 3), (-1, 1))),
    ("as_strided_lengths", (2, 3), lambda t: t.as_strided_((3, 3), (1,))),
]


@pytest.mark.parametrize("name,shape,function", INPLACE_VIEW_ERRORS,
                         ids=[r[0] for r in INPLACE_VIEW_ERRORS])
def test_inplace_view_errors(name, shape, function):
    check_error(lambda lib, x: function(x), Input(_data(*shape)))

    def unchanged(lib, x):
        y = x * 2
        try:
            function(y)
        except (RuntimeError, IndexError):
            pass
        return y, y._version
    check(unchanged, grad_input(_data(*shape)), strides=True)


# ---- resize_ --------------------------------------------------------------------------------

def test_resize_grows_keeping_the_elements_in_front():
    def run(lib, x):
        y = x.clone()
        result = y.resize_(2, 5)
        # the elements past the old ones are uninitialised in torch: compare the kept ones
        return result is y, _layout(y), y.reshape(-1)[:6]
    check(run, Input(_data(6)))


@pytest.mark.parametrize("shape,size", [((6,), (2, 2)), ((2, 3), (3, 2)), ((2, 3), ()),
                                        ((2, 3), (0,)), ((2, 3), [1, 6])])
def test_resize_within_the_storage(shape, size):
    def run(lib, x):
        y = x.clone()
        y.resize_(size)
        return y, _layout(y)
    check(run, Input(_data(*shape)), strides=True)


def test_resize_to_the_same_shape_changes_nothing():
    def run(lib, x):
        y = x.clone().t()
        y.resize_(3, 2)
        same = _layout(y)
        y.resize_(3, 2, memory_format=lib.contiguous_format)
        return same, _layout(y), y
    check(run, Input(_data(2, 3)), strides=True)


def test_resize_of_a_transposed_tensor_restrides_contiguously():
    def run(lib, x):
        y = x.clone().t()
        y.resize_(2, 3)
        return y, _layout(y)
    check(run, Input(_data(2, 3)), strides=True)


def test_resize_of_a_view_keeps_its_offset_and_shares_the_grown_storage():
    def run(lib, x):
        base = x.clone()
        view = base[2:]
        view.resize_(10)
        view[0] = 100.0
        base[1] = -5.0
        return _layout(view), _layout(base), base, view[:4], view._base is base
    check(run, Input(_data(6)))


def test_growing_moves_every_tensor_sharing_the_storage():
    def run(lib, x):
        y = x.clone()
        matrix = y.view(2, 3)
        tail = y[3:]
        detached = y.detach()
        y.resize_(20)
        y[0] = 100.0
        tail[1] = 7.0
        return matrix, tail, detached, _layout(matrix), _layout(tail), _layout(detached), y[:6]
    check(run, Input(_data(6)), strides=True)


@pytest.mark.parametrize("shape,memory_format", [((2, 3, 4, 5), "channels_last"),
                                                  ((2, 3, 4, 5, 6), "channels_last_3d"),
                                                  ((2, 3), "contiguous_format")])
def test_resize_with_a_memory_format(shape, memory_format):
    def run(lib, x):
        y = x.clone()
        y.resize_(shape, memory_format=getattr(lib, memory_format))
        return _layout(y)
    check(run, Input(_data(2)))


def test_resize_as_():
    def run(lib, x, template):
        y = x.clone()
        y.resize_as_(template.t())
        plain = _layout(y)
        channels_last = lib.zeros(2, 4, 5, 3).permute(0, 3, 1, 2)
        z = x.clone()
        z.resize_as_(channels_last, memory_format=lib.preserve_format)
        kept = x.clone().t()
        kept.resize_as_(template.t(), memory_format=lib.preserve_format)
        return plain, _layout(z), _layout(kept)
    check(run, Input(_data(4, 3)), Input(_data(3, 4)))


RESIZE_ERRORS = [
    ("requires_grad_leaf", lambda lib, x: x.resize_(3)),
    ("requires_grad_non_leaf", lambda lib, x: (x * 2).resize_(2, 2)),
    ("requires_grad_no_grad", lambda lib, x: _under_no_grad(lib, lambda: x.resize_(6))),
    ("requires_grad_as", lambda lib, x: x.resize_as_(x.detach())),
    ("negative", lambda lib, x: x.detach().clone().resize_(-1, 2)),
    ("float_size", lambda lib, x: x.detach().clone().resize_(2.0)),
    ("rank_for_channels_last", lambda lib, x: x.detach().clone().resize_(
        2, 3, memory_format=lib.channels_last)),
    ("preserve_format", lambda lib, x: x.detach().clone().resize_(
        2, 3, memory_format=lib.preserve_format)),
    ("template_type", lambda lib, x: x.detach().clone().resize_as_(5)),
]


def _under_no_grad(lib, function):
    with lib.no_grad():
        return function()


@pytest.mark.parametrize("name,function", RESIZE_ERRORS, ids=[r[0] for r in RESIZE_ERRORS])
def test_resize_errors(name, function):
    check_error(function, grad_input(_data(2, 3)))


# ---- set_ -----------------------------------------------------------------------------------

def test_set_to_a_tensor_shares_its_memory_and_geometry():
    def run(lib, x):
        y = lib.zeros(3)
        source = x.clone().reshape(3, 4)[1:, ::2]
        result = y.set_(source)
        source[0, 0] = 99.0
        return (result is y, y, _layout(y), y._base is None, source._version,
                y.untyped_storage().data_ptr() == source.untyped_storage().data_ptr())
    check(run, Input(_data(12).astype(np.float32)), strides=True)


@pytest.mark.parametrize("arguments", [(2, (2, 3), (3, 1)), (2, (2, 3)), (1, (2,), (2,)), ()])
def test_set_to_a_storage(arguments):
    def run(lib, x):
        y = lib.zeros(1, dtype=x.dtype)
        y.set_(x.clone().untyped_storage(), *arguments)
        return y, _layout(y)
    check(run, Input(_data(12)), strides=True)


def test_set_with_keywords():
    def run(lib, x):
        y = lib.zeros(1, dtype=x.dtype)
        y.set_(source=x.clone().untyped_storage(), storage_offset=1, size=(2,), stride=(3,))
        return y, _layout(y)
    check(run, Input(_data(12)), strides=True)


def test_set_past_the_end_grows_the_shared_storage():
    def run(lib, x):
        source = x.clone()
        y = lib.zeros(1, dtype=x.dtype)
        y.set_(source.untyped_storage(), 2, (3,), (1,))
        y[1] = 7.0
        return source, _layout(source), _layout(y), y[:2]
    check(run, Input(_data(4)), strides=True)


def test_set_without_arguments_empties_the_tensor():
    def run(lib, x):
        y = x.clone()
        y.set_()
        return y, _layout(y)
    check(run, Input(_data(2, 3)), strides=True)


def test_set_records_a_node_that_refuses_backward():
    def run(lib, x, source):
        y = x * 2
        y.set_(source)
        names = tuple(type(node).__name__ if node is not None else None
                      for node, _ in y.grad_fn.next_functions)
        plain = lib.zeros(3, dtype=source.dtype)
        plain.set_(source)
        empty = x * 2
        empty.set_()
        return (_grad_fn_name(y), names, _grad_fn_name(plain), plain.requires_grad,
                _grad_fn_name(empty), len(empty.grad_fn.next_functions))
    check(run, grad_input(_data(3)), grad_input(_data(4)), grad=False)
    check_error(lambda lib, x: (x * 2).set_(lib.zeros(4, dtype=x.dtype)).sum().backward(),
                grad_input(_data(3)))


def test_set_under_no_grad_records_nothing():
    def run(lib, x):
        y = lib.zeros(3, dtype=x.dtype)
        with lib.no_grad():
            y.set_(x)
            x.set_(lib.zeros(4, dtype=x.dtype))
        return y.requires_grad, _grad_fn_name(y), _layout(x), x.requires_grad
    check(run, grad_input(_data(3)), grad=False)


SET_ERRORS = [
    ("dtype_int", lambda lib, x: x.set_(lib.zeros(2, dtype=lib.int64))),
    ("dtype_half", lambda lib, x: x.set_(lib.zeros(2, dtype=lib.float16))),
    ("dtype_complex", lambda lib, x: x.set_(lib.zeros(2, dtype=lib.complex128))),
    ("dtype_bool", lambda lib, x: x.set_(lib.zeros(2, dtype=lib.bool))),
    ("lengths", lambda lib, x: x.set_(lib.zeros(4).untyped_storage(), 0, (2,), (1, 1))),
    ("offset", lambda lib, x: x.set_(lib.zeros(4).untyped_storage(), -1, (2,))),
    ("argument_type", lambda lib, x: x.set_(5)),
]


@pytest.mark.parametrize("name,function", SET_ERRORS, ids=[r[0] for r in SET_ERRORS])
def test_set_errors(name, function):
    check_error(function, Input(_data(2).astype(np.float32)))


# ---- users of the in-place views ------------------------------------------------------------

@pytest.mark.parametrize("name,shape", [("dropout1d", (3, 4)), ("dropout1d", (2, 3, 4)),
                                        ("dropout3d", (2, 3, 4, 5)),
                                        ("dropout2d", (2, 3, 4))])
def test_feature_dropout_in_place_keeps_the_tensor(name, shape):
    def run(lib, x):
        y = x.clone()
        # p=1 drops every channel: the result does not depend on the random stream
        result = getattr(lib.nn.functional, name)(y, 1.0, training=True, inplace=True)
        return result is y, result, _layout(y)
    if name == "dropout2d":
        with pytest.warns(UserWarning):
            check(run, Input(_data(*shape)), strides=True)
    else:
        check(run, Input(_data(*shape)), strides=True)
