"""ember.backends: what PyTorch's CPU-only build reports about its accelerator backends."""
from ember.backends import cuda, cudnn, mps

__all__ = ["cuda", "cudnn", "mps"]
