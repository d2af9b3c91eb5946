"""torch.optim.swa_utils against torch: AveragedModel with the default running mean, EMA
functions and buffer averaging, update_bn, SWALR's annealing and state, and the errors."""
import warnings

import numpy as np
import pytest

import ember
from oracle import assert_matches, check_error, torch


def _model(lib):
    model = lib.nn.Sequential(lib.nn.Linear(3, 5), lib.nn.BatchNorm1d(5), lib.nn.ReLU(),
                              lib.nn.Linear(5, 2)).double()
    rng = np.random.default_rng(2)
    with lib.no_grad():
        for param in model.parameters():
            param.copy_(lib.from_numpy(rng.standard_normal(tuple(param.shape)) * 0.4))
    return model


def _batches(lib):
    rng = np.random.default_rng(3)
    return [(lib.from_numpy(rng.standard_normal((6, 3))),
             lib.from_numpy(rng.standard_normal((6, 2)))) for _ in range(4)]


def _averaged(lib, **options):
    swa = lib.optim.swa_utils
    for name in ("avg_fn", "multi_avg_fn"):
        if name in options:
            maker, argument = options[name]
            options[name] = getattr(swa, maker)(*argument)
    model = _model(lib)
    averaged = swa.AveragedModel(model, **options)
    optimizer = lib.optim.SGD(model.parameters(), lr=0.1)
    for inputs, targets in _batches(lib) * 2:
        optimizer.zero_grad()
        lib.nn.functional.mse_loss(model(inputs), targets).backward()
        optimizer.step()
        averaged.update_parameters(model)
    return averaged


@pytest.mark.parametrize("options", [
    {},
    {"multi_avg_fn": ("get_ema_multi_avg_fn", (0.9,))},
    {"avg_fn": ("get_ema_avg_fn", (0.7,)), "use_buffers": True},
    {"avg_fn": ("get_swa_avg_fn", ())},
    {"multi_avg_fn": ("get_swa_multi_avg_fn", ())},
], ids=["swa", "ema-multi", "ema-buffers", "swa-fn", "swa-multi"])
def test_averaged_model_matches_torch(options):
    mine = _averaged(ember, **dict(options))
    theirs = _averaged(torch, **dict(options))
    assert list(mine.state_dict()) == list(theirs.state_dict())
    for key, value in theirs.state_dict().items():
        assert_matches(mine.state_dict()[key], value, where=key, rtol=1e-12, atol=1e-12)
    assert repr(mine) == repr(theirs)


def test_swa_multi_average_of_integer_buffers_fails_like_torch():
    # the int64 num_batches_tracked buffer reaches addcdiv, which refuses integer division
    check_error(lambda lib: _averaged(
        lib, multi_avg_fn=("get_swa_multi_avg_fn", ()), use_buffers=True))


def test_update_bn_recomputes_running_statistics_like_torch():
    results = []
    for lib in (ember, torch):
        averaged = _averaged(lib)
        averaged.eval()
        lib.optim.swa_utils.update_bn(_batches(lib), averaged)
        batch_norm = averaged.module[1]
        results.append((batch_norm.running_mean, batch_norm.running_var,
                        batch_norm.num_batches_tracked, batch_norm.momentum, averaged.training))
    assert_matches(results[0], results[1], rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("options", [
    {"swa_lr": 0.05},
    {"swa_lr": [0.05, 0.2], "anneal_epochs": 3, "anneal_strategy": "linear"},
    {"swa_lr": 0.1, "anneal_epochs": 0},
])
def test_swalr_schedule_and_state_match_torch(options):
    results = []
    for lib in (ember, torch):
        first, second = lib.zeros(1, requires_grad=True), lib.zeros(1, requires_grad=True)
        optimizer = lib.optim.SGD([{"params": [first]}, {"params": [second], "lr": 0.5}], lr=1.0)
        scheduler = lib.optim.swa_utils.SWALR(optimizer, **options)
        rates = []
        for _ in range(6):
            optimizer.step()
            scheduler.step()
            rates.append(scheduler.get_last_lr())
        state = scheduler.state_dict()
        restored = lib.optim.swa_utils.SWALR(optimizer, **options)
        restored.load_state_dict(scheduler.state_dict())
        results.append((rates, sorted(state), restored.anneal_func(0.25),
                        [group["swa_lr"] for group in optimizer.param_groups]))
    assert_matches(results[0], results[1], rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("build", [
    lambda lib: lib.optim.swa_utils.get_ema_avg_fn(1.5),
    lambda lib: lib.optim.swa_utils.get_ema_multi_avg_fn(-0.1),
    lambda lib: lib.optim.swa_utils.AveragedModel(
        lib.nn.Linear(1, 1), avg_fn=lib.optim.swa_utils.get_swa_avg_fn(),
        multi_avg_fn=lib.optim.swa_utils.get_swa_multi_avg_fn()),
    lambda lib: lib.optim.swa_utils.SWALR(lib.optim.SGD([lib.zeros(1, requires_grad=True)]),
                                          0.1, anneal_strategy="exp"),
    lambda lib: lib.optim.swa_utils.SWALR(lib.optim.SGD([lib.zeros(1, requires_grad=True)]),
                                          0.1, anneal_epochs=1.5),
    lambda lib: lib.optim.swa_utils.SWALR(lib.optim.SGD([lib.zeros(1, requires_grad=True)]),
                                          [0.1, 0.2]),
], ids=["ema-decay", "ema-multi-decay", "both-fns", "strategy", "epochs", "swa-lr-list"])
def test_swa_errors_match_torch(build):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_error(build)
