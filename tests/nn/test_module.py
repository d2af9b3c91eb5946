"""nn.Module and nn.Parameter against torch: registration, traversal, modes, conversion,
state dicts, hooks, printouts and errors."""
import copy
import pickle
from collections import OrderedDict

import numpy as np
import pytest
import torch

import ember
from oracle import assert_matches, check, check_error, grad_input, to_numpy


def both(function):
    """function(lib) on ember and on torch."""
    return function(ember), function(torch)


def copy_weights(mine, theirs):
    """Loads torch module `theirs`'s state into ember module `mine` through NumPy."""
    state = OrderedDict((key, ember.from_numpy(value.detach().numpy().copy()))
                        for key, value in theirs.state_dict().items())
    mine.load_state_dict(state)


def same_text(mine, theirs):
    assert str(mine).replace("ember.", "torch.") == str(theirs), f"\n{mine}\n!=\n{theirs}"


def make_net(lib):
    """A module tree with parameters, persistent and non-persistent buffers, a plain tensor
    attribute, a shared submodule and a None parameter."""
    nn = lib.nn

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 3)
            self.scale = nn.Parameter(lib.ones(3))
            self.register_buffer("running", lib.zeros(3))
            self.register_buffer("scratch", lib.zeros(2), persistent=False)
            self.register_parameter("unused", None)
            self.plain = lib.zeros(1)

        def forward(self, x):
            return self.fc(x) * self.scale + self.running

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.block = Block()
            self.head = nn.Sequential(nn.Linear(3, 5), nn.Identity())
            self.alias = self.block
            self.out = nn.Linear(5, 2, bias=False)

        def forward(self, x):
            return self.out(self.head(self.alias(self.block(x)[:, :4].repeat(1, 2)[:, :4])
                                      [:, :3]))

    return Net()


# ---- Parameter ----------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
@pytest.mark.parametrize("requires_grad", [True, False])
def test_parameter_repr_and_flags(dtype, requires_grad):
    def build(lib):
        data = lib.arange(6, dtype=getattr(lib, dtype)).reshape(2, 3) / 4
        return lib.nn.Parameter(data, requires_grad=requires_grad)
    mine, theirs = both(build)
    same_text(repr(mine), repr(theirs))
    assert mine.requires_grad == theirs.requires_grad and mine.is_leaf
    assert isinstance(mine, ember.Tensor) and isinstance(mine, ember.nn.Parameter)


def test_parameter_default_and_int_error():
    mine, theirs = both(lambda lib: lib.nn.Parameter())
    same_text(repr(mine), repr(theirs))
    check_error(lambda lib: lib.nn.Parameter(lib.zeros(2, dtype=lib.int64)))


def test_parameter_shares_storage_and_version_with_its_data():
    data = ember.zeros(3)
    param = ember.nn.Parameter(data)
    assert param.data_ptr() == data.data_ptr()
    data.add_(1)
    assert param._version == data._version == 1
    assert param.tolist() == [1.0, 1.0, 1.0]


def test_parameter_deepcopy_and_pickle():
    param = ember.nn.Parameter(ember.arange(3.0))
    param.grad = ember.ones(3)
    clone = copy.deepcopy(param)
    assert type(clone) is ember.nn.Parameter and clone.requires_grad
    assert clone.data_ptr() != param.data_ptr() and clone.tolist() == [0.0, 1.0, 2.0]
    assert clone.grad is None  # torch's Parameter.__deepcopy__ does not copy .grad
    memo_copy = copy.deepcopy([param, param])
    assert memo_copy[0] is memo_copy[1]
    restored = pickle.loads(pickle.dumps(param))
    assert type(restored) is ember.nn.Parameter and restored.tolist() == [0.0, 1.0, 2.0]


def test_ops_on_parameters_give_plain_tensors_with_torch_results():
    a = np.linspace(-1, 1, 6, dtype=np.float32).reshape(2, 3)
    b = np.linspace(0.5, 2, 6, dtype=np.float64).reshape(2, 3)

    def compute(lib, x):
        p = lib.nn.Parameter(lib.from_numpy(a.copy()))
        q = lib.nn.Parameter(lib.from_numpy(b.copy()))
        mixed = p * q + p / 3 - 2 * p + q ** 2 + x * p
        out = (mixed.float() * p).sum(0) @ p.t()
        return out, type(out).__name__, type(p[0]).__name__, type(p.data).__name__

    mine = check(compute, grad_input(a))
    assert mine[1] == "Tensor"


def test_parameter_gradients_match_torch():
    weight = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
    inputs = np.random.default_rng(1).standard_normal((5, 4)).astype(np.float32)

    def run(lib):
        w = lib.nn.Parameter(lib.from_numpy(weight.copy()))
        (lib.from_numpy(inputs.copy()) @ w.t()).tanh().sum().backward()
        return w.grad
    assert_matches(*both(run))


# ---- registration and traversal -------------------------------------------------------------

def test_names_shapes_and_order_match_torch():
    mine, theirs = both(make_net)
    for method in ("named_parameters", "named_buffers", "named_modules", "named_children"):
        for kwargs in ({}, {"prefix": "model"}, {"remove_duplicate": False}, {"recurse": False}):
            if method == "named_children" and kwargs:
                continue
            if method == "named_modules" and "recurse" in kwargs:
                continue
            mine_items = [(name, getattr(value, "shape", type(value).__name__))
                          for name, value in getattr(mine, method)(**kwargs)]
            theirs_items = [(name, getattr(value, "shape", type(value).__name__))
                            for name, value in getattr(theirs, method)(**kwargs)]
            assert [(n, tuple(s) if not isinstance(s, str) else s) for n, s in mine_items] == \
                [(n, tuple(s) if not isinstance(s, str) else s) for n, s in theirs_items], method
    assert len(list(mine.parameters())) == len(list(theirs.parameters()))
    assert len(list(mine.buffers(recurse=False))) == len(list(theirs.buffers(recurse=False)))
    assert len(list(mine.modules())) == len(list(theirs.modules()))
    assert len(list(mine.children())) == len(list(theirs.children()))
    assert list(mine.state_dict()) == list(theirs.state_dict())


def test_reassignment_moves_between_tables():
    def run(lib):
        module = lib.nn.Module()
        module.x = lib.nn.Parameter(lib.zeros(1))
        module.x = None
        module.v = lib.nn.Linear(1, 1)
        module.v = lib.nn.Parameter(lib.zeros(1))
        module.u = lib.ones(1)
        module.u = lib.nn.Identity()
        module.y = lib.nn.Buffer(lib.ones(2), persistent=False)
        module.register_buffer("z", lib.ones(1))
        module.z = lib.zeros(3)
        module.x = None
        module.w = lib.nn.Parameter(lib.ones(1))
        del module.w
        return (list(module._parameters), list(module._modules), list(module._buffers),
                sorted(module._non_persistent_buffers_set), list(module.state_dict()),
                tuple(module.z.shape), module.x)
    mine, theirs = both(run)
    assert mine == theirs


def test_getattr_and_dir():
    mine, theirs = both(make_net)
    for name in ("block", "head", "alias", "out"):
        assert name in dir(mine)
    block_dir = [k for k in dir(mine.block) if k in ("fc", "scale", "running", "scratch")]
    assert block_dir == [k for k in dir(theirs.block) if k in ("fc", "scale", "running",
                                                               "scratch")]
    assert mine.block.unused is None
    check_error(lambda lib: make_net(lib).nonexistent)


@pytest.mark.parametrize("case", [
    lambda lib, m: setattr(m.block.fc, "weight", lib.zeros(3, 4)),
    lambda lib, m: setattr(m, "head", 3),
    lambda lib, m: m.register_parameter("a.b", None),
    lambda lib, m: m.register_parameter("", None),
    lambda lib, m: m.register_parameter("head", None),
    lambda lib, m: m.register_parameter(3, None),
    lambda lib, m: m.register_parameter("p", lib.zeros(2)),
    lambda lib, m: m.register_buffer("a.b", None),
    lambda lib, m: m.register_buffer("", None),
    lambda lib, m: m.register_buffer("head", None),
    lambda lib, m: m.register_buffer(1, None),
    lambda lib, m: m.add_module("x", 3),
    lambda lib, m: m.add_module("a.b", lib.nn.Identity()),
    lambda lib, m: m.add_module("", lib.nn.Identity()),
    lambda lib, m: m.add_module("forward", lib.nn.Identity()),
    lambda lib, m: m.add_module(1, lib.nn.Identity()),
    lambda lib, m: m.get_submodule("block.nothing"),
    lambda lib, m: m.get_submodule("block.scale"),
    lambda lib, m: m.get_parameter("block.running"),
    lambda lib, m: m.get_parameter("block.missing"),
    lambda lib, m: m.get_buffer("block.scale"),
    lambda lib, m: m.get_buffer("head.missing"),
    lambda lib, m: m.set_submodule("", lib.nn.Identity()),
    lambda lib, m: m.set_submodule("head.5", lib.nn.Identity(), strict=True),
    lambda lib, m: m.set_submodule("block.scale", lib.nn.Identity()),
    lambda lib, m: m.train("yes"),
    lambda lib, m: m.to(lib.int32),
    lambda lib, m: m.load_state_dict([1, 2]),
])
def test_misuse_errors_match_torch(case):
    check_error(lambda lib: case(lib, make_net(lib)))


@pytest.mark.parametrize("case", [
    lambda lib, m: m.register_buffer("b", 3.0),
    lambda lib, m: setattr(m.block, "running", 3),
])
def test_buffer_type_errors_name_the_library(case):
    # torch writes "torch Tensor" (no dot), which ember words as "ember Tensor"
    with pytest.raises(TypeError) as theirs:
        case(torch, make_net(torch))
    with pytest.raises(TypeError) as mine:
        case(ember, make_net(ember))
    assert str(mine.value).replace("ember", "torch") == str(theirs.value)


def test_errors_before_init_and_missing_forward():
    def before_init(kind):
        def run(lib):
            class Early(lib.nn.Module):
                def __init__(self):
                    if kind == "param":
                        self.p = lib.nn.Parameter(lib.zeros(1))
                    elif kind == "module":
                        self.m = lib.nn.Identity()
                    else:
                        self.register_buffer("b", lib.zeros(1))
            Early()
        return run
    for kind in ("param", "module", "buffer"):
        check_error(before_init(kind))

    def missing_forward(lib):
        class NoForward(lib.nn.Module):
            pass
        NoForward()(1)
    check_error(missing_forward)
    check_error(lambda lib: lib.nn.Module(3))
    check_error(lambda lib: lib.nn.Module(bias=3))


def test_get_and_set_submodule_parameter_buffer():
    mine, theirs = both(make_net)
    assert mine.get_submodule("") is mine
    assert mine.get_submodule("head.0") is mine.head[0]
    assert tuple(mine.get_parameter("block.fc.weight").shape) == (3, 4)
    assert tuple(mine.get_buffer("block.running").shape) == (3,)
    mine.set_submodule("head.1", ember.nn.Flatten())
    theirs.set_submodule("head.1", torch.nn.Flatten())
    same_text(repr(mine), repr(theirs))


# ---- modes, gradients, conversion ---------------------------------------------------------

def test_train_eval_flags_propagate():
    mine, theirs = both(make_net)
    for step in (lambda m: m.eval(), lambda m: m.block.train(), lambda m: m.train(False),
                 lambda m: m.train()):
        step(mine)
        step(theirs)
        assert [m.training for m in mine.modules()] == [m.training for m in theirs.modules()]
    assert mine.eval() is mine


def test_forward_outputs_and_gradients_match_torch():
    mine, theirs = both(make_net)
    copy_weights(mine, theirs)
    x = np.random.default_rng(2).standard_normal((6, 4)).astype(np.float32)
    mine_x = ember.from_numpy(x.copy()).requires_grad_()
    theirs_x = torch.from_numpy(x.copy()).requires_grad_()
    mine_out = mine(mine_x)
    theirs_out = theirs(theirs_x)
    assert_matches(mine_out, theirs_out, atol=1e-5, rtol=1e-5)
    mine_out.sum().backward()
    theirs_out.sum().backward()
    assert_matches(mine_x.grad, theirs_x.grad, atol=1e-5, rtol=1e-5)
    mine_grads = {name: p.grad for name, p in mine.named_parameters()}
    for name, param in theirs.named_parameters():
        assert_matches(mine_grads[name], param.grad, where=name, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("set_to_none", [True, False])
def test_zero_grad(set_to_none):
    def run(lib):
        model = make_net(lib)
        model(lib.ones(2, 4)).sum().backward()
        model.zero_grad(set_to_none=set_to_none)
        return [None if p.grad is None else p.grad.abs().sum().item()
                for p in model.parameters()]
    mine, theirs = both(run)
    assert mine == theirs


def test_requires_grad_and_apply_order():
    def run(lib):
        model = make_net(lib).requires_grad_(False)
        flags = [p.requires_grad for p in model.parameters()]
        visited = []
        model.apply(lambda m: visited.append(type(m).__name__))
        return flags, visited
    assert both(run)[0] == both(run)[1]


@pytest.mark.parametrize("convert", [
    lambda lib, m: m.double(), lambda lib, m: m.half(), lambda lib, m: m.to(lib.float64),
    lambda lib, m: m.to(dtype=lib.float16), lambda lib, m: m.to("cpu"),
    lambda lib, m: m.to("cpu", lib.float64), lambda lib, m: m.cpu(),
    lambda lib, m: m.double().float(), lambda lib, m: m.type(lib.float64),
    lambda lib, m: m.to(lib.zeros(1, dtype=lib.float64)),
])
def test_dtype_conversion(convert):
    def run(lib):
        model = make_net(lib)
        model.register_buffer("steps", lib.zeros(1, dtype=lib.int64))
        model(lib.ones(2, 4)).sum().backward()
        weight = model.block.fc.weight
        result = convert(lib, model)
        assert result is model and model.block.fc.weight is weight
        return ([str(p.dtype) for p in model.parameters()],
                [str(p.grad.dtype) for p in model.parameters()],
                [str(b.dtype) for b in model.buffers()],
                [p.requires_grad for p in model.parameters()])
    mine, theirs = both(run)
    assert [[s.replace("ember.", "torch.") for s in part] for part in mine[:3]] == \
        [list(part) for part in theirs[:3]]
    assert mine[3] == theirs[3]


def test_share_memory_returns_self():
    module = ember.nn.Linear(2, 2)
    assert module.share_memory() is module


# ---- state dicts --------------------------------------------------------------------------

def test_state_dict_contents_and_metadata():
    mine, theirs = both(make_net)
    copy_weights(mine, theirs)
    for kwargs in ({}, {"prefix": "m."}, {"keep_vars": True}):
        mine_state = mine.state_dict(**kwargs)
        theirs_state = theirs.state_dict(**kwargs)
        assert type(mine_state) is OrderedDict
        assert list(mine_state) == list(theirs_state)
        assert dict(mine_state._metadata) == dict(theirs_state._metadata)
        for key in theirs_state:
            assert_matches(mine_state[key], theirs_state[key], where=key)
            assert type(mine_state[key]).__name__ == type(theirs_state[key]).__name__
    destination = OrderedDict()
    assert mine.state_dict(destination=destination) is destination


def test_load_state_dict_results_and_reprs():
    def run(lib):
        model = lib.nn.Linear(4, 3)
        full = {"weight": lib.ones(3, 4), "bias": lib.zeros(3)}
        results = [model.load_state_dict(full),
                   model.load_state_dict({"weight": lib.ones(3, 4)}, strict=False),
                   model.load_state_dict(dict(full, extra=lib.ones(1)), strict=False),
                   model.load_state_dict({"other.weight": lib.ones(1)}, strict=False)]
        return [repr(r) for r in results] + [str(results[1]), list(results[1].missing_keys),
                                             model.weight.sum().item()]
    mine, theirs = both(run)
    assert mine == theirs


@pytest.mark.parametrize("state", [
    lambda lib: {"weight": lib.ones(3, 4)},
    lambda lib: {"weight": lib.ones(3, 4), "bias": lib.ones(3), "extra": lib.ones(1)},
    lambda lib: {"weight": lib.ones(2, 4), "bias": lib.ones(3)},
    lambda lib: {"weight": lib.ones(2, 4)},
    lambda lib: {"bias": lib.ones(5), "junk.x": lib.ones(1), "weight": [1.0]},
])
@pytest.mark.parametrize("strict", [True, False])
def test_load_state_dict_errors_match_torch(state, strict):
    def run(lib):
        result = lib.nn.Linear(4, 3).load_state_dict(state(lib), strict=strict)
        if not strict:
            raise RuntimeError(repr(result))
    check_error(run)


def test_load_state_dict_nested_missing_unexpected():
    def run(lib):
        model = make_net(lib)
        state = model.state_dict()
        del state["block.running"]
        state["head.0.extra"] = lib.ones(1)
        state["block.fc.weight"] = lib.ones(2, 2)
        model.load_state_dict(state)
    check_error(run)


def test_load_state_dict_copies_in_place_or_assigns():
    model = ember.nn.Linear(2, 2)
    weight = model.weight
    source = {"weight": ember.ones(2, 2), "bias": ember.zeros(2)}
    model.load_state_dict(source)
    assert model.weight is weight and model.weight.tolist() == [[1.0, 1.0], [1.0, 1.0]]
    model.load_state_dict(source, assign=True)
    assert model.weight is not weight and isinstance(model.weight, ember.nn.Parameter)
    assert model.weight.requires_grad and model.weight.data_ptr() == source["weight"].data_ptr()


def test_zero_dim_parameter_accepts_one_element_entry():
    def run(lib):
        module = lib.nn.Module()
        module.scalar = lib.nn.Parameter(lib.tensor(0.0))
        module.load_state_dict({"scalar": lib.tensor([2.5])})
        return module.scalar.item()
    assert both(run)[0] == both(run)[1]


def test_state_dict_extension_points_and_hooks():
    def run(lib):
        log = []

        class Custom(lib.nn.Linear):
            def get_extra_state(self):
                return {"note": 7}

            def set_extra_state(self, state):
                log.append(("extra", state["note"]))

            def _load_from_state_dict(self, state_dict, prefix, *args):
                log.append(("load", sorted(state_dict)))
                super()._load_from_state_dict(state_dict, prefix, *args)

            def _save_to_state_dict(self, destination, prefix, keep_vars):
                super()._save_to_state_dict(destination, prefix, keep_vars)
                destination[prefix + "saved"] = lib.ones(1)

        model = lib.nn.Sequential(Custom(2, 2))
        model.register_state_dict_pre_hook(lambda m, prefix, keep: log.append(("pre", prefix)))
        model[0].register_load_state_dict_post_hook(
            lambda m, keys: log.append(("post", list(keys.unexpected_keys))))
        state = model.state_dict()
        keys = list(state)
        state.pop("0.saved")
        model.load_state_dict(state)
        return keys, log
    assert both(run)[0] == both(run)[1]


# ---- hooks and calls ----------------------------------------------------------------------

def test_forward_hooks_order_kwargs_prepend_and_removal():
    def run(lib):
        log = []
        layer = lib.nn.Linear(3, 2)

        class Wrapper(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.layer = layer

            def forward(self, x, scale=1.0):
                return self.layer(x) * scale

        model = Wrapper()
        model.register_forward_pre_hook(lambda m, args: log.append("pre1"))
        model.register_forward_pre_hook(lambda m, args: log.append("pre0"), prepend=True)
        model.register_forward_pre_hook(
            lambda m, args, kwargs: (args, {"scale": 2.0}), with_kwargs=True)
        model.register_forward_pre_hook(lambda m, args: args[0] * 0 + 1)
        handle = model.register_forward_hook(lambda m, args, out: log.append("removed"))
        model.register_forward_hook(lambda m, args, out: out + 100)
        model.register_forward_hook(
            lambda m, args, kwargs, out: log.append(("post", kwargs["scale"])), with_kwargs=True)
        model.register_forward_hook(lambda m, args, out: log.append("post0"), prepend=True)
        handle.remove()
        with lib.no_grad():
            layer.weight.fill_(1.0)
            layer.bias.fill_(0.5)
        out = model(lib.zeros(1, 3) + 7)
        return log, out.tolist()
    mine, theirs = both(run)
    assert mine == theirs


def test_forward_pre_hook_bad_return_and_always_call():
    def bad(lib):
        model = lib.nn.Identity()
        model.register_forward_pre_hook(lambda m, a, k: 5, with_kwargs=True)
        model(lib.ones(1))
    check_error(bad)

    def always(lib):
        log = []

        class Failing(lib.nn.Module):
            def forward(self, x):
                raise ValueError("boom")
        model = Failing()
        model.register_forward_hook(lambda m, a, o: log.append("always"), always_call=True)
        model.register_forward_hook(lambda m, a, o: log.append("normal"))
        with pytest.raises(ValueError):
            model(lib.ones(1))
        return log
    assert both(always)[0] == both(always)[1] == ["always"]


@pytest.mark.parametrize("input_requires_grad", [True, False])
def test_full_backward_hooks_match_torch(input_requires_grad, recwarn):
    x = np.random.default_rng(3).standard_normal((2, 3)).astype(np.float32)

    def run(lib):
        records = []
        model = lib.nn.Linear(3, 2)
        with lib.no_grad():
            model.weight.copy_(lib.arange(6.0).reshape(2, 3) / 6)
            model.bias.fill_(0.1)

        def hook(module, grad_input, grad_output):
            records.append(("hook", [None if g is None else to_numpy(g).tolist()
                                     for g in grad_input],
                            [to_numpy(g).tolist() for g in grad_output]))
            if grad_input[0] is not None:
                return (grad_input[0] * 2,)
            return None

        def pre_hook(module, grad_output):
            records.append(("pre", [to_numpy(g).tolist() for g in grad_output]))
            return (grad_output[0] * 3,)

        model.register_full_backward_hook(hook)
        model.register_full_backward_pre_hook(pre_hook)
        inputs = lib.from_numpy(x.copy()).requires_grad_(input_requires_grad)
        (model(inputs) ** 2).sum().backward()
        grads = [to_numpy(model.weight.grad).tolist()]
        if input_requires_grad:
            grads.append(to_numpy(inputs.grad).tolist())
        return records, grads
    mine, theirs = both(run)
    np.testing.assert_allclose(np.array(mine[1][0]), np.array(theirs[1][0]), rtol=1e-5)
    assert [r[0] for r in mine[0]] == [r[0] for r in theirs[0]]
    for a, b in zip(mine[0], theirs[0]):
        for x_part, y_part in zip(a[1:], b[1:]):
            for u, v in zip(x_part, y_part):
                assert (u is None) == (v is None)
                if u is not None:
                    np.testing.assert_allclose(np.array(u), np.array(v), rtol=1e-5)
    if input_requires_grad:
        np.testing.assert_allclose(np.array(mine[1][1]), np.array(theirs[1][1]), rtol=1e-5)


# ---- printing, copying ---------------------------------------------------------------------

def test_module_printout_matches_torch():
    def build(lib):
        class Multi(lib.nn.Module):
            def extra_repr(self):
                return "first=1\nsecond=2"

        class Outer(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.multi = Multi()
                self.multi.inner = lib.nn.Linear(2, 3, bias=False)
                self.seq = lib.nn.Sequential(lib.nn.Flatten(0, 1), lib.nn.Unflatten(1, (2, 2)),
                                             lib.nn.Bilinear(2, 3, 4))
                self.empty = lib.nn.Module()
                self.nothing = None
        return Outer()
    same_text(*both(lambda lib: repr(build(lib))))
    same_text(*both(lambda lib: repr(lib.nn.Module())))


def test_module_deepcopy_and_pickle_keep_outputs():
    model = make_net(ember)
    x = ember.randn(3, 4)
    expected = model(x)
    clone = copy.deepcopy(model)
    assert clone.block is clone.alias
    assert clone.block.fc.weight is not model.block.fc.weight
    assert type(clone.block.fc.weight) is ember.nn.Parameter
    np.testing.assert_allclose(clone(x).detach().numpy(), expected.detach().numpy())
    sequential = ember.nn.Sequential(ember.nn.Linear(4, 3), ember.nn.Flatten())
    sequential.register_buffer("count", ember.zeros(1))
    restored = pickle.loads(pickle.dumps(sequential))
    assert list(restored.state_dict()) == list(sequential.state_dict())
    assert type(restored[0].weight) is ember.nn.Parameter and restored[0].weight.requires_grad
    np.testing.assert_allclose(restored(x).detach().numpy(), sequential(x).detach().numpy())


# ---- linear-family layers -----------------------------------------------------------------

@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("shape", [(4,), (2, 4), (2, 5, 4), (3, 0, 4)])
def test_linear_matches_torch(bias, shape):
    layer = torch.nn.Linear(4, 3, bias=bias)
    x = np.random.default_rng(4).standard_normal(shape).astype(np.float32)

    def run(lib, inputs):
        module = lib.nn.Linear(4, 3, bias=bias)
        if lib is torch:
            module = layer
        else:
            copy_weights(module, layer)
        out = module(inputs)
        return out, *[p for p in (module.weight, module.bias) if p is not None]
    check(run, grad_input(x), grad_fn=True)


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("shapes", [((2, 3), (2, 5)), ((3,), (5,)), ((2, 2, 3), (2, 2, 5))])
def test_bilinear_matches_torch(bias, shapes):
    layer = torch.nn.Bilinear(3, 5, 4, bias=bias)
    rng = np.random.default_rng(5)
    a = rng.standard_normal(shapes[0]).astype(np.float32)
    b = rng.standard_normal(shapes[1]).astype(np.float32)

    def run(lib, x1, x2):
        module = layer if lib is torch else lib.nn.Bilinear(3, 5, 4, bias=bias)
        if lib is ember:
            copy_weights(module, layer)
        return module(x1, x2)
    check(run, grad_input(a), grad_input(b), atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("shapes", [((2, 3), (3, 5)), ((2, 3), (2, 6)), ((2, 4), (2, 5)),
                                    ((3,), (2, 5))])
def test_bilinear_errors_match_torch(shapes):
    check_error(lambda lib: lib.nn.Bilinear(3, 5, 4)(lib.ones(*shapes[0]), lib.ones(*shapes[1])))


@pytest.mark.parametrize("shape", [(2, 4), (4,), (2, 5, 4)])
def test_linear_shape_errors_match_torch(shape):
    check_error(lambda lib: lib.nn.Linear(3, 4)(lib.ones(*shape)))
    check_error(lambda lib: lib.nn.Linear(3, 4, bias=False)(lib.ones(*shape)))


def test_flatten_unflatten_identity():
    x = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    check(lambda lib, t: lib.nn.Flatten()(t), grad_input(x))
    check(lambda lib, t: lib.nn.Flatten(0, 1)(t), grad_input(x))
    check(lambda lib, t: lib.nn.Unflatten(2, (2, 2))(t), grad_input(x))
    check(lambda lib, t: lib.nn.Identity(5, key=1)(t), grad_input(x))
    check_error(lambda lib: lib.nn.Unflatten(1, 4))
    check_error(lambda lib: lib.nn.Unflatten(1, (2, 2.0)))
    check_error(lambda lib: lib.nn.Bilinear(0, 2, 2))


@pytest.mark.parametrize("dtype", ["float64", "float16"])
def test_layer_dtype_and_default_init_bounds(dtype):
    layer = ember.nn.Linear(50, 400, dtype=getattr(ember, dtype))
    assert layer.weight.dtype == getattr(ember, dtype)
    weight = layer.weight.detach().numpy().astype(np.float64)
    bound = 1 / np.sqrt(50)  # kaiming_uniform_(a=sqrt(5)) gives U(-1/sqrt(fan_in), ...)
    assert np.abs(weight).max() <= bound + 1e-3
    assert np.abs(weight).max() > 0.95 * bound
    assert np.std(weight) == pytest.approx(bound / np.sqrt(3), rel=0.05)
    bias = layer.bias.detach().numpy().astype(np.float64)
    assert np.abs(bias).max() <= bound + 1e-3
    bilinear = ember.nn.Bilinear(16, 3, 200)
    assert np.abs(bilinear.weight.detach().numpy()).max() <= 0.25
