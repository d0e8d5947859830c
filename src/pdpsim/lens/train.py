"""Lens's network model and its train/test loop, on pdpsim's :class:`~pdpsim.network.Network`.

Everything here follows Lens 2.63 (standard and simple-recurrent networks run
one tick per event, so a feed-forward network is what they compute when no
group feeds an earlier one). The shell (:mod:`pdpsim.lens.shell`) builds a
:class:`LensNet` from a script's commands; this module holds the numbers:

* **Output functions** (in :mod:`pdpsim.lens.functions`) as Lens computes them: ``LOGISTIC`` through Lens's
  interpolated table (1024 steps a unit, clamped at +-16, so an output is never
  closer to 0 or 1 than about 1.1e-7), ``TANH`` clamped at +-17 with the
  derivative 1/cosh^2 of the net input, ``SOFT_MAX``, ``LINEAR``, ``EXPONENTIAL``;
  all with Lens's ``gain``.
* **Error functions** (also there) with Lens's formulas and bounds (``SUM_SQUARED`` without
  1/2; ``CROSS_ENTROPY`` and ``DIVERGENCE`` with Lens's 1e8 / 1e-8 limits),
  ``errorScale``, NaN targets that give neither error nor derivative, and
  ``targetRadius`` / ``zeroErrorRadius`` exactly as Lens adjusts the target.
* **Weight updates** (``steepest``, ``momentum``, ``dougsMomentum``,
  ``deltaBarDelta``) written out as Lens's loops do them, link by link, with
  parameters looked up block -> group -> network, frozen links skipped, the
  last change taken as new weight minus old weight, and the report statistics
  (weight cost, gradient linearity).
* **The train loop**: batches drawn in the example set's order, continuing
  where the last batch stopped; the error of a batch is the sum over its
  examples; one weight update a batch; a report line every ``reportInterval``
  updates with the error of that update's batch.

Derivatives are summed over a batch through pdpsim's matrix products, so the
numbers agree with Lens's to rounding, not bit for bit.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from ..examples import ExampleSet
from ..network import Group, LinkBlock, Network
from .functions import (choose, LensError, LensRandom, NAN, NeedsTime)

ALGORITHMS = {"steepest": "Steepest Descent", "momentum": "Momentum Descent",
              "dougsMomentum": "Doug's Momentum", "deltaBarDelta": "Delta-Bar-Delta"}

NET_TYPES = ("SRBPTT", "CONTINUOUS", "BOLTZMANN")


class LensNetwork(Network):
    """pdpsim's Network with Lens's target adjustment (NaN targets are kept: the
    Lens error functions skip them)."""

    def effective_target(self, g: Group) -> np.ndarray:
        t, a = g.target, g.output
        tr, zr = g.target_radius, g.zero_error_radius
        if tr == 0.0 and zr == 0.0:
            return t
        d = a - t
        adj = np.where(d > tr, t + tr, np.where(d < -tr, t - tr, a))
        adj = np.where((d < zr) & (d > -zr), a, adj)
        return np.where(np.isnan(t), t, adj)


# ---------------------------------------------------------------- the model
GROUP_PARAMS = ("learningRate", "momentum", "weightDecay", "gainDecay", "targetRadius", "zeroErrorRadius",
                "gain", "randMean", "randRange", "trainGroupCrit", "testGroupCrit", "initOutput",
                "outputCostPeak", "ternaryShift", "clampStrength", "noiseRange", "minOutput", "maxOutput")
BLOCK_PARAMS = ("learningRate", "momentum", "weightDecay", "randMean", "randRange", "min", "max")
UNIT_FIELDS = ("input", "output", "target", "externalInput", "adjustedTarget", "inputDeriv", "outputDeriv")


@dataclass
class LensBlock:
    """The links from one group into another, as Lens's per-unit blocks see them.

    ``mask`` (n_from, n_to) marks the links that exist (None: all of them);
    ``frozen`` (n_to,) marks receiving units whose links from this group are frozen;
    ``params`` holds Lens's block values per receiving unit (NaN: inherit).
    """

    block: LinkBlock
    source: "LensGroup"
    link_type: str
    mask: np.ndarray | None = None
    frozen: np.ndarray | None = None
    params: dict[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self):
        n_to = self.block.weights.shape[-1]
        if self.frozen is None:
            self.frozen = np.zeros(n_to, dtype=bool)
        for p in BLOCK_PARAMS:
            self.params.setdefault(p, np.full(n_to, NAN))

    @property
    def rate_factor(self) -> np.ndarray:
        r = self.block.rule_state.get("rate_factor")
        if r is None or r.shape != self.block.weights.shape:
            r = self.block.rule_state["rate_factor"] = np.ones_like(self.block.weights)
        return r

    def senders(self, j: int) -> np.ndarray:
        """Indices of the sending units linked to receiving unit j, in Lens's order."""
        n_from = self.block.weights.shape[0]
        if self.mask is None:
            return np.arange(n_from)
        return np.flatnonzero(self.mask[:, j])

    def n_links(self) -> int:
        w = self.block.weights
        return int(self.mask.sum()) if self.mask is not None else w.shape[0] * w.shape[1]


class LensGroup:
    """A Lens group: pdpsim's Group plus Lens's types, parameters and unit state."""

    def __init__(self, lnet: "LensNet", group: Group, kind: str, function: str | None, error: str | None,
                 flags: set[str], criterion: str | None):
        self.lnet = lnet
        self.group = group
        self.name = group.name
        self.kind = kind                      # INPUT, OUTPUT, BIAS, HIDDEN, ELMAN
        self.elman_source: str | None = None  # an ELMAN group's source (elmanConnect)
        self.function = function              # Lens output function name (None for INPUT/BIAS)
        self.error = error                    # Lens error type (OUTPUT groups)
        self.flags = set(flags)
        self.criterion = criterion            # None, STANDARD_CRIT, MAX_CRIT
        self.params: dict[str, float] = {p: NAN for p in GROUP_PARAMS}
        self.params["errorScale"] = 1.0
        self.params["dtScale"] = 1.0
        self.params["initInput"] = 0.0
        self.params["outputCostScale"] = 1.0
        self.error_value = 0.0
        self.output_cost = 0.0
        self.frozen = False
        self.blocks: list[LensBlock] = []     # incoming, in Lens's order (bias first)
        n = group.size
        self.state = {f: np.zeros(n) for f in UNIT_FIELDS}
        self.reset_units()

    @property
    def size(self) -> int:
        return self.group.size

    @property
    def num(self) -> int:
        return list(self.lnet.groups).index(self.name)

    def reset_units(self) -> None:
        """Lens's resetUnitValues: output = initOutput, input = initInput, no target."""
        n = self.size
        s = self.state
        s["output"][:] = 1.0 if self.kind == "BIAS" else choose(self.params["initOutput"],
                                                                  self.lnet.params["initOutput"])
        s["input"][:] = choose(self.params["initInput"], self.lnet.params["initInput"])
        s["inputDeriv"][:] = 0.0
        s["outputDeriv"][:] = 0.0
        s["target"][:] = NAN
        s["externalInput"][:] = NAN
        s["adjustedTarget"][:] = np.zeros(n)

    def n_incoming(self) -> np.ndarray:
        """Links into each unit."""
        total = np.zeros(self.size, dtype=int)
        for b in self.blocks:
            total += b.mask.sum(axis=0) if b.mask is not None else b.block.weights.shape[0]
        return total

    def n_outgoing(self) -> np.ndarray:
        total = np.zeros(self.size, dtype=int)
        for g in self.lnet.groups.values():
            for b in g.blocks:
                if b.source is self:
                    total += b.mask.sum(axis=1) if b.mask is not None else b.block.weights.shape[1]
        return total

    def unit_links(self, j: int) -> list[tuple[LensBlock, int]]:
        """Unit j's incoming links in Lens's order: (block, sending unit)."""
        return [(b, int(i)) for b in self.blocks for i in b.senders(j)]

    def configure(self) -> None:
        """Push Lens's chosen values into the pdpsim group before a pass."""
        net = self.lnet.params
        g = self.group
        g.function.gain = choose(self.params["gain"], net["gain"])
        if self.kind == "OUTPUT":
            g.target_radius = float(choose(self.params["targetRadius"], net["targetRadius"]))
            g.zero_error_radius = float(choose(self.params["zeroErrorRadius"], net["zeroErrorRadius"]))
            g.error.error_scale = float(self.params["errorScale"])
            g.error.ticks = self.lnet.ticks_per_interval

    def __repr__(self) -> str:
        return f"LensGroup({self.name!r}, {self.size}, {self.kind}, {self.function}, {self.error})"


NET_DEFAULTS: dict[str, float] = {
    "numUpdates": 100, "batchSize": 0, "reportInterval": 10, "criterion": 0.0, "trainGroupCrit": 0.0,
    "testGroupCrit": 0.5, "groupCritRequired": 0, "minCritBatches": 1, "pseudoExampleFreq": 0,
    "learningRate": 0.1, "rateIncrement": 0.1, "rateDecrement": 0.9, "momentum": 0.9,
    "adaptiveGainRate": 0.001, "weightDecay": 0.0, "gainDecay": 0.0, "outputCostStrength": 0.01,
    "outputCostPeak": 0.5, "targetRadius": 0.0, "zeroErrorRadius": 0.0, "gain": 1.0, "ternaryShift": 5.0,
    "clampStrength": 0.5, "initOutput": 0.5, "initInput": 0.0, "initGain": 1.0, "finalGain": 1.0,
    "annealTime": 1.0, "randMean": 0.0, "randRange": 1.0, "noiseRange": 0.1, "backpropTicks": 1,
    "dt": 1.0, "autoPlot": 1, "plotCols": 10, "plotRows": 0, "unitCellSize": 14, "unitCellSpacing": 2,
    "linkCellSize": 8, "linkCellSpacing": 0,
}
INT_PARAMS = {"numUpdates", "batchSize", "reportInterval", "groupCritRequired", "minCritBatches",
              "pseudoExampleFreq", "backpropTicks", "autoPlot", "plotCols", "plotRows", "unitCellSize",
              "unitCellSpacing", "linkCellSize", "linkCellSpacing"}
PROCS = ("preEpochProc", "postEpochProc", "postUpdateProc", "preExampleProc", "postExampleProc",
         "preExampleBackProc", "preEventProc", "postEventProc", "preTickProc", "postTickProc",
         "preTickBackProc", "sigUSR1Proc", "sigUSR2Proc")
#: procs the batched loop cannot run where Lens runs them (per example, event or tick)
UNSUPPORTED_PROCS = ("preExampleProc", "postExampleProc", "preExampleBackProc", "preEventProc",
                     "postEventProc", "preTickProc", "postTickProc", "preTickBackProc")


class LensExampleSet:
    """A loaded example set with Lens's position and example-selection mode."""

    MODES = ("ORDERED", "PERMUTED", "RANDOMIZED", "PROBABILISTIC")

    def __init__(self, name: str, examples: ExampleSet, rand: LensRandom, path: str = ""):
        self.name = name
        self.examples = examples
        self.path = path
        self.rand = rand
        self.mode = "ORDERED"
        self.current = -1
        self.permuted = list(range(len(examples)))
        self.params = {"maxTime": 1.0, "minTime": 0.0, "graceTime": 0.0, "defaultInput": 0.0,
                       "activeInput": 1.0, "defaultTarget": 0.0, "activeTarget": 1.0}
        for k, lk in (("max", "maxTime"), ("min", "minTime"), ("grace", "graceTime"), ("defI", "defaultInput"),
                      ("actI", "activeInput"), ("defT", "defaultTarget"), ("actT", "activeTarget")):
            if k in examples.header:
                try:
                    self.params[lk] = float(examples.header[k])
                except (TypeError, ValueError):
                    pass
        # Lens's cumulative probabilities for PROBABILISTIC choice
        f = examples.frequencies
        total = float(f.sum())
        self.probability = np.cumsum(f * (1.0 / total)) if len(f) and total > 0 else np.zeros(len(f))
        if len(f):
            self.probability[-1] = 1.0
        self.current_example: int | None = None

    def __len__(self) -> int:
        return len(self.examples)

    def reset(self) -> None:
        self.current = -1
        self.current_example = None

    def next_indices(self, k: int) -> np.ndarray:
        """The next k examples in this set's mode (Lens's loadNextExample, k times)."""
        n = len(self)
        if n == 0:
            raise LensError(f"example set '{self.name}' has no examples")
        out = np.empty(k, dtype=np.intp)
        if self.mode == "ORDERED":
            out[:] = (self.current + 1 + np.arange(k)) % n
            if k:
                self.current = int(out[-1])
        elif self.mode == "PERMUTED":
            perm = self.permuted
            for m in range(k):
                i = self.current + 1
                if i == n:
                    i = 0
                j = i + self.rand.rand_int(n - i)
                perm[i], perm[j] = perm[j], perm[i]
                self.current = i
                out[m] = perm[i]
        elif self.mode == "RANDOMIZED":
            for m in range(k):
                out[m] = self.current = self.rand.rand_int(n)
        elif self.mode == "PROBABILISTIC":
            prob = self.probability
            for m in range(k):
                p = self.rand.rand_prob()
                out[m] = self.current = min(int(np.searchsorted(prob, p, side="left")), n - 1)
        else:  # pragma: no cover - guarded by exampleSetMode
            raise LensError(f"example set mode {self.mode} is not implemented")
        return out


class LensNet:
    """A Lens network: groups in Lens's order (``bias`` first), parameters, counters."""

    def check_loaded(self, S: "LensExampleSet") -> None:
        """The example set has inputs for every input group and targets for every output group."""
        ex = S.examples
        for groups, have, what in ((self.input_groups, ex.inputs, "inputs"),
                                   (self.output_groups, ex.targets, "targets")):
            for g in groups:
                if g.name not in have:
                    raise LensError(f"example set '{S.name}' has no {what} for group '{g.name}' (it was loaded "
                                    "before the group existed; load it again)")

    def __init__(self, name: str, net_types: set[str], intervals: int = 1, ticks: int = 1):
        self.name = name
        self.types = set(net_types) or {"SRBPTT"}
        self.net = LensNetwork(name)
        self.params: dict[str, float] = dict(NET_DEFAULTS)
        self.procs: dict[str, str] = {p: "" for p in PROCS}
        self.groups: dict[str, LensGroup] = {}
        self.algorithm = "dougsMomentum"
        self.total_updates = 0
        self.error = 0.0
        self.weight_cost = 0.0
        self.output_cost = 0.0
        self.gradient_linearity = 0.0
        self.frozen = False
        self.training_set: LensExampleSet | None = None
        self.testing_set: LensExampleSet | None = None
        self.current_example: tuple[LensExampleSet, int] | None = None
        self.bidirectional: list[tuple[str, str]] = []
        self.set_time(intervals, ticks)
        self.history_length = self.max_ticks

    # ------------------------------------------------------------ time (stored)
    def set_time(self, intervals: int, ticks: int, history: int = -1) -> None:
        if intervals < 1:
            raise LensError("setTime: timeIntervals must be positive")
        if ticks < 1:
            raise LensError("setTime: ticksPerInterval must be positive")
        self.time_intervals = int(intervals)
        self.ticks_per_interval = int(ticks)
        self.max_ticks = self.time_intervals * self.ticks_per_interval + (1 if "CONTINUOUS" in self.types else 0)
        self.history_length = self.max_ticks if history < 0 else int(history)

    @property
    def continuous(self) -> bool:
        return "CONTINUOUS" in self.types

    def check_feed_forward(self, what: str, S: "LensExampleSet | None" = None) -> None:
        """Refuse what only a network in time could do."""
        if self.continuous:
            self.check_continuous(what)
            return
        if self.uses_time(S):
            self.check_srn(what)
            return
        for t in ("CONTINUOUS", "BOLTZMANN"):
            if t in self.types:
                raise NeedsTime(f"{what} on a {t} network")
        if self.ticks_per_interval != 1:
            raise NeedsTime(f"{what} with {self.ticks_per_interval} ticks per interval (setTime / addNet -t)")
        if self.bidirectional:
            a, b = self.bidirectional[0]
            raise NeedsTime(f"{what} with the bidirectional connection {a} <-> {b}")
        if self.params["pseudoExampleFreq"]:
            raise LensError("pseudoExampleFreq (error scaled by example frequency) is not implemented")
        for p in UNSUPPORTED_PROCS:
            if self.procs[p].strip():
                raise LensError(f"{p} is not implemented (pdpsim runs a batch of examples at once; only "
                                "preEpochProc, postEpochProc and postUpdateProc are run)")

    def check_continuous(self, what: str) -> None:
        """What the continuous path (pdpsim.unfolding) does not do."""
        if self.params["pseudoExampleFreq"]:
            raise LensError("pseudoExampleFreq (error scaled by example frequency) is not implemented")
        for p in UNSUPPORTED_PROCS:
            if self.procs[p].strip():
                raise LensError(f"{p} is not implemented (pdpsim runs a batch of examples at once; only "
                                "preEpochProc, postEpochProc and postUpdateProc are run)")
        if self.params["groupCritRequired"]:
            raise LensError(f"{what}: groupCritRequired on a CONTINUOUS network is not implemented")
        if abs(self.params["dt"] * self.ticks_per_interval - 1.0) > 1e-12:
            raise LensError(f"{what}: a dt other than 1/ticksPerInterval on a CONTINUOUS network is not "
                            "implemented")
        for g in self.groups.values():
            if g.function == "TANH":
                raise LensError(f"{what}: TANH group '{g.name}' on a CONTINUOUS network is not implemented (its "
                                "outputs differ from Lens's by a few percent, and its derivative needs each "
                                "tick's net input)")
            if g.params["dtScale"] != 1.0:
                raise LensError(f"{what}: a group dtScale other than 1 on a CONTINUOUS network is not implemented")
            if g.kind == "OUTPUT" and (choose(g.params["targetRadius"], self.params["targetRadius"])
                                       or choose(g.params["zeroErrorRadius"], self.params["zeroErrorRadius"])):
                raise LensError(f"{what}: targetRadius / zeroErrorRadius on a CONTINUOUS network is not "
                                "implemented")

    # ------------------------------------------------------------ time (CONTINUOUS, via pdpsim.unfolding)
    def time_tables(self, S: "LensExampleSet"):
        """Lens's event timing for every example of ``S``: (ticks, grace ticks, min ticks), each
        (n_examples, max_events); events past the network's maxTicks are cut as Lens cuts them."""
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
                if tick >= self.max_ticks:
                    break
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

    def _time_params(self, training: bool):
        from ..unfolding import TimeParams
        crit = None
        for g in self.output_groups:
            if g.criterion:
                c = choose(g.params["trainGroupCrit" if training else "testGroupCrit"],
                           self.params["trainGroupCrit" if training else "testGroupCrit"])
                if c > 0:
                    crit = 1.0
        return TimeParams("continuous", self.ticks_per_interval, float(self.time_intervals), 0.0,
                          error_scale_per_tick=True, tick0_clamp=False, integrator_lag=True,
                          tick0_senders_zero=True, early_stop=crit).validated()

    def _event_criteria(self, S: "LensExampleSet", i: int, e: int, outputs: dict, training: bool) -> bool:
        """Lens's groupCriteriaReached for example i, event e, with the given outputs (group: (units,))."""
        ex = S.examples
        any_crit = False
        for g in self.groups.values():
            if not g.criterion:
                continue
            any_crit = True
            crit = choose(g.params["trainGroupCrit" if training else "testGroupCrit"],
                          self.params["trainGroupCrit" if training else "testGroupCrit"])
            t = ex.targets[g.name][i, e] if g.name in ex.targets else np.full(g.size, NAN)
            a = outputs[g.name]
            nan = np.isnan(t)
            if g.criterion == "STANDARD_CRIT":
                ok = bool(np.all(nan | (np.abs(a - t) < crit)))
            else:
                if nan.all():
                    ok = True
                else:
                    a2 = np.where(nan, -np.inf, a)
                    t2 = np.where(nan, -np.inf, t)
                    io, it = int(a2.argmax()), int(t2.argmax())
                    ok = io == it and abs(a2[io] - t2[it]) < crit
            if not ok:
                return False
        return any_crit

    def run_in_time(self, S: "LensExampleSet", idx: np.ndarray, training: bool, backward: bool):
        """Run examples ``idx`` of ``S`` through time (Lens's CONTINUOUS network): each example's error,
        whether it met the criteria at the end of every event, the ticks it ran; with ``backward``, the
        link derivatives summed over the examples."""
        from ..unfolding import Unfolded, build_schedule
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
        key = (id(ex), self.max_ticks, self.ticks_per_interval, S.params["maxTime"], S.params["minTime"],
               S.params["graceTime"])
        if getattr(S, "_tables_key", None) != key:
            S._tables = self.time_tables(S)
            S._tables_key = key
        ticks, grace, mins = S._tables
        net.time = self._time_params(training)
        net._invalidate()
        stop = net.time.early_stop is not None
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
        # group errors (for the test report with several output groups)
        self._last_time = (S, np.asarray(idx)[-1], unf, chunks[-1])
        return errs, np.array(correct), int(sum(n_ticks)) + len(n_ticks)

    def snapshot_time(self, S: "LensExampleSet", derivs: bool = False) -> None:
        """After a run in time: units hold the last example's final outputs and inputs (Lens restores
        them after its backward pass) and its last event's targets. With ``derivs`` (after a training
        pass) they hold what Lens's backward pass leaves: the output and input derivatives of tick 1
        (without the dt that pdpsim puts on each tick's error and Lens on the summed link
        derivatives) and the inputs of tick 0, which batch-mode Lens never stores (so 0)."""
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

    # ------------------------------------------------------------ SRBPTT (simple recurrent, through time)
    def uses_time(self, S: "LensExampleSet | None") -> bool:
        """Whether Lens would run ``S`` on this (non-CONTINUOUS) network tick by tick: it has ELMAN
        groups, links from a group later in the group order (read from the previous tick), or
        examples of several events."""
        if self.continuous:
            return False
        if any(g.kind == "ELMAN" for g in self.groups.values()):
            return True
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
            raise LensError("pseudoExampleFreq (error scaled by example frequency) is not implemented")
        if self.params["groupCritRequired"]:
            raise LensError(f"{what}: groupCritRequired on an SRBPTT network is not implemented")
        for p in UNSUPPORTED_PROCS:
            if self.procs[p].strip():
                raise LensError(f"{p} is not implemented (pdpsim runs a batch of examples at once; only "
                                "preEpochProc, postEpochProc and postUpdateProc are run)")
        for g in self.groups.values():
            if g.kind != "BIAS" and "RESET_ON_EXAMPLE" not in g.flags:
                raise LensError(f"{what}: group '{g.name}' is not RESET_ON_EXAMPLE; carrying outputs from one "
                                "example to the next is not implemented in pdpsim")
            if g.function == "TANH":
                raise LensError(f"{what}: TANH group '{g.name}' in an SRBPTT network is not implemented")
            if g.kind == "ELMAN":
                if g.elman_source is None:
                    raise LensError(f"{what}: ELMAN group '{g.name}' has no source (elmanConnect)")
                if g.blocks:
                    raise LensError(f"{what}: links into the ELMAN group '{g.name}' are not implemented")

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
        link derivative taken with the senders' outputs of the tick being processed. Returns each
        example's error, whether it met the criteria at the end of every event, and the ticks run."""
        self.configure()
        ex = S.examples
        self.check_loaded(S)
        groups = list(self.groups.values())
        crit_groups = [g for g in groups if g.criterion]
        derivs = {id(b): np.zeros_like(b.block.weights) for _g, b in self.all_blocks()} if backward else None
        errs, correct, total_ticks = [], [], 0
        for i in (int(k) for k in idx):
            T = self._srn_ticks(S, i)
            cur = {g.name: np.full((1, g.size), 1.0 if g.kind == "BIAS" else
                                   float(choose(g.params["initOutput"], self.params["initOutput"])))
                   for g in groups}
            outs, nets, ods = [], [], []
            err, ok = 0.0, True
            for t in range(T):
                net_in, od = {}, {}
                for g in groups:
                    pg = g.group
                    if g.kind == "BIAS":
                        continue
                    if g.kind == "INPUT":
                        x = ex.inputs[g.name][i, t]
                        if np.isnan(x).any():
                            raise LensError(f"example set '{S.name}': an input of group '{g.name}' is '-' (no "
                                            "input); unclamped inputs are not implemented")
                        cur[g.name] = x[None, :].astype(float)
                        continue
                    if g.kind == "ELMAN":
                        cur[g.name] = cur[g.elman_source].copy()
                        continue
                    n = np.zeros((1, g.size))
                    for b in g.blocks:
                        if b.source.kind != "BIAS":
                            n += cur[b.source.name] @ b.block.weights
                    for b in g.blocks:
                        if b.source.kind == "BIAS":
                            n += b.block.weights[0:1, :]
                    a = np.empty_like(n)
                    pg.function.forward(n, a)
                    cur[g.name], net_in[g.name] = a, n
                    if g.kind == "OUTPUT":
                        tgt = self._adjusted_target(pg, a, ex.targets[g.name][i, t][None, :])
                        e = float(pg.error.error(a, tgt).sum())
                        err += e
                        g.error_value += e
                        d = np.empty_like(a)
                        pg.error.output_deriv(a, tgt, d)
                        od[g.name] = d
                outs.append({k: v.copy() for k, v in cur.items()})
                nets.append(net_in)
                ods.append(od)
                if not self._event_criteria(S, i, t, {g.name: cur[g.name][0] for g in crit_groups}, training):
                    ok = False
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
                        done_od[g.name] = d_out
                        if g.kind == "ELMAN":
                            cache[g.elman_source] = cache[g.elman_source] + d_out
                            continue
                        if g.kind in ("INPUT", "BIAS"):
                            continue
                        d_in = np.empty_like(d_out)
                        g.group.function.backward(o[g.name], d_out, d_in)
                        done_id[g.name] = d_in
                        for b in g.blocks:
                            s = b.source.name
                            derivs[id(b)] += o[s].T @ d_in
                            cache[s] = cache[s] + d_in @ b.block.weights.T
                    tick0 = (done_od, done_id)
            self._last_srn = (S, i, outs, nets, ex, T, tick0)
        if backward:
            for _g, b in self.all_blocks():
                b.block.weight_deriv[...] = derivs[id(b)]
        return np.array(errs), np.array(correct, dtype=bool), total_ticks

    def _adjusted_target(self, pg: Group, a: np.ndarray, t: np.ndarray) -> np.ndarray:
        tr, zr = pg.target_radius, pg.zero_error_radius
        if tr == 0.0 and zr == 0.0:
            return t
        d = a - t
        adj = np.where(d > tr, t + tr, np.where(d < -tr, t - tr, a))
        adj = np.where((d < zr) & (d > -zr), a, adj)
        return np.where(np.isnan(t), t, adj)

    def snapshot_srn(self, derivs: bool) -> None:
        """After an SRBPTT run: units hold the last example's last-tick outputs and its last event's
        targets; after a training pass (Lens restores tick 0 going backward) the inputs of tick 0 and
        the output and input derivatives left at tick 0; else the last tick's inputs."""
        S, k, outs, nets, ex, T, tick0 = self._last_srn
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
            if g.kind == "INPUT" and g.name in ex.inputs:
                s["externalInput"][:] = ex.inputs[g.name][k, T - 1]
            if g.kind == "OUTPUT" and g.name in ex.targets:
                t = ex.targets[g.name][k, T - 1]
                s["target"][:] = t
                adj = self._adjusted_target(g.group, outs[-1][g.name], t[None, :])[0]
                s["adjustedTarget"][:] = np.where(np.isnan(t), s["adjustedTarget"], adj)
        self.current_example = (S, int(k))
        S.current_example = int(k)

    # ------------------------------------------------------------ structure
    @property
    def input_groups(self) -> list[LensGroup]:
        return [g for g in self.groups.values() if g.kind == "INPUT"]

    @property
    def output_groups(self) -> list[LensGroup]:
        return [g for g in self.groups.values() if g.kind == "OUTPUT"]

    def n_links(self) -> int:
        return sum(b.n_links() for g in self.groups.values() for b in g.blocks)

    def n_units(self) -> int:
        return sum(g.size for g in self.groups.values())

    def all_blocks(self):
        for g in self.groups.values():
            for b in g.blocks:
                yield g, b

    def group_at(self, i: int) -> LensGroup:
        gs = list(self.groups.values())
        if not 0 <= i < len(gs):
            raise LensError(f"network '{self.name}' has {len(gs)} groups; no group({i})")
        return gs[i]

    # ------------------------------------------------------------ weights
    def randomize(self, rand: LensRandom, range_: float = NAN, mean: float = NAN,
                  groups: set[str] | None = None, link_type: str | None = None,
                  units: dict[str, np.ndarray] | None = None) -> None:
        """Lens's randomizeWeights: every unfrozen link drawn in Lens's order (group,
        unit, block, link) with mean/range from the request, else block, group, network."""
        net_m = choose(mean, self.params["randMean"])
        net_r = choose(range_, self.params["randRange"])
        for g in self.groups.values():
            if g.frozen or (groups is not None and g.name not in groups):
                continue
            gm = choose(mean, g.params["randMean"], net_m)
            gr = choose(range_, g.params["randRange"], net_r)
            sel = units.get(g.name) if units is not None else None
            for j in range(g.size):
                if sel is not None and not sel[j]:
                    continue
                for b in g.blocks:
                    if b.frozen[j] or (link_type is not None and b.link_type != link_type):
                        continue
                    m = choose(mean, b.params["randMean"][j], gm)
                    r = choose(range_, b.params["randRange"][j], gr)
                    w = b.block.weights
                    for i in b.senders(j):
                        w[i, j] = rand.rand_real(m, r)

    def reset(self, rand: LensRandom, randomize: bool = True) -> None:
        """Lens's resetNet: unit values, link derivatives and directions, counters."""
        for g in self.groups.values():
            g.reset_units()
            g.error_value = 0.0
            for b in g.blocks:
                b.block.weight_deriv[...] = 0.0
                b.block.last_change[...] = 0.0
                b.block.rule_state["rate_factor"] = np.ones_like(b.block.weights)
        if randomize:
            self.randomize(rand)
        self.total_updates = 0
        self.error = 0.0
        self.weight_cost = 0.0
        self.gradient_linearity = 0.0
        self.current_example = None

    # ------------------------------------------------------------ running examples
    def _arrays(self, S: LensExampleSet, idx: np.ndarray):
        ex = S.examples
        for key, lk in (("grace", "graceTime"), ("max", "maxTime")):
            ev = ex.event_fields.get(key)
            v = np.full(len(idx), S.params[lk]) if ev is None else choose(ev[idx, 0], np.full(len(idx), S.params[lk]))
            if key == "grace" and np.any(v > 0):
                raise NeedsTime(f"example set '{S.name}': a grace period (graceTime), which leaves the first ticks "
                                "of an event without error,")
            if key == "max" and self.max_ticks > 1 and np.any(v > 1):
                raise NeedsTime(f"example set '{S.name}': events longer than one interval (maxTime > 1)")
        inputs, targets = {}, {}
        self.check_loaded(S)
        for g in self.input_groups:
            x = ex.inputs[g.name][idx, 0, :]
            if np.isnan(x).any():
                raise LensError(f"example set '{S.name}': an input of group '{g.name}' is '-' (no input); "
                                "unclamped inputs are not implemented")
            inputs[g.name] = x
        for g in self.output_groups:
            if g.name not in ex.targets:
                raise LensError(f"example set '{S.name}' has no targets for group '{g.name}' (it was loaded "
                                "before the group existed; load it again)")
            targets[g.name] = ex.targets[g.name][idx, 0, :]
        return inputs, targets

    def configure(self) -> None:
        for g in self.groups.values():
            if g.kind not in ("INPUT", "BIAS"):
                g.configure()

    def forward(self, S: LensExampleSet, idx: np.ndarray) -> np.ndarray:
        """Run examples ``idx`` forward; return each one's error (summed over output groups)."""
        inputs, targets = self._arrays(S, idx)
        self.configure()
        net = self.net
        if not inputs:
            raise LensError(f"network '{self.name}' has no INPUT group")
        net.forward(inputs)
        net.set_targets(targets)
        errs = np.zeros(len(idx))
        for g in self.output_groups:
            e = g.group.error.error(g.group.output, net.effective_target(g.group))
            g.error_value += float(e.sum())
            errs += e
        return errs

    def criteria(self, training: bool) -> np.ndarray:
        """Lens's groupCriteriaReached for each example of the last pass."""
        batch = next(iter(self.groups.values())).group.output.shape[0]
        reached = np.ones(batch, dtype=bool)
        any_crit = False
        for g in self.groups.values():
            if not g.criterion:
                continue
            any_crit = True
            crit = choose(g.params["trainGroupCrit" if training else "testGroupCrit"],
                          self.params["trainGroupCrit" if training else "testGroupCrit"])
            a, t = g.group.output, g.group.target
            nan = np.isnan(t)
            if g.criterion == "STANDARD_CRIT":
                ok = np.all(nan | (np.abs(a - t) < crit), axis=-1)
            else:  # MAX_CRIT
                a2 = np.where(nan, -np.inf, a)
                t2 = np.where(nan, -np.inf, t)
                io, it = a2.argmax(axis=-1), t2.argmax(axis=-1)
                rows = np.arange(a.shape[0])
                ok = nan.all(axis=-1) | ((io == it) & (np.abs(a2[rows, io] - t2[rows, it]) < crit))
            reached &= ok
        return reached if any_crit else np.zeros(batch, dtype=bool)

    def snapshot(self, S: LensExampleSet, k: int, derivs: bool, cost_derivs: bool = False) -> None:
        """Keep the state of the last example run: what Lens's units hold afterwards.

        ``derivs``: a training pass (output and input derivatives of every unit);
        ``cost_derivs``: only the error's derivatives were taken (``doExample -train``:
        output units get dE/da, every other unit 0).
        """
        net = self.net
        for g in self.groups.values():
            s, pg = g.state, g.group
            if g.kind == "BIAS":
                s["output"][:] = 1.0
                s["input"][:] = 0.0
                if cost_derivs:
                    s["outputDeriv"][:] = 0.0
                continue
            if g.kind == "INPUT":
                s["externalInput"][:] = pg.output[-1]
                s["output"][:] = pg.output[-1]
                s["input"][:] = 0.0
            else:
                s["input"][:] = pg.net_input[-1]
                s["output"][:] = pg.output[-1]
            if g.kind == "OUTPUT":
                t = pg.target[-1]
                s["target"][:] = t
                adj = net.effective_target(pg)[-1]
                s["adjustedTarget"][:] = np.where(np.isnan(t), s["adjustedTarget"], adj)
            if cost_derivs:
                if g.kind == "OUTPUT":
                    od = np.empty((1, g.size))
                    pg.error.output_deriv(pg.output[-1:], net.effective_target(pg)[-1:], od)
                    s["outputDeriv"][:] = od[0]
                else:
                    s["outputDeriv"][:] = 0.0
            if not derivs:
                continue
            if g.kind == "INPUT":
                od = np.zeros(g.size)
                for h in self.groups.values():
                    for b in h.blocks:
                        if b.source is g:
                            od += h.group.input_deriv[-1] @ b.block.weights.T
                s["outputDeriv"][:] = od
                s["inputDeriv"][:] = 0.0
            else:
                s["outputDeriv"][:] = pg.output_deriv[-1]
                s["inputDeriv"][:] = pg.input_deriv[-1]
        self.current_example = (S, k)
        S.current_example = k

    def mask_derivs(self) -> None:
        for _g, b in self.all_blocks():
            if b.mask is not None:
                b.block.weight_deriv *= b.mask

    # ------------------------------------------------------------ one batch
    def train_batch(self, S: LensExampleSet) -> bool:
        """Lens's standardNetTrainBatch: the summed error and link derivatives of one batch."""
        self.error = self.output_cost = 0.0
        for g in self.groups.values():
            g.error_value = g.output_cost = 0.0
        n = int(self.params["batchSize"]) if self.params["batchSize"] > 0 else len(S)
        idx = S.next_indices(n)
        if self.continuous:
            if self.history_length != self.max_ticks:
                raise LensError("training a CONTINUOUS network with historyLength other than maxTicks is not "
                                "implemented (Lens's backward pass then reads a wrapped history)")
            errs, ok, _ticks = self.run_in_time(S, idx, training=True, backward=True)
            self.error = float(errs.sum())
            self.mask_derivs()
            self.snapshot_time(S, derivs=True)
            return bool(ok.all())
        if self.uses_time(S):
            errs, ok, _ticks = self.run_srn(S, idx, training=True, backward=True)
            self.error = float(errs.sum())
            self.mask_derivs()
            self.snapshot_srn(derivs=True)
            return bool(ok.all())
        errs = self.forward(S, idx)
        self.error = float(errs.sum())
        self.net.backward()
        self.mask_derivs()
        correct = bool(self.criteria(training=True).all())
        self.snapshot(S, int(idx[-1]), derivs=True)
        return correct

    # ------------------------------------------------------------ weight update
    def update_weights(self, algorithm: str, do_stats: bool) -> None:
        """One weight update from the summed link derivatives (Lens's *UpdateWeights)."""
        self.gradient_linearity = 1.0
        self.weight_cost = 0.0
        if self.frozen:
            return
        live = [(g, b) for g, b in self.all_blocks() if not g.frozen]
        net = self.params
        scale = 1.0
        if algorithm == "dougsMomentum":
            total = 0.0
            for _g, b in live:
                d = b.block.weight_deriv[:, ~b.frozen]
                total += float(np.vdot(d, d))
            scale = 1.0 / math.sqrt(total) if total > 1.0 else 1.0
        grad_lin = last_len = deriv_len = weight_cost = 0.0
        inc, dec = net["rateIncrement"], net["rateDecrement"]
        for g, b in live:
            cols = ~b.frozen
            if not cols.any():
                continue
            lb = b.block
            n_to = g.size
            lr = choose(b.params["learningRate"], np.full(n_to, g.params["learningRate"]),
                        np.full(n_to, net["learningRate"]))[cols]
            mom = choose(b.params["momentum"], np.full(n_to, g.params["momentum"]),
                         np.full(n_to, net["momentum"]))[cols]
            decay = choose(b.params["weightDecay"], np.full(n_to, g.params["weightDecay"]),
                           np.full(n_to, net["weightDecay"]))[cols]
            w_old = lb.weights[:, cols]
            last = lb.last_change[:, cols]
            deriv = lb.weight_deriv[:, cols]
            if do_stats:
                grad_lin -= float(np.vdot(last, deriv))
                last_len += float(np.vdot(last, last))
                deriv_len += float(np.vdot(deriv, deriv))
            if algorithm == "steepest":
                dw = -lr * deriv
            elif algorithm == "momentum":
                dw = -lr * deriv + mom * last
            elif algorithm == "dougsMomentum":
                dw = (-lr * scale) * deriv + mom * last
            elif algorithm == "deltaBarDelta":
                r = b.rate_factor[:, cols]
                r = np.where(np.signbit(deriv) != np.signbit(last), r + inc, r * dec)
                dw = (-r * lr) * deriv + mom * last
                b.rate_factor[:, cols] = r
            else:
                raise LensError(f"unknown algorithm {algorithm!r}")
            if np.any(decay > 0.0):
                dw = np.where(decay > 0.0, dw - decay * w_old, dw)
            w = w_old + dw
            lo = b.params["min"][cols]
            hi = b.params["max"][cols]
            if not (np.isnan(lo).all() and np.isnan(hi).all()):
                below = ~np.isnan(lo) & (w < lo)
                above = ~below & ~np.isnan(hi) & (w > hi)
                w = np.where(below, lo, np.where(above, hi, w))
                if b.mask is not None:
                    w = np.where(b.mask[:, cols], w, 0.0)
            lb.last_change[:, cols] = w - w_old
            lb.weights[:, cols] = w
            if do_stats:
                weight_cost += float(np.vdot(w, w))
        if do_stats:
            prod = last_len * deriv_len
            self.gradient_linearity = NAN if prod == 0.0 else grad_lin / math.sqrt(prod)
            self.weight_cost = weight_cost / 2


# ---------------------------------------------------------------- printing as Lens prints
def smart_format(x: float, width: int = 8) -> str:
    """Lens's smartFormatReal: a real in a column of ``width`` characters."""
    if x != x:
        return "".join("-" if i == width >> 1 else " " for i in range(width))
    if x == 0.0:
        decimals = width - 3
    elif math.isinf(x):
        decimals = 0
    else:
        decimals = width - 3 - int(math.log10(abs(x)))
    decimals = max(0, min(decimals, width - 3))
    return ("-" if x < 0.0 else " ") + "%-*.*f" % (width - 1, decimals, abs(x))


def format_time(seconds: float) -> str:
    """Lens's printTime."""
    t = int(seconds)
    if t > 3600:
        return "%2dh %2dm" % (t // 3600, (t % 3600) // 60)
    if t > 60:
        return "%2dm " % (t // 60) + "%2ds" % (t % 60)
    return "    " + "%2ds" % t


REPORT_HEADER = "__Update____Error___UnitCost__Wgt.Cost__Grad.Lin__TimeUsed__TimeLeft__"


# ---------------------------------------------------------------- train / test
@dataclass
class TrainOutcome:
    updates: int
    result: str
    halted: bool = False


def train(lnet: LensNet, write: Callable[[str], None], run_proc: Callable[[str], None],
          verbosity: int = 1) -> TrainOutcome:
    """Lens's standardNetTrain on the current training set."""
    p = lnet.params
    num = int(p["numUpdates"])
    if num < 0:
        raise LensError(f"numUpdates ({num}) must be positive.")
    if num == 0:
        return TrainOutcome(0, "")
    S = lnet.training_set
    if S is None:
        raise LensError("There is no training set.")
    if p["learningRate"] < 0.0:
        raise LensError(f"learningRate ({p['learningRate']:f}) cannot be negative.")
    if p["weightDecay"] < 0.0 or p["weightDecay"] > 1.0:
        raise LensError(f"weightDecay ({p['weightDecay']:f}) must be in the range [0,1].")
    if p["reportInterval"] < 0:
        raise LensError(f"reportInterval ({int(p['reportInterval'])}) cannot be negative.")
    lnet.check_feed_forward("training", S)
    algorithm = lnet.algorithm
    if verbosity >= 1:
        write(f"Performing {num} updates using {ALGORITHMS[algorithm]}...\n")
    report = int(p["reportInterval"])
    if report and verbosity >= 1:
        write(REPORT_HEADER + "\n")
    start = time.perf_counter()
    last_report = batches_at_crit = 0
    crit_reached = False
    done = False
    i = 0
    per_update = 0.0
    report_num = 0
    last_time = start
    while not done:
        i += 1
        run_proc("preEpochProc")
        crit_reached = lnet.train_batch(S)
        if lnet.error < p["criterion"] or crit_reached:
            batches_at_crit += 1
        else:
            batches_at_crit = 0
        if (p["minCritBatches"] > 0 and batches_at_crit >= p["minCritBatches"]) or i >= int(p["numUpdates"]):
            done = True
        will_report = bool(report) and (i % report == 0 or done)
        run_proc("postEpochProc")
        lnet.update_weights(algorithm, will_report)
        run_proc("postUpdateProc")
        lnet.total_updates += 1
        if will_report:
            report_num = 1 if not last_report else report_num + 1
            if verbosity >= 1:
                now = time.perf_counter()
                n_up = int(p["numUpdates"])
                if n_up > i:
                    if report_num < 5:
                        per_update = (now - start) / i
                    else:
                        per_update = 0.5 * per_update + 0.5 * (now - last_time) / (i - last_report)
                    left = per_update * (n_up - i)
                else:
                    left = 0.0
                last_time = now
                write("%7d)  " % lnet.total_updates + smart_format(lnet.error) + "  "
                      + smart_format(lnet.output_cost) + "  " + smart_format(lnet.weight_cost) + "  "
                      + smart_format(lnet.gradient_linearity) + "  " + " " + format_time(now - start) + "   "
                      + format_time(left) + "\n")
            last_report = i
        if lnet.algorithm != algorithm:
            algorithm = lnet.algorithm
            if verbosity >= 1:
                write(f"Changing algorithm to {ALGORITHMS[algorithm]}...\n")
    elapsed = time.perf_counter() - start
    result = f"Performed {i} updates\n"
    if lnet.error <= p["criterion"] and batches_at_crit >= p["minCritBatches"]:
        result += f"Network reached overall error criterion of {p['criterion']:f}\n"
    if crit_reached and batches_at_crit >= p["minCritBatches"]:
        result += "Network reached group output criterion\n"
    result += f"Total time elapsed: {elapsed:.3f} seconds"
    return TrainOutcome(i, result)


@dataclass
class TestOutcome:
    examples: int
    ticks: int
    reached: int
    text: str
    variables: dict[str, str]
    __test__ = False


def test(lnet: LensNet, num: int = 0, reset_error: bool = True) -> TestOutcome:
    """Lens's standardNetTestBatch: run the testing (else training) set forward."""
    S = lnet.testing_set or lnet.training_set
    if S is None:
        raise LensError("there are no current example sets")
    lnet.check_feed_forward("testing", S)
    if reset_error:
        lnet.error = lnet.output_cost = 0.0
        for g in lnet.groups.values():
            g.error_value = g.output_cost = 0.0
    if num == 0:
        num = len(S)
        S.reset()
    idx = S.next_indices(num)
    if lnet.continuous:
        errs, ok, ticks = lnet.run_in_time(S, idx, training=False, backward=False)
        lnet.error += float(errs.sum())
        lnet.snapshot_time(S)
        return report_error(lnet, num, ticks, int(ok.sum()))
    if lnet.uses_time(S):
        errs, ok, ticks = lnet.run_srn(S, idx, training=False, backward=False)
        lnet.error += float(errs.sum())
        lnet.snapshot_srn(derivs=False)
        return report_error(lnet, num, ticks, int(ok.sum()))
    errs = lnet.forward(S, idx)
    lnet.error += float(errs.sum())
    reached = int(lnet.criteria(training=False).sum())
    lnet.snapshot(S, int(idx[-1]), derivs=False)
    return report_error(lnet, num, num, reached)


def _g(x: float) -> str:
    return "%g" % x


def report_error(lnet: LensNet, examples: int, ticks: int, reached: int) -> TestOutcome:
    """Lens's reportError: the text ``test`` prints and the ``Test`` array it sets."""
    outs = lnet.output_groups
    lines = [f"Test results on {examples} examples, {ticks} ticks:"]
    head = "                     Network     "
    if len(outs) > 1:
        head += "".join(" %-12s" % g.name for g in outs)
    lines.append(head)
    var = {"numExamples": str(examples), "numTicks": str(ticks), "totalError": _g(lnet.error)}
    row = "Error total:        " + smart_format(lnet.error)
    if len(outs) > 1:
        for g in outs:
            row += "     " + smart_format(g.error_value)
            var[f"{g.name}.totalError"] = str(ticks)        # sic: Lens stores the tick count here
    lines.append(row)
    row = "Error per example:  " + smart_format(lnet.error / examples)
    var["exampleError"] = _g(lnet.error / examples)
    if len(outs) > 1:
        for g in outs:
            row += "     " + smart_format(g.error_value / examples)
            var[f"{g.name}.exampleError"] = _g(lnet.error / examples)
    lines.append(row)
    row = "Error per tick:     " + smart_format(lnet.error / ticks)
    var["tickError"] = _g(lnet.error / ticks)
    if len(outs) > 1:
        for g in outs:
            row += "     " + smart_format(g.error_value / ticks)
            var[f"{g.name}.tickError"] = _g(lnet.error / ticks)
    lines.append(row)
    lines.append("Unit cost per tick: " + smart_format(lnet.output_cost / ticks))
    var["totalCost"] = _g(lnet.output_cost)
    var["tickCost"] = _g(lnet.output_cost / ticks)
    lines.append("Output unit criterion reached on %d examples (%.2f%%)" % (reached, reached * 100 / examples))
    var["examplesCorrect"] = str(reached)
    var["percentCorrect"] = _g(reached * 100 / examples)
    return TestOutcome(examples, ticks, reached, "\n".join(lines), var)


def do_example(lnet: LensNet, S: LensExampleSet, num: int, training: bool) -> None:
    """Lens's doExample: run one example forward (its error adds to the network's)."""
    lnet.check_feed_forward("doExample", S)
    if num < 0:
        idx = S.next_indices(1)
    else:
        if num >= len(S):
            raise LensError(f"standardNetRunExample: example {num} out of range")
        idx = np.array([num])
    if lnet.continuous:
        if training:
            raise LensError("doExample -train on a CONTINUOUS network is not implemented in pdpsim yet")
        errs, _ok, _ticks = lnet.run_in_time(S, idx, training=False, backward=False)
        lnet.error += float(errs.sum())
        lnet.snapshot_time(S)
        return
    if lnet.uses_time(S):
        if training:
            raise LensError("doExample -train on an SRBPTT network (ELMAN groups or examples of several events) "
                            "is not implemented in pdpsim yet")
        errs, _ok, _ticks = lnet.run_srn(S, idx, training=False, backward=False)
        lnet.error += float(errs.sum())
        lnet.snapshot_srn(derivs=False)
        return
    errs = lnet.forward(S, idx)
    lnet.error += float(errs.sum())
    lnet.snapshot(S, int(idx[-1]), derivs=False, cost_derivs=training)
