"""ember.quasirandom.SobolEngine against torch.quasirandom.SobolEngine: direction numbers and
every point exactly equal without scrambling (draw, draw_base2, fast_forward, reset, dtype,
out=, repr, errors); scrambled engines (ember's own random stream) tested for their defining
properties: points in [0, 1), one point per elementary interval (the (0, m, 2)-net property),
reproducible with a seed."""
import numpy as np
import pytest
import torch
from torch.quasirandom import SobolEngine as TorchSobolEngine

import ember
from oracle import assert_matches, check_error

SobolEngine = ember.quasirandom.SobolEngine


def _both(*args, **kwargs):
    return SobolEngine(*args, **kwargs), TorchSobolEngine(*args, **kwargs)


@pytest.mark.parametrize("dimension", [1, 2])
def test_direction_numbers_and_points_equal_torch(dimension):
    mine, theirs = _both(dimension)
    assert_matches(mine.sobolstate, theirs.sobolstate)
    assert repr(mine) == repr(theirs)
    for n in (1, 4, 3, 100, 1000):
        assert_matches(mine.draw(n), theirs.draw(n), rtol=0, atol=0)
        assert_matches(mine.quasi, theirs.quasi)
        assert mine.num_generated == theirs.num_generated


@pytest.mark.parametrize("dimension", [1, 2])
def test_fast_forward_reset_and_dtypes(dimension):
    mine, theirs = _both(dimension)
    for engine in (mine, theirs):
        engine.fast_forward(13)
    assert_matches(mine.quasi, theirs.quasi)
    assert_matches(mine.draw(7, dtype=ember.float64), theirs.draw(7, dtype=torch.float64),
                   rtol=0, atol=0)
    check_error(lambda lib: (mine if lib is ember else theirs).draw(3, dtype=lib.float16))
    assert mine.reset() is mine
    theirs.reset()
    assert_matches(mine.draw(), theirs.draw(), rtol=0, atol=0)
    assert_matches(mine.draw(7), theirs.draw(7), rtol=0, atol=0)
    assert_matches(mine.draw_base2(3), theirs.draw_base2(3), rtol=0, atol=0)


def test_draw_base2_from_the_start_and_out():
    mine, theirs = _both(2)
    mine_out = ember.empty(0)
    theirs_out = torch.empty(0)
    assert mine.draw_base2(5, out=mine_out) is mine_out
    theirs.draw_base2(5, out=theirs_out)
    assert_matches(mine_out, theirs_out, rtol=0, atol=0)


def test_errors():
    mine, theirs = _both(2)
    mine.draw(3)
    theirs.draw(3)
    with pytest.raises(ValueError) as theirs_error:
        theirs.draw_base2(2)
    with pytest.raises(ValueError) as mine_error:
        mine.draw_base2(2)
    assert str(mine_error.value) == str(theirs_error.value)
    check_error(lambda lib: lib.quasirandom.SobolEngine(0))
    check_error(lambda lib: lib.quasirandom.SobolEngine(21202))


def test_unsupported_dimensions_say_so():
    with pytest.raises(NotImplementedError, match="Joe-Kuo"):
        SobolEngine(3)
    assert TorchSobolEngine(3).draw(2).shape == (2, 3)


@pytest.mark.parametrize("seed", [0, 7])
def test_scrambled_points_form_a_net(seed):
    engine = SobolEngine(2, scramble=True, seed=seed)
    assert repr(engine) == repr(TorchSobolEngine(2, scramble=True, seed=seed))
    m = 8
    points = engine.draw_base2(m, dtype=ember.float64).numpy()
    assert points.shape == (2 ** m, 2)
    assert points.min() >= 0 and points.max() < 1
    for split in range(m + 1):
        # every box of 2^-split by 2^-(m - split) holds exactly one point
        boxes = (np.floor(points[:, 0] * 2 ** split) * 2 ** (m - split)
                 + np.floor(points[:, 1] * 2 ** (m - split)))
        assert np.array_equal(np.sort(boxes), np.arange(2 ** m))
    again = SobolEngine(2, scramble=True, seed=seed).draw_base2(m, dtype=ember.float64)
    assert np.array_equal(again.numpy(), points)
    other = SobolEngine(2, scramble=True, seed=seed + 1).draw_base2(m, dtype=ember.float64)
    assert not np.array_equal(other.numpy(), points)


def test_unseeded_scrambling_uses_the_global_stream():
    ember.manual_seed(3)
    first = SobolEngine(1, scramble=True).draw(4)
    ember.manual_seed(3)
    assert np.array_equal(SobolEngine(1, scramble=True).draw(4).numpy(), first.numpy())
    assert TorchSobolEngine(1, scramble=True).draw(4).shape == tuple(first.shape)
