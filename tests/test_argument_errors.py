"""The argument parser's TypeErrors name the offending value's type as PyTorch's C layer does:
Python classes bare, extension types qualified (numpy.ndarray), torch's own types as torch.X."""
from fractions import Fraction

import numpy as np
import pytest

import ember
from oracle import check_error, torch


class UserClass:
    pass


CALLS = {
    "maximum": lambda lib, value: lib.maximum(lib.ones(1), value),
    "copy_": lambda lib, value: lib.ones(2).copy_(value),
    "zeros_like": lambda lib, value: lib.zeros_like(value),
    "arange": lambda lib, value: lib.arange(value),
    "fill_": lambda lib, value: lib.ones(2).fill_(value),
    "cat": lambda lib, value: lib.cat(value),
    "randint": lambda lib, value: lib.randint(3, value),
    "fft": lambda lib, value: lib.fft.fft(lib.ones(2), n=value),
    "device": lambda lib, value: lib.device("cpu", value),
    "is_floating_point": lambda lib, value: lib.is_floating_point(value),
    "promote_types": lambda lib, value: lib.promote_types(lib.float32, value),
    "full": lambda lib, value: lib.full((2,), value),
}

VALUES = {
    "ndarray": lambda lib: np.ones(2),
    "numpy scalar": lambda lib: np.float32(2.0),
    "user class": lambda lib: UserClass(),
    "Fraction": lambda lib: Fraction(1, 2),
    "dtype": lambda lib: lib.float32,
    "Size": lambda lib: lib.Size([2]),
    "Generator": lambda lib: lib.Generator(),
}


@pytest.mark.parametrize("value", VALUES, ids=str)
@pytest.mark.parametrize("call", CALLS, ids=str)
def test_type_errors_name_the_type_as_pytorch(call, value):
    def run(lib):
        return CALLS[call](lib, VALUES[value](lib))

    try:
        run(torch)
    except Exception:
        check_error(run)
    else:
        run(ember)
