"""Elementwise arithmetic (add, sub, mul, div and its rounding modes, floor_divide, remainder,
fmod, pow, float_power) and the Python arithmetic operators, forwards and derivatives side by
side. The operators for tensor-tensor and tensor-float calls of one dtype take a short path
straight to NumPy: they are the hottest code in the library."""
from sys import getrefcount

import numpy as np

from ember import _dtype
from ember._errors import broadcast_mismatch
from ember._tensor import TENSOR_TYPES, Tensor, _wrap
from ember.ops._elementwise import (broadcasting, conjugate, dtype_of, finish,
                                    not_implemented, reject_complex, zeros_of, zeros_rule)
from ember.ops._registry import (RESULT, binary_operands, inplace_method, inplace_operator,
                                 method, node_class, record, reflected_operator,
                                 type_error_to_not_implemented)

__all__ = ["add", "sub", "subtract", "rsub", "mul", "multiply", "div", "divide", "true_divide",
           "floor_divide", "remainder", "fmod", "pow", "float_power"]

_ndarray = np.ndarray
_asarray = np.asarray


def _integral(numpy_dtype):
    return numpy_dtype.kind in "biu"


# ---- add, sub, rsub, mul -----------------------------------------------------------------------

# The complex derivative rules multiply by conjugates (a complex alpha included), as PyTorch's.
AddBackward0 = node_class("AddBackward0", lambda grad, alpha: grad,
                          lambda grad, alpha: grad if alpha == 1 else grad * conjugate(alpha))
SubBackward0 = node_class("SubBackward0", lambda grad, alpha: grad,
                          lambda grad, alpha: -grad if alpha == 1 else grad * -conjugate(alpha))
RsubBackward0 = node_class(
    "RsubBackward0", lambda grad, alpha: -grad if alpha == 1 else grad * -conjugate(alpha),
    lambda grad, alpha: grad)
RsubBackward1 = node_class(
    "RsubBackward1", lambda grad, alpha: -grad if alpha == 1 else grad * -conjugate(alpha))
MulBackward0 = node_class("MulBackward0", lambda grad, input, other: grad * conjugate(other),
                          lambda grad, input, other: grad * conjugate(input))


def _scaled(b, alpha, result_dtype):
    """other * alpha for add/sub, with PyTorch's checks on alpha's type."""
    if result_dtype.kind in "biu" and isinstance(alpha, (float, np.floating)):
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating "
                           "point number.")
    if (result_dtype.kind == "b") != isinstance(alpha, (bool, np.bool_)):
        raise RuntimeError("Boolean alpha only supported for Boolean results.")
    if result_dtype.kind == "b":
        return b if alpha else np.zeros_like(b)
    return np.multiply(b, np.asarray(alpha).astype(result_dtype))


def add(input, other, *, alpha=1, out=None):
    """input + alpha * other, with PyTorch's type promotion and broadcasting."""
    a, b, dtype = binary_operands(input, other)
    if alpha != 1 or type(alpha) is not int:
        b = _scaled(b, alpha, dtype)
    result = record(broadcasting(np.add, a, b), AddBackward0, (input, other), (alpha,))
    return result if out is None else finish(result, out, "add")


def _is_bool(value):
    if isinstance(value, Tensor):
        return value._data.dtype.kind == "b"
    return isinstance(value, (bool, np.bool_))


def _check_bool_subtraction(input, other):
    input_bool = _is_bool(input)
    other_bool = _is_bool(other)
    if input_bool and other_bool:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                           "supported. Use the `^` or `logical_xor()` operator instead.")
    if input_bool or other_bool:
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. "
                           "If you are trying to invert a mask, use the `~` or `logical_not()` "
                           "operator instead.")


def sub(input, other, *, alpha=1, out=None):
    """input - alpha * other."""
    a, b, dtype = binary_operands(input, other)
    if _is_bool(other) or _is_bool(input):
        _check_bool_subtraction(input, other)
    if alpha != 1 or type(alpha) is not int:
        b = _scaled(b, alpha, dtype)
    result = record(broadcasting(np.subtract, a, b), SubBackward0, (input, other), (alpha,))
    return result if out is None else finish(result, out, "sub")


def rsub(input, other, *, alpha=1):
    """other - alpha * input (the reflected subtraction)."""
    a, b, dtype = binary_operands(input, other)
    _check_bool_subtraction(other, input)
    if alpha != 1 or type(alpha) is not int:
        a = _scaled(a, alpha, dtype)
    array = broadcasting(np.subtract, b, a)
    if isinstance(other, Tensor):
        return record(array, RsubBackward0, (input, other), (alpha,))
    return record(array, RsubBackward1, (input,), (alpha,))


def mul(input, other, *, out=None):
    """input * other."""
    a, b, _ = binary_operands(input, other)
    result = record(broadcasting(np.multiply, a, b), MulBackward0, (input, other),
                    (input, other))
    return result if out is None else finish(result, out, "mul")


# ---- division ---------------------------------------------------------------------------------

DivBackward0 = node_class(
    "DivBackward0", lambda grad, input, other: grad / conjugate(other),
    lambda grad, input, other: -grad * conjugate(input) / conjugate(other * other))
# With a rounding mode the quotient is piecewise constant: PyTorch's gradient is zero.
DivBackward2 = node_class("DivBackward2", zeros_rule, zeros_rule)


def _zero_division_check(b):
    """Integer division by zero is an error in PyTorch (NumPy would warn and return 0)."""
    if not np.all(b):
        raise RuntimeError("ZeroDivisionError")


def in_default_float(value):
    """An integral operand's values in the default float dtype, taken from the tensor or the
    Python number itself (a number is not first wrapped to the integer dtype: uint8 / -1 is
    -1.0 per element in PyTorch)."""
    default = _dtype.DEFAULT.numpy
    if isinstance(value, Tensor):
        return value._data.astype(default)
    return np.asarray(value).astype(default)


def _floor_quotient(a, b, dtype, kernel):
    reject_complex(dtype, kernel)
    if dtype.kind == "b":
        raise not_implemented(kernel, _dtype.bool)
    if dtype.kind in "iu":
        _zero_division_check(b)
    return broadcasting(np.floor_divide, a, b)


def _trunc_quotient(a, b, dtype):
    reject_complex(dtype, "div_trunc_cpu")
    if dtype.kind == "b":
        raise not_implemented("div_trunc_cpu", _dtype.bool)
    if dtype.kind == "f":
        return np.trunc(broadcasting(np.true_divide, a, b))
    _zero_division_check(b)
    quotient = broadcasting(np.floor_divide, a, b)
    if dtype.kind == "i":
        # floor and trunc differ by one where the exact quotient is negative and inexact
        inexact = (quotient < 0) & (quotient * b != a)
        quotient = quotient + inexact.astype(dtype)
    return quotient


def div(input, other, *, rounding_mode=None, out=None):
    """input / other: true division (integers divide to the default float dtype), or rounded
    toward zero ('trunc') or down ('floor')."""
    a, b, dtype = binary_operands(input, other)
    if rounding_mode is None:
        if _integral(dtype):
            array = broadcasting(np.true_divide, in_default_float(input),
                                 in_default_float(other))
        else:
            array = broadcasting(np.true_divide, a, b)
        result = record(array, DivBackward0, (input, other), (input, other))
    elif rounding_mode == "trunc":
        result = record(_trunc_quotient(a, b, dtype), DivBackward2, (input, other), ())
    elif rounding_mode == "floor":
        result = record(_floor_quotient(a, b, dtype, "div_floor_cpu"), DivBackward2,
                        (input, other), ())
    else:
        raise RuntimeError("div expected rounding_mode to be one of None, 'trunc', or 'floor' "
                           f"but found '{rounding_mode}'")
    return result if out is None else finish(result, out, "div")


def _not_implemented_rule(op_name):
    def rule(grad, *saved):
        raise RuntimeError(f"derivative for aten::{op_name} is not implemented")
    return rule


# PyTorch records a node named NotImplemented for ops without a derivative formula.
FloorDivideNotImplemented = node_class("NotImplemented", _not_implemented_rule("floor_divide"),
                                       _not_implemented_rule("floor_divide"))
RemainderNotImplemented = node_class("NotImplemented", _not_implemented_rule("remainder"),
                                     _not_implemented_rule("remainder"))


def floor_divide(input, other, *, out=None):
    """input / other rounded down (Python's //)."""
    a, b, dtype = binary_operands(input, other)
    array = _floor_quotient(a, b, dtype, "div_floor_cpu")
    result = record(array, FloorDivideNotImplemented, (input, other), ())
    return result if out is None else finish(result, out, "floor_divide")


RemainderBackward0 = node_class("RemainderBackward0", lambda grad, input, other: grad)
RemainderBackward1 = node_class(
    "RemainderBackward1", lambda grad, input, other: grad,
    lambda grad, input, other: -grad * div(input, other, rounding_mode="floor"))
FmodBackward0 = node_class("FmodBackward0", lambda grad, input, other: grad)
FmodBackward1 = node_class(
    "FmodBackward1", lambda grad, input, other: grad,
    lambda grad, input, other: -grad * div(input, other, rounding_mode="trunc"))


def _modulo(ufunc, kernel, input, other):
    a, b, dtype = binary_operands(input, other)
    reject_complex(dtype, kernel)
    if dtype.kind == "b":
        raise not_implemented(kernel, _dtype.bool)
    if dtype.kind in "iu":
        _zero_division_check(b)
    return broadcasting(ufunc, a, b)


def _float_remainder(a, b):
    """PyTorch's floating remainder: fmod, moved by one divisor when the signs differ. Unlike
    np.remainder an exact zero keeps the dividend's sign (remainder(0., -1.5) is 0., not -0.)."""
    modulus = np.fmod(a, b)
    # the dtype of the result, so a Python-number divisor does not widen float32 to float64
    divisor = np.asarray(b).astype(modulus.dtype, copy=False)
    moves = (modulus != 0) & ((divisor < 0) != (modulus < 0))
    return np.where(moves, modulus + divisor, modulus)


def _remainder_ufunc(a, b):
    if np.result_type(a, b).kind == "f":
        return _float_remainder(a, b)
    return np.remainder(a, b)


def remainder(input, other, *, out=None):
    """Python's modulus: the result takes the divisor's sign."""
    array = _modulo(_remainder_ufunc, "remainder_cpu", input, other)
    if not isinstance(input, Tensor):
        node = RemainderNotImplemented
    elif isinstance(other, Tensor):
        node = RemainderBackward1
    else:
        node = RemainderBackward0
    result = record(array, node, (input, other), (input, other))
    return result if out is None else finish(result, out, "remainder")


def fmod(input, other, *, out=None):
    """C's fmod: the result takes the dividend's sign."""
    array = _modulo(np.fmod, "fmod_cpu", input, other)
    node = FmodBackward1 if isinstance(other, Tensor) else FmodBackward0
    result = record(array, node, (input, other), (input, other))
    return result if out is None else finish(result, out, "fmod")


# ---- powers ------------------------------------------------------------------------------------

def _pow_scalar_backward(grad, input, exponent):
    if exponent == 0:
        return zeros_of(grad)
    return grad * conjugate(exponent * input.pow(exponent - 1))


def _pow_input_backward(grad, input, exponent, result):
    from ember.ops.ternary import where
    derivative = grad * conjugate(exponent * input.pow(exponent - 1))
    return where(exponent == 0, 0.0, derivative)


def _pow_exponent_backward(grad, input, exponent, result):
    from ember.ops.ternary import where
    derivative = grad * conjugate(result * _log_of(input, result))
    # 0 ** e is 0 for e > 0 and 1 for e == 0: flat in e, although log(0) is -inf
    if exponent._data.dtype.kind == "c":
        nonnegative = (exponent.imag == 0) & (exponent.real >= 0)
    else:
        nonnegative = exponent >= 0
    return where((input == 0) & nonnegative, 0.0, derivative)


def _log_of(value, result):
    """log(value) in the result's dtype: a real base of a complex power has a complex log
    (log(-2) is log(2) + pi i)."""
    complex_result = result._data.dtype.kind == "c"
    if isinstance(value, Tensor):
        if complex_result and value._data.dtype.kind != "c":
            value = value.to(result.dtype)
        return value.log()
    if complex_result:
        return complex(np.log(complex(value)))
    return float(np.log(value))


PowBackward0 = node_class("PowBackward0", _pow_scalar_backward)
PowBackward1 = node_class("PowBackward1", _pow_input_backward, _pow_exponent_backward)
PowBackward2 = node_class("PowBackward2", None, _pow_exponent_backward)


def _integer_power(a, b):
    """a ** b for integers with PyTorch's rule for negative exponents: 1 ** -n is 1,
    (-1) ** -n is +-1, anything else truncates to 0."""
    negative = b < 0
    if not np.any(negative):
        return broadcasting(np.power, a, b)
    array = broadcasting(np.power, a, np.where(negative, 0, b))
    odd = (b & 1) == 1
    fill = np.where(a == 1, 1, np.where(a == -1, np.where(odd, -1, 1), 0))
    return np.where(negative, fill, array).astype(array.dtype)


def pow(input, exponent, *, out=None):
    """input ** exponent, elementwise (either may be a Python number)."""
    a, b, dtype = binary_operands(input, exponent)
    if dtype.kind == "b":
        if isinstance(exponent, Tensor):
            raise not_implemented("pow", _dtype.bool)
        # a bool tensor to a bool power: x ** True is x, x ** False is all True
        array = a.copy() if exponent else np.ones_like(a)
    elif dtype.kind in "iu":
        if isinstance(exponent, (int, np.integer)) and exponent < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        array = _integer_power(a, b)
    else:
        array = broadcasting(np.power, a, b)
    if not isinstance(exponent, Tensor):
        result = record(array, PowBackward0, (input,), (input, exponent))
    elif not isinstance(input, Tensor):
        result = record(array, PowBackward2, (None, exponent), (input, exponent, RESULT))
    else:
        result = record(array, PowBackward1, (input, exponent), (input, exponent, RESULT))
    return result if out is None else finish(result, out, "pow")


def _as_double(value, complex_result):
    target = _dtype.complex128 if complex_result else _dtype.float64
    if isinstance(value, Tensor):
        return value.to(target)
    return complex(value) if complex_result else float(value)


def float_power(input, exponent, *, out=None):
    """pow computed in double precision (complex128 when either operand is complex)."""
    complex_result = (dtype_of(input).is_complex or dtype_of(exponent).is_complex)
    result = pow(_as_double(input, complex_result), _as_double(exponent, complex_result))
    return result if out is None else finish(result, out, "float_power", _float_power_out_dtype)


def _float_power_out_dtype(out_name, result_name):
    return (f"the output given to float_power has dtype {out_name} but the operation's result "
            f"requires dtype {result_name}")


def _float_power_(self, exponent):
    """In-place float_power: the tensor must already hold the double result dtype."""
    complex_result = self.dtype.is_complex or dtype_of(exponent).is_complex
    needed = _dtype.complex128 if complex_result else _dtype.float64
    if self.dtype is not needed:
        from ember._errors import dtype_name
        raise RuntimeError(f"the base given to float_power_ has dtype {dtype_name(self.dtype)} "
                           "but the operation's result requires dtype "
                           f"{dtype_name(needed)}")
    return self.pow_(_as_double(exponent, complex_result))


subtract = sub
multiply = mul
divide = div
true_divide = div

for _name, _function in (("add", add), ("sub", sub), ("mul", mul), ("div", div), ("pow", pow),
                         ("subtract", sub), ("multiply", mul), ("divide", div),
                         ("true_divide", div), ("floor_divide", floor_divide),
                         ("remainder", remainder), ("fmod", fmod),
                         ("float_power", float_power)):
    method(_name, _function)
    if _name != "float_power":
        inplace_method(_name, _function)
Tensor.float_power_ = _float_power_


# ---- Python operators --------------------------------------------------------------------------

# NumPy elides temporaries: in x*y + z the buffer of x*y, which nothing else can see, takes
# the sum, saving an allocation that costs as much as the addition on large arrays. The
# operators do the same for an unnamed ember intermediate. Inside the operator a temporary
# tensor has exactly three references (the interpreter's operand stack, `self`, getrefcount's
# argument) and a buffer no view shares has three too (the tensor's slot, `data`, the argument);
# a named tensor or one with views, storage or autograd history has more or is excluded.
_ELISION_MIN_SIZE = 1 << 16


def _reusable_buffer(self, data):
    return (type(self) is Tensor and getrefcount(self) == 4 and getrefcount(data) == 4
            and not self._requires_grad and self._storage is None
            and self._view_base is None and data.base is None and data.flags.writeable)


def _operator(ufunc, node, saves_operands, general, same_dtype_kinds, reflected=False):
    """A Python operator with a short path for a same-dtype tensor operand (when the dtype's
    kind is in same_dtype_kinds, where NumPy's result dtype is PyTorch's) and for a float
    tensor with an int/float number; everything else goes through `general`. The reflected
    form (of a commutative op) refuses a NumPy array, as PyTorch's does."""
    every_kind = same_dtype_kinds == "biufc"

    def operator(self, other):
        if type(other) in TENSOR_TYPES:
            a = self._data
            b = other._data
            if a.dtype is b.dtype and (every_kind or a.dtype.kind in same_dtype_kinds):
                if self._requires_grad or other._requires_grad:
                    array = _checked(ufunc, a, b)
                    saved = (self, other) if saves_operands else (1,)
                    return record(array, node, (self, other), saved)
                if a.size >= _ELISION_MIN_SIZE and a.shape == b.shape and _reusable_buffer(
                        self, a):
                    return _wrap(ufunc(a, b, out=a))
                try:
                    array = ufunc(a, b)
                except ValueError:
                    raise broadcast_mismatch(a.shape, b.shape) from None
                if type(array) is not _ndarray:
                    array = _asarray(array)
                return _wrap(array)
        elif (type(other) is float or type(other) is int) and self._data.dtype.kind == "f":
            a = self._data
            if self._requires_grad:
                saved = (self, other) if saves_operands else (1,)
                return record(_asarray(ufunc(a, other)), node, (self, other), saved)
            if a.size >= _ELISION_MIN_SIZE and _reusable_buffer(self, a):
                return _wrap(ufunc(a, other, out=a))
            array = ufunc(a, other)
            if type(array) is not _ndarray:
                array = _asarray(array)
            return _wrap(array)
        if reflected and type(other) is _ndarray:
            return NotImplemented
        try:
            return general(self, other)
        except TypeError:
            # as PyTorch's operators: Python then tries the other operand and words the error
            return NotImplemented
    return operator


def _checked(ufunc, a, b):
    try:
        return _asarray(ufunc(a, b))
    except ValueError:
        raise broadcast_mismatch(a.shape, b.shape) from None


def _rtruediv(self, other):
    # PyTorch's Tensor.__rtruediv__ is self.reciprocal() * other
    return self.reciprocal() * other


# NumPy's same-dtype results are PyTorch's for + and * on every dtype (bool + bool is or);
# - refuses bools and / turns integers into floats, so those kinds take the general path.
Tensor.__add__ = _operator(np.add, AddBackward0, False, add, "biufc")
Tensor.__radd__ = _operator(np.add, AddBackward0, False, add, "biufc", reflected=True)
Tensor.__iadd__ = inplace_operator("add_")
Tensor.__sub__ = _operator(np.subtract, SubBackward0, False, sub, "iufc")
# number - tensor is PyTorch's rsub(tensor, number), recorded as RsubBackward1
Tensor.__rsub__ = reflected_operator(lambda other, self: rsub(self, other))
Tensor.__isub__ = inplace_operator("sub_")
Tensor.__mul__ = _operator(np.multiply, MulBackward0, True, mul, "biufc")
Tensor.__rmul__ = _operator(np.multiply, MulBackward0, True, mul, "biufc", reflected=True)
Tensor.__imul__ = inplace_operator("mul_")
Tensor.__truediv__ = _operator(np.true_divide, DivBackward0, True, div, "fc")
Tensor.__rtruediv__ = _rtruediv
Tensor.__itruediv__ = inplace_operator("div_")
Tensor.__floordiv__ = floor_divide
Tensor.__rfloordiv__ = reflected_operator(floor_divide)
Tensor.__ifloordiv__ = inplace_operator("floor_divide_")
Tensor.__mod__ = remainder
Tensor.__rmod__ = reflected_operator(remainder)
Tensor.__imod__ = inplace_operator("remainder_")
Tensor.__pow__ = pow
Tensor.__rpow__ = reflected_operator(pow)
Tensor.__ipow__ = inplace_operator("pow_")
# (__add__, __sub__, __mul__ and __truediv__ return NotImplemented from their slow path)
for _name in ("rsub", "rtruediv", "floordiv", "rfloordiv", "mod", "rmod", "pow", "rpow"):
    _dunder = f"__{_name}__"
    setattr(Tensor, _dunder, type_error_to_not_implemented(getattr(Tensor, _dunder)))
