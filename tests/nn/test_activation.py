"""Activations against torch: every functional (values, dtype, grad_fn, gradients, finite
differences, double backward), in-place forms, every module (state, outputs, gradients,
printout) and the bad-input paths."""
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, strategies as st
from hypothesis.extra import numpy as hnp

import ember
from module_oracle import compare_module, same_repr
from oracle import check, check_error, finite_differences, grad_input, Input

RNG = np.random.default_rng(0)
# values away from the kinks (0, +-1, +-3, +-lambd, thresholds) so finite differences are smooth
_BASE = np.array([-4.2, -2.5, -1.3, -0.7, -0.2, 0.15, 0.6, 1.2, 2.4, 3.6, 5.1, -6.0])
VALUES = (_BASE.reshape(3, 4) + RNG.uniform(-0.04, 0.04, (3, 4)))


def _f(lib):
    return lib.nn.functional


# name -> function(lib, x); every differentiable activation and its keyword options
FUNCTIONALS = {
    "relu": lambda lib, x: _f(lib).relu(x),
    "relu6": lambda lib, x: _f(lib).relu6(x),
    "threshold": lambda lib, x: _f(lib).threshold(x, 0.4, -2.0),
    "hardtanh": lambda lib, x: _f(lib).hardtanh(x, -2.0, 3.0),
    "elu": lambda lib, x: _f(lib).elu(x, alpha=0.7),
    "selu": lambda lib, x: _f(lib).selu(x),
    "celu": lambda lib, x: _f(lib).celu(x, alpha=1.5),
    "leaky_relu": lambda lib, x: _f(lib).leaky_relu(x, 0.2),
    "gelu": lambda lib, x: _f(lib).gelu(x),
    "gelu_tanh": lambda lib, x: _f(lib).gelu(x, approximate="tanh"),
    "silu": lambda lib, x: _f(lib).silu(x),
    "mish": lambda lib, x: _f(lib).mish(x),
    "softplus": lambda lib, x: _f(lib).softplus(x),
    "softplus_beta": lambda lib, x: _f(lib).softplus(x, beta=2.0, threshold=3.0),
    "softsign": lambda lib, x: _f(lib).softsign(x),
    "hardswish": lambda lib, x: _f(lib).hardswish(x),
    "hardsigmoid": lambda lib, x: _f(lib).hardsigmoid(x),
    "tanh": lambda lib, x: _f(lib).tanh(x),
    "sigmoid": lambda lib, x: _f(lib).sigmoid(x),
    "logsigmoid": lambda lib, x: _f(lib).logsigmoid(x),
    "hardshrink": lambda lib, x: _f(lib).hardshrink(x, 0.5),
    "softshrink": lambda lib, x: _f(lib).softshrink(x, 0.5),
    "tanhshrink": lambda lib, x: _f(lib).tanhshrink(x),
    "glu": lambda lib, x: _f(lib).glu(x, dim=1),
    "glu_dim0": lambda lib, x: _f(lib).glu(x[:2], 0),
    "softmax": lambda lib, x: _f(lib).softmax(x, dim=1),
    "softmax0": lambda lib, x: _f(lib).softmax(x, 0),
    "log_softmax": lambda lib, x: _f(lib).log_softmax(x, dim=-1),
    "log_softmax0": lambda lib, x: _f(lib).log_softmax(x, 0),
    "softmin": lambda lib, x: _f(lib).softmin(x, 1),
    "softmax_dtype": lambda lib, x: _f(lib).softmax(x, 1, dtype=lib.float64),
    "log_softmax_dtype": lambda lib, x: _f(lib).log_softmax(x, 1, dtype=lib.float64),
    "tensor_softmax": lambda lib, x: x.softmax(1),
    "tensor_log_softmax": lambda lib, x: x.log_softmax(0),
    "normalize": lambda lib, x: _f(lib).normalize(x),
    "normalize_p1": lambda lib, x: _f(lib).normalize(x, p=1.0, dim=0),
    "cosine_similarity": lambda lib, x: _f(lib).cosine_similarity(x, x.flip(0) + 1),
    "pairwise_distance": lambda lib, x: _f(lib).pairwise_distance(x, x.flip(0)),
    "pairwise_distance_p1": lambda lib, x: _f(lib).pairwise_distance(x, x.flip(1), p=1.0,
                                                                     keepdim=True),
    "pairwise_distance_p3": lambda lib, x: _f(lib).pairwise_distance(x, 2 * x, p=3.0),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", list(FUNCTIONALS))
def test_functional_matches_torch(name, dtype):
    check(FUNCTIONALS[name], grad_input(VALUES.astype(dtype)))


@pytest.mark.parametrize("name", list(FUNCTIONALS))
def test_functional_finite_differences(name):
    function = FUNCTIONALS[name]
    finite_differences(lambda x: function(ember, x), VALUES)


def _second_derivative(lib, function, array, seed=1):
    rng = np.random.default_rng(seed)
    x = lib.tensor(array, requires_grad=True)
    output = function(lib, x)
    cotangent = lib.tensor(rng.standard_normal(tuple(output.shape)))
    (first,) = lib.autograd.grad(output, x, cotangent, create_graph=True)
    direction = lib.tensor(rng.standard_normal(array.shape))
    if not first.requires_grad:
        # piecewise-linear activations: the second derivative is zero almost everywhere
        return first.detach().numpy(), np.zeros(array.shape)
    (second,) = lib.autograd.grad((first * direction).sum(), x, allow_unused=True)
    return first.detach().numpy(), np.zeros(array.shape) if second is None else second.numpy()


# torch has no derivative for hardsigmoid_backward
@pytest.mark.parametrize("name", [n for n in FUNCTIONALS
                                  if not n.startswith("pairwise") and n != "hardsigmoid"])
def test_double_backward_matches_torch(name):
    mine = _second_derivative(ember, FUNCTIONALS[name], VALUES)
    theirs = _second_derivative(torch, FUNCTIONALS[name], VALUES)
    np.testing.assert_allclose(mine[0], theirs[0], rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(mine[1], theirs[1], rtol=1e-6, atol=1e-9)


def test_prelu_functional_per_channel_and_shared():
    weight = np.array([0.1, 0.3, -0.2, 0.5])
    check(lambda lib, x, w: _f(lib).prelu(x, w), grad_input(VALUES),
          grad_input(weight))
    check(lambda lib, x, w: _f(lib).prelu(x, w), grad_input(VALUES.reshape(2, 2, 3)),
          grad_input(np.array([0.25])))
    finite_differences(lambda x, w: _f(ember).prelu(x, w), VALUES, weight)


def test_stable_extremes():
    extremes = np.array([-1000.0, -50.0, 0.0, 50.0, 1000.0], dtype=np.float32)
    for name in ("softplus", "logsigmoid", "sigmoid", "silu", "mish", "log_softmax",
                 "softmax0", "gelu"):
        function = FUNCTIONALS[name]
        if name == "log_softmax" or name == "softmax0":
            check(lambda lib, x: function(lib, x.reshape(1, 5)) if name == "log_softmax"
                  else function(lib, x), grad_input(extremes))
        else:
            check(function, grad_input(extremes))


INPLACE = {
    "relu": lambda lib, x: _f(lib).relu(x, inplace=True),
    "relu_": lambda lib, x: _f(lib).relu_(x),
    "tensor_relu_": lambda lib, x: x.relu_(),
    "relu6": lambda lib, x: _f(lib).relu6(x, inplace=True),
    "threshold": lambda lib, x: _f(lib).threshold(x, 0.4, -2.0, inplace=True),
    "threshold_": lambda lib, x: _f(lib).threshold_(x, 0.4, -2.0),
    "hardtanh_": lambda lib, x: _f(lib).hardtanh_(x, -2.0, 3.0),
    "elu": lambda lib, x: _f(lib).elu(x, 0.7, inplace=True),
    "elu_": lambda lib, x: _f(lib).elu_(x),
    "selu": lambda lib, x: _f(lib).selu(x, inplace=True),
    "celu": lambda lib, x: _f(lib).celu(x, 1.5, inplace=True),
    "leaky_relu": lambda lib, x: _f(lib).leaky_relu(x, 0.2, inplace=True),
    "leaky_relu_": lambda lib, x: _f(lib).leaky_relu_(x, 0.2),
    "silu": lambda lib, x: _f(lib).silu(x, inplace=True),
    "mish": lambda lib, x: _f(lib).mish(x, inplace=True),
    "hardswish": lambda lib, x: _f(lib).hardswish(x, inplace=True),
    "hardsigmoid": lambda lib, x: _f(lib).hardsigmoid(x, inplace=True),
}


@pytest.mark.parametrize("name", list(INPLACE))
def test_inplace_forms_match_torch(name):
    def run(lib, x):
        y = x * 1
        result = INPLACE[name](lib, y)
        assert result is y
        return result
    check(run, grad_input(VALUES))


def test_integer_inputs():
    ints = np.array([-2, 0, 3], dtype=np.int64)
    check(lambda lib, x: _f(lib).relu(x), ints)
    check(lambda lib, x: _f(lib).hardtanh(x, -1, 1), ints)
    for name in ("gelu", "silu", "softmax", "log_softmax", "elu", "softplus", "mish",
                 "hardswish", "hardsigmoid", "logsigmoid"):
        call = FUNCTIONALS[name]
        check_error(lambda lib, x: call(lib, x), ints)


def test_implicit_softmax_dim_warns_and_picks_torch_dim():
    for shape in [(4,), (2, 3), (2, 3, 4), (2, 3, 2, 2)]:
        array = RNG.standard_normal(shape)
        for name in ("softmax", "log_softmax", "softmin"):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                mine = getattr(_f(ember), name)(ember.tensor(array))
            theirs = getattr(_f(torch), name)(torch.tensor(array))
            np.testing.assert_allclose(mine.numpy(), theirs.numpy(), rtol=1e-12)
            assert str(caught[0].message) == (f"Implicit dimension choice for {name} has been "
                                              "deprecated. Change the call to include dim=X as "
                                              "an argument.")


def test_softmax_zero_dim_and_empty():
    check(lambda lib, x: _f(lib).softmax(x, 0), grad_input(np.array(1.5)))
    check(lambda lib, x: _f(lib).log_softmax(x, 0), grad_input(np.array(1.5)))
    check(lambda lib, x: _f(lib).softmax(x, 1), grad_input(np.zeros((0, 3))))


def test_one_hot():
    check(lambda lib, x: _f(lib).one_hot(x), np.array([[0, 2], [1, 4]]))
    check(lambda lib, x: _f(lib).one_hot(x, 6), np.array([0, 2, 5]))
    check(lambda lib, x: _f(lib).one_hot(x, 3), np.zeros(0, dtype=np.int64))
    for args in ((np.array([1.0, 2.0]),), (np.array([-1, 2]),), (np.array([1, 5]), 3),
                 (np.zeros(0, dtype=np.int64),), (np.array([1, 2]), -2)):
        check_error(lambda lib, x, *rest: _f(lib).one_hot(x, *rest), *args)


def test_bad_arguments():
    x = Input(VALUES)
    check_error(lambda lib, t: _f(lib).gelu(t, approximate="fast"), x)
    check_error(lambda lib, t: _f(lib).softmax(t, 2), x)
    check_error(lambda lib, t: _f(lib).log_softmax(t, -3), x)
    check_error(lambda lib, t: _f(lib).glu(t, 0), x)
    check_error(lambda lib, t: _f(lib).glu(t.sum(), 0), x)
    check_error(lambda lib, t: _f(lib).hardtanh(t, 2.0, 1.0), x)
    check_error(lambda lib, t: _f(lib).softshrink(t, -1.0), x)
    check_error(lambda lib, t: _f(lib).celu(t, 0.0), x)
    check_error(lambda lib, t: _f(lib).prelu(t, lib.ones(3)), x)
    check_error(lambda lib, t: _f(lib).prelu(t, lib.ones(3, dtype=lib.float64)), x)
    check_error(lambda lib, t: _f(lib).prelu(t, lib.ones(2, 2, dtype=lib.float64)), x)
    check_error(lambda lib, t: lib.nn.Hardtanh(2.0, 1.0), x)
    check_error(lambda lib, t: lib.nn.Softmax2d()(t), x)
    check_error(lambda lib, t: _f(lib).relu(t > 0), x)
    leaf = grad_input(VALUES)
    check_error(lambda lib, t: _f(lib).relu(t, inplace=True), leaf)


# ---- modules -----------------------------------------------------------------------------------

MODULES = {
    "ReLU": lambda nn: nn.ReLU(),
    "ReLU6": lambda nn: nn.ReLU6(),
    "Threshold": lambda nn: nn.Threshold(0.3, -1.0),
    "Hardtanh": lambda nn: nn.Hardtanh(-2.0, 2.5),
    "LeakyReLU": lambda nn: nn.LeakyReLU(0.05),
    "PReLU": lambda nn: nn.PReLU(),
    "PReLU3": lambda nn: nn.PReLU(3, init=0.1),
    "ELU": lambda nn: nn.ELU(0.5),
    "SELU": lambda nn: nn.SELU(),
    "CELU": lambda nn: nn.CELU(2.0),
    "GELU": lambda nn: nn.GELU(),
    "GELUtanh": lambda nn: nn.GELU("tanh"),
    "SiLU": lambda nn: nn.SiLU(),
    "Mish": lambda nn: nn.Mish(),
    "Softplus": lambda nn: nn.Softplus(beta=0.5, threshold=10.0),
    "Softsign": lambda nn: nn.Softsign(),
    "Hardswish": lambda nn: nn.Hardswish(),
    "Hardsigmoid": lambda nn: nn.Hardsigmoid(),
    "Tanh": lambda nn: nn.Tanh(),
    "Sigmoid": lambda nn: nn.Sigmoid(),
    "LogSigmoid": lambda nn: nn.LogSigmoid(),
    "Softmax": lambda nn: nn.Softmax(dim=1),
    "LogSoftmax": lambda nn: nn.LogSoftmax(dim=-1),
    "Softmin": lambda nn: nn.Softmin(1),
    "Tanhshrink": lambda nn: nn.Tanhshrink(),
    "Softshrink": lambda nn: nn.Softshrink(0.3),
    "Hardshrink": lambda nn: nn.Hardshrink(0.3),
    "GLU": lambda nn: nn.GLU(1),
    "Softmax2d": lambda nn: nn.Softmax2d(),
}


@pytest.mark.parametrize("name", list(MODULES))
def test_module_matches_torch(name):
    array = RNG.standard_normal((2, 3, 4)) * 3
    if name == "GLU":
        array = RNG.standard_normal((2, 4, 3))
    compare_module(lambda lib: MODULES[name](lib.nn), array.astype(np.float32))


@pytest.mark.parametrize("name", list(MODULES))
def test_module_repr(name):
    same_repr(lambda lib: MODULES[name](lib.nn))


@pytest.mark.parametrize("build", [
    lambda nn: nn.ReLU(inplace=True), lambda nn: nn.ReLU6(True), lambda nn: nn.SELU(True),
    lambda nn: nn.ELU(2.0, True), lambda nn: nn.CELU(inplace=True), lambda nn: nn.SiLU(True),
    lambda nn: nn.Mish(True), lambda nn: nn.Hardswish(True), lambda nn: nn.Hardsigmoid(True),
    lambda nn: nn.LeakyReLU(0.1, True), lambda nn: nn.Threshold(0.1, 20, True),
    lambda nn: nn.Hardtanh(-3, 3, True), lambda nn: nn.Softmax(), lambda nn: nn.PReLU(5),
    lambda nn: nn.Sequential(nn.Linear(3, 4), nn.GELU("tanh"), nn.Softplus())])
def test_module_repr_with_options(build):
    same_repr(lambda lib: build(lib.nn))


def test_inplace_module_writes_its_input():
    def run(lib, x):
        y = x * 1
        out = lib.nn.ReLU(inplace=True)(y)
        assert out is y
        return out
    check(run, grad_input(VALUES))


def test_prelu_parameter():
    mine = ember.nn.PReLU(4, init=0.3)
    theirs = torch.nn.PReLU(4, init=0.3)
    assert [n for n, _ in mine.named_parameters()] == ["weight"]
    np.testing.assert_array_equal(mine.weight.detach().numpy(), theirs.weight.detach().numpy())


@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=4, max_side=4),
                  elements=st.floats(-30, 30)), st.data())
def test_softmax_family_on_random_shapes_and_layouts(array, data):
    dim = data.draw(st.integers(-array.ndim, array.ndim - 1))
    transpose = data.draw(st.booleans())
    for name in ("softmax", "log_softmax", "softmin"):
        def run(lib, x):
            source = x.transpose(0, -1) if transpose else x
            return getattr(_f(lib), name)(source, dim)
        check(run, grad_input(array))


@pytest.mark.parametrize("name, args", [
    ("relu", ()), ("relu_", ()), ("selu", ()), ("celu", (1.5,)), ("threshold", (0.3, -1.0)),
    ("softmax", (1,)), ("log_softmax", (0,)), ("hardshrink", (0.4,)),
    ("rms_norm", ((4,),))])
def test_top_level_functions_and_methods(name, args):
    check(lambda lib, x: getattr(lib, name)(x * 1, *args), grad_input(VALUES))
    if hasattr(torch.Tensor, name):
        check(lambda lib, x: getattr(x * 1, name)(*args), grad_input(VALUES))


def test_top_level_prelu_and_distances():
    check(lambda lib, x: lib.prelu(x, lib.full((4,), 0.2, dtype=lib.float64)), grad_input(VALUES))
    check(lambda lib, x: x.prelu(lib.full((1,), 0.2, dtype=lib.float64)), grad_input(VALUES))
    check(lambda lib, x: lib.cosine_similarity(x, x.flip(0), 0) + lib.pairwise_distance(x, x * 2),
          grad_input(VALUES[:, :3]))


@pytest.mark.parametrize("build", [
    lambda nn: nn.CosineSimilarity(), lambda nn: nn.CosineSimilarity(dim=0, eps=1e-3),
    lambda nn: nn.PairwiseDistance(), lambda nn: nn.PairwiseDistance(p=1.0, keepdim=True)])
def test_distance_modules(build):
    x1 = grad_input(RNG.standard_normal((4, 3)))
    x2 = grad_input(RNG.standard_normal((4, 3)))
    check(lambda lib, a, b: build(lib.nn)(a, b), x1, x2)
    same_repr(lambda lib: build(lib.nn))


@pytest.mark.parametrize("lower,upper", [(1.0 / 8, 1.0 / 3), (0.1, 0.1), (0.0, 0.5)])
@pytest.mark.parametrize("inplace", [False, True])
def test_rrelu_evaluation_matches_torch(lower, upper, inplace):
    def run(lib, x):
        y = x * 1 if inplace else x
        return _f(lib).rrelu(y, lower, upper, training=False, inplace=inplace)
    check(run, grad_input(RNG.standard_normal((3, 4))))
    same_repr(lambda lib: lib.nn.RReLU(lower, upper, inplace))
    compare_module(lambda lib: lib.nn.RReLU(lower, upper), RNG.standard_normal((3, 4)),
                   modes=("eval",))


def test_rrelu_training_slopes_and_gradient():
    # random slopes (ember's stream): negatives scaled within [lower, upper], the gradient is
    # the slope applied, positives pass through
    x = ember.tensor(RNG.standard_normal((50, 40)), requires_grad=True)
    y = _f(ember).rrelu(x, 0.1, 0.3, training=True)
    y.sum().backward()
    ratio = (y / x).detach().numpy()
    negative = x.detach().numpy() <= 0
    assert np.all((ratio[negative] >= 0.1) & (ratio[negative] <= 0.3))
    assert np.all(ratio[~negative] == 1)
    np.testing.assert_allclose(x.grad.numpy(), ratio)
    assert type(y.grad_fn).__name__ == type(
        torch.nn.functional.rrelu(torch.ones(1, requires_grad=True), training=True).grad_fn
    ).__name__


def test_rrelu_errors():
    x = Input(RNG.standard_normal((3, 4)))
    check_error(lambda lib, t: _f(lib).rrelu(t, 0.5, 0.1), x)
    check_error(lambda lib, t: lib.nn.RReLU(0.5, 0.1)(t), x)
    check_error(lambda lib, t: _f(lib).rrelu_(t, 0.5, 0.1), x)
