"""Activation checkpointing, as torch.utils.checkpoint: trade compute for memory by running a
segment of the forward pass without keeping its intermediate results, and running it again
during backward to get them.

The reentrant variant (use_reentrant=True, and PyTorch's default when the argument is omitted)
is the real thing: the forward runs under no_grad, and the backward recomputes the segment with
the random-number state it first saw, then differentiates it. ember has no saved-tensor hooks,
which PyTorch's non-reentrant variant is built on, so use_reentrant=False runs the segment as an
ordinary part of the graph: the same results, gradients and grad_fn names, without the memory
saving."""
import warnings

from ember._tensor import Tensor
from ember.autograd import Function, backward
from ember.autograd.grad_mode import enable_grad, no_grad
from ember.ops.sampling import get_rng_state, set_rng_state

__all__ = ["checkpoint", "checkpoint_sequential"]

_CHECKPOINT_NEEDS_REENTRANT = (
    "torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly. Starting "
    "in PyTorch 2.9, calling checkpoint without use_reentrant will raise an exception. "
    "use_reentrant=False is recommended, but if you need to preserve the current default "
    "behavior, you can pass use_reentrant=True. Refer to docs for more details on the "
    "differences between the two variants.")
_SEQUENTIAL_NEEDS_REENTRANT = (
    "torch.utils.checkpoint.checkpoint_sequential: the use_reentrant parameter should be passed "
    "explicitly. In version 2.9 we will raise an exception if use_reentrant is not passed. "
    "use_reentrant=False is recommended, but if you need to preserve the current default "
    "behavior, you can pass use_reentrant=True. Refer to docs for more details on the "
    "differences between the two variants.")


class CheckpointFunction(Function):
    """The reentrant checkpoint: its node shows as CheckpointFunctionBackward, as PyTorch's."""

    @staticmethod
    def forward(ctx, run_function, preserve_rng_state, *args):
        ctx.run_function = run_function
        ctx.rng_state = get_rng_state() if preserve_rng_state else None
        ctx.tensor_positions = []
        ctx.arguments = list(args)
        tensors = []
        for position, value in enumerate(args):
            if isinstance(value, Tensor):
                ctx.tensor_positions.append(position)
                tensors.append(value)
                ctx.arguments[position] = None
        ctx.save_for_backward(*tensors)
        with no_grad():
            return run_function(*args)

    @staticmethod
    def backward(ctx, *grad_outputs):
        arguments = list(ctx.arguments)
        tensors = ctx.saved_tensors
        inputs = []
        for position, tensor in zip(ctx.tensor_positions, tensors):
            detached = tensor.detach()
            detached.requires_grad_(tensor.requires_grad)
            arguments[position] = detached
            inputs.append(detached)
        if ctx.rng_state is not None:
            rng_state_after_forward = get_rng_state()
            set_rng_state(ctx.rng_state)
        try:
            with enable_grad():
                outputs = ctx.run_function(*arguments)
        finally:
            if ctx.rng_state is not None:
                set_rng_state(rng_state_after_forward)
        if isinstance(outputs, Tensor):
            outputs = (outputs,)
        differentiable, grads = [], []
        for output, grad in zip(outputs, grad_outputs):
            if isinstance(output, Tensor) and output.requires_grad:
                differentiable.append(output)
                grads.append(grad)
        if not differentiable:
            raise RuntimeError("none of output has requires_grad=True, this checkpoint() is "
                               "not necessary")
        backward(differentiable, grads)
        input_grads = [detached.grad for detached in inputs]
        grads_by_position = dict(zip(ctx.tensor_positions, input_grads))
        return (None, None) + tuple(grads_by_position.get(position)
                                    for position in range(len(arguments)))


def checkpoint(function, *args, use_reentrant=None, context_fn=None,
               determinism_check="default", debug=False, early_stop=True, **kwargs):
    """Runs function(*args) without keeping its intermediate results for backward (see the
    module docstring for the two variants)."""
    if use_reentrant is None:
        warnings.warn(_CHECKPOINT_NEEDS_REENTRANT, stacklevel=2)
        use_reentrant = True
    preserve_rng_state = kwargs.pop("preserve_rng_state", True)
    if kwargs and use_reentrant:
        raise ValueError("Unexpected keyword arguments: " + ",".join(arg for arg in kwargs))
    if not use_reentrant:
        return function(*args, **kwargs)
    if context_fn is not None or debug:
        raise ValueError("Passing `context_fn` or `debug` is only supported when "
                         "use_reentrant=False.")
    if not any(isinstance(value, Tensor) and value.requires_grad for value in args):
        warnings.warn("None of the inputs have requires_grad=True. Gradients will be None",
                      stacklevel=2)
    return CheckpointFunction.apply(function, preserve_rng_state, *args)


def checkpoint_sequential(functions, segments, input, use_reentrant=None, **kwargs):
    """Runs a Sequential (or list of modules) in `segments` chunks, checkpointing every chunk but
    the last."""
    if use_reentrant is None:
        warnings.warn(_SEQUENTIAL_NEEDS_REENTRANT, stacklevel=2)
        use_reentrant = True
    preserve_rng_state = kwargs.pop("preserve_rng_state", True)
    if kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(arg for arg in kwargs))
    if hasattr(functions, "children"):
        functions = list(functions.children())
    segment_size = len(functions) // segments
    end = -1
    for start in range(0, segment_size * (segments - 1), segment_size):
        end = start + segment_size - 1
        input = checkpoint(_run_segment(start, end, functions), input,
                           use_reentrant=use_reentrant, preserve_rng_state=preserve_rng_state)
    return _run_segment(end + 1, len(functions) - 1, functions)(input)


def _run_segment(start, end, functions):
    def forward(input):
        for position in range(start, end + 1):
            input = functions[position](input)
        return input
    return forward
