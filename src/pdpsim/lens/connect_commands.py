"""The Lens shell's connection commands: ``connectGroups`` and ``elmanConnect``.

:class:`ConnectCommands` makes link blocks between groups (FULL, RANDOM and ONE_TO_ONE
projections, weights drawn in Lens's order) and joins an ELMAN group to its source.
"""
from __future__ import annotations

import math

import numpy as np

from .commands import Commands, _opt
from .functions import NAN, LensError, NeedsTime, choose
from .model import LensBlock, LensGroup

_PROJECTIONS = ("FULL", "RANDOM", "FIXED_IN", "FIXED_OUT", "FAIR", "FAN", "ONE_TO_ONE")


class ConnectCommands(Commands):
    """Lens's commands that connect groups."""

    # ------------------------------------------------------------------ connections
    def c_connectGroups(self, *args):
        usage = ("connectGroups <group-list1> (<group-list>)* [-projection <proj-type> |\n"
                 "\t-strength <strength> | -mean <mean> | -range <range> |\n\t-type <link-type> | -bidirectional]")
        net = self._need_net("connectGroups")
        if len(args) < 2:
            raise self._usage("connectGroups", usage)
        a = 0
        while a < len(args) and self._is_group_list(args[a]):
            a += 1
        if a < 2:
            if args and not args[0].startswith("-") and not self._is_group_list(args[0]):
                raise LensError(f'connectGroups: group "{self.tcl.splitlist(args[0])[0] if args[0] else ""}" '
                                "doesn't exist")
            if len(args) > 1 and not args[1].startswith("-"):
                raise LensError(f'connectGroups: group "{args[1]}" doesn\'t exist')
            raise self._usage("connectGroups", usage)
        lists = args[:a]
        proj, strength, mean, range_, ltype, bidir = "FULL", 1.0, NAN, NAN, None, False
        while a < len(args) and args[a].startswith("-"):
            o = _opt(args[a])
            if o == "b":
                bidir = True
                a += 1
                continue
            if o not in ("p", "s", "m", "r", "t") or a + 1 >= len(args):
                raise self._usage("connectGroups", usage)
            v = args[a + 1]
            if o == "p":
                if v not in _PROJECTIONS:
                    raise LensError(f"connectGroups: bad projection type: {v}")
                proj = v
            elif o == "s":
                strength = self._real(v, "connectGroups -strength")
                if not 0.0 < strength <= 1.0:
                    raise LensError(f"connectGroups: strength value ({strength:f}) must be in the range (0,1]")
            elif o == "m":
                mean = self._real(v, "connectGroups -mean")
            elif o == "r":
                range_ = self._real(v, "connectGroups -range")
                if range_ < 0:
                    raise LensError("connectGroups: range must be positive")
            else:
                ltype = v
            a += 2
        if a != len(args):
            raise self._usage("connectGroups", usage)
        if proj in ("FIXED_IN", "FIXED_OUT", "FAIR", "FAN"):
            raise LensError(f"connectGroups: the projection {proj} is not implemented in pdpsim "
                            "(FULL, RANDOM, ONE_TO_ONE are)")
        if proj == "ONE_TO_ONE":
            mean = 1.0 if math.isnan(mean) else mean
            range_ = 0.0 if math.isnan(range_) else range_
        pairs = []
        for k in range(1, len(lists)):
            for h in self._group_list(lists[k - 1], "connectGroups"):
                for g in self._group_list(lists[k], "connectGroups"):
                    pairs.append((h, g))
        if bidir and "CONTINUOUS" not in net.types:
            for h, g in pairs:
                net.bidirectional.append((h.name, g.name))
            h, g = pairs[0]
            raise NeedsTime(f"connectGroups -bidirectional ({h.name} <-> {g.name}, a recurrent network)")
        for h, g in pairs:
            self._connect(h, g, proj, strength, range_, mean, ltype or h.name)
            if bidir:
                self._connect(g, h, proj, strength, range_, mean, ltype or g.name)
        return ""

    def _reaches(self, start: LensGroup, goal: LensGroup) -> bool:
        """Does ``start`` send links (directly or not) to ``goal``?"""
        seen, todo = set(), [start]
        while todo:
            g = todo.pop()
            if g is goal:
                return True
            if g.name in seen:
                continue
            seen.add(g.name)
            todo += [h for h in self.net.groups.values() for b in h.blocks if b.source is g]
        return False

    def _connect(self, pre: LensGroup, post: LensGroup, proj: str, strength: float, range_: float,
                 mean: float, link_type: str) -> LensBlock:
        net = self.net
        if post.kind in ("INPUT", "BIAS", "ELMAN"):
            raise LensError(f"connectGroups: links into the {post.kind} group '{post.name}' are not implemented "
                            "in pdpsim (its units are clamped)")
        if "CONTINUOUS" not in net.types and (pre is post or self._reaches(post, pre)):
            net.bidirectional.append((pre.name, post.name))
            raise NeedsTime(f"connectGroups {pre.name} {post.name}: a connection that closes a cycle "
                            "(a recurrent network)")
        for b in post.blocks:
            if b.source is pre:
                raise LensError(f"connectGroups: {pre.name} is already connected to {post.name} (pdpsim keeps one "
                                "link block per pair of groups)")
        n_from, n_to = pre.size, post.size
        w = np.zeros((n_from, n_to))
        mask = None
        frozen = np.zeros(n_to, dtype=bool)
        p = net.params
        gm = choose(post.params["randMean"], p["randMean"])
        gr = choose(post.params["randRange"], p["randRange"])
        m = choose(mean, gm)
        r = choose(range_, gr)
        rand = self.rand
        if proj == "FULL":
            for j in range(n_to):
                for i in range(n_from):
                    w[i, j] = rand.rand_real(m, r)
        elif proj == "RANDOM":
            mask = np.zeros((n_from, n_to), dtype=bool)
            for i in range(n_from):
                for j in range(n_to):
                    if rand.rand_prob() < strength:
                        mask[i, j] = True
                        w[i, j] = rand.rand_real(m, r)
        else:  # ONE_TO_ONE, frozen
            mask = np.zeros((n_from, n_to), dtype=bool)
            for i in range(min(n_from, n_to)):
                mask[i, i] = True
                w[i, i] = rand.rand_real(m, r)
                frozen[i] = True
        block = net.net.connect(pre.name, post.name, weights=w)
        lb = LensBlock(block, pre, link_type, mask, frozen)
        lb.params["randMean"][:] = mean
        lb.params["randRange"][:] = range_
        post.blocks.append(lb)
        if proj != "ONE_TO_ONE":
            post.frozen = False
            net.frozen = False
        return lb

    def c_elmanConnect(self, *args):
        usage = "elmanConnect <source-group> <context-group>\n\t[-reset <reset-on-example> | -initOutput <init-output>]"
        if len(args) < 2:
            raise self._usage("elmanConnect", usage)
        net = self._need_net("elmanConnect")
        if "CONTINUOUS" in net.types:
            raise NeedsTime("elmanConnect (Elman context groups) on a CONTINUOUS network")
        for g in args[:2]:
            if g not in net.groups:
                raise LensError(f'elmanConnect: group "{g}" doesn\'t exist')
        source, context = net.groups[args[0]], net.groups[args[1]]
        a = 2
        while a < len(args) and args[a].startswith("-"):
            o = _opt(args[a])
            if o not in ("r", "i") or a + 1 >= len(args):
                raise self._usage("elmanConnect", usage)
            if o == "r":
                if self._int(args[a + 1], "elmanConnect -reset"):
                    source.flags.add("RESET_ON_EXAMPLE")
                else:
                    source.flags.discard("RESET_ON_EXAMPLE")
            else:
                source.params["initOutput"] = self._real(args[a + 1], "elmanConnect -initOutput")
            a += 2
        if a != len(args):
            raise self._usage("elmanConnect", usage)
        self._elman_connect(source, context)
        return ""

    def _elman_connect(self, source: LensGroup, context: LensGroup) -> None:
        if context.kind != "ELMAN":
            raise LensError(f'Group "{context.name}" has no ELMAN_CLAMP output procedures.')
        if context.elman_source is not None:
            raise LensError(f'Group "{context.name}" has no empty ELMAN_CLAMP slots.')
        if source.size != context.size:
            raise LensError(f'elmanConnect {source.name} {context.name}: groups of different sizes ({source.size} '
                            f'and {context.size} units) are not implemented in pdpsim')
        context.elman_source = source.name
        context.params["initOutput"] = source.params["initOutput"]
