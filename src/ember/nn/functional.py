"""nn.functional: the functional form of layers, activations and losses."""

__all__ = []
