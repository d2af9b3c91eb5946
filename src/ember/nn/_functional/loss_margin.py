"""nn.functional: margin losses beyond loss.py's. soft_margin_loss, multi_margin_loss and
multilabel_margin_loss are ATen kernels with their own grad_fn (SoftMarginLossBackward0,
MultiMarginLossBackward0, MultilabelMarginLossBackward0);
hinge_embedding_loss, multilabel_soft_margin_loss and triplet_margin_with_distance_loss are
compositions of ember ops written as PyTorch composes them (so their grad_fns are the parts')."""
import numpy as np

from ember._dtype import int64
from ember._errors import dtype_name
from ember._tensor import _wrap
from ember.autograd.grad_mode import STATE
from ember.nn._functional.activation import logsigmoid
from ember.nn._functional.loss import _apply_reduction, _legacy_reduction, _reduction
from ember.nn._functional.softmax import pairwise_distance
from ember.ops._registry import node_class, record
from ember.ops.binary import minimum
from ember.ops.creation import zeros_like
from ember.ops.ternary import where

__all__ = ["soft_margin_loss", "multilabel_soft_margin_loss", "hinge_embedding_loss",
           "multi_margin_loss", "multilabel_margin_loss", "triplet_margin_with_distance_loss"]


def _refuse_target_grad(function, target):
    # ATen has no derivative for these losses' target and says so at the call
    if STATE.enabled and target.requires_grad:
        raise RuntimeError(f"The function '{function}' is not differentiable with respect to "
                           f"argument 'target'. This input cannot have requires_grad True.")


def _soft_margin_grad(grad, input, target, reduction):
    # d/dx log(1 + exp(-y x)) = -y exp(-y x) / (1 + exp(-y x)); mean divides by input.numel()
    z = (-target * input).exp()
    scale = 1.0 / input.numel() if reduction == "mean" else 1.0
    return -scale * target * z / (1.0 + z) * grad


SoftMarginLossBackward0 = node_class("SoftMarginLossBackward0", _soft_margin_grad, None)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """log(1 + exp(-target * input)), reduced."""
    reduction = _reduction(size_average, reduce, reduction)
    _refuse_target_grad("soft_margin_loss", target)
    values = np.log1p(np.exp(-(input._data * target._data)))
    if reduction == "mean":
        values = np.asarray(values.mean(), dtype=values.dtype)
    elif reduction == "sum":
        values = np.asarray(values.sum(), dtype=values.dtype)
    return record(values, SoftMarginLossBackward0, (input, target), (input, target, reduction))


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None,
                                reduction="mean"):
    """Per-class binary cross-entropy on logits, averaged over the classes."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    class_dim = input.dim() - 1
    classes = input.size(class_dim)
    loss = loss.sum(dim=class_dim) / classes
    if reduction == "none":
        return loss
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    raise ValueError(reduction + " is not valid")


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None,
                         reduction="mean"):
    """input where target is 1, max(0, margin - input) where target is -1, reduced."""
    reduction = _reduction(size_average, reduce, reduction)
    zeros = zeros_like(input)
    margin_clamp = (margin - input).clamp_min_(0)
    output_margin = where(target != 1, margin_clamp, zeros)
    output_self = where(target != -1, input, zeros)
    return _apply_reduction(output_margin + output_self, reduction)


def _frames_and_classes(input):
    """(frames, classes) of a margin loss's input, with the non-empty check ATen's
    multi_margin and multilabel_margin shape checks share."""
    ndim = input.dim()
    shape = list(input.shape)
    if not ((ndim == 2 and shape[1] != 0) or (ndim == 1 and shape[0] != 0) or ndim == 0):
        raise RuntimeError(f"Expected non-empty vector or matrix with optional 0-dim batch "
                           f"size, but got: {shape}")
    if ndim <= 1:
        return 1, (1 if ndim == 0 else shape[0])
    return shape[0], shape[1]


def _multi_margin_layout(input, target, weight):
    """(frames, classes) as ATen's multi_margin_loss_shape_check finds them, with its checks."""
    frames, classes = _frames_and_classes(input)
    shape = list(input.shape)
    if target.dim() > 1 or target.numel() != frames:
        raise RuntimeError(f"multi_margin_loss: target tensor should be 1-D with size equal to "
                           f"the number of input samples (batch size). Expected target size "
                           f"[{frames}], but got {list(target.shape)}. Input has shape "
                           f"{shape}.")
    if weight is not None and (weight.dim() > 1 or weight.numel() != classes):
        raise RuntimeError(f"inconsistent weight size, expected {classes} but got "
                           f"{list(weight.shape)}")
    # the kernel reads the target as int64 and the weight in the input's dtype
    if target.dtype != int64:
        raise RuntimeError(f"expected scalar type Long but found {dtype_name(target.dtype)}")
    if weight is not None and weight.dtype != input.dtype:
        raise RuntimeError(f"expected scalar type {dtype_name(input.dtype)} but found "
                           f"{dtype_name(weight.dtype)}")
    return frames, classes


def _multi_margin_grad(grad, coefficients, per_frame):
    scale = _wrap(coefficients)
    if per_frame:
        return scale * grad.unsqueeze(1)
    return scale * grad


MultiMarginLossBackward0 = node_class("MultiMarginLossBackward0", _multi_margin_grad, None,
                                      None)


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None,
                      reduce=None, reduction="mean"):
    """Multi-class hinge loss: sum over the wrong classes of max(0, margin - x[y] + x[j])^p,
    divided by the number of classes."""
    reduction = _reduction(size_average, reduce, reduction)
    if p != 1 and p != 2:
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.dim() != 1:
        raise ValueError("weight must be one-dimensional")
    frames, classes = _multi_margin_layout(input, target, weight)
    data = input._data.reshape(frames, classes)
    labels = target._data.reshape(frames).astype(np.int64)
    if np.any((labels < 0) | (labels >= classes)):
        raise RuntimeError("target out of range")
    rows = np.arange(frames)
    z = margin - data[rows, labels][:, None] + data
    active = z > 0
    active[rows, labels] = False
    terms = np.where(active, z if p == 1 else z * z, 0).astype(data.dtype)
    # d(term)/dz: 1 for p=1, 2z for p=2; the class weight scales a frame's terms
    slopes = np.where(active, 1 if p == 1 else 2 * z, 0).astype(data.dtype)
    if weight is not None:
        class_weight = weight._data[labels][:, None].astype(data.dtype)
        terms = terms * class_weight
        slopes = slopes * class_weight
    losses = (terms.sum(1) / classes).astype(data.dtype)
    per_frame = reduction == "none" and target.dim() > 0
    if reduction == "mean":
        values = np.asarray(losses.mean(), dtype=data.dtype)
        slopes = slopes / (frames * classes)
    elif reduction == "sum":
        values = np.asarray(losses.sum(), dtype=data.dtype)
        slopes = slopes / classes
    else:
        values = losses if per_frame else losses.reshape(())
        slopes = slopes / classes
    slopes[rows, labels] = -slopes.sum(1)
    # per-frame losses scale each row by its own incoming gradient
    coefficients = slopes.astype(data.dtype)
    if not per_frame:
        coefficients = coefficients.reshape(input._data.shape)
    return record(values, MultiMarginLossBackward0, (input, target, weight),
                  (coefficients, per_frame))


def _multilabel_layout(input, target):
    """(frames, classes) as ATen's multilabel_margin_loss_shape_check finds them."""
    frames, classes = _frames_and_classes(input)
    shape = list(input.shape)
    if input.dim() <= 1:
        consistent = target.dim() <= 1 and target.numel() == classes
    else:
        consistent = target.dim() == 2 and list(target.shape) == shape
    if not consistent:
        raise RuntimeError(f"inconsistent target size: {list(target.shape)} for input of size: "
                           f"{shape}")
    if target.dtype != int64:
        raise RuntimeError(f"expected scalar type Long but found {dtype_name(target.dtype)}")
    labels = target._data.reshape(frames, classes)
    if labels.size and (labels.min() < -1 or labels.max() >= classes):
        raise RuntimeError("argument #2 'target' is out of range")
    return frames, classes, labels


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Multi-label hinge loss: for each target class y (listed until the first -1) and each
    non-target class i, max(0, 1 - (x[y] - x[i])), summed and divided by the class count."""
    reduction = _reduction(size_average, reduce, reduction)
    frames, classes, labels = _multilabel_layout(input, target)
    data = input._data.reshape(frames, classes)
    losses = np.zeros(frames, dtype=data.dtype)
    slopes = np.zeros((frames, classes), dtype=data.dtype)
    for frame in range(frames):
        row = labels[frame]
        ends = np.nonzero(row < 0)[0]
        targets = row[:ends[0]] if ends.size else row
        others = np.ones(classes, dtype=bool)
        others[targets] = False
        # every listed target (repeats included, as ATen loops over them) against every
        # class that is not a target
        z = 1 - data[frame, targets][:, None] + data[frame][None, :]
        active = (z > 0) & others[None, :]
        losses[frame] = np.where(active, z, 0).sum() / classes
        np.add.at(slopes[frame], targets, -active.sum(1).astype(data.dtype))
        slopes[frame] += active.sum(0)
    slopes /= classes
    per_frame = reduction == "none" and target.dim() > 1
    if reduction == "mean":
        values = np.asarray(losses.mean(), dtype=data.dtype)
        slopes /= frames
    elif reduction == "sum":
        values = np.asarray(losses.sum(), dtype=data.dtype)
    else:
        values = losses if per_frame else losses.reshape(())
    coefficients = slopes if per_frame else slopes.reshape(input._data.shape)
    return record(values, MultilabelMarginLossBackward0, (input, target),
                  (coefficients, per_frame))


MultilabelMarginLossBackward0 = node_class("MultilabelMarginLossBackward0", _multi_margin_grad,
                                           None)


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None,
                                      margin=1.0, swap=False, reduction="mean"):
    """max(0, margin + d(anchor, positive) - d(anchor, negative)) for any distance d."""
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    dims = (anchor.ndim, positive.ndim, negative.ndim)
    if not dims[0] == dims[1] == dims[2]:
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have the "
                           f"same number of dimensions, but got: anchor {dims[0]}D, positive "
                           f"{dims[1]}D, and negative {dims[2]}D inputs")
    if distance_function is None:
        distance_function = pairwise_distance
    dist_pos = distance_function(anchor, positive)
    dist_neg = distance_function(anchor, negative)
    if swap:
        dist_swap = distance_function(positive, negative)
        dist_neg = minimum(dist_neg, dist_swap)
    loss = (margin + dist_pos - dist_neg).clamp_min(0)
    if reduction == "sum":
        return loss.sum()
    if reduction == "mean":
        return loss.mean()
    return loss
