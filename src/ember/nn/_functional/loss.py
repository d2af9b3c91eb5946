"""nn.functional: losses. The ones PyTorch computes in one kernel (mse, smooth_l1, huber,
nll_loss, binary_cross_entropy and its logits form) are primitives with their own grad_fn; the
others are compositions of ember ops, written as PyTorch's ATen composes them."""
import warnings

import numpy as np

from ember import _dtype
from ember._errors import dtype_name
from ember.nn._functional.softmax import log_softmax, pairwise_distance
from ember.ops._elementwise import not_implemented
from ember.ops._registry import node_class, record
from ember.ops.ternary import where

__all__ = ["l1_loss", "mse_loss", "smooth_l1_loss", "huber_loss", "nll_loss", "cross_entropy",
           "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div",
           "cosine_embedding_loss", "margin_ranking_loss", "triplet_margin_loss"]

_REDUCTIONS = ("none", "mean", "sum")


# ---- reductions --------------------------------------------------------------------------------

def _legacy_reduction(size_average, reduce, emit_warning=True):
    """The reduction the deprecated size_average/reduce pair stands for, with PyTorch's
    warning."""
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if size_average and reduce:
        reduction = "mean"
    elif reduce:
        reduction = "sum"
    else:
        reduction = "none"
    if emit_warning:
        warnings.warn(f"size_average and reduce args will be deprecated, please use "
                      f"{reduction} instead.", stacklevel=3)
    return reduction


def _reduction(size_average, reduce, reduction):
    if size_average is not None or reduce is not None:
        return _legacy_reduction(size_average, reduce)
    _check_reduction(reduction)
    return reduction


def _check_reduction(reduction):
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")


def _apply_reduction(loss, reduction):
    """PyTorch's apply_loss_reduction on an ember tensor."""
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _reduce_array(values, reduction):
    if reduction == "none":
        return values
    if reduction == "sum":
        return np.asarray(values.sum(), dtype=values.dtype)
    return np.asarray(values.mean(), dtype=values.dtype)


def _reduced_grad(grad, reduction, numel):
    """The incoming gradient of a reduced loss spread over its elements (as a factor)."""
    if reduction == "mean":
        return grad / numel
    return grad


def _warn_size_mismatch(input, target):
    if target.shape != input.shape:
        warnings.warn(f"Using a target size ({target.size()}) that is different to the input "
                      f"size ({input.size()}). This will likely lead to incorrect results due "
                      "to broadcasting. Please ensure they have the same size.", stacklevel=3)


def _broadcast_pair(input, target):
    if input._data.shape == target._data.shape:
        return input, target
    from ember.ops.joining import broadcast_tensors
    return broadcast_tensors(input, target)


def _check_weight_shape(weight, input):
    if weight.shape != input.shape:
        raise ValueError("Weights and input must have the same size.")


def _weighted_reduction(weighted, weight, reduction):
    if reduction == "none":
        return weighted
    if reduction == "sum":
        return weighted.sum()
    return weighted.sum() / weight.sum()


DivBackward1 = node_class("DivBackward1", lambda grad, divisor: grad / divisor)


def _divide_by_number(tensor, divisor):
    """tensor / divisor for a Python number, recorded as PyTorch's div(Tensor, Scalar)."""
    data = tensor._data
    array = np.asarray(data / data.dtype.type(divisor))
    return record(array, DivBackward1, (tensor,), (divisor,))


# ---- l1, mse, smooth_l1, huber -----------------------------------------------------------------

def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean (or sum, or each) absolute error."""
    _warn_size_mismatch(input, target)
    reduction = _reduction(size_average, reduce, reduction)
    input, target = _broadcast_pair(input, target)
    if weight is not None:
        _check_weight_shape(weight, input)
        return _weighted_reduction((input - target).abs() * weight, weight, reduction)
    return _apply_reduction((input - target).abs(), reduction)


def _kernel_operands(kernel, input, target):
    """The two operands' arrays in their promoted dtype (float32 input with int64 target
    stays float32, where NumPy would give float64); the kernels are floating-point only."""
    promoted = _dtype.promote_operands((input, target))
    if promoted._category != _dtype._FLOATING:
        raise not_implemented(kernel, promoted)
    numpy_dtype = _dtype.numpy_dtype(promoted)
    return input._data.astype(numpy_dtype, copy=False), target._data.astype(numpy_dtype, copy=False)


def _pointwise_loss(node, values, input, target, reduction, parameter):
    array = _reduce_array(values, reduction)
    return record(array, node, (input, target), (input, target, reduction, parameter))


def _mse_input_grad(grad, input, target, reduction, parameter):
    return _reduced_grad(grad, reduction, input._data.size) * 2 * (input - target)


MseLossBackward0 = node_class(
    "MseLossBackward0", _mse_input_grad,
    lambda grad, input, target, reduction, parameter:
        -_mse_input_grad(grad, input, target, reduction, parameter))


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean (or sum, or each) squared error."""
    _warn_size_mismatch(input, target)
    reduction = _reduction(size_average, reduce, reduction)
    input, target = _broadcast_pair(input, target)
    if weight is not None:
        _check_weight_shape(weight, input)
        return _weighted_reduction((input - target).pow(2) * weight, weight, reduction)
    input_array, target_array = _kernel_operands("mse_cpu", input, target)
    difference = input_array - target_array
    return _pointwise_loss(MseLossBackward0, difference * difference, input, target, reduction,
                           None)


def _smooth_l1_input_grad(grad, input, target, reduction, beta):
    difference = input - target
    scale = _reduced_grad(grad, reduction, input._data.size)
    inside = difference.abs() < beta
    return scale * where(inside, difference / beta, difference.sgn())


SmoothL1LossBackward0 = node_class(
    "SmoothL1LossBackward0", _smooth_l1_input_grad,
    lambda *saved: -_smooth_l1_input_grad(*saved))


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """Squared error below beta, absolute error above (continuous at beta)."""
    _warn_size_mismatch(input, target)
    reduction = _reduction(size_average, reduce, reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    input, target = _broadcast_pair(input, target)
    input_array, target_array = _kernel_operands("smooth_l1_cpu", input, target)
    if beta == 0:
        # PyTorch takes the l1_loss kernel for beta 0
        return _apply_reduction((input - target).abs(), reduction)
    distance = np.abs(input_array - target_array)
    values = np.where(distance < beta, 0.5 * distance * distance / beta,
                      distance - 0.5 * beta).astype(distance.dtype, copy=False)
    return _pointwise_loss(SmoothL1LossBackward0, values, input, target, reduction, beta)


def _huber_input_grad(grad, input, target, reduction, delta):
    difference = input - target
    scale = _reduced_grad(grad, reduction, input._data.size)
    return scale * difference.clamp(-delta, delta)


HuberLossBackward0 = node_class("HuberLossBackward0", _huber_input_grad,
                                lambda *saved: -_huber_input_grad(*saved))


def _huber(input, target, reduction, delta):
    input_array, target_array = _kernel_operands("huber_cpu", input, target)
    if input._data.dtype.kind != "f":
        raise RuntimeError(f"result type {dtype_name(_dtype.promote_operands((input, target)))} "
                           f"can't be cast to the desired output type {dtype_name(input.dtype)}")
    distance = np.abs(input_array - target_array)
    # unlike the other pointwise losses, PyTorch's huber kernel keeps the input's dtype
    values = np.where(distance < delta, 0.5 * distance * distance,
                      delta * (distance - 0.5 * delta)).astype(input._data.dtype, copy=False)
    return _pointwise_loss(HuberLossBackward0, values, input, target, reduction, delta)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """Squared error below delta, delta-scaled absolute error above."""
    _warn_size_mismatch(input, target)
    _check_reduction(reduction)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    input, target = _broadcast_pair(input, target)
    if weight is None:
        return _huber(input, target, reduction, delta)
    _check_weight_shape(weight, input)
    weighted = _huber(input, target, "none", delta) * weight
    return _apply_reduction(weighted, reduction)


# ---- nll_loss, cross_entropy -------------------------------------------------------------------

def _check_target_dtype(target):
    kind = target._data.dtype
    if kind != np.int64 and kind != np.uint8:
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got "
                           f"{dtype_name(target.dtype)}")


def _check_class_weight(weight, classes):
    if weight is not None and (weight._data.ndim != 1 or weight._data.size != classes):
        raise RuntimeError(f"weight tensor should be defined either for all {classes} classes "
                           f"or no classes but got weight tensor of shape: "
                           f"{list(weight._data.shape)}")


def _nll_pick(target_data, classes, ignore_index):
    """The per-element target classes (ignored ones replaced by 0) and the ignore mask (None
    when nothing is ignored), with PyTorch's bounds check on the others."""
    targets = target_data.astype(np.int64, copy=False)
    ignored = targets == ignore_index
    if not ignored.any():
        # the common case: two reductions decide the bounds check
        if targets.size and (targets.min() < 0 or targets.max() >= classes):
            bad = (targets < 0) | (targets >= classes)
            raise IndexError(f"Target {int(targets[bad].flat[0])} is out of bounds.")
        return targets, None
    bad = ((targets < 0) | (targets >= classes)) & ~ignored
    if bad.any():
        raise IndexError(f"Target {int(targets[bad].flat[0])} is out of bounds.")
    return np.where(ignored, 0, targets), ignored


def _nll_weights(log_probs, targets, ignored, weight):
    """Each element's class weight (0 where ignored), in the input's dtype; None when all are
    1."""
    if weight is None:
        if ignored is None:
            return None
        return (~ignored).astype(log_probs.dtype)
    weights = weight._data[targets].astype(log_probs.dtype, copy=False)
    if ignored is not None:
        weights = np.where(ignored, log_probs.dtype.type(0), weights)
    return weights


def _class_positions(log_probs, targets):
    """The index tuple that addresses each element's target class (class axis 1, or 0 for a
    1-D input) by plain fancy indexing."""
    if log_probs.ndim == 1:
        return (targets,)
    if targets.ndim == 1:
        return (np.arange(targets.shape[0]), targets)
    grids = np.ogrid[tuple(slice(0, extent) for extent in targets.shape)]
    return (grids[0], targets) + tuple(grids[1:])


def _nll_forward(log_probs, targets, weights, reduction):
    """The nll loss of class-axis-1 log-probabilities (class axis 0 for 1-D input)."""
    picked = log_probs[_class_positions(log_probs, targets)]
    losses = -picked if weights is None else -(picked * weights)
    dtype = log_probs.dtype
    if reduction == "none":
        return np.asarray(losses, dtype=dtype), None
    total = np.asarray(losses.sum(), dtype=dtype)
    if reduction == "sum":
        return total, None
    total_weight = dtype.type(targets.size if weights is None else weights.sum())
    if total_weight == 0:
        # everything ignored (or an empty batch): 0 / 0, NaN as in PyTorch
        return np.asarray(np.nan, dtype=dtype), total_weight
    return np.asarray(total / total_weight, dtype=dtype), total_weight


def _nll_backward(grad, input, targets, weights, reduction, total_weight, ignored):
    """The gradient of nll_loss: -weight * grad at each target class, 0 elsewhere; one
    scatter."""
    data = input._data
    scale = -grad._data
    if reduction == "mean":
        scale = scale / total_weight
    if weights is not None:
        scale = scale * weights
    array = np.zeros(data.shape, dtype=data.dtype)
    values = np.broadcast_to(scale, targets.shape).astype(data.dtype, copy=False)
    if ignored is not None:
        # ignored targets get no gradient, even where the mean is 0 / 0
        values = np.where(ignored, data.dtype.type(0), values)
    array[_class_positions(data, targets)] = values
    return record(array, NllLossBackwardBackward0, (grad,),
                  (targets, weights, reduction, total_weight, ignored))


def _nll_double_backward(gradgrad, targets, weights, reduction, total_weight, ignored):
    # nll_loss is linear in its input: the derivative of its backward is nll_loss again
    array, _ = _nll_forward(gradgrad._data, targets, weights, reduction)
    return record(array, NllLossBackward0, (gradgrad,),
                  (gradgrad, targets, weights, reduction, total_weight, ignored))


NllLossBackwardBackward0 = node_class("NllLossBackwardBackward0", _nll_double_backward)
NllLossBackward0 = node_class("NllLossBackward0", _nll_backward, None, None)
NllLoss2DBackward0 = node_class("NllLoss2DBackward0", _nll_backward, None, None)


def _nll_primitive(input, target, weight, reduction, ignore_index, node):
    data = input._data
    classes = data.shape[0 if data.ndim == 1 else 1]
    _check_class_weight(weight, classes)
    _check_target_dtype(target)
    targets, ignored = _nll_pick(target._data, classes, ignore_index)
    weights = _nll_weights(data, targets, ignored, weight)
    array, total_weight = _nll_forward(data, targets, weights, reduction)
    return record(array, node, (input, target, weight),
                  (input, targets, weights, reduction, total_weight, ignored))


def _nll_nd(input, target, weight, reduction, ignore_index):
    """PyTorch's nll_loss_nd: shape checks, then the 1-D/2-D kernel or the spatial one."""
    ndim = input._data.ndim
    if ndim < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {ndim})")
    if ndim != 1 and input._data.shape[0] != target._data.shape[0]:
        raise ValueError(f"Expected input batch_size ({input._data.shape[0]}) to match target "
                         f"batch_size ({target._data.shape[0]}).")
    if ndim <= 2:
        if target._data.ndim > 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        return _nll_primitive(input, target, weight, reduction, ignore_index, NllLossBackward0)
    shape = input._data.shape
    out_size = (shape[0],) + shape[2:]
    if target._data.shape[1:] != shape[2:]:
        raise RuntimeError(f"Expected target size {list(out_size)}, got "
                           f"{list(target._data.shape)}")
    if ndim == 4:
        return _nll_primitive(input, target, weight, reduction, ignore_index,
                              NllLoss2DBackward0)
    flat_input = input.contiguous().reshape(shape[0], shape[1], 1, -1)
    flat_target = target.contiguous().reshape(shape[0], 1, -1)
    result = _nll_primitive(flat_input, flat_target, weight, reduction, ignore_index,
                            NllLoss2DBackward0)
    if reduction == "none":
        return result.view(out_size)
    return result


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    """Negative log-likelihood of class indices, from log-probabilities (class dim 1)."""
    reduction = _reduction(size_average, reduce, reduction)
    return _nll_nd(input, target, weight, reduction, ignore_index)


def _class_weight_view(weight, ndim, class_dim):
    if ndim <= 1:
        return weight
    shape = [1] * ndim
    shape[class_dim] = weight._data.shape[0]
    return weight.view(shape)


def _cross_entropy_probabilities(input, target, weight, reduction, label_smoothing):
    class_dim = 0 if input._data.ndim == 1 else 1
    classes = input._data.shape[class_dim]
    if weight is not None and (weight._data.ndim != 1 or weight._data.size != classes):
        raise RuntimeError(f"cross_entropy: weight tensor should be defined either for all "
                           f"{classes} classes or no classes but got weight tensor of shape: "
                           f"{list(weight._data.shape)}")
    log_probs = log_softmax(input, class_dim)
    if label_smoothing > 0:
        target = target * (1 - label_smoothing) + label_smoothing / classes
    product = log_probs * target
    if weight is not None:
        product = product * _class_weight_view(weight, input._data.ndim, class_dim)
    if reduction == "none":
        return -product.sum(class_dim)
    total = -product.sum()
    if reduction == "sum":
        return total
    if input._data.size == 0:
        return total.fill_(float("nan"))
    return _divide_by_number(total, input._data.size // classes)


def _cross_entropy_smoothed(input, target, weight, reduction, ignore_index, label_smoothing):
    class_dim = 0 if input._data.ndim == 1 else 1
    log_probs = log_softmax(input, class_dim)
    nll = _nll_nd(log_probs, target, weight, reduction, ignore_index)
    classes = log_probs._data.shape[class_dim]
    ignore_mask = target == ignore_index
    if weight is not None:
        smooth = -(log_probs * _class_weight_view(weight, input._data.ndim, class_dim))
        smooth = smooth.sum(class_dim)
    else:
        smooth = -log_probs.sum(class_dim)
    smooth = smooth.masked_fill(ignore_mask, 0.0)
    if reduction == "mean":
        kept = ignore_mask.logical_not()
        if weight is not None:
            denominator = weight.gather(0, target.masked_select(kept).flatten()).sum()
        else:
            denominator = kept.sum()
        smoothed = smooth.sum() / denominator
    elif reduction == "sum":
        smoothed = smooth.sum()
    else:
        smoothed = smooth
    return nll * (1 - label_smoothing) + smoothed * (label_smoothing / classes)


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100,
                  reduce=None, reduction="mean", label_smoothing=0.0):
    """log_softmax over the class dimension, then nll_loss (class indices) or the
    cross-entropy with class probabilities; optional label smoothing."""
    reduction = _reduction(size_average, reduce, reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: "
                           f"{label_smoothing}")
    if input._data.shape == target._data.shape:
        if target._data.dtype.kind != "f":
            raise RuntimeError(f"Expected floating point type for target with class "
                               f"probabilities, got {dtype_name(target.dtype)}")
        return _cross_entropy_probabilities(input, target, weight, reduction, label_smoothing)
    if label_smoothing > 0:
        return _cross_entropy_smoothed(input, target, weight, reduction, ignore_index,
                                       label_smoothing)
    class_dim = 0 if input._data.ndim == 1 else 1
    if input._data.ndim == 0:
        return _nll_nd(input, target, weight, reduction, ignore_index)
    return _nll_nd(log_softmax(input, class_dim), target, weight, reduction, ignore_index)


# ---- binary cross-entropy ----------------------------------------------------------------------

def _bce_input_grad(grad, input, target, weight, reduction):
    scale = _reduced_grad(grad, reduction, input._data.size)
    # PyTorch's formula, with the denominator kept away from 0 by its EPSILON
    value = scale * (input - target) / ((1 - input) * input).clamp_min(1e-12)
    return value if weight is None else value * weight


def _bce_target_grad(grad, input, target, weight, reduction):
    scale = _reduced_grad(grad, reduction, input._data.size)
    value = scale * ((1 - input).log().clamp_min(-100) - input.log().clamp_min(-100))
    return value if weight is None else value * weight


BinaryCrossEntropyBackward0 = node_class("BinaryCrossEntropyBackward0", _bce_input_grad,
                                         _bce_target_grad, None)


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction="mean"):
    """-(t log x + (1 - t) log(1 - x)), with each log clamped at -100 as PyTorch does."""
    reduction = _reduction(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(f"Using a target size ({target.size()}) that is different to the "
                         f"input size ({input.size()}) is deprecated. Please ensure they have "
                         "the same size.")
    if target._data.dtype != input._data.dtype:
        raise RuntimeError(f"Found dtype {dtype_name(target.dtype)} but expected "
                           f"{dtype_name(input.dtype)}")
    if weight is not None:
        shape = np.broadcast_shapes(target._data.shape, weight._data.shape)
        weight = weight.expand(shape)
    x = input._data
    if ((x < 0) | (x > 1)).any():
        raise RuntimeError("all elements of input should be between 0 and 1")
    t = target._data
    with np.errstate(divide="ignore"):
        log_x = np.maximum(np.log(x), x.dtype.type(-100))
        log_1mx = np.maximum(np.log1p(-x), x.dtype.type(-100))
    values = -(t * log_x + (1 - t) * log_1mx)
    if weight is not None:
        values = values * weight._data
    array = _reduce_array(values.astype(x.dtype, copy=False), reduction)
    return record(array, BinaryCrossEntropyBackward0, (input, target, weight),
                  (input, target, weight, reduction))


def _bce_logits_input_grad(grad, input, target, weight, pos_weight, reduction):
    scale = _reduced_grad(grad, reduction, input._data.size)
    if pos_weight is None:
        value = input.sigmoid() - target
    else:
        log_weight = (pos_weight - 1) * target + 1
        value = (1 - target) - log_weight * (1 - input.sigmoid())
    value = scale * value
    return value if weight is None else value * weight


def _bce_logits_target_grad(grad, input, target, weight, pos_weight, reduction):
    from ember.nn._functional.activation import logsigmoid
    scale = _reduced_grad(grad, reduction, input._data.size)
    if pos_weight is None:
        value = -input
    else:
        value = -input - (pos_weight - 1) * logsigmoid(input)
    value = scale * value
    return value if weight is None else value * weight


BinaryCrossEntropyWithLogitsBackward0 = node_class(
    "BinaryCrossEntropyWithLogitsBackward0", _bce_logits_input_grad, _bce_logits_target_grad,
    None, None)


def _check_logits_operands(input, target):
    """The errors of PyTorch's composition log_sigmoid(input), then (1 - target).mul_(input):
    the in-place product keeps the dtype of 1 - target."""
    if input._data.dtype.kind != "f":
        raise not_implemented("log_sigmoid_cpu", input.dtype)
    kind = target._data.dtype.kind
    if kind == "b":
        # ATen's 1 - target meets the bool check with the 1 wrapped as a bool tensor
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                           "supported. Use the `^` or `logical_xor()` operator instead.")
    if kind in "iu":
        raise RuntimeError(f"result type {dtype_name(input.dtype)} can't be cast to the desired "
                           f"output type {dtype_name(target.dtype)}")


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None,
                                     reduce=None, reduction="mean", pos_weight=None):
    """binary_cross_entropy(sigmoid(input), target) computed stably from the logits."""
    reduction = _reduction(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(f"Target size ({target.size()}) must be the same as input size "
                         f"({input.size()})")
    _check_logits_operands(input, target)
    x = input._data
    t = target._data
    log_sigmoid = -np.logaddexp(x.dtype.type(0), -x)
    if pos_weight is None:
        values = (1 - t) * x - log_sigmoid
    else:
        log_weight = (pos_weight._data - 1) * t + 1
        values = (1 - t) * x - log_weight * log_sigmoid
    if weight is not None:
        values = values * weight._data
    array = _reduce_array(np.asarray(values).astype(x.dtype, copy=False), reduction)
    return record(array, BinaryCrossEntropyWithLogitsBackward0,
                  (input, target, weight, pos_weight),
                  (input, target, weight, pos_weight, reduction))


# ---- kl_div and the margin losses --------------------------------------------------------------

def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """Pointwise KL divergence target * (log target - input), input given as log-probabilities
    ('batchmean' divides the sum by the batch size)."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
        kernel_reduction = reduction
    else:
        if reduction == "mean":
            warnings.warn("reduction: 'mean' divides the total loss by both the batch size and "
                          "the support size.'batchmean' divides only by the batch size, and "
                          "aligns with the KL div math definition.'mean' will be changed to "
                          "behave the same as 'batchmean' in the next major release.",
                          stacklevel=2)
        kernel_reduction = "sum" if reduction == "batchmean" else reduction
        _check_reduction(kernel_reduction)
    if input._data.dtype.kind in "biu" or target._data.dtype.kind in "biu":
        raise RuntimeError("kl_div: Integral inputs not supported.")
    if log_target:
        output = target.exp() * (target - input)
    else:
        from ember.ops.binary import xlogy
        output = xlogy(target, target) - target * input
    reduced = _apply_reduction(output, kernel_reduction)
    if reduction == "batchmean" and input._data.ndim != 0:
        reduced = reduced / input._data.shape[0]
    return reduced


def cosine_embedding_loss(input1, input2, target, margin=0, size_average=None, reduce=None,
                          reduction="mean"):
    """1 - cos(x1, x2) for target 1, max(0, cos(x1, x2) - margin) for target -1."""
    reduction = _reduction(size_average, reduce, reduction)
    target_dim = target._data.ndim
    if target_dim not in (0, 1):
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    expected = 2 if target_dim == 1 else 1
    if input1._data.ndim != expected or input2._data.ndim != expected:
        raise RuntimeError(f"{target_dim}D target tensor expects {expected}D input tensors, "
                           f"but found inputs with sizes {list(input1._data.shape)} and "
                           f"{list(input2._data.shape)}.")
    epsilon = 1e-12
    product_sum = (input1 * input2).sum(target_dim)
    magnitude1 = (input1 * input1).sum(target_dim) + epsilon
    magnitude2 = (input2 * input2).sum(target_dim) + epsilon
    cosine = product_sum / (magnitude1 * magnitude2).sqrt()
    positive = where(target == 1, 1 - cosine, 0.0)
    negative = where(target == -1, (cosine - margin).clamp_min(0), 0.0)
    return _apply_reduction(positive + negative, reduction)


def margin_ranking_loss(input1, input2, target, margin=0, size_average=None, reduce=None,
                        reduction="mean"):
    """max(0, -target * (input1 - input2) + margin)."""
    reduction = _reduction(size_average, reduce, reduction)
    if input1.dim() != input2.dim() or input1.dim() != target.dim():
        raise RuntimeError(f"margin_ranking_loss : All input tensors should have same dimension "
                           f"but got sizes: input1: {input1.size()}, input2: {input2.size()}, "
                           f"target: {target.size()} ")
    output = ((-target) * (input1 - input2) + margin).clamp_min(0)
    return _apply_reduction(output, reduction)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False,
                        size_average=None, reduce=None, reduction="mean"):
    """max(0, margin + d(anchor, positive) - d(anchor, negative)) with p-norm distances."""
    reduction = _reduction(size_average, reduce, reduction)
    dims = (anchor._data.ndim, positive._data.ndim, negative._data.ndim)
    if not dims[0] == dims[1] == dims[2]:
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have the "
                           f"same number of dimensions, but got: anchor {dims[0]}D, positive "
                           f"{dims[1]}D, and negative {dims[2]}D inputs")
    distance_positive = pairwise_distance(anchor, positive, p, eps)
    distance_negative = pairwise_distance(anchor, negative, p, eps)
    if swap:
        from ember.ops.binary import minimum
        distance_negative = minimum(distance_negative, pairwise_distance(positive, negative, p,
                                                                         eps))
    output = (distance_positive - distance_negative + margin).clamp_min(0)
    return _apply_reduction(output, reduction)
