"""Ensembles: N independent networks trained at once, in one vectorized run.

Every state array gains a leading axis of length N (see :class:`pdpsim.Network`);
member k's weights are those a separate network built with ``seeds[k]`` would
draw, each member draws its own example orders from its own generator, may have
its own learning rate, and stops (its weights freeze) when it meets the
criterion, exactly as a separate run would. The results equal N separate runs
with the same seeds (tests check this to 1e-12 relative). Feed-forward networks (small
ones with the members on the vector lanes of one compiled kernel) and CONTINUOUS networks
in time (in the compiled loops one member per core; on numpy, backpropagation through
time with the members side by side, whose batched products round differently, so
agreement there is 1e-13 after an epoch and drifts with rounding over long runs)::

    ens = pdpsim.load_ensemble("xor", seeds=range(1000))
    result = ensemble.train(ens, learning_rates=[0.5] * 500 + [1.0] * 500)
    result.converged.mean(), result.epochs_to_stop

Every engine trains ensembles through the one training loop (:mod:`pdpsim.training.loop`):
numpy with the members along a leading axis, the compiled kernels with the members on
vector lanes or cores, the Array API engine on the device.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Sequence

import numpy as np

from pdpsim.model.examples import ExampleSet
from pdpsim.model.network import Network
from pdpsim.training.engines import Members
from pdpsim.training.loop import run_epochs
from pdpsim.training.params import TrainingParams
from pdpsim.validation import PdpError


@dataclass
class Ensemble:
    """An ensemble network, its examples, its training parameters and one generator per member."""

    network: Network
    examples: ExampleSet
    training: TrainingParams
    seeds: list[int]
    rngs: list[np.random.Generator]

    @property
    def size(self) -> int:
        return len(self.seeds)


@dataclass
class EnsembleResult:
    """``errors[e, k]``: total error of member k in epoch e+1 (NaN once it has stopped)."""

    errors: np.ndarray
    stopped: list[str]
    epochs_to_stop: np.ndarray
    seeds: list[int]
    learning_rates: np.ndarray

    @property
    def converged(self) -> np.ndarray:
        return np.array([s in ("error_criterion", "output_criterion") for s in self.stopped])

    @property
    def final_errors(self) -> np.ndarray:
        return np.array([self.errors[e - 1, k] for k, e in enumerate(self.epochs_to_stop)])

    def table(self):
        import pandas as pd
        return pd.DataFrame({"seed": self.seeds, "learning_rate": self.learning_rates,
                             "epochs": self.epochs_to_stop, "final_error": self.final_errors,
                             "stopped": self.stopped, "converged": self.converged})


def stack(members: Sequence[Network], name: str | None = None) -> Network:
    """One ensemble network from separately built networks of the same architecture."""
    if not members:
        raise PdpError("ensemble: no member networks")
    first = members[0]
    for m in members[1:]:
        if [b.name for b in m.blocks] != [b.name for b in first.blocks] or \
                [(g.name, g.size) for g in m.groups.values()] != [(g.name, g.size) for g in first.groups.values()]:
            raise PdpError(f"ensemble: network '{m.name}' differs in architecture from '{first.name}'")
    E = len(members)
    if first.time is not None:
        return _stack_copy(first, members, name)
    ens = Network(name or first.name, seed=first.seed, ensemble=E, init_range=first.init_range,
                  init_mean=first.init_mean, dtype=first.dtype)
    for g in first.groups.values():
        if g.name == "bias":
            ens.add_group("bias", 1, kind="BIAS")
            continue
        ens.add_group(g.name, g.size, kind=g.kind, function=g.function.name,
                      error=g.error.name if g.error else None,
                      error_scale=g.error.error_scale if g.error else None, target_radius=g.target_radius,
                      zero_error_radius=g.zero_error_radius, unit_names=g.unit_names)
    for b in first.blocks:
        w = np.stack([m.block(b.source.name, b.dest.name).weights for m in members])
        ens.connect(b.source.name, b.dest.name, weights=w, learning_rate=b.learning_rate, momentum=b.momentum,
                    weight_decay=b.weight_decay, min_weight=b.min_weight, max_weight=b.max_weight)
    return ens


def _stack_copy(first: Network, members: Sequence[Network], name: str | None) -> Network:
    """The first member, copied with every group setting (integration, clamps, initial states,
    time), its link blocks holding every member's weights along a leading axis."""
    import copy
    ens = copy.deepcopy(first)
    ens.name = name or first.name
    ens.ensemble = len(members)
    for k, b in enumerate(ens.blocks):
        b.weights = np.stack([m.blocks[k].weights for m in members])
        b.weight_deriv = np.zeros_like(b.weights)
        b.last_change = np.zeros_like(b.weights)
        b.rule_state = {}
    ens._invalidate()
    return ens


def train(ens: Ensemble, params: TrainingParams | None = None, learning_rates: Sequence[float] | None = None,
          **overrides) -> EnsembleResult:
    """Train every member; each stops on its own criterion, as it would alone."""
    params = replace(params or ens.training, **overrides).validated()
    E = ens.size
    rates = np.full(E, params.learning_rate) if learning_rates is None else np.asarray(learning_rates, float)
    if rates.shape != (E,):
        raise PdpError(f"ensemble: {len(rates)} learning rates for {E} networks")
    run = run_epochs(ens.network, ens.examples, params, Members(list(ens.rngs), rates, ensemble=True))
    return EnsembleResult(run.errors, run.stopped, run.epochs - run.start_epoch, list(ens.seeds), rates)
