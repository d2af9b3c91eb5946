"""nn.RNN, LSTM, GRU and their cells against torch: outputs, final states, input and initial
state gradients, every parameter gradient, printouts, initialisation and errors."""
import itertools
import math
import subprocess
import sys
import warnings

import numpy as np
import pytest
import torch

import ember
from module_oracle import build_pair, compare_modules, same_printout
from oracle import Input, check_error, finite_differences, grad_input

RNG = np.random.default_rng(0)
INPUT, HIDDEN, PROJ, STEPS, BATCH = 3, 5, 2, 4, 2


def _array(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


def _forward(lib, module, input, hx=None):
    if hx is None:
        return module(input)
    return module(input, hx)


def _layer(name, **options):
    return lambda lib: getattr(lib.nn, name)(INPUT, HIDDEN, **options)


def _initial_state(name, options, batched=True):
    directions = 2 if options.get("bidirectional") else 1
    layers = options.get("num_layers", 1) * directions
    size = options.get("proj_size", 0) or HIDDEN
    shape = (layers, BATCH, size) if batched else (layers, size)
    cell_shape = (layers, BATCH, HIDDEN) if batched else (layers, HIDDEN)
    if name == "LSTM":
        return (grad_input(_array(*shape)), grad_input(_array(*cell_shape)))
    return grad_input(_array(*shape))


# every combination of depth, direction and layout; biases dropped in half of them
GRID = [dict(num_layers=layers, bidirectional=bidirectional, batch_first=batch_first,
             bias=bidirectional == batch_first)
        for layers, bidirectional, batch_first
        in itertools.product((1, 2), (False, True), (False, True))]
MODES = [("RNN", {}), ("RNN", {"nonlinearity": "relu"}), ("GRU", {}), ("LSTM", {}),
         ("LSTM", {"proj_size": PROJ})]


@pytest.mark.parametrize("name,extra", MODES)
@pytest.mark.parametrize("options", GRID, ids=lambda o: "-".join(f"{k}={v}" for k, v in o.items()))
def test_sequence_layers_match_torch(name, extra, options):
    options = {**options, **extra}
    shape = (BATCH, STEPS, INPUT) if options["batch_first"] else (STEPS, BATCH, INPUT)
    hx = _initial_state(name, options) if options["num_layers"] == 2 else None
    with warnings.catch_warnings():
        # torch warns that oneDNN does not do LSTM projections
        warnings.simplefilter("ignore", UserWarning)
        compare_modules(_layer(name, **options), _forward, grad_input(_array(*shape)), hx)


@pytest.mark.parametrize("name,extra", MODES)
def test_grad_fn_names_match_torch_where_it_decomposes(name, extra):
    # float32 LSTMs without projection: one MkldnnRnnLayerBackward0 per layer and direction
    for bidirectional in (False, True):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            compare_modules(_layer(name, bidirectional=bidirectional, **extra), _forward,
                            grad_input(_array(STEPS, BATCH, INPUT)), grad_fn=True)


@pytest.mark.parametrize("name,extra", MODES)
@pytest.mark.parametrize("with_state", [False, True])
def test_unbatched_input(name, extra, with_state):
    options = {"num_layers": 2, "bidirectional": True, **extra}
    hx = _initial_state(name, options, batched=False) if with_state else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        compare_modules(_layer(name, **options), _forward, grad_input(_array(STEPS, INPUT)), hx)


@pytest.mark.parametrize("name", ["RNN", "GRU", "LSTM"])
def test_dropout_between_layers(name):
    # eval mode ignores dropout; p=1 zeroes the second layer's input deterministically
    options = {"num_layers": 2, "dropout": 0.5}
    x = grad_input(_array(STEPS, BATCH, INPUT))
    compare_modules(_layer(name, **options), _forward, x, train=False)
    compare_modules(_layer(name, num_layers=2, dropout=1.0), _forward, x, train=True)


def test_dropout_changes_training_outputs_only():
    mine = ember.nn.GRU(INPUT, HIDDEN, num_layers=2, dropout=0.5)
    x = ember.from_numpy(_array(STEPS, BATCH, INPUT))
    mine.eval()
    first, second = mine(x)[0], mine(x)[0]
    assert np.array_equal(first.detach().numpy(), second.detach().numpy())
    mine.train()
    assert not np.array_equal(mine(x)[0].detach().numpy(), first.detach().numpy())


CELLS = [("RNNCell", {}), ("RNNCell", {"nonlinearity": "relu"}), ("RNNCell", {"bias": False}),
         ("GRUCell", {}), ("GRUCell", {"bias": False}), ("LSTMCell", {}),
         ("LSTMCell", {"bias": False})]


@pytest.mark.parametrize("name,options", CELLS)
@pytest.mark.parametrize("batched", [True, False])
@pytest.mark.parametrize("with_state", [True, False])
def test_cells_match_torch(name, options, batched, with_state):
    x = grad_input(_array(BATCH, INPUT) if batched else _array(INPUT))
    state_shape = (BATCH, HIDDEN) if batched else (HIDDEN,)
    hx = None
    if with_state:
        hx = grad_input(_array(*state_shape))
        if name == "LSTMCell":
            hx = (hx, grad_input(_array(*state_shape)))
    compare_modules(_layer(name, **options), _forward, x, hx, grad_fn=True)


@pytest.mark.parametrize("build", [
    lambda nn: nn.RNN(3, 5), lambda nn: nn.RNN(3, 5, 2, "relu", False, True, 0.5, True),
    lambda nn: nn.LSTM(3, 5, proj_size=2, num_layers=3), lambda nn: nn.GRU(3, 5, bias=False),
    lambda nn: nn.LSTM(3, 5, batch_first=True, bidirectional=True),
    lambda nn: nn.RNNCell(3, 5), lambda nn: nn.RNNCell(3, 5, False, "relu"),
    lambda nn: nn.LSTMCell(3, 5, bias=False), lambda nn: nn.GRUCell(3, 5),
    lambda nn: nn.Sequential(nn.LSTM(4, 8, 2), nn.GRUCell(8, 2))])
def test_repr(build):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        mine, theirs = build_pair(lambda lib: build(lib.nn))
    same_printout(mine, theirs)


@pytest.mark.parametrize("name,extra", MODES + CELLS)
def test_parameter_names_shapes_and_default_init(name, extra):
    options = {"num_layers": 2, "bidirectional": True, **extra} if "Cell" not in name else extra
    # a fresh module (not a copy of torch's values) to see ember's own initialisation
    ember.manual_seed(0)
    mine = _layer(name, **options)(ember)
    torch.manual_seed(0)
    theirs = _layer(name, **options)(torch)
    assert [(n, tuple(p.shape)) for n, p in mine.named_parameters()] == \
        [(n, tuple(p.shape)) for n, p in theirs.named_parameters()]
    bound = 1 / math.sqrt(HIDDEN)
    values = np.concatenate([p.detach().numpy().ravel() for p in mine.parameters()])
    assert values.min() >= -bound and values.max() <= bound
    assert values.max() > 0.8 * bound and values.min() < -0.8 * bound
    # the mean of n uniform draws has standard deviation bound / sqrt(3 n)
    assert abs(values.mean()) < 4 * bound / math.sqrt(3 * values.size)
    assert all(p.requires_grad and p.dtype == ember.float32 for p in mine.parameters())


def test_all_weights_and_flatten_parameters():
    mine, theirs = build_pair(lambda lib: lib.nn.LSTM(3, 5, 2, bidirectional=True))
    mine.flatten_parameters()
    assert [[tuple(p.shape) for p in group] for group in mine.all_weights] == \
        [[tuple(p.shape) for p in group] for group in theirs.all_weights]
    assert mine.all_weights[1][0] is mine.weight_ih_l0_reverse


def test_dtype_conversion_and_float64():
    mine, theirs = build_pair(lambda lib: lib.nn.GRU(3, 5, 2).double())
    assert mine.weight_ih_l0.dtype == ember.float64
    compare_modules(lambda lib: lib.nn.LSTM(3, 5, 2, bidirectional=True).double(), _forward,
                    grad_input(RNG.standard_normal((STEPS, BATCH, INPUT))), atol=1e-10,
                    rtol=1e-9)


def test_dropout_with_one_layer_warns():
    with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater than 1"):
        ember.nn.LSTM(3, 5, dropout=0.2)


def _call(name, options, *inputs):
    def run(lib, *tensors):
        lib.manual_seed(0)
        module = getattr(lib.nn, name)(INPUT, HIDDEN, **options)
        return module(*tensors)
    return run


@pytest.mark.parametrize("case", [
    ("RNN", {}, (_array(STEPS, BATCH, 7),)),
    ("GRU", {}, (_array(STEPS, BATCH, 7),)),
    ("LSTM", {}, (_array(STEPS, BATCH, 7),)),
    ("RNN", {}, (_array(STEPS, BATCH, INPUT), _array(1, 3, HIDDEN))),
    ("RNN", {"num_layers": 2}, (_array(STEPS, BATCH, INPUT), _array(1, BATCH, HIDDEN))),
    ("GRU", {"batch_first": True}, (_array(BATCH, STEPS, INPUT), _array(1, STEPS, HIDDEN))),
    ("LSTM", {}, (_array(STEPS, BATCH, INPUT), (_array(1, 3, HIDDEN), _array(1, BATCH, HIDDEN)))),
    ("LSTM", {}, (_array(STEPS, BATCH, INPUT), (_array(1, BATCH, HIDDEN), _array(1, BATCH, 4)))),
    ("LSTM", {"proj_size": PROJ},
     (_array(STEPS, BATCH, INPUT), (_array(1, BATCH, HIDDEN), _array(1, BATCH, HIDDEN)))),
    ("RNN", {}, (_array(2, STEPS, BATCH, INPUT),)),
    ("GRU", {}, (_array(INPUT),)),
    ("LSTM", {}, (_array(2, STEPS, BATCH, INPUT),)),
    ("RNN", {}, (_array(STEPS, BATCH, INPUT), _array(BATCH, HIDDEN))),
    ("GRU", {}, (_array(STEPS, INPUT), _array(1, 1, HIDDEN))),
    ("LSTM", {}, (_array(STEPS, BATCH, INPUT), (_array(BATCH, HIDDEN), _array(BATCH, HIDDEN)))),
    ("LSTM", {}, (_array(STEPS, INPUT), (_array(1, 1, HIDDEN), _array(1, HIDDEN)))),
    ("RNN", {}, (RNG.standard_normal((STEPS, BATCH, INPUT)),)),
    ("RNNCell", {}, (_array(BATCH, 7),)),
    ("RNNCell", {}, (_array(BATCH, INPUT), _array(3, HIDDEN))),
    ("RNNCell", {}, (_array(BATCH, INPUT), _array(BATCH, 7))),
    ("RNNCell", {}, (_array(2, BATCH, INPUT),)),
    ("RNNCell", {}, (_array(BATCH, INPUT), _array(1, BATCH, HIDDEN))),
    ("GRUCell", {}, (_array(BATCH, INPUT), _array(BATCH, 7))),
    ("GRUCell", {}, (_array(2, BATCH, INPUT),)),
    ("LSTMCell", {}, (_array(BATCH, 7),)),
    ("LSTMCell", {}, (_array(BATCH, INPUT), (_array(BATCH, HIDDEN), _array(3, HIDDEN)))),
    ("LSTMCell", {}, (_array(BATCH, INPUT), (_array(BATCH, HIDDEN), _array(BATCH, 7)))),
    ("LSTMCell", {}, (_array(BATCH, INPUT), (_array(1, BATCH, HIDDEN), _array(BATCH, HIDDEN)))),
    ("LSTMCell", {}, (_array(2, BATCH, INPUT),)),
])
def test_forward_errors_match_torch(case):
    name, options, inputs = case
    check_error(_call(name, options), *[Input(x) if isinstance(x, np.ndarray)
                                        else tuple(Input(y) for y in x) for x in inputs])


@pytest.mark.parametrize("construct", [
    lambda nn: nn.RNN(3, 5, dropout=1.5),
    lambda nn: nn.RNN(3, 5, dropout=True),
    lambda nn: nn.GRU(3, 5, proj_size=2),
    lambda nn: nn.RNN(3, 5, proj_size=2),
    lambda nn: nn.RNN(3, 5, nonlinearity="sigmoid"),
    lambda nn: nn.LSTM(3, 5, proj_size=5),
    lambda nn: nn.LSTM(3, 5, proj_size=-1),
    lambda nn: nn.LSTM(3, 0),
    lambda nn: nn.LSTM(0, 5),
    lambda nn: nn.LSTM(3.0, 5),
    lambda nn: nn.LSTM(3, 5.0),
    lambda nn: nn.LSTM(3, 5, 0),
    lambda nn: nn.GRU(3, 5, bias=1),
    lambda nn: nn.GRU(3, 5, batch_first=None),
    lambda nn: nn.RNNCell(3, 5, nonlinearity="gelu")(nn.RNNCell(3, 5).weight_hh),
])
def test_constructor_errors_match_torch(construct):
    check_error(lambda lib: construct(lib.nn))


@pytest.mark.parametrize("name,extra", MODES + [("GRUCell", {}), ("LSTMCell", {})])
def test_finite_differences(name, extra):
    """Gradients of the output with respect to the input and the initial hidden state (the
    LSTM cell state is derived from it) in float64."""
    ember.manual_seed(0)
    is_cell = "Cell" in name
    options = extra if is_cell else {"num_layers": 2, "bidirectional": True, **extra}
    module = getattr(ember.nn, name)(2, 3, **options).double()

    def function(input, hidden):
        if name == "LSTMCell":
            return module(input, (hidden, hidden * 2))[0]
        if is_cell:
            return module(input, hidden)
        if name == "LSTM":
            cell = hidden.narrow(-1, 0, 1).expand(-1, -1, 3) * 2
            return module(input, (hidden, cell))[0]
        return module(input, hidden)[0]
    if is_cell:
        finite_differences(function, RNG.standard_normal((2, 2)), RNG.standard_normal((2, 3)))
    else:
        hidden_size = extra.get("proj_size") or 3
        finite_differences(function, RNG.standard_normal((3, 2, 2)),
                           RNG.standard_normal((4, 2, hidden_size)))


@pytest.mark.parametrize("name", ["RNN", "GRU", "LSTM"])
@pytest.mark.parametrize("batch_first", [False, True])
def test_empty_sequence_error(name, batch_first):
    shape = (2, 0, INPUT) if batch_first else (0, 2, INPUT)
    check_error(lambda lib, x: getattr(lib.nn, name)(INPUT, HIDDEN, batch_first=batch_first)(x),
                _array(*shape))


_WARNINGS_SCRIPT = """
import warnings, {lib}
warnings.simplefilter("always")
layer = {lib}.nn.LSTM(3, 5, proj_size=2)
for dtype in ({lib}.float64, {lib}.float32, {lib}.float32):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        layer.to(dtype)({lib}.zeros(2, 1, 3, dtype=dtype))
    print([str(w.message) for w in caught])
"""


def test_lstm_projection_warning_once_per_process_for_float32():
    # ATen's TORCH_WARN_ONCE: a fresh process each, since the first float32 call consumes it
    outputs = [subprocess.run([sys.executable, "-c", _WARNINGS_SCRIPT.format(lib=lib)],
                              capture_output=True, text=True, check=True).stdout
               for lib in ("ember", "torch")]
    assert outputs[0] == outputs[1]


@pytest.mark.parametrize("options", [{}, {"num_layers": 2, "bidirectional": True},
                                     {"bias": False, "batch_first": True}])
def test_float32_lstm_double_backward(options):
    # the fused oneDNN-style layer is differentiated again by recomputing it step by step
    def second_order(lib, module, x):
        output, (h_n, c_n) = module(x)
        loss = output.pow(2).sum() + h_n.sum() * c_n.sum()
        first = lib.autograd.grad(loss, [x, module.weight_hh_l0], create_graph=True)
        penalty = first[0].pow(2).sum() + first[1].pow(2).sum()
        return lib.autograd.grad(penalty, [x] + list(module.parameters()), allow_unused=True)

    layer = _layer("LSTM", **options)
    mine, theirs = build_pair(layer)
    x = _array(BATCH, STEPS, INPUT) if options.get("batch_first") else _array(STEPS, BATCH,
                                                                               INPUT)
    ours = second_order(ember, mine, ember.tensor(x, requires_grad=True))
    reference = second_order(torch, theirs, torch.tensor(x, requires_grad=True))
    for a, b in zip(ours, reference):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=2e-4,
                                   atol=2e-5)


def _graph_names(function, depth):
    if function is None or depth == 0:
        return type(function).__name__
    return (type(function).__name__,
            [(_graph_names(child, depth - 1), number) for child, number in
             function.next_functions])


@pytest.mark.parametrize("with_state", [False, True])
def test_float32_lstm_layer_is_one_node_per_layer_and_direction(with_state):
    mine, theirs = build_pair(_layer("LSTM", num_layers=2))
    arrays = [_array(STEPS, BATCH, INPUT), _array(2, BATCH, HIDDEN), _array(2, BATCH, HIDDEN)]
    graphs = []
    for module, lib in ((mine, ember), (theirs, torch)):
        x, h, c = [lib.tensor(a, requires_grad=True) for a in arrays]
        output, (h_n, c_n) = module(x, (h, c)) if with_state else module(x)
        graphs.append([_graph_names(t.grad_fn, 3) for t in (output, h_n, c_n)])
    assert graphs[0] == graphs[1]
    assert graphs[0][0][0] == "MkldnnRnnLayerBackward0"


@pytest.mark.parametrize("reverse", [False, True])
def test_onednn_lstm_layer_rule_finite_differences(reverse):
    # the oneDNN-style layer's backward is hand-written NumPy backpropagation through time;
    # checked here in float64, where the module itself takes the step-by-step path
    from ember.nn._functional.lstm_layer import _lstm_layer
    rng = np.random.default_rng(3)
    steps, batch, features, hidden = 3, 2, 2, 3
    shapes = [(steps, batch, features), (4 * hidden, features), (4 * hidden, hidden),
              (4 * hidden,), (4 * hidden,), (batch, hidden), (batch, hidden)]

    def layer(x, w_ih, w_hh, b_ih, b_hh, h0, c0):
        output, (h_n, c_n) = _lstm_layer(x, (h0, c0), (w_ih, w_hh, b_ih, b_hh), reverse)
        return ember.cat([output.reshape(-1), h_n.reshape(-1), c_n.reshape(-1)])
    finite_differences(layer, *[rng.standard_normal(shape) * 0.5 for shape in shapes])
