"""dtypes against torch: names, aliases, attributes, promotion for every pair, result_type with
0-d tensors and Python scalars, can_cast, finfo/iinfo, the default dtype, and their errors."""
import pickle

import pytest
import torch

import ember
from oracle import assert_matches, check_error

NAMES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32",
         "float64", "complex64", "complex128"]
ALIASES = ["half", "float", "double", "cfloat", "cdouble", "short", "int", "long"]
SCALARS = [True, 2, 2.5, 1j]


@pytest.fixture
def restore_default_dtype():
    yield
    ember.set_default_dtype(ember.float32)
    torch.set_default_dtype(torch.float32)


def _operand(library, kind, value):
    if kind == "scalar":
        return value
    shape = () if kind == "0d" else (2,)
    return library.zeros(shape, dtype=getattr(library, value))


def _name(value):
    return str(value).split(".")[-1]


@pytest.mark.parametrize("name", NAMES + ALIASES)
def test_dtype_names_and_attributes(name):
    mine, theirs = getattr(ember, name), getattr(torch, name)
    assert repr(mine) == repr(theirs).replace("torch.", "ember.")
    for attribute in ("itemsize", "is_floating_point", "is_complex", "is_signed"):
        assert getattr(mine, attribute) == getattr(theirs, attribute), attribute
    assert _name(mine.to_real()) == _name(theirs.to_real())
    assert pickle.loads(pickle.dumps(mine)) is mine


# float16.to_complex() is complex32 in torch, which NumPy cannot store (complex64 in ember)
@pytest.mark.parametrize("name", ["float32", "float64", "complex64", "complex128"])
def test_to_complex(name):
    assert _name(getattr(ember, name).to_complex()) == _name(getattr(torch, name).to_complex())


def test_to_complex_of_integer_raises():
    check_error(lambda lib: lib.int32.to_complex())


def test_promote_types_every_pair():
    for a in NAMES:
        for b in NAMES:
            mine = ember.promote_types(getattr(ember, a), getattr(ember, b))
            theirs = torch.promote_types(getattr(torch, a), getattr(torch, b))
            assert _name(mine) == _name(theirs), (a, b)


def test_can_cast_every_pair():
    for a in NAMES:
        for b in NAMES:
            mine = ember.can_cast(getattr(ember, a), getattr(ember, b))
            assert mine == torch.can_cast(getattr(torch, a), getattr(torch, b)), (a, b)


def _complex_half(kind_a, a, kind_b, b):
    """torch gives complex32 for float16 with a complex scalar or 0-d tensor; NumPy has no
    complex32, so ember answers complex64 there (documented divergence)."""
    operands = {(kind_a, a), (kind_b, b)}
    has_half = any(value == "float16" for _, value in operands)
    has_complex = any(value == 1j or value in ("complex64", "complex128")
                      for _, value in operands)
    return has_half and has_complex and torch.result_type(
        _operand(torch, kind_a, a), _operand(torch, kind_b, b)) == torch.complex32


@pytest.mark.parametrize("default", ["float32", "float64"])
def test_result_type_every_combination(default, restore_default_dtype):
    torch.set_default_dtype(getattr(torch, default))
    ember.set_default_dtype(getattr(ember, default))
    operands = ([("scalar", value) for value in SCALARS]
                + [(kind, name) for kind in ("0d", "1d") for name in NAMES])
    for kind_a, a in operands:
        for kind_b, b in operands:
            if _complex_half(kind_a, a, kind_b, b):
                assert ember.result_type(_operand(ember, kind_a, a),
                                         _operand(ember, kind_b, b)) is ember.complex64
                continue
            theirs = torch.result_type(_operand(torch, kind_a, a), _operand(torch, kind_b, b))
            mine = ember.result_type(_operand(ember, kind_a, a), _operand(ember, kind_b, b))
            assert _name(mine) == _name(theirs), (kind_a, a, kind_b, b)


@pytest.mark.parametrize("call", [
    lambda lib: lib.promote_types(lib.int32, "float"),
    lambda lib: lib.promote_types(1, lib.int32),
    lambda lib: lib.can_cast(1, lib.int32),
    lambda lib: lib.can_cast(lib.int32, None),
    lambda lib: lib.result_type(lib.zeros(1), "a"),
    lambda lib: lib.result_type("a", lib.zeros(1)),
    lambda lib: lib.result_type(None, 2),
    lambda lib: lib.is_floating_point(1),
    lambda lib: lib.is_complex([1]),
])
def test_dtype_function_errors(call):
    check_error(call)


@pytest.mark.parametrize("name", NAMES)
def test_is_floating_point_and_is_complex(name):
    mine = ember.zeros(1, dtype=getattr(ember, name))
    theirs = torch.zeros(1, dtype=getattr(torch, name))
    assert ember.is_floating_point(mine) == torch.is_floating_point(theirs)
    assert ember.is_complex(mine) == torch.is_complex(theirs)
    assert mine.is_floating_point() == theirs.is_floating_point()
    assert mine.is_complex() == theirs.is_complex()


@pytest.mark.parametrize("name", ["float16", "bfloat16", "float32", "float64", "complex64",
                                  "complex128"])
def test_finfo(name):
    mine, theirs = ember.finfo(getattr(ember, name)), torch.finfo(getattr(torch, name))
    assert repr(mine) == repr(theirs)
    for attribute in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution",
                      "dtype"):
        assert getattr(mine, attribute) == getattr(theirs, attribute), attribute
    assert mine == ember.finfo(getattr(ember, name))


def test_finfo_default_follows_default_dtype(restore_default_dtype):
    assert repr(ember.finfo()) == repr(torch.finfo())
    ember.set_default_dtype(ember.float64)
    torch.set_default_dtype(torch.float64)
    assert repr(ember.finfo()) == repr(torch.finfo())


@pytest.mark.parametrize("name", ["uint8", "int8", "int16", "int32", "int64"])
def test_iinfo(name):
    mine, theirs = ember.iinfo(getattr(ember, name)), torch.iinfo(getattr(torch, name))
    assert repr(mine) == repr(theirs)
    for attribute in ("bits", "max", "min", "dtype"):
        assert getattr(mine, attribute) == getattr(theirs, attribute), attribute


@pytest.mark.parametrize("call", [
    lambda lib: lib.finfo(lib.int32),
    lambda lib: lib.finfo(lib.bool),
    lambda lib: lib.finfo("float"),
    lambda lib: lib.iinfo(lib.float32),
    lambda lib: lib.iinfo(lib.complex64),
    lambda lib: lib.iinfo(lib.bool),
    lambda lib: lib.iinfo(),
])
def test_info_errors(call):
    check_error(call)


@pytest.mark.parametrize("name", ["float16", "bfloat16", "float32", "float64"])
def test_set_default_dtype(name, restore_default_dtype):
    ember.set_default_dtype(getattr(ember, name))
    torch.set_default_dtype(getattr(torch, name))
    assert _name(ember.get_default_dtype()) == _name(torch.get_default_dtype())
    for data in (1.5, [1.0, 2.0], 3):
        assert_matches(ember.tensor(data), torch.tensor(data))
    assert_matches(ember.zeros(2), torch.zeros(2))
    assert_matches(ember.arange(0.0, 1.0, 0.25), torch.arange(0.0, 1.0, 0.25))
    if name in ("float32", "float64"):  # float16's complex32 does not exist in NumPy
        assert_matches(ember.tensor(1j), torch.tensor(1j))
    if name == "bfloat16":
        check_error(lambda lib: lib.tensor(1j))


@pytest.mark.parametrize("call", [
    lambda lib: lib.set_default_dtype(lib.int32),
    lambda lib: lib.set_default_dtype(lib.complex64),
    lambda lib: lib.set_default_dtype("float"),
    lambda lib: lib.set_default_dtype(None),
])
def test_set_default_dtype_errors(call, restore_default_dtype):
    check_error(call)


def test_bfloat16_without_ml_dtypes_says_so(monkeypatch):
    from ember import _dtype
    monkeypatch.setattr(_dtype.bfloat16, "_numpy", None)
    monkeypatch.setattr(_dtype, "_bfloat16_numpy_type", lambda: None)
    with pytest.raises(RuntimeError, match="pip install ml_dtypes"):
        ember.zeros(2, dtype=ember.bfloat16)
