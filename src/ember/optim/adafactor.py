"""Adafactor: factored second moments (a row and a column average per matrix), relative step
sizes and update clipping, as torch.optim.Adafactor.

Written with ember tensor ops in PyTorch's order (row/column norms, lerp, outer product,
rsqrt), as its single-tensor implementation, so float32 results round as PyTorch's do."""
from ember import _dtype
from ember.ops.creation import zeros, zeros_like
from ember.optim.optimizer import Optimizer, check_tensor_lr, increment, scalar_state, scalar_value

__all__ = ["Adafactor"]


class Adafactor(Optimizer):
    """The Adafactor algorithm, as torch.optim.Adafactor (lr caps the relative step size and
    scales the decoupled weight decay)."""

    _setstate_defaults = {"foreach": None}

    def __init__(self, params, lr=1e-2, beta2_decay=-0.8, eps=(None, 1e-3), d=1.0,
                 weight_decay=0.0, *, foreach=None, maximize=False):
        check_tensor_lr(lr)
        if not 0.0 <= lr:
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 >= beta2_decay:
            raise ValueError(f"beta2_decay should be <= 0 but is: {beta2_decay}")
        if eps[0] is not None and not 0.0 <= eps[0]:
            raise ValueError(f"epsilon1 should be >= 0 but is: {eps[0]}")
        if not 0.0 <= eps[1]:
            raise ValueError(f"epsilon2 should be >= 0 but is: {eps[1]}")
        if not 1.0 <= d:
            raise ValueError(f"Clipping threshold d should be >= 1 but is: {d}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight_decay should be >= 0 but is: {weight_decay}")
        defaults = {"lr": lr, "beta2_decay": beta2_decay, "eps": eps, "d": d,
                    "weight_decay": weight_decay, "foreach": foreach, "maximize": maximize}
        super().__init__(params, defaults)

    def step(self, closure=None):
        """Performs one optimization step; returns the closure's loss if one is given."""
        loss = self._evaluate_closure(closure)
        for group in self.param_groups:
            params = []
            for param in group["params"]:
                if param.grad is None:
                    continue
                if param.is_complex():
                    raise RuntimeError("Adafactor does not support complex parameters")
                params.append(param)
                state = self.state[param]
                if len(state) == 0:
                    self._init_state(param, state, group)
            self._update_group(params, group)
        return loss

    def _init_state(self, param, state, group):
        grad = param.grad
        state["step"] = scalar_state(0.0)
        if grad.dim() > 1:
            row_shape = list(grad.shape)
            row_shape[-1] = 1
            state["row_var"] = zeros(row_shape, dtype=grad.dtype)
            col_shape = list(grad.shape)
            col_shape[-2] = 1
            state["col_var"] = zeros(col_shape, dtype=grad.dtype)
        else:
            state["variance"] = zeros_like(grad)

    def _update_group(self, params, group):
        lr = scalar_value(group["lr"])
        eps1, eps2 = group["eps"]
        beta2_decay = group["beta2_decay"]
        for param in params:
            grad = param.grad if not group["maximize"] else -param.grad
            state = self.state[param]
            if eps1 is None:
                # PyTorch fills eps1 from the first parameter's dtype and keeps it for the
                # rest of the group
                eps1 = _dtype.finfo(param.dtype).eps
            step = increment(state["step"])
            one_minus_beta2_t = step ** beta2_decay
            rho_t = min(lr, 1 / step ** 0.5)
            alpha = max(eps2, param.norm(2).item() / param.numel() ** 0.5) * rho_t
            if group["weight_decay"] != 0:
                param.mul_(1 - lr * group["weight_decay"])
            if grad.dim() > 1:
                row_var = state["row_var"]
                col_var = state["col_var"]
                row_mean = grad.norm(dim=-1, keepdim=True).square_().div_(grad.size(-1))
                row_var.lerp_(row_mean, one_minus_beta2_t)
                col_mean = grad.norm(dim=-2, keepdim=True).square_().div_(grad.size(-2))
                col_var.lerp_(col_mean, one_minus_beta2_t)
                var_estimate = row_var @ col_var
                var_estimate.div_(row_var.mean(dim=-2, keepdim=True).clamp_(min=eps1))
            else:
                variance = state["variance"]
                variance.lerp_(grad * grad, one_minus_beta2_t)
                var_estimate = variance.clone()
            update = var_estimate.clamp_(min=eps1 * eps1).rsqrt_()
            update.mul_(grad)
            denom = max(1.0, update.norm(2).item() / (update.numel() ** 0.5 * group["d"]))
            param.add_(update, alpha=-alpha / denom)
