"""Views that pick part of a tensor: select, narrow/slice, diagonal, unfold, as_strided, and
the splits (split, chunk, unbind, tensor_split, hsplit/vsplit/dsplit). Each is a NumPy view
function applied through `apply_view`, so its gradient embeds back into zeros (views.py)."""
import numpy as np

from ember._errors import argument_type_error, dtype_name, normalize_dim
from ember._storage import address_of, root_array
from ember._tensor import Tensor
from ember.ops._registry import NODE_MODULE, OpNode, method, node_class, record, record_multi
from ember.ops.views import (apply_view, element_strides, embed, make_view,
                             note_view_creation, strided, view_node_pair)

__all__ = ["select", "narrow", "diagonal", "as_strided", "split", "chunk", "unbind",
           "tensor_split", "hsplit", "vsplit", "dsplit", "unsafe_split", "unsafe_chunk",
           "unsafe_split_with_sizes"]

SelectBackward0, SelectBackwardBackward0 = view_node_pair("SelectBackward0")
SliceBackward0, SliceBackwardBackward0 = view_node_pair("SliceBackward0")
DiagonalBackward0, DiagonalBackwardBackward0 = view_node_pair("DiagonalBackward0")
UnfoldBackward0, UnfoldBackwardBackward0 = view_node_pair("UnfoldBackward0")


def _offset_view(array, byte_offset, shape, byte_strides):
    """A view of array's memory starting `byte_offset` bytes after array's first element. The
    start may lie past the end when the view is empty (PyTorch still reports that offset,
    where NumPy's slicing would leave the pointer where it was)."""
    root = root_array(array)
    start = address_of(array) - address_of(root) + byte_offset
    try:
        return np.ndarray(shape, array.dtype, buffer=root, offset=start, strides=byte_strides)
    except (TypeError, ValueError):
        # a root NumPy cannot take as a buffer (not contiguous): keep the pointer instead
        return np.lib.stride_tricks.as_strided(array, shape, byte_strides)


# ---- select and slice -----------------------------------------------------------------------

def select(input, dim, index):
    """The sub-tensor at `index` along `dim`, without that dim (a view)."""
    data = input._data
    if data.ndim == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    dim = normalize_dim(dim, data.ndim)
    index = int(index)
    size = data.shape[dim]
    if index < -size or index >= size:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"{list(data.shape)} at dimension {dim}")
    if index < 0:
        index += size
    return apply_view(input, _select_fn(dim, index, data.size), SelectBackward0)


def _select_fn(dim, index, numel):
    # the trailing Ellipsis keeps NumPy returning a 0-d view, not a scalar, for 1-D arrays
    key = (slice(None),) * dim + (index, Ellipsis)
    if numel:
        return lambda array: array[key]
    return lambda array: _offset_view(
        array, index * array.strides[dim], array.shape[:dim] + array.shape[dim + 1:],
        array.strides[:dim] + array.strides[dim + 1:])


def slice_view(input, dim, start, stop, step):
    """input[..., start:stop:step] along `dim` with PyTorch's clamping (a view); `dim` is
    already normalized, `step` positive."""
    size = input._data.shape[dim]
    start, stop = _clamp_slice(start, stop, size)
    length = (stop - start + step - 1) // step
    return apply_view(input, _slice_fn(dim, start, stop, step, length), SliceBackward0)


def _clamp_slice(start, stop, size):
    start = 0 if start is None else start
    stop = size if stop is None else stop
    if start < 0:
        start += size
    if stop < 0:
        stop += size
    start = min(max(start, 0), size)
    stop = min(max(stop, start), size)
    return start, stop


def _slice_fn(dim, start, stop, step, length):
    if length:
        key = (slice(None),) * dim + (slice(start, stop, step),)
        return lambda array: array[key]

    def empty_slice(array):
        strides = list(array.strides)
        strides[dim] *= step
        shape = array.shape[:dim] + (0,) + array.shape[dim + 1:]
        return _offset_view(array, start * array.strides[dim], shape, tuple(strides))
    return empty_slice


def narrow(input, dim, start, length):
    """`length` elements of dim `dim` from `start` (a view)."""
    data = input._data
    if data.ndim == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    dim = normalize_dim(dim, data.ndim)
    start = int(start)
    length = int(length)
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    size = data.shape[dim]
    if start < -size or start > size:
        raise IndexError(f"start out of range (expected to be in range of [{-size}, {size}], "
                         f"but got {start})")
    if start < 0:
        start += size
    if start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size "
                           f"({size}).")
    return slice_view(input, dim, start, start + length, 1)


# ---- diagonal, unfold, as_strided -----------------------------------------------------------

def diagonal(input, offset=0, dim1=0, dim2=1):
    """The diagonal of the (dim1, dim2) planes as the last dim (a view)."""
    data = input._data
    ndim = data.ndim
    dim1 = normalize_dim(dim1, ndim)
    dim2 = normalize_dim(dim2, ndim)
    if dim1 == dim2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return apply_view(input, _diagonal_fn(int(offset), dim1, dim2), DiagonalBackward0)


def _diagonal_fn(offset, dim1, dim2):
    def diagonal_view(array):
        shape = array.shape
        strides = array.strides
        if offset >= 0:
            length = max(min(shape[dim1], shape[dim2] - offset), 0)
            shift = offset * strides[dim2]
        else:
            length = max(min(shape[dim1] + offset, shape[dim2]), 0)
            shift = -offset * strides[dim1]
        if length == 0:
            shift = 0
        kept = [d for d in range(array.ndim) if d not in (dim1, dim2)]
        new_shape = tuple(shape[d] for d in kept) + (length,)
        new_strides = tuple(strides[d] for d in kept) + (strides[dim1] + strides[dim2],)
        return _offset_view(array, shift, new_shape, new_strides)
    return diagonal_view


def unfold(input, dimension, size, step):
    """All windows of `size` elements along `dimension`, `step` apart, as a new last dim."""
    data = input._data
    dim = normalize_dim(dimension, data.ndim)
    extent = data.shape[dim] if data.ndim else 1
    if size > extent:
        raise RuntimeError(f"maximum size for tensor at dimension {dim} is {extent} but size "
                           f"is {size}")
    if size < 0:
        raise RuntimeError(f"size is {size} but must be >= 0")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    return apply_view(input, _unfold_fn(dim, size, step), UnfoldBackward0,
                      accumulate=step < size)


def _unfold_fn(dim, size, step):
    def unfold_view(array):
        if array.ndim == 0:
            return array.reshape((1,))
        shape = list(array.shape)
        strides = list(element_strides(array))
        windows = (shape[dim] - size) // step + 1
        shape[dim] = windows
        shape.append(size)
        inner = strides[dim]
        strides[dim] = inner * step
        strides.append(inner)
        return strided(array, shape, strides)
    return unfold_view


def as_strided(input, size, stride, storage_offset=None):
    """A view of input's storage with the given sizes, strides and storage offset."""
    data = input._data
    size = tuple(int(extent) for extent in size)
    stride = tuple(int(step) for step in stride)
    if len(size) != len(stride):
        raise RuntimeError("mismatch in length of strides and shape")
    own_offset = input.storage_offset()
    offset = own_offset if storage_offset is None else int(storage_offset)
    if offset < 0:
        raise RuntimeError(f"Tensor: invalid storage offset {offset}")
    if any(step < 0 for step in stride):
        raise RuntimeError(f"as_strided: Negative strides are not supported at the moment, "
                           f"got strides: {list(stride)}")
    if any(extent < 0 for extent in size):
        raise RuntimeError(f"Storage size calculation overflowed with sizes={list(size)} and "
                           f"strides={list(stride)}")
    itemsize = data.itemsize
    storage_bytes = input._shared_storage().nbytes()
    needed = 0 if 0 in size else offset + 1 + sum((e - 1) * s for e, s in zip(size, stride))
    if needed * itemsize > storage_bytes:
        raise RuntimeError(
            f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset {offset}, "
            f"and itemsize {itemsize} requiring a storage size of {needed * itemsize} are out "
            f"of bounds for storage of size {storage_bytes}")
    array = _offset_view(data, (offset - own_offset) * itemsize, size,
                         tuple(s * itemsize for s in stride))
    # The gradient lands in a buffer laid out like the storage region both geometries touch
    # (summing where the view reads an element twice) and is read back with input's geometry;
    # view elements outside the input's own elements get no gradient, as in PyTorch.
    relative = offset - own_offset
    low = min(relative, 0)
    view_geometry = (size, stride, relative - low)
    input_geometry = (data.shape, element_strides(data), -low)
    extent = max(_extent(view_geometry), _extent(input_geometry))
    return make_view(input, array, AsStridedBackward0, (view_geometry, input_geometry, extent))


def _as_strided_backward(grad, view_geometry, input_geometry, extent):
    storage = embed(grad, (extent,), _GeometryView(view_geometry), True,
                    AsStridedStorageBackward0)
    return apply_view(storage, _GeometryView(input_geometry), AsStridedStorageViewBackward0)


AsStridedBackward0 = node_class("AsStridedBackward0", _as_strided_backward)
AsStridedStorageViewBackward0, AsStridedStorageBackward0 = view_node_pair(
    "AsStridedStorageViewBackward0")


class _GeometryView:
    """The view function reading (shape, strides, offset) from a 1-D storage-like array."""

    __slots__ = ("shape", "strides", "offset")

    def __init__(self, geometry):
        self.shape, self.strides, self.offset = geometry

    def __call__(self, array):
        step = array.strides[0] if array.ndim else array.itemsize
        return _offset_view(array, self.offset * step, self.shape,
                            tuple(s * step for s in self.strides))


def _extent(geometry):
    shape, strides, offset = geometry
    if 0 in shape:
        return offset
    return offset + 1 + sum((e - 1) * s for e, s in zip(shape, strides))


# ---- splits ---------------------------------------------------------------------------------

class _JoinNode(OpNode):
    """The backward of a split: each piece's gradient is the matching view of the grad."""

    __slots__ = ()

    def apply(self, grad_outputs):
        grad = grad_outputs[0]
        _, view_fns, piece_cls = self._unpack()
        return [None if edge[0] is None else apply_view(grad, view_fn, piece_cls)
                for edge, view_fn in zip(self.next_functions, view_fns)]


def _join_node_class(name):
    return type(name, (_JoinNode,), {"__slots__": (), "__module__": NODE_MODULE})


SplitBackwardBackward0 = _join_node_class("SplitBackwardBackward0")
SplitWithSizesBackwardBackward0 = _join_node_class("SplitWithSizesBackwardBackward0")
UnbindBackwardBackward0 = _join_node_class("UnbindBackwardBackward0")


def _join(grads, shape, view_fns, node_cls, piece_cls):
    """Zeros of `shape` with each piece's gradient written where its view reads."""
    out = np.zeros(shape, dtype=grads[0]._data.dtype)
    for grad, view_fn in zip(grads, view_fns):
        view_fn(out)[...] = grad._data
    return record(out, node_cls, tuple(grads), (shape, view_fns, piece_cls))


def _split_rule(join_cls, piece_cls):
    def rule(grads, shape, view_fns):
        return _join(grads, shape, view_fns, join_cls, piece_cls)
    return rule


def _multi_view_node(name, join_cls, piece_cls):
    return node_class(name, _split_rule(join_cls, piece_cls), multi_output=True)


SplitBackward0 = _multi_view_node("SplitBackward0", SplitBackwardBackward0, SliceBackward0)
SplitWithSizesBackward0 = _multi_view_node("SplitWithSizesBackward0",
                                           SplitWithSizesBackwardBackward0, SliceBackward0)
UnbindBackward0 = _multi_view_node("UnbindBackward0", UnbindBackwardBackward0, SelectBackward0)


def _view_pieces(input, view_fns, node_cls):
    """The views `view_fns` of input as a tuple of sibling views sharing one backward node."""
    data = input._data
    outs = record_multi([view_fn(data) for view_fn in view_fns], node_cls, (input,),
                        (data.shape, tuple(view_fns)))
    storage = input._shared_storage()
    counter = input._shared_version()
    root = input._view_base
    base = input if root is None else root
    for position, out in enumerate(outs):
        out._storage = storage
        out._version_counter = counter
        out._view_base = base
        if out._extra is not None or input._extra is not None or input._requires_grad:
            # PyTorch refuses in-place writes into the outputs of a multi-view op
            note_view_creation(input, out, node_cls.__name__, position, multi_output=True)
    return outs


def _slice_fns(dim, bounds):
    return tuple(_slice_fn(dim, start, stop, 1, stop - start) for start, stop in bounds)


def split(tensor, split_size_or_sections, dim=0):
    """Pieces of `split_size_or_sections` elements (or the listed sizes) along `dim`."""
    data = tensor._data
    if data.ndim == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    dim = normalize_dim(dim, data.ndim)
    size = data.shape[dim]
    if isinstance(split_size_or_sections, (list, tuple)):
        sizes = [int(s) for s in split_size_or_sections]
        if any(s < 0 for s in sizes):
            raise RuntimeError(f"split_with_sizes expects split_sizes have only non-negative "
                               f"entries, but got split_sizes={sizes}")
        if sum(sizes) != size:
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {size} "
                               f"(input tensor's size at dimension {dim}), but got "
                               f"split_sizes={sizes}")
        node_cls = SplitWithSizesBackward0
    else:
        piece = int(split_size_or_sections)
        if piece < 0:
            raise RuntimeError(f"split expects split_size be non-negative, but got "
                               f"split_size={piece}")
        if piece == 0 and size != 0:
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got "
                               f"dimension size of {size}")
        count = max(-(-size // piece), 1) if piece else 1
        sizes = [piece] * (count - 1) + [size - piece * (count - 1)]
        node_cls = SplitBackward0
    bounds = []
    start = 0
    for extent in sizes:
        bounds.append((start, start + extent))
        start += extent
    return _view_pieces(tensor, _slice_fns(dim, bounds), node_cls)


def chunk(input, chunks, dim=0):
    """At most `chunks` equal pieces along `dim` (the last may be smaller)."""
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    data = input._data
    if data.ndim == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    size = data.shape[normalize_dim(dim, data.ndim)]
    if size == 0:
        # PyTorch returns `chunks` empty pieces here, through split_with_sizes
        return split(input, [0] * chunks, dim)
    return split(input, -(-size // chunks), dim)


def unbind(input, dim=0):
    """The slices along `dim`, each without that dim."""
    data = input._data
    if data.ndim == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    dim = normalize_dim(dim, data.ndim)
    view_fns = tuple(_select_fn(dim, index, data.size) for index in range(data.shape[dim]))
    return _view_pieces(input, view_fns, UnbindBackward0)


def tensor_split(input, indices_or_sections, dim=0):
    """Pieces at the given indices, or `sections` nearly equal pieces, along `dim` (slices)."""
    data = input._data
    if data.ndim == 0:
        raise RuntimeError("tensor_split expected at least a 1-dimensional tensor, but got a "
                           "tensor with 0 dims")
    dim = normalize_dim(dim, data.ndim)
    size = data.shape[dim]
    if isinstance(indices_or_sections, Tensor):
        indices_or_sections = _split_points(indices_or_sections)
    if isinstance(indices_or_sections, (list, tuple)):
        starts = [0] + [int(i) for i in indices_or_sections]
        stops = [int(i) for i in indices_or_sections] + [size]
        return tuple(slice_view(input, dim, start, stop, 1)
                     for start, stop in zip(starts, stops))
    sections = int(indices_or_sections)
    if sections <= 0:
        raise RuntimeError(f"number of sections must be larger than 0, got {sections}")
    smallest, extra = divmod(size, sections)
    pieces = []
    start = 0
    for section in range(sections):
        length = smallest + (1 if section < extra else 0)
        pieces.append(slice_view(input, dim, start, start + length, 1))
        start += length
    return tuple(pieces)


def _split_points(tensor):
    data = tensor._data
    if data.dtype.kind not in "iu":
        raise RuntimeError(f"tensor_split expected tensor_indices_or_sections to have dtype of "
                           f"long, but got {dtype_name(tensor.dtype)}")
    if data.ndim > 1:
        raise RuntimeError(f"tensor_split expected tensor_indices_or_sections to be a "
                           f"zero-dimensional or one-dimensional tensor, but got a tensor with "
                           f"{data.ndim} dims")
    if data.ndim == 0:
        return int(data)
    return data.tolist()


def _directional_split(name, dim, minimum):
    def directional(input, indices_or_sections):
        ndim = input._data.ndim
        if ndim < minimum:
            raise RuntimeError(f"torch.{name} requires a tensor with at least {minimum} "
                               f"dimension, but got a tensor with {ndim} dimensions!")
        along = 0 if (name == "hsplit" and ndim == 1) else dim
        if isinstance(indices_or_sections, int):
            extent = input._data.shape[along]
            if indices_or_sections == 0 or extent % indices_or_sections:
                raise RuntimeError(
                    f"torch.{name} attempted to split along dimension {along}, but the size of "
                    f"the dimension {extent} is not divisible by the split_size "
                    f"{indices_or_sections}!")
        return tensor_split(input, indices_or_sections, along)
    directional.__name__ = name
    directional.__doc__ = f"tensor_split along dim {dim} ({name})."
    return directional


hsplit = _directional_split("hsplit", 1, 1)
vsplit = _directional_split("vsplit", 0, 2)
dsplit = _directional_split("dsplit", 2, 3)


# ---- unsafe_split, unsafe_chunk, unsafe_split_with_sizes ---------------------------------------

def _unsafe_split_backward(grads, dim):
    from ember.ops.joining import cat  # joining loads after the view families
    return cat(grads, dim)


UnsafeSplitBackward0 = node_class("UnsafeSplitBackward0", _unsafe_split_backward,
                                  multi_output=True)
UnsafeSplitWithSizesBackward0 = node_class("UnsafeSplitWithSizesBackward0",
                                           _unsafe_split_backward, multi_output=True)


def _unsafe_pieces(input, pieces, dim, node_cls):
    """The pieces of a split over input's memory, but not views to autograd: PyTorch's unsafe_
    splits skip view tracking, so in-place writes to them go unchecked."""
    dim = normalize_dim(dim, input._data.ndim)
    return record_multi([piece._data for piece in pieces], node_cls, (input,), (dim,))


def _require_int(function, argument, value):
    if not isinstance(value, int):
        raise argument_type_error(function, argument, 2, "int", value)


def unsafe_split(input, split_size, dim=0):
    """split(input, split_size, dim) without view tracking."""
    _require_int("unsafe_split", "split_size", split_size)
    return _unsafe_pieces(input, split(input.detach(), split_size, dim), dim,
                          UnsafeSplitBackward0)


def unsafe_chunk(input, chunks, dim=0):
    """chunk(input, chunks, dim) without view tracking."""
    _require_int("unsafe_chunk", "chunks", chunks)
    return _unsafe_pieces(input, chunk(input.detach(), chunks, dim), dim, UnsafeSplitBackward0)


def unsafe_split_with_sizes(input, split_sizes, dim=0):
    """split(input, split_sizes, dim) for a list of sizes, without view tracking."""
    if not isinstance(split_sizes, (list, tuple)):
        raise argument_type_error("unsafe_split_with_sizes", "split_sizes", 2, "tuple of ints",
                                  split_sizes)
    return _unsafe_pieces(input, split(input.detach(), list(split_sizes), dim), dim,
                          UnsafeSplitWithSizesBackward0)


for _name, _function in (("select", select), ("narrow", narrow), ("diagonal", diagonal),
                         ("unfold", unfold), ("as_strided", as_strided), ("split", split),
                         ("chunk", chunk), ("unbind", unbind), ("tensor_split", tensor_split),
                         ("hsplit", hsplit), ("vsplit", vsplit), ("dsplit", dsplit),
                         ("unsafe_split", unsafe_split), ("unsafe_chunk", unsafe_chunk),
                         ("unsafe_split_with_sizes", unsafe_split_with_sizes)):
    method(_name, _function)

