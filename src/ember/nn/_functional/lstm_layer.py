"""nn.functional: one LSTM layer in one direction as a single node, as PyTorch's CPU LSTM runs
float32 sequences (oneDNN's mkldnn_rnn_layer, grad_fn MkldnnRnnLayerBackward0, edges to input,
w_ih, w_hh, b_ih, b_hh, hx, cx; outputs: the sequence, h_n, c_n).

The forward keeps every step's gates; the backward is backpropagation through time in NumPy,
computed once per backward pass and shared by the seven rules. Under create_graph the
gradients must have history themselves (PyTorch's layer is twice differentiable): the layer is
then recomputed step by step with ember ops and differentiated with autograd.grad."""
import numpy as np

from ember._tensor import _wrap
from ember.autograd.grad_mode import STATE
from ember.ops._registry import node_class, record_multi

__all__ = []


def _sigmoid(values):
    return 1.0 / (1.0 + np.exp(-values))


class _LayerTape:
    """The forward's arrays a backward pass needs, and the gradients of the latest pass."""

    __slots__ = ("inputs", "hiddens", "cells", "gates", "reverse", "latest")

    def __init__(self, inputs, hiddens, cells, gates, reverse):
        self.inputs = inputs
        self.hiddens = hiddens
        self.cells = cells
        self.gates = gates
        self.reverse = reverse
        self.latest = None


def _forward(x, h, c, w_ih, w_hh, b_ih, b_hh, reverse):
    """Runs the layer; returns (outputs, h_n, c_n, tape). x is (T, B, I)."""
    steps = x.shape[0]
    size = w_hh.shape[1]
    projected = np.matmul(x, w_ih.T)
    if b_ih is not None:
        projected = projected + b_ih + b_hh
    order = range(steps - 1, -1, -1) if reverse else range(steps)
    outputs = np.empty((steps,) + h.shape, dtype=x.dtype)
    # hiddens[k] / cells[k] are the states before the k-th step taken (in running order)
    hiddens = [h]
    cells = [c]
    gates = np.empty((steps,) + (h.shape[0], 4 * size), dtype=x.dtype)
    for position, time in enumerate(order):
        pre = projected[time] + np.matmul(h, w_hh.T)
        input_gate = _sigmoid(pre[:, :size])
        forget_gate = _sigmoid(pre[:, size:2 * size])
        cell_gate = np.tanh(pre[:, 2 * size:3 * size])
        output_gate = _sigmoid(pre[:, 3 * size:])
        c = forget_gate * c + input_gate * cell_gate
        h = output_gate * np.tanh(c)
        gates[position] = np.concatenate([input_gate, forget_gate, cell_gate, output_gate], 1)
        outputs[time] = h
        hiddens.append(h)
        cells.append(c)
    tape = _LayerTape(x, hiddens, cells, gates, reverse)
    return outputs, h, c, tape


def _backward(tape, grad_output, grad_h, grad_c, w_ih, w_hh):
    """Backpropagation through time: gradients for (x, w_ih, w_hh, b, h0, c0)."""
    x = tape.inputs
    steps = x.shape[0]
    size = w_hh.shape[1]
    order = list(range(steps - 1, -1, -1) if tape.reverse else range(steps))
    grad_pre = np.empty_like(tape.gates)
    dh = grad_h
    dc = grad_c
    for position in range(steps - 1, -1, -1):
        time = order[position]
        gates = tape.gates[position]
        input_gate = gates[:, :size]
        forget_gate = gates[:, size:2 * size]
        cell_gate = gates[:, 2 * size:3 * size]
        output_gate = gates[:, 3 * size:]
        cell = tape.cells[position + 1]
        tanh_cell = np.tanh(cell)
        dh = dh + grad_output[time]
        d_output = dh * tanh_cell
        dc = dc + dh * output_gate * (1 - tanh_cell * tanh_cell)
        d_input = dc * cell_gate
        d_cell_gate = dc * input_gate
        d_forget = dc * tape.cells[position]
        dc = dc * forget_gate
        grad_pre[position] = np.concatenate([
            d_input * input_gate * (1 - input_gate),
            d_forget * forget_gate * (1 - forget_gate),
            d_cell_gate * (1 - cell_gate * cell_gate),
            d_output * output_gate * (1 - output_gate)], 1)
        dh = np.matmul(grad_pre[position], w_hh)
    # grad_pre is in running order; put it back in time order for the input projections
    by_time = grad_pre[::-1] if tape.reverse else grad_pre
    flat = by_time.reshape(-1, 4 * size)
    grad_x = np.matmul(by_time, w_ih)
    grad_w_ih = np.matmul(flat.T, x.reshape(-1, x.shape[-1]))
    previous = np.stack(tape.hiddens[:-1])
    grad_w_hh = np.matmul(grad_pre.reshape(-1, 4 * size).T,
                          previous.reshape(-1, previous.shape[-1]))
    grad_bias = flat.sum(0)
    return grad_x, grad_w_ih, grad_w_hh, grad_bias, dh, dc


def _recomputed_gradients(grads, tape, inputs):
    """The seven gradients as ember expressions of the inputs and grads (for create_graph)."""
    from ember.autograd.backward import grad as autograd_grad
    from ember.nn._functional.recurrent import _lstm_step, _run_direction
    layer_input, w_ih, w_hh, b_ih, b_hh, h0, c0 = inputs
    output, (h_n, c_n) = _run_direction(_lstm_step, layer_input, (h0, c0),
                                        (w_ih, w_hh, b_ih, b_hh, None), tape.reverse)
    wanted = [t for t in inputs if t is not None and t.requires_grad]
    found = iter(autograd_grad((output, h_n, c_n), wanted, grads, create_graph=True,
                               allow_unused=True))
    return [next(found) if t is not None and t.requires_grad else None for t in inputs]


def _gradients(grads, tape, *inputs):
    # the seven rules of one backward pass share one computation
    if tape.latest is None or tape.latest[0] is not grads:
        if STATE.enabled:
            tape.latest = (grads, _recomputed_gradients(grads, tape, inputs))
            return tape.latest[1]
        w_ih, w_hh = inputs[1], inputs[2]
        arrays = _backward(tape, grads[0]._data, grads[1]._data, grads[2]._data, w_ih._data,
                           w_hh._data)
        dtype = tape.inputs.dtype
        results = [_wrap(np.ascontiguousarray(a, dtype=dtype)) for a in arrays]
        # (x, w_ih, w_hh, b_ih, b_hh, h0, c0): both biases take the same gradient
        tape.latest = (grads, results[:4] + results[3:])
    return tape.latest[1]


def _rule(position):
    return lambda grads, tape, *inputs: _gradients(grads, tape, *inputs)[position]


MkldnnRnnLayerBackward0 = node_class("MkldnnRnnLayerBackward0",
                                     *[_rule(position) for position in range(7)],
                                     multi_output=True)


def _lstm_layer(layer_input, state, weights, reverse):
    """(output, (h_n, c_n)) of one layer and direction over a (T, B, I) input."""
    w_ih, w_hh, b_ih, b_hh = weights[:4]
    h0, c0 = state
    outputs, h, c, tape = _forward(layer_input._data, h0._data, c0._data, w_ih._data,
                                   w_hh._data, None if b_ih is None else b_ih._data,
                                   None if b_hh is None else b_hh._data, reverse)
    inputs = (layer_input, w_ih, w_hh, b_ih, b_hh, h0, c0)
    output, h_n, c_n = record_multi((outputs, h, c), MkldnnRnnLayerBackward0, inputs,
                                    (tape,) + inputs)
    return output, (h_n, c_n)
