"""torch.<name> forms of nn ops (ATen signatures: torch.dropout(input, p, train), integer loss
reductions, batch_norm's weight first...) and torch.pdist, against torch: values, grad_fns,
gradients, finite differences and errors."""
import subprocess
import sys

import numpy as np
import pytest

import ember
from oracle import Input, check, check_error, finite_differences, grad_input, run_both

RNG = np.random.default_rng(11)
X3 = RNG.standard_normal((2, 4, 6))
X4 = RNG.standard_normal((2, 4, 5, 5))
X5 = RNG.standard_normal((1, 2, 4, 4, 4))
W2 = RNG.standard_normal((6, 4, 3, 3))
W1 = RNG.standard_normal((6, 4, 3))
CHANNELS = RNG.standard_normal(4)
ROWS = RNG.standard_normal((5, 3))
PAIRS = RNG.standard_normal((3, 4))
SIGNS = np.array([1.0, -1.0, 1.0])
PROBABILITIES = RNG.uniform(0.1, 0.9, (3, 4))
CELL_HIDDEN = RNG.standard_normal((3, 2))
LOGITS = RNG.standard_normal((5, 2, 4))
LAZY_NAMES = ember.__dict__["_LAZY_ATTRIBUTES"]



def _ctc_targets(lib):
    """ctc_loss's targets, input lengths and target lengths (as tensors) in lib."""
    return lib.tensor([[1, 2], [3, 3]]), lib.tensor([5, 5]), lib.tensor([2, 2])


def _bag(lib, dtype="int64"):
    """embedding_bag's indices and offsets (bags of 2, 0, 3 and 1 indices) in lib."""
    return (lib.tensor([1, 2, 4, 0, 3, 2], dtype=getattr(lib, dtype)),
            lib.tensor([0, 2, 2, 5], dtype=getattr(lib, dtype)))

CASES = [
    ("conv1d", lambda lib, x, w: lib.conv1d(x, w, None, 1, 1), (X3, W1)),
    ("conv2d", lambda lib, x, w: lib.conv2d(x, w, stride=2), (X4, W2)),
    ("conv3d", lambda lib, x: lib.conv3d(x, x[:1, :, :2, :2, :2] * 1), (X5,)),
    ("conv_transpose1d", lambda lib, x, w: lib.conv_transpose1d(x, w[:4]), (X3, W1)),
    ("conv_transpose2d", lambda lib, x, w: lib.conv_transpose2d(x, w[:4], None, 2),
     (X4, W2)),
    ("conv_transpose3d", lambda lib, x: lib.conv_transpose3d(x, x[0, :, :2, :2, :2]
                                                             .unsqueeze(1) * 1), (X5,)),
    ("convolution", lambda lib, x, w: lib.convolution(x, w, None, [1, 1], [1, 0], [1, 1], False,
                                                      [0, 0], 1), (X4, W2)),
    ("batch_norm", lambda lib, x, w, b: lib.batch_norm(
        x, w, b, lib.zeros(4, dtype=lib.float64), lib.ones(4, dtype=lib.float64), True, 0.1,
        1e-5, False), (X3, CHANNELS, CHANNELS[::-1].copy())),
    ("batch_norm_eval", lambda lib, x: lib.batch_norm(
        x, None, None, lib.full((4,), 0.5, dtype=lib.float64),
        lib.full((4,), 2.0, dtype=lib.float64), False, 0.1, 1e-5, True), (X3,)),
    ("instance_norm", lambda lib, x, w: lib.instance_norm(x, w, None, None, None, True, 0.1,
                                                          1e-5, False), (X3, CHANNELS)),
    ("layer_norm", lambda lib, x: lib.layer_norm(x, [6], None, None, 1e-5, False), (X3,)),
    ("group_norm", lambda lib, x, w: lib.group_norm(x, 2, w, w * 2), (X3, CHANNELS)),
    ("embedding", lambda lib, w: lib.embedding(w, lib.tensor([1, 2, 4, 1])), (ROWS,)),
    ("embedding_padding", lambda lib, w: lib.embedding(w, lib.tensor([[1, 2], [0, 1]]), 1),
     (ROWS,)),
    ("embedding_bag", lambda lib, w: lib.embedding_bag(w, *_bag(lib)), (ROWS,)),
    ("embedding_bag_mean", lambda lib, w: lib.embedding_bag(
        w, *_bag(lib), False, 1, False, None, False, 2), (ROWS,)),
    ("embedding_bag_max", lambda lib, w: lib.embedding_bag(w, *_bag(lib), False, 2),
     (ROWS,)),
    ("embedding_bag_max_last_offset", lambda lib, w: lib.embedding_bag(
        w, *_bag(lib), False, 2, False, None, True, -1), (ROWS,)),
    ("embedding_bag_sum_padding", lambda lib, w: lib.embedding_bag(
        w, *_bag(lib), False, 0, False, None, False, 2), (ROWS,)),
    ("embedding_bag_float32", lambda lib, w: lib.embedding_bag(w.float(), *_bag(lib)), (ROWS,)),
    ("embedding_bag_weighted", lambda lib, w: lib.embedding_bag(
        w, *_bag(lib), False, 0, False, lib.ones(6, dtype=lib.float64) * 0.5),
     (ROWS,)),
    ("embedding_bag_int32", lambda lib, w: lib.embedding_bag(
        w, *_bag(lib, "int32"), False, 1), (ROWS,)),
    ("bilinear", lambda lib, x, y, w: lib.bilinear(x, y, w), (PAIRS[:, :3], PAIRS,
                                                              W1.transpose(0, 2, 1)[:, :3])),
    ("pixel_shuffle", lambda lib, x: lib.pixel_shuffle(x, 2), (X4,)),
    ("pixel_unshuffle", lambda lib, x: lib.pixel_unshuffle(x[..., :4, :4], 2), (X4,)),
    ("channel_shuffle", lambda lib, x: lib.channel_shuffle(x, 2), (X4,)),
    ("max_pool1d", lambda lib, x: lib.max_pool1d(x, 2, []), (X3,)),
    ("max_pool2d", lambda lib, x: lib.max_pool2d(x, 3, 2, 1, 1, True), (X4,)),
    ("max_pool3d", lambda lib, x: lib.max_pool3d(x, 2), (X5,)),
    ("max_pool1d_with_indices", lambda lib, x: lib.max_pool1d_with_indices(x, 3, 2, 1),
     (X3,)),
    ("avg_pool1d", lambda lib, x: lib.avg_pool1d(x, 3, 2, 1, False, False), (X3,)),
    ("adaptive_avg_pool1d", lambda lib, x: lib.adaptive_avg_pool1d(x, 4), (X3,)),
    ("adaptive_max_pool1d", lambda lib, x: lib.adaptive_max_pool1d(x, 4), (X3,)),
    ("dropout", lambda lib, x: lib.dropout(x, 0.5, False), (X3,)),
    ("dropout_all", lambda lib, x: lib.dropout(x, 1.0, True), (X3,)),
    ("dropout_", lambda lib, x: lib.dropout_(x * 1, 1.0, True), (X3,)),
    ("alpha_dropout", lambda lib, x: lib.alpha_dropout(x, 0.0, True), (X3,)),
    ("alpha_dropout_", lambda lib, x: lib.alpha_dropout_(x * 1, 0.2, False), (X3,)),
    ("feature_dropout", lambda lib, x: lib.feature_dropout(x, 1.0, True), (X3,)),
    ("feature_dropout_", lambda lib, x: lib.feature_dropout_(x * 1, 0.3, False), (X3,)),
    ("feature_alpha_dropout", lambda lib, x: lib.feature_alpha_dropout(x, 0.0, True), (X3,)),
    ("feature_alpha_dropout_", lambda lib, x: lib.feature_alpha_dropout_(x * 1, 0.5, False),
     (X3,)),
    ("kl_div", lambda lib, x, t: lib.kl_div(x, t), (PAIRS, PROBABILITIES)),
    ("kl_div_mean", lambda lib, x, t: lib.kl_div(x, t, 1), (PAIRS, PROBABILITIES)),
    ("kl_div_sum_log_target", lambda lib, x, t: lib.kl_div(x, t.log(), 2, log_target=True),
     (PAIRS, PROBABILITIES)),
    ("cosine_embedding_loss", lambda lib, x, y: lib.cosine_embedding_loss(
        x, y, lib.tensor(SIGNS), 0.1), (PAIRS, PROBABILITIES)),
    ("cosine_embedding_loss_none", lambda lib, x, y: lib.cosine_embedding_loss(
        x, y, lib.tensor(SIGNS), 0.0, 0), (PAIRS, PROBABILITIES)),
    ("margin_ranking_loss", lambda lib, x, y: lib.margin_ranking_loss(
        x[:, 0], y[:, 0], lib.tensor(SIGNS), 0.2, 2), (PAIRS, PROBABILITIES)),
    ("triplet_margin_loss", lambda lib, x, y: lib.triplet_margin_loss(x, y, x * 2),
     (PAIRS, PROBABILITIES)),
    ("triplet_margin_loss_swap", lambda lib, x, y: lib.triplet_margin_loss(
        x, y, y.flip(0), 0.5, 1.0, 1e-6, True, 0), (PAIRS, PROBABILITIES)),
    ("hinge_embedding_loss", lambda lib, x: lib.hinge_embedding_loss(
        x[:, 0], lib.tensor(SIGNS)), (PAIRS,)),
    ("poisson_nll_loss", lambda lib, x, t: lib.poisson_nll_loss(x, t, True, False, 1e-8, 1),
     (PAIRS, PROBABILITIES)),
    ("poisson_nll_loss_full", lambda lib, x, t: lib.poisson_nll_loss(
        x.exp(), t * 3, False, True, 1e-8, 0), (PAIRS, PROBABILITIES)),
    ("binary_cross_entropy_with_logits", lambda lib, x, t: lib.binary_cross_entropy_with_logits(
        x, t), (PAIRS, PROBABILITIES)),
    ("binary_cross_entropy_with_logits_weights",
     lambda lib, x, t: lib.binary_cross_entropy_with_logits(
         x, t, (t * 2).detach(), (t[0] + 1).detach(), 2),
     (PAIRS, PROBABILITIES)),
    ("rrelu", lambda lib, x: lib.rrelu(x, 0.1, 0.3), (X3,)),
    ("rrelu_", lambda lib, x: lib.rrelu_(x * 1), (X3,)),
    ("constant_pad_nd", lambda lib, x: lib.constant_pad_nd(x, [1, 2, -1, 0], 0.5), (X3,)),
    ("pdist", lambda lib, x: lib.pdist(x), (ROWS,)),
    ("pdist_one", lambda lib, x: lib.pdist(x, 1), (ROWS,)),
    ("pdist_three", lambda lib, x: lib.pdist(x, p=3), (ROWS,)),
    ("pdist_inf", lambda lib, x: lib.pdist(x, float("inf")), (ROWS,)),
    ("pdist_half", lambda lib, x: lib.pdist(x, 0.5), (ROWS,)),
    ("grid_sampler", lambda lib, x, g: lib.grid_sampler(x, g.tanh(), 0, 1, False),
     (X4, RNG.standard_normal((2, 3, 2, 2)))),
    ("grid_sampler_nearest", lambda lib, x, g: lib.grid_sampler(x, g.tanh(), 1, 2, True),
     (X4, RNG.standard_normal((2, 3, 2, 2)))),
    ("grid_sampler_2d", lambda lib, x, g: lib.grid_sampler_2d(x, g.tanh(), 2, 0, True),
     (X4, RNG.standard_normal((2, 3, 2, 2)))),
    ("grid_sampler_3d", lambda lib, x, g: lib.grid_sampler_3d(x, g.tanh(), 0, 1, False),
     (X5, RNG.standard_normal((1, 2, 3, 2, 3)))),
    ("rnn_tanh_cell", lambda lib, x, h, w, u, b: lib.rnn_tanh_cell(x, h, w, u, b, b * 2),
     (PAIRS, CELL_HIDDEN, RNG.standard_normal((2, 4)), RNG.standard_normal((2, 2)),
      RNG.standard_normal(2))),
    ("rnn_relu_cell", lambda lib, x, h, w, u: lib.rnn_relu_cell(x, h, w, u),
     (PAIRS, CELL_HIDDEN, RNG.standard_normal((2, 4)), RNG.standard_normal((2, 2)))),
    ("lstm_cell", lambda lib, x, h, c, w, u, b: lib.lstm_cell(x, (h, c), w, u, b, None),
     (PAIRS, CELL_HIDDEN, CELL_HIDDEN * 2, RNG.standard_normal((8, 4)),
      RNG.standard_normal((8, 2)), RNG.standard_normal(8))),
    ("gru_cell", lambda lib, x, h, w, u, b: lib.gru_cell(x, h, w, u, b, b),
     (PAIRS, CELL_HIDDEN, RNG.standard_normal((6, 4)), RNG.standard_normal((6, 2)),
      RNG.standard_normal(6))),
    ("ctc_loss", lambda lib, x: lib.ctc_loss(x.log_softmax(2), *_ctc_targets(lib)), (LOGITS,)),
    ("ctc_loss_mean", lambda lib, x: lib.ctc_loss(x.log_softmax(2), *_ctc_targets(lib), 0, 1),
     (LOGITS,)),
    ("ctc_loss_sum_lists", lambda lib, x: lib.ctc_loss(
        x.log_softmax(2), lib.tensor([[1, 2], [1, 1]]), [5, 4], [2, 1], 0, 2, True), (LOGITS,)),
    ("native_layer_norm", lambda lib, x, w: lib.native_layer_norm(x, [4, 6], w, w * 2, 1e-5),
     (X3, RNG.standard_normal((4, 6)))),
    ("native_batch_norm", lambda lib, x, w: lib.native_batch_norm(
        x, w, None, lib.zeros(4, dtype=lib.float64), lib.ones(4, dtype=lib.float64), True, 0.1,
        1e-5), (X3, CHANNELS)),
    ("native_batch_norm_eval", lambda lib, x: lib.native_batch_norm(
        x, None, None, lib.full((4,), 0.5, dtype=lib.float64),
        lib.full((4,), 2.0, dtype=lib.float64), False, 0.1, 1e-3), (X3,)),
    ("native_dropout", lambda lib, x: lib.native_dropout(x, 0.4, False), (X3,)),
    ("native_dropout_none", lambda lib, x: lib.native_dropout(x, 0.0, True), (X3,)),
    ("native_dropout_all", lambda lib, x: lib.native_dropout(x, 1.0, True), (X3,)),
    ("affine_grid_generator", lambda lib, t: lib.affine_grid_generator(t, [2, 1, 3, 4], False),
     (RNG.standard_normal((2, 2, 3)),)),
]


def test_every_lazy_native_form_has_a_case():
    from ember.nn._functional import native_forms
    native = {name for name, module in LAZY_NAMES.items()
              if module == "ember.nn._functional.native_forms"}
    assert native == set(native_forms.__all__)
    # tested below: embedding_renorm_ (no gradient), native_channel_shuffle (no derivative)
    dedicated = {"embedding_renorm_", "native_channel_shuffle"}
    covered = {name for name in native if any(row[0] == name or row[0].startswith(name + "_")
                                              for row in CASES)}
    assert native - covered == dedicated


@pytest.mark.parametrize("name, function, arrays", CASES, ids=[row[0] for row in CASES])
def test_native_form_matches_torch(name, function, arrays):
    check(function, *[grad_input(array) for array in arrays])


FLOAT32_CASES = [row for row in CASES if row[0] == "conv1d" or row[0].startswith("pdist")]


@pytest.mark.parametrize("name, function, arrays", FLOAT32_CASES,
                         ids=[row[0] for row in FLOAT32_CASES])
def test_native_form_in_float32(name, function, arrays):
    check(function, *[grad_input(array.astype(np.float32)) for array in arrays], atol=1e-5)


@pytest.mark.parametrize("p", [1.0, 2.0, 3.0, float("inf"), 0.7])
def test_pdist_finite_differences(p):
    finite_differences(lambda x: ember.pdist(x, p), ROWS)


def test_pdist_edge_cases_match_torch():
    repeated = np.array([[1.0, 2.0], [1.0, 2.0], [3.0, 1.0]])
    for p in (0.0, 0.5, 1.0, 2.0, 3.0, float("inf")):
        check(lambda lib, x: lib.pdist(x, p), grad_input(repeated))
    check(lambda lib, x: lib.pdist(x), grad_input(ROWS[:1]))
    check(lambda lib, x: lib.nn.functional.pdist(x, 2), grad_input(ROWS))


def test_random_dropout_keeps_torch_support():
    mine, theirs = run_both(lambda lib, x: lib.dropout(x, 0.5, True), grad_input(np.ones((40,))))
    assert type(mine.grad_fn).__name__ == type(theirs.grad_fn).__name__
    assert set(mine.tolist()) <= {0.0, 2.0} and set(theirs.tolist()) <= {0.0, 2.0}
    mine, theirs = run_both(lambda lib, x: lib.feature_dropout(x, 0.5, True),
                            Input(np.ones((2, 30, 3))))
    for result in (mine, theirs):
        rows = result.numpy() if isinstance(result, ember.Tensor) else result.numpy()
        assert (rows == rows[..., :1]).all()


def test_native_dropout_keeps_torch_support():
    def dropped(lib, x):
        output, mask = lib.native_dropout(x, 0.5, True)
        grad, = lib.autograd.grad(output.sum(), x)
        return (type(output.grad_fn).__name__, str(mask.dtype), set(output.tolist()) <= {0, 2},
                bool((output == 2 * mask).all()), bool((grad == 2 * mask).all()))
    mine, theirs = run_both(dropped, grad_input(np.ones(50)))
    assert str(mine).replace("ember", "torch") == str(theirs)


def test_native_channel_shuffle_matches_torch():
    check(lambda lib, x: lib.native_channel_shuffle(x, 2), Input(X4))


def test_embedding_renorm_matches_torch():
    check(lambda lib, w: lib.embedding_renorm_(w, lib.tensor([1, 3, 1]), 1.0, 2.0), Input(ROWS))


def test_native_form_errors_match_torch():
    check_error(lambda lib, x: lib.dropout(x, 1.5, True), Input(X3))
    check_error(lambda lib, x: lib.feature_alpha_dropout_(x, -1, True), Input(X3))
    check_error(lambda lib, x, t: lib.kl_div(x, t, "mean"), Input(PAIRS), Input(PROBABILITIES))
    check_error(lambda lib, x: lib.hinge_embedding_loss(x, x, 1.0, "sum"), Input(PAIRS))
    check_error(lambda lib, w: lib.embedding_bag(w, _bag(lib)[0], None), Input(ROWS))
    check_error(lambda lib, w: lib.embedding_bag(w, *_bag(lib), False, 3), Input(ROWS))
    check_error(lambda lib, x: lib.native_dropout(x, 1.5, True), Input(X3))
    check_error(lambda lib, x: lib.native_dropout(x, 0.5, True), Input(np.ones(3, np.int64)))
    check_error(lambda lib, x: lib.pdist(x), Input(X3))
    check_error(lambda lib, x: lib.pdist(x, -1), Input(ROWS))
    check_error(lambda lib: lib.pdist(lib.ones(3, 2, dtype=lib.int64)))


ARITY_CALLS = [
    lambda lib, x: lib.layer_norm(x),
    lambda lib, x: lib.pdist(),
    lambda lib, x: lib.pdist(x, 2, 3),
    lambda lib, x: lib.dropout(x, train=True),
    lambda lib, x: lib.dropout(x, 0.5, True, 1),
    lambda lib, x: lib.dropout(x, 0.5, True, foo=1),
    lambda lib, x: lib.feature_alpha_dropout_(),
    lambda lib, x: lib.kl_div(x, x, 1, False),
    lambda lib, x: lib.batch_norm(x),
    lambda lib, x: lib.poisson_nll_loss(x, x, True, False, 1e-8),
    lambda lib, x: lib.adaptive_max_pool1d(x, 1, 2),
    lambda lib, x: lib.rrelu(x, 0.1, 0.2, False, None, 3),
    lambda lib, x: lib.max_pool2d(x),
    lambda lib, x: lib.grid_sampler(x, x),
]


@pytest.mark.parametrize("call", ARITY_CALLS)
def test_argument_count_errors_match_torch(call):
    check_error(call, Input(PAIRS))


CELL_ERRORS = [
    lambda lib, x, h: lib.rnn_tanh_cell(x, h, lib.ones(2, 5), lib.ones(2, 2)),
    lambda lib, x, h: lib.rnn_tanh_cell(x, lib.zeros(3, 3), lib.ones(2, 4), lib.ones(2, 2)),
    lambda lib, x, h: lib.rnn_relu_cell(x, h[:2], lib.ones(2, 4), lib.ones(2, 2)),
    lambda lib, x, h: lib.rnn_tanh_cell(x, h, lib.ones(3, 4), lib.ones(2, 2)),
    lambda lib, x, h: lib.gru_cell(x, h, lib.ones(5, 4), lib.ones(5, 2)),
    lambda lib, x, h: lib.gru_cell(x, h, lib.ones(6, 4), lib.ones(5, 2)),
    lambda lib, x, h: lib.lstm_cell(x, h, lib.ones(8, 4), lib.ones(8, 2)),
    lambda lib, x, h: lib.lstm_cell(x, (h,), lib.ones(8, 4), lib.ones(8, 2)),
    lambda lib, x, h: lib.lstm_cell(x, (h, lib.zeros(3, 3)), lib.ones(8, 4), lib.ones(8, 2)),
    lambda lib, x, h: lib.lstm_cell(x, (h, h[:2]), lib.ones(8, 4), lib.ones(8, 2)),
    lambda lib, x, h: lib.lstm_cell(x, (h, h), lib.ones(8, 4), lib.ones(7, 2)),
]


@pytest.mark.parametrize("call", CELL_ERRORS)
def test_cell_errors_match_torch(call):
    check_error(call, Input(PAIRS.astype(np.float32)), Input(CELL_HIDDEN.astype(np.float32)))


def test_import_ember_leaves_nn_unloaded():
    code = "import sys, ember; ember.dropout; print('ember.nn' in sys.modules)"
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert completed.stdout.strip() == "True"
    code = "import sys, ember; print('ember.nn' in sys.modules)"
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert completed.stdout.strip() == "False"
