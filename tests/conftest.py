"""Shared test configuration: hypothesis profiles sized for CI's two cores.

The default profile is derandomized, so CI runs the same examples every time; set
HYPOTHESIS_PROFILE=explore to search with fresh random examples."""
import os

from hypothesis import HealthCheck, settings

settings.register_profile("ci", max_examples=40, deadline=None, derandomize=True,
                          database=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("explore", max_examples=200, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
