"""The handle every register_*hook returns: one class, printed as torch's
torch.utils.hooks.RemovableHandle, removable directly or as a context manager."""
from collections import OrderedDict

import numpy as np
import pytest

import ember
from oracle import check, grad_input, torch

X = np.random.default_rng(3).standard_normal((3,))

REGISTRATIONS = {
    "tensor": lambda lib: lib.ones(2, requires_grad=True).register_hook(lambda grad: grad),
    "non_leaf": lambda lib: (lib.ones(2, requires_grad=True) * 2).register_hook(
        lambda grad: grad),
    "node": lambda lib: (lib.ones(2, requires_grad=True) * 2).grad_fn.register_hook(
        lambda grad_inputs, grad_outputs: None),
    "node_prehook": lambda lib: (lib.ones(2, requires_grad=True) * 2).grad_fn.register_prehook(
        lambda grad_outputs: None),
    "post_accumulate": lambda lib: lib.ones(2, requires_grad=True)
    .register_post_accumulate_grad_hook(lambda tensor: None),
    "module_forward": lambda lib: lib.nn.Linear(2, 2).register_forward_hook(
        lambda *args: None),
    "module_full_backward": lambda lib: lib.nn.Linear(2, 2).register_full_backward_hook(
        lambda *args: None),
    "optimizer_step": lambda lib: lib.optim.SGD([lib.ones(2, requires_grad=True)], lr=0.1)
    .register_step_pre_hook(lambda *args: None),
}


@pytest.mark.parametrize("registration", sorted(REGISTRATIONS))
def test_handle_class(registration):
    mine = REGISTRATIONS[registration](ember)
    theirs = REGISTRATIONS[registration](torch)
    assert str(type(mine)) == str(type(theirs)).replace("torch.", "ember.")
    assert type(mine) is ember.utils.hooks.RemovableHandle
    assert isinstance(mine.id, int)


def test_ids_count_up_across_kinds_of_hook():
    first = REGISTRATIONS["tensor"](ember)
    second = REGISTRATIONS["module_forward"](ember)
    assert second.id > first.id


@pytest.mark.parametrize("remove", ["remove", "context_manager"])
def test_removed_hook_no_longer_runs(remove):
    def scenario(lib, x):
        calls = []
        y = x * 2
        handle = y.register_hook(lambda grad: calls.append(1) or grad * 10)
        if remove == "remove":
            handle.remove()
            handle.remove()  # a second remove is harmless
        else:
            with handle as entered:
                assert entered is handle
        y.sum().backward()
        return x.grad, len(calls)
    check(scenario, grad_input(X), grad=False)


def test_hook_runs_while_its_handle_lives():
    def scenario(lib, x):
        y = x * 2
        handle = y.register_hook(lambda grad: grad * 10)
        y.sum().backward()
        handle.remove()
        return x.grad
    check(scenario, grad_input(X), grad=False)


@pytest.mark.parametrize("extra_count", [0, 1, 2])
def test_extra_dict_entries_go_with_the_hook(extra_count):
    def tables(lib):
        # OrderedDicts: torch's handle refers to its tables weakly, and plain dicts refuse that
        hooks = OrderedDict()
        extras = [OrderedDict() for _ in range(extra_count)]
        extra_dict = extras[0] if extra_count == 1 else (extras or None)
        handle = lib.utils.hooks.RemovableHandle(hooks, extra_dict=extra_dict)
        for table in (hooks, *extras):
            table[handle.id] = "hook"
            table[-1] = "another hook"
        handle.remove()
        return [list(table.values()) for table in (hooks, *extras)]
    assert tables(ember) == tables(torch)
