"""Benchmark workloads. Each builder takes a library name ('ember', 'torch' or 'numpy') and
returns a zero-argument callable to time, or None where the workload does not apply. ember and
torch run the very same code (ember speaks torch's API); 'numpy' is the floor a NumPy-backed
library can reach, written by hand with explicit gradients. Inputs come from the same NumPy
arrays for every library."""
import numpy as np


def _library(name):
    if name == "ember":
        import ember
        return ember
    if name == "torch":
        import torch
        return torch
    return None


def _tensor(lib, array, requires_grad=False):
    if lib is None:
        return array
    tensor = lib.from_numpy(array.copy())
    if requires_grad:
        tensor.requires_grad_(True)
    return tensor


def _random(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


# ---- W2: one small op ---------------------------------------------------------------------

def _small_op(op_name, requires_grad=False):
    def build(library):
        lib = _library(library)
        x = _tensor(lib, _random(4, 1), requires_grad)
        y = _tensor(lib, _random(4, 2))
        if lib is None:
            if requires_grad:
                return None
            return {"add": lambda: x + y, "mul": lambda: x * y,
                    "sin": lambda: np.sin(x), "exp": lambda: np.exp(x)}[op_name]
        return {"add": lambda: x + y, "mul": lambda: x * y,
                "sin": lambda: lib.sin(x), "exp": lambda: lib.exp(x)}[op_name]
    return build


# ---- W3: a tiny graph, forward and backward ------------------------------------------------

def _tiny_graph(library):
    lib = _library(library)
    start = _random(16, 3)
    if lib is None:
        return lambda: _tiny_graph_numpy(start)
    x = _tensor(lib, start, requires_grad=True)

    def step():
        y = x
        for _ in range(50):
            y = y * 1.01
            y = y + 0.1
            y = y.sin()
            y = y * y
        y.sum().backward()
        x.grad = None
    return step


def _tiny_graph_numpy(x):
    values = []
    y = x
    for _ in range(50):
        y = y * np.float32(1.01)
        y = y + np.float32(0.1)
        values.append(y)
        y = np.sin(y)
        values.append(y)
        y = y * y
    grad = np.ones_like(y)
    for _ in range(50):
        s = values.pop()
        grad = grad * 2 * s
        u = values.pop()
        grad = grad * np.cos(u)
        grad = grad * np.float32(1.01)
    return grad


# ---- W4: large elementwise ----------------------------------------------------------------

def _large_fma(library):
    lib = _library(library)
    x, y, z = (_tensor(lib, _random(10_000_000, seed)) for seed in (4, 5, 6))
    return lambda: x * y + z


def _large_sin(library):
    lib = _library(library)
    x = _tensor(lib, _random(10_000_000, 7))
    if lib is None:
        return lambda: np.sin(x)
    return lambda: lib.sin(x)


# ---- W5: matmul ---------------------------------------------------------------------------

def _matmul_forward(library):
    lib = _library(library)
    a = _tensor(lib, _random((1024, 1024), 8))
    b = _tensor(lib, _random((1024, 1024), 9))
    if lib is None:
        return lambda: a @ b
    return lambda: a @ b


def _matmul_backward(library):
    lib = _library(library)
    a_array, b_array = _random((1024, 1024), 8), _random((1024, 1024), 9)
    if lib is None:
        def step():
            out = a_array @ b_array
            grad = np.ones_like(out)
            return grad @ b_array.T, a_array.T @ grad
        return step
    a = _tensor(lib, a_array, True)
    b = _tensor(lib, b_array, True)

    def step():
        (a @ b).backward(lib.ones(1024, 1024))
        a.grad = None
        b.grad = None
    return step


# ---- W6/W7/W9: training steps -------------------------------------------------------------

def _training_step(lib, model, inputs, targets):
    optimizer = lib.optim.SGD(model.parameters(), lr=0.01)
    loss_function = lib.nn.CrossEntropyLoss()

    def step():
        optimizer.zero_grad()
        loss = loss_function(model(inputs), targets)
        loss.backward()
        optimizer.step()
    return step


def _copy_weights(lib, model, seed):
    rng = np.random.default_rng(seed)
    with lib.no_grad():
        for parameter in model.parameters():
            values = rng.uniform(-0.1, 0.1, tuple(parameter.shape)).astype(np.float32)
            parameter.copy_(lib.from_numpy(values))


def _mlp_numpy(batch):
    """The W6 step by hand: three affine layers, ReLU, softmax cross-entropy, SGD."""
    rng = np.random.default_rng(10)
    sizes = [(256, 784), (256, 256), (10, 256)]
    weights, biases = [], []
    for size in sizes:  # _copy_weights's order: each layer's weight, then its bias
        weights.append(rng.uniform(-0.1, 0.1, size).astype(np.float32))
        biases.append(rng.uniform(-0.1, 0.1, size[0]).astype(np.float32))
    inputs = _random((batch, 784), 11)
    targets = np.random.default_rng(12).integers(0, 10, batch)
    rows = np.arange(batch)

    def step():
        activations = [inputs]
        for layer, (weight, bias) in enumerate(zip(weights, biases)):
            out = activations[-1] @ weight.T + bias
            activations.append(np.maximum(out, 0) if layer < 2 else out)
        logits = activations.pop()
        shifted = logits - logits.max(1, keepdims=True)
        probs = np.exp(shifted)
        probs /= probs.sum(1, keepdims=True)
        grad = probs
        grad[rows, targets] -= 1
        grad /= batch
        for layer in (2, 1, 0):
            below = activations[layer]
            grad_weight = grad.T @ below
            grad_bias = grad.sum(0)
            if layer:
                grad = (grad @ weights[layer]) * (below > 0)
            weights[layer] -= np.float32(0.01) * grad_weight
            biases[layer] -= np.float32(0.01) * grad_bias
    return step


def _mlp(batch):
    def build(library):
        lib = _library(library)
        if lib is None:
            return _mlp_numpy(batch)
        nn = lib.nn
        model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(),
                              nn.Linear(256, 10))
        _copy_weights(lib, model, 10)
        inputs = _tensor(lib, _random((batch, 784), 11))
        targets = lib.from_numpy(np.random.default_rng(12).integers(0, 10, batch))
        return _training_step(lib, model, inputs, targets)
    return build


def _cnn(library):
    lib = _library(library)
    if lib is None:
        return None
    nn = lib.nn
    model = nn.Sequential(nn.Conv2d(1, 16, 3), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(16, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                          nn.Linear(32 * 5 * 5, 10))
    _copy_weights(lib, model, 13)
    inputs = _tensor(lib, _random((64, 1, 28, 28), 14))
    targets = lib.from_numpy(np.random.default_rng(15).integers(0, 10, 64))
    return _training_step(lib, model, inputs, targets)


def _transformer(library):
    lib = _library(library)
    if lib is None:
        return None
    nn = lib.nn
    layer = nn.TransformerEncoderLayer(d_model=128, nhead=4, batch_first=True, dropout=0.0)
    encoder = nn.TransformerEncoder(layer, num_layers=2, enable_nested_tensor=False)
    head = nn.Linear(128, 10)
    model = nn.Sequential(encoder, nn.Flatten(0, 1), head)
    _copy_weights(lib, model, 16)
    inputs = _tensor(lib, _random((16, 64, 128), 17))
    targets = lib.from_numpy(np.random.default_rng(18).integers(0, 10, 16 * 64))
    return _training_step(lib, model, inputs, targets)


# name -> (builder, calls per timed sample, samples)
WORKLOADS = {
    "W2 add 4 floats": (_small_op("add"), 2000, 15),
    "W2 mul 4 floats": (_small_op("mul"), 2000, 15),
    "W2 sin 4 floats": (_small_op("sin"), 2000, 15),
    "W2 exp 4 floats": (_small_op("exp"), 2000, 15),
    "W2 add 4 floats, requires_grad": (_small_op("add", True), 2000, 15),
    "W2 mul 4 floats, requires_grad": (_small_op("mul", True), 2000, 15),
    "W2 sin 4 floats, requires_grad": (_small_op("sin", True), 2000, 15),
    "W2 exp 4 floats, requires_grad": (_small_op("exp", True), 2000, 15),
    "W3 200-op graph fwd+bwd": (_tiny_graph, 20, 15),
    "W4 x*y+z 10M float32": (_large_fma, 1, 9),
    "W4 sin 10M float32": (_large_sin, 1, 9),
    "W5 matmul 1024 fwd": (_matmul_forward, 1, 9),
    "W5 matmul 1024 fwd+bwd": (_matmul_backward, 1, 7),
    "W6 MLP step batch 64": (_mlp(64), 10, 9),
    "W6 MLP step batch 1024": (_mlp(1024), 2, 7),
    "W7 CNN step batch 64": (_cnn, 2, 7),
    "W9 transformer step": (_transformer, 1, 5),
}
