"""Vision ops against torch: F.interpolate (nearest, nearest-exact, linear, bilinear, bicubic,
trilinear, area; align_corners, scale factors, recompute_scale_factor), Upsample modules,
pixel_shuffle/pixel_unshuffle, channel_shuffle, unfold/fold and their modules: values,
grad_fn names, gradients, double backward, finite differences, reprs and errors."""
import numpy as np
import pytest
import torch

import ember
from oracle import check, check_error, finite_differences, grad_input

RNG = np.random.default_rng(0)


def normal(*shape, dtype=np.float64):
    return RNG.standard_normal(shape).astype(dtype)


def interpolate(**options):
    return lambda lib, x: lib.nn.functional.interpolate(x, **options)


X1 = (2, 3, 5)
X2 = (2, 3, 5, 6)
X3 = (1, 2, 3, 4, 5)

INTERPOLATE_CASES = [
    (X2, dict(scale_factor=2)),
    (X2, dict(size=(7, 4))),
    (X2, dict(scale_factor=1.7)),
    (X2, dict(scale_factor=(0.6, 1.3), recompute_scale_factor=True)),
    (X2, dict(scale_factor=(0.6, 1.3))),
    (X2, dict(size=(7, 11), mode="nearest-exact")),
    (X2, dict(scale_factor=0.5, mode="nearest-exact")),
    (X1, dict(size=8)),
    (X1, dict(scale_factor=3, mode="nearest-exact")),
    (X3, dict(size=(5, 7, 3))),
    (X2, dict(size=(7, 11), mode="bilinear")),
    (X2, dict(size=(7, 11), mode="bilinear", align_corners=True)),
    (X2, dict(scale_factor=1.7, mode="bilinear")),
    (X2, dict(size=(3, 2), mode="bilinear")),
    (X2, dict(size=(1, 1), mode="bilinear", align_corners=True)),
    (X1, dict(size=9, mode="linear")),
    (X1, dict(size=9, mode="linear", align_corners=True)),
    (X1, dict(scale_factor=0.4, mode="linear")),
    (X3, dict(size=(5, 7, 3), mode="trilinear")),
    (X3, dict(scale_factor=2, mode="trilinear", align_corners=True)),
    (X2, dict(size=(7, 11), mode="bicubic")),
    (X2, dict(size=(7, 11), mode="bicubic", align_corners=True)),
    (X2, dict(scale_factor=0.5, mode="bicubic")),
    (X2, dict(size=(3, 4), mode="area")),
    (X2, dict(scale_factor=0.5, mode="area")),
    (X1, dict(size=3, mode="area")),
    (X3, dict(size=(2, 3, 2), mode="area")),
]


@pytest.mark.parametrize("shape,options", INTERPOLATE_CASES)
def test_interpolate(shape, options):
    check(interpolate(**options), grad_input(normal(*shape)))


@pytest.mark.parametrize("shape,options", INTERPOLATE_CASES[::3])
def test_interpolate_float32(shape, options):
    check(interpolate(**options), grad_input(normal(*shape, dtype=np.float32)))


def test_interpolate_nearest_keeps_nan_and_infinity_local():
    x = normal(1, 1, 3, 3)
    x[0, 0, 0, 0] = np.nan
    x[0, 0, 2, 2] = np.inf
    check(interpolate(scale_factor=2), grad_input(x))


@pytest.mark.parametrize("mode,options", [("nearest", {}), ("bilinear", {}),
                                          ("bicubic", dict(align_corners=True))])
def test_interpolate_double_backward(mode, options):
    def run(lib, x):
        out = lib.nn.functional.interpolate(x, size=(7, 4), mode=mode, **options)
        grad, = lib.autograd.grad((out ** 3).sum(), x, create_graph=True)
        return grad

    check(run, grad_input(normal(*X2)), grad_fn=False)


@pytest.mark.parametrize("options", [dict(size=(4, 7), mode="bilinear"),
                                     dict(scale_factor=1.5, mode="bicubic"),
                                     dict(size=(5, 3), mode="nearest")])
def test_interpolate_finite_differences(options):
    finite_differences(lambda x: ember.nn.functional.interpolate(x, **options),
                       normal(1, 2, 3, 4))


@pytest.mark.parametrize("shape,options", [
    (X2, dict(size=3, scale_factor=2)),
    (X2, dict()),
    (X2, dict(size=(3,))),
    (X2, dict(scale_factor=(2,))),
    (X2, dict(size=3, align_corners=True)),
    (X2, dict(size=3, recompute_scale_factor=True)),
    (X2, dict(size=3, mode="linear")),
    ((3, 5, 6), dict(size=3, mode="bilinear")),
    (X2, dict(size=3, mode="trilinear")),
    (X2, dict(size=3, mode="foo")),
    (X2, dict(size=0)),
    (X2, dict(scale_factor=0.1)),
    ((5, 6), dict(size=3)),
])
def test_interpolate_errors(shape, options):
    check_error(interpolate(**options), normal(*shape, dtype=np.float32))


@pytest.mark.parametrize("make,shape", [
    (lambda lib: lib.nn.Upsample(scale_factor=2), X2),
    (lambda lib: lib.nn.Upsample(size=(3, 4), mode="bilinear"), X2),
    (lambda lib: lib.nn.Upsample(scale_factor=(2, 3)), X2),
    (lambda lib: lib.nn.Upsample(size=7, mode="linear", align_corners=True), X1),
    (lambda lib: lib.nn.Upsample(scale_factor=1.5, mode="bicubic"), X2),
    (lambda lib: lib.nn.Upsample(scale_factor=0.5, mode="area", recompute_scale_factor=True),
     X2),
    (lambda lib: lib.nn.UpsamplingNearest2d(scale_factor=2), X2),
    (lambda lib: lib.nn.UpsamplingBilinear2d(size=3), X2),
])
def test_upsample_modules(make, shape):
    assert repr(make(ember)) == repr(make(torch))
    check(lambda lib, x: make(lib)(x), grad_input(normal(*shape)))


# ---- shuffles --------------------------------------------------------------------------------

@pytest.mark.parametrize("shape,factor", [((2, 8, 3, 4), 2), ((18, 2, 3), 3),
                                          ((2, 1, 4, 2, 1), 1), ((2, 3, 4, 8, 2), 2)])
def test_pixel_shuffle(shape, factor):
    check(lambda lib, x: lib.nn.functional.pixel_shuffle(x, factor), grad_input(normal(*shape)))
    check(lambda lib, x: lib.nn.PixelShuffle(factor)(x), grad_input(normal(*shape)))
    assert repr(ember.nn.PixelShuffle(factor)) == repr(torch.nn.PixelShuffle(factor))


@pytest.mark.parametrize("shape,factor", [((2, 3, 4, 6), 2), ((2, 6, 9), 3),
                                          ((2, 2, 3, 4, 4), 2)])
def test_pixel_unshuffle(shape, factor):
    check(lambda lib, x: lib.nn.functional.pixel_unshuffle(x, factor), grad_input(normal(*shape)))
    check(lambda lib, x: lib.nn.PixelUnshuffle(factor)(x), grad_input(normal(*shape)))
    assert repr(ember.nn.PixelUnshuffle(factor)) == repr(torch.nn.PixelUnshuffle(factor))


@pytest.mark.parametrize("shape,groups", [((2, 6, 4, 3), 3), ((2, 6, 5), 2), ((1, 4, 2, 2, 2), 4)])
def test_channel_shuffle(shape, groups):
    check(lambda lib, x: lib.nn.functional.channel_shuffle(x, groups), grad_input(normal(*shape)))
    check(lambda lib, x: lib.nn.ChannelShuffle(groups)(x), grad_input(normal(*shape)))
    assert repr(ember.nn.ChannelShuffle(groups)) == repr(torch.nn.ChannelShuffle(groups))


def test_shuffle_double_backward():
    def run(lib, x):
        out = lib.nn.functional.pixel_shuffle(lib.nn.functional.channel_shuffle(x, 2), 2)
        grad, = lib.autograd.grad((out ** 3).sum(), x, create_graph=True)
        return grad

    check(run, grad_input(normal(2, 8, 3, 2)), grad_fn=False)


@pytest.mark.parametrize("function,argument,shape", [
    ("pixel_shuffle", 2, (2, 4)), ("pixel_shuffle", 2, (1, 5, 2, 2)), ("pixel_shuffle", 0, X2),
    ("pixel_unshuffle", 2, (2, 4)), ("pixel_unshuffle", 2, (1, 4, 5, 6)),
    ("pixel_unshuffle", 2, (1, 4, 4, 5)), ("pixel_unshuffle", 0, X2),
    ("channel_shuffle", 2, (1, 5, 2, 2)), ("channel_shuffle", 0, X2),
    ("channel_shuffle", 2, (6,)),
])
def test_shuffle_errors(function, argument, shape):
    check_error(lambda lib, x: getattr(lib.nn.functional, function)(x, argument),
                normal(*shape, dtype=np.float32))


# ---- unfold / fold ---------------------------------------------------------------------------

@pytest.mark.parametrize("shape,options", [
    (X2, dict(kernel_size=2)),
    (X2, dict(kernel_size=(2, 3), dilation=(1, 2), padding=1, stride=(2, 1))),
    ((3, 5, 6), dict(kernel_size=(2, 3))),
    ((1, 2, 7, 7), dict(kernel_size=3, stride=3)),
])
def test_unfold(shape, options):
    check(lambda lib, x: lib.nn.functional.unfold(x, **options), grad_input(normal(*shape)))
    check(lambda lib, x: lib.nn.Unfold(**options)(x), grad_input(normal(*shape)))
    assert repr(ember.nn.Unfold(**options)) == repr(torch.nn.Unfold(**options))


@pytest.mark.parametrize("shape,output_size,options", [
    ((2, 12, 18), (5, 6), dict(kernel_size=(2, 3), stride=(1, 2), padding=1)),
    ((2, 8, 16), 5, dict(kernel_size=2, dilation=(1, 1))),
    ((8, 20), (5, 6), dict(kernel_size=2)),
    ((1, 9, 4), (6, 6), dict(kernel_size=3, stride=3)),
])
def test_fold(shape, output_size, options):
    check(lambda lib, x: lib.nn.functional.fold(x, output_size, **options),
          grad_input(normal(*shape)))
    check(lambda lib, x: lib.nn.Fold(output_size, **options)(x), grad_input(normal(*shape)))
    assert repr(ember.nn.Fold(output_size, **options)) == repr(
        torch.nn.Fold(output_size, **options))


def test_fold_unfold_double_backward_and_finite_differences():
    def run(lib, x):
        out = lib.nn.functional.fold(lib.nn.functional.unfold(x, 2, padding=1), (4, 5), 2,
                                     padding=1)
        grad, = lib.autograd.grad((out ** 3).sum(), x, create_graph=True)
        return grad

    check(run, grad_input(normal(1, 2, 4, 5)), grad_fn=False)
    finite_differences(lambda x: ember.nn.functional.unfold(x, (2, 2), stride=(1, 2)),
                       normal(1, 2, 3, 4))


@pytest.mark.parametrize("function,shape,args,options", [
    ("unfold", (5, 6), (2,), {}),
    ("unfold", (5,), (2,), {}),
    ("unfold", (1, 2, 3, 4, 5), (2,), {}),
    ("unfold", X2, (7,), {}),
    ("unfold", X2, (2,), dict(padding=-1)),
    ("unfold", X2, (0,), {}),
    ("unfold", X2, (2,), dict(stride=0)),
    ("unfold", X2, ((2, 2, 2),), {}),
    ("fold", (1, 7, 20), ((5, 6), 2), {}),
    ("fold", (1, 8, 20, 1), ((5, 6), 2), {}),
    ("fold", (2, 12, 24), ((5, 6), (2, 3)), dict(stride=(1, 2), padding=1)),
    ("fold", (2, 18, 4), ((2, 2), 3), {}),
])
def test_fold_unfold_errors(function, shape, args, options):
    check_error(lambda lib, x: getattr(lib.nn.functional, function)(x, *args, **options),
                normal(*shape, dtype=np.float32))


@pytest.mark.parametrize("name,args", [("upsample", (None, 2)), ("upsample_nearest", (None, 2)),
                                       ("upsample_bilinear", ((3, 7),))])
def test_deprecated_upsample_functionals(name, args):
    for library in (ember, torch):
        with pytest.warns(UserWarning, match=f"`nn.functional.{name}` is deprecated"):
            getattr(library.nn.functional, name)(library.ones(1, 1, 2, 3), *args)
    with pytest.warns(UserWarning):
        check(lambda lib, x: getattr(lib.nn.functional, name)(x, *args),
              grad_input(normal(1, 2, 2, 3)))
