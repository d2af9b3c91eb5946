"""The Optimizer base against torch.optim.Optimizer: construction errors, parameter groups,
zero_grad, closures, hooks, state_dict layout, load_state_dict checks and printouts."""
import numpy as np
import pytest

import ember
from oracle import check_error, torch

OPTIMIZERS = ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "NAdam",
              "RAdam", "Rprop", "ASGD", "LBFGS", "Adafactor"]


def _leaf(lib, values=(1.0, 2.0)):
    return lib.tensor(list(values), requires_grad=True)


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_defaults_and_repr_match_torch(name):
    mine = getattr(ember.optim, name)([_leaf(ember)])
    theirs = getattr(torch.optim, name)([_leaf(torch)])
    assert mine.defaults == theirs.defaults
    assert repr(mine) == repr(theirs)
    assert mine.state_dict()["param_groups"] == theirs.state_dict()["param_groups"]


def test_named_parameters_and_groups_are_kept_like_torch():
    results = []
    for lib in (ember, torch):
        a, b, c = _leaf(lib), _leaf(lib, (3.0,)), _leaf(lib, (4.0, 5.0, 6.0))
        optimizer = lib.optim.Adam([{"params": [("a", a), ("b", b)]},
                                    {"params": [("c", c)], "lr": 0.5, "betas": (0.5, 0.6)}])
        for param in (a, b, c):
            param.grad = lib.ones_like(param)
        optimizer.step()
        state = optimizer.state_dict()
        results.append((repr(optimizer), state["param_groups"], sorted(state["state"])))
    assert results[0] == results[1]


@pytest.mark.parametrize("set_to_none", [True, False])
def test_zero_grad_matches_torch(set_to_none):
    grads = []
    for lib in (ember, torch):
        param = _leaf(lib)
        optimizer = lib.optim.SGD([param], lr=0.1)
        (param * param).sum().backward()
        optimizer.zero_grad(set_to_none=set_to_none)
        grads.append(None if param.grad is None else param.grad.tolist())
    assert grads[0] == grads[1]
    assert (grads[0] is None) == set_to_none


def test_closure_is_reevaluated_with_grad_enabled_and_its_loss_returned():
    results = []
    for lib in (ember, torch):
        param = _leaf(lib)
        optimizer = lib.optim.SGD([param], lr=0.1, momentum=0.5)
        calls = []

        def closure():
            calls.append(lib.is_grad_enabled())
            optimizer.zero_grad()
            loss = (param ** 2).sum()
            loss.backward()
            return loss

        with lib.no_grad():
            losses = [optimizer.step(closure).item() for _ in range(3)]
        results.append((calls, losses, param.tolist()))
    assert results[0][0] == results[1][0] == [True, True, True]
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-6)
    np.testing.assert_allclose(results[0][2], results[1][2], rtol=1e-6)


def test_step_runs_without_grad_and_step_hooks_fire_in_order():
    events = []
    param = _leaf(ember)
    optimizer = ember.optim.SGD([param], lr=0.1)
    param.grad = ember.ones(2)
    optimizer.register_step_pre_hook(lambda opt, args, kwargs: events.append("pre"))
    handle = optimizer.register_step_post_hook(lambda opt, args, kwargs: events.append("post"))
    global_handle = ember.optim.optimizer.register_optimizer_step_pre_hook(
        lambda opt, args, kwargs: events.append("global"))
    optimizer.step()
    handle.remove()
    global_handle.remove()
    optimizer.step()
    assert events == ["global", "pre", "post", "pre"]


def test_step_hooks_see_the_optimizer_in_args_and_may_replace_them_like_torch():
    results = []
    for lib in (ember, torch):
        seen = []
        param = _leaf(lib)
        optimizer = lib.optim.SGD([param], lr=0.1)
        param.grad = lib.ones(2)

        def pre_hook(opt, args, kwargs):
            seen.append(("pre", args[0] is opt, len(args), sorted(kwargs)))
            # swap in a closure through the replacement args
            return (args[0],), {"closure": lambda: seen.append("closure") or 1.5}

        optimizer.register_step_pre_hook(pre_hook)
        optimizer.register_step_post_hook(
            lambda opt, args, kwargs: seen.append(("post", args[0] is opt, sorted(kwargs))))
        loss = optimizer.step()
        results.append((seen, loss, param.tolist()))
    assert results[0] == results[1]


def test_pre_hook_returning_garbage_raises():
    param = _leaf(ember)
    optimizer = ember.optim.SGD([param])
    optimizer.register_step_pre_hook(lambda opt, args, kwargs: 3)
    with pytest.raises(RuntimeError, match="must return None or a tuple"):
        optimizer.step()


def test_state_dict_hooks_run_and_may_replace_the_result():
    param = _leaf(ember)
    optimizer = ember.optim.SGD([param])
    seen = []
    optimizer.register_state_dict_pre_hook(lambda opt: seen.append("pre"))
    optimizer.register_state_dict_post_hook(lambda opt, sd: {**sd, "extra": 1})
    optimizer.register_load_state_dict_pre_hook(lambda opt, sd: seen.append("load-pre"))
    optimizer.register_load_state_dict_post_hook(lambda opt: seen.append("load-post"),
                                                 prepend=True)
    state = optimizer.state_dict()
    assert state["extra"] == 1
    optimizer.load_state_dict(state)
    assert seen == ["pre", "load-pre", "load-post"]


def test_add_param_group_fills_defaults_like_torch():
    results = []
    for lib in (ember, torch):
        first, second = _leaf(lib), _leaf(lib, (5.0,))
        optimizer = lib.optim.SGD([first], lr=0.1, momentum=0.9)
        optimizer.add_param_group({"params": second, "lr": 0.01})
        results.append(optimizer.state_dict()["param_groups"])
    assert results[0] == results[1]


def test_load_state_dict_casts_state_to_the_parameter_dtype_like_torch():
    results = []
    for lib in (ember, torch):
        source = _leaf(lib)
        optimizer = lib.optim.Adam([source])
        source.grad = lib.ones(2)
        optimizer.step()
        target = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
        loaded = lib.optim.Adam([target])
        loaded.load_state_dict(optimizer.state_dict())
        state = loaded.state[target]
        results.append({key: str(value.dtype).split(".")[-1] for key, value in state.items()})
    assert results[0] == results[1]


def test_duplicate_parameters_in_one_group_warn_like_torch():
    messages = []
    for lib in (ember, torch):
        param = _leaf(lib)
        with pytest.warns(UserWarning) as record:
            lib.optim.SGD([param, param])
        messages.append(str(record[0].message))
    assert messages[0] == messages[1]


# ---- errors ----------------------------------------------------------------------------------

@pytest.mark.parametrize("name", OPTIMIZERS)
def test_empty_parameter_list(name):
    check_error(lambda lib: getattr(lib.optim, name)([]))


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_negative_learning_rate(name):
    check_error(lambda lib: getattr(lib.optim, name)([_leaf(lib)], lr=-0.1))


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_non_leaf_parameter(name):
    check_error(lambda lib: getattr(lib.optim, name)([_leaf(lib) * 2]))


@pytest.mark.parametrize("name, options", [
    ("SGD", {"momentum": -0.5}), ("SGD", {"weight_decay": -1.0}),
    ("SGD", {"nesterov": True}), ("SGD", {"nesterov": True, "momentum": 0.9, "dampening": 0.1}),
    ("Adam", {"eps": -1.0}), ("Adam", {"betas": (1.0, 0.9)}), ("Adam", {"betas": (0.9, -0.1)}),
    ("Adam", {"weight_decay": -0.1}), ("Adam", {"betas": (0.9, 0)}),
    ("AdamW", {"betas": (0.9, 1.5)}),
    ("RMSprop", {"alpha": -0.5}), ("RMSprop", {"momentum": -0.1}), ("RMSprop", {"eps": -1e-3}),
    ("Adagrad", {"lr_decay": -1.0}), ("Adagrad", {"initial_accumulator_value": -1.0}),
    ("Adagrad", {"eps": -1.0}), ("Adadelta", {"rho": 1.5}), ("Adadelta", {"eps": -1.0}),
    ("Adamax", {"betas": (0.9, 1.0)}), ("Adamax", {"weight_decay": -2.0}),
    ("NAdam", {"momentum_decay": -0.1}), ("NAdam", {"betas": (-0.1, 0.9)}),
    ("RAdam", {"betas": (0.9, 2.0)}), ("RAdam", {"eps": -1.0}),
    ("Rprop", {"lr": -0.1}), ("Rprop", {"etas": (1.5, 1.2)}), ("Rprop", {"etas": (0.5, 0.9)}),
    ("ASGD", {"lr": -0.1}), ("ASGD", {"weight_decay": -0.1}), ("LBFGS", {"lr": -1.0}),
    ("Adafactor", {"lr": -1.0}), ("Adafactor", {"beta2_decay": 0.5}),
    ("Adafactor", {"eps": (-1.0, 1e-3)}), ("Adafactor", {"eps": (None, -1.0)}),
    ("Adafactor", {"d": 0.5}), ("Adafactor", {"weight_decay": -0.1}),
    ("SGD", {"fused": True, "differentiable": True}), ("Adam", {"fused": True, "foreach": True}),
    ("AdamW", {"fused": True, "differentiable": True}),
    ("Adagrad", {"fused": True, "differentiable": True}),
])
def test_invalid_hyperparameters(name, options):
    check_error(lambda lib: getattr(lib.optim, name)([_leaf(lib)], **options))


def test_tensor_instead_of_an_iterable():
    check_error(lambda lib: lib.optim.SGD(_leaf(lib)))


def test_non_tensor_parameter():
    check_error(lambda lib: lib.optim.SGD([1.0]))


def test_parameter_in_two_groups():
    def build(lib):
        param = _leaf(lib)
        return lib.optim.SGD([{"params": [param]}, {"params": [param], "lr": 0.5}])
    check_error(build)


def test_parameter_set_in_a_group():
    check_error(lambda lib: lib.optim.SGD([{"params": {_leaf(lib)}}]))


def test_param_group_that_is_not_a_dict():
    def build(lib):
        optimizer = lib.optim.SGD([_leaf(lib)])
        optimizer.add_param_group([_leaf(lib)])
    check_error(build)


def test_some_parameter_names_missing():
    check_error(lambda lib: lib.optim.SGD([("a", _leaf(lib)), _leaf(lib)]))


def test_groups_with_and_without_names():
    def build(lib):
        return lib.optim.SGD([{"params": [("a", _leaf(lib))]}, {"params": [_leaf(lib)]}])
    check_error(build)


def test_tensor_lr_with_several_elements():
    check_error(lambda lib: lib.optim.SGD([_leaf(lib)], lr=lib.tensor([0.1, 0.2])))


def test_capturable_on_cpu():
    def build(lib):
        param = _leaf(lib)
        optimizer = lib.optim.Adam([param], capturable=True)
        param.grad = lib.ones(2)
        optimizer.step()
    check_error(build)


def test_load_state_dict_with_a_different_number_of_groups():
    def build(lib):
        saved = lib.optim.SGD([_leaf(lib)]).state_dict()
        lib.optim.SGD([{"params": [_leaf(lib)]}, {"params": [_leaf(lib)]}]).load_state_dict(saved)
    check_error(build)


def test_load_state_dict_with_a_group_of_another_size():
    def build(lib):
        saved = lib.optim.SGD([_leaf(lib)]).state_dict()
        lib.optim.SGD([_leaf(lib), _leaf(lib)]).load_state_dict(saved)
    check_error(build)


def test_differentiable_mode_is_refused_clearly():
    with pytest.raises(RuntimeError, match="differentiable=True"):
        ember.optim.Adam([_leaf(ember)], differentiable=True)


def test_tensor_learning_rate_is_used_like_a_float():
    results = []
    for lib in (ember, torch):
        param = _leaf(lib)
        optimizer = lib.optim.Adam([param], lr=lib.tensor(0.05))
        for _ in range(3):
            param.grad = param.detach() * 2
            optimizer.step()
        results.append(param.tolist())
    np.testing.assert_allclose(results[0], results[1], rtol=1e-6)


def test_adafactor_refuses_complex_parameters():
    def run(lib):
        param = lib.tensor([1 + 1j, 2 - 1j], requires_grad=True)
        optimizer = lib.optim.Adafactor([param])
        param.grad = lib.ones_like(param)
        optimizer.step()
    check_error(run)
