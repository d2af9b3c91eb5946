"""In-place writes through views, under autograd (PyTorch's CopySlices).

When an in-place op writes through a view, the base's history is rewritten: the base's new
grad_fn is a CopySlices node that hands the part of the gradient covering the view to the
in-place op's backward and the rest to the base's old history. Every view of that base then
sees its history regenerated from the base (an AsStridedBackward0 node), immediately for the
view written through and lazily for the others, when their base's version has moved.
"""
import numpy as np

from ember._tensor import Tensor, _wrap
from ember.autograd.graph import Node, edge_of
from ember.ops._registry import _build_node
from ember.ops.views import view_node_pair

__all__ = []

ViewOfBaseBackward, _ = view_node_pair("AsStridedBackward0")


def _storage_labels(array):
    """For an ndarray, the index of each of its elements within its storage root."""
    root = array
    while isinstance(root.base, np.ndarray):
        root = root.base
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

    __slots__ = ("_fn", "_positions", "_base_shape")

    def apply(self, grad_outputs):
        grad = grad_outputs[0]
        flat = grad.reshape(-1)
        index = _wrap(self._positions.reshape(-1))
        region = flat.index_select(0, index).reshape(self._positions.shape)
        fn_grads = self._fn.apply([region])
        own = fn_grads[0]
        if own is None:
            own = region * 0
        base_grad = flat.index_copy(0, index, own.reshape(-1)).reshape(self._base_shape)
        return [base_grad] + list(fn_grads[1:])

    def _release(self):
        self._fn._release()


def rebase_history(view, result):
    """Gives `view` (just written in place) and its base the history PyTorch gives them."""
    base = view._view_base
    fn = result._grad_fn
    positions = _positions_in_base(base._data, view._data)
    node = CopySlices.__new__(CopySlices)
    node._init_node((edge_of(base),) + tuple(fn.next_functions[1:]))
    node._fn = fn
    node._positions = positions
    node._base_shape = base._data.shape
    base._grad_fn = node
    base._requires_grad = True
    if base._extra is not None:
        base._extra.pop("output_nr", None)
    regenerate_view_history(view)


def regenerate_view_history(view):
    """Sets the view's grad_fn to a replay of its geometry over its base's current history."""
    base = view._view_base
    positions = _positions_in_base(base._data, view._data)
    saved = (base._data.shape, _PositionsView(positions), True)
    view._grad_fn = _build_node(ViewOfBaseBackward, (base,), saved, None)
    view._requires_grad = True
    extras = view._extras()
    extras.pop("output_nr", None)
    extras["view_version"] = base._version


def _refresh_if_stale(view):
    extra = view._extra
    if extra["view_version"] != view._version_counter.value:
        regenerate_view_history(view)


Tensor._refresh_view_history = staticmethod(_refresh_if_stale)
