"""TERNARY: Lens's three-plateau unit (outputs near -1, 0 and 1)."""
from __future__ import annotations

import math

import numpy as np

from pdpsim.functions.forms import exp
from pdpsim.functions.outputs.base import OUTPUT_FUNCTIONS, OutputFunction

#: Lens's default ternaryShift, and y = exp(shift)
SHIFT = 5.0
Y = math.exp(SHIFT)


@OUTPUT_FUNCTIONS.register
class Ternary(OutputFunction):
    """With y = exp(shift), x = exp(n), z = x y:  a = (x z - y) / ((x + y)(z + 1));
    da/dn = z (v + w) / (v w), v = (x + y)^2, w = (z + 1)^2. ``shift`` is Lens's
    ternaryShift (5); with ``gain`` g, a = f(g n) with y = exp(g shift), and da/dn is g times
    the slope there.
    """

    name = "TERNARY"
    output_range = (-1.0, 1.0)
    formula = ("(x z - y) / ((x + y)(z + 1)), x = exp(n), y = exp(shift), z = x y",
               "z (v + w) / (v w), v = (x + y)^2, w = (z + 1)^2")
    slope_uses_input = True
    options = {"gain": 1.0, "lens": False, "shift": SHIFT}

    @staticmethod
    def f(n, y=Y):
        x = exp(n)
        z = x * y
        return (x * z - y) / ((x + y) * (z + 1.0))

    @staticmethod
    def slope(a, n, y=Y):
        x = exp(n)
        z = x * y
        v = (x + y) * (x + y)
        w = (z + 1.0) * (z + 1.0)
        return z * (v + w) / (v * w)

    def _y(self) -> float:
        return math.exp(self.gain * self.shift)

    def forward(self, net_input, out):
        with np.errstate(all="ignore"):
            out[...] = self.f(self.gain * net_input, self._y())
        return out

    def backward(self, output, output_deriv, out, net_input=None):
        with np.errstate(all="ignore"):
            out[...] = output_deriv * self.gain * self.slope(output, self.gain * net_input, self._y())
        return out
