"""Representational similarity analysis: Spearman rho of two dissimilarity matrices, permutation-tested."""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from pdpsim.validation import PdpError
from pdpsim.analysis.distances import _metric, _patterns, _square, dissimilarity


def _rank(v: np.ndarray) -> np.ndarray:
    from scipy.stats import rankdata
    return rankdata(v, method="average")


def _pearson_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pearson r of each row of ``a`` with the vector ``b`` (NaN where a row is constant)."""
    a = a - a.mean(axis=-1, keepdims=True)
    b = b - b.mean()
    na = np.sqrt(np.sum(a * a, axis=-1))
    nb = math.sqrt(float(np.sum(b * b)))
    den = na * nb
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.where(den > 0, (a @ b) / np.where(den > 0, den, 1.0), np.nan)
    return r


def spearman(a, b) -> float:
    """Spearman's rank correlation of two vectors (NaN if either is constant)."""
    a, b = np.asarray(a, float).ravel(), np.asarray(b, float).ravel()
    if a.shape != b.shape:
        raise PdpError(f"spearman: vectors of {a.size} and {b.size} values")
    return float(_pearson_rows(_rank(a)[None, :], _rank(b))[0])


@dataclass
class RSAResult:
    """A representational similarity analysis.

    Attributes
    ----------
    rho : float
        Spearman correlation of the two dissimilarity matrices' upper triangles.
    p_value : float
        One-sided permutation p (how often a relabelling does at least as well).
    n_permutations : int
        Relabellings in the null distribution.
    exact : bool
        True when every relabelling of the examples was enumerated.
    null : ndarray
        rho under each relabelling.
    n_examples : int
    metric : str
    """

    rho: float
    p_value: float
    n_permutations: int
    exact: bool
    null: np.ndarray
    n_examples: int
    metric: str

    def to_dict(self) -> dict:
        return {"rho": self.rho, "p_value": self.p_value, "n_permutations": self.n_permutations,
                "exact": self.exact, "n_examples": self.n_examples, "metric": self.metric}


def rsa(a, b, *, metric: str = "correlation", n_permutations: int = 1000, seed: int = 0,
        precomputed: bool = False) -> RSAResult:
    """Compare the similarity structure of two representations of the same examples.

    Parameters
    ----------
    a, b : array_like
        Patterns (n_examples, units) -- two groups, or one group at two
        moments -- or, with ``precomputed=True``, two dissimilarity matrices.
        Rows must be the same examples in the same order.
    metric : {"euclidean", "correlation", "cosine"}
        Used to turn patterns into dissimilarities.
    n_permutations : int
        Size of the null distribution. When n_examples! is no larger, every
        relabelling is enumerated instead (an exact test).
    seed : int
        Seeds the random relabellings (numpy ``default_rng``).

    Returns
    -------
    RSAResult
        ``rho`` is NaN (and ``p_value`` 1) when either matrix has all
        dissimilarities equal.

    Notes
    -----
    The permutation test relabels the examples of ``b``: its rows and columns
    are permuted together, which keeps the matrix a valid dissimilarity
    matrix, and rho is recomputed. p = (1 + #{null >= rho}) / (1 + N) for
    random relabellings, #{null >= rho} / N when enumerated (the identity is
    among them).
    """
    m = _metric(metric)
    if precomputed:
        da, db = _square(a, "first dissimilarity matrix"), _square(b, "second dissimilarity matrix")
    else:
        pa, pb = _patterns(a, "first patterns"), _patterns(b, "second patterns")
        if pa.shape[0] != pb.shape[0]:
            raise PdpError(f"rsa: example count mismatch: {pa.shape[0]} examples in the first patterns, "
                           f"{pb.shape[0]} in the second (rows must be the same examples)")
        da, db = dissimilarity(pa, m), dissimilarity(pb, m)
    n = da.shape[0]
    if db.shape[0] != n:
        raise PdpError(f"rsa: example count mismatch: {n} examples in the first matrix, {db.shape[0]} in the second")
    if n < 3:
        raise PdpError(f"rsa: need at least 3 examples (2 dissimilarities) to correlate, got {n}")
    if int(n_permutations) < 1:
        raise PdpError(f"rsa: n_permutations must be >= 1, got {n_permutations}")
    iu = np.triu_indices(n, 1)
    ra = _rank(da[iu])
    rank_b = np.zeros((n, n))
    rank_b[iu] = _rank(db[iu])
    rank_b = rank_b + rank_b.T
    rho = float(_pearson_rows(rank_b[iu][None, :], ra)[0])
    if n <= 10 and math.factorial(n) <= int(n_permutations):
        perms = np.array(list(itertools.permutations(range(n))))
        exact = True
    else:
        rng = np.random.default_rng(seed)
        perms = np.array([rng.permutation(n) for _ in range(int(n_permutations))])
        exact = False
    # relabelling b's examples permutes which pair each dissimilarity belongs to, so its ranks move with it
    permuted = rank_b[perms[:, iu[0]], perms[:, iu[1]]]
    null = _pearson_rows(permuted, ra)
    if np.isnan(rho):
        p = 1.0
    elif exact:
        p = float(np.mean(null >= rho - 1e-12))
    else:
        p = float((1 + np.sum(null >= rho - 1e-12)) / (1 + len(null)))
    return RSAResult(rho, p, len(perms), exact, null, n, m)
