"""``pdpsim explain``: one training step traced number by number, in the lecture's notation.

The numbers come from the simulator's own arrays (``Network.forward``,
``Network.backward``, the update rule), so the trace shows what pdpsim does,
not a second calculation beside it.

The default is the lecture's "really simple example": input .03 -> hidden ->
output, w1 = .13 (input to hidden), w2 = .32 (hidden to output), target 1,
learning rate .5, logistic units, E = 1/2 (t - a)^2, no bias.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pdpsim.model.examples import ExampleSet
from pdpsim.learning.rules import update_weights
from pdpsim.model.network import Group, LinkBlock, Network
from pdpsim.training.params import TrainingParams
from pdpsim.dynamics.feedforward import feedforward_arrays


def lecture_network(input_value: float = 0.03, w1: float = 0.13, w2: float = 0.32,
                    target: float = 1.0) -> tuple[Network, ExampleSet]:
    """The lecture's one-input, one-hidden, one-output network and its one example."""
    net = Network("lecture", seed=0)
    net.add_group("input", 1, kind="INPUT")
    net.add_group("hidden", 1)
    net.add_group("output", 1, kind="OUTPUT", error="SUM_SQUARED")
    net.connect("input", "hidden", weights=[[w1]])
    net.connect("hidden", "output", weights=[[w2]])
    xs = ExampleSet({"input": [[input_value]]}, {"output": [[target]]}, names=["example"], name="lecture")
    return net, xs


#: the numbers printed on the lecture's slides, to six decimals as shown there
SLIDE = {
    "net_hidden": 0.0039, "a_hidden": 0.500975, "net_output": 0.160312, "a_output": 0.539992,
    "E": 0.105804, "dE/dw2": 0.057245, "new_w2": 0.3486225, "dE/dw1": 0.000274, "new_w1": 0.129863,
}

SLIDE_NOTES = """\
Where the slides differ from these numbers, and why:
  * dE/dw2: the slide writes +.057245; the derivative is -.057245. The slide uses
    (t - a) where the chain rule gives dE/da = -(t - a). Its new w2 = .3486225 is
    right all the same: it adds eps * .057245 (the step is -eps dE/dw = +.0286225),
    although it writes ".32 - 0.5 * .057245" (which would be .2913775). Its last
    digit differs from .3486222 because it rounds dE/dw2 to .057245 first.
  * dE/dw1: the slide writes +.000274 (its line also puts a stray -eps inside the
    derivative); the derivative is -.000274, for the same reason.
  * new w1: the slide gives .129863 = .13 - .5 * .000274, a step uphill. With the
    correct sign the step is -eps dE/dw1 = +.000137 and the new w1 is .130137: both
    weights grow, which moves the output toward its target of 1, as the slide's
    "We're doing better" says."""


def _fmt(x: float) -> str:
    return f"{x:.6g}"


def _f_formula(g: Group) -> tuple[str, str]:
    """a = f(n) and da/dn as the rule writes them (``OutputFunction.formula``)."""
    return g.function.formula


def _f_prime(g: Group, j: int) -> float:
    """da/dn of unit j on this example: the rule's own slope at its output and net input."""
    return float(g.function.slope(g.output[0, j], g.net_input[0, j]))


def _error_formula(g: Group) -> tuple[str, str]:
    """E and dE/da as the rule writes them, with its error scale (``ErrorFunction.describe``)."""
    return g.error.describe()


@dataclass
class Explanation:
    text: str
    values: dict


def explain(net: Network, examples: ExampleSet, example: int | str = 0, params: TrainingParams | None = None,
            compare_with_slides: bool = False) -> Explanation:
    """Run one update on one example and describe every step.

    Returns the printed text and a dict of the key numbers (for tests).
    """
    params = (params or TrainingParams()).validated()
    i = examples.index(example)
    inputs, targets = feedforward_arrays(net, examples)
    out: list[str] = []
    vals: dict = {}
    p = out.append
    p(f"Network '{net.name}', example '{examples.names[i]}', learning rate eps = {_fmt(params.learning_rate)}"
      + (f", momentum alpha = {_fmt(params.momentum)}" if params.algorithm != "steepest" else ""))
    old = {b.name: b.weights.copy() for b in net.blocks}

    net.forward({g: x[i:i + 1] for g, x in inputs.items()})
    net.set_targets({g: t[i:i + 1] for g, t in targets.items()})
    p("")
    p("The forward pass")
    for g in net.input_groups:
        for u in range(g.size):
            p(f"  a[{g.unit_names[u]}] = {_fmt(g.output[0, u])}   (input)")
    for g in net.order:
        if g.kind in ("INPUT", "BIAS"):
            continue
        fwd, _ = _f_formula(g)
        for j in range(g.size):
            terms = []
            for b in g.incoming:
                for k in range(b.source.size):
                    terms.append((b.source.unit_names[k], b.source.output[0, k], b.weights[k, j]))
            expr = " + ".join(f"{_fmt(a)} * {_fmt(w)}" for _, a, w in terms)
            names = " + ".join(f"a[{s}] w[{s}->{g.unit_names[j]}]" for s, _, _ in terms)
            n, a = g.net_input[0, j], g.output[0, j]
            p(f"  n[{g.unit_names[j]}] = {names}")
            p(f"      = {expr} = {_fmt(n)}")
            p(f"  a[{g.unit_names[j]}] = {fwd} = {_fmt(a)}")
            vals[f"net[{g.unit_names[j]}]"] = float(n)
            vals[f"a[{g.unit_names[j]}]"] = float(a)
    errors = net.error()
    E = float(errors.sum())
    vals["E"] = E
    p("")
    p("The error")
    for g in net.output_groups:
        ef, _ = _error_formula(g)
        t = net.effective_target(g)
        pairs = ", ".join(f"t = {_fmt(t[0, j])}, a = {_fmt(g.output[0, j])}" for j in range(g.size))
        p(f"  {g.name}: {ef}   ({pairs})")
    p(f"  E = {_fmt(E)}")

    net.backward()
    p("")
    p("The backward pass (dE/da = output derivative, dE/dn = input derivative)")
    for g in reversed(net.order):
        if g.kind in ("INPUT", "BIAS"):
            continue
        _, fprime = _f_formula(g)
        for j in range(g.size):
            name = g.unit_names[j]
            if g.has_targets:
                _, d = _error_formula(g)
                p(f"  dE/da[{name}] = {d} = {_fmt(g.output_deriv[0, j])}")
            else:
                terms = [(b.dest.unit_names[k], b.dest.input_deriv[0, k], b.weights[j, k])
                         for b in g.outgoing for k in range(b.dest.size)]
                p(f"  dE/da[{name}] = sum_k dE/dn[k] w[{name}->k] = "
                  + " + ".join(f"{_fmt(d)} * {_fmt(w)}" for _, d, w in terms)
                  + f" = {_fmt(g.output_deriv[0, j])}")
            if g.function.elementwise:
                fp = _f_prime(g, j)
                p(f"  da/dn[{name}] = {fprime} = {_fmt(fp)}")
                p(f"  dE/dn[{name}] = dE/da * da/dn = {_fmt(g.output_deriv[0, j])} * {_fmt(fp)} = "
                  f"{_fmt(g.input_deriv[0, j])}")
            else:
                p(f"  dE/dn[{name}] = {fprime} = {_fmt(g.input_deriv[0, j])}")
            vals[f"dE/da[{name}]"] = float(g.output_deriv[0, j])
            vals[f"dE/dn[{name}]"] = float(g.input_deriv[0, j])
        for b in g.incoming:
            for k in range(b.source.size):
                for j in range(g.size):
                    w = _wname(b, k, j)
                    p(f"  dE/dw[{w}] = dE/dn[{g.unit_names[j]}] * a[{b.source.unit_names[k]}] = "
                      f"{_fmt(g.input_deriv[0, j])} * {_fmt(b.source.output[0, k])} = {_fmt(b.weight_deriv[k, j])}")
                    vals[f"dE/dw[{w}]"] = float(b.weight_deriv[k, j])
                    chain = _chain(net, b, k, j)
                    if chain:
                        p(f"      chain rule: {' * '.join(_fmt(c) for c in chain)} = {_fmt(np.prod(chain))}")

    update_weights(net.blocks, params.algorithm, params.learning_rate, params.momentum, params.weight_decay)
    p("")
    rule = {"steepest": "dw = -eps dE/dw", "momentum": "dw = -eps dE/dw + alpha dw(t-1)",
            "dougs_momentum": "dw = -eps dE/dw / max(1, |dE/dw|) + alpha dw(t-1)",
            "delta_bar_delta": "dw = -r eps dE/dw + alpha dw(t-1)"}[params.algorithm]
    p(f"Update the weights ({params.algorithm}: {rule})")
    for b in net.blocks:
        for k in range(b.source.size):
            for j in range(b.dest.size):
                w = _wname(b, k, j)
                w0, w1 = old[b.name][k, j], b.weights[k, j]
                dw = b.last_change[k, j]
                p(f"  w[{w}]: dw = -{_fmt(params.learning_rate)} * {_fmt(b.weight_deriv[k, j])}"
                  + (" + ..." if params.algorithm != "steepest" else "")
                  + f" = {dw:+.6g};  new w = {_fmt(w0)} {'+' if dw >= 0 else '-'} {_fmt(abs(dw))} = {_fmt(w1)}")
                vals[f"new w[{w}]"] = float(w1)
    net.forward({g: x[i:i + 1] for g, x in inputs.items()})
    net.set_targets({g: t[i:i + 1] for g, t in targets.items()})
    E2 = float(net.error().sum())
    vals["E after"] = E2
    p("")
    p(f"With the new weights the same example's error is {_fmt(E2)} (was {_fmt(E)}).")
    if compare_with_slides:
        p("")
        p(_slide_table(vals))
        p("")
        p(SLIDE_NOTES)
    return Explanation("\n".join(out), vals)


def _wname(b: LinkBlock, k: int, j: int) -> str:
    return f"{b.source.unit_names[k]}->{b.dest.unit_names[j]}"


def _chain(net: Network, b: LinkBlock, k: int, j: int) -> list[float] | None:
    """The chain-rule factors of dE/dw when there is one path from the weight to E."""
    factors = [b.source.output[0, k]]                    # dn_j/dw_ij = a_i
    g, u = b.dest, j
    while True:
        if not g.function.elementwise:
            return None
        factors.insert(0, _f_prime(g, u))                # da_j/dn_j
        if g.has_targets:
            if g.outgoing:
                return None
            factors.insert(0, g.output_deriv[0, u])      # dE/da_j
            return factors if len(factors) > 3 else None
        links = [(ob, m) for ob in g.outgoing for m in range(ob.dest.size)]
        if len(links) != 1:
            return None
        ob, m = links[0]
        factors.insert(0, ob.weights[u, m])              # dn_k/da_j = w_jk
        g, u = ob.dest, m


def _slide_table(vals: dict) -> str:
    ours = {
        "net_hidden": vals["net[hidden:0]"], "a_hidden": vals["a[hidden:0]"],
        "net_output": vals["net[output:0]"], "a_output": vals["a[output:0]"], "E": vals["E"],
        "dE/dw2": vals["dE/dw[hidden:0->output:0]"], "new_w2": vals["new w[hidden:0->output:0]"],
        "dE/dw1": vals["dE/dw[input:0->hidden:0]"], "new_w1": vals["new w[input:0->hidden:0]"],
    }
    lines = ["Against the slides", f"  {'quantity':<11} {'slide':>10} {'pdpsim':>13}  agree (6 decimals)"]
    for k, s in SLIDE.items():
        o = ours[k]
        if abs(round(o, 6) - s) < 1.5e-6:
            verdict = "yes"
        elif abs(round(-o, 6) - s) < 1.5e-6:
            verdict = "size yes, sign NO (see below)"
        else:
            verdict = "NO (see below)"
        lines.append(f"  {k:<11} {s:>10.7g} {o:>13.7g}  {verdict}")
    return "\n".join(lines)


def explain_lecture(**kw) -> Explanation:
    """The lecture's worked example, compared with its slides."""
    lr = kw.pop("learning_rate", 0.5)
    net, xs = lecture_network(**kw)
    return explain(net, xs, 0, TrainingParams(learning_rate=lr), compare_with_slides=not kw)
