"""COSINE: E = s (1 - cos(a, t)) over a group's units with a target."""
from __future__ import annotations

import numpy as np

from pdpsim.functions.errors.base import ERROR_FUNCTIONS, ErrorFunction


@ERROR_FUNCTIONS.register
class Cosine(ErrorFunction):
    """With c = a.t / (|a| |t|) over the group's units that have a target (c = 0 when either
    length is 0):  E = s (1 - c);  dE/da = s c (a / |a|^2 - t / a.t)  (none when c = 0).

    Not elementwise: c needs the whole group; a unit whose target is NaN is left out of it.
    Option ``lens``: Lens counts s twice in the error, E = s (1 - s c) / ticks (the
    derivative is as above).
    """

    name = "COSINE"
    elementwise = False
    formula = ("1 - a.t / (|a| |t|)", "c (a / |a|^2 - t / a.t)")

    def _parts(self, output, target):
        nan = np.isnan(target)
        o = np.where(nan, 0.0, output)
        t = np.where(nan, 0.0, target)
        sqo = (o * o).sum(axis=-1, keepdims=True)
        sqt = (t * t).sum(axis=-1, keepdims=True)
        dot = (o * t).sum(axis=-1, keepdims=True)
        prod = sqo * sqt
        with np.errstate(all="ignore"):
            cos = np.where(prod == 0.0, 0.0, dot / np.sqrt(prod))
        return nan, cos, dot, sqo

    def error(self, output, target, binary=False):
        _nan, cos, _dot, _sqo = self._parts(output, target)
        s = self.error_scale
        if self.lens:
            return ((1.0 - cos * s) * (s / self.ticks))[..., 0]
        return (s * (1.0 - cos))[..., 0]

    def output_deriv(self, output, target, out):
        nan, cos, dot, sqo = self._parts(output, target)
        with np.errstate(all="ignore"):
            d = (cos * self.error_scale) * (output * (1.0 / sqo) - target * (1.0 / dot))
        out[...] = np.where(nan | (cos == 0.0), 0.0, d)
        return out
