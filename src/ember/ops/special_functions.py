"""Special functions behind torch.special (and torch.i0, torch.mvlgamma): entr, erfcx, ndtr,
log_ndtr, ndtri, the modified Bessel functions i0, i0e, i1, i1e, xlog1py, the Hurwitz zeta
and the multivariate log-gamma. Forwards run in float64 NumPy (NumPy has none of these but
i0) and are cast back; every derivative is written with ember ops."""
import math

import numpy as np

from ember import _dtype
from ember._tensor import Tensor
from ember.ops import _erf
from ember.ops._elementwise import (as_array, broadcasting, finish, not_implemented,
                                    reject_complex, unary)
from ember.ops._registry import (RESULT, binary_operands, inplace_method, method, node_class,
                                 record)
from ember.ops.gamma_functions import digamma, lgamma
from ember.ops.statistics import times_scalar
from ember.ops.ternary import where
from ember.ops.unary import erf

__all__ = ["i0", "mvlgamma"]

_SQRT_2 = math.sqrt(2.0)
_SQRT_2PI = math.sqrt(2.0 * math.pi)
_INV_SQRT_PI = 1.0 / math.sqrt(math.pi)


def _in_float64(function):
    """A forward computed in float64 and rounded back to the input's dtype."""
    def forward(data):
        return as_array(function(data.astype(np.float64)).astype(data.dtype, copy=False))
    return forward


def _special_unary(name, function, node_name, rule):
    """A floating unary op without method or in-place forms (torch.special's own)."""
    return unary(name, _in_float64(function), node_name, rule, rejects="c", has_method=False,
                 has_inplace=False)


# ---- entr ---------------------------------------------------------------------------------------

def _entr(x):
    with np.errstate(divide="ignore", invalid="ignore"):
        values = -x * np.log(x)
    values = np.where(x == 0, 0.0, values)
    return np.where(x < 0, -np.inf, values)


entr = _special_unary("entr", _entr, "SpecialEntrBackward0",
                      lambda grad, input: grad * -(1 + input.log()))


# ---- erfcx, ndtr, log_ndtr, ndtri ---------------------------------------------------------------

def _erfcx_from_one(x):
    """exp(x^2) erfc(x) for x >= 1 by erfc's continued fraction, without the exponentials
    (which would underflow to 0/0 far out)."""
    tail = x.copy()
    for k in range(200, 0, -1):
        tail = x + (0.5 * k) / tail
    return _INV_SQRT_PI / tail


def _erfcx(x):
    result = np.empty_like(x)
    large = x >= 1
    result[large] = _erfcx_from_one(x[large])
    middle = np.abs(x) < 1
    result[middle] = np.exp(x[middle] ** 2) * _erf.erfc(x[middle])
    small = x <= -1
    # erfcx(-t) = 2 exp(t^2) - erfcx(t): overflows to inf, as PyTorch's, below about -26.6
    result[small] = 2.0 * np.exp(x[small] ** 2) - _erfcx_from_one(-x[small])
    result[np.isnan(x)] = np.nan
    return result


def _erfcx_backward(grad, input, result):
    return grad * (2.0 * input * result - 2.0 * _INV_SQRT_PI)


SpecialErfcxBackward0 = node_class("SpecialErfcxBackward0", _erfcx_backward)


def erfcx(input, *, out=None):
    """exp(x^2) * erfc(x), without overflow for large x."""
    data = _float_input(input, "erfcx_cpu", reduced=False)
    array = _in_float64(_erfcx)(data)
    result = record(array, SpecialErfcxBackward0, (input,), (input, RESULT))
    return finish(result, out, "special_erfcx")


def _float_input(input, kernel, reduced=True):
    """The input's data, integral and bool promoted to the default float; complex rejected,
    and float16/bfloat16 too unless `reduced` (PyTorch has no such kernel for some)."""
    data = input._data
    reject_complex(data.dtype, kernel)
    if data.dtype.kind in "biu":
        return data.astype(_dtype.DEFAULT.numpy)
    if not reduced:
        reject_reduced_precision(data.dtype, kernel)
    return data


def reject_reduced_precision(numpy_dtype, kernel):
    """PyTorch's error for float16 and bfloat16, where a kernel exists only in float32/64."""
    if numpy_dtype.itemsize == 2 and numpy_dtype.kind not in "biu":
        raise not_implemented(kernel, _dtype.FROM_NUMPY[numpy_dtype])


def ndtr(input, *, out=None):
    """The standard normal CDF, as PyTorch composes it: (1 + erf(x / sqrt(2))) / 2."""
    result = times_scalar(1 + erf(times_scalar(input, math.sqrt(0.5))), 0.5)
    return finish(result, out, "special_ndtr")


def _log_ndtr(x):
    result = np.empty_like(x)
    low = x < -1
    t = -x[low] / _SQRT_2
    # the left tail through erfcx: log(erfc(t) / 2) = log(erfcx(t) / 2) - t^2
    result[low] = np.log(_erfcx(t) / 2.0) - t * t
    high = ~low
    result[high] = np.log1p(-_erf.erfc(x[high] / _SQRT_2) / 2.0)
    return result


def _log_ndtr_backward(grad, input, result):
    return grad / _SQRT_2PI * (-(result + input.pow(2) / 2)).exp()


SpecialLogNdtrBackward0 = node_class("SpecialLogNdtrBackward0", _log_ndtr_backward)


def log_ndtr(input, *, out=None):
    """log of the standard normal CDF, accurate far into the left tail."""
    data = _float_input(input, "log_ndtr_cpu", reduced=False)
    array = _in_float64(_log_ndtr)(data)
    result = record(array, SpecialLogNdtrBackward0, (input,), (input, RESULT))
    return finish(result, out, "special_log_ndtr")


def _ndtri_guess(p):
    """Abramowitz and Stegun 26.2.23 (error below 4.5e-4) for 0 < p < 1."""
    lower = np.minimum(p, 1.0 - p)
    t = np.sqrt(-2.0 * np.log(lower))
    numerator = 2.515517 + t * (0.802853 + t * 0.010328)
    denominator = 1.0 + t * (1.432788 + t * (0.189269 + t * 0.001308))
    x = t - numerator / denominator
    return np.where(p < 0.5, -x, x)


def _ndtri(p):
    result = np.full_like(p, np.nan)
    inside = (p > 0) & (p < 1)
    target = p[inside]
    x = _ndtri_guess(target)
    below = target < 0.5
    # the residual on the side of the tail, through erfc, keeps full relative precision
    for _ in range(3):
        upper_tail = _erf.erfc(x / _SQRT_2) / 2.0
        lower_tail = _erf.erfc(-x / _SQRT_2) / 2.0
        residual = np.where(below, lower_tail - target, (1.0 - target) - upper_tail)
        density = np.exp(-x * x / 2.0) / _SQRT_2PI
        x = x - residual / (density + x * residual / 2.0)
    result[inside] = x
    result[p == 0.5] = 0.0
    result[p == 0] = -np.inf
    result[p == 1] = np.inf
    return result


def _ndtri_backward(grad, result):
    return grad * _SQRT_2PI * (result.square() / 2).exp()


SpecialNdtriBackward0 = node_class("SpecialNdtriBackward0", _ndtri_backward)


def ndtri(input, *, out=None):
    """The inverse of the standard normal CDF (the quantile function)."""
    data = _float_input(input, "ndtri_cpu", reduced=False)
    array = _in_float64(_ndtri)(data)
    result = record(array, SpecialNdtriBackward0, (input,), (RESULT,))
    return finish(result, out, "special_ndtri")


# ---- modified Bessel functions of the first kind ------------------------------------------------

# below it, the power series (all terms positive) converges; above, the asymptotic series
_SERIES_LIMIT = 20.0


def _scaled_bessel_i(order, x):
    """exp(-|x|) I_order(|x|) for order 0 or 1 (float64)."""
    magnitude = np.abs(x)
    result = np.empty_like(magnitude)
    small = magnitude <= _SERIES_LIMIT
    half = magnitude[small] / 2.0
    term = half ** order
    total = term.copy()
    for k in range(1, 90):
        term = term * half * half / (k * (k + order))
        total = total + term
    result[small] = total * np.exp(-magnitude[small])
    large = magnitude[~small]
    # I_v(x) e^-x ~ (1 / sqrt(2 pi x)) sum_k (-1)^k prod_j (4v^2 - (2j-1)^2) / (k! (8x)^k)
    mu = 4.0 * order * order
    term = np.ones_like(large)
    total = term.copy()
    for k in range(1, 32):
        term = term * -(mu - (2 * k - 1) ** 2) / (8.0 * k * large)
        total = total + term
    with np.errstate(invalid="ignore"):
        result[~small] = total / np.sqrt(2.0 * np.pi * large)
    result[np.isinf(magnitude)] = 0.0
    result[np.isnan(magnitude)] = np.nan
    return result


def _i0(x):
    return np.i0(x)


def bessel_i_values(order, x):
    """I_order(x) of a float64 array, for order 0 or 1 (torch.special.modified_bessel_i*)."""
    return _i0(x) if order == 0 else _i1(x)


def _i0e(x):
    return _scaled_bessel_i(0, x)


def _i1(x):
    # at +-inf, 0 * inf gives NaN, as PyTorch's Cephes-based i1 does
    with np.errstate(over="ignore", invalid="ignore"):
        return np.sign(x) * _scaled_bessel_i(1, x) * np.exp(np.abs(x))


def _i1e(x):
    return np.sign(x) * _scaled_bessel_i(1, x)


def _at_zero(input, value, expression_of_safe):
    """expression_of_safe(x) where x != 0, `value` at 0, with no 0/0 in any derivative."""
    zero = input == 0
    safe = input + zero
    return where(zero, value, expression_of_safe(safe))


def _i1_backward(grad, input, result):
    return grad * _at_zero(input, 0.5, lambda x: i0(x) - result / x)


def _i1e_backward(grad, input, result):
    return grad * _at_zero(input, 0.5, lambda x: i0e(x) - result * (x.sgn() + 1 / x))


i0 = unary("i0", _in_float64(_i0), "I0Backward0", lambda grad, input: grad * i1(input),
           rejects="c")
SpecialI0EBackward0 = node_class(
    "SpecialI0EBackward0", lambda grad, input, result: grad * (i1e(input) - input.sgn() * result))
SpecialI1Backward0 = node_class("SpecialI1Backward0", _i1_backward)
SpecialI1EBackward0 = node_class("SpecialI1EBackward0", _i1e_backward)


def _saving_result(name, function, node_cls):
    """A floating unary special function whose derivative needs its input and its result."""
    def special(input, *, out=None):
        data = _float_input(input, name + "_cpu")
        array = _in_float64(function)(data)
        result = record(array, node_cls, (input,), (input, RESULT))
        return finish(result, out, "special_" + name)
    special.__name__ = special.__qualname__ = name
    special.__doc__ = f"Elementwise {name}, as torch.special.{name}."
    return special


i0e = _saving_result("i0e", _i0e, SpecialI0EBackward0)
i1 = _saving_result("i1", _i1, SpecialI1Backward0)
i1e = _saving_result("i1e", _i1e, SpecialI1EBackward0)


# ---- xlog1py, zeta ------------------------------------------------------------------------------

def _xlog1py_input_backward(grad, input, other):
    # PyTorch's rule: log1p(other) even where input is 0, except where other <= -1 too
    return xlog1py(grad, other).masked_fill((input == 0) & (other <= -1), 0.0)


def _xlog1py_other_backward(grad, input, other):
    return grad * input / (other + 1)


SpecialXlog1PyBackward0 = node_class("SpecialXlog1PyBackward0", _xlog1py_input_backward,
                                     _xlog1py_other_backward)
SpecialXlog1PyBackward1 = node_class("SpecialXlog1PyBackward1", None, _xlog1py_other_backward)
SpecialXlog1PyBackward2 = node_class("SpecialXlog1PyBackward2", _xlog1py_input_backward)


def _binary_node(input, other, nodes):
    """The node of a binary op for (tensor, tensor), (number, tensor), (tensor, number)."""
    if not isinstance(input, Tensor):
        return nodes[1]
    if isinstance(other, Tensor):
        return nodes[0]
    return nodes[2]


def _float_operands(input, other, kernel):
    a, b, numpy_dtype = binary_operands(input, other)
    reject_complex(numpy_dtype, kernel)
    if numpy_dtype.kind in "biu":
        numpy_dtype = _dtype.DEFAULT.numpy
    return (np.asarray(a).astype(numpy_dtype, copy=False),
            np.asarray(b).astype(numpy_dtype, copy=False))


def xlog1py(input, other, *, out=None):
    """input * log1p(other), 0 where input is 0 (unless other is NaN)."""
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        raise TypeError("special_xlog1py(): expected a Tensor among the arguments")
    a, b = _float_operands(input, other, "xlog1py_cpu")
    with np.errstate(divide="ignore", invalid="ignore"):
        product = broadcasting(np.multiply, a, np.log1p(b))
    array = as_array(np.where((a == 0) & ~np.isnan(b), product.dtype.type(0), product))
    nodes = (SpecialXlog1PyBackward0, SpecialXlog1PyBackward1, SpecialXlog1PyBackward2)
    result = record(array, _binary_node(input, other, nodes), (input, other), (input, other))
    return finish(result, out, "special_xlog1py")


# the (2k)! / B_2k of the Euler-Maclaurin tail, as in Cephes' zeta
_ZETA_COEFFICIENTS = (12.0, -720.0, 30240.0, -1209600.0, 47900160.0,
                      -1.8924375803183791606e9, 7.47242496e10, -2.950130727918164224e12,
                      1.1646782814350067249e14, -4.5979787224074726105e15,
                      1.8152105401943546773e17, -7.1661652561756670113e18)


def _euler_maclaurin_zeta(x, q):
    """Hurwitz zeta by direct summation until q + n > 9 (at least 9 terms), then the
    Euler-Maclaurin tail (Cephes' method); x > 1, q not a non-positive integer."""
    terms = int(max(9, np.ceil(9.0 - q.min()))) if q.size else 9
    total = q ** -x
    a = q.copy()
    b = total
    for _ in range(terms):
        a = a + 1.0
        b = a ** -x
        total = total + b
    w = a
    total = total + b * w / (x - 1.0) - 0.5 * b
    factor = np.ones_like(x)
    k = 0.0
    for coefficient in _ZETA_COEFFICIENTS:
        factor = factor * (x + k)
        b = b / w
        total = total + factor * b / coefficient
        k += 1.0
        factor = factor * (x + k)
        b = b / w
        k += 1.0
    return total


def _zeta(x, q):
    x, q = np.broadcast_arrays(x, q)
    x, q = x.copy(), q.copy()
    result = np.full(x.shape, np.nan)
    with np.errstate(all="ignore"):
        poles = (x == 1) | ((q <= 0) & (q == np.floor(q)))
        regular = (x > 1) & ~poles & ((q > 0) | (x == np.floor(x)))
        far = regular & (q > 1e8)
        result[far] = ((1.0 / (x[far] - 1.0) + 1.0 / (2.0 * q[far]))
                       * q[far] ** (1.0 - x[far]))
        near = regular & ~far
        result[near] = _euler_maclaurin_zeta(x[near], q[near])
    result[poles & ~np.isnan(x) & ~np.isnan(q)] = np.inf
    return result


def _zeta_x_backward(grad, *saved):
    raise NotImplementedError("the derivative for 'zeta' is not implemented.")


def _zeta_q_backward(grad, x, q):
    return grad * -x * zeta(x + 1.0, q)


SpecialZetaBackward0 = node_class("SpecialZetaBackward0", _zeta_x_backward, _zeta_q_backward)
SpecialZetaBackward1 = node_class("SpecialZetaBackward1", None, _zeta_q_backward)
SpecialZetaBackward2 = node_class("SpecialZetaBackward2", _zeta_x_backward)


def zeta(input, other, *, out=None):
    """The Hurwitz zeta function sum_k (other + k) ** -input."""
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        raise TypeError("special_zeta(): expected a Tensor among the arguments")
    a, b = _float_operands(input, other, "zeta_cpu")
    reject_reduced_precision(a.dtype, "zeta_cpu")
    broadcasting(np.add, a, b)
    array = as_array(_zeta(a.astype(np.float64), b.astype(np.float64)).astype(a.dtype))
    nodes = (SpecialZetaBackward0, SpecialZetaBackward1, SpecialZetaBackward2)
    result = record(array, _binary_node(input, other, nodes), (input, other), (input, other))
    return finish(result, out, "special_zeta")


# ---- mvlgamma -----------------------------------------------------------------------------------

def _mvlgamma_arguments(input, p):
    """input - i/2 for i = p-1, ..., 0, along a new last dim (PyTorch's order)."""
    from ember.ops.ranges import arange
    offsets = arange(-p * 0.5 + 0.5, 0.5, 0.5, dtype=input.dtype)
    return input.unsqueeze(-1) + offsets


def _mvlgamma_backward(grad, input, p):
    return grad * digamma(_mvlgamma_arguments(input, p)).sum(-1)


MvlgammaBackward0 = node_class("MvlgammaBackward0", _mvlgamma_backward)


def mvlgamma(input, p, *, out=None):
    """The multivariate log-gamma function of dimension p."""
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    floating = input if input._data.dtype.kind not in "biu" else input.to(_dtype.DEFAULT)
    arguments = _mvlgamma_arguments(floating.detach(), p)
    array = lgamma(arguments).sum(-1)._data + p * (p - 1) * math.log(math.pi) / 4
    result = record(as_array(array.astype(floating._data.dtype, copy=False)),
                    MvlgammaBackward0, (input,), (input, p))
    return finish(result, out, "mvlgamma")


method("mvlgamma", mvlgamma)
inplace_method("mvlgamma", mvlgamma)
