"""The Lens shell's connection commands: ``connectGroups``, ``elmanConnect``, ``connectUnits``
and ``disconnectGroups``.

:class:`ConnectCommands` makes link blocks between groups (FULL, RANDOM and ONE_TO_ONE
projections, weights drawn in Lens's order), joins an ELMAN group to its source, adds single
links between units (a link block of the two groups whose mask holds the links made) and
removes the links between two groups.
"""
from __future__ import annotations

import math

import numpy as np

from pdpsim.lens.commands import Commands
from pdpsim.lens.functions import NAN, LensError, NeedsTime, choose
from pdpsim.lens.model import BLOCK_PARAMS, LensBlock, LensGroup

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
        opts, _ = self._options("connectGroups", usage, args, a, flags=("b",), valued={
            "p": _projection,
            "s": lambda v: self._proportion(v, "connectGroups -strength", "connectGroups: strength value"),
            **self._weight_options("connectGroups")})
        proj, strength, bidir = opts.get("p", "FULL"), opts.get("s", 1.0), opts.get("b", False)
        mean, range_, ltype = opts.get("m", NAN), opts.get("r", NAN), opts.get("t")
        if proj == "ONE_TO_ONE":
            mean = 1.0 if math.isnan(mean) else mean
            range_ = 0.0 if math.isnan(range_) else range_
        pairs = []
        for k in range(1, len(lists)):
            for h in self._group_list(lists[k - 1], "connectGroups"):
                for g in self._group_list(lists[k], "connectGroups"):
                    pairs.append((h, g))
        if bidir and "CONTINUOUS" not in net.types and "BOLTZMANN" not in net.types:   # (BOLTZMANN: pdpsim.lens.boltzmann)
            for h, g in pairs:
                net.bidirectional.append((h.name, g.name))
            h, g = pairs[0]
            raise NeedsTime(f"connectGroups -bidirectional ({h.name} <-> {g.name}, a recurrent network)")
        for h, g in pairs:
            self._connect(h, g, proj, strength, range_, mean, ltype or h.name)
            if bidir:
                self._connect(g, h, proj, strength, range_, mean, ltype or g.name)
        return ""

    def _weight_options(self, cmd: str) -> dict:
        """The options of connectGroups and connectUnits that set the links' weights and type:
        ``-mean``, ``-range`` (not negative) and ``-type``."""
        def range_(v):
            r = self._real(v, f"{cmd} -range")
            if r < 0:
                raise LensError(f"{cmd}: range must be positive")
            return r

        return {"m": lambda v: self._real(v, f"{cmd} -mean"), "r": range_, "t": str}

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
        if post.kind in ("INPUT", "BIAS", "ELMAN") and not _receives_links(net, post):
            raise LensError(f"connectGroups: links into the {post.kind} group '{post.name}' are not implemented "
                            "in pdpsim (its units are clamped)")
        # a connection that closes a cycle on a network not CONTINUOUS: as in Lens's SRBPTT networks, a
        # link from a group not yet computed in a tick reads that group's output of the tick before
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
        elif proj != "ONE_TO_ONE":                  # FIXED_IN, FIXED_OUT, FAIR, FAN
            mask = np.zeros((n_from, n_to), dtype=bool)
            for i, j in projection_links(proj, n_from, n_to, strength, rand):
                if mask[i, j]:
                    raise LensError(f"connectUnits: {pre.name}:{i} is already connected to {post.name}:{j} with a "
                                    f'link of type "{link_type}"')
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

        def reset(v):
            if self._int(v, "elmanConnect -reset"):
                source.flags.add("RESET_ON_EXAMPLE")
            else:
                source.flags.discard("RESET_ON_EXAMPLE")

        def init_output(v):
            source.params["initOutput"] = self._real(v, "elmanConnect -initOutput")

        self._options("elmanConnect", usage, args, 2, valued={"r": reset, "i": init_output})
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

    # ------------------------------------------------------------------ unit by unit
    def _is_unit_list(self, text: str) -> bool:
        """Lens's isUnitList: ``*``, or a list whose first name is a unit."""
        if text == "*":
            return True
        name = self._first_name(text)
        return name is not None and self.objects._unit_by_name(name) is not None

    def c_connectUnits(self, *args):
        usage = "connectUnits <unit-list1> (<unit-list>)* [-mean <mean>\n\t| -range <range> | -type <link-type>]"
        net = self._need_net("connectUnits")
        if len(args) < 2:
            raise self._usage("connectUnits", usage)
        a = 0
        while a < len(args) and self._is_unit_list(args[a]):
            a += 1
        if a < 2:
            raise self._usage("connectUnits", usage)
        lists = args[:a]
        opts, _ = self._options("connectUnits", usage, args, a, flags=("b",),
                                valued=self._weight_options("connectUnits"))
        mean, range_, ltype, bidir = opts.get("m", NAN), opts.get("r", NAN), opts.get("t"), opts.get("b", False)
        for k in range(1, len(lists)):
            for h, i in self._unit_list(lists[k - 1], "connectUnits"):
                if ltype is None:
                    ltype = h.name          # as in Lens: the first sending unit's group names the type
                for g, j in self._unit_list(lists[k], "connectUnits"):
                    self._connect_unit(net, h, i, g, j, ltype, mean, range_)
                    if bidir:
                        self._connect_unit(net, g, j, h, i, ltype, mean, range_)
        return ""

    def _connect_unit(self, net, pre: LensGroup, i: int, post: LensGroup, j: int, ltype: str, mean: float,
                      range_: float) -> None:
        """Lens's connectUnits: one link from unit i of ``pre`` to unit j of ``post``, its weight
        drawn from mean/range given, else the group's, else the network's; the receiving unit's
        block values start again from Lens's defaults and its links of the type are thawed."""
        where = f"connectUnits {pre.name}:{i} {post.name}:{j}"
        b = next((b for b in post.blocks if b.source is pre), None)
        if b is not None and b.link_type != ltype:
            raise LensError(f"{where}: a second connection from {pre.name} to {post.name} (link type {ltype}, the "
                            f"existing one is {b.link_type}) is not implemented in pdpsim")
        same = [x for x in post.blocks if x.link_type == ltype and x.source is not pre]
        if same and b is None and not (post.blocks[-1].link_type == ltype and
                                       all(_serial(x.source) < _serial(pre) for x in same)):
            # Lens puts a unit's links of one type from several groups in the order of the groups'
            # unit arrays in memory: the order they were made in, when each new one comes last
            raise LensError(f"{where}: links of type {ltype} from two groups into {post.name} (Lens orders them by "
                            "memory address) are not implemented in pdpsim, unless each new sending group was "
                            "made after the others and its links come last")

        if b is None:
            if post.kind in ("INPUT", "BIAS", "ELMAN") and not _receives_links(net, post):
                raise LensError(f"{where}: links into the {post.kind} group '{post.name}' are not implemented in "
                                "pdpsim (its units are clamped)")
            block = net.net.connect(pre.name, post.name, weights=np.zeros((pre.size, post.size)))
            b = LensBlock(block, pre, ltype, np.zeros((pre.size, post.size), dtype=bool))
            post.blocks.append(b)
        else:
            if b.mask is None or b.mask[i, j]:
                raise LensError(f'connectUnits: {pre.name}:{i} is already connected to {post.name}:{j} with a link '
                                f'of type "{ltype}"')
            later = post.blocks[post.blocks.index(b) + 1:]
            if not b.mask[:, j].any() and any(len(x.senders(j)) for x in later):
                raise LensError(f"{where}: the unit's links would come in another order than Lens's (its links "
                                f"from {pre.name} after those of later connections); not implemented in pdpsim")
        for p in BLOCK_PARAMS:
            b.params[p][j] = NAN
        b.params["randMean"][j] = mean
        b.params["randRange"][j] = range_
        p = net.params
        m = choose(mean, post.params["randMean"], p["randMean"])
        r = choose(range_, post.params["randRange"], p["randRange"])
        lb = b.block
        b.mask[i, j] = True
        lb.weights[i, j] = self.rand.rand_real(m, r)
        lb.weight_deriv[i, j] = lb.last_change[i, j] = 0.0
        b.rate_factor[i, j] = 1.0
        net.frozen = post.frozen = False
        for x in post.blocks:
            if x.link_type == ltype:
                x.frozen[j] = False

    def c_disconnectGroups(self, *args):
        usage = "disconnectGroups <group1> <group2> [-type <link-type>]"
        net = self._need_net("disconnectGroups")
        if len(args) not in (2, 4):
            raise self._usage("disconnectGroups", usage)
        for name in args[:2]:
            if name not in net.groups:
                raise LensError(f'disconnectGroups: group "{name}" doesn\'t exist')
        pre, post = net.groups[args[0]], net.groups[args[1]]
        ltype = None
        if len(args) == 4:
            if not (len(args[2]) >= 2 and "-type".startswith(args[2])):
                raise self._usage("disconnectGroups", usage)
            if args[3] not in {b.link_type for _g, b in net.all_blocks()}:
                raise LensError(f'disconnectGroups: link type "{args[3]}" doesn\'t exist')
            ltype = args[3]
        for b in [b for b in post.blocks if b.source is pre and (ltype is None or b.link_type == ltype)]:
            remove_block(net, post, b)
        if ltype is None and post.kind == "ELMAN" and post.elman_source == pre.name:
            post.elman_source = None
        net.bidirectional = [(x, y) for x, y in net.bidirectional if (x, y) != (pre.name, post.name)]
        return ""


def _projection(name: str) -> str:
    """A projection type of connectGroups ``-projection``."""
    if name not in _PROJECTIONS:
        raise LensError(f"connectGroups: bad projection type: {name}")
    return name


def rand_sort(values: list, n: int, rand, start: int = 0) -> None:
    """Lens's randSort on ``values[start:start + n]`` (in place): each place swapped with a later one
    drawn by ``randInt``."""
    for i in range(n - 1):
        j = rand.rand_int(n - i)
        a, b = start + i, start + i + j
        values[a], values[b] = values[b], values[a]


def projection_links(proj: str, n_from: int, n_to: int, strength: float, rand):
    """The links (sending unit, receiving unit) of Lens's FIXED_IN, FIXED_OUT, FAIR and FAN
    projections, in the order Lens makes them (each link's weight is drawn as it is made):

    * FIXED_IN: each receiving unit gets floor(n_from x strength) links, from the first senders of a
      permutation drawn again for each receiver;
    * FIXED_OUT: each sending unit sends floor(n_to x strength) links, to the first receivers of a
      permutation drawn for each sender;
    * FAIR: each receiver (in a drawn order) takes the next n = floor(n_from x strength) senders of a
      drawn permutation, which is drawn again in two parts (those this receiver took, the others)
      when it runs out, so senders send as evenly as they can and no pair is linked twice;
    * FAN: each sender i links to the n = floor(n_to x strength) receivers around i n_to / n_from
      (wrapping around).
    """
    if proj == "FIXED_IN":
        k = int(n_from * strength)
        order = list(range(n_from))
        for j in range(n_to):
            rand_sort(order, n_from, rand)
            for v in range(k):
                yield order[v], j
    elif proj == "FIXED_OUT":
        k = int(n_to * strength)
        order = list(range(n_to))
        for i in range(n_from):
            rand_sort(order, n_to, rand)
            for v in range(k):
                yield i, order[v]
    elif proj == "FAIR":
        n = int(n_from * strength)
        post = list(range(n_to))
        rand_sort(post, n_to, rand)
        pre = list(range(n_from))
        rand_sort(pre, n_from, rand)
        i = 0
        for j in range(n_to):
            s = i
            for _k in range(n):
                if i == n_from:
                    rand_sort(pre, s, rand)
                    rand_sort(pre, n_from - s, rand, start=s)
                    i = 0
                yield pre[i], post[j]
                i += 1
    elif proj == "FAN":
        n = int(n_to * strength)
        for i in range(n_from):
            start = (i * n_to) // n_from - n // 2
            for j in range(start, start + n):
                yield i, (j + n_to) % n_to if j < 0 else j % n_to
    else:  # pragma: no cover - guarded by connectGroups
        raise LensError(f"connectGroups: bad projection type: {proj}")


def _serial(g: LensGroup) -> int:
    """The order in which the group was made (addGroup / addNet)."""
    return getattr(g, "serial", 0)


def _receives_links(net, g: LensGroup) -> bool:
    """Whether pdpsim runs links into ``g``: an INPUT group of a CONTINUOUS network with a net
    input (DOT_PRODUCT), whose external input SOFT_CLAMP or INCR_CLAMP adds to it (Lens's unit
    loops, :mod:`pdpsim.lens.ticks`)."""
    return g.kind == "INPUT" and (("CONTINUOUS" in net.types and "DOT_PRODUCT" in g.in_procs)
                                  or "BOLTZMANN" in net.types)          # (pdpsim.lens.boltzmann)


def remove_block(net, post: LensGroup, b: LensBlock) -> None:
    """Remove the link block ``b`` into group ``post`` (its links are gone)."""
    post.blocks.remove(b)
    net.net.disconnect(b.block)
