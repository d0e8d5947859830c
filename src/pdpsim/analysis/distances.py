"""Patterns in, dissimilarities out: the shared input checks and :func:`dissimilarity`.

Every other analysis module takes its patterns through the checks here.
"""
from __future__ import annotations

import math

import numpy as np

from pdpsim.validation import PdpError

METRICS = ("euclidean", "correlation", "cosine")


def _patterns(x, what: str = "patterns") -> np.ndarray:
    try:
        a = np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        raise PdpError(f"{what}: expected an array of numbers (examples x units)") from None
    if a.ndim == 1:
        a = a[:, None]
    if a.ndim != 2:
        raise PdpError(f"{what}: expected a 2-D array (examples x units), got {a.ndim}-D")
    if a.shape[0] < 2:
        raise PdpError(f"{what}: need at least 2 examples to compare, got {a.shape[0]}")
    if not np.isfinite(a).all():
        raise PdpError(f"{what}: contains NaN or infinite values")
    return a


def _metric(metric: str) -> str:
    m = str(metric).lower()
    if m not in METRICS:
        raise PdpError(f"unknown metric {metric!r}; expected one of {', '.join(METRICS)}")
    return m


def _names(names, n: int, what: str = "names", of: str = "examples") -> list[str]:
    """``names`` as ``n`` strings (None: ``0`` .. ``n-1``); ``what`` and ``of`` (what the names
    label) go into the error message."""
    if names is None:
        return [str(i) for i in range(n)]
    names = [str(s) for s in names]
    if len(names) != n:
        raise PdpError(f"{what}: {len(names)} names for {n} {of}")
    return names


def _square(d, what: str = "dissimilarity matrix") -> np.ndarray:
    d = np.asarray(d, dtype=float)
    if d.ndim != 2 or d.shape[0] != d.shape[1]:
        raise PdpError(f"{what}: expected a square matrix, got shape {d.shape}")
    if d.shape[0] < 2:
        raise PdpError(f"{what}: need at least 2 examples")
    if not np.isfinite(d).all():
        raise PdpError(f"{what}: contains NaN or infinite values")
    if not np.allclose(d, d.T, atol=1e-12, rtol=1e-9):
        raise PdpError(f"{what}: not symmetric")
    return d


def upper(d: np.ndarray) -> np.ndarray:
    """The upper triangle (above the diagonal) of a square matrix, row by row."""
    d = np.asarray(d)
    return d[np.triu_indices(d.shape[0], 1)]

# ---------------------------------------------------------------- dissimilarity
def dissimilarity(patterns, metric: str = "euclidean") -> np.ndarray:
    """Pairwise dissimilarities between the rows of ``patterns``.

    Parameters
    ----------
    patterns : array_like, shape (n_examples, n_units)
    metric : {"euclidean", "correlation", "cosine"}
        ``euclidean``: ||x - y||. ``correlation``: 1 - Pearson r across units.
        ``cosine``: 1 - cos(x, y). A pattern with no variance (correlation) or
        of length zero (cosine) has no direction; its dissimilarity to every
        other pattern is taken as 1 (r = 0), and 0 to itself and to any other
        such pattern equal to it.

    Returns
    -------
    ndarray, shape (n_examples, n_examples)
        Symmetric, zero diagonal.
    """
    x = _patterns(patterns)
    m = _metric(metric)
    if m == "euclidean":
        if x.shape[0] * x.shape[0] * x.shape[1] <= 5_000_000:
            # differences taken exactly (the Gram-matrix shortcut loses digits for near-equal rows)
            d = np.sqrt(np.sum((x[:, None, :] - x[None, :, :]) ** 2, axis=-1))
        else:
            sq = np.sum(x * x, axis=1)
            d = np.sqrt(np.maximum(sq[:, None] + sq[None, :] - 2.0 * (x @ x.T), 0.0))
    else:
        y = x - x.mean(axis=1, keepdims=True) if m == "correlation" else x
        norm = np.sqrt(np.sum(y * y, axis=1))
        scale = max(float(np.abs(x).max()), 1.0) if x.size else 1.0
        ok = norm > 1e-12 * scale * math.sqrt(x.shape[1])
        u = np.zeros_like(y)
        u[ok] = y[ok] / norm[ok, None]
        sim = np.clip(u @ u.T, -1.0, 1.0)
        d = 1.0 - sim
        flat = ~ok
        if flat.any():
            same = np.all(np.isclose(x[:, None, :], x[None, :, :], rtol=0, atol=1e-12), axis=-1)
            d[np.ix_(flat, flat)] = np.where(same[np.ix_(flat, flat)], 0.0, 1.0)
    d = 0.5 * (d + d.T)
    np.fill_diagonal(d, 0.0)
    return d
