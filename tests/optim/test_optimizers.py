"""Every optimizer against torch.optim: 20 steps on the same small network (gradients computed
by each library from the same weights) give the same parameters and the same state."""
import copy

import numpy as np
import pytest

import ember
from oracle import assert_matches, torch

STEPS = 20

CASES = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.05, "momentum": 0.9}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.2, "weight_decay": 0.01}),
    ("SGD", {"lr": 0.05, "momentum": 0.8, "nesterov": True, "maximize": True}),
    ("Adam", {"lr": 0.01}),
    ("Adam", {"lr": 0.01, "amsgrad": True, "weight_decay": 0.05}),
    ("Adam", {"lr": 0.02, "betas": (0.3, 0.7), "maximize": True}),  # lerp weight >= 0.5
    ("Adam", {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("AdamW", {"lr": 0.01}),
    ("AdamW", {"lr": 0.01, "amsgrad": True, "weight_decay": 0.3, "maximize": True}),
    ("RMSprop", {"lr": 0.01}),
    ("RMSprop", {"lr": 0.01, "alpha": 0.9, "centered": True}),
    ("RMSprop", {"lr": 0.01, "momentum": 0.9, "weight_decay": 0.05, "maximize": True}),
    ("RMSprop", {"lr": 0.005, "alpha": 0.4, "momentum": 0.5, "centered": True, "eps": 1e-6}),
    ("Adagrad", {"lr": 0.1}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.05, "initial_accumulator_value": 0.2,
                 "weight_decay": 0.01, "maximize": True}),
    ("Adadelta", {}),
    ("Adadelta", {"lr": 0.5, "rho": 0.8, "weight_decay": 0.05, "maximize": True}),
    ("Adamax", {"lr": 0.01}),
    ("Adamax", {"lr": 0.02, "betas": (0.7, 0.9), "weight_decay": 0.05, "maximize": True}),
    ("NAdam", {"lr": 0.01}),
    ("NAdam", {"lr": 0.01, "weight_decay": 0.05, "momentum_decay": 0.01}),
    ("NAdam", {"lr": 0.01, "weight_decay": 0.05, "decoupled_weight_decay": True,
               "maximize": True}),
    ("RAdam", {"lr": 0.01}),
    ("RAdam", {"lr": 0.01, "weight_decay": 0.05}),
    ("RAdam", {"lr": 0.01, "betas": (0.8, 0.9), "weight_decay": 0.05,
               "decoupled_weight_decay": True, "maximize": True}),
    ("Rprop", {"lr": 0.01}),
    ("Rprop", {"lr": 0.05, "etas": (0.3, 1.5), "step_sizes": (1e-3, 0.08), "maximize": True}),
    ("ASGD", {"lr": 0.05}),
    # t0 below the step count switches the running average from copying to averaging
    ("ASGD", {"lr": 0.05, "lambd": 1e-2, "alpha": 0.5, "t0": 5, "weight_decay": 0.05}),
    ("ASGD", {"lr": 0.05, "t0": 0, "maximize": True}),
    ("Adafactor", {}),
    ("Adafactor", {"lr": 0.05, "beta2_decay": -0.5, "eps": (1e-6, 1e-2), "d": 2.0,
                   "weight_decay": 0.1, "maximize": True}),
]
IDS = [f"{name}-{'-'.join(f'{k}={v}' for k, v in options.items()) or 'defaults'}"
       for name, options in CASES]
TOLERANCES = {"float32": 2e-5, "float64": 1e-10}


def _weights(dtype):
    rng = np.random.default_rng(7)
    shapes = [(5, 4), (4,), (4, 3), (3,)]
    return [(rng.standard_normal(shape) * 0.5).astype(dtype) for shape in shapes]


def _batch(dtype, step):
    rng = np.random.default_rng(100 + step)
    return rng.standard_normal((8, 5)).astype(dtype), rng.standard_normal((8, 3)).astype(dtype)


def _loss(lib, params, inputs, targets):
    w1, b1, w2, b2 = params
    hidden = lib.tanh(inputs @ w1 + b1)
    output = hidden @ w2 + b2
    return ((output - targets) ** 2).mean()


def _build(lib, name, options, dtype, groups=False):
    params = [lib.tensor(w, requires_grad=True) for w in _weights(dtype)]
    if lib is torch:
        options = dict(options, foreach=False)
    if groups:
        spec = [{"params": params[:2]},
                {"params": params[2:], "lr": options.get("lr", 0.01) * 0.5,
                 "weight_decay": 0.02}]
        return params, getattr(lib.optim, name)(spec, **options)
    return params, getattr(lib.optim, name)(params, **options)


def _train(lib, params, optimizer, dtype, steps, start=0):
    for step in range(start, start + steps):
        inputs, targets = (lib.tensor(a) for a in _batch(dtype, step))
        optimizer.zero_grad()
        loss = _loss(lib, params, inputs, targets)
        # A maximizing optimizer climbs the negated loss, so both runs stay bounded.
        if optimizer.defaults.get("maximize"):
            loss = -loss
        loss.backward()
        optimizer.step()


def _compare_state(mine, theirs, tolerance):
    mine_state = mine.state_dict()
    theirs_state = theirs.state_dict()
    assert sorted(mine_state["state"]) == sorted(theirs_state["state"])
    for index, entry in theirs_state["state"].items():
        assert list(mine_state["state"][index]) == list(entry), f"state keys of param {index}"
        for key, value in entry.items():
            assert_matches(mine_state["state"][index][key], value, where=f"state {index}.{key}",
                           rtol=tolerance, atol=tolerance, grad_fn=False)
    mine_groups = [{k: v for k, v in g.items() if k != "foreach"}
                   for g in mine_state["param_groups"]]
    theirs_groups = [{k: v for k, v in g.items() if k != "foreach"}
                     for g in theirs_state["param_groups"]]
    assert mine_groups == theirs_groups


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name, options", CASES, ids=IDS)
def test_trajectory_and_state_match_torch(name, options, dtype):
    mine_params, mine = _build(ember, name, options, dtype)
    theirs_params, theirs = _build(torch, name, options, dtype)
    _train(ember, mine_params, mine, dtype, STEPS)
    _train(torch, theirs_params, theirs, dtype, STEPS)
    tolerance = TOLERANCES[dtype]
    for position, (a, b) in enumerate(zip(mine_params, theirs_params)):
        assert_matches(a, b, where=f"param {position}", rtol=tolerance, atol=tolerance)
    _compare_state(mine, theirs, tolerance)


@pytest.mark.parametrize("name, options", CASES[::3], ids=IDS[::3])
def test_param_groups_with_their_own_options_match_torch(name, options):
    mine_params, mine = _build(ember, name, options, "float64", groups=True)
    theirs_params, theirs = _build(torch, name, options, "float64", groups=True)
    _train(ember, mine_params, mine, "float64", STEPS)
    _train(torch, theirs_params, theirs, "float64", STEPS)
    for a, b in zip(mine_params, theirs_params):
        assert_matches(a, b, rtol=1e-10, atol=1e-10)
    _compare_state(mine, theirs, 1e-10)


@pytest.mark.parametrize("name, options", CASES, ids=IDS)
def test_resuming_from_state_dict_gives_the_same_trajectory(name, options):
    # float32 parameters: loading casts floating state to the parameter dtype (PyTorch does
    # too), which would turn NAdam's float32 mu_product into float64 for float64 parameters.
    straight_params, straight = _build(ember, name, options, "float32")
    _train(ember, straight_params, straight, "float32", STEPS)
    first_params, first = _build(ember, name, options, "float32")
    _train(ember, first_params, first, "float32", STEPS // 2)
    saved = copy.deepcopy(first.state_dict())
    resumed_params = [ember.tensor(p.detach().numpy().copy(), requires_grad=True)
                      for p in first_params]
    resumed = getattr(ember.optim, name)(resumed_params, **options)
    resumed.load_state_dict(saved)
    _train(ember, resumed_params, resumed, "float32", STEPS - STEPS // 2, start=STEPS // 2)
    for a, b in zip(resumed_params, straight_params):
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())


@pytest.mark.parametrize("name", ["Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax",
                                  "NAdam", "RAdam", "SGD", "Rprop", "ASGD"])
def test_complex_parameters_update_like_torch(name):
    rng = np.random.default_rng(3)
    start = (rng.standard_normal((3, 2)) + 1j * rng.standard_normal((3, 2))).astype(np.complex128)
    grads = [(rng.standard_normal((3, 2)) + 1j * rng.standard_normal((3, 2)))
             for _ in range(5)]
    results = []
    for lib in (ember, torch):
        param = lib.tensor(start.copy(), requires_grad=True)
        kwargs = {"foreach": False} if lib is torch else {}
        optimizer = getattr(lib.optim, name)([param], lr=0.05, **kwargs)
        for grad in grads:
            param.grad = lib.tensor(grad.copy())
            optimizer.step()
        results.append(param)
    assert_matches(results[0], results[1], rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("name, options", CASES, ids=IDS)
@pytest.mark.parametrize("dtype", ["float64", "complex128"])
def test_scalar_parameters_update_like_torch(name, options, dtype):
    # a 0-d parameter (a curve-fitting coefficient) and its 0-d state buffers
    if dtype == "complex128" and name == "Adafactor":
        pytest.skip("torch's Adafactor refuses complex parameters")
    start = np.array(1.5 + 0.5j if dtype == "complex128" else 1.5, dtype=dtype)
    grads = [np.array(value * (1 - 1j) if dtype == "complex128" else value, dtype=dtype)
             for value in (0.8, -0.3, 1.7, 0.2)]
    results = []
    for lib in (ember, torch):
        param = lib.tensor(start.copy(), requires_grad=True)
        kwargs = {"foreach": False} if lib is torch else {}
        optimizer = getattr(lib.optim, name)([param], **options, **kwargs)
        for grad in grads:
            param.grad = lib.tensor(grad.copy())
            optimizer.step()
        results.append((param, optimizer))
    assert_matches(results[0][0], results[1][0], rtol=1e-10, atol=1e-10)
    _compare_state(results[0][1], results[1][1], 1e-10)


def test_parameters_without_gradients_are_skipped_and_get_no_state():
    used = ember.tensor([1.0, 2.0], requires_grad=True)
    unused = ember.tensor([3.0], requires_grad=True)
    optimizer = ember.optim.Adam([used, unused], lr=0.1)
    used.grad = ember.tensor([0.5, -0.5])
    optimizer.step()
    assert unused.tolist() == [3.0]
    assert list(optimizer.state_dict()["state"]) == [0]


def test_step_bumps_the_parameter_version_and_keeps_it_a_leaf():
    param = ember.tensor([1.0, 2.0], requires_grad=True)
    optimizer = ember.optim.SGD([param], lr=0.1)
    param.grad = ember.tensor([1.0, 1.0])
    before = param._version
    optimizer.step()
    assert param._version == before + 1
    assert param.is_leaf and param.grad_fn is None
    assert param.tolist() == pytest.approx([0.9, 1.9])


@pytest.mark.parametrize("name", ["Adam", "RMSprop", "Adagrad", "Adadelta", "Adamax", "NAdam",
                                  "RAdam"])
def test_scalar_state_tensors_have_torch_dtype_and_shape(name):
    steps = []
    for lib in (ember, torch):
        param = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
        optimizer = getattr(lib.optim, name)([param])
        for _ in range(2):
            param.grad = lib.tensor([1.0, -1.0], dtype=lib.float64)
            optimizer.step()
        steps.append(optimizer.state[param])
    for key in ("step", "mu_product"):
        if key in steps[1]:
            assert_matches(steps[0][key], steps[1][key], where=key)


@pytest.mark.parametrize("name", ["SGD", "Adam"])
def test_module_parameters_train_like_torch(name):
    rng = np.random.default_rng(11)
    weight, bias = rng.standard_normal((2, 3)), rng.standard_normal(2)
    inputs = rng.standard_normal((6, 3))
    results = []
    for lib in (ember, torch):
        model = lib.nn.Linear(3, 2).double()
        with lib.no_grad():
            model.weight.copy_(lib.tensor(weight))
            model.bias.copy_(lib.tensor(bias))
        optimizer = getattr(lib.optim, name)(model.parameters(), lr=0.05)
        for _ in range(10):
            optimizer.zero_grad()
            model(lib.tensor(inputs)).pow(2).mean().backward()
            optimizer.step()
        results.append((model.weight, model.bias))
    assert_matches(results[0], results[1], rtol=1e-10, atol=1e-12)
