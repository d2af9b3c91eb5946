"""F.pad in every mode and the padding modules against torch: values, grad_fn names,
gradients, double backward, finite differences, reprs and errors."""
import numpy as np
import pytest
import torch

import ember
from oracle import check, check_error, finite_differences, grad_input

RNG = np.random.default_rng(0)


def normal(*shape, dtype=np.float64):
    return RNG.standard_normal(shape).astype(dtype)


PAD_CASES = [
    ((1, 2), (2, 3, 5)),
    ((2, 1, 0, 3), (2, 3, 5, 6)),
    ((-1, 2, 1, -2), (2, 3, 5, 6)),
    ((1, 1, 2, 1, 1, 2), (2, 3, 4, 5, 4)),
    ((1, 2), (3, 5)),
    ((1, 2, 2, 1), (3, 5, 4)),
    ((0, 0), (2, 3, 4)),
    ((-2, -2, 0, 0), (1, 2, 3, 4)),
]


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("pad,shape", PAD_CASES)
def test_pad_modes(mode, pad, shape):
    check(lambda lib, x: lib.nn.functional.pad(x, pad, mode=mode), grad_input(normal(*shape)))


@pytest.mark.parametrize("pad", [(1, 2), (2, 0, 1, 1), (1, 1, 1, 1, 1, 1, 1, 1), (-1, 3),
                                 (0, 0, -2, 1)])
@pytest.mark.parametrize("value", [None, 0, 2.5, -1])
def test_pad_constant(pad, value):
    check(lambda lib, x: lib.nn.functional.pad(x, pad, value=value),
          grad_input(normal(2, 3, 4, 5, dtype=np.float32)))


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8, np.bool_])
def test_pad_constant_integer_and_bool(dtype):
    x = RNG.integers(0, 5, (2, 3)).astype(dtype)
    check(lambda lib, x: lib.nn.functional.pad(x, (1, 2, 1, 0), value=2.7), x)
    if dtype == np.bool_:
        check_error(lambda lib, x: lib.nn.functional.pad(x, (1, 1), mode="replicate"), x[None])
        check_error(lambda lib, x: lib.nn.functional.pad(x, (1, 1, 1, 1), mode="reflect"), x[None])
    else:
        check(lambda lib, x: lib.nn.functional.pad(x, (1, 1), mode="replicate"), x[None])


def test_pad_non_contiguous_input():
    x = normal(4, 6, 5)
    check(lambda lib, x: lib.nn.functional.pad(x.transpose(0, 2), (1, 2, 2, 1), mode="reflect"),
          grad_input(x))
    check(lambda lib, x: lib.nn.functional.pad(x[:, ::2], (1, 2), mode="circular"),
          grad_input(x))


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
def test_pad_double_backward(mode):
    def run(lib, x):
        out = lib.nn.functional.pad(x, (1, 2, 2, 1), mode=mode)
        grad, = lib.autograd.grad((out ** 3).sum(), x, create_graph=True)
        return grad

    # circular padding is composed of slice copies; the history ember's CopySlices gives the
    # gradient differs in name (ViewBackward0 for torch's SliceBackwardBackward0), not in value
    check(run, grad_input(normal(2, 3, 4, 5)), grad_fn=mode != "circular")


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
def test_pad_finite_differences(mode):
    finite_differences(lambda x: ember.nn.functional.pad(x, (2, 1, 1, 2), mode=mode),
                       normal(1, 2, 3, 4))


@pytest.mark.parametrize("pad,shape,mode", [
    ((1, 1, 1), (1, 2, 3, 3), "constant"),
    ((1,) * 10, (1, 2, 3, 3), "constant"),
    ((-1, -1, -2, -2), (1, 2, 3, 3), "constant"),
    ((-2, -2), (1, 2, 3, 3), "constant"),
    ((3, 3, 1, 1), (1, 2, 3, 3), "reflect"),
    ((1, 1, 3, 3), (1, 2, 3, 3), "reflect"),
    ((1, 1), (1, 2, 3, 3), "reflect"),
    ((1, 1), (3,), "reflect"),
    ((1, 1), (1, 2, 3, 3), "replicate"),
    ((-5, 1), (1, 3, 4), "replicate"),
    ((-3, -2), (1, 2, 4), "replicate"),
    ((-1, -1, -3, -2), (1, 2, 3, 4), "replicate"),
    ((4, 4, 1, 1), (1, 2, 3, 3), "circular"),
    ((1, 1, 1), (1, 2, 3, 3), "circular"),
    ((1, 1, 1, 1), (1, 2, 3, 3), "foo"),
    ((1, 1), (1, 0, 3), "reflect"),
    ((1, 1), (1, 2, 0), "replicate"),
])
def test_pad_errors(pad, shape, mode):
    check_error(lambda lib, x: lib.nn.functional.pad(x, pad, mode=mode), normal(*shape))


def test_pad_value_with_non_constant_mode():
    check_error(lambda lib, x: lib.nn.functional.pad(x, (1, 1, 1, 1), mode="reflect", value=1),
                normal(1, 2, 3, 3))
    check(lambda lib, x: lib.nn.functional.pad(x, (1, 1), mode="replicate", value=0),
          grad_input(normal(3, 4)))


MODULE_CASES = [
    ("ZeroPad1d", (1, 2), (2, 3, 4)), ("ZeroPad2d", 1, (2, 3, 4, 5)),
    ("ZeroPad2d", (1, 2, 0, 3), (3, 4, 5)), ("ZeroPad3d", 1, (1, 2, 3, 4, 3)),
    ("ConstantPad1d", 2, (2, 3, 4)), ("ConstantPad2d", (1, 0, 2, 1), (2, 3, 4, 5)),
    ("ConstantPad3d", (1, 0, 2, 1, 0, 1), (1, 2, 3, 4, 3)),
    ("ReflectionPad1d", 2, (2, 3, 4)), ("ReflectionPad2d", (1, 2, 3, 0), (2, 3, 4, 5)),
    ("ReflectionPad3d", 1, (1, 2, 3, 4, 3)), ("ReplicationPad1d", (3, 1), (2, 3, 4)),
    ("ReplicationPad2d", 2, (3, 4, 5)), ("ReplicationPad3d", (1, 2, 0, 1, 2, 0), (1, 2, 3, 4, 3)),
    ("CircularPad1d", (1, 2), (2, 3, 4)), ("CircularPad2d", 1, (2, 3, 4, 5)),
    ("CircularPad3d", (1, 0, 2, 1, 0, 1), (1, 2, 3, 4, 3)),
]


@pytest.mark.parametrize("name,padding,shape", MODULE_CASES)
def test_padding_modules(name, padding, shape):
    def build(lib):
        if name.startswith("ConstantPad"):
            return getattr(lib.nn, name)(padding, 1.5)
        return getattr(lib.nn, name)(padding)

    mine, theirs = build(ember), build(torch)
    assert repr(mine) == repr(theirs)
    assert mine.padding == theirs.padding
    check(lambda lib, x: build(lib)(x), grad_input(normal(*shape)))


@pytest.mark.parametrize("name,shape", [("CircularPad1d", (3,)), ("CircularPad2d", (2, 3)),
                                        ("CircularPad3d", (2, 3, 4))])
def test_circular_pad_module_rank_error(name, shape):
    check_error(lambda lib, x: getattr(lib.nn, name)(1)(x), normal(*shape))
