"""cauchy_, geometric_, log_normal_ and torch.binomial against torch: ember's streams are
NumPy's, so the draws are compared by shape, dtype, support, grad_fn and summary statistics of
large samples; argument errors exactly."""
import numpy as np
import pytest

from oracle import Input, check_error, grad_input, run_both

SAMPLES = 40000
# the statistical tolerances below are about five standard errors of the difference between
# the two libraries' estimates at this sample size


def _statistics(mine, theirs, statistic, tolerance):
    mine_value = statistic(mine.detach().double().numpy())
    theirs_value = statistic(theirs.detach().double().numpy())
    assert abs(mine_value - theirs_value) <= tolerance, (mine_value, theirs_value)


def _same_kind(mine, theirs):
    assert str(mine.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    assert tuple(mine.shape) == tuple(theirs.shape)
    mine_node = type(mine.grad_fn).__name__ if mine.grad_fn is not None else None
    theirs_node = type(theirs.grad_fn).__name__ if theirs.grad_fn is not None else None
    assert mine_node == theirs_node


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_cauchy_matches_torch_distribution(dtype):
    mine, theirs = run_both(lambda lib, x: x.to(getattr(lib, dtype)).cauchy_(2.0, 0.5),
                            Input(np.zeros(SAMPLES)))
    _same_kind(mine, theirs)
    _statistics(mine, theirs, np.median, 0.03)
    # the interquartile range of Cauchy(m, s) is 2s
    _statistics(mine, theirs, lambda a: np.subtract(*np.percentile(a, [75, 25])), 0.08)


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "int32", "uint8"])
def test_geometric_matches_torch_distribution(dtype):
    mine, theirs = run_both(lambda lib, x: x.to(getattr(lib, dtype)).geometric_(0.3),
                            Input(np.zeros(SAMPLES)))
    _same_kind(mine, theirs)
    for result in (mine, theirs):
        values = result.double().numpy()
        assert values.min() >= 1 and np.all(values == np.round(values))
    _statistics(mine, theirs, np.mean, 0.1)


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
def test_log_normal_matches_torch_distribution(dtype):
    mine, theirs = run_both(lambda lib, x: x.to(getattr(lib, dtype)).log_normal_(0.5, 0.25),
                            Input(np.zeros(SAMPLES)))
    _same_kind(mine, theirs)
    assert (mine.double().numpy() > 0).all()
    _statistics(mine, theirs, lambda a: np.mean(np.log(a)), 0.01)
    _statistics(mine, theirs, lambda a: np.std(np.log(a)), 0.01)


def test_default_parameters_match_torch():
    mine, theirs = run_both(lambda lib, x: x.log_normal_(), Input(np.zeros(SAMPLES)))
    _statistics(mine, theirs, lambda a: np.mean(np.log(a)), 0.08)
    mine, theirs = run_both(lambda lib, x: x.cauchy_(), Input(np.zeros(SAMPLES)))
    _statistics(mine, theirs, np.median, 0.05)


@pytest.mark.parametrize("method, arguments", [("cauchy_", ()), ("geometric_", (0.4,)),
                                               ("log_normal_", ())])
def test_random_fill_history_matches_torch(method, arguments):
    def fill_and_differentiate(lib, x):
        result = getattr(x * 1, method)(*arguments)
        return result, lib.autograd.grad(result.sum(), x)[0]
    (mine, mine_grad), (theirs, theirs_grad) = run_both(fill_and_differentiate,
                                                        grad_input(np.ones(5)))
    _same_kind(mine, theirs)
    assert mine_grad.tolist() == theirs_grad.tolist()
    check_error(lambda lib, x: getattr(x, method)(*arguments), grad_input(np.ones(2)))


def test_random_fill_errors_match_torch():
    check_error(lambda lib, x: x.cauchy_(1.0, 0.0), Input(np.zeros(2)))
    check_error(lambda lib, x: x.cauchy_(1.0, -1), Input(np.zeros(2)))
    check_error(lambda lib, x: x.cauchy_(), Input(np.zeros(2, dtype=np.int64)))
    check_error(lambda lib, x: x.geometric_(0), Input(np.zeros(2)))
    check_error(lambda lib, x: x.geometric_(1), Input(np.zeros(2)))
    check_error(lambda lib, x: x.geometric_(1.5), Input(np.zeros(2)))
    check_error(lambda lib, x: x.geometric_(0.5), Input(np.zeros(2, dtype=bool)))
    check_error(lambda lib, x: x.log_normal_(1.0, 0.0), Input(np.zeros(2)))
    check_error(lambda lib, x: x.log_normal_(1.0, -2.0), Input(np.zeros(2)))
    check_error(lambda lib, x: x.log_normal_(), Input(np.zeros(2, dtype=np.int64)))


def test_binomial_matches_torch_distribution():
    count = np.full(SAMPLES, 10.0)
    probability = np.full(SAMPLES, 0.3)
    mine, theirs = run_both(lambda lib, n, p: lib.binomial(n, p), Input(count),
                            Input(probability))
    _same_kind(mine, theirs)
    _statistics(mine, theirs, np.mean, 0.05)
    _statistics(mine, theirs, np.var, 0.1)
    assert set(np.unique(mine.numpy())) <= set(range(11))


def test_binomial_edge_parameters_match_torch():
    count = np.array([5.0, 10.0, -5.0, 7.0])
    probability = np.array([1.5, 0.0, 0.5, 1.0])
    mine, theirs = run_both(lambda lib, n, p: lib.binomial(n, p), Input(count),
                            Input(probability))
    assert mine.tolist() == theirs.tolist()
    mine, theirs = run_both(lambda lib, n, p: lib.binomial(n, p), Input(count),
                            Input(np.array([1.0])))
    assert mine.tolist() == theirs.tolist()


def test_binomial_history_matches_torch():
    mine, theirs = run_both(lambda lib, n, p: lib.binomial(n, p), grad_input(np.ones(3) * 4),
                            Input(np.full(3, 0.5)))
    _same_kind(mine, theirs)
    check_error(lambda lib, n, p: lib.binomial(n, p).sum().backward(),
                grad_input(np.ones(3) * 4), Input(np.full(3, 0.5)))


def test_binomial_errors_match_torch():
    check_error(lambda lib, n, p: lib.binomial(n, p), Input(np.ones(2, dtype=np.int64)),
                Input(np.full(2, 0.5)))
    check_error(lambda lib, n, p: lib.binomial(n, p), Input(np.ones(2)),
                Input(np.ones(2, dtype=np.int64)))
    check_error(lambda lib, n, p: lib.binomial(n.float(), p), Input(np.ones(2)),
                Input(np.full(2, 0.5)))
