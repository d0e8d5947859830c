"""Lens's weight updates: ``steepest``, ``momentum``, ``dougsMomentum``, ``deltaBarDelta``.

:class:`WeightUpdateMixin` is mixed into :class:`~pdpsim.lens.net.LensNet`. The change is
pdpsim's own (:mod:`pdpsim.learning.rules`: :func:`~pdpsim.learning.rules.weight_change`,
:func:`~pdpsim.learning.rules.dougs_scale`, :func:`~pdpsim.learning.rules.rate_factor`); what is
Lens's here is where its parameters come from (looked up block -> group -> network, per
receiving unit), which links change (frozen links and lesioned units skipped), its weight
bounds, delta-bar-delta's sign test (Lens compares sign bits, so a zero of either sign counts),
the last change taken as new weight minus old weight, and the report statistics (weight cost,
gradient linearity).
"""
from __future__ import annotations

import math

import numpy as np

from pdpsim.learning.rules import dougs_scale, rate_factor, weight_change
from pdpsim.lens.functions import choose, LensError, NAN

ALGORITHMS = {"steepest": "Steepest Descent", "momentum": "Momentum Descent",
              "dougsMomentum": "Doug's Momentum", "deltaBarDelta": "Delta-Bar-Delta"}


def _lens_sq_norm(live) -> float:
    """Lens's sum of squared link derivatives (Doug's momentum), added one by one in Lens's order
    (group, receiving unit, block, link) as Lens adds them: another order changes the scale in its
    last bits, which a KOHONEN map's winner can turn into a different update (kohonen.in)."""
    parts, groups = [np.zeros(1)], {}
    for g, b in live:
        groups.setdefault(id(g), (g, []))[1].append(b)
    for g, blocks in groups.values():
        parts.append(np.concatenate([np.where((~b.frozen & ~g.lesioned)[None, :], b.block.weight_deriv, 0.0)
                                     for b in blocks], axis=0).T.ravel())
    d = np.concatenate(parts)
    return float(np.add.accumulate(d * d)[-1])


class WeightUpdateMixin:
    """The weight update of :class:`~pdpsim.lens.net.LensNet`, from the summed link derivatives."""

    # ------------------------------------------------------------ weight update
    def update_weights(self, algorithm: str, do_stats: bool) -> None:
        """One weight update from the summed link derivatives (Lens's *UpdateWeights)."""
        self.gradient_linearity = 1.0
        self.weight_cost = 0.0
        if self.frozen:
            return
        net = self.params
        for g in self.groups.values():            # Lens's updateAdaptiveGain
            if "ADAPTIVE_GAIN" in g.flags and not g.frozen:
                k = ~g.lesioned
                decay = choose(g.params["gainDecay"], net["gainDecay"])
                gain = g.unit_gain[k] - (net["adaptiveGainRate"] * g.gain_deriv[k] + decay * g.unit_gain[k])
                g.unit_gain[k] = np.where(gain < 1e-8, 1e-8, gain)
        live = [(g, b) for g, b in self.all_blocks() if not g.frozen]
        scale = 1.0
        if algorithm == "dougsMomentum":
            scale = float(dougs_scale(_lens_sq_norm(live)))     # (in Lens's order: see _lens_sq_norm)
        grad_lin = last_len = deriv_len = weight_cost = 0.0
        inc, dec = net["rateIncrement"], net["rateDecrement"]
        for g, b in live:
            cols = ~b.frozen & ~g.lesioned            # Lens's update loop skips lesioned units
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
                eps, mom = lr, 0.0
            elif algorithm == "momentum":
                eps = lr
            elif algorithm == "dougsMomentum":
                eps = lr * scale
            elif algorithm == "deltaBarDelta":
                # Lens's sign test compares sign bits: opposite bits, as opposite signs, grow the rate
                r = rate_factor(b.rate_factor[:, cols], np.where(np.signbit(deriv), -1.0, 1.0),
                                np.where(np.signbit(last), -1.0, 1.0), inc, dec)
                eps = r * lr
                b.rate_factor[:, cols] = r
            else:
                raise LensError(f"unknown algorithm {algorithm!r}")
            dw = weight_change(deriv, last, w_old, eps, mom, np.where(decay > 0.0, decay, 0.0))   # (Lens: only > 0)
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
