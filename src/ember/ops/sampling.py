"""Random numbers: generators, seeding, random creation and in-place random fills.

The streams are NumPy's, not PyTorch's: each ember.Generator wraps a NumPy PCG64 bit generator,
so the same seed gives the same numbers on every run and every machine, but not the numbers
torch.manual_seed(seed) gives in PyTorch. The distributions, shapes, dtypes, argument checks and
error messages are PyTorch's. Random results carry PyTorch's grad_fn names; their gradients
with respect to the distribution's parameters are zero, as in PyTorch."""
import builtins

import numpy as np

from ember import _dtype
from ember._device import CPU, check_device
from ember._errors import argument_type_error, dtype_name, parser_type_name
from ember._tensor import Tensor, _wrap
from ember.autograd.grad_mode import STATE
from ember.ops._registry import check_inplace, node_class, record, set_history
from ember.ops.conversion import preserved_empty
from ember.ops.ranges import signature_error
from ember.ops.creation import (CPP_TYPE_NAMES, into_out, finish, parse_dtype,
                                parse_size)

__all__ = ["Generator", "default_generator", "manual_seed", "seed", "initial_seed",
           "get_rng_state", "set_rng_state", "rand", "randn", "randint", "randperm", "normal",
           "bernoulli", "multinomial", "poisson", "binomial", "rand_like", "randn_like",
           "randint_like"]

_DEFAULT_SEED = 67280421310721
_UINT64 = 1 << 64
# get_state() layout: PCG64 state and increment (16 bytes each), the buffered-uint32 flag and
# value, and the initial seed.
_STATE_SIZE = 16 + 16 + 1 + 4 + 8


def _seed_value(seed):
    seed = builtins.int(seed)
    if not -(1 << 63) <= seed < _UINT64:
        raise ValueError("Overflow when unpacking long long")
    return seed % _UINT64


class Generator:
    """A source of random numbers (NumPy's PCG64), as torch.Generator."""

    # torch.Generator is torch._C.Generator, a C type
    __module__ = "ember._C"

    def __init__(self, device="cpu"):
        check_device(device)
        self.device = CPU
        self.manual_seed(_DEFAULT_SEED)

    def manual_seed(self, seed):
        """Reseeds the generator; returns it."""
        seed = _seed_value(seed)
        self._initial_seed = seed
        # built on first use: importing numpy.random costs more than a tenth of `import ember`
        self._numpy_generator = None
        return self

    @property
    def _numpy(self):
        generator = self._numpy_generator
        if generator is None:
            generator = np.random.Generator(np.random.PCG64(self._initial_seed))
            self._numpy_generator = generator
        return generator

    def seed(self):
        """Reseeds from operating-system entropy; returns the new seed."""
        fresh = builtins.int(np.random.SeedSequence().entropy) % _UINT64
        self.manual_seed(fresh)
        return fresh

    def initial_seed(self):
        """The seed the generator was last seeded with."""
        return self._initial_seed

    def get_state(self):
        """The generator's state as a uint8 tensor."""
        state = self._numpy.bit_generator.state
        raw = (state["state"]["state"].to_bytes(16, "little")
               + state["state"]["inc"].to_bytes(16, "little")
               + bytes([state["has_uint32"]])
               + state["uinteger"].to_bytes(4, "little")
               + self._initial_seed.to_bytes(8, "little"))
        return _wrap(np.frombuffer(raw, np.uint8).copy())

    def set_state(self, new_state):
        """Restores a state from get_state(); returns the generator."""
        if not isinstance(new_state, Tensor) or new_state._data.dtype != np.uint8:
            raise TypeError("RNG state must be a torch.ByteTensor")
        if new_state._data.size != _STATE_SIZE:
            raise RuntimeError(f"Expected a CPUGeneratorImplState of size {_STATE_SIZE} but "
                               "found the input RNG state size to be "
                               f"{new_state._data.size}")
        raw = new_state._data.tobytes()
        bit_generator = np.random.PCG64()
        bit_generator.state = {
            "bit_generator": "PCG64",
            "state": {"state": builtins.int.from_bytes(raw[:16], "little"),
                      "inc": builtins.int.from_bytes(raw[16:32], "little")},
            "has_uint32": raw[32], "uinteger": builtins.int.from_bytes(raw[33:37], "little")}
        self._numpy_generator = np.random.Generator(bit_generator)
        self._initial_seed = builtins.int.from_bytes(raw[37:], "little")
        return self

    def clone_state(self):
        """A new generator in the same state."""
        twin = Generator()
        return twin.set_state(self.get_state())


default_generator = Generator()


def manual_seed(seed):
    """Seeds the default generator; returns it."""
    return default_generator.manual_seed(seed)


def seed():
    """Seeds the default generator from operating-system entropy; returns the seed."""
    return default_generator.seed()


def initial_seed():
    """The default generator's initial seed."""
    return default_generator.initial_seed()


def get_rng_state():
    """The default generator's state."""
    return default_generator.get_state()


def set_rng_state(new_state):
    """Restores the default generator's state."""
    default_generator.set_state(new_state)


def _numpy_generator(generator):
    return (default_generator if generator is None else generator)._numpy


def _maybe_out(result, out):
    """result, or (with out=) its values written into out, resized as torch resizes it."""
    if out is None:
        return result
    return into_out(out, result._data)


# ---- sampling kernels (ndarray in, ndarray out) ----------------------------------------------

def _not_implemented(kernel, dtype):
    return NotImplementedError(f'"{kernel}" not implemented for \'{dtype_name(dtype)}\'')


def _require_floating(kernel, dtype):
    if dtype._category < _dtype._FLOATING:
        raise _not_implemented(kernel, dtype)


def _uniform_array(rng, shape, dtype, low=0.0, high=1.0):
    """Uniform [low, high) samples of `dtype` (complex: real and imaginary parts each)."""
    numpy_dtype = _dtype.numpy_dtype(dtype)
    if numpy_dtype.kind == "c":
        real = _uniform_array(rng, shape + (2,), dtype.to_real(), low, high)
        return (real[..., 0] + 1j * real[..., 1]).astype(numpy_dtype)
    compute = np.float64 if numpy_dtype == np.float64 else np.float32
    values = rng.random(shape, dtype=compute)
    if (low, high) != (0.0, 1.0):
        values = values * compute(high - low) + compute(low)
    values = values.astype(numpy_dtype)
    if numpy_dtype.itemsize < 4 and high > low:
        # rounding to 16 bits can reach `high`; the interval is half-open
        below = np.nextafter(np.array(high, numpy_dtype), np.array(low, numpy_dtype))
        np.minimum(values, below, out=values)
    return values


def _normal_array(rng, shape, dtype, mean=0.0, std=1.0):
    numpy_dtype = _dtype.numpy_dtype(dtype)
    if numpy_dtype.kind == "c":
        # complex normal: the variance splits evenly between the real and imaginary parts
        parts = rng.standard_normal(shape + (2,)) * np.sqrt(0.5)
        values = parts[..., 0] + 1j * parts[..., 1]
    else:
        compute = np.float64 if numpy_dtype == np.float64 else np.float32
        values = rng.standard_normal(shape, dtype=compute)
    return (values * std + mean).astype(numpy_dtype)


def _number_text(value):
    # C++ prints these doubles with the default stream format, like %g
    return f"{builtins.float(value):g}"


# ---- random creation --------------------------------------------------------------------------

_OPTIONS = ("Tensor out = None, torch.dtype dtype = None, torch.layout layout = None, "
            "torch.device device = None, bool pin_memory = False, bool requires_grad = False)")
_CREATION_SIGNATURES = (f"(tuple of ints size, *, torch.Generator generator, {_OPTIONS}",
                        f"(tuple of ints size, *, {_OPTIONS}")
_RANDINT_SIGNATURES = tuple(f"({bounds}, tuple of ints size, *, {generator}{_OPTIONS}"
                            for bounds in ("int high", "int low, int high")
                            for generator in ("torch.Generator generator, ", ""))


def _check_arguments(function, positional, generator, dtype, signatures):
    """torch's no-matching-overload TypeError for a bad generator or dtype, or no size."""
    keywords = {}
    if generator is not None and not isinstance(generator, Generator):
        keywords["generator"] = generator
    if dtype is not None and not isinstance(dtype, (_dtype.dtype, type)):
        keywords["dtype"] = dtype
    if keywords or not positional:
        raise signature_error(function, positional, keywords, signatures)


def _random_creation(function, sampler, size, generator, dtype, device, requires_grad, out,
                     kernel):
    _check_arguments(function, size, generator, dtype, _CREATION_SIGNATURES)
    dtype = parse_dtype(function, dtype) or _dtype.DEFAULT.value
    check_device(device)
    shape = parse_size(function, size)
    _require_floating(kernel, dtype)
    array = sampler(_numpy_generator(generator), shape, dtype)
    if out is not None:
        return into_out(out, array)
    return finish(array, requires_grad)


def rand(*size, generator=None, out=None, dtype=None, layout=None, device=None,
         requires_grad=False, pin_memory=False):
    """Uniform samples from [0, 1)."""
    return _random_creation("rand", _uniform_array, size, generator, dtype, device,
                            requires_grad, out, "check_uniform_bounds")


def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None,
          requires_grad=False, pin_memory=False):
    """Samples from the standard normal distribution."""
    return _random_creation("randn", _normal_array, size, generator, dtype, device,
                            requires_grad, out, "normal_kernel_cpu")


def _check_integer_bounds(low, high, dtype):
    if low >= high:
        raise RuntimeError("random_ expects 'from' to be less than 'to', but got "
                           f"from={low} >= to={high}")
    numpy_dtype = _dtype.numpy_dtype(dtype)
    if numpy_dtype.kind in "iu":
        limits = np.iinfo(numpy_dtype)
        type_name = CPP_TYPE_NAMES[dtype._name]
        if not limits.min <= low <= limits.max:
            raise RuntimeError(f"from is out of bounds for {type_name}")
        if not limits.min <= high - 1 <= limits.max:
            raise RuntimeError(f"to - 1 is out of bounds for {type_name}")


def _integers(rng, low, high, shape, dtype):
    return rng.integers(low, high, shape, dtype=np.int64).astype(_dtype.numpy_dtype(dtype))


def randint(low=0, high=None, size=None, *, generator=None, out=None, dtype=None, layout=None,
            device=None, requires_grad=False, pin_memory=False):
    """Integers drawn uniformly from [low, high); randint(high, size) starts at 0."""
    given = tuple(value for value in (low, high, size) if value is not None)
    _check_arguments("randint", given, generator, dtype, _RANDINT_SIGNATURES)
    if size is None:
        low, high, size = 0, low, high
        position = 2
    else:
        position = 3
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"randint(): argument 'size' (position {position}) must be tuple of "
                        f"ints, not {parser_type_name(size)}")
    shape = parse_size("randint", (size,))
    dtype = parse_dtype("randint", dtype) or _dtype.int64
    check_device(device)
    low, high = builtins.int(low), builtins.int(high)
    _check_integer_bounds(low, high, dtype)
    array = _integers(_numpy_generator(generator), low, high, shape, dtype)
    if out is not None:
        return into_out(out, array)
    return finish(array, requires_grad)


def randperm(n, *, generator=None, out=None, dtype=None, layout=None, device=None,
             requires_grad=False, pin_memory=False):
    """A random permutation of 0..n-1."""
    if not isinstance(n, (builtins.int, np.integer)) or isinstance(n, builtins.bool):
        raise TypeError(f"randperm(): argument 'n' (position 1) must be int, not "
                        f"{type(n).__name__}")
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    dtype = parse_dtype("randperm", dtype) or _dtype.int64
    check_device(device)
    permutation = _numpy_generator(generator).permutation(builtins.int(n))
    return _maybe_out(finish(permutation.astype(_dtype.numpy_dtype(dtype)), requires_grad), out)


def _like_args(function, input, dtype):
    if not isinstance(input, Tensor):
        raise argument_type_error(function, "input", 1, "Tensor", input)
    dtype = parse_dtype(function, dtype)
    return input._data.shape, input.dtype if dtype is None else dtype


def _laid_out_like(input, result, memory_format):
    """result's values in input's layout when torch's preserve_format keeps it."""
    array = preserved_empty(input._data, result._data.dtype, memory_format)
    if array.strides == result._data.strides:
        return result
    array[...] = result._data
    result._data = array
    return result


def rand_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None, generator=None):
    """Uniform [0, 1) samples shaped like input."""
    shape, dtype = _like_args("rand_like", input, dtype)
    result = rand(shape, generator=generator, dtype=dtype, device=device,
                  requires_grad=requires_grad)
    return _laid_out_like(input, result, memory_format)


def randn_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None, generator=None):
    """Standard normal samples shaped like input."""
    shape, dtype = _like_args("randn_like", input, dtype)
    result = randn(shape, generator=generator, dtype=dtype, device=device,
                   requires_grad=requires_grad)
    return _laid_out_like(input, result, memory_format)


def randint_like(input, low=0, high=None, *, dtype=None, layout=None, device=None,
                 requires_grad=False, memory_format=None, generator=None):
    """Random integers in [low, high) shaped like input (and of its dtype by default)."""
    shape, dtype = _like_args("randint_like", input, dtype)
    if high is None:
        low, high = 0, low
    result = randint(low, high, shape, generator=generator, dtype=dtype, device=device,
                     requires_grad=requires_grad)
    return _laid_out_like(input, result, memory_format)


# ---- distributions with tensor parameters ----------------------------------------------------

_ZERO_RULE = lambda grad: grad * 0  # noqa: E731  (random draws have no pathwise gradient)
NormalBackward1 = node_class("NormalBackward1", _ZERO_RULE)
NormalBackward2 = node_class("NormalBackward2", _ZERO_RULE)
NormalBackward3 = node_class("NormalBackward3", _ZERO_RULE, _ZERO_RULE)
BernoulliBackward0 = node_class("BernoulliBackward0", _ZERO_RULE)
PoissonBackward0 = node_class("PoissonBackward0", _ZERO_RULE)

_NORMAL_SIGNATURES = (
    " * (Tensor mean, Tensor std, *, torch.Generator generator = None, Tensor out = None)\n"
    " * (Tensor mean, float std = 1, *, torch.Generator generator = None, Tensor out = None)\n"
    " * (float mean, Tensor std, *, torch.Generator generator = None, Tensor out = None)\n"
    " * (float mean, float std, tuple of ints size, *, torch.Generator generator = None, "
    "Tensor out = None, torch.dtype dtype = None, torch.layout layout = None, "
    "torch.device device = None, bool pin_memory = False, bool requires_grad = False)\n")


def _check_std_tensor(std):
    if std._data.size and np.any(std._data < 0):
        raise RuntimeError("normal expects all elements of std >= 0.0")


def normal(mean, std=1.0, size=None, *, generator=None, out=None, dtype=None, layout=None,
           device=None, requires_grad=False, pin_memory=False):
    """Normal samples with the given mean and std (tensors broadcast, or floats and a size)."""
    rng = _numpy_generator(generator)
    mean_is_tensor = isinstance(mean, Tensor)
    std_is_tensor = isinstance(std, Tensor)
    if mean_is_tensor and std_is_tensor:
        _require_floating("normal_kernel_cpu", mean.dtype)
        _check_std_tensor(std)
        from ember._errors import broadcast_mismatch
        try:
            shape = np.broadcast_shapes(mean._data.shape, std._data.shape)
        except ValueError:
            raise broadcast_mismatch(mean._data.shape, std._data.shape) from None
        noise = _normal_array(rng, shape, mean.dtype)
        values = (mean._data + std._data * noise).astype(mean._data.dtype)
        return _maybe_out(record(values, NormalBackward3, (mean, std), ()), out)
    if mean_is_tensor:
        _require_floating("normal_kernel_cpu", mean.dtype)
        if std < 0:
            raise RuntimeError(f"normal expects std >= 0.0, but found std {_number_text(std)}")
        values = _normal_array(rng, mean._data.shape, mean.dtype, 0.0, std) + mean._data
        result = record(values.astype(mean._data.dtype), NormalBackward1, (mean,), ())
        return _maybe_out(result, out)
    if std_is_tensor:
        _require_floating("normal_kernel_cpu", std.dtype)
        _check_std_tensor(std)
        values = _normal_array(rng, std._data.shape, std.dtype) * std._data + mean
        result = record(values.astype(std._data.dtype), NormalBackward2, (std,), ())
        return _maybe_out(result, out)
    if size is None:
        raise TypeError("normal() received an invalid combination of arguments - got "
                        f"({type(mean).__name__}, {type(std).__name__}), but expected one "
                        "of:\n" + _NORMAL_SIGNATURES)
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {_number_text(std)}")
    dtype = parse_dtype("normal", dtype) or _dtype.DEFAULT.value
    check_device(device)
    shape = parse_size("normal", (size,))
    _require_floating("normal_kernel_cpu", dtype)
    return _maybe_out(finish(_normal_array(rng, shape, dtype, mean, std), requires_grad), out)


_P_RANGE_MESSAGE = ("Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could this "
                    "error message be improved?  If so, please report an enhancement request "
                    "to PyTorch.)")


def _bernoulli_p_error(p):
    return RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={_number_text(p)}")


def bernoulli(input, p=None, *, generator=None, out=None):
    """0/1 draws with probabilities `input` (or the constant p), in input's dtype."""
    rng = _numpy_generator(generator)
    if p is not None:
        if not 0 <= p <= 1:
            raise _bernoulli_p_error(p)
        draws = rng.random(input._data.shape) < p
        return _maybe_out(_wrap(draws.astype(input._data.dtype)), out)
    _require_floating("bernoulli_tensor_cpu_p_", input.dtype)
    probabilities = input._data
    if probabilities.size and not (np.all(probabilities >= 0) and np.all(probabilities <= 1)):
        raise RuntimeError(_P_RANGE_MESSAGE)
    draws = rng.random(probabilities.shape) < probabilities
    result = record(draws.astype(probabilities.dtype), BernoulliBackward0, (input,), ())
    return _maybe_out(result, out)


def poisson(input, generator=None):
    """Poisson draws with rates `input`."""
    _require_floating("poisson_cpu", input.dtype)
    rates = input._data
    if rates.size and np.any(rates < 0):
        raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
    draws = _numpy_generator(generator).poisson(rates.astype(np.float64))
    return record(draws.astype(rates.dtype), PoissonBackward0, (input,), ())


def _binomial_not_implemented(grad):
    raise RuntimeError("derivative for aten::binomial is not implemented")


# PyTorch records binomial under its generic node for a missing derivative
BinomialNotImplemented = node_class("NotImplemented", _binomial_not_implemented,
                                    _binomial_not_implemented)


def binomial(count, prob, generator=None):
    """Binomial draws: successes in `count` trials of probability `prob` (broadcast)."""
    for name, tensor in (("count", count), ("prob", prob)):
        if tensor.dtype._category < _dtype._FLOATING:
            raise ValueError(f"binomial only supports floating-point dtypes for {name}, got: "
                             f"{dtype_name(tensor.dtype).capitalize()}")
    if prob.dtype is not count.dtype:
        raise RuntimeError(f"Found dtype {dtype_name(prob.dtype).capitalize()} but expected "
                           f"{dtype_name(count.dtype).capitalize()}")
    # out-of-range parameters saturate as PyTorch's sampler: no trials below 0, and
    # probabilities clipped into [0, 1]
    trials = np.maximum(count._data, 0).astype(np.int64)
    probabilities = np.clip(np.broadcast_to(prob._data, count._data.shape), 0, 1)
    draws = _numpy_generator(generator).binomial(trials, probabilities)
    return record(draws.astype(count._data.dtype), BinomialNotImplemented, (count, prob), ())


def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    """Indices drawn from the categorical distributions in the rows of input."""
    data = input._data
    if data.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if input.dtype._category != _dtype._FLOATING:
        raise RuntimeError("multinomial only supports floating-point dtypes for input, got: "
                           f"{dtype_name(input.dtype)}")
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    categories = data.shape[-1]
    if not replacement and num_samples > categories:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without "
                           "replacement")
    rows = data.reshape(-1, categories).astype(np.float64)
    if not np.all(np.isfinite(rows)) or np.any(rows < 0):
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    totals = rows.sum(axis=1)
    if np.any(totals <= 0):
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    rng = _numpy_generator(generator)
    if replacement:
        samples = _sample_with_replacement(rng, rows / totals[:, None], num_samples)
    else:
        # the exponential race: p / Exp(1) ranks categories as sampling without replacement
        keys = rows / rng.exponential(size=rows.shape)
        samples = np.argsort(-keys, axis=1, kind="stable")[:, :num_samples]
    samples = samples.reshape(data.shape[:-1] + (num_samples,)).astype(np.int64)
    return _maybe_out(_wrap(samples), out)


def _sample_with_replacement(rng, probabilities, num_samples):
    count, categories = probabilities.shape
    cumulative = np.cumsum(probabilities, axis=1)
    cumulative[:, -1] = 1.0
    # one searchsorted over all rows: row r's bins are shifted into [r, r + 1)
    offsets = np.arange(count)[:, None]
    uniforms = rng.random((count, num_samples))
    flat = np.searchsorted((cumulative + offsets).ravel(), (uniforms + offsets).ravel(),
                           side="right")
    samples = flat.reshape(count, num_samples) - offsets * categories
    return np.minimum(samples, categories - 1)


# ---- in-place random fills -------------------------------------------------------------------

UniformBackward0 = node_class("UniformBackward0", _ZERO_RULE)
NormalBackward0 = node_class("NormalBackward0", _ZERO_RULE)
ExponentialBackward0 = node_class("ExponentialBackward0", _ZERO_RULE)
RandomBackward0 = node_class("RandomBackward0", _ZERO_RULE)
RandomBackward1 = node_class("RandomBackward1", _ZERO_RULE)
RandomBackward2 = node_class("RandomBackward2", _ZERO_RULE)
BernoulliBackward1 = node_class("BernoulliBackward1", _ZERO_RULE, _ZERO_RULE)
BernoulliBackward2 = node_class("BernoulliBackward2", _ZERO_RULE)


def _fill_random(self, values, node_cls, inputs=None):
    """Writes `values` into self (already validated) and records node_cls when self is part
    of a graph, as PyTorch's in-place random ops do."""
    np.copyto(self._data, values, casting="unsafe")
    self._bump_version()
    inputs = (self,) if inputs is None else inputs
    if STATE.enabled and any(isinstance(t, Tensor) and t._requires_grad for t in inputs):
        set_history(self, record(self._data, node_cls, inputs, ()))
    return self


def _from_keyword(kwargs, default):
    """torch names the lower bound `from`, a Python keyword: it arrives through **kwargs."""
    value = kwargs.pop("from", default)
    if kwargs:
        raise TypeError(f"got an unexpected keyword argument '{next(iter(kwargs))}'")
    return value


def uniform_(self, from_=0.0, to=1.0, *, generator=None, **kwargs):
    """Fills self with uniform samples from [from, to)."""
    check_inplace(self)
    from_ = _from_keyword(kwargs, from_)
    _require_floating("check_uniform_bounds", self.dtype)
    if from_ > to:
        raise RuntimeError("uniform_ expects to return a [from, to) range, but found "
                           f"from={_number_text(from_)} > to={_number_text(to)}")
    values = _uniform_array(_numpy_generator(generator), self._data.shape, self.dtype,
                            builtins.float(from_), builtins.float(to))
    return _fill_random(self, values, UniformBackward0)


def normal_(self, mean=0.0, std=1.0, *, generator=None):
    """Fills self with normal samples."""
    check_inplace(self)
    _require_floating("normal_kernel_cpu", self.dtype)
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {_number_text(std)}")
    values = _normal_array(_numpy_generator(generator), self._data.shape, self.dtype, mean, std)
    return _fill_random(self, values, NormalBackward0)


def exponential_(self, lambd=1.0, *, generator=None):
    """Fills self with exponential samples of rate lambd."""
    check_inplace(self)
    if self.dtype._category != _dtype._FLOATING:
        raise RuntimeError("Exponential distribution is a continuous probability distribution. "
                           f"dtype must be a floating point but you specified "
                           f"{dtype_name(self.dtype)}")
    if not lambd > 0:
        raise RuntimeError("exponential_ expects lambda > 0.0, but found "
                           f"lambda={_number_text(lambd)}")
    values = _numpy_generator(generator).exponential(1.0 / lambd, self._data.shape)
    return _fill_random(self, values.astype(self._data.dtype), ExponentialBackward0)


CauchyBackward0 = node_class("CauchyBackward0", _ZERO_RULE)
GeometricBackward0 = node_class("GeometricBackward0", _ZERO_RULE)
LogNormalBackward0 = node_class("LogNormalBackward0", _ZERO_RULE)


def cauchy_(self, median=0.0, sigma=1.0, *, generator=None):
    """Fills self with Cauchy samples of the given median and scale sigma."""
    check_inplace(self)
    if self.dtype._category != _dtype._FLOATING:
        raise RuntimeError("Cauchy distribution is a continuous probability distribution. "
                           f"dtype must be a floating point but you specified "
                           f"{CPP_TYPE_NAMES[self._data.dtype.name]}")
    if not sigma > 0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={_number_text(sigma)}")
    values = _numpy_generator(generator).standard_cauchy(self._data.shape) * sigma + median
    return _fill_random(self, values.astype(self._data.dtype), CauchyBackward0)


def geometric_(self, p, *, generator=None):
    """Fills self with the number of Bernoulli(p) trials up to the first success (>= 1)."""
    check_inplace(self)
    if self._data.dtype.kind in "bc":
        raise _not_implemented("geometric_cpu", self.dtype)
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={_number_text(p)}")
    values = _numpy_generator(generator).geometric(p, self._data.shape)
    return _fill_random(self, values.astype(self._data.dtype), GeometricBackward0)


def log_normal_(self, mean=1.0, std=2.0, *, generator=None):
    """Fills self with exp(N(mean, std^2)) samples."""
    check_inplace(self)
    _require_floating("log_normal_cpu", self.dtype)
    if not std > 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={_number_text(std)}")
    values = np.exp(_numpy_generator(generator).normal(mean, std, self._data.shape))
    return _fill_random(self, values.astype(self._data.dtype), LogNormalBackward0)


def _random_upper_default(dtype):
    numpy_dtype = _dtype.numpy_dtype(dtype)
    if numpy_dtype.kind in "iu":
        return builtins.int(np.iinfo(numpy_dtype).max) + 1
    if numpy_dtype.kind == "b":
        return 2
    # floats: every integer up to 2**mantissa digits is representable
    digits = {2: 11, 4: 24, 8: 53}[numpy_dtype.itemsize]
    return (1 << (8 if dtype is _dtype.bfloat16 else digits)) + 1


_UNSET = object()


def random_(self, from_=_UNSET, to=None, *, generator=None, **kwargs):
    """Fills self with integers from [from, to) (default: every representable integer)."""
    check_inplace(self)
    from_ = _from_keyword(kwargs, from_)
    if from_ is _UNSET:
        arguments = 0
        from_, to = 0, _random_upper_default(self.dtype)
    elif to is None:
        arguments = 1
        from_, to = 0, from_
    else:
        arguments = 2
    from_, to = builtins.int(from_), builtins.int(to)
    _check_integer_bounds(from_, to, self.dtype)
    values = _integers(_numpy_generator(generator), from_, to, self._data.shape, self.dtype)
    # torch's overloads: random_(from, to), random_(to), random_()
    node_cls = (RandomBackward2, RandomBackward1, RandomBackward0)[arguments]
    return _fill_random(self, values, node_cls)


def bernoulli_(self, p=0.5, *, generator=None):
    """Fills self with 0/1 draws of probability p (a float or a broadcastable tensor)."""
    check_inplace(self)
    rng = _numpy_generator(generator)
    if isinstance(p, Tensor):
        probabilities = p._data
        if probabilities.size and not (np.all(probabilities >= 0)
                                       and np.all(probabilities <= 1)):
            raise RuntimeError(_P_RANGE_MESSAGE)
        draws = rng.random(self._data.shape) < np.broadcast_to(probabilities, self._data.shape)
        return _fill_random(self, draws, BernoulliBackward1, (self, p))
    if not 0 <= p <= 1:
        raise _bernoulli_p_error(p)
    draws = rng.random(self._data.shape) < p
    return _fill_random(self, draws, BernoulliBackward2)


for _name, _function in (("uniform_", uniform_), ("normal_", normal_),
                         ("exponential_", exponential_), ("random_", random_),
                         ("cauchy_", cauchy_), ("geometric_", geometric_),
                         ("log_normal_", log_normal_),
                         ("bernoulli_", bernoulli_), ("bernoulli", bernoulli),
                         ("multinomial", multinomial)):
    setattr(Tensor, _name, _function)
