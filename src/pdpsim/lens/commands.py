"""What every group of the Lens shell's commands shares: reading a command's arguments.

:class:`Commands` is the base of the command groups that :class:`~pdpsim.lens.shell.LensShell`
is made of (:mod:`~pdpsim.lens.net_commands`, :mod:`~pdpsim.lens.connect_commands`,
:mod:`~pdpsim.lens.link_commands`, :mod:`~pdpsim.lens.lesion_commands`,
:mod:`~pdpsim.lens.example_commands`, :mod:`~pdpsim.lens.train_commands`,
:mod:`~pdpsim.lens.object_commands`, :mod:`~pdpsim.lens.output_commands`): the current
network, group and unit lists, reals and integers as Lens reads them, usage errors, and
Lens's option letter and isInteger.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Callable

from pdpsim.lens.functions import NAN, LensError, LensRandom
from pdpsim.lens.model import LensExampleSet, LensGroup
from pdpsim.lens.net import LensNet

if TYPE_CHECKING:
    from pdpsim.lens.objects import ObjectSpace


def _is_integer(s: str) -> bool:
    """Lens's isInteger: every character a digit."""
    return re.fullmatch(r"[0-9]*", s) is not None


def _opt(arg: str) -> str:
    """The letter Lens switches on for an option ``-xyz``."""
    return arg[1] if len(arg) > 1 else ""


class Commands:
    """The shell's state and argument readers that the command groups use.

    :class:`~pdpsim.lens.shell.LensShell` sets the attributes below and provides
    ``write`` (Lens's printed lines) and ``run_proc`` (the network's Tcl hooks).
    """

    tcl: object                               # the Tcl interpreter (tkinter.Tcl())
    net: LensNet | None                       # the current network
    nets: dict[str, LensNet]
    sets: dict[str, LensExampleSet]
    rand: LensRandom
    verbosity: int
    real_digits: int
    objects: ObjectSpace
    write: Callable[[str], None]
    run_proc: Callable[[str], None]

    # ------------------------------------------------------------------ helpers
    def _need_net(self, cmd: str) -> LensNet:
        if self.net is None:
            raise LensError(f"{cmd}: no current network")
        return self.net

    def _group_list(self, text: str, cmd: str) -> list[LensGroup]:
        net = self._need_net(cmd)
        if text == "*":
            return list(net.groups.values())
        out = []
        for name in self.tcl.splitlist(text):
            if name not in net.groups:
                raise LensError(f'{cmd}: group "{name}" doesn\'t exist')
            out.append(net.groups[name])
        return out

    def _unit_list(self, text: str, cmd: str) -> list[tuple[LensGroup, int]]:
        """(group, unit) for each unit of a Lens unit list (``group:N`` or a unit's name); ``*`` is
        every unit that is not lesioned (Lens's FOR_EACH_UNIT)."""
        net = self._need_net(cmd)
        if text == "*":
            return [(g, j) for g in net.groups.values() for j in range(g.size) if not g.lesioned[j]]
        out = []
        for name in self.tcl.splitlist(text):
            u = self.objects._unit_by_name(name)
            if u is None:
                raise LensError(f'{cmd}: unit "{name}" doesn\'t exist')
            out.append(u)
        return out

    def _is_group_list(self, text: str) -> bool:
        if self.net is None:
            return False
        if text == "*":
            return True
        try:
            names = self.tcl.splitlist(text)
        except Exception:
            return False
        return bool(names) and names[0] in self.net.groups

    def _real(self, text: str, what: str) -> float:
        if text.strip() == "-":
            return NAN
        try:
            return float(text)
        except ValueError:
            raise LensError(f'{what}: expected a number, got "{text}"') from None

    def _int(self, text: str, what: str) -> int:
        try:
            return int(text)
        except ValueError:
            try:
                v = float(text)
            except ValueError:
                raise LensError(f'{what}: expected an integer, got "{text}"') from None
            if not v.is_integer():
                raise LensError(f'{what}: expected an integer, got "{text}"') from None
            return int(v)

    @staticmethod
    def _usage(cmd: str, usage: str) -> LensError:
        return LensError(f"{cmd}: usage\n    {usage}")
