"""MultivariateNormal (covariance, precision or scale_tril) and LowRankMultivariateNormal
against torch: densities, moments, matrices, KL pairs with gradients, sampling, errors."""
import numpy as np
import pytest

import ember
from oracle import check, check_error, grad_input, torch

RNG = np.random.default_rng(11)
FACTOR = RNG.standard_normal((2, 3, 3))
COVARIANCE = FACTOR @ FACTOR.swapaxes(-1, -2) + np.eye(3)
LOC = RNG.standard_normal((2, 3))
VALUE = RNG.standard_normal((4, 2, 3))
COV_FACTOR = RNG.standard_normal((2, 3, 2))
COV_DIAG = np.array([0.5, 1.0, 2.0])

BUILDERS = {
    "covariance": lambda D, loc, m: D.MultivariateNormal(loc, covariance_matrix=m),
    "precision": lambda D, loc, m: D.MultivariateNormal(loc, precision_matrix=m),
    "scale_tril": lambda D, loc, m: D.MultivariateNormal(
        loc, scale_tril=m.tril() if hasattr(m, "tril") else m),
    "lowrank": lambda D, loc, m: D.LowRankMultivariateNormal(loc, m[..., :2],
                                                             m[0, 0].abs() + 0.5),
}
PROPERTIES = ["log_prob", "entropy", "mean", "mode", "variance", "stddev", "covariance_matrix",
              "precision_matrix", "scale_tril"]


def _matrix(kind):
    if kind == "scale_tril":
        return np.linalg.cholesky(COVARIANCE)
    return COVARIANCE


@pytest.mark.parametrize("prop", PROPERTIES)
@pytest.mark.parametrize("kind", list(BUILDERS))
def test_properties_match_torch(kind, prop):
    def run(lib, loc, matrix, value):
        distribution = BUILDERS[kind](lib.distributions, loc, matrix)
        if prop == "log_prob":
            return distribution.log_prob(value)
        if prop == "entropy":
            return distribution.entropy()
        return getattr(distribution, prop)
    # derived matrices come from different (equivalent) factorisations, so grad_fn names
    # are not compared; values and gradients are
    check(run, grad_input(LOC), grad_input(_matrix(kind)), VALUE, rtol=1e-8, atol=1e-10,
          grad_fn=False)


def test_precision_matrix_is_torch_cholesky_inverse_of_the_scale():
    names = []
    for lib in (ember, torch):
        scale_tril = lib.tensor(np.linalg.cholesky(COVARIANCE), requires_grad=True)
        precision = lib.distributions.MultivariateNormal(
            lib.tensor(LOC), scale_tril=scale_tril).precision_matrix
        names.append([type(precision.grad_fn).__name__,
                      type(precision.grad_fn.next_functions[0][0]).__name__])
    assert names[0] == names[1]


@pytest.mark.parametrize("p_kind", ["covariance", "scale_tril", "lowrank"])
@pytest.mark.parametrize("q_kind", ["covariance", "precision", "lowrank"])
def test_kl_pairs_match_torch(p_kind, q_kind):
    def run(lib, loc_p, m_p, loc_q, m_q):
        D = lib.distributions
        return D.kl_divergence(BUILDERS[p_kind](D, loc_p, m_p), BUILDERS[q_kind](D, loc_q, m_q))
    check(run, grad_input(LOC), grad_input(_matrix(p_kind)), grad_input(LOC[::-1].copy()),
          grad_input(_matrix(q_kind)[::-1].copy()), rtol=1e-8, atol=1e-10)


def test_broadcast_batch_shapes_and_expand():
    def run(lib, loc, matrix, value):
        D = lib.distributions
        distribution = D.MultivariateNormal(loc, scale_tril=matrix).expand((5, 2))
        return distribution.log_prob(value), distribution.covariance_matrix
    check(run, LOC[0], np.linalg.cholesky(COVARIANCE), VALUE[:1], grad_fn=False)


def test_samples_have_the_covariance():
    ember.manual_seed(0)
    loc = ember.tensor(LOC[0])
    for distribution in (
            ember.distributions.MultivariateNormal(loc, ember.tensor(COVARIANCE[0])),
            ember.distributions.LowRankMultivariateNormal(loc, ember.tensor(COV_FACTOR[0]),
                                                          ember.tensor(COV_DIAG))):
        n = 100_000
        samples = distribution.sample((n,)).numpy()
        assert samples.shape == (n, 3)
        covariance = distribution.covariance_matrix.numpy()
        sigma = np.sqrt(np.diag(covariance) / n)
        assert np.all(np.abs(samples.mean(0) - LOC[0]) <= 6 * sigma)
        centred = samples - samples.mean(0)
        empirical = centred.T @ centred / n
        # var of a sample covariance entry is (S_ii S_jj + S_ij^2) / n for a normal
        spread = np.sqrt((np.outer(np.diag(covariance), np.diag(covariance))
                          + covariance ** 2) / n)
        assert np.all(np.abs(empirical - covariance) <= 6 * spread)
        rsample = distribution.rsample((2, 4))
        assert tuple(rsample.shape) == (2, 4, 3)


def test_rsample_gradient_is_the_scale_factor():
    loc = ember.tensor(LOC[0], requires_grad=True)
    tril = ember.tensor(np.linalg.cholesky(COVARIANCE[0]), requires_grad=True)
    ember.manual_seed(5)
    sample = ember.distributions.MultivariateNormal(loc, scale_tril=tril).rsample()
    ember.manual_seed(5)
    eps = ember.randn(3, dtype=ember.float64).numpy()
    grad_loc, grad_tril = ember.autograd.grad(sample.sum(), (loc, tril))
    np.testing.assert_allclose(grad_loc.numpy(), np.ones(3))
    np.testing.assert_allclose(grad_tril.numpy(), np.outer(np.ones(3), eps), rtol=1e-12)


def test_errors_match_torch():
    D = "distributions"
    check_error(lambda lib, m: getattr(lib, D).MultivariateNormal(m[0, 0, 0], m), COVARIANCE)
    check_error(lambda lib, v, m: getattr(lib, D).MultivariateNormal(v), LOC, COVARIANCE)
    check_error(lambda lib, v, m: getattr(lib, D).MultivariateNormal(
        v, covariance_matrix=m, scale_tril=m), LOC, COVARIANCE)
    check_error(lambda lib, v, m: getattr(lib, D).MultivariateNormal(v, m[0, 0]), LOC,
                COVARIANCE)
    not_definite = COVARIANCE.copy()
    not_definite[0] = -not_definite[0]
    check_error(lambda lib, v, m: getattr(lib, D).MultivariateNormal(v, m), LOC, not_definite)
    check_error(lambda lib, v, m: getattr(lib, D).MultivariateNormal(v, scale_tril=m), LOC,
                COVARIANCE)
    check_error(lambda lib, v, w: getattr(lib, D).LowRankMultivariateNormal(v, w[0, 0], w[0, 0]),
                LOC, COV_FACTOR)
    check_error(lambda lib, v, w: getattr(lib, D).LowRankMultivariateNormal(v, w[..., :2, :], v),
                LOC, COV_FACTOR)
    check_error(lambda lib, v, w, d: getattr(lib, D).LowRankMultivariateNormal(v, w, d[:2]),
                LOC, COV_FACTOR, COV_DIAG)
    check_error(lambda lib, v, w, d: getattr(lib, D).LowRankMultivariateNormal(v, w, -d),
                LOC, COV_FACTOR, COV_DIAG)
    check_error(lambda lib, v, w, d: getattr(lib, D).kl_divergence(
        getattr(lib, D).MultivariateNormal(v, scale_tril=w[0]),
        getattr(lib, D).MultivariateNormal(v[:, :2], scale_tril=w[0][:2, :2])),
        LOC, np.linalg.cholesky(COVARIANCE), COV_DIAG)
    assert torch is not None
