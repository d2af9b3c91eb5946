"""F.linear and F.bilinear against torch: PyTorch's decomposition (addmm, flattened addmm then a
view, matmul then an in-place bias add) shows in the grad_fn names; values, gradients, finite
differences and shape errors; Linear and Bilinear modules over train/eval steps."""
import numpy as np
import pytest
import torch

from module_oracle import compare_module, same_repr
from oracle import Input, check, check_error, finite_differences, grad_input

import ember

RNG = np.random.default_rng(0)
WEIGHT = RNG.standard_normal((5, 4))
BIAS = RNG.standard_normal(5)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(4,), (3, 4), (2, 3, 4), (2, 1, 3, 4), (0, 4)])
@pytest.mark.parametrize("with_bias", [True, False])
def test_linear_matches_torch(shape, with_bias, dtype):
    inputs = [grad_input(RNG.standard_normal(shape).astype(dtype)),
              grad_input(WEIGHT.astype(dtype))]
    if with_bias:
        inputs.append(grad_input(BIAS.astype(dtype)))
    check(lambda lib, *args: lib.nn.functional.linear(*args), *inputs)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
@pytest.mark.parametrize("shape", [(3, 4), (2, 3, 4)])
def test_linear_in_reduced_precision_keeps_its_dtype(shape, dtype):
    if dtype == "bfloat16":
        pytest.importorskip("ml_dtypes", reason="bfloat16 needs the optional ml_dtypes")

    def linear(lib, x, w, b):
        low = getattr(lib, dtype)
        return lib.nn.functional.linear(x.to(low), w.to(low), b.to(low))
    check(linear, grad_input(RNG.standard_normal(shape).astype(np.float32)),
          grad_input(WEIGHT.astype(np.float32)), grad_input(BIAS.astype(np.float32)))


def test_linear_non_contiguous_input_adds_bias_in_place():
    array = RNG.standard_normal((4, 3, 2))
    check(lambda lib, x, w, b: lib.nn.functional.linear(x.transpose(0, 2), w, b),
          grad_input(array), grad_input(WEIGHT), grad_input(BIAS))


def test_linear_finite_differences():
    finite_differences(lambda x, w, b: ember.nn.functional.linear(x, w, b),
                       RNG.standard_normal((2, 3, 4)), WEIGHT, BIAS)


def test_bilinear_matches_torch():
    weight = RNG.standard_normal((3, 4, 2))
    check(lambda lib, a, b, w, c: lib.nn.functional.bilinear(a, b, w, c),
          grad_input(RNG.standard_normal((5, 4))), grad_input(RNG.standard_normal((5, 2))),
          grad_input(weight), grad_input(RNG.standard_normal(3)), grad_fn=False)
    finite_differences(lambda a, b, w: ember.nn.functional.bilinear(a, b, w),
                       RNG.standard_normal((2, 4)), RNG.standard_normal((2, 2)), weight)


def test_linear_errors():
    x = Input(RNG.standard_normal((3, 4)).astype(np.float32))
    check_error(lambda lib, t: lib.nn.functional.linear(t, lib.ones(5, 3)), x)
    check_error(lambda lib, t: lib.nn.functional.linear(t, lib.ones(5, 3), lib.ones(5)), x)
    check_error(lambda lib, t: lib.nn.functional.linear(t, lib.ones(5, 4, dtype=lib.float64),
                                                        lib.ones(5, dtype=lib.float64)), x)
    check_error(lambda lib, t: lib.nn.functional.bilinear(t, t[:, :2], lib.ones(2, 4, 3)), x)


@pytest.mark.parametrize("build, shapes", [
    (lambda nn: nn.Linear(4, 5), [(3, 4)]),
    (lambda nn: nn.Linear(4, 5, bias=False), [(2, 3, 4)]),
    (lambda nn: nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3)), [(6, 4)]),
    (lambda nn: nn.Bilinear(4, 2, 3), [(5, 4), (5, 2)])])
def test_modules_match_torch(build, shapes):
    arrays = [RNG.standard_normal(shape).astype(np.float32) for shape in shapes]
    compare_module(lambda lib: build(lib.nn), *arrays, grad_fn=False)
    same_repr(lambda lib: build(lib.nn))


def _graph(function, depth):
    """The names of a grad_fn and of its next_functions, recursively, to `depth` levels."""
    if function is None:
        return None
    if depth == 0:
        return type(function).__name__
    children = [_graph(child, depth - 1) for child, _ in function.next_functions]
    return type(function).__name__, children


@pytest.mark.parametrize("shape", [(3, 4), (2, 3, 4)])
@pytest.mark.parametrize("input_grad", [False, True])
def test_linear_graph_edges_are_torch_s(shape, input_grad):
    # tutorials walk loss.grad_fn.next_functions[0][0]...: addmm's edges are (bias, input,
    # weight.t()) in that order, the weight behind a TBackward0
    array = RNG.standard_normal(shape).astype(np.float32)
    graphs = []
    for lib in (ember, torch):
        x = lib.tensor(array, requires_grad=input_grad)
        layer = lib.nn.Linear(4, 5)
        graphs.append(_graph(layer(x.relu()).sum().grad_fn, 4))
    assert graphs[0] == graphs[1]
