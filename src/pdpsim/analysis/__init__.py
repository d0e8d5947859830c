"""What hidden representations learn: similarity structure of unit patterns.

Every function takes plain arrays of patterns, one row per example
(``(n_examples, n_units)``; see :meth:`pdpsim.records.recording.Recording.patterns`),
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

The code lives in one submodule per concern, all re-exported here:
:mod:`.distances` (input checks, :func:`dissimilarity`), :mod:`.similarity`
(RSA), :mod:`.clustering`, :mod:`.projections` (PCA, MDS, trajectories),
:mod:`.categories` and :mod:`.readouts`.
"""
from pdpsim.analysis.categories import between_within, level_distances, onset_epochs
from pdpsim.analysis.clustering import LINKAGE_METHODS, ClusterResult, cluster
from pdpsim.analysis.distances import METRICS, dissimilarity, upper
from pdpsim.analysis.projections import Projection, Trajectory, classical_mds, mds, pca, trajectory
from pdpsim.analysis.readouts import Readout, best_linear_accuracy, linear_separability, readout
from pdpsim.analysis.similarity import RSAResult, rsa, spearman

__all__ = [
    "METRICS", "LINKAGE_METHODS", "upper", "dissimilarity", "spearman", "RSAResult", "rsa",
    "ClusterResult", "cluster", "Projection", "pca", "classical_mds", "mds", "Trajectory", "trajectory",
    "level_distances", "between_within", "onset_epochs",
    "linear_separability", "best_linear_accuracy", "Readout", "readout",
]
