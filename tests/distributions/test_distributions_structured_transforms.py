"""ReshapeTransform, CatTransform, StackTransform, CumulativeDistributionTransform,
PositiveDefiniteTransform and CorrCholeskyTransform against torch: values, inverses,
log|det J| and their gradients, shapes, domains, the biject_to/transform_to registrations and
the errors."""
import numpy as np
import pytest

import ember
from oracle import check, check_error, grad_input, torch

X = np.array([[-1.2, 0.3, 0.8], [2.0, -0.5, 0.1]])
PARAMETER = np.array([0.5, 1.5, 2.0])

TRANSFORMS = {
    "reshape": lambda T, D, p: T.ReshapeTransform((3,), (3, 1)),
    "cat": lambda T, D, p: T.CatTransform([T.ExpTransform(), T.SigmoidTransform()], dim=1,
                                          lengths=[1, 2]),
    "cat-event": lambda T, D, p: T.CatTransform(
        [T.AffineTransform(p[:2], 2.0, event_dim=1), T.TanhTransform()], dim=-1,
        lengths=[2, 1]),
    "cat-batch-dim": lambda T, D, p: T.CatTransform(
        [T.ExpTransform(), T.AffineTransform(p, -1.0)], dim=0),
    "stack": lambda T, D, p: T.StackTransform(
        [T.ExpTransform(), T.TanhTransform(), T.AffineTransform(p[0], 3.0)], dim=1),
    "cdf": lambda T, D, p: T.CumulativeDistributionTransform(D.Normal(p, 2.0)),
}


def _build(lib, name, parameter):
    return TRANSFORMS[name](lib.distributions.transforms, lib.distributions, parameter)


@pytest.mark.parametrize("name", list(TRANSFORMS))
def test_structured_transform_matches_torch(name):
    def forward(lib, value, parameter):
        transform = _build(lib, name, parameter)
        y = transform(value)
        return [y, transform.inv(y), transform.log_abs_det_jacobian(value, y)]
    check(forward, grad_input(X), grad_input(PARAMETER), rtol=1e-9, atol=1e-12)
    mine = _build(ember, name, ember.tensor(PARAMETER))
    theirs = _build(torch, name, torch.tensor(PARAMETER))
    assert type(mine).__module__.replace("ember", "torch") == type(theirs).__module__
    assert repr(mine.domain) == repr(theirs.domain)
    assert repr(mine.codomain) == repr(theirs.codomain)
    assert mine.bijective == theirs.bijective
    assert mine.with_cache(1)._cache_size == theirs.with_cache(1)._cache_size == 1


def test_positive_definite_transform_matches_torch():
    matrices = np.array([[[0.5, 0.0], [0.3, -0.2]], [[-1.0, 0.4], [0.7, 0.1]]])

    def forward(lib, value):
        transform = lib.distributions.transforms.PositiveDefiniteTransform()
        y = transform(value)
        return [y, transform.inv(y)]
    check(forward, grad_input(matrices), rtol=1e-9, atol=1e-12)
    T = ember.distributions.transforms
    assert T.PositiveDefiniteTransform() == T.PositiveDefiniteTransform()


def test_corr_cholesky_transform_matches_torch():
    vectors = np.array([[0.3, -1.2, 0.8, 2.5, -0.1, 0.4], [-3.0, 0.2, 0.0, 1.1, 0.9, -0.7]])

    def forward(lib, value):
        transform = lib.distributions.biject_to(lib.distributions.constraints.corr_cholesky)
        y = transform(value)
        return [y, transform.inv(y), transform.log_abs_det_jacobian(value, y)]
    check(forward, grad_input(vectors), rtol=1e-9, atol=1e-12)
    results = []
    for lib in (ember, torch):
        transform = lib.distributions.transforms.CorrCholeskyTransform()
        results.append((transform.forward_shape((5, 6)), transform.inverse_shape((5, 4, 4)),
                        repr(transform.domain), repr(transform.codomain)))
    assert results[0] == results[1]


def test_reshape_shapes_and_a_reshaped_distribution_match_torch():
    results = []
    for lib in (ember, torch):
        T = lib.distributions.transforms
        reshape = T.ReshapeTransform((4,), (2, 2))
        distribution = lib.distributions.TransformedDistribution(
            lib.distributions.Normal(lib.zeros(4, dtype=lib.float64), 1.0), [reshape])
        results.append((reshape.forward_shape((5, 4)), reshape.inverse_shape((5, 2, 2)),
                        distribution.batch_shape, distribution.event_shape,
                        distribution.log_prob(lib.ones(3, 2, 2, dtype=lib.float64)).tolist()))
    assert results[0] == results[1]


@pytest.mark.parametrize("build", [
    lambda lib: lib.distributions.biject_to(lib.distributions.constraints.cat(
        [lib.distributions.constraints.positive, lib.distributions.constraints.real], 0,
        [2, 1])),
    lambda lib: lib.distributions.transform_to(lib.distributions.constraints.cat(
        [lib.distributions.constraints.simplex, lib.distributions.constraints.positive], 0,
        [2, 1])),
    lambda lib: lib.distributions.biject_to(lib.distributions.constraints.stack(
        [lib.distributions.constraints.positive, lib.distributions.constraints.unit_interval])),
    lambda lib: lib.distributions.transform_to(lib.distributions.constraints.stack(
        [lib.distributions.constraints.positive, lib.distributions.constraints.real])),
], ids=["biject-cat", "transform-cat", "biject-stack", "transform-stack"])
def test_cat_and_stack_constraints_map_to_their_transforms(build):
    def apply(lib, value):
        return build(lib)(value)
    size = len(build(ember).transforms) if "Stack" in type(build(ember)).__name__ else 3
    check(apply, grad_input(np.array([0.3, -1.0, 0.7])[:size]), rtol=1e-9, atol=1e-12)
    mine, theirs = build(ember), build(torch)
    assert [type(t).__name__ for t in mine.transforms] == [
        type(t).__name__ for t in theirs.transforms]


def test_positive_definite_constraints_map_to_the_transform():
    for lib in (ember, torch):
        constraints = lib.distributions.constraints
        for constraint in (constraints.positive_definite, constraints.positive_semidefinite):
            transform = lib.distributions.transform_to(constraint)
            assert type(transform).__name__ == "PositiveDefiniteTransform"


@pytest.mark.parametrize("build", [
    lambda T: T.ReshapeTransform((4,), (3,)),
    lambda T: T.ReshapeTransform((4,), (2, 2)).forward_shape((3,)),
    lambda T: T.ReshapeTransform((4,), (2, 2)).inverse_shape((3, 2, 3)),
    lambda T: T.CatTransform([T.ExpTransform()], lengths=[1, 2]),
    lambda T: T.CatTransform([1]),
    lambda T: T.StackTransform([1]),
    lambda T: T.CorrCholeskyTransform().forward_shape((5,)),
    lambda T: T.CorrCholeskyTransform().inverse_shape((3, 4)),
], ids=["reshape-numel", "forward-shape", "inverse-shape", "cat-lengths", "cat-items",
        "stack-items", "corr-forward-shape", "corr-inverse-shape"])
def test_structured_transform_errors(build):
    check_error(lambda lib: build(lib.distributions.transforms))


@pytest.mark.parametrize("name, shape", [("cat", (2, 4)), ("cat", (2,)), ("stack", (2, 2))])
def test_structured_transforms_check_their_input(name, shape):
    check_error(lambda lib: _build(lib, name, lib.tensor(PARAMETER))(lib.zeros(*shape)))
