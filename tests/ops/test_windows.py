"""Window functions (hann, hamming, blackman, bartlett, kaiser) against torch: symmetric and
periodic, every length up to 9, dtypes, requires_grad, and torch's errors."""
import pytest

import ember
from oracle import check, check_error

WINDOWS = ["hann_window", "hamming_window", "blackman_window", "bartlett_window",
           "kaiser_window"]


def test_every_window_is_tested():
    assert set(ember.ops.windows.__all__) == set(WINDOWS)


@pytest.mark.parametrize("name", WINDOWS)
@pytest.mark.parametrize("periodic", [True, False])
def test_window_matches_torch(name, periodic):
    for length in range(10):
        check(lambda lib: getattr(lib, name)(length, periodic))
        check(lambda lib: getattr(lib, name)(length, periodic=periodic, dtype=lib.float64))


@pytest.mark.parametrize("name", WINDOWS)
def test_window_options_match_torch(name):
    check(lambda lib: getattr(lib, name)(7))
    check(lambda lib: getattr(lib, name)(6, dtype=lib.float16))
    check(lambda lib: getattr(lib, name)(6, dtype=lib.bfloat16))
    check(lambda lib: getattr(lib, name)(5, requires_grad=True, device="cpu"), grad=False)


def test_window_parameters_match_torch():
    check(lambda lib: lib.hamming_window(9, False, 0.5))
    check(lambda lib: lib.hamming_window(8, True, 0.6, 0.3, dtype=lib.float64))
    for beta in (0.0, 2.5, 12.0, 40.0):
        check(lambda lib: lib.kaiser_window(9, False, beta, dtype=lib.float64))
        check(lambda lib: lib.kaiser_window(8, True, beta))


def test_default_dtype_applies_to_windows():
    def in_float64(lib):
        previous = lib.get_default_dtype()
        lib.set_default_dtype(lib.float64)
        try:
            return lib.hann_window(4), lib.kaiser_window(5, False)
        finally:
            lib.set_default_dtype(previous)
    check(in_float64)


@pytest.mark.parametrize("name", WINDOWS)
def test_window_errors_match_torch(name):
    check_error(lambda lib: getattr(lib, name)(-1))
    check_error(lambda lib: getattr(lib, name)(3, dtype=lib.int64))
    check_error(lambda lib: getattr(lib, name)(3, dtype=lib.int32))
    check_error(lambda lib: getattr(lib, name)(-2, dtype=lib.int64))
    check_error(lambda lib: getattr(lib, name)(3, dtype=lib.complex64))
    check_error(lambda lib: getattr(lib, name)(2.5))
