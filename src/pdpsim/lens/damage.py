"""Lesioned units and noise in a Lens network, as Lens's unit loops and noise procedures see them.

:class:`DamageMixin` is mixed into :class:`~pdpsim.lens.net.LensNet`. Lens marks a lesioned
unit LESIONED and every unit loop of a pass (``FOR_EACH_UNIT``) skips it: its output stays 0,
its input and input derivative NaN, its output derivative 0; it has no error, meets every
criterion, sends nothing back, its incoming links are neither updated nor have their
derivatives cleared, and ``resetNet`` leaves it (and its links' values) alone. Noise is drawn
unit by unit, in Lens's order, from Lens's generator (``LensRandom.noise``): on the external
inputs of an event (EXT_INPUT_NOISE), the net inputs (IN_NOISE) and outputs (OUT_NOISE) in the
forward pass, the output and input derivatives (OUT_DERIV_NOISE, IN_DERIV_NOISE) in the backward
pass, and the link derivatives at the end of a batch (DERIV_NOISE). A network with either runs
example by example through :meth:`~pdpsim.lens.srbptt.SrbpttMixin.run_srn` (a CONTINUOUS one
through :meth:`~pdpsim.lens.ticks.TicksMixin.run_ticks`), which draw them where Lens does.
"""
from __future__ import annotations

import numpy as np

from pdpsim.lens.functions import NAN, LensError, choose

#: the noise types of a group's input and output procedures
NOISE_TYPES = ("IN_NOISE", "IN_DERIV_NOISE", "OUT_NOISE", "OUT_DERIV_NOISE")
#: noiseType's procedures (Lens's addGaussianNoise, multGaussianNoise, addUniformNoise, multUniformNoise)
NOISE_PROCS = ("addGaussian", "multGaussian", "addUniform", "multUniform")


class DamageMixin:
    """Lesioned units and noise of :class:`~pdpsim.lens.net.LensNet`."""

    def has_damage(self) -> bool:
        """Lesioned units or noise anywhere (the network then runs example by example)."""
        return any(g.lesioned.any() or g.noise_types or {"EXT_INPUT_NOISE", "DERIV_NOISE"} & g.flags
                   for g in self.groups.values())

    def pick_examples(self, S, n: int):
        """The next n examples of ``S``: drawn one at a time as each runs when the set's choice
        (PROBABILISTIC: ``drand48``) shares Lens's generator with noise drawn while running, or Tcl
        procedures run inside examples (which may draw numbers or change the set's position)."""
        noisy = any(g.noise_types or {"EXT_INPUT_NOISE", "DERIV_NOISE"} & g.flags for g in self.groups.values())
        if (S.mode == "PROBABILISTIC" and noisy) or self.has_procs(S):   # (procs may draw numbers)
            return (int(S.next_indices(1)[0]) for _ in range(n))
        return S.next_indices(n)

    def noise_range(self, g) -> float:
        return float(choose(g.params["noiseRange"], self.params["noiseRange"]))

    def forward_noise(self, g, kind: str, values: np.ndarray, rand) -> np.ndarray:
        """``values`` (1, units) with the group's noise of type ``kind`` drawn on each unit that is
        not lesioned, in order; the same array if the group has no such noise."""
        if kind not in g.noise_types:
            return values
        return rand.noise_array(g.noise_proc, values, self.noise_range(g), g.lesioned)

    def event_inputs(self, S, i: int, t: int, rand, check: bool = True) -> dict[str, np.ndarray]:
        """The external inputs of example i, event t, for each input group, after Lens's
        EXT_INPUT_NOISE (drawn for every group with the type, in order, at the event's start)."""
        ex = S.examples
        out = {}
        for g in self.groups.values():
            if g.kind != "INPUT":
                continue
            x = ex.inputs[g.name][i, t].astype(float)
            if not check:
                nan = np.isnan(x)
                if "EXT_INPUT_NOISE" in g.flags:   # Lens draws only for the units with an input
                    x = rand.noise_array(g.noise_proc, x[None, :], self.noise_range(g), g.lesioned | nan)[0]
                out[g.name] = x
                continue
            if np.isnan(x).any():
                raise LensError(f"example set '{S.name}': an input of group '{g.name}' is '-' (no input); "
                                "unclamped inputs are not implemented")
            if "EXT_INPUT_NOISE" in g.flags:
                x = rand.noise_array(g.noise_proc, x[None, :], self.noise_range(g), g.lesioned)[0]
            out[g.name] = x
        return out

    def deriv_noise(self) -> None:
        """Lens's injectLinkDerivNoise at the end of a training batch: each link derivative of a
        DERIV_NOISE group's (unlesioned) units, in Lens's link order."""
        for g in self.groups.values():
            if "DERIV_NOISE" not in g.flags:
                continue
            r = self.noise_range(g)
            for j in range(g.size):
                if g.lesioned[j]:
                    continue
                for b in g.blocks:
                    d = b.block.weight_deriv
                    for s in b.senders(j):
                        d[s, j] = self.rand.noise(g.noise_proc, float(d[s, j]), r)

    def lesion_state(self) -> None:
        """What a lesioned unit shows (Lens's lesionUnit, and no pass since touches it)."""
        for g in self.groups.values():
            k = g.lesioned
            if not k.any():
                continue
            s = g.state
            s["output"][k] = 0.0
            s["outputDeriv"][k] = 0.0
            for f in ("input", "inputDeriv", "adjustedTarget"):
                s[f][k] = NAN

    def lesion_units(self, g, units) -> None:
        """Lens's lesionUnit on each unit of ``units`` (indices) of group ``g``."""
        for j in units:
            g.lesioned[j] = True
            g.hist0_nan[j] = True                # lesionUnit fills the unit's history with NaN
            g.state["target"][j] = NAN
            self.lesion_history(g, j)
        self.lesion_state()
