"""Joining, splitting and data movement: cat, stack, flip, roll, gather, scatter, masks..."""

__all__ = []
