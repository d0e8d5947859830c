"""HTML displays for Jupyter notebooks: networks, example sets, training results.

Each function returns a self-contained HTML fragment (inline SVG, no scripts,
no external files), so it shows the same in a live notebook, in nbviewer and
in an exported HTML file::

    from pdpsim.viewer.jupyter import network_html
    HTML(network_html(net))

Importing this module (``import pdpsim`` does) registers them as the displays of
:class:`~pdpsim.Network`, :class:`~pdpsim.ExampleSet` and :class:`~pdpsim.TrainingResult`
(:mod:`pdpsim.display`), so that a cell ending in ``net`` shows the drawing.
"""
from __future__ import annotations

import math
from html import escape

import numpy as np

from pdpsim.display import register_html

POS = (192, 57, 43)
NEG = (44, 111, 183)
#: blocks with more links than this get no Hinton diagram (a table row only)
HINTON_MAX_LINKS = 1024
_STYLE = ("font-family:system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;font-size:13px;"
          "line-height:1.35;color:#222")
_TABLE = "border-collapse:collapse;margin:4px 0 8px;font-size:12px"
_TD = "padding:2px 8px;border-bottom:1px solid #e3e3de;text-align:left"


def _colour(v: float, scale: float) -> str:
    if not np.isfinite(v):
        return "#e6e6e6"
    t = min(1.0, abs(float(v)) / (scale or 1.0))
    c = POS if v >= 0 else NEG
    return "#%02x%02x%02x" % tuple(round(255 + (ci - 255) * t) for ci in c)


def _num(v, digits: int = 4) -> str:
    v = float(v)
    if not math.isfinite(v):
        return "–"
    return f"{v:.{digits}g}"


def _table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th style='{_TD};font-weight:600'>{h}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td style='{_TD}'>{c}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table style='{_TABLE}'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _cells(values: np.ndarray, names: list[str] | None = None, scale: float = 1.0, size: int = 12) -> str:
    """A row of coloured squares, one per value; the exact value on hover."""
    out = []
    for i, v in enumerate(np.asarray(values, dtype=float).ravel()):
        label = f"{names[i]}: " if names else ""
        out.append(f"<span title='{escape(label)}{_num(v, 6)}' style='display:inline-block;width:{size}px;"
                   f"height:{size}px;margin:0 1px;border:1px solid #bbb;background:{_colour(v, scale)}'></span>")
    return "".join(out)


def hinton_svg(w: np.ndarray, cell: int | None = None, row_names=None, col_names=None) -> str:
    """A Hinton diagram of a weight matrix (n_from, n_to): area = magnitude, white +, black -."""
    w = np.asarray(w, dtype=float)
    rows, cols = w.shape
    cell = cell or max(4, min(18, 240 // max(rows, cols, 1)))
    big = float(np.nanmax(np.abs(w))) if w.size and np.isfinite(w).any() else 0.0
    W, H = cols * cell, rows * cell
    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{W}' height='{H}' viewBox='0 0 {W} {H}'>",
             f"<rect width='{W}' height='{H}' fill='#8a8a8a'/>"]
    for i in range(rows):
        for j in range(cols):
            v = w[i, j]
            if not np.isfinite(v) or big == 0:
                continue
            s = cell * 0.92 * math.sqrt(abs(v) / big)
            x, y = j * cell + (cell - s) / 2, i * cell + (cell - s) / 2
            tip = f"{row_names[i]} → {col_names[j]}: " if row_names and col_names else ""
            parts.append(f"<rect x='{x:.2f}' y='{y:.2f}' width='{s:.2f}' height='{s:.2f}' "
                         f"fill='{'#fff' if v >= 0 else '#000'}'><title>{escape(tip)}{_num(v, 6)}</title></rect>")
    parts.append("</svg>")
    return "".join(parts)


# ---------------------------------------------------------------- networks
def network_html(net) -> str:
    """A network: its groups drawn in layers (inputs at the bottom), groups and link blocks as tables,
    and a Hinton diagram of each block's weights."""
    from pdpsim.viewer.session import _layers
    ens = getattr(net, "ensemble", None)
    layers = _layers(net)
    have_state = not ens and all(g.output.ndim == 2 and g.output.shape[0] > 0 for g in net.groups.values())
    rows_html = []
    for depth in sorted(set(layers.values()), reverse=True):
        boxes = []
        for g in net.groups.values():
            if layers.get(g.name) != depth:
                continue
            vals = g.output[0] if have_state else np.full(g.size, np.nan)
            shown = _cells(vals[:64], g.unit_names[:64], max(1.0, float(np.nanmax(np.abs(vals))) if have_state
                                                              and np.isfinite(vals).any() else 1.0))
            more = f" <span style='color:#888'>+{g.size - 64}</span>" if g.size > 64 else ""
            boxes.append(f"<div style='display:inline-block;border:1px solid #ccc;border-radius:4px;padding:3px 6px;"
                         f"margin:3px 8px;background:#fafaf8;vertical-align:bottom'><b>{escape(g.name)}</b> "
                         f"<span style='color:#777'>{escape(g.kind.lower())} · {g.size}</span><br>{shown}{more}</div>")
        rows_html.append(f"<div style='text-align:center'>{''.join(boxes)}</div>")
    note = ("unit colours: outputs of the first example of the last pass (red +, blue −)" if have_state
            else "unit colours appear after a forward pass")
    time = getattr(net, "time", None)
    kind = "feed-forward" if time is None else ("simple recurrent" if time.mode == "srn" else
                                               f"in time ({time.ticks_per_interval} ticks per interval)")
    head = (f"<div style='font-size:14px'><b>Network '{escape(net.name)}'</b> · {kind} · {len(net.groups)} groups, "
            f"{len(net.blocks)} link blocks, {net.n_links} links" + (f", ensemble of {ens}" if ens else "") + "</div>")
    groups = _table(["group", "kind", "units", "activation", "error", "integration"],
                    [[escape(g.name), g.kind, str(g.size), escape(g.function.name),
                      escape(g.error.name) if g.error else "", g.integration or ""] for g in net.groups.values()])
    brows = []
    for b in net.blocks:
        w = b.weights
        stats = f"{_num(w.min())} / {_num(w.mean())} / {_num(w.max())}" if w.size else ""
        pic = ""
        if not ens and w.size <= HINTON_MAX_LINKS:
            pic = hinton_svg(w, row_names=b.source.unit_names, col_names=b.dest.unit_names)
        brows.append([escape(b.name), f"{w.shape[-2]} × {w.shape[-1]}", stats, "frozen" if b.frozen else "", pic])
    blocks = _table(["link block", "from × to", "min / mean / max weight", "", "weights (white +, black −)"], brows)
    return (f"<div style=\"{_STYLE}\">{head}<div style='margin:6px 0'>{''.join(rows_html)}</div>"
            f"<div style='color:#888;font-size:11px'>{note}</div>{groups}{blocks}</div>")


# ---------------------------------------------------------------- example sets
def examples_html(xs, max_rows: int = 20) -> str:
    """An example set as a table: each example's inputs and targets as coloured cells (first event)."""
    n = len(xs)
    groups = [("in", g, a) for g, a in xs.inputs.items()] + [("target", g, a) for g, a in xs.targets.items()]
    allv = [a[np.isfinite(a)] for _, _, a in groups]
    scale = max([1.0] + [float(np.abs(v).max()) for v in allv if v.size])
    freq = not np.allclose(xs.frequencies, 1.0)
    multi = xs.max_events > 1
    header = ["example"] + (["freq"] if freq else []) + (["events"] if multi else []) + \
             [f"{k} {escape(g)}" for k, g, _ in groups]
    rows = []
    for i in range(min(n, max_rows)):
        r = [escape(xs.names[i])]
        if freq:
            r.append(_num(xs.frequencies[i]))
        if multi:
            r.append(str(int(xs.n_events[i])))
        r += [_cells(a[i, 0][:64], scale=scale, size=11) for _, _, a in groups]
        rows.append(r)
    more = f"<div style='color:#888'>… {n - max_rows} more examples</div>" if n > max_rows else ""
    note = " (first event of each)" if multi else ""
    head = (f"<div style='font-size:14px'><b>Example set '{escape(xs.name)}'</b> · {n} examples"
            f"{', up to ' + str(xs.max_events) + ' events each' if multi else ''}{note}</div>")
    return f"<div style=\"{_STYLE}\">{head}{_table(header, rows)}{more}</div>"


# ---------------------------------------------------------------- training results
def error_curve_svg(epochs, errors, width: int = 360, height: int = 160, log: bool = False) -> str:
    """An error curve as inline SVG."""
    e = np.asarray(epochs, dtype=float)
    y = np.asarray(errors, dtype=float)
    ok = np.isfinite(y) & (y > 0 if log else True)
    e, y = e[ok], y[ok]
    L, R, T, B = 50, 8, 8, 22
    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
             f"viewBox='0 0 {width} {height}' style='background:#fbfbf9'>",
             f"<line x1='{L}' y1='{height - B}' x2='{width - R}' y2='{height - B}' stroke='#999'/>",
             f"<line x1='{L}' y1='{T}' x2='{L}' y2='{height - B}' stroke='#999'/>"]
    if len(y):
        if len(y) > 2000:
            keep = np.unique(np.r_[np.linspace(0, len(y) - 1, 2000).astype(int)])
            e, y = e[keep], y[keep]
        ty = np.log10(y) if log else y
        lo = float(ty.min()) if log else min(0.0, float(ty.min()))
        hi = float(ty.max())
        hi = hi if hi > lo else lo + 1.0
        e0, e1 = float(e[0]), float(max(e[-1], e[0] + 1))
        xs = L + (width - L - R) * (e - e0) / (e1 - e0)
        ys = T + (height - T - B) * (1 - (ty - lo) / (hi - lo))
        pts = " ".join(f"{a:.1f},{b:.1f}" for a, b in zip(xs, ys, strict=True))
        top = 10 ** hi if log else hi
        bottom = 10 ** lo if log else lo
        parts += [f"<polyline points='{pts}' fill='none' stroke='#2f6f4f' stroke-width='1.6'/>",
                  f"<text x='{L - 4}' y='{T + 8}' font-size='10' text-anchor='end' fill='#555'>{_num(top, 3)}</text>",
                  f"<text x='{L - 4}' y='{height - B}' font-size='10' text-anchor='end' fill='#555'>"
                  f"{_num(bottom, 3)}</text>",
                  f"<text x='{L}' y='{height - 6}' font-size='10' fill='#555'>{int(e0)}</text>",
                  f"<text x='{width - R}' y='{height - 6}' font-size='10' text-anchor='end' fill='#555'>"
                  f"{int(e[-1])}</text>",
                  f"<text x='{(L + width - R) / 2}' y='{height - 6}' font-size='10' text-anchor='middle' "
                  f"fill='#555'>epoch</text>"]
    parts.append("</svg>")
    return "".join(parts)


def training_result_html(result) -> str:
    """A training result: how it stopped, the final error, the error curve."""
    p = result.params
    summary = (f"<b>Training</b> · {result.n_epochs} epochs · final error {_num(result.final_error, 6)} · "
               f"stopped by {escape(result.stopped)}" + (" (converged)" if result.converged else ""))
    params = (f"{escape(p.rule)}, {escape(p.algorithm)}, learning rate {_num(p.learning_rate)}"
              + (f", momentum {_num(p.momentum)}" if p.algorithm != "steepest" else "")
              + (f", batch size {p.batch_size}" if p.batch_size else ", whole set per update")
              + f", {escape(p.order)} order")
    log = len(result.errors) > 1 and np.all(np.asarray(result.errors)[np.isfinite(result.errors)] > 0) and \
        float(np.nanmax(result.errors)) > 100 * max(float(np.nanmin(result.errors)), 1e-300)
    curve = error_curve_svg(result.epochs, result.errors, log=bool(log))
    scale = " (log scale)" if log else ""
    return (f"<div style=\"{_STYLE}\"><div style='font-size:14px'>{summary}</div>"
            f"<div style='color:#666;font-size:12px'>{params}</div>"
            f"<div style='margin-top:4px'>{curve}</div><div style='color:#888;font-size:11px'>total error per epoch"
            f"{scale}</div></div>")


# ---------------------------------------------------------------- attaching
def install() -> None:
    """Register these displays for Network, ExampleSet and TrainingResult (done on import)."""
    register_html("Network", network_html)
    register_html("ExampleSet", examples_html)
    register_html("TrainingResult", training_result_html)


install()
