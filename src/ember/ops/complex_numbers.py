"""Complex numbers: conjugation, the real and imaginary parts (views), view_as_real and
view_as_complex, complex, polar and angle. Forwards in NumPy, derivative rules in ember ops.

PyTorch's conj() is a lazy "conjugate view" (a bit on the tensor, resolved when read); NumPy
has no such bit, so ember's conj() computes a new tensor and is_conj() is always False
(docs/design-notes.md)."""
import math

import numpy as np

from ember import _dtype
from ember._errors import broadcast_mismatch, dtype_name
from ember._tensor import Tensor
from ember.ops._elementwise import finish, found_dtype, require_tensor
from ember.ops.conversion import preserved_empty
from ember.ops._registry import (RESULT, apply_inplace, check_inplace, method, node_class,
                                 record)
from ember.ops.ternary import where
from ember.ops.views import make_view
from ember.ops.views_slicing import _offset_view, select

__all__ = ["conj", "conj_physical", "resolve_conj", "resolve_neg", "is_conj", "is_neg", "real",
           "imag", "view_as_real", "view_as_complex", "complex", "polar", "angle"]

_FLOATING = (_dtype.float16, _dtype.float32, _dtype.float64)


def _no_complex32(name):
    # PyTorch answers half inputs with complex32 (ComplexHalf), a dtype NumPy does not have
    return TypeError(f"{name}: ember has no complex32 (ComplexHalf) dtype for half inputs")


# ---- conjugation ----------------------------------------------------------------------------

ConjBackward0 = node_class("ConjBackward0", lambda grad: grad.conj())
ConjPhysicalBackward0 = node_class("ConjPhysicalBackward0", lambda grad: grad.conj_physical())
ConjPhysicalBackward1 = node_class("ConjPhysicalBackward1", lambda grad: grad.conj_physical())


def _strided_like(data):
    """An uninitialised array with data's exact strides, gaps included: PyTorch's conj() is a
    view, so its result keeps the input's layout."""
    if not data.size or not data.ndim or min(data.strides) < 0:
        return preserved_empty(data, data.dtype)
    extent = sum((size - 1) * step for size, step in zip(data.shape, data.strides))
    buffer = np.empty(extent // data.itemsize + 1, data.dtype)
    return np.lib.stride_tricks.as_strided(buffer, data.shape, data.strides)


def conj(input):
    """The complex conjugate (a new tensor, not PyTorch's lazy view); other dtypes: input."""
    data = input._data
    if data.dtype.kind != "c":
        return input
    array = np.conjugate(data, out=_strided_like(data))
    return record(array, ConjBackward0, (input,), ())


def conj_physical(input, *, out=None):
    """The complex conjugate, computed; other dtypes: input itself."""
    data = input._data
    if data.dtype.kind != "c":
        result = input
    else:
        # a fresh tensor in the layout of torch's TensorIterator (preserve_format's)
        array = np.conjugate(data, out=preserved_empty(data, data.dtype))
        result = record(array, ConjPhysicalBackward0, (input,), ())
    return finish(result, out, "conj_physical", found_dtype)


def _conj_physical_of_copy(input):
    # the in-place form's node is ConjPhysicalBackward1 in PyTorch
    return record(np.conjugate(input._data), ConjPhysicalBackward1, (input,), ())


def conj_physical_(input):
    """Conjugates input in place; real tensors are left as they are (the version still
    moves, as in PyTorch)."""
    if input._data.dtype.kind == "c":
        return apply_inplace(input, _conj_physical_of_copy, (), {})
    check_inplace(input)
    input._bump_version()
    return input


def resolve_conj(input):
    """input itself: ember has no lazy conjugate bit to resolve."""
    return input


def resolve_neg(input):
    """input itself: ember has no lazy negation bit to resolve."""
    return input


def is_conj(input):
    """False: ember's conj() computes its result rather than setting a bit."""
    return False


def is_neg(input):
    """False: ember never sets a lazy negation bit."""
    return False


# ---- views of the real and imaginary parts --------------------------------------------------

def real_pairs(array):
    """A complex ndarray's memory as (real, imaginary) pairs in a new last dim: a view whose
    strides, in real elements, are twice the complex ones."""
    parts = array.real
    return _offset_view(parts, 0, array.shape + (2,), array.strides + (parts.itemsize,))


def _view_as_complex_rule(grad):
    return view_as_complex(grad.contiguous())


def _view_as_real_rule(grad):
    return view_as_real(grad.contiguous())


ViewAsRealBackward0 = node_class("ViewAsRealBackward0", _view_as_complex_rule)
ViewAsComplexBackward0 = node_class("ViewAsComplexBackward0", _view_as_real_rule)


def view_as_real(input):
    """A complex tensor as a real view with a last dim of size 2 (real, imaginary)."""
    data = input._data
    if data.dtype.kind != "c":
        raise RuntimeError("view_as_real is only supported for complex tensors")
    return make_view(input, real_pairs(data), ViewAsRealBackward0, ())


def view_as_complex(input):
    """A real tensor whose last dim (size 2, stride 1) holds (real, imaginary) pairs, as a
    complex view."""
    data = input._data
    dtype = _dtype.FROM_NUMPY[data.dtype]
    if dtype not in _FLOATING:
        raise RuntimeError("view_as_complex is only supported for half, float and double "
                           f"tensors, but got a tensor of scalar type: {dtype_name(dtype)}")
    if data.ndim == 0:
        raise RuntimeError("Input tensor must have one or more dimensions")
    if data.shape[-1] != 2:
        raise RuntimeError("Tensor must have a last dimension of size 2")
    strides = input.stride()
    if strides[-1] != 1:
        raise RuntimeError("Tensor must have a last dimension with stride 1")
    if any(stride % 2 for stride in strides[:-1]):
        raise RuntimeError("Tensor must have a stride divisible by 2 for all but last "
                           "dimension")
    if input.storage_offset() % 2:
        raise RuntimeError("Tensor must have a storage_offset divisible by 2")
    if dtype is _dtype.float16:
        raise _no_complex32("view_as_complex")
    array = data.view(_dtype.numpy_dtype(dtype.to_complex()))[..., 0]
    return make_view(input, array, ViewAsComplexBackward0, ())


def real(input):
    """The real part of a complex tensor (a view); other tensors are returned as they are."""
    if input._data.dtype.kind != "c":
        return input
    # PyTorch's real is select(view_as_real(input), -1, 0): its grad_fn is SelectBackward0
    return select(view_as_real(input), -1, 0)


def imag(input):
    """The imaginary part of a complex tensor (a view)."""
    if input._data.dtype.kind != "c":
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
    return select(view_as_real(input), -1, 1)


# ---- building complex tensors ---------------------------------------------------------------

def _check_parts(name, first, second, first_name, second_name):
    require_tensor(name, first, 1, first_name)
    require_tensor(name, second, 2, second_name)
    a = _dtype.FROM_NUMPY[first._data.dtype]
    b = _dtype.FROM_NUMPY[second._data.dtype]
    if a not in _FLOATING or b not in _FLOATING:
        raise RuntimeError("Expected both inputs to be Half, Float or Double tensors but got "
                           f"{dtype_name(a)} and {dtype_name(b)}")
    if a is not b:
        raise RuntimeError(f"Expected object of scalar type {dtype_name(a)} but got scalar type "
                           f"{dtype_name(b)} for second argument")
    if a is _dtype.float16:
        raise _no_complex32(name)
    try:
        shape = np.broadcast_shapes(first._data.shape, second._data.shape)
    except ValueError:
        raise broadcast_mismatch(first._data.shape, second._data.shape) from None
    return np.empty(shape, _dtype.numpy_dtype(a.to_complex()))


def _real_part_rule(grad):
    return real(grad)


def _imag_part_rule(grad):
    return imag(grad)


ComplexBackward0 = node_class("ComplexBackward0", _real_part_rule, _imag_part_rule)


def complex(real, imag, *, out=None):
    """real + imag * 1j from two floating tensors of one dtype (broadcast)."""
    array = _check_parts("complex", real, imag, "real", "imag")
    # assigned part by part: real + 1j * imag would turn an infinite imag into nan + inf*1j
    array.real = real._data
    array.imag = imag._data
    return finish(record(array, ComplexBackward0, (real, imag), ()), out, "complex")


def _polar_abs_backward(grad, abs, angle, result):
    # PyTorch differentiates along sgn(result), so a negative abs flips the gradient's sign;
    # sgn(result) is written as polar(sign(abs), angle), whose own derivative is sgn's
    return real(grad.conj() * polar(abs.sign(), angle))


def _polar_angle_backward(grad, abs, angle, result):
    return real(grad.conj() * (result * 1j))


PolarBackward0 = node_class("PolarBackward0", _polar_abs_backward, _polar_angle_backward)


def polar(abs, angle, *, out=None):
    """abs * (cos(angle) + sin(angle) * 1j) from two floating tensors of one dtype."""
    array = _check_parts("polar", abs, angle, "abs", "angle")
    array.real = abs._data * np.cos(angle._data)
    array.imag = abs._data * np.sin(angle._data)
    return finish(record(array, PolarBackward0, (abs, angle), (abs, angle, RESULT)), out, "polar")


# ---- angle ----------------------------------------------------------------------------------

def _angle_backward(grad, input):
    if input._data.dtype.kind != "c":
        return grad * 0
    # d(angle)/dz as PyTorch writes it; 0 at the origin, where the angle is not differentiable
    slope = grad * input / input.abs().pow(2) * 1j
    return where(input == 0, 0, slope)


AngleBackward0 = node_class("AngleBackward0", _angle_backward)


def _real_angle(data):
    if data.dtype.kind in "biu":
        data = data.astype(_dtype.DEFAULT.numpy)
    angle = np.where(data < 0, data.dtype.type(math.pi), data.dtype.type(0))
    # the angle of nan is nan (np.where keeps the comparison's False, 0)
    return np.where(np.isnan(data), data, angle)


def angle(input, *, out=None):
    """The argument of each element in radians: atan2(imag, real) for complex input, 0 or pi
    (nan for nan) for real input."""
    data = input._data
    if data.dtype.kind == "c":
        array = np.angle(data)
    else:
        array = _real_angle(data)
    return finish(record(array, AngleBackward0, (input,), (input,)), out, "angle")


for _name, _function in (("conj", conj), ("conj_physical", conj_physical),
                         ("conj_physical_", conj_physical_), ("resolve_conj", resolve_conj),
                         ("resolve_neg", resolve_neg), ("is_conj", is_conj),
                         ("is_neg", is_neg), ("angle", angle)):
    method(_name, _function)

Tensor.real = property(real, doc="The real part (a view for complex tensors).")
Tensor.imag = property(imag, doc="The imaginary part of a complex tensor (a view).")
