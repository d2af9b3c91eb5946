"""dtype objects, their NumPy counterparts, and PyTorch's type-promotion rules."""
import numpy as np

from ember._errors import argument_type_error

__all__ = [
    "dtype", "float16", "float32", "float64", "bfloat16", "complex64", "complex128",
    "int8", "int16", "int32", "int64", "uint8", "bool",
    "half", "float", "double", "cfloat", "cdouble", "short", "int", "long",
    "get_default_dtype", "set_default_dtype", "promote_types", "result_type", "can_cast",
    "finfo", "iinfo", "is_floating_point", "is_complex", "layout", "strided", "sparse_coo",
]

_BOOL, _INTEGRAL, _FLOATING, _COMPLEX = 0, 1, 2, 3


class _DisplayedLibrary:
    """The library name reprs start with: "ember" (ember.float32, ember.Size([2])), or "torch"
    while `python -m ember run` runs a script written for torch, which then prints what
    PyTorch prints (its `torch.float32` is ember's float32 there)."""

    __slots__ = ("name",)

    def __init__(self):
        self.name = "ember"


DISPLAYED = _DisplayedLibrary()


def _bfloat16_numpy_type():
    # bfloat16 is optional: NumPy has no such type, ml_dtypes provides one when installed.
    try:
        import ml_dtypes
    except ImportError:
        return None
    return np.dtype(ml_dtypes.bfloat16)


class dtype:
    """A tensor element type, as torch.dtype."""

    __slots__ = ("_name", "_numpy", "itemsize", "_category", "is_signed")

    def __init__(self, name, numpy_dtype, itemsize, category, is_signed):
        self._name = name
        self._numpy = numpy_dtype
        self.itemsize = itemsize
        self._category = category
        self.is_signed = is_signed

    @property
    def is_floating_point(self):
        return self._category == _FLOATING

    @property
    def is_complex(self):
        return self._category == _COMPLEX

    def to_real(self):
        """The real counterpart of a complex dtype; other dtypes are returned unchanged."""
        return _COMPLEX_TO_REAL.get(self, self)

    def to_complex(self):
        """The complex counterpart of a floating dtype; complex dtypes are returned unchanged."""
        if self._category < _FLOATING:
            from ember._errors import dtype_name
            raise RuntimeError(f"Unknown Complex ScalarType for {dtype_name(self)}")
        return _REAL_TO_COMPLEX.get(self, self)

    def __repr__(self):
        return DISPLAYED.name + "." + self._name

    def __reduce__(self):
        return (_dtype_by_name, (self._name,))



bool = dtype("bool", np.dtype(np.bool_), 1, _BOOL, False)
uint8 = dtype("uint8", np.dtype(np.uint8), 1, _INTEGRAL, False)
int8 = dtype("int8", np.dtype(np.int8), 1, _INTEGRAL, True)
int16 = dtype("int16", np.dtype(np.int16), 2, _INTEGRAL, True)
int32 = dtype("int32", np.dtype(np.int32), 4, _INTEGRAL, True)
int64 = dtype("int64", np.dtype(np.int64), 8, _INTEGRAL, True)
float16 = dtype("float16", np.dtype(np.float16), 2, _FLOATING, True)
# bound to ml_dtypes' NumPy type on first use (importing ml_dtypes costs about 10 ms)
bfloat16 = dtype("bfloat16", None, 2, _FLOATING, True)
float32 = dtype("float32", np.dtype(np.float32), 4, _FLOATING, True)
float64 = dtype("float64", np.dtype(np.float64), 8, _FLOATING, True)
complex64 = dtype("complex64", np.dtype(np.complex64), 8, _COMPLEX, True)
complex128 = dtype("complex128", np.dtype(np.complex128), 16, _COMPLEX, True)

half = float16
float = float32
double = float64
cfloat = complex64
cdouble = complex128
short = int16
int = int32
long = int64

ALL_DTYPES = (bool, uint8, int8, int16, int32, int64, float16, bfloat16, float32, float64,
              complex64, complex128)
_BY_NAME = {d._name: d for d in ALL_DTYPES}
_COMPLEX_TO_REAL = {complex64: float32, complex128: float64}
_REAL_TO_COMPLEX = {float16: complex64, bfloat16: complex64, float32: complex64,
                    float64: complex128}

# NumPy dtype -> ember dtype; the key is the numpy dtype object, so lookups are one dict probe.
FROM_NUMPY = {d._numpy: d for d in ALL_DTYPES if d._numpy is not None}


def _dtype_by_name(name):
    return _BY_NAME[name]


def _load_bfloat16():
    """bfloat16's NumPy type, binding it (and its FROM_NUMPY entry) on first use."""
    if bfloat16._numpy is None:
        numpy_type = _bfloat16_numpy_type()
        if numpy_type is not None:
            bfloat16._numpy = numpy_type
            FROM_NUMPY[numpy_type] = bfloat16
    return bfloat16._numpy


def from_numpy_dtype(numpy_dtype):
    """The ember dtype of a NumPy dtype, or TypeError as torch.from_numpy raises."""
    found = FROM_NUMPY.get(numpy_dtype)
    if found is None and numpy_dtype.name == "bfloat16" and _load_bfloat16() is not None:
        found = FROM_NUMPY.get(numpy_dtype)
    if found is None and not numpy_dtype.isnative:
        raise ValueError("given numpy array has byte order different from the native byte order. "
                         "Conversion between byte orders is currently not supported.")
    if found is None:
        raise TypeError(
            f"can't convert np.ndarray of type numpy.{numpy_dtype.type.__name__}. The only "
            "supported types are: float64, float32, float16, complex64, complex128, int64, int32, int16, "
            "int8, uint64, uint32, uint16, uint8, and bool.")
    return found


def numpy_dtype(d):
    """The NumPy dtype that stores ember dtype `d`."""
    if d._numpy is None and (d is not bfloat16 or _load_bfloat16() is None):
        raise RuntimeError("bfloat16 needs the optional package ml_dtypes: pip install ml_dtypes")
    return d._numpy


# ---- promotion ------------------------------------------------------------------------------

_INT_ORDER = {uint8: 0, int8: 1, int16: 2, int32: 3, int64: 4}


def _promote_integral(a, b):
    if a is uint8 or b is uint8:
        other = b if a is uint8 else a
        if other is uint8:
            return uint8
        # uint8 with a signed type needs one more bit than int8 offers
        return int16 if other is int8 else other
    return a if _INT_ORDER[a] >= _INT_ORDER[b] else b


def _promote_floating(a, b):
    if a is b:
        return a
    if {a, b} == {float16, bfloat16}:
        return float32
    order = {float16: 0, bfloat16: 0, float32: 1, float64: 2}
    return a if order[a] >= order[b] else b


def _compute_promotion(a, b):
    if a is b:
        return a
    ca, cb = a._category, b._category
    if ca < cb:
        a, b, ca, cb = b, a, cb, ca
    if ca == _BOOL:
        return bool
    if ca == _INTEGRAL:
        if cb == _BOOL:
            return a
        return _promote_integral(a, b)
    if ca == _FLOATING:
        if cb < _FLOATING:
            return a
        return _promote_floating(a, b)
    if cb < _FLOATING:
        return a
    # a complex with a float: the wider of the two real parts decides the width
    real = _promote_floating(a.to_real(), b.to_real() if cb == _COMPLEX else b)
    return real.to_complex()


_PROMOTION_TABLE = {(a, b): _compute_promotion(a, b) for a in ALL_DTYPES for b in ALL_DTYPES}


def _require_dtype(function, name, position, value):
    if not isinstance(value, dtype):
        raise argument_type_error(function, name, position, "torch.dtype", value)


def promote_types(type1, type2):
    """The smallest dtype to which both dtypes can be converted, as torch.promote_types."""
    _require_dtype("promote_types", "type1", 1, type1)
    _require_dtype("promote_types", "type2", 2, type2)
    return _PROMOTION_TABLE[(type1, type2)]


class _DefaultDtype:
    __slots__ = ("value", "numpy", "complex")


DEFAULT = _DefaultDtype()
DEFAULT.value = float32
DEFAULT.numpy = float32._numpy
DEFAULT.complex = complex64


def get_default_dtype():
    """The default floating point dtype."""
    return DEFAULT.value


def set_default_dtype(d):
    """Sets the default floating point dtype (float32 or float64, as PyTorch allows)."""
    if not isinstance(d, dtype):
        raise TypeError("invalid dtype object: only floating-point types are supported as the "
                        "default type")
    if d._category != _FLOATING:
        raise TypeError("only floating-point types are supported as the default type")
    DEFAULT.value = d
    DEFAULT.numpy = numpy_dtype(d)
    # torch has no complex type matching bfloat16: complex values then fail (see scalar_dtype)
    DEFAULT.complex = {float64: complex128, bfloat16: None}.get(d, complex64)


def scalar_dtype(value):
    """The dtype a Python scalar takes when it stands alone in an operation."""
    kind = type(value)
    if kind is builtins_bool or isinstance(value, (builtins_bool, np.bool_)):
        return bool
    if isinstance(value, (builtins_int, np.integer)):
        return int64
    if isinstance(value, (builtins_float, np.floating)):
        return DEFAULT.value
    if isinstance(value, (builtins_complex, np.complexfloating)):
        if DEFAULT.complex is None:
            raise RuntimeError("invalid default scalar type for complex")
        return DEFAULT.complex
    raise TypeError(f"unsupported scalar type {kind.__name__}")


import builtins as _builtins  # noqa: E402  (the names bool/int/float are dtypes in this module)

builtins_bool = _builtins.bool
builtins_int = _builtins.int
builtins_float = _builtins.float
builtins_complex = _builtins.complex


def _combine_categories(higher, lower):
    # PyTorch's rule for mixing priority classes: tensors with dimensions outrank
    # zero-dim tensors, which outrank Python scalars, unless a lower class brings a
    # higher category (bool < integral < floating < complex).
    if higher is None:
        return lower
    if lower is None:
        return higher
    if higher._category == _COMPLEX:
        return higher
    if lower._category == _COMPLEX:
        if higher._category == _FLOATING:
            return higher.to_complex()
        return lower
    if higher._category == _FLOATING:
        return higher
    if higher is bool or lower._category == _FLOATING:
        return _PROMOTION_TABLE[(higher, lower)]
    return higher


def _accumulate(current, new):
    if current is None:
        return new
    return _PROMOTION_TABLE[(current, new)]


def promote_operands(operands):
    """The result dtype of an operation over tensors and scalars, by PyTorch's rules."""
    dim_result = zero_result = scalar_result = None
    for value in operands:
        data = getattr(value, "_data", None)
        if data is None and isinstance(value, np.ndarray):
            data = value  # torch treats an ndarray operand as a tensor
        if data is not None:
            d = FROM_NUMPY[data.dtype]
            if data.ndim:
                dim_result = _accumulate(dim_result, d)
            else:
                zero_result = _accumulate(zero_result, d)
        else:
            scalar_result = _accumulate(scalar_result, scalar_dtype(value))
    return _combine_categories(dim_result, _combine_categories(zero_result, scalar_result))


_NUMBER_TYPES = (builtins_bool, builtins_int, builtins_float, builtins_complex, np.number,
                 np.bool_)


def result_type(tensor, other):
    """The dtype of an arithmetic operation on the two operands, as torch.result_type."""
    for value in (tensor, other):
        if getattr(value, "_data", None) is None and not isinstance(value, _NUMBER_TYPES):
            raise TypeError(_result_type_signature_error(tensor, other))
    return promote_operands((tensor, other))


def _result_type_signature_error(tensor, other):
    def name(value):
        return "Tensor" if getattr(value, "_data", None) is not None else type(value).__name__

    def marks(expected):
        parts = []
        for value, kind in zip((tensor, other), expected):
            # torch's report marks every Python number, and tensors outside Tensor slots
            fits = kind == "Tensor" and getattr(value, "_data", None) is not None
            parts.append(name(value) if fits else f"!{name(value)}!")
        return ", ".join(parts)

    lines = [f"result_type() received an invalid combination of arguments - got "
             f"({name(tensor)}, {name(other)}), but expected one of:"]
    for signature, expected in (("Tensor tensor, Tensor other", ("Tensor", "Tensor")),
                                ("Number scalar, Tensor tensor", ("Number", "Tensor")),
                                ("Tensor tensor, Number other", ("Tensor", "Number")),
                                ("Number scalar1, Number scalar2", ("Number", "Number"))):
        lines.append(f" * ({signature})")
        lines.append("      didn't match because some of the arguments have invalid types: "
                     f"({marks(expected)})")
    return "\n".join(lines) + "\n"


def can_cast(from_, to):
    """Whether casting is allowed under PyTorch's same-kind rules."""
    _require_dtype("can_cast", "from_", 1, from_)
    _require_dtype("can_cast", "to", 2, to)
    return from_._category <= to._category


def _require_tensor(function, value):
    if getattr(value, "_data", None) is None:
        raise argument_type_error(function, "input", 1, "Tensor", value)


def is_floating_point(input):
    """True if input's dtype is a floating point type."""
    _require_tensor("is_floating_point", input)
    return input.dtype._category == _FLOATING


def is_complex(input):
    """True if input's dtype is a complex type."""
    _require_tensor("is_complex", input)
    return input.dtype._category == _COMPLEX


class finfo:
    """Machine limits for floating point dtypes, as torch.finfo."""

    __slots__ = ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype")

    def __init__(self, type=None):
        if type is None:
            type = DEFAULT.value
        _require_dtype("finfo", "type", 1, type)
        if type._category < _FLOATING:
            raise TypeError("torch.finfo() requires a floating point input type. Use "
                            "torch.iinfo to handle 'torch.finfo'")
        real = type.to_real()
        info = _numpy_finfo(real)
        self.bits = builtins_int(info.bits)
        self.eps = builtins_float(info.eps)
        self.max = builtins_float(info.max)
        self.min = builtins_float(info.min)
        self.tiny = builtins_float(info.smallest_normal)
        self.smallest_normal = self.tiny
        # torch reports the decimal resolution 10**-precision, exactly as a Python float
        self.resolution = 10.0 ** -builtins_int(info.precision)
        self.dtype = real._name

    def __eq__(self, other):
        return isinstance(other, finfo) and self.dtype == other.dtype

    def __hash__(self):
        return hash(("finfo", self.dtype))

    def __repr__(self):
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
                f"eps={self.eps:g}, smallest_normal={self.smallest_normal:g}, "
                f"tiny={self.tiny:g}, dtype={self.dtype})")


def _numpy_finfo(real):
    if real is bfloat16:
        import ml_dtypes
        return ml_dtypes.finfo(ml_dtypes.bfloat16)
    return np.finfo(real._numpy)


_MISSING = object()


class iinfo:
    """Machine limits for integer dtypes, as torch.iinfo."""

    __slots__ = ("bits", "max", "min", "dtype")

    def __init__(self, type=_MISSING):
        if type is _MISSING:
            raise TypeError('iinfo() missing 1 required positional arguments: "type"')
        _require_dtype("iinfo", "type", 1, type)
        if type is bool:
            raise TypeError("torch.bool is not supported by torch.iinfo")
        if type._category != _INTEGRAL:
            raise TypeError("torch.iinfo() requires an integer input type. Use torch.finfo "
                            "to handle 'torch.iinfo'")
        info = np.iinfo(type._numpy)
        self.bits = builtins_int(info.bits)
        self.max = builtins_int(info.max)
        self.min = builtins_int(info.min)
        self.dtype = type._name

    def __eq__(self, other):
        return isinstance(other, iinfo) and self.dtype == other.dtype

    def __hash__(self):
        return hash(("iinfo", self.dtype))

    def __repr__(self):
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"


class layout:
    """A memory layout, as torch.layout (ember stores every tensor strided)."""

    __slots__ = ("_name",)

    def __init__(self, name):
        self._name = name

    def __repr__(self):
        return f"{DISPLAYED.name}.{self._name}"

    def __reduce__(self):
        return self._name


# torch defines these in its top-level module: type(torch.float32) is torch.dtype
for _public_class in (dtype, finfo, iinfo, layout):
    _public_class.__module__ = "ember"
del _public_class
strided = layout("strided")
sparse_coo = layout("sparse_coo")

# the C++ type names PyTorch's messages print for a dtype's elements (caffe2::TypeMeta names)
TYPE_META_NAMES = {
    "float32": "float", "float64": "double", "float16": "c10::Half",
    "bfloat16": "c10::BFloat16", "complex64": "c10::complex<float>",
    "complex128": "c10::complex<double>", "int64": "long int", "int32": "int",
    "int16": "short int", "int8": "signed char", "uint8": "unsigned char", "bool": "bool",
}
