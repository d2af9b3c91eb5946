"""Tensor and node hooks, retain_grad, post-accumulate hooks — compared with torch."""
import numpy as np
import pytest

from oracle import check, check_error, grad_input

VALUES = np.array([0.5, -1.0, 2.0])


def test_hook_on_non_leaf_replaces_gradient_and_retain_grad_sees_it():
    def run(lib, x):
        y = x * 2
        y.retain_grad()
        y.register_hook(lambda g: g * 10)
        (y * y).sum().backward()
        return x.grad, y.grad, y.retains_grad, x.retains_grad

    check(run, grad_input(VALUES), grad=False)


def test_hook_on_leaf_changes_accumulated_grad_and_autograd_grad():
    def run(lib, x):
        x.register_hook(lambda g: g * 5)
        (returned,) = lib.autograd.grad((x * 3).sum(), x)
        (x * 3).sum().backward()
        return returned, x.grad

    check(run, grad_input(VALUES), grad=False)


def test_removed_hook_no_longer_runs():
    def run(lib, x):
        handle = x.register_hook(lambda g: g * 5)
        handle.remove()
        (x * 3).sum().backward()
        return x.grad

    check(run, grad_input(VALUES), grad=False)


def test_hook_returning_none_keeps_gradient():
    def run(lib, x):
        seen = []
        y = x.sin()
        y.register_hook(lambda g: seen.append(g.clone()))
        y.sum().backward()
        return x.grad, seen[0]

    check(run, grad_input(VALUES), grad=False)


def test_post_accumulate_grad_hook_sees_the_filled_grad():
    def run(lib, x):
        seen = []
        x.register_post_accumulate_grad_hook(lambda t: seen.append(t.grad.clone()))
        (x * x).sum().backward()
        return seen[0]

    check(run, grad_input(VALUES), grad=False)


def test_node_hooks_and_prehooks():
    def run(lib, x):
        y = x * 2
        z = y.exp()
        z.grad_fn.register_prehook(lambda grad_outputs: (grad_outputs[0] * 2,))
        y.grad_fn.register_hook(lambda grad_inputs, grad_outputs: tuple(
            None if g is None else g + 1 for g in grad_inputs))
        z.sum().backward()
        return x.grad

    check(run, grad_input(VALUES), grad=False)


def test_hook_errors():
    check_error(lambda lib, x: x.register_hook(lambda g: g), VALUES)
    check_error(lambda lib, x: x.retain_grad(), VALUES)
    check_error(lambda lib, x: (x * 2).register_post_accumulate_grad_hook(lambda t: None),
                grad_input(VALUES))


@pytest.mark.parametrize("leaf", [True, False])
@pytest.mark.parametrize("hook", [
    lambda g: "bad",
    lambda g: g.new_ones(3),
    lambda g: g.double(),
    lambda g: g.int(),
])
def test_tensor_hook_results_are_checked_as_torch_checks_them(leaf, hook):
    def run(lib, x):
        target = x if leaf else x * 1
        target.register_hook(hook)
        (target * 2).sum().backward()
        return x.grad
    check_error(run, grad_input(np.array([1.0, 2.0], dtype=np.float32)))


def test_saved_tensors_hooks_pack_and_unpack_as_torch_does():
    from oracle import torch
    import ember
    logs = []
    grads = []
    for lib in (ember, torch):
        log = []
        x = lib.tensor([1.0, 2.0], requires_grad=True)

        def pack(tensor):
            log.append(("pack", tuple(tensor.shape)))
            return tensor * 1

        def unpack(tensor):
            log.append(("unpack", tuple(tensor.shape)))
            return tensor
        with lib.autograd.graph.saved_tensors_hooks(pack, unpack):
            values, vectors = lib.linalg.eigh(x.diag() + 1)
            out = x.pow(2).exp().sum() + values.sum() + vectors.abs().sum()
        out.backward()
        logs.append(log)
        grads.append(x.grad.numpy())
        # what the hooks keep is freed by backward, as saved tensors are
        with pytest.raises(RuntimeError, match="backward through the graph a second time"):
            out.backward()
        with lib.autograd.graph.save_on_cpu():
            y = x.sin()
        y.sum().backward()
    assert logs[0] == logs[1]
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-6)
