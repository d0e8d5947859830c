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


#: a same-target pair "collapses" below this fraction of its input-space distance, and "moves closer"
#: below the second; otherwise it stays apart
COLLAPSE, CLOSER = 0.1, 0.8


def _wrap(text: str, width: int = 94, indent: str = "  ") -> list[str]:
    import textwrap
    return textwrap.wrap(text, width=width, initial_indent=indent, subsequent_indent=indent)


def hidden_space_story(din: np.ndarray, dh: np.ndarray, targets: np.ndarray, names, sep_in: tuple[bool, float],
                       sep_h: tuple[bool, float], own_line: bool | None = None) -> list[str]:
    """What XOR's hidden units did, in words that hold for these numbers.

    ``din``, ``dh``: Euclidean distances between the examples in input and hidden space;
    ``sep_in``, ``sep_h``: (one line separates the classes, the best fraction any line gets right)
    in each space (:func:`pdpsim.analysis.linear_separability`, :func:`~pdpsim.analysis.best_linear_accuracy`);
    ``own_line``: whether the output unit's own line (net input 0) separates the hidden patterns.
    """
    t = np.asarray(targets, dtype=float).reshape(len(names), -1)[:, 0]
    n = len(names)
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n) if t[i] == t[j]]
    across = [dh[i, j] for i in range(n) for j in range(i + 1, n) if t[i] != t[j]]
    said, together = [], 0
    for i, j in pairs:
        pair = f"{names[i]} and {names[j]}"
        ratio = dh[i, j] / din[i, j] if din[i, j] > 0 else 1.0
        if ratio < COLLAPSE:
            what = f"{pair} collapse onto almost one point ({dh[i, j]:.2f} apart"
            together += 1
        elif ratio < CLOSER:
            what = f"{pair} move closer together ({din[i, j]:.2f} -> {dh[i, j]:.2f}"
            together += 1
        else:
            what = f"{pair} stay apart ({dh[i, j]:.2f} apart"
        if across and dh[i, j] > max(across):
            what += ", farther than any pair with different targets"
        elif across and dh[i, j] < min(across):
            what += ", closer than any pair with different targets"
        said.append(what + ")")
    if together == len(pairs):
        head = f"The hidden units pull {'both' if len(pairs) == 2 else 'all'} same-target pairs together: "
    elif together == 0:
        head = "The hidden units pull no same-target pair together: "
    else:
        head = "The hidden units do not pull every same-target pair together: "
    first = head + (", while ".join(said) if len(said) == 2 else "; ".join(said)) + "."
    classes = {v: "{" + ", ".join(names[k] for k in range(n) if t[k] == v) + "}" for v in sorted(set(t), reverse=True)}
    a, b = list(classes.values())[:2] if len(classes) >= 2 else (str(names), "")

    def right(acc: float) -> str:
        return f"{int(round(acc * n))} of {n}"

    if sep_in[0]:
        in_space = f"in input space one line already separates {a} from {b}"
    else:
        in_space = f"in input space no line separates {a} from {b} (the best line gets {right(sep_in[1])} right)"
    if sep_h[0]:
        h_space = f"in hidden space one line separates all {n}"
        if own_line:
            h_space += ", and the output unit's own line (net input 0) is such a line (xor-hidden-space.png)"
        elif own_line is not None:
            h_space += ", though the output unit's own line (net input 0) does not yet separate them"
    else:
        h_space = (f"in hidden space no line separates them yet (the best line gets {right(sep_h[1])} right): "
                   "the output unit cannot answer every input correctly")
    second = ("What makes XOR solvable is not that same-target inputs end up close but that the classes become "
              f"linearly separable: {in_space}; {h_space}.")
    return _wrap(first) + _wrap(second)


def run_demo(out: Path, quick: bool = False, echo: Callable[[str], None] = print) -> dict:
    """Run the tour, write figures to ``out``, return the key numbers."""
    from pdpsim import analysis
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
    y = (t[:, 0] > 0.5).astype(int)
    sep_in = (analysis.linear_separability(x, y)["separable"], analysis.best_linear_accuracy(x, y))
    sep_h = (analysis.linear_separability(h, y)["separable"], analysis.best_linear_accuracy(h, y))
    ob = net.block("hidden", "output").weights[:, 0]
    bias = float(net.block("bias", "output").weights[0, 0])
    own_line = bool(np.all((h @ ob + bias > 0) == (y == 1)))
    for line in hidden_space_story(din, dh, t, names, sep_in, sep_h, own_line):
        echo(line)
    f3 = figures.dissimilarity_pair(din, dh, names, out / "xor-similarity.png",
                                    suptitle="XOR: input similarities vs hidden similarities")
    f4 = figures.rerepresentation(x, h, t, names, ob, bias, out / "xor-hidden-space.png",
                                  separable=(sep_in[0], sep_h[0]))
    summary["xor_distances"] = {"input": din.tolist(), "hidden": dh.tolist()}
    summary["xor_hidden"] = h.tolist()
    summary["xor_separability"] = {"input": {"separable": bool(sep_in[0]), "best_accuracy": float(sep_in[1])},
                                   "hidden": {"separable": bool(sep_h[0]), "best_accuracy": float(sep_h[1])}}

    echo("")
    echo(rule)
    echo(f"Figures written to {out.resolve()}:")
    for f in (f1, f2, f3, f4):
        echo(f"  {f.name}")
    return summary
