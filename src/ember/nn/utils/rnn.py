"""nn.utils.rnn: packing and padding variable-length sequences, as torch.nn.utils.rnn.

A PackedSequence stores the time steps of a batch sorted by decreasing length one after the
other: `data` holds batch_sizes[0] rows for step 0, batch_sizes[1] rows for step 1, and so on.
pack_padded_sequence is one primitive (PackPaddedSequenceBackward0, as PyTorch's); padding
is built from ember ops the way ATen builds it (a filled tensor and slice copies), so the
grad_fns (CopySlices, TransposeBackward0) are PyTorch's."""
from collections import namedtuple
from collections.abc import Iterable

import numpy as np

from ember import _dtype
from ember._errors import dtype_name
from ember._tensor import Tensor, _wrap
from ember.ops._registry import node_class, record
from ember.ops.creation import as_tensor, empty_like, full
from ember.ops.ranges import arange

__all__ = ["PackedSequence", "invert_permutation", "pack_padded_sequence",
           "pad_packed_sequence", "pad_sequence", "unpad_sequence", "pack_sequence",
           "unpack_sequence"]

_PackedSequenceFields = namedtuple("PackedSequence_",
                                   ["data", "batch_sizes", "sorted_indices", "unsorted_indices"])


def _bind(optional, function):
    return None if optional is None else function(optional)


class PackedSequence(_PackedSequenceFields):
    """The data and per-step batch sizes of a packed batch of sequences."""

    __slots__ = ()

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is None:
            if not (isinstance(data, (list, tuple)) and len(data) == 2):
                raise AssertionError("Expected data to be a list or tuple of length 2")
            data, batch_sizes = data
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args, **kwargs):
        """Converts data (and moves the indices along); self when nothing changes."""
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        sorted_indices = _bind(self.sorted_indices, lambda t: t.to(data.device))
        unsorted_indices = _bind(self.unsorted_indices, lambda t: t.to(data.device))
        return type(self)(data, self.batch_sizes, sorted_indices, unsorted_indices)

    def cpu(self, *args, **kwargs):
        """self.to('cpu')."""
        return self.to(*args, **kwargs)

    def pin_memory(self):
        """A copy with the data pinned (the CPU is the only device)."""
        return type(self)(self.data.pin_memory(), self.batch_sizes,
                          _bind(self.sorted_indices, lambda t: t.pin_memory()),
                          _bind(self.unsorted_indices, lambda t: t.pin_memory()))

    def double(self):
        return self.to(dtype=_dtype.float64)

    def float(self):
        return self.to(dtype=_dtype.float32)

    def half(self):
        return self.to(dtype=_dtype.float16)

    def long(self):
        return self.to(dtype=_dtype.int64)

    def int(self):
        return self.to(dtype=_dtype.int32)

    def short(self):
        return self.to(dtype=_dtype.int16)

    def char(self):
        return self.to(dtype=_dtype.int8)

    def byte(self):
        return self.to(dtype=_dtype.uint8)

    @property
    def is_cuda(self):
        """Whether data is on a GPU (never, in ember)."""
        return self.data.is_cuda

    def is_pinned(self):
        """Whether data is in pinned memory."""
        return self.data.is_pinned()


def invert_permutation(permutation):
    """The inverse of a 1-D permutation tensor (None stays None)."""
    if permutation is None:
        return None
    output = empty_like(permutation)
    output.scatter_(0, permutation, arange(0, permutation.numel()))
    return output


def _check_long(tensor, name):
    if tensor.dim() != 1 or tensor.dtype != _dtype.int64:
        raise RuntimeError(f"'{name}' argument should be a 1D CPU int64 tensor, but got "
                           f"{tensor.dim()}D {tensor.device.type} {dtype_name(tensor.dtype)} "
                           "tensor")


def _pack_backward(grad, rows, input_shape, batch_first):
    """Scatters the packed rows' gradient back into a zero padded (time, batch, ...) grad."""
    time, batch = input_shape[1], input_shape[0]
    if not batch_first:
        time, batch = input_shape[0], input_shape[1]
    zeros = grad.new_zeros((time * batch,) + tuple(input_shape[2:]))
    padded = zeros.index_add(0, _wrap(rows), grad).view(time, batch, *input_shape[2:])
    return padded.transpose(0, 1) if batch_first else padded


PackPaddedSequenceBackward0 = node_class("PackPaddedSequenceBackward0", _pack_backward)


def _pack_padded(input, lengths, batch_first):
    """ATen's _pack_padded_sequence: (data, batch_sizes) with its checks."""
    _check_long(lengths, "lengths")
    data = input._data
    if batch_first:
        data = data.swapaxes(0, 1)
    batch = data.shape[1]
    if data.size == 0:
        raise RuntimeError("Cannot pack empty tensors.")
    values = lengths._data
    if values.shape[0] != batch:
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got "
                           f"{values.shape[0]} (batch_size={batch})")
    if values[batch - 1] <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an "
                           "element in 'lengths' that is <= 0")
    if np.any(values[1:] > values[:-1]):
        raise RuntimeError("`lengths` array must be sorted in decreasing order when "
                           "`enforce_sorted` is True. You can pass `enforce_sorted=False` to "
                           "pack_padded_sequence and/or pack_sequence to sidestep this "
                           "requirement if you do not need ONNX exportability.")
    steps = np.arange(values[0])
    batch_sizes = (values[None, :] > steps[:, None]).sum(1).astype(np.int64)
    # packed row k is padded element (t, b) for the steps t in order, b < batch_sizes[t]
    step_of = np.repeat(steps, batch_sizes)
    batch_of = np.arange(step_of.size) - np.repeat(np.cumsum(batch_sizes) - batch_sizes,
                                                   batch_sizes)
    rows = step_of * batch + batch_of
    packed = data[step_of, batch_of]
    output = record(packed, PackPaddedSequenceBackward0, (input,),
                    (rows, input._data.shape, batch_first))
    return output, _wrap(batch_sizes)


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """Packs a padded (time, batch, *) (or batch-first) tensor of sequences of `lengths`."""
    if not isinstance(lengths, Tensor):
        lengths = as_tensor(lengths, dtype=_dtype.int64, device="cpu")
    else:
        lengths = lengths.to(dtype=_dtype.int64)
    if enforce_sorted:
        sorted_indices = None
    else:
        lengths, sorted_indices = lengths.sort(descending=True)
        batch_dim = 0 if batch_first else 1
        input = input.index_select(batch_dim, sorted_indices)
    data, batch_sizes = _pack_padded(input, lengths, batch_first)
    return PackedSequence(data, batch_sizes, sorted_indices, None)


def _pad_packed(data, batch_sizes, batch_first, padding_value, total_length):
    """ATen's _pad_packed_sequence: one slice copy per run of equal batch sizes."""
    _check_long(batch_sizes, "batch_sizes")
    sizes = [int(size) for size in batch_sizes._data]
    max_batch = sizes[0]
    trailing = tuple(data.shape[1:])
    output = full((total_length, max_batch) + trailing, padding_value, dtype=data.dtype)
    lengths = np.empty(max_batch, dtype=np.int64)
    offset = 0
    previous_size = max_batch
    previous_step = 0
    for step in range(len(sizes) + 1):
        size = sizes[step] if step != len(sizes) else 0
        if size != previous_size:
            count = previous_size * (step - previous_step)
            block = data[offset:offset + count].view(step - previous_step, previous_size,
                                                    *trailing)
            output[previous_step:step, :previous_size].copy_(block)
            offset += count
            previous_step = step
        # the sequences that end here are the last (shortest) ones still running
        lengths[size:previous_size] = step
        previous_size = size
    if batch_first:
        output = output.transpose(0, 1)
    return output, _wrap(lengths)


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """Pads a PackedSequence back to (time, batch, *); returns it with the lengths."""
    max_seq_length = sequence.batch_sizes.size(0)
    if total_length is not None:
        if total_length < max_seq_length:
            raise ValueError("Expected total_length to be at least the length of the longest "
                             f"sequence in input, but got total_length={total_length} and max "
                             f"sequence length being {max_seq_length}")
        max_seq_length = total_length
    padded_output, lengths = _pad_packed(sequence.data, sequence.batch_sizes, batch_first,
                                         padding_value, max_seq_length)
    unsorted_indices = sequence.unsorted_indices
    if unsorted_indices is not None:
        batch_dim = 0 if batch_first else 1
        return padded_output.index_select(batch_dim, unsorted_indices), lengths[unsorted_indices]
    return padded_output, lengths


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """Stacks sequences of shape (L_i, *) into (max L, batch, *) (or batch-first), padded."""
    if not isinstance(sequences, Iterable):
        raise RuntimeError(f"pad_sequence: Expected iterable for input sequences, but got arg "
                           f"of type: {type(sequences)}")
    sequences = tuple(sequences)
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    first = sequences[0]
    if first.dim() == 0:
        # ATen slices the first sequence's sizes past the length dimension
        raise RuntimeError("ArrayRef: invalid slice, N = 1; size = 0")
    trailing = tuple(first.shape[1:])
    max_len = max(sequence.size(0) for sequence in sequences)
    if padding_side not in ("left", "right"):
        raise RuntimeError(f"Expected padding_side to be one of left or right, but got "
                           f"{padding_side}.")
    count = len(sequences)
    size = (count, max_len) if batch_first else (max_len, count)
    out = full(size + trailing, padding_value, dtype=first.dtype)
    for index, sequence in enumerate(sequences):
        length = sequence.size(0)
        start = max_len - length if padding_side == "left" else 0
        if batch_first:
            out.select(0, index).narrow(0, start, length).copy_(sequence)
        else:
            out.narrow(0, start, length).select(1, index).copy_(sequence)
    return out


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    """The list of sequences in a padded tensor, each cut to its length."""
    unpadded_sequences = []
    if not batch_first:
        # in place, as PyTorch does: the caller's tensor comes back batch-first
        padded_sequences.transpose_(0, 1)
    max_length = padded_sequences.shape[1]
    idx = arange(max_length)
    for seq, length in zip(padded_sequences, lengths, strict=True):
        mask = idx < length
        unpadded_sequences.append(seq[mask])
    return unpadded_sequences


def pack_sequence(sequences, enforce_sorted=True):
    """pad_sequence then pack_padded_sequence."""
    lengths = as_tensor([v.size(0) for v in sequences])
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences):
    """The list of sequences in a PackedSequence."""
    padded_sequences, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded_sequences, lengths, batch_first=True)
