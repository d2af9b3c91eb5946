"""Differential checks of recurrent and attention modules against torch: the torch module is
built under a fixed seed, its state is copied into the ember module through NumPy, both run the
same inputs, and outputs, input gradients and every parameter gradient are compared."""
from collections import OrderedDict

import numpy as np
import torch

import ember
from oracle import Input, assert_matches, assert_tensor_matches, to_numpy


def copy_state(mine, theirs):
    """Loads torch module `theirs`'s state dict into ember module `mine` through NumPy."""
    state = OrderedDict((key, ember.from_numpy(value.detach().numpy().copy()))
                        for key, value in theirs.state_dict().items())
    mine.load_state_dict(state)


def _to_library(library, value):
    if isinstance(value, Input):
        tensor = library.from_numpy(value.array.copy())
        return tensor.requires_grad_(True) if value.requires_grad else tensor
    if isinstance(value, np.ndarray):
        return library.from_numpy(value.copy())
    if isinstance(value, tuple):
        return tuple(_to_library(library, item) for item in value)
    return value


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


def same_repr(mine, theirs):
    """Asserts the module printouts are identical (library names unified)."""
    assert repr(mine).replace("ember.", "torch.") == repr(theirs), f"\n{mine}\n!=\n{theirs}"
