"""ember.amp against torch.amp on PyTorch's CPU-only build: GradScaler's loss scaling, skipped
steps, scale growth and back-off, state dicts and errors; disabled "cuda" scalers and autocast
regions with PyTorch's warnings."""
import warnings

import numpy as np
import pytest

import ember
from oracle import assert_matches, check_error, requires_oracle, torch

pytestmark = requires_oracle


def _training(lib, poison_steps, **scaler_options):
    """Five scaled SGD steps on a fixed problem; gradients of `poison_steps` get an inf."""
    weight = lib.nn.Parameter(lib.from_numpy(np.array([1.0, -2.0, 0.5], dtype=np.float32)))
    optimizer = lib.optim.SGD([weight], lr=0.1, momentum=0.9)
    scaler = lib.amp.GradScaler("cpu", **scaler_options)
    inputs = lib.from_numpy(np.array([[0.5, 1.0, -1.0], [2.0, 0.0, 1.0]], dtype=np.float32))
    history = []
    for step in range(5):
        optimizer.zero_grad()
        loss = ((inputs @ weight) ** 2).sum()
        scaled = scaler.scale(loss)
        scaled.backward()
        if step in poison_steps:
            with lib.no_grad():
                weight.grad[1] = float("inf")
        returned = scaler.step(optimizer)
        scaler.update()
        history.append((scaled.detach(), weight.detach().clone(), returned, scaler.get_scale(),
                        scaler.state_dict()))
    return history


@pytest.mark.parametrize("poison_steps", [(), (1,), (0, 1, 3)])
@pytest.mark.parametrize("options", [{}, {"init_scale": 4.0, "growth_interval": 2},
                                     {"init_scale": 8.0, "growth_factor": 3.0,
                                      "backoff_factor": 0.25, "growth_interval": 1}])
def test_grad_scaler_training_matches_torch(poison_steps, options):
    mine = _training(ember, poison_steps, **options)
    theirs = _training(torch, poison_steps, **options)
    for step, (a, b) in enumerate(zip(mine, theirs)):
        assert_matches(a[0], b[0], where=f"step {step} scaled loss", grad_fn=False)
        assert_matches(a[1], b[1], where=f"step {step} weight")
        assert a[2:] == b[2:]


def test_unscale_before_clipping_matches_torch():
    results = {}
    for lib in (ember, torch):
        weight = lib.nn.Parameter(lib.from_numpy(np.array([3.0, -4.0], dtype=np.float32)))
        optimizer = lib.optim.SGD([weight], lr=0.5)
        scaler = lib.amp.GradScaler("cpu", init_scale=1024.0)
        scaler.scale((weight ** 2).sum()).backward()
        scaler.unscale_(optimizer)
        norm = lib.nn.utils.clip_grad_norm_([weight], 1.0)
        scaler.step(optimizer)
        scaler.update()
        results[lib] = (norm, weight.detach().clone())
    assert_matches(results[ember], results[torch], grad_fn=False)


def _stepped_scaler(lib):
    weight = lib.nn.Parameter(lib.ones(2))
    optimizer = lib.optim.SGD([weight], lr=0.1)
    scaler = lib.amp.GradScaler("cpu")
    scaler.scale(weight.sum()).backward()
    return scaler, optimizer


@pytest.mark.parametrize("misuse", [
    lambda lib, scaler, optimizer: (scaler.unscale_(optimizer), scaler.unscale_(optimizer)),
    lambda lib, scaler, optimizer: (scaler.step(optimizer), scaler.unscale_(optimizer)),
    lambda lib, scaler, optimizer: (scaler.step(optimizer), scaler.step(optimizer)),
    lambda lib, scaler, optimizer: scaler.step(optimizer, closure=lambda: 0.0),
    lambda lib, scaler, optimizer: scaler.update(),
    lambda lib, scaler, optimizer: (scaler.step(optimizer), scaler.update("2.0")),
    lambda lib, scaler, optimizer: (scaler.step(optimizer),
                                    scaler.update(lib.ones(2))),
    lambda lib, scaler, optimizer: scaler.load_state_dict({}),
    lambda lib, scaler, optimizer: scaler.scale(3.0),
])
def test_grad_scaler_misuse_raises_as_torch(misuse):
    check_error(lambda lib: misuse(lib, *_stepped_scaler(lib)))


def test_grad_scaler_new_scale_and_state_dict_round_trip():
    for lib in (ember, torch):
        scaler, optimizer = _stepped_scaler(lib)
        scaler.step(optimizer)
        scaler.update(0.125)
        assert scaler.get_scale() == 0.125
        restored = lib.amp.GradScaler("cpu")
        restored.load_state_dict(scaler.state_dict())
        assert restored.state_dict() == scaler.state_dict()
        assert scaler.scale([lib.ones(1), (lib.ones(1),)])[1][0].item() == 0.125


def test_cuda_scaler_and_autocast_are_disabled_with_torch_warnings():
    records = {}
    for lib in (ember, torch):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            scaler = lib.amp.GradScaler()
            with lib.autocast(device_type="cuda", dtype=lib.float16):
                product = lib.ones(2, 2) @ lib.ones(2, 2)
                enabled_inside = lib.is_autocast_enabled("cuda")
        weight = lib.nn.Parameter(lib.ones(2))
        optimizer = lib.optim.SGD([weight], lr=0.1)
        loss = scaler.scale(weight.sum())
        loss.backward()
        records[lib] = (str(product.dtype).split(".")[-1], enabled_inside, scaler.is_enabled(),
                        scaler.get_scale(), scaler.state_dict(), scaler.step(optimizer),
                        scaler.update(), weight.tolist(),
                        [str(w.message) for w in caught])
    assert records[ember] == records[torch]


def test_cpu_autocast_is_disabled_with_a_warning():
    with pytest.warns(UserWarning, match="run in their inputs' dtypes"):
        with ember.autocast("cpu"):
            product = ember.ones(2, 2) @ ember.ones(2, 2)
    assert product.dtype is ember.float32 and not ember.is_autocast_enabled("cpu")
    assert ember.autocast("cpu", enabled=False).fast_dtype is ember.bfloat16


def test_autocast_queries_and_errors():
    for device_type in ("cpu", "cuda"):
        assert str(ember.get_autocast_dtype(device_type)) == str(
            torch.get_autocast_dtype(device_type)).replace("torch.", "ember.")
        assert ember.amp.is_autocast_available(device_type)
    check_error(lambda lib: lib.get_autocast_dtype("xyz"))
    check_error(lambda lib: lib.autocast(device_type="xpu2"))
