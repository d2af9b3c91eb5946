"""Embedding and EmbeddingBag against torch: lookups and weight gradients (padding rows,
scale_grad_by_freq, max_norm renormalisation), bags in sum/mean/max modes with offsets,
include_last_offset, per_sample_weights and padding_idx, from_pretrained, printouts, init and
errors."""
import numpy as np
import pytest
import torch

import ember
from module_oracle import compare_module, same_repr
from oracle import Input, check, check_error, grad_input

RNG = np.random.default_rng(0)
WEIGHT = RNG.standard_normal((7, 4))
INDICES = np.array([[1, 3, 3], [0, 6, 1]])


def _f(lib):
    return lib.nn.functional


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("options", [{}, {"padding_idx": 3}, {"padding_idx": -1},
                                     {"scale_grad_by_freq": True},
                                     {"padding_idx": 1, "scale_grad_by_freq": True}])
def test_embedding_matches_torch(options, dtype):
    check(lambda lib, i, w: _f(lib).embedding(i, w, **options), INDICES,
          grad_input(WEIGHT.astype(dtype)))


def test_embedding_int32_indices_and_scalar_index():
    check(lambda lib, i, w: _f(lib).embedding(i, w), INDICES.astype(np.int32),
          grad_input(WEIGHT))
    check(lambda lib, i, w: _f(lib).embedding(i, w), np.array(2), grad_input(WEIGHT))


def test_embedding_double_backward():
    cotangent_array = RNG.standard_normal((2, 3, 4))

    def run(lib):
        weight = lib.tensor(WEIGHT, requires_grad=True)
        out = _f(lib).embedding(lib.tensor(INDICES), weight, padding_idx=0)
        cotangent = lib.tensor(cotangent_array, requires_grad=True)
        (grad,) = lib.autograd.grad(out, weight, cotangent, create_graph=True)
        (second,) = lib.autograd.grad((grad * lib.tensor(WEIGHT)).sum(), cotangent)
        return grad.detach().numpy(), second.numpy()
    for a, b in zip(run(ember), run(torch)):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_max_norm_renormalises_looked_up_rows_in_place():
    def run(lib, w):
        weight = w * 1
        out = _f(lib).embedding(lib.tensor([[1, 3], [3, 5]]), weight, max_norm=1.2,
                                norm_type=1.5)
        return out, weight
    check(run, grad_input(WEIGHT))


BAG_CASES = {
    "mean_offsets": (np.array([1, 2, 4, 5, 4, 3, 2, 6]), {"offsets": [0, 4, 4]}),
    "sum_offsets": (np.array([1, 2, 4, 5, 4, 3, 2, 6]), {"offsets": [0, 2, 5], "mode": "sum"}),
    "max_offsets": (np.array([1, 2, 4, 5, 4, 3, 2, 6]), {"offsets": [0, 3, 3], "mode": "max"}),
    "mean_2d": (INDICES, {}),
    "max_2d": (INDICES, {"mode": "max"}),
    "sum_per_sample": (np.array([1, 2, 4, 5, 4]), {"offsets": [0, 2], "mode": "sum",
                                                    "per_sample_weights": True}),
    "last_offset": (np.array([1, 2, 4, 5, 4]), {"offsets": [0, 2, 5], "mode": "sum",
                                                 "include_last_offset": True}),
    "padding": (np.array([1, 2, 4, 2, 2]), {"offsets": [0, 2, 3], "padding_idx": 2}),
    "padding_sum": (np.array([1, 2, 4, 2, 2]), {"offsets": [0, 2], "mode": "sum",
                                                 "padding_idx": 2}),
}


@pytest.mark.parametrize("name", list(BAG_CASES))
def test_embedding_bag_matches_torch(name):
    indices, options = BAG_CASES[name]
    options = dict(options)
    inputs = [indices, grad_input(WEIGHT)]
    if options.pop("per_sample_weights", False):
        inputs.append(grad_input(RNG.uniform(0.5, 2, indices.shape)))
    offsets = options.pop("offsets", None)

    def run(lib, i, w, *per_sample):
        offset_tensor = None if offsets is None else lib.tensor(offsets)
        weights = per_sample[0] if per_sample else None
        return _f(lib).embedding_bag(i, w, offset_tensor, per_sample_weights=weights,
                                     **options)
    check(run, *inputs)


def test_embedding_modules_match_torch():
    def build(nn):
        return lambda lib: getattr(lib.nn, nn[0])(*nn[1], **nn[2])
    for spec in [("Embedding", (7, 4), {"padding_idx": 2}),
                 ("Embedding", (7, 4), {"max_norm": 1.0})]:
        compare_module(build(spec), INDICES, steps=2)
    compare_module(lambda lib: lib.nn.EmbeddingBag(7, 4, mode="max"), INDICES, steps=2)
    compare_module(lambda lib: lib.nn.EmbeddingBag(7, 4, mode="sum", padding_idx=1),
                   INDICES, steps=2)


def test_embedding_init_and_padding_row():
    ember.manual_seed(0)
    module = ember.nn.Embedding(2000, 8, padding_idx=5)
    weight = module.weight.detach().numpy()
    assert not weight[5].any()
    assert abs(weight.mean()) < 0.02 and abs(weight.std() - 1) < 0.02
    assert module.weight.requires_grad and [n for n, _ in module.named_parameters()] == ["weight"]


def test_from_pretrained():
    def run(lib, w):
        module = lib.nn.Embedding.from_pretrained(w, padding_idx=1)
        frozen = module.weight.requires_grad
        unfrozen = lib.nn.Embedding.from_pretrained(w, freeze=False).weight.requires_grad
        bag = lib.nn.EmbeddingBag.from_pretrained(w, mode="sum")
        return (module(lib.tensor(INDICES)), frozen, unfrozen, bag.weight.requires_grad,
                bag(lib.tensor(INDICES)))
    check(run, WEIGHT)


@pytest.mark.parametrize("build", [
    lambda nn: nn.Embedding(5, 3), lambda nn: nn.Embedding(5, 3, padding_idx=0, max_norm=1.0),
    lambda nn: nn.Embedding(5, 3, norm_type=1.0, scale_grad_by_freq=True, sparse=True),
    lambda nn: nn.EmbeddingBag(5, 3), lambda nn: nn.EmbeddingBag(5, 3, mode="max"),
    lambda nn: nn.EmbeddingBag(5, 3, max_norm=2.0, padding_idx=-1, scale_grad_by_freq=True)])
def test_repr(build):
    same_repr(lambda lib: build(lib.nn))


def test_errors():
    w = Input(WEIGHT)
    check_error(lambda lib, w: _f(lib).embedding(lib.tensor([1, 7]), w), w)
    check_error(lambda lib, w: _f(lib).embedding(lib.tensor([1, -1]), w), w)
    check_error(lambda lib, w: _f(lib).embedding(lib.tensor([1.0, 2.0]), w), w)
    check_error(lambda lib, w: _f(lib).embedding(lib.tensor([1, 2]), w, padding_idx=9), w)
    check_error(lambda lib, w: _f(lib).embedding(lib.tensor([1, 2]), w, padding_idx=-9), w)
    check_error(lambda lib, w: _f(lib).embedding_bag(lib.tensor([1, 2]), w), w)
    check_error(lambda lib, w: _f(lib).embedding_bag(lib.tensor([[1, 2]]), w,
                                                     lib.tensor([0])), w)
    check_error(lambda lib, w: _f(lib).embedding_bag(lib.tensor([1, 2]), w, lib.tensor([0]),
                                                     mode="max",
                                                     per_sample_weights=lib.ones(2)), w)
    check_error(lambda lib, w: _f(lib).embedding_bag(lib.tensor([1, 2]), w, lib.tensor([0]),
                                                     mode="foo"), w)
    check_error(lambda lib, w: _f(lib).embedding_bag(lib.tensor([1, 9]), w,
                                                     lib.tensor([0])), w)
    check_error(lambda lib, w: _f(lib).embedding_bag(lib.tensor([1, 2]), w,
                                                     lib.tensor([1])), w)
    check_error(lambda lib, w: _f(lib).embedding_bag(lib.tensor([1, 2]), w, lib.tensor([0]),
                                                     per_sample_weights=lib.ones(3)), w)
    check_error(lambda lib, w: lib.nn.Embedding(5, 3, padding_idx=7), w)
    check_error(lambda lib, w: lib.nn.EmbeddingBag(5, 3, padding_idx=-7), w)
    check_error(lambda lib, w: lib.nn.Embedding.from_pretrained(w[0]), w)
    check_error(lambda lib, w: lib.nn.Embedding(5, 3, _weight=w), w)


@pytest.mark.parametrize("indices", [[3, 1, 12, -11], [[1, 2], [3, 7]], [-1], [2.0], [-1, 9]])
@pytest.mark.parametrize("bag", [False, True])
def test_max_norm_errors_come_from_the_renorm_with_rows_before_rescaled(indices, bag):
    # torch renormalises the sorted distinct rows first (select() fails on the first one out
    # of range, the rows before it already rescaled), then the lookup checks its indices
    def run(lib, w):
        index = lib.tensor(indices)
        try:
            if bag:
                _f(lib).embedding_bag(index.view(-1), w, lib.tensor([0]), max_norm=1.0)
            else:
                _f(lib).embedding(index, w, max_norm=1.0)
        finally:
            run.weights.append(w.detach().numpy().copy())

    run.weights = []
    check_error(run, WEIGHT.astype(np.float32))
    np.testing.assert_allclose(run.weights[1], run.weights[0], rtol=1e-6)


@pytest.mark.parametrize("indices, offsets", [([1, 9], [0]), ([-1], [0]), ([[1, 2]], None),
                                              ([1.0], [0])])
@pytest.mark.parametrize("index_dtype", ["int16", "int64"])
@pytest.mark.parametrize("dtype, mode, padding", [(np.float32, "sum", None),
                                                  (np.float32, "max", None),
                                                  (np.float32, "mean", 0),
                                                  (np.float64, "mean", None)])
def test_embedding_bag_index_errors(indices, offsets, index_dtype, dtype, mode, padding):
    # ATen checks the dtype common to indices and offsets, so int16 indices pass with
    # int64 offsets but not alone; the range error's wording depends on the kernel
    def run(lib, w):
        index = lib.tensor(indices)
        if not index.is_floating_point():
            index = index.to(getattr(lib, index_dtype))
        offsets_tensor = None if offsets is None else lib.tensor(offsets)
        return _f(lib).embedding_bag(index, w, offsets_tensor, mode=mode, padding_idx=padding)

    if index_dtype == "int16" and indices == [[1, 2]]:
        check_error(run, WEIGHT.astype(dtype))
    elif indices in ([1, 9], [-1], [1.0]):
        check_error(run, WEIGHT.astype(dtype))
    else:
        check(run, WEIGHT.astype(dtype))
