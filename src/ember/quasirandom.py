"""ember.quasirandom: the Sobol' low-discrepancy sequence, as torch.quasirandom.SobolEngine.

Points are built in Gray-code order (Antonov and Saleev), so point k is the XOR of the
direction numbers picked by the bits of k ^ (k >> 1), and equals torch's point k exactly.
Direction numbers come from the Bratley-Fox recurrence over each dimension's primitive
polynomial and initial values m_1..m_s. Only the dimensions whose initial values are forced
are supported here: dimension 1 (all m_k = 1) and dimension 2 (polynomial x + 1, whose only
admissible m_1 is 1). Higher dimensions need the published Joe-Kuo table (new-joe-kuo-6.21201),
which is data that cannot be derived, and is not shipped."""
import numpy as np

from ember import _dtype
from ember._tensor import _wrap
from ember.ops._elementwise import not_implemented
from ember.ops.creation import zeros
from ember.ops.sampling import Generator, randint

__all__ = ["SobolEngine"]

# (degree s, coefficient bits a_1..a_{s-1} of the primitive polynomial, m_1..m_s) for
# dimensions 2 onward; dimension 1 is the van der Corput sequence
_DERIVABLE_DIMENSIONS = ((1, 0, (1,)),)


def _direction_numbers(dimension, bits):
    """The (dimension, bits) direction numbers v_k = m_k * 2^(bits - k), k = 1..bits."""
    table = np.zeros((dimension, bits), dtype=np.int64)
    table[0] = 1 << np.arange(bits - 1, -1, -1, dtype=np.int64)
    for row, (degree, coefficients, initial) in enumerate(_DERIVABLE_DIMENSIONS[:dimension - 1],
                                                           start=1):
        values = list(initial)
        for k in range(degree, bits):
            # m_k = 2 a_1 m_{k-1} ^ 4 a_2 m_{k-2} ^ ... ^ 2^s m_{k-s} ^ m_{k-s}
            value = values[k - degree] ^ (values[k - degree] << degree)
            for position in range(1, degree):
                if (coefficients >> (degree - 1 - position)) & 1:
                    value ^= values[k - position] << position
            values.append(value)
        table[row] = np.array(values, dtype=np.int64) << np.arange(bits - 1, -1, -1)
    return table


def _as_bits(numbers, bits):
    """numbers (..., count) as bit columns (..., bits, count), most significant bit first."""
    positions = np.arange(bits - 1, -1, -1, dtype=np.int64)
    return (numbers[..., None, :] >> positions[:, None]) & 1


def _from_bits(columns, bits):
    weights = np.int64(1) << np.arange(bits - 1, -1, -1, dtype=np.int64)
    return np.einsum("...bc,b->...c", columns, weights)


class SobolEngine:
    """A generator of (optionally scrambled) Sobol' points in [0, 1)^dimension."""

    MAXBIT = 30
    MAXDIM = 21201

    def __init__(self, dimension, scramble=False, seed=None):
        if dimension > self.MAXDIM or dimension < 1:
            raise ValueError("Supported range of dimensionality for SobolEngine is "
                             f"[1, {self.MAXDIM}]")
        supported = len(_DERIVABLE_DIMENSIONS) + 1
        if dimension > supported:
            raise NotImplementedError(
                f"ember's SobolEngine supports dimensions 1 to {supported}: higher dimensions "
                "need the Joe-Kuo direction-number table, which ember does not ship")
        self.seed = seed
        self.scramble = scramble
        self.dimension = dimension
        self.sobolstate = _wrap(_direction_numbers(dimension, self.MAXBIT))
        if scramble:
            self._scramble()
        else:
            self.shift = zeros(dimension, dtype=_dtype.int64)
        self.quasi = self.shift.clone()
        # made once in the default dtype, as torch's first point is
        self._first_point = (self.quasi / 2 ** self.MAXBIT).reshape(1, -1)
        self.num_generated = 0

    def _scramble(self):
        """Owen's linear matrix scrambling and a random digital shift, from ember's stream."""
        generator = None
        if self.seed is not None:
            generator = Generator()
            generator.manual_seed(self.seed)
        bits = self.MAXBIT
        shift_bits = randint(2, (self.dimension, bits), generator=generator)._data
        self.shift = _wrap(shift_bits @ (np.int64(1) << np.arange(bits, dtype=np.int64)))
        lower = np.tril(randint(2, (self.dimension, bits, bits), generator=generator)._data)
        # a unit diagonal keeps the scrambling invertible, so the points stay a (t, s)-sequence
        lower[:, np.arange(bits), np.arange(bits)] = 1
        columns = _as_bits(self.sobolstate._data, bits)
        scrambled = (lower @ columns) & 1
        self.sobolstate = _wrap(_from_bits(scrambled, bits))

    def _points(self, first, count):
        """The integer points first..first+count-1 of the sequence, (count, dimension)."""
        index = np.arange(first, first + count, dtype=np.int64)
        gray = index ^ (index >> 1)
        points = np.broadcast_to(self.shift._data, (count, self.dimension)).copy()
        for bit in range(self.MAXBIT):
            picked = ((gray >> bit) & 1).astype(bool)
            points[picked] ^= self.sobolstate._data[:, bit]
        return points

    def draw(self, n=1, out=None, dtype=None):
        """The next n points, an (n, dimension) tensor."""
        if dtype is None:
            dtype = _dtype.get_default_dtype()
        if self.num_generated == 0 and n == 1:
            result = self._first_point.to(dtype)
        else:
            if dtype not in (_dtype.float32, _dtype.float64):
                # ATen's kernel is dispatched for float and double only
                raise not_implemented("_sobol_engine_draw", dtype)
            points = self._points(self.num_generated, n)
            self.quasi = _wrap(points[-1].copy())
            scaled = _wrap(points.astype(np.float64) / 2 ** self.MAXBIT).to(dtype)
            if self.num_generated == 0:
                scaled[0] = self._first_point[0].to(dtype)
            result = scaled
        self.num_generated += n
        if out is not None:
            out.resize_as_(result).copy_(result)
            return out
        return result

    def draw_base2(self, m, out=None, dtype=None):
        """The next 2^m points, which must complete a power-of-2 total (balance properties)."""
        n = 2 ** m
        total_n = self.num_generated + n
        if not (total_n & (total_n - 1) == 0):
            raise ValueError("The balance properties of Sobol' points require n to be a power "
                             f"of 2. {self.num_generated} points have been previously generated, "
                             f"then: n={self.num_generated}+2**{m}={total_n}. If you still want "
                             "to do this, please use 'SobolEngine.draw()' instead.")
        return self.draw(n=n, out=out, dtype=dtype)

    def reset(self):
        """Back to the first point."""
        self.quasi.copy_(self.shift)
        self.num_generated = 0
        return self

    def fast_forward(self, n):
        """Skips the next n points."""
        if n > 0:
            self.quasi = _wrap(self._points(self.num_generated + n - 1, 1)[0])
        self.num_generated += n
        return self

    def __repr__(self):
        fields = [f"dimension={self.dimension}"]
        if self.scramble:
            fields.append("scramble=True")
        if self.seed is not None:
            fields.append(f"seed={self.seed}")
        return f"{type(self).__name__}({', '.join(fields)})"
