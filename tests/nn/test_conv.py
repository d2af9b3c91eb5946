"""Convolutions against torch: F.conv1d/2d/3d and F.conv_transpose1d/2d/3d over option grids
(values, grad_fn, gradients, double backward), finite differences, the Conv and ConvTranspose
modules (state copied from torch; outputs, input and parameter gradients), reprs, default
initialisation and every error path."""
import math
import re
from collections import OrderedDict

import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st

import ember
from oracle import (assert_matches, check, check_error, finite_differences, grad_input,
                    to_numpy)

RNG = np.random.default_rng(0)


def normal(*shape, dtype=np.float64):
    return RNG.standard_normal(shape).astype(dtype)


def copy_weights(mine, theirs):
    state = OrderedDict((key, ember.from_numpy(value.detach().numpy().copy()))
                        for key, value in theirs.state_dict().items())
    mine.load_state_dict(state)


def check_module(make, input_array, *extra, atol=1e-5, rtol=1e-4, **forward_options):
    """Builds the module on both libraries with torch's weights, runs the same input and
    compares the output, the input gradient and every parameter gradient."""
    theirs = make(torch)
    mine = make(ember)
    copy_weights(mine, theirs)
    results = []
    for library, module in ((ember, mine), (torch, theirs)):
        x = library.from_numpy(input_array.copy()).requires_grad_(True)
        out = module(x, *extra, **forward_options)
        cotangent = library.from_numpy(
            np.random.default_rng(1).standard_normal(tuple(out.shape)).astype(input_array.dtype))
        out.backward(cotangent)
        results.append((out, x.grad, dict(module.named_parameters())))
    (out, grad, params), (t_out, t_grad, t_params) = results
    assert_matches(out, t_out, atol=atol, rtol=rtol)
    assert_matches(grad, t_grad, atol=atol, rtol=rtol, where="input grad")
    assert params.keys() == t_params.keys()
    for name in params:
        assert_matches(params[name].grad, t_params[name].grad, atol=atol, rtol=rtol,
                       where=f"{name}.grad")
    return mine, theirs


# ---- functional convolutions -----------------------------------------------------------------

CONV_CASES = [
    # dims, batch, in, out, spatial, kernel, stride, padding, dilation, groups
    (1, 2, 4, 6, (9,), (3,), 1, 0, 1, 1),
    (1, 2, 4, 6, (10,), (4,), 2, 1, 2, 2),
    (2, 2, 3, 4, (7, 6), (3, 3), 1, 1, 1, 1),
    (2, 2, 4, 6, (9, 8), (3, 2), (2, 1), (1, 0), (1, 2), 2),
    (2, 1, 4, 4, (6, 7), (2, 2), 2, 0, 1, 4),
    (2, 3, 2, 5, (5, 5), (1, 1), 1, 0, 1, 1),
    (2, 2, 3, 2, (8, 8), (5, 3), (3, 2), (2, 1), 1, 1),
    (2, 3, 2, 4, (9, 7), (3, 3), (2, 1), (1, 2), (2, 1), 1),
    (3, 2, 2, 4, (5, 6, 5), (2, 3, 2), (1, 2, 1), (1, 1, 0), (2, 1, 1), 2),
]


@pytest.mark.parametrize("case", CONV_CASES)
@pytest.mark.parametrize("bias", [True, False])
def test_conv_functional(case, bias):
    dims, batch, cin, cout, spatial, kernel, stride, padding, dilation, groups = case
    x = normal(batch, cin, *spatial)
    w = normal(cout, cin // groups, *kernel)
    b = normal(cout)
    name = f"conv{dims}d"

    def run(lib, x, w, *b):
        return getattr(lib.nn.functional, name)(x, w, b[0] if b else None, stride, padding,
                                                dilation, groups)

    args = (grad_input(x), grad_input(w)) + ((grad_input(b),) if bias else ())
    check(run, *args)


@pytest.mark.parametrize("case", CONV_CASES)
def test_conv_functional_float32_and_unbatched(case):
    dims, batch, cin, cout, spatial, kernel, stride, padding, dilation, groups = case
    x = normal(cin, *spatial, dtype=np.float32)
    w = normal(cout, cin // groups, *kernel, dtype=np.float32)
    b = normal(cout, dtype=np.float32)
    name = f"conv{dims}d"
    check(lambda lib, x, w, b: getattr(lib.nn.functional, name)(
        x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups),
        grad_input(x), grad_input(w), grad_input(b), atol=1e-4, rtol=1e-4)


TRANSPOSE_CASES = [
    # dims, batch, in, out/groups, spatial, kernel, stride, padding, output_padding, dilation,
    # groups
    (1, 2, 4, 3, (6,), (3,), 1, 0, 0, 1, 1),
    (1, 2, 4, 2, (5,), (3,), 2, 1, 1, 1, 2),
    (2, 2, 3, 2, (4, 5), (3, 3), 1, 0, 0, 1, 1),
    (2, 2, 4, 3, (4, 3), (3, 2), (2, 3), (1, 0), (1, 2), (1, 2), 2),
    (2, 1, 2, 2, (3, 3), (2, 2), 2, 0, 0, 1, 1),
    (2, 2, 2, 2, (3, 4), (3, 3), 2, 2, 0, 3, 1),
    (3, 1, 2, 2, (3, 4, 3), (2, 2, 3), (2, 1, 1), (0, 1, 1), (1, 0, 0), 1, 1),
]


@pytest.mark.parametrize("case", TRANSPOSE_CASES)
@pytest.mark.parametrize("bias", [True, False])
def test_conv_transpose_functional(case, bias):
    (dims, batch, cin, per_group, spatial, kernel, stride, padding, output_padding, dilation,
     groups) = case
    x = normal(batch, cin, *spatial)
    w = normal(cin, per_group, *kernel)
    b = normal(per_group * groups)
    name = f"conv_transpose{dims}d"

    def run(lib, x, w, *b):
        return getattr(lib.nn.functional, name)(x, w, b[0] if b else None, stride, padding,
                                                output_padding, groups, dilation)

    args = (grad_input(x), grad_input(w)) + ((grad_input(b),) if bias else ())
    check(run, *args)
    check(lambda lib, x, w: getattr(lib.nn.functional, name)(
        x, w, stride=stride, padding=padding, output_padding=output_padding, groups=groups,
        dilation=dilation), grad_input(x[0]), grad_input(w))


SAME_WARNING = "ignore:Using padding='same' with even kernel lengths"


@pytest.mark.filterwarnings(SAME_WARNING)
@pytest.mark.parametrize("padding", ["same", "valid"])
@pytest.mark.parametrize("kernel,dilation", [((3, 3), 1), ((2, 4), 1), ((3, 2), (2, 3)),
                                              ((1, 1), 1)])
def test_conv_padding_strings(padding, kernel, dilation):
    x = normal(2, 3, 7, 8)
    w = normal(4, 3, *kernel)
    check(lambda lib, x, w: lib.nn.functional.conv2d(x, w, padding=padding, dilation=dilation),
          grad_input(x), grad_input(w))


@pytest.mark.filterwarnings(SAME_WARNING)
def test_conv_padding_same_1d_and_3d():
    check(lambda lib, x, w: lib.nn.functional.conv1d(x, w, padding="same"),
          grad_input(normal(2, 2, 7)), grad_input(normal(3, 2, 4)))
    check(lambda lib, x, w: lib.nn.functional.conv3d(x, w, padding="same"),
          grad_input(normal(1, 2, 4, 5, 4)), grad_input(normal(2, 2, 3, 2, 3)))


def test_conv_padding_same_even_kernel_warns():
    x = ember.from_numpy(normal(1, 2, 5, 5))
    with pytest.warns(UserWarning, match="padding='same' with even kernel lengths"):
        ember.nn.functional.conv2d(x, ember.from_numpy(normal(2, 2, 2, 2)), padding="same")


def test_conv_integer_input():
    x = RNG.integers(-5, 5, (1, 2, 5, 5))
    w = RNG.integers(-3, 3, (3, 2, 3, 3))
    check(lambda lib, x, w: lib.nn.functional.conv2d(x, w, padding=1), x, w)


def test_conv_empty_batch_and_channels():
    check(lambda lib, x, w: lib.nn.functional.conv2d(x, w), grad_input(normal(0, 2, 5, 5)),
          grad_input(normal(3, 2, 3, 3)))


@pytest.mark.parametrize("transposed", [False, True])
def test_conv_double_backward(transposed):
    x = normal(2, 4, 6, 5)
    w = normal(4, 2, 3, 2)
    b = normal(4)

    def run(lib, x, w, b):
        function = lib.nn.functional.conv_transpose2d if transposed else lib.nn.functional.conv2d
        out = function(x, w, b, stride=2, padding=1, groups=2)
        gx, gw, gb = lib.autograd.grad((out * out).sum(), (x, w, b), create_graph=True)
        return (gx * gx).sum() + (gw ** 3).sum() + (gb * x.sum()).sum()

    check(run, grad_input(x), grad_input(w), grad_input(b))


def test_conv_double_backward_grad_fn_names():
    x = ember.from_numpy(normal(1, 2, 5, 5)).requires_grad_()
    w = ember.from_numpy(normal(3, 2, 3, 3)).requires_grad_()
    out = ember.nn.functional.conv2d(x, w)
    assert type(out.grad_fn).__name__ == "ConvolutionBackward0"
    _, grad_w = ember.autograd.grad(out.sum(), (x, w), create_graph=True)
    assert type(grad_w.grad_fn).__name__ == "ConvolutionBackwardBackward0"


@pytest.mark.parametrize("function,xs,ws,options", [
    ("conv1d", (1, 2, 5), (2, 2, 3), dict(stride=2, padding=1)),
    ("conv2d", (1, 2, 4, 3), (2, 1, 2, 2), dict(dilation=(2, 1), groups=2, padding=1)),
    ("conv3d", (1, 1, 3, 3, 3), (2, 1, 2, 2, 2), dict(stride=(1, 2, 1))),
    ("conv_transpose1d", (1, 2, 3), (2, 2, 3), dict(stride=2, output_padding=1)),
    ("conv_transpose2d", (1, 2, 3, 2), (2, 1, 2, 3), dict(stride=2, padding=1, groups=2)),
])
def test_conv_finite_differences(function, xs, ws, options):
    def run(x, w, b):
        return getattr(ember.nn.functional, function)(x, w, b, **options)

    bias_size = ws[0] if not function.startswith("conv_transpose") else ws[1] * options.get(
        "groups", 1)
    finite_differences(run, normal(*xs), normal(*ws), normal(bias_size))


# ---- modules ---------------------------------------------------------------------------------

@pytest.mark.filterwarnings(SAME_WARNING)
@pytest.mark.parametrize("padding_mode", ["zeros", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("options", [dict(), dict(stride=2, padding=1),
                                     dict(padding=(2, 1), dilation=2, groups=2, bias=False),
                                     dict(padding="same", dilation=(1, 2))])
def test_conv2d_module(padding_mode, options):
    check_module(lambda lib: lib.nn.Conv2d(4, 6, 3, padding_mode=padding_mode, **options),
                 normal(2, 4, 9, 8, dtype=np.float32))


@pytest.mark.parametrize("padding_mode", ["zeros", "reflect", "circular"])
def test_conv1d_and_conv3d_modules(padding_mode):
    check_module(lambda lib: lib.nn.Conv1d(3, 4, 3, stride=2, padding=1,
                                           padding_mode=padding_mode),
                 normal(2, 3, 11, dtype=np.float32))
    check_module(lambda lib: lib.nn.Conv3d(2, 4, (2, 3, 2), padding=1, groups=2,
                                           padding_mode=padding_mode),
                 normal(1, 2, 4, 5, 4, dtype=np.float32))
    check_module(lambda lib: lib.nn.Conv1d(3, 4, 3, padding="same", padding_mode=padding_mode),
                 normal(3, 7, dtype=np.float32))


@pytest.mark.parametrize("dims", [1, 2, 3])
def test_conv_transpose_modules(dims):
    name = f"ConvTranspose{dims}d"
    check_module(lambda lib: getattr(lib.nn, name)(4, 6, 3, stride=2, padding=1,
                                                   output_padding=1, groups=2),
                 normal(2, 4, *(3,) * dims, dtype=np.float32))
    check_module(lambda lib: getattr(lib.nn, name)(2, 3, 2, stride=3, bias=False, dilation=2),
                 normal(1, 2, *(3,) * dims, dtype=np.float32))


def test_conv_transpose_output_size():
    for output_size in [(8, 8), [1, 3, 9, 9], (9, 8)]:
        check_module(lambda lib: lib.nn.ConvTranspose2d(2, 3, 3, stride=3, padding=1),
                     normal(1, 2, 3, 3, dtype=np.float32), output_size=output_size)
    check_module(lambda lib: lib.nn.ConvTranspose1d(2, 3, 3, stride=2),
                 normal(2, 4, dtype=np.float32), output_size=[10])


@pytest.mark.parametrize("output_size", [(12, 12), (8,), (1, 2, 3)])
def test_conv_transpose_output_size_errors(output_size):
    def run(lib, x):
        torch.manual_seed(0)
        return lib.nn.ConvTranspose2d(2, 3, 3, stride=3, padding=1)(x, output_size=output_size)

    check_error(run, normal(1, 2, 3, 3, dtype=np.float32))


@pytest.mark.parametrize("make", [
    lambda lib: lib.nn.Conv2d(1, 16, 3),
    lambda lib: lib.nn.Conv2d(4, 8, (3, 2), stride=2, padding=1, dilation=(1, 2), groups=2,
                              bias=False, padding_mode="reflect"),
    lambda lib: lib.nn.Conv2d(4, 8, 3, padding="same"),
    lambda lib: lib.nn.Conv2d(4, 8, 3, padding="valid"),
    lambda lib: lib.nn.Conv1d(2, 3, 5, padding=2),
    lambda lib: lib.nn.Conv3d(2, 4, (1, 2, 3), stride=(1, 1, 2)),
    lambda lib: lib.nn.ConvTranspose1d(2, 3, 2),
    lambda lib: lib.nn.ConvTranspose2d(4, 2, 3, stride=2, output_padding=1, groups=2),
    lambda lib: lib.nn.ConvTranspose3d(2, 2, 3, dilation=2, bias=False),
    lambda lib: lib.nn.Sequential(lib.nn.Conv2d(1, 2, 3), lib.nn.Conv2d(2, 2, 1)),
])
def test_conv_repr_and_parameters(make):
    mine, theirs = make(ember), make(torch)
    assert repr(mine) == repr(theirs)
    mine_shapes = [(name, tuple(p.shape)) for name, p in mine.named_parameters()]
    assert mine_shapes == [(name, tuple(p.shape)) for name, p in theirs.named_parameters()]
    for key in ("stride", "padding", "dilation", "kernel_size", "output_padding", "groups",
                "padding_mode", "_reversed_padding_repeated_twice"):
        if hasattr(theirs, key):
            assert getattr(mine, key) == getattr(theirs, key), key


@pytest.mark.parametrize("make,fan_in", [
    (lambda: ember.nn.Conv2d(16, 32, 5), 16 * 25),
    (lambda: ember.nn.Conv1d(6, 300, 3, groups=3), 2 * 3),
    (lambda: ember.nn.ConvTranspose2d(40, 20, 3), 20 * 9),
])
def test_conv_default_initialisation(make, fan_in):
    ember.manual_seed(0)
    module = make()
    bound = 1 / math.sqrt(fan_in)  # kaiming_uniform_(a=sqrt(5)) gives U(-1/sqrt(fan_in), ...)
    weight = to_numpy(module.weight)
    bias = to_numpy(module.bias)
    assert np.abs(weight).max() <= bound and np.abs(weight).max() > 0.95 * bound
    assert abs(weight.mean()) < 0.05 * bound
    assert np.abs(bias).max() <= bound
    assert module.weight.dtype == ember.float32 and module.weight.requires_grad


def test_conv_module_dtype_and_train_step():
    theirs = torch.nn.Conv2d(2, 3, 3, dtype=torch.float64)
    mine = ember.nn.Conv2d(2, 3, 3, dtype=ember.float64)
    assert mine.weight.dtype == ember.float64
    copy_weights(mine, theirs)
    x = normal(2, 2, 6, 6)
    for library, module in ((ember, mine), (torch, theirs)):
        optimizer = library.optim.SGD(module.parameters(), lr=0.1)
        for _ in range(3):
            optimizer.zero_grad()
            (module(library.from_numpy(x)) ** 2).mean().backward()
            optimizer.step()
    np.testing.assert_allclose(to_numpy(mine.weight), to_numpy(theirs.weight), rtol=1e-10)


# ---- errors ----------------------------------------------------------------------------------

W16 = normal(16, 1, 3, 3, dtype=np.float32)


@pytest.mark.parametrize("run,inputs", [
    (lambda lib, x, w: lib.nn.functional.conv2d(x, w), ((64, 3, 28, 28), W16)),
    (lambda lib, x, w: lib.nn.functional.conv2d(x, w), ((2, 1, 2, 2), W16)),
    (lambda lib, x, w: lib.nn.functional.conv2d(x, w), ((1, 2, 2), W16)),
    (lambda lib, x, w: lib.nn.functional.conv2d(x, w, padding=1, dilation=2),
     ((2, 1, 2, 5), W16)),
    (lambda lib, x, w: lib.nn.functional.conv2d(x, w), ((2, 1, 2, 2, 2), W16)),
    (lambda lib, x, w: lib.nn.functional.conv2d(x, w), ((2, 2), W16)),
    (lambda lib, x, w: lib.nn.functional.conv1d(x, w), ((1, 4, 5, 5), W16)),
    (lambda lib, x, w: lib.nn.functional.conv2d(x, w, padding="same", stride=2),
     ((1, 5, 5), W16)),
    (lambda lib, x, w: lib.nn.functional.conv2d(x, w, padding="foo"), ((1, 5, 5), W16)),
    (lambda lib, x, w: lib.nn.functional.conv2d(x, w, stride=0), ((1, 5, 5), W16)),
    (lambda lib, x, w: lib.nn.functional.conv2d(x, w, padding=-1), ((1, 5, 5), W16)),
    (lambda lib, x, w: lib.nn.functional.conv2d(x, w, dilation=0), ((1, 5, 5), W16)),
    (lambda lib, x, w: lib.nn.functional.conv2d(x, w, dilation=-1), ((1, 5, 5), W16)),
    (lambda lib, x, w: lib.nn.functional.conv2d(x, w, groups=0), ((1, 5, 5), W16)),
    (lambda lib, x, w: lib.nn.functional.conv2d(x, w, groups=3), ((1, 3, 5, 5), W16)),
    (lambda lib, x, w: lib.nn.functional.conv2d(x, w, groups=32), ((1, 32, 5, 5), W16)),
    (lambda lib, x, w: lib.nn.functional.conv2d(x, w, stride=(1, 1, 1)), ((1, 5, 5), W16)),
    (lambda lib, x, w: lib.nn.functional.conv2d(x, w, padding=(1, 1, 1)), ((1, 5, 5), W16)),
    (lambda lib, x, w: lib.nn.functional.conv2d(x, w[..., 0]), ((1, 1, 5, 5), W16)),
    (lambda lib, x, w: lib.nn.functional.conv2d(x.double(), w), ((1, 1, 5, 5), W16)),
    (lambda lib, x, w: lib.nn.functional.conv2d(x, w.double()), ((1, 1, 5, 5), W16)),
    (lambda lib, x, w: lib.nn.functional.conv2d(x, w, lib.ones(16, dtype=lib.float64)),
     ((1, 1, 5, 5), W16)),
    (lambda lib, x, w: lib.nn.functional.conv2d(x, w, lib.ones(15)), ((1, 1, 5, 5), W16)),
    (lambda lib, x, w: lib.nn.functional.conv_transpose2d(x, w), ((1, 4, 5, 5), W16)),
    (lambda lib, x, w: lib.nn.functional.conv_transpose2d(x, w, lib.ones(3)),
     ((1, 16, 5, 5), W16)),
    (lambda lib, x, w: lib.nn.functional.conv_transpose2d(x, w, output_padding=1),
     ((1, 16, 5, 5), W16)),
    (lambda lib, x, w: lib.nn.functional.conv_transpose2d(x, w, output_padding=2, stride=2),
     ((1, 16, 5, 5), W16)),
    (lambda lib, x, w: lib.nn.functional.conv_transpose1d(x, w[..., 0], output_padding=1),
     ((1, 16, 5), W16)),
    (lambda lib, x, w: lib.nn.functional.conv_transpose3d(x, w[..., None],
                                                          output_padding=(0, 1, 0)),
     ((1, 16, 5, 5, 5), W16)),
    (lambda lib, x, w: lib.nn.functional.conv_transpose2d(x, w, padding=2),
     ((1, 16, 1, 1), W16)),
    (lambda lib, x, w: lib.nn.functional.conv_transpose2d(x, w, padding="same"),
     ((1, 16, 5, 5), W16)),
    (lambda lib, x, w: lib.nn.functional.conv_transpose2d(x, w, output_padding=(1, 1, 1)),
     ((1, 16, 5, 5), W16)),
])
def test_conv_errors(run, inputs):
    shape, weight = inputs
    check_error(run, normal(*shape, dtype=np.float32), weight)


@pytest.mark.parametrize("make", [
    lambda lib: lib.nn.Conv2d(4, 4, 3, groups=0),
    lambda lib: lib.nn.Conv2d(3, 4, 3, groups=2),
    lambda lib: lib.nn.Conv2d(4, 3, 3, groups=2),
    lambda lib: lib.nn.Conv2d(4, 4, 3, padding="same", stride=2),
    lambda lib: lib.nn.ConvTranspose2d(4, 4, 3, padding_mode="reflect"),
])
def test_conv_module_constructor_errors(make):
    check_error(make)


def _sorted_sets(message):
    """The message with each {...} set printout's items sorted: Python's set order depends on
    the hash seed of the process that compiled the set literal, in torch as in ember."""
    return re.sub(r"\{[^}]*\}", lambda found: str(sorted(found.group(0)[1:-1].split(", "))),
                  message)


@pytest.mark.parametrize("options", [dict(padding="full"), dict(padding_mode="mirror")])
def test_conv_module_set_worded_errors(options):
    with pytest.raises(ValueError) as theirs:
        torch.nn.Conv2d(4, 4, 3, **options)
    with pytest.raises(ValueError) as mine:
        ember.nn.Conv2d(4, 4, 3, **options)
    assert _sorted_sets(str(mine.value)) == _sorted_sets(str(theirs.value))


def test_conv_module_wrong_channels():
    def run(lib, x):
        lib.manual_seed(0)
        return lib.nn.Conv2d(1, 16, 3)(x)

    check_error(run, normal(64, 3, 28, 28, dtype=np.float32))


@given(st.data())
@settings(max_examples=25, deadline=None)
def test_conv2d_random_geometry_and_layouts(data):
    groups = data.draw(st.sampled_from([1, 2]))
    cin = groups * data.draw(st.integers(1, 2))
    cout = groups * data.draw(st.integers(1, 2))
    kernel = tuple(data.draw(st.integers(1, 3)) for _ in range(2))
    stride = tuple(data.draw(st.integers(1, 3)) for _ in range(2))
    dilation = tuple(data.draw(st.integers(1, 2)) for _ in range(2))
    padding = tuple(data.draw(st.integers(0, 2)) for _ in range(2))
    spatial = tuple(d * (k - 1) + 1 + data.draw(st.integers(0, 4)) for k, d in
                    zip(kernel, dilation))
    channels_last = data.draw(st.booleans())
    x = normal(2, *spatial, cin) if channels_last else normal(2, cin, *spatial)

    def run(lib, x, w, b):
        source = x.permute(0, 3, 1, 2) if channels_last else x
        return lib.nn.functional.conv2d(source, w, b, stride, padding, dilation, groups)

    check(run, grad_input(x), grad_input(normal(cout, cin // groups, *kernel)),
          grad_input(normal(cout)))
