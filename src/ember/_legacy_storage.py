"""The legacy typed-storage classes (ember.FloatStorage, LongStorage...) and
Tensor.storage_type(), which returns them. As in PyTorch, constructing one gives a
TypedStorage of its dtype, and isinstance() asks a storage for its dtype."""
import numpy as np

from ember import _dtype
from ember._tensor import Tensor
from ember.storage import (LEGACY_STORAGE_NAMES, TypedStorage, UntypedStorage,
                           warn_typed_storage_removal)

__all__ = list(LEGACY_STORAGE_NAMES.values())


class _LegacyStorageMeta(type):
    """isinstance(storage, FloatStorage): a TypedStorage of float32."""

    def __instancecheck__(cls, instance):
        return isinstance(instance, TypedStorage) and instance.dtype is cls.dtype


class _LegacyStorage(TypedStorage, metaclass=_LegacyStorageMeta):
    __slots__ = ()

    def __new__(cls, *args, wrap_storage=None):
        warn_typed_storage_removal()
        numpy_dtype = _dtype.numpy_dtype(cls.dtype)
        if wrap_storage is not None and not args:
            return TypedStorage(wrap_storage, cls.dtype)
        if not args:
            return TypedStorage(UntypedStorage(np.zeros(0, numpy_dtype)), cls.dtype)
        if len(args) == 1 and isinstance(args[0], int) and not isinstance(args[0], bool):
            # PyTorch leaves the memory uninitialised; ember's is zeroed
            return TypedStorage(UntypedStorage(np.zeros(args[0], numpy_dtype)), cls.dtype)
        if len(args) == 1 and isinstance(args[0], (list, tuple)):
            values = np.array(args[0]).astype(numpy_dtype)
            return TypedStorage(UntypedStorage(values), cls.dtype)
        raise TypeError(
            f"{cls!r}.__new__ received an invalid combination of arguments. Expected one of:\n"
            " * no arguments\n * (int size)\n * (Sequence data)\n"
            " * (*, UntypedStorage wrap_storage)\n"
            f"Argument type not recognized: {type(args[0])!r}")


def _legacy_class(dtype_name, class_name):
    return _LegacyStorageMeta(class_name, (_LegacyStorage,), {
        "__slots__": (), "__module__": "ember", "dtype": getattr(_dtype, dtype_name),
        "__doc__": f"The legacy storage of {dtype_name} elements (torch.{class_name})."})


_CLASSES = {dtype_name: _legacy_class(dtype_name, class_name)
            for dtype_name, class_name in LEGACY_STORAGE_NAMES.items()}
globals().update((cls.__name__, cls) for cls in _CLASSES.values())


def storage_type(self):
    """The legacy storage class of self's dtype (None for dtypes that have none)."""
    warn_typed_storage_removal()
    return _CLASSES.get(self.dtype._name)


Tensor.storage_type = storage_type
