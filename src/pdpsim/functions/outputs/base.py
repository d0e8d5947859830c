"""The output function a = f(n), its slope da/dn, and the numpy, compiled and Array API forms.

A rule is written once, as two formulas in the vocabulary of :mod:`pdpsim.functions.forms`::

    @OUTPUT_FUNCTIONS.register
    class Logistic(OutputFunction):
        name = "LOGISTIC"

        @staticmethod
        def f(n):
            return 1.0 / (1.0 + exp(-n))

        @staticmethod
        def slope(a, n):                       # da/dn, from the output a (and the net input n)
            return a * (1.0 - a)

The backward pass turns the output derivative dE/da into the input derivative
("input derivative" in Lens)::

    dE/dn = dE/da * slope(a, n)

Every engine takes its form from these two formulas: the numpy reference calls
:meth:`forward` / :meth:`backward` (arrays, in place), the compiled kernels dispatch on
codes generated from the table to the formulas compiled for one unit
(:mod:`pdpsim.functions.codes`), and the Array API engines call :meth:`array_forward` /
:meth:`array_backward`. A rule may give :meth:`forward` / :meth:`backward` a faster
in-place body; the tests hold it to the formulas.

Named options carry other simulators' conventions (Lens's ``gain``, its sigmoid table,
its saturation bounds): a rule with every option at its default is *plain*, and only
plain rules run outside the numpy engine.
"""
from __future__ import annotations

from typing import ClassVar

import numpy as np

from pdpsim.functions.forms import array_form
from pdpsim.functions.registry import Registry, Rule


class OutputFunction(Rule):
    """a = f(n) and dE/dn = dE/da f'(n). Subclasses give ``f`` and ``slope``.

    Parameters
    ----------
    gain : float
        Lens's gain: a = f(gain n), da/dn = gain f'(gain n).
    lens : bool
        Lens 2.63's numerics where they differ from the formula (see each rule).
    """

    kind = "unit type"
    #: a_j depends on n_j alone (False: on the whole group, as SOFT_MAX); compiled kernels need True
    elementwise: ClassVar[bool] = True
    #: the output of a unit that has not run yet (a network in time starts its groups here)
    resting_output: ClassVar[float] = 0.0
    #: the error function Lens pairs with it by default
    lens_default_error: ClassVar[str] = "SUM_SQUARED"
    #: a = f(n) and da/dn as the lecture writes them (``pdpsim explain`` prints these)
    formula: ClassVar[tuple[str, str]] = ("", "")
    #: whether ``slope`` reads the net input n (else the output a alone)
    slope_uses_input: ClassVar[bool] = False
    #: the open interval its outputs lie in (which error functions take it: ``ErrorFunction.domain``)
    output_range: ClassVar[tuple[float, float]] = (-np.inf, np.inf)
    #: option name -> default; every option at its default makes the rule plain
    options: ClassVar[dict] = {"gain": 1.0, "lens": False}

    def __init__(self, **options):
        self._set_options(options)

    # ---------------------------------------------------------------- the definition
    @staticmethod
    def f(n):  # pragma: no cover - each rule gives it
        """a = f(n)."""
        raise NotImplementedError

    @staticmethod
    def slope(a, n):  # pragma: no cover - each rule gives it
        """da/dn at output a and net input n."""
        raise NotImplementedError

    # ---------------------------------------------------------------- numpy form (in place)
    def forward(self, net_input: np.ndarray, out: np.ndarray) -> np.ndarray:
        """a = f(gain n), written into ``out`` (any leading axes, units last)."""
        x = net_input if self.gain == 1.0 else net_input * self.gain
        out[...] = self.f(x)
        return out

    def backward(self, output: np.ndarray, output_deriv: np.ndarray, out: np.ndarray,
                 net_input: np.ndarray | None = None) -> np.ndarray:
        """dE/dn = dE/da gain f'(gain n), written into ``out``."""
        x = net_input if net_input is None or self.gain == 1.0 else net_input * self.gain
        np.multiply(output_deriv, self.slope(output, x), out=out)
        if self.gain != 1.0:
            out *= self.gain
        return out

    # ---------------------------------------------------------------- Array API form (plain rules)
    def array_forward(self, xp, n):
        return array_form(self.f, xp)(n)

    def array_backward(self, xp, a, output_deriv, n=None):
        return output_deriv * array_form(self.slope, xp)(a, n)

    # ----------------------------------------------------------------
    def describe(self) -> str:
        opts = ", ".join(f"{k}={getattr(self, k)!r}" for k, v in self.options.items() if getattr(self, k) != v)
        return f"{self.name}({opts})" if opts else self.name

    def __repr__(self) -> str:
        return self.describe()


#: every output function, by Lens's name; kernel codes are positions in this table
OUTPUT_FUNCTIONS: Registry[OutputFunction] = Registry("unit type")


def output_function(name: str | OutputFunction, where: str = "", **options) -> OutputFunction:
    """An output function by its Lens name (case-insensitive), with options."""
    if isinstance(name, OutputFunction):
        return name
    return OUTPUT_FUNCTIONS.get(name, where)(**options)
