"""grid_sample's volumetric sampling (5-D inputs, trilinear and nearest) against torch, with
every padding mode and corner convention: values, grad_fns, gradients with respect to the
input and the grid, finite differences, 5-D affine_grid, a volumetric spatial-transformer chain
and torch's errors; unit sizes, empty batches and strided views for every mode (bicubic's own
tests are in test_grid_sample.py)."""
import itertools
import warnings

import numpy as np
import pytest

import ember
from oracle import Input, check, check_error, finite_differences, grad_input

RNG = np.random.default_rng(1)
VOLUME = RNG.standard_normal((2, 2, 3, 4, 5))
THETA_3D = np.array([[[0.9, -0.3, 0.1, 0.2], [0.2, 1.1, -0.2, 0.1], [0.1, 0.3, 0.8, -0.3]],
                     [[1.2, 0.4, -0.5, 0.0], [-0.6, 0.7, 0.3, 0.2], [0.3, -0.2, 1.1, 0.4]]])
PADDING_MODES = ["zeros", "border", "reflection"]


def _f(lib):
    return lib.nn.functional


def _grid(shape):
    # coordinates well past [-1, 1] exercise the padding; the offset keeps them away from
    # pixel boundaries, where the slopes (and nearest's rounding) jump
    return RNG.uniform(-1.6, 1.6, shape) + 0.013


def _sample(mode, padding_mode, align_corners):
    return lambda lib, x, g: _f(lib).grid_sample(x, g, mode, padding_mode, align_corners)


@pytest.mark.parametrize("mode,padding_mode,align_corners",
                         list(itertools.product(["bilinear", "nearest"], PADDING_MODES,
                                                [False, True])))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_volumetric(mode, padding_mode, align_corners, dtype):
    grid = _grid((2, 2, 3, 4, 3))
    check(_sample(mode, padding_mode, align_corners), grad_input(VOLUME.astype(dtype)),
          grad_input(grid.astype(dtype)), atol=1e-5, rtol=1e-4)


@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
def test_strided_input(mode):
    # a transposed view of the input and a sliced grid are read as their values, not memory
    def run(lib, x, g):
        if mode == "bicubic":
            x = x[:, :, 0]
            g = g[:, 0, :, :, :2]
        return _f(lib).grid_sample(x.transpose(-1, -2), g[:, 1:], mode, "border", True)
    check(run, grad_input(VOLUME), grad_input(_grid((2, 2, 3, 4, 3))))


@pytest.mark.parametrize("mode,shape,grid_shape",
                         [("bicubic", (1, 1, 1, 1), (1, 2, 3, 2)),
                          ("bilinear", (1, 1, 1, 1, 2), (1, 2, 1, 3, 3)),
                          ("nearest", (1, 2, 2, 1, 3), (1, 1, 2, 2, 3))])
@pytest.mark.parametrize("padding_mode,align_corners",
                         list(itertools.product(PADDING_MODES, [False, True])))
def test_unit_sizes(mode, shape, grid_shape, padding_mode, align_corners):
    # a size-1 axis reflects onto itself (ATen's zero-span reflection)
    check(_sample(mode, padding_mode, align_corners), grad_input(RNG.standard_normal(shape)),
          grad_input(_grid(grid_shape)))


@pytest.mark.parametrize("shape,grid_shape", [((0, 2, 3, 4, 5), (0, 2, 3, 4, 3)),
                                              ((2, 0, 3, 4, 5), (2, 2, 3, 4, 3)),
                                              ((2, 2, 3, 4, 5), (2, 0, 3, 4, 3)),
                                              ((2, 0, 3, 4), (2, 2, 3, 2))])
def test_empty(shape, grid_shape):
    mode = "bilinear" if len(shape) == 5 else "bicubic"
    check(_sample(mode, "zeros", False), grad_input(RNG.standard_normal(shape)),
          grad_input(_grid(grid_shape)))


@pytest.mark.parametrize("padding_mode", PADDING_MODES)
@pytest.mark.parametrize("align_corners", [False, True])
def test_finite_differences(padding_mode, align_corners):
    # trilinear sampling is smooth in the volume and, away from pixel boundaries, in the grid
    volume = RNG.standard_normal((1, 2, 2, 3, 4))
    grid = RNG.uniform(-1.4, 1.4, (1, 1, 2, 2, 3)) + 0.013
    finite_differences(
        lambda x, g: _f(ember).grid_sample(x, g, "bilinear", padding_mode, align_corners),
        volume, grid)


@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("size", [(2, 3, 4, 5, 6), (2, 1, 1, 3, 2)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_affine_grid_3d(align_corners, size, dtype):
    with warnings.catch_warnings():
        # torch warns for unit-size grids with align_corners=True; ember too (same text)
        warnings.simplefilter("ignore")
        check(lambda lib, theta: _f(lib).affine_grid(theta, list(size), align_corners),
              grad_input(THETA_3D.astype(dtype)))


def test_volumetric_spatial_transformer_chain():
    def run(lib, x, theta):
        grid = _f(lib).affine_grid(theta, list(x.size()), align_corners=False)
        return _f(lib).grid_sample(x, grid, align_corners=False)
    check(run, grad_input(VOLUME.astype(np.float32)), grad_input(THETA_3D.astype(np.float32)),
          atol=1e-5, rtol=1e-4)


def test_errors():
    volume = Input(VOLUME.astype(np.float32))
    grid = _grid((2, 2, 3, 4, 3)).astype(np.float32)

    def sample(make_input, make_grid, mode="bilinear"):
        return lambda lib, v: _f(lib).grid_sample(make_input(lib, v), make_grid(lib), mode,
                                                  align_corners=False)

    def same(lib, v):
        return v

    check_error(sample(same, lambda lib: lib.tensor(grid), "bicubic"), volume)
    check_error(sample(lambda lib, v: v[:, :, 0], lambda lib: lib.tensor(grid)), volume)
    check_error(sample(same, lambda lib: lib.tensor(grid[..., :2])), volume)
    check_error(sample(same, lambda lib: lib.tensor(grid[:, 0])), volume)
    check_error(sample(lambda lib, v: v[:, :, 0], lambda lib: lib.zeros(2, 2, 3, 4, 2)),
                volume)
    check_error(sample(lambda lib, v: v[None], lambda lib: lib.zeros(1, 2, 2, 3, 4, 4)),
                volume)
    check_error(sample(lambda lib, v: v[0], lambda lib: lib.zeros(2, 4, 1)), volume)
    check_error(sample(same, lambda lib: lib.tensor(grid[:1])), volume)
    check_error(sample(lambda lib, v: v[:, :, :0], lambda lib: lib.tensor(grid)), volume)
    check_error(sample(same, lambda lib: lib.tensor(grid).double()), volume)
    check_error(sample(lambda lib, v: v.long(), lambda lib: lib.tensor(grid)), volume)
    def planar_grid(lib):
        return lib.tensor(grid[:, 0, ..., :2])
    check_error(sample(lambda lib, v: v[:, :, 0].long(), planar_grid), volume)
    check_error(sample(lambda lib, v: v[:, :, 0].bool(), planar_grid, "bicubic"), volume)
    check_error(sample(lambda lib, v: v[0, 0, 0, 0, 0], lambda lib: lib.tensor(grid)), volume)

    theta = Input(THETA_3D.astype(np.float32))
    check_error(lambda lib, th: _f(lib).affine_grid(th[:, :2], [2, 3, 4, 5, 6], False), theta)
    check_error(lambda lib, th: _f(lib).affine_grid(th[:, :2, :3], [2, 3, 4, 5, 6], False),
                theta)
    check_error(lambda lib, th: _f(lib).affine_grid(th[0], [2, 3, 4, 5, 6], False), theta)
    check_error(lambda lib, th: _f(lib).affine_grid(th, [3, 3, 4, 5, 6], False), theta)
    check_error(lambda lib, th: _f(lib).affine_grid(th, [2, 3, 0, 5, 6], False), theta)
    check_error(lambda lib, th: _f(lib).affine_grid(th, [2, 3, 5, 6], False), theta)
    check_error(lambda lib, th: _f(lib).affine_grid(th, [2, 3, 5, 6, 1, 1], False), theta)
