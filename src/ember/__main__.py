"""`python -m ember run SCRIPT.py [args]`: runs a PyTorch script with `torch` resolving to ember."""
import importlib
import importlib.abc
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


def install_torch_alias():
    """Makes `import torch` (and its submodules) import ember, whose reprs then name torch
    (`torch.float32`, `torch.Size([2])`): in the script, that is what these objects are."""
    sys.meta_path.insert(0, _TorchAlias())
    from ember._dtype import DISPLAYED
    DISPLAYED.name = "torch"


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
