"""Wishart against torch: log_prob, entropy and moments with their gradients for each way of
giving the scale, expand, sample shapes and warnings, and the errors."""
import warnings

import numpy as np
import pytest

import ember
from oracle import Input, check, check_error, grad_input, torch

COVARIANCE = np.array([[2.0, 0.3], [0.3, 1.0]])
PRECISION = np.array([[1.0, 0.2], [0.2, 2.0]])
SCALE_TRIL = np.array([[1.0, 0.0], [0.5, 2.0]])
DF = np.array([3.0, 4.5])
VALUE = np.array([[1.5, -0.2], [-0.2, 0.8]])


@pytest.mark.parametrize("scale", ["covariance_matrix", "precision_matrix", "scale_tril"])
def test_densities_and_moments_match_torch(scale):
    matrix = {"covariance_matrix": COVARIANCE, "precision_matrix": PRECISION,
              "scale_tril": SCALE_TRIL}[scale]

    def run(lib, df, parameter, value):
        distribution = lib.distributions.Wishart(df, **{scale: parameter})
        return [distribution.log_prob(value), distribution.entropy(), distribution.mean,
                distribution.variance, distribution.mode, distribution.precision_matrix,
                distribution.covariance_matrix]
    inputs = [grad_input(DF), grad_input(matrix), Input(VALUE)]
    if scale == "scale_tril":
        # the lower-triangular parameter's upper entries get no meaningful gradient
        inputs[1] = Input(matrix)
    check(run, *inputs, rtol=1e-8, atol=1e-10)


def test_expand_and_sample_shapes_match_torch():
    def shapes(lib, df, covariance, value):
        distribution = lib.distributions.Wishart(df, covariance_matrix=covariance)
        expanded = distribution.expand((4, 2))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            sample = distribution.rsample((3,))
        return [lib.tensor(list(sample.shape) + [len(caught)]),
                lib.tensor(list(expanded.batch_shape)), expanded.log_prob(value)]
    check(shapes, Input(DF), Input(COVARIANCE), Input(VALUE))


def test_low_df_warns_like_torch():
    messages = []
    for lib in (torch, ember):
        with pytest.warns(UserWarning) as record:
            lib.distributions.Wishart(1.5, covariance_matrix=lib.tensor(COVARIANCE))
        messages.append([str(warning.message) for warning in record])
    assert messages[0] == messages[1]


@pytest.mark.parametrize("build", [
    lambda lib, m: lib.distributions.Wishart(3.0, covariance_matrix=m, scale_tril=m),
    lambda lib, m: lib.distributions.Wishart(3.0, covariance_matrix=lib.ones(2)),
    lambda lib, m: lib.distributions.Wishart(0.5, covariance_matrix=m),
    lambda lib, m: lib.distributions.Wishart(5.0, covariance_matrix=m).log_prob(
        lib.tensor([[1.0, 2.0], [2.0, 1.0]], dtype=lib.float64)),
], ids=["two-scales", "not-a-matrix", "df", "outside-support"])
def test_errors_match_torch(build):
    check_error(build, Input(COVARIANCE))
