"""nn.functional: batch_norm, instance_norm, layer_norm, group_norm, rms_norm.

batch, layer and group norm share one primitive: statistics over some axes of a view of the
input, then an affine map. The forward is a handful of NumPy passes; the backward is PyTorch's
closed form (one expression per input), run on the saved mean and inverse deviation. Under
create_graph the same formulas are evaluated with ember ops from the input, so higher-order
gradients are exact."""
import numpy as np

from ember._tensor import _wrap
from ember.autograd.grad_mode import STATE, no_grad
from ember.nn._functional.padding import pad
from ember.nn._functional.pooling import avg_pool2d, avg_pool3d
from ember.ops._registry import node_class, record

__all__ = ["batch_norm", "instance_norm", "layer_norm", "group_norm", "rms_norm",
           "local_response_norm"]


class _NormSpec:
    """How a normalisation sees its input: the view the statistics are taken in (view_shape,
    axes), whether batch statistics are used, and the shape that broadcasts weight/bias over
    the input (param_shape) with the input axes their gradients sum over (param_axes)."""

    __slots__ = ("input_shape", "view_shape", "axes", "batch_stats", "param_shape",
                 "param_axes", "count")

    def __init__(self, input_shape, view_shape, axes, batch_stats, param_shape, param_axes):
        self.input_shape = input_shape
        self.view_shape = view_shape
        self.axes = axes
        self.batch_stats = batch_stats
        self.param_shape = param_shape
        self.param_axes = param_axes
        count = 1
        for axis in axes:
            count *= view_shape[axis]
        self.count = count


def _statistics(view, axes, eps):
    """Mean and inverse standard deviation (biased variance) over axes, kept as dims."""
    mean = view.mean(axis=axes, keepdims=True)
    centered = view - mean
    variance = np.mean(centered * centered, axis=axes, keepdims=True)
    invstd = 1.0 / np.sqrt(variance + view.dtype.type(eps))
    return mean, invstd.astype(view.dtype, copy=False), centered, variance


def _affine_array(normalized, weight, bias, spec):
    if weight is not None:
        normalized = normalized * weight._data.reshape(spec.param_shape)
    if bias is not None:
        normalized = normalized + bias._data.reshape(spec.param_shape)
    return normalized


def _recorded_normalized(input, eps, spec):
    """x_hat and 1/std in the statistics view, as ember ops of the input (for create_graph)."""
    view = input.reshape(spec.view_shape)
    centered = view - view.mean(spec.axes, keepdim=True)
    inverse = ((centered * centered).mean(spec.axes, keepdim=True) + eps).rsqrt()
    return centered * inverse, inverse


def _input_grad(grad, input, weight, mean, invstd, eps, spec):
    """PyTorch's closed form: invstd * (g - mean(g) - x_hat * mean(g * x_hat)), g = grad * w."""
    scaled = grad if weight is None else grad * weight.reshape(spec.param_shape)
    if not spec.batch_stats:
        # running statistics are constants: the map is affine in the input
        return scaled * _wrap(invstd)
    if STATE.enabled:
        normalized, inverse = _recorded_normalized(input, eps, spec)
        scaled_view = scaled.reshape(spec.view_shape)
        inner = (scaled_view - scaled_view.mean(spec.axes, keepdim=True)
                 - normalized * (scaled_view * normalized).mean(spec.axes, keepdim=True))
        return (inner * inverse).reshape(spec.input_shape)
    g = scaled._data.reshape(spec.view_shape)
    normalized = (input._data.reshape(spec.view_shape) - mean) * invstd
    inner = g - g.mean(axis=spec.axes, keepdims=True)
    inner -= normalized * np.mean(g * normalized, axis=spec.axes, keepdims=True)
    inner *= invstd
    return _wrap(inner.reshape(spec.input_shape))


def _weight_grad(grad, input, weight, mean, invstd, eps, spec):
    normalized = _normalized_for_grad(input, mean, invstd, eps, spec)
    return (grad * normalized).sum(spec.param_axes) if spec.param_axes else grad * normalized


def _bias_grad(grad, input, weight, mean, invstd, eps, spec):
    return grad.sum(spec.param_axes) if spec.param_axes else grad


def _normalized_for_grad(input, mean, invstd, eps, spec):
    """x_hat, recorded (under create_graph) as a function of the input."""
    if STATE.enabled and spec.batch_stats:
        return _recorded_normalized(input, eps, spec)[0].reshape(spec.input_shape)
    if STATE.enabled:
        return (input - _wrap(mean)) * _wrap(invstd)
    view = input._data.reshape(spec.view_shape)
    return _wrap(((view - mean) * invstd).reshape(spec.input_shape))


NativeBatchNormBackward0 = node_class("NativeBatchNormBackward0", _input_grad, _weight_grad,
                                      _bias_grad)
NativeLayerNormBackward0 = node_class("NativeLayerNormBackward0", _input_grad, _weight_grad,
                                      _bias_grad)
NativeGroupNormBackward0 = node_class("NativeGroupNormBackward0", _input_grad, _weight_grad,
                                      _bias_grad)


def _normalize(input, weight, bias, eps, spec, node, running=None):
    """The shared primitive; `running` = (mean, var) arrays to normalise with instead of the
    batch statistics. Returns the output and the batch (mean, biased variance)."""
    data = input._data
    view = data.reshape(spec.view_shape)
    if running is None:
        mean, invstd, centered, variance = _statistics(view, spec.axes, eps)
        normalized = (centered * invstd).reshape(spec.input_shape)
    else:
        mean = running[0]
        invstd = (1.0 / np.sqrt(running[1] + eps)).astype(data.dtype, copy=False)
        variance = None
        normalized = (view - mean) * invstd
    array = _affine_array(normalized, weight, bias, spec)
    output = record(array.astype(data.dtype, copy=False), node, (input, weight, bias),
                    (input, weight, mean, invstd, eps, spec))
    return output, mean, variance


# ---- batch_norm, instance_norm -----------------------------------------------------------------

def _verify_batch_size(size):
    product = size[0]
    for extent in size[2:]:
        product *= extent
    if product == 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input size "
                         f"{size}")


def _check_stat(name, tensor, channels):
    if tensor is not None and tensor._data.size != channels:
        raise RuntimeError(f"{name} should contain {channels} elements not "
                           f"{tensor._data.size}")


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    """Normalises each channel (dimension 1) by batch statistics in training (updating the
    running estimates in place) or by the running estimates otherwise."""
    shape = input._data.shape
    if training:
        _verify_batch_size(input.size())
    if training and eps <= 0.0:
        raise ValueError(f"batch_norm eps must be positive during training, but got {eps}")
    if eps < 0.0:
        raise ValueError(f"batch_norm eps must be non-negative, but got {eps}")
    channels = shape[1] if len(shape) > 1 else 1
    # ATen's order: the running statistics (required in evaluation), then the affine ones
    for name, tensor in (("running_mean", running_mean), ("running_var", running_var)):
        if tensor is None and not training:
            raise RuntimeError(f"{name} must be defined in evaluation mode")
        _check_stat(name, tensor, channels)
    for name, tensor in (("weight", weight), ("bias", bias)):
        _check_stat(name, tensor, channels)
    axes = (0,) + tuple(range(2, len(shape)))
    param_shape = (1, channels) + (1,) * (len(shape) - 2)
    use_batch = training or running_mean is None or running_var is None
    spec = _NormSpec(shape, shape, axes, use_batch, param_shape, axes)
    running = None
    if not use_batch:
        running = (running_mean._data.reshape(param_shape).astype(input._data.dtype),
                   running_var._data.reshape(param_shape).astype(input._data.dtype))
    output, mean, variance = _normalize(input, weight, bias, eps, spec,
                                        NativeBatchNormBackward0, running)
    if training and running_mean is not None:
        _update_running(running_mean, mean, momentum)
    if training and running_var is not None:
        count = spec.count
        unbiased = variance * (count / max(count - 1, 1))
        _update_running(running_var, unbiased, momentum)
    return output


def _update_running(buffer, batch_value, momentum):
    """buffer <- (1 - momentum) * buffer + momentum * batch_value, in place, no history."""
    target = buffer._data
    updated = target * (1 - momentum) + batch_value.reshape(target.shape) * momentum
    np.copyto(target, updated, casting="unsafe")
    buffer._bump_version()


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None,
                  use_input_stats=True, momentum=0.1, eps=1e-5):
    """batch_norm of each (sample, channel) plane, as PyTorch: the batch folded into the
    channels."""
    if use_input_stats:
        size = input.size()
        product = 1
        for extent in size[2:]:
            product *= extent
        if product == 1:
            raise ValueError(f"Expected more than 1 spatial element when training, got input "
                             f"size {size}")
    shape = list(input._data.shape)
    batch, channels = shape[0], shape[1]
    folded = [1, batch * channels] + shape[2:]

    def repeated(tensor):
        return None if tensor is None else tensor.repeat(batch)

    folded_mean = repeated(running_mean)
    folded_var = repeated(running_var)
    output = batch_norm(input.contiguous().view(folded), folded_mean, folded_var,
                        repeated(weight), repeated(bias), use_input_stats, momentum, eps)
    with no_grad():
        if running_mean is not None:
            running_mean.copy_(folded_mean.view(batch, channels).mean(0))
        if running_var is not None:
            running_var.copy_(folded_var.view(batch, channels).mean(0))
    return output.view(input.shape)


# ---- layer_norm, group_norm, rms_norm ----------------------------------------------------------

def _normalized_shape_tuple(normalized_shape):
    if isinstance(normalized_shape, int):
        return (normalized_shape,)
    return tuple(normalized_shape)


def _check_layer_shapes(input, normalized_shape, weight, bias, separator=", "):
    shape = input._data.shape
    count = len(normalized_shape)
    for name, tensor in (("weight", weight), ("bias", bias)):
        if tensor is not None and tuple(tensor._data.shape) != normalized_shape:
            raise RuntimeError(f"Expected {name} to be of same shape as normalized_shape, but "
                               f"got {name} of shape {list(tensor._data.shape)} and "
                               f"normalized_shape = {list(normalized_shape)}")
    if count > len(shape) or tuple(shape[len(shape) - count:]) != normalized_shape:
        expected = ", ".join(str(extent) for extent in normalized_shape)
        raise RuntimeError(f"Given normalized_shape={list(normalized_shape)}, expected input "
                           f"with shape [*{separator}{expected}], but got input of "
                           f"size{list(shape)}")


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalises over the trailing normalized_shape dimensions, then the elementwise affine."""
    normalized_shape = _normalized_shape_tuple(normalized_shape)
    _check_layer_shapes(input, normalized_shape, weight, bias)
    shape = input._data.shape
    leading = len(shape) - len(normalized_shape)
    axes = tuple(range(leading, len(shape)))
    spec = _NormSpec(shape, shape, axes, True, normalized_shape, tuple(range(leading)))
    output, _, _ = _normalize(input, weight, bias, eps, spec, NativeLayerNormBackward0)
    return output


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Normalises each group of num_groups channel groups per sample, then a per-channel
    affine."""
    if input.dim() < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received "
                           f"{input.dim()}")
    size = input.size()
    _verify_batch_size([size[0] * size[1] // num_groups, num_groups] + list(size[2:]))
    shape = input._data.shape
    channels = shape[1]
    if channels % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by "
                           f"num_groups, but got input of shape {list(shape)} and num_groups="
                           f"{num_groups}")
    for name, tensor in (("weight", weight), ("bias", bias)):
        if tensor is not None and (tensor._data.ndim != 1 or tensor._data.size != channels):
            raise RuntimeError(f"Expected {name} to be a vector of size equal to the number of "
                               f"channels in input, but got {name} of shape "
                               f"{list(tensor._data.shape)} and input of shape {list(shape)}")
    view_shape = (shape[0], num_groups, input._data.size // max(shape[0] * num_groups, 1))
    param_shape = (1, channels) + (1,) * (len(shape) - 2)
    param_axes = (0,) + tuple(range(2, len(shape)))
    spec = _NormSpec(shape, view_shape, (2,), True, param_shape, param_axes)
    output, _, _ = _normalize(input, weight, bias, eps, spec, NativeGroupNormBackward0)
    return output


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """x / sqrt(mean(x^2) + eps) over the trailing dimensions, times weight (PyTorch's
    composition; eps defaults to the dtype's machine epsilon)."""
    normalized_shape = _normalized_shape_tuple(normalized_shape)
    # PyTorch's rms_norm words the expected shape without the comma after '*'
    _check_layer_shapes(input, normalized_shape, weight, None, separator="")
    if eps is None:
        eps = float(np.finfo(input._data.dtype).eps)
    dims = tuple(range(input._data.ndim - len(normalized_shape), input._data.ndim))
    inverse = (input.pow(2).mean(dims, keepdim=True) + eps).rsqrt()
    result = input * inverse
    if weight is not None:
        result = result * weight
    return result


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """input / (k + alpha * mean of squares over `size` neighbouring channels) ** beta,
    composed (pad then average pooling over the channels) as PyTorch composes it."""
    dim = input.dim()
    if dim < 3:
        # PyTorch's message carries the indentation of its source line
        raise ValueError(f"Expected 3D or higher dimensionality                          "
                         f"input (got {dim} dimensions)")
    if input.numel() == 0:
        return input
    div = input.mul(input)
    if dim == 3:
        div = div.unsqueeze(1)
        div = pad(div, (0, 0, size // 2, (size - 1) // 2))
        div = avg_pool2d(div, (size, 1), stride=1).squeeze(1)
    else:
        sizes = input.size()
        div = div.view(sizes[0], 1, sizes[1], sizes[2], -1)
        div = pad(div, (0, 0, 0, 0, size // 2, (size - 1) // 2))
        div = avg_pool3d(div, (size, 1, 1), stride=1).squeeze(1)
        div = div.view(sizes)
    div = div.mul(alpha).add(k).pow(beta)
    return input / div
