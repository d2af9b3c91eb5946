"""nn.functional pooling: max, average, adaptive, power-average pooling and max unpooling.

2-d and 3-d pools are primitives with PyTorch's grad_fn names; 1-d pools run the 2-d op on an
unsqueezed input and squeeze the result, as PyTorch does (so their grad_fn is
SqueezeBackward1). Every backward is itself a recorded op, so gradients of any order work.
"""
import math

import numpy as np

from ember._tensor import _wrap
from ember.nn._functional import _pool_kernels as kernels
from ember.nn._functional import _separable
from ember.ops._registry import node_class, record

__all__ = ["max_pool1d", "max_pool2d", "max_pool3d", "max_pool1d_with_indices",
           "max_pool2d_with_indices", "max_pool3d_with_indices", "avg_pool1d", "avg_pool2d",
           "avg_pool3d", "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_avg_pool3d",
           "adaptive_max_pool1d", "adaptive_max_pool2d", "adaptive_max_pool3d",
           "adaptive_max_pool1d_with_indices", "adaptive_max_pool2d_with_indices",
           "adaptive_max_pool3d_with_indices", "lp_pool1d", "lp_pool2d", "lp_pool3d",
           "max_unpool1d", "max_unpool2d", "max_unpool3d"]

_COUNT_WORDS = {1: "one", 2: "two", 3: "three"}


# ---- scatter/gather at indices: the gradients of max pools and unpooling ---------------------

def _index_pair(scatter_name, gather_name):
    """Node classes for scattering values to indices and for gathering them back (adjoints)."""
    def scatter_rule(grad, indices, spatial, overlapping):
        return _gather(grad, indices, spatial, overlapping, gather_cls)

    def gather_rule(grad, indices, spatial, overlapping):
        return _scatter(grad, indices, spatial, overlapping, scatter_cls)

    scatter_cls = node_class(scatter_name, scatter_rule)
    gather_cls = node_class(gather_name, gather_rule)
    return scatter_cls, gather_cls


def _batched(array, dims):
    return array if array.ndim == dims + 2 else array[None]


def _scatter(values, indices, spatial, overlapping, node_cls):
    data = values._data
    dims = len(spatial)
    out = kernels.scatter_max(_batched(data, dims), _batched(indices._data, dims), spatial,
                              overlapping)
    if data.ndim == dims + 1:
        out = out[0]
    return record(out, node_cls, (values,), (indices, spatial, overlapping))


def _gather(grad, indices, spatial, overlapping, node_cls):
    dims = len(spatial)
    out = kernels.gather_max(_batched(grad._data, dims), _batched(indices._data, dims))
    out = out.reshape(indices._data.shape)
    return record(out, node_cls, (grad,), (indices, spatial, overlapping))


_MAX_POOL_NODES = {dims: _index_pair(f"MaxPool{dims}DWithIndicesBackwardBackward0",
                                     f"MaxPool{dims}DWithIndicesBackward0") for dims in (2, 3)}
_ADAPTIVE_MAX_NODES = {dims: _index_pair(f"AdaptiveMaxPool{dims}DBackwardBackward0",
                                         f"AdaptiveMaxPool{dims}DBackward0") for dims in (2, 3)}
_UNPOOL_NODES = {dims: _index_pair(f"MaxUnpool{dims}DBackward0",
                                   f"MaxUnpool{dims}DBackwardBackward0") for dims in (2, 3)}


def _max_result(input, out, indices, dims, node_pair, overlapping):
    """Records a max pool's output; its node scatters the gradient to the chosen indices."""
    index_tensor = _wrap(indices)
    spatial = tuple(input._data.shape[-dims:])
    result = record(out, node_pair[1], (input,), (index_tensor, spatial, overlapping))
    return result, index_tensor


# ---- argument handling -----------------------------------------------------------------------

def _tuple_arg(value, dims, message):
    if isinstance(value, int):
        return (value,) * dims
    value = tuple(value)
    if len(value) == 1:
        return value * dims
    if len(value) != dims:
        raise RuntimeError(message)
    return value


def _pool_args(name, dims, kernel_size, stride, padding, dilation=1):
    count = _COUNT_WORDS[dims]
    kernel = _tuple_arg(kernel_size, dims, f"{name}: kernel_size must either be a single int, "
                        f"or a tuple of {count} ints")
    if stride is None or (not isinstance(stride, int) and len(stride) == 0):
        stride = kernel
    else:
        stride = _tuple_arg(stride, dims, f"{name}: stride must either be omitted, a single "
                            f"int, or a tuple of {count} ints")
    padding = _tuple_arg(padding, dims, f"{name}: padding must either be a single int, or a "
                         f"tuple of {count} ints")
    dilation = _tuple_arg(dilation, dims, f"{name}: dilation must be either a single int, or "
                          f"a tuple of {count} ints")
    return kernel, stride, padding, dilation


_AXIS_LETTERS = {2: ("H", "W"), 3: ("T", "H", "W")}


def _check_pool(input, dims, kernel, stride, padding, dilation, ceil_mode):
    """PyTorch's pool{2,3}d shape checks, in their order; returns the output size."""
    if any(s == 0 for s in stride):
        raise RuntimeError("stride should not be zero")
    if any(k <= 0 for k in kernel):
        letters = _AXIS_LETTERS[dims]
        raise RuntimeError("kernel size should be greater than zero, but got " + " ".join(
            f"k{letter}: {k}" for letter, k in zip(letters, kernel)))
    if any(d <= 0 for d in dilation):
        letters = _AXIS_LETTERS[dims]
        raise RuntimeError("dilation should be greater than zero, but got " + " ".join(
            f"dilation{letter}: {d}" for letter, d in zip(letters, dilation)))
    shape = tuple(input.shape)
    if len(shape) not in (dims + 1, dims + 2):
        raise RuntimeError(f"non-empty {dims + 1}D or {dims + 2}D (batch mode) tensor expected "
                           "for input")
    if any(extent == 0 for extent in shape[-dims - 1:]):
        raise RuntimeError(f"Expected {dims + 1}D or {dims + 2}D (batch mode) tensor with "
                           f"optional 0 dim batch size for input, but got:{list(shape)}")
    for k, p, d in zip(kernel, padding, dilation):
        if p > (d * (k - 1) + 1) // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got "
                               f"pad={p}, kernel_size={k} and dilation={d}")
    spatial = shape[-dims:]
    out_size = tuple(kernels.pool_output_size(s, k, t, p, d, ceil_mode) for s, k, t, p, d in
                     zip(spatial, kernel, stride, padding, dilation))
    if any(o < 1 for o in out_size):
        planes = shape[-dims - 1]
        raise RuntimeError(f"Given input size: ({'x'.join(map(str, (planes,) + spatial))}). "
                           f"Calculated output size: ({'x'.join(map(str, (planes,) + out_size))}"
                           "). Output size is too small")
    return out_size


def _overlapping(kernel, stride, dilation):
    return any(t < d * (k - 1) + 1 for k, t, d in zip(kernel, stride, dilation))


# ---- max pooling -----------------------------------------------------------------------------

def _max_pool_nd(input, dims, kernel_size, stride, padding, dilation, ceil_mode, name):
    kernel, stride, padding, dilation = _pool_args(name, dims, kernel_size, stride, padding,
                                                   dilation)
    out_size = _check_pool(input, dims, kernel, stride, padding, dilation, ceil_mode)
    data = input._data
    out, indices = kernels.max_pool(_batched(data, dims), kernel, stride, padding, dilation,
                                    out_size)
    if data.ndim == dims + 1:
        out, indices = out[0], indices[0]
    return _max_result(input, out, indices, dims, _MAX_POOL_NODES[dims],
                       _overlapping(kernel, stride, dilation))


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=False):
    """2-d max pooling; returns (output, indices of the maxima in each input plane)."""
    return _max_pool_nd(input, 2, kernel_size, stride, padding, dilation, ceil_mode,
                        "max_pool2d")


def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=False):
    """3-d max pooling; returns (output, indices)."""
    return _max_pool_nd(input, 3, kernel_size, stride, padding, dilation, ceil_mode,
                        "max_pool3d")


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """2-d max pooling over (N, C, H, W) or (C, H, W)."""
    out, indices = max_pool2d_with_indices(input, kernel_size, stride, padding, dilation,
                                           ceil_mode)
    return (out, indices) if return_indices else out


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """3-d max pooling over (N, C, D, H, W) or (C, D, H, W)."""
    out, indices = max_pool3d_with_indices(input, kernel_size, stride, padding, dilation,
                                           ceil_mode)
    return (out, indices) if return_indices else out


def _single(value, name, what):
    if isinstance(value, int):
        return value
    value = tuple(value)
    if len(value) != 1:
        raise RuntimeError(f"{name}: {what} must either be a single int, or a tuple of one int")
    return value[0]


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=False):
    """1-d max pooling; returns (output, indices)."""
    if input.dim() not in (2, 3):
        raise RuntimeError("max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 "
                           f"dim batch size for input, but got:{list(input.shape)}")
    kernel = _single(kernel_size, "max_pool1d", "kernel_size")
    step = kernel if stride is None or stride == () or stride == [] else _single(
        stride, "max_pool1d", "stride")
    pad = _single(padding, "max_pool1d", "padding")
    spread = _single(dilation, "max_pool1d", "dilation")
    if pad > kernel // 2:
        raise RuntimeError(f"max_pool1d() padding should be at most half of kernel size, but "
                           f"got padding={pad} and kernel_size={kernel}")
    out_length = kernels.pool_output_size(input.shape[-1], kernel, step, pad, spread, ceil_mode)
    if out_length < 1:
        raise RuntimeError(f"max_pool1d() Invalid computed output size: {out_length}")
    out, indices = max_pool2d_with_indices(input.unsqueeze(-2), (1, kernel), (1, step),
                                           (0, pad), (1, spread), ceil_mode)
    return out.squeeze(-2), indices.squeeze(-2)


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """1-d max pooling over (N, C, L) or (C, L)."""
    out, indices = max_pool1d_with_indices(input, kernel_size, stride, padding, dilation,
                                           ceil_mode)
    return (out, indices) if return_indices else out


# ---- average pooling -------------------------------------------------------------------------

def _avg_pair(dims):
    def forward_rule(grad, spatial, kernel, stride, padding, ceil_mode, count_include_pad,
                     divisor_override):
        return _avg_backward(grad, spatial, kernel, stride, padding, ceil_mode,
                             count_include_pad, divisor_override, backward_cls)

    def backward_rule(grad, spatial, kernel, stride, padding, ceil_mode, count_include_pad,
                      divisor_override):
        return _avg_forward(grad, kernel, stride, padding, ceil_mode, count_include_pad,
                            divisor_override, forward_cls)

    forward_cls = node_class(f"AvgPool{dims}DBackward0", forward_rule)
    backward_cls = node_class(f"AvgPool{dims}DBackwardBackward0", backward_rule)
    return forward_cls, backward_cls


_AVG_NODES = {dims: _avg_pair(dims) for dims in (2, 3)}


def _avg_forward(input, kernel, stride, padding, ceil_mode, count_include_pad,
                 divisor_override, node_cls):
    data = input._data
    dims = len(kernel)
    spatial = data.shape[-dims:]
    out_size = tuple(kernels.pool_output_size(s, k, t, p, 1, ceil_mode) for s, k, t, p in
                     zip(spatial, kernel, stride, padding))
    out = kernels.avg_pool(_batched(data, dims), kernel, stride, padding, out_size,
                           count_include_pad, divisor_override)
    if data.ndim == dims + 1:
        out = out[0]
    return record(out, node_cls, (input,), (spatial, kernel, stride, padding, ceil_mode,
                                            count_include_pad, divisor_override))


def _avg_backward(grad, spatial, kernel, stride, padding, ceil_mode, count_include_pad,
                  divisor_override, node_cls):
    data = grad._data
    dims = len(kernel)
    out = kernels.avg_pool_backward(_batched(data, dims), spatial, kernel, stride, padding,
                                    count_include_pad, divisor_override)
    if data.ndim == dims + 1:
        out = out[0]
    return record(out, node_cls, (grad,), (spatial, kernel, stride, padding, ceil_mode,
                                           count_include_pad, divisor_override))


def _avg_pool_nd(input, dims, kernel_size, stride, padding, ceil_mode, count_include_pad,
                 divisor_override, name):
    kernel, stride, padding, _ = _pool_args(name, dims, kernel_size, stride, padding)
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    if input.dim() not in (dims + 1, dims + 2):
        # PyTorch indexes the input's dims before checking its rank
        from ember._errors import dim_out_of_range
        raise dim_out_of_range(-dims - 1, input.dim())
    if dims == 3:
        _check_avg3d_size(input, kernel, padding)
    _check_pool(input, dims, kernel, stride, padding, (1,) * dims, ceil_mode)
    return _avg_forward(input, kernel, stride, padding, ceil_mode, count_include_pad,
                        divisor_override, _AVG_NODES[dims][0])


def _check_avg3d_size(input, kernel, padding):
    spatial = tuple(input.shape[-3:])
    if any(s + 2 * p < k for s, k, p in zip(spatial, kernel, padding)):
        raise RuntimeError(f"input image (T: {spatial[0]} H: {spatial[1]} W: {spatial[2]}) "
                           f"smaller than kernel size (kT: {kernel[0]} kH: {kernel[1]} kW: "
                           f"{kernel[2]})")


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """2-d average pooling over (N, C, H, W) or (C, H, W)."""
    return _avg_pool_nd(input, 2, kernel_size, stride, padding, ceil_mode, count_include_pad,
                        divisor_override, "avg_pool2d")


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """3-d average pooling over (N, C, D, H, W) or (C, D, H, W)."""
    return _avg_pool_nd(input, 3, kernel_size, stride, padding, ceil_mode, count_include_pad,
                        divisor_override, "avg_pool3d")


def _check_1d_rank(input, name):
    if input.dim() not in (2, 3):
        raise RuntimeError(f"Expected 2 to 3 dimensions, but got {input.dim()}-dimensional "
                           f"tensor for argument #1 'self' (while checking arguments for {name})")


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True):
    """1-d average pooling over (N, C, L) or (C, L)."""
    _check_1d_rank(input, "avg_pool1d")
    kernel = _single(kernel_size, "avg_pool1d", "kernel_size")
    step = kernel if stride is None or stride == () or stride == [] else _single(
        stride, "avg_pool1d", "stride")
    pad = _single(padding, "avg_pool1d", "padding")
    out = avg_pool2d(input.unsqueeze(-2), (1, kernel), (1, step), (0, pad), ceil_mode,
                     count_include_pad)
    return out.squeeze(-2)


# ---- adaptive pooling ------------------------------------------------------------------------

def _adaptive_size(name, input, dims, output_size, internal):
    shape = tuple(input.shape)
    if isinstance(output_size, int) or output_size is None:
        output_size = (output_size,) * dims
    output_size = tuple(output_size)
    if len(output_size) == 1:
        output_size = output_size * dims
    if len(output_size) != dims:
        if internal:
            raise RuntimeError(f"{name}(): internal error: output_size.size() must be {dims}")
        raise RuntimeError(f"{name}: output_size must be {dims}")
    if len(shape) not in (dims + 1, dims + 2):
        colon = ":" if internal else ""
        raise RuntimeError(f"{name}(): Expected {dims + 1}D or {dims + 2}D tensor, but got"
                           f"{colon} {list(shape)}")
    spatial = shape[-dims:]
    resolved = tuple(s if o is None else o for o, s in zip(output_size, spatial))
    if any(o < 0 for o in resolved):
        raise RuntimeError(f"{name}: elements of output_size must be greater than or equal to 0 "
                           f"but received {{{', '.join(map(str, resolved))}}}")
    return resolved


def _adaptive_matrix(size, out):
    start, end = kernels.adaptive_bounds(size, out)
    matrix = np.zeros((out, size))
    for_rows = np.arange(size)
    inside = (for_rows >= start[:, None]) & (for_rows < end[:, None])
    matrix[inside] = 1.0
    return matrix / np.maximum(end - start, 1)[:, None]


_ADAPTIVE_AVG_NODES = {dims: _separable.map_pair(f"AdaptiveAvgPool{dims}DBackward0")
                       for dims in (2, 3)}


def _adaptive_avg(input, out_size):
    dims = len(out_size)
    spatial = tuple(input.shape[-dims:])
    matrices = tuple((axis - dims, _adaptive_matrix(s, o)) for axis, (s, o) in
                     enumerate(zip(spatial, out_size)))
    return _separable.apply_maps(input, matrices, _ADAPTIVE_AVG_NODES[dims][0])


def adaptive_avg_pool2d(input, output_size):
    """2-d adaptive average pooling to `output_size` (None keeps an input size)."""
    out_size = _adaptive_size("adaptive_avg_pool2d", input, 2, output_size, False)
    if out_size == (1, 1):
        # PyTorch takes the mean for a 1x1 output (grad_fn MeanBackward1)
        return input.mean((-1, -2), keepdim=True)
    return _adaptive_avg(input, out_size)


def adaptive_avg_pool3d(input, output_size):
    """3-d adaptive average pooling."""
    out_size = _adaptive_size("adaptive_avg_pool3d", input, 3, output_size, False)
    if out_size == (1, 1, 1):
        return input.mean((-1, -2, -3), keepdim=True)
    return _adaptive_avg(input, out_size)


def adaptive_avg_pool1d(input, output_size):
    """1-d adaptive average pooling."""
    _check_1d_rank(input, "adaptive_avg_pool1d")
    size = output_size if isinstance(output_size, int) else tuple(output_size)[0]
    return adaptive_avg_pool2d(input.unsqueeze(-2), (1, size)).squeeze(-2)


def _adaptive_max_nd(input, dims, output_size, name):
    out_size = _adaptive_size(name, input, dims, output_size, True)
    data = input._data
    out, indices = kernels.adaptive_max_pool(_batched(data, dims), out_size)
    if data.ndim == dims + 1:
        out, indices = out[0], indices[0]
    spatial = data.shape[-dims:]
    overlapping = any(s % o for s, o in zip(spatial, out_size) if o)
    return _max_result(input, out, indices, dims, _ADAPTIVE_MAX_NODES[dims], overlapping)


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=False):
    """2-d adaptive max pooling; returns (output, indices)."""
    return _adaptive_max_nd(input, 2, output_size, "adaptive_max_pool2d")


def adaptive_max_pool3d_with_indices(input, output_size, return_indices=False):
    """3-d adaptive max pooling; returns (output, indices)."""
    return _adaptive_max_nd(input, 3, output_size, "adaptive_max_pool3d")


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=False):
    """1-d adaptive max pooling; returns (output, indices)."""
    _check_1d_rank(input, "adaptive_max_pool1d")
    size = output_size if isinstance(output_size, int) else tuple(output_size)[0]
    out, indices = adaptive_max_pool2d_with_indices(input.unsqueeze(-2), (1, size))
    return out.squeeze(-2), indices.squeeze(-2)


def adaptive_max_pool1d(input, output_size, return_indices=False):
    """1-d adaptive max pooling."""
    out, indices = adaptive_max_pool1d_with_indices(input, output_size)
    return (out, indices) if return_indices else out


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """2-d adaptive max pooling."""
    out, indices = adaptive_max_pool2d_with_indices(input, output_size)
    return (out, indices) if return_indices else out


def adaptive_max_pool3d(input, output_size, return_indices=False):
    """3-d adaptive max pooling."""
    out, indices = adaptive_max_pool3d_with_indices(input, output_size)
    return (out, indices) if return_indices else out


# ---- power-average pooling -------------------------------------------------------------------

def _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, dims, pool):
    from ember.nn._functional.activation import relu
    from ember.ops.unary import sign
    kernel = (kernel_size,) * dims if isinstance(kernel_size, int) else tuple(kernel_size)
    if stride is not None:
        out = pool(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    else:
        out = pool(input.pow(norm_type), kernel_size, padding=0, ceil_mode=ceil_mode)
    return (sign(out) * relu(out.abs())).mul(math.prod(kernel)).pow(1.0 / norm_type)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """1-d power-average pooling: (sum of x^p over each window)^(1/p)."""
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 1, avg_pool1d)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """2-d power-average pooling."""
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 2, avg_pool2d)


def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """3-d power-average pooling."""
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 3, avg_pool3d)


# ---- max unpooling ---------------------------------------------------------------------------

def _unpool_size(input, kernel, stride, padding, output_size, dims):
    default = [(s - 1) * t + k - 2 * p for s, t, k, p in
               zip(input.shape[-dims:], stride, kernel, padding)]
    if output_size is None:
        return tuple(default)
    output_size = list(output_size)
    if len(output_size) == dims + 2:
        output_size = output_size[2:]
    elif len(output_size) == dims + 1:
        output_size = output_size[1:]
    if len(output_size) != dims:
        raise ValueError(f"output_size should be a sequence containing {dims} or {dims + 2} "
                         f"elements, but it has a length of '{len(output_size)}'")
    for axis, size in enumerate(output_size):
        low = default[axis] - stride[axis]
        high = default[axis] + stride[axis]
        if not low < size < high:
            raise ValueError(f'invalid output_size "{tuple(output_size)}" (dim {axis} must be '
                             f"between {low} and {high})")
    return tuple(output_size)


def _max_unpool_nd(input, indices, kernel_size, stride, padding, output_size, dims):
    kernel = (kernel_size,) * dims if isinstance(kernel_size, int) else tuple(kernel_size)
    stride = kernel if stride is None else (
        (stride,) * dims if isinstance(stride, int) else tuple(stride))
    padding = (padding,) * dims if isinstance(padding, int) else tuple(padding)
    spatial = _unpool_size(input, kernel, stride, padding, output_size, dims)
    plane = math.prod(spatial)
    index_data = indices._data
    invalid = (index_data < 0) | (index_data >= plane)
    if invalid.any():
        # PyTorch reports the first invalid index in memory order
        bad = index_data.reshape(-1)[np.argmax(invalid.reshape(-1))]
        raise RuntimeError(f"Found an invalid max index: {bad} (output volumes are of size "
                           f"{'x'.join(map(str, spatial))})")
    if dims == 1:
        out = _scatter(input.unsqueeze(-2), indices.unsqueeze(-2), (1,) + spatial, False,
                       _UNPOOL_NODES[2][0])
        return out.squeeze(-2)
    return _scatter(input, indices, spatial, False, _UNPOOL_NODES[dims][0])


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Partial inverse of max_pool1d: values placed at their indices, zeros elsewhere."""
    return _max_unpool_nd(input, indices, kernel_size, stride, padding, output_size, 1)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Partial inverse of max_pool2d."""
    return _max_unpool_nd(input, indices, kernel_size, stride, padding, output_size, 2)


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Partial inverse of max_pool3d."""
    return _max_unpool_nd(input, indices, kernel_size, stride, padding, output_size, 3)
