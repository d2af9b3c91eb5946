"""nn.functional convolutions: conv1d/2d/3d and conv_transpose1d/2d/3d.

All of them are one primitive op, `convolution` (PyTorch's grad_fn ConvolutionBackward0). Its
input gradient is the transposed convolution (and the reverse), and its weight gradient is
`_convolution_weight`, a primitive whose own derivatives are convolutions again, so gradients
of any order work. The NumPy kernels live in `_im2col`.
"""
import warnings

from ember.nn._functional import _im2col
from ember.ops._registry import node_class, record

__all__ = ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
           "conv_transpose3d"]

_C_TYPES = {"float32": "float", "float64": "double", "float16": "c10::Half",
            "bfloat16": "c10::BFloat16", "int64": "long", "int32": "int", "int16": "short",
            "int8": "signed char", "uint8": "unsigned char", "bool": "bool"}
_SCALAR_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half",
                 "bfloat16": "BFloat16", "int64": "Long", "int32": "Int", "int16": "Short",
                 "int8": "Char", "uint8": "Byte", "bool": "Bool"}
_AXIS_WORDS = ("depth", "height", "width")


# ---- the primitive ---------------------------------------------------------------------------

def _input_rule(grad, input, weight, stride, padding, dilation, transposed, output_padding,
                groups):
    if transposed:
        return convolution(grad, weight, None, stride, padding, dilation, False, None, groups)
    return convolution(grad, weight, None, stride, padding, dilation, True,
                       _output_padding_for(input.shape[2:], grad.shape[2:], weight.shape[2:],
                                           stride, padding, dilation), groups)


def _weight_rule(grad, input, weight, stride, padding, dilation, transposed, output_padding,
                 groups):
    if transposed:
        return _convolution_weight(grad, input, weight.shape[2:], stride, padding, dilation,
                                   groups)
    return _convolution_weight(input, grad, weight.shape[2:], stride, padding, dilation, groups)


def _bias_rule(grad, input, weight, stride, padding, dilation, transposed, output_padding,
               groups):
    return grad.sum([0] + list(range(2, grad.dim())))


ConvolutionBackward0 = node_class("ConvolutionBackward0", _input_rule, _weight_rule, _bias_rule)


def _output_padding_for(input_size, out_size, kernel, stride, padding, dilation):
    """The output_padding that makes a transposed convolution of `out_size` give back
    `input_size` (the rows a strided convolution skipped at the end)."""
    return tuple(s + 2 * p - d * (k - 1) - 1 - (o - 1) * t for s, o, k, t, p, d in
                 zip(input_size, out_size, kernel, stride, padding, dilation))


def convolution(input, weight, bias, stride, padding, dilation, transposed, output_padding,
                groups):
    """The convolution primitive behind every conv*d and conv_transpose*d (checked args)."""
    x = input._data
    w = weight._data
    if transposed:
        input_size = tuple((s - 1) * t - 2 * p + d * (k - 1) + o + 1 for s, t, p, d, k, o in
                           zip(x.shape[2:], stride, padding, dilation, w.shape[2:],
                               output_padding))
        out = _im2col.convolve_transpose(x, w, input_size, stride, padding, dilation, groups)
    else:
        out = _im2col.convolve(x, w, stride, padding, dilation, groups)
    if bias is not None:
        out += bias._data.reshape((-1,) + (1,) * (out.ndim - 2))
    return record(out, ConvolutionBackward0, (input, weight, bias),
                  (input, weight, stride, padding, dilation, transposed, output_padding, groups))


def _weight_input_rule(grad, input, grad_output, kernel, stride, padding, dilation, groups):
    # d(weight grad)/d(input) applied to a weight-shaped cotangent: a transposed convolution
    return convolution(grad_output, grad, None, stride, padding, dilation, True,
                       _output_padding_for(input.shape[2:], grad_output.shape[2:], kernel,
                                           stride, padding, dilation), groups)


def _weight_grad_output_rule(grad, input, grad_output, kernel, stride, padding, dilation,
                             groups):
    return convolution(input, grad, None, stride, padding, dilation, False, None, groups)


ConvolutionBackwardBackward0 = node_class("ConvolutionBackwardBackward0", _weight_input_rule,
                                          _weight_grad_output_rule)


def _convolution_weight(input, grad_output, kernel, stride, padding, dilation, groups):
    """The weight gradient of convolve(input, weight) for `grad_output` (bilinear in both)."""
    out = _im2col.convolve_weight(input._data, grad_output._data, tuple(kernel), stride,
                                  padding, dilation, groups)
    return record(out, ConvolutionBackwardBackward0, (input, grad_output),
                  (input, grad_output, kernel, stride, padding, dilation, groups))


# ---- argument checks, PyTorch's words --------------------------------------------------------

def _expand(name, value, dims):
    if len(value) == 1:
        return value * dims
    if len(value) != dims:
        raise RuntimeError(f"expected {name} to be a single integer value or a list of {dims} "
                           f"values to match the convolution dimensions, but got {name}="
                           f"{list(value)}")
    return value


def _sizes(shape):
    return "[" + ", ".join(str(s) for s in shape) + "]"


def _check_dtypes(input, weight, bias):
    if input.dtype != weight.dtype:
        raise RuntimeError(f"expected scalar type {_SCALAR_NAMES[_dtype_key(input)]} but found "
                           f"{_SCALAR_NAMES[_dtype_key(weight)]}")
    if bias is not None and bias.dtype != input.dtype:
        raise RuntimeError(f"Input type ({_C_TYPES[_dtype_key(input)]}) and bias type "
                           f"({_C_TYPES[_dtype_key(bias)]}) should be the same")


def _dtype_key(tensor):
    return str(tensor.dtype).split(".")[-1]


def _check_params(input, weight, bias, stride, padding, dilation, transposed, output_padding,
                  groups):
    """PyTorch's check_shape_forward, in its order."""
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    if any(p < 0 for p in padding):
        raise RuntimeError("negative padding is not supported")
    if any(p < 0 for p in output_padding):
        raise RuntimeError("negative output_padding is not supported")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d < 0 for d in dilation):
        raise RuntimeError("dilation should be greater than zero")
    if any(d == 0 for d in dilation):
        raise RuntimeError(f"dilation should be greater than zero, but got {list(dilation)}")
    w_shape = tuple(weight.shape)
    x_shape = tuple(input.shape)
    if len(w_shape) != len(x_shape):
        raise RuntimeError(f"Expected {len(w_shape)}-dimensional input for {len(w_shape)}-"
                           f"dimensional weight {_sizes(w_shape)}, but got {len(x_shape)}-"
                           f"dimensional input of size {_sizes(x_shape)} instead")
    if w_shape[0] < groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be at least {groups} at "
                           f"dimension 0, but got weight of size {_sizes(w_shape)} instead")
    if w_shape[0] % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} "
                           f"at dimension 0, but got weight of size [{_sizes(w_shape)}] instead")
    if not transposed:
        _check_forward_shapes(x_shape, w_shape, bias, padding, dilation, groups)
    else:
        _check_transposed_shapes(x_shape, w_shape, bias, stride, padding, dilation,
                                 output_padding, groups)
    _check_dtypes(input, weight, bias)


def _check_forward_shapes(x_shape, w_shape, bias, padding, dilation, groups):
    channels = w_shape[1] * groups
    if x_shape[1] != channels:
        raise RuntimeError(f"Given groups={groups}, weight of size {_sizes(w_shape)}, expected "
                           f"input{_sizes(x_shape)} to have {channels} channels, but got "
                           f"{x_shape[1]} channels instead")
    if bias is not None and (bias.dim() != 1 or bias.shape[0] != w_shape[0]):
        raise RuntimeError(f"Given weight of size {_sizes(w_shape)}, expected bias to be "
                           f"1-dimensional with {w_shape[0]} elements, but got bias of size "
                           f"{_sizes(bias.shape)} instead")
    padded = [s + 2 * p for s, p in zip(x_shape[2:], padding)]
    kernel = [d * (k - 1) + 1 for k, d in zip(w_shape[2:], dilation)]
    if any(p < k for p, k in zip(padded, kernel)):
        raise RuntimeError(
            f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). "
            f"Kernel size: ({' x '.join(map(str, kernel))}). Kernel size can't be greater than "
            "actual input size")


def _check_transposed_shapes(x_shape, w_shape, bias, stride, padding, dilation,
                             output_padding, groups):
    if x_shape[1] != w_shape[0]:
        raise RuntimeError(f"Given transposed=1, weight of size {_sizes(w_shape)}, expected "
                           f"input{_sizes(x_shape)} to have {w_shape[0]} channels, but got "
                           f"{x_shape[1]} channels instead")
    channels = w_shape[1] * groups
    if bias is not None and (bias.dim() != 1 or bias.shape[0] != channels):
        raise RuntimeError(f"Given transposed=1, weight of size {_sizes(w_shape)}, expected "
                           f"bias to be 1-dimensional with {channels} elements, but got bias of "
                           f"size {_sizes(bias.shape)} instead")
    if any(o >= t and o >= d for o, t, d in zip(output_padding, stride, dilation)):
        # PyTorch runs 1-d convolutions as 2-d ones, so their message names height and width
        words = _AXIS_WORDS[-max(len(stride), 2):]
        padded = (0,) * (len(words) - len(stride))
        parts = []
        for label, values in (("output_padding", output_padding), ("stride", stride),
                              ("dilation", dilation)):
            defaults = padded if label == "output_padding" else (1,) * len(padded)
            parts += [f"{label}_{word}: {v}" for word, v in zip(words, defaults + values)]
        raise RuntimeError("output padding must be smaller than either stride or dilation, but "
                           "got " + " ".join(parts))
    out = [(s - 1) * t - 2 * p + d * (k - 1) + o + 1 for s, t, p, d, k, o in
           zip(x_shape[2:], stride, padding, dilation, w_shape[2:], output_padding)]
    if any(size <= 0 for size in out):
        raise RuntimeError(
            f"Given input size per channel: ({' x '.join(map(str, x_shape[2:]))}). Calculated "
            f"output size per channel: ({' x '.join(map(str, out))}). Output size is too small")


# ---- the public functionals ------------------------------------------------------------------

def _batchify(input, dims, name):
    """input (batched) and whether it was unbatched; PyTorch's error for other ranks."""
    rank = input.dim()
    if rank == dims + 2:
        return input, False
    if rank == dims + 1:
        return input.unsqueeze(0), True
    raise RuntimeError(f"Expected {dims + 1}D (unbatched) or {dims + 2}D (batched) input to "
                       f"{name}, but got input of size: {_sizes(input.shape)}")


def _same_padding(weight, dims, stride, dilation):
    """Per-dim (left, right) zero padding for padding='same' (extra goes to the right)."""
    if any(s != 1 for s in stride):
        raise RuntimeError("padding='same' is not supported for strided convolutions")
    pads = []
    for d, k in zip(dilation, weight.shape[2:]):
        total = d * (k - 1)
        pads.append((total // 2, total - total // 2))
    return pads


def _as_tuple(value, dims):
    """PyTorch's argument parser: an int fills every dim, a sequence is kept as given."""
    if isinstance(value, int):
        return (value,) * dims
    return tuple(value)


def _conv(input, weight, bias, stride, padding, dilation, groups, dims, name):
    batched, unbatched = _batchify(input, dims, name)
    weight_dims = weight.dim() - 2
    stride = _expand("stride", _as_tuple(stride, dims), weight_dims)
    dilation = _expand("dilation", _as_tuple(dilation, dims), weight_dims)
    if isinstance(padding, str):
        if padding == "valid":
            padding = (0,) * weight_dims
        elif padding == "same":
            pads = _same_padding(weight, dims, stride, dilation)
            padding = tuple(left for left, _ in pads)
            extra = []
            for left, right in reversed(pads):
                extra += [0, right - left]
            if any(extra):
                warnings.warn("Using padding='same' with even kernel lengths and odd dilation "
                              "may require a zero-padded copy of the input be created",
                              UserWarning, stacklevel=3)
                from ember.nn._functional.padding import pad
                batched = pad(batched, extra)
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    else:
        padding = _expand("padding", _as_tuple(padding, dims), weight_dims)
    output_padding = (0,) * weight_dims
    _check_params(batched, weight, bias, stride, padding, dilation, False, output_padding,
                  groups)
    out = convolution(batched, weight, bias, stride, padding, dilation, False, output_padding,
                      groups)
    return out.squeeze(0) if unbatched else out


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-d convolution (cross-correlation) over an input of shape (N, C, L) or (C, L)."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, 1, "conv1d")


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-d convolution (cross-correlation) over an input of shape (N, C, H, W) or (C, H, W)."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, 2, "conv2d")


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """3-d convolution over an input of shape (N, C, D, H, W) or (C, D, H, W)."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, 3, "conv3d")


def _conv_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation,
                    dims, name):
    batched, unbatched = _batchify(input, dims, name)
    if isinstance(padding, str):
        raise TypeError(f"{name}(): argument 'padding' must be tuple of ints, not str")
    weight_dims = weight.dim() - 2
    stride = _expand("stride", _as_tuple(stride, dims), weight_dims)
    padding = _expand("padding", _as_tuple(padding, dims), weight_dims)
    output_padding = _expand("output_padding", _as_tuple(output_padding, dims), weight_dims)
    dilation = _expand("dilation", _as_tuple(dilation, dims), weight_dims)
    _check_params(batched, weight, bias, stride, padding, dilation, True, output_padding, groups)
    out = convolution(batched, weight, bias, stride, padding, dilation, True, output_padding,
                      groups)
    return out.squeeze(0) if unbatched else out


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """1-d transposed convolution ("deconvolution")."""
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups,
                           dilation, 1, "conv_transpose1d")


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """2-d transposed convolution ("deconvolution")."""
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups,
                           dilation, 2, "conv_transpose2d")


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """3-d transposed convolution ("deconvolution")."""
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups,
                           dilation, 3, "conv_transpose3d")

