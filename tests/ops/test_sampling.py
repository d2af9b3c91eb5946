"""Randomness: ember's streams are NumPy's, so values are checked statistically (ranges and
moments) and for reproducibility; shapes, dtypes, grad_fn names, gradients and errors are
compared with torch."""
import numpy as np
import pytest
import torch

import ember
from oracle import assert_matches, check_error, dtype_name

N = 20000


def _same_metadata(mine, theirs):
    assert dtype_name(mine.dtype) == dtype_name(theirs.dtype)
    assert tuple(mine.shape) == tuple(theirs.shape)
    assert mine.requires_grad == theirs.requires_grad
    names = [type(t.grad_fn).__name__ if t.grad_fn is not None else None
             for t in (mine, theirs)]
    assert names[0] == names[1]


def _both(call):
    """call(lib) on both libraries; asserts dtype, shape, requires_grad and grad_fn agree."""
    mine, theirs = call(ember), call(torch)
    _same_metadata(mine, theirs)
    return mine


def _values(tensor):
    array = tensor.detach().numpy()
    return array.astype(np.float64) if array.dtype.kind != "c" else array


# ---- seeding and generators -----------------------------------------------------------------

def test_manual_seed_reproduces_every_stream():
    def draw():
        return [ember.rand(5), ember.randn(5), ember.randint(0, 100, (5,)), ember.randperm(5),
                ember.normal(0.0, 1.0, (5,)), ember.zeros(5).uniform_(),
                ember.multinomial(ember.ones(5), 3)]
    generator = ember.manual_seed(1234)
    assert generator is ember.default_generator
    first = draw()
    ember.manual_seed(1234)
    for a, b in zip(first, draw()):
        assert np.array_equal(a.numpy(), b.numpy())
    assert ember.initial_seed() == 1234


def test_known_values_for_a_seed_are_stable():
    # NumPy's PCG64 stream: the same seed gives these numbers on every run and machine
    ember.manual_seed(0)
    expected = np.random.Generator(np.random.PCG64(0)).random(3, dtype=np.float32)
    assert np.array_equal(ember.rand(3).numpy(), expected)


def test_generator_objects_are_independent():
    g1 = ember.Generator().manual_seed(7)
    g2 = ember.Generator().manual_seed(7)
    ember.manual_seed(99)
    a = ember.randn(4, generator=g1)
    ember.randn(10)
    b = ember.randn(4, generator=g2)
    assert np.array_equal(a.numpy(), b.numpy())
    assert g1.initial_seed() == 7 and g1.device == ember.device("cpu")


def test_generator_state_round_trip():
    g = ember.Generator().manual_seed(3)
    ember.rand(2, generator=g)
    state = g.get_state()
    assert state.dtype is ember.uint8 and state.dim() == 1
    first = ember.rand(4, generator=g)
    g.set_state(state)
    assert np.array_equal(ember.rand(4, generator=g).numpy(), first.numpy())
    assert g.clone_state().initial_seed() == 3
    saved = ember.get_rng_state()
    expected = ember.rand(3)
    ember.set_rng_state(saved)
    assert np.array_equal(ember.rand(3).numpy(), expected.numpy())


def test_seed_and_initial_seed():
    value = ember.seed()
    assert ember.initial_seed() == value and 0 <= value < 2**64
    assert ember.Generator().initial_seed() == torch.Generator().initial_seed()


@pytest.mark.parametrize("value", [-1, 2**64 - 1, 1.5, 0])
def test_manual_seed_values(value):
    assert ember.manual_seed(value).initial_seed() == torch.manual_seed(value).initial_seed()


@pytest.mark.parametrize("call", [
    lambda lib: lib.manual_seed(2**64),
    lambda lib: lib.manual_seed("a"),
    lambda lib: lib.Generator().set_state(lib.zeros(3)),
])
def test_seed_errors(call):
    check_error(call)


def test_set_state_of_wrong_size():
    with pytest.raises(RuntimeError, match="Expected a CPUGeneratorImplState of size 45 but "
                                           "found the input RNG state size to be 3"):
        ember.Generator().set_state(ember.zeros(3, dtype=ember.uint8))


# ---- random creation ------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32", "float64"])
def test_rand_range_and_moments(dtype):
    sample = _both(lambda lib: lib.rand(N, dtype=getattr(lib, dtype)))
    values = _values(sample)
    assert values.min() >= 0 and values.max() < 1
    assert abs(values.mean() - 0.5) < 0.02 and abs(values.var() - 1 / 12) < 0.01


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_randn_moments(dtype):
    values = _values(_both(lambda lib: lib.randn(N, dtype=getattr(lib, dtype))))
    assert abs(values.mean()) < 0.05 and abs(values.std() - 1) < 0.05


def test_complex_rand_and_randn():
    uniform = _values(_both(lambda lib: lib.rand(N, dtype=lib.complex64)))
    assert 0 <= uniform.real.min() and uniform.imag.max() < 1
    normal = _values(_both(lambda lib: lib.randn(N, dtype=lib.complex128)))
    assert abs(np.mean(np.abs(normal) ** 2) - 1) < 0.05
    assert abs(normal.real.var() - 0.5) < 0.05


@pytest.mark.parametrize("size", [((),), (0,), (2, 3), ((2, 3),), ([4],)])
def test_creation_shapes(size):
    for name in ("rand", "randn"):
        _both(lambda lib: getattr(lib, name)(*size))
    _both(lambda lib: lib.rand(*size, requires_grad=True, dtype=lib.float64))


def test_out_and_device():
    _both(lambda lib: lib.rand(2, 3, out=lib.zeros(1)))
    _both(lambda lib: lib.randn(2, device="cpu", generator=lib.Generator()))


@pytest.mark.parametrize("args", [(5, (3,)), (3, 10, (2, 2)), (-5, 5, (N,)), (0, 1, (4,))])
@pytest.mark.parametrize("dtype", [None, "int32", "int64", "float32", "int8"])
def test_randint(args, dtype):
    options = {} if dtype is None else {"dtype": dtype}
    sample = _both(lambda lib: lib.randint(*args, **{k: getattr(lib, v)
                                                      for k, v in options.items()}))
    low, high = (0, args[0]) if len(args) == 2 else args[:2]
    values = _values(sample)
    assert values.min() >= low and values.max() < high
    assert np.all(values == np.round(values))
    if values.size == N:
        assert set(np.unique(values)) == set(range(low, high))


def test_randint_keywords_and_bool():
    _both(lambda lib: lib.randint(high=5, size=(3,)))
    _both(lambda lib: lib.randint(0, 2, (4,), dtype=lib.bool))
    _both(lambda lib: lib.randint(0, 5, size=(2,), generator=lib.Generator()))


@pytest.mark.parametrize("n", [0, 1, 10])
def test_randperm_is_a_permutation(n):
    sample = _both(lambda lib: lib.randperm(n))
    assert sorted(sample.tolist()) == list(range(n))
    _both(lambda lib: lib.randperm(n, dtype=lib.float32))


@pytest.mark.parametrize("name", ["rand_like", "randn_like"])
def test_like_variants(name):
    source = np.zeros((3, 4), np.float64)
    for layout in (lambda t: t, lambda t: t.t(), lambda t: t[:, ::2]):
        mine = getattr(ember, name)(layout(ember.from_numpy(source)))
        theirs = getattr(torch, name)(layout(torch.from_numpy(source)))
        _same_metadata(mine, theirs)
        assert mine.stride() == theirs.stride()
    _both(lambda lib: getattr(lib, name)(lib.zeros(2), dtype=lib.float16, requires_grad=True))


def test_randint_like():
    sample = _both(lambda lib: lib.randint_like(lib.zeros(100), 5))
    assert 0 <= sample.min().item() and sample.max().item() < 5
    sample = _both(lambda lib: lib.randint_like(lib.zeros(100, dtype=lib.int32), 2, 5))
    assert 2 <= sample.min().item() and sample.max().item() < 5
    _both(lambda lib: lib.randint_like(lib.zeros(3), 0, 5, dtype=lib.int64))


@pytest.mark.parametrize("call", [
    lambda lib: lib.rand(2, dtype=lib.int64),
    lambda lib: lib.randn(2, dtype=lib.int64),
    lambda lib: lib.rand(-1),
    lambda lib: lib.randn(2, -1),
    lambda lib: lib.rand(2, dtype="float"),
    lambda lib: lib.randn(),
    lambda lib: lib.rand(2, generator=5),
    lambda lib: lib.randint(0, 5, (2,), dtype="a"),
    lambda lib: lib.randint(0, 5, (2,), generator=3),
    lambda lib: lib.randint(5, 5, (2,)),
    lambda lib: lib.randint(3, 1, (2,)),
    lambda lib: lib.randint(5, 2),
    lambda lib: lib.randint(0, 300, (2,), dtype=lib.uint8),
    lambda lib: lib.randint(-1, 3, (2,), dtype=lib.uint8),
    lambda lib: lib.randint(3, (-1,)),
    lambda lib: lib.randperm(-1),
    lambda lib: lib.randperm(3.5),
    lambda lib: lib.rand_like(lib.zeros(2, dtype=lib.int64)),
    lambda lib: lib.randn_like([1.0]),
    lambda lib: lib.rand(2, device="cuda"),
])
def test_creation_errors(call):
    check_error(call)


# ---- distributions with tensor parameters ---------------------------------------------------

def test_normal_overloads():
    mean = np.full(N, 3.0, np.float32)
    std = np.full(N, 2.0, np.float32)
    for call in (lambda lib: lib.normal(lib.from_numpy(mean), lib.from_numpy(std)),
                 lambda lib: lib.normal(lib.from_numpy(mean), 2.0),
                 lambda lib: lib.normal(3.0, lib.from_numpy(std)),
                 lambda lib: lib.normal(3.0, 2.0, (N,)),
                 lambda lib: lib.normal(3, 2, size=(N,), dtype=lib.float64)):
        values = _values(_both(call))
        assert abs(values.mean() - 3) < 0.1 and abs(values.std() - 2) < 0.1
    _both(lambda lib: lib.normal(lib.zeros(2, 1), lib.ones(3)))
    _both(lambda lib: lib.normal(lib.zeros(2), lib.ones(2, dtype=lib.float64)))


@pytest.mark.parametrize("call", [
    lambda lib, x: lib.normal(x, 1.0),
    lambda lib, x: lib.normal(0.0, x),
    lambda lib, x: lib.normal(x, x),
    lambda lib, x: lib.bernoulli(x),
    lambda lib, x: lib.poisson(x),
    lambda lib, x: (x * 2).uniform_(),
    lambda lib, x: (x * 2).normal_(),
    lambda lib, x: (x * 2).exponential_(),
    lambda lib, x: (x * 2).bernoulli_(0.5),
    lambda lib, x: (x * 2).bernoulli_(lib.tensor([0.5, 0.5])),
    lambda lib, x: (x * 2).random_(),
    lambda lib, x: (x * 2).random_(3),
    lambda lib, x: (x * 2).random_(1, 3),
    lambda lib, x: (x * 2).fill_(1.0),
    lambda lib, x: (x * 2).fill_(lib.tensor(1.0)),
    lambda lib, x: (x * 2).zero_(),
])
def test_random_ops_graph_and_zero_gradients(call):
    """Random draws carry torch's grad_fn and give zero gradients, as torch's do."""
    mine_input = ember.tensor([0.5, 1.0], requires_grad=True)
    theirs_input = torch.tensor([0.5, 1.0], requires_grad=True)
    mine, theirs = call(ember, mine_input), call(torch, theirs_input)
    _same_metadata(mine, theirs)
    mine.sum().backward()
    theirs.sum().backward()
    assert_matches(mine_input.grad, theirs_input.grad)


def test_bernoulli_and_poisson_statistics():
    probabilities = np.linspace(0, 1, 5, dtype=np.float32).repeat(N // 5)
    draws = _values(_both(lambda lib: lib.bernoulli(lib.from_numpy(probabilities))))
    assert set(np.unique(draws)) <= {0.0, 1.0}
    assert abs(draws.mean() - 0.5) < 0.02
    assert np.all(draws[:N // 5] == 0) and np.all(draws[-(N // 5):] == 1)
    constant = _values(_both(lambda lib: lib.bernoulli(lib.zeros(N, dtype=lib.float64), 0.25)))
    assert abs(constant.mean() - 0.25) < 0.02
    counts = _values(_both(lambda lib: lib.poisson(lib.full((N,), 4.0))))
    assert abs(counts.mean() - 4) < 0.1 and abs(counts.var() - 4) < 0.3


@pytest.mark.parametrize("replacement", [True, False])
def test_multinomial(replacement):
    weights = np.array([[0.0, 1.0, 3.0, 0.0], [2.0, 2.0, 0.0, 4.0]], np.float32)
    samples = 3 if not replacement else 1000
    sample = _both(lambda lib: lib.multinomial(lib.from_numpy(weights), samples, replacement))
    values = sample.numpy()
    if replacement:
        assert not np.any(values[0] == 0) and not np.any(values[0] == 3)
        assert not np.any(values[1] == 2)
        share = np.mean(values[0] == 2)
        assert abs(share - 0.75) < 0.05
    else:
        # positive weights come first; zero weights only once they are exhausted
        assert set(values[0, :2].tolist()) == {1, 2}
        assert set(values[1].tolist()) == {0, 1, 3}
    _both(lambda lib: lib.multinomial(lib.tensor([0.2, 0.8]), 2, replacement=True))
    _both(lambda lib: lib.tensor([0.0, 1.0, 0.0]).multinomial(2))


@pytest.mark.parametrize("call", [
    lambda lib: lib.normal(lib.zeros(2), -1.0),
    lambda lib: lib.normal(lib.zeros(2), lib.tensor([1.0, -1.0])),
    lambda lib: lib.normal(0.0, lib.tensor([1.0, -1.0])),
    lambda lib: lib.normal(0.0, 1.0),
    lambda lib: lib.normal(lib.zeros(2), lib.ones(3)),
    lambda lib: lib.normal(lib.zeros(2, dtype=lib.int64), 1.0),
    lambda lib: lib.normal(0.0, -1.0, (2,)),
    lambda lib: lib.bernoulli(lib.tensor([1.5])),
    lambda lib: lib.bernoulli(lib.tensor([1, 0])),
    lambda lib: lib.bernoulli(lib.zeros(2), p=2.0),
    lambda lib: lib.multinomial(lib.tensor([0.2, 0.8]), 3),
    lambda lib: lib.multinomial(lib.tensor([-1.0, 2]), 1),
    lambda lib: lib.multinomial(lib.tensor([0.0, 0]), 1),
    lambda lib: lib.multinomial(lib.zeros(2, 2, 2), 1),
    lambda lib: lib.multinomial(lib.tensor([1, 2]), 1),
    lambda lib: lib.multinomial(lib.tensor([0.2, 0.8]), 0),
    lambda lib: lib.multinomial(lib.tensor([float("inf"), 1]), 1),
    lambda lib: lib.poisson(lib.tensor([-1.0])),
])
def test_distribution_errors(call):
    check_error(call)


# ---- in-place fills --------------------------------------------------------------------------

def test_uniform_and_normal_in_place():
    target = ember.zeros(N)
    assert target.uniform_(-2, 3) is target
    values = _values(target)
    assert values.min() >= -2 and values.max() < 3 and abs(values.mean() - 0.5) < 0.05
    target.normal_(5, 0.5)
    values = _values(target)
    assert abs(values.mean() - 5) < 0.02 and abs(values.std() - 0.5) < 0.02
    assert target._version == 2


def test_exponential_random_bernoulli_in_place():
    values = _values(ember.zeros(N, dtype=ember.float64).exponential_(2.0))
    assert values.min() >= 0 and abs(values.mean() - 0.5) < 0.02
    integers = _values(ember.zeros(N, dtype=ember.int64).random_(3, 7))
    assert set(np.unique(integers)) == {3, 4, 5, 6}
    bytes_ = _values(ember.zeros(N, dtype=ember.uint8).random_())
    assert bytes_.min() >= 0 and bytes_.max() == 255
    floats = _values(ember.zeros(N).random_(10))
    assert set(np.unique(floats)) == set(range(10))
    coins = _values(ember.zeros(N, dtype=ember.int64).bernoulli_(ember.full((N,), 0.25)))
    assert abs(coins.mean() - 0.25) < 0.02
    assert abs(_values(ember.zeros(N).bernoulli_(0.75)).mean() - 0.75) < 0.02


@pytest.mark.parametrize("call", [
    lambda lib: lib.zeros(2).uniform_(3, 1),
    lambda lib: lib.zeros(2).normal_(0, -1),
    lambda lib: lib.zeros(2).exponential_(-1),
    lambda lib: lib.zeros(2, dtype=lib.int64).exponential_(),
    lambda lib: lib.zeros(2, dtype=lib.int64).random_(5, 3),
    lambda lib: lib.zeros(3).random_(0),
    lambda lib: lib.zeros(3, dtype=lib.uint8).random_(-1, 3),
    lambda lib: lib.zeros(2).bernoulli_(2.0),
    lambda lib: lib.zeros(2).bernoulli_(lib.tensor([1.5, 0.5])),
    lambda lib: lib.zeros(2, dtype=lib.int64).uniform_(),
    lambda lib: lib.zeros(2, dtype=lib.int64).normal_(),
    lambda lib: lib.tensor([1.0], requires_grad=True).uniform_(),
    lambda lib: lib.tensor([1.0], requires_grad=True).normal_(),
    lambda lib: lib.tensor([1.0], requires_grad=True).fill_(2.0),
    lambda lib: lib.tensor([1.0], requires_grad=True).zero_(),
    lambda lib: lib.zeros(2).fill_(lib.zeros(2)),
])
def test_in_place_errors(call):
    check_error(call)


def test_failed_in_place_leaves_target_unchanged():
    target = ember.arange(3.0)
    with pytest.raises(RuntimeError):
        target.uniform_(3, 1)
    with pytest.raises(RuntimeError):
        target.bernoulli_(ember.tensor([1.5, 0.5, 0.5]))
    assert target.tolist() == [0.0, 1.0, 2.0] and target._version == 0


@pytest.mark.parametrize("call, dtype", [
    (lambda lib, out: lib.normal(0.0, 1.0, (2, 3), out=out), "float32"),
    (lambda lib, out: lib.bernoulli(lib.full((5,), 0.5), out=out), "float32"),
    (lambda lib, out: lib.randperm(6, out=out), "int64"),
    (lambda lib, out: lib.randint(0, 3, (2, 2), out=out), "int64"),
    (lambda lib, out: lib.rand(3, out=out), "float32"),
])
def test_out_is_resized_and_returned(call, dtype):
    mine_out = ember.zeros(0, dtype=getattr(ember, dtype))
    theirs_out = torch.zeros(0, dtype=getattr(torch, dtype))
    assert call(ember, mine_out) is mine_out
    call(torch, theirs_out)
    _same_metadata(mine_out, theirs_out)


def test_normal_with_tensor_mean_into_out():
    mine_out, theirs_out = ember.zeros(4), torch.zeros(4)
    assert ember.normal(ember.zeros(4), 1.0, out=mine_out) is mine_out
    torch.normal(torch.zeros(4), 1.0, out=theirs_out)
    _same_metadata(mine_out, theirs_out)


def test_multinomial_out():
    out = ember.zeros(1, dtype=ember.int64)
    result = ember.multinomial(ember.tensor([0.0, 1.0]), 1, out=out)
    assert result is out and out.tolist() == [1]


def test_from_keyword():
    values = ember.zeros(1000).uniform_(**{"from": 5, "to": 6})
    assert 5 <= values.min().item() and values.max().item() < 6
    integers = ember.zeros(1000, dtype=ember.int64).random_(**{"from": 2, "to": 4})
    assert set(integers.tolist()) == {2, 3}
    with pytest.raises(TypeError, match="unexpected keyword argument 'foo'"):
        ember.zeros(2).uniform_(foo=1)
