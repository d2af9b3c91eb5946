"""nn.utils.rnn against torch: pad_sequence, pack_padded_sequence, pad_packed_sequence,
pack_sequence, unpack/unpad, PackedSequence, their gradients and errors, and RNN/LSTM/GRU
run on packed sequences (outputs, final states in the caller's batch order, gradients)."""
import itertools
import warnings

import numpy as np
import pytest

from module_oracle import compare_modules
from oracle import Input, check, check_error, grad_input

RNG = np.random.default_rng(0)
INPUT, HIDDEN = 3, 4
LENGTHS = [3, 5, 2]


def _sequences():
    return tuple(grad_input(RNG.standard_normal((length, INPUT)).astype(np.float32))
                 for length in LENGTHS)


def _utils(lib):
    return lib.nn.utils.rnn


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("padding_side", ["right", "left"])
def test_pad_sequence(batch_first, padding_side):
    check(lambda lib, *s: _utils(lib).pad_sequence(s, batch_first, -1.5, padding_side),
          *_sequences())


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("enforce_sorted", [False, True])
def test_pack_then_pad_round_trip(batch_first, enforce_sorted):
    lengths = LENGTHS if not enforce_sorted else sorted(LENGTHS, reverse=True)

    def run(lib, padded):
        utils = _utils(lib)
        packed = utils.pack_padded_sequence(padded, lengths, batch_first, enforce_sorted)
        unpacked, sizes = utils.pad_packed_sequence(packed, batch_first, padding_value=0.5,
                                                    total_length=7)
        return packed, unpacked, sizes

    shape = (3, 6, 2, 2) if batch_first else (6, 3, 2, 2)
    check(run, grad_input(RNG.standard_normal(shape)))


def test_pack_sequence_and_unpack():
    def run(lib, *sequences):
        utils = _utils(lib)
        packed = utils.pack_sequence(sequences, enforce_sorted=False)
        return packed, utils.unpack_sequence(packed), utils.invert_permutation(
            packed.sorted_indices)

    check(run, *_sequences())


def test_unpad_sequence():
    check(lambda lib, padded: _utils(lib).unpad_sequence(padded, lib.tensor(LENGTHS), True),
          grad_input(RNG.standard_normal((3, 5, 2))))


def test_unpad_sequence_time_first_transposes_its_argument_in_place():
    def run(lib, padded):
        padded = padded * 1
        pieces = _utils(lib).unpad_sequence(padded, lib.tensor(LENGTHS), False)
        return pieces, padded.shape, padded.stride()
    check(run, grad_input(RNG.standard_normal((5, 3, 2))))


def test_packed_sequence_construction_and_conversion():
    def run(lib):
        PackedSequence = _utils(lib).PackedSequence
        plain = PackedSequence(lib.ones(3), lib.tensor([2, 1]))
        sorted_ = PackedSequence((lib.ones(3), lib.tensor([2, 1])), None, lib.tensor([1, 0]))
        return (plain, sorted_, sorted_.double().data.dtype, plain.to(lib.float32) is plain,
                plain._fields, plain.is_cuda)

    check(run)


def test_errors():
    x = Input(RNG.standard_normal((4, 3, 2)).astype(np.float32))

    def pack(lengths, **options):
        return lambda lib, t: _utils(lib).pack_padded_sequence(t, lengths, **options)

    check_error(pack([4, 5, 2]), x)
    check_error(pack([4, 0, 0]), x)
    check_error(pack([4, 3]), x)
    check_error(pack([4, 3, 2], batch_first=True), x)
    check_error(lambda lib, t: _utils(lib).pack_padded_sequence(t[:, :0], []), x)
    check_error(lambda lib, t: _utils(lib).pad_sequence([lib.ones(2, 3), lib.ones(3, 2)]), x)
    check_error(lambda lib, t: _utils(lib).pad_sequence([]), x)
    check_error(lambda lib, t: _utils(lib).pad_sequence(5), x)
    check_error(lambda lib, t: _utils(lib).pad_sequence([lib.tensor(1.0)]), x)
    check_error(lambda lib, t: _utils(lib).pad_sequence([t[0]], padding_side="middle"), x)
    check_error(lambda lib, t: _utils(lib).pad_packed_sequence(
        _utils(lib).pack_padded_sequence(t, [4, 3, 2]), total_length=2), x)
    check_error(lambda lib, t: _utils(lib).PackedSequence(t), x)


MODES = [("RNN", {}), ("RNN", {"nonlinearity": "relu"}), ("GRU", {}), ("LSTM", {}),
         ("LSTM", {"proj_size": 2})]


def _packed_forward(lengths, enforce_sorted):
    def forward(lib, module, padded, hx=None):
        packed = _utils(lib).pack_padded_sequence(padded, lengths, module.batch_first,
                                                  enforce_sorted)
        output, state = module(packed) if hx is None else module(packed, hx)
        return output, state, _utils(lib).pad_packed_sequence(output, module.batch_first)
    return forward


def _state(name, options):
    directions = 2 if options["bidirectional"] else 1
    layers = options["num_layers"] * directions
    size = options.get("proj_size", 0) or HIDDEN
    hidden = grad_input(RNG.standard_normal((layers, 3, size)).astype(np.float32))
    if name != "LSTM":
        return hidden
    cell = grad_input(RNG.standard_normal((layers, 3, HIDDEN)).astype(np.float32))
    return (hidden, cell)


@pytest.mark.parametrize("name,extra", MODES)
@pytest.mark.parametrize("layers,bidirectional,batch_first",
                         list(itertools.product((1, 2), (False, True), (False, True))))
@pytest.mark.parametrize("enforce_sorted", [False, True])
def test_recurrent_layers_on_packed_sequences(name, extra, layers, bidirectional, batch_first,
                                              enforce_sorted):
    options = dict(num_layers=layers, bidirectional=bidirectional, batch_first=batch_first,
                   **extra)
    lengths = LENGTHS if not enforce_sorted else sorted(LENGTHS, reverse=True)
    shape = (3, 6, INPUT) if batch_first else (6, 3, INPUT)
    padded = grad_input(RNG.standard_normal(shape).astype(np.float32))
    hx = _state(name, options) if layers == 2 else None
    with warnings.catch_warnings():
        # torch warns that oneDNN does not do LSTM projections
        warnings.simplefilter("ignore")
        compare_modules(lambda lib: getattr(lib.nn, name)(INPUT, HIDDEN, **options),
                        _packed_forward(lengths, enforce_sorted), padded, hx, grad_fn=True)


def test_packed_hidden_size_error():
    def run(lib, padded):
        module = lib.nn.GRU(INPUT, HIDDEN)
        packed = _utils(lib).pack_padded_sequence(padded, [2, 1])
        return module(packed, lib.zeros(1, 3, HIDDEN))

    check_error(run, RNG.standard_normal((2, 2, INPUT)).astype(np.float32))
