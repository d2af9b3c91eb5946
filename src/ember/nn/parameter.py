"""nn.Parameter and nn.Buffer: tensors that a Module registers when they are assigned to it."""
from ember._tensor import TENSOR_TYPES, Tensor, _rebuild
from ember.ops.creation import empty

__all__ = ["Parameter", "Buffer", "UninitializedParameter", "UninitializedBuffer",
           "is_lazy"]

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
    if data.is_inference():
        # an alias of an inference tensor is one (a Parameter made inside inference_mode)
        tensor._extras()["inference"] = True
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
        if requires_grad and data.is_inference():
            # requires_grad_ refuses an inference tensor outside inference_mode with torch's
            # error (asked of a detached alias, which it may otherwise mark)
            data.detach().requires_grad_()
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


# What an uninitialised tensor still allows (torch's _allowed_methods); attribute reads such as
# dtype, device, requires_grad, grad and data pass as well, as torch lets descriptors through.
_ALLOWED_METHODS = frozenset((
    "size", "copy_", "is_complex", "is_floating_point", "half", "float", "double", "char",
    "short", "int", "long", "cuda", "cpu", "to", "get_device", "materialize", "share_memory_"))
# dunders that are infrastructure, not tensor operations
_INFRASTRUCTURE = frozenset((
    "__class__", "__new__", "__init__", "__init_subclass__", "__subclasshook__",
    "__getattribute__", "__getattr__", "__setattr__", "__delattr__", "__dir__", "__repr__",
    "__str__", "__reduce__", "__reduce_ex__", "__hash__", "__sizeof__", "__slots__",
    "__module__", "__doc__", "__dict__", "__weakref__", "__deepcopy__", "__getstate__",
    "__setstate__", "__format__", "__class_getitem__"))
_CONVERSIONS = frozenset(("half", "float", "double", "char", "short", "int", "long", "cpu",
                          "cuda", "to"))


def _uninitialized_use(cls, name):
    return ValueError(
        f"Attempted to use an uninitialized parameter in <method '{name}' of 'ember.Tensor' "
        "objects>. This error happens when you are using a `LazyModule` or explicitly "
        f"manipulating `ember.nn.parameter.{cls.__name__}` objects. When using LazyModules "
        "Call `forward` with a dummy batch to initialize the parameters before calling torch "
        "functions")


def _forbidden_dunder(name):
    def forbidden(self, *args, **kwargs):
        raise _uninitialized_use(type(self), name)
    forbidden.__name__ = name
    return forbidden


class UninitializedTensorMixin:
    """A tensor with no shape yet: only conversions and a few queries work until
    `materialize(shape)` gives it storage and turns it into `cls_to_become`."""

    __slots__ = ()

    def __getattribute__(self, name):
        # public Tensor methods other than the allowed ones refuse to run, as in torch
        if name[0] != "_" and name not in _ALLOWED_METHODS:
            if callable(getattr(Tensor, name, None)) and not isinstance(
                    getattr(Tensor, name), type):
                raise _uninitialized_use(type(self), name)
        return object.__getattribute__(self, name)

    def materialize(self, shape, device=None, dtype=None):
        """Gives the tensor storage of `shape` (uninitialised values) and its final class."""
        if dtype is None:
            dtype = self.data.dtype
        self.data = empty(shape, device=device, dtype=dtype)
        self.__class__ = self.cls_to_become

    @property
    def shape(self):
        raise RuntimeError(
            "Can't access the shape of an uninitialized parameter or buffer. This error usually "
            "happens in `load_state_dict` when trying to load an uninitialized parameter into "
            "an initialized one. Call `forward` to initialize the parameters before accessing "
            "their attributes.")

    def share_memory_(self):
        raise RuntimeError(
            "Can't share memory on an uninitialized parameter or buffer. Call `forward` to "
            "initialize the parameters before calling `module.share_memory()`.")

    def __repr__(self):
        return f"<{type(self).__name__}>"

    __str__ = __repr__

    def __reduce_ex__(self, protocol):
        return (type(self), (self.requires_grad,))


for _name, _value in vars(Tensor).items():
    if (_name.startswith("__") and _name not in _INFRASTRUCTURE and callable(_value)
            and _name not in vars(UninitializedTensorMixin)):
        setattr(UninitializedTensorMixin, _name, _forbidden_dunder(_name))


def is_lazy(param):
    """True for a parameter or buffer that is not yet materialised."""
    return isinstance(param, UninitializedTensorMixin)


class UninitializedParameter(UninitializedTensorMixin, Parameter):
    """A Parameter whose shape a lazy module infers on its first forward."""

    cls_to_become = Parameter

    def __new__(cls, requires_grad=True, device=None, dtype=None):
        return Parameter.__new__(cls, empty(0, device=device, dtype=dtype), requires_grad)

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(self.requires_grad, None, self.data.dtype)
        memo[id(self)] = result
        return result


class UninitializedBuffer(UninitializedTensorMixin, Tensor):
    """A buffer whose shape a lazy module infers on its first forward."""

    __slots__ = ()
    cls_to_become = Tensor

    def __new__(cls, requires_grad=False, device=None, dtype=None, persistent=True):
        buffer = _alias(cls, empty(0, device=device, dtype=dtype))
        buffer._requires_grad = bool(requires_grad)
        buffer._extras()["persistent"] = persistent
        return buffer

    def __init__(self, *args, **kwargs):
        pass

    def __deepcopy__(self, memo):
        # torch has no copy rule for an uninitialised buffer, so copying a lazy norm fails
        raise _uninitialized_use(type(self), "__deepcopy__")


def _keep_uninitialized(name):
    # a buffer's conversions stay uninitialised (module.double() on a lazy module), as torch's
    conversion = getattr(Tensor, name)

    def convert(self, *args, **kwargs):
        result = conversion(self, *args, **kwargs)
        if result is self:
            return self
        buffer = _alias(type(self), result)
        buffer._requires_grad = self._requires_grad
        buffer._extras()["persistent"] = self._extras().get("persistent", True)
        return buffer
    convert.__name__ = name
    return convert


for _name in _CONVERSIONS:
    setattr(UninitializedBuffer, _name, _keep_uninitialized(_name))
