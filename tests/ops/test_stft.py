"""torch.stft and torch.istft against torch: every padding mode, window shorter than n_fft,
hops, normalisation, one- and two-sided, complex inputs and windows, batched and unbatched,
length, float32/float64, gradients (input and window, against torch, finite differences and
second order), grad_fns, errors and the once-per-process warnings."""
import warnings

import numpy as np
import pytest

import ember
from oracle import (check, check_double_backward, check_error, finite_differences, grad_input,
                    stdout_of_fresh_processes)

RNG = np.random.default_rng(5)
SIGNAL = RNG.standard_normal((2, 64))
TIGHT = {"rtol": 1e-9, "atol": 1e-10}


@pytest.fixture(autouse=True)
def _quiet_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        yield


def _window(size):
    return np.hanning(size + 2)[1:-1]


def _spectrum(n_fft, frames, batch=(2,), onesided=True):
    """The spectrum of random frames, so that istft's input is a valid (Hermitian) stft."""
    frames_data = RNG.standard_normal(batch + (n_fft, frames))
    spectrum = np.fft.fft(frames_data, axis=-2)
    return spectrum[..., :n_fft // 2 + 1, :] if onesided else spectrum


@pytest.mark.parametrize("pad_mode", ["reflect", "constant", "replicate", "circular"])
@pytest.mark.parametrize("batched", [True, False])
def test_stft_pad_modes(pad_mode, batched):
    signal = SIGNAL if batched else SIGNAL[0]

    def transform(lib, x, w):
        return lib.stft(x, 16, window=w, pad_mode=pad_mode, return_complex=True)
    check(transform, grad_input(signal), grad_input(_window(16)), strides=True, **TIGHT)
    check(transform, grad_input(signal.astype(np.float32)),
          grad_input(_window(16).astype(np.float32)), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("options", [
    {"hop_length": 5, "win_length": 10},
    {"hop_length": 3, "center": False, "normalized": True},
    {"win_length": 9, "onesided": False},
    {"hop_length": 7, "win_length": 10, "center": False, "align_to_window": True},
    {"hop_length": 7, "win_length": 10, "center": False, "align_to_window": False},
    {"n_fft": 15, "hop_length": 2},
])
def test_stft_options(options):
    options = dict(options)
    n_fft = options.pop("n_fft", 16)
    window = _window(options.get("win_length", n_fft))

    def transform(lib, x, w):
        return lib.stft(x, n_fft, window=w, return_complex=True, **options)
    check(transform, grad_input(SIGNAL), grad_input(window), **TIGHT)
    check(lambda lib, x: lib.stft(x, n_fft, return_complex=True, **options), grad_input(SIGNAL),
          **TIGHT)


def test_stft_strided_input():
    columns = np.asfortranarray(SIGNAL)
    check(lambda lib, x, w: lib.stft(x.T.T, 16, window=w, return_complex=True),
          grad_input(columns), grad_input(_window(16)), **TIGHT)
    check(lambda lib, x, w: lib.stft(x[:, ::2], 8, window=w, center=False, return_complex=True),
          grad_input(SIGNAL), grad_input(_window(8)), **TIGHT)


def test_stft_real_output_complex_input_and_window():
    check(lambda lib, x, w: lib.stft(x, 16, window=w, return_complex=False), grad_input(SIGNAL),
          grad_input(_window(16)), **TIGHT)
    complex_signal = SIGNAL + 1j * RNG.standard_normal(SIGNAL.shape)
    check(lambda lib, x: lib.stft(x, 16, hop_length=3), grad_input(complex_signal), **TIGHT)
    check(lambda lib, x: x.stft(16, return_complex=False), grad_input(complex_signal), **TIGHT)
    complex_window = _window(16) * np.exp(1j * np.arange(16))
    check(lambda lib, x, w: lib.stft(x, 16, window=w), grad_input(SIGNAL),
          grad_input(complex_window), **TIGHT)
    check(lambda lib, x, w: x.stft(16, window=w, return_complex=True),
          grad_input(SIGNAL.astype(np.float32)), grad_input(_window(16)), **TIGHT)


def test_stft_finite_differences_and_second_order():
    def transform(x, w):
        return ember.view_as_real(ember.stft(x, 8, hop_length=3, window=w, return_complex=True))
    finite_differences(transform, SIGNAL[:, :20], _window(8))
    check_double_backward(lambda lib, x, w: lib.stft(x, 8, window=w, return_complex=False),
                          [SIGNAL[:, :20], _window(8)])


@pytest.mark.parametrize("call", [
    lambda lib, x: lib.stft(x, 16),
    lambda lib, x: lib.stft(x.long(), 16, return_complex=True),
    lambda lib, x: lib.stft(x.reshape(2, 1, 64), 16, return_complex=True),
    lambda lib, x: lib.stft(x.reshape(2, 1, 64), 16, return_complex=True, center=False),
    lambda lib, x: lib.stft(x, 16, hop_length=0, return_complex=True),
    lambda lib, x: lib.stft(x, 16, win_length=20, return_complex=True),
    lambda lib, x: lib.stft(x, 16, win_length=0, return_complex=True),
    lambda lib, x: lib.stft(x, 16, window=lib.ones(10, dtype=lib.float64),
                            return_complex=True),
    lambda lib, x: lib.stft(x, 16, window=lib.ones(2, 16), return_complex=True),
    lambda lib, x: lib.stft(x, 200, return_complex=True),
    lambda lib, x: lib.stft(x, 200, return_complex=True, center=False),
    lambda lib, x: lib.stft(x, 0, return_complex=True, center=False),
    lambda lib, x: lib.stft(x, 16, window=lib.ones(16, dtype=lib.complex128), onesided=True),
    lambda lib, x: lib.stft(x, 16, return_complex=True, pad_mode="wrap"),
    lambda lib, x: lib.stft(x, 16, return_complex=True, align_to_window=True),
    lambda lib, x: lib.stft(x.half(), 16, return_complex=True),
    lambda lib, x: lib.stft(x[0].bfloat16(), 16, return_complex=True),
])
def test_stft_errors(call):
    check_error(call, SIGNAL)


@pytest.mark.parametrize("options", [
    {}, {"center": False, "window": None}, {"hop_length": 3, "win_length": 12},
    {"normalized": True, "length": 70}, {"length": 40}, {"onesided": False},
    {"onesided": False, "return_complex": True}, {"hop_length": 6, "center": False},
])
@pytest.mark.parametrize("batch", [(2,), ()])
def test_istft(options, batch):
    options = dict(options)
    window = options.pop("window", _window(options.get("win_length", 16)) + 0.1)
    hop_length = options.get("hop_length", 4)
    onesided = options.get("onesided", True)
    frames = 1 + (64 - 16) // hop_length
    spectrum = _spectrum(16, frames, batch, onesided)

    def inverse(lib, s, w=None):
        return lib.istft(s, 16, window=w, **options)
    if window is None:
        check(inverse, grad_input(spectrum), **TIGHT)
    else:
        check(inverse, grad_input(spectrum), grad_input(window), strides=True, **TIGHT)
        check(inverse, grad_input(spectrum.astype(np.complex64)),
              grad_input(window.astype(np.float32)), rtol=1e-4, atol=1e-5)


def test_istft_inverts_stft_and_complex_windows():
    window = _window(16)
    check(lambda lib, x, w: lib.istft(lib.stft(x, 16, window=w, return_complex=True), 16,
                                      window=w, length=64),
          grad_input(SIGNAL), grad_input(window), **TIGHT)
    spectrum = _spectrum(16, 13, onesided=False)
    check(lambda lib, s, w: s.istft(16, window=w, return_complex=True), grad_input(spectrum),
          grad_input(window * np.exp(0.5j * np.arange(16)) + 0.1), **TIGHT)


def test_istft_finite_differences_and_second_order():
    spectrum = _spectrum(8, 5, ())

    def inverse(real, imaginary, w):
        return ember.istft(ember.complex(real, imaginary), 8, hop_length=2, window=w)
    finite_differences(inverse, spectrum.real, spectrum.imag, _window(8) + 0.2)
    check_double_backward(
        lambda lib, real, imaginary, w: lib.istft(lib.complex(real, imaginary), 8, window=w),
        [spectrum.real, spectrum.imag, _window(8) + 0.2])


@pytest.mark.parametrize("call", [
    lambda lib, s: lib.istft(s.real, 16),
    lambda lib, s: lib.istft(s[:, :, :0], 16),
    lambda lib, s: lib.istft(s[0, 0], 16),
    lambda lib, s: lib.istft(s[None], 16),
    lambda lib, s: lib.istft(s, 16, onesided=False),
    lambda lib, s: lib.istft(s, 18),
    lambda lib, s: lib.istft(s, 16, hop_length=0),
    lambda lib, s: lib.istft(s, 16, hop_length=17),
    lambda lib, s: lib.istft(s, 16, win_length=17),
    lambda lib, s: lib.istft(s, 16, window=lib.ones(10)),
    lambda lib, s: lib.istft(s, 16, return_complex=True),
    lambda lib, s: lib.istft(s, 16, window=lib.ones(16, dtype=lib.complex64)),
    lambda lib, s: lib.istft(s, 16, hop_length=16, window=lib.tensor(np.hanning(16))),
    lambda lib, s: lib.istft(s, 16, hop_length=4, win_length=10, center=False),
    lambda lib, s: lib.istft(s, 16, window=lib.zeros(16, dtype=lib.float64) + 1e-7),
])
def test_istft_errors(call):
    check_error(call, _spectrum(16, 13))


_WARNINGS_SCRIPT = """
import warnings
import numpy as np
import {lib} as lib
x = lib.tensor(np.linspace(-1, 1, 40))
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    for _ in range(2):
        spectrum = lib.stft(x, 8, return_complex=True)
        lib.stft(x, 8, window=lib.ones(8, dtype=lib.float64), return_complex=False)
        lib.istft(spectrum, 8, length=50)
        x.stft(8, return_complex=True).istft(8)
for warning in caught:
    print(warning.category.__name__, repr(str(warning.message)))
"""


def test_warnings_once_per_process():
    outputs = stdout_of_fresh_processes(_WARNINGS_SCRIPT)
    assert outputs[0] == outputs[1]
    assert outputs[1].count("UserWarning") == 4
