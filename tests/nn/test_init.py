"""nn.init against torch: deterministic initialisers exactly, random ones by distribution
(ember's random streams differ from torch's), gains, fans and errors."""
import math
import warnings

import numpy as np
import pytest
import torch

import ember
from oracle import check, check_error

init = ember.nn.init

NONLINEARITIES = ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
                  "conv_transpose2d", "conv_transpose3d", "sigmoid", "tanh", "relu",
                  "leaky_relu", "selu"]


@pytest.mark.parametrize("nonlinearity", NONLINEARITIES)
@pytest.mark.parametrize("param", [None, 0.2, 3])
def test_calculate_gain_matches_torch(nonlinearity, param):
    mine = init.calculate_gain(nonlinearity, param)
    theirs = torch.nn.init.calculate_gain(nonlinearity, param)
    assert mine == theirs and type(mine) is type(theirs)


@pytest.mark.parametrize("args", [("leaky_relu", True), ("leaky_relu", "x"), ("swish",)])
def test_calculate_gain_errors_match_torch(args):
    check_error(lambda lib: lib.nn.init.calculate_gain(*args))


@pytest.mark.parametrize("shape", [(3, 4), (5, 2, 3), (4, 6, 2, 3, 1), (0, 3)])
def test_fan_in_and_fan_out_match_torch(shape):
    mine = init._calculate_fan_in_and_fan_out(ember.empty(shape))
    assert mine == torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))


@pytest.mark.parametrize("function", [
    lambda lib, t: lib.nn.init._calculate_fan_in_and_fan_out(t),
    lambda lib, t: lib.nn.init.xavier_uniform_(t),
    lambda lib, t: lib.nn.init.kaiming_normal_(t),
    lambda lib, t: lib.nn.init.eye_(t),
    lambda lib, t: lib.nn.init.dirac_(t),
    lambda lib, t: lib.nn.init.orthogonal_(t),
    lambda lib, t: lib.nn.init.sparse_(t, 0.5),
])
def test_shape_errors_match_torch(function):
    check_error(function, np.zeros(5, dtype=np.float32))


def test_mode_and_group_errors_match_torch():
    check_error(lambda lib, t: lib.nn.init.kaiming_uniform_(t, mode="fan_avg"),
                np.zeros((3, 4), dtype=np.float32))
    check_error(lambda lib, t: lib.nn.init.dirac_(t, groups=2),
                np.zeros((3, 4, 3), dtype=np.float32))


@pytest.mark.parametrize("function", [
    lambda lib, t: lib.nn.init.constant_(t, 0.3),
    lambda lib, t: lib.nn.init.ones_(t),
    lambda lib, t: lib.nn.init.zeros_(t),
])
@pytest.mark.parametrize("shape", [(3, 4), (2,), ()])
def test_deterministic_fills_match_torch(function, shape):
    def run(lib, t):
        parameter = lib.nn.Parameter(t)
        result = function(lib, parameter)
        assert result is parameter
        return result
    check(run, np.full(shape, 7.0, dtype=np.float32), grad=False)


@pytest.mark.parametrize("shape", [(3, 3), (2, 5), (5, 2)])
def test_eye_matches_torch(shape):
    check(lambda lib, t: lib.nn.init.eye_(lib.nn.Parameter(t)),
          np.full(shape, 7.0, dtype=np.float64), grad=False)


@pytest.mark.parametrize("shape,groups", [((4, 4, 3), 1), ((6, 2, 3, 3), 2), ((4, 3, 3, 2, 5), 1),
                                          ((2, 5, 1), 1), ((6, 3, 2, 2), 3)])
def test_dirac_matches_torch(shape, groups):
    check(lambda lib, t: lib.nn.init.dirac_(lib.nn.Parameter(t), groups=groups),
          np.full(shape, 7.0, dtype=np.float32), grad=False)


def test_initialisers_do_not_record_history_and_keep_identity():
    parameter = ember.nn.Parameter(ember.empty(40, 30))
    for function in (init.uniform_, init.normal_, init.xavier_uniform_, init.xavier_normal_,
                     init.kaiming_uniform_, init.kaiming_normal_, init.trunc_normal_,
                     init.orthogonal_, init.eye_, init.ones_, init.zeros_,
                     lambda t: init.constant_(t, 2.0), lambda t: init.sparse_(t, 0.3)):
        assert function(parameter) is parameter
        assert parameter.grad_fn is None and parameter.requires_grad and parameter.is_leaf


BIG = (400, 500)


def _values(function, shape=BIG, generator=None, dtype=ember.float32):
    tensor = ember.empty(shape, dtype=dtype)
    function(tensor) if generator is None else function(tensor, generator=generator)
    return tensor.numpy().astype(np.float64)


@pytest.mark.parametrize("name,kwargs,bound", [
    ("uniform_", {"a": -0.3, "b": 0.7}, None),
    ("xavier_uniform_", {"gain": 2.0}, 2.0 * math.sqrt(6.0 / sum(BIG))),
    ("kaiming_uniform_", {"a": math.sqrt(5)}, 1 / math.sqrt(BIG[1])),
    ("kaiming_uniform_", {"mode": "fan_out", "nonlinearity": "relu"},
     math.sqrt(2.0) * math.sqrt(3.0 / BIG[0])),
])
def test_uniform_family_bounds_and_spread(name, kwargs, bound):
    values = _values(lambda t: getattr(init, name)(t, **kwargs))
    low, high = (kwargs["a"], kwargs["b"]) if bound is None else (-bound, bound)
    assert values.min() >= low and values.max() < high
    width = high - low
    assert values.min() < low + 0.01 * width and values.max() > high - 0.01 * width
    assert values.std() == pytest.approx(width / math.sqrt(12), rel=0.02)
    assert values.mean() == pytest.approx((low + high) / 2, abs=0.01 * width)


@pytest.mark.parametrize("name,kwargs,std", [
    ("normal_", {"mean": 1.5, "std": 0.2}, 0.2),
    ("xavier_normal_", {"gain": 0.5}, 0.5 * math.sqrt(2.0 / sum(BIG))),
    ("kaiming_normal_", {}, math.sqrt(2.0 / (1 + 0.0)) / math.sqrt(BIG[1])),
    ("kaiming_normal_", {"a": 0.1, "mode": "fan_out"},
     math.sqrt(2.0 / 1.01) / math.sqrt(BIG[0])),
])
def test_normal_family_moments(name, kwargs, std):
    values = _values(lambda t: getattr(init, name)(t, **kwargs))
    assert values.std() == pytest.approx(std, rel=0.02)
    assert values.mean() == pytest.approx(kwargs.get("mean", 0.0), abs=0.02 * std)


@pytest.mark.parametrize("mean,std,a,b", [(0.0, 1.0, -2.0, 2.0), (0.5, 2.0, 0.0, 1.0),
                                          (0.0, 0.02, -0.04, 0.04)])
def test_trunc_normal_bounds_and_moments(mean, std, a, b):
    values = _values(lambda t: init.trunc_normal_(t, mean, std, a, b))
    assert values.min() >= a and values.max() <= b
    # moments of the truncated normal (scipy-free closed form)
    alpha, beta = (a - mean) / std, (b - mean) / std
    pdf = lambda x: math.exp(-x * x / 2) / math.sqrt(2 * math.pi)  # noqa: E731
    cdf = lambda x: (1 + math.erf(x / math.sqrt(2))) / 2  # noqa: E731
    mass = cdf(beta) - cdf(alpha)
    expected_mean = mean + std * (pdf(alpha) - pdf(beta)) / mass
    expected_var = std ** 2 * (1 + (alpha * pdf(alpha) - beta * pdf(beta)) / mass
                               - ((pdf(alpha) - pdf(beta)) / mass) ** 2)
    assert values.mean() == pytest.approx(expected_mean, abs=0.01 * std)
    assert values.std() == pytest.approx(math.sqrt(expected_var), rel=0.02)


def test_trunc_normal_warns_like_torch():
    with pytest.warns(UserWarning, match="mean is more than 2 std"):
        init.trunc_normal_(ember.empty(3), mean=10.0)


@pytest.mark.parametrize("shape", [(6, 6), (3, 8), (8, 3), (4, 2, 3)])
@pytest.mark.parametrize("gain", [1.0, 2.5])
def test_orthogonal_rows_or_columns_are_orthonormal(shape, gain):
    values = _values(lambda t: init.orthogonal_(t, gain=gain), shape=shape,
                     dtype=ember.float64)
    flat = values.reshape(shape[0], -1)
    rows, cols = flat.shape
    gram = flat @ flat.T if rows <= cols else flat.T @ flat
    np.testing.assert_allclose(gram, gain ** 2 * np.eye(min(rows, cols)), atol=1e-10)


@pytest.mark.parametrize("sparsity", [0.0, 0.1, 0.5, 0.95])
def test_sparse_zeros_per_column(sparsity):
    rows, cols = 40, 300
    values = _values(lambda t: init.sparse_(t, sparsity, std=0.5), shape=(rows, cols))
    zeros_per_column = (values == 0).sum(axis=0)
    assert np.all(zeros_per_column == math.ceil(sparsity * rows))
    # the zeroed rows differ from column to column
    if 0 < sparsity < 0.9:
        assert len({tuple(np.flatnonzero(values[:, c] == 0)) for c in range(cols)}) > cols // 2
    nonzero = values[values != 0]
    assert nonzero.std() == pytest.approx(0.5, rel=0.05)


@pytest.mark.parametrize("name,args", [
    ("uniform_", ()), ("normal_", ()), ("xavier_uniform_", ()), ("xavier_normal_", ()),
    ("kaiming_uniform_", ()), ("kaiming_normal_", ()), ("trunc_normal_", ()),
    ("orthogonal_", ()), ("sparse_", (0.2,)),
])
def test_generator_keyword_gives_reproducible_streams(name, args):
    def draw(seed):
        generator = ember.Generator().manual_seed(seed)
        return _values(lambda t, generator: getattr(init, name)(t, *args, generator=generator),
                       shape=(8, 6), generator=generator)
    np.testing.assert_array_equal(draw(3), draw(3))
    assert not np.array_equal(draw(3), draw(4))
    ember.manual_seed(11)
    first = _values(lambda t: getattr(init, name)(t, *args), shape=(8, 6))
    ember.manual_seed(11)
    np.testing.assert_array_equal(first, _values(lambda t: getattr(init, name)(t, *args),
                                                 shape=(8, 6)))


@pytest.mark.parametrize("name", ["kaiming_uniform_", "kaiming_normal_"])
def test_zero_element_tensor_warns_and_is_unchanged(name):
    tensor = ember.empty(0, 3)
    with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op"):
        assert getattr(init, name)(tensor) is tensor
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        init.orthogonal_(ember.empty(0, 3))


@pytest.mark.parametrize("name,args", [("constant", (0.5,)), ("eye", ()), ("dirac", ())])
def test_deprecated_names_warn_and_initialise(name, args):
    shape = (2, 2, 3) if name == "dirac" else (2, 3)
    results = []
    for lib in (ember, torch):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            tensor = getattr(lib.nn.init, name)(lib.empty(*shape), *args)
        results.append((tensor.numpy().tolist(), [(w.category, str(w.message))
                                                  for w in caught]))
    assert results[0] == results[1]


def test_deprecated_names_of_random_initialisers_exist():
    names = ["uniform", "normal", "xavier_uniform", "xavier_normal", "kaiming_uniform",
             "kaiming_normal", "orthogonal", "sparse"]
    for name in names:
        function = getattr(ember.nn.init, name)
        with pytest.warns(FutureWarning, match=f"`nn.init.{name}` is now deprecated in favor "
                                               f"of `nn.init.{name}_`"):
            args = (0.5,) if name == "sparse" else ()
            function(ember.empty(4, 3), *args)
        assert function.__name__ == getattr(torch.nn.init, name).__name__
