"""Writes the pickle program of `torch.save`'s data.pkl (protocol 2) for the types ember saves.

The program names the same globals PyTorch's pickler names (`torch._utils._rebuild_tensor_v2`,
`torch.FloatStorage`, `collections.OrderedDict`...), so PyTorch's `torch.load` reads ember's
checkpoints, and ember's restricted unpickler reads PyTorch's. Opcodes are written directly
rather than through `pickle.Pickler`, which would have to import torch to name its globals."""
import collections
import copyreg
import pickle
import struct

import numpy as np

from ember._device import device
from ember._dtype import dtype
from ember._serialization.safe_globals import user_allowed_globals
from ember._tensor import Size, Tensor
from ember.storage import LEGACY_STORAGE_NAMES

SAVED_TYPES = ("tensors, nn.Parameter, dict, OrderedDict, list, tuple, set, frozenset, None, "
               "bool, int, float, complex, str, bytes, ember.Size, dtypes and devices")

_BATCH = 1000


class StorageTable:
    """Assigns each distinct memory buffer a record key, once, whatever views refer to it."""

    def __init__(self):
        self.records = []          # (key, uint8 ndarray of the storage's bytes)
        self._by_root = {}         # id(root array) -> (key, numpy dtype, element count)
        self._roots = []           # keeps roots alive so their ids stay unique while saving

    def locate(self, tensor):
        """(key, storage element count, element offset, element strides) of `tensor`."""
        data = tensor._data
        root = tensor._shared_storage()._root
        byte_offset = data.__array_interface__["data"][0] - root.__array_interface__["data"][0]
        shareable = (root.flags.c_contiguous and root.dtype.isnative
                     and byte_offset % data.itemsize == 0
                     and root.nbytes % data.itemsize == 0)
        if not shareable:
            # Memory NumPy cannot describe as one flat buffer: save this tensor's own
            # contiguous copy, with the copy's strides.
            copy = np.ascontiguousarray(data)
            strides = tuple(step // data.itemsize for step in copy.strides)
            key, numel, _ = self._add(copy.reshape(-1), data.dtype)
            return key, numel, 0, strides
        entry = self._by_root.get(id(root))
        if entry is None:
            entry = self._by_root[id(root)] = self._add(root.reshape(-1), data.dtype)
            self._roots.append(root)
        key, numel, storage_dtype = entry[0], entry[1], entry[2]
        if storage_dtype != data.dtype:
            raise RuntimeError("Cannot save multiple tensors or storages that view the same "
                               "data as different types")
        return key, numel, byte_offset // data.itemsize, tensor.stride()

    def _add(self, flat, numpy_dtype):
        key = str(len(self.records))
        if not flat.dtype.isnative:
            flat = flat.astype(flat.dtype.newbyteorder("="))
        self.records.append((key, flat.view(np.uint8)))
        return key, flat.nbytes // numpy_dtype.itemsize, numpy_dtype


class Pickler:
    """Serialises one object graph of the supported types into a protocol-2 pickle."""

    def __init__(self, storages):
        self._storages = storages
        self._out = bytearray()
        self._memo = {}            # id(object) -> memo index
        self._alive = []           # memoised objects, kept alive so their ids stay unique
        self._globals = {}         # (module, name) -> memo index
        self._open_tuples = set()  # ids of tuples being written, to refuse a tuple in itself
        self._allowed = None       # id(object) -> path, for the user's safe globals

    def dumps(self, obj):
        self._out += b"\x80\x02"
        self._save(obj)
        self._out += pickle.STOP
        return bytes(self._out)

    # ---- memo ------------------------------------------------------------------------------

    def _put(self, obj):
        index = len(self._memo) + len(self._globals)
        self._memo[id(obj)] = index
        self._alive.append(obj)
        self._write_put(index)

    def _write_put(self, index):
        if index < 256:
            self._out += pickle.BINPUT + bytes((index,))
        else:
            self._out += pickle.LONG_BINPUT + struct.pack("<I", index)

    def _write_get(self, index):
        if index < 256:
            self._out += pickle.BINGET + bytes((index,))
        else:
            self._out += pickle.LONG_BINGET + struct.pack("<I", index)

    def _global(self, module, name):
        index = self._globals.get((module, name))
        if index is not None:
            self._write_get(index)
            return
        self._out += pickle.GLOBAL + f"{module}\n{name}\n".encode("ascii")
        index = len(self._memo) + len(self._globals)
        self._globals[(module, name)] = index
        self._write_put(index)

    # ---- dispatch --------------------------------------------------------------------------

    def _save(self, obj):
        index = self._memo.get(id(obj))
        if index is not None:
            self._write_get(index)
            return
        kind = type(obj)
        writer = _WRITERS.get(kind)
        if writer is not None:
            writer(self, obj)
        elif isinstance(obj, Tensor) and _is_parameter(obj):
            self._save_parameter(obj)
        elif _is_uninitialized(obj):
            self._save_uninitialized(obj)
        elif self._allowed_path(obj) is not None:
            self._save_allowed_global(obj)
        elif self._allowed_path(kind) is not None:
            self._save_allowed_object(obj)
        else:
            raise pickle.PicklingError(
                f"ember.save cannot store an object of type {kind.__module__}."
                f"{kind.__qualname__}: it stores {SAVED_TYPES} and objects of the classes "
                "marked safe with add_safe_globals, because ember.load never runs code from a "
                "file and so could not rebuild other objects. Save a module's or optimizer's "
                "state_dict() rather than the object itself.")

    # ---- objects of classes the user marked safe (safe_globals.py) -------------------------

    def _allowed_path(self, obj):
        if self._allowed is None:
            self._allowed = {id(value): path for path, value in user_allowed_globals().items()}
        return self._allowed.get(id(obj))

    def _save_allowed_global(self, obj):
        path = self._allowed_path(obj)
        default = f"{getattr(obj, '__module__', '')}.{getattr(obj, '__qualname__', '')}"
        if path == default:
            self._global(obj.__module__, obj.__qualname__)
        else:
            module, _, name = path.rpartition(".")
            self._global(module, name)

    def _save_allowed_object(self, obj):
        # pickle's own protocol-2 reduction, restricted to what ember.load (and torch.load with
        # the same allow-list) rebuilds: an allowed class or function, its arguments, a state
        reduced = obj.__reduce_ex__(2)
        if not isinstance(reduced, tuple) or len(reduced) > 3 and any(
                item is not None for item in reduced[3:]):
            raise pickle.PicklingError(f"ember.save cannot store {type(obj).__qualname__}: its "
                                       "reduction is not a constructor call with a state")
        function, arguments = reduced[0], reduced[1]
        state = reduced[2] if len(reduced) > 2 else None
        if function is copyreg.__newobj__:
            function, arguments, opcode = arguments[0], tuple(arguments[1:]), pickle.NEWOBJ
        else:
            opcode = pickle.REDUCE
        if self._allowed_path(function) is None:
            raise pickle.PicklingError(
                f"ember.save cannot store {type(obj).__qualname__}: it is rebuilt by "
                f"{getattr(function, '__qualname__', function)}, which is not marked safe with "
                "add_safe_globals")
        self._save_allowed_global(function)
        self._save(arguments)
        self._out += opcode
        self._put(obj)
        if state is not None:
            self._save(state)
            self._out += pickle.BUILD

    def _save_none(self, obj):
        self._out += pickle.NONE

    def _save_bool(self, obj):
        self._out += pickle.NEWTRUE if obj else pickle.NEWFALSE

    def _save_int(self, obj):
        if 0 <= obj < 256:
            self._out += pickle.BININT1 + bytes((obj,))
        elif 0 <= obj < 65536:
            self._out += pickle.BININT2 + struct.pack("<H", obj)
        elif -2**31 <= obj < 2**31:
            self._out += pickle.BININT + struct.pack("<i", obj)
        else:
            encoded = pickle.encode_long(obj)
            if len(encoded) < 256:
                self._out += pickle.LONG1 + bytes((len(encoded),)) + encoded
            else:
                self._out += pickle.LONG4 + struct.pack("<i", len(encoded)) + encoded

    def _save_float(self, obj):
        self._out += pickle.BINFLOAT + struct.pack(">d", obj)

    def _save_str(self, obj):
        encoded = obj.encode("utf-8", "surrogatepass")
        self._out += pickle.BINUNICODE + struct.pack("<I", len(encoded)) + encoded
        self._put(obj)

    def _save_bytes(self, obj):
        # protocol 2 has no bytes opcode: Python 3 pickles bytes as _codecs.encode(str, latin1)
        self._global("_codecs", "encode")
        self._save_tuple((obj.decode("latin1"), "latin1"))
        self._out += pickle.REDUCE
        self._put(obj)

    def _save_complex(self, obj):
        self._global("__builtin__", "complex")
        self._save_tuple((obj.real, obj.imag))
        self._out += pickle.REDUCE
        self._put(obj)

    def _save_tuple(self, obj):
        if not obj:
            self._out += pickle.EMPTY_TUPLE
            return
        if id(obj) in self._open_tuples:
            raise pickle.PicklingError("ember.save cannot store a tuple that contains itself")
        self._open_tuples.add(id(obj))
        if len(obj) > 3:
            self._out += pickle.MARK
        for item in obj:
            self._save(item)
        self._open_tuples.discard(id(obj))
        if len(obj) > 3:
            self._out += pickle.TUPLE
        else:
            self._out += (pickle.TUPLE1, pickle.TUPLE2, pickle.TUPLE3)[len(obj) - 1]
        self._put(obj)

    def _save_list(self, obj):
        self._out += pickle.EMPTY_LIST
        self._put(obj)
        for start in range(0, len(obj), _BATCH):
            self._out += pickle.MARK
            for item in obj[start:start + _BATCH]:
                self._save(item)
            self._out += pickle.APPENDS

    def _save_items(self, items):
        for start in range(0, len(items), _BATCH):
            self._out += pickle.MARK
            for key, value in items[start:start + _BATCH]:
                self._save(key)
                self._save(value)
            self._out += pickle.SETITEMS

    def _save_dict(self, obj):
        self._out += pickle.EMPTY_DICT
        self._put(obj)
        self._save_items(list(obj.items()))

    def _save_ordered_dict(self, obj):
        self._global("collections", "OrderedDict")
        self._out += pickle.EMPTY_TUPLE + pickle.REDUCE
        self._put(obj)
        self._save_items(list(obj.items()))
        attributes = vars(obj)
        if attributes:
            # state_dict()'s `_metadata` attribute travels as the OrderedDict's BUILD state
            self._save_dict(attributes)
            self._out += pickle.BUILD

    def _save_set(self, obj):
        self._global("__builtin__", type(obj).__name__)
        self._save_tuple((list(obj),))
        self._out += pickle.REDUCE
        self._put(obj)

    def _save_size(self, obj):
        self._global("torch", "Size")
        self._save_tuple((tuple(obj),))
        self._out += pickle.REDUCE
        self._put(obj)

    def _save_dtype(self, obj):
        self._global("torch", obj._name)

    def _save_device(self, obj):
        self._global("torch", "device")
        self._save_tuple((str(obj),))
        self._out += pickle.REDUCE

    def _save_tensor(self, obj):
        self._write_tensor_reduce(obj)
        self._put(obj)

    def _write_tensor_reduce(self, tensor):
        key, numel, offset, strides = self._storages.locate(tensor)
        self._global("torch._utils", "_rebuild_tensor_v2")
        self._out += pickle.MARK
        self._out += pickle.MARK
        self._save("storage")
        self._global("torch", LEGACY_STORAGE_NAMES[tensor.dtype._name])
        self._save(key)
        self._save("cpu")
        self._save(numel)
        self._out += pickle.TUPLE + pickle.BINPERSID
        self._save(offset)
        self._save_tuple(tuple(tensor.shape))
        self._save_tuple(strides)
        self._save(bool(tensor._requires_grad))
        self._write_empty_ordered_dict()
        self._out += pickle.TUPLE + pickle.REDUCE

    def _write_empty_ordered_dict(self):
        # the backward-hooks argument PyTorch's rebuild functions take
        self._global("collections", "OrderedDict")
        self._out += pickle.EMPTY_TUPLE + pickle.REDUCE

    def _save_uninitialized(self, obj):
        # torch pickles a lazy module's placeholder as its class called with requires_grad
        # (torch.load refuses that global unless weights_only=False, and so does ember.load)
        self._global("torch.nn.parameter", type(obj).__name__)
        self._save(bool(obj._requires_grad))
        self._out += pickle.TUPLE1 + pickle.REDUCE
        self._put(obj)

    def _save_parameter(self, obj):
        self._global("torch._utils", "_rebuild_parameter")
        self._write_tensor_reduce(obj)
        self._save(bool(obj._requires_grad))
        self._write_empty_ordered_dict()
        self._out += pickle.TUPLE3 + pickle.REDUCE
        self._put(obj)


def _is_uninitialized(obj):
    from ember.nn.parameter import UninitializedBuffer, UninitializedParameter
    return type(obj) in (UninitializedParameter, UninitializedBuffer)


def _is_parameter(tensor):
    from ember.nn.parameter import Parameter
    return type(tensor) is Parameter


_WRITERS = {
    type(None): Pickler._save_none, bool: Pickler._save_bool, int: Pickler._save_int,
    float: Pickler._save_float, complex: Pickler._save_complex, str: Pickler._save_str,
    bytes: Pickler._save_bytes, tuple: Pickler._save_tuple, list: Pickler._save_list,
    dict: Pickler._save_dict, collections.OrderedDict: Pickler._save_ordered_dict,
    set: Pickler._save_set, frozenset: Pickler._save_set, Size: Pickler._save_size,
    dtype: Pickler._save_dtype, device: Pickler._save_device, Tensor: Pickler._save_tensor,
}
