"""PyTorch-identical repr/str of tensors, and set_printoptions.

The layout rules are PyTorch's (torch/_tensor_str.py), reproduced quirks included. The work is
organised so that a huge tensor costs no more than what is shown: the summarised block (at most
2 * edgeitems entries along each axis) is gathered with one NumPy index, the column width is
found from a handful of extreme values rather than by formatting every element, and only the
elements that appear in the output are turned into strings.
"""
import contextlib
import math

import numpy as np

from ember import _dtype
from ember._tensor import Tensor

__all__ = ["set_printoptions"]


class _PrintOptions:
    """The current print options (torch._tensor_str.PRINT_OPTS)."""

    __slots__ = ("precision", "threshold", "edgeitems", "linewidth", "sci_mode")

    def __init__(self):
        self.precision = 4
        self.threshold = 1000
        self.edgeitems = 3
        self.linewidth = 80
        self.sci_mode = None


PRINT_OPTS = _PrintOptions()

# profile -> (precision, threshold, edgeitems, linewidth); an unknown profile changes nothing,
# as in PyTorch.
_PROFILES = {
    "default": (4, 1000, 3, 80),
    "short": (2, 1000, 2, 80),
    "full": (4, math.inf, 3, 80),
}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None,
                     profile=None, sci_mode=None):
    """Sets the options used to print tensors, as torch.set_printoptions."""
    if profile in _PROFILES:
        (PRINT_OPTS.precision, PRINT_OPTS.threshold, PRINT_OPTS.edgeitems,
         PRINT_OPTS.linewidth) = _PROFILES[profile]
    if precision is not None:
        PRINT_OPTS.precision = precision
    if threshold is not None:
        PRINT_OPTS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTS.edgeitems = edgeitems
    if linewidth is not None:
        PRINT_OPTS.linewidth = linewidth
    # sci_mode is reset on every call, even when not given: PyTorch does the same.
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions():
    """The current print options as a dict that set_printoptions accepts as keywords."""
    return {name: getattr(PRINT_OPTS, name) for name in _PrintOptions.__slots__}


@contextlib.contextmanager
def printoptions(**options):
    """Context manager that sets print options and restores the previous ones on exit."""
    previous = get_printoptions()
    set_printoptions(**options)
    try:
        yield
    finally:
        set_printoptions(**previous)


# ---- element formatting ---------------------------------------------------------------------

class _Formatter:
    """Decides how the elements of one real-valued array are written: the column width, and
    for floating arrays whether every value is an integer (int mode: `1.`) and whether
    scientific notation is used. Only nonzero finite values take part in the decision."""

    def __init__(self, values, floating):
        self.floating = floating
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        if values.size == 0:
            return
        if not floating:
            self.max_width = max(len(str(value)) for value in _extremes(values))
            return
        values = values.astype(np.float64, copy=False)
        chosen = values[np.isfinite(values) & (values != 0)]
        if chosen.size == 0:
            return
        self.int_mode = bool(np.all(chosen == np.ceil(chosen)))
        magnitudes = np.abs(chosen)
        smallest = magnitudes.min()
        largest = magnitudes.max()
        if PRINT_OPTS.sci_mode is None:
            with np.errstate(over="ignore"):  # an overflowing ratio is inf: above 1000
                ratio = largest / smallest
            self.sci_mode = bool(ratio > 1000.0 or largest > 1.0e8 or smallest < 1.0e-4)
        else:
            self.sci_mode = PRINT_OPTS.sci_mode
        # A formatted value's length grows with its magnitude within one sign, except the
        # exponent's digit count, which is largest at either end of the magnitudes: the
        # extremes of each sign therefore decide the width.
        if self.sci_mode:
            spec = f".{PRINT_OPTS.precision}e"
            extra = 0
        elif self.int_mode:
            spec = ".0f"
            extra = 1  # room for the trailing "." of an integer-valued float
        else:
            spec = f".{PRINT_OPTS.precision}f"
            extra = 0
        self.max_width = max(len(format(value, spec)) + extra for value in _extremes(chosen))

    def strings(self, values):
        """The padded text of each value of a flat array, as a list."""
        width = self.max_width
        if not self.floating:
            return [str(value).rjust(width) for value in values.tolist()]
        values = values.astype(np.float64, copy=False)
        if self.sci_mode:
            spec = f"{width}.{PRINT_OPTS.precision}e"
            return [format(value, spec) for value in values.tolist()]
        if self.int_mode:
            # Finite values end with "." to show the tensor is floating; nan and inf do not.
            endings = np.where(np.isfinite(values), ".", "").tolist()
            return [(format(value, ".0f") + ending).rjust(width)
                    for value, ending in zip(values.tolist(), endings)]
        spec = f"{width}.{PRINT_OPTS.precision}f"
        return [format(value, spec) for value in values.tolist()]


def _extremes(values):
    """The values whose text can be the longest: per sign, the largest and smallest
    magnitudes, as Python scalars."""
    positive = values[values > 0]
    negative = values[values < 0]
    found = [values.max().item(), values.min().item()]
    if positive.size:
        found.append(positive.min().item())
    if negative.size:
        found.append(negative.max().item())
    return found


def _join_complex(real_strings, imag_strings):
    # The imaginary part loses its padding and gets an explicit sign ("+nanj", "-0.0000j").
    joined = []
    for real_text, imag_text in zip(real_strings, imag_strings):
        imag_text = imag_text.lstrip() + "j"
        if imag_text[0] in "+-":
            joined.append(real_text + imag_text)
        else:
            joined.append(real_text + "+" + imag_text)
    return joined


# ---- layout ---------------------------------------------------------------------------------

def _summarised(array, edgeitems):
    """The first and last `edgeitems` entries along every axis longer than 2 * edgeitems,
    gathered with a single index, so the elements left out are never read."""
    picks = []
    for extent in array.shape:
        if extent > 2 * edgeitems:
            picks.append(np.r_[0:edgeitems, extent - edgeitems:extent])
        else:
            picks.append(np.arange(extent))
    return array[np.ix_(*picks)]


def _element_strings(shown, dtype):
    """The text of every element of `shown` (flat, C order), and the width one takes."""
    flat = shown.reshape(-1)
    if dtype.is_complex:
        real = _Formatter(flat.real, True)
        imag = _Formatter(flat.imag, True)
        strings = _join_complex(real.strings(flat.real), imag.strings(flat.imag))
        # width of the real part, of the imaginary part, and of its "j"
        return strings, real.max_width + imag.max_width + 1
    formatter = _Formatter(flat, dtype.is_floating_point)
    return formatter.strings(flat), formatter.max_width


def _body(array, dtype, indent):
    """The bracketed contents of a non-empty array (torch's _tensor_str)."""
    options = PRINT_OPTS
    summarize = array.size > options.threshold
    if array.ndim == 0:
        strings, _ = _element_strings(array, dtype)
        return strings[0]
    if summarize and not options.edgeitems:
        return "[...]"
    shown = _summarised(array, options.edgeitems) if summarize else array
    strings, width = _element_strings(shown, dtype)
    # an axis gets a "..." when it was cut
    cut = [summarize and extent > 2 * options.edgeitems for extent in array.shape]
    layout = _Layout(strings, shown.shape, cut, width + 2, options)
    return layout.render(0, 0, indent)


class _Layout:
    """Nests the element strings into brackets, wrapping rows at the line width."""

    def __init__(self, strings, shape, cut, element_length, options):
        self.strings = strings
        self.shape = shape
        self.cut = cut
        self.edgeitems = options.edgeitems
        self.linewidth = options.linewidth
        self.element_length = element_length  # the width plus ", "
        self.block = [math.prod(shape[axis + 1:]) for axis in range(len(shape))]

    def render(self, axis, start, indent):
        """The text of the sub-array along `axis` whose first element is strings[start]."""
        extent = self.shape[axis]
        if axis == len(self.shape) - 1:
            return self._row(self.strings[start:start + extent], self.cut[axis], indent)
        step = self.block[axis]
        parts = [self.render(axis + 1, start + position * step, indent + 1)
                 for position in range(extent)]
        if self.cut[axis]:
            parts.insert(self.edgeitems, "...")
        remaining_dims = len(self.shape) - axis
        separator = "," + "\n" * (remaining_dims - 1) + " " * (indent + 1)
        return "[" + separator.join(parts) + "]"

    def _row(self, items, cut, indent):
        if cut:
            items = items[:self.edgeitems] + [" ..."] + items[self.edgeitems:]
        per_line = max(1, math.floor((self.linewidth - indent) / self.element_length))
        lines = [", ".join(items[begin:begin + per_line])
                 for begin in range(0, len(items), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


# ---- the whole repr -------------------------------------------------------------------------

def _prefix(tensor):
    kind = type(tensor)
    if kind is Tensor or _is_parameter_class(kind):
        return "tensor("
    return kind.__name__ + "("


def _is_parameter_class(kind):
    # ember.nn loads after this module, so Parameter is recognised by name and home (a home
    # the script runner names torch.nn.parameter)
    return kind.__name__ == "Parameter" and kind.__module__.endswith(".nn.parameter")


def _grad_fn_name(tensor):
    try:
        grad_fn = tensor.grad_fn
    except RuntimeError:
        # Regenerating a view's grad_fn can fail; PyTorch then prints "Invalid".
        return "Invalid"
    if grad_fn is None:
        return None
    return type(grad_fn).__name__


def _add_suffixes(text, suffixes, indent, linewidth):
    pieces = [text]
    # PyTorch's count: two more than the last line's length when there is no line break.
    last_line_length = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line_length + len(suffix) + 2 > linewidth:
            pieces.append(",\n" + " " * indent + suffix)
            last_line_length = indent + len(suffix)
        else:
            pieces.append(", " + suffix)
            last_line_length += len(suffix) + 2
    pieces.append(")")
    return "".join(pieces)


def tensor_repr(tensor, tensor_contents=None):
    """repr(tensor), character for character as PyTorch prints it (ember. for torch.)."""
    prefix = _prefix(tensor)
    indent = len(prefix)
    array = tensor._data
    dtype = _dtype.FROM_NUMPY[array.dtype]
    default = _dtype.DEFAULT
    suffixes = []
    if array.size == 0:
        # the shape is shown unless it is (0,); an empty tensor cannot show its dtype by its
        # values, so any non-default dtype (int64 included) is named
        if array.ndim != 1:
            suffixes.append(f"size={tuple(array.shape)}")
        if dtype is not default.value:
            suffixes.append(f"dtype={dtype}")
        body = "[]" if tensor_contents is None else tensor_contents
    else:
        if not PRINT_OPTS.edgeitems:
            suffixes.append(f"size={tuple(array.shape)}")
        if dtype not in (default.value, default.complex, _dtype.int64, _dtype.bool):
            suffixes.append(f"dtype={dtype}")
        body = _body(array, dtype, indent) if tensor_contents is None else tensor_contents
    grad_fn_name = _grad_fn_name(tensor)
    if grad_fn_name is not None:
        suffixes.append(f"grad_fn=<{grad_fn_name}>")
    elif tensor.requires_grad:
        suffixes.append("requires_grad=True")
    text = _add_suffixes(prefix + body, suffixes, indent, PRINT_OPTS.linewidth)
    if _is_parameter_subclass(type(tensor)):
        text = f"Parameter({text})"
    return text


def _is_parameter_subclass(kind):
    # A subclass of Parameter prints as Parameter(Kind(...)); Parameter itself does not.
    return not _is_parameter_class(kind) and any(_is_parameter_class(base)
                                                 for base in kind.__mro__[1:])
