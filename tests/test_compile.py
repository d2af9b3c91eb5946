"""torch.compile and torch.jit against torch: compiled functions and modules give the same
results, a compiled module is an OptimizedModule (state_dict keys prefixed with `_orig_mod.`),
and bad arguments raise PyTorch's errors."""
import numpy as np
import pytest

import ember
from oracle import assert_matches, check, check_error, torch


def _polynomial(x):
    return x ** 3 - 2 * x + 1


def test_compiled_function_matches_torch_and_keeps_its_name():
    check(lambda lib, x: lib.compile(_polynomial)(x), np.linspace(-1, 1, 5))
    check(lambda lib, x: lib.compile(mode="reduce-overhead")(_polynomial)(x), np.arange(3.0))
    assert ember.compile(_polynomial).__name__ == torch.compile(_polynomial).__name__


def test_compiled_module_is_an_optimized_module_sharing_parameters():
    mine = ember.nn.Linear(2, 3)
    theirs = torch.nn.Linear(2, 3)
    mine_compiled = ember.compile(mine)
    theirs_compiled = torch.compile(theirs)
    assert type(mine_compiled).__name__ == type(theirs_compiled).__name__ == "OptimizedModule"
    assert list(mine_compiled.state_dict()) == list(theirs_compiled.state_dict())
    assert mine_compiled.weight is mine.weight and mine_compiled._orig_mod is mine
    assert repr(mine_compiled) == repr(theirs_compiled)
    mine_compiled.eval()
    assert not mine.training
    assert ember.compile(mine, disable=True) is mine


@pytest.mark.parametrize("call", [
    lambda lib: lib.compile(_polynomial, mode="fast"),
    lambda lib: lib.compile(_polynomial, mode="default", options={}),
    lambda lib: lib.compile(3),
])
def test_compile_argument_errors_match_torch(call):
    check_error(lambda lib: call(lib))


def test_jit_script_and_trace_run_eagerly():
    for lib in (ember, torch):
        scripted = lib.jit.script(_polynomial)
        traced = lib.jit.trace(_polynomial, lib.tensor([0.5]))
        assert scripted(lib.tensor(2.0)).item() == traced(lib.tensor([2.0])).item() == 5.0
        assert lib.jit.is_scripting() is False and lib.jit.is_tracing() is False
        assert lib.compiler.is_compiling() is False
    assert_matches(ember.jit.script(_polynomial)(ember.arange(3.0)),
                   torch.jit.script(_polynomial)(torch.arange(3.0)))


def test_compiler_lists_torch_s_backends():
    assert ember.compiler.list_backends() == torch.compiler.list_backends()
