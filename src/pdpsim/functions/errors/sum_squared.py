"""SUM_SQUARED: E = s sum (t - a)^2; dE/da = -2 s (t - a)."""
from __future__ import annotations

import numpy as np

from pdpsim.functions.errors.base import ERROR_FUNCTIONS, ErrorFunction


@ERROR_FUNCTIONS.register
class SumSquared(ErrorFunction):
    """E = s sum_j (t_j - a_j)^2;  dE/da_j = -2 s (t_j - a_j).

    With the lecture's s = 1/2 (the default): E = 1/2 sum (t - a)^2 and dE/da = -(t - a).
    Lens's SUM_SQUARED is s = 1.
    """

    name = "SUM_SQUARED"
    aliases = ("SSE", "SQUARED")
    default_scale = 0.5
    formula = ("sum (t - a)^2", "-2 (t - a)")

    @staticmethod
    def value(a, t, eps):
        return (t - a) * (t - a)

    @staticmethod
    def deriv(a, t, eps):
        return 2.0 * (a - t)

    @staticmethod
    def lens_value(a, t):
        return (a - t) * (a - t)

    @staticmethod
    def lens_deriv(a, t):
        return 2.0 * (a - t)

    def describe(self) -> tuple[str, str]:
        s = self.error_scale
        e, _ = super().describe()
        return e, "-(t - a)" if s == 0.5 else f"-{2 * s:g} (t - a)"

    # the formula is exactly 0, with a 0 derivative, where t = a: a missing target (NaN) is the output,
    # and its difference is set to 0 (so that a NaN or infinite output without a target adds nothing)
    def error(self, output, target, binary=False):
        if self.lens:
            return super().error(output, target, binary)
        t, missing = self.present(output, target)
        d = t - output
        if missing is not None:
            d[missing] = 0.0
        return self.error_scale * np.einsum("...j,...j->...", d, d)

    def output_deriv(self, output, target, out):
        if self.lens:
            return super().output_deriv(output, target, out)
        t, missing = self.present(output, target)
        np.subtract(output, t, out=out)
        out *= 2.0 * self.error_scale
        if missing is not None:
            out[missing] = 0.0
        return out
