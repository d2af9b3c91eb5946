"""RMSprop (centered, momentum, weight decay, maximize)."""
import numpy as np

from ember.optim import _kernels
from ember.optim.optimizer import (Optimizer, check_capturable, check_range, check_tensor_lr,
                                   check_unsupported_modes, increment, real_view, scalar_state,
                                   scalar_value, zeros_state)

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """RMSprop, as torch.optim.RMSprop."""

    _setstate_defaults = {"momentum": 0, "centered": False, "foreach": None, "maximize": False,
                          "differentiable": False, "capturable": False}

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, capturable=False, foreach=None, maximize=False,
                 differentiable=False):
        check_tensor_lr(lr)
        check_range(lr, f"Invalid learning rate: {lr}")
        check_range(eps, f"Invalid epsilon value: {eps}")
        check_range(momentum, f"Invalid momentum value: {momentum}")
        check_range(weight_decay, f"Invalid weight_decay value: {weight_decay}")
        check_range(alpha, f"Invalid alpha value: {alpha}")
        defaults = {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps,
                    "centered": centered, "weight_decay": weight_decay,
                    "capturable": capturable, "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable}
        check_unsupported_modes(differentiable)
        super().__init__(params, defaults)

    def _init_state(self, param, state, group):
        state["step"] = scalar_state(0.0)
        state["square_avg"] = zeros_state(param)
        if group["momentum"] > 0:
            state["momentum_buffer"] = zeros_state(param)
        if group["centered"]:
            state["grad_avg"] = zeros_state(param)

    def _update(self, param, state, group):
        check_capturable(group["capturable"])
        lr = scalar_value(group["lr"])
        alpha = group["alpha"]
        momentum = group["momentum"]
        grad = param.grad._data
        if group["maximize"]:
            grad = np.negative(grad)
        increment(state["step"])
        data = param._data
        if group["weight_decay"] != 0:
            grad = _kernels.scaled_sum(grad, data, group["weight_decay"])
        data = real_view(data)
        grad = real_view(grad)
        square_avg = real_view(state["square_avg"]._data)
        scratch = np.empty_like(data)
        _kernels.scale_addcmul_(square_avg, alpha, grad, grad, 1 - alpha, scratch)
        if group["centered"]:
            grad_avg = real_view(state["grad_avg"]._data)
            _kernels.lerp_(grad_avg, grad, 1 - alpha, scratch)
            avg = np.multiply(grad_avg, -1)
            np.multiply(avg, grad_avg, out=avg)
            np.add(square_avg, avg, out=avg)
            np.sqrt(avg, out=avg)
        else:
            avg = np.sqrt(square_avg)
        np.add(avg, group["eps"], out=avg)
        if momentum > 0:
            buffer = real_view(state["momentum_buffer"]._data)
            np.multiply(buffer, momentum, out=buffer)
            _kernels.addcdiv_(buffer, grad, avg, 1, scratch)
            _kernels.add_scaled_(data, buffer, -lr, scratch)
        else:
            _kernels.addcdiv_(data, grad, avg, -lr, scratch)
        param._bump_version()
