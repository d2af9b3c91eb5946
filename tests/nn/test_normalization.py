"""Normalisation layers against torch: functionals (values, grad_fn, gradients, finite
differences, double backward), modules over several train/eval steps (outputs, gradients,
running statistics, num_batches_tracked), momentum=None, printouts and errors."""
import warnings

import numpy as np
import pytest
import torch

import ember
from module_oracle import compare_module, same_repr
from oracle import Input, check, check_error, finite_differences, grad_input

RNG = np.random.default_rng(0)
X3 = RNG.standard_normal((4, 3, 5)) * 2 + 1
X4 = RNG.standard_normal((2, 4, 3, 3))
WEIGHT3 = RNG.uniform(0.5, 1.5, 3)
BIAS3 = RNG.standard_normal(3)


def _f(lib):
    return lib.nn.functional


def _stats(lib, dtype):
    return (lib.from_numpy(np.array([0.1, -0.2, 0.3], dtype=dtype)),
            lib.from_numpy(np.array([1.5, 0.7, 2.0], dtype=dtype)))


def _batch_norm(training):
    def run(lib, x, w, b):
        mean, var = _stats(lib, x.detach().numpy().dtype)
        out = _f(lib).batch_norm(x, mean, var, w, b, training=training, momentum=0.3)
        return out, mean, var
    return run


FUNCTIONALS = {
    "batch_norm_train": (_batch_norm(True), X3, WEIGHT3, BIAS3),
    "batch_norm_eval": (_batch_norm(False), X3, WEIGHT3, BIAS3),
    "batch_norm_no_stats": (lambda lib, x, w, b: _f(lib).batch_norm(x, None, None, w, b,
                                                                     training=True), X3,
                            WEIGHT3, BIAS3),
    "batch_norm_2d": (lambda lib, x, w, b: _f(lib).batch_norm(x.reshape(4, 3, 1, 5), None,
                                                               None, w, b, training=True),
                      X3, WEIGHT3, BIAS3),
    "layer_norm": (lambda lib, x, w, b: _f(lib).layer_norm(x, (5,), w, b, eps=1e-3), X3,
                   RNG.uniform(0.5, 1.5, 5), RNG.standard_normal(5)),
    "layer_norm_2dims": (lambda lib, x, w, b: _f(lib).layer_norm(x, [3, 5], w, b), X3,
                         RNG.uniform(0.5, 1.5, (3, 5)), RNG.standard_normal((3, 5))),
    "group_norm": (lambda lib, x, w, b: _f(lib).group_norm(x, 2, w, b), X4,
                   RNG.uniform(0.5, 1.5, 4), RNG.standard_normal(4)),
    "group_norm_one_group": (lambda lib, x, w, b: _f(lib).group_norm(x, 1, w, b, eps=0.1),
                             X4, RNG.uniform(0.5, 1.5, 4), RNG.standard_normal(4)),
    "instance_norm": (lambda lib, x, w, b: _f(lib).instance_norm(x, weight=w, bias=b), X3,
                      WEIGHT3, BIAS3),
    "rms_norm": (lambda lib, x, w, b: _f(lib).rms_norm(x, (5,), w) + b.sum(), X3,
                 RNG.uniform(0.5, 1.5, 5), RNG.standard_normal(1)),
    "rms_norm_eps": (lambda lib, x, w, b: _f(lib).rms_norm(x, [3, 5], w, eps=0.5) * b, X3,
                     RNG.uniform(0.5, 1.5, (3, 5)), RNG.standard_normal(1)),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", list(FUNCTIONALS))
def test_functional_matches_torch(name, dtype):
    function, *arrays = FUNCTIONALS[name]
    tolerance = {"atol": 1e-5, "rtol": 1e-4} if dtype == np.float32 else {}
    check(function, *[grad_input(a.astype(dtype)) for a in arrays], **tolerance)


@pytest.mark.parametrize("name", list(FUNCTIONALS))
def test_functional_finite_differences(name):
    function, *arrays = FUNCTIONALS[name]

    def first_output(*tensors):
        result = function(ember, *tensors)
        return result[0] if isinstance(result, tuple) else result
    finite_differences(first_output, *arrays)


@pytest.mark.parametrize("name", ["batch_norm_train", "batch_norm_eval", "layer_norm",
                                  "group_norm", "instance_norm"])
def test_double_backward_matches_torch(name):
    function, *arrays = FUNCTIONALS[name]

    def run(lib):
        rng = np.random.default_rng(5)
        tensors = [lib.tensor(a, requires_grad=True) for a in arrays]
        result = function(lib, *tensors)
        output = result[0] if isinstance(result, tuple) else result
        cotangent = lib.tensor(rng.standard_normal(tuple(output.shape)))
        firsts = lib.autograd.grad(output, tensors, cotangent, create_graph=True)
        total = sum((g * lib.tensor(rng.standard_normal(tuple(g.shape)))).sum()
                    for g in firsts)
        seconds = lib.autograd.grad(total, tensors, allow_unused=True)
        return [g.detach().numpy() for g in firsts], [
            np.zeros(a.shape) if g is None else g.numpy() for g, a in zip(seconds, arrays)]
    mine, theirs = run(ember), run(torch)
    for a, b in zip(mine[0] + mine[1], theirs[0] + theirs[1]):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-9)


def test_instance_norm_running_stats():
    def run(lib, x):
        mean, var = _stats(lib, np.float64)
        out = _f(lib).instance_norm(x, mean, var, momentum=0.2)
        return out, mean, var
    check(run, grad_input(X3))
    check(lambda lib, x: _f(lib).instance_norm(x, *_stats(lib, np.float64),
                                               use_input_stats=False), grad_input(X3))


# ---- modules -----------------------------------------------------------------------------------

MODULES = {
    "BatchNorm1d": (lambda nn: nn.BatchNorm1d(3), X3),
    "BatchNorm1d_2d": (lambda nn: nn.BatchNorm1d(5, momentum=0.5), X3[:, 0]),
    "BatchNorm1d_cumulative": (lambda nn: nn.BatchNorm1d(3, momentum=None), X3),
    "BatchNorm1d_no_affine": (lambda nn: nn.BatchNorm1d(3, affine=False, eps=1e-3), X3),
    "BatchNorm1d_no_bias": (lambda nn: nn.BatchNorm1d(3, bias=False), X3),
    "BatchNorm1d_untracked": (lambda nn: nn.BatchNorm1d(3, track_running_stats=False), X3),
    "BatchNorm2d": (lambda nn: nn.BatchNorm2d(4), X4),
    "BatchNorm3d": (lambda nn: nn.BatchNorm3d(4, momentum=None), X4[..., None]),
    "LayerNorm": (lambda nn: nn.LayerNorm(5), X3),
    "LayerNorm_shape": (lambda nn: nn.LayerNorm([3, 3], eps=1e-3, bias=False), X4),
    "LayerNorm_plain": (lambda nn: nn.LayerNorm(5, elementwise_affine=False), X3),
    "GroupNorm": (lambda nn: nn.GroupNorm(2, 4), X4),
    "GroupNorm_no_affine": (lambda nn: nn.GroupNorm(4, 4, affine=False), X4),
    "InstanceNorm1d": (lambda nn: nn.InstanceNorm1d(3), X3),
    "InstanceNorm1d_affine_tracked": (lambda nn: nn.InstanceNorm1d(
        3, affine=True, track_running_stats=True), X3),
    "InstanceNorm2d": (lambda nn: nn.InstanceNorm2d(4, affine=True), X4),
    "InstanceNorm2d_unbatched": (lambda nn: nn.InstanceNorm2d(4, track_running_stats=True),
                                 X4[0]),
    "InstanceNorm3d": (lambda nn: nn.InstanceNorm3d(4), X4[..., None].repeat(2, -1)),
    "RMSNorm": (lambda nn: nn.RMSNorm(5), X3),
    "RMSNorm_eps": (lambda nn: nn.RMSNorm([3, 5], eps=1e-2, elementwise_affine=False), X3),
}


@pytest.mark.parametrize("name", list(MODULES))
def test_module_matches_torch(name):
    build, array = MODULES[name]
    compare_module(lambda lib: build(lib.nn), array.astype(np.float32), steps=3, atol=1e-5,
                   rtol=1e-4)


@pytest.mark.parametrize("name", list(MODULES))
def test_module_repr_and_state_keys(name):
    build = MODULES[name][0]
    same_repr(lambda lib: build(lib.nn))
    assert list(build(ember.nn).state_dict()) == list(build(torch.nn).state_dict())


def test_batch_norm_buffers_and_eval_mode():
    module = compare_module(lambda lib: lib.nn.BatchNorm2d(4, momentum=None),
                            X4.astype(np.float32), modes=("train", "eval", "train"), steps=3,
                            atol=1e-5, rtol=1e-4)
    assert module.num_batches_tracked.item() == 6
    assert module.num_batches_tracked.dtype == ember.int64


def test_batch_norm_in_a_network_trains_like_torch():
    def build(lib):
        lib.manual_seed(0)
        nn = lib.nn
        return nn.Sequential(nn.Linear(5, 6), nn.BatchNorm1d(6), nn.ReLU(), nn.Linear(6, 2),
                             nn.LayerNorm(2))
    compare_module(build, X3[:, 0].astype(np.float32), steps=3, atol=1e-5, rtol=1e-4)


def test_errors():
    x = Input(X3.astype(np.float32))
    check_error(lambda lib, t: lib.nn.BatchNorm1d(3)(t[0, 0]), x)
    check_error(lambda lib, t: lib.nn.BatchNorm2d(3)(t), x)
    check_error(lambda lib, t: lib.nn.BatchNorm1d(3)(t[:1, :, :1]), x)
    check_error(lambda lib, t: _f(lib).batch_norm(t, None, None, training=True, eps=0.0), x)
    check_error(lambda lib, t: _f(lib).batch_norm(t, lib.zeros(4), lib.ones(4)), x)
    check_error(lambda lib, t: _f(lib).batch_norm(t, None, None, lib.ones(2), training=True),
                x)
    # ATen checks the running statistics first (required in evaluation), then weight, bias
    check_error(lambda lib, t: lib.nn.BatchNorm1d(2)(t), x)
    check_error(lambda lib, t: _f(lib).batch_norm(t, None, None, lib.ones(2)), x)
    check_error(lambda lib, t: _f(lib).batch_norm(t, lib.zeros(3), None, lib.ones(2)), x)
    check_error(lambda lib, t: _f(lib).batch_norm(t, lib.zeros(3), lib.ones(5), lib.ones(2),
                                                  training=True), x)
    check_error(lambda lib, t: _f(lib).layer_norm(t, (4,)), x)
    check_error(lambda lib, t: _f(lib).layer_norm(t, (5,), lib.ones(4)), x)
    check_error(lambda lib, t: _f(lib).layer_norm(t, (5,), None, lib.ones(3)), x)
    check_error(lambda lib, t: _f(lib).group_norm(t, 2), x)
    check_error(lambda lib, t: _f(lib).group_norm(t[0, 0], 1), x)
    check_error(lambda lib, t: _f(lib).group_norm(t, 3, lib.ones(4)), x)
    check_error(lambda lib, t: _f(lib).group_norm(t[:1, :, :1], 3), x)
    check_error(lambda lib, t: _f(lib).instance_norm(t[:, :, :1]), x)
    check_error(lambda lib, t: lib.nn.GroupNorm(2, 3), x)
    check_error(lambda lib, t: lib.nn.InstanceNorm2d(3)(t[0, 0]), x)
    check_error(lambda lib, t: lib.nn.InstanceNorm1d(4, affine=True)(t), x)
    check_error(lambda lib, t: _f(lib).rms_norm(t, (3,)), x)
    check_error(lambda lib, t: _f(lib).rms_norm(t, (2, 3)), x)
    check_error(lambda lib, t: _f(lib).rms_norm(t, (5,), lib.ones(3)), x)


def test_instance_norm_channel_mismatch_warns():
    with pytest.warns(UserWarning, match="does not match num_features"):
        ember.nn.InstanceNorm1d(4)(ember.tensor(X3))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ember.nn.InstanceNorm1d(3)(ember.tensor(X3))


@pytest.mark.parametrize("shape", [(2, 5, 3), (2, 5, 3, 2), (2, 6, 2, 2, 2)])
@pytest.mark.parametrize("size", [1, 2, 3])
def test_local_response_norm(shape, size):
    x = grad_input(RNG.standard_normal(shape))
    check(lambda lib, t: _f(lib).local_response_norm(t, size, alpha=0.5, beta=0.6, k=1.5), x)
    compare_module(lambda lib: lib.nn.LocalResponseNorm(size), x.array.astype(np.float32))
    same_repr(lambda lib: lib.nn.LocalResponseNorm(size, k=2.0))
    check_error(lambda lib, t: _f(lib).local_response_norm(t.reshape(2, -1), size), x)
