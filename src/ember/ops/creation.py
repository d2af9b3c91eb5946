"""Tensor creation: from data, filled, ranges; dtype inference as torch.tensor infers."""
import numpy as np

from ember import _dtype
from ember._device import check_device
from ember._tensor import Tensor, _wrap

__all__ = ["tensor", "as_tensor", "from_numpy", "zeros", "ones", "full", "empty",
           "zeros_like", "ones_like", "full_like", "empty_like", "arange"]


def _infer_array(data):
    """An ndarray holding `data` in the dtype torch.tensor would infer."""
    if isinstance(data, Tensor):
        return data._data
    if isinstance(data, np.ndarray):
        _dtype.from_numpy_dtype(data.dtype)
        return data
    if isinstance(data, (list, tuple)):
        data = _unwrap_nested(data)
    array = np.array(data)
    kind = array.dtype.kind
    if kind == "f":
        if isinstance(data, np.floating):
            return array
        return array.astype(_dtype.DEFAULT.numpy)
    if kind == "c":
        if isinstance(data, np.complexfloating):
            return array
        return array.astype(_dtype.numpy_dtype(_dtype.DEFAULT.complex))
    if kind in "iu" and not isinstance(data, np.integer):
        return array.astype(np.int64)
    if kind == "O" or kind in "USV":
        raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
    return array


def _unwrap_nested(data):
    """Replaces tensors inside nested lists by their values (0-d tensors become scalars)."""
    if any(isinstance(item, (Tensor, list, tuple)) for item in data):
        return [_unwrap_item(item) for item in data]
    return data


def _unwrap_item(item):
    if isinstance(item, Tensor):
        if item._data.ndim == 0:
            return item.item()
        return item._data.tolist()
    if isinstance(item, (list, tuple)):
        return _unwrap_nested(item)
    return item


def _finish(array, requires_grad):
    result = _wrap(array)
    if requires_grad:
        result.requires_grad_(True)
    return result


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new tensor holding a copy of `data` (nested lists, scalars, arrays or tensors)."""
    check_device(device)
    array = _infer_array(data)
    numpy_dtype = None if dtype is None else _dtype.numpy_dtype(dtype)
    return _finish(np.array(array, dtype=numpy_dtype, order="C"), requires_grad)


def as_tensor(data, dtype=None, device=None):
    """Converts data to a tensor, sharing memory with a tensor or ndarray when possible."""
    check_device(device)
    if isinstance(data, Tensor):
        if dtype is None or data.dtype is dtype:
            return data
        return data.to(dtype)
    if isinstance(data, np.ndarray):
        _dtype.from_numpy_dtype(data.dtype)
        if dtype is None or data.dtype == _dtype.numpy_dtype(dtype):
            return _wrap(data)
        return _wrap(data.astype(_dtype.numpy_dtype(dtype)))
    return tensor(data, dtype=dtype)


def from_numpy(ndarray):
    """A tensor sharing memory with a NumPy array."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    _dtype.from_numpy_dtype(ndarray.dtype)
    return _wrap(ndarray)


def _shape_of(size):
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    shape = tuple(int(extent) for extent in size)
    for extent in shape:
        if extent < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {extent}: "
                               f"{list(shape)}")
    return shape


def _numpy_dtype_or_default(dtype):
    if dtype is None:
        return _dtype.DEFAULT.numpy
    return _dtype.numpy_dtype(dtype)


def _filled(fill, size, dtype, device, requires_grad):
    check_device(device)
    shape = _shape_of(size)
    numpy_dtype = _numpy_dtype_or_default(dtype)
    array = np.zeros(shape, numpy_dtype) if fill == 0 else np.full(shape, fill, numpy_dtype)
    return _finish(array, requires_grad)


def zeros(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """A tensor of zeros."""
    return _filled(0, size, dtype, device, requires_grad)


def ones(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """A tensor of ones."""
    return _filled(1, size, dtype, device, requires_grad)


def empty(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False, memory_format=None):
    """An uninitialised tensor (ember fills it with zeros, deterministically)."""
    return _filled(0, size, dtype, device, requires_grad)


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None,
         requires_grad=False):
    """A tensor filled with fill_value; the dtype is inferred from the value as in PyTorch."""
    if dtype is None:
        dtype = _dtype.scalar_dtype(fill_value)
    return _filled(fill_value, (tuple(size),), dtype, device, requires_grad)


def _like(input, dtype):
    return input.dtype if dtype is None else dtype


def zeros_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None):
    """Zeros with the shape (and by default the dtype) of input."""
    return _filled(0, (input._data.shape,), _like(input, dtype), device, requires_grad)


def ones_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    """Ones with the shape (and by default the dtype) of input."""
    return _filled(1, (input._data.shape,), _like(input, dtype), device, requires_grad)


def empty_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None):
    """An uninitialised tensor shaped like input (zero-filled in ember)."""
    return _filled(0, (input._data.shape,), _like(input, dtype), device, requires_grad)


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    """fill_value with the shape (and by default the dtype) of input."""
    return _filled(fill_value, (input._data.shape,), _like(input, dtype), device,
                   requires_grad)


def arange(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
           requires_grad=False):
    """Values from start to end (exclusive) by step; integer arguments give int64."""
    check_device(device)
    if end is None:
        start, end = 0, start
    values = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if dtype is None:
        is_float = any(isinstance(v, float) for v in values)
        dtype = _dtype.DEFAULT.value if is_float else _dtype.int64
    numpy_dtype = _dtype.numpy_dtype(dtype)
    start, end, step = values
    if (end - start) * step < 0:
        raise RuntimeError("upper bound and larger bound inconsistent with step sign")
    count = max(int(np.ceil((end - start) / step)), 0)
    array = (start + step * np.arange(count, dtype=np.float64)).astype(numpy_dtype) \
        if numpy_dtype.kind in "fc" else np.arange(start, end, step).astype(numpy_dtype)
    return _finish(array, requires_grad)


def _legacy_constructor(cls, *args, **kwargs):
    """torch.Tensor(...): sizes give an uninitialised float tensor, data gives a float copy."""
    if len(args) == 1 and not isinstance(args[0], int):
        if isinstance(args[0], Tensor):
            return args[0]
        return tensor(args[0], dtype=_dtype.float32)
    return zeros(*args, dtype=_dtype.float32)


Tensor._legacy_new = staticmethod(_legacy_constructor)
