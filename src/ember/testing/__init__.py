"""ember.testing: assert_close with PyTorch's default tolerances and failure report.

A port of torch.testing.assert_close's logic: inputs are paired up (recursing through sequences
and mappings), each pair is checked (None, booleans, numbers, tensor-likes) and the first
failure is raised with PyTorch's message."""
import cmath
import collections.abc

import numpy as np

from ember import _dtype
from ember._tensor import Tensor

__all__ = ["assert_close"]

# {dtype name: (rtol, atol)}, torch's _DTYPE_PRECISIONS
_DTYPE_PRECISIONS = {
    "float16": (0.001, 1e-5), "bfloat16": (0.016, 1e-5), "float32": (1.3e-6, 1e-5),
    "float64": (1e-7, 1e-7), "complex64": (1.3e-6, 1e-5), "complex128": (1e-7, 1e-7),
}
_NUMBER_DTYPES = {int: _dtype.int64, float: _dtype.float64, complex: _dtype.complex128}


class _Failure(Exception):
    """A comparison failure: the exception type to raise, its message, the failing item."""

    def __init__(self, kind, message, item_id=()):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.item_id = item_id

    def to_error(self, msg=None):
        if isinstance(msg, str):
            return self.kind(msg)
        message = self.message
        if self.item_id:
            path = "".join(str([item]) for item in self.item_id)
            message += f"\n\nThe failure occurred for item {path}"
        return self.kind(msg(message) if callable(msg) else message)


class _Unsupported(Exception):
    """The pair type cannot handle these inputs; the next one is tried."""


def _tolerances(dtypes, rtol, atol, item_id):
    if (rtol is None) ^ (atol is None):
        missing = "rtol" if rtol is None else "atol"
        raise _Failure(ValueError, "Both 'rtol' and 'atol' must be either specified or "
                                   f"omitted, but got no {missing}.", item_id)
    if rtol is not None:
        return rtol, atol
    pairs = [_DTYPE_PRECISIONS.get(d._name, (0.0, 0.0)) for d in dtypes]
    return max(p[0] for p in pairs), max(p[1] for p in pairs)


def _mismatch_message(identifier, extra, abs_diff, abs_index, atol, rel_diff, rel_index, rtol):
    equality = rtol == 0 and atol == 0

    def line(kind, diff, index, tolerance):
        if index is None:
            text = f"{kind.title()} difference: {diff}"
        else:
            text = f"Greatest {kind} difference: {diff} at index {index}"
        if not equality:
            text += f" (up to {tolerance} allowed)"
        return text + "\n"

    message = f"{identifier} are not {'equal' if equality else 'close'}!\n\n"
    if extra:
        message += f"{extra.strip()}\n"
    message += line("absolute", abs_diff, abs_index, atol)
    message += line("relative", rel_diff, rel_index, rtol)
    return message.strip()


def _scalar_message(actual, expected, rtol, atol):
    abs_diff = abs(actual - expected)
    rel_diff = float("inf") if expected == 0 else abs_diff / abs(expected)
    return _mismatch_message("Scalars", f"Expected {expected} but got {actual}.", abs_diff,
                             None, atol, rel_diff, None, rtol)


def _compare_none(actual, expected, item_id, options):
    if not (actual is None and expected is None):
        raise _Failure(AssertionError, f"None mismatch: {actual} is not {expected}", item_id)


def _compare_booleans(actual, expected, item_id, options):
    actual, expected = bool(actual), bool(expected)
    if actual is not expected:
        raise _Failure(AssertionError, f"Booleans mismatch: {actual} is not {expected}",
                       item_id)


def _compare_numbers(actual, expected, item_id, options):
    rtol, atol = options["rtol"], options["atol"]
    if options["check_dtype"] and type(actual) is not type(expected):
        raise _Failure(AssertionError, f"The (d)types do not match: {type(actual)} != "
                                       f"{type(expected)}.", item_id)
    if actual == expected:
        return
    if options["equal_nan"] and cmath.isnan(actual) and cmath.isnan(expected):
        return
    abs_diff = abs(actual - expected)
    if cmath.isfinite(abs_diff) and abs_diff <= atol + rtol * abs(expected):
        return
    raise _Failure(AssertionError, _scalar_message(actual, expected, rtol, atol), item_id)


def _as_tensor(value):
    if isinstance(value, Tensor):
        return value
    from ember.ops.creation import as_tensor
    try:
        return as_tensor(value)
    except Exception:
        raise _Unsupported from None


def _compare_tensor_likes(actual, expected, item_id, options):
    rtol, atol = options["rtol"], options["atol"]

    def mismatch(name, mine, theirs):
        return _Failure(AssertionError, f"The values for attribute '{name}' do not match: "
                                        f"{mine} != {theirs}.", item_id)

    if actual.shape != expected.shape:
        raise mismatch("shape", actual.shape, expected.shape)
    if options["check_stride"] and actual.stride() != expected.stride():
        raise mismatch("stride()", actual.stride(), expected.stride())
    if options["check_dtype"] and actual.dtype is not expected.dtype:
        raise mismatch("dtype", actual.dtype, expected.dtype)
    common = _dtype.promote_types(actual.dtype, expected.dtype)
    _compare_values(_values(actual, common), _values(expected, common), rtol, atol,
                    options["equal_nan"], item_id)


def _values(tensor, dtype):
    return tensor.detach()._data.astype(_dtype.numpy_dtype(dtype), copy=False)


def _compare_values(actual, expected, rtol, atol, equal_nan, item_id):
    matches = _isclose(actual, expected, rtol, atol, equal_nan)
    if matches.all():
        return
    if actual.ndim == 0:
        message = _scalar_message(actual.item(), expected.item(), rtol, atol)
    else:
        message = _tensor_message(actual, expected, matches, rtol, atol)
    raise _Failure(AssertionError, message, item_id)


def _isclose(actual, expected, rtol, atol, equal_nan):
    """torch.isclose: equal, or a finite difference within atol + rtol * |expected|."""
    with np.errstate(invalid="ignore", over="ignore"):
        close = actual == expected
        floating = actual.dtype.kind in "fcV"
        if equal_nan and floating:
            close |= np.isnan(actual) & np.isnan(expected)
        if floating:
            error = np.abs(actual - expected)
            allowed = atol + np.abs(rtol * expected)
            close |= np.isfinite(error) & (error <= allowed)
        elif rtol or atol:
            error = np.abs(actual.astype(np.float64) - expected.astype(np.float64))
            close |= error <= atol + rtol * np.abs(expected.astype(np.float64))
    return close


def _greatest(values):
    """torch.max(values, 0): a NaN wins (its first occurrence), ties go to the first index."""
    nans = np.isnan(values) if values.dtype.kind in "fV" else None
    if nans is not None and nans.any():
        index = int(np.argmax(nans))
    else:
        index = int(np.argmax(values))
    value = values[index]
    # ml_dtypes' bfloat16 scalars have no .item() to a Python float
    return (float(value) if values.dtype.kind == "V" else value.item()), index


def _tensor_message(actual, expected, matches, rtol, atol):
    total = matches.size
    mismatched = total - int(matches.sum())
    extra = f"Mismatched elements: {mismatched} / {total} ({mismatched / total:.1%})"
    actual_flat = actual.reshape(-1)
    expected_flat = expected.reshape(-1)
    matches_flat = matches.reshape(-1)
    if actual.dtype.kind not in "fcV":
        actual_flat = actual_flat.astype(np.int64)
        expected_flat = expected_flat.astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        abs_diff = np.abs(actual_flat - expected_flat)
        abs_diff[matches_flat] = 0
        if abs_diff.dtype.kind in "iu":
            # integer true division gives the default float dtype in torch
            default = _dtype.DEFAULT.numpy
            rel_diff = abs_diff.astype(default) / np.abs(expected_flat).astype(default)
        else:
            rel_diff = abs_diff / np.abs(expected_flat)
        rel_diff[matches_flat] = 0
    max_abs, abs_index = _greatest(abs_diff)
    max_rel, rel_index = _greatest(rel_diff)
    shape = matches.shape
    return _mismatch_message("Tensor-likes", extra, max_abs,
                             tuple(int(i) for i in np.unravel_index(abs_index, shape)), atol,
                             max_rel, tuple(int(i) for i in np.unravel_index(rel_index, shape)),
                             rtol)


_PAIR_TYPES = (_compare_none, _compare_booleans, _compare_numbers, _compare_tensor_likes)


def _originate(actual, expected, item_id, options, comparisons):
    sequence = collections.abc.Sequence
    if (isinstance(actual, sequence) and not isinstance(actual, str)
            and isinstance(expected, sequence) and not isinstance(expected, str)):
        if len(actual) != len(expected):
            raise _Failure(AssertionError, "The length of the sequences mismatch: "
                                           f"{len(actual)} != {len(expected)}", item_id)
        for index in range(len(actual)):
            _originate(actual[index], expected[index], item_id + (index,), options,
                       comparisons)
        return
    mapping = collections.abc.Mapping
    if isinstance(actual, mapping) and isinstance(expected, mapping):
        _originate_mapping(actual, expected, item_id, options, comparisons)
        return
    for compare in _PAIR_TYPES:
        try:
            compare_now = _prepare(compare, actual, expected, item_id, options)
        except _Unsupported:
            continue
        comparisons.append(compare_now)
        return
    raise _Failure(TypeError, "No comparison pair was able to handle inputs of type "
                              f"{type(actual)} and {type(expected)}.", item_id)


def _originate_mapping(actual, expected, item_id, options, comparisons):
    actual_keys, expected_keys = set(actual.keys()), set(expected.keys())
    if actual_keys != expected_keys:
        raise _Failure(AssertionError,
                       "The keys of the mappings do not match:\n"
                       f"Missing keys in the actual mapping: "
                       f"{sorted(expected_keys - actual_keys)}\n"
                       f"Additional keys in the actual mapping: "
                       f"{sorted(actual_keys - expected_keys)}", item_id)
    try:
        keys = sorted(actual_keys)
    except TypeError:
        keys = actual_keys
    for key in keys:
        _originate(actual[key], expected[key], item_id + (key,), options, comparisons)


def _prepare(compare, actual, expected, item_id, options):
    """Checks that `compare` supports the inputs (raising _Unsupported now, as torch builds
    its pairs before comparing any) and returns the deferred comparison."""
    if compare is _compare_none:
        if not (actual is None or expected is None):
            raise _Unsupported
        return lambda: compare(actual, expected, item_id, options)
    if compare is _compare_booleans:
        kinds = (bool, np.bool_)
        if not (isinstance(actual, kinds) and isinstance(expected, kinds)):
            raise _Unsupported
        return lambda: compare(actual, expected, item_id, options)
    if compare is _compare_numbers:
        kinds = (int, float, complex, np.number)
        if not (isinstance(actual, kinds) and isinstance(expected, kinds)):
            raise _Unsupported
        actual, expected = (value.item() if isinstance(value, np.number) else value
                            for value in (actual, expected))
        dtypes = [_NUMBER_DTYPES[type(value)] for value in (actual, expected)]
    else:
        related = isinstance(actual, type(expected)) or isinstance(expected, type(actual))
        if not related or (not options["allow_subclasses"]
                           and type(actual) is not type(expected)):
            raise _Unsupported
        actual, expected = _as_tensor(actual), _as_tensor(expected)
        dtypes = (actual.dtype, expected.dtype)
    rtol, atol = _tolerances(dtypes, options["rtol"], options["atol"], item_id)
    resolved = dict(options, rtol=rtol, atol=atol)
    return lambda: compare(actual, expected, item_id, resolved)


def assert_close(actual, expected, *, allow_subclasses=True, rtol=None, atol=None,
                 equal_nan=False, check_device=True, check_dtype=True, check_layout=True,
                 check_stride=False, msg=None):
    """Asserts that actual and expected are close, with torch.testing.assert_close's
    tolerances (by dtype) and failure messages."""
    __tracebackhide__ = True
    options = {"allow_subclasses": allow_subclasses, "rtol": rtol, "atol": atol,
               "equal_nan": equal_nan, "check_dtype": check_dtype, "check_stride": check_stride}
    comparisons = []
    try:
        _originate(actual, expected, (), options, comparisons)
    except _Failure as failure:
        raise failure.to_error() from None
    for compare in comparisons:
        try:
            compare()
        except _Failure as failure:
            raise failure.to_error(msg) from None
