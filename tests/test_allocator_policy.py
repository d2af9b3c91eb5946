"""The allocator policy set at import: on glibc, large arrays freed and allocated again are
served from memory the process keeps, without faulting their pages in again."""
import os
import subprocess
import sys

import pytest

from ember import _memory

# A training step in miniature: several large arrays live at once, then all are freed.
_FAULTS_OF_A_STEP = """
import resource
import numpy as np
import ember

def step():
    return [np.ones(2 * 1024 * 1024, dtype=np.float32) for _ in range(6)]   # 6 x 8 MiB

for _ in range(3):
    step()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
step()
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""

needs_glibc = pytest.mark.skipif(not _memory._is_glibc(), reason="a glibc allocator policy")


def _faults(environment):
    result = subprocess.run([sys.executable, "-c", _FAULTS_OF_A_STEP],
                            env={**os.environ, **environment}, capture_output=True, text=True,
                            check=True)
    return int(result.stdout)


@needs_glibc
def test_freed_memory_is_reused_without_page_faults():
    assert _faults({}) < 100


@needs_glibc
def test_the_policy_can_be_turned_off():
    # glibc's default returns the 48 MiB to the OS and faults the pages back in each step
    assert _faults({"EMBER_MALLOC_TUNING": "0"}) > 1000


def test_turned_off_by_the_environment(monkeypatch):
    monkeypatch.setenv("EMBER_MALLOC_TUNING", "0")
    assert _memory.keep_freed_memory() is False
