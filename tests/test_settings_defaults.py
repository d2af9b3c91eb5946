"""set_warn_always, set_flush_denormal, get/set_default_device and the deprecated
set_default_tensor_type against torch (answers, effects on the default dtype, warnings,
errors)."""
import warnings

import pytest

import ember
from oracle import check, check_error, run_both, stdout_of_fresh_processes


@pytest.fixture(autouse=True)
def _restore_settings():
    yield
    for library in run_both(lambda lib: lib):
        library.set_warn_always(False)
        library.set_default_device(None)
        library.set_default_dtype(library.float32)


def test_warn_always_matches_torch():
    check(lambda lib: (lib.is_warn_always_enabled(), lib.set_warn_always(True),
                       lib.is_warn_always_enabled(), lib.set_warn_always(False),
                       lib.is_warn_always_enabled()))
    check_error(lambda lib: lib.set_warn_always(1))


def test_flush_denormal_arguments_match_torch():
    # ember answers False (PyTorch's answer on a CPU without the mode): NumPy keeps subnormals
    assert ember.set_flush_denormal(True) is False
    check_error(lambda lib: lib.set_flush_denormal(1))
    check_error(lambda lib: lib.set_flush_denormal("yes"))


@pytest.mark.parametrize("device", [None, "cpu", "cpu:0"])
def test_default_device_matches_torch(device):
    def set_and_get(lib):
        lib.set_default_device(device)
        return str(lib.get_default_device()), str(lib.ones(1).device)
    check(set_and_get)
    check(lambda lib: (lib.set_default_device(lib.device("cpu")), str(lib.get_default_device())))


def test_default_device_errors_match_torch():
    check_error(lambda lib: lib.set_default_device(3))

    def cuda_then_read(lib):
        lib.set_default_device("cuda")
        return lib.get_default_device()
    check_error(cuda_then_read)


@pytest.mark.parametrize("tensor_type", ["DoubleTensor", "FloatTensor", "HalfTensor",
                                         "torch.DoubleTensor"])
def test_set_default_tensor_type_matches_torch(tensor_type):
    def set_type(lib):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if tensor_type.startswith("torch."):
                lib.set_default_tensor_type(tensor_type)
            else:
                lib.set_default_tensor_type(getattr(lib, tensor_type))
        return lib.get_default_dtype(), lib.ones(1).dtype, lib.tensor([1.5]).dtype
    check(set_type)


def test_set_default_tensor_type_warns_as_torch():
    def warned(lib):
        lib.set_warn_always(True)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            lib.set_default_tensor_type(lib.DoubleTensor)
            lib.set_default_tensor_type(lib.FloatTensor)
        return [(item.category.__name__, str(item.message)) for item in caught]
    mine, theirs = run_both(warned)
    assert mine == theirs and len(mine) == 2


def test_set_default_tensor_type_errors_match_torch():
    def quiet(call):
        def function(lib):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                call(lib)
        return function
    check_error(quiet(lambda lib: lib.set_default_tensor_type(lib.LongTensor)))
    check_error(quiet(lambda lib: lib.set_default_tensor_type("torch.IntTensor")))
    check_error(quiet(lambda lib: lib.set_default_tensor_type(lib.float64)))
    check_error(quiet(lambda lib: lib.set_default_tensor_type("no_such_module.FloatTensor")))


def test_warn_always_repeats_once_per_process_warnings_as_torch():
    code = ("import warnings, {lib}\n"
            "{lib}.set_warn_always(True)\n"
            "with warnings.catch_warnings(record=True) as caught:\n"
            "    warnings.simplefilter('always')\n"
            "    a = {lib}.ones(2, 2)\n"
            "    {lib}.chain_matmul(a, a)\n"
            "    {lib}.chain_matmul(a, a)\n"
            "    {lib}.frombuffer(b'abcd', dtype={lib}.uint8)\n"
            "    {lib}.frombuffer(b'abcd', dtype={lib}.uint8)\n"
            "    {lib}.set_warn_always(False)\n"
            "    {lib}.chain_matmul(a, a)\n"
            "print([str(item.message)[:30] for item in caught])\n")
    outputs = stdout_of_fresh_processes(code)
    assert outputs[0] == outputs[1]
