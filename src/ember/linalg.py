"""ember.linalg: norms, inverses, decompositions and solvers, as torch.linalg."""

__all__ = []
