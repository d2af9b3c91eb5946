"""ember.utils: data loading (ember.utils.data), activation checkpointing
(ember.utils.checkpoint), hook handles (ember.utils.hooks) and the safetensors format
(ember.utils.safetensors)."""
from ember.utils import checkpoint, data, hooks, safetensors

__all__ = ["checkpoint", "data", "hooks", "safetensors"]
