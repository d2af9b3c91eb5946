"""nn.utils against torch: clip_grad_norm_, clip_grad_value_, get_total_norm,
parameters_to_vector and vector_to_parameters."""
import math
import warnings

import numpy as np
import pytest
import torch

import ember
from module_oracle import compare_modules
from oracle import assert_matches, check, check_error

SHAPES = [(3, 4), (5,), (2, 2, 2), ()]


def make_parameters(lib, scale=1.0, with_none=True, dtype="float32"):
    """Parameters with gradients (the last one without, when with_none)."""
    rng = np.random.default_rng(0)
    params = []
    for index, shape in enumerate(SHAPES):
        values = np.asarray(rng.standard_normal(shape).astype(dtype))
        param = lib.nn.Parameter(lib.from_numpy(values.copy()))
        if not (with_none and index == len(SHAPES) - 1):
            param.grad = lib.from_numpy(np.asarray(values * scale * (index + 1)).copy())
        params.append(param)
    return params


def grads_of(params):
    return [p.grad for p in params]


@pytest.mark.parametrize("norm_type", [2.0, 1, 3.5, math.inf, "inf", 0.5])
@pytest.mark.parametrize("max_norm", [0.5, 1e3])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_clip_grad_norm_matches_torch(norm_type, max_norm, dtype):
    results = []
    for lib in (ember, torch):
        params = make_parameters(lib, dtype=dtype)
        total = lib.nn.utils.clip_grad_norm_(params, max_norm, norm_type=norm_type,
                                             foreach=False)
        results.append((total, grads_of(params)))
    assert_matches(results[0][0], results[1][0], atol=1e-6, rtol=1e-5)
    assert_matches(results[0][1], results[1][1], atol=1e-6, rtol=1e-5)


def test_clip_grad_norm_single_tensor_generator_and_empty():
    for lib in (ember, torch):
        param = make_parameters(lib)[0]
        total = lib.nn.utils.clip_grad_norm_(param, 0.1)
        assert abs(float(param.grad.norm()) - 0.1) < 1e-5
        assert float(total) > 0.1
    with pytest.warns(UserWarning, match="empty generator"):
        total = ember.nn.utils.clip_grad_norm_((p for p in []), 1.0)
    assert_matches(total, torch.tensor(0.0))
    assert_matches(ember.nn.utils.clip_grad_norm_(make_parameters(ember)[-1:], 1.0),
                   torch.tensor(0.0))


@pytest.mark.parametrize("bad", [math.nan, math.inf])
@pytest.mark.parametrize("error_if_nonfinite", [True, False])
def test_clip_grad_norm_nonfinite(bad, error_if_nonfinite):
    def run(lib):
        params = make_parameters(lib)
        with lib.no_grad():
            params[0].grad[0, 0] = bad
        total = lib.nn.utils.clip_grad_norm_(params, 1.0, error_if_nonfinite=error_if_nonfinite)
        return total, grads_of(params)
    if error_if_nonfinite:
        check_error(run)
    else:
        mine, theirs = run(ember), run(torch)
        assert_matches(mine[0], theirs[0])
        assert_matches(mine[1], theirs[1])


def test_get_total_norm_and_clip_grads_with_norm():
    results = []
    for lib in (ember, torch):
        params = make_parameters(lib)
        total = lib.nn.utils.get_total_norm(grads_of(params)[:-1], norm_type=3.0)
        lib.nn.utils.clip_grads_with_norm_(params, 2.0, total)
        results.append((total, grads_of(params)))
    assert_matches(results[0][0], results[1][0], rtol=1e-5)
    assert_matches(results[0][1], results[1][1], rtol=1e-5)


@pytest.mark.parametrize("clip_value", [0.3, 2, 100.0])
def test_clip_grad_value_matches_torch(clip_value):
    results = []
    for lib in (ember, torch):
        params = make_parameters(lib, scale=2.0)
        lib.nn.utils.clip_grad_value_(params, clip_value)
        results.append(grads_of(params))
    assert_matches(results[0], results[1])
    single = make_parameters(ember)[0]
    ember.nn.utils.clip_grad_value_(single, 0.1)
    assert single.grad.abs().max().item() <= np.float32(0.1)


def test_clipping_does_not_record_history():
    params = make_parameters(ember)
    for param in params[:-1]:
        param.grad.requires_grad_(True)
    ember.nn.utils.clip_grad_norm_(params, 0.1)
    ember.nn.utils.clip_grad_value_(params, 0.01)
    assert all(p.grad.grad_fn is None for p in params[:-1])


def test_parameters_to_vector_and_back_match_torch():
    def run(lib):
        params = make_parameters(lib, with_none=False)
        vector = lib.nn.utils.parameters_to_vector(params)
        replacement = lib.arange(float(vector.numel())) / 10
        lib.nn.utils.vector_to_parameters(replacement, params)
        return vector, [p.detach().clone() for p in params], type(params[0]).__name__
    mine, theirs = run(ember), run(torch)
    assert_matches(mine[0], theirs[0])
    assert_matches(mine[1], theirs[1])
    assert mine[2] == theirs[2] == "Parameter"


def test_vector_to_parameters_shares_the_vector_memory():
    def run(lib):
        params = make_parameters(lib, with_none=False)
        vector = lib.zeros(sum(p.numel() for p in params))
        lib.nn.utils.vector_to_parameters(vector, params)
        vector.add_(1)
        return [p.detach().clone() for p in params]
    assert_matches(run(ember), run(torch))


def test_parameters_to_vector_gradient_flows():
    def run(lib):
        params = make_parameters(lib, with_none=False)
        for param in params:
            param.grad = None
        (lib.nn.utils.parameters_to_vector(params) ** 2).sum().backward()
        return grads_of(params)
    assert_matches(run(ember), run(torch))


def test_vector_to_parameters_rejects_non_tensor():
    check_error(lambda lib: lib.nn.utils.vector_to_parameters([1.0], make_parameters(lib)))


def _trained_batch_norm(lib, kind, features, seed):
    # running statistics and affine parameters that are not the defaults
    rng = np.random.default_rng(seed)
    bn = getattr(lib.nn, kind)(features)
    with lib.no_grad():
        bn.running_mean.copy_(lib.from_numpy(rng.standard_normal(features).astype(np.float32)))
        bn.running_var.copy_(lib.from_numpy(rng.uniform(0.5, 2, features).astype(np.float32)))
        bn.weight.copy_(lib.from_numpy(rng.standard_normal(features).astype(np.float32)))
        bn.bias.copy_(lib.from_numpy(rng.standard_normal(features).astype(np.float32)))
    return bn.eval()


@pytest.mark.parametrize("transpose", [False, True])
@pytest.mark.parametrize("bias", [False, True])
def test_fuse_conv_bn_eval(transpose, bias):
    x = np.random.default_rng(3).standard_normal((2, 3, 5, 5)).astype(np.float32)
    kind = "ConvTranspose2d" if transpose else "Conv2d"
    theirs = getattr(torch.nn, kind)(3, 4, 3, bias=bias).eval()
    mine = getattr(ember.nn, kind)(3, 4, 3, bias=bias).eval()
    mine.load_state_dict({key: ember.from_numpy(value.detach().numpy().copy())
                          for key, value in theirs.state_dict().items()})
    outputs = []
    for lib, conv in ((ember, mine), (torch, theirs)):
        bn = _trained_batch_norm(lib, "BatchNorm2d", 4, 1)
        fused = lib.nn.utils.fuse_conv_bn_eval(conv, bn, transpose=transpose)
        outputs.append((fused(lib.from_numpy(x)).detach().numpy(),
                        bn(conv(lib.from_numpy(x))).detach().numpy(),
                        type(fused.weight).__name__, fused.bias.requires_grad))
    np.testing.assert_allclose(outputs[0][0], outputs[1][0], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(outputs[0][0], outputs[0][1], rtol=1e-4, atol=1e-4)
    assert outputs[0][2:] == outputs[1][2:]


def test_fuse_linear_bn_eval_and_errors():
    def run(lib, x, w, b):
        linear = lib.nn.Linear(3, 4)
        with lib.no_grad():
            linear.weight.copy_(w)
            linear.bias.copy_(b)
        bn = _trained_batch_norm(lib, "BatchNorm1d", 4, 2)
        fused = lib.nn.utils.fuse_linear_bn_eval(linear.eval(), bn)
        return fused(x), fused.weight.requires_grad, type(fused.bias).__name__

    rng = np.random.default_rng(4)
    arrays = [rng.standard_normal(shape).astype(np.float32) for shape in [(5, 3), (4, 3), (4,)]]
    check(run, *arrays)
    check_error(lambda lib: lib.nn.utils.fuse_linear_bn_eval(lib.nn.Linear(3, 4),
                                                             lib.nn.BatchNorm1d(4)))
    check_error(lambda lib: lib.nn.utils.fuse_linear_bn_eval(lib.nn.Linear(3, 4).eval(),
                                                             lib.nn.BatchNorm1d(5).eval()))
    check_error(lambda lib: lib.nn.utils.fuse_conv_bn_eval(
        lib.nn.Conv2d(3, 4, 1).eval(), lib.nn.BatchNorm2d(4, track_running_stats=False).eval()))


@pytest.mark.parametrize("kind,dim", [("Linear", 0), ("Linear", 1), ("Linear", None),
                                      ("Conv2d", 0), ("Conv2d", 2), ("Conv2d", -1)])
def test_weight_norm_matches_torch(kind, dim):
    def build(lib):
        module = lib.nn.Linear(3, 4) if kind == "Linear" else lib.nn.Conv2d(3, 4, 2)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            return lib.nn.utils.weight_norm(module, dim=dim)

    shape = (2, 3) if kind == "Linear" else (2, 3, 4, 4)
    x = np.random.default_rng(5).standard_normal(shape).astype(np.float32)
    mine, _ = compare_modules(build, lambda lib, m, t: (m(t), m.weight), x, grad_fn=True,
                              atol=1e-5, rtol=1e-4)
    assert list(mine.state_dict()) == list(build(torch).state_dict())
    ember.nn.utils.remove_weight_norm(mine)
    assert [name for name, _ in mine.named_parameters()] == ["bias", "weight"]


def test_weight_norm_warning_and_errors():
    def apply_twice(lib):
        module = lib.nn.utils.weight_norm(lib.nn.Linear(2, 2))
        return lib.nn.utils.weight_norm(module)

    for lib in (ember, torch):
        with pytest.warns(FutureWarning, match="`torch.nn.utils.weight_norm` is deprecated in "
                                               "favor of `torch.nn.utils.parametrizations"):
            lib.nn.utils.weight_norm(lib.nn.Linear(2, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        check_error(apply_twice)
        check_error(lambda lib: lib.nn.utils.remove_weight_norm(lib.nn.Linear(2, 2)))
