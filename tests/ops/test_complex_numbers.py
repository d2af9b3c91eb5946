"""The complex-number family against torch: conj and conj_physical, the real/imag and
view_as_real/view_as_complex views (strides, storage sharing, in-place autograd through them),
complex, polar and angle; finite differences in float64 through real-valued wrappers."""
import numpy as np
import pytest

import ember
from oracle import (Input, check, check_double_backward, check_error, finite_differences,
                    grad_input, torch)

RNG = np.random.default_rng(5)
COMPLEX_DTYPES = [np.complex64, np.complex128]


def complex_array(*shape, dtype=np.complex128):
    return (RNG.standard_normal(shape) + 1j * RNG.standard_normal(shape)).astype(dtype)


def real_array(*shape, dtype=np.float64):
    return RNG.standard_normal(shape).astype(dtype)


# ---- conj, conj_physical, resolve_*, is_* ---------------------------------------------------

@pytest.mark.parametrize("dtype", COMPLEX_DTYPES)
@pytest.mark.parametrize("function", [
    lambda lib, x: lib.conj(x), lambda lib, x: x.conj(), lambda lib, x: lib.conj_physical(x),
    lambda lib, x: x.conj_physical(), lambda lib, x: (x * 1).conj_physical_(),
    lambda lib, x: x.t().conj() * 2, lambda lib, x: lib.resolve_conj(x * 1),
    lambda lib, x: (x * 1).resolve_neg(),
], ids=["conj", "conj_method", "conj_physical", "conj_physical_method", "conj_physical_",
        "conj_transposed", "resolve_conj", "resolve_neg"])
def test_conjugation(function, dtype):
    check(function, grad_input(complex_array(2, 3, dtype=dtype)))


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64, np.bool_])
@pytest.mark.parametrize("name", ["conj", "conj_physical", "resolve_conj", "resolve_neg",
                                  "real"])
def test_non_complex_input_is_returned_itself(name, dtype):
    def function(lib, x):
        assert getattr(lib, name)(x) is x
        if name == "real":
            assert x.real is x
        else:
            assert getattr(x, name)() is x
        return x
    check(function, Input(real_array(2, 3).astype(dtype)))


def test_is_conj_and_is_neg_are_false():
    # ember's conj is computed, so is_conj stays False where torch's lazy view says True
    x = ember.tensor(complex_array(3))
    for tensor in (x, x.conj(), x.conj_physical(), -x):
        assert tensor.is_conj() is False
        assert ember.is_conj(tensor) is False
        assert tensor.is_neg() is False
        assert ember.is_neg(tensor) is False
    assert torch.tensor(complex_array(3)).conj_physical().is_conj() is False


def test_conj_of_real_input_with_grad():
    check(lambda lib, x: lib.conj(x) * 2, grad_input(real_array(3)))
    check(lambda lib, x: x.conj_physical() * 2, grad_input(real_array(3)))


def test_conj_physical_in_place():
    def function(lib, x):
        y = x * 1
        returned = y.conj_physical_()
        assert returned is y
        return y
    check(function, grad_input(complex_array(4)))

    def real_in_place(lib, x):
        version = x._version
        assert x.conj_physical_() is x
        assert x._version == version + 1
        return x
    check(real_in_place, Input(real_array(3)))
    check_error(lambda lib, x: x.conj_physical_(), grad_input(complex_array(3)))
    check_error(lambda lib, x: x.conj_physical_(), grad_input(real_array(3)))


def test_conj_physical_out():
    def function(lib, x, o):
        return lib.conj_physical(x, out=o)
    check(function, Input(complex_array(3)), Input(np.zeros(3, np.complex128)))
    check(function, Input(real_array(3)), Input(np.zeros(3)))
    check_error(function, Input(complex_array(3)), Input(np.zeros(3, np.complex64)))


# ---- real, imag ------------------------------------------------------------------------------

VIEW_LAYOUTS = [
    ("contiguous", lambda x: x), ("transposed", lambda x: x.t()),
    ("column", lambda x: x[:, 1]), ("strided", lambda x: x[::2, 1:]),
    ("scalar", lambda x: x[1, 2]),
]


@pytest.mark.parametrize("dtype", COMPLEX_DTYPES)
@pytest.mark.parametrize("layout, arrange", VIEW_LAYOUTS, ids=[row[0] for row in VIEW_LAYOUTS])
@pytest.mark.parametrize("function", [
    lambda lib, x: x.real, lambda lib, x: x.imag, lambda lib, x: lib.real(x),
    lambda lib, x: lib.imag(x), lambda lib, x: lib.view_as_real(x),
], ids=["real", "imag", "torch_real", "torch_imag", "view_as_real"])
def test_part_views(function, layout, arrange, dtype):
    def viewed(lib, x):
        base = arrange(x * 1)
        view = function(lib, base)
        assert view._base is (base if base._base is None else base._base)
        return view
    check(viewed, grad_input(complex_array(3, 4, dtype=dtype)), strides=True)


def test_real_of_real_input_and_imag_error():
    check(lambda lib, x: x.real * 2, grad_input(real_array(3)))
    for function in (lambda lib, x: x.imag, lambda lib, x: lib.imag(x)):
        for array in (real_array(3), np.arange(3), np.array([True])):
            check_error(function, Input(array))


@pytest.mark.parametrize("function", [
    lambda lib, x: x.real * 3 + x.imag * x.imag,
    lambda lib, x: lib.view_as_real(x).sum(-1),
    lambda lib, x: x.real.sum(0) + lib.imag(x.t()).sum(1),
])
def test_part_view_gradients(function):
    check(function, grad_input(complex_array(3, 3)))


def test_writes_through_part_views_reach_the_base():
    def function(lib, x):
        x.real[0] = 7.0
        x.imag.mul_(2)
        lib.view_as_real(x)[1, 1] = -3.0
        x[:, 2].imag.fill_(5.0)
        return x
    result = check(function, Input(complex_array(2, 3)))
    assert result._version == 4


def test_part_views_share_storage_with_the_base():
    x = ember.tensor(complex_array(2, 3, dtype=np.complex64))
    for view in (x.real, x.imag, ember.view_as_real(x)):
        assert view.untyped_storage().data_ptr() == x.untyped_storage().data_ptr()
        assert view._version_counter is x._version_counter
    x.fill_(1 + 2j)
    assert ember.view_as_real(x).tolist() == [[[1.0, 2.0]] * 3] * 2


@pytest.mark.parametrize("write", [
    lambda lib, y: y.real.mul_(2), lambda lib, y: y.imag.add_(1.5),
    lambda lib, y: y[1].imag.mul_(-3), lambda lib, y: lib.view_as_real(y).mul_(3),
    lambda lib, y: lib.view_as_real(y)[0].mul_(3),
], ids=["real", "imag", "row_imag", "view_as_real", "view_as_real_row"])
def test_in_place_through_part_views_under_autograd(write):
    def function(lib, x):
        y = x * 1
        real = y.real
        imag = y.imag
        write(lib, y)
        # the views' histories are regenerated from the base, as PyTorch regenerates them
        return y, real * 1, imag, y.abs()
    check(function, grad_input(complex_array(2, 3)))


def test_in_place_through_a_part_view_of_a_leaf_is_refused():
    check_error(lambda lib, x: x.real.mul_(2), grad_input(complex_array(3)))
    check_error(lambda lib, x: lib.view_as_real(x).zero_(), grad_input(complex_array(3)))
    check_error(lambda lib, a: lib.view_as_complex(a).mul_(2j), grad_input(real_array(3, 2)))


@pytest.mark.parametrize("write", [
    lambda lib, b: lib.view_as_complex(b).mul_(2 - 1j),
    lambda lib, b: lib.view_as_complex(b[1:]).mul_(3j),
    lambda lib, b: lib.view_as_complex(b)[0].fill_(1 + 1j),
], ids=["whole", "rows", "element"])
def test_in_place_through_view_as_complex_under_autograd(write):
    def function(lib, a):
        b = a * 1
        view = lib.view_as_complex(b)
        write(lib, b)
        return b, view
    check(function, grad_input(real_array(3, 2)))


# ---- view_as_real, view_as_complex -----------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("arrange", [
    lambda x: x, lambda x: x[1:], lambda x: x[::2], lambda x: x.unsqueeze(0).expand(2, 4, 2),
    lambda x: x[0],
], ids=["contiguous", "offset", "strided", "expanded", "vector"])
def test_view_as_complex(arrange, dtype):
    def function(lib, a):
        view = lib.view_as_complex(arrange(a * 1))
        return view, lib.view_as_real(view)
    check(function, grad_input(real_array(4, 2, dtype=dtype)), strides=True)


VIEW_AS_COMPLEX_ERRORS = [
    ("int", lambda lib, x: lib.view_as_complex(x.int())),
    ("bool", lambda lib, x: lib.view_as_complex(x > 0)),
    ("complex", lambda lib, x: lib.view_as_complex(lib.view_as_complex(x))),
    ("zero_dim", lambda lib, x: lib.view_as_complex(x[0, 0])),
    ("last_size", lambda lib, x: lib.view_as_complex(x[:, :1])),
    ("last_stride", lambda lib, x: lib.view_as_complex(x.reshape(2, 6).t())),
    ("odd_stride", lambda lib, x: lib.view_as_complex(x.reshape(12)[:10].reshape(5, 2)[::1]
                                                      .as_strided((3, 2), (3, 1)))),
    ("odd_offset", lambda lib, x: lib.view_as_complex(x.reshape(12)[1:5].reshape(2, 2))),
]


@pytest.mark.parametrize("function", [row[1] for row in VIEW_AS_COMPLEX_ERRORS],
                         ids=[row[0] for row in VIEW_AS_COMPLEX_ERRORS])
def test_view_as_complex_errors(function):
    check_error(function, Input(real_array(6, 2)))


@pytest.mark.parametrize("array", [real_array(3), np.arange(3), np.array([True]),
                                   real_array(2).astype(np.float32)])
def test_view_as_real_errors(array):
    check_error(lambda lib, x: lib.view_as_real(x), Input(array))


# ---- complex, polar --------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", ["complex", "polar"])
@pytest.mark.parametrize("shapes", [((2, 3), (2, 3)), ((2, 1), (3,)), ((), (4,))],
                         ids=["same", "broadcast", "scalar"])
def test_complex_and_polar(name, shapes, dtype):
    arrays = [real_array(*shape, dtype=dtype) for shape in shapes]
    check(lambda lib, a, b: getattr(lib, name)(a, b), *[grad_input(a) for a in arrays])


@pytest.mark.parametrize("name", ["complex", "polar"])
def test_complex_and_polar_special_values_and_out(name):
    special = np.array([0.0, -1.0, np.inf, -np.inf, np.nan, 2.5])
    check(lambda lib, a, b: getattr(lib, name)(a, b), Input(special), Input(special[::-1]))
    out = np.zeros(6, np.complex128)
    check(lambda lib, a, b, o: getattr(lib, name)(a, b, out=o), Input(special),
          Input(np.ones(6)), Input(out))


COMPLEX_ERRORS = [
    ("mixed_float", np.float32, np.float64), ("mixed_double", np.float64, np.float32),
    ("int_float", np.int64, np.float32), ("float_int", np.float32, np.int64),
    ("bool", np.bool_, np.bool_), ("int_double", np.int32, np.float64),
]


@pytest.mark.parametrize("name", ["complex", "polar"])
@pytest.mark.parametrize("case, first, second", COMPLEX_ERRORS,
                         ids=[row[0] for row in COMPLEX_ERRORS])
def test_complex_and_polar_dtype_errors(name, case, first, second):
    check_error(lambda lib, a, b: getattr(lib, name)(a, b),
                Input(np.ones(2, first)), Input(np.ones(2, second)))


@pytest.mark.parametrize("name", ["complex", "polar"])
def test_complex_and_polar_other_errors(name):
    check_error(lambda lib, a, b: getattr(lib, name)(a, b), Input(real_array(2)),
                Input(real_array(3)))
    check_error(lambda lib, a, b: getattr(lib, name)(a, 1.0), Input(real_array(2)),
                Input(real_array(2)))
    check_error(lambda lib, a, b: getattr(lib, name)(a, b), Input(complex_array(2)),
                Input(complex_array(2)))


# ---- angle -----------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float32, np.float64] + COMPLEX_DTYPES)
def test_angle(dtype):
    if np.dtype(dtype).kind == "c":
        array = complex_array(3, 4, dtype=dtype)
    else:
        array = real_array(3, 4, dtype=dtype)
    check(lambda lib, x: lib.angle(x), grad_input(array))
    check(lambda lib, x: x.angle(), grad_input(array))


@pytest.mark.parametrize("array", [
    np.array([-2, 0, 3]), np.array([1, 200], np.uint8), np.array([-1, 5], np.int8),
    np.array([True, False]), np.array([0.0, -0.0, -1.0, np.inf, -np.inf, np.nan]),
    np.array([0.0, -0.0, -1.0, np.inf, -np.inf, np.nan], np.float32),
    np.array([0j, -0.0 + 0j, complex(-1, -0.0), complex(np.inf, 1), complex(np.nan, 1), 1j]),
    np.zeros((0, 2)), np.array(-3.0),
], ids=["int64", "uint8", "int8", "bool", "float64_special", "float32_special",
        "complex_special", "empty", "zero_dim"])
def test_angle_dtypes_and_special_values(array):
    check(lambda lib, x: lib.angle(x), Input(array))


def test_angle_gradient_at_the_origin_and_out():
    check(lambda lib, x: lib.angle(x), grad_input(np.array([0j, 1 + 1j, -2j])))
    check(lambda lib, x, o: lib.angle(x, out=o), Input(complex_array(3)),
          Input(np.zeros(3)))


# ---- finite differences and double backward (float64, through real-valued wrappers) -------

FINITE_DIFFERENCES = [
    ("conj", lambda a, b: ember.view_as_real(ember.conj(ember.complex(a, b)) * (1 + 2j))),
    ("conj_physical", lambda a, b: ember.view_as_real(ember.complex(a, b).conj_physical())),
    ("real_imag", lambda a, b: ember.complex(a, b).real * 3 - ember.complex(a, b).imag * a),
    ("view_as_real", lambda a, b: ember.view_as_real(ember.complex(a, b) * (2 - 1j))),
    ("view_as_complex", lambda a, b: ember.view_as_real(
        ember.view_as_complex(ember.stack([a, b], -1)) * (1 + 1j))),
    ("polar", lambda a, b: ember.view_as_real(ember.polar(a * a + 0.5, b))),
    ("angle", lambda a, b: ember.angle(ember.complex(a, b)) + ember.angle(a)),
]


@pytest.mark.parametrize("function", [row[1] for row in FINITE_DIFFERENCES],
                         ids=[row[0] for row in FINITE_DIFFERENCES])
def test_finite_differences(function):
    finite_differences(function, real_array(2, 3) + 0.1, real_array(2, 3))


DOUBLE_BACKWARD = [
    ("conj", lambda lib, a, b: lib.view_as_real(
        lib.conj(lib.complex(a, b) * lib.complex(b, a)).resolve_conj())),
    ("real_imag", lambda lib, a, b: lib.complex(a * b, b).real * lib.complex(a, b * a).imag),
    ("view_as_complex", lambda lib, a, b: lib.view_as_real(
        lib.view_as_complex(lib.stack([a, b], -1)) * lib.complex(b, a))),
    ("polar_angle", lambda lib, a, b: lib.view_as_real(lib.polar(a.abs() + 1, b * a))),
    ("angle", lambda lib, a, b: lib.angle(lib.complex(a, b) * lib.complex(b, a))),
]


@pytest.mark.parametrize("function", [row[1] for row in DOUBLE_BACKWARD],
                         ids=[row[0] for row in DOUBLE_BACKWARD])
def test_double_backward(function):
    check_double_backward(function, [real_array(2, 3), real_array(2, 3)])


LAYOUTS = {
    "sliced_transpose": lambda lib, x: x.reshape(4, 2).t()[:1],
    "size_one_dims": lambda lib, x: x.reshape(1, 8, 1).transpose(0, 2),
    "permuted_gaps": lambda lib, x: x.reshape(2, 4)[:, ::2].t(),
    "expanded": lambda lib, x: x[:2].reshape(2, 1).expand(2, 3),
}


@pytest.mark.parametrize("layout", list(LAYOUTS))
@pytest.mark.parametrize("op", ["conj", "conj_physical"])
def test_conjugate_strides_match_torch(op, layout):
    # conj() is a view in torch (the input's strides); conj_physical lays its result out as
    # TensorIterator does, which keeps dense layouts and orders size-1 dims its own way
    values = (np.arange(8) + 1j * np.arange(8, 0, -1)).astype(np.complex64)
    check(lambda lib, x: getattr(lib, op)(LAYOUTS[layout](lib, x)), Input(values), strides=True)
