"""Every learning-rate scheduler against torch.optim.lr_scheduler: the learning rates (and the
momenta the cyclic schedulers set) over 40 steps are identical to the last bit, state_dict
holds the same entries, resuming continues the same schedule, and warnings and errors match."""
import copy
import warnings

import pytest

import ember
from oracle import check_error, torch

STEPS = 40

SCHEDULERS = {
    "StepLR": lambda m, o: m.StepLR(o, step_size=3, gamma=0.5),
    "MultiStepLR": lambda m, o: m.MultiStepLR(o, milestones=[3, 7, 7, 20], gamma=0.3),
    "ExponentialLR": lambda m, o: m.ExponentialLR(o, gamma=0.93),
    "CosineAnnealingLR": lambda m, o: m.CosineAnnealingLR(o, T_max=7, eta_min=0.001),
    "CosineAnnealingWarmRestarts": lambda m, o: m.CosineAnnealingWarmRestarts(
        o, T_0=3, T_mult=2, eta_min=0.001),
    "LambdaLR": lambda m, o: m.LambdaLR(o, lr_lambda=lambda epoch: 0.95 ** epoch),
    "LambdaLR-per-group": lambda m, o: m.LambdaLR(
        o, lr_lambda=[lambda epoch: 1 / (epoch + 1), lambda epoch: 0.9 ** epoch]),
    "MultiplicativeLR": lambda m, o: m.MultiplicativeLR(o, lr_lambda=lambda epoch: 0.97),
    "LinearLR": lambda m, o: m.LinearLR(o, start_factor=0.2, end_factor=0.9, total_iters=10),
    "ConstantLR": lambda m, o: m.ConstantLR(o, factor=0.4, total_iters=6),
    "PolynomialLR": lambda m, o: m.PolynomialLR(o, total_iters=12, power=2.0),
    "OneCycleLR": lambda m, o: m.OneCycleLR(o, max_lr=[1.0, 2.0], total_steps=STEPS + 1),
    "OneCycleLR-three-phase-linear": lambda m, o: m.OneCycleLR(
        o, max_lr=1.0, epochs=5, steps_per_epoch=9, three_phase=True, anneal_strategy="linear"),
    "CyclicLR-triangular2": lambda m, o: m.CyclicLR(o, base_lr=0.01, max_lr=0.1,
                                                    step_size_up=4, mode="triangular2"),
    "CyclicLR-exp_range": lambda m, o: m.CyclicLR(o, base_lr=[0.01, 0.02], max_lr=0.1,
                                                  step_size_up=3, step_size_down=5,
                                                  mode="exp_range", gamma=0.97),
    "CyclicLR-scale_fn": lambda m, o: m.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=2,
                                                 scale_fn=lambda x: 0.5 ** x,
                                                 scale_mode="iterations"),
    "SequentialLR": lambda m, o: m.SequentialLR(
        o, [m.LinearLR(o, start_factor=0.1, total_iters=5), m.CosineAnnealingLR(o, T_max=10),
            m.ExponentialLR(o, gamma=0.9)], milestones=[5, 15]),
    "ChainedScheduler": lambda m, o: m.ChainedScheduler(
        [m.ConstantLR(o, factor=0.5, total_iters=4), m.ExponentialLR(o, gamma=0.9)]),
}

METRICS = [5, 4, 4, 4, 4, 4, 3, 3, 3, 3, 3, 3, 2.9999, 2.5]


def _optimizer(lib, name="SGD", **options):
    params = [lib.zeros(2, requires_grad=True), lib.zeros(3, requires_grad=True)]
    groups = [{"params": [params[0]]}, {"params": [params[1]], "lr": 0.2}]
    if name == "SGD":
        options.setdefault("momentum", 0.9)
    return getattr(lib.optim, name)(groups, lr=0.1, **options)


def _momenta(optimizer):
    return [(group.get("momentum"), group.get("betas")) for group in optimizer.param_groups]


def _run(lib, build, steps=STEPS, optimizer_name="SGD", metric=False):
    optimizer = _optimizer(lib, optimizer_name)
    scheduler = build(lib.optim.lr_scheduler, optimizer)
    trace = [(list(scheduler.get_last_lr()), _momenta(optimizer))]
    for step in range(steps):
        optimizer.step()
        if metric:
            scheduler.step(METRICS[step % len(METRICS)])
        else:
            scheduler.step()
        trace.append((list(scheduler.get_last_lr()), _momenta(optimizer),
                      [group["lr"] for group in optimizer.param_groups]))
    return trace, scheduler, optimizer


@pytest.mark.parametrize("name", SCHEDULERS)
def test_learning_rates_are_identical_to_torch(name):
    mine, _, _ = _run(ember, SCHEDULERS[name])
    theirs, _, _ = _run(torch, SCHEDULERS[name])
    assert mine == theirs


@pytest.mark.parametrize("name", ["OneCycleLR", "CyclicLR-triangular2"])
def test_beta1_is_cycled_on_adam_like_torch(name):
    mine, _, _ = _run(ember, SCHEDULERS[name], optimizer_name="Adam")
    theirs, _, _ = _run(torch, SCHEDULERS[name], optimizer_name="Adam")
    assert mine == theirs


@pytest.mark.parametrize("options", [
    {}, {"mode": "max", "threshold_mode": "abs", "patience": 1},
    {"patience": 2, "cooldown": 1, "factor": 0.5, "min_lr": [0.05, 0.01]},
    {"threshold": 0.1, "eps": 0.05},
])
def test_reduce_on_plateau_is_identical_to_torch(options):
    def build(module, optimizer):
        return module.ReduceLROnPlateau(optimizer, **options)
    mine, mine_scheduler, _ = _run(ember, build, metric=True)
    theirs, theirs_scheduler, _ = _run(torch, build, metric=True)
    assert mine == theirs
    assert mine_scheduler.state_dict() == theirs_scheduler.state_dict()


def _plain_state(state):
    """A scheduler state with the entries that hold functions dropped."""
    return {key: value for key, value in state.items()
            if key not in ("lr_lambdas", "_scale_fn_custom", "_schedulers")}


@pytest.mark.parametrize("name", SCHEDULERS)
def test_state_dict_matches_torch(name):
    _, mine, _ = _run(ember, SCHEDULERS[name], steps=7)
    _, theirs, _ = _run(torch, SCHEDULERS[name], steps=7)
    mine_state, theirs_state = mine.state_dict(), theirs.state_dict()
    assert list(mine_state) == list(theirs_state)
    assert _plain_state(mine_state) == _plain_state(theirs_state)


@pytest.mark.parametrize("name", SCHEDULERS)
def test_resuming_from_state_dicts_continues_the_schedule(name):
    straight, _, _ = _run(ember, SCHEDULERS[name])
    build = SCHEDULERS[name]
    _, scheduler, optimizer = _run(ember, build, steps=STEPS // 2)
    scheduler_state = copy.deepcopy(scheduler.state_dict())
    optimizer_state = copy.deepcopy(optimizer.state_dict())
    resumed_optimizer = _optimizer(ember)
    resumed = build(ember.optim.lr_scheduler, resumed_optimizer)
    resumed.load_state_dict(scheduler_state)
    resumed_optimizer.load_state_dict(optimizer_state)
    lrs = []
    for _ in range(STEPS - STEPS // 2):
        resumed_optimizer.step()
        resumed.step()
        lrs.append(list(resumed.get_last_lr()))
    assert lrs == [entry[0] for entry in straight[STEPS // 2 + 1:]]


@pytest.mark.parametrize("name", ["StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR",
                                  "LinearLR", "ConstantLR", "PolynomialLR",
                                  "CosineAnnealingWarmRestarts"])
def test_explicit_epochs_use_the_closed_form_like_torch(name):
    traces = []
    for lib in (ember, torch):
        optimizer = _optimizer(lib)
        scheduler = SCHEDULERS[name](lib.optim.lr_scheduler, optimizer)
        trace = []
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for epoch in [1, 2, 5, 3, 11, 30, 4.5 if name.startswith("Cosine") else 4]:
                optimizer.step()
                scheduler.step(epoch)
                trace.append(list(scheduler.get_last_lr()))
        traces.append((trace, sorted({str(w.message) for w in caught})))
    assert traces[0] == traces[1]


def test_last_epoch_resume_uses_initial_lr():
    traces = []
    for lib in (ember, torch):
        optimizer = _optimizer(lib)
        for group in optimizer.param_groups:
            group["initial_lr"] = group["lr"] * 2
        scheduler = lib.optim.lr_scheduler.StepLR(optimizer, step_size=2, last_epoch=4)
        traces.append((scheduler.base_lrs, scheduler.last_epoch, scheduler.get_last_lr()))
    assert traces[0] == traces[1]


def _warnings_of(action):
    messages = []
    for lib in (ember, torch):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            action(lib)
        messages.append([(w.category.__name__, str(w.message)) for w in caught])
    return messages


def test_warns_when_scheduler_steps_before_optimizer():
    def action(lib):
        scheduler = lib.optim.lr_scheduler.StepLR(_optimizer(lib), step_size=2)
        scheduler.step()
    mine, theirs = _warnings_of(action)
    assert mine == theirs and len(mine) == 1


def test_warns_when_optimizer_step_is_replaced():
    def action(lib):
        optimizer = _optimizer(lib)
        scheduler = lib.optim.lr_scheduler.StepLR(optimizer, step_size=2)
        optimizer.step = lambda: None
        scheduler.step()
    mine, theirs = _warnings_of(action)
    assert mine == theirs and len(mine) == 1


def test_warns_when_get_lr_is_called_directly():
    def action(lib):
        lib.optim.lr_scheduler.StepLR(_optimizer(lib), step_size=2).get_lr()
    mine, theirs = _warnings_of(action)
    assert mine == theirs and len(mine) == 1


def test_no_warning_in_the_normal_order():
    def action(lib):
        optimizer = _optimizer(lib)
        scheduler = lib.optim.lr_scheduler.ExponentialLR(optimizer, gamma=0.5)
        optimizer.step()
        scheduler.step()
    assert _warnings_of(action) == [[], []]


def test_tensor_learning_rate_is_updated_in_place_like_torch():
    results = []
    for lib in (ember, torch):
        param = lib.zeros(2, requires_grad=True)
        lr = lib.tensor(0.1)
        optimizer = lib.optim.Adam([param], lr=lr)
        scheduler = lib.optim.lr_scheduler.ExponentialLR(optimizer, gamma=0.5)
        optimizer.step()
        scheduler.step()
        results.append((optimizer.param_groups[0]["lr"] is lr, lr.item(),
                        [float(value) for value in scheduler.get_last_lr()]))
    assert results[0] == results[1]


def test_every_scheduler_names_torchs_module():
    # reprs and pickles show the defining module, which is lr_scheduler for all of them
    for name in dir(torch.optim.lr_scheduler):
        theirs = getattr(torch.optim.lr_scheduler, name)
        if isinstance(theirs, type) and issubclass(theirs, torch.optim.lr_scheduler.LRScheduler):
            mine = getattr(ember.optim.lr_scheduler, name)
            assert mine.__module__.replace("ember", "torch") == theirs.__module__, name


# ---- errors ----------------------------------------------------------------------------------

@pytest.mark.parametrize("build", [
    lambda m, o: m.LinearLR(o, start_factor=0.0),
    lambda m, o: m.LinearLR(o, end_factor=1.5),
    lambda m, o: m.ConstantLR(o, factor=1.5),
    lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=0),
    lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=0),
    lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=2, eta_min="0"),
    lambda m, o: m.OneCycleLR(o, max_lr=1.0),
    lambda m, o: m.OneCycleLR(o, max_lr=1.0, total_steps=0),
    lambda m, o: m.OneCycleLR(o, max_lr=1.0, epochs=0, steps_per_epoch=3),
    lambda m, o: m.OneCycleLR(o, max_lr=1.0, epochs=2, steps_per_epoch=-1),
    lambda m, o: m.OneCycleLR(o, max_lr=1.0, total_steps=10, pct_start=1.5),
    lambda m, o: m.OneCycleLR(o, max_lr=1.0, total_steps=10, anneal_strategy="square"),
    lambda m, o: m.OneCycleLR(o, max_lr=[1.0], total_steps=10),
    lambda m, o: m.CyclicLR(o, base_lr=0.1, max_lr=1.0, mode="sawtooth"),
    lambda m, o: m.CyclicLR(o, base_lr=[0.1, 0.1, 0.1], max_lr=1.0),
    lambda m, o: m.ReduceLROnPlateau(o, factor=1.0),
    lambda m, o: m.ReduceLROnPlateau(o, mode="largest"),
    lambda m, o: m.ReduceLROnPlateau(o, threshold_mode="relative"),
    lambda m, o: m.ReduceLROnPlateau(o, min_lr=[0.1]),
    lambda m, o: m.LambdaLR(o, lr_lambda=[lambda e: 1.0]),
    lambda m, o: m.MultiplicativeLR(o, lr_lambda=0.5),
    lambda m, o: m.StepLR(o, step_size=2, last_epoch=3),
    lambda m, o: m.SequentialLR(o, [m.ExponentialLR(o, 0.9)], milestones=[2]),
    lambda m, o: m.SequentialLR(o, [], milestones=[]),
    lambda m, o: m.SequentialLR(o, [m.ReduceLROnPlateau(o), m.ExponentialLR(o, 0.9)], [2]),
    lambda m, o: m.ChainedScheduler([]),
    lambda m, o: m.ChainedScheduler([m.ExponentialLR(o, 0.9), object()]),
], ids=lambda build: "")
def test_construction_errors(build):
    check_error(lambda lib: build(lib.optim.lr_scheduler, _optimizer(lib)))


def test_not_an_optimizer():
    check_error(lambda lib: lib.optim.lr_scheduler.StepLR("sgd", step_size=2))
    check_error(lambda lib: lib.optim.lr_scheduler.OneCycleLR(3, max_lr=1.0, total_steps=4))


def test_cycle_momentum_needs_momentum():
    check_error(lambda lib: lib.optim.lr_scheduler.CyclicLR(
        _optimizer(lib, "Adagrad"), base_lr=0.1, max_lr=1.0))


def test_one_cycle_past_total_steps():
    def action(lib):
        optimizer = _optimizer(lib)
        scheduler = lib.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=1.0, total_steps=3)
        for _ in range(4):
            optimizer.step()
            scheduler.step()
    check_error(action)


def test_warm_restarts_negative_epoch():
    def action(lib):
        scheduler = lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(_optimizer(lib), T_0=2)
        scheduler.step(-1)
    check_error(action)


def test_schedulers_of_different_optimizers():
    def action(lib):
        first, second = _optimizer(lib), _optimizer(lib)
        module = lib.optim.lr_scheduler
        return module.ChainedScheduler([module.ExponentialLR(first, 0.9),
                                        module.ExponentialLR(second, 0.9)])
    error = check_error(action)
    assert "expects all schedulers to belong to the same optimizer" in str(error)
