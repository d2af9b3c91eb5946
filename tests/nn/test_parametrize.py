"""nn.utils.parametrize and nn.utils.parametrizations against torch: printouts, state_dict
keys and values, forward outputs, gradients of the originals, SGD training, assignment through
right_inverse, caching, removal, transfer and errors. Random initial states (spectral norm's
u and v, orthogonal's base) are copied from torch into ember through state_dict."""
import copy
import pickle

import numpy as np
import pytest
import torch

import ember
from module_oracle import build_pair, compare_module, same_printout
from oracle import assert_matches, check_error

RNG = np.random.default_rng(0)
X34 = RNG.standard_normal((5, 4)).astype(np.float32)


def parametrize_of(lib):
    return lib.nn.utils.parametrize


def symmetric(lib):
    """A parametrization to symmetric matrices, with a right inverse."""

    class Symmetric(lib.nn.Module):
        def forward(self, X):
            return X.triu() + X.triu(1).mT

        def right_inverse(self, A):
            return A.triu()

    return Symmetric()


def doubled(lib):
    """A parametrization without right_inverse."""

    class Double(lib.nn.Module):
        def forward(self, X):
            return X * 2

    return Double()


def split(lib):
    """A parametrization of one tensor by two (right_inverse returns a tuple)."""

    class Split(lib.nn.Module):
        def forward(self, a, b):
            return a + b * 3

        def right_inverse(self, weight):
            return weight * 0.25, weight * 0.25

    return Split()


def linear_with(*registrations, name="weight", size=(4, 4)):
    """build(lib): a Linear whose `name` gets each registration(lib) in turn."""

    def build(lib):
        module = lib.nn.Linear(*size)
        for registration in registrations:
            parametrize_of(lib).register_parametrization(module, name, registration(lib))
        return module

    return build


def state_keys(module):
    return list(module.state_dict().keys())


def same_state(mine, theirs):
    assert state_keys(mine) == state_keys(theirs)
    assert_matches(list(mine.state_dict().values()), list(theirs.state_dict().values()),
                   grad_fn=False)


def sgd_steps(build, x, steps=3, lr=0.1, atol=1e-5, rtol=1e-4):
    """Trains both modules with SGD on sum(out ** 2); compares outputs, the gradients of the
    originals, the parametrized weight and the state after every step."""
    mine, theirs = build_pair(build)
    mine_opt = ember.optim.SGD(mine.parameters(), lr=lr)
    theirs_opt = torch.optim.SGD(theirs.parameters(), lr=lr)
    for step in range(steps):
        outputs = []
        for lib, module, opt in ((ember, mine, mine_opt), (torch, theirs, theirs_opt)):
            opt.zero_grad()
            out = module(lib.from_numpy(x.copy()))
            (out * out).sum().backward()
            outputs.append(out)
        assert_matches(outputs[0], outputs[1], atol=atol, rtol=rtol, where=f"step {step}")
        mine_grads = [(n, p.grad) for n, p in mine.named_parameters()]
        theirs_grads = [(n, p.grad) for n, p in theirs.named_parameters()]
        assert_matches(mine_grads, theirs_grads, atol=atol, rtol=rtol, grad_fn=False)
        mine_opt.step()
        theirs_opt.step()
        assert_matches(mine.weight, theirs.weight, atol=atol, rtol=rtol, grad_fn=False)
    assert state_keys(mine) == state_keys(theirs)
    return mine, theirs


# ---- parametrize -----------------------------------------------------------------------------


def test_printout_state_dict_and_class():
    build = linear_with(symmetric, doubled)
    mine, theirs = build_pair(build)
    same_printout(mine, theirs)
    assert type(mine).__name__ == type(theirs).__name__ == "ParametrizedLinear"
    assert state_keys(mine) == state_keys(theirs)
    assert [n for n, _ in mine.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    for lib, module in ((ember, mine), (torch, theirs)):
        P = parametrize_of(lib)
        assert P.is_parametrized(module) and P.is_parametrized(module, "weight")
        assert not P.is_parametrized(module, "bias")
        assert P.type_before_parametrizations(module) is lib.nn.Linear
        assert not P.is_parametrized(lib.nn.Linear(2, 2))
        # the property lives on the per-instance class only
        assert not hasattr(lib.nn.Linear, "weight")
        assert isinstance(module.parametrizations.weight, P.ParametrizationList)


def test_two_tensors_and_a_sequence_original():
    def build(lib):
        module = linear_with(symmetric)(lib)
        parametrize_of(lib).register_parametrization(module, "bias", split(lib))
        return module

    mine, theirs = build_pair(build)
    same_printout(mine, theirs)
    assert "parametrizations.bias.original1" in state_keys(mine)
    same_state(mine, theirs)
    compare_module(build, X34)


@pytest.mark.parametrize("registrations", [(symmetric,), (symmetric, doubled), (split,),
                                           (split, symmetric)])
def test_forward_gradients_and_training(registrations):
    build = linear_with(*registrations)
    compare_module(build, X34)
    sgd_steps(build, X34)


def test_parametrized_buffer():
    def build(lib):
        class Scaled(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.register_buffer("scale", lib.arange(16.0).reshape(4, 4) / 10)

            def forward(self, x):
                return x @ self.scale

        module = Scaled()
        parametrize_of(lib).register_parametrization(module, "scale", symmetric(lib))
        return module

    mine, theirs = build_pair(build)
    same_printout(mine, theirs)
    assert state_keys(mine) == ["parametrizations.scale.original"]
    assert [n for n, _ in mine.named_buffers()] == [n for n, _ in theirs.named_buffers()]
    compare_module(build, X34)


def test_assignment_goes_through_right_inverse():
    mine, theirs = build_pair(linear_with(symmetric, symmetric))
    value = RNG.standard_normal((4, 4)).astype(np.float32)
    for lib, module in ((ember, mine), (torch, theirs)):
        original = module.parametrizations.weight.original
        module.weight = lib.from_numpy(value.copy())
        # the original keeps its identity: optimizers holding it still see it
        assert module.parametrizations.weight.original is original
    same_state(mine, theirs)
    assert_matches(mine.weight, theirs.weight)


def test_cached_computes_once():
    counts = {}

    def build(lib):
        class Counting(lib.nn.Module):
            def forward(self, X):
                counts[lib.__name__] = counts.get(lib.__name__, 0) + 1
                return X * 3

        module = lib.nn.Linear(4, 4)
        parametrize_of(lib).register_parametrization(module, "weight", Counting())
        return module

    mine, theirs = build_pair(build)
    counts.clear()
    for lib, module in ((ember, mine), (torch, theirs)):
        with parametrize_of(lib).cached():
            first = module.weight
            with parametrize_of(lib).cached():
                assert module.weight is first
            assert module.weight is first
        assert module.weight is not first
    assert counts["ember"] == counts["torch"] == 2


@pytest.mark.parametrize("leave_parametrized", [True, False])
def test_remove_parametrizations(leave_parametrized):
    mine, theirs = build_pair(linear_with(symmetric, doubled))
    for lib, module in ((ember, mine), (torch, theirs)):
        P = parametrize_of(lib)
        P.register_parametrization(module, "bias", doubled(lib))
        original = module.parametrizations.weight.original
        P.remove_parametrizations(module, "weight", leave_parametrized=leave_parametrized)
        assert module.weight is original
        assert type(module).__name__ == "ParametrizedLinear"
        P.remove_parametrizations(module, "bias", leave_parametrized=leave_parametrized)
        assert type(module) is lib.nn.Linear
        assert not hasattr(module, "parametrizations")
    same_printout(mine, theirs)
    same_state(mine, theirs)
    assert_matches(mine.weight, theirs.weight)


def test_remove_sequence_parametrization():
    mine, theirs = build_pair(linear_with(split))
    for lib, module in ((ember, mine), (torch, theirs)):
        parametrize_of(lib).remove_parametrizations(module, "weight")
        assert isinstance(module.weight, lib.nn.Parameter)
    same_state(mine, theirs)
    check_error(lambda lib: parametrize_of(lib).remove_parametrizations(
        linear_with(split)(lib), "weight", leave_parametrized=False))


def test_transfer_parametrizations_and_params():
    mine, theirs = build_pair(linear_with(symmetric))
    targets = []
    for lib, module in ((ember, mine), (torch, theirs)):
        target = lib.nn.Linear(4, 4)
        parametrize_of(lib).transfer_parametrizations_and_params(module, target)
        assert target.parametrizations.weight.original is module.parametrizations.weight.original
        targets.append(target)
    same_printout(*targets)
    assert state_keys(targets[0]) == state_keys(targets[1])
    assert_matches(targets[0].weight, targets[1].weight)


def test_deepcopy_and_pickling():
    mine, theirs = build_pair(linear_with(symmetric))
    for module in (mine, theirs):
        replica = copy.deepcopy(module)
        assert type(replica).__name__ == "ParametrizedLinear"
        assert replica.parametrizations.weight.original is not \
            module.parametrizations.weight.original
    same_printout(copy.deepcopy(mine), copy.deepcopy(theirs))
    check_error(lambda lib: pickle.dumps(linear_with(symmetric)(lib)))


def wrong_shape(lib):
    class Flatten(lib.nn.Module):
        def forward(self, X):
            return X.flatten()

    return Flatten()


def wrong_dtype(lib):
    class ToDouble(lib.nn.Module):
        def forward(self, X):
            return X.double()

    return ToDouble()


def not_a_tensor(lib):
    class Listing(lib.nn.Module):
        def forward(self, X):
            return [X]

    return Listing()


def bad_inverse(lib):
    class BadInverse(lib.nn.Module):
        def forward(self, X):
            return X

        def right_inverse(self, X):
            return X.flatten()

    return BadInverse()


def inverse_not_tensor(lib):
    class NoneInverse(lib.nn.Module):
        def forward(self, X):
            return X

        def right_inverse(self, X):
            return 3

    return NoneInverse()


@pytest.mark.parametrize("make", [wrong_shape, wrong_dtype, not_a_tensor, inverse_not_tensor])
def test_registration_errors(make):
    check_error(lambda lib: linear_with(make)(lib))
    check_error(lambda lib: linear_with(doubled, make)(lib))


def test_appended_right_inverse_error_and_unsafe():
    check_error(lambda lib: linear_with(doubled, bad_inverse)(lib))
    mine, theirs = build_pair(linear_with(doubled))
    for lib, module in ((ember, mine), (torch, theirs)):
        parametrize_of(lib).register_parametrization(module, "weight", wrong_shape(lib),
                                                     unsafe=True)
        assert module.parametrizations.weight.unsafe
        assert tuple(module.weight.shape) == (16,)
    assert_matches(mine.weight, theirs.weight)


def test_misuse_errors():
    P = parametrize_of
    check_error(lambda lib: P(lib).register_parametrization(lib.nn.Linear(2, 2), "nothing",
                                                            doubled(lib)))
    check_error(lambda lib: P(lib).remove_parametrizations(lib.nn.Linear(2, 2), "weight"))
    check_error(lambda lib: P(lib).ParametrizationList([], lib.zeros(2)))

    def assign_parameter(lib):
        module = linear_with(symmetric)(lib)
        module.weight = lib.nn.Parameter(lib.zeros(4, 4))

    def assign_without_inverse(lib):
        module = linear_with(symmetric, doubled)(lib)
        module.weight = lib.zeros(4, 4)

    def assign_wrong_dtype(lib):
        module = linear_with(symmetric)(lib)
        module.weight = lib.zeros(4, 4, dtype=lib.float64)

    def assign_wrong_length(lib):
        class Three(lib.nn.Module):
            def forward(self, a, b):
                return a + b

            def right_inverse(self, weight):
                return (weight, weight) if weight.sum() != 0 else (weight,)

        module = linear_with(lambda _: Three())(lib)
        module.weight = lib.zeros(4, 4)

    for function in (assign_parameter, assign_without_inverse, assign_wrong_dtype,
                     assign_wrong_length):
        check_error(function)


# ---- parametrizations ------------------------------------------------------------------------


def parametrized(make, register, **options):
    def build(lib):
        module = make(lib)
        getattr(lib.nn.utils.parametrizations, register)(module, **options)
        return module

    return build


def linear(n_in, n_out):
    return lambda lib: lib.nn.Linear(n_in, n_out)


def is_orthogonal(weight):
    array = weight.detach().numpy().astype(np.float64)
    if array.shape[-2] < array.shape[-1]:
        array = array.swapaxes(-1, -2)
    gram = array.swapaxes(-1, -2) @ array
    return np.allclose(gram, np.eye(array.shape[-1]), atol=1e-5)


@pytest.mark.parametrize("orthogonal_map", [None, "matrix_exp", "cayley", "householder"])
@pytest.mark.parametrize("size", [(4, 4), (4, 6), (6, 3)])
@pytest.mark.parametrize("use_trivialization", [True, False])
def test_orthogonal(orthogonal_map, size, use_trivialization):
    build = parametrized(linear(*size), "orthogonal", orthogonal_map=orthogonal_map,
                         use_trivialization=use_trivialization)
    mine, theirs = build_pair(build)
    same_printout(mine, theirs)
    same_state(mine, theirs)
    # the composition's last op shows in grad_fn (MmBackward0 with a base, Transpose...)
    assert_matches(mine.weight, theirs.weight, atol=1e-5)
    assert is_orthogonal(mine.weight)
    x = RNG.standard_normal((5, size[0])).astype(np.float32)
    compare_module(build, x, atol=2e-5, rtol=2e-4)
    mine, _ = sgd_steps(build, x)
    assert is_orthogonal(mine.weight)


def test_orthogonal_square_registration_is_deterministic():
    # a non-orthogonal square weight becomes the Q of its QR decomposition, with no randomness
    weight = RNG.standard_normal((4, 4)).astype(np.float32)
    for orthogonal_map in ("matrix_exp", "cayley", "householder"):
        for use_trivialization in (True, False):
            modules = []
            for lib in (ember, torch):
                module = lib.nn.Module()
                module.weight = lib.nn.Parameter(lib.from_numpy(weight.copy()))
                lib.nn.utils.parametrizations.orthogonal(
                    module, orthogonal_map=orthogonal_map, use_trivialization=use_trivialization)
                modules.append(module)
            assert_matches(modules[0].weight, modules[1].weight, atol=1e-5, grad_fn=False)
            assert state_keys(modules[0]) == state_keys(modules[1])
            assert_matches(list(modules[0].state_dict().values()),
                           list(modules[1].state_dict().values()), atol=1e-5, grad_fn=False)


def test_orthogonal_assignment_and_batches():
    def build(lib):
        module = lib.nn.Module()
        module.register_parameter("weight", lib.nn.Parameter(lib.zeros(2, 3, 3)))
        lib.nn.utils.parametrizations.orthogonal(module, "weight", "cayley")
        return module

    mine, theirs = build_pair(build)
    q = np.linalg.qr(RNG.standard_normal((2, 3, 3)))[0].astype(np.float32)
    mine.weight = ember.from_numpy(q.copy())
    theirs.weight = torch.from_numpy(q.copy())
    same_state(mine, theirs)
    assert_matches(mine.weight, theirs.weight, atol=1e-5, grad_fn=False)
    np.testing.assert_allclose(mine.weight.detach().numpy(), q, atol=1e-5)


@pytest.mark.parametrize("use_trivialization", [True, False])
@pytest.mark.parametrize("orthogonal_map", [None, "cayley"])
def test_orthogonal_complex_is_unitary(orthogonal_map, use_trivialization):
    weight = (RNG.standard_normal((3, 3)) + 1j * RNG.standard_normal((3, 3))).astype(np.complex64)
    scale = RNG.standard_normal((3, 3)).astype(np.float32)
    modules = []
    for lib in (ember, torch):
        module = lib.nn.Module()
        module.weight = lib.nn.Parameter(lib.from_numpy(weight.copy()))
        lib.nn.utils.parametrizations.orthogonal(module, orthogonal_map=orthogonal_map,
                                                 use_trivialization=use_trivialization)
        (module.weight.abs() ** 2 * lib.from_numpy(scale.copy())).sum().backward()
        modules.append(module)
    mine, theirs = modules
    assert_matches(mine.weight, theirs.weight, atol=1e-5)
    same_state(mine, theirs)
    assert_matches([p.grad for p in mine.parameters()], [p.grad for p in theirs.parameters()],
                   atol=1e-5, rtol=1e-4, grad_fn=False)
    array = mine.weight.detach().numpy()
    np.testing.assert_allclose(array.conj().T @ array, np.eye(3), atol=1e-5)


def test_orthogonal_errors():
    param = parametrized
    check_error(lambda lib: param(linear(3, 3), "orthogonal", name="bias")(lib))
    check_error(lambda lib: param(linear(3, 3), "orthogonal", name="nothing")(lib))
    check_error(lambda lib: param(linear(3, 3), "orthogonal", orthogonal_map="qr")(lib))

    def complex_householder(lib):
        module = lib.nn.Module()
        module.weight = lib.nn.Parameter(lib.zeros(3, 3, dtype=lib.complex64))
        lib.nn.utils.parametrizations.orthogonal(module, orthogonal_map="householder")

    check_error(complex_householder)

    def assign(shape, **options):
        def function(lib):
            module = param(linear(3, 3), "orthogonal", **options)(lib)
            module.weight = lib.zeros(*shape)
        return function

    check_error(assign((3, 3), orthogonal_map="matrix_exp", use_trivialization=False))
    check_error(assign((3, 3), orthogonal_map="cayley", use_trivialization=False))
    check_error(assign((2, 3)))


def conv_transpose(lib):
    return lib.nn.ConvTranspose2d(2, 3, 2)


@pytest.mark.parametrize("make, options, shape", [
    (linear(4, 3), {}, (5, 4)),
    (linear(4, 3), {"n_power_iterations": 3, "eps": 1e-6}, (5, 4)),
    (linear(4, 3), {"dim": 1}, (5, 4)),
    (lambda lib: lib.nn.Conv2d(2, 3, 2), {}, (2, 2, 4, 4)),
    (conv_transpose, {}, (2, 2, 3, 3)),
    (linear(4, 3), {"name": "bias"}, (5, 4)),
])
def test_spectral_norm(make, options, shape):
    build = parametrized(make, "spectral_norm", **options)
    mine, theirs = build_pair(build)
    same_printout(mine, theirs)
    same_state(mine, theirs)
    assert_matches(getattr(mine, options.get("name", "weight")),
                   getattr(theirs, options.get("name", "weight")), atol=1e-5)
    x = RNG.standard_normal(shape).astype(np.float32)
    # train mode runs power iterations (buffers _u, _v compared each step); eval mode does not
    compare_module(build, x, steps=3, atol=2e-5, rtol=2e-4)
    sgd_steps(build, x)


def test_spectral_norm_power_method_and_eval():
    # the 15 initial power iterations, redone on both libraries from torch's random u and v
    weight = RNG.standard_normal((3, 4)).astype(np.float32)
    torch.manual_seed(0)
    reference = torch.nn.utils.parametrizations.spectral_norm(torch.nn.Linear(4, 3))
    u = reference.parametrizations.weight[0]._u.numpy().copy()
    v = reference.parametrizations.weight[0]._v.numpy().copy()
    results = []
    for lib in (ember, torch):
        module = lib.nn.Linear(4, 3)
        with lib.no_grad():
            module.weight.copy_(lib.from_numpy(weight.copy()))
        lib.nn.utils.parametrizations.spectral_norm(module)
        norm = module.parametrizations.weight[0]
        norm._u.copy_(lib.from_numpy(u.copy()))
        norm._v.copy_(lib.from_numpy(v.copy()))
        norm._power_method(module.parametrizations.weight.original, 15)
        module.eval()
        # eval mode leaves u and v alone: two reads give the same weight
        results.append((module.weight, module.weight, norm._u.clone(), norm._v.clone()))
    assert_matches(results[0], results[1], atol=1e-5, grad_fn=False)
    values = np.linalg.svd(results[0][0].detach().numpy().astype(np.float64))[1]
    assert abs(values[0] - 1) < 1e-3


def test_spectral_norm_errors():
    param = parametrized
    check_error(lambda lib: param(linear(3, 3), "spectral_norm", dim=2)(lib))
    check_error(lambda lib: param(linear(3, 3), "spectral_norm", n_power_iterations=0)(lib))
    check_error(lambda lib: param(linear(3, 3), "spectral_norm", name="nothing")(lib))


@pytest.mark.parametrize("make, options, shape", [
    (linear(4, 3), {}, (5, 4)),
    (linear(4, 3), {"dim": None}, (5, 4)),
    (linear(4, 3), {"dim": 1}, (5, 4)),
    (lambda lib: lib.nn.Conv2d(2, 3, 2), {"dim": 0}, (2, 2, 4, 4)),
    (lambda lib: lib.nn.Conv2d(2, 3, 2), {"dim": 2}, (2, 2, 4, 4)),
])
def test_weight_norm(make, options, shape):
    build = parametrized(make, "weight_norm", **options)
    mine, theirs = build_pair(build)
    same_printout(mine, theirs)
    same_state(mine, theirs)
    assert_matches(getattr(mine, options.get("name", "weight")),
                   getattr(theirs, options.get("name", "weight")), atol=1e-5)
    x = RNG.standard_normal(shape).astype(np.float32)
    compare_module(build, x, atol=2e-5, rtol=2e-4)
    sgd_steps(build, x)
    for lib, module in ((ember, mine), (torch, theirs)):
        lib.nn.utils.parametrize.remove_parametrizations(module, "weight")
    same_printout(mine, theirs)
    same_state(mine, theirs)


def test_weight_norm_loads_hook_based_state_dict():
    torch.manual_seed(0)
    with pytest.warns(FutureWarning):
        old = torch.nn.utils.weight_norm(torch.nn.Linear(4, 3))
    state = {key: value.detach().numpy().copy() for key, value in old.state_dict().items()}
    modules = []
    for lib in (ember, torch):
        module = lib.nn.utils.parametrizations.weight_norm(lib.nn.Linear(4, 3))
        module.load_state_dict({key: lib.from_numpy(value.copy())
                                for key, value in state.items()})
        modules.append(module)
    same_state(*modules)
    assert_matches(modules[0].weight, modules[1].weight, grad_fn=False)


# ---- the hook-based nn.utils.spectral_norm ---------------------------------------------------


def hooked(make, **options):
    def build(lib):
        return lib.nn.utils.spectral_norm(make(lib), **options)

    return build


def converted(lib, state):
    """A torch state dict as `lib` tensors, its metadata kept."""
    result = type(state)((key, lib.from_numpy(value.detach().numpy().copy()))
                         for key, value in state.items())
    result._metadata = copy.deepcopy(state._metadata)
    return result


@pytest.mark.parametrize("make, options, shape", [
    (linear(4, 3), {}, (5, 4)),
    (linear(4, 3), {"n_power_iterations": 3, "eps": 1e-6}, (5, 4)),
    (linear(4, 3), {"dim": 1}, (5, 4)),
    (lambda lib: lib.nn.Conv2d(2, 3, 2), {}, (2, 2, 4, 4)),
    (conv_transpose, {}, (2, 2, 3, 3)),
])
def test_hook_spectral_norm(make, options, shape):
    build = hooked(make, **options)
    mine, theirs = build_pair(build)
    same_printout(mine, theirs)
    same_state(mine, theirs)
    assert mine.state_dict()._metadata == theirs.state_dict()._metadata
    x = RNG.standard_normal(shape).astype(np.float32)
    # weight_u and weight_v move in train mode only (compared as buffers after every step)
    compare_module(build, x, steps=3, atol=2e-5, rtol=2e-4)
    mine, theirs = sgd_steps(build, x)
    for lib, module in ((ember, mine), (torch, theirs)):
        lib.nn.utils.remove_spectral_norm(module)
        assert isinstance(module.weight, lib.nn.Parameter)
    same_printout(mine, theirs)
    same_state(mine, theirs)
    assert mine.state_dict()._metadata == theirs.state_dict()._metadata


def test_hook_spectral_norm_loads_version_0_state_dict():
    # a tall weight matrix, so that W^T W is invertible and v well defined
    torch.manual_seed(0)
    old = hooked(linear(3, 4))(torch)
    old(torch.zeros(1, 3))
    state = old.state_dict()
    # version 0 saved the normalised weight instead of v; v is solved for on load
    state._metadata[""]["spectral_norm"]["weight.version"] = 0
    state["weight"] = old.weight.detach()
    del state["weight_v"]
    modules = []
    for lib in (ember, torch):
        module = hooked(linear(3, 4))(lib)
        module.load_state_dict(converted(lib, state))
        modules.append(module)
    same_state(*modules)
    mine, theirs = modules
    mine.eval()
    theirs.eval()
    x = RNG.standard_normal((2, 3)).astype(np.float32)
    assert_matches(mine(ember.from_numpy(x.copy())), theirs(torch.from_numpy(x.copy())),
                   atol=1e-5, rtol=1e-4)


def test_hook_spectral_norm_errors():
    def twice(lib):
        module = hooked(linear(3, 3))(lib)
        lib.nn.utils.spectral_norm(module)

    check_error(twice)
    check_error(lambda lib: hooked(linear(3, 3), n_power_iterations=0)(lib))
    check_error(lambda lib: hooked(linear(3, 3), name="nothing")(lib))
    check_error(lambda lib: lib.nn.utils.remove_spectral_norm(lib.nn.Linear(3, 3)))
