"""nn.functional: affine_grid and grid_sample (spatial transformers), as ATen computes them.

affine_grid is one primitive (AffineGridGeneratorBackward0): a base grid of normalised pixel
centres times theta^T. grid_sample on 4-D inputs is one primitive (GridSampler2DBackward0):
grid coordinates are unnormalised to pixel space, padded (clipped or reflected), then the input
is read at the nearest pixel or blended from the four around it; the gradients with respect to
the input (a scatter-add of the blend weights) and to the grid (the blend's slope, through the
padding's derivative) are computed in NumPy, as ATen's backward kernel has no derivative."""
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


def _base_grid(height, width, align_corners, dtype):
    """(H * W, 3) rows (x, y, 1) for every output pixel."""
    xs = _base_coordinates(width, align_corners, dtype)
    ys = _base_coordinates(height, align_corners, dtype)
    base = np.ones((height, width, 3), dtype=dtype)
    base[..., 0] = xs[None, :]
    base[..., 1] = ys[:, None]
    return base.reshape(-1, 3)


def _affine_grid_backward(grad, base):
    # grid = base @ theta^T per batch, so d theta = grad^T @ base
    batch = grad.shape[0]
    flat = grad.reshape(batch, -1, 2)
    return flat.transpose(1, 2).matmul(_wrap(base))


AffineGridGeneratorBackward0 = node_class("AffineGridGeneratorBackward0", _affine_grid_backward)


def affine_grid(theta, size, align_corners=None):
    """The (N, H, W, 2) sampling grid of a batch of 2x3 affine matrices."""
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, stacklevel=2)
        align_corners = False
    if not theta.is_floating_point():
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    size = list(size)
    if len(size) == 4:
        if theta.dim() != 3 or theta.shape[-2] != 2 or theta.shape[-1] != 3:
            raise ValueError(f"Expected a batch of 2D affine matrices of shape Nx2x3 for size "
                             f"{size}. Got {theta.shape}.")
        spatial_size = size[-2:]
    elif len(size) == 5:
        raise NotImplementedError("ember's affine_grid supports 2D affine transforms (4D sizes) "
                                  f"only. Got size {size}.")
    else:
        raise NotImplementedError(f"affine_grid only supports 4D and 5D sizes, for 2D and 3D "
                                  f"affine transforms, respectively. Got size {size}.")
    if align_corners and min(spatial_size) == 1:
        warnings.warn("Since version 1.3.0, affine_grid behavior has changed for unit-size grids "
                      "when align_corners=True. This is not an intended use case of affine_grid. "
                      "See the documentation of affine_grid for details.", stacklevel=2)
    elif min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    batch, _, height, width = size
    data = theta._data
    if data.shape[0] != batch:
        # ATen multiplies the base grid by theta^T with bmm, whose check speaks of batch2
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{batch}, 3] but got: [{data.shape[0]}, 3].")
    base = _base_grid(height, width, align_corners, data.dtype)
    array = np.matmul(base[None], data.transpose(0, 2, 1)).reshape(batch, height, width, 2)
    return record(np.ascontiguousarray(array), AffineGridGeneratorBackward0, (theta,), (base,))


# ---- grid_sample -------------------------------------------------------------------------------

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


def _source_index(coordinates, size, padding_mode, align_corners):
    """ATen's grid_sampler_compute_source_index_set_grad: pixel coordinates after padding,
    and their derivative with respect to the normalised grid coordinate."""
    pixels, scale = _unnormalise(coordinates, size, align_corners)
    slope = np.full_like(pixels, scale)
    if padding_mode == "border":
        inside = (pixels > 0) & (pixels < size - 1)
        pixels = np.clip(pixels, 0, size - 1)
        slope = np.where(inside, slope, 0)
    elif padding_mode == "reflection":
        if align_corners:
            pixels, sign = _reflect(pixels, 0, 2 * (size - 1))
        else:
            pixels, sign = _reflect(pixels, -1, 2 * size - 1)
        slope = slope * sign
        inside = (pixels > 0) & (pixels < size - 1)
        pixels = np.clip(pixels, 0, size - 1)
        slope = np.where(inside, slope, 0)
    return pixels, slope


class _Sampling:
    """The corners, their weights and validity for every output location (N, H_out, W_out)."""

    def __init__(self, input_shape, grid, mode, padding_mode, align_corners):
        height, width = input_shape[2], input_shape[3]
        self.shape = input_shape
        self.mode = mode
        x, self.slope_x = _source_index(grid[..., 0], width, padding_mode, align_corners)
        y, self.slope_y = _source_index(grid[..., 1], height, padding_mode, align_corners)
        self.x = x
        self.y = y
        if mode == "nearest":
            # nearbyint: halves round to even, as np.rint
            self.corners = [(np.rint(y).astype(np.int64), np.rint(x).astype(np.int64),
                             np.ones_like(x))]
            return
        west = np.floor(x)
        north = np.floor(y)
        east = west + 1
        south = north + 1
        self.fractions = (x - west, y - north)
        self.corners = [(north, west, (east - x) * (south - y)),
                        (north, east, (x - west) * (south - y)),
                        (south, west, (east - x) * (y - north)),
                        (south, east, (x - west) * (y - north))]
        self.corners = [(row.astype(np.int64), column.astype(np.int64), weight)
                        for row, column, weight in self.corners]

    def valid(self, row, column):
        return (row >= 0) & (row < self.shape[2]) & (column >= 0) & (column < self.shape[3])

    def read(self, data, row, column):
        """(N, C, H_out, W_out) values at the given pixels, zero where outside."""
        inside = self.valid(row, column)
        batch = np.arange(self.shape[0])[:, None, None]
        values = data[batch, :, np.clip(row, 0, self.shape[2] - 1),
                      np.clip(column, 0, self.shape[3] - 1)]
        # fancy indexing puts the sampled positions first: (N, H_out, W_out, C)
        values = np.where(inside[..., None], values, 0)
        return np.moveaxis(values, -1, 1)


def _grid_sample_forward(data, sampling):
    output = np.zeros((data.shape[0], data.shape[1]) + sampling.x.shape[1:], dtype=data.dtype)
    for row, column, weight in sampling.corners:
        output += (sampling.read(data, row, column) * weight[:, None]).astype(data.dtype)
    return output


def _grid_sample_input_grad(grad, data, sampling):
    g = grad._data
    result = np.zeros(data.shape, dtype=g.dtype)
    batch = np.broadcast_to(np.arange(data.shape[0])[:, None, None], sampling.x.shape)
    for row, column, weight in sampling.corners:
        inside = sampling.valid(row, column)
        contribution = np.moveaxis(g * weight[:, None], 1, -1)[inside]
        np.add.at(result, (batch[inside], slice(None), row[inside], column[inside]),
                  contribution.astype(g.dtype))
    return _wrap(result)


def _grid_sample_grid_grad(grad, data, sampling):
    g = grad._data
    grid_grad = np.zeros(sampling.x.shape + (2,), dtype=g.dtype)
    if sampling.mode == "nearest":
        return _wrap(grid_grad)
    # d(output)/dx: the east corners minus the west ones, weighted by the y fractions
    dx = np.zeros(sampling.x.shape, dtype=np.float64)
    dy = np.zeros(sampling.x.shape, dtype=np.float64)
    fraction_x, fraction_y = sampling.fractions
    signs = [(-(1 - fraction_y), -(1 - fraction_x)), ((1 - fraction_y), -fraction_x),
             (-fraction_y, (1 - fraction_x)), (fraction_y, fraction_x)]
    for (row, column, _), (slope_x, slope_y) in zip(sampling.corners, signs):
        weighted = (sampling.read(data, row, column) * g).sum(1)
        dx += weighted * slope_x
        dy += weighted * slope_y
    grid_grad[..., 0] = dx * sampling.slope_x
    grid_grad[..., 1] = dy * sampling.slope_y
    return _wrap(grid_grad)


GridSampler2DBackward0 = node_class(
    "GridSampler2DBackward0",
    lambda grad, data, sampling: _grid_sample_input_grad(grad, data, sampling),
    lambda grad, data, sampling: _grid_sample_grid_grad(grad, data, sampling))


def _check_grid_sampler(input, grid):
    input_sizes = list(input.shape)
    grid_sizes = list(grid.shape)
    if input.dim() == 0 or grid.dim() == 0 or input.shape[0] != grid.shape[0]:
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
    if input.dim() != 4 or grid.dim() != 4:
        if input.dim() == 5 and grid.dim() == 5:
            raise NotImplementedError("ember's grid_sample supports 4D inputs only")
        raise RuntimeError(f"grid_sampler(): expected 4D or 5D input and grid with same number "
                           f"of dimensions, but got input with sizes {input_sizes} and grid "
                           f"with sizes {grid_sizes}")
    if grid.dtype != input.dtype:
        raise RuntimeError(f"expected scalar type {dtype_name(input.dtype)} but found "
                           f"{dtype_name(grid.dtype)}")


def grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=None):
    """Samples input (N, C, H, W) at the normalised (x, y) locations of grid (N, H', W', 2)."""
    if mode != "bilinear" and mode != "nearest" and mode != "bicubic":
        raise ValueError(f"nn.functional.grid_sample(): expected mode to be 'bilinear', "
                         f"'nearest' or 'bicubic', but got: '{mode}'")
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError(f"nn.functional.grid_sample(): expected padding_mode to be 'zeros', "
                         f"'border', or 'reflection', but got: '{padding_mode}'")
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, stacklevel=2)
        align_corners = False
    _check_grid_sampler(input, grid)
    if mode == "bicubic":
        raise NotImplementedError("ember's grid_sample has no bicubic mode yet")
    data = input._data
    # in the grid's dtype, as ATen's kernel: where a coordinate lands on a pixel boundary the
    # floor (and so the bilinear slope) depends on the last bit
    grid_data = grid._data
    sampling = _Sampling(data.shape, grid_data, mode, padding_mode, align_corners)
    output = _grid_sample_forward(data, sampling)
    return record(output, GridSampler2DBackward0, (input, grid), (data, sampling))
