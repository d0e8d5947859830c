"""How a group's state moves from one tick to the next (networks in time).

Three integration types, with Lens's names: none, OUT_INTEGR (the output integrates
f(n)) and IN_INTEGR (the net input integrates the links' raw sum). Both integrators are
the same rule on different state::

    forward:   s(t) = s(t-1) + dt (x(t) - s(t-1))        x = f(n(t)) or raw(t)
    backward:  dE/dx(t)   = dt dE/ds(t)                  what reaches f (or the links)
               dE/ds(t-1) += (1 - dt) dE/ds(t)           what the state carries back

With no integration s(t) = x(t): dE/dx = dE/ds and nothing is carried. ``dt`` is
1 / ticks per interval (times a group's or unit's dtScale). The formulas are plain
arithmetic: the same code runs on numpy arrays, Array API arrays and, compiled by numba,
on single numbers in the kernels.
"""
from __future__ import annotations

from typing import ClassVar

from pdpsim.functions.registry import Registry


class Integration:
    """One integration type: which state integrates, and the rule."""

    name: ClassVar[str] = ""
    aliases: ClassVar[tuple[str, ...]] = ()
    #: "output", "input" or None: the state that integrates
    state: ClassVar[str | None] = None

    @staticmethod
    def step(prev, x, dt):
        """s(t) from s(t-1) and the new value x(t)."""
        return x

    @staticmethod
    def into(d, dt):
        """dE/dx(t) from dE/ds(t)."""
        return d

    @staticmethod
    def carry(d, dt):
        """What dE/ds(t) adds to dE/ds(t-1)."""
        return 0.0 * d


#: integration types by Lens's name; kernel codes are positions in this table (NONE is 0)
INTEGRATORS: Registry[Integration] = Registry("integration type")


@INTEGRATORS.register
class NoIntegration(Integration):
    """s(t) = x(t)."""

    name = "NONE"


class _Integrating(Integration):
    """s(t) = s(t-1) + dt (x(t) - s(t-1))."""

    @staticmethod
    def step(prev, x, dt):
        return prev + dt * (x - prev)

    @staticmethod
    def into(d, dt):
        return dt * d

    @staticmethod
    def carry(d, dt):
        return (1.0 - dt) * d


@INTEGRATORS.register
class OutIntegr(_Integrating):
    """The output integrates: a(t) = a(t-1) + dt (f(n(t)) - a(t-1))."""

    name = "OUT_INTEGR"
    state = "output"


@INTEGRATORS.register
class InIntegr(_Integrating):
    """The net input integrates: n(t) = n(t-1) + dt (raw(t) - n(t-1))."""

    name = "IN_INTEGR"
    state = "input"


def integration_name(name: str | None, where: str = "") -> str | None:
    """The registered name (None for no integration)."""
    if name is None:
        return None
    key = INTEGRATORS.resolve(name, where)
    return None if key == "NONE" else key


def integrator(name: str | None) -> type[Integration]:
    return INTEGRATORS.get("NONE" if name is None else name)
