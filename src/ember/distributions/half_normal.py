"""The half-normal distribution: |X| for X ~ Normal(0, scale) (as
torch.distributions.half_normal)."""
import math

from ember.distributions._folded import FoldedAtZero
from ember.distributions.normal import Normal

__all__ = ["HalfNormal"]


class HalfNormal(FoldedAtZero):
    """|X| for X ~ Normal(0, scale)."""
    base_family = Normal

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(HalfNormal, _instance)
        return super().expand(batch_shape, _instance=new)

    @property
    def mean(self):
        return self.scale * math.sqrt(2 / math.pi)

    @property
    def variance(self):
        return self.scale.pow(2) * (1 - 2 / math.pi)
