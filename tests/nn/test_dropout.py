"""Dropout against torch where it is deterministic (eval mode, p=0, p=1, grad_fn names, errors,
printouts) and by statistics where it is random (masks come from ember's generator): the drop
rate, the 1/(1-p) scaling, whole-channel masks, gradients through the mask and reproducibility
under manual_seed."""
import warnings

import numpy as np
import pytest
import torch

import ember
from module_oracle import compare_module, same_repr
from oracle import Input, check, check_error, grad_input

X = np.random.default_rng(0).standard_normal((8, 6, 5, 5)).astype(np.float32)
FUNCTIONS = {
    "dropout": lambda F, x, p, training, inplace: F.dropout(x, p, training, inplace),
    "dropout1d": lambda F, x, p, training, inplace: F.dropout1d(x[:, :, 0], p, training,
                                                                inplace),
    "dropout2d": lambda F, x, p, training, inplace: F.dropout2d(x, p, training, inplace),
    "dropout3d": lambda F, x, p, training, inplace: F.dropout3d(x[..., None], p, training,
                                                                inplace),
    "alpha_dropout": lambda F, x, p, training, inplace: F.alpha_dropout(x, p, training,
                                                                        inplace),
}


@pytest.mark.parametrize("name", list(FUNCTIONS))
@pytest.mark.parametrize("p, training", [(0.0, True), (1.0, True), (0.4, False)])
def test_deterministic_cases_match_torch(name, p, training):
    def run(lib, x):
        y = x * 1
        return FUNCTIONS[name](lib.nn.functional, y, p, training, False)
    check(run, grad_input(X))


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_random_case_grad_fn_matches_torch(name):
    def grad_fn_name(lib):
        x = lib.from_numpy(X.copy()).requires_grad_()
        return type(FUNCTIONS[name](lib.nn.functional, x, 0.3, True, False).grad_fn).__name__
    assert grad_fn_name(ember) == grad_fn_name(torch)


def test_identity_cases_return_the_input():
    x = ember.tensor(X)
    for p, training in [(0.0, True), (0.5, False)]:
        assert ember.nn.functional.dropout(x, p, training) is x
    assert ember.nn.functional.dropout(ember.zeros(0), 0.5) is not None


def test_dropout_statistics_and_scaling():
    ember.manual_seed(0)
    x = ember.ones(200, 500, requires_grad=True)
    out = ember.nn.functional.dropout(x, 0.3)
    values = out.detach().numpy()
    kept = values != 0
    assert abs(kept.mean() - 0.7) < 0.005
    np.testing.assert_allclose(values[kept], 1 / 0.7, rtol=1e-6)
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), values)


def test_channel_dropout_drops_whole_channels():
    ember.manual_seed(1)
    out = ember.nn.functional.dropout2d(ember.ones(64, 32, 4, 4), 0.5).numpy()
    per_channel = out.reshape(64, 32, -1)
    assert np.all((per_channel == 0).all(-1) | (per_channel == 2.0).all(-1))
    assert abs((per_channel[..., 0] == 0).mean() - 0.5) < 0.03
    out1d = ember.nn.functional.dropout1d(ember.ones(32, 16), 0.5).numpy()
    assert np.all((out1d == 0).all(-1) | (out1d == 2.0).all(-1))


def test_alpha_dropout_keeps_mean_and_variance():
    ember.manual_seed(2)
    x = ember.randn(400, 500)
    out = ember.nn.functional.alpha_dropout(x, 0.2, training=True).numpy()
    assert abs(out.mean()) < 0.02 and abs(out.std() - 1) < 0.02


def test_reproducible_with_manual_seed_and_generator_state():
    x = ember.ones(50, 50)
    ember.manual_seed(7)
    first = ember.nn.functional.dropout(x, 0.5).numpy()
    ember.manual_seed(7)
    second = ember.nn.functional.dropout(x, 0.5).numpy()
    third = ember.nn.functional.dropout(x, 0.5).numpy()
    np.testing.assert_array_equal(first, second)
    assert not np.array_equal(second, third)


def test_inplace_dropout():
    ember.manual_seed(3)
    x = ember.ones(10, 10, requires_grad=True)
    y = x * 1
    out = ember.nn.functional.dropout(y, 0.5, inplace=True)
    assert out is y and type(out.grad_fn).__name__ == "MulBackward0"
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), out.detach().numpy())


@pytest.mark.parametrize("build", [
    lambda nn: nn.Dropout(), lambda nn: nn.Dropout(0.2, inplace=True), lambda nn: nn.Dropout1d(),
    lambda nn: nn.Dropout2d(0.1), lambda nn: nn.Dropout3d(), lambda nn: nn.AlphaDropout(0.3)])
def test_modules_repr_and_eval_identity(build):
    same_repr(lambda lib: build(lib.nn))
    array = X[:, :, 0] if "1d" in type(build(ember.nn)).__name__ else X
    compare_module(lambda lib: build(lib.nn), array, modes=("eval",), steps=1)


def test_module_train_mode_drops():
    module = ember.nn.Dropout(0.5)
    ember.manual_seed(4)
    out = module(ember.ones(1000)).numpy()
    assert 0.4 < (out == 0).mean() < 0.6
    module.eval()
    assert np.all(module(ember.ones(1000)).numpy() == 1)


def test_errors_and_warnings():
    x = Input(X)
    for name in ("dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout"):
        check_error(lambda lib, t: getattr(lib.nn.functional, name)(t, 1.5), x)
        check_error(lambda lib, t: getattr(lib.nn.functional, name)(t, -0.1), x)
    check_error(lambda lib, t: lib.nn.functional.dropout1d(t, 0.5), x)
    check_error(lambda lib, t: lib.nn.Dropout(2.0), x)
    for shape in [(4, 3, 5), (4, 3), (2, 3, 4, 4, 1)]:
        messages = []
        for library in (ember, torch):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                library.nn.functional.dropout2d(library.ones(shape), 0.5)
                library.nn.functional.dropout3d(library.ones(shape), 0.5)
            messages.append([str(w.message) for w in caught])
        assert messages[0] == messages[1] and messages[0]


def test_feature_alpha_dropout_channels_and_statistics():
    ember.manual_seed(4)
    x = ember.randn(200, 100, 50)
    out = ember.nn.functional.feature_alpha_dropout(x, 0.2, training=True).numpy()
    # one affine map per (sample, channel): dropped channels are a constant
    dropped = np.all(out == out[..., :1], axis=-1)
    assert abs(dropped.mean() - 0.2) < 0.02
    assert abs(out.mean()) < 0.02 and abs(out.std() - 1) < 0.02
    check(lambda lib, t: lib.nn.functional.feature_alpha_dropout(t, 0.5), grad_input(
        np.ones((2, 3, 4))))
    check(lambda lib, t: lib.nn.FeatureAlphaDropout(0.3).eval()(t), grad_input(
        np.ones((2, 3, 4))))
    same_repr(lambda lib: lib.nn.FeatureAlphaDropout(0.3, inplace=True))
    check_error(lambda lib, t: lib.nn.functional.feature_alpha_dropout(t, 1.5),
                Input(np.ones(3)))
