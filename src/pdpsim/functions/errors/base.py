"""Error functions E(a, t): the per-unit error beside its derivative dE/da, in every form.

A rule is written once, as two formulas in the vocabulary of :mod:`pdpsim.functions.forms`,
each for one unit and before the error scale s::

    @ERROR_FUNCTIONS.register
    class SumSquared(ErrorFunction):
        name = "SUM_SQUARED"

        @staticmethod
        def value(a, t, eps):        # E_j / s
            return (t - a) * (t - a)

        @staticmethod
        def deriv(a, t, eps):        # dE/da_j / s
            return 2.0 * (a - t)

``eps`` keeps logarithms finite (outputs are kept inside [eps, 1 - eps] where a rule needs
it): :func:`log_eps` gives 1e-8, or 1e-6 in float32 where 1 - 1e-8 rounds to 1.

``error_scale`` s multiplies both; the lecture's E = 1/2 sum (t - a)^2 is SUM_SQUARED with
s = 1/2 (its default), Lens's E = sum (a - t)^2 is s = 1. An example's error is the sum
over units. A target of NaN means "no target": that unit adds no error and no derivative,
whatever the formula gives at t = a (DIVERGENCE's derivative there is -1, not 0). Every form
applies this rule here (:meth:`present`); the compiled kernels skip such units.

``fused`` maps an output function's name to dE/dn / s when the pair cancels (LOGISTIC with
CROSS_ENTROPY: dE/dn = s (a - t), the a (1 - a) of the logistic's slope cancelling the
error's denominator); the engines use it for output groups that send no links.
"""
from __future__ import annotations

from typing import Callable, ClassVar

import numpy as np

from pdpsim.functions.forms import array_form
from pdpsim.functions.registry import Registry, Rule

#: outputs are kept inside [EPS, 1 - EPS] where a logarithm needs it
LOG_EPS = 1e-8
#: the same bound in float32, where 1 - 1e-8 rounds to 1
LOG_EPS32 = 1e-6


def log_eps(dtype) -> float:
    """The bound on outputs inside logarithms for arrays of ``dtype``."""
    return LOG_EPS32 if np.dtype(dtype) == np.float32 else LOG_EPS


class ErrorFunction(Rule):
    """E = s sum_j value(a_j, t_j) and dE/da_j = s deriv(a_j, t_j). Subclasses give both."""

    kind = "error type"
    #: s when none is given
    default_scale: ClassVar[float] = 1.0
    #: E is a sum over units of value(a_j, t_j) (False: it needs the whole group, as COSINE)
    elementwise: ClassVar[bool] = True
    #: E and dE/da as the lecture writes them (``pdpsim explain`` prints these)
    formula: ClassVar[tuple[str, str]] = ("", "")
    #: output function name -> dE/dn / s for that pair (see the module docstring)
    fused: ClassVar[dict[str, Callable]] = {}
    #: outputs for which ``value`` and ``deriv`` are the formula itself (no bound in effect): an output
    #: function whose ``output_range`` lies inside suits it
    domain: ClassVar[tuple[float, float]] = (-np.inf, np.inf)
    #: option name -> default; every option at its default makes the rule plain. ``lens``: Lens
    #: 2.63's numerics (its bounds where a logarithm or quotient would be infinite, ``lens_value``
    #: and ``lens_deriv``; NaN targets add nothing); ``ticks``: Lens divides the error by them
    options: ClassVar[dict] = {"lens": False, "ticks": 1}

    def __init__(self, error_scale: float | None = None, **options):
        self.error_scale = self.default_scale if error_scale is None else float(error_scale)
        self._set_options(options)

    # ---------------------------------------------------------------- the definition
    @staticmethod
    def value(a, t, eps):  # pragma: no cover - each rule gives it
        raise NotImplementedError

    @staticmethod
    def deriv(a, t, eps):  # pragma: no cover - each rule gives it
        raise NotImplementedError

    #: value(a, t, eps) where t is 0 or 1, in a cheaper form (None: ``value`` itself); the numpy
    #: form's ``error(binary=True)`` and the compiled kernels take it when every target is 0 or 1
    binary_value: ClassVar[Callable | None] = None

    @staticmethod
    def lens_value(a, t):
        """Lens's per-unit error (where it bounds what the formula leaves unbounded)."""
        return ErrorFunction._no_lens()

    @staticmethod
    def lens_deriv(a, t):
        return ErrorFunction._no_lens()

    @staticmethod
    def _no_lens():  # pragma: no cover - rules that Lens has give lens_value and lens_deriv
        raise NotImplementedError

    # ---------------------------------------------------------------- numpy form
    @staticmethod
    def present(output: np.ndarray, target: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """(targets with the missing ones replaced by the output, the mask of missing ones or None)."""
        missing = np.isnan(target)
        if not missing.any():
            return target, None
        return np.where(missing, output, target), missing

    def error(self, output: np.ndarray, target: np.ndarray, binary: bool = False) -> np.ndarray:
        """E per example (summed over the last axis), shape output.shape[:-1]; NaN targets add
        nothing. ``binary``: every target is 0 or 1 (a hint a rule may use for a faster form)."""
        if self.lens:
            return self._lens_units(self.lens_value, output, target).sum(axis=-1) * (self.error_scale / self.ticks)
        t, missing = self.present(output, target)
        e = self.value(output, t, log_eps(output.dtype))
        if missing is not None:
            e = np.where(missing, 0.0, e)
        return self.error_scale * e.sum(axis=-1)

    def output_deriv(self, output: np.ndarray, target: np.ndarray, out: np.ndarray) -> np.ndarray:
        """dE/da, written into ``out`` (0 where the target is NaN)."""
        if self.lens:
            np.multiply(self._lens_units(self.lens_deriv, output, target), self.error_scale, out=out)
            return out
        t, missing = self.present(output, target)
        np.multiply(self.deriv(output, t, log_eps(output.dtype)), self.error_scale, out=out)
        if missing is not None:
            out[missing] = 0.0
        return out

    @staticmethod
    def _lens_units(fn, output, target):
        """Lens's per-unit values, 0 where the target is NaN (no target)."""
        nan = np.isnan(target)
        with np.errstate(all="ignore"):
            e = fn(output, target)
        return np.where(nan, 0.0, e) if nan.any() else e

    def fused_input_deriv(self, function_name: str, output, target, out, has_nan: bool = True) -> np.ndarray | None:
        """dE/dn for an output group of ``function_name`` units when the pair cancels (else None).
        ``has_nan=False``: the caller knows that no target is missing."""
        fn = self.fused.get(function_name)
        if fn is None:
            return None
        t, missing = self.present(output, target) if has_nan else (target, None)
        np.multiply(fn(output, t), self.error_scale, out=out)
        if missing is not None:
            out[missing] = 0.0
        return out

    # ---------------------------------------------------------------- Array API form (NaN: no target)
    def array_error(self, xp, a, t, eps: float, binary: bool = False):
        missing = xp.isnan(t)
        e = array_form(self.value, xp)(a, xp.where(missing, a, t), eps)
        return self.error_scale * xp.sum(xp.where(missing, xp.zeros_like(e), e), axis=-1)

    def array_output_deriv(self, xp, a, t, eps: float):
        missing = xp.isnan(t)
        d = array_form(self.deriv, xp)(a, xp.where(missing, a, t), eps) * self.error_scale
        return xp.where(missing, xp.zeros_like(d), d)

    def array_fused(self, xp, function_name: str, a, t):
        fn = self.fused.get(function_name)
        if fn is None:
            return None
        missing = xp.isnan(t)
        d = array_form(fn, xp)(a, xp.where(missing, a, t)) * self.error_scale
        return xp.where(missing, xp.zeros_like(d), d)

    def describe(self) -> tuple[str, str]:
        """E and dE/da as the lecture writes them, with this rule's error scale s."""
        s = self.error_scale
        scale = "" if s == 1.0 else "1/2 " if s == 0.5 else f"{s:g} "
        deriv = self.formula[1] if s == 1.0 else f"{s:g} ({self.formula[1]})"
        return f"E = {scale}{self.formula[0]}", deriv

    def __repr__(self) -> str:
        opts = "".join(f", {k}={getattr(self, k)!r}" for k, v in self.options.items() if getattr(self, k) != v)
        return f"{self.name}(error_scale={self.error_scale:g}{opts})"


#: every error function, by Lens's name; kernel codes are positions in this table
ERROR_FUNCTIONS: Registry[ErrorFunction] = Registry("error type")


def error_function(name: str | ErrorFunction, error_scale: float | None = None, where: str = "",
                   **options) -> ErrorFunction:
    """An error function by its Lens name (case-insensitive)."""
    if isinstance(name, ErrorFunction):
        return name
    return ERROR_FUNCTIONS.get(name, where)(error_scale, **options)
