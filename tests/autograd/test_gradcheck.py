"""gradcheck, gradgradcheck, anomaly detection and the functional API, against torch."""
import warnings

import numpy as np
import pytest

import ember
from oracle import check, check_error, grad_input

POINT = np.array([0.3, -0.5, 1.2])


def test_gradcheck_passes_for_correct_gradients():
    check(lambda lib, x: lib.autograd.gradcheck(lib.sin, (x,)), grad_input(POINT), grad=False)
    check(lambda lib, x: lib.autograd.gradgradcheck(lib.sin, (x,)), grad_input(POINT),
          grad=False)


def _wrong(lib):
    class Wrong(lib.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            return a * 2

        @staticmethod
        def backward(ctx, grad):
            return grad * 3

    return Wrong


def test_gradcheck_failure_report_matches_torch():
    check_error(lambda lib, x: lib.autograd.gradcheck(_wrong(lib).apply, (x,)), grad_input(POINT))
    check(lambda lib, x: lib.autograd.gradcheck(_wrong(lib).apply, (x,), raise_exception=False),
          grad_input(POINT), grad=False)


def test_gradcheck_warns_for_single_precision():
    x = ember.tensor([0.5], requires_grad=True)
    with pytest.warns(UserWarning, match="is not a double precision"):
        ember.autograd.gradcheck(ember.sin, (x,), atol=1e-2, rtol=1e-2)


def test_anomaly_detection_names_the_node_that_made_nan():
    def run(lib, x):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with lib.autograd.detect_anomaly():
                (x / x).sum().backward()

    check_error(run, grad_input(np.zeros(2)))


def test_anomaly_mode_flags():
    def run(lib):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            before = lib.is_anomaly_enabled()
            with lib.autograd.set_detect_anomaly(True):
                inside = lib.is_anomaly_enabled()
            return before, inside, lib.is_anomaly_enabled()

    check(run)


FUNCTIONAL = [
    ("jacobian", lambda lib, x: lib.autograd.functional.jacobian(lambda a: a.sin() * a, x)),
    ("jacobian tuple", lambda lib, x: lib.autograd.functional.jacobian(
        lambda a, b: (a * b, a + b), (x, x * 2))),
    ("hessian", lambda lib, x: lib.autograd.functional.hessian(lambda a: (a ** 3).sum(), x)),
    ("vjp", lambda lib, x: lib.autograd.functional.vjp(lambda a: a.exp(), x, x * 0 + 1)),
    ("jvp", lambda lib, x: lib.autograd.functional.jvp(lambda a: a.exp() * a, x, x * 0 + 1)),
    ("hvp", lambda lib, x: lib.autograd.functional.hvp(lambda a: (a ** 3).sum(), x, x * 0 + 1)),
    ("vhp", lambda lib, x: lib.autograd.functional.vhp(lambda a: (a.sin()).sum(), x, x * 0 + 2)),
]


@pytest.mark.parametrize("name,function", FUNCTIONAL, ids=[name for name, _ in FUNCTIONAL])
def test_functional_api_matches_torch(name, function):
    check(function, POINT, grad=False)
