"""Lens's weight updates: ``steepest``, ``momentum``, ``dougsMomentum``, ``deltaBarDelta``.

:class:`WeightUpdateMixin` is mixed into :class:`~pdpsim.lens.net.LensNet`. The update
is written out as Lens's loops do it, link by link, with parameters looked up block ->
group -> network, frozen links skipped, the last change taken as new weight minus old
weight, and the report statistics (weight cost, gradient linearity).
"""
from __future__ import annotations

import math

import numpy as np

from pdpsim.lens.functions import choose, LensError, NAN

ALGORITHMS = {"steepest": "Steepest Descent", "momentum": "Momentum Descent",
              "dougsMomentum": "Doug's Momentum", "deltaBarDelta": "Delta-Bar-Delta"}


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
            total = 0.0
            for g, b in live:
                d = b.block.weight_deriv[:, ~b.frozen & ~g.lesioned]
                total += float(np.vdot(d, d))
            scale = 1.0 / math.sqrt(total) if total > 1.0 else 1.0
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
