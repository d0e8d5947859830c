"""Hierarchical clustering of examples' patterns (scipy linkage, dendrogram order)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from pdpsim.validation import PdpError
from pdpsim.analysis.distances import _metric, _names, _patterns, dissimilarity

LINKAGE_METHODS = ("single", "complete", "average", "weighted", "centroid", "median", "ward")


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
