"""ember.utils: data loading (ember.utils.data) and the safetensors format
(ember.utils.safetensors)."""
from ember.utils import data, safetensors

__all__ = ["data", "safetensors"]
