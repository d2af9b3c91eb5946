"""nn.DataParallel and nn.parallel against PyTorch on a machine without GPUs: the wrapper calls
the module directly, prints and names its state as PyTorch's does."""
import numpy as np

import ember
from module_oracle import build_pair, compare_module, same_repr
from oracle import check_error, requires_oracle, torch

pytestmark = requires_oracle


def _wrapped(lib):
    return lib.nn.DataParallel(lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.ReLU(),
                                                 lib.nn.Linear(4, 2)))


def test_data_parallel_printout_and_state_dict_keys():
    same_repr(_wrapped)
    mine, theirs = build_pair(_wrapped)
    assert list(mine.state_dict()) == list(theirs.state_dict())
    assert mine.device_ids == theirs.device_ids == []
    assert ember.nn.parallel.DataParallel is ember.nn.DataParallel


def test_data_parallel_computes_as_the_wrapped_module():
    inputs = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    compare_module(_wrapped, inputs)


def test_data_parallel_ignores_device_ids_without_gpus():
    for lib in (ember, torch):
        wrapper = lib.nn.DataParallel(lib.nn.Linear(2, 2), device_ids=[0], output_device=0)
        assert wrapper.device_ids == []


def test_functional_data_parallel_needs_a_device():
    check_error(lambda lib: lib.nn.parallel.data_parallel(lib.nn.Linear(2, 2), lib.ones(1, 2)))
