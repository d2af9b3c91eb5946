"""Unary elementwise math: forwards in NumPy, derivative rules in ember ops, side by side."""
import builtins
import math

import numpy as np

from ember import _dtype
from ember._tensor import Tensor, _wrap
from ember.ops import _erf
from ember.ops._elementwise import (as_array, conjugate, finish, found_dtype, kernel_error,
                                    message_error, not_implemented, unary, zeros_of, zeros_rule)
from ember.ops._registry import float_data, inplace_method, method, node_class, record

__all__ = ["abs", "absolute", "neg", "negative", "positive", "sign", "sgn", "exp", "exp2",
           "expm1", "log", "log2", "log10", "log1p", "sqrt", "rsqrt", "square", "sin", "cos",
           "tan", "asin", "acos", "atan", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh",
           "asinh", "acosh", "atanh", "arcsinh", "arccosh", "arctanh", "sigmoid", "logit",
           "erf", "erfc", "erfinv", "floor", "ceil", "round", "trunc", "fix", "frac",
           "reciprocal", "deg2rad", "rad2deg", "nan_to_num", "sinc"]

_LN2 = math.log(2.0)
_LN10 = math.log(10.0)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_HALF_SQRT_PI = 0.5 * math.sqrt(math.pi)


# ---- sign, magnitude, negation ----------------------------------------------------------------

abs = unary("abs", np.abs, "AbsBackward0", lambda grad, input: grad * input.sgn(),
            promote=False, rejects="b")
absolute = abs
method("absolute", abs)
inplace_method("absolute", abs)

NegBackward0 = node_class("NegBackward0", lambda grad: grad.neg())
_NEGATE_BOOL = ("Negation, the `-` operator, on a bool tensor is not supported. If you are "
                "trying to invert a mask, use the `~` or `logical_not()` operator instead.")


def neg(input, *, out=None):
    """-input, elementwise."""
    data = input._data
    if data.dtype.kind == "b":
        raise RuntimeError(_NEGATE_BOOL)
    array = np.negative(data)
    if type(array) is not np.ndarray:
        array = np.asarray(array)
    if input._requires_grad:
        result = record(array, NegBackward0, (input,), ())
    else:
        result = _wrap(array)
    return result if out is None else finish(result, out, "neg", found_dtype)


negative = neg
for _name in ("neg", "negative"):
    method(_name, neg)
    inplace_method(_name, neg)


def positive(input):
    """input itself (PyTorch returns the same tensor); bool tensors are rejected."""
    if input._data.dtype.kind == "b":
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


method("positive", positive)


def _sign_forward(data):
    if data.dtype.kind == "b":
        return data.copy()
    if data.dtype.kind == "f":
        # PyTorch's sign of nan is 0, NumPy's is nan
        return np.where(np.isnan(data), data.dtype.type(0), np.sign(data))
    return np.sign(data)


sign = unary("sign", _sign_forward, "SignBackward0", zeros_rule, promote=False,
             complex_error=message_error(
                 NotImplementedError, "Unlike NumPy, torch.sign is not intended to support "
                 "complex numbers. Please use torch.sgn instead."))


def _sgn_backward(grad, input):
    """Zero for real input. For complex z, sgn(z) = z / |z| only turns: its gradient is grad's
    part perpendicular to sgn(z), over |z|, and 0 at z = 0 (PyTorch's sgn_backward)."""
    if input._data.dtype.kind != "c":
        return zeros_of(grad)
    magnitude = input.abs()
    direction = input.sgn()
    perpendicular = grad - direction * (direction.conj() * grad).real
    return (perpendicular / magnitude).masked_fill(magnitude == 0, 0.0)


sgn = unary("sgn", _sign_forward, "SgnBackward0", _sgn_backward, promote=False)


# ---- exponentials and logarithms --------------------------------------------------------------
# From here on, a holomorphic op's rule passes grad * conj(f'(z)) to a complex input, as
# PyTorch's do (conjugate returns a real tensor itself, so real rules are unchanged).

exp = unary("exp", np.exp, "ExpBackward0", lambda grad, result: grad * conjugate(result),
            saves="result")
exp2 = unary("exp2", np.exp2, "Exp2Backward0",
             lambda grad, result: grad * conjugate(result) * _LN2, saves="result")
expm1 = unary("expm1", np.expm1, "Expm1Backward0",
              lambda grad, result: grad * (conjugate(result) + 1), saves="result")
log = unary("log", np.log, "LogBackward0", lambda grad, input: grad / conjugate(input))
log2 = unary("log2", np.log2, "Log2Backward0",
             lambda grad, input: grad / (conjugate(input) * _LN2))
log10 = unary("log10", np.log10, "Log10Backward0",
              lambda grad, input: grad / (conjugate(input) * _LN10))
log1p = unary("log1p", np.log1p, "Log1PBackward0",
              lambda grad, input: grad / conjugate(input + 1))
sqrt = unary("sqrt", np.sqrt, "SqrtBackward0",
             lambda grad, result: grad / (2 * conjugate(result)), saves="result")


def _rsqrt_forward(data):
    return np.reciprocal(np.sqrt(data))


rsqrt = unary("rsqrt", _rsqrt_forward, "RsqrtBackward0",
              lambda grad, result: -0.5 * grad * conjugate(result.pow(3)), saves="result")
reciprocal = unary("reciprocal", np.reciprocal, "ReciprocalBackward0",
                   lambda grad, result: -grad * conjugate(result * result), saves="result")


def square(input, *, out=None):
    """input ** 2 (PyTorch composes it from pow: bool squares to int64)."""
    from ember.ops.pointwise import pow
    return pow(input, 2, out=out)


method("square", square)
inplace_method("square", square)


# ---- trigonometric and hyperbolic -------------------------------------------------------------

def _one_minus_square(input):
    return 1 - input * input


sin = unary("sin", np.sin, "SinBackward0", lambda grad, input: grad * conjugate(input.cos()))
cos = unary("cos", np.cos, "CosBackward0", lambda grad, input: grad * -conjugate(input.sin()))
tan = unary("tan", np.tan, "TanBackward0",
            lambda grad, result: grad * conjugate(1 + result * result), saves="result")
asin = unary("asin", np.arcsin, "AsinBackward0",
             lambda grad, input: grad * conjugate(_one_minus_square(input).rsqrt()))
acos = unary("acos", np.arccos, "AcosBackward0",
             lambda grad, input: grad * -conjugate(_one_minus_square(input).rsqrt()))
atan = unary("atan", np.arctan, "AtanBackward0",
             lambda grad, input: grad / conjugate(input * input + 1))
sinh = unary("sinh", np.sinh, "SinhBackward0",
             lambda grad, input: grad * conjugate(input.cosh()))
cosh = unary("cosh", np.cosh, "CoshBackward0",
             lambda grad, input: grad * conjugate(input.sinh()))


def _conjugate_array(array):
    """conjugate for the NumPy-level backward kernels (a real array passes through)."""
    if array.dtype.kind == "c":
        return np.conjugate(array)
    return array


def _tanh_backward(grad, result):
    """grad * conj(1 - result^2) as an op of its own, as PyTorch's tanh_backward."""
    array = grad._data * _conjugate_array(1 - result._data * result._data)
    return record(as_array(array), TanhBackwardBackward0, (grad, result), (grad, result))


# PyTorch's formulas for tanh_backward's own derivative, conjugates included
TanhBackwardBackward0 = node_class(
    "TanhBackwardBackward0",
    lambda grad, grad_output, result: _tanh_backward(grad, conjugate(result)),
    lambda grad, grad_output, result: -2 * conjugate(result) * conjugate(grad) * grad_output)
tanh = unary("tanh", np.tanh, "TanhBackward0", _tanh_backward, saves="result")


def _acosh_backward(grad, input):
    if input._data.dtype.kind == "c":
        # sqrt(z * z - 1) differs from sqrt(z + 1) * sqrt(z - 1) across the branch cuts;
        # PyTorch takes the product, whose branch is acosh's own
        return grad * conjugate((input + 1).rsqrt() * (input - 1).rsqrt())
    return grad * (input * input - 1).rsqrt()


asinh = unary("asinh", np.arcsinh, "AsinhBackward0",
              lambda grad, input: grad * conjugate((input * input + 1).rsqrt()))
acosh = unary("acosh", np.arccosh, "AcoshBackward0", _acosh_backward)
atanh = unary("atanh", np.arctanh, "AtanhBackward0",
              lambda grad, input: grad / conjugate(_one_minus_square(input)))
arcsin, arccos, arctan = asin, acos, atan
arcsinh, arccosh, arctanh = asinh, acosh, atanh
for _name, _function in (("arcsin", asin), ("arccos", acos), ("arctan", atan),
                         ("arcsinh", asinh), ("arccosh", acosh), ("arctanh", atanh)):
    method(_name, _function)
    inplace_method(_name, _function)


def _inplace_derivative_missing(name):
    """PyTorch records acosh_, asinh_, atanh_ under a node whose backward refuses to run."""
    def rule(grad, input):
        raise NotImplementedError(
            f"the derivative for 'inplace version of {name}' is not implemented.")
    return rule


for _name, _forward, _aliases in (("asinh", np.arcsinh, ("asinh", "arcsinh")),
                                  ("acosh", np.arccosh, ("acosh", "arccosh")),
                                  ("atanh", np.arctanh, ("atanh", "arctanh"))):
    _inplace_kernel = unary(_name, _forward, _name.capitalize() + "Backward1",
                            _inplace_derivative_missing(_name), has_method=False,
                            has_inplace=False)
    for _alias in _aliases:
        inplace_method(_alias, _inplace_kernel)


def _sigmoid_forward(data):
    # exp(-x) overflows to inf for very negative x, and 1 / inf is the right limit, 0
    one = data.dtype.type(1)
    return one / (one + np.exp(-data))


def _sigmoid_backward(grad, result):
    """grad * conj(result * (1 - result)) as an op of its own, as PyTorch's sigmoid_backward."""
    array = grad._data * _conjugate_array((1 - result._data) * result._data)
    return record(as_array(array), SigmoidBackwardBackward0, (grad, result), (grad, result))


SigmoidBackwardBackward0 = node_class(
    "SigmoidBackwardBackward0",
    lambda grad, grad_output, result: _sigmoid_backward(grad, conjugate(result)),
    lambda grad, grad_output, result: (conjugate(grad) * grad_output
                                       * (1 - 2 * conjugate(result))))
sigmoid = unary("sigmoid", _sigmoid_forward, "SigmoidBackward0", _sigmoid_backward,
                saves="result")


def _logit_backward(grad, input, eps):
    from ember.ops.ternary import where
    inside_low = 0.0 if eps is None else eps
    inside_high = 1.0 if eps is None else 1.0 - eps
    outside = (input < inside_low).logical_or(input > inside_high)
    # PyTorch: nan outside [0, 1] without eps, a zero gradient outside [eps, 1 - eps] with it
    fill = float("nan") if eps is None else 0.0
    return where(outside, fill, grad / (input * (1 - input)))


LogitBackward0 = node_class("LogitBackward0", _logit_backward)


def logit(input, eps=None, *, out=None):
    """log(p / (1 - p)), with p clamped to [eps, 1 - eps] when eps is given."""
    data = float_data(input)
    if data.dtype.kind == "c":
        raise not_implemented("logit_cpu", input.dtype)
    if eps is not None:
        data = np.clip(data, eps, 1 - eps)
    array = as_array(np.log(data / (1 - data)))
    result = record(array, LogitBackward0, (input,), (input, eps))
    return result if out is None else finish(result, out, "logit")


method("logit", logit)
inplace_method("logit", logit)


# ---- sinc ----------------------------------------------------------------------------------------

def _sinc_forward(data):
    # PyTorch multiplies by pi in the input's dtype (sinc(1.) is -2.7828e-08 in float32, not 0)
    product = data * data.dtype.type(math.pi)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.sin(product) / product
    return np.where(data == 0, data.dtype.type(1), ratio)


def _sinc_backward(grad, input):
    product = input * math.pi
    slope = (product * product.cos() - product.sin()) / (product * input)
    return grad * conjugate(slope.masked_fill(input == 0, 0.0))


sinc = unary("sinc", _sinc_forward, "SincBackward0", _sinc_backward)

# ---- error functions (float64 algorithms in _erf, rounded to the input's dtype) -----------------

def _in_float64(algorithm):
    def forward(data):
        return algorithm(data.astype(np.float64)).astype(data.dtype, copy=False)
    return forward


erf = unary("erf", _in_float64(_erf.erf), "ErfBackward0",
            lambda grad, input: grad * _TWO_OVER_SQRT_PI * (-(input * input)).exp(),
            complex_error=kernel_error("erf_vml_cpu"))
erfc = unary("erfc", _in_float64(_erf.erfc), "ErfcBackward0",
             lambda grad, input: grad * -_TWO_OVER_SQRT_PI * (-(input * input)).exp(),
             complex_error=kernel_error("erfc_vml_cpu"))
erfinv = unary("erfinv", _in_float64(_erf.erfinv), "ErfinvBackward0",
               lambda grad, result: grad * _HALF_SQRT_PI * (result * result).exp(),
               saves="result", complex_error=kernel_error("erfinv_vml_cpu"))


# ---- rounding ----------------------------------------------------------------------------------

def _integral_identity(ufunc):
    """Rounding leaves integers as they are (NumPy would turn them into float64)."""
    def forward(data):
        if data.dtype.kind == "f":
            return ufunc(data)
        return data.copy()
    return forward


floor = unary("floor", _integral_identity(np.floor), "FloorBackward0", zeros_rule,
              promote=False, rejects="b", kernel="floor_vml_cpu",
              complex_error=message_error(NotImplementedError,
                                          "floor is not supported for complex inputs"))
ceil = unary("ceil", _integral_identity(np.ceil), "CeilBackward0", zeros_rule,
             promote=False, rejects="b", kernel="ceil_vml_cpu",
              complex_error=message_error(NotImplementedError,
                                          "ceil is not supported for complex inputs"))
trunc = unary("trunc", _integral_identity(np.trunc), "TruncBackward0", zeros_rule,
              promote=False, rejects="b", kernel="trunc_vml_cpu",
              complex_error=message_error(NotImplementedError,
                                          "trunc is not supported for complex inputs"))
fix = trunc
method("fix", trunc)
inplace_method("fix", trunc)
frac = unary("frac", lambda data: data - np.trunc(data), "FracBackward0",
             lambda grad, input: grad, promote=False, rejects="biuc")

RoundBackward0 = node_class("RoundBackward0", zeros_rule)
RoundBackward1 = node_class("RoundBackward1", zeros_rule)


def round(input, *, decimals=None, out=None):
    """Rounds half to even; with decimals, to that many decimal places (negative: tens...)."""
    # None stands for decimals not passed: torch dispatches round(x) and round(x, decimals=0)
    # to different overloads (RoundBackward0 / RoundBackward1, and only the first takes integers)
    data = input._data
    kind = data.dtype.kind
    if kind in "bc":
        raise not_implemented("round_vml_cpu" if not decimals else "round_cpu", input.dtype)
    if decimals is None:
        array = np.rint(data) if kind == "f" else data.copy()
        result = record(as_array(array), RoundBackward0, (input,), ())
        return result if out is None else finish(result, out, "round", found_dtype)
    if kind != "f":
        raise not_implemented("round_vml_cpu" if decimals == 0 else "round_cpu",
                              _dtype.FROM_NUMPY[data.dtype])
    # PyTorch scales by 10**|decimals| in the input's own precision, then rounds half to even
    scale = data.dtype.type(10.0 ** builtins.abs(decimals))
    if decimals == 0:
        array = np.rint(data)
    elif decimals > 0:
        array = np.rint(data * scale) / scale
    else:
        array = np.rint(data / scale) * scale
    result = record(as_array(array), RoundBackward1, (input,), ())
    return result if out is None else finish(result, out, "round", found_dtype)


method("round", round)
inplace_method("round", round)


# ---- angles and non-finite values --------------------------------------------------------------

deg2rad = unary("deg2rad", lambda data: data * data.dtype.type(math.pi / 180),
                "Deg2RadBackward0", lambda grad, input: grad * (math.pi / 180),
                complex_error=message_error(RuntimeError,
                                            "deg2rad is not supported for complex tensors."))
rad2deg = unary("rad2deg", lambda data: data * data.dtype.type(180 / math.pi),
                "Rad2DegBackward0", lambda grad, input: grad * (180 / math.pi),
                complex_error=message_error(RuntimeError,
                                            "rad2deg is not supported for complex tensors."))


def _nan_to_num_backward(grad, input):
    from ember.ops.ternary import where
    return where(input.isfinite(), grad, zeros_of(grad))


NanToNumBackward0 = node_class("NanToNumBackward0", _nan_to_num_backward)


def _nan_to_num_out_dtype(out_name, result_name):
    return f"nan_to_num: dtype of out: {out_name} should be same as input: {result_name}"


def nan_to_num(input, nan=0.0, posinf=None, neginf=None, *, out=None):
    """Replaces nan by `nan`, +inf by `posinf` and -inf by `neginf` (defaults: the dtype's
    largest and lowest finite values)."""
    data = input._data
    if data.dtype.kind in "fc":
        array = np.nan_to_num(data, nan=nan, posinf=posinf, neginf=neginf)
    else:
        array = data.copy()
    result = record(as_array(array), NanToNumBackward0, (input,), (input,))
    return result if out is None else finish(result, out, "nan_to_num", _nan_to_num_out_dtype)


method("nan_to_num", nan_to_num)
inplace_method("nan_to_num", nan_to_num)

Tensor.__abs__ = abs
Tensor.__neg__ = neg
Tensor.__pos__ = positive
