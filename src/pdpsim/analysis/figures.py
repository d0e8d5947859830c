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
                     out_weights: np.ndarray, out_bias: float, path: str | Path) -> Path:
    """XOR's four inputs in input space and in the space of two hidden units, with
    the output unit's decision line (where its net input is 0) in hidden space."""
    plt = _plt()
    fig, axes = plt.subplots(1, 2, figsize=(8, 3.9))
    colors = np.where(targets.ravel() > 0.5, "tab:red", "tab:blue")
    for ax, pts, title, lab in ((axes[0], inputs, "input space: not separable", "input"),
                                (axes[1], hidden, "hidden space: separable", "hidden")):
        ax.scatter(pts[:, 0], pts[:, 1], c=colors, s=90, zorder=3)
        for p, n in zip(pts, names):
            ax.annotate(n, p, textcoords="offset points", xytext=(6, 6))
        ax.set_xlim(-0.15, 1.15)
        ax.set_ylim(-0.15, 1.15)
        ax.set_xlabel(f"{lab} unit 0")
        ax.set_ylabel(f"{lab} unit 1")
        ax.set_title(title)
        ax.grid(alpha=0.3)
    w0, w1 = out_weights
    xs = np.linspace(-0.15, 1.15, 50)
    if abs(w1) > 1e-12:
        axes[1].plot(xs, -(out_bias + w0 * xs) / w1, "k--", lw=1, label="output net input = 0")
    else:
        axes[1].axvline(-out_bias / w0, color="k", ls="--", lw=1, label="output net input = 0")
    axes[1].legend(frameon=False, fontsize=8, loc="lower right")
    fig.suptitle("red: target 1, blue: target 0")
    return save(fig, path)


def bar_table(labels: Sequence[str], series: Mapping[str, Sequence[float]], path: str | Path,
              ylabel: str, title: str = "", log: bool = False) -> Path:
    """Grouped bars: one group per label, one bar per series."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6, 3.6))
    k = len(series)
    x = np.arange(len(labels))
    width = 0.8 / k
    for i, (name, vals) in enumerate(series.items()):
        ax.bar(x + (i - (k - 1) / 2) * width, vals, width, label=name)
    ax.set_xticks(x, labels)
    ax.set_ylabel(ylabel)
    if log:
        ax.set_yscale("symlog", linthresh=1e-6)
    if title:
        ax.set_title(title)
    ax.legend(frameon=False)
    ax.grid(alpha=0.3, axis="y")
    return save(fig, path)
