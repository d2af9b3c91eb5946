"""ember.autograd: reverse-mode automatic differentiation with PyTorch's semantics."""
from ember.autograd import functional, grad_mode, graph, tensor_hooks  # noqa: F401
from ember.autograd.anomaly_mode import (detect_anomaly, is_anomaly_check_nan_enabled,
                                         is_anomaly_enabled, set_detect_anomaly)
from ember.autograd.backward import backward, grad
from ember.autograd.function import Function, FunctionCtx, once_differentiable
from ember.autograd.grad_mode import (enable_grad, inference_mode, no_grad, set_grad_enabled)
from ember.autograd.gradcheck import GradcheckError, gradcheck, gradgradcheck

__all__ = ["backward", "grad", "Function", "FunctionCtx", "once_differentiable",
           "detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled",
           "is_anomaly_check_nan_enabled", "no_grad", "enable_grad", "set_grad_enabled",
           "inference_mode", "grad_mode", "graph", "functional", "gradcheck", "gradgradcheck",
           "GradcheckError"]
