"""Grad modes: no_grad, enable_grad, set_grad_enabled, inference_mode (per thread)."""
import functools
import inspect
import sys
import threading

from ember import _tensor
from ember._storage import VersionCounter

__all__ = ["no_grad", "enable_grad", "set_grad_enabled", "inference_mode", "is_grad_enabled",
           "is_inference_mode_enabled", "is_inference"]


class _GradState(threading.local):
    def __init__(self):
        self.enabled = True
        self.inference = False
        # (pack_hook, unpack_hook) pairs of the saved_tensors_hooks blocks entered, innermost
        # last (an immutable tuple, so that recording reads it without copying)
        self.saved_hooks = ()


STATE = _GradState()


def is_grad_enabled():
    """True when operations record history for autograd in this thread."""
    return STATE.enabled


def is_inference_mode_enabled():
    """True inside inference_mode in this thread."""
    return STATE.inference


class _DecoratorContextManager:
    """A context manager that also decorates functions (and generators keep the mode)."""

    def __call__(self, function):
        if isinstance(function, type):
            raise RuntimeError("Decorating classes is deprecated and will be disabled in "
                               "future versions. You should only decorate functions or methods. "
                               "To preserve the current behavior of class decoration, you can "
                               "directly decorate the `__init__` method and nothing else.")

        if inspect.isgeneratorfunction(function):
            return _wrap_generator(self, function)

        @functools.wraps(function)
        def decorated(*args, **kwargs):
            with self.clone():
                return function(*args, **kwargs)
        return decorated

    def clone(self):
        return self.__class__()


def _wrap_generator(manager, function):
    """A generator function whose every step (first run, each resume, throw and close) runs
    under the mode, as PyTorch wraps decorated generators: the mode follows the generator's
    code, not the caller's."""
    @functools.wraps(function)
    def generator(*args, **kwargs):
        inner = function(*args, **kwargs)
        try:
            with manager.clone():
                response = inner.send(None)
            while True:
                try:
                    request = yield response
                except GeneratorExit:
                    with manager.clone():
                        inner.close()
                    raise
                except BaseException:
                    with manager.clone():
                        response = inner.throw(*sys.exc_info())
                else:
                    with manager.clone():
                        response = inner.send(request)
        except StopIteration as stop:
            return stop.value
    return generator


class _NoParameterDecorator(_DecoratorContextManager):
    """A mode taking no argument that also decorates without parentheses (@no_grad)."""

    def __new__(cls, orig_func=None):
        if orig_func is None:
            return super().__new__(cls)
        return cls()(orig_func)


class no_grad(_NoParameterDecorator):
    """Disables gradient recording inside its block."""

    def __init__(self, orig_func=None):
        self.prev = False

    def __enter__(self):
        self.prev = STATE.enabled
        STATE.enabled = False

    def __exit__(self, *exc):
        STATE.enabled = self.prev


class enable_grad(_NoParameterDecorator):
    """Enables gradient recording inside its block."""

    def __init__(self, orig_func=None):
        self.prev = True

    def __enter__(self):
        self.prev = STATE.enabled
        STATE.enabled = True

    def __exit__(self, *exc):
        STATE.enabled = self.prev


class set_grad_enabled(_DecoratorContextManager):
    """Sets gradient recording on or off; works as a function, context manager or decorator."""

    def __init__(self, mode):
        self.prev = STATE.enabled
        self.mode = bool(mode)
        STATE.enabled = self.mode

    def __enter__(self):
        STATE.enabled = self.mode

    def __exit__(self, *exc):
        STATE.enabled = self.prev

    def clone(self):
        return self.__class__(self.mode)


class inference_mode(_DecoratorContextManager):
    """Like no_grad, and every tensor made inside is an inference tensor: no version counter,
    never saved for backward, never written in place outside inference mode."""

    def __init__(self, mode=True):
        self.mode = bool(mode)
        self.prev = (True, False)

    def __new__(cls, mode=True):
        if isinstance(mode, bool):
            return super().__new__(cls)
        return cls()(mode)

    def __enter__(self):
        self.prev = (STATE.enabled, STATE.inference)
        # inference_mode(False) leaves inference mode and turns grad mode on, as PyTorch's does
        STATE.enabled = not self.mode
        STATE.inference = self.mode
        if self.mode:
            _tensor._open_inference_blocks += 1

    def __exit__(self, *exc):
        STATE.enabled, STATE.inference = self.prev
        if self.mode:
            _tensor._open_inference_blocks -= 1

    def clone(self):
        return self.__class__(self.mode)


# ---- inference tensors -----------------------------------------------------------------------

SAVED_INFERENCE_MESSAGE = (
    "Inference tensors cannot be saved for backward. Please do not use Tensors created in "
    "inference mode in computation tracked by autograd. To work around this, you can make a "
    "clone to get a normal tensor and use it in autograd, or use `torch.no_grad()` instead of "
    "`torch.inference_mode()`.")


class _InferenceVersion(VersionCounter):
    """The version counter every inference tensor shares: PyTorch's inference tensors track no
    version. Recording reads a saved tensor's version, so reading one with grad mode on is
    saving an inference tensor for backward, which PyTorch refuses; with grad mode off (an
    in-place write inside inference mode) it reads 0 and writes are dropped."""

    __slots__ = ()

    @property
    def value(self):
        if STATE.enabled:
            raise RuntimeError(SAVED_INFERENCE_MESSAGE)
        return 0

    @value.setter
    def value(self, value):
        pass


INFERENCE_VERSION = _InferenceVersion()


def is_inference(input):
    """Whether input is an inference tensor (made in inference mode, or a view of one)."""
    if not isinstance(input, _tensor.Tensor):
        raise TypeError("is_inference(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    return input.is_inference()


def mark_inference(tensor):
    """Makes `tensor` an inference tensor."""
    tensor._extras()["inference"] = True
    tensor._version_counter = INFERENCE_VERSION


def _mark_if_inference(tensor):
    # only called while some thread is inside inference_mode: is it this one?
    if STATE.inference:
        mark_inference(tensor)


_tensor._mark_if_inference = _mark_if_inference
