"""Random numbers: generators, seeding, random creation and in-place random fills. The streams
are NumPy's (same seed, same numbers, every run), not PyTorch's."""

__all__ = []
