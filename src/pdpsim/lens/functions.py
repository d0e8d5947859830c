"""Lens's numbers, piece by piece: its errors, its random generators, and its output and
error functions -- pdpsim's own rules (:mod:`pdpsim.functions`) with Lens's numerics, the
option ``lens`` (see :mod:`pdpsim.lens.train`)."""
from __future__ import annotations

import math
import os
import time

import numpy as np

from pdpsim.functions import error_function, output_function
from pdpsim.validation import PdpError

NAN = float("nan")


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


# ---------------------------------------------------------------- output and error functions
def _lens_output(name: str):
    def make():
        return output_function(name, lens=True)
    make.__name__ = f"lens_{name.lower()}"
    return make


def _lens_error(name: str):
    def make(error_scale: float | None = 1.0):
        return error_function(name, 1.0 if error_scale is None else error_scale, lens=True)
    make.__name__ = f"lens_{name.lower()}"
    return make


#: the output functions a Lens group may have: pdpsim's rules with Lens's numerics
OUTPUT_FUNCTIONS = {name: _lens_output(name) for name in
                    ("LOGISTIC", "TANH", "LINEAR", "EXPONENTIAL", "SOFT_MAX", "TERNARY", "GAUSSIAN")}
#: Lens's error types (its default error scale is 1: E = sum (a - t)^2, without the lecture's 1/2)
ERROR_FUNCTIONS = {name: _lens_error(name) for name in ("SUM_SQUARED", "CROSS_ENTROPY", "DIVERGENCE", "COSINE")}
