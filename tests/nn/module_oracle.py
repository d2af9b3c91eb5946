"""Differential checks of nn modules against torch. The torch module's state is copied into
the ember module through NumPy; both run the same inputs. compare_module runs several steps in
train and eval modes and compares outputs, input and parameter gradients and buffers (running
statistics) after every step; compare_modules takes any forward function (recurrent and
attention modules with several inputs and outputs) and compares gradients through
autograd.grad."""
from collections import OrderedDict

import numpy as np
import torch

import ember
from oracle import Input, assert_matches, assert_tensor_matches, to_numpy


def copy_state(mine, theirs):
    """Loads torch module `theirs`'s state_dict into ember module `mine` through NumPy."""
    state = OrderedDict((key, ember.from_numpy(value.detach().numpy().copy()))
                        for key, value in theirs.state_dict().items())
    mine.load_state_dict(state)


def _to_library(library, value, requires_grad=False):
    """An Input, ndarray or tuple of them as `library` tensors; with requires_grad, plain
    floating arrays become differentiable too."""
    if isinstance(value, Input):
        tensor = library.from_numpy(value.array.copy())
        return tensor.requires_grad_(True) if value.requires_grad else tensor
    if isinstance(value, np.ndarray):
        tensor = library.from_numpy(value.copy())
        if requires_grad and value.dtype.kind == "f":
            tensor.requires_grad_(True)
        return tensor
    if isinstance(value, tuple):
        return tuple(_to_library(library, item, requires_grad) for item in value)
    return value


def compare_module(build, *arrays, modes=("train", "eval"), steps=2, seed=0, atol=None,
                   rtol=None, grad_fn=True, input_grads=True):
    """build(lib) -> module. Runs `steps` forward/backward passes per mode on both libraries
    and compares everything observable. Returns the ember module."""
    theirs = build(torch)
    mine = build(ember)
    copy_state(mine, theirs)
    rng = np.random.default_rng(seed)
    tolerance = {"atol": atol, "rtol": rtol}
    for mode in modes:
        mine.train(mode == "train")
        theirs.train(mode == "train")
        for step in range(steps):
            where = f"{mode} step {step}"
            mine_inputs = [_to_library(ember, a, input_grads) for a in arrays]
            theirs_inputs = [_to_library(torch, a, input_grads) for a in arrays]
            mine_out = mine(*mine_inputs)
            theirs_out = theirs(*theirs_inputs)
            assert_tensor_matches(mine_out, theirs_out, where=where, grad_fn=grad_fn,
                                  **tolerance)
            if theirs_out.requires_grad:
                cotangent = rng.standard_normal(tuple(theirs_out.shape)).astype(
                    to_numpy(theirs_out).dtype)
                theirs_out.backward(torch.from_numpy(cotangent.copy()))
                mine_out.backward(ember.from_numpy(cotangent.copy()))
                for index, (a, b) in enumerate(zip(mine_inputs, theirs_inputs)):
                    if isinstance(b, torch.Tensor) and b.requires_grad:
                        assert_tensor_matches(a.grad, b.grad, where=f"{where} input {index} grad",
                                              grad_fn=False, **tolerance)
            _compare_parameters(mine, theirs, where, tolerance)
            _compare_buffers(mine, theirs, where, tolerance)
    return mine


def _compare_parameters(mine, theirs, where, tolerance):
    mine_params = dict(mine.named_parameters())
    theirs_params = dict(theirs.named_parameters())
    assert list(mine_params) == list(theirs_params), f"{where}: parameter names"
    for name, b in theirs_params.items():
        a = mine_params[name]
        assert_tensor_matches(a, b, where=f"{where} {name}", grad_fn=False, **tolerance)
        if b.grad is None:
            assert a.grad is None, f"{where} {name}.grad should be None"
        else:
            assert_tensor_matches(a.grad, b.grad, where=f"{where} {name}.grad", grad_fn=False,
                                  **tolerance)


def _compare_buffers(mine, theirs, where, tolerance):
    mine_buffers = dict(mine.named_buffers())
    theirs_buffers = dict(theirs.named_buffers())
    assert list(mine_buffers) == list(theirs_buffers), f"{where}: buffer names"
    for name, b in theirs_buffers.items():
        assert_tensor_matches(mine_buffers[name], b, where=f"{where} buffer {name}",
                              grad_fn=False, **tolerance)


def _tensors(value):
    if isinstance(value, (tuple, list)):
        return [tensor for item in value for tensor in _tensors(item)]
    return [value]


def build_pair(build, seed=0):
    """(ember module, torch module) with the torch module's state copied into ember's."""
    torch.manual_seed(seed)
    theirs = build(torch)
    mine = build(ember)
    copy_state(mine, theirs)
    return mine, theirs


def compare_modules(build, forward, *inputs, train=True, atol=2e-5, rtol=2e-4, grad_fn=False,
                    seed=0):
    """Runs forward(lib, module, *args) on both libraries and compares outputs, the gradients
    of a random cotangent with respect to the differentiable inputs and to every parameter.
    Returns (ember module, ember outputs)."""
    mine, theirs = build_pair(build, seed)
    mine.train(train)
    theirs.train(train)
    mine_args = [_to_library(ember, value) for value in inputs]
    theirs_args = [_to_library(torch, value) for value in inputs]
    mine_out = forward(ember, mine, *mine_args)
    theirs_out = forward(torch, theirs, *theirs_args)
    assert_matches(mine_out, theirs_out, atol=atol, rtol=rtol, grad_fn=grad_fn)
    names = [name for name, _ in theirs.named_parameters()]
    assert [name for name, _ in mine.named_parameters()] == names
    theirs_wrt = [t for t in _tensors(theirs_args) if isinstance(t, torch.Tensor)
                  and t.requires_grad] + list(theirs.parameters())
    mine_wrt = [t for t in _tensors(mine_args) if isinstance(t, ember.Tensor)
                and t.requires_grad] + list(mine.parameters())
    rng = np.random.default_rng(seed)
    pairs = [(a, b) for a, b in zip(_tensors(mine_out), _tensors(theirs_out))
             if isinstance(b, torch.Tensor) and b.requires_grad]
    cotangents = [rng.standard_normal(tuple(b.shape)).astype(to_numpy(b).dtype)
                  for _, b in pairs]
    theirs_grads = torch.autograd.grad([b for _, b in pairs], theirs_wrt,
                                       [torch.from_numpy(c.copy()) for c in cotangents],
                                       allow_unused=True)
    mine_grads = ember.autograd.grad([a for a, _ in pairs], mine_wrt,
                                     [ember.from_numpy(c.copy()) for c in cotangents],
                                     allow_unused=True)
    labels = [f"input grad {i}" for i in range(len(theirs_wrt) - len(names))] + names
    for label, a, b in zip(labels, mine_grads, theirs_grads):
        if b is None:
            assert a is None or not np.any(to_numpy(a)), f"{label}: torch has no gradient"
            continue
        assert a is not None, f"{label}: ember has no gradient"
        assert_tensor_matches(a, b, atol=atol, rtol=rtol, grad_fn=False, where=label)
    return mine, mine_out


def same_printout(mine, theirs):
    """Asserts the module printouts are identical (library names unified)."""
    assert repr(mine).replace("ember.", "torch.") == repr(theirs), f"\n{mine}\n!=\n{theirs}"


def same_repr(build):
    """The module printouts of build(ember) and build(torch) are identical."""
    same_printout(build(ember), build(torch))
