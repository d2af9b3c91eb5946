"""Order statistics and counting (sort ... histc) against torch, by finite differences and
with hypothesis; tie-breaking of indices and PyTorch's errors."""
import numpy as np
import pytest
from hypothesis import given, strategies as st
from hypothesis.extra import numpy as hnp

import ember
from oracle import Input, check, check_error, finite_differences, grad_input

RNG = np.random.default_rng(11)


def distinct(*shape):
    size = int(np.prod(shape))
    return (RNG.permutation(size) * 0.41 - size * 0.2).reshape(shape)


A = distinct(3, 5)
B = distinct(2, 3, 4)
TIES = np.array([[3.0, 1.0, 3.0, 1.0, 2.0], [2.0, 2.0, 1.0, 1.0, 3.0]])
WITH_NAN = np.array([[1.0, np.nan, 3.0, 0.5], [np.nan, np.nan, 2.0, 1.0],
                     [4.0, 3.0, 2.0, 1.0]])

OPS = [
    ("sort", lambda lib, x: x.sort(), B, True),
    ("sort_dim0_descending", lambda lib, x: lib.sort(x, 0, descending=True), B, True),
    ("sort_stable_ties", lambda lib, x: lib.sort(x, stable=True, dim=1), TIES, True),
    ("sort_descending_ties", lambda lib, x: x.sort(1, True), TIES, True),
    ("sort_nan", lambda lib, x: x.sort(1), WITH_NAN, True),
    ("sort_nan_descending", lambda lib, x: x.sort(1, descending=True), WITH_NAN, True),
    ("argsort", lambda lib, x: lib.argsort(x, 1, descending=True), TIES, False),
    ("argsort_stable", lambda lib, x: x.argsort(dim=0, stable=True), TIES, False),
    ("msort", lambda lib, x: lib.msort(x), B, True),
    ("topk", lambda lib, x: x.topk(2), B, True),
    ("topk_smallest", lambda lib, x: lib.topk(x, 3, 0, largest=False), A, True),
    # torch leaves the order of tied indices in topk unspecified: compare the values
    ("topk_ties", lambda lib, x: x.topk(2).values, TIES, False),
    ("topk_ties_smallest", lambda lib, x: x.topk(3, largest=False).values, TIES, False),
    ("topk_nan", lambda lib, x: x.topk(2, 1).values, WITH_NAN, False),
    ("topk_zero", lambda lib, x: x.topk(0), A, True),
    ("kthvalue", lambda lib, x: x.kthvalue(2), A, True),
    ("kthvalue_dim_keepdim", lambda lib, x: lib.kthvalue(x, 2, 0, True), B, True),
    ("median", lambda lib, x: x.median(), A, True),
    ("median_even", lambda lib, x: lib.median(x), B, True),
    ("median_ties", lambda lib, x: x.median(), TIES, True),
    ("median_dim", lambda lib, x: x.median(1), A, True),
    ("median_dim_even", lambda lib, x: lib.median(x, -1, keepdim=True), B, True),
    ("median_nan", lambda lib, x: x.median(), WITH_NAN, True),
    ("median_dim_nan", lambda lib, x: x.median(1), WITH_NAN, True),
    ("nanmedian", lambda lib, x: x.nanmedian(), WITH_NAN, True),
    ("nanmedian_dim", lambda lib, x: lib.nanmedian(x, 1), WITH_NAN, True),
    ("nanmedian_plain", lambda lib, x: x.nanmedian(0, True), A, True),
    ("mode", lambda lib, x: x.mode(), TIES, True),
    ("mode_dim0", lambda lib, x: lib.mode(x, 0, True), TIES, True),
    ("mode_distinct", lambda lib, x: x.mode(1), A, True),
]



def test_every_op_has_a_row():
    # ops without a row in OPS are covered by their own tests, named here
    dedicated = ("unique", "unique_consecutive", "bincount", "histc")
    for name in ember.ops.sorting.__all__:
        assert name in dedicated or any(row[0] == name or row[0].startswith(name + "_")
                                        for row in OPS), f"{name} has no row in OPS"

@pytest.mark.parametrize("function, array, differentiable",
                         [row[1:] for row in OPS], ids=[row[0] for row in OPS])
def test_op_matches_torch(function, array, differentiable):
    check(function, Input(array, requires_grad=differentiable))
    check(function, Input(array.astype(np.float32), requires_grad=differentiable))


SMOOTH = [row for row in OPS if row[3] and "nan" not in row[0] and "ties" not in row[0]
          and row[0] not in ("mode", "mode_dim0", "topk_zero")]


@pytest.mark.parametrize("function, array", [(row[1], row[2]) for row in SMOOTH],
                         ids=[row[0] for row in SMOOTH])
def test_finite_differences(function, array):
    def values(x):
        result = function(ember, x)
        return result[0] if isinstance(result, tuple) else result
    finite_differences(values, array)


def test_second_order():
    def second(lib, x):
        y = (x.sort(1).values * x).sum() + (x.topk(2).values ** 2).sum() + x.median(1)[0].sum()
        (g,) = lib.autograd.grad(y, x, create_graph=True)
        return (g * g).sum()
    check(second, grad_input(A))


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8", "bool", "float16"])
def test_dtypes(dtype):
    array = Input((np.arange(15) * 7 % 5).reshape(3, 5).astype(dtype))
    check(lambda lib, x: [x.sort(1), x.argsort(0), x.sort(1, descending=True), x.mode(1),
                          x.unique(), x.msort(), x.cummax(0)], array)
    if dtype != "bool":
        # values only: which of several tied elements topk indexes follows libstdc++'s
        # nth_element/partial_sort, which ember does not replay (kthvalue's and median's tie
        # indices are tested below)
        check(lambda lib, x: [x.kthvalue(2).values, x.median(1).values, x.nanmedian(),
                              x.median(), x.topk(2).values, x.nanmedian(0).values], array)
    else:
        for function in (lambda lib, x: x.kthvalue(1), lambda lib, x: x.median(0),
                         lambda lib, x: x.median(), lambda lib, x: x.nanmedian(),
                         lambda lib, x: x.nanmedian(1), lambda lib, x: x.topk(1),
                         lambda lib, x: lib.bincount(x.reshape(-1))):
            check_error(function, array)


def test_repr():
    check(lambda lib, x: x.sort(0), grad_input(A), repr_=True)
    check(lambda lib, x: x.topk(1), Input(A), repr_=True)


def test_scalar_and_empty():
    check(lambda lib, x: [x.sort(), x.topk(1), x.kthvalue(1), x.median(), x.median(0),
                          x.mode(), x.argsort(), x.nanmedian(-1)], grad_input(np.array(2.5)))
    check(lambda lib, x: [x.sort(1), x.sort(0), x.topk(1), x.median(), x.median(1),
                          x.mode(1), x.kthvalue(1, 1), x.unique(), x.nanmedian()],
          Input(np.zeros((0, 3))))


@pytest.mark.parametrize("function", [
    lambda lib, x: x.sort(3), lambda lib, x: x.argsort(-4), lambda lib, x: x.topk(6),
    lambda lib, x: x.topk(-1), lambda lib, x: x.topk(1, 2), lambda lib, x: x.kthvalue(0),
    lambda lib, x: x.kthvalue(6), lambda lib, x: x.kthvalue(4, 0),
    lambda lib, x: x.median(5), lambda lib, x: x.mode(3), lambda lib, x: x.nanmedian(2),
    lambda lib, x: lib.unique(x, dim=3),
    lambda lib, x: x.unique_consecutive(dim=2),
])
def test_bad_arguments(function):
    check_error(function, Input(A))


@pytest.mark.parametrize("function", [
    lambda lib, x: x.median(0), lambda lib, x: x.mode(0), lambda lib, x: x.nanmedian(0),
    lambda lib, x: x.kthvalue(1, 0),
])
def test_empty_dim_errors(function):
    check_error(function, Input(np.zeros((0, 3))))


UNIQUE_INPUT = np.array([[3, 1, 3, 2], [3, 1, 3, 2], [0, 0, 5, 5], [3, 1, 3, 2]])


def test_unique():
    def run(lib, x):
        return [lib.unique(x), x.unique(return_inverse=True),
                lib.unique(x, return_counts=True), x.unique(sorted=True, return_inverse=True,
                                                              return_counts=True),
                lib.unique(x, dim=0, return_inverse=True, return_counts=True),
                x.unique(dim=1, return_inverse=True, return_counts=True),
                x.unique(dim=-1)]
    check(run, Input(UNIQUE_INPUT))
    check(run, Input(UNIQUE_INPUT.astype(np.float32)))


def test_not_differentiable_ops_record_torch_nodes():
    def unique_backward(lib, x):
        lib.unique(x).sum().backward()

    def unique_dim_backward(lib, x):
        x.unique(dim=0, return_counts=True)[0].sum().backward()

    def consecutive_backward(lib, x):
        lib.unique_consecutive(x, return_inverse=True)[0].sum().backward()

    def bincount_backward(lib, x):
        lib.bincount(lib.tensor([1, 0]), x).sum().backward()
    for function in (unique_backward, unique_dim_backward, consecutive_backward,
                     bincount_backward):
        check_error(function, grad_input(np.array([2.0, 1.0])))
    check(lambda lib, x: [x.unique(return_inverse=True), x.unique_consecutive(dim=0),
                          lib.bincount(lib.tensor([1, 0]), x)], grad_input(np.array([2.0, 1.0])),
          grad=False)


def test_unique_consecutive():
    def run(lib, x):
        return [lib.unique_consecutive(x), x.unique_consecutive(return_inverse=True,
                                                               return_counts=True),
                lib.unique_consecutive(x, return_counts=True, dim=0),
                x.unique_consecutive(return_inverse=True, dim=1)]
    check(run, Input(UNIQUE_INPUT))
    check(run, Input(np.array([[1.0, 1.0, 2.0, 2.0, 1.0]])))


def test_bincount():
    values = np.array([1, 2, 2, 5, 0, 2])
    check(lambda lib, x: [lib.bincount(x), x.bincount(minlength=9), x.bincount(minlength=2)],
          Input(values))
    for weights in (np.linspace(0, 1, 6).astype(np.float32), np.linspace(0, 1, 6),
                    np.arange(6)):
        check(lambda lib, x, w: [lib.bincount(x, w), x.bincount(w, 8)], Input(values),
              Input(weights))
    check(lambda lib, x: lib.bincount(x), Input(np.zeros(0, dtype=np.int64)))
    check(lambda lib, x: lib.bincount(x), Input(np.array([3, 1], dtype=np.uint8)))


@pytest.mark.parametrize("function, inputs", [
    (lambda lib, x: lib.bincount(x), (np.array([-1, 2]),)),
    (lambda lib, x: lib.bincount(x), (np.array([1.0]),)),
    (lambda lib, x: lib.bincount(x), (np.array([[1]]),)),
    (lambda lib, x: lib.bincount(x, minlength=-1), (np.array([1, 2]),)),
    (lambda lib, x, w: lib.bincount(x, w), (np.array([1, 2]), np.array([1.0]))),
    (lambda lib, x: lib.histc(x, 4), (np.array([1, 2]),)),
    (lambda lib, x: lib.histc(x, 0), (np.array([1.0, 2.0]),)),
    (lambda lib, x: lib.histc(x, 3, min=5, max=1), (np.array([1.0, 2.0]),)),
    (lambda lib, x: lib.histc(x, 3), (np.array([1.0, np.inf]),)),
])
def test_counting_errors(function, inputs):
    check_error(function, *[Input(array) for array in inputs])


def test_histc():
    data = np.array([0.0, 0.25, 1.0, 1.5, 2.0, 2.0, 3.5, 4.0, -1.0, 7.0])
    check(lambda lib, x: [lib.histc(x), x.histc(4), x.histc(bins=5, min=0, max=4),
                          x.histc(3, min=1, max=1), x.histc(6, -2, 10)], Input(data))
    check(lambda lib, x: [x.histc(4), x.histc(2, 0, 2)], Input(data.astype(np.float32)))
    check(lambda lib, x: [x.histc(3)], Input(np.array([1.0, 1.0])))
    check(lambda lib, x: [x.histc(3)], Input(np.zeros(0)))


@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=5),
                  elements=st.integers(-3, 3).map(float)),
       st.integers(0, 2), st.booleans(), st.booleans())
def test_hypothesis_ordering(array, dim, descending, transposed):
    dim = dim % array.ndim
    k = array.shape[dim] // 2 + 1

    def ordering(lib, x):
        if transposed:
            x = x.transpose(0, -1)
        return [x.sort(dim=dim, descending=descending, stable=True),
                x.argsort(dim=dim, descending=descending, stable=True),
                x.topk(min(k, x.shape[dim]), dim, largest=not descending).values.detach(),
                x.median(), x.mode(dim),
                x.detach().unique(return_inverse=True, return_counts=True),
                x.detach().unique_consecutive(return_counts=True, dim=dim)]
    check(ordering, grad_input(array))


COMPLEX = (np.arange(6.0).reshape(2, 3) + 1j * np.arange(6.0)[::-1].reshape(2, 3))


@pytest.mark.parametrize("function", [
    lambda lib, x: x.max(), lambda lib, x: x.max(0), lambda lib, x: x.min(),
    lambda lib, x: x.min(1), lambda lib, x: x.amax(0), lambda lib, x: x.amin(),
    lambda lib, x: x.aminmax(), lambda lib, x: x.argmax(), lambda lib, x: x.argmin(),
    lambda lib, x: x.nansum(), lambda lib, x: x.sort(), lambda lib, x: x.argsort(),
    lambda lib, x: x.msort(), lambda lib, x: x.topk(1), lambda lib, x: x.kthvalue(1),
    lambda lib, x: x.median(), lambda lib, x: x.median(0), lambda lib, x: x.nanmedian(),
    lambda lib, x: x.mode(), lambda lib, x: x.cummax(0), lambda lib, x: x.cummin(1),
    lambda lib, x: x.unique(), lambda lib, x: x.unique(dim=0),
    lambda lib, x: x.unique_consecutive(), lambda lib, x: x.histc(),
])
def test_ordering_ops_reject_complex(function):
    check_error(function, Input(COMPLEX.astype(np.complex64)))


def test_complex_reductions():
    check(lambda lib, x: [x.sum(0), x.mean(), x.var(1), x.std(), x.prod(1), x.norm(),
                          x.cumsum(1), x.cumprod(0), x.logsumexp(1), x.all(),
                          x.count_nonzero(), lib.std_mean(x, 0)],
          Input(COMPLEX.astype(np.complex64)))


@pytest.mark.parametrize("function", [
    lambda lib, x: x.sum(0), lambda lib, x: x.mean(), lambda lib, x: x.var(1),
    lambda lib, x: x.std(), lambda lib, x: x.prod(1), lambda lib, x: x.prod(),
    lambda lib, x: x.cumsum(1), lambda lib, x: x.cumprod(1), lambda lib, x: x.logsumexp(1),
    lambda lib, x: lib.std_mean(x, 0),
])
def test_complex_gradients(function):
    check(function, grad_input(COMPLEX + 1))


@pytest.mark.parametrize("dtype", ["int64", "float32", "float64"])
@pytest.mark.parametrize("shape", [(3, 5), (2, 20), (4, 37), (1, 1)])
def test_median_index_among_ties_is_the_stable_order(dtype, shape):
    # torch's median along a dim breaks ties by index (kNN votes, labels): the index is the
    # element at the median position of the stable ascending order
    votes = np.random.default_rng(sum(shape)).integers(0, 3, shape).astype(dtype)
    check(lambda lib, x: [x.median(1), x.median(0, keepdim=True), x.nanmedian(1)], Input(votes))
