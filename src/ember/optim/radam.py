"""RAdam: rectified Adam (L2 or decoupled weight decay)."""
import numpy as np

from ember.optim import _kernels
from ember.optim.optimizer import (Optimizer, check_betas, check_capturable, check_range,
                                   check_tensor_lr, check_unsupported_modes, increment,
                                   real_view, scalar_state, scalar_value, zeros_state)

__all__ = ["RAdam"]


class RAdam(Optimizer):
    """RAdam, as torch.optim.RAdam."""

    _setstate_defaults = {"foreach": None, "maximize": False, "differentiable": False,
                          "decoupled_weight_decay": False, "capturable": False}

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False,
                 capturable=False, differentiable=False):
        check_tensor_lr(lr)
        check_range(lr, f"Invalid learning rate: {lr}")
        check_range(eps, f"Invalid epsilon value: {eps}")
        check_betas(betas)
        check_range(weight_decay, f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "maximize": maximize, "foreach": foreach, "capturable": capturable,
                    "decoupled_weight_decay": decoupled_weight_decay,
                    "differentiable": differentiable}
        check_unsupported_modes(differentiable)
        super().__init__(params, defaults)

    def _init_state(self, param, state, group):
        state["step"] = scalar_state(0.0)
        state["exp_avg"] = zeros_state(param)
        state["exp_avg_sq"] = zeros_state(param)

    def _update(self, param, state, group):
        check_capturable(group["capturable"])
        lr = scalar_value(group["lr"])
        beta1, beta2 = group["betas"]
        weight_decay = group["weight_decay"]
        grad = param.grad._data
        if group["maximize"]:
            grad = np.negative(grad)
        data = param._data
        step = increment(state["step"])
        if weight_decay != 0:
            if group["decoupled_weight_decay"]:
                np.multiply(data, 1 - lr * weight_decay, out=data)
            else:
                grad = _kernels.scaled_sum(grad, data, weight_decay)
        data = real_view(data)
        grad = real_view(grad)
        exp_avg = real_view(state["exp_avg"]._data)
        exp_avg_sq = real_view(state["exp_avg_sq"]._data)
        scratch = np.empty_like(data)
        _kernels.lerp_(exp_avg, grad, 1 - beta1, scratch)
        _kernels.scale_addcmul_(exp_avg_sq, beta2, grad, grad, 1 - beta2, scratch)
        bias_correction1 = 1 - beta1 ** step
        bias_correction2 = 1 - beta2 ** step
        update = np.divide(exp_avg, bias_correction1)
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * step * (beta2 ** step) / bias_correction2
        np.multiply(update, lr, out=update)
        if rho_t > 5.0:
            rect = ((rho_t - 4) * (rho_t - 2) * rho_inf
                    / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
            np.sqrt(exp_avg_sq, out=scratch)
            np.add(scratch, group["eps"], out=scratch)
            # (bias_correction2 ** 0.5) / sqrt_term: the scalar is rounded to the buffer's dtype.
            np.divide(data.dtype.type(bias_correction2 ** 0.5), scratch, out=scratch)
            np.multiply(update, scratch, out=update)
            np.multiply(update, rect, out=update)
        np.subtract(data, update, out=data)
        param._bump_version()
