"""Copies, casts and fills: clone, contiguous, to, type casts, copy_, fill_, zero_."""
import numpy as np

from ember import _dtype
from ember._device import check_device
from ember._tensor import Tensor
from ember.ops._registry import check_inplace, method, node_class, record, set_history

__all__ = ["clone"]

CloneBackward0 = node_class("CloneBackward0", lambda grad: grad)
ToCopyBackward0 = node_class("ToCopyBackward0", lambda grad, dtype: grad.to(dtype))


def clone(input, *, memory_format=None):
    """A copy of input with its own memory, differentiable."""
    return record(np.array(input._data, order="C"), CloneBackward0, (input,), ())


def contiguous(input, memory_format=None):
    """input itself when C-contiguous, otherwise a contiguous copy."""
    if input._data.flags.c_contiguous:
        return input
    return clone(input)


def _cast(input, dtype, copy=False):
    target = _dtype.numpy_dtype(dtype)
    if input._data.dtype == target and not copy:
        return input
    array = input._data.astype(target)
    if target.kind not in "fc" or input._data.dtype.kind not in "fc":
        from ember._tensor import _wrap
        return _wrap(array)
    return record(array, ToCopyBackward0, (input,), (input.dtype,))


def to(input, *args, dtype=None, device=None, non_blocking=False, copy=False,
       memory_format=None):
    """Casts to a dtype and/or moves to a device (only the CPU exists)."""
    for arg in args:
        if isinstance(arg, _dtype.dtype):
            dtype = arg
        elif isinstance(arg, Tensor):
            dtype = arg.dtype
        else:
            device = arg
    check_device(device)
    if dtype is None:
        return input.clone() if copy else input
    return _cast(input, dtype, copy)


def type(input, dtype=None, non_blocking=False):
    """With no argument, the legacy type string; otherwise a cast to `dtype`."""
    if dtype is None:
        from ember._errors import dtype_name
        return f"torch.{dtype_name(input.dtype)}Tensor"
    if isinstance(dtype, str):
        dtype = _LEGACY_TYPES[dtype]
    return _cast(input, dtype)


def _legacy_types():
    from ember._errors import _SCALAR_TYPE_NAMES
    table = {}
    for name, word in _SCALAR_TYPE_NAMES.items():
        table[f"torch.{word}Tensor"] = getattr(_dtype, name)
    return table


_LEGACY_TYPES = _legacy_types()


def _caster(dtype):
    def cast(input, memory_format=None):
        return _cast(input, dtype)
    return cast


for _name, _target in (("float", _dtype.float32), ("double", _dtype.float64),
                       ("half", _dtype.float16), ("bfloat16", _dtype.bfloat16),
                       ("long", _dtype.int64), ("int", _dtype.int32), ("short", _dtype.int16),
                       ("char", _dtype.int8), ("byte", _dtype.uint8), ("bool", _dtype.bool),
                       ("cfloat", _dtype.complex64), ("cdouble", _dtype.complex128)):
    method(_name, _caster(_target))


def cpu(input, memory_format=None):
    """The tensor itself: ember tensors live on the CPU."""
    return input


def cuda(input, device=None, non_blocking=False, memory_format=None):
    """Raises PyTorch's error: ember has no CUDA."""
    check_device("cuda")


CopyBackwards = node_class("CopyBackwards", lambda grad: grad * 0,
                           lambda grad, src_shape: grad)


def copy_(input, src, non_blocking=False):
    """Copies src's values into input (broadcasting src, casting to input's dtype)."""
    check_inplace(input)
    source = src._data if isinstance(src, Tensor) else np.asarray(src)
    try:
        broadcast = np.broadcast_to(source, input._data.shape)
    except ValueError:
        raise RuntimeError(
            f"The size of tensor a ({input._data.shape[-1] if input._data.ndim else 1}) must "
            f"match the size of tensor b ({source.shape[-1] if source.ndim else 1}) at "
            "non-singleton dimension "
            f"{max(input._data.ndim - 1, 0)}") from None
    records = isinstance(src, Tensor) and (src._requires_grad or input._requires_grad)
    np.copyto(input._data, broadcast, casting="unsafe")
    input._bump_version()
    if records:
        from ember.autograd.grad_mode import STATE
        if STATE.enabled:
            result = record(input._data, CopyBackwards, (input, src), (src._data.shape,))
            set_history(input, result)
    return input


def fill_(input, value):
    """Fills input with a scalar (or a 0-d tensor's value)."""
    check_inplace(input)
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError("fill_ only supports 0-dimension value tensor but got tensor "
                               f"with {value._data.ndim} dimensions.")
        value = value.item()
    input._data[...] = value
    input._bump_version()
    return input


def zero_(input):
    """Fills input with zeros."""
    check_inplace(input)
    input._data[...] = 0
    input._bump_version()
    return input


for _name, _function in (("clone", clone), ("contiguous", contiguous), ("to", to),
                         ("type", type), ("cpu", cpu), ("cuda", cuda), ("copy_", copy_),
                         ("fill_", fill_), ("zero_", zero_)):
    method(_name, _function)

Tensor.type_as = lambda self, other: _cast(self, other.dtype)
