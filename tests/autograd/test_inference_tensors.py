"""Inference tensors: what is_inference() reports for tensors made inside and outside
inference_mode (and their views, detach(), .data), and torch's errors for using one with
autograd: saved for backward, written in place or made to require grad outside inference mode."""
import threading

import numpy as np
import pytest

import ember
from oracle import check, check_error, grad_input, to_numpy

X = np.random.default_rng(5).standard_normal((3,))


def _made_inside(lib, x):
    """Tensors made inside inference_mode, in every way a tensor is made."""
    with lib.inference_mode():
        return {
            "operator": x * 2, "method": x.exp(), "reduction": x.sum(), "clone": x.clone(),
            "zeros": lib.zeros(3), "ones_like": lib.ones_like(x), "tensor": lib.tensor([1.0]),
            "arange": lib.arange(3), "randn": lib.randn(2), "from_numpy": lib.from_numpy(X),
            "full": lib.full((2,), 3.0), "cat": lib.cat([x, x]), "max": x.max(0)[0],
            "view": x[0:2], "detach": x.detach(), "data": x.data, "unbind": x.unbind(0)[0],
            "split": x.split(1)[0], "reshape": x.reshape(3, 1), "t": x.t(),
        }


def test_what_is_an_inference_tensor():
    mine, theirs = (_made_inside(lib, _tensor(lib)) for lib in (ember, _torch()))
    assert {name: t.is_inference() for name, t in mine.items()} == {
        name: t.is_inference() for name, t in theirs.items()}


def _tensor(lib):
    return lib.tensor(X)


def _torch():
    import torch
    return torch


@pytest.mark.parametrize("derive", [
    lambda y: y.detach(), lambda y: y.data, lambda y: y[0], lambda y: y.view(3),
    lambda y: y.unbind()[1], lambda y: y.split(2)[0], lambda y: y * 2, lambda y: y.clone(),
    lambda y: y.detach()[1:],
], ids=["detach", "data", "select", "view", "unbind", "split", "mul", "clone", "detach_slice"])
def test_what_a_tensor_made_outside_from_an_inference_tensor_is(derive):
    def scenario(lib, x):
        with lib.inference_mode():
            y = x * 1
        derived = derive(y)
        return derived, derived.is_inference()
    check(scenario, X)


INPLACE = {
    "add_": lambda lib, y: y.add_(1),
    "mul_": lambda lib, y: y.mul_(2),
    "copy_": lambda lib, y: y.copy_(lib.zeros(3)),
    "fill_": lambda lib, y: y.fill_(1),
    "zero_": lambda lib, y: y.zero_(),
    "setitem": lambda lib, y: y.__setitem__(0, 1.0),
    "setitem_list": lambda lib, y: y.__setitem__([0, 2], 1.0),
    "index_put_": lambda lib, y: y.index_put_((lib.tensor([0]),), lib.tensor(2.0, dtype=y.dtype)),
    "masked_fill_": lambda lib, y: y.masked_fill_(lib.tensor([True, False, True]), 0.0),
    "exp_": lambda lib, y: y.exp_(),
    "view_add_": lambda lib, y: y[0:2].add_(1),
}


@pytest.mark.parametrize("grad_mode", [True, False])
@pytest.mark.parametrize("write", sorted(INPLACE))
def test_in_place_update_outside_inference_mode(write, grad_mode):
    made = []

    def scenario(lib, x):
        with lib.inference_mode():
            y = x * 1
        made.append(y)
        with lib.set_grad_enabled(grad_mode):
            INPLACE[write](lib, y)
    error = check_error(scenario, X)
    assert "Inplace update to inference tensor outside InferenceMode" in str(error)
    # ember refuses before writing; torch writes first and raises as it bumps the version
    np.testing.assert_array_equal(to_numpy(made[1]), X)


@pytest.mark.parametrize("write", sorted(INPLACE))
def test_in_place_update_inside_inference_mode(write):
    def scenario(lib, x):
        with lib.inference_mode():
            y = x * 1
        with lib.inference_mode():
            INPLACE[write](lib, y)
            x.add_(1)
        return y, x
    check(scenario, X)


@pytest.mark.parametrize("use", [
    lambda lib, w, y: w * y,
    lambda lib, w, y: lib.mul(w.exp(), y),
    lambda lib, w, y: w.dot(y),
    lambda lib, w, y: (w * 2).div(y),
], ids=["mul", "exp_mul", "dot", "div"])
def test_saved_for_backward(use):
    def scenario(lib, w, x):
        with lib.inference_mode():
            y = x * 1
        return use(lib, w, y)
    check_error(scenario, grad_input(X), X)


def test_used_without_being_saved():
    def scenario(lib, w, x):
        with lib.inference_mode():
            y = x * 1
        return w + y, (w - y).sum()
    check(scenario, grad_input(X), X)


@pytest.mark.parametrize("set_flag", [
    lambda y: y.requires_grad_(), lambda y: setattr(y, "requires_grad", True),
    lambda y: y._version,
], ids=["requires_grad_", "requires_grad_attribute", "version"])
def test_refused_outside_inference_mode(set_flag):
    def scenario(lib, x):
        with lib.inference_mode():
            y = x * 1
        set_flag(y)
    check_error(scenario, X)


def test_flags_allowed_on_an_inference_tensor():
    def scenario(lib, x):
        with lib.inference_mode():
            y = x * 1
            made_to_require_grad = (x * 1).requires_grad_()
        return (y.requires_grad_(False), y.requires_grad, y.grad, y.is_leaf,
                made_to_require_grad.requires_grad, made_to_require_grad.is_inference())
    check(scenario, X)


def test_nested_modes():
    def scenario(lib, x):
        flags = []
        with lib.inference_mode():
            with lib.inference_mode(False):
                flags += [lib.is_grad_enabled(), lib.is_inference_mode_enabled(),
                          (x * 1).is_inference()]
            flags += [lib.is_grad_enabled(), lib.is_inference_mode_enabled()]
        with lib.no_grad():
            with lib.inference_mode(False):
                flags.append(lib.is_grad_enabled())
        flags += [lib.is_grad_enabled(), lib.is_inference_mode_enabled(), (x * 1).is_inference()]
        return flags
    check(scenario, X)


def test_decorated_function_makes_inference_tensors():
    def scenario(lib, x):
        @lib.inference_mode()
        def double(t):
            return t * 2
        result = double(x)
        return result, result.is_inference()
    check(scenario, X)


def test_other_threads_make_normal_tensors():
    x = ember.tensor(X)
    made = {}
    entered = threading.Event()
    release = threading.Event()

    def infer():
        with ember.inference_mode():
            entered.set()
            release.wait()
            made["inside"] = x * 2

    worker = threading.Thread(target=infer)
    worker.start()
    entered.wait()
    made["other thread"] = x * 2
    release.set()
    worker.join()
    torch = _torch()
    with torch.inference_mode():
        expected_inside = (torch.tensor(X) * 2).is_inference()
    assert made["inside"].is_inference() == expected_inside
    assert made["other thread"].is_inference() == (torch.tensor(X) * 2).is_inference()


def test_normal_tensors_carry_no_marker():
    # the marker lives in _extra, so a tensor made outside inference_mode pays nothing for it
    x = ember.tensor(X)
    assert (x + x)._extra is None
    assert x.exp()._extra is None
    assert x.is_inference() == _torch().tensor(X).is_inference()


def test_is_inference_function():
    def scenario(lib, x):
        with lib.inference_mode():
            y = x * 1
        return lib.is_inference(y), lib.is_inference(input=x)
    check(scenario, X)
    check_error(lambda lib: lib.is_inference(3))


def test_parameters_and_buffers_of_inference_tensors():
    def scenario(lib, x):
        with lib.inference_mode():
            y = x * 1
            inside = lib.nn.Parameter(x * 1)
            layer = lib.nn.Linear(2, 2)
        frozen = lib.nn.Parameter(y, requires_grad=False)
        return [t.is_inference() for t in (inside, layer.weight, frozen, lib.nn.Buffer(y))]
    check(scenario, X)
    check_error(lambda lib, x: lib.nn.Parameter(_inside_inference_mode(lib, x)), X)


def _inside_inference_mode(lib, x):
    with lib.inference_mode():
        return x * 1
