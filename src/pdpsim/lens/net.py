"""Lens's network (:class:`LensNet`): its groups, parameters and counters, and one tick an event.

A :class:`LensNet` holds its groups (:class:`~pdpsim.lens.model.LensGroup`) in Lens's
order (``bias`` first) and wraps a :class:`~pdpsim.lens.model.LensNetwork`. This module holds
the structure, weight randomization and reset, the feed-forward pass of a batch of
examples (one tick an event, through pdpsim's matrix products), the group criteria,
the unit state left after a pass, and one training batch. Running in time is mixed in
from :mod:`pdpsim.lens.continuous` (CONTINUOUS networks) and :mod:`pdpsim.lens.srbptt`
(simple recurrent networks), Lens's unit loops from :mod:`pdpsim.lens.ticks` (CONTINUOUS) and
:mod:`pdpsim.lens.steps` (the others: the less common group types of :mod:`pdpsim.lens.procs`),
the weight update from :mod:`pdpsim.lens.update`.
"""
from __future__ import annotations

import numpy as np

from pdpsim.lens import boltzmann
from pdpsim.lens.continuous import ContinuousMixin
from pdpsim.lens.hooks import HooksMixin
from pdpsim.lens.damage import DamageMixin
from pdpsim.lens.records import RecordMixin
from pdpsim.lens.functions import choose, LensError, LensRandom, NAN, NeedsTime
from pdpsim.lens.model import NET_DEFAULTS, PROCS, LensExampleSet, LensGroup, LensNetwork
from pdpsim.lens.srbptt import SrbpttMixin
from pdpsim.lens.steps import StepsMixin
from pdpsim.lens.ticks import TicksMixin
from pdpsim.lens.update import WeightUpdateMixin


class LensNet(ContinuousMixin, TicksMixin, StepsMixin, SrbpttMixin, WeightUpdateMixin, DamageMixin, RecordMixin,
              HooksMixin):
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
        self.rand: LensRandom | None = None          # the shell's generator (noise is drawn while running)
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
        length = self.max_ticks if history < 0 else int(history)
        if length != getattr(self, "history_length", None):
            for g in getattr(self, "groups", {}).values():
                g.hist0_nan[:] = False            # Lens builds new (zeroed) histories
        self.history_length = length

    @property
    def continuous(self) -> bool:
        return "CONTINUOUS" in self.types

    def check_feed_forward(self, what: str, S: "LensExampleSet | None" = None) -> None:
        """Refuse what only a network in time could do."""
        if "BOLTZMANN" in self.types:                # run by pdpsim.lens.boltzmann
            return boltzmann.check(self, what)
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

    def example_weights(self, S: LensExampleSet, idx) -> np.ndarray | None:
        """Lens's pseudoExampleFreq: each example's frequency, which multiplies its error and its
        error's output derivatives (pdpsim's ``example_frequency: scale``); None when it is off."""
        if not self.params["pseudoExampleFreq"]:
            return None
        return S.examples.frequencies[np.asarray(idx, dtype=int)].astype(float)

    # ------------------------------------------------------------ structure
    @property
    def input_groups(self) -> list[LensGroup]:
        return [g for g in self.groups.values() if g.kind == "INPUT"
                or (g.kind == "OUTPUT" and "INPUT" in g.flags)]      # (INPUT and OUTPUT: a BOLTZMANN group)

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
                  units: dict[str, np.ndarray] | None = None, do_frozen: bool = False) -> None:
        """Lens's randomizeWeights: every link drawn in Lens's order (group, unit, block, link)
        with mean/range from the request, else block, group, network. Frozen links are left
        alone (``resetNet``) unless ``do_frozen`` (``randWeights``, as Lens's manual says)."""
        net_m = choose(mean, self.params["randMean"])
        net_r = choose(range_, self.params["randRange"])
        for g in self.groups.values():
            if (g.frozen and not do_frozen) or (groups is not None and g.name not in groups):
                continue
            gm = choose(mean, g.params["randMean"], net_m)
            gr = choose(range_, g.params["randRange"], net_r)
            sel = units.get(g.name) if units is not None else None
            for j in range(g.size):
                if sel is not None and not sel[j]:
                    continue
                for b in g.blocks:
                    if (b.frozen[j] and not do_frozen) or (link_type is not None and b.link_type != link_type):
                        continue
                    m = choose(mean, b.params["randMean"][j], gm)
                    r = choose(range_, b.params["randRange"][j], gr)
                    w = b.block.weights
                    for i in b.senders(j):
                        w[i, j] = rand.rand_real(m, r)

    def reset(self, rand: LensRandom, randomize: bool = True) -> None:
        """Lens's resetNet: unit values, link derivatives and directions, counters (a lesioned
        unit and its incoming links' values are left alone; their weights are drawn again)."""
        for g in self.groups.values():
            g.reset_units()
            g.error_value = 0.0
            keep = g.lesioned
            for b in g.blocks:
                lb = b.block
                lb.weight_deriv[:, ~keep] = 0.0
                lb.last_change[:, ~keep] = 0.0
                rate = np.ones_like(lb.weights)
                if keep.any():
                    rate[:, keep] = b.rate_factor[:, keep]
                lb.rule_state["rate_factor"] = rate
        self.reset_history()
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
        freq = self.example_weights(S, idx)            # pseudoExampleFreq: E_p -> f_p E_p, as Lens's error procs
        for g in self.output_groups:
            e = g.group.error.error(g.group.output, net.effective_target(g.group))
            if freq is not None:
                e = e * freq
            g.error_value += float(e.sum())
            errs += e
        return errs

    def group_crit(self, g: LensGroup, training: bool) -> float:
        """The group's trainGroupCrit (testGroupCrit), else the network's."""
        key = "trainGroupCrit" if training else "testGroupCrit"
        return choose(g.params[key], self.params[key])

    def _crit_groups(self, training: bool) -> list[tuple[LensGroup, float]]:
        """(group, criterion) of each group that has one (STANDARD_CRIT or MAX_CRIT)."""
        return [(g, self.group_crit(g, training)) for g in self.groups.values() if g.criterion]

    def criteria(self, training: bool) -> np.ndarray:
        """Lens's groupCriteriaReached for each example of the last pass."""
        batch = next(iter(self.groups.values())).group.output.shape[0]
        reached = np.ones(batch, dtype=bool)
        groups = self._crit_groups(training)
        for g, crit in groups:
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
        return reached if groups else np.zeros(batch, dtype=bool)

    def _event_criteria(self, S: "LensExampleSet", i: int, e: int, outputs: dict, training: bool) -> bool:
        """Lens's groupCriteriaReached for example i, event e, with the given outputs (group: (units,))."""
        ex = S.examples
        groups = self._crit_groups(training)
        for g, crit in groups:
            t = ex.targets[g.name][i, e] if g.name in ex.targets else np.full(g.size, NAN)
            if g.lesioned.any():
                t = np.where(g.lesioned, NAN, t)          # Lens's criteria skip lesioned units
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
        return bool(groups)

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
                    freq = self.example_weights(S, [k])
                    s["outputDeriv"][:] = od[0] * (1.0 if freq is None else freq[0])
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
    def reset_errors(self) -> None:
        """The network's and every group's error and output cost back to 0 (a batch or a test begins)."""
        self.error = self.output_cost = 0.0
        for g in self.groups.values():
            g.error_value = g.output_cost = 0.0

    def train_batch(self, S: LensExampleSet) -> bool:
        """Lens's standardNetTrainBatch: the summed error and link derivatives of one batch."""
        if "BOLTZMANN" in self.types:                # run by pdpsim.lens.boltzmann
            return boltzmann.train_batch(self, S)
        self.reset_errors()
        n = int(self.params["batchSize"]) if self.params["batchSize"] > 0 else len(S)
        idx = self.pick_examples(S, n)
        if self.continuous:
            if self.history_length != self.max_ticks:
                raise LensError("training a CONTINUOUS network with historyLength other than maxTicks is not "
                                "implemented (Lens's backward pass then reads a wrapped history)")
            errs, ok, _ticks = self.run_in_time(S, idx, training=True, backward=True)
            self.error = float(errs.sum())
            self.mask_derivs()
            self.deriv_noise()
            self.snapshot_time(S, derivs=True)
            return bool(ok.all())
        if self.uses_time(S):
            errs, ok, _ticks = self.run_srn(S, idx, training=True, backward=True)
            self.error = float(errs.sum())
            self.mask_derivs()
            self.deriv_noise()
            self.snapshot_srn(derivs=True)
            return bool(ok.all())
        errs = self.forward(S, idx)
        self.error = float(errs.sum())
        self.history_batch(S, idx, store=True)
        self.net.backward(self.example_weights(S, idx))    # pseudoExampleFreq: dE_p/da -> f_p dE_p/da
        self.mask_derivs()
        correct = bool(self.criteria(training=True).all())
        self.snapshot(S, int(idx[-1]), derivs=True)
        return correct
