"""nn.functional vision ops: interpolate (upsample), pixel_shuffle/pixel_unshuffle,
channel_shuffle, unfold (im2col) and fold (col2im).

Interpolation is separable: each mode is one small weight matrix per spatial axis (see
_separable), built with PyTorch's source-index formulas and computed in the input's precision
(PyTorch's opmath) so that rounding of the source positions matches.
"""
import math
import warnings

import numpy as np

from ember._errors import dim_out_of_range
from ember.nn._functional import _im2col, _separable
from ember.ops._registry import node_class, record

__all__ = ["interpolate", "upsample", "upsample_nearest", "upsample_bilinear", "pixel_shuffle",
           "pixel_unshuffle", "channel_shuffle", "unfold", "fold"]

_MODES = "nearest | linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact"
_LINEAR_MODES = {"linear": 1, "bilinear": 2, "trilinear": 3, "bicubic": 2}
_CUBIC_A = -0.75


# ---- interpolation weights per axis ----------------------------------------------------------

def _scale(in_size, out_size, scale, align_corners, real):
    """PyTorch's area_pixel_compute_scale (in the op's precision `real`)."""
    if align_corners:
        return real((in_size - 1) / (out_size - 1)) if out_size > 1 else real(0)
    if scale is not None and scale > 0:
        return real(1.0 / scale)
    return real(in_size) / real(out_size)


def _source(scale, out_size, align_corners, cubic, real):
    """PyTorch's area_pixel_compute_source_index for every output index."""
    index = np.arange(out_size, dtype=real)
    if align_corners:
        return scale * index
    source = scale * (index + real(0.5)) - real(0.5)
    return source if cubic else np.maximum(source, real(0))


def _nearest_index(in_size, out_size, scale, exact, real):
    step = real(1.0 / scale) if scale is not None and scale > 0 else real(in_size) / real(
        out_size)
    index = np.arange(out_size, dtype=real)
    if exact:
        index = index + real(0.5)
    return np.minimum(np.floor(index * step).astype(np.int64), in_size - 1)


def _linear_matrix(in_size, out_size, scale, align_corners, real):
    step = _scale(in_size, out_size, scale, align_corners, real)
    source = _source(step, out_size, align_corners, False, real)
    low = source.astype(np.int64)
    high = low + (low < in_size - 1)
    weight_high = source - low.astype(real)
    matrix = np.zeros((out_size, in_size), dtype=real)
    rows = np.arange(out_size)
    np.add.at(matrix, (rows, low), real(1) - weight_high)
    np.add.at(matrix, (rows, high), weight_high)
    return matrix


def _cubic_weights(t):
    a = _CUBIC_A

    def near(x):
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x):
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    return (far(t + 1), near(t), near(1 - t), far(2 - t))


def _cubic_matrix(in_size, out_size, scale, align_corners, real):
    step = _scale(in_size, out_size, scale, align_corners, real)
    source = _source(step, out_size, align_corners, True, real)
    floor = np.floor(source)
    t = source - floor
    matrix = np.zeros((out_size, in_size), dtype=real)
    rows = np.arange(out_size)
    for offset, weight in zip(range(-1, 3), _cubic_weights(t)):
        columns = np.clip(floor.astype(np.int64) + offset, 0, in_size - 1)
        np.add.at(matrix, (rows, columns), weight)
    return matrix


def _one_hot(index, in_size):
    matrix = np.zeros((len(index), in_size))
    matrix[np.arange(len(index)), index] = 1.0
    return matrix


# ---- nearest: gather forward, summing backward ------------------------------------------------

def _nearest_pair(name):
    def forward_rule(grad, indices, sizes):
        matrices = tuple((axis, _one_hot(index, size).T) for (axis, index), size in
                         zip(reversed(indices), reversed(sizes)))
        return _separable.apply_maps(grad, matrices, backward_cls)

    def backward_rule(grad, matrices):
        return _gather(grad, tuple((axis, np.argmax(m.T, axis=1)) for axis, m in
                                   reversed(matrices)), forward_cls)

    forward_cls = node_class(name, forward_rule)
    backward_cls = node_class(name[:-1] + "Backward0", backward_rule)
    return forward_cls


def _gather(input, indices, node_cls):
    data = input._data
    sizes = tuple(data.shape[axis] for axis, _ in indices)
    out = data
    for axis, index in indices:
        out = np.take(out, index, axis=axis)
    return record(out, node_cls, (input,), (indices, sizes))


_NEAREST_NODES = {(exact, dims): _nearest_pair(
    f"UpsampleNearest{'Exact' if exact else ''}{dims}DBackward0")
    for exact in (False, True) for dims in (1, 2, 3)}
_LINEAR_NODES = {mode: _separable.map_pair(name)[0] for mode, name in (
    ("linear", "UpsampleLinear1DBackward0"), ("bilinear", "UpsampleBilinear2DBackward0"),
    ("trilinear", "UpsampleTrilinear3DBackward0"), ("bicubic", "UpsampleBicubic2DBackward0"))}


# ---- interpolate -----------------------------------------------------------------------------

def _output_geometry(input, size, scale_factor, recompute_scale_factor, mode):
    dims = input.dim() - 2
    spatial = list(input.shape[2:])
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        if isinstance(size, (list, tuple)):
            if len(size) != dims:
                raise ValueError(
                    "Input and output must have the same number of spatial dimensions, but got "
                    f"input with spatial dimensions of {spatial} and output size of {size}. "
                    "Please provide input tensor in (N, C, d1, d2, ...,dK) format and output "
                    "size in (o1, o2, ...,oK) format.")
            output_size = [int(s) for s in size]
        else:
            output_size = [int(size)] * dims
        scales = [None] * dims
    elif scale_factor is not None:
        if isinstance(scale_factor, (list, tuple)):
            if len(scale_factor) != dims:
                raise ValueError(
                    "Input and scale_factor must have the same number of spatial dimensions, "
                    f"but got input with spatial dimensions of {spatial} and scale_factor of "
                    f"shape {scale_factor}. Please provide input tensor in (N, C, d1, d2, "
                    "...,dK) format and scale_factor in (s1, s2, ...,sK) format.")
            scales = [float(s) for s in scale_factor]
        else:
            scales = [float(scale_factor)] * dims
        output_size = [math.floor(s * f) for s, f in zip(spatial, scales)]
    else:
        raise ValueError("either size or scale_factor should be defined")
    if recompute_scale_factor and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    if recompute_scale_factor or mode == "area":
        scales = [None] * dims
    return output_size, scales


def _check_sizes(input, output_size):
    spatial = list(input.shape[2:])
    if any(s <= 0 for s in spatial) or any(o <= 0 for o in output_size):
        letters = ("D", "H", "W")[-len(spatial):]
        inputs = ", ".join(f"{letter}: {s}" for letter, s in zip(letters, spatial))
        outputs = ", ".join(f"{letter}: {o}" for letter, o in zip(letters, output_size))
        raise RuntimeError(f"Input and output sizes should be greater than 0, but got input "
                           f"({inputs}) output ({outputs})")


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Resizes (N, C, *spatial) by `size` or `scale_factor` with the given mode."""
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating "
                             "modes: linear | bilinear | bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    dims = input.dim() - 2
    output_size, scales = _output_geometry(input, size, scale_factor, recompute_scale_factor,
                                           mode)
    if antialias:
        raise NotImplementedError("ember's interpolate does not implement antialias=True")
    if mode == "area":
        from ember.nn._functional import pooling
        pools = {1: pooling.adaptive_avg_pool1d, 2: pooling.adaptive_avg_pool2d,
                 3: pooling.adaptive_avg_pool3d}
        if dims in pools:
            return pools[dims](input, output_size)
    if mode in ("nearest", "nearest-exact") and dims in (1, 2, 3):
        _check_sizes(input, output_size)
        real = np.float64 if input._data.dtype == np.float64 else np.float32
        indices = tuple((axis + 2, _nearest_index(s, o, f, mode == "nearest-exact", real))
                        for axis, (s, o, f) in enumerate(zip(input.shape[2:], output_size,
                                                             scales)))
        return _gather(input, indices, _NEAREST_NODES[(mode == "nearest-exact", dims)])
    if mode in _LINEAR_MODES:
        needed = _LINEAR_MODES[mode] + 2
        if input.dim() != needed and input.dim() in (3, 4, 5):
            raise NotImplementedError(f"Got {input.dim()}D input, but {mode} mode needs "
                                      f"{needed}D input")
        if input.dim() == needed:
            _check_sizes(input, output_size)
            return _resample(input, output_size, scales, align_corners, mode)
    raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got "
                              f"{input.dim()}D) for the modes: {_MODES} (got {mode})")


def _resample(input, output_size, scales, align_corners, mode):
    real = np.float64 if input._data.dtype == np.float64 else np.float32
    build = _cubic_matrix if mode == "bicubic" else _linear_matrix
    dims = len(output_size)
    matrices = tuple((axis - dims, build(s, o, f, align_corners, real)) for axis, (s, o, f) in
                     enumerate(zip(input.shape[2:], output_size, scales)))
    return _separable.apply_maps(input, matrices, _LINEAR_NODES[mode])


def _deprecated(name):
    # PyTorch warns with a UserWarning (a DeprecationWarning would be hidden by default)
    warnings.warn(f"`nn.functional.{name}` is deprecated. Use `nn.functional.interpolate` "
                  "instead.", stacklevel=3)


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """Deprecated alias of interpolate."""
    _deprecated("upsample")
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    """Deprecated: interpolate(mode='nearest')."""
    _deprecated("upsample_nearest")
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    """Deprecated: interpolate(mode='bilinear', align_corners=True)."""
    _deprecated("upsample_bilinear")
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


# ---- pixel and channel shuffles: pure index permutations -------------------------------------

def _shuffle_pair(name, inverse_name, forward, inverse):
    def forward_rule(grad, factor):
        return record(inverse(grad._data, factor), inverse_cls, (grad,), (factor,))

    def inverse_rule(grad, factor):
        return record(forward(grad._data, factor), forward_cls, (grad,), (factor,))

    forward_cls = node_class(name, forward_rule)
    inverse_cls = node_class(inverse_name, inverse_rule)
    return forward_cls, inverse_cls


def _pixel_shuffle_array(data, factor):
    *batch, channels, height, width = data.shape
    out_channels = channels // (factor * factor)
    blocks = data.reshape(*batch, out_channels, factor, factor, height, width)
    lead = len(batch)
    order = tuple(range(lead)) + tuple(lead + i for i in (0, 3, 1, 4, 2))
    return np.ascontiguousarray(blocks.transpose(order)).reshape(
        *batch, out_channels, height * factor, width * factor)


def _pixel_unshuffle_array(data, factor):
    *batch, channels, height, width = data.shape
    blocks = data.reshape(*batch, channels, height // factor, factor, width // factor, factor)
    lead = len(batch)
    order = tuple(range(lead)) + tuple(lead + i for i in (0, 2, 4, 1, 3))
    return np.ascontiguousarray(blocks.transpose(order)).reshape(
        *batch, channels * factor * factor, height // factor, width // factor)


_PIXEL_SHUFFLE, _PIXEL_UNSHUFFLE = _shuffle_pair(
    "PixelShuffleBackward0", "PixelUnshuffleBackward0", _pixel_shuffle_array,
    _pixel_unshuffle_array)


def pixel_shuffle(input, upscale_factor):
    """(*, C*r^2, H, W) -> (*, C, H*r, W*r)."""
    if input.dim() < 3:
        raise RuntimeError("pixel_shuffle expects input to have at least 3 dimensions, but got "
                           f"input with {input.dim()} dimension(s)")
    if upscale_factor <= 0:
        raise RuntimeError(f"pixel_shuffle expects a positive upscale_factor, but got "
                           f"{upscale_factor}")
    channels = input.shape[-3]
    if channels % (upscale_factor * upscale_factor):
        raise RuntimeError("pixel_shuffle expects its input's 'channel' dimension to be "
                           "divisible by the square of upscale_factor, but input.size(-3)="
                           f"{channels} is not divisible by {upscale_factor * upscale_factor}")
    return record(_pixel_shuffle_array(input._data, upscale_factor), _PIXEL_SHUFFLE, (input,),
                  (upscale_factor,))


def pixel_unshuffle(input, downscale_factor):
    """(*, C, H*r, W*r) -> (*, C*r^2, H, W)."""
    if input.dim() < 3:
        raise RuntimeError("pixel_unshuffle expects input to have at least 3 dimensions, but "
                           f"got input with {input.dim()} dimension(s)")
    if downscale_factor <= 0:
        raise RuntimeError(f"pixel_unshuffle expects a positive downscale_factor, but got "
                           f"{downscale_factor}")
    for word, dim in (("height", -2), ("width", -1)):
        if input.shape[dim] % downscale_factor:
            raise RuntimeError(f"pixel_unshuffle expects {word} to be divisible by "
                               f"downscale_factor, but input.size({dim})={input.shape[dim]} is "
                               f"not divisible by {downscale_factor}")
    return record(_pixel_unshuffle_array(input._data, downscale_factor), _PIXEL_UNSHUFFLE,
                  (input,), (downscale_factor,))


def _channel_shuffle_array(data, groups):
    batch, channels = data.shape[:2]
    rest = data.shape[2:]
    grouped = data.reshape((batch, groups, channels // groups) + rest)
    return np.ascontiguousarray(grouped.swapaxes(1, 2)).reshape(data.shape)


def _channel_unshuffle_array(data, groups):
    return _channel_shuffle_array(data, data.shape[1] // groups)


_CHANNEL_SHUFFLE, _ = _shuffle_pair("ChannelShuffleBackward0", "ChannelShuffleBackward0",
                                    _channel_shuffle_array, _channel_unshuffle_array)


def channel_shuffle(input, groups):
    """Interleaves `groups` channel groups: (N, g*k, *) -> (N, k*g, *)."""
    if input.dim() <= 2:
        raise RuntimeError(f"channel_shuffle expects input with > 2 dims, but got input with "
                           f"sizes {list(input.shape)}")
    if groups <= 0:
        raise RuntimeError(f"Number of groups to divide channels in must be positive. Value of "
                           f"groups:{groups}")
    channels = input.shape[1]
    if channels % groups:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got {channels} "
                           f"channels and {groups} groups.")
    return record(_channel_shuffle_array(input._data, groups), _CHANNEL_SHUFFLE, (input,),
                  (groups,))


# ---- unfold / fold ---------------------------------------------------------------------------

def _pair_arg(value, name):
    if isinstance(value, int):
        return (value, value)
    value = tuple(value)
    if len(value) != 2:
        raise RuntimeError(f"It is expected {name} equals to 2, but got size {len(value)}")
    return value


def _block_args(kernel_size, dilation, padding, stride):
    kernel = _pair_arg(kernel_size, "kernel_size")
    dilation = _pair_arg(dilation, "dilation")
    padding = _pair_arg(padding, "padding")
    stride = _pair_arg(stride, "stride")
    checks = (("kernel size", "kernel", kernel, 0, "greater than zero"),
              ("stride", "stride", stride, 0, "greater than zero"),
              ("dilation", "dilation", dilation, 0, "greater than zero"),
              ("padding", "pad", padding, -1, "non-negative"))
    for word, label, values, bound, need in checks:
        if any(v <= bound for v in values):
            raise RuntimeError(f"{word} should be {need}, but got {label}_height: {values[0]} "
                               f"{label}_width: {values[1]}")
    return kernel, dilation, padding, stride


def _blocks(spatial, kernel, dilation, padding, stride, folding=False):
    blocks = [(s + 2 * p - (d * (k - 1) + 1)) // t + 1 for s, k, d, p, t in
              zip(spatial, kernel, dilation, padding, stride)]
    if any(b < 1 for b in blocks):
        geometry = (f"kernel_size=({kernel[0]}, {kernel[1]}), dilation=({dilation[0]}, "
                    f"{dilation[1]}), padding=({padding[0]}, {padding[1]}), ")
        if folding:
            raise RuntimeError(
                f"Given output_size=({spatial[0]}, {spatial[1]}), {geometry}stride=({stride[0]}"
                f", {stride[1]}), calculated shape of the array of sliding blocks as "
                f"({blocks[0]}, {blocks[1]}), which is too small (non-positive)")
        raise RuntimeError(
            f"Given input with spatial size ({spatial[0]}, {spatial[1]}), {geometry}calculated "
            f"shape of the array of sliding blocks as ({blocks[0]}, {blocks[1]}), but its "
            "components must be at least one.")
    return blocks


def _im2col_array(data, kernel, dilation, padding, stride):
    batch, channels = data.shape[:2]
    blocks = _blocks(data.shape[2:], kernel, dilation, padding, stride)
    padded = _im2col.pad_constant(data, padding, padding)
    view = _im2col.windows(padded, kernel, stride, dilation, blocks)
    return view.reshape(batch, channels * kernel[0] * kernel[1], blocks[0] * blocks[1])


def _col2im_array(data, output_size, kernel, dilation, padding, stride):
    batch = data.shape[0]
    channels = data.shape[1] // (kernel[0] * kernel[1])
    blocks = _blocks(output_size, kernel, dilation, padding, stride, True)
    columns = data.reshape((batch, channels) + tuple(kernel) + tuple(blocks))
    padded_shape = (batch, channels) + tuple(s + 2 * p for s, p in zip(output_size, padding))
    out = _im2col.scatter_windows(columns, padded_shape, kernel, stride, dilation, blocks,
                                  padding)
    return np.ascontiguousarray(out)


def _unfold_rule(grad, spatial, kernel, dilation, padding, stride):
    return _fold(grad, spatial, kernel, dilation, padding, stride)


def _fold_rule(grad, output_size, kernel, dilation, padding, stride):
    return _unfold(grad, kernel, dilation, padding, stride)


Im2ColBackward0 = node_class("Im2ColBackward0", _unfold_rule)
Col2ImBackward0 = node_class("Col2ImBackward0", _fold_rule)


def _unfold(input, kernel, dilation, padding, stride):
    data = input._data
    batched = data if data.ndim == 4 else data[None]
    out = _im2col_array(batched, kernel, dilation, padding, stride)
    if data.ndim == 3:
        out = out[0]
    return record(out, Im2ColBackward0, (input,),
                  (tuple(data.shape[-2:]), kernel, dilation, padding, stride))


def _fold(input, output_size, kernel, dilation, padding, stride):
    data = input._data
    batched = data if data.ndim == 3 else data[None]
    out = _col2im_array(batched, tuple(output_size), kernel, dilation, padding, stride)
    if data.ndim == 2:
        out = out[0]
    return record(out, Col2ImBackward0, (input,),
                  (tuple(output_size), kernel, dilation, padding, stride))


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """Extracts sliding blocks: (N, C, H, W) -> (N, C*kh*kw, L)."""
    kernel, dilation, padding, stride = _block_args(kernel_size, dilation, padding, stride)
    if input.dim() < 3:
        # PyTorch reads a spatial size before it checks the rank
        raise dim_out_of_range(input.dim(), input.dim())
    if input.dim() not in (3, 4) or any(s == 0 for s in input.shape[-3:]):
        raise RuntimeError("Expected 3D or 4D (batch mode) tensor with possibly 0 batch size "
                           "and other non-zero dimensions for input, but got: "
                           f"{list(input.shape)}")
    return _unfold(input, kernel, dilation, padding, stride)


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Sums sliding blocks back into an image: (N, C*kh*kw, L) -> (N, C, *output_size)."""
    output_size = _pair_arg(output_size, "output_size")
    kernel, dilation, padding, stride = _block_args(kernel_size, dilation, padding, stride)
    if input.dim() not in (2, 3) or any(s == 0 for s in input.shape[-2:]):
        raise RuntimeError("Expected 2D or 3D (batch mode) tensor for input with possibly 0 "
                           "batch size and non-zero dimensions for input, but got: "
                           f"{list(input.shape)}")
    product = kernel[0] * kernel[1]
    if input.shape[-2] % product:
        raise RuntimeError(f"Expected size of input's dimension 1 to be divisible by the product "
                           f"of kernel_size, but got input.size(1)={input.shape[-2]} and "
                           f"kernel_size=({kernel[0]}, {kernel[1]}).")
    blocks = [(s + 2 * p - (d * (k - 1) + 1)) // t + 1 for s, k, d, p, t in
              zip(output_size, kernel, dilation, padding, stride)]
    if input.shape[-1] != blocks[0] * blocks[1]:
        raise RuntimeError(
            f"Given output_size=({output_size[0]}, {output_size[1]}), kernel_size=({kernel[0]}, "
            f"{kernel[1]}), dilation=({dilation[0]}, {dilation[1]}), padding=({padding[0]}, "
            f"{padding[1]}), stride=({stride[0]}, {stride[1]}), expected size of input's "
            f"dimension 2 to match the calculated number of sliding blocks {blocks[0]} * "
            f"{blocks[1]} = {blocks[0] * blocks[1]}, but got input.size(2)={input.shape[-1]}.")
    _blocks(output_size, kernel, dilation, padding, stride, True)
    return _fold(input, output_size, kernel, dilation, padding, stride)
