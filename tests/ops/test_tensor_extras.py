"""Tensor methods and top-level functions against torch: sum_to_size, nextafter (function,
method, in-place), is_nonzero, is_same_size, is_signed, is_storage, const_data_ptr, to_dense,
pin_memory, share_memory_."""
import numpy as np
import pytest

from oracle import Input, check, check_error, grad_input, run_both

RNG = np.random.default_rng(8)
A = RNG.standard_normal((2, 3))
B = RNG.standard_normal((4, 2, 3))


# ---- sum_to_size -------------------------------------------------------------------------------

@pytest.mark.parametrize("size", [(1, 3), (2, 1), (3,), ((1, 3),), ([2, 1],), (2, 3), (1, 1)])
def test_sum_to_size_matches_torch(size):
    check(lambda lib, x: x.sum_to_size(*size), grad_input(A))


def test_sum_to_size_batched_and_keyword_match_torch():
    check(lambda lib, x: x.sum_to_size(size=(1, 3)), grad_input(A))
    check(lambda lib, x: x.sum_to_size(2, 1), grad_input(B))
    check(lambda lib, x: x.sum_to_size(1, 1, 1), grad_input(B))
    check(lambda lib, x: x.sum_to_size(1, 3), Input(np.arange(6).reshape(2, 3)))


def test_sum_to_size_returns_self_when_nothing_is_summed():
    check(lambda lib, x: (x.sum_to_size(2, 3) is x, x.sum_to_size(1, 3) is x), Input(A))


def test_sum_to_size_errors_match_torch():
    check_error(lambda lib, x: x.sum_to_size(3, 2), Input(A))
    check_error(lambda lib, x: x.sum_to_size(1, 1, 3), Input(A))
    check_error(lambda lib, x: x.sum_to_size(), Input(A))
    check_error(lambda lib, x: x.sum_to_size(1.5), Input(A))


# ---- nextafter ---------------------------------------------------------------------------------

def test_nextafter_matches_torch():
    toward = np.array([[2.0, -1.0, 0.0], [np.inf, -np.inf, 5.0]])
    check(lambda lib, x, y: lib.nextafter(x, y), grad_input(A), grad_input(toward))
    check(lambda lib, x, y: x.nextafter(y), grad_input(A.astype(np.float32)),
          Input(toward.astype(np.float32)))
    check(lambda lib, x, y: lib.nextafter(x, y), Input(A.astype(np.float16)),
          Input(toward[0].astype(np.float16)))
    check(lambda lib, x, y: lib.nextafter(x, y), Input(np.zeros(2)), Input(np.array([1.0, -1.0])))
    check(lambda lib, x, y: lib.nextafter(x, y), Input(A.astype(np.float32)),
          Input(np.array(3.0)))


def test_nextafter_steps_one_unit_like_torch():
    mine, theirs = run_both(lambda lib, x, y: lib.nextafter(x, y) - x,
                            Input(np.array([1.0, 1e-300, 0.0])), Input(np.array([2.0, 0.0, 1.0])))
    assert mine.tolist() == theirs.tolist()


def test_nextafter_inplace_and_out_match_torch():
    check(lambda lib, x, y: (x * 1).nextafter_(y), grad_input(A), Input(A[::-1].copy()))

    def with_out(lib, x, y):
        out = lib.empty(0, dtype=lib.float64)
        return lib.nextafter(x, y, out=out), out
    check(with_out, Input(A), Input(np.zeros(3)))


def test_nextafter_errors_match_torch():
    check_error(lambda lib, x, y: lib.nextafter(x, y), Input(np.arange(3)), Input(np.arange(3)))
    check_error(lambda lib, x: lib.nextafter(x, 2.0), Input(A))
    check_error(lambda lib, x, y: lib.nextafter(x, y), Input(A + 1j), Input(A))


# ---- questions about a tensor --------------------------------------------------------------------

@pytest.mark.parametrize("array", [np.array([3.0]), np.array(0), np.array(True), np.array(np.nan),
                                   np.array([[0j]]), np.array(-0.0)])
def test_is_nonzero_matches_torch(array):
    check(lambda lib, x: (lib.is_nonzero(x), x.is_nonzero()), Input(array))


def test_is_nonzero_errors_match_torch():
    check_error(lambda lib, x: lib.is_nonzero(x), Input(np.zeros(0)))
    check_error(lambda lib, x: x.is_nonzero(), Input(np.zeros(2)))
    check_error(lambda lib: lib.is_nonzero(3))


def test_is_same_size_matches_torch():
    check(lambda lib, x, y: (lib.is_same_size(x, y), x.is_same_size(y), x.is_same_size(x.t())),
          Input(A), Input(A * 2))
    check(lambda lib, x, y: (lib.is_same_size(x, y), y.is_same_size(x)), Input(A), Input(B))
    check_error(lambda lib, x: lib.is_same_size(x, 3), Input(A))
    check_error(lambda lib, x: x.is_same_size([1]), Input(A))
    check_error(lambda lib, x: lib.is_same_size(None, x), Input(A))


@pytest.mark.parametrize("dtype", ["float32", "float16", "int8", "uint8", "bool", "int64",
                                   "complex64", "bfloat16"])
def test_is_signed_matches_torch(dtype):
    check(lambda lib: (lib.is_signed(lib.ones(2, dtype=getattr(lib, dtype))),
                       lib.ones(2, dtype=getattr(lib, dtype)).is_signed()))


def test_is_signed_and_is_storage_errors_and_answers_match_torch():
    check_error(lambda lib: lib.is_signed(3))
    check(lambda lib, x: (lib.is_storage(x.untyped_storage()), lib.is_storage(x),
                          lib.is_storage(3), lib.is_storage(None)), Input(A))


def test_memory_queries_match_torch():
    check(lambda lib, x: (x.const_data_ptr() == x.data_ptr(),
                          x[1:].const_data_ptr() == x[1:].data_ptr()), Input(A))
    check(lambda lib, x: (x.to_dense() is x, x.to_dense(lib.float64) is x), Input(A))
    check(lambda lib, x: x.to_dense(lib.float32), grad_input(A))
    check(lambda lib, x: (x.share_memory_() is x, x.is_pinned()), Input(A))
    check_error(lambda lib, x: x.pin_memory(), Input(A))
