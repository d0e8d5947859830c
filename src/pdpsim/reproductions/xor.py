"""XOR: hidden units re-represent the inputs so that a line separates them.

The shipped ``xor`` spec (2-2-1, logistic, bias, momentum) is trained with a
:class:`~pdpsim.records.recording.Recorder` on the hidden and output groups. The
report checks, exactly, what the lecture claims:

- in the input space no line separates {01, 10} from {00, 11}: the best any
  hyperplane does is 3 of 4 (found by testing every subset for linear
  separability with a linear programme);
- in the space of the two hidden units' activations one line separates all 4;
- the hidden units alter the similarities (euclidean distances and RSA against the
  input and target similarity structures, exact permutation tests over all
  4! relabellings). Not every same-target pair moves together: with the shipped
  seed 00 and 11 collapse onto one point while 01 and 10 stay almost as far apart
  as in the input space; what the output unit needs is the separability above.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np

from pdpsim import analysis
from pdpsim.analysis import figures
from pdpsim.analysis import plots
from pdpsim.records.recording import Recorder
from pdpsim.formats.spec import load
from pdpsim.training.testing import test
from pdpsim.training.loop import train
from pdpsim.reproductions import Report, out_dir, write_report

NAME = "xor"


def run(out, quick: bool = False, seed: int | None = None, echo: Callable[[str], None] | None = print) -> dict:
    """Train XOR, analyse its hidden representations, write figures and a report.

    Parameters
    ----------
    out : path
        Folder for the figures, ``report.txt``, ``report.json`` and ``recording.npz``.
    quick : bool
        Record every 20th epoch instead of every 5th (the training is the same).
    seed : int, optional
        Seed for the initial weights (default: the spec's, 0).

    Returns
    -------
    dict
        The report (also written as JSON).
    """
    out = out_dir(out)
    rep = Report(echo)
    m = load("xor", seed=seed)
    net, xs, params = m.network, m.examples, m.training
    rec = Recorder(net, xs, ["hidden", "output"], every=20 if quick else 5, weights=True)
    rec.capture(0)
    result = train(net, xs, params, callbacks=[rec])
    rec.capture(result.n_epochs)
    rec.save(out / "recording.npz")
    res = test(net, xs)

    x = xs.inputs["input"][:, 0]
    t = xs.targets["output"][:, 0]
    y = (t[:, 0] > 0.5).astype(int)
    h = rec.patterns("hidden")
    names = list(xs.names)

    rep(f"XOR 2-2-1 (shipped spec 'xor', seed {net.seed}): {result.n_epochs} epochs, stopped by {result.stopped}, "
        f"total error {result.final_error:.4f}")
    rep("  outputs: " + ", ".join(f"{n} -> {o:.3f}" for n, o in zip(names, res.outputs["output"][:, 0])))
    sep_in = analysis.linear_separability(x, y)
    sep_h = analysis.linear_separability(h, y)
    best_in = analysis.best_linear_accuracy(x, y)
    best_h = analysis.best_linear_accuracy(h, y)
    rep("")
    rep("Linear separability of the targets (exact: a linear programme per subset of examples)")
    rep(f"  input space : separable {sep_in['separable']!s:<5}  best accuracy of any line {best_in:.2f}")
    rep(f"  hidden space: separable {sep_h['separable']!s:<5}  best accuracy of any line {best_h:.2f}")
    w_out = net.block("hidden", "output").weights[:, 0]
    b_out = float(net.block("bias", "output").weights[0, 0])
    out_net = h @ w_out + b_out
    output_line = bool(np.all((out_net > 0) == (y == 1)))
    rep(f"  the output unit's own line (net input 0) separates the hidden patterns: {output_line}")

    d_in = analysis.dissimilarity(x, "euclidean")
    d_h = analysis.dissimilarity(h, "euclidean")
    d_t = analysis.dissimilarity(t, "euclidean")
    b_in, w_in = analysis.between_within(x, y)
    b_h, w_h = analysis.between_within(h, y)
    rep("")
    rep("Altered similarities (euclidean distance)")
    rep(f"  input space : same-target pairs {w_in:.3f} apart, different-target pairs {b_in:.3f} "
        f"(ratio within/between {w_in / b_in:.2f})")
    rep(f"  hidden space: same-target pairs {w_h:.3f} apart, different-target pairs {b_h:.3f} "
        f"(ratio within/between {w_h / b_h:.2f})")
    pairs = [(i, j) for i in range(len(names)) for j in range(i + 1, len(names))]
    rep("  pair      same target   input   hidden")
    for i, j in pairs:
        rep(f"  {names[i]}-{names[j]}     {'yes' if y[i] == y[j] else 'no ':<12} {d_in[i, j]:6.3f}   {d_h[i, j]:6.3f}")
    rsa_h_t = analysis.rsa(d_h, d_t, precomputed=True, metric="euclidean", n_permutations=24)
    rsa_in_t = analysis.rsa(d_in, d_t, precomputed=True, metric="euclidean", n_permutations=24)
    rsa_h_in = analysis.rsa(d_h, d_in, precomputed=True, metric="euclidean", n_permutations=24)
    rep("  RSA (Spearman rho of the 6 pairwise distances; exact test over all 24 relabellings):")
    rep(f"    hidden vs target : rho {rsa_h_t.rho:+.3f}  p {rsa_h_t.p_value:.3f}")
    rep(f"    input  vs target : rho {rsa_in_t.rho:+.3f}  p {rsa_in_t.p_value:.3f}")
    rep(f"    hidden vs input  : rho {rsa_h_in.rho:+.3f}  p {rsa_h_in.p_value:.3f}")
    rep("  (4 examples give only 6 distances and 24 relabellings: the test has almost no power;")
    rep("   the point is the change in the pairs above, not the significance)")

    # figures
    files = []
    files.append(figures.rerepresentation(x, h, t, names, w_out, b_out, out / "xor-hidden-space.png",
                                          separable=(sep_in["separable"], sep_h["separable"])))
    files.append(figures.dissimilarity_pair(d_in, d_h, names, out / "xor-similarity.png",
                                            suptitle="XOR: input similarities vs hidden similarities"))
    unit_names = {g.name: g.unit_names for g in net.groups.values()}
    files.append(plots.hinton_blocks(net.get_weights(), out / "xor-weights.png", unit_names,
                                     title="XOR weights after training"))
    acts = np.hstack([x, h, rec.patterns("output")])
    cols = net.group("input").unit_names + net.group("hidden").unit_names + net.group("output").unit_names
    files.append(plots.activations(acts, out / "xor-activations.png", names, cols,
                                   title="XOR: input, hidden and output activations"))
    traj = analysis.Trajectory(rec.array("hidden"), rec.epochs, names, "units")
    files.append(plots.trajectory(traj, out / "xor-trajectory.png",
                                  categories=[f"target {int(v)}" for v in y],
                                  title="XOR: hidden patterns over training (hidden unit space)",
                                  axis_labels=tuple(net.group("hidden").unit_names)))
    rep("")
    rep(f"Figures in {out}: " + ", ".join(Path(f).name for f in files))
    data = {
        "name": NAME, "seed": net.seed, "epochs": result.n_epochs, "stopped": result.stopped,
        "final_error": result.final_error, "outputs": dict(zip(names, res.outputs["output"][:, 0].tolist())),
        "input": {"separable": sep_in["separable"], "best_linear_accuracy": best_in,
                  "within_target_distance": w_in, "between_target_distance": b_in},
        "hidden": {"separable": sep_h["separable"], "best_linear_accuracy": best_h,
                   "within_target_distance": w_h, "between_target_distance": b_h,
                   "output_line_separates": output_line, "patterns": dict(zip(names, h.tolist()))},
        "distances": {f"{names[i]}-{names[j]}": {"input": d_in[i, j], "hidden": d_h[i, j]} for i, j in pairs},
        "rsa": {"hidden_vs_target": rsa_h_t.to_dict(), "input_vs_target": rsa_in_t.to_dict(),
                "hidden_vs_input": rsa_h_in.to_dict()},
        "recorded_epochs": len(rec.epochs),
        "figures": [Path(f).name for f in files],
    }
    write_report(out, rep.text, data)
    return data
