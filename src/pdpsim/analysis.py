"""What hidden representations learn: similarity structure of unit patterns.

Every function takes plain arrays of patterns, one row per example
(``(n_examples, n_units)``; see :meth:`pdpsim.recording.Recording.patterns`),
so any group at any moment can be compared with any other:

- :func:`dissimilarity` -- the examples' pairwise dissimilarities (euclidean,
  correlation or cosine distance);
- :func:`rsa` -- representational similarity analysis: the Spearman
  correlation of two dissimilarity matrices' upper triangles, with a seeded
  permutation test that permutes the example labels of one of them;
- :func:`cluster` -- hierarchical clustering (scipy linkage and dendrogram order);
- :func:`mds` and :func:`pca` -- 2-D (or k-D) projections, and
  :func:`trajectory` -- the same over many epochs, fitted once on all epochs
  together so that the positions of different epochs are comparable;
- :func:`level_distances`, :func:`onset_epochs` -- progressive differentiation
  of a category hierarchy;
- :func:`linear_separability`, :func:`best_linear_accuracy`, :func:`readout`
  -- what a linear unit can read out of a representation.

Everything is deterministic: the permutation test and MDS take a seed, and
PCA and MDS solutions are rotated to their principal axes with a fixed sign
convention (the largest coordinate on each axis is positive).
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from .validation import PdpError

METRICS = ("euclidean", "correlation", "cosine")
LINKAGE_METHODS = ("single", "complete", "average", "weighted", "centroid", "median", "ward")


# ---------------------------------------------------------------- helpers
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


def _names(names, n: int, what: str = "names") -> list[str]:
    if names is None:
        return [str(i) for i in range(n)]
    names = [str(s) for s in names]
    if len(names) != n:
        raise PdpError(f"{what}: {len(names)} names for {n} examples")
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


# ---------------------------------------------------------------- RSA
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


# ---------------------------------------------------------------- clustering
@dataclass
class ClusterResult:
    """Hierarchical clustering of examples.

    Attributes
    ----------
    linkage : ndarray (n - 1, 4)
        scipy's linkage matrix.
    names : list of str
    order : list of int
        Leaf order of the dendrogram (examples, left to right).
    metric, method : str
    distances : ndarray (n, n)
    """

    linkage: np.ndarray
    names: list[str]
    order: list[int]
    metric: str
    method: str
    distances: np.ndarray

    @property
    def leaves(self) -> list[str]:
        """Example names in dendrogram order."""
        return [self.names[i] for i in self.order]

    def clusters(self, k: int) -> np.ndarray:
        """Cut the tree into ``k`` clusters: one label (1..k) per example."""
        from scipy.cluster.hierarchy import fcluster
        k = int(k)
        if not 1 <= k <= len(self.names):
            raise PdpError(f"clusters: k must be in 1..{len(self.names)}, got {k}")
        return fcluster(self.linkage, k, criterion="maxclust")

    def merge_height(self, members: Sequence[str | int]) -> float:
        """Height at which the given examples first fall in one cluster."""
        idx = {self.names.index(m) if isinstance(m, str) else int(m) for m in members}
        n = len(self.names)
        sets = {i: {i} for i in range(n)}
        for j, (a, b, h, _) in enumerate(self.linkage):
            s = sets.pop(int(a)) | sets.pop(int(b))
            sets[n + j] = s
            if idx <= s:
                return float(h)
        return float("nan")


def cluster(patterns, names: Sequence[str] | None = None, metric: str = "euclidean",
            method: str = "average") -> ClusterResult:
    """Agglomerative clustering of the examples' patterns (scipy ``linkage``).

    Parameters
    ----------
    patterns : array_like (n_examples, n_units)
    names : list of str, optional
    metric : {"euclidean", "correlation", "cosine"}
    method : str
        scipy linkage method: single, complete, average, weighted, centroid,
        median or ward (the last three need the euclidean metric).

    Returns
    -------
    ClusterResult
    """
    from scipy.cluster.hierarchy import dendrogram, linkage
    from scipy.spatial.distance import squareform
    x = _patterns(patterns)
    m = _metric(metric)
    meth = str(method).lower()
    if meth not in LINKAGE_METHODS:
        raise PdpError(f"unknown linkage method {method!r}; expected one of {', '.join(LINKAGE_METHODS)}")
    if meth in ("centroid", "median", "ward") and m != "euclidean":
        raise PdpError(f"linkage method '{meth}' needs the euclidean metric, not '{m}'")
    names = _names(names, x.shape[0])
    d = dissimilarity(x, m)
    z = linkage(squareform(d, checks=False), method=meth)
    order = dendrogram(z, no_plot=True)["leaves"]
    return ClusterResult(z, names, [int(i) for i in order], m, meth, d)


# ---------------------------------------------------------------- projections
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


# ---------------------------------------------------------------- categories
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


# ---------------------------------------------------------------- linear readout
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
