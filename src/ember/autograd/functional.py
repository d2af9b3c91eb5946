"""Functional higher-order tools: jacobian, hessian, vjp, jvp, hvp, vhp (reverse mode)."""
from ember._tensor import Tensor
from ember.autograd.backward import grad as autograd_grad
from ember.autograd.grad_mode import enable_grad

__all__ = ["jacobian", "hessian", "vjp", "jvp", "hvp", "vhp"]


def _tupled(value):
    return ((value,), False) if isinstance(value, Tensor) else (tuple(value), True)


def _prepare(inputs, create_graph):
    """Fresh differentiable copies of the inputs (the caller's tensors are left untouched)."""
    return tuple(t if create_graph and t._requires_grad else t.detach().requires_grad_(True)
                 for t in inputs)


def _grads(outputs, inputs, cotangents, create_graph, strict):
    result = autograd_grad(outputs, inputs, cotangents, create_graph=create_graph,
                           retain_graph=True, allow_unused=True)
    filled = []
    for position, (grad, tensor) in enumerate(zip(result, inputs)):
        if grad is None:
            if strict:
                raise RuntimeError(f"The output of the user-provided function is independent "
                                   f"of input {position}. This is not allowed in strict mode.")
            grad = tensor.detach() * 0
        filled.append(grad)
    return tuple(filled)


def _finish(value, create_graph):
    return value if create_graph else value.detach()


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), v^T J): the vector-Jacobian product at inputs."""
    inputs, input_is_tuple = _tupled(inputs)
    with enable_grad():
        inputs = _prepare(inputs, create_graph)
        outputs, output_is_tuple = _tupled(func(*inputs))
        if v is None:
            if len(outputs) != 1 or outputs[0].numel() != 1:
                raise RuntimeError("The vector v can only be None if the user-provided function "
                                   "returns a single Tensor with a single element.")
            v = (outputs[0].detach() * 0 + 1,)
        else:
            v, _ = _tupled(v)
        grads = _grads(outputs, inputs, v, create_graph, strict)
    outputs = tuple(_finish(o, create_graph) for o in outputs)
    grads = tuple(_finish(g, create_graph) for g in grads)
    return (outputs if output_is_tuple else outputs[0], grads if input_is_tuple else grads[0])


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), J v): the Jacobian-vector product, by the double-backward trick."""
    inputs, input_is_tuple = _tupled(inputs)
    with enable_grad():
        inputs = _prepare(inputs, create_graph)
        outputs, output_is_tuple = _tupled(func(*inputs))
        if v is None:
            if len(inputs) != 1 or inputs[0].numel() != 1:
                raise RuntimeError("The vector v can only be None if the input to the "
                                   "user-provided function is a single Tensor with a single "
                                   "element.")
            v = (inputs[0].detach() * 0 + 1,)
        else:
            v, _ = _tupled(v)
        dummies = tuple((o.detach() * 0).requires_grad_(True) for o in outputs)
        grads = _grads(outputs, inputs, dummies, True, strict)
        products = _grads(grads, dummies, v, create_graph, strict)
    outputs = tuple(_finish(o, create_graph) for o in outputs)
    products = tuple(_finish(p, create_graph) for p in products)
    return (outputs if output_is_tuple else outputs[0],
            products if output_is_tuple else products[0])


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False,
             strategy="reverse-mode"):
    """The Jacobian of func at inputs, one block per (output, input) pair, shaped
    output.shape + input.shape."""
    inputs, input_is_tuple = _tupled(inputs)
    with enable_grad():
        inputs = _prepare(inputs, create_graph)
        outputs, output_is_tuple = _tupled(func(*inputs))
        blocks = []
        for out in outputs:
            rows = [[] for _ in inputs]
            flat = out.reshape(-1)
            for index in range(flat.numel()):
                if out._requires_grad:
                    grads = _grads((flat[index],), inputs, None, create_graph, strict)
                else:
                    grads = tuple(t.detach() * 0 for t in inputs)
                for position, grad in enumerate(grads):
                    rows[position].append(grad)
            from ember.ops.joining import stack
            block = tuple(
                _finish(stack(rows[p]).reshape(tuple(out.shape) + tuple(t.shape))
                        if rows[p] else (t.detach() * 0).reshape(tuple(out.shape) +
                                                                 tuple(t.shape)),
                        create_graph)
                for p, t in enumerate(inputs))
            blocks.append(block if input_is_tuple else block[0])
    return tuple(blocks) if output_is_tuple else blocks[0]


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False,
            outer_jacobian_strategy="reverse-mode"):
    """The Hessian of a scalar function at inputs."""
    inputs_tuple, input_is_tuple = _tupled(inputs)

    def gradient(*values):
        out = func(*values)
        if out.numel() != 1:
            raise RuntimeError("The function given to hessian should return a single Tensor "
                               "with a single element.")
        return _grads((out.reshape(()),), values, None, True, strict)

    result = jacobian(gradient, inputs_tuple, create_graph=create_graph, strict=strict)
    if input_is_tuple:
        return result
    return result[0][0]


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), v^T H) for a scalar function."""
    inputs, input_is_tuple = _tupled(inputs)
    with enable_grad():
        inputs = _prepare(inputs, create_graph)
        out = func(*inputs)
        grads = _grads((out,), inputs, None, True, strict)
        v, _ = _tupled(v)
        products = _grads(grads, inputs, v, create_graph, strict)
    products = tuple(_finish(p, create_graph) for p in products)
    return _finish(out, create_graph), products if input_is_tuple else products[0]


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), H v) for a scalar function (H is symmetric, so it equals vhp)."""
    return vhp(func, inputs, v, create_graph, strict)
