"""Custom autograd.Function: ctx, saved tensors, naming, dirty/non-differentiable outputs."""
import numpy as np

import ember
from oracle import check, check_error, grad_input

VALUES = np.array([0.5, -1.0, 2.0])


def _exp_function(lib):
    class ScaledExp(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, scale):
            result = x.exp() * scale
            ctx.save_for_backward(result)
            ctx.scale = scale
            return result

        @staticmethod
        def backward(ctx, grad):
            (result,) = ctx.saved_tensors
            return grad * result, None

    return ScaledExp


def test_custom_function_forward_backward_and_grad_fn_name():
    def run(lib, x):
        y = _exp_function(lib).apply(x, 2.0)
        return y, type(y.grad_fn).__name__

    check(run, grad_input(VALUES))


def test_needs_input_grad_and_grad_mode_inside_forward():
    def run(lib, x, w):
        seen = []

        class Probe(lib.autograd.Function):
            @staticmethod
            def forward(ctx, a, b):
                seen.append((ctx.needs_input_grad, lib.is_grad_enabled()))
                return a * b

            @staticmethod
            def backward(ctx, grad):
                return grad, grad

        Probe.apply(x, w)
        return seen[0]

    check(run, grad_input(VALUES), VALUES)


def test_setup_context_style():
    def run(lib, x):
        class Square(lib.autograd.Function):
            @staticmethod
            def forward(a):
                return a * a

            @staticmethod
            def setup_context(ctx, inputs, output):
                ctx.save_for_backward(inputs[0])

            @staticmethod
            def backward(ctx, grad):
                (a,) = ctx.saved_tensors
                return 2 * a * grad

        return Square.apply(x)

    check(run, grad_input(VALUES))


def test_wrong_number_of_gradients_raises():
    def run(lib, x):
        class Bad(lib.autograd.Function):
            @staticmethod
            def forward(ctx, a):
                return a * 2

            @staticmethod
            def backward(ctx, grad):
                return grad, grad

        Bad.apply(x).sum().backward()

    check_error(run, grad_input(VALUES))


def test_missing_backward_raises():
    def run(lib, x):
        class NoBackward(lib.autograd.Function):
            @staticmethod
            def forward(ctx, a):
                return a * 2

        NoBackward.apply(x).sum().backward()

    check_error(run, grad_input(VALUES))


def test_mark_non_differentiable_and_multiple_outputs():
    def run(lib, x):
        class SortLike(lib.autograd.Function):
            @staticmethod
            def forward(ctx, a):
                doubled = a * 2
                mask = a > 0
                ctx.mark_non_differentiable(mask)
                return doubled, mask

            @staticmethod
            def backward(ctx, grad, grad_mask):
                return grad * 2

        doubled, mask = SortLike.apply(x)
        doubled.sum().backward()
        return doubled, mask.requires_grad, x.grad

    check(run, grad_input(VALUES), grad=False)


def test_returning_an_input_gives_a_new_tensor():
    def run(lib, x):
        class Identity(lib.autograd.Function):
            @staticmethod
            def forward(ctx, a):
                return a

            @staticmethod
            def backward(ctx, grad):
                return grad * 3

        y = Identity.apply(x)
        y.sum().backward()
        return y is x, y._base is x, x.grad

    check(run, grad_input(VALUES), grad=False)


def test_once_differentiable_runs_without_recording():
    class Cube(ember.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            ctx.save_for_backward(a)
            return a ** 3

        @staticmethod
        @ember.autograd.once_differentiable
        def backward(ctx, grad):
            (a,) = ctx.saved_tensors
            result = 3 * a * a * grad
            assert not result.requires_grad
            return result

    x = ember.tensor([1.0, 2.0], requires_grad=True)
    Cube.apply(x).sum().backward()
    assert x.grad.tolist() == [3.0, 12.0]


def test_saved_tensors_after_release_raise():
    def run(lib, x):
        y = _exp_function(lib).apply(x, 1.0)
        y.sum().backward()
        y.sum().backward()

    check_error(run, grad_input(VALUES))


def test_custom_node_repr_is_the_python_default():
    from oracle import torch
    reprs = []
    for lib in (ember, torch):
        node = _exp_function(lib).apply(lib.tensor([1.0], requires_grad=True), 2.0).grad_fn
        reprs.append(repr(node).rsplit(" object", 1)[0].replace("torch.", "ember."))
    assert reprs[0] == reprs[1]


def test_function_misuse_errors_match_torch():
    def returns_float(lib, x):
        class Bad(lib.autograd.Function):
            @staticmethod
            def forward(ctx, t):
                return t.sum()

            @staticmethod
            def backward(ctx, grad):
                return 1.0
        Bad.apply(x).backward()

    def saves_int(lib, x):
        class SavesInt(lib.autograd.Function):
            @staticmethod
            def forward(ctx, t):
                ctx.save_for_backward(t, 3)
                return t * 1

            @staticmethod
            def backward(ctx, grad):
                return grad
        return SavesInt.apply(x)

    def legacy_call(lib, x):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return _exp_function(lib)()(x, 2.0)

    import warnings
    for function in (returns_float, saves_int, legacy_call):
        check_error(function, grad_input(VALUES))
