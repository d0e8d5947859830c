"""The lecture's quiz answered by running it: the Hebb rule against the Delta rule.

A pattern associator is a network without hidden units: input units linked
straight to linear output units. The Hebb rule changes each weight by the
product of the activities at its two ends (the target standing for the output),
dw_ij = eps a_i t_j; the Delta rule by the error, dw_ij = eps (t_j - a_j) a_i.

* Orthogonal inputs: Hebb recalls every pattern perfectly (no crosstalk).
* Linearly independent, non-orthogonal inputs: Hebb shows crosstalk; the Delta
  rule still learns the set exactly.
* Linearly dependent inputs: no linear mapping is exact; Delta settles at the
  least-squares error and Hebb does worse.
* The two rules are equivalent when weights start at zero and the inputs are
  orthogonal: then the output is 0 for each new pattern, t - a = t, and one
  Delta epoch with eps = 1/|x|^2 makes the same weights as Hebb.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pdpsim.formats.spec import Spec, build_spec, load_spec
from pdpsim.training.testing import test
from pdpsim.training.loop import train

SETS = ("orthogonal", "independent", "dependent")


def associator(kind: str, activation: str = "LINEAR"):
    """The shipped ``pa-KIND`` spec, with LINEAR (as shipped) or LOGISTIC output units.

    With LOGISTIC outputs the +-1 targets become .1/.9 (inside the logistic's range, so
    that an exact solution exists whenever the inputs are linearly independent) and the
    Delta rule is gradient descent through the logistic: dw_ij = eps (t_j - a_j) a_j (1 - a_j) a_i.
    """
    spec = load_spec(f"pa-{kind}")
    data = dict(spec.data)
    if activation.upper() == "LOGISTIC":
        data["groups"] = {**data["groups"], "output": {**data["groups"]["output"], "activation": "LOGISTIC"}}
        data["training"] = {**data["training"], "learning_rate": 0.5, "max_epochs": 5000}
    model = build_spec(Spec(data, spec.source, spec.lines))
    if activation.upper() == "LOGISTIC":
        t = model.examples.targets["output"]
        model.examples.targets["output"] = 0.5 + 0.4 * t
    return model


@dataclass
class QuizRow:
    set: str
    rank: int
    orthogonal: bool
    hebb_error: float
    delta_error: float
    delta_least_error: float
    delta_epochs: int
    least_squares_error: float
    delta_equals_hebb_after_one_epoch: bool


def least_squares_error(inputs: np.ndarray, targets: np.ndarray) -> float:
    """The smallest E = 1/2 sum (t - a)^2 any linear mapping reaches."""
    w, *_ = np.linalg.lstsq(inputs, targets, rcond=None)
    return float(0.5 * ((inputs @ w - targets) ** 2).sum())


def least_logistic_error(inputs: np.ndarray, targets: np.ndarray, start: np.ndarray | None = None) -> float:
    """The smallest E = 1/2 sum (t - a)^2 with a = logistic(x W), found by L-BFGS."""
    from scipy.optimize import minimize
    shape = (inputs.shape[1], targets.shape[1])

    def f(wflat):
        a = 1 / (1 + np.exp(-(inputs @ wflat.reshape(shape))))
        d = a - targets
        return 0.5 * (d ** 2).sum(), (inputs.T @ (d * a * (1 - a))).ravel()

    w0 = np.zeros(shape) if start is None else start
    res = minimize(f, np.ravel(w0), jac=True, method="L-BFGS-B", options={"gtol": 1e-12, "ftol": 1e-15,
                                                                           "maxiter": 10000})
    return float(res.fun)


def run_set(kind: str, delta_epochs: int | None = None, activation: str = "LINEAR") -> QuizRow:
    m = associator(kind, activation)
    x = m.examples.inputs["input"][:, 0]
    t = m.examples.targets["output"][:, 0]
    sq = float((x ** 2).sum(axis=1).max())
    gram = x @ x.T
    orthogonal = bool(np.allclose(gram - np.diag(np.diag(gram)), 0))

    # Hebb: one pass, eps = 1/|x|^2 (so an orthogonal pattern is recalled at full size)
    hebb = associator(kind, activation)
    train(hebb.network, hebb.examples, hebb.training, rule="hebb", learning_rate=1.0 / sq, max_epochs=1)
    hebb_error = test(hebb.network, hebb.examples).total_error
    hebb_w = hebb.network.blocks[0].weights.copy()

    # Delta, online, one epoch from zero weights with the same eps: equal to Hebb?
    one = associator(kind, activation)
    train(one.network, one.examples, one.training, learning_rate=1.0 / sq, batch_size=1, max_epochs=1)
    same = bool(np.allclose(one.network.blocks[0].weights, hebb_w, rtol=0, atol=1e-12))

    # Delta to convergence (or its least error)
    overrides = {} if delta_epochs is None else {"max_epochs": delta_epochs}
    r = train(m.network, m.examples, m.training, **overrides)
    final = test(m.network, m.examples).total_error
    if activation.upper() == "LOGISTIC":
        least = least_logistic_error(x, t, start=m.network.blocks[0].weights)
    else:
        least = least_squares_error(x, t)
    return QuizRow(kind, int(np.linalg.matrix_rank(x)), orthogonal, hebb_error, final,
                   float(min(r.errors.min(), final)), r.n_epochs, least, same)


def quiz(delta_epochs: int | None = None, activation: str = "LINEAR") -> list[QuizRow]:
    """Hebb vs Delta on the three input sets, with LINEAR or LOGISTIC output units."""
    return [run_set(k, delta_epochs, activation) for k in SETS]


def format_quiz(rows: list[QuizRow]) -> str:
    lines = [f"  {'input set':<12} {'rank':>4} {'orthog.':>7} {'Hebb E':>10} {'Delta E':>10} {'least E':>10} "
             f"{'Delta = Hebb':>13}",
             f"  {'':<12} {'':>4} {'':>7} {'(1 pass)':>10} {'(trained)':>10} {'(any W)':>10} {'(1st epoch)':>13}"]
    for r in rows:
        lines.append(f"  {r.set:<12} {r.rank:>4} {'yes' if r.orthogonal else 'no':>7} {r.hebb_error:>10.4g} "
                     f"{r.delta_least_error:>10.4g} {r.least_squares_error:>10.4g} "
                     f"{'yes' if r.delta_equals_hebb_after_one_epoch else 'no':>13}")
    return "\n".join(lines)
