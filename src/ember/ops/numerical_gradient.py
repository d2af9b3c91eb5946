"""torch.gradient: derivative estimates of sampled values by central differences, composed from
slices, arithmetic and cat exactly as ATen composes them (so the results carry CatBackward0 and
differentiate like PyTorch's)."""
from ember._errors import normalize_dim
from ember._tensor import Tensor
from ember.ops.joining import cat

__all__ = ["gradient"]


def _slice(input, dim, start, stop=None):
    """input[start:stop] along dim (negative bounds count from the end, as at::slice)."""
    extent = input.shape[dim]
    start = start + extent if start < 0 else start
    stop = extent if stop is None else (stop + extent if stop < 0 else stop)
    return input.narrow(dim, start, stop - start)


def _check_arguments(input, spacing_length, dims, dim_given, edge_order):
    """ATen's pre_check_gradient, in its order."""
    if input._data.dtype.name == "uint8":
        raise RuntimeError("torch.gradient does not support uint8 input.")
    if spacing_length is not None and not dim_given and spacing_length != input.dim():
        raise RuntimeError(
            "torch.gradient expected spacing to be unspecified, a scalar, or a list of length "
            f"equal to 'self.dim() = {input.dim()}', since dim argument was not given, but got "
            f"a list of length {spacing_length}")
    if spacing_length is not None and dim_given and spacing_length != len(dims):
        raise RuntimeError(
            "torch.gradient expected spacing to be unspecified, a scalar or it's spacing and dim "
            f"arguments to have the same length, but got a spacing argument of length "
            f"{spacing_length} and a dim argument of length {len(dims)}.")
    if edge_order not in (1, 2):
        raise RuntimeError("torch.gradient only supports edge_order=1 and edge_order=2.")
    seen = set()
    for dim in dims:
        wrapped = normalize_dim(dim, input.dim())
        if wrapped in seen:
            raise RuntimeError(f"dim {wrapped} appears multiple times in the list of dims")
        seen.add(wrapped)
    for dim in seen:
        if input.shape[dim] < edge_order + 1:
            raise RuntimeError("torch.gradient expected each dimension size to be at least "
                               "edge_order+1")


def _uniform_gradient(input, dim, step, edge_order):
    """gradient_helper_float: samples `step` apart."""
    center = (_slice(input, dim, 2) - _slice(input, dim, 0, -2)) / step
    if edge_order == 1:
        prepend = (_slice(input, dim, 1, 2) - _slice(input, dim, 0, 1)) / step
        append = (_slice(input, dim, -1) - _slice(input, dim, -2, -1)) / step
    else:
        prepend = (_slice(input, dim, 0, 1) * -1.5 + _slice(input, dim, 1, 2) * 2
                   + _slice(input, dim, 2, 3) * -0.5) / step
        append = (_slice(input, dim, -3, -2) * 0.5 + _slice(input, dim, -2, -1) * -2
                  + _slice(input, dim, -1) * 1.5) / step
    return cat([prepend, center / 2, append], dim)


def _coordinate_gradient(input, dim, coordinates, edge_order):
    """gradient_helper: samples at the given coordinates along dim (second-order accurate in
    the interior for uneven spacing)."""
    if coordinates.dim() != 1:
        raise RuntimeError("torch.gradient expected each element of spacing to have one "
                           f"dimension, but got an element with {coordinates.dim()} "
                           "dimensions!")
    shape = [1] * input.dim()
    shape[dim] = -1
    steps = coordinates.diff(1, 0)
    before = _slice(steps, 0, 0, -1)
    after = _slice(steps, 0, 1)
    a = (-after / (before * (before + after))).reshape(shape)
    b = ((after - before) / (before * after)).reshape(shape)
    c = (before / (after * (before + after))).reshape(shape)
    center = (a * _slice(input, dim, 0, -2) + b * _slice(input, dim, 1, -1)
              + c * _slice(input, dim, 2))
    if edge_order == 1:
        prepend = (_slice(input, dim, 1, 2) - _slice(input, dim, 0, 1)) / steps[0]
        append = (_slice(input, dim, -1) - _slice(input, dim, -2, -1)) / steps[-1]
    else:
        first, second = steps[0], steps[1]
        prepend = (-(2.0 * first + second) / (first * (first + second))
                   * _slice(input, dim, 0, 1)
                   + (first + second) / (first * second) * _slice(input, dim, 1, 2)
                   + (-first) / (second * (first + second)) * _slice(input, dim, 2, 3))
        last, previous = steps[-1], steps[-2]
        append = (last / (previous * (last + previous)) * _slice(input, dim, -3, -2)
                  - (last + previous) / (last * previous) * _slice(input, dim, -2, -1)
                  + (2 * last + previous) / (last * (last + previous)) * _slice(input, dim, -1))
    return cat([prepend, center, append], dim)


def gradient(input, *, spacing=1, dim=None, edge_order=1):
    """The derivative of input along each of `dim` (all dims by default), estimated from its
    samples by central differences inside and one-sided ones of order edge_order at the ends;
    spacing is one step, a step per dim, or the sample coordinates per dim."""
    dim_given = dim is not None
    if dim is None:
        dims = list(range(input.dim()))
    else:
        dims = [dim] if isinstance(dim, int) else list(dim)
    spacing_is_list = isinstance(spacing, (list, tuple))
    _check_arguments(input, len(spacing) if spacing_is_list else None, dims, dim_given,
                     edge_order)
    steps = list(spacing) if spacing_is_list else [spacing] * len(dims)
    results = []
    for axis, step in zip(dims, steps):
        axis = normalize_dim(axis, input.dim())
        if isinstance(step, Tensor):
            results.append(_coordinate_gradient(input, axis, step, edge_order))
        else:
            results.append(_uniform_gradient(input, axis, step, edge_order))
    return tuple(results)
