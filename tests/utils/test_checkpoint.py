"""Activation checkpointing against torch.utils.checkpoint: outputs, grad_fn names, gradients of
inputs and parameters, random-state replay, warnings and argument errors."""
import warnings

import numpy as np
import pytest

import ember
from oracle import assert_matches, check_error, requires_oracle, torch

pytestmark = requires_oracle


def _model(lib):
    layers = lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.Tanh(), lib.nn.Linear(4, 2),
                               lib.nn.Sigmoid())
    rng = np.random.default_rng(0)
    with lib.no_grad():
        for parameter in layers.parameters():
            values = rng.standard_normal(tuple(parameter.shape)).astype(np.float32)
            parameter.copy_(lib.from_numpy(values))
    return layers


def _inputs(lib):
    array = np.linspace(-1, 1, 6, dtype=np.float32).reshape(2, 3)
    return lib.from_numpy(array).requires_grad_()


def _run(lib, call):
    """call(lib, model, x) -> output; returns the output, its gradients and the warnings."""
    model = _model(lib)
    x = _inputs(lib)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        output = call(lib, model, x)
    (output * output).sum().backward()
    grads = [x.grad] + [parameter.grad for parameter in model.parameters()]
    messages = [str(w.message).replace("torch.", "ember.") for w in caught]
    return output, grads, messages


@pytest.mark.parametrize("options", [{}, {"use_reentrant": True}, {"use_reentrant": False},
                                     {"use_reentrant": True, "preserve_rng_state": False}])
def test_checkpoint_matches_torch(options):
    def call(lib, model, x):
        return lib.utils.checkpoint.checkpoint(lambda v, scale: model(v) * scale, x, 3.0,
                                               **options)
    mine, theirs = _run(ember, call), _run(torch, call)
    assert_matches(mine[0], theirs[0])
    assert_matches(mine[1], theirs[1], grad_fn=False)
    assert mine[2] == theirs[2]


def test_reentrant_checkpoint_keeps_no_intermediate_nodes():
    model = _model(ember)
    x = _inputs(ember)
    output = ember.utils.checkpoint.checkpoint(model, x, use_reentrant=True)
    assert type(output.grad_fn).__name__ == "CheckpointFunctionBackward"
    # the segment's own nodes (Addmm, Tanh, Sigmoid) exist only during backward
    assert [type(node).__name__ for node, _ in output.grad_fn.next_functions
            if node is not None] == ["AccumulateGrad"]


@pytest.mark.parametrize("segments", [1, 2, 4])
def test_checkpoint_sequential_matches_torch(segments):
    def call(lib, model, x):
        return lib.utils.checkpoint.checkpoint_sequential(model, segments, x,
                                                          use_reentrant=True)
    mine, theirs = _run(ember, call), _run(torch, call)
    assert_matches(mine[0], theirs[0])
    assert_matches(mine[1], theirs[1], grad_fn=False)


def test_checkpoint_sequential_warns_without_use_reentrant():
    def call(lib, model, x):
        return lib.utils.checkpoint.checkpoint_sequential(model, 2, x)
    assert _run(ember, call)[2] == _run(torch, call)[2]


def test_recomputation_replays_the_random_state():
    def dropped(x):
        return ember.nn.functional.dropout(x, 0.5, training=True) * 2

    ember.manual_seed(3)
    x = ember.ones(50, requires_grad=True)
    output = ember.utils.checkpoint.checkpoint(dropped, x, use_reentrant=True)
    output.sum().backward()
    # the recomputed dropout drops the same elements as the forward did
    assert ((x.grad != 0) == (output != 0)).all()
    assert 0 < int((output == 0).sum()) < 50


def test_checkpoint_of_inputs_without_grad_warns_as_torch():
    def call(lib):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            output = lib.utils.checkpoint.checkpoint(lib.sin, lib.ones(2), use_reentrant=True)
        return output.requires_grad, [str(w.message) for w in caught]
    assert call(ember) == call(torch)


@pytest.mark.parametrize("options", [{"use_reentrant": True, "foo": 1},
                                     {"use_reentrant": True, "context_fn": lambda: None},
                                     {"use_reentrant": True, "debug": True}])
def test_checkpoint_argument_errors(options):
    check_error(lambda lib: lib.utils.checkpoint.checkpoint(lib.sin, lib.ones(2), **options))
