"""affine_grid and grid_sample against torch: grids for both corner conventions, sampling in
bilinear, nearest and bicubic modes with zeros, border and reflection padding (values, grad_fn,
gradients with respect to the input and the grid), a spatial-transformer chain, warnings and
errors. Volumetric (5-D) sampling is tested in test_grid_sample_3d.py."""
import itertools
import warnings

import numpy as np
import pytest

import ember
from oracle import Input, check, check_error, finite_differences, grad_input

RNG = np.random.default_rng(0)
THETA = np.array([[[0.9, -0.3, 0.1], [0.2, 1.1, -0.2]],
                  [[1.3, 0.4, -0.5], [-0.6, 0.7, 0.3]]])
IMAGE = RNG.standard_normal((2, 3, 4, 5))


def _f(lib):
    return lib.nn.functional


@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("size", [(2, 3, 4, 5), (2, 1, 1, 3), (2, 1, 3, 1)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_affine_grid(align_corners, size, dtype):
    with warnings.catch_warnings():
        # torch warns for unit-size grids with align_corners=True; ember too (same text)
        warnings.simplefilter("ignore")
        check(lambda lib, theta: _f(lib).affine_grid(theta, list(size), align_corners),
              grad_input(THETA.astype(dtype)))


@pytest.mark.parametrize("mode,padding_mode,align_corners",
                         list(itertools.product(["bilinear", "nearest", "bicubic"],
                                                ["zeros", "border", "reflection"],
                                                [False, True])))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_grid_sample(mode, padding_mode, align_corners, dtype):
    # coordinates well past [-1, 1] exercise the padding; a grid away from pixel boundaries
    # keeps the bilinear slopes (and nearest's rounding) away from their jumps
    grid = RNG.uniform(-1.6, 1.6, (2, 3, 6, 2)) + 0.013
    check(lambda lib, x, g: _f(lib).grid_sample(x, g, mode, padding_mode, align_corners),
          grad_input(IMAGE.astype(dtype)), grad_input(grid.astype(dtype)), atol=1e-5,
          rtol=1e-4)


@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("align_corners", [False, True])
def test_grid_sample_finite_differences(mode, padding_mode, align_corners):
    # bilinear and bicubic sampling are smooth in the image and, away from pixel boundaries,
    # in the grid (each bicubic tap's padding is constant there)
    grid = RNG.uniform(-1.4, 1.4, (1, 2, 3, 2)) + 0.013
    image = RNG.standard_normal((1, 2, 3, 4))
    finite_differences(
        lambda x, g: ember.nn.functional.grid_sample(x, g, mode, padding_mode, align_corners),
        image, grid)


def test_spatial_transformer_chain():
    def run(lib, x, theta):
        grid = _f(lib).affine_grid(theta, list(x.size()), align_corners=False)
        return _f(lib).grid_sample(x, grid, align_corners=False)
    check(run, grad_input(IMAGE.astype(np.float32)), grad_input(THETA.astype(np.float32)),
          atol=1e-5, rtol=1e-4)


def test_default_align_corners_warns():
    def run(lib, x, theta):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            grid = _f(lib).affine_grid(theta, list(x.size()))
            _f(lib).grid_sample(x, grid)
        return [str(w.message) for w in caught]
    check(run, IMAGE.astype(np.float32), THETA.astype(np.float32))


def test_errors():
    x = Input(IMAGE.astype(np.float32))
    theta = Input(THETA.astype(np.float32))
    grid = RNG.uniform(-1, 1, (2, 3, 6, 2)).astype(np.float32)

    def sample(make_grid, **options):
        return lambda lib, t, th: _f(lib).grid_sample(t, make_grid(lib), align_corners=False,
                                                      **options)

    check_error(sample(lambda lib: lib.tensor(grid[0])), x, theta)
    check_error(sample(lambda lib: lib.tensor(grid[:1])), x, theta)
    check_error(sample(lambda lib: lib.zeros(2, 3, 4, 3)), x, theta)
    check_error(sample(lambda lib: lib.tensor(grid).double()), x, theta)
    check_error(sample(lambda lib: lib.tensor(grid), mode="linear"), x, theta)
    check_error(sample(lambda lib: lib.tensor(grid), padding_mode="wrap"), x, theta)
    check_error(lambda lib, t, th: _f(lib).grid_sample(t[0], lib.tensor(grid[0]),
                                                       align_corners=False), x, theta)
    check_error(lambda lib, t, th: _f(lib).grid_sample(t[:, :, :0], lib.tensor(grid),
                                                       align_corners=False), x, theta)
    check_error(lambda lib, t, th: _f(lib).affine_grid(th, [2, 1, 3], False), x, theta)
    check_error(lambda lib, t, th: _f(lib).affine_grid(th, [3, 1, 3, 4], False), x, theta)
    check_error(lambda lib, t, th: _f(lib).affine_grid(th[:, :1], [2, 1, 3, 4], False), x,
                theta)
    check_error(lambda lib, t, th: _f(lib).affine_grid(th, [2, 1, 0, 4], False), x, theta)
    check_error(lambda lib, t, th: _f(lib).affine_grid(th.long(), [2, 1, 3, 4], False), x,
                theta)
