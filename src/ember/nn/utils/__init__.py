"""nn.utils: gradient clipping, parameter/vector conversion, packed sequences, conv/linear and
batch-norm fusion, weight normalisation, parametrizations."""
from ember.nn.utils import clip_grad, convert_parameters, fusion, rnn  # noqa: F401
from ember.nn.utils import parametrizations, parametrize  # noqa: F401
from ember.nn.utils.clip_grad import (clip_grad_norm, clip_grad_norm_, clip_grad_value_,
                                      clip_grads_with_norm_, get_total_norm)
from ember.nn.utils.convert_parameters import parameters_to_vector, vector_to_parameters
from ember.nn.utils.fusion import (fuse_conv_bn_eval, fuse_conv_bn_weights, fuse_linear_bn_eval,
                                   fuse_linear_bn_weights)
# as in PyTorch, the functions shadow their modules' names in this namespace
from ember.nn.utils.spectral_norm import remove_spectral_norm, spectral_norm
from ember.nn.utils.weight_norm import remove_weight_norm, weight_norm

__all__ = ["clip_grad_norm", "clip_grad_norm_", "clip_grad_value_", "clip_grads_with_norm_",
           "get_total_norm", "parameters_to_vector", "vector_to_parameters",
           "fuse_conv_bn_eval", "fuse_conv_bn_weights", "fuse_linear_bn_eval",
           "fuse_linear_bn_weights", "weight_norm", "remove_weight_norm", "spectral_norm",
           "remove_spectral_norm"]
