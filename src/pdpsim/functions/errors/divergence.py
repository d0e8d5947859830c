"""DIVERGENCE: E = s sum t ln(t/a); dE/da = -s t / a (for SOFT_MAX outputs)."""
from __future__ import annotations

import numpy as np

from pdpsim.functions.errors.base import ERROR_FUNCTIONS, ErrorFunction
from pdpsim.functions.errors.cross_entropy import LARGE_VAL, SMALL_VAL
from pdpsim.functions.forms import log, maximum, where


@ERROR_FUNCTIONS.register
class Divergence(ErrorFunction):
    """E = s sum_j t_j ln(t_j / a_j) (0 where t_j = 0);  dE/da_j = -s t_j / a_j, with a_j kept
    at least eps.

    Option ``lens``: where a <= 0 the error is t ln(t 1e8), and where a <= 1e-8 the
    derivative is -t 1e8, as Lens bounds them.
    """

    name = "DIVERGENCE"
    aliases = ("KL",)
    domain = (0.0, np.inf)
    formula = ("sum t ln(t/a)", "-t / a")

    @staticmethod
    def value(a, t, eps):
        return where(t > 0.0, t * log(where(t > 0.0, t, 1.0) / maximum(a, eps)), 0.0)

    @staticmethod
    def deriv(a, t, eps):
        return -t / maximum(a, eps)

    @staticmethod
    def lens_value(a, t):
        return np.where(t == 0.0, 0.0, np.where(a <= 0.0, t * np.log(t * LARGE_VAL), np.log(t / a) * t))

    @staticmethod
    def lens_deriv(a, t):
        return np.where(t == 0.0, 0.0, np.where(a <= SMALL_VAL, -t * LARGE_VAL, -t / a))

    def error(self, output, target, binary=False):
        with np.errstate(divide="ignore", invalid="ignore"):
            return super().error(output, target, binary)
