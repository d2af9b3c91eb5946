"""torch.fft's argument checking: the TypeErrors PyTorch's argument parser raises for the
fft_* functions (wrong types, too many positional arguments, unknown keywords), worded as
PyTorch words them, including whether the argument was given by position."""
import functools

import numpy as np

from ember import _dtype
from ember._errors import parser_type_name
from ember._tensor import Tensor

__all__ = ["parsed"]


def _is_int(value):
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, np.integer)):
        return True
    # a one-element integral tensor passes as an int, as in PyTorch
    return (isinstance(value, Tensor) and value._data.size == 1
            and value._data.dtype.kind in "iu")


def _int(value, fail):
    if value is None or not _is_int(value):
        fail("int", value)
    return int(value.item() if isinstance(value, Tensor) else value)


def _optional_int(value, fail):
    return None if value is None else _int(value, fail)


def _optional_str(value, fail):
    if value is not None and not isinstance(value, str):
        fail("str", value)
    return value


def _float(value, fail):
    if isinstance(value, (bool, int, float, np.integer, np.floating)):
        return float(value)
    if isinstance(value, Tensor) and value._data.size == 1 and value._data.dtype.kind != "c":
        return float(value.item())
    fail("float", value)


def _optional_ints(value, fail):
    """None, one int, or a tuple/list of ints (torch's int[]? arguments)."""
    if value is None:
        return None
    return _ints(value, fail)


def _ints(value, fail):
    """One int or a tuple/list of ints (torch's int[] arguments)."""
    if _is_int(value) and not isinstance(value, Tensor):
        return (int(value),)
    if not isinstance(value, (tuple, list)):
        fail("tuple of ints", value)
    for index, item in enumerate(value):
        if not _is_int(item):
            fail("tuple of ints", value, index, item)
    return tuple(int(item.item() if isinstance(item, Tensor) else item) for item in value)


def _optional_tensor(value, fail):
    if value is not None and not isinstance(value, Tensor):
        fail("Tensor", value)
    return value


def _optional_dtype(value, fail):
    if value is not None and not isinstance(value, _dtype.dtype):
        fail("torch.dtype", value)
    return value


def _tensor(value, fail):
    if not isinstance(value, Tensor):
        fail("Tensor", value)
    return value


def _anything(value, fail):
    return value


KINDS = {"Tensor": _tensor, "int": _int, "int?": _optional_int, "str?": _optional_str,
         "float": _float, "int[]?": _optional_ints, "int[]": _ints, "Tensor?": _optional_tensor,
         "dtype?": _optional_dtype, "any": _anything}


def _failure(function, name, position):
    """The raiser for one argument: `(position k)` appears only for positional arguments."""
    where = f"argument '{name}'" if position is None else (
        f"argument '{name}' (position {position})")

    def fail(expected, value, index=None, item=None):
        if index is None:
            raise TypeError(f"{function}(): {where} must be {expected}, not {parser_type_name(value)}")
        if index == 0 and position is not None:
            raise TypeError(f"{function}(): {where} must be {expected}, but found element of "
                            f"type {parser_type_name(item)} at pos {index}")
        if index == 0:
            # by keyword, PyTorch names the container rather than the bad element
            raise TypeError(f"{function}(): {where} must be {expected}, not "
                            f"{parser_type_name(value)}")
        # this message never names the position
        raise TypeError(f"{function}(): argument '{name}' failed to unpack the object at pos "
                        f"{index + 1} with error \"type must be {expected},but got "
                        f"{parser_type_name(item)}\"")
    return fail


def parsed(function_name, positional, keyword_only=()):
    """Decorates a torch.fft function with PyTorch's argument checks. `positional` and
    `keyword_only` are (name, kind) pairs, kind a key of KINDS; the first positional
    argument is required, the others have defaults in the decorated function."""
    specs = dict(positional)
    specs.update(keyword_only)
    names = [name for name, _ in positional]

    def decorate(function):
        @functools.wraps(function)
        def checked(*args, **kwargs):
            if len(args) > len(names):
                raise TypeError(f"{function_name}() takes from 1 to {len(names)} positional "
                                f"arguments but {len(args)} were given")
            for key in kwargs:
                if key not in specs:
                    raise TypeError(f"{function_name}() got an unexpected keyword argument "
                                    f"'{key}'")
                if key in names[:len(args)]:
                    raise TypeError(f"{function_name}() got multiple values for argument "
                                    f"'{key}'")
            if not args and names[0] not in kwargs:
                raise TypeError(f"{function_name}() missing 1 required positional arguments: "
                                f"\"{names[0]}\"")
            values = [KINDS[specs[name]](value, _failure(function_name, name, position + 1))
                      for position, (name, value) in enumerate(zip(names, args))]
            options = {key: KINDS[specs[key]](value, _failure(function_name, key, None))
                       for key, value in kwargs.items()}
            return function(*values, **options)
        return checked
    return decorate
