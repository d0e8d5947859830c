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

The commands are grouped by concern, each group a mixin of :class:`LensShell`:
networks and groups (:mod:`~pdpsim.lens.net_commands`), connections
(:mod:`~pdpsim.lens.connect_commands`), link values and weight files
(:mod:`~pdpsim.lens.link_commands`), lesions and noise (:mod:`~pdpsim.lens.lesion_commands`),
example sets (:mod:`~pdpsim.lens.example_commands`),
training and testing (:mod:`~pdpsim.lens.train_commands`), object paths
(:mod:`~pdpsim.lens.object_commands`), files of values and outputs
(:mod:`~pdpsim.lens.output_commands`), later changes of the structure
(:mod:`~pdpsim.lens.structure_commands`); what they share is in :mod:`~pdpsim.lens.commands`.
This module holds the interpreter, its plumbing and the shell's own commands (random
numbers, ``verbosity``, ``version``).
"""
from __future__ import annotations

import re
import sys
import time
from pathlib import Path
from typing import TextIO

from pdpsim.validation import PdpError
from pdpsim.lens.connect_commands import ConnectCommands
from pdpsim.lens.copies import CopyCommands
from pdpsim.lens.display_commands import DisplayCommands
from pdpsim.lens.example_commands import ExampleCommands
from pdpsim.lens.functions import LensError, LensRandom, NeedsTime
from pdpsim.lens.lesion_commands import LesionCommands
from pdpsim.lens.link_commands import LinkCommands
from pdpsim.lens.model import LensExampleSet
from pdpsim.lens.net import LensNet
from pdpsim.lens.net_commands import COST_TYPES, GROUP_FLAGS, INPUT_TYPES, OUTPUT_TYPES, NetCommands
from pdpsim.lens.object_commands import ObjectCommands
from pdpsim.lens.output_commands import OutputCommands
from pdpsim.lens.structure_commands import StructureCommands
from pdpsim.lens.objects import ObjectSpace
from pdpsim.lens.train_commands import TrainCommands

__all__ = ["LensShell", "ScriptError", "run_script", "LENS_COMMANDS", "EXTRA_COMMANDS", "GROUP_FLAGS",
           "INPUT_TYPES", "OUTPUT_TYPES", "COST_TYPES"]

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
# Lens's lensrc.tcl: reals converted to strings (expr results) keep 8 significant digits
set ::tcl_precision 8
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


#: the run_proc names that are Lens's display update signals (graphs follow them)
_SIGNALS = {"postUpdateProc": "ON_UPDATE", ".report": "ON_REPORT"}


class ScriptError(Exception):
    """A Lens script stopped on an error: ``message``, ``file``, ``line``, Tcl's ``traceback``."""

    def __init__(self, message: str, file: str | None = None, line: int | None = None, traceback: str = ""):
        self.message, self.file, self.line, self.traceback = message, file, line, traceback
        where = f"{file}:{line}: " if file and line else (f"{file}: " if file else "")
        super().__init__(f"{where}{message}")


class LensShell(NetCommands, ConnectCommands, LinkCommands, LesionCommands, ExampleCommands, TrainCommands,
                ObjectCommands, OutputCommands, StructureCommands, CopyCommands, DisplayCommands):
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
    display : object, optional
        What the display commands drive (``view``, ``viewUnits``, ``graph``, ...): None, as
        Lens in batch mode, accepts them and does nothing; ``pdpsim lens --view`` passes the
        browser viewer's bridge (:mod:`pdpsim.lens.viewer_bridge`).
    """

    def __init__(self, stdout: TextIO | None = None, stderr: TextIO | None = None, seed: int | None = None,
                 real_digits: int = 7, display=None):
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
        self.display = display
        self.graphs = {}
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
        tcl.setvar(".BATCH", "1" if self.display is None else "0")
        tcl.setvar(".GUI", "0" if self.display is None else "1")

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

    def run_proc(self, name: str) -> None:
        """Run one of the network's Tcl hooks (preEpochProc, postUpdateProc, ...); after an update
        and at a progress report (``.report``), the graphs that follow them record their traces."""
        net = self.net
        if net is None:
            return
        if name in _SIGNALS:
            if self.graphs:
                self.signal_graphs(_SIGNALS[name])
            if name == ".report":
                return
        body = net.procs.get(name, "")
        if body.strip():
            self.tcl.setvar("::pdpsim::hook", body)
            code = self.tcl.eval("catch {uplevel #0 $::pdpsim::hook} ::pdpsim::hookmsg")
            if code == "1":
                raise LensError(f"{name}: {self.tcl.getvar('::pdpsim::hookmsg')}")

    # ================================================================== commands
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

    def _bounds(self, cmd: str, args, read, lo, hi):
        """The ``[[<min>] <max>]`` of rand and randInt, each read by ``read``; the smaller first."""
        if len(args) == 1:
            hi = read(args[0], cmd)
        elif len(args) == 2:
            lo, hi = read(args[0], cmd), read(args[1], cmd)
        elif args:
            raise self._usage(cmd, f"{cmd} [[<min>] <max>]")
        return min(lo, hi), max(lo, hi)

    def c_rand(self, *args):
        lo, hi = self._bounds("rand", args, self._real, 0.0, 1.0)
        return "%g" % self.rand.rand_real((lo + hi) / 2, (hi - lo) / 2)

    def c_randInt(self, *args):
        lo, hi = self._bounds("randInt", args, self._int, 0, 2)
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


def run_script(path, argv=(), stdout: TextIO | None = None, stderr: TextIO | None = None, seed: int | None = None,
               real_digits: int = 7, display=None) -> int:
    """Run a Lens script in a fresh shell; returns its exit status (ScriptError on error)."""
    shell = LensShell(stdout=stdout, stderr=stderr, seed=seed, real_digits=real_digits, display=display)
    return shell.run_file(path, argv)
