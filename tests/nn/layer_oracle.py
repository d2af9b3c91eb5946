"""Differential checks of nn layers against torch over several steps: the torch module's state
is copied into the ember module through NumPy; both run the same inputs in train and eval modes,
and outputs, input gradients, parameter gradients and buffers (running statistics) are
compared after every step."""
from collections import OrderedDict

import numpy as np
import torch

import ember
from oracle import assert_tensor_matches, to_numpy


def copy_state(mine, theirs):
    """Loads torch module `theirs`'s state_dict into ember module `mine` through NumPy."""
    state = OrderedDict((key, ember.from_numpy(value.detach().numpy().copy()))
                        for key, value in theirs.state_dict().items())
    mine.load_state_dict(state)


def _as_library(library, value, requires_grad):
    if not isinstance(value, np.ndarray):
        return value
    tensor = library.from_numpy(value.copy())
    if requires_grad and value.dtype.kind == "f":
        tensor.requires_grad_(True)
    return tensor


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
            mine_inputs = [_as_library(ember, a, input_grads) for a in arrays]
            theirs_inputs = [_as_library(torch, a, input_grads) for a in arrays]
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


def same_repr(build):
    """The module printouts of build(ember) and build(torch) are identical."""
    mine = repr(build(ember)).replace("ember.", "torch.")
    theirs = repr(build(torch))
    assert mine == theirs, f"\n{mine}\n!=\n{theirs}"
