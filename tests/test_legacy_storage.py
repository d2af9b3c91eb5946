"""Tensor.storage_type() and the legacy storage classes (FloatStorage, LongStorage...) against
torch: classes by dtype, construction, isinstance, warnings and errors."""
import warnings

import numpy as np
import pytest

from oracle import Input, check, check_error, run_both, stdout_of_fresh_processes

DTYPES = ["float32", "float64", "float16", "bfloat16", "int64", "int32", "int16", "int8",
          "uint8", "bool", "complex64", "complex128"]


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _class_name(cls):
    return None if cls is None else repr(cls).replace("ember.", "torch.")


@pytest.mark.parametrize("dtype", DTYPES)
def test_storage_type_matches_torch(dtype):
    mine, theirs = run_both(lambda lib: _class_name(lib.ones(2, dtype=getattr(lib, dtype))
                                                    .storage_type()))
    assert mine == theirs


@pytest.mark.parametrize("name", ["FloatStorage", "LongStorage", "BoolStorage",
                                  "ComplexDoubleStorage", "BFloat16Storage"])
def test_legacy_storage_construction_matches_torch(name):
    def build(lib):
        cls = getattr(lib, name)
        sized = cls(3)
        listed = cls([1, 0, 2])
        return (sized.size(), str(sized.dtype), listed.tolist(), str(listed.dtype),
                type(listed).__name__, cls().size(), isinstance(listed, cls),
                isinstance(listed, lib.TypedStorage), issubclass(cls, lib.TypedStorage))
    mine, theirs = run_both(build)
    assert str(mine).replace("ember.", "torch.") == str(theirs)


def test_isinstance_asks_the_dtype_like_torch():
    check(lambda lib, x: (isinstance(x.storage(), lib.DoubleStorage),
                          isinstance(x.storage(), lib.FloatStorage),
                          isinstance(x.untyped_storage(), lib.DoubleStorage),
                          isinstance(x, lib.DoubleStorage)), Input(np.ones(2)))


def test_legacy_storage_wraps_storage_like_torch():
    check(lambda lib, x: lib.tensor(lib.DoubleStorage(wrap_storage=x.untyped_storage())
                                    .tolist()), Input(np.arange(3.0)))


def test_legacy_storage_errors_match_torch():
    check_error(lambda lib: lib.FloatStorage(2.5))


def test_legacy_storage_warns_as_torch():
    code = ("import warnings, {lib}\n"
            "with warnings.catch_warnings(record=True) as caught:\n"
            "    warnings.simplefilter('always')\n"
            "    {lib}.ones(2).storage_type()\n"
            "    {lib}.FloatStorage(2)\n"
            "print([str(item.message) for item in caught])\n")
    outputs = stdout_of_fresh_processes(code)
    assert outputs[0] == outputs[1] and "deprecated" in outputs[0]
