"""torch.<name> forms of nn ops: PyTorch exposes the ATen kernels at the top level with their
native signatures (all of dropout's arguments required, integer loss reductions, batch_norm's
weight before its running statistics...). Each delegates to the nn.functional implementation,
so the results and grad_fns are the same. `import ember` loads this module on first use."""
import numpy as np

from ember._errors import argument_type_error, dtype_name
from ember._tensor import Tensor, _wrap
from ember.nn._functional import (activation, dropout as _dropout, grid_sample, loss,
                                  loss_likelihood, loss_margin, normalization, pooling)
from ember.nn._functional import loss_ctc
from ember.nn._functional import sparse as _sparse
from ember.nn._functional.recurrent import _rnn_cell
from ember.ops._registry import node_class, record
from ember.ops.sampling import _numpy_generator
from ember.nn._functional.conv import (conv1d, conv2d, conv3d, conv_transpose1d,  # noqa: F401
                                       conv_transpose2d, conv_transpose3d, convolution)
from ember.nn._functional.distance import pdist  # noqa: F401
from ember.nn._functional.linear import bilinear  # noqa: F401
from ember.nn._functional.padding import constant_pad_nd  # noqa: F401
from ember.nn._functional.pooling import adaptive_avg_pool1d, avg_pool1d  # noqa: F401
from ember.nn._functional.vision import (channel_shuffle, pixel_shuffle,  # noqa: F401
                                         pixel_unshuffle)

__all__ = ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
           "conv_transpose3d", "convolution", "batch_norm", "instance_norm", "layer_norm",
           "group_norm", "embedding", "embedding_bag", "embedding_renorm_", "bilinear",
           "pixel_shuffle", "pixel_unshuffle", "channel_shuffle", "native_channel_shuffle",
           "max_pool1d",
           "max_pool2d", "max_pool3d", "max_pool1d_with_indices", "avg_pool1d",
           "adaptive_avg_pool1d", "adaptive_max_pool1d", "dropout", "dropout_", "alpha_dropout",
           "alpha_dropout_", "feature_dropout", "feature_dropout_", "feature_alpha_dropout",
           "feature_alpha_dropout_", "kl_div", "cosine_embedding_loss", "margin_ranking_loss",
           "triplet_margin_loss", "hinge_embedding_loss", "poisson_nll_loss",
           "binary_cross_entropy_with_logits", "rrelu", "rrelu_", "constant_pad_nd", "pdist",
           "grid_sampler", "grid_sampler_2d", "grid_sampler_3d", "affine_grid_generator",
           "rnn_tanh_cell", "rnn_relu_cell", "lstm_cell", "gru_cell", "ctc_loss",
           "native_layer_norm", "native_batch_norm", "native_dropout"]

# ATen's at::Reduction enum; other integers leave the loss unreduced, as its kernels do. The
# signatures read reduction=Mean, but PyTorch's Python binding passes 0 when it is omitted, so
# the defaults here are 0: unreduced.
_REDUCTION_NAMES = {1: "mean", 2: "sum"}
_INTERPOLATION_MODES = ("bilinear", "nearest", "bicubic")
_PADDING_MODES = ("zeros", "border", "reflection")


def _reduction_name(function, position, reduction):
    if not isinstance(reduction, int) or isinstance(reduction, bool):
        raise TypeError(f"{function}(): argument 'reduction' (position {position}) must be int, "
                        f"not {type(reduction).__name__}")
    return _REDUCTION_NAMES.get(reduction, "none")


# ---- normalisation -----------------------------------------------------------------------------

def batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps,
               cudnn_enabled):
    """F.batch_norm with ATen's argument order."""
    return normalization.batch_norm(input, running_mean, running_var, weight, bias, training,
                                    momentum, eps)


def instance_norm(input, weight, bias, running_mean, running_var, use_input_stats, momentum,
                  eps, cudnn_enabled):
    """F.instance_norm with ATen's argument order."""
    return normalization.instance_norm(input, running_mean, running_var, weight, bias,
                                       use_input_stats, momentum, eps)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-05, cudnn_enable=True):
    """F.layer_norm (cudnn_enable has no effect on the CPU)."""
    return normalization.layer_norm(input, normalized_shape, weight, bias, eps)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-05, cudnn_enabled=True):
    """F.group_norm (cudnn_enabled has no effect on the CPU)."""
    return normalization.group_norm(input, num_groups, weight, bias, eps)


def native_layer_norm(input, normalized_shape, weight, bias, eps):
    """(layer_norm's output, the mean and 1/std it normalised with, kept as size-1 dims)."""
    output = normalization.layer_norm(input, normalized_shape, weight, bias, eps)
    data = input._data
    leading = data.ndim - len(normalization._normalized_shape_tuple(normalized_shape))
    axes = tuple(range(leading, data.ndim))
    mean, invstd, _, _ = normalization._statistics(data, axes, eps)
    return output, _wrap(mean.astype(data.dtype)), _wrap(invstd.astype(data.dtype))


def native_batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps):
    """(batch_norm's output, the batch mean and 1/std per channel in training, empty
    tensors otherwise); the running statistics are updated in training."""
    output = normalization.batch_norm(input, running_mean, running_var, weight, bias, training,
                                      momentum, eps)
    data = input._data
    if not training:
        empty = _wrap(np.zeros(0, data.dtype))
        return output, empty, _wrap(np.zeros(0, data.dtype))
    axes = (0,) + tuple(range(2, data.ndim))
    mean, invstd, _, _ = normalization._statistics(data, axes, eps)
    return (output, _wrap(mean.reshape(-1).astype(data.dtype)),
            _wrap(invstd.reshape(-1).astype(data.dtype)))


# the mask and its scale are constants: PyTorch's native_dropout_backward(grad, mask, scale)
NativeDropoutBackward0 = node_class("NativeDropoutBackward0",
                                    lambda grad, mask, scale: grad * _wrap(mask) * scale)


def native_dropout(input, p, train):
    """(input with each element zeroed with probability p and the rest scaled by 1 / (1 - p),
    the bool keep-mask); outside training, input's values and an all-True mask."""
    data = input._data
    if train is False:
        mask = np.ones(data.shape, bool)
        output = data.copy()
        scale = 1.0
    else:
        if not 0 <= 1 - p <= 1:
            raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={1 - p}")
        if data.dtype.kind not in "fc":
            raise RuntimeError(f"result type Float can't be cast to the desired output type "
                               f"{dtype_name(input.dtype)}")
        mask = _numpy_generator(None).random(data.shape) >= p
        scale = 0.0 if p == 1 else 1.0 / (1.0 - p)
        output = (data * mask * data.dtype.type(scale)).astype(data.dtype, copy=False)
        # PyTorch's backward scales only when train is True (None trains without scaling)
        scale = scale if train is True else 1.0
    result = record(output, NativeDropoutBackward0, (input,),
                    (mask.astype(data.dtype), scale))
    return result, _wrap(mask)


# ---- embeddings ------------------------------------------------------------------------------

def embedding(weight, indices, padding_idx=-1, scale_grad_by_freq=False, sparse=False):
    """F.embedding with the weight first; a negative padding_idx means none."""
    return _sparse.embedding(
        indices, weight, padding_idx if padding_idx >= 0 else None,
        scale_grad_by_freq=scale_grad_by_freq, sparse=sparse)


_BAG_MODES = ("sum", "mean", "max")


def embedding_bag(weight, indices, offsets, scale_grad_by_freq=False, mode=0, sparse=False,
                  per_sample_weights=None, include_last_offset=False, padding_idx=None):
    """F.embedding_bag with ATen's argument order and mode number (0 sum, 1 mean, 2 max),
    returning ATen's four tensors: output, offset2bag, bag_size, max_indices."""
    if not isinstance(offsets, Tensor):
        raise argument_type_error("embedding_bag", "offsets", 3, "Tensor", offsets)
    if mode not in (0, 1, 2):
        raise RuntimeError("`mode` must be sum, mean, or max.")
    output = _sparse.embedding_bag(indices, weight, offsets, None, 2, scale_grad_by_freq,
                                   _BAG_MODES[mode], sparse, per_sample_weights,
                                   include_last_offset, padding_idx)
    bookkeeping = _bag_bookkeeping(weight._data, indices._data, offsets._data, mode,
                                   include_last_offset, padding_idx)
    return (output,) + tuple(_wrap(array.astype(indices._data.dtype)) for array in bookkeeping)


def _bag_bookkeeping(rows, indices, offsets, mode, include_last_offset, padding_idx):
    """ATen's offset2bag, bag_size and max_indices, quirks included: sum leaves both counts
    zero, and its fast path (float32 or float16 contiguous rows, no padding_idx) offset2bag
    empty too; mean reports the bag sizes twice; max gives each bag's first arg-max row per
    column."""
    starts = offsets.astype(np.int64)[:-1] if include_last_offset else offsets.astype(np.int64)
    bags = starts.size
    bag_of = np.searchsorted(starts, np.arange(indices.size), side="right") - 1
    if padding_idx is not None and padding_idx < 0:
        padding_idx += rows.shape[0]
    if mode == 0:
        fast_path = (rows.dtype in (np.float32, np.float16) and padding_idx is None
                     and rows.strides[1] == rows.itemsize)
        offset2bag = bag_of[:0] if fast_path else bag_of
        return offset2bag, np.zeros(bags, np.int64), np.zeros(bags, np.int64)
    kept = indices != padding_idx if padding_idx is not None else np.ones(indices.size, bool)
    bag_size = np.bincount(bag_of[kept], minlength=bags)
    if mode == 1:
        return bag_of, bag_size, bag_size
    max_indices = np.zeros((bags, rows.shape[1]), np.int64)
    for bag in range(bags):
        members = indices[kept & (bag_of == bag)]
        if members.size:
            max_indices[bag] = members[np.argmax(rows[members], axis=0)]
    return bag_of, bag_size, max_indices


def embedding_renorm_(input, indices, max_norm, norm_type):
    """Rescales the rows of input that indices select to norms of at most max_norm."""
    _sparse._renorm_rows(input, indices, max_norm, norm_type)
    return input


def native_channel_shuffle(input, groups):
    """channel_shuffle (PyTorch's native kernel of the same result)."""
    return channel_shuffle(input, groups)


# ---- pooling -----------------------------------------------------------------------------------

def max_pool1d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    """F.max_pool1d; an empty stride means the kernel size."""
    return pooling.max_pool1d(input, kernel_size, stride or None, padding, dilation, ceil_mode)


def max_pool2d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    """F.max_pool2d; an empty stride means the kernel size."""
    return pooling.max_pool2d(input, kernel_size, stride or None, padding, dilation, ceil_mode)


def max_pool3d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    """F.max_pool3d; an empty stride means the kernel size."""
    return pooling.max_pool3d(input, kernel_size, stride or None, padding, dilation, ceil_mode)


def max_pool1d_with_indices(input, kernel_size, stride=(), padding=0, dilation=1,
                            ceil_mode=False):
    """(output, indices) of 1-d max pooling."""
    return pooling.max_pool1d_with_indices(input, kernel_size, stride or None, padding,
                                           dilation, ceil_mode)


def adaptive_max_pool1d(input, output_size):
    """(output, indices) of 1-d adaptive max pooling."""
    return pooling.adaptive_max_pool1d_with_indices(input, output_size)


# ---- dropout: every argument required, probabilities checked with a RuntimeError -------------

def _native_dropout(name, feature, alpha, inplace):
    def function(input, p, train):
        if p < 0 or p > 1:
            raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {p}")
        return _dropout._dropout_impl(input, p, train, inplace, feature, alpha)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"torch.{name}(input, p, train)."
    return function


dropout = _native_dropout("dropout", False, False, False)
dropout_ = _native_dropout("dropout_", False, False, True)
alpha_dropout = _native_dropout("alpha_dropout", False, True, False)
alpha_dropout_ = _native_dropout("alpha_dropout_", False, True, True)
feature_dropout = _native_dropout("feature_dropout", True, False, False)
feature_dropout_ = _native_dropout("feature_dropout_", True, False, True)
feature_alpha_dropout = _native_dropout("feature_alpha_dropout", True, True, False)
feature_alpha_dropout_ = _native_dropout("feature_alpha_dropout_", True, True, True)


# ---- losses with integer reductions ------------------------------------------------------------

def kl_div(input, target, reduction=0, *, log_target=False):
    """Pointwise KL divergence, reduced by ATen's reduction number."""
    name = _reduction_name("kl_div", 3, reduction)
    # the native kernel has no 'mean' deprecation warning: compute unreduced, then reduce
    output = loss.kl_div(input, target, reduction="none", log_target=log_target)
    return loss._apply_reduction(output, name)


def cosine_embedding_loss(input1, input2, target, margin=0.0, reduction=0):
    """F.cosine_embedding_loss with ATen's reduction number."""
    name = _reduction_name("cosine_embedding_loss", 5, reduction)
    return loss.cosine_embedding_loss(input1, input2, target, margin, reduction=name)


def margin_ranking_loss(input1, input2, target, margin=0.0, reduction=0):
    """F.margin_ranking_loss with ATen's reduction number."""
    name = _reduction_name("margin_ranking_loss", 5, reduction)
    return loss.margin_ranking_loss(input1, input2, target, margin, reduction=name)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-06, swap=False,
                        reduction=0):
    """F.triplet_margin_loss with ATen's reduction number."""
    name = _reduction_name("triplet_margin_loss", 8, reduction)
    return loss.triplet_margin_loss(anchor, positive, negative, margin, p, eps, swap,
                                    reduction=name)


def hinge_embedding_loss(input, target, margin=1.0, reduction=0):
    """F.hinge_embedding_loss with ATen's reduction number."""
    name = _reduction_name("hinge_embedding_loss", 4, reduction)
    return loss_margin.hinge_embedding_loss(input, target, margin, reduction=name)


def poisson_nll_loss(input, target, log_input, full, eps, reduction):
    """F.poisson_nll_loss with every argument required and ATen's reduction number."""
    name = _reduction_name("poisson_nll_loss", 6, reduction)
    return loss_likelihood.poisson_nll_loss(input, target, log_input, full, eps=eps,
                                            reduction=name)


def binary_cross_entropy_with_logits(input, target, weight=None, pos_weight=None, reduction=0):
    """F.binary_cross_entropy_with_logits with ATen's reduction number."""
    name = _reduction_name("binary_cross_entropy_with_logits", 5, reduction)
    return loss.binary_cross_entropy_with_logits(input, target, weight, reduction=name,
                                                 pos_weight=pos_weight)


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction=0,
             zero_infinity=False):
    """F.ctc_loss with ATen's reduction number."""
    name = _reduction_name("ctc_loss", 6, reduction)
    return loss_ctc.ctc_loss(log_probs, targets, input_lengths, target_lengths, blank, name,
                             zero_infinity)


# ---- activations, sampling ---------------------------------------------------------------------

def rrelu(input, lower=0.125, upper=0.3333333333333333, training=False, generator=None):
    """F.rrelu (slopes drawn from ember's default generator)."""
    return activation.rrelu(input, lower, upper, training)


def rrelu_(input, lower=0.125, upper=0.3333333333333333, training=False, generator=None):
    """In-place F.rrelu."""
    return activation.rrelu_(input, lower, upper, training)


def grid_sampler(input, grid, interpolation_mode, padding_mode, align_corners):
    """F.grid_sample with ATen's mode numbers (bilinear, nearest, bicubic; zeros, border,
    reflection)."""
    return grid_sample.grid_sample(input, grid, _INTERPOLATION_MODES[interpolation_mode],
                                   _PADDING_MODES[padding_mode], align_corners)


def grid_sampler_2d(input, grid, interpolation_mode, padding_mode, align_corners):
    """grid_sampler of a 4-D input."""
    return grid_sampler(input, grid, interpolation_mode, padding_mode, align_corners)


def grid_sampler_3d(input, grid, interpolation_mode, padding_mode, align_corners):
    """grid_sampler of a 5-D input."""
    return grid_sampler(input, grid, interpolation_mode, padding_mode, align_corners)


def affine_grid_generator(theta, size, align_corners):
    """F.affine_grid with align_corners required."""
    return grid_sample.affine_grid(theta, size, align_corners)


# ---- one step of a recurrent cell -------------------------------------------------------------

def _check_cell(input, hiddens, weight_ih, weight_hh, gates):
    """ATen's cell checks: input against weight_ih, each hidden state against input and
    weight_hh, then the weights' gate rows."""
    input_size = weight_ih.size(1)
    hidden_size = weight_hh.size(1)
    if input.size(1) != input_size:
        raise RuntimeError(f"input has inconsistent input_size: got {input.size(1)} expected "
                           f"{input_size}")
    for index, hidden in enumerate(hiddens):
        if input.size(0) != hidden.size(0):
            raise RuntimeError(f"Input batch size {input.size(0)} doesn't match hidden{index} "
                               f"batch size {hidden.size(0)}")
        if hidden.size(1) != hidden_size:
            raise RuntimeError(f"hidden{index} has inconsistent hidden_size: got "
                               f"{hidden.size(1)}, expected {hidden_size}")
    for name, weight in (("weight_ih", weight_ih), ("weight_hh", weight_hh)):
        if weight.size(0) != gates * hidden_size:
            raise RuntimeError(f"{name} first dim must be {gates} * hidden_size = "
                               f"{gates * hidden_size}, but got {weight.size(0)}")


def rnn_tanh_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One Elman step: tanh(input w_ih^T + b_ih + hx w_hh^T + b_hh)."""
    _check_cell(input, (hx,), w_ih, w_hh, 1)
    return _rnn_cell("RNN_TANH", input, hx, w_ih, w_hh, b_ih, b_hh)


def rnn_relu_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One Elman step with relu."""
    _check_cell(input, (hx,), w_ih, w_hh, 1)
    return _rnn_cell("RNN_RELU", input, hx, w_ih, w_hh, b_ih, b_hh)


def lstm_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One LSTM step: (h', c') from hx = (h, c)."""
    if not isinstance(hx, (tuple, list)) or not all(isinstance(h, Tensor) for h in hx):
        raise argument_type_error("lstm_cell", "hx", 2, "tuple of Tensors", hx)
    if len(hx) != 2:
        raise RuntimeError("lstm_cell expects two hidden states")
    _check_cell(input, tuple(hx), w_ih, w_hh, 4)
    return _rnn_cell("LSTM", input, tuple(hx), w_ih, w_hh, b_ih, b_hh)


def gru_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One GRU step."""
    _check_cell(input, (hx,), w_ih, w_hh, 3)
    return _rnn_cell("GRU", input, hx, w_ih, w_hh, b_ih, b_hh)


# ---- PyTorch's wording for missing arguments -------------------------------------------------

# overloaded in PyTorch: a missing argument gets the "invalid combination" message instead
_OVERLOADED = ("conv1d", "conv2d", "conv3d", "embedding_bag", "ctc_loss")


def _with_torch_missing_arguments(function):
    """function, except that a call missing required arguments raises PyTorch's TypeError
    (its argument parser lists every required parameter from the first one not given by
    position, and says "arguments" for one, "argument" for several)."""
    code = function.__code__
    required = code.co_varnames[:code.co_argcount - len(function.__defaults__ or ())]
    name = function.__name__

    def checked(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except TypeError as error:
            # a binding error is raised at this call, with no frame of function's own
            if error.__traceback__.tb_next is not None or "required" not in str(error):
                raise
            missing = required[len(args):]
            plural = "arguments" if len(missing) == 1 else "argument"
            names = ", ".join(f'"{parameter}"' for parameter in missing)
            raise TypeError(f"{name}() missing {len(missing)} required positional {plural}: "
                            f"{names}") from None

    checked.__name__ = checked.__qualname__ = name
    checked.__doc__ = function.__doc__
    checked.__wrapped__ = function
    return checked


globals().update((name, _with_torch_missing_arguments(globals()[name]))
                 for name in __all__ if name not in _OVERLOADED)
