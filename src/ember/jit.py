"""torch.jit on NumPy: TorchScript has no meaning without a C++ runtime, so script and trace
return the function or module itself and run it eagerly. Code written for PyTorch that scripts a
function for speed, or asks is_scripting() to pick a code path, runs unchanged; saving or loading
a TorchScript archive is not supported (torch.save / ember.save are)."""

__all__ = ["script", "trace", "ignore", "unused", "export", "is_scripting", "is_tracing",
           "Final", "annotate"]


def script(obj, optimize=None, _frames_up=0, _rcb=None, example_inputs=None):
    """obj itself: it runs eagerly, as TorchScript would run it."""
    return obj


def trace(func, example_inputs=None, *args, **kwargs):
    """func itself: it runs eagerly on every input (no trace is recorded, so data-dependent
    control flow keeps working where a real trace would freeze it)."""
    return func


def ignore(drop=False, **kwargs):
    """@torch.jit.ignore, with or without arguments: the function is unchanged."""
    if callable(drop):
        return drop
    return lambda function: function


def unused(fn):
    """@torch.jit.unused: the function is unchanged."""
    return fn


def export(fn):
    """@torch.jit.export: the method is unchanged."""
    return fn


def is_scripting():
    """False: code never runs under TorchScript here."""
    return False


def is_tracing():
    """False: code never runs under the tracer here."""
    return False


def annotate(the_type, the_value):
    """TorchScript's type hint for a value: the value itself."""
    return the_value


# typing.Final is what torch.jit.Final is outside TorchScript
from typing import Final  # noqa: E402
