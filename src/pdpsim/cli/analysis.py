"""Commands for representation analysis: ``pdpsim record``, ``pdpsim analyze``, ``pdpsim reproduce``.

They are defined here on their own; :func:`register` adds them to the main
``pdpsim`` group::

    from pdpsim.cli.analysis import register
    register(main)
"""
from __future__ import annotations

from pathlib import Path

import click
import numpy as np

from pdpsim.cli.elman import reproduce_elman
from pdpsim.cli.plaut import reproduce_plaut_shallice
from pdpsim.validation import PdpError, atomic_write, write_json


def _out(out: str) -> Path:
    p = Path(out)
    if p.exists() and not p.is_dir():
        raise PdpError(f"--out '{p}': exists and is not a folder")
    p.mkdir(parents=True, exist_ok=True)
    return p


# ---------------------------------------------------------------- record
@click.command("record")
@click.argument("spec")
@click.option("--out", type=click.Path(file_okay=False), required=True, help="Folder for the run's files.")
@click.option("--group", "groups", multiple=True, help="Group to record (repeatable; default: every hidden and "
              "output group).")
@click.option("--quantity", "quantities", multiple=True, default=("output",), show_default=True,
              help="output, net_input, output_deriv, input_deriv or target (repeatable).")
@click.option("--every", type=int, default=10, show_default=True, help="Record every N-th epoch (and epoch 0 "
              "and the last).")
@click.option("--seed", type=int, default=None, help="Override the spec's seed.")
@click.option("--epochs", type=int, default=None, help="Override training.max_epochs.")
@click.option("--csv", "write_csv", is_flag=True, help="Also write the tidy frame as recording.csv.")
def record_cmd(spec, out, groups, quantities, every, seed, epochs, write_csv) -> None:
    """Train SPEC while recording unit values (and weights) every N epochs.

    Writes recording.npz (every recorded array, exactly; read it with
    `pdpsim analyze OUT` or pdpsim.records.recording.load_recording),
    weights.npz (the final weights) and error.csv.
    """
    from pdpsim.records.recording import Recorder
    from pdpsim.formats.spec import load
    from pdpsim.training.loop import train
    from pdpsim.records.weights import save_weights
    m = load(spec, seed=seed)
    net = m.network
    params = m.training if epochs is None else m.training.__class__(
        **{**m.training.to_dict(), "max_epochs": epochs}).validated()
    groups = list(groups) or [g.name for g in net.groups.values() if g.kind in ("HIDDEN", "OUTPUT")]
    rec = Recorder(net, m.examples, groups, list(quantities), every=every, weights=True)
    rec.capture(0)
    result = train(net, m.examples, params, callbacks=[rec])
    rec.capture(result.n_epochs)
    o = _out(out)
    rec.save(o / "recording.npz")
    if write_csv:
        rec.save(o / "recording.csv")
    save_weights(net, o / "weights.npz")
    with atomic_write(o / "error.csv") as f:
        result.history().to_csv(f, index=False)
    trained = (f"{result.n_epochs} epochs, final error {result.final_error:.6g}, stopped by {result.stopped}"
               if result.n_epochs else "no epochs run")
    click.echo(f"{net.name}: {trained}; recorded {', '.join(groups)} ({', '.join(quantities)}) at "
               f"{len(rec.epochs)} epochs")
    click.echo(f"wrote {o / 'recording.npz'}" + (f", {o / 'recording.csv'}" if write_csv else "") +
               f", {o / 'weights.npz'}, {o / 'error.csv'}")


# ---------------------------------------------------------------- analyze
RECORDINGS = ("recording.npz", "recording.csv")


def _source(source: str, weights: str | None, seed: int | None, groups: tuple[str, ...]):
    """A Recording from a recording file (or a folder holding one, from `pdpsim record`), or from
    one test pass of a spec (a run folder's too, with --weights); and the source as analysed."""
    from pdpsim.formats.spec import run_folder_spec
    from pdpsim.records.recording import load_recording, record
    p = Path(source)
    if p.is_dir():
        found = next((p / n for n in RECORDINGS if (p / n).is_file()), None)
        if found is not None:
            p = found
        elif not (weights and run_folder_spec(p) is not None):
            hint = (f"; to analyse this run's trained network: pdpsim analyze {source} --weights "
                    f"{p / 'weights.npz'}" if (p / "run.json").is_file() else "")
            raise PdpError(f"'{source}': a folder with no recording in it (expected {' or '.join(RECORDINGS)}, "
                           f"written by `pdpsim record SPEC --out {source}`){hint}")
    if p.suffix.lower() in (".npz", ".csv"):
        if weights:
            raise PdpError("--weights: a recording already holds its values; --weights goes with a spec")
        rec = load_recording(p)
        return rec, None, str(p)
    from pdpsim.formats.spec import load
    from pdpsim.records.weights import load_weights
    m = load(source, seed=seed)
    if weights:
        load_weights(m.network, weights)
    want = list(groups) or [g.name for g in m.network.groups.values() if g.kind in ("HIDDEN", "OUTPUT")]
    return record(m.network, m.examples, want, weights=True), m.network, str(source)


def _write_matrix(path: Path, d: np.ndarray, names) -> None:
    import pandas as pd
    with atomic_write(path) as f:
        pd.DataFrame(d, index=names, columns=names).to_csv(f, float_format="%.10g")


@click.command("analyze")
@click.argument("source")
@click.option("--out", type=click.Path(file_okay=False), required=True, help="Folder for figures and tables.")
@click.option("--group", "groups", multiple=True, help="Group to analyse (repeatable; default: every hidden and "
              "output group, or every recorded group).")
@click.option("--metric", type=click.Choice(["euclidean", "correlation", "cosine"]), default="euclidean",
              show_default=True, help="Dissimilarity between examples.")
@click.option("--epoch", type=int, default=None, help="Recording: the epoch to analyse (default: the last).")
@click.option("--weights", type=click.Path(), default=None, help="Spec: a weights.npz to load first.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed for MDS and the permutation tests.")
@click.option("--linkage", "method", default="average", show_default=True, help="Hierarchical clustering method.")
@click.option("--projection", type=click.Choice(["mds", "pca"]), default="mds", show_default=True)
@click.option("--permutations", type=int, default=1000, show_default=True, help="Relabellings in each RSA test.")
@click.option("--max-epochs", "max_epochs", type=int, default=25, show_default=True,
              help="Recording: at most this many epochs (evenly spaced) in the trajectory figures.")
def analyze_cmd(source, out, groups, metric, epoch, weights, seed, method, projection, permutations,
                max_epochs) -> None:
    """Similarity structure of the representations in SOURCE.

    SOURCE is a spec (file, shipped name or run folder; its examples are run
    through once, after loading --weights if given) or a recording (.npz or
    .csv from `pdpsim record` or Recorder.save, or the folder `pdpsim record`
    wrote it to). For each group: its dissimilarity
    matrix (CSV and figure), dendrogram, MDS or PCA projection and activations;
    RSA between every pair of groups; and, for a recording of several epochs,
    trajectories fitted jointly over the epochs and RSA of the chosen epoch
    against the first. Writes analysis.json with the numbers.
    """
    from pdpsim import analysis
    from pdpsim.analysis import plots
    rec, net, source = _source(source, weights, None, groups)
    if net is not None and not weights:
        click.echo(f"note: no --weights given: analysing {net.name}'s initial, untrained weights")
    names = rec.example_names
    want = list(groups) or rec.groups
    if net is None:
        for g in want:
            rec._check_group(g, "output")
    o = _out(out)
    k = rec.epoch_index(epoch)
    ep = int(rec.epochs[k])
    summary: dict = {"source": str(source), "epoch": ep, "metric": metric, "groups": {}, "rsa": []}
    pats = {}
    for g in want:
        x = rec.patterns(g, ep)
        pats[g] = x
        d = analysis.dissimilarity(x, metric)
        cl = analysis.cluster(x, names, metric, method)
        _write_matrix(o / f"{g}-dissimilarity.csv", d, names)
        plots.dissimilarity_matrix(d, o / f"{g}-dissimilarity.png", names, f"{g} (epoch {ep})", metric)
        plots.dendrogram(cl, o / f"{g}-dendrogram.png", f"{g} (epoch {ep}), {method} linkage")
        if projection == "mds":
            pr = analysis.mds(x, 2, metric, seed)
            labels = ("MDS dimension 1", "MDS dimension 2")
        else:
            pr = analysis.pca(x, 2)
            labels = (f"PC1 ({pr.explained[0]:.0%})", f"PC2 ({pr.explained[1]:.0%})")
        plots.projection(pr.coords, o / f"{g}-{projection}.png", names, title=f"{g} (epoch {ep})",
                         axis_labels=labels)
        plots.activations(x, o / f"{g}-activations.png", names, rec.unit_names[g], title=f"{g} (epoch {ep})",
                          vmin=None, vmax=None)
        info = {"leaves": cl.leaves, "mean_dissimilarity": float(analysis.upper(d).mean())}
        when = "one test pass" if net is not None else f"epoch {ep}"
        click.echo(f"{g}: {x.shape[1]} units, {len(names)} examples ({when}); mean {metric} dissimilarity "
                   f"{info['mean_dissimilarity']:.4g}; dendrogram order {' '.join(cl.leaves)}")
        if len(rec.epochs) > 1:
            sel = np.unique(np.round(np.linspace(0, len(rec.epochs) - 1,
                                                 min(len(rec.epochs), max(2, max_epochs)))).astype(int))
            stack = rec.array(g)[sel]
            tr = analysis.trajectory(stack, rec.epochs[sel], names, projection, metric, seed=seed)
            plots.trajectory(tr, o / f"{g}-trajectory.png", title=f"{g}: {projection.upper()} over epochs")
            first = rec.patterns(g, int(rec.epochs[0]))
            if len(names) >= 3 and k != 0:
                r = analysis.rsa(first, x, metric=metric, n_permutations=permutations, seed=seed)
                info["rsa_vs_first_epoch"] = r.to_dict()
                click.echo(f"  RSA epoch {int(rec.epochs[0])} vs epoch {ep}: rho {r.rho:+.3f}, p {r.p_value:.4g}")
        summary["groups"][g] = info
    if len(names) >= 3:
        for i, a in enumerate(want):
            for b in want[i + 1:]:
                r = analysis.rsa(pats[a], pats[b], metric=metric, n_permutations=permutations, seed=seed)
                summary["rsa"].append({"a": a, "b": b, **r.to_dict()})
                click.echo(f"RSA {a} vs {b}: rho {r.rho:+.3f}, p {r.p_value:.4g} "
                           f"({r.n_permutations} relabellings{', exact' if r.exact else ''})")
    if rec.blocks and len(rec.weight_epochs):
        kw = int(np.argmin(np.abs(rec.weight_epochs - ep)))
        blocks = {b: rec.weights(b)[kw] for b in rec.blocks}
        units = dict(rec.unit_names)
        for b, (s_names, r_names) in rec.block_units.items():
            src, _, dst = b.partition("->")
            units.setdefault(src, s_names)
            units.setdefault(dst, r_names)
        plots.hinton_blocks(blocks, o / "weights.png", units, title=f"weights (epoch {int(rec.weight_epochs[kw])})")
    write_json(o / "analysis.json", summary)
    click.echo(f"wrote figures, dissimilarity tables and analysis.json to {o}")


# ---------------------------------------------------------------- reproduce
@click.group("reproduce")
def reproduce() -> None:
    """Classic results on hidden representations, with figures and a numeric report."""


_OUT = click.option("--out", type=click.Path(file_okay=False), required=True,
                    help="Folder for figures, report.txt and report.json.")
_QUICK = click.option("--quick", is_flag=True, help="A shortened run (for tests; numbers not final).")


@reproduce.command("xor")
@_OUT
@_QUICK
@click.option("--seed", type=int, default=None, help="Initial weights' seed (default: the xor spec's, 0).")
def reproduce_xor(out, quick, seed) -> None:
    """XOR: hidden units make the non-separable inputs separable."""
    from pdpsim.reproductions import xor
    xor.run(out, quick=quick, seed=seed, echo=click.echo)


@reproduce.command("semantic")
@_OUT
@_QUICK
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--data", "data_dir", type=click.Path(file_okay=False), envvar="PDPSIM_SEMANTIC_DATA",
              default=None, help="Folder with sem_items.txt, sem_relations.txt, sem_attributes.txt, sem_data.txt "
              "[env PDPSIM_SEMANTIC_DATA].")
def reproduce_semantic(out, quick, seed, data_dir) -> None:
    """Rumelhart's semantic network: progressive differentiation."""
    from pdpsim.reproductions import semantic
    semantic.run(out, quick=quick, seed=seed, data_dir=data_dir, echo=click.echo)


@reproduce.command("family-trees")
@_OUT
@_QUICK
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--splits", type=int, default=None, help="Random train/held-out splits (default 20; quick 3).")
@click.option("--epochs", type=int, default=None,
              help="Epochs per split (softmax: default 3000, quick 2000; hinton: 1500).")
@click.option("--recipe", type=click.Choice(["softmax", "hinton", "hinton-x8"], case_sensitive=False),
              default="softmax", show_default=True,
              help="softmax: pdpsim's variant (softmax outputs), which learns; hinton: Hinton's logistic outputs, "
              "squared error, schedule and decay, which stay on the base-rate plateau here; hinton-x8: the same "
              "with 8 times the learning rate and weights +-1, which learns.")
def reproduce_family_trees(out, quick, seed, splits, epochs, recipe) -> None:
    """Hinton's family trees: held-out facts and what the person codes encode."""
    from pdpsim.reproductions import family_trees
    if epochs is not None and epochs < 1:
        raise PdpError(f"--epochs: expected at least 1, got {epochs}")
    family_trees.run(out, quick=quick, seed=seed, splits=splits, epochs=epochs, echo=click.echo,
                     recipe=recipe.lower())


@reproduce.command("pmsp")
@click.option("--data", "data_dir", type=click.Path(file_okay=False), envvar="PDPSIM_PMSP_DATA", default=None,
              help="Folder with the PMSP files (pmsp96_reading: xerion_SM-nsyl.ex.gz, xerion_glushkoNW-nsyl.ex, "
              "xerion_taraban-nsyl.ex, pmsptorch_pmsp-data.tsv), or its parent [env PDPSIM_PMSP_DATA; default: "
              "the shared data folder, $PDPSIM_DATA or ../shared/data, as pdpsim bench finds it].")
@_OUT
@click.option("--quick", is_flag=True, help="400 words, at most 60 epochs (for tests; numbers not final).")
@click.option("--seed", "seeds", type=click.IntRange(min=0), multiple=True,
              help="Seed of one network (repeatable) [default: 0, 1 and 2; 0 with --quick].")
@click.option("--epochs", type=click.IntRange(min=1), default=None,
              help="Most epochs per network [default: 3000; 60 with --quick].")
@click.option("--frequency", type=click.Choice(["scale", "sample"]), default="scale", show_default=True,
              help="How word frequency enters: scale (each word's error derivatives multiplied by its frequency, "
              "every word every epoch: the paper's way) or sample (words drawn in proportion to frequency, at the "
              "rate giving the same expected step).")
def reproduce_pmsp(data_dir, out, quick, seeds, epochs, frequency) -> None:
    """Plaut, McClelland, Seidenberg & Patterson (1996): the feed-forward network that reads
    2998 words aloud; words and Glushko's nonwords read correctly, and frequency x consistency."""
    from pdpsim.reproductions import pmsp
    from pdpsim.tools.bench import data_dir as shared_data_dir
    pmsp.run(out, quick=quick, seeds=seeds or ((0,) if quick else (0, 1, 2)), data_dir=data_dir or shared_data_dir(),
             settings=pmsp.Settings(frequency=frequency), max_epochs=epochs, echo=click.echo)


reproduce.add_command(reproduce_elman)               # defined in cli/elman.py
reproduce.add_command(reproduce_plaut_shallice)      # defined in cli/plaut.py


COMMANDS = (record_cmd, analyze_cmd, reproduce)


def register(main: click.Group) -> None:
    """Add ``record``, ``analyze`` and ``reproduce`` to the ``pdpsim`` command group."""
    for cmd in COMMANDS:
        main.add_command(cmd)
