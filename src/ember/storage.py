"""Storages as torch.storage has them: UntypedStorage, the bytes a tensor and all its views
share, and TypedStorage, the same memory read as elements of one dtype, which the deprecated
Tensor.storage() returns."""
import warnings


from ember import _dtype
from ember._storage import UntypedStorage, checked_index, pretty_storage

__all__ = ["UntypedStorage", "TypedStorage"]

# ember dtype name -> the legacy typed-storage class torch names (torch.FloatStorage...), in
# Storage.type() and in checkpoints' persistent ids
LEGACY_STORAGE_NAMES = {
    "bool": "BoolStorage", "uint8": "ByteStorage", "int8": "CharStorage",
    "int16": "ShortStorage", "int32": "IntStorage", "int64": "LongStorage",
    "float16": "HalfStorage", "bfloat16": "BFloat16Storage", "float32": "FloatStorage",
    "float64": "DoubleStorage", "complex64": "ComplexFloatStorage",
    "complex128": "ComplexDoubleStorage",
}

_REMOVAL_WARNING = (
    "TypedStorage is deprecated. It will be removed in the future and UntypedStorage will be "
    "the only storage class. This should only matter to you if you are using storages "
    "directly.  To access UntypedStorage directly, use tensor.untyped_storage() instead of "
    "tensor.storage()")
_warned = []


def warn_typed_storage_removal():
    """torch's deprecation warning, given once per process as torch gives it. Its own flag,
    not _errors.warn_once: torch warns from Python here, and set_warn_always (which repeats
    ATen's TORCH_WARN_ONCE warnings) does not repeat this one."""
    if not _warned:
        _warned.append(True)
        warnings.warn(_REMOVAL_WARNING, UserWarning, stacklevel=3)


def _python_number(numpy_dtype):
    kind = numpy_dtype.kind
    if kind == "b":
        return bool
    if kind in "iu":
        return int
    if kind == "c":
        return complex
    return float


class TypedStorage:
    """A storage's memory seen as elements of `dtype`, as torch.TypedStorage."""

    __slots__ = ("_untyped_storage", "dtype")

    def __init__(self, untyped_storage, dtype):
        self._untyped_storage = untyped_storage
        self.dtype = dtype

    def _elements(self):
        return self._untyped_storage.elements(_dtype.numpy_dtype(self.dtype))

    @property
    def device(self):
        return self._untyped_storage.device

    @property
    def is_cuda(self):
        return False

    def untyped(self):
        return self._untyped_storage

    def size(self):
        return self._untyped_storage.nbytes() // self.dtype.itemsize

    def __len__(self):
        return self.size()

    def element_size(self):
        return self.dtype.itemsize

    def nbytes(self):
        return self.size() * self.dtype.itemsize

    def data_ptr(self):
        return self._untyped_storage.data_ptr()

    def __getitem__(self, index):
        elements = self._elements()
        value = elements[checked_index(index, elements.size)]
        return _python_number(elements.dtype)(value)

    def __setitem__(self, index, value):
        elements = self._elements()
        elements[checked_index(index, elements.size)] = value

    def tolist(self):
        elements = self._elements()
        convert = _python_number(elements.dtype)
        return [convert(value) for value in elements]

    def __iter__(self):
        return iter(self.tolist())

    def fill_(self, value):
        self._elements()[...] = value
        return self

    def clone(self):
        return TypedStorage(UntypedStorage(self._elements().copy()), self.dtype)

    def cpu(self):
        return self

    def is_shared(self):
        return False

    def is_pinned(self, device="cuda"):
        return False

    def get_device(self):
        return -1

    def pickle_storage_type(self):
        return _dtype_storage_name(self.dtype)

    def type(self, dtype=None, non_blocking=False):
        """The legacy type name (torch.FloatStorage...), as torch's."""
        return f"{_dtype.DISPLAYED.name}.{_dtype_storage_name(self.dtype)}"

    def __repr__(self):
        return pretty_storage(self.tolist(),
                              f"TypedStorage(dtype={self.dtype}, device={self.device})")


def _dtype_storage_name(dtype):
    return LEGACY_STORAGE_NAMES[dtype._name]
