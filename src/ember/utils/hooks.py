"""Hook handles, as torch.utils.hooks: RemovableHandle is what every register_*hook returns
(tensors, autograd nodes, modules, optimizers); BackwardHook runs module full backward hooks."""
from ember.autograd.graph import RemovableHandle
from ember.nn.modules._hooks import BackwardHook

__all__ = ["RemovableHandle", "BackwardHook"]
