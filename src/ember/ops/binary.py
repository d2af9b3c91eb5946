"""Two-operand elementwise math beyond arithmetic: maximum, minimum, fmax, fmin, atan2, hypot,
nextafter, copysign, xlogy, logaddexp, logaddexp2, gcd, lcm. Forwards in NumPy, derivatives in
ember ops, side by side."""
import numpy as np

from ember import _dtype
from ember._tensor import Tensor, _wrap
from ember.ops._elementwise import (broadcasting, conjugate, finish, not_implemented,
                                    reject_complex, require_tensor, zeros_of)
from ember.ops._registry import (RESULT, binary_operands, inplace_method, method, node_class,
                                 record)
from ember.ops.pointwise import in_default_float

__all__ = ["maximum", "minimum", "fmax", "fmin", "atan2", "arctan2", "hypot", "nextafter",
           "copysign", "xlogy", "logaddexp", "logaddexp2", "gcd", "lcm"]


def _where(condition, input, other):
    from ember.ops.ternary import where
    return where(condition, input, other)


def _float_operands(input, other, kernel):
    """The operands promoted as PyTorch promotes them, then integral/bool to the default
    float dtype (for ops whose result is always floating); complex is rejected."""
    a, b, dtype = binary_operands(input, other)
    reject_complex(dtype, kernel)
    if dtype.kind in "biu":
        return in_default_float(input), in_default_float(other)
    # Python numbers become arrays of the result dtype: NumPy would make np.log(3.0) float64
    return np.asarray(a).astype(dtype, copy=False), np.asarray(b).astype(dtype, copy=False)


# ---- maximum, minimum, fmax, fmin ------------------------------------------------------------
# At ties maximum/minimum split the gradient in halves; where a nan propagates both inputs
# receive it (PyTorch's masks only exclude the strictly smaller/larger input).

def _extremum_backward(grad, loses, ties):
    return _where(loses, 0.0, _where(ties, grad / 2, grad))


MaximumBackward0 = node_class(
    "MaximumBackward0",
    lambda grad, input, other: _extremum_backward(grad, input < other, input == other),
    lambda grad, input, other: _extremum_backward(grad, input > other, input == other))
MinimumBackward0 = node_class(
    "MinimumBackward0",
    lambda grad, input, other: _extremum_backward(grad, input > other, input == other),
    lambda grad, input, other: _extremum_backward(grad, input < other, input == other))


def _fmax_keeps_input(input, other):
    return (input >= other).logical_or(other.isnan())


def _fmin_keeps_input(input, other):
    return (input <= other).logical_or(other.isnan())


FmaxBackward0 = node_class(
    "FmaxBackward0",
    lambda grad, input, other: _where(_fmax_keeps_input(input, other), grad, 0.0),
    lambda grad, input, other: _where(_fmax_keeps_input(input, other), 0.0, grad))
FminBackward0 = node_class(
    "FminBackward0",
    lambda grad, input, other: _where(_fmin_keeps_input(input, other), grad, 0.0),
    lambda grad, input, other: _where(_fmin_keeps_input(input, other), 0.0, grad))


def _extremum(name, ufunc, node):
    def function(input, other, *, out=None):
        require_tensor(name, other)
        a, b, dtype = binary_operands(input, other)
        if dtype.kind == "c":
            raise RuntimeError(f"{name} not implemented for complex tensors.")
        result = record(broadcasting(ufunc, a, b), node, (input, other), (input, other))
        return result if out is None else finish(result, out, name)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"Elementwise {name} of two tensors, as torch.{name}."
    method(name, function)
    return function


maximum = _extremum("maximum", np.maximum, MaximumBackward0)
minimum = _extremum("minimum", np.minimum, MinimumBackward0)
fmax = _extremum("fmax", np.fmax, FmaxBackward0)
fmin = _extremum("fmin", np.fmin, FminBackward0)


# ---- atan2, hypot ------------------------------------------------------------------------------

def _sum_of_squares(input, other):
    return input * input + other * other


Atan2Backward0 = node_class(
    "Atan2Backward0",
    lambda grad, input, other: grad * other / _sum_of_squares(input, other),
    lambda grad, input, other: grad * -input / _sum_of_squares(input, other))


def atan2(input, other, *, out=None):
    """The angle of the point (other, input): arctan(input / other) in the right quadrant."""
    require_tensor("atan2", other)
    a, b = _float_operands(input, other, "atan2_cpu")
    result = record(broadcasting(np.arctan2, a, b), Atan2Backward0, (input, other),
                    (input, other))
    return result if out is None else finish(result, out, "atan2")


arctan2 = atan2

HypotBackward0 = node_class("HypotBackward0",
                            lambda grad, input, other, result: grad * input / result,
                            lambda grad, input, other, result: grad * other / result)


def hypot(input, other, *, out=None):
    """sqrt(input**2 + other**2) without intermediate overflow."""
    require_tensor("hypot", other)
    a, b, dtype = binary_operands(input, other)
    if dtype.kind in "biuc":
        raise not_implemented("hypot_cpu", _dtype.FROM_NUMPY[dtype])
    result = record(broadcasting(np.hypot, a, b), HypotBackward0, (input, other),
                    (input, other, RESULT))
    return result if out is None else finish(result, out, "hypot")


# PyTorch's derivative: the identity for input (the step is below any rounding), zero for other
NextafterBackward0 = node_class("NextafterBackward0", lambda grad, other: grad,
                                lambda grad, other: zeros_of(other))


def nextafter(input, other, *, out=None):
    """The next representable value after input in the direction of other."""
    require_tensor("nextafter", other)
    a, b, dtype = binary_operands(input, other)
    if dtype.kind in "biuc":
        raise not_implemented("nextafter_cpu", _dtype.FROM_NUMPY[dtype])
    result = record(broadcasting(np.nextafter, a, b), NextafterBackward0, (input, other),
                    (other,))
    return result if out is None else finish(result, out, "nextafter")


# ---- copysign, xlogy ---------------------------------------------------------------------------

def _copysign_input_backward(grad, input, other, result):
    # d|x|sign(y)/dx = result / input, defined as 0 where input is 0
    ratio = _where(input == 0, 0.0, result / input)
    return grad * ratio


CopysignBackward0 = node_class("CopysignBackward0", _copysign_input_backward,
                               lambda grad, input, other, result: zeros_of(other))
CopysignBackward1 = node_class("CopysignBackward1", _copysign_input_backward)


def copysign(input, other, *, out=None):
    """The magnitude of input with the sign of other (other may be a number)."""
    a, b = _float_operands(input, other, "copysign_cpu")
    node = CopysignBackward0 if isinstance(other, Tensor) else CopysignBackward1
    result = record(broadcasting(np.copysign, a, b), node, (input, other),
                    (input, other, RESULT))
    return result if out is None else finish(result, out, "copysign")


def _xlogy_input_backward(grad, input, other):
    # PyTorch's rule: log(other) even where input is 0, except where other <= 0 too
    return xlogy(grad, other).masked_fill((input == 0) & (other <= 0), 0.0)


def _xlogy_other_backward(grad, input, other):
    return grad * input / other


XlogyBackward0 = node_class("XlogyBackward0", _xlogy_input_backward, _xlogy_other_backward)
XlogyBackward1 = node_class("XlogyBackward1", None, _xlogy_other_backward)
XlogyBackward2 = node_class("XlogyBackward2", _xlogy_input_backward)


def xlogy(input, other, *, out=None):
    """input * log(other), defined as 0 where input is 0 (unless other is nan)."""
    a, b = _float_operands(input, other, "xlogy_cpu")
    product = broadcasting(np.multiply, a, np.log(b))
    array = np.where((a == 0) & ~np.isnan(b), product.dtype.type(0), product)
    if not isinstance(input, Tensor):
        node = XlogyBackward1
    elif isinstance(other, Tensor):
        node = XlogyBackward0
    else:
        node = XlogyBackward2
    result = record(np.asarray(array), node, (input, other), (input, other))
    return result if out is None else finish(result, out, "xlogy")


# ---- logaddexp, logaddexp2 ---------------------------------------------------------------------

def _complex_logaddexp(a, b):
    """log(exp(a) + exp(b)) for complex operands, factoring out the one with the larger real
    part so that exp never overflows."""
    a, b = np.broadcast_arrays(a, b)
    larger = np.where(a.real >= b.real, a, b)
    smaller = np.where(a.real >= b.real, b, a)
    with np.errstate(invalid="ignore"):
        return larger + np.log1p(np.exp(smaller - larger))


LogaddexpBackward0 = node_class(
    "LogaddexpBackward0",
    lambda grad, input, other: grad / conjugate(1 + (other - input).exp()),
    lambda grad, input, other: grad / conjugate(1 + (input - other).exp()))
Logaddexp2Backward0 = node_class(
    "Logaddexp2Backward0",
    lambda grad, input, other: grad / (1 + (other - input).exp2()),
    lambda grad, input, other: grad / (1 + (input - other).exp2()))


def _logaddexp_family(name, ufunc, node, accepts_complex):
    def function(input, other, *, out=None):
        require_tensor(name, other)
        a, b, dtype = binary_operands(input, other)
        # no integral kernels: PyTorch reports the promoted dtype, not a float result
        if dtype.kind in "biu" or (dtype.kind == "c" and not accepts_complex):
            raise not_implemented(f"{name}_cpu", _dtype.FROM_NUMPY[dtype])
        forward = _complex_logaddexp if dtype.kind == "c" else ufunc
        result = record(broadcasting(forward, a, b), node, (input, other), (input, other))
        return result if out is None else finish(result, out, name)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"Elementwise {name} of two tensors, as torch.{name}."
    return function


logaddexp = _logaddexp_family("logaddexp", np.logaddexp, LogaddexpBackward0, True)
logaddexp2 = _logaddexp_family("logaddexp2", np.logaddexp2, Logaddexp2Backward0, False)


# ---- gcd, lcm: integers only, so no derivative ------------------------------------------------

def _integral_only(name, ufunc):
    def function(input, other, *, out=None):
        require_tensor(name, other)
        a, b, dtype = binary_operands(input, other)
        if dtype.kind not in "iu":
            raise not_implemented(f"{name}_cpu", _dtype.FROM_NUMPY[dtype])
        # integer results never require grad, so there is no node to record
        result = _wrap(broadcasting(ufunc, a, b))
        return result if out is None else finish(result, out, name)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"Elementwise {name} of two integer tensors, as torch.{name}."
    return function


gcd = _integral_only("gcd", np.gcd)
lcm = _integral_only("lcm", np.lcm)


for _name, _function in (("atan2", atan2), ("arctan2", atan2), ("hypot", hypot),
                         ("nextafter", nextafter),
                         ("copysign", copysign), ("xlogy", xlogy), ("logaddexp", logaddexp),
                         ("logaddexp2", logaddexp2), ("gcd", gcd), ("lcm", lcm)):
    method(_name, _function)
    inplace_method(_name, _function)
