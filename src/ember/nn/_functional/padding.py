"""nn.functional.pad: constant, reflect, replicate and circular padding.

Constant padding is one primitive (ConstantPadNdBackward0) whose backward is the same op with
negated pads. Reflect and replicate pads map each output index to an input index per axis;
their backward sums the gradient back along those maps, and that sum differentiates into the
pad again. Circular padding is composed of slice copies, as PyTorch composes it (CopySlices).
"""
import numpy as np

from ember.ops._registry import node_class, record

__all__ = ["pad"]

_NON_CONSTANT_SIZES = (
    "Supported combinations for non-constant padding:\n"
    "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
    "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
    "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")


# ---- constant --------------------------------------------------------------------------------

ConstantPadNdBackward0 = node_class(
    "ConstantPadNdBackward0", lambda grad, pad: constant_pad_nd(grad, [-p for p in pad]))


def _pairs(pad, ndim):
    """(before, after) per dim of an ndim array from PyTorch's last-dim-first pad list."""
    pairs = [(0, 0)] * ndim
    for position in range(len(pad) // 2):
        pairs[ndim - 1 - position] = (pad[2 * position], pad[2 * position + 1])
    return pairs


def constant_pad_nd(input, pad, value=0):
    """Pads (or, for negative pads, crops) the last len(pad)//2 dims with `value`."""
    data = input._data
    pairs = _pairs(pad, data.ndim)
    shape = []
    for extent, (before, after) in zip(data.shape, pairs):
        size = extent + before + after
        if size < 0:
            raise RuntimeError("narrow(): length must be non-negative.")
        shape.append(size)
    source = tuple(slice(max(-before, 0), extent - max(-after, 0))
                   for extent, (before, after) in zip(data.shape, pairs))
    target = tuple(slice(max(before, 0), size - max(after, 0))
                   for size, (before, after) in zip(shape, pairs))
    if data.dtype.kind in "iub" and isinstance(value, float):
        value = int(value)
    out = np.full(shape, value, dtype=data.dtype)
    out[target] = data[source]
    return record(out, ConstantPadNdBackward0, (input,), (list(pad),))


# ---- reflect and replicate: index maps per axis ----------------------------------------------

def _index_map(mode, extent, before, after):
    positions = np.arange(-before, extent + after)
    if mode == "reflect":
        positions = np.abs(positions)
        return (extent - 1) - np.abs((extent - 1) - positions)
    return np.clip(positions, 0, extent - 1)


def _map_forward(data, maps):
    out = data
    for axis, index in maps:
        out = np.take(out, index, axis=axis)
    return out


def _map_backward(data, maps, shape):
    """The adjoint of _map_forward: sums the gradient onto the source indices, axis by axis."""
    out = data
    for axis, index in reversed(maps):
        moved = np.moveaxis(out, axis, 0)
        summed = np.zeros((shape[axis],) + moved.shape[1:], dtype=out.dtype)
        np.add.at(summed, index, moved)
        out = np.moveaxis(summed, 0, axis)
    return np.ascontiguousarray(out)


def _mapped_pad_pair(forward_name, backward_name):
    """The node classes of an index-map pad and of its backward, each the other's derivative."""
    def pad_rule(grad, maps, shape):
        return _apply_map_backward(grad, maps, shape, backward_cls)

    def backward_rule(grad, maps, shape):
        return _apply_map(grad, maps, shape, forward_cls)

    forward_cls = node_class(forward_name, pad_rule)
    backward_cls = node_class(backward_name, backward_rule)
    return forward_cls, backward_cls


def _apply_map(input, maps, shape, node_cls):
    return record(_map_forward(input._data, maps), node_cls, (input,), (maps, shape))


def _apply_map_backward(grad, maps, shape, node_cls):
    return record(_map_backward(grad._data, maps, shape), node_cls, (grad,), (maps, shape))


_MAPPED_NODES = {
    (mode, dims): _mapped_pad_pair(f"{word}Pad{dims}DBackward0",
                                   f"{word}Pad{dims}DBackwardBackward0")
    for mode, word in (("reflect", "Reflection"), ("replicate", "Replication"))
    for dims in (1, 2, 3)}


def _mapped_pad(input, pad, mode):
    dims = len(pad) // 2
    shape = tuple(input.shape)
    ndim = len(shape)
    if input._data.dtype.kind == "b":
        word = "reflection" if mode == "reflect" else "replication"
        raise NotImplementedError(f'"{word}_pad{dims}d" not implemented for \'Bool\'')
    if mode == "reflect":
        _check_reflect(shape, pad, dims)
    else:
        _check_replicate(shape, pad, dims)
    maps = []
    for position in range(dims):
        axis = ndim - 1 - position
        before, after = pad[2 * position], pad[2 * position + 1]
        maps.append((axis, _index_map(mode, shape[axis], before, after)))
    forward_cls = _MAPPED_NODES[(mode, dims)][0]
    return _apply_map(input, tuple(maps), shape, forward_cls)


def _check_nonempty(shape, dims):
    if any(extent == 0 for extent in shape[1:]) or len(shape) == dims + 1 and shape[0] == 0:
        raise RuntimeError(f"Expected {dims + 1}D or {dims + 2}D (batch mode) tensor with "
                           "possibly 0 batch size and other non-zero dimensions for input, "
                           f"but got: {list(shape)}")


def _check_reflect(shape, pad, dims):
    _check_nonempty(shape, dims)
    ndim = len(shape)
    for position in range(dims):
        axis = ndim - 1 - position
        before, after = pad[2 * position], pad[2 * position + 1]
        if before >= shape[axis] or after >= shape[axis]:
            raise RuntimeError(
                f"Argument #{4 + 2 * position}: Padding size should be less than the "
                f"corresponding input dimension, but got: padding ({before}, {after}) at "
                f"dimension {axis} of input {list(shape)}")


def _check_replicate(shape, pad, dims):
    _check_nonempty(shape, dims)
    ndim = len(shape)
    out_shape = list(shape)
    for position in range(dims):
        axis = ndim - 1 - position
        out_shape[axis] = shape[axis] + pad[2 * position] + pad[2 * position + 1]
    if dims == 1 and out_shape[-1] < 1:
        raise RuntimeError(f"input (W: {shape[-1]}) is too small. Calculated output W: "
                           f"{out_shape[-1]}")
    negative = [size for size in out_shape if size < 0]
    if negative:
        raise RuntimeError(f"Trying to create tensor with negative dimension {negative[0]}: "
                           f"{out_shape}")


# ---- circular: slice copies, as PyTorch composes it ------------------------------------------

def _circular_pad(input, pad):
    shape = tuple(input.shape)
    dims = len(pad) // 2
    out_shape = list(shape)
    for position in range(dims):
        axis = len(shape) - 1 - position
        before, after = pad[2 * position], pad[2 * position + 1]
        if before > shape[axis] or after > shape[axis]:
            raise RuntimeError("Padding value causes wrapping around more than once.")
        out_shape[axis] = shape[axis] + before + after
        if out_shape[axis] < 0:
            raise RuntimeError("Negative padding value is resulting in an empty dimension")
    out = input.new_empty(out_shape)
    out_index = [slice(None)] * len(shape)
    in_index = [slice(None)] * len(shape)
    for position in range(dims):
        axis = len(shape) - 1 - position
        before, after = pad[2 * position], pad[2 * position + 1]
        out_index[axis] = slice(max(before, 0), out_shape[axis] - max(after, 0))
        in_index[axis] = slice(max(-before, 0), shape[axis] - max(-after, 0))
    out[tuple(out_index)].copy_(input[tuple(in_index)])
    for position in range(dims):
        axis = len(shape) - 1 - position
        before, after = pad[2 * position], pad[2 * position + 1]
        size = out_shape[axis]
        if before > 0:
            _copy_along(out, axis, (0, before), (size - before - max(after, 0),
                                                 size - max(after, 0)))
        if after > 0:
            _copy_along(out, axis, (size - after, size), (max(before, 0),
                                                          max(before, 0) + after))
    return out


def _copy_along(out, axis, target, source):
    prefix = (slice(None),) * axis
    out[prefix + (slice(*target),)].copy_(out[prefix + (slice(*source),)])


# ---- the public entry ------------------------------------------------------------------------

def pad(input, pad, mode="constant", value=None):
    """Pads the last len(pad)//2 dims of `input`; pad lists (before, after) from the last dim."""
    pad = [int(p) for p in pad]
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    ndim = input.dim()
    if len(pad) // 2 > ndim:
        raise RuntimeError("Padding length should be less than or equal to two times the "
                           f"input dimension but got padding length {len(pad)} and input of "
                           f"dimension {ndim}")
    if mode == "constant":
        return constant_pad_nd(input, pad, 0 if value is None else value)
    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    dims = len(pad) // 2
    if ndim not in (dims + 1, dims + 2) or dims > 3:
        raise NotImplementedError(f"Padding size {len(pad)} is not supported for {ndim}D input "
                                  f"tensor.\n{_NON_CONSTANT_SIZES}")
    if mode == "circular":
        return _circular_pad(input, pad)
    return _mapped_pad(input, pad, mode)

