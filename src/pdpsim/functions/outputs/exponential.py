"""EXPONENTIAL: a = exp(n); da/dn = a."""
from __future__ import annotations

import numpy as np

from pdpsim.functions.forms import exp
from pdpsim.functions.outputs.base import OUTPUT_FUNCTIONS, OutputFunction


@OUTPUT_FUNCTIONS.register
class Exponential(OutputFunction):
    """a = exp(n); da/dn = a. (Lens gives EXPONENTIAL units no gain: the option is kept and unused.)"""

    name = "EXPONENTIAL"
    output_range = (0.0, np.inf)
    formula = ("exp(n)", "a")

    @staticmethod
    def f(n):
        return exp(n)

    @staticmethod
    def slope(a, n):
        return a

    def forward(self, net_input, out):
        out[...] = exp(net_input)
        return out

    def backward(self, output, output_deriv, out, net_input=None):
        return np.multiply(output, output_deriv, out=out)

    @property
    def plain(self) -> bool:
        return not self.lens
