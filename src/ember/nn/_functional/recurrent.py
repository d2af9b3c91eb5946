"""nn.functional: recurrent. The cell steps and the multi-layer, bidirectional sequence loop
behind nn.RNN/LSTM/GRU and their cells, written as ATen's CPU implementation computes them
(same gate order, same placement of the hidden bias, same stacking), so values, gradients and
grad_fn names match PyTorch's (float32 LSTMs without projections run as PyTorch's oneDNN
layers do, one node per layer and direction: see lstm_layer.py).

The time loop is a Python loop, but each step is a handful of large ops: the input projection
of every time step is one matmul per layer and direction, done before the loop, and each step
is one matmul of the hidden state against all gates at once."""
import warnings

from ember._dtype import float32
from ember.nn._functional.activation import relu
from ember.nn._functional.linear import linear
from ember.nn._functional.lstm_layer import _lstm_layer
from ember.ops.joining import cat, stack

__all__ = []


def _hidden_projection(hidden, weight_hh, bias_hh):
    """hidden @ weight_hh.T + bias_hh for every gate at once (one addmm)."""
    return linear(hidden, weight_hh, bias_hh)


def _tanh_step(projected_input, hidden, weights):
    weight_hh, bias_hh = weights[1], weights[3]
    return (projected_input + _hidden_projection(hidden, weight_hh, bias_hh)).tanh()


def _relu_step(projected_input, hidden, weights):
    weight_hh, bias_hh = weights[1], weights[3]
    return relu(projected_input + _hidden_projection(hidden, weight_hh, bias_hh))


def _lstm_step(projected_input, state, weights):
    """Gates in PyTorch's order (input, forget, cell, output); optional output projection."""
    hidden, cell = state
    weight_hh, bias_hh, weight_hr = weights[1], weights[3], weights[4]
    gates = _hidden_projection(hidden, weight_hh, bias_hh) + projected_input
    input_gate, forget_gate, cell_gate, output_gate = gates.chunk(4, 1)
    input_gate = input_gate.sigmoid()
    forget_gate = forget_gate.sigmoid()
    cell_gate = cell_gate.tanh()
    output_gate = output_gate.sigmoid()
    cell = forget_gate * cell + input_gate * cell_gate
    hidden = output_gate * cell.tanh()
    if weight_hr is not None:
        hidden = hidden.matmul(weight_hr.t())
    return hidden, cell


def _gru_step(projected_input, hidden, weights):
    """Gates in PyTorch's order (reset, update, new); the hidden bias of the new gate stays
    inside reset * (W_hn h + b_hn), as PyTorch (and cuDNN) place it."""
    weight_hh, bias_hh = weights[1], weights[3]
    input_reset, input_update, input_new = projected_input.chunk(3, 1)
    hidden_gates = _hidden_projection(hidden, weight_hh, bias_hh)
    hidden_reset, hidden_update, hidden_new = hidden_gates.chunk(3, 1)
    reset_gate = (hidden_reset + input_reset).sigmoid()
    update_gate = (hidden_update + input_update).sigmoid()
    new_gate = (input_new + hidden_new * reset_gate).tanh()
    return (hidden - new_gate) * update_gate + new_gate


_STEPS = {"RNN_TANH": _tanh_step, "RNN_RELU": _relu_step, "LSTM": _lstm_step,
          "GRU": _gru_step}


def _run_direction(step, layer_input, state, weights, reverse):
    """Runs one layer in one direction over time; returns (stacked outputs, final state)."""
    projected = linear(layer_input, weights[0], weights[2]).unbind(0)
    outputs = [None] * len(projected)
    order = range(len(projected) - 1, -1, -1) if reverse else range(len(projected))
    is_lstm = step is _lstm_step
    for time in order:
        state = step(projected[time], state, weights)
        outputs[time] = state[0] if is_lstm else state
    return stack(outputs), state


_PROJECTION_WARNING = {"issued": False}


def _warn_projections_once():
    # PyTorch's float32 LSTM runs on oneDNN, which has no projections: ATen says so once per
    # process (TORCH_WARN_ONCE, whatever the warning filters) and falls back to the plain loop
    if _PROJECTION_WARNING["issued"]:
        return
    _PROJECTION_WARNING["issued"] = True
    warnings.warn("LSTM with projections is not supported with oneDNN. Using default "
                  "implementation. (Triggered internally at "
                  "/__w/pytorch/pytorch/aten/src/ATen/native/RNN.cpp:1512.)", UserWarning,
                  stacklevel=4)


def _rnn_sequence(mode, input, hidden, weights, num_layers, dropout_p, training,
                 bidirectional, batch_first, dropout_fn):
    """The full recurrent network over a padded (time, batch, feature) input.

    `hidden` is h0 (or (h0, c0) for LSTM) of shape (layers * directions, batch, size);
    `weights` lists, per layer and direction, (w_ih, w_hh, b_ih, b_hh, w_hr) with None for the
    missing ones. Returns (output, h_n) or (output, (h_n, c_n))."""
    step = _STEPS[mode]
    is_lstm = mode == "LSTM"
    if batch_first:
        input = input.transpose(0, 1)
    if input.shape[0] == 0:
        raise RuntimeError("Expected sequence length to be larger than 0 in RNN")
    # PyTorch runs float32 LSTMs without projections through oneDNN, one node per layer and
    # direction (MkldnnRnnLayerBackward0); everything else through the step-by-step loop
    onednn = is_lstm and input.dtype == float32 and input.numel() != 0
    if onednn and weights[0][4] is not None:
        _warn_projections_once()
    fused = onednn and weights[0][4] is None
    if fused:
        # the oneDNN path picks each layer's state with hx[index] (SelectBackward0 edges)
        initial = [(hidden[0][index], hidden[1][index]) for index in range(len(weights))]

        def run(layer_input, state, index, reverse):
            return _lstm_layer(layer_input, state, weights[index], reverse=reverse)
    else:
        initial = _initial_states(hidden, is_lstm)

        def run(layer_input, state, index, reverse):
            return _run_direction(step, layer_input, state, weights[index], reverse=reverse)
    output, finals = _stacked_layers(input, initial, num_layers, bidirectional, run, dropout_p,
                                     training, dropout_fn)
    if batch_first:
        output = output.transpose(0, 1)
    return output, _stacked_finals(finals, is_lstm)


def _initial_states(hidden, is_lstm):
    """Each layer and direction's initial state: h0[i], or (h0[i], c0[i]) for an LSTM."""
    if is_lstm:
        return list(zip(hidden[0].unbind(0), hidden[1].unbind(0)))
    return hidden.unbind(0)


def _stacked_layers(layer_input, initial, num_layers, bidirectional, run, dropout_p, training,
                    dropout_fn):
    """Runs the layers, each in one or two directions through run(input, state, index,
    reverse) -> (output, final state); the directions' outputs are joined on the last dim, with
    dropout between layers. Returns the last layer's output and every final state in order."""
    directions = 2 if bidirectional else 1
    finals = []
    for layer in range(num_layers):
        direction_outputs = []
        for direction in range(directions):
            index = layer * directions + direction
            output, state = run(layer_input, initial[index], index, direction == 1)
            direction_outputs.append(output)
            finals.append(state)
        if directions == 1:
            layer_input = direction_outputs[0]
        else:
            layer_input = cat(direction_outputs, direction_outputs[0].dim() - 1)
        if dropout_p != 0 and training and layer < num_layers - 1:
            layer_input = dropout_fn(layer_input, dropout_p, True)
    return layer_input, finals


def _stacked_finals(finals, is_lstm):
    """h_n, or (h_n, c_n) for an LSTM, from the per-layer final states."""
    if is_lstm:
        return (stack([state[0] for state in finals]), stack([state[1] for state in finals]))
    return stack(finals)


def _rnn_cell(mode, input, hidden, weight_ih, weight_hh, bias_ih, bias_hh):
    """One step of an RNN/LSTM/GRU cell on a 2-D input (as torch.rnn_tanh_cell etc.)."""
    projected = linear(input, weight_ih, bias_ih)
    weights = (weight_ih, weight_hh, bias_ih, bias_hh, None)
    return _STEPS[mode](projected, hidden, weights)


# ---- packed sequences ---------------------------------------------------------------------------
# As ATen's PackedLayer / ReversedPackedLayer: each step runs on the first batch_sizes[t] rows;
# a sequence that ends leaves its hidden state behind (forward) or joins in (reverse).

def _slice_state(state, start, end, is_lstm):
    if is_lstm:
        return state[0].narrow(0, start, end - start), state[1].narrow(0, start, end - start)
    return state.narrow(0, start, end - start)


def _concat_states(states, is_lstm):
    if is_lstm:
        return cat([state[0] for state in states], 0), cat([state[1] for state in states], 0)
    return cat(states, 0)


def _packed_forward(step, projected, batch_sizes, state, weights, is_lstm):
    outputs = []
    finished = []
    offset = 0
    last_size = batch_sizes[0]
    for size in batch_sizes:
        step_input = projected.narrow(0, offset, size)
        offset += size
        if size < last_size:
            finished.append(_slice_state(state, size, last_size, is_lstm))
            state = _slice_state(state, 0, size, is_lstm)
        last_size = size
        state = step(step_input, state, weights)
        outputs.append(state[0] if is_lstm else state)
    finished.append(state)
    finished.reverse()
    return cat(outputs, 0), _concat_states(finished, is_lstm)


def _packed_reverse(step, projected, batch_sizes, initial, weights, is_lstm):
    outputs = []
    offset = projected.shape[0]
    last_size = batch_sizes[-1]
    state = _slice_state(initial, 0, last_size, is_lstm)
    for size in reversed(batch_sizes):
        if size > last_size:
            joining = _slice_state(initial, last_size, size, is_lstm)
            state = _concat_states([state, joining], is_lstm)
        step_input = projected.narrow(0, offset - size, size)
        offset -= size
        last_size = size
        state = step(step_input, state, weights)
        outputs.append(state[0] if is_lstm else state)
    outputs.reverse()
    return cat(outputs, 0), state


def _rnn_packed(mode, data, batch_sizes, hidden, weights, num_layers, dropout_p, training,
                bidirectional, dropout_fn):
    """The recurrent network over a PackedSequence's data (rows of every step, one after
    the other); returns (output data, h_n) or (output data, (h_n, c_n))."""
    step = _STEPS[mode]
    is_lstm = mode == "LSTM"
    sizes = [int(size) for size in batch_sizes._data]

    def run(layer_input, state, index, reverse):
        layer_weights = weights[index]
        projected = linear(layer_input, layer_weights[0], layer_weights[2])
        walk = _packed_reverse if reverse else _packed_forward
        return walk(step, projected, sizes, state, layer_weights, is_lstm)
    output, finals = _stacked_layers(data, _initial_states(hidden, is_lstm), num_layers,
                                     bidirectional, run, dropout_p, training, dropout_fn)
    return output, _stacked_finals(finals, is_lstm)
