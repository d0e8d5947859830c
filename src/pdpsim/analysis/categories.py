"""Progressive differentiation of a category hierarchy: distances by level, onsets."""
from __future__ import annotations

from typing import Sequence

import numpy as np

from pdpsim.validation import PdpError
from pdpsim.analysis.distances import _patterns, dissimilarity, upper


def level_distances(patterns, hierarchy: Sequence[Sequence], metric: str = "euclidean") -> np.ndarray:
    """Mean dissimilarity between examples that first differ at each level of a hierarchy.

    Parameters
    ----------
    patterns : array_like (n_examples, n_units)
    hierarchy : list of label sequences, coarse to fine
        E.g. ``[domain, basic_category]`` for the semantic network. A last
        level, the example itself, is added: its pairs are examples that share
        every label.

    Returns
    -------
    ndarray (len(hierarchy) + 1,)
        Entry k: the mean dissimilarity over pairs that agree on levels < k and
        differ on level k (NaN if there are no such pairs).
    """
    x = _patterns(patterns)
    n = x.shape[0]
    labels = []
    for k, lab in enumerate(hierarchy):
        lab = np.asarray(lab)
        if lab.shape != (n,):
            raise PdpError(f"level_distances: level {k} has {lab.size} labels for {n} examples")
        labels.append(lab)
    labels.append(np.arange(n))
    d = dissimilarity(x, metric)
    iu = np.triu_indices(n, 1)
    same_above = np.ones(len(iu[0]), bool)
    out = np.full(len(labels), np.nan)
    for k, lab in enumerate(labels):
        differ = lab[iu[0]] != lab[iu[1]]
        sel = same_above & differ
        if sel.any():
            out[k] = d[iu][sel].mean()
        same_above &= ~differ
    return out


def between_within(patterns, labels, metric: str = "euclidean") -> tuple[float, float]:
    """Mean dissimilarity between examples of different categories, and within categories."""
    x = _patterns(patterns)
    lab = np.asarray(labels)
    if lab.shape != (x.shape[0],):
        raise PdpError(f"between_within: {lab.size} labels for {x.shape[0]} examples")
    d = upper(dissimilarity(x, metric))
    iu = np.triu_indices(x.shape[0], 1)
    same = lab[iu[0]] == lab[iu[1]]
    b = float(d[~same].mean()) if (~same).any() else float("nan")
    w = float(d[same].mean()) if same.any() else float("nan")
    return b, w


def onset_epochs(curves, epochs, fraction: float | None = None, threshold: float | None = None) -> np.ndarray:
    """When each curve first rises to a level.

    Parameters
    ----------
    curves : array_like (n_epochs, n_curves)
    epochs : array_like (n_epochs,)
    fraction : float, optional
        Level = ``fraction`` x the curve's own maximum (a scale-free onset);
        0.5 when neither this nor ``threshold`` is given.
    threshold : float, optional
        An absolute level instead.

    Returns
    -------
    ndarray (n_curves,)
        The first epoch at or above the level (NaN if never).
    """
    c = np.asarray(curves, dtype=float)
    if c.ndim == 1:
        c = c[:, None]
    ep = np.asarray(epochs)
    if c.shape[0] != ep.shape[0]:
        raise PdpError(f"onset_epochs: {c.shape[0]} rows of curves for {ep.shape[0]} epochs")
    if fraction is not None and threshold is not None:
        raise PdpError("onset_epochs: give fraction or threshold, not both")
    if fraction is None and threshold is None:
        fraction = 0.5
    out = np.full(c.shape[1], np.nan)
    for j in range(c.shape[1]):
        level = fraction * np.nanmax(c[:, j]) if threshold is None else threshold
        hit = np.nonzero(c[:, j] >= level)[0]
        if hit.size:
            out[j] = ep[hit[0]]
    return out
