"""Storage: the 1-D buffer that every view of the same memory shares, and version counters."""
import numpy as np


def root_array(array):
    """The ndarray that owns `array`'s memory. NumPy's as_strided puts a plain holder object
    between its result and the array it views; the walk steps through it, so strided views
    lead back to their storage like sliced ones."""
    root = array
    while True:
        base = root.base
        if isinstance(base, np.ndarray):
            root = base
        elif base is not None and isinstance(getattr(base, "base", None), np.ndarray):
            root = base.base
        else:
            return root


def address_of(array):
    """The address of an ndarray's first element."""
    return array.__array_interface__["data"][0]


class Storage:
    """The memory behind a tensor and all its views, as torch.UntypedStorage."""

    __slots__ = ("_root", "__weakref__")

    def __init__(self, array):
        self._root = root_array(array)

    def data_ptr(self):
        return address_of(self._root)

    def nbytes(self):
        return self._root.nbytes

    def size(self):
        return self._root.nbytes

    def __len__(self):
        return self._root.nbytes

    @property
    def device(self):
        from ember._device import CPU
        return CPU

    def __repr__(self):
        return f"<ember.UntypedStorage of {self._root.nbytes} bytes at {self.data_ptr():#x}>"


class VersionCounter:
    """Counts in-place writes to a storage; shared by a tensor, its views and its detach()."""

    __slots__ = ("value",)

    def __init__(self):
        self.value = 0
