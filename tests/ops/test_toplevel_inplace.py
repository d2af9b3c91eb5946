"""torch.<name>_ (the top-level in-place functions) and torch.fill against torch: results,
grad_fn names and gradients through a non-leaf, and torch's errors."""
import numpy as np
import pytest

import ember
from oracle import Input, check, check_error, grad_input, torch

RNG = np.random.default_rng(5)
UNIT = RNG.uniform(0.1, 0.9, (2, 3))
ABOVE_ONE = RNG.uniform(1.2, 3.0, (2, 3))
INTEGERS = np.array([[4, 6, -9], [12, 0, 7]])
MATRIX = RNG.standard_normal((2, 3))
VECTOR = RNG.standard_normal(3)

# name -> (inputs, extra arguments); the first input is written in place (a copy of it, so
# that a differentiable input keeps its history)
EXTRA_ARGUMENTS = {
    "acosh_": (ABOVE_ONE,), "arccosh_": (ABOVE_ONE,),
    "clamp_": (UNIT, 0.3, 0.6), "clip_": (UNIT, None, 0.5), "clamp_max_": (UNIT, 0.5),
    "clamp_min_": (UNIT, 0.5), "fill_": (UNIT, 2.5), "logit_": (UNIT, 0.2),
    "nan_to_num_": (UNIT, 0.0), "round_": (UNIT,),
}
TWO_TENSORS = {"xlogy_": UNIT[::-1].copy(), "ldexp_": np.array([1, 2, 3])}
# torch records these under a node whose backward raises (compared below)
NO_DERIVATIVE = {"acosh_", "arccosh_", "asinh_", "arcsinh_", "atanh_", "arctanh_"}
SKIPPED = NO_DERIVATIVE | {"fill", "addmv_", "as_strided_", "detach_", "resize_as_", "gcd_",
                           "lcm_", "zero_", "conj_physical_"}
SIMPLE = sorted(set(ember.ops.inplace_functions.__all__) - SKIPPED - set(TWO_TENSORS))


def test_every_torch_inplace_function_exists():
    torch_names = {name for name in dir(torch) if name.endswith("_") and not name.startswith("_")
                   and hasattr(torch.Tensor, name)}
    # resize_as_sparse_ needs sparse tensors, which ember does not have
    missing = torch_names - set(dir(ember)) - {"resize_as_sparse_"}
    assert missing == set()


@pytest.mark.parametrize("name", SIMPLE)
def test_unary_inplace_matches_torch(name):
    array, *extra = EXTRA_ARGUMENTS.get(name, (UNIT,))
    check(lambda lib, x: getattr(lib, name)(x * 1, *extra), grad_input(array))


@pytest.mark.parametrize("name", sorted(NO_DERIVATIVE))
def test_inplace_without_derivative_matches_torch(name):
    array = ABOVE_ONE if "cosh" in name else UNIT
    check(lambda lib, x: getattr(lib, name)(x * 1), grad_input(array), grad=False)
    check_error(lambda lib, x: getattr(lib, name)(x * 1).sum().backward(), grad_input(array))


@pytest.mark.parametrize("name", sorted(TWO_TENSORS))
def test_binary_inplace_matches_torch(name):
    check(lambda lib, x, y: getattr(lib, name)(x * 1, y), grad_input(UNIT),
          Input(TWO_TENSORS[name]))


@pytest.mark.parametrize("name", ["gcd_", "lcm_"])
def test_integer_inplace_matches_torch(name):
    check(lambda lib, x, y: getattr(lib, name)(x, y), Input(INTEGERS), Input(INTEGERS[::-1]))


def test_other_inplace_functions_match_torch():
    check(lambda lib, x: lib.zero_(x * 1), grad_input(MATRIX))
    check(lambda lib, x, m, v: lib.addmv_(x * 1, m, v, beta=0.5, alpha=2), grad_input(VECTOR[:2]),
          grad_input(MATRIX), grad_input(VECTOR))
    check(lambda lib, x: lib.as_strided_(x, (2, 2), (1, 2), 1), Input(MATRIX))
    check(lambda lib, x: lib.resize_as_(x, lib.ones(2, 2))[0], Input(MATRIX))
    check(lambda lib, x: lib.conj_physical_(x), Input(MATRIX + 1j * MATRIX))
    check(lambda lib, x: lib.detach_(x * 1).requires_grad, grad_input(MATRIX))


def test_inplace_function_returns_its_input():
    check(lambda lib, x: (lib.sin_(x) is x, lib.fill_(x, 2) is x, lib.zero_(x) is x), Input(UNIT))


def test_inplace_function_errors_match_torch():
    check_error(lambda lib, x: lib.sin_(x), grad_input(UNIT))
    check_error(lambda lib: lib.sin_(1.0))
    check_error(lambda lib: lib.round_(None))
    check_error(lambda lib, x: lib.fill_(x, lib.ones(2)), Input(UNIT))
    check_error(lambda lib, x: lib.sqrt_(x), Input(INTEGERS))


MISSING_ARGUMENT_CALLS = [
    lambda lib, x: lib.sin_(),
    lambda lib, x: lib.zero_(),
    lambda lib, x: lib.gcd_(),
    lambda lib, x: lib.gcd_(x.long()),
    lambda lib, x: lib.ldexp_(x),
    lambda lib, x: lib.as_strided_(x),
    lambda lib, x: lib.as_strided_(x, (2,)),
    lambda lib, x: lib.resize_as_(x),
    lambda lib, x: lib.logit_(eps=0.1),
]


@pytest.mark.parametrize("call", MISSING_ARGUMENT_CALLS)
def test_missing_argument_errors_match_torch(call):
    check_error(call, Input(UNIT))


def test_keyword_arguments_match_torch():
    check(lambda lib, x: lib.sin_(input=x * 1), grad_input(UNIT))
    check(lambda lib, x: lib.resize_as_(x, the_template=lib.ones(3))[:3], Input(UNIT[0]))


def test_fill_matches_torch():
    check(lambda lib, x: lib.fill(x, 3), grad_input(MATRIX))
    check(lambda lib, x, v: lib.fill(x, v), grad_input(MATRIX), grad_input(np.array(1.5)))
    check(lambda lib, x: lib.fill(x, value=2.7), Input(INTEGERS))
    check(lambda lib, x: lib.fill(x.t(), 1), Input(MATRIX), strides=True)


def test_fill_leaves_its_input_alone():
    def filled(lib, x):
        result = lib.fill(x, 5)
        return x, result is x
    check(filled, Input(UNIT))


def test_fill_errors_match_torch():
    check_error(lambda lib, x: lib.fill(x, "a"), Input(MATRIX))
    check_error(lambda lib, x: lib.fill(x, lib.ones(2)), Input(MATRIX))
