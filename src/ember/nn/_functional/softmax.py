"""nn.functional: softmax, log_softmax, softmin, and the vector helpers normalize,
cosine_similarity, pairwise_distance and one_hot.

softmax and log_softmax subtract the maximum before exponentiating (no overflow); their
backwards are ops of their own (PyTorch's _softmax_backward_data and
_log_softmax_backward_data), each one NumPy pass, with rules in ember ops for double backward."""
import warnings

import numpy as np

from ember._errors import normalize_dim
from ember._tensor import _wrap
from ember.ops._elementwise import not_implemented
from ember.autograd.grad_mode import no_grad
from ember.ops._registry import RESULT, method, node_class, record
from ember.ops.joining import broadcast_tensors
from ember.ops.pointwise import div
from ember.ops.ternary import where

__all__ = ["softmax", "log_softmax", "softmin", "normalize", "cosine_similarity",
           "pairwise_distance", "one_hot"]


def _implicit_dim(name, ndim, stacklevel):
    """PyTorch's legacy choice of dimension when softmax is called without one."""
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call "
                  "to include dim=X as an argument.", stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def _softmax_input(input, dim, dtype, kernel):
    """The input cast to the compute dtype (recorded, as PyTorch's), and dim as an axis."""
    if dtype is not None:
        input = input.to(dtype)
    data = input._data
    axis = normalize_dim(dim, data.ndim) if data.ndim else normalize_dim(dim, 1)
    if data.dtype.kind not in "fc":
        raise not_implemented(kernel, input.dtype)
    return input, axis


def _shifted(data, axis):
    """data minus its maximum along axis (a fresh array, safe to modify in place)."""
    if data.ndim == 0:
        return np.array(data - data)
    return data - data.max(axis=axis, keepdims=True)


# ---- softmax -----------------------------------------------------------------------------------

def _softmax_backward(grad, result, axis):
    """result * (grad - sum(grad * result)): softmax's vector-Jacobian product."""
    g = grad._data
    y = result._data
    product = g * y
    array = product - y * product.sum(axis=axis, keepdims=True)
    return record(array, SoftmaxBackwardDataBackward0, (grad, result), (grad, result, axis))


def _softmax_backward_result_grad(gradgrad, grad, result, axis):
    # d/dy of y * (g - sum(g * y)) applied to u: u * (g - s) - g * sum(u * y)
    total = (grad * result).sum(axis, keepdim=True)
    return gradgrad * (grad - total) - grad * (gradgrad * result).sum(axis, keepdim=True)


SoftmaxBackwardDataBackward0 = node_class(
    "SoftmaxBackwardDataBackward0",
    lambda gradgrad, grad, result, axis: _softmax_backward(gradgrad, result, axis),
    _softmax_backward_result_grad)
SoftmaxBackward0 = node_class("SoftmaxBackward0", _softmax_backward)


def _softmax_array(data, axis):
    array = _shifted(data, axis)
    np.exp(array, out=array)
    if array.ndim:
        array /= array.sum(axis=axis, keepdims=True)
    return array


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """exp(x) / sum(exp(x)) along dim, computed with the maximum subtracted."""
    if dim is None:
        dim = _implicit_dim("softmax", input._data.ndim, _stacklevel)
    input, axis = _softmax_input(input, dim, dtype, "softmax_lastdim_kernel_impl")
    return record(_softmax_array(input._data, axis), SoftmaxBackward0, (input,), (RESULT, axis))


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """softmax(-input) along dim."""
    if dim is None:
        dim = _implicit_dim("softmin", input._data.ndim, _stacklevel)
    if dtype is not None:
        return softmax(-input, dim, dtype=dtype)
    return softmax(-input, dim)


# ---- log_softmax -------------------------------------------------------------------------------

def _log_softmax_backward(grad, result, axis):
    """grad - exp(result) * sum(grad): log_softmax's vector-Jacobian product."""
    g = grad._data
    array = g - np.exp(result._data) * g.sum(axis=axis, keepdims=True)
    return record(array, LogSoftmaxBackwardDataBackward0, (grad, result), (grad, result, axis))


def _log_softmax_backward_grad_grad(gradgrad, grad, result, axis):
    return gradgrad - (gradgrad * result.exp()).sum(axis, keepdim=True)


def _log_softmax_backward_result_grad(gradgrad, grad, result, axis):
    return -gradgrad * result.exp() * grad.sum(axis, keepdim=True)


LogSoftmaxBackwardDataBackward0 = node_class(
    "LogSoftmaxBackwardDataBackward0", _log_softmax_backward_grad_grad,
    _log_softmax_backward_result_grad)
LogSoftmaxBackward0 = node_class("LogSoftmaxBackward0", _log_softmax_backward)


def _log_softmax_array(data, axis):
    array = _shifted(data, axis)
    if array.ndim:
        array -= np.log(np.exp(array).sum(axis=axis, keepdims=True))
    return array


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """x - logsumexp(x) along dim, computed with the maximum subtracted."""
    if dim is None:
        dim = _implicit_dim("log_softmax", input._data.ndim, _stacklevel)
    input, axis = _softmax_input(input, dim, dtype, "log_softmax_lastdim_kernel_impl")
    return record(_log_softmax_array(input._data, axis), LogSoftmaxBackward0, (input,),
                  (RESULT, axis))


def _tensor_softmax(self, dim, dtype=None):
    return softmax(self, dim, dtype=dtype)


def _tensor_log_softmax(self, dim, dtype=None):
    return log_softmax(self, dim, dtype=dtype)


method("softmax", _tensor_softmax)
method("log_softmax", _tensor_log_softmax)


# ---- normalize, cosine_similarity, pairwise_distance -------------------------------------------

def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """input / max(||input||_p along dim, eps)."""
    denominator = input.norm(p, dim, keepdim=True).clamp_min(eps).expand_as(input)
    if out is None:
        return input / denominator
    return div(input, denominator, out=out)


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """Cosine of the angle between x1 and x2 along dim (norms clamped below by eps)."""
    x1, x2 = broadcast_tensors(x1, x2)
    # clones: the norms are clamped in place without history, as PyTorch does
    norm1 = x1.norm(2, dim, keepdim=True).clone()
    norm2 = x2.norm(2, dim, keepdim=True).clone()
    with no_grad():
        norm1.clamp_min_(eps)
        norm2.clamp_min_(eps)
    return ((x1 / norm1) * (x2 / norm2)).sum(dim)


def _norm_backward(grad, difference, p, axis, keepdim, result):
    if not keepdim:
        grad = grad.unsqueeze(axis)
        result = result.unsqueeze(axis)
    if p == 2:
        scale = where(result == 0, 0.0, grad / result)
        return difference * scale
    if p == 1:
        return grad * difference.sgn()
    if p == float("inf"):
        mask = difference.abs() == result
        return grad * difference.sgn() * mask / mask.sum(axis, keepdim=True)
    magnitude = difference.abs()
    scale = where(result == 0, 0.0, grad / result.pow(p - 1))
    return scale * difference.sgn() * magnitude.pow(p - 1)


NormBackward1 = node_class(
    "NormBackward1",
    lambda grad, difference, p, axis, keepdim, result:
        _norm_backward(grad, difference, p, axis, keepdim, result))


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """||x1 - x2 + eps||_p over the last dimension."""
    difference = x1 - x2 + eps
    data = difference._data
    axis = data.ndim - 1 if data.ndim else 0
    if data.ndim == 0:
        array = np.abs(data)
    elif p == float("inf"):
        array = np.abs(data).max(axis=axis, keepdims=keepdim)
    elif p == 0:
        array = (data != 0).sum(axis=axis, keepdims=keepdim).astype(data.dtype)
    else:
        array = np.linalg.norm(data, ord=None if p == 2 else p, axis=axis, keepdims=keepdim)
        array = np.asarray(array, dtype=data.dtype)
    return record(array, NormBackward1, (difference,),
                  (difference, p, axis, keepdim or data.ndim == 0, RESULT))


# ---- one_hot -----------------------------------------------------------------------------------

def one_hot(tensor, num_classes=-1):
    """int64 one-hot encoding along a new last dimension."""
    data = tensor._data
    if data.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if data.size == 0:
        if num_classes <= 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        return _wrap(np.zeros(data.shape + (num_classes,), dtype=np.int64))
    if data.min() < 0:
        raise RuntimeError("Class values must be non-negative.")
    if num_classes == -1:
        num_classes = int(data.max()) + 1
    elif data.max() >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    array = (data[..., None] == np.arange(num_classes)).astype(np.int64)
    return _wrap(array)
