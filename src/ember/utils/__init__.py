"""ember.utils: data loading utilities (ember.utils.data)."""
from ember.utils import data

__all__ = ["data"]
