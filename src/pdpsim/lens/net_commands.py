"""The Lens shell's network and group commands.

:class:`NetCommands` holds ``addNet``, ``useNet``, ``deleteNets``, ``setTime`` and
``addGroup``: it builds a :class:`~pdpsim.lens.net.LensNet` and its groups; ``addGroup``
turns Lens's group types into a group as Lens's cleanupGroupType does, and stops on any
type pdpsim does not implement. Connections are made by
:class:`~pdpsim.lens.connect_commands.ConnectCommands` (``_connect``, ``_elman_connect``).
"""
from __future__ import annotations

import itertools

from pdpsim.lens import boltzmann
from pdpsim.lens.commands import Commands, _is_integer
from pdpsim.lens.functions import ERROR_FUNCTIONS, NAN, OUTPUT_FUNCTIONS, LensError, NeedsTime
from pdpsim.lens.group_types import (_BASIC_INPUT, _BASIC_OUTPUT, _CLAMPING, _ERRORS, COST_TYPES, GROUP_FLAGS, INPUT_TYPES,
                          OUTPUT_TYPES, estimated_bounds, group_spec)
from pdpsim.lens.model import LensGroup
from pdpsim.lens.net import LensNet

__all__ = ["NetCommands", "GROUP_FLAGS", "INPUT_TYPES", "OUTPUT_TYPES", "COST_TYPES"]


_SERIAL = itertools.count(1)


def _tcl_int(text: str) -> int | None:
    """Tcl_GetIntFromObj's reading of ``text`` (decimal, or 0x / 0o / 0b), None where it fails."""
    t = text.strip()
    try:
        return int(t, 0) if t[:2].lower() in ("0x", "0o", "0b") or t[1:3].lower() in ("0x", "0o", "0b") \
            else int(t)
    except ValueError:
        return None


class NetCommands(Commands):
    """Lens's network and group commands."""

    # ------------------------------------------------------------------ networks
    def c_addNet(self, *args):
        usage = ("addNet <network> [-intervals <timeIntervals> |\n\t-ticks <ticksPerInterval>] [<net-type>]*\n"
                 "\t[<num-units> [[+|-]<group-type>]*]*")
        if not args or not args[0]:
            raise self._usage("addNet", usage)
        name = args[0]
        # Lens ignores a value Tcl does not read as an integer ("4.0"): _tcl_int keeps nothing
        opts, rest = self._options("addNet", usage, args, 1, valued={"i": _tcl_int, "t": _tcl_int}, rest=True)
        intervals, ticks = opts.get("i", 1), opts.get("t", 1)
        types = set()
        a = 0
        while a < len(rest) and not _is_integer(rest[a]):
            t = rest[a]
            if t not in ("SRBPTT", "CONTINUOUS", "BOLTZMANN", "FROZEN"):
                raise LensError(f'addNet: invalid network type: "{t}" (network types: SRBPTT, CONTINUOUS, '
                                'BOLTZMANN)')
            types.add(t)
            a += 1
        if "FROZEN" in types:
            raise LensError("addNet: the FROZEN network type is not implemented in pdpsim (use freezeWeights)")
        specs = []
        while a < len(rest):
            units = self._int(rest[a], "addNet")
            if units <= 0:
                raise self._usage("addNet", usage)
            a += 1
            toks = []
            while a < len(rest) and not _is_integer(rest[a]):
                toks.append(rest[a])
                a += 1
            specs.append((units, toks, a == len(rest)))
        if name in self.nets:
            del self.nets[name]
        lnet = LensNet(name, {"SRBPTT"} | types, intervals, ticks)
        lnet.rand = self.rand
        lnet.shell = self
        lnet.params["dt"] = 1.0 / ticks
        if "BOLTZMANN" in types:                     # pdpsim.lens.boltzmann
            boltzmann.setup(lnet)
        self.nets[name] = lnet
        self.net = lnet
        self._add_group("bias", 1, ["BIAS"])
        counts = {"input": 1, "output": 1, "hidden": 1, "bias": 2}
        last = None
        for units, toks, is_last in specs:
            base = set()
            is_elman = any((t[1:] if t[:1] in "+-" else t) == "ELMAN" for t in toks)
            toks = [t for t in toks if (t[1:] if t[:1] in "+-" else t) != "ELMAN"]
            for t in toks:
                tt = t[1:] if t[:1] in "+-" else t
                if tt in GROUP_FLAGS:
                    base.add(tt)
            fixed = base & {"BIAS", "INPUT", "OUTPUT"}
            context = None
            if is_elman:
                if "CONTINUOUS" in lnet.types:
                    raise NeedsTime("addNet: an ELMAN (context) group on a CONTINUOUS network")
                which = "input" if "INPUT" in base else "output" if "OUTPUT" in base else "hidden"
                n = counts[which]
                cname = (("inContext" if which == "input" else "outContext" if which == "output" else "context")
                         + str(n)) if n > 1 else "context"
                context = self._add_group(cname, units, ["ELMAN"])
            if "INPUT" in base or (len(lnet.groups) == 1 and not fixed):
                kind = "input"
                if "INPUT" not in base:
                    toks.append("INPUT")
            elif "OUTPUT" in base or (is_last and not fixed):
                kind = "output"
                if "OUTPUT" not in base:
                    toks.append("OUTPUT")
            elif "BIAS" in base:
                kind = "bias"
            else:
                kind = "hidden"
            n = counts[kind]
            gname = f"{kind}{n}" if (n > 1 or kind == "bias") else kind
            counts[kind] += 1
            g = self._add_group(gname, units, toks)
            if context is not None:
                self._elman_connect(g, context)
                self._connect(context, g, "FULL", 1.0, NAN, NAN, context.name)
            if last is not None:
                self._connect(last, g, "FULL", 1.0, NAN, NAN, last.name)
            last = g
        lnet.reset(self.rand)
        return ""

    def c_useNet(self, *args):
        if len(args) > 1:
            raise self._usage("useNet", "useNet [<network>]")
        if not args:
            return " ".join(f'"{n}"' for n in self.nets)
        if args[0] not in self.nets:
            raise LensError(f'useNet: network "{args[0]}" doesn\'t exist')
        self.net = self.nets[args[0]]
        return self.net.name

    def c_deleteNets(self, *args):
        if len(args) != 1:
            raise self._usage("deleteNets", "deleteNets <network-list>")
        names = list(self.nets) if args[0] == "*" else self.tcl.splitlist(args[0])
        for n in names:
            if n not in self.nets:
                raise LensError(f'deleteNets: network "{n}" doesn\'t exist')
            lnet = self.nets.pop(n)
            if self.net is lnet:
                self.net = next(iter(self.nets.values()), None)
        return ""

    def c_setTime(self, *args):
        net = self._need_net("setTime")
        usage = "setTime [-intervals <timeIntervals> |\n\t-ticks <ticksPerInterval> | -history <historyLength> | -dtfixed]"
        if not args:
            return f"{net.time_intervals} {net.ticks_per_interval} {net.history_length}"
        opts, _ = self._options("setTime", usage, args, flags=("d",),
                                valued=dict.fromkeys("ith", lambda v: self._int(v, "setTime")))
        intervals, ticks = opts.get("i", net.time_intervals), opts.get("t", net.ticks_per_interval)
        history = opts.get("h", -1)
        set_dt = "t" in opts and "d" not in opts        # -dtfixed, before or after -ticks, keeps dt
        net.set_time(intervals, ticks, history)
        if set_dt:
            net.params["dt"] = 1.0 / ticks
        return ""

    # ------------------------------------------------------------------ groups
    def c_addGroup(self, *args):
        usage = "addGroup <group> <num-units> [[+|-]<group-type>]*"
        if len(args) < 2:
            raise self._usage("addGroup", usage)
        net = self._need_net("addGroup")
        name = args[0]
        if not name:
            raise LensError("addGroup: group must have a real name")
        if name in net.groups:
            raise LensError(f'addGroup: group "{name}" already exists in the current network')
        units = self._int(args[1], "addGroup")
        if units <= 0:
            raise LensError("addGroup: group must have at least one unit")
        g = self._add_group(name, units, list(args[2:]))
        return f"group({g.num})"

    def _add_group(self, name: str, units: int, tokens: list[str]) -> LensGroup:
        net = self.net
        parsed = []
        for tok in tokens:
            mode = "toggle"
            t = tok
            if t[:1] == "+":
                mode, t = "add", t[1:]
            elif t[:1] == "-":
                mode, t = "remove", t[1:]
            if t in GROUP_FLAGS:
                cls = "flag"
            elif t in INPUT_TYPES:
                cls = "input"
            elif t in OUTPUT_TYPES:
                cls = "output"
            elif t in COST_TYPES:
                cls = "cost"
            else:
                raise LensError(f'Invalid group type: "{t}" (not one of Lens 2.63\'s group, input, output or '
                                'error types)')
            parsed.append((mode, cls, t))
        sets = {"flag": [], "input": [], "output": [], "cost": []}

        def add(cls, t):
            if t not in sets[cls]:
                sets[cls].append(t)

        for mode, cls, t in parsed:
            if mode == "toggle":
                add(cls, t)
        flags = sets["flag"]
        # Lens's cleanupGroupType
        if "BIAS" in flags:
            flags[:] = [f for f in flags if f not in ("INPUT", "OUTPUT", "ELMAN", "STANDARD_CRIT", "MAX_CRIT")]
        special = bool({"INPUT", "ELMAN", "BIAS"} & set(flags)) and "OUTPUT" not in flags
        if not special:
            add("flag", "BIASED")
        add("flag", "RESET_ON_EXAMPLE")
        crits = [f for f in flags if f in ("STANDARD_CRIT", "MAX_CRIT")]
        for c in crits[1:]:
            flags.remove(c)
        if "OUTPUT" in flags:
            add("flag", "WRITE_OUTPUTS")
        if not (set(sets["input"]) & _BASIC_INPUT) and not special:
            sets["input"].insert(0, "IN_BOLTZ" if "BOLTZMANN" in net.types else "DOT_PRODUCT")
        if not (set(sets["output"]) & (_BASIC_OUTPUT | _CLAMPING)):
            if special and "BIAS" in flags:
                sets["output"].insert(0, "BIAS_CLAMP")
            elif special and "INPUT" in flags and "SOFT_CLAMP" not in sets["input"]:
                sets["output"].insert(0, "HARD_CLAMP")
            elif special and "ELMAN" in flags:
                sets["output"].insert(0, "ELMAN_CLAMP")
            else:
                sets["output"].insert(0, "OUT_BOLTZ" if "BOLTZMANN" in net.types else "LOGISTIC")
        continuous = "CONTINUOUS" in net.types
        if (continuous and (not special or ("INPUT" in flags and "HARD_CLAMP" not in sets["output"]))
                and "IN_INTEGR" not in sets["input"] and "OUT_INTEGR" not in sets["output"]
                and "INTERACT_INTEGR" not in sets["output"]):
            sets["output"].append("OUT_INTEGR")
        if not (set(sets["cost"]) & _ERRORS) and "OUTPUT" in flags and "KOHONEN" not in sets["output"]:
            if "SOFT_MAX" in sets["output"]:
                sets["cost"].append("DIVERGENCE")
            elif "LINEAR" in sets["output"]:
                sets["cost"].append("SUM_SQUARED")
            else:
                sets["cost"].append("CROSS_ENTROPY")
        if continuous and "OUTPUT" in flags and not {"STANDARD_CRIT", "MAX_CRIT"} & set(flags):
            add("flag", "STANDARD_CRIT")
        min_output, max_output, init_output = estimated_bounds(sets["output"], units)
        masks = {k: set(sets[k]) for k in ("input", "output", "cost")}    # Lens's masks keep what "-" removes
        for mode, cls, t in parsed:
            if mode == "add":
                add(cls, t)
            elif mode == "remove" and t in sets[cls]:
                sets[cls].remove(t)
        spec = (boltzmann.group_spec if "BOLTZMANN" in net.types else group_spec)(
            name, sets["flag"], sets["input"], sets["output"], sets["cost"], continuous)
        kind, function, error, flags = spec.kind, spec.function, spec.error, spec.flags
        pkind = "CONTEXT" if kind == "ELMAN" else kind
        if kind == "INPUT" and continuous and "DOT_PRODUCT" in spec.in_procs:
            pkind = "HIDDEN"                # it receives links (Lens's unit loops run it: ticks.py)
        if kind == "INPUT" and "BOLTZMANN" in net.types:
            pkind = "HIDDEN"                # it may receive links (pdpsim.lens.boltzmann runs it)
        pg = net.net.add_group(name, units, kind=pkind,
                               function=OUTPUT_FUNCTIONS[function]() if function else "LINEAR",
                               error=ERROR_FUNCTIONS[error]() if error else None)
        pg.integration = spec.integration
        g = LensGroup(net, pg, kind, function, error, flags, spec.crit)
        g.serial = next(_SERIAL)            # the order groups are made in (connectUnits orders links by it)
        g.params["initOutput"] = init_output
        g.params["minOutput"], g.params["maxOutput"] = min_output, max_output
        g.frozen = "FROZEN" in flags
        g.noise_types = spec.noise
        g.in_procs, g.out_procs, g.cost_procs = spec.in_procs, spec.out_procs, spec.cost_procs
        g.proc_masks = {k: masks[k] | set(v) for k, v in (("input", spec.in_procs), ("output", spec.out_procs),
                                                          ("cost", spec.cost_procs))}
        net.groups[name] = g
        if "BIASED" in flags and "bias" in net.groups and net.groups["bias"] is not g:
            self._connect(net.groups["bias"], g, "FULL", 1.0, NAN, NAN, "bias")
        g.reset_units()
        g.state["output"][:] = 0.0          # Lens's new units start zeroed (no resetNet yet)
        g.state["input"][:] = 0.0
        return g
