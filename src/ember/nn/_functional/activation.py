"""nn.functional: elementwise activations (relu family, elu family, gelu, silu, softplus...).

Each activation torch shows its own grad_fn for is a primitive: a NumPy forward and a
derivative rule in ember ops (so double backward works). The hot ones (relu, threshold) take
their backward through one NumPy pass recorded as an op of its own, as PyTorch's
threshold_backward. Softmax, normalisation and distances live in activation_softmax.py."""
import math

import numpy as np

from ember._errors import dtype_name
from ember._tensor import _wrap as _wrap_array
from ember.ops._elementwise import not_implemented
from ember.ops._registry import RESULT, apply_inplace, inplace_method, method, node_class, record
from ember.ops._erf import erf as _erf_array
from ember.ops.sampling import _numpy_generator
from ember.ops.ternary import where
from ember.nn._functional import softmax as _softmax
from ember.nn._functional.softmax import *  # noqa: F401,F403

__all__ = ["threshold", "threshold_", "relu", "relu_", "relu6", "hardtanh", "hardtanh_", "elu",
           "elu_", "selu", "selu_", "celu", "celu_", "leaky_relu", "leaky_relu_", "prelu",
           "glu", "gelu", "logsigmoid", "hardshrink", "softshrink", "tanhshrink", "softsign",
           "softplus", "tanh", "sigmoid", "hardsigmoid", "silu", "mish", "hardswish", "rrelu",
           "rrelu_"]
__all__ += _softmax.__all__

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946
_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_GELU_CUBIC = 0.044715


def _float_data(input, kernel):
    """The input's ndarray; integral and bool inputs get PyTorch's missing-kernel error."""
    data = input._data
    if data.dtype.kind in "biu":
        raise not_implemented(kernel, input.dtype)
    return data


def _typed(data, value):
    """A Python number as a 0-d array of data's dtype (keeps float16/float32 results)."""
    return data.dtype.type(value)


# ---- threshold and relu: one-pass backward as an op of its own --------------------------------

def _threshold_backward(grad, input, threshold):
    """grad where input > threshold, else 0 (PyTorch's threshold_backward)."""
    data = grad._data
    keep = input._data > threshold
    # a product with the mask is several times faster than np.where; only a non-finite
    # gradient (inf * 0 is nan) needs the exact select PyTorch performs
    array = data * keep
    if not np.isfinite(data).all():
        array = np.where(keep, data, _typed(data, 0))
    return record(array, ThresholdBackwardBackward0, (grad, input), (input, threshold))


ThresholdBackwardBackward0 = node_class(
    "ThresholdBackwardBackward0",
    lambda grad, input, threshold: _threshold_backward(grad, input, threshold),
    None)
ReluBackward0 = node_class("ReluBackward0",
                           lambda grad, result: _threshold_backward(grad, result, 0))
ThresholdBackward0 = node_class(
    "ThresholdBackward0",
    lambda grad, input, threshold: _threshold_backward(grad, input, threshold))
ThresholdBackward1 = node_class(
    "ThresholdBackward1",
    lambda grad, result, threshold: _threshold_backward(grad, result, threshold))


def _relu(input):
    data = input._data
    if data.dtype.kind == "b":
        raise RuntimeError("Boolean inputs not supported for relu")
    return record(np.maximum(data, _typed(data, 0)), ReluBackward0, (input,), (RESULT,))


def relu(input, inplace=False):
    """max(input, 0), elementwise."""
    if inplace:
        return relu_(input)
    return _relu(input)


def relu_(input):
    """In-place relu."""
    return apply_inplace(input, _relu, (), {})


method("relu", _relu)
inplace_method("relu", _relu)


def _threshold_values(data, threshold, value):
    return np.where(data > threshold, data, _typed(data, value))


def threshold(input, threshold, value, inplace=False):
    """input where input > threshold, else value."""
    if inplace:
        return threshold_(input, threshold, value)
    array = _threshold_values(input._data, threshold, value)
    return record(array, ThresholdBackward0, (input,), (input, threshold))


def _threshold_inplace_result(input, threshold, value):
    array = _threshold_values(input._data, threshold, value)
    return record(array, ThresholdBackward1, (input,), (RESULT, threshold))


def threshold_(input, threshold, value):
    """In-place threshold."""
    return apply_inplace(input, _threshold_inplace_result, (threshold, value), {})


# ---- hardtanh, relu6 ---------------------------------------------------------------------------

HardtanhBackward0 = node_class(
    "HardtanhBackward0",
    lambda grad, input, low, high: where((input > low).logical_and(input < high), grad, 0.0))


def _hardtanh(input, min_val, max_val):
    data = input._data
    array = np.clip(data, _typed(data, min_val), _typed(data, max_val))
    return record(array, HardtanhBackward0, (input,), (input, min_val, max_val))


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """input clamped to [min_val, max_val]."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    if inplace:
        return hardtanh_(input, min_val, max_val)
    return _hardtanh(input, min_val, max_val)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    """In-place hardtanh."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return apply_inplace(input, _hardtanh, (min_val, max_val), {})


def relu6(input, inplace=False):
    """min(max(input, 0), 6)."""
    return hardtanh(input, 0.0, 6.0, inplace)


# ---- elu, selu, celu, leaky_relu ---------------------------------------------------------------

def _elu_forward(data, alpha, scale, input_scale):
    negative = np.expm1(data * _typed(data, input_scale)) * _typed(data, alpha)
    return np.where(data > 0, data, negative) * _typed(data, scale)


def _elu_backward(grad, input, alpha, scale, input_scale):
    negative = (input * input_scale).exp() * (alpha * scale * input_scale)
    return grad * where(input > 0, scale, negative)


def _elu_backward_from_result(grad, result, alpha, scale, input_scale):
    # for x <= 0, result = scale * alpha * (exp(x * input_scale) - 1)
    negative = (result + alpha * scale) * input_scale
    return grad * where(result > 0, scale, negative)


EluBackward0 = node_class("EluBackward0", _elu_backward)
EluBackward1 = node_class("EluBackward1", _elu_backward_from_result)
CeluBackward0 = node_class("CeluBackward0", _elu_backward)
CeluBackward1 = node_class("CeluBackward1", _elu_backward_from_result)


def _elu_like(node, saves_result, alpha, scale, input_scale):
    def forward(input):
        array = _elu_forward(_float_data(input, "elu_cpu"), alpha, scale, input_scale)
        saved_input = RESULT if saves_result else input
        return record(array, node, (input,), (saved_input, alpha, scale, input_scale))
    return forward


def elu(input, alpha=1.0, inplace=False):
    """x for x > 0, alpha * (exp(x) - 1) otherwise."""
    if inplace:
        return elu_(input, alpha)
    return _elu_like(EluBackward0, False, alpha, 1.0, 1.0)(input)


def elu_(input, alpha=1.0):
    """In-place elu."""
    return apply_inplace(input, _elu_like(EluBackward1, True, alpha, 1.0, 1.0), (), {})


def selu(input, inplace=False):
    """scale * elu(x, alpha) with the self-normalising constants."""
    if inplace:
        return selu_(input)
    return _elu_like(EluBackward0, False, _SELU_ALPHA, _SELU_SCALE, 1.0)(input)


def selu_(input):
    """In-place selu."""
    forward = _elu_like(EluBackward1, True, _SELU_ALPHA, _SELU_SCALE, 1.0)
    return apply_inplace(input, forward, (), {})


def _check_celu_alpha(alpha):
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")


def celu(input, alpha=1.0, inplace=False):
    """max(0, x) + min(0, alpha * (exp(x / alpha) - 1))."""
    _check_celu_alpha(alpha)
    if inplace:
        return celu_(input, alpha)
    return _elu_like(CeluBackward0, False, alpha, 1.0, 1.0 / alpha)(input)


def celu_(input, alpha=1.0):
    """In-place celu."""
    _check_celu_alpha(alpha)
    return apply_inplace(input, _elu_like(CeluBackward1, True, alpha, 1.0, 1.0 / alpha), (), {})


def _leaky_backward(grad, saved, slope):
    return where(saved > 0, grad, grad * slope)


LeakyReluBackward0 = node_class("LeakyReluBackward0", _leaky_backward)
LeakyReluBackward1 = node_class("LeakyReluBackward1", _leaky_backward)


def _leaky_forward(node, saves_result):
    def forward(input, negative_slope):
        data = input._data
        array = np.where(data > 0, data, data * _typed(data, negative_slope))
        saved = RESULT if saves_result else input
        return record(array, node, (input,), (saved, negative_slope))
    return forward


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """x for x > 0, negative_slope * x otherwise."""
    if inplace:
        return leaky_relu_(input, negative_slope)
    return _leaky_forward(LeakyReluBackward0, False)(input, negative_slope)


def leaky_relu_(input, negative_slope=0.01):
    """In-place leaky_relu."""
    return apply_inplace(input, _leaky_forward(LeakyReluBackward1, True), (negative_slope,), {})


# ---- rrelu ---------------------------------------------------------------------------------------

RreluWithNoiseBackward0 = node_class("RreluWithNoiseBackward0", lambda grad, noise: grad * noise)
RreluWithNoiseBackward1 = node_class("RreluWithNoiseBackward1", lambda grad, noise: grad * noise)


def _rrelu_forward(node):
    def forward(input, lower, upper, training):
        data = input._data
        if training:
            # negative inputs are scaled by a slope drawn from U(lower, upper) each; the draws
            # come from ember's generator (PyTorch's stream differs)
            slopes = _numpy_generator(None).uniform(lower, upper, data.shape)
            noise = np.where(data <= 0, slopes, 1).astype(data.dtype)
        else:
            # evaluation: leaky_relu with the mean slope (x > 0 keeps slope 1)
            noise = np.where(data > 0, 1, (lower + upper) / 2).astype(data.dtype)
        return record(data * noise, node, (input,), (_wrap_array(noise),))
    return forward


def _check_rrelu_bounds(lower, upper):
    if lower > upper:
        raise RuntimeError("Lower bound should be less than or equal to the upper bound")


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    """Randomized leaky ReLU: random negative slopes in training, their mean otherwise."""
    if inplace:
        return rrelu_(input, lower, upper, training)
    _check_rrelu_bounds(lower, upper)
    return _rrelu_forward(RreluWithNoiseBackward0)(input, lower, upper, training)


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    """In-place rrelu."""
    _check_rrelu_bounds(lower, upper)
    return apply_inplace(input, _rrelu_forward(RreluWithNoiseBackward1),
                         (lower, upper, training), {})


# ---- prelu, glu --------------------------------------------------------------------------------

def _prelu_weight_shape(input, weight):
    """The shape that broadcasts a per-channel weight over dimension 1 of the input."""
    if weight._data.size == 1 or input._data.ndim < 2:
        return weight._data.shape if input._data.ndim else ()
    return (weight._data.size,) + (1,) * (input._data.ndim - 2)


def _prelu_input_grad(grad, input, weight):
    return where(input > 0, grad, grad * weight.reshape(_prelu_weight_shape(input, weight)))


def _prelu_weight_grad(grad, input, weight):
    contribution = where(input > 0, 0.0, grad * input)
    if weight._data.size == 1:
        return contribution.sum().reshape(weight._data.shape)
    dims = tuple(d for d in range(input._data.ndim) if d != 1)
    return contribution.sum(dims).reshape(weight._data.shape)


PreluKernelBackward0 = node_class("PreluKernelBackward0", _prelu_input_grad,
                                  _prelu_weight_grad)


def prelu(input, weight):
    """x for x > 0, weight * x otherwise, with one weight per channel (dimension 1)."""
    data = input._data
    if weight._data.dtype != data.dtype:
        raise RuntimeError(f"prelu: Type promoting not supported. Got "
                           f"{dtype_name(input.dtype)} and {dtype_name(weight.dtype)}")
    channels = data.shape[1] if data.ndim >= 2 else 1
    if weight._data.ndim > 1:
        raise RuntimeError(f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: "
                           f"ndim = {weight._data.ndim}")
    if weight._data.size != 1 and weight._data.size != channels:
        raise RuntimeError(
            f"Mismatch of parameter numbers and input channel size. Found parameter numbers = "
            f"{weight._data.size} and channel size = {channels}.")
    slopes = weight._data.reshape(_prelu_weight_shape(input, weight))
    array = np.where(data > 0, data, data * slopes)
    return record(array, PreluKernelBackward0, (input, weight), (input, weight))


method("prelu", prelu)


def _glu_backward(grad, input, dim):
    first, second = input.chunk(2, dim)
    gate = second.sigmoid()
    grad_first = grad * gate
    grad_second = grad * first * gate * (1 - gate)
    from ember.ops.joining import cat
    return cat((grad_first, grad_second), dim)


GluBackward0 = node_class("GluBackward0", _glu_backward)


def glu(input, dim=-1):
    """a * sigmoid(b) where a and b are the halves of input along dim."""
    data = input._data
    if data.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    axis = dim + data.ndim if dim < 0 else dim
    size = data.shape[axis]
    if size % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {axis} is size "
                           f"{size}")
    first, second = np.split(data, 2, axis=axis)
    one = _typed(data, 1)
    array = first * (one / (one + np.exp(-second)))
    return record(array, GluBackward0, (input,), (input, axis))


# ---- gelu, silu, mish, softplus, logsigmoid ----------------------------------------------------

def _gelu_backward(grad, input, approximate):
    if approximate == "tanh":
        inner = (input + input.pow(3) * _GELU_CUBIC) * _SQRT_2_OVER_PI
        tanh_inner = inner.tanh()
        derivative_inner = (1 + input * input * (3 * _GELU_CUBIC)) * _SQRT_2_OVER_PI
        left = 0.5 * (1 + tanh_inner)
        right = 0.5 * input * (1 - tanh_inner * tanh_inner) * derivative_inner
        return grad * (left + right)
    cdf = 0.5 * (1 + (input * _SQRT_HALF).erf())
    pdf = (input * input * -0.5).exp() * _INV_SQRT_2PI
    return grad * (cdf + input * pdf)


GeluBackward0 = node_class("GeluBackward0", _gelu_backward)


def gelu(input, approximate="none"):
    """x * Phi(x), or its tanh approximation with approximate='tanh'."""
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    data = _float_data(input, "GeluKernelImpl")
    if approximate == "tanh":
        inner = (data + _typed(data, _GELU_CUBIC) * data * data * data)
        inner = inner * _typed(data, _SQRT_2_OVER_PI)
        array = _typed(data, 0.5) * data * (_typed(data, 1) + np.tanh(inner))
    else:
        cdf = 0.5 * (1.0 + _erf_array(data.astype(np.float64) * _SQRT_HALF))
        array = (data * cdf).astype(data.dtype)
    return record(array, GeluBackward0, (input,), (input, approximate))


def _silu_backward(grad, input):
    gate = input.sigmoid()
    return grad * gate * (1 + input * (1 - gate))


SiluBackward0 = node_class("SiluBackward0", _silu_backward)


def _silu(input):
    data = _float_data(input, "silu_cpu")
    one = _typed(data, 1)
    return record(data / (one + np.exp(-data)), SiluBackward0, (input,), (input,))


def silu(input, inplace=False):
    """x * sigmoid(x)."""
    if inplace:
        return apply_inplace(input, _silu, (), {})
    return _silu(input)


def _softplus_array(data, beta, threshold):
    scaled = data * _typed(data, beta)
    # log1p(exp(x)) overflows for large x; beyond the threshold softplus is x itself
    soft = np.logaddexp(_typed(data, 0), scaled) / _typed(data, beta)
    return np.where(scaled > threshold, data, soft)


def _mish_backward(grad, input):
    softplus_value = softplus(input)
    tanh_softplus = softplus_value.tanh()
    return grad * (tanh_softplus + input * input.sigmoid() * (1 - tanh_softplus * tanh_softplus))


MishBackward0 = node_class("MishBackward0", _mish_backward)


def _mish(input):
    data = _float_data(input, "mish_cpu")
    array = data * np.tanh(_softplus_array(data, 1.0, 20.0))
    return record(array, MishBackward0, (input,), (input,))


def mish(input, inplace=False):
    """x * tanh(softplus(x))."""
    if inplace:
        return apply_inplace(input, _mish, (), {})
    return _mish(input)


def _softplus_backward(grad, input, beta, threshold):
    scaled = input * beta
    return where(scaled > threshold, grad, grad * scaled.sigmoid())


SoftplusBackward0 = node_class("SoftplusBackward0", _softplus_backward)


def softplus(input, beta=1.0, threshold=20.0):
    """log(1 + exp(beta * x)) / beta, linear above threshold for stability."""
    data = _float_data(input, "softplus_cpu")
    array = _softplus_array(data, beta, threshold)
    return record(array, SoftplusBackward0, (input,), (input, beta, threshold))


LogSigmoidBackward0 = node_class("LogSigmoidBackward0",
                                 lambda grad, input: grad * (-input).sigmoid())


def logsigmoid(input):
    """log(sigmoid(x)), computed as -softplus(-x) so it never overflows."""
    data = _float_data(input, "log_sigmoid_cpu")
    array = -np.logaddexp(_typed(data, 0), -data)
    return record(array, LogSigmoidBackward0, (input,), (input,))


# ---- shrinks, softsign, tanh, sigmoid, hard variants -------------------------------------------

HardshrinkBackward0 = node_class(
    "HardshrinkBackward0",
    lambda grad, input, lambd: where((input > lambd).logical_or(input < -lambd), grad, 0.0))
SoftshrinkBackward0 = node_class(
    "SoftshrinkBackward0",
    lambda grad, input, lambd: where((input > lambd).logical_or(input < -lambd), grad, 0.0))


def hardshrink(input, lambd=0.5):
    """x where |x| > lambd, else 0."""
    data = input._data
    array = np.where(np.abs(data) > lambd, data, _typed(data, 0))
    return record(array, HardshrinkBackward0, (input,), (input, lambd))


method("hardshrink", hardshrink)


def softshrink(input, lambd=0.5):
    """x - lambd above lambd, x + lambd below -lambd, else 0."""
    data = input._data
    if lambd < 0:
        largest = float(np.finfo(data.dtype).max)
        raise RuntimeError(f"lambda must be in range [0, {largest:g}] for input dtype "
                           f"{dtype_name(input.dtype)}, but found {lambd:g}")
    shrunk = data - np.sign(data) * _typed(data, lambd)
    array = np.where(np.abs(data) > lambd, shrunk, _typed(data, 0))
    return record(array, SoftshrinkBackward0, (input,), (input, lambd))


def tanhshrink(input):
    """x - tanh(x)."""
    return input - input.tanh()


def softsign(input):
    """x / (1 + |x|)."""
    return input / (input.abs() + 1)


def tanh(input):
    """Elementwise tanh."""
    return input.tanh()


def sigmoid(input):
    """Elementwise logistic sigmoid."""
    return input.sigmoid()


HardsigmoidBackward0 = node_class(
    "HardsigmoidBackward0",
    lambda grad, input: where((input > -3.0).logical_and(input < 3.0), grad / 6, 0.0))


def _hardsigmoid(input):
    data = _float_data(input, "hardsigmoid_cpu")
    array = np.clip(data / _typed(data, 6) + _typed(data, 0.5), _typed(data, 0), _typed(data, 1))
    return record(array, HardsigmoidBackward0, (input,), (input,))


def hardsigmoid(input, inplace=False):
    """relu6(x + 3) / 6."""
    if inplace:
        return apply_inplace(input, _hardsigmoid, (), {})
    return _hardsigmoid(input)


def _hardswish_backward(grad, input):
    middle = grad * (input / 3 + 0.5)
    inner = where(input < 3.0, middle, grad)
    return where(input > -3.0, inner, 0.0)


HardswishBackward0 = node_class("HardswishBackward0", _hardswish_backward)


def _hardswish(input):
    data = _float_data(input, "hardswish_cpu")
    gate = np.clip(data + _typed(data, 3), _typed(data, 0), _typed(data, 6)) / _typed(data, 6)
    return record(data * gate, HardswishBackward0, (input,), (input,))


def hardswish(input, inplace=False):
    """x * relu6(x + 3) / 6."""
    if inplace:
        return apply_inplace(input, _hardswish, (), {})
    return _hardswish(input)
