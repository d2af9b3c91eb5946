"""Adadelta (rho, eps, weight decay, maximize)."""
import numpy as np

from ember.optim import _kernels
from ember.optim.optimizer import (Optimizer, check_capturable, check_range, check_tensor_lr,
                                   check_unsupported_modes, increment, real_view, scalar_state,
                                   scalar_value, zeros_state)

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    """Adadelta, as torch.optim.Adadelta."""

    _setstate_defaults = {"foreach": None, "maximize": False, "differentiable": False,
                          "capturable": False}

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *,
                 capturable=False, maximize=False, differentiable=False):
        check_tensor_lr(lr)
        check_range(lr, f"Invalid learning rate: {lr}")
        check_range(rho, f"Invalid rho value: {rho}", high=1.0, high_inclusive=True)
        check_range(eps, f"Invalid epsilon value: {eps}")
        check_range(weight_decay, f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "rho": rho, "eps": eps, "weight_decay": weight_decay,
                    "maximize": maximize, "capturable": capturable, "foreach": foreach,
                    "differentiable": differentiable}
        check_unsupported_modes(differentiable)
        super().__init__(params, defaults)

    def _init_state(self, param, state, group):
        # Refused before creating state as well as before updating, so a refused step leaves
        # the group untouched.
        check_capturable(group["capturable"])
        state["step"] = scalar_state(0.0)
        state["square_avg"] = zeros_state(param)
        state["acc_delta"] = zeros_state(param)

    def _update(self, param, state, group):
        check_capturable(group["capturable"])
        lr = scalar_value(group["lr"])
        rho = group["rho"]
        eps = group["eps"]
        increment(state["step"])
        grad = param.grad._data
        if group["maximize"]:
            grad = np.negative(grad)
        data = param._data
        if group["weight_decay"] != 0:
            grad = _kernels.scaled_sum(grad, data, group["weight_decay"])
        data = real_view(data)
        grad = real_view(grad)
        square_avg = real_view(state["square_avg"]._data)
        acc_delta = real_view(state["acc_delta"]._data)
        scratch = np.empty_like(data)
        _kernels.scale_addcmul_(square_avg, rho, grad, grad, 1 - rho, scratch)
        std = np.add(square_avg, eps)
        np.sqrt(std, out=std)
        delta = np.add(acc_delta, eps)
        np.sqrt(delta, out=delta)
        np.divide(delta, std, out=delta)
        np.multiply(delta, grad, out=delta)
        _kernels.scale_addcmul_(acc_delta, rho, delta, delta, 1 - rho, scratch)
        _kernels.add_scaled_(data, delta, -lr, scratch)
        param._bump_version()
