"""nn.functional: negative log-likelihood losses for Poisson and Gaussian targets, compositions
of ember ops written as PyTorch composes them (so their grad_fns are the parts')."""
import math

from ember.autograd.grad_mode import no_grad
from ember.nn._functional.loss import _apply_reduction, _reduction
from ember.ops.creation import ones_like

__all__ = ["poisson_nll_loss", "gaussian_nll_loss"]


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8,
                     reduce=None, reduction="mean"):
    """exp(input) - target * input (or input - target * log(input + eps)), plus Stirling's
    approximation of log(target!) with full=True, reduced."""
    reduction = _reduction(size_average, reduce, reduction)
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:
        stirling_term = (target * target.log() - target
                         + 0.5 * (2 * math.pi * target).log())
        loss += stirling_term.masked_fill(target <= 1, 0)
    return _apply_reduction(loss, reduction)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """0.5 * (log(var) + (input - target)^2 / var), var clamped to eps without gradient."""
    if isinstance(var, float):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = var * ones_like(input)
    elif (var < 0).any():
        raise ValueError("var has negative entry/entries")
    if var.size() != input.size():
        if input.size()[:-1] == var.size():
            var = var.unsqueeze(-1)
        elif (input.ndim == var.ndim
              and sum(y for x, y in zip(input.size(), var.size(), strict=True) if x != y) == 1):
            pass  # heteroscedastic: one dimension of var is 1
        else:
            raise ValueError("var is of incorrect size")
    if reduction != "none" and reduction != "mean" and reduction != "sum":
        raise ValueError(reduction + " is not valid")
    var = var.clone()
    with no_grad():
        var.clamp_(min=eps)
    loss = 0.5 * (var.log() + (input - target) ** 2 / var)
    if full:
        loss += 0.5 * math.log(2 * math.pi)
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss
