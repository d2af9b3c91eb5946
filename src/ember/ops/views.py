"""View ops: results share storage with their input and report PyTorch's strides."""
import numpy as np

from ember._errors import normalize_dim
from ember._tensor import _wrap
from ember.ops._registry import method, node_class, record

__all__ = ["t", "transpose", "swapaxes", "swapdims", "reshape", "detach", "unsqueeze"]


def make_view(base, array, node_cls, saved):
    """Wraps `array` (a NumPy view of base's memory) as a view of `base`: same storage, same
    version counter, `_base` pointing at the tensor that owns the memory."""
    view = record(array, node_cls, (base,), saved)
    view._storage = base._shared_storage()
    view._version_counter = base._shared_version()
    root = base._view_base
    view._view_base = base if root is None else root
    return view


def strided(array, shape, strides):
    """A view of `array`'s memory with the given shape and element strides, starting at
    array's first element."""
    itemsize = array.itemsize
    return np.lib.stride_tricks.as_strided(
        array, shape=tuple(shape), strides=tuple(s * itemsize for s in strides))


def view_strides(old_shape, old_strides, new_shape):
    """The strides a view of a tensor with (old_shape, old_strides) gets for new_shape, or None
    when no such view exists (PyTorch's computeStride)."""
    if not new_shape:
        return ()
    numel = 1
    for extent in old_shape:
        numel *= extent
    if numel == 0:
        if tuple(old_shape) == tuple(new_shape):
            return tuple(old_strides)
        return _contiguous_strides(new_shape)
    new_strides = [0] * len(new_shape)
    view_d = len(new_shape) - 1
    chunk_base_stride = old_strides[-1] if old_strides else 1
    tensor_numel = 1
    view_numel = 1
    for tensor_d in range(len(old_shape) - 1, -1, -1):
        tensor_numel *= old_shape[tensor_d]
        chunk_ends = tensor_d == 0 or (
            old_shape[tensor_d - 1] != 1
            and old_strides[tensor_d - 1] != tensor_numel * chunk_base_stride)
        if chunk_ends:
            while view_d >= 0 and (view_numel < tensor_numel or new_shape[view_d] == 1):
                new_strides[view_d] = view_numel * chunk_base_stride
                view_numel *= new_shape[view_d]
                view_d -= 1
            if view_numel != tensor_numel:
                return None
            if tensor_d > 0:
                chunk_base_stride = old_strides[tensor_d - 1]
                tensor_numel = 1
                view_numel = 1
    if view_d != -1:
        return None
    return tuple(new_strides)


def _contiguous_strides(shape):
    strides = []
    running = 1
    for extent in reversed(shape):
        strides.append(running)
        running *= max(extent, 1)
    return tuple(reversed(strides))


def infer_shape(shape, numel):
    """Resolves one -1 in a requested shape, with PyTorch's errors."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    shape = tuple(int(extent) for extent in shape)
    unknown = None
    known = 1
    for position, extent in enumerate(shape):
        if extent == -1:
            if unknown is not None:
                raise RuntimeError("only one dimension can be inferred")
            unknown = position
        elif extent < 0:
            raise RuntimeError(f"invalid shape dimension {extent}")
        else:
            known *= extent
    if unknown is not None:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        return shape[:unknown] + (numel // known,) + shape[unknown + 1:]
    if known != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


ViewBackward0 = node_class("ViewBackward0", lambda grad, shape: grad.reshape(shape))
UnsafeViewBackward0 = node_class("UnsafeViewBackward0", lambda grad, shape: grad.reshape(shape))
TBackward0 = node_class("TBackward0", lambda grad: grad.t())
TransposeBackward0 = node_class("TransposeBackward0",
                                lambda grad, dim0, dim1: grad.transpose(dim0, dim1))


def view(input, *shape):
    """A view with a new shape; PyTorch's error when the strides do not allow it."""
    data = input._data
    shape = infer_shape(shape, data.size)
    strides = view_strides(data.shape, input.stride(), shape)
    if strides is None:
        raise RuntimeError(
            "view size is not compatible with input tensor's size and stride (at least one "
            "dimension spans across two contiguous subspaces). Use .reshape(...) instead.")
    return make_view(input, strided(data, shape, strides), ViewBackward0, (data.shape,))


def reshape(input, *shape):
    """A view when the strides allow it, otherwise a copy."""
    data = input._data
    shape = infer_shape(shape, data.size)
    strides = view_strides(data.shape, input.stride(), shape)
    if strides is not None:
        return make_view(input, strided(data, shape, strides), ViewBackward0, (data.shape,))
    return record(data.reshape(shape), UnsafeViewBackward0, (input.clone(),), (data.shape,))


def t(input):
    """Transposes a tensor of at most 2 dimensions."""
    data = input._data
    if data.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {data.ndim}D")
    return make_view(input, data.T, TBackward0, ())


def transpose(input, dim0, dim1):
    """Swaps two dimensions (a view)."""
    ndim = input._data.ndim
    dim0 = normalize_dim(dim0, ndim)
    dim1 = normalize_dim(dim1, ndim)
    array = np.swapaxes(input._data, dim0, dim1) if ndim else input._data.view()
    return make_view(input, array, TransposeBackward0, (dim0, dim1))


swapaxes = transpose
swapdims = transpose


ExpandBackward0 = node_class("ExpandBackward0", lambda grad, input_shape: grad.sum_to_size(
    input_shape))
UnsqueezeBackward0 = node_class("UnsqueezeBackward0", lambda grad, dim: grad.squeeze(dim))


def expand(input, *sizes):
    """A view repeating size-1 dims (stride 0) to `sizes`; -1 keeps a dim's size."""
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        sizes = tuple(sizes[0])
    data = input._data
    if len(sizes) < data.ndim:
        raise RuntimeError(
            f"expand(torch.{_type_name(input)}{{{list(data.shape)}}}, size={list(sizes)}): the "
            "number of sizes provided ({}) must be greater or equal to the number of dimensions "
            "in the tensor ({})".format(len(sizes), data.ndim))
    leading = len(sizes) - data.ndim
    strides = input.stride()
    shape = []
    new_strides = []
    for position, size in enumerate(sizes):
        size = int(size)
        if position < leading:
            if size < 0:
                raise RuntimeError(f"The expanded size of the tensor (-1) isn't allowed in a "
                                   f"leading, non-existing dimension {position}")
            shape.append(size)
            new_strides.append(0)
            continue
        own = data.shape[position - leading]
        if size == -1:
            size = own
        if own == size:
            shape.append(size)
            new_strides.append(strides[position - leading])
        elif own == 1:
            shape.append(size)
            new_strides.append(0)
        else:
            raise RuntimeError(
                f"The expanded size of the tensor ({size}) must match the existing size ({own}) "
                f"at non-singleton dimension {position}.  Target sizes: {list(sizes)}.  Tensor "
                f"sizes: {list(data.shape)}")
    if tuple(shape) == data.shape and not leading:
        array = data.view()
    else:
        array = strided(data, shape, new_strides)
    return make_view(input, array, ExpandBackward0, (data.shape,))


def _type_name(input):
    from ember._errors import dtype_name
    return dtype_name(input.dtype) + "Tensor"


def unsqueeze(input, dim):
    """A view with a size-1 dim inserted at `dim`."""
    data = input._data
    dim = normalize_dim(dim, data.ndim + 1)
    strides = list(input.stride())
    # PyTorch gives the new dim the stride that keeps the layout contiguous-looking
    inserted = data.shape[dim] * strides[dim] if dim < data.ndim else 1
    shape = data.shape[:dim] + (1,) + data.shape[dim:]
    strides.insert(dim, inserted)
    return make_view(input, strided(data, shape, strides), UnsqueezeBackward0, (dim,))


def detach(input):
    """A tensor sharing storage and version counter with `input`, outside the graph."""
    result = _wrap(input._data)
    result._storage = input._shared_storage()
    result._version_counter = input._shared_version()
    return result


def detach_(input):
    """Detaches `input` from the graph in place."""
    if input._view_base is not None and input._grad_fn is not None:
        raise RuntimeError("Can't detach views in-place. Use detach() instead. If you are using "
                           "DistributedDataParallel (DDP) for training, and gradient_as_bucket_"
                           "view is set as True, gradients are views of DDP buckets, and hence "
                           "detach_() cannot be called on these gradients. To fix this error, "
                           "please refer to the Optimizer.zero_grad() function in "
                           "torch/optim/optimizer.py as the solution.")
    input._grad_fn = None
    input._requires_grad = False
    return input


for _name, _function in (("view", view), ("reshape", reshape), ("t", t),
                         ("transpose", transpose), ("swapaxes", swapaxes),
                         ("swapdims", swapdims), ("detach", detach), ("detach_", detach_),
                         ("expand", expand), ("unsqueeze", unsqueeze)):
    method(_name, _function)
