"""nn.functional: affine_grid and grid_sample (spatial transformers), as ATen computes them.

affine_grid is one primitive (AffineGridGeneratorBackward0): a base grid of normalised pixel
centres times theta^T, for 2-D (N, 2, 3) and 3-D (N, 3, 4) transforms. grid_sample is one
primitive (GridSampler2DBackward0 on 4-D inputs, GridSampler3DBackward0 on 5-D ones): grid
coordinates are unnormalised to pixel space, padded (clipped or reflected), then the input is
read at the nearest pixel or blended from the 2^d around it; bicubic sampling (4-D only) blends
the 4 x 4 pixels around with cubic-convolution weights, padding each tap instead of the source
position. The gradients with respect to the input (a scatter-add of the blend weights) and to
the grid (the blend's slope, through the padding's derivative) are computed in NumPy, as
ATen's backward kernels have no derivative."""
import itertools
import math
import warnings

import numpy as np

from ember._dtype import from_numpy_dtype
from ember._errors import dtype_name
from ember._tensor import _wrap
from ember.ops._registry import node_class, record
from ember.ops.ranges import linspace

__all__ = ["affine_grid", "grid_sample"]

_ALIGN_WARNING = ("Default grid_sample and affine_grid behavior has changed to "
                  "align_corners=False since 1.3.0. Please specify align_corners=True if the old "
                  "behavior is desired. See the documentation of grid_sample for details.")


# ---- affine_grid -------------------------------------------------------------------------------

def _base_coordinates(steps, align_corners, dtype):
    """Normalised pixel centres in [-1, 1] (corner pixels' centres with align_corners),
    computed as ATen does (a linspace in the grid's dtype, then scaled) to the last bit."""
    if steps <= 1:
        return np.zeros(max(steps, 0), dtype=dtype)
    coordinates = linspace(-1, 1, steps, dtype=from_numpy_dtype(dtype))._data
    if not align_corners:
        coordinates = coordinates * (steps - 1) / steps
    return coordinates.astype(dtype, copy=False)


def _base_grid(spatial_size, align_corners, dtype):
    """(prod(spatial_size), d + 1) rows (x, y[, z], 1) for every output location."""
    dims = len(spatial_size)
    base = np.ones(tuple(spatial_size) + (dims + 1,), dtype=dtype)
    # x, the first component, runs along the last spatial axis (the width)
    for component in range(dims):
        axis = dims - 1 - component
        shape = [1] * dims
        shape[axis] = spatial_size[axis]
        coordinates = _base_coordinates(spatial_size[axis], align_corners, dtype)
        base[..., component] = coordinates.reshape(shape)
    return base.reshape(-1, dims + 1)


def _affine_grid_backward(grad, base):
    # grid = base @ theta^T per batch, so d theta = grad^T @ base
    batch = grad.shape[0]
    flat = grad.reshape(batch, -1, grad.shape[-1])
    return flat.transpose(1, 2).matmul(_wrap(base))


AffineGridGeneratorBackward0 = node_class("AffineGridGeneratorBackward0", _affine_grid_backward)


def _check_theta(theta, size):
    """theta must hold (N, 2, 3) matrices for 4-D sizes, (N, 3, 4) ones for 5-D sizes."""
    if len(size) == 4:
        rows, columns, name = 2, 3, "2D"
    elif len(size) == 5:
        rows, columns, name = 3, 4, "3D"
    else:
        raise NotImplementedError(f"affine_grid only supports 4D and 5D sizes, for 2D and 3D "
                                  f"affine transforms, respectively. Got size {size}.")
    if theta.dim() != 3 or theta.shape[-2] != rows or theta.shape[-1] != columns:
        raise ValueError(f"Expected a batch of {name} affine matrices of shape "
                         f"Nx{rows}x{columns} for size {size}. Got {theta.shape}.")


def affine_grid(theta, size, align_corners=None):
    """The (N, H, W, 2) or (N, D, H, W, 3) sampling grid of a batch of affine matrices."""
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, stacklevel=2)
        align_corners = False
    if not theta.is_floating_point():
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    size = list(size)
    _check_theta(theta, size)
    spatial_size = size[2:]
    if align_corners and min(spatial_size) == 1:
        warnings.warn("Since version 1.3.0, affine_grid behavior has changed for unit-size grids "
                      "when align_corners=True. This is not an intended use case of affine_grid. "
                      "See the documentation of affine_grid for details.", stacklevel=2)
    elif min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    batch = size[0]
    data = theta._data
    columns = len(spatial_size) + 1
    if data.shape[0] != batch:
        # ATen multiplies the base grid by theta^T with bmm, whose check speaks of batch2
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{batch}, {columns}] but got: [{data.shape[0]}, {columns}].")
    base = _base_grid(spatial_size, align_corners, data.dtype)
    array = np.matmul(base[None], data.transpose(0, 2, 1))
    array = array.reshape([batch] + spatial_size + [columns - 1])
    return record(np.ascontiguousarray(array), AffineGridGeneratorBackward0, (theta,), (base,))


# ---- coordinates -------------------------------------------------------------------------------

def _unnormalise(coordinates, size, align_corners):
    """Pixel coordinates of normalised ones, and d(pixel)/d(normalised)."""
    if align_corners:
        return (coordinates + 1) / 2 * (size - 1), (size - 1) / 2
    return ((coordinates + 1) * size - 1) / 2, size / 2


def _reflect(coordinates, low, high):
    """Reflects into [low/2, high/2] (twice-scaled bounds, as ATen's reflect_coordinates);
    returns the reflected coordinates and the sign of the derivative."""
    if low == high:
        return np.zeros_like(coordinates), np.zeros_like(coordinates)
    minimum = low / 2
    span = (high - low) / 2
    shifted = coordinates - minimum
    sign = np.where(shifted < 0, -1.0, 1.0)
    shifted = np.abs(shifted)
    flips = np.floor(shifted / span)
    extra = np.fmod(shifted, span)
    even = np.fmod(flips, 2) == 0
    reflected = np.where(even, extra + minimum, span - extra + minimum)
    return reflected, np.where(even, sign, -sign)


def _pad(pixels, size, padding_mode, align_corners):
    """ATen's compute_coordinates (border clips, reflection reflects then clips; zeros leaves
    the coordinates, reads outside give 0) and the derivative of that mapping."""
    slope = np.ones_like(pixels)
    if padding_mode == "zeros":
        return pixels, slope
    if padding_mode == "reflection":
        if align_corners:
            pixels, slope = _reflect(pixels, 0, 2 * (size - 1))
        else:
            pixels, slope = _reflect(pixels, -1, 2 * size - 1)
    inside = (pixels > 0) & (pixels < size - 1)
    pixels = np.clip(pixels, 0, size - 1)
    return pixels, np.where(inside, slope, 0)


def _source_index(coordinates, size, padding_mode, align_corners):
    """ATen's grid_sampler_compute_source_index_set_grad: pixel coordinates after padding,
    and their derivative with respect to the normalised grid coordinate."""
    pixels, scale = _unnormalise(coordinates, size, align_corners)
    pixels, slope = _pad(pixels, size, padding_mode, align_corners)
    return pixels, slope * scale


def _valid(index, sizes):
    inside = np.ones(index[0].shape, dtype=bool)
    for position, size in zip(index, sizes):
        inside &= (position >= 0) & (position < size)
    return inside


def _flat_index(index, sizes):
    """Row-major positions in the flattened spatial axes of the (clipped) pixel indices, and
    whether each pixel lies inside."""
    inside = _valid(index, sizes)
    flat = np.zeros(inside.shape, dtype=np.int64)
    for position, size in zip(index, sizes):
        flat = flat * size + np.clip(position, 0, size - 1)
    return flat, inside


def _read(data, index):
    """(N, C, *output spatial) values at the given pixels, zero where outside."""
    batch_size, channels = data.shape[:2]
    flat, inside = _flat_index(index, data.shape[2:])
    # explicit sizes: -1 cannot be inferred when the batch or the channels are empty
    planes = data.reshape(batch_size, channels, math.prod(data.shape[2:]))
    positions = flat.reshape(batch_size, 1, math.prod(flat.shape[1:]))
    values = np.take_along_axis(planes, positions, axis=2)
    values = values.reshape((batch_size, channels) + flat.shape[1:])
    return np.where(inside[:, None], values, 0)


def _scatter(result, index, contribution):
    """Adds (N, C, *output spatial) contributions at the given pixels, skipping outside ones:
    one bincount over positions in the flattened result."""
    batch_size, channels = result.shape[:2]
    if result.size == 0:
        return
    flat, inside = _flat_index(index, result.shape[2:])
    spatial = flat.shape[1:]
    planes = np.arange(batch_size * channels).reshape((batch_size, channels) + (1,) * len(spatial))
    positions = planes * (result.size // (batch_size * channels)) + flat[:, None]
    weights = np.where(inside[:, None], contribution, 0)
    sums = np.bincount(positions.reshape(-1), weights.reshape(-1), minlength=result.size)
    result += sums.reshape(result.shape).astype(result.dtype, copy=False)


# ---- bilinear, trilinear and nearest sampling --------------------------------------------------

class _Sampling:
    """The corners, their weights and validity for every output location (N, *spatial)."""

    def __init__(self, input_shape, grid, mode, padding_mode, align_corners):
        sizes = input_shape[2:]
        dims = len(sizes)
        self.nearest = mode == "nearest"
        positions = []
        self.slopes = []
        # the grid lists x (the last spatial axis) first: axis k reads component dims - 1 - k
        for axis, size in enumerate(sizes):
            position, slope = _source_index(grid[..., dims - 1 - axis], size, padding_mode,
                                            align_corners)
            positions.append(position)
            self.slopes.append(slope)
        self.output_shape = positions[0].shape
        if self.nearest:
            # nearbyint: halves round to even, as np.rint
            index = tuple(np.rint(position).astype(np.int64) for position in positions)
            self.corners = [(index, np.ones_like(positions[0]))]
            return
        lower = [np.floor(position) for position in positions]
        # the weights of the lower and the upper neighbour along each axis
        self.factors = [((low + 1) - position, position - low)
                        for position, low in zip(positions, lower)]
        self.offsets = list(itertools.product((0, 1), repeat=dims))
        self.corners = []
        for offsets in self.offsets:
            index = tuple((low + offset).astype(np.int64) for low, offset in zip(lower, offsets))
            self.corners.append((index, self._weight(offsets)))

    def _weight(self, offsets, skipped_axis=None):
        """The product of the per-axis weights, x first as ATen multiplies them."""
        weight = None
        for axis in reversed(range(len(offsets))):
            if axis == skipped_axis:
                continue
            factor = self.factors[axis][offsets[axis]]
            weight = factor if weight is None else weight * factor
        return weight

    def forward(self, data):
        output = np.zeros((data.shape[0], data.shape[1]) + self.output_shape[1:],
                          dtype=data.dtype)
        for index, weight in self.corners:
            output += (_read(data, index) * weight[:, None]).astype(data.dtype)
        return output

    def input_grad(self, grad, data):
        result = np.zeros(data.shape, dtype=grad.dtype)
        for index, weight in self.corners:
            _scatter(result, index, (grad * weight[:, None]).astype(grad.dtype))
        return result

    def grid_grad(self, grad, data):
        dims = len(self.slopes)
        grid_grad = np.zeros(self.output_shape + (dims,), dtype=grad.dtype)
        if self.nearest:
            return grid_grad
        # d(output)/d(position along an axis): the upper corners minus the lower ones,
        # weighted by the other axes' weights
        slopes = [np.zeros(self.output_shape, dtype=np.float64) for _ in range(dims)]
        for (index, _), offsets in zip(self.corners, self.offsets):
            weighted = (_read(data, index) * grad).sum(1)
            for axis in range(dims):
                term = weighted * self._weight(offsets, skipped_axis=axis)
                if offsets[axis]:
                    slopes[axis] += term
                else:
                    slopes[axis] -= term
        for axis in range(dims):
            grid_grad[..., dims - 1 - axis] = slopes[axis] * self.slopes[axis]
        return grid_grad


# ---- bicubic sampling --------------------------------------------------------------------------

_CUBIC_A = -0.75


def _cubic_coefficients(fraction):
    """ATen's cubic-convolution weights (A = -0.75) of the taps at -1, 0, 1, 2 from a
    fractional position, and their derivatives with respect to it."""
    a = _CUBIC_A

    def far(x):  # 1 < |x| < 2
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    def near(x):  # |x| <= 1
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far_slope(x):
        return (3 * a * x - 10 * a) * x + 8 * a

    def near_slope(x):
        return (3 * (a + 2) * x - 2 * (a + 3)) * x

    weights = [far(fraction + 1), near(fraction), near(1 - fraction), far(2 - fraction)]
    slopes = [far_slope(fraction + 1), near_slope(fraction), -near_slope(1 - fraction),
              -far_slope(2 - fraction)]
    return weights, slopes


class _BicubicSampling:
    """The 4 x 4 taps around every output location of a 4-D input, each padded on its own."""

    def __init__(self, input_shape, grid, padding_mode, align_corners):
        height, width = input_shape[2:]
        x, self.scale_x = _unnormalise(grid[..., 0], width, align_corners)
        y, self.scale_y = _unnormalise(grid[..., 1], height, align_corners)
        west = np.floor(x)
        north = np.floor(y)
        self.weights_x, self.slopes_x = _cubic_coefficients(x - west)
        self.weights_y, self.slopes_y = _cubic_coefficients(y - north)
        self.output_shape = x.shape
        columns = [self._tap(west + offset, width, padding_mode, align_corners)
                   for offset in (-1, 0, 1, 2)]
        rows = [self._tap(north + offset, height, padding_mode, align_corners)
                for offset in (-1, 0, 1, 2)]
        # (row tap j, column tap i, pixel index), rows outer as ATen blends them
        self.taps = [(j, i, (row, column)) for j, row in enumerate(rows)
                     for i, column in enumerate(columns)]

    @staticmethod
    def _tap(coordinates, size, padding_mode, align_corners):
        pixels, _ = _pad(coordinates, size, padding_mode, align_corners)
        # a C++ cast to an integer: truncation toward zero
        return pixels.astype(np.int64)

    def forward(self, data):
        output = np.zeros((data.shape[0], data.shape[1]) + self.output_shape[1:],
                          dtype=data.dtype)
        row_value = None
        for j, i, index in self.taps:
            term = self.weights_x[i][:, None] * _read(data, index)
            row_value = term if i == 0 else row_value + term
            if i == 3:
                output += (self.weights_y[j][:, None] * row_value).astype(data.dtype)
        return output

    def input_grad(self, grad, data):
        result = np.zeros(data.shape, dtype=grad.dtype)
        for j, i, index in self.taps:
            weight = self.weights_x[i] * self.weights_y[j]
            _scatter(result, index, (grad * weight[:, None]).astype(grad.dtype))
        return result

    def grid_grad(self, grad, data):
        slope_x = np.zeros(self.output_shape, dtype=np.float64)
        slope_y = np.zeros(self.output_shape, dtype=np.float64)
        for j, i, index in self.taps:
            weighted = (_read(data, index) * grad).sum(1)
            slope_x += weighted * self.slopes_x[i] * self.weights_y[j]
            slope_y += weighted * self.weights_x[i] * self.slopes_y[j]
        grid_grad = np.zeros(self.output_shape + (2,), dtype=grad.dtype)
        grid_grad[..., 0] = slope_x * self.scale_x
        grid_grad[..., 1] = slope_y * self.scale_y
        return grid_grad


# ---- grid_sample -------------------------------------------------------------------------------

def _input_grad(grad, data, sampling):
    return _wrap(sampling.input_grad(grad._data, data))


def _grid_grad(grad, data, sampling):
    return _wrap(sampling.grid_grad(grad._data, data))


GridSampler2DBackward0 = node_class("GridSampler2DBackward0", _input_grad, _grid_grad)
GridSampler3DBackward0 = node_class("GridSampler3DBackward0", _input_grad, _grid_grad)

_KERNEL_NAMES = {4: "grid_sampler_2d_cpu_kernel_impl", 5: "grid_sampler3d_cpu"}


def _check_grid_sampler(input, grid, mode):
    """ATen's check_grid_sampler_common, then the 2-D or 3-D checks and the dtype dispatch."""
    if input.dim() == 0 or grid.dim() == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    input_sizes = list(input.shape)
    grid_sizes = list(grid.shape)
    if input.shape[0] != grid.shape[0]:
        raise RuntimeError(f"grid_sampler(): expected grid and input to have same batch size, "
                           f"but got input with sizes {input_sizes} and grid with sizes "
                           f"{grid_sizes}")
    if grid.shape[-1] != input.dim() - 2:
        raise RuntimeError(f"grid_sampler(): expected grid to have size {input.dim() - 2} in "
                           f"last dimension, but got grid with sizes {grid_sizes}")
    for dim in range(2, input.dim()):
        if input.shape[dim] <= 0:
            raise RuntimeError(f"grid_sampler(): expected input to have non-empty spatial "
                               f"dimensions, but input has sizes {input_sizes} with dimension "
                               f"{dim} being empty")
    # a 4-D input goes to the 2-D sampler, anything else to the 3-D one
    expected = 4 if input.dim() == 4 else 5
    if input.dim() != expected or grid.dim() != expected:
        raise RuntimeError(f"grid_sampler(): expected {expected}D input and grid with same "
                           f"number of dimensions, but got input with sizes {input_sizes} and "
                           f"grid with sizes {grid_sizes}")
    if expected == 5 and mode == "bicubic":
        raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")
    if not input.is_floating_point():
        raise NotImplementedError(f"\"{_KERNEL_NAMES[expected]}\" not implemented for "
                                  f"'{dtype_name(input.dtype)}'")
    if grid.dtype != input.dtype:
        raise RuntimeError(f"expected scalar type {dtype_name(input.dtype)} but found "
                           f"{dtype_name(grid.dtype)}")


def grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=None):
    """Samples input (N, C, H, W) or (N, C, D, H, W) at the normalised (x, y[, z]) locations
    of grid (N, H', W', 2) or (N, D', H', W', 3)."""
    if mode != "bilinear" and mode != "nearest" and mode != "bicubic":
        raise ValueError(f"nn.functional.grid_sample(): expected mode to be 'bilinear', "
                         f"'nearest' or 'bicubic', but got: '{mode}'")
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError(f"nn.functional.grid_sample(): expected padding_mode to be 'zeros', "
                         f"'border', or 'reflection', but got: '{padding_mode}'")
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, stacklevel=2)
        align_corners = False
    _check_grid_sampler(input, grid, mode)
    # contiguous once, so the reads can flatten its spatial axes without copying
    data = np.ascontiguousarray(input._data)
    # in the grid's dtype, as ATen's kernel: where a coordinate lands on a pixel boundary the
    # floor (and so the bilinear slope) depends on the last bit
    grid_data = grid._data
    if mode == "bicubic":
        sampling = _BicubicSampling(data.shape, grid_data, padding_mode, align_corners)
    else:
        sampling = _Sampling(data.shape, grid_data, mode, padding_mode, align_corners)
    node = GridSampler2DBackward0 if data.ndim == 4 else GridSampler3DBackward0
    return record(sampling.forward(data), node, (input, grid), (data, sampling))
