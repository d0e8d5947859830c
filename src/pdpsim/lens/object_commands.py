"""The Lens shell's object commands: ``getObject``, ``setObject`` and ``path``.

:class:`ObjectCommands` reads and writes fields through the shell's
:class:`~pdpsim.lens.objects.ObjectSpace` (Lens's object paths), and names the path of a
network, group, unit or example set.
"""
from __future__ import annotations

from pdpsim.lens.commands import Commands, _opt
from pdpsim.lens.functions import LensError


class ObjectCommands(Commands):
    """Lens's commands on object paths."""

    # ------------------------------------------------------------------ objects
    def c_getObject(self, *args):
        if not args:
            raise LensError("getObject with no object (printing the whole network) is not implemented in pdpsim")
        if len(args) > 1:
            if len(args) == 3 and args[1][:2] == "-d":
                raise LensError("getObject -depth is not implemented in pdpsim (name a field)")
            raise self._usage("getObject", "getObject [<object>] [-depth <max-depth>]")
        return self.objects.get(args[0], self.real_digits)

    def c_setObject(self, *args):
        if len(args) == 1:
            return self.c_getObject(*args)
        if len(args) != 2:
            raise self._usage("setObject", "setObject <object-member> [<value>]")
        value = self.objects.set(args[0], args[1], self.real_digits)
        try:                                   # as Lens: the global ".<path>" holds the new value
            self.tcl.call("set", "::." + args[0], value)
        except Exception:
            pass
        return value

    def c_path(self, *args):
        usage = "path (-network <network> | -group <group> | -unit <unit> |\n\t-set <example-set>)"
        if len(args) != 2 or not args[0].startswith("-"):
            raise self._usage("path", usage)
        o, name = _opt(args[0]), args[1]
        if o == "n":
            if name not in self.nets:
                raise LensError(f'path: network "{name}" doesn\'t exist')
            return f"root.net({list(self.nets).index(name)})"
        if o == "g":
            net = self._need_net("path")
            if name not in net.groups:
                raise LensError(f'path: group "{name}" doesn\'t exist')
            return f"group({net.groups[name].num})"
        if o == "u":
            net = self._need_net("path")
            u = self.objects._unit_by_name(name)
            if u is None:
                raise LensError(f'path: unit "{name}" doesn\'t exist')
            return f"group({u[0].num}).unit({u[1]})"
        if o == "s":
            if name not in self.sets:
                raise LensError(f'path: example set "{name}" doesn\'t exist')
            return f"root.set({list(self.sets).index(name)})"
        raise self._usage("path", usage)
