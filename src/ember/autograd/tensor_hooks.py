"""Tensor-level autograd hooks: register_hook, retain_grad, post-accumulate-grad hooks."""
import weakref

from ember._tensor import Tensor
from ember.autograd.graph import accumulator_of, add_hook

__all__ = []


def _output_nr(tensor):
    extra = tensor._extra
    return 0 if extra is None else extra.get("output_nr", 0)


def _node_metadata(node):
    if node._metadata is None:
        node._metadata = {}
    return node._metadata


def register_hook(self, hook):
    """hook(grad) runs when this tensor's gradient is computed; it may return a replacement."""
    if not self._requires_grad:
        raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
    node = self._grad_fn
    if node is None:
        hooks = self._extras().setdefault("hooks", {})
        accumulator_of(self)
        return add_hook(hooks, hook)
    table = _node_metadata(node).setdefault("tensor_hooks", {})
    return add_hook(table.setdefault(_output_nr(self), {}), hook)


def retain_grad(self):
    """Makes a non-leaf tensor keep its .grad after backward (a no-op on leaves)."""
    if not self._requires_grad:
        raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
    if self._grad_fn is None:
        return
    retained = _node_metadata(self._grad_fn).setdefault("retained", {})
    retained[_output_nr(self)] = weakref.ref(self)
    self._extras()["retains_grad"] = True


def register_post_accumulate_grad_hook(self, hook):
    """hook(tensor) runs after a gradient has been accumulated into this leaf's .grad."""
    if self._grad_fn is not None:
        raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf "
                           "tensors")
    if not self._requires_grad:
        raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
    node = accumulator_of(self)
    # The accumulator is cached weakly; the tensor keeps it alive while hooks are attached.
    self._extras()["accumulator"] = node
    if node._post_hooks is None:
        node._post_hooks = {}
    return add_hook(node._post_hooks, hook)


Tensor.register_hook = register_hook
Tensor.retain_grad = retain_grad
Tensor.register_post_accumulate_grad_hook = register_post_accumulate_grad_hook
