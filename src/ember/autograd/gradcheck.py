"""gradcheck and gradgradcheck: analytical Jacobians against central finite differences."""
import warnings

import numpy as np

from ember._tensor import Tensor, _wrap
from ember.autograd.backward import grad as autograd_grad

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError"]


class GradcheckError(RuntimeError):
    """Raised by gradcheck when analytical and numerical gradients disagree."""


def _as_tuple(value):
    return value if isinstance(value, tuple) else (value,)


def _differentiable_inputs(inputs):
    return [(position, tensor) for position, tensor in enumerate(inputs)
            if isinstance(tensor, Tensor) and tensor._requires_grad]


def _warn_unless_double(inputs):
    for position, tensor in _differentiable_inputs(inputs):
        if tensor._data.dtype not in (np.float64, np.complex128):
            warnings.warn(f"Input #{position} requires gradient and is not a double precision "
                          "floating point or complex. This check will likely fail if all the "
                          "inputs are not of double precision floating point or complex. ",
                          UserWarning, stacklevel=3)


def _outputs_of(function, inputs):
    return [out for out in _as_tuple(function(*inputs)) if isinstance(out, Tensor)]


def _numerical_jacobians(function, inputs, eps):
    """One (numel_in, numel_out) matrix per (differentiable input, output) pair."""
    outputs = _outputs_of(function, inputs)
    jacobians = []
    for _, tensor in _differentiable_inputs(inputs):
        per_output = [np.zeros((tensor._data.size, out._data.size), dtype=tensor._data.dtype)
                      for out in outputs]
        for index in range(tensor._data.size):
            position = np.unravel_index(index, tensor._data.shape)
            original = tensor._data[position].copy()
            # writing the raw buffer perturbs the value without touching version counters
            tensor._data[position] = original + eps
            plus = [o._data.reshape(-1).copy() for o in _outputs_of(function, inputs)]
            tensor._data[position] = original - eps
            minus = [o._data.reshape(-1).copy() for o in _outputs_of(function, inputs)]
            tensor._data[position] = original
            for matrix, high, low in zip(per_output, plus, minus):
                matrix[index] = (high - low) / (2 * eps)
        jacobians.append(per_output)
    return outputs, jacobians


def _analytical_jacobians(outputs, inputs):
    differentiable = [tensor for _, tensor in _differentiable_inputs(inputs)]
    jacobians = [[np.zeros((tensor._data.size, out._data.size), dtype=tensor._data.dtype)
                  for out in outputs] for tensor in differentiable]
    for column_output, out in enumerate(outputs):
        if not out._requires_grad:
            continue
        for index in range(out._data.size):
            cotangent = np.zeros(out._data.size, dtype=out._data.dtype)
            cotangent[index] = 1
            grads = autograd_grad(out, differentiable, _wrap(cotangent.reshape(out._data.shape)),
                                  retain_graph=True, allow_unused=True)
            for row_input, grad in enumerate(grads):
                if grad is not None:
                    jacobians[row_input][column_output][:, index] = grad._data.reshape(-1)
    return jacobians


def _format(matrix):
    return repr(_wrap(matrix))


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True,
              nondet_tol=0.0, check_undefined_grad=True, check_grad_dtypes=False,
              check_batched_grad=False, check_batched_forward_grad=False,
              check_forward_ad=False, check_backward_ad=True, fast_mode=False, masked=None):
    """Checks func's gradients against finite differences; True, or GradcheckError."""
    inputs = _as_tuple(inputs)
    _warn_unless_double(inputs)
    if not _differentiable_inputs(inputs):
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but "
                         "none of the them have requires_grad=True.")
    outputs, numerical = _numerical_jacobians(func, inputs, eps)
    analytical = _analytical_jacobians(outputs, inputs)
    for input_index, (numeric_rows, analytic_rows) in enumerate(zip(numerical, analytical)):
        for output_index, (numeric, analytic) in enumerate(zip(numeric_rows, analytic_rows)):
            if not np.allclose(analytic, numeric, rtol=rtol, atol=atol):
                message = (f"Jacobian mismatch for output {output_index} with respect to input "
                           f"{input_index},\nnumerical:{_format(numeric)}\n"
                           f"analytical:{_format(analytic)}\n")
                if raise_exception:
                    raise GradcheckError(message)
                return False
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3,
                  gen_non_contig_grad_outputs=False, raise_exception=True, nondet_tol=0.0,
                  check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
                  check_fwd_over_rev=False, check_rev_over_rev=True, fast_mode=False,
                  masked=False):
    """Checks second derivatives: gradcheck of the function's vector-Jacobian product."""
    inputs = _as_tuple(inputs)
    outputs = _outputs_of(func, inputs)
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        grad_outputs = tuple(
            _wrap(rng.standard_normal(out._data.shape).astype(out._data.dtype))
            .requires_grad_(True) for out in outputs)
    grad_outputs = _as_tuple(grad_outputs)
    count = len(inputs)

    def first_derivatives(*values):
        own_inputs = values[:count]
        cotangents = values[count:]
        own_outputs = _outputs_of(func, own_inputs)
        differentiable = [t for _, t in _differentiable_inputs(own_inputs)]
        grads = autograd_grad(own_outputs, differentiable, cotangents, create_graph=True,
                              allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(first_derivatives, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
