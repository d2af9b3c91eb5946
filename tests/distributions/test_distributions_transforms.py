"""Transforms and TransformedDistribution against torch: forward, inverse, log|det J|,
shapes, signs, reprs, domains, caching, and densities of transformed distributions."""
import numpy as np
import pytest

import ember
from oracle import check, grad_input, torch

X = np.array([[-1.2, 0.3, 0.8], [2.0, -0.5, 0.1]])
POSITIVE = np.abs(X) + 0.2
SIMPLEX = np.array([[0.2, 0.3, 0.5], [0.6, 0.1, 0.3]])

TRANSFORMS = {
    "exp": (lambda T, p: T.ExpTransform(), X),
    "power": (lambda T, p: T.PowerTransform(p), POSITIVE),
    "sigmoid": (lambda T, p: T.SigmoidTransform(), X),
    "tanh": (lambda T, p: T.TanhTransform(), X * 0.5),
    "affine": (lambda T, p: T.AffineTransform(p, -2.0 * p), X),
    "affine-event": (lambda T, p: T.AffineTransform(0.5, p, event_dim=1), X),
    "abs": (lambda T, p: T.AbsTransform(), X),
    "softmax": (lambda T, p: T.SoftmaxTransform(), X),
    "stick-breaking": (lambda T, p: T.StickBreakingTransform(), X),
    "compose": (lambda T, p: T.ComposeTransform([T.AffineTransform(p, 2.0),
                                                   T.ExpTransform()]), X),
    "inverse-exp": (lambda T, p: T.ExpTransform().inv, POSITIVE),
}
PARAMETER = np.array([0.5, 1.5, 2.0])


def _build(lib, name, parameter):
    return TRANSFORMS[name][0](lib.distributions.transforms, parameter)


@pytest.mark.parametrize("name", list(TRANSFORMS))
def test_transform_matches_torch(name):
    x = TRANSFORMS[name][1]

    def forward(lib, value, parameter):
        transform = _build(lib, name, parameter)
        y = transform(value)
        results = [y]
        if name not in ("abs", "softmax"):
            results.append(transform.inv(y))
        if name != "softmax" and name != "abs":
            results.append(transform.log_abs_det_jacobian(value, y))
        return results
    check(forward, grad_input(x), grad_input(PARAMETER), rtol=1e-9, atol=1e-12)
    mine, theirs = _build(ember, name, ember.tensor(PARAMETER)), _build(
        torch, name, torch.tensor(PARAMETER))
    assert repr(mine) == repr(theirs)
    assert repr(mine.domain) == repr(theirs.domain)
    assert repr(mine.codomain) == repr(theirs.codomain)
    assert mine.bijective == theirs.bijective
    assert mine.forward_shape((2, 3)) == theirs.forward_shape((2, 3))
    assert mine.inverse_shape((2, 3)) == theirs.inverse_shape((2, 3))
    assert mine.domain.event_dim == theirs.domain.event_dim
    assert mine.codomain.event_dim == theirs.codomain.event_dim


def test_simplex_inverses_and_equality():
    check(lambda lib, y: lib.distributions.transforms.StickBreakingTransform().inv(y),
          grad_input(SIMPLEX))
    check(lambda lib, y: lib.distributions.transforms.SoftmaxTransform().inv(y),
          grad_input(SIMPLEX))
    T = ember.distributions.transforms
    assert T.ExpTransform() == T.ExpTransform() and T.ExpTransform() != T.SigmoidTransform()
    assert T.ExpTransform().inv == T.ExpTransform().inv
    assert T.AffineTransform(1.0, 2.0) == T.AffineTransform(1.0, 2.0)
    assert T.AffineTransform(1.0, 2.0) != T.AffineTransform(1.0, 3.0)
    assert T.ComposeTransform([T.ExpTransform()]) == T.ComposeTransform([T.ExpTransform()])
    assert T.identity_transform(ember.tensor(2.0)).item() == 2.0
    assert T.AffineTransform(0.0, -2.0).sign == -1 and T.ExpTransform().inv.sign == 1


def test_cache_returns_the_same_objects():
    T = ember.distributions.transforms
    transform = T.ExpTransform(cache_size=1)
    x = ember.tensor([0.5, 1.0])
    y = transform(x)
    assert transform(x) is y and transform.inv(y) is x
    assert T.ExpTransform().with_cache(1)._cache_size == 1
    with pytest.raises(ValueError, match="cache_size must be 0 or 1"):
        T.ExpTransform(cache_size=2)


TRANSFORMED = {
    "tanh-normal": lambda D, T, a, b: D.TransformedDistribution(
        D.Normal(a, b), [T.AffineTransform(0.1, 0.5), T.TanhTransform()]),
    "logistic": lambda D, T, a, b: D.TransformedDistribution(
        D.Uniform(a * 0, b * 0 + 1), [T.SigmoidTransform().inv, T.AffineTransform(a, b)]),
    "stick-breaking": lambda D, T, a, b: D.TransformedDistribution(
        D.Independent(D.Normal(a, b), 1), T.StickBreakingTransform()),
    "power": lambda D, T, a, b: D.TransformedDistribution(D.Exponential(b),
                                                           T.PowerTransform(2.0)),
}
VALUES = {"tanh-normal": np.array([0.1, -0.3, 0.4]), "logistic": np.array([0.1, -0.3, 0.4]),
          "stick-breaking": np.array([0.2, 0.3, 0.1, 0.4]),
          "power": np.array([0.1, 2.3, 0.4])}


@pytest.mark.parametrize("name", list(TRANSFORMED))
def test_transformed_distribution_matches_torch(name):
    def run(lib, a, b, value):
        distribution = TRANSFORMED[name](lib.distributions, lib.distributions.transforms, a, b)
        results = [distribution.log_prob(value)]
        if name in ("logistic", "power"):
            results.append(distribution.cdf(value))
            results.append(distribution.icdf(lib.tensor([0.2, 0.5, 0.7], dtype=a.dtype)))
        return results
    check(run, grad_input(np.array([0.3, -0.2, 1.0])), grad_input(np.array([0.5, 1.2, 2.0])),
          VALUES[name], rtol=1e-9, atol=1e-12)
    D, T = ember.distributions, ember.distributions.transforms
    distribution = TRANSFORMED[name](D, T, ember.tensor([0.3, -0.2, 1.0]),
                                     ember.tensor([0.5, 1.2, 2.0]))
    reference = TRANSFORMED[name](torch.distributions, torch.distributions.transforms,
                                  torch.tensor([0.3, -0.2, 1.0]), torch.tensor([0.5, 1.2, 2.0]))
    assert distribution.batch_shape == ember.Size(reference.batch_shape)
    assert distribution.event_shape == ember.Size(reference.event_shape)
    assert repr(distribution.support) == repr(reference.support)
    assert tuple(distribution.sample((5,)).shape) == tuple(reference.sample((5,)).shape)
    expanded = distribution.expand((2,) + tuple(distribution.batch_shape))
    assert tuple(expanded.sample().shape) == tuple(reference.expand(
        (2,) + tuple(reference.batch_shape)).sample().shape)


CONSTRAINTS = {
    "real": lambda C: C.real, "positive": lambda C: C.positive,
    "nonnegative": lambda C: C.nonnegative, "greater_than": lambda C: C.greater_than(1.5),
    "less_than": lambda C: C.less_than(-2.0), "unit_interval": lambda C: C.unit_interval,
    "interval": lambda C: C.interval(-1.0, 3.0), "simplex": lambda C: C.simplex,
    "real_vector": lambda C: C.real_vector,
    "independent": lambda C: C.independent(C.positive, 1),
    "lower_cholesky": lambda C: C.lower_cholesky,
}


@pytest.mark.parametrize("registry", ["biject_to", "transform_to"])
@pytest.mark.parametrize("name", list(CONSTRAINTS))
def test_constraint_registry_matches_torch(registry, name):
    def run(lib, x):
        D = lib.distributions
        try:
            transform = getattr(D, registry)(CONSTRAINTS[name](D.constraints))
        except NotImplementedError as error:
            return str(error)
        value = x if name == "lower_cholesky" else x[0]
        y = transform(value)
        results = [repr(transform), y, transform.inv(y)]
        if name not in ("simplex", "lower_cholesky") or registry == "biject_to":
            results.append(transform.log_abs_det_jacobian(value, y))
        return results
    check(run, grad_input(np.array([[[0.3, -1.0, 0.5], [1.2, 0.1, -0.4], [0.2, 0.7, 0.9]]])),
          rtol=1e-9, atol=1e-12)


def test_extra_transforms_match_torch():
    def run(lib, x):
        T = lib.distributions.transforms
        independent = T.IndependentTransform(T.ExpTransform(), 1)
        softplus = T.SoftplusTransform()
        lower = T.LowerCholeskyTransform()
        return [independent(x), independent.log_abs_det_jacobian(x, independent(x)),
                softplus(x), softplus.inv(softplus(x)),
                softplus.log_abs_det_jacobian(x, softplus(x)), lower(x), lower.inv(lower(x)),
                repr(independent)]
    check(run, grad_input(X[:, :2].copy()), rtol=1e-9, atol=1e-12)
    with pytest.raises(TypeError, match="Expected constraint"):
        ember.distributions.biject_to.register(3, lambda c: c)
