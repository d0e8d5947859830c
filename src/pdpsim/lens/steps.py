"""Standard and simple recurrent (SRBPTT) networks run unit loop by unit loop, as Lens runs them.

:class:`StepsMixin` is mixed into :class:`~pdpsim.lens.net.LensNet`. A network that is not
CONTINUOUS and has a group type that pdpsim's batched passes do not compute (DISTANCE, PRODUCT,
IN_NORM, OUT_NORM, OUT_CROPPED, OUT_WINNER, TERNARY, GAUSSIAN, COSINE: see
:mod:`pdpsim.lens.procs`; the unit costs of :mod:`pdpsim.lens.costs`) runs here, one example at a time, with the group runs of
:mod:`pdpsim.lens.ticks` (each group through its own list of Lens's procedures, keeping the
units' fields and the caches the links read and write):

* each tick (one an event), group after group in Lens's order: the input procedures, the output
  procedures, the error, and in training the error derivatives (Lens's srbpttNetForward; testing:
  netForward). A link from a group not yet computed this tick reads that group's previous output
  (its initOutput on an example's first tick); an ELMAN group adds its source's current output;
* Lens's srbpttNetExampleBack: from the last tick to tick 0, groups in reverse order, each the
  output procedures backward, then the input procedures (the links credited with the senders'
  outputs of the tick being processed); before each earlier tick every group's stored error
  derivatives, outputs and inputs of that tick are restored;
* afterwards the units hold what Lens's hold, the outputs of the last tick restored.

Lesioned units and noise are handled as in the CONTINUOUS unit loops (same procedures, same order
of draws). The refusals of the SRBPTT path (:meth:`~pdpsim.lens.srbptt.SrbpttMixin.check_srn`)
apply.
"""
from __future__ import annotations

import numpy as np

from pdpsim.lens import procs
from pdpsim.lens.events import _Events
from pdpsim.lens.ticks import _Unit


class StepsMixin:
    """Lens's unit loops on standard / SRBPTT networks (see the module)."""

    #: run every non-CONTINUOUS network that runs example by example this way (tests)
    force_steps = False

    def uses_steps(self, S=None) -> bool:
        """Whether this (non-CONTINUOUS) network needs Lens's unit loops: a group type that only
        they run, groupCritRequired (an example ends at an event that missed the criteria), Tcl
        procedures run inside examples (:mod:`pdpsim.lens.hooks`; those of ``S``), events of ``S``
        longer than a tick or with a grace period, or ``force_steps``."""
        if self.continuous:
            return False
        return bool(self.force_steps or self.params["groupCritRequired"] or self.has_procs(S)
                    or any(procs.needs_loops(g) for g in self.groups.values()) or self.long_events(S))

    def reset_gain_derivs(self) -> None:
        """Lens's resetLinkDerivs at a training batch's start also clears each unit's gainDeriv."""
        for g in self.groups.values():
            g.gain_deriv[~g.lesioned] = 0.0

    def _step_plans(self) -> list:
        plans = {g.name: _Unit(self, g) for g in self.groups.values()}
        for p in plans.values():
            p.blocks = [(plans[b.source.name], b) for b in p.g.blocks]
            if p.g.kind == "ELMAN" and p.g.elman_source is not None:
                p.elman = plans[p.g.elman_source]
        return list(plans.values())

    def _step_example(self, S, i: int, plans, training: bool, backward: bool, acc):
        """Lens's standardNetRunExample on example i with srbpttNetForward (training) or netForward
        ticks, then with ``backward`` srbpttNetExampleBack. Returns its error, whether every event
        met the criteria, its ticks."""
        max_ticks = self.max_ticks
        ev = _Events(self, S, i, plans)             # (an event lasts until its maxTime, as in Lens)
        ev_at = []                                  # the event of each tick
        for p in plans:
            p.start(continuous=False)
        tick, err, last = 0, 0.0, 0
        self.hook("preEventProc", plans)
        while tick < max_ticks and ev.event < ev.n:
            last = self.current_tick = tick
            self.hook("preTickProc", plans)
            for p in plans:
                p.compute_input(tick)
                p.compute_output(tick)
                err += p.compute_cost(ev.grace)
                if training:
                    p.compute_cost_back(ev.grace)
            self.hook("postTickProc", plans)
            ev_at.append(ev.event)
            if not ev.tick_done(tick, max_ticks, training):
                break
            tick += 1
        self.ticks_on_example = last + 1
        if backward:
            self.hook("preExampleBackProc", plans)
            for p in plans:
                p.start_back()
            for t in range(last, -1, -1):
                if t < last:
                    for p in plans:
                        p.restore_output_derivs(t)
                        p.restore(t)
                for p in reversed(plans):
                    p.output_back(t)
                    p.input_back(acc, t)
            for p in plans:
                p.restore(last, inputs=False)
            self.current_tick = -1
        T = last + 1
        self.history_example(i, [{p.name: p.out_h[t] for p in plans} for t in range(T)],
                             [{p.name: S.examples.targets[p.name][i, ev_at[t]] for p in plans
                               if p.g.kind == "OUTPUT"}
                              for t in range(T)], T, store=training)
        return err, ev.ok, T

    def run_steps(self, S, idx, training: bool, backward: bool):
        """Examples ``idx`` of ``S`` run as Lens runs them (see the module); with ``backward``,
        every unlesioned unit's link derivatives summed over them. Returns each example's error,
        whether it met the criteria, and the ticks run."""
        self.configure()
        self.check_loaded(S)
        for g in self.output_groups:
            g.group.error.ticks = self.ticks_per_interval
        plans = self._step_plans()
        acc = {id(b): np.zeros_like(b.block.weights) for _g, b in self.all_blocks()} if backward else None
        if backward:
            self.reset_gain_derivs()
        errs, correct, ticks = self._each_example(S, idx, plans, self._step_example, training, backward, acc)
        if backward:
            for g, b in self.all_blocks():
                keep = ~g.lesioned
                b.block.weight_deriv[:, keep] = acc[id(b)][:, keep]
        return np.array(errs), np.array(correct, dtype=bool), ticks
