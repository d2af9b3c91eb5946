"""torch.special's orthogonal polynomials of x and integer degree n: Chebyshev (T, U, V, W and
their shifted forms), Hermite (H, He), Laguerre and Legendre. PyTorch's kernels: the
three-term recurrence in the result dtype, a trigonometric form for high degrees inside
(-1, 1), fixed values at the interval's ends, 0 for negative degrees. Not differentiable
(PyTorch records no graph)."""
import numpy as np

from ember import _dtype
from ember._tensor import Tensor, _wrap
from ember.ops._elementwise import broadcasting, finish, not_implemented
from ember.ops._registry import binary_operands
from ember.ops.special_functions import reject_reduced_precision

__all__ = []


def _operands(name, input, n):
    """x in the promoted floating dtype and the degrees truncated to integers, broadcast."""
    if not isinstance(input, Tensor) and not isinstance(n, Tensor):
        raise TypeError(f"special_{name}() received an invalid combination of arguments - got "
                        f"({type(input).__name__}, {type(n).__name__})")
    x, degrees, numpy_dtype = binary_operands(input, n)
    if numpy_dtype.kind == "c":
        raise not_implemented(f"{name}_cpu", _dtype.FROM_NUMPY[numpy_dtype])
    if numpy_dtype.kind in "biu":
        numpy_dtype = _dtype.DEFAULT.numpy
    reject_reduced_precision(numpy_dtype, f"{name}_cpu")
    x = np.asarray(x).astype(numpy_dtype)
    degrees = np.asarray(degrees)
    if degrees.dtype.kind in "fc":
        degrees = np.trunc(degrees.real)
    with np.errstate(invalid="ignore"):
        degrees = degrees.astype(np.int64)
    broadcasting(np.add, x, degrees)
    x, degrees = np.broadcast_arrays(x, degrees)
    return x, degrees


def _recurrence(x, n, first, step, active):
    """Degree 0 is 1 and degree 1 is `first`; step(d, p, q) gives degree d from degrees
    d - 2 (p) and d - 1 (q). Runs to the highest degree among the `active` elements."""
    one = np.ones_like(x)
    result = np.where(n == 0, one, first)
    top = int(n[active].max()) if active.any() else 0
    p, q = one, first
    with np.errstate(all="ignore"):
        for degree in range(2, top + 1):
            r = step(degree, p, q)
            result = np.where(n == degree, r, result)
            p, q = q, r
    return result


def _as(x, value):
    return np.asarray(value).astype(x.dtype)


def _polynomial(name, evaluate):
    def polynomial(input, n, *, out=None):
        x, degrees = _operands(name, input, n)
        with np.errstate(all="ignore"):
            array = evaluate(x, degrees)
        array = np.where(degrees < 0, _as(x, 0), array).astype(x.dtype, copy=False)
        return finish(_wrap(np.asarray(array)), out, "special_" + name)
    polynomial.__name__ = polynomial.__qualname__ = name
    polynomial.__doc__ = f"The {name.replace('_', ' ')} of degree n at input."
    return polynomial


def _chebyshev(x, n, first, trigonometric, trig_from, ends):
    """A Chebyshev family on t = x: recurrence 2t q - p, the trigonometric form above degree
    trig_from inside (-1, 1), `ends(t, n)` at t = +-1."""
    inside = np.abs(x) < 1
    active = ~(inside & (n > trig_from)) & (np.abs(x) != 1)
    result = _recurrence(x, n, first, lambda d, p, q: (x + x) * q - p, active)
    # the degree joins the arithmetic in x's dtype, as in PyTorch's kernels
    result = np.where(inside & (n > trig_from), trigonometric(x, n.astype(x.dtype)), result)
    return np.where(np.abs(x) == 1, ends(x, n), result)


def _t_trig(t, n):
    return np.cos(n * np.arccos(t))


def _u_trig(t, n):
    angle = np.arccos(t)
    return np.where(np.sin(angle) != 0, np.sin((n + 1) * angle) / np.sin(angle),
                    (n + 1) * np.cos((n + 1) * angle) / t)


def _odd_sign(n, value):
    return np.where(n % 2 == 0, value, -value)


def _v_trig(t, n):
    angle = np.arccos(t)
    return np.where(np.sin(angle / 2) != 1, np.cos((n + 0.5) * angle) / np.cos(angle / 2),
                    _odd_sign(n, n + n + 1))


def _w_trig(t, n):
    angle = np.arccos(t)
    return np.where(np.cos(angle / 2) != 1, np.sin((n + 0.5) * angle) / np.sin(angle / 2),
                    np.where(t > 0, n + n + 1, _odd_sign(n, 1)))


def _t_ends(t, n):
    return np.where((t > 0) | (n % 2 == 0), 1, -1)


def _u_ends(t, n):
    return np.where((t > 0) | (n % 2 == 0), n + 1, -(n + 1))


def _v_ends(t, n):
    return np.where(t > 0, 1, _odd_sign(n, n + n + 1))


def _w_ends(t, n):
    return np.where(t > 0, n + n + 1, _odd_sign(n, 1))


_CHEBYSHEV = {
    # kind: (degree-1 polynomial of t, trigonometric form, used above this degree, end values)
    "t": (lambda t: t, _t_trig, 6, _t_ends),
    "u": (lambda t: t + t, _u_trig, 8, _u_ends),
    "v": (lambda t: t + t - 1, _v_trig, 8, _v_ends),
    "w": (lambda t: t + t + 1, _w_trig, 8, _w_ends),
}


def _chebyshev_kind(kind, shifted):
    first, trigonometric, trig_from, ends = _CHEBYSHEV[kind]

    def evaluate(x, n):
        # the shifted polynomials are the plain ones at 2x - 1, on [0, 1]
        t = x + x - 1 if shifted else x
        return _chebyshev(t, n, first(t), trigonometric, 4 if shifted and kind == "w" else
                          (6 if shifted else trig_from), ends)
    return evaluate


chebyshev_polynomial_t = _polynomial("chebyshev_polynomial_t", _chebyshev_kind("t", False))
chebyshev_polynomial_u = _polynomial("chebyshev_polynomial_u", _chebyshev_kind("u", False))
chebyshev_polynomial_v = _polynomial("chebyshev_polynomial_v", _chebyshev_kind("v", False))
chebyshev_polynomial_w = _polynomial("chebyshev_polynomial_w", _chebyshev_kind("w", False))
shifted_chebyshev_polynomial_t = _polynomial("shifted_chebyshev_polynomial_t",
                                             _chebyshev_kind("t", True))
shifted_chebyshev_polynomial_u = _polynomial("shifted_chebyshev_polynomial_u",
                                             _chebyshev_kind("u", True))
shifted_chebyshev_polynomial_v = _polynomial("shifted_chebyshev_polynomial_v",
                                             _chebyshev_kind("v", True))
shifted_chebyshev_polynomial_w = _polynomial("shifted_chebyshev_polynomial_w",
                                             _chebyshev_kind("w", True))


def _everywhere(x):
    return np.ones(x.shape, dtype=bool)


def _hermite_h(x, n):
    return _recurrence(x, n, x + x, lambda d, p, q: (x + x) * q - (2 * (d - 1)) * p,
                       _everywhere(x))


def _hermite_he(x, n):
    return _recurrence(x, n, x, lambda d, p, q: x * q - (d - 1) * p, _everywhere(x))


def _laguerre(x, n):
    one = _as(x, 1)
    result = _recurrence(x, n, one - x,
                         lambda d, p, q: ((2 * (d - 1) + (one - x)) * q - (d - 1) * p) / d,
                         x != 0)
    return np.where(x == 0, one, result)


def _legendre(x, n):
    result = _recurrence(x, n, x, lambda d, p, q: ((2 * d - 1) * x * q - (d - 1) * p) / d,
                         np.abs(x) != 1)
    return np.where(np.abs(x) == 1, _t_ends(x, n), result)


hermite_polynomial_h = _polynomial("hermite_polynomial_h", _hermite_h)
hermite_polynomial_he = _polynomial("hermite_polynomial_he", _hermite_he)
laguerre_polynomial_l = _polynomial("laguerre_polynomial_l", _laguerre)
legendre_polynomial_p = _polynomial("legendre_polynomial_p", _legendre)
