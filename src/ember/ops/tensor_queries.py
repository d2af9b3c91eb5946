"""Questions about a tensor and its memory, as methods and top-level functions: is_nonzero,
is_same_size, is_signed, is_storage, const_data_ptr, and the memory moves that are no-ops for
a dense CPU tensor (to_dense, share_memory_) or impossible without an accelerator
(pin_memory)."""
from ember._errors import argument_type_error
from ember._tensor import Tensor
from ember.ops._registry import method
from ember.storage import TypedStorage, UntypedStorage

__all__ = ["is_nonzero", "is_same_size", "is_signed", "is_storage"]


def _require_tensor(function, argument, position, value):
    if not isinstance(value, Tensor):
        raise argument_type_error(function, argument, position, "Tensor", value)


def is_nonzero(input):
    """Whether the single value of input is nonzero (NaN counts as nonzero)."""
    _require_tensor("is_nonzero", "input", 1, input)
    count = input._data.size
    if count == 0:
        raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
    if count > 1:
        raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
    return bool(input._data.reshape(()) != 0)


def is_same_size(input, other):
    """Whether input and other have the same shape."""
    _require_tensor("is_same_size", "input", 1, input)
    _require_tensor("is_same_size", "other", 2, other)
    return input._data.shape == other._data.shape


def is_signed(input):
    """Whether input's dtype is signed (every floating and complex dtype is)."""
    _require_tensor("is_signed", "input", 1, input)
    return input.is_signed()


def is_storage(obj):
    """Whether obj is a storage (typed or untyped)."""
    return isinstance(obj, (TypedStorage, UntypedStorage))


def _same_size_method(self, other):
    # the method's argument list starts after self: other is position 1
    _require_tensor("is_same_size", "other", 1, other)
    return self._data.shape == other._data.shape


def const_data_ptr(self):
    """The address of the first element (read-only use intended): data_ptr()."""
    return self.data_ptr()


def to_dense(self, dtype=None, *, masked_grad=None):
    """self, which is dense already (cast when dtype differs)."""
    if dtype is None or dtype is self.dtype:
        return self
    return self.to(dtype)


def pin_memory(self, device=None):
    """Page-locked copies need an accelerator, which ember (CPU only) never has."""
    raise RuntimeError("Cannot access accelerator device when none is available.")


def share_memory_(self):
    """self: NumPy memory is already shareable with the threads of this process."""
    return self


for _name, _function in (("is_nonzero", is_nonzero), ("is_same_size", _same_size_method),
                         ("const_data_ptr", const_data_ptr), ("to_dense", to_dense),
                         ("pin_memory", pin_memory), ("share_memory_", share_memory_)):
    method(_name, _function)
