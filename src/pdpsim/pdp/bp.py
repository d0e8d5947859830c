"""The handbook's ``bp`` program unit by unit: cascade mode, linked weights, copied inputs.

pdpsim trains a PDP handbook network with its own machinery (see
:mod:`pdpsim.pdp.script`) whenever that gives what ``bp`` gives. A few of
``bp``'s features do not fit it, and for those :class:`BpEngine` runs ``bp``'s
own loop over units (read from the handbook's ``bp.c``, written in our words)
on the weights of the pdpsim network that
:meth:`pdpsim.formats.pdp_handbook.NetFile.build` made:

* **cascade mode** (``set mode cascade 1``). Activation builds up over
  ``ncycles`` cycles. First the network is put in the state it settles to with
  every input unit at 0 (each unit, in unit order, gets ``n = bias + sum of
  w a`` over its non-input senders and ``a = f(n)``); then the pattern's
  input is set and, on each cycle, every unit in unit order takes::

      n_i <- crate * (bias_i + sum_j w_ij a_j) + (1 - crate) * n_i
      a_i <- f(n_i)                        f: the logistic 1 / (1 + exp(-n))

  The sweep is in unit order, so a hidden unit's new activation reaches the
  output units in the same cycle. ``bp`` uses this in ``tall`` and ``test``
  *and* in ``ptrain``/``strain``: the error, the deltas and the weight
  changes are the ordinary ones, computed from the state after the last
  cycle (no backpropagation through the cycles). ``cycle`` runs ``ncycles``
  more cycles from the present state.
* **linked weights** (a ``constraints:`` letter with ``linked``): the weights
  and biases of one letter are made equal to the first of them (in unit
  order, biases last) when the weights are drawn, and each change uses the
  *sum* of their error derivatives, so they stay equal. Weights read from a
  ``.wts`` file are taken as they are, as in ``bp``.
* **copied inputs** in ``.pat`` files: an input value ``-k`` makes that input
  unit ``mu * (its activation) + (activation of unit k)``, from the previous
  pattern (state units of a sequential network).
* **positive / negative weights** (``p``, ``n``): after each change a weight
  of the wrong sign becomes 0, but the change remembered for momentum is the
  one computed, not the one left after the clipping (pdpsim's ``min_weight`` /
  ``max_weight`` remember the clipped change).
* **links from later units**: ``bp`` computes units in index order, so a
  unit that hears a unit with a higher number gets that unit's activation
  from the previous pattern (pdpsim's order is by dependency).

Without these, :class:`BpEngine` and pdpsim's own training give the same
numbers (the tests hold them to 1e-12). Activations persist between patterns
and commands, as in ``bp``; ``reset`` sets them to 0.

Why not pdpsim's CONTINUOUS networks? Cascade mode integrates the *net input*
(pdpsim's ``IN_INTEGR`` with dt = crate), but a CONTINUOUS tick carries every
group's output of the previous tick (where ``bp`` sweeps in unit order), its
tick 0 is not ``bp``'s zero-input resting state, and it trains by
backpropagation through time. The two agree where those differences vanish:
one layer of weights, and an output group whose tick-0 net input is its bias
(tested).

Where ``bp`` differs from pdpsim in smaller ways the engine follows pdpsim:
double precision (``bp`` uses ``float``), the logistic without ``bp``'s clamp
at |n| > 15.94, and ``drate = 1 - crate`` always (``bp`` recomputes it only
through ``set param crate``).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from pdpsim.formats.pdp_handbook import NetFile, Patterns
from pdpsim.functions import error_function
from pdpsim.functions.integrators import InIntegr
from pdpsim.functions.outputs.logistic import Logistic
from pdpsim.learning.rules import weight_change
from pdpsim.model.network import Network
from pdpsim.validation import PdpError, TrainingFailed


@dataclass
class BpParams:
    """The ``bp`` variables a trial or an epoch uses."""

    lrate: float = 0.5
    momentum: float = 0.9
    tmax: float = 1.0
    mu: float = 0.5
    cascade: bool = False
    ncycles: int = 50
    crate: float = 0.05
    lgrain: str = "pattern"


def link_groups(nf: NetFile) -> dict[str, list[tuple[int, int | None]]]:
    """The linked letters of ``nf``: letter -> [(receiving unit, sending unit or None for a bias)].

    Members are in unit order (each unit's weights, then the biases); the first
    one gives the group its starting value.
    """
    def linked(letter: str) -> bool:
        c = nf.constraints.get(letter.lower())
        return bool(c is not None and c.linked)

    groups: dict[str, list[tuple[int, int | None]]] = {}
    for r, runs in enumerate(nf.incoming):
        for run in runs:
            if linked(run.letter):
                senders = range(run.start, run.start + run.count)
                groups.setdefault(run.letter.lower(), []).extend((r, s) for s in senders)
    for r, letter in enumerate(nf.bias):
        if letter and linked(letter):
            groups.setdefault(letter.lower(), []).append((r, None))
    return groups


def engine_reasons(nf: NetFile, patterns: Patterns | None = None, cascade: bool = False) -> list[str]:
    """Why a session must run ``bp``'s own loop (empty: pdpsim's training gives the same)."""
    why = []
    if cascade:
        why.append("cascade mode")
    if link_groups(nf):
        why.append("linked weights")
    if patterns is not None and (patterns.inputs < 0).any():
        why.append("copied inputs")
    letters = {r.letter.lower() for runs in nf.incoming for r in runs} | {b.lower() for b in nf.bias if b}
    if any((c := nf.constraints.get(x)) is not None and c.random and (c.positive or c.negative) for x in letters):
        why.append("positive/negative weights")
    if any(run.start + run.count > u for u, runs in enumerate(nf.incoming) for run in runs):
        why.append("links from later units")
    return why


class BpEngine:
    """``bp``'s trial, error and weight change over all units (see the module docstring).

    The weights live in the pdpsim network: :meth:`pull` copies them (and the
    last changes, ``bp``'s ``dweight``) into unit-by-unit arrays, :meth:`push`
    writes them back. ``act``, ``netin``, ``error`` and ``delta`` hold the
    state of every unit after the last trial.
    """

    def __init__(self, nf: NetFile, net: Network):
        self.nf, self.net = nf, net
        n = self.n = nf.nunits
        self.ni, self.no = nf.ninputs, nf.noutputs
        segs = {s.name: s for s in nf.segments}
        self.computed = [(s.start, s.stop) for s in nf.segments if s.kind != "INPUT"]
        self.places = []                       # (block, rows, cols) with cols None for a bias
        self.mask = np.zeros((n, n), dtype=bool)
        self.learn_w, self.learn_b = np.zeros((n, n)), np.zeros(n)
        self.lo_w, self.hi_w = np.full((n, n), -np.inf), np.full((n, n), np.inf)
        self.lo_b, self.hi_b = np.full(n, -np.inf), np.full(n, np.inf)
        for b in net.blocks:
            d = segs[b.dest.name]
            rows = slice(d.start, d.stop)
            lo = -np.inf if b.min_weight is None else b.min_weight
            hi = np.inf if b.max_weight is None else b.max_weight
            if b.source.kind == "BIAS":
                self.places.append((b, rows, None))
                self.learn_b[rows] = 0.0 if b.frozen else 1.0
                self.lo_b[rows], self.hi_b[rows] = lo, hi
            else:
                s = segs[b.source.name]
                cols = slice(s.start, s.stop)
                self.places.append((b, rows, cols))
                self.mask[rows, cols] = True
                self.learn_w[rows, cols] = 0.0 if b.frozen else 1.0
                self.lo_w[rows, cols], self.hi_w[rows, cols] = lo, hi
        self.clip_w = bool(np.isfinite(self.lo_w).any() or np.isfinite(self.hi_w).any())
        self.clip_b = bool(np.isfinite(self.lo_b).any() or np.isfinite(self.hi_b).any())
        self.links = []
        for members in link_groups(nf).values():
            w = [(r, s) for r, s in members if s is not None]
            bias = [r for r, s in members if s is None]
            self.links.append((np.array([r for r, _ in w], int), np.array([s for _, s in w], int),
                               np.array(bias, int)))
        self.W, self.dW, self.wed = np.zeros((n, n)), np.zeros((n, n)), np.zeros((n, n))
        self.b, self.db, self.bed = np.zeros(n), np.zeros(n), np.zeros(n)
        self.reset_state()
        self.pull()

    # ------------------------------------------------------------ weights
    def pull(self) -> None:
        """Copy the network's weights and last changes into ``W``/``b`` and ``dW``/``db``."""
        for blk, rows, cols in self.places:
            if cols is None:
                self.b[rows], self.db[rows] = blk.weights[0], blk.last_change[0]
            else:
                self.W[rows, cols], self.dW[rows, cols] = blk.weights.T, blk.last_change.T

    def push(self) -> None:
        """Write ``W``/``b`` and ``dW``/``db`` back into the network's blocks."""
        for blk, rows, cols in self.places:
            if cols is None:
                blk.weights[0], blk.last_change[0] = self.b[rows], self.db[rows]
            else:
                blk.weights[...], blk.last_change[...] = self.W[rows, cols].T, self.dW[rows, cols].T

    def tie(self) -> None:
        """Give every linked weight its group's first value (``bp`` does this when it draws weights)."""
        for rows, cols, bias in self.links:
            first = self.W[rows[0], cols[0]] if len(rows) else self.b[bias[0]]
            self.W[rows, cols] = first
            self.b[bias] = first
        self.push()

    def reset_state(self) -> None:
        """Activations, net inputs, errors, deltas and accumulated derivatives to 0."""
        n = self.n
        self.act, self.netin = np.zeros(n), np.zeros(n)
        self.error, self.delta = np.zeros(n), np.zeros(n)
        self.wed[...] = 0.0
        self.bed[...] = 0.0
        self.cycleno = 0
        self.cpname = ""

    # ------------------------------------------------------------ one pattern
    def set_input(self, x: np.ndarray, mu: float, name: str = "") -> None:
        """Clamp the input units; a value -k copies unit k (plus mu times the unit's own activation)."""
        for i, v in enumerate(x):
            if v < 0:
                k = int(-v)
                if k >= self.n:
                    raise PdpError(f"pattern '{name}': input {i} = {v:g} copies unit {k}, but the network has "
                                   f"units 0 .. {self.n - 1}")
                self.act[i] = mu * self.act[i] + self.act[k]
            else:
                self.act[i] = v
        self.cpname = name

    def targets(self, t: np.ndarray, tmax: float) -> np.ndarray:
        """``bp``'s targets: 1 -> tmax, 0 -> 1 - tmax (a negative target has no error)."""
        t = np.asarray(t, dtype=float).copy()
        one, zero = t == 1.0, t == 0.0
        t[one], t[zero] = tmax, 1.0 - tmax
        return t

    #: bp's units: the logistic, and its error, E = 1/2 sum (t - a)^2 (the handbook's pss is twice it)
    _f = staticmethod(Logistic.f)
    _sse = error_function("SUM_SQUARED")

    def compute_output(self) -> None:
        """One pass in unit order: n = bias + sum w a, a = f(n)."""
        for r0, r1 in self.computed:
            self.netin[r0:r1] = self.W[r0:r1] @ self.act + self.b[r0:r1]
            self.act[r0:r1] = self._f(self.netin[r0:r1])

    def init_output(self) -> None:
        """The state the network settles to with every input unit at 0 (cascade mode's start)."""
        self.cycleno = 0
        ni = self.ni
        for r0, r1 in self.computed:
            self.netin[r0:r1] = self.W[r0:r1, ni:] @ self.act[ni:] + self.b[r0:r1]
            self.act[r0:r1] = self._f(self.netin[r0:r1])

    def cycle(self, ncycles: int, crate: float, trace: list | None = None) -> None:
        """``ncycles`` cascade cycles; ``trace`` receives a copy of ``act`` after each."""
        for _ in range(int(ncycles)):
            self.cycleno += 1
            for r0, r1 in self.computed:              # the net input integrates (IN_INTEGR, dt = crate)
                new = self.W[r0:r1] @ self.act + self.b[r0:r1]
                self.netin[r0:r1] = InIntegr.step(self.netin[r0:r1], new, crate)
                self.act[r0:r1] = self._f(self.netin[r0:r1])
            if trace is not None:
                trace.append(self.act.copy())

    def compute_error(self, target: np.ndarray) -> float:
        """Errors and deltas, from the output units back in reverse unit order; returns pss."""
        first_out = self.n - self.no
        err = self.error
        err[:first_out] = 0.0
        out = slice(first_out, self.n)
        # bp's error is -dE/da and its delta -dE/dn (a negative target has no error)
        dEda = np.empty(self.no)
        self._sse.output_deriv(self.act[out], np.where(target >= 0, target, self.act[out]), dEda)
        err[out] = -dEda
        for r0, r1 in reversed(self.computed):
            a = self.act[r0:r1]
            d = self.delta[r0:r1] = err[r0:r1] * Logistic.slope(a, self.netin[r0:r1])
            err += d @ self.W[r0:r1]
        return float(np.sum(np.where(target >= 0, err[out], 0.0) ** 2))

    def compute_wed(self) -> None:
        """Add this pattern's error derivatives: wed += delta_i a_j, bed += delta_i."""
        ni = self.ni
        self.wed[ni:] += np.outer(self.delta[ni:], self.act) * self.mask[ni:]
        self.bed[ni:] += self.delta[ni:]

    def change_weights(self, lrate: float, momentum: float) -> None:
        """dw = lrate * wed + momentum * dw (linked: wed summed over the group), then the sign clipping."""
        for rows, cols, bias in self.links:
            total = self.wed[rows, cols].sum() + self.bed[bias].sum()
            self.wed[rows, cols] = total
            self.bed[bias] = total
        # wed is -dE/dw (bp's sign): dw = lrate wed + momentum dw (pdpsim.learning.rules, no decay)
        self.dW[...] = weight_change(-self.wed, self.dW, self.W, lrate * self.learn_w, momentum, 0.0)
        self.W += self.dW
        self.db[...] = weight_change(-self.bed, self.db, self.b, lrate * self.learn_b, momentum, 0.0)
        self.b += self.db
        self.wed[...] = 0.0
        self.bed[...] = 0.0
        if self.clip_w:
            np.clip(self.W, self.lo_w, self.hi_w, out=self.W)
        if self.clip_b:
            np.clip(self.b, self.lo_b, self.hi_b, out=self.b)

    def trial(self, x: np.ndarray, t: np.ndarray, p: BpParams, name: str = "",
              trace: list | None = None) -> float:
        """Set up one pattern, run it (in cascade mode: resting state, then cycles), its error; pss."""
        self.set_input(x, p.mu, name)
        target = self.targets(t, p.tmax)
        if p.cascade:
            self.init_output()
            if trace is not None:
                trace.append(self.act.copy())
            self.cycle(p.ncycles, p.crate, trace)
        else:
            self.compute_output()
        return self.compute_error(target)

    # ------------------------------------------------------------ epochs
    def epoch(self, pats: Patterns, order: np.ndarray, p: BpParams, learn: bool) -> float:
        """Present the patterns in ``order``; learn after each (lgrain pattern) or at the end; tss."""
        tss = 0.0
        for i in order:
            tss += self.trial(pats.inputs[i], pats.targets[i], p, pats.names[i])
            if learn:
                self.compute_wed()
                if p.lgrain == "pattern":
                    self.change_weights(p.lrate, p.momentum)
        if learn and p.lgrain == "epoch":
            self.change_weights(p.lrate, p.momentum)
        return tss

    def train(self, pats: Patterns, nepochs: int, p: BpParams, permuted: bool, learn: bool,
              epoch_done: Callable[[float], bool]) -> None:
        """``bp``'s ``ptrain``/``strain``: up to ``nepochs`` epochs, ``epoch_done(tss)`` True stops.

        Permutations come from the network's generator, as in pdpsim's training.
        """
        self.pull()
        self.wed[...] = 0.0
        self.bed[...] = 0.0
        n = len(pats)
        try:
            for _ in range(int(nepochs)):
                order = self.net.rng.permutation(n) if permuted else np.arange(n)
                tss = self.epoch(pats, order, p, learn)
                if not np.isfinite(tss):
                    epoch_done(tss)
                    raise TrainingFailed(f"the error became {tss}")
                if epoch_done(tss):
                    break
        finally:
            self.push()

    def test(self, pats: Patterns, which, p: BpParams, traces: list | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Run patterns ``which`` without learning: (outputs (k, noutputs), pss (k,))."""
        self.pull()
        outs, pss = [], []
        for i in which:
            tr = [] if traces is not None else None
            pss.append(self.trial(pats.inputs[i], pats.targets[i], p, pats.names[i], tr))
            outs.append(self.act[self.n - self.no:].copy())
            if traces is not None:
                traces.append((pats.names[i], np.array(tr)))
        return np.array(outs).reshape(len(outs), self.no), np.array(pss)

    def outputs(self) -> np.ndarray:
        return self.act[self.n - self.no:].copy()
