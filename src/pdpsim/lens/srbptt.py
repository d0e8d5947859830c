"""Lens's SRBPTT on simple recurrent networks: examples run tick by tick, one tick an event.

:class:`SrbpttMixin` is mixed into :class:`~pdpsim.lens.net.LensNet`: whether a network
and example set run in time, what the SRBPTT path refuses, the forward pass tick by
tick (ELMAN groups copying their source, links from later groups reading the previous
tick), Lens's srbpttNetExampleBack, and the unit state Lens leaves afterwards. It uses
the network's groups, parameters, ``configure``, ``check_loaded``, ``all_blocks`` and
``_event_criteria``.
"""
from __future__ import annotations

import numpy as np

from pdpsim.model.network import Group
from pdpsim.functions.targets import lens_effective_target
from pdpsim.lens.functions import choose, LensError, NAN, NeedsTime
from pdpsim.lens.model import LensExampleSet


class SrbpttMixin:
    """The simple-recurrent (SRBPTT) part of :class:`~pdpsim.lens.net.LensNet`."""

    # ------------------------------------------------------------ SRBPTT (simple recurrent, through time)
    def uses_time(self, S: "LensExampleSet | None") -> bool:
        """Whether Lens would run ``S`` on this (non-CONTINUOUS) network tick by tick: it has ELMAN
        groups, links from a group later in the group order (read from the previous tick), or
        examples of several events."""
        if self.continuous:
            return False
        if any(g.kind == "ELMAN" for g in self.groups.values()) or self.has_damage() or self.uses_steps(S):
            return True                      # lesioned units and noise: run as Lens does, example by example
        if S is not None and S.examples.max_events > 1 and np.any(S.examples.n_events > 1):
            return True
        order = list(self.groups)
        return any(order.index(b.source.name) >= order.index(g.name) for g, b in self.all_blocks())

    def check_srn(self, what: str) -> None:
        """What the SRBPTT path (``run_srn``) does not do."""
        for t in ("BOLTZMANN",):
            if t in self.types:
                raise NeedsTime(f"{what} on a {t} network")
        if self.ticks_per_interval != 1:
            raise LensError(f"{what}: a simple recurrent (SRBPTT) network with {self.ticks_per_interval} ticks "
                            "per interval is not implemented in pdpsim (only 1)")
        if self.history_length != self.max_ticks:
            raise LensError(f"{what}: historyLength other than maxTicks on an SRBPTT network is not implemented")
        if self.bidirectional:
            a, b = self.bidirectional[0]
            raise NeedsTime(f"{what} with the bidirectional connection {a} <-> {b}")
        if self.params["pseudoExampleFreq"]:
            raise LensError(f"{what}: pseudoExampleFreq (error scaled by example frequency) on a network run in time "
                            "(SRBPTT: Elman groups, several events, lesions or noise) "
                            "is not implemented: pdpsim scales examples' errors in feed-forward (standard) "
                            "networks only")
        for g in self.groups.values():
            if g.kind != "BIAS" and "RESET_ON_EXAMPLE" not in g.flags:
                raise LensError(f"{what}: group '{g.name}' is not RESET_ON_EXAMPLE; carrying outputs from one "
                                "example to the next is not implemented in pdpsim")
            if g.kind == "ELMAN":
                if g.elman_source is None:
                    raise LensError(f"{what}: ELMAN group '{g.name}' has no source (elmanConnect)")
                if g.blocks:
                    raise LensError(f"{what}: links into the ELMAN group '{g.name}' are not implemented")

    def long_events(self, S: "LensExampleSet | None") -> bool:
        """Whether an event of ``S`` lasts longer than one tick or has a grace period (Lens's unit
        loops run those: :mod:`pdpsim.lens.steps`)."""
        if S is None:
            return False
        ex = S.examples
        for key, lk, bad in (("max", "maxTime", lambda v: v > 1.0 + 1e-8), ("grace", "graceTime", lambda v: v > 0)):
            ev = ex.event_fields.get(key)
            if ev is None:
                if bad(S.params[lk]):
                    return True
                continue
            vals = np.where(np.isnan(ev), S.params[lk], ev)
            live = np.arange(ev.shape[1])[None, :] < ex.n_events[:, None]
            if np.any(bad(vals[live])):
                return True
        return False

    def _srn_ticks(self, S: "LensExampleSet", i: int) -> int:
        """Ticks example i runs (one per event, cut at maxTicks), refusing events Lens would run
        longer than a tick or with a grace period."""
        ex = S.examples
        n = min(int(ex.n_events[i]), self.max_ticks)
        for key, lk in (("grace", "graceTime"), ("max", "maxTime")):
            ev = ex.event_fields.get(key)
            for e in range(n):
                v = choose(float(ev[i, e]) if ev is not None else NAN, S.params[lk])
                if key == "grace" and v > 0:
                    raise LensError(f"example set '{S.name}': a grace period on an SRBPTT network is not "
                                    "implemented")
                if key == "max" and v > 1.0 + 1e-8:
                    raise LensError(f"example set '{S.name}': events longer than one tick (maxTime > 1) on an "
                                    "SRBPTT network are not implemented")
        return n

    def run_srn(self, S: "LensExampleSet", idx: np.ndarray, training: bool, backward: bool):
        """Lens's SRBPTT: each example of ``idx`` tick by tick (one tick an event), groups in Lens's
        order, a link from a group not yet computed this tick (later in the order, or the group
        itself) reading its previous tick's output (the initOutput at tick 0), an ELMAN group copying
        its source's current output. With ``backward``, Lens's srbpttNetExampleBack: from the last
        tick to tick 0, each tick's stored error derivatives plus what later ticks sent back, every
        link derivative taken with the senders' outputs of the tick being processed. Lesioned units
        and noise as Lens's unit loops and noise procedures have them (:mod:`pdpsim.lens.damage`):
        drawn example by example, tick by tick, group by group. Returns each example's error,
        whether it met the criteria at the end of every event, and the ticks run. A network with group
        types that only Lens's unit loops run goes through :meth:`~pdpsim.lens.steps.StepsMixin.run_steps`."""
        self._stepped = self.uses_steps(S)
        if self._stepped:
            return self.run_steps(S, idx, training, backward)
        self.configure()
        ex = S.examples
        self.check_loaded(S)
        groups = list(self.groups.values())
        crit_groups = [g for g in groups if g.criterion]
        derivs = {id(b): np.zeros_like(b.block.weights) for _g, b in self.all_blocks()} if backward else None
        rand = self.rand
        les = {g.name: g.lesioned for g in groups}
        damaged = {g.name: g.lesioned.any() for g in groups}
        bias_on = not any(g.lesioned.any() for g in groups if g.kind == "BIAS")
        errs, correct, total_ticks = [], [], 0
        for i in (int(k) for k in idx):
            T = self._srn_ticks(S, i)
            cur = {g.name: np.where(g.lesioned, 0.0, 1.0 if g.kind == "BIAS" else
                                    float(choose(g.params["initOutput"], self.params["initOutput"])))[None, :]
                   for g in groups}
            outs, cleans, nets, ods = [], [], [], []
            err, ok = 0.0, True
            for t in range(T):
                net_in, od, clean = {}, {}, {}
                ext = self.event_inputs(S, i, t, rand)
                for g in groups:
                    pg = g.group
                    if g.kind == "BIAS":
                        continue
                    if g.kind == "INPUT":
                        a = np.where(g.lesioned, 0.0, ext[g.name])[None, :]
                        clean[g.name] = a
                        cur[g.name] = self.forward_noise(g, "OUT_NOISE", a, rand)
                        continue
                    if g.kind == "ELMAN":
                        cur[g.name] = np.where(g.lesioned, 0.0, cur[g.elman_source])
                        continue
                    n = np.zeros((1, g.size))
                    for b in g.blocks:
                        if b.source.kind != "BIAS":
                            n += cur[b.source.name] @ b.block.weights
                    for b in g.blocks:
                        if b.source.kind == "BIAS" and bias_on:
                            n += b.block.weights[0:1, :]
                    n = self.forward_noise(g, "IN_NOISE", n, rand)
                    a = np.empty_like(n)
                    if damaged[g.name]:
                        if g.function == "SOFT_MAX":            # Lens normalizes over the units left
                            pg.function.forward(np.where(g.lesioned, -np.inf, n), a)
                        else:
                            pg.function.forward(n, a)
                        a[:, g.lesioned] = 0.0
                    else:
                        pg.function.forward(n, a)
                    clean[g.name] = a
                    a = self.forward_noise(g, "OUT_NOISE", a, rand)
                    cur[g.name], net_in[g.name] = a, n
                    if g.kind == "OUTPUT":
                        target = ex.targets[g.name][i, t][None, :]
                        if damaged[g.name]:
                            target = np.where(g.lesioned, NAN, target)
                        tgt = self._adjusted_target(pg, a, target)
                        e = float(pg.error.error(a, tgt).sum())
                        err += e
                        g.error_value += e
                        d = np.empty_like(a)
                        pg.error.output_deriv(a, tgt, d)
                        od[g.name] = d
                outs.append({k: v.copy() for k, v in cur.items()})
                cleans.append(clean)
                nets.append(net_in)
                ods.append(od)
                if not self._event_criteria(S, i, t, {g.name: cur[g.name][0] for g in crit_groups}, training):
                    ok = False
            if T < int(ex.n_events[i]):          # cut at maxTicks: Lens still loads the next event
                ext = self.event_inputs(S, i, T, rand, check=False)
            errs.append(err)
            correct.append(ok)
            total_ticks += T
            tick0 = None
            if backward:
                cache = {g.name: np.zeros((1, g.size)) for g in groups}
                for t in range(T - 1, -1, -1):
                    o = outs[t]
                    done_od, done_id = {}, {}
                    for g in reversed(groups):
                        d_out = cache[g.name] + ods[t].get(g.name, 0.0)
                        cache[g.name] = np.zeros((1, g.size))
                        if damaged[g.name]:
                            d_out = np.where(g.lesioned, 0.0, d_out)
                        d_out = self.forward_noise(g, "OUT_DERIV_NOISE", d_out, rand)
                        done_od[g.name] = d_out
                        if g.kind == "ELMAN":
                            cache[g.elman_source] = cache[g.elman_source] + d_out
                            continue
                        if g.kind in ("INPUT", "BIAS"):
                            continue
                        d_in = np.empty_like(d_out)
                        fn = g.group.function
                        a = cleans[t][g.name]
                        fn.backward(a, d_out, d_in, nets[t][g.name])   # at this tick's net input
                        if damaged[g.name]:
                            d_in = np.where(g.lesioned, 0.0, d_in)
                        d_in = self.forward_noise(g, "IN_DERIV_NOISE", d_in, rand)
                        done_id[g.name] = d_in
                        for b in g.blocks:
                            s = b.source.name
                            derivs[id(b)] += o[s].T @ d_in        # a lesioned bias's output is 0
                            cache[s] = cache[s] + d_in @ b.block.weights.T
                    tick0 = (done_od, done_id)
            self.history_example(i, [{k: v[0] for k, v in o.items()} for o in outs],
                                 [{g.name: ex.targets[g.name][i, t] for g in self.output_groups} for t in range(T)],
                                 T, store=training and backward)
            self._last_srn = (S, i, outs, nets, ex, T, tick0)
            self._last_srn_inputs = ext
        if backward:
            for g, b in self.all_blocks():
                keep = les[g.name]                   # Lens leaves a lesioned unit's link derivatives alone
                b.block.weight_deriv[...] = np.where(keep, b.block.weight_deriv, derivs[id(b)])
        return np.array(errs), np.array(correct, dtype=bool), total_ticks

    def _adjusted_target(self, pg: Group, a: np.ndarray, t: np.ndarray) -> np.ndarray:
        return lens_effective_target(a, t, pg.target_radius, pg.zero_error_radius)

    def snapshot_srn(self, derivs: bool) -> None:
        """After an SRBPTT run: units hold the last example's last-tick outputs and its last event's
        targets; after a training pass (Lens restores tick 0 going backward) the inputs of tick 0 and
        the output and input derivatives left at tick 0; else the last tick's inputs."""
        if getattr(self, "_stepped", False):   # Lens's unit loops left the units as Lens leaves them
            self.lesion_state()
            return
        S, k, outs, nets, ex, T, tick0 = self._last_srn
        ext = self._last_srn_inputs
        for g in self.groups.values():
            s = g.state
            s["output"][:] = outs[-1][g.name][0]
            if g.kind in ("BIAS", "INPUT", "ELMAN"):
                s["input"][:] = 0.0
            else:
                s["input"][:] = nets[0 if derivs else -1][g.name][0]
            if derivs and tick0 is not None:
                od, idv = tick0
                s["outputDeriv"][:] = od[g.name][0]
                s["inputDeriv"][:] = idv[g.name][0] if g.name in idv else 0.0
            # an example cut at maxTicks has its next event loaded (Lens loads it as the last one ends)
            loaded = T if T < int(ex.n_events[k]) else T - 1
            if g.kind == "INPUT" and g.name in ext:
                s["externalInput"][:] = ext[g.name]
            if g.kind == "OUTPUT" and g.name in ex.targets:
                s["target"][:] = ex.targets[g.name][k, loaded]
                t = ex.targets[g.name][k, T - 1]
                if g.lesioned.any():
                    t = np.where(g.lesioned, NAN, t)
                adj = self._adjusted_target(g.group, outs[-1][g.name], t[None, :])[0]
                s["adjustedTarget"][:] = np.where(np.isnan(t), s["adjustedTarget"], adj)
        self.lesion_state()
        self.current_example = (S, int(k))
        S.current_example = int(k)
