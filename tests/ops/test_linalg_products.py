"""Matrix products, matmul's shape classes, triangles/diagonals and contractions (einsum,
tensordot, kron, cross) against torch: values, dtypes, grad_fn names and gradients; finite
differences in float64; hypothesis over broadcast batch shapes; PyTorch's errors."""
import warnings

import numpy as np
import pytest
from hypothesis import given, strategies as st

import ember
from oracle import Input, check, check_error, finite_differences, grad_input

RNG = np.random.default_rng(11)


def randn(*shape):
    return RNG.standard_normal(shape)


# (id, function(lib, *tensors), arrays): every array is a differentiable input
OPS = [
    ("dot", lambda lib, x, y: lib.dot(x, y), (randn(3), randn(3))),
    ("vdot", lambda lib, x, y: lib.vdot(x, y), (randn(3), randn(3))),
    ("mv", lambda lib, x, y: lib.mv(x, y), (randn(2, 3), randn(3))),
    ("mm", lambda lib, x, y: lib.mm(x, y), (randn(2, 3), randn(3, 4))),
    ("mm_method_transposed", lambda lib, x, y: x.t().mm(y.t()), (randn(3, 2), randn(4, 3))),
    ("bmm", lambda lib, x, y: lib.bmm(x, y), (randn(2, 2, 3), randn(2, 3, 4))),
    ("outer", lambda lib, x, y: lib.outer(x, y), (randn(3), randn(4))),
    ("ger", lambda lib, x, y: x.ger(y), (randn(3), randn(4))),
    ("addmm", lambda lib, i, x, y: lib.addmm(i, x, y), (randn(2, 4), randn(2, 3), randn(3, 4))),
    ("addmm_scaled_broadcast", lambda lib, i, x, y: lib.addmm(i, x, y, beta=0.5, alpha=2),
     (randn(4), randn(2, 3), randn(3, 4))),
    ("addmv", lambda lib, i, x, y: lib.addmv(i, x, y, beta=2, alpha=-1),
     (randn(2), randn(2, 3), randn(3))),
    ("addr", lambda lib, i, x, y: lib.addr(i, x, y, alpha=3), (randn(3, 4), randn(3), randn(4))),
    ("addbmm", lambda lib, i, x, y: lib.addbmm(i, x, y, beta=0.5),
     (randn(2, 4), randn(5, 2, 3), randn(5, 3, 4))),
    ("baddbmm", lambda lib, i, x, y: lib.baddbmm(i, x, y, alpha=0.5),
     (randn(5, 2, 4), randn(5, 2, 3), randn(5, 3, 4))),
    ("tril", lambda lib, x: lib.tril(x), (randn(3, 4),)),
    ("tril_diagonal", lambda lib, x: x.tril(-1), (randn(2, 3, 4),)),
    ("triu", lambda lib, x: lib.triu(x, 1), (randn(4, 3),)),
    ("trace", lambda lib, x: lib.trace(x), (randn(3, 4),)),
    ("diag_vector", lambda lib, x: lib.diag(x, 1), (randn(3),)),
    ("diag_matrix", lambda lib, x: x.diag(-1), (randn(3, 4),)),
    ("diag_embed", lambda lib, x: lib.diag_embed(x), (randn(2, 3),)),
    ("diag_embed_dims", lambda lib, x: lib.diag_embed(x, -1, 0, 2), (randn(2, 3),)),
    ("diagflat", lambda lib, x: lib.diagflat(x, 1), (randn(2, 2),)),
    ("kron", lambda lib, x, y: lib.kron(x, y), (randn(2, 3), randn(4))),
    ("tensordot_int", lambda lib, x, y: lib.tensordot(x, y, dims=2),
     (randn(2, 3, 4), randn(3, 4, 5))),
    ("tensordot_lists", lambda lib, x, y: lib.tensordot(x, y, dims=([0], [1])),
     (randn(3, 4), randn(5, 3))),
    ("cross", lambda lib, x, y: lib.cross(x, y, dim=0), (randn(3, 2), randn(3, 2))),
    ("linalg_cross_broadcast", lambda lib, x, y: lib.linalg.cross(x, y),
     (randn(2, 3), randn(1, 3))),
    ("einsum_matmul", lambda lib, x, y: lib.einsum("ij,jk->ik", x, y),
     (randn(2, 3), randn(3, 4))),
    ("einsum_batched", lambda lib, x, y: lib.einsum("bij,bjk->bik", x, y),
     (randn(2, 2, 3), randn(2, 3, 4))),
    ("einsum_trace", lambda lib, x: lib.einsum("ii", x), (randn(3, 3),)),
    ("einsum_diagonal", lambda lib, x: lib.einsum("ii->i", x), (randn(3, 3),)),
    ("einsum_transpose", lambda lib, x: lib.einsum("ij->ji", x), (randn(2, 3),)),
    ("einsum_outer", lambda lib, x, y: lib.einsum("i,j->ij", x, y), (randn(2), randn(3))),
    ("einsum_ellipsis", lambda lib, x, y: lib.einsum("...ij,...jk", x, y),
     (randn(2, 2, 3), randn(3, 4))),
    ("einsum_three", lambda lib, x, y, z: lib.einsum("ij,jk,kl->il", x, y, z),
     (randn(2, 3), randn(3, 4), randn(4, 2))),
    ("einsum_list", lambda lib, x, y: lib.einsum("i,i", [x, y]), (randn(3), randn(3))),
    ("einsum_sublist", lambda lib, x, y: lib.einsum(x, [0, 1], y, [1, 2], [0, 2]),
     (randn(2, 3), randn(3, 4))),
]


@pytest.mark.parametrize("function, arrays", [row[1:] for row in OPS], ids=[r[0] for r in OPS])
def test_matches_torch(function, arrays):
    check(function, *[grad_input(a) for a in arrays])


@pytest.mark.parametrize("function, arrays", [row[1:] for row in OPS], ids=[r[0] for r in OPS])
def test_finite_differences(function, arrays):
    finite_differences(lambda *tensors: function(ember, *tensors), *arrays)


# Every class of matmul operands: PyTorch decomposes each into different views and products,
# which the grad_fn names (and the gradients) reveal.
MATMUL_SHAPES = [
    ((3,), (3,)), ((3,), (3, 4)), ((2, 3), (3,)), ((2, 3), (3, 4)),
    ((5, 2, 3), (3,)), ((3,), (5, 3, 4)), ((5, 2, 3), (3, 4)), ((2, 3), (5, 3, 4)),
    ((5, 2, 3), (5, 3, 4)), ((5, 2, 3), (1, 3, 4)), ((1, 2, 3), (5, 3, 4)),
    ((6, 1, 2, 3), (5, 3, 4)), ((5, 2, 3), (2, 5, 3, 4)), ((7, 5, 2, 3), (3,)),
    ((3,), (7, 5, 3, 4)), ((0, 2, 3), (3, 4)), ((2, 0), (0, 3)),
]


@pytest.mark.parametrize("shapes", MATMUL_SHAPES, ids=str)
@pytest.mark.parametrize("requires_grad", [(True, True), (True, False), (False, True)],
                         ids=["both", "left", "right"])
def test_matmul_shape_classes(shapes, requires_grad):
    arrays = [RNG.standard_normal(shape).astype(np.float32) for shape in shapes]
    inputs = [Input(a, requires_grad=flag) for a, flag in zip(arrays, requires_grad)]
    check(lambda lib, x, y: x @ y, *inputs)


@pytest.mark.parametrize("shapes", MATMUL_SHAPES[:10], ids=str)
def test_matmul_finite_differences(shapes):
    finite_differences(lambda x, y: ember.matmul(x, y), *[randn(*s) for s in shapes])


def test_matmul_without_grad_keeps_the_bmm_path_for_strided_operands():
    left = randn(2, 3, 4).transpose(1, 0, 2)
    check(lambda lib, x, y: lib.matmul(x, y), Input(left), Input(randn(4, 5)))
    check(lambda lib, x, y: lib.matmul(x.transpose(0, 1), y), grad_input(randn(2, 3, 4)),
          Input(randn(4, 5)))


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "int32", "int8", "complex64"])
@pytest.mark.parametrize("op", ["mm", "matmul", "bmm", "dot", "mv"])
def test_dtypes(op, dtype):
    shapes = {"mm": ((2, 3), (3, 4)), "matmul": ((2, 2, 3), (3,)), "bmm": ((2, 2, 3), (2, 3, 4)),
              "dot": ((3,), (3,)), "mv": ((2, 3), (3,))}[op]
    arrays = [(RNG.standard_normal(s) * 4).astype(dtype) for s in shapes]
    check(lambda lib, x, y: getattr(lib, op)(x, y), *[Input(a) for a in arrays])


@pytest.mark.parametrize("dtype", ["float32", "int64", "int32"])
def test_structure_dtypes(dtype):
    array = (randn(3, 3) * 4).astype(dtype)
    for function in (lambda lib, x: lib.trace(x), lambda lib, x: lib.tril(x, 1),
                     lambda lib, x: lib.diag(x), lambda lib, x: lib.kron(x, x),
                     lambda lib, x: lib.einsum("ij,jk", x, x)):
        check(function, Input(array))


def test_inplace_triangles_and_add_products():
    check(lambda lib, x: (x * 1).tril_(1), grad_input(randn(3, 4)))
    check(lambda lib, x: (x * 1).triu_(), grad_input(randn(3, 4)))
    check(lambda lib, i, x, y: (i * 1).addmm_(x, y, beta=2), grad_input(randn(2, 4)),
          grad_input(randn(2, 3)), grad_input(randn(3, 4)))
    check(lambda lib, i, x, y: (i * 1).baddbmm_(x, y), grad_input(randn(2, 2, 4)),
          grad_input(randn(2, 2, 3)), grad_input(randn(2, 3, 4)))


def test_addmm_beta_zero_ignores_nan_input():
    check(lambda lib, i, x, y: lib.addmm(i, x, y, beta=0), Input(np.full((2, 2), np.nan)),
          grad_input(randn(2, 3)), grad_input(randn(3, 2)))


def test_second_order_gradient_of_mm():
    check(lambda lib, x, y: lib.autograd.grad((x @ y).pow(2).sum(), x, create_graph=True)[0],
          grad_input(randn(2, 3)), grad_input(randn(3, 2)))


def test_cross_without_dim_warns_and_uses_first_dim_of_size_3():
    with pytest.warns(UserWarning, match="without specifying the dim arg is deprecated"):
        check(lambda lib, x, y: lib.cross(x, y), grad_input(randn(4, 3)), grad_input(randn(4, 3)))


@st.composite
def _batched_operands(draw):
    batch = draw(st.lists(st.integers(1, 3), min_size=0, max_size=3))
    other = [draw(st.sampled_from([1, extent])) for extent in batch]
    keep = draw(st.integers(0, len(other)))
    n, k, p = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    left = tuple(batch) + (n, k) if draw(st.booleans()) else (k,)
    right = tuple(other[keep:]) + (k, p) if draw(st.booleans()) else (k,)
    if draw(st.booleans()):
        left, right = (tuple(other[keep:]) + (n, k) if len(left) > 1 else left,
                       tuple(batch) + (k, p) if len(right) > 1 else right)
    return left, right, draw(st.sampled_from([(True, True), (True, False), (False, True)]))


def _maybe_transposed(tensor, transposed):
    return tensor.mT if transposed else tensor


@given(_batched_operands(), st.booleans(), st.booleans())
def test_matmul_broadcasting_hypothesis(operands, transpose_left, transpose_right):
    left, right, flags = operands
    # transposed operands reach matmul as strided views (built from the swapped shape)
    transposes = [transpose_left and len(left) > 1, transpose_right and len(right) > 1]
    shapes = [shape[:-2] + shape[:-3:-1] if flag else shape
              for shape, flag in zip((left, right), transposes)]
    arrays = [RNG.standard_normal(shape) for shape in shapes]
    check(lambda lib, x, y: lib.matmul(_maybe_transposed(x, transposes[0]),
                                       _maybe_transposed(y, transposes[1])),
          *[Input(a, requires_grad=flag) for a, flag in zip(arrays, flags)])


# ---- errors -----------------------------------------------------------------------------------

def f32(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


def f64(*shape):
    return RNG.standard_normal(shape)


ERRORS = [
    ("mm_shapes", lambda lib, x, y: lib.mm(x, y), (f32(2, 3), f32(4, 5))),
    ("mm_dtypes", lambda lib, x, y: lib.mm(x, y), (f32(2, 3), f64(3, 4))),
    ("mm_int_float", lambda lib, x, y: lib.mm(x, y), (np.ones((2, 3), np.int64), f32(3, 4))),
    ("mm_self_vector", lambda lib, x, y: lib.mm(x, y), (f32(3), f32(3, 4))),
    ("mm_mat2_vector", lambda lib, x, y: lib.mm(x, y), (f32(2, 3), f32(3))),
    ("mm_bool", lambda lib, x, y: lib.mm(x, y), (np.ones((2, 2), bool), np.ones((2, 2), bool))),
    ("matmul_0d", lambda lib, x, y: lib.matmul(x, y), (f32(), f32(3))),
    ("matmul_1_1", lambda lib, x, y: x @ y, (f32(3), f32(4))),
    ("matmul_1_2", lambda lib, x, y: x @ y, (f32(3), f32(4, 5))),
    ("matmul_2_1", lambda lib, x, y: x @ y, (f32(2, 3), f32(4))),
    ("matmul_batch", lambda lib, x, y: x @ y, (f32(5, 2, 3), f32(5, 4, 4))),
    ("matmul_broadcast", lambda lib, x, y: x @ y, (f32(5, 2, 3), f32(4, 3, 4))),
    ("matmul_dtypes", lambda lib, x, y: x @ y, (f32(5, 2, 3), f64(5, 3, 4))),
    ("matmul_vector_dtypes", lambda lib, x, y: x @ y, (f32(3), f64(3))),
    ("matmul_3_1", lambda lib, x, y: x @ y, (f32(5, 2, 3), f32(4))),
    ("matmul_1_3", lambda lib, x, y: x @ y, (f32(4), f32(5, 2, 3))),
    ("matmul_3_2", lambda lib, x, y: x @ y, (f32(5, 2, 3), f32(4, 3))),
    ("matmul_scalar", lambda lib, x: lib.matmul(x, 2), (f32(2, 2),)),
    ("matmul_operator_scalar", lambda lib, x: x @ 2, (f32(2, 2),)),
    ("dot_dtypes", lambda lib, x, y: lib.dot(x, y), (f32(3), f64(3))),
    ("dot_2d", lambda lib, x, y: lib.dot(x, y), (f32(3, 1), f32(3))),
    ("dot_sizes", lambda lib, x, y: lib.dot(x, y), (f32(3), f32(4))),
    ("dot_bool", lambda lib, x, y: lib.dot(x, y), (np.ones(2, bool), np.ones(2, bool))),
    ("vdot_sizes", lambda lib, x, y: lib.vdot(x, y), (f32(3), f32(4))),
    ("mv_sizes", lambda lib, x, y: lib.mv(x, y), (f32(2, 3), f32(4))),
    ("mv_dims", lambda lib, x, y: lib.mv(x, y), (f32(3), f32(3))),
    ("mv_matrix_vec", lambda lib, x, y: lib.mv(x, y), (f32(2, 3), f32(3, 1))),
    ("mv_dtypes", lambda lib, x, y: lib.mv(x, y), (f32(2, 3), f64(3))),
    ("bmm_dims", lambda lib, x, y: lib.bmm(x, y), (f32(2, 3), f32(2, 3, 4))),
    ("bmm_dims2", lambda lib, x, y: lib.bmm(x, y), (f32(2, 2, 3), f32(3, 4))),
    ("bmm_batch", lambda lib, x, y: lib.bmm(x, y), (f32(2, 2, 3), f32(3, 3, 4))),
    ("bmm_dtypes", lambda lib, x, y: lib.bmm(x, y), (f32(2, 2, 3), f64(2, 3, 4))),
    ("outer_dims", lambda lib, x, y: lib.outer(x, y), (f32(2, 3), f32(3))),
    ("outer_dims2", lambda lib, x, y: lib.outer(x, y), (f32(3), f32(2, 3))),
    ("addmm_input", lambda lib, i, x, y: lib.addmm(i, x, y), (f32(2, 5), f32(2, 3), f32(3, 4))),
    ("addmm_dtype", lambda lib, i, x, y: lib.addmm(i, x, y), (f64(2, 4), f32(2, 3), f32(3, 4))),
    ("addmm_mats_dtype", lambda lib, i, x, y: lib.addmm(i, x, y),
     (f32(2, 4), f64(2, 3), f32(3, 4))),
    ("addmm_shapes", lambda lib, i, x, y: lib.addmm(i, x, y), (f32(2, 4), f32(2, 3), f32(4, 4))),
    ("addmm_vector", lambda lib, i, x, y: lib.addmm(i, x, y), (f32(2, 4), f32(3), f32(3, 4))),
    ("addmv_sizes", lambda lib, i, x, y: lib.addmv(i, x, y), (f32(3), f32(2, 3), f32(3))),
    ("addmv_dtype", lambda lib, i, x, y: lib.addmv(i, x, y), (f64(2), f32(2, 3), f32(3))),
    ("addbmm_input", lambda lib, i, x, y: lib.addbmm(i, x, y),
     (f32(2, 5), f32(5, 2, 3), f32(5, 3, 4))),
    ("addbmm_dtype", lambda lib, i, x, y: lib.addbmm(i, x, y),
     (f64(2, 4), f32(5, 2, 3), f32(5, 3, 4))),
    ("baddbmm_input", lambda lib, i, x, y: lib.baddbmm(i, x, y),
     (f32(5, 2, 5), f32(5, 2, 3), f32(5, 3, 4))),
    ("baddbmm_dtype", lambda lib, i, x, y: lib.baddbmm(i, x, y),
     (f64(5, 2, 4), f32(5, 2, 3), f32(5, 3, 4))),
    ("addr_dims", lambda lib, i, x, y: lib.addr(i, x, y), (f32(3, 4), f32(3, 1), f32(4))),
    ("trace_vector", lambda lib, x: lib.trace(x), (f32(3),)),
    ("trace_3d", lambda lib, x: lib.trace(x), (f32(2, 3, 3),)),
    ("trace_bool", lambda lib, x: lib.trace(x), (np.ones((2, 2), bool),)),
    ("tril_vector", lambda lib, x: lib.tril(x), (f32(3),)),
    ("triu_scalar", lambda lib, x: lib.triu(x), (f32(),)),
    ("diag_3d", lambda lib, x: lib.diag(x), (f32(2, 2, 2),)),
    ("diag_embed_scalar", lambda lib, x: lib.diag_embed(x), (f32(),)),
    ("diag_embed_same_dims", lambda lib, x: lib.diag_embed(x, 0, 1, 1), (f32(2, 3),)),
    ("cross_length", lambda lib, x, y: lib.linalg.cross(x, y), (f32(2, 2), f32(2, 2))),
    ("cross_dim", lambda lib, x, y: lib.cross(x, y, dim=1), (f32(3, 4), f32(3, 4))),
    ("cross_broadcast", lambda lib, x, y: lib.linalg.cross(x, y), (f32(2, 3), f32(4, 3))),
    ("cross_dtypes", lambda lib, x, y: lib.linalg.cross(x, y), (f32(3), f64(3))),
    ("tensordot_sizes", lambda lib, x, y: lib.tensordot(x, y, dims=1), (f32(2, 3), f32(4, 5))),
    ("tensordot_lists", lambda lib, x, y: lib.tensordot(x, y, dims=([1], [1])),
     (f32(2, 3), f32(3, 5))),
    ("tensordot_dtypes", lambda lib, x, y: lib.tensordot(x, y, 1), (f32(2, 3), f64(3, 2))),
    ("einsum_few_operands", lambda lib, x: lib.einsum("ij,jk", x), (f32(2, 3),)),
    ("einsum_many_operands", lambda lib, x: lib.einsum("ij", x, x), (f32(2, 3),)),
    ("einsum_sizes", lambda lib, x, y: lib.einsum("ij,jk", x, y), (f32(2, 3), f32(4, 5))),
    ("einsum_dims", lambda lib, x: lib.einsum("ijk", x), (f32(2, 3),)),
    ("einsum_output", lambda lib, x: lib.einsum("ij->k", x), (f32(2, 3),)),
    ("einsum_output_twice", lambda lib, x: lib.einsum("ij->ii", x), (f32(2, 3),)),
    ("einsum_subscript", lambda lib, x: lib.einsum("i1", x), (f32(2, 3),)),
    ("einsum_repeated_sizes", lambda lib, x: lib.einsum("ii", x), (f32(2, 3),)),
    ("einsum_dtypes", lambda lib, x, y: lib.einsum("ij,jk", x, y), (f32(2, 3), f64(3, 2))),
]


@pytest.mark.parametrize("function, arrays", [row[1:] for row in ERRORS],
                         ids=[r[0] for r in ERRORS])
def test_errors(function, arrays):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_error(function, *[Input(a) for a in arrays])


def test_failed_inplace_leaves_target_unchanged():
    target = ember.tensor(randn(2, 5))
    before = target.numpy().copy()
    with pytest.raises(RuntimeError):
        target.addmm_(ember.tensor(randn(2, 3)), ember.tensor(randn(4, 5)))
    np.testing.assert_array_equal(target.numpy(), before)


@pytest.mark.parametrize("op", ["mm", "matmul", "dot", "vdot", "mv", "addmm"])
def test_complex_gradients(op):
    def complex_array(*shape):
        return (randn(*shape) + 1j * randn(*shape)).astype(np.complex128)
    shapes = {"mm": ((2, 3), (3, 4)), "matmul": ((2, 2, 3), (3,)), "dot": ((3,), (3,)),
              "vdot": ((3,), (3,)), "mv": ((2, 3), (3,)), "addmm": ((2, 4), (2, 3), (3, 4))}[op]
    check(lambda lib, *tensors: getattr(lib, op)(*tensors),
          *[grad_input(complex_array(*shape)) for shape in shapes])


def test_half_precision_products():
    arrays = [randn(2, 3).astype(np.float16), randn(3, 4).astype(np.float16)]
    check(lambda lib, x, y: lib.mm(x, y), *[Input(a) for a in arrays])


HALF_PRODUCTS = {
    "mm": (lambda lib, x, y, z: lib.mm(x, y), ((2, 3), (3, 4), (2, 4))),
    "matmul": (lambda lib, x, y, z: lib.matmul(x, y), ((5, 2, 3), (3, 4), (2, 4))),
    "bmm": (lambda lib, x, y, z: lib.bmm(x, y), ((2, 2, 3), (2, 3, 4), (2, 4))),
    "addmm": (lambda lib, x, y, z: lib.addmm(z, x, y), ((2, 3), (3, 4), (2, 4))),
    "mv": (lambda lib, x, y, z: lib.mv(x, y), ((2, 3), (3,), (2,))),
    "addmv": (lambda lib, x, y, z: lib.addmv(z, x, y), ((2, 3), (3,), (2,))),
    "baddbmm": (lambda lib, x, y, z: lib.baddbmm(z, x, y), ((2, 2, 3), (2, 3, 4), (2, 4))),
    "addbmm": (lambda lib, x, y, z: lib.addbmm(z, x, y), ((2, 2, 3), (2, 3, 4), (2, 4))),
}


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
@pytest.mark.parametrize("op", list(HALF_PRODUCTS))
def test_reduced_precision_products_keep_their_dtype(op, dtype):
    if dtype == "bfloat16":
        pytest.importorskip("ml_dtypes", reason="bfloat16 needs the optional ml_dtypes")
    function, shapes = HALF_PRODUCTS[op]
    arrays = [randn(*shape).astype(np.float32) for shape in shapes]

    def product(lib, *tensors):
        return function(lib, *[tensor.to(getattr(lib, dtype)) for tensor in tensors])
    check(product, *[grad_input(a) for a in arrays])


OUT_CASES = [("mm", ((2, 3), (3, 4))), ("bmm", ((2, 2, 3), (2, 3, 4))), ("mv", ((2, 3), (3,))),
             ("dot", ((3,), (3,))), ("vdot", ((3,), (3,))), ("matmul", ((5, 2, 3), (3, 4)))]


@pytest.mark.parametrize("op, shapes", OUT_CASES, ids=[case[0] for case in OUT_CASES])
def test_out(op, shapes):
    arrays = [randn(*shape).astype(np.float32) for shape in shapes]
    out = np.zeros(np.matmul(*arrays).shape, np.float32)

    def function(lib, x, y, o):
        returned = getattr(lib, op)(x, y, out=o)
        assert returned is o
        return o
    check(function, Input(arrays[0]), Input(arrays[1]), Input(out))


@pytest.mark.parametrize("op, shapes", OUT_CASES, ids=[case[0] for case in OUT_CASES])
def test_out_is_resized(op, shapes):
    import torch
    arrays = [randn(*shape).astype(np.float32) for shape in shapes]
    mine = ember.empty(0)
    theirs = torch.empty(0)
    getattr(ember, op)(*[ember.tensor(a) for a in arrays], out=mine)
    getattr(torch, op)(*[torch.tensor(a) for a in arrays], out=theirs)
    assert tuple(mine.shape) == tuple(theirs.shape)
    np.testing.assert_allclose(mine.numpy(), theirs.numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("op, shapes", OUT_CASES, ids=[case[0] for case in OUT_CASES])
def test_out_errors(op, shapes):
    arrays = [randn(*shape).astype(np.float32) for shape in shapes]
    wrong_dtype = np.zeros(np.matmul(*arrays).shape)
    check_error(lambda lib, x, y, o: getattr(lib, op)(x, y, out=o), Input(arrays[0]),
                Input(arrays[1]), Input(wrong_dtype))
    check_error(lambda lib, x, y, o: getattr(lib, op)(x, y, out=o), grad_input(arrays[0]),
                Input(arrays[1]), Input(wrong_dtype.astype(np.float32)))


@pytest.mark.parametrize("shape, wrap", [((7, 3), True), ((7, 3), False), ((3, 5), True),
                                         ((4, 4), False), ((2, 2, 2), False), ((5, 4), True)])
def test_fill_diagonal_matches_torch(shape, wrap):
    def fill(lib, x):
        # through a non-leaf, so autograd records the write (CopySlices in torch)
        y = x * 2
        return y.fill_diagonal_(-1.5, wrap=wrap)
    check(fill, grad_input(randn(*shape)))


def test_fill_diagonal_on_views_and_integer_tensors():
    def on_column_slice(lib, x):
        view = x[:, 1:5]
        view.fill_diagonal_(9.0)
        return x
    check(on_column_slice, Input(randn(4, 6)))
    check(lambda lib, x: x.t().fill_diagonal_(5.0, wrap=True), Input(randn(3, 4)), strides=True)
    check(lambda lib, x: x.fill_diagonal_(1.7), Input(np.zeros((3, 3), dtype=np.int64)))


@pytest.mark.parametrize("function", [
    lambda lib, x: x[0].fill_diagonal_(1.0),
    lambda lib, x: x.expand(2, 3, 3).clone()[:, :2].fill_diagonal_(1.0),
    lambda lib, x: x.requires_grad_().fill_diagonal_(0.0),
    lambda lib, x: x.long().fill_diagonal_(3 + 1j),
])
def test_fill_diagonal_errors(function):
    check_error(function, Input(randn(3, 3)))
