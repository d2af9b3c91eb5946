"""histogramdd against torch: counts, weights, density, ranges, edge tensors, batched points,
return type, NotImplemented grad_fns and errors."""
import numpy as np
import pytest

from oracle import Input, check, check_error, grad_input

RNG = np.random.default_rng(13)
POINTS = RNG.standard_normal((50, 2))
CORNERS = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 0.0], [2.0, 2.0]])
WEIGHTS = RNG.uniform(0.5, 2.0, 50)


def _unpacked(result):
    """The named fields (the edges are a tuple, compared element by element)."""
    return result.hist, tuple(result.bin_edges), type(result).__name__


@pytest.mark.parametrize("bins", [3, [2, 4], (5, 1)])
def test_histogramdd_counts_match_torch(bins):
    check(lambda lib, x: _unpacked(lib.histogramdd(x, bins)), Input(POINTS))
    check(lambda lib, x: _unpacked(lib.histogramdd(x, bins)), Input(POINTS.astype(np.float32)))


def test_histogramdd_options_match_torch():
    check(lambda lib, x, w: _unpacked(lib.histogramdd(x, [3, 3], weight=w)), Input(CORNERS),
          Input(np.array([1.0, 2.0, 4.0, 8.0])))
    check(lambda lib, x: _unpacked(lib.histogramdd(x, 2, range=[0.0, 1.0, 0.0, 1.0],
                                                   density=True)), Input(CORNERS))
    check(lambda lib, x, w: _unpacked(lib.histogramdd(x, (4, 3), weight=w, density=True)),
          Input(POINTS), Input(WEIGHTS))
    check(lambda lib, x: _unpacked(lib.histogramdd(x, 2)), Input(np.ones((3, 2))))
    check(lambda lib, x: _unpacked(lib.histogramdd(x, 2)), Input(np.zeros((0, 2))))
    check(lambda lib, x: _unpacked(lib.histogramdd(x, 3)), Input(RNG.standard_normal((2, 5, 3))))
    check(lambda lib, x: _unpacked(lib.histogramdd(x, [2])), Input(POINTS[:, :1]))


def test_histogramdd_edge_tensors_match_torch():
    check(lambda lib, x, a, b: _unpacked(lib.histogramdd(x, [a, b])), Input(POINTS),
          Input(np.array([-2.0, 0.0, 0.5, 2.0])), Input(np.array([-1.0, 1.0])))
    check(lambda lib, x, a, b: _unpacked(lib.histogramdd(x, [a, b])), Input(CORNERS),
          Input(np.array([0.0, 1.0])), Input(np.array([1.0, 0.0])))


def test_histogramdd_history_matches_torch():
    check(lambda lib, x: _unpacked(lib.histogramdd(x, 2)), grad_input(POINTS), grad=False)
    check(lambda lib, x, a: _unpacked(lib.histogramdd(x, [a, a])), grad_input(POINTS),
          Input(np.array([-1.0, 0.0, 1.0])), grad=False)
    check(lambda lib, x, w: _unpacked(lib.histogramdd(x, 2, weight=w)), Input(POINTS),
          grad_input(WEIGHTS), grad=False)
    check_error(lambda lib, x: lib.histogramdd(x, 2).hist.sum().backward(), grad_input(POINTS))
    check_error(lambda lib, x: lib.histogramdd(x, 2).bin_edges[0].sum().backward(),
                grad_input(POINTS))
    check_error(lambda lib, x, a: lib.histogramdd(x, [a, a]).hist.sum().backward(),
                grad_input(POINTS), Input(np.array([-1.0, 0.0, 1.0])))


def test_histogramdd_errors_match_torch():
    check_error(lambda lib, x: lib.histogramdd(x, 2), Input(np.ones(3)))
    check_error(lambda lib, x: lib.histogramdd(x, [3]), Input(CORNERS))
    check_error(lambda lib, x: lib.histogramdd(x, 2), Input(CORNERS.astype(np.int64)))
    check_error(lambda lib, x: lib.histogramdd(x, 2), Input(CORNERS.astype(np.float16)))
    check_error(lambda lib, x: lib.histogramdd(x, 2, range=[0.0, 1.0]), Input(CORNERS))
    check_error(lambda lib, x, w: lib.histogramdd(x, 2, weight=w), Input(CORNERS),
                Input(np.ones(3)))
    check_error(lambda lib, x, w: lib.histogramdd(x, 2, weight=w), Input(CORNERS),
                Input(np.ones(4, dtype=np.float32)))
    check_error(lambda lib, x: lib.histogramdd(x, 0), Input(CORNERS))
    check_error(lambda lib, x: lib.histogramdd(x, [2, 0]), Input(CORNERS))
    check_error(lambda lib, x: lib.histogramdd(x, 2, range=[1.0, 0.0, 0.0, 1.0]), Input(CORNERS))
    check_error(lambda lib, x: lib.histogramdd(x, 2, range=[0.0, 1.0, 0.0, float("inf")]),
                Input(CORNERS))
    check_error(lambda lib, x, a, b: lib.histogramdd(x, [a, b]), Input(CORNERS),
                Input(np.array([0.0, 1.0])), Input(np.array([[0.0, 1.0]])))
    check_error(lambda lib, x, a: lib.histogramdd(x, [a, a]), Input(CORNERS),
                Input(np.array([0.0, 1.0], dtype=np.float32)))
