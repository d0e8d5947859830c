"""CROSS_ENTROPY: E = s sum t ln(t/a) + (1-t) ln((1-t)/(1-a)); dE/da = s (a - t) / (a (1 - a))."""
from __future__ import annotations

import numpy as np

from pdpsim.functions.errors.base import ERROR_FUNCTIONS, ErrorFunction, log_eps
from pdpsim.functions.forms import clip, fabs, log, log1p, minimum, where

#: Lens's stand-ins for infinity and for zero
LARGE_VAL = 1e8
SMALL_VAL = 1e-8


def _logistic_fused(a, t):
    """dE/dn / s for LOGISTIC units: the a (1 - a) of the slope cancels."""
    return a - t


@ERROR_FUNCTIONS.register
class CrossEntropy(ErrorFunction):
    """E = s sum_j t_j ln(t_j / a_j) + (1 - t_j) ln((1 - t_j) / (1 - a_j));
    dE/da_j = s (a_j - t_j) / (a_j (1 - a_j)).

    Zero when a = t. The output is kept inside [eps, 1 - eps] for the logarithms and the
    derivative, so neither is ever infinite. With LOGISTIC units dE/dn = s (a - t) exactly.

    Option ``lens``: Lens's forms for t = 0 (-ln(1 - a)) and t = 1 (-ln a), 1e8 where a
    logarithm would be infinite, and its bounds on the derivative.
    """

    name = "CROSS_ENTROPY"
    aliases = ("XENT", "CE")
    domain = (0.0, 1.0)
    formula = ("sum t ln(t/a) + (1-t) ln((1-t)/(1-a))", "(a - t) / (a (1 - a))")
    fused = {"LOGISTIC": _logistic_fused}

    @staticmethod
    def value(a, t, eps):
        ac = clip(a, eps, 1.0 - eps)
        on = where(t > 0.0, t * log(where(t > 0.0, t, 1.0) / ac), 0.0)
        off = where(t < 1.0, (1.0 - t) * log(where(t < 1.0, 1.0 - t, 1.0) / (1.0 - ac)), 0.0)
        return on + off

    @staticmethod
    def binary_value(a, t, eps):
        """t in {0, 1}: the formula's one live term, -ln(1 - |t - a|), one logarithm instead of two
        (|t - a| kept below 1 - eps, as a is kept inside [eps, 1 - eps])."""
        return -log1p(-minimum(fabs(t - a), 1.0 - eps))

    @staticmethod
    def deriv(a, t, eps):
        ac = clip(a, eps, 1.0 - eps)
        return (ac - t) / (ac * (1.0 - ac))

    @staticmethod
    def lens_value(a, t):
        zero = np.where(a == 1.0, LARGE_VAL, -np.log(1.0 - a))
        one = np.where(a == 0.0, LARGE_VAL, -np.log(a))
        other = np.where((a <= 0.0) | (a >= 1.0), LARGE_VAL,
                         np.log(t / a) * t + np.log((1.0 - t) / (1.0 - a)) * (1.0 - t))
        return np.where(t == 0.0, zero, np.where(t == 1.0, one, other))

    @staticmethod
    def lens_deriv(a, t):
        zero = np.where(1.0 - a <= SMALL_VAL, LARGE_VAL, 1.0 / (1.0 - a))
        one = np.where(a <= SMALL_VAL, -LARGE_VAL, -1.0 / a)
        aa = a * (1.0 - a)
        other = np.where(aa <= SMALL_VAL, (a - t) * LARGE_VAL, (a - t) / aa)
        return np.where(t == 0.0, zero, np.where(t == 1.0, one, other))

    def error(self, output, target, binary=False):
        if binary and not self.lens:
            # t in {0, 1}: binary_value in place, E = -ln(1 - |t - a|), with |t - a| below 1 - eps
            # (a missing target adds -ln(1) = 0: its |t - a| is set to 0, whatever the output)
            t, missing = self.present(output, target)
            d = np.subtract(t, output)
            if missing is not None:
                d[missing] = 0.0
            np.abs(d, out=d)
            np.minimum(d, 1.0 - log_eps(d.dtype), out=d)
            np.negative(d, out=d)
            np.log1p(d, out=d)
            return -self.error_scale * d.sum(axis=-1)
        with np.errstate(divide="ignore", invalid="ignore"):
            return super().error(output, target, binary)
