"""Lens's KOHONEN groups (self-organizing maps) in the Lens shell.

A KOHONEN group (``addGroup map 64 DISTANCE KOHONEN``) computes its net inputs with DISTANCE
(:mod:`pdpsim.lens.procs`) and its outputs with the KOHONEN procedure here, in Lens's unit
loops (:mod:`pdpsim.lens.steps`, :mod:`pdpsim.lens.ticks`): the unit of least input wins, the
units within the group's ``neighborhood`` of it on a grid of ``numColumns`` columns (a torus
with ``periodicBoundary``) output 1 - n / max(n), the others 0; going back, every unit in the
neighbourhood gets the input derivative 1, so the DISTANCE links move its weights toward the
input when the weights are updated (the formulas: :mod:`pdpsim.learning.kohonen`).

The group fields ``neighborhood`` (Lens's default 4) and ``periodicBoundary`` (0) are kept
here (:func:`settings`) and read by ``getObj`` / ``setObj``; ``numColumns`` is the group's
display setting (Lens's default 0, with which Lens divides by zero: pdpsim stops instead).
"""
from __future__ import annotations

from pdpsim.learning.kohonen import kohonen_input_deriv, kohonen_output
from pdpsim.lens.functions import LensError

#: Lens's defaults for a group's Kohonen fields (DEF_G_neighborhood, DEF_G_periodicBoundary)
DEFAULTS = {"neighborhood": 4.0, "periodicBoundary": 0}
FIELDS = tuple(DEFAULTS)


def settings(g) -> dict:
    """Group ``g``'s Kohonen fields (made with Lens's defaults on first use)."""
    d = getattr(g, "kohonen", None)
    if d is None:
        d = g.kohonen = dict(DEFAULTS)
    return d


def field(g, name: str):
    """(kind, getter, setter) of the group field ``name`` (``neighborhood`` a real,
    ``periodicBoundary`` a flag), for :mod:`pdpsim.lens.objects`."""
    d = settings(g)
    kind = "real" if name == "neighborhood" else "flag"

    def setter(v):
        d[name] = float(v) if kind == "real" else int(v)
    return kind, (lambda: d[name]), setter


def _columns(g) -> int:
    from pdpsim.lens.objects import group_display        # (the display settings hold numColumns)
    cols = int(group_display(g).get("numColumns", 0))
    if cols <= 0:
        raise LensError(f"group '{g.name}': a KOHONEN group needs numColumns > 0 (Lens divides by it: with "
                        f"{cols} it would crash)")
    return cols


def output_forward(u) -> None:
    """Lens's kohonenOutput on the group run ``u`` (:class:`pdpsim.lens.ticks._Unit`)."""
    g, s, k = u.g, u.s, u.k
    d = settings(g)
    a = kohonen_output(s["input"], _columns(g), float(d["neighborhood"]), bool(d["periodicBoundary"]), live=k)
    s["output"][k] = a[k]


def output_back(u) -> None:
    """Lens's kohonenOutputBack: the input derivative 1 where the output is positive, else 0."""
    s, k = u.s, u.k
    s["inputDeriv"][k] = kohonen_input_deriv(s["output"])[k]


def loops(g) -> bool:
    """Whether group ``g`` needs Lens's unit loops for a Kohonen reason: a KOHONEN procedure, or an
    OUTPUT group without an error (as kohonen.in's ``junk``; only the unit loops run it)."""
    return "KOHONEN" in g.out_procs or (g.kind == "OUTPUT" and not g.error)

