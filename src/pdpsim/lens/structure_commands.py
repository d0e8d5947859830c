"""The Lens shell's commands that change a network's structure after it is built:
``disconnectUnits``, ``deleteLinks``, ``orderGroups`` and ``changeGroupType``.

* ``disconnectUnits <unit1> <unit2> [-type t]`` removes the link from one unit to another (as
  ``lesionLinks`` deletes one: the link block's mask loses it; like Lens, a deletion that cuts a
  run of links in two returns ``0``);
* ``deleteLinks [-type t]`` removes every link (of the type) of the network; without a type an
  ELMAN group also loses its source, as in Lens;
* ``orderGroups <group>...`` puts the groups named first, in that order, by Lens's swaps (the
  groups not named may change places too); the group order is the order Lens computes them in;
* ``changeGroupType <group-list> [[+|-|~]type]...`` changes a group's types as Lens does, without
  Lens's type cleanup: a type toggled or added goes to the end of its list of procedures, one
  removed leaves the list (Lens's type mask keeps it, so toggling it again removes nothing); the
  group keeps its initOutput; its history is cleared. It returns Lens's description of the
  last group's types (printGroupType). What the result would need and pdpsim does not do stops
  the script, as in ``addGroup``; so do changes of INPUT, OUTPUT, BIAS, ELMAN and LESIONED.
"""
from __future__ import annotations

from pdpsim.lens.commands import Commands
from pdpsim.lens.connect_commands import remove_block
from pdpsim.lens.functions import ERROR_FUNCTIONS, OUTPUT_FUNCTIONS, LensError
from pdpsim.lens.group_types import COST_TYPES, GROUP_FLAGS, INPUT_TYPES, OUTPUT_TYPES, group_spec, type_text
from pdpsim.lens.lesion_commands import _delete_link

_CLASSES = (("flag", GROUP_FLAGS), ("input", INPUT_TYPES), ("output", OUTPUT_TYPES), ("cost", COST_TYPES))
_FIXED = {"BIAS", "INPUT", "OUTPUT", "ELMAN", "LESIONED"}


def _shown_flags(g) -> set:
    """The group's Lens type mask: its flags, FROZEN while its links are frozen (freezeWeights),
    LESIONED while a unit is."""
    flags = set(g.flags) - {"FROZEN"}
    if g.frozen:
        flags.add("FROZEN")
    if g.lesioned.any():
        flags.add("LESIONED")
    return flags


class StructureCommands(Commands):
    """Lens's commands that remove links, reorder groups and change group types."""

    def _link_type(self, args, cmd: str, usage: str):
        if not args:
            return None
        if len(args) != 2 or not (len(args[0]) >= 2 and "-type".startswith(args[0])):
            raise self._usage(cmd, usage)
        if args[1] not in {b.link_type for _g, b in self.net.all_blocks()}:
            raise LensError(f'{cmd}: link type "{args[1]}" doesn\'t exist')
        return args[1]

    def c_disconnectUnits(self, *args):
        usage = "disconnectUnits <unit1> <unit2> [-type <link-type>]"
        self._need_net("disconnectUnits")
        if len(args) not in (2, 4):
            raise self._usage("disconnectUnits", usage)
        units = []
        for name in args[:2]:
            u = self.objects._unit_by_name(name)
            if u is None:
                raise LensError(f'disconnectUnits: unit "{name}" doesn\'t exist')
            units.append(u)
        ltype = self._link_type(args[2:], "disconnectUnits", usage)
        (pg, i), (qg, j) = units
        split = False
        for b in qg.blocks:
            if b.source is pg and (ltype is None or b.link_type == ltype) and (b.mask is None or b.mask[i, j]):
                split |= _delete_link(b, i, j)
        return "0" if split else ""

    def c_deleteLinks(self, *args):
        usage = "deleteLinks [-type <link-type>]"
        net = self._need_net("deleteLinks")
        if len(args) not in (0, 2):
            raise self._usage("deleteLinks", usage)
        ltype = self._link_type(args, "deleteLinks", usage)
        for g in net.groups.values():
            for b in [b for b in g.blocks if ltype is None or b.link_type == ltype]:
                remove_block(net, g, b)
            if ltype is None and g.kind == "ELMAN":
                g.elman_source = None
        net.bidirectional = [(x, y) for x, y in net.bidirectional
                             if any(b.source.name == x for b in net.groups[y].blocks)]
        return ""

    def c_deleteGroups(self, *args):
        """Lens's deleteGroups: each group loses its outgoing and incoming links and leaves the
        network; the groups after it move up. ``*`` deletes every group but the bias, last first."""
        net = self._need_net("deleteGroups")
        if len(args) != 1:
            raise self._usage("deleteGroups", "deleteGroups <group-list>")
        if args[0] == "*":
            groups = [g for g in reversed(list(net.groups.values())) if g.kind != "BIAS"]
        else:
            groups = self._group_list(args[0], "deleteGroups")
        for g in groups:
            for post in net.groups.values():
                for b in [b for b in post.blocks if post is g or b.source is g]:
                    remove_block(net, post, b)
                if post.kind == "ELMAN" and post.elman_source == g.name:
                    post.elman_source = None
                slots = getattr(post, "copy_slots", None)
                if slots and any(src == g.name for v in slots.values() for src, _field in v):
                    raise LensError(f'deleteGroups: group "{g.name}" is the source of copy group "{post.name}" '
                                    "(copyConnect); deleting it is not implemented in pdpsim")
            net.bidirectional = [(x, y) for x, y in net.bidirectional if g.name not in (x, y)]
            del net.groups[g.name]
            del net.net.groups[g.name]
            net.net.changed()
        return ""

    def c_orderGroups(self, *args):
        net = self._need_net("orderGroups")
        if not args:
            raise self._usage("orderGroups", "orderGroups (<group>)*")
        if len(args) > len(net.groups):
            raise LensError(f"orderGroups: invalid number of groups: {len(args)}")
        order = list(net.groups)
        error = None
        for k, name in enumerate(args):
            if name not in net.groups:
                error = f'orderGroups: group "{name}" doesn\'t exist'
                break
            at = order.index(name)
            if at < k:
                error = f'orderGroups: group "{name}" was listed twice'
                break
            order[k], order[at] = order[at], order[k]       # Lens's swap
        net.groups = {n: net.groups[n] for n in order}
        net.net.reorder_groups(order)
        if error:
            raise LensError(error)
        return ""

    # ------------------------------------------------------------------ group types
    def c_changeGroupType(self, *args):
        usage = "changeGroupType <group-list> [<group-type> | +<group-type> |\n\t-<group-type>]*"
        net = self._need_net("changeGroupType")
        if not args:
            raise self._usage("changeGroupType", usage)
        if len(args) == 1:
            if args[0] not in net.groups:
                raise LensError(f'changeGroupType: group "{args[0]}" doesn\'t exist')
            return self._type_text(net.groups[args[0]])
        changes = []
        for tok in args[1:]:
            mode, t = ("add", tok[1:]) if tok[:1] == "+" else ("remove", tok[1:]) if tok[:1] == "-" else \
                ("toggle", tok[1:] if tok[:1] == "~" else tok)
            cls = next((c for c, names in _CLASSES if t in names), None)
            if cls is None:
                raise LensError(f'Invalid group type: "{t}"\nRun "groupType" for a list of valid group types.')
            changes.append((mode, cls, t))
        last = None
        for g in self._group_list(args[0], "changeGroupType"):
            self._change_types(net, g, changes)
            last = g
        return self._type_text(last) if last is not None else ""

    def _type_text(self, g) -> str:
        flags = _shown_flags(g)
        return type_text(flags, {f for f in flags if f in ("STANDARD_CRIT", "MAX_CRIT")},
                         g.in_procs, g.out_procs, g.cost_procs)

    def _change_types(self, net, g, changes) -> None:
        """Lens's changeGroupType on one group, then finalizeGroupType (no type cleanup)."""
        flags = _shown_flags(g)
        lists = {"input": list(g.in_procs), "output": list(g.out_procs), "cost": list(g.cost_procs)}
        masks = {k: set(v) for k, v in g.proc_masks.items()}
        for mode, cls, t in changes:
            if cls == "flag" and t in _FIXED:
                raise LensError(f"changeGroupType: changing the type {t} of group '{g.name}' is not implemented in "
                                "pdpsim")
            if mode == "toggle":
                has = t in flags if cls == "flag" else t in masks[cls]
                mode = "remove" if has else "add"
            if cls == "flag":
                (flags.add if mode == "add" else flags.discard)(t)
            elif mode == "add":
                lists[cls].append(t)
                masks[cls].add(t)
            elif t in lists[cls]:
                lists[cls].remove(t)
        continuous = "CONTINUOUS" in net.types
        spec = group_spec(g.name, flags - {"LESIONED"}, lists["input"], lists["output"], lists["cost"], continuous)
        # Lens's criterion: set by each criterion type present (MAX_CRIT last), kept when removed
        crit = "MAX_CRIT" if "MAX_CRIT" in flags else "STANDARD_CRIT" if "STANDARD_CRIT" in flags else g.criterion
        pg = g.group
        if spec.function != g.function and spec.function is not None and g.kind not in ("INPUT", "BIAS"):
            pg.function = OUTPUT_FUNCTIONS[spec.function]()
        if spec.error != g.error and spec.error is not None:
            pg.error = ERROR_FUNCTIONS[spec.error]()
        g.function, g.error = spec.function, spec.error
        pg.integration = spec.integration
        g.flags = flags - {"FROZEN", "LESIONED"} | ({"LESIONED"} & g.flags)
        g.frozen = "FROZEN" in flags
        g.criterion = crit
        g.noise_types = spec.noise
        g.in_procs, g.out_procs, g.cost_procs = spec.in_procs, spec.out_procs, spec.cost_procs
        g.proc_masks = masks
        g.hist0_nan[:] = False                      # finalizeGroupType builds new histories
        h = getattr(net, "_hist", None)
        if h is not None and g.name in h["out"]:
            h["out"][g.name][:] = 0.0
            h["tgt"][g.name][:] = 0.0
        net.net.changed()

