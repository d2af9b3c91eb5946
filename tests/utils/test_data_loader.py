"""DataLoader against torch.utils.data.DataLoader: deterministic batching, collation, lengths
and argument errors are compared exactly; shuffles are checked for coverage and
reproducibility; worker processes give the batches the main process gives."""
import numpy as np
import pytest

import ember
from oracle import assert_matches, check_error, torch


def _data(lib):
    return lib.utils.data


def _tensor_dataset(lib, n=7):
    return _data(lib).TensorDataset(lib.arange(n * 3, dtype=lib.float32).reshape(n, 3),
                                    lib.arange(n))


def _records(lib, n=5):
    return [{"x": np.full(2, i, dtype=np.float32), "y": i, "w": 0.5 * i, "name": f"r{i}"}
            for i in range(n)]


def _stream(lib, n):
    class Stream(_data(lib).IterableDataset):
        def __iter__(self):
            info = _data(lib).get_worker_info()
            start, step = (0, 1) if info is None else (info.id, info.num_workers)
            return iter(range(start, n, step))

        def __len__(self):
            return n
    return Stream()


DATASETS = {
    "tensors": _tensor_dataset,
    "records": _records,
    "numbers": lambda lib: [1.5, 2.5, 3.5, 4.5, 5.5],
    "pairs": lambda lib: [(i, float(i)) for i in range(6)],
}


def _assert_batches_equal(mine, theirs):
    assert len(mine) == len(theirs)
    for position, (a, b) in enumerate(zip(mine, theirs)):
        _assert_same(a, b, f"batch {position}")


def _assert_same(mine, theirs, where):
    if isinstance(theirs, torch.Tensor):
        assert_matches(mine, theirs, where=where)
    elif isinstance(theirs, dict):
        assert list(mine) == list(theirs), where
        for key in theirs:
            _assert_same(mine[key], theirs[key], f"{where}[{key}]")
    elif isinstance(theirs, (list, tuple)):
        assert type(mine) is type(theirs) and len(mine) == len(theirs), where
        for position, (a, b) in enumerate(zip(mine, theirs)):
            _assert_same(a, b, f"{where}[{position}]")
    else:
        assert mine == theirs, where


@pytest.mark.parametrize("dataset", DATASETS)
@pytest.mark.parametrize("options", [{}, {"batch_size": 2}, {"batch_size": 2, "drop_last": True},
                                     {"batch_size": 3}, {"batch_size": None},
                                     {"batch_size": 10}])
def test_sequential_batches_match_torch(dataset, options):
    mine = ember.utils.data.DataLoader(DATASETS[dataset](ember), **options)
    theirs = torch.utils.data.DataLoader(DATASETS[dataset](torch), **options)
    assert len(mine) == len(theirs)
    _assert_batches_equal(list(mine), list(theirs))


def test_custom_collate_sampler_and_batch_sampler_match_torch():
    results = []
    for lib in (ember, torch):
        data = _data(lib)
        dataset = list(range(10))
        by_sampler = data.DataLoader(dataset, batch_size=3, sampler=[9, 1, 5, 3, 7])
        by_batches = data.DataLoader(dataset, batch_sampler=[[0, 1], [5], [2, 3, 4]])
        collated = data.DataLoader(dataset, batch_size=4, collate_fn=lambda batch: sum(batch))
        results.append(([b.tolist() for b in by_sampler], len(by_sampler),
                        [b.tolist() for b in by_batches], len(by_batches), list(collated)))
    assert results[0] == results[1]


@pytest.mark.parametrize("options", [{"batch_size": 2}, {"batch_size": 2, "drop_last": True},
                                     {"batch_size": None}])
def test_iterable_datasets_match_torch(options):
    mine = ember.utils.data.DataLoader(_stream(ember, 5), **options)
    theirs = torch.utils.data.DataLoader(_stream(torch, 5), **options)
    assert len(mine) == len(theirs)
    _assert_batches_equal(list(mine), list(theirs))


def test_shuffle_covers_every_sample_once_and_follows_the_generator():
    def epoch(seed):
        loader = ember.utils.data.DataLoader(_tensor_dataset(ember, 11), batch_size=4,
                                             shuffle=True,
                                             generator=ember.Generator().manual_seed(seed))
        batches = [labels.tolist() for _, labels in loader]
        assert [len(b) for b in batches] == [4, 4, 3]
        return batches
    first = epoch(0)
    assert sorted(sum(first, [])) == list(range(11))
    assert epoch(0) == first
    assert epoch(1) != first


def test_empty_dataset_like_torch():
    results = []
    for lib in (ember, torch):
        loader = _data(lib).DataLoader([], batch_size=4)
        results.append((len(loader), list(loader)))
    assert results[0] == results[1] == (0, [])
    check_error(lambda lib: _data(lib).DataLoader([], shuffle=True))


@pytest.mark.parametrize("options", [
    {"num_workers": -1}, {"timeout": -1}, {"prefetch_factor": 2},
    {"num_workers": 1, "prefetch_factor": -1}, {"persistent_workers": True},
    {"shuffle": True, "sampler": [0, 1]}, {"batch_sampler": [[0]], "batch_size": 2},
    {"batch_sampler": [[0]], "shuffle": True}, {"batch_sampler": [[0]], "drop_last": True},
    {"batch_sampler": [[0]], "sampler": [0]}, {"batch_size": None, "drop_last": True},
    {"multiprocessing_context": "fork"},
    {"num_workers": 1, "multiprocessing_context": "teleport"},
    {"num_workers": 1, "multiprocessing_context": 3},
], ids=lambda options: "-".join(options))
def test_argument_conflicts(options):
    check_error(lambda lib: _data(lib).DataLoader(list(range(4)), **options))


@pytest.mark.parametrize("options", [{"shuffle": True}, {"sampler": [0]},
                                     {"batch_sampler": [[0]]}])
def test_iterable_dataset_refuses_sampling_options(options):
    check_error(lambda lib: _data(lib).DataLoader(_stream(lib, 3), **options))


@pytest.mark.parametrize("attribute", ["batch_size", "sampler", "dataset", "drop_last"])
def test_attributes_are_frozen_after_construction(attribute):
    def action(lib):
        loader = _data(lib).DataLoader([1, 2, 3])
        setattr(loader, attribute, None)
    check_error(action)


def test_pin_memory_warns_without_an_accelerator_like_torch():
    messages = []
    for lib in (ember, torch):
        with pytest.warns(UserWarning) as record:
            list(_data(lib).DataLoader([1, 2], pin_memory=True))
        messages.append(sorted(str(w.message) for w in record))
    assert messages[0] == messages[1]


# ---- worker processes ------------------------------------------------------------------------

def test_workers_give_the_main_process_batches_in_order():
    dataset = _tensor_dataset(ember, 23)
    serial = list(ember.utils.data.DataLoader(dataset, batch_size=3))
    parallel = list(ember.utils.data.DataLoader(dataset, batch_size=3, num_workers=2))
    assert len(parallel) == len(serial) == 8
    for (a_x, a_y), (b_x, b_y) in zip(parallel, serial):
        assert a_x.tolist() == b_x.tolist() and a_y.tolist() == b_y.tolist()


def test_iterable_dataset_sharded_by_worker_info():
    loader = ember.utils.data.DataLoader(_stream(ember, 9), batch_size=2, num_workers=2)
    batches = [batch.tolist() for batch in loader]
    assert sorted(sum(batches, [])) == list(range(9))
    assert ember.utils.data.get_worker_info() is None


def test_persistent_workers_serve_several_epochs():
    loader = ember.utils.data.DataLoader(list(range(7)), batch_size=2, num_workers=2,
                                         persistent_workers=True)
    epochs = [[batch.tolist() for batch in loader] for _ in range(3)]
    assert epochs == [[[0, 1], [2, 3], [4, 5], [6]]] * 3


class _Failing(ember.utils.data.Dataset):
    def __getitem__(self, index):
        if index == 3:
            raise ValueError("sample 3 is corrupt")
        return index

    def __len__(self):
        return 6


def test_worker_errors_are_reraised_with_their_type_and_origin():
    loader = ember.utils.data.DataLoader(_Failing(), batch_size=2, num_workers=2)
    with pytest.raises(ValueError) as error:
        list(loader)
    assert "Caught ValueError in DataLoader worker process 1" in str(error.value)
    assert "sample 3 is corrupt" in str(error.value)


class _MissingKey:
    def __getitem__(self, index):
        raise KeyError(index)

    def __len__(self):
        return 2


def test_worker_key_errors_print_their_traceback_unquoted_like_torch():
    # KeyError's str() is its argument's repr; both libraries keep the message readable
    messages = []
    for lib in (ember, torch):
        with pytest.raises(KeyError) as error:
            list(lib.utils.data.DataLoader(_MissingKey(), num_workers=1))
        messages.append(str(error.value).splitlines()[:2])
    assert messages[0] == messages[1]
    assert messages[0][0] == "Caught KeyError in DataLoader worker process 0."


def test_worker_init_fn_and_seeds():
    def init(worker_id):
        info = ember.utils.data.get_worker_info()
        assert info.id == worker_id and info.num_workers == 2

    class Seeds(ember.utils.data.Dataset):
        def __getitem__(self, index):
            info = ember.utils.data.get_worker_info()
            return info.seed - info.id

        def __len__(self):
            return 4

    loader = ember.utils.data.DataLoader(Seeds(), batch_size=1, num_workers=2,
                                         worker_init_fn=init,
                                         generator=ember.Generator().manual_seed(0))
    base_seeds = {batch.item() for batch in loader}
    assert len(base_seeds) == 1


def test_timeout_without_workers_fails_on_iteration_like_torch():
    check_error(lambda lib: iter(_data(lib).DataLoader([1, 2], timeout=1.0)))


def test_workers_draw_different_numpy_streams():
    class Draws(ember.utils.data.Dataset):
        def __getitem__(self, index):
            return float(np.random.random())

        def __len__(self):
            return 2

    loader = ember.utils.data.DataLoader(Draws(), batch_size=1, num_workers=2)
    first, second = (batch.item() for batch in loader)
    assert first != second


def test_persistent_workers_restart_iterable_datasets_each_epoch():
    loader = ember.utils.data.DataLoader(_stream(ember, 7), batch_size=2, num_workers=2,
                                         persistent_workers=True)
    for _ in range(2):
        assert sorted(sum([batch.tolist() for batch in loader], [])) == list(range(7))


def test_shuffle_without_a_generator_follows_the_global_seed():
    def epoch():
        ember.manual_seed(123)
        loader = ember.utils.data.DataLoader(list(range(9)), batch_size=9, shuffle=True)
        return next(iter(loader)).tolist()
    assert epoch() == epoch()
    assert sorted(epoch()) == list(range(9))
