"""In-place writes under autograd: through views (CopySlices on the base), index assignment,
history regeneration of sibling views — gradients and grad_fn names against torch."""
import numpy as np
import pytest

from oracle import check, check_error, grad_input

RNG = np.random.default_rng(7)
X = RNG.standard_normal((3, 4))
V = RNG.standard_normal((4,))


def _select_mul(lib, x):
    b = x * 1
    b[1].mul_(2)
    return b


def _transpose_add(lib, x):
    b = x * 1
    b.t().add_(1)
    return b


def _narrow_copy(lib, x, v):
    b = x * 1
    b.narrow(1, 0, 2).copy_(v[:2].expand(3, 2))
    return b


def _setitem_row(lib, x, v):
    b = x * 2
    b[0] = v
    return b


def _setitem_scalar(lib, x):
    b = x * 2
    b[:, 1:3] = 5.0
    return b


def _mask_times_two(lib, x):
    b = x * 1
    b[b > 0] *= 2
    return b


def _view_then_sin(lib, x):
    y = x * 2
    y[0].sin_()
    return y * y


def _nested_views(lib, x):
    b = x * 1
    v = b[0]
    w = v[1:]
    w.add_(1)
    return b, v, w


def _sibling_view_sees_new_history(lib, x):
    b = x * 1
    first = b[:, 0]
    b[:, 1].mul_(3)
    return first * 1, b


def _base_written_in_place(lib, x):
    b = x * 1
    view = b[1:]
    b.mul_(2)
    return view, b


def _leaf_into_zero_buffer(lib, v):
    buffer = lib.zeros(3, 4, dtype=v.dtype)
    buffer[1] = v
    return buffer


def _setitem_on_view(lib, x, v):
    b = x * 1
    row = b[2]
    row[1:3] = v[:2]
    return b, row


def _strided_view_of_a_slice(lib, x):
    # unsqueeze of a stepped slice needs a strided view: it must still lead back to the base
    b = x * 1
    view = b[:, ::2].unsqueeze(2)
    view.mul_(10)
    expanded = b[1:2].expand(3, -1)
    return b, view, expanded * 1


CASES = [
    ("select mul_", _select_mul, (grad_input(X),)),
    ("t add_", _transpose_add, (grad_input(X),)),
    ("narrow copy_", _narrow_copy, (grad_input(X), grad_input(V))),
    ("setitem row", _setitem_row, (grad_input(X), grad_input(V))),
    ("setitem scalar", _setitem_scalar, (grad_input(X),)),
    ("mask *= 2", _mask_times_two, (grad_input(X),)),
    ("view sin_", _view_then_sin, (grad_input(X),)),
    ("nested views", _nested_views, (grad_input(X),)),
    ("sibling view", _sibling_view_sees_new_history, (grad_input(X),)),
    ("base in place", _base_written_in_place, (grad_input(X),)),
    ("into buffer", _leaf_into_zero_buffer, (grad_input(V),)),
    ("setitem on view", _setitem_on_view, (grad_input(X), grad_input(V))),
    ("strided view of slice", _strided_view_of_a_slice, (grad_input(X),)),
]


@pytest.mark.parametrize("name,function,inputs", CASES, ids=[c[0] for c in CASES])
def test_in_place_through_views_matches_torch(name, function, inputs):
    check(function, *inputs)


def test_in_place_on_view_of_leaf_raises():
    check_error(lambda lib, x: x[0].mul_(2), grad_input(X))
    check_error(lambda lib, x: x.t().add_(1), grad_input(X))


def test_view_of_leaf_is_writable_under_no_grad():
    def run(lib, x):
        with lib.no_grad():
            x[0].mul_(2)
        return x

    check(run, grad_input(X), grad=False)


def test_hand_written_node_names_carry_the_autograd_namespace():
    from oracle import torch
    import ember
    for lib, prefix in ((ember, "ember"), (torch, "torch")):
        leaf = lib.tensor([1.0, 2.0], requires_grad=True)
        written = leaf.clone()
        written[0] = 5.0
        assert written.grad_fn.name() == f"{prefix}::autograd::CopySlices"
        accumulate = (leaf * 2).grad_fn.next_functions[0][0]
        assert accumulate.name() == f"{prefix}::autograd::AccumulateGrad"
        assert lib.remainder(2, leaf).grad_fn.name() == f"{prefix}::autograd::NotImplemented"
        assert (leaf * 2).grad_fn.name() == "MulBackward0"
