"""nn.functional: dropout, dropout1d/2d/3d (whole channels), alpha_dropout.

Masks come from ember's default generator (NumPy's PCG64 stream, seeded by manual_seed), so
they are reproducible in ember but not equal to PyTorch's. As PyTorch: the input itself is
returned when nothing is dropped (p == 0, eval mode or an empty tensor), and the mask is applied
by a multiplication (MulBackward0)."""
import math
import warnings

import numpy as np

from ember._tensor import _wrap
from ember.ops.sampling import _numpy_generator

__all__ = ["dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout",
           "feature_alpha_dropout"]

_SELU_ALPHA = 1.7580993408473766


def _check_probability(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _keep_mask(shape, p, dtype):
    """Bernoulli(1 - p) draws as 0/1 values of dtype."""
    draws = _numpy_generator(None).random(shape, dtype=np.float64)
    return (draws >= p).astype(dtype)


def _apply(input, noise, inplace):
    if inplace:
        return input.mul_(noise)
    return input * noise


def _dropout_impl(input, p, training, inplace, feature, alpha):
    """PyTorch's _dropout_impl: (feature-wise) Bernoulli masks, scaled, or alpha dropout."""
    data = input._data
    if p == 0 or not training or data.size == 0:
        return input
    if p == 1:
        return _apply(input, _wrap(np.zeros((), dtype=data.dtype)), inplace)
    shape = data.shape[:2] + (1,) * (data.ndim - 2) if feature else data.shape
    noise = _keep_mask(shape, p, data.dtype)
    if not alpha:
        noise /= data.dtype.type(1 - p)
        return _apply(input, _wrap(noise), inplace)
    scale = 1.0 / math.sqrt((_SELU_ALPHA * _SELU_ALPHA * p + 1) * (1 - p))
    shift = (noise - 1) * (_SELU_ALPHA * scale) + _SELU_ALPHA * scale * p
    noise *= data.dtype.type(scale)
    result = _apply(input, _wrap(noise), inplace)
    shift_tensor = _wrap(shift.astype(data.dtype, copy=False))
    return result.add_(shift_tensor)


def dropout(input, p=0.5, training=True, inplace=False):
    """Zeroes each element with probability p and scales the rest by 1 / (1 - p)."""
    _check_probability(p)
    return _dropout_impl(input, p, training, inplace, False, False)


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Dropout that keeps SELU's self-normalising mean and variance."""
    _check_probability(p)
    return _dropout_impl(input, p, training, inplace, False, True)


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    """alpha_dropout of whole channels."""
    _check_probability(p)
    return _dropout_impl(input, p, training, inplace, True, True)


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Zeroes whole channels of (N, C, L) or (C, L) inputs."""
    _check_probability(p)
    ndim = input.dim()
    if ndim not in (2, 3):
        raise RuntimeError(f"dropout1d: Expected 2D or 3D input, but received a {ndim}D input. "
                           "Note that dropout1d exists to provide channel-wise dropout on inputs "
                           "with 1 spatial dimension, a channel dimension, and an optional batch "
                           "dimension (i.e. 2D or 3D inputs).")
    batched = ndim == 3
    if not batched:
        input = input.unsqueeze_(0) if inplace else input.unsqueeze(0)
    result = _dropout_impl(input, p, training, inplace, True, False)
    if not batched:
        result = result.squeeze_(0) if inplace else result.squeeze(0)
    return result


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zeroes whole channels of (N, C, H, W) inputs."""
    _check_probability(p)
    ndim = input.dim()
    if ndim not in (3, 4):
        warnings.warn(f"dropout2d: Received a {ndim}-D input to dropout2d, which is deprecated "
                      "and will result in an error in a future release. To retain the behavior "
                      "and silence this warning, please use dropout instead. Note that dropout2d "
                      "exists to provide channel-wise dropout on inputs with 2 spatial "
                      "dimensions, a channel dimension, and an optional batch dimension (i.e. 3D "
                      "or 4D inputs).", stacklevel=2)
    if ndim == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise "
                      "1D dropout behavior is desired - input is interpreted as shape (N, C, L), "
                      "where C is the channel dim. This behavior will change in a future release "
                      "to interpret the input as one without a batch dimension, i.e. shape (C, "
                      "H, W). To maintain the 1D channel-wise dropout behavior, please switch to "
                      "using dropout1d instead.", stacklevel=2)
    return _dropout_impl(input, p, training, inplace, True, False)


def dropout3d(input, p=0.5, training=True, inplace=False):
    """Zeroes whole channels of (N, C, D, H, W) or (C, D, H, W) inputs."""
    _check_probability(p)
    ndim = input.dim()
    if ndim not in (4, 5):
        warnings.warn(f"dropout3d: Received a {ndim}-D input to dropout3d, which is deprecated "
                      "and will result in an error in a future release. To retain the behavior "
                      "and silence this warning, please use dropout instead. Note that dropout3d "
                      "exists to provide channel-wise dropout on inputs with 3 spatial "
                      "dimensions, a channel dimension, and an optional batch dimension (i.e. 4D "
                      "or 5D inputs).", stacklevel=2)
    batched = ndim in (1, 2, 3, 5)
    if not batched:
        input = input.unsqueeze_(0) if inplace else input.unsqueeze(0)
    result = _dropout_impl(input, p, training, inplace, True, False)
    if not batched:
        result = result.squeeze_(0) if inplace else result.squeeze(0)
    return result
