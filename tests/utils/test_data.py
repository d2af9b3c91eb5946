"""Datasets, samplers, random_split and collation against torch.utils.data. Random streams
are NumPy-based in ember, so random results are checked for coverage and reproducibility;
everything deterministic is compared with torch exactly."""
import collections
import warnings

import numpy as np
import pytest

import ember
from oracle import assert_matches, check_error, torch

Point = collections.namedtuple("Point", ["x", "y"])


def _data(lib):
    return lib.utils.data


def _tensors(lib, n=5):
    return (lib.arange(n * 2, dtype=lib.float32).reshape(n, 2), lib.arange(n))


# ---- datasets --------------------------------------------------------------------------------

def test_tensor_dataset_items_and_length_match_torch():
    mine = _data(ember).TensorDataset(*_tensors(ember))
    theirs = _data(torch).TensorDataset(*_tensors(torch))
    assert len(mine) == len(theirs) == 5
    for index in (0, 3, -1, slice(1, 4)):
        assert_matches(mine[index], theirs[index])


def test_tensor_dataset_size_mismatch():
    check_error(lambda lib: _data(lib).TensorDataset(lib.zeros(3, 2), lib.zeros(4)))


def test_concat_and_subset_and_stack_datasets_match_torch():
    results = []
    for lib in (ember, torch):
        data = _data(lib)
        concat = data.ConcatDataset([list(range(3)), list(range(10, 14))]) + [100]
        subset = data.Subset(concat, [6, 0, 4])
        stacked = data.StackDataset(list("abc"), [1.0, 2.0, 3.0])
        keyed = data.StackDataset(letter=list("abc"), number=[1, 2, 3])
        results.append((len(concat), [concat[i] for i in range(-8, 8)], concat.cumulative_sizes,
                        len(subset), [subset[i] for i in range(3)], subset.__getitems__([0, 2]),
                        stacked[1], keyed[2], len(keyed)))
    assert results[0] == results[1]


def test_stack_dataset_fetches_batches_like_torch():
    # __getitems__ batches through a nested dataset's own __getitems__ (a Subset here) and
    # indexes the others one by one; the DataLoader then collates the list it returns
    results = []
    for lib in (ember, torch):
        data = _data(lib)
        features, labels = _tensors(lib)
        subset = data.Subset(data.TensorDataset(features), [4, 3, 2, 1, 0])
        stacked = data.StackDataset(subset, labels)
        keyed = data.StackDataset(x=features, y=subset)
        loader = data.DataLoader(keyed, batch_size=3)
        batches = [(batch["x"], batch["y"]) for batch in loader]
        results.append((stacked.__getitems__([0, 2]),
                        [(sorted(item), item["x"], item["y"]) for item in keyed.__getitems__([1])],
                        batches))
    assert_matches(results[0], results[1])


def test_stack_dataset_nested_batch_of_the_wrong_size():
    def build(lib):
        class Short(_data(lib).Dataset):
            def __len__(self):
                return 3

            def __getitems__(self, indices):
                return [0]
        return _data(lib).StackDataset(Short(), [1, 2, 3]).__getitems__([0, 1])
    check_error(build)


@pytest.mark.parametrize("size, replicas, drop_last", [
    (10, 3, False), (10, 3, True), (9, 3, False), (2, 5, False), (7, 2, True), (1, 4, False)])
def test_distributed_sampler_shares_match_torch(size, replicas, drop_last):
    results = []
    for lib in (ember, torch):
        samplers = [_data(lib).DistributedSampler(list(range(size)), num_replicas=replicas,
                                                  rank=rank, shuffle=False, drop_last=drop_last)
                    for rank in range(replicas)]
        results.append([(list(s), len(s), s.total_size) for s in samplers])
    assert results[0] == results[1]


def test_distributed_sampler_shuffles_one_permutation_per_epoch():
    # every replica draws the same seeded permutation, so their shares partition the dataset
    samplers = [ember.utils.data.DistributedSampler(range(12), num_replicas=3, rank=rank,
                                                    seed=5) for rank in range(3)]
    first = [list(sampler) for sampler in samplers]
    assert sorted(sum(first, [])) == list(range(12))
    for sampler in samplers:
        sampler.set_epoch(1)
    second = [list(sampler) for sampler in samplers]
    assert sorted(sum(second, [])) == list(range(12)) and second != first
    assert [list(sampler) for sampler in samplers] == second


@pytest.mark.parametrize("options", [{}, {"num_replicas": 2}, {"num_replicas": 2, "rank": 2},
                                     {"num_replicas": 2, "rank": -1}])
def test_distributed_sampler_errors(options):
    check_error(lambda lib: _data(lib).DistributedSampler(range(4), **options))


@pytest.mark.parametrize("build", [
    lambda data: data.ConcatDataset([]),
    lambda data: data.ConcatDataset([[1, 2]])[-3],
    lambda data: data.StackDataset([1, 2], [1]),
    lambda data: data.StackDataset(a=[1, 2], b=[1]),
    lambda data: data.StackDataset([1], a=[1]),
    lambda data: data.StackDataset(),
    lambda data: data.Dataset()[0],
], ids=["concat-empty", "concat-index", "stack-size", "stack-keys", "stack-both", "stack-none",
        "abstract-getitem"])
def test_dataset_errors(build):
    check_error(lambda lib: build(_data(lib)))


class _Stream:
    """An iterable dataset over 0..n-1, defined per library."""

    @staticmethod
    def make(lib, n):
        class Stream(_data(lib).IterableDataset):
            def __iter__(self):
                return iter(range(n))

            def __len__(self):
                return n
        return Stream()


def test_iterable_datasets_chain_and_refuse_concat():
    for lib in (ember, torch):
        chained = _Stream.make(lib, 3) + _Stream.make(lib, 2)
        assert list(chained) == [0, 1, 2, 0, 1] and len(chained) == 5
    check_error(lambda lib: _data(lib).ConcatDataset([_Stream.make(lib, 3)]))
    check_error(lambda lib: list(_data(lib).ChainDataset([[1, 2]])))


def test_iterable_dataset_without_iter_cannot_be_created():
    def build(lib):
        class Empty(_data(lib).IterableDataset):
            pass
        return Empty()
    with pytest.raises(TypeError):
        build(ember)
    with pytest.raises(TypeError):
        build(torch)


def test_subset_overriding_getitem_only_is_refused():
    def build(lib):
        class Doubled(_data(lib).Subset):
            def __getitem__(self, index):
                return 2 * super().__getitem__(index)
        return Doubled([1, 2, 3], [0, 1])
    check_error(build)


# ---- random_split ------------------------------------------------------------------------------

@pytest.mark.parametrize("n, lengths", [
    (10, [3, 7]), (10, [0.3, 0.7]), (11, [0.5, 0.5]), (7, [0.2, 0.2, 0.6]), (5, [0.1, 0.9]),
    (13, [1 / 3, 1 / 3, 1 / 3]), (100, [0.25, 0.25, 0.25, 0.25]),
])
def test_random_split_sizes_match_torch_and_cover_the_dataset(n, lengths):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mine = _data(ember).random_split(range(n), lengths,
                                         generator=ember.Generator().manual_seed(1))
        theirs = _data(torch).random_split(range(n), lengths,
                                           generator=torch.Generator().manual_seed(1))
    assert [len(part) for part in mine] == [len(part) for part in theirs]
    indices = [index for part in mine for index in part.indices]
    assert sorted(indices) == list(range(n))


def test_random_split_is_reproducible_with_a_generator():
    def split(seed):
        parts = _data(ember).random_split(list(range(20)), [5, 15],
                                          generator=ember.Generator().manual_seed(seed))
        return [list(part) for part in parts]
    assert split(3) == split(3)
    assert split(3) != split(4)


def test_random_split_warns_about_empty_splits_like_torch():
    messages = []
    for lib in (ember, torch):
        with pytest.warns(UserWarning) as record:
            _data(lib).random_split(range(1), [0.1, 0.9])
        messages.append([str(w.message) for w in record])
    assert messages[0] == messages[1]


@pytest.mark.parametrize("lengths", [[3, 3], [1.2, -0.2], [0.5, 0.6]])
def test_random_split_errors(lengths):
    check_error(lambda lib: _data(lib).random_split(range(10), lengths))


# ---- samplers --------------------------------------------------------------------------------

@pytest.mark.parametrize("batch_size, drop_last", [(1, False), (3, False), (3, True), (4, True),
                                                   (10, False), (10, True)])
def test_sequential_and_batch_samplers_match_torch(batch_size, drop_last):
    results = []
    for lib in (ember, torch):
        data = _data(lib)
        sampler = data.BatchSampler(data.SequentialSampler(range(7)), batch_size, drop_last)
        results.append((list(sampler), len(sampler), list(data.SequentialSampler(range(4)))))
    assert results[0] == results[1]


def test_random_sampler_permutes_and_is_reproducible():
    data = _data(ember)
    sampler = data.RandomSampler(range(10), generator=ember.Generator().manual_seed(5))
    first = list(sampler)
    assert sorted(first) == list(range(10)) and len(sampler) == 10
    again = data.RandomSampler(range(10), generator=ember.Generator().manual_seed(5))
    assert list(again) == first
    longer = data.RandomSampler(range(4), num_samples=10, generator=ember.Generator())
    drawn = list(longer)
    assert len(drawn) == 10 and sorted(drawn[:4]) == sorted(drawn[4:8]) == [0, 1, 2, 3]


def test_random_sampler_with_replacement_draws_in_range():
    sampler = _data(ember).RandomSampler(range(6), replacement=True, num_samples=70,
                                         generator=ember.Generator().manual_seed(0))
    drawn = list(sampler)
    assert len(drawn) == 70 == len(sampler)
    assert set(drawn) <= set(range(6)) and len(set(drawn)) == 6


def test_subset_random_and_weighted_samplers():
    data = _data(ember)
    generator = ember.Generator().manual_seed(2)
    subset = list(data.SubsetRandomSampler([10, 20, 30, 40], generator=generator))
    assert sorted(subset) == [10, 20, 30, 40]
    weighted = data.WeightedRandomSampler([0.0, 1.0, 3.0, 0.0], 200, generator=generator)
    drawn = list(weighted)
    assert len(drawn) == 200 and set(drawn) == {1, 2}
    assert drawn.count(2) > drawn.count(1)
    unique = list(data.WeightedRandomSampler([1.0, 1.0, 1.0], 3, replacement=False))
    assert sorted(unique) == [0, 1, 2]
    assert_matches(data.WeightedRandomSampler([1, 2], 3).weights,
                   _data(torch).WeightedRandomSampler([1, 2], 3).weights)


@pytest.mark.parametrize("build", [
    lambda data: data.RandomSampler(range(3), replacement=1),
    lambda data: data.RandomSampler(range(3), num_samples=0),
    lambda data: data.RandomSampler([]),
    lambda data: data.WeightedRandomSampler([1.0, 2.0], num_samples=0),
    lambda data: data.WeightedRandomSampler([1.0, 2.0], num_samples=True),
    lambda data: data.WeightedRandomSampler([1.0, 2.0], num_samples=2, replacement=None),
    lambda data: data.WeightedRandomSampler([[1.0, 2.0]], num_samples=2),
    lambda data: data.BatchSampler(range(3), batch_size=0, drop_last=False),
    lambda data: data.BatchSampler(range(3), batch_size=True, drop_last=False),
    lambda data: data.BatchSampler(range(3), batch_size=2, drop_last=1),
], ids=["replacement", "num-samples", "empty", "weighted-num", "weighted-bool",
        "weighted-replacement", "weighted-2d", "batch-zero", "batch-bool", "drop-last"])
def test_sampler_errors(build):
    check_error(lambda lib: build(_data(lib)))


# ---- collation -------------------------------------------------------------------------------

SAMPLES = {
    "floats": [1.5, 2.0, -3.25],
    "ints": [1, 2, 3],
    "bools": [True, False, True],
    "strings": ["a", "bc", "d"],
    "bytes": [b"a", b"b", b"c"],
    "numpy-arrays": [np.arange(3, dtype=np.int32) + i for i in range(3)],
    "numpy-scalars": [np.float32(1.5), np.float32(2.5), np.float32(0.0)],
    "numpy-bools": [np.bool_(True), np.bool_(False), np.bool_(True)],
    "tuples": [(1, 2.0, "x"), (3, 4.0, "y"), (5, 6.0, "z")],
    "lists": [[1, 2], [3, 4], [5, 6]],
    "dicts": [{"a": i, "b": float(i), "c": np.array([i, i], dtype=np.float64)}
              for i in range(3)],
    "named-tuples": [Point(i, float(i)) for i in range(3)],
    "nested": [{"pair": (i, [float(i), 2.0 * i]), "meta": {"name": str(i)}} for i in range(3)],
}


def _with_tensors(lib, samples):
    if samples == "tensors":
        return [lib.arange(4, dtype=lib.float64).reshape(2, 2) + i for i in range(3)]
    if samples == "tensor-tuples":
        return [(lib.tensor([i, i + 1]), lib.tensor(float(i))) for i in range(3)]
    return SAMPLES[samples]


@pytest.mark.parametrize("samples", list(SAMPLES) + ["tensors", "tensor-tuples"])
def test_default_collate_matches_torch(samples):
    mine = _data(ember).default_collate(_with_tensors(ember, samples))
    theirs = _data(torch).default_collate(_with_tensors(torch, samples))
    _assert_same_structure(mine, theirs)


@pytest.mark.parametrize("samples", ["numpy-arrays", "dicts", "tuples", "named-tuples",
                                     "numpy-scalars", "strings", "nested"])
def test_default_convert_matches_torch(samples):
    for sample in SAMPLES[samples]:
        _assert_same_structure(_data(ember).default_convert(sample),
                               _data(torch).default_convert(sample))


def _assert_same_structure(mine, theirs, where="batch"):
    if isinstance(theirs, torch.Tensor):
        assert_matches(mine, theirs, where=where)
    elif isinstance(theirs, dict):
        assert type(mine) is type(theirs) and list(mine) == list(theirs), where
        for key in theirs:
            _assert_same_structure(mine[key], theirs[key], f"{where}[{key!r}]")
    elif isinstance(theirs, (list, tuple)):
        assert type(mine) is type(theirs) and len(mine) == len(theirs), where
        for position, (a, b) in enumerate(zip(mine, theirs)):
            _assert_same_structure(a, b, f"{where}[{position}]")
    elif isinstance(theirs, np.ndarray):
        np.testing.assert_array_equal(mine, theirs)
    else:
        assert mine == theirs, where


@pytest.mark.parametrize("batch", [
    [np.array(["a"]), np.array(["b"])],
    [[1, 2], [3]],
    [object(), object()],
    [{1, 2}, {3, 4}],
], ids=["string-arrays", "ragged", "object", "set"])
def test_default_collate_errors(batch):
    check_error(lambda lib: _data(lib).default_collate(batch))


class _Point:
    def __init__(self, x):
        self.x = x


def test_custom_types_collate_through_the_documented_fn_map_like_torch():
    results = []
    for lib in (ember, torch):
        module = lib.utils.data._utils.collate

        def collate_point(batch, *, collate_fn_map=None):
            return lib.tensor([point.x for point in batch])

        table = {**module.default_collate_fn_map, _Point: collate_point}
        batch = [{"p": _Point(1.5), "y": (1, "a")}, {"p": _Point(2.5), "y": (2, "b")}]
        collated = module.collate(batch, collate_fn_map=table)
        results.append((collated["p"], collated["y"]))
        assert module.default_collate is lib.utils.data.default_collate
    assert_matches(results[0], results[1])
