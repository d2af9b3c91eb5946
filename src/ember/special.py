"""torch.special: the special functions under their SciPy-style names. Most are ember's own
ops under another name (expit is sigmoid, gammaln is lgamma, psi is digamma...); the rest live
in ember.ops.special_functions. Loaded on first use of ember.special."""
from ember.ops.bessel_functions import (airy_ai, bessel_j0, bessel_j1, bessel_y0, bessel_y1,
                                        modified_bessel_i0, modified_bessel_i1,
                                        modified_bessel_k0, modified_bessel_k1,
                                        scaled_modified_bessel_k0, scaled_modified_bessel_k1,
                                        spherical_bessel_j0)
from ember.ops import binary as _binary, gamma_functions as _gamma, reduction as _reduction
from ember.ops import unary as _unary
from ember.ops.special_functions import (entr, erfcx, i0, i0e, i1, i1e, log_ndtr, mvlgamma,
                                         ndtr, ndtri, xlog1py, zeta)
from ember.ops.orthogonal_polynomials import (
    chebyshev_polynomial_t, chebyshev_polynomial_u, chebyshev_polynomial_v,
    chebyshev_polynomial_w, hermite_polynomial_h, hermite_polynomial_he, laguerre_polynomial_l,
    legendre_polynomial_p, shifted_chebyshev_polynomial_t, shifted_chebyshev_polynomial_u,
    shifted_chebyshev_polynomial_v, shifted_chebyshev_polynomial_w)

__all__ = ["digamma", "entr", "erf", "erfc", "erfcx", "erfinv", "exp2", "expit", "expm1",
           "gammainc", "gammaincc", "gammaln", "i0", "i0e", "i1", "i1e", "log1p", "log_ndtr",
           "log_softmax", "logit", "logsumexp", "multigammaln", "ndtr", "ndtri", "polygamma",
           "psi", "round", "sinc", "softmax", "xlog1py", "xlogy", "zeta",
           "airy_ai", "bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1", "modified_bessel_i0",
           "modified_bessel_i1", "modified_bessel_k0", "modified_bessel_k1",
           "scaled_modified_bessel_k0", "scaled_modified_bessel_k1", "spherical_bessel_j0",
           "chebyshev_polynomial_t", "chebyshev_polynomial_u", "chebyshev_polynomial_v",
           "chebyshev_polynomial_w", "hermite_polynomial_h", "hermite_polynomial_he",
           "laguerre_polynomial_l", "legendre_polynomial_p", "shifted_chebyshev_polynomial_t",
           "shifted_chebyshev_polynomial_u", "shifted_chebyshev_polynomial_v",
           "shifted_chebyshev_polynomial_w"]

digamma = psi = _gamma.digamma
gammaln = _gamma.lgamma
polygamma = _gamma.polygamma
gammainc = _gamma.igamma
gammaincc = _gamma.igammac
erf = _unary.erf
erfc = _unary.erfc
erfinv = _unary.erfinv
exp2 = _unary.exp2
expm1 = _unary.expm1
log1p = _unary.log1p
expit = _unary.sigmoid
logit = _unary.logit
sinc = _unary.sinc
xlogy = _binary.xlogy
logsumexp = _reduction.logsumexp


def multigammaln(input, p, *, out=None):
    """The multivariate log-gamma function of dimension p (torch.mvlgamma)."""
    return mvlgamma(input, p, out=out)


def round(input, *, decimals=0, out=None):
    """Rounds half to even, to `decimals` decimal places (torch.round with decimals)."""
    return _unary.round(input, decimals=decimals, out=out)


def softmax(input, dim, *, dtype=None):
    """exp(input) normalised to sum to 1 along dim."""
    # nn.functional holds the op; importing it here keeps ember.special from loading ember.nn
    from ember.nn import functional
    return functional.softmax(input, dim, dtype=dtype)


def log_softmax(input, dim, *, dtype=None):
    """log(softmax(input)) along dim, computed stably."""
    from ember.nn import functional
    return functional.log_softmax(input, dim, dtype=dtype)
