"""How external input acts on a group's output: none, HARD or SOFT (Lens's clamps).

::

    HARD:  a = x                          dE/da' = 0
    SOFT:  a = a' + s (x - a')            dE/da' = (1 - s) dE/da

a' is the output the group computed itself, s the clamp strength. Where the input x is
NaN (no input) the clamp does nothing: a = a', dE/da' = dE/da. Plain arithmetic: one code
for numpy arrays, Array API arrays and single numbers in the kernels.
"""
from __future__ import annotations

from typing import ClassVar

from pdpsim.functions.forms import isnan, where
from pdpsim.functions.registry import Registry


class Clamp:
    name: ClassVar[str] = ""
    aliases: ClassVar[tuple[str, ...]] = ()

    @staticmethod
    def forward(a, x, strength):
        return a

    @staticmethod
    def backward(d, x, strength):
        return d


#: clamp types by Lens's name; kernel codes are positions in this table (NONE is 0)
CLAMPS: Registry[Clamp] = Registry("clamp")


@CLAMPS.register
class NoClamp(Clamp):
    name = "NONE"


@CLAMPS.register
class HardClamp(Clamp):
    """The output is the input."""

    name = "HARD"

    @staticmethod
    def forward(a, x, strength):
        return where(isnan(x), a, x)

    @staticmethod
    def backward(d, x, strength):
        return where(isnan(x), d, 0.0 * d)


@CLAMPS.register
class SoftClamp(Clamp):
    """The output is pulled toward the input by the clamp strength."""

    name = "SOFT"

    @staticmethod
    def forward(a, x, strength):
        return where(isnan(x), a, a + strength * (x - a))

    @staticmethod
    def backward(d, x, strength):
        return where(isnan(x), d, (1.0 - strength) * d)


def clamp_name(name: str | None, where_: str = "") -> str | None:
    if name is None:
        return None
    key = CLAMPS.resolve(name, where_)
    return None if key == "NONE" else key


def clamp(name: str | None) -> type[Clamp]:
    return CLAMPS.get("NONE" if name is None else name)
