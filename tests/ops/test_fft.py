"""ember.fft against torch.fft: values, dtypes, shapes, grad_fn names and gradients for every
transform with its norms, lengths and dims; finite differences and second derivatives in
float64; fftfreq, rfftfreq, fftshift and ifftshift; out=; and PyTorch's errors."""
import subprocess
import sys
import warnings

import numpy as np
import pytest
from hypothesis import given, strategies as st

import ember
from oracle import Input, check, check_error, finite_differences, grad_input, torch

RNG = np.random.default_rng(11)
EVEN = RNG.standard_normal((4, 6))
ODD = RNG.standard_normal((3, 5))
CUBE = RNG.standard_normal((2, 3, 4))
COMPLEX_EVEN = EVEN + 1j * RNG.standard_normal((4, 6))
COMPLEX_ODD = ODD + 1j * RNG.standard_normal((3, 5))

ONE_DIM_REAL = ("fft", "ifft", "rfft", "ihfft")
ONE_DIM_COMPLEX = ("fft", "ifft", "irfft", "hfft")
ONE_DIM_OPTIONS = ({}, {"n": 4}, {"n": 9, "norm": "ortho"}, {"n": 7, "norm": "backward"},
                   {"dim": 0, "norm": "forward"}, {"dim": -2, "n": 1})
N_DIMS_REAL = ("fft2", "ifft2", "fftn", "ifftn", "rfft2", "rfftn", "ihfft2", "ihfftn")
N_DIMS_COMPLEX = ("fft2", "ifft2", "fftn", "ifftn", "irfft2", "irfftn", "hfft2", "hfftn")
N_DIMS_OPTIONS = ({}, {"s": (3, 7)}, {"s": (3, 8)}, {"dim": (1, 0), "norm": "ortho"},
                  {"s": (5,), "dim": 0}, {"norm": "forward"}, {"s": (-1, 4), "norm": "ortho"},
                  {"dim": [-1]}, {"s": 5})


def _call(name, **options):
    return lambda lib, x: getattr(lib.fft, name)(x, **options)


@pytest.mark.parametrize("options", ONE_DIM_OPTIONS, ids=str)
@pytest.mark.parametrize("name", ONE_DIM_REAL)
@pytest.mark.parametrize("array", [EVEN, ODD], ids=["even", "odd"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_one_dim_transforms_of_real_input(name, options, array, dtype):
    # a size-1 result dim gets its stride from conj, which ember computes (PyTorch: a view)
    strides = not (name in ("ifft", "ihfft") and options.get("n") == 1)
    check(_call(name, **options), grad_input(array.astype(dtype)), strides=strides)


@pytest.mark.parametrize("options", ONE_DIM_OPTIONS, ids=str)
@pytest.mark.parametrize("name", ONE_DIM_COMPLEX)
@pytest.mark.parametrize("array", [COMPLEX_EVEN, COMPLEX_ODD], ids=["even", "odd"])
@pytest.mark.parametrize("dtype", [np.complex128, np.complex64])
def test_one_dim_transforms_of_complex_input(name, options, array, dtype):
    check(_call(name, **options), grad_input(array.astype(dtype)), strides=True)


@pytest.mark.parametrize("options", N_DIMS_OPTIONS, ids=str)
@pytest.mark.parametrize("name", N_DIMS_REAL)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_n_dim_transforms_of_real_input(name, options, dtype):
    if name.endswith("2") and options == {"s": 5}:
        # one size against the two default dims
        check_error(_call(name, **options), Input(EVEN.astype(dtype)))
        return
    check(_call(name, **options), grad_input(EVEN.astype(dtype)), strides=True)


@pytest.mark.parametrize("options", N_DIMS_OPTIONS, ids=str)
@pytest.mark.parametrize("name", N_DIMS_COMPLEX)
@pytest.mark.parametrize("dtype", [np.complex128, np.complex64])
def test_n_dim_transforms_of_complex_input(name, options, dtype):
    if name.endswith("2") and options == {"s": 5}:
        check_error(_call(name, **options), Input(COMPLEX_EVEN.astype(dtype)))
        return
    check(_call(name, **options), grad_input(COMPLEX_EVEN.astype(dtype)), strides=True)


THREE_DIM_OPTIONS = ({}, {"dim": (2, 0)}, {"s": (3, 2, 5)}, {"dim": (0, 2), "s": (-1, 3)})


@pytest.mark.parametrize("options", THREE_DIM_OPTIONS, ids=str)
@pytest.mark.parametrize("name", ("fftn", "ifftn", "rfftn", "ihfftn", "irfftn", "hfftn"))
def test_n_dim_transforms_of_three_dim_input(name, options):
    array = CUBE if name in ("rfftn", "ihfftn") else CUBE + 0.5j * CUBE[::-1]
    check(_call(name, **options), grad_input(array), strides=True)
    if len(options.get("s", ())) < 3:
        two_dims = name.replace("n", "2")
        check(_call(two_dims, **options), grad_input(array), strides=True)


@pytest.mark.parametrize("name", ("fftn", "ifftn", "fft2", "hfftn", "irfftn"))
def test_complex_transforms_of_real_input_convert_it_first(name):
    # ToCopyBackward0 below the transform; the gradient comes back real
    check(_call(name), grad_input(EVEN))
    check(_call(name, dim=(0,)), grad_input(EVEN.astype(np.float32)))


@pytest.mark.parametrize("name", ONE_DIM_REAL + ("irfft", "hfft", "fftn", "rfftn", "irfftn",
                                                 "hfftn", "ihfftn", "fft2"))
@pytest.mark.parametrize("array", [np.arange(12).reshape(3, 4),
                                   (np.arange(12) % 3 == 0).reshape(3, 4)], ids=["int", "bool"])
def test_integral_input_is_promoted_to_the_default_float(name, array):
    check(_call(name), Input(array))


def test_integral_input_follows_a_float64_default_dtype():
    for lib in (ember, torch):
        lib.set_default_dtype(lib.float64)
    try:
        check(_call("rfft"), Input(np.arange(5)))
        check(_call("fftn"), Input(np.arange(6).reshape(2, 3)))
        check(_call("irfft"), Input(np.arange(5)))
    finally:
        for lib in (ember, torch):
            lib.set_default_dtype(lib.float32)


def test_zero_dim_input_to_fftn_transforms_nothing():
    check(_call("fftn"), grad_input(np.array(1.5)))
    check(_call("ifftn", s=()), grad_input(np.array(-2.0 + 1j)))
    check(_call("fftn", dim=()), grad_input(EVEN))


LAYOUTS = [lambda x: x.transpose(0, 2), lambda x: x[:, ::2], lambda x: x[:, ::2].transpose(0, 2),
           lambda x: x.permute(1, 2, 0), lambda x: x.transpose(1, 2)[..., ::2]]


@pytest.mark.parametrize("layout", LAYOUTS, ids=range(len(LAYOUTS)))
@pytest.mark.parametrize("name,options", [
    ("fft", {"dim": 0}), ("rfft", {"dim": 1}), ("ihfft", {}), ("irfft", {"dim": 0}),
    ("fftn", {"dim": (2, 0)}), ("fftn", {"dim": ()}), ("rfftn", {"dim": (2, 0)}),
    ("irfftn", {"dim": (0, 2)}), ("hfftn", {}), ("ihfft2", {"dim": (0, 1)}),
    ("ifft", {"dim": 1}), ("fft2", {"dim": (0, 1)})], ids=str)
def test_result_strides_follow_atens_layout(name, options, layout):
    # ATen lays the result out with untransformed dims first, by decreasing input stride
    array = CUBE if name in ("rfft", "ihfft", "rfftn", "ihfft2") else CUBE + 1j * CUBE[::-1]
    check(lambda lib, x: getattr(lib.fft, name)(layout(x), **options), grad_input(array),
          strides=True)


@pytest.mark.parametrize("name,options", [
    ("fft", {"dim": 0}), ("rfft", {"dim": 1}), ("irfft", {"dim": 0}), ("fftn", {"dim": (2, 0)}),
    ("rfftn", {"dim": (2, 0)}), ("irfftn", {"dim": (0, 1)}), ("ifftn", {"dim": (1, 0)})], ids=str)
def test_result_strides_with_a_dim_of_size_one(name, options):
    # (ember's conj is computed, not PyTorch's lazy view: it may give a size-1 dim another
    # stride, so transforms that conjugate their result are left out here)
    array = CUBE if name.startswith("rfft") else CUBE + 1j * CUBE[::-1]
    check(lambda lib, x: getattr(lib.fft, name)(x.transpose(1, 2)[..., :1], **options),
          grad_input(array), strides=True)


@st.composite
def _n_dim_calls(draw):
    """A transform, an input of 1 to 3 dims (maybe transposed), and its s, dim and norm."""
    name = draw(st.sampled_from(("fftn", "ifftn", "rfftn", "irfftn", "hfftn", "ihfftn")))
    shape = draw(st.lists(st.integers(1, 5), min_size=1, max_size=3))
    real = name in ("rfftn", "ihfftn") or draw(st.booleans())
    array = RNG.standard_normal(shape)
    if not real:
        array = array + 1j * RNG.standard_normal(shape)
    dims = draw(st.none() | st.lists(st.integers(-len(shape), len(shape) - 1), max_size=3))
    count = len(dims) if dims is not None else draw(st.integers(0, len(shape)))
    sizes = draw(st.none() | st.lists(st.sampled_from((-1, 1, 2, 3, 6)), min_size=count,
                                      max_size=count))
    norm = draw(st.sampled_from((None, "backward", "ortho", "forward")))
    return name, array, dict(s=sizes, dim=dims, norm=norm), draw(st.booleans())


@given(_n_dim_calls())
def test_hypothesis_n_dim_transforms(call):
    # every combination either matches torch's result and gradients or raises its error
    name, array, options, transposed = call

    def transform(lib, x):
        return getattr(lib.fft, name)(x.t() if transposed and x.dim() == 2 else x, **options)
    try:
        transform(torch, torch.from_numpy(array))
    except (RuntimeError, IndexError):
        check_error(transform, Input(array))
        return
    # ember's conj and to() may give a size-1 dim another (meaningless) stride than PyTorch's
    check(transform, grad_input(array), strides=1 not in array.shape)


# ---- gradients by finite differences and second derivatives ---------------------------------

REAL_TO_COMPLEX = [("fft", {"n": 7}), ("ifft", {"norm": "ortho"}), ("rfft", {}),
                   ("rfft", {"n": 5, "norm": "forward"}), ("ihfft", {"n": 8}),
                   ("rfftn", {"s": (3, 4)}), ("ihfftn", {"norm": "ortho"}),
                   ("ihfft2", {"s": (5, 3)}), ("fft2", {}), ("ifftn", {"dim": 0})]
COMPLEX_TO_ANY = [("fft", {}), ("ifft", {"n": 4, "norm": "forward"}), ("irfft", {}),
                  ("irfft", {"n": 7}), ("irfft", {"n": 4, "norm": "ortho"}), ("hfft", {}),
                  ("hfft", {"n": 9, "norm": "forward"}), ("irfftn", {}),
                  ("irfft2", {"s": (4, 5)}), ("hfftn", {"s": (5, 6), "norm": "ortho"}),
                  ("hfft2", {}), ("fftn", {"s": (2, 7)}), ("ifft2", {"norm": "ortho"})]


def _as_real(tensor):
    return ember.view_as_real(tensor) if tensor.is_complex() else tensor


@pytest.mark.parametrize("name,options", REAL_TO_COMPLEX, ids=str)
def test_real_input_gradients_by_finite_differences(name, options):
    transform = getattr(ember.fft, name)
    finite_differences(lambda x: _as_real(transform(x, **options)), ODD)


@pytest.mark.parametrize("name,options", COMPLEX_TO_ANY, ids=str)
def test_complex_input_gradients_by_finite_differences(name, options):
    # complex(re, im) differentiates into both parts: PyTorch's conjugate Wirtinger gradient
    transform = getattr(ember.fft, name)
    finite_differences(lambda re, im: _as_real(transform(ember.complex(re, im), **options)),
                       ODD, ODD[::-1].copy())


def _check_second_order(name, options, array):
    """The vector-Jacobian product is built from ember ops: its gradient with respect to the
    (complex, for complex outputs) cotangent matches torch's."""
    def transform(lib, x):
        return getattr(lib.fft, name)(x, **options)
    output = transform(torch, torch.from_numpy(array))
    cotangent = RNG.standard_normal(tuple(output.shape))
    if output.is_complex():
        cotangent = cotangent + 1j * RNG.standard_normal(tuple(output.shape))

    def vjp(lib, x, v):
        (grad,) = lib.autograd.grad(transform(lib, x), (x,), v, create_graph=True)
        return grad * grad
    check(vjp, grad_input(array), grad_input(cotangent))


@pytest.mark.parametrize("name,options", REAL_TO_COMPLEX, ids=str)
def test_second_derivatives_of_real_input_transforms(name, options):
    _check_second_order(name, options, ODD)


@pytest.mark.parametrize("name,options", COMPLEX_TO_ANY, ids=str)
def test_second_derivatives_of_complex_input_transforms(name, options):
    _check_second_order(name, options, COMPLEX_ODD)


def test_transforms_compose_into_one_graph():
    def round_trip(lib, x):
        spectrum = lib.fft.rfft(x, norm="ortho")
        return lib.fft.irfft(spectrum * spectrum.abs(), n=x.shape[-1], norm="ortho").exp()
    check(round_trip, grad_input(EVEN))
    check(lambda lib, x: lib.fft.ifftshift(lib.fft.fftshift(lib.fft.fft2(x))), grad_input(ODD))


# ---- sample frequencies ---------------------------------------------------------------------

@pytest.mark.parametrize("name", ("fftfreq", "rfftfreq"))
@pytest.mark.parametrize("n", (0, 1, 2, 5, 8))
@pytest.mark.parametrize("options", [{}, {"d": 0.5}, {"d": 3}, {"dtype": "float64"},
                                     {"dtype": "float16", "d": 0.3}, {"dtype": "bfloat16"},
                                     {"d": 0}, {"d": -0.0}, {"requires_grad": True},
                                     {"dtype": "float64", "requires_grad": True}], ids=str)
def test_sample_frequencies(name, n, options):
    def frequencies(lib):
        given = dict(options)
        if "dtype" in given:
            given["dtype"] = getattr(lib, given["dtype"])
        return getattr(lib.fft, name)(n, **given)
    check(frequencies)


def test_sample_frequencies_positional_and_factory_arguments():
    check(lambda lib: lib.fft.fftfreq(6, 0.25, device="cpu", layout=None, pin_memory=False))
    check(lambda lib: lib.fft.rfftfreq(7, ember.tensor(2.0) if lib is ember else
                                       torch.tensor(2.0)))
    check(lambda lib: lib.fft.fftfreq(np.int64(4), d=True))
    check(lambda lib: lib.fft.rfftfreq(-1))
    check(lambda lib: lib.fft.rfftfreq(-3))


def test_sample_frequencies_into_out():
    check(lambda lib: lib.fft.fftfreq(5, 0.5, out=lib.zeros(5, dtype=lib.float64)))
    check(lambda lib: lib.fft.rfftfreq(6, out=lib.zeros(0)))
    for lib in (ember, torch):
        with pytest.warns(UserWarning, match="The number of elements in the out tensor"):
            lib.fft.fftfreq(4, out=lib.empty(2))


@pytest.mark.parametrize("call", [
    lambda lib: lib.fft.fftfreq(-1),
    lambda lib: lib.fft.fftfreq(5, dtype=lib.int64),
    lambda lib: lib.fft.fftfreq(5, dtype=lib.int32, requires_grad=True),
    lambda lib: lib.fft.rfftfreq(5, dtype=lib.complex64),
    lambda lib: lib.fft.fftfreq(4, out=lib.empty(4, dtype=lib.int64)),
    lambda lib: lib.fft.rfftfreq(5, out=lib.empty(3, dtype=lib.complex64)),
    lambda lib: lib.fft.fftfreq(4.0),
    lambda lib: lib.fft.fftfreq(True),
    lambda lib: lib.fft.fftfreq(None),
    lambda lib: lib.fft.fftfreq(),
    lambda lib: lib.fft.fftfreq(5, "a"),
    lambda lib: lib.fft.fftfreq(5, d=None),
    lambda lib: lib.fft.fftfreq(5, d=3 + 1j),
    lambda lib: lib.fft.fftfreq(3, 1.0, lib.float64),
    lambda lib: lib.fft.rfftfreq(3, dtype="float"),
    lambda lib: lib.fft.rfftfreq(3, step=2),
], ids=range(16))
def test_sample_frequency_errors(call):
    check_error(call)


# ---- shifts ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ("fftshift", "ifftshift"))
@pytest.mark.parametrize("options", [{}, {"dim": 0}, {"dim": -1}, {"dim": (1, 0)},
                                     {"dim": [0, 0]}, {"dim": (-2, 2)}], ids=str)
def test_shifts(name, options):
    check(_call(name, **options), grad_input(CUBE))
    check(_call(name, **options), Input(CUBE[:, :1].astype(np.complex64) * 1j))
    check(lambda lib, x: getattr(lib.fft, name)(x, *options.values()), Input(CUBE))


def test_shift_is_undone_by_its_inverse():
    check(lambda lib, x: lib.fft.ifftshift(lib.fft.fftshift(x)), grad_input(ODD))
    check(lambda lib, x: lib.fft.fftshift(lib.fft.fftfreq(7)) + x, grad_input(np.zeros(7)))


@pytest.mark.parametrize("call", [
    lambda lib, x: lib.fft.fftshift(x, dim=5),
    lambda lib, x: lib.fft.ifftshift(x, dim=(0, -4)),
    lambda lib, x: lib.fft.fftshift(x, dim=()),
    lambda lib, x: lib.fft.fftshift(x[0, 0, 0]),
    lambda lib, x: lib.fft.ifftshift(x[0, 0, 0], dim=0),
    lambda lib, x: lib.fft.fftshift(x, 1.0),
    lambda lib, x: lib.fft.fftshift(x, dim=(1.0,)),
    lambda lib, x: lib.fft.fftshift([1, 2]),
], ids=range(8))
def test_shift_errors(call):
    check_error(call, Input(CUBE))


# ---- out= -------------------------------------------------------------------------------------

@pytest.mark.parametrize("name,array,out_dtype", [
    ("fft", COMPLEX_EVEN, np.complex128), ("fft", EVEN, np.complex128),
    ("ifft", EVEN, np.complex128), ("rfft", EVEN.astype(np.float32), np.complex128),
    ("irfft", COMPLEX_EVEN, np.float32), ("hfft", COMPLEX_ODD, np.float64),
    ("ihfft", ODD, np.complex128), ("fftn", EVEN, np.complex64),
    ("ifft2", COMPLEX_EVEN, np.complex128), ("rfftn", ODD, np.complex128),
    ("irfft2", COMPLEX_ODD, np.float64), ("hfftn", COMPLEX_EVEN, np.float64),
    ("ihfft2", EVEN, np.complex128), ("ihfftn", CUBE, np.complex128),
], ids=str)
@pytest.mark.parametrize("out_shape", [(0,), "same"])
def test_out_receives_the_result(name, array, out_dtype, out_shape):
    def into_out(lib, x):
        out = lib.zeros(shape, dtype=getattr(lib, np.dtype(out_dtype).name))
        result = getattr(lib.fft, name)(x, out=out)
        assert result is out
        return out
    shape = (0,)
    if out_shape == "same":
        shape = tuple(getattr(torch.fft, name)(torch.from_numpy(array)).shape)
    check(into_out, Input(array))


def test_out_of_another_shape_is_resized_with_a_warning():
    for lib in (ember, torch):
        with pytest.warns(UserWarning, match="An output with one or more elements was resized"):
            out = lib.fft.fft(lib.ones(4, dtype=lib.complex64),
                              out=lib.empty(2, dtype=lib.complex64))
        assert tuple(out.shape) == (4,)


def test_out_into_ihfft_does_not_record_history():
    # PyTorch's conj_physical_out path raises nothing here; ember's result keeps no history
    x = ember.ones(4, requires_grad=True)
    out = ember.empty(3, dtype=ember.complex64)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ember.fft.ihfft(x, out=out)
    assert out.grad_fn is None
    np.testing.assert_allclose(out.numpy(), np.fft.ihfft(np.ones(4)))


# ---- errors -----------------------------------------------------------------------------------

ERRORS = [
    lambda lib, x, z: lib.fft.fft(x, norm="bad"),
    lambda lib, x, z: lib.fft.ifft(z, norm="Ortho"),
    lambda lib, x, z: lib.fft.rfftn(x, norm="sideways"),
    lambda lib, x, z: lib.fft.fft(x, n=0),
    lambda lib, x, z: lib.fft.ifft(z, n=-1),
    lambda lib, x, z: lib.fft.fft(z, n=0, norm="bad"),
    lambda lib, x, z: lib.fft.fft(x, dim=3),
    lambda lib, x, z: lib.fft.hfft(z, dim=-4),
    lambda lib, x, z: lib.fft.fft(x[0, 0, 0]),
    lambda lib, x, z: lib.fft.fft2(x[0, 0]),
    lambda lib, x, z: lib.fft.fftn(x[0, 0, 0], dim=0),
    lambda lib, x, z: lib.fft.fftn(x[0, 0, 0], s=(1,)),
    lambda lib, x, z: lib.fft.rfft(z),
    lambda lib, x, z: lib.fft.ihfft(z),
    lambda lib, x, z: lib.fft.rfft(z, norm="bad", dim=7),
    lambda lib, x, z: lib.fft.rfftn(z),
    lambda lib, x, z: lib.fft.rfft2(z),
    lambda lib, x, z: lib.fft.ihfftn(z),
    lambda lib, x, z: lib.fft.ihfft2(z, norm="bad"),
    lambda lib, x, z: lib.fft.ihfftn(z, dim=(0, 0)),
    lambda lib, x, z: lib.fft.irfft(x, n=0),
    lambda lib, x, z: lib.fft.irfft(z[..., :1]),
    lambda lib, x, z: lib.fft.hfft(z[..., :1]),
    lambda lib, x, z: lib.fft.irfftn(z[..., :1]),
    lambda lib, x, z: lib.fft.irfftn(z, s=()),
    lambda lib, x, z: lib.fft.irfftn(z, dim=()),
    lambda lib, x, z: lib.fft.hfftn(x[0, 0, 0]),
    lambda lib, x, z: lib.fft.rfftn(x, dim=()),
    lambda lib, x, z: lib.fft.ihfftn(x, dim=()),
    lambda lib, x, z: lib.fft.fftn(x, s=(2, 3), dim=(0,)),
    lambda lib, x, z: lib.fft.rfftn(x, dim=(0,), s=(3, 4)),
    lambda lib, x, z: lib.fft.fftn(x, s=(2, 3, 4, 5)),
    lambda lib, x, z: lib.fft.fftn(x, dim=(0, 0)),
    lambda lib, x, z: lib.fft.rfftn(x, dim=(0, -3)),
    lambda lib, x, z: lib.fft.fftn(x, s=(0, 3)),
    lambda lib, x, z: lib.fft.fftn(x, s=(-2, 3)),
    lambda lib, x, z: lib.fft.fftn(x, s=(0,), dim=(9,)),
    lambda lib, x, z: lib.fft.ihfftn(x, s=(0, 3)),
    lambda lib, x, z: lib.fft.fft(x.half()),
    lambda lib, x, z: lib.fft.rfftn(x.to(lib.bfloat16)),
    lambda lib, x, z: lib.fft.irfft(x.half()),
    lambda lib, x, z: lib.fft.ihfftn(x.half()),
    lambda lib, x, z: lib.fft.fft(x, out=lib.empty(2)),
    lambda lib, x, z: lib.fft.ifft(x, out=lib.empty(2)),
    lambda lib, x, z: lib.fft.irfft(z, out=lib.empty(2, dtype=lib.complex64)),
    lambda lib, x, z: lib.fft.hfft(z, out=lib.empty(2, dtype=lib.complex64)),
    lambda lib, x, z: lib.fft.ifftn(z, out=lib.empty(2)),
    lambda lib, x, z: lib.fft.ifft2(z, out=lib.empty(2)),
    lambda lib, x, z: lib.fft.rfft2(x, out=lib.empty(2)),
    lambda lib, x, z: lib.fft.irfftn(z, out=lib.empty(2, dtype=lib.int64)),
    lambda lib, x, z: lib.fft.hfft2(z, out=lib.empty(2, dtype=lib.complex64)),
    lambda lib, x, z: lib.fft.ihfft(x, out=lib.empty(2)),
    lambda lib, x, z: lib.fft.ihfft2(x, out=lib.empty(2)),
    lambda lib, x, z: lib.fft.fft(x.requires_grad_(), out=lib.empty(2, dtype=lib.complex64)),
    lambda lib, x, z: lib.fft.rfft(x.requires_grad_(), n=3, out=lib.empty(0, dtype=lib.complex64)),
    lambda lib, x, z: lib.fft.hfft(z.requires_grad_(), out=lib.empty(0)),
    lambda lib, x, z: lib.fft.fftn(x.requires_grad_(), dim=(),
                                   out=lib.empty(0, dtype=lib.complex64)),
    lambda lib, x, z: lib.fft.ihfft2(x.requires_grad_(), out=lib.empty(0, dtype=lib.complex64)),
    lambda lib, x, z: lib.fft.irfftn(z.requires_grad_(), out=lib.empty(0)),
]


@pytest.mark.parametrize("call", ERRORS, ids=range(len(ERRORS)))
def test_errors(call):
    check_error(call, Input(CUBE.astype(np.float32)), Input(CUBE.astype(np.complex64)))


ARGUMENT_ERRORS = [
    lambda lib, x: lib.fft.fft(x, 2.5),
    lambda lib, x: lib.fft.fft(x, n=2.5),
    lambda lib, x: lib.fft.fft(x, n=True),
    lambda lib, x: lib.fft.fft(x, 2, 1.0),
    lambda lib, x: lib.fft.fft(x, dim=None),
    lambda lib, x: lib.fft.fft(x, 2, 1, 3),
    lambda lib, x: lib.fft.rfft(x, norm=3),
    lambda lib, x: lib.fft.fft([1.0, 2.0]),
    lambda lib, x: lib.fft.ifft(None),
    lambda lib, x: lib.fft.fft(),
    lambda lib, x: lib.fft.fft(x, 3, n=3),
    lambda lib, x: lib.fft.fft(x, foo=3),
    lambda lib, x: lib.fft.fft(x, 1, 2, 3, 4),
    lambda lib, x: lib.fft.rfft(x, out=3),
    lambda lib, x: lib.fft.fftn(x, 2.5),
    lambda lib, x: lib.fft.fftn(x, (2.5,)),
    lambda lib, x: lib.fft.fftn(x, s=(2.5,)),
    lambda lib, x: lib.fft.fftn(x, None, 1.0),
    lambda lib, x: lib.fft.fftn(x, None, (1.0,)),
    lambda lib, x: lib.fft.fftn(x, None, [0, 1.0]),
    lambda lib, x: lib.fft.fftn(x, s=(3, None)),
    lambda lib, x: lib.fft.fftn(x, dim=(1.0,)),
    lambda lib, x: lib.fft.fftn(x, s=True),
    lambda lib, x: lib.fft.fftn(x, s="ab"),
    lambda lib, x: lib.fft.fftn(x, s=np.array([2, 3])),
    lambda lib, x: lib.fft.fftn(x, dim=x),
    lambda lib, x: lib.fft.fft2(x, dim=None),
    lambda lib, x: lib.fft.irfft2(x, None, None),
]


@pytest.mark.parametrize("call", ARGUMENT_ERRORS, ids=range(len(ARGUMENT_ERRORS)))
def test_argument_type_errors(call):
    check_error(call, Input(EVEN))


def test_accepted_argument_forms():
    check(lambda lib, x: lib.fft.fft(x, 3, 0, "ortho"), grad_input(EVEN))
    check(lambda lib, x: lib.fft.fft(x, n=np.int64(3), dim=np.int64(0)), grad_input(EVEN))
    check(lambda lib, x: lib.fft.fftn(x, [3], [1], None, out=None), grad_input(EVEN))
    check(lambda lib, x: lib.fft.rfftn(x, s=lib.Size([3, 4])), grad_input(EVEN))
    check(lambda lib, x: lib.fft.irfftn(x, 5, 0), grad_input(COMPLEX_EVEN))
    check(lambda lib, x: lib.fft.fft(x, n=lib.tensor(3)), grad_input(EVEN))


def test_import_ember_loads_fft_lazily():
    code = ("import sys, ember; print('ember.fft' in sys.modules); "
            "ember.fft.fft; print('ember.fft' in sys.modules)")
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert completed.stdout.split() == ["False", "True"]
