"""View ops: results share storage with their input and report PyTorch's strides.

Every view op is a NumPy view of the input's ndarray. Views whose gradient is "put the grad
back where the view came from" (select, slice, diagonal, unfold, as_strided...) share one
mechanism: the op is a NumPy view function `view_fn(ndarray) -> ndarray view`, its backward
embeds the gradient into zeros of the input's shape through the same function (`embed`), and
the backward of that embedding is the view again, so higher-order gradients work.
"""
import warnings

import numpy as np
from numpy.lib.stride_tricks import as_strided as _numpy_as_strided

from ember import _dtype
from ember._errors import dtype_name, normalize_dim, normalize_dims
from ember._tensor import Tensor, _wrap
from ember.autograd.grad_mode import STATE
from ember.ops._registry import (INFERENCE_MODE, MULTI_OUTPUT_NODE, NO_GRAD_MODE, method,
                                 node_class, record, sum_to_shape)

__all__ = ["t", "transpose", "swapaxes", "swapdims", "reshape", "detach", "unsqueeze",
           "squeeze", "permute", "movedim", "moveaxis", "flatten", "unflatten", "ravel",
           "adjoint"]


# ---- the view machinery ---------------------------------------------------------------------

def make_view(base, array, node_cls, saved):
    """Wraps `array` (a NumPy view of base's memory) as a view of `base`: same storage, same
    version counter, `_base` pointing at the tensor that owns the memory."""
    view = record(array, node_cls, (base,), saved)
    view._storage = base._shared_storage()
    counter = view._version_counter = base._shared_version()
    root = base._view_base
    view._view_base = base if root is None else root
    if view._extra is not None or base._extra is not None or (
            base._requires_grad and view._grad_fn is None):
        note_view_creation(base, view, node_cls.__name__)
    if view._grad_fn is not None:
        # remembered so the view's history is replayed once its base is written in place
        view._extras()["view_version"] = counter.value
    return view


def note_view_creation(base, view, node_name, output_nr=0, multi_output=False):
    """The rare part of making a view (made inside inference_mode, of an inference tensor or a
    flagged view, or of a tensor that requires grad with grad mode off): whether the view is an
    inference tensor, and the CreationMeta flag PyTorch gives it. `node_name` is the view
    node's name (None where unknown) and multi_output says the op returns several views."""
    base_extra = base._extra
    if base_extra is not None and "inference" in base_extra:
        # a view of an inference tensor is one, and autograd does not track it
        view._extras()["inference"] = True
        return
    if view._extra is not None:
        # a view of a normal tensor is normal, even when made inside inference_mode
        view._extra.pop("inference", None)
    if STATE.inference:
        kind = INFERENCE_MODE
    elif not STATE.enabled:
        kind = NO_GRAD_MODE
    elif multi_output:
        kind = MULTI_OUTPUT_NODE
    else:
        kind = None
    inherited = None if base_extra is None else base_extra.get("creation_meta")
    if inherited is None and not base._requires_grad:
        # nothing autograd tracks can be written through this view
        return
    if kind is None or (inherited is not None and inherited[0] == INFERENCE_MODE):
        # PyTorch's propagate_creation_meta: a view of a flagged view keeps the flag
        kind = None if inherited is None else inherited[0]
    if kind is None:
        return
    # PyTorch's view has a grad_fn (named in its messages) when made with grad mode on
    producer = node_name if STATE.enabled else None
    extras = view._extras()
    extras["creation_meta"] = (kind, producer, output_nr)
    # the grad_fn getter then checks the base's version, and refuses a rewritten history
    extras["view_version"] = view._version_counter.value


def strided(array, shape, strides):
    """A view of `array`'s memory with the given shape and element strides, starting at
    array's first element."""
    itemsize = array.itemsize
    return _numpy_as_strided(array, shape=tuple(shape),
                             strides=tuple(s * itemsize for s in strides))


def restrided(array, shape, strides):
    """strided(), taking NumPy's cheap reshape when it already gives these strides (inserting
    size-1 dims into a contiguous array usually does)."""
    if array.flags.c_contiguous and array.size:
        reshaped = array.reshape(shape)
        itemsize = array.itemsize
        if reshaped.strides == tuple(s * itemsize for s in strides):
            return reshaped
    return strided(array, shape, strides)


def element_strides(array):
    """An ndarray's strides in elements, as Tensor.stride() reports them."""
    itemsize = array.itemsize
    return tuple(s // itemsize for s in array.strides)


def apply_view(input, view_fn, node_cls, accumulate=False):
    """`input` seen through the NumPy view function `view_fn`; node_cls's rule embeds the
    gradient back (summing where the view reads an element twice when `accumulate`)."""
    data = input._data
    return make_view(input, view_fn(data), node_cls, (data.shape, view_fn, accumulate))


def embed(grad, shape, view_fn, accumulate, node_cls):
    """Zeros of `shape` with `grad` written (or, when `accumulate`, added) where `view_fn`
    reads: the backward of every view op that drops or repeats elements."""
    source = grad._data
    out = np.zeros(shape, dtype=source.dtype)
    if accumulate:
        positions = view_fn(np.arange(out.size).reshape(shape))
        np.add.at(out.reshape(-1), positions, source)
    else:
        view_fn(out)[...] = source
    return record(out, node_cls, (grad,), (shape, view_fn, accumulate))


def view_node_pair(name):
    """The node class named `name` for a view op built on `apply_view`, and the node class of
    its backward (`embed`), each differentiating into the other."""
    def view_rule(grad, shape, view_fn, accumulate):
        return embed(grad, shape, view_fn, accumulate, embed_cls)

    def embed_rule(grad, shape, view_fn, accumulate):
        return apply_view(grad, view_fn, view_cls, accumulate)

    view_cls = node_class(name, view_rule)
    embed_cls = node_class(name[:-1] + "Backward0", embed_rule)
    return view_cls, embed_cls


# ---- view / reshape -------------------------------------------------------------------------

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


def _shape_argument(shape):
    """The sizes of a (*sizes) or (sizes,) call."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        return tuple(shape[0])
    return shape


def infer_shape(shape, numel):
    """Resolves one -1 in a requested shape, with PyTorch's errors."""
    shape = tuple(int(extent) for extent in _shape_argument(shape))
    unknown = None
    known = 1
    for position, extent in enumerate(shape):
        if extent == -1:
            if unknown is not None:
                raise RuntimeError("only one dimension can be inferred")
            unknown = position
        elif extent < 0:
            raise RuntimeError(f"invalid shape dimension {extent} at index {position} of shape "
                               f"{list(shape)}")
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
# reshape of a non-contiguous tensor whose strides allow a view is PyTorch's _reshape_alias
ReshapeAliasBackward0 = node_class("ReshapeAliasBackward0",
                                   lambda grad, shape: grad.reshape(shape))


def _reshaped_view(input, shape, node_cls=ViewBackward0):
    """The view of `input` with `shape` (already inferred), or None when strides forbid it."""
    data = input._data
    if data.flags.c_contiguous and data.size:
        # NumPy's contiguous reshape gives exactly computeStride's strides here, cheaply
        return make_view(input, data.reshape(shape), node_cls, (data.shape,))
    strides = view_strides(data.shape, element_strides(data), shape)
    if strides is None:
        return None
    return make_view(input, strided(data, shape, strides), node_cls, (data.shape,))


def view(input, *shape):
    """A view with a new shape (or dtype); PyTorch's error when the strides do not allow it."""
    if len(shape) == 1 and isinstance(shape[0], _dtype.dtype):
        return _view_dtype(input, shape[0])
    result = _reshaped_view(input, infer_shape(shape, input._data.size))
    if result is None:
        raise RuntimeError(
            "view size is not compatible with input tensor's size and stride (at least one "
            "dimension spans across two contiguous subspaces). Use .reshape(...) instead.")
    return result


def _view_dtype(input, dtype):
    """The same bytes read as another dtype; the last dim rescales when the sizes differ."""
    data = input._data
    target = _dtype.numpy_dtype(dtype)
    if target.itemsize != data.itemsize:
        _check_dtype_view(input, target)
    array = data.view(target)
    # PyTorch's dtype view is outside autograd and has no _base, but shares the version
    result = _wrap(array)
    result._storage = input._shared_storage()
    result._version_counter = input._shared_version()
    return result


def _check_dtype_view(input, target):
    data = input._data
    old = dtype_name(input.dtype)
    new = dtype_name(_dtype.FROM_NUMPY[target])
    what = f"to view {old} as {new} (different element sizes)"
    if data.ndim == 0:
        raise RuntimeError(f"self.dim() cannot be 0 {what}")
    strides = element_strides(data)
    if data.shape[-1] != 1 and strides[-1] != 1:
        raise RuntimeError(f"self.stride(-1) must be 1 {what}, but got {strides[-1]}")
    if target.itemsize > data.itemsize:
        ratio = target.itemsize // data.itemsize
        if data.shape[-1] % ratio:
            raise RuntimeError(f"self.size(-1) must be divisible by {ratio} {what}, but got "
                               f"{data.shape[-1]}")
        offset = input.storage_offset()
        if offset % ratio:
            raise RuntimeError(f"self.storage_offset() must be divisible by {ratio} {what}, "
                               f"but got {offset}")
        for dim in range(data.ndim - 1):
            if strides[dim] % ratio:
                raise RuntimeError(f"self.stride({dim}) must be divisible by {ratio} {what}, "
                                   f"but got {strides[dim]}")


def view_as(input, other):
    """A view with other's shape."""
    return view(input, other._data.shape)


def reshape(input, *shape):
    """A view when the strides allow it, otherwise a copy."""
    data = input._data
    shape = infer_shape(shape, data.size)
    node_cls = ViewBackward0 if data.flags.c_contiguous else ReshapeAliasBackward0
    result = _reshaped_view(input, shape, node_cls)
    if result is not None:
        return result
    return record(data.reshape(shape), UnsafeViewBackward0, (input.clone(),), (data.shape,))


def reshape_as(input, other):
    """reshape to other's shape."""
    return reshape(input, other._data.shape)


def flatten(input, start_dim=0, end_dim=-1):
    """Merges dims start_dim..end_dim into one (a view when the strides allow it)."""
    data = input._data
    if data.ndim == 0:
        return reshape(input, (1,))
    start = normalize_dim(start_dim, data.ndim)
    end = normalize_dim(end_dim, data.ndim)
    if start > end:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if start == end:
        return input
    merged = 1
    for extent in data.shape[start:end + 1]:
        merged *= extent
    return reshape(input, data.shape[:start] + (merged,) + data.shape[end + 1:])


def ravel(input):
    """The elements as a 1-D tensor: a view of a contiguous input, else a contiguous copy."""
    return view(input.contiguous(), (-1,))


def unflatten(input, dim, sizes):
    """Splits dim `dim` into `sizes` (one of them may be -1)."""
    data = input._data
    dim = normalize_dim(dim, data.ndim)
    sizes = tuple(int(size) for size in sizes)
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    extent = data.shape[dim]
    if -1 in sizes:
        try:
            sizes = infer_shape(sizes, extent)
        except RuntimeError as error:
            raise RuntimeError(f"unflatten got an unexpected error:\n{error}") from None
    product = 1
    for size in sizes:
        product *= size
    if product != extent:
        raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the "
                           f"size of dim {dim} ({extent}) in the input tensor")
    return view(input, data.shape[:dim] + sizes + data.shape[dim + 1:])


# ---- transposes and permutations ------------------------------------------------------------

TBackward0 = node_class("TBackward0", lambda grad: grad.t())
TransposeBackward0 = node_class("TransposeBackward0",
                                lambda grad, dim0, dim1: grad.transpose(dim0, dim1))


def _inverse_permutation(dims):
    inverse = [0] * len(dims)
    for position, dim in enumerate(dims):
        inverse[dim] = position
    return tuple(inverse)


PermuteBackward0 = node_class("PermuteBackward0",
                              lambda grad, dims: grad.permute(_inverse_permutation(dims)))


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


def permute(input, *dims):
    """Reorders the dimensions (a view)."""
    dims = _shape_argument(dims)
    data = input._data
    if len(dims) != data.ndim:
        raise RuntimeError(
            "permute(sparse_coo): number of dimensions in the tensor input does not match the "
            "length of the desired ordering of dimensions i.e. input.dim() = "
            f"{data.ndim} is not equal to len(dims) = {len(dims)}")
    dims = tuple(normalize_dim(dim, data.ndim) for dim in dims)
    if len(set(dims)) != len(dims):
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return make_view(input, data.transpose(dims), PermuteBackward0, (dims,))


def movedim(input, source, destination):
    """Moves dims `source` to positions `destination`, keeping the others in order."""
    ndim = input._data.ndim
    source_is_int = isinstance(source, int)
    if source_is_int != isinstance(destination, int):
        raise TypeError("movedim() received an invalid combination of arguments")
    sources = (source,) if source_is_int else tuple(source)
    destinations = (destination,) if source_is_int else tuple(destination)
    if len(sources) != len(destinations):
        raise RuntimeError(
            f"movedim: Invalid source or destination dims: source ({list(sources)} dims) "
            f"should contain the same number of dims as destination ({list(destinations)} dims)")
    sources = tuple(normalize_dim(dim, ndim) for dim in sources)
    destinations = tuple(normalize_dim(dim, ndim) for dim in destinations)
    if len(set(sources)) != len(sources):
        raise RuntimeError(f"movedim: repeated dim in `source` ({list(sources)})")
    if len(set(destinations)) != len(destinations):
        raise RuntimeError(f"movedim: repeated dim in `destination` ({list(destinations)})")
    order = [None] * ndim
    for src, dst in zip(sources, destinations):
        order[dst] = src
    rest = iter(dim for dim in range(ndim) if dim not in sources)
    order = tuple(dim if dim is not None else next(rest) for dim in order)
    return permute(input, order)


moveaxis = movedim


def _reversed_dims(input):
    """Tensor.T: reverses all dims (PyTorch warns unless the tensor is 2-D)."""
    ndim = input._data.ndim
    if ndim == 0:
        warnings.warn("Tensor.T is deprecated on 0-D tensors. This function is the identity in "
                      "these cases.", UserWarning, stacklevel=2)
    elif ndim != 2:
        warnings.warn(
            "The use of `x.T` on tensors of dimension other than 2 to reverse their shape is "
            "deprecated and it will throw an error in a future release. Consider `x.mT` to "
            "transpose batches of matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` "
            "to reverse the dimensions of a tensor.", UserWarning, stacklevel=2)
    return permute(input, tuple(range(ndim - 1, -1, -1)))


def _matrix_check(input, attribute):
    if input._data.ndim < 2:
        raise RuntimeError(f"tensor.{attribute} is only supported on matrices or batches of "
                           f"matrices. Got {input._data.ndim}-D tensor.")


def _matrix_transpose(input):
    """Tensor.mT: swaps the last two dims."""
    _matrix_check(input, "mT")
    return transpose(input, -2, -1)


def adjoint(input):
    """The conjugate transpose of the last two dims (a plain transpose for real tensors)."""
    result = transpose(input, -2, -1)
    if input._data.dtype.kind == "c":
        return result.conj()
    return result


def _matrix_adjoint(input):
    """Tensor.mH."""
    _matrix_check(input, "mH")
    return adjoint(input)


def _adjoint_2d(input):
    """Tensor.H: the conjugate transpose of a matrix."""
    if input._data.ndim not in (0, 2):
        raise RuntimeError(f"tensor.H is only supported on matrices (2-D tensors). Got "
                           f"{input._data.ndim}-D tensor.")
    if input._data.ndim == 0:
        return input
    return adjoint(input)


# ---- expand, squeeze, unsqueeze -------------------------------------------------------------

ExpandBackward0 = node_class("ExpandBackward0",
                             lambda grad, input_shape: sum_to_shape(grad, input_shape))
UnsqueezeBackward0 = node_class("UnsqueezeBackward0", lambda grad, dim: grad.squeeze(dim))
SqueezeBackward0 = node_class("SqueezeBackward0", lambda grad, shape: grad.reshape(shape))
SqueezeBackward1 = node_class("SqueezeBackward1", lambda grad, shape: grad.reshape(shape))
SqueezeBackward2 = node_class("SqueezeBackward2", lambda grad, shape: grad.reshape(shape))


def _type_name(input):
    return dtype_name(input.dtype) + "Tensor"


def expand(input, *sizes):
    """A view repeating size-1 dims (stride 0) to `sizes`; -1 keeps a dim's size."""
    sizes = tuple(int(size) for size in _shape_argument(sizes))
    data = input._data
    if len(sizes) < data.ndim:
        raise RuntimeError(
            f"expand(torch.{_type_name(input)}{{{list(data.shape)}}}, size={list(sizes)}): the "
            f"number of sizes provided ({len(sizes)}) must be greater or equal to the number "
            f"of dimensions in the tensor ({data.ndim})")
    leading = len(sizes) - data.ndim
    strides = element_strides(data)
    shape = []
    new_strides = []
    # last dim first, as PyTorch's inferExpandGeometry checks (its error names that dim)
    for position in range(len(sizes) - 1, -1, -1):
        size = sizes[position]
        if position < leading:
            if size < 0:
                raise RuntimeError(f"The expanded size of the tensor ({size}) isn't allowed in "
                                   f"a leading, non-existing dimension {position}")
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
    shape.reverse()
    new_strides.reverse()
    if tuple(shape) == data.shape:
        array = data.view()
    else:
        array = strided(data, shape, new_strides)
    return make_view(input, array, ExpandBackward0, (data.shape,))


def expand_as(input, other):
    """expand to other's shape."""
    return expand(input, other._data.shape)


def unsqueeze(input, dim):
    """A view with a size-1 dim inserted at `dim`."""
    data = input._data
    dim = normalize_dim(dim, data.ndim + 1)
    strides = list(element_strides(data))
    # PyTorch gives the new dim the stride that keeps the layout contiguous-looking
    inserted = data.shape[dim] * strides[dim] if dim < data.ndim else 1
    shape = data.shape[:dim] + (1,) + data.shape[dim:]
    strides.insert(dim, inserted)
    return make_view(input, restrided(data, shape, strides), UnsqueezeBackward0, (dim,))


def squeeze(input, dim=None):
    """A view without size-1 dims (all of them, one `dim`, or a tuple of dims)."""
    data = input._data
    if dim is None:
        node_cls = SqueezeBackward0
        dims = range(data.ndim)
    elif isinstance(dim, (tuple, list)):
        node_cls = SqueezeBackward2
        dims = normalize_dims(dim, data.ndim)
    else:
        node_cls = SqueezeBackward1
        dims = (normalize_dim(dim, data.ndim),)
    squeezed = tuple(d for d in dims if d < data.ndim and data.shape[d] == 1)
    array = np.squeeze(data, squeezed) if squeezed else data.view()
    return make_view(input, array, node_cls, (data.shape,))


# ---- detaching ------------------------------------------------------------------------------

def detach(input):
    """A tensor sharing storage and version counter with `input`, outside the graph."""
    result = _wrap(input._data)
    result._storage = input._shared_storage()
    result._version_counter = input._shared_version()
    if result._extra is not None or input._extra is not None:
        # the detach() of an inference tensor is one; of a normal tensor, normal (even when
        # made inside inference_mode)
        if input._inference_marked():
            result._extras()["inference"] = True
        else:
            result._extra = None
    return result


def detach_(input):
    """Detaches `input` from the graph in place."""
    if input._view_base is not None:
        raise RuntimeError("Can't detach views in-place. Use detach() instead. If you are using "
                           "DistributedDataParallel (DDP) for training, and gradient_as_bucket_"
                           "view is set as True, gradients are views of DDP buckets, and hence "
                           "detach_() cannot be called on these gradients. To fix this error, "
                           "please refer to the Optimizer.zero_grad() function in "
                           "torch/optim/optimizer.py as the solution.")
    input._grad_fn = None
    input._requires_grad = False
    return input


AliasBackward0 = node_class("AliasBackward0", lambda grad: grad)


def alias(input):
    """The same view of the same memory as a new tensor (x[...] and x[:, :] return this)."""
    return make_view(input, input._data.view(), AliasBackward0, ())


for _name, _function in (("view", view), ("view_as", view_as), ("reshape", reshape),
                         ("reshape_as", reshape_as), ("flatten", flatten), ("ravel", ravel),
                         ("unflatten", unflatten), ("t", t), ("transpose", transpose),
                         ("swapaxes", swapaxes), ("swapdims", swapdims), ("permute", permute),
                         ("movedim", movedim), ("moveaxis", moveaxis), ("adjoint", adjoint),
                         ("detach", detach), ("detach_", detach_), ("expand", expand),
                         ("expand_as", expand_as), ("unsqueeze", unsqueeze),
                         ("squeeze", squeeze)):
    method(_name, _function)

Tensor.T = property(_reversed_dims, doc="All dims reversed.")
Tensor.mT = property(_matrix_transpose, doc="The last two dims swapped.")
Tensor.mH = property(_matrix_adjoint, doc="The conjugate transpose of the last two dims.")
Tensor.H = property(_adjoint_2d, doc="The conjugate transpose of a matrix.")

# The slicing views live in their own module (file size); the namespace reaches them through
# this one, which imports them last because they build on the machinery above (import
# ember.ops.views, not views_slicing, first).
from ember.ops import views_slicing  # noqa: E402
from ember.ops.views_slicing import *  # noqa: E402,F401,F403

__all__ += views_slicing.__all__
