"""Matrix products: dot, vdot, mv, mm, bmm, matmul (with PyTorch's decomposition into views and
primitive products), outer and the fused add-products addmm, addmv, addr, addbmm, baddbmm."""
import math

import numpy as np

from ember import _dtype
from ember._errors import argument_type_error, broadcast_mismatch, dtype_name
from ember._tensor import Tensor
from ember.ops._elementwise import conjugate, finish
from ember.ops._registry import (inplace_method, method, node_class, record,
                                 type_error_to_not_implemented)
from ember.ops.views import UnsafeViewBackward0

__all__ = ["dot", "vdot", "mv", "mm", "bmm", "matmul", "outer", "ger", "addmm", "addmv",
           "addr", "addbmm", "baddbmm"]

# The C++ type names PyTorch prints in mm's dtype-mismatch message.
_CPP_TYPE_NAMES = {
    "bool": "bool", "uint8": "unsigned char", "int8": "signed char", "int16": "short int",
    "int32": "int", "int64": "long int", "float16": "c10::Half", "bfloat16": "c10::BFloat16",
    "float32": "float", "float64": "double", "complex64": "c10::complex<float>",
    "complex128": "c10::complex<double>",
}


def cpp_type_name(dtype):
    """The C++ type name PyTorch prints for a dtype in some messages (float, long int...)."""
    return _CPP_TYPE_NAMES[dtype._name]


# ---- helpers shared by the rules ---------------------------------------------------------------

def adjoint(tensor):
    """The conjugate transpose of the last two dims (mH), as the derivative formulas use."""
    return conjugate(tensor.transpose(-2, -1))


def column_major(array):
    """Each matrix of the batch stored column by column (strides (..., 1, rows)): the layout
    LAPACK writes and PyTorch returns from its factorisations and solvers."""
    return np.swapaxes(np.ascontiguousarray(np.swapaxes(array, -1, -2)), -1, -2)


def scaled(grad, factor):
    """grad * factor, skipping the multiplication for a factor of 1 (as PyTorch's rules do)."""
    if factor == 1:
        return grad
    return grad * factor


def _require_tensor(function_name, argument, position, value):
    if not isinstance(value, Tensor):
        raise argument_type_error(function_name, argument, position, "Tensor", value)


def _not_implemented_for_bool(kernel, *arrays):
    for array in arrays:
        if array.dtype.kind == "b":
            raise NotImplementedError(f'"{kernel}" not implemented for \'Bool\'')


def _scalar_type_mismatch(expected, found):
    return RuntimeError(f"expected scalar type {dtype_name(expected.dtype)} but found "
                        f"{dtype_name(found.dtype)}")


def unsafe_view(input, shape):
    """PyTorch's _unsafe_view: a reshape of a fresh result that is recorded as a new tensor (not
    a view); its grad_fn is UnsafeViewBackward0."""
    data = input._data
    return record(data.reshape(shape), UnsafeViewBackward0, (input,), (data.shape,))


def _into_out(result, out, name, dot_wording=False):
    """Honours out=: PyTorch's dtype check, then the shared write/resize of elementwise ops
    (which also refuses out= when autograd would record)."""
    if out is None:
        return result
    if out.dtype != result.dtype:
        if dot_wording:
            raise RuntimeError(f"result dtype {dtype_name(out.dtype)} does not match input dtype "
                               f"{dtype_name(result.dtype)}")
        raise RuntimeError(f"Expected out tensor to have dtype {cpp_type_name(result.dtype)}, but "
                           f"got {cpp_type_name(out.dtype)} instead")
    return finish(result, out, name)


SqueezeBackward4 = node_class("SqueezeBackward4", lambda grad, dim: grad.unsqueeze(dim))


def _squeeze_result_(result, dim):
    """squeeze_(dim) on an op's fresh result (matmul's 1-D @ 2-D case): torch records the
    in-place squeeze as SqueezeBackward4 on the same, non-view tensor."""
    data = result._data
    return record(data.reshape(data.shape[:dim] + data.shape[dim + 1:]), SqueezeBackward4,
                  (result,), (dim,))


# ---- vector products ----------------------------------------------------------------------------

DotBackward0 = node_class("DotBackward0", lambda grad, input, tensor: grad * conjugate(tensor),
                          lambda grad, input, tensor: grad * conjugate(input))
VdotBackward0 = node_class("VdotBackward0", lambda grad, input, other: conjugate(grad) * other,
                           lambda grad, input, other: grad * input)


def _check_vectors(a, b, input, other):
    if a.dtype != b.dtype:
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found "
                           f"{dtype_name(input.dtype)} and {dtype_name(other.dtype)}")
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors")
    if a.shape[0] != b.shape[0]:
        raise RuntimeError(
            f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src [{b.shape[0]}] "
            f"to have the same number of elements, but got {a.shape[0]} and {b.shape[0]} "
            "elements respectively")
    _not_implemented_for_bool("dot", a)


def dot(input, tensor, *, out=None):
    """The inner product of two 1-D tensors."""
    _require_tensor("dot", "tensor", 2, tensor)
    a = input._data
    b = tensor._data
    _check_vectors(a, b, input, tensor)
    result = record(np.asarray(np.dot(a, b)), DotBackward0, (input, tensor), (input, tensor))
    return _into_out(result, out, "dot", dot_wording=True)


def vdot(input, other, *, out=None):
    """The inner product of two 1-D tensors, conjugating the first."""
    _require_tensor("vdot", "other", 2, other)
    a = input._data
    b = other._data
    _check_vectors(a, b, input, other)
    result = record(np.asarray(np.vdot(a, b)), VdotBackward0, (input, other), (input, other))
    return _into_out(result, out, "vdot", dot_wording=True)


def outer(input, vec2):
    """The outer product of two 1-D tensors (PyTorch composes it as a broadcast multiply)."""
    for name, value in (("self", input), ("vec2", vec2)):
        if value._data.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got "
                               f"{value._data.ndim}-D")
    return input.reshape(input._data.shape[0], 1) * vec2


ger = outer


# ---- matrix-vector and matrix-matrix products ----------------------------------------------------

MvBackward0 = node_class("MvBackward0", lambda grad, input, vec: grad.outer(conjugate(vec)),
                         lambda grad, input, vec: adjoint(input).mv(grad))
MmBackward0 = node_class("MmBackward0", lambda grad, input, mat2: grad.mm(adjoint(mat2)),
                         lambda grad, input, mat2: adjoint(input).mm(grad))
BmmBackward0 = node_class("BmmBackward0", lambda grad, input, mat2: grad.bmm(adjoint(mat2)),
                          lambda grad, input, mat2: adjoint(input).bmm(grad))


def _check_mv(result_dtype_source, self_shape, mat, vec):
    """addmv's checks, which mv shares: dims, sizes, then dtypes."""
    if mat._data.ndim != 2 or vec._data.ndim != 1 or len(self_shape) > 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {len(self_shape)}, "
                           f"{mat._data.ndim}, {vec._data.ndim}")
    rows, columns = mat._data.shape
    if columns != vec._data.shape[0] or (self_shape and self_shape[0] not in (1, rows)):
        size = self_shape[0] if self_shape else 1
        raise RuntimeError(f"size mismatch, got input ({size}), mat ({rows}x{columns}), "
                           f"vec ({vec._data.shape[0]})")
    dtypes = (result_dtype_source.dtype, mat.dtype, vec.dtype)
    if len(set(dtypes)) != 1:
        raise RuntimeError(f"addmv input tensors must have the same dtype, but got "
                           f"{dtype_name(dtypes[0])}, {dtype_name(dtypes[1])}, and "
                           f"{dtype_name(dtypes[2])}")
    _not_implemented_for_bool("addmv_impl_cpu", mat._data)


def mv(input, vec, *, out=None):
    """The product of a matrix and a vector."""
    _require_tensor("mv", "vec", 2, vec)
    # mv runs as addmv into its out (or a result shaped like input's rows and typed like vec)
    shape = (input._data.shape[0],) if input._data.ndim == 2 else (1,)
    _check_mv(vec if out is None else out, shape, input, vec)
    result = record(_matrix_product(input._data, vec._data), MvBackward0, (input, vec), (input, vec))
    return _into_out(result, out, "mv")


def _check_matrices(mat1, mat2, first="self", second="mat2"):
    a = mat1._data
    b = mat2._data
    if a.ndim != 2:
        raise RuntimeError(f"{first} must be a matrix")
    if b.ndim != 2:
        raise RuntimeError(f"{second} must be a matrix")
    if a.shape[1] != b.shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({a.shape[0]}x"
                           f"{a.shape[1]} and {b.shape[0]}x{b.shape[1]})")


def _matrix_product(a, b):
    """np.matmul kept in its operands' dtype: ml_dtypes' bfloat16 matmul returns float32 (where it
    accumulates, as torch does), and torch rounds the product back to bfloat16."""
    array = np.matmul(a, b)
    if array.dtype != a.dtype:
        array = array.astype(a.dtype)
    return array


def mm(input, mat2, *, out=None):
    """The matrix product of two 2-D tensors (transposed views go to BLAS as they are)."""
    _require_tensor("mm", "mat2", 2, mat2)
    _check_matrices(input, mat2)
    a = input._data
    b = mat2._data
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: "
                           f"{cpp_type_name(input.dtype)} != {cpp_type_name(mat2.dtype)}")
    _not_implemented_for_bool("addmm_impl_cpu_", a)
    result = record(_matrix_product(a, b), MmBackward0, (input, mat2), (input, mat2))
    return _into_out(result, out, "mm")


def _check_batches(batch1, batch2):
    a = batch1._data
    b = batch2._data
    if a.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if b.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    if b.shape[0] != a.shape[0] or b.shape[1] != a.shape[2]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{a.shape[0]}, {a.shape[2]}] but got: [{b.shape[0]}, "
                           f"{b.shape[1]}].")


def bmm(input, mat2, *, out=None):
    """Batched matrix product of two 3-D tensors."""
    _require_tensor("bmm", "mat2", 2, mat2)
    _check_batches(input, mat2)
    a = input._data
    b = mat2._data
    if a.dtype != b.dtype:
        raise _scalar_type_mismatch(input, mat2)
    _not_implemented_for_bool("bmm", a)
    result = record(_matrix_product(a, b), BmmBackward0, (input, mat2), (input, mat2))
    return _into_out(result, out, "bmm")


# ---- matmul: PyTorch's _matmul_impl, decomposed into the same views and products ----------------

def _should_fold(input, other):
    """Whether matmul folds the larger operand's batch into rows and calls mm/mv instead of
    bmm: when the smaller operand requires grad (its gradient then needs no batch sum), or
    when the fold is a free view."""
    ndim_a = input._data.ndim
    ndim_b = other._data.ndim
    if ndim_a >= ndim_b:
        big_shape = input._data.shape
        big_strides = input.stride()
        small_ndim = ndim_b
        small_requires_grad = other._requires_grad
    else:
        # the larger operand is other.mT
        big_shape = other._data.shape[:-2] + other._data.shape[:-3:-1]
        strides = other.stride()
        big_strides = strides[:-2] + strides[:-3:-1]
        small_ndim = ndim_a
        small_requires_grad = input._requires_grad
    if not (len(big_shape) >= 3 and small_ndim <= 2):
        return False
    if small_requires_grad:
        return True
    if ndim_a == 2:
        return False
    if math.prod(big_shape) == 0:
        return True
    for position in range(len(big_shape) - 2):
        if big_strides[position] != big_strides[position + 1] * big_shape[position + 1]:
            return False
    return True


def _folded_matmul(input, other):
    transpose = other._data.ndim > input._data.ndim
    if transpose:
        larger = other.transpose(-2, -1)
        smaller = input.t() if input._data.ndim == 2 else input
    else:
        larger = input
        smaller = other
    sizes = larger._data.shape
    output_shape = sizes[:-1]
    folded = larger.reshape(math.prod(output_shape), sizes[-1])
    if smaller._data.ndim == 2:
        output = unsafe_view(folded.mm(smaller), output_shape + (smaller._data.shape[1],))
        if transpose:
            return output.transpose(-2, -1).contiguous()
        return output
    return unsafe_view(folded.mv(smaller), output_shape)


def _broadcast_batches(batch1, batch2):
    try:
        return np.broadcast_shapes(batch1, batch2)
    except ValueError:
        raise broadcast_mismatch(batch1, batch2) from None


def _batched_matmul(input, other):
    shape_a = input._data.shape
    shape_b = other._data.shape
    ndim_a = len(shape_a)
    ndim_b = len(shape_b)
    rows = shape_a[-2] if ndim_a > 1 else 1
    inner_a = shape_a[-1]
    batch_a = shape_a[:max(ndim_a - 2, 0)]
    inner_b = shape_b[-2] if ndim_b > 1 else shape_b[0]
    columns = shape_b[-1] if ndim_b > 1 else 1
    batch_b = shape_b[:max(ndim_b - 2, 0)]
    if ndim_a == 3 and ndim_b == 3 and batch_a[0] != batch_b[0]:
        # a batch of one that requires grad is squeezed so its gradient needs no batch sum
        if batch_a[0] == 1 and input._requires_grad:
            return matmul(input.squeeze(0), other)
        if batch_b[0] == 1 and other._requires_grad:
            return matmul(input, other.squeeze(0))
    batch = tuple(_broadcast_batches(batch_a, batch_b))
    product = math.prod(batch)
    left = input.expand(batch + (rows, inner_a)).reshape(product, rows, inner_a)
    vector_rhs = ndim_b == 1
    if vector_rhs:
        right = other.expand(batch + (inner_b,)).reshape(product, inner_b).unsqueeze(2)
    else:
        right = other.expand(batch + (inner_b, columns)).reshape(product, inner_b, columns)
    output_shape = batch + ((rows,) if ndim_a > 1 else ()) + ((columns,) if ndim_b > 1 else ())
    result = left.bmm(right)
    if vector_rhs:
        result = result.squeeze(-1)
    return unsafe_view(result, output_shape)


def matmul(input, other, *, out=None):
    """The matrix product with PyTorch's rules for 1-D and batched (broadcast) operands."""
    _require_tensor("matmul", "other", 2, other)
    if out is not None:
        return _into_out(_matmul(input, other), out, "matmul")
    return _matmul(input, other)


def _matmul(input, other):
    ndim_a = input._data.ndim
    ndim_b = other._data.ndim
    if ndim_a == 0 or ndim_b == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are "
                           f"{ndim_a}D and {ndim_b}D")
    if ndim_a == 1 and ndim_b == 1:
        return dot(input, other)
    if ndim_a == 2 and ndim_b == 1:
        return mv(input, other)
    if ndim_a == 1 and ndim_b == 2:
        return _squeeze_result_(input.unsqueeze(0).mm(other), 0)
    if ndim_a == 2 and ndim_b == 2:
        return mm(input, other)
    if _should_fold(input, other):
        return _folded_matmul(input, other)
    return _batched_matmul(input, other)


def _matmul_operator(self, other):
    if not isinstance(other, Tensor):
        return NotImplemented
    return matmul(self, other)


def _rmatmul_operator(self, other):
    if not isinstance(other, Tensor):
        return NotImplemented
    return matmul(other, self)


# ---- fused add-products: beta * input + alpha * (product) ----------------------------------------

def _add_scaled(product, input_data, beta, alpha):
    """beta * input + alpha * product on a fresh product array (input ignored when beta is 0,
    so its nan/inf do not propagate, as PyTorch)."""
    if alpha != 1:
        product = np.multiply(product, alpha, out=product, casting="unsafe")
    if beta == 0:
        return product
    if beta != 1:
        input_data = input_data * beta
    shape = np.broadcast_shapes(product.shape, input_data.shape)
    if shape != product.shape:
        return product + input_data
    return np.add(product, input_data, out=product, casting="unsafe")


def _expand_error(input, target):
    shape = input._data.shape
    leading = len(target) - len(shape)
    for position in range(len(target) - 1, -1, -1):
        own = shape[position - leading] if position >= leading else 1
        if own not in (1, target[position]):
            return RuntimeError(
                f"The expanded size of the tensor ({target[position]}) must match the existing "
                f"size ({own}) at non-singleton dimension {position}.  Target sizes: "
                f"{list(target)}.  Tensor sizes: {list(shape)}")
    return None


def _check_expandable(input, target):
    error = _expand_error(input, target) if len(input._data.shape) <= len(target) else None
    if error is not None:
        raise error


AddmmBackward0 = node_class(
    "AddmmBackward0",
    lambda grad, mat1, mat2, beta, alpha: scaled(grad, beta),
    lambda grad, mat1, mat2, beta, alpha: scaled(grad.mm(adjoint(mat2)), alpha),
    lambda grad, mat1, mat2, beta, alpha: scaled(adjoint(mat1).mm(grad), alpha))


def addmm(input, mat1, mat2, *, beta=1, alpha=1):
    """beta * input + alpha * (mat1 @ mat2)."""
    for name, value in (("mat1", mat1), ("mat2", mat2)):
        if value._data.ndim != 2:
            raise RuntimeError(f"{name} must be a matrix, got {value._data.ndim}-D tensor")
    _check_matrices(mat1, mat2, "mat1", "mat2")
    _check_expandable(input, (mat1._data.shape[0], mat2._data.shape[1]))
    if mat1.dtype != mat2.dtype:
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got "
                           f"{dtype_name(mat1.dtype)} and {dtype_name(mat2.dtype)}")
    if input.dtype != mat2.dtype:
        raise RuntimeError(f"self and mat2 must have the same dtype, but got "
                           f"{dtype_name(input.dtype)} and {dtype_name(mat2.dtype)}")
    _not_implemented_for_bool("addmm_impl_cpu_", mat1._data)
    array = _add_scaled(_matrix_product(mat1._data, mat2._data), input._data, beta, alpha)
    return record(array, AddmmBackward0, (input, mat1, mat2), (mat1, mat2, beta, alpha))


AddmvBackward0 = node_class(
    "AddmvBackward0",
    lambda grad, mat, vec, beta, alpha: scaled(grad, beta),
    lambda grad, mat, vec, beta, alpha: scaled(grad.outer(conjugate(vec)), alpha),
    lambda grad, mat, vec, beta, alpha: scaled(adjoint(mat).mv(grad), alpha))


def addmv(input, mat, vec, *, beta=1, alpha=1):
    """beta * input + alpha * (mat @ vec)."""
    _check_mv(input, input._data.shape, mat, vec)
    array = _add_scaled(_matrix_product(mat._data, vec._data), input._data, beta, alpha)
    return record(array, AddmvBackward0, (input, mat, vec), (mat, vec, beta, alpha))


AddrBackward0 = node_class(
    "AddrBackward0",
    lambda grad, vec1, vec2, beta, alpha: scaled(grad, beta),
    lambda grad, vec1, vec2, beta, alpha: scaled(grad.mv(conjugate(vec2)), alpha),
    lambda grad, vec1, vec2, beta, alpha: scaled(adjoint(grad).mv(conjugate(vec1)), alpha))


def addr(input, vec1, vec2, *, beta=1, alpha=1):
    """beta * input + alpha * outer(vec1, vec2), with type promotion."""
    for name, value in (("vec1", vec1), ("vec2", vec2)):
        if value._data.ndim != 1:
            raise RuntimeError(f"addr: Expected 1-D argument {name}, but got "
                               f"{value._data.ndim}-D")
    _check_expandable(input, (vec1._data.shape[0], vec2._data.shape[0]))
    numpy_dtype = _dtype.numpy_dtype(_dtype.promote_operands((input, vec1, vec2)))
    product = np.multiply.outer(vec1._data.astype(numpy_dtype, copy=False),
                                vec2._data.astype(numpy_dtype, copy=False))
    array = _add_scaled(product, input._data.astype(numpy_dtype, copy=False), beta, alpha)
    return record(array, AddrBackward0, (input, vec1, vec2), (vec1, vec2, beta, alpha))


def _addbmm_batch_grad(grad, batch1, batch2, alpha, first):
    expanded = grad.unsqueeze(0).expand(batch1._data.shape[0], *grad._data.shape)
    if first:
        return scaled(expanded.bmm(adjoint(batch2)), alpha)
    return scaled(adjoint(batch1).bmm(expanded), alpha)


AddbmmBackward0 = node_class(
    "AddbmmBackward0",
    lambda grad, batch1, batch2, beta, alpha: scaled(grad, beta),
    lambda grad, batch1, batch2, beta, alpha: _addbmm_batch_grad(grad, batch1, batch2, alpha,
                                                                 True),
    lambda grad, batch1, batch2, beta, alpha: _addbmm_batch_grad(grad, batch1, batch2, alpha,
                                                                 False))


def addbmm(input, batch1, batch2, *, beta=1, alpha=1):
    """beta * input + alpha * sum over the batch of batch1[i] @ batch2[i]."""
    _check_batches(batch1, batch2)
    _check_expandable(input, (batch1._data.shape[1], batch2._data.shape[2]))
    if input.dtype != batch2.dtype or batch1.dtype != batch2.dtype:
        other = input if input.dtype != batch2.dtype else batch1
        raise RuntimeError(f"self and mat2 must have the same dtype, but got "
                           f"{dtype_name(other.dtype)} and {dtype_name(batch2.dtype)}")
    _not_implemented_for_bool("addbmm", batch1._data)
    product = _matrix_product(batch1._data, batch2._data).sum(axis=0)
    array = _add_scaled(product, input._data, beta, alpha)
    return record(array, AddbmmBackward0, (input, batch1, batch2), (batch1, batch2, beta, alpha))


BaddbmmBackward0 = node_class(
    "BaddbmmBackward0",
    lambda grad, batch1, batch2, beta, alpha: scaled(grad, beta),
    lambda grad, batch1, batch2, beta, alpha: scaled(grad.bmm(adjoint(batch2)), alpha),
    lambda grad, batch1, batch2, beta, alpha: scaled(adjoint(batch1).bmm(grad), alpha))


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1):
    """beta * input + alpha * (batch1 @ batch2), batch by batch."""
    _check_batches(batch1, batch2)
    shape = (batch1._data.shape[0], batch1._data.shape[1], batch2._data.shape[2])
    _check_expandable(input, shape)
    if len({input.dtype, batch1.dtype, batch2.dtype}) != 1:
        raise RuntimeError(f"Input dtypes must be the same, got: input "
                           f"{_dtype_word(input)}, batch1: {_dtype_word(batch1)}, batch2: "
                           f"{_dtype_word(batch2)}")
    _not_implemented_for_bool("baddbmm_cpu", batch1._data)
    array = _add_scaled(_matrix_product(batch1._data, batch2._data), input._data, beta, alpha)
    return record(array, BaddbmmBackward0, (input, batch1, batch2),
                  (batch1, batch2, beta, alpha))


def linalg_vecdot(x, y, *, dim=-1):
    """The dot product of vectors along dim (conjugating x), with broadcasting."""
    if x.dtype != y.dtype:
        raise RuntimeError(f"linalg.vecdot: Expected x and y to have the same dtype, but found x "
                           f"of type {dtype_name(x.dtype)} and y of type {dtype_name(y.dtype)} "
                           "instead")
    if x._data.dtype.kind not in "fc":
        raise RuntimeError(f"linalg.vecdot: Expected a floating point or complex tensor as input. "
                           f"Got {dtype_name(x.dtype)}")
    # PyTorch computes two vectors with vdot, everything else as a broadcast product and sum
    if x._data.ndim == 1 and y._data.ndim == 1:
        return vdot(x, y)
    return (conjugate(x) * y).sum(dim)


def _dtype_word(tensor):
    return cpp_type_name(tensor.dtype)


for _name, _function in (("dot", dot), ("vdot", vdot), ("mv", mv), ("mm", mm), ("bmm", bmm),
                         ("matmul", matmul), ("outer", outer), ("ger", ger), ("addmm", addmm),
                         ("addmv", addmv), ("addr", addr), ("addbmm", addbmm),
                         ("baddbmm", baddbmm)):
    method(_name, _function)
for _name, _function in (("addmm", addmm), ("addmv", addmv), ("addr", addr),
                         ("addbmm", addbmm), ("baddbmm", baddbmm)):
    inplace_method(_name, _function)
Tensor.__matmul__ = type_error_to_not_implemented(_matmul_operator)
Tensor.__rmatmul__ = type_error_to_not_implemented(_rmatmul_operator)

# The sibling families load here so that `ember.ops.linalg`'s names cover them all.
from ember.ops import contractions, decompositions, diagonals  # noqa: E402
from ember.ops import matrix_functions, norms, removed_linalg  # noqa: E402

__all__ += (diagonals.__all__ + contractions.__all__ + decompositions.__all__
            + matrix_functions.__all__ + norms.__all__ + removed_linalg.__all__)
from ember.ops.contractions import *  # noqa: E402,F401,F403
from ember.ops.decompositions import *  # noqa: E402,F401,F403
from ember.ops.diagonals import *  # noqa: E402,F401,F403
from ember.ops.matrix_functions import *  # noqa: E402,F401,F403
from ember.ops.norms import *  # noqa: E402,F401,F403
from ember.ops.removed_linalg import *  # noqa: E402,F401,F403
