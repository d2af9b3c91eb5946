"""Benchmark workloads: each takes a library name ('ember', 'torch' or 'numpy') and returns a
zero-argument callable to time (or None where the workload does not apply to that library).
Inputs are built from the same NumPy arrays for every library."""
import numpy as np


def _library(name):
    if name == "ember":
        import ember
        return ember
    if name == "torch":
        import torch
        return torch
    return None


def _tensor(lib, array, requires_grad=False):
    if lib is None:
        return array
    tensor = lib.from_numpy(array.copy())
    if requires_grad:
        tensor.requires_grad_(True)
    return tensor


def _small_op(op_name, requires_grad=False):
    def build(library):
        lib = _library(library)
        rng = np.random.default_rng(0)
        x = _tensor(lib, rng.random(4, dtype=np.float32), requires_grad)
        y = _tensor(lib, rng.random(4, dtype=np.float32))
        if lib is None:
            if requires_grad:
                return None
            return {"add": lambda: x + y, "mul": lambda: x * y,
                    "sin": lambda: np.sin(x), "exp": lambda: np.exp(x)}[op_name]
        return {"add": lambda: x + y, "mul": lambda: x * y,
                "sin": lambda: lib.sin(x), "exp": lambda: lib.exp(x)}[op_name]
    return build


def _large_fma(library):
    lib = _library(library)
    rng = np.random.default_rng(0)
    x, y, z = (_tensor(lib, rng.random(10_000_000, dtype=np.float32)) for _ in range(3))
    return lambda: x * y + z


def _large_sin(library):
    lib = _library(library)
    rng = np.random.default_rng(0)
    x = _tensor(lib, rng.random(10_000_000, dtype=np.float32))
    if lib is None:
        return lambda: np.sin(x)
    return lambda: lib.sin(x)


# name -> (builder, calls per timed sample, samples)
WORKLOADS = {
    "add 4 floats": (_small_op("add"), 2000, 15),
    "mul 4 floats": (_small_op("mul"), 2000, 15),
    "sin 4 floats": (_small_op("sin"), 2000, 15),
    "exp 4 floats": (_small_op("exp"), 2000, 15),
    "add 4 floats, requires_grad": (_small_op("add", True), 2000, 15),
    "mul 4 floats, requires_grad": (_small_op("mul", True), 2000, 15),
    "sin 4 floats, requires_grad": (_small_op("sin", True), 2000, 15),
    "exp 4 floats, requires_grad": (_small_op("exp", True), 2000, 15),
    "x*y+z 10M float32": (_large_fma, 1, 9),
    "sin 10M float32": (_large_sin, 1, 9),
}
