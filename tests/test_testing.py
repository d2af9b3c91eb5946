"""ember.testing.assert_close against torch.testing.assert_close: default tolerances per dtype,
the failure reports (mismatch counts, greatest differences and their indices), attribute
mismatches, Python scalars, sequences and mappings, msg overrides."""
import numpy as np
import pytest
import torch

import ember
from oracle import check_error


def _assert_close(lib):
    return torch.testing.assert_close if lib is torch else ember.testing.assert_close


def _environment(lib):
    return {"lib": lib, "ac": _assert_close(lib), "np": np, "nan": float("nan"),
            "inf": float("inf")}


PASSING = [
    "ac(lib.tensor([nan]), lib.tensor([nan]), equal_nan=True)",
    "ac(lib.tensor([1.0]), lib.tensor([1.1]), rtol=0.2, atol=0)",
    "ac(lib.tensor([1.0, 2]), lib.tensor([1.0, 2], dtype=lib.float64), check_dtype=False)",
    "ac(lib.tensor([0.0]), lib.tensor([1e-6]))",
    "ac(lib.tensor([1.0, inf]), lib.tensor([1.0, inf]))",
    "ac(lib.tensor([1.0], requires_grad=True), lib.tensor([1.0]))",
    "ac(lib.tensor([1.0]), lib.tensor([1.0]), check_device=False)",
    "ac(lib.zeros(0), lib.zeros(0))",
    "ac(lib.tensor([1.0], dtype=lib.float16), lib.tensor([1.001], dtype=lib.float16))",
    "ac(lib.tensor([1.5], dtype=lib.bfloat16), lib.tensor([1.52], dtype=lib.bfloat16))",
    "ac(lib.tensor([1, 2], dtype=lib.int32), lib.tensor([1.0, 2]), check_dtype=False)",
    "ac(lib.tensor([1.0], dtype=lib.float64), lib.tensor([1.0000001], dtype=lib.float64))",
    "ac(lib.tensor([[1, 2]]), lib.tensor([[1, 2]]))",
    "ac(1.0, 1.0 + 1e-9)", "ac(None, None)", "ac(True, True)", "ac([1, (2.0, 3)], [1, (2.0, 3)])",
    "ac({'a': lib.tensor([1.0])}, {'a': lib.tensor([1.0])})",
    "ac(np.array([1.0, 2]), np.array([1.0, 2]))", "ac(np.float32(1), np.float32(1))",
    "ac(lib.zeros(2, 3).t(), lib.zeros(3, 2))",
]


@pytest.mark.parametrize("expression", PASSING)
def test_close_inputs_pass(expression):
    eval(expression, _environment(torch))
    eval(expression, _environment(ember))


FAILING = [
    "ac(lib.tensor([1.0, 2, 3]), lib.tensor([1.0, 2.5, 3]))",
    "ac(lib.tensor([1.0, 2, 3]), lib.tensor([1.0, 2.5, 3.5]))",
    "ac(lib.tensor([1, 2, 3]), lib.tensor([1, 4, 3]))",
    "ac(lib.tensor([1.0, 2]), lib.tensor([1.0, 2], dtype=lib.float64))",
    "ac(lib.tensor([1.0, 2]), lib.tensor([1.0, 2, 3]))",
    "ac(lib.tensor(1.0), lib.tensor(2.0))",
    "ac(lib.tensor(3), lib.tensor(4))",
    "ac(lib.tensor([[1.0, 2], [3, 4]]), lib.tensor([[1.0, 2], [3, 5]]))",
    "ac(lib.tensor([nan]), lib.tensor([nan]))",
    "ac(lib.tensor([1.0, nan, 3]), lib.tensor([2.0, 1, 3]))",
    "ac(lib.tensor([inf]), lib.tensor([-inf]))",
    "ac(lib.tensor([True]), lib.tensor([False]))",
    "ac(lib.tensor([1 + 1j]), lib.tensor([1 + 2j]))",
    "ac(lib.tensor([0.0, 1]), lib.tensor([1e-9, 2.0]))",
    "ac(lib.tensor([1e10]), lib.tensor([1e10 + 1e6]))",
    "ac(lib.tensor([1.0, 2.0, 3.0, 4]), lib.tensor([2.0, 3.0, 4.0, 5]))",
    "ac(lib.tensor([1], dtype=lib.int32), lib.tensor([1]))",
    "ac(lib.tensor([1, 5], dtype=lib.int32), lib.tensor([1.0, 2]), check_dtype=False)",
    "ac(lib.tensor([1.5], dtype=lib.bfloat16), lib.tensor([1.7], dtype=lib.bfloat16))",
    "ac(lib.tensor([0, 3]), lib.tensor([0, 0]))",
    "ac(lib.tensor([1.0]), lib.tensor([2.0]), rtol=0, atol=0)",
    "ac(lib.tensor([1.0]), lib.tensor([1.1]), rtol=0.2)",
    "ac(lib.tensor([0.0]), lib.tensor([1.0]), atol=1e-3)",
    "ac(lib.tensor([1.0]), lib.tensor([2.0]), msg='m', rtol=0.1)",
    "ac(lib.tensor([1.0, 2]), lib.tensor([1.0, 3]), msg='custom')",
    "ac(lib.tensor([1.0, 2]), lib.tensor([1.0, 3]), msg=lambda m: m.upper())",
    "ac(lib.zeros(2, 3).t(), lib.zeros(3, 2), check_stride=True)",
    "ac(lib.tensor([1.0, 2]), [1.0, 2])", "ac(lib.tensor([1.0]), 1.0)",
    "ac(lib.tensor([1.0]), np.array([1.0]))", "ac('a', 'a')",
    "ac(1.0, 1.1)", "ac(1, 2)", "ac(1, 1.0)", "ac([1.0, 2.0], [1.0, 2.5])", "ac((1, 2), (1, 3))",
    "ac([1, 2], [1, 2, 3])", "ac({'a': 1}, {'a': 2})", "ac({'a': 1}, {'b': 1})",
    "ac(None, 1)", "ac(True, False)", "ac(np.array([1.0, 2]), np.array([1.0, 3]))",
    "ac(np.float32(1), np.float32(1.5))", "ac(1j, 2j)", "ac(0.0, 1e-3)",
    "ac([lib.tensor([1.0]), {'x': lib.tensor([2.0])}], [lib.tensor([1.0]), "
    "{'x': lib.tensor([3.0])}])",
    "ac(lib.arange(24.0).reshape(2, 3, 4), lib.arange(24.0).reshape(2, 3, 4) * 1.5)",
]


@pytest.mark.parametrize("expression", FAILING)
def test_failure_reports_match_torch(expression):
    check_error(lambda lib: eval(expression, _environment(lib)))
