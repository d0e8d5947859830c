"""Rumelhart's semantic network: progressive differentiation of concepts.

The network of Rumelhart & Todd (1993) as Rogers & McClelland (2004) and
McClelland & Rogers (2003) train it: an *item* (one of 8: pine, oak, rose,
daisy, robin, canary, sunfish, salmon) feeds a *representation* layer of 8
units, which with a *relation* (ISA, is, can, has) feeds 15 *hidden* units,
which produce the 36 *attributes* true of that item under that relation
(32 examples). Weights start small (uniform +-0.05), so every item starts
with nearly the same representation; full-batch steepest descent with
learning rate 0.1 on the sum-squared error.

While it learns, the representation layer's patterns for the 8 items are
recorded. They differentiate progressively, coarse distinctions first:
plants from animals, then trees from flowers and birds from fish, and last
the items within each of those. The report measures this with the mean
euclidean distance between items that first differ at each level of the
hierarchy (plant/animal; basic category within a domain; item within a
basic category), the epoch at which each of these distances first reaches
half its maximum (an onset that does not depend on each level's scale), and
the epoch at which each first exceeds a fixed distance; it shows dendrograms
at the onsets and MDS and PCA trajectories fitted jointly over all epochs.

The data set (sem_items.txt, sem_relations.txt, sem_attributes.txt,
sem_data.txt, as in github.com/brendenlake/archive-CCM-site,
homeworks/homework-NeuralNet/data) is not shipped with pdpsim because its
source states no licence: pass its folder as ``data_dir`` (``--data``) or set
``PDPSIM_SEMANTIC_DATA``.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from pdpsim import analysis
from pdpsim.analysis import figures
from pdpsim.analysis import plots
from pdpsim.model.examples import ExampleSet
from pdpsim.model.network import Network
from pdpsim.records.recording import Recorder
from pdpsim.training.params import TrainingParams
from pdpsim.training.loop import train
from pdpsim.validation import PdpError
from pdpsim.reproductions import Report, out_dir, write_report

NAME = "semantic"
ENV = "PDPSIM_SEMANTIC_DATA"
FILES = ("sem_items.txt", "sem_relations.txt", "sem_attributes.txt", "sem_data.txt")
LEVELS = ("domain (plant vs animal)", "basic (tree/flower, bird/fish)", "item (within basic category)")
#: absolute distance used for the second, scale-dependent onset measure
THRESHOLD = 0.5
#: recorded epochs used for the joint MDS (evenly spaced, first and last included)
MDS_EPOCHS = 25


@dataclass
class SemanticData:
    """The semantic network's training set and its category structure.

    Attributes
    ----------
    examples : ExampleSet
        32 examples ``"<item> <relation>"``: inputs ``item`` (8) and
        ``relation`` (4), targets ``attribute`` (36).
    items, relations, attributes : list of str
    domain, basic : list of str
        Each item's superordinate (Plant/Animal) and basic category
        (Tree/Flower/Bird/Fish), read from its ISA targets.
    """

    examples: ExampleSet
    items: list[str]
    relations: list[str]
    attributes: list[str]
    domain: list[str]
    basic: list[str]

    def item_probe(self) -> ExampleSet:
        """One example per item (its ISA example): the representation layer sees only the item."""
        rel = self.relations[0]
        idx = [self.examples.index(f"{it} {rel}") for it in self.items]
        return self.examples.subset(idx, name="items")


def _lines(p: Path) -> list[str]:
    return [s.strip() for s in p.read_text().splitlines() if s.strip()]


def find_data(data_dir: str | os.PathLike | None = None) -> Path:
    """The folder holding the four ``sem_*.txt`` files (argument, else ``$PDPSIM_SEMANTIC_DATA``)."""
    if data_dir is None:
        data_dir = os.environ.get(ENV)
    if not data_dir:
        raise PdpError("the semantic network data set is not shipped with pdpsim (its source states no "
                       f"licence): pass its folder with --data DIR (or set {ENV}); the folder needs "
                       f"{', '.join(FILES)} (e.g. from github.com/brendenlake/archive-CCM-site, "
                       "homeworks/homework-NeuralNet/data)")
    p = Path(data_dir)
    if not p.is_dir():
        raise PdpError(f"semantic data '{p}': no such folder")
    missing = [f for f in FILES if not (p / f).is_file()]
    if missing:
        raise PdpError(f"semantic data '{p}': missing {', '.join(missing)}")
    return p


def load_data(data_dir: str | os.PathLike | None = None) -> SemanticData:
    """Read the semantic network's items, relations, attributes and 32 examples.

    ``sem_data.txt`` has one row per example: the item one-hot, the relation
    one-hot, then the attribute targets (0/1), space-separated.
    """
    p = find_data(data_dir)
    items, relations, attributes = (_lines(p / f) for f in FILES[:3])
    try:
        data = np.loadtxt(p / "sem_data.txt", ndmin=2)
    except ValueError as e:
        raise PdpError(f"semantic data '{p / 'sem_data.txt'}': not a table of numbers ({e})") from None
    ni, nr, na = len(items), len(relations), len(attributes)
    if data.shape[1] != ni + nr + na:
        raise PdpError(f"semantic data '{p / 'sem_data.txt'}': rows of {data.shape[1]} values, expected "
                       f"{ni} items + {nr} relations + {na} attributes = {ni + nr + na}")
    xi, xr, t = data[:, :ni], data[:, ni:ni + nr], data[:, ni + nr:]
    for what, x in (("item", xi), ("relation", xr)):
        if not np.all(x.sum(axis=1) == 1) or not np.all((x == 0) | (x == 1)):
            raise PdpError(f"semantic data '{p / 'sem_data.txt'}': every row needs exactly one {what} unit on")
    names = [f"{items[int(a)]} {relations[int(b)]}" for a, b in zip(xi.argmax(1), xr.argmax(1))]
    if len(set(names)) != len(names):
        raise PdpError(f"semantic data '{p / 'sem_data.txt'}': an (item, relation) pair appears twice")
    xs = ExampleSet({"item": xi, "relation": xr}, {"attribute": t}, names=names, name="semantic")
    # categories from the ISA targets: the superordinate and basic-level names
    isa = relations[0]
    domain, basic = [], []
    for it in items:
        if f"{it} {isa}" not in names:
            raise PdpError(f"semantic data: item '{it}' has no '{isa}' example")
        row = t[names.index(f"{it} {isa}")]
        on = [attributes[j] for j in np.nonzero(row > 0.5)[0]]
        dom = [a for a in on if a in ("Plant", "Animal")]
        bas = [a for a in on if a in ("Tree", "Flower", "Bird", "Fish")]
        if len(dom) != 1 or len(bas) != 1:
            raise PdpError(f"semantic data: item '{it}': its {isa} targets should name one of Plant/Animal and "
                           f"one of Tree/Flower/Bird/Fish, got {on}")
        domain.append(dom[0])
        basic.append(bas[0])
    return SemanticData(xs, items, relations, attributes, domain, basic)


def build_network(data: SemanticData, seed: int = 0, init_range: float = 0.05, representation: int = 8,
                  hidden: int = 15) -> Network:
    """item -> representation -> hidden <- relation; hidden -> attribute (logistic, with bias)."""
    net = Network("semantic", seed=seed, init_range=init_range)
    net.add_group("item", len(data.items), kind="INPUT", unit_names=data.items)
    net.add_group("relation", len(data.relations), kind="INPUT", unit_names=data.relations)
    net.add_group("representation", representation, unit_names=[f"rep{i}" for i in range(representation)])
    net.add_group("hidden", hidden, unit_names=[f"hid{i}" for i in range(hidden)])
    net.add_group("attribute", len(data.attributes), kind="OUTPUT", error="SUM_SQUARED",
                  unit_names=data.attributes)
    net.connect("item", "representation")
    net.connect("representation", "hidden")
    net.connect("relation", "hidden")
    net.connect("hidden", "attribute")
    net.connect_bias()
    return net


def training_params(quick: bool = False) -> TrainingParams:
    """Full-batch steepest descent, eps 0.1, no momentum; 6000 epochs (3000 with ``quick``)."""
    return TrainingParams(algorithm="steepest", learning_rate=0.1, momentum=0.0, batch_size=0,
                          order="ordered", max_epochs=3000 if quick else 6000).validated()


def differentiation(stack: np.ndarray, data: SemanticData, metric: str = "euclidean") -> np.ndarray:
    """Mean distance at each level (domain, basic, item) at each recorded epoch: shape (epochs, 3)."""
    return np.array([analysis.level_distances(p, [data.domain, data.basic], metric) for p in stack])


def run(out, quick: bool = False, seed: int = 0, data_dir=None,
        echo: Callable[[str], None] | None = print) -> dict:
    """Train the semantic network, measure progressive differentiation, write figures and a report.

    Parameters
    ----------
    out : path
    quick : bool
        3000 epochs instead of 6000, recorded every 50 instead of every 20.
    seed : int
        Seed for the initial weights.
    data_dir : path, optional
        Folder with the ``sem_*.txt`` files (default ``$PDPSIM_SEMANTIC_DATA``).

    Returns
    -------
    dict
        The report; ``onset_epochs`` gives, per level, the first epoch at which
        its mean distance reached half its maximum.
    """
    data = load_data(data_dir)
    out = out_dir(out)
    rep = Report(echo)
    net = build_network(data, seed=seed)
    params = training_params(quick)
    probe = data.item_probe()
    every = 50 if quick else 20
    rec = Recorder(net, probe, ["representation", "hidden"], every=every, weights=["item->representation"])
    rec.capture(0)
    result = train(net, data.examples, params, callbacks=[rec])
    rec.capture(result.n_epochs)
    rec.save(out / "recording.npz")

    # accuracy at the end: every attribute on the right side of 0.5
    from pdpsim.training.testing import test
    res = test(net, data.examples)
    o, t = res.outputs["attribute"], res.targets["attribute"]
    correct_units = float(np.mean((o > 0.5) == (t > 0.5)))
    correct_examples = float(np.mean(np.all((o > 0.5) == (t > 0.5), axis=1)))

    stack = rec.array("representation")
    epochs = rec.epochs
    curves = differentiation(stack, data)
    onset_half = analysis.onset_epochs(curves, epochs, fraction=0.5)
    onset_abs = analysis.onset_epochs(curves, epochs, threshold=THRESHOLD)
    final = curves[-1]
    rep(f"Semantic network (8 items x 4 relations -> 36 attributes; representation 8, hidden 15), seed {seed}")
    rep(f"  full-batch steepest descent, eps {params.learning_rate}, weights uniform +-0.05 at the start; "
        f"{result.n_epochs} epochs, total error {result.errors[0]:.2f} -> {result.final_error:.3f}")
    rep(f"  attribute units on the right side of 0.5: {correct_units:.1%}; examples entirely right: "
        f"{correct_examples:.1%}")
    rep("")
    rep("Progressive differentiation of the representation layer (8 items; mean euclidean distance between")
    rep(f"items that first differ at each level; recorded every {every} epochs)")
    rep(f"  {'level':<34}{'half-max onset':>15}{f'> {THRESHOLD} onset':>14}{'final':>8}")
    for k, name in enumerate(LEVELS):
        h = "never" if np.isnan(onset_half[k]) else f"{int(onset_half[k])}"
        a = "never" if np.isnan(onset_abs[k]) else f"{int(onset_abs[k])}"
        rep(f"  {name:<34}{h:>15}{a:>14}{final[k]:8.3f}")
    order_ok = bool(np.all(np.isfinite(onset_half)) and onset_half[0] < onset_half[1] < onset_half[2])
    rep(f"  order domain < basic < item (half-max onsets): {order_ok}")
    checkpoints = sorted({int(epochs[0]), *[int(e) for e in onset_half if np.isfinite(e)], int(epochs[-1])})
    rep("  distances at those epochs:")
    for e in checkpoints:
        c = curves[list(epochs).index(e)]
        rep(f"    epoch {e:>5}: " + ", ".join(f"{n.split(' ')[0]} {v:.3f}" for n, v in zip(LEVELS, c)))
    bw = {}
    for lab_name, labels in (("domain", data.domain), ("basic", data.basic)):
        pairs = np.array([analysis.between_within(p, labels) for p in stack])
        bw[lab_name] = pairs
    # clustering at the end: does the tree cut into the categories?
    cl_final = analysis.cluster(stack[-1], data.items, "euclidean", "average")
    two = cl_final.clusters(2)
    four = cl_final.clusters(4)

    def same_partition(labels_a, labels_b) -> bool:
        a, b = np.asarray(labels_a), np.asarray(labels_b)
        return all((a[i] == a[j]) == (b[i] == b[j]) for i in range(len(a)) for j in range(len(a)))

    split2, split4 = same_partition(two, data.domain), same_partition(four, data.basic)
    rep("")
    rep(f"Clustering the final representations (average linkage): 2 clusters = plants/animals: {split2}; "
        f"4 clusters = trees/flowers/birds/fish: {split4}")
    # RSA: final representation vs the items' attribute structure, and early vs final
    attr = np.hstack([data.examples.targets["attribute"][[data.examples.index(f"{it} {r}") for it in data.items], 0]
                      for r in data.relations])
    rsa_attr = analysis.rsa(stack[-1], attr, metric="euclidean", n_permutations=10000, seed=seed)
    rep(f"RSA final representation vs the items' attributes (all relations): rho {rsa_attr.rho:+.3f}, "
        f"p {rsa_attr.p_value:.4f} ({rsa_attr.n_permutations} relabellings)")
    rsa_curve = []
    for p in stack[1:]:
        r = analysis.rsa(p, attr, metric="euclidean", n_permutations=1, seed=seed)
        rsa_curve.append(r.rho)

    # figures
    files = []
    files.append(figures.error_curves({"semantic": (result.epochs, result.errors)}, out / "semantic-error.png",
                                      title="Semantic network: total error per epoch"))
    files.append(plots.curves(epochs, {n: curves[:, k] for k, n in enumerate(LEVELS)},
                              out / "semantic-differentiation.png",
                              ylabel="mean euclidean distance", marks=dict(zip(LEVELS, onset_half)),
                              title="Representation layer: distance between items that differ at each level\n"
                                    "(dotted: half-maximum onsets)"))
    panels = [(f"epoch {e}", analysis.cluster(stack[list(epochs).index(e)], data.items, "euclidean", "average"))
              for e in checkpoints]
    files.append(plots.dendrograms(panels, out / "semantic-dendrograms.png",
                                   title="Representations at the onsets of each level (one distance scale)"))
    # MDS of every (epoch, item) point together costs O(points^2) per iteration: use ~25 epochs
    sel = np.unique(np.round(np.linspace(0, len(epochs) - 1, min(len(epochs), MDS_EPOCHS))).astype(int))
    traj = analysis.trajectory(stack[sel], epochs[sel], data.items, method="mds", seed=seed)
    files.append(plots.trajectory(traj, out / "semantic-mds.png", categories=data.basic,
                                  title="Representation layer: MDS of all epochs together"))
    traj_pca = analysis.trajectory(stack, epochs, data.items, method="pca")
    files.append(plots.trajectory(traj_pca, out / "semantic-pca.png", categories=data.basic,
                                  title="Representation layer: PCA of all epochs together"))
    files.append(plots.dissimilarity_matrix(cl_final.distances, out / "semantic-dissimilarity.png", data.items,
                                            title=f"Final representations (epoch {int(epochs[-1])})"))
    files.append(plots.activations(stack[-1], out / "semantic-representations.png", data.items,
                                   net.group("representation").unit_names,
                                   title=f"Representation layer per item (epoch {int(epochs[-1])})"))
    files.append(plots.hinton(net.block("item", "representation").weights, out / "semantic-weights.png",
                              data.items, net.group("representation").unit_names,
                              title="item -> representation weights"))
    rep("")
    rep(f"Figures in {out}: " + ", ".join(Path(f).name for f in files))
    report = {
        "name": NAME, "seed": seed, "quick": quick, "epochs": result.n_epochs,
        "training": {k: v for k, v in params.to_dict().items()}, "init_range": 0.05,
        "first_error": float(result.errors[0]), "final_error": result.final_error,
        "attribute_units_correct": correct_units, "examples_correct": correct_examples,
        "levels": list(LEVELS), "onset_epochs": onset_half, "threshold": THRESHOLD,
        "threshold_epochs": onset_abs, "order_ok": order_ok, "final_distances": final,
        "checkpoints": checkpoints, "record_every": every,
        "curves": {"epochs": epochs, **{n: curves[:, k] for k, n in enumerate(LEVELS)}},
        "between_within": {k: {"between": v[:, 0], "within": v[:, 1]} for k, v in bw.items()},
        "final_clusters": {"two_is_domain": split2, "four_is_basic": split4, "leaves": cl_final.leaves},
        "rsa_final_vs_attributes": rsa_attr.to_dict(),
        "rsa_vs_attributes_curve": rsa_curve,
        "figures": [Path(f).name for f in files],
    }
    write_report(out, rep.text, report)
    return report
