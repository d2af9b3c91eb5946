"""Tensor contractions composed from views and products as PyTorch composes them: einsum,
tensordot, kron, chain_matmul; and the cross product."""
import math
import warnings

import numpy as np

from ember._errors import broadcast_mismatch, dtype_name, normalize_dim, warn_once
from ember._tensor import Tensor
from ember.ops._elementwise import conjugate
from ember.ops._registry import method, node_class, record
from ember.ops.joining import finish_out
from ember.ops.linalg import unsafe_view

__all__ = ["einsum", "tensordot", "kron", "cross", "chain_matmul"]


# ---- kron ----------------------------------------------------------------------------------------

def kron(input, other):
    """The Kronecker product: interleaved reshapes, a broadcast multiply and a reshape."""
    ndim = max(input._data.ndim, other._data.ndim)
    shape_a = (1,) * (ndim - input._data.ndim) + input._data.shape
    shape_b = (1,) * (ndim - other._data.ndim) + other._data.shape
    interleaved_a = []
    interleaved_b = []
    for extent_a, extent_b in zip(shape_a, shape_b):
        interleaved_a += [extent_a, 1]
        interleaved_b += [1, extent_b]
    result_shape = tuple(a * b for a, b in zip(shape_a, shape_b))
    # inserting size-1 dims is always a valid view of the inputs
    product = (unsafe_view(input, tuple(interleaved_a))
               * unsafe_view(other, tuple(interleaved_b)))
    return unsafe_view(product, result_shape)


# ---- tensordot -----------------------------------------------------------------------------------

def _tensordot_dims(a, b, dims):
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > min(a._data.ndim, b._data.ndim):
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
        return list(range(-dims, 0)), list(range(dims))
    dims_a, dims_b = dims
    dims_a = [dims_a] if isinstance(dims_a, int) else list(dims_a)
    dims_b = [dims_b] if isinstance(dims_b, int) else list(dims_b)
    return dims_a, dims_b


def tensordot(a, b, dims=2):
    """Contracts dims of a with dims of b (an int: a's last `dims` with b's first)."""
    dims_a, dims_b = _tensordot_dims(a, b, dims)
    if len(dims_a) != len(dims_b):
        raise RuntimeError("both dimension lists should have same length")
    if a.dtype != b.dtype:
        raise RuntimeError("both inputs should have same dtype")
    left = a
    right = b
    contracted = 1
    for dim_a, dim_b in zip(dims_a, dims_b):
        size_a = a._data.shape[normalize_dim(dim_a, a._data.ndim)]
        size_b = b._data.shape[normalize_dim(dim_b, b._data.ndim)]
        # a broadcast (size-1) contracted dim is summed out right away
        if size_b == 1:
            left = left.sum(dim_a, True)
        elif size_a == 1:
            right = right.sum(dim_b, True)
        else:
            if size_a != size_b:
                raise RuntimeError(
                    f"contracted dimensions need to match, but first has size {size_a} in dim "
                    f"{dim_a} and second has size {size_b} in dim {dim_b}")
            contracted *= size_a
    contracted_a = [normalize_dim(d, a._data.ndim) for d in dims_a]
    contracted_b = [normalize_dim(d, b._data.ndim) for d in dims_b]
    kept_a = [d for d in range(a._data.ndim) if d not in contracted_a]
    kept_b = [d for d in range(b._data.ndim) if d not in contracted_b]
    result_shape = ([left._data.shape[d] for d in kept_a]
                    + [right._data.shape[d] for d in kept_b])
    left = left.permute(kept_a + contracted_a).reshape(
        math.prod(left._data.shape[d] for d in kept_a), contracted)
    right = right.permute(contracted_b + kept_b).reshape(
        contracted, math.prod(right._data.shape[d] for d in kept_b))
    return left.mm(right).reshape(result_shape)


# ---- cross ---------------------------------------------------------------------------------------

LinalgCrossBackward0 = node_class(
    "LinalgCrossBackward0",
    lambda grad, input, other, dim: _cross(conjugate(other), grad, dim),
    lambda grad, input, other, dim: _cross(grad, conjugate(input), dim))


def _cross(input, other, dim):
    a = input._data
    b = other._data
    if a.shape[dim] != 3 or b.shape[dim] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got "
                           f"{a.shape[dim]} and {b.shape[dim]}")
    try:
        shape = np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise broadcast_mismatch(a.shape, b.shape) from None
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected scalar type {dtype_name(input.dtype)} but found "
                           f"{dtype_name(other.dtype)}")
    axis = normalize_dim(dim, len(shape))
    array = np.cross(a, b, axis=axis - len(shape) if a.ndim != b.ndim else axis)
    return record(np.asarray(array), LinalgCrossBackward0, (input, other), (input, other, dim))


def linalg_cross(input, other, *, dim=-1):
    """The cross product of 3-vectors along `dim` (broadcasting), as torch.linalg.cross."""
    return _cross(input, other, dim)


def cross(input, other, dim=None):
    """The cross product along `dim`; without dim, along the first dim of size 3 (deprecated)."""
    if dim is None:
        warnings.warn(
            "Using torch.cross without specifying the dim arg is deprecated.\nPlease either "
            "pass the dim explicitly or simply use torch.linalg.cross.\nThe default value of "
            "dim will change to agree with that of linalg.cross in a future release.",
            UserWarning, stacklevel=2)
        try:
            shape = np.broadcast_shapes(input._data.shape, other._data.shape)
        except ValueError:
            raise broadcast_mismatch(input._data.shape, other._data.shape) from None
        if 3 not in shape:
            raise RuntimeError("no dimension of size 3 in input")
        dim = shape.index(3)
    return _cross(input, other, dim)


# ---- einsum --------------------------------------------------------------------------------------

_ELLIPSIS = "..."


def _sublist_label(value):
    if value is Ellipsis:
        return _ELLIPSIS
    if 0 <= value < 26:
        return chr(ord("A") + value)
    if 26 <= value < 52:
        return chr(ord("a") + value - 26)
    raise ValueError(f"einsum(): subscript in subscript list is not within the valid range "
                     f"[0, 52), but got {value}")


def _sublist_equation(arguments):
    """einsum(op1, sublist1, op2, sublist2, ..., [out]) as an equation and operands."""
    operands = list(arguments[0::2])
    sublists = list(arguments[1::2])
    output = None
    if len(arguments) % 2 == 1:
        output = operands.pop()
    equation = ",".join("".join(_sublist_label(v) for v in sub) for sub in sublists)
    if output is not None:
        equation += "->" + "".join(_sublist_label(v) for v in output)
    return equation, operands


def _parse_operand_labels(lhs, count):
    labels = [[]]
    seen_ellipsis = False
    position = 0
    while position < len(lhs):
        character = lhs[position]
        if character == " ":
            pass
        elif character == ".":
            operand = len(labels) - 1
            if seen_ellipsis:
                raise RuntimeError(f"einsum(): found '.' for operand {operand} for which an "
                                   "ellipsis was already found")
            if lhs[position:position + 3] != _ELLIPSIS:
                raise RuntimeError(f"einsum(): found '.' for operand {operand} that is not part "
                                   "of any ellipsis")
            labels[-1].append(_ELLIPSIS)
            seen_ellipsis = True
            position += 2
        elif character == ",":
            labels.append([])
            if len(labels) > count:
                raise RuntimeError(
                    "einsum(): fewer operands were provided than specified in the equation")
            seen_ellipsis = False
        elif character.isascii() and character.isalpha():
            labels[-1].append(character)
        else:
            raise RuntimeError(f"einsum(): invalid subscript given at index {position} in the "
                               "equation string, subscripts must be in [a-zA-Z]")
        position += 1
    if len(labels) != count:
        raise RuntimeError("einsum(): more operands were provided than specified in the equation")
    return labels


def _label_order(label):
    """PyTorch orders implicit-output and contraction labels A-Z then a-z."""
    return (label.islower(), label)


def einsum(*args):
    """Einstein summation, as PyTorch computes it (diagonals, permutes, left-to-right
    pairwise products through bmm)."""
    if len(args) >= 2 and not isinstance(args[0], str):
        equation, operands = _sublist_equation(args)
    else:
        equation = args[0]
        operands = list(args[1:])
        if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
            operands = list(operands[0])
    if not operands:
        raise RuntimeError("einsum(): must provide at least one operand")
    arrow = equation.find("->")
    lhs = equation if arrow < 0 else equation[:arrow]
    labels = _parse_operand_labels(lhs, len(operands))

    counts = {}
    ellipsis_ndim = 0
    for index, (operand, operand_labels) in enumerate(zip(operands, labels)):
        ndim = operand._data.ndim
        named = [label for label in operand_labels if label != _ELLIPSIS]
        has_ellipsis = len(named) != len(operand_labels)
        for label in named:
            counts[label] = counts.get(label, 0) + 1
        if has_ellipsis:
            ellipsis_ndim = max(ellipsis_ndim, ndim - len(named))
            if len(named) > ndim:
                raise RuntimeError(
                    f"einsum(): the number of subscripts in the equation ({len(named)}) is more "
                    f"than the number of dimensions ({ndim}) for operand {index}")
        elif len(named) != ndim:
            raise RuntimeError(
                f"einsum(): the number of subscripts in the equation ({len(named)}) does not "
                f"match the number of dimensions ({ndim}) for operand {index} and no ellipsis "
                "was given")

    # Aligned layout: output dims first, then the dims to contract.
    position_of = {}
    next_position = 0
    ellipsis_start = 0
    ellipsis_in_output = False
    if arrow < 0:
        next_position = ellipsis_ndim
        ellipsis_in_output = True
        for label in sorted(counts, key=_label_order):
            if counts[label] == 1:
                position_of[label] = next_position
                next_position += 1
    else:
        rhs = equation[arrow + 2:]
        position = 0
        while position < len(rhs):
            character = rhs[position]
            if character == ".":
                if ellipsis_in_output:
                    raise RuntimeError("einsum(): found '.' for output but an ellipsis (...) "
                                       "was already found")
                if rhs[position:position + 3] != _ELLIPSIS:
                    raise RuntimeError("einsum(): found '.' for output that is not part of any "
                                       "ellipsis (...)")
                ellipsis_start = next_position
                next_position += ellipsis_ndim
                ellipsis_in_output = True
                position += 2
            elif character != " ":
                if not (character.isascii() and character.isalpha()):
                    raise RuntimeError(
                        f"einsum(): invalid subscript given at index {len(lhs) + 2 + position} "
                        "in the equation string, subscripts must be in [a-zA-Z]")
                if character in position_of:
                    raise RuntimeError(f"einsum(): output subscript {character} appears more "
                                       "than once in the output")
                if character not in counts:
                    raise RuntimeError(f"einsum(): output subscript {character} does not "
                                       "appear in the equation for any input operand")
                position_of[character] = next_position
                next_position += 1
            position += 1
    output_ndim = next_position
    if not ellipsis_in_output:
        ellipsis_start = next_position
        next_position += ellipsis_ndim
    for label in sorted(counts, key=_label_order):
        if label not in position_of:
            position_of[label] = next_position
            next_position += 1
    total_ndim = next_position

    ops, dim_counts = _align_operands(operands, labels, position_of, ellipsis_ndim,
                                      ellipsis_start, total_ndim)
    while len(ops) > 1:
        a = ops.pop(0)
        b = ops.pop(0)
        sum_dims = []
        a_sum = []
        b_sum = []
        for dim in range(output_ndim, total_ndim):
            a_size = a._data.shape[dim]
            b_size = b._data.shape[dim]
            if a_size != 1 and b_size != 1:
                dim_counts[dim] -= 1
                if dim_counts[dim] == 1:
                    sum_dims.append(dim)
                    dim_counts[dim] = 0
            elif dim_counts[dim] == 1:
                if a_size != 1:
                    a_sum.append(dim)
                    dim_counts[dim] = 0
                elif b_size != 1:
                    b_sum.append(dim)
                    dim_counts[dim] = 0
        if a_sum:
            a = a.sum(a_sum, True)
        if b_sum:
            b = b.sum(b_sum, True)
        ops.insert(0, _sumproduct_pair(a, b, sum_dims))
    result = ops[0]
    if total_ndim > output_ndim:
        if len(operands) > 1:
            return result.view(result._data.shape[:output_ndim])
        return result.sum(list(range(output_ndim, total_ndim)))
    return result


def _align_operands(operands, labels, position_of, ellipsis_ndim, ellipsis_start, total_ndim):
    """Takes diagonals for repeated labels, unsqueezes missing dims and permutes every operand
    into the aligned layout; counts, per aligned dim, the operands where it is not 1."""
    label_size = {}
    ellipsis_sizes = [1] * ellipsis_ndim
    dim_counts = [0] * total_ndim
    aligned = []
    for index, (operand, operand_labels) in enumerate(zip(operands, labels)):
        op = operand
        permutation = [-1] * total_ndim
        dim = 0
        for label in operand_labels:
            if label == _ELLIPSIS:
                covered = operand._data.ndim - (len(operand_labels) - 1)
                for j in range(ellipsis_ndim - covered, ellipsis_ndim):
                    size = op._data.shape[dim]
                    if size != 1:
                        if ellipsis_sizes[j] not in (1, size):
                            raise RuntimeError(
                                f"einsum(): dimension {dim} covered by ellipsis in operand "
                                f"{index}has size {size} which does not broadcast with "
                                f"previously seen ellipsis with size {ellipsis_sizes[j]} for "
                                "the respective dimension")
                        ellipsis_sizes[j] = size
                        dim_counts[ellipsis_start + j] += 1
                    permutation[ellipsis_start + j] = dim
                    dim += 1
            elif permutation[position_of[label]] == -1:
                size = op._data.shape[dim]
                if size != 1:
                    seen = label_size.get(label, 1)
                    if seen not in (1, size):
                        raise RuntimeError(
                            f"einsum(): subscript {label} has size {size} for operand {index} "
                            f"which does not broadcast with previously seen size {seen}")
                    label_size[label] = size
                    dim_counts[position_of[label]] += 1
                permutation[position_of[label]] = dim
                dim += 1
            else:
                previous = permutation[position_of[label]]
                if op._data.shape[dim] != op._data.shape[previous]:
                    raise RuntimeError(
                        f"einsum(): subscript {label} is repeated for operand {index} but the "
                        f"sizes don't match, {op._data.shape[dim]} != {op._data.shape[previous]}")
                op = op.diagonal(0, previous, dim).movedim(-1, previous)
        for position in range(total_ndim):
            if permutation[position] == -1:
                op = op.unsqueeze(dim)
                permutation[position] = dim
                dim += 1
        aligned.append(op.permute(permutation))
    return aligned, dim_counts


def _sumproduct_pair(left, right, sum_dims):
    """(left * right).sum(sum_dims, keepdim=True) through permutes and one bmm."""
    if not sum_dims:
        return left * right
    ndim = left._data.ndim
    both, left_only, right_only = [], [], []
    both_size = left_size = right_size = sum_size = 1
    for dim in range(ndim):
        left_extent = left._data.shape[dim]
        right_extent = right._data.shape[dim]
        in_left = left_extent != 1
        in_right = right_extent != 1
        if dim in sum_dims:
            if in_left and in_right:
                sum_size *= left_extent
            elif in_left:
                left = left.sum(dim, True)
            elif in_right:
                right = right.sum(dim, True)
        elif in_left and in_right:
            both.append(dim)
            both_size *= left_extent
        elif in_left:
            left_only.append(dim)
            left_size *= left_extent
        else:
            right_only.append(dim)
            right_size *= right_extent
    out_size = ([left._data.shape[d] for d in both] + [left._data.shape[d] for d in left_only]
                + [1] * len(sum_dims) + [right._data.shape[d] for d in right_only])
    left_permutation = both + left_only + list(sum_dims) + right_only
    right_permutation = both + list(sum_dims) + right_only + left_only
    out_permutation = [0] * ndim
    for position, dim in enumerate(both + left_only + list(sum_dims) + right_only):
        out_permutation[dim] = position
    left = left.permute(left_permutation).reshape(both_size, left_size, sum_size)
    right = right.permute(right_permutation).reshape(both_size, sum_size, right_size)
    return left.bmm(right).view(out_size).permute(out_permutation)


for _name_, _function in (("kron", kron), ("cross", cross)):
    method(_name_, _function)


# ---- chain_matmul ------------------------------------------------------------------------------

_CHAIN_MATMUL_DEPRECATION = (
    "torch.chain_matmul is deprecated and will be removed in a future PyTorch release. Use "
    "torch.linalg.multi_dot instead, which accepts a list of two or more tensors rather than "
    "multiple parameters. (Triggered internally at "
    "/__w/pytorch/pytorch/aten/src/ATen/native/LinearAlgebra.cpp:1102.)")


def chain_matmul(*matrices, out=None):
    """Deprecated: the product of two or more matrices (linalg.multi_dot of them)."""
    from ember.ops.decompositions import multi_dot  # decompositions loads after this module
    warn_once("chain_matmul", _CHAIN_MATMUL_DEPRECATION)
    for position, matrix in enumerate(matrices):
        if not isinstance(matrix, Tensor):
            raise TypeError(f"expected Tensor as element {position} in argument 0, but got "
                            f"{type(matrix).__name__}")
    if not matrices:
        raise RuntimeError("chain_matmul(): Expected one or more matrices")
    for matrix in matrices:
        if matrix._data.ndim != 2:
            raise RuntimeError(f"Tensor dimension is {matrix._data.ndim}, expected 2 instead.")
    if len(matrices) == 1:
        return finish_out(matrices[0].clone(), out, "chain_matmul")
    return finish_out(multi_dot(matrices), out, "chain_matmul")
