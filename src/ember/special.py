"""torch.special: the special functions under their SciPy-style names. Most are ember's own
ops under another name (expit is sigmoid, gammaln is lgamma, psi is digamma...); the rest live
in ember.ops.special_functions. Loaded on first use of ember.special."""
from ember.nn import functional as _functional
from ember.ops import binary as _binary, gamma_functions as _gamma, reduction as _reduction
from ember.ops import unary as _unary
from ember.ops.special_functions import (entr, erfcx, i0, i0e, i1, i1e, log_ndtr, mvlgamma,
                                         ndtr, ndtri, xlog1py, zeta)

__all__ = ["digamma", "entr", "erf", "erfc", "erfcx", "erfinv", "exp2", "expit", "expm1",
           "gammainc", "gammaincc", "gammaln", "i0", "i0e", "i1", "i1e", "log1p", "log_ndtr",
           "log_softmax", "logit", "logsumexp", "multigammaln", "ndtr", "ndtri", "polygamma",
           "psi", "round", "sinc", "softmax", "xlog1py", "xlogy", "zeta"]

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
    return _functional.softmax(input, dim, dtype=dtype)


def log_softmax(input, dim, *, dtype=None):
    """log(softmax(input)) along dim, computed stably."""
    return _functional.log_softmax(input, dim, dtype=dtype)
