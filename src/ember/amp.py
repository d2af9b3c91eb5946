"""ember.amp: mixed-precision training's interface, as torch.amp on a machine without CUDA.

GradScaler is complete: it scales the loss, unscales gradients before the optimizer step, skips
steps whose gradients hold inf or NaN, and grows or backs off the scale as PyTorch's does. A
"cuda" scaler or autocast region is disabled with PyTorch's warning, as on a CPU-only PyTorch
build. ember has no lower-precision kernels for CPU autocast either, so a "cpu" region is
disabled too, with a warning that says so: its ops run in their inputs' dtypes (PyTorch would
run matmuls and convolutions in bfloat16 or float16)."""
import functools
import warnings

import numpy as np

from ember import _dtype
from ember._tensor import Tensor, _wrap
from ember.autograd.grad_mode import no_grad

__all__ = ["GradScaler", "autocast", "is_autocast_available", "is_autocast_enabled",
           "get_autocast_dtype"]

_DEFAULT_DTYPES = {"cpu": _dtype.bfloat16, "cuda": _dtype.float16}
_DEVICE_TYPES = ("cpu, cuda, ipu, xpu, mkldnn, opengl, opencl, ideep, hip, ve, fpga, maia, xla, "
                 "lazy, vulkan, mps, meta, hpu, mtia, privateuseone")


def is_autocast_available(device_type):
    """True for the device types PyTorch's CPU build knows ("cpu", "cuda")."""
    return device_type in _DEFAULT_DTYPES


def is_autocast_enabled(device_type=None):
    """False: autocast regions are always disabled here (see above)."""
    return False


def get_autocast_dtype(device_type):
    """The dtype an autocast region on `device_type` would use by default."""
    if device_type not in _DEFAULT_DTYPES:
        raise RuntimeError(f"Expected one of {_DEVICE_TYPES} device type at start of device "
                           f"string: {device_type}")
    return _DEFAULT_DTYPES[device_type]


class autocast:
    """A mixed-precision region (context manager or decorator); disabled here, see above."""

    def __init__(self, device_type, dtype=None, enabled=True, cache_enabled=None):
        if not isinstance(device_type, str):
            raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
        if device_type not in _DEFAULT_DTYPES:
            raise RuntimeError(f"Invalid device string: '{device_type}'")
        self.device = device_type
        self.fast_dtype = dtype if dtype is not None else _DEFAULT_DTYPES[device_type]
        if enabled and device_type == "cuda":
            warnings.warn("CUDA is not available or torch_xla is imported. Disabling autocast.",
                          stacklevel=2)
        elif enabled:
            warnings.warn("ember has no lower-precision CPU kernels; ops in this autocast region "
                          "run in their inputs' dtypes. Disabling autocast.", stacklevel=2)
        self._enabled = False

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        return False

    def __call__(self, function):
        @functools.wraps(function)
        def decorated(*args, **kwargs):
            with self:
                return function(*args, **kwargs)
        return decorated


_READY, _UNSCALED, _STEPPED = 0, 1, 2


class GradScaler:
    """Loss scaling for mixed-precision training, as torch.amp.GradScaler."""

    def __init__(self, device="cuda", init_scale=2.0**16, growth_factor=2.0,
                 backoff_factor=0.5, growth_interval=2000, enabled=True):
        self._device = device
        if enabled and device == "cuda":
            warnings.warn("torch.cuda.amp.GradScaler is enabled, but CUDA is not available.  "
                          "Disabling.", stacklevel=2)
            enabled = False
        self._enabled = enabled
        if enabled:
            if growth_factor <= 1.0:
                raise AssertionError("The growth factor must be > 1.0.")
            if backoff_factor >= 1.0:
                raise AssertionError("The backoff factor must be < 1.0.")
        self._init_scale = init_scale
        self._scale = None
        self._growth_factor = growth_factor
        self._backoff_factor = backoff_factor
        self._growth_interval = growth_interval
        self._init_growth_tracker = 0
        self._growth_tracker = None
        # per optimizer: its stage since the last update() and whether its grads held inf/nan
        self._per_optimizer_states = {}

    def is_enabled(self):
        return self._enabled

    def _lazy_scale(self):
        if self._scale is None:
            self._scale = _wrap(np.full((), self._init_scale, dtype=np.float32))
            self._growth_tracker = self._init_growth_tracker
        return self._scale

    def scale(self, outputs):
        """outputs multiplied by the current scale (a tensor, or nested lists/tuples of them)."""
        if not self._enabled:
            return outputs
        if isinstance(outputs, Tensor):
            return outputs * self._lazy_scale()
        if isinstance(outputs, (list, tuple)):
            return type(outputs)(self.scale(output) for output in outputs)
        raise ValueError("outputs must be a Tensor or an iterable of Tensors")

    def _state(self, optimizer):
        return self._per_optimizer_states.setdefault(id(optimizer),
                                                     {"stage": _READY, "found_inf": False})

    def unscale_(self, optimizer):
        """Divides the optimizer's gradients by the scale, noting any inf or NaN among them."""
        if not self._enabled:
            return
        state = self._state(optimizer)
        if state["stage"] == _UNSCALED:
            raise RuntimeError("unscale_() has already been called on this optimizer since the "
                               "last update().")
        if state["stage"] == _STEPPED:
            raise RuntimeError("unscale_() is being called after step().")
        inverse_scale = np.float32(1.0 / float(self._lazy_scale()._data))
        found_inf = False
        with no_grad():
            for group in optimizer.param_groups:
                for param in group["params"]:
                    if param.grad is None:
                        continue
                    grad = param.grad._data
                    grad *= inverse_scale
                    param.grad._bump_version()
                    if not np.isfinite(grad).all():
                        found_inf = True
        state["found_inf"] = found_inf
        state["stage"] = _UNSCALED

    def step(self, optimizer, *args, **kwargs):
        """optimizer.step(), after unscaling, unless the gradients held inf or NaN."""
        if not self._enabled:
            return optimizer.step(*args, **kwargs)
        if "closure" in kwargs:
            raise RuntimeError("Closure use is not currently supported if GradScaler is "
                               "enabled.")
        state = self._state(optimizer)
        if state["stage"] == _STEPPED:
            raise RuntimeError("step() has already been called since the last update().")
        if state["stage"] == _READY:
            self.unscale_(optimizer)
        result = None
        if not state["found_inf"]:
            result = optimizer.step(*args, **kwargs)
        state["stage"] = _STEPPED
        return result

    def update(self, new_scale=None):
        """Backs the scale off after a skipped step, or grows it after growth_interval clean
        steps in a row; new_scale sets it outright."""
        if not self._enabled:
            return
        scale = self._lazy_scale()
        if new_scale is not None:
            if isinstance(new_scale, float):
                scale._data[...] = new_scale
            else:
                if not isinstance(new_scale, Tensor):
                    # PyTorch reads new_scale.device first
                    raise AttributeError(f"'{type(new_scale).__name__}' object has no attribute "
                                         "'device'")
                if not (new_scale.numel() == 1
                        and new_scale.dtype is _dtype.float32 and not new_scale.requires_grad):
                    raise AssertionError("new_scale should be a float or a 1-element "
                                         "torch.cuda.FloatTensor or torch.FloatTensor with "
                                         "requires_grad=False.")
                scale._data[...] = new_scale._data.reshape(())
        else:
            if not self._per_optimizer_states:
                raise AssertionError("No inf checks were recorded prior to update.")
            found_inf = any(state["found_inf"] for state in self._per_optimizer_states.values())
            if found_inf:
                scale._data *= np.float32(self._backoff_factor)
                self._growth_tracker = 0
            else:
                self._growth_tracker += 1
                if self._growth_tracker == self._growth_interval:
                    scale._data *= np.float32(self._growth_factor)
                    self._growth_tracker = 0
        self._per_optimizer_states = {}

    def get_scale(self):
        """The current scale as a Python float (1.0 when disabled)."""
        if not self._enabled:
            return 1.0
        if self._scale is None:
            return self._init_scale
        return float(self._scale._data)

    def get_growth_factor(self):
        return self._growth_factor

    def set_growth_factor(self, new_factor):
        self._growth_factor = new_factor

    def get_backoff_factor(self):
        return self._backoff_factor

    def set_backoff_factor(self, new_factor):
        self._backoff_factor = new_factor

    def get_growth_interval(self):
        return self._growth_interval

    def set_growth_interval(self, new_interval):
        self._growth_interval = new_interval

    def _get_growth_tracker(self):
        if not self._enabled:
            return 0
        if self._growth_tracker is None:
            return self._init_growth_tracker
        return self._growth_tracker

    def state_dict(self):
        """scale, factors, interval and growth tracker ({} when disabled), as PyTorch's."""
        if not self._enabled:
            return {}
        return {"scale": self.get_scale(), "growth_factor": self._growth_factor,
                "backoff_factor": self._backoff_factor,
                "growth_interval": self._growth_interval,
                "_growth_tracker": self._get_growth_tracker()}

    def load_state_dict(self, state_dict):
        if not self._enabled:
            return
        if len(state_dict) == 0:
            raise RuntimeError("The source state dict is empty, possibly because it was saved "
                               "from a disabled instance of GradScaler.")
        self._init_scale = state_dict["scale"]
        if self._scale is not None:
            self._scale._data[...] = state_dict["scale"]
        self._growth_factor = state_dict["growth_factor"]
        self._backoff_factor = state_dict["backoff_factor"]
        self._growth_interval = state_dict["growth_interval"]
        self._init_growth_tracker = state_dict["_growth_tracker"]
        if self._growth_tracker is not None:
            self._growth_tracker = state_dict["_growth_tracker"]
