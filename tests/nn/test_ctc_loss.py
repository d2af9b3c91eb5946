"""ctc_loss and CTCLoss against torch: padded and concatenated targets, unbatched input,
lengths as lists, tuples and tensors, every blank position, empty targets and inputs,
impossible alignments (inf, nan gradients, zero_infinity), all reductions in float32 and
float64 (values, grad_fn chains, gradients), finite differences through log_softmax, the
double-backward error, the module and torch's argument errors."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import ember
from module_oracle import compare_modules, same_repr
from oracle import Input, check, check_error, finite_differences, grad_input

REDUCTIONS = ["none", "mean", "sum"]


def _f(lib):
    return lib.nn.functional


def _log_softmax(logits):
    shifted = logits - logits.max(-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(-1, keepdims=True))


def _problem(seed, steps, batch_size, classes, longest, blank):
    """Log-probabilities (T, N, C), padded labels avoiding blank, and random lengths."""
    rng = np.random.default_rng(seed)
    log_probs = _log_softmax(rng.standard_normal((steps, batch_size, classes)))
    labels = rng.integers(0, classes - 1, (batch_size, longest))
    labels = labels + (labels >= blank)
    target_lengths = rng.integers(0, longest + 1, batch_size)
    input_lengths = rng.integers(0, steps + 1, batch_size)
    input_lengths[0] = steps
    return log_probs, labels, input_lengths, target_lengths


def _concatenated(labels, target_lengths):
    return np.concatenate([row[:length] for row, length in zip(labels, target_lengths)])


def _ctc(reduction, blank=0, zero_infinity=False, lengths=list):
    """ctc_loss(lib, log_probs, targets, input_lengths, target_lengths) with lengths given
    as arrays (tensors in check) or converted by `lengths`."""
    def run(lib, log_probs, targets, input_lengths, target_lengths):
        if lengths is not None:
            input_lengths = lengths(input_lengths.tolist())
            target_lengths = lengths(target_lengths.tolist())
        return _f(lib).ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=blank,
                                reduction=reduction, zero_infinity=zero_infinity)
    return run


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("blank_position", ["first", "middle", "last"])
@pytest.mark.parametrize("concatenated", [False, True])
def test_ctc_loss(reduction, dtype, blank_position, concatenated):
    classes = 5
    blank = {"first": 0, "middle": 2, "last": classes - 1}[blank_position]
    log_probs, labels, input_lengths, target_lengths = _problem(
        3, 8, 4, classes, 3, blank)
    targets = _concatenated(labels, target_lengths) if concatenated else labels
    check(_ctc(reduction, blank), grad_input(log_probs.astype(dtype)), targets,
          input_lengths, target_lengths)


@pytest.mark.parametrize("lengths", [list, tuple, None])
@pytest.mark.parametrize("length_dtype", [np.int64, np.int32])
def test_lengths_as_sequences_and_tensors(lengths, length_dtype):
    log_probs, labels, input_lengths, target_lengths = _problem(4, 6, 3, 4, 2, 0)
    check(_ctc("mean", lengths=lengths), grad_input(log_probs), labels.astype(length_dtype),
          input_lengths.astype(length_dtype), target_lengths.astype(length_dtype))


@given(st.integers(0, 10_000), st.integers(1, 9), st.integers(1, 4), st.integers(2, 6),
       st.integers(0, 4), st.sampled_from(REDUCTIONS), st.booleans())
@settings(max_examples=40, deadline=None)
def test_random_problems(seed, steps, batch_size, classes, longest, reduction, zero_infinity):
    # short inputs and repeated labels make many alignments impossible (inf losses)
    blank = seed % classes
    log_probs, labels, input_lengths, target_lengths = _problem(
        seed, steps, batch_size, classes, longest, blank)
    check(_ctc(reduction, blank, zero_infinity), grad_input(log_probs), labels, input_lengths,
          target_lengths)


@pytest.mark.parametrize("zero_infinity", [False, True])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_impossible_and_empty(zero_infinity, reduction):
    # [1, 1, 1] needs five steps (a blank between repeats): four give inf (nan gradients
    # unless zero_infinity); an empty input is certain for an empty target, impossible else
    log_probs = _log_softmax(np.random.default_rng(5).standard_normal((5, 4, 4)))
    labels = np.array([[1, 1, 1], [1, 1, 1], [2, 3, 0], [3, 0, 0]])
    check(_ctc(reduction, zero_infinity=zero_infinity), grad_input(log_probs), labels,
          np.array([4, 5, 0, 0]), np.array([3, 3, 0, 1]))


def _graph_names(tensor):
    """The grad_fn names of the graph below tensor, breadth first."""
    names = []
    pending = [tensor.grad_fn]
    while pending:
        node = pending.pop(0)
        names.append(type(node).__name__)
        pending.extend(next_node for next_node, _ in node.next_functions if next_node is not None)
    return names


@pytest.mark.parametrize("zero_infinity", [False, True])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("batched", [False, True])
def test_graph(zero_infinity, reduction, batched):
    # torch's chain: CtcLossBackward0, WhereBackward0 (zero_infinity), then the reduction's
    # DivBackward0 and MeanBackward0 or SumBackward0, or SqueezeBackward1 when unbatched
    log_probs, labels, _, _ = _problem(13, 6, 3, 4, 2, 0)
    input_lengths = np.array([6, 5, 4])
    target_lengths = np.array([2, 1, 2])

    def run(lib, x, targets):
        if batched:
            loss = _ctc(reduction, zero_infinity=zero_infinity)(
                lib, x, targets, input_lengths, target_lengths)
        else:
            loss = _ctc(reduction, zero_infinity=zero_infinity)(
                lib, x[:, 0], targets[0], input_lengths[:1], target_lengths[:1])
        return _graph_names(loss)
    check(run, grad_input(log_probs), labels, grad=False)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("lengths", [list, None])
def test_unbatched(reduction, lengths):
    log_probs, labels, _, _ = _problem(6, 7, 1, 5, 3, 0)
    check(_ctc(reduction, lengths=lengths), grad_input(log_probs[:, 0]), labels[0],
          np.array([6]), np.array([3]))
    check(_ctc(reduction, lengths=lengths), grad_input(log_probs[:, 0]), labels,
          np.array([7]), np.array([2]))


@pytest.mark.parametrize("concatenated", [False, True])
def test_finite_differences(concatenated):
    # ATen's gradient is the one through the log_softmax making log_probs, so the check
    # differentiates the loss of the logits
    _, labels, _, _ = _problem(7, 5, 3, 4, 2, 0)
    # every alignment possible: an infinite loss has no finite differences
    input_lengths = np.array([5, 4, 3])
    target_lengths = np.array([2, 0, 1])
    logits = np.random.default_rng(8).standard_normal((5, 3, 4))
    targets = _concatenated(labels, target_lengths) if concatenated else labels

    def loss(x):
        log_probs = _f(ember).log_softmax(x, 2)
        return _f(ember).ctc_loss(log_probs, ember.tensor(targets), input_lengths.tolist(),
                                  target_lengths.tolist(), reduction="none")
    finite_differences(loss, logits)


def test_double_backward_is_not_implemented():
    log_probs, labels, input_lengths, target_lengths = _problem(9, 5, 2, 4, 2, 0)

    def gradient_name(lib, x, targets):
        loss = _f(lib).ctc_loss(x, targets, input_lengths.tolist(), target_lengths.tolist())
        gradient, = lib.autograd.grad(loss, x, create_graph=True)
        return type(gradient.grad_fn).__name__

    def double_backward(lib, x, targets):
        loss = _f(lib).ctc_loss(x, targets, input_lengths.tolist(), target_lengths.tolist())
        gradient, = lib.autograd.grad(loss, x, create_graph=True)
        gradient.sum().backward()

    check(gradient_name, grad_input(log_probs), labels)
    check_error(double_backward, grad_input(log_probs), labels)


def test_module():
    log_probs, labels, input_lengths, target_lengths = _problem(10, 6, 3, 5, 3, 4)
    compare_modules(lambda lib: lib.nn.CTCLoss(blank=4, reduction="sum", zero_infinity=True),
                    lambda lib, module, x, y, lengths, target: module(x, y, lengths, target),
                    grad_input(log_probs.astype(np.float32)), labels, input_lengths,
                    target_lengths, grad_fn=True)
    same_repr(lambda lib: lib.nn.CTCLoss(blank=3, zero_infinity=True))


def test_errors():
    log_probs, labels, _, _ = _problem(11, 5, 2, 4, 3, 0)
    x = Input(log_probs.astype(np.float32))
    y = Input(labels)

    def ctc(make_inputs=None, input_lengths=(5, 4), target_lengths=(3, 2), **options):
        def run(lib, log_probs, targets):
            if make_inputs is not None:
                log_probs, targets = make_inputs(lib, log_probs, targets)
            return _f(lib).ctc_loss(log_probs, targets, list(input_lengths),
                                    list(target_lengths), **options)
        return run

    check_error(ctc(lambda lib, t, g: (t[None], g)), x, y)
    check_error(ctc(lambda lib, t, g: (t[0, 0], g)), x, y)
    check_error(ctc(lambda lib, t, g: (t, g[None])), x, y)
    check_error(ctc(lambda lib, t, g: (t, g[0, 0])), x, y)
    check_error(ctc(lambda lib, t, g: (t, g[:1])), x, y)
    check_error(ctc(lambda lib, t, g: (t, g.reshape(-1))), x, y)
    check_error(ctc(lambda lib, t, g: (t.long(), g)), x, y)
    check_error(ctc(lambda lib, t, g: (t.half(), g)), x, y)
    check_error(ctc(lambda lib, t, g: (t[:0].long(), g)), x, y)
    check_error(ctc(lambda lib, t, g: (t[:0], g)), x, y)
    check_error(ctc(lambda lib, t, g: (t[:, :, :0], g)), x, y)
    check_error(ctc(blank=4), x, y)
    check_error(ctc(blank=-1), x, y)
    check_error(ctc(reduction="avg"), x, y)
    check_error(ctc(input_lengths=(5,)), x, y)
    check_error(ctc(target_lengths=(3, 2, 1)), x, y)
    check_error(ctc(input_lengths=(6, 4)), x, y)
    check_error(ctc(input_lengths=(5, -1)), x, y)
    check_error(ctc(target_lengths=(3, -2)), x, y)
    check_error(ctc(target_lengths=(4, 2)), x, y)
    check_error(ctc(input_lengths=(9, 5), target_lengths=(3, 9)), x, y)
    check_error(lambda lib, t, g: _f(lib).ctc_loss(t, g, lib.tensor([5.0, 4.0]),
                                                   lib.tensor([3, 2])), x, y)
    check_error(lambda lib, t, g: _f(lib).ctc_loss(t, g, lib.tensor([5, 4]),
                                                   lib.tensor([True, False])), x, y)



def _lengths_argument(lib, value, values):
    """A lengths argument of the kind `value` names (or `value` itself) holding `values`."""
    if value == "tensor":
        return lib.tensor(values)
    if value == "one-element tensors":
        return [lib.tensor(item) for item in values]
    if value == "two-element tensor":
        return [lib.tensor(values), values[1]]
    return value


def _ctc_with_arguments(input_lengths, target_lengths, options):
    def run(lib, log_probs, targets):
        return _f(lib).ctc_loss(log_probs, targets,
                                _lengths_argument(lib, input_lengths, [5, 4]),
                                _lengths_argument(lib, target_lengths, [3, 2]), **options)
    return run


@pytest.mark.parametrize("input_lengths,target_lengths", [
    ([5, 4], (3, 2)), ((np.int64(5), 4), [3, 2]), ("tensor", "tensor"),
    ("one-element tensors", [3, 2])])
def test_accepted_argument_types(input_lengths, target_lengths):
    # both lengths tensors, or both int sequences (items may be one-element integral tensors)
    log_probs, labels, _, _ = _problem(12, 5, 2, 4, 3, 0)
    check(_ctc_with_arguments(input_lengths, target_lengths, {}), grad_input(log_probs),
          labels)


@pytest.mark.parametrize("input_lengths,target_lengths,options", [
    (5, 3, {}), ([5, 4], "tensor", {}), ("tensor", (3, 2), {}), ([5.0, 4], [3, 2], {}),
    ([True, 4], [3, 2], {}), ([], "tensor", {}), (None, [3, 2], {}),
    ("two-element tensor", [3, 2], {}), ([5, 4], [3, 2], {"blank": 1.0}),
    ([5, 4], [3, 2], {"blank": True}), ([5, 4], [3, 2], {"zero_infinity": 1})])
def test_rejected_argument_types(input_lengths, target_lengths, options):
    # the TypeError of torch's argument parser, listing both overloads
    log_probs, labels, _, _ = _problem(12, 5, 2, 4, 3, 0)
    check_error(_ctc_with_arguments(input_lengths, target_lengths, options),
                grad_input(log_probs), labels)
