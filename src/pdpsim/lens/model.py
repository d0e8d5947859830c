"""Lens's data model: groups, link blocks and example sets, with Lens's parameter tables.

:class:`LensGroup` and :class:`LensBlock` sit beside pdpsim's :class:`~pdpsim.model.network.Group`
and :class:`~pdpsim.model.network.LinkBlock` and hold what Lens adds (group types, parameters
looked up block -> group -> network, unit state, link masks, frozen links);
:class:`LensExampleSet` is a loaded example set with Lens's example-selection modes;
:class:`LensNetwork` is pdpsim's network with Lens's target adjustment. The network
that holds them all is :class:`~pdpsim.lens.net.LensNet`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

import numpy as np

from pdpsim.functions.targets import lens_effective_target
from pdpsim.model.examples import ExampleSet
from pdpsim.model.network import Group, LinkBlock, Network
from pdpsim.lens.functions import choose, LensError, LensRandom, NAN

if TYPE_CHECKING:
    from pdpsim.lens.net import LensNet


NET_TYPES = ("SRBPTT", "CONTINUOUS", "BOLTZMANN")


class LensNetwork(Network):
    """pdpsim's Network with Lens's target adjustment (NaN targets are kept: the
    Lens error functions skip them)."""

    def effective_target(self, g: Group) -> np.ndarray:
        return lens_effective_target(g.output, g.target, g.target_radius, g.zero_error_radius)


# ---------------------------------------------------------------- the model
GROUP_PARAMS = ("learningRate", "momentum", "weightDecay", "gainDecay", "targetRadius", "zeroErrorRadius",
                "gain", "randMean", "randRange", "trainGroupCrit", "testGroupCrit", "initOutput",
                "outputCostPeak", "ternaryShift", "clampStrength", "noiseRange", "minOutput", "maxOutput")
BLOCK_PARAMS = ("learningRate", "momentum", "weightDecay", "randMean", "randRange", "min", "max")
UNIT_FIELDS = ("input", "output", "target", "externalInput", "adjustedTarget", "inputDeriv", "outputDeriv")


@dataclass
class LensBlock:
    """The links from one group into another, as Lens's per-unit blocks see them.

    ``mask`` (n_from, n_to) marks the links that exist (None: all of them);
    ``frozen`` (n_to,) marks receiving units whose links from this group are frozen;
    ``params`` holds Lens's block values per receiving unit (NaN: inherit).
    """

    block: LinkBlock
    source: "LensGroup"
    link_type: str
    mask: np.ndarray | None = None
    frozen: np.ndarray | None = None
    params: dict[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self):
        n_to = self.block.weights.shape[-1]
        if self.frozen is None:
            self.frozen = np.zeros(n_to, dtype=bool)
        for p in BLOCK_PARAMS:
            self.params.setdefault(p, np.full(n_to, NAN))

    @property
    def rate_factor(self) -> np.ndarray:
        r = self.block.rule_state.get("rate_factor")
        if r is None or r.shape != self.block.weights.shape:
            r = self.block.rule_state["rate_factor"] = np.ones_like(self.block.weights)
        return r

    def senders(self, j: int) -> np.ndarray:
        """Indices of the sending units linked to receiving unit j, in Lens's order."""
        n_from = self.block.weights.shape[0]
        if self.mask is None:
            return np.arange(n_from)
        return np.flatnonzero(self.mask[:, j])

    def n_links(self) -> int:
        w = self.block.weights
        return int(self.mask.sum()) if self.mask is not None else w.shape[0] * w.shape[1]


class LensGroup:
    """A Lens group: pdpsim's Group plus Lens's types, parameters and unit state."""

    def __init__(self, lnet: "LensNet", group: Group, kind: str, function: str | None, error: str | None,
                 flags: set[str], criterion: str | None):
        self.lnet = lnet
        self.group = group
        self.name = group.name
        self.kind = kind                      # INPUT, OUTPUT, BIAS, HIDDEN, ELMAN
        self.elman_source: str | None = None  # an ELMAN group's source (elmanConnect)
        self.function = function              # Lens output function name (None for INPUT/BIAS)
        self.error = error                    # Lens error type (OUTPUT groups)
        self.flags = set(flags)
        self.criterion = criterion            # None, STANDARD_CRIT, MAX_CRIT
        self.params: dict[str, float] = {p: NAN for p in GROUP_PARAMS}
        self.params["errorScale"] = 1.0
        self.params["dtScale"] = 1.0
        self.params["initInput"] = 0.0
        self.params["outputCostScale"] = 1.0
        self.error_value = 0.0
        self.output_cost = 0.0
        self.frozen = False
        self.blocks: list[LensBlock] = []     # incoming, in Lens's order (bias first)
        n = group.size
        self.state = {f: np.zeros(n) for f in UNIT_FIELDS}
        self.unit_dt_scale = np.ones(n)       # each unit's dtScale (a parameter: resetNet keeps it)
        self.unit_gain = np.ones(n)           # each unit's gain and its derivative (ADAPTIVE_GAIN)
        self.gain_deriv = np.zeros(n)
        self.lesioned = np.zeros(n, dtype=bool)   # lesionUnits: skipped by every unit loop of Lens's
        self.noise_types: list[str] = []      # IN_NOISE, OUT_NOISE, IN_DERIV_NOISE, OUT_DERIV_NOISE
        self.noise_proc = "addGaussian"       # noiseType: addGaussian, multGaussian, addUniform, multUniform
        self.in_procs: list[str] = []         # Lens's input and output procedures, in order (type cleanup's)
        self.out_procs: list[str] = []
        self.cost_procs: list[str] = []
        self.proc_masks: dict[str, set] = {"input": set(), "output": set(), "cost": set()}  # Lens's type masks
        self.hist0_nan = np.zeros(n, dtype=bool)  # lesioned since the history was cleared: tick 0 reads NaN
        self.reset_units()

    @property
    def size(self) -> int:
        return self.group.size

    @property
    def num(self) -> int:
        return list(self.lnet.groups).index(self.name)

    def reset_units(self) -> None:
        """Lens's resetUnitValues: output = initOutput, input = initInput, no target (lesioned
        units are left as they are, as Lens's unit loops skip them)."""
        s = self.state
        k = ~self.lesioned
        self.hist0_nan[k] = False             # resetUnitValues clears the unit's history
        s["output"][k] = 1.0 if self.kind == "BIAS" else choose(self.params["initOutput"],
                                                                  self.lnet.params["initOutput"])
        s["input"][k] = choose(self.params["initInput"], self.lnet.params["initInput"])
        s["inputDeriv"][k] = 0.0
        s["outputDeriv"][k] = 0.0
        self.unit_gain[k] = choose(self.params["gain"], self.lnet.params["gain"])
        self.gain_deriv[k] = 0.0
        s["target"][k] = NAN
        s["externalInput"][k] = NAN
        s["adjustedTarget"][k] = 0.0

    def n_incoming(self) -> np.ndarray:
        """Links into each unit."""
        total = np.zeros(self.size, dtype=int)
        for b in self.blocks:
            total += b.mask.sum(axis=0) if b.mask is not None else b.block.weights.shape[0]
        return total

    def n_outgoing(self) -> np.ndarray:
        total = np.zeros(self.size, dtype=int)
        for g in self.lnet.groups.values():
            for b in g.blocks:
                if b.source is self:
                    total += b.mask.sum(axis=1) if b.mask is not None else b.block.weights.shape[1]
        return total

    def unit_links(self, j: int) -> list[tuple[LensBlock, int]]:
        """Unit j's incoming links in Lens's order: (block, sending unit)."""
        return [(b, int(i)) for b in self.blocks for i in b.senders(j)]

    def configure(self) -> None:
        """Push Lens's chosen values into the pdpsim group before a pass."""
        net = self.lnet.params
        g = self.group
        g.function.gain = choose(self.params["gain"], net["gain"])
        if self.kind == "OUTPUT":
            g.target_radius = float(choose(self.params["targetRadius"], net["targetRadius"]))
            g.zero_error_radius = float(choose(self.params["zeroErrorRadius"], net["zeroErrorRadius"]))
            g.error.error_scale = float(self.params["errorScale"])
            g.error.ticks = self.lnet.ticks_per_interval

    def __repr__(self) -> str:
        return f"LensGroup({self.name!r}, {self.size}, {self.kind}, {self.function}, {self.error})"


NET_DEFAULTS: dict[str, float] = {
    "numUpdates": 100, "batchSize": 0, "reportInterval": 10, "criterion": 0.0, "trainGroupCrit": 0.0,
    "testGroupCrit": 0.5, "groupCritRequired": 0, "minCritBatches": 1, "pseudoExampleFreq": 0,
    "learningRate": 0.1, "rateIncrement": 0.1, "rateDecrement": 0.9, "momentum": 0.9,
    "adaptiveGainRate": 0.001, "weightDecay": 0.0, "gainDecay": 0.0, "outputCostStrength": 0.01,
    "outputCostPeak": 0.5, "targetRadius": 0.0, "zeroErrorRadius": 0.0, "gain": 1.0, "ternaryShift": 5.0,
    "clampStrength": 0.5, "initOutput": 0.5, "initInput": 0.0, "initGain": 1.0, "finalGain": 1.0,
    "annealTime": 1.0, "randMean": 0.0, "randRange": 1.0, "noiseRange": 0.1, "backpropTicks": 1,
    "dt": 1.0, "autoPlot": 1, "plotCols": 10, "plotRows": 0, "unitCellSize": 14, "unitCellSpacing": 2,
    "linkCellSize": 8, "linkCellSpacing": 0,
}
INT_PARAMS = {"numUpdates", "batchSize", "reportInterval", "groupCritRequired", "minCritBatches",
              "pseudoExampleFreq", "backpropTicks", "autoPlot", "plotCols", "plotRows", "unitCellSize",
              "unitCellSpacing", "linkCellSize", "linkCellSpacing"}
PROCS = ("preEpochProc", "postEpochProc", "postUpdateProc", "preExampleProc", "postExampleProc",
         "preExampleBackProc", "preEventProc", "postEventProc", "preTickProc", "postTickProc",
         "preTickBackProc", "sigUSR1Proc", "sigUSR2Proc")
#: (formerly the procs refused; all run now, see pdpsim.lens.hooks)
UNSUPPORTED_PROCS: tuple = ()


class LensExampleSet:
    """A loaded example set with Lens's position and example-selection mode.

    As in Lens, the set keeps its examples as the file gave them (``records``: each event's
    ranges with their group names, :func:`pdpsim.formats.lens_examples.parse_example_records`)
    and applies them to a network's groups when it is used: :attr:`examples` is the
    :class:`~pdpsim.model.examples.ExampleSet` for the current network's input and output
    groups (``layout``), made again when those change. So a set may be loaded before its
    network or its groups exist, and ``moveExamples`` moves records between sets.
    """

    MODES = ("ORDERED", "PERMUTED", "RANDOMIZED", "PROBABILISTIC")
    #: Lens's example-mode masks, as ``getObj SET.mode`` prints them
    MODE_MASKS = {"ORDERED": 0x1, "PERMUTED": 0x2, "RANDOMIZED": 0x4, "PROBABILISTIC": 0x8, "PIPE": 0x10,
                  "CUSTOM": 0x20}

    def __init__(self, name: str, header: dict, records: list, rand: LensRandom, path: str = "",
                 layout: "Callable[[], tuple[dict, dict] | None] | None" = None):
        self.name = name
        self.header = dict(header)
        self.records = list(records)
        self.layout = layout
        self.path = path
        self.rand = rand
        self.mode = "ORDERED"
        self.current = -1
        self.permuted = list(range(len(self.records)))
        self._built: ExampleSet | None = None
        self._built_for = None
        self.params = {"maxTime": 1.0, "minTime": 0.0, "graceTime": 0.0, "defaultInput": 0.0,
                       "activeInput": 1.0, "defaultTarget": 0.0, "activeTarget": 1.0}
        for k, lk in (("max", "maxTime"), ("min", "minTime"), ("grace", "graceTime"), ("defI", "defaultInput"),
                      ("actI", "activeInput"), ("defT", "defaultTarget"), ("actT", "activeTarget")):
            if k in self.header:
                try:
                    self.params[lk] = float(self.header[k])
                except (TypeError, ValueError):
                    pass
        self.compile()
        self.current_example: int | None = None

    def compile(self) -> None:
        """Lens's compileExampleSet after the records change: the permutation back to the file's
        order, the cumulative probabilities for PROBABILISTIC choice, the built set dropped."""
        self.permuted = list(range(len(self.records)))
        f = np.array([r.freq for r in self.records], dtype=np.float32).astype(np.float64)
        total = float(f.sum())
        self.probability = np.cumsum(f * (1.0 / total)) if len(f) and total > 0 else np.zeros(len(f))
        if len(f):
            self.probability[-1] = 1.0
        self.changed()

    def changed(self) -> None:
        """The records were edited (an event's field, a range's values): build the set again."""
        self._built, self._built_for = None, None

    @property
    def examples(self) -> ExampleSet:
        """The set for the current network's input and output groups (built on first use)."""
        groups = self.layout() if self.layout is not None else None
        if groups is None:
            raise LensError(f"example set '{self.name}': there is no network to apply its examples to")
        key = (tuple(groups[0].items()), tuple(groups[1].items()))
        if self._built is None or self._built_for != key:
            from pdpsim.formats.lens_examples import build_example_set
            ex = build_example_set(self.header, self.records, groups[0], groups[1], self.name)
            for d in (ex.inputs, ex.targets):   # Lens reads a file's reals as 32-bit floats
                for g, a in d.items():
                    d[g] = a.astype(np.float32).astype(np.float64)
            ex.frequencies = ex.frequencies.astype(np.float32).astype(np.float64)
            self._built, self._built_for = ex, key
        return self._built

    def last_examples(self) -> ExampleSet:
        """The set as last applied to a network's groups (``saveExamples`` writes it), else for the
        current network's."""
        return self._built if self._built is not None else self.examples

    def __len__(self) -> int:
        return len(self.records)

    def reset(self) -> None:
        self.current = -1
        self.current_example = None

    def run_indices(self, num: int) -> np.ndarray:
        """The example doExample runs: example ``num``, or (``num`` < 0) the next one in the set's mode."""
        if num < 0:
            return self.next_indices(1)
        if num >= len(self):
            raise LensError(f"standardNetRunExample: example {num} out of range")
        return np.array([num])

    def next_indices(self, k: int) -> np.ndarray:
        """The next k examples in this set's mode (Lens's loadNextExample, k times)."""
        n = len(self)
        if n == 0:
            raise LensError(f"example set '{self.name}' has no examples")
        out = np.empty(k, dtype=np.intp)
        if self.mode == "ORDERED":
            out[:] = (self.current + 1 + np.arange(k)) % n
            if k:
                self.current = int(out[-1])
        elif self.mode == "PERMUTED":
            perm = self.permuted
            for m in range(k):
                i = self.current + 1
                if i == n:
                    i = 0
                j = i + self.rand.rand_int(n - i)
                perm[i], perm[j] = perm[j], perm[i]
                self.current = i
                out[m] = perm[i]
        elif self.mode == "RANDOMIZED":
            for m in range(k):
                out[m] = self.current = self.rand.rand_int(n)
        elif self.mode == "PROBABILISTIC":
            prob = self.probability
            for m in range(k):
                p = self.rand.rand_prob()
                out[m] = self.current = min(int(np.searchsorted(prob, p, side="left")), n - 1)
        else:  # pragma: no cover - guarded by exampleSetMode
            raise LensError(f"example set mode {self.mode} is not implemented")
        return out
