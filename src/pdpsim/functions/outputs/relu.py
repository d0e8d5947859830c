"""RELU: the rectified linear unit, a = max(n, 0); da/dn = 1 where n > 0, else 0."""
from __future__ import annotations

from pdpsim.functions.forms import maximum, sign
from pdpsim.functions.outputs.base import OUTPUT_FUNCTIONS, OutputFunction


@OUTPUT_FUNCTIONS.register
class Relu(OutputFunction):
    """a = max(n, 0);  da/dn = 1 for n > 0 and 0 for n <= 0 (the slope at n = 0 is taken as 0).

    The slope is read from the output: a > 0 exactly where n > 0.
    """

    name = "RELU"
    aliases = ("RECTIFIED_LINEAR", "RECTIFIED")
    formula = ("max(n, 0)", "1 if a > 0 else 0")

    @staticmethod
    def f(n):
        return maximum(n, 0.0)

    @staticmethod
    def slope(a, n):
        return sign(a)
