"""ember: a tensor and autograd library on NumPy that speaks PyTorch."""
from ember import _dtype, _memory, _printing, _tensor, ops  # noqa: F401
from ember._device import device
from ember._dtype import *  # noqa: F401,F403
from ember._tensor import Size, Tensor, is_tensor, numel
from ember.storage import TypedStorage, UntypedStorage
from ember.ops.conversion import *  # noqa: F401,F403
from ember.ops.creation import *  # noqa: F401,F403
from ember.ops.ranges import *  # noqa: F401,F403
from ember.ops.indexing import *  # noqa: F401,F403
from ember.ops.joining import *  # noqa: F401,F403
from ember.ops.scatter_gather import *  # noqa: F401,F403
from ember.ops.selection import *  # noqa: F401,F403
from ember.ops.view_scatter import *  # noqa: F401,F403
from ember.ops.linalg import *  # noqa: F401,F403
from ember.ops.lu import *  # noqa: F401,F403
from ember.ops.lowrank import *  # noqa: F401,F403
from ember.ops.pointwise import *  # noqa: F401,F403
from ember.ops.unary import *  # noqa: F401,F403
from ember.ops.binary import *  # noqa: F401,F403
from ember.ops.ternary import *  # noqa: F401,F403
from ember.ops.comparison import *  # noqa: F401,F403
from ember.ops.bitwise import *  # noqa: F401,F403
from ember.ops.reduction import *  # noqa: F401,F403
from ember.ops.sampling import *  # noqa: F401,F403
from ember.ops.scan import *  # noqa: F401,F403
from ember.ops.sorting import *  # noqa: F401,F403
from ember.ops.views import *  # noqa: F401,F403
from ember.ops.gamma_functions import *  # noqa: F401,F403
from ember.ops.complex_numbers import *  # noqa: F401,F403
from ember.ops.statistics import *  # noqa: F401,F403
from ember.ops.combinatorics import *  # noqa: F401,F403
from ember.ops.special_functions import *  # noqa: F401,F403
from ember.ops.inplace_functions import *  # noqa: F401,F403
from ember.ops.windows import *  # noqa: F401,F403
from ember.ops.tensor_queries import *  # noqa: F401,F403
from ember.ops.creation_memory import *  # noqa: F401,F403
from ember.ops.numerical_gradient import *  # noqa: F401,F403
from ember import _settings, autograd, cuda, linalg, return_types, storage, testing  # noqa: E402
from ember._legacy_storage import *  # noqa: F401,F403,E402
from ember._printing import *  # noqa: F401,F403,E402
from ember._settings import *  # noqa: F401,F403,E402
from ember.autograd.anomaly_mode import (is_anomaly_check_nan_enabled,  # noqa: E402
                                         is_anomaly_enabled, set_detect_anomaly)
from ember.autograd.grad_mode import (enable_grad, inference_mode, is_grad_enabled,  # noqa: E402
                                      is_inference, is_inference_mode_enabled, no_grad,
                                      set_grad_enabled)

__version__ = "0.1.0"

_memory.keep_freed_memory()

__all__ = (["Tensor", "Size", "device", "is_tensor", "numel", "TypedStorage", "UntypedStorage",
            "autograd", "no_grad",
            "enable_grad", "set_grad_enabled", "inference_mode", "is_grad_enabled",
            "is_inference", "is_inference_mode_enabled", "is_anomaly_enabled",
            "is_anomaly_check_nan_enabled",
            "set_detect_anomaly", "compile"]
           + _dtype.__all__ + ops.conversion.__all__ + ops.creation.__all__
           + ops.ranges.__all__ + ops.indexing.__all__ + ops.joining.__all__
           + ops.scatter_gather.__all__ + ops.selection.__all__ + ops.view_scatter.__all__
           + ops.linalg.__all__ + ops.lu.__all__ + ops.lowrank.__all__
           + ops.pointwise.__all__ + ops.unary.__all__ + ops.binary.__all__
           + ops.ternary.__all__ + ops.comparison.__all__ + ops.bitwise.__all__
           + ops.reduction.__all__ + ops.sampling.__all__
           + ops.scan.__all__ + ops.sorting.__all__
           + ops.views.__all__ + ops.gamma_functions.__all__ + ops.complex_numbers.__all__
           + ops.statistics.__all__ + ops.combinatorics.__all__
           + ops.special_functions.__all__ + ops.inplace_functions.__all__
           + ops.windows.__all__ + ops.tensor_queries.__all__ + ops.creation_memory.__all__
           + ops.numerical_gradient.__all__
           + _printing.__all__ + _settings.__all__ + _legacy_storage.__all__
           + ["cuda", "linalg", "return_types", "storage", "testing", "nn", "optim", "utils",
              "save", "load", "accelerator"])

# nn, optim, utils and serialization load on first use, so `import ember` stays light.
_LAZY_MODULES = {"nn": "ember.nn", "optim": "ember.optim", "utils": "ember.utils",
                 "jit": "ember.jit", "compiler": "ember.compiler",
                 "distributions": "ember.distributions", "backends": "ember.backends",
                 "accelerator": "ember.accelerator", "amp": "ember.amp",
                 "serialization": "ember.serialization", "distributed": "ember.distributed",
                 "func": "ember.func", "fft": "ember.fft", "special": "ember.special"}
_LAZY_ATTRIBUTES = {"save": "ember.serialization", "load": "ember.serialization",
                    "compile": "ember.compiler", "vmap": "ember.func",
                    "autocast": "ember.amp", "is_autocast_enabled": "ember.amp",
                    "get_autocast_dtype": "ember.amp"}
_LAZY_ATTRIBUTES.update(stft="ember.fft._stft", istft="ember.fft._stft")
_LAZY_MODULES.update(quasirandom="ember.quasirandom")
# torch.relu, torch.softmax...: the nn.functional forms, loaded with ember.nn on first use
_LAZY_ATTRIBUTES.update((name, "ember.nn.functional") for name in (
    "relu", "relu_", "selu", "selu_", "celu", "celu_", "prelu", "threshold", "threshold_",
    "softmax", "log_softmax", "hardshrink", "cosine_similarity", "pairwise_distance",
    "rms_norm"))
# torch.conv2d, torch.dropout, torch.kl_div...: the ATen-signature forms of nn ops, loaded on
# first use (their signatures differ from nn.functional's: all of dropout's arguments required,
# integer loss reductions...)
_LAZY_ATTRIBUTES.update((name, "ember.nn._functional.native_forms") for name in (
    "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
    "convolution", "batch_norm", "instance_norm", "layer_norm", "group_norm", "embedding",
    "embedding_bag", "embedding_renorm_", "bilinear", "pixel_shuffle", "pixel_unshuffle",
    "channel_shuffle", "native_channel_shuffle", "max_pool1d", "max_pool2d", "max_pool3d",
    "max_pool1d_with_indices", "avg_pool1d", "adaptive_avg_pool1d", "adaptive_max_pool1d",
    "dropout", "dropout_", "alpha_dropout", "alpha_dropout_", "feature_dropout",
    "feature_dropout_", "feature_alpha_dropout", "feature_alpha_dropout_", "kl_div",
    "cosine_embedding_loss", "margin_ranking_loss", "triplet_margin_loss",
    "hinge_embedding_loss", "poisson_nll_loss", "binary_cross_entropy_with_logits", "rrelu",
    "rrelu_", "constant_pad_nd", "pdist", "grid_sampler", "grid_sampler_2d", "grid_sampler_3d",
    "affine_grid_generator", "rnn_tanh_cell", "rnn_relu_cell", "lstm_cell", "gru_cell",
    "ctc_loss", "native_layer_norm", "native_batch_norm", "native_dropout"))



def _deferred_method(name, module):
    """Tensor.<name> until `module` loads and binds the real method (Tensor.relu, softmax...
    come from nn.functional, which loads lazily)."""
    def deferred(self, *args, **kwargs):
        import importlib
        importlib.import_module(module)
        bound = getattr(Tensor, name)
        if bound is deferred:
            raise AttributeError(f"'Tensor' object has no attribute '{name}'")
        return bound(self, *args, **kwargs)
    deferred.__name__ = name
    return deferred


for _name in ("relu", "relu_", "prelu", "hardshrink", "softmax", "log_softmax"):
    setattr(Tensor, _name, _deferred_method(_name, "ember.nn.functional"))
for _name in ("stft", "istft"):
    setattr(Tensor, _name, _deferred_method(_name, "ember.fft._stft"))


def __getattr__(name):
    import importlib
    if name in _LAZY_MODULES:
        return importlib.import_module(_LAZY_MODULES[name])
    if name in _LAZY_ATTRIBUTES:
        return getattr(importlib.import_module(_LAZY_ATTRIBUTES[name]), name)
    raise AttributeError(f"module 'ember' has no attribute '{name}'")


def __dir__():
    return sorted(set(globals()) | set(_LAZY_MODULES) | set(_LAZY_ATTRIBUTES))
