"""Flattening parameters to one vector and back."""
from ember._tensor import Tensor
from ember.nn.modules._state_dict import typename
from ember.ops.joining import cat

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def parameters_to_vector(parameters):
    """The parameters flattened and concatenated into one 1-D tensor."""
    return cat([param.view(-1) for param in parameters])


def vector_to_parameters(vec, parameters):
    """Points each parameter's data at its slice of `vec` (sharing vec's memory)."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected ember.Tensor, but got: {typename(vec)}")
    pointer = 0
    for param in parameters:
        count = param.numel()
        param.data = vec[pointer:pointer + count].view_as(param).data
        pointer += count
