"""GeneralizedPareto against torch: densities, cdfs, quantiles, moments and their gradients
(float32; in float64 torch's own zero test compares with a float32 zero and raises, which ember
reproduces), samples, support, expand and errors."""
import numpy as np
import pytest

from oracle import Input, check, check_error, grad_input

LOC = np.array([-1.0, 0.3, 2.0], dtype=np.float32)
SCALE = np.array([0.5, 1.0, 2.5], dtype=np.float32)
# concentration 0 is the exponential limit, negative ones bound the support above
CONCENTRATION = np.array([0.0, 0.3, -0.4], dtype=np.float32)
VALUE = LOC + 0.5 * SCALE
PROBABILITY = np.array([0.1, 0.45, 0.9], dtype=np.float32)


def _method(name):
    def run(lib, loc, scale, concentration, value):
        distribution = lib.distributions.GeneralizedPareto(loc, scale, concentration)
        if name in ("log_prob", "cdf", "log_cdf", "log_survival_function", "icdf"):
            return getattr(distribution, name)(value)
        if name == "entropy":
            return distribution.entropy()
        return getattr(distribution, name)
    return run


@pytest.mark.parametrize("name", ["log_prob", "cdf", "log_cdf", "log_survival_function",
                                  "icdf", "entropy", "mean", "variance", "mode"])
def test_method_matches_torch(name):
    value = PROBABILITY if name == "icdf" else VALUE
    check(_method(name), grad_input(LOC), grad_input(SCALE), grad_input(CONCENTRATION),
          Input(value), rtol=1e-5, atol=1e-6)


def test_float64_densities_raise_like_torch():
    inputs = [Input(a.astype(np.float64)) for a in (LOC, SCALE, CONCENTRATION, VALUE)]
    check_error(_method("log_prob"), *inputs)
    check(_method("icdf"), *inputs[:3], Input(PROBABILITY.astype(np.float64)))


def test_infinite_moments_are_nan_and_scalars_have_no_batch_shape():
    def moments(lib):
        heavy = lib.distributions.GeneralizedPareto(0.0, 1.0, 2.0)
        return [heavy.mean, lib.distributions.GeneralizedPareto(0.0, 1.0, 0.7).variance]
    check(moments)

    def shapes(lib, loc, scale, concentration):
        distribution = lib.distributions.GeneralizedPareto(loc, scale, concentration)
        scalar = lib.distributions.GeneralizedPareto(0.0, 1.0, 0.5)
        expanded = distribution.expand((2, 3))
        return [lib.tensor(list(distribution.rsample((4,)).shape)),
                lib.tensor(list(scalar.batch_shape) + [len(repr(scalar))]),
                expanded.log_prob(lib.tensor(VALUE)), distribution.support.upper_bound]
    check(shapes, Input(LOC), Input(SCALE), Input(CONCENTRATION))


@pytest.mark.parametrize("build", [
    lambda D, t: D.GeneralizedPareto(0.0, -1.0, 0.1),
    lambda D, t: D.GeneralizedPareto(0.0, 1.0, -0.5).log_prob(t(3.0)),
    lambda D, t: D.GeneralizedPareto(0.0, 1.0, 0.5).log_prob(t(-1.0)),
], ids=["scale", "above-support", "below-support"])
def test_errors_match_torch(build):
    check_error(lambda lib: build(lib.distributions, lib.tensor))
