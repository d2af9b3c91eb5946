"""SGD with momentum, dampening, Nesterov momentum, weight decay and maximize."""
import numpy as np

from ember._tensor import _wrap
from ember.optim import _kernels
from ember.optim.optimizer import (Optimizer, check_tensor_lr, check_unsupported_modes,
                                   scalar_value)

__all__ = ["SGD"]


class SGD(Optimizer):
    """Stochastic gradient descent (optionally with momentum), as torch.optim.SGD."""

    _setstate_defaults = {"nesterov": False, "maximize": False, "foreach": None,
                          "differentiable": False, "fused": False}

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0,
                 nesterov=False, *, maximize=False, foreach=None, differentiable=False,
                 fused=None):
        check_tensor_lr(lr)
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening,
                    "weight_decay": weight_decay, "nesterov": nesterov, "maximize": maximize,
                    "foreach": foreach, "differentiable": differentiable, "fused": fused}
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)
        if fused:
            if differentiable:
                raise RuntimeError("`fused` does not support `differentiable`")
            if foreach:
                raise RuntimeError("`fused` and `foreach` cannot be `True` together.")
        # after PyTorch's own checks, so a combination PyTorch refuses fails with its message
        check_unsupported_modes(differentiable)

    def step(self, closure=None):
        """Performs one optimization step; returns the closure's loss if one is given."""
        # Not the base step: PyTorch's SGD keeps no state without momentum and seeds the
        # momentum buffer with the first (decayed) gradient, so there is nothing to create
        # up front.
        loss = self._evaluate_closure(closure)
        for group in self.param_groups:
            lr = scalar_value(group["lr"])
            weight_decay = scalar_value(group["weight_decay"])
            momentum = group["momentum"]
            dampening = group["dampening"]
            nesterov = group["nesterov"]
            maximize = group["maximize"]
            for param in group["params"]:
                grad_tensor = param.grad
                if grad_tensor is None:
                    continue
                data = param._data
                grad = grad_tensor._data
                if maximize:
                    grad = np.negative(grad)
                if weight_decay != 0:
                    grad = _kernels.scaled_sum(grad, data, weight_decay)
                if momentum != 0:
                    state = self.state[param]
                    buffer = state.get("momentum_buffer")
                    if buffer is None:
                        # np.array, not .copy(): a negated 0-d gradient is a NumPy scalar
                        buffer = _wrap(np.array(grad))
                        state["momentum_buffer"] = buffer
                    else:
                        values = buffer._data
                        np.multiply(values, momentum, out=values)
                        _kernels.add_scaled_(values, grad, 1 - dampening, np.empty_like(values))
                        buffer._bump_version()
                    if nesterov:
                        grad = _kernels.scaled_sum(grad, buffer._data, momentum)
                    else:
                        grad = buffer._data
                update = np.multiply(grad, -lr)
                np.add(data, update, out=data)
                param._bump_version()
        return loss
