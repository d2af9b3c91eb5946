"""ember.autograd: reverse-mode automatic differentiation with PyTorch's semantics."""
from ember.autograd import grad_mode, graph
from ember.autograd.backward import backward, grad
from ember.autograd.grad_mode import (enable_grad, inference_mode, no_grad, set_grad_enabled)

__all__ = ["backward", "grad", "no_grad", "enable_grad", "set_grad_enabled", "inference_mode",
           "grad_mode", "graph"]
