"""Creation against torch: torch.tensor's dtype inference, as_tensor/from_numpy/asarray memory
sharing, filled tensors and their _like/new_ forms, legacy constructors, devices, errors."""
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, strategies as st

import ember
from oracle import assert_matches, check, check_error

NUMPY_DTYPES = [np.bool_, np.uint8, np.int8, np.int16, np.int32, np.int64, np.float16,
                np.float32, np.float64, np.complex64, np.complex128]


def _data_cases(lib):
    return [
        1, 1.5, True, 1j, -0.0, [1, 2], [1.0, 2], [True, False], [True, 2], [True, 2.5],
        [1, 2j], [[1, 2], [3, 4]], [], [[]], [[], []], (1, 2), ((1, 2), (3, 4)),
        [(1, 2), [3, 4]], 2**63 - 1, [2**40], range(3), [range(2), range(2)],
        [lib.tensor(1), 2], [lib.tensor(1.5), 2], [lib.tensor(1, dtype=lib.int32), 2],
        [lib.tensor(1, dtype=lib.int32), lib.tensor(2, dtype=lib.int8)],
        [lib.tensor(1, dtype=lib.float64), 2.5], [lib.tensor(1, dtype=lib.float16), 2],
        [lib.tensor(1, dtype=lib.uint8), True], [lib.tensor([1]), 2],
        [lib.tensor(1.0), lib.tensor([2.0])], [[lib.tensor(1), 2], [3, lib.tensor(4)]],
        [np.float32(1), 2], [np.float64(1)], np.float64(1.5), np.float32(2), np.int32(3),
        np.bool_(True), np.int64(2), np.complex64(1j), [np.int32(1), np.int32(2)],
        [np.int32(1), 2], [np.int8(1), np.int16(2)], [np.float32(1), np.float64(1)],
        [np.zeros(2, np.float32), np.zeros(2, np.float32)], [np.zeros(2, np.int32)],
        [np.float16(1)], [np.zeros(2, np.int32), [3, 4]], [float("nan"), float("inf")],
        [[1.5, 2], [3, 4]], [[[1], [2]], [[3], [4]]],
    ]


CASES = range(len(_data_cases(ember)))


@pytest.mark.filterwarnings("ignore:Creating a tensor from a list of numpy.ndarrays")
@pytest.mark.parametrize("case", CASES)
def test_tensor_infers_dtype_as_torch(case):
    check(lambda lib: lib.tensor(_data_cases(lib)[case]))


@pytest.mark.parametrize("dtype", NUMPY_DTYPES)
def test_tensor_from_numpy_array_keeps_dtype_and_copies(dtype):
    array = np.arange(6).reshape(2, 3).astype(dtype)
    result = check(lambda lib: lib.tensor(array[:, ::2]), strides=True)
    result[0, 0] = 7
    assert array[0, 0] == 0


@pytest.mark.filterwarnings("ignore:Creating a tensor from a list of numpy.ndarrays")
@pytest.mark.parametrize("dtype", NUMPY_DTYPES)
def test_tensor_from_numpy_scalars_and_lists_of_them(dtype):
    check(lambda lib: lib.tensor(dtype(1)))
    check(lambda lib: lib.tensor([dtype(1), dtype(0)]))
    if dtype is np.bool_:
        check_error(lambda lib: lib.tensor([dtype(1), 2]))
    else:
        check(lambda lib: lib.tensor([dtype(1), 2]))
    check(lambda lib: lib.tensor([dtype(1), 2.5]))
    check(lambda lib: lib.tensor([np.ones(2, dtype), np.zeros(2, dtype)]))
    check(lambda lib: lib.tensor([np.ones(2, dtype), [1.5, 2]]))


@pytest.mark.parametrize("dtype", ["bool", "uint8", "int8", "int16", "int32", "int64",
                                   "float16", "bfloat16", "float32", "float64", "complex64",
                                   "complex128"])
def test_tensor_with_dtype(dtype):
    check(lambda lib: lib.tensor([[0, 1], [2, 3]], dtype=getattr(lib, dtype)))
    check(lambda lib: lib.tensor([1.5, 2.5], dtype=getattr(lib, dtype)))


@pytest.mark.parametrize("python_type", [float, int, bool, complex])
def test_python_types_as_dtype(python_type):
    check(lambda lib: lib.tensor([1, 2], dtype=python_type))
    check(lambda lib: lib.zeros(2, dtype=python_type))


scalars = st.one_of(st.booleans(), st.integers(-1000, 1000),
                    st.floats(-1e6, 1e6, allow_nan=False), st.complex_numbers(max_magnitude=1e3))


@given(st.lists(st.lists(scalars, min_size=2, max_size=2), min_size=1, max_size=4))
def test_tensor_inference_of_mixed_nested_lists(data):
    check(lambda lib: lib.tensor(data))


def test_tensor_of_tensor_warns_and_copies():
    source = ember.tensor([1.0, 2.0], requires_grad=True)
    with pytest.warns(UserWarning, match="To copy construct from a tensor"):
        copy = ember.tensor(source)
    assert not copy.requires_grad and copy.data_ptr() != source.data_ptr()


@pytest.mark.parametrize("call", [
    lambda lib: lib.tensor([[1, 2], [3, 4, 5]]),
    lambda lib: lib.tensor([[1], [2, 3]]),
    lambda lib: lib.tensor([[[1, 2]], [[1, 2, 3]]]),
    lambda lib: lib.tensor([[1, 2], [3]]),
    lambda lib: lib.tensor([[1, 2], []]),
    lambda lib: lib.tensor([np.zeros(2), np.zeros(3)]),
    lambda lib: lib.tensor([[1, 2], 3]),
    lambda lib: lib.tensor([1, [2, 3]]),
    lambda lib: lib.tensor([1.5, [2, 3]]),
    lambda lib: lib.tensor("a"),
    lambda lib: lib.tensor([1, "a"]),
    lambda lib: lib.tensor(b"ab"),
    lambda lib: lib.tensor(None),
    lambda lib: lib.tensor([None]),
    lambda lib: lib.tensor({1: 2}),
    lambda lib: lib.tensor(2**63),
    lambda lib: lib.tensor([2**64]),
    lambda lib: lib.tensor(-2**63 - 1),
    lambda lib: lib.tensor(np.zeros(2, object)),
    lambda lib: lib.tensor(np.array(["a"])),
    lambda lib: lib.tensor([1, 2], dtype="float"),
    lambda lib: lib.tensor([1, 2], dtype=np.float32),
    lambda lib: lib.tensor(300, dtype=lib.uint8),
    lambda lib: lib.tensor([1.5, -2.5], dtype=lib.uint8),
    lambda lib: lib.tensor([300], dtype=lib.uint8),
    lambda lib: lib.tensor([200], dtype=lib.int8),
    lambda lib: lib.tensor(1e10, dtype=lib.int32),
    lambda lib: lib.tensor(float("nan"), dtype=lib.int64),
    lambda lib: lib.tensor([1j], dtype=lib.float32),
    lambda lib: lib.tensor(1 + 0j, dtype=lib.int64),
    lambda lib: lib.tensor([lib.tensor([1, 2]), lib.tensor([3, 4])]),
    lambda lib: lib.tensor([lib.tensor([1.0, 2.0])]),
    lambda lib: lib.tensor(3, requires_grad=True),
    lambda lib: lib.tensor([1, 2], device="cuda"),
    lambda lib: lib.tensor([1, 2], device="gpu"),
    lambda lib: lib.tensor([1, 2], device=1),
])
def test_tensor_errors(call):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_error(call)


def test_tensor_wraps_negative_into_unsigned_as_torch():
    check(lambda lib: lib.tensor([-1, -255], dtype=lib.uint8))
    check_error(lambda lib: lib.tensor([-256], dtype=lib.uint8))


def test_tensor_requires_grad_and_device():
    check(lambda lib: lib.tensor([1.5, 2.0], requires_grad=True, device="cpu"))
    check(lambda lib: lib.tensor(2.0, device=lib.device("cpu", 0)))


# ---- sharing memory -------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", NUMPY_DTYPES)
def test_from_numpy_shares_memory(dtype):
    array = np.zeros((2, 3), dtype)
    mine, theirs = ember.from_numpy(array), torch.from_numpy(array.copy())
    assert_matches(mine, theirs)
    assert mine.stride() == theirs.stride()
    mine[0, 1] = 1
    assert array[0, 1] == 1
    array[1, 2] = 1
    assert mine[1, 2].item() == 1


def test_from_numpy_keeps_strides():
    array = np.arange(12.0).reshape(3, 4)
    check(lambda lib: lib.from_numpy(array.T), strides=True)
    check(lambda lib: lib.from_numpy(array[:, 1::2]), strides=True)


@pytest.mark.parametrize("call", [
    lambda lib: lib.from_numpy([1, 2]),
    lambda lib: lib.from_numpy(np.zeros(2, object)),
    lambda lib: lib.from_numpy(np.arange(3)[::-1]),
    lambda lib: lib.from_numpy(np.zeros(4, np.int8).view(np.dtype([("a", "i1")]))),
])
def test_from_numpy_errors(call):
    check_error(call)


def test_as_tensor_shares_and_casts():
    array = np.arange(3.0)
    shared = ember.as_tensor(array)
    shared[0] = 5
    assert array[0] == 5
    check(lambda lib: lib.as_tensor(array, dtype=lib.float32))
    check(lambda lib: lib.as_tensor([1, 2.5]))
    source = ember.tensor([1.0, 2.0])
    assert ember.as_tensor(source) is source
    assert ember.as_tensor(source, dtype=ember.float32) is source
    check(lambda lib: lib.as_tensor(lib.tensor([1.5, 2.5]), dtype=lib.int64))


def test_asarray_sharing_and_copy():
    array = np.arange(3.0)
    shared = ember.asarray(array)
    shared[0] = 5
    assert array[0] == 5
    copied = ember.asarray(array, copy=True)
    copied[1] = 9
    assert array[1] == 1
    check(lambda lib: lib.asarray([[1, 2], [3, 4]], dtype=lib.float64))
    check_error(lambda lib: lib.asarray(np.arange(3.0), dtype=lib.float32, copy=False))
    source = ember.tensor([1.0])
    assert ember.asarray(source) is source


def test_scalar_tensor():
    check(lambda lib: lib.scalar_tensor(3))
    check(lambda lib: lib.scalar_tensor(True))
    check(lambda lib: lib.scalar_tensor(2.5, dtype=lib.int64))


# ---- filled tensors -------------------------------------------------------------------------

SIZES = [(0,), (3,), (2, 3), (2, 0, 4)]


@pytest.mark.parametrize("name", ["zeros", "ones", "empty"])
@pytest.mark.parametrize("size", SIZES)
def test_filled(name, size):
    def make(lib, values):
        made = getattr(lib, name)(*values, dtype=lib.float64)
        return made.zero_() if name == "empty" else made
    check(lambda lib: make(lib, size))
    check(lambda lib: make(lib, [size]))
    check(lambda lib: getattr(lib, name)(size, requires_grad=True).detach().zero_())


@pytest.mark.parametrize("name", ["zeros", "ones"])
def test_filled_size_forms(name):
    check(lambda lib: getattr(lib, name)(lib.Size([2, 3])))
    check(lambda lib: getattr(lib, name)(lib.tensor(3)))
    check(lambda lib: getattr(lib, name)(np.int64(3)))
    check(lambda lib: getattr(lib, name)(size=(2, 3)))
    check(lambda lib: getattr(lib, name)([]))
    check(lambda lib: getattr(lib, name)(()))
    check(lambda lib: getattr(lib, name)(2, dtype=lib.int32, device="cpu"))
    check(lambda lib: getattr(lib, name)(2, requires_grad=True))


@pytest.mark.parametrize("call", [
    lambda lib: lib.zeros(2, dtype="float"),
    lambda lib: lib.zeros(-1),
    lambda lib: lib.ones(2, -3),
    lambda lib: lib.zeros(2, -3),
    lambda lib: lib.empty(-1),
    lambda lib: lib.ones(),
    lambda lib: lib.zeros(1).new_zeros(-1),
    lambda lib: lib.zeros(1).new_full((-1,), 1),
    lambda lib: lib.full((2,), 1j, dtype=lib.float64),
    lambda lib: lib.full((2,), 1 + 2j, dtype=lib.float16),
    lambda lib: lib.full((2,), 1e10, dtype=lib.int32),
    lambda lib: lib.full((2,), 1e30, dtype=lib.float16),
    lambda lib: lib.full((2,), 1e300, dtype=lib.bfloat16),
    lambda lib: lib.zeros(2.5),
    lambda lib: lib.zeros((2, 3.0)),
    lambda lib: lib.zeros("a"),
    lambda lib: lib.empty([2, [3]]),
    lambda lib: lib.zeros(2, dtype=lib.int64, requires_grad=True),
    lambda lib: lib.ones(2, device="cuda"),
    lambda lib: lib.ones(2, device="xpu"),
    lambda lib: lib.zeros(2, device=0),
    lambda lib: lib.full(2, 1.0),
    lambda lib: lib.full((2,), "a"),
    lambda lib: lib.full((2,), 300, dtype=lib.uint8),
    lambda lib: lib.zeros_like([1, 2]),
    lambda lib: lib.full_like(lib.zeros(2, dtype=lib.int8), 200),
    lambda lib: lib.empty_strided((2, 3), (1, 2, 3)),
])
def test_filled_errors(call):
    check_error(call)


@pytest.mark.parametrize("fill", [1.5, True, 3, 1j, -2])
def test_full_infers_dtype(fill):
    check(lambda lib: lib.full((2, 3), fill))
    check(lambda lib: lib.full([2], fill, dtype=lib.complex128))


def test_full_with_tensor_fill_value():
    check(lambda lib: lib.full((2,), lib.tensor(2.5)))
    check(lambda lib: lib.full((2,), lib.tensor(2)))
    check(lambda lib: lib.full((2,), -1, dtype=lib.uint8))
    check(lambda lib: lib.full((2,), 2 + 0j, dtype=lib.float64))
    check(lambda lib: lib.full((2,), 2.7, dtype=lib.int64))


def test_out_resizes():
    mine, theirs = ember.zeros(1), torch.zeros(1)
    result = ember.ones(2, 3, out=mine)
    assert result is mine
    assert_matches(mine, torch.ones(2, 3, out=theirs))


LAYOUTS = {
    "contiguous": lambda t: t,
    "transposed": lambda t: t.t(),
    "sliced": lambda t: t[:, ::2],
}


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("name", ["zeros_like", "ones_like", "empty_like", "rand_like"])
def test_like_preserves_dense_strides(layout, name):
    array = np.arange(12.0).reshape(3, 4)

    def make(lib, source):
        made = getattr(lib, name)(LAYOUTS[layout](source), dtype=lib.float32)
        return made.zero_() if name in ("empty_like", "rand_like") else made
    check(make, array, strides=True)


@pytest.mark.parametrize("name", ["zeros_like", "ones_like"])
def test_like_options(name):
    array = np.arange(6).reshape(2, 3)
    check(lambda lib, x: getattr(lib, name)(x), array)
    check(lambda lib, x: getattr(lib, name)(x, dtype=lib.float64, requires_grad=True), array)
    check(lambda lib, x: getattr(lib, name)(x.t(), memory_format=lib.contiguous_format),
          array, strides=True)


def test_full_like():
    array = np.arange(6.0).reshape(2, 3)
    check(lambda lib, x: lib.full_like(x, 7), array)
    check(lambda lib, x: lib.full_like(x.t(), 2.5, dtype=lib.int32), array, strides=True)


def test_empty_strided():
    check(lambda lib: lib.empty_strided((2, 3), (1, 2)).zero_(), strides=True)
    check(lambda lib: lib.empty_strided((2, 0), (1, 1), dtype=lib.int64).zero_(), strides=True)


# ---- Tensor.new_* and legacy constructors ---------------------------------------------------

def test_new_methods():
    array = np.arange(3, dtype=np.int32)
    check(lambda lib, x: x.new_tensor([1.5, 2]), array)
    check(lambda lib, x: x.new_tensor([1.5, 2], dtype=lib.float64, requires_grad=True), array)
    check(lambda lib, x: x.new_zeros(2, 3), array)
    check(lambda lib, x: x.new_ones((2,), dtype=lib.float32), array)
    check(lambda lib, x: x.new_empty([2]).zero_(), array)
    check(lambda lib, x: x.new_full((2, 2), 7), array)
    check(lambda lib, x: x.new_full((2,), 1.5, dtype=lib.float16), array)


@pytest.mark.parametrize("call", [
    lambda lib: lib.Tensor(2, 3).zero_(),
    lambda lib: lib.Tensor([1, 2]),
    lambda lib: lib.Tensor(),
    lambda lib: lib.Tensor((1, 2), device="cpu"),
    lambda lib: lib.Tensor(np.zeros(2, np.int32)),
    lambda lib: lib.Tensor(lib.tensor([1, 2])),
    lambda lib: lib.LongTensor([1.5, 2]),
    lambda lib: lib.FloatTensor(2).zero_(),
    lambda lib: lib.DoubleTensor([[1, 2]]),
    lambda lib: lib.ByteTensor([1, 2]),
    lambda lib: lib.BoolTensor([1, 0]),
    lambda lib: lib.IntTensor(lib.tensor([1, 2], dtype=lib.int32)),
    lambda lib: lib.Tensor(lib.Size([2, 3])).zero_(),
    lambda lib: lib.FloatTensor(lib.Size([2])).zero_(),
    lambda lib: lib.zeros(2).new(2, 3).zero_(),
    lambda lib: lib.zeros(2, dtype=lib.int64).new([1, 2]),
])
def test_legacy_constructors(call):
    check(call)


def test_legacy_isinstance():
    assert isinstance(ember.zeros(2), ember.FloatTensor)
    assert not isinstance(ember.zeros(2), ember.LongTensor)
    assert isinstance(ember.zeros(2, dtype=ember.int64), ember.LongTensor)


@pytest.mark.parametrize("call", [
    lambda lib: lib.Tensor(2.5),
    lambda lib: lib.Tensor(True),
    lambda lib: lib.Tensor(-1),
    lambda lib: lib.Tensor(2, device="cuda"),
    lambda lib: lib.LongTensor(lib.zeros(2)),
])
def test_legacy_constructor_errors(call):
    check_error(call)


# ---- devices ----------------------------------------------------------------------------------

@pytest.mark.parametrize("spec", ["cpu", "cuda:1", "cpu:0", "meta", ("cuda", 2)])
def test_device_objects(spec):
    args = spec if isinstance(spec, tuple) else (spec,)
    mine, theirs = ember.device(*args), torch.device(*args)
    assert repr(mine) == repr(theirs) and str(mine) == str(theirs)
    assert (mine.type, mine.index) == (theirs.type, theirs.index)
    assert ember.device(mine) == mine and hash(ember.device(*args)) == hash(mine)
    assert (mine == "cpu") == (theirs == "cpu")


@pytest.mark.parametrize("call", [
    lambda lib: lib.device("foo"),
    lambda lib: lib.device("CPU"),
    lambda lib: lib.device("cuda:x"),
    lambda lib: lib.device("cuda:-1"),
    lambda lib: lib.device("cuda:0:1"),
    lambda lib: lib.device("cpu", -1),
    lambda lib: lib.device(-1),
    lambda lib: lib.device(1),
    lambda lib: lib.device("cpu", "a"),
    lambda lib: lib.zeros(2, device=lib.device("cuda", 1)),
])
def test_device_errors(call):
    check_error(call)


def test_cuda_module():
    assert ember.cuda.is_available() is torch.cuda.is_available() is False
    assert ember.cuda.device_count() == torch.cuda.device_count() == 0
    assert ember.zeros(2).device == ember.device("cpu")
    assert ember.zeros(2, device="cpu:1").device == ember.device("cpu")


@pytest.mark.parametrize("name", ["is_available", "device_count", "is_initialized",
                                  "is_bf16_supported", "empty_cache"])
def test_cuda_queries(name):
    assert getattr(ember.cuda, name)() == getattr(torch.cuda, name)()


def test_cuda_seeding_is_accepted():
    assert ember.cuda.manual_seed(1) is torch.cuda.manual_seed(1) is None
    assert ember.cuda.manual_seed_all(1) is torch.cuda.manual_seed_all(1) is None


@pytest.mark.parametrize("name", ["current_device", "synchronize", "get_device_name",
                                  "get_rng_state"])
def test_cuda_calls_raise_as_a_cpu_only_torch(name):
    check_error(lambda lib: getattr(lib.cuda, name)())
