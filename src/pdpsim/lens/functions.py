"""Lens's numbers, piece by piece: its errors, its random generators and its output and
error functions, as Lens 2.63 computes them (see :mod:`pdpsim.lens.train`)."""
from __future__ import annotations

import math
import os
import time

import numpy as np

from pdpsim.functions.errors import ErrorFunction
from pdpsim.functions.units import Linear, OutputFunction
from pdpsim.validation import PdpError

NAN = float("nan")
LARGE_VAL = 1e8
SMALL_VAL = 1e-8


class LensError(PdpError):
    """A Lens command or object path that pdpsim cannot honour (the script stops)."""


class NeedsTime(LensError):
    """A Lens feature of networks that unfold in time (not yet in pdpsim)."""

    def __init__(self, what: str):
        super().__init__(f"{what} needs a network that unfolds in time (simple recurrent / continuous "
                         "networks) in a way pdpsim's Lens shell does not run yet (it runs feed-forward, "
                         "CONTINUOUS and simple recurrent SRBPTT networks; see docs/lens.md)")


def choose(*values):
    """Lens's chooseValue: the first value that is not NaN (scalars or arrays, elementwise)."""
    out = values[-1]
    for v in reversed(values[:-1]):
        if isinstance(v, np.ndarray) or isinstance(out, np.ndarray):
            out = np.where(np.isnan(v), out, v)
        elif not math.isnan(v):
            out = v
    return out


class LensRandom:
    """Lens's random numbers, exactly: ``drand48`` for reals and probabilities
    (weights, ``RANDOM`` connections, ``rand``) and glibc's ``random()`` for
    integers (``PERMUTED`` / ``RANDOMIZED`` example order, ``randInt``), both
    seeded by ``seed`` as Lens seeds them. With the same seed and the same
    commands, pdpsim draws the same weights as Lens on Linux.
    """

    _A, _C, _MASK = 0x5DEECE66D, 0xB, (1 << 48) - 1

    def __init__(self, seed: int | None = None):
        if seed is None:
            seed = (os.getpid() * int(time.time() * 1e6) * 31) & 0xFFFFFFFF
        self.seed(seed)

    def seed(self, seed: int) -> None:
        s = int(seed) & 0xFFFFFFFF
        self.last_seed = s
        self._x = (s << 16) | 0x330E                      # srand48
        word = s if s != 0 else 1                          # srandom: TYPE_3, 31 words
        if word >= 1 << 31:
            word -= 1 << 32
        state = [word]
        for _ in range(1, 31):
            hi = -((-word) // 127773) if word < 0 else word // 127773
            lo = word - hi * 127773
            word = 16807 * lo - 2836 * hi
            if word < 0:
                word += 2147483647
            state.append(word)
        self._state = [v & 0xFFFFFFFF for v in state]
        self._f, self._r = 3, 0
        for _ in range(310):
            self.random()
        if not hasattr(self, "_gauss"):
            self._gauss = None                             # randGaussian's spare value: (value, mean, range)

    def random(self) -> int:
        """glibc random(): 31 bits."""
        st = self._state
        st[self._f] = (st[self._f] + st[self._r]) & 0xFFFFFFFF
        val = st[self._f] >> 1
        self._f += 1
        if self._f >= 31:
            self._f = 0
            self._r += 1
        else:
            self._r += 1
            if self._r >= 31:
                self._r = 0
        return val

    def drand48(self) -> float:
        self._x = (self._A * self._x + self._C) & self._MASK
        return self._x / 281474976710656.0

    def rand_int(self, n: int) -> int:
        """Lens's randInt: random() % n."""
        return self.random() % n

    def rand_real(self, mean: float, range_: float) -> float:
        """Lens's randReal: uniform in mean +- range."""
        return (self.drand48() * 2 - 1.0) * range_ + mean

    def rand_prob(self) -> float:
        return self.drand48()

    def rand_gaussian(self, mean: float, range_: float) -> float:
        """Lens's randGaussian: the polar method on two ``randReal(0, 1)`` draws, returning one
        value of the pair and keeping the other for the next call with the same mean and range
        (the spare survives ``seed``, as Lens's static variables do)."""
        spare = self._gauss
        if spare is not None and spare[1] == mean and spare[2] == range_:
            self._gauss = None
            return spare[0]
        while True:
            v1 = self.rand_real(0.0, 1.0)
            v2 = self.rand_real(0.0, 1.0)
            rsq = v1 * v1 + v2 * v2
            if 0.0 < rsq < 1.0:
                break
        fac = math.sqrt(-2.0 * math.log(rsq) / rsq)
        self._gauss = (v1 * fac * range_ + mean, mean, range_)
        return v2 * fac * range_ + mean

    def noise(self, proc: str, value: float, range_: float) -> float:
        """One of Lens's noise procedures (``noiseType``) applied to ``value``."""
        if proc == "addGaussian":
            return value + self.rand_gaussian(0.0, range_)
        if proc == "multGaussian":
            return value * self.rand_gaussian(1.0, range_)
        if proc == "addUniform":
            return value + self.rand_real(0.0, range_)
        if proc == "multUniform":
            return value * self.rand_real(1.0, range_)
        raise LensError(f"unknown noise procedure {proc!r}")

    def noise_array(self, proc: str, values: np.ndarray, range_: float, skip: np.ndarray | None = None) -> np.ndarray:
        """``noise`` on each value in order (units in order), leaving out those where ``skip``."""
        out = np.array(values, dtype=float, copy=True)
        rows = out.reshape(-1, out.shape[-1])
        for row in rows:
            for j in range(len(row)):
                if skip is None or not skip[j]:
                    row[j] = self.noise(proc, float(row[j]), range_)
        return rows.reshape(out.shape)


# ---------------------------------------------------------------- output functions
class LensLogistic(OutputFunction):
    """a = 1/(1 + exp(-gain n)) read from Lens's table: 1024 entries a unit on [-16, 16],
    linear interpolation, net inputs clamped at +-16. dE/dn = dE/da a (1 - a) gain."""

    name = "LOGISTIC"
    _table: np.ndarray | None = None

    def __init__(self):
        self.gain = 1.0

    @classmethod
    def table(cls) -> np.ndarray:
        if cls._table is None:
            x = np.arange(2 * 16 * 1024 + 2, dtype=np.float64) / 1024 - 16
            cls._table = 1.0 / (np.exp(-x) + 1.0)
        return cls._table

    def forward(self, net_input, out):
        table = self.table()
        x = net_input * self.gain if self.gain != 1.0 else net_input
        v = (np.clip(x, -16.0, 16.0) + 16.0) * 1024.0
        bad = np.isnan(v)
        if bad.any():
            v = np.where(bad, 0.0, v)
        i = v.astype(np.intp)
        f = v - i
        np.multiply(1.0 - f, table[i], out=out)
        out += f * table[i + 1]
        if bad.any():
            out[bad] = np.nan
        return out

    def backward(self, output, output_deriv, out):
        np.multiply(output_deriv, output, out=out)
        out *= 1.0 - output
        if self.gain != 1.0:
            out *= self.gain
        return out


class LensTanh(OutputFunction):
    """a = tanh(gain n), exactly +-1 beyond +-17; dE/dn = dE/da gain / cosh^2(n)
    (Lens takes the derivative at the net input without the gain), 1e-8 beyond +-17."""

    name = "TANH"

    def __init__(self):
        self.gain = 1.0
        self._net: np.ndarray | None = None

    def forward(self, net_input, out):
        self._net = net_input
        x = net_input * self.gain
        np.tanh(x, out=out)
        out[x >= 17] = 1.0
        out[x <= -17] = -1.0
        return out

    def backward(self, output, output_deriv, out):
        n = self._net
        if n is None or n.shape != output.shape:
            raise LensError("TANH: backward pass without a forward pass")
        return self.backward_at_input(n, output, output_deriv, out)

    def backward_at_input(self, net_input, output, output_deriv, out):
        """dE/dn at the given net input (a network in time passes each tick's own)."""
        n = net_input
        with np.errstate(over="ignore"):
            d = 1.0 / np.square(np.cosh(n))
        d[(n >= 17) | (n <= -17)] = SMALL_VAL
        np.multiply(output_deriv, self.gain, out=out)
        out *= d
        return out


class LensLinear(Linear):
    """pdpsim's LINEAR with the ``gain`` field Lens's groups carry (unused by a linear unit)."""

    def __init__(self):
        self.gain = 1.0


class LensExponential(OutputFunction):
    """a = exp(n); dE/dn = a dE/da."""

    name = "EXPONENTIAL"

    def __init__(self):
        self.gain = 1.0

    def forward(self, net_input, out):
        with np.errstate(over="ignore"):
            return np.exp(net_input, out=out)

    def backward(self, output, output_deriv, out):
        return np.multiply(output, output_deriv, out=out)


class LensSoftMax(OutputFunction):
    """a_j = exp(n_j - m) / sum_k exp(n_k - m), m = max(0, max_k n_k) as in Lens."""

    name = "SOFT_MAX"

    def __init__(self):
        self.gain = 1.0

    def forward(self, net_input, out):
        m = np.maximum(net_input.max(axis=-1, keepdims=True), 0.0)
        np.subtract(net_input, m, out=out)
        np.exp(out, out=out)
        out *= 1.0 / out.sum(axis=-1, keepdims=True)
        return out

    def backward(self, output, output_deriv, out):
        s = (output_deriv * output).sum(axis=-1, keepdims=True)
        np.subtract(output_deriv, s, out=out)
        out *= output
        return out


class _AtInput(OutputFunction):
    """An output function whose derivative Lens takes from the net input (kept by ``forward`` for
    ``backward``; a network in time passes each tick's own to ``backward_at_input``)."""

    def __init__(self):
        self.gain = 1.0
        self._net: np.ndarray | None = None

    def backward(self, output, output_deriv, out):
        n = self._net
        if n is None or n.shape != output.shape:
            raise LensError(f"{self.name}: backward pass without a forward pass")
        return self.backward_at_input(n, output, output_deriv, out)


class LensTernary(_AtInput):
    """Lens's TERNARY: with y = exp(gain shift), x = exp(gain n), z = x y:
    a = (x z - y) / ((x + y)(z + 1)), three plateaus (-1, 0, 1); dE/dn = dE/da gain z (v + w) / (v w)
    with v = (x + y)^2, w = (z + 1)^2. ``shift`` is ternaryShift (group, else network: 5)."""

    name = "TERNARY"

    def __init__(self):
        super().__init__()
        self.shift = 5.0

    def forward(self, net_input, out):
        self._net = net_input
        with np.errstate(all="ignore"):
            y = math.exp(self.gain * self.shift)
            x = np.exp(self.gain * net_input)
            z = x * y
            out[...] = (x * z - y) / ((x + y) * (z + 1.0))
        return out

    def backward_at_input(self, net_input, output, output_deriv, out):
        with np.errstate(all="ignore"):
            y = math.exp(self.gain * self.shift)
            x = np.exp(self.gain * net_input)
            z = x * y
            v = np.square(x + y)
            w = np.square(z + 1.0)
            out[...] = output_deriv * self.gain * z * (v + w) / (v * w)
        return out


class LensGaussian(_AtInput):
    """Lens's GAUSSIAN: a = exp(-(gain n)^2); dE/dn = dE/da a n (-2 gain^2)."""

    name = "GAUSSIAN"

    def forward(self, net_input, out):
        self._net = net_input
        x = net_input * self.gain
        with np.errstate(all="ignore"):
            np.exp(-x * x, out=out)
        return out

    def backward_at_input(self, net_input, output, output_deriv, out):
        scale = -2.0 * self.gain * self.gain
        out[...] = output_deriv * output * net_input * scale
        return out


OUTPUT_FUNCTIONS = {"LOGISTIC": LensLogistic, "TANH": LensTanh, "LINEAR": LensLinear,
                    "EXPONENTIAL": LensExponential, "SOFT_MAX": LensSoftMax, "TERNARY": LensTernary,
                    "GAUSSIAN": LensGaussian}


# ---------------------------------------------------------------- error functions
class _LensError(ErrorFunction):
    """Targets of NaN give neither error nor derivative; ``ticks`` divides the error."""

    default_scale = 1.0
    lens_name = ""

    def __init__(self, error_scale: float | None = None):
        super().__init__(error_scale)
        self.ticks = 1

    def error(self, output, target, binary=False):
        nan = np.isnan(target)
        with np.errstate(all="ignore"):
            e = self._unit_error(output, target)
        if nan.any():
            e = np.where(nan, 0.0, e)
        return e.sum(axis=-1) * (self.error_scale / self.ticks)

    def output_deriv(self, output, target, out):
        nan = np.isnan(target)
        with np.errstate(all="ignore"):
            d = self._unit_deriv(output, target)
        if nan.any():
            d = np.where(nan, 0.0, d)
        out[...] = d
        return out

    def __repr__(self) -> str:
        return f"{self.lens_name}(errorScale={self.error_scale:g})"


class LensSumSquared(_LensError):
    """E = s sum (a - t)^2;  dE/da = 2 s (a - t)."""

    lens_name = "SUM_SQUARED"
    name = "SUM_SQUARED (Lens)"

    def _unit_error(self, y, d):
        return np.square(y - d)

    def _unit_deriv(self, y, d):
        return (self.error_scale * 2.0) * (y - d)


class LensCrossEntropy(_LensError):
    """Lens's cross-entropy: t = 0: -ln(1 - a); t = 1: -ln a; else t ln(t/a) + (1-t) ln((1-t)/(1-a));
    1e8 where the logarithm would be infinite. Derivative (a - t)/(a (1 - a)), bounded as Lens bounds it."""

    lens_name = "CROSS_ENTROPY"
    name = "CROSS_ENTROPY (Lens)"

    def _unit_error(self, y, d):
        zero = np.where(y == 1.0, LARGE_VAL, -np.log(1.0 - y))
        one = np.where(y == 0.0, LARGE_VAL, -np.log(y))
        simple = np.where((y <= 0.0) | (y >= 1.0), LARGE_VAL,
                          np.log(d / y) * d + np.log((1.0 - d) / (1.0 - y)) * (1.0 - d))
        return np.where(d == 0.0, zero, np.where(d == 1.0, one, simple))

    def _unit_deriv(self, y, d):
        zero = np.where(1.0 - y <= SMALL_VAL, LARGE_VAL, 1.0 / (1.0 - y))
        one = np.where(y <= SMALL_VAL, -LARGE_VAL, -1.0 / y)
        yy = y * (1.0 - y)
        simple = np.where(yy <= SMALL_VAL, (y - d) * LARGE_VAL, (y - d) / yy)
        return self.error_scale * np.where(d == 0.0, zero, np.where(d == 1.0, one, simple))


class LensDivergence(_LensError):
    """E = s sum t ln(t/a) (0 where t = 0);  dE/da = -s t/a, bounded at a <= 1e-8."""

    lens_name = "DIVERGENCE"
    name = "DIVERGENCE (Lens)"

    def _unit_error(self, y, d):
        return np.where(d == 0.0, 0.0, np.where(y <= 0.0, d * np.log(d * LARGE_VAL), np.log(d / y) * d))

    def _unit_deriv(self, y, d):
        return self.error_scale * np.where(d == 0.0, 0.0, np.where(y <= SMALL_VAL, -d * LARGE_VAL, -d / y))


class LensCosine(_LensError):
    """Lens's COSINE error over a group's units with a target: c = s o.t / (|o| |t|) (0 when either
    length is 0), E = (1 - c) s / ticks (the errorScale s counted twice, as Lens does);
    dE/do = c (o / |o|^2 - t / o.t), none when c = 0."""

    lens_name = "COSINE"
    name = "COSINE (Lens)"

    def _parts(self, output, target):
        nan = np.isnan(target)
        o = np.where(nan, 0.0, output)
        t = np.where(nan, 0.0, target)
        sqo = (o * o).sum(axis=-1, keepdims=True)
        sqt = (t * t).sum(axis=-1, keepdims=True)
        dot = (o * t).sum(axis=-1, keepdims=True)
        prod = sqo * sqt
        with np.errstate(all="ignore"):
            cos = np.where(prod == 0.0, 0.0, dot / np.sqrt(prod)) * self.error_scale
        return nan, cos, dot, sqo

    def error(self, output, target, binary=False):
        _nan, cos, _dot, _sqo = self._parts(output, target)
        return ((1.0 - cos) * (self.error_scale / self.ticks))[..., 0]

    def output_deriv(self, output, target, out):
        nan, cos, dot, sqo = self._parts(output, target)
        with np.errstate(all="ignore"):
            d = cos * (output * (1.0 / sqo) - target * (1.0 / dot))
        out[...] = np.where(nan | (cos == 0.0), 0.0, d)
        return out


ERROR_FUNCTIONS = {"SUM_SQUARED": LensSumSquared, "CROSS_ENTROPY": LensCrossEntropy,
                   "DIVERGENCE": LensDivergence, "COSINE": LensCosine}
