"""Tensors over given memory or layouts: frombuffer (a Python buffer's bytes, shared),
empty_permuted (dims laid out in a chosen order) and Tensor.new_empty_strided."""
import numpy as np

from ember import _dtype
from ember._device import check_device
from ember._errors import warn_once
from ember._tensor import Tensor
from ember.ops.creation import empty_strided, finish, parse_dtype, parse_size

__all__ = ["frombuffer", "empty_permuted"]

_READ_ONLY_WARNING = (
    "The given buffer is not writable, and PyTorch does not support non-writable tensors. This "
    "means you can write to the underlying (supposedly non-writable) buffer using the tensor. "
    "You may want to copy the buffer to protect its data or make it writable before converting "
    "it to a tensor. This type of warning will be suppressed for the rest of this program. "
    "(Triggered internally at /__w/pytorch/pytorch/torch/csrc/utils/tensor_new.cpp:1556.)")


def frombuffer(buffer, *, dtype=None, count=-1, offset=0, requires_grad=False):
    """A 1-D tensor over `count` elements of buffer's memory from byte `offset` (no copy)."""
    if dtype is None:
        raise TypeError('frombuffer() missing 1 required positional arguments: "dtype"')
    numpy_dtype = _dtype.numpy_dtype(parse_dtype("frombuffer", dtype))
    try:
        view = memoryview(buffer)
    except TypeError:
        raise ValueError("object does not implement Python buffer protocol.") from None
    length = view.nbytes
    size = numpy_dtype.itemsize
    if length <= 0 or count == 0:
        raise ValueError(f"both buffer length ({length}) and count ({count}) must not be 0")
    if offset < 0 or offset >= length:
        raise ValueError(f"offset ({offset} bytes) must be non-negative and no greater than "
                         f"buffer length ({length} bytes) minus 1")
    if count < 0 and (length - offset) % size:
        raise ValueError(f"buffer length ({length - offset} bytes) after offset ({offset} bytes) "
                         f"must be a multiple of element size ({size})")
    elements = (length - offset) // size if count < 0 else count
    if offset + elements * size > length:
        raise ValueError(f"requested buffer length ({elements} * {size} bytes) after offset "
                         f"({offset} bytes) must not be greater than actual buffer length "
                         f"({length} bytes)")
    if view.readonly:
        warn_once("frombuffer", _READ_ONLY_WARNING)
    array = np.frombuffer(view.cast("B"), numpy_dtype, elements, offset)
    return finish(array, requires_grad, empty_layout=False)


def empty_permuted(size, physical_layout, *, dtype=None, layout=None, device=None,
                   requires_grad=False, pin_memory=False):
    """An uninitialised (zero-filled) tensor of `size` whose dims lie in memory in the order
    physical_layout lists them, outermost first."""
    shape = parse_size("empty_permuted", (size,))
    dtype = parse_dtype("empty_permuted", dtype)
    check_device(device)
    order = list(physical_layout)
    if len(order) != len(shape):
        raise RuntimeError(f"Number of dimensions in size does not match the length of the "
                           f"physical_layout; i.e. len(size) = {len(shape)} is not equal to "
                           f"len(physical_layout) = {len(order)}")
    for position, dim in enumerate(order):
        if not 0 <= dim < len(shape):
            raise RuntimeError(f"Dimension out of range (expected to be between 0 and "
                               f"{len(shape) - 1}, but got {dim} at index {position}).  NB: "
                               "negative dims not currently supported; file an issue if you "
                               "want it.")
    if len(set(order)) != len(order):
        raise RuntimeError("Duplicate dim not allowed")
    # contiguous strides of the physical order (an empty dim counting as 1, as torch's)
    strides = [0] * len(shape)
    step = 1
    for dim in reversed(order):
        strides[dim] = step
        step *= max(shape[dim], 1)
    return empty_strided(shape, strides, dtype=dtype, requires_grad=requires_grad)


def new_empty_strided(self, size, stride, *, dtype=None, layout=None, device=None,
                      requires_grad=False, pin_memory=False):
    """empty_strided with self's dtype unless dtype is given."""
    return empty_strided(size, stride, dtype=self.dtype if dtype is None else dtype,
                         device=device, requires_grad=requires_grad)


Tensor.new_empty_strided = new_empty_strided
