"""``pdpsim demo``: the lecture's tour in one command, figures in one folder."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np

from pdpsim.teaching.associators import format_quiz, quiz
from pdpsim.teaching.explain import explain_lecture
from pdpsim.formats.spec import load
from pdpsim.training.testing import test
from pdpsim.training.loop import train


def _dist(x: np.ndarray) -> np.ndarray:
    from scipy.spatial.distance import pdist, squareform
    return squareform(pdist(x, "euclidean"))


def _matrix(m: np.ndarray, names) -> str:
    head = "        " + "".join(f"{n:>7}" for n in names)
    rows = [f"  {n:>5} " + "".join(f"{v:7.2f}" for v in row) for n, row in zip(names, m)]
    return "\n".join([head] + rows)


def run_demo(out: Path, quick: bool = False, echo: Callable[[str], None] = print) -> dict:
    """Run the tour, write figures to ``out``, return the key numbers."""
    from pdpsim.analysis import figures
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    summary: dict = {}
    rule = "=" * 78

    echo(rule)
    echo("1. Backpropagation: a really simple example (the lecture's worked example)")
    echo(rule)
    echo(explain_lecture().text)

    echo("")
    echo(rule)
    echo("2. XOR without hidden units, and with two")
    echo(rule)
    curves = {}
    for name in ("xor-no-hidden", "xor"):
        m = load(name)
        r = train(m.network, m.examples, m.training, max_epochs=300 if quick else m.training.max_epochs)
        res = test(m.network, m.examples)
        outs = " ".join(f"{n}->{o:.2f}" for n, o in zip(res.names, res.outputs["output"][:, 0]))
        verdict = "learned (every output within 0.1 of its target)" if r.converged else "did not learn"
        echo(f"  {name:<14} {r.n_epochs:>5} epochs, error {r.final_error:.4f}: {verdict}")
        echo(f"  {'':<14} outputs {outs}")
        curves[name] = (r.epochs, r.errors)
        summary[name] = {"epochs": r.n_epochs, "error": r.final_error, "converged": r.converged}
        if name == "xor":
            xor_model = m
    f1 = figures.error_curves(curves, out / "xor-error.png", title="XOR: no hidden units vs two")
    echo("  Without hidden units the error sticks at 0.5: no line through the input space separates")
    echo("  {01, 10} from {00, 11}, and the best one logistic unit can do is answer 0.5 to every input.")
    echo("  With two hidden units the inputs are re-represented and the error falls to criterion.")

    echo("")
    echo(rule)
    echo("3. Pre-lecture quiz: the Hebb rule against the Delta rule (8 -> 8 linear pattern associator)")
    echo(rule)
    rows = quiz(delta_epochs=300 if quick else None)
    echo(format_quiz(rows))
    echo("  * Hebb recalls the orthogonal set perfectly and shows crosstalk on the independent one.")
    echo("  * Delta learns any linearly independent set (orthogonal or not) to zero error.")
    echo("  * On the dependent set neither reaches zero; Delta reaches the least error any linear")
    echo(f"    mapping can ({rows[2].least_squares_error:.4g}); Hebb stays above it ({rows[2].hebb_error:.4g}).")
    echo("  * Linear independence is not orthogonality: the independent set is the first, not the second.")
    echo("  * The rules coincide when weights start at zero and the inputs are orthogonal: one Delta")
    echo("    epoch then makes exactly Hebb's weights (last column).")
    logistic = quiz(delta_epochs=300 if quick else None, activation="LOGISTIC")
    echo("  With logistic output units (targets .1/.9; Delta = gradient descent through the logistic):")
    echo(format_quiz(logistic))
    echo("  Delta still learns both independent sets; on the dependent set it stops at the least error")
    echo("  a logistic layer can reach. Hebb's weights, made from targets that are never negative,")
    echo("  recall no set exactly, and a logistic unit answers 0.5 (not 0) from zero weights, so the")
    echo("  two rules part from the first pattern.")
    summary["quiz_logistic"] = [r.__dict__ for r in logistic]
    f2 = figures.bar_table([r.set for r in rows], {"Hebb (one pass)": [r.hebb_error for r in rows],
                                                   "Delta (trained)": [r.delta_least_error for r in rows],
                                                   "least possible": [r.least_squares_error for r in rows]},
                           out / "hebb-vs-delta.png", ylabel="total error E", title="Hebb vs Delta", log=True)
    summary["quiz"] = [r.__dict__ for r in rows]

    echo("")
    echo(rule)
    echo("4. What the hidden units learned: XOR's altered similarities")
    echo(rule)
    net, xs = xor_model.network, xor_model.examples
    test(net, xs)
    x = xs.inputs["input"][:, 0]
    h = net.group("hidden").output.copy()
    t = xs.targets["output"][:, 0]
    din, dh = _dist(x), _dist(h)
    names = xs.names
    echo("  Euclidean distances between the four inputs (input space):")
    echo(_matrix(din, names))
    echo("  ... and between their hidden representations:")
    echo(_matrix(dh, names))
    for a, b in ((0, 3), (1, 2)):
        echo(f"  {names[a]} and {names[b]} (both target {t[a, 0]:g}): {din[a, b]:.2f} apart in input space, "
             f"{dh[a, b]:.2f} in hidden space")
    across = [dh[i, j] for i in range(4) for j in range(4) if t[i, 0] != t[j, 0]]
    echo(f"  pairs with different targets: {min(across):.2f} to {max(across):.2f} apart in hidden space.")
    echo("  In input space each input's nearest neighbours have the other target; the hidden units")
    echo("  pull same-target inputs together, and a single line now separates the classes")
    echo("  (xor-hidden-space.png): the non-separable problem became separable for the output unit.")
    f3 = figures.dissimilarity_pair(din, dh, names, out / "xor-similarity.png",
                                    suptitle="XOR: input similarities vs hidden similarities")
    ob = net.block("hidden", "output").weights[:, 0]
    bias = float(net.block("bias", "output").weights[0, 0])
    f4 = figures.rerepresentation(x, h, t, names, ob, bias, out / "xor-hidden-space.png")
    summary["xor_distances"] = {"input": din.tolist(), "hidden": dh.tolist()}

    echo("")
    echo(rule)
    echo(f"Figures written to {out.resolve()}:")
    for f in (f1, f2, f3, f4):
        echo(f"  {f.name}")
    return summary
