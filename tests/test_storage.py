"""Tensor.storage() (torch's deprecated TypedStorage) and UntypedStorage, against torch."""
import warnings

import numpy as np
import pytest

import ember
from oracle import assert_matches, check_error, normalize_message, run_both, torch

pytestmark = pytest.mark.filterwarnings("ignore:TypedStorage is deprecated")

ARRAYS = [np.arange(6, dtype=np.float32).reshape(2, 3), np.array([0.1, 1e-10]),
          np.array([True, False]), np.array([1, -2], dtype=np.int32),
          np.array([1 + 2j], dtype=np.complex64), np.array([], dtype=np.float32),
          np.array([7, 255], dtype=np.uint8)]


@pytest.mark.parametrize("array", ARRAYS, ids=lambda array: f"{array.dtype}{array.shape}")
def test_typed_and_untyped_storages_print_and_read_as_torchs(array):
    def describe(lib, x):
        view = x.t() if x.ndim == 2 else x[1:]
        storage = view.storage()
        return [str(storage), repr(x.untyped_storage()), storage.tolist(), len(storage),
                storage.size(), storage.element_size(), storage.nbytes(), storage.type(),
                storage.pickle_storage_type(), str(storage.dtype), str(storage.device),
                storage.data_ptr() == x.untyped_storage().data_ptr(),
                storage.untyped() is x.untyped_storage(),
                x.untyped_storage().tolist(), [storage[i] for i in range(-len(storage),
                                                                         len(storage))]]

    mine, theirs = run_both(describe, array)
    assert_matches([normalize_message(item) if isinstance(item, str) else item for item in mine],
                   theirs)


def test_storage_writes_reach_every_view():
    def write(lib, x):
        storage = x.t().storage()
        storage[1] = 9.0
        storage[-1] = -1.0
        x.untyped_storage()[0] = 0
        clone = storage.clone()
        clone.fill_(5.0)
        return x, storage.tolist(), clone.tolist(), storage.fill_(2.0).tolist(), x

    mine, theirs = run_both(write, np.arange(6, dtype=np.float32).reshape(2, 3))
    assert_matches(mine, theirs)


@pytest.mark.parametrize("index", [3, -4, slice(0, 2)])
def test_storage_index_errors_match(index):
    check_error(lambda lib, x: x.storage()[index], np.arange(3, dtype=np.float32))


def test_storage_warns_once_as_torch_does():
    for lib in (ember, torch):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            lib.ones(2).storage()
            lib.ones(2).storage()
        messages = [str(warning.message) for warning in caught]
        assert len(messages) <= 1
        if messages:
            assert messages[0].startswith("TypedStorage is deprecated")
    assert isinstance(ember.ones(1).storage(), ember.TypedStorage)
    assert isinstance(ember.ones(1).untyped_storage(), ember.UntypedStorage)


def test_set_takes_a_typed_storage():
    def point(lib, x):
        y = lib.empty(0)
        y.set_(x.storage(), 1, (2,), (2,))
        y[0] = 5.0
        return y, x

    mine, theirs = run_both(point, np.arange(6, dtype=np.float32))
    assert_matches(mine, theirs)
