"""Lens's CONTINUOUS networks run unit loop by unit loop, as Lens's group procedures run them.

:class:`TicksMixin` is mixed into :class:`~pdpsim.lens.net.LensNet`. It runs a CONTINUOUS
network one example at a time and one tick at a time, each group through its own list of
Lens's input and output procedures in their order (``LensGroup.in_procs``, ``out_procs``:
DOT_PRODUCT, SOFT_CLAMP, IN_INTEGR, IN_NOISE, IN_DERIV_NOISE; the output function,
HARD_CLAMP, BIAS_CLAMP, WEAK_CLAMP, OUT_INTEGR, OUT_NOISE, OUT_DERIV_NOISE), keeping the
units' own fields (output, input, the derivatives, external inputs, targets) and the group
caches the links read, as Lens's ``standardNetRunExample``, ``continuousNetTickForward``,
``continuousNetTrainTickForward`` and ``continuousNetExampleBack`` do:

* a tick computes every group's input, then every group's output, then the error (outside a
  grace period), and in training each output group's error derivative (stored per tick);
* the backward pass runs from the last tick to tick 1: each tick's stored derivative plus what
  the later tick's links sent back, the output procedures backward in reverse order (an
  integrator restores the output it integrated, noise the clean output), then the outputs and
  inputs of the tick before are restored and the links credited with them (tick 0's were
  never stored: 0, or NaN for a unit ever lesioned since its history was last cleared);
* the link derivatives of a batch are multiplied by 1/ticksPerInterval at its end.

Lesioned units are skipped by every unit loop, and noise is drawn unit by unit in this order
(EXT_INPUT_NOISE as each event is loaded), from Lens's generator, so ``seed N`` gives Lens's
numbers. pdpsim's batched :mod:`pdpsim.dynamics.unfolding` path (:mod:`pdpsim.lens.continuous`) stays
in use for networks without lesions, noise or clamps; this one is used where they appear,
and for ``doExample -train``.
"""
from __future__ import annotations

import math

import numpy as np

from pdpsim.lens import copies, costs, procs
from pdpsim.lens.events import _Events
from pdpsim.functions.clamps import SoftClamp
from pdpsim.functions.errors.cross_entropy import LARGE_VAL
from pdpsim.functions.integrators import InIntegr, OutIntegr
from pdpsim.lens.functions import NAN, OUTPUT_FUNCTIONS, LensError, choose

_BASIC_INPUT = {"DOT_PRODUCT", "DISTANCE", "PRODUCT", "IN_BOLTZ", "IN_COPY"}
_FUNCTIONS = {"LINEAR", "LOGISTIC", "TANH", "EXPONENTIAL", "SOFT_MAX", "TERNARY", "GAUSSIAN"}
_BASIC_OUTPUT = _FUNCTIONS | {"KOHONEN", "OUT_BOLTZ", "OUT_COPY", "INTERACT_INTEGR"}


def _inv_sigmoid(y: float, gain: float) -> float:
    """Lens's INV_SIGMOID."""
    if y <= 0.0:
        return -LARGE_VAL
    if y >= 1.0:
        return LARGE_VAL
    return math.log(y / (1 - y)) / gain


class _Unit:
    """One group during a run: its procedures, parameters, unit fields (``LensGroup.state``,
    written in place), the output and output-derivative caches its links read and write, its
    integrators, and what each tick stored."""

    def __init__(self, lnet, g):
        self.lnet, self.g, self.name = lnet, g, g.name
        self.les = g.lesioned.copy()
        self.k = ~self.les
        self.n = g.size
        self.ins, self.outs = list(g.in_procs), list(g.out_procs)
        fname = next((t for t in self.outs if t in _FUNCTIONS), None)
        self.fn = None if fname is None else \
            g.group.function if g.group.function.name == fname else OUTPUT_FUNCTIONS[fname]()
        self.elman = None                    # an ELMAN group's source (its _Unit), set once all exist
        self.adaptive = "ADAPTIVE_GAIN" in g.flags
        self.cost = g.group.error if g.error else None
        self.costs = list(g.cost_procs)      # Lens's cost procedures (the error and unit costs), in order
        self.tick, self.continuous = 0, True
        self.crit = g.criterion
        self.udt = g.unit_dt_scale
        self.refresh()
        self.blocks = []                     # (sending group's _Unit, LensBlock), set once all exist
        self.s = g.state
        self.O = np.zeros(self.n)            # the group's output cache (what links read)
        self.D = np.zeros(self.n)            # its output-derivative cache (what links send back)
        self.h0 = np.where(g.hist0_nan, NAN, 0.0)
        self.reset = "RESET_ON_EXAMPLE" in g.flags

    def refresh(self) -> None:
        """Read the group's and network's parameters (again after a Tcl procedure ran)."""
        g, lnet = self.g, self.lnet
        p, net = g.params, lnet.params
        if self.fn is not None:             # (an INPUT group's pdpsim group is LINEAR: a clamp's own)
            self.fn.gain = float(choose(p["gain"], net["gain"]))
            if hasattr(self.fn, "shift"):
                self.fn.shift = float(choose(p["ternaryShift"], net["ternaryShift"]))
        self.min_output, self.max_output = float(p["minOutput"]), float(p["maxOutput"])
        self.gain = float(choose(p["gain"], net["gain"]))
        self.radius = (float(choose(p["targetRadius"], net["targetRadius"])),
                       float(choose(p["zeroErrorRadius"], net["zeroErrorRadius"])))
        self.gdt = net["dt"] * p["dtScale"]
        self.strength = float(choose(p["clampStrength"], net["clampStrength"]))
        self.init_out = float(choose(p["initOutput"], net["initOutput"]))
        self.init_in = float(choose(p["initInput"], net["initInput"]))
        self.noise_range = float(choose(p["noiseRange"], net["noiseRange"]))

    # ------------------------------------------------------------------ an example
    def start(self, continuous: bool = True) -> None:
        """resetOutputs and resetForwardIntegrators (a RESET_ON_EXAMPLE group), empty histories
        (a CONTINUOUS network's start at tick 1: tick 0's slot holds the unwritten history)."""
        k, s = self.k, self.s
        self.continuous = continuous
        s["output"][k] = self.init_out
        self.O[k] = self.init_out
        self.last_in = np.full(self.n, self.init_in)
        self.last_out = np.full(self.n, self.init_out)
        self.interact = np.full(self.n, self.init_out)     # INTERACT_INTEGR's last outputs
        if continuous:
            self.in_h, self.out_h, self.od_h = [self.h0.copy()], [self.h0.copy()], [None]
        else:
            self.in_h, self.out_h, self.od_h = [], [], []
        first = [None] if continuous else []
        self.mem = {p: list(first) for p in ("HARD_CLAMP", "WEAK_CLAMP", "OUT_INTEGR", "OUT_NOISE") + procs.STORED}

    def noise(self, values: np.ndarray) -> np.ndarray:
        return self.lnet.rand.noise_array(self.g.noise_proc, values, self.noise_range, self.les)

    def fully_clamped(self) -> bool:
        return not np.isnan(self.s["externalInput"][self.k]).any()

    def compute_input(self, t: int) -> None:
        s, k = self.s, self.k
        self.tick = t
        inp = s["input"]
        clamped = not self.ins or ("HARD_CLAMP" in self.outs and self.fully_clamped())
        if clamped or not set(self.ins) & _BASIC_INPUT:
            inp[k] = 0.0
        if not clamped:
            for proc in self.ins:
                if proc == "DOT_PRODUCT":
                    net = np.zeros(self.n)
                    for src, b in self.blocks:
                        net += src.O @ b.block.weights
                    inp[k] = net[k]
                elif proc == "SOFT_CLAMP":
                    ext = s["externalInput"]
                    for j in np.flatnonzero(k & ~np.isnan(ext)):
                        val = SoftClamp.forward(self.init_out, ext[j], self.strength)
                        inp[j] += _inv_sigmoid(val, self.gain)
                elif proc == "IN_INTEGR":
                    li = self.last_in
                    li[k] = InIntegr.step(li[k], inp[k], self.gdt * self.udt[k])
                    inp[k] = li[k]
                elif proc == "IN_NOISE":
                    inp[k] = self.noise(inp)[k]
                elif proc in procs.EXTRA_INPUT:
                    procs.input_forward(self, proc)
                elif proc == "IN_COPY":
                    copies.run_copy(self, proc)
        self.in_h.append(inp.copy())

    def compute_output(self, t: int) -> None:
        s, k = self.s, self.k
        out, ext = s["output"], s["externalInput"]
        if not set(self.outs) & (_BASIC_OUTPUT | {"BIAS_CLAMP"}):
            out[k] = 0.0
        mem = self.mem
        for proc in self.outs:
            if proc in _FUNCTIONS:
                n = np.where(self.les, -np.inf if proc == "SOFT_MAX" else 0.0, s["input"])
                if self.adaptive and proc in procs.GAIN_FUNCTIONS:
                    a = procs.adaptive_forward(self, n)
                else:
                    a = np.empty(self.n)
                    self.fn.forward(n[None, :], a[None, :])
                out[k] = a[k]
            elif proc == "HARD_CLAMP":
                mem[proc].append(ext.copy())
                m = k & ~np.isnan(ext)
                out[m] = ext[m]
            elif proc == "BIAS_CLAMP":
                out[k] = 1.0
            elif proc == "WEAK_CLAMP":
                mem[proc].append(out.copy())
                m = k & ~np.isnan(ext)
                out[m] = SoftClamp.forward(out[m], ext[m], self.strength)
            elif proc == "OUT_INTEGR":
                mem[proc].append(out.copy())
                lo = self.last_out
                lo[k] = OutIntegr.step(lo[k], out[k], self.gdt * self.udt[k])
                out[k] = lo[k]
            elif proc == "OUT_NOISE":
                mem[proc].append(out.copy())
                out[k] = self.noise(out)[k]
            elif proc in procs.EXTRA_OUTPUT:
                procs.output_forward(self, proc)
            elif proc == "OUT_COPY":
                copies.run_copy(self, proc)
        self.O[k] = out[k]
        self.out_h.append(out.copy())

    def _costed(self) -> np.ndarray:
        """Units with a target that Lens's error loop visits."""
        return self.k & ~np.isnan(self.s["target"])

    def compute_cost(self, grace: bool) -> float:
        """Lens's computeCost: the cost procedures in order (none in a grace period); returns the
        error (unit costs go to the group's and network's outputCost)."""
        if grace:
            return 0.0
        e = 0.0
        for proc in self.costs:
            if proc in costs.UNIT_COSTS:
                costs.forward(self, proc)
            elif proc == "TARGET_COPY":
                copies.run_copy(self, proc)
            elif self.cost is not None:
                e += self._error()
        return e

    def _error(self) -> float:
        s = self.s
        m = self._costed()
        t = s["target"][m]
        if self.radius != (0.0, 0.0):        # Lens's ADJUSTED_TARGET
            tr, zr = self.radius
            d = s["output"][m] - t
            t = np.where((d < zr) & (d > -zr), s["output"][m],
                         np.where(d > tr, t + tr, np.where(d < -tr, t - tr, s["output"][m])))
        s["adjustedTarget"][m] = t
        tgt = np.where(m, s["adjustedTarget"], NAN)
        e = float(self.cost.error(s["output"][None, :], tgt[None, :])[0])
        self.g.error_value += e
        self.lnet.error += e                 # (live, for Tcl procedures; the run restores it)
        return e

    def compute_cost_back(self, grace: bool) -> None:
        s, k = self.s, self.k
        s["outputDeriv"][k] = 0.0
        if not self.costs:
            return
        if not grace:
            for proc in reversed(self.costs):
                if proc in costs.UNIT_COSTS:
                    costs.back(self, proc)
                elif proc == "TARGET_COPY":
                    pass
                elif self.cost is not None:
                    m = self._costed()
                    d = np.zeros(self.n)
                    self.cost.output_deriv(s["output"][None, :], np.where(m, s["adjustedTarget"], NAN)[None, :],
                                           d[None, :])
                    s["outputDeriv"][m] += d[m]
        self.od_h.append(s["outputDeriv"].copy())

    def criterion(self, crit: float) -> bool:
        s = self.s
        m = self._costed()
        if self.crit == "STANDARD_CRIT":
            return not np.any(np.abs(s["output"][m] - s["target"][m]) >= crit)
        if not m.any():
            return True
        a, t = np.where(m, s["output"], -np.inf), np.where(m, s["target"], -np.inf)
        io, it = int(a.argmax()), int(t.argmax())
        return io == it and abs(a[io] - t[it]) < crit

    # ------------------------------------------------------------------ backward
    def start_back(self) -> None:
        self.D[:] = 0.0
        self.back_in = np.zeros(self.n)
        self.back_out = np.zeros(self.n)

    def restore_output_derivs(self, t: int) -> None:
        k = self.k
        self.s["outputDeriv"][k] = self.od_h[t][k] if self.costs else 0.0

    def output_back(self, t: int) -> None:
        s, k = self.s, self.k
        od, out, idv = s["outputDeriv"], s["output"], s["inputDeriv"]
        od[k] += self.D[k]
        self.D[:] = 0.0
        for proc in reversed(self.outs):
            if self.adaptive and proc in procs.GAIN_FUNCTIONS:
                procs.adaptive_back(self, proc)
            elif proc in _FUNCTIONS:
                d = np.empty(self.n)
                self.fn.backward(out[None, :], od[None, :], d[None, :], s["input"][None, :])
                idv[k] = d[k]
            elif proc == "HARD_CLAMP":
                idv[k & ~np.isnan(self.mem[proc][t])] = 0.0
            elif proc == "BIAS_CLAMP":
                idv[k] = 0.0
            elif proc == "WEAK_CLAMP":
                orig = self.mem[proc][t]
                m = k & (out != orig)                # where the clamp moved the output (Lens); orig is a number there
                out[m] = orig[m]
                od[m] = SoftClamp.backward(od[m], orig[m], self.strength)
            elif proc == "OUT_INTEGR":
                d = OutIntegr.into(self.back_out[k], self.gdt * self.udt[k])     # Lens's lag: t+1's carry
                out[k] = self.mem[proc][t][k]
                self.back_out[k] += od[k] - d
                od[k] = d
            elif proc == "OUT_NOISE":
                out[k] = self.mem[proc][t][k]
            elif proc == "OUT_DERIV_NOISE":
                od[k] = self.noise(od)[k]
            elif proc in procs.EXTRA_OUTPUT:
                procs.output_back(self, proc, t)

    def restore(self, t: int, inputs: bool = True) -> None:
        k = self.k
        self.s["output"][k] = self.O[k] = self.out_h[t][k]
        if inputs:
            self.s["input"][k] = self.in_h[t][k]

    def input_back(self, acc: dict, t: int) -> None:
        if not self.ins or ("HARD_CLAMP" in self.outs and (self.outs == ["HARD_CLAMP"] or self.fully_clamped())):
            return
        s, k = self.s, self.k
        idv = s["inputDeriv"]
        for proc in reversed(self.ins):
            if proc == "IN_DERIV_NOISE":
                idv[k] = self.noise(idv)[k]
            elif proc == "IN_INTEGR":
                d = InIntegr.into(self.back_in[k], self.gdt * self.udt[k])
                self.back_in[k] += idv[k] - d
                idv[k] = d
            elif proc == "DOT_PRODUCT":
                x = np.where(k, idv, 0.0)
                for src, b in self.blocks:
                    src.D += x @ b.block.weights.T
                    acc[id(b)] += np.outer(src.O, x)
            elif proc in procs.EXTRA_INPUT:
                procs.input_back(self, proc, t, acc)


def _plain(g) -> bool:
    """A group as pdpsim.dynamics.unfolding runs it: a clamped input, the bias, or the dot product (then
    IN_INTEGR) into one output function (then OUT_INTEGR)."""
    if procs.needs_loops(g):
        return False
    if g.kind == "INPUT":
        return g.in_procs == [] and g.out_procs == ["HARD_CLAMP"]
    if g.kind == "BIAS":
        return g.out_procs == ["BIAS_CLAMP"]
    fn = [t for t in g.out_procs if t in _FUNCTIONS]
    return (g.in_procs in (["DOT_PRODUCT"], ["DOT_PRODUCT", "IN_INTEGR"]) and len(fn) == 1
            and g.out_procs in (fn, fn + ["OUT_INTEGR"]))


class TicksMixin:
    """CONTINUOUS networks run as Lens's unit loops run them (see the module)."""

    #: run every CONTINUOUS network this way (tests compare it with the batched path)
    force_ticks = False
    #: ``doExample -train`` switches the network's doExample to Lens's training tick until
    #: ``doExample -test`` (Lens sets netRunExample and netRunTick and leaves them so)
    run_train = False

    def uses_ticks(self, S=None) -> bool:
        """Whether this CONTINUOUS network needs Lens's unit loops: lesioned units (or units healed
        since, whose tick-0 history is NaN), noise, clamps other than HARD_CLAMP, procedures in an
        order the batched path does not follow (``changeGroupType``), several output groups (the
        batched path sums their errors but does not keep each group's), a target radius or
        zero-error radius, groupCritRequired, the group types of :mod:`pdpsim.lens.procs`."""
        if not self.continuous:
            return False
        if self.force_ticks or self.has_damage() or self.has_procs(S) or any(g.hist0_nan.any() for g in self.groups.values()):
            return True
        if sum(g.kind == "OUTPUT" for g in self.groups.values()) > 1 or self.params["groupCritRequired"]:
            return True
        if any(g.kind == "OUTPUT" and (choose(g.params["targetRadius"], self.params["targetRadius"])
                                       or choose(g.params["zeroErrorRadius"], self.params["zeroErrorRadius"]))
               for g in self.groups.values()):
            return True
        return any(not _plain(g) for g in self.groups.values())

    def _each_example(self, S, idx, plans, run_one, training: bool, backward: bool, acc):
        """Every example of ``idx`` through ``run_one`` (the CONTINUOUS or the feed-forward/SRBPTT
        unit loops), between Lens's example procedures; the last one becomes the current example.
        Returns the errors, whether each met the criteria, and the ticks run."""
        errs, correct, ticks, k = [], [], 0, None
        error0 = self.error
        for k in idx:
            self.load_example_hook(S, int(k), plans)
            e, ok, n = run_one(S, int(k), plans, training, backward, acc)
            self.hook("postExampleProc", plans)
            errs.append(e)
            correct.append(ok)
            ticks += n
        self.error = error0                    # (the caller adds the run's error)
        if k is not None:
            self.current_example = (S, int(k))
            S.current_example = int(k)
        return errs, correct, ticks

    def _criteria(self, plans, training: bool) -> bool:
        seen = False
        for p in plans:
            if p.crit:
                seen = True
                if not p.criterion(float(self.group_crit(p.g, training))):
                    return False
        return seen

    def _tick_example(self, S, i: int, plans, training: bool, backward: bool, acc):
        """Lens's standardNetRunExample on example i (and with ``backward`` its
        continuousNetExampleBack): its error, whether every event met the criteria, its ticks."""
        max_ticks = self.max_ticks
        ev = _Events(self, S, i, plans)
        for p in plans:
            p.start()
        tick, err = 1, 0.0
        self.hook("preEventProc", plans)
        while tick < max_ticks and ev.event < ev.n:
            self.current_tick = tick
            self.hook("preTickProc", plans)
            for p in plans:
                p.compute_input(tick)
            for p in plans:
                p.compute_output(tick)
            for p in plans:
                err += p.compute_cost(ev.grace)
            if training:
                for p in plans:
                    p.compute_cost_back(ev.grace)
            self.hook("postTickProc", plans)
            go_on = ev.tick_done(tick, max_ticks, training)
            tick += 1
            if not go_on:
                break
        last = tick - 1
        self.ticks_on_example = last + 1
        if backward:
            self.hook("preExampleBackProc", plans)
            for p in plans:
                p.start_back()
            for t in range(last, 0, -1):
                for p in plans:
                    p.restore_output_derivs(t)
                for p in plans:
                    p.output_back(t)
                for p in plans:
                    p.restore(t - 1)
                for p in plans:
                    p.input_back(acc, t)
            for p in plans:
                p.restore(last, inputs=False)
            self.current_tick = 0
        return err, ev.ok, last + 1

    def run_ticks(self, S, idx, training: bool, backward: bool):
        """Examples ``idx`` of ``S`` (drawn lazily: a PROBABILISTIC choice shares the generator with
        the noise) run as Lens runs them; with ``backward``, every unlesioned unit's link derivatives
        summed over them and multiplied by 1/ticksPerInterval. Returns each example's error, whether
        it met the criteria, and the ticks run (tick 0 included, as Lens counts them)."""
        self.configure()
        self.check_loaded(S)
        for g in self.groups.values():
            if g.kind != "BIAS" and "RESET_ON_EXAMPLE" not in g.flags:
                raise LensError(f"group '{g.name}' is not RESET_ON_EXAMPLE; carrying outputs from one example "
                                "to the next is not implemented in pdpsim")
            if g.kind == "OUTPUT":
                g.group.error.ticks = self.ticks_per_interval
            if backward and "PRODUCT" in g.in_procs:
                raise LensError(f"training a CONTINUOUS network with the PRODUCT group '{g.name}' is not "
                                "implemented in pdpsim (Lens divides by the senders' outputs of tick 0, never stored "
                                "in batch mode: 0, and its link derivatives are NaN)")
        plans = {g.name: _Unit(self, g) for g in self.groups.values()}
        for p in plans.values():
            p.blocks = [(plans[b.source.name], b) for b in p.g.blocks]
        order = list(plans.values())
        acc = {id(b): np.zeros_like(b.block.weights) for _g, b in self.all_blocks()} if backward else None
        if backward:
            self.reset_gain_derivs()
        errs, correct, ticks = self._each_example(S, idx, order, self._tick_example, training, backward, acc)
        if backward:
            scale = 1.0 / self.ticks_per_interval
            for g, b in self.all_blocks():
                keep = ~g.lesioned
                b.block.weight_deriv[:, keep] = acc[id(b)][:, keep] * scale
            for g in self.groups.values():
                g.gain_deriv[~g.lesioned] *= scale
        return np.array(errs), np.array(correct, dtype=bool), ticks
