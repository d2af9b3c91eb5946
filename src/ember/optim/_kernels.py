"""In-place NumPy kernels shared by the optimizers: PyTorch's pointwise update primitives
(add with alpha, lerp, addcmul, addcdiv), each writing into its first argument with `out=`
ufuncs and one caller-provided scratch buffer, so a step over a large parameter makes no
hidden copies. Python scalars are rounded to the buffer's dtype by NumPy, as PyTorch rounds
them to the tensor's dtype; the operation order is PyTorch's, so float64 results agree to the
last bits and float32 results to rounding (PyTorch fuses some multiply-adds)."""
import numpy as np


def add_scaled_(target, other, alpha, scratch):
    """target += alpha * other (torch's add_(other, alpha=alpha))."""
    if alpha == 1:
        np.add(target, other, out=target)
        return
    np.multiply(other, alpha, out=scratch)
    np.add(target, scratch, out=target)


def scaled_sum(first, other, alpha):
    """first + alpha * other as a new buffer (torch's first.add(other, alpha=alpha))."""
    result = np.multiply(other, alpha, out=np.empty(np.shape(other), np.result_type(other)))
    np.add(first, result, out=result)
    return result


def lerp_(target, end, weight, scratch):
    """target.lerp_(end, weight) with PyTorch's two-sided formula for a scalar weight."""
    np.subtract(end, target, out=scratch)
    if abs(weight) < 0.5:
        np.multiply(scratch, weight, out=scratch)
        np.add(target, scratch, out=target)
    else:
        np.multiply(scratch, 1 - target.dtype.type(weight), out=scratch)
        np.subtract(end, scratch, out=target)


def scale_addcmul_(target, factor, tensor1, tensor2, value, scratch):
    """target.mul_(factor).addcmul_(tensor1, tensor2, value=value)."""
    np.multiply(target, factor, out=target)
    np.multiply(tensor1, value, out=scratch)
    np.multiply(scratch, tensor2, out=scratch)
    np.add(target, scratch, out=target)


def addcdiv_(target, tensor1, tensor2, value, scratch):
    """target.addcdiv_(tensor1, tensor2, value=value): target += value * tensor1 / tensor2."""
    np.multiply(tensor1, value, out=scratch)
    np.divide(scratch, tensor2, out=scratch)
    np.add(target, scratch, out=target)
