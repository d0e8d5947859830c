"""Figures with matplotlib (Agg; PNG, SVG or PDF by the file's suffix).

Every function takes what it draws and a path, writes the file atomically and
returns the path. Labels use example and unit names.
"""
from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from pdpsim.validation import PdpError, atomic_write

FORMATS = ("png", "svg", "pdf")


def _plt():
    import matplotlib
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt
    return plt


def save(fig, path: str | Path) -> Path:
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise PdpError(f"figure '{path}': expected a .png, .svg or .pdf file name")
    with atomic_write(path, "wb") as f:
        fig.savefig(f, format=fmt, dpi=120, bbox_inches="tight")
    _plt().close(fig)
    return path


def error_curves(curves: Mapping[str, tuple[Sequence[float], Sequence[float]]], path: str | Path,
                 title: str = "Training error", log: bool = False) -> Path:
    """One line per run: ``{label: (epochs, errors)}``."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6, 3.6))
    for label, (ep, err) in curves.items():
        ax.plot(ep, err, label=label, lw=1.6)
    ax.set_xlabel("epoch")
    ax.set_ylabel("total error E")
    if log:
        ax.set_yscale("log")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    if len(curves) > 1:
        ax.legend(frameon=False)
    return save(fig, path)


def dissimilarity_pair(left: np.ndarray, right: np.ndarray, names: Sequence[str], path: str | Path,
                       titles: tuple[str, str] = ("input", "hidden"), suptitle: str = "") -> Path:
    """Two dissimilarity matrices side by side on one colour scale."""
    plt = _plt()
    fig, axes = plt.subplots(1, 2, figsize=(8, 3.8))
    vmax = max(left.max(), right.max())
    for ax, m, t in zip(axes, (left, right), titles):
        im = ax.imshow(m, cmap="viridis", vmin=0, vmax=vmax)
        ax.set_xticks(range(len(names)), names)
        ax.set_yticks(range(len(names)), names)
        ax.set_title(t)
        for i in range(len(names)):
            for j in range(len(names)):
                ax.text(j, i, f"{m[i, j]:.2f}", ha="center", va="center",
                        color="white" if m[i, j] < 0.6 * vmax else "black", fontsize=8)
    fig.colorbar(im, ax=axes, shrink=0.8, label="Euclidean distance")
    if suptitle:
        fig.suptitle(suptitle)
    return save(fig, path)


def rerepresentation(inputs: np.ndarray, hidden: np.ndarray, targets: np.ndarray, names: Sequence[str],
                     out_weights: np.ndarray, out_bias: float, path: str | Path,
                     separable: tuple[bool, bool] = (False, True)) -> Path:
    """XOR's four inputs in input space and in the space of two hidden units, with
    the output unit's decision line (where its net input is 0) in hidden space.
    ``separable``: whether one line separates the classes in (input, hidden) space, for the titles."""
    plt = _plt()
    fig, axes = plt.subplots(1, 2, figsize=(8, 3.9))
    colors = np.where(targets.ravel() > 0.5, "tab:red", "tab:blue")
    word = {True: "separable", False: "not separable"}
    for ax, pts, sep, lab in ((axes[0], inputs, separable[0], "input"), (axes[1], hidden, separable[1], "hidden")):
        ax.scatter(pts[:, 0], pts[:, 1], c=colors, s=90, zorder=3)
        ax.set_xlim(-0.15, 1.15)
        ax.set_ylim(-0.15, 1.15)
        ax.set_xlabel(f"{lab} unit 0")
        ax.set_ylabel(f"{lab} unit 1")
        ax.set_title(f"{lab} space: {word[bool(sep)]}")
        ax.grid(alpha=0.3)
    w0, w1 = out_weights
    xs = np.linspace(-0.15, 1.15, 50)
    if abs(w1) > 1e-12:
        axes[1].plot(xs, -(out_bias + w0 * xs) / w1, "k--", lw=1, label="output net input = 0")
    else:
        axes[1].axvline(-out_bias / w0, color="k", ls="--", lw=1, label="output net input = 0")
    axes[1].set_ylim(-0.15, 1.15)
    axes[1].legend(frameon=False, fontsize=8, loc="lower right")
    fig.suptitle("red: target 1, blue: target 0")
    for ax, pts in zip(axes, (inputs, hidden)):
        place_labels(ax, pts, names, fontsize=10, marker_size=90,
                     avoid=[ax.get_legend()] if ax.get_legend() is not None else [])
    return save(fig, path)


def bar_table(labels: Sequence[str], series: Mapping[str, Sequence[float]], path: str | Path,
              ylabel: str, title: str = "", log: bool = False, values: bool = True) -> Path:
    """Grouped bars: one group per label, one bar per series.

    ``values``: write each bar's value above it. A value too small to see beside the
    largest (under a millionth of it, or exactly 0) is drawn as a short hatched stub and
    labelled ``≈0`` with its value, so that no column is left empty. ``log``: a log
    axis whose floor sits a decade below the smallest visible value.
    """
    plt = _plt()
    names = list(series)
    vals = np.array([[float(v) for v in series[n]] for n in names], dtype=float)      # (series, labels)
    k, n = vals.shape
    fig, ax = plt.subplots(figsize=(max(6.0, 0.62 * k * n + 1.5), 3.8))
    x = np.arange(n)
    width = 0.8 / k
    finite = np.abs(vals[np.isfinite(vals)])
    vmax = float(finite.max()) if finite.size and finite.max() > 0 else 1.0
    tiny = 1e-6 * vmax                                         # below this: "≈0" on this chart
    shown = finite[finite >= tiny]
    if log:
        ax.set_yscale("log")
        bottom = 10.0 ** (np.floor(np.log10(shown.min())) - 1) if shown.size else vmax / 1e3
        stub = bottom * (vmax / bottom) ** 0.04
    else:
        bottom = 0.0
        stub = 0.025 * vmax
    texts = []
    for i, name in enumerate(names):
        pos = x + (i - (k - 1) / 2) * width
        v = vals[i]
        small = np.isfinite(v) & (np.abs(v) < tiny)
        heights = np.where(small, stub, v)
        bars = ax.bar(pos, heights, width, label=name, color=f"C{i}")
        colour = bars[0].get_facecolor()
        for bar, is_small in zip(bars, small):
            if is_small:
                bar.set_hatch("////")
                bar.set_facecolor((*colour[:3], 0.25))
                bar.set_edgecolor(colour)
        if values:
            for p, val, h, is_small in zip(pos, v, heights, small):
                text = ("0" if val == 0 else f"≈0\n{val:.2g}") if is_small else f"{val:.2g}"
                texts.append(ax.text(p, h, text, ha="center", va="bottom", fontsize=7,
                                     color="0.2", linespacing=1.0))
    ax.set_xticks(x, labels)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    from matplotlib.patches import Patch
    handles = [Patch(facecolor=f"C{i}", label=name) for i, name in enumerate(names)]
    if np.any(np.isfinite(vals) & (np.abs(vals) < tiny)):
        handles.append(Patch(facecolor="white", edgecolor="0.4", hatch="////",
                             label="≈0 (under a millionth\nof the largest value)"))
    ax.legend(handles=handles, frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.grid(alpha=0.3, axis="y")
    top = vmax * (1.12 if not log else 2.0)
    ax.set_ylim(bottom if log else min(0.0, float(np.nanmin(vals))), top)
    if texts:
        _fit_bar_labels(fig, ax, texts, width, log, bottom, top)
    return save(fig, path)


def _fit_bar_labels(fig, ax, texts, width: float, log: bool, bottom: float, top: float) -> None:
    """Turn the bar labels upright when one is wider than its bar; raise the top of the axis
    until every label fits under it."""
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    bar_px = abs(ax.transData.transform((width, 0))[0] - ax.transData.transform((0, 0))[0])
    if any(t.get_window_extent(r).width > 0.9 * bar_px for t in texts):
        for t in texts:
            t.set_rotation(90)
    for _ in range(8):
        fig.canvas.draw()
        box = ax.get_window_extent(r)
        over = max(t.get_window_extent(r).y1 for t in texts) - (box.y1 - 2)
        if over <= 0:
            break
        frac = min(0.6, (over + 4) / box.height)
        if log:
            top = 10 ** (np.log10(top) + (np.log10(top) - np.log10(bottom)) * frac / (1 - frac))
        else:
            lo = ax.get_ylim()[0]
            top = lo + (top - lo) / (1 - frac)
        ax.set_ylim(ax.get_ylim()[0], top)


def place_labels(ax, points, names: Sequence[str], *, fontsize: float = 7, marker_size: float = 40,
                 color: str = "black", avoid: Sequence = ()) -> list:
    """Write each name beside its point so that no two names overlap, nor cover a marker.

    Each name goes to the first free place on rings of growing radius around its point
    (right, above right, above, ...); a name set further off is joined to its point by a thin
    line. The axis limits are frozen first (the figure is drawn once to measure the text), so
    call this after everything that sets them. ``avoid``: more artists (a legend) to keep
    clear of. Returns the annotations.
    """
    fig = ax.figure
    pts = np.asarray(points, dtype=float)[:, :2]
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    ax.set_xlim(ax.get_xlim())
    ax.set_ylim(ax.get_ylim())
    fig.canvas.draw()
    px = fig.dpi / 72.0                                        # pixels per point
    disp = ax.transData.transform(pts)
    rad = (np.sqrt(marker_size) / 2 + 1) * px                  # a marker's half width, with a pixel to spare
    taken = [(x - rad, y - rad, x + rad, y + rad) for x, y in disp]
    for a in avoid:
        b = a.get_window_extent(r)
        taken.append((b.x0, b.y0, b.x1, b.y1))
    frame = ax.get_window_extent(r)
    sizes = []
    for name in names:
        t = ax.text(0, 0, str(name), fontsize=fontsize, color=color)
        b = t.get_window_extent(r)
        sizes.append((b.width, b.height))
        t.remove()
    directions = [(1, 0.6), (1, -0.6), (0, 1), (0, -1), (-1, 0.6), (-1, -0.6), (1, 0), (-1, 0),
                  (0.7, 1), (-0.7, 1), (0.7, -1), (-0.7, -1)]
    rings = [3, 6, 10, 15, 22, 30, 40, 52, 66, 82, 100, 125, 155]

    gap = 1.5 * px                                             # room kept around each name

    def box(x, y, dx, dy, w, h):
        x0 = x + dx if dx > 0 else x + dx - w if dx < 0 else x - w / 2
        y0 = y + dy if dy > 0 else y + dy - h if dy < 0 else y - h / 2
        return (x0 - gap, y0 - gap, x0 + w + gap, y0 + h + gap)

    def clash(b):
        return sum(max(0.0, min(b[2], t[2]) - max(b[0], t[0])) * max(0.0, min(b[3], t[3]) - max(b[1], t[1]))
                   for t in taken)

    def inside(b):
        return b[0] >= frame.x0 and b[2] <= frame.x1 and b[1] >= frame.y0 and b[3] <= frame.y1

    out = []
    order = sorted(range(len(names)), key=lambda i: (-disp[i, 1], disp[i, 0]))
    for i in order:
        x, y = disp[i]
        w, h = sizes[i]
        best, best_cost = None, None
        for ring in rings:
            for ux, uy in directions:
                dx, dy = ux * (ring * px + rad), uy * (ring * px + rad)
                b = box(x, y, dx, dy, w, h)
                cost = clash(b) + (0 if inside(b) else 1e6)
                if best_cost is None or cost < best_cost:
                    best, best_cost = (dx, dy, b, ring), cost
                if cost == 0:
                    break
            if best_cost == 0:
                break
        dx, dy, b, ring = best
        taken.append(b)
        ha = "left" if dx > 0 else "right" if dx < 0 else "center"
        va = "bottom" if dy > 0 else "top" if dy < 0 else "center"
        line = dict(arrowstyle="-", color="0.55", lw=0.6, shrinkA=0, shrinkB=rad / px) if ring > 10 else None
        out.append(ax.annotate(str(names[i]), pts[i], xytext=(dx / px, dy / px), textcoords="offset points",
                               ha=ha, va=va, fontsize=fontsize, color=color, arrowprops=line,
                               annotation_clip=False))
    return out
