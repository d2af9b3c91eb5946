"""x[idx] and x[idx] = value against torch: result shapes, strides, views vs copies, grad_fn
chains, gradients, assignment with broadcasting and casting, and every error."""
import warnings

import numpy as np
import pytest
from hypothesis import given, strategies as st

import ember
from oracle import check, check_error, finite_differences, grad_input, torch

RNG = np.random.default_rng(1)
X = RNG.standard_normal((3, 4, 5))


def _chain(tensor):
    """The grad_fn names from the result down to the input's clone."""
    names = []
    node = tensor.grad_fn
    while node is not None and type(node).__name__ != "CloneBackward0":
        names.append(type(node).__name__)
        node = node.next_functions[0][0]
    return names


# index expressions as functions of the library (tensor indices need it)
INDICES = {
    "int": lambda lib: 1,
    "negative_int": lambda lib: -1,
    "slice": lambda lib: slice(1, 3),
    "full_slice": lambda lib: slice(None),
    "step": lambda lib: slice(None, None, 2),
    "empty_slice": lambda lib: slice(2, 1),
    "ellipsis": lambda lib: Ellipsis,
    "none": lambda lib: None,
    "int_slice": lambda lib: (0, slice(1, 3)),
    "full_then_int": lambda lib: (slice(None), 0),
    "tuple_full": lambda lib: (slice(None), slice(None)),
    "empty_tuple": lambda lib: (),
    "none_slice": lambda lib: (None, slice(None, 2)),
    "none_middle": lambda lib: (slice(None), None, slice(None, None, 2), None),
    "ellipsis_int": lambda lib: (Ellipsis, 1),
    "int_ellipsis_none": lambda lib: (1, Ellipsis, None),
    "ellipsis_none_int": lambda lib: (Ellipsis, None, 0),
    "three_ints": lambda lib: (0, 1, 2),
    "true": lambda lib: True,
    "false": lambda lib: False,
    "zero_d_int": lambda lib: lib.tensor(1),
    "zero_d_bool": lambda lib: lib.tensor(True),
    "list": lambda lib: [2, 0, 2],
    "long": lambda lib: lib.tensor([[0, 1], [2, 0]]),
    "int32": lambda lib: lib.tensor([1, 0], dtype=lib.int32),
    "empty_list": lambda lib: [],
    "mask": lambda lib: lib.tensor([True, False, True]),
    "mask_2d": lambda lib: lib.tensor(X[:, :, 0] > 0),
    "mask_full": lambda lib: lib.tensor(X > 0),
    "int_then_list": lambda lib: (0, slice(None), [0, 1]),
    "separated": lambda lib: ([0, 1], slice(None), [0, 1]),
    "adjacent": lambda lib: (slice(None), [0, 1], [1, 2]),
    "broadcast_lists": lambda lib: ([[0], [1]], slice(None), [1, 2]),
    "none_between": lambda lib: (slice(None), [0, 1], None, [1, 2]),
    "ellipsis_list_none": lambda lib: (Ellipsis, [0, 1], None),
    "none_list": lambda lib: (None, [0, 1]),
    "zero_d_and_list": lambda lib: (lib.tensor(1), [0, 1]),
    "list_int_list": lambda lib: ([0, 1], 1, [0, 1]),
    "mask_and_list": lambda lib: ([0, 1], lib.tensor([True, False, True, False])),
    "slice_then_mask": lambda lib: (slice(1, 3), lib.tensor([True, False, True, False])),
}


@pytest.mark.parametrize("name", list(INDICES))
def test_getitem_matches_torch(name):
    index = INDICES[name]

    def read(lib, x):
        y = x.clone()
        result = y[index(lib)]
        return result, _chain(result), result._base is y
    check(read, grad_input(X), strides=True)


@pytest.mark.parametrize("name", list(INDICES))
def test_getitem_without_grad_matches_torch(name):
    index = INDICES[name]
    check(lambda lib, x: (x[index(lib)], x[index(lib)]._base is x), X, strides=True)


@pytest.mark.parametrize("name", list(INDICES))
def test_getitem_finite_differences(name):
    index = INDICES[name]
    finite_differences(lambda x: (x * 1.0)[index(ember)], X)


def test_index_on_zero_d_tensor():
    for index in (None, Ellipsis, True, ()):
        check(lambda lib, x: x[index], np.array(3.0), strides=True)


@pytest.mark.parametrize("name", list(INDICES))
def test_setitem_matches_torch(name):
    index = INDICES[name]

    def write(lib, x):
        y = x.clone()
        target = y[index(lib)]
        version = y._version
        y[index(lib)] = lib.arange(target.shape[-1], dtype=y.dtype) if target.dim() else 5.0
        return y, y._version - version
    check(write, X.copy())


def test_setitem_scalar_and_version():
    def write(lib, x):
        view = x[1:]
        x[0, 1] = 2
        x[x > 1] = -1.5
        x[..., 0] = True
        return x, x._version, view._version
    check(write, X.copy())


def test_setitem_autograd_matches_torch():
    def write(lib, x, v):
        y = x.clone()
        y[0, 1:3] = v
        y[[2, 0], 1] = v[0]
        y[..., 0] = 2.0
        return y
    check(write, grad_input(X), grad_input(RNG.standard_normal((1, 5))))


def test_setitem_advanced_only_records_index_put():
    def write(lib, x, v):
        y = x.clone()
        y[[0, 2]] = v
        return y
    check(write, grad_input(X), grad_input(RNG.standard_normal((4, 5))))


def test_seed_transpose_assignment():
    def seed(lib):
        A = lib.ones(10, 10)
        B = A.t()
        B[1] = 10
        return A, B
    check(seed, repr_=True, strides=True)


def test_setitem_value_that_aliases_the_target():
    def shift(lib, x):
        x[1:] = x[:-1]
    check_error(shift, np.arange(6.0))

    def same(lib, x):
        x[:] = x
        x[::2] = x[1::2]
        return x
    check(same, np.arange(6.0))


@pytest.mark.parametrize("value,dtype", [
    (2.7, "int64"), (True, "int64"), (-1, "uint8"), (2, "bool"), (float("nan"), "float32"),
    (float("inf"), "float16"), (1 + 0j, "float32"), (3, "complex64"),
])
def test_setitem_scalar_casts_as_torch(value, dtype):
    def write(lib, x):
        x[0] = value
        return x
    check(write, np.zeros(3, dtype=dtype))


def test_setitem_tensor_casts_as_torch():
    def write(lib, x):
        x[0] = lib.tensor([2.7, 1.0, -3.9])
        x[1] = lib.tensor(7)
        return x
    check(write, np.zeros((2, 3), dtype=np.int64))


def test_setitem_complex_into_real_warns():
    with pytest.warns(UserWarning, match="discards the imaginary part"):
        x = ember.zeros(2)
        x[0] = ember.tensor(1 + 2j)
    assert x.tolist() == [1.0, 0.0]


def test_uint8_mask_warns_and_indexes_like_bool():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(lambda lib, x: x[lib.tensor([1, 0, 1], dtype=lib.uint8)], X)


# ---- hypothesis: random index expressions -----------------------------------------------------

@st.composite
def index_expressions(draw):
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=4)))
    items = []
    dim = 0
    used_ellipsis = False
    while dim < len(shape) and draw(st.booleans()):
        kind = draw(st.sampled_from(["int", "slice", "none", "ellipsis", "list", "mask"]))
        size = shape[dim]
        if kind == "int":
            items.append(("int", draw(st.integers(-size, size - 1))))
            dim += 1
        elif kind == "slice":
            start = draw(st.none() | st.integers(-size - 1, size + 1))
            stop = draw(st.none() | st.integers(-size - 1, size + 1))
            step = draw(st.none() | st.integers(1, 3))
            items.append(("slice", slice(start, stop, step)))
            dim += 1
        elif kind == "none":
            items.append(("none", None))
        elif kind == "ellipsis" and not used_ellipsis:
            used_ellipsis = True
            items.append(("ellipsis", Ellipsis))
            dim = len(shape)
        elif kind == "list":
            length = draw(st.integers(0, 3))
            values = draw(st.lists(st.integers(-size, size - 1), min_size=length,
                                   max_size=length))
            items.append(("list", values))
            dim += 1
        elif kind == "mask":
            items.append(("mask", draw(st.lists(st.booleans(), min_size=size, max_size=size))))
            dim += 1
    return shape, items


def _build_index(lib, items):
    index = []
    for kind, value in items:
        if kind == "list":
            index.append(lib.tensor(value, dtype=lib.int64))
        elif kind == "mask":
            index.append(lib.tensor(value, dtype=lib.bool))
        else:
            index.append(value)
    return tuple(index)


def _same_outcome(function, *inputs):
    """Either both libraries raise the same error, or both give matching results."""
    try:
        expected = function(torch, *[torch.from_numpy(np.copy(a)) for a in inputs])
    except Exception:
        check_error(function, *[np.copy(a) for a in inputs])
        return
    # the strides of an empty result are an accident of torch's kernels, not a contract
    check(function, *inputs, strides=expected.numel() > 0)


@given(index_expressions())
def test_random_getitem_matches_torch(expression):
    shape, items = expression
    array = np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape)
    _same_outcome(lambda lib, x: x[_build_index(lib, items)], array)


@given(index_expressions())
def test_random_getitem_gradients_match_torch(expression):
    shape, items = expression
    array = RNG.standard_normal(shape)

    def read(lib, x):
        return x.clone()[_build_index(lib, items)]
    try:
        read(torch, torch.from_numpy(array.copy()).requires_grad_())
    except Exception:
        return
    check(read, grad_input(array))


@given(index_expressions(), st.booleans())
def test_random_setitem_matches_torch(expression, scalar):
    shape, items = expression
    array = np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape)

    def write(lib, x):
        index = _build_index(lib, items)
        target_shape = x[index].shape
        x[index] = -1.0 if scalar else -lib.arange(
            int(np.prod(target_shape)), dtype=x.dtype).reshape(target_shape)
        return x
    _same_outcome(write, array)


# ---- errors ------------------------------------------------------------------------------------

GET_ERRORS = [
    lambda lib, x: x[5],
    lambda lib, x: x[-4],
    lambda lib, x: x[:, 4],
    lambda lib, x: x[0, 0, 0],
    lambda lib, x: x[[5]],
    lambda lib, x: x[[0, -4]],
    lambda lib, x: x[[1, -7, 9]],
    lambda lib, x: x[lib.tensor([0.5])],
    lambda lib, x: x[lib.tensor(1.0)],
    lambda lib, x: x[lib.tensor([0, 1], dtype=lib.int16)],
    lambda lib, x: x[1.5],
    lambda lib, x: x[{0: 1}],
    lambda lib, x: x[lib.tensor([True, False])],
    lambda lib, x: x[lib.tensor([[True, False, True]])],
    lambda lib, x: x[::-1],
    lambda lib, x: x[::0],
    lambda lib, x: x[:, [0, 1], [0, 1, 2]],
    lambda lib, x: x[lib.tensor(5)],
    lambda lib, x: x[0][0][0],
    # the dimension in the message: the int's position in the index tuple...
    lambda lib, x: x[0, 7],
    lambda lib, x: x[None, 0, 7],
    lambda lib, x: x[..., 9],
    lambda lib, x: x[True, 0, 7],
    lambda lib, x: x[lib.tensor([0]), 7],
    # ...and an index tensor's rank among the index tensors, checked after the ints
    lambda lib, x: x[0, [7]],
    lambda lib, x: x[:, [0, 1], [1, 9]],
    lambda lib, x: x[[5], 9],
]


@pytest.mark.parametrize("function", GET_ERRORS)
def test_getitem_errors_match_torch(function):
    check_error(function, np.zeros((3, 4)))


SET_ERRORS = [
    lambda lib, x: x.__setitem__(0, lib.ones(3)),
    lambda lib, x: x.__setitem__(slice(0, 2), lib.ones(3)),
    lambda lib, x: x.__setitem__([0, 1], lib.ones(3)),
    lambda lib, x: x.__setitem__([0, 1], lib.ones(2, 2, 4)),
    lambda lib, x: x.__setitem__(0, lib.ones(2, 1, 4)),
    lambda lib, x: x.__setitem__([0], lib.tensor([1, 2, 3, 4])),
    lambda lib, x: x.__setitem__(([0, 1], 0), lib.ones(2, dtype=lib.float64)),
    lambda lib, x: x.__setitem__(0, 1 + 2j),
    lambda lib, x: x.__setitem__(0, 2 ** 70),
    lambda lib, x: x.__setitem__(0, 1e300),
    lambda lib, x: x.__setitem__(5, 1.0),
    lambda lib, x: x.__setitem__([5], 1.0),
    lambda lib, x: x.__setitem__(lib.tensor([True, False]), 1.0),
    lambda lib, x: x.__setitem__(x > 100, lib.ones(3)),
    lambda lib, x: x.__setitem__(0, "a"),
    lambda lib, x: x.__setitem__(0, [1, 2, 3, 4]),
    lambda lib, x: x.__setitem__(0, None),
    lambda lib, x: x.__setitem__(slice(None, None, -1), 1.0),
    lambda lib, x: x.int().__setitem__(0, float("nan")),
    lambda lib, x: x.to(lib.uint8).__setitem__(0, 300),
    lambda lib, x: x.to(lib.int8).__setitem__([0], 300),
]


@pytest.mark.parametrize("function", SET_ERRORS)
def test_setitem_errors_match_torch_and_leave_target_unchanged(function):
    check_error(function, np.arange(12.0, dtype=np.float32).reshape(3, 4))
    x = ember.arange(12.0).reshape(3, 4)
    before = x.numpy().copy()
    with pytest.raises(Exception):
        function(ember, x)
    np.testing.assert_array_equal(x.numpy(), before)
    assert x._version == 0


@pytest.mark.parametrize("function", [
    lambda lib, x: x.__setitem__(0, 1.0),
    lambda lib, x: x.__setitem__([0], 1.0),
    lambda lib, x: x.__setitem__(Ellipsis, 1.0),
    lambda lib, x: x[1:].__setitem__(0, 1.0),
])
def test_setitem_on_leaf_that_requires_grad_is_an_error(function):
    check_error(function, grad_input(np.zeros(3)))


@pytest.mark.parametrize("index", [
    lambda lib: [[0, 2]],
    lambda lib: [[0, 2], [1, 3]],
    lambda lib: [(0, 1)],
    lambda lib: np.array([[0, 2]]),
    lambda lib: np.array([0, 2]),
    lambda lib: [0, 2],
])
def test_short_nested_list_index_is_read_as_a_tuple(index):
    # PyTorch keeps NumPy's old heuristic (with a deprecation warning): a list or ndarray
    # holding sequences is the tuple of them
    def function(lib, x):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return x[index(lib)]
    check(function, X)


@pytest.mark.parametrize("accumulate", [False, True])
def test_index_put_matches_torch_with_gradients(accumulate):
    rows = np.array([0, 2, 0])
    columns = np.array([1, 3, 1])
    values = RNG.standard_normal(3)

    def out_of_place(lib, x, v, r, c):
        return lib.index_put(x, (r, c), v, accumulate=accumulate)

    def in_place(lib, x, v, r, c):
        y = x * 1
        y.index_put_((r,), v[:, None] * 1, accumulate=accumulate)
        return y.index_put_([r, c], v, accumulate=accumulate)

    for function in (out_of_place, in_place):
        check(function, grad_input(X[0]), grad_input(values), rows, columns)


@pytest.mark.parametrize("call", [
    lambda lib, x: x.index_put_((lib.tensor([5]),), lib.tensor(1.0)),
    lambda lib, x: x.index_put_(lib.tensor([1]), lib.tensor(1.0)),
    lambda lib, x: x.index_put_((lib.tensor([1]), None), lib.tensor(1.0)),
    lambda lib, x: x.index_put_((lib.tensor([1]),), 1.0),
    lambda lib, x: x.index_put_((lib.tensor([1]),), lib.tensor([1])),
    lambda lib, x: x.index_put_((lib.tensor([1]),), lib.ones(2, 5), accumulate=True),
    lambda lib, x: lib.index_put(x, (lib.tensor([1]),), lib.tensor([1]), accumulate=True),
])
def test_index_put_errors_match_torch(call):
    check_error(call, X.astype(np.float32))


@pytest.mark.parametrize("indices, shape", [
    (np.array([5, 7, 12]), (3, 4)),
    (np.array(5), (3, 4)),
    (np.array([[1234], [5678]]), (100, 100)),
    (np.array([3], dtype=np.int32), 4),
    (np.array([1, 2]), [2, 1, 3]),
])
def test_unravel_index_matches_torch(indices, shape):
    check(lambda lib, i: lib.unravel_index(i, shape), indices)


@pytest.mark.parametrize("indices, shape", [
    (np.array([1.0]), (3, 4)),
    (np.array([True]), (3, 4)),
    (np.array([1]), (3, -4)),
    (np.array([1]), (3, 4.0)),
    (np.array([1]), "34"),
])
def test_unravel_index_errors_match_torch(indices, shape):
    check_error(lambda lib, i: lib.unravel_index(i, shape), indices)


@pytest.mark.parametrize("index", [
    lambda: range(2),
    lambda: range(0),
    lambda: range(2, 0, -1),
    lambda: (range(3), range(1, 4)),
    lambda: (slice(None), range(2)),
])
def test_range_indices_match_torch(index):
    # "What is torch.nn really?" picks log-probabilities with input[range(n), target]
    check(lambda lib, x: x[index()], grad_input(X[0]))

    def assign(lib, x):
        y = x.clone()
        y[index()] = 0.0
        return y
    check(assign, X[0])
