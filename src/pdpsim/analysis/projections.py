"""Low-dimensional projections: PCA, classical and metric MDS, and trajectories over epochs."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from pdpsim.validation import PdpError
from pdpsim.analysis.distances import _names, _patterns, _square, dissimilarity


def _orient(coords: np.ndarray) -> np.ndarray:
    """Centre, rotate to principal axes, and make each axis's largest-magnitude coordinate positive."""
    c = coords - coords.mean(axis=0)
    _, _, vt = np.linalg.svd(c, full_matrices=False)
    r = c @ vt.T
    k = min(r.shape[1], coords.shape[1])
    out = np.zeros_like(coords)
    out[:, :k] = r[:, :k]
    for j in range(out.shape[1]):
        i = int(np.argmax(np.abs(out[:, j])))
        if out[i, j] < 0:
            out[:, j] = -out[:, j]
    return out

@dataclass
class Projection:
    """Examples placed in a low-dimensional space.

    Attributes
    ----------
    coords : ndarray (n_examples, k)
    method : {"pca", "mds"}
    explained : ndarray (k,) or None
        PCA: the fraction of variance on each axis.
    stress : float or None
        MDS: the final stress.
    components : ndarray (k, n_units) or None
        PCA: the axes in unit space.
    """

    coords: np.ndarray
    method: str
    explained: np.ndarray | None = None
    stress: float | None = None
    components: np.ndarray | None = None
    mean: np.ndarray | None = None


def pca(patterns, n_components: int = 2) -> Projection:
    """Principal components of the patterns (exact SVD; deterministic signs).

    Each axis is signed so that its largest-magnitude loading is positive.
    With fewer independent directions than ``n_components`` the extra axes are 0.
    """
    x = _patterns(patterns)
    k = int(n_components)
    if k < 1:
        raise PdpError(f"pca: n_components must be >= 1, got {n_components}")
    mu = x.mean(axis=0)
    c = x - mu
    _, s, vt = np.linalg.svd(c, full_matrices=False)
    comps = np.zeros((k, x.shape[1]))
    kk = min(k, vt.shape[0])
    comps[:kk] = vt[:kk]
    for j in range(kk):
        i = int(np.argmax(np.abs(comps[j])))
        if comps[j, i] < 0:
            comps[j] = -comps[j]
    var = s ** 2
    total = var.sum()
    explained = np.zeros(k)
    if total > 0:
        explained[:kk] = var[:kk] / total
    return Projection(c @ comps.T, "pca", explained=explained, components=comps, mean=mu)


def classical_mds(d, n_components: int = 2) -> np.ndarray:
    """Classical (Torgerson) scaling: coordinates whose distances best match ``d`` in the least-squares
    sense of the double-centred squared distances; exact when ``d`` is euclidean in that many dimensions."""
    d = _square(d)
    n = d.shape[0]
    j = np.eye(n) - 1.0 / n
    b = -0.5 * j @ (d ** 2) @ j
    vals, vecs = np.linalg.eigh((b + b.T) / 2)
    idx = np.argsort(vals)[::-1][:n_components]
    coords = vecs[:, idx] * np.sqrt(np.maximum(vals[idx], 0.0))
    if coords.shape[1] < n_components:
        coords = np.hstack([coords, np.zeros((n, n_components - coords.shape[1]))])
    return _orient(coords)


def _mds_model(k: int, seed: int, n_init: int, max_iter: int):
    import inspect
    from sklearn.manifold import MDS
    params = inspect.signature(MDS.__init__).parameters
    kw = dict(n_components=k, n_init=n_init, max_iter=max_iter, random_state=seed, eps=1e-9)
    if "metric_mds" in params:                      # scikit-learn >= 1.8
        kw.update(metric_mds=True, metric="precomputed", init="random")
    else:
        kw.update(metric=True, dissimilarity="precomputed")
    if "normalized_stress" in params:
        kw["normalized_stress"] = False
    return MDS(**kw)


def mds(patterns=None, n_components: int = 2, metric: str = "euclidean", seed: int = 0, *,
        dissimilarities=None, n_init: int = 4, max_iter: int = 1000) -> Projection:
    """Metric multidimensional scaling (scikit-learn SMACOF), seeded.

    SMACOF is started from the classical-scaling solution and from
    ``n_init - 1`` random configurations (seeded); the solution of least
    stress is kept.

    Parameters
    ----------
    patterns : array_like (n_examples, n_units), optional
        Turned into dissimilarities with ``metric``.
    dissimilarities : array_like (n, n), optional
        Given instead of patterns.
    seed : int
        ``random_state`` for the random starts; the best of ``n_init`` is kept.

    Returns
    -------
    Projection
        Centred and rotated to its principal axes (MDS fixes positions only
        up to rotation and reflection).
    """
    if (patterns is None) == (dissimilarities is None):
        raise PdpError("mds: give patterns or dissimilarities (one of them)")
    d = dissimilarity(patterns, metric) if dissimilarities is None else _square(dissimilarities)
    k = int(n_components)
    if k < 1:
        raise PdpError(f"mds: n_components must be >= 1, got {n_components}")
    if int(n_init) < 1:
        raise PdpError(f"mds: n_init must be >= 1, got {n_init}")
    if np.all(d == 0):
        return Projection(np.zeros((d.shape[0], k)), "mds", stress=0.0)
    best = None
    start = classical_mds(d, k)
    model = _mds_model(k, int(seed), 1, int(max_iter))
    coords = model.fit_transform(d, init=start)
    best = (float(model.stress_), coords)
    if int(n_init) > 1:
        model = _mds_model(k, int(seed), int(n_init) - 1, int(max_iter))
        coords = model.fit_transform(d)
        if float(model.stress_) < best[0] - 1e-12:
            best = (float(model.stress_), coords)
    return Projection(_orient(best[1]), "mds", stress=best[0])


@dataclass
class Trajectory:
    """Examples' positions over epochs in one shared low-dimensional space.

    Attributes
    ----------
    coords : ndarray (n_epochs, n_examples, k)
    epochs : ndarray (n_epochs,)
    names : list of str
    method : {"pca", "mds"}
    explained, stress : as in :class:`Projection`
    """

    coords: np.ndarray
    epochs: np.ndarray
    names: list[str]
    method: str
    explained: np.ndarray | None = None
    stress: float | None = None


def trajectory(stack, epochs: Sequence[int] | None = None, names: Sequence[str] | None = None,
               method: str = "pca", metric: str = "euclidean", n_components: int = 2, seed: int = 0,
               n_init: int = 4) -> Trajectory:
    """Project a group's patterns at many epochs into one space, fitted jointly.

    Parameters
    ----------
    stack : array_like (n_epochs, n_examples, n_units)
        E.g. ``recording.array("hidden")``.
    method : {"pca", "mds"}
        ``pca``: principal axes of all epochs' patterns together, each epoch
        projected onto them. ``mds``: one MDS of all (epoch, example) points
        together. Either way a point's position means the same at every epoch.

    Returns
    -------
    Trajectory
    """
    s = np.asarray(stack, dtype=float)
    if s.ndim != 3:
        raise PdpError(f"trajectory: expected an array (epochs, examples, units), got {s.ndim}-D")
    ne, nx, nu = s.shape
    if ne < 1:
        raise PdpError("trajectory: no epochs recorded")
    ep = np.arange(ne) if epochs is None else np.asarray(epochs, dtype=int)
    if ep.shape != (ne,):
        raise PdpError(f"trajectory: {len(ep)} epochs for {ne} recorded moments")
    names = _names(names, nx)
    flat = s.reshape(ne * nx, nu)
    meth = str(method).lower()
    if meth == "pca":
        p = pca(flat, n_components)
        return Trajectory(p.coords.reshape(ne, nx, -1), ep, names, "pca", explained=p.explained)
    if meth == "mds":
        p = mds(flat, n_components, metric, seed, n_init=n_init)
        return Trajectory(p.coords.reshape(ne, nx, -1), ep, names, "mds", stress=p.stress)
    raise PdpError(f"trajectory: unknown method {method!r}; expected pca or mds")
