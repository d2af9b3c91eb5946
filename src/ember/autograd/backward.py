"""The public entry points into the engine: Tensor.backward, autograd.backward, autograd.grad."""
from ember._tensor import Tensor
from ember.autograd.engine import run_backward

__all__ = ["backward", "grad"]


def _as_tuple(value):
    if value is None:
        return None
    if isinstance(value, Tensor):
        return (value,)
    return tuple(value)


def _make_grads(outputs, grad_outputs):
    """Checks given output gradients and creates the implicit ones for scalar outputs."""
    from ember.ops.creation import ones_like
    grads = []
    for position, (output, grad) in enumerate(zip(outputs, grad_outputs)):
        if grad is None:
            if output._requires_grad and output._data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            if output._requires_grad and output._data.dtype.kind != "f":
                raise RuntimeError("grad can be implicitly created only for real scalar "
                                   f"outputs but got {output.dtype}")
            grads.append(ones_like(output))
        else:
            if grad._data.shape != output._data.shape:
                raise RuntimeError(
                    f"Mismatch in shape: grad_output[{position}] has a shape of "
                    f"{grad.shape!r} and output[{position}] has a shape of "
                    f"{output.shape!r}.".replace("ember.Size", "torch.Size"))
            grads.append(grad)
    return grads


def _check_requires_grad(outputs):
    for position, output in enumerate(outputs):
        if not output._requires_grad:
            raise RuntimeError(f"element {position} of tensors does not require grad and does "
                               "not have a grad_fn")


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False,
             grad_variables=None, inputs=None):
    """Accumulates gradients of `tensors` into the .grad of the leaves they depend on."""
    outputs = _as_tuple(tensors)
    grads = _as_tuple(grad_tensors) or (None,) * len(outputs)
    if len(grads) != len(outputs):
        raise RuntimeError(f"got {len(grads)} tensors and {len(outputs)} gradients")
    inputs = _as_tuple(inputs)
    if inputs is not None and len(inputs) == 0:
        raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
    _check_requires_grad(outputs)
    grads = _make_grads(outputs, grads)
    if retain_graph is None:
        retain_graph = create_graph
    run_backward(outputs, grads, retain_graph, create_graph, inputs=inputs, accumulate=True)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """The gradients of outputs with respect to inputs, returned rather than accumulated."""
    outputs = _as_tuple(outputs)
    inputs = _as_tuple(inputs)
    grads = _as_tuple(grad_outputs) or (None,) * len(outputs)
    if allow_unused is None:
        allow_unused = materialize_grads
    _check_requires_grad(outputs)
    for tensor in inputs:
        if not tensor._requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    grads = _make_grads(outputs, grads)
    if retain_graph is None:
        retain_graph = create_graph
    result = run_backward(outputs, grads, retain_graph, create_graph, inputs=inputs,
                          accumulate=False)
    for position, value in enumerate(result):
        if value is None:
            if materialize_grads:
                from ember.ops.creation import zeros_like
                result[position] = zeros_like(inputs[position])
            elif not allow_unused:
                raise RuntimeError(
                    f"The differentiated Tensor at index {position} appears to not have been "
                    "used in the graph. Set allow_unused=True if this is the desired behavior.")
    return tuple(result)


def _tensor_backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
    """Computes the gradient of this tensor with respect to graph leaves."""
    backward(self, gradient, retain_graph, create_graph, inputs=inputs)


Tensor.backward = _tensor_backward
