"""NAdam: Adam with Nesterov momentum (momentum decay, L2 or decoupled weight decay)."""
import numpy as np

from ember.optim import _kernels
from ember.optim.optimizer import (Optimizer, check_betas, check_capturable, check_range,
                                   check_tensor_lr, check_unsupported_modes, increment,
                                   real_view, scalar_state, scalar_value, zeros_state)

__all__ = ["NAdam"]


class NAdam(Optimizer):
    """NAdam, as torch.optim.NAdam."""

    _setstate_defaults = {"maximize": False, "foreach": None, "capturable": False,
                          "differentiable": False, "decoupled_weight_decay": False}

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 momentum_decay=4e-3, decoupled_weight_decay=False, *, foreach=None,
                 maximize=False, capturable=False, differentiable=False):
        check_tensor_lr(lr)
        check_range(lr, f"Invalid learning rate: {lr}")
        check_range(eps, f"Invalid epsilon value: {eps}")
        check_betas(betas)
        check_range(weight_decay, f"Invalid weight_decay value: {weight_decay}")
        check_range(momentum_decay, f"Invalid momentum_decay value: {momentum_decay}")
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "momentum_decay": momentum_decay,
                    "decoupled_weight_decay": decoupled_weight_decay, "maximize": maximize,
                    "foreach": foreach, "capturable": capturable,
                    "differentiable": differentiable}
        check_unsupported_modes(differentiable)
        super().__init__(params, defaults)

    def _init_state(self, param, state, group):
        state["step"] = scalar_state(0.0)
        state["mu_product"] = scalar_state(1.0)
        state["exp_avg"] = zeros_state(param)
        state["exp_avg_sq"] = zeros_state(param)

    def _update(self, param, state, group):
        check_capturable(group["capturable"])
        lr = scalar_value(group["lr"])
        beta1, beta2 = group["betas"]
        weight_decay = group["weight_decay"]
        momentum_decay = group["momentum_decay"]
        grad = param.grad._data
        if group["maximize"]:
            grad = np.negative(grad)
        data = param._data
        step = increment(state["step"])
        bias_correction2 = 1 - beta2 ** step
        if weight_decay != 0:
            if group["decoupled_weight_decay"]:
                np.multiply(data, 1 - lr * weight_decay, out=data)
            else:
                grad = _kernels.scaled_sum(grad, data, weight_decay)
        mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
        mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
        # The running product lives in a 0-d tensor of the scalar dtype, so it rounds like
        # PyTorch's.
        mu_product_tensor = state["mu_product"]
        mu_product_tensor._data *= mu
        mu_product_tensor._bump_version()
        mu_product = float(mu_product_tensor._data)
        data = real_view(data)
        grad = real_view(grad)
        exp_avg = real_view(state["exp_avg"]._data)
        exp_avg_sq = real_view(state["exp_avg_sq"]._data)
        scratch = np.empty_like(data)
        _kernels.lerp_(exp_avg, grad, 1 - beta1, scratch)
        _kernels.scale_addcmul_(exp_avg_sq, beta2, grad, grad, 1 - beta2, scratch)
        denom = np.divide(exp_avg_sq, bias_correction2)
        np.sqrt(denom, out=denom)
        mu_product_next = mu_product * mu_next
        np.add(denom, group["eps"], out=denom)
        _kernels.addcdiv_(data, grad, denom, -lr * (1.0 - mu) / (1.0 - mu_product), scratch)
        _kernels.addcdiv_(data, exp_avg, denom, (-lr * mu_next) / (1.0 - mu_product_next), scratch)
        param._bump_version()
