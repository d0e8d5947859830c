"""Lens's BOLTZMANN networks (deterministic Boltzmann machines) in the Lens shell.

``addNet NAME -i I -t T BOLTZMANN`` makes a network whose groups settle by mean-field annealing
(the formulas: :mod:`pdpsim.learning.boltzmann`). Its groups get Lens's Boltzmann procedures by
default: IN_BOLTZ (the net input, 0 for a clamped unit) and OUT_BOLTZ (a unit's output moves
dt of the way to the logistic of its input at the annealed gain); INPUT groups are hard-clamped
(HARD_CLAMP) unless given OUT_BOLTZ, and a group may be both INPUT and OUTPUT. Everything runs
here as Lens's Src/act.c runs it (boltzmannNetTrainExample, boltzmannNetTestExample,
boltzmannUpdate), one example, event and tick at a time:

* **training** (``train``, and ``doExample`` unless ``-test``): each event is loaded (external
  inputs of INPUT groups, targets of OUTPUT groups, the event's proc) and every group but the
  bias starts at its external input, else its target, else its initOutput. The positive phase
  runs with the targets clamped (a unit with a target takes no input and holds its target) for
  the event's graceTime; the network's gain is annealed from ``initGain`` to ``finalGain`` as
  g = final + (init - final) 0.5^(t / (annealTime ticksPerInterval)), t the ticks of the phase.
  Each tick computes every group's input, then every group's output (synchronously: the links
  read the outputs of the tick before). A phase ends on the event's maxTime (the negative
  phase: maxTime less graceTime), on the last tick, or, after minTime, once no OUT_BOLTZ unit
  moved by more than ``trainGroupCrit``. The positive outputs are kept as each unit's
  ``outputDeriv``, every unclamped unit is released (clampStrength of the way back to its
  initOutput), one tick passes, and the negative phase runs free. At its end the error is taken
  (the group's error function, as ever divided by ticksPerInterval) and every IN_BOLTZ link gains
  dE/dw = a_i^- a_j^- - a_i^+ a_j^+; a batch's sum is the weight update's derivative (the usual
  algorithms: Doug's momentum by default).
* **testing** (``test``, ``doExample -test``): each event starts as in training, with the outputs
  kept as ``outputDeriv`` and released at once, and runs the negative phase only (targets not
  clamped) for maxTime less graceTime, settled on ``testGroupCrit``; the error is taken at its end.
  Each event costs one tick more than it settles (Lens stores the start as a tick).

No group criterion is ever reported reached (Lens's Boltzmann loops never set it). The network's
``gain`` is left at the last annealed value, as in Lens. Lesioned units, noise, and group types
other than IN_BOLTZ, OUT_BOLTZ, HARD_CLAMP and BIAS_CLAMP (with SUM_SQUARED or CROSS_ENTROPY
errors) stop the script with a message.
"""
from __future__ import annotations

import numpy as np

from pdpsim.learning.boltzmann import annealed_gain, link_deriv, release, settle_step, settled
from pdpsim.lens.functions import NAN, LensError, choose
from pdpsim.lens.group_types import GroupSpec

#: the group procedures a BOLTZMANN network runs in pdpsim
INPUTS = ("IN_BOLTZ",)
OUTPUTS = ("OUT_BOLTZ", "HARD_CLAMP", "BIAS_CLAMP")
ERRORS = ("SUM_SQUARED", "CROSS_ENTROPY")
_BASIC_OUTPUT = {"OUT_BOLTZ", "BIAS_CLAMP"}        # (Lens's BASIC_OUTPUT_TYPES | BIAS_CLAMP, as far as they go here)
#: Lens's SMALL_VAL, added to a phase's time against rounding
SMALL_VAL = 1e-8


def is_boltzmann(lnet) -> bool:
    return "BOLTZMANN" in lnet.types


def setup(lnet) -> None:
    """A new BOLTZMANN network: ``doExample`` runs the training example by default (Lens's
    initBoltzmannNet makes netRunExample the training one)."""
    lnet.run_train = True


def group_spec(name: str, flags, ins: list, outs: list, costs: list, continuous: bool = False) -> GroupSpec:
    """What a BOLTZMANN network's group is (Lens's lists after the type cleanup), refusing what
    pdpsim does not run."""
    flags = set(flags)
    for t in ins:
        if t not in INPUTS:
            raise LensError(f"group '{name}': the input type {t} in a BOLTZMANN network is not implemented in "
                            f"pdpsim (input types: {', '.join(INPUTS)})")
    for t in outs:
        if t not in OUTPUTS:
            raise LensError(f"group '{name}': the output type {t} in a BOLTZMANN network is not implemented in "
                            f"pdpsim (output types: {', '.join(OUTPUTS)})")
    for t in costs:
        if t not in ERRORS:
            raise LensError(f"group '{name}': the cost type {t} in a BOLTZMANN network is not implemented in "
                            f"pdpsim (error types: {', '.join(ERRORS)})")
    if len(costs) > 1:
        raise LensError(f"group '{name}': one error type expected, got {costs}")
    extra = sorted(flags & {"ELMAN", "ADAPTIVE_GAIN", "DERIV_NOISE", "EXT_INPUT_NOISE", "USE_INPUT_HIST",
                            "USE_OUTPUT_HIST", "USE_TARGET_HIST", "USE_OUT_DERIV_HIST"})
    if extra:
        raise LensError(f"group '{name}': the type {extra[0]} in a BOLTZMANN network is not implemented in pdpsim")
    kind = ("BIAS" if "BIAS" in flags else "OUTPUT" if "OUTPUT" in flags else "INPUT" if "INPUT" in flags
            else "HIDDEN")
    if costs and kind != "OUTPUT":
        raise LensError(f"group '{name}': an error type on a group that is not OUTPUT is not implemented")
    crit = next((f for f in ("STANDARD_CRIT", "MAX_CRIT") if f in flags), None)
    return GroupSpec(kind, None, costs[0] if costs else None, None, [], crit, flags, list(ins), list(outs),
                     list(costs))


def check(lnet, what: str) -> None:
    """What the BOLTZMANN runs here refuse."""
    for g in lnet.groups.values():
        if g.lesioned.any():
            raise LensError(f"{what}: lesioned units in a BOLTZMANN network are not implemented in pdpsim")
        if g.noise_types:
            raise LensError(f"{what}: noise in a BOLTZMANN network is not implemented in pdpsim")
    if lnet.params["pseudoExampleFreq"]:
        raise LensError(f"{what}: pseudoExampleFreq (error scaled by example frequency) on a BOLTZMANN network "
                        "is not implemented: pdpsim scales examples' errors in feed-forward (standard) "
                        "networks only")


# ---------------------------------------------------------------- one group during a run
class _Group:
    """A group of a BOLTZMANN network during a run: its procedures, parameters and unit fields
    (``LensGroup.state``, written in place)."""

    def __init__(self, lnet, g):
        self.g, self.name, self.n = g, g.name, g.size
        self.s = g.state
        self.ins, self.outs = list(g.in_procs), list(g.out_procs)
        self.is_input, self.is_output = "INPUT" in g.flags, "OUTPUT" in g.flags
        self.blocks = []                              # (sending _Group, LensBlock)
        self.cost = g.group.error if g.error else None
        self.last = np.zeros(self.n)                  # OUT_BOLTZ's outputs of the tick before
        p, net = g.params, lnet.params
        self.init_out = float(choose(p["initOutput"], net["initOutput"]))
        self.strength = float(choose(p["clampStrength"], net["clampStrength"]))
        self.dt = net["dt"] * p["dtScale"] * g.unit_dt_scale
        self.radius = (float(choose(p["targetRadius"], net["targetRadius"])),
                       float(choose(p["zeroErrorRadius"], net["zeroErrorRadius"])))
        self.crit = {True: float(choose(p["trainGroupCrit"], net["trainGroupCrit"])),
                     False: float(choose(p["testGroupCrit"], net["testGroupCrit"]))}
        self.gain = p["gain"]                         # NaN: the network's (annealed) gain
        h = lnet._history()                           # Lens's output history (kept across examples)
        self.hist, self.H, self.start = h["out"][g.name], h["H"], h["start"]
        self.in0 = None                               # the inputs of tick 0 (training)

    def slot(self, t: int) -> int:
        """Lens's HISTORY_INDEX."""
        return (t + self.start + (self.H << 10)) % self.H

    # Lens's initializeBoltzmannOutputs
    def initialize(self) -> None:
        s = self.s
        ext, tgt = s["externalInput"], s["target"]
        s["output"][:] = np.where(~np.isnan(ext), ext, np.where(~np.isnan(tgt), tgt, self.init_out))

    # Lens's resetBoltzmannOutputs (RESET_ON_EXAMPLE groups)
    def release(self) -> None:
        if "RESET_ON_EXAMPLE" not in self.g.flags:
            return
        s = self.s
        free = np.isnan(s["externalInput"])
        s["output"][free] = release(s["output"][free], self.init_out, self.strength)

    def keep_plus(self) -> None:
        self.s["outputDeriv"][:] = self.s["output"]

    # Lens's computeInput
    def compute_input(self, grace: bool, t: int) -> None:
        s = self.s
        ext = s["externalInput"]
        clamped = not self.ins or ("HARD_CLAMP" in self.outs and not np.isnan(ext).any())
        if clamped or "IN_BOLTZ" not in self.ins:
            s["input"][:] = 0.0
        if clamped:
            return
        for proc in self.ins:
            if proc == "IN_BOLTZ":
                parts = []
                for src, b in self.blocks:
                    prod = src.s["output"][:, None] * b.block.weights
                    parts.append(prod if b.mask is None else np.where(b.mask, prod, 0.0))
                if parts:                             # Lens's order: block after block, link after link
                    net = np.add.accumulate(np.concatenate(parts, axis=0), axis=0)[-1]
                else:
                    net = np.zeros(self.n)
                live = np.isnan(ext) & (np.isnan(s["target"]) | (not grace))
                s["input"][:] = np.where(live, net, 0.0)
        if t == 0:
            self.in0 = s["input"].copy()

    # Lens's computeOutput
    def compute_output(self, grace: bool, net_gain: float, t: int) -> None:
        s = self.s
        out, ext, tgt = s["output"], s["externalInput"], s["target"]
        if not set(self.outs) & _BASIC_OUTPUT:
            out[:] = 0.0
        for proc in self.outs:
            if proc == "OUT_BOLTZ":
                self.last[:] = out
                gain = net_gain if self.gain != self.gain else self.gain
                free = settle_step(out, s["input"], gain, self.dt)
                out[:] = np.where(~np.isnan(ext), ext, np.where(~np.isnan(tgt) & grace, tgt, free))
            elif proc == "HARD_CLAMP":
                m = ~np.isnan(ext)
                out[m] = ext[m]
            elif proc == "BIAS_CLAMP":
                out[:] = 1.0
        self.hist[self.slot(t)] = out

    def clamp_back(self) -> None:
        """HARD_CLAMP's and BIAS_CLAMP's backward procedures: no input derivative."""
        s = self.s
        if "BIAS_CLAMP" in self.outs:
            s["inputDeriv"][:] = 0.0
        elif "HARD_CLAMP" in self.outs:
            s["inputDeriv"][~np.isnan(s["externalInput"])] = 0.0

    def settled(self, training: bool) -> bool:
        return "OUT_BOLTZ" not in self.outs or settled(self.s["output"], self.last, self.crit[training])

    # Lens's computeCost (outside a grace period)
    def compute_cost(self) -> float:
        if self.cost is None:
            return 0.0
        s = self.s
        m = ~np.isnan(s["target"])
        t = s["target"][m]
        if self.radius != (0.0, 0.0):                  # Lens's ADJUSTED_TARGET
            tr, zr = self.radius
            a = s["output"][m]
            d = a - t
            t = np.where((d < zr) & (d > -zr), a, np.where(d > tr, t + tr, np.where(d < -tr, t - tr, a)))
        s["adjustedTarget"][m] = t
        tgt = np.where(m, s["adjustedTarget"], NAN)
        e = float(self.cost.error(s["output"][None, :], tgt[None, :])[0])
        self.g.error_value += e
        return e

    # Lens's computeInputBack (boltzmannInputBack); ``cached``: the senders' output-derivative
    # caches are zero (in the backward pass Lens runs after a training example)
    def input_back(self, cached: bool = False) -> None:
        if not self.ins or ("HARD_CLAMP" in self.outs and (self.outs == ["HARD_CLAMP"]
                                                          or not np.isnan(self.s["externalInput"]).any())):
            return
        s = self.s
        for src, b in self.blocks:
            d = link_deriv(src.s["output"], s["output"], np.zeros(src.n) if cached else src.s["outputDeriv"],
                           s["outputDeriv"])
            if b.mask is not None:
                d = np.where(b.mask, d, 0.0)
            b.block.weight_deriv += d


def _plans(lnet) -> list:
    lnet.configure()
    plans = {g.name: _Group(lnet, g) for g in lnet.groups.values()}
    for p in plans.values():
        p.blocks = [(plans[b.source.name], b) for b in p.g.blocks]
    return list(plans.values())


def _load_event(lnet, S, i: int, e: int, plans) -> None:
    """Lens's standardLoadEvent: the external inputs of INPUT groups' units, the targets of OUTPUT
    groups' units, then the event's proc."""
    ex = S.examples
    for p in plans:
        if p.is_input:
            p.s["externalInput"][:] = ex.inputs[p.name][i, e]
    for p in plans:
        if p.is_output:
            p.s["target"][:] = ex.targets[p.name][i, e]
    lnet.event_hook(S, i, e)


def _gain(lnet, ticks: int) -> float:
    """Lens sets the network's gain each tick (it stays at the last value)."""
    p = lnet.params
    g = lnet.params["gain"] = float(annealed_gain(ticks, p["initGain"], p["finalGain"], p["annealTime"],
                                                  lnet.ticks_per_interval))
    return g


def _tick(plans, grace: bool, gain: float, t: int) -> None:
    """Lens's boltzmannUpdate at tick t: every group's input, then every group's output (kept in
    the output history)."""
    for p in plans:
        p.compute_input(grace, t)
    for p in plans:
        p.compute_output(grace, gain, t)


def train_example(lnet, S, i: int, plans) -> float:
    """Lens's boltzmannNetTrainExample on example i (link derivatives added to the blocks');
    returns its error."""
    max_ticks, tpi = lnet.max_ticks, lnet.ticks_per_interval
    n_events = int(S.examples.n_events[i])
    tick = event = 0
    positive, new_event = True, True
    on_phase = 0
    grace_t = max_t = min_t = 0.0
    grace = False
    err = 0.0
    current = 0
    while tick < max_ticks and event < n_events:
        current = tick
        if new_event:
            _load_event(lnet, S, i, event, plans)
            for p in plans:
                if p.g.kind != "BIAS":
                    p.initialize()
            max_e, min_e, grace_e = lnet._event_times(S, i, event)
            grace_t, max_t, min_t = grace_e, max_e - grace_e, min_e
            on_phase = 0
            grace, positive, new_event = True, True, False
        _tick(plans, grace, _gain(lnet, on_phase), tick)
        on_phase += 1
        time_on = on_phase / tpi + SMALL_VAL
        if tick == max_ticks - 1:
            done = True
        elif time_on < min_t:
            done = False
        elif positive and time_on >= grace_t:
            done = True
        elif not positive and time_on >= max_t:
            done = True
        else:
            done = all(p.settled(True) for p in plans)
        if done:
            if positive:
                for p in plans:
                    p.keep_plus()
                    p.release()
                on_phase = 0
                grace, positive = False, False
                tick += 1
                current = tick
            else:
                for p in plans:
                    err += p.compute_cost()
                    p.input_back()
                event += 1
                new_event = True
        tick += 1
    lnet.ticks_on_example = current + 1
    return err


def test_example(lnet, S, i: int, plans) -> float:
    """Lens's boltzmannNetTestExample on example i; returns its error."""
    max_ticks, tpi = lnet.max_ticks, lnet.ticks_per_interval
    n_events = int(S.examples.n_events[i])
    tick = event = 0
    new_event = True
    on_event = 0
    max_t = min_t = 0.0
    err = 0.0
    current = 0
    while tick < max_ticks and event < n_events:
        current = tick
        if new_event:
            _load_event(lnet, S, i, event, plans)
            for p in plans:
                p.initialize()
                p.keep_plus()
                p.release()
            max_e, min_e, grace_e = lnet._event_times(S, i, event)
            max_t, min_t = max_e - grace_e, min_e
            on_event = 0
            new_event = False
            tick += 1                                  # (Lens stores the start as a tick)
            current = tick
        _tick(plans, False, _gain(lnet, on_event), tick)
        on_event += 1
        time_on = on_event / tpi + SMALL_VAL
        if tick == max_ticks - 1:
            done = True
        elif time_on < min_t:
            done = False
        elif time_on >= max_t:
            done = True
        else:
            done = all(p.settled(False) for p in plans)
        if done:
            for p in plans:
                err += p.compute_cost()
            event += 1
            new_event = True
        tick += 1
    lnet.ticks_on_example = current + 1
    return err


def example_back(plans, ticks: int) -> None:
    """Lens's srbpttNetExampleBack, which Lens runs after every example of a BOLTZMANN network's
    training batch (``train``; not ``doExample -train``): Lens makes every network SRBPTT as
    well, and initBoltzmannNet leaves that backward pass in place. With the output-derivative
    caches zero, it adds to each IN_BOLTZ link a_i a_j at the example's last tick, then (the
    outputs restored from Lens's output history, the output derivatives from their empty
    history: 0) at every earlier tick down to 0. The tick between the phases was never stored:
    it reads what an earlier example left in that history slot (0 after ``resetNet``). The
    outputs of the last tick and the inputs of tick 0 are left in the units, with output
    derivatives 0."""
    def backprop():
        for p in reversed(plans):
            p.clamp_back()
            p.input_back(cached=True)
    backprop()
    for t in range(ticks - 2, -1, -1):
        for p in plans:
            p.s["outputDeriv"][:] = 0.0
            p.s["output"][:] = p.hist[p.slot(t)]
            if t == 0 and p.in0 is not None:
                p.s["input"][:] = p.in0
        backprop()
    for p in plans:
        p.s["output"][:] = p.hist[p.slot(ticks - 1)]


def _run(lnet, S, idx, training: bool, backward: bool = False) -> tuple[float, int]:
    """Examples ``idx`` of ``S`` between Lens's example procedures (with ``backward``, Lens's
    backward pass after each: :func:`example_back`); returns the error and ticks."""
    check(lnet, "training" if training else "testing")
    lnet.check_loaded(S)
    plans = _plans(lnet)
    err, ticks, k = 0.0, 0, None
    for k in idx:
        k = int(k)
        lnet.load_example_hook(S, k)
        err += (train_example if training else test_example)(lnet, S, k, plans)
        if backward:
            lnet.hook("preExampleBackProc")
            example_back(plans, lnet.ticks_on_example)
        lnet.hook("postExampleProc")
        ticks += lnet.ticks_on_example
    if k is not None:
        lnet.current_example = (S, k)
        S.current_example = k
    return err, ticks


def train_batch(lnet, S) -> bool:
    """Lens's standardNetTrainBatch on a BOLTZMANN network: the error and summed link derivatives
    of one batch. Never reports the criterion reached."""
    lnet.reset_errors()
    for g in lnet.groups.values():
        for b in g.blocks:
            b.block.weight_deriv[:] = 0.0
    n = int(lnet.params["batchSize"]) if lnet.params["batchSize"] > 0 else len(S)
    err, _ticks = _run(lnet, S, lnet.pick_examples(S, n), training=True, backward=True)
    lnet.error = err
    lnet.mask_derivs()
    return False


def test(lnet, num: int, reset_error: bool):
    """Lens's standardNetTestBatch on a BOLTZMANN network (the report as ``test`` prints it)."""
    from pdpsim.lens.train import report_error
    S = lnet.testing_set or lnet.training_set
    if S is None:
        raise LensError("there are no current example sets")
    if reset_error:
        lnet.reset_errors()
    if num == 0:
        num = len(S)
        S.reset()
    err, ticks = _run(lnet, S, lnet.pick_examples(S, num), training=False)
    lnet.error += err
    return report_error(lnet, num, ticks, 0)


def do_example(lnet, S, num: int, training: bool) -> None:
    """Lens's doExample on a BOLTZMANN network: the training example (link derivatives added to
    what the links hold) unless ``-test``; its error added to the network's."""
    idx = S.run_indices(num)
    err, _ticks = _run(lnet, S, idx, training)
    lnet.error += err
