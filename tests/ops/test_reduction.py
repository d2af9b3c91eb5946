"""Reductions (sum ... count_nonzero) against torch: values, dtypes, grad_fn names, gradients,
finite differences, hypothesis over shapes/dims/dtypes/layouts, and PyTorch's errors."""
import numpy as np
import pytest
from hypothesis import given, strategies as st
from hypothesis.extra import numpy as hnp

import ember
from oracle import Input, check, check_error, finite_differences, grad_input

RNG = np.random.default_rng(7)


def distinct(*shape):
    """Tie-free float64 values (index results are then unambiguous)."""
    size = int(np.prod(shape))
    return (RNG.permutation(size) * 0.37 - size * 0.15).reshape(shape).astype(np.float64)


def positive(*shape):
    return RNG.uniform(0.5, 2.0, shape)


A = distinct(3, 4)
B = distinct(2, 3, 4)
P = positive(3, 4)
WITH_NAN = np.array([[1.0, np.nan, 3.0], [4.0, 5.0, np.nan], [0.5, 2.0, 1.0]])
WITH_ZEROS = np.array([[1.5, 0.0, 2.0, -1.0], [0.0, 0.0, 3.0, 2.0], [1.0, 2.0, 0.5, 3.0]])
TIES = np.array([[3.0, 1.0, 3.0], [2.0, 2.0, 2.0]])

# (id, function(lib, x), input array, differentiable)
OPS = [
    ("sum", lambda lib, x: lib.sum(x), B, True),
    ("sum_dim", lambda lib, x: x.sum(1), B, True),
    ("sum_tuple_keepdim", lambda lib, x: lib.sum(x, (0, -1), keepdim=True), B, True),
    ("sum_empty_tuple", lambda lib, x: x.sum(()), A, True),
    ("sum_dtype", lambda lib, x: x.sum(dtype=lib.float32), A, True),
    ("sum_none_keepdim", lambda lib, x: x.sum(None, True), A, True),
    ("mean_none_keepdim", lambda lib, x: lib.mean(x, None, keepdim=True), A, True),
    ("nansum", lambda lib, x: lib.nansum(x), WITH_NAN, True),
    ("nansum_dim", lambda lib, x: x.nansum(1, keepdim=True), WITH_NAN, True),
    ("mean", lambda lib, x: x.mean(), B, True),
    ("mean_dim", lambda lib, x: lib.mean(x, (0, 2)), B, True),
    ("mean_empty_tuple", lambda lib, x: x.mean(()), A, True),
    ("mean_dtype", lambda lib, x: x.mean(-1, dtype=lib.float32), A, True),
    ("nanmean", lambda lib, x: lib.nanmean(x), WITH_NAN, True),
    ("nanmean_dim", lambda lib, x: x.nanmean(0), WITH_NAN, True),
    ("prod", lambda lib, x: x.prod(), P, True),
    ("prod_dim", lambda lib, x: lib.prod(x, 1), P, True),
    ("prod_keepdim", lambda lib, x: x.prod(0, keepdim=True), P, True),
    ("prod_zeros", lambda lib, x: x.prod(1), WITH_ZEROS, True),
    ("prod_zero_full", lambda lib, x: x[0].prod(), WITH_ZEROS, True),
    ("prod_zeros_full", lambda lib, x: x.prod(), WITH_ZEROS, True),
    ("var", lambda lib, x: x.var(), B, True),
    ("var_dim", lambda lib, x: lib.var(x, 1, keepdim=True), B, True),
    ("var_unbiased", lambda lib, x: x.var(0, False), B, True),
    ("var_correction", lambda lib, x: lib.var(x, (0, 1), correction=2), B, True),
    ("std", lambda lib, x: x.std(), B, True),
    ("std_bool_overload", lambda lib, x: x.std(False), B, True),
    ("std_dim", lambda lib, x: lib.std(x, -1, correction=0), B, True),
    ("std_constant", lambda lib, x: (x * 0).std(1), A, True),
    ("std_mean", lambda lib, x: lib.std_mean(x, 1), B, True),
    ("std_mean_full", lambda lib, x: lib.std_mean(x, correction=0), A, True),
    ("var_mean", lambda lib, x: lib.var_mean(x, (0, 2), keepdim=True), B, True),
    ("max", lambda lib, x: x.max(), B, True),
    ("max_ties", lambda lib, x: lib.max(x), TIES, True),
    ("max_dim", lambda lib, x: x.max(1), B, True),
    ("max_dim_keepdim", lambda lib, x: lib.max(x, -1, True), B, True),
    ("max_dim_ties", lambda lib, x: x.max(1), TIES, True),
    ("max_nan", lambda lib, x: x.max(1), WITH_NAN, True),
    ("max_nan_full", lambda lib, x: x.max(), WITH_NAN, True),
    ("min_nan_full", lambda lib, x: x[1:].min(), WITH_NAN, True),
    ("amax_nan", lambda lib, x: x.amax(1), WITH_NAN, True),
    ("amin_nan", lambda lib, x: lib.amin(x, 0), WITH_NAN, True),
    ("aminmax_nan", lambda lib, x: x.aminmax(dim=1), WITH_NAN, True),
    ("max_binary", lambda lib, x: lib.max(x, x.t()), A[:3, :3], True),
    ("min", lambda lib, x: lib.min(x), B, True),
    ("min_dim", lambda lib, x: x.min(0, keepdim=True), B, True),
    ("min_ties", lambda lib, x: x.min(), TIES, True),
    ("amax", lambda lib, x: x.amax(), B, True),
    ("amax_tuple", lambda lib, x: lib.amax(x, (0, 2)), B, True),
    ("amax_ties", lambda lib, x: x.amax(1, keepdim=True), TIES, True),
    ("amin", lambda lib, x: lib.amin(x, -1), B, True),
    ("amin_ties", lambda lib, x: x.amin(0), TIES, True),
    ("aminmax", lambda lib, x: lib.aminmax(x), B, True),
    ("aminmax_keepdim", lambda lib, x: lib.aminmax(x, keepdim=True), B, True),
    ("aminmax_dim", lambda lib, x: x.aminmax(dim=1, keepdim=True), TIES, True),
    ("argmax", lambda lib, x: x.argmax(), B, False),
    ("argmax_dim", lambda lib, x: lib.argmax(x, 1, keepdim=True), TIES, False),
    ("argmax_keepdim_full", lambda lib, x: lib.argmax(x, keepdim=True), B, False),
    ("argmin", lambda lib, x: lib.argmin(x, -1), TIES, False),
    ("argmax_nan", lambda lib, x: x.argmax(1), WITH_NAN, False),
    ("logsumexp", lambda lib, x: lib.logsumexp(x, 1), B, True),
    ("logsumexp_tuple", lambda lib, x: x.logsumexp((0, 2), keepdim=True), B, True),
    ("logsumexp_large", lambda lib, x: (x * 400).logsumexp(0), A, True),
    ("norm", lambda lib, x: x.norm(), B, True),
    ("norm_dim", lambda lib, x: lib.norm(x, dim=1), B, True),
    ("norm_p1", lambda lib, x: x.norm(1, 2, keepdim=True), B, True),
    ("norm_p3", lambda lib, x: lib.norm(x, p=3, dim=(0, 1)), B, True),
    ("norm_p05", lambda lib, x: x.norm(0.5), P, True),
    ("norm_inf", lambda lib, x: x.norm(float("inf"), dim=1), B, True),
    ("norm_ninf", lambda lib, x: x.norm(float("-inf")), B, True),
    ("norm_p0", lambda lib, x: x.norm(0, dim=0), WITH_ZEROS, True),
    ("norm_fro_dims", lambda lib, x: lib.norm(x, "fro", (0, 1)), A, True),
    ("norm_dtype", lambda lib, x: x.norm(dim=1, dtype=lib.float64), A, True),
    ("norm_zero", lambda lib, x: (x * 0).norm(dim=1), A, True),
    ("norm_none", lambda lib, x: x.norm(None, 0), A, True),
    ("all", lambda lib, x: x.all(), WITH_ZEROS, False),
    ("all_dim", lambda lib, x: lib.all(x, 1, keepdim=True), WITH_ZEROS, False),
    ("all_tuple", lambda lib, x: x.all(dim=(0, 1)), WITH_ZEROS, False),
    ("any", lambda lib, x: lib.any(x), WITH_ZEROS, False),
    ("any_dim", lambda lib, x: x.any(-1), WITH_ZEROS, False),
    ("any_empty_tuple", lambda lib, x: x.any(dim=()), WITH_ZEROS, False),
    ("all_none_keepdim", lambda lib, x: lib.all(x, None, True), WITH_ZEROS, False),
    ("count_nonzero", lambda lib, x: lib.count_nonzero(x), WITH_ZEROS, False),
    ("count_nonzero_dim", lambda lib, x: x.count_nonzero((0, 1)), WITH_ZEROS, False),
    ("count_nonzero_int", lambda lib, x: x.count_nonzero(0), WITH_ZEROS, False),
]



def test_every_op_has_a_row():
    # ops without a row in OPS are covered by their own tests, named here
    dedicated = ()
    for name in ember.ops.reduction.__all__:
        assert name in dedicated or any(row[0] == name or row[0].startswith(name + "_")
                                        for row in OPS), f"{name} has no row in OPS"

@pytest.mark.parametrize("function, array, differentiable",
                         [row[1:] for row in OPS], ids=[row[0] for row in OPS])
def test_op_matches_torch(function, array, differentiable):
    value = Input(array, requires_grad=differentiable)
    check(function, value)
    check(function, Input(array.astype(np.float32), requires_grad=differentiable))


NON_DIFFERENTIABLE_AT_TIES = {"max_ties", "min_ties", "amax_ties", "amin_ties", "aminmax_dim",
                              "max_dim_ties", "std_constant", "norm_zero", "norm_p0",
                              "norm_inf", "norm_ninf", "prod_zeros", "prod_zeros_full",
                              "prod_zero_full", "max_binary", "sum_dtype",
                              "mean_dtype", "norm_dtype"}


@pytest.mark.parametrize("function, array", [(row[1], row[2]) for row in OPS
                                             if row[3] and row[0] not in
                                             NON_DIFFERENTIABLE_AT_TIES and "nan" not in row[0]],
                         ids=[row[0] for row in OPS if row[3] and row[0] not in
                              NON_DIFFERENTIABLE_AT_TIES and "nan" not in row[0]])
def test_finite_differences(function, array):
    def first(x):
        result = function(ember, x)
        return result[0] if isinstance(result, tuple) else result

    def second(x):
        result = function(ember, x)
        if isinstance(result, tuple) and result[1].is_floating_point():
            return result[1]
        return first(x).sum() * 0.5

    finite_differences(first, array)
    finite_differences(second, array)


def test_prod_with_zeros_finite_differences():
    # isolated zeros are points where prod is smooth: its derivative is exact there
    one_zero = np.array([[1.5, 0.0, 2.0], [0.5, -1.0, 3.0]])
    finite_differences(lambda x: x.prod(1), one_zero)
    finite_differences(lambda x: x.prod(), one_zero)
    finite_differences(lambda x: x.prod(0), np.array([[0.0, 1.0], [0.0, 2.0], [3.0, 0.5]]))


def test_second_order_through_reductions():
    def hessian_vector(lib, x):
        y = (x.std(1) * x.logsumexp(1) + x.prod(1) + x.amax(1)).sum()
        (g,) = lib.autograd.grad(y, x, create_graph=True)
        return (g * g).sum()
    check(hessian_vector, grad_input(positive(2, 3)))


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8", "bool", "float32", "float16"])
def test_result_dtypes(dtype):
    array = Input((np.arange(12) % 3).reshape(3, 4).astype(dtype))
    check(lambda lib, x: [x.sum(), x.sum(0), x.prod(1), x.nansum(), x.amax(0), x.max(),
                          x.min(1), x.max(1), x.all(), x.any(1), x.count_nonzero(),
                          x.aminmax(), x.sum(dtype=lib.float64), x.logsumexp(0)], array)
    if dtype == "bool":
        check_error(lambda lib, x: x.argmax(), array)
        check_error(lambda lib, x: lib.argmin(x, 0), array)
    else:
        check(lambda lib, x: [x.argmax(), x.argmin(1, keepdim=True)], array)


@pytest.mark.parametrize("dtype", ["int64", "bool", "uint8"])
def test_floating_only_reductions_reject_integers(dtype):
    array = Input((np.arange(6) % 2).reshape(2, 3).astype(dtype))
    check_error(lambda lib, x: x.mean(), array)
    check_error(lambda lib, x: x.mean(0, dtype=lib.int32), array)
    check_error(lambda lib, x: x.std(), array)
    check_error(lambda lib, x: lib.var(x, 1), array)
    check_error(lambda lib, x: x.nanmean(), array)
    check_error(lambda lib, x: x.norm(), array)
    check(lambda lib, x: [x.mean(dtype=lib.float64), x.logsumexp(1)], array)


def test_dtype_arguments_on_floats():
    check_error(lambda lib, x: x.mean(dtype=lib.int64), Input(A))
    check_error(lambda lib, x: x.norm(dtype=lib.float32), Input(A))
    check_error(lambda lib, x: x.norm(dtype=lib.int64), Input(A))
    check_error(lambda lib, x: x.norm(dtype=lib.complex128), Input(A))


EMPTY = np.zeros((0, 3))


@pytest.mark.parametrize("function", [
    lambda lib, x: x.max(), lambda lib, x: x.min(), lambda lib, x: x.amax(),
    lambda lib, x: lib.amin(x, (0, 1)), lambda lib, x: x.amax(0), lambda lib, x: x.max(0),
    lambda lib, x: x.min(0), lambda lib, x: x.argmax(), lambda lib, x: x.argmin(0),
    lambda lib, x: x.aminmax(), lambda lib, x: x.aminmax(dim=0),
])
def test_reductions_without_identity_reject_empty(function):
    check_error(function, Input(EMPTY))


@pytest.mark.filterwarnings("ignore:.*degrees of freedom:UserWarning")
def test_empty_reductions():
    check(lambda lib, x: [x.sum(0), x.sum(), x.prod(), x.mean(), x.mean(0), x.std(0),
                          x.var(1), x.logsumexp(0), x.logsumexp(1), x.norm(), x.amax(1),
                          x.max(1), x.argmax(1), x.all(), x.any(0), x.count_nonzero(1),
                          x.nansum(0)], Input(EMPTY))


@pytest.mark.parametrize("function", [
    lambda lib, x: x.sum(2), lambda lib, x: x.sum((0, 0)), lambda lib, x: x.mean(-3),
    lambda lib, x: x.max(2), lambda lib, x: x.argmax(-3), lambda lib, x: x.amax((0, 0)),
    lambda lib, x: x.std(2), lambda lib, x: x.var((1, -1)), lambda lib, x: x.logsumexp(3),
    lambda lib, x: x.all((0, 0)), lambda lib, x: x.any(5), lambda lib, x: x.prod(2),
    lambda lib, x: x.norm(dim=4), lambda lib, x: x.count_nonzero(3),
    lambda lib, x: x.aminmax(dim=2), lambda lib, x: x.norm(p="abc"),
    lambda lib, x: x.logsumexp(dim=None),
])
def test_bad_dims(function):
    check_error(function, Input(A))


def test_scalar_inputs():
    check(lambda lib, x: [x.sum(0), x.max(0), x.argmax(0), x.amax(-1), x.std(0, correction=0),
                          x.logsumexp(0), x.norm(dim=0), x.prod(0), x.min(-1, keepdim=True)],
          grad_input(np.array(2.5)))


def test_return_type_repr_and_fields():
    mine = check(lambda lib, x: x.max(1), grad_input(A), repr_=True)
    assert repr(mine).startswith("ember.return_types.max(\nvalues=tensor(")
    assert mine.values is mine[0] and mine.indices is mine[1]
    values, indices = mine
    assert indices.dtype == ember.int64 and not indices.requires_grad
    pair = ember.aminmax(ember.tensor([1.0, 3.0]))
    assert repr(pair) == ("ember.return_types.aminmax(\nmin=tensor(1.),\nmax=tensor(3.))")
    assert type(pair).__module__ == "ember.return_types"


def test_out_arguments():
    def with_out(lib, x):
        total = lib.empty(0, dtype=x.dtype)
        indices = lib.empty(0, dtype=lib.int64)
        values = lib.empty(0, dtype=x.dtype)
        lib.sum(x, 1, out=total)
        lib.max(x, 0, out=(values, indices))
        return [total, values, indices]
    check(with_out, Input(A))


@pytest.mark.parametrize("function", [
    lambda lib, x: lib.sum(x, 0, out=lib.empty(0, dtype=x.dtype)),
    lambda lib, x: lib.logsumexp(x, 1, out=lib.empty(0, dtype=x.dtype)),
    lambda lib, x: lib.cumsum(x, 1, out=lib.empty(0, dtype=x.dtype)),
])
def test_out_rejects_differentiable_inputs(function):
    check_error(function, grad_input(A))


def test_std_warns_when_degrees_of_freedom_vanish():
    with pytest.warns(UserWarning, match="degrees of freedom is <= 0"):
        result = ember.tensor([1.0, 2.0]).std(correction=3)
    assert result.item() == float("inf")


SHAPES = hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=4)
DTYPES = st.sampled_from(["float32", "float64", "int32", "int64", "bool", "uint8"])


@st.composite
def reduction_case(draw):
    shape = draw(SHAPES)
    dtype = draw(DTYPES)
    if dtype == "bool":
        array = draw(hnp.arrays(np.bool_, shape))
    else:
        array = draw(hnp.arrays(dtype, shape, elements=st.integers(-4, 4) if dtype[0] == "i"
                                else st.integers(0, 8) if dtype == "uint8"
                                else st.floats(-4, 4, width=32)))
    ndim = len(shape)
    dims = draw(st.lists(st.integers(-ndim, ndim - 1), min_size=1, max_size=ndim,
                         unique_by=lambda d: d % ndim))
    return array, tuple(dims), draw(st.booleans()), draw(st.booleans())


@pytest.mark.filterwarnings("ignore:.*degrees of freedom:UserWarning")
@given(reduction_case())
def test_hypothesis_reductions(case):
    array, dims, keepdim, transposed = case

    def layout(x):
        # a transposed view exercises non-contiguous inputs
        return x.transpose(0, -1).transpose(0, -1) if not transposed else x.transpose(0, -1)

    def reductions(lib, x):
        x = layout(x)
        results = [x.sum(dims, keepdim), x.amax(dims, keepdim), x.amin(dims[0]),
                   x.all(dims, keepdim), x.any(dims[0], keepdim), x.count_nonzero(dims),
                   x.max(dims[0], keepdim), x.prod(dims[0]), x.nansum(dims, keepdim)]
        if x.dtype != lib.bool:
            results.append(x.argmin(dims[0], keepdim))
        if x.is_floating_point():
            results += [x.mean(dims, keepdim), x.std(dims, keepdim=keepdim),
                        x.var(dims, correction=0, keepdim=keepdim), x.logsumexp(dims, keepdim),
                        x.norm(2, dims, keepdim), x.norm(1, dims[0])]
        return results
    floating = array.dtype.kind == "f"
    check(reductions, Input(array, requires_grad=floating), rtol=1e-4, atol=1e-4,
          grad=floating and _tie_free(array))


def _tie_free(array):
    return np.unique(array).size == array.size and not np.any(array == 0)
