"""Losses against torch: every functional over its reductions and options (values, dtype,
grad_fn, gradients, finite differences), modules with state and printouts, the deprecated
size_average/reduce arguments, warnings and every bad-input path."""
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, strategies as st

import ember
from module_oracle import compare_module, same_repr
from oracle import Input, check, check_error, finite_differences, grad_input

RNG = np.random.default_rng(0)
REDUCTIONS = ["mean", "sum", "none"]
X = RNG.standard_normal((4, 5))
Y = RNG.standard_normal((4, 5))
PROBABILITIES = RNG.uniform(0.05, 0.95, (4, 5))
TARGETS01 = RNG.uniform(0, 1, (4, 5))
CLASSES = np.array([1, 0, 4, 2])
CLASS_WEIGHT = np.array([0.3, 1.2, 0.7, 2.0, 0.5])


def _f(lib):
    return lib.nn.functional


def _t(lib, array):
    return lib.from_numpy(np.array(array))


def _like(x, lib, array):
    """A constant tensor; floating ones in x's dtype (PyTorch rejects mixed loss dtypes)."""
    array = np.array(array)
    if array.dtype.kind == "f":
        array = array.astype(np.float64 if x.dtype == lib.float64 else np.float32)
    return lib.from_numpy(array)


# name -> (function(lib, input, reduction), input array) for the single-input losses
LOSSES = {
    "mse": (lambda lib, x, r: _f(lib).mse_loss(x, _like(x, lib, Y), reduction=r), X),
    "mse_weight": (lambda lib, x, r: _f(lib).mse_loss(x, _like(x, lib, Y), reduction=r,
                                                      weight=_like(x, lib, TARGETS01)), X),
    "l1": (lambda lib, x, r: _f(lib).l1_loss(x, _like(x, lib, Y), reduction=r), X),
    "l1_weight": (lambda lib, x, r: _f(lib).l1_loss(x, _like(x, lib, Y), reduction=r,
                                                    weight=_like(x, lib, TARGETS01)), X),
    "smooth_l1": (lambda lib, x, r: _f(lib).smooth_l1_loss(x, _like(x, lib, Y), reduction=r), X),
    "smooth_l1_beta": (lambda lib, x, r: _f(lib).smooth_l1_loss(x, _like(x, lib, Y), reduction=r,
                                                                beta=0.5), X),
    "smooth_l1_beta0": (lambda lib, x, r: _f(lib).smooth_l1_loss(x, _like(x, lib, Y), reduction=r,
                                                                 beta=0.0), X),
    "huber": (lambda lib, x, r: _f(lib).huber_loss(x, _like(x, lib, Y), reduction=r), X),
    "huber_delta": (lambda lib, x, r: _f(lib).huber_loss(x, _like(x, lib, Y), reduction=r,
                                                         delta=0.4), X),
    "huber_weight": (lambda lib, x, r: _f(lib).huber_loss(x, _like(x, lib, Y), reduction=r,
                                                          weight=_like(x, lib, TARGETS01)), X),
    "cross_entropy": (lambda lib, x, r: _f(lib).cross_entropy(x, _like(x, lib, CLASSES),
                                                              reduction=r), X),
    "cross_entropy_weight": (lambda lib, x, r: _f(lib).cross_entropy(
        x, _like(x, lib, CLASSES), weight=_like(x, lib, CLASS_WEIGHT), reduction=r), X),
    "cross_entropy_ignore": (lambda lib, x, r: _f(lib).cross_entropy(
        x, _like(x, lib, [1, -100, 4, 2]), reduction=r), X),
    "cross_entropy_ignore_index": (lambda lib, x, r: _f(lib).cross_entropy(
        x, _like(x, lib, CLASSES), ignore_index=4, weight=_like(x, lib, CLASS_WEIGHT),
        reduction=r), X),
    "cross_entropy_smoothing": (lambda lib, x, r: _f(lib).cross_entropy(
        x, _like(x, lib, CLASSES), label_smoothing=0.2, reduction=r), X),
    "cross_entropy_smoothing_weight": (lambda lib, x, r: _f(lib).cross_entropy(
        x, _like(x, lib, [1, 0, -100, 2]), weight=_like(x, lib, CLASS_WEIGHT), label_smoothing=0.1,
        reduction=r), X),
    "cross_entropy_probabilities": (lambda lib, x, r: _f(lib).cross_entropy(
        x, _like(x, lib, TARGETS01 / TARGETS01.sum(1, keepdims=True)), reduction=r), X),
    "cross_entropy_probabilities_weight_smoothing": (lambda lib, x, r: _f(lib).cross_entropy(
        x, _like(x, lib, TARGETS01), weight=_like(x, lib, CLASS_WEIGHT), label_smoothing=0.3,
        reduction=r), X),
    "cross_entropy_1d": (lambda lib, x, r: _f(lib).cross_entropy(x[0], _like(x, lib, 3),
                                                                 reduction=r), X),
    "cross_entropy_3d": (lambda lib, x, r: _f(lib).cross_entropy(
        x.reshape(2, 5, 2), _like(x, lib, [[0, 4], [3, 3]]), reduction=r), X),
    "cross_entropy_4d": (lambda lib, x, r: _f(lib).cross_entropy(
        x.reshape(1, 5, 2, 2), _like(x, lib, [[[0, 4], [3, -100]]]), reduction=r), X),
    "cross_entropy_5d": (lambda lib, x, r: _f(lib).cross_entropy(
        x.reshape(1, 5, 2, 1, 2), _like(x, lib, [[[[0, 4]], [[3, 1]]]]),
        weight=_like(x, lib, CLASS_WEIGHT), reduction=r), X),
    "nll": (lambda lib, x, r: _f(lib).nll_loss(x, _like(x, lib, CLASSES), reduction=r), X),
    "nll_weight": (lambda lib, x, r: _f(lib).nll_loss(x, _like(x, lib, CLASSES),
                                                      weight=_like(x, lib, CLASS_WEIGHT),
                                                      reduction=r), X),
    "nll_byte_target": (lambda lib, x, r: _f(lib).nll_loss(
        x, _like(x, lib, CLASSES.astype(np.uint8)), reduction=r), X),
    "bce": (lambda lib, x, r: _f(lib).binary_cross_entropy(x, _like(x, lib, TARGETS01),
                                                           reduction=r), PROBABILITIES),
    "bce_weight": (lambda lib, x, r: _f(lib).binary_cross_entropy(
        x, _like(x, lib, TARGETS01), weight=_like(x, lib, CLASS_WEIGHT), reduction=r),
        PROBABILITIES),
    "bce_logits": (lambda lib, x, r: _f(lib).binary_cross_entropy_with_logits(
        x, _like(x, lib, TARGETS01), reduction=r), X),
    "bce_logits_pos_weight": (lambda lib, x, r: _f(lib).binary_cross_entropy_with_logits(
        x, _like(x, lib, TARGETS01), weight=_like(x, lib, CLASS_WEIGHT),
        pos_weight=_like(x, lib, CLASS_WEIGHT),
        reduction=r), X),
    "kl_div": (lambda lib, x, r: _f(lib).kl_div(x, _like(x, lib, TARGETS01), reduction=r), X),
    "kl_div_log_target": (lambda lib, x, r: _f(lib).kl_div(x, _like(x, lib, Y), reduction=r,
                                                           log_target=True), X),
    "margin_ranking": (lambda lib, x, r: _f(lib).margin_ranking_loss(
        x[:, 0], x[:, 1], _like(x, lib, [1.0, -1.0, 1.0, -1.0]), margin=0.3, reduction=r), X),
    "cosine_embedding": (lambda lib, x, r: _f(lib).cosine_embedding_loss(
        x, x.flip(0) * 2 + 0.5, _like(x, lib, [1, -1, 1, -1]), margin=0.1, reduction=r), X),
    "cosine_embedding_0d": (lambda lib, x, r: _f(lib).cosine_embedding_loss(
        x[0], x[1], _like(x, lib, -1), reduction=r), X),
    "triplet": (lambda lib, x, r: _f(lib).triplet_margin_loss(
        x, x.flip(0), x.flip(1) * 0.5, reduction=r), X),
    "triplet_swap_p1": (lambda lib, x, r: _f(lib).triplet_margin_loss(
        x, x.flip(0), x.flip(1) * 0.5, margin=2.0, p=1, swap=True, reduction=r), X),
}

# names whose mean reduction torch evaluates with warnings we assert on elsewhere
_KL_NAMES = ("kl_div", "kl_div_log_target")


@pytest.mark.filterwarnings("ignore:reduction. 'mean' divides")
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", list(LOSSES))
def test_loss_matches_torch(name, reduction, dtype):
    function, array = LOSSES[name]
    check(lambda lib, x: function(lib, x, reduction), grad_input(array.astype(dtype)))


@pytest.mark.filterwarnings("ignore:reduction. 'mean' divides")
@pytest.mark.parametrize("reduction", ["mean", "none"])
@pytest.mark.parametrize("name", list(LOSSES))
def test_loss_finite_differences(name, reduction):
    function, array = LOSSES[name]
    finite_differences(lambda x: function(ember, x, reduction), array)


def test_kl_div_batchmean():
    check(lambda lib, x: _f(lib).kl_div(x, _t(lib, TARGETS01), reduction="batchmean"),
          grad_input(X))


def test_target_gradients():
    check(lambda lib, x, t: _f(lib).mse_loss(x, t), grad_input(X), grad_input(Y))
    check(lambda lib, x, t: _f(lib).smooth_l1_loss(x, t, beta=0.3), grad_input(X),
          grad_input(Y))
    check(lambda lib, x, t: _f(lib).huber_loss(x, t, reduction="sum"), grad_input(X),
          grad_input(Y))
    check(lambda lib, x, t: _f(lib).binary_cross_entropy(x, t), grad_input(PROBABILITIES),
          grad_input(TARGETS01))
    check(lambda lib, x, t: _f(lib).binary_cross_entropy_with_logits(
        x, t, pos_weight=_t(lib, CLASS_WEIGHT)), grad_input(X), grad_input(TARGETS01))
    check(lambda lib, x, t: _f(lib).cross_entropy(x, t.softmax(1)), grad_input(X),
          grad_input(Y))


def test_bce_clamps_logs_at_minus_100():
    check(lambda lib, x: _f(lib).binary_cross_entropy(x, _like(x, lib, [1.0, 0.0, 0.5, 1.0])),
          grad_input(np.array([0.0, 1.0, 0.5, 1.0], dtype=np.float32)))


def test_bce_with_logits_is_stable_for_large_logits():
    logits = np.array([-200.0, -30.0, 0.0, 30.0, 200.0], dtype=np.float32)
    check(lambda lib, x: _f(lib).binary_cross_entropy_with_logits(
        x, _t(lib, np.array([1.0, 0.0, 1.0, 1.0, 0.0], dtype=np.float32)), reduction="none"),
        grad_input(logits))


def test_cross_entropy_empty_and_all_ignored_give_nan():
    check(lambda lib, x: _f(lib).cross_entropy(x, _t(lib, np.zeros(0, dtype=np.int64))),
          grad_input(np.zeros((0, 4))))
    check(lambda lib, x: _f(lib).cross_entropy(x, _t(lib, [-100, -100])),
          grad_input(X[:2]))


def test_broadcast_warning_and_legacy_reduction():
    for name in ("mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss"):
        def run(lib, x):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                result = getattr(_f(lib), name)(x, _t(lib, Y[0]))
            assert [str(w.message) for w in caught] == [
                f"Using a target size ({lib.Size([5])}) that is different to the input size "
                f"({lib.Size([4, 5])}). This will likely lead to incorrect results due to "
                "broadcasting. Please ensure they have the same size."]
            return result
        check(run, grad_input(X))
    for size_average, reduce in [(False, None), (None, False), (True, True), (False, True)]:
        def legacy(lib, x):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                result = _f(lib).mse_loss(x, _t(lib, Y), size_average=size_average,
                                          reduce=reduce)
                _f(lib).cross_entropy(x, _t(lib, CLASSES), size_average=size_average,
                                      reduce=reduce)
            assert "size_average and reduce args will be deprecated" in str(caught[0].message)
            return result
        check(legacy, grad_input(X))


def test_kl_div_mean_warns():
    with pytest.warns(UserWarning, match="'batchmean' divides only by the batch size"):
        _f(ember).kl_div(ember.zeros(2), ember.ones(2))


def test_errors():
    x = Input(X.astype(np.float32))
    check_error(lambda lib, t: _f(lib).cross_entropy(t, _t(lib, [0, 1])), x)
    check_error(lambda lib, t: _f(lib).cross_entropy(t, _t(lib, [0, 1, 5, 2])), x)
    check_error(lambda lib, t: _f(lib).cross_entropy(t, _t(lib, [0, 1, -5, 2])), x)
    check_error(lambda lib, t: _f(lib).cross_entropy(t, _t(lib, [0.0, 1, 2, 3])), x)
    check_error(lambda lib, t: _f(lib).nll_loss(t, _t(lib, [0.0, 1, 2, 3])), x)
    check_error(lambda lib, t: _f(lib).cross_entropy(t, _t(lib, np.array([0, 1, 2, 3],
                                                                         np.int32))), x)
    check_error(lambda lib, t: _f(lib).cross_entropy(t, lib.zeros(4, 6)), x)
    check_error(lambda lib, t: _f(lib).cross_entropy(t, lib.zeros(4, 5, dtype=lib.long)), x)
    check_error(lambda lib, t: _f(lib).nll_loss(t, lib.zeros(4, 2, dtype=lib.long)), x)
    check_error(lambda lib, t: _f(lib).nll_loss(t.reshape(4, 5, 1), lib.zeros(4, 2,
                                                                              dtype=lib.long)), x)
    check_error(lambda lib, t: _f(lib).nll_loss(t.sum(), _t(lib, 1)), x)
    check_error(lambda lib, t: _f(lib).cross_entropy(t, _t(lib, CLASSES), weight=lib.ones(3)),
                x)
    check_error(lambda lib, t: _f(lib).cross_entropy(t, t.softmax(1), weight=lib.ones(3)), x)
    check_error(lambda lib, t: _f(lib).cross_entropy(t, _t(lib, CLASSES),
                                                     label_smoothing=1.5), x)
    check_error(lambda lib, t: _f(lib).cross_entropy(t, _t(lib, CLASSES), reduction="avg"), x)
    check_error(lambda lib, t: _f(lib).mse_loss(t, t, reduction="avg"), x)
    check_error(lambda lib, t: _f(lib).binary_cross_entropy(t.sigmoid(), lib.rand(4, 4)), x)
    check_error(lambda lib, t: _f(lib).binary_cross_entropy(t, lib.zeros(4, 5)), x)
    check_error(lambda lib, t: _f(lib).binary_cross_entropy(t.sigmoid(), _t(lib, TARGETS01)), x)
    check_error(lambda lib, t: _f(lib).binary_cross_entropy_with_logits(t, lib.rand(4)), x)
    check_error(lambda lib, t: _f(lib).l1_loss(t, t, weight=lib.rand(2)), x)
    check_error(lambda lib, t: _f(lib).mse_loss(t, t, weight=lib.rand(2)), x)
    check_error(lambda lib, t: _f(lib).huber_loss(t, t, weight=lib.rand(2)), x)
    check_error(lambda lib, t: _f(lib).huber_loss(t, t, delta=0.0), x)
    check_error(lambda lib, t: _f(lib).smooth_l1_loss(t, t, beta=-1.0), x)
    check_error(lambda lib, t: _f(lib).margin_ranking_loss(t[0], t[1], lib.ones(5, 1)), x)
    check_error(lambda lib, t: _f(lib).cosine_embedding_loss(t[0], t[1], lib.ones(5)), x)
    check_error(lambda lib, t: _f(lib).cosine_embedding_loss(t, t, lib.ones(4, 5)), x)
    check_error(lambda lib, t: _f(lib).triplet_margin_loss(t[0], t, t[0]), x)
    check_error(lambda lib, t: _f(lib).kl_div(t, _t(lib, CLASSES)), x)
    check_error(lambda lib, t: lib.nn.TripletMarginLoss(margin=0.0), x)


# ---- modules -----------------------------------------------------------------------------------

def _weight(lib):
    return lib.from_numpy(CLASS_WEIGHT.astype(np.float32))


MODULES = {
    "MSELoss": (lambda nn, lib: nn.MSELoss(), X, Y),
    "L1Loss": (lambda nn, lib: nn.L1Loss(reduction="sum"), X, Y),
    "SmoothL1Loss": (lambda nn, lib: nn.SmoothL1Loss(beta=0.5), X, Y),
    "HuberLoss": (lambda nn, lib: nn.HuberLoss(delta=0.7), X, Y),
    "CrossEntropyLoss": (lambda nn, lib: nn.CrossEntropyLoss(
        weight=_weight(lib), ignore_index=2, label_smoothing=0.05), X, CLASSES),
    "NLLLoss": (lambda nn, lib: nn.NLLLoss(weight=_weight(lib)), X, CLASSES),
    "BCELoss": (lambda nn, lib: nn.BCELoss(weight=_weight(lib)), PROBABILITIES, TARGETS01),
    "BCEWithLogitsLoss": (lambda nn, lib: nn.BCEWithLogitsLoss(pos_weight=_weight(lib)), X,
                          TARGETS01),
    "KLDivLoss": (lambda nn, lib: nn.KLDivLoss(reduction="batchmean"), X, TARGETS01),
    "MarginRankingLoss": (lambda nn, lib: nn.MarginRankingLoss(0.2), X[:, 0], X[:, 1],
                          np.array([1.0, -1.0, -1.0, 1.0])),
    "CosineEmbeddingLoss": (lambda nn, lib: nn.CosineEmbeddingLoss(0.1), X, Y,
                            np.array([1, -1, -1, 1])),
    "TripletMarginLoss": (lambda nn, lib: nn.TripletMarginLoss(swap=True), X, Y, X * 0.5),
}


@pytest.mark.parametrize("name", list(MODULES))
def test_loss_module_matches_torch(name):
    build, *arrays = MODULES[name]
    arrays = [a.astype(np.float32) if a.dtype.kind == "f" else a for a in arrays]
    compare_module(lambda lib: build(lib.nn, lib), *arrays, steps=1)


@pytest.mark.parametrize("name", list(MODULES))
def test_loss_module_repr_and_state(name):
    build = MODULES[name][0]
    same_repr(lambda lib: build(lib.nn, lib))
    mine = build(ember.nn, ember)
    theirs = build(torch.nn, torch)
    assert list(mine.state_dict()) == list(theirs.state_dict())
    assert mine.reduction == theirs.reduction


def test_loss_module_legacy_arguments():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for size_average, reduce in [(False, None), (None, False), (True, None)]:
            mine = ember.nn.MSELoss(size_average=size_average, reduce=reduce)
            theirs = torch.nn.MSELoss(size_average=size_average, reduce=reduce)
            assert mine.reduction == theirs.reduction
            mine = ember.nn.CrossEntropyLoss(size_average=size_average, reduce=reduce)
            theirs = torch.nn.CrossEntropyLoss(size_average=size_average, reduce=reduce)
            assert mine.reduction == theirs.reduction


def _hessian_vector(lib, function, array):
    rng = np.random.default_rng(3)
    x = lib.tensor(array, requires_grad=True)
    (first,) = lib.autograd.grad(function(lib, x), x, create_graph=True)
    direction = lib.tensor(rng.standard_normal(array.shape))
    (second,) = lib.autograd.grad((first * direction).sum(), x)
    return first.detach().numpy(), second.numpy()


@pytest.mark.parametrize("name", ["mse", "smooth_l1", "huber", "cross_entropy",
                                  "cross_entropy_weight", "cross_entropy_ignore",
                                  "cross_entropy_4d", "bce_logits_pos_weight", "bce"])
def test_double_backward_matches_torch(name):
    function, array = LOSSES[name]
    mine = _hessian_vector(ember, lambda lib, x: function(lib, x, "mean"), array)
    theirs = _hessian_vector(torch, lambda lib, x: function(lib, x, "mean"), array)
    for a, b in zip(mine, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-9)


@given(st.lists(st.integers(1, 3), min_size=0, max_size=3), st.integers(1, 4),
       st.integers(1, 4), st.sampled_from(REDUCTIONS), st.booleans(), st.data())
def test_cross_entropy_on_random_spatial_shapes(spatial, batch, classes, reduction, weighted,
                                                data):
    rng = np.random.default_rng(data.draw(st.integers(0, 2 ** 16)))
    logits = rng.standard_normal([batch, classes] + spatial)
    targets = rng.integers(0, classes, [batch] + spatial)
    targets[rng.random(targets.shape) < 0.2] = -100
    weight = rng.uniform(0.5, 2, classes) if weighted else None

    def run(lib, x):
        class_weight = None if weight is None else lib.tensor(weight)
        return _f(lib).cross_entropy(x, lib.tensor(targets), weight=class_weight,
                                     reduction=reduction)
    check(run, grad_input(logits))


@pytest.mark.parametrize("name", ["mse_loss", "smooth_l1_loss", "huber_loss"])
@pytest.mark.parametrize("dtypes", [("float32", "int64"), ("float64", "float32"),
                                    ("float32", "float64"), ("float16", "int32")])
def test_pointwise_loss_dtype_follows_promotion(name, dtypes):
    # an integer target (class labels passed to a regression loss) promotes as in arithmetic:
    # float32 stays float32 rather than NumPy's float64; huber keeps the input's dtype
    input_dtype, target_dtype = dtypes
    # torch's huber backward refuses a target of another dtype ("Found dtype Long but expected
    # Float"), so only its values are compared
    differentiable = name != "huber_loss"
    check(lambda lib, x, y: getattr(_f(lib), name)(x, y),
          Input(X.astype(input_dtype), requires_grad=differentiable),
          Input(np.round(Y * 3).astype(target_dtype)))


@pytest.mark.parametrize("name", ["mse_loss", "smooth_l1_loss", "huber_loss"])
@pytest.mark.parametrize("dtypes", [("int64", "int64"), ("bool", "bool"),
                                    ("complex64", "float32")])
def test_pointwise_loss_refuses_non_floating(name, dtypes):
    input_dtype, target_dtype = dtypes
    check_error(lambda lib, x, y: getattr(_f(lib), name)(x, y),
                Input((X > 0).astype(input_dtype)), Input((Y > 0).astype(target_dtype)))


@pytest.mark.parametrize("name", ["mse_loss", "smooth_l1_loss", "huber_loss"])
def test_integer_input_with_floating_target(name):
    # mse and smooth_l1 compute in the promoted dtype; huber writes into the input's dtype
    # and refuses the cast from float
    arguments = [Input((X > 0).astype(np.int32)), Input(Y.astype(np.float32))]
    if name == "huber_loss":
        check_error(lambda lib, x, y: getattr(_f(lib), name)(x, y), *arguments)
    else:
        check(lambda lib, x, y: getattr(_f(lib), name)(x, y), *arguments)


@pytest.mark.parametrize("dtypes", [("float32", "int64"), ("float32", "bool"),
                                    ("int64", "float32"), ("float64", "int32")])
def test_bce_with_logits_refuses_what_its_composition_refuses(dtypes):
    input_dtype, target_dtype = dtypes
    check_error(lambda lib, x, y: _f(lib).binary_cross_entropy_with_logits(x, y),
                Input((X > 0).astype(input_dtype)), Input((Y > 0).astype(target_dtype)))
