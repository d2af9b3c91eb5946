"""The margin and likelihood losses of loss_margin.py and loss_likelihood.py against torch:
soft margin, multilabel soft margin, hinge embedding, multi margin (p, margin, class weights,
1-D and 0-D inputs), triplet margin with a distance function, Poisson and Gaussian NLL; values,
grad_fns, gradients, finite differences, modules, printouts and errors."""
import numpy as np
import pytest

import ember
from module_oracle import compare_modules, same_repr
from oracle import Input, check, check_error, finite_differences, grad_input

RNG = np.random.default_rng(0)
REDUCTIONS = ["mean", "sum", "none"]
X = RNG.standard_normal((4, 5))
SIGNS = np.where(RNG.standard_normal((4, 5)) > 0, 1.0, -1.0)
LABELS01 = (RNG.standard_normal((4, 5)) > 0).astype(np.float64)
CLASSES = np.array([1, 0, 4, 2])
CLASS_WEIGHT = np.array([0.3, 1.2, 0.7, 2.0, 0.5])
COUNTS = RNG.integers(0, 5, (4, 5)).astype(np.float64)


def _f(lib):
    return lib.nn.functional


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_soft_margin_loss(reduction):
    check(lambda lib, x, y: _f(lib).soft_margin_loss(x, y, reduction=reduction),
          grad_input(X), SIGNS)
    finite_differences(lambda x: _f(ember).soft_margin_loss(x, ember.tensor(SIGNS),
                                                            reduction=reduction), X)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_multilabel_soft_margin_loss(reduction, weighted):
    def run(lib, x, y, w):
        return _f(lib).multilabel_soft_margin_loss(x, y, weight=w if weighted else None,
                                                   reduction=reduction)
    check(run, grad_input(X), LABELS01, CLASS_WEIGHT)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("margin", [1.0, 0.3])
def test_hinge_embedding_loss(reduction, margin):
    check(lambda lib, x, y: _f(lib).hinge_embedding_loss(x, y, margin, reduction=reduction),
          grad_input(X), SIGNS)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("p", [1, 2])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_multi_margin_loss(reduction, p, weighted, dtype):
    def run(lib, x, y, w):
        return _f(lib).multi_margin_loss(x, y, p, 0.8, w if weighted else None,
                                         reduction=reduction)
    check(run, grad_input(X.astype(dtype)), CLASSES, CLASS_WEIGHT.astype(dtype))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("target", [np.array(3), np.array([3])])
def test_multi_margin_loss_single_frame(reduction, target):
    check(lambda lib, x, y: _f(lib).multi_margin_loss(x, y, reduction=reduction),
          grad_input(X[0]), target)


def test_multi_margin_loss_finite_differences():
    finite_differences(lambda x: _f(ember).multi_margin_loss(
        x, ember.tensor(CLASSES), p=2, weight=ember.tensor(CLASS_WEIGHT), reduction="sum"), X)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("swap", [False, True])
@pytest.mark.parametrize("custom", [False, True])
def test_triplet_margin_with_distance_loss(reduction, swap, custom):
    def run(lib, a, p, n):
        distance = None
        if custom:
            def distance(x, y):
                return 1.0 - _f(lib).cosine_similarity(x, y)
        return _f(lib).triplet_margin_with_distance_loss(a, p, n, distance_function=distance,
                                                         margin=0.5, swap=swap,
                                                         reduction=reduction)
    check(run, grad_input(X), grad_input(X[::-1].copy()), grad_input(X * 0.5))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("log_input", [True, False])
@pytest.mark.parametrize("full", [False, True])
def test_poisson_nll_loss(reduction, log_input, full):
    x = X if log_input else np.abs(X) + 0.1
    check(lambda lib, x, y: _f(lib).poisson_nll_loss(x, y, log_input, full,
                                                     reduction=reduction),
          grad_input(x), COUNTS)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("var_shape", [(4, 5), (4,), (4, 1), None])
@pytest.mark.parametrize("full", [False, True])
def test_gaussian_nll_loss(reduction, var_shape, full):
    def run(lib, x, y, v):
        variance = 0.7 if var_shape is None else v
        return _f(lib).gaussian_nll_loss(x, y, variance, full=full, reduction=reduction)

    shape = var_shape or (1,)
    var = grad_input(np.abs(RNG.standard_normal(shape)) + 1e-7 * (RNG.random(shape) > 0.5))
    check(run, grad_input(X), grad_input(X * 0.3), var)


LOSS_MODULES = [
    (lambda nn: nn.SoftMarginLoss(), SIGNS),
    (lambda nn: nn.MultiLabelSoftMarginLoss(reduction="sum"), LABELS01),
    (lambda nn: nn.HingeEmbeddingLoss(margin=0.5), SIGNS),
    (lambda nn: nn.MultiMarginLoss(p=2, margin=0.5), CLASSES),
    (lambda nn: nn.PoissonNLLLoss(full=True), COUNTS),
]


@pytest.mark.parametrize("build,target", LOSS_MODULES)
def test_loss_modules(build, target):
    compare_modules(lambda lib: build(lib.nn), lambda lib, m, x, y: m(x, y),
                    grad_input(X.astype(np.float32)), target.astype(
                        np.float32 if target.dtype.kind == "f" else np.int64),
                    grad_fn=True)
    same_repr(lambda lib: build(lib.nn))


def test_more_loss_modules():
    compare_modules(lambda lib: lib.nn.GaussianNLLLoss(full=True),
                    lambda lib, m, x, y, v: m(x, y, v), grad_input(X), X * 0.5,
                    grad_input(np.abs(X) + 0.1), grad_fn=True)
    compare_modules(lambda lib: lib.nn.TripletMarginWithDistanceLoss(swap=True),
                    lambda lib, m, a, p, n: m(a, p, n), grad_input(X), X[::-1].copy(), X * 0.5,
                    grad_fn=True)
    same_repr(lambda lib: lib.nn.TripletMarginWithDistanceLoss(margin=0.2))
    same_repr(lambda lib: lib.nn.MultiMarginLoss(weight=lib.ones(5)))


def test_errors():
    x = Input(X)
    check_error(lambda lib, t: _f(lib).soft_margin_loss(t, lib.ones(4, 5, dtype=lib.float64,
                                                                    requires_grad=True)), x)
    check_error(lambda lib, t: _f(lib).soft_margin_loss(t, t, reduction="avg"), x)
    check_error(lambda lib, t: _f(lib).multilabel_soft_margin_loss(t, t, reduction="avg"), x)
    check_error(lambda lib, t: _f(lib).hinge_embedding_loss(t, t, reduction="avg"), x)
    check_error(lambda lib, t: _f(lib).multi_margin_loss(t, lib.tensor([1, 2])), x)
    check_error(lambda lib, t: _f(lib).multi_margin_loss(t, lib.tensor([1, 2, 3, 5])), x)
    check_error(lambda lib, t: _f(lib).multi_margin_loss(t, lib.tensor([1, 2, 3, 4]), p=3), x)
    check_error(lambda lib, t: _f(lib).multi_margin_loss(t, lib.tensor([1, 2, 3, 4]),
                                                         weight=t), x)
    check_error(lambda lib, t: _f(lib).multi_margin_loss(t, lib.tensor([1, 2, 3, 4]),
                                                         weight=t[0, :3]), x)
    check_error(lambda lib, t: _f(lib).multi_margin_loss(t[:, :0], lib.tensor([1, 2, 3, 4])),
                x)
    check_error(lambda lib, t: _f(lib).triplet_margin_with_distance_loss(t, t, t, margin=0), x)
    check_error(lambda lib, t: _f(lib).triplet_margin_with_distance_loss(t, t, t[0]), x)
    check_error(lambda lib, t: _f(lib).triplet_margin_with_distance_loss(t, t, t,
                                                                         reduction="avg"), x)
    check_error(lambda lib, t: _f(lib).poisson_nll_loss(t, t, reduction="avg"), x)
    check_error(lambda lib, t: _f(lib).gaussian_nll_loss(t, t, -1.0), x)
    check_error(lambda lib, t: _f(lib).gaussian_nll_loss(t, t, t), x)
    check_error(lambda lib, t: _f(lib).gaussian_nll_loss(t, t, t.abs()[:2]), x)
    check_error(lambda lib, t: _f(lib).gaussian_nll_loss(t, t, t.abs(), reduction="avg"), x)
    check_error(lambda lib, t: lib.nn.MultiMarginLoss(p=3), x)
    check_error(lambda lib, t: lib.nn.MultiMarginLoss(weight=t), x)
    check_error(lambda lib, t: lib.nn.TripletMarginWithDistanceLoss(margin=-1.0), x)


def test_multi_margin_loss_dtype_and_shape_errors():
    x = Input(X)
    check_error(lambda lib, t: _f(lib).multi_margin_loss(t, lib.tensor([[1, 2, 3, 4]])), x)
    check_error(lambda lib, t: _f(lib).multi_margin_loss(t, lib.tensor([1, 2, 3, -1])), x)
    check_error(lambda lib, t: _f(lib).multi_margin_loss(t[0], lib.tensor([1, 2])), x)
    check_error(lambda lib, t: _f(lib).multi_margin_loss(t[0, 0], lib.tensor(1)), x)
    check_error(lambda lib, t: _f(lib).multi_margin_loss(t.view(2, 2, 5), lib.tensor([1, 2])), x)
    check_error(lambda lib, t: _f(lib).multi_margin_loss(t, lib.tensor([1.0, 2, 3, 4])), x)
    check_error(lambda lib, t: _f(lib).multi_margin_loss(t, lib.tensor([1, 2, 3, 4]).int()), x)
    check_error(lambda lib, t: _f(lib).multi_margin_loss(t, lib.tensor([1, 2, 3, 4]),
                                                         weight=lib.ones(5)), x)
    check(lambda lib, t: _f(lib).multi_margin_loss(t[0, 0], lib.tensor(0)), grad_input(X))


MULTILABELS = np.array([[3, 0, -1, 1, 2], [1, 2, 3, 0, 4], [-1, 0, 0, 0, 0], [4, 4, -1, 1, 0]])


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_multilabel_margin_loss(reduction, dtype):
    # rows: targets then -1, every class a target, no target, a repeated target
    check(lambda lib, x, y: _f(lib).multilabel_margin_loss(x, y, reduction=reduction),
          grad_input(X.astype(dtype)), MULTILABELS)
    check(lambda lib, x, y: _f(lib).multilabel_margin_loss(x[0], y[3], reduction=reduction),
          grad_input(X.astype(dtype)), MULTILABELS)
    finite_differences(lambda x: _f(ember).multilabel_margin_loss(
        x, ember.tensor(MULTILABELS), reduction=reduction), X)
    compare_modules(lambda lib: lib.nn.MultiLabelMarginLoss(reduction=reduction),
                    lambda lib, m, x, y: m(x, y), grad_input(X.astype(dtype)), MULTILABELS,
                    grad_fn=True)


def test_multilabel_margin_loss_errors():
    x = Input(X)

    def run(target, rows=slice(None)):
        return lambda lib, t: _f(lib).multilabel_margin_loss(t[rows], lib.tensor(target))

    check_error(run(MULTILABELS[:2]), x)
    check_error(run(MULTILABELS[:, :3]), x)
    check_error(run(np.full((4, 5), 5)), x)
    check_error(run(np.full((4, 5), -2)), x)
    check_error(run(MULTILABELS.astype(np.float32)), x)
    check_error(lambda lib, t: _f(lib).multilabel_margin_loss(t[:, :0], lib.zeros(4, 0).long()),
                x)
    check_error(lambda lib, t: _f(lib).multilabel_margin_loss(t.view(4, 5, 1),
                                                              lib.zeros(4, 5, 1).long()), x)
    check_error(lambda lib, t: _f(lib).multilabel_margin_loss(t[0, 0], lib.tensor(3)), x)


def test_nll_loss_2d_and_namespace_names():
    images = RNG.standard_normal((2, 3, 4, 4)).astype(np.float32)
    labels = RNG.integers(0, 3, (2, 4, 4))
    compare_modules(lambda lib: lib.nn.NLLLoss2d(ignore_index=1),
                    lambda lib, m, x, y: m(x.log_softmax(1), y), grad_input(images), labels,
                    grad_fn=True)
    same_repr(lambda lib: lib.nn.NLLLoss2d())
    assert ember.nn.UninitializedParameter is ember.nn.parameter.UninitializedParameter
    assert ember.nn.UninitializedBuffer is ember.nn.parameter.UninitializedBuffer


@pytest.mark.parametrize("cutoffs,head_bias", [([4, 10, 15], False), ([2], True)])
def test_adaptive_log_softmax_with_loss(cutoffs, head_bias):
    def build(lib):
        return lib.nn.AdaptiveLogSoftmaxWithLoss(8, 20, cutoffs, div_value=2.0,
                                                 head_bias=head_bias)

    x = RNG.standard_normal((6, 8)).astype(np.float32)
    targets = np.array([0, 5, 12, 19, 3, 11])
    compare_modules(build, lambda lib, m, x, t: tuple(m(x, t)), grad_input(x), targets,
                    grad_fn=True)
    compare_modules(build, lambda lib, m, x, t: tuple(m(x[0], t[0])), grad_input(x), targets)
    compare_modules(build, lambda lib, m, x: (m.log_prob(x), m.predict(x)), grad_input(x * 3))
    same_repr(build)


def test_adaptive_log_softmax_errors():
    x = Input(RNG.standard_normal((6, 8)).astype(np.float32))

    def run(targets):
        def forward(lib, t):
            lib.manual_seed(0)
            return lib.nn.AdaptiveLogSoftmaxWithLoss(8, 20, [4, 10])(t, lib.tensor(targets))
        return forward

    check_error(run([0, 5, 12, 20, 3, 11]), x)
    check_error(run([0, 5, 12]), x)
    check_error(run([[0, 5, 12], [1, 2, 3]]), x)
    check_error(lambda lib, t: lib.nn.AdaptiveLogSoftmaxWithLoss(8, 20, [4, 4]), x)
    check_error(lambda lib, t: lib.nn.AdaptiveLogSoftmaxWithLoss(8, 20, []), x)
    check_error(lambda lib, t: lib.nn.AdaptiveLogSoftmaxWithLoss(8, 20, [4])(t[0],
                                                                             lib.tensor([1])), x)
