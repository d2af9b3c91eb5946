"""Tensor creation from data and by fill: tensor (with torch.tensor's dtype inference), as_tensor,
from_numpy, zeros/ones/full/empty and their _like and new_ forms, the legacy constructors."""
import builtins
import math
import warnings

import numpy as np

from ember import _dtype
from ember._device import check_device
from ember._errors import argument_type_error, dtype_name, parser_type_name
from ember._storage import address_of
from ember._tensor import Size, Tensor, _wrap
from ember.ops.conversion import alias_array, preserved_empty

__all__ = ["tensor", "as_tensor", "asarray", "from_numpy", "scalar_tensor", "zeros", "ones",
           "full", "empty", "empty_strided", "zeros_like", "ones_like", "full_like",
           "empty_like", "FloatTensor", "DoubleTensor", "HalfTensor", "BFloat16Tensor",
           "LongTensor", "IntTensor", "ShortTensor", "CharTensor", "ByteTensor", "BoolTensor"]

_PYTHON_DTYPES = {builtins.float: _dtype.float64, builtins.int: _dtype.int64,
                  builtins.bool: _dtype.bool, builtins.complex: _dtype.complex128}


def parse_dtype(function, dtype):
    """An ember dtype from a dtype argument (dtype objects or the Python types float, int,
    bool, complex, as torch accepts), None unchanged; torch's TypeError otherwise."""
    if dtype is None or isinstance(dtype, _dtype.dtype):
        return dtype
    found = _PYTHON_DTYPES.get(dtype) if isinstance(dtype, type) else None
    if found is None:
        raise TypeError(f"{function}(): argument 'dtype' must be torch.dtype, not "
                        f"{type(dtype).__name__}")
    return found


def _empty_layout(array):
    """array, or for an empty one a view with torch's contiguous strides: NumPy gives a new
    empty array all-zero strides, where torch computes them for any shape (a size-0 dim
    counting as 1); NumPy's views of the array then carry them. Done where tensors are
    created, off the operators' hot path."""
    if array.size or not array.ndim or any(array.strides):
        return array
    strides = []
    step = array.itemsize
    for size in reversed(array.shape):
        strides.append(step)
        step *= max(size, 1)
    return np.lib.stride_tricks.as_strided(array, array.shape, tuple(reversed(strides)))


def finish(array, requires_grad, empty_layout=True):
    """Wraps a freshly created array; requires_grad is checked as torch checks it."""
    result = _wrap(_empty_layout(array) if empty_layout else array)
    if requires_grad:
        if array.dtype.kind not in "fc" and array.dtype.kind != "V":
            raise RuntimeError("Only Tensors of floating point and complex dtype can require "
                               "gradients")
        result._requires_grad = True
    return result


# ---- torch.tensor's dtype inference -----------------------------------------------------------

def _scalar_dtype(value):
    """The dtype torch.tensor infers for one leaf value."""
    kind = type(value)
    if kind is builtins.float:
        return _dtype.DEFAULT.value
    if kind is builtins.int:
        return _dtype.int64
    if kind is builtins.bool:
        return _dtype.bool
    if kind is builtins.complex:
        return _dtype.scalar_dtype(value)
    if isinstance(value, Tensor):
        return value.dtype
    if isinstance(value, (np.generic, np.ndarray)):
        return _dtype.from_numpy_dtype(value.dtype)
    if isinstance(value, (str, bytes)):
        raise TypeError(f"new(): invalid data type '{kind.__name__}'")
    if isinstance(value, (builtins.float, builtins.int, builtins.complex)):
        return _scalar_dtype(kind.__mro__[1](value))
    raise RuntimeError(f"Could not infer dtype of {kind.__name__}")


_SEQUENCE_TYPES = (list, tuple, range)


def _infer_dtype(data, found, seen):
    """Promotes `found` with every leaf of nested sequences `data` (a set of types per list
    keeps the common all-Python-scalar case at C speed); adds the leaf types to `seen`."""
    kinds = set(map(type, data))
    seen |= kinds
    for kind in kinds:
        if kind in _SEQUENCE_TYPES:
            for item in data:
                if type(item) is kind:
                    found = _infer_dtype(item, found, seen)
            continue
        if kind is np.ndarray:
            for item in data:
                if type(item) is kind:
                    found = _promote(found, _dtype.from_numpy_dtype(item.dtype))
            continue
        if kind in (builtins.float, builtins.int, builtins.bool, builtins.complex):
            found = _promote(found, _scalar_dtype(kind()))
            continue
        for item in data:
            if type(item) is kind:
                found = _promote(found, _scalar_dtype(item))
    return found


def _promote(found, new):
    return new if found is None else _dtype.promote_types(found, new)


def _sizes(data):
    """The shape torch reads from nested sequences: the lengths along the first elements."""
    sizes = []
    while isinstance(data, (_SEQUENCE_TYPES, np.ndarray)):
        if isinstance(data, np.ndarray):
            sizes.extend(data.shape)
            break
        sizes.append(len(data))
        if not data:
            break
        data = data[0]
    return sizes


def _check_shape(data, sizes, dim, holds_tensor):
    """Raises torch's errors for ragged nesting; returns whether a Tensor sits in a leaf."""
    if isinstance(data, np.ndarray):
        for offset, extent in enumerate(data.shape):
            if extent != sizes[dim + offset]:
                raise ValueError(f"expected sequence of length {sizes[dim + offset]} at dim "
                                 f"{dim + offset} (got {extent})")
        return holds_tensor
    if len(data) != sizes[dim]:
        raise ValueError(f"expected sequence of length {sizes[dim]} at dim {dim} "
                         f"(got {len(data)})")
    if dim + 1 == len(sizes):
        return holds_tensor or any(isinstance(item, Tensor) for item in data)
    for item in data:
        if not isinstance(item, (_SEQUENCE_TYPES, np.ndarray)):
            raise TypeError("not a sequence")
        holds_tensor = _check_shape(item, sizes, dim + 1, holds_tensor)
    return holds_tensor


def _tensor_leaves_to_scalars(data, target):
    """Nested data with each Tensor leaf replaced by its single value, as torch reads it."""
    if isinstance(data, Tensor):
        if data._data.size != 1:
            if target._category == _dtype._INTEGRAL:
                raise TypeError("only integer tensors of a single element can be converted to "
                                "an index")
            raise ValueError("only one element tensors can be converted to Python scalars")
        return data._data.reshape(())
    if isinstance(data, _SEQUENCE_TYPES):
        return [_tensor_leaves_to_scalars(item, target) for item in data]
    return data


def _leaf_type_error(target, leaf):
    if target._category == _dtype._INTEGRAL:
        return TypeError(f"'{parser_type_name(leaf)}' object cannot be interpreted as an integer")
    return TypeError(f"must be real number, not {parser_type_name(leaf)}")


def _first_leaf_of_kind(data, kinds):
    if isinstance(data, kinds):
        return data
    if isinstance(data, _SEQUENCE_TYPES):
        for item in data:
            found = _first_leaf_of_kind(item, kinds)
            if found is not None:
                return found
    return None


def _to_dtype_checked(raw, target):
    """Casts the values read by NumPy to `target`, raising torch's errors where torch's
    per-element conversion would: overflow, complex into a real type."""
    numpy_target = _dtype.numpy_dtype(target)
    kind = raw.dtype.kind
    if kind == "O" or (kind == "u" and raw.dtype != numpy_target):
        # NumPy fell back to objects or uint64: a Python int beyond int64
        raise ValueError("Overflow when unpacking long long")
    if kind == "c" and numpy_target.kind not in "cb":
        raise _leaf_type_error(target, builtins.complex())
    if numpy_target.kind in "iu" and kind in "iuf" and raw.size:
        _check_integer_range(raw, target, numpy_target)
    return raw.astype(numpy_target, copy=False)


def _check_integer_range(raw, target, numpy_target):
    limits = np.iinfo(numpy_target)
    low = raw.min()
    high = raw.max()
    if numpy_target.kind == "u" and raw.dtype.kind != "f":
        # c10's overflow check lets negative integers wrap while their magnitude fits
        bad = high > limits.max or -builtins.float(low) > limits.max
    else:
        bad = high > limits.max or low < limits.min
    if raw.dtype.kind == "f" and np.isnan(raw).any():
        bad = True
    if bad:
        raise RuntimeError(f"value cannot be converted to type {target._name} without overflow")


def _array_from_data(data, dtype):
    """The ndarray torch.tensor(data, dtype=dtype) would hold (a fresh, contiguous copy)."""
    if isinstance(data, np.ndarray):
        source = _dtype.from_numpy_dtype(data.dtype)
        _check_numpy_strides(data)
        target = source if dtype is None else dtype
        return np.array(data, dtype=_dtype.numpy_dtype(target), order="C")
    if isinstance(data, Tensor):
        target = data.dtype if dtype is None else dtype
        return np.array(data._data, dtype=_dtype.numpy_dtype(target), order="C")
    is_nested = isinstance(data, _SEQUENCE_TYPES)
    seen = set()
    inferred = _infer_dtype(data, None, seen) if is_nested else _scalar_dtype(data)
    target = dtype if dtype is not None else (inferred or _dtype.DEFAULT.value)
    if np.bool_ in seen and target._category == _dtype._INTEGRAL:
        # torch reads integers through __index__, which NumPy's bool scalar lacks
        raise TypeError("'numpy.bool' object cannot be interpreted as an integer")
    if isinstance(data, np.generic):
        return np.array(data, dtype=_dtype.numpy_dtype(target))
    if not is_nested:
        return _to_dtype_checked(np.array(data), target)
    sizes = _sizes(data)
    holds_tensor = _check_shape(data, sizes, 0, False)
    if holds_tensor:
        data = _tensor_leaves_to_scalars(data, target)
    try:
        raw = np.array(data)
    except ValueError:
        # a sequence where a scalar belongs: the leaf level holds a list
        raise _leaf_type_error(target, _first_leaf_of_kind(data, _SEQUENCE_TYPES)) from None
    if raw.ndim != len(sizes):
        raise _leaf_type_error(target, _first_leaf_of_kind(data, _SEQUENCE_TYPES))
    if target is _dtype.bfloat16 or raw.dtype.kind == "V":
        return np.array(raw.astype(np.float64), dtype=_dtype.numpy_dtype(target))
    return np.ascontiguousarray(_to_dtype_checked(raw, target))


def _check_numpy_strides(ndarray):
    """PyTorch reads an ndarray in place (even to copy it), so it refuses strides a tensor
    cannot have: negative ones and ones that are not whole elements."""
    # every stride counts, a size-1 dim's too (np.zeros((1, 3))[::-1] is refused)
    for step in ndarray.strides:
        if step % ndarray.itemsize:
            raise ValueError("given numpy array strides not a multiple of the element byte "
                             "size. Copy the numpy array to reallocate the memory.")
    for step in ndarray.strides:
        if step < 0:
            raise ValueError(
                "At least one stride in the given numpy array is negative, and tensors with "
                "negative strides are not currently supported. (You can probably work around "
                "this by making a copy of your array  with array.copy().) ")


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new tensor holding a copy of `data` (nested lists, scalars, arrays or tensors)."""
    dtype = parse_dtype("tensor", dtype)
    check_device(device)
    if isinstance(data, Tensor):
        warnings.warn("To copy construct from a tensor, it is recommended to use "
                      "sourceTensor.detach().clone() or sourceTensor.detach().clone()."
                      "requires_grad_(True), rather than torch.tensor(sourceTensor).",
                      UserWarning, stacklevel=2)
    # every path of _array_from_data builds a new array: the tensor owns its memory; torch
    # keeps an ndarray's strides, NumPy's zeros of an empty one included
    return finish(_array_from_data(data, dtype), requires_grad,
                  empty_layout=not isinstance(data, np.ndarray))


def as_tensor(data, dtype=None, device=None):
    """Converts data to a tensor, sharing memory with a tensor or ndarray when possible."""
    dtype = parse_dtype("as_tensor", dtype)
    check_device(device)
    if isinstance(data, Tensor):
        if dtype is None or data.dtype is dtype:
            return data
        return data.to(dtype)
    if isinstance(data, np.ndarray):
        source = _dtype.from_numpy_dtype(data.dtype)
        _check_numpy_strides(data)
        if dtype is None or dtype is source:
            return _wrap(data)
        return _wrap(data.astype(_dtype.numpy_dtype(dtype)))
    return _wrap(_array_from_data(data, dtype))


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=False):
    """Converts obj to a tensor, sharing memory when possible unless copy=True."""
    dtype = parse_dtype("asarray", dtype)
    check_device(device)
    if hasattr(obj, "__dlpack__") and not isinstance(obj, (Tensor, np.ndarray)):
        obj = np.from_dlpack(obj)
    if isinstance(obj, (Tensor, np.ndarray)):
        result = as_tensor(obj, dtype=dtype)
        shares = result._data is getattr(obj, "_data", obj)
        if copy is False and not shares:
            raise ValueError(f"can't alias tensor with dtype '{dtype_name(obj_dtype(obj))}' "
                             f"into dtype '{dtype_name(result.dtype)}'.")
        if copy:
            result = _wrap(result._data.copy()) if shares else result
        elif isinstance(obj, Tensor) and shares:
            return obj if not requires_grad else obj.requires_grad_(True)
        return finish(result._data, requires_grad) if result is not obj else result
    return finish(_array_from_data(obj, dtype), requires_grad)


def obj_dtype(obj):
    """The ember dtype of a tensor or ndarray."""
    return obj.dtype if isinstance(obj, Tensor) else _dtype.from_numpy_dtype(obj.dtype)


def from_numpy(ndarray):
    """A tensor sharing memory with a NumPy array."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    _dtype.from_numpy_dtype(ndarray.dtype)
    _check_numpy_strides(ndarray)
    root = ndarray
    while isinstance(root.base, np.ndarray):
        root = root.base
    if root is not ndarray and address_of(root) != address_of(ndarray):
        # torch's from_numpy storage starts at the array's first element (offset 0)
        return _wrap(alias_array(ndarray))
    return _wrap(ndarray)


def scalar_tensor(s, *, dtype=None, device=None, requires_grad=False, layout=None,
                  pin_memory=False):
    """A 0-d tensor of the default dtype (or `dtype`) holding s."""
    dtype = parse_dtype("scalar_tensor", dtype)
    check_device(device)
    if isinstance(s, Tensor):
        s = s.item()
    numpy_dtype = _dtype.DEFAULT.numpy if dtype is None else _dtype.numpy_dtype(dtype)
    return finish(np.array(s, dtype=numpy_dtype), requires_grad)


# ---- filled tensors ---------------------------------------------------------------------------

def _size_item(function, position, item):
    if isinstance(item, (builtins.int, np.integer)) and not isinstance(item, builtins.bool):
        return builtins.int(item)
    if isinstance(item, Tensor) and item._data.ndim == 0 and item._data.dtype.kind in "iu":
        return builtins.int(item._data)
    raise TypeError(f"{function}(): argument 'size' failed to unpack the object at pos "
                    f"{position} with error \"type must be tuple of ints,but got "
                    f"{type(item).__name__}\"")


def parse_size(function, size):
    """A shape tuple from `*size` varargs (ints, or one sequence), with torch's errors."""
    if len(size) == 1 and type(size[0]) in (tuple, list):
        size = size[0]
    for extent in size:
        if type(extent) is not builtins.int or extent < 0:
            break
    else:
        return tuple(size)  # plain non-negative ints: the common case needs no conversion
    if len(size) == 1:
        only = size[0]
        if isinstance(only, (tuple, list)):
            size = only
        elif not isinstance(only, (builtins.int, np.integer, Tensor)) or isinstance(
                only, builtins.bool):
            raise TypeError(f"{function}(): argument 'size' (position 1) must be tuple of "
                            f"ints, not {parser_type_name(only)}")
    shape = tuple(_size_item(function, position + 1, item)
                  for position, item in enumerate(size))
    for extent in shape:
        if extent < 0:
            if function == "zeros":
                raise RuntimeError("zeros: Dimension size must be non-negative.")
            raise RuntimeError(f"Trying to create tensor with negative dimension {extent}: "
                               f"{list(shape)}")
    return shape


def _numpy_dtype_or_default(dtype):
    if dtype is None:
        return _dtype.DEFAULT.numpy
    return _dtype.numpy_dtype(dtype)


def _filled(function, fill, shape, dtype, device, requires_grad, out=None):
    dtype = parse_dtype(function, dtype)
    check_device(device)
    numpy_dtype = _numpy_dtype_or_default(dtype)
    if fill == 0:
        array = np.zeros(shape, numpy_dtype)
    else:
        array = np.empty(shape, numpy_dtype)
        array.fill(fill)
    if out is not None:
        return into_out(out, array)
    return finish(array, requires_grad)


def into_out(out, array):
    """Resizes `out` to the result (torch's out= semantics for creation ops) and fills it."""
    if out._data.shape != array.shape:
        out._data = np.empty(array.shape, out._data.dtype)
        out._storage = None
    np.copyto(out._data, array, casting="unsafe")
    out._bump_version()
    return out


def _size_arguments(function, sizes, size):
    """The size given positionally (`*sizes`) or as the keyword `size`."""
    if size is not None:
        return parse_size(function, (size,))
    if not sizes:
        raise TypeError(f'{function}() missing 1 required positional arguments: "size"')
    return parse_size(function, sizes)


def zeros(*sizes, size=None, out=None, dtype=None, layout=None, device=None,
          requires_grad=False, pin_memory=False):
    """A tensor of zeros."""
    shape = _size_arguments("zeros", sizes, size)
    return _filled("zeros", 0, shape, dtype, device, requires_grad, out)


def ones(*sizes, size=None, out=None, dtype=None, layout=None, device=None,
         requires_grad=False, pin_memory=False):
    """A tensor of ones."""
    shape = _size_arguments("ones", sizes, size)
    return _filled("ones", 1, shape, dtype, device, requires_grad, out)


def empty(*sizes, size=None, out=None, dtype=None, layout=None, device=None,
          requires_grad=False, pin_memory=False, memory_format=None):
    """An uninitialised tensor (ember fills it with zeros, deterministically)."""
    shape = _size_arguments("empty", sizes, size)
    return _filled("empty", 0, shape, dtype, device, requires_grad, out)


def _fill_dtype(fill_value):
    if isinstance(fill_value, Tensor):
        return fill_value.dtype if fill_value._data.dtype.kind != "f" else _dtype.DEFAULT.value
    if not isinstance(fill_value, _dtype._NUMBER_TYPES):
        raise argument_type_error("full", "fill_value", 2, "Number", fill_value)
    return _dtype.scalar_dtype(fill_value)


_SCALAR_C_TYPES = {"float16": "c10::Half", "bfloat16": "c10::BFloat16", "float32": "float",
                   "float64": "double", "bool": "bool", "int32": "int"}


# float targets a finite Python float can overflow (float64 holds every one)
_NARROW_FLOAT_MAX = {"float16": 65504.0, "bfloat16": 3.3895313892515355e+38,
                     "float32": 3.4028234663852886e+38}


def checked_fill(fill_value, dtype):
    """fill_value as a Python scalar, with torch's overflow checks for the target dtype."""
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    numpy_dtype = _dtype.numpy_dtype(dtype)
    type_name = _SCALAR_C_TYPES.get(dtype._name, f"{dtype._name}_t")
    overflow = RuntimeError(f"value cannot be converted to type {type_name} without overflow")
    if isinstance(fill_value, (builtins.complex, np.complexfloating)) and \
            numpy_dtype.kind != "c":
        if fill_value.imag:
            raise overflow
        fill_value = fill_value.real
    if numpy_dtype.kind in "iu" and not isinstance(fill_value, (builtins.bool, np.bool_)):
        limits = np.iinfo(numpy_dtype)
        # c10 lets a negative integer wrap into an unsigned type while its magnitude fits
        low = -limits.max if numpy_dtype.kind == "u" else limits.min
        if not low <= fill_value <= limits.max:
            raise overflow
        return np.array(fill_value).astype(numpy_dtype)
    limit = _NARROW_FLOAT_MAX.get(dtype._name)
    if limit is not None and not isinstance(fill_value, builtins.bool):
        magnitude = abs(fill_value)
        if magnitude > limit and magnitude != math.inf:
            raise overflow
    return fill_value


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None,
         requires_grad=False, pin_memory=False):
    """A tensor filled with fill_value; the dtype is inferred from the value as in PyTorch."""
    if not isinstance(size, (tuple, list)):
        raise TypeError("full(): argument 'size' (position 1) must be tuple of ints, not "
                        f"{type(size).__name__}")
    shape = parse_size("full", (size,))
    dtype = parse_dtype("full", dtype)
    if dtype is None:
        dtype = _fill_dtype(fill_value)
    fill_value = checked_fill(fill_value, dtype)
    return _filled("full", fill_value, shape, dtype, device, requires_grad, out)


def empty_strided(size, stride, *, dtype=None, layout=None, device=None, requires_grad=False,
                  pin_memory=False):
    """An uninitialised (zero-filled) tensor with the given strides."""
    from ember.ops.views import strided
    shape = parse_size("empty_strided", (size,))
    dtype = parse_dtype("empty_strided", dtype)
    check_device(device)
    steps = tuple(builtins.int(step) for step in stride)
    if len(steps) != len(shape):
        raise RuntimeError(f"dimensionality of sizes ({len(shape)}) must match dimensionality "
                           f"of strides ({len(steps)})")
    extent = 1 + sum((n - 1) * s for n, s in zip(shape, steps)) if all(shape) else 0
    buffer = np.zeros(extent, _numpy_dtype_or_default(dtype))
    return finish(strided(buffer, shape, steps), requires_grad)


def _require_tensor(function, input):
    if not isinstance(input, Tensor):
        raise argument_type_error(function, "input", 1, "Tensor", input)


def _like(function, fill, input, dtype, device, requires_grad, memory_format):
    _require_tensor(function, input)
    dtype = parse_dtype(function, dtype)
    check_device(device)
    data = input._data
    numpy_dtype = data.dtype if dtype is None else _dtype.numpy_dtype(dtype)
    array = preserved_empty(data, numpy_dtype, memory_format)
    array[...] = fill
    return finish(array, requires_grad)


def zeros_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None):
    """Zeros with the shape (and by default the dtype) of input."""
    return _like("zeros_like", 0, input, dtype, device, requires_grad, memory_format)


def ones_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    """Ones with the shape (and by default the dtype) of input."""
    return _like("ones_like", 1, input, dtype, device, requires_grad, memory_format)


def empty_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None):
    """An uninitialised tensor shaped like input (zero-filled in ember)."""
    return _like("empty_like", 0, input, dtype, device, requires_grad, memory_format)


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    """fill_value with the shape (and by default the dtype) of input."""
    _require_tensor("full_like", input)
    target = input.dtype if dtype is None else parse_dtype("full_like", dtype)
    fill_value = checked_fill(fill_value, target)
    return _like("full_like", fill_value, input, target, device, requires_grad, memory_format)


# ---- Tensor.new_* -----------------------------------------------------------------------------

def new_tensor(self, data, dtype=None, device=None, requires_grad=False, layout=None,
               pin_memory=False):
    """A copy of data as a tensor, with self's dtype unless `dtype` is given."""
    dtype = parse_dtype("new_tensor", dtype)
    if isinstance(data, Tensor):
        warnings.warn("To copy construct from a tensor, it is recommended to use "
                      "sourceTensor.detach().clone() or sourceTensor.detach().clone()."
                      "requires_grad_(True), rather than tensor.new_tensor(sourceTensor).",
                      UserWarning, stacklevel=2)
    return tensor(data, dtype=self.dtype if dtype is None else dtype, device=device,
                  requires_grad=requires_grad)


def _new_filled(function, fill):
    def new_filled(self, *size, dtype=None, device=None, requires_grad=False, layout=None,
                   pin_memory=False):
        dtype = parse_dtype(function, dtype)
        return _filled(function, fill, parse_size(function, size),
                       self.dtype if dtype is None else dtype, device, requires_grad)
    new_filled.__name__ = function
    new_filled.__doc__ = f"A tensor of {fill}s with self's dtype unless `dtype` is given."
    return new_filled


def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False,
             layout=None, pin_memory=False):
    """A tensor filled with fill_value, with self's dtype unless `dtype` is given."""
    dtype = parse_dtype("new_full", dtype)
    return full(size, fill_value, dtype=self.dtype if dtype is None else dtype, device=device,
                requires_grad=requires_grad)


def new(self, *args, device=None):
    """The legacy constructor with self's dtype: sizes give an uninitialised tensor, data a
    copy."""
    return _legacy_constructor(self.dtype, False)(*args, device=device)


Tensor.new = new
Tensor.new_tensor = new_tensor
Tensor.new_zeros = _new_filled("new_zeros", 0)
Tensor.new_ones = _new_filled("new_ones", 1)
Tensor.new_empty = _new_filled("new_empty", 0)
Tensor.new_full = new_full


# ---- legacy constructors ----------------------------------------------------------------------

CPP_TYPE_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half",
                   "bfloat16": "c10::BFloat16", "int64": "long int", "int32": "int",
                   "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
                   "bool": "bool", "complex64": "c10::complex<float>",
                   "complex128": "c10::complex<double>"}


def _options_text(dtype):
    return (f"TensorOptions(dtype={CPP_TYPE_NAMES[dtype._name]}, device=cpu, layout=Strided, "
            "requires_grad=false (default), pinned_memory=false (default), "
            "memory_format=(nullopt))")


def _legacy_constructor(dtype, checks_dtype):
    def construct(*args, device=None):
        if device is not None and str(device).partition(":")[0] != "cpu":
            raise RuntimeError("legacy constructor expects device type: cpu but device type: "
                               f"{str(device).partition(':')[0]} was passed")
        if len(args) == 1 and isinstance(args[0], Tensor):
            if checks_dtype and args[0].dtype is not dtype:
                raise TypeError(f"expected {_options_text(dtype)} (got "
                                f"{_options_text(args[0].dtype)})")
            return args[0]
        if len(args) == 1 and isinstance(args[0], (builtins.float, builtins.complex,
                                                   builtins.bool)):
            raise TypeError(f"new(): data must be a sequence (got {type(args[0]).__name__})")
        if len(args) == 1 and isinstance(args[0], Size):
            args = tuple(args[0])  # a torch.Size is a shape, not data
        elif len(args) == 1 and not isinstance(args[0], (builtins.int, np.integer)):
            return finish(_array_from_data(args[0], dtype), False)
        if not args:
            args = (0,)
        shape = tuple(builtins.int(extent) for extent in args)
        for extent in shape:
            if extent < 0:
                raise RuntimeError(f"Trying to create tensor with negative dimension {extent}: "
                                   f"{list(shape)}")
        return finish(np.zeros(shape, _dtype.numpy_dtype(dtype)), False)
    return construct


def _tensor_new(cls, *args, **kwargs):
    """ember.Tensor(...): sizes give an uninitialised default-dtype tensor, data a copy."""
    return _legacy_constructor(_dtype.DEFAULT.value, False)(*args, **kwargs)


Tensor._legacy_new = staticmethod(_tensor_new)


class _LegacyTensorType(type):
    """The metaclass of FloatTensor & co: isinstance checks the dtype, as torch's do."""

    def __instancecheck__(cls, instance):
        return isinstance(instance, Tensor) and instance.dtype is cls.dtype

    def __call__(cls, *args, **kwargs):
        return cls._construct(*args, **kwargs)


def _legacy_type(name, dtype):
    return _LegacyTensorType(name, (), {
        "dtype": dtype, "_construct": staticmethod(_legacy_constructor(dtype, True)),
        "__doc__": f"The legacy constructor for {dtype} tensors (torch.{name})."})


FloatTensor = _legacy_type("FloatTensor", _dtype.float32)
DoubleTensor = _legacy_type("DoubleTensor", _dtype.float64)
HalfTensor = _legacy_type("HalfTensor", _dtype.float16)
BFloat16Tensor = _legacy_type("BFloat16Tensor", _dtype.bfloat16)
LongTensor = _legacy_type("LongTensor", _dtype.int64)
IntTensor = _legacy_type("IntTensor", _dtype.int32)
ShortTensor = _legacy_type("ShortTensor", _dtype.int16)
CharTensor = _legacy_type("CharTensor", _dtype.int8)
ByteTensor = _legacy_type("ByteTensor", _dtype.uint8)
BoolTensor = _legacy_type("BoolTensor", _dtype.bool)
