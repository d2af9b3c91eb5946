"""NumPy kernels behind convolution and pooling: strided window views (im2col without Python
loops over pixels) and BLAS contractions, for any number of spatial dims.

Layouts: inputs are (N, C, *spatial). A window view has shape (N, C, *kernel, *out), so that
reshaping it to columns (N, C * prod(kernel), prod(out)) keeps the output position innermost
(contiguous for stride 1) and the convolution is one batched matmul whose result is already
(N, O, *out), PyTorch's contiguous layout.
"""
import itertools
import math

import numpy as np
from numpy.lib.stride_tricks import as_strided

__all__ = ["conv_output_size", "pad_constant", "windows", "convolve", "convolve_transpose",
           "convolve_weight", "scatter_windows"]


def conv_output_size(size, kernel, stride, padding, dilation):
    """Output extent of a sliding window (PyTorch's formula with floor division)."""
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def pad_constant(array, before, after, value=0):
    """`array` with its spatial dims (all but the first two) padded by `before`/`after`
    elements of `value`; the array itself when there is nothing to pad."""
    if not any(before) and not any(after):
        return array
    spatial = array.shape[2:]
    shape = array.shape[:2] + tuple(s + b + a for s, b, a in zip(spatial, before, after))
    out = np.full(shape, value, dtype=array.dtype)
    interior = (slice(None), slice(None)) + tuple(slice(b, b + s) for b, s in zip(before, spatial))
    out[interior] = array
    return out


def windows(padded, kernel, stride, dilation, out_size, writeable=False):
    """The view (N, C, *kernel, *out) of every window of `padded` (no copy)."""
    strides = padded.strides
    spatial_strides = strides[2:]
    shape = padded.shape[:2] + tuple(kernel) + tuple(out_size)
    view_strides = (strides[:2] + tuple(s * d for s, d in zip(spatial_strides, dilation))
                    + tuple(s * t for s, t in zip(spatial_strides, stride)))
    return as_strided(padded, shape=shape, strides=view_strides, writeable=writeable)


def _grouped_columns(input, kernel, stride, padding, dilation, groups, out_size):
    """im2col of `input`: (N, groups, C/groups * prod(kernel), prod(out)) (a copy, or a view
    when the windows already lie contiguously, as for 1x1 kernels)."""
    padded = pad_constant(input, padding, padding)
    view = windows(padded, kernel, stride, dilation, out_size)
    batch, channels = input.shape[:2]
    return view.reshape(batch, groups, channels // groups * math.prod(kernel),
                        math.prod(out_size))


def convolve(input, weight, stride, padding, dilation, groups):
    """Cross-correlation of `input` (N, C, *S) with `weight` (O, C/groups, *K)."""
    kernel = weight.shape[2:]
    out_size = tuple(conv_output_size(s, k, t, p, d) for s, k, t, p, d in
                     zip(input.shape[2:], kernel, stride, padding, dilation))
    columns = _grouped_columns(input, kernel, stride, padding, dilation, groups, out_size)
    out_channels = weight.shape[0]
    matrix = weight.reshape(groups, out_channels // groups, math.prod(weight.shape[1:]))
    if groups == 1:
        out = np.matmul(matrix[0], columns[:, 0])
    else:
        out = np.matmul(matrix, columns)
    return out.reshape((input.shape[0], out_channels) + out_size)


def scatter_windows(columns, padded_shape, kernel, stride, dilation, out_size, padding):
    """The adjoint of `windows`: sums each window's values (N, C, *kernel, *out) back onto an
    array of `padded_shape`, then crops `padding`. A loop over kernel offsets (few) with one
    vectorised add each; windows that never overlap are written in one assignment."""
    out = np.zeros(padded_shape, dtype=columns.dtype)
    overlapping = any(t < d * (k - 1) + 1 and d < t * (o - 1) + 1 for k, t, d, o in
                      zip(kernel, stride, dilation, out_size))
    if not overlapping:
        windows(out, kernel, stride, dilation, out_size, writeable=True)[...] = columns
    else:
        for offset in itertools.product(*(range(k) for k in kernel)):
            target = (slice(None), slice(None)) + tuple(
                slice(i * d, i * d + t * (o - 1) + 1, t)
                for i, d, t, o in zip(offset, dilation, stride, out_size))
            out[target] += columns[(slice(None), slice(None)) + offset]
    if not any(padding):
        return out
    interior = (slice(None), slice(None)) + tuple(
        slice(p, extent - p) for p, extent in zip(padding, padded_shape[2:]))
    return out[interior]


def convolve_transpose(grad, weight, input_size, stride, padding, dilation, groups):
    """The adjoint of `convolve` in its input: `grad` (N, O, *out) and `weight`
    (O, C/groups, *K) give (N, C, *input_size). This is also the transposed convolution."""
    if len(input_size) == 2 and stride[1] == 1:
        return _convolve_transpose_rows(grad, weight, input_size, stride, padding, dilation,
                                        groups)
    batch, out_channels = grad.shape[:2]
    kernel = weight.shape[2:]
    out_size = grad.shape[2:]
    group_in = weight.shape[1]
    columns = _grad_columns(grad, weight, groups, math.prod(out_size))
    columns = columns.reshape((batch, groups * group_in) + tuple(kernel) + tuple(out_size))
    padded_shape = (batch, groups * group_in) + tuple(
        s + 2 * p for s, p in zip(input_size, padding))
    return np.ascontiguousarray(
        scatter_windows(columns, padded_shape, kernel, stride, dilation, out_size, padding))


def _grad_columns(grad, weight, groups, positions):
    """weight^T @ grad per group: (N, C * prod(K), positions) columns of the input gradient."""
    batch, out_channels = grad.shape[:2]
    matrix = weight.reshape(groups, out_channels // groups, math.prod(weight.shape[1:]))
    flat_grad = grad.reshape(batch, groups, out_channels // groups, positions)
    if groups == 1:
        return np.matmul(matrix[0].T, flat_grad[:, 0])
    return np.matmul(matrix.transpose(0, 2, 1), flat_grad)


def _convolve_transpose_rows(grad, weight, input_size, stride, padding, dilation, groups):
    """convolve_transpose for 2-d inputs with unit stride along the width, summing whole rows
    with the batch innermost: the gradient is widened to the padded width (zeros past the last
    output column) and laid out (O, rows, padded width, N), so that one GEMM per group gives
    every kernel offset's columns and each offset's contribution is one add over long
    contiguous runs of the (C, padded plane, N) result, not over output-width pieces."""
    batch, out_channels = grad.shape[:2]
    channels = weight.shape[1] * groups
    kernel_h, kernel_w = weight.shape[2:]
    out_h, out_w = grad.shape[2:]
    padded_h = input_size[0] + 2 * padding[0]
    padded_w = input_size[1] + 2 * padding[1]
    wide = np.zeros((out_channels, out_h, padded_w, batch), dtype=grad.dtype)
    wide[:, :, :out_w] = grad.transpose(1, 2, 3, 0)
    run = out_h * padded_w * batch
    matrix = weight.reshape(groups, out_channels // groups, math.prod(weight.shape[1:]))
    columns = np.matmul(matrix.transpose(0, 2, 1),
                        wide.reshape(groups, out_channels // groups, run))
    columns = columns.reshape(channels, kernel_h, kernel_w, out_h, padded_w * batch)
    row_step = stride[0] * padded_w * batch
    last_start = ((kernel_h - 1) * dilation[0] * padded_w + (kernel_w - 1) * dilation[1]) * batch
    extent = max(padded_h * padded_w * batch, last_start + (out_h - 1) * row_step
                 + padded_w * batch)
    flat = np.zeros((channels, extent), dtype=grad.dtype)
    item = flat.itemsize
    for a in range(kernel_h):
        for b in range(kernel_w):
            start = (a * dilation[0] * padded_w + b * dilation[1]) * batch
            target = as_strided(flat[:, start:], shape=(channels, out_h, padded_w * batch),
                                strides=(flat.strides[0], row_step * item, item))
            target += columns[:, a, b]
    out = flat[:, :padded_h * padded_w * batch].reshape(channels, padded_h, padded_w, batch)
    out = out[:, padding[0]:padded_h - padding[0], padding[1]:padded_w - padding[1]]
    return np.ascontiguousarray(out.transpose(3, 0, 1, 2))


def convolve_weight(input, grad, kernel, stride, padding, dilation, groups):
    """The adjoint of `convolve` in its weight: sum over batch and positions of input windows
    times `grad` (N, O, *out), shaped (O, C/groups, *kernel)."""
    batch, channels = input.shape[:2]
    out_channels = grad.shape[1]
    out_size = grad.shape[2:]
    dims = len(kernel)
    padded = pad_constant(input, padding, padding)
    view = windows(padded, kernel, stride, dilation, out_size)
    # columns laid out (C * K, N * L) in one copy, so that the batch folds into the
    # contraction and each group is one BLAS call: (O/g, N*L) @ (N*L, C/g*K)
    order = (1,) + tuple(range(2, 2 + dims)) + (0,) + tuple(range(2 + dims, 2 + 2 * dims))
    positions = batch * math.prod(out_size)
    columns = view.transpose(order).reshape(groups, channels // groups * math.prod(kernel),
                                            positions)
    grad_matrix = grad.reshape(batch, out_channels, math.prod(out_size)).transpose(
        1, 0, 2).reshape(groups, out_channels // groups, positions)
    out = np.matmul(grad_matrix, columns.transpose(0, 2, 1))
    return out.reshape((out_channels, channels // groups) + tuple(kernel))
