"""Second derivatives of the smooth elementwise ops and of matmul, against torch, and the
gradient-penalty and Hessian-vector patterns built on create_graph=True."""
import numpy as np
import pytest

from oracle import check, check_error, grad_input

RNG = np.random.default_rng(11)
POSITIVE = RNG.uniform(0.2, 2.0, (3, 4))
UNIT = RNG.uniform(-0.9, 0.9, (3, 4))
ANY = RNG.standard_normal((3, 4))

SMOOTH = [
    ("sin", ANY), ("cos", ANY), ("tan", UNIT), ("exp", ANY), ("expm1", ANY), ("exp2", ANY),
    ("log", POSITIVE), ("log2", POSITIVE), ("log10", POSITIVE), ("log1p", POSITIVE),
    ("sqrt", POSITIVE), ("rsqrt", POSITIVE), ("square", ANY), ("reciprocal", POSITIVE),
    ("tanh", ANY), ("sigmoid", ANY), ("sinh", ANY), ("cosh", ANY), ("asin", UNIT),
    ("acos", UNIT), ("atan", ANY), ("asinh", ANY), ("acosh", POSITIVE + 1.0),
    ("atanh", UNIT), ("erf", ANY), ("erfc", ANY), ("erfinv", UNIT), ("logit", UNIT * 0.4 + 0.5),
    ("abs", ANY),
]


def _second_derivative(name):
    def run(lib, x):
        y = getattr(lib, name)(x)
        (first,) = lib.autograd.grad(y.sum(), x, create_graph=True)
        (second,) = lib.autograd.grad((first * first).sum(), x)
        return first, second
    return run


@pytest.mark.parametrize("name,values", SMOOTH, ids=[name for name, _ in SMOOTH])
def test_second_derivative_of_elementwise_op(name, values):
    # the grad_fn names inside derivative graphs follow torch's internal overloads; values,
    # dtypes and shapes are what must match
    check(_second_derivative(name), grad_input(values), grad=False, grad_fn=False)


BINARY = [("mul", ANY, ANY), ("div", ANY, POSITIVE), ("pow", POSITIVE, ANY),
          ("atan2", ANY, POSITIVE), ("hypot", ANY, POSITIVE), ("xlogy", POSITIVE, POSITIVE)]


@pytest.mark.parametrize("name,left,right", BINARY, ids=[name for name, _, _ in BINARY])
def test_second_derivative_of_binary_op(name, left, right):
    def run(lib, x, y):
        out = getattr(lib, name)(x, y)
        first = lib.autograd.grad(out.sum(), (x, y), create_graph=True)
        penalty = sum((g * g).sum() for g in first)
        return lib.autograd.grad(penalty, (x, y), allow_unused=True)

    check(run, grad_input(left), grad_input(right), grad=False, grad_fn=False)


@pytest.mark.parametrize("shapes", [((3, 4), (4, 2)), ((4,), (4,)), ((2, 3, 4), (4, 5)),
                                    ((5,), (5, 2))])
def test_second_derivative_of_matmul(shapes):
    def run(lib, a, b):
        out = (a @ b).tanh().sum()
        grad_a, grad_b = lib.autograd.grad(out, (a, b), create_graph=True)
        return lib.autograd.grad((grad_a ** 2).sum() + (grad_b ** 2).sum(), (a, b))

    left, right = shapes
    check(run, grad_input(RNG.standard_normal(left)), grad_input(RNG.standard_normal(right)),
          grad=False, grad_fn=False)


def test_hessian_vector_product_and_gradient_penalty():
    def run(lib, w, x, v):
        loss = ((x @ w).sigmoid() ** 2).sum()
        (grad_w,) = lib.autograd.grad(loss, w, create_graph=True)
        (hvp,) = lib.autograd.grad((grad_w * v).sum(), w, retain_graph=True)
        penalty = (grad_w.norm() - 1) ** 2
        penalty.backward()
        return hvp, w.grad

    check(run, grad_input(RNG.standard_normal((4, 2))), RNG.standard_normal((5, 4)),
          RNG.standard_normal((4, 2)), grad=False, grad_fn=False)


def test_third_derivative_of_sin_matches_negative_cos():
    def run(lib, x):
        (first,) = lib.autograd.grad(x.sin().sum(), x, create_graph=True)
        (second,) = lib.autograd.grad(first.sum(), x, create_graph=True)
        (third,) = lib.autograd.grad(second.sum(), x)
        return third

    third = check(run, grad_input(ANY), grad=False, grad_fn=False)
    np.testing.assert_allclose(third.numpy(), -np.cos(ANY), rtol=1e-12)


def test_backward_under_no_grad_without_history_raises():
    def run(lib, x):
        with lib.no_grad():
            y = x * 2
        y.sum().backward()

    check_error(run, grad_input(ANY))


def test_integer_tensor_cannot_require_grad():
    check_error(lambda lib, x: x.requires_grad_(), np.arange(3))
    check_error(lambda lib: lib.tensor([1, 2], requires_grad=True))
    check_error(lambda lib, x: x.numpy(), grad_input(ANY))
