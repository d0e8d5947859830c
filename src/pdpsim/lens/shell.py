"""A Lens shell: Lens scripts run by a real Tcl 8.6 interpreter on pdpsim's networks.

:class:`LensShell` creates a Tcl interpreter through :func:`tkinter.Tcl` (no
window) and registers Lens's commands as Tcl commands written in Python, so a
script keeps all of Tcl (``proc``, ``foreach``, ``expr``, ``source``, ...) and
gets ``addNet``, ``addGroup``, ``connectGroups``, ``loadExamples``,
``train``, ``test``, ``getObj`` / ``setObj`` and the rest with Lens's
conventions (see ``docs/lens.md``).

Rules the shell keeps:

* Every Lens 2.63 command is a Tcl command. One that pdpsim does not implement,
  or an option, type or object path it does not, stops the script with a
  message naming it; nothing is silently ignored.
* As in Lens, an unknown command that is the unique prefix of a command is that
  command (``getObj`` is ``getObject``).
* Output (``puts`` to stdout/stderr and Lens's own report lines) goes to the
  streams the shell was given, in order.
* An error stops the script; :meth:`LensShell.run_file` reports it with the
  script file and line.
"""
from __future__ import annotations

import math
import re
import sys
import time
from pathlib import Path
from typing import TextIO

import numpy as np

from ..examples import ExampleSet
from ..formats.lens_examples import read_examples
from ..formats.lens_weights import WEIGHT_COOKIE, read_lens_weights
from ..validation import PdpError, atomic_write
from .objects import ObjectSpace
from .functions import ERROR_FUNCTIONS, NAN, OUTPUT_FUNCTIONS, LensError, LensRandom, NeedsTime, choose
from .train import ALGORITHMS, BLOCK_PARAMS, LensBlock, LensExampleSet, LensGroup, LensNet, do_example, test, train

#: Lens 2.63's commands (C and Tcl); those without a method here stop with "not implemented"
LENS_COMMANDS = (
    "seed", "getSeed", "rand", "randInt", "nice", "signal", "wait", "verbosity", "beep", "index",
    "connectGroups", "connectGroupToUnits", "connectUnits", "elmanConnect", "copyConnect", "addLinkType",
    "deleteLinkType", "saveWeights", "loadWeights", "loadXerionWeights", "disconnectGroups",
    "disconnectGroupUnit", "disconnectUnits", "deleteLinks", "deleteGroupInputs", "deleteGroupOutputs",
    "deleteUnitInputs", "deleteUnitOutputs", "randWeights", "freezeWeights", "thawWeights", "setLinkValues",
    "printLinkValues", "lesionLinks", "lesionUnits", "healUnits", "noiseType", "viewConsole", "viewUnits",
    "viewLinks", "resetPlot", "plotRow", "plotAll", "drawUnits", "autoPlot", "loadExamples", "useTrainingSet",
    "useTestingSet", "deleteExampleSets", "moveExamples", "saveExamples", "exampleSetMode",
    "resetExampleSets", "doExample", "graphObject", "graph", "exportGraph", "addNet", "useNet", "addGroup",
    "orderGroups", "deleteNets", "deleteGroups", "groupType", "changeGroupType", "setTime", "copyUnitValues",
    "resetUnitValues", "printUnitValues", "polarity", "setObject", "getObject", "path", "saveParameters",
    "startServer", "stopServer", "startClient", "stopClient", "sendEval", "clientInfo", "waitForClients",
    "trainParallel", "train", "updateWeights", "test", "resetNet", "resetDerivs", "openNetOutputFile",
    "closeNetOutputFile",
    # Tcl procedures of Lens's shell
    "steepest", "momentum", "dougsMomentum", "deltaBarDelta", "help", "manual", "version", "alias", "unalias",
    "view", "sendObject", "viewObject", "alarm", "args",
)
#: pdpsim additions (not in Lens 2.63)
EXTRA_COMMANDS = ("listExampleSets", "exampleSets")

GROUP_FLAGS = ("BIAS", "INPUT", "OUTPUT", "ELMAN", "USE_INPUT_HIST", "USE_OUTPUT_HIST", "USE_TARGET_HIST",
               "USE_OUT_DERIV_HIST", "BIASED", "RESET_ON_EXAMPLE", "ADAPTIVE_GAIN", "DERIV_NOISE",
               "EXT_INPUT_NOISE", "WRITE_OUTPUTS", "LESIONED", "FROZEN", "STANDARD_CRIT", "MAX_CRIT")
INPUT_TYPES = ("DOT_PRODUCT", "DISTANCE", "PRODUCT", "IN_BOLTZ", "SOFT_CLAMP", "IN_INTEGR", "IN_NORM",
               "IN_NOISE", "IN_DERIV_NOISE", "IN_COPY", "INCR_CLAMP")
OUTPUT_TYPES = ("LINEAR", "LOGISTIC", "TERNARY", "TANH", "EXPONENTIAL", "GAUSSIAN", "SOFT_MAX", "KOHONEN",
                "OUT_BOLTZ", "HARD_CLAMP", "BIAS_CLAMP", "ELMAN_CLAMP", "WEAK_CLAMP", "OUT_INTEGR", "OUT_NORM",
                "OUT_NOISE", "OUT_DERIV_NOISE", "OUT_CROPPED", "OUT_COPY", "OUT_WINNER", "INTERACT_INTEGR")
COST_TYPES = ("SUM_SQUARED", "CROSS_ENTROPY", "DIVERGENCE", "COSINE", "TARGET_COPY", "LINEAR_COST",
              "QUADRATIC_COST", "CONV_QUAD_COST", "LOGISTIC_COST", "COSINE_COST", "DELTA_COST")
_BASIC_INPUT = {"DOT_PRODUCT", "DISTANCE", "PRODUCT", "IN_BOLTZ", "IN_COPY"}
_BASIC_OUTPUT = {"LINEAR", "LOGISTIC", "TERNARY", "TANH", "GAUSSIAN", "EXPONENTIAL", "SOFT_MAX", "KOHONEN",
                 "OUT_BOLTZ", "OUT_COPY", "INTERACT_INTEGR"}
_CLAMPING = {"HARD_CLAMP", "BIAS_CLAMP", "ELMAN_CLAMP", "WEAK_CLAMP"}
_ERRORS = {"SUM_SQUARED", "CROSS_ENTROPY", "DIVERGENCE", "COSINE"}
_TIME_TYPES = {"ELMAN", "IN_INTEGR", "OUT_INTEGR", "INTERACT_INTEGR", "ELMAN_CLAMP", "SOFT_CLAMP", "WEAK_CLAMP",
               "USE_INPUT_HIST", "USE_OUTPUT_HIST", "USE_TARGET_HIST", "USE_OUT_DERIV_HIST", "INCR_CLAMP"}
_PROJECTIONS = ("FULL", "RANDOM", "FIXED_IN", "FIXED_OUT", "FAIR", "FAN", "ONE_TO_ONE")

_TCL_SETUP = r"""
namespace eval ::pdpsim {}
proc ::pdpsim::define {name} {
    proc ::$name args [format {
        set r [::pdpsim::call %s {*}$args]
        if {[lindex $r 0]} {return -code error -errorcode [lindex $r 2] [lindex $r 1]}
        return [lindex $r 1]
    } [list $name]]
}
rename ::puts ::pdpsim::tcl_puts
proc ::puts args {
    set nl 1
    if {[lindex $args 0] eq "-nonewline"} {set nl 0; set args [lrange $args 1 end]}
    if {[llength $args] == 1} {
        ::pdpsim::write stdout [lindex $args 0] $nl
    } elseif {[llength $args] == 2 && [lindex $args 0] in {stdout stderr}} {
        ::pdpsim::write [lindex $args 0] [lindex $args 1] $nl
    } else {
        if {$nl} {::pdpsim::tcl_puts {*}$args} else {::pdpsim::tcl_puts -nonewline {*}$args}
    }
}

proc ::exit {{code 0}} {return -code error -errorcode [list PDPSIM EXIT $code] "exit $code"}
rename ::unknown ::pdpsim::tcl_unknown
proc ::unknown {cmd args} {
    set full [::pdpsim::complete $cmd]
    if {$full ne ""} {return [uplevel 1 [list $full {*}$args]]}
    if {[catch {uplevel 1 [list ::pdpsim::tcl_unknown $cmd {*}$args]} r opts]} {
        if {[string match "invalid command name*" $r]} {
            return -code error -errorcode [list PDPSIM UNKNOWN $cmd] \
                "invalid command name \"$cmd\" (neither a Tcl command nor a Lens command, nor the unique start of one)"
        }
        return -options $opts $r
    }
    return $r
}
proc ::min {a b} {if {$b < $a} {return $b}; return $a}
proc ::max {a b} {if {$b > $a} {return $b}; return $a}
proc ::repeat {var iters {body .nobody}} {
    if {$body eq ".nobody"} {set body $iters; set iters $var; set var {}}
    if {$var ne {}} {upvar 1 $var v}
    if {[llength $iters] == 2} {
        lassign $iters first last
    } else {
        set first 0
        set last [expr {$iters > 0 ? $iters - 1 : $iters + 1}]
    }
    set step [expr {$first <= $last ? 1 : -1}]
    for {set i $first} {$step > 0 ? $i <= $last : $i >= $last} {incr i $step} {
        if {$var ne {}} {set v $i}
        uplevel 1 $body
    }
}
"""


def _is_integer(s: str) -> bool:
    """Lens's isInteger: every character a digit."""
    return re.fullmatch(r"[0-9]*", s) is not None


def _opt(arg: str) -> str:
    """The letter Lens switches on for an option ``-xyz``."""
    return arg[1] if len(arg) > 1 else ""


class ScriptError(Exception):
    """A Lens script stopped on an error: ``message``, ``file``, ``line``, Tcl's ``traceback``."""

    def __init__(self, message: str, file: str | None = None, line: int | None = None, traceback: str = ""):
        self.message, self.file, self.line, self.traceback = message, file, line, traceback
        where = f"{file}:{line}: " if file and line else (f"{file}: " if file else "")
        super().__init__(f"{where}{message}")


class LensShell:
    """A Tcl interpreter with Lens's commands on pdpsim networks.

    Parameters
    ----------
    stdout, stderr : text streams
        Where ``puts`` and Lens's printed lines go (default: sys.stdout / sys.stderr).
    seed : int, optional
        The random seed (Lens seeds from the clock; ``seed N`` in a script reseeds).
    real_digits : int
        Significant digits of reals that ``getObj`` / ``setObj`` return: 7 as
        in Lens; more to compare numbers closely.
    """

    def __init__(self, stdout: TextIO | None = None, stderr: TextIO | None = None, seed: int | None = None,
                 real_digits: int = 7):
        import tkinter
        self.tcl = tkinter.Tcl()
        self.tcl.tk.wantobjects(False)          # every value crosses as its Tcl string
        self.stdout = stdout if stdout is not None else sys.stdout
        self.stderr = stderr if stderr is not None else sys.stderr
        self.real_digits = int(real_digits)
        self.rand = LensRandom(seed)
        self.nets: dict[str, LensNet] = {}
        self.net: LensNet | None = None
        self.sets: dict[str, LensExampleSet] = {}
        self.verbosity = 1
        self.objects = ObjectSpace(self)
        self.last_internal_error = ""
        self._setup()

    # ------------------------------------------------------------------ plumbing
    def _setup(self) -> None:
        tcl = self.tcl
        tcl.createcommand("::pdpsim::call", self._call)
        tcl.createcommand("::pdpsim::write", self._tcl_write)
        tcl.createcommand("::pdpsim::complete", self._complete)
        tcl.eval(_TCL_SETUP)
        for name in LENS_COMMANDS + EXTRA_COMMANDS:
            tcl.eval(f"::pdpsim::define {name}")
        tcl.setvar(".Version", "2.63 (pdpsim)")
        tcl.setvar(".BATCH", "1")
        tcl.setvar(".GUI", "0")

    def write(self, text: str) -> None:
        self.stdout.write(text)

    def _tcl_write(self, channel: str, text: str, newline: str) -> str:
        stream = self.stderr if channel == "stderr" else self.stdout
        stream.write(str(text) + ("\n" if str(newline) == "1" else ""))
        return ""

    def _complete(self, cmd: str) -> str:
        names = self.tcl.splitlist(self.tcl.eval("info commands"))
        hits = sorted(n for n in names if n.startswith(cmd) and not n.startswith("::"))
        return hits[0] if len(hits) == 1 else ""

    def _call(self, name: str, *args: str):
        try:
            fn = getattr(self, "c_" + name, None)
            if fn is None:
                raise LensError(f'the Lens command "{name}" is not implemented in pdpsim')
            result = fn(*(str(a) for a in args))
            return (0, "" if result is None else str(result), "NONE")
        except NeedsTime as e:
            return (1, str(e), "PDPSIM NEEDS_TIME")
        except PdpError as e:
            return (1, f"{name}: {e}" if not str(e).startswith(name) else str(e), "PDPSIM LENS")
        except Exception as e:  # a bug in pdpsim: keep the script's location, and Python's traceback
            import traceback
            self.last_internal_error = traceback.format_exc()
            return (1, f"{name}: internal error in pdpsim: {type(e).__name__}: {e}", "PDPSIM INTERNAL")

    def eval(self, script: str) -> str:
        """Evaluate Tcl code; a Tcl error raises :class:`ScriptError`."""
        return self._run(script, None)

    def run_file(self, path, argv: list[str] | tuple[str, ...] = ()) -> int:
        """Source a Lens script; returns the exit status (``exit N``), raises ScriptError."""
        p = Path(path)
        if not p.is_file():
            raise ScriptError(f"cannot read the script '{path}'")
        self.tcl.call("set", "::argv0", str(p))
        self.tcl.call("set", "::argv", tuple(str(a) for a in argv))
        self.tcl.call("set", "::argc", str(len(argv)))
        code = self._run(None, str(p))
        return int(code) if code else 0

    def _run(self, script: str | None, path: str | None) -> str:
        tcl = self.tcl
        if path is not None:
            tcl.setvar("::pdpsim::script", path)
            code = tcl.eval("catch {uplevel #0 [list source $::pdpsim::script]} ::pdpsim::msg ::pdpsim::opts")
        else:
            tcl.setvar("::pdpsim::script", script)
            code = tcl.eval("catch {uplevel #0 $::pdpsim::script} ::pdpsim::msg ::pdpsim::opts")
        msg = tcl.getvar("::pdpsim::msg")
        if code in ("0", "2"):
            return "" if path is not None else msg
        errorcode = tcl.eval("dict get $::pdpsim::opts -errorcode") if code == "1" else ""
        parts = tcl.splitlist(errorcode) if errorcode else ()
        if len(parts) >= 2 and parts[0] == "PDPSIM" and parts[1] == "EXIT":
            return parts[2] if len(parts) > 2 else "0"
        info = tcl.eval("dict get $::pdpsim::opts -errorinfo") if code == "1" else msg
        if code == "3":
            msg = 'invoked "break" outside of a loop'
        elif code == "4":
            msg = 'invoked "continue" outside of a loop'
        file = line = None
        m = re.search(r'\(file "(.*?)" line (\d+)\)', info)
        if m:
            file, line = m.group(1), int(m.group(2))
        elif path is not None:
            file = path
        raise ScriptError(msg, file, line, info)

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

    def run_proc(self, name: str) -> None:
        """Run one of the network's Tcl hooks (preEpochProc, postUpdateProc, ...)."""
        net = self.net
        if net is None:
            return
        body = net.procs.get(name, "")
        if body.strip():
            self.tcl.setvar("::pdpsim::hook", body)
            code = self.tcl.eval("catch {uplevel #0 $::pdpsim::hook} ::pdpsim::hookmsg")
            if code == "1":
                raise LensError(f"{name}: {self.tcl.getvar('::pdpsim::hookmsg')}")

    # ================================================================== commands
    # ------------------------------------------------------------------ networks
    def c_addNet(self, *args):
        usage = ("addNet <network> [-intervals <timeIntervals> |\n\t-ticks <ticksPerInterval>] [<net-type>]*\n"
                 "\t[<num-units> [[+|-]<group-type>]*]*")
        if not args or not args[0]:
            raise self._usage("addNet", usage)
        name = args[0]
        intervals = ticks = 1
        a = 1
        while a < len(args) and args[a].startswith("-"):
            o = _opt(args[a])
            if o not in ("i", "t") or a + 1 >= len(args):
                raise self._usage("addNet", usage)
            v = self._int(args[a + 1], "addNet")
            if o == "i":
                intervals = v
            else:
                ticks = v
            a += 2
        types = set()
        while a < len(args) and not _is_integer(args[a]):
            t = args[a]
            if t not in ("SRBPTT", "CONTINUOUS", "BOLTZMANN", "FROZEN"):
                raise LensError(f'addNet: invalid network type: "{t}" (network types: SRBPTT, CONTINUOUS, '
                                'BOLTZMANN)')
            types.add(t)
            a += 1
        if "BOLTZMANN" in types:
            raise LensError("addNet: BOLTZMANN networks are not implemented in pdpsim")
        if "FROZEN" in types:
            raise LensError("addNet: the FROZEN network type is not implemented in pdpsim (use freezeWeights)")
        specs = []
        while a < len(args):
            units = self._int(args[a], "addNet")
            if units <= 0:
                raise self._usage("addNet", usage)
            a += 1
            toks = []
            while a < len(args) and not _is_integer(args[a]):
                toks.append(args[a])
                a += 1
            specs.append((units, toks, a == len(args)))
        if name in self.nets:
            del self.nets[name]
        lnet = LensNet(name, {"SRBPTT"} | types, intervals, ticks)
        lnet.params["dt"] = 1.0 / ticks
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
        intervals, ticks, history = net.time_intervals, net.ticks_per_interval, -1
        a = 0
        set_dt = None
        while a < len(args) and args[a].startswith("-"):
            o = _opt(args[a])
            if o == "d":
                set_dt = False
                a += 1
                continue
            if o not in ("i", "t", "h") or a + 1 >= len(args):
                raise self._usage("setTime", usage)
            v = self._int(args[a + 1], "setTime")
            if o == "i":
                intervals = v
            elif o == "t":
                ticks = v
                if set_dt is None:
                    set_dt = True
            else:
                history = v
            a += 2
        if a != len(args):
            raise self._usage("setTime", usage)
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
            sets["input"].insert(0, "DOT_PRODUCT")
        if not (set(sets["output"]) & (_BASIC_OUTPUT | _CLAMPING)):
            if special and "BIAS" in flags:
                sets["output"].insert(0, "BIAS_CLAMP")
            elif special and "INPUT" in flags and "SOFT_CLAMP" not in sets["input"]:
                sets["output"].insert(0, "HARD_CLAMP")
            elif special and "ELMAN" in flags:
                sets["output"].insert(0, "ELMAN_CLAMP")
            else:
                sets["output"].insert(0, "LOGISTIC")
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
        for mode, cls, t in parsed:
            if mode == "add":
                add(cls, t)
            elif mode == "remove" and t in sets[cls]:
                sets[cls].remove(t)
        flags = set(sets["flag"])
        every = flags | set(sets["input"]) | set(sets["output"]) | set(sets["cost"])
        integration = None
        if continuous:
            integ = [t for t in sets["input"] if t == "IN_INTEGR"] + [t for t in sets["output"] if t == "OUT_INTEGR"]
            if len(integ) > 1:
                raise LensError(f"group '{name}': both IN_INTEGR and OUT_INTEGR is not implemented in pdpsim")
            if integ:
                integration = integ[0]
                (sets["input"] if integration == "IN_INTEGR" else sets["output"]).remove(integration)
                every = every - {integration}
        elman = "ELMAN" in flags and not continuous and not {"BIAS", "INPUT", "OUTPUT"} & flags
        if elman:
            if sets["output"] != ["ELMAN_CLAMP"] or sets["input"] or sets["cost"]:
                extra = [t for t in sets["input"] + sets["output"] + sets["cost"] if t != "ELMAN_CLAMP"]
                raise LensError(f"group '{name}': an ELMAN group with the type "
                                f"{extra[0] if extra else 'ELMAN_CLAMP twice'} is not implemented in pdpsim")
            every = every - {"ELMAN", "ELMAN_CLAMP"}
        timed = sorted(every & _TIME_TYPES)
        if timed:
            raise NeedsTime(f"group '{name}' of type {timed[0]}")
        for bad in ("ADAPTIVE_GAIN", "DERIV_NOISE", "EXT_INPUT_NOISE", "LESIONED"):
            if bad in flags:
                raise LensError(f"group '{name}': the group type {bad} is not implemented in pdpsim")
        if "INPUT" in flags and "OUTPUT" in flags:
            raise LensError(f"group '{name}': a group both INPUT and OUTPUT is not implemented in pdpsim")
        kind = ("BIAS" if "BIAS" in flags else "INPUT" if "INPUT" in flags else
                "OUTPUT" if "OUTPUT" in flags else "ELMAN" if elman else "HIDDEN")
        ins, outs, costs = sets["input"], sets["output"], sets["cost"]
        if kind == "ELMAN":
            function = None
        elif kind in ("INPUT", "BIAS"):
            expected = "HARD_CLAMP" if kind == "INPUT" else "BIAS_CLAMP"
            if outs != [expected] or ins:
                extra = [t for t in ins + outs if t != expected]
                raise LensError(f"group '{name}': the type {extra[0] if extra else outs} on a {kind} group is "
                                "not implemented in pdpsim")
            function = None
        else:
            if ins != ["DOT_PRODUCT"]:
                other = [t for t in ins if t != "DOT_PRODUCT"] or ins
                raise LensError(f"group '{name}': the input type {other[0] if other else '(none)'} is not "
                                "implemented in pdpsim (only DOT_PRODUCT)")
            funcs = [t for t in outs if t in OUTPUT_FUNCTIONS]
            others = [t for t in outs if t not in OUTPUT_FUNCTIONS]
            if others:
                raise LensError(f"group '{name}': the output type {others[0]} is not implemented in pdpsim "
                                f"(output functions: {', '.join(OUTPUT_FUNCTIONS)})")
            if len(funcs) != 1:
                raise LensError(f"group '{name}': one output function expected, got {funcs or 'none'}")
            function = funcs[0]
        errors = [t for t in costs if t in ERROR_FUNCTIONS]
        others = [t for t in costs if t not in ERROR_FUNCTIONS]
        if others:
            raise LensError(f"group '{name}': the error/cost type {others[0]} is not implemented in pdpsim "
                            f"(error types: {', '.join(ERROR_FUNCTIONS)})")
        if kind != "OUTPUT" and errors:
            raise LensError(f"group '{name}': an error type on a group that is not OUTPUT is not implemented")
        if kind == "OUTPUT" and len(errors) != 1:
            raise LensError(f"group '{name}': one error type expected, got {errors or 'none'}")
        error = errors[0] if errors else None
        pg = net.net.add_group(name, units, kind="CONTEXT" if kind == "ELMAN" else kind,
                               function=OUTPUT_FUNCTIONS[function]() if function else "LINEAR",
                               error=ERROR_FUNCTIONS[error]() if error else None)
        pg.integration = integration
        crit = next((f for f in ("STANDARD_CRIT", "MAX_CRIT") if f in flags), None)
        g = LensGroup(net, pg, kind, function, error, flags, crit)
        g.frozen = "FROZEN" in flags
        net.groups[name] = g
        if "BIASED" in flags and "bias" in net.groups and net.groups["bias"] is not g:
            self._connect(net.groups["bias"], g, "FULL", 1.0, NAN, NAN, "bias")
        g.reset_units()
        return g

    # ------------------------------------------------------------------ connections
    def c_connectGroups(self, *args):
        usage = ("connectGroups <group-list1> (<group-list>)* [-projection <proj-type> |\n"
                 "\t-strength <strength> | -mean <mean> | -range <range> |\n\t-type <link-type> | -bidirectional]")
        net = self._need_net("connectGroups")
        if len(args) < 2:
            raise self._usage("connectGroups", usage)
        a = 0
        while a < len(args) and self._is_group_list(args[a]):
            a += 1
        if a < 2:
            if args and not args[0].startswith("-") and not self._is_group_list(args[0]):
                raise LensError(f'connectGroups: group "{self.tcl.splitlist(args[0])[0] if args[0] else ""}" '
                                "doesn't exist")
            if len(args) > 1 and not args[1].startswith("-"):
                raise LensError(f'connectGroups: group "{args[1]}" doesn\'t exist')
            raise self._usage("connectGroups", usage)
        lists = args[:a]
        proj, strength, mean, range_, ltype, bidir = "FULL", 1.0, NAN, NAN, None, False
        while a < len(args) and args[a].startswith("-"):
            o = _opt(args[a])
            if o == "b":
                bidir = True
                a += 1
                continue
            if o not in ("p", "s", "m", "r", "t") or a + 1 >= len(args):
                raise self._usage("connectGroups", usage)
            v = args[a + 1]
            if o == "p":
                if v not in _PROJECTIONS:
                    raise LensError(f"connectGroups: bad projection type: {v}")
                proj = v
            elif o == "s":
                strength = self._real(v, "connectGroups -strength")
                if not 0.0 < strength <= 1.0:
                    raise LensError(f"connectGroups: strength value ({strength:f}) must be in the range (0,1]")
            elif o == "m":
                mean = self._real(v, "connectGroups -mean")
            elif o == "r":
                range_ = self._real(v, "connectGroups -range")
                if range_ < 0:
                    raise LensError("connectGroups: range must be positive")
            else:
                ltype = v
            a += 2
        if a != len(args):
            raise self._usage("connectGroups", usage)
        if proj in ("FIXED_IN", "FIXED_OUT", "FAIR", "FAN"):
            raise LensError(f"connectGroups: the projection {proj} is not implemented in pdpsim "
                            "(FULL, RANDOM, ONE_TO_ONE are)")
        if proj == "ONE_TO_ONE":
            mean = 1.0 if math.isnan(mean) else mean
            range_ = 0.0 if math.isnan(range_) else range_
        pairs = []
        for k in range(1, len(lists)):
            for h in self._group_list(lists[k - 1], "connectGroups"):
                for g in self._group_list(lists[k], "connectGroups"):
                    pairs.append((h, g))
        if bidir and "CONTINUOUS" not in net.types:
            for h, g in pairs:
                net.bidirectional.append((h.name, g.name))
            h, g = pairs[0]
            raise NeedsTime(f"connectGroups -bidirectional ({h.name} <-> {g.name}, a recurrent network)")
        for h, g in pairs:
            self._connect(h, g, proj, strength, range_, mean, ltype or h.name)
            if bidir:
                self._connect(g, h, proj, strength, range_, mean, ltype or g.name)
        return ""

    def _reaches(self, start: LensGroup, goal: LensGroup) -> bool:
        """Does ``start`` send links (directly or not) to ``goal``?"""
        seen, todo = set(), [start]
        while todo:
            g = todo.pop()
            if g is goal:
                return True
            if g.name in seen:
                continue
            seen.add(g.name)
            todo += [h for h in self.net.groups.values() for b in h.blocks if b.source is g]
        return False

    def _connect(self, pre: LensGroup, post: LensGroup, proj: str, strength: float, range_: float,
                 mean: float, link_type: str) -> LensBlock:
        net = self.net
        if post.kind in ("INPUT", "BIAS", "ELMAN"):
            raise LensError(f"connectGroups: links into the {post.kind} group '{post.name}' are not implemented "
                            "in pdpsim (its units are clamped)")
        if "CONTINUOUS" not in net.types and (pre is post or self._reaches(post, pre)):
            net.bidirectional.append((pre.name, post.name))
            raise NeedsTime(f"connectGroups {pre.name} {post.name}: a connection that closes a cycle "
                            "(a recurrent network)")
        for b in post.blocks:
            if b.source is pre:
                raise LensError(f"connectGroups: {pre.name} is already connected to {post.name} (pdpsim keeps one "
                                "link block per pair of groups)")
        n_from, n_to = pre.size, post.size
        w = np.zeros((n_from, n_to))
        mask = None
        frozen = np.zeros(n_to, dtype=bool)
        p = net.params
        gm = choose(post.params["randMean"], p["randMean"])
        gr = choose(post.params["randRange"], p["randRange"])
        m = choose(mean, gm)
        r = choose(range_, gr)
        rand = self.rand
        if proj == "FULL":
            for j in range(n_to):
                for i in range(n_from):
                    w[i, j] = rand.rand_real(m, r)
        elif proj == "RANDOM":
            mask = np.zeros((n_from, n_to), dtype=bool)
            for i in range(n_from):
                for j in range(n_to):
                    if rand.rand_prob() < strength:
                        mask[i, j] = True
                        w[i, j] = rand.rand_real(m, r)
        else:  # ONE_TO_ONE, frozen
            mask = np.zeros((n_from, n_to), dtype=bool)
            for i in range(min(n_from, n_to)):
                mask[i, i] = True
                w[i, i] = rand.rand_real(m, r)
                frozen[i] = True
        block = net.net.connect(pre.name, post.name, weights=w)
        lb = LensBlock(block, pre, link_type, mask, frozen)
        lb.params["randMean"][:] = mean
        lb.params["randRange"][:] = range_
        post.blocks.append(lb)
        if proj != "ONE_TO_ONE":
            post.frozen = False
            net.frozen = False
        return lb

    def c_elmanConnect(self, *args):
        usage = "elmanConnect <source-group> <context-group>\n\t[-reset <reset-on-example> | -initOutput <init-output>]"
        if len(args) < 2:
            raise self._usage("elmanConnect", usage)
        net = self._need_net("elmanConnect")
        if "CONTINUOUS" in net.types:
            raise NeedsTime("elmanConnect (Elman context groups) on a CONTINUOUS network")
        for g in args[:2]:
            if g not in net.groups:
                raise LensError(f'elmanConnect: group "{g}" doesn\'t exist')
        source, context = net.groups[args[0]], net.groups[args[1]]
        a = 2
        while a < len(args) and args[a].startswith("-"):
            o = _opt(args[a])
            if o not in ("r", "i") or a + 1 >= len(args):
                raise self._usage("elmanConnect", usage)
            if o == "r":
                if self._int(args[a + 1], "elmanConnect -reset"):
                    source.flags.add("RESET_ON_EXAMPLE")
                else:
                    source.flags.discard("RESET_ON_EXAMPLE")
            else:
                source.params["initOutput"] = self._real(args[a + 1], "elmanConnect -initOutput")
            a += 2
        if a != len(args):
            raise self._usage("elmanConnect", usage)
        self._elman_connect(source, context)
        return ""

    def _elman_connect(self, source: LensGroup, context: LensGroup) -> None:
        if context.kind != "ELMAN":
            raise LensError(f'Group "{context.name}" has no ELMAN_CLAMP output procedures.')
        if context.elman_source is not None:
            raise LensError(f'Group "{context.name}" has no empty ELMAN_CLAMP slots.')
        if source.size != context.size:
            raise LensError(f'elmanConnect {source.name} {context.name}: groups of different sizes ({source.size} '
                            f'and {context.size} units) are not implemented in pdpsim')
        context.elman_source = source.name
        context.params["initOutput"] = source.params["initOutput"]

    # ------------------------------------------------------------------ example sets
    def c_loadExamples(self, *args):
        usage = ("loadExamples <file-name> [-set <example-set> | -num <num-examples> |\n"
                 "\t-exmode <example-mode> | -mode <load-mode>]")
        if not args:
            raise self._usage("loadExamples", usage)
        path = args[0]
        set_name, num, exmode, mode = None, 0, "ORDERED", 0
        a = 1
        while a < len(args) and args[a].startswith("-"):
            o = _opt(args[a])
            if o not in ("s", "n", "e", "m") or a + 1 >= len(args):
                raise self._usage("loadExamples", usage)
            v = args[a + 1]
            if o == "s":
                if not v:
                    raise LensError("loadExamples: example set must have a real name")
                set_name = v
            elif o == "n":
                num = self._int(v, "loadExamples -num")
            elif o == "e":
                if v not in LensExampleSet.MODES:
                    raise LensError(f'loadExamples: invalid example mode: "{v}" (pdpsim: '
                                    f'{", ".join(LensExampleSet.MODES)})')
                exmode = v
            else:
                if v[:1] == "R":
                    mode = 1
                elif v[:1] == "A":
                    mode = 2
                elif v[:1] == "P":
                    raise LensError("loadExamples: reading examples from a pipe (-mode PIPE) is not implemented")
                else:
                    raise LensError(f"loadExamples: invalid mode name: {v}.  Try REPLACE, APPEND, or PIPE.")
            a += 2
        if a != len(args):
            raise self._usage("loadExamples", usage)
        if set_name is None:
            tail = Path(path).name
            for ext in (".gz", ".Z"):
                if tail.endswith(ext):
                    tail = tail[:-len(ext)]
            for ext in (".ex", ".bex"):
                if tail.endswith(ext):
                    tail = tail[:-len(ext)]
            set_name = tail
        net = self.net
        if net is None:
            raise LensError("loadExamples: pdpsim reads an example file against the current network's groups; "
                            "create the network first")
        existing = self.sets.get(set_name)
        if existing is None or mode != 0:
            ins = {g.name: g.size for g in net.input_groups}
            outs = {g.name: g.size for g in net.output_groups}
            ex = read_examples(path, ins, outs, name=set_name)
            _as_lens_reals(ex)
            if num > 0 and num < len(ex):
                ex = ex.subset(np.arange(num), name=set_name)
            if existing is not None and mode == 2:
                ex = _concat(existing.examples, ex, set_name)
            if ex.procs and any(ex.procs):
                raise LensError(f"loadExamples: example set '{set_name}' has proc: fields (Tcl code run as "
                                "examples load), which pdpsim does not implement")
            S = LensExampleSet(set_name, ex, self.rand, str(path))
            if existing is not None:
                for n in self.nets.values():
                    if n.training_set is existing:
                        n.training_set = S
                    if n.testing_set is existing:
                        n.testing_set = S
            self.sets[set_name] = S
        S = self.sets[set_name]
        if S.mode != exmode:
            S.mode = exmode
            S.reset()
        if net.training_set is None:
            net.training_set = S
        elif net.testing_set is None:
            net.testing_set = S
        return set_name

    def _set_command(self, cmd: str, args, attr: str):
        if len(args) > 1:
            raise self._usage(cmd, f"{cmd} [<example-set>]")
        if not args:
            return " ".join(f'"{s}"' for s in self.sets)
        net = self._need_net(cmd)
        if not args[0]:
            setattr(net, attr, None)
            return ""
        if args[0] not in self.sets:
            raise LensError(f'{cmd}: example set "{args[0]}" doesn\'t exist')
        setattr(net, attr, self.sets[args[0]])
        return ""

    def c_useTrainingSet(self, *args):
        return self._set_command("useTrainingSet", args, "training_set")

    def c_useTestingSet(self, *args):
        return self._set_command("useTestingSet", args, "testing_set")

    def c_listExampleSets(self, *args):
        return " ".join(f'"{s}"' for s in self.sets)

    def c_exampleSets(self, *args):
        return self.c_listExampleSets(*args)

    def _sets(self, text: str, cmd: str) -> list[LensExampleSet]:
        names = list(self.sets) if text == "*" else self.tcl.splitlist(text)
        out = []
        for n in names:
            if n not in self.sets:
                raise LensError(f'{cmd}: example set "{n}" doesn\'t exist')
            out.append(self.sets[n])
        return out

    def c_deleteExampleSets(self, *args):
        if len(args) != 1:
            raise self._usage("deleteExampleSets", "deleteExampleSets <example-set-list>")
        for S in self._sets(args[0], "deleteExampleSets"):
            del self.sets[S.name]
            for n in self.nets.values():
                if n.training_set is S:
                    n.training_set = None
                if n.testing_set is S:
                    n.testing_set = None
        return ""

    def c_resetExampleSets(self, *args):
        if len(args) != 1:
            raise self._usage("resetExampleSets", "resetExampleSets <example-set-list>")
        for S in self._sets(args[0], "resetExampleSets"):
            S.reset()
        return ""

    def c_exampleSetMode(self, *args):
        if len(args) != 2:
            raise self._usage("exampleSetMode", "exampleSetMode <example-set-list> <mode>")
        if args[1] not in LensExampleSet.MODES:
            raise LensError(f'exampleSetMode: the example mode "{args[1]}" is not implemented in pdpsim '
                            f'({", ".join(LensExampleSet.MODES)} are)')
        for S in self._sets(args[0], "exampleSetMode"):
            S.mode = args[1]
            S.reset()
        return ""

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

    # ------------------------------------------------------------------ training
    def c_train(self, *args):
        usage = "train [<num-updates>] [-report <report-interval> | -algorithm <algorithm> | -setOnly]"
        net = self._need_net("train")
        a = 0
        if args and _is_integer(args[0]) and args[0]:
            net.params["numUpdates"] = int(args[0])
            a = 1
        only_set = False
        while a < len(args) and args[a].startswith("-"):
            o = _opt(args[a])
            if o == "s":
                only_set = True
                a += 1
                continue
            if o not in ("r", "a", "n") or a + 1 >= len(args):
                raise self._usage("train", usage)
            v = args[a + 1]
            if o == "r":
                net.params["reportInterval"] = self._int(v, "train -report")
            elif o == "n":                                   # pdpsim: train -n <updates>
                net.params["numUpdates"] = self._int(v, "train -n")
            else:
                if v not in ALGORITHMS:
                    raise LensError(f"train: unrecognized algorithm: {v} (algorithms: {', '.join(ALGORITHMS)})")
                net.algorithm = v
            a += 2
        if a != len(args):
            raise self._usage("train", usage)
        if only_set:
            return ""
        out = train(net, self.write, self.run_proc, self.verbosity)
        return out.result

    def _algorithm_command(self, name, args):
        if list(args) == ["-h"]:
            raise LensError(f"{name} -h: help is not implemented in pdpsim")
        return self.c_train(*args, "-a", name)

    def c_steepest(self, *args):
        return self._algorithm_command("steepest", args)

    def c_momentum(self, *args):
        return self._algorithm_command("momentum", args)

    def c_dougsMomentum(self, *args):
        return self._algorithm_command("dougsMomentum", args)

    def c_deltaBarDelta(self, *args):
        return self._algorithm_command("deltaBarDelta", args)

    def c_updateWeights(self, *args):
        usage = "updateWeights [-algorithm <algorithm> | -noreset | -report]"
        net = self._need_net("updateWeights")
        alg, reset, report = net.algorithm, True, False
        a = 0
        while a < len(args) and args[a].startswith("-"):
            o = _opt(args[a])
            if o == "n":
                reset = False
            elif o == "r":
                report = True
            elif o == "a" and a + 1 < len(args):
                if args[a + 1] not in ALGORITHMS:
                    raise LensError(f"updateWeights: unrecognized algorithm: {args[a + 1]}")
                alg = args[a + 1]
                a += 1
            else:
                raise self._usage("updateWeights", usage)
            a += 1
        net.update_weights(alg, report)
        self.run_proc("postUpdateProc")
        if report and self.verbosity >= 1:
            from .train import format_time, smart_format
            self.write("%7d)  " % net.total_updates + smart_format(net.error) + "  " + smart_format(net.output_cost)
                       + "  " + smart_format(net.weight_cost) + "  " + smart_format(net.gradient_linearity) + "  "
                       + " " + format_time(0) + "   " + format_time(0) + "\n")
        if reset:
            self.c_resetDerivs()
        return ""

    def c_test(self, *args):
        usage = "test [<num-examples>] [-noreset | -return]"
        net = self._need_net("test")
        if len(args) > 2:
            raise self._usage("test", usage)
        a, num, reset, printing = 0, 0, True, True
        if args and _is_integer(args[0]) and args[0]:
            num = int(args[0])
            a = 1
        for arg in args[a:]:
            if arg.startswith("-n"):
                reset = False
            elif arg.startswith("-r"):
                printing = False
            else:
                raise self._usage("test", usage)
        out = test(net, num, reset)
        for k, v in out.variables.items():
            self.tcl.call("set", f"::Test({k})", v)
        if printing:
            if self.verbosity >= 1:
                self.write(out.text + "\n")
            return ""
        return out.text

    def c_resetNet(self, *args):
        if args:
            raise self._usage("resetNet", "resetNet")
        self._need_net("resetNet").reset(self.rand)
        return ""

    def c_resetDerivs(self, *args):
        net = self._need_net("resetDerivs")
        for g in net.groups.values():
            g.state["outputDeriv"][:] = 0.0
            g.state["inputDeriv"][:] = 0.0
            for b in g.blocks:
                b.block.weight_deriv[...] = 0.0
        return ""

    def c_doExample(self, *args):
        usage = "doExample [<example-num>] [-set <example-set> | -train | -test]"
        net = self._need_net("doExample")
        a, num, S, training, testing = 0, -1, None, False, False
        if args and _is_integer(args[0]) and args[0]:
            num = int(args[0])
            a = 1
        while a < len(args) and args[a].startswith("-"):
            o = _opt(args[a])
            if o == "s" and a + 1 < len(args):
                if args[a + 1] not in self.sets:
                    raise LensError(f'doExample: example set "{args[a + 1]}" doesn\'t exist')
                S = self.sets[args[a + 1]]
                a += 2
                continue
            if o == "t" and args[a][1:3] == "tr":
                training, testing = True, False
            elif o == "t" and args[a][1:3] == "te":
                training, testing = False, True
            else:
                raise self._usage("doExample", usage)
            a += 1
        if a != len(args):
            raise self._usage("doExample", usage)
        if S is None:
            if net.training_set is not None and (net.testing_set is None or not testing):
                S = net.training_set
            elif net.testing_set is not None:
                S = net.testing_set
            else:
                raise LensError("doExample: there are no current example sets")
        do_example(net, S, num, training)
        return ""

    # ------------------------------------------------------------------ random numbers
    def c_seed(self, *args):
        if len(args) > 1:
            raise self._usage("seed", "seed [<seed-value>]")
        if args:
            self.rand.seed(self._int(args[0], "seed") & 0xFFFFFFFF)
        else:
            self.rand.seed((int(time.time() * 1e6) * 31) & 0xFFFFFFFF)
        return str(self.rand.last_seed)

    def c_getSeed(self, *args):
        if args:
            raise self._usage("getSeed", "getSeed")
        return str(self.rand.last_seed)

    def c_rand(self, *args):
        lo, hi = 0.0, 1.0
        if len(args) == 1:
            hi = self._real(args[0], "rand")
        elif len(args) == 2:
            lo, hi = self._real(args[0], "rand"), self._real(args[1], "rand")
        elif args:
            raise self._usage("rand", "rand [[<min>] <max>]")
        lo, hi = min(lo, hi), max(lo, hi)
        return "%g" % self.rand.rand_real((lo + hi) / 2, (hi - lo) / 2)

    def c_randInt(self, *args):
        lo, hi = 0, 2
        if len(args) == 1:
            hi = self._int(args[0], "randInt")
        elif len(args) == 2:
            lo, hi = self._int(args[0], "randInt"), self._int(args[1], "randInt")
        elif args:
            raise self._usage("randInt", "randInt [[<min>] <max>]")
        lo, hi = min(lo, hi), max(lo, hi)
        if hi == lo:
            raise LensError("randInt: the range is empty")
        return str(lo + self.rand.rand_int(hi - lo))

    def c_verbosity(self, *args):
        if len(args) > 1:
            raise self._usage("verbosity", "verbosity [<level>]")
        if args:
            self.verbosity = self._int(args[0], "verbosity")
        return str(self.verbosity)

    def c_version(self, *args):
        return "pdpsim Lens shell, following Lens 2.63"

    # ------------------------------------------------------------------ link values
    def _link_targets(self, cmd: str, args, usage: str, allow_mean_range: bool = False):
        net = self._need_net(cmd)
        groups = units = ltype = None
        mean = range_ = NAN
        a = 0
        while a < len(args):
            if not args[a].startswith("-") or a + 1 >= len(args):
                raise self._usage(cmd, usage)
            o, v = _opt(args[a]), args[a + 1]
            if o == "g":
                groups = {g.name for g in self._group_list(v, cmd)}
            elif o == "u":
                units = {}
                for name in self.tcl.splitlist(v):
                    u = self.objects._unit_by_name(name)
                    if u is None:
                        raise LensError(f'{cmd}: unit "{name}" doesn\'t exist')
                    units.setdefault(u[0].name, np.zeros(u[0].size, dtype=bool))[u[1]] = True
            elif o == "t":
                known = {b.link_type for _g, b in net.all_blocks()}
                if v not in known:
                    raise LensError(f"{cmd}: link type {v} doesn't exist")
                ltype = v
            elif allow_mean_range and o == "m":
                mean = self._real(v, cmd)
            elif allow_mean_range and o == "r":
                range_ = self._real(v, cmd)
            else:
                raise self._usage(cmd, usage)
            a += 2
        return net, groups, units, ltype, mean, range_

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
        net.randomize(self.rand, range_, mean, groups if units is None else set(units), ltype, units)
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
        path, binary, values, frozen, thawed = args[0], True, 1, True, True
        a = 1
        while a < len(args) and args[a].startswith("-"):
            o = _opt(args[a])
            if o == "v" and a + 1 < len(args):
                values = self._int(args[a + 1], "saveWeights -values")
                if values < 1:
                    raise LensError("saveWeights: numValues must be positive")
                a += 2
                continue
            if o == "t":
                binary = False
            elif o == "n":
                frozen = False
            elif o == "o":
                thawed = False
            else:
                raise self._usage("saveWeights", usage)
            a += 1
        if a != len(args):
            raise self._usage("saveWeights", usage)
        values = min(values, 3)
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
        frozen = thawed = True
        for arg in args[1:]:
            if arg[:2] == "-n":
                frozen = False
            elif arg[:2] == "-o":
                thawed = False
            else:
                raise self._usage("loadWeights", usage)
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


def _as_lens_reals(ex: ExampleSet) -> None:
    """Lens reads every number of a text file as a 32-bit float (``sscanf %f``), even in
    its double-precision build: round the values the same way."""
    for d in (ex.inputs, ex.targets):
        for g, a in d.items():
            d[g] = a.astype(np.float32).astype(np.float64)
    ex.frequencies = ex.frequencies.astype(np.float32).astype(np.float64)


def _fmt(x: float) -> str:
    return "-" if x != x else repr(float(x))


def _concat(a: ExampleSet, b: ExampleSet, name: str) -> ExampleSet:
    """Lens's loadExamples -mode APPEND: the examples of ``b`` after those of ``a``."""
    if set(a.inputs) != set(b.inputs) or set(a.targets) != set(b.targets) or a.max_events != b.max_events:
        raise LensError(f"loadExamples -mode APPEND: the new examples of '{name}' do not have the same groups and "
                        "events as the set's")
    cat = lambda d1, d2: {g: np.concatenate([d1[g], d2[g]]) for g in d1}  # noqa: E731
    return ExampleSet(inputs=cat(a.inputs, b.inputs), targets=cat(a.targets, b.targets),
                      names=list(a.names) + list(b.names),
                      frequencies=np.concatenate([a.frequencies, b.frequencies]),
                      n_events=np.concatenate([a.n_events, b.n_events]), name=name, header=dict(a.header))


def run_script(path, argv=(), stdout: TextIO | None = None, stderr: TextIO | None = None, seed: int | None = None,
               real_digits: int = 7) -> int:
    """Run a Lens script in a fresh shell; returns its exit status (ScriptError on error)."""
    shell = LensShell(stdout=stdout, stderr=stderr, seed=seed, real_digits=real_digits)
    return shell.run_file(path, argv)
