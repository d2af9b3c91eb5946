"""NumPy kernels behind max and average pooling over (B, C, *spatial) arrays.

Windows are strided slices of the (padded) input, one per kernel offset: a pooling kernel has
few offsets, and each step is one vectorised pass over the whole output, which is faster than
materialising every window (the windows are tiny, so a copy with the kernel innermost is slow).
"""
import itertools
import math

import numpy as np

from ember.nn._functional._im2col import pad_constant, scatter_windows

__all__ = ["pool_output_size", "max_pool", "scatter_max", "avg_pool", "avg_pool_backward",
           "adaptive_bounds", "adaptive_max_pool", "gather_max"]


def pool_output_size(size, kernel, stride, padding, dilation, ceil_mode):
    """PyTorch's pooling_output_shape: floor (or ceil) mode, and a ceil-mode window may not
    start inside the right padding."""
    numerator = size + 2 * padding - dilation * (kernel - 1) - 1 + (stride - 1 if ceil_mode else 0)
    out = numerator // stride + 1
    if ceil_mode and (out - 1) * stride >= size + padding:
        out -= 1
    return out


def _offset_slices(offset, stride, dilation, out_size):
    return (slice(None), slice(None)) + tuple(
        slice(k * d, k * d + t * (o - 1) + 1, t)
        for k, t, d, o in zip(offset, stride, dilation, out_size))


def _lowest(dtype):
    if dtype.kind == "f":
        return -np.inf
    if dtype.kind == "b":
        return False
    return np.iinfo(dtype).min


def _grid(per_dim, spatial):
    """Sum over dims of positions[d] * stride[d], broadcast to the output grid."""
    dims = len(per_dim)
    total = np.zeros((1,) * dims, dtype=np.int64)
    stride = 1
    for axis in range(dims - 1, -1, -1):
        shape = [1] * dims
        shape[axis] = -1
        total = total + per_dim[axis].reshape(shape) * stride
        stride *= spatial[axis]
    return total


def _in_range(positions, spatial):
    """Whether each output's window element lies inside the input (not in the padding)."""
    inside = np.ones((1,) * len(spatial), dtype=bool)
    for axis, (position, extent) in enumerate(zip(positions, spatial)):
        shape = [1] * len(spatial)
        shape[axis] = -1
        inside = inside & ((position >= 0) & (position < extent)).reshape(shape)
    return inside


def _code_dtype(count):
    return np.int8 if count < 128 else np.int16 if count < 32768 else np.int64


def _plane_strides(spatial):
    """The flat-index step of each spatial dim within one (batch, channel) plane."""
    strides = [1] * len(spatial)
    for axis in range(len(spatial) - 2, -1, -1):
        strides[axis] = strides[axis + 1] * spatial[axis + 1]
    return strides


def max_pool(data, kernel, stride, padding, dilation, out_size):
    """Max over each window and the flat input index of the chosen element, with PyTorch's
    choice: the first maximum in window order, or the last NaN when the window has NaNs."""
    spatial = data.shape[2:]
    after = [max(0, (o - 1) * t + d * (k - 1) + 1 - (s + p)) for o, t, d, k, s, p in
             zip(out_size, stride, dilation, kernel, spatial, padding)]
    padded = pad_constant(data, padding, after, _lowest(data.dtype))
    offsets = list(itertools.product(*(range(k) for k in kernel)))
    out = padded[_offset_slices(offsets[0], stride, dilation, out_size)].copy()
    for offset in offsets[1:]:
        np.maximum(out, padded[_offset_slices(offset, stride, dilation, out_size)], out=out)
    starts = [np.arange(o) * t - p for o, t, p in zip(out_size, stride, padding)]
    # Which offset holds each maximum, as a small code: offsets are visited in reverse so the
    # first one holding the maximum is written last. Padding (the lowest value) can only win
    # where every real element is the lowest value, and then PyTorch reports the first
    # in-range element, which the reverse order also gives. The code is selected with
    # arithmetic, not a masked copy: the mask is random, and branching on it is slow.
    code = np.zeros(out.shape, dtype=_code_dtype(len(offsets)))
    difference = np.empty_like(code)
    hit = np.empty(out.shape, dtype=bool)
    for number in range(len(offsets) - 1, -1, -1):
        offset = offsets[number]
        np.equal(padded[_offset_slices(offset, stride, dilation, out_size)], out, out=hit)
        if padded is not data:
            positions = [start + k * d for start, k, d in zip(starts, offset, dilation)]
            hit &= _in_range(positions, spatial)
        np.subtract(code.dtype.type(number), code, out=difference)
        np.multiply(difference, hit, out=difference)
        code += difference
    # each offset's distance, in flat input positions, from its window's start
    plane_strides = _plane_strides(spatial)
    distances = np.array([sum(k * d * step for k, d, step in zip(offset, dilation, plane_strides))
                          for offset in offsets], dtype=np.int64)
    indices = np.take(distances, code)
    indices += _grid(starts, spatial)
    if data.dtype.kind == "f":
        _last_nan(padded, out, indices, offsets, starts, stride, dilation, out_size, spatial)
    return out, indices


def _last_nan(padded, out, indices, offsets, starts, stride, dilation, out_size, spatial):
    # one reduction rules NaN out cheaply (a NaN sum can also come from inf - inf)
    if not np.isnan(out.sum()):
        return
    nan = np.isnan(out)
    for offset in offsets:
        positions = [start + k * d for start, k, d in zip(starts, offset, dilation)]
        here = padded[_offset_slices(offset, stride, dilation, out_size)]
        np.copyto(indices, _grid(positions, spatial), where=nan & np.isnan(here))


def scatter_max(grad, indices, spatial, overlapping):
    """Gradient of a max pool: each output's gradient added at its input index."""
    rows = grad.shape[0] * grad.shape[1]
    plane = math.prod(spatial)
    flat_grad = grad.reshape(rows, -1)
    flat_index = indices.reshape(rows, -1)
    if not overlapping:
        # every input element is chosen by at most one window: a plain assignment suffices
        out = np.zeros((rows, plane), dtype=grad.dtype)
        positions = np.arange(0, rows * plane, plane, dtype=np.int64)[:, None] + flat_index
        out.reshape(-1)[positions.reshape(-1)] = flat_grad.reshape(-1)
    else:
        offsets = (np.arange(rows, dtype=np.int64) * plane)[:, None] + flat_index
        out = np.bincount(offsets.ravel(), weights=flat_grad.ravel(), minlength=rows * plane)
        out = out.astype(grad.dtype, copy=False).reshape(rows, plane)
    return out.reshape(grad.shape[:2] + tuple(spatial))


def gather_max(grad, indices):
    """The adjoint of scatter_max: the gradient read at each output's input index."""
    rows = grad.shape[0] * grad.shape[1]
    flat = grad.reshape(rows, -1)
    picked = np.take_along_axis(flat, indices.reshape(rows, -1), axis=1)
    return picked.reshape(indices.shape)


def _divisors(spatial, kernel, stride, padding, out_size, count_include_pad, divisor_override):
    if divisor_override:
        return divisor_override
    total = np.ones((1,) * len(spatial))
    for axis, (s, k, t, p, o) in enumerate(zip(spatial, kernel, stride, padding, out_size)):
        start = np.arange(o) * t - p
        end = np.minimum(start + k, s + p)
        pool = end - start
        count = np.minimum(end, s) - np.maximum(start, 0)
        shape = [1] * len(spatial)
        shape[axis] = -1
        total = total * (pool if count_include_pad else count).reshape(shape)
    return total


def avg_pool(data, kernel, stride, padding, out_size, count_include_pad, divisor_override):
    """Mean over each window with PyTorch's divisor rules (padding counted or not)."""
    spatial = data.shape[2:]
    ones = (1,) * len(kernel)
    after = [max(0, (o - 1) * t + k - (s + p)) for o, t, k, s, p in
             zip(out_size, stride, kernel, spatial, padding)]
    padded = pad_constant(data, padding, after)
    offsets = list(itertools.product(*(range(k) for k in kernel)))
    total = padded[_offset_slices(offsets[0], stride, ones, out_size)].copy()
    for offset in offsets[1:]:
        total += padded[_offset_slices(offset, stride, ones, out_size)]
    divisor = _divisors(spatial, kernel, stride, padding, out_size, count_include_pad,
                        divisor_override)
    if data.dtype.kind in "iu":
        return np.trunc(total / divisor).astype(data.dtype)
    if isinstance(divisor, np.ndarray):
        divisor = divisor.astype(data.dtype)
    total /= divisor
    return total


def avg_pool_backward(grad, spatial, kernel, stride, padding, count_include_pad,
                      divisor_override):
    """The adjoint of avg_pool: each output's share spread over its window."""
    out_size = grad.shape[2:]
    divisor = _divisors(spatial, kernel, stride, padding, out_size, count_include_pad,
                        divisor_override)
    if isinstance(divisor, np.ndarray):
        divisor = divisor.astype(grad.dtype)
    share = grad / divisor
    ones = (1,) * len(kernel)
    extent = [max(s + 2 * p, (o - 1) * t + k) for s, p, o, t, k in
              zip(spatial, padding, out_size, stride, kernel)]
    columns = np.broadcast_to(share[:, :, *((None,) * len(kernel))],
                              share.shape[:2] + tuple(kernel) + tuple(out_size))
    full = scatter_windows(columns, grad.shape[:2] + tuple(extent), kernel, stride, ones,
                           out_size, (0,) * len(kernel))
    interior = (slice(None), slice(None)) + tuple(slice(p, p + s) for p, s in
                                                   zip(padding, spatial))
    return np.ascontiguousarray(full[interior])


def adaptive_bounds(size, out):
    """PyTorch's adaptive window [start, end) for each output index along one axis."""
    index = np.arange(out)
    start = (index * size) // out
    end = -((-(index + 1) * size) // out)
    return start, end


def adaptive_max_pool(data, out_size):
    """Adaptive max pooling: variable windows gathered by index, same choice as max_pool."""
    spatial = data.shape[2:]
    bounds = [adaptive_bounds(s, o) for s, o in zip(spatial, out_size)]
    longest = [int((end - start).max()) if len(start) else 0 for start, end in bounds]
    out = None
    indices = None
    for offset in itertools.product(*(range(k) for k in longest)):
        # clamping to the window's last element repeats it, which never changes the max
        positions = [np.minimum(start + k, end - 1) for (start, end), k in zip(bounds, offset)]
        flat = _grid(positions, spatial)
        here = data.reshape(data.shape[:2] + (-1,))[:, :, flat.ravel()].reshape(
            data.shape[:2] + tuple(out_size))
        if out is None:
            out = here.copy()
            indices = np.broadcast_to(flat, out.shape).copy()
            continue
        better = here > out
        if data.dtype.kind == "f":
            better |= np.isnan(here)
        np.copyto(out, here, where=better)
        np.copyto(indices, flat, where=better)
    return out, indices

