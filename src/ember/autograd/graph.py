"""Graph nodes: the Node base class, AccumulateGrad for leaves, and saved-tensor checks."""
import itertools
import re
import sys
import weakref

from ember._errors import dtype_name

__all__ = ["Node", "AccumulateGrad", "edge_of", "accumulator_of"]

_sequence = itertools.count()

FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed "
    "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
    "backward through the graph a second time or if you need to access saved tensors after "
    "calling backward.")


# The nodes PyTorch writes by hand in torch::autograd rather than generating per op
_AUTOGRAD_NAMESPACE_NODES = frozenset(("AccumulateGrad", "CopySlices", "NotImplemented",
                                       "GraphRoot", "Error"))


class Node:
    """A backward function in the autograd graph, as torch.autograd.graph.Node."""

    __slots__ = ("next_functions", "_sequence_nr", "_hooks", "_pre_hooks", "metadata",
                 "__weakref__")

    def name(self):
        name = type(self).__name__
        if name in _AUTOGRAD_NAMESPACE_NODES:
            # PyTorch's hand-written C++ nodes report their namespace (torch::autograd::...)
            return "ember::autograd::" + name
        return name

    def register_hook(self, hook):
        """hook(grad_inputs, grad_outputs) runs after this node; may return new grad_inputs."""
        if self._hooks is None:
            self._hooks = {}
        return _Handle(self._hooks, hook)

    def register_prehook(self, hook):
        """hook(grad_outputs) runs before this node; may return new grad_outputs."""
        if self._pre_hooks is None:
            self._pre_hooks = {}
        return _Handle(self._pre_hooks, hook)

    def _init_node(self, next_functions):
        self.next_functions = next_functions
        self._sequence_nr = next(_sequence)
        self._hooks = None
        self._pre_hooks = None
        self.metadata = None

    def __repr__(self):
        return f"<{type(self).__name__} object at {id(self):#x}>"

    def _release(self):
        """Frees saved tensors after a backward without retain_graph."""


class _Handle:
    """A removable hook registration, as torch.utils.hooks.RemovableHandle."""

    _ids = itertools.count()

    def __init__(self, table, hook):
        self.id = next(_Handle._ids)
        self._table = table
        table[self.id] = hook

    def remove(self):
        self._table.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


class AccumulateGrad(Node):
    """The node that adds an incoming gradient into a leaf tensor's .grad."""

    __slots__ = ("variable", "_post_hooks")

    def __init__(self, variable):
        self.next_functions = ()
        # PyTorch gives AccumulateGrad the highest priority so leaves are filled promptly.
        self._sequence_nr = sys.maxsize
        self._hooks = None
        self._pre_hooks = None
        self.metadata = None
        self.variable = variable
        self._post_hooks = None


def accumulator_of(tensor):
    """The tensor's AccumulateGrad node, created once and cached weakly, as PyTorch does."""
    ref = tensor._accumulator
    node = ref() if ref is not None else None
    if node is None:
        node = AccumulateGrad(tensor)
        tensor._accumulator = weakref.ref(node)
    return node


def edge_of(tensor):
    """The (node, input_nr) pair through which a gradient flows back into `tensor`."""
    node = tensor._grad_fn
    if node is not None:
        extra = tensor._extra
        if extra is None:
            return (node, 0)
        if "view_version" in extra:
            node = tensor.grad_fn
        return (node, extra.get("output_nr", 0))
    if tensor._requires_grad:
        return (accumulator_of(tensor), 0)
    return (None, 0)


def version_mismatch(tensor, saved_version):
    """PyTorch's error for a saved tensor modified in place after it was saved."""
    shape = list(tensor._data.shape)
    type_name = dtype_name(tensor.dtype)
    producer = ""
    if tensor._grad_fn is not None:
        # PyTorch names the producing op without its "Backward<k>" suffix
        op_name = re.sub(r"Backward\d*$", "", type(tensor._grad_fn).__name__)
        output_nr = tensor._extra.get("output_nr", 0) if tensor._extra is not None else 0
        producer = f", which is output {output_nr} of {op_name},"
    return RuntimeError(
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: [torch.{type_name}Tensor {shape}]{producer} is at version "
        f"{tensor._version}; expected version {saved_version} instead. Hint: enable anomaly "
        "detection to find the operation that failed to compute its gradient, with "
        "torch.autograd.set_detect_anomaly(True, check_nan=False).")
