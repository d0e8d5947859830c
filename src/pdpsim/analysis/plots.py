"""Figures of representations: weights, activations, similarity structure, trajectories.

Each function draws what it is given, labelled with example and unit names,
writes the file atomically (PNG, SVG or PDF by the suffix, through
:func:`pdpsim.analysis.figures.save`) and returns its path.
"""
from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from pdpsim.analysis.distances import _names
from pdpsim.analysis.figures import _plt, place_labels, save
from pdpsim.validation import PdpError

#: colours for categories, in order of first appearance
PALETTE = ("tab:green", "tab:red", "tab:blue", "tab:orange", "tab:purple", "tab:brown", "tab:pink",
           "tab:olive", "tab:cyan", "tab:gray")


def _check_path(path) -> Path:
    p = Path(path)
    if p.suffix.lower().lstrip(".") not in ("png", "svg", "pdf"):
        raise PdpError(f"figure '{p}': expected a .png, .svg or .pdf file name")
    return p


def _labels(names, n: int, what: str) -> list[str]:
    return _names(names, n, what, "rows/columns")


def _category_colours(categories: Sequence[str] | None, n: int) -> tuple[list[str], dict[str, str]]:
    if categories is None:
        return ["tab:blue"] * n, {}
    cats = [str(c) for c in categories]
    if len(cats) != n:
        raise PdpError(f"categories: {len(cats)} categories for {n} examples")
    order: dict[str, str] = {}
    for c in cats:
        if c not in order:
            order[c] = PALETTE[len(order) % len(PALETTE)]
    return [order[c] for c in cats], order


# ---------------------------------------------------------------- Hinton diagrams
def _hinton_ax(ax, w: np.ndarray, row_names, col_names, max_weight: float, title: str = "") -> None:
    from matplotlib.patches import Rectangle
    ax.set_facecolor("0.55")
    nr, nc = w.shape
    for i in range(nr):
        for j in range(nc):
            v = w[i, j]
            if not np.isfinite(v) or v == 0:
                continue
            side = np.sqrt(min(abs(v) / max_weight, 1.0)) * 0.92      # area proportional to |w|
            ax.add_patch(Rectangle((j - side / 2, i - side / 2), side, side,
                                   facecolor="white" if v > 0 else "black", edgecolor="none"))
    ax.set_xlim(-0.5, nc - 0.5)
    ax.set_ylim(nr - 0.5, -0.5)
    ax.set_aspect("equal")
    ax.set_xticks(range(nc), col_names, rotation=90, fontsize=7)
    ax.set_yticks(range(nr), row_names, fontsize=7)
    ax.tick_params(length=0)
    if title:
        ax.set_title(title, fontsize=9)


def hinton(weights, path, row_names: Sequence[str] | None = None, col_names: Sequence[str] | None = None,
           title: str = "", max_weight: float | None = None) -> Path:
    """A Hinton diagram of one weight matrix.

    Parameters
    ----------
    weights : array_like (n_rows, n_cols)
        ``w[i, j]`` is drawn in row i, column j: for a link block, rows are the
        sending units and columns the receiving units.
    row_names, col_names : list of str, optional
    max_weight : float, optional
        The magnitude drawn as a full cell (default: the largest |w|).

    Notes
    -----
    Each square's area is proportional to the weight's magnitude; white
    squares are positive weights, black negative, on a grey ground.
    """
    p = _check_path(path)
    w = np.asarray(weights, dtype=float)
    if w.ndim != 2:
        raise PdpError(f"hinton: expected a 2-D weight matrix, got {w.ndim}-D")
    rows, cols = _labels(row_names, w.shape[0], "hinton rows"), _labels(col_names, w.shape[1], "hinton columns")
    mw = float(max_weight) if max_weight else float(np.nanmax(np.abs(w))) if w.size else 1.0
    mw = mw if mw > 0 else 1.0
    plt = _plt()
    fig, ax = plt.subplots(figsize=(max(3.0, 0.28 * w.shape[1] + 1.6), max(2.4, 0.28 * w.shape[0] + 1.2)))
    _hinton_ax(ax, w, rows, cols, mw, title)
    fig.text(0.99, 0.01, f"white +, black -; full cell = |w| {mw:.3g}", ha="right", va="bottom", fontsize=7)
    return save(fig, p)


def hinton_blocks(blocks: Mapping[str, np.ndarray], path, unit_names: Mapping[str, Sequence[str]] | None = None,
                  title: str = "", transpose: bool = False) -> Path:
    """Hinton diagrams of several link blocks side by side, on one scale.

    Parameters
    ----------
    blocks : dict ``"source->dest"`` -> weights (n_from, n_to)
        E.g. ``net.get_weights()`` or a selection of it.
    unit_names : dict group -> unit names, optional
        For the axis labels (``{g.name: g.unit_names for g in net.groups.values()}``).
    transpose : bool
        Draw receiving units as rows instead of sending units.
    """
    p = _check_path(path)
    if not blocks:
        raise PdpError("hinton_blocks: no link blocks to draw")
    unit_names = unit_names or {}
    mats = []
    for name, w in blocks.items():
        w = np.asarray(w, dtype=float)
        if w.ndim != 2:
            raise PdpError(f"hinton_blocks: block {name} has {w.ndim}-D weights (one network at a time)")
        src, _, dst = name.partition("->")
        rows = _labels(unit_names.get(src), w.shape[0], f"block {name} senders")
        cols = _labels(unit_names.get(dst), w.shape[1], f"block {name} receivers")
        mats.append((name, w.T if transpose else w, cols if transpose else rows, rows if transpose else cols))
    mw = max(float(np.abs(w).max()) for _, w, _, _ in mats) or 1.0
    # lay the panels out by hand so that a cell has the same size in every panel
    cell, gap, char = 0.3, 0.35, 0.065
    lefts = [max(len(n) for n in r) * char + 0.15 for _, _, r, _ in mats]
    bottom = max(max(len(n) for n in c) for _, _, _, c in mats) * char + 0.15
    top = 0.7
    widths = [w.shape[1] * cell for _, w, _, _ in mats]
    heights = [w.shape[0] * cell for _, w, _, _ in mats]
    fig_w = sum(lefts) + sum(widths) + gap * (len(mats) + 1)
    fig_h = top + max(heights) + bottom
    plt = _plt()
    fig = plt.figure(figsize=(fig_w, fig_h))
    x = gap
    for (name, w, r, c), lw, ww, hh in zip(mats, lefts, widths, heights):
        x += lw
        ax = fig.add_axes([x / fig_w, (fig_h - top - hh) / fig_h, ww / fig_w, hh / fig_h])
        _hinton_ax(ax, w, r, c, mw, name)
        x += ww + gap
    fig.suptitle((title + "  " if title else "") + f"(white +, black -; full cell = |w| {mw:.3g})", fontsize=9,
                 y=1 - 0.15 / fig_h, va="top")
    # the tight bounding box misses rotated tick labels of hand-placed axes: pin the figure's corners
    fig.text(0, 0, " ", fontsize=1)
    fig.text(1, 1, " ", fontsize=1)
    return save(fig, p)


def hinton_panels(panels: Sequence[tuple[str, np.ndarray]], path, row_names: Sequence[str] | None = None,
                  col_names: Sequence[str] | None = None, title: str = "", ncols: int = 3) -> Path:
    """Several small Hinton diagrams of equal shape in a grid, on one scale.

    For example the weights from 24 people to each person-encoding unit,
    each drawn as 2 rows (the two families) of 12 (Hinton 1986, figure 4).

    Parameters
    ----------
    panels : list of (title, matrix)
        Matrices of one shape (n_rows, n_cols).
    row_names, col_names : list of str, optional
        Labels shared by every panel.
    """
    p = _check_path(path)
    if not panels:
        raise PdpError("hinton_panels: nothing to draw")
    mats = [(t, np.asarray(w, dtype=float)) for t, w in panels]
    shape = mats[0][1].shape
    if any(w.shape != shape or w.ndim != 2 for _, w in mats):
        raise PdpError("hinton_panels: every panel needs a 2-D matrix of the same shape")
    rows, cols = _labels(row_names, shape[0], "hinton_panels rows"), _labels(col_names, shape[1], "hinton_panels columns")
    mw = max(float(np.abs(w).max()) for _, w in mats) or 1.0
    ncols = max(1, min(int(ncols), len(mats)))
    nrows = -(-len(mats) // ncols)
    plt = _plt()
    fig, axes = plt.subplots(nrows, ncols, figsize=(ncols * (0.3 * shape[1] + 1.2), nrows * (0.3 * shape[0] + 1.6)),
                             squeeze=False)
    for k, ax in enumerate(axes.ravel()):
        if k < len(mats):
            _hinton_ax(ax, mats[k][1], rows, cols, mw, mats[k][0])
        else:
            ax.axis("off")
    fig.suptitle((title + "  " if title else "") + f"(white +, black -; full cell = |w| {mw:.3g})", fontsize=9)
    fig.tight_layout()
    return save(fig, p)


# ---------------------------------------------------------------- activations
def activations(values, path, example_names: Sequence[str] | None = None,
                unit_names: Sequence[str] | None = None, title: str = "", vmin: float | None = 0.0,
                vmax: float | None = 1.0, annotate: bool | None = None, cmap: str = "Greys") -> Path:
    """Unit activations per example: rows are examples, columns units.

    Parameters
    ----------
    values : array_like (n_examples, n_units)
    vmin, vmax : float or None
        Colour scale (default 0..1 for logistic units; None: the data's range).
    annotate : bool, optional
        Write each value in its cell (default: when there are at most 200 cells).
    """
    p = _check_path(path)
    v = np.asarray(values, dtype=float)
    if v.ndim != 2:
        raise PdpError(f"activations: expected (examples, units), got {v.ndim}-D")
    rows = _labels(example_names, v.shape[0], "activations examples")
    cols = _labels(unit_names, v.shape[1], "activations units")
    lo = float(np.nanmin(v)) if vmin is None else vmin
    hi = float(np.nanmax(v)) if vmax is None else vmax
    plt = _plt()
    fig, ax = plt.subplots(figsize=(max(3.2, 0.42 * v.shape[1] + 2.2), max(2.2, 0.3 * v.shape[0] + 1.2)))
    im = ax.imshow(v, cmap=cmap, vmin=lo, vmax=hi, aspect="auto", interpolation="nearest")
    ax.set_xticks(range(v.shape[1]), cols, rotation=90, fontsize=7)
    ax.set_yticks(range(v.shape[0]), rows, fontsize=7)
    if annotate is None:
        annotate = v.size <= 200
    if annotate:
        mid = (lo + hi) / 2
        for i in range(v.shape[0]):
            for j in range(v.shape[1]):
                ax.text(j, i, f"{v[i, j]:.2f}", ha="center", va="center", fontsize=6,
                        color="white" if v[i, j] > mid else "black")
    fig.colorbar(im, ax=ax, shrink=0.8, label="activation")
    if title:
        ax.set_title(title, fontsize=10)
    return save(fig, p)


def settling(net, example: int, path, groups: Sequence[str] | None = None, example_name: str | None = None,
             quantity: str = "output") -> Path:
    """A network in time, one example: for each group, its units (columns) tick by tick
    (rows, tick 0 at the top), as Lens's unit viewer steps through ticks. Run the examples
    first (``pdpsim.test``) so that each group holds its history."""
    p = _check_path(path)
    chosen = [net.group(g) for g in groups] if groups else [
        g for g in net.groups.values() if g.kind != "BIAS" and g.output_history is not None]
    if not chosen or any(g.output_history is None for g in chosen):
        raise PdpError("settling: no history; run the examples through the network in time first (pdpsim.test)")
    if quantity not in ("output", "net_input"):
        raise PdpError(f"settling: quantity must be output or net_input, got {quantity!r}")
    n_ex = chosen[0].output_history.shape[-2]
    if not 0 <= example < n_ex:
        raise PdpError(f"settling: example {example} out of range (0-{n_ex - 1})")
    plt = _plt()
    widths = [max(2, g.size) for g in chosen]
    ticks = chosen[0].output_history.shape[0]
    fig, axes = plt.subplots(1, len(chosen), figsize=(max(4, 0.12 * sum(widths) + 1.5 * len(chosen)),
                                                        max(2.4, 0.22 * ticks + 1.2)),
                             gridspec_kw={"width_ratios": widths}, squeeze=False)
    label = {"output": "output a", "net_input": "net input n"}[quantity]
    values = [(g.output_history if quantity == "output" else g.net_input_history)[:, example, :] for g in chosen]
    # one colour scale where the panels can share it: 0..1 (white..black) for logistic outputs,
    # a symmetric blue-white-red scale over every other panel
    zero_one = []
    for g, h in zip(chosen, values):
        finite = h[np.isfinite(h)]
        zero_one.append(bool(quantity == "output" and (g.function.name in ("LOGISTIC", "SOFT_MAX")
                                                       or (finite.size and finite.min() >= 0 and finite.max() <= 1))))
    signed = [np.abs(h[np.isfinite(h)]) for h, u in zip(values, zero_one) if not u]
    top = max((float(v.max()) for v in signed if v.size), default=0.0) or 1.0
    images = {}
    for ax, g, h, unit in zip(axes[0], chosen, values, zero_one):
        im = ax.imshow(h, cmap="Greys" if unit else "RdBu_r", aspect="auto", interpolation="nearest",
                       vmin=0 if unit else -top, vmax=1 if unit else top)
        images.setdefault(unit, im)
        ax.set_title(g.name, fontsize=9)
        ax.set_xlabel("unit", fontsize=8)
        ax.set_yticks(range(ticks), [str(t) for t in range(ticks)], fontsize=6)
        ax.set_xticks([])
    axes[0][0].set_ylabel("tick", fontsize=8)
    # the colour bars in a column of their own at the right (two when the panels need both scales)
    fig_w = fig.get_figwidth()
    bar_w, step = 0.15 / fig_w, 1.1 / fig_w                   # 0.15 in wide, 1.1 in apart
    right = 1 - 0.25 / fig_w - step * len(images)
    fig.subplots_adjust(right=right)
    for k, (unit, im) in enumerate(sorted(images.items())):
        which = "" if len(images) == 1 else (" (groups in 0..1)" if unit else " (other groups)")
        cax = fig.add_axes((right + 0.25 / fig_w + k * step, 0.15, bar_w, 0.7))
        bar = fig.colorbar(im, cax=cax)
        bar.set_label(label + which, fontsize=8)
        bar.ax.tick_params(labelsize=7)
    fig.suptitle(f"{label} of each unit over the ticks, example {example_name or example}", fontsize=10,
                 y=0.98, va="bottom")
    return save(fig, p)


# ---------------------------------------------------------------- similarity structure
def dissimilarity_matrix(d, path, names: Sequence[str] | None = None, title: str = "",
                         metric: str = "euclidean", order: Sequence[int] | None = None,
                         annotate: bool | None = None) -> Path:
    """One dissimilarity matrix as an image, examples labelled.

    ``order`` reorders the examples (e.g. a dendrogram's leaf order).
    """
    p = _check_path(path)
    d = np.asarray(d, dtype=float)
    if d.ndim != 2 or d.shape[0] != d.shape[1]:
        raise PdpError(f"dissimilarity_matrix: expected a square matrix, got shape {d.shape}")
    names = _labels(names, d.shape[0], "dissimilarity_matrix")
    if order is not None:
        idx = [int(i) for i in order]
        if sorted(idx) != list(range(d.shape[0])):
            raise PdpError("dissimilarity_matrix: order must be a permutation of the examples")
        d = d[np.ix_(idx, idx)]
        names = [names[i] for i in idx]
    n = d.shape[0]
    plt = _plt()
    fig, ax = plt.subplots(figsize=(max(3.6, 0.32 * n + 2.4), max(3.0, 0.32 * n + 1.6)))
    im = ax.imshow(d, cmap="viridis", vmin=0, interpolation="nearest")
    ax.set_xticks(range(n), names, rotation=90, fontsize=7)
    ax.set_yticks(range(n), names, fontsize=7)
    if annotate is None:
        annotate = n <= 10
    if annotate:
        hi = float(d.max()) or 1.0
        for i in range(n):
            for j in range(n):
                ax.text(j, i, f"{d[i, j]:.2f}", ha="center", va="center", fontsize=7,
                        color="white" if d[i, j] < 0.6 * hi else "black")
    fig.colorbar(im, ax=ax, shrink=0.8, label=f"{metric} dissimilarity")
    if title:
        ax.set_title(title, fontsize=10)
    return save(fig, p)


def dendrograms(results: Sequence[tuple[str, object]], path, title: str = "", same_scale: bool = True) -> Path:
    """Dendrograms side by side (e.g. one per checkpoint epoch).

    Parameters
    ----------
    results : list of (panel title, :class:`pdpsim.analysis.ClusterResult`)
    same_scale : bool
        One height axis for every panel, so that growing distances show.
    """
    from scipy.cluster.hierarchy import dendrogram
    p = _check_path(path)
    if not results:
        raise PdpError("dendrograms: nothing to draw")
    plt = _plt()
    k = len(results)
    fig, axes = plt.subplots(1, k, figsize=(min(3.2 * k, 18), 3.4), squeeze=False, sharey=same_scale)
    top = max(float(r.linkage[:, 2].max()) for _, r in results) if same_scale else None
    for ax, (t, r) in zip(axes[0], results):
        dendrogram(r.linkage, labels=r.names, ax=ax, leaf_rotation=90, leaf_font_size=7,
                   color_threshold=0, above_threshold_color="k")
        ax.set_title(t, fontsize=9)
        if top:
            ax.set_ylim(0, top * 1.05)
    axes[0][0].set_ylabel(f"{results[0][1].metric} distance ({results[0][1].method} linkage)", fontsize=8)
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return save(fig, p)


def dendrogram(result, path, title: str = "") -> Path:
    """One dendrogram of a :class:`pdpsim.analysis.ClusterResult`."""
    return dendrograms([(title, result)], path)


def projection(coords, path, names: Sequence[str] | None = None, categories: Sequence[str] | None = None,
               title: str = "", axis_labels: tuple[str, str] = ("dimension 1", "dimension 2")) -> Path:
    """Examples as labelled points in 2-D (an MDS or PCA projection), coloured by category."""
    p = _check_path(path)
    c = np.asarray(coords, dtype=float)
    if c.ndim != 2 or c.shape[1] < 2:
        raise PdpError(f"projection: expected coordinates (examples, 2), got shape {c.shape}")
    names = _labels(names, c.shape[0], "projection")
    colours, legend = _category_colours(categories, c.shape[0])
    plt = _plt()
    fig, ax = plt.subplots(figsize=(5.2, 4.4))
    ax.scatter(c[:, 0], c[:, 1], c=colours, s=40, zorder=3)
    for cat, col in legend.items():
        ax.scatter([], [], c=col, label=cat)
    if legend:                                 # beside the axes, where no name can fall under it
        ax.legend(frameon=False, fontsize=7, loc="upper left", bbox_to_anchor=(1.02, 1.0))
    ax.set_xlabel(axis_labels[0])
    ax.set_ylabel(axis_labels[1])
    ax.grid(alpha=0.3)
    ax.margins(0.12)
    ax.set_aspect("equal", adjustable="datalim")
    if title:
        ax.set_title(title, fontsize=10)
    place_labels(ax, c[:, :2], names, fontsize=7, marker_size=40)      # no two names overlap
    return save(fig, p)


def trajectory(traj, path, categories: Sequence[str] | None = None, title: str = "",
               mark_epochs: Sequence[int] | None = None, axis_labels: tuple[str, str] | None = None) -> Path:
    """Each example's path through a jointly fitted 2-D space over epochs.

    Parameters
    ----------
    traj : :class:`pdpsim.analysis.Trajectory`
    categories : list of str, optional
        One per example, for colours and the legend.
    mark_epochs : list of int, optional
        Recorded epochs to mark with a small dot and label (default: first and last).
    axis_labels : (str, str), optional
        Default: from the projection method (PC1/PC2, MDS dimensions).
    """
    p = _check_path(path)
    c = np.asarray(traj.coords, dtype=float)
    if c.ndim != 3 or c.shape[2] < 2:
        raise PdpError(f"trajectory: expected coordinates (epochs, examples, >=2), got shape {c.shape}")
    colours, legend = _category_colours(categories, c.shape[1])
    epochs = list(np.asarray(traj.epochs).tolist())
    marks = [epochs[0], epochs[-1]] if mark_epochs is None else [e for e in mark_epochs if e in epochs]
    plt = _plt()
    fig, ax = plt.subplots(figsize=(5.6, 4.8))
    for j, name in enumerate(traj.names):
        ax.plot(c[:, j, 0], c[:, j, 1], "-", color=colours[j], lw=1.2, alpha=0.8)
        ax.scatter(c[-1, j, 0], c[-1, j, 1], color=colours[j], s=36, zorder=3)
    for e in marks:
        k = epochs.index(e)
        ax.scatter(c[k, :, 0], c[k, :, 1], s=10, color="k", zorder=4)
    if marks:
        ax.annotate(f"epoch {marks[0]}", c[epochs.index(marks[0]), :, :2].mean(axis=0),
                    textcoords="offset points", xytext=(6, -10), fontsize=7, color="0.3")
    for cat, col in legend.items():
        ax.plot([], [], color=col, label=cat)
    if legend:
        ax.legend(frameon=False, fontsize=7)
    label = {"pca": "PC", "mds": "MDS dimension "}.get(traj.method, "dimension ")
    extra = ""
    if traj.method == "pca" and traj.explained is not None:
        extra = f" ({traj.explained[0]:.0%}, {traj.explained[1]:.0%} of variance)"
    xl, yl = axis_labels if axis_labels else (f"{label}1", f"{label}2")
    ax.set_xlabel(xl)
    ax.set_ylabel(yl)
    ax.grid(alpha=0.3)
    how = ", fitted jointly" if traj.method in ("pca", "mds") else ""
    ax.set_title((title or "trajectories") + f"\nepochs {epochs[0]}-{epochs[-1]}{how}{extra}", fontsize=9)
    place_labels(ax, c[-1, :, :2], list(traj.names), fontsize=7, marker_size=36,
                 avoid=[ax.get_legend()] if ax.get_legend() is not None else [])
    return save(fig, p)


def curves(epochs, series: Mapping[str, Sequence[float]], path, ylabel: str, title: str = "",
           marks: Mapping[str, float] | None = None, xlabel: str = "epoch") -> Path:
    """Lines over epochs (e.g. distance between categories at each level), with optional
    vertical marks (``{label: epoch}``) in the same colours."""
    p = _check_path(path)
    ep = np.asarray(epochs)
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6, 3.6))
    colours = {}
    for i, (name, vals) in enumerate(series.items()):
        v = np.asarray(vals, dtype=float)
        if v.shape != ep.shape:
            raise PdpError(f"curves: series '{name}' has {v.size} values for {ep.size} epochs")
        (line,) = ax.plot(ep, v, lw=1.6, label=name)
        colours[name] = line.get_color()
    for name, e in (marks or {}).items():
        if e is not None and np.isfinite(e):
            ax.axvline(e, color=colours.get(name, "k"), ls=":", lw=1)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    ax.legend(frameon=False, fontsize=8)
    if title:
        ax.set_title(title, fontsize=10)
    return save(fig, p)


def counts(values: Sequence[int], path, possible: int, chance: float | None = None, title: str = "",
           xlabel: str = "correct") -> Path:
    """A histogram of small counts 0..``possible`` (e.g. held-out cases correct per split)."""
    p = _check_path(path)
    v = np.asarray(values, dtype=int)
    plt = _plt()
    fig, ax = plt.subplots(figsize=(4.8, 3.2))
    ax.bar(np.arange(possible + 1), np.bincount(v, minlength=possible + 1)[:possible + 1], color="tab:blue")
    ax.axvline(v.mean(), color="k", lw=1.2, label=f"mean {v.mean():.2f}")
    if chance is not None:
        ax.axvline(chance, color="tab:red", ls="--", lw=1.2, label=f"chance {chance:.2f}")
    ax.set_xticks(range(possible + 1))
    ax.set_xlabel(xlabel)
    ax.set_ylabel("runs")
    ax.legend(frameon=False, fontsize=8)
    if title:
        ax.set_title(title, fontsize=10)
    return save(fig, p)
