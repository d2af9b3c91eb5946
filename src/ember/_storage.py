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


class UntypedStorage:
    """The memory behind a tensor and all its views, as torch.UntypedStorage: bytes."""

    # public as ember.storage.UntypedStorage, where torch has it
    __module__ = "ember.storage"
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

    def element_size(self):
        return 1

    @property
    def device(self):
        from ember._device import CPU
        return CPU

    def elements(self, numpy_dtype):
        """The buffer, in memory order, as a flat array of numpy_dtype (a trailing part too
        short for one element left out)."""
        raw = np.ravel(self._root, order="K").view(np.uint8)
        count = raw.size // numpy_dtype.itemsize
        return raw[:count * numpy_dtype.itemsize].view(numpy_dtype)

    def __getitem__(self, index):
        elements = self.elements(np.dtype(np.uint8))
        if isinstance(index, slice):
            raise NotImplementedError("ember's UntypedStorage reads single bytes, not slices")
        return int(elements[checked_index(index, elements.size)])

    def __setitem__(self, index, value):
        elements = self.elements(np.dtype(np.uint8))
        elements[checked_index(index, elements.size)] = value

    def tolist(self):
        return self.elements(np.dtype(np.uint8)).tolist()

    def __repr__(self):
        return pretty_storage(self.tolist(), f"UntypedStorage(device={self.device})")


def checked_index(index, size):
    """index, with torch's errors for a slice or an index past the end of a storage."""
    if not isinstance(index, int):
        raise RuntimeError("slices are only supported in UntypedStorage.__getitem__")
    if not -size <= index < size:
        raise IndexError(f"index {index} out of range for storage of size {size}")
    return index


def pretty_storage(values, description):
    """torch's printout of a storage: one element per line, then what it is."""
    from ember._dtype import DISPLAYED
    listed = " " + "\n ".join(str(value) for value in values)
    return f"{listed}\n[{DISPLAYED.name}.storage.{description} of size {len(values)}]"


class VersionCounter:
    """Counts in-place writes to a storage; shared by a tensor, its views and its detach()."""

    __slots__ = ("value",)

    def __init__(self):
        self.value = 0
