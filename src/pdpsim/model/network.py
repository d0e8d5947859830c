"""Networks of groups joined by link blocks, and the generalized delta rule.

Vocabulary (the lecture's and Lens's)::

    n_j      = sum_i a_i w_ij          net input        Group.net_input
    a_j      = f(n_j)                  output           Group.output
    t_j                                target           Group.target
    dE/da_j                            output derivative Group.output_deriv
    dE/dn_j  = dE/da_j f'(n_j)         input derivative Group.input_deriv
    dE/dw_ij = dE/dn_j a_i             weight derivative LinkBlock.weight_deriv
    dE/da_i  = sum_j dE/dn_j w_ij      (back to the sending group)

State arrays have shape ``([ensemble,] batch, units)``; a link block's weights
have shape ``([ensemble,] n_from, n_to)`` so that ``w[i, j]`` is w_ij and a
whole batch moves through one matrix product ``n = a @ w`` per block. With an
ensemble axis, E independent networks share every operation.

Three phases never mix: :meth:`Network.forward` fills net inputs and outputs,
:meth:`Network.backward` fills the derivatives, and only the learning rules
(:mod:`pdpsim.learning.rules`) change weights.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Iterable, Mapping

import numpy as np

from pdpsim.display import RichDisplay

from pdpsim.functions import (ErrorFunction, OutputFunction, clamp_name, effective_target, error_function,
                              integration_name, output_function)
from pdpsim import limits
from pdpsim.validation import PdpError, positive_int

GROUP_KINDS = ("BIAS", "INPUT", "HIDDEN", "OUTPUT", "CONTEXT")
#: groups whose outputs are set from outside the forward pass (examples, the bias, Elman copies)
SET_FROM_OUTSIDE = ("INPUT", "BIAS", "CONTEXT")
#: a group's state arrays, in the order :meth:`Network.allocate` keeps them
_STATE = ("net_input", "output", "target", "output_deriv", "input_deriv")
#: bound inputs with at most this share of non-zero entries go through sparse products (scipy.sparse;
#: on PMSP's orthography, 4.6% non-zero, they take 0.4 of the dense product's time; even at about 9%)
SPARSE_INPUTS = 0.06


class Group:
    """A named group of units.

    Attributes
    ----------
    net_input, output, target, output_deriv, input_deriv : ndarray ([E,] B, units)
        The state of each unit for each example of the current batch.
    """

    def __init__(self, name: str, size: int, kind: str = "HIDDEN", function: str | OutputFunction = "LOGISTIC",
                 error: str | ErrorFunction | None = None, error_scale: float | None = None,
                 target_radius: float = 0.0, zero_error_radius: float = 0.0,
                 unit_names: list[str] | None = None, integration: str | None = None,
                 clamp: str | None = None, clamp_strength: float = 0.5, init_output: float | None = None,
                 init_input: float = 0.0):
        self.name = name
        self.size = int(size)
        self.kind = kind.upper()
        if self.kind not in GROUP_KINDS:
            raise PdpError(f"group '{name}': unknown kind {kind!r}; expected one of {', '.join(GROUP_KINDS)}")
        self.function = function if isinstance(function, OutputFunction) else output_function(function, f"group '{name}'")
        if self.kind == "OUTPUT":
            if error is None:
                error = "SUM_SQUARED"
            self.error = error if isinstance(error, ErrorFunction) else error_function(error, error_scale, f"group '{name}'")
        else:
            self.error = None
        self.target_radius = float(target_radius)
        self.zero_error_radius = float(zero_error_radius)
        # ---- networks in time (pdpsim.dynamics.unfolding): how the group settles over ticks
        #: None, "OUT_INTEGR" (a <- a + dt (f(n) - a)) or "IN_INTEGR" (n <- n + dt (raw - n))
        #: (pdpsim.functions.integrators)
        self.integration = integration_name(integration, f"group '{name}'")
        clamp = clamp_name(clamp, f"group '{name}'")
        #: how external inputs act: HARD (output := input) or SOFT (output pulled toward it)
        self.clamp = clamp if clamp is not None else ("HARD" if self.kind == "INPUT" else None)
        self.clamp_strength = float(clamp_strength)
        #: output and net input at tick 0 (None: 0.5 for LOGISTIC-like groups, else 0)
        self.init_output = init_output
        self.init_input = float(init_input)
        #: Elman context groups: the group whose previous output this one copies
        self.copy_from: Group | None = None
        #: lesions: 0/1 per unit (None = intact); a lesioned unit's output is 0
        self.unit_mask: np.ndarray | None = None
        #: noise added to this group's outputs while running: standard deviation (0 = none)
        self.output_noise = 0.0
        #: history over ticks, shape (ticks + 1, [E,] B, units), filled by pdpsim.dynamics.unfolding
        self.net_input_history: np.ndarray | None = None
        self.output_history: np.ndarray | None = None
        self.unit_names = list(unit_names) if unit_names else [f"{name}:{i}" for i in range(self.size)]
        #: set by Network.set_targets: any target NaN / every target 0 or 1 or NaN (fast paths)
        self.target_has_nan = False
        self.target_binary = False
        self.incoming: list[LinkBlock] = []
        self.outgoing: list[LinkBlock] = []
        empty = np.zeros((0, self.size))
        self.net_input = self.output = self.target = self.output_deriv = self.input_deriv = empty

    @property
    def has_targets(self) -> bool:
        return self.error is not None

    def unit(self, i: int | str) -> "Unit":
        """Lens-style access: ``net.group('hidden').unit(0).output``."""
        if isinstance(i, str):
            try:
                i = self.unit_names.index(i)
            except ValueError:
                raise PdpError(f"group '{self.name}' has no unit named '{i}'") from None
        if not -self.size <= i < self.size:
            raise PdpError(f"group '{self.name}' has {self.size} units; no unit {i}")
        return Unit(self, int(i) % self.size)

    def __repr__(self) -> str:
        extra = f", error={self.error!r}" if self.error else ""
        return f"Group('{self.name}', {self.size} units, {self.kind}, {self.function.name}{extra})"


@dataclass(frozen=True)
class Unit:
    """A view of one unit of a group (values over the batch)."""

    group: Group
    index: int

    def _col(self, arr):
        return arr[..., self.index]

    @property
    def net_input(self): return self._col(self.group.net_input)
    @property
    def output(self): return self._col(self.group.output)
    @property
    def target(self): return self._col(self.group.target)
    @property
    def output_deriv(self): return self._col(self.group.output_deriv)
    @property
    def input_deriv(self): return self._col(self.group.input_deriv)

    @property
    def name(self) -> str:
        return self.group.unit_names[self.index]


class LinkBlock:
    """All links from one group to another (a projection).

    Attributes
    ----------
    weights : ndarray ([E,] n_from, n_to)     w_ij, i in the sending group, j in the receiving one
    weight_deriv : ndarray like weights       dE/dw_ij summed over the batch
    last_change : ndarray like weights        the weight change last applied (for momentum)
    learning_rate, momentum, weight_decay : float or None
        Per-block values; None inherits the network's.
    """

    def __init__(self, source: Group, dest: Group, weights: np.ndarray, *, learning_rate=None, momentum=None,
                 weight_decay=None, min_weight=None, max_weight=None, frozen: bool = False,
                 init_range: float | None = None, init_mean: float = 0.0):
        self.source, self.dest = source, dest
        self.weights = weights
        self.weight_deriv = np.zeros_like(weights)
        self.last_change = np.zeros_like(weights)
        self.learning_rate, self.momentum, self.weight_decay = learning_rate, momentum, weight_decay
        self.min_weight, self.max_weight = min_weight, max_weight
        self.frozen = frozen
        self.init_range, self.init_mean = init_range, init_mean
        #: per-block state an update rule keeps (delta-bar-delta's rate factors)
        self.rule_state: dict[str, np.ndarray] = {}
        #: lesions: 0/1 per link (None = intact); kept at 0 through learning
        self.mask: np.ndarray | None = None

    @property
    def name(self) -> str:
        return f"{self.source.name}->{self.dest.name}"

    def __repr__(self) -> str:
        return f"LinkBlock({self.name}, {self.weights.shape[-2]}x{self.weights.shape[-1]})"


class Network(RichDisplay):
    """A feed-forward network of groups and link blocks (see the module docstring).

    Build one from a spec (:func:`pdpsim.formats.spec.build`) or by hand::

        net = Network("xor", seed=1)
        net.add_group("input", 2, kind="INPUT")
        net.add_group("hidden", 2)
        net.add_group("output", 1, kind="OUTPUT")
        net.connect("input", "hidden"); net.connect("hidden", "output")
        net.connect_bias()   # the bias group (output 1) to every hidden and output group

    Parameters
    ----------
    ensemble : int or None
        None for one network; E for E independent networks trained at once
        (every array gains a leading axis of length E). Fixed when the network is built
        (here, or :meth:`stacked` from separately built networks).
    time : TimeParams or None
        How the network unfolds in time (:mod:`pdpsim.model.time`); None for a feed-forward
        network. Given here or by :meth:`set_time` (``make_continuous``, ``make_srn``, a spec's
        ``time:`` table), which check it and reset what depends on it.
    """

    def __init__(self, name: str = "net", seed: int | None = None, ensemble: int | None = None,
                 init_range: float = 1.0, init_mean: float = 0.0, dtype=np.float64, time=None):
        self.name = name
        self.groups: dict[str, Group] = {}
        self.blocks: list[LinkBlock] = []
        if seed is not None and not isinstance(seed, np.random.SeedSequence):
            seed = positive_int(seed, f"network '{name}': seed", allow_zero=True)
        self.seed = seed
        self.rng = np.random.default_rng(seed)
        if ensemble is not None and (not isinstance(ensemble, (int, np.integer)) or ensemble < 1):
            raise PdpError(f"network '{name}': ensemble must be a positive number of members, got {ensemble!r}")
        self._ensemble = None if ensemble is None else int(ensemble)
        self.init_range, self.init_mean = float(init_range), float(init_mean)
        self.dtype = np.dtype(dtype)
        self._order: list[Group] | None = None
        self._batch_shape: tuple[int, ...] | None = None
        self._state_cache: dict[tuple[int, ...], dict[str, tuple]] = {}
        self._bound: dict[str, set[str]] = {}          # groups whose state arrays are a caller's (see release)
        self._ones: np.ndarray | None = None
        self._sparse: dict[str, tuple] = {}            # bound input groups' outputs as (array, a, a^T sparse)
        self._time = None
        if time is not None:
            self.set_time(time)

    # ------------------------------------------------------------- the description's fixed parts
    @property
    def ensemble(self) -> int | None:
        """None for one network, else the number of members along every array's leading axis."""
        return self._ensemble

    @property
    def time(self):
        """None for a feed-forward network; a :class:`~pdpsim.model.time.TimeParams` for networks in time."""
        return self._time

    def set_time(self, time) -> "Network":
        """Make this a network in time (a validated :class:`~pdpsim.model.time.TimeParams`), or a
        feed-forward one again (None); resets the group order and state that depend on it."""
        from pdpsim.model.time import TimeParams
        if time is not None and not isinstance(time, TimeParams):
            raise PdpError(f"network '{self.name}': time must be a TimeParams or None, got {type(time).__name__}")
        self._time = None if time is None else time.validated()
        self._invalidate()
        return self

    @classmethod
    def stacked(cls, members: "Iterable[Network]", name: str | None = None) -> "Network":
        """An ensemble network from separately built networks of one architecture: the first member's
        groups and settings (integration, clamps, initial states, time), each link block holding every
        member's weights along a leading axis."""
        members = list(members)
        if not members:
            raise PdpError("ensemble: no member networks")
        first = members[0]
        for m in members[1:]:
            if [b.name for b in m.blocks] != [b.name for b in first.blocks] or \
                    [(g.name, g.size) for g in m.groups.values()] != [(g.name, g.size) for g in first.groups.values()]:
                raise PdpError(f"ensemble: network '{m.name}' differs in architecture from '{first.name}'")
        ens = copy.deepcopy(first)
        ens.name = name or first.name
        ens._ensemble = len(members)
        for k, b in enumerate(ens.blocks):
            b.weights = np.stack([m.blocks[k].weights for m in members])
            b.weight_deriv = np.zeros_like(b.weights)
            b.last_change = np.zeros_like(b.weights)
            b.rule_state = {}
        ens._invalidate()
        return ens

    # ------------------------------------------------------------- building
    def add_group(self, name: str, size: int, kind: str = "HIDDEN", function="LOGISTIC", **kw) -> Group:
        if name in self.groups:
            raise PdpError(f"network '{self.name}' already has a group '{name}'")
        size = positive_int(size, f"group '{name}': size")
        limits.check("units", size, f"group '{name}'", "units")
        if kind.upper() in ("BIAS", "CONTEXT") or (kind.upper() == "INPUT" and kw.get("clamp", "HARD") == "HARD"):
            function = "LINEAR"
        g = Group(name, size, kind, function, **kw)
        self.groups[name] = g
        self._invalidate()
        return g

    def group(self, name: str) -> Group:
        try:
            return self.groups[name]
        except KeyError:
            raise PdpError(f"network '{self.name}' has no group '{name}' (groups: {', '.join(self.groups)})") from None

    __getitem__ = group

    def connect(self, source: str, dest: str, weights: np.ndarray | None = None, init_range: float | None = None,
                init_mean: float | None = None, **kw) -> LinkBlock:
        """Fully connect ``source`` to ``dest`` with weights uniform in mean +- range."""
        src, dst = self.group(source), self.group(dest)
        if dst.kind in ("BIAS", "CONTEXT") or (dst.kind == "INPUT" and dst.clamp == "HARD"):
            raise PdpError(f"link {source}->{dest}: group '{dest}' is {dst.kind} and cannot receive links")
        if any(b.source is src for b in dst.incoming):
            raise PdpError(f"link {source}->{dest}: the groups are already connected")
        shape = self._eshape(src.size, dst.size)
        limits.check("links", self.n_links + int(np.prod(shape)), f"link {source}->{dest}",
                     "links in the network")
        r = self.init_range if init_range is None else float(init_range)
        m = self.init_mean if init_mean is None else float(init_mean)
        if weights is None:
            w = self.rng.uniform(m - r, m + r, size=shape).astype(self.dtype)
        else:
            w = np.array(weights, dtype=self.dtype)
            if w.shape != shape:
                if w.shape == shape[-2:] and self.ensemble:
                    w = np.broadcast_to(w, shape).copy()
                else:
                    raise PdpError(f"link {source}->{dest}: weights of shape {w.shape}, expected {shape} "
                                   f"({src.size} sending units x {dst.size} receiving units)")
        block = LinkBlock(src, dst, w, init_range=r, init_mean=m, **kw)
        self.blocks.append(block)
        src.outgoing.append(block)
        dst.incoming.append(block)
        self._invalidate()
        return block

    def connect_bias(self, groups: Iterable[str] | None = None, **kw) -> Group:
        """Add the one-unit ``bias`` group (output 1) and link it to ``groups``
        (default: every hidden and output group)."""
        bias = self.groups.get("bias") or self.add_group("bias", 1, kind="BIAS")
        targets = list(groups) if groups is not None else [
            g.name for g in self.groups.values() if g.kind in ("HIDDEN", "OUTPUT")]
        for name in targets:
            if not any(b.source is bias for b in self.group(name).incoming):
                self.connect("bias", name, **kw)
        return bias

    def elman_connect(self, source: str, context: str) -> None:
        """Make ``context`` (a CONTEXT group of the same size) copy ``source``'s output
        of the previous event (Elman's simple recurrent network)."""
        src, ctx = self.group(source), self.group(context)
        if ctx.kind != "CONTEXT":
            raise PdpError(f"elman_connect {source}->{context}: group '{context}' must be of kind CONTEXT")
        if src.size != ctx.size:
            raise PdpError(f"elman_connect {source}->{context}: sizes differ ({src.size} and {ctx.size} units)")
        ctx.copy_from = src

    def connect_bidirectional(self, a: str, b: str, **kw) -> tuple[LinkBlock, LinkBlock]:
        """Links both ways between two groups (for networks that settle in time)."""
        return self.connect(a, b, **kw), self.connect(b, a, **kw)

    def block(self, source: str, dest: str) -> LinkBlock:
        for b in self.blocks:
            if b.source.name == source and b.dest.name == dest:
                return b
        raise PdpError(f"network '{self.name}' has no link block {source}->{dest}")

    def _eshape(self, *shape: int) -> tuple[int, ...]:
        return ((self.ensemble,) if self.ensemble else ()) + tuple(shape)

    def _invalidate(self) -> None:
        self._order = None
        self._batch_shape = None
        self._state_cache.clear()
        self._bound.clear()
        self._sparse.clear()

    def changed(self) -> None:
        """Call after editing groups or link blocks in place (their rules, kinds or links): what the
        network derived from them (the order of the forward pass, the state arrays) is built again."""
        self._invalidate()

    def disconnect(self, block: "LinkBlock") -> None:
        """Remove a link block (its links are gone)."""
        self.blocks.remove(block)
        block.source.outgoing.remove(block)
        block.dest.incoming.remove(block)
        self._invalidate()

    def reorder_groups(self, names: Iterable[str]) -> None:
        """Put the groups in this order (every group named once)."""
        names = list(names)
        if sorted(names) != sorted(self.groups):
            raise PdpError(f"network '{self.name}': reorder_groups needs every group once, got {names}")
        self.groups = {n: self.groups[n] for n in names}
        self._invalidate()

    def astype(self, dtype) -> "Network":
        """The network's numbers in ``dtype`` (float32 or float64): weights converted (rounded),
        derivatives and last changes zero. In place; returns the network."""
        self.dtype = np.dtype(dtype)
        for b in self.blocks:
            b.weights = b.weights.astype(self.dtype)
            b.weight_deriv = np.zeros_like(b.weights)
            b.last_change = np.zeros_like(b.weights)
        self._invalidate()
        return self

    @property
    def input_groups(self) -> list[Group]:
        return [g for g in self.groups.values() if g.kind == "INPUT"]

    @property
    def output_groups(self) -> list[Group]:
        return [g for g in self.groups.values() if g.has_targets]

    @property
    def n_links(self) -> int:
        return sum(b.weights.shape[-2] * b.weights.shape[-1] for b in self.blocks)

    @property
    def order(self) -> list[Group]:
        """Groups in the order the forward pass visits them (senders first)."""
        if self._order is None:
            if self.time is not None and self.time.mode == "continuous":
                self._order = list(self.groups.values())   # every link is delayed one tick
            else:
                self._order = self._topological_order()
        return self._order

    def _topological_order(self) -> list[Group]:
        done: list[Group] = []
        seen: set[str] = set()
        visiting: set[str] = set()

        def visit(g: Group) -> None:
            if g.name in seen:
                return
            if g.name in visiting:
                raise PdpError(f"network '{self.name}': the links form a cycle through group '{g.name}'; "
                               "a feed-forward network needs an acyclic graph (recurrent networks unfold in time)")
            visiting.add(g.name)
            for b in g.incoming:
                visit(b.source)
            visiting.discard(g.name)
            seen.add(g.name)
            done.append(g)

        for g in self.groups.values():
            visit(g)
        return done

    # ------------------------------------------------------------- state
    def allocate(self, batch: int) -> None:
        """Give every group state arrays of shape ([E,] batch, units)."""
        shape = self._eshape(batch)
        if self._batch_shape == shape:
            return
        cache = self._state_cache.get(shape)
        if cache is None:
            cache = {}
            for g in self.groups.values():
                arrays = [np.zeros(shape + (g.size,), dtype=self.dtype) for _ in range(5)]
                if g.kind == "BIAS":
                    arrays[1][...] = 1.0
                    arrays[0][...] = 1.0
                cache[g.name] = tuple(arrays)
            if len(self._state_cache) > 4:
                self._state_cache.clear()
            self._state_cache[shape] = cache
        for g in self.groups.values():
            g.net_input, g.output, g.target, g.output_deriv, g.input_deriv = cache[g.name]
        self._batch_shape = shape
        self._bound.clear()
        self._sparse.clear()

    def rows(self, lo: int, hi: int) -> "Network":
        """A network for rows ``lo:hi`` of the batch this one holds now (one network, not an
        ensemble): it shares this network's weights, masks and last changes, its groups' state
        arrays are those rows of this network's (bound ones included), and its weight derivatives
        are its own. A forward and backward pass it makes over its rows writes the numbers this
        network's pass over the whole batch writes there, and its dE/dw sums over its rows; the
        numpy engine moves a large batch through such slices, one a core."""
        if self.ensemble:
            raise PdpError(f"network '{self.name}': rows() takes one network, not an ensemble")
        if self._batch_shape is None:
            raise PdpError(f"network '{self.name}': rows() needs a batch (run a forward pass first)")
        batch = self._batch_shape[-1]
        if not 0 <= lo < hi <= batch:
            raise PdpError(f"network '{self.name}': rows {lo}:{hi} are not within the batch of {batch}")
        shared: dict[int, object] = {}                 # (deepcopy's memo: these are the same objects)
        for b in self.blocks:
            for a in (b.weights, b.last_change, b.mask, b.weight_deriv):     # (dE/dw: replaced below)
                if a is not None:
                    shared[id(a)] = a
        for arrays in [a for cache in self._state_cache.values() for a in cache.values()]:
            for a in arrays:
                shared[id(a)] = a
        for g in self.groups.values():
            for f in _STATE:
                shared[id(getattr(g, f))] = getattr(g, f)
        for name in ("_sparse", "_state_cache", "_bound"):
            shared[id(getattr(self, name))] = {}
        part = copy.deepcopy(self, shared)
        part._state_cache = {part._eshape(hi - lo): {g.name: tuple(getattr(g, f)[lo:hi] for f in _STATE)
                                                     for g in self.groups.values()}}
        part._batch_shape = None
        part._ones = None
        part.allocate(hi - lo)
        for b in part.blocks:
            b.weight_deriv = np.zeros_like(b.weights)
        return part

    def _ones_row(self, batch: int) -> np.ndarray:
        """A (1, batch) row of ones: the bias unit's outputs over a batch, as a matrix."""
        ones = self._ones
        if ones is None or ones.shape[1] != batch or ones.dtype != self.dtype:
            ones = self._ones = np.ones((1, batch), dtype=self.dtype)
        return ones

    def _bind(self, g: Group, x: np.ndarray, fields: tuple[str, ...]) -> bool:
        """Make ``x`` itself the state arrays ``fields`` of ``g`` (no copy), if it fits them."""
        if x.dtype != self.dtype or x.shape != getattr(g, fields[0]).shape or not x.flags.c_contiguous:
            return False
        for f in fields:
            setattr(g, f, x)
        self._bound.setdefault(g.name, set()).update(fields)
        return True

    def _sparse_output(self, g: Group, x: np.ndarray) -> None:
        """Note sparse forms of an input array bound for every update (a full batch), if it is sparse
        enough for sparse products to pay (:data:`SPARSE_INPUTS`); built once per array."""
        seen = self._sparse.get(g.name)
        if seen is not None and seen[0] is x:
            return
        if x.ndim == 2 and np.count_nonzero(x) <= SPARSE_INPUTS * x.size:
            from scipy import sparse
            self._sparse[g.name] = (x, sparse.csr_array(x), sparse.csr_array(x.T))
        else:
            self._sparse[g.name] = (x, None, None)

    def release(self, names: Iterable[str] | None = None) -> None:
        """Give groups whose state arrays were bound to a caller's arrays (``forward(...,
        bind=True)``, ``set_targets(..., bind=True)``) their own arrays back, holding the same
        values."""
        if not self._bound:
            return
        own = self._state_cache.get(self._batch_shape)
        for name in list(self._bound) if names is None else [n for n in names if n in self._bound]:
            g = self.groups[name]
            self._sparse.pop(name, None)
            arrays = dict(zip(_STATE, own[name]))
            for f in self._bound.pop(name):
                arrays[f][...] = getattr(g, f)
                setattr(g, f, arrays[f])

    # ------------------------------------------------------------- dynamics
    def forward(self, inputs: Mapping[str, np.ndarray], bind: bool = False, every_update: bool = False) -> None:
        """The forward pass: n_j = sum_i a_i w_ij, a_j = f(n_j), group by group.

        ``inputs`` maps each input group to its external inputs ([E,] B, units)
        (or (B, units), shared by the ensemble). They are copied into the input groups, or with
        ``bind`` (the training engine's own arrays, which nothing changes while it trains) become
        the input groups' outputs and net inputs themselves, until :meth:`release` or a forward
        pass without ``bind``. ``every_update``: the same bound arrays come every update (a full
        batch); sparse ones then go through sparse products (:data:`SPARSE_INPUTS`).
        """
        first = next(iter(inputs.values()))
        self.allocate(first.shape[-2])
        for name, x in inputs.items():
            g = self.groups[name]
            if bind and not g.output_noise and self._bind(g, x, ("output", "net_input")):
                if every_update:
                    self._sparse_output(g, x)
                else:
                    self._sparse.pop(name, None)
                continue
            self.release((name,))
            g.output[...] = x
            g.net_input[...] = x
            if g.output_noise:
                g.output += self.rng.normal(0.0, g.output_noise, size=g.output.shape)
        for g in self.order:
            if g.kind in SET_FROM_OUTSIDE:
                continue
            n = g.net_input
            started = False
            for b in g.incoming:
                if b.source.kind == "BIAS":
                    continue
                sp = self._sparse.get(b.source.name)
                if sp is not None and sp[1] is not None:      # sparse inputs: the same sum, over a_i != 0
                    if started:
                        n += sp[1] @ b.weights
                    else:
                        n[...] = sp[1] @ b.weights
                        started = True
                elif started:
                    n += b.source.output @ b.weights          # n_j += sum_i a_i w_ij
                else:
                    np.matmul(b.source.output, b.weights, out=n)
                    started = True
            if not started:
                n.fill(0.0)
            for b in g.incoming:
                if b.source.kind == "BIAS":
                    n += b.weights[..., 0:1, :]                # the bias unit's output is 1
            g.function.forward(n, g.output)                    # a_j = f(n_j)
            if g.unit_mask is not None:
                g.output *= g.unit_mask                        # lesioned units output 0
            if g.output_noise:
                g.output += self.rng.normal(0.0, g.output_noise, size=g.output.shape)

    def bind_batch(self, inputs: Mapping[str, np.ndarray], targets: Mapping[str, np.ndarray]) -> bool:
        """Bind a training engine's inputs and targets as :meth:`forward` and :meth:`set_targets`
        with ``bind`` do, without a pass (the batch allocated now; after :meth:`release`, or
        already bound). False, binding nothing, where an array does not fit the groups' arrays."""
        for name, x in inputs.items():
            g = self.groups[name]
            if g.output is not x and (g.output_noise or x.dtype != self.dtype or x.shape != g.output.shape or
                                      not x.flags.c_contiguous):
                return False
        for name, x in inputs.items():
            g = self.groups[name]
            if g.output is not x:
                self._bind(g, x, ("output", "net_input"))
        self.set_targets(targets, bind=True)
        return True

    def set_targets(self, targets: Mapping[str, np.ndarray], bind: bool = False) -> None:
        """Copy targets in (or with ``bind`` take the arrays themselves, as :meth:`forward` its
        inputs), noting once per batch whether any is NaN or all are 0/1."""
        for name, t in targets.items():
            g = self.groups[name]
            if bind and g.target is t:
                continue                                  # the same bound targets: the notes hold
            if not (bind and self._bind(g, t, ("target",))):
                if "target" in self._bound.get(name, ()):
                    self.release((name,))
                g.target[...] = t
            missing = np.isnan(g.target)
            g.target_has_nan = bool(missing.any())
            # every target 0 or 1, or missing: the error may take its rule's binary form (as the compiled kernels)
            g.target_binary = bool(np.all((g.target == 0) | (g.target == 1) | missing))

    def effective_target(self, g: Group) -> np.ndarray:
        """The target the error is taken against (:mod:`pdpsim.functions.targets`): outputs within
        ``zero_error_radius`` count as correct; beyond ``target_radius`` the target moves that far
        toward the output; NaN (no target) stays NaN, and the error function gives it nothing."""
        return effective_target(g.output, g.target, g.target_radius, g.zero_error_radius)

    def error(self, example_weights: np.ndarray | None = None) -> np.ndarray:
        """E for each example of the batch, summed over output groups: shape ([E,] B).
        ``example_weights`` (B,): each example's error multiplied by its weight (its frequency,
        with ``example_frequency: scale``)."""
        total = None
        for g in self.output_groups:
            binary = g.target_binary and g.target_radius <= 0 and g.zero_error_radius <= 0
            e = g.error.error(g.output, self.effective_target(g), binary)
            total = e if total is None else total + e
        if example_weights is not None:
            total = total * example_weights                                    # E_p -> f_p E_p
        return total

    def backward(self, example_weights: np.ndarray | None = None, output_derivs: bool = True) -> None:
        """The backward pass (generalized delta rule), from the outputs down.

        dE/da is the error's derivative on output groups plus, for any group
        that sends links, sum_j dE/dn_j w_ij; then dE/dn = dE/da f'(n) and
        dE/dw_ij = dE/dn_j a_i, summed over the batch. ``example_weights`` (B,): each
        example's error derivatives multiplied by its weight, as :meth:`error` its error.
        ``output_derivs=False`` (the training loop, which reads only the weight derivatives):
        an output group whose dE/dn comes from a pair that cancels skips its dE/da, which
        then keeps what it held.
        """
        fused = set()
        written = set()          # groups whose output_deriv already holds a first term
        for g in self.order:
            if g.kind in SET_FROM_OUTSIDE or not g.has_targets:
                continue
            t = self.effective_target(g)
            written.add(g.name)
            # a pair that cancels (logistic with cross-entropy: dE/dn = s (a - t)), if nothing else feeds dE/da
            if not g.outgoing and g.function.plain and g.error.plain and \
                    g.error.fused_input_deriv(g.function.name, g.output, t, g.input_deriv,
                                              has_nan=g.target_has_nan) is not None:
                fused.add(g.name)
                if not output_derivs:
                    continue                                                   # dE/da is not needed
            g.error.output_deriv(g.output, t, g.output_deriv)                  # dE/da from the error
        if example_weights is not None:
            w = example_weights[:, None]
            for name in written:                                               # dE_p/da -> f_p dE_p/da
                g = self.groups[name]
                (g.input_deriv if name in fused else g.output_deriv)[...] *= w
        for g in reversed(self.order):
            if g.kind in SET_FROM_OUTSIDE:
                continue
            if g.name not in written:
                g.output_deriv.fill(0.0)                                       # no path to the error
            if g.name not in fused:
                g.function.backward(g.output, g.output_deriv, g.input_deriv, g.net_input)  # dE/dn_j = dE/da_j f'(n_j)
            if g.unit_mask is not None:
                g.input_deriv *= g.unit_mask
            d = g.input_deriv
            for b in g.incoming:
                src = b.source
                if src.kind == "BIAS":
                    # a_i = 1: dE/dw = sum over the batch of dE/dn_j (a product with a row of ones)
                    if d.shape[-2] == 1:
                        b.weight_deriv[...] = d
                    else:
                        np.matmul(self._ones_row(d.shape[-2]), d, out=b.weight_deriv)
                elif d.shape[-2] == 1:
                    np.multiply(np.swapaxes(src.output, -1, -2), d, out=b.weight_deriv)  # one example: outer product
                elif src.name in self._sparse and self._sparse[src.name][2] is not None:
                    b.weight_deriv[...] = self._sparse[src.name][2] @ d           # sparse inputs: a^T dE/dn
                else:
                    np.matmul(np.swapaxes(src.output, -1, -2), d, out=b.weight_deriv)  # dE/dw_ij = dE/dn_j a_i
                if src.kind not in SET_FROM_OUTSIDE:
                    wt = np.swapaxes(b.weights, -1, -2)
                    if src.name in written:
                        src.output_deriv += d @ wt                             # dE/da_i += sum_j dE/dn_j w_ij
                    else:
                        if d.dtype == np.float32:
                            # numpy's float32 matmul with out= and a transposed operand takes a slow path
                            src.output_deriv[...] = d @ wt                     # dE/da_i = sum_j dE/dn_j w_ij
                        else:
                            np.matmul(d, wt, out=src.output_deriv)             # dE/da_i = sum_j dE/dn_j w_ij
                        written.add(src.name)

    def hebbian_deriv(self) -> None:
        """The Hebb rule's learning signal in place of the backward pass.

        Each receiving unit's target stands in for its output: dw_ij = eps a_i t_j,
        written as the weight derivative dE/dw_ij = -a_i t_j so that every update
        rule applies unchanged (NaN targets learn nothing).
        """
        for g in self.order:
            if g.kind in SET_FROM_OUTSIDE:
                continue
            np.negative(np.nan_to_num(g.target, nan=0.0), out=g.input_deriv)
            for b in g.incoming:
                np.matmul(np.swapaxes(b.source.output, -1, -2), g.input_deriv, out=b.weight_deriv)

    def run(self, inputs: Mapping[str, np.ndarray], targets: Mapping[str, np.ndarray] | None = None) -> np.ndarray | None:
        """Forward pass (and error, if targets are given) without learning."""
        self.forward(inputs)
        if targets:
            self.set_targets(targets)
            return self.error()
        return None

    # ------------------------------------------------------------- weights
    def get_weights(self) -> dict[str, np.ndarray]:
        """Copies of every block's weights, keyed ``"source->dest"``."""
        return {b.name: b.weights.copy() for b in self.blocks}

    def set_weights(self, weights: Mapping[str, np.ndarray], source: str = "weights") -> None:
        """Load weights keyed ``"source->dest"``; every block must be present with its shape."""
        names = {b.name for b in self.blocks}
        unknown = sorted(set(weights) - names)
        if unknown:
            raise PdpError(f"{source}: link block(s) {', '.join(unknown)} are not in network '{self.name}' "
                           f"(blocks: {', '.join(sorted(names))})")
        missing = sorted(names - set(weights))
        if missing:
            raise PdpError(f"{source}: no weights for link block(s) {', '.join(missing)}")
        for b in self.blocks:
            w = np.asarray(weights[b.name], dtype=self.dtype)
            if w.shape != b.weights.shape:
                raise PdpError(f"{source}: link block {b.name} has weights of shape {w.shape}, "
                               f"expected {b.weights.shape}")
            if not np.isfinite(w).all():
                raise PdpError(f"{source}: link block {b.name} has non-finite weights")
            b.weights[...] = w
            b.last_change[...] = 0.0
            b.weight_deriv[...] = 0.0

    def randomize(self, seed: int | None = None) -> None:
        """Draw every weight afresh, uniform in mean +- range (Lens's ``resetNet``)."""
        if seed is not None:
            self.seed = seed
            self.rng = np.random.default_rng(seed)
        for b in self.blocks:
            r, m = b.init_range, b.init_mean
            b.weights[...] = self.rng.uniform(m - r, m + r, size=b.weights.shape)
            b.last_change[...] = 0.0
            b.weight_deriv[...] = 0.0
            b.rule_state.clear()

    def __repr__(self) -> str:
        groups = ", ".join(f"{g.name}:{g.size}" for g in self.groups.values())
        ens = f", ensemble={self.ensemble}" if self.ensemble else ""
        return f"Network('{self.name}', groups [{groups}], {len(self.blocks)} link blocks, {self.n_links} links{ens})"
