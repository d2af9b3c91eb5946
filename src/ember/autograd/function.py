"""Custom differentiable operations: autograd.Function, its ctx, and once_differentiable."""
import functools

from ember._tensor import Tensor, _wrap
from ember.autograd.grad_mode import STATE, no_grad
from ember.autograd.graph import (FREED_MESSAGE, Node, PackedValues, edge_of, pack_saved,
                                  version_mismatch)

__all__ = ["Function", "FunctionCtx", "FunctionMeta", "once_differentiable"]


class FunctionCtx:
    """The context a custom Function's forward and backward share (PyTorch's ctx)."""

    def save_for_backward(self, *tensors):
        self.to_save = tensors

    def save_for_forward(self, *tensors):
        self.saved_for_forward = tensors

    def mark_dirty(self, *tensors):
        self.dirty_tensors = tensors

    def mark_non_differentiable(self, *tensors):
        self.non_differentiable = tensors

    def set_materialize_grads(self, value):
        self.materialize_grads = value


class BackwardFunction(FunctionCtx, Node):
    """The graph node of a custom Function; like PyTorch's, the node is also the ctx."""

    _forward_cls = None

    # Python's default repr, as PyTorch's Python-defined nodes print:
    # <ember.autograd.function.FBackward object at 0x...>
    __repr__ = object.__repr__

    def __init__(self):
        self._init_node(())
        self.to_save = ()
        self._saved = ()
        self.dirty_tensors = ()
        self.non_differentiable = ()
        self.materialize_grads = True
        self.needs_input_grad = ()
        self._output_meta = ()
        self._released = False

    @property
    def saved_tensors(self):
        if self._released:
            raise RuntimeError(FREED_MESSAGE)
        if type(self._saved) is PackedValues:
            return tuple(self._saved.unpack())
        for tensor, version in self._saved:
            if tensor is not None and tensor._version != version:
                raise version_mismatch(tensor, version)
        return tuple(tensor for tensor, _ in self._saved)

    def _release(self):
        # as PyTorch: only a node that saved tensors refuses a second backward's access
        if self._saved:
            self._released = True
            self._saved = ()

    def apply(self, grad_outputs):
        if self.materialize_grads:
            from ember.ops.creation import zeros
            grad_outputs = [zeros(shape, dtype=dtype) if grad is None else grad
                            for grad, (shape, dtype) in zip(grad_outputs, self._output_meta)]
        result = self._forward_cls.backward(self, *grad_outputs)
        if not isinstance(result, tuple):
            result = (result,)
        expected = len(self.needs_input_grad)
        if len(result) != expected:
            if len(result) > expected and all(g is None for g in result[expected:]):
                result = result[:expected]
            else:
                raise RuntimeError(
                    f"function {type(self).__name__} returned an incorrect number of gradients "
                    f"(expected {expected}, got {len(result)})")
        for grad in result:
            if grad is not None and not isinstance(grad, Tensor):
                raise RuntimeError(f"expected Variable or None (got {type(grad).__name__})")
        grads = []
        for position, ((node, _), grad) in enumerate(zip(self._input_edges, result)):
            meta = self._input_meta[position]
            if grad is not None and meta is not None and tuple(grad.shape) != meta:
                if not _broadcastable_to(tuple(grad.shape), meta):
                    raise RuntimeError(
                        f"Function {type(self).__name__} returned an invalid gradient at index "
                        f"{position} - got {list(grad.shape)} but expected shape compatible "
                        f"with {list(meta)}")
                grad = grad.sum_to_size(meta)
            grads.append(grad if node is not None else None)
        return [g for g, keep in zip(grads, self._tensor_positions) if keep]


def _broadcastable_to(shape, target):
    if len(shape) > len(target):
        return False
    return all(s == t or s == 1 for s, t in zip(shape[::-1], target[::-1]))


class FunctionMeta(type):
    """Gives every Function subclass its own node class, named <Name>Backward."""

    def __init__(cls, name, bases, attributes):
        backward_cls = type(name + "Backward", (BackwardFunction,),
                            {"_forward_cls": cls,
                             # this module's name, or torch's under the script runner
                             "__module__": BackwardFunction.__module__})
        cls._backward_cls = backward_cls
        super().__init__(name, bases, attributes)


class Function(metaclass=FunctionMeta):
    """Base class for custom differentiable operations, as torch.autograd.Function."""

    def __init__(self, *args, **kwargs):
        import warnings
        warnings.warn(f"{type(self)} should not be instantiated. Methods on autograd functions "
                      "are all static, so you should invoke them on the class itself. "
                      "Instantiating an autograd function will raise an error in a future "
                      "version of PyTorch.", DeprecationWarning, stacklevel=2)

    def __call__(self, *args, **kwargs):
        raise RuntimeError(
            "Legacy autograd function with non-static forward method is deprecated. Please use "
            "new-style autograd function with static forward method. (Example: "
            "https://pytorch.org/docs/stable/autograd.html#torch.autograd.Function)")

    @staticmethod
    def forward(*args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom "
                                  "autograd.Function.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for "
                                  "your custom autograd.Function to use it with backward mode "
                                  "AD.")

    vjp = backward

    @classmethod
    def apply(cls, *args, **kwargs):
        """Runs forward without recording and connects the outputs to a <Name>Backward node."""
        ctx = cls._backward_cls()
        ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a._requires_grad for a in args)
        uses_setup_context = "setup_context" in _defined_methods(cls)
        with no_grad():
            if uses_setup_context:
                outputs = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, outputs)
            else:
                outputs = cls.forward(ctx, *args, **kwargs)
        return _connect_outputs(ctx, args, outputs)


def _defined_methods(cls):
    names = set()
    for klass in cls.__mro__:
        if klass is Function:
            break
        names.update(vars(klass))
    return names


def _connect_outputs(ctx, args, outputs):
    single = not isinstance(outputs, tuple)
    output_list = [outputs] if single else list(outputs)
    records = STATE.enabled and any(ctx.needs_input_grad)
    ctx._tensor_positions = tuple(isinstance(a, Tensor) for a in args)
    ctx._input_edges = [edge_of(a) if isinstance(a, Tensor) else (None, 0) for a in args]
    ctx._input_meta = [tuple(a.shape) if isinstance(a, Tensor) else None for a in args]
    ctx.next_functions = tuple(edge for edge, keep in zip(ctx._input_edges,
                                                           ctx._tensor_positions) if keep)
    dirty = {id(t) for t in ctx.dirty_tensors}
    non_differentiable = {id(t) for t in ctx.non_differentiable}
    input_ids = {id(a) for a in args if isinstance(a, Tensor)}
    metas = []
    for position, output in enumerate(output_list):
        if not isinstance(output, Tensor):
            metas.append(((), None))
            continue
        if id(output) in input_ids and id(output) not in dirty:
            # an input returned as-is becomes a new view of it, as PyTorch does
            alias = _wrap(output._data)
            alias._storage = output._shared_storage()
            alias._version_counter = output._shared_version()
            alias._view_base = output if output._view_base is None else output._view_base
            output_list[position] = output = alias
        metas.append((output._data.shape, output.dtype))
        if records and id(output) not in non_differentiable and output.is_floating_point():
            output._grad_fn = ctx
            output._requires_grad = True
            if len(output_list) > 1:
                output._extras()["output_nr"] = position
    ctx._output_meta = tuple(metas)
    if len(output_list) > 1:
        if ctx._metadata is None:
            ctx._metadata = {}
        # kept beside what the user may have put in ctx.metadata during forward
        ctx._metadata["output_meta"] = tuple((shape, None) for shape, _ in metas)
    saved = []
    for position, tensor in enumerate(ctx.to_save):
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"save_for_backward can only save variables, but argument "
                            f"{position} is of type {type(tensor).__name__}")
        saved.append((tensor, tensor._version if tensor is not None else 0))
    if STATE.saved_hooks:
        # under saved_tensors_hooks the hooks keep the tensors (and no versions are checked)
        ctx._saved = pack_saved([tensor for tensor, _ in saved],
                                lambda value: value is not None)
    else:
        ctx._saved = tuple(saved)
    return output_list[0] if single else tuple(output_list)


def once_differentiable(backward):
    """Marks a Function.backward as not itself differentiable: it runs without recording."""
    @functools.wraps(backward)
    def wrapper(ctx, *grads):
        with no_grad():
            return backward(ctx, *grads)
    return wrapper
