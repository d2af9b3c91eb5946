"""torch.special's Bessel and Airy functions, without derivatives (PyTorch records no graph
for them): airy_ai, bessel_j0, bessel_j1, bessel_y0, bessel_y1, modified_bessel_i0,
modified_bessel_i1, modified_bessel_k0, modified_bessel_k1, scaled_modified_bessel_k0,
scaled_modified_bessel_k1, spherical_bessel_j0. Computed in float64: power series for small
arguments, Hankel's asymptotic series for large ones (J, Y, Airy) and Steed's continued
fraction (K, and Airy through K_1/3)."""
import math

import numpy as np

from ember import _dtype
from ember._tensor import _wrap
from ember.ops._elementwise import finish, not_implemented
from ember.ops.special_functions import bessel_i_values, reject_reduced_precision

__all__ = []

_EULER_GAMMA = 0.5772156649015329
# below it the alternating power series keeps an absolute error under 1e-10; above, the
# asymptotic series is below 1e-15
_SERIES_LIMIT = 17.0
_TERMS = 90


def _harmonic(k):
    return sum(1.0 / j for j in range(1, k + 1))


def _j_series(order, x):
    """J_order(x) by its power series; x is float64."""
    quarter_square = x * x / 4.0
    term = (x / 2.0) ** order / math.factorial(order)
    total = term.copy()
    for k in range(1, _TERMS):
        term = -term * quarter_square / (k * (k + order))
        total = total + term
    return total


def _y_series(order, x):
    """Y_order(x) for x > 0 by Neumann's series."""
    quarter_square = x * x / 4.0
    logarithm = np.log(x / 2.0)
    if order == 0:
        term = np.ones_like(x)
        total = np.zeros_like(x)
        for k in range(1, _TERMS):
            term = -term * quarter_square / (k * k)
            total = total - term * _harmonic(k)
        return 2.0 / np.pi * ((logarithm + _EULER_GAMMA) * _j_series(0, x) + total)
    # Y1 = 2/pi (ln(x/2) J1) - 2/(pi x) - (x/2pi) sum (-1)^k (psi(k+1) + psi(k+2)) (x^2/4)^k
    #      / (k! (k+1)!)
    term = np.ones_like(x)
    total = (-2.0 * _EULER_GAMMA + 1.0) * term
    for k in range(1, _TERMS):
        term = -term * quarter_square / (k * (k + 1))
        total = total + term * (-2.0 * _EULER_GAMMA + 2.0 * _harmonic(k) + 1.0 / (k + 1))
    return 2.0 / np.pi * logarithm * _j_series(1, x) - 2.0 / (np.pi * x) - x / (2 * np.pi) * total


def _hankel(order, x):
    """(P, Q) of Hankel's asymptotic expansion for large x."""
    mu = 4.0 * order * order
    term = np.ones_like(x)
    p = term.copy()
    q = np.zeros_like(x)
    for k in range(1, 30):
        term = term * (mu - (2 * k - 1) ** 2) / (k * 8.0 * x)
        if k % 2:
            q = q + (-1) ** ((k - 1) // 2) * term
        else:
            p = p + (-1) ** (k // 2) * term
    return p, q


def _bessel_first_second(order, x, second):
    """J_order(x) (second False) or Y_order(x) (second True) for x >= 0."""
    result = np.empty_like(x)
    small = x <= _SERIES_LIMIT
    if second:
        with np.errstate(all="ignore"):
            result[small] = _y_series(order, x[small])
    else:
        result[small] = _j_series(order, x[small])
    large = x[~small]
    p, q = _hankel(order, large)
    phase = large - (2 * order + 1) * np.pi / 4.0
    amplitude = np.sqrt(2.0 / (np.pi * large))
    if second:
        result[~small] = amplitude * (p * np.sin(phase) + q * np.cos(phase))
    else:
        result[~small] = amplitude * (p * np.cos(phase) - q * np.sin(phase))
    # PyTorch's kernels give NaN at infinity (their argument reduction has no limit there)
    result[np.isinf(x)] = np.nan
    return result


def _j0(x):
    return _bessel_first_second(0, np.abs(x), False)


def _j1(x):
    return np.sign(x) * _bessel_first_second(1, np.abs(x), False)


def _y(order):
    def y(x):
        result = np.full_like(x, np.nan)
        positive = x > 0
        result[positive] = _bessel_first_second(order, x[positive], True)
        result[x == 0] = -np.inf
        return result
    return y


def _k_series(x):
    """(K0(x), K1(x)) for 0 < x <= 2 by their power series."""
    quarter_square = x * x / 4.0
    logarithm = np.log(x / 2.0)
    i0 = bessel_i_values(0, x)
    i1 = bessel_i_values(1, x)
    term = np.ones_like(x)
    k0_sum = np.zeros_like(x)
    k1_sum = (-2.0 * _EULER_GAMMA + 1.0) * term
    for k in range(1, 40):
        term = term * quarter_square / (k * k)
        k0_sum = k0_sum + term * _harmonic(k)
        k1_term = term / (k + 1)
        k1_sum = k1_sum + k1_term * (-2.0 * _EULER_GAMMA + 2.0 * _harmonic(k) + 1.0 / (k + 1))
    k0 = -(logarithm + _EULER_GAMMA) * i0 + k0_sum
    k1 = 1.0 / x + logarithm * i1 - x / 4.0 * k1_sum
    return k0, k1


def _k_fraction(x, mu=0.0):
    """(e^x K_mu(x), e^x K_mu+1(x)) for x > 2, |mu| <= 1/2, by Steed's continued fraction
    (Temme's CF2)."""
    b = 2.0 * (1.0 + x)
    d = 1.0 / b
    h = d.copy()
    delta = d.copy()
    q1 = np.zeros_like(x)
    q2 = np.ones_like(x)
    a1 = 0.25 - mu * mu
    q = np.full_like(x, a1)
    c = np.full_like(x, a1)
    a = -a1
    s = 1.0 + q * delta
    running = np.ones(x.shape, dtype=bool)
    for i in range(1, 200):
        if not running.any():
            break
        a -= 2 * i
        c = -a * c / (i + 1.0)
        q_new = (q1 - b * q2) / a
        q1, q2 = q2, q_new
        q = q + c * q_new
        b = b + 2.0
        d = 1.0 / (b + a * d)
        delta = (b * d - 1.0) * delta
        # an element stops once its sum has converged (its q's would go on to overflow)
        h = np.where(running, h + delta, h)
        step = q * delta
        s = np.where(running, s + step, s)
        running = running & (np.abs(step / s) >= 1e-17)
    h = a1 * h
    k0 = np.sqrt(np.pi / (2.0 * x)) / s
    k1 = k0 * (mu + x + 0.5 - h) / x
    return k0, k1


def _k(order, scaled):
    def k(x):
        result = np.full_like(x, np.nan)
        small = (x > 0) & (x <= 2)
        with np.errstate(all="ignore"):
            values = _k_series(x[small])[order]
            result[small] = values * np.exp(x[small]) if scaled else values
            large = (x > 2) & np.isfinite(x)
            values = _k_fraction(x[large])[order]
            result[large] = values if scaled else values * np.exp(-x[large])
        result[x == 0] = np.inf
        result[x == np.inf] = 0.0
        return result
    return k


def _spherical_j0(x):
    with np.errstate(all="ignore"):
        result = np.sin(x) / x
    result[x == 0] = 1.0
    result[np.isinf(x)] = 0.0
    return result


def _bessel(name, function):
    def bessel(input, *, out=None):
        data = input._data
        if data.dtype.kind == "c":
            raise not_implemented(f"{name}_cpu", input.dtype)
        numpy_dtype = _dtype.DEFAULT.numpy if data.dtype.kind in "biu" else data.dtype
        reject_reduced_precision(numpy_dtype, f"{name}_cpu")
        # the kernels run on 1-D arrays: NumPy makes 0-d intermediates scalars, which refuse
        # the kernels' masked assignments
        flat = data.astype(np.float64).reshape(-1)
        values = function(flat)
        values[np.isnan(flat)] = np.nan
        values = values.reshape(data.shape)
        return finish(_wrap(values.astype(numpy_dtype)), out, "special_" + name)
    bessel.__name__ = bessel.__qualname__ = name
    bessel.__doc__ = f"The {name.replace('_', ' ')} function, elementwise."
    return bessel


# ---- airy_ai ------------------------------------------------------------------------------------

_AIRY_C1 = 0.355028053887817239
_AIRY_C2 = 0.258819403792806798
# above it, Ai through K_1/3 (its continued fraction needs zeta >= 2); below the negative one,
# the oscillating asymptotic series
_AIRY_POSITIVE = 1.6510679927910
_AIRY_NEGATIVE = -7.0


def _airy_series(x):
    cube = x ** 3
    f_term = np.ones_like(x)
    g_term = x.copy()
    f = f_term.copy()
    g = g_term.copy()
    for k in range(1, 60):
        f_term = f_term * cube / ((3 * k - 1) * (3 * k))
        g_term = g_term * cube / ((3 * k) * (3 * k + 1))
        f = f + f_term
        g = g + g_term
    return _AIRY_C1 * f - _AIRY_C2 * g


def _airy_u(count):
    """The coefficients u_k of the Airy asymptotic series."""
    values = [1.0]
    for k in range(1, count):
        factor = (6 * k - 5) * (6 * k - 3) * (6 * k - 1) / ((2 * k - 1) * 216 * k)
        values.append(values[-1] * factor)
    return values


def _airy_oscillating(x):
    """Ai(x) for large negative x."""
    t = -x
    zeta = 2.0 / 3.0 * t ** 1.5
    even = np.zeros_like(t)
    odd = np.zeros_like(t)
    for k, u in enumerate(_airy_u(24)):
        term = u / zeta ** k
        if k % 2:
            odd = odd + (-1) ** (k // 2) * term
        else:
            even = even + (-1) ** (k // 2) * term
    angle = zeta + np.pi / 4
    return (np.sin(angle) * even - np.cos(angle) * odd) / (np.sqrt(np.pi) * t ** 0.25)


def _airy_ai(x):
    result = np.full_like(x, np.nan)
    middle = (x >= _AIRY_NEGATIVE) & (x <= _AIRY_POSITIVE)
    result[middle] = _airy_series(x[middle])
    large = (x > _AIRY_POSITIVE) & np.isfinite(x)
    zeta = 2.0 / 3.0 * x[large] ** 1.5
    with np.errstate(under="ignore"):
        scaled = _k_fraction(zeta, 1.0 / 3.0)[0]
        result[large] = np.sqrt(x[large] / 3.0) / np.pi * scaled * np.exp(-zeta)
    far = (x < _AIRY_NEGATIVE) & np.isfinite(x)
    result[far] = _airy_oscillating(x[far])
    return result


bessel_j0 = _bessel("bessel_j0", _j0)
bessel_j1 = _bessel("bessel_j1", _j1)
bessel_y0 = _bessel("bessel_y0", _y(0))
bessel_y1 = _bessel("bessel_y1", _y(1))
modified_bessel_i0 = _bessel("modified_bessel_i0", lambda x: bessel_i_values(0, x))
modified_bessel_i1 = _bessel("modified_bessel_i1", lambda x: bessel_i_values(1, x))
modified_bessel_k0 = _bessel("modified_bessel_k0", _k(0, False))
modified_bessel_k1 = _bessel("modified_bessel_k1", _k(1, False))
scaled_modified_bessel_k0 = _bessel("scaled_modified_bessel_k0", _k(0, True))
scaled_modified_bessel_k1 = _bessel("scaled_modified_bessel_k1", _k(1, True))
spherical_bessel_j0 = _bessel("spherical_bessel_j0", _spherical_j0)
airy_ai = _bessel("airy_ai", _airy_ai)
