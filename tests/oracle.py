"""The one torch-comparison helper: runs the same function on ember and on torch from the same
NumPy inputs and compares values, dtypes, shapes, strides, reprs, grad_fn names, gradients and
exceptions. Every differential test goes through here."""
import os
import subprocess
import sys

import numpy as np
import pytest

import ember

try:
    import torch
except ImportError:  # the oracle is mandatory unless explicitly waived
    torch = None
    if os.environ.get("EMBER_NO_ORACLE") != "1":
        raise

requires_oracle = pytest.mark.skipif(torch is None, reason="EMBER_NO_ORACLE=1 and no torch")

_TOLERANCES = {
    "float16": (1e-3, 1e-2), "bfloat16": (1e-2, 5e-2), "float32": (1e-5, 1.3e-6),
    "float64": (1e-7, 1e-7), "complex64": (1e-5, 1.3e-6), "complex128": (1e-7, 1e-7),
}


class Input:
    """A NumPy array to pass as a tensor; requires_grad marks a differentiable input."""

    def __init__(self, array, requires_grad=False):
        self.array = np.asarray(array)
        self.requires_grad = requires_grad


def grad_input(array):
    """Shorthand for a differentiable input."""
    return Input(array, requires_grad=True)


def _to_library(library, value):
    if isinstance(value, Input):
        array = value.array.copy()
        if library is torch:
            tensor = torch.from_numpy(array)
        else:
            tensor = ember.from_numpy(array)
        if value.requires_grad:
            tensor.requires_grad_(True)
        return tensor
    if isinstance(value, np.ndarray):
        return _to_library(library, Input(value))
    if isinstance(value, (list, tuple)) and any(isinstance(v, (Input, np.ndarray)) for v in value):
        return type(value)(_to_library(library, v) for v in value)
    return value


def _flatten(value):
    if isinstance(value, (tuple, list)):
        items = []
        for item in value:
            items.extend(_flatten(item))
        return items
    return [value]


def dtype_name(dtype):
    return str(dtype).split(".")[-1]


def to_numpy(tensor):
    """The values of an ember or torch tensor as a NumPy array (float32 for bfloat16)."""
    if torch is not None and isinstance(tensor, torch.Tensor):
        tensor = tensor.detach()
        if tensor.dtype == torch.bfloat16:
            tensor = tensor.float()
        # force=True also materialises the ZeroTensor torch returns for some gradients (sgn)
        return tensor.numpy(force=True)
    array = tensor.detach().numpy()
    if array.dtype.name == "bfloat16":
        array = array.astype(np.float32)
    return array


def assert_tensor_matches(mine, theirs, *, atol=None, rtol=None, strides=False, repr_=False,
                          grad_fn=True, where="result"):
    """Asserts an ember tensor equals a torch tensor in dtype, shape, values (and more)."""
    assert isinstance(mine, ember.Tensor), f"{where}: expected a Tensor, got {type(mine)}"
    assert dtype_name(mine.dtype) == dtype_name(theirs.dtype), (
        f"{where}: dtype {mine.dtype} != {theirs.dtype}")
    assert tuple(mine.shape) == tuple(theirs.shape), (
        f"{where}: shape {tuple(mine.shape)} != {tuple(theirs.shape)}")
    default_rtol, default_atol = _TOLERANCES.get(dtype_name(theirs.dtype), (0, 0))
    np.testing.assert_allclose(
        to_numpy(mine), to_numpy(theirs), equal_nan=True,
        rtol=default_rtol if rtol is None else rtol,
        atol=default_atol if atol is None else atol, err_msg=where)
    if strides:
        assert mine.stride() == theirs.stride(), (
            f"{where}: strides {mine.stride()} != {theirs.stride()}")
        assert mine.storage_offset() == theirs.storage_offset(), f"{where}: storage offset"
    if repr_:
        assert repr(mine) == repr(theirs).replace("torch.", "ember."), (
            f"{where}: repr\n{mine!r}\n!=\n{theirs!r}")
    if grad_fn:
        theirs_name = type(theirs.grad_fn).__name__ if theirs.grad_fn is not None else None
        mine_name = type(mine.grad_fn).__name__ if mine.grad_fn is not None else None
        assert mine_name == theirs_name, f"{where}: grad_fn {mine_name} != {theirs_name}"
        assert mine.requires_grad == theirs.requires_grad, f"{where}: requires_grad"


def assert_matches(mine, theirs, where="result", **options):
    """Compares nested results: tensors, tuples/lists/named tuples, scalars."""
    if torch is not None and isinstance(theirs, torch.Tensor):
        assert_tensor_matches(mine, theirs, where=where, **options)
    elif isinstance(theirs, (tuple, list)):
        assert isinstance(mine, (tuple, list)), f"{where}: {type(mine)} is not a sequence"
        assert len(mine) == len(theirs), f"{where}: length {len(mine)} != {len(theirs)}"
        for position, (a, b) in enumerate(zip(mine, theirs)):
            assert_matches(a, b, where=f"{where}[{position}]", **options)
    elif isinstance(theirs, float) and np.isnan(theirs):
        assert np.isnan(mine), f"{where}: {mine} is not nan"
    elif torch is not None and isinstance(theirs, torch.dtype):
        assert dtype_name(mine) == dtype_name(theirs), f"{where}: {mine} != {theirs}"
    elif isinstance(theirs, float):
        assert mine == pytest.approx(theirs, rel=1e-6, abs=1e-9), f"{where}: {mine} != {theirs}"
    else:
        assert mine == theirs, f"{where}: {mine!r} != {theirs!r}"


def run_both(function, *inputs):
    """function(library, *args) on ember and on torch, args built from the same inputs."""
    mine = function(ember, *[_to_library(ember, value) for value in inputs])
    theirs = function(torch, *[_to_library(torch, value) for value in inputs])
    return mine, theirs


def check(function, *inputs, grad=None, seed=0, **options):
    """Runs function(library, *args) on both libraries from the same inputs and asserts the
    results match; with differentiable inputs it also compares the gradients of a random
    cotangent. Returns ember's result."""
    if torch is None:
        pytest.skip("EMBER_NO_ORACLE=1")
    mine_args = [_to_library(ember, value) for value in inputs]
    theirs_args = [_to_library(torch, value) for value in inputs]
    mine = function(ember, *mine_args)
    theirs = function(torch, *theirs_args)
    assert_matches(mine, theirs, **options)
    differentiable = [position for position, value in enumerate(_flatten(list(inputs)))
                      if isinstance(value, Input) and value.requires_grad]
    if grad is None:
        grad = bool(differentiable)
    if grad:
        _check_gradients(mine, theirs, _flatten(mine_args), _flatten(theirs_args),
                         differentiable, seed, options)
    return mine


def _check_gradients(mine, theirs, mine_args, theirs_args, differentiable, seed, options):
    rng = np.random.default_rng(seed)
    mine_outputs, theirs_outputs, cotangents = [], [], []
    for a, b in zip(_flatten(mine), _flatten(theirs)):
        if isinstance(b, torch.Tensor) and b.requires_grad:
            cotangent = rng.standard_normal(tuple(b.shape)).astype(to_numpy(b).dtype)
            mine_outputs.append(a)
            theirs_outputs.append(b)
            cotangents.append(cotangent)
    if not theirs_outputs:
        return
    theirs_grads = torch.autograd.grad(
        theirs_outputs, [theirs_args[p] for p in differentiable],
        [torch.from_numpy(c.copy()).to(b.dtype) for c, b in zip(cotangents, theirs_outputs)],
        allow_unused=True)
    mine_grads = ember.autograd.grad(
        mine_outputs, [mine_args[p] for p in differentiable],
        [ember.from_numpy(c.copy()).to(a.dtype) for c, a in zip(cotangents, mine_outputs)],
        allow_unused=True)
    tolerance = {key: options[key] for key in ("atol", "rtol") if key in options}
    for position, (a, b) in enumerate(zip(mine_grads, theirs_grads)):
        if b is None:
            assert a is None or not np.any(to_numpy(a)), f"grad[{position}] should be None"
            continue
        assert a is not None, f"grad[{position}] is None, torch has one"
        assert_tensor_matches(a, b, where=f"grad[{position}]", grad_fn=False, **tolerance)


def check_error(function, *inputs):
    """Asserts both libraries raise the same exception type with the same message, and
    returns ember's exception."""
    if torch is None:
        pytest.skip("EMBER_NO_ORACLE=1")
    mine_args = [_to_library(ember, value) for value in inputs]
    theirs_args = [_to_library(torch, value) for value in inputs]
    with pytest.raises(Exception) as theirs:
        function(torch, *theirs_args)
    with pytest.raises(Exception) as mine:
        function(ember, *mine_args)
    assert type(mine.value).__name__ == type(theirs.value).__name__, (
        f"{type(mine.value).__name__}: {mine.value} != "
        f"{type(theirs.value).__name__}: {theirs.value}")
    assert normalize_message(str(mine.value)) == normalize_message(str(theirs.value)), (
        f"\nember: {mine.value}\ntorch: {theirs.value}")
    return mine.value


def normalize_message(message):
    """Exception text with the library name unified (ember.Size vs torch.Size)."""
    return message.replace("ember.", "torch.")


def finite_differences(function, *arrays, eps=1e-6, seed=0):
    """Checks ember's gradient of sum(function(*tensors) * v) against central differences in
    float64, for a random cotangent v; function takes and returns ember tensors."""
    rng = np.random.default_rng(seed)
    tensors = [ember.tensor(np.asarray(a, dtype=np.float64), requires_grad=True)
               for a in arrays]
    output = function(*tensors)
    cotangent = rng.standard_normal(tuple(output.shape))
    analytic = ember.autograd.grad(output, tensors, ember.tensor(cotangent), allow_unused=True)
    for position, array in enumerate(arrays):
        base = np.asarray(array, dtype=np.float64)
        numeric = np.zeros_like(base)
        flat = numeric.reshape(-1)
        for index in range(base.size):
            shifted = base.copy().reshape(-1)
            shifted[index] += eps
            plus = _evaluate(function, tensors, position, shifted.reshape(base.shape))
            shifted[index] -= 2 * eps
            minus = _evaluate(function, tensors, position, shifted.reshape(base.shape))
            flat[index] = np.sum((plus - minus) * cotangent) / (2 * eps)
        got = np.zeros_like(base) if analytic[position] is None else to_numpy(analytic[position])
        np.testing.assert_allclose(got, numeric, rtol=1e-5, atol=1e-6,
                                   err_msg=f"finite differences, input {position}")


def _evaluate(function, tensors, position, array):
    arguments = [ember.tensor(t.detach().numpy()) for t in tensors]
    arguments[position] = ember.tensor(array)
    with ember.no_grad():
        return function(*arguments).numpy().astype(np.float64)


def check_in_dtypes(function, arrays, fixed=()):
    """check() with the differentiable `arrays` as float64 and float32 (gradients compared)
    and as int64 (values only); `fixed` arrays (indices, masks) pass unchanged."""
    fixed = [Input(array) for array in fixed]
    check(function, *[grad_input(array) for array in arrays], *fixed)
    check(function, *[grad_input(array.astype(np.float32)) for array in arrays], *fixed)
    check(function, *[Input(np.round(array * 3).astype(np.int64)) for array in arrays], *fixed)


def check_double_backward(function, arrays, fixed=(), seed=0):
    """The derivative rules are ember ops: the vector-Jacobian product of function(lib,
    *arrays, *fixed) has the gradients torch computes, w.r.t. the inputs and the cotangent."""
    shape = function(ember, *[ember.tensor(a) for a in arrays],
                     *[ember.tensor(a) for a in fixed]).shape
    cotangent = np.random.default_rng(seed).standard_normal(tuple(shape))
    count = len(arrays)

    def vjp(lib, *args):
        inputs, v, rest = args[:count], args[count], args[count + 1:]
        grads = lib.autograd.grad(function(lib, *inputs, *rest), inputs, v, create_graph=True)
        return [g * g for g in grads]
    check(vjp, *[grad_input(a) for a in arrays], grad_input(cotangent),
          *[Input(a) for a in fixed])


def stdout_of_fresh_processes(code):
    """The output of `code` (with {lib} standing for the library's name) run by ember and by
    torch, each in a fresh interpreter, so once-per-process warnings start unseen."""
    return [subprocess.run([sys.executable, "-c", code.format(lib=lib)], capture_output=True,
                           text=True).stdout for lib in ("ember", "torch")]


def run_script_both_ways(script):
    """Runs a torch script file under `python -m ember run` and with torch, in fresh
    interpreters that show every warning; returns the (ember, torch) completed processes."""
    runs = []
    for command in (["-m", "ember", "run", str(script)], [str(script)]):
        completed = subprocess.run([sys.executable, "-W", "always"] + command,
                                   capture_output=True, text=True, cwd=script.parent)
        assert completed.returncode == 0, completed.stderr
        runs.append(completed)
    return runs
