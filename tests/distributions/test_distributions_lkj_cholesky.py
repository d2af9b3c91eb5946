"""LKJCholesky against torch: log_prob and its concentration gradient, shapes, expand,
samples that are Cholesky factors of correlation matrices, and the errors."""
import numpy as np
import pytest

import ember
from oracle import Input, check, check_error, grad_input, torch

CONCENTRATION = np.array([0.5, 1.0, 3.0])
UNCONSTRAINED = np.array([[0.3, -0.5, 0.8], [1.5, 0.1, -2.0]])


def test_log_prob_matches_torch():
    def log_prob(lib, concentration, vectors):
        factors = lib.distributions.biject_to(lib.distributions.constraints.corr_cholesky)(
            vectors)
        distribution = lib.distributions.LKJCholesky(3, concentration)
        return distribution.log_prob(factors.unsqueeze(-3))
    check(log_prob, grad_input(CONCENTRATION), grad_input(UNCONSTRAINED), rtol=1e-9,
          atol=1e-12)


def test_shapes_expand_and_scalar_concentration_match_torch():
    def shapes(lib, concentration):
        distribution = lib.distributions.LKJCholesky(3, concentration)
        expanded = distribution.expand((2, 3))
        scalar = lib.distributions.LKJCholesky(4, 2.0)
        return [lib.tensor(list(distribution.sample((2,)).shape)),
                lib.tensor(list(expanded.batch_shape) + list(expanded.event_shape)),
                expanded.log_prob(lib.eye(3, dtype=lib.float64)),
                scalar.log_prob(lib.eye(4))]
    check(shapes, Input(CONCENTRATION))


@pytest.mark.parametrize("concentration", [0.3, 1.0, 5.0])
def test_samples_are_cholesky_factors_of_correlation_matrices(concentration):
    samples = ember.distributions.LKJCholesky(4, concentration).sample((50,))
    correlations = samples @ samples.mT
    np.testing.assert_allclose(correlations.diagonal(dim1=-2, dim2=-1).numpy(), 1.0,
                               rtol=1e-5)
    assert ember.equal(samples, samples.tril())
    assert bool((samples.diagonal(dim1=-2, dim2=-1) > 0).all())


@pytest.mark.parametrize("build", [
    lambda lib: lib.distributions.LKJCholesky(1),
    lambda lib: lib.distributions.LKJCholesky(3, -1.0),
    lambda lib: lib.distributions.LKJCholesky(3).log_prob(lib.ones(3, 3)),
], ids=["dim", "concentration", "outside-support"])
def test_errors_match_torch(build):
    check_error(build)


def test_registered_in_the_namespace_like_torch():
    mine, theirs = ember.distributions.LKJCholesky, torch.distributions.LKJCholesky
    assert mine.has_rsample == theirs.has_rsample
    assert repr(ember.distributions.LKJCholesky(2)) == repr(torch.distributions.LKJCholesky(2))
