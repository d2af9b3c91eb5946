"""torch.stft and torch.istft, composed as ATen composes them (SpectralOps.cpp): padding,
as_strided framing, a window multiply and the _fft_r2c/_fft_c2c primitives for stft; the inverse
transforms, a window multiply and an overlap-add (unfold's backward) divided by the window
envelope for istft. The grad_fns and gradients are therefore PyTorch's, to any order."""

import numpy as np

from ember import _dtype
from ember._errors import dtype_name, warn_once
from ember._tensor import _wrap
from ember.fft._primitives import fft_c2c, fft_c2r, fft_r2c
from ember.nn._functional.padding import constant_pad_nd, pad
from ember.ops._registry import method
from ember.ops.complex_numbers import view_as_real
from ember.ops.views import embed
from ember.ops.views_slicing import UnfoldBackwardBackward0, _unfold_fn

__all__ = ["stft", "istft"]

# fft_norm_mode in ATen
_NO_NORM, _BY_ROOT_N, _BY_N = 0, 1, 2
_TRIGGERED = (" (Triggered internally at "
              "/__w/pytorch/pytorch/aten/src/ATen/native/SpectralOps.cpp:{}.)")
_WARNINGS = {
    "stft_window": "A window was not provided. A rectangular window will be applied,which is "
                   "known to cause spectral leakage. Other windows such as torch.hann_window or "
                   "torch.hamming_window are recommended to reduce spectral leakage.To suppress "
                   "this warning and use a rectangular window, explicitly set "
                   "`window=torch.ones(n_fft, device=<device>)`." + _TRIGGERED.format(835),
    "stft_real": "stft with return_complex=False is deprecated. In a future pytorch release, "
                 "stft will return complex tensors for all inputs, and return_complex=False will "
                 "raise an error.\nNote: you can still call torch.view_as_real on the complex "
                 "output to recover the old return format." + _TRIGGERED.format(874),
    "istft_window": "A window was not provided. A rectangular window will be applied.Please "
                    "provide the same window used by stft to make the inversion lossless.To "
                    "suppress this warning and use a rectangular window, explicitly set "
                    "`window=torch.ones(n_fft, device=<device>)`." + _TRIGGERED.format(1035),
    "istft_length": "The length of signal is shorter than the length parameter. Result is being "
                    "padded with zeros in the tail. Please check your center and hop_length "
                    "settings." + _TRIGGERED.format(1199),
}

def _type_string(tensor):
    """ATen's Tensor::toString(): the legacy type name, or CPU<Scalar>Type for complex."""
    if tensor._data.dtype.kind == "c":
        return "CPUComplexDoubleType" if tensor._data.itemsize == 16 else "CPUComplexFloatType"
    return tensor.type()


def _optional(value):
    if value is None:
        return "None"
    return str(int(value)) if isinstance(value, bool) else str(value)


def _sizes(tensor):
    return "[" + ", ".join(str(extent) for extent in tensor._data.shape) + "]"


def _window_string(window):
    if window is None:
        return "None"
    return f"{_type_string(window)}{{{_sizes(window)}}}"


def _is_complex(tensor):
    return tensor is not None and tensor._data.dtype.kind == "c"


def _centred_window(window, win_length, n_fft, dtype):
    """The window zero-padded on both sides to n_fft points (None: no multiply needed)."""
    if win_length == n_fft:
        return window
    left = (n_fft - win_length) // 2
    if window is None:
        window = _wrap(np.ones(win_length, dtype=dtype))
    return constant_pad_nd(window, [left, n_fft - win_length - left], 0)


# ---- stft --------------------------------------------------------------------------------------

def stft(input, n_fft, hop_length=None, win_length=None, window=None, center=True,
         pad_mode="reflect", normalized=False, onesided=None, return_complex=None,
         align_to_window=None):
    """The short-time Fourier transform: (batch,) n_fft frequencies x frames."""
    if center and align_to_window is not None:
        raise RuntimeError("stft align_to_window should only be set when center = false")
    if center:
        # torch.functional.stft pads a (1, 1, L) or (1, B, L) view before ATen sees it
        signal_dim = input.dim()
        extended_shape = [1] * (3 - signal_dim) + list(input.shape)
        amount = n_fft // 2
        input = pad(input.view(extended_shape), [amount, amount], pad_mode)
        input = input.view(input.shape[-signal_dim:])
    hop_length = n_fft // 4 if hop_length is None else hop_length
    win_length = n_fft if win_length is None else win_length

    def described(problem):
        return RuntimeError(
            f"stft({_type_string(input)}{_sizes(input)}, n_fft={n_fft}, hop_length={hop_length}, "
            f"win_length={win_length}, window={_window_string(window)}, normalized="
            f"{int(normalized)}, onesided={_optional(onesided)}, return_complex="
            f"{_optional(return_complex)}, align_to_window={_optional(align_to_window)}) : "
            f"{problem}")

    if window is None:
        warn_once("stft_window", _WARNINGS["stft_window"])
    complex_result = return_complex
    if complex_result is None:
        complex_result = _is_complex(input) or _is_complex(window)
    if not complex_result:
        if return_complex is None:
            raise RuntimeError("stft requires the return_complex parameter be given for real "
                               "inputs, and will further require that return_complex=True in a "
                               "future PyTorch release.")
        warn_once("stft_real", _WARNINGS["stft_real"])
    if not (input.dtype.is_floating_point or input.dtype.is_complex):
        raise described("expected a tensor of floating point or complex values")
    if input.dim() not in (1, 2):
        raise described("expected a 1D or 2D tensor")
    signal = input.unsqueeze(0) if input.dim() == 1 else input
    batch, length = signal.shape
    if n_fft <= 0 or n_fft > length:
        raise described(f"expected 0 < n_fft < {length}, but got n_fft={win_length}")
    if hop_length <= 0:
        raise described(f"expected hop_length > 0, but got hop_length={hop_length}")
    if win_length <= 0 or win_length > n_fft:
        raise described(f"expected 0 < win_length <= n_fft, but got win_length={win_length}")
    if window is not None and (window.dim() != 1 or window.shape[0] != win_length):
        raise described(f"expected a 1D window tensor of size equal to win_length={win_length}, "
                        f"but got window with size {_sizes(window)}")
    aligned = bool(align_to_window) and win_length < n_fft
    frame_length = win_length if aligned else n_fft
    frame_count = 1 + (length - frame_length) // hop_length
    row_stride, element_stride = signal.stride()
    frames = signal.as_strided((batch, frame_count, frame_length),
                               (row_stride, hop_length * element_stride, element_stride))
    if aligned:
        # the window's support starts each frame: window the samples, then centre in n_fft
        if window is not None:
            frames = frames * window
        left = (n_fft - win_length) // 2
        frames = constant_pad_nd(frames, [left, n_fft - win_length - left], 0)
    else:
        padded_window = _centred_window(window, win_length, n_fft, signal._data.dtype)
        if padded_window is not None:
            frames = frames * padded_window
    complex_frames = _is_complex(frames)
    one_sided = not complex_frames if onesided is None else onesided
    if frames.dtype in (_dtype.float16, _dtype.bfloat16):
        # ATen's CPU FFT (MKL or pocketfft) has no half-precision kernels
        raise RuntimeError(f"MKL FFT doesn't support tensors of type: {dtype_name(frames.dtype)}")
    normalization = _BY_ROOT_N if normalized else _NO_NORM
    if complex_frames:
        if one_sided:
            raise RuntimeError("Cannot have onesided output if window or input is complex")
        result = fft_c2c(frames, (2,), normalization, True)
    else:
        result = fft_r2c(frames, (2,), normalization, one_sided)
    result.transpose_(1, 2)
    if input.dim() == 1:
        result.squeeze_(0)
    return result if complex_result else view_as_real(result)


# ---- istft -------------------------------------------------------------------------------------

def _overlap_add(frames, signal_length, n_fft, hop_length):
    """Sums frames (channels, frame count, n_fft) at hop_length strides: unfold's backward."""
    shape = (frames.shape[0], signal_length)
    return embed(frames, shape, _unfold_fn(1, n_fft, hop_length), True, UnfoldBackwardBackward0)


def istft(input, n_fft, hop_length=None, win_length=None, window=None, center=True,
          normalized=False, onesided=None, length=None, return_complex=False):
    """The inverse of stft: the signal whose (windowed) frames have these spectra."""
    hop_length = n_fft >> 2 if hop_length is None else hop_length
    win_length = n_fft if win_length is None else win_length

    def described(problem, separator=" : "):
        return RuntimeError(
            f"istft({_type_string(input)}{_sizes(input)}, n_fft={n_fft}, hop_length={hop_length}"
            f", win_length={win_length}, window={_window_string(window)}, center={int(center)}, "
            f"normalized={int(normalized)}, onesided={_optional(onesided)}, length="
            f"{_optional(length)}, return_complex={int(return_complex)}){separator}{problem}")

    if window is None:
        warn_once("istft_window", _WARNINGS["istft_window"])
    if not _is_complex(input):
        raise RuntimeError("istft requires a complex-valued input tensor matching the output "
                           "from stft with return_complex=True.")
    real_dims = input.dim() + 1
    if real_dims < 3:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-real_dims}, "
                         f"{real_dims - 1}], but got -3)")
    frame_count = input.shape[-1]
    fft_size = input.shape[-2]
    expected_length = n_fft + hop_length * (frame_count - 1)
    if input.numel() == 0:
        raise described("input tensor cannot be empty.")
    if real_dims not in (3, 4):
        raise described(f"expected a tensor with 3 or 4 dimensions, but got {real_dims}")
    one_sided = fft_size != n_fft if onesided is None else onesided
    if one_sided and n_fft // 2 + 1 != fft_size:
        raise described("expected the frequency dimension (3rd to the last) of the input tensor "
                        f"to match n_fft / 2 + 1 when onesided=True, but got {fft_size}")
    if not one_sided and n_fft != fft_size:
        raise described("expected the frequency dimension (3rd to the last) of the input tensor "
                        f"to match n_fft when onesided=False, but got {fft_size}")
    if not 0 < hop_length <= win_length:
        raise described("expected 0 < hop_length <= win_length")
    if not 0 < win_length <= n_fft:
        raise described("expected 0 < win_length <= n_fft")
    if window is not None and (window.dim() != 1 or window.shape[0] != win_length):
        raise described("Invalid window shape. window has to be 1D and length of `win_length`")
    real_dtype = input._data.real.dtype
    given_window = window
    if window is None:
        given_window = _wrap(np.ones(win_length, dtype=real_dtype))
    padded_window = _centred_window(given_window, win_length, n_fft, real_dtype)
    spectra = input.unsqueeze(0) if input.dim() == 2 else input
    spectra = spectra.transpose(1, 2)
    normalization = _BY_ROOT_N if normalized else _BY_N
    if return_complex:
        if one_sided:
            raise RuntimeError("Cannot have onesided output if window or input is complex")
        frames = fft_c2c(spectra, (2,), normalization, False)
    else:
        if _is_complex(given_window):
            raise RuntimeError("Complex windows are incompatible with return_complex=False")
        if not one_sided:
            spectra = spectra.narrow(-1, 0, n_fft // 2 + 1)
        frames = fft_c2r(spectra, (2,), normalization, n_fft)
    frames = frames * padded_window.view(1, 1, n_fft)
    signal = _overlap_add(frames, expected_length, n_fft, hop_length)
    squared = padded_window.pow(2).expand(1, frame_count, n_fft)
    envelope = _overlap_add(squared, expected_length, n_fft, hop_length)
    start = n_fft // 2 if center else 0
    if length is not None:
        end = start + length
    else:
        end = -(n_fft // 2) if center else expected_length
    signal = signal[:, start:end]
    envelope = envelope[:, start:end]
    if envelope.abs().min().item() < 1e-11:
        # ATen prints the failed check's boolean tensor after its words
        raise described("window overlap add min: 1\n[ CPUBoolType{} ]", separator=" ")
    signal = signal / envelope
    if input.dim() == 2:
        signal = signal.squeeze(0)
    if end > expected_length:
        warn_once("istft_length", _WARNINGS["istft_length"])
        signal = constant_pad_nd(signal, [0, end - expected_length], 0)
    return signal


method("stft", stft)
method("istft", istft)
