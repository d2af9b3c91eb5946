"""ASGD: SGD with a decaying step size and a running (Polyak) average of the iterates."""
import numpy as np

from ember.optim import _kernels
from ember.optim.optimizer import (Optimizer, check_capturable, check_tensor_lr,
                                   check_unsupported_modes, increment, real_view, scalar_state,
                                   scalar_value, zeros_state)

__all__ = ["ASGD"]


class ASGD(Optimizer):
    """Averaged stochastic gradient descent, as torch.optim.ASGD."""

    _setstate_defaults = {"foreach": None, "maximize": False, "differentiable": False,
                          "capturable": False}

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0,
                 foreach=None, maximize=False, differentiable=False, capturable=False):
        check_tensor_lr(lr)
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "lambd": lambd, "alpha": alpha, "t0": t0,
                    "weight_decay": weight_decay, "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable, "capturable": capturable}
        check_unsupported_modes(differentiable)
        super().__init__(params, defaults)

    def _init_state(self, param, state, group):
        state["step"] = scalar_state(0.0)
        state["eta"] = scalar_state(scalar_value(group["lr"]))
        state["mu"] = scalar_state(1.0)
        state["ax"] = zeros_state(param)

    def _update(self, param, state, group):
        check_capturable(group["capturable"])
        lambd = group["lambd"]
        lr = scalar_value(group["lr"])
        grad = real_view(param.grad._data)
        if group["maximize"]:
            grad = np.negative(grad)
        data = real_view(param._data)
        average = real_view(state["ax"]._data)
        step = increment(state["step"])
        if group["weight_decay"] != 0:
            grad = _kernels.scaled_sum(grad, data, group["weight_decay"])
        # eta and mu are read back from their float32 state, as PyTorch's .item() does
        eta = float(state["eta"]._data)
        np.multiply(data, 1 - lambd * eta, out=data)
        _kernels.add_scaled_(data, grad, -eta, np.empty_like(data))
        mu = float(state["mu"]._data)
        if mu != 1:
            difference = np.subtract(data, average)
            np.multiply(difference, mu, out=difference)
            np.add(average, difference, out=average)
        else:
            average[...] = data
        state["eta"]._data[...] = lr / ((1 + lambd * lr * step) ** group["alpha"])
        state["mu"]._data[...] = 1 / max(1, step - group["t0"])
        param._bump_version()
        state["ax"]._bump_version()
