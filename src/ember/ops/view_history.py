"""In-place writes through views, under autograd (PyTorch's CopySlices).

When an in-place op writes through a view, the base's history is rewritten: the base's new
grad_fn is a CopySlices node that hands the part of the gradient covering the view to the
in-place op's backward and the rest to the base's old history. Every view of that base then
sees its history regenerated from the base (an AsStridedBackward0 node), immediately for the
view written through and lazily for the others, when their base's version has moved.
"""
import numpy as np

from ember._storage import root_array
from ember._tensor import Tensor, _wrap
from ember.autograd.graph import Node, edge_of
from ember.ops._registry import _build_node, view_rebase_error
from ember.ops.complex_numbers import (ViewAsComplexBackward0, ViewAsRealBackward0, real_pairs,
                                       view_as_complex, view_as_real)
from ember.ops.views import view_node_pair

__all__ = []

ViewOfBaseBackward, _ = view_node_pair("AsStridedBackward0")


def _storage_labels(array):
    """For an ndarray, the index of each of its elements within its storage root."""
    root = root_array(array)
    itemsize = array.itemsize
    offset = (array.__array_interface__["data"][0] - root.__array_interface__["data"][0])
    labels = np.arange(root.nbytes // itemsize)
    start = labels[offset // itemsize:]
    return np.lib.stride_tricks.as_strided(
        start, shape=array.shape, strides=tuple(s // itemsize * labels.itemsize
                                                for s in array.strides))


def _positions_in_base(base_data, view_data):
    """Flat positions (in base's logical order) of the view's elements."""
    base_labels = _storage_labels(base_data).reshape(-1)
    inverse = np.zeros(int(base_labels.max(initial=0)) + 1, dtype=np.int64)
    inverse[base_labels] = np.arange(base_labels.size)
    return inverse[_storage_labels(view_data)]


class _PositionsView:
    """A view function that reads a base-shaped array at fixed flat positions; picklable and
    printable, it stands in for a view's geometry when the base's history is replayed."""

    __slots__ = ("positions",)

    def __init__(self, positions):
        self.positions = positions

    def __call__(self, array):
        return np.ascontiguousarray(array).reshape(-1)[self.positions]


class CopySlices(Node):
    """The base's node after an in-place write through one of its views."""

    # _mixed: the view and its base differ in being complex (real, imag, view_as_real,
    # view_as_complex); positions then count real elements, a complex one being two
    __slots__ = ("_fn", "_positions", "_mixed")

    def apply(self, grad_outputs):
        grad = grad_outputs[0]
        base_is_complex = self._mixed and grad._data.dtype.kind == "c"
        if base_is_complex:
            grad = view_as_real(grad)
        flat = grad.reshape(-1)
        index = _wrap(self._positions.reshape(-1))
        region = flat.index_select(0, index).reshape(self._positions.shape)
        view_is_complex = self._mixed and not base_is_complex
        if view_is_complex:
            region = view_as_complex(region)
        fn_grads = self._fn.apply([region])
        own = fn_grads[0]
        if own is None:
            own = region * 0
        if view_is_complex:
            own = view_as_real(own.contiguous())
        base_grad = flat.index_copy(0, index, own.reshape(-1)).reshape(grad.shape)
        if base_is_complex:
            base_grad = view_as_complex(base_grad)
        return [base_grad] + list(fn_grads[1:])

    def _release(self):
        self._fn._release()


def rebase_history(view, result):
    """Gives `view` (just written in place) and its base the history PyTorch gives them."""
    base = view._view_base
    fn = result._grad_fn
    node = CopySlices.__new__(CopySlices)
    node._init_node((edge_of(base),) + tuple(fn.next_functions[1:]))
    node._fn = fn
    node._positions, _ = _view_positions(base, view)
    node._mixed = _is_mixed(base, view)
    base._grad_fn = node
    base._requires_grad = True
    if base._extra is not None:
        base._extra.pop("output_nr", None)
    regenerate_view_history(view)


def _is_mixed(base, view):
    return (base._data.dtype.kind == "c") != (view._data.dtype.kind == "c")


def _real_units(array):
    if array.dtype.kind == "c":
        return real_pairs(array)
    return array


def _view_positions(base, view):
    """The view's flat positions in its base, and whether it covers the base in order.
    Between a complex and a real tensor both are counted in real elements."""
    base_data = base._data
    view_data = view._data
    if _is_mixed(base, view):
        base_data = _real_units(base_data)
        view_data = _real_units(view_data)
    positions = _positions_in_base(base_data, view_data)
    whole = positions.shape == base_data.shape and bool(
        np.array_equal(positions.reshape(-1), np.arange(positions.size)))
    return positions, whole


def _replay(source, positions):
    """A node reading `source`'s gradient at `positions` (PyTorch's AsStridedBackward0)."""
    saved = (source._data.shape, _PositionsView(positions), True)
    return _build_node(ViewOfBaseBackward, (source,), saved, None)


def _through(node, array):
    """An intermediate tensor holding `array` whose history is `node`."""
    tensor = _wrap(array)
    tensor._grad_fn = node
    tensor._requires_grad = True
    return tensor


def regenerate_view_history(view):
    """Sets the view's grad_fn to a replay of its geometry over its base's current history.
    Across a complex/real boundary PyTorch replays the dtype change too: view_as_real of the
    base then the geometry, or the geometry then view_as_complex."""
    base = view._view_base
    positions, whole = _view_positions(base, view)
    if not _is_mixed(base, view):
        node = _replay(base, positions)
    elif base._data.dtype.kind == "c":
        node = _build_node(ViewAsRealBackward0, (base,), (), None)
        if not whole:
            node = _replay(_through(node, real_pairs(base._data)), positions)
    else:
        source = base
        if not whole:
            source = _through(_replay(base, positions), real_pairs(view._data))
        node = _build_node(ViewAsComplexBackward0, (source,), (), None)
    view._grad_fn = node
    view._requires_grad = True
    extras = view._extras()
    extras.pop("output_nr", None)
    extras["view_version"] = base._version


def _refresh_if_stale(view):
    extra = view._extra
    if extra["view_version"] != view._version_counter.value:
        creation = extra.get("creation_meta")
        if creation is not None:
            if view._grad_fn is None and not view._view_base._requires_grad:
                return
            # PyTorch refuses to regenerate the history of a view it flagged at creation
            raise view_rebase_error(creation, indirect=True)
        regenerate_view_history(view)


Tensor._refresh_view_history = staticmethod(_refresh_if_stale)
