"""Error functions E(a, t): the value beside the output derivative dE/da.

``error_scale`` multiplies both. The lecture's sum-squared error
E = 1/2 sum (t - a)^2 is ``SUM_SQUARED`` with ``error_scale = 0.5`` (the
default); Lens's E = sum (a - t)^2 is ``error_scale = 1``.

Targets of NaN contribute no error (the caller replaces them by the output).
Arrays have any leading axes ([ensemble,] batch) and units last; the value is
summed over units, one number per example.
"""
from __future__ import annotations

import numpy as np

from pdpsim.validation import PdpError

#: outputs are kept inside [EPS, 1 - EPS] where a logarithm needs it (as Lens does)
LOG_EPS = 1e-8
#: the same bound in float32, where 1 - 1e-8 rounds to 1
LOG_EPS32 = 1e-6


def _eps(a: np.ndarray) -> float:
    return LOG_EPS if a.dtype != np.float32 else LOG_EPS32


class ErrorFunction:
    name = ""
    default_scale = 1.0

    def __init__(self, error_scale: float | None = None):
        self.error_scale = self.default_scale if error_scale is None else float(error_scale)

    def error(self, output: np.ndarray, target: np.ndarray, binary: bool = False) -> np.ndarray:  # pragma: no cover
        """E per example, shape output.shape[:-1]. ``binary``: every target is 0 or 1 (a hint)."""
        raise NotImplementedError

    def output_deriv(self, output: np.ndarray, target: np.ndarray, out: np.ndarray) -> np.ndarray:  # pragma: no cover
        """dE/da, written into ``out``."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{self.name}(error_scale={self.error_scale:g})"


class SumSquared(ErrorFunction):
    """E = s * sum_j (t_j - a_j)^2;  dE/da_j = -2 s (t_j - a_j).

    With s = 1/2 (the lecture): dE/da_j = -(t_j - a_j).
    """

    name = "SUM_SQUARED"
    default_scale = 0.5

    def error(self, output, target, binary=False):
        d = target - output
        return self.error_scale * np.einsum("...j,...j->...", d, d)

    def output_deriv(self, output, target, out):
        np.subtract(output, target, out=out)
        out *= 2.0 * self.error_scale
        return out


class CrossEntropy(ErrorFunction):
    """E = s * sum_j t_j ln(t_j / a_j) + (1 - t_j) ln((1 - t_j) / (1 - a_j));
    dE/da_j = s (a_j - t_j) / (a_j (1 - a_j)).

    Zero when a = t. The output is kept inside [1e-8, 1 - 1e-8] for the
    logarithms and the derivative, so neither is ever infinite.
    """

    name = "CROSS_ENTROPY"

    def error(self, output, target, binary=False):
        if binary:
            # t in {0, 1}: E = -ln(1 - |t - a|), with a kept inside [eps, 1 - eps]
            d = np.subtract(target, output)
            np.abs(d, out=d)
            np.minimum(d, 1.0 - _eps(d), out=d)
            np.negative(d, out=d)
            np.log1p(d, out=d)
            return -self.error_scale * d.sum(axis=-1)
        eps = _eps(output)
        a = np.clip(output, eps, 1.0 - eps)
        t = target
        with np.errstate(divide="ignore", invalid="ignore"):
            on = np.where(t > 0, t * np.log(np.where(t > 0, t, 1.0) / a), 0.0)
            off = np.where(t < 1, (1 - t) * np.log(np.where(t < 1, 1 - t, 1.0) / (1 - a)), 0.0)
        return self.error_scale * (on + off).sum(axis=-1)

    def output_deriv(self, output, target, out):
        eps = _eps(output)
        a = np.clip(output, eps, 1.0 - eps)
        np.subtract(a, target, out=out)
        out /= a
        np.subtract(1.0, a, out=a)
        out /= a
        if self.error_scale != 1.0:
            out *= self.error_scale
        return out


class Divergence(ErrorFunction):
    """E = s * sum_j t_j ln(t_j / a_j) (for SOFT_MAX outputs);  dE/da_j = -s t_j / a_j."""

    name = "DIVERGENCE"

    def error(self, output, target, binary=False):
        a = np.maximum(output, _eps(output))
        t = target
        with np.errstate(divide="ignore", invalid="ignore"):
            e = np.where(t > 0, t * np.log(np.where(t > 0, t, 1.0) / a), 0.0)
        return self.error_scale * e.sum(axis=-1)

    def output_deriv(self, output, target, out):
        a = np.maximum(output, _eps(output))
        np.divide(target, a, out=out)
        out *= -self.error_scale
        return out


ERROR_FUNCTIONS: dict[str, type[ErrorFunction]] = {
    cls.name: cls for cls in (SumSquared, CrossEntropy, Divergence)
}
_ALIASES = {"SSE": "SUM_SQUARED", "SQUARED": "SUM_SQUARED", "XENT": "CROSS_ENTROPY", "CE": "CROSS_ENTROPY",
            "KL": "DIVERGENCE"}


def error_function(name: str, error_scale: float | None = None, where: str = "") -> ErrorFunction:
    """Look up an error function by its Lens name (case-insensitive)."""
    key = str(name).upper().replace("-", "_")
    key = _ALIASES.get(key, key)
    if key not in ERROR_FUNCTIONS:
        prefix = f"{where}: " if where else ""
        raise PdpError(f"{prefix}unknown error type {name!r}; expected one of {', '.join(ERROR_FUNCTIONS)}")
    return ERROR_FUNCTIONS[key](error_scale)
