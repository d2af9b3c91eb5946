"""torch.chain_matmul (deprecated) against torch: products, grad_fns, gradients, out=, its
once-per-process warning and errors."""
import warnings

import numpy as np
import pytest

import ember
from oracle import (Input, check, check_error, finite_differences, grad_input,
                    stdout_of_fresh_processes)

RNG = np.random.default_rng(6)
A = RNG.standard_normal((2, 3))
B = RNG.standard_normal((3, 4))
C = RNG.standard_normal((4, 5))
D = RNG.standard_normal((5, 2))


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


@pytest.mark.parametrize("count", [1, 2, 3, 4])
def test_chain_matmul_matches_torch(count):
    arrays = [A, B, C, D][:count]
    check(lambda lib, *matrices: lib.chain_matmul(*matrices),
          *[grad_input(array) for array in arrays])
    check(lambda lib, *matrices: lib.chain_matmul(*matrices),
          *[Input(array.astype(np.float32)) for array in arrays])


def test_chain_matmul_finite_differences():
    finite_differences(lambda a, b, c: ember.chain_matmul(a, b, c), A, B, C)


def test_chain_matmul_out_matches_torch():
    def with_out(lib, a, b):
        out = lib.empty(0, dtype=lib.float64)
        return lib.chain_matmul(a, b, out=out), out
    check(with_out, Input(A), Input(B))


def test_chain_matmul_warns_once_as_torch():
    code = ("import warnings, {lib}\n"
            "with warnings.catch_warnings(record=True) as caught:\n"
            "    warnings.simplefilter('always')\n"
            "    a = {lib}.ones(2, 2)\n"
            "    {lib}.chain_matmul(a, a)\n"
            "    {lib}.chain_matmul(a, a)\n"
            "print([str(item.message) for item in caught])\n")
    outputs = stdout_of_fresh_processes(code)
    assert outputs[0] == outputs[1] and "deprecated" in outputs[0]


def test_chain_matmul_errors_match_torch():
    check_error(lambda lib: lib.chain_matmul())
    check_error(lambda lib, a: lib.chain_matmul(a, a), Input(A))
    check_error(lambda lib, a, b: lib.chain_matmul(a[0], b), Input(A), Input(B))
    check_error(lambda lib, a: lib.chain_matmul(a.reshape(1, 2, 3)), Input(A))
    check_error(lambda lib, a, b: lib.chain_matmul(a, b.float()), Input(A), Input(B))
    check_error(lambda lib, a: lib.chain_matmul([a]), Input(A))
