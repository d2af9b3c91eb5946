"""What torch.func's transform levels do, with ember's ordinary autograd.

A transform makes its inputs differentiable: a fresh leaf for a tensor that does not require
grad, a view for one that does (so an outer transform, or ordinary autograd, still sees the
path). On the way out, a result is cut from the graph (detached) unless its graph reaches a
leaf this level did not create: then it stays differentiable for the enclosing level, which
is how grad(grad(f)) and hessian work without levels. Under an enclosing no_grad nothing
outside records, so every result is cut off."""
from ember._tensor import Tensor
from ember.autograd.backward import grad as autograd_grad
from ember.autograd.grad_mode import is_grad_enabled
from ember.autograd.graph import AccumulateGrad
from ember.func._pytree import tree_map
from ember.ops.creation import zeros_like


class Level:
    """The leaves one transform call created; decides what leaves the call attached."""

    def __init__(self):
        self.fresh = {}
        # under an enclosing no_grad nothing outside records: every result is cut off
        self.outside_records = is_grad_enabled()

    def differentiable(self, value):
        """A differentiable stand-in for one input leaf (torch's _create_differentiable)."""
        if not isinstance(value, Tensor):
            raise ValueError(f"Thing passed to transform API must be Tensor, got {type(value)}")
        if value.requires_grad and self.outside_records:
            wrapped = value.view_as(value)
        else:
            wrapped = value.detach().requires_grad_(True)
        self.fresh[id(wrapped)] = wrapped
        return wrapped

    def leaf(self, like):
        """A fresh zero leaf shaped like `like` (the dummy cotangent of the jvp trick)."""
        dummy = zeros_like(like).requires_grad_(True)
        self.fresh[id(dummy)] = dummy
        return dummy

    def reaches_outside(self, tensor):
        """Whether the graph of `tensor` reaches a leaf this level did not create."""
        if not self.outside_records:
            return False
        if not isinstance(tensor, Tensor) or not tensor.requires_grad:
            return False
        root = tensor.grad_fn
        if root is None:
            return id(tensor) not in self.fresh
        pending = [root]
        seen = {id(root)}
        while pending:
            node = pending.pop()
            if isinstance(node, AccumulateGrad):
                if id(node.variable) not in self.fresh:
                    return True
                continue
            for following, _ in node.next_functions:
                if following is not None and id(following) not in seen:
                    seen.add(id(following))
                    pending.append(following)
        return False

    def any_reaches_outside(self, tensors):
        return any(self.reaches_outside(tensor) for tensor in tensors)

    def unwrap(self, tensor):
        """The tensor as the enclosing level sees it (torch's _undo_create_differentiable)."""
        if not isinstance(tensor, Tensor):
            raise RuntimeError(f"Expected tensors, got unsupported type {type(tensor)}")
        if tensor.requires_grad and not self.reaches_outside(tensor):
            return tensor.detach()
        return tensor

    def unwrap_tree(self, tree):
        return tree_map(self.unwrap, tree)


def autograd_grad_or_zeros(outputs, inputs, grad_outputs=None, create_graph=True):
    """autograd.grad over the outputs that require grad, zeros for unreached inputs
    (torch.func's _autograd_grad)."""
    if grad_outputs is None:
        pairs = [(out, None) for out in outputs if out.requires_grad]
    else:
        pairs = [(out, go) for out, go in zip(outputs, grad_outputs) if out.requires_grad]
    if not pairs:
        return tuple(zeros_like(tensor) for tensor in inputs)
    diff_outputs = [out for out, _ in pairs]
    cotangents = None if grad_outputs is None else [go for _, go in pairs]
    grads = autograd_grad(diff_outputs, list(inputs), cotangents, retain_graph=True,
                          create_graph=create_graph, allow_unused=True)
    return tuple(zeros_like(tensor) if grad is None else grad
                 for grad, tensor in zip(grads, inputs))
