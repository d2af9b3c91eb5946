"""ember.utils: data loading (ember.utils.data), activation checkpointing
(ember.utils.checkpoint) and the safetensors format (ember.utils.safetensors)."""
from ember.utils import checkpoint, data, safetensors

__all__ = ["checkpoint", "data", "safetensors"]
