"""torch.gradient against torch: unit, scalar, per-dim and coordinate spacing, dims, both edge
orders, dtypes, CatBackward0 gradients, finite differences and errors."""
import numpy as np
import pytest

import ember
from oracle import Input, check, check_error, finite_differences, grad_input

RNG = np.random.default_rng(17)
A = RNG.standard_normal((4, 5))
B = RNG.standard_normal((3, 4, 5))
COORDINATES = np.array([0.0, 0.5, 1.5, 1.75, 3.0])


@pytest.mark.parametrize("edge_order", [1, 2])
def test_gradient_uniform_spacing_matches_torch(edge_order):
    check(lambda lib, x: lib.gradient(x, edge_order=edge_order), grad_input(A))
    check(lambda lib, x: lib.gradient(x, spacing=2.5, edge_order=edge_order), grad_input(B))
    check(lambda lib, x: lib.gradient(x, spacing=(2.0, 0.5), edge_order=edge_order),
          grad_input(A))
    check(lambda lib, x: lib.gradient(x, spacing=[3], dim=-1, edge_order=edge_order),
          grad_input(B))
    check(lambda lib, x: lib.gradient(x, dim=[2, 0], edge_order=edge_order), grad_input(B))
    check(lambda lib, x: lib.gradient(x, dim=1, edge_order=edge_order),
          grad_input(A.astype(np.float32)))


@pytest.mark.parametrize("edge_order", [1, 2])
def test_gradient_coordinates_match_torch(edge_order):
    check(lambda lib, x, c: lib.gradient(x, spacing=[c], dim=1, edge_order=edge_order),
          grad_input(A), Input(COORDINATES))
    check(lambda lib, x, c, d: lib.gradient(x, spacing=[d, c], edge_order=edge_order),
          grad_input(A), grad_input(COORDINATES), grad_input(COORDINATES[:4] * 2))


def test_gradient_other_inputs_match_torch():
    check(lambda lib, x: lib.gradient(x), Input(np.array([1, 2, 4, 7])))
    check(lambda lib, x: lib.gradient(x, spacing=2), Input(np.array([[1, 2, 4], [3, 3, 0]])))
    check(lambda lib, x: lib.gradient(x), Input(np.array(1.5)))
    check(lambda lib, x: lib.gradient(x.t(), dim=0), grad_input(A))


def test_gradient_finite_differences():
    finite_differences(lambda x: ember.gradient(x, edge_order=2)[1], A)
    finite_differences(lambda x: ember.gradient(x, spacing=[ember.tensor(COORDINATES)],
                                                dim=1)[0], A)


def test_gradient_errors_match_torch():
    check_error(lambda lib, x: lib.gradient(x, edge_order=3), Input(A))
    check_error(lambda lib, x: lib.gradient(x[:, :2], edge_order=2), Input(A))
    check_error(lambda lib, x: lib.gradient(x[:, :1]), Input(A))
    check_error(lambda lib, x: lib.gradient(x, spacing=[1.0, 2.0, 3.0]), Input(A))
    check_error(lambda lib, x: lib.gradient(x, spacing=[1.0, 2.0], dim=1), Input(A))
    check_error(lambda lib, x: lib.gradient(x, spacing=[lib.ones(2, 2)], dim=0), Input(A))
    check_error(lambda lib, x: lib.gradient(x, dim=[0, 0]), Input(A))
    check_error(lambda lib, x: lib.gradient(x, dim=2), Input(A))
    check_error(lambda lib, x: lib.gradient(x), Input(A.astype(np.uint8)))
