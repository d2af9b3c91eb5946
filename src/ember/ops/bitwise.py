"""Bitwise ops on integer and bool tensors (and, or, xor, not, shifts) and their operators
& | ^ ~ << >>, with PyTorch's errors for floating operands. None is differentiable."""
import numpy as np

from ember import _dtype
from ember._tensor import Tensor, _wrap
from ember.ops._elementwise import as_array, broadcasting, finish, not_implemented
from ember.ops._registry import (binary_operands, inplace_method, inplace_operator, method,
                                 reflected_operator, type_error_to_not_implemented)

__all__ = ["bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not", "bitwise_left_shift",
           "bitwise_right_shift"]


def _integer_operands(kernel, input, other, allow_bool=True):
    a, b, dtype = binary_operands(input, other)
    if dtype.kind in "fc" or (dtype.kind == "b" and not allow_bool):
        raise not_implemented(kernel, _dtype.FROM_NUMPY[dtype])
    return a, b, dtype


def _logic(name, ufunc, kernel):
    def function(input, other, *, out=None):
        a, b, _ = _integer_operands(kernel, input, other)
        result = _wrap(broadcasting(ufunc, a, b))
        return result if out is None else finish(result, out, name)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"Elementwise {name} of integer or bool tensors."
    method(name, function)
    inplace_method(name, function)
    return function


bitwise_and = _logic("bitwise_and", np.bitwise_and, "bitwise_and_cpu")
bitwise_or = _logic("bitwise_or", np.bitwise_or, "bitwise_or_cpu")
bitwise_xor = _logic("bitwise_xor", np.bitwise_xor, "bitwise_xor_cpu")


def bitwise_not(input, *, out=None):
    """Elementwise bitwise not (logical not for bool tensors)."""
    data = input._data
    if data.dtype.kind in "fc":
        raise not_implemented("bitwise_not_cpu", input.dtype)
    result = _wrap(as_array(np.invert(data)))
    return result if out is None else finish(result, out, "bitwise_not")


method("bitwise_not", bitwise_not)
inplace_method("bitwise_not", bitwise_not)


def _bit_width(numpy_dtype):
    return numpy_dtype.itemsize * 8


def bitwise_left_shift(input, other, *, out=None):
    """input << other; shifts by a negative amount or by the bit width or more give 0."""
    a, b, dtype = _integer_operands("lshift_cpu", input, other, allow_bool=False)
    b = np.asarray(b)
    out_of_range = (b < 0) | (b >= _bit_width(dtype))
    array = broadcasting(np.left_shift, a, np.where(out_of_range, 0, b).astype(dtype))
    array = as_array(np.where(out_of_range, dtype.type(0), array))
    result = _wrap(array)
    return result if out is None else finish(result, out, "bitwise_left_shift")


def bitwise_right_shift(input, other, *, out=None):
    """input >> other (arithmetic for signed types); out-of-range shifts fill with the sign."""
    a, b, dtype = _integer_operands("rshift_cpu", input, other, allow_bool=False)
    b = np.asarray(b)
    width = _bit_width(dtype)
    out_of_range = (b < 0) | (b >= width)
    # Signed values shifted by width - 1 keep only their sign; unsigned ones become 0.
    fill = width - 1 if dtype.kind == "i" else 0
    shifts = np.where(out_of_range, fill, b).astype(dtype)
    array = broadcasting(np.right_shift, a, shifts)
    if dtype.kind == "u":
        array = np.where(out_of_range, dtype.type(0), array)
    result = _wrap(as_array(array))
    return result if out is None else finish(result, out, "bitwise_right_shift")


for _name, _function in (("bitwise_left_shift", bitwise_left_shift),
                         ("bitwise_right_shift", bitwise_right_shift)):
    method(_name, _function)
    inplace_method(_name, _function)


def _invert(self):
    if self._data.dtype.kind in "fc":
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type "
                        "tensors")
    return bitwise_not(self)


Tensor.__and__ = bitwise_and
Tensor.__rand__ = reflected_operator(bitwise_and)
Tensor.__iand__ = inplace_operator("bitwise_and_")
Tensor.__or__ = bitwise_or
Tensor.__ror__ = reflected_operator(bitwise_or)
Tensor.__ior__ = inplace_operator("bitwise_or_")
Tensor.__xor__ = bitwise_xor
Tensor.__rxor__ = reflected_operator(bitwise_xor)
Tensor.__ixor__ = inplace_operator("bitwise_xor_")
Tensor.__lshift__ = bitwise_left_shift
Tensor.__rlshift__ = reflected_operator(bitwise_left_shift)
Tensor.__ilshift__ = inplace_operator("bitwise_left_shift_")
Tensor.__rshift__ = bitwise_right_shift
Tensor.__rrshift__ = reflected_operator(bitwise_right_shift)
for _name in ("and", "rand", "or", "ror", "xor", "rxor", "lshift", "rlshift", "rshift",
              "rrshift"):
    _dunder = f"__{_name}__"
    setattr(Tensor, _dunder, type_error_to_not_implemented(getattr(Tensor, _dunder)))
Tensor.__irshift__ = inplace_operator("bitwise_right_shift_")
Tensor.__invert__ = _invert
