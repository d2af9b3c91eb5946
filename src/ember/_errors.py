"""Builders for PyTorch-worded error messages, so every op raises the same text, and
PyTorch's once-per-process warnings."""
import warnings

_HEAP_TYPE = 1 << 9


def parser_type_name(value):
    """The name PyTorch's argument parser gives a value's type (its C tp_name): a Python class
    by its bare name (Tensor, Parameter, list, Fraction), an extension type qualified
    (numpy.ndarray, decimal.Decimal), and ember's stand-ins for torch's C types (dtype, device,
    Size, Generator...) under the displayed library's name (torch.dtype)."""
    from ember._dtype import DISPLAYED
    kind = type(value)
    module = kind.__module__
    if kind.__name__ == "Tensor" or kind.__name__ == "Parameter":
        return kind.__name__
    if module.startswith("ember") or module.startswith("torch"):
        return DISPLAYED.name + module[5:] + "." + kind.__name__
    if kind.__flags__ & _HEAP_TYPE or module == "builtins":
        return kind.__name__
    return f"{module}.{kind.__name__}"


def parser_value_description(value):
    """How PyTorch's argument parser describes a mismatched value: its type name, and for a
    list or tuple (torch.Size included) its items' types too ("tuple of (int, float)")."""
    name = parser_type_name(value)
    if isinstance(value, list):
        return f"{name} of [{', '.join(parser_type_name(item) for item in value)}]"
    if isinstance(value, tuple):
        items = ", ".join(parser_type_name(item) for item in value)
        return f"{name} of ({items}{',' if len(value) == 1 else ''})"
    return name


def argument_type_error(function, argument, position, expected, value):
    """PyTorch's argument-parser TypeError for a value of the wrong type."""
    return TypeError(f"{function}(): argument '{argument}' (position {position}) must be "
                     f"{expected}, not {parser_type_name(value)}")


def dim_out_of_range(dim, ndim):
    """The IndexError PyTorch raises for a dimension outside [-ndim, ndim-1]."""
    low = -ndim if ndim else -1
    high = ndim - 1 if ndim else 0
    return IndexError(
        f"Dimension out of range (expected to be in range of [{low}, {high}], but got {dim})")


def normalize_dim(dim, ndim):
    """Wraps a possibly negative dim into [0, ndim); scalars accept dims -1 and 0 as PyTorch."""
    bound = ndim if ndim else 1
    if dim < -bound or dim >= bound:
        raise dim_out_of_range(dim, ndim)
    return dim + bound if dim < 0 else dim


def normalize_dims(dims, ndim):
    """normalize_dim over a tuple, with PyTorch's error for a repeated dim."""
    result = tuple(normalize_dim(d, ndim) for d in dims)
    if len(set(result)) != len(result):
        for position, d in enumerate(result):
            if d in result[:position]:
                raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    return result


def broadcast_mismatch(shape_a, shape_b):
    """The RuntimeError for two shapes that do not broadcast, naming the first bad dim."""
    ndim = max(len(shape_a), len(shape_b))
    a = (1,) * (ndim - len(shape_a)) + tuple(shape_a)
    b = (1,) * (ndim - len(shape_b)) + tuple(shape_b)
    for position in range(ndim - 1, -1, -1):
        if a[position] != b[position] and a[position] != 1 and b[position] != 1:
            return RuntimeError(
                f"The size of tensor a ({a[position]}) must match the size of tensor b "
                f"({b[position]}) at non-singleton dimension {position}")
    return RuntimeError(f"shapes {tuple(shape_a)} and {tuple(shape_b)} cannot be broadcast")


def dtype_name(d):
    """The name PyTorch's error messages use for a dtype, e.g. Float, Long, ComplexDouble."""
    return _SCALAR_TYPE_NAMES[d._name]


_SCALAR_TYPE_NAMES = {
    "bool": "Bool", "uint8": "Byte", "int8": "Char", "int16": "Short", "int32": "Int",
    "int64": "Long", "float16": "Half", "bfloat16": "BFloat16", "float32": "Float",
    "float64": "Double", "complex64": "ComplexFloat", "complex128": "ComplexDouble",
}


# ---- warnings PyTorch gives once per process (TORCH_WARN_ONCE) ---------------------------------

# set_warn_always(True) turns every once-per-process warning into an every-time one
WARN_ALWAYS = [False]
_WARNED_ONCE = set()


def warn_once(key, message, stacklevel=2):
    """warnings.warn(message) every time while set_warn_always(True) is in force, otherwise
    the first time `key` warns in this process. As PyTorch's TORCH_WARN_ONCE, warnings given
    in warn-always mode do not use up the one."""
    if not WARN_ALWAYS[0]:
        if key in _WARNED_ONCE:
            return
        _WARNED_ONCE.add(key)
    warnings.warn(message, UserWarning, stacklevel=stacklevel + 1)
