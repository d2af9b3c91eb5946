"""The seed notebook (autograd basics and a numerical derivative) as a script, ending with the
plot the notebook builds toward: f(x) = 3x^2 - 4x and its tangent at x = 1, whose slope comes
from autograd.

    python -m ember run examples/seed_notebook.py     # ember
    python examples/seed_notebook.py                  # PyTorch
Writes seed_notebook_tangent.png (matplotlib, from the examples extra) to the current
directory, or to the directory given as the first argument."""
import os
import sys

import numpy as np
import torch

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

plt.style.use("dark_background")

print("library version:", torch.__version__)
print(repr(np.array([10])))

# the derivative of sin at 2 is cos(2)
x = torch.tensor([2.0], requires_grad=True)
y = torch.sin(x)
y.backward()
print(x.grad)
print(x.stride())

# a transpose is a view: writing through it changes the original
A = torch.ones(10, 10)
B = A.t()
print(A.stride(), B.stride())
B[1] = 10
print(repr(A))

dump = lambda **kwargs: kwargs  # noqa: E731
print(dump(**{"x": 3, "c": 4}))

# the difference quotient of f at 1 approaches f'(1) = 2
f = lambda x: 3 * x ** 2 - 4 * x  # noqa: E731
for h in 10 ** np.arange(-1, -6, -1, dtype=float):
    print(f"h={h:.5f}, numerical limit= {(f(1 + h) - f(1)) / h:.5f}")

# y = 2 x.x has gradient 4x
x = torch.arange(4.0, requires_grad=True)
y = 2 * x @ x
y.backward()
dy_dx = x.grad
print(repr((y, dy_dx)))
print(repr(x.grad == 4 * x))

# gradients accumulate: zero them before the next backward
x.grad.zero_()
y = 2 * x.sum()
y.backward()
print(repr(x.grad))
print(repr(y))
print(repr(x.sum()))

# backward of a non-scalar needs the vector v of v^T (dy/dx)
x.grad.zero_()
y = x * x
y.backward(gradient=torch.ones(len(y)))
print(repr(x.grad))
print(repr(y))

# detach() cuts the graph: u is a constant for the backward pass
x.grad.zero_()
y = x * x
u = y.detach()
z = u * x
out = z.sum()
out.backward()
print(repr(x.grad == u))

# f and its tangent at x = 1: the slope f'(1) comes from autograd
point = torch.tensor(1.0, requires_grad=True)
value = f(point)
value.backward()
slope = point.grad.item()
intercept = value.item() - slope
sign = "-" if intercept < 0 else "+"
print(f"f(1) = {value.item():.1f}, f'(1) = {slope:.1f}: tangent y = {slope:.1f}x {sign} "
      f"{abs(intercept):.1f}")
xs = torch.arange(0.0, 3.0, 0.1)
tangent = slope * (xs - 1.0) + value.item()
figure, axes = plt.subplots(figsize=(6, 4))
axes.plot(xs.numpy(), f(xs).numpy(), label="f(x) = 3x² - 4x")
axes.plot(xs.numpy(), tangent.numpy(), "--", label=f"tangent at x = 1 (slope {slope:g})")
axes.plot([1.0], [value.item()], "o")
axes.set(xlabel="x", ylabel="f(x)")
axes.legend()
figure.tight_layout()
output_dir = sys.argv[1] if len(sys.argv) > 1 else "."
path = os.path.join(output_dir, "seed_notebook_tangent.png")
figure.savefig(path, dpi=100)
print(f"saved {path}")
