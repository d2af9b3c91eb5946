"""nn.utils.weight_norm (the hook-based, deprecated form): weight = g * v / ||v||, recomputed
before every forward from the parameters weight_g and weight_v, as torch.nn.utils.weight_norm.

The normalisation over every dimension but `dim` is PyTorch's _weight_norm: one primitive
(WeightNormInterfaceBackward0) when dim is the first or last dimension, a composition of ember
ops otherwise (dim=None normalises the whole tensor)."""
import warnings

import numpy as np

from ember.nn.parameter import Parameter, UninitializedParameter
from ember.ops._registry import node_class, record

__all__ = ["WeightNorm", "weight_norm", "remove_weight_norm"]


def _norm_except_dim(v, dim):
    """The 2-norm of v over every dimension but dim, shaped to broadcast against v (a scalar
    for dim == -1), as torch.norm_except_dim."""
    if dim == -1:
        return v.norm(2)
    if dim == 0:
        shape = (v.size(0),) + (1,) * (v.dim() - 1)
        return v.contiguous().view(v.size(0), -1).norm(2, 1).view(shape)
    if dim == v.dim() - 1:
        shape = (1,) * (v.dim() - 1) + (v.size(-1),)
        return v.contiguous().view(-1, v.size(-1)).norm(2, 0).view(shape)
    return _norm_except_dim(v.transpose(0, dim), 0).transpose(0, dim)


def _reduce_except(tensor, dim):
    axes = tuple(axis for axis in range(tensor.dim()) if axis != dim)
    return tensor.sum(axes, keepdim=True)


def _interface_v_grad(grad, v, g, dim):
    norm = _norm_except_dim(v, dim)
    projection = _reduce_except(grad * v, dim) / (norm * norm)
    return (g / norm) * (grad - v * projection)


def _interface_g_grad(grad, v, g, dim):
    norm = _norm_except_dim(v, dim)
    return (_reduce_except(grad * v, dim) / norm).view(g.shape)


WeightNormInterfaceBackward0 = node_class("WeightNormInterfaceBackward0", _interface_v_grad,
                                          _interface_g_grad)


def _weight_norm(v, g, dim=0):
    """g * v / ||v|| with the norm over every dimension but dim."""
    if dim == -1 or not (dim == 0 or dim == v.dim() - 1):
        return v * (g / _norm_except_dim(v, dim))
    data = v._data
    axes = tuple(axis for axis in range(data.ndim) if axis != dim)
    norm = np.sqrt((data.astype(np.float64) ** 2).sum(axes, keepdims=True))
    array = (data * (g._data.reshape(norm.shape) / norm)).astype(data.dtype)
    return record(array, WeightNormInterfaceBackward0, (v, g), (v, g, dim))


class WeightNorm:
    """The forward pre-hook that recomputes module.<name> from <name>_g and <name>_v."""

    def __init__(self, name, dim):
        if dim is None:
            dim = -1
        self.name = name
        self.dim = dim

    def compute_weight(self, module):
        g = getattr(module, self.name + "_g")
        v = getattr(module, self.name + "_v")
        return _weight_norm(v, g, self.dim)

    @staticmethod
    def apply(module, name, dim):
        warnings.warn("`torch.nn.utils.weight_norm` is deprecated in favor of "
                      "`torch.nn.utils.parametrizations.weight_norm`.", FutureWarning,
                      stacklevel=2)
        for hook in module._forward_pre_hooks.values():
            if isinstance(hook, WeightNorm) and hook.name == name:
                raise RuntimeError(f"Cannot register two weight_norm hooks on the same "
                                   f"parameter {name}")
        if dim is None:
            dim = -1
        fn = WeightNorm(name, dim)
        weight = getattr(module, name)
        if isinstance(weight, UninitializedParameter):
            raise ValueError("The module passed to `WeightNorm` can't have uninitialized "
                             "parameters. Make sure to run the dummy forward before applying "
                             "weight normalization")
        del module._parameters[name]
        module.register_parameter(name + "_g", Parameter(_norm_except_dim(weight, dim).data))
        module.register_parameter(name + "_v", Parameter(weight.data))
        setattr(module, name, fn.compute_weight(module))
        module.register_forward_pre_hook(fn)
        return fn

    def remove(self, module):
        weight = self.compute_weight(module)
        delattr(module, self.name)
        del module._parameters[self.name + "_g"]
        del module._parameters[self.name + "_v"]
        setattr(module, self.name, Parameter(weight.data))

    def __call__(self, module, inputs):
        setattr(module, self.name, self.compute_weight(module))


def weight_norm(module, name="weight", dim=0):
    """Replaces module.<name> by g * v / ||v|| (parameters <name>_g and <name>_v)."""
    WeightNorm.apply(module, name, dim)
    return module


def remove_weight_norm(module, name="weight"):
    """Undoes weight_norm: module.<name> becomes a plain parameter again."""
    for k, hook in module._forward_pre_hooks.items():
        if isinstance(hook, WeightNorm) and hook.name == name:
            hook.remove(module)
            del module._forward_pre_hooks[k]
            return module
    raise ValueError(f"weight_norm of '{name}' not found in {module}")
