"""ember.save / ember.load: PyTorch's checkpoint format, read without executing code.

A checkpoint is the zip archive `torch.save` writes: `<name>/data.pkl` (a protocol-2 pickle of
the object, in which each tensor refers to a storage record by key), `<name>/data/<key>` (each
storage's raw little-endian bytes, once, 64-byte aligned) and small `version`/`byteorder`
records. So `torch.load(..., weights_only=True)` reads ember's checkpoints and ember reads the
state dicts, optimizer states and plain values PyTorch saves.

ember never unpickles with `pickle.Unpickler`: data.pkl runs on a restricted machine that knows
only data opcodes and an allow-list of constructors (see ember._serialization.unpickler).
Errors, as PyTorch's where it has them:
  * a file that names any other global or opcode: `pickle.UnpicklingError` ("Weights only load
    failed...");
  * a file that is not a zip archive, or is truncated: `RuntimeError` ("PytorchStreamReader
    failed reading zip archive: failed finding central directory...");
  * a record whose bytes fail their CRC-32 check, a missing record, a tensor reaching outside
    its storage: `RuntimeError` naming the record.
Saving an object that could not be loaded back that way raises `pickle.PicklingError` before
the file is opened."""
import os
import pickle
import struct
import warnings
import zipfile
import zlib

import numpy as np

from ember import _dtype
from ember._serialization.pickler import Pickler, StorageTable
from ember._serialization.safe_globals import (add_safe_globals, clear_safe_globals,
                                               get_safe_globals, safe_globals)
from ember._serialization.unpickler import (StorageType, Unpickler, unsafe_globals,
                                            weights_only_error)
from ember._storage import UntypedStorage
from ember._tensor import Tensor, _wrap
from ember.ops.views import strided

__all__ = ["save", "load", "add_safe_globals", "clear_safe_globals", "get_safe_globals",
           "get_unsafe_globals_in_checkpoint", "safe_globals"]

_ALIGNMENT = 64
_LOCAL_HEADER = struct.Struct("<4s22xHH")    # signature ... file name length, extra length
# what zipfile raises on a damaged archive (a bad offset seeks before the file's start, an
# altered method field names an unknown compression)
_ZIP_ERRORS = (zipfile.BadZipFile, EOFError, ValueError, NotImplementedError, zlib.error)
_CORRUPT_ARCHIVE = (
    "PytorchStreamReader failed reading zip archive: failed finding central directory. "
    "The file is not a checkpoint, or it is truncated or corrupted.")
_NO_CUDA = (
    "Attempting to deserialize object on a CUDA device but torch.cuda.is_available() is False. "
    "If you are running on a CPU-only machine, please use torch.load with "
    "map_location=torch.device('cpu') to map your storages to the CPU.")


def save(obj, f, pickle_module=pickle, pickle_protocol=2, _use_new_zipfile_serialization=True,
         _disable_byteorder_record=False):
    """Saves `obj` (tensors, state dicts, optimizer states, plain values) to a path or file.

    `pickle_module`, `pickle_protocol` and `_use_new_zipfile_serialization` are accepted for
    PyTorch compatibility; ember always writes the zip format with its own protocol-2 pickler
    (PyTorch's defaults), the one file every loader, weights-only or not, reads."""
    storages = StorageTable()
    program = Pickler(storages).dumps(obj)
    if isinstance(f, (str, os.PathLike)):
        name = os.path.splitext(os.path.basename(os.fspath(f)))[0] or "archive"
    else:
        name = "archive"
    with zipfile.ZipFile(f, "w", zipfile.ZIP_STORED) as archive:
        _write_record(archive, f"{name}/data.pkl", program)
        _write_record(archive, f"{name}/.format_version", b"1")
        _write_record(archive, f"{name}/.storage_alignment", str(_ALIGNMENT).encode())
        if not _disable_byteorder_record:
            _write_record(archive, f"{name}/byteorder", b"little")
        for key, payload in storages.records:
            _write_record(archive, f"{name}/data/{key}", payload)
        _write_record(archive, f"{name}/version", b"3\n")


def _write_record(archive, name, payload):
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_STORED
    # Pad the local header's extra field (as PyTorch's writer does) so the record's bytes start
    # on a 64-byte boundary: storages can then be memory-mapped in place.
    data_start = archive.fp.tell() + _LOCAL_HEADER.size + len(name.encode("utf-8")) + 4
    padding = -data_start % _ALIGNMENT
    info.extra = b"FB" + struct.pack("<H", padding) + b"Z" * padding
    archive.writestr(info, payload)


def load(f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None,
         **pickle_load_args):
    """Loads what `save` (or PyTorch's torch.save) wrote, never running code from the file.

    `map_location` may be None, a device or string, a dict of locations or a function
    `(storage, location) -> storage`; every storage ends on the CPU. `weights_only=False` and
    `pickle_module` are accepted for PyTorch compatibility and change nothing: ember only ever
    loads data. `mmap=True` maps storages from the file (copy-on-write) instead of reading
    them; it needs `f` to be a path."""
    _check_load_arguments(pickle_module, weights_only, pickle_load_args)
    mapped_path = None
    if mmap:
        if not isinstance(f, (str, os.PathLike)):
            raise ValueError("f must be a file path in order to use the mmap argument")
        mapped_path = os.fspath(f)
    try:
        archive = zipfile.ZipFile(f, "r")
    except _ZIP_ERRORS:
        raise RuntimeError(_CORRUPT_ARCHIVE) from None
    with archive:
        reader = _ArchiveReader(archive, map_location, mapped_path)
        program = reader.read_record("data.pkl")
        return Unpickler(program, _TensorBuilder(), reader.storage).load()


# what pickle.Unpickler accepts besides the file; PyTorch hands pickle_load_args to it
_UNPICKLER_ARGUMENTS = ("fix_imports", "encoding", "errors", "buffers")


def _check_load_arguments(pickle_module, weights_only, pickle_load_args):
    """PyTorch's checks on load's pickling options (weights_only defaults to True unless a
    pickle_module is given)."""
    if weights_only is None:
        weights_only = pickle_module is None
    if weights_only and pickle_module is not None:
        raise RuntimeError("Can not safely load weights when explicit pickle_module is specified")
    if pickle_load_args and weights_only:
        warnings.warn("pickle_load_args only works if `weights_only=False`.", stacklevel=3)
    for name in pickle_load_args:
        if name in _UNPICKLER_ARGUMENTS:
            continue
        # the wording of the unpickler PyTorch would hand them to: its own weights-only one
        # (Python) or pickle's (C)
        if weights_only:
            raise TypeError(f"Unpickler.__init__() got an unexpected keyword argument '{name}'")
        raise TypeError(f"'{name}' is an invalid keyword argument for Unpickler()")


def get_unsafe_globals_in_checkpoint(f):
    """The globals a checkpoint names that loading would refuse (neither built in nor marked
    with add_safe_globals), as "module.name" strings; the file is only parsed."""
    try:
        archive = zipfile.ZipFile(f, "r")
    except _ZIP_ERRORS:
        raise ValueError("Expected input to be a checkpoint returned by torch.save") from None
    with archive:
        program = _ArchiveReader(archive, None, None).read_record("data.pkl")
    return unsafe_globals(program)


class _LoadedStorage:
    """A storage record read back: a flat typed array (the tensors' shared buffer)."""

    __slots__ = ("array", "dtype", "shared")

    def __init__(self, array, dtype):
        self.array = array
        self.dtype = dtype
        self.shared = UntypedStorage(array)


class _ArchiveReader:
    """Reads records of one checkpoint archive and turns persistent ids into storages."""

    def __init__(self, archive, map_location, mapped_path):
        self._archive = archive
        self._map_location = map_location
        self._mapped_path = mapped_path
        self._storages = {}
        names = archive.namelist()
        if not names:
            raise RuntimeError(_CORRUPT_ARCHIVE)
        self._prefix = names[0].split("/", 1)[0] + "/"
        byteorder = b"little"
        if self._prefix + "byteorder" in names:
            byteorder = self.read_record("byteorder")
        if byteorder not in (b"little", b"big"):
            raise RuntimeError(f"Unknown endianness type: {byteorder.decode('latin1')}")
        self._big_endian = byteorder == b"big"

    def _info(self, name):
        try:
            return self._archive.getinfo(self._prefix + name)
        except KeyError:
            raise RuntimeError(f"PytorchStreamReader failed locating file {name}: file not "
                               "found") from None

    def read_record(self, name, into=None):
        info = self._info(name)
        try:
            with self._archive.open(info) as stream:
                if into is None:
                    return stream.read()
                if stream.readinto(into) != into.nbytes:
                    raise zipfile.BadZipFile("the record is shorter than its tensor")
                return into
        except _ZIP_ERRORS as error:
            raise _record_error(name, error) from None

    def check_size(self, name, nbytes):
        """Fails before anything is allocated when a record's size contradicts its tensor."""
        if self._info(name).file_size != nbytes:
            raise _record_error(name, "the record's size does not match its tensor")

    def storage(self, persistent_id):
        """The storage a `('storage', type, key, location, numel)` persistent id names."""
        if (not isinstance(persistent_id, tuple) or len(persistent_id) != 5
                or persistent_id[0] != "storage"
                or not isinstance(persistent_id[1], StorageType)
                or not isinstance(persistent_id[2], str)
                or not isinstance(persistent_id[3], str)
                or type(persistent_id[4]) is not int or persistent_id[4] < 0):
            raise weights_only_error(f"Unsupported persistent id {persistent_id!r}")
        _, storage_type, key, location, numel = persistent_id
        loaded = self._storages.get(key)
        if loaded is None:
            loaded = self._storages[key] = self._read_storage(key, storage_type, numel)
            self._map(loaded, location)
        elif loaded.dtype is not storage_type.dtype:
            raise RuntimeError(f"storage record data/{key} is used with two element types")
        return loaded

    def _map(self, loaded, location):
        target = self._map_location
        if isinstance(target, dict):
            target = target.get(location, location)
        if callable(target):
            # PyTorch's `lambda storage, location: storage` idiom; ember has only the CPU, so
            # the function must hand back the storage it is given (or None)
            result = target(loaded.shared, location)
            if result is not None and result is not loaded.shared:
                raise RuntimeError("map_location must return the CPU storage it is given: "
                                   "ember runs on the CPU only")
            return
        if target is None:
            target = location
        if str(target).split(":")[0] != "cpu":
            raise RuntimeError(_NO_CUDA)

    def _read_storage(self, key, storage_type, numel):
        element_type = storage_type.dtype
        itemsize = 1 if element_type is None else element_type.itemsize
        numpy_type = np.dtype(np.uint8) if element_type is None else _dtype.numpy_dtype(
            element_type)
        self.check_size(f"data/{key}", numel * itemsize)
        if self._mapped_path is not None:
            array = self._map_record(f"data/{key}", numel * itemsize).view(numpy_type)
        else:
            array = np.empty(numel, numpy_type)
            self.read_record(f"data/{key}", into=array.view(np.uint8))
        if self._big_endian and itemsize > 1:
            array = array.byteswap().view(array.dtype)
        return _LoadedStorage(array, element_type)

    def _map_record(self, name, nbytes):
        info = self._info(name)
        if info.compress_type != zipfile.ZIP_STORED:
            raise _record_error(name, "a compressed record cannot be memory-mapped")
        if nbytes == 0:
            return np.empty(0, np.uint8)
        with open(self._mapped_path, "rb") as stream:
            stream.seek(info.header_offset)
            signature, name_length, extra_length = _LOCAL_HEADER.unpack(
                stream.read(_LOCAL_HEADER.size))
        if signature != b"PK\x03\x04":
            raise _record_error(name, "bad local header")
        start = info.header_offset + _LOCAL_HEADER.size + name_length + extra_length
        return np.memmap(self._mapped_path, np.uint8, "c", start, (nbytes,))


def _record_error(name, reason):
    return RuntimeError(f"PytorchStreamReader failed reading file {name}: {reason}. The "
                        "checkpoint is corrupted.")


class _TensorBuilder:
    """The safe counterparts of PyTorch's tensor rebuild functions, for the unpickler."""

    def rebuild_tensor_v2(self, storage, storage_offset, size, stride, requires_grad=False,
                          backward_hooks=None, metadata=None):
        if not isinstance(storage, _LoadedStorage) or storage.dtype is None:
            raise weights_only_error("_rebuild_tensor_v2 needs a typed storage")
        return self._tensor(storage.array, storage, storage_offset, size, stride,
                            requires_grad)

    def rebuild_tensor_v3(self, storage, storage_offset, size, stride, requires_grad,
                          backward_hooks, dtype, metadata=None):
        if not isinstance(storage, _LoadedStorage) or not isinstance(dtype, _dtype.dtype):
            raise weights_only_error("_rebuild_tensor_v3 needs a storage and a dtype")
        if storage.array.nbytes % dtype.itemsize:
            raise RuntimeError("storage size is not a multiple of the element size")
        typed = storage.array.view(np.uint8).view(_dtype.numpy_dtype(dtype))
        return self._tensor(typed, storage, storage_offset, size, stride, requires_grad)

    def rebuild_parameter(self, data, requires_grad, backward_hooks):
        return self.rebuild_parameter_with_state(data, requires_grad, backward_hooks, None)

    def rebuild_parameter_with_state(self, data, requires_grad, backward_hooks, state):
        from ember.nn.parameter import Parameter
        if type(data) is not Tensor or not isinstance(requires_grad, bool):
            raise weights_only_error("_rebuild_parameter needs a tensor and a bool")
        if state is not None and (type(state) is not dict or any(
                not isinstance(key, str) or hasattr(Tensor, key) for key in state)):
            raise weights_only_error("a parameter's state may only add plain attributes")
        parameter = Parameter(data, requires_grad)
        for key, value in (state or {}).items():
            setattr(parameter, key, value)
        return parameter

    def _tensor(self, typed, storage, storage_offset, size, stride, requires_grad):
        if (not _is_index(storage_offset) or not isinstance(size, tuple)
                or not isinstance(stride, tuple) or len(size) != len(stride)
                or not all(_is_index(n) for n in size + stride)
                or not isinstance(requires_grad, bool)):
            raise weights_only_error("a tensor needs an offset, sizes and strides (ints)")
        last = storage_offset + sum((n - 1) * s for n, s in zip(size, stride))
        empty = any(n == 0 for n in size)
        if storage_offset > typed.size or (not empty and last >= typed.size):
            raise RuntimeError(f"a tensor of size {list(size)}, stride {list(stride)} and "
                               f"offset {storage_offset} reaches outside its storage of "
                               f"{typed.size} elements: the checkpoint is corrupted")
        tensor = _wrap(strided(typed[storage_offset:], size, stride))
        tensor._storage = storage.shared
        if requires_grad:
            tensor.requires_grad_(True)
        return tensor


def _is_index(value):
    return type(value) is int and value >= 0

