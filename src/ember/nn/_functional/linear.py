"""nn.functional: linear and bilinear, decomposed as PyTorch's are (so grad_fns match).

The 2-D product with a bias is one fused primitive under PyTorch's name for it
(AddmmBackward0) with PyTorch's edges: addmm(bias, input, weight.t()), so next_functions read
(bias, input, TBackward0 -> weight) as tutorials print them. The gradient for weight.t() is
computed in the weight's layout (grad^T @ input) and handed over transposed, so TBackward0's
transpose gives back a contiguous array and accumulating into .grad is a plain copy. The rules
are ember ops, so higher-order gradients work."""
import numpy as np

from ember._errors import dtype_name
from ember.autograd.grad_mode import STATE
from ember.ops._registry import node_class, record
from ember.ops.views import TBackward0
from ember.ops.contractions import einsum

__all__ = ["linear", "bilinear"]

AddmmBackward0 = node_class(
    "AddmmBackward0",
    lambda grad, input, weight: grad.sum(0),
    lambda grad, input, weight: grad.mm(weight),
    lambda grad, input, weight: grad.t().mm(input).t())


def _addmm_linear(input, weight, bias):
    """input @ weight.T + bias for a 2-D input, with torch's addmm checks."""
    a = input._data
    w = weight._data
    if w.ndim != 2:
        raise RuntimeError(f"mat2 must be a matrix, got {w.ndim}-D tensor")
    if a.shape[1] != w.shape[1]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({a.shape[0]}x"
                           f"{a.shape[1]} and {w.shape[1]}x{w.shape[0]})")
    b = bias._data
    if b.dtype != w.dtype:
        raise RuntimeError(f"self and mat2 must have the same dtype, but got "
                           f"{dtype_name(bias.dtype)} and {dtype_name(weight.dtype)}")
    if a.dtype != w.dtype:
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got "
                           f"{dtype_name(input.dtype)} and {dtype_name(weight.dtype)}")
    if b.ndim > 2 or (b.ndim >= 1 and b.shape[-1] not in (1, w.shape[0])):
        raise RuntimeError(f"The expanded size of the tensor ({w.shape[0]}) must match the "
                           f"existing size ({b.shape[-1]}) at non-singleton dimension 1.  "
                           f"Target sizes: [{a.shape[0]}, {w.shape[0]}].  Tensor sizes: "
                           f"{list(b.shape)}")
    array = np.matmul(a, w.T)
    array += b
    if array.dtype != w.dtype:
        # ml_dtypes' bfloat16 product comes back in float32, where it accumulated, as torch's
        # does; torch rounds the biased result back to bfloat16
        array = array.astype(w.dtype)
    transposed = weight
    if weight._requires_grad and STATE.enabled:
        # weight.t() only as the graph's edge: users never see this transpose, so it skips a
        # view's bookkeeping (shared storage, base, version counter) and is its TBackward0 node
        transposed = record(w.T, TBackward0, (weight,), ())
    return record(array, AddmmBackward0, (bias, input, transposed), (input, weight))


def linear(input, weight, bias=None):
    """input @ weight.T + bias.

    As PyTorch: addmm for a 2-D input with a bias; addmm on the flattened batch then a view for
    a contiguous input of another rank; matmul then an in-place add of the bias otherwise."""
    if bias is None:
        return input.matmul(weight.t())
    data = input._data
    if data.ndim == 2 and bias._data.ndim == 1:
        return _addmm_linear(input, weight, bias)
    if bias._data.ndim == 1 and data.flags.c_contiguous:
        rows = 1
        for extent in data.shape[:-1]:
            rows *= extent
        flat = input.reshape(rows, data.shape[-1] if data.ndim else 1)
        result = _addmm_linear(flat, weight, bias)
        return result.view(*data.shape[:-1], result._data.shape[1])
    output = input.matmul(weight.t())
    return output.add_(bias)


def bilinear(input1, input2, weight, bias=None):
    """y = x1^T A x2 + b over the last dimension, with PyTorch's input checks."""
    if input1.dim() != input2.dim():
        raise RuntimeError(f"bilinear(): input dimensions do not match: got {input1.dim()} and "
                           f"{input2.dim()}")
    for dim in range(input1.dim() - 1):
        if input1.shape[dim] != input2.shape[dim]:
            raise RuntimeError(f"bilinear(): input batch dimensions do not match at dim {dim}: "
                               f"got {input1.shape[dim]} and {input2.shape[dim]}")
    if input1.shape[-1] != weight.shape[1]:
        raise RuntimeError(f"bilinear(): input1 size does not match weight size: got "
                           f"{input1.shape[-1]} but expected {weight.shape[1]}")
    if input2.shape[-1] != weight.shape[2]:
        raise RuntimeError(f"bilinear(): input2 size does not match weight size: got "
                           f"{input2.shape[-1]} but expected {weight.shape[2]}")
    output = einsum("...i,oij,...j->...o", input1, weight, input2)
    if bias is not None:
        output = output + bias
    return output
