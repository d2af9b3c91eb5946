"""ember.backends.cuda: ember is built without CUDA."""

__all__ = ["is_built", "matmul"]


def is_built():
    """False: ember has no CUDA backend."""
    return False


class _MatmulFlags:
    """torch.backends.cuda.matmul: settings a CUDA matmul would read (CPU-only defaults)."""

    allow_tf32 = False
    allow_fp16_reduced_precision_reduction = True
    allow_bf16_reduced_precision_reduction = True


matmul = _MatmulFlags()
