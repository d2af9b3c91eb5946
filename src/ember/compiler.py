"""torch.compile and torch.compiler on NumPy: there is no graph compiler to call, so compiling
returns a callable that runs the original eagerly. Everything user-visible that torch.compile
changes is kept: a module comes back wrapped in an OptimizedModule (its state_dict keys gain the
`_orig_mod.` prefix, as PyTorch's do), arguments are validated with PyTorch's errors."""
import functools

__all__ = ["compile", "is_compiling", "is_dynamo_compiling", "is_exporting", "reset", "disable",
           "allow_in_graph", "assume_constant_result", "list_backends"]

_MODES = ("default", "lite", "reduce-overhead", "max-autotune-no-cudagraphs", "max-autotune")


def compile(model=None, *, fullgraph=False, dynamic=None, backend=None, mode=None,
            options=None, name=None, disable=False, recompile_limit=None,
            isolate_recompiles=False, shapes_spec=None):
    """Returns model unchanged in behaviour (a function wrapper, or an OptimizedModule)."""
    if model is None:
        def decorator(function):
            return compile(function, fullgraph=fullgraph, dynamic=dynamic, backend=backend,
                           mode=mode, options=options, name=name, disable=disable,
                           recompile_limit=recompile_limit,
                           isolate_recompiles=isolate_recompiles, shapes_spec=shapes_spec)
        return decorator
    if mode is not None and options is not None:
        raise RuntimeError("Either mode or options can be specified, but both can't be "
                           "specified at the same time.")
    if mode is not None and mode not in _MODES:
        raise RuntimeError(f"Unrecognized mode={mode}, should be one of: {', '.join(_MODES)}")
    if not callable(model):
        # PyTorch asserts here, so the error type is AssertionError
        raise AssertionError(f"A callable function is expected, but {type(model)} is provided.")
    if disable:
        return model
    from ember.nn import Module
    if isinstance(model, Module):
        return _optimized_module_class()(model)

    @functools.wraps(model)
    def compiled(*args, **kwargs):
        return model(*args, **kwargs)
    return compiled


@functools.lru_cache(maxsize=None)
def _optimized_module_class():
    """OptimizedModule, defined on first use so that `import ember` does not load ember.nn."""
    from ember.nn import Module

    class OptimizedModule(Module):
        """The module torch.compile returns: the original is its only child, `_orig_mod`."""

        def __init__(self, mod):
            super().__init__()
            self._orig_mod = mod

        def forward(self, *args, **kwargs):
            return self._orig_mod(*args, **kwargs)

        def __getattr__(self, name):
            # attributes the wrapper lacks are the original module's (model.weight...)
            modules = self.__dict__.get("_modules", {})
            if "_orig_mod" in modules:
                if name == "_orig_mod":
                    return modules["_orig_mod"]
                return getattr(modules["_orig_mod"], name)
            return super().__getattr__(name)

    return OptimizedModule


def is_compiling():
    """False: nothing runs under a graph compiler here."""
    return False


def is_dynamo_compiling():
    """False: nothing runs under TorchDynamo here."""
    return False


def is_exporting():
    """False: nothing runs under torch.export here."""
    return False


def reset():
    """Clears compilation caches; there are none."""


def disable(fn=None, recursive=True, *, reason=None):
    """Marks fn as never compiled: already true, so fn comes back as it is."""
    if fn is None:
        return lambda function: function
    return fn


def allow_in_graph(fn):
    """Lets fn into compiled graphs; every function runs eagerly here, so fn is unchanged."""
    return fn


def assume_constant_result(fn):
    """Lets the compiler fold fn's result; nothing is folded here, so fn is unchanged."""
    return fn



def list_backends(exclude_tags=("debug", "experimental")):
    """The backend names PyTorch's CPU build lists; ember accepts any and runs eagerly."""
    return ["cudagraphs", "inductor", "openxla", "tvm"]
