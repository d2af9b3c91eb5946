"""`python -m ember run SCRIPT.py [args]`: runs a PyTorch script with `torch` resolving to ember."""
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import os
import runpy
import sys

USAGE = "usage: python -m ember run SCRIPT.py [args...]"


class _TorchAlias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Resolves `torch` and `torch.<sub>` imports to `ember` and `ember.<sub>`."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname != "torch" and not fullname.startswith("torch."):
            return None
        target_name = "ember" + fullname[len("torch"):]
        if importlib.util.find_spec(target_name) is None:
            return None
        return importlib.util.spec_from_loader(fullname, self)

    def create_module(self, spec):
        return importlib.import_module("ember" + spec.name[len("torch"):])

    def exec_module(self, module):
        pass


class _TorchNamedLoader(importlib.abc.Loader):
    """Loads an ember module as its own loader does, then names its classes' home as torch
    names it (`ember.nn.modules.linear` -> `torch.nn.modules.linear`)."""

    def __init__(self, loader):
        self._loader = loader

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        self._loader.exec_module(module)
        _name_classes_as_torch(module)

    def __getattr__(self, name):
        # get_source, get_filename...: tracebacks and inspect still find the ember source
        return getattr(self._loader, name)


class _TorchNamedClasses(importlib.abc.MetaPathFinder):
    """Hands every ember module imported from now on to a _TorchNamedLoader."""

    def find_spec(self, fullname, path=None, target=None):
        if not fullname.startswith("ember."):
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path, target)
        if spec is not None and spec.loader is not None:
            spec.loader = _TorchNamedLoader(spec.loader)
        return spec


def _name_classes_as_torch(module):
    """Renames the home of the classes `module` defines from ember to torch."""
    home = module.__name__
    for value in list(vars(module).values()):
        if isinstance(value, type) and value.__module__ == home:
            value.__module__ = "torch" + home[len("ember"):]


def install_torch_alias():
    """Makes `import torch` (and its submodules) import ember, whose reprs then name torch
    (`torch.float32`, `torch.Size([2])`, `<class 'torch.nn.modules.linear.Linear'>`): in the
    script, that is what these objects are."""
    sys.meta_path.insert(0, _TorchAlias())
    sys.meta_path.insert(0, _TorchNamedClasses())
    from ember._dtype import DISPLAYED
    DISPLAYED.name = "torch"
    import ember
    # torch's top-level classes (Tensor, Size, dtype, Generator...) name their home
    # "ember" (or "ember._C", as torch's C types do) wherever they are defined
    for value in vars(ember).values():
        if isinstance(value, type) and value.__module__.startswith("ember"):
            value.__module__ = "torch" + value.__module__[len("ember"):]
    for name, module in list(sys.modules.items()):
        if name.startswith("ember."):
            _name_classes_as_torch(module)


def main(argv):
    if len(argv) < 2 or argv[0] != "run":
        print(USAGE, file=sys.stderr)
        return 2
    install_torch_alias()
    script = argv[1]
    sys.argv = argv[1:]
    # as `python SCRIPT.py` has it: the script's folder, not the working directory, leads
    # sys.path, so the script imports the modules beside it
    sys.path[0] = os.path.dirname(os.path.abspath(script))
    runpy.run_path(script, run_name="__main__")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
