"""What every group of the Lens shell's commands shares: reading a command's arguments.

:class:`Commands` is the base of the command groups that :class:`~pdpsim.lens.shell.LensShell`
is made of (:mod:`~pdpsim.lens.net_commands`, :mod:`~pdpsim.lens.connect_commands`,
:mod:`~pdpsim.lens.link_commands`, :mod:`~pdpsim.lens.lesion_commands`,
:mod:`~pdpsim.lens.example_commands`, :mod:`~pdpsim.lens.train_commands`,
:mod:`~pdpsim.lens.object_commands`, :mod:`~pdpsim.lens.output_commands`): the current
network, group and unit lists, reals and integers as Lens reads them, usage errors, and
Lens's options (:meth:`Commands._options`, one reader for every command's ``-option`` loop)
and isInteger.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

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


def _option_key(arg: str, keys) -> str | None:
    """The key of ``keys`` that Lens's option ``arg`` names: the letters after its dash start
    with the key (``-proportion``, ``-p`` and ``-pxyz`` all name ``p``; ``-train`` names ``tr``),
    as Lens switches on an option's first letter (or first two)."""
    return next((k for k in keys if arg[1:1 + len(k)] == k), None)


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

    def _first_name(self, text: str) -> str | None:
        """The first name of a Tcl list, None for an empty list or text that is not a list."""
        try:
            names = self.tcl.splitlist(text)
        except Exception:
            return None
        return names[0] if names else None

    def _is_group_list(self, text: str) -> bool:
        """Lens's isGroupList: ``*``, or a list whose first name is a group."""
        if self.net is None:
            return False
        if text == "*":
            return True
        name = self._first_name(text)
        return name is not None and name in self.net.groups

    def _known_link_type(self, cmd: str, name: str) -> str:
        """``name``, if a link of the current network has that type."""
        if name not in {b.link_type for _g, b in self.net.all_blocks()}:
            raise LensError(f"{cmd}: link type {name} doesn't exist")
        return name

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

    def _proportion(self, text: str, what: str, name: str) -> float:
        """A real in (0,1] (a strength, a proportion of links or units); ``name`` begins the error."""
        p = self._real(text, what)
        if not 0.0 < p <= 1.0:
            raise LensError(f"{name} ({p:f}) must be in the range (0,1]")
        return p

    def _options(self, cmd: str, usage: str, args: Sequence[str], start: int = 0, *,
                 flags: tuple[str, ...] = (), valued: Mapping[str, Callable[[str], Any]] | None = None,
                 rest: bool = False) -> tuple[dict[str, Any], tuple[str, ...]]:
        """Lens's reading of a command's options: ``args[start:]`` while they begin with ``-``.

        An option is named by the letters after its dash (:func:`_option_key`). A flag (a key
        of ``flags``) is True where given; a valued option (``valued``: key -> converter) reads
        the next argument through its converter at once, so the converter's errors come in
        Lens's order; a converter that returns None keeps nothing (Lens ignores the value, or
        the converter acted on it). An unknown option, a valued one without its value, and
        (unless ``rest``) an argument after the options are usage errors.

        Returns the options given (key -> value, in the order last given) and the arguments
        after them.
        """
        valued = valued or {}
        found: dict[str, Any] = {}
        a = start
        while a < len(args) and args[a].startswith("-"):
            key = _option_key(args[a], (*flags, *valued))
            if key in flags:
                value, a = True, a + 1
            elif key is None or a + 1 >= len(args):
                raise self._usage(cmd, usage)
            else:
                value, a = valued[key](args[a + 1]), a + 2
            if value is not None:
                found.pop(key, None)
                found[key] = value
        if a < len(args) and not rest:
            raise self._usage(cmd, usage)
        return found, tuple(args[a:])

    @staticmethod
    def _usage(cmd: str, usage: str) -> LensError:
        return LensError(f"{cmd}: usage\n    {usage}")
