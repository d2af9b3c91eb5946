"""Lazy modules and uninitialised parameters against torch: reprs, shapes and classes before and
after the first forward, outputs and gradients from the same weights, state_dict round trips,
optimisers, and the errors of using a parameter before it has a shape."""
import copy
import math
import re

import numpy as np
import pytest

import ember
from oracle import assert_matches, check_error, normalize_message, requires_oracle, torch

pytestmark = requires_oracle

# (constructor, input shape): each lazy module with an input that decides its size
CASES = [
    (lambda nn: nn.LazyLinear(3), (4, 5)),
    (lambda nn: nn.LazyLinear(2, bias=False), (2, 3, 6)),
    (lambda nn: nn.LazyConv1d(4, 3), (2, 5, 7)),
    (lambda nn: nn.LazyConv1d(4, 3, groups=2, padding=1), (6, 9)),
    (lambda nn: nn.LazyConv2d(4, 3, stride=2, bias=False), (2, 3, 7, 6)),
    (lambda nn: nn.LazyConv2d(6, (2, 3), groups=3, dilation=2), (1, 3, 8, 8)),
    (lambda nn: nn.LazyConv3d(2, 2), (1, 3, 4, 4, 4)),
    (lambda nn: nn.LazyConvTranspose1d(3, 2, stride=2), (2, 4, 5)),
    (lambda nn: nn.LazyConvTranspose2d(4, 3, padding=1, groups=2), (2, 6, 4, 5)),
    (lambda nn: nn.LazyConvTranspose3d(2, 2), (1, 3, 3, 3, 3)),
    (lambda nn: nn.LazyBatchNorm1d(), (4, 5)),
    (lambda nn: nn.LazyBatchNorm1d(affine=False, momentum=None), (4, 3, 6)),
    (lambda nn: nn.LazyBatchNorm2d(), (3, 4, 5, 5)),
    (lambda nn: nn.LazyBatchNorm3d(track_running_stats=False), (2, 3, 2, 3, 3)),
    (lambda nn: nn.LazyInstanceNorm1d(), (2, 3, 7)),
    (lambda nn: nn.LazyInstanceNorm2d(), (2, 3, 5, 5)),
    (lambda nn: nn.LazyInstanceNorm2d(affine=False), (1, 3, 5, 5)),
    (lambda nn: nn.LazyInstanceNorm3d(bias=False), (2, 2, 3, 3, 3)),
]


def entries(module):
    """Names, printouts and shapes (or the shape error) of parameters and buffers."""
    found = []
    for name, value in list(module.named_parameters()) + list(module.named_buffers()):
        try:
            shape = tuple(value.shape)
        except RuntimeError as error:
            shape = str(error)
        found.append((name, type(value).__name__, repr(value) if is_lazy(value) else None,
                      shape, str(value.dtype).split(".")[1], value.requires_grad))
    return found


def is_lazy(value):
    return type(value).__name__.startswith("Uninitialized")


def copy_into_ember(mine, theirs):
    """Loads torch's materialised values into ember (same weights, same running stats)."""
    state = {key: ember.from_numpy(value.detach().numpy().copy())
             for key, value in theirs.state_dict().items()}
    mine.load_state_dict(state)


def lazy_pair(make):
    return make(ember.nn), make(torch.nn)


@pytest.mark.parametrize("make, shape", CASES)
def test_before_the_first_forward(make, shape):
    mine, theirs = lazy_pair(make)
    assert repr(mine) == repr(theirs)
    assert type(mine).__name__ == type(theirs).__name__
    assert mine.has_uninitialized_params() == theirs.has_uninitialized_params()
    assert entries(mine) == entries(theirs)
    assert list(mine.state_dict()) == list(theirs.state_dict())
    assert repr(mine.state_dict()).replace("ember", "torch") == repr(theirs.state_dict())


@pytest.mark.parametrize("make, shape", CASES)
def test_first_forward_materialises_and_becomes_the_concrete_class(make, shape):
    mine, theirs = lazy_pair(make)
    array = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    theirs_out = theirs(torch.from_numpy(array))
    mine_out = mine(ember.from_numpy(array))
    assert tuple(mine_out.shape) == tuple(theirs_out.shape)
    assert type(mine).__name__ == type(theirs).__name__
    assert type(mine) is getattr(ember.nn, type(theirs).__name__)
    assert repr(mine) == repr(theirs)
    assert entries(mine) == entries(theirs)
    assert not hasattr(mine, "_initialize_hook") and not hasattr(mine, "_load_hook")


@pytest.mark.parametrize("make, shape", CASES)
def test_same_weights_give_same_outputs_and_gradients(make, shape):
    mine, theirs = lazy_pair(make)
    array = np.random.default_rng(1).standard_normal(shape).astype(np.float32)
    theirs(torch.from_numpy(array))
    mine(ember.from_numpy(array))
    copy_into_ember(mine, theirs)
    mine_input = ember.from_numpy(array.copy()).requires_grad_()
    theirs_input = torch.from_numpy(array.copy()).requires_grad_()
    mine_out, theirs_out = mine(mine_input), theirs(theirs_input)
    assert_matches(mine_out, theirs_out, atol=1e-4, rtol=1e-4)
    weights = np.random.default_rng(2).standard_normal(tuple(theirs_out.shape))
    (mine_out * ember.from_numpy(weights.astype(np.float32))).sum().backward()
    (theirs_out * torch.from_numpy(weights.astype(np.float32))).sum().backward()
    assert_matches(mine_input.grad, theirs_input.grad, atol=1e-4, rtol=1e-4)
    for (name, mine_param), theirs_param in zip(mine.named_parameters(), theirs.parameters()):
        assert_matches(mine_param.grad, theirs_param.grad, where=name, atol=1e-4, rtol=1e-4)
    for (name, mine_buffer), theirs_buffer in zip(mine.named_buffers(), theirs.buffers()):
        assert_matches(mine_buffer, theirs_buffer, where=name, atol=1e-5, rtol=1e-5)


def test_materialised_initialisation_follows_the_concrete_class():
    linear = ember.nn.LazyLinear(200)
    linear(ember.ones(1, 50))
    bound = 1 / math.sqrt(50)
    weight, bias = linear.weight.detach().numpy(), linear.bias.detach().numpy()
    # kaiming_uniform_(a=sqrt(5)) gives U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for the weight too
    assert np.abs(weight).max() <= bound and np.abs(weight).max() > 0.9 * bound
    assert np.abs(bias).max() <= bound and weight.std() > 0.5 * bound / math.sqrt(3)
    norm = ember.nn.LazyBatchNorm2d()
    norm.eval()
    norm(ember.ones(2, 3, 2, 2))
    assert norm.weight.tolist() == [1.0] * 3 and norm.bias.tolist() == [0.0] * 3
    assert norm.running_mean.tolist() == [0.0] * 3 and norm.running_var.tolist() == [1.0] * 3
    assert int(norm.num_batches_tracked) == 0


def test_dtype_and_module_conversions_before_materialising():
    for lib in (ember, torch):
        module = lib.nn.LazyLinear(3, dtype=lib.float64)
        assert module.weight.dtype == lib.float64
    mine, theirs = lazy_pair(lambda nn: nn.LazyBatchNorm1d())
    mine.double()
    theirs.double()
    assert entries(mine) == entries(theirs)
    out = mine(ember.ones(2, 4, dtype=ember.float64))
    assert out.dtype == ember.float64 and mine.running_mean.dtype == ember.float64


def test_initialize_parameters_directly():
    for lib in (ember, torch):
        module = lib.nn.LazyConv2d(5, 3)
        module.initialize_parameters(lib.ones(2, 4, 6, 6))
        assert tuple(module.weight.shape) == (5, 4, 3, 3)
        assert type(module).__name__ == "LazyConv2d" and module.in_channels == 4


def test_sequential_of_lazy_modules():
    def build(nn):
        return nn.Sequential(nn.LazyConv2d(4, 3), nn.LazyBatchNorm2d(), nn.ReLU(),
                             nn.Flatten(), nn.LazyLinear(2))
    mine, theirs = lazy_pair(build)
    assert repr(mine) == repr(theirs)
    array = np.random.default_rng(3).standard_normal((2, 3, 6, 6)).astype(np.float32)
    theirs(torch.from_numpy(array))
    mine(ember.from_numpy(array))
    assert repr(mine) == repr(theirs)
    copy_into_ember(mine, theirs)
    assert_matches(mine(ember.from_numpy(array)), theirs(torch.from_numpy(array)),
                   atol=1e-4, rtol=1e-4)


def test_saved_materialised_model_loads_into_a_fresh_lazy_model(tmp_path):
    def build(nn):
        return nn.Sequential(nn.LazyLinear(4), nn.LazyBatchNorm1d(), nn.LazyLinear(2))
    array = np.random.default_rng(4).standard_normal((5, 3)).astype(np.float32)
    trained = build(ember.nn)
    trained(ember.from_numpy(array))
    ember.save(trained.state_dict(), tmp_path / "model.pt")
    results = {}
    for lib in (ember, torch):
        fresh = build(lib.nn)
        loaded = lib.load(tmp_path / "model.pt")
        keys = fresh.load_state_dict(loaded)
        # the weights now have the checkpoint's shapes, but the class waits for a forward
        before = (repr(keys), repr(fresh), type(fresh[0]).__name__,
                  fresh[0].has_uninitialized_params(), tuple(fresh[0].weight.shape))
        fresh.eval()
        output = fresh(lib.from_numpy(array.copy()))
        results[lib.__name__] = (before, repr(fresh), output.detach().numpy())
    mine, theirs = results["ember"], results["torch"]
    assert mine[:2] == theirs[:2]
    np.testing.assert_allclose(mine[2], theirs[2], rtol=1e-5, atol=1e-5)
    trained.eval()
    np.testing.assert_allclose(trained(ember.from_numpy(array)).detach().numpy(), mine[2],
                               rtol=1e-6)


def test_lazy_state_dict_into_a_fresh_lazy_model():
    for lib in (ember, torch):
        source, target = lib.nn.LazyLinear(3), lib.nn.LazyLinear(3)
        assert repr(target.load_state_dict(source.state_dict())) == (
            "<All keys matched successfully>")
        assert target.has_uninitialized_params()
        assert type(target.weight).__name__ == "UninitializedParameter"


def test_saving_an_uninitialised_state_dict(tmp_path):
    # torch writes the placeholders; its weights-only load (the default) refuses them
    ember.save(ember.nn.LazyBatchNorm1d().state_dict(), tmp_path / "lazy.pt")
    theirs = torch.load(tmp_path / "lazy.pt", weights_only=False)
    assert repr(theirs) == repr(torch.nn.LazyBatchNorm1d().state_dict())
    for lib in (ember, torch):
        with pytest.raises(Exception) as error:
            lib.load(tmp_path / "lazy.pt")
        assert type(error.value).__name__ == "UnpicklingError"
        assert "UninitializedParameter" in str(error.value)


def test_optimizers_accept_uninitialised_parameters():
    for lib in (ember, torch):
        module = lib.nn.LazyLinear(3)
        optimizer = lib.optim.SGD(module.parameters(), lr=0.1)
        adam = lib.optim.Adam(lib.nn.LazyLinear(2).parameters())
        adam.step()
        kinds = [type(p).__name__ for p in optimizer.param_groups[0]["params"]]
        assert kinds == ["UninitializedParameter"] * 2
        module(lib.ones(2, 4)).sum().backward()
        before = module.weight.detach().clone()
        optimizer.step()
        # the optimizer holds the very objects that were materialised in place
        assert optimizer.param_groups[0]["params"][0] is module.weight
        assert [type(p).__name__ for p in optimizer.param_groups[0]["params"]] == (
            ["Parameter"] * 2)
        assert not bool((module.weight == before).all())


def test_uninitialised_parameter_and_buffer_objects():
    from ember.nn.parameter import UninitializedBuffer, UninitializedParameter, is_lazy
    parameter, buffer = UninitializedParameter(), UninitializedBuffer()
    theirs_parameter = torch.nn.parameter.UninitializedParameter()
    assert repr(parameter) == repr(theirs_parameter) == str(parameter)
    assert repr(buffer) == repr(torch.nn.parameter.UninitializedBuffer())
    assert is_lazy(parameter) and is_lazy(buffer) and not is_lazy(ember.ones(1))
    assert isinstance(parameter, ember.nn.Parameter) and isinstance(buffer, ember.nn.Buffer)
    assert (parameter.requires_grad, buffer.requires_grad) == (True, False)
    assert tuple(parameter.size()) == tuple(theirs_parameter.size())
    assert parameter.ndim == theirs_parameter.ndim and parameter.is_leaf
    assert parameter.grad is None and parameter.data.tolist() == []
    assert UninitializedParameter(requires_grad=False).requires_grad is False
    assert repr(copy.deepcopy(parameter)) == "<UninitializedParameter>"
    parameter.materialize((2, 3))
    assert type(parameter) is ember.nn.Parameter and tuple(parameter.shape) == (2, 3)
    assert parameter.requires_grad
    buffer.materialize(4, dtype=ember.float64)
    assert type(buffer) is ember.Tensor and buffer.dtype == ember.float64
    assert tuple(buffer.shape) == (4,) and not buffer.requires_grad


def uninitialised_use(lib, use):
    return use(lib.nn.parameter.UninitializedParameter())


@pytest.mark.parametrize("use", [
    lambda p: p + 1, lambda p: p.sum(), lambda p: p.numel(), lambda p: p.detach(),
    lambda p: p.dim(), lambda p: p.clone(), lambda p: p.mul_(2), lambda p: p == 1,
    lambda p: sum(q.numel() for q in [p]),
    lambda p: p.requires_grad_(False),
])
def test_using_an_uninitialised_parameter(use):
    check_uninitialised_use(lambda lib: uninitialised_use(lib, use))


def check_uninitialised_use(call):
    """As check_error, with the refused function named by each library's own printout."""
    with pytest.raises(Exception) as theirs:
        call(torch)
    with pytest.raises(Exception) as mine:
        call(ember)
    assert type(mine.value) is type(theirs.value) is ValueError

    def generic(message):
        return re.sub(r"in <[^>]*>\.", "in <function>.", normalize_message(message))
    assert generic(str(mine.value)) == generic(str(theirs.value))


def test_copying_lazy_modules():
    check_uninitialised_use(lambda lib: copy.deepcopy(lib.nn.parameter.UninitializedBuffer()))
    check_uninitialised_use(lambda lib: copy.deepcopy(lib.nn.LazyBatchNorm1d()))
    for lib in (ember, torch):
        module = copy.deepcopy(lib.nn.LazyLinear(3))
        assert repr(module.weight) == "<UninitializedParameter>"
        assert tuple(module(lib.ones(2, 4)).shape) == (2, 3)
        assert type(module).__name__ == "Linear"


def loaded_linear(lib):
    """A LazyLinear given (3, 5) weights by load_state_dict, before its first forward."""
    module = lib.nn.LazyLinear(3)
    module.load_state_dict({"weight": lib.ones(3, 5), "bias": lib.zeros(3)})
    return module


@pytest.mark.parametrize("call", [
    lambda lib: lib.nn.parameter.UninitializedParameter().shape,
    lambda lib: lib.nn.LazyLinear(3).weight.shape,
    lambda lib: lib.nn.parameter.UninitializedParameter().share_memory_(),
    lambda lib: lib.nn.LazyLinear(3).to("cuda"),
    lambda lib: lib.nn.LazyLinear(3)(lib.ones(())),
    lambda lib: lib.nn.LazyConv2d(3, 2)(lib.ones(5)),
    lambda lib: lib.nn.LazyConv1d(4, 1, groups=2)(lib.ones(1, 3, 4)),
    lambda lib: lib.nn.LazyConvTranspose2d(4, 1, groups=2)(lib.ones(3, 2, 2)),
    lambda lib: lib.nn.LazyBatchNorm1d()(lib.ones(5, 3, 2, 2)),
    lambda lib: lib.nn.LazyBatchNorm2d()(lib.ones(5, 3)),
    lambda lib: lib.nn.LazyInstanceNorm2d()(lib.ones(5, 3)),
    lambda lib: lib.nn.modules.lazy.LazyModuleMixin.initialize_parameters(
        lib.nn.LazyLinear(2)),
    lambda lib: lib.nn.Linear(2, 3).load_state_dict(lib.nn.LazyLinear(3).state_dict()),
    lambda lib: loaded_linear(lib)(lib.ones(2, 4)),
])
def test_lazy_module_errors(call):
    check_error(call)


def test_custom_lazy_module_without_initialize_parameters():
    def build(lib):
        class MyLazy(lib.nn.modules.lazy.LazyModuleMixin, lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.weight = lib.nn.parameter.UninitializedParameter()

            def forward(self, input):
                return input
        return MyLazy()(lib.ones(2))
    check_error(build)


def test_custom_lazy_module_left_uninitialised():
    def build(lib):
        class Partial(lib.nn.modules.lazy.LazyModuleMixin, lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.weight = lib.nn.parameter.UninitializedParameter()

            def initialize_parameters(self, input):
                pass

            def forward(self, input):
                return input
        return Partial()(lib.ones(2))
    check_error(build)


def test_unaffine_instance_norm_stays_without_features_and_warns():
    # nothing to materialise: the module becomes InstanceNorm2d(0) and warns on each input
    messages = []
    for lib in (ember, torch):
        module = lib.nn.LazyInstanceNorm2d(affine=False, track_running_stats=False)
        with pytest.warns(UserWarning) as caught:
            module(lib.ones(2, 3, 4, 4))
        messages.append((repr(module), [str(w.message) for w in caught]))
    assert messages[0] == messages[1]
