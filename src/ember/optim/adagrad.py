"""Adagrad (learning-rate decay, initial accumulator value, weight decay, maximize)."""
import numpy as np

from ember._tensor import _wrap
from ember.optim import _kernels
from ember.optim.optimizer import (Optimizer, check_range, check_tensor_lr,
                                   check_unsupported_modes, increment, real_view, scalar_state,
                                   scalar_value)

__all__ = ["Adagrad"]


def _accumulator(param, initial_accumulator_value):
    value = initial_accumulator_value
    if param._data.dtype.kind == "c":
        value = complex(initial_accumulator_value, initial_accumulator_value)
    return _wrap(np.full_like(param._data, value))


class Adagrad(Optimizer):
    """Adagrad, as torch.optim.Adagrad (state is created for every parameter up front)."""

    _setstate_defaults = {"foreach": None, "maximize": False, "differentiable": False,
                          "fused": None}

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
                 eps=1e-10, foreach=None, *, maximize=False, differentiable=False, fused=None):
        check_tensor_lr(lr)
        check_range(lr, f"Invalid learning rate: {lr}")
        check_range(lr_decay, f"Invalid lr_decay value: {lr_decay}")
        check_range(weight_decay, f"Invalid weight_decay value: {weight_decay}")
        check_range(initial_accumulator_value,
                    f"Invalid initial_accumulator_value value: {initial_accumulator_value}")
        check_range(eps, f"Invalid epsilon value: {eps}")
        defaults = {"lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
                    "initial_accumulator_value": initial_accumulator_value,
                    "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable, "fused": fused}
        super().__init__(params, defaults)
        if fused:
            if differentiable:
                raise RuntimeError("`fused` does not support `differentiable`")
            if foreach:
                raise RuntimeError("`fused` and `foreach` cannot be `True` together.")
        # after PyTorch's own checks, so a combination PyTorch refuses fails with its message
        check_unsupported_modes(differentiable)
        for group in self.param_groups:
            for param in group["params"]:
                self._init_state(param, self.state[param], group)

    def share_memory(self):
        """A no-op kept for API compatibility: ember has no shared-memory tensors."""

    def _init_state(self, param, state, group):
        # The constructor's value, as for the state __init__ creates for every parameter.
        state["step"] = scalar_state(0.0)
        state["sum"] = _accumulator(param, self.defaults["initial_accumulator_value"])

    def _update(self, param, state, group):
        step = increment(state["step"])
        grad = param.grad._data
        if group["maximize"]:
            grad = np.negative(grad)
        data = param._data
        if group["weight_decay"] != 0:
            grad = _kernels.scaled_sum(grad, data, group["weight_decay"])
        clr = scalar_value(group["lr"]) / (1 + (step - 1) * group["lr_decay"])
        data = real_view(data)
        grad = real_view(grad)
        state_sum = real_view(state["sum"]._data)
        scratch = np.empty_like(data)
        np.multiply(grad, grad, out=scratch)
        np.add(state_sum, scratch, out=state_sum)
        std = np.sqrt(state_sum)
        np.add(std, group["eps"], out=std)
        _kernels.addcdiv_(data, grad, std, -clr, scratch)
        param._bump_version()
