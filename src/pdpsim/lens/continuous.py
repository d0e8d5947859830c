"""Lens's CONTINUOUS networks, run through time by :mod:`pdpsim.dynamics.unfolding`.

:class:`ContinuousMixin` is mixed into :class:`~pdpsim.lens.net.LensNet`: what the
continuous path refuses, Lens's event timing (ticks, grace and minimum ticks of each
event), the unfolded forward and backward passes of a batch, and the unit state Lens
leaves afterwards. It uses the network's groups, parameters, ``configure``,
``check_loaded``, ``all_blocks`` and ``_event_criteria``.
"""
from __future__ import annotations

import numpy as np

from pdpsim.lens.functions import choose, LensError, NAN
from pdpsim.lens.model import LensExampleSet


class ContinuousMixin:
    """The CONTINUOUS part of :class:`~pdpsim.lens.net.LensNet` (through :mod:`pdpsim.dynamics.unfolding`)."""

    def check_continuous(self, what: str) -> None:
        """What the continuous paths (pdpsim.dynamics.unfolding, and Lens's unit loops in ticks.py) do not do."""
        for g in self.groups.values():
            if g.kind != "BIAS" and "RESET_ON_EXAMPLE" not in g.flags:
                raise LensError(f"{what}: group '{g.name}' is not RESET_ON_EXAMPLE; carrying outputs from one "
                                "example to the next is not implemented in pdpsim")
        if self.output_file is not None:
            raise LensError(f"{what}: writing a CONTINUOUS network's outputs (openNetOutputFile) is not "
                            "implemented in pdpsim")
        if self.params["pseudoExampleFreq"]:
            raise LensError(f"{what}: pseudoExampleFreq (error scaled by example frequency) on a CONTINUOUS network "
                            "is not implemented: pdpsim scales examples' errors in feed-forward (standard) "
                            "networks only")
        if abs(self.params["dt"] * self.ticks_per_interval - 1.0) > 1e-12:
            raise LensError(f"{what}: a dt other than 1/ticksPerInterval on a CONTINUOUS network is not "
                            "implemented")

    # ------------------------------------------------------------ time (CONTINUOUS, via pdpsim.dynamics.unfolding)
    def time_tables(self, S: "LensExampleSet", cut: bool = True):
        """Lens's event timing for every example of ``S``: (ticks, grace ticks, min ticks), each
        (n_examples, max_events); events past the network's maxTicks are cut as Lens cuts them.
        Without ``cut`` every event keeps its own length (at most maxTicks - 1): for a run whose
        events may end early, where Lens's maxTicks then cuts what runs (``TimeParams.max_ticks``)."""
        ex = S.examples
        n, E = len(ex), max(1, ex.max_events)
        tpi = self.ticks_per_interval
        ticks = np.zeros((n, E), dtype=int)
        grace = np.zeros((n, E), dtype=int)
        mins = np.zeros((n, E), dtype=int)
        fields = {k: ex.event_fields.get(k) for k in ("max", "min", "grace")}
        dflt = {"max": S.params["maxTime"], "min": S.params["minTime"], "grace": S.params["graceTime"]}
        small = 1e-8

        def value(k, i, e):
            f = fields[k]
            v = NAN if f is None else float(f[i, e])
            return dflt[k] if v != v else v

        for i in range(n):
            tick = 1
            for e in range(int(ex.n_events[i])):
                if cut and tick >= self.max_ticks:
                    break
                if not cut:
                    tick = 1                     # each event as if it started the example
                mx, mn, gr = value("max", i, e), value("min", i, e), value("grace", i, e)
                k = 0
                while True:                      # Lens's standardNetRunExample, without the criterion
                    k += 1
                    if (k / tpi) + small >= mx or tick >= self.max_ticks - 1:
                        break
                    tick += 1
                tick += 1
                ticks[i, e] = k
                mins[i, e] = next((j for j in range(1, k + 1) if j / tpi + small >= mn), k)
                grace[i, e] = 0 if gr <= 0 else sum(1 for j in range(1, k + 1)
                                                    if j == 1 or (j - 1) / tpi + small < gr)
        return ticks, grace, mins

    def _time_params(self, training: bool, S: "LensExampleSet | None" = None):
        from pdpsim.dynamics.unfolding import TimeParams
        crit = None
        crit_groups = [g for g in self.output_groups if g.criterion]
        for g in crit_groups:
            c = self.group_crit(g, training)
            if c > 0:
                crit = 1.0
        if crit is None and crit_groups and S is not None and self._untargeted_events(S, crit_groups):
            crit = 1.0       # Lens: an event without targets meets any criterion, 0 included: it ends early
        scales = {}
        for g in self.groups.values():                 # Lens's integrators: dt x group dtScale x unit dtScale
            gs, us = float(g.params["dtScale"]), g.unit_dt_scale
            if gs != 1.0 or np.any(us != 1.0):
                scales[g.name] = gs if np.all(us == 1.0) else gs * us
        return TimeParams("continuous", self.ticks_per_interval, float(self.time_intervals), 0.0,
                          error_scale_per_tick=True, tick0_clamp=False, integrator_lag=True,
                          tick0_senders_zero=True, early_stop=crit,
                          max_ticks=None if crit is None else self.max_ticks, dt_scale=scales).validated()

    @staticmethod
    def _untargeted_events(S: "LensExampleSet", groups) -> bool:
        """Whether an event of ``S`` has no target in any of ``groups`` (Lens's group criteria
        are then met whatever the criterion: standardGroupCriterion skips missing targets)."""
        ex = S.examples
        live = np.arange(max(1, ex.max_events))[None, :] < ex.n_events[:, None]
        none = live.copy()
        for g in groups:
            t = ex.targets.get(g.name)
            if t is not None:
                none &= np.isnan(t).all(axis=2)
        return bool(none.any())

    def run_in_time(self, S: "LensExampleSet", idx: np.ndarray, training: bool, backward: bool):
        """Run examples ``idx`` of ``S`` through time (Lens's CONTINUOUS network): each example's error,
        whether it met the criteria at the end of every event, the ticks it ran; with ``backward``, the
        link derivatives summed over the examples."""
        if self.uses_ticks(S):                 # lesions, noise, clamps: Lens's unit loops (ticks.py)
            return self.run_ticks(S, idx, training, backward)
        from pdpsim.dynamics.unfolding import Unfolded, build_schedule
        self.configure()
        net = self.net
        for g in self.groups.values():
            pg = g.group
            if g.kind != "BIAS":
                pg.init_output = float(choose(g.params["initOutput"], self.params["initOutput"]))
            pg.init_input = float(choose(g.params["initInput"], self.params["initInput"]))
            if g.kind == "OUTPUT":
                pg.error.ticks = 1            # the engine multiplies each tick's error by dt
        ex = S.examples
        self.check_loaded(S)
        net.set_time(self._time_params(training, S))
        stop = net.time.early_stop is not None
        key = (id(ex), self.max_ticks, self.ticks_per_interval, S.params["maxTime"], S.params["minTime"],
               S.params["graceTime"], stop)
        if getattr(S, "_tables_key", None) != key:
            S._tables = self.time_tables(S, cut=not stop)
            S._tables_key = key
        ticks, grace, mins = S._tables
        unf = Unfolded(net)
        groups = [g for g in self.groups.values() if g.criterion]

        def reached(sched, t, i=None):
            e = int(sched.event_of_tick[0, t])
            return self._event_criteria(S, int(i), e, {g.name: g.group.output_history[t][0] for g in groups},
                                        training)

        chunks = [np.array([k]) for k in idx] if stop else [np.asarray(idx)]
        errs, correct, n_ticks = [], [], []
        accum = None
        for chunk in chunks:
            sched = build_schedule(net, ex, chunk, ticks, grace, mins if stop else None)
            if stop:
                unf.criterion_reached = lambda sc, t, i=int(chunk[0]): reached(sc, t, i)
            err = unf.forward(sched)
            run = unf.cut_schedule or sched
            errs.append(np.asarray(err, dtype=float).reshape(-1))
            for b, i in enumerate(chunk):
                ev = run.event_of_tick[b]
                ok = True
                last = int(np.flatnonzero(ev >= 0)[-1])
                n_ticks.append(last)
                for e in range(int(ex.n_events[i])):
                    ts = np.flatnonzero(ev[1:] == e)
                    if len(ts) == 0:
                        ok = False if e == 0 else ok
                        break
                    t = int(ts[-1]) + 1
                    if not self._event_criteria(S, int(i), e, {g.name: g.group.output_history[t][b]
                                                              for g in groups}, training):
                        ok = False
                correct.append(ok)
            if backward:
                unf.backward(sched)
                if stop:
                    if accum is None:
                        accum = [np.zeros_like(b.block.weight_deriv) for _g, b in self.all_blocks()]
                    for a, (_g, b) in zip(accum, self.all_blocks()):
                        a += b.block.weight_deriv
        if backward and accum is not None:
            for a, (_g, b) in zip(accum, self.all_blocks()):
                b.block.weight_deriv[...] = a
        errs = np.concatenate(errs)
        if n_ticks:
            self.ticks_on_example = n_ticks[-1] + 1     # Lens's ticksOnExample: tick 0 counts
        # group errors (for the test report with several output groups)
        self._last_time = (S, np.asarray(idx)[-1], unf, chunks[-1])
        return errs, np.array(correct), int(sum(n_ticks)) + len(n_ticks)

    def snapshot_time(self, S: "LensExampleSet", derivs: bool = False) -> None:
        """After a run in time: units hold the last example's final outputs and inputs (Lens restores
        them after its backward pass) and its last event's targets. With ``derivs`` (after a training
        pass) they hold what Lens's backward pass leaves: the output and input derivatives of tick 1
        (without the dt that pdpsim puts on each tick's error and Lens on the summed link
        derivatives) and the inputs of tick 0, which batch-mode Lens never stores (so 0)."""
        if self.uses_ticks(S):                 # the unit loops left the units as Lens leaves them
            return
        S_, k, unf, chunk = self._last_time
        b = len(chunk) - 1
        ex = S.examples
        last_event = int(ex.n_events[k]) - 1
        scale = unf.tick_scale
        for g in self.groups.values():
            s, pg = g.state, g.group
            s["output"][:] = pg.output_history[-1][b]
            if g.kind == "BIAS":
                s["output"][:] = 1.0
                s["input"][:] = 0.0
                continue
            s["input"][:] = 0.0 if (g.kind == "INPUT" or derivs) else pg.net_input_history[-1][b]
            if derivs:
                if pg.name in unf.tick1_derivs:
                    s["outputDeriv"][:] = unf.tick1_derivs[pg.name][b] / scale
                    s["inputDeriv"][:] = unf.draw[pg.name][1][b] / scale     # after IN_INTEGR's rule
                else:                           # a clamped input: what its links sent back from tick 2
                    od = np.zeros(g.size)
                    for h in self.groups.values():
                        r = unf.draw.get(h.name)
                        if r is None or r.shape[0] < 3:
                            continue
                        for blk in h.blocks:
                            if blk.source is g:
                                od += r[2][b] @ blk.block.weights.T
                    s["outputDeriv"][:] = od / scale
                    s["inputDeriv"][:] = 0.0
            if g.kind == "INPUT" and g.name in ex.inputs:
                s["externalInput"][:] = ex.inputs[g.name][k, last_event]
            if g.kind == "OUTPUT" and g.name in ex.targets:
                s["target"][:] = ex.targets[g.name][k, last_event]
                s["adjustedTarget"][:] = np.where(np.isnan(s["target"]), s["adjustedTarget"], s["target"])
        self.current_example = (S, int(k))
        S.current_example = int(k)
