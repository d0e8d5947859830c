"""What a linear unit can read out of a representation: separability, best accuracy, LDA readouts."""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from pdpsim.validation import PdpError
from pdpsim.analysis.distances import _patterns
from pdpsim.analysis.similarity import _pearson_rows


def linear_separability(patterns, labels) -> dict:
    """Whether one line (hyperplane) separates two classes exactly.

    Solved as a linear programme (scipy ``linprog``): find w, b with
    s_i (w . x_i + b) >= 1 for every example, s_i = +-1 its class.

    Returns
    -------
    dict
        ``separable`` (bool), ``weights`` and ``bias`` of a separating
        hyperplane (None if there is none).
    """
    from scipy.optimize import linprog
    x = _patterns(patterns)
    y = np.asarray(labels)
    if y.shape != (x.shape[0],):
        raise PdpError(f"linear_separability: {y.size} labels for {x.shape[0]} examples")
    classes = np.unique(y)
    if len(classes) != 2:
        raise PdpError(f"linear_separability: needs exactly 2 classes, got {len(classes)}")
    s = np.where(y == classes[1], 1.0, -1.0)
    n, u = x.shape
    # variables: w (u), b (1); constraints -s_i (w.x_i + b) <= -1
    a_ub = -s[:, None] * np.hstack([x, np.ones((n, 1))])
    res = linprog(np.zeros(u + 1), A_ub=a_ub, b_ub=-np.ones(n), bounds=[(None, None)] * (u + 1),
                  method="highs")
    if res.status == 0:
        return {"separable": True, "weights": res.x[:u].tolist(), "bias": float(res.x[u])}
    return {"separable": False, "weights": None, "bias": None}


def best_linear_accuracy(patterns, labels, max_examples: int = 12) -> float:
    """The largest fraction of examples any one hyperplane classifies correctly.

    Found exactly, by testing subsets from the largest down for linear
    separability (feasible for up to ``max_examples`` examples).
    """
    x = _patterns(patterns)
    y = np.asarray(labels)
    n = x.shape[0]
    if n > max_examples:
        raise PdpError(f"best_linear_accuracy: {n} examples is too many for an exhaustive search "
                       f"(at most {max_examples})")
    if y.shape != (n,):
        raise PdpError(f"best_linear_accuracy: {y.size} labels for {n} examples")
    for size in range(n, 0, -1):
        for keep in itertools.combinations(range(n), size):
            idx = list(keep)
            if len(np.unique(y[idx])) < 2 or linear_separability(x[idx], y[idx])["separable"]:
                return size / n
    return 0.0


@dataclass
class Readout:
    """How well an attribute can be read out of a representation.

    Attributes
    ----------
    attribute : str
    accuracy : float
        Leave-one-out accuracy of a linear readout (see :func:`readout`).
    chance : float
        Accuracy of always answering the most common value.
    unit_correlations : ndarray (n_units,)
        Pearson r of each unit with the attribute (two classes: 0/1; ordered
        classes: their rank). NaN for a constant unit.
    best_unit : int
        The unit with the largest |r|.
    n_examples : int
    """

    attribute: str
    accuracy: float
    chance: float
    unit_correlations: np.ndarray
    best_unit: int
    n_examples: int

    def to_dict(self) -> dict:
        return {"attribute": self.attribute, "loo_accuracy": self.accuracy, "chance": self.chance,
                "unit_correlations": [None if np.isnan(r) else float(r) for r in self.unit_correlations],
                "best_unit": self.best_unit,
                "best_unit_abs_r": float(abs(self.unit_correlations[self.best_unit])),
                "n_examples": self.n_examples}


def _lda_fit(x: np.ndarray, code: np.ndarray, k: int, shrinkage: float):
    """Linear discriminant weights and biases (shared, shrunk covariance; class priors from counts)."""
    means = np.array([x[code == c].mean(axis=0) if np.any(code == c) else np.full(x.shape[1], np.nan)
                      for c in range(k)])
    present = ~np.isnan(means[:, 0])
    resid = x - means[code]
    cov = resid.T @ resid / max(len(x) - int(present.sum()), 1)
    scale = max(float(np.trace(cov)) / x.shape[1], 1e-12)
    cov = (1 - shrinkage) * cov + shrinkage * scale * np.eye(x.shape[1])
    inv_means = np.linalg.solve(cov, np.nan_to_num(means).T)               # (units, k)
    prior = np.bincount(code, minlength=k) / len(code)
    with np.errstate(divide="ignore"):
        bias = -0.5 * np.sum(np.nan_to_num(means).T * inv_means, axis=0) + np.log(prior)
    bias[~present] = -np.inf
    return inv_means, bias


def readout(patterns, labels, attribute: str = "attribute", ordered: Sequence | None = None,
            shrinkage: float = 0.1) -> Readout:
    """Linear readout of a categorical attribute from patterns, tested leave-one-out.

    The readout is linear discriminant analysis: one linear score per value
    of the attribute (class means, one shared covariance matrix shrunk toward
    a multiple of the identity), answering the value with the highest score.
    Each example is classified by a readout fitted to all the others.

    Parameters
    ----------
    patterns : array_like (n_examples, n_units)
    labels : sequence (n_examples,)
        The attribute's value for each example; None or NaN leaves an example out.
    ordered : sequence, optional
        The values in order (for the unit correlations of a many-valued
        attribute, e.g. generations 1, 2, 3).
    shrinkage : float in [0, 1]
        Weight of the identity in the covariance; keeps the readout defined
        when units are collinear or constant.

    Returns
    -------
    Readout
    """
    x = _patterns(patterns)
    lab = list(labels)
    if len(lab) != x.shape[0]:
        raise PdpError(f"readout: {len(lab)} labels for {x.shape[0]} examples")
    keep = [i for i, v in enumerate(lab) if v is not None and not (isinstance(v, float) and np.isnan(v))]
    x = x[keep]
    y = [str(lab[i]) for i in keep]
    classes = sorted(set(y)) if ordered is None else [str(v) for v in ordered]
    unknown = sorted(set(y) - set(classes))
    if unknown:
        raise PdpError(f"readout '{attribute}': values {unknown} are not among the ordered values {classes}")
    if len(set(y)) < 2:
        raise PdpError(f"readout '{attribute}': needs at least 2 values, got {sorted(set(y))}")
    if not 0 <= shrinkage <= 1:
        raise PdpError(f"readout: shrinkage must be in [0, 1], got {shrinkage}")
    code = np.array([classes.index(v) for v in y])
    corr = _pearson_rows(x.T, code.astype(float))
    best = int(np.argmax(np.abs(np.nan_to_num(corr, nan=0.0))))
    n = len(y)
    hits = 0
    for i in range(n):
        train = np.arange(n) != i
        w, b = _lda_fit(x[train], code[train], len(classes), shrinkage)
        hits += int(np.argmax(x[i] @ w + b) == code[i])
    counts = np.bincount(code, minlength=len(classes))
    return Readout(attribute, hits / n, float(counts.max() / n), corr, best, n)
