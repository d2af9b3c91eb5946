"""A restricted pickle virtual machine: reads data.pkl without importing or calling anything
the file names.

Only the opcodes that describe plain data are implemented, and a global resolves only when it is
on an explicit allow-list, to one of ember's own constructors written for this purpose (which
check their arguments), never to the module attribute the file names. The one extension is the
user's own list (add_safe_globals): objects the user passed in, which may be constructed, called
and given state as PyTorch's weights-only unpickler allows. Everything else raises
`pickle.UnpicklingError` before anything runs."""
import collections
import io
import pickle
import struct

from ember import _dtype
from ember._device import device
from ember._serialization.safe_globals import user_allowed_globals
from ember._tensor import Size
from ember.storage import LEGACY_STORAGE_NAMES

_PREAMBLE = (
    "Weights only load failed. ember.load never executes code from a file: it reads only "
    "{saved}, as PyTorch's torch.load(weights_only=True). The file asks for something "
    "else, or is corrupted.\n\n")


def weights_only_error(detail):
    """The UnpicklingError for a file that asks for more than plain data."""
    from ember._serialization.pickler import SAVED_TYPES
    return pickle.UnpicklingError(_PREAMBLE.format(saved=SAVED_TYPES) + detail)


class StorageType:
    """What a `torch.<X>Storage` global resolves to inside a persistent id: its element type."""

    __slots__ = ("dtype",)

    def __init__(self, dtype):
        self.dtype = dtype


_UNTYPED = StorageType(None)


class _Mark:
    __slots__ = ()


_MARK = _Mark()


def _encode(text, encoding):
    # protocol 2 pickles bytes as _codecs.encode(text, 'latin1'); no other codec is accepted
    if not isinstance(text, str) or encoding not in ("latin1", "latin-1"):
        raise weights_only_error("_codecs.encode is accepted only as (str, 'latin1')")
    return text.encode("latin1")


def _checked_class(cls, allowed_item_types=None):
    def construct(*args):
        if len(args) > 1:
            raise weights_only_error(f"{cls.__name__} takes at most one argument here")
        if allowed_item_types is not None and args:
            for item in args[0]:
                if not isinstance(item, allowed_item_types):
                    raise weights_only_error(f"{cls.__name__} of {type(item).__name__}")
        return cls(*args)
    return construct


def _complex(real=0.0, imag=0.0):
    if not all(isinstance(part, (int, float)) for part in (real, imag)):
        raise weights_only_error("complex takes real numbers")
    return complex(real, imag)


def _device(kind, index=None):
    if not isinstance(kind, str) or not (index is None or isinstance(index, int)):
        raise weights_only_error("device takes a string and an optional index")
    return device(kind, index)


def _allowed_globals(tensors):
    """(module, name) -> safe callable or value. `tensors` provides the tensor rebuilders."""
    allowed = {
        ("collections", "OrderedDict"): _checked_class(collections.OrderedDict),
        ("torch._utils", "_rebuild_tensor_v2"): tensors.rebuild_tensor_v2,
        ("torch._utils", "_rebuild_tensor_v3"): tensors.rebuild_tensor_v3,
        ("torch._utils", "_rebuild_parameter"): tensors.rebuild_parameter,
        ("torch._utils", "_rebuild_parameter_with_state"): tensors.rebuild_parameter_with_state,
        ("torch.storage", "UntypedStorage"): _UNTYPED,
        ("torch", "UntypedStorage"): _UNTYPED,
        ("torch", "Size"): _checked_class(Size, int),
        ("torch", "device"): _device,
        ("_codecs", "encode"): _encode,
    }
    for builtins in ("__builtin__", "builtins"):
        allowed[(builtins, "complex")] = _complex
        allowed[(builtins, "set")] = _checked_class(set)
        allowed[(builtins, "frozenset")] = _checked_class(frozenset)
        allowed[(builtins, "bytearray")] = _checked_class(bytearray, int)
    for name, storage_name in LEGACY_STORAGE_NAMES.items():
        allowed[("torch", storage_name)] = StorageType(getattr(_dtype, name))
    for name in _dtype.__all__:
        value = getattr(_dtype, name)
        if isinstance(value, _dtype.dtype):
            allowed[("torch", name)] = value
    return allowed


def unsafe_globals(data):
    """The "module.name" globals a pickle program names by GLOBAL that load would refuse.

    A static scan (pickletools parses, nothing runs), as PyTorch's: globals a program builds
    on the stack (STACK_GLOBAL) are not seen."""
    import pickletools
    allowed = {f"{module}.{name}" for module, name in _allowed_globals(_NO_TENSORS)}
    allowed.update(user_allowed_globals())
    found = set()
    for opcode, argument, _ in pickletools.genops(data):
        if opcode.name == "GLOBAL":
            found.add(argument.replace(" ", "."))
    return list(found - allowed)


class _NoTensors:
    """Placeholders for the tensor rebuilders when only the allow-list's names are needed."""

    rebuild_tensor_v2 = rebuild_tensor_v3 = rebuild_parameter = None
    rebuild_parameter_with_state = None


_NO_TENSORS = _NoTensors()


class Unpickler:
    """Runs the data-only subset of the pickle machine over `data` (bytes)."""

    def __init__(self, data, tensors, persistent_load):
        self._file = io.BytesIO(data)
        self._globals = _allowed_globals(tensors)
        self._constructors = {id(value) for value in self._globals.values() if callable(value)}
        # what the user marked safe (add_safe_globals): constructed, called and given state
        # as PyTorch's weights-only unpickler does, by the same rules
        self._user_globals = user_allowed_globals()
        self._user_ids = {id(value) for value in self._user_globals.values()}
        self._persistent_load = persistent_load
        self._stack = []
        self._marks = []
        self._memo = {}

    def load(self):
        read = self._file.read
        while True:
            code = read(1)
            if not code:
                raise pickle.UnpicklingError("pickle data was truncated")
            if code == pickle.STOP:
                if len(self._stack) != 1:
                    raise pickle.UnpicklingError("the pickle program ended with a malformed "
                                                 "stack")
                return self._stack[0]
            handler = _HANDLERS.get(code[0])
            if handler is None:
                raise weights_only_error(f"Unsupported operand {code[0]}")
            handler(self)

    # ---- reading the program ---------------------------------------------------------------

    def _read(self, count):
        data = self._file.read(count)
        if len(data) != count:
            raise pickle.UnpicklingError("pickle data was truncated")
        return data

    def _unpack(self, layout):
        return struct.unpack(layout, self._read(struct.calcsize(layout)))[0]

    def _read_line(self):
        line = self._file.readline()
        if not line.endswith(b"\n"):
            raise pickle.UnpicklingError("pickle data was truncated")
        return line[:-1].decode("utf-8")

    def _pop(self):
        if not self._stack:
            raise pickle.UnpicklingError("unpickling stack underflow")
        return self._stack.pop()

    def _pop_mark(self):
        if not self._marks:
            raise pickle.UnpicklingError("could not find MARK")
        start = self._marks.pop()
        items = self._stack[start:]
        del self._stack[start:]
        return items

    def _top(self):
        if not self._stack:
            raise pickle.UnpicklingError("unpickling stack underflow")
        return self._stack[-1]

    # ---- opcodes ---------------------------------------------------------------------------

    def _proto(self):
        if self._read(1)[0] > pickle.HIGHEST_PROTOCOL:
            raise pickle.UnpicklingError("unsupported pickle protocol")

    def _frame(self):
        # protocol 4 framing only groups opcodes; the frame length carries no meaning here
        self._unpack("<Q")

    def _mark(self):
        self._marks.append(len(self._stack))

    def _push_constant(self, value):
        self._stack.append(value)

    def _long(self, size_layout):
        size = self._unpack(size_layout)
        if size < 0:
            raise pickle.UnpicklingError("LONG pickle has negative byte count")
        self._stack.append(pickle.decode_long(self._read(size)))

    def _unicode(self, size_layout):
        try:
            self._stack.append(str(self._read(self._unpack(size_layout)), "utf-8",
                                   "surrogatepass"))
        except UnicodeDecodeError as error:
            raise pickle.UnpicklingError(f"the pickle holds a malformed string: {error}") from None

    def _bytes(self, size_layout):
        self._stack.append(self._read(self._unpack(size_layout)))

    def _tuple_of(self, count):
        if len(self._stack) < count:
            raise pickle.UnpicklingError("unpickling stack underflow")
        items = tuple(self._stack[len(self._stack) - count:])
        del self._stack[len(self._stack) - count:]
        self._stack.append(items)

    def _tuple(self):
        self._stack.append(tuple(self._pop_mark()))

    def _list(self):
        self._stack.append(self._pop_mark())

    def _dict(self):
        items = self._pop_mark()
        self._stack.append(self._pairs_into({}, items))

    def _pairs_into(self, target, items):
        if len(items) % 2:
            raise pickle.UnpicklingError("odd number of items for a dictionary")
        if not isinstance(target, dict):
            raise weights_only_error(f"setting items on a {type(target).__name__}")
        for index in range(0, len(items), 2):
            try:
                target[items[index]] = items[index + 1]
            except TypeError as error:
                raise pickle.UnpicklingError(f"unusable dictionary key: {error}") from None
        return target

    def _append(self):
        value = self._pop()
        self._list_target().append(value)

    def _appends(self):
        items = self._pop_mark()
        self._list_target().extend(items)

    def _list_target(self):
        target = self._top()
        if type(target) is not list:
            raise weights_only_error(f"appending to a {type(target).__name__}")
        return target

    def _setitem(self):
        value = self._pop()
        key = self._pop()
        self._pairs_into(self._top(), [key, value])

    def _setitems(self):
        items = self._pop_mark()
        self._pairs_into(self._top(), items)

    def _additems(self):
        items = self._pop_mark()
        target = self._top()
        if type(target) is not set:
            raise weights_only_error(f"adding items to a {type(target).__name__}")
        try:
            target.update(items)
        except TypeError as error:
            raise pickle.UnpicklingError(f"unusable set item: {error}") from None

    def _frozenset(self):
        try:
            self._stack.append(frozenset(self._pop_mark()))
        except TypeError as error:
            raise pickle.UnpicklingError(f"unusable set item: {error}") from None

    def _global(self):
        module = self._read_line()
        name = self._read_line()
        self._stack.append(self._resolve(module, name))

    def _stack_global(self):
        name = self._pop()
        module = self._pop()
        if not isinstance(module, str) or not isinstance(name, str):
            raise pickle.UnpicklingError("STACK_GLOBAL requires str")
        self._stack.append(self._resolve(module, name))

    def _resolve(self, module, name):
        value = self._globals.get((module, name))
        if value is None:
            value = self._user_globals.get(f"{module}.{name}")
        if value is None:
            # PyTorch's wording: the same remedy works in ember (see safe_globals.py)
            path = f"{module}.{name}"
            raise weights_only_error(
                f"Unsupported global: GLOBAL {path} was not an allowed global by default. "
                f"Please use `torch.serialization.add_safe_globals([{path}])` or the "
                f"`torch.serialization.safe_globals([{path}])` context manager to allowlist "
                "this global if you trust this class/function.")
        return value

    def _reduce(self):
        arguments = self._pop()
        function = self._pop()
        if id(function) in self._user_ids and isinstance(arguments, tuple):
            self._stack.append(function(*arguments))
            return
        if id(function) not in self._constructors or not isinstance(arguments, tuple):
            raise weights_only_error("REDUCE applies an allowed constructor to a tuple only")
        try:
            self._stack.append(function(*arguments))
        except TypeError as error:
            raise weights_only_error(f"bad arguments for a constructor: {error}") from None

    def _newobj(self):
        arguments = self._pop()
        cls = self._pop()
        if id(cls) in self._user_ids and isinstance(cls, type) and isinstance(arguments, tuple):
            self._stack.append(cls.__new__(cls, *arguments))
            return
        if cls is not _complex or not isinstance(arguments, tuple):
            raise weights_only_error("NEWOBJ is accepted for complex numbers only")
        self._stack.append(_complex(*arguments))

    def _build(self):
        state = self._pop()
        target = self._top()
        if id(type(target)) in self._user_ids:
            _set_state(target, state)
            return
        if type(target) is not collections.OrderedDict or type(state) is not dict:
            raise weights_only_error(f"BUILD of a {type(target).__name__} with a "
                                     f"{type(state).__name__} state is not supported")
        if not all(isinstance(key, str) and not key.startswith("__") for key in state):
            raise weights_only_error("BUILD state keys must be plain attribute names")
        # an OrderedDict's attributes (state_dict's `_metadata`) are plain data
        vars(target).update(state)

    def _persistent_id(self):
        self._stack.append(self._persistent_load(self._pop()))

    def _put(self, index):
        if not self._stack:
            raise pickle.UnpicklingError("unpickling stack underflow")
        self._memo[index] = self._stack[-1]

    def _memoize(self):
        self._put(len(self._memo))

    def _get(self, index):
        try:
            self._stack.append(self._memo[index])
        except KeyError:
            raise pickle.UnpicklingError(f"Memo value not found at index {index}") from None

    def _pop_opcode(self):
        if self._marks and self._marks[-1] == len(self._stack):
            self._marks.pop()
        else:
            self._pop()

    def _dup(self):
        self._stack.append(self._top())


def _set_state(target, state):
    """pickle's BUILD for an allow-listed type: __setstate__, or the (dict, slots) state."""
    if hasattr(target, "__setstate__"):
        target.__setstate__(state)
        return
    slot_state = None
    if isinstance(state, tuple) and len(state) == 2:
        state, slot_state = state
    if state:
        target.__dict__.update(state)
    if slot_state:
        for key, value in slot_state.items():
            setattr(target, key, value)


def _handlers():
    u = Unpickler
    return {
        pickle.PROTO[0]: u._proto,
        pickle.FRAME[0]: u._frame,
        pickle.MARK[0]: u._mark,
        pickle.POP[0]: u._pop_opcode,
        pickle.POP_MARK[0]: lambda self: self._pop_mark(),
        pickle.DUP[0]: u._dup,
        pickle.NONE[0]: lambda self: self._push_constant(None),
        pickle.NEWTRUE[0]: lambda self: self._push_constant(True),
        pickle.NEWFALSE[0]: lambda self: self._push_constant(False),
        pickle.BININT[0]: lambda self: self._push_constant(self._unpack("<i")),
        pickle.BININT1[0]: lambda self: self._push_constant(self._unpack("<B")),
        pickle.BININT2[0]: lambda self: self._push_constant(self._unpack("<H")),
        pickle.LONG1[0]: lambda self: self._long("<B"),
        pickle.LONG4[0]: lambda self: self._long("<i"),
        pickle.BINFLOAT[0]: lambda self: self._push_constant(self._unpack(">d")),
        pickle.SHORT_BINUNICODE[0]: lambda self: self._unicode("<B"),
        pickle.BINUNICODE[0]: lambda self: self._unicode("<I"),
        pickle.BINUNICODE8[0]: lambda self: self._unicode("<Q"),
        pickle.SHORT_BINBYTES[0]: lambda self: self._bytes("<B"),
        pickle.BINBYTES[0]: lambda self: self._bytes("<I"),
        pickle.BINBYTES8[0]: lambda self: self._bytes("<Q"),
        pickle.EMPTY_TUPLE[0]: lambda self: self._push_constant(()),
        pickle.TUPLE1[0]: lambda self: self._tuple_of(1),
        pickle.TUPLE2[0]: lambda self: self._tuple_of(2),
        pickle.TUPLE3[0]: lambda self: self._tuple_of(3),
        pickle.TUPLE[0]: u._tuple,
        pickle.EMPTY_LIST[0]: lambda self: self._push_constant([]),
        pickle.LIST[0]: u._list,
        pickle.APPEND[0]: u._append,
        pickle.APPENDS[0]: u._appends,
        pickle.EMPTY_DICT[0]: lambda self: self._push_constant({}),
        pickle.DICT[0]: u._dict,
        pickle.SETITEM[0]: u._setitem,
        pickle.SETITEMS[0]: u._setitems,
        pickle.EMPTY_SET[0]: lambda self: self._push_constant(set()),
        pickle.ADDITEMS[0]: u._additems,
        pickle.FROZENSET[0]: u._frozenset,
        pickle.GLOBAL[0]: u._global,
        pickle.STACK_GLOBAL[0]: u._stack_global,
        pickle.REDUCE[0]: u._reduce,
        pickle.NEWOBJ[0]: u._newobj,
        pickle.BUILD[0]: u._build,
        pickle.BINPERSID[0]: u._persistent_id,
        pickle.BINPUT[0]: lambda self: self._put(self._unpack("<B")),
        pickle.LONG_BINPUT[0]: lambda self: self._put(self._unpack("<I")),
        pickle.MEMOIZE[0]: u._memoize,
        pickle.BINGET[0]: lambda self: self._get(self._unpack("<B")),
        pickle.LONG_BINGET[0]: lambda self: self._get(self._unpack("<I")),
    }


_HANDLERS = _handlers()
