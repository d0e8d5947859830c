"""LOGISTIC: a = 1 / (1 + exp(-n)); da/dn = a (1 - a)."""
from __future__ import annotations

import numpy as np

from pdpsim.functions.forms import exp
from pdpsim.functions.outputs.base import OUTPUT_FUNCTIONS, OutputFunction

#: Lens's sigmoid table: 1024 entries a unit of net input on [-16, 16]
_LENS_TABLE: np.ndarray | None = None


def lens_table() -> np.ndarray:
    global _LENS_TABLE
    if _LENS_TABLE is None:
        x = np.arange(2 * 16 * 1024 + 2, dtype=np.float64) / 1024 - 16
        _LENS_TABLE = 1.0 / (np.exp(-x) + 1.0)
    return _LENS_TABLE


@OUTPUT_FUNCTIONS.register
class Logistic(OutputFunction):
    """The lecture's sigmoid: a = 1 / (1 + exp(-n)); da/dn = a (1 - a).

    Option ``lens``: a is read from Lens's table (1024 entries a unit on [-16, 16], linear
    interpolation, net inputs clamped at +-16), and dE/dn is taken in Lens's order,
    ((dE/da a) (1 - a)) gain, as Lens 2.63 computes them.
    """

    name = "LOGISTIC"
    aliases = ("SIGMOID",)
    resting_output = 0.5
    lens_default_error = "CROSS_ENTROPY"
    output_range = (0.0, 1.0)
    formula = ("1 / (1 + exp(-n))", "a (1 - a)")

    @staticmethod
    def f(n):
        return 1.0 / (1.0 + exp(-n))

    @staticmethod
    def slope(a, n):
        return a * (1.0 - a)

    def forward(self, net_input, out):
        if self.lens:
            return self._lens_forward(net_input, out)
        # 1 / (1 + exp(-gain n)) in place (the formula above, without temporaries)
        np.multiply(net_input, -self.gain, out=out)
        with np.errstate(over="ignore"):
            np.exp(out, out=out)
        out += 1.0
        np.divide(1.0, out, out=out)                    # (numpy's reciprocal is not vectorised)
        return out

    def backward(self, output, output_deriv, out, net_input=None):
        # dE/dn = dE/da a (1 - a) gain
        if self.lens:                                   # Lens multiplies in this order
            np.multiply(output_deriv, output, out=out)
            out *= 1.0 - output
            if self.gain != 1.0:
                out *= self.gain
            return out
        np.subtract(1.0, output, out=out)
        out *= output
        out *= output_deriv
        if self.gain != 1.0:
            out *= self.gain
        return out

    def _lens_forward(self, net_input, out):
        table = lens_table()
        x = net_input * self.gain if self.gain != 1.0 else net_input
        v = (np.clip(x, -16.0, 16.0) + 16.0) * 1024.0
        bad = np.isnan(v)
        if bad.any():
            v = np.where(bad, 0.0, v)
        i = v.astype(np.intp)
        frac = v - i
        np.multiply(1.0 - frac, table[i], out=out)
        out += frac * table[i + 1]
        if bad.any():
            out[bad] = np.nan
        return out
