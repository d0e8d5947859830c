"""TANH: a = tanh(n); da/dn = 1 - a^2."""
from __future__ import annotations

import numpy as np

from pdpsim.functions.forms import tanh
from pdpsim.functions.outputs.base import OUTPUT_FUNCTIONS, OutputFunction

#: Lens saturates TANH units beyond this net input
LENS_BOUND = 17.0
#: and gives them this slope there
LENS_SMALL = 1e-8


@OUTPUT_FUNCTIONS.register
class Tanh(OutputFunction):
    """a = tanh(n); da/dn = 1 - a^2.

    Option ``lens``: a is exactly +-1 beyond gain n = +-17, and the slope is Lens's
    gain / cosh^2(n), taken at the net input without the gain (1e-8 beyond +-17).
    """

    name = "TANH"
    output_range = (-1.0, 1.0)
    formula = ("tanh(n)", "1 - a^2")

    @property
    def slope_uses_input(self) -> bool:
        return self.lens

    @staticmethod
    def f(n):
        return tanh(n)

    @staticmethod
    def slope(a, n):
        return 1.0 - a * a

    def forward(self, net_input, out):
        x = net_input if self.gain == 1.0 else net_input * self.gain
        np.tanh(x, out=out)
        if self.lens:
            out[x >= LENS_BOUND] = 1.0
            out[x <= -LENS_BOUND] = -1.0
        return out

    def backward(self, output, output_deriv, out, net_input=None):
        if self.lens:
            if net_input is None or net_input.shape != output.shape:
                raise ValueError("TANH (lens): the backward pass needs the net input")
            n = net_input
            with np.errstate(over="ignore"):
                d = 1.0 / np.square(np.cosh(n))
            d[(n >= LENS_BOUND) | (n <= -LENS_BOUND)] = LENS_SMALL
            np.multiply(output_deriv, self.gain, out=out)
            out *= d
            return out
        np.multiply(output, output, out=out)          # dE/dn = dE/da (1 - a^2) gain
        np.subtract(1.0, out, out=out)
        out *= output_deriv
        if self.gain != 1.0:
            out *= self.gain
        return out
