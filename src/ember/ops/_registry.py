"""The op machinery: wrapping NumPy results as tensors, recording graph nodes, binding
function/method/in-place/operator variants, unbroadcasting and casting gradients."""
import re

import numpy as np

from ember import _dtype
import ember._tensor as tensor_module
from ember._tensor import TENSOR_TYPES, Tensor, _wrap
from ember.autograd.anomaly_mode import ANOMALY, remember_forward
from ember.autograd.grad_mode import STATE
from ember.autograd.graph import (FREED_MESSAGE, Node, PackedValues, _sequence, edge_of,
                                  pack_saved, version_mismatch)

__all__ = ["OpNode", "node_class", "NODE_MODULE", "record", "record_multi", "method", "inplace_method",
           "RESULT", "OUTPUT", "float_data", "binary_operands",
           "apply_inplace", "sum_to_shape", "SCALAR_TYPES", "reflected_operator",
           "inplace_operator", "type_error_to_not_implemented"]

SCALAR_TYPES = (int, float, bool, complex, np.number, np.bool_)
_new_tensor = object.__new__


class _ResultMarker:
    """Stands in a node's saved values for the op's own output (saved without a cycle)."""

    __slots__ = ()

    def __repr__(self):
        return "RESULT"


RESULT = _ResultMarker()


class _OutputMarker:
    """Stands in a multi-output node's saved values for its output number `index` (saved, like
    RESULT, without a cycle and version-checked)."""

    __slots__ = ("index",)

    def __init__(self, index):
        self.index = index

    def __repr__(self):
        return f"OUTPUT[{self.index}]"


OUTPUT = tuple(_OutputMarker(index) for index in range(8))


class OpNode(Node):
    """A node for a registered op: per-input derivative rules applied to saved values."""

    __slots__ = ("_saved", "_checks", "_input_meta", "_result_data", "_result_version")
    # rules: one callable per tensor input (None where the input is not differentiable)
    _rules = ()
    _multi_output = False

    def _unpack(self):
        saved = self._saved
        if saved is None:
            raise RuntimeError(FREED_MESSAGE)
        if type(saved) is PackedValues:
            saved = saved.unpack()
        if self._checks:
            for tensor, version in self._checks:
                counter = tensor._version_counter
                if counter is not None and counter.value != version:
                    raise version_mismatch(tensor, version)
        data = self._result_data
        if data is None:
            return saved
        if type(data) is tuple:
            return self._unpack_outputs(saved)
        counter, version = self._result_version
        result = _wrap(data)
        result._version_counter = counter
        result._grad_fn = self
        result._requires_grad = True
        if counter.value != version:
            raise version_mismatch(result, version)
        return [result if value is RESULT else value for value in saved]

    def _unpack_outputs(self, saved):
        outputs = []
        for position, data in enumerate(self._result_data):
            counter, version = self._result_version[position]
            output = _wrap(data)
            output._version_counter = counter
            output._grad_fn = self
            output._requires_grad = True
            output._extras()["output_nr"] = position
            if counter.value != version:
                raise version_mismatch(output, version)
            outputs.append(output)
        return tuple(outputs[value.index] if type(value) is _OutputMarker else value
                     for value in saved)

    def apply(self, grad_outputs):
        saved = self._unpack()
        grad = _materialize(self, grad_outputs) if self._multi_output else grad_outputs[0]
        grads = []
        # an input without metadata gets no gradient (see _build_node)
        for rule, meta in zip(self._rules, self._input_meta):
            if meta is None or rule is None:
                grads.append(None)
                continue
            result = rule(grad, *saved)
            if result is not None:
                data = result._data
                dtype = data.dtype
                if data.shape != meta[0] or (dtype is not meta[1] and dtype != meta[1]):
                    result = _fit_gradient(result, meta)
            grads.append(result)
        return grads

    def _release(self):
        # Only saved tensors are freed, as in PyTorch: a node that saved none (AddBackward0,
        # SumBackward0's sizes...) can run again in a second backward
        saved = self._saved
        if self._checks or self._result_data is not None or type(saved) is PackedValues or \
                _holds_index_arrays(saved):
            self._saved = None
            self._checks = ()
            self._result_data = None

    def __getattr__(self, name):
        # node._saved_self, node._saved_other, node._saved_result...: PyTorch exposes the saved
        # values under its derivative formulas' names; ours are the rules' parameter names,
        # with `input` spelled `self` as in PyTorch's formulas
        if name.startswith("_saved_"):
            names = _saved_names(type(self))
            wanted = name[len("_saved_"):]
            if wanted in names:
                return self._unpack()[names.index(wanted)]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")


def _holds_index_arrays(saved):
    """Whether saved values include index arrays (kept as NumPy arrays where PyTorch saves
    index tensors, so a second backward must fail as PyTorch's does)."""
    for value in saved or ():
        if type(value) is np.ndarray:
            return True
        if type(value) is tuple and any(type(item) is np.ndarray for item in value):
            return True
    return False


def _saved_names(node_cls):
    """The names of node_cls's saved values, read once from its first rule's parameters."""
    names = node_cls.__dict__.get("_saved_value_names")
    if names is None:
        names = ()
        for rule in node_cls._rules:
            code = getattr(rule, "__code__", None)
            if code is not None:
                parameters = code.co_varnames[1:code.co_argcount]
                names = tuple("self" if parameter == "input" else parameter
                              for parameter in parameters)
                break
        node_cls._saved_value_names = names
    return names


def _materialize(node, grads):
    """Fills missing output gradients of a multi-output node with zeros, as PyTorch does."""
    if None not in grads:
        return tuple(grads)
    metas = node._metadata["output_meta"]
    return tuple(_wrap(np.zeros(shape, dtype)) if grad is None else grad
                 for grad, (shape, dtype) in zip(grads, metas))


def _fit_gradient(grad, meta):
    """Sums a broadcast gradient back to the input's shape and casts it to the input's dtype."""
    if grad is None:
        return None
    shape, numpy_dtype = meta
    if grad._data.shape != shape:
        grad = sum_to_shape(grad, shape)
    if grad._data.dtype != numpy_dtype:
        if numpy_dtype.kind != "c" and grad._data.dtype.kind == "c":
            grad = grad.real
        grad = grad.to(_dtype.FROM_NUMPY[numpy_dtype])
    return grad


def sum_to_shape(grad, shape):
    """Reduces `grad` by summation to `shape`, undoing broadcasting."""
    leading = grad._data.ndim - len(shape)
    dims = list(range(leading))
    for position, extent in enumerate(shape):
        if extent == 1 and grad._data.shape[leading + position] != 1:
            dims.append(leading + position)
    if dims:
        grad = grad.sum(tuple(dims), keepdim=True)
    if leading:
        grad = grad.reshape(shape)
    return grad


# PyTorch's generated node classes live in no module: type(y.grad_fn) prints
# <class 'SumBackward0'>
NODE_MODULE = "builtins"


def node_class(name, *rules, multi_output=False):
    """A new node class named as PyTorch names its backward for the op (e.g. SinBackward0)."""
    return type(name, (OpNode,), {"__slots__": (), "_rules": tuple(rules),
                                  "_multi_output": multi_output, "__module__": NODE_MODULE})


_NO_EDGE = (None, 0)


def _build_node(node_cls, inputs, saved, out):
    node = _new_tensor(node_cls)
    edges = []
    # the shape and dtype a gradient must be fitted to, kept only for inputs that get one
    metas = []
    for tensor in inputs:
        if isinstance(tensor, Tensor):
            function = tensor._grad_fn
            if function is not None and tensor._extra is None:
                edges.append((function, 0))
            elif tensor._requires_grad:
                edges.append(edge_of(tensor))
            else:
                edges.append(_NO_EDGE)
                metas.append(None)
                continue
            data = tensor._data
            metas.append((data.shape, data.dtype))
        else:
            edges.append(_NO_EDGE)
            metas.append(None)
    node.next_functions = tuple(edges)
    node._sequence_nr = next(_sequence)
    node._hooks = None
    node._pre_hooks = None
    node._metadata = None
    node._input_meta = metas
    checks = []
    result_data = None
    if STATE.saved_hooks:
        saved = _packed(saved, out)
    for value in saved:
        if isinstance(value, Tensor):
            # A tensor without a counter has never been written in place: version 0.
            counter = value._version_counter
            checks.append((value, 0 if counter is None else counter.value))
        elif value is RESULT:
            result_data = out
    node._saved = saved
    node._checks = checks
    node._result_data = result_data
    if ANOMALY.enabled:
        remember_forward(node)
    return node


def _packed(saved, out):
    """The saved values under saved_tensors_hooks: each tensor (the op's own output included)
    handed to the pack hook; no version checks, as the hooks own what is kept."""
    values = [_wrap(out) if value is RESULT else value for value in saved]
    return pack_saved(values, lambda value: isinstance(value, Tensor))


def record(array, node_cls, inputs, saved):
    """Wraps the forward's ndarray and, when any input needs grad, attaches a node_cls node."""
    out = _new_tensor(Tensor)
    out._data = array
    out._storage = None
    out._version_counter = None
    out._requires_grad = False
    out._grad = None
    out._grad_fn = None
    out._view_base = None
    out._accumulator = None
    out._extra = None
    if STATE.enabled:
        for tensor in inputs:
            if isinstance(tensor, Tensor) and tensor._requires_grad:
                node = _build_node(node_cls, inputs, saved, array)
                if node._result_data is not None:
                    node._result_version = (out._shared_version(), 0)
                out._grad_fn = node
                out._requires_grad = True
                break
    elif tensor_module._open_inference_blocks:
        tensor_module._mark_if_inference(out)
    return out


def record_multi(arrays, node_cls, inputs, saved, differentiable=None):
    """record() for an op with several outputs sharing one node (split, max with dim...).
    `differentiable` flags which outputs carry the node (integer indices never do)."""
    outs = tuple(_wrap(array) for array in arrays)
    if STATE.enabled and any(isinstance(t, Tensor) and t._requires_grad for t in inputs):
        if STATE.saved_hooks:
            # the pack hook sees the outputs it saves as tensors, like the inputs
            saved = tuple(_wrap(arrays[value.index]) if type(value) is _OutputMarker else value
                          for value in saved)
        node = _build_node(node_cls, inputs, saved, None)
        output_meta = tuple((a.shape, a.dtype) for a in arrays)
        if node._metadata is None:
            node._metadata = {"output_meta": output_meta}
        else:  # anomaly mode has stored the forward's stack there already
            node._metadata["output_meta"] = output_meta
        if any(type(value) is _OutputMarker for value in saved):
            node._result_data = tuple(arrays)
            node._result_version = tuple((out._shared_version(), 0) for out in outs)
        for position, out in enumerate(outs):
            if differentiable is None or differentiable[position]:
                out._grad_fn = node
                out._requires_grad = True
                out._extras()["output_nr"] = position
    return outs


def float_data(tensor):
    """The tensor's ndarray, cast to the default float dtype when it is integral or bool,
    as PyTorch's floating unary ops (sin, exp, sqrt...) promote."""
    data = tensor._data
    if data.dtype.kind in "biu":
        return data.astype(_dtype.DEFAULT.numpy)
    return data


def binary_operands(input, other):
    """The two operands as NumPy values in PyTorch's promoted dtype, and that dtype."""
    if type(input) in TENSOR_TYPES:
        a = input._data
        other_type = type(other)
        if other_type in TENSOR_TYPES:
            b = other._data
            if a.dtype is b.dtype:
                return a, b, a.dtype
        elif (other_type is float or other_type is int) and _keeps_dtype(a.dtype, other):
            return a, other, a.dtype
    elif type(other) in TENSOR_TYPES and type(input) in (float, int):
        b = other._data
        if _keeps_dtype(b.dtype, input):
            return input, b, b.dtype
    a = input._data if isinstance(input, Tensor) else input
    b = other._data if isinstance(other, Tensor) else other
    result = _dtype.numpy_dtype(_dtype.promote_operands((input, other)))
    return _as_dtype(a, result), _as_dtype(b, result), result


def _keeps_dtype(numpy_dtype, scalar):
    """True when a Python int/float scalar leaves a tensor's dtype unchanged in both PyTorch's
    and NumPy's (NEP 50) rules, so the scalar can go to NumPy as it is."""
    kind = numpy_dtype.kind
    if kind == "f" or kind == "c":
        return True
    if type(scalar) is float:
        return False
    if kind == "i":
        return -128 <= scalar <= 127
    return kind == "u" and 0 <= scalar <= 255


def _as_dtype(value, numpy_dtype):
    if isinstance(value, np.ndarray):
        if value.dtype is numpy_dtype:
            return value
        return value.astype(numpy_dtype)
    # A Python scalar becomes a 0-d array of the result dtype; integers wrap like PyTorch's.
    if numpy_dtype.kind in "iu" and isinstance(value, int) and not isinstance(value, bool):
        return np.array(value).astype(numpy_dtype)
    if numpy_dtype.kind == "b":
        return np.array(bool(value))
    return np.array(value, dtype=numpy_dtype)


# ---- binding variants on Tensor --------------------------------------------------------------

def method(name, function):
    """Binds `function(input, ...)` as Tensor.<name>."""
    setattr(Tensor, name, function)


def check_inplace(tensor):
    """PyTorch's errors for an in-place write it refuses: into an inference tensor outside
    inference mode or a view whose history cannot be rewritten (check_flagged_inplace), into
    a leaf that requires grad or a view of one."""
    if tensor._extra is not None:
        check_flagged_inplace(tensor)
    if tensor._requires_grad and STATE.enabled:
        if tensor._grad_fn is None:
            raise RuntimeError("a leaf Variable that requires grad is being used in an "
                               "in-place operation.")
        base = tensor._view_base
        if base is not None and base._grad_fn is None and base._requires_grad:
            raise RuntimeError("a view of a leaf Variable that requires grad is being used in "
                               "an in-place operation.")


# How views are made, as PyTorch's CreationMeta: a view flagged with one of these (the kind, the
# view's node name and output number, or None where PyTorch's view has no grad_fn) in its
# _extra["creation_meta"] cannot have its history rewritten by an in-place write.
MULTI_OUTPUT_NODE = "MULTI_OUTPUT_NODE"
NO_GRAD_MODE = "NO_GRAD_MODE"
INFERENCE_MODE = "INFERENCE_MODE"

_CREATION_ADVICE = {
    MULTI_OUTPUT_NODE: " This view is the output of a function that returns multiple views. "
                       "Such functions do not allow the output views to be modified inplace. "
                       "You should replace the inplace operation by an out-of-place one.",
    NO_GRAD_MODE: " Given that this use case is ambiguous and error-prone, it is forbidden. You "
                  "can clarify your code by moving both the view and the inplace either both "
                  "inside the no_grad block (if you don't want the inplace to be tracked) or "
                  "both outside (if you want the inplace to be tracked).",
    INFERENCE_MODE: " Given that this use case is ambiguous and error-prone, it is forbidden. "
                    "You can clarify your code by moving both the view and the inplace either "
                    "both inside the inference_mode block (if you don't want the inplace to be "
                    "tracked) or both outside (if you want the inplace to be tracked).",
}


def view_rebase_error(creation, indirect):
    """PyTorch's error for rewriting the history of a flagged view: written in place itself, or
    (indirect) seen after its base or a sibling view was written in place."""
    kind, node_name, output_nr = creation
    modified = "its base or another view of its base has been" if indirect else "is being"
    producer = None
    if node_name is not None:
        # PyTorch names the op without the "Backward<k>" suffix of its node
        op_name = re.sub(r"Backward\d*$", "", node_name)
        producer = f"Output {output_nr} of {op_name}"
    if kind == MULTI_OUTPUT_NODE and producer is not None:
        message = f"{producer} is a view and {modified} modified inplace."
    else:
        if producer is None:
            prefix = "A view was created in"
        else:
            prefix = f"{producer} is a view of a view which was created in"
        if kind == INFERENCE_MODE:
            message = f"{prefix} inference mode and {modified} modified inplace in normal mode."
        else:
            message = (f"{prefix} no_grad mode and {modified} modified inplace with grad mode "
                       "enabled.")
    return RuntimeError(message + _CREATION_ADVICE[kind])


def check_flagged_inplace(tensor, through=None):
    """PyTorch's errors for an in-place write into an inference tensor outside inference mode,
    or into a view flagged at creation (see view_rebase_error) while autograd would have to
    rewrite its history. `through` names the node of the view an indexed write goes through
    (SelectBackward0 for x[0] = v), which PyTorch's message names."""
    extra = tensor._extra
    if "inference" in extra and not STATE.inference:
        raise RuntimeError(
            "Inplace update to inference tensor outside InferenceMode is not allowed.You can "
            "make a clone to get a normal tensor before doing inplace update.See "
            "https://github.com/pytorch/rfcs/pull/17 for more details.")
    creation = extra.get("creation_meta")
    if creation is not None and STATE.enabled and (
            tensor._requires_grad or tensor._view_base._requires_grad):
        if through is not None:
            creation = (creation[0], through, 0)
        raise view_rebase_error(creation, indirect=False)


def _history_alias(tensor):
    """A copy of `tensor`'s current values that carries its autograd edge, so an in-place op
    can differentiate through the values it is about to overwrite."""
    alias = _wrap(tensor._data.copy())
    alias._grad_fn = tensor._grad_fn
    alias._requires_grad = tensor._requires_grad
    if tensor._extra is not None and "output_nr" in tensor._extra:
        alias._extras()["output_nr"] = tensor._extra["output_nr"]
    if tensor._grad_fn is None and tensor._requires_grad:
        alias._accumulator = tensor._accumulator
    return alias


def apply_inplace(self, function, args, kwargs):
    """Runs the out-of-place `function(self, *args)` and writes its result into `self`,
    transferring the result's history to `self` (PyTorch's in-place semantics)."""
    check_inplace(self)
    records = STATE.enabled and (self._requires_grad or any(
        isinstance(a, Tensor) and a._requires_grad for a in args))
    if records:
        result = function(_history_alias(self), *args, **kwargs)
    else:
        result = function(self, *args, **kwargs)
    write_result(self, result._data)
    if records:
        set_history(self, result)
    return self


def write_result(self, data):
    """Writes an op's result into `self`'s memory, with PyTorch's casting check."""
    target = self._data
    if data.dtype != target.dtype and not _castable(data.dtype, target.dtype):
        raise RuntimeError(
            f"result type {_type_word(data.dtype)} can't be cast to the desired output type "
            f"{_type_word(target.dtype)}")
    if data.shape != target.shape:
        raise RuntimeError(
            f"output with shape {list(target.shape)} doesn't match the broadcast shape "
            f"{list(data.shape)}")
    np.copyto(target, data, casting="unsafe")
    self._bump_version()


def set_history(self, result):
    """Makes `self` (just written in place) carry `result`'s autograd history; a view's base
    gets its history rewritten (CopySlices)."""
    if self._view_base is not None and result._grad_fn is not None:
        from ember.ops.view_history import rebase_history
        rebase_history(self, result)
        return
    self._grad_fn = result._grad_fn
    self._requires_grad = result._requires_grad
    if result._extra is not None and "output_nr" in result._extra:
        self._extras()["output_nr"] = result._extra["output_nr"]


def _castable(source, target):
    order = "biufc"
    return order.index(source.kind) <= order.index(target.kind)


def _type_word(numpy_dtype):
    from ember._errors import dtype_name
    return dtype_name(_dtype.FROM_NUMPY[numpy_dtype])


def type_error_to_not_implemented(operator):
    """A binary dunder that returns NotImplemented where the op raises TypeError, as PyTorch's
    do: Python then tries the other operand and words the error itself ("unsupported operand
    type(s) for +: 'Tensor' and 'str'", "can only concatenate list (not "Tensor") to list")."""
    def wrapped(self, other):
        try:
            return operator(self, other)
        except TypeError:
            return NotImplemented
    wrapped.__name__ = getattr(operator, "__name__", "operator")
    return wrapped


def reflected_operator(function):
    """Tensor.__r<op>__ for a binary function: the tensor is the right operand. A NumPy array
    on the left is refused, as PyTorch's reflected operators refuse it: Python then raises its
    TypeError (or NumPy words one)."""
    def reflected(self, other):
        if type(other) is np.ndarray:
            return NotImplemented
        return function(other, self)
    return reflected


def inplace_operator(name):
    """Tensor.__i<op>__ as a call of the in-place method `name`."""
    def operator(self, other):
        return getattr(self, name)(other)
    return operator


def inplace_method(name, function):
    """Binds Tensor.<name>_ as the in-place form of out-of-place `function`."""
    def inplace(self, *args, **kwargs):
        return apply_inplace(self, function, args, kwargs)
    inplace.__name__ = name + "_"
    inplace.__qualname__ = "Tensor." + name + "_"
    inplace.__doc__ = f"In-place version of {name}()."
    setattr(Tensor, name + "_", inplace)
