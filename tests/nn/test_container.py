"""Containers against torch: Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict
(indexing, slicing, mutation, printouts, registration, errors)."""
from collections import OrderedDict

import numpy as np
import pytest
import torch

import ember
from oracle import check, check_error, grad_input


def both(function):
    return function(ember), function(torch)


def printout(module):
    return repr(module).replace("ember.", "torch.")


def layers(lib):
    nn = lib.nn
    return [nn.Linear(2, 3), nn.Identity(), nn.Linear(3, 3), nn.Flatten(), nn.Linear(3, 1)]


def describe(module):
    """Printout and parameter names: what a user sees of a container."""
    return printout(module), [name for name, _ in module.named_parameters()]


# ---- Sequential ---------------------------------------------------------------------------

@pytest.mark.parametrize("operation", [
    lambda lib, s: s,
    lambda lib, s: s[1:4],
    lambda lib, s: s[::-2],
    lambda lib, s: s[-1],
    lambda lib, s: s[0],
    lambda lib, s: s.append(lib.nn.Identity()),
    lambda lib, s: s.insert(1, lib.nn.Flatten()),
    lambda lib, s: s.insert(-2, lib.nn.Flatten()),
    lambda lib, s: s.extend([lib.nn.Identity(), lib.nn.Linear(1, 1)]),
    lambda lib, s: (s.pop(2), s)[1],
    lambda lib, s: (s.__delitem__(slice(0, 2)), s)[1],
    lambda lib, s: (s.__delitem__(-1), s)[1],
    lambda lib, s: (s.__setitem__(-1, lib.nn.Identity()), s)[1],
    lambda lib, s: s + lib.nn.Sequential(lib.nn.Identity()),
    lambda lib, s: s * 2,
    lambda lib, s: 3 * s[:2],
    lambda lib, s: s.__imul__(2),
    lambda lib, s: s.__iadd__(lib.nn.Sequential(lib.nn.Identity())),
    lambda lib, s: lib.nn.Sequential(OrderedDict([("first", lib.nn.Linear(1, 2)),
                                                  ("act", lib.nn.Identity())])),
    lambda lib, s: lib.nn.Sequential(),
])
def test_sequential_operations_match_torch(operation):
    mine, theirs = both(lambda lib: operation(lib, lib.nn.Sequential(*layers(lib))))
    assert describe(mine) == describe(theirs)


def test_sequential_len_iter_and_forward():
    rng = np.random.default_rng(0)
    source = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.Flatten(0, 1),
                                 torch.nn.Unflatten(0, (2, 3)), torch.nn.Linear(3, 2))
    x = rng.standard_normal((2, 4)).astype(np.float32)

    def run(lib, inputs):
        model = source if lib is torch else lib.nn.Sequential(
            lib.nn.Linear(4, 3), lib.nn.Flatten(0, 1), lib.nn.Unflatten(0, (2, 3)),
            lib.nn.Linear(3, 2))
        if lib is ember:
            model.load_state_dict({key: ember.from_numpy(value.detach().numpy().copy())
                                   for key, value in source.state_dict().items()})
        assert len(model) == 4 and [type(m).__name__ for m in model] == [
            "Linear", "Flatten", "Unflatten", "Linear"]
        return model(inputs)
    check(run, grad_input(x), atol=1e-6, rtol=1e-5)


@pytest.mark.parametrize("operation", [
    lambda lib, s: s[5],
    lambda lib, s: s[-6],
    lambda lib, s: s["a"],
    lambda lib, s: s.insert(7, lib.nn.Identity()),
    lambda lib, s: s.insert(0, 3),
    lambda lib, s: s + lib.nn.ModuleList(),
    lambda lib, s: s * 0,
    lambda lib, s: s * 1.5,
    lambda lib, s: s.__imul__(-1),
    lambda lib, s: s.__imul__("2"),
    lambda lib, s: s.append(4),
    lambda lib, s: s.__iadd__([1]),
])
def test_sequential_errors_match_torch(operation):
    check_error(lambda lib: operation(lib, lib.nn.Sequential(*layers(lib))))


# ---- ModuleList ---------------------------------------------------------------------------

@pytest.mark.parametrize("operation", [
    lambda lib, m: m,
    lambda lib, m: m[1:],
    lambda lib, m: m[::2],
    lambda lib, m: m.append(lib.nn.Linear(2, 2)),
    lambda lib, m: m.extend([lib.nn.Identity()] * 2),
    lambda lib, m: (m.insert(0, lib.nn.Flatten()), m)[1],
    lambda lib, m: (m.pop(-1), m)[1],
    lambda lib, m: (m.__delitem__(slice(1, 3)), m)[1],
    lambda lib, m: (m.__setitem__(0, lib.nn.Identity()), m)[1],
    lambda lib, m: m + lib.nn.ModuleList([lib.nn.Identity()]),
    lambda lib, m: lib.nn.ModuleList(),
    lambda lib, m: lib.nn.ModuleList([lib.nn.Linear(2, 2) for _ in range(4)]
                                     + [lib.nn.Identity()] * 2 + [lib.nn.Linear(2, 3)]),
    lambda lib, m: lib.nn.ModuleList([lib.nn.Sequential(lib.nn.Linear(2, 2), lib.nn.Identity())
                                      for _ in range(3)]),
])
def test_module_list_operations_match_torch(operation):
    mine, theirs = both(lambda lib: operation(lib, lib.nn.ModuleList(
        [lib.nn.Linear(2, 2), lib.nn.Linear(2, 2), lib.nn.Identity(), lib.nn.Linear(2, 2)])))
    assert describe(mine) == describe(theirs)


def test_module_list_indexing_and_identity():
    modules = [ember.nn.Linear(2, 2) for _ in range(3)]
    container = ember.nn.ModuleList(modules)
    assert container[-1] is modules[-1] and list(container) == modules and len(container) == 3
    assert container[0:2][1] is modules[1]
    check_error(lambda lib: lib.nn.ModuleList([lib.nn.Identity()])[3])
    check_error(lambda lib: lib.nn.ModuleList().extend(5))
    check_error(lambda lib: lib.nn.ModuleList([3]))


# ---- ModuleDict ---------------------------------------------------------------------------

def test_module_dict_matches_torch():
    def run(lib):
        modules = lib.nn.ModuleDict({"b": lib.nn.Linear(1, 2), "a": lib.nn.Identity()})
        modules.update([("c", lib.nn.Flatten())])
        modules["d"] = lib.nn.Linear(2, 2)
        popped = modules.pop("a")
        del modules["c"]
        result = [describe(modules), list(modules), list(modules.keys()),
                  [type(v).__name__ for v in modules.values()],
                  [k for k, _ in modules.items()], "b" in modules, len(modules),
                  type(popped).__name__]
        modules.clear()
        return result + [len(modules)]
    mine, theirs = both(run)
    assert mine == theirs


@pytest.mark.parametrize("operation", [
    lambda lib, d: d.update(3),
    lambda lib, d: d.update([lib.nn.Identity()]),
    lambda lib, d: d.update([("a", lib.nn.Identity(), 1)]),
    lambda lib, d: d["missing"],
    lambda lib, d: d.__setitem__("a.b", lib.nn.Identity()),
])
def test_module_dict_errors_match_torch(operation):
    check_error(lambda lib: operation(lib, lib.nn.ModuleDict({"x": lib.nn.Identity()})))


# ---- ParameterList and ParameterDict --------------------------------------------------------

def test_parameter_list_matches_torch():
    def run(lib):
        params = lib.nn.ParameterList([lib.zeros(2, 3), lib.nn.Parameter(lib.ones(4)),
                                       lib.zeros(1, dtype=lib.float64)])
        params.append("text")
        params.extend([lib.ones(2, 2)])
        params[0] = lib.ones(5)
        sliced = params[1:3]
        return (printout(params), printout(sliced), len(params),
                [name for name, _ in params.named_parameters()],
                [type(p).__name__ for p in params], params[-1].dtype == lib.float32)
    mine, theirs = both(run)
    assert mine == theirs


def test_parameter_list_errors_match_torch():
    check_error(lambda lib: lib.nn.ParameterList([lib.ones(1)])[2])
    check_error(lambda lib: lib.nn.ParameterList().extend(lib.ones(2)))
    check_error(lambda lib: lib.nn.ParameterList()(1))


def test_parameter_dict_matches_torch():
    def run(lib):
        params = lib.nn.ParameterDict({"b": lib.zeros(2), "a": lib.nn.Parameter(lib.ones(3))})
        params.update(OrderedDict([("z", lib.ones(1, 2)), ("y", lib.zeros(1))]))
        params["note"] = "hello"
        params.setdefault("w", lib.ones(2))
        first = params.pop("b")
        key, _ = params.popitem()
        merged = params | lib.nn.ParameterDict({"extra": lib.ones(1)})
        result = (printout(params), printout(merged), list(params), list(reversed(params)),
                  key, type(first).__name__, "a" in params, params.get("nope", 3),
                  [name for name, _ in params.named_parameters()],
                  printout(params.fromkeys(["p", "q"], lib.ones(1))), len(params.copy()))
        params.clear()
        return result + (len(params),)
    mine, theirs = both(run)
    assert mine == theirs


@pytest.mark.parametrize("operation", [
    lambda lib, d: d[1],
    lambda lib, d: d.update(3),
    lambda lib, d: d.update([lib.ones(1)]),
    lambda lib, d: d.update([("a", lib.ones(1), 2)]),
    lambda lib, d: d(lib.ones(1)),
    lambda lib, d: d["missing"],
])
def test_parameter_dict_errors_match_torch(operation):
    check_error(lambda lib: operation(lib, lib.nn.ParameterDict({"x": lib.ones(1)})))


def test_containers_register_for_state_dict_and_grads():
    def run(lib):
        model = lib.nn.Module()
        model.blocks = lib.nn.ModuleList([lib.nn.Linear(2, 2), lib.nn.Linear(2, 1)])
        model.table = lib.nn.ModuleDict({"proj": lib.nn.Linear(2, 2)})
        model.extras = lib.nn.ParameterList([lib.ones(2)])
        model.named = lib.nn.ParameterDict({"gain": lib.ones(2)})
        return list(model.state_dict()), printout(model)
    mine, theirs = both(run)
    assert mine == theirs
