"""How to train (:class:`TrainingParams`) and what training did (:class:`TrainingResult`)."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace

import numpy as np

from pdpsim.display import RichDisplay
from pdpsim.learning.rules import algorithm_name
from pdpsim.training import engines
from pdpsim.validation import PdpError, positive_int, real

ORDERS = ("ordered", "permuted", "random")
FREQUENCIES = ("sample", "scale")
RULES = ("backprop", "hebb")


@dataclass
class TrainingParams:
    """How to train. Every field can be set in a spec file's ``training:`` table.

    Attributes
    ----------
    backend : {"auto", "numpy", "compiled", "array:<namespace>"}
        ``numpy``: one matrix product per link block per batch (the reference);
        ``compiled``: whole epochs in a numba-compiled loop (small batches and
        networks, and networks in time); ``auto`` picks the compiled loop when it is
        installed, supports the network, a batch is small (batch size x links <=
        200,000; any batch for a network in time whose examples all run the same
        ticks, whose compiled loop calls BLAS itself) and the run may be long enough
        to repay loading it (max_epochs x batches >= 10,000; for networks in time,
        times the ticks of an event). ``array:cupy``,
        ``array:torch``, ``array:numpy``, ``array:array_api_strict``: the numpy path's
        equations on an Array API namespace, e.g. a GPU (:mod:`pdpsim.engines.array_api.engine`).
    update : {"batch", "event"}
        Simple recurrent networks: change weights after each batch of examples
        (derivatives summed over their events) or after every event (Elman 1990).
    rule : {"backprop", "hebb"}
        ``backprop``: gradient descent on the error (the Delta rule on a network
        without hidden units, the generalized delta rule with them).
        ``hebb``: dw_ij = eps a_i t_j (networks without hidden units).
    algorithm : {"steepest", "momentum", "dougs_momentum", "delta_bar_delta"}
    learning_rate : float         eps
    momentum : float              alpha (used by all but ``steepest``)
    weight_decay : float          d, dw -= d w each update
    batch_size : int              examples per update; 0 = the whole set
    order : {"ordered", "permuted", "random"}
    example_frequency : {"sample", "scale"}
        How the examples' frequencies (Lens's ``freq:``) act. ``sample``: with order
        ``random`` examples are drawn in proportion to them (the other orders present each
        example once an epoch). ``scale``: each example's error and error derivatives are
        multiplied by its frequency, every example presented as the order says (Lens's
        ``pseudoExampleFreq``; the frequency-weighted training of Plaut et al. 1996).
        Feed-forward networks on the numpy engine.
    max_epochs : int
    error_criterion : float or None     stop when an epoch's total error <= this
    output_criterion : float or None    stop when every output is within this of its target
    """

    rule: str = "backprop"
    update: str = "batch"
    backend: str = "auto"
    algorithm: str = "steepest"
    learning_rate: float = 0.5
    momentum: float = 0.0
    weight_decay: float = 0.0
    batch_size: int = 0
    order: str = "ordered"
    example_frequency: str = "sample"
    max_epochs: int = 1000
    error_criterion: float | None = None
    output_criterion: float | None = None

    def validated(self, where: str = "training") -> "TrainingParams":
        p = replace(self)
        if str(p.rule).lower() not in RULES:
            raise PdpError(f"{where}.rule: expected one of {', '.join(RULES)}, got {p.rule!r}")
        p.rule = str(p.rule).lower()
        p.backend = engines.backend_name(p.backend, f"{where}.backend")
        if str(p.update).lower() not in ("batch", "event"):
            raise PdpError(f"{where}.update: expected batch or event, got {p.update!r}")
        p.update = str(p.update).lower()
        p.algorithm = algorithm_name(p.algorithm, f"{where}.algorithm")
        p.learning_rate = real(p.learning_rate, f"{where}.learning_rate", minimum=0)
        p.momentum = real(p.momentum, f"{where}.momentum", minimum=0)
        p.weight_decay = real(p.weight_decay, f"{where}.weight_decay", minimum=0)
        p.batch_size = positive_int(p.batch_size, f"{where}.batch_size", allow_zero=True)
        if str(p.order).lower() not in ORDERS:
            raise PdpError(f"{where}.order: expected one of {', '.join(ORDERS)}, got {p.order!r}")
        p.order = str(p.order).lower()
        if str(p.example_frequency).lower() not in FREQUENCIES:
            raise PdpError(f"{where}.example_frequency: expected one of {', '.join(FREQUENCIES)}, "
                           f"got {p.example_frequency!r}")
        p.example_frequency = str(p.example_frequency).lower()
        if p.example_frequency == "scale" and p.rule == "hebb":
            raise PdpError(f"{where}.example_frequency: scale needs rule backprop (the Hebb rule has no error)")
        p.max_epochs = positive_int(p.max_epochs, f"{where}.max_epochs", allow_zero=True)
        if p.error_criterion is not None:
            p.error_criterion = real(p.error_criterion, f"{where}.error_criterion", minimum=0)
        if p.output_criterion is not None:
            p.output_criterion = real(p.output_criterion, f"{where}.output_criterion", minimum=0)
        return p

    @classmethod
    def from_dict(cls, d: dict, where: str = "training") -> "TrainingParams":
        known = {f.name for f in fields(cls)}
        for k in d:
            if k not in known:
                raise PdpError(f"{where}: unknown key '{k}'; expected one of {', '.join(sorted(known))}")
        return cls(**d).validated(where)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class TrainingResult(RichDisplay):
    """What a call to :func:`train` did.

    ``errors[k]`` is the total error of epoch ``epochs[k]`` (1-based).
    """

    epochs: np.ndarray
    errors: np.ndarray
    stopped: str
    params: TrainingParams
    max_output_distance: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @property
    def final_error(self) -> float:
        return float(self.errors[-1]) if len(self.errors) else float("nan")

    @property
    def n_epochs(self) -> int:
        return int(self.epochs[-1]) if len(self.epochs) else 0

    @property
    def converged(self) -> bool:
        return self.stopped in ("error_criterion", "output_criterion")

    def history(self):
        """The error curve as a pandas DataFrame (columns ``epoch``, ``error``)."""
        import pandas as pd
        data = {"epoch": self.epochs, "error": self.errors}
        if len(self.max_output_distance):
            data["max_output_distance"] = self.max_output_distance
        return pd.DataFrame(data)
