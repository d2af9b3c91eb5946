"""Graph nodes: the Node base class, AccumulateGrad for leaves, and saved-tensor checks."""
import itertools
import re
import sys
import weakref

from ember._errors import dtype_name

from ember.autograd.grad_mode import STATE

__all__ = ["Node", "AccumulateGrad", "edge_of", "accumulator_of", "saved_tensors_hooks",
           "save_on_cpu", "PackedValues", "RemovableHandle", "add_hook"]

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

    __slots__ = ("next_functions", "_sequence_nr", "_hooks", "_pre_hooks", "_metadata",
                 "__weakref__")

    def name(self):
        name = type(self).__name__
        if name in _AUTOGRAD_NAMESPACE_NODES:
            # PyTorch's hand-written C++ nodes report their namespace (torch::autograd::...)
            return "ember::autograd::" + name
        return name

    @property
    def metadata(self):
        """A dict of the user's own data about this node, made on first access; it lives inside
        the internal `_metadata` dict, which the engine tests for None on every node."""
        internal = self._metadata
        if internal is None:
            internal = self._metadata = {}
        user = internal.get("user")
        if user is None:
            user = internal["user"] = {}
        return user

    @metadata.setter
    def metadata(self, value):
        raise AttributeError(f"attribute 'metadata' of '{type(self).__name__}' objects is not "
                             "writable")

    def register_hook(self, hook):
        """hook(grad_inputs, grad_outputs) runs after this node; may return new grad_inputs."""
        if self._hooks is None:
            self._hooks = {}
        return add_hook(self._hooks, hook)

    def register_prehook(self, hook):
        """hook(grad_outputs) runs before this node; may return new grad_outputs."""
        if self._pre_hooks is None:
            self._pre_hooks = {}
        return add_hook(self._pre_hooks, hook)

    def _init_node(self, next_functions):
        self.next_functions = next_functions
        self._sequence_nr = next(_sequence)
        self._hooks = None
        self._pre_hooks = None
        self._metadata = None

    def __repr__(self):
        return f"<{type(self).__name__} object at {id(self):#x}>"

    def _release(self):
        """Frees saved tensors after a backward without retain_graph."""


class RemovableHandle:
    """A handle that removes a hook from its table, as torch.utils.hooks.RemovableHandle: the
    one handle class of tensor, node, module and optimizer hooks. `extra_dict` (a dict or a
    list of dicts) names more tables whose entry under the same id goes with it. Unlike
    PyTorch's, it holds its tables strongly: ember's hook tables are plain dicts, which cannot
    be weakly referenced."""

    next_id = 0

    def __init__(self, hooks_dict, *, extra_dict=None):
        self.hooks_dict_ref = hooks_dict
        self.id = RemovableHandle.next_id
        RemovableHandle.next_id += 1
        if isinstance(extra_dict, dict):
            extra_dict = [extra_dict]
        self.extra_dict_ref = tuple(extra_dict or ())

    def remove(self):
        """Unregisters the hook."""
        for table in (self.hooks_dict_ref, *self.extra_dict_ref):
            table.pop(self.id, None)

    def __getstate__(self):
        return (self.hooks_dict_ref, self.id, self.extra_dict_ref)

    def __setstate__(self, state):
        self.hooks_dict_ref = {} if state[0] is None else state[0]
        self.id = state[1]
        # ids stay unique across unpickling, as PyTorch's
        RemovableHandle.next_id = max(RemovableHandle.next_id, self.id + 1)
        self.extra_dict_ref = tuple(state[2]) if len(state) > 2 and state[2] else ()

    def __enter__(self):
        return self

    def __exit__(self, type, value, tb):
        self.remove()


# type(handle) prints as <class 'ember.utils.hooks.RemovableHandle'>, as torch's does
RemovableHandle.__module__ = "ember.utils.hooks"


def add_hook(table, hook):
    """Adds hook to table under a new handle's id, and returns the handle."""
    handle = RemovableHandle(table)
    table[handle.id] = hook
    return handle


class AccumulateGrad(Node):
    """The node that adds an incoming gradient into a leaf tensor's .grad."""

    __slots__ = ("variable", "_post_hooks")

    def __init__(self, variable):
        self.next_functions = ()
        # PyTorch gives AccumulateGrad the highest priority so leaves are filled promptly.
        self._sequence_nr = sys.maxsize
        self._hooks = None
        self._pre_hooks = None
        self._metadata = None
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


# ---- hooks for saved tensors ---------------------------------------------------------------------

class saved_tensors_hooks:
    """Inside this block every tensor an op saves for backward is passed to pack_hook, and
    what it returns is given to unpack_hook when backward needs the tensor back."""

    def __init__(self, pack_hook, unpack_hook):
        self.pack_hook = pack_hook
        self.unpack_hook = unpack_hook

    def __enter__(self):
        STATE.saved_hooks = STATE.saved_hooks + ((self.pack_hook, self.unpack_hook),)

    def __exit__(self, *exc):
        STATE.saved_hooks = STATE.saved_hooks[:-1]


class save_on_cpu(saved_tensors_hooks):
    """Saves tensors for backward on the CPU: where every tensor already lives in ember."""

    def __init__(self, pin_memory=False, device_type="cuda"):
        super().__init__(lambda tensor: tensor, lambda tensor: tensor)


class _Packed:
    """One saved tensor as its pack hook returned it, with the unpack hook to undo it."""

    __slots__ = ("value", "unpack_hook")

    def __init__(self, value, unpack_hook):
        self.value = value
        self.unpack_hook = unpack_hook


class PackedValues(tuple):
    """A node's saved values with packed tensors among them (saved under saved_tensors_hooks);
    unpack() gives the values back, each packed tensor through its unpack hook."""

    __slots__ = ()

    def unpack(self):
        return [value.unpack_hook(value.value) if type(value) is _Packed else value
                for value in self]


def pack_saved(values, is_tensor):
    """values with each tensor (is_tensor(value)) replaced by its pack hook's result."""
    hooks = STATE.saved_hooks
    pack_hook, unpack_hook = hooks[-1]
    # the hooks are off while a pack hook runs, so what it computes is not packed again
    STATE.saved_hooks = ()
    try:
        return PackedValues(_Packed(pack_hook(value), unpack_hook) if is_tensor(value)
                            else value for value in values)
    finally:
        STATE.saved_hooks = hooks
