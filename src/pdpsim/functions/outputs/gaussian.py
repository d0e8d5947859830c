"""GAUSSIAN: a = exp(-n^2); da/dn = -2 n a."""
from __future__ import annotations


from pdpsim.functions.forms import exp
from pdpsim.functions.outputs.base import OUTPUT_FUNCTIONS, OutputFunction


@OUTPUT_FUNCTIONS.register
class Gaussian(OutputFunction):
    """a = exp(-(gain n)^2);  da/dn = -2 gain^2 n a (Lens's GAUSSIAN)."""

    name = "GAUSSIAN"
    output_range = (0.0, 1.0)
    formula = ("exp(-n^2)", "-2 n a")
    slope_uses_input = True

    @staticmethod
    def f(n):
        return exp(-(n * n))

    @staticmethod
    def slope(a, n):
        return -2.0 * n * a
