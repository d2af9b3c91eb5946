"""The LU family against torch: linalg.lu, lu_factor, lu_factor_ex, lu_solve, lu_unpack, the
deprecated torch.lu, torch.lu_solve, torch.triangular_solve and their Tensor methods; pivots
and factors on random, batched, rectangular and singular matrices, gradients (against torch,
finite differences and second order) and errors."""
import warnings

import numpy as np
import pytest

import ember
from oracle import (Input, check, check_double_backward, check_error, finite_differences,
                    grad_input, stdout_of_fresh_processes)

RNG = np.random.default_rng(11)
SHAPES = [(3, 3), (2, 4, 4), (2, 3, 5), (2, 5, 3), (4, 1), (1, 4), (2, 1, 3, 3)]
TIGHT = {"rtol": 1e-10, "atol": 1e-12}
# factors and solutions keep LAPACK's column-major layout where torch's do
LAYOUT = {"strides": True, **TIGHT}


@pytest.fixture(autouse=True)
def _quiet_deprecations():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        yield


def _singular(shape):
    """Random matrices of rank 1 below full rank, with an exactly repeated row."""
    matrix = RNG.standard_normal(shape)
    matrix[..., -1, :] = matrix[..., 0, :]
    return matrix


@pytest.mark.parametrize("shape", SHAPES)
def test_factorisations_and_gradients(shape):
    a = RNG.standard_normal(shape)
    # (column_major leaves NumPy's strides for dims of size 1, where torch's differ)
    layout = LAYOUT if min(shape[-2:]) > 1 else TIGHT
    check(lambda lib, A: lib.linalg.lu_factor(A), grad_input(a), **layout)
    check(lambda lib, A: lib.linalg.lu_factor_ex(A), grad_input(a), **TIGHT)
    check(lambda lib, A: lib.linalg.lu(A), grad_input(a), **layout)
    check(lambda lib, A: lib.lu_unpack(*lib.linalg.lu_factor(A)), grad_input(a), **layout)
    check(lambda lib, A: lib.linalg.lu(A), grad_input(a.astype(np.float32)))
    check(lambda lib, A: lib.linalg.lu_factor_ex(A), grad_input(a.astype(np.float32)))


def test_complex_pivots_compare_abs_real_plus_abs_imag():
    # |1.5| > |1 + 1j| = 1.41, but LAPACK's izamax compares |re| + |im|: 1.5 < 2, row 1 wins
    a = np.array([[1.5 + 0j, 1.0], [1.0 + 1.0j, 2.0], [0.2 + 0j, 0.5j]])
    check(lambda lib, A: lib.linalg.lu_factor(A), grad_input(a), **TIGHT)
    c = RNG.standard_normal((2, 4, 4)) + 1j * RNG.standard_normal((2, 4, 4))
    check(lambda lib, A: lib.linalg.lu(A), grad_input(c), **TIGHT)
    check(lambda lib, A: lib.linalg.lu(A), grad_input(c.astype(np.complex64)))
    for shape in [(2, 3, 5), (2, 5, 3)]:
        wide_or_tall = RNG.standard_normal(shape) + 1j * RNG.standard_normal(shape)
        check(lambda lib, A: lib.linalg.lu(A), grad_input(wide_or_tall), **TIGHT)
        check(lambda lib, A: lib.lu_unpack(*lib.linalg.lu_factor(A)), grad_input(wide_or_tall),
              **TIGHT)


@pytest.mark.parametrize("shape", [(3, 3), (2, 4, 4), (4, 3), (3, 5)])
def test_singular_matrices_and_info(shape):
    a = _singular(shape)
    check(lambda lib, A: lib.linalg.lu_factor_ex(A), Input(a), **TIGHT)
    check(lambda lib, A: lib.linalg.lu(A), Input(a), **TIGHT)
    zero_columns = np.zeros(shape)
    zero_columns[..., :, -1] = 1.0
    check(lambda lib, A: lib.linalg.lu_factor_ex(A), Input(zero_columns))
    check(lambda lib, A: lib.lu(A, get_infos=True), Input(zero_columns))


def test_ties_pick_the_first_row_and_integers_are_exact():
    a = np.array([[1.0, 2.0, 3.0], [-1.0, 5.0, 1.0], [1.0, 0.0, 7.0]])
    check(lambda lib, A: lib.linalg.lu_factor_ex(A), Input(a), rtol=0, atol=0)


def test_singular_errors():
    a = np.array([[1.0, 2.0], [2.0, 4.0]])
    check_error(lambda lib, A: lib.linalg.lu_factor(A), a)
    check_error(lambda lib, A: lib.linalg.lu_factor(A), np.stack([np.eye(2), a]))
    check_error(lambda lib, A: lib.linalg.lu_factor_ex(A, check_errors=True), a)
    check(lambda lib, A: lib.lu(A), Input(a))


@pytest.mark.parametrize("function", [
    lambda lib, A: lib.linalg.lu_factor(A), lambda lib, A: lib.linalg.lu(A),
    lambda lib, A: lib.linalg.lu_factor_ex(A), lambda lib, A: lib.lu(A),
    lambda lib, A: lib.linalg.lu(A, pivot=False),
    lambda lib, A: lib.linalg.lu_factor(A, pivot=False)])
def test_input_errors(function):
    check_error(function, np.ones(3))
    check_error(function, np.ones((3, 3), dtype=np.int64))


def test_lu_without_pivoting_is_refused_on_the_cpu():
    check_error(lambda lib, A: lib.linalg.lu(A, pivot=False), np.eye(3))
    check_error(lambda lib, A: lib.linalg.lu_factor_ex(A, pivot=False), np.eye(3))


def test_empty_matrices():
    check(lambda lib, A: lib.linalg.lu_factor(A), Input(np.zeros((0, 3))))
    check(lambda lib, A: lib.linalg.lu_factor(A), Input(np.zeros((2, 0, 0))))
    check(lambda lib, A: lib.linalg.lu(A), Input(np.zeros((3, 0))))


@pytest.mark.parametrize("shape", [(4, 4), (3, 5), (5, 3)])
def test_finite_differences(shape):
    a = RNG.standard_normal(shape)
    finite_differences(lambda A: ember.linalg.lu_factor(A).LU, a)
    finite_differences(lambda A: ember.linalg.lu(A).L + 2 * ember.linalg.lu(A).U.sum(), a)
    finite_differences(lambda A: ember.lu_unpack(A, ember.linalg.lu_factor(
        ember.tensor(a)).pivots).U, a)


@pytest.mark.parametrize("shape", [(3, 3), (3, 4), (4, 3)])
def test_second_derivatives(shape):
    a = RNG.standard_normal(shape)
    check_double_backward(lambda lib, A: lib.linalg.lu_factor(A).LU, [a])
    check_double_backward(lambda lib, A: lib.linalg.lu(A).U, [a])


def test_lu_unpack_flags_and_errors():
    a = RNG.standard_normal((2, 3, 4))
    # torch's backward fails for the empty L and U: only the results and grad_fns compare
    check(lambda lib, A: lib.lu_unpack(*lib.linalg.lu_factor(A), unpack_data=False),
          grad_input(a), grad=False)
    check(lambda lib, A: lib.lu_unpack(*lib.linalg.lu_factor(A), unpack_pivots=False),
          grad_input(a))
    check(lambda lib, A: lib.lu_unpack(*lib.linalg.lu_factor(A), False, False), Input(a))
    pivots = np.array([2, 3, 3], dtype=np.int32)
    square = RNG.standard_normal((3, 3))
    check_error(lambda lib, A, p: lib.lu_unpack(A, p.long()), square, pivots)
    check_error(lambda lib, A, p: lib.lu_unpack(A, p), square, pivots + 2)
    check_error(lambda lib, A, p: lib.lu_unpack(A, p), square, pivots - 2)
    check_error(lambda lib, A, p: lib.lu_unpack(A, p), np.ones(3), pivots)


@pytest.mark.parametrize("left", [True, False])
@pytest.mark.parametrize("adjoint", [True, False])
def test_lu_solve(left, adjoint):
    a = RNG.standard_normal((2, 3, 3))
    b = RNG.standard_normal((2, 3, 2) if left else (2, 2, 3))

    def solve(lib, A, B):
        return lib.linalg.lu_solve(*lib.linalg.lu_factor(A), B, left=left, adjoint=adjoint)
    check(solve, grad_input(a), grad_input(b), rtol=1e-9, atol=1e-10, strides=True)
    check(solve, grad_input(a.astype(np.float32)), grad_input(b.astype(np.float32)),
          rtol=1e-4, atol=1e-5)
    c = a + 1j * RNG.standard_normal(a.shape)
    check(solve, grad_input(c), grad_input(b + 0j), rtol=1e-9, atol=1e-10)
    check_double_backward(lambda lib, A, B: solve(lib, A, B), [a, b])
    finite_differences(lambda A, B: solve(ember, A, B), a, b)


@pytest.mark.parametrize("left", [True, False])
@pytest.mark.parametrize("adjoint", [True, False])
def test_lu_solve_with_a_zero_pivot_spreads_infs_and_nans_as_lapack(left, adjoint):
    a = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0]])
    b = np.arange(6.0).reshape((3, 2) if left else (2, 3))
    check(lambda lib, A, B: lib.linalg.lu_solve(*lib.linalg.lu_factor_ex(A)[:2], B, left=left,
                                                adjoint=adjoint), Input(a), Input(b))


def test_lu_solve_broadcasts_and_deprecated_form():
    a = RNG.standard_normal((3, 3))
    b = RNG.standard_normal((4, 3, 2))
    check(lambda lib, A, B: lib.linalg.lu_solve(*lib.linalg.lu_factor(A), B), grad_input(a),
          grad_input(b), rtol=1e-9, atol=1e-10)
    check(lambda lib, A, B: lib.lu_solve(B, *lib.linalg.lu_factor(A)), grad_input(a),
          grad_input(b), rtol=1e-9, atol=1e-10)
    check(lambda lib, A, B: B.lu_solve(*A.lu()), grad_input(a), grad_input(b),
          rtol=1e-9, atol=1e-10)


def test_lu_solve_errors():
    a = RNG.standard_normal((3, 3))

    def solve(B, left=True, change=lambda LU, pivots: (LU, pivots)):
        def run(lib, A, rhs):
            LU, pivots = change(*lib.linalg.lu_factor(A))
            return lib.linalg.lu_solve(LU, pivots, rhs, left=left)
        check_error(run, a, B)
    solve(np.ones((4, 2)))
    solve(np.ones(3))
    solve(np.ones((3, 2)), left=False)
    solve(np.ones((3, 2)), change=lambda LU, pivots: (LU, pivots.long()))
    solve(np.ones((3, 2), dtype=np.float32))
    solve(np.ones((2, 2)), change=lambda LU, pivots: (LU[:2], pivots[:2]))
    solve(np.ones((3, 2)), change=lambda LU, pivots: (LU, pivots[:2]))
    solve(np.ones((3, 2)), change=lambda LU, pivots: (LU, pivots.expand(2, 3)))
    solve(np.ones((3, 2), dtype=np.int64), change=lambda LU, pivots: (LU.long(), pivots))


@pytest.mark.parametrize("upper", [True, False])
@pytest.mark.parametrize("transpose", [True, False])
@pytest.mark.parametrize("unitriangular", [True, False])
def test_triangular_solve(upper, transpose, unitriangular):
    a = RNG.standard_normal((3, 3)) + 3 * np.eye(3)
    b = RNG.standard_normal((2, 3, 2))

    def solve(lib, A, B):
        return lib.triangular_solve(B, A, upper, transpose, unitriangular)
    check(solve, grad_input(a), grad_input(b), rtol=1e-9, atol=1e-10, strides=True)
    check(solve, grad_input(a.astype(np.float32)), grad_input(b.astype(np.float32)),
          rtol=1e-5, atol=1e-5)
    check(lambda lib, A, B: B.triangular_solve(A, upper=upper, transpose=transpose,
                                               unitriangular=unitriangular),
          grad_input(a + 1j * np.eye(3)), grad_input(b + 0.5j), rtol=1e-9, atol=1e-10)
    check_double_backward(lambda lib, A, B: solve(lib, A, B).solution, [a, b])
    finite_differences(lambda A, B: solve(ember, A, B).solution, a, b)


@pytest.mark.parametrize("transpose", [True, False])
def test_triangular_solve_with_a_zero_diagonal_spreads_infs_and_nans(transpose):
    a = np.array([[1.0, 2.0, 3.0], [5.0, 0.0, 6.0], [1.0, 4.0, 0.0]])
    b = np.arange(6.0).reshape(3, 2)
    for upper in (True, False):
        check(lambda lib, A, B: lib.triangular_solve(B, A, upper, transpose), Input(a), Input(b))


def test_triangular_solve_errors():
    def solve(lib, A, B):
        return lib.triangular_solve(B, A)
    check_error(solve, np.eye(3), np.ones((4, 2)))
    check_error(solve, np.eye(3), np.ones(3))
    check_error(solve, np.ones(3), np.ones((3, 2)))
    check_error(solve, np.ones((3, 4)), np.ones((3, 2)))
    check_error(solve, np.eye(3), np.ones((3, 2), dtype=np.float32))
    check_error(solve, np.eye(3, dtype=np.int64), np.ones((3, 2), dtype=np.int64))
    check_error(solve, np.ones((2, 3, 3)), np.ones((3, 3, 2)))


_WARNINGS_SCRIPT = """
import sys, warnings
import numpy as np
import {lib} as lib
a = lib.tensor(np.eye(3) + np.triu(np.ones((3, 3))))
b = lib.tensor(np.ones((3, 2)))
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    LU, pivots = lib.lu(a)
    LU, pivots = a.lu()
    lib.lu_solve(b, LU, pivots)
    lib.triangular_solve(b, a)
    b.triangular_solve(a)
for warning in caught:
    print(warning.category.__name__, repr(str(warning.message)))
"""


def test_deprecation_warnings_once_per_process():
    outputs = stdout_of_fresh_processes(_WARNINGS_SCRIPT)
    assert outputs[0] == outputs[1]
    assert outputs[1].count("UserWarning") == 3


def _outs(lib, *dtypes):
    return tuple(lib.empty(0, dtype=getattr(lib, dtype)) for dtype in dtypes)


OUT_CALLS = {
    "lu_factor": (lambda lib, A, b, out: lib.linalg.lu_factor(A, out=out), ("float64", "int32")),
    "lu_factor_ex": (lambda lib, A, b, out: lib.linalg.lu_factor_ex(A, out=out),
                     ("float64", "int32", "int32")),
    "lu": (lambda lib, A, b, out: lib.linalg.lu(A, out=out), ("float64",) * 3),
    "lu_unpack": (lambda lib, A, b, out: lib.lu_unpack(*lib.linalg.lu_factor(A),
                                                       out=out), ("float64",) * 3),
    "lu_solve": (lambda lib, A, b, out: lib.linalg.lu_solve(*lib.linalg.lu_factor(A),
                                                            b, out=out[0]), ("float64",)),
    "triangular_solve": (lambda lib, A, b, out: lib.triangular_solve(b, A, out=out),
                         ("float64", "float64")),
}


@pytest.mark.parametrize("name", sorted(OUT_CALLS))
def test_out_arguments(name):
    call, dtypes = OUT_CALLS[name]
    a = RNG.standard_normal((3, 3))
    b = RNG.standard_normal((3, 2))

    def written(lib, A, B):
        out = _outs(lib, *dtypes)
        result = call(lib, A, B, out)
        results = result if isinstance(result, tuple) else (result,)
        assert all(got is given for got, given in zip(results, out))
        return result, type(result).__name__
    check(written, Input(a), Input(b), **TIGHT)
    wrong = ("float32",) + dtypes[1:]
    check_error(lambda lib, A, B: call(lib, A, B, _outs(lib, *wrong)), a, b)
    check_error(lambda lib, A, B: call(lib, A.requires_grad_(), B.requires_grad_(),
                                       _outs(lib, *dtypes)), a, b)


def test_warn_always_repeats_the_deprecations_as_torch():
    code = ("import warnings, {lib}\n"
            "{lib}.set_warn_always(True)\n"
            "a = {lib}.eye(3)\n"
            "with warnings.catch_warnings(record=True) as caught:\n"
            "    warnings.simplefilter('always')\n"
            "    {lib}.lu(a)\n"
            "    {lib}.lu(a)\n"
            "    {lib}.ones(64).stft(16, return_complex=True)\n"
            "    {lib}.ones(64).stft(16, return_complex=True)\n"
            "print([str(item.message)[:40] for item in caught])\n")
    outputs = stdout_of_fresh_processes(code)
    assert outputs[0] == outputs[1] and outputs[1].count("deprecated") == 2
