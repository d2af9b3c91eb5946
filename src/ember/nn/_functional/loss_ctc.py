"""nn.functional: the connectionist temporal classification loss, as ATen computes it.

_ctc_loss is one primitive (CtcLossBackward0): the forward variables alpha of Graves et al.
(2006) in log space give the negative log-likelihood of each target; the backward runs the beta
recursion and returns ATen's closed form exp(lp) - exp(log(alpha * beta) + nll - lp) (the
gradient through a log_softmax producing log_probs, as ATen's kernel assumes). Both recursions
loop over time only: every step updates all batch items and extended-label states at once.
The gradient carries a NotImplemented node, as PyTorch has no derivative for the backward
kernel. ctc_loss composes the primitive with where (zero_infinity) and the reduction."""
import numpy as np

from ember._errors import dtype_name, parser_type_name, parser_value_description
from ember._tensor import Tensor
from ember.nn._functional.loss import _REDUCTIONS, _check_reduction
from ember.ops._registry import node_class, record
from ember.ops.creation import tensor, zeros
from ember.ops.ternary import where

__all__ = ["ctc_loss"]

_CHECKED_FROM = " (while checking arguments for ctc_loss_allocate_outputs)"


# ---- arguments ---------------------------------------------------------------------------------

_SIGNATURES = (
    ("Tensor log_probs", "Tensor targets", "tuple of ints input_lengths",
     "tuple of ints target_lengths", "int blank = 0", "int reduction = at::Reduction::Mean",
     "bool zero_infinity = False"),
    ("Tensor log_probs", "Tensor targets", "Tensor input_lengths", "Tensor target_lengths",
     "int blank = 0", "int reduction = at::Reduction::Mean", "bool zero_infinity = False"),
)


def _is_int(value):
    if isinstance(value, Tensor):
        # a one-element integral tensor passes as an int, as in PyTorch
        return value._data.size == 1 and value._data.dtype.kind in "iu"
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _is_int_sequence(value):
    return isinstance(value, (list, tuple)) and all(_is_int(item) for item in value)


def _check_argument_types(arguments):
    """The TypeError of torch.ctc_loss's argument parser when no overload takes the
    arguments: lengths both tensors or both int sequences, blank an int, zero_infinity a
    bool. Tensor parameters are marked only where they mismatch; the parser marks the others
    whatever they hold."""
    log_probs, targets, input_lengths, target_lengths, blank, _, zero_infinity = arguments
    tensors = isinstance(log_probs, Tensor) and isinstance(targets, Tensor)
    scalars = _is_int(blank) and not isinstance(blank, Tensor) and type(zero_infinity) is bool
    sequences = _is_int_sequence(input_lengths) and _is_int_sequence(target_lengths)
    both_tensors = isinstance(input_lengths, Tensor) and isinstance(target_lengths, Tensor)
    if tensors and scalars and (sequences or both_tensors):
        return
    lines = [f"ctc_loss() received an invalid combination of arguments - got "
             f"({', '.join(parser_type_name(value) for value in arguments)}), but expected one of:"]
    for signature in _SIGNATURES:
        marked = []
        for parameter, value in zip(signature, arguments):
            if parameter.startswith("Tensor ") and isinstance(value, Tensor):
                marked.append("Tensor")
            else:
                marked.append(f"!{parser_value_description(value)}!")
        lines.append(f" * ({', '.join(signature)})")
        lines.append(f"      didn't match because some of the arguments have invalid types: "
                     f"({', '.join(marked)})")
    raise TypeError("\n".join(lines) + "\n")


def _lengths(lengths, name):
    """A lengths argument (tensor, tuple or list of ints) as an int64 vector."""
    if isinstance(lengths, Tensor):
        if lengths._data.dtype.kind not in "iu":
            raise RuntimeError(f"{name} must be integral")
        return lengths._data.astype(np.int64).reshape(-1)
    return np.array([int(length) for length in lengths], dtype=np.int64)


def _check_log_probs(log_probs):
    data = log_probs._data
    if data.dtype not in (np.float32, np.float64):
        raise NotImplementedError(
            f"\"ctc_loss_cpu\" not implemented for '{dtype_name(log_probs.dtype)}'")
    if data.size == 0:
        raise RuntimeError("log_probs tensor must not be empty")
    if data.ndim != 3:
        raise RuntimeError(f"Expected 3-dimensional tensor, but got {data.ndim}-dimensional "
                           f"tensor for argument #1 'log_probs'{_CHECKED_FROM}")


def _check_arguments(log_probs, targets, input_lengths, target_lengths, blank):
    """ATen's ctc_loss_allocate_outputs checks, in its order, on the arrays."""
    if not 1 <= targets.ndim <= 2:
        raise RuntimeError(f"Expected 1 to 2 dimensions, but got {targets.ndim}-dimensional "
                           f"tensor for argument #2 'targets'{_CHECKED_FROM}")
    max_input_length, batch_size, classes = log_probs.shape
    if not 0 <= blank < classes:
        raise RuntimeError("blank must be in label range")
    if input_lengths.shape[0] != batch_size:
        raise RuntimeError("input_lengths must be of size batch_size")
    if target_lengths.shape[0] != batch_size:
        raise RuntimeError("target_lengths must be of size batch_size")
    for length in target_lengths:
        if length < 0:
            raise RuntimeError(f"Expected target_lengths to have value at least 0, but got "
                               f"value {length}{_CHECKED_FROM}")
    if targets.ndim == 1:
        _check_target_size(targets, 0, int(target_lengths.sum()))
    else:
        _check_target_size(targets, 0, batch_size)
        longest = int(target_lengths.max())
        if targets.shape[1] < longest:
            raise RuntimeError(f"Expected tensor to have size at least {longest} at dimension "
                               f"1, but got size {targets.shape[1]} for argument #2 'targets'"
                               f"{_CHECKED_FROM}")
    for length in input_lengths:
        if length < 0:
            raise RuntimeError(f"Expected input_lengths to have value at least 0, but got "
                               f"value {length}{_CHECKED_FROM}")
        if length > max_input_length:
            raise RuntimeError(f"Expected input_lengths to have value at most "
                               f"{max_input_length}, but got value {length}{_CHECKED_FROM}")


def _check_target_size(targets, dim, size):
    if targets.shape[dim] != size:
        raise RuntimeError(f"Expected tensor to have size {size} at dimension {dim}, but got "
                           f"size {targets.shape[dim]} for argument #2 'targets'{_CHECKED_FROM}")


def _padded_targets(targets, target_lengths, blank):
    """(N, S) labels from either target format, blank past each target's length."""
    longest = int(target_lengths.max())
    positions = np.arange(longest)
    inside = positions[None, :] < target_lengths[:, None]
    if targets.ndim == 2:
        padded = targets[:, :longest]
    elif targets.size == 0:
        padded = np.zeros(inside.shape, dtype=np.int64)
    else:
        starts = np.cumsum(target_lengths) - target_lengths
        flat_index = np.minimum(starts[:, None] + positions[None, :], targets.shape[0] - 1)
        padded = targets[flat_index]
    return np.where(inside, padded, blank)


# ---- the forward-backward recursions -----------------------------------------------------------

class _Lattice:
    """The extended labels l' (blanks around and between the labels) of every batch item, the
    log-probabilities along them, and which states and transitions exist."""

    def __init__(self, log_probs, labels, target_lengths, blank):
        batch_size, longest = labels.shape
        width = 2 * longest + 1
        self.extended = np.full((batch_size, width), blank, dtype=np.int64)
        self.extended[:, 1::2] = labels
        # (T, N, width): the log-probability of each state's label at each time step
        self.emissions = log_probs[:, np.arange(batch_size)[:, None], self.extended]
        states = np.arange(width)
        self.last_state = 2 * target_lengths
        self.valid = states[None, :] <= self.last_state[:, None]
        # a label may be reached from two states back unless it repeats the label there
        # (blanks two apart are always equal, so blanks never skip)
        self.skip = np.zeros((batch_size, width), dtype=bool)
        self.skip[:, 2:] = self.extended[:, 2:] != self.extended[:, :-2]
        self.skip &= self.valid


def _log_add3(first, second, third):
    """log(e^first + e^second + e^third) with ATen's max shift (0 when all are -inf)."""
    shift = np.maximum(np.maximum(first, second), third)
    shift = np.where(shift == -np.inf, 0, shift).astype(first.dtype, copy=False)
    total = np.exp(first - shift) + np.exp(second - shift) + np.exp(third - shift)
    return np.log(total) + shift


def _shifted(values, steps, fill):
    """values moved `steps` states along the last axis (right for positive), fill entering."""
    result = np.full_like(values, fill)
    if steps > 0:
        result[:, steps:] = values[:, :-steps]
    else:
        result[:, :steps] = values[:, -steps:]
    return result


def _log_alpha(lattice, dtype):
    emissions = lattice.emissions
    neg_inf = dtype.type(-np.inf)
    log_alpha = np.full(emissions.shape, neg_inf, dtype=dtype)
    log_alpha[0, :, 0] = emissions[0, :, 0]
    if emissions.shape[2] > 1:
        log_alpha[0, :, 1] = np.where(lattice.last_state > 0, emissions[0, :, 1], neg_inf)
    for t in range(1, emissions.shape[0]):
        previous = log_alpha[t - 1]
        from_skip = np.where(lattice.skip, _shifted(previous, 2, neg_inf), neg_inf)
        step = _log_add3(previous, _shifted(previous, 1, neg_inf), from_skip) + emissions[t]
        log_alpha[t] = np.where(lattice.valid, step, neg_inf)
    return log_alpha


def _negative_log_likelihood(log_alpha, lattice, input_lengths):
    batch = np.arange(log_alpha.shape[1])
    last_time = np.maximum(input_lengths - 1, 0)
    final = log_alpha[last_time, batch]
    ends_on_blank = final[batch, lattice.last_state]
    ends_on_label = np.where(lattice.last_state > 0,
                             final[batch, np.maximum(lattice.last_state - 1, 0)], -np.inf)
    shift = np.maximum(ends_on_blank, ends_on_label)
    shift = np.where(shift == -np.inf, 0, shift).astype(log_alpha.dtype, copy=False)
    both = np.log(np.exp(ends_on_blank - shift) + np.exp(ends_on_label - shift)) + shift
    log_likelihood = np.where(lattice.last_state > 0, both, ends_on_blank)
    # no input step: only the empty target has a (certain) alignment
    empty_input = np.where(lattice.last_state == 0, 0, -np.inf)
    log_likelihood = np.where(input_lengths == 0, empty_input, log_likelihood)
    return (-log_likelihood).astype(log_alpha.dtype, copy=False)


def _log_beta(lattice, input_lengths, dtype):
    emissions = lattice.emissions
    neg_inf = dtype.type(-np.inf)
    states = np.arange(emissions.shape[2])
    last = lattice.last_state[:, None]
    # beta starts at each item's own last step on the final blank and the final label
    starts = (states[None, :] == last) | ((states[None, :] == last - 1) & (last > 0))
    skip_back = _shifted(lattice.skip, -2, False)
    log_beta = np.full(emissions.shape, neg_inf, dtype=dtype)
    following = log_beta[-1]
    for t in range(emissions.shape[0] - 1, -1, -1):
        from_skip = np.where(skip_back, _shifted(following, -2, neg_inf), neg_inf)
        step = _log_add3(following, _shifted(following, -1, neg_inf), from_skip) + emissions[t]
        step = np.where(lattice.valid, step, neg_inf)
        first_step = np.where(starts, emissions[t], neg_inf)
        end = (input_lengths - 1)[:, None]
        log_beta[t] = np.where(t == end, first_step, np.where(t < end, step, neg_inf))
        following = log_beta[t]
    return log_beta


def _log_occupancy(log_alpha, log_beta, lattice, classes):
    """log sum over the states s labelled c of alpha_t(s) beta_t(s), as a (T, N, C) array:
    a log-sum-exp scattered by label, shifted by each label's own maximum."""
    steps, batch_size, width = log_alpha.shape
    log_products = log_alpha + log_beta
    time_index = np.arange(steps)[:, None, None]
    batch_index = np.arange(batch_size)[None, :, None]
    label_index = lattice.extended[None, :, :]
    where_to = (time_index, batch_index, label_index)
    label_max = np.full((steps, batch_size, classes), -np.inf, dtype=log_alpha.dtype)
    np.maximum.at(label_max, where_to, log_products)
    shift = np.where(label_max == -np.inf, 0, label_max).astype(log_alpha.dtype, copy=False)
    sums = np.zeros(label_max.shape, dtype=log_alpha.dtype)
    np.add.at(sums, where_to, np.exp(log_products - shift[where_to]))
    return np.log(sums) + shift


# ---- the primitive -----------------------------------------------------------------------------

def _derivative_not_implemented(grad, *saved):
    raise RuntimeError("derivative for aten::_ctc_loss_backward is not implemented")


# PyTorch records its ctc gradient under a node literally named NotImplemented
CtcLossBackwardNotImplemented = node_class("NotImplemented", _derivative_not_implemented,
                                           _derivative_not_implemented)


def _ctc_loss_backward(grad, log_probs, lattice, input_lengths, negative_log_likelihood,
                       log_alpha, zero_infinity):
    data = log_probs._data
    dtype = data.dtype
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        log_beta = _log_beta(lattice, input_lengths, dtype)
        occupancy = _log_occupancy(log_alpha, log_beta, lattice, data.shape[2])
        nll = negative_log_likelihood[None, :, None]
        scale = grad._data.astype(dtype, copy=False)[None, :, None]
        result = (np.exp(data) - np.exp(occupancy + nll - data)) * scale
    in_input = np.arange(data.shape[0])[:, None] < input_lengths[None, :]
    keep = in_input[:, :, None]
    if zero_infinity:
        keep = keep & (negative_log_likelihood != np.inf)[None, :, None]
    result = np.where(keep, result, 0).astype(dtype, copy=False)
    return record(result, CtcLossBackwardNotImplemented, (grad, log_probs), ())


CtcLossBackward0 = node_class("CtcLossBackward0", _ctc_loss_backward)


def _ctc_loss_primitive(log_probs, labels, input_lengths, target_lengths, blank, zero_infinity):
    data = log_probs._data
    lattice = _Lattice(data, labels, target_lengths, blank)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        log_alpha = _log_alpha(lattice, data.dtype)
        nll = _negative_log_likelihood(log_alpha, lattice, input_lengths)
    return record(nll, CtcLossBackward0, (log_probs,),
                  (log_probs, lattice, input_lengths, nll, log_alpha, zero_infinity))


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean",
             zero_infinity=False):
    """The negative log-likelihood of each target over all its alignments to the inputs."""
    _check_reduction(reduction)
    reduction_number = _REDUCTIONS.index(reduction)
    _check_argument_types((log_probs, targets, input_lengths, target_lengths, blank,
                           reduction_number, zero_infinity))
    input_lengths = _lengths(input_lengths, "input_lengths")
    target_lengths = _lengths(target_lengths, "target_lengths")
    batched = log_probs.dim() == 3
    if not batched:
        log_probs = log_probs.unsqueeze(1)
    _check_log_probs(log_probs)
    target_data = targets._data.astype(np.int64)
    _check_arguments(log_probs._data, target_data, input_lengths, target_lengths, blank)
    labels = _padded_targets(target_data, target_lengths, blank)
    losses = _ctc_loss_primitive(log_probs, labels, input_lengths, target_lengths, blank,
                                 zero_infinity)
    if zero_infinity:
        losses = where(losses == float("inf"), zeros((), dtype=losses.dtype), losses)
    if reduction == "mean":
        divisors = tensor(target_lengths.tolist(), dtype=losses.dtype).clamp_min(1)
        return (losses / divisors).mean()
    if reduction == "sum":
        return losses.sum()
    return losses if batched else losses.squeeze(0)
