"""Casts and copies against torch: to (every overload), the dtype shorthands, type, type_as,
clone/contiguous layouts, copy_, fill_, zero_: values, dtypes, strides, grad_fn names,
gradients, identity when nothing changes, and errors."""
import warnings

import numpy as np
import pytest

import ember
from oracle import check, check_error, grad_input

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32",
          "float64", "complex64", "complex128"]
SHORTHANDS = ["float", "double", "half", "bfloat16", "long", "int", "short", "char", "byte",
              "bool", "cfloat", "cdouble"]

VALUES = np.array([[0.0, 1.5, -2.25], [3.0, -0.5, 7.0]], np.float32)


@pytest.mark.parametrize("target", DTYPES)
def test_to_dtype_from_float(target):
    check(lambda lib, x: x.to(getattr(lib, target)), grad_input(VALUES))


@pytest.mark.parametrize("source", DTYPES)
@pytest.mark.parametrize("target", ["bool", "int64", "float32", "complex128"])
def test_to_between_dtypes(source, target):
    array = np.array([0, 1, 2, 5], np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(lambda lib, x: x.to(getattr(lib, source)).to(getattr(lib, target)), array)


@pytest.mark.parametrize("name", SHORTHANDS)
def test_dtype_shorthands(name):
    check(lambda lib, x: getattr(x, name)(), grad_input(VALUES))
    check(lambda lib, x: getattr(x.t(), name)(), VALUES, strides=True)


def test_same_dtype_returns_self():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    assert x.to(ember.float32) is x and x.float() is x and x.type(ember.float32) is x
    assert x.to("cpu") is x and x.to() is x and x.cpu() is x and x.type_as(x) is x
    assert x.to(ember.float32, copy=True) is not x
    assert x.to(memory_format=ember.contiguous_format) is x


@pytest.mark.parametrize("call", [
    lambda lib, x: x.to("cpu", lib.float64),
    lambda lib, x: x.to(lib.device("cpu"), dtype=lib.float16),
    lambda lib, x: x.to(device="cpu", dtype=lib.float16),
    lambda lib, x: x.to(lib.float32, copy=True),
    lambda lib, x: x.to(lib.float32, False, True),
    lambda lib, x: x.to(lib.zeros(1, dtype=lib.int32)),
    lambda lib, x: x.to(lib.zeros(1, dtype=lib.float64)),
    lambda lib, x: x.to(dtype=lib.float64, non_blocking=True),
    lambda lib, x: x.to("cpu", copy=True),
    lambda lib, x: x.type(lib.float64),
    lambda lib, x: x.type("torch.DoubleTensor"),
    lambda lib, x: x.type("torch.LongTensor"),
    lambda lib, x: x.type(lib.LongTensor),
    lambda lib, x: x.type_as(lib.zeros(1, dtype=lib.int64)),
    lambda lib, x: x.type_as(lib.zeros(1, dtype=lib.float64)),
])
def test_to_overloads(call):
    check(call, grad_input(VALUES))


@pytest.mark.parametrize("layout", ["t", "slice", "expand"])
def test_to_and_clone_layouts(layout):
    def arrange(x):
        return {"t": x.t(), "slice": x[:, ::2], "expand": x[:1].expand(3, 3)}[layout]
    square = np.arange(9.0).reshape(3, 3)
    check(lambda lib, x: arrange(x).to(lib.float32), square, strides=True)
    check(lambda lib, x: arrange(x).clone(), square, strides=True)
    check(lambda lib, x: arrange(x).clone(memory_format=lib.contiguous_format), square,
          strides=True)
    check(lambda lib, x: arrange(x).contiguous(), square, strides=True)
    check(lambda lib, x: arrange(x).clone(memory_format=lib.preserve_format), grad_input(square))


def test_type_strings():
    for name in DTYPES:
        check(lambda lib: lib.zeros(1, dtype=getattr(lib, name)).type())


def test_contiguous_returns_self_when_contiguous():
    x = ember.zeros(2, 3)
    assert x.contiguous() is x
    assert x.t().contiguous() is not x


def test_complex_to_real_warns_and_takes_real_part():
    with pytest.warns(UserWarning, match="Casting complex values to real discards"):
        check(lambda lib: lib.tensor([1 + 2j, -3j]).to(lib.float32))


@pytest.mark.parametrize("call", [
    lambda lib, x: x.to("cuda"),
    lambda lib, x: x.to(1),
    lambda lib, x: x.to("foo"),
    lambda lib, x: x.to(lib.float32, lib.float64),
    lambda lib, x: x.to("cpu", "cpu"),
    lambda lib, x: x.cuda(),
    lambda lib, x: x.type("foo"),
    lambda lib, x: x.type(float),
    lambda lib, x: x.numpy(),
])
def test_conversion_errors(call):
    check_error(call, grad_input(VALUES))


# ---- copy_, fill_, zero_ ---------------------------------------------------------------------

@pytest.mark.parametrize("source", [np.array([1.0, 2.0, 3.0]), np.array(5),
                                    np.array([1, 2, 3], np.int64), np.array([True])])
def test_copy_broadcasts_and_casts(source):
    def run(lib, target, src):
        target.copy_(src)
        return target
    check(run, np.zeros((2, 3), np.float32), source)


def test_copy_gradients():
    def run(lib, target, src):
        result = target * 1
        result.copy_(src)
        return result
    check(run, grad_input(np.zeros((2, 3))), grad_input(np.ones(3)))


@pytest.mark.parametrize("call", [
    lambda lib: lib.tensor([1.0, 2.0]).copy_(lib.zeros(3)),
    lambda lib: lib.zeros(2, 3).copy_(lib.zeros(2)),
    lambda lib: lib.tensor([1.0, 2.0]).copy_([1, 2]),
    lambda lib: lib.tensor([1.0], requires_grad=True).copy_(lib.zeros(1)),
])
def test_copy_errors(call):
    check_error(call)


@pytest.mark.parametrize("value", [2.7, 3, True, -1])
@pytest.mark.parametrize("dtype", ["float32", "int64", "uint8", "bool", "complex64"])
def test_fill(value, dtype):
    check(lambda lib: lib.zeros(2, 2, dtype=getattr(lib, dtype)).fill_(value))
    check(lambda lib: lib.zeros(3, dtype=getattr(lib, dtype)).fill_(lib.tensor(value)))
    check(lambda lib: lib.ones(3, dtype=getattr(lib, dtype)).zero_())


def test_fill_through_a_view_reaches_the_base():
    def run(lib, x):
        x[:, 1].fill_(9)
        x[0].zero_()
        return x
    check(run, np.arange(6.0).reshape(2, 3))


@pytest.mark.parametrize("call", [
    lambda lib: lib.zeros(2).fill_("a"),
    lambda lib: lib.zeros(2).fill_(1j),
    lambda lib: lib.zeros(2).fill_(lib.zeros(2)),
    lambda lib: lib.zeros(2, dtype=lib.int8).fill_(300),
])
def test_fill_errors(call):
    check_error(call)


def test_failed_fill_leaves_target_unchanged():
    target = ember.arange(3.0)
    with pytest.raises(RuntimeError):
        target.fill_(ember.zeros(2))
    with pytest.raises(RuntimeError):
        target.fill_(1j)
    assert target.tolist() == [0.0, 1.0, 2.0] and target._version == 0


@pytest.mark.parametrize("dtype, function", [
    (np.float32, lambda v: v * 2 + 0.5),
    (np.int64, lambda v: v / 2),
    (np.uint8, lambda v: v - 2),
    (np.bool_, lambda v: not v),
    (np.complex64, lambda v: v * 1j),
])
def test_apply_matches_torch(dtype, function):
    def run(lib, x):
        version = x._version
        result = x.apply_(function)
        # PyTorch writes the elements without counting a version
        assert result is x and x._version == version
        return x
    check(run, np.array([[1, 2], [3, 0]]).astype(dtype))


def test_map_matches_torch():
    check(lambda lib, x, y: x.map_(y, lambda a, b: a * 10 + b), np.ones((2, 3)),
          np.arange(3.0))


@pytest.mark.parametrize("call", [
    lambda lib, x: x.requires_grad_().apply_(lambda v: v),
    lambda lib, x: x.map_(x.clone().requires_grad_(), lambda a, b: a),
    lambda lib, x: x.map_(x.long(), lambda a, b: a),
    lambda lib, x: x.map_(lib.ones(2, 1, 3), lambda a, b: a),
    lambda lib, x: x.apply_(lambda v: "x"),
    lambda lib, x: x.long().apply_(lambda v: 1.5e30),
])
def test_apply_and_map_errors_match_torch(call):
    check_error(call, np.ones((2, 3)))


COPY_LAYOUTS = {
    "sliced_transpose": lambda x: x.reshape(4, 2).t()[:1],
    "size_one_dims": lambda x: x.reshape(1, 8, 1).transpose(0, 2),
    "permuted_gaps": lambda x: x.reshape(2, 4)[:, ::2].t(),
    "dense_permuted": lambda x: x.reshape(2, 1, 4).permute(2, 1, 0),
    "expanded": lambda x: x[:2].reshape(2, 1).expand(2, 3),
}


@pytest.mark.parametrize("layout", list(COPY_LAYOUTS))
@pytest.mark.parametrize("copy", ["to_float64", "double", "int", "clone", "zeros_like"])
def test_preserve_format_copies_keep_torch_strides(copy, layout):
    # torch keeps a dense layout's strides (size-1 dims included) and gives anything else
    # infer_dense_strides's layout, which NumPy's order="K" does not reproduce
    def run(lib, x):
        source = COPY_LAYOUTS[layout](x)
        if copy == "to_float64":
            return source.to(lib.float64)
        if copy == "zeros_like":
            return lib.zeros_like(source)
        return getattr(source, copy)()
    check(run, grad_input(np.arange(8.0, dtype=np.float32)), strides=True)
