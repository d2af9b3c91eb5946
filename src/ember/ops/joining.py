"""Joining and rearranging: cat, stack and their h/v/d/column variants, flip, roll, rot90,
repeat, tile, repeat_interleave, broadcasting helpers and atleast_Nd."""
import numpy as np

from ember import _dtype
from ember._errors import (broadcast_mismatch, dtype_name, normalize_dim, normalize_dims,
                           parser_type_name)
from ember._tensor import Size, Tensor, _wrap
from ember.ops._registry import check_inplace, method, node_class, record, write_result

__all__ = ["cat", "concat", "concatenate", "stack", "hstack", "vstack", "dstack", "row_stack",
           "column_stack", "split_with_sizes", "flip", "fliplr", "flipud", "roll", "rot90", "tile",
           "repeat_interleave", "broadcast_to", "broadcast_tensors", "broadcast_shapes",
           "atleast_1d", "atleast_2d", "atleast_3d"]


def finish_out(result, out, function):
    """Honours an out= argument: writes `result` into `out` (resizing it when the shape
    differs, as PyTorch resizes out tensors) and returns it."""
    if out is None:
        return result
    if result._requires_grad:
        raise RuntimeError(f"{function}(): functions with out=... arguments don't support "
                           "automatic differentiation, but one of the arguments requires grad.")
    if out._data.shape == result._data.shape:
        write_result(out, result._data)
        return out
    check_inplace(out)
    out._data = result._data.astype(out._data.dtype, copy=False)
    out._storage = None
    out._bump_version()
    return out


def tensor_sequence(tensors, function, argument="tensors"):
    """The list of tensors an op such as cat takes, with PyTorch's TypeErrors."""
    if not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{function}(): argument '{argument}' (position 1) must be tuple of "
                        f"Tensors, not {parser_type_name(tensors)}")
    for position, item in enumerate(tensors):
        if not isinstance(item, Tensor):
            raise TypeError(f"expected Tensor as element {position} in argument 0, but got "
                            f"{type(item).__name__}")
    return tensors


def _promoted_dtype(tensors):
    """The NumPy dtype PyTorch promotes the tensors of cat or stack to."""
    result = tensors[0].dtype
    for tensor in tensors[1:]:
        result = _dtype.promote_types(result, tensor.dtype)
    return _dtype.numpy_dtype(result)


def _leading_slices(dim):
    return (slice(None),) * dim


# ---- cat and stack ----------------------------------------------------------------------------

_CAT_NODES = {}
_STACK_NODES = {}


def _cat_rule(position):
    def rule(grad, dim, bounds):
        start, stop = bounds[position]
        if start is None:
            # a legacy empty 1-d input took no part in the result
            from ember.ops.creation import zeros
            return zeros(0, dtype=grad.dtype)
        return grad[_leading_slices(dim) + (slice(start, stop),)]
    return rule


def _cat_node(count):
    """The CatBackward0 class for `count` inputs: input i gets its slice of the gradient."""
    node = _CAT_NODES.get(count)
    if node is None:
        node = _CAT_NODES[count] = node_class(
            "CatBackward0", *[_cat_rule(position) for position in range(count)])
    return node


def _is_legacy_empty(tensor):
    # PyTorch still lets 1-d empty tensors join anything (they are skipped entirely)
    return tensor._data.shape == (0,)


def cat(tensors, dim=0, *, out=None, axis=None):
    """Concatenates tensors along an existing dim, promoting their dtypes (axis: NumPy's name
    for dim, accepted as PyTorch does)."""
    if axis is not None:
        dim = axis
    tensors = tensor_sequence(tensors, "cat")
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    for position, tensor in enumerate(tensors):
        if tensor._data.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {position}) cannot be "
                               "concatenated")
    arrays = [t._data for t in tensors]
    numpy_dtype = _promoted_dtype(tensors)
    kept = [position for position, t in enumerate(tensors) if not _is_legacy_empty(t)]
    if not kept:
        result = record(np.zeros(0, numpy_dtype), _cat_node(len(tensors)), tensors,
                        (0, [(0, 0)] * len(tensors)))
        return finish_out(result, out, "cat")
    reference = arrays[kept[0]].shape
    dim = normalize_dim(dim, len(reference))
    bounds = [(None, None)] * len(tensors)
    offset = 0
    for position in kept:
        shape = arrays[position].shape
        if len(shape) != len(reference):
            raise RuntimeError(f"Tensors must have same number of dimensions: got "
                               f"{len(reference)} and {len(shape)}")
        for other_dim, (expected, got) in enumerate(zip(reference, shape)):
            if other_dim != dim and expected != got:
                raise RuntimeError(
                    f"Sizes of tensors must match except in dimension {dim}. Expected size "
                    f"{expected} but got size {got} for tensor number {position} in the list.")
        bounds[position] = (offset, offset + shape[dim])
        offset += shape[dim]
    shape = list(reference)
    shape[dim] = offset
    # a C-ordered destination in the promoted dtype: np.concatenate alone would follow the
    # inputs' layout, and casting while copying saves a pass over mixed-dtype inputs
    array = np.concatenate([arrays[position] for position in kept], axis=dim,
                           out=np.empty(shape, numpy_dtype), casting="unsafe")
    result = record(array, _cat_node(len(tensors)), tensors, (dim, bounds))
    return finish_out(result, out, "cat")


concat = cat
concatenate = cat


def _stack_node(count):
    node = _STACK_NODES.get(count)
    if node is None:
        rules = [(lambda position: lambda grad, dim: grad[_leading_slices(dim) + (position,)])(
            position) for position in range(count)]
        node = _STACK_NODES[count] = node_class("StackBackward0", *rules)
    return node


def stack(tensors, dim=0, *, out=None, axis=None):
    """Joins equally shaped tensors along a new dim."""
    if axis is not None:
        dim = axis
    tensors = tensor_sequence(tensors, "stack")
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    reference = tensors[0]._data.shape
    dim = normalize_dim(dim, len(reference) + 1)
    for position, tensor in enumerate(tensors):
        if tensor._data.shape != reference:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {list(reference)} at "
                f"entry 0 and {list(tensor._data.shape)} at entry {position}")
    shape = reference[:dim] + (len(tensors),) + reference[dim:]
    array = np.stack([t._data for t in tensors], axis=dim,
                     out=np.empty(shape, _promoted_dtype(tensors)), casting="unsafe")
    result = record(array, _stack_node(len(tensors)), tensors, (dim,))
    return finish_out(result, out, "stack")


def _non_empty(tensors, function):
    tensors = tensor_sequence(tensors, function)
    if not tensors:
        raise RuntimeError(f"{function} expects a non-empty TensorList")
    return tensors


def hstack(tensors, *, out=None):
    """Concatenates along dim 1 (dim 0 for 1-d tensors)."""
    tensors = atleast_1d(_non_empty(tensors, "hstack"))
    if tensors[0]._data.ndim == 1:
        return cat(tensors, 0, out=out)
    return cat(tensors, 1, out=out)


def vstack(tensors, *, out=None):
    """Concatenates along dim 0 after making every tensor at least 2-d."""
    return cat(atleast_2d(_non_empty(tensors, "vstack")), 0, out=out)


row_stack = vstack


def dstack(tensors, *, out=None):
    """Concatenates along dim 2 after making every tensor at least 3-d."""
    return cat(atleast_3d(_non_empty(tensors, "dstack")), 2, out=out)


def column_stack(tensors, *, out=None):
    """Stacks 0-d and 1-d tensors as columns, and concatenates the rest along dim 1."""
    tensors = _non_empty(tensors, "column_stack")
    columns = [t.reshape(t._data.size, 1) if t._data.ndim <= 1 else t for t in tensors]
    return hstack(columns, out=out)


def split_with_sizes(input, split_sizes, dim=0):
    """Views of consecutive pieces of the listed sizes along dim (Tensor.split with a list)."""
    return _split_with_sizes(input, split_sizes, dim, 2)


def _split_with_sizes(input, split_sizes, dim, position):
    if isinstance(split_sizes, int):
        raise TypeError(f"split_with_sizes(): argument 'split_sizes' (position {position}) "
                        "must be tuple of ints, not int")
    return input.split(list(split_sizes), dim)


def _split_with_sizes_method(input, split_sizes, dim=0):
    return _split_with_sizes(input, split_sizes, dim, 1)


# ---- flip, roll, rot90 ------------------------------------------------------------------------

FlipBackward0 = node_class("FlipBackward0", lambda grad, dims: grad.flip(dims))


def flip(input, dims):
    """Reverses the order of elements along the given dims (a copy, layout preserved)."""
    if isinstance(dims, int):
        raise TypeError("flip(): argument 'dims' (position 2) must be tuple of ints, not int")
    data = input._data
    dims = normalize_dims(tuple(dims), data.ndim)
    # order="K" keeps the input's memory layout, as PyTorch's empty_like(Preserve) does
    array = np.flip(data, dims if data.ndim else ()).copy(order="K")
    return record(array, FlipBackward0, (input,), (dims,))


def _flip_method(input, *dims_spread, dims=None):
    """Tensor.flip accepts the dims spread out (x.flip(0, 1)) as well as a sequence."""
    if dims is None:
        dims = dims_spread
        if len(dims) == 1 and not isinstance(dims[0], int):
            dims = dims[0]
    return flip(input, dims)


def fliplr(input):
    """Flips a tensor of at least 2 dims left to right (dim 1)."""
    if input._data.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return flip(input, (1,))


def flipud(input):
    """Flips a tensor of at least 1 dim upside down (dim 0)."""
    if input._data.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return flip(input, (0,))


RollBackward0 = node_class("RollBackward0",
                           lambda grad, shifts, dims: grad.roll(tuple(-s for s in shifts), dims))


def roll(input, shifts, dims=None):
    """Rolls elements along dims (over the flattened tensor when dims is None)."""
    shifts = (shifts,) if isinstance(shifts, int) else tuple(int(s) for s in shifts)
    if dims is None:
        dims = ()
    elif isinstance(dims, int):
        dims = (dims,)
    dims = tuple(dims)
    if not shifts:
        raise RuntimeError("`shifts` required")
    data = input._data
    if not dims and len(shifts) == 1:
        array = np.roll(data.reshape(-1), shifts[0]).reshape(data.shape)
        return record(array, RollBackward0, (input,), (shifts, None))
    if len(shifts) != len(dims):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, "
                           f"dims:{len(dims)}")
    if data.ndim == 0:
        raise IndexError(f"Dimension specified as {dims[0]} but tensor has no dimensions")
    axes = tuple(normalize_dim(d, data.ndim) for d in dims)
    array = np.roll(data, shifts, axes)
    if not array.flags.c_contiguous:
        # PyTorch returns a contiguous result whatever the input layout
        array = array.copy()
    return record(array, RollBackward0, (input,), (shifts, dims))


Rot90Backward0 = node_class("Rot90Backward0", lambda grad, k, dims: grad.rot90(-k, dims))


def rot90(input, k=1, dims=(0, 1)):
    """Rotates by 90 degrees k times in the plane of dims, from the first towards the second."""
    dims = tuple(dims)
    ndim = input._data.ndim
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if ndim < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {ndim}")
    first = normalize_dim(dims[0], ndim)
    second = normalize_dim(dims[1], ndim)
    if first == second:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {dims[0]} "
                           f"and dim1 = {dims[1]}")
    data = input._data
    turns = k % 4
    # as PyTorch: a flipped copy seen through a transposed view
    if turns == 1:
        array = np.swapaxes(np.flip(data, second).copy(order="K"), first, second)
    elif turns == 2:
        array = np.flip(data, (first, second)).copy(order="K")
    elif turns == 3:
        array = np.swapaxes(np.flip(data, first).copy(order="K"), first, second)
    else:
        array = data.copy()
    return record(array, Rot90Backward0, (input,), (k, dims))


# ---- repeat, tile, repeat_interleave -----------------------------------------------------------

def _repeat_backward(grad, input_shape, repeats):
    """Sums the gradient over every copy: (r0*s0, r1*s1...) viewed as (r0, s0, r1, s1...)."""
    leading = len(repeats) - len(input_shape)
    padded = (1,) * leading + tuple(input_shape)
    split_shape = []
    for count, extent in zip(repeats, padded):
        split_shape.extend((count, extent))
    summed = grad.reshape(split_shape).sum(tuple(range(0, 2 * len(repeats), 2)))
    return summed.reshape(input_shape)


RepeatBackward0 = node_class("RepeatBackward0", _repeat_backward)


def _size_arguments(sizes):
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list, Size)):
        return tuple(int(s) for s in sizes[0])
    return tuple(int(s) for s in sizes)


def repeat(input, *sizes, repeats=None):
    """Tiles the tensor: sizes[i] copies along dim i (leading new dims when len(sizes) is
    larger than the tensor's dim)."""
    repeats = _size_arguments(sizes if repeats is None else (repeats,))
    data = input._data
    if len(repeats) < data.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number "
                           "of dimensions of tensor")
    padded = (1,) * (len(repeats) - data.ndim) + data.shape
    target = [count * extent for count, extent in zip(repeats, padded)]
    for extent in target:
        if extent < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {extent}: "
                               f"{target}")
    array = np.tile(data, repeats)
    return record(array, RepeatBackward0, (input,), (data.shape, repeats))


def tile(input, dims):
    """repeat() that pads dims with leading 1s when it is shorter than the tensor's dim."""
    dims = _size_arguments((dims,))
    missing = input._data.ndim - len(dims)
    if missing > 0:
        dims = (1,) * missing + dims
    return repeat(input, dims)


def _tile_method(self, *sizes, dims=None):
    """Tensor.tile takes the dims as a tuple or spread out (x.tile(2, 1)), as Tensor.repeat."""
    if dims is None:
        if not sizes:
            raise TypeError('tile() missing 1 required positional arguments: "dims"')
        dims = sizes[0] if len(sizes) == 1 else sizes
    return tile(self, dims)


def _reversed(self):
    """reversed(x): x flipped along dim 0 (a 0-d tensor is returned as it is), as PyTorch's."""
    if not self._data.ndim:
        return self
    return flip(self, [0])


Tensor.__reversed__ = _reversed


def _repeat_counts(repeats, output_size=None):
    """torch.repeat_interleave(repeats): index i repeated repeats[i] times."""
    data = repeats._data
    if data.ndim != 1:
        raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
    if data.dtype.kind not in "iu":
        raise NotImplementedError(f"\"repeat_interleave_cpu\" not implemented for "
                                  f"'{dtype_name(repeats.dtype)}'")
    if data.size and data.min() < 0:
        raise RuntimeError("repeats can not be negative")
    return _wrap(np.repeat(np.arange(data.size, dtype=data.dtype), data))


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Repeats each element (or each slice along dim) repeats times; with only a tensor of
    counts, the indices repeated by those counts."""
    if repeats is None:
        return _repeat_counts(input, output_size)
    if isinstance(repeats, Tensor):
        return _repeat_interleave_tensor(input, repeats, dim, output_size)
    source = input.reshape(-1) if dim is None else input
    dim = normalize_dim(0 if dim is None else dim, input._data.ndim)
    if repeats < 0:
        raise RuntimeError("Repeats must be non-negative")
    widened = source.unsqueeze(dim + 1)
    shape = list(widened.shape)
    shape[dim + 1] = repeats
    copies = widened.expand(shape).clone()
    merged = shape[:dim] + [shape[dim] * repeats] + shape[dim + 2:]
    return copies.view(merged)


def _repeat_interleave_tensor(input, repeats, dim, output_size):
    if dim is None:
        input = input.reshape(-1)
        dim = 0
    counts = repeats._data
    extent = input.size(dim)
    if counts.ndim == 0 or (counts.ndim == 1 and counts.shape[0] == 1):
        counts = np.broadcast_to(counts.reshape(1), (extent,))
    elif counts.ndim == 1:
        if counts.shape[0] != extent:
            raise RuntimeError(
                f"repeats must have the same size as input along dim, but got repeats.size(0) "
                f"= {counts.shape[0]} and input.size({dim}) = {extent}")
    else:
        raise RuntimeError("repeats must be 0-dim or 1-dim tensor")
    return input.index_select(dim, _repeat_counts(_wrap(counts), output_size))


# ---- broadcasting -----------------------------------------------------------------------------

def broadcast_shapes(*shapes):
    """The shape all the given shapes broadcast to."""
    shapes = [(shape,) if isinstance(shape, int) else shape for shape in shapes
              if shape is not None]
    if not shapes:
        return Size(())
    for shape in shapes:
        if not isinstance(shape, (tuple, list)):
            raise RuntimeError("Input shapes should be of type ints, a tuple of ints, or a list "
                               f"of ints, got {shape}")
    common = [1] * max(len(shape) for shape in shapes)
    for position, shape in enumerate(shapes):
        for axis in range(-1, -1 - len(shape), -1):
            extent = shape[axis]
            if extent == common[axis]:
                continue
            if common[axis] == 1:
                if extent < 0:
                    raise ValueError("Attempting to broadcast a dimension with negative length!")
                common[axis] = extent
            if extent != 1 and common[axis] != extent:
                raise RuntimeError(
                    f"Attempting to broadcast a dimension of length {extent} at {axis}! "
                    f"Mismatching argument at index {position} had {shape}; but expected "
                    f"shape should be broadcastable to {common}")
    return Size(common)


def broadcast_to(input, size):
    """A view of input expanded to `size` (Tensor.expand)."""
    return input.expand(size)


def broadcast_tensors(*tensors):
    """Views of the tensors expanded to their common shape (unchanged ones returned as is)."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    shape = ()
    for tensor in tensors:
        try:
            shape = np.broadcast_shapes(shape, tensor._data.shape)
        except ValueError:
            raise broadcast_mismatch(shape, tensor._data.shape) from None
    return tuple(t if t._data.shape == shape else t.expand(shape) for t in tensors)


# ---- atleast_Nd -------------------------------------------------------------------------------

def _each(tensors, convert):
    """Applies convert to one tensor, or to each of several (returning a tuple)."""
    if len(tensors) == 1:
        single = tensors[0]
        if isinstance(single, Tensor):
            return convert(single)
        return tuple(convert(t) for t in single)
    return tuple(convert(t) for t in tensors)


def _at_least_1d(tensor):
    if tensor._data.ndim == 0:
        return tensor.reshape(1)
    return tensor


def _at_least_2d(tensor):
    ndim = tensor._data.ndim
    if ndim == 0:
        return tensor.reshape(1, 1)
    if ndim == 1:
        return tensor.unsqueeze(0)
    return tensor


def _at_least_3d(tensor):
    ndim = tensor._data.ndim
    if ndim == 0:
        return tensor.reshape(1, 1, 1)
    if ndim == 1:
        return tensor.unsqueeze(0).unsqueeze(-1)
    if ndim == 2:
        return tensor.unsqueeze(-1)
    return tensor


def atleast_1d(*tensors):
    """Tensors with at least one dim (0-d tensors become shape (1,))."""
    return _each(tensors, _at_least_1d)


def atleast_2d(*tensors):
    """Tensors with at least two dims."""
    return _each(tensors, _at_least_2d)


def atleast_3d(*tensors):
    """Tensors with at least three dims."""
    return _each(tensors, _at_least_3d)


for _name, _function in (("flip", _flip_method), ("fliplr", fliplr), ("flipud", flipud),
                         ("roll", roll), ("rot90", rot90), ("repeat", repeat), ("tile", _tile_method),
                         ("repeat_interleave", repeat_interleave),
                         ("broadcast_to", broadcast_to),
                         ("split_with_sizes", _split_with_sizes_method)):
    method(_name, _function)
