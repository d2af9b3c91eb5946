"""Gamma draws through ember's generator with implicit reparameterisation gradients
(torch._standard_gamma / StandardGammaBackward0): for x ~ Gamma(alpha, 1) held at its CDF
level u = P(alpha, x), dx/dalpha = -(dP/dalpha)(alpha, x) / p(x; alpha). dP/dalpha is a
central difference of the regularized incomplete gamma function in float64 (on whichever of
P and Q = 1 - P is smaller, so no digits cancel); the result is exact to about 1e-8, where
torch uses closed-form approximations (so the two agree to about 1e-3 relative)."""
import numpy as np

import ember
from ember.ops._registry import RESULT, node_class, record
from ember.ops.gamma_functions import _lgamma, regularized_gamma_arrays
from ember.ops.sampling import default_generator

_STEP = 1e-5


def standard_gamma_grad_array(alpha, x):
    """dx/dalpha of a Gamma(alpha, 1) draw x, held at its CDF level (float64 arrays)."""
    alpha, x = np.broadcast_arrays(np.asarray(alpha, np.float64), np.asarray(x, np.float64))
    h = _STEP * alpha
    lower_plus, upper_plus = regularized_gamma_arrays(alpha + h, x)
    lower_minus, upper_minus = regularized_gamma_arrays(alpha - h, x)
    use_lower = lower_plus < 0.5
    d_lower = np.where(use_lower, lower_plus - lower_minus, upper_minus - upper_plus) / (2 * h)
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        log_density = (alpha - 1) * np.log(x) - x - _lgamma(alpha)
        return -d_lower / np.exp(log_density)


def _standard_gamma_rule(grad, concentration, result):
    slope = standard_gamma_grad_array(concentration.detach().numpy(), result.detach().numpy())
    return grad * ember.from_numpy(slope.astype(result.detach().numpy().dtype))


_StandardGammaBackward0 = node_class("StandardGammaBackward0", _standard_gamma_rule)


def standard_gamma(concentration):
    """Gamma(concentration, 1) draws, differentiable in concentration."""
    data = concentration.detach().numpy()
    draws = default_generator._numpy.standard_gamma(data.astype(np.float64))
    draws = np.maximum(draws, np.finfo(data.dtype).tiny).astype(data.dtype)
    return record(draws, _StandardGammaBackward0, (concentration,), (concentration, RESULT))
