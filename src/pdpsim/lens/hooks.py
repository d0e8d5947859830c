"""Lens's example, event and tick procedures, run where Lens runs them.

:class:`HooksMixin` is mixed into :class:`~pdpsim.lens.net.LensNet`. A network with one of the
procedures Lens runs per example, event or tick (``preExampleProc``, ``postExampleProc``,
``preExampleBackProc``, ``preEventProc``, ``postEventProc``, ``preTickProc``, ``postTickProc``),
or an example set with ``proc:`` fields on its examples or events, runs one example and one tick
at a time through Lens's unit loops (:mod:`pdpsim.lens.steps`, :mod:`pdpsim.lens.ticks`), which
call them at Lens's places (Src/act.c, Src/example.c):

* an example's ``proc:`` as the example is loaded (the set's current example already set), then
  ``preExampleProc``; the example runs; in training ``preExampleBackProc`` before the backward
  pass; ``postExampleProc`` at the end;
* an event's ``proc:`` at the end of loading the event (after its inputs, EXT_INPUT_NOISE and its
  targets: it may change them), before the outputs are reset for the first event;
  ``preEventProc`` after each event is loaded (for the first, after the reset);
  ``preTickProc`` / ``postTickProc`` around every tick; ``postEventProc`` as an event ends (after its
  criterion), before the next one is loaded.

They run in Tcl's global scope with the units holding Lens's values at that point, so ``getObj``
reads and ``setObj`` changes what the next step uses (a unit's ``externalInput`` or ``target``, its
``outputDeriv`` before the backward pass, a parameter: the group procedures read the network's and
groups' parameters again after each procedure). ``currentTick`` and ``ticksOnExample`` follow
Lens's. ``preTickBackProc`` is Lens's too, but Lens runs it only in the standard network's
netForwardBackward, which ``addNet`` never makes (every network is SRBPTT or CONTINUOUS): it is
kept and, as in Lens, never run. A set's own ``proc:`` runs when the file is loaded
(:mod:`pdpsim.lens.example_commands`).
"""
from __future__ import annotations

import numpy as np

from pdpsim.lens.functions import NAN, LensError

#: the network's procedures Lens runs inside an example
EXAMPLE_PROCS = ("preExampleProc", "postExampleProc", "preExampleBackProc", "preEventProc", "postEventProc",
                 "preTickProc", "postTickProc")


def set_procs(S) -> bool:
    """Whether example set ``S`` has ``proc:`` fields on its examples or events."""
    if S is None:
        return False
    ex = S.examples
    if ex.procs and any(p for p in ex.procs):
        return True
    ev = ex.event_fields.get("proc")
    return ev is not None and any(p for p in ev.flat)


class HooksMixin:
    """Lens's per-example, per-event and per-tick procedures (see the module)."""

    #: the shell that runs the Tcl code (set by ``addNet``)
    shell = None
    #: Lens's currentTick and ticksOnExample, as its unit loops leave them (None: no loop ran)
    current_tick = 0
    ticks_on_example: int | None = None

    def has_procs(self, S=None) -> bool:
        """Whether a run of ``S`` needs Lens's procedures called inside its examples."""
        return any(self.procs[p].strip() for p in EXAMPLE_PROCS) or set_procs(S)

    def _eval(self, code: str, what: str) -> None:
        sh = self.shell
        if sh is None or not code or not code.strip():
            return
        sh.tcl.setvar("::pdpsim::hook", code)
        if sh.tcl.eval("catch {uplevel #0 $::pdpsim::hook} ::pdpsim::hookmsg") == "1":
            raise LensError(f"{what}: {sh.tcl.getvar('::pdpsim::hookmsg')}")

    def hook(self, name: str, plans=None) -> None:
        """Lens's RUN_PROC: the network's procedure ``name``; the plans re-read the parameters."""
        code = self.procs.get(name, "")
        if code.strip():
            self._eval(code, name)
            self._refresh(plans)

    def _refresh(self, plans) -> None:
        if plans:
            self.configure()
            for p in plans:
                p.refresh()

    def load_example_hook(self, S, i: int, plans=None) -> None:
        """Lens's standardLoadExample (the set's and network's current example, the example's
        ``proc:``), then ``preExampleProc``."""
        S.current_example = i
        self.current_example = (S, i)
        procs = S.examples.procs
        if procs and procs[i]:
            self._eval(procs[i], f"the proc of example {i} of set '{S.name}'")
            self._refresh(plans)
        self.hook("preExampleProc", plans)

    def _event_times(self, S, i: int, e: int):
        """The event's maxTime, minTime and graceTime (its own, else the set's)."""
        ex = S.examples

        def value(key, lk):
            f = ex.event_fields.get(key)
            v = NAN if f is None else float(f[i, e])
            return S.params[lk] if v != v else v
        return value("max", "maxTime"), value("min", "minTime"), value("grace", "graceTime")

    def _load_event(self, S, i: int, e: int, plans) -> None:
        """Lens's standardLoadEvent: every input unit's external input, EXT_INPUT_NOISE (units not
        lesioned that have an input), every output unit's target, then the event's ``proc:``."""
        ex = S.examples
        for p in plans:
            if p.g.kind == "INPUT":
                p.s["externalInput"][:] = ex.inputs[p.name][i, e]
        for p in plans:
            if "EXT_INPUT_NOISE" in p.g.flags:
                ext = p.s["externalInput"]
                m = p.k & ~np.isnan(ext)
                ext[m] = self.rand.noise_array(p.g.noise_proc, ext, p.noise_range, ~m)[m]
        for p in plans:
            if p.g.kind == "OUTPUT":
                p.s["target"][:] = ex.targets[p.name][i, e]
        self.event_hook(S, i, e, plans)

    def event_hook(self, S, i: int, e: int, plans=None) -> None:
        """The end of Lens's standardLoadEvent: the event's ``proc:``."""
        ev = S.examples.event_fields.get("proc")
        if ev is not None and ev[i, e]:
            self._eval(ev[i, e], f"the proc of event {e} of example {i} of set '{S.name}'")
            self._refresh(plans)
