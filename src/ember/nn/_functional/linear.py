"""nn.functional: linear and bilinear, decomposed as PyTorch's are (so grad_fns match)."""
from ember.ops.contractions import einsum
from ember.ops.linalg import addmm

__all__ = ["linear", "bilinear"]


def linear(input, weight, bias=None):
    """input @ weight.T + bias.

    As PyTorch: addmm for a 2-D input with a bias; addmm on the flattened batch then a view for
    a contiguous input of another rank; matmul then an in-place add of the bias otherwise."""
    if bias is None:
        return input.matmul(weight.t())
    data = input._data
    if data.ndim == 2:
        return addmm(bias, input, weight.t())
    if bias._data.ndim == 1 and data.flags.c_contiguous:
        rows = 1
        for extent in data.shape[:-1]:
            rows *= extent
        flat = input.reshape(rows, data.shape[-1] if data.ndim else 1)
        result = addmm(bias, flat, weight.t())
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
