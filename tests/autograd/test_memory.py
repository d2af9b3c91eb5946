"""Graphs release what they hold: saved arrays after backward, whole graphs with their output."""
import gc
import weakref

import ember


def test_saved_arrays_are_released_after_backward():
    x = ember.randn(1000, requires_grad=True)
    hidden = x.exp()
    saved_array = weakref.ref(hidden._data)
    loss = (hidden * x).sum()
    del hidden
    assert saved_array() is not None
    loss.backward()
    assert saved_array() is None


def test_retain_graph_keeps_saved_arrays():
    x = ember.randn(10, requires_grad=True)
    hidden = x.exp()
    saved_array = weakref.ref(hidden._data)
    loss = (hidden * x).sum()
    del hidden
    loss.backward(retain_graph=True)
    assert saved_array() is not None


def test_graph_is_freed_with_its_output_without_garbage_collection():
    x = ember.randn(10, requires_grad=True)
    gc.disable()
    try:
        output = (x.sin() * x).tanh().sum()
        node = weakref.ref(output.grad_fn)
        deeper = weakref.ref(output.grad_fn.next_functions[0][0])
        del output
        assert node() is None and deeper() is None
    finally:
        gc.enable()


def test_leaf_accumulator_does_not_outlive_the_graph():
    x = ember.randn(3, requires_grad=True)
    gc.disable()
    try:
        output = x * 2
        accumulator = weakref.ref(output.grad_fn.next_functions[0][0])
        del output
        assert accumulator() is None
    finally:
        gc.enable()
