"""Plaut & Shallice (1993): deep dyslexia in a network that settles over time.

The network reads a word by mapping its spelling to its meaning::

    orthography (48) -> intermediate (40) <-> semantics (118) <-> clean-up (60)
                                               semantics -> semantics

(``<->``: links both ways; every non-input group also has a bias). Sparse random connectivity and
links within the semantic group follow Hinton & Shallice's network, which Plaut & Shallice took
over: each link block connects a random 25% of the possible pairs of units (``Settings.density``;
drawn once per network from its seed and kept through training; 25% is the proportion we
understand them to have used, not checked against a copy of either paper) and the semantic units
are linked with each other (``Settings.lateral``, no unit to itself). Every non-input group is logistic with output integration (OUT_INTEGR, dt = 1/4), so the
semantic pattern *settles* over 16 ticks (4 intervals) into an attractor formed by the clean-up
units, the links within semantics and the feedback to the intermediate units. It is trained by
backpropagation through time, full batch, with cross-entropy on the semantic features over the last
2 intervals (ticks 9-16), with Gaussian noise (s.d. 0.2) on the intermediate outputs at every tick
while training (not while testing). The noise is a departure from the paper, kept on evidence: with
the paper's architecture but no noise, clean-up lesions give mostly *visual* errors; with it they
give relatively more semantic errors than direct-pathway lesions, as in the paper (see
docs/plaut_shallice.md). With full connectivity (``density={}``) and no lateral links the direct
pathway does the whole job and clean-up lesions give (almost) no errors at all.

A word is *read* as the word whose semantic features are nearest to the
semantic output at the last tick by the cosine (Hinton & Shallice's
"proximity", the normalised dot product); the network gives that word as its
response only if the proximity is at least 0.8 and exceeds the next nearest
word's by at least 0.02 (the "gap"), otherwise it gives no response. (Plaut
& Shallice's gap was 0.05; in this data set *gain* and *loss* differ in only
2 of their 22 features, cosine 0.955, so even a perfect output has a gap of
only 0.045 for them.) Training stops when every word is read correctly and
every semantic output is within 0.2 of its target at the last tick.

Lesions remove a random proportion of the links of one pathway
(orthography->intermediate, intermediate->semantics, semantics->semantics, semantics->clean-up,
clean-up->semantics; in a sparse block a random proportion of all possible links, so the same
proportion of the existing ones on average) or of the units of the intermediate or clean-up group,
many times at each severity; every response of a lesioned network is scored
against the data's lists of orthographically and semantically close words
(as the emergent sim scores them): *correct*, *visual* (close in spelling
only), *semantic* (close in meaning only), *mixed* (both), *other* (neither),
or *no response*. The report gives the rates per site and severity, the error
types against what random wrong words would give, and the concreteness
effect (correct rate for the 20 concrete vs the 20 abstract words) per site; with several
networks (seeds), each rate as the mean over networks with its 95% t interval, and the
semantic share of the errors of the clean-up pathway against the direct one.

The settling analysis compares the similarity structure of the intermediate
(hidden) patterns of the 40 words, tick by tick, with that of their spellings
and of their meanings (representational similarity analysis:
:func:`pdpsim.analysis.rsa`, Spearman correlation of correlation-distance
dissimilarity matrices with a permutation test that relabels the words).
Spelling and meaning are unrelated in this word set, yet the hidden patterns
correlate with both: they "split the difference". (The correlation distance
ignores a pattern's overall offset and scale, so a hidden layer that only
integrated a fixed input would give the same rho at every tick; any change
over the ticks comes from the semantic feedback.)

The word set (Plaut & Shallice's 40 concrete/abstract words, as coded for the
emergent "dyslexia" sim, github.com/CompCogNeuro/sims, BSD-3-Clause) ships
with pdpsim in ``pdpsim/data/deep_dyslexia`` with its licence; ``data_dir``
(``--data``) or ``$PDPSIM_DEEP_DYSLEXIA_DATA`` reads another copy.
"""
from __future__ import annotations

import csv
import io
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from pdpsim import analysis
from pdpsim.analysis import figures
from pdpsim.model.examples import ExampleSet
from pdpsim.model.lesion import lesion_links, lesion_units
from pdpsim.model.network import Network
from pdpsim.training.params import TrainingParams
from pdpsim.training.loop import train
from pdpsim.dynamics.unfolding import make_continuous, run_examples
from pdpsim.validation import PdpError, atomic_write
from pdpsim.records.weights import save_weights
from pdpsim.reproductions import Report, out_dir, write_report
from pdpsim.datasets.deep_dyslexia import FILES, DyslexiaData, load_data  # noqa: F401  (FILES: the tests)

NAME = "plaut-shallice"
#: how a response is scored, in report order
CATEGORIES = ("correct", "visual", "semantic", "mixed", "other", "no_response")
ERROR_TYPES = ("visual", "semantic", "mixed", "other")
#: lesion sites: (name, kind, target) -- kind "links" takes a block 'source->dest', "units" a group
SITES = (
    ("O->I", "links", "orthography->intermediate"),
    ("I->S", "links", "intermediate->semantics"),
    ("S->S", "links", "semantics->semantics"),
    ("S->C", "links", "semantics->cleanup"),
    ("C->S", "links", "cleanup->semantics"),
    ("I units", "units", "intermediate"),
    ("C units", "units", "cleanup"),
)
#: proportions removed at each site (full run); the quick run uses every other one
SEVERITIES = {
    "O->I": (0.1, 0.2, 0.3, 0.4, 0.5),
    "I->S": (0.1, 0.2, 0.3, 0.4, 0.5),
    "S->S": (0.1, 0.2, 0.3, 0.4, 0.5),
    "S->C": (0.1, 0.2, 0.3, 0.4, 0.5),
    "C->S": (0.1, 0.2, 0.3, 0.4, 0.5),
    "I units": (0.1, 0.2, 0.3, 0.4, 0.5),
    "C units": (0.1, 0.2, 0.3, 0.4, 0.5),
}
#: the link blocks between groups ('source->dest'), semantics->semantics only with ``lateral``
BLOCKS = ("orthography->intermediate", "intermediate->semantics", "semantics->intermediate",
          "semantics->semantics", "semantics->cleanup", "cleanup->semantics")


def uniform_density(p: float) -> dict[str, float]:
    """Every link block of :data:`BLOCKS` with connection probability ``p`` (Settings.density)."""
    return {b: float(p) for b in BLOCKS}


#: each link block's connection probability by default (see Settings.density): a random 25% of
#: the possible links (Hinton & Shallice's sparse connectivity, as we understand it)
DENSITY: dict[str, float] = uniform_density(0.25)


# ---------------------------------------------------------------- the network
@dataclass
class Settings:
    """Architecture, dynamics, training and scoring (the defaults are the reported run).

    Attributes
    ----------
    intermediate, cleanup : int     group sizes (Plaut & Shallice: 40 and 60)
    lateral : bool                  semantics -> semantics links (no unit to itself), Hinton & Shallice's
                                    intra-sememe links
    density : dict                  connection probability of each link block ('source->dest' of
                                    :data:`BLOCKS`; absent: 1), drawn once per network (seeded by its
                                    seed) and kept through training; default 0.25 for every block
    feedback : bool                 semantics -> intermediate links (the hidden layer settles too)
    ticks_per_interval, intervals, grace : time (dt = 1/ticks_per_interval; error after ``grace``)
    init_output : float             every unit's output at tick 0
    init_range : float              initial weights (and biases) uniform in +-init_range
    algorithm, learning_rate, momentum, weight_decay : the update rule (full batch)
    training_noise : float          s.d. of Gaussian noise added to the outputs of ``noise_groups``
    noise_groups : tuple of str     (the intermediate units) on every tick while training, not while
                                    testing, so that the attractor must clean up a degraded input
    proximity, gap : float          the reading criterion (cosine; see the module docstring)
    tolerance : float               training also stops only when every semantic output is within
                                    this of its target at the last tick
    max_epochs, check_every : int   give up after max_epochs; test the criterion every check_every
    rsa_metric : str                dissimilarity for the settling analysis
    """

    intermediate: int = 40
    cleanup: int = 60
    lateral: bool = True
    density: dict = field(default_factory=lambda: dict(DENSITY))
    feedback: bool = True
    ticks_per_interval: int = 4
    intervals: float = 4.0
    grace: float = 2.0
    init_output: float = 0.2
    init_range: float = 0.3
    algorithm: str = "dougs_momentum"
    learning_rate: float = 0.5
    momentum: float = 0.9
    weight_decay: float = 0.0
    training_noise: float = 0.2
    noise_groups: tuple[str, ...] = ("intermediate",)
    proximity: float = 0.8
    gap: float = 0.02
    tolerance: float = 0.2
    max_epochs: int = 5000
    check_every: int = 5
    rsa_metric: str = "correlation"

    @property
    def ticks(self) -> int:
        return int(round(self.intervals * self.ticks_per_interval))

    def to_dict(self) -> dict:
        return asdict(self)


def build_network(data: DyslexiaData, settings: Settings | None = None, seed: int = 0) -> Network:
    """The untrained network (see the module docstring)."""
    s = settings or Settings()
    net = Network("plaut-shallice", seed=seed, init_range=s.init_range)
    nf = data.semantics.shape[1]
    net.add_group("orthography", data.orthography.shape[1], kind="INPUT",
                  unit_names=[f"o{i}" for i in range(data.orthography.shape[1])])
    net.add_group("intermediate", s.intermediate, integration="OUT_INTEGR", init_output=s.init_output)
    net.add_group("semantics", nf, kind="OUTPUT", error="CROSS_ENTROPY", integration="OUT_INTEGR",
                  init_output=s.init_output, unit_names=list(data.feature_names))
    net.add_group("cleanup", s.cleanup, integration="OUT_INTEGR", init_output=s.init_output)
    net.connect("orthography", "intermediate")
    net.connect("intermediate", "semantics")
    if s.feedback:
        net.connect("semantics", "intermediate")
    net.connect_bidirectional("semantics", "cleanup")
    if s.lateral:
        b = net.connect("semantics", "semantics")
        b.mask = 1.0 - np.eye(nf)                   # no unit connects to itself (kept 0 through learning)
        b.weights *= b.mask
    if s.density:
        # sparse random connectivity: a 0/1 mask per block, which training keeps (as it keeps a lesion's)
        rng = np.random.default_rng(np.random.SeedSequence([int(seed), 1993]))
        for name in sorted(s.density):
            p = float(s.density[name])
            if not 0.0 < p <= 1.0:
                raise PdpError(f"density of {name}: expected a proportion in (0, 1], got {p}")
            src, _, dst = (x.strip() for x in name.partition("->"))
            if f"{src}->{dst}" not in BLOCKS:
                raise PdpError(f"density of {name}: no such link block (expected one of {', '.join(BLOCKS)})")
            if ((src, dst) == ("semantics", "semantics") and not s.lateral) or \
                    ((src, dst) == ("semantics", "intermediate") and not s.feedback):
                continue                             # a block this network does not have
            b = net.block(src, dst)
            keep = (rng.random(b.weights.shape) < p).astype(float)
            b.mask = keep if b.mask is None else b.mask * keep
            b.weights *= b.mask
    net.connect_bias()
    make_continuous(net, ticks_per_interval=s.ticks_per_interval, intervals=s.intervals, grace=s.grace)
    return net


# ---------------------------------------------------------------- reading
@dataclass
class Reading:
    """What the network read for each word at the last tick.

    ``response[i]`` is the index of the word read for word i, or -1 for no response;
    ``nearest`` the nearest word regardless of the criterion; ``proximity`` its cosine;
    ``gap`` the cosine margin over the next nearest word.
    """

    response: np.ndarray
    nearest: np.ndarray
    proximity: np.ndarray
    gap: np.ndarray
    semantics: np.ndarray

    @property
    def correct(self) -> np.ndarray:
        return self.response == np.arange(len(self.response))


def _unit(x: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(x, axis=-1, keepdims=True)
    return x / np.where(n > 0, n, 1.0)


def read_out(outputs: np.ndarray, targets: np.ndarray, proximity: float, gap: float) -> Reading:
    """Score semantic outputs (n, features) against every word's features (the criterion)."""
    cos = _unit(np.asarray(outputs, float)) @ _unit(np.asarray(targets, float)).T
    order = np.argsort(-cos, axis=1, kind="stable")
    rows = np.arange(cos.shape[0])
    best, second = cos[rows, order[:, 0]], cos[rows, order[:, 1]]
    ok = (best >= proximity) & (best - second >= gap)
    return Reading(np.where(ok, order[:, 0], -1), order[:, 0], best, best - second, np.asarray(outputs))


def read_words(net: Network, data: DyslexiaData, settings: Settings | None = None,
               examples: ExampleSet | None = None) -> Reading:
    """Run every word (no learning, no noise) and read the semantics at the last tick."""
    s = settings or Settings()
    run_examples(net, examples or data.examples())
    out = net.groups["semantics"].output_history[-1]
    return read_out(out, data.semantics, s.proximity, s.gap)


@dataclass
class Trained:
    net: Network
    epochs: int
    criterion_epoch: int | None     # first check at which every word was read correctly
    final_error: float
    errors: np.ndarray
    seconds: float
    reading: Reading
    max_deviation: float            # largest |output - target| at the last tick
    tolerance: float = 0.2

    @property
    def converged(self) -> bool:
        """Every word read correctly and every feature within the tolerance."""
        return bool(self.reading.correct.all() and self.max_deviation <= self.tolerance)


def train_network(data: DyslexiaData, settings: Settings | None = None, seed: int = 0,
                  max_epochs: int | None = None) -> Trained:
    """Train (with noise on ``noise_groups``) until, tested without noise, every word is read
    correctly (proximity and gap criterion) and every semantic output is within ``tolerance``
    of its target at the last tick; the criterion is tested every ``check_every`` epochs."""
    s = settings or Settings()
    net = build_network(data, s, seed)
    xs = data.examples()
    noisy = [net.groups[g] for g in s.noise_groups]
    state: dict = {"first": None}

    def noise(sd: float) -> None:
        for g in noisy:
            g.output_noise = sd

    def check(epoch, error, net_):
        if epoch % s.check_every:
            return None
        noise(0.0)
        try:
            r = read_words(net_, data, s, xs)
        finally:
            noise(s.training_noise)
        if r.correct.all() and state["first"] is None:
            state["first"] = epoch
        return bool(r.correct.all() and np.abs(r.semantics - data.semantics).max() <= s.tolerance)

    params = TrainingParams(algorithm=s.algorithm, learning_rate=s.learning_rate, momentum=s.momentum,
                            weight_decay=s.weight_decay, max_epochs=max_epochs or s.max_epochs)
    t0 = time.perf_counter()
    noise(s.training_noise)
    try:
        result = train(net, xs, params, callbacks=[check])
    finally:
        noise(0.0)
    seconds = time.perf_counter() - t0
    reading = read_words(net, data, s, xs)
    dev = float(np.abs(reading.semantics - data.semantics).max())
    return Trained(net, result.n_epochs, state["first"], result.final_error, result.errors, seconds,
                   reading, dev, s.tolerance)


# ---------------------------------------------------------------- scoring errors
def classify(target: str, response: str | None, close_orthography: dict[str, set[str]],
             close_semantics: dict[str, set[str]]) -> str:
    """Score one response to ``target``: correct, visual, semantic, mixed, other or no_response."""
    if response is None:
        return "no_response"
    if response == target:
        return "correct"
    vis = response in close_orthography.get(target, ())
    sem = response in close_semantics.get(target, ())
    if vis and sem:
        return "mixed"
    if vis:
        return "visual"
    if sem:
        return "semantic"
    return "other"


def classify_reading(reading: Reading, data: DyslexiaData) -> list[str]:
    """The category of each word's response."""
    out = []
    for i, r in enumerate(reading.response):
        out.append(classify(data.words[i], None if r < 0 else data.words[r],
                            data.close_orthography, data.close_semantics))
    return out


def chance_rates(data: DyslexiaData) -> dict[str, float]:
    """How an error would be scored if the wrong word were drawn at random from the other 39:
    the proportion of (word, other word) pairs of each error type."""
    counts = {k: 0 for k in ERROR_TYPES}
    n = 0
    for w in data.words:
        for r in data.words:
            if r != w:
                counts[classify(w, r, data.close_orthography, data.close_semantics)] += 1
                n += 1
    return {k: v / n for k, v in counts.items()}


# ---------------------------------------------------------------- lesions
def _lesion_seed(seed: int, site: int, level: int, k: int) -> int:
    return int(np.random.SeedSequence([int(seed), site, level, k]).generate_state(1)[0])


def sites_of(net: Network) -> list[tuple[str, str, str]]:
    """The sites of :data:`SITES` that ``net`` has (S->S only with lateral links)."""
    names = {b.name for b in net.blocks}
    return [x for x in SITES if x[1] == "units" or x[2] in names]


def lesion_study(net: Network, data: DyslexiaData, settings: Settings | None = None, *,
                 sites: Sequence[tuple[str, str, str]] | None = None, severities: dict | None = None,
                 n_lesions: int = 20, seed: int = 0):
    """Lesion each site at each severity ``n_lesions`` times (each lesion seeded and undone
    afterwards) and score every response. ``sites``: default every site of :data:`SITES` that
    the network has (:func:`sites_of`).

    Returns
    -------
    pandas.DataFrame
        One row per (site, severity, lesion, word): ``site``, ``kind``, ``target``,
        ``severity``, ``lesion``, ``word``, ``concrete``, ``response`` ('' for none), ``category``.
    """
    import pandas as pd
    s = settings or Settings()
    severities = severities or SEVERITIES
    sites = sites_of(net) if sites is None else sites
    xs = data.examples()
    records = []
    for site, kind, target in sites:
        si = [x[0] for x in SITES].index(site) if site in [x[0] for x in SITES] else len(SITES)
        for li, p in enumerate(severities[site]):
            for k in range(int(n_lesions)):
                sd = _lesion_seed(seed, si, li, k)
                dmg = (lesion_links if kind == "links" else lesion_units)(net, target, float(p), seed=sd)
                try:
                    reading = read_words(net, data, s, xs)
                finally:
                    dmg.undo()
                cats = classify_reading(reading, data)
                for i, c in enumerate(cats):
                    r = reading.response[i]
                    records.append((site, kind, target, float(p), k, data.words[i], bool(data.concrete[i]),
                                    data.words[r] if r >= 0 else "", c))
    return pd.DataFrame.from_records(records, columns=["site", "kind", "target", "severity", "lesion", "word",
                                                       "concrete", "response", "category"])


def summarize(trials) -> "pandas.DataFrame":
    """Rates per site and severity: the proportion of all words presented in each category,
    the correct rate for concrete and abstract words, and the error types as proportions
    of the explicit errors (responses that are wrong words)."""
    import pandas as pd
    rows = []
    for (site, sev), g in trials.groupby(["site", "severity"], sort=False):
        n = len(g)
        counts = g["category"].value_counts()
        row = {"site": site, "target": g["target"].iloc[0], "severity": sev,
               "lesions": int(g["lesion"].nunique()), "trials": n}
        for c in CATEGORIES:
            row[c] = counts.get(c, 0) / n
        row["correct_concrete"] = float((g.loc[g["concrete"], "category"] == "correct").mean())
        row["correct_abstract"] = float((g.loc[~g["concrete"], "category"] == "correct").mean())
        n_err = sum(int(counts.get(c, 0)) for c in ERROR_TYPES)
        row["explicit_errors"] = n_err
        for c in ERROR_TYPES:
            row[f"{c}_of_errors"] = counts.get(c, 0) / n_err if n_err else float("nan")
        rows.append(row)
    return pd.DataFrame(rows)


def by_site(trials) -> "pandas.DataFrame":
    """The same rates pooled over every severity of each site."""
    t = trials.copy()
    t["severity"] = -1.0
    out = summarize(t).drop(columns=["severity"])
    return out


# ---------------------------------------------------------------- settling analysis
def settling_rsa(net: Network, data: DyslexiaData, settings: Settings | None = None, *,
                 group: str = "intermediate", n_permutations: int = 1000, seed: int = 0) -> list[dict]:
    """Tick by tick, RSA of ``group``'s patterns over the 40 words against their orthography
    and their semantics. Returns one dict per tick 1..T: ``tick``, ``rho_orthography``,
    ``p_orthography``, ``rho_semantics``, ``p_semantics``."""
    s = settings or Settings()
    run_examples(net, data.examples())
    hist = net.groups[group].output_history
    d_orth = analysis.dissimilarity(data.orthography, s.rsa_metric)
    d_sem = analysis.dissimilarity(data.semantics, s.rsa_metric)
    out = []
    for t in range(1, hist.shape[0]):
        d_h = analysis.dissimilarity(hist[t], s.rsa_metric)
        ro = analysis.rsa(d_orth, d_h, precomputed=True, n_permutations=n_permutations, seed=seed + t)
        rs = analysis.rsa(d_sem, d_h, precomputed=True, n_permutations=n_permutations, seed=seed + 1000 + t)
        out.append({"tick": t, "rho_orthography": ro.rho, "p_orthography": ro.p_value,
                    "rho_semantics": rs.rho, "p_semantics": rs.p_value})
    return out


def baseline_rsa(data: DyslexiaData, settings: Settings | None = None, n_permutations: int = 1000,
                 seed: int = 0) -> dict:
    """How similar spelling and meaning are to each other (the two the hidden layer mediates)."""
    s = settings or Settings()
    r = analysis.rsa(data.orthography, data.semantics, metric=s.rsa_metric, n_permutations=n_permutations,
                     seed=seed)
    return {"rho": r.rho, "p_value": r.p_value}


# ---------------------------------------------------------------- figures
def _sites_grid(n: int):
    plt = figures._plt()
    cols = 3
    rows = (n + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(3.4 * cols, 2.7 * rows), squeeze=False, sharey=True)
    return plt, fig, axes


def plot_error_types(summary, path, title: str = "Errors by lesion site") -> Path:
    """Per site: stacked bars of the error types (per word presented) at each severity."""
    sites = list(dict.fromkeys(summary["site"]))
    plt, fig, axes = _sites_grid(len(sites))
    colours = {"visual": "tab:blue", "semantic": "tab:red", "mixed": "tab:purple", "other": "tab:gray"}
    top = max(0.05, float(summary[list(ERROR_TYPES)].sum(axis=1).max()) * 1.3)
    for ax, site in zip(axes.flat, sites):
        g = summary[summary["site"] == site]
        x = np.arange(len(g))
        bottom = np.zeros(len(g))
        for c in ERROR_TYPES:
            v = g[c].to_numpy()
            ax.bar(x, v, 0.7, bottom=bottom, color=colours[c], label=c)
            bottom += v
        for xi, corr, nr in zip(x, g["correct"], g["no_response"]):
            ax.text(xi, top * 0.98, f"{100 * corr:.0f}%", ha="center", va="top", fontsize=7, color="0.2")
            ax.text(xi, top * 0.90, f"{100 * nr:.0f}%", ha="center", va="top", fontsize=7, color="0.55")
        ax.set_xticks(x, [f"{v:g}" for v in g["severity"]])
        ax.set_title(f"{site} ({g['target'].iloc[0]})", fontsize=8)
        ax.set_ylim(0, top)
        ax.grid(alpha=0.3, axis="y")
    for ax in axes.flat[len(sites):]:
        ax.axis("off")
    for ax in axes[:, 0]:
        ax.set_ylabel("errors / words presented")
    for ax in axes[-1, :]:
        ax.set_xlabel("proportion lesioned")
    axes.flat[0].legend(frameon=False, fontsize=7, loc="center left")
    fig.suptitle(f"{title} (numbers: % correct, and in grey % no response)", fontsize=10)
    fig.tight_layout()
    return figures.save(fig, path)


def plot_concreteness(summary, path) -> Path:
    """Per site: correct rate of concrete and abstract words against severity."""
    sites = list(dict.fromkeys(summary["site"]))
    plt, fig, axes = _sites_grid(len(sites))
    for ax, site in zip(axes.flat, sites):
        g = summary[summary["site"] == site]
        ax.plot(g["severity"], g["correct_concrete"], "o-", color="tab:green", label="concrete")
        ax.plot(g["severity"], g["correct_abstract"], "s--", color="tab:orange", label="abstract")
        ax.set_title(f"{site} ({g['target'].iloc[0]})", fontsize=8)
        ax.set_ylim(-0.03, 1.03)
        ax.grid(alpha=0.3)
    for ax in axes.flat[len(sites):]:
        ax.axis("off")
    for ax in axes[:, 0]:
        ax.set_ylabel("proportion correct")
    for ax in axes[-1, :]:
        ax.set_xlabel("proportion lesioned")
    axes.flat[0].legend(frameon=False, fontsize=7)
    fig.suptitle("Concreteness effect by lesion site", fontsize=10)
    fig.tight_layout()
    return figures.save(fig, path)


def plot_rsa(rows: list[dict], baseline: dict, path, semantic_rows: list[dict] | None = None,
             criterion_tick: int | None = None, alpha: float = 0.05) -> Path:
    """RSA of the intermediate patterns with orthography and semantics over the settling ticks."""
    plt = figures._plt()
    fig, ax = plt.subplots(figsize=(6, 3.6))
    t = np.array([r["tick"] for r in rows])
    for key, colour, label in (("orthography", "tab:blue", "intermediate ~ orthography"),
                               ("semantics", "tab:red", "intermediate ~ semantics")):
        rho = np.array([r[f"rho_{key}"] for r in rows], float)
        p = np.array([r[f"p_{key}"] for r in rows], float)
        ax.plot(t, rho, "-", color=colour, label=label, lw=1.6)
        ax.plot(t[p < alpha], rho[p < alpha], "o", color=colour, ms=4)
        ax.plot(t[p >= alpha], rho[p >= alpha], "o", mfc="white", color=colour, ms=4)
    if semantic_rows:
        rho = np.array([r["rho_semantics"] for r in semantic_rows], float)
        ax.plot(t, rho, ":", color="tab:red", lw=1.2, label="semantic output ~ semantics")
    ax.axhline(baseline["rho"], color="k", ls="--", lw=1, label="orthography ~ semantics")
    if criterion_tick is not None:
        ax.axvspan(criterion_tick - 0.5, t.max() + 0.5, color="0.85", alpha=0.6, zorder=0,
                   label="ticks with targets")
    ax.set_xlabel("tick (dt = 1/4)")
    ax.set_ylabel("Spearman rho of dissimilarities")
    ax.set_title("Hidden similarity over settling (filled: permutation p < .05)", fontsize=9)
    ax.set_ylim(min(-0.05, float(baseline["rho"]) - 0.05), 1.0)
    ax.grid(alpha=0.3)
    ax.legend(frameon=False, fontsize=7, loc="best")
    return figures.save(fig, path)


# ---------------------------------------------------------------- the whole run
def _table_text(summary, columns: Sequence[str], float_fmt: str = "{:.3f}") -> str:
    head = [c for c in columns]
    rows = [[str(v) if not isinstance(v, float) else float_fmt.format(v) for v in summary[c]] for c in head]
    rows = list(zip(*rows))
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(head)]
    lines = ["  ".join(h.rjust(w) for h, w in zip(head, widths))]
    for r in rows:
        lines.append("  ".join(v.rjust(w) for v, w in zip(r, widths)))
    return "\n".join(lines)


def _write_csv(df, path: Path) -> Path:
    buf = io.StringIO()
    df.to_csv(buf, index=False, float_format="%.8g", quoting=csv.QUOTE_MINIMAL)
    with atomic_write(path) as f:
        f.write(buf.getvalue())
    return path



# ---------------------------------------------------------------- over networks
def mean_interval(values: Sequence[float], level: float = 0.95) -> dict:
    """Mean over networks, standard deviation and the t interval of the mean (NaN values left
    out; NaN bounds for fewer than two values)."""
    v = np.asarray([x for x in values if x is not None and np.isfinite(x)], float)
    n = len(v)
    m = float(v.mean()) if n else float("nan")
    if n < 2:
        return {"mean": m, "sd": float("nan"), "low": float("nan"), "high": float("nan"), "n": n,
                "values": v.tolist()}
    from scipy import stats
    sd = float(v.std(ddof=1))
    h = float(stats.t.ppf(0.5 + level / 2, n - 1)) * sd / np.sqrt(n)
    return {"mean": m, "sd": sd, "low": m - h, "high": m + h, "n": n, "values": v.tolist()}


def site_key(site: str) -> str:
    """The key of a site in ``report.json``: the pathway ('orthography->intermediate') or
    'intermediate units' / 'cleanup units'."""
    for name, kind, target in SITES:
        if name == site:
            return target if kind == "links" else f"{target} units"
    return site


#: What Plaut & Shallice (1993, replicating Hinton & Shallice 1991) say about the lesion sites, as far
#: as it can be stated here. No copy of the paper is in this workplace, so no per-site rate is quoted
#: (each is None, with the reason) rather than one recalled from memory.
PAPER = {
    "claim": "damage to any pathway gives visual, semantic, mixed and other errors together, semantic "
             "and mixed errors far above chance; lesions of the clean-up pathway give relatively more "
             "semantic errors (and fewer visual errors) than lesions of the direct pathway",
    "values": None,
    "reason": "the paper's per-site rates are not available here (no copy of its tables); its word "
              "coding also differs from this data set's (emergent's 48 orthographic units and 118 "
              "semantic features), so its rates would be a guide to magnitudes, not a target",
}
#: the sites of each pathway, for the comparison of error mixes (S->S, within semantics, is in neither)
DIRECT = ("O->I", "I->S", "I units")
CLEANUP = ("S->C", "C->S", "C units")


def paper_values(site: str) -> dict:
    """The paper's rates for one site (report.json's ``lesion_sites[...]["paper"]``): None each, with why."""
    return {**{c: None for c in ("correct",) + ERROR_TYPES}, "reason": PAPER["reason"]}


def pathway_comparison(pooled: dict[int, "pandas.DataFrame"]) -> dict:
    """Clean-up against direct pathway, network by network: each pathway's explicit errors pooled
    over its sites and severities, the semantic share of them (semantic / explicit errors) and of
    the visual-or-semantic ones (semantic / (semantic + visual)); mean and 95% t interval over the
    networks of each and of the clean-up minus direct difference (a network with no error at one
    pathway is left out of that pathway's mean and of the differences)."""
    share: dict[str, dict[int, float]] = {"direct": {}, "cleanup": {}}
    sv: dict[str, dict[int, float]] = {"direct": {}, "cleanup": {}}
    counts: dict[str, dict[str, int]] = {}
    for path, sites in (("direct", DIRECT), ("cleanup", CLEANUP)):
        tot = {c: 0 for c in ERROR_TYPES}
        for sd, df in pooled.items():
            g = df[df["site"].isin(sites)]
            n = {c: int(round(float((g[c] * g["trials"]).sum()))) for c in ERROR_TYPES}
            for c in ERROR_TYPES:
                tot[c] += n[c]
            n_err = sum(n.values())
            share[path][sd] = n["semantic"] / n_err if n_err else float("nan")
            sv[path][sd] = (n["semantic"] / (n["semantic"] + n["visual"]) if n["semantic"] + n["visual"]
                            else float("nan"))
        counts[path] = tot
    seeds = list(pooled)
    out = {"sites": {"direct": list(DIRECT), "cleanup": list(CLEANUP)}, "error_counts": counts}
    for name, d in (("semantic_of_errors", share), ("semantic_of_visual_or_semantic", sv)):
        out[name] = {"direct": mean_interval([d["direct"][sd] for sd in seeds]),
                     "cleanup": mean_interval([d["cleanup"][sd] for sd in seeds]),
                     "cleanup_minus_direct": mean_interval([d["cleanup"][sd] - d["direct"][sd] for sd in seeds])}
    return out


def across_networks(pooled: dict[int, "pandas.DataFrame"], chance: dict[str, float]) -> dict:
    """Per site (keyed by :func:`site_key`): each category's rate (fraction of readings, pooled over
    the site's severities) and each error type's share of the explicit errors, as mean and 95%
    t interval over the networks, with the counts and the semantic : visual ratio."""
    out = {}
    seeds = list(pooled)
    sites = list(dict.fromkeys(s for df in pooled.values() for s in df["site"]))
    for site in sites:
        rows = {sd: pooled[sd][pooled[sd]["site"] == site].iloc[0] for sd in seeds}
        e = {"site": site, "target": rows[seeds[0]]["target"], "seeds": seeds,
             "readings_per_network": int(rows[seeds[0]]["trials"])}
        for c in CATEGORIES:
            e[c] = mean_interval([float(r[c]) for r in rows.values()])
        e["explicit_errors"] = {int(sd): int(r["explicit_errors"]) for sd, r in rows.items()}
        counts = {c: int(round(sum(float(r[c]) * int(r["trials"]) for r in rows.values()))) for c in ERROR_TYPES}
        e["error_counts"] = counts
        e["of_errors"] = {c: mean_interval([float(r[f"{c}_of_errors"]) for r in rows.values()]) for c in ERROR_TYPES}
        n_err = sum(counts.values())
        e["of_errors_pooled"] = {c: (counts[c] / n_err if n_err else float("nan")) for c in ERROR_TYPES}
        e["relative_to_chance"] = {c: (e["of_errors_pooled"][c] / chance[c] if chance[c] else float("nan"))
                                   for c in ERROR_TYPES}
        e["semantic_to_visual"] = counts["semantic"] / counts["visual"] if counts["visual"] else float("nan")
        e["correct_concrete"] = mean_interval([float(r["correct_concrete"]) for r in rows.values()])
        e["correct_abstract"] = mean_interval([float(r["correct_abstract"]) for r in rows.values()])
        e["paper"] = paper_values(site)
        out[site_key(site)] = e
    return out


def rsa_across_networks(per_seed: dict[int, list[dict]]) -> list[dict]:
    """Per tick: rho with orthography and with semantics, mean and interval over networks, and
    the number of networks whose permutation p was below 0.05."""
    seeds = list(per_seed)
    ticks = [r["tick"] for r in per_seed[seeds[0]]]
    out = []
    for i, t in enumerate(ticks):
        row = {"tick": t}
        for key in ("orthography", "semantics"):
            row[f"rho_{key}"] = mean_interval([per_seed[sd][i][f"rho_{key}"] for sd in seeds])
            row[f"significant_{key}"] = int(sum(1 for sd in seeds if per_seed[sd][i][f"p_{key}"] is not None
                                                and per_seed[sd][i][f"p_{key}"] < 0.05))
        out.append(row)
    return out


def plot_rsa_networks(groups: dict[str, list[dict]], baseline: dict, path, criterion_tick: int | None = None,
                      n_networks: int = 1) -> Path:
    """RSA with orthography and semantics over the ticks, mean over networks with its 95% interval,
    one panel per group (``groups``: name -> :func:`rsa_across_networks` rows)."""
    plt = figures._plt()
    fig, axes = plt.subplots(1, len(groups), figsize=(4.6 * len(groups), 3.5), squeeze=False, sharey=True)
    for ax, (name, rows) in zip(axes[0], groups.items()):
        t = np.array([r["tick"] for r in rows])
        for key, colour in (("orthography", "tab:blue"), ("semantics", "tab:red")):
            m = np.array([r[f"rho_{key}"]["mean"] for r in rows], float)
            lo = np.array([r[f"rho_{key}"]["low"] for r in rows], float)
            hi = np.array([r[f"rho_{key}"]["high"] for r in rows], float)
            ax.plot(t, m, "o-", color=colour, ms=3, lw=1.5, label=f"{name} ~ {key}")
            if np.isfinite(lo).any():
                ax.fill_between(t, lo, hi, color=colour, alpha=0.2, lw=0)
        ax.axhline(baseline["rho"], color="k", ls="--", lw=1, label="orthography ~ semantics")
        if criterion_tick is not None:
            ax.axvspan(criterion_tick - 0.5, t.max() + 0.5, color="0.85", alpha=0.6, zorder=0,
                       label="ticks with targets")
        ax.set_xlabel("tick (dt = 1/4)")
        ax.set_title(f"{name} units", fontsize=9)
        ax.grid(alpha=0.3)
        ax.legend(frameon=False, fontsize=7, loc="best")
    axes[0, 0].set_ylabel("Spearman rho of dissimilarities")
    axes[0, 0].set_ylim(min(-0.1, float(baseline["rho"]) - 0.05), 1.0)
    fig.suptitle(f"Similarity structure over settling: mean of {n_networks} network(s), 95% interval", fontsize=10)
    fig.tight_layout()
    return figures.save(fig, path)


def _fmt_interval(d: dict, digits: int = 3) -> str:
    if not np.isfinite(d["mean"]):
        return "nan"
    if not np.isfinite(d["low"]):
        return f"{d['mean']:.{digits}f}"
    return f"{d['mean']:.{digits}f} [{d['low']:.{digits}f}, {d['high']:.{digits}f}]"


# ---------------------------------------------------------------- the whole run
def run(out, quick: bool = False, seed: int = 0, data_dir=None, lesions: int | None = None,
        settings: Settings | None = None, n_permutations: int | None = None,
        echo: Callable[[str], None] | None = print, seeds: Sequence[int] | None = None) -> dict:
    """Train one network per seed, lesion each, analyse settling; write ``lesions.csv``,
    ``lesions_by_site.csv``, ``lesion_sites.csv``, ``trials.csv``, ``rsa.csv``, ``report.txt``,
    ``report.json``, the weights and three figures to ``out``.

    Parameters
    ----------
    quick : bool
        Three severities per site (every other one), 3 lesions each (unless ``lesions``
        says otherwise), 200 permutations instead of 1000, and one network.
    lesions : int, optional
        Random lesions per site, severity and network (default 20, quick 3).
    seeds : sequence of int, optional
        One network per seed (initial weights, connectivity, training noise, lesions and
        permutations); default ``seed`` .. ``seed + 4`` (5 networks), with ``quick`` ``seed`` alone.
    """
    import pandas as pd
    s = settings or Settings()
    seeds = [int(x) for x in (seeds if seeds is not None else ([seed] if quick else range(seed, seed + 5)))]
    if not seeds or any(x < 0 for x in seeds) or len(set(seeds)) != len(seeds):
        raise PdpError(f"--seed/--seeds: expected distinct seeds of 0 or more, got {seeds}")
    data = load_data(data_dir)
    out = out_dir(out)
    rep = Report(echo)
    n_les = int(lesions) if lesions is not None else (3 if quick else 20)
    if n_les < 1:
        raise PdpError(f"--lesions must be at least 1, got {lesions}")
    n_perm = n_permutations or (200 if quick else 1000)
    severities = {k: (v[::2] if quick else v) for k, v in SEVERITIES.items()}
    t_start = time.perf_counter()
    dens_used = {k: v for k, v in sorted(s.density.items())
                 if (s.lateral or k != "semantics->semantics") and (s.feedback or k != "semantics->intermediate")}
    if len(set(dens_used.values())) == 1 and len(dens_used) == len(BLOCKS) - (not s.lateral) - (not s.feedback):
        dens = f"every block {next(iter(dens_used.values())):g}"
    else:
        dens = ", ".join(f"{k} {v:g}" for k, v in dens_used.items()) or "all 1"

    rep("Plaut & Shallice (1993): deep dyslexia in an attractor network")
    rep(f"data: {data.source} ({len(data)} words: {int(data.concrete.sum())} concrete, "
        f"{int((~data.concrete).sum())} abstract; {data.orthography.shape[1]} orthographic units, "
        f"{data.semantics.shape[1]} semantic features)")
    rep(f"network: orthography {data.orthography.shape[1]} -> intermediate {s.intermediate} "
        f"{'<->' if s.feedback else '->'} semantics {data.semantics.shape[1]} <-> clean-up {s.cleanup}"
        f"{'; semantics -> semantics' if s.lateral else ''}; biases; connection probabilities: {dens}")
    rep(f"time: {s.ticks} ticks (dt = 1/{s.ticks_per_interval}, {s.intervals:g} intervals), error on the last "
        f"{s.intervals - s.grace:g} intervals; OUT_INTEGR logistic units starting at {s.init_output:g}")
    noise = (f"noise s.d. {s.training_noise:g} on the {', '.join(s.noise_groups)} outputs while training"
             if s.training_noise else "no training noise")
    rep(f"training: {s.algorithm}, lr {s.learning_rate:g}, momentum {s.momentum:g}, cross-entropy, weights "
        f"+-{s.init_range:g}, {noise}")
    rep(f"criterion: nearest word by cosine at the last tick, proximity >= {s.proximity:g}, gap >= {s.gap:g}; "
        f"training also needs every feature within {s.tolerance:g}")
    rep(f"networks: {len(seeds)} (seeds {', '.join(map(str, seeds))}); {n_les} random lesions per site, "
        f"severity and network")

    chance = chance_rates(data)
    trained_by, trials_by, summary_by, pooled_by = {}, {}, {}, {}
    rsa_by = {"intermediate": {}, "cleanup": {}, "semantics": {}}
    base = baseline_rsa(data, s, n_permutations=n_perm, seed=seeds[0])
    les_seconds = rsa_seconds = 0.0
    for sd in seeds:
        trained = train_network(data, s, sd)
        trained_by[sd] = trained
        rep()
        rep(f"seed {sd}: trained {trained.epochs} epochs ({trained.seconds:.1f} s); every word first read "
            f"correctly at epoch {trained.criterion_epoch}; intact: {int(trained.reading.correct.sum())}/"
            f"{len(data)} correct, min proximity {trained.reading.proximity.min():.3f}, min gap "
            f"{trained.reading.gap.min():.3f}, largest |output - target| {trained.max_deviation:.3f}")
        if not trained.reading.correct.all():
            rep(f"WARNING: network {sd} did not learn to read every word; its lesion results are not meaningful")
        t0 = time.perf_counter()
        tr = lesion_study(trained.net, data, s, severities=severities, n_lesions=n_les, seed=sd)
        tr.insert(0, "seed", sd)
        trials_by[sd] = tr
        summary_by[sd] = summarize(tr)
        pooled_by[sd] = by_site(tr)
        les_seconds += time.perf_counter() - t0
        t0 = time.perf_counter()
        for g in rsa_by:
            rsa_by[g][sd] = settling_rsa(trained.net, data, s, group=g, n_permutations=n_perm, seed=sd)
        rsa_seconds += time.perf_counter() - t0
        save_weights(trained.net, out / f"weights_seed{sd}.npz")
        if sd == seeds[0]:
            save_weights(trained.net, out / "weights.npz")

    trials = pd.concat([trials_by[sd] for sd in seeds], ignore_index=True)
    summary_all = summarize(trials)              # every network's readings together, per site and severity
    sites = across_networks(pooled_by, chance)
    compare = pathway_comparison(pooled_by)
    rsa_summary = {g: rsa_across_networks(rsa_by[g]) for g in ("intermediate", "cleanup")}

    rep()
    rep(f"lesions: {len(trials)} readings ({les_seconds:.1f} s); rates per word presented, all networks' "
        "readings together")
    cols = ["site", "severity", "correct", "no_response", "visual", "semantic", "mixed", "other",
            "correct_concrete", "correct_abstract"]
    rep(_table_text(summary_all, cols))
    rep()
    rep(f"per site, pooled over its severities: mean over {len(seeds)} network(s) [95% t interval]; "
        "fractions of readings")
    width = 26 if len(seeds) > 1 else 7
    rep(f"{'site':8s}" + "".join(f"{c:>{width}s}" for c in ("correct", "visual", "semantic", "mixed", "other",
                                                           "no_response")))
    for key, e in sites.items():
        rep(f"{e['site']:8s}" + "".join(f"{_fmt_interval(e[c]):>{width}s}" for c in
                                        ("correct", "visual", "semantic", "mixed", "other", "no_response")))
    rep()
    rep("error types as proportions of the explicit errors (all networks' errors together), chance: "
        + ", ".join(f"{k} {v:.3f}" for k, v in chance.items()))
    rep(f"{'site':8s}{'errors':>8s}{'visual':>9s}{'semantic':>9s}{'mixed':>9s}{'other':>9s}   "
        f"{'sem:vis':>7s}   relative to chance (visual, semantic, mixed, other)")
    for key, e in sites.items():
        n_err = sum(e["error_counts"].values())
        share = e["of_errors_pooled"]
        rel = e["relative_to_chance"]
        rep(f"{e['site']:8s}{n_err:8d}" + "".join(f"{share[c]:9.3f}" for c in ERROR_TYPES)
            + f"   {e['semantic_to_visual']:7.2f}   " + "  ".join(f"{rel[c]:5.2f}" for c in ERROR_TYPES))
    rep()
    rep(f"clean-up ({', '.join(CLEANUP)}) vs direct ({', '.join(DIRECT)}) pathway: semantic errors as a "
        f"share, mean over {len(seeds)} network(s) [95% t interval]")
    for key, label in (("semantic_of_errors", "of explicit errors"),
                       ("semantic_of_visual_or_semantic", "of visual + semantic")):
        c = compare[key]
        rep(f"  {label:22s} direct {_fmt_interval(c['direct'])}   clean-up {_fmt_interval(c['cleanup'])}   "
            f"difference {_fmt_interval(c['cleanup_minus_direct'])}")
    rep("  errors (visual, semantic, mixed, other): direct "
        + ", ".join(str(compare["error_counts"]["direct"][c]) for c in ERROR_TYPES) + "; clean-up "
        + ", ".join(str(compare["error_counts"]["cleanup"][c]) for c in ERROR_TYPES))
    rep(f"paper: {PAPER['claim']} (per-site values: not available here)")
    rep()
    rep("concreteness: correct, concrete vs abstract words (mean over networks)")
    for key, e in sites.items():
        rep(f"{e['site']:8s} concrete {_fmt_interval(e['correct_concrete'])}   abstract "
            f"{_fmt_interval(e['correct_abstract'])}")

    rep()
    rep(f"settling (RSA, {s.rsa_metric} dissimilarities, Spearman rho, {n_perm} permutations per network; "
        f"{rsa_seconds:.1f} s): orthography ~ semantics rho {base['rho']:.3f} (p {base['p_value']:.3f})")
    rep(f"mean over {len(seeds)} network(s) [95% interval]; n: networks with permutation p < 0.05")
    rep(f"{'tick':>4s}  {'intermediate~orth':>24s} n  {'intermediate~sem':>24s} n  {'clean-up~orth':>24s} n  "
        f"{'clean-up~sem':>24s} n")
    for ri, rc in zip(rsa_summary["intermediate"], rsa_summary["cleanup"]):
        rep(f"{ri['tick']:4d}  " + "  ".join(
            f"{_fmt_interval(r[f'rho_{k}']):>24s} {r[f'significant_{k}']}"
            for r in (ri, rc) for k in ("orthography", "semantics")))

    # ---- files
    lesions_df = pd.concat([summary_by[sd].assign(seed=sd) for sd in seeds], ignore_index=True)
    pooled_df = pd.concat([pooled_by[sd].assign(seed=sd) for sd in seeds], ignore_index=True)
    site_rows = []
    for key, e in sites.items():
        row = {"site": e["site"], "target": key, "networks": len(seeds)}
        for c in CATEGORIES:
            row[c], row[f"{c}_low"], row[f"{c}_high"] = e[c]["mean"], e[c]["low"], e[c]["high"]
        for c in ERROR_TYPES:
            row[f"{c}_of_errors"] = e["of_errors_pooled"][c]
        row["semantic_to_visual"] = e["semantic_to_visual"]
        site_rows.append(row)
    rsa_rows = [{"seed": sd, "group": g, **r, } for g in rsa_by for sd in seeds for r in rsa_by[g][sd]]
    _write_csv(lesions_df, out / "lesions.csv")
    _write_csv(pooled_df, out / "lesions_by_site.csv")
    _write_csv(pd.DataFrame(site_rows), out / "lesion_sites.csv")
    _write_csv(trials, out / "trials.csv")
    _write_csv(pd.DataFrame(rsa_rows), out / "rsa.csv")
    first_error_tick = int(round(s.grace * s.ticks_per_interval)) + 1
    figs = [plot_error_types(summary_all, out / "error_types.png",
                             title=f"Errors by lesion site ({len(seeds)} network(s))"),
            plot_concreteness(summary_all, out / "concreteness.png"),
            plot_rsa_networks(rsa_summary, base, out / "rsa_settling.png", criterion_tick=first_error_tick,
                              n_networks=len(seeds))]
    total = time.perf_counter() - t_start
    rep()
    rep(f"total {total:.1f} s; wrote weights.npz (seed {seeds[0]}), weights_seed*.npz, lesions.csv, "
        "lesions_by_site.csv, lesion_sites.csv, trials.csv, rsa.csv, " + ", ".join(p.name for p in figs))

    report = {
        "name": NAME, "quick": quick, "seeds": seeds, "data": data.source, "settings": s.to_dict(),
        "training": {str(sd): {"epochs": t.epochs, "criterion_epoch": t.criterion_epoch,
                               "final_error": t.final_error, "seconds": t.seconds,
                               "all_correct": bool(t.reading.correct.all()),
                               "min_proximity": float(t.reading.proximity.min()),
                               "min_gap": float(t.reading.gap.min()), "max_deviation": t.max_deviation}
                     for sd, t in trained_by.items()},
        "lesion_sites": sites,
        "lesions": {"per_site_severity_and_network": n_les, "severities": severities,
                    "chance_of_errors": chance, "table": summary_all.to_dict(orient="records"),
                    "by_network": {str(sd): pooled_by[sd].to_dict(orient="records") for sd in seeds},
                    "seconds": les_seconds},
        "paper": PAPER,
        "pathways": compare,
        "rsa": {"metric": s.rsa_metric, "n_permutations": n_perm, "orthography_semantics": base,
                "per_tick": rsa_summary,
                "by_network": {g: {str(sd): rsa_by[g][sd] for sd in seeds} for g in rsa_by},
                "seconds": rsa_seconds},
        "seconds": total,
        "figures": [p.name for p in figs],
    }
    write_report(out, rep.text, report)
    return report
