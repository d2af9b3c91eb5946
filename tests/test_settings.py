"""Process-wide settings, constants and ember.accelerator against PyTorch's CPU-only build: the
values they report and the checks on their arguments."""
import math
import subprocess
import sys
import warnings

import pytest

import ember
from oracle import check_error, requires_oracle, torch

pytestmark = requires_oracle


@pytest.fixture(autouse=True)
def _restore_settings():
    saved = {lib: (lib.get_num_threads(), lib.are_deterministic_algorithms_enabled(),
                   lib.is_deterministic_algorithms_warn_only_enabled(),
                   lib.get_float32_matmul_precision()) for lib in (ember, torch)}
    yield
    for lib, (threads, deterministic, warn_only, precision) in saved.items():
        lib.set_num_threads(threads)
        lib.use_deterministic_algorithms(deterministic, warn_only=warn_only)
        lib.set_float32_matmul_precision(precision)


@pytest.mark.parametrize("name", ["inf", "nan", "pi", "e", "newaxis"])
def test_constants(name):
    mine, theirs = getattr(ember, name), getattr(torch, name)
    assert type(mine) is type(theirs)
    assert mine is None or mine == theirs or (math.isnan(mine) and math.isnan(theirs))


def test_thread_counts_start_at_the_usable_cores_and_can_be_set():
    assert ember.get_num_threads() == torch.get_num_threads()
    assert ember.get_num_interop_threads() == torch.get_num_interop_threads()
    for lib in (ember, torch):
        lib.set_num_threads(3)
    assert ember.get_num_threads() == torch.get_num_threads() == 3


@pytest.mark.parametrize("value", [0, -1, 1.5, "2", True, None])
@pytest.mark.parametrize("name", ["set_num_threads", "set_num_interop_threads"])
def test_thread_count_errors(name, value):
    check_error(lambda lib: getattr(lib, name)(value))
    assert ember.get_num_threads() == torch.get_num_threads()


def test_interop_threads_are_set_once_per_process():
    # a fresh interpreter per library: PyTorch fixes the inter-op pool at its first use
    script = ("import sys, importlib; lib = importlib.import_module(sys.argv[1])\n"
              "lib.set_num_interop_threads(3)\n"
              "try:\n    lib.set_num_interop_threads(4)\n"
              "except RuntimeError as error:\n    print(error)\n"
              "print(lib.get_num_interop_threads())")
    outputs = [subprocess.run([sys.executable, "-c", script, name], capture_output=True,
                              text=True, check=True).stdout for name in ("ember", "torch")]
    assert outputs[0] == outputs[1]
    assert outputs[0].splitlines()[-1] == "3"


def test_deterministic_algorithms_flags():
    for lib in (ember, torch):
        assert lib.use_deterministic_algorithms(True, warn_only=True) is None
    for name in ("are_deterministic_algorithms_enabled",
                 "is_deterministic_algorithms_warn_only_enabled"):
        assert getattr(ember, name)() is getattr(torch, name)() is True
    for lib in (ember, torch):
        lib.use_deterministic_algorithms(False)
    assert ember.are_deterministic_algorithms_enabled() is False
    assert ember.is_deterministic_algorithms_warn_only_enabled() is False


def test_deterministic_algorithms_errors():
    check_error(lambda lib: lib.use_deterministic_algorithms("yes"))
    check_error(lambda lib: lib.use_deterministic_algorithms(1))
    check_error(lambda lib: lib.use_deterministic_algorithms(True, warn_only=None))
    assert ember.are_deterministic_algorithms_enabled() is False


@pytest.mark.parametrize("precision", ["highest", "high", "medium"])
def test_matmul_precision_is_recorded(precision):
    for lib in (ember, torch):
        lib.set_float32_matmul_precision(precision)
    assert ember.get_float32_matmul_precision() == torch.get_float32_matmul_precision()


def test_unknown_matmul_precision_warns_and_keeps_the_setting():
    messages = {}
    for lib in (ember, torch):
        lib.set_float32_matmul_precision("medium")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            lib.set_float32_matmul_precision("low")
        # PyTorch's C++ warnings end with where they were raised in its sources
        messages[lib] = [(w.category, str(w.message).split(" (Triggered internally")[0])
                         for w in caught]
        assert lib.get_float32_matmul_precision() == "medium"
    assert messages[ember] == messages[torch]
    check_error(lambda lib: lib.set_float32_matmul_precision(3))


# ---- accelerator ----------------------------------------------------------------------------

def test_accelerator_queries_answer_as_cpu_only_torch():
    for name in ("is_available", "current_accelerator", "device_count"):
        mine, theirs = getattr(ember.accelerator, name)(), getattr(torch.accelerator, name)()
        assert type(mine) is type(theirs) and mine == theirs
    assert ember.accelerator.current_accelerator(check_available=True) is None


@pytest.mark.parametrize("name", ["current_device_index", "synchronize", "current_stream",
                                  "empty_cache", "memory_allocated", "max_memory_allocated",
                                  "memory_reserved", "max_memory_reserved", "memory_stats",
                                  "reset_peak_memory_stats", "reset_accumulated_memory_stats",
                                  "get_memory_info", "get_device_capability"])
def test_accelerator_calls_that_need_a_device_raise_torch_error(name):
    check_error(lambda lib: getattr(lib.accelerator, name)())


def test_accelerator_device_choice_idiom_falls_back_to_cpu():
    # the device line of PyTorch's "Learn the Basics" tutorials
    for lib in (ember, torch):
        device = (lib.accelerator.current_accelerator().type if lib.accelerator.is_available()
                  else "cpu")
        assert device == "cpu"
    check_error(lambda lib: lib.accelerator.set_device_index(0))


# ---- distributed ----------------------------------------------------------------------------

def test_distributed_runs_take_the_single_process_path():
    assert ember.distributed.is_available() is False
    for name in ("is_initialized", "is_torchelastic_launched"):
        assert getattr(ember.distributed, name)() is getattr(torch.distributed, name)() is False


@pytest.mark.parametrize("name", ["get_rank", "get_world_size", "barrier"])
def test_distributed_queries_raise_torch_uninitialised_group_error(name):
    check_error(lambda lib: getattr(lib.distributed, name)())
