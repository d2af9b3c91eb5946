"""frombuffer, empty_permuted and Tensor.new_empty_strided against torch: values, dtypes,
shapes, strides, shared memory, requires_grad and errors."""
import array
import warnings

import numpy as np
import pytest

from oracle import Input, check, check_error, run_both

BYTES = bytes(range(1, 17))


@pytest.mark.parametrize("dtype, count, offset", [
    ("uint8", -1, 0), ("int32", -1, 0), ("float32", 2, 4), ("int16", 3, 1), ("float64", -1, 8),
    ("int64", 1, 0), ("bool", 4, 0), ("float16", -1, 2), ("bfloat16", 2, 0)])
def test_frombuffer_matches_torch(dtype, count, offset):
    data = bytes(byte % 2 for byte in BYTES) if dtype == "bool" else BYTES
    check(lambda lib: lib.frombuffer(bytearray(data), dtype=getattr(lib, dtype), count=count,
                                     offset=offset))


def test_frombuffer_shares_memory_like_torch():
    def write_through(lib):
        buffer = bytearray(BYTES)
        tensor = lib.frombuffer(buffer, dtype=lib.int32)
        tensor[1] = -1
        return tensor, list(buffer)
    check(write_through)
    check(lambda lib: lib.frombuffer(array.array("d", [1.5, 2.5]), dtype=lib.float64,
                                     requires_grad=True), grad=False)


def test_frombuffer_read_only_buffer_matches_torch():
    def read_only(lib):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return lib.frombuffer(BYTES, dtype=lib.uint8, count=4)
    check(read_only)


def test_frombuffer_errors_match_torch():
    check_error(lambda lib: lib.frombuffer(bytearray(), dtype=lib.uint8))
    check_error(lambda lib: lib.frombuffer(bytearray(8), dtype=lib.uint8, count=0))
    check_error(lambda lib: lib.frombuffer(bytearray(5), dtype=lib.int32))
    check_error(lambda lib: lib.frombuffer(bytearray(8), dtype=lib.int32, count=3))
    check_error(lambda lib: lib.frombuffer(bytearray(8), dtype=lib.int32, offset=9))
    check_error(lambda lib: lib.frombuffer(bytearray(8), dtype=lib.int32, offset=-1))
    check_error(lambda lib: lib.frombuffer([1, 2], dtype=lib.int32))
    check_error(lambda lib: lib.frombuffer(bytearray(8)))


def _layout(tensor):
    """What empty_permuted promises (its values are uninitialised)."""
    return tuple(tensor.shape), tensor.stride(), tensor.dtype, tensor.requires_grad


@pytest.mark.parametrize("layout", [(0, 1, 2), (2, 0, 1), (0, 2, 1), (1, 2, 0)])
def test_empty_permuted_matches_torch(layout):
    check(lambda lib: _layout(lib.empty_permuted((2, 3, 4), layout)))
    check(lambda lib: _layout(lib.empty_permuted([2, 0, 4], layout, dtype=lib.int64)))


def test_empty_permuted_options_match_torch():
    check(lambda lib: _layout(lib.empty_permuted((3, 2), (1, 0), dtype=lib.float64,
                                                 requires_grad=True)))
    check(lambda lib: _layout(lib.empty_permuted((), ())))


def test_empty_permuted_errors_match_torch():
    check_error(lambda lib: lib.empty_permuted((2, 3, 4), (0, 1)))
    check_error(lambda lib: lib.empty_permuted((2, 3, 4), (0, 1, 1)))
    check_error(lambda lib: lib.empty_permuted((2, 3, 4), (0, 1, 3)))
    check_error(lambda lib: lib.empty_permuted((2, 3, 4), (0, -1, 1)))


def test_new_empty_strided_matches_torch():
    def shape_of(lib, x):
        made = x.new_empty_strided((2, 3), (1, 2))
        return made.shape, made.stride(), made.dtype, made.requires_grad
    check(shape_of, Input(np.ones(2, dtype=np.float32)))
    check(shape_of, Input(np.ones(2, dtype=np.int16)))

    def with_options(lib, x):
        made = x.new_empty_strided([2, 2], [2, 1], dtype=lib.float64, requires_grad=True)
        return made.shape, made.stride(), made.dtype, made.requires_grad
    check(with_options, Input(np.ones(2, dtype=np.float32)))
    mine, theirs = run_both(lambda lib, x: x.new_empty_strided((2, 2), (2, 1)).is_leaf,
                            Input(np.ones(1)))
    assert mine == theirs


def test_new_empty_strided_errors_match_torch():
    check_error(lambda lib, x: x.new_empty_strided((2, 3), (1,)), Input(np.ones(1)))
