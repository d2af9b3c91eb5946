"""Set membership, products and floating-point decomposition: isin, cartesian_prod,
combinations, block_diag, signbit, frexp, ldexp, heaviside, typename."""
import numpy as np

from ember import _dtype, return_types
from ember._errors import broadcast_mismatch, dtype_name
from ember._tensor import Tensor, _wrap
from ember.ops._elementwise import not_implemented, require_tensor
from ember.ops._registry import (RESULT, apply_inplace, binary_operands, method, node_class,
                                 record, record_multi)
from ember.ops.creation import empty
from ember.ops.joining import finish_out, stack
from ember.ops.ranges import meshgrid

__all__ = ["isin", "cartesian_prod", "combinations", "block_diag", "signbit", "frexp",
           "ldexp", "heaviside", "typename"]

# torch.return_types.frexp: (mantissa, exponent)
return_types.frexp = return_types._return_type("frexp", ("mantissa", "exponent"))
return_types.__all__.append("frexp")


# ---- isin ---------------------------------------------------------------------------------------

_ISIN_SIGNATURES = (
    " * (Tensor elements, Tensor test_elements, *, bool assume_unique = False, "
    "bool invert = False, Tensor out = None)\n"
    " * (Number element, Tensor test_elements, *, bool assume_unique = False, "
    "bool invert = False, Tensor out = None)\n"
    " * (Tensor elements, Number test_element, *, bool assume_unique = False, "
    "bool invert = False, Tensor out = None)\n")


def _check_isin_dtype(value):
    if isinstance(value, Tensor) and value._data.dtype.kind in "bc":
        raise RuntimeError("Unsupported input type encountered for isin(): "
                           f"{dtype_name(value.dtype)}")


def isin(elements, test_elements, *, assume_unique=False, invert=False):
    """Whether each element of `elements` is in `test_elements` (compared in the promoted
    dtype); `assume_unique` is a speed hint that does not change the result."""
    if not isinstance(elements, Tensor) and not isinstance(test_elements, Tensor):
        names = f"({type(elements).__name__}, {type(test_elements).__name__})"
        raise TypeError(f"isin() received an invalid combination of arguments - got {names}, "
                        f"but expected one of:\n{_ISIN_SIGNATURES}")
    _check_isin_dtype(elements)
    _check_isin_dtype(test_elements)
    values, tests, _ = binary_operands(elements, test_elements)
    values = np.asarray(values)
    found = np.isin(values.reshape(-1), np.asarray(tests).reshape(-1), invert=invert)
    return _wrap(found.reshape(values.shape))


# ---- cartesian_prod, combinations ---------------------------------------------------------------

def _check_vector(tensor):
    if tensor.dim() != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(tensor.shape)}")


def cartesian_prod(*tensors):
    """All tuples taking one element from each 1-D tensor, as rows (itertools.product order)."""
    for tensor in tensors:
        _check_vector(tensor)
    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing="ij")
    return stack([grid.flatten() for grid in grids], 1)


def _ordered_mask(count, r, with_replacement):
    """The r-dimensional mask of index tuples i0 < i1 < ... (<= with replacement)."""
    indices = np.indices((count,) * r, sparse=True)
    mask = np.ones((count,) * r, dtype=bool)
    for earlier, later in zip(indices[:-1], indices[1:]):
        mask &= (earlier <= later) if with_replacement else (earlier < later)
    return _wrap(mask)


def combinations(input, r=2, with_replacement=False):
    """The length-r combinations of a 1-D tensor's elements, as rows."""
    _check_vector(input)
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return empty(0, dtype=input.dtype)
    mask = _ordered_mask(input.shape[0], r, with_replacement)
    grids = meshgrid(*([input] * r), indexing="ij")
    return stack([grid.masked_select(mask) for grid in grids], 1)


# ---- block_diag ---------------------------------------------------------------------------------

_BLOCK_DIAG_NODES = {}


def _block_rule(position):
    def rule(grad, blocks):
        shape, rows, columns = blocks[position]
        return grad[rows[0]:rows[1], columns[0]:columns[1]].reshape(shape)
    return rule


def _block_diag_node(count):
    """The BlockDiagBackward0 class for `count` inputs: each gets its block of the gradient."""
    node = _BLOCK_DIAG_NODES.get(count)
    if node is None:
        node = _BLOCK_DIAG_NODES[count] = node_class(
            "BlockDiagBackward0", *[_block_rule(position) for position in range(count)])
    return node


def block_diag(*tensors):
    """The tensors (0-, 1- or 2-d) as blocks on the diagonal of one matrix."""
    if not tensors:
        return empty(1, 0)
    matrices = []
    for position, tensor in enumerate(tensors):
        if tensor.dim() > 2:
            raise RuntimeError("torch.block_diag: Input tensors must have 2 or fewer dimensions. "
                               f"Input {position} has {tensor.dim()} dimensions")
        data = tensor._data
        matrices.append(data.reshape(1, -1) if data.ndim < 2 else data)
    numpy_dtype = _dtype.numpy_dtype(_dtype.promote_operands(tensors))
    array = np.zeros((sum(m.shape[0] for m in matrices), sum(m.shape[1] for m in matrices)),
                     dtype=numpy_dtype)
    blocks = []
    row = column = 0
    for tensor, matrix in zip(tensors, matrices):
        rows, columns = matrix.shape
        array[row:row + rows, column:column + columns] = matrix
        blocks.append((tuple(tensor.shape), (row, row + rows), (column, column + columns)))
        row += rows
        column += columns
    return record(array, _block_diag_node(len(tensors)), tensors, (blocks,))


def _broadcast_shape(a, b):
    """The broadcast shape of two arrays, with PyTorch's error when there is none."""
    try:
        return np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise broadcast_mismatch(a.shape, b.shape) from None


# ---- signbit, frexp, ldexp ----------------------------------------------------------------------

def signbit(input, *, out=None):
    """Whether each element's sign bit is set (true for -0.0 and negative NaN)."""
    data = input._data
    if data.dtype.kind == "c":
        raise NotImplementedError("signbit is not implemented for complex tensors.")
    if input.dtype.is_floating_point:
        result = np.signbit(data)
    else:
        result = data < 0
    return finish_out(_wrap(np.asarray(result)), out, "signbit")


FrexpBackward0 = node_class("FrexpBackward0",
                            lambda grads, exponent: grads[0] / exponent.exp2(),
                            multi_output=True)


def frexp(input, *, out=None):
    """(mantissa, exponent) with input = mantissa * 2 ** exponent, |mantissa| in [0.5, 1)."""
    data = input._data
    if not input.dtype.is_floating_point:
        raise RuntimeError("torch.frexp() only supports floating-point dtypes")
    if data.dtype.itemsize == 2 and data.dtype != np.float16:
        # bfloat16: NumPy has no frexp for it; the float32 values are the same numbers
        mantissa, exponent = np.frexp(data.astype(np.float32))
        mantissa = mantissa.astype(data.dtype)
    else:
        mantissa, exponent = np.frexp(data)
    exponent = np.asarray(exponent, dtype=np.int32)
    outs = record_multi((np.asarray(mantissa), exponent), FrexpBackward0, (input,),
                        (_wrap(exponent),), (True, False))
    result = return_types.frexp(outs)
    if out is None:
        return result
    for position, target in enumerate(out):
        finish_out(result[position], target, "frexp")
    return return_types.frexp(out)


def _ldexp_dtype(input, other):
    """The promoted dtype, made floating (the default float) when both are integral."""
    result = _dtype.numpy_dtype(_dtype.promote_operands((input, other)))
    if result.kind in "biu":
        return _dtype.DEFAULT.numpy
    return result


def _ldexp_array(mantissa, exponent, numpy_dtype):
    mantissa = mantissa.astype(numpy_dtype, copy=False)
    if exponent.dtype.kind in "iu" and numpy_dtype.kind != "c" and numpy_dtype.itemsize != 2:
        # exact, even when the result is subnormal (2 ** exponent alone would underflow)
        limits = np.iinfo(np.int32)
        return np.ldexp(mantissa, np.clip(exponent, limits.min, limits.max).astype(np.int32))
    return mantissa * np.exp2(exponent.astype(numpy_dtype, copy=False))


def _ldexp_other_backward(grad, input, other, result):
    return grad * result * float(np.log(2.0))


def _integer_powers_of_two(exponent):
    """2 ** exponent computed in the exponent's integer dtype, as PyTorch's derivative does:
    0 for negative exponents, wrapping (to 0, or the minimum for the sign bit) past the top."""
    data = exponent._data
    bits = data.dtype.itemsize * 8
    inside = (data >= 0) & (data < bits)
    shifts = np.where(inside, data, 0).astype(data.dtype)
    powers = np.left_shift(np.ones_like(data), shifts)
    return _wrap(np.where(inside, powers, 0).astype(data.dtype))


def _ldexp_input_backward(grad, input, other, result):
    if other._data.dtype.kind in "iu":
        return grad * _integer_powers_of_two(other)
    return ldexp(grad, other)


LdexpBackward0 = node_class("LdexpBackward0", _ldexp_input_backward, _ldexp_other_backward)


def ldexp(input, other, *, out=None):
    """input * 2 ** other."""
    require_tensor("ldexp", other)
    if other._data.dtype.kind == "b":
        raise not_implemented("ldexp_cpu_exp", other.dtype)
    numpy_dtype = _ldexp_dtype(input, other)
    shape = _broadcast_shape(input._data, other._data)
    array = _ldexp_array(np.broadcast_to(input._data, shape), np.broadcast_to(other._data, shape),
                         numpy_dtype)
    result = record(np.asarray(array), LdexpBackward0, (input, other), (input, other, RESULT))
    return finish_out(result, out, "ldexp")


def _ldexp_(self, other):
    """In-place ldexp."""
    require_tensor("ldexp_", other)
    numpy_dtype = _ldexp_dtype(self, other)
    if self._data.dtype.kind in "biu" and numpy_dtype.kind not in "biu":
        raise RuntimeError(f"ldexp can't be cast to the desired output type "
                           f"{dtype_name(self.dtype)}")
    return apply_inplace(self, ldexp, (other,), {})


# ---- heaviside ----------------------------------------------------------------------------------

def _heaviside_derivative(grad, *saved):
    raise RuntimeError("derivative for aten::heaviside is not implemented")


# PyTorch records heaviside under a node literally named NotImplemented
HeavisideNotImplemented = node_class("NotImplemented", _heaviside_derivative,
                                     _heaviside_derivative)


def heaviside(input, values, *, out=None):
    """The Heaviside step: 0 below zero, 1 above, `values` at zero."""
    require_tensor("heaviside", values, argument="values")
    if input._data.dtype.kind == "c" or values._data.dtype.kind == "c":
        raise RuntimeError("heaviside is not yet implemented for complex tensors.")
    if input.dtype is not values.dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different "
                           "dtypes.")
    data, at_zero = input._data, values._data
    _broadcast_shape(data, at_zero)
    # NaN is neither 0 nor > 0, so it steps to 0, as in PyTorch
    array = np.where(data == 0, at_zero, data > 0).astype(data.dtype, copy=False)
    result = record(np.asarray(array), HeavisideNotImplemented, (input, values), ())
    return finish_out(result, out, "heaviside")


def _heaviside_(self, values):
    """In-place heaviside."""
    return apply_inplace(self, heaviside, (values,), {})


# ---- typename -----------------------------------------------------------------------------------

def typename(obj, /):
    """The type name of obj as a string: Tensor.type() for tensors, else module.qualname."""
    if isinstance(obj, Tensor):
        return obj.type()
    module = getattr(obj, "__module__", "") or ""
    if hasattr(obj, "__qualname__"):
        qualname = obj.__qualname__
    elif hasattr(obj, "__name__"):
        qualname = obj.__name__
    else:
        module = obj.__class__.__module__ or ""
        qualname = obj.__class__.__qualname__
    if module in ("", "builtins"):
        return qualname
    return f"{module}.{qualname}"


for _name in ("signbit", "frexp", "ldexp", "heaviside"):
    method(_name, globals()[_name])
method("ldexp_", _ldexp_)
method("heaviside_", _heaviside_)
