"""ember.testing: assert_close with PyTorch's default tolerances and failure report."""

__all__ = []
