"""Lens's less common group procedures, unit loop by unit loop, for the runs of
:mod:`pdpsim.lens.ticks` (CONTINUOUS networks) and :mod:`pdpsim.lens.steps` (standard and
simple recurrent networks).

Each takes the group's run state (``ticks._Unit``: its unit fields ``s``, the mask ``k`` of
units not lesioned, its incoming ``blocks`` with each sender's output cache ``O`` and
output-derivative cache ``D``, and ``mem``, what each procedure stored at each tick) and does
what Lens's procedure of the same name does:

* input procedures: DISTANCE (n = sum over links of (w - a)^2), PRODUCT (n = product over links
  of a w), IN_NORM (the net inputs divided by their sum, when it is not 0), INCR_CLAMP (the
  external input times the clamp strength added to the input; nothing going back);
* output procedures: OUT_NORM (the outputs divided by their sum), OUT_CROPPED (outputs cut to
  the group's minOutput / maxOutput), OUT_WINNER (every unit but the most active one, which must
  exceed minOutput, set to minOutput), ELMAN_CLAMP (the source group's output added),
  INTERACT_INTEGR (McClelland and Rumelhart's interactive activation, as Lens has it: with input
  n, a moves by dt (max - a) n - dt (a - rest) for n > 0, else dt (a - min) n - dt (a - rest),
  rest the initOutput, and is then kept within [0, max]; nothing going back);
* going back, the same in reverse: IN_NORM and OUT_NORM through the normalisation's Jacobian,
  OUT_CROPPED and OUT_WINNER restoring the output they changed (the derivative passes through
  unchanged, as in Lens), DISTANCE and PRODUCT crediting their links and senders.

Links missing from a block (RANDOM projections, deleted links) take no part.
"""
from __future__ import annotations

import numpy as np

from pdpsim.lens import kohonen

EXTRA_INPUT = ("DISTANCE", "PRODUCT", "IN_NORM", "INCR_CLAMP")
EXTRA_OUTPUT = ("OUT_NORM", "OUT_CROPPED", "OUT_WINNER", "ELMAN_CLAMP", "INTERACT_INTEGR",
                "KOHONEN")                             # KOHONEN: pdpsim.lens.kohonen
#: history kept per tick by these procedures
STORED = ("PRODUCT", "IN_NORM", "OUT_NORM", "OUT_CROPPED", "OUT_WINNER")


def input_forward(u, proc: str) -> None:
    s, k = u.s, u.k
    inp = s["input"]
    if proc == "DISTANCE":
        parts = [np.zeros((1, u.n))]
        for src, b in u.blocks:
            d = np.square(b.block.weights - src.O[:, None])
            if b.mask is not None:
                d = np.where(b.mask, d, 0.0)
            parts.append(d)
        # one running sum in Lens's order, block after block (a KOHONEN winner can turn on its last bit)
        net = np.add.accumulate(np.concatenate(parts, axis=0), axis=0)[-1]
        inp[k] = net[k]
    elif proc == "PRODUCT":
        net = np.ones(u.n)
        with np.errstate(all="ignore"):
            for src, b in u.blocks:
                f = src.O[:, None] * b.block.weights
                if b.mask is not None:
                    f = np.where(b.mask, f, 1.0)
                net *= np.prod(f, axis=0)
        inp[k] = net[k]
        u.mem[proc].append(inp.copy())
    elif proc == "INCR_CLAMP":
        ext = s["externalInput"]
        m = k & ~np.isnan(ext)
        inp[m] += u.strength * ext[m]
    elif proc == "IN_NORM":
        total = float(inp[k].sum())
        scale = 0.0
        if total != 0.0:
            scale = 1.0 / total
            inp[k] *= scale
        u.mem[proc].append((inp.copy(), scale))
    else:  # pragma: no cover - guarded by group_spec
        raise ValueError(proc)


def input_back(u, proc: str, t: int, acc: dict) -> None:
    s, k = u.s, u.k
    idv = s["inputDeriv"]
    if proc == "INCR_CLAMP":                   # Lens has no backward procedure for it
        return
    if proc == "IN_NORM":
        normed, scale = u.mem[proc][t]
        shift = float((idv[k] * normed[k]).sum())
        idv[k] = scale * (idv[k] - shift)
    elif proc == "DISTANCE":
        x = idv * 2.0
        sel = k & (x != 0.0)
        for src, b in u.blocks:
            delta = x[None, :] * (b.block.weights - src.O[:, None])
            live = sel[None, :] if b.mask is None else (b.mask & sel[None, :])
            delta = np.where(live, delta, 0.0)
            src.D -= delta.sum(axis=1)
            acc[id(b)] += delta
    elif proc == "PRODUCT":
        p = idv * u.mem[proc][t]
        with np.errstate(all="ignore"):
            for src, b in u.blocks:
                w = b.block.weights
                o = src.O[:, None]
                v = p[None, :] / (o * w)
                live = np.broadcast_to(k[None, :], w.shape) if b.mask is None else (b.mask & k[None, :])
                src.D += np.where(live, v * w, 0.0).sum(axis=1)
                acc[id(b)] += np.where(live, v * o, 0.0)
    else:  # pragma: no cover
        raise ValueError(proc)


def output_forward(u, proc: str) -> None:
    s, k = u.s, u.k
    out = s["output"]
    if proc == "OUT_NORM":
        total = float(out[k].sum())
        orig = out.copy()
        scale = 0.0
        if total != 0.0:
            scale = 1.0 / total
            out[k] *= scale
        u.mem[proc].append((orig, scale))
    elif proc == "OUT_CROPPED":
        u.mem[proc].append(out.copy())
        hi, lo = u.max_output, u.min_output
        over = k & (out > hi)
        under = k & ~over & (out < lo)
        out[over] = hi
        out[under] = lo
    elif proc == "OUT_WINNER":
        u.mem[proc].append(out.copy())
        best, winner = u.min_output, -1
        for j in np.flatnonzero(k):
            if out[j] > best:
                best, winner = out[j], j
        lose = k.copy()
        if winner >= 0:
            lose[winner] = False
        out[lose] = u.min_output
    elif proc == "ELMAN_CLAMP":
        if u.elman is not None:
            out[k] += u.elman.O[k]
    elif proc == "INTERACT_INTEGR":
        last, x = u.interact, s["input"]
        dt = u.gdt * u.udt[k]
        hi, lo, rest = u.max_output, u.min_output, u.init_out
        a, n = last[k], x[k]
        a = np.where(n > 0.0, a + dt * ((hi - a) * n - (a - rest)), a + dt * ((a - lo) * n - (a - rest)))
        a = np.where(a > hi, hi, np.where(a < 0.0, 0.0, a))
        out[k] = last[k] = a
    elif proc == "KOHONEN":
        kohonen.output_forward(u)
    else:  # pragma: no cover
        raise ValueError(proc)


def output_back(u, proc: str, t: int) -> None:
    s, k = u.s, u.k
    out, od = s["output"], s["outputDeriv"]
    if proc == "OUT_NORM":
        orig, scale = u.mem[proc][t]
        shift = float((od[k] * out[k]).sum())
        od[k] = scale * (od[k] - shift)
        out[k] = orig[k]
    elif proc in ("OUT_CROPPED", "OUT_WINNER"):
        out[k] = u.mem[proc][t][k]
    elif proc == "ELMAN_CLAMP":
        if u.elman is not None:
            u.elman.D[k] += od[k]
            out[k] -= u.elman.O[k]
    elif proc == "INTERACT_INTEGR":           # Lens has no backward procedure for it
        pass
    elif proc == "KOHONEN":
        kohonen.output_back(u)
    else:  # pragma: no cover
        raise ValueError(proc)


#: the types only Lens's unit loops run in pdpsim (ticks.py, steps.py), not the batched passes
LOOP_TYPES = {"DISTANCE", "PRODUCT", "IN_NORM", "OUT_NORM", "OUT_CROPPED", "OUT_WINNER", "TERNARY", "GAUSSIAN",
              "COSINE", "LINEAR_COST", "QUADRATIC_COST", "CONV_QUAD_COST", "LOGISTIC_COST", "COSINE_COST",
              "DELTA_COST", "IN_COPY", "OUT_COPY", "TARGET_COPY"}


def needs_loops(g) -> bool:
    """Whether group ``g`` has a type that only Lens's unit loops run."""
    return "ADAPTIVE_GAIN" in g.flags or bool(LOOP_TYPES & (set(g.in_procs) | set(g.out_procs) | set(g.cost_procs))) \
        or kohonen.loops(g)


#: the output functions that use each unit's own gain in an ADAPTIVE_GAIN group
GAIN_FUNCTIONS = ("LOGISTIC", "TANH", "GAUSSIAN")


def adaptive_forward(u, n: np.ndarray) -> np.ndarray:
    """LOGISTIC, TANH or GAUSSIAN of an ADAPTIVE_GAIN group: the function of each unit's net input
    times the unit's own gain."""
    fn = u.fn
    gain, fn.gain = fn.gain, 1.0
    a = np.empty(u.n)
    try:
        fn.forward((n * u.g.unit_gain)[None, :], a[None, :])
    finally:
        fn.gain = gain
    return a


def adaptive_back(u, proc: str) -> None:
    """Going back through an ADAPTIVE_GAIN group's function: the input derivative with each unit's
    gain, and the unit's gain derivative accumulated (Lens's gainDeriv)."""
    s, k = u.s, u.k
    od, out, inp, gain = s["outputDeriv"], s["output"], s["input"], u.g.unit_gain
    # x = dE/da f'(gain n): the function's own backward rule at gain 1 (Lens takes TANH's slope at
    # the raw net input); then dE/dn = x gain and dE/dgain = x n
    fn = u.fn
    kept, fn.gain = fn.gain, 1.0
    x = np.empty(u.n)
    try:
        fn.backward(out[None, :], od[None, :], x[None, :], (inp if proc == "TANH" else inp * gain)[None, :])
    finally:
        fn.gain = kept
    idv, gd = x * gain, x * inp
    s["inputDeriv"][k] = idv[k]
    u.g.gain_deriv[k] += gd[k]
