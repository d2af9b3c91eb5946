"""Statistics (quantile, nanquantile, cov, corrcoef, histogram, diff, trapezoid, trapz,
cumulative_trapezoid) against torch, by finite differences and with hypothesis over shapes,
dims and quantiles."""
import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import ember
from oracle import Input, check, check_double_backward, check_error, finite_differences, \
    grad_input

RNG = np.random.default_rng(11)
A = RNG.standard_normal((3, 5))
B = RNG.standard_normal((2, 3, 4))
V = RNG.standard_normal(6)
WITH_NAN = np.array([[1.0, np.nan, 3.0, 0.5], [np.nan, np.nan, np.nan, np.nan],
                     [2.0, -1.0, 4.0, 0.0]])
Q = np.array([0.0, 0.25, 0.6, 1.0])
POINTS = np.cumsum(RNG.uniform(0.1, 1.0, 5))
COMPLEX = A + 1j * RNG.standard_normal((3, 5))

OPS = [
    ("quantile", lambda lib, x: lib.quantile(x, 0.3), B),
    ("quantile_dim", lambda lib, x: lib.quantile(x, 0.3, dim=1), B),
    ("quantile_keepdim", lambda lib, x: x.quantile(0.7, dim=-1, keepdim=True), B),
    ("quantile_all_keepdim", lambda lib, x: lib.quantile(x, 0.5, keepdim=True), A),
    ("quantile_tensor_q", lambda lib, x: lib.quantile(x, lib.tensor(Q, dtype=x.dtype), dim=0), B),
    ("quantile_tensor_q_keepdim",
     lambda lib, x: lib.quantile(x, lib.tensor(Q, dtype=x.dtype), dim=2, keepdim=True), B),
    ("quantile_tensor_q_all", lambda lib, x: lib.quantile(x, lib.tensor(Q, dtype=x.dtype)), A),
    ("quantile_lower", lambda lib, x: lib.quantile(x, 0.3, 1, interpolation="lower"), A),
    ("quantile_higher", lambda lib, x: lib.quantile(x, 0.3, 1, interpolation="higher"), A),
    ("quantile_midpoint", lambda lib, x: lib.quantile(x, 0.3, 1, interpolation="midpoint"), A),
    ("quantile_nearest", lambda lib, x: lib.quantile(x, 0.3, 1, interpolation="nearest"), A),
    ("quantile_nearest_q", lambda lib, x: lib.quantile(
        x, lib.tensor(Q, dtype=x.dtype), 1, interpolation="nearest"), A),
    ("quantile_scalar_input", lambda lib, x: lib.quantile(x[0, 0], 0.2, dim=0), A),
    ("quantile_nan", lambda lib, x: lib.quantile(x, 0.4, dim=1), WITH_NAN),
    ("nanquantile", lambda lib, x: lib.nanquantile(x, 0.4, dim=1), WITH_NAN),
    ("nanquantile_q", lambda lib, x: x.nanquantile(lib.tensor(Q, dtype=x.dtype), dim=1,
                                                   interpolation="midpoint"), WITH_NAN),
    ("nanquantile_all", lambda lib, x: lib.nanquantile(x, 0.5), WITH_NAN),
    ("cov", lambda lib, x: lib.cov(x), A),
    ("cov_vector", lambda lib, x: x.cov(), V),
    ("cov_correction", lambda lib, x: lib.cov(x, correction=0), A),
    ("cov_fweights", lambda lib, x: lib.cov(x, fweights=lib.tensor([1, 2, 0, 3, 1])), A),
    ("cov_aweights", lambda lib, x: lib.cov(x, aweights=lib.tensor(
        [0.5, 1.0, 2.0, 0.1, 1.5], dtype=x.dtype)), A),
    ("cov_both_weights", lambda lib, x: lib.cov(x, correction=2, fweights=lib.tensor(
        [1, 2, 1, 3, 1]), aweights=lib.tensor([0.5, 1.0, 2.0, 0.1, 1.5], dtype=x.dtype)), A),
    ("corrcoef", lambda lib, x: lib.corrcoef(x), A),
    ("corrcoef_vector", lambda lib, x: x.corrcoef(), V),
    ("diff", lambda lib, x: lib.diff(x), B),
    ("diff_n2_dim0", lambda lib, x: x.diff(n=2, dim=0), A),
    ("diff_n_large", lambda lib, x: lib.diff(x, n=7), A),
    ("diff_n0", lambda lib, x: lib.diff(x, n=0), A),
    ("diff_prepend_append", lambda lib, x: lib.diff(x, dim=1, prepend=x[:, :2], append=x), A),
    ("trapezoid", lambda lib, x: lib.trapezoid(x), A),
    ("trapezoid_dx", lambda lib, x: lib.trapezoid(x, dx=0.3, dim=0), A),
    ("trapezoid_x", lambda lib, x: lib.trapezoid(x, lib.tensor(POINTS, dtype=x.dtype)), A),
    ("trapezoid_x_2d", lambda lib, x: lib.trapezoid(x, x * x, dim=0), A),
    ("trapz", lambda lib, x: lib.trapz(x, dim=0), B),
    ("trapz_x", lambda lib, x: lib.trapz(x, lib.tensor(POINTS, dtype=x.dtype)), A),
    ("cumulative_trapezoid", lambda lib, x: lib.cumulative_trapezoid(x), A),
    ("cumulative_trapezoid_dx", lambda lib, x: lib.cumulative_trapezoid(x, dx=2, dim=1), B),
    ("cumulative_trapezoid_x",
     lambda lib, x: lib.cumulative_trapezoid(x, lib.tensor(POINTS, dtype=x.dtype)), A),
]


def test_every_op_has_a_row():
    dedicated = ("histogram", "cdist", "histogramdd")  # histogramdd: test_histogramdd.py
    for name in ember.ops.statistics.__all__:
        assert name in dedicated or any(row[0] == name or row[0].startswith(name + "_")
                                        for row in OPS), f"{name} has no row in OPS"


@pytest.mark.parametrize("function, array", [row[1:] for row in OPS],
                         ids=[row[0] for row in OPS])
def test_op_matches_torch(function, array):
    check(function, grad_input(array))
    check(function, grad_input(array.astype(np.float32)))


SMOOTH = [row for row in OPS if "nan" not in row[0] and "nearest" not in row[0]]


@pytest.mark.parametrize("function, array", [row[1:] for row in SMOOTH],
                         ids=[row[0] for row in SMOOTH])
def test_finite_differences(function, array):
    finite_differences(lambda x: function(ember, x), array)


@pytest.mark.parametrize("name", ["quantile_tensor_q", "cov_aweights", "corrcoef",
                                  "trapezoid_x_2d", "cumulative_trapezoid_x", "diff_n2_dim0"])
def test_second_order(name):
    function, array = next(row[1:] for row in OPS if row[0] == name)
    check_double_backward(function, [array])


@pytest.mark.parametrize("function", [
    lambda lib, x, q: lib.quantile(x, q, dim=1),
    lambda lib, x, q: lib.nanquantile(x, q[1]),
    lambda lib, x, q: lib.quantile(x, q, interpolation="midpoint"),
])
def test_quantile_gradient_reaches_q(function):
    # the interpolation weights depend on q, so q gets a gradient (none for midpoint)
    check(function, grad_input(A), grad_input(np.array([0.1, 0.55, 0.9])))


@pytest.mark.parametrize("function, array", [
    (lambda lib, x: lib.diff(x), np.array([3, 1, 4, 1, 5])),
    (lambda lib, x: lib.diff(x, n=2), np.array([3, 1, 4, 200], dtype=np.uint8)),
    (lambda lib, x: lib.diff(x), np.array([[True, False, False], [True, True, False]])),
    (lambda lib, x: lib.diff(x, prepend=lib.ones(1, dtype=lib.float64)), np.array([3, 1, 4])),
    (lambda lib, x: lib.cov(x), np.array([[1, 2, 4], [3, 1, 0]])),
    (lambda lib, x: lib.corrcoef(x), np.array([[1, 2, 4], [3, 1, 0]])),
    (lambda lib, x: lib.cov(x), COMPLEX),
    (lambda lib, x: lib.corrcoef(x), COMPLEX),
    (lambda lib, x: lib.trapezoid(x), np.array([[1, 2, 4], [3, 1, 0]])),
    (lambda lib, x: lib.trapezoid(x, dx=2), np.array([[1, 2, 4], [3, 1, 0]])),
    (lambda lib, x: lib.cumulative_trapezoid(x), np.array([1, 2, 4])),
    (lambda lib, x: lib.trapezoid(x), np.zeros((3, 0))),
    (lambda lib, x: lib.cumulative_trapezoid(x), np.zeros((3, 0))),
])
def test_other_dtypes_and_empty(function, array):
    check(function, Input(array))


def test_cov_warns_on_no_degrees_of_freedom():
    with pytest.warns(UserWarning, match="degrees of freedom is <= 0"):
        result = ember.cov(ember.tensor([[1.0], [2.0]]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(lambda lib, x: lib.cov(x), Input(np.array([[1.0], [2.0]])))
    assert result.shape == (2, 2)


@pytest.mark.parametrize("function, array", [
    (lambda lib, x: lib.histogram(x, 4), A),
    (lambda lib, x: x.histogram(3, range=(-1.0, 0.5)), A),
    (lambda lib, x: lib.histogram(x, 5, density=True), B),
    (lambda lib, x: lib.histogram(x, lib.tensor([-2.0, -0.5, 0.0, 2.0], dtype=x.dtype)), B),
    (lambda lib, x: lib.histogram(x, 3, weight=x.abs(), density=True), A),
    (lambda lib, x: lib.histogram(x, lib.tensor([1.0, 0.0], dtype=x.dtype)), A),
    (lambda lib, x: lib.histogram(x[:0], 3), A),
    (lambda lib, x: lib.histogram(x * 0 + 1, 3), A),
    (lambda lib, x: lib.histogram(x, 2, range=(1, 1)), A),
])
def test_histogram(function, array):
    check(function, Input(array))
    check(function, Input(array.astype(np.float32)))


def test_histogram_records_a_node_without_derivative():
    mine = check(lambda lib, x: lib.histogram(x, 3), Input(A, requires_grad=True), grad=False)
    assert repr(mine).startswith("ember.return_types.histogram(")
    check_error(lambda lib, x: lib.histogram(x, 3).hist.sum().backward(),
                Input(A, requires_grad=True))


X1 = RNG.standard_normal((2, 3, 4))
X2 = RNG.standard_normal((5, 4))
# a row of X2 repeated in X1: a zero distance, where PyTorch's subgradient is 0
X1_TIED = np.concatenate([X1, np.broadcast_to(X2[:1], (2, 1, 4))], axis=1)
P_VALUES = [0, 0.5, 1, 1.5, 2, 3, float("inf")]
MODES = ["use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist",
         "donot_use_mm_for_euclid_dist"]


@pytest.mark.parametrize("p", P_VALUES)
@pytest.mark.parametrize("mode", MODES)
def test_cdist(p, mode):
    def distances(lib, x1, x2):
        return lib.cdist(x1, x2, p=p, compute_mode=mode)
    check(distances, grad_input(X1_TIED), grad_input(X2))
    check(distances, grad_input(X1.astype(np.float32)), grad_input(X2.astype(np.float32)))


@pytest.mark.parametrize("p", [0.5, 1.5, 2, 3])
def test_cdist_finite_differences_first_and_second_order(p):
    finite_differences(lambda x1, x2: ember.cdist(x1, x2, p=p), X1, X2)
    finite_differences(lambda x1, x2: ember.cdist(
        x1, x2, compute_mode="use_mm_for_euclid_dist"), X1, X2)
    # torch has no second derivative for its direct route (_cdist_backward); ember's rules are
    # ember ops, checked here by finite differences of the first derivative
    inputs = (ember.tensor(X1, requires_grad=True), ember.tensor(X2, requires_grad=True))
    assert ember.autograd.gradgradcheck(lambda x1, x2: ember.cdist(x1, x2, p=p), inputs)
    check_double_backward(lambda lib, x1, x2: lib.cdist(
        x1, x2, compute_mode="use_mm_for_euclid_dist"), [X1, X2])


def test_cdist_large_inputs_take_the_matrix_route():
    big = RNG.standard_normal((30, 3))
    mine = check(lambda lib, x1, x2: lib.cdist(x1, x2), grad_input(big), grad_input(big[:4]))
    assert type(mine.grad_fn.next_functions[0][0]).__name__ == "EuclideanDistBackward0"
    check(lambda lib, x1, x2: lib.cdist(x1, x2), grad_input(big[None].repeat(2, 0)),
          grad_input(big[:4]))


@pytest.mark.parametrize("p", [0, 1, 1.5, 2, float("inf")])
def test_cdist_in_row_blocks(monkeypatch, p):
    # large inputs are computed a block of rows at a time; a tiny block size forces that here
    monkeypatch.setattr(ember.ops.statistics, "_BLOCK_ELEMENTS", 50)
    check(lambda lib, x1, x2: lib.cdist(x1, x2, p=p, compute_mode="donot_use_mm_for_euclid_dist"),
          grad_input(RNG.standard_normal((2, 37, 4))), grad_input(X2.repeat(3, 0)[:11]))


@pytest.mark.parametrize("shape1, shape2", [((0, 4), (3, 4)), ((3, 0), (2, 0)),
                                            ((2, 0, 4), (3, 4))])
def test_cdist_empty(shape1, shape2):
    check(lambda lib, x1, x2: lib.cdist(x1, x2), grad_input(np.ones(shape1)),
          grad_input(np.ones(shape2)))


ERRORS = [
    (lambda lib, x: lib.quantile(x, 1.5), A),
    (lambda lib, x: lib.quantile(x, float("nan")), A),
    (lambda lib, x: lib.quantile(x[:0], 1.5), A),
    (lambda lib, x: lib.quantile(x, lib.tensor([0.5, 1.5], dtype=x.dtype)), A),
    (lambda lib, x: lib.quantile(x, lib.tensor([[0.5]], dtype=x.dtype)), A),
    (lambda lib, x: lib.quantile(x, lib.tensor([0.5], dtype=lib.float32)), A),
    (lambda lib, x: lib.quantile(x.long(), 0.5, dim=5), A),
    (lambda lib, x: lib.quantile(x.half(), 0.5), A),
    (lambda lib, x: lib.quantile(x, 0.5, interpolation="cubic", dim=5), A),
    (lambda lib, x: lib.nanquantile(x[:, :0], 0.5, dim=0), A),
    (lambda lib, x: lib.quantile(x, 0.5, dim=2), A),
    (lambda lib, x: lib.cov(x), B),
    (lambda lib, x: lib.cov(x > 0), A),
    (lambda lib, x: lib.cov(x, fweights=lib.ones(5)), A),
    (lambda lib, x: lib.cov(x, fweights=lib.tensor([1, -1, 1, 1, 1])), A),
    (lambda lib, x: lib.cov(x, fweights=lib.tensor([1, 1, 1])), A),
    (lambda lib, x: lib.cov(x, fweights=lib.ones(1, 5, dtype=lib.int64)), A),
    (lambda lib, x: lib.cov(x, aweights=lib.tensor([1, 1, 1, 1, 1])), A),
    (lambda lib, x: lib.cov(x, aweights=lib.tensor([1.0, -1, 1, 1, 1], dtype=x.dtype)), A),
    (lambda lib, x: lib.cov(x, aweights=lib.ones(4, dtype=x.dtype)), A),
    (lambda lib, x: lib.cov(x, fweights=lib.zeros(5, dtype=lib.int64)), A),
    (lambda lib, x: lib.corrcoef(x), B),
    (lambda lib, x: lib.diff(x[0, 0]), A),
    (lambda lib, x: lib.diff(x, n=-1), A),
    (lambda lib, x: lib.diff(x, dim=3), A),
    (lambda lib, x: lib.diff(x, prepend=x[:2]), A),
    (lambda lib, x: lib.diff(x, append=x[0]), A),
    (lambda lib, x: lib.trapezoid(x, lib.ones(3, dtype=x.dtype)), A),
    (lambda lib, x: lib.trapezoid(x[0, 0]), A),
    (lambda lib, x: lib.trapezoid(x > 0), A),
    (lambda lib, x: lib.trapezoid(x, dx=True), A),
    (lambda lib, x: lib.cumulative_trapezoid(x[0, 0]), A),
    (lambda lib, x: lib.cumulative_trapezoid(x, lib.ones(3, dtype=x.dtype)), A),
    (lambda lib, x: lib.cumulative_trapezoid(x, x > 0), A),
    (lambda lib, x: lib.histogram(x, -1), A),
    (lambda lib, x: lib.histogram(x.long(), 3), A),
    (lambda lib, x: lib.histogram(x.half(), 3), A),
    (lambda lib, x: lib.histogram(x.bfloat16(), 3), A),
    (lambda lib, x: lib.histogram(x, 3, range=(1.0, 0.0)), A),
    (lambda lib, x: lib.histogram(x, 3, range=(0.0, float("inf"))), A),
    (lambda lib, x: lib.histogram(x, 3, weight=lib.ones(3, dtype=x.dtype)), A),
    (lambda lib, x: lib.histogram(x, 3, weight=x.float()), A),
    (lambda lib, x: lib.histogram(x, lib.ones(2, 2, dtype=x.dtype)), A),
    (lambda lib, x: lib.histogram(x, lib.ones(2, dtype=lib.float32)), A),
    (lambda lib, x: lib.histogram(x / 0.0, 3), A),
    (lambda lib, x: lib.cdist(x[0], x), A),
    (lambda lib, x: lib.cdist(x, x[0]), A),
    (lambda lib, x: lib.cdist(x, x[:, :2]), A),
    (lambda lib, x: lib.cdist(x, x, p=-1), A),
    (lambda lib, x: lib.cdist(x.long(), x), A),
    (lambda lib, x: lib.cdist(x, x.long()), A),
    (lambda lib, x: lib.cdist(x, x, compute_mode="fast"), A),
    (lambda lib, x: lib.cdist(x, x, compute_mode=None), A),
    (lambda lib, x: lib.cdist(x.expand(2, 3, 5), x.expand(3, 3, 5)), A),
    (lambda lib, x: lib.cdist(x, x.float()), A),
    (lambda lib, x: lib.cdist(x, x.float(), compute_mode="use_mm_for_euclid_dist"), A),
    (lambda lib, x: lib.cdist(x.half(), x.half()), A),
]


@pytest.mark.parametrize("function, array", ERRORS)
def test_misuse_raises_like_torch(function, array):
    check_error(function, Input(array))


@settings(max_examples=25, deadline=None)
@given(array=hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=5),
                        elements=st.floats(-100, 100)),
       data=st.data(),
       interpolation=st.sampled_from(["linear", "lower", "higher", "midpoint", "nearest"]))
def test_quantile_over_shapes_dims_and_ties(array, data, interpolation):
    dim = data.draw(st.one_of(st.none(), st.integers(-array.ndim, array.ndim - 1)))
    keepdim = data.draw(st.booleans())
    q = data.draw(st.one_of(st.floats(0, 1), hnp.arrays(np.float64, st.integers(1, 4),
                                                         elements=st.floats(0, 1))))

    def quantile(lib, x):
        levels = lib.tensor(q) if isinstance(q, np.ndarray) else q
        return lib.quantile(x, levels, dim=dim, keepdim=keepdim, interpolation=interpolation)
    check(quantile, grad_input(array))


@settings(max_examples=25, deadline=None)
@given(array=hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=5),
                        elements=st.floats(-10, 10)),
       data=st.data())
def test_diff_and_integrals_over_shapes(array, data):
    dim = data.draw(st.integers(-array.ndim, array.ndim - 1))
    n = data.draw(st.integers(0, 3))
    check(lambda lib, x: lib.diff(x, n=n, dim=dim), grad_input(array))
    if array.shape[dim]:
        check(lambda lib, x: lib.trapezoid(x, dim=dim), grad_input(array))
    check(lambda lib, x: lib.cumulative_trapezoid(x, dim=dim, dx=0.5), grad_input(array))


@settings(max_examples=20, deadline=None)
@given(array=hnp.arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(2, 6)),
                        elements=st.floats(-10, 10)),
       correction=st.integers(0, 1))
def test_cov_over_shapes(array, correction):
    check(lambda lib, x: lib.cov(x, correction=correction), grad_input(array), atol=1e-6)
