"""Elementwise arithmetic: forwards in NumPy, derivative rules in ember ops, side by side."""
import numpy as np

from ember import _dtype
from ember._tensor import Tensor, _wrap
from ember.ops._registry import (RESULT, binary_operands, float_data, inplace_method, method,
                                 node_class, record, write_result, check_inplace)

__all__ = ["add", "sub", "subtract", "rsub", "mul", "multiply", "div", "divide", "true_divide",
           "neg", "negative", "pow", "sin", "cos", "exp", "log",
           "eq", "ne", "lt", "le", "gt", "ge", "greater", "greater_equal", "less", "less_equal",
           "not_equal"]


def _finish(result, out):
    """Honours an out= argument: writes into `out` and returns it."""
    if out is None:
        return result
    write_result(out, result._data) if out._data.shape == result._data.shape else _resize_into(
        out, result)
    return out


def _resize_into(out, result):
    check_inplace(out)
    out._data = result._data.astype(out._data.dtype, copy=False)
    out._storage = None
    out._bump_version()


# ---- unary ops --------------------------------------------------------------------------------

def _unary(name, forward, node_name, rule, saves, float_only=True, inplace=True):
    """Registers a unary elementwise op: ember.<name>, Tensor.<name>, Tensor.<name>_."""
    node = node_class(node_name, rule)
    prepare = float_data if float_only else _raw_data
    saves_result = saves == "result"

    def function(input, *, out=None):
        array = forward(prepare(input))
        result = record(array, node, (input,), (RESULT,) if saves_result else (input,))
        return result if out is None else _finish(result, out)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"Elementwise {name}, as torch.{name}."
    method(name, function)
    if inplace:
        inplace_method(name, function)
    return function


def _raw_data(tensor):
    return tensor._data


sin = _unary("sin", np.sin, "SinBackward0", lambda grad, input: grad * input.cos(), "input")
cos = _unary("cos", np.cos, "CosBackward0", lambda grad, input: -(grad * input.sin()), "input")
exp = _unary("exp", np.exp, "ExpBackward0", lambda grad, result: grad * result, "result")
log = _unary("log", np.log, "LogBackward0", lambda grad, input: grad / input, "input")
neg = _unary("neg", np.negative, "NegBackward0", lambda grad, input: -grad, "none",
             float_only=False)
negative = neg
method("negative", neg)


# ---- binary arithmetic -----------------------------------------------------------------------

AddBackward0 = node_class("AddBackward0", lambda grad, alpha: grad,
                          lambda grad, alpha: grad if alpha == 1 else grad * alpha)
SubBackward0 = node_class("SubBackward0", lambda grad, alpha: grad,
                          lambda grad, alpha: -grad if alpha == 1 else grad * -alpha)
RsubBackward1 = node_class("RsubBackward1", lambda grad, alpha: -grad if alpha == 1 else
                           grad * -alpha)
MulBackward0 = node_class("MulBackward0", lambda grad, input, other: grad * other,
                          lambda grad, input, other: grad * input)
DivBackward0 = node_class("DivBackward0", lambda grad, input, other: grad / other,
                          lambda grad, input, other: -grad * input / (other * other))


def _check_bool_subtraction(a, b):
    if a.dtype.kind == "b" and getattr(b, "dtype", np.dtype(type(b))).kind == "b":
        raise RuntimeError(
            "Subtraction, the `-` operator, with two bool tensors is not supported. "
            "If you are trying to invert a mask, use the `~` or `logical_not()` operator "
            "instead.")


def add(input, other, *, alpha=1, out=None):
    """input + alpha * other, with PyTorch's type promotion and broadcasting."""
    a, b, _ = binary_operands(input, other)
    if alpha != 1:
        b = np.multiply(b, alpha, dtype=a.dtype if hasattr(a, "dtype") else None)
    result = record(_broadcasting(np.add, a, b), AddBackward0, (input, other), (alpha,))
    return result if out is None else _finish(result, out)


def sub(input, other, *, alpha=1, out=None):
    """input - alpha * other."""
    a, b, _ = binary_operands(input, other)
    _check_bool_subtraction(a, b)
    if alpha != 1:
        b = np.multiply(b, alpha)
    result = record(_broadcasting(np.subtract, a, b), SubBackward0, (input, other), (alpha,))
    return result if out is None else _finish(result, out)


def rsub(input, other, *, alpha=1):
    """other - alpha * input (the reflected subtraction)."""
    a, b, _ = binary_operands(input, other)
    _check_bool_subtraction(a, b)
    if alpha != 1:
        a = np.multiply(a, alpha)
    return record(_broadcasting(np.subtract, b, a), RsubBackward1, (input,), (alpha,))


def mul(input, other, *, out=None):
    """input * other."""
    a, b, _ = binary_operands(input, other)
    result = record(_broadcasting(np.multiply, a, b), MulBackward0, (input, other),
                    (input, other))
    return result if out is None else _finish(result, out)


def div(input, other, *, rounding_mode=None, out=None):
    """input / other (true division; integers divide to the default float dtype)."""
    a, b, dtype = binary_operands(input, other)
    if rounding_mode is not None:
        raise NotImplementedError
    if dtype.kind in "biu":
        a = a.astype(_dtype.DEFAULT.numpy)
        b = np.asarray(b).astype(_dtype.DEFAULT.numpy)
    result = record(_broadcasting(np.divide, a, b), DivBackward0, (input, other),
                    (input, other))
    return result if out is None else _finish(result, out)


def _pow_scalar_rule(grad, input, exponent):
    if exponent == 0:
        return grad * 0
    return grad * exponent * input.pow(exponent - 1)


PowBackward0 = node_class("PowBackward0", _pow_scalar_rule)
PowBackward1 = node_class(
    "PowBackward1",
    lambda grad, input, exponent, result: grad * exponent * input.pow(exponent - 1),
    lambda grad, input, exponent, result: grad * result * input.log())
PowBackward2 = node_class("PowBackward2", None,
                          lambda grad, input, exponent, result: grad * result * _log_of(input))


def _log_of(value):
    if isinstance(value, Tensor):
        return value.log()
    return float(np.log(value))


def pow(input, exponent, *, out=None):
    """input ** exponent, elementwise."""
    a, b, _ = binary_operands(input, exponent)
    array = _broadcasting(np.power, a, b)
    if not isinstance(exponent, Tensor):
        result = record(array, PowBackward0, (input,), (input, exponent))
    elif not isinstance(input, Tensor):
        result = record(array, PowBackward2, (None, exponent), (input, exponent, RESULT))
    else:
        result = record(array, PowBackward1, (input, exponent), (input, exponent, RESULT))
    return result if out is None else _finish(result, out)


def _broadcasting(ufunc, a, b):
    try:
        return ufunc(a, b)
    except ValueError:
        from ember._errors import broadcast_mismatch
        raise broadcast_mismatch(np.shape(a), np.shape(b)) from None


subtract = sub
multiply = mul
divide = div
true_divide = div

for _name, _function in (("add", add), ("sub", sub), ("mul", mul), ("div", div), ("pow", pow),
                         ("subtract", sub), ("multiply", mul), ("divide", div),
                         ("true_divide", div)):
    method(_name, _function)
    inplace_method(_name, _function)


# ---- comparisons ------------------------------------------------------------------------------

def _comparison(name, ufunc):
    def function(input, other, *, out=None):
        a, b, _ = binary_operands(input, other)
        result = _wrap(_broadcasting(ufunc, a, b))
        return result if out is None else _finish(result, out)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"Elementwise {name} comparison; returns a bool tensor."
    method(name, function)
    return function


eq = _comparison("eq", np.equal)
ne = _comparison("ne", np.not_equal)
lt = _comparison("lt", np.less)
le = _comparison("le", np.less_equal)
gt = _comparison("gt", np.greater)
ge = _comparison("ge", np.greater_equal)
not_equal, less, less_equal, greater, greater_equal = ne, lt, le, gt, ge


# ---- Python operators -------------------------------------------------------------------------

def _reflected(function):
    def reflected(self, other):
        return function(other, self)
    return reflected


Tensor.__add__ = add
Tensor.__radd__ = lambda self, other: add(self, other)
Tensor.__iadd__ = lambda self, other: self.add_(other)
Tensor.__sub__ = sub
Tensor.__rsub__ = lambda self, other: rsub(self, other)
Tensor.__isub__ = lambda self, other: self.sub_(other)
Tensor.__mul__ = mul
Tensor.__rmul__ = lambda self, other: mul(self, other)
Tensor.__imul__ = lambda self, other: self.mul_(other)
Tensor.__truediv__ = div
Tensor.__rtruediv__ = lambda self, other: self.reciprocal() * other
Tensor.__itruediv__ = lambda self, other: self.div_(other)
Tensor.__pow__ = pow
Tensor.__rpow__ = _reflected(pow)
Tensor.__ipow__ = lambda self, other: self.pow_(other)
Tensor.__neg__ = neg
Tensor.__pos__ = lambda self: self
Tensor.__eq__ = eq
Tensor.__ne__ = ne
Tensor.__lt__ = lt
Tensor.__le__ = le
Tensor.__gt__ = gt
Tensor.__ge__ = ge
