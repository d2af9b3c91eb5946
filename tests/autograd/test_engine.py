"""The backward engine: accumulation, graph release, errors, deep graphs, grad modes."""
import numpy as np
import pytest

import ember
from oracle import check, check_error, grad_input, torch


def test_gradient_accumulates_across_backward_calls():
    def run(lib, x):
        (x * x).sum().backward()
        (x * x).sum().backward()
        return x.grad

    check(run, grad_input(np.array([1.0, 2.0, 3.0], dtype=np.float32)), grad=False)


def test_shared_subexpression_gradients_are_summed():
    def run(lib, x):
        y = x.sin()
        (y * y + y).sum().backward()
        return x.grad

    check(run, grad_input(np.linspace(-1, 1, 5)), grad=False)


def test_second_backward_without_retain_graph_raises():
    def run(lib, x):
        y = (x.exp() * x).sum()
        y.backward()
        y.backward()

    check_error(run, grad_input(np.ones(2, dtype=np.float32)))


def test_retain_graph_allows_second_backward():
    def run(lib, x):
        y = (x.exp() * x).sum()
        y.backward(retain_graph=True)
        y.backward()
        return x.grad

    check(run, grad_input(np.ones(2, dtype=np.float32)), grad=False)


def test_non_scalar_backward_needs_gradient():
    check_error(lambda lib, x: (x * 2).backward(), grad_input(np.ones(3, dtype=np.float32)))


def test_backward_of_tensor_without_grad_raises():
    check_error(lambda lib, x: (x * 2).sum().backward(), np.ones(3, dtype=np.float32))


def test_gradient_shape_mismatch_raises():
    check_error(lambda lib, x: (x * 2).sum().backward(lib.ones(3)),
                grad_input(np.ones(2, dtype=np.float32)))


def test_saved_tensor_modified_in_place_raises():
    def modified_output(lib, x):
        y = x.exp()
        total = y.sum()
        with lib.no_grad():
            y.mul_(2)
        total.backward()

    def modified_leaf(lib, x):
        total = x.sin().sum()
        with lib.no_grad():
            x.mul_(1)
        total.backward()

    def modified_with_history(lib, x):
        y = x * 2
        total = (y * y).sum()
        y.mul_(2)
        total.backward()

    for run in (modified_output, modified_leaf, modified_with_history):
        check_error(run, grad_input(np.ones(2, dtype=np.float32)))


def test_in_place_on_leaf_requiring_grad_raises_and_leaves_it_unchanged():
    x = ember.ones(3, requires_grad=True)
    check_error(lambda lib, x: x.mul_(2), grad_input(np.ones(3, dtype=np.float32)))
    with pytest.raises(RuntimeError):
        x.mul_(2)
    assert x.tolist() == [1.0, 1.0, 1.0]


def test_in_place_on_leaf_is_allowed_under_no_grad():
    def run(lib, x):
        with lib.no_grad():
            x.mul_(2)
        return x

    check(run, grad_input(np.ones(3, dtype=np.float32)), grad=False)


def test_in_place_on_non_leaf_records_history():
    check(lambda lib, x: (x * 3).mul_(x).sin_(), grad_input(np.linspace(0.1, 1, 4)))


def test_no_grad_records_nothing():
    def run(lib, x):
        with lib.no_grad():
            y = x * 2
        return y, y.requires_grad, lib.is_grad_enabled()

    check(run, grad_input(np.ones(2, dtype=np.float32)))


def test_grad_modes_as_decorators_and_nested():
    for lib in (ember,):
        @lib.no_grad()
        def inside_no_grad():
            with lib.enable_grad():
                inner = lib.is_grad_enabled()
            return inner, lib.is_grad_enabled()

        assert inside_no_grad() == (True, False)
        assert lib.is_grad_enabled()
        with lib.set_grad_enabled(False):
            assert not lib.is_grad_enabled()
        assert lib.is_grad_enabled()
        with lib.inference_mode():
            assert lib.is_inference_mode_enabled() and not lib.is_grad_enabled()
        assert not lib.is_inference_mode_enabled()


def test_grad_mode_is_per_thread():
    import threading
    seen = []
    with ember.no_grad():
        worker = threading.Thread(target=lambda: seen.append(ember.is_grad_enabled()))
        worker.start()
        worker.join()
    assert seen == [True]


def test_autograd_grad_returns_without_accumulating():
    def run(lib, x):
        y = (x.sin() * x).sum()
        (g,) = lib.autograd.grad(y, x)
        return g, x.grad

    check(run, grad_input(np.linspace(-2, 2, 6)), grad=False)


def test_autograd_grad_unused_input():
    def unused(lib, x, z):
        return lib.autograd.grad((x * 2).sum(), [x, z])

    check_error(unused, grad_input(np.ones(2)), grad_input(np.ones(2)))

    def allowed(lib, x, z):
        return lib.autograd.grad((x * 2).sum(), [x, z], allow_unused=True)

    ember_result = check(allowed, grad_input(np.ones(2)), grad_input(np.ones(2)), grad=False)
    assert ember_result[1] is None


def test_create_graph_gives_third_derivative_of_sin():
    def run(lib, x):
        y = x.sin().sum()
        (first,) = lib.autograd.grad(y, x, create_graph=True)
        (second,) = lib.autograd.grad(first.sum(), x, create_graph=True)
        (third,) = lib.autograd.grad(second.sum(), x)
        return first, second, third

    check(run, grad_input(np.linspace(-1, 1, 5)), grad=False)


def test_hundred_thousand_deep_graph_backward_is_iterative():
    x = ember.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.sum().backward()
    assert x.grad.tolist() == [1.0]


def test_backward_with_explicit_gradient_vector():
    def run(lib, x):
        y = x * x
        y.backward(gradient=lib.ones(len(y), dtype=x.dtype))
        return x.grad

    check(run, grad_input(np.arange(4.0)), grad=False)


def test_broadcast_operand_gradient_is_reduced_to_its_shape():
    check(lambda lib, x, y: x * y + x, grad_input(np.random.default_rng(1).random((3, 1))),
          grad_input(np.random.default_rng(2).random((2, 1, 4))))


def test_mixed_dtype_operand_gradients_keep_their_dtypes():
    check(lambda lib, x, y: x * y, grad_input(np.ones(3, dtype=np.float32)),
          grad_input(np.arange(3.0)))


def test_branch_that_returns_no_gradient_does_not_block_the_others():
    def run(lib, x):
        class DropGradient(lib.autograd.Function):
            @staticmethod
            def forward(ctx, a):
                return a * 1

            @staticmethod
            def backward(ctx, grad):
                return None

        y = x * 2
        blocked = DropGradient.apply(y.sin())
        (blocked.sum() + y.sum()).backward()
        return x.grad

    check(run, grad_input(np.array([0.5, 1.5])), grad=False)


def test_leaf_gradients_never_alias_other_tensors():
    x = ember.ones(3, requires_grad=True)
    y = ember.ones(3, requires_grad=True)
    gradient = ember.tensor([1.0, 2.0, 3.0])
    (x + y).backward(gradient)
    assert x.grad.data_ptr() != y.grad.data_ptr()
    assert x.grad.data_ptr() != gradient.data_ptr()
    (x + y).backward(gradient)
    assert gradient.tolist() == [1.0, 2.0, 3.0]
    assert x.grad.tolist() == [2.0, 4.0, 6.0] and y.grad.tolist() == [2.0, 4.0, 6.0]


def test_fresh_leaf_gradient_is_taken_over_without_a_copy():
    import weakref
    produced = []

    class Triple(ember.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            return a * 3

        @staticmethod
        def backward(ctx, grad):
            result = grad * 3
            produced.append(weakref.ref(result._data))
            return result

    x = ember.ones(1000, requires_grad=True)
    Triple.apply(x).sum().backward()
    assert x.grad.tolist() == [3.0] * 1000
    assert produced[0]() is x.grad._data


def _identity_with_backward(backward):
    """An autograd.Function passing its input through, whose backward is `backward(grad)`."""
    class Identity(ember.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            return a * 1

        @staticmethod
        def backward(ctx, grad):
            return backward(grad)

    return Identity


def test_transposed_temporary_gradient_is_taken_over_without_a_copy():
    # linear's weight gradient arrives as the transpose (TBackward0) of a transposed product
    import weakref
    weight = ember.randn(3, 4, requires_grad=True)
    inputs = ember.randn(5, 4)
    ember.nn.functional.linear(inputs, weight, ember.zeros(3)).sum().backward()
    expected = ember.ones(5, 3).t().mm(inputs)
    assert ember.equal(weight.grad, expected) and weight.grad.is_contiguous()
    products = []

    def transposed_product(grad):
        product = (grad * 2).t().contiguous()
        products.append(weakref.ref(product._data))
        return product.t()

    leaf = ember.ones(2, 3, requires_grad=True)
    _identity_with_backward(transposed_product).apply(leaf).sum().backward()
    assert leaf.grad.tolist() == [[2.0] * 3] * 2
    assert products[0]() is leaf.grad._data.base


def test_views_of_shared_or_larger_buffers_are_copied_into_grad():
    kept = []

    def kept_product(grad):
        product = (grad * 2).t().contiguous()
        kept.append(product)
        return product.t()

    shared = ember.ones(2, 3, requires_grad=True)
    _identity_with_backward(kept_product).apply(shared).sum().backward()
    kept[0].fill_(7.0)
    assert shared.grad.tolist() == [[2.0] * 3] * 2
    part = ember.ones(2, 3, requires_grad=True)
    _identity_with_backward(lambda grad: ember.ones(4, 3)[:2]).apply(part).sum().backward()
    assert part.grad._data.base is None and part.grad.untyped_storage().nbytes() == 24


def test_saved_values_are_exposed_under_pytorchs_names():
    from oracle import assert_matches, torch
    for lib in (ember, torch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        product = x * x
        assert product.grad_fn._saved_self is x and product.grad_fn._saved_other is x
        assert x.pow(2).grad_fn._saved_exponent == 2
        assert x.sin().grad_fn._saved_self is x
    mine = ember.tensor([1.0, 2.0], requires_grad=True).exp()
    theirs = torch.tensor([1.0, 2.0], requires_grad=True).exp()
    assert_matches(mine.grad_fn._saved_result, theirs.grad_fn._saved_result)

    def freed(lib, x):
        # after a backward without retain_graph the saved values are gone
        y = x.sin()
        y.sum().backward()
        return y.grad_fn._saved_self
    check_error(freed, grad_input(np.array([1.0, 2.0])))
    check_error(lambda lib, x: x.sin().grad_fn._saved_nothing, grad_input(np.array([1.0])))



@pytest.mark.parametrize("build, saves_tensors", [
    (lambda lib, x: x + 1, False),
    (lambda lib, x: x.sum(), False),
    (lambda lib, x: (x - 1).view(1, -1).expand(2, -1), False),
    (lambda lib, x: lib.cat([x, x]), False),
    (lambda lib, x: x * x, True),
    (lambda lib, x: x.exp(), True),
    (lambda lib, x: x[[0, 0]], True),
])
def test_second_backward_fails_only_where_tensors_were_saved(build, saves_tensors):
    # PyTorch frees saved tensors; a graph that saved none (add, sum, views, cat) runs again
    def twice(lib, x):
        out = build(lib, x).sum()
        out.backward()
        out.backward()
        return x.grad
    if saves_tensors:
        check_error(twice, grad_input(np.array([1.0, 2.0])))
    else:
        check(twice, grad_input(np.array([1.0, 2.0])))


def test_grad_modes_decorate_without_parentheses_and_follow_generators():
    from oracle import torch
    for lib in (ember, torch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)

        @lib.no_grad
        def doubled(value):
            return value * 2

        @lib.no_grad()
        def steps():
            for scale in range(2):
                yield (x * scale).requires_grad

        @lib.enable_grad
        def recorded(value):
            return value * 2

        assert doubled(x).requires_grad is False
        # the mode applies inside the generator's code, wherever it is resumed
        assert list(steps()) == [False, False]
        with lib.no_grad():
            assert recorded(x).requires_grad is True
        generator = steps()
        assert next(generator) is False and lib.is_grad_enabled()
        generator.close()


def _node_metadata_behaviour(lib):
    """What a user sees of grad_fn.metadata, for comparison across libraries."""
    x = lib.ones(2, requires_grad=True)
    y = x * 2
    metadata = y.grad_fn.metadata
    metadata["tag"] = 1
    y.register_hook(lambda grad: grad * 3)  # a tensor hook must not show in metadata
    first, _ = x.unbind()

    class Pair(lib.autograd.Function):
        @staticmethod
        def forward(ctx, value):
            return value * 1, value * 2

        @staticmethod
        def backward(ctx, grad_first, grad_second):
            return grad_first

    pair = Pair.apply(x)
    with pytest.warns(UserWarning, match="Anomaly Detection has been enabled"):
        with lib.autograd.detect_anomaly():
            anomalous = first * 3
    (y.sum() + first + pair[0].sum() + anomalous).backward()
    try:
        y.grad_fn.metadata = {}
    except AttributeError as error:
        refused = str(error).replace("ember", "torch")
    return (type(metadata).__name__, y.grad_fn.metadata is metadata, y.grad_fn.metadata,
            y.grad_fn.next_functions[0][0].metadata, first.grad_fn.metadata,
            pair[0].grad_fn.metadata, sorted(anomalous.grad_fn.metadata), x.grad.tolist(),
            refused)


def test_node_metadata_is_a_persistent_user_dict():
    assert _node_metadata_behaviour(ember) == _node_metadata_behaviour(torch)


def test_node_classes_print_as_pytorchs():
    def printed(lib):
        x = lib.ones(2, 2, requires_grad=True)
        nodes = [(x * 2).sum().grad_fn, lib.cat([x, x]).grad_fn, x.t().grad_fn,
                 (x * 2).sum().grad_fn.next_functions[0][0]]
        return [repr(type(node)) for node in nodes]

    assert printed(ember) == printed(torch) == [
        "<class 'SumBackward0'>", "<class 'CatBackward0'>", "<class 'TBackward0'>",
        "<class 'MulBackward0'>"]


def test_reading_grad_of_a_non_leaf_warns_as_pytorch():
    import warnings

    def messages(lib):
        produced = lib.ones(2, requires_grad=True) * 2
        retained = lib.ones(2, requires_grad=True) * 3
        retained.retain_grad()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert produced.grad is None and retained.grad is None
        return [str(warning.message) for warning in caught]

    assert messages(ember) == messages(torch) and len(messages(torch)) == 1
