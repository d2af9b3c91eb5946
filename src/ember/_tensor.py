"""Tensor: a strided NumPy view plus PyTorch's metadata. No math lives here: the op registry
attaches methods and operators when ember.ops loads."""
import warnings

import numpy as np

from ember import _dtype
from ember._device import CPU
from ember._errors import dtype_name, normalize_dim
from ember._storage import UntypedStorage, VersionCounter, address_of
from ember.storage import TypedStorage, warn_typed_storage_removal

__all__ = ["Tensor", "Size", "is_tensor", "numel"]


class Size(tuple):
    """A tensor shape, as torch.Size: a tuple that prints as ember.Size([...])."""

    __slots__ = ()

    def numel(self):
        count = 1
        for extent in self:
            count *= extent
        return count

    def __repr__(self):
        return f"{_dtype.DISPLAYED.name}.Size({list(self)})"

    def __getitem__(self, key):
        item = tuple.__getitem__(self, key)
        return Size(item) if isinstance(key, slice) else item

    def __add__(self, other):
        if not isinstance(other, tuple):
            raise TypeError(f"can only concatenate tuple (not {type(other).__name__}) to "
                            "ember.Size")
        return Size(tuple.__add__(self, other))

    def __radd__(self, other):
        if not isinstance(other, tuple):
            return NotImplemented
        return Size(tuple.__add__(other, self))

    def __mul__(self, count):
        return Size(tuple.__mul__(self, count))

    __rmul__ = __mul__


# type(x.shape) prints as <class 'ember.Size'>, as torch's does as <class 'torch.Size'>
Size.__module__ = "ember"


class _OnceFlag:
    __slots__ = ("pending",)

    def __init__(self):
        self.pending = True


# float() of a tensor that requires grad warns on the first such call only, as PyTorch does
_SCALAR_WARNING = _OnceFlag()


def _grad_mode_enabled():
    # imported here: grad_mode sits above _tensor in the layering
    from ember.autograd.grad_mode import STATE
    return STATE.enabled


def _inference_mode_enabled():
    from ember.autograd.grad_mode import STATE
    return STATE.inference


class Tensor:
    """A multi-dimensional array with PyTorch's semantics, backed by a NumPy view."""

    # _storage and _version are created lazily: a fresh result owns its buffer alone until
    # a view, a saved-for-backward reference or untyped_storage() needs the shared objects.
    __slots__ = ("_data", "_storage", "_version_counter", "_requires_grad", "_grad", "_grad_fn",
                 "_view_base", "_accumulator", "_extra", "__weakref__")

    # Filled by ember.ops.creation: torch.Tensor(...) is the legacy float constructor.
    _legacy_new = None

    def __new__(cls, *args, **kwargs):
        return Tensor._legacy_new(cls, *args, **kwargs)

    __array_priority__ = 1000
    # type(x) prints as <class 'ember.Tensor'>, as torch's does as <class 'torch.Tensor'>
    __module__ = "ember"

    # ---- identity and metadata --------------------------------------------------------------

    @property
    def dtype(self):
        return _dtype.FROM_NUMPY[self._data.dtype]

    @property
    def device(self):
        return CPU

    is_cuda = False
    is_sparse = False
    is_quantized = False
    is_meta = False
    is_cpu = True
    is_mps = False
    is_nested = False
    layout = _dtype.strided

    def is_shared(self):
        return False

    def is_set_to(self, tensor):
        """Whether tensor views the same memory with the same sizes and strides."""
        mine = self._data
        theirs = tensor._data
        return (self.untyped_storage() is tensor.untyped_storage()
                and self.storage_offset() == tensor.storage_offset()
                and mine.shape == theirs.shape and mine.strides == theirs.strides)

    @property
    def output_nr(self):
        """Which output of its grad_fn this tensor is (0 for leaves and single outputs)."""
        extra = self._extra
        return extra.get("output_nr", 0) if extra is not None else 0

    def is_pinned(self, device=None):
        return False

    def dim_order(self):
        """The dims from outermost to innermost in memory (by decreasing stride)."""
        strides = self._data.strides
        return tuple(sorted(range(self._data.ndim), key=lambda dim: -strides[dim]))

    @property
    def shape(self):
        return Size(self._data.shape)

    def size(self, dim=None):
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[normalize_dim(dim, self._data.ndim)]

    def dim(self):
        return self._data.ndim

    ndimension = dim

    @property
    def ndim(self):
        return self._data.ndim

    def numel(self):
        return self._data.size

    nelement = numel

    def element_size(self):
        return self._data.itemsize

    @property
    def itemsize(self):
        return self._data.itemsize

    @property
    def nbytes(self):
        return self._data.nbytes

    def is_floating_point(self):
        return self._data.dtype.kind == "f" or self.dtype.is_floating_point

    def is_complex(self):
        return self._data.dtype.kind == "c"

    def is_signed(self):
        return self.dtype.is_signed

    def get_device(self):
        return -1

    # ---- strides and storage ----------------------------------------------------------------

    def stride(self, dim=None):
        itemsize = self._data.itemsize
        strides = tuple(s // itemsize for s in self._data.strides)
        if dim is None:
            return strides
        return strides[normalize_dim(dim, self._data.ndim)]

    def _shared_storage(self):
        storage = self._storage
        if storage is None:
            storage = self._storage = UntypedStorage(self._data)
        return storage

    def _shared_version(self):
        counter = self._version_counter
        if counter is None:
            counter = self._version_counter = VersionCounter()
        return counter

    def untyped_storage(self):
        return self._shared_storage()

    def storage(self):
        """The memory as elements of this tensor's dtype (torch's deprecated TypedStorage)."""
        warn_typed_storage_removal()
        return TypedStorage(self._shared_storage(), self.dtype)

    def storage_offset(self):
        storage = self._shared_storage()
        return (address_of(self._data) - storage.data_ptr()) // self._data.itemsize

    def data_ptr(self):
        return address_of(self._data)

    def is_contiguous(self, memory_format=None):
        return self._data.flags.c_contiguous

    @property
    def _version(self):
        counter = self._version_counter
        if counter is None:
            return 0
        if self._inference_marked():
            raise RuntimeError("Inference tensors do not track version counter.")
        return counter.value

    def is_inference(self):
        """Whether this tensor was made in inference mode (or is a view or detach() of one)."""
        return self._inference_marked()

    def _inference_marked(self):
        # the private spelling serves ember's own reads, which an UninitializedParameter (whose
        # public methods refuse to run) must pass
        extra = self._extra
        return extra is not None and "inference" in extra

    def _bump_version(self):
        counter = self._version_counter
        if counter is None:
            counter = self._version_counter = VersionCounter()
        counter.value += 1

    # ---- autograd metadata ------------------------------------------------------------------

    @property
    def requires_grad(self):
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value):
        if not isinstance(value, bool):
            raise RuntimeError("requires_grad must be a bool")
        self._set_requires_grad(value, "only Tensors of floating point and complex dtype can "
                                       "require gradients")

    def requires_grad_(self, requires_grad=True):
        # PyTorch's method and attribute setter word the dtype error differently
        return self._set_requires_grad(requires_grad, "only Tensors of floating point dtype "
                                                      "can require gradients")

    def _set_requires_grad(self, requires_grad, dtype_message):
        if self._grad_fn is not None and not requires_grad:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use "
                "a computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach().")
        if requires_grad and self._data.dtype.kind not in "fc" and not self.dtype.is_floating_point:
            raise RuntimeError(dtype_message)
        if requires_grad and self._inference_marked() and not _inference_mode_enabled():
            raise RuntimeError("Setting requires_grad=True on inference tensor outside "
                               "InferenceMode is not allowed.")
        self._requires_grad = bool(requires_grad)
        return self

    # Filled by ember.ops.view_history: replays a view's geometry over its base's history.
    _refresh_view_history = None

    @property
    def grad_fn(self):
        extra = self._extra
        if extra is not None and "view_version" in extra:
            Tensor._refresh_view_history(self)
        return self._grad_fn

    @property
    def is_leaf(self):
        return self._grad_fn is None

    @property
    def grad(self):
        if self._grad_fn is not None and not self.retains_grad:
            warnings.warn(
                "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. "
                "Its .grad attribute won't be populated during autograd.backward(). If you "
                "indeed want the .grad field to be populated for a non-leaf Tensor, use "
                ".retain_grad() on the non-leaf Tensor. If you access the non-leaf Tensor by "
                "mistake, make sure you access the leaf Tensor instead. See "
                "github.com/pytorch/pytorch/pull/30531 for more information. (Triggered "
                "internally at /__w/pytorch/pytorch/build/aten/src/ATen/core/TensorBody.h:493.)",
                UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad "
                                f"of type {type(value).__name__}")
            if value._data.dtype != self._data.dtype:
                raise RuntimeError(
                    f"attempting to assign a gradient with dtype "
                    f"'{_dtype.TYPE_META_NAMES[value.dtype._name]}' to a tensor with "
                    f"grad_dtype '{dtype_name(self.dtype)}'. The gradient must match the "
                    "tensor's grad_dtype (defaults to the tensor's dtype). You can set the "
                    "tensor's grad_dtype attribute with a specific dtype, or None to allow any "
                    "dtype. Set grad_dtype with caution. Diverging the dtypes of a tensor and "
                    "its gradient may break downstream systems that assume they match.")
            if value._data.shape != self._data.shape:
                raise RuntimeError(
                    f"attempting to assign a gradient of size '{list(value._data.shape)}' to a "
                    f"tensor of size '{list(self._data.shape)}'. Please ensure that the "
                    "gradient and the tensor are the same size")
        self._grad = value

    @property
    def retains_grad(self):
        extra = self._extra
        return extra is not None and extra.get("retains_grad", False)

    def _extras(self):
        extra = self._extra
        if extra is None:
            extra = self._extra = {}
        return extra

    @property
    def data(self):
        # .data shares memory but not the version counter: autograd does not see its writes
        result = _wrap(self._data)
        result._storage = self._shared_storage()
        if self._inference_marked():
            # the .data of an inference tensor is one too (sharing its untracked version)
            result._extras()["inference"] = True
            result._version_counter = self._version_counter
        elif result._extra is not None:
            # and the .data of a normal tensor is normal, even inside inference_mode
            result._extra = None
        return result

    @data.setter
    def data(self, value):
        if not isinstance(value, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(value).__name__}")
        if self._requires_grad and value._data.dtype.kind not in "fc" and \
                not value.dtype.is_floating_point:
            raise RuntimeError("data set to a tensor that requires gradients must be floating "
                               "point or complex dtype")
        self._data = value._data
        self._storage = value._shared_storage()

    @property
    def _base(self):
        return self._view_base

    # ---- Python and NumPy interop -----------------------------------------------------------

    def numpy(self, *, force=False):
        if self._requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use "
                               "tensor.detach().numpy() instead.")
        return self._data

    def __array__(self, dtype=None, copy=None):
        if copy is False:
            # torch's __array__ cannot promise a copy-free result, so NumPy 2 refuses copy=False
            raise ValueError(_NO_COPY_MESSAGE)
        data = self.numpy()
        if dtype is not None:
            data = data.astype(dtype, copy=False)
        if copy and data is self._data:
            data = data.copy()
        return data

    def __array_wrap__(self, array, context=None, return_scalar=False):
        # NumPy ufuncs applied to tensors give tensors back, bool results as uint8 (as torch)
        if array.dtype == np.bool_:
            array = array.astype(np.uint8)
        return _wrap(array)

    def tolist(self):
        return self._data.tolist()

    def item(self):
        data = self._data
        if data.size != 1:
            raise RuntimeError(f"a Tensor with {data.size} elements cannot be converted to Scalar")
        return data.reshape(()).item() if data.dtype.kind != "V" else float(data.reshape(()))

    def _single_value(self):
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return self.item()

    def _real_value(self, type_name):
        value = self._single_value()
        if isinstance(value, complex):
            # torch converts through its C++ scalar, which refuses a nonzero imaginary part
            if value.imag:
                raise RuntimeError(f"value cannot be converted to type {type_name} without "
                                   "overflow")
            return value.real
        return value

    def __float__(self):
        if self._requires_grad and _SCALAR_WARNING.pending and _grad_mode_enabled():
            # PyTorch raises this one once per process (TORCH_WARN_ONCE)
            _SCALAR_WARNING.pending = False
            warnings.warn("Converting a tensor with requires_grad=True to a scalar may lead to "
                          "unexpected behavior.\nConsider using tensor.detach() first.",
                          UserWarning, stacklevel=2)
        return float(self._real_value("double"))

    def __int__(self):
        return int(self._real_value("int64_t"))

    def __complex__(self):
        return complex(self._single_value())

    def __index__(self):
        if self._data.size != 1 or self._data.dtype.kind not in "iub":
            raise TypeError("only integer tensors of a single element can be converted to an "
                            "index")
        return int(self._data.reshape(()).item())

    def __bool__(self):
        if self._data.size != 1:
            amount = "no values" if self._data.size == 0 else "more than one value"
            raise RuntimeError(f"Boolean value of Tensor with {amount} is ambiguous")
        return bool(self._data.reshape(()).item())

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __contains__(self, element):
        if not isinstance(element, (Tensor, int, float, complex, bool)):
            raise RuntimeError("Tensor.__contains__ only supports Tensor or scalar, but you "
                               f"passed in a {type(element)}.")
        # element == self, as PyTorch writes it: a shape mismatch names element's size first
        return bool((element == self).any().item())

    def __format__(self, format_spec):
        if self._data.ndim == 0:
            return self.item().__format__(format_spec)
        return object.__format__(self, format_spec)

    def __hash__(self):
        return id(self)

    def __repr__(self, *, tensor_contents=None):
        from ember._printing import tensor_repr
        return tensor_repr(self, tensor_contents)

    def __reduce_ex__(self, protocol):
        return (_rebuild, (self._data.copy(), self._requires_grad))

    def __deepcopy__(self, memo):
        if self._grad_fn is not None:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) "
                               "support the deepcopy protocol at the moment.  If you were "
                               "attempting to deepcopy a module, this may be because of a "
                               "torch.nn.utils.weight_norm usage, see "
                               "https://github.com/pytorch/pytorch/pull/103001")
        result = _wrap_like(self, self._data.copy())
        result._requires_grad = self._requires_grad
        if self._grad is not None:
            result._grad = self._grad.__deepcopy__(memo)
        memo[id(self)] = result
        return result


_NO_COPY_MESSAGE = (
    "Unable to avoid copy while creating an array as requested.\n"
    "If using `np.array(obj, copy=False)` replace it with `np.asarray(obj)` to allow a copy "
    "when needed (no behavior change in NumPy 1.x).\n"
    "For more details, see https://numpy.org/devdocs/numpy_2_0_migration_guide.html"
    "#adapting-to-changes-in-the-copy-keyword.")

# The exact classes the operators' short paths accept as tensor operands; ember.nn adds
# Parameter. A set membership test costs what `type(x) is Tensor` costs, and covers both.
TENSOR_TYPES = {Tensor}

_new_object = object.__new__


# Tensors made inside inference_mode are inference tensors: {"inference": True} in _extra.
# ember.autograd.grad_mode counts the inference_mode blocks open in all threads together and
# fills in _mark_if_inference (which asks whether this thread is in one): while no block is
# open, making a tensor costs one test of this global and nothing more.
_open_inference_blocks = 0
_mark_if_inference = None


def _wrap(array):
    """A fresh leaf Tensor around `array`, with no autograd history."""
    tensor = _new_object(Tensor)
    tensor._data = array
    tensor._storage = None
    tensor._version_counter = None
    tensor._requires_grad = False
    tensor._grad = None
    tensor._grad_fn = None
    tensor._view_base = None
    tensor._accumulator = None
    tensor._extra = None
    if _open_inference_blocks:
        _mark_if_inference(tensor)
    return tensor


def _wrap_like(template, array):
    """_wrap for a subclass instance (nn.Parameter keeps its class through deepcopy)."""
    tensor = _new_object(type(template))
    tensor._data = array
    tensor._storage = None
    tensor._version_counter = None
    tensor._requires_grad = False
    tensor._grad = None
    tensor._grad_fn = None
    tensor._view_base = None
    tensor._accumulator = None
    tensor._extra = None
    return tensor


def _rebuild(array, requires_grad):
    tensor = _wrap(array)
    tensor._requires_grad = requires_grad
    return tensor


def is_tensor(obj):
    """True if obj is an ember Tensor."""
    return isinstance(obj, Tensor)


def numel(input):
    """The number of elements of a tensor."""
    return input._data.size


wrap = _wrap


def _read_only(name, getter):
    def refuse(self, value):
        raise AttributeError(f"attribute '{name}' of 'ember._C.TensorBase' objects is not "
                             "writable")
    return property(getter, refuse)


# PyTorch's read-only tensor attributes refuse assignment with this wording
for _name in ("shape", "dtype", "device", "grad_fn", "is_leaf", "ndim", "itemsize", "nbytes",
              "output_nr"):
    setattr(Tensor, _name, _read_only(_name, getattr(Tensor, _name).fget))
