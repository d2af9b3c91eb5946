"""Adamax: Adam with the infinity norm."""
import numpy as np

from ember.optim import _kernels
from ember.optim.optimizer import (Optimizer, check_betas, check_capturable, check_range,
                                   check_tensor_lr, check_unsupported_modes, increment,
                                   real_view, scalar_state, scalar_value, zeros_state)

__all__ = ["Adamax"]


class Adamax(Optimizer):
    """Adamax, as torch.optim.Adamax."""

    _setstate_defaults = {"foreach": None, "maximize": False, "differentiable": False,
                          "capturable": False}

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 foreach=None, *, maximize=False, differentiable=False, capturable=False):
        check_tensor_lr(lr)
        check_range(lr, f"Invalid learning rate: {lr}")
        check_range(eps, f"Invalid epsilon value: {eps}")
        check_betas(betas)
        check_range(weight_decay, f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "foreach": foreach, "maximize": maximize, "differentiable": differentiable,
                    "capturable": capturable}
        check_unsupported_modes(differentiable)
        super().__init__(params, defaults)

    def _init_state(self, param, state, group):
        state["step"] = scalar_state(0.0)
        state["exp_avg"] = zeros_state(param)
        state["exp_inf"] = zeros_state(param)

    def _update(self, param, state, group):
        check_capturable(group["capturable"])
        lr = scalar_value(group["lr"])
        beta1, beta2 = group["betas"]
        eps = group["eps"]
        grad = param.grad._data
        if group["maximize"]:
            grad = np.negative(grad)
        step = increment(state["step"])
        data = param._data
        if group["weight_decay"] != 0:
            grad = _kernels.scaled_sum(grad, data, group["weight_decay"])
        data = real_view(data)
        grad = real_view(grad)
        exp_avg = real_view(state["exp_avg"]._data)
        exp_inf = real_view(state["exp_inf"]._data)
        scratch = np.empty_like(data)
        _kernels.lerp_(exp_avg, grad, 1 - beta1, scratch)
        np.multiply(exp_inf, beta2, out=exp_inf)
        np.abs(grad, out=scratch)
        np.add(scratch, eps, out=scratch)
        np.maximum(exp_inf, scratch, out=exp_inf)
        clr = lr / (1 - beta1 ** step)
        _kernels.addcdiv_(data, exp_avg, exp_inf, -clr, scratch)
        param._bump_version()
