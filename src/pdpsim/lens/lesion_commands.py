"""The Lens shell's lesion and noise commands: ``lesionLinks``, ``lesionUnits``, ``healUnits``,
``noiseType``.

:class:`LesionCommands` draws what it lesions from Lens's generator in Lens's order, so with
the same ``seed`` the same links and units are hit:

* ``lesionLinks <group-list> [-proportion p] [-value v | -range r [-multiply] [-flat] [-discard]]
  [-type t]`` goes through the links into each unit of the groups (every unit, in order; each
  unit's links in Lens's order, bias first), one ``randProb`` a link of the type; a link drawn
  below the proportion (1 by default: every link, still one draw each) is deleted, or set to
  the value, or gets noise (Gaussian or with -flat uniform, added or with -multiply multiplied;
  with -discard the weight is replaced by noise around 0);
* ``lesionUnits <group-list> <proportion>`` draws once for each unit not yet lesioned;
  ``lesionUnits <unit-list>`` lesions the units named;
* ``healUnits`` heals every lesioned unit; ``healUnits <unit-list>`` the units named.
  ``healUnits <group-list> <proportion>`` and ``healUnits *`` are Lens's too, and as in Lens
  they heal nothing (they visit only units that are not lesioned, drawing once for each);
* ``noiseType <group-list> [-range r | -multiply | -flat]`` chooses a group's noise procedure
  and range.

A deleted link is gone (pdpsim: its weight is 0 under the block's link mask, as links of a
RANDOM projection); a lesioned unit is skipped by Lens's unit loops (see
:mod:`pdpsim.lens.damage`).
"""
from __future__ import annotations

import numpy as np

from pdpsim.lens.commands import Commands


class LesionCommands(Commands):
    """Lens's commands that lesion links and units, heal units, and choose a group's noise."""

    # ------------------------------------------------------------------ links
    def c_lesionLinks(self, *args):
        usage = ("lesionLinks <group-list> [-proportion <proportion> |\n"
                 "\t-value <value> | -range <range> | -multiply | -flat | -discard\n\t-type <link-type>]")
        if len(args) < 1:
            raise self._usage("lesionLinks", usage)
        self._need_net("lesionLinks")
        opts, _ = self._options("lesionLinks", usage, args, 1, flags=("m", "f", "d"), valued={
            "p": lambda v: self._proportion(v, "lesionLinks -proportion", "lesionLinks: link proportion"),
            "v": lambda v: self._real(v, "lesionLinks -value"),
            "r": lambda v: self._real(v, "lesionLinks -range"),
            "t": lambda v: self._known_link_type("lesionLinks", v)})
        proportion, value, range_, ltype = opts.get("p", 1.0), opts.get("v"), opts.get("r"), opts.get("t")
        mult, flat, discard = opts.get("m", False), opts.get("f", False), opts.get("d", False)
        if range_ is not None and range_ != range_:
            range_ = None
        if value is not None and value != value:
            value = None
        if range_ is not None:
            proc = ("addUniform" if flat else "addGaussian") if discard else \
                (("multUniform" if mult else "addUniform") if flat else ("multGaussian" if mult else "addGaussian"))
        rand = self.rand
        split = False
        for g in self._group_list(args[0], "lesionLinks"):
            for j in range(g.size):
                for b in g.blocks:
                    if ltype is not None and b.link_type != ltype:
                        continue
                    w = b.block.weights
                    for i in b.senders(j):
                        if not rand.rand_prob() < proportion:
                            continue
                        if range_ is not None:
                            w[i, j] = rand.noise(proc, 0.0 if discard else float(w[i, j]), range_)
                        elif value is not None:
                            w[i, j] = value
                        else:
                            split |= _delete_link(b, int(i), j)
        # Lens's result: that of the Tcl hook it runs when a deletion splits a block of links in two
        return "0" if split else ""

    # ------------------------------------------------------------------ units
    def _drawn_units(self, args, cmd: str, act) -> None:
        """Lens's (<group-list> <proportion>) form: one draw for each unit that is not lesioned, in
        order, ``act(group, unit)`` on those drawn below the proportion (at once, as Lens does)."""
        p = self._proportion(args[1], cmd, f"{cmd}: proportion of units")
        for g in self._group_list(args[0], cmd):
            for j in range(g.size):
                if not g.lesioned[j] and self.rand.rand_prob() < p:
                    act(g, j)

    def c_lesionUnits(self, *args):
        if len(args) not in (1, 2):
            raise self._usage("lesionUnits", "lesionUnits (<group-list> <proportion> | <unit-list>)")
        net = self._need_net("lesionUnits")
        act = lambda g, j: net.lesion_units(g, [j])  # noqa: E731
        if len(args) == 2:
            self._drawn_units(args, "lesionUnits", act)
        else:
            for g, j in self._unit_list(args[0], "lesionUnits"):
                act(g, j)
        return ""

    def c_healUnits(self, *args):
        if len(args) > 2:
            raise self._usage("healUnits", "healUnits [(<group-list> <proportion> | <unit-list>)]")
        net = self._need_net("healUnits")
        act = lambda g, j: g.lesioned.__setitem__(j, False)  # noqa: E731
        if len(args) == 2:
            self._drawn_units(args, "healUnits", act)
            return ""
        units = self._unit_list(args[0], "healUnits") if args else \
            [(g, j) for g in net.groups.values() for j in np.flatnonzero(g.lesioned)]
        for g, j in units:
            act(g, j)
        return ""

    # ------------------------------------------------------------------ noise
    def c_noiseType(self, *args):
        usage = "noiseType <group-list> [-range <range> | -multiply | -flat]"
        if not args:
            raise self._usage("noiseType", usage)
        self._need_net("noiseType")
        opts, _ = self._options("noiseType", usage, args, 1, flags=("m", "f"),
                                valued={"r": lambda v: self._real(v, "noiseType -range")})
        range_, mult, flat = opts.get("r"), opts.get("m", False), opts.get("f", False)
        proc = ("mult" if mult else "add") + ("Uniform" if flat else "Gaussian")
        for g in self._group_list(args[0], "noiseType"):
            if range_ is not None:
                g.params["noiseRange"] = range_
            g.noise_proc = proc
        return ""


def _delete_link(b, i: int, j: int) -> bool:
    """Remove the link from sending unit i to receiving unit j (Lens's disconnectUnits); whether
    it was inside one of Lens's blocks (a run of consecutive sending units), which Lens splits."""
    lb = b.block
    if b.mask is None:
        b.mask = np.ones(lb.weights.shape, dtype=bool)
    n = lb.weights.shape[0]
    inside = 0 < i < n - 1 and bool(b.mask[i - 1, j]) and bool(b.mask[i + 1, j])
    b.mask[i, j] = False
    lb.weights[i, j] = 0.0
    lb.weight_deriv[i, j] = 0.0
    lb.last_change[i, j] = 0.0
    b.rate_factor[i, j] = 1.0
    return inside
