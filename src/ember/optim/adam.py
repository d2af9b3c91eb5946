"""Adam (with AMSGrad, L2 or decoupled weight decay, maximize)."""
import numpy as np

from ember._tensor import Tensor
from ember.optim import _kernels
from ember.optim.optimizer import (Optimizer, check_betas, check_capturable, check_range,
                                   check_tensor_lr, check_unsupported_modes, increment,
                                   real_view, scalar_state, scalar_value, zeros_state)

__all__ = ["Adam"]


def check_adam_betas(betas, capturable, foreach):
    """Adam's extra rules for betas: both floats or both one-element Tensors."""
    if not ((isinstance(betas[0], float) and isinstance(betas[1], float))
            or (isinstance(betas[0], Tensor) and isinstance(betas[1], Tensor))):
        raise ValueError("betas must be either both floats or both Tensors")
    for index in (0, 1):
        if isinstance(betas[index], Tensor):
            if not capturable and foreach:
                raise ValueError(f"betas[{index}] as a Tensor is not supported for "
                                 "capturable=False and foreach=True")
            if betas[index].numel() != 1:
                raise ValueError(f"Tensor betas[{index}] must be 1-element")


class Adam(Optimizer):
    """Adam, as torch.optim.Adam (decoupled_weight_decay=True gives AdamW)."""

    _setstate_defaults = {"amsgrad": False, "maximize": False, "foreach": None,
                          "capturable": False, "differentiable": False,
                          "decoupled_weight_decay": False, "fused": None}

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False, fused=None, decoupled_weight_decay=False):
        if isinstance(lr, Tensor):
            if foreach and not capturable:
                raise ValueError("lr as a Tensor is not supported for capturable=False and "
                                 "foreach=True")
            check_tensor_lr(lr)
        check_range(lr, f"Invalid learning rate: {lr}")
        check_range(eps, f"Invalid epsilon value: {eps}")
        check_betas(betas)
        check_range(weight_decay, f"Invalid weight_decay value: {weight_decay}")
        check_adam_betas(betas, capturable, foreach)
        betas = tuple(beta.squeeze() if isinstance(beta, Tensor) and beta.dim() != 0 else beta
                      for beta in betas)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "amsgrad": amsgrad, "maximize": maximize, "foreach": foreach,
                    "capturable": capturable, "differentiable": differentiable, "fused": fused,
                    "decoupled_weight_decay": decoupled_weight_decay}
        super().__init__(params, defaults)
        if fused:
            if differentiable:
                raise RuntimeError("`fused` does not support `differentiable`")
            if foreach:
                raise RuntimeError("`fused` and `foreach` cannot be `True` together.")
        # after PyTorch's own checks, so a combination PyTorch refuses fails with its message
        check_unsupported_modes(differentiable)

    def _init_state(self, param, state, group):
        # Refused before creating state as well as before updating, so a refused step leaves
        # the group untouched.
        check_capturable(group["capturable"])
        state["step"] = scalar_state(0.0)
        state["exp_avg"] = zeros_state(param)
        state["exp_avg_sq"] = zeros_state(param)
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = zeros_state(param)

    def _update(self, param, state, group):
        check_capturable(group["capturable"])
        lr = scalar_value(group["lr"])
        beta1, beta2 = (scalar_value(beta) for beta in group["betas"])
        weight_decay = group["weight_decay"]
        eps = group["eps"]
        grad = param.grad._data
        if group["maximize"]:
            grad = np.negative(grad)
        step = increment(state["step"])
        data = param._data
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
        step_size = lr / bias_correction1
        bias_correction2_sqrt = bias_correction2 ** 0.5
        if group["amsgrad"]:
            max_exp_avg_sq = real_view(state["max_exp_avg_sq"]._data)
            np.maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq)
            denom = np.sqrt(max_exp_avg_sq)
        else:
            denom = np.sqrt(exp_avg_sq)
        np.divide(denom, bias_correction2_sqrt, out=denom)
        np.add(denom, eps, out=denom)
        _kernels.addcdiv_(data, exp_avg, denom, -step_size, scratch)
        param._bump_version()
