"""Pooling against torch: max/avg/adaptive/LP pooling and max unpooling (functionals and
modules) over option grids, with indices, grad_fn names, gradients, double backward, finite
differences, NaN and tie rules, reprs and errors."""
import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st

import ember
from oracle import check, check_error, finite_differences, grad_input

RNG = np.random.default_rng(0)


def normal(*shape, dtype=np.float64):
    return RNG.standard_normal(shape).astype(dtype)


def functional(name, *args, **options):
    return lambda lib, x: getattr(lib.nn.functional, name)(x, *args, **options)


MAX_CASES = [
    ("max_pool2d", (2, 3, 9, 8), (2,), {}),
    ("max_pool2d", (2, 3, 9, 8), (3,), dict(stride=2, padding=1, ceil_mode=True)),
    ("max_pool2d", (2, 3, 9, 8), ((3, 2),), dict(stride=(1, 2), padding=(1, 0), dilation=(2, 1))),
    ("max_pool2d", (3, 7, 7), (3,), dict(stride=2, ceil_mode=True)),
    ("max_pool2d", (1, 2, 5, 5), (2,), dict(stride=1, padding=1, ceil_mode=True)),
    ("max_pool1d", (2, 3, 9), (3,), dict(stride=2, padding=1, ceil_mode=True)),
    ("max_pool1d", (3, 10), (2,), dict(dilation=2)),
    ("max_pool3d", (2, 2, 5, 6, 7), (2,), dict(stride=(1, 2, 2), padding=1)),
    ("max_pool3d", (2, 5, 4, 5), ((2, 3, 2),), dict(ceil_mode=True)),
]


@pytest.mark.parametrize("name,shape,args,options", MAX_CASES)
@pytest.mark.parametrize("return_indices", [False, True])
def test_max_pool(name, shape, args, options, return_indices):
    check(functional(name, *args, return_indices=return_indices, **options),
          grad_input(normal(*shape)))


@pytest.mark.parametrize("name,shape,args,options", MAX_CASES[:3] + MAX_CASES[5:6])
def test_max_pool_with_indices_functionals(name, shape, args, options):
    check(functional(name + "_with_indices", *args, **options), grad_input(normal(*shape)))


def test_max_pool_ties_nan_and_infinity():
    x = np.array([[[[1.0, 1.0, 2.0, 2.0], [1.0, 1.0, 2.0, 2.0],
                    [np.nan, 3.0, -np.inf, -np.inf], [4.0, np.nan, -np.inf, -np.inf]]]])
    check(functional("max_pool2d", 2, return_indices=True), grad_input(x))
    check(functional("max_pool2d", 3, stride=1, padding=1, return_indices=True), grad_input(x))
    check(functional("max_pool2d", 2, return_indices=True),
          np.full((1, 1, 4, 4), -np.inf))
    check(functional("max_pool2d", 2, padding=1, return_indices=True),
          np.full((1, 1, 3, 3), -np.inf))


@pytest.mark.parametrize("name,shape,args,options", MAX_CASES)
def test_max_pool_indices_with_many_ties(name, shape, args, options):
    # three distinct values: most windows hold several maxima, and PyTorch picks the first
    x = RNG.integers(0, 3, shape).astype(np.float32)
    check(functional(name, *args, return_indices=True, **options), x)


@pytest.mark.parametrize("dtype", [np.int64, np.float32])
def test_max_pool_dtypes(dtype):
    x = RNG.integers(-9, 9, (2, 3, 6, 6)).astype(dtype)
    check(functional("max_pool2d", 3, stride=2, padding=1, return_indices=True), x)


AVG_CASES = [
    ("avg_pool2d", (2, 3, 9, 8), (2,), {}),
    ("avg_pool2d", (2, 3, 9, 8), (3,), dict(stride=2, padding=1, ceil_mode=True)),
    ("avg_pool2d", (2, 3, 9, 8), ((3, 2),), dict(stride=(1, 2), padding=(1, 1))),
    ("avg_pool2d", (3, 7, 7), (3,), dict(stride=2, ceil_mode=True)),
    ("avg_pool1d", (2, 3, 9), (3,), dict(stride=2, padding=1, ceil_mode=True)),
    ("avg_pool1d", (3, 10), (4,), dict(stride=3)),
    ("avg_pool3d", (2, 2, 5, 6, 7), (2,), dict(stride=(1, 2, 2), padding=1)),
    ("avg_pool3d", (2, 5, 4, 5), ((2, 3, 2),), dict(ceil_mode=True, padding=(1, 1, 0))),
]


@pytest.mark.parametrize("name,shape,args,options", AVG_CASES)
@pytest.mark.parametrize("count_include_pad", [True, False])
def test_avg_pool(name, shape, args, options, count_include_pad):
    check(functional(name, *args, count_include_pad=count_include_pad, **options),
          grad_input(normal(*shape)))


@pytest.mark.parametrize("divisor", [1, 3])
def test_avg_pool_divisor_override(divisor):
    check(functional("avg_pool2d", 3, stride=2, padding=1, divisor_override=divisor),
          grad_input(normal(2, 3, 7, 6)))
    check(functional("avg_pool3d", 2, divisor_override=divisor),
          grad_input(normal(1, 2, 4, 4, 4)))


def test_avg_pool_integer():
    check(functional("avg_pool2d", 2), RNG.integers(0, 20, (1, 2, 4, 6)))


@pytest.mark.parametrize("name,shape,size", [
    ("adaptive_avg_pool2d", (2, 3, 9, 8), (4, 3)),
    ("adaptive_avg_pool2d", (2, 3, 9, 8), 1),
    ("adaptive_avg_pool2d", (3, 7, 5), (None, 3)),
    ("adaptive_avg_pool2d", (2, 3, 4, 4), (8, 6)),
    ("adaptive_avg_pool1d", (2, 3, 10), 4),
    ("adaptive_avg_pool1d", (3, 10), 1),
    ("adaptive_avg_pool3d", (2, 2, 5, 6, 7), (2, 3, 4)),
    ("adaptive_avg_pool3d", (2, 5, 6, 7), 1),
    ("adaptive_max_pool2d", (2, 3, 9, 8), (4, 3)),
    ("adaptive_max_pool2d", (2, 3, 9, 8), (3, 4)),
    ("adaptive_max_pool2d", (3, 7, 5), (None, 2)),
    ("adaptive_max_pool2d", (2, 3, 4, 4), (6, 5)),
    ("adaptive_max_pool1d", (2, 3, 10), 3),
    ("adaptive_max_pool3d", (2, 2, 5, 6, 7), (2, 3, 4)),
])
def test_adaptive_pool(name, shape, size):
    check(functional(name, size), grad_input(normal(*shape)))
    if "max" in name:
        check(functional(name, size, return_indices=True), grad_input(normal(*shape)))


@pytest.mark.parametrize("name,args,shape", [
    ("lp_pool2d", (2, 3), (2, 3, 7, 7)), ("lp_pool2d", (3.0, 2), (2, 3, 6, 6)),
    ("lp_pool2d", (2, (3, 2), (2, 1)), (2, 3, 7, 7)), ("lp_pool1d", (2, 3), (2, 3, 9)),
    ("lp_pool1d", (1.5, 2, 1), (3, 9)), ("lp_pool3d", (2, 2), (1, 2, 4, 4, 4)),
])
def test_lp_pool(name, args, shape):
    check(functional(name, *args), grad_input(np.abs(normal(*shape)) + 0.1))


@pytest.mark.parametrize("dims,shape,options", [
    (2, (2, 3, 8, 6), dict(kernel_size=2)),
    (2, (2, 3, 9, 7), dict(kernel_size=3, stride=2, padding=1)),
    (1, (2, 3, 10), dict(kernel_size=2)),
    (3, (1, 2, 4, 6, 4), dict(kernel_size=2)),
])
def test_max_unpool(dims, shape, options):
    def run(lib, x):
        F = lib.nn.functional
        out, indices = getattr(F, f"max_pool{dims}d")(x, return_indices=True, **options)
        return getattr(F, f"max_unpool{dims}d")(out, indices, output_size=shape[2:], **options)

    check(run, grad_input(normal(*shape)))


def test_max_unpool_errors():
    def run(output_size):
        def function(lib, x):
            out, indices = lib.nn.functional.max_pool2d(x, 2, return_indices=True)
            return lib.nn.functional.max_unpool2d(out, indices, 2, output_size=output_size)
        return function

    check_error(run((9, 9)), normal(1, 2, 5, 5))
    indices = np.array([[[[0, 1], [4, 17]]]])
    check_error(lambda lib, x, i: lib.nn.functional.max_unpool2d(x, i, 2), normal(1, 1, 2, 2),
                indices)


@pytest.mark.parametrize("name,args,options", [
    ("max_pool2d", (3,), dict(stride=1, padding=1)),
    ("avg_pool2d", (3,), dict(stride=2, padding=1, ceil_mode=True, count_include_pad=False)),
    ("adaptive_avg_pool2d", ((3, 2),), {}),
    ("adaptive_max_pool2d", ((3, 2),), {}),
    ("max_pool1d", (2,), {}),
    ("avg_pool1d", (3,), dict(padding=1)),
    ("lp_pool2d", (2, 2), {}),
])
def test_pool_finite_differences(name, args, options):
    # distinct values keep the max away from ties, where it is not differentiable
    x = RNG.permutation(60).reshape(1, 2, 5, 6) / 7.0 + 0.5
    if name.endswith("1d"):
        x = x.reshape(2, 5, 6)
    finite_differences(lambda t: getattr(ember.nn.functional, name)(t, *args, **options), x)


@pytest.mark.parametrize("name,args", [("max_pool2d", (3, 1, 1)), ("avg_pool2d", (3, 2, 1)),
                                       ("adaptive_avg_pool2d", ((3, 2),)),
                                       ("adaptive_max_pool2d", ((3, 2),)),
                                       ("max_pool3d", (2,)), ("avg_pool3d", (2,))])
def test_pool_double_backward(name, args):
    def run(lib, x):
        out = getattr(lib.nn.functional, name)(x, *args)
        grad, = lib.autograd.grad((out ** 3).sum(), x, create_graph=True)
        return grad * x

    shape = (1, 2, 4, 4, 4) if name.endswith("3d") else (2, 3, 6, 5)
    check(run, grad_input(normal(*shape)), grad_fn=False)


# ---- modules ---------------------------------------------------------------------------------

MODULE_CASES = [
    ("MaxPool1d", (3,), dict(stride=2, padding=1), (2, 3, 9)),
    ("MaxPool2d", (2,), {}, (2, 3, 8, 8)),
    ("MaxPool2d", ((3, 2),), dict(stride=1, padding=(1, 0), dilation=(1, 2), ceil_mode=True),
     (2, 3, 7, 8)),
    ("MaxPool2d", (2,), dict(return_indices=True), (2, 3, 8, 8)),
    ("MaxPool3d", (2,), dict(stride=1), (1, 2, 4, 5, 4)),
    ("AvgPool1d", (3,), dict(stride=2, padding=1, count_include_pad=False), (2, 3, 9)),
    ("AvgPool2d", (3,), dict(stride=2, padding=1, ceil_mode=True, divisor_override=2),
     (2, 3, 8, 7)),
    ("AvgPool3d", ((2, 2, 1),), {}, (1, 2, 4, 5, 4)),
    ("AdaptiveAvgPool1d", (4,), {}, (2, 3, 9)),
    ("AdaptiveAvgPool2d", ((3, None),), {}, (2, 3, 8, 7)),
    ("AdaptiveAvgPool3d", (2,), {}, (1, 2, 4, 5, 4)),
    ("AdaptiveMaxPool1d", (4,), {}, (2, 3, 9)),
    ("AdaptiveMaxPool2d", ((3, 4),), dict(return_indices=True), (2, 3, 8, 7)),
    ("AdaptiveMaxPool3d", (2,), {}, (1, 2, 4, 5, 4)),
    ("LPPool1d", (2, 3), dict(stride=2), (2, 3, 9)),
    ("LPPool2d", (2, 2), dict(ceil_mode=True), (2, 3, 7, 7)),
    ("LPPool3d", (1.5, 2), {}, (1, 2, 4, 4, 4)),
]


@pytest.mark.parametrize("name,args,options,shape", MODULE_CASES)
def test_pooling_modules(name, args, options, shape):
    def build(lib):
        return getattr(lib.nn, name)(*args, **options)

    assert repr(build(ember)) == repr(build(torch))
    x = normal(*shape)
    if name.startswith("LP"):
        x = np.abs(x) + 0.1
    check(lambda lib, x: build(lib)(x), grad_input(x))


@pytest.mark.parametrize("dims", [1, 2, 3])
def test_max_unpool_modules(dims):
    shape = (2, 3) + (4,) * dims

    def run(lib, x):
        pool = getattr(lib.nn, f"MaxPool{dims}d")(2, return_indices=True)
        unpool = getattr(lib.nn, f"MaxUnpool{dims}d")(2)
        assert repr(unpool).replace("ember", "torch") == repr(
            getattr(torch.nn, f"MaxUnpool{dims}d")(2))
        return unpool(*pool(x))

    check(run, grad_input(normal(*shape)))


# ---- errors ----------------------------------------------------------------------------------

@pytest.mark.parametrize("name,args,options,shape", [
    ("max_pool2d", (3,), dict(padding=2), (1, 2, 5, 5)),
    ("max_pool2d", (0,), {}, (1, 2, 5, 5)),
    ("max_pool2d", (2,), dict(stride=0), (1, 2, 5, 5)),
    ("max_pool2d", (2,), dict(dilation=0), (1, 2, 5, 5)),
    ("max_pool2d", (6,), {}, (1, 2, 5, 5)),
    ("max_pool2d", ((2, 2, 2),), {}, (1, 2, 5, 5)),
    ("max_pool2d", (2,), dict(stride=(1, 1, 1)), (1, 2, 5, 5)),
    ("max_pool2d", (2,), {}, (5,)),
    ("max_pool2d", (2,), {}, (1, 0, 5, 5)),
    ("max_pool1d", (6,), {}, (2, 5, 5)),
    ("max_pool1d", (2,), {}, (1, 2, 5, 5)),
    ("max_pool1d", (3,), dict(padding=2), (2, 5, 5)),
    ("max_pool3d", (6,), {}, (1, 2, 5, 5)),
    ("avg_pool2d", (3,), dict(padding=2), (1, 2, 5, 5)),
    ("avg_pool2d", (6,), {}, (1, 2, 5, 5)),
    ("avg_pool2d", (0,), {}, (1, 2, 5, 5)),
    ("avg_pool2d", (2,), dict(stride=0), (1, 2, 5, 5)),
    ("avg_pool2d", (2,), {}, (5,)),
    ("avg_pool2d", (2,), dict(divisor_override=0), (1, 2, 5, 5)),
    ("avg_pool1d", (6,), {}, (2, 5, 5)),
    ("avg_pool1d", (2,), {}, (1, 2, 5, 5)),
    ("avg_pool1d", (3,), dict(padding=2), (2, 5, 5)),
    ("avg_pool3d", (6,), {}, (1, 2, 5, 5)),
    ("adaptive_avg_pool2d", ((2, 2, 2),), {}, (1, 2, 5, 5)),
    ("adaptive_avg_pool2d", (2,), {}, (5,)),
    ("adaptive_avg_pool2d", (-1,), {}, (1, 2, 5, 5)),
    ("adaptive_max_pool2d", ((2, 2, 2),), {}, (1, 2, 5, 5)),
    ("adaptive_max_pool2d", (2,), {}, (5,)),
    ("adaptive_avg_pool1d", (2,), {}, (1, 2, 5, 5)),
    ("adaptive_max_pool1d", (2,), {}, (1, 2, 5, 5)),
])
def test_pool_errors(name, args, options, shape):
    check_error(functional(name, *args, **options), normal(*shape, dtype=np.float32))


@given(st.data())
@settings(max_examples=25, deadline=None)
def test_pool2d_random_geometry(data):
    kernel = tuple(data.draw(st.integers(1, 3)) for _ in range(2))
    stride = tuple(data.draw(st.integers(1, 3)) for _ in range(2))
    dilation = tuple(data.draw(st.integers(1, 2)) for _ in range(2))
    padding = tuple(data.draw(st.integers(0, (d * (k - 1) + 1) // 2)) for k, d in
                    zip(kernel, dilation))
    avg_padding = tuple(min(p, k // 2) for p, k in zip(padding, kernel))
    ceil_mode = data.draw(st.booleans())
    spatial = tuple(d * (k - 1) + 1 + data.draw(st.integers(0, 4)) for k, d in
                    zip(kernel, dilation))
    x = normal(2, 2, *spatial)
    check(functional("max_pool2d", kernel, stride, padding, dilation, ceil_mode=ceil_mode,
                     return_indices=True), grad_input(x))
    check(functional("avg_pool2d", kernel, stride, avg_padding, ceil_mode=ceil_mode,
                     count_include_pad=data.draw(st.booleans())), grad_input(x))
