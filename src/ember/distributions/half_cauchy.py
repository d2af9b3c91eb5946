"""The half-Cauchy distribution: |X| for X ~ Cauchy(0, scale) (as
torch.distributions.half_cauchy)."""
import math

import ember
from ember.distributions._folded import FoldedAtZero
from ember.distributions.cauchy import Cauchy

__all__ = ["HalfCauchy"]


class HalfCauchy(FoldedAtZero):
    """|X| for X ~ Cauchy(0, scale)."""
    base_family = Cauchy

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(HalfCauchy, _instance)
        return super().expand(batch_shape, _instance=new)

    @property
    def mean(self):
        return ember.full(self._extended_shape(), math.inf, dtype=self.scale.dtype)

    @property
    def variance(self):
        return self.base_dist.variance

    def _as_value(self, value):
        # torch's HalfCauchy (not HalfNormal) converts the value to the scale's dtype first
        return ember.as_tensor(value, dtype=self.base_dist.scale.dtype)
