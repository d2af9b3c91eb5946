"""Fits a line to noisy points with autograd and plain gradient descent, PyTorch-style.

Runs unmodified under PyTorch (`python examples/fit_line.py`) and under ember
(`python -m ember run examples/fit_line.py`); with matplotlib installed it also saves a plot."""
import torch

torch.manual_seed(0)
x = torch.linspace(-2, 2, 50)
y = 3 * x - 4 + 0.3 * torch.randn(50)

weight = torch.zeros(1, requires_grad=True)
bias = torch.zeros(1, requires_grad=True)
learning_rate = 0.1
for step in range(101):
    prediction = weight * x + bias
    loss = ((prediction - y) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        weight -= learning_rate * weight.grad
        bias -= learning_rate * bias.grad
        weight.grad.zero_()
        bias.grad.zero_()
    if step % 20 == 0:
        print(f"step {step:3d}  loss {loss.item():.4f}  weight {weight.item():.3f}  "
              f"bias {bias.item():.3f}")

print("fitted:", weight.detach(), bias.detach())
print("loss:", loss)

try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    print("(install matplotlib to get a plot: pip install -e '.[examples]')")
else:
    plt.scatter(x, y, s=10, label="data")
    plt.plot(x, (weight * x + bias).detach(), color="C1", label="fit")
    plt.legend()
    plt.savefig("fit_line.png")
    print("saved fit_line.png")
