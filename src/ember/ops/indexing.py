"""Indexing: x[idx] (basic indices give views) and x[idx] = value."""
import numpy as np

from ember._tensor import Tensor
from ember.ops._registry import check_inplace, node_class, record
from ember.ops.views import make_view

__all__ = []


def _index_backward(grad, input_shape, index):
    from ember.ops.creation import zeros
    result = zeros(input_shape, dtype=grad.dtype)
    np.add.at(result._data, index, grad._data)
    return result


IndexBackward0 = node_class("IndexBackward0", _index_backward)
AsStridedBackward0 = node_class("AsStridedBackward0", _index_backward)


def _numpy_index(index):
    if isinstance(index, tuple):
        return tuple(_numpy_index_item(item) for item in index)
    return _numpy_index_item(index)


def _numpy_index_item(item):
    if isinstance(item, Tensor):
        return item._data
    return item


def _is_basic(index):
    items = index if isinstance(index, tuple) else (index,)
    return all(item is None or item is Ellipsis or isinstance(item, (int, slice))
               and not isinstance(item, bool) for item in items)


def getitem(input, index):
    """input[index]: basic indices give views; tensors, lists and masks give copies."""
    numpy_index = _numpy_index(index)
    array = input._data[numpy_index]
    if _is_basic(index):
        return make_view(input, array, AsStridedBackward0, (input._data.shape, numpy_index))
    return record(np.asarray(array), IndexBackward0, (input,), (input._data.shape, numpy_index))


def setitem(input, index, value):
    """input[index] = value, broadcasting value and casting it to input's dtype."""
    check_inplace(input)
    numpy_index = _numpy_index(index)
    source = value._data if isinstance(value, Tensor) else value
    input._data[numpy_index] = source
    input._bump_version()


Tensor.__getitem__ = getitem
Tensor.__setitem__ = setitem
