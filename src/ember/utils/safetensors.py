"""The safetensors format, read and written by ember itself, with `safetensors.torch`'s API.

A file is an 8-byte little-endian header length N, N bytes of JSON
(`{"__metadata__": {str: str}, name: {"dtype": "F32", "shape": [...], "data_offsets":
[begin, end]}, ...}`, padded with spaces to a multiple of 8), then the tensors' raw
little-endian bytes, which the offsets (relative to the end of the header) must cover exactly,
in order, without gaps or overlaps. Tensors are written as the safetensors library writes them
(largest dtypes first, then by name), so the bytes match its output. Every malformed file
raises `SafetensorError` ("Error while deserializing: ...") before any tensor is built."""
import json
import os
import struct
import sys

import numpy as np

from ember import _dtype
from ember._tensor import Tensor, _wrap

__all__ = ["SafetensorError", "save", "save_file", "load", "load_file", "safe_open",
           "save_model", "load_model"]

_MAX_HEADER_SIZE = 100_000_000

# safetensors' dtype names, in the order of its Rust enum (which orders the data on disk)
_DTYPE_ORDER = ("BOOL", "F4", "F6_E2M3", "F6_E3M2", "U8", "I8", "F8_E5M2", "F8_E4M3",
                "F8_E8M0", "F8_E4M3FNUZ", "F8_E5M2FNUZ", "I16", "U16", "F16", "BF16", "I32",
                "U32", "F32", "C64", "F64", "I64", "U64")
_RANK = {name: rank for rank, name in enumerate(_DTYPE_ORDER)}
_TO_NAME = {
    _dtype.bool: "BOOL", _dtype.uint8: "U8", _dtype.int8: "I8", _dtype.int16: "I16",
    _dtype.float16: "F16", _dtype.bfloat16: "BF16", _dtype.int32: "I32",
    _dtype.float32: "F32", _dtype.complex64: "C64", _dtype.float64: "F64",
    _dtype.int64: "I64",
}
_FROM_NAME = {name: dtype for dtype, name in _TO_NAME.items()}


class SafetensorError(Exception):
    """A malformed safetensors file or an unusable request, as safetensors' SafetensorError."""


# ---- writing ----------------------------------------------------------------------------------

def save(tensors, metadata=None):
    """The safetensors bytes of a dict of contiguous tensors that share no memory."""
    header, arrays = _prepare(tensors, metadata)
    return b"".join([header] + [array.tobytes() for array in arrays])


def save_file(tensors, filename, metadata=None):
    """Writes a dict of contiguous tensors that share no memory to a safetensors file."""
    header, arrays = _prepare(tensors, metadata)
    with open(filename, "wb") as stream:
        stream.write(header)
        for array in arrays:
            stream.write(memoryview(array.reshape(-1).view(np.uint8)))


def _prepare(tensors, metadata):
    """The padded header (with its length prefix) and the arrays to write after it."""
    _check_tensors(tensors)
    if metadata is not None:
        for key, value in metadata.items():
            for item in (key, value):
                if not isinstance(item, str):
                    raise TypeError(f"argument 'metadata': '{type(item).__name__}' object is "
                                    "not an instance of 'str'")
    entries = sorted(tensors.items(), key=lambda item: (-_RANK[_name_of(item[1])], item[0]))
    header = {} if metadata is None else {"__metadata__": dict(metadata)}
    arrays = []
    offset = 0
    for name, tensor in entries:
        array = tensor._data
        if array.dtype.byteorder == ">" or (array.dtype.byteorder == "=" and
                                            sys.byteorder == "big"):
            array = array.byteswap()
        header[name] = {"dtype": _name_of(tensor), "shape": list(array.shape),
                        "data_offsets": [offset, offset + array.nbytes]}
        offset += array.nbytes
        arrays.append(array)
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text, arrays


def _check_tensors(tensors):
    # the checks and messages of safetensors.torch._flatten and _tobytes, in their order
    if not isinstance(tensors, dict):
        raise ValueError(f"Expected a dict of [str, torch.Tensor] but received {type(tensors)}")
    for name, tensor in tensors.items():
        if not isinstance(name, str):
            raise TypeError(f"argument 'tensor_dict': '{type(name).__name__}' object is not an "
                            "instance of 'str'")
        if not isinstance(tensor, Tensor):
            raise ValueError(f"Key `{name}` is invalid, expected torch.Tensor but received "
                             f"{type(tensor)}")
    failing = [names for names in _shared_groups(tensors) if len(names) > 1]
    if failing:
        # safetensors' message, word for word (its indentation included)
        indent = "\n" + " " * 12
        raise RuntimeError(
            f"{indent}Some tensors share memory, this will lead to duplicate memory on disk and "
            f"potential differences when loading them again: {failing}.{indent}A potential way "
            f"to correctly save your model is to use `save_model`.{indent}More information at "
            f"https://huggingface.co/docs/safetensors/torch_shared_tensors{indent}")
    for name, tensor in tensors.items():
        if not tensor.is_contiguous():
            raise ValueError(
                f"You are trying to save a non contiguous tensor: `{name}` which is not "
                "allowed. It either means you are trying to save tensors which are reference "
                "of each other in which case it's recommended to save only the full tensors, "
                "and reslice at load time, or simply call `.contiguous()` on your tensor to "
                "pack it before saving.")
        _name_of(tensor)


def _shared_groups(tensors):
    """Sets of names whose tensors overlap in memory (safetensors' _find_shared_tensors)."""
    by_storage = {}
    for name, tensor in tensors.items():
        storage = tensor.untyped_storage()
        if storage.nbytes():
            by_storage.setdefault((storage.data_ptr(), storage.nbytes()), set()).add(name)
    groups = []
    for names in by_storage.values():
        areas = sorted((tensors[name].data_ptr(), _end_pointer(tensors[name]), name)
                       for name in names)
        _, last_stop, first_name = areas[0]
        groups.append({first_name})
        for start, stop, name in areas[1:]:
            if start >= last_stop:
                groups.append({name})
            else:
                groups[-1].add(name)
            last_stop = stop
    return groups


def _end_pointer(tensor):
    if not tensor.numel():
        return tensor.data_ptr()
    last = sum((extent - 1) * step for extent, step in zip(tensor.shape, tensor.stride()))
    return tensor.data_ptr() + (last + 1) * tensor.element_size()


def _name_of(tensor):
    name = _TO_NAME.get(tensor.dtype)
    if name is None:
        raise SafetensorError(f"safetensors has no dtype for {tensor.dtype}")
    return name


def save_model(model, filename, metadata=None, force_contiguous=True):
    """Saves a module's state dict, keeping one name per group of tensors sharing memory (tied
    weights); each dropped name is recorded in the metadata with the name kept."""
    state_dict = model.state_dict()
    for kept_name, removed_names in _remove_duplicate_names(state_dict).items():
        for removed_name in removed_names:
            if metadata is None:
                metadata = {}
            if removed_name not in metadata:
                metadata[removed_name] = kept_name
            del state_dict[removed_name]
    if force_contiguous:
        state_dict = {name: tensor.contiguous() for name, tensor in state_dict.items()}
    try:
        save_file(state_dict, filename, metadata=metadata)
    except ValueError as error:
        raise ValueError(f"{error} Or use save_model(..., force_contiguous=True), read the docs "
                         "for potential caveats.") from None


def load_model(model, filename, strict=True, device="cpu"):
    """Loads a file written by save_model into `model` (tied weights included); returns the
    (missing, unexpected) names, and with `strict` raises if either is non-empty."""
    state_dict = load_file(filename, device=device)
    removed_groups = _remove_duplicate_names(model.state_dict(),
                                             preferred_names=state_dict.keys())
    missing, unexpected = model.load_state_dict(state_dict, strict=False)
    missing = set(missing)
    for removed_names in removed_groups.values():
        for removed_name in removed_names:
            if removed_name in missing:
                missing.remove(removed_name)
            else:
                unexpected.append(removed_name)
    if strict and (missing or unexpected):
        error = f"Error(s) in loading state_dict for {model.__class__.__name__}:"
        if missing:
            names = ", ".join(f'"{name}"' for name in sorted(missing))
            error += f"\n    Missing key(s) in state_dict: {names}"
        if unexpected:
            names = ", ".join(f'"{name}"' for name in sorted(unexpected))
            error += f"\n    Unexpected key(s) in state_dict: {names}"
        raise RuntimeError(error)
    return missing, unexpected


def _remove_duplicate_names(state_dict, preferred_names=()):
    """kept name -> names to drop, for each group of tensors sharing memory: the kept one
    covers its whole storage, preferring `preferred_names`, then the first in sorted order."""
    removals = {}
    for shared in _shared_groups(state_dict):
        complete = {name for name in shared if _is_complete(state_dict[name])}
        if not complete:
            raise RuntimeError(
                "Error while trying to find names to remove to save state dict, but found no "
                f"suitable name to keep for saving amongst: {shared}. None is covering the "
                "entire storage.Refusing to save/load the model since you could be storing "
                "much more memory than needed. Please refer to "
                "https://huggingface.co/docs/safetensors/torch_shared_tensors for more "
                "information. Or open an issue.")
        preferred = complete.intersection(preferred_names)
        keep_name = sorted(preferred or complete)[0]
        dropped = [name for name in sorted(shared) if name != keep_name]
        if dropped:
            removals[keep_name] = dropped
    return removals


def _is_complete(tensor):
    storage = tensor.untyped_storage()
    return (tensor.data_ptr() == storage.data_ptr()
            and tensor.numel() * tensor.element_size() == storage.nbytes())


# ---- reading ----------------------------------------------------------------------------------

def load(data):
    """The tensors of safetensors bytes, as a dict name -> tensor (each with its own memory)."""
    entries, _, data_start = _parse(data[:8], lambda n: data[8:8 + n], len(data))
    return {name: _tensor(entry, lambda begin, nbytes, target: _copy_bytes(
        data, data_start + begin, target)) for name, entry in entries.items()}


def _copy_bytes(data, start, target):
    target[:] = np.frombuffer(data, np.uint8, target.size, start)


def load_file(filename, device="cpu"):
    """The tensors of a safetensors file, as a dict name -> tensor (each with its own memory)."""
    with safe_open(filename, framework="pt", device=device) as opened:
        return {name: opened.get_tensor(name) for name in opened.keys()}


class safe_open:
    """Opens a safetensors file to list its tensors and read them one at a time."""

    def __init__(self, filename, framework="pt", device="cpu"):
        if str(device) != "cpu":
            raise SafetensorError(f"ember runs on the CPU only, not on {device}")
        self._stream = open(filename, "rb")
        try:
            size = os.fstat(self._stream.fileno()).st_size
            prefix = self._stream.read(8)
            self._entries, self._metadata, self._data_start = _parse(
                prefix, self._stream.read, size)
        except BaseException:
            self._stream.close()
            raise

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self._stream.close()

    def keys(self):
        """The tensor names, sorted."""
        return sorted(self._entries)

    def metadata(self):
        """The `__metadata__` dict, or None."""
        return self._metadata

    def get_tensor(self, name):
        """Reads one tensor from the file."""
        entry = self._entries.get(name)
        if entry is None:
            raise SafetensorError(f"File does not contain tensor {name}")
        return _tensor(entry, self._read_into)

    def _read_into(self, begin, nbytes, target):
        self._stream.seek(self._data_start + begin)
        if self._stream.readinto(target) != nbytes:
            raise SafetensorError("Error while deserializing: the file was truncated")


def _tensor(entry, fill):
    dtype, shape, begin, end = entry
    if dtype not in _FROM_NAME:
        raise SafetensorError(f"ember has no dtype for safetensors' {dtype}")
    numpy_type = _dtype.numpy_dtype(_FROM_NAME[dtype])
    array = np.empty(shape, numpy_type)
    fill(begin, end - begin, array.reshape(-1).view(np.uint8))
    if sys.byteorder == "big" and numpy_type.itemsize > 1:
        array = array.byteswap()
    return _wrap(array)


def _deserializing_error(detail):
    return SafetensorError(f"Error while deserializing: {detail}")


def _parse(prefix, read_header, total_size):
    """(name -> (dtype, shape, begin, end), metadata, data start) of a validated file."""
    if len(prefix) < 8:
        raise _deserializing_error("header too small")
    (header_size,) = struct.unpack("<Q", prefix)
    if header_size > _MAX_HEADER_SIZE:
        raise _deserializing_error("header too large")
    if 8 + header_size > total_size:
        raise _deserializing_error("invalid header length")
    raw = read_header(header_size)
    try:
        header = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise _deserializing_error(f"invalid UTF-8 in header: {error}") from None
    except json.JSONDecodeError as error:
        raise _deserializing_error(f"invalid JSON in header: {error}") from None
    if not isinstance(header, dict):
        raise _deserializing_error("invalid JSON in header: the header is not an object")
    metadata = header.pop("__metadata__", None)
    if metadata is not None and not (isinstance(metadata, dict) and all(
            isinstance(item, str) for pair in metadata.items() for item in pair)):
        raise _deserializing_error("invalid JSON in header: __metadata__ must map strings to "
                                   "strings")
    entries = {name: _entry(name, description) for name, description in header.items()}
    end_of_previous = 0
    for name, (dtype, shape, begin, end) in sorted(entries.items(),
                                                   key=lambda item: item[1][2:]):
        if begin != end_of_previous or end < begin:
            raise _deserializing_error(f"invalid offset for tensor `{name}`")
        end_of_previous = end
        count = 1
        for extent in shape:
            count *= extent
        if count * _item_size(dtype) != end - begin:
            raise _deserializing_error("invalid shape, data type, or offset for tensor")
    if 8 + header_size + end_of_previous != total_size:
        raise _deserializing_error("incomplete metadata, file not fully covered")
    return entries, metadata, 8 + header_size


def _entry(name, description):
    if not isinstance(description, dict):
        raise _deserializing_error(f"invalid JSON in header: tensor `{name}` is not an object")
    for field in ("dtype", "shape", "data_offsets"):
        if field not in description:
            raise _deserializing_error(f"invalid JSON in header: missing field `{field}` for "
                                       f"tensor `{name}`")
    dtype, shape, offsets = (description["dtype"], description["shape"],
                             description["data_offsets"])
    if dtype not in _RANK:
        raise _deserializing_error(f"invalid JSON in header: unknown dtype `{dtype}` for "
                                   f"tensor `{name}`, expected one of {', '.join(_DTYPE_ORDER)}")
    if not (isinstance(shape, list) and all(_is_size(extent) for extent in shape)):
        raise _deserializing_error(f"invalid JSON in header: the shape of tensor `{name}` "
                                   "must be a list of non-negative integers")
    if not (isinstance(offsets, list) and len(offsets) == 2 and all(map(_is_size, offsets))):
        raise _deserializing_error(f"invalid JSON in header: the data_offsets of tensor "
                                   f"`{name}` must be two non-negative integers")
    return dtype, tuple(shape), offsets[0], offsets[1]


def _is_size(value):
    return type(value) is int and value >= 0


def _item_size(dtype):
    # sub-byte float formats (F4, F6) are packed; safetensors counts their bits
    bits = {"F4": 4, "F6_E2M3": 6, "F6_E3M2": 6}.get(dtype)
    if bits is not None:
        return bits / 8
    return {"BOOL": 1, "U8": 1, "I8": 1, "F8_E5M2": 1, "F8_E4M3": 1, "F8_E8M0": 1,
            "F8_E4M3FNUZ": 1, "F8_E5M2FNUZ": 1, "I16": 2, "U16": 2, "F16": 2, "BF16": 2,
            "I32": 4, "U32": 4, "F32": 4, "C64": 8, "F64": 8, "I64": 8, "U64": 8}[dtype]
