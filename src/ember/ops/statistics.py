"""Statistics over samples: quantile, nanquantile, cov, corrcoef, histogram, diff, trapezoid,
trapz, cumulative_trapezoid, and cdist (pairwise distances). Most are compositions of ember
ops, as in PyTorch (the grad_fns are those of the parts); cdist and a few steps PyTorch takes
in C++ (quantile's final in-place squeeze, products with a double) have nodes of their own."""
import warnings

import numpy as np

from ember import _dtype, return_types
from ember._errors import broadcast_mismatch, dtype_name, normalize_dim
from ember._tensor import Tensor, _wrap
from ember.ops._elementwise import not_implemented
from ember.ops._registry import RESULT, method, node_class, record, record_multi
from ember.ops.complex_numbers import complex as _complex
from ember.ops.creation import full_like, zeros, zeros_like
from ember.ops.joining import broadcast_tensors, cat, finish_out
from ember.ops.linalg import mm
from ember.ops.ranges import linspace

__all__ = ["quantile", "nanquantile", "cov", "corrcoef", "histogram", "histogramdd", "diff",
           "trapezoid",
           "trapz", "cumulative_trapezoid", "cdist"]

# torch.return_types.histogram: (hist, bin_edges)
return_types.histogram = return_types._return_type("histogram", ("hist", "bin_edges"))
return_types.__all__.append("histogram")


# ---- quantile, nanquantile ----------------------------------------------------------------------

_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")

# PyTorch ends quantile with an in-place squeeze_(-1) of its own intermediate result
SqueezeBackward4 = node_class("SqueezeBackward4", lambda grad, shape: grad.reshape(shape))


def _number_word(value):
    """A double as C++ streams print it in PyTorch's messages (0.5, 1.5, 1e-09, nan)."""
    return f"{float(value):g}"


def _quantile_checks(input, q, interpolation):
    """PyTorch's checks, in PyTorch's order; returns q as a tensor of input's dtype."""
    if not isinstance(q, Tensor) and not 0 <= float(q) <= 1:
        raise RuntimeError(f"quantile() q must be in the range [0, 1] but got {_number_word(q)}")
    if interpolation not in _INTERPOLATIONS:
        raise RuntimeError("quantile() interpolation must be one of linear, lower, higher, "
                           f"midpoint or nearest, but got {interpolation}")
    data = input._data
    if data.size == 0:
        raise RuntimeError("quantile() input tensor must be non-empty")
    if isinstance(q, Tensor) and q._data.ndim > 1:
        raise RuntimeError("quantile() q must be a scalar or 1D tensor")
    if data.dtype not in (np.float32, np.float64):
        raise RuntimeError("quantile() input tensor must be either float or double dtype")
    if not isinstance(q, Tensor):
        return _wrap(np.array(q, dtype=data.dtype))
    if q._data.dtype != data.dtype:
        raise RuntimeError("quantile() q tensor must be same dtype as the input tensor")
    return q


def _quantile_output_shape(shape, dim, keepdim):
    """The shape of one quantile's result (the reduced shape)."""
    if dim is not None and shape:
        reduced = list(shape)
        if keepdim:
            reduced[dim] = 1
        else:
            del reduced[dim]
        return reduced
    if keepdim:
        return [1] * len(shape)
    return []


def _sorted_rows(input, dim):
    """The input sorted along the reduced dim, moved last (all elements when dim is None)."""
    if dim is None:
        return input.flatten().sort()[0]
    if dim == input.dim() - 1:
        return input.sort()[0]
    return input.unsqueeze(-1).transpose(dim, -1).sort()[0]


def _ranks(sorted_rows, q, ignore_nan):
    """Fractional positions of the quantiles in each sorted row: a row with NaN points at its
    last element (NaN) for quantile; nanquantile counts only the non-NaN values."""
    is_nan = sorted_rows.isnan()
    if ignore_nan:
        ranks = q * (is_nan.logical_not().sum(-1, keepdim=True) - 1)
        # a row of NaNs gets rank 0, whose value is NaN
        return ranks.masked_fill(ranks < 0, 0)
    last = sorted_rows.shape[-1] - 1
    ranks, has_nan = broadcast_tensors(q * last, is_nan.any(-1, keepdim=True))
    return ranks.masked_fill(has_nan, last)


def _quantile(input, q, dim, keepdim, interpolation, ignore_nan):
    q_tensor = _quantile_checks(input, q, interpolation)
    if dim is not None:
        dim = normalize_dim(dim, input.dim())
    if q_tensor._data.ndim and not np.all((q_tensor._data >= 0) & (q_tensor._data <= 1)):
        raise RuntimeError("quantile() q values must be in the range [0, 1]")
    out_shape = _quantile_output_shape(tuple(input.shape), dim, keepdim)
    sorted_rows = _sorted_rows(input, dim)
    sorted_rows = sorted_rows.reshape(out_shape + [sorted_rows.shape[-1]])
    ranks = _ranks(sorted_rows, q_tensor.reshape(-1), ignore_nan)
    if interpolation == "lower":
        ranks = ranks.floor()
    elif interpolation == "higher":
        ranks = ranks.ceil()
    elif interpolation == "nearest":
        ranks = ranks.round()
    ranks_below = ranks.long()
    values = sorted_rows.gather(-1, ranks_below)
    if interpolation in ("linear", "midpoint"):
        if interpolation == "midpoint":
            weights = full_like(ranks, 0.5)
        else:
            weights = ranks - ranks_below
        values_above = sorted_rows.gather(-1, ranks.ceil().long())
        values = values.lerp(values_above, weights)
    if q_tensor._data.ndim:
        # quantiles first: (..., k) -> (k, ..., 1)
        values = values.unsqueeze(0).transpose(0, -1)
    shape = values._data.shape
    return record(values._data.reshape(shape[:-1]), SqueezeBackward4, (values,), (shape,))


def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    """The q-th quantiles of input along dim (all elements when dim is None)."""
    result = _quantile(input, q, dim, keepdim, interpolation, False)
    return finish_out(result, out, "quantile")


def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    """quantile() ignoring NaN values (a slice of only NaN gives NaN)."""
    result = _quantile(input, q, dim, keepdim, interpolation, True)
    return finish_out(result, out, "nanquantile")


# ---- cov, corrcoef ------------------------------------------------------------------------------

def _check_weights(name, weights, observations, integral):
    data = weights._data
    if data.ndim > 1:
        raise RuntimeError(f"cov(): expected {name} to have one or fewer dimensions but got "
                           f"{name} with {data.ndim} dimensions")
    if integral and data.dtype.kind not in "iu":
        raise RuntimeError(f"cov(): expected {name} to have integral dtype but got {name} with "
                           f"{dtype_name(weights.dtype)} dtype")
    if not integral and data.dtype.kind != "f":
        raise RuntimeError(f"cov(): expected {name} to have floating point dtype but got "
                           f"{name} with {dtype_name(weights.dtype)} dtype")
    if data.size != observations:
        raise RuntimeError(f"cov(): expected {name} to have the same numel as there are "
                           f"observations in the input but got {data.size} != {observations}")
    if observations and data.min() < 0:
        raise RuntimeError(f"cov(): {name} cannot be negative")


def cov(input, *, correction=1, fweights=None, aweights=None):
    """Covariance matrix of the variables (rows) over the observations (columns)."""
    if input.dim() > 2:
        raise RuntimeError("cov(): expected input to have two or fewer dimensions but got an "
                           f"input with {input.dim()} dimensions")
    if input._data.dtype.kind == "b":
        raise RuntimeError("cov(): bool dtype is not supported for input")
    rows = input if input.dim() == 2 else input.view(1, -1)
    observations = rows.shape[1]
    weights = None
    if fweights is not None:
        _check_weights("fweights", fweights, observations, True)
        weights = fweights
    if aweights is not None:
        _check_weights("aweights", aweights, observations, False)
        weights = aweights if weights is None else weights * aweights
    if weights is None:
        weight_sum = _wrap(np.array(observations, dtype=np.int64))
    else:
        weight_sum = weights.sum()
        if weight_sum._data == 0:
            raise RuntimeError("cov(): weights sum to zero, can't be normalized")
    weighted = rows if weights is None else rows * weights
    average = weighted.sum(1) / weight_sum
    if weights is not None and aweights is not None and correction != 0:
        norm_factor = weight_sum - correction * (weights * aweights).sum() / weight_sum
    else:
        norm_factor = weight_sum - correction
    if norm_factor._data <= 0:
        warnings.warn("cov(): degrees of freedom is <= 0. Correction should be strictly less "
                      "than the number of observations.", UserWarning, stacklevel=2)
        norm_factor = zeros_like(norm_factor)
    centered = rows - average.unsqueeze(1)
    weighted = centered if weights is None else centered * weights
    return mm(centered, weighted.t().conj()).true_divide(norm_factor).squeeze()


def corrcoef(input):
    """Pearson correlation coefficients of the variables (rows), clipped to [-1, 1]."""
    if input.dim() > 2:
        raise RuntimeError("corrcoef(): expected input to have two or fewer dimensions but got "
                           f"an input with {input.dim()} dimensions")
    covariance = cov(input)
    if covariance.dim() == 0:
        # one variable: NaN for a covariance of NaN, inf or 0, else 1
        return covariance / covariance
    variances = covariance.diagonal()
    if variances.is_complex():
        variances = variances.real
    deviations = variances.sqrt()
    covariance = covariance / deviations.view(-1, 1)
    covariance = covariance / deviations.view(1, -1)
    # not needed mathematically; rounding can leave values just outside [-1, 1]
    if covariance.is_complex():
        return _complex(covariance.real.clip(-1, 1), covariance.imag.clip(-1, 1))
    return covariance.clip(-1, 1)


# ---- histogram ----------------------------------------------------------------------------------

def _histogram_derivative(grad, *saved):
    raise RuntimeError("derivative for aten::histogram is not implemented")


# PyTorch records histogram under a node literally named NotImplemented
HistogramNotImplemented = node_class("NotImplemented", _histogram_derivative,
                                     _histogram_derivative, _histogram_derivative,
                                     multi_output=True)

_HISTOGRAM = "torch.histogramdd: "


def _histogram_range(data, range, dimension=0):
    """The outer bin edges: `range`, else the data's extent (widened when it is one point)."""
    if range is not None:
        low, high = float(range[0]), float(range[1])
    elif data.size:
        low, high = float(data.min()), float(data.max())
    else:
        low, high = 0.0, 1.0
    if low > high:
        raise RuntimeError(f"{_HISTOGRAM}min should not exceed max, but got min "
                           f"{_number_word(low)} max {_number_word(high)} for dimension "
                           f"{dimension}")
    if not (np.isfinite(low) and np.isfinite(high)):
        raise RuntimeError(f"{_HISTOGRAM}dimension {dimension}'s range [{_number_word(low)}, "
                           f"{_number_word(high)}] is not finite")
    if low == high:
        low, high = low - 0.5, high + 0.5
    return low, high


def _histogram_edges(input, bins, range, dimension=0):
    data = input._data
    if isinstance(bins, Tensor):
        if bins._data.ndim != 1:
            raise RuntimeError(f"{_HISTOGRAM}bins tensor should have one dimension, but got "
                               f"{bins._data.ndim} dimensions in the bins tensor for dimension "
                               f"{dimension}")
        if bins._data.dtype != data.dtype:
            raise RuntimeError(f"{_HISTOGRAM}input tensor and bins tensors should have the same "
                               f"dtype, but got input with dtype {_c_type(data)} and bins for "
                               f"dimension {dimension} with dtype {_c_type(bins._data)}")
        return bins._data.copy()
    if bins <= 0:
        raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for "
                           f"dimension {dimension}")
    low, high = _histogram_range(data, range, dimension)
    return linspace(low, high, bins + 1, dtype=input.dtype)._data


def _c_type(data):
    """The C type name PyTorch prints for a dtype in histogram's messages (float, double)."""
    return {"float32": "float", "float64": "double", "float16": "c10::Half",
            "bfloat16": "c10::BFloat16"}.get(data.dtype.name, data.dtype.name)


def histogram(input, bins, *, range=None, weight=None, density=False, out=None):
    """(hist, bin_edges): counts (or summed weights) of input's values in each bin; the last
    bin includes its right edge."""
    data = input._data
    # PyTorch's kernel exists for float32 and float64 only
    if data.dtype.kind != "f" or data.dtype.itemsize == 2:
        raise not_implemented("histogramdd", input.dtype)
    edges = _histogram_edges(input, bins, range)
    if weight is not None:
        if weight._data.shape != data.shape:
            raise RuntimeError(
                f"{_HISTOGRAM}if weight tensor is provided it should have the same shape as "
                "the input tensor excluding its innermost dimension, but got input with shape "
                f"[{data.size}, 1] and weight with shape {list(weight._data.shape)}")
        if weight._data.dtype != data.dtype:
            raise RuntimeError(
                f"{_HISTOGRAM}if weight tensor is provided, input tensor and weight tensor "
                f"should have the same dtype, but got input({_c_type(data)}), and "
                f"weight({_c_type(weight._data)})")
    flat = data.reshape(-1)
    inside = (flat >= edges[0]) & (flat <= edges[-1])
    # the bin whose left edge is the last one <= the value; the right edge closes the last bin
    positions = np.searchsorted(edges, flat[inside], side="right") - 1
    positions = np.minimum(positions, edges.size - 2)
    counted = None if weight is None else weight._data.reshape(-1)[inside]
    hist = np.bincount(positions, weights=counted, minlength=edges.size - 1)
    hist = hist.astype(data.dtype)
    if density:
        hist = hist / hist.sum(dtype=data.dtype)
        hist = hist / np.diff(edges)
    inputs = (input, bins, weight)
    outs = record_multi((hist.astype(data.dtype), edges), HistogramNotImplemented, inputs, ())
    result = return_types.histogram(outs)
    if out is not None:
        for position, target in enumerate(out):
            finish_out(result[position], target, "histogram")
        return return_types.histogram(out)
    return result


# torch.return_types.histogramdd: (hist, bin_edges), the edges a tuple of one tensor per dim
return_types.histogramdd = return_types._return_type("histogramdd", ("hist", "bin_edges"))


def _missing_derivative(kernel):
    def rule(grad, *saved):
        raise RuntimeError(f"derivative for aten::{kernel} is not implemented")
    return rule


# PyTorch computes histogramdd in kernels that each record a node named NotImplemented
HistogramddEdgesNotImplemented = node_class(
    "NotImplemented", _missing_derivative("_histogramdd_bin_edges"),
    _missing_derivative("_histogramdd_bin_edges"), multi_output=True)
HistogramddCountsNotImplemented = node_class(
    "NotImplemented", _missing_derivative("_histogramdd_from_bin_cts"),
    _missing_derivative("_histogramdd_from_bin_cts"))
HistogramddTensorsNotImplemented = node_class(
    "NotImplemented", _missing_derivative("_histogramdd_from_bin_tensors"),
    _missing_derivative("_histogramdd_from_bin_tensors"))


def _histogramdd_arguments(data, bins, range, weight):
    """torch's checks of histogramdd's arguments, in its order; bins as one entry per dim."""
    if data.ndim < 2:
        raise RuntimeError(f"{_HISTOGRAM}input tensor should have at least 2 dimensions")
    if data.dtype.kind != "f" or data.dtype.itemsize == 2:
        raise not_implemented("histogramdd", _dtype.FROM_NUMPY[data.dtype])
    dims = data.shape[-1]
    per_dim = [bins] * dims if isinstance(bins, int) else list(bins)
    if len(per_dim) != dims:
        raise RuntimeError("histogramdd: The size of bins must be equal to the innermost "
                           "dimension of the input.")
    if range is not None and len(range) != 2 * dims:
        raise RuntimeError(f"{_HISTOGRAM}for a {dims}-dimensional histogram range should have "
                           f"{2 * dims} elements, but got {len(range)}")
    if weight is not None and weight._data.shape != data.shape[:-1]:
        raise RuntimeError(
            f"{_HISTOGRAM}if weight tensor is provided it should have the same shape as the "
            "input tensor excluding its innermost dimension, but got input with shape "
            f"{list(data.shape)} and weight with shape {list(weight._data.shape)}")
    if weight is not None and weight._data.dtype != data.dtype:
        raise RuntimeError(
            f"{_HISTOGRAM}if weight tensor is provided, input tensor and weight tensor should "
            f"have the same dtype, but got input({_c_type(data)}), and "
            f"weight({_c_type(weight._data)})")
    return per_dim


def _histogramdd_counts(points, edges, weights):
    """The D-dimensional bin counts (or summed weights) of `points` (N, D)."""
    inside = np.ones(points.shape[0], dtype=bool)
    for dim, dim_edges in enumerate(edges):
        inside &= (points[:, dim] >= dim_edges[0]) & (points[:, dim] <= dim_edges[-1])
    shape = tuple(dim_edges.size - 1 for dim_edges in edges)
    # each point's bin per dim, the right edge closing the last bin, as in histogram
    positions = [np.minimum(np.searchsorted(dim_edges, points[inside, dim], side="right") - 1,
                            dim_edges.size - 2) for dim, dim_edges in enumerate(edges)]
    flat = np.ravel_multi_index(positions, shape) if inside.any() else np.zeros(0, np.int64)
    counted = None if weights is None else weights[inside]
    return np.bincount(flat, weights=counted, minlength=int(np.prod(shape))).reshape(shape)


def histogramdd(input, bins, *, range=None, weight=None, density=False):
    """(hist, bin_edges) of the points along input's innermost dim: bins per dim as counts or
    edge tensors; the last bin of each dim includes its right edge."""
    data = input._data
    per_dim = _histogramdd_arguments(data, bins, range, weight)
    points = data.reshape(-1, data.shape[-1])
    edges = [_histogram_edges(_wrap(points[:, dim]), count,
                              None if range is None else range[2 * dim:2 * dim + 2], dim)
             for dim, count in enumerate(per_dim)]
    weights = None if weight is None else weight._data.reshape(-1)
    hist = _histogramdd_counts(points, edges, weights).astype(data.dtype)
    if density:
        hist = hist / hist.sum(dtype=data.dtype)
        for dim, dim_edges in enumerate(edges):
            widths = np.diff(dim_edges).reshape((-1,) + (1,) * (len(edges) - 1 - dim))
            hist = hist / widths
    if all(isinstance(entry, Tensor) for entry in per_dim):
        edge_tensors = tuple(_wrap(dim_edges) for dim_edges in edges)
        node_cls = HistogramddTensorsNotImplemented
    else:
        # ATen's bin-edge kernel takes the weights too, so they give the edges a history
        edge_tensors = record_multi(edges, HistogramddEdgesNotImplemented, (input, weight), ())
        node_cls = HistogramddCountsNotImplemented
    hist_tensor = record(hist.astype(data.dtype, copy=False), node_cls, (input, weight), ())
    return return_types.histogramdd((hist_tensor, tuple(edge_tensors)))


# ---- diff ---------------------------------------------------------------------------------------

def _check_attachment(input, other, dim):
    if other is None:
        return
    dim = normalize_dim(dim, input.dim())
    if other.dim() != input.dim():
        raise RuntimeError("diff expects prepend or append to be the same dimension as input")
    for position in range(other.dim()):
        if position == dim:
            continue
        if other.shape[position] != input.shape[position]:
            raise RuntimeError(
                "diff expects the shape of tensor to prepend or append to match that of input "
                f"except along the differencing dimension; input.size({position}) = "
                f"{input.shape[position]}, but got tensor.size({position}) = "
                f"{other.shape[position]}")


def diff(input, n=1, dim=-1, prepend=None, append=None):
    """The n-th forward difference along dim (logical xor for bool), after attaching
    prepend and append along dim."""
    if input.dim() < 1:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    _check_attachment(input, prepend, dim)
    _check_attachment(input, append, dim)
    if n == 0:
        return zeros_like(input).copy_(input)
    dim = normalize_dim(dim, input.dim())
    if prepend is not None or append is not None:
        parts = [part for part in (prepend, input, append) if part is not None]
        input = cat(parts, dim)
    length = input.shape[dim] - 1
    result = input
    for _ in range(min(n, input.shape[dim])):
        later = result.narrow(dim, 1, length)
        earlier = result.narrow(dim, 0, length)
        if result._data.dtype.kind == "b":
            result = later.logical_xor(earlier)
        else:
            result = later - earlier
        length -= 1
    return result


# ---- trapezoid, trapz, cumulative_trapezoid -----------------------------------------------------

def _scale_backward(grad, factor):
    return grad * factor


def _divide_backward(grad, divisor):
    return grad / divisor


# PyTorch's C++ composites multiply and divide by a double: mul.Scalar, div.Scalar
MulBackward1 = node_class("MulBackward1", _scale_backward)
DivBackward1 = node_class("DivBackward1", _divide_backward)


def _scalar_result_dtype(data):
    """A tensor times a Python float: integral and bool tensors become the default float."""
    if data.dtype.kind in "biu":
        return _dtype.DEFAULT.numpy
    return data.dtype


def times_scalar(input, factor):
    """input * factor for a Python float, recorded as PyTorch's mul.Scalar (MulBackward1)."""
    numpy_dtype = _scalar_result_dtype(input._data)
    array = input._data.astype(numpy_dtype, copy=False) * numpy_dtype.type(factor)
    return record(np.asarray(array), MulBackward1, (input,), (factor,))


def over_scalar(input, divisor):
    """input / divisor for a Python float, recorded as PyTorch's div.Scalar (DivBackward1)."""
    numpy_dtype = _scalar_result_dtype(input._data)
    array = input._data.astype(numpy_dtype, copy=False) / numpy_dtype.type(divisor)
    return record(np.asarray(array), DivBackward1, (input,), (divisor,))


def _spacing(y, x, dim, function):
    """The differences of the sample points x along dim, shaped to broadcast against y's."""
    if x.dim() == 1:
        if x.shape[0] != y.shape[dim]:
            raise RuntimeError(f"{function}: There must be one `x` value for each sample point")
        sizes = [1] * y.dim()
        sizes[dim] = x.shape[0]
        x = x.view(sizes)
    elif x.dim() < y.dim():
        x = x.view([1] * (y.dim() - x.dim()) + list(x.shape))
    return x.narrow(dim, 1, x.shape[dim] - 1) - x.narrow(dim, 0, x.shape[dim] - 1)


def _check_real_spacing(dx, function):
    if isinstance(dx, (bool, np.bool_, complex)):
        raise RuntimeError(f"{function}: Currently, we only support dx as a real number.")


def _check_bool(y, x, function, message):
    if y._data.dtype.kind == "b" or (x is not None and x._data.dtype.kind == "b"):
        raise RuntimeError(f"{function}: {message}")


def _pairs(y, dim):
    """y's neighbouring samples along dim: (all but the last, all but the first)."""
    length = max(y.shape[dim] - 1, 0)
    return y.narrow(dim, 0, length), y.narrow(dim, min(1, length), length)


def trapezoid(y, x=None, *, dx=None, dim=-1):
    """The trapezoidal rule along dim, with sample points x or a constant spacing dx."""
    dim = normalize_dim(dim, y.dim()) if y.dim() else _no_dims(dim)
    if y.shape[dim] == 0:
        sizes = list(y.shape)
        del sizes[dim]
        return zeros(sizes, dtype=y.dtype)
    if x is not None:
        _check_bool(y, x, "trapezoid", "received a bool input for `x` or `y`, but bool is not "
                                       "supported")
        spacing = _spacing(y, x, dim, "trapezoid")
        left, right = _pairs(y, dim)
        return over_scalar(((right + left) * spacing).sum(dim), 2.0)
    dx = 1 if dx is None else dx
    _check_bool(y, None, "trapezoid", "received a bool input for `y`, but bool is not "
                                      "supported")
    _check_real_spacing(dx, "trapezoid")
    ends = times_scalar(y.select(dim, 0) + y.select(dim, -1), 0.5)
    return times_scalar(y.sum(dim) - ends, float(dx))


def _no_dims(dim):
    """PyTorch's error for integrating a 0-d tensor along any dim."""
    raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")


def trapz(y, x=None, *, dx=None, dim=-1):
    """Alias of trapezoid."""
    return trapezoid(y, x, dx=dx, dim=dim)


def cumulative_trapezoid(y, x=None, *, dx=None, dim=-1):
    """The running trapezoidal integral along dim (one fewer element than y along dim)."""
    if not y.dim():
        raise IndexError("slice() cannot be applied to a 0-dim tensor.")
    dim = normalize_dim(dim, y.dim())
    if x is not None:
        _check_bool(y, x, "cumulative_trapezoid", "received a bool input for `x` or `y`, but "
                                                  "bool is not supported")
        spacing = _spacing(y, x, dim, "cumulative_trapezoid")
        left, right = _pairs(y, dim)
        return over_scalar((spacing * (left + right)).cumsum(dim), 2.0)
    dx = 1 if dx is None else dx
    _check_bool(y, None, "cumulative_trapezoid", "received a bool input for `y`, but bool is "
                                                 "not supported")
    _check_real_spacing(dx, "cumulative_trapezoid")
    left, right = _pairs(y, dim)
    return times_scalar(left + right, float(dx) / 2.0).cumsum(dim)


# ---- cdist --------------------------------------------------------------------------------------

_COMPUTE_MODES = {"use_mm_for_euclid_dist_if_necessary": 0, "use_mm_for_euclid_dist": 1,
                  "donot_use_mm_for_euclid_dist": 2}


def _pairwise_differences(x1, x2):
    """x1's rows minus x2's rows: (..., r1, r2, c)."""
    return x1.unsqueeze(-2) - x2.unsqueeze(-3)


def _distance_terms(grad, x1, x2, p, result):
    """d result / d (x1 row - x2 row), times grad: (..., r1, r2, c); PyTorch's subgradient
    is 0 where a distance is 0 (and, for p < 1, where a difference is 0)."""
    difference = _pairwise_differences(x1, x2)
    distance = result.unsqueeze(-1)
    grad = grad.unsqueeze(-1)
    if p == 1:
        return grad * difference.sign()
    if p == float("inf"):
        return grad * difference.sign() * (difference.abs() == distance)
    # the masked entries get a constant denominator, so no 0/0 leaks into any order
    vanishing = distance == 0
    safe_distance = distance + vanishing
    if p == 2:
        return grad * difference / safe_distance * vanishing.logical_not()
    if p < 1:
        vanishing = vanishing | (difference == 0)
    magnitude = difference.abs() + (difference == 0)
    if p < 2:
        term = difference.sign() * magnitude.pow(p - 1)
    else:
        term = difference * magnitude.pow(p - 2)
    return term * grad / safe_distance.pow(p - 1) * vanishing.logical_not()


def _cdist_x1_backward(grad, x1, x2, p, result):
    if p == 0:
        return zeros_like(x1)
    return _distance_terms(grad, x1, x2, p, result).sum(-2)


def _cdist_x2_backward(grad, x1, x2, p, result):
    if p == 0:
        return zeros_like(x2)
    return -_distance_terms(grad, x1, x2, p, result).sum(-3)


def _euclidean_ratio(grad, result):
    return (grad / result).masked_fill(result == 0, 0)


def _euclidean_x1_backward(grad, x1, x2, result):
    ratio = _euclidean_ratio(grad, result)
    return x1 * ratio.sum(-1, keepdim=True) - ratio.matmul(x2)


def _euclidean_x2_backward(grad, x1, x2, result):
    ratio = _euclidean_ratio(grad, result)
    return x2 * ratio.sum(-2).unsqueeze(-1) - ratio.transpose(-1, -2).matmul(x1)


CdistBackward0 = node_class("CdistBackward0", _cdist_x1_backward, _cdist_x2_backward)
EuclideanDistBackward0 = node_class("EuclideanDistBackward0", _euclidean_x1_backward,
                                    _euclidean_x2_backward)


# rows of x1 per block, so the (rows, r2, c) differences stay near 2**22 elements
_BLOCK_ELEMENTS = 1 << 22


def _p_norm_distances(a, b, p):
    """Minkowski distances between the rows of a and b (NumPy, batched), a block of a's rows
    at a time."""
    rows = max(1, _BLOCK_ELEMENTS // max(1, b.shape[-2] * b.shape[-1]))
    if a.shape[-2] <= rows:
        return _p_norm_block(a, b, p)
    blocks = [_p_norm_block(a[..., start:start + rows, :], b, p)
              for start in range(0, a.shape[-2], rows)]
    return np.concatenate(blocks, axis=-2)


def _p_norm_block(a, b, p):
    difference = np.abs(np.expand_dims(a, -2) - np.expand_dims(b, -3))
    if p == 0:
        return (difference != 0).sum(-1).astype(a.dtype)
    if p == 1:
        return difference.sum(-1)
    if p == 2:
        return np.sqrt((difference * difference).sum(-1))
    if p == float("inf"):
        return difference.max(-1)
    return (difference ** p).sum(-1) ** (1 / p)


def _euclidean_distances(a, b):
    """PyTorch's matrix-multiplication route: |a|^2 - 2 a.b + |b|^2 as one product, clamped at
    0 (rounding can make it negative) before the square root."""
    a_norm = (a * a).sum(-1, keepdims=True)
    b_norm = (b * b).sum(-1, keepdims=True)
    left = np.concatenate([-2 * a, a_norm, np.ones_like(a_norm)], -1)
    right = np.concatenate([b, np.ones_like(b_norm), b_norm], -1)
    return np.sqrt(np.maximum(left @ np.swapaxes(right, -1, -2), 0))


def _cdist_checks(x1, x2, p):
    for name, tensor in (("X1", x1), ("X2", x2)):
        if tensor.dim() < 2:
            raise RuntimeError(f"cdist only supports at least 2D tensors, {name} got: "
                               f"{tensor.dim()}D")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: "
                           f"{x1.shape[-1]} X2: {x2.shape[-1]}")
    for name, tensor in (("X1", x1), ("X2", x2)):
        if not tensor.dtype.is_floating_point:
            raise RuntimeError(f"cdist only supports floating-point dtypes, {name} got: "
                               f"{dtype_name(tensor.dtype)}")
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")


def cdist(x1, x2, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    """p-norm distances between each row of x1 and each row of x2, batched over leading dims."""
    if compute_mode not in _COMPUTE_MODES:
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode")
    mode = _COMPUTE_MODES[compute_mode]
    _cdist_checks(x1, x2, p)
    p = float(p)
    batch1, batch2 = tuple(x1.shape[:-2]), tuple(x2.shape[:-2])
    try:
        batch = np.broadcast_shapes(batch1, batch2)
    except ValueError:
        raise broadcast_mismatch(batch1, batch2) from None
    rows1, rows2, columns = x1.shape[-2], x2.shape[-2], x1.shape[-1]
    shape = batch + (rows1, rows2)
    a, b = x1._data, x2._data
    euclidean = p == 2 and (mode == 1 or (mode == 0 and (rows1 > 25 or rows2 > 25)))
    if euclidean and x1.numel() and x2.numel():
        if a.dtype != b.dtype:
            raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: "
                               f"{_c_type(a)} != {_c_type(b)}")
        return _euclidean_cdist(x1, x2, batch, shape)
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected scalar type {dtype_name(x1.dtype)} but found "
                           f"{dtype_name(x2.dtype)}")
    if a.dtype.itemsize < 4:
        raise not_implemented("cdist", x1.dtype)
    if columns == 0 or 0 in shape:
        array = np.zeros(shape, dtype=a.dtype)
    else:
        array = _p_norm_distances(a, b, p).astype(a.dtype, copy=False)
    return record(array, CdistBackward0, (x1, x2), (x1, x2, p, RESULT))


def _euclidean_cdist(x1, x2, batch, shape):
    """The matrix-multiplication route, on inputs flattened to one batch dim when batched."""
    count = int(np.prod(batch))
    if count != 1:
        x1 = x1.expand(batch + tuple(x1.shape[-2:])).reshape(count, *x1.shape[-2:])
        x2 = x2.expand(batch + tuple(x2.shape[-2:])).reshape(count, *x2.shape[-2:])
    array = _euclidean_distances(x1._data, x2._data).astype(x1._data.dtype, copy=False)
    distances = record(array, EuclideanDistBackward0, (x1, x2), (x1, x2, RESULT))
    return distances.view(shape)


for _name in ("quantile", "nanquantile", "cov", "corrcoef", "histogram", "diff"):
    method(_name, globals()[_name])
