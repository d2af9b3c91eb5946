"""nn.Parameter and nn.Buffer: tensors that a Module registers when they are assigned to it."""
from ember._tensor import TENSOR_TYPES, Tensor, _rebuild
from ember.ops.creation import empty

__all__ = ["Parameter", "Buffer"]

_new_object = object.__new__


def _alias(cls, data):
    """A `cls` instance over `data`'s memory, sharing its storage and version counter (as
    torch's Tensor._make_subclass), with no autograd history."""
    tensor = _new_object(cls)
    tensor._data = data._data
    tensor._storage = data._shared_storage()
    tensor._version_counter = data._shared_version()
    tensor._requires_grad = False
    tensor._grad = None
    tensor._grad_fn = None
    tensor._view_base = None
    tensor._accumulator = None
    tensor._extra = None
    return tensor


class Parameter(Tensor):
    """A Tensor that a Module registers as a parameter when assigned as its attribute."""

    # No __slots__: like torch's, a Parameter accepts arbitrary attributes.

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            data = empty(0)
        if requires_grad and not (data.is_floating_point() or data.is_complex()):
            # torch's _make_subclass words this capitalised, unlike requires_grad_()
            raise RuntimeError("Only Tensors of floating point and complex dtype can require "
                               "gradients")
        parameter = _alias(cls, data)
        parameter._requires_grad = bool(requires_grad)
        return parameter

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        # torch copies the values and requires_grad, not .grad
        result = type(self)(self.data.clone(), self.requires_grad)
        memo[id(self)] = result
        return result

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, protocol):
        return (_rebuild_parameter, (type(self), self._data.copy(), self._requires_grad))


TENSOR_TYPES.add(Parameter)


def _rebuild_parameter(cls, array, requires_grad):
    return cls(_rebuild(array, False), requires_grad)


class _BufferMeta(type):
    # Buffer(t) returns a plain Tensor flagged as a buffer; isinstance reads the flag.
    def __instancecheck__(cls, instance):
        if cls is Buffer:
            extra = getattr(instance, "_extra", None)
            return isinstance(instance, Tensor) and extra is not None and "persistent" in extra
        return super().__instancecheck__(instance)


class Buffer(metaclass=_BufferMeta):
    """Marks a tensor to be registered as a module buffer when assigned as an attribute."""

    def __new__(cls, data=None, *, persistent=True):
        if data is None:
            data = empty(0)
        tensor = data.detach().requires_grad_(data.requires_grad)
        tensor._extras()["persistent"] = persistent
        return tensor
