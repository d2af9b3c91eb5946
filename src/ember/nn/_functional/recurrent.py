"""nn.functional: recurrent."""

__all__ = []
