"""The Lens shell's commands on existing links: their values and weight files.

:class:`LinkCommands` holds ``freezeWeights``, ``thawWeights``, ``setLinkValues``,
``randWeights`` (links chosen by ``-group``, ``-unit``, ``-type``) and ``saveWeights`` /
``loadWeights`` (Lens's weight files, text or binary, links in Lens's order).
"""
from __future__ import annotations

import numpy as np

from pdpsim.formats.lens_weights import WEIGHT_COOKIE, read_lens_weights
from pdpsim.validation import atomic_write
from pdpsim.lens.commands import Commands
from pdpsim.lens.functions import NAN, LensError
from pdpsim.lens.model import BLOCK_PARAMS
from pdpsim.lens.net import LensNet


class LinkCommands(Commands):
    """Lens's commands on link values and weight files."""

    # ------------------------------------------------------------------ link values
    def _link_targets(self, cmd: str, args, usage: str, allow_mean_range: bool = False):
        """The current network and the links the options choose: ``-group``, ``-unit``, ``-type``
        (and with ``allow_mean_range`` ``-mean`` and ``-range``), None (NaN) where not given."""
        net = self._need_net(cmd)
        valued = {"g": lambda v: {g.name for g in self._group_list(v, cmd)},
                  "u": lambda v: self._unit_masks(v, cmd),
                  "t": lambda v: self._known_link_type(cmd, v)}
        if allow_mean_range:
            valued.update(m=lambda v: self._real(v, cmd), r=lambda v: self._real(v, cmd))
        opts, _ = self._options(cmd, usage, args, valued=valued)
        return net, opts.get("g"), opts.get("u"), opts.get("t"), opts.get("m", NAN), opts.get("r", NAN)

    def _unit_masks(self, text: str, cmd: str) -> dict:
        """The units named (``-unit``): group name -> mask of its units."""
        units = {}
        for name in self.tcl.splitlist(text):
            u = self.objects._unit_by_name(name)
            if u is None:
                raise LensError(f'{cmd}: unit "{name}" doesn\'t exist')
            units.setdefault(u[0].name, np.zeros(u[0].size, dtype=bool))[u[1]] = True
        return units

    def _selected(self, net, groups, units, ltype):
        """(group, block, receiving-unit mask) of every block the options select."""
        for g, b in net.all_blocks():
            if ltype is not None and b.link_type != ltype:
                continue
            sel = np.zeros(g.size, dtype=bool)
            if groups is None and units is None:
                sel[:] = True
            if groups is not None and g.name in groups:
                sel[:] = True
            if units is not None and g.name in units:
                sel |= units[g.name]
            if sel.any():
                yield g, b, sel

    def c_freezeWeights(self, *args):
        return self._freeze("freezeWeights", args, True)

    def c_thawWeights(self, *args):
        return self._freeze("thawWeights", args, False)

    def _freeze(self, cmd, args, frozen):
        usage = f"{cmd} [-group <group-list> | -unit <unit-list> | -type <link-type>]"
        net, groups, units, ltype, _m, _r = self._link_targets(cmd, args, usage)
        if frozen and ltype is None:
            if groups is None and units is None:
                net.frozen = True
            for g in net.groups.values():
                if groups is None and units is None or (groups and g.name in groups):
                    g.frozen = True
        if not frozen:
            net.frozen = False
            for g in net.groups.values():
                if groups is None and units is None or (groups and g.name in groups) or (units and g.name in units):
                    g.frozen = False
        for _g, b, sel in self._selected(net, groups, units, ltype):
            b.frozen[sel] = frozen
        return ""

    def c_setLinkValues(self, *args):
        usage = "setLinkValues <parameter> <value> [-group <group-list> |\n\t-unit <unit-list> | -type <link-type>]"
        if len(args) < 2:
            raise self._usage("setLinkValues", usage)
        param = args[0]
        if param not in BLOCK_PARAMS:
            raise LensError(f"setLinkValues: {param} is not a field of a block pdpsim has "
                            f"({', '.join(BLOCK_PARAMS)})")
        value = self._real(args[1], "setLinkValues")
        net, groups, units, ltype, _m, _r = self._link_targets("setLinkValues", args[2:], usage)
        for _g, b, sel in self._selected(net, groups, units, ltype):
            b.params[param][sel] = value
        return ""

    def c_randWeights(self, *args):
        usage = ("randWeights [-group <group-list> | -unit <unit-list> |\n"
                 "\t-mean <mean> | -range <range> | -type <link-type>]")
        net, groups, units, ltype, mean, range_ = self._link_targets("randWeights", args, usage, True)
        if groups is not None and units is not None:
            raise LensError("randWeights: -group together with -unit is not implemented in pdpsim")
        net.randomize(self.rand, range_, mean, groups if units is None else set(units), ltype, units, do_frozen=True)
        return ""

    # ------------------------------------------------------------------ weight files
    def _link_table(self, net: LensNet, thawed: bool, frozen: bool):
        """The links a weight file holds, in Lens's order: (block, sending units, receiving unit)."""
        out = []
        if not frozen and net.frozen:
            return out
        for g in net.groups.values():
            if not frozen and g.frozen:
                continue
            for j in range(g.size):
                for b in g.blocks:
                    is_frozen = net.frozen or g.frozen or bool(b.frozen[j])
                    if (not frozen and b.frozen[j]) or (not thawed and not is_frozen):
                        continue
                    s = b.senders(j)
                    if len(s):
                        out.append((b, s, j))
        return out

    def c_saveWeights(self, *args):
        usage = "saveWeights <file-name> [-values <num-values> | -text |\n\t-noFrozen | -onlyFrozen]"
        net = self._need_net("saveWeights")
        if not args:
            raise self._usage("saveWeights", usage)

        def num_values(v):
            values = self._int(v, "saveWeights -values")
            if values < 1:
                raise LensError("saveWeights: numValues must be positive")
            return values

        opts, _ = self._options("saveWeights", usage, args, 1, flags=("t", "n", "o"), valued={"v": num_values})
        path, binary, frozen, thawed = args[0], "t" not in opts, "n" not in opts, "o" not in opts
        values = min(opts.get("v", 1), 3)
        rows = []
        for b, s, j in self._link_table(net, thawed, frozen):
            cols = [b.block.weights[s, j]]
            if values >= 2:
                cols.append(b.block.last_change[s, j])
            if values >= 3:
                cols.append(b.rate_factor[s, j])
            rows.append(np.stack(cols, axis=1))
        table = np.concatenate(rows) if rows else np.zeros((0, values))
        header = [WEIGHT_COOKIE, len(table), values, net.total_updates]
        if binary:
            data = np.array(header, dtype=">i4").tobytes() + table.astype(">f4").tobytes()
        else:
            lines = [str(h) for h in header] + [" ".join(_fmt(x) for x in row) for row in table.tolist()]
            data = ("\n".join(lines) + "\n").encode("ascii")
        if path.endswith(".gz"):
            import gzip
            data = gzip.compress(data, mtime=0)
        elif path.endswith((".bz2", ".bz")):
            import bz2
            data = bz2.compress(data)
        with atomic_write(path, "wb") as f:
            f.write(data)
        return path

    def c_loadWeights(self, *args):
        usage = "loadWeights <file-name> [-noFrozen | -onlyFrozen]"
        net = self._need_net("loadWeights")
        if len(args) not in (1, 2):
            raise self._usage("loadWeights", usage)
        opts, _ = self._options("loadWeights", usage, args, 1, flags=("n", "o"))
        frozen, thawed = "n" not in opts, "o" not in opts
        info = read_lens_weights(args[0])
        table = info["table"].astype(np.float32).astype(np.float64)    # Lens reads 32-bit reals, text or binary
        order = self._link_table(net, thawed, frozen)
        n = sum(len(s) for _b, s, _j in order)
        if table.shape[0] != n:
            raise LensError(f'standardLoadWeights: network has {n} links but the file "{args[0]}" contains '
                            f"{table.shape[0]}")
        if not np.isfinite(table).all():
            raise LensError(f"loadWeights: {args[0]} holds a value that is not a finite number")
        values = info["values"]
        k = 0
        for b, s, j in order:
            rows = table[k:k + len(s)]
            k += len(s)
            b.block.weights[s, j] = rows[:, 0]
            if values >= 2:
                b.block.last_change[s, j] = rows[:, 1]
            if values >= 3:
                b.rate_factor[s, j] = rows[:, 2]
        if info["total_updates"] is not None and info["total_updates"] >= 0 and thawed:
            net.total_updates = int(info["total_updates"])
        return args[0]


def _fmt(x: float) -> str:
    """A value in a text weight file as Lens writes it (writeReal: ``%g``, six significant
    digits; NaN as ``-``): a save and reload changes the weights as much as in Lens."""
    return "-" if x != x else "%g" % float(x)
