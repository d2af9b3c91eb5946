"""The gamma-function family NumPy lacks: lgamma, digamma and polygamma (vectorised, float64
inside). lgamma uses Stirling's series above 10 and the Lanczos (g=7) sum below, with the
reflection formula left of 1/2; digamma and polygamma climb the recurrence
psi_n(x) = psi_n(x + 1) - (-1)^n n!/x^(n+1) until x is large enough for the asymptotic series."""
import math

import numpy as np

from ember.ops._elementwise import unary
from ember.ops._registry import binary_operands, method, node_class, record
from ember import _dtype
from ember._tensor import _wrap

__all__ = ["lgamma", "digamma", "polygamma"]

_LANCZOS_G = 7.0
_LANCZOS = np.array([0.99999999999980993, 676.5203681218851, -1259.1392167224028,
                     771.32342877765313, -176.61502916214059, 12.507343278686905,
                     -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7])
_HALF_LOG_TWO_PI = 0.5 * math.log(2 * math.pi)
# B_2k / (2k) for Stirling's series of lgamma, and B_2k for the polygamma asymptotics
_BERNOULLI = [1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510]
_ASYMPTOTIC_FROM = 20.0


def _lgamma_positive(x):
    """lgamma for x >= 1/2."""
    result = np.empty_like(x)
    large = x > 10
    z = x[large]
    inverse_square = 1.0 / (z * z)
    series = sum(b / ((2 * k + 1) * (2 * k + 2)) * inverse_square ** k
                 for k, b in enumerate(_BERNOULLI))
    result[large] = (z - 0.5) * np.log(z) - z + _HALF_LOG_TWO_PI + series / z
    z = x[~large] - 1.0
    total = np.full_like(z, _LANCZOS[0])
    for index in range(1, len(_LANCZOS)):
        total += _LANCZOS[index] / (z + index)
    t = z + _LANCZOS_G + 0.5
    result[~large] = _HALF_LOG_TWO_PI + (z + 0.5) * np.log(t) - t + np.log(total)
    return result


def _lgamma(data):
    x = data.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        result = np.empty_like(x)
        right = (x >= 0.5) | np.isnan(x)
        result[right] = _lgamma_positive(x[right])
        left = x[~right]
        # Gamma(x) Gamma(1 - x) = pi / sin(pi x); sin of the reduced argument keeps precision
        sine = np.abs(np.sin(math.pi * (left - np.round(left))))
        result[~right] = math.log(math.pi) - np.log(sine) - _lgamma_positive(1.0 - left)
        result[np.isinf(x)] = np.inf
        result[(x == 1) | (x == 2)] = 0.0  # exact zeros, as the C library gives
    return result.astype(data.dtype, copy=False)


def _shifted_polygamma(n, x):
    """psi_n(x) for n >= 1 at any x that is not a pole, by recurrence then asymptotics."""
    sign = 1.0 if n % 2 else -1.0  # (-1)^(n+1)
    factorial = math.factorial(n)
    total = np.zeros_like(x)
    x = x.copy()
    while True:
        low = x < _ASYMPTOTIC_FROM
        if not low.any():
            break
        total[low] += sign * factorial / x[low] ** (n + 1)
        x[low] += 1.0
    series = math.factorial(n - 1) / x ** n + factorial / (2 * x ** (n + 1))
    for k, b in enumerate(_BERNOULLI, start=1):
        series += (b * math.factorial(2 * k + n - 1) / math.factorial(2 * k)
                   / x ** (2 * k + n))
    return total + sign * series


def _digamma(data):
    # 1-D so that a 0-d input's intermediates stay arrays (NumPy turns 0-d results into
    # scalars, which refuse the masked assignments below)
    x = data.astype(np.float64).reshape(-1)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        finite = np.isfinite(x)
        z = np.where(x < 0.5, 1.0 - x, x)
        z = np.where(finite, z, 1.0)
        total = np.zeros_like(z)
        while True:
            low = z < _ASYMPTOTIC_FROM
            if not low.any():
                break
            total[low] -= 1.0 / z[low]
            z[low] += 1.0
        inverse_square = 1.0 / (z * z)
        series = sum(b / (2 * k + 2) * inverse_square ** (k + 1)
                     for k, b in enumerate(_BERNOULLI))
        result = total + np.log(z) - 0.5 / z - series
        left = x < 0.5
        # psi(x) = psi(1 - x) - pi / tan(pi x)
        reduced = x[left] - np.round(x[left])
        result[left] -= math.pi / np.tan(math.pi * reduced)
        result[left & (x == np.round(x))] = np.nan
        result[x == 0] = -np.inf
        result[x == np.inf] = np.inf
        result[(x == -np.inf) | np.isnan(x)] = np.nan
    return result.astype(data.dtype, copy=False).reshape(data.shape)


def _polygamma_array(n, data):
    if n == 0:
        return _digamma(data)
    x = data.astype(np.float64).reshape(-1)  # 1-D for a 0-d input, as in _digamma
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        finite = np.isfinite(x)
        pole = finite & (x <= 0) & (x == np.round(x))
        safe = np.where(finite & ~pole, x, 1.0)
        result = _shifted_polygamma(n, safe)
        result[pole] = np.inf if n % 2 else -np.inf
        result[x == np.inf] = 0.0 if n == 1 else np.nan  # as torch gives
        result[(x == -np.inf) | np.isnan(x)] = np.nan
    return result.astype(data.dtype, copy=False).reshape(data.shape)


lgamma = unary("lgamma", _lgamma, "LgammaBackward0",
               lambda grad, input: grad * digamma(input))
digamma = unary("digamma", _digamma, "DigammaBackward0",
                lambda grad, input: grad * polygamma(1, input))

_PolygammaBackward0 = node_class("PolygammaBackward0",
                                 lambda grad, input, n: grad * polygamma(n + 1, input))


def polygamma(n, input, *, out=None):
    """The n-th derivative of the digamma function."""
    data = input._data
    if data.dtype.kind in "biu":
        data = data.astype(_dtype.DEFAULT.numpy)
    array = np.asarray(_polygamma_array(n, data))
    if input._requires_grad:
        result = record(array, _PolygammaBackward0, (input,), (input, n))
    else:
        result = _wrap(array)
    if out is not None:
        out.copy_(result)
        return out
    return result


method("polygamma", lambda self, n: polygamma(n, self))


# ---- regularized incomplete gamma functions ---------------------------------------------------

_INCOMPLETE_TERMS = 400
_TINY = 1e-300


def _log_prefactor(a, x):
    """log(x^a e^-x / Gamma(a))."""
    return a * np.log(x) - x - _lgamma(a)


def regularized_gamma_arrays(a, x):
    """(P(a, x), Q(a, x)) in float64: the series for x < a + 1, the continued fraction beyond
    (each where it converges fast), the other as the complement."""
    a, x = np.broadcast_arrays(np.asarray(a, np.float64), np.asarray(x, np.float64))
    lower, upper = np.full(a.shape, np.nan), np.full(a.shape, np.nan)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        valid = (a > 0) & (x >= 0) & ~np.isnan(a) & ~np.isnan(x)
        series = valid & (x < a + 1) & (x > 0)
        fraction = valid & (x >= a + 1) & np.isfinite(x)
        sa, sx = a[series], x[series]
        term = 1.0 / sa
        total = term.copy()
        shifted = sa.copy()
        for _ in range(_INCOMPLETE_TERMS):
            shifted += 1.0
            term *= sx / shifted
            total += term
        p = total * np.exp(_log_prefactor(sa, sx))
        lower[series], upper[series] = p, 1.0 - p
        fa, fx = a[fraction], x[fraction]
        b = fx + 1.0 - fa
        c = np.full_like(fx, 1.0 / _TINY)
        d = 1.0 / b
        h = d.copy()
        for i in range(1, _INCOMPLETE_TERMS + 1):
            an = -i * (i - fa)
            b = b + 2.0
            d = an * d + b
            d = np.where(np.abs(d) < _TINY, _TINY, d)
            c = b + an / c
            c = np.where(np.abs(c) < _TINY, _TINY, c)
            d = 1.0 / d
            h = h * d * c
        q = np.exp(_log_prefactor(fa, fx)) * h
        lower[fraction], upper[fraction] = 1.0 - q, q
        at_zero = valid & (x == 0)
        lower[at_zero], upper[at_zero] = 0.0, 1.0
        at_infinity = valid & np.isinf(x)
        lower[at_infinity], upper[at_infinity] = 1.0, 0.0
    return lower, upper


def _incomplete_gamma(name, node_name, complement):
    sign = -1.0 if complement else 1.0

    def other_rule(grad, input, other):
        # d/dx P(a, x) = x^(a-1) e^-x / Gamma(a)
        density = ((input - 1) * other.log() - other - lgamma(input)).exp()
        return grad * sign * density

    def input_rule(grad, input, other):
        raise NotImplementedError(f"the derivative for '{name}: input' is not implemented.")
    node = node_class(node_name, input_rule, other_rule)

    def function(input, other, *, out=None):
        a, x, dtype = binary_operands(input, other)
        if np.dtype(dtype).kind in "biu":
            dtype = _dtype.DEFAULT.numpy
        array = regularized_gamma_arrays(a, x)[1 if complement else 0].astype(dtype)
        result = record(array, node, (input, other), (input, other))
        if out is not None:
            out.copy_(result)
            return out
        return result
    function.__name__ = name
    function.__doc__ = ("The regularized upper incomplete gamma function Q(input, other)."
                        if complement else
                        "The regularized lower incomplete gamma function P(input, other).")
    method(name, function)
    return function


igamma = _incomplete_gamma("igamma", "IgammaBackward0", complement=False)
igammac = _incomplete_gamma("igammac", "IgammacBackward0", complement=True)
__all__ += ["igamma", "igammac"]
