"""Copies, casts and fills: clone, contiguous, to, the type casts (float, long...), type,
type_as, copy_, fill_, zero_, apply_, map_; memory formats; DLPack exchange with NumPy and
PyTorch."""
import enum
import warnings

import numpy as np

from ember import _dtype
from ember._device import check_device, device as _device_type
from ember._errors import (argument_type_error, broadcast_mismatch, dtype_name,
                           parser_type_name, parser_value_description)
from ember._tensor import Tensor, _wrap
from ember.ops._registry import check_inplace, method, node_class, record, set_history

__all__ = ["clone", "memory_format", "contiguous_format", "preserve_format", "channels_last",
           "channels_last_3d", "from_dlpack"]


class memory_format:
    """A memory layout request, as torch.memory_format."""

    __module__ = "ember"
    __slots__ = ("_name",)

    def __init__(self, name):
        self._name = name

    def __repr__(self):
        return f"{_dtype.DISPLAYED.name}.{self._name}"


contiguous_format = memory_format("contiguous_format")
preserve_format = memory_format("preserve_format")
channels_last = memory_format("channels_last")
channels_last_3d = memory_format("channels_last_3d")

CloneBackward0 = node_class("CloneBackward0", lambda grad: grad)
# the gradient goes back in the input's dtype (the real part, for a real input)
ToCopyBackward0 = node_class("ToCopyBackward0",
                             lambda grad, dtype: _cast(grad, dtype, warn=False))


def _non_overlapping_and_dense(shape, strides):
    """c10's is_non_overlapping_and_dense: the dims of size >= 2, by increasing stride, tile
    memory exactly."""
    expected = 1
    for stride, size in sorted((stride, size) for size, stride in zip(shape, strides)
                               if size >= 2):
        if stride != expected:
            return False
        expected *= size
    return True


def _infer_dense_strides(shape, strides):
    """c10's infer_dense_strides: dense strides keeping the order of the input's, found by its
    insertion sort (a zero stride or a tie of equal sizes leaves dims where they are)."""
    ndim = len(shape)
    order = list(range(ndim - 1, -1, -1))  # innermost first
    for i in range(1, ndim):
        moving = i
        for before in range(i - 1, -1, -1):
            first, second = order[before], order[moving]
            if strides[first] == 0 or strides[second] == 0:
                continue
            if strides[first] < strides[second]:
                break
            if strides[first] > strides[second] or shape[first] > shape[second]:
                order[before], order[moving] = second, first
                moving = before
    result = [0] * ndim
    step = 1
    for dim in order:
        result[dim] = step
        if shape[dim] > 1:
            step *= shape[dim]
    return result


def _c_order_kept(data, memory_format):
    """Whether torch's copy of data is C-contiguous with NumPy's C strides (the common case)."""
    return memory_format is contiguous_format or (data.size and data.flags.c_contiguous
                                                   and 1 not in data.shape)


def preserved_empty(data, dtype, memory_format=None):
    """An uninitialised array shaped like data, laid out as torch's preserve_format lays out a
    copy: data's own strides when dense and non-overlapping (size-1 dims included), otherwise
    infer_dense_strides's; C order for contiguous_format."""
    shape = data.shape
    if _c_order_kept(data, memory_format):
        return np.empty(shape, dtype)
    itemsize = data.itemsize
    strides = [step // itemsize for step in data.strides]
    # an empty tensor counts as dense: its copy keeps its strides (from_numpy's zeros included)
    if data.size and not _non_overlapping_and_dense(shape, strides):
        strides = _infer_dense_strides(shape, strides)
    buffer = np.empty(data.size, dtype)
    return np.lib.stride_tricks.as_strided(buffer, shape,
                                           [step * buffer.itemsize for step in strides])


def preserved_copy(data, dtype, memory_format=None):
    """data cast to dtype in a new array laid out as preserved_empty's."""
    if _c_order_kept(data, memory_format):
        return data.astype(dtype, order="C")
    array = preserved_empty(data, dtype, memory_format)
    np.copyto(array, data, casting="unsafe")
    return array


def clone(input, *, memory_format=None):
    """A copy of input with its own memory (same strides when dense), differentiable."""
    data = input._data
    array = preserved_copy(data, data.dtype, memory_format)
    return record(array, CloneBackward0, (input,), ())


def contiguous(input, memory_format=None):
    """input itself when C-contiguous, otherwise a contiguous copy."""
    if input._data.flags.c_contiguous:
        return input
    return clone(input, memory_format=contiguous_format)


def _cast(input, dtype, copy=False, memory_format=None, warn=True):
    target = _dtype.numpy_dtype(dtype)
    data = input._data
    if data.dtype == target and not copy:
        return input
    if data.dtype.kind == "c" and target.kind != "c":
        if warn:
            warnings.warn("Casting complex values to real discards the imaginary part",
                          UserWarning, stacklevel=3)
        data = data.real
    with np.errstate(invalid="ignore", over="ignore"):
        array = preserved_copy(data, target, memory_format)
    if target.kind not in "fcV":
        # integer and bool results are not differentiable: no history
        return _wrap(array)
    return record(array, ToCopyBackward0, (input,), (input.dtype,))


def _to_signature_error(args):
    names = ", ".join(parser_type_name(value) for value in args)
    return TypeError(
        f"to() received an invalid combination of arguments - got ({names}), but expected "
        "one of:\n"
        " * (torch.device device = None, torch.dtype dtype = None, bool non_blocking = False, "
        "bool copy = False, *, torch.memory_format memory_format = None)\n"
        " * (torch.dtype dtype, bool non_blocking = False, bool copy = False, *, "
        "torch.memory_format memory_format = None)\n"
        " * (Tensor tensor, bool non_blocking = False, bool copy = False, *, "
        "torch.memory_format memory_format = None)\n")


def to(input, *args, dtype=None, device=None, non_blocking=False, copy=False,
       memory_format=None):
    """Casts to a dtype and/or moves to a device (only the CPU exists); returns input itself
    when nothing changes and copy is False."""
    rest = args
    if rest and isinstance(rest[0], Tensor):
        dtype = rest[0].dtype
        rest = rest[1:]
    elif rest and isinstance(rest[0], _dtype.dtype):
        dtype = rest[0]
        rest = rest[1:]
    elif rest and isinstance(rest[0], (str, int, _device_type)) and not isinstance(rest[0], bool):
        device = rest[0]
        rest = rest[1:]
        if rest and isinstance(rest[0], _dtype.dtype):
            dtype = rest[0]
            rest = rest[1:]
    for position, value in enumerate(rest):
        if not isinstance(value, bool) or position > 1:
            raise _to_signature_error(args)
    if len(rest) == 2:
        copy = rest[1]
    check_device(device)
    if dtype is None:
        dtype = input.dtype
    return _cast(input, dtype, copy, memory_format)


def _legacy_type_string(dtype):
    return f"torch.{dtype_name(dtype)}Tensor"


def type(input, dtype=None, non_blocking=False, **kwargs):
    """With no argument, the legacy type string ('torch.FloatTensor'); otherwise a cast."""
    if dtype is None:
        return _legacy_type_string(input.dtype)
    if isinstance(dtype, str):
        if dtype.startswith("torch.cuda."):
            check_device("cuda")
        if dtype not in _LEGACY_TYPES:
            raise ValueError(f"invalid type: '{dtype}'")
        dtype = _LEGACY_TYPES[dtype]
    elif not isinstance(dtype, _dtype.dtype):
        legacy = getattr(dtype, "dtype", None)
        if not isinstance(legacy, _dtype.dtype):
            raise ValueError(f"invalid type: '{getattr(dtype, '__name__', dtype)}'")
        dtype = legacy
    return _cast(input, dtype)


_LEGACY_TYPES = {_legacy_type_string(d): d for d in _dtype.ALL_DTYPES}


def type_as(input, other):
    """input cast to other's dtype (input itself when they already agree)."""
    return _cast(input, other.dtype)


def _caster(name, dtype):
    def cast(input, memory_format=preserve_format):
        return _cast(input, dtype, memory_format=memory_format)
    cast.__name__ = name
    cast.__doc__ = f"input cast to {dtype!r} (input itself when it already is)."
    return cast


for _name, _target in (("float", _dtype.float32), ("double", _dtype.float64),
                       ("half", _dtype.float16), ("bfloat16", _dtype.bfloat16),
                       ("long", _dtype.int64), ("int", _dtype.int32), ("short", _dtype.int16),
                       ("char", _dtype.int8), ("byte", _dtype.uint8), ("bool", _dtype.bool),
                       ("cfloat", _dtype.complex64), ("cdouble", _dtype.complex128)):
    method(_name, _caster(_name, _target))


def cpu(input, memory_format=None):
    """The tensor itself: ember tensors live on the CPU."""
    return input


def cuda(input, device=None, non_blocking=False, memory_format=None):
    """Raises PyTorch's error: ember has no CUDA."""
    if device is not None and _device_type(device).type != "cuda":
        raise RuntimeError("Invalid device, must be cuda device")
    check_device("cuda")


CopyBackwards = node_class("CopyBackwards", lambda grad, src_shape: grad * 0,
                           lambda grad, src_shape: grad)


def copy_(input, src, non_blocking=False):
    """Copies src's values into input (broadcasting src, casting to input's dtype)."""
    if isinstance(src, np.generic):
        # PyTorch's argument parser takes a NumPy scalar where a tensor is expected
        src = _wrap(np.asarray(src))
    if not isinstance(src, Tensor):
        raise argument_type_error("copy_", "other", 1, "Tensor", src)
    check_inplace(input)
    source = src._data
    try:
        broadcast = np.broadcast_to(source, input._data.shape)
    except ValueError:
        raise broadcast_mismatch(input._data.shape, source.shape) from None
    if source.dtype.kind == "c" and input._data.dtype.kind != "c":
        warnings.warn("Casting complex values to real discards the imaginary part",
                      UserWarning, stacklevel=2)
        broadcast = broadcast.real
    records = src._requires_grad or input._requires_grad
    np.copyto(input._data, broadcast, casting="unsafe")
    input._bump_version()
    if records:
        from ember.autograd.grad_mode import STATE
        if STATE.enabled:
            result = record(input._data, CopyBackwards, (input, src), (src._data.shape,))
            set_history(input, result)
    return input


FillBackward2 = node_class("FillBackward2", lambda grad: grad * 0)
FillBackward3 = node_class("FillBackward3", lambda grad: grad * 0, lambda grad: grad.sum())
ZeroBackward0 = node_class("ZeroBackward0", lambda grad: grad * 0)


def _record_overwrite(input, node_cls, inputs):
    """Gives `input`, just overwritten in place, the history PyTorch gives it."""
    from ember.autograd.grad_mode import STATE
    if STATE.enabled and any(isinstance(t, Tensor) and t._requires_grad for t in inputs):
        set_history(input, record(input._data, node_cls, inputs, ()))
    return input


def fill_(input, value):
    """Fills input with a scalar (or a 0-d tensor's value)."""
    check_inplace(input)
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError("fill_ only supports 0-dimension value tensor but got tensor "
                               f"with {value._data.ndim} dimensions.")
        input._data[...] = value._data
        input._bump_version()
        return _record_overwrite(input, FillBackward3, (input, value))
    from ember.ops.creation import checked_fill
    if not isinstance(value, _dtype._NUMBER_TYPES):
        name = parser_type_name(value)
        described = parser_value_description(value)
        raise TypeError(
            f"fill_() received an invalid combination of arguments - got ({name}), but "
            "expected one of:\n * (Tensor value)\n      didn't match because some of the "
            f"arguments have invalid types: (!{described}!)\n * (Number value)\n      didn't "
            f"match because some of the arguments have invalid types: (!{described}!)\n")
    input._data[...] = checked_fill(value, input.dtype)
    input._bump_version()
    return _record_overwrite(input, FillBackward2, (input,))


def zero_(input):
    """Fills input with zeros."""
    check_inplace(input)
    input._data[...] = 0
    input._bump_version()
    return _record_overwrite(input, ZeroBackward0, (input,))


# ---- apply_, map_: Python callables per element (CPU tensors only, as in PyTorch) ----------------

def _element_value(value, numpy_dtype):
    """A callable's result stored as PyTorch stores it: cast like C++'s static_cast (a float
    truncates into an int), with the int64 range check of its scalar conversion."""
    kind = numpy_dtype.kind
    if not isinstance(value, (int, float, complex, np.number, np.bool_)):
        # the message of CPython's PyFloat_AsDouble, which PyTorch's conversion calls
        raise TypeError(f"must be real number, not {parser_type_name(value)}")
    if kind == "c":
        return np.array(complex(value)).astype(numpy_dtype)
    if kind == "b":
        return np.array(bool(value))
    number = float(value)
    if kind in "iu":
        if not isinstance(value, (int, np.integer)):
            value = int(number) if np.isfinite(number) else 2 ** 63
        if not -2 ** 63 <= value < 2 ** 63:
            raise RuntimeError("value cannot be converted to type int64 without overflow")
        # a negative value wraps into an unsigned type, as the C++ cast does
        return np.array(value).astype(numpy_dtype)
    return np.array(number).astype(numpy_dtype)


def _refuse_grad(name, *tensors):
    for tensor in tensors:
        if tensor._requires_grad:
            raise RuntimeError(f"Can't call {name}() on Variable that requires grad. Use "
                               f"var.detach().{name}() instead.")


def apply_(input, callable):
    """Replaces each element x with callable(x), a Python number (slow: one call each)."""
    _refuse_grad("apply_", input)
    data = input._data
    for index in np.ndindex(data.shape):
        data[index] = _element_value(callable(data[index].item()), data.dtype)
    return input


def map_(input, tensor, callable):
    """Replaces each element x with callable(x, y), y the matching element of `tensor`
    (broadcast to input's shape)."""
    _refuse_grad("map_", input, tensor)
    if tensor._data.dtype != input._data.dtype:
        raise TypeError(f"map_: expected torch.{dtype_name(input.dtype)}Tensor for 'other' "
                        f"(got torch.{dtype_name(tensor.dtype)}Tensor)")
    data = input._data
    other = tensor.expand(data.shape)._data
    for index in np.ndindex(data.shape):
        value = callable(data[index].item(), other[index].item())
        data[index] = _element_value(value, data.dtype)
    return input


method("apply_", apply_)
method("map_", map_)


# ---- DLPack -----------------------------------------------------------------------------------

class DLDeviceType(enum.IntEnum):
    """DLPack's device codes, as torch names them."""

    kDLCPU = 1
    kDLCUDA = 2


def __dlpack__(self, *, stream=None, max_version=None, dl_device=None, copy=None):
    """Exports the tensor's memory as a DLPack capsule (NumPy produces it: no copy)."""
    if self._requires_grad:
        raise BufferError("Can't export tensors that require gradient, use tensor.detach()")
    if max_version is None:
        return self._data.__dlpack__(stream=stream)
    return self._data.__dlpack__(stream=stream, max_version=max_version, dl_device=dl_device,
                                 copy=copy)


def __dlpack_device__(self):
    """(device type, index): the CPU."""
    return (DLDeviceType.kDLCPU, 0)


def from_dlpack(ext_tensor):
    """A tensor sharing memory with any DLPack exporter (NumPy arrays, torch tensors...)."""
    array = np.from_dlpack(ext_tensor)
    if not array.flags.writeable:
        # NumPy marks imported memory read-only; torch's tensors stay writable, as do ours
        array = alias_array(array, writable=True)
    return _wrap(array)


def alias_array(array, writable=None):
    """A new ndarray over `array`'s memory whose buffer starts at its first element (no base
    chain back to `array`'s allocation); `writable` overrides the read-only flag."""
    interface = dict(array.__array_interface__)
    if interface.get("strides") is None:
        interface["strides"] = array.strides
    if writable is not None:
        interface["data"] = (interface["data"][0], not writable)

    class _Owner:
        __array_interface__ = interface
        owner = array

    return np.asarray(_Owner())


Tensor.__dlpack__ = __dlpack__
Tensor.__dlpack_device__ = __dlpack_device__

for _name, _function in (("clone", clone), ("contiguous", contiguous), ("to", to),
                         ("type", type), ("type_as", type_as), ("cpu", cpu), ("cuda", cuda),
                         ("copy_", copy_), ("fill_", fill_), ("zero_", zero_)):
    method(_name, _function)
