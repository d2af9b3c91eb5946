"""The user's allow-list for loading (torch.serialization.add_safe_globals and friends).

A class or function the user marks safe may be named by a checkpoint and then constructed
(NEWOBJ), called (REDUCE) and given its pickled state (BUILD), exactly as PyTorch's
weights-only unpickler allows for the same list; nothing else the file names is ever imported
or called. Each entry is an object, found in files by `{__module__}.{__qualname__}`, or an
(object, "full.path") pair naming the path the checkpoint uses."""

__all__ = ["add_safe_globals", "clear_safe_globals", "get_safe_globals", "safe_globals",
           "user_allowed_globals"]

_marked = set()


def add_safe_globals(safe_globals):
    """Marks the given classes and functions as safe to rebuild when loading."""
    global _marked
    _marked = _marked.union(set(safe_globals))


def get_safe_globals():
    """The user-added globals that are safe to rebuild when loading."""
    return list(_marked)


def clear_safe_globals():
    """Forgets every user-added safe global."""
    global _marked
    _marked = set()


def _remove_safe_globals(globals_to_remove):
    global _marked
    _marked = _marked - set(globals_to_remove)


class safe_globals:
    """Context manager that marks globals safe for the loads inside it."""

    def __init__(self, safe_globals):
        self.safe_globals = safe_globals

    def __enter__(self):
        add_safe_globals(self.safe_globals)

    def __exit__(self, type, value, tb):
        _remove_safe_globals(self.safe_globals)


def user_allowed_globals():
    """{"module.qualname": object} for the marked globals (PyTorch's checks on pairs)."""
    allowed = {}
    for entry in _marked:
        if isinstance(entry, tuple):
            if len(entry) != 2:
                raise ValueError("Expected tuple of length 2 (global, str of callable full path), "
                                 f"but got tuple of length: {len(entry)}")
            if type(entry[1]) is not str:
                raise TypeError("Expected second item in tuple to be str of callable full path, "
                                f"but got: {type(entry[1])}")
            value, name = entry
            allowed[name] = value
        else:
            allowed[f"{entry.__module__}.{entry.__qualname__}"] = entry
    return allowed
