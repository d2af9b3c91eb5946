"""End to end: the same MLP and CNN, trained 50 steps from the same weights on the same batches
in ember and in torch, follow the same loss curve."""
import numpy as np
import pytest

import ember
from oracle import torch

pytestmark = pytest.mark.skipif(torch is None, reason="EMBER_NO_ORACLE=1")


def _mlp(lib):
    nn = lib.nn
    return nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 32), nn.Tanh(),
                         nn.Linear(32, 5))


def _cnn(lib):
    nn = lib.nn
    return nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(4, 8, 3),
                         nn.ReLU(), nn.Flatten(), nn.Linear(8 * 2 * 2, 5))


def _train(lib, model, batches, optimizer_name):
    optimizer = (lib.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
                 if optimizer_name == "sgd" else lib.optim.Adam(model.parameters(), lr=1e-3))
    loss_function = lib.nn.CrossEntropyLoss()
    losses = []
    for inputs, targets in batches:
        optimizer.zero_grad()
        loss = loss_function(model(lib.from_numpy(inputs)), lib.from_numpy(targets))
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return np.array(losses)


@pytest.mark.parametrize("build,input_shape", [(_mlp, (20,)), (_cnn, (1, 10, 10))],
                         ids=["mlp", "cnn"])
@pytest.mark.parametrize("optimizer_name", ["sgd", "adam"])
def test_fifty_training_steps_follow_torch(build, input_shape, optimizer_name):
    rng = np.random.default_rng(0)
    batches = [(rng.standard_normal((16,) + input_shape).astype(np.float32),
                rng.integers(0, 5, 16)) for _ in range(50)]
    torch.manual_seed(0)
    theirs = build(torch)
    mine = build(ember)
    mine.load_state_dict({name: ember.from_numpy(value.detach().numpy().copy())
                          for name, value in theirs.state_dict().items()})
    expected = _train(torch, theirs, batches, optimizer_name)
    got = _train(ember, mine, batches, optimizer_name)
    np.testing.assert_allclose(got, expected, rtol=1e-3)
    assert got[-10:].mean() < got[:10].mean()
