"""NumPy and Python interop against torch: numpy()/__array__ (sharing, copy semantics, errors),
ufuncs giving tensors back, the Python number protocol on tensors, iteration, containment,
formatting, tolist/item, and DLPack exchange with NumPy and PyTorch without copies."""
import math
import operator
import subprocess
import sys
import warnings

import numpy as np
import pytest
import torch

import ember
from oracle import assert_matches, check, check_error


def _environment(lib):
    return {"lib": lib, "t": lib.tensor([1.5, 2.5]), "s": lib.tensor(2.5), "i": lib.tensor(3),
            "b": lib.tensor(True), "e": lib.zeros(0), "m": lib.tensor([[1, 2]]), "np": np,
            "operator": operator, "math": math}


PYTHON_PROTOCOL = [
    "float(lib.tensor([2.5]))", "int(s)", "int(lib.tensor([[7]]))", "complex(s)",
    "float(lib.tensor(1 + 0j))", "int(lib.tensor(2.5 + 0j))", "int(lib.tensor(-2.7))",
    "int(lib.tensor(True))", "float(lib.tensor([True]))", "operator.index(i)",
    "operator.index(lib.tensor([3]))", "operator.index(b)",
    "operator.index(lib.tensor(3, dtype=lib.uint8))", "[10, 20, 30, 40][i]", "range(i)",
    "hex(i)", "math.floor(s)", "bool(lib.tensor([0.0]))", "bool(lib.tensor(float('nan')))",
    "bool(lib.tensor([3]))", "len(t)", "len(m)", "len(lib.zeros(0, 3))",
    "[x.tolist() for x in t]", "[x.tolist() for x in m]", "2.5 in t", "3 in t",
    "lib.tensor([2.5]) in t", "3 in lib.tensor([1, 2, 3])",
    "lib.tensor([[1, 2]]) in lib.tensor([[1, 2], [3, 4]])", "f'{s:.2f}'", "f'{i:03d}'",
    "f'{t}'", "f'{b}'", "f'{lib.tensor(1 + 2j):.1f}'", "format(s)",
    "f'{lib.tensor(2.5, requires_grad=True):.1f}'", "f'{lib.tensor(3, dtype=lib.uint8):x}'",
    "s.item()", "i.item()", "b.item()", "lib.tensor([2.5]).item()",
    "lib.tensor(2.5, dtype=lib.bfloat16).item()", "lib.tensor(1.5, dtype=lib.float16).item()",
    "type(lib.tensor(3, dtype=lib.int8).item())", "type(lib.tensor([1.5]).tolist()[0])",
    "type(lib.tensor(3).tolist())", "type(lib.tensor([1.5], dtype=lib.float16).tolist()[0])",
    "lib.tensor([1, 2], dtype=lib.bfloat16).tolist()", "lib.tensor([1 + 1j]).tolist()",
    "s.tolist()", "m.tolist()", "lib.zeros(2, 0).tolist()",
    "lib.tensor(1.5, requires_grad=True).item()",
    "lib.tensor([1.5], requires_grad=True).tolist()",
]


@pytest.mark.parametrize("expression", PYTHON_PROTOCOL)
def test_python_protocol(expression):
    mine = eval(expression, _environment(ember))
    theirs = eval(expression, _environment(torch))
    assert type(mine).__name__ == type(theirs).__name__
    assert repr(mine).replace("ember", "torch") == repr(theirs)


PROTOCOL_ERRORS = [
    "float(t)", "int(t)", "float(e)", "float(lib.tensor(1 + 2j))", "int(lib.tensor(1 + 2j))",
    "int(lib.tensor(float('nan')))", "operator.index(s)", "bool(t)", "bool(e)", "len(s)",
    "list(iter(s))", "'a' in t", "[1] in t", "None in t", "format(t, '.2f')", "t.item()",
    "e.item()", "complex(lib.tensor([1, 2]))",
]


@pytest.mark.parametrize("expression", PROTOCOL_ERRORS)
def test_python_protocol_errors(expression):
    check_error(lambda lib: eval(expression, _environment(lib)))


def test_float_of_requires_grad_warns_once_per_process():
    # a fresh interpreter per library: PyTorch raises this warning once per process
    script = ("import sys, importlib, warnings; lib = importlib.import_module(sys.argv[1])\n"
              "warnings.simplefilter('always')\n"
              "x = lib.tensor(1.5, requires_grad=True)\n"
              "for value in (x.item(), int(x), float(x), float(x * 2)):\n"
              "    print(value)\n")
    outputs = []
    for name in ("ember", "torch"):
        completed = subprocess.run([sys.executable, "-c", script, name], capture_output=True,
                                   text=True, check=True)
        warned = [line.split("UserWarning: ")[1].split(" (Triggered")[0]
                  for line in completed.stderr.splitlines() if "UserWarning" in line]
        outputs.append((completed.stdout, warned))
    assert outputs[0] == outputs[1]
    assert outputs[0][1] == ["Converting a tensor with requires_grad=True to a scalar may lead "
                             "to unexpected behavior."]


def test_iteration_gives_views():
    check(lambda lib, x: list(x), np.arange(6.0).reshape(2, 3), strides=True)
    x = ember.zeros(2, 3)
    for row in x:
        row[0] = 1
    assert x[:, 0].tolist() == [1.0, 1.0]


# ---- NumPy ----------------------------------------------------------------------------------

def test_numpy_shares_memory_both_ways():
    x = ember.arange(4.0)
    array = x.numpy()
    array[0] = 10
    assert x[0].item() == 10
    x[1] = 20
    assert array[1] == 20
    view = x[1:3].numpy()
    assert np.shares_memory(view, array)
    assert x.detach().numpy() is not None and np.shares_memory(x.detach().numpy(), array)


def test_numpy_of_requires_grad():
    check_error(lambda lib: lib.tensor([1.0], requires_grad=True).numpy())
    check_error(lambda lib: np.asarray(lib.tensor([1.0], requires_grad=True)))
    forced = ember.tensor([1.0], requires_grad=True).numpy(force=True)
    assert forced.tolist() == [1.0]


@pytest.mark.parametrize("expression", [
    "np.asarray(t).dtype", "np.asarray(t, dtype=np.float64).dtype",
    "np.asarray(t, dtype=np.int32).tolist()", "np.array(t, copy=True) is t.numpy()",
    "np.shares_memory(np.asarray(t), t.numpy())",
    "np.shares_memory(np.array(t, copy=None), t.numpy())",
    "np.shares_memory(np.array(t), t.numpy())", "np.array([t, t]).shape",
    "np.array(lib.tensor(2.5)).shape", "np.asarray(lib.zeros(2, 3).t()).strides",
])
def test_array_protocol(expression):
    mine = eval(expression, _environment(ember))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # torch's __array__ lacks `copy`
        theirs = eval(expression, _environment(torch))
    assert repr(mine) == repr(theirs)


def test_array_copy_false_raises_as_torch():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # torch's __array__ lacks `copy`
        check_error(lambda lib: np.array(lib.tensor([1.0, 2.0]), copy=False))


@pytest.mark.parametrize("expression", [
    "np.sin(t)", "np.sin(lib.tensor(2.0))", "np.exp(lib.tensor([1, 2]))", "np.add(t, 1)",
    "np.maximum(t, t)", "np.greater(t, 2)", "np.float64(2) * lib.tensor(2.0)",
    "np.int64(2) + lib.tensor(2)", "np.float32(2) * lib.tensor([2], dtype=lib.int32)",
    "t + np.zeros(2)", "t * np.ones(2, np.float32)", "lib.tensor([1, 2]) + np.int8(3)",
    "t == np.array([1.0, 5.0])", "np.array([1.0, 5.0]) == t", "t == np.array(1.0)",
    "lib.tensor([0.1, 2.0]) == np.array([0.1, 2.0])", "t == np.array([[1.0], [2.0]])",
    "lib.tensor([1, 2]) == np.array([1.5, 2.0])", "t != np.array([1.0, 5.0])",
    "t == np.array(['a', 'b'])", "t == [1.0, 2.0]",
])
def test_numpy_operands_and_ufuncs_give_tensors(expression):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        mine = eval(expression, _environment(ember))
        theirs = eval(expression, _environment(torch))
    assert_matches(mine, theirs, grad_fn=False)


@pytest.mark.parametrize("expression", ["t < np.array([1.0, 5.0])",
                                        "np.array([1.0, 5.0]) >= t",
                                        "t == np.array([1.0, 2.0, 3.0])"])
def test_numpy_comparison_errors(expression):
    check_error(lambda lib: eval(expression, _environment(lib)))


@pytest.mark.parametrize("expression", [
    "np.ones(2) + t", "np.ones(2) * t", "np.ones(2) - t", "np.ones(2) // t", "np.ones(2) % t",
    "np.ones(2) ** t", "np.ones(2) @ t", "np.ones(2, np.int64) & lib.ones(2, dtype=lib.int64)",
    "np.ones(2, bool) | lib.ones(2, dtype=lib.bool)", "np.ones(2, np.int64) ^ lib.ones(2, "
    "dtype=lib.int64)", "np.array(2.0) + t", "np.ones(2) + lib.ones(2, requires_grad=True)",
])
def test_ndarray_on_the_left_is_refused_as_torch_refuses_it(expression):
    check_error(lambda lib: eval(expression, _environment(lib)))


@pytest.mark.parametrize("expression", ["np.ones(2) / t", "np.float64(2) - t", "2 - t",
                                        "np.float32(3) * t", "np.int64(3) + t"])
def test_numbers_and_division_on_the_left_give_tensors(expression):
    mine = eval(expression, _environment(ember))
    theirs = eval(expression, _environment(torch))
    assert_matches(mine, theirs, grad_fn=False)


# ---- DLPack ----------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ["uint8", "int8", "int16", "int32", "int64", "float16",
                                   "float32", "float64", "complex64", "complex128"])
def test_dlpack_with_numpy_shares_memory(dtype):
    x = ember.zeros(2, 3, dtype=getattr(ember, dtype))
    array = np.from_dlpack(x)
    assert array.dtype == x.numpy().dtype and np.shares_memory(array, x.numpy())
    back = ember.from_dlpack(np.zeros(4, dtype=array.dtype))
    assert back.dtype is x.dtype
    source = np.arange(4).astype(array.dtype)
    shared = ember.from_dlpack(source)
    shared[0] = 1
    assert source[0] == 1


@pytest.mark.parametrize("dtype", ["uint8", "int32", "int64", "float16", "float32", "float64",
                                   "complex64"])
def test_dlpack_with_torch_shares_memory_both_ways(dtype):
    theirs = torch.arange(6).reshape(2, 3).to(getattr(torch, dtype))
    mine = ember.from_dlpack(theirs)
    assert_matches(mine, theirs)
    mine[0, 0] = 9
    assert theirs[0, 0].item() == 9
    exported = ember.arange(6).reshape(2, 3).to(getattr(ember, dtype)).t()
    imported = torch.from_dlpack(exported)
    assert imported.stride() == exported.stride()
    imported[1, 0] = 7
    assert exported[1, 0].item() == 7
    assert imported.data_ptr() == exported.data_ptr()


def test_dlpack_device_and_errors():
    mine = ember.zeros(1).__dlpack_device__()
    theirs = torch.zeros(1).__dlpack_device__()
    assert repr(mine) == repr(theirs)
    check_error(lambda lib: lib.tensor([1.0], requires_grad=True).__dlpack__())
    check_error(lambda lib: torch.from_dlpack(lib.tensor([1.0], requires_grad=True)))


def test_cpu_device_accepted_everywhere():
    for make in (lambda: ember.zeros(2, device="cpu"), lambda: ember.ones(2, device="cpu:0"),
                 lambda: ember.tensor([1], device=ember.device("cpu")),
                 lambda: ember.arange(3, device="cpu"), lambda: ember.rand(2, device="cpu"),
                 lambda: ember.eye(2, device="cpu"), lambda: ember.zeros(2).to("cpu"),
                 lambda: ember.full((2,), 1.0, device="cpu"),
                 lambda: ember.zeros_like(ember.zeros(1), device="cpu")):
        assert make().device == ember.device("cpu")
    assert ember.zeros(1).is_cuda is False and ember.zeros(1).get_device() == -1


@pytest.mark.parametrize("convert", [
    lambda lib, a: lib.from_numpy(a),
    lambda lib, a: lib.tensor(a),
    lambda lib, a: lib.as_tensor(a),
])
def test_non_native_byte_order_is_refused_as_torch_refuses_it(convert):
    for array in (np.array([1.0], dtype=">f4"), np.array([1], dtype=">i8")):
        check_error(lambda lib: convert(lib, array))


@pytest.mark.parametrize("operation", [
    lambda x: x + "a", lambda x: x + None, lambda x: x + [1, 2], lambda x: [1, 2] + x,
    lambda x: x + (1, 2), lambda x: x - "a", lambda x: "a" - x, lambda x: x * None,
    lambda x: x / "a", lambda x: "a" / x, lambda x: x // "a", lambda x: x % "a",
    lambda x: x ** "a", lambda x: "a" ** x, lambda x: x @ "a", lambda x: "a" @ x,
    lambda x: x.long() & "a", lambda x: "a" | x.long(), lambda x: x.long() << "a",
])
def test_operators_with_unsupported_operands_defer_to_python(operation):
    # PyTorch's operators return NotImplemented on a TypeError, so Python words the error
    check_error(lambda lib, x: operation(x), np.array([1.0, 2.0]))


def test_reversed_matches_torch():
    check(lambda lib, x: reversed(x), np.arange(6.0).reshape(3, 2))
    check(lambda lib, x: x.__reversed__(), np.array(2.0))
    check(lambda lib, x: list(reversed(x)), np.arange(3))


@pytest.mark.parametrize("convert", [
    lambda lib, a: lib.from_numpy(a),
    lambda lib, a: lib.tensor(a),
    lambda lib, a: lib.as_tensor(a),
    lambda lib, a: lib.asarray(a),
    lambda lib, a: lib.tensor(a, dtype=lib.float32),
])
def test_negative_strides_are_refused_by_every_constructor(convert):
    check_error(lambda lib: convert(lib, np.arange(6)[::-1]))
    check_error(lambda lib: convert(lib, np.zeros((3, 2))[:, ::-1]))
    # a size-1 dim's negative stride is refused too
    check_error(lambda lib: convert(lib, np.zeros((1, 3))[::-1]))
    check(lambda lib: convert(lib, np.arange(6.0)[::2]))
