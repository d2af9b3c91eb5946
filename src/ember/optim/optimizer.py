"""Optimizer: the base of every ember.optim algorithm, with PyTorch's parameter groups, state,
state_dict layout, hooks, closures and messages.

Updates run on the parameters' NumPy buffers in place (see _kernels.py), so one implementation
serves every `foreach`/`fused` setting; those flags are kept in the groups because PyTorch's
state_dict and repr show them."""
import copy
import functools
import itertools
import warnings
from collections import OrderedDict, defaultdict

import numpy as np

from ember import _dtype
from ember._tensor import Tensor, _wrap
from ember.autograd.grad_mode import STATE, enable_grad
from ember.autograd.graph import add_hook
from ember.ops.combinatorics import typename

__all__ = ["Optimizer", "register_optimizer_step_pre_hook", "register_optimizer_step_post_hook"]

_global_optimizer_pre_hooks = OrderedDict()
_global_optimizer_post_hooks = OrderedDict()


class _RequiredParameter:
    """Marks a default every parameter group must supply (torch.optim.optimizer.required)."""

    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()


def register_optimizer_step_pre_hook(hook):
    """hook(optimizer, args, kwargs) runs before every optimizer's step."""
    return add_hook(_global_optimizer_pre_hooks, hook)


def register_optimizer_step_post_hook(hook):
    """hook(optimizer, args, kwargs) runs after every optimizer's step."""
    return add_hook(_global_optimizer_post_hooks, hook)


def scalar_value(value):
    """A hyperparameter as a Python number (a one-element Tensor lr is read once per step)."""
    if isinstance(value, Tensor):
        return value._data.item()
    return value


def check_tensor_lr(lr):
    """PyTorch's check on a Tensor learning rate."""
    if isinstance(lr, Tensor) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")


def check_range(value, message, low=0.0, high=None, high_inclusive=False):
    """Raises ValueError(message) unless low <= value (< or <= high)."""
    ok = low <= value
    if high is not None:
        ok = ok and (value <= high if high_inclusive else value < high)
    if not ok:
        raise ValueError(message)


def check_betas(betas):
    """PyTorch's range checks on (beta1, beta2)."""
    check_range(betas[0], f"Invalid beta parameter at index 0: {betas[0]}", high=1.0)
    check_range(betas[1], f"Invalid beta parameter at index 1: {betas[1]}", high=1.0)


def check_unsupported_modes(differentiable):
    """ember updates NumPy buffers in place, outside autograd, so it has no differentiable mode."""
    if differentiable:
        raise RuntimeError("ember's optimizers do not support differentiable=True: updates run "
                           "in place on the parameters' NumPy buffers, outside autograd")


def scalar_state(value):
    """A 0-d state tensor ('step', 'mu_product') in PyTorch's scalar dtype (float32 unless the
    default dtype is float64)."""
    numpy_dtype = np.float64 if _dtype.get_default_dtype() is _dtype.float64 else np.float32
    return _wrap(np.array(value, dtype=numpy_dtype))


def zeros_state(param):
    """A zero state buffer shaped and typed like the parameter."""
    return _wrap(np.zeros_like(param._data))


def increment(step_tensor):
    """step_t += 1 on a 0-d state tensor; returns the new step as a Python float."""
    step_tensor._data += 1
    step_tensor._bump_version()
    return float(step_tensor._data)


def real_view(array):
    """Complex buffers are updated as interleaved real pairs, as PyTorch's view_as_real; a
    0-d buffer (a scalar parameter) as a one-element view, because NumPy's ufuncs turn 0-d
    operands into scalars that cannot be written through `out=`."""
    if array.ndim == 0:
        array = array.reshape(1)
    if array.dtype.kind == "c":
        return array.view(array.real.dtype)
    return array


def check_capturable(capturable):
    """capturable=True needs an accelerator; PyTorch asserts the same on CPU."""
    if capturable:
        raise AssertionError("If capturable=True, params and state_steps must be on supported "
                             "devices: ['cuda', 'xpu', 'hpu', 'privateuseone', 'xla'].")


def _hooked_step(step):
    """Wraps a subclass's step: global and per-optimizer hooks around it, run without grad."""

    @functools.wraps(step)
    def wrapper(*args, **kwargs):
        # as in PyTorch, the hooks' args include the optimizer itself, and a pre-hook's
        # replacement args are the whole call's
        self = args[0]
        for pre_hook in itertools.chain(_global_optimizer_pre_hooks.values(),
                                        self._optimizer_step_pre_hooks.values()):
            result = pre_hook(self, args, kwargs)
            if result is not None:
                if isinstance(result, tuple) and len(result) == 2:
                    args, kwargs = result
                else:
                    raise RuntimeError(f"{step} must return None or a tuple of "
                                       f"(new_args, new_kwargs), but got {result}.")
        previous = STATE.enabled
        STATE.enabled = False
        try:
            out = step(*args, **kwargs)
        finally:
            STATE.enabled = previous
        for post_hook in itertools.chain(self._optimizer_step_post_hooks.values(),
                                         _global_optimizer_post_hooks.values()):
            post_hook(self, args, kwargs)
        return out

    wrapper.hooked = True
    return wrapper


class Optimizer:
    """Base class for all optimizers: parameter groups with per-group options, per-parameter
    state, state_dict/load_state_dict and step hooks, as torch.optim.Optimizer."""

    # Group options that state saved by an older version may lack; __setstate__ (and so
    # load_state_dict) fills them in per group, in this order, as PyTorch's optimizers do.
    _setstate_defaults = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        step = cls.__dict__.get("step")
        if step is not None and not getattr(step, "hooked", False):
            cls.step = _hooked_step(step)

    def __init__(self, params, defaults):
        self.defaults = defaults
        self._optimizer_step_pre_hooks = OrderedDict()
        self._optimizer_step_post_hooks = OrderedDict()
        self._optimizer_state_dict_pre_hooks = OrderedDict()
        self._optimizer_state_dict_post_hooks = OrderedDict()
        self._optimizer_load_state_dict_pre_hooks = OrderedDict()
        self._optimizer_load_state_dict_post_hooks = OrderedDict()
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of "
                            "Tensors or dicts, but got " + typename(params))
        self.state = defaultdict(dict)
        self.param_groups = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for param_group in param_groups:
            self.add_param_group(param_group)

    def __getstate__(self):
        return {"defaults": self.defaults, "state": self.state,
                "param_groups": self.param_groups}

    def __setstate__(self, state):
        self.__dict__.update(state)
        for name in ("_optimizer_step_pre_hooks", "_optimizer_step_post_hooks",
                     "_optimizer_state_dict_pre_hooks", "_optimizer_state_dict_post_hooks",
                     "_optimizer_load_state_dict_pre_hooks",
                     "_optimizer_load_state_dict_post_hooks"):
            if name not in self.__dict__:
                setattr(self, name, OrderedDict())
        self.defaults.setdefault("differentiable", False)
        for group in self.param_groups:
            for name, default in self._setstate_defaults.items():
                group.setdefault(name, default)

    def __repr__(self):
        text = self.__class__.__name__ + " ("
        for index, group in enumerate(self.param_groups):
            text += "\n"
            text += f"Parameter Group {index}\n"
            for key in sorted(group.keys()):
                if key != "params":
                    text += f"    {key}: {group[key]}\n"
        text += ")"
        return text

    # ---- hooks -----------------------------------------------------------------------------

    def register_step_pre_hook(self, hook):
        """hook(optimizer, args, kwargs) -> None or (new_args, new_kwargs), before step."""
        return add_hook(self._optimizer_step_pre_hooks, hook)

    def register_step_post_hook(self, hook):
        """hook(optimizer, args, kwargs), after step."""
        return add_hook(self._optimizer_step_post_hooks, hook)

    @staticmethod
    def _register(table, hook, prepend):
        handle = add_hook(table, hook)
        if prepend:
            table.move_to_end(handle.id, last=False)
        return handle

    def register_state_dict_pre_hook(self, hook, prepend=False):
        """hook(optimizer) runs before state_dict()."""
        return self._register(self._optimizer_state_dict_pre_hooks, hook, prepend)

    def register_state_dict_post_hook(self, hook, prepend=False):
        """hook(optimizer, state_dict) -> None or a replacement, after state_dict()."""
        return self._register(self._optimizer_state_dict_post_hooks, hook, prepend)

    def register_load_state_dict_pre_hook(self, hook, prepend=False):
        """hook(optimizer, state_dict) -> None or a replacement, before load_state_dict()."""
        return self._register(self._optimizer_load_state_dict_pre_hooks, hook, prepend)

    def register_load_state_dict_post_hook(self, hook, prepend=False):
        """hook(optimizer) runs after load_state_dict()."""
        return self._register(self._optimizer_load_state_dict_post_hooks, hook, prepend)

    # ---- state dict ------------------------------------------------------------------------

    def state_dict(self):
        """{'state': {index: {...}}, 'param_groups': [{..., 'params': [indices]}]}, as PyTorch."""
        for pre_hook in self._optimizer_state_dict_pre_hooks.values():
            pre_hook(self)
        param_mappings = {}
        start_index = 0

        def pack_group(group):
            nonlocal start_index
            packed = {key: value for key, value in group.items() if key != "params"}
            for index, param in enumerate(group["params"], start_index):
                param_mappings.setdefault(id(param), index)
            packed["params"] = [param_mappings[id(param)] for param in group["params"]]
            start_index += len(packed["params"])
            return packed

        param_groups = [pack_group(group) for group in self.param_groups]
        packed_state = {(param_mappings[id(key)] if isinstance(key, Tensor) else key): value
                        for key, value in self.state.items()}
        state_dict = {"state": packed_state, "param_groups": param_groups}
        for post_hook in self._optimizer_state_dict_post_hooks.values():
            result = post_hook(self, state_dict)
            if result is not None:
                state_dict = result
        return state_dict

    @staticmethod
    def _cast_state(param, value, key=None, fused_or_capturable=False):
        # PyTorch moves loaded state to the parameter's dtype, except the 'step' counters.
        if isinstance(value, Tensor):
            if key == "step":
                return value.to(dtype=_dtype.float32) if fused_or_capturable else value
            if param.is_floating_point():
                return value.to(dtype=param.dtype)
            return value
        if isinstance(value, dict):
            return {k: Optimizer._cast_state(param, v, k, fused_or_capturable)
                    for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return type(value)(Optimizer._cast_state(param, v, None, fused_or_capturable)
                               for v in value)
        return value

    def load_state_dict(self, state_dict):
        """Loads state and group options saved by state_dict() (parameters matched by order)."""
        state_dict = state_dict.copy()
        for pre_hook in self._optimizer_load_state_dict_pre_hooks.values():
            result = pre_hook(self, state_dict)
            if result is not None:
                state_dict = result
        groups = self.param_groups
        saved_groups = copy.deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(group["params"]) != len(saved["params"])
               for group, saved in zip(groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match "
                             "the size of optimizer's group")
        id_map = dict(zip(itertools.chain.from_iterable(g["params"] for g in saved_groups),
                          itertools.chain.from_iterable(g["params"] for g in groups)))
        float32_step = {}
        for saved in state_dict["param_groups"]:
            flag = bool(saved.get("fused", False) or saved.get("capturable", False))
            for index in saved["params"]:
                float32_step.setdefault(index, flag)
        state = defaultdict(dict)
        for key, value in state_dict["state"].items():
            if key in id_map:
                param = id_map[key]
                state[param] = self._cast_state(param, value, None, float32_step.get(key, False))
            else:
                state[key] = value

        def update_group(group, new_group):
            new_group["params"] = group["params"]
            if "param_names" in group and "param_names" not in new_group:
                new_group["param_names"] = group["param_names"]
            return new_group

        param_groups = [update_group(g, ng) for g, ng in zip(groups, saved_groups)]
        self.__setstate__({"state": state, "param_groups": param_groups})
        for post_hook in self._optimizer_load_state_dict_post_hooks.values():
            post_hook(self)

    # ---- gradients and groups --------------------------------------------------------------

    def zero_grad(self, set_to_none=True):
        """Resets the gradients of all optimized tensors (to None by default)."""
        for group in self.param_groups:
            for param in group["params"]:
                grad = param.grad
                if grad is None:
                    continue
                if set_to_none:
                    param.grad = None
                else:
                    if grad.grad_fn is not None:
                        grad.detach_()
                    else:
                        grad.requires_grad_(False)
                    grad.zero_()

    @_hooked_step
    def step(self, closure=None):
        """Performs one optimization step; returns the closure's loss if one is given."""
        loss = self._evaluate_closure(closure)
        for group in self.param_groups:
            for param in group["params"]:
                if param.grad is None:
                    continue
                state = self.state[param]
                if len(state) == 0:
                    self._init_state(param, state, group)
                self._update(param, state, group)
        return loss

    def _init_state(self, param, state, group):
        """Fills a parameter's empty state before its first update; subclasses implement it."""
        raise NotImplementedError

    def _update(self, param, state, group):
        """Updates one parameter in place from its grad; subclasses implement it."""
        raise NotImplementedError

    def _evaluate_closure(self, closure):
        if closure is None:
            return None
        with enable_grad():
            return closure()

    def add_param_group(self, param_group):
        """Adds a group of parameters with its own options (PyTorch's checks and messages)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            param_group["params"] = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, "
                            "but the ordering of tensors in sets will change between runs. "
                            "Please use a list instead.")
        else:
            param_group["params"] = list(params)
        tensors = []
        names = []
        for param in param_group["params"]:
            if isinstance(param, tuple):
                names.append(param[0])
                tensors.append(param[1])
            else:
                tensors.append(param)
        param_group["params"] = tensors
        if names:
            if len(names) == len(tensors):
                param_group["param_names"] = names
            else:
                raise ValueError("all optimizer params should be with/without names. Some param "
                                 "names are missing")
        for param in tensors:
            if not isinstance(param, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is "
                                + typename(param))
            if not self.defaults.get("differentiable", None) and not (
                    param.is_leaf or param.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError("parameter group didn't specify a value of required "
                                 f"optimization parameter {name}")
            param_group.setdefault(name, default)
        if len(tensors) != len(set(tensors)):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; in "
                          "future, this will cause an error; see "
                          "github.com/pytorch/pytorch/issues/40967 for more information",
                          stacklevel=3)
        param_set = set()
        for group in self.param_groups:
            param_set.update(group["params"])
            if ("param_names" in param_group) != ("param_names" in group):
                current = "with names" if "param_names" in param_group else "without names"
                raise ValueError("all optimizer param groups should be with/without names. "
                                 f"cannot add param group {current} to the optimizer")
        if not param_set.isdisjoint(tensors):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)
