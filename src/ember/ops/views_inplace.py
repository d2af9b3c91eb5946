"""In-place view ops and the methods that give a tensor new memory.

`transpose_`, `t_`, `squeeze_`, `unsqueeze_`, `swapdims_`, `swapaxes_` and `as_strided_` change
the tensor object's own geometry: it keeps its storage, base and version counter, and its
history becomes the out-of-place view's node under the name PyTorch gives the in-place op
(TransposeBackward1...). `resize_`, `resize_as_` and `set_` point the tensor at other memory.
"""
import gc

import numpy as np
from numpy.lib.stride_tricks import as_strided as _numpy_as_strided

from ember._errors import parser_type_name
from ember._storage import UntypedStorage, address_of
from ember.storage import TypedStorage
from ember._tensor import Tensor
from ember.autograd.grad_mode import STATE
from ember.autograd.graph import Node, edge_of
from ember.ops._registry import check_inplace, method, node_class
from ember.ops.conversion import channels_last, channels_last_3d, preserve_format
from ember.ops.views import (SqueezeBackward0, SqueezeBackward1, SqueezeBackward2, TBackward0,
                             TransposeBackward0, UnsqueezeBackward0, _contiguous_strides,
                             element_strides, squeeze, t, transpose, unsqueeze)
from ember.ops.views_slicing import AsStridedBackward0, as_strided

__all__ = []


def _renamed(node_cls, name):
    """A node class with node_cls's rules under another name (the in-place op's)."""
    return node_class(name, *node_cls._rules)


TransposeBackward1 = _renamed(TransposeBackward0, "TransposeBackward1")
TBackward1 = _renamed(TBackward0, "TBackward1")
UnsqueezeBackward1 = _renamed(UnsqueezeBackward0, "UnsqueezeBackward1")
AsStridedBackward1 = _renamed(AsStridedBackward0, "AsStridedBackward1")
# squeeze_() / squeeze_(dim) / squeeze_(dims), as squeeze's three overloads
_SQUEEZE_NODES = {
    SqueezeBackward0: _renamed(SqueezeBackward0, "SqueezeBackward3"),
    SqueezeBackward1: _renamed(SqueezeBackward1, "SqueezeBackward4"),
    SqueezeBackward2: _renamed(SqueezeBackward2, "SqueezeBackward5"),
}


# ---- in-place view ops ----------------------------------------------------------------------

def _take_view(self, result, node_cls):
    """Gives `self` the geometry of `result`, an out-of-place view of it, and (when the view
    recorded one) result's node renamed node_cls as its history."""
    self._data = result._data
    self._bump_version()
    node = result._grad_fn
    if node is not None:
        # same slots, same rules: only the name PyTorch shows differs
        node.__class__ = node_cls
        self._grad_fn = node
        self._requires_grad = True
        extra = self._extra
        if extra is not None:
            extra.pop("output_nr", None)
            if "view_version" in extra:
                # the view's history is this node now, not a replay over its base
                extra["view_version"] = self._version_counter.value
    return self


def transpose_(self, dim0, dim1):
    """Swaps two dims of this tensor in place."""
    check_inplace(self)
    return _take_view(self, transpose(self, dim0, dim1), TransposeBackward1)


def t_(self):
    """Transposes this tensor (at most 2-D) in place."""
    check_inplace(self)
    ndim = self._data.ndim
    if ndim > 2:
        raise RuntimeError(f"t_() expects a tensor with <= 2 dimensions, but self is {ndim}D")
    return _take_view(self, t(self), TBackward1)


def squeeze_(self, dim=None):
    """Removes size-1 dims (all, one, or a tuple of them) of this tensor in place."""
    check_inplace(self)
    result = squeeze(self, dim)
    node = result._grad_fn
    node_cls = _SQUEEZE_NODES[type(node)] if node is not None else None
    return _take_view(self, result, node_cls)


def unsqueeze_(self, dim):
    """Inserts a size-1 dim into this tensor in place."""
    check_inplace(self)
    return _take_view(self, unsqueeze(self, dim), UnsqueezeBackward1)


def as_strided_(self, size, stride, storage_offset=None):
    """Gives this tensor the sizes, strides and storage offset given, over its storage."""
    check_inplace(self)
    return _take_view(self, as_strided(self, size, stride, storage_offset), AsStridedBackward1)


# ---- resize_ --------------------------------------------------------------------------------

def _sizes(size, name):
    """The sizes of a (*sizes) or (sizes,) call, with PyTorch's errors."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    for extent in size:
        if not isinstance(extent, (int, np.integer)) or isinstance(extent, bool):
            raise TypeError(f"{name}(): argument 'size' (position 1) must be tuple of ints, "
                            f"not {parser_type_name(extent)}")
    return tuple(int(extent) for extent in size)


def _strides_for(shape, memory_format):
    """Dense strides of `shape` in the memory format PyTorch's resize_ restrides to."""
    if memory_format is channels_last or memory_format is channels_last_3d:
        rank = 4 if memory_format is channels_last else 5
        if len(shape) != rank:
            raise RuntimeError(f"required rank {rank} tensor to use {memory_format._name} format")
        # channels innermost, then the spatial dims last to first, batch outermost
        order = (1,) + tuple(range(rank - 1, 1, -1)) + (0,)
        strides = [0] * rank
        running = 1
        for dim in order:
            strides[dim] = running
            running *= max(shape[dim], 1)
        return tuple(strides)
    return _contiguous_strides(shape)


def _grow_storage(storage, nbytes, alone):
    """Reallocates `storage` to `nbytes` bytes, keeping its bytes in the first positions, and
    (unless the caller's tensor holds it `alone`) re-points every tensor sharing it into the
    new memory, as a PyTorch storage reallocation moves all its tensors."""
    old_root = storage._root
    old_address = address_of(old_root)
    root_dtype = old_root.dtype
    if nbytes % root_dtype.itemsize:
        root_dtype = np.dtype(np.uint8)
    # torch leaves the new bytes uninitialised
    new_root = np.empty(nbytes // root_dtype.itemsize, dtype=root_dtype)
    kept = min(old_root.nbytes, nbytes)
    new_root.view(np.uint8)[:kept] = np.ascontiguousarray(old_root).reshape(-1).view(
        np.uint8)[:kept]
    storage._root = new_root
    # Tensors do not know their siblings: the storage's referrers are the tensors sharing it.
    # Growing a shared storage is rare enough to pay for this scan of the heap.
    if not alone:
        for holder in gc.get_referrers(storage):
            if isinstance(holder, Tensor) and holder._storage is storage:
                holder._data = _moved(holder._data, old_address, new_root)


def _moved(array, old_address, new_root):
    """`array` (a view into memory starting at old_address) at the same place in new_root."""
    start = address_of(array) - old_address
    try:
        return np.ndarray(array.shape, array.dtype, buffer=new_root, offset=start,
                          strides=array.strides)
    except (TypeError, ValueError):
        # an empty view recorded past the end keeps its old (never read) pointer
        return array


def _place(self, storage, offset, shape, strides, alone=False):
    """Points `self` at `storage` with this geometry, growing the storage when the geometry
    reaches past its end (PyTorch grows it too); `alone`: no other tensor holds storage."""
    itemsize = self._data.itemsize
    numel = 1
    for extent in shape:
        numel *= extent
    if numel:
        needed = offset + 1 + sum((extent - 1) * step for extent, step in zip(shape, strides))
        if needed * itemsize > storage.nbytes():
            _grow_storage(storage, needed * itemsize, alone)
    root = storage._root
    byte_strides = tuple(step * itemsize for step in strides)
    try:
        array = np.ndarray(shape, self._data.dtype, buffer=root, offset=offset * itemsize,
                           strides=byte_strides)
    except (TypeError, ValueError):
        # a root NumPy cannot take as a buffer (not contiguous): walk from its first element
        first = _numpy_as_strided(root, (offset + 1,), (itemsize,))[offset:]
        array = _numpy_as_strided(first, shape, byte_strides)
    self._data = array
    self._storage = storage


def resize_(self, *size, memory_format=None):
    """Resizes this tensor in place: contiguous strides, storage grown when too small."""
    if self._requires_grad:
        raise RuntimeError("cannot resize variables that require grad")
    shape = _sizes(size, "resize_")
    if any(extent < 0 for extent in shape):
        raise RuntimeError("numel: integer multiplication overflow")
    if memory_format is preserve_format:
        raise RuntimeError("Unsupported memory formatPreserve")
    data = self._data
    if shape == data.shape and memory_format is None:
        return self
    strides = _strides_for(shape, memory_format)
    if shape == data.shape and strides == element_strides(data):
        return self
    changed = shape != data.shape
    # a tensor that never shared its storage object holds its memory alone
    alone = self._storage is None
    _place(self, self._shared_storage(), self.storage_offset(), shape, strides, alone)
    if changed:
        self._bump_version()
    return self


def _suggested_format(template):
    """PyTorch's suggest_memory_format: channels-last when the template is laid out so."""
    data = template._data
    for memory_format, rank in ((channels_last, 4), (channels_last_3d, 5)):
        if data.ndim == rank and not data.flags.c_contiguous:
            if element_strides(data) == _strides_for(data.shape, memory_format):
                return memory_format
    return None


def resize_as_(self, the_template, *, memory_format=None):
    """resize_ to the_template's sizes."""
    if not isinstance(the_template, Tensor):
        raise TypeError(f"resize_as_(): argument 'the_template' (position 1) must be Tensor, "
                        f"not {parser_type_name(the_template)}")
    if memory_format is preserve_format:
        memory_format = _suggested_format(the_template)
        if memory_format is None and self._data.shape == the_template._data.shape:
            return resize_(self, the_template._data.shape, memory_format=None)
    return resize_(self, the_template._data.shape, memory_format=memory_format)


# ---- set_ -----------------------------------------------------------------------------------

class _SetBackward(Node):
    """set_'s node: PyTorch records one named NotImplemented, whose backward raises."""

    __slots__ = ()

    def apply(self, grad_outputs):
        raise RuntimeError("derivative for set_ is not implemented")


_SetBackward.__name__ = "NotImplemented"
_SetBackward.__qualname__ = "NotImplemented"

# the C++ element types PyTorch's set_ names in its dtype error
_CPP_TYPE_NAMES = {
    "float32": "float", "float64": "double", "float16": "c10::Half",
    "bfloat16": "c10::BFloat16", "int64": "long int", "int32": "int", "int16": "short int",
    "int8": "signed char", "uint8": "unsigned char", "bool": "bool",
    "complex64": "c10::complex<float>", "complex128": "c10::complex<double>",
}


def _set_arguments_error(source):
    return TypeError(
        f"set_() received an invalid combination of arguments - got "
        f"({type(source).__name__}), but expected one of:\n"
        " * ()\n"
        f"      didn't match because some of the arguments have invalid types: "
        f"(!{type(source).__name__}!)\n"
        " * (torch.Storage source)\n"
        f"      didn't match because some of the arguments have invalid types: "
        f"(!{type(source).__name__}!)\n"
        " * (torch.Storage source, int storage_offset, tuple of ints size, "
        "tuple of ints stride = None)\n"
        " * (Tensor source)\n"
        f"      didn't match because some of the arguments have invalid types: "
        f"(!{type(source).__name__}!)\n"
        " * (Tensor source, int storage_offset, tuple of ints size, "
        "tuple of ints stride = None)\n")


def set_(self, source=None, storage_offset=None, size=None, stride=None):
    """Points this tensor at source's memory: a tensor's geometry, a storage with the given
    geometry, or (no source) an empty storage."""
    check_inplace(self)
    if isinstance(source, TypedStorage):
        source = source.untyped()
    if source is not None and not isinstance(source, (Tensor, UntypedStorage)):
        raise _set_arguments_error(source)
    source_grad = isinstance(source, Tensor) and source._requires_grad
    records = STATE.enabled and (self._requires_grad or source_grad)
    old_edge = edge_of(self) if records else None
    if isinstance(source, Tensor):
        if source._data.dtype != self._data.dtype:
            raise RuntimeError(
                f"Could not set tensor of type {_CPP_TYPE_NAMES[source.dtype._name]} to a "
                f"tensor of type {_CPP_TYPE_NAMES[self.dtype._name]}")
        if storage_offset is None:
            storage_offset = source.storage_offset()
            size = source._data.shape
            stride = source.stride()
        storage = source._shared_storage()
    elif source is None:
        storage = UntypedStorage(np.empty(0, dtype=self._data.dtype))
        storage_offset = 0
        size = (0,)
    else:
        storage = source
        if storage_offset is None:
            storage_offset = 0
            size = (storage.nbytes() // self._data.itemsize,)
    _set_geometry(self, storage, storage_offset, size, stride)
    self._bump_version()
    if records:
        _record_set(self, source, old_edge)
    return self


def _set_geometry(self, storage, storage_offset, size, stride):
    size = tuple(int(extent) for extent in size)
    if stride is None:
        stride = _contiguous_strides(size)
    stride = tuple(int(step) for step in stride)
    if len(size) != len(stride):
        raise RuntimeError(f"unequal size length ({len(size)}) and stride length "
                           f"({len(stride)})")
    if storage_offset < 0:
        raise RuntimeError(f"Tensor: invalid storage offset {storage_offset}")
    _place(self, storage, int(storage_offset), size, stride)


def _record_set(self, source, old_edge):
    """set_'s history: a node that refuses to differentiate, with self's old edge and
    source's as PyTorch records them."""
    edges = (old_edge, edge_of(source)) if isinstance(source, Tensor) else (old_edge,)
    node = _SetBackward.__new__(_SetBackward)
    node._init_node(edges)
    self._grad_fn = node
    self._requires_grad = True
    extra = self._extra
    if extra is not None:
        extra.pop("output_nr", None)
        # the new memory is no longer a region of the base: keep this history as it is
        extra.pop("view_version", None)


for _name, _function in (("transpose_", transpose_), ("swapdims_", transpose_),
                         ("swapaxes_", transpose_), ("t_", t_), ("squeeze_", squeeze_),
                         ("unsqueeze_", unsqueeze_), ("as_strided_", as_strided_),
                         ("resize_", resize_), ("resize_as_", resize_as_), ("set_", set_)):
    method(_name, _function)
