"""Ranges and grids: arange, linspace, logspace, eye, tril_indices, triu_indices, meshgrid,
computed as PyTorch's CPU kernels compute them (same lengths, same rounding)."""
import builtins
import math
import warnings

import numpy as np

from ember import _dtype
from ember._device import check_device
from ember._errors import argument_type_error, dtype_name
from ember._tensor import Tensor
from ember.ops.creation import into_out, finish, parse_dtype

__all__ = ["arange", "range", "linspace", "logspace", "eye", "tril_indices", "triu_indices",
           "meshgrid"]

_NUMBERS = (builtins.int, builtins.float, builtins.bool, np.number, np.bool_)


def _number(function, name, position, value):
    if isinstance(value, Tensor):
        return value.item()
    if not isinstance(value, _NUMBERS):
        raise argument_type_error(function, name, position, "Number", value)
    return value


def _is_floating(value):
    if isinstance(value, Tensor):
        return value._data.dtype.kind in "fc" or value.dtype.is_floating_point
    return isinstance(value, (builtins.float, np.floating))


_ARANGE_SIGNATURES = (
    "(Number end, *, Tensor out = None, torch.dtype dtype = None, torch.layout layout = None, "
    "torch.device device = None, bool pin_memory = False, bool requires_grad = False)",
    "(Number start, Number end, *, torch.dtype dtype = None, torch.layout layout = None, "
    "torch.device device = None, bool pin_memory = False, bool requires_grad = False)",
    "(Number start, Number end, Number step = 1, *, Tensor out = None, torch.dtype dtype = None,"
    " torch.layout layout = None, torch.device device = None, bool pin_memory = False, "
    "bool requires_grad = False)")
_SPACE_OPTIONS = ("*, Tensor out = None, torch.dtype dtype = None, torch.layout layout = None, "
                  "torch.device device = None, bool pin_memory = False, "
                  "bool requires_grad = False")


def _space_signatures(extra):
    return tuple(f"({start} start, {end} end, int steps{extra}, {_SPACE_OPTIONS})"
                 for start, end in (("Tensor", "Tensor"), ("Number", "Tensor"),
                                    ("Tensor", "Number"), ("Number", "Number")))


def signature_error(function, positional, keywords, signatures):
    """torch's TypeError when no overload of `function` accepts the arguments."""
    names = [type(value).__name__ for value in positional]
    names += [f"{key}={type(value).__name__}" for key, value in keywords.items()]
    lines = [f"{function}() received an invalid combination of arguments - got "
             f"({', '.join(names)}), but expected one of:"]
    lines += [f" * {signature}" for signature in signatures]
    return TypeError("\n".join(lines) + "\n")


def _not_implemented(kernel, dtype):
    return NotImplementedError(f'"{kernel}" not implemented for \'{dtype_name(dtype)}\'')


def _format(value):
    # C++'s default stream formatting of a double, as torch prints it in messages
    return f"{value:g}" if isinstance(value, builtins.float) else str(value)


def arange(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
           requires_grad=False, pin_memory=False):
    """Values from start to end (exclusive) by step; integer arguments give int64."""
    if (type(start) is builtins.int and end is None and start >= 0 and dtype is None
            and out is None and device is None):
        # the common arange(n): nothing to check or convert
        return finish(np.arange(start, dtype=np.int64), requires_grad)
    given = (start,) if end is None else (start, end) if step == 1 else (start, end, step)
    bad_dtype = dtype is not None and not isinstance(dtype, (_dtype.dtype, type))
    if end is not None and (bad_dtype or not all(isinstance(value, _NUMBERS + (Tensor,))
                                                 for value in given)):
        raise signature_error("arange", given, {"dtype": dtype} if bad_dtype else {},
                               _ARANGE_SIGNATURES)
    if end is None and bad_dtype:
        raise signature_error("arange", given, {"dtype": dtype}, _ARANGE_SIGNATURES)
    dtype = parse_dtype("arange", dtype)
    check_device(device)
    if end is None:
        start, end = 0, _number("arange", "end", 1, start)
    arguments = (start, end, step)
    if dtype is None:
        floating = any(_is_floating(value) for value in arguments)
        dtype = _dtype.DEFAULT.value if floating else _dtype.int64
    start = _number("arange", "start", 1, start)
    end = _number("arange", "end", 2, end)
    step = _number("arange", "step", 3, step)
    if dtype._category not in (_dtype._INTEGRAL, _dtype._FLOATING):
        raise _not_implemented("arange_cpu", dtype)
    numpy_dtype = _dtype.numpy_dtype(dtype)
    array = _arange_values(start, end, step, dtype, numpy_dtype)
    if out is not None:
        if out._data.size and out._data.size != array.size:
            warnings.warn(
                f"The number of elements in the out tensor of shape {list(out._data.shape)} is "
                f"{out._data.size} which does not match the computed number of elements "
                f"{array.size}. Note that this may occur as a result of rounding error. The "
                f"out tensor will be resized to a tensor of shape ({array.size},).",
                UserWarning, stacklevel=2)
        return into_out(out, array)
    return finish(array, requires_grad)


def _arange_values(start, end, step, dtype, numpy_dtype):
    if dtype is _dtype.int64:
        # torch checks and counts in int64 here: the arguments are truncated first
        if step != 0 and builtins.int(step) == 0:
            raise ValueError("step must be nonzero")
        start, end, step = (builtins.int(value) for value in (start, end, step))
    elif dtype in (_dtype.float16, _dtype.bfloat16):
        start, end, step = (builtins.float(np.float32(value)) for value in (start, end, step))
    else:
        start, end, step = (builtins.float(value) for value in (start, end, step))
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if not (math.isfinite(start) and math.isfinite(end)):
        raise RuntimeError(f"unsupported range: {_format(start)} -> {_format(end)}")
    if not ((step > 0 and end >= start) or (step < 0 and end <= start)):
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    if dtype is _dtype.int64:
        sign = 1 if step > 0 else -1
        numerator = end - start + step - sign
        # C++ integer division truncates toward zero
        count = abs(numerator) // abs(step) * (1 if (numerator >= 0) == (step > 0) else -1)
    else:
        count = math.ceil((end - start) / step)
    if dtype._category == _dtype._INTEGRAL:
        # the other integer types accumulate in int64 from truncated start and step
        first, stride = builtins.int(start), builtins.int(step)
        values = first + stride * np.arange(count, dtype=np.int64)
    else:
        accumulate = np.float32 if dtype in (_dtype.float16, _dtype.bfloat16) else np.float64
        values = accumulate(start) + accumulate(step) * np.arange(count, dtype=accumulate)
    return values.astype(numpy_dtype)


def range(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
          requires_grad=False):
    """Deprecated torch.range: like arange but including end, default float dtype."""
    warnings.warn("torch.range is deprecated and will be removed in a future release because "
                  "its behavior is inconsistent with Python's range builtin. Instead, use "
                  "torch.arange, which produces values in [start, end).", UserWarning,
                  stacklevel=2)
    if end is None:
        start, end = 0, start
    dtype = parse_dtype("range", dtype) or _dtype.DEFAULT.value
    count = builtins.int(math.floor((builtins.float(end) - start) / step)) + 1
    values = start + step * np.arange(max(count, 0), dtype=np.float64)
    return finish(values.astype(_dtype.numpy_dtype(dtype)), requires_grad)


_MISSING = object()


def _steps(function, start, end, steps, extra):
    if steps is _MISSING:
        raise signature_error(function, (start, end), {}, _space_signatures(extra))
    if isinstance(steps, Tensor):
        steps = steps.item()
    if not isinstance(steps, (builtins.int, np.integer)) or isinstance(steps, builtins.bool):
        raise signature_error(function, (start, end, steps), {}, _space_signatures(extra))
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    return builtins.int(steps)


def _linear_values(start, end, steps, compute):
    """torch's symmetric linspace: the first half counts up from start, the second half
    counts down from end, so both ends are exact."""
    if steps == 0:
        return np.zeros(0, compute)
    if steps == 1:
        return np.array([start], compute)
    start = compute.type(start)
    end = compute.type(end)
    step = (end - start) / compute.type(steps - 1)
    index = np.arange(steps)
    halfway = steps // 2
    values = np.empty(steps, compute)
    values[:halfway] = start + step * index[:halfway].astype(compute)
    values[halfway:] = end - step * (steps - 1 - index[halfway:]).astype(compute)
    return values


def _range_dtype(start, end, dtype):
    if dtype is not None:
        return dtype
    if any(isinstance(value, (builtins.complex, np.complexfloating)) for value in (start, end)):
        return _dtype.scalar_dtype(1j)
    return _dtype.DEFAULT.value


def _compute_dtype(dtype):
    numpy_dtype = _dtype.numpy_dtype(dtype)
    if numpy_dtype.kind in "iub":
        return np.dtype(np.float64)
    if dtype is _dtype.bfloat16:
        return np.dtype(np.float32)
    return numpy_dtype


def linspace(start, end, steps=_MISSING, *, out=None, dtype=None, layout=None,
             device=None, requires_grad=False, pin_memory=False):
    """`steps` evenly spaced values from start to end inclusive."""
    dtype = parse_dtype("linspace", dtype)
    check_device(device)
    steps = _steps("linspace", start, end, steps, "")
    start = _number_or_complex("linspace", "start", 1, start)
    end = _number_or_complex("linspace", "end", 2, end)
    dtype = _range_dtype(start, end, dtype)
    values = _linear_values(start, end, steps, _compute_dtype(dtype))
    array = values.astype(_dtype.numpy_dtype(dtype))
    if out is not None:
        return into_out(out, array)
    return finish(array, requires_grad)


def _number_or_complex(function, name, position, value):
    if isinstance(value, (builtins.complex, np.complexfloating)):
        return value
    return _number(function, name, position, value)


def logspace(start, end, steps=_MISSING, base=10.0, *, out=None, dtype=None, layout=None,
             device=None, requires_grad=False, pin_memory=False):
    """`steps` values from base**start to base**end, evenly spaced in the exponent."""
    dtype = parse_dtype("logspace", dtype)
    check_device(device)
    steps = _steps("logspace", start, end, steps, ", float base = 10.0")
    start = _number_or_complex("logspace", "start", 1, start)
    end = _number_or_complex("logspace", "end", 2, end)
    dtype = _range_dtype(start, end, dtype)
    compute = _compute_dtype(dtype)
    if compute.kind == "f":
        compute = np.dtype(np.float64)
    exponents = _linear_values(start, end, steps, compute)
    array = np.power(compute.type(base), exponents).astype(_dtype.numpy_dtype(dtype))
    if out is not None:
        return into_out(out, array)
    return finish(array, requires_grad)


def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=False,
        pin_memory=False):
    """An n x m matrix with ones on the diagonal."""
    dtype = parse_dtype("eye", dtype)
    check_device(device)
    if n < 0:
        raise RuntimeError(f"n must be greater or equal to 0, got {n}")
    if m is None:
        m = n
    if m < 0:
        raise RuntimeError(f"m must be greater or equal to 0, got {m}")
    numpy_dtype = _dtype.DEFAULT.numpy if dtype is None else _dtype.numpy_dtype(dtype)
    array = np.eye(n, m, dtype=numpy_dtype)
    if out is not None:
        return into_out(out, array)
    return finish(array, requires_grad)


def _triangle_indices(kernel, row, col, offset, dtype, device, lower):
    dtype = parse_dtype(kernel, dtype)
    check_device(device)
    dtype = _dtype.int64 if dtype is None else dtype
    if dtype._category != _dtype._INTEGRAL:
        raise _not_implemented(kernel, dtype)
    if row < 0:
        raise RuntimeError(f"row must be non-negative, got{row}")
    if col < 0:
        raise RuntimeError(f"col must be non-negative, got{col}")
    if lower:
        rows, cols = np.tril_indices(row, offset, col)
    else:
        rows, cols = np.triu_indices(row, offset, col)
    return finish(np.stack([rows, cols]).astype(_dtype.numpy_dtype(dtype)), False)


def tril_indices(row, col, offset=0, *, dtype=None, device=None, layout=None,
                 pin_memory=False):
    """The (row, column) indices of the lower triangle of a row x col matrix, as a 2 x N
    tensor."""
    return _triangle_indices("tril_indices", row, col, offset, dtype, device, True)


def triu_indices(row, col, offset=0, *, dtype=None, device=None, layout=None,
                 pin_memory=False):
    """The (row, column) indices of the upper triangle of a row x col matrix, as a 2 x N
    tensor."""
    return _triangle_indices("triu_indices", row, col, offset, dtype, device, False)


def meshgrid(*tensors, indexing=None):
    """Coordinate grids from 1-D tensors, as expanded views ('ij' or 'xy' indexing)."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass the "
                      "indexing argument.", UserWarning, stacklevel=2)
        indexing = "ij"
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    for item in tensors:
        if item._data.ndim > 1:
            # torch appends the tensor in its C++ print format, which ember does not reproduce
            raise RuntimeError("torch.meshgrid: Expected 0D or 1D tensor in the tensor list "
                               f"but got: {item}")
    if any(item.dtype is not tensors[0].dtype for item in tensors):
        raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    if indexing not in ("ij", "xy"):
        raise RuntimeError('torch.meshgrid: indexing must be one of "xy" or "ij", but '
                           f"received: {indexing}")
    swap = indexing == "xy" and len(tensors) >= 2
    ordered = list(tensors)
    if swap:
        ordered[0], ordered[1] = ordered[1], ordered[0]
    shape = tuple(item._data.size for item in ordered)
    grids = []
    for position, item in enumerate(ordered):
        view_shape = [1] * len(ordered)
        view_shape[position] = -1
        grids.append(item.reshape(view_shape).expand(shape))
    if swap:
        grids[0], grids[1] = grids[1], grids[0]
    return tuple(grids)
