"""functional_call and stack_module_state: running a module on tensors passed in, rather than
on its own parameters and buffers (torch.func's, with torch's NamedMemberAccessor swapping)."""
from collections.abc import Sequence

from ember._tensor import Tensor
from ember.nn.modules.normalization import _BatchNorm
from ember.ops.joining import stack

_MISSING = object()


def _merge_dicts(parameter_and_buffer_dicts):
    if isinstance(parameter_and_buffer_dicts, dict):
        return parameter_and_buffer_dicts
    if not isinstance(parameter_and_buffer_dicts, Sequence):
        raise ValueError("Expected parameter_and_buffer_dicts to be a dict, or a list/tuple of "
                         f"dicts, but got {type(parameter_and_buffer_dicts)}")
    if not all(isinstance(d, dict) for d in parameter_and_buffer_dicts):
        raise ValueError("Expected all elements of parameter_and_buffer_dicts to be dictionaries")
    counts = {}
    for d in parameter_and_buffer_dicts:
        for key in d:
            counts[key] = counts.get(key, 0) + 1
    repeated = [key for key, count in counts.items() if count > 1]
    if repeated:
        raise ValueError(f"{repeated} appeared in multiple dictionaries; behavior of functional "
                         "call is ambiguous")
    return {key: value for d in parameter_and_buffer_dicts for key, value in d.items()}


def _named_tensors(module):
    named = dict(module.named_parameters(remove_duplicate=False))
    named.update(module.named_buffers(remove_duplicate=False))
    return named


def _untie(module, tensors):
    """Adds the names tied to a given name (one Parameter under two names) with its value."""
    names_of = {}
    for name, tensor in _named_tensors(module).items():
        names_of.setdefault(id(tensor), set()).add(name)
    tied = {name: names for names in names_of.values() if len(names) > 1 for name in names}
    given = [name for name in tensors if name in tied]
    for name in given:
        group = tied[name]
        if (len(group.intersection(given)) > 1
                and len({id(tensors[other]) for other in group if other in tensors}) != 1):
            raise ValueError(f"functional_call got multiple values for keys {sorted(group)}, "
                             "which are tied. Consider using tie_weights=False")
    untied = dict(tensors)
    for name in given:
        for other in tied[name]:
            untied[other] = tensors[name]
    return untied


def _submodule(module, path, memo):
    if not path:
        return module
    if path not in memo:
        prefix, _, attr = path.rpartition(".")
        parent = _submodule(module, prefix, memo)
        try:
            child = getattr(parent, attr)
        except AttributeError as error:
            raise AttributeError(f"{parent._get_name()} has no attribute `{attr}`") from error
        if not hasattr(child, "_parameters"):
            raise TypeError(f"submodule `{path}`: {child} is not an instance of torch.nn.Module")
        memo[path] = child
    return memo[path]


def _swap(module, name, tensor):
    """Puts `tensor` (or removes it, for _MISSING) under `name`; returns what was there."""
    if tensor is not _MISSING and tensor is not None and not isinstance(tensor, Tensor):
        raise TypeError(f"{tensor} is not an instance of torch.Tensor")
    for table in (module._parameters, module._buffers):
        if name in table:
            original = table[name]
            if tensor is _MISSING:
                del table[name]
            else:
                table[name] = tensor
            return original
    original = getattr(module, name) if hasattr(module, name) else _MISSING
    if original is not _MISSING and original is not None and not isinstance(original, Tensor):
        raise TypeError(f"attribute `{name}`: {original} is not an instance of torch.Tensor")
    if tensor is not _MISSING:
        setattr(module, name, tensor)
    elif hasattr(module, name):
        delattr(module, name)
    return original


def _swap_all(module, tensors, memo):
    originals = {}
    try:
        for path, tensor in tensors.items():
            prefix, _, attr = path.rpartition(".")
            originals[path] = _swap(_submodule(module, prefix, memo), attr, tensor)
    except Exception:
        _restore(module, originals, memo)
        raise
    return originals


def _restore(module, originals, memo):
    current = {}
    for path, tensor in originals.items():
        prefix, _, attr = path.rpartition(".")
        current[path] = _swap(_submodule(module, prefix, memo), attr, tensor)
    return current


def _check_keys(module, tensors):
    valid = set(_named_tensors(module))
    missing = sorted(valid - set(tensors))
    unexpected = sorted(set(tensors) - valid)
    messages = []
    if unexpected:
        messages.append(f"Unexpected key(s): {', '.join(map(repr, unexpected))}.")
    if missing:
        messages.append(f"Missing key(s): {', '.join(map(repr, missing))}.")
    if messages:
        raise RuntimeError("Error(s) in reparametrizing for {}:\n\t{}".format(
            module._get_name(), "\n\t".join(messages)))


def functional_call(module, parameter_and_buffer_dicts, args=None, kwargs=None, *,
                    tie_weights=True, strict=False):
    """module(*args, **kwargs) with the given tensors in place of its parameters and buffers
    (by dotted name); the module's own tensors are back in place afterwards."""
    tensors = _merge_dicts(parameter_and_buffer_dicts)
    kwargs = {} if kwargs is None else kwargs
    if args is None:
        args = ()
    elif not isinstance(args, tuple):
        args = (args,)
    untied = _untie(module, tensors) if tie_weights else tensors
    if strict:
        _check_keys(module, untied)
    memo = {}
    originals = _swap_all(module, untied, memo)
    try:
        return module(*args, **kwargs)
    finally:
        current = _restore(module, originals, memo)
        # a module that reassigned one of them (self.foo = self.foo + 1) hands the new value
        # back through the caller's dict, as torch does
        if isinstance(parameter_and_buffer_dicts, dict):
            for name in parameter_and_buffer_dicts:
                if name in current:
                    parameter_and_buffer_dicts[name] = current[name]


def _stacked_leaf(tensors, name):
    all_require = all(t.requires_grad for t in tensors)
    none_require = all(not t.requires_grad for t in tensors)
    if not all_require and not none_require:
        raise RuntimeError(f"Expected {name} from each model to have the same .requires_grad")
    result = stack(list(tensors))
    if all_require:
        result = result.detach().requires_grad_()
    return result


def stack_module_state(models):
    """(params, buffers): each model's parameters and buffers stacked along a new dim 0, as
    new leaves, for ensembling with vmap and functional_call."""
    if len(models) == 0:
        raise RuntimeError("stack_module_state: Expected at least one model, got 0.")
    if not (all(m.training for m in models) or all(not m.training for m in models)):
        raise RuntimeError("stack_module_state: Expected all models to have the same "
                           "training/eval mode.")
    first_type = type(models[0])
    if not all(type(m) is first_type for m in models):
        raise RuntimeError("stack_module_state: Expected all models to be of the same class.")
    all_params = [dict(model.named_parameters()) for model in models]
    params = {name: _stacked_leaf(tuple(p[name] for p in all_params), name)
              for name in all_params[0]}
    all_buffers = [dict(model.named_buffers()) for model in models]
    buffers = {name: _stacked_leaf(tuple(b[name] for b in all_buffers), name)
               for name in all_buffers[0]}
    return params, buffers


def replace_all_batch_norm_modules_(root):
    """Makes every batch norm in root stop tracking running statistics (running_mean and
    running_var become None), so it can run under vmap; returns root."""
    for module in root.modules():
        if isinstance(module, _BatchNorm) and module.track_running_stats:
            module.running_mean = None
            module.running_var = None
            module.num_batches_tracked = None
            module.track_running_stats = False
    return root
