"""Rprop: resilient backpropagation (per-element step sizes driven by gradient signs)."""
import numpy as np

from ember._tensor import _wrap
from ember.optim.optimizer import (Optimizer, check_capturable, check_tensor_lr,
                                   check_unsupported_modes, increment, real_view, scalar_state,
                                   scalar_value, zeros_state)

__all__ = ["Rprop"]


class Rprop(Optimizer):
    """The resilient backpropagation algorithm, as torch.optim.Rprop."""

    _setstate_defaults = {"foreach": None, "maximize": False, "differentiable": False,
                          "capturable": False}

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        check_tensor_lr(lr)
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = {"lr": lr, "etas": etas, "step_sizes": step_sizes, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable,
                    "capturable": capturable}
        check_unsupported_modes(differentiable)
        super().__init__(params, defaults)

    def _init_state(self, param, state, group):
        state["step"] = scalar_state(0.0)
        state["prev"] = zeros_state(param)
        lr = scalar_value(group["lr"])
        if param._data.dtype.kind == "c":
            lr = complex(lr, lr)
        state["step_size"] = _wrap(np.full_like(param.grad._data, lr))

    def _update(self, param, state, group):
        check_capturable(group["capturable"])
        etaminus, etaplus = group["etas"]
        step_size_min, step_size_max = group["step_sizes"]
        increment(state["step"])
        grad = real_view(param.grad._data)
        if group["maximize"]:
            grad = np.negative(grad)
        prev = real_view(state["prev"]._data)
        step_size = real_view(state["step_size"]._data)
        data = real_view(param._data)
        # the sign of grad * prev becomes the step-size factor: etaplus where the gradient kept
        # its sign, etaminus where it flipped, 1 where either is zero (PyTorch's three masked
        # assignments, in its order)
        factor = np.sign(np.multiply(grad, prev))
        factor[factor > 0] = etaplus
        factor[factor < 0] = etaminus
        factor[factor == 0] = 1
        np.multiply(step_size, factor, out=step_size)
        np.clip(step_size, step_size_min, step_size_max, out=step_size)
        # where the sign flipped, skip this step's update and forget the gradient
        grad = grad.copy()
        grad[factor == factor.dtype.type(etaminus)] = 0
        update = np.multiply(np.sign(grad), step_size)
        np.subtract(data, update, out=data)
        prev[...] = grad
        param._bump_version()
        state["prev"]._bump_version()
        state["step_size"]._bump_version()
