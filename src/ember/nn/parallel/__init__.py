"""ember.nn.parallel: DataParallel as PyTorch runs it on a machine without GPUs, so scripts that
wrap their model for several GPUs run unchanged on ember's CPU."""
from ember.nn.modules.module import Module

__all__ = ["DataParallel", "data_parallel"]


class DataParallel(Module):
    """With no GPU, PyTorch's DataParallel keeps no device list and calls the wrapped module
    directly; ember does the same. The module sits under `module`, so state_dict keys gain the
    `module.` prefix, as in PyTorch."""

    def __init__(self, module, device_ids=None, output_device=None, dim=0):
        super().__init__()
        self.module = module
        self.device_ids = []

    def forward(self, *inputs, **kwargs):
        return self.module(*inputs, **kwargs)


def data_parallel(module, inputs, device_ids=None, output_device=None, dim=0,
                  module_kwargs=None):
    """The functional DataParallel: PyTorch needs an accelerator for it, and so refuses here."""
    raise RuntimeError("device type could not be determined")
