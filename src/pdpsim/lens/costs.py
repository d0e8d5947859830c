"""Lens's output-cost group types: costs on a group's unit outputs, whatever their targets.

Each of LINEAR_COST, QUADRATIC_COST, CONV_QUAD_COST, LOGISTIC_COST, COSINE_COST and DELTA_COST is
one of the group's cost procedures (with the error, in the order Lens's type cleanup keeps them).
Forward, each adds its cost (times the group's ``outputCostScale``, over ticksPerInterval) to the
group's and the network's ``outputCost``; backward (in reverse order, after the output derivatives
were cleared) each adds its derivative, times the network's ``outputCostStrength``, to the units'
``outputDeriv``. The cost's peak p is the group's ``outputCostPeak``, else the network's.

* LINEAR_COST: |o| when minOutput or maxOutput is NaN; else (o - min)/(p - min) up to p and
  (max - o)/(max - p) above it. Derivative: sign(o), or 1/(p - min) below p, 1/(p - max) above it,
  0 at p.
* QUADRATIC_COST: the square of the same (o^2 unbounded); derivative 2 o, or
  2 (o - min)/(p - min)^2 below p, -2 (max - o)/(max - p)^2 above it.
* CONV_QUAD_COST: with m = 2p - 1 when p < 0.5 (else 0), (o (2p - o) - m)/(p^2 - m); derivative
  2 (p - o)/(p^2 - m).
* LOGISTIC_COST: 1 + (o (ln o - ln p) + (1 - o)(ln(1 - o) - ln(1 - p))) / ln p (ln(1 - p) when
  p > 0.5), the output taken as 0 or 1 beyond them; derivative (ln o - ln p - ln(1 - o) +
  ln(1 - p)) over the same, o kept within 1e-6 of 0 and 1.
* COSINE_COST: 1 - cos(pi o / p) up to p, 1 - cos(pi (o - 2p + 1)/(1 - p)) above; derivative
  pi/2 sin(...)/p (or /(1 - p)) (Lens's own derivative, half the cost's); pi is Lens's 3.1415927.
* DELTA_COST: the squared change of each output since the tick before (the group keeps its last
  two outputs across examples, as Lens does); derivative 2 (o - previous). On an example's first
  tick of a RESET_ON_EXAMPLE group of a network that is not CONTINUOUS it counts nothing and,
  going back, takes the output as the previous one.

Lesioned units are skipped.
"""
from __future__ import annotations

import math

import numpy as np

from pdpsim.lens.functions import choose

#: Lens's PI (util.h), which COSINE_COST uses
PI = 3.1415927

UNIT_COSTS = ("LINEAR_COST", "QUADRATIC_COST", "CONV_QUAD_COST", "LOGISTIC_COST", "COSINE_COST", "DELTA_COST")


def _peak(u) -> float:
    return float(choose(u.g.params["outputCostPeak"], u.lnet.params["outputCostPeak"]))


def _delta_state(u) -> np.ndarray:
    """The group's DELTA_COST memory: last and this output of each unit (zero at first)."""
    st = getattr(u.g, "delta_cost", None)
    if st is None or st.shape[1] != u.n:
        st = u.g.delta_cost = np.zeros((2, u.n))
    return st


def _reset_tick(u) -> bool:
    return "RESET_ON_EXAMPLE" in u.g.flags and not u.continuous and u.tick == 0


def forward(u, proc: str) -> float:
    """A cost procedure forward: the cost it adds to the group's and network's outputCost."""
    k = u.k
    o = u.s["output"][k]
    lo, hi = u.min_output, u.max_output
    bounded = not (math.isnan(lo) or math.isnan(hi))
    if proc == "LINEAR_COST":
        if not bounded:
            c = np.abs(o)
        else:
            p = _peak(u)
            c = np.where(o <= p, (o - lo) * (1.0 / (p - lo)), (hi - o) * (1.0 / (hi - p)))
        cost = _sum(c)
    elif proc == "QUADRATIC_COST":
        if not bounded:
            c = np.square(o)
        else:
            p = _peak(u)
            c = np.square(np.where(o <= p, (o - lo) * (1.0 / (p - lo)), (hi - o) * (1.0 / (hi - p))))
        cost = _sum(c)
    elif proc == "CONV_QUAD_COST":
        p = _peak(u)
        m = p * 2 - 1 if p < 0.5 else 0.0
        scale = 1.0 / (p * p - m)
        cost = _sum((o * (p * 2 - o) - m) * scale)
    elif proc == "LOGISTIC_COST":
        p = _peak(u)
        logp, log1mp = math.log(p), math.log(1.0 - p)
        scale = 1.0 / logp if p <= 0.5 else 1.0 / log1mp
        cost = 0.0
        for x in o:
            if x <= 0.0:
                cost += -log1mp * scale + 1.0
            elif x >= 1.0:
                cost += -logp * scale + 1.0
            else:
                cost += (x * (math.log(x) - logp) + (1 - x) * (math.log(1 - x) - log1mp)) * scale + 1.0
    elif proc == "COSINE_COST":
        p = _peak(u)
        invp, inv1mp = 1.0 / p, 1.0 / (1.0 - p)
        cost = 0.0
        for x in o:
            cost += (1 - math.cos(PI * invp * x)) if x <= p else \
                (1 - math.cos(PI * inv1mp * (x - 2 * p + 1)))
    elif proc == "DELTA_COST":
        if _reset_tick(u):
            return 0.0
        st = _delta_state(u)
        st[0, k] = st[1, k]
        st[1, k] = o
        cost = _sum(np.square(st[1, k] - st[0, k]))
    else:  # pragma: no cover - guarded by group_spec
        raise ValueError(proc)
    cost *= float(u.g.params["outputCostScale"]) / u.lnet.ticks_per_interval
    u.g.output_cost += cost
    u.lnet.output_cost += cost
    return cost


def _sum(values: np.ndarray) -> float:
    """A sum in Lens's order (unit by unit)."""
    total = 0.0
    for v in values:
        total += float(v)
    return total


def back(u, proc: str) -> None:
    """A cost procedure backward: its derivative added to the units' outputDeriv."""
    k = u.k
    s = u.s
    o = s["output"]
    od = s["outputDeriv"]
    net_strength = float(u.lnet.params["outputCostStrength"])
    scale_g = float(u.g.params["outputCostScale"])
    tpi = u.lnet.ticks_per_interval
    lo, hi = u.min_output, u.max_output
    bounded = not (math.isnan(lo) or math.isnan(hi))
    if proc == "LINEAR_COST":
        strength = net_strength * scale_g / tpi
        if not bounded:
            d = np.where(o > 0, strength, np.where(o < 0, -strength, 0.0))
        else:
            p = _peak(u)
            d = np.where(o < p, strength / (p - lo), np.where(o > p, strength / (p - hi), 0.0))
    elif proc == "QUADRATIC_COST":
        strength = net_strength * scale_g * 2.0 / tpi
        if not bounded:
            d = strength * o
        else:
            p = _peak(u)
            left, right = strength / (p - lo) ** 2, -strength / (hi - p) ** 2
            d = np.where(o < p, left * (o - lo), np.where(o > p, right * (hi - o), 0.0))
    elif proc == "CONV_QUAD_COST":
        p = _peak(u)
        m = 2 * p - 1 if p < 0.5 else 0.0
        scale = net_strength * scale_g * 2.0 / (tpi * (p * p - m))
        d = (p - o) * scale
    elif proc == "LOGISTIC_COST":
        strength = net_strength * scale_g / tpi
        p = _peak(u)
        logp, log1mp = math.log(p), math.log(1.0 - p)
        scale = strength / logp if p <= 0.5 else strength / log1mp
        x = np.where(o < 1e-6, 1e-6, np.where(o > 1.0 - 1e-6, 1.0 - 1e-6, o))
        with np.errstate(all="ignore"):
            d = (np.log(x) - logp - np.log(1 - x) + log1mp) * scale
    elif proc == "COSINE_COST":
        strength = net_strength * scale_g * PI * 0.5 / tpi
        p = _peak(u)
        invp, inv1mp = 1.0 / p, 1.0 / (1.0 - p)
        d = np.where(o <= p, strength * invp * np.sin(PI * invp * o),
                     strength * inv1mp * np.sin(PI * inv1mp * (o - 2 * p + 1)))
    elif proc == "DELTA_COST":
        st = _delta_state(u)
        if _reset_tick(u):
            st[0, k] = o[k]
            return
        strength = net_strength * scale_g * 2.0 / tpi
        d = strength * (st[1] - st[0])
    else:  # pragma: no cover
        raise ValueError(proc)
    od[k] += d[k]
