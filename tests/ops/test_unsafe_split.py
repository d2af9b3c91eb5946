"""unsafe_split, unsafe_chunk, unsafe_split_with_sizes (functions and methods) against torch:
pieces, UnsafeSplitBackward0 / UnsafeSplitWithSizesBackward0 gradients, shared memory without
view tracking, and errors."""
import numpy as np
import pytest

import ember
from oracle import Input, check, check_error, finite_differences, grad_input

RNG = np.random.default_rng(4)
A = RNG.standard_normal((4, 5))

CASES = [
    ("unsafe_split", lambda lib, x: lib.unsafe_split(x * 1, 2, 1)),
    ("unsafe_split_method", lambda lib, x: (x * 1).unsafe_split(3)),
    ("unsafe_split_whole", lambda lib, x: lib.unsafe_split(x * 1, 9, -1)),
    ("unsafe_chunk", lambda lib, x: lib.unsafe_chunk(x * 1, 3, 1)),
    ("unsafe_chunk_method", lambda lib, x: (x * 1).unsafe_chunk(2, dim=0)),
    ("unsafe_split_with_sizes", lambda lib, x: lib.unsafe_split_with_sizes(x * 1, [1, 0, 4], 1)),
    ("unsafe_split_with_sizes_method", lambda lib, x: (x * 1).unsafe_split_with_sizes((3, 1))),
]


@pytest.mark.parametrize("function", [row[1] for row in CASES], ids=[row[0] for row in CASES])
def test_unsafe_split_matches_torch(function):
    check(function, grad_input(A))
    check(function, Input(A.astype(np.float32)))


def test_unsafe_split_gradient_of_some_pieces_matches_torch():
    check(lambda lib, x: lib.unsafe_chunk(x * 1, 2, 1)[1], grad_input(A))
    finite_differences(lambda x: ember.unsafe_split(x, 2, 1)[1] * 3, A)


def test_unsafe_pieces_share_memory_without_view_tracking():
    def pieces(lib, x):
        first, second = lib.unsafe_split(x, 2, 0)
        first.mul_(2)
        return x, first._base is None, first.data_ptr() == x.data_ptr()
    check(pieces, Input(A))


def test_unsafe_pieces_accept_in_place_writes_split_refuses():
    def write(lib, x):
        first, _ = lib.unsafe_split(x * 1, 2, 0)
        return first.add_(1)
    check(write, grad_input(A))


def test_unsafe_split_errors_match_torch():
    check_error(lambda lib, x: lib.unsafe_split(x, [1, 3]), Input(A))
    check_error(lambda lib, x: lib.unsafe_split(x, -1), Input(A))
    check_error(lambda lib, x: lib.unsafe_chunk(x, 0), Input(A))
    check_error(lambda lib, x: lib.unsafe_split_with_sizes(x, 2), Input(A))
    check_error(lambda lib, x: lib.unsafe_split_with_sizes(x, [1, 1], 1), Input(A))
    check_error(lambda lib, x: lib.unsafe_split(x, 1, 2), Input(A))
