"""In-place writes into views whose history autograd refuses to rewrite: the outputs of a
function returning several views (unbind, split, chunk...), views made in no_grad mode or in
inference mode of a tensor that requires grad, and the views made from those. Each error's
type and message against torch's; the base is left unchanged; the writes torch allows still
work."""
import numpy as np
import pytest

from oracle import check, check_error, grad_input, to_numpy

RNG = np.random.default_rng(11)
X = RNG.standard_normal((4, 3))
MASK = np.array([True, False, True])

MULTI_VIEW_OPS = {
    "unbind": lambda lib, b: b.unbind(0),
    "unbind_dim1": lambda lib, b: lib.unbind(b, 1),
    "split": lambda lib, b: b.split(2),
    "split_sizes": lambda lib, b: b.split([1, 3]),
    "split_with_sizes": lambda lib, b: lib.split_with_sizes(b, [3, 1]),
    "chunk": lambda lib, b: b.chunk(2),
    "iter": lambda lib, b: list(b),
}

WRITES = {
    "mul_": lambda lib, v: v.mul_(2),
    "add_": lambda lib, v: v.add_(1),
    "iadd": lambda lib, v: v.__iadd__(1),
    "exp_": lambda lib, v: v.exp_(),
    "clamp_": lambda lib, v: v.clamp_(0, 1),
    "copy_": lambda lib, v: v.copy_(lib.zeros(v.shape)),
    "fill_": lambda lib, v: v.fill_(0),
    "zero_": lambda lib, v: v.zero_(),
    "uniform_": lambda lib, v: v.uniform_(),
    "setitem_int": lambda lib, v: v.__setitem__(0, 5.0),
    "setitem_slice": lambda lib, v: v.__setitem__(slice(0, 1), 5.0),
    "setitem_ellipsis": lambda lib, v: v.__setitem__(Ellipsis, 5.0),
    "setitem_list": lambda lib, v: v.__setitem__([0], 5.0),
    "index_put_": lambda lib, v: v.index_put_((lib.tensor([0]),), lib.tensor(2.0)),
    "masked_fill_": lambda lib, v: v.masked_fill_(lib.tensor(MASK[:v.shape[-1]]), 0.0),
    "index_fill_": lambda lib, v: v.index_fill_(0, lib.tensor([0]), 1.0),
    "t_": lambda lib, v: v.t_(),
    "unsqueeze_": lambda lib, v: v.unsqueeze_(0),
    "as_strided_": lambda lib, v: v.as_strided_((2,), (1,)),
}


def _refused(make_view, write, base_from_leaf=lambda leaf: leaf * 1):
    """Asserts both libraries refuse write(view) with the same error, leaving the base's
    values as they were."""
    bases = []

    def scenario(lib, leaf):
        base = base_from_leaf(leaf)
        bases.append(base)
        write(lib, make_view(lib, base))
    check_error(scenario, grad_input(X))
    for base in bases:
        np.testing.assert_array_equal(to_numpy(base), X)


@pytest.mark.parametrize("op", sorted(MULTI_VIEW_OPS))
@pytest.mark.parametrize("output", [0, 1])
def test_multi_view_output_written_in_place(op, output):
    _refused(lambda lib, b: MULTI_VIEW_OPS[op](lib, b)[output], WRITES["mul_"])


@pytest.mark.parametrize("write", sorted(WRITES))
def test_every_in_place_path_refuses_an_unbind_output(write):
    _refused(lambda lib, b: b.unbind(0)[1], WRITES[write])


def test_multi_view_output_of_a_leaf():
    _refused(lambda lib, b: b.split(2)[0], WRITES["add_"], base_from_leaf=lambda leaf: leaf)


@pytest.mark.parametrize("make_view", [
    lambda lib, b: b.split(2)[0][0],
    lambda lib, b: b.split(2)[1].view(6),
    lambda lib, b: b.chunk(2)[0].t(),
    lambda lib, b: b.unbind(0)[2].narrow(0, 0, 2),
    lambda lib, b: b.unbind(0)[2][1:],
], ids=["select", "view", "t", "narrow", "slice"])
def test_views_of_multi_view_outputs_are_refused_too(make_view):
    _refused(make_view, WRITES["mul_"])


def _made_in(mode):
    def make_view(lib, base):
        context = lib.no_grad() if mode == "no_grad" else lib.inference_mode()
        with context:
            return base[1]
    return make_view


@pytest.mark.parametrize("mode", ["no_grad", "inference_mode"])
@pytest.mark.parametrize("write", ["mul_", "copy_", "fill_", "zero_", "setitem_int",
                                   "setitem_slice", "masked_fill_", "index_fill_", "t_"])
def test_view_made_without_grad_written_with_grad(mode, write):
    _refused(_made_in(mode), WRITES[write])


@pytest.mark.parametrize("mode", ["no_grad", "inference_mode"])
def test_view_made_without_grad_of_a_leaf(mode):
    _refused(_made_in(mode), WRITES["add_"], base_from_leaf=lambda leaf: leaf)


def _nested(outer, inner):
    """A view made by `inner` (with grad mode on) of a view `outer` made under no_grad."""
    def make_view(lib, base):
        with lib.no_grad():
            view = outer(base)
        return inner(view)
    return make_view


@pytest.mark.parametrize("make_view", [
    _nested(lambda b: b[0], lambda v: v[1:]),
    _nested(lambda b: b[0], lambda v: v[1]),
    _nested(lambda b: b[0], lambda v: v.t()),
    _nested(lambda b: b[0], lambda v: v.view(3)),
    _nested(lambda b: b.split(2)[0], lambda v: v[0]),
    _nested(lambda b: b[0:2], lambda v: v.split(1)[0]),
    _nested(lambda b: b[0:2], lambda v: v.unbind(0)[1]),
], ids=["slice", "select", "t", "view", "select_of_split", "split", "unbind"])
def test_views_of_a_view_made_in_no_grad(make_view):
    _refused(make_view, WRITES["mul_"])


def test_view_made_in_no_grad_of_a_multi_view_output():
    def make_view(lib, base):
        piece = base.split(2)[0]
        with lib.no_grad():
            return piece[0]
    _refused(make_view, WRITES["mul_"])


# ---- indirectly: the base or a sibling written, the view's history then asked for -----------

def _history_after(make_view, write_base, grad_mode_write=True):
    def scenario(lib, leaf):
        base = leaf * 1
        view = make_view(lib, base)
        if grad_mode_write:
            write_base(base)
        else:
            with lib.no_grad():
                write_base(base)
        return view.grad_fn
    check_error(scenario, grad_input(X))


@pytest.mark.parametrize("grad_mode_write", [True, False])
@pytest.mark.parametrize("make_view", [
    lambda lib, b: b.split(2)[0],
    lambda lib, b: b.unbind(0)[3],
    lambda lib, b: b.split(2)[0][1],
    _made_in("no_grad"),
    _made_in("inference_mode"),
], ids=["split", "unbind", "select_of_split", "no_grad", "inference_mode"])
def test_history_of_a_flagged_view_after_its_base_was_written(make_view, grad_mode_write):
    _history_after(make_view, lambda base: base.mul_(2), grad_mode_write)


def test_sibling_written_in_no_grad_then_the_other_output_used():
    def scenario(lib, leaf):
        first, second = (leaf * 1).split(2)
        with lib.no_grad():
            first.mul_(2)
        return second.sum()
    check_error(scenario, grad_input(X))


def test_multi_view_output_written_in_no_grad_then_its_history():
    def scenario(lib, leaf):
        first, _ = (leaf * 1).split(2)
        with lib.no_grad():
            first.mul_(2)
        return first.grad_fn
    check_error(scenario, grad_input(X))


# ---- what torch allows ----------------------------------------------------------------------

@pytest.mark.parametrize("make_pieces", [
    lambda lib, b: b.tensor_split(2),
    lambda lib, b: b.tensor_split([1]),
    lambda lib, b: b.hsplit(3),
    lambda lib, b: b.vsplit(2),
], ids=["tensor_split", "tensor_split_indices", "hsplit", "vsplit"])
def test_slicing_splits_may_be_written_in_place(make_pieces):
    def scenario(lib, leaf):
        base = leaf * 1
        pieces = make_pieces(lib, base)
        pieces[0].mul_(2)
        return base, pieces[0], pieces[1]
    check(scenario, grad_input(X))


def test_multi_view_outputs_without_grad_may_be_written():
    def scenario(lib, x):
        pieces = x.split(2)
        pieces[0].mul_(2)
        return x, pieces[1]
    check(scenario, X)


def test_writes_inside_no_grad_are_allowed():
    def scenario(lib, leaf):
        base = leaf * 1
        with lib.no_grad():
            view = base[1]
            view.mul_(2)
            base.unbind(0)[0].add_(1)
        return base
    check(scenario, grad_input(X))


def test_view_made_in_no_grad_of_a_tensor_without_grad_may_be_written():
    def scenario(lib, x):
        with lib.no_grad():
            view = x[0:2]
        view.mul_(2)
        return x
    check(scenario, X)


def test_split_outputs_still_differentiate():
    def scenario(lib, leaf):
        first, second = (leaf * 1).split([1, 3])
        return first * 2, second.sin()
    check(scenario, grad_input(X))


def test_views_made_with_grad_carry_no_flag():
    import ember
    base = ember.tensor(X, requires_grad=True) * 1
    view = base[1]
    assert "creation_meta" not in view._extra
    assert ember.ones(3)[0]._extra is None


@pytest.mark.parametrize("index", [
    (0, Ellipsis), (Ellipsis,), Ellipsis, (None,), (0, None), (slice(None), 0), slice(None),
    (slice(0, 2), slice(None)), (Ellipsis, 0, None, Ellipsis), (0, slice(0, 2)),
], ids=repr)
def test_indexed_view_of_a_view_made_in_no_grad(index):
    _refused(_nested(lambda b: b[0:2], lambda v: v[index]), WRITES["mul_"])


@pytest.mark.parametrize("index", [(0, Ellipsis), (None,), (slice(None), 0), (0, slice(0, 2))],
                         ids=repr)
def test_indexed_write_into_a_view_made_in_no_grad(index):
    def make_view(lib, base):
        with lib.no_grad():
            return base[0:2]
    _refused(make_view, lambda lib, v: v.__setitem__(index, 5.0))
