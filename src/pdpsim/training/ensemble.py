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
    """One ensemble network from separately built networks of the same architecture
    (:meth:`pdpsim.Network.stacked`)."""
    return Network.stacked(members, name)


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
