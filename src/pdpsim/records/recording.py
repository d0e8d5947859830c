"""Recording what a network's units do while it learns.

A :class:`Recorder` is a training callback. At the epochs you choose it runs a
*test pass* over the examples you choose (forward pass, and a backward pass if
you ask for derivatives; never a weight change) and keeps, for the groups you
choose, any of

``output``        a_j, the unit's activation
``net_input``     n_j = sum_i a_i w_ij
``output_deriv``  dE/da_j
``input_deriv``   dE/dn_j
``target``        t_j (output groups only)

and, if asked, copies of the link blocks' weights::

    rec = Recorder(net, examples, groups=["hidden"], every=10, weights=True)
    rec.capture(0)                               # before training
    result = train(net, examples, params, callbacks=[rec])
    rec.capture(result.n_epochs)                 # the last epoch, whatever stopped training
    rec.frame()                                  # tidy DataFrame: epoch, example, group, unit, quantity, value
    rec.array("hidden")                          # ndarray (epochs, examples, units)
    rec.save(run_dir / "recording.npz")

Recording never changes what training does: the test pass leaves the weights,
the weight derivatives and the network's random generator as they were, so a
run with a recorder ends with the same weights, bit for bit, as one without.

Files: ``.npz`` (every array exactly, plus a JSON description; no pickles) is
the format to keep with a run; ``.csv`` writes the tidy activation frame
(values written with 17 significant digits, so it reads back exactly) but not
the weights. Parquet is not used (it would need pyarrow).
"""
from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from pdpsim.model.examples import ExampleSet
from pdpsim.model.network import Network
from pdpsim.dynamics.feedforward import feedforward_arrays
from pdpsim.validation import PdpError, atomic_write, readable_file

QUANTITIES = ("output", "net_input", "output_deriv", "input_deriv", "target")
_DERIVS = ("output_deriv", "input_deriv")
_FORMAT = "pdpsim-recording"


class Recording:
    """Recorded unit values (and optionally weights) over epochs.

    Attributes
    ----------
    epochs : ndarray of int (n_epochs,)
        The epochs at which unit values were recorded, in recording order.
    example_names : list of str
    unit_names : dict of str -> list of str
        Unit names of each recorded group.
    quantities : tuple of str
    weight_epochs : ndarray of int
        The epochs at which weights were recorded.
    block_units : dict of str -> (list of str, list of str)
        For each recorded link block ``"source->dest"``, the sending and receiving unit names.
    network : str
        Name of the network recorded.
    """

    def __init__(self, example_names: Sequence[str], unit_names: dict[str, list[str]],
                 quantities: Sequence[str], network: str = "net",
                 block_units: dict[str, tuple[list[str], list[str]]] | None = None):
        self.example_names = [str(n) for n in example_names]
        self.unit_names = {g: list(u) for g, u in unit_names.items()}
        self.quantities = tuple(quantities)
        self.network = network
        self.block_units = dict(block_units or {})
        self._epochs: list[int] = []
        self._values: dict[tuple[str, str], list[np.ndarray]] = {
            (g, q): [] for g in self.unit_names for q in self.quantities}
        self._weight_epochs: list[int] = []
        self._weights: dict[str, list[np.ndarray]] = {b: [] for b in self.block_units}

    # ------------------------------------------------------------ queries
    @property
    def groups(self) -> list[str]:
        """The recorded groups."""
        return list(self.unit_names)

    @property
    def blocks(self) -> list[str]:
        """The recorded link blocks (``"source->dest"``)."""
        return list(self.block_units)

    @property
    def epochs(self) -> np.ndarray:
        return np.asarray(self._epochs, dtype=int)

    @property
    def weight_epochs(self) -> np.ndarray:
        return np.asarray(self._weight_epochs, dtype=int)

    def __len__(self) -> int:
        return len(self._epochs)

    def _check_group(self, group: str, quantity: str) -> None:
        if group not in self.unit_names:
            raise PdpError(f"recording of '{self.network}' has no group '{group}' "
                           f"(recorded groups: {', '.join(self.unit_names) or 'none'})")
        if quantity not in self.quantities:
            known = f"recorded: {', '.join(self.quantities)}" if quantity in QUANTITIES else \
                f"quantities are {', '.join(QUANTITIES)}"
            raise PdpError(f"recording of '{self.network}' has no quantity '{quantity}' ({known})")

    def array(self, group: str, quantity: str = "output") -> np.ndarray:
        """Values of one group over the recorded epochs.

        Returns
        -------
        ndarray, shape (n_epochs, n_examples, n_units)
        """
        self._check_group(group, quantity)
        vals = self._values[(group, quantity)]
        if not vals:
            return np.zeros((0, len(self.example_names), len(self.unit_names[group])))
        return np.stack(vals)

    def epoch_index(self, epoch: int | None) -> int:
        """Position of ``epoch`` among the recorded epochs (None: the last one)."""
        if not self._epochs:
            raise PdpError(f"recording of '{self.network}' holds no epochs yet")
        if epoch is None:
            return len(self._epochs) - 1
        try:
            return self._epochs.index(int(epoch))
        except ValueError:
            raise PdpError(f"recording of '{self.network}' has no epoch {epoch} (recorded epochs: "
                           f"{_span(self._epochs)})") from None

    def patterns(self, group: str, epoch: int | None = None, quantity: str = "output") -> np.ndarray:
        """Values of one group at one recorded epoch (default: the last).

        Returns
        -------
        ndarray, shape (n_examples, n_units)
        """
        self._check_group(group, quantity)
        return self._values[(group, quantity)][self.epoch_index(epoch)].copy()

    def weights(self, block: str) -> np.ndarray:
        """One link block's weights over the weight epochs: shape (n_weight_epochs, n_from, n_to)."""
        if block not in self._weights:
            raise PdpError(f"recording of '{self.network}' has no weights for link block '{block}' "
                           f"(recorded blocks: {', '.join(self._weights) or 'none'})")
        vals = self._weights[block]
        nf, nt = len(self.block_units[block][0]), len(self.block_units[block][1])
        return np.stack(vals) if vals else np.zeros((0, nf, nt))

    def frame(self):
        """The recorded unit values as a tidy pandas DataFrame.

        One row per (epoch, example, group, unit, quantity), in that nesting
        order with the epoch outermost; columns ``epoch`` (int), ``example``
        (name), ``group``, ``unit`` (unit name), ``quantity``, ``value``.
        """
        import pandas as pd
        parts = []
        n_ex = len(self.example_names)
        names = np.asarray(self.example_names, dtype=object)
        for k, epoch in enumerate(self._epochs):
            for g, units in self.unit_names.items():
                u = np.asarray(units, dtype=object)
                for q in self.quantities:
                    v = self._values[(g, q)][k]
                    parts.append(pd.DataFrame({
                        "epoch": np.full(v.size, epoch, dtype=int),
                        "example": np.repeat(names, len(u)),
                        "group": g,
                        "unit": np.tile(u, n_ex),
                        "quantity": q,
                        "value": v.ravel(),
                    }))
        if not parts:
            return pd.DataFrame({"epoch": np.zeros(0, int), "example": [], "group": [], "unit": [],
                                 "quantity": [], "value": np.zeros(0)})
        return pd.concat(parts, ignore_index=True)

    def weight_frame(self):
        """The recorded weights as a tidy DataFrame: ``epoch, block, sender, receiver, value``."""
        import pandas as pd
        parts = []
        for k, epoch in enumerate(self._weight_epochs):
            for b, (snd, rcv) in self.block_units.items():
                w = self._weights[b][k]
                parts.append(pd.DataFrame({
                    "epoch": np.full(w.size, epoch, dtype=int), "block": b,
                    "sender": np.repeat(np.asarray(snd, dtype=object), len(rcv)),
                    "receiver": np.tile(np.asarray(rcv, dtype=object), len(snd)),
                    "value": w.ravel()}))
        if not parts:
            return pd.DataFrame({"epoch": np.zeros(0, int), "block": [], "sender": [], "receiver": [],
                                 "value": np.zeros(0)})
        return pd.concat(parts, ignore_index=True)

    # ------------------------------------------------------------ adding
    def _add(self, epoch: int, values: dict[tuple[str, str], np.ndarray]) -> None:
        self._epochs.append(int(epoch))
        for key, lst in self._values.items():
            lst.append(values[key])

    def _add_weights(self, epoch: int, weights: dict[str, np.ndarray]) -> None:
        self._weight_epochs.append(int(epoch))
        for b, lst in self._weights.items():
            lst.append(weights[b])

    # ------------------------------------------------------------ files
    def _meta(self) -> dict:
        return {"format": _FORMAT, "version": 1, "network": self.network,
                "examples": self.example_names, "groups": self.unit_names,
                "quantities": list(self.quantities),
                "blocks": {b: [s, r] for b, (s, r) in self.block_units.items()}}

    def save(self, path: str | Path) -> Path:
        """Write the recording atomically: ``.npz`` (everything, exactly) or ``.csv`` (the tidy frame).

        Returns
        -------
        Path
        """
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix == ".npz":
            arrays = {"epochs": self.epochs, "weight_epochs": self.weight_epochs,
                      "__recording__": np.array(json.dumps(self._meta()))}
            for i, g in enumerate(self.unit_names):
                for j, q in enumerate(self.quantities):
                    arrays[f"values_{i}_{j}"] = self.array(g, q)
            for i, b in enumerate(self.block_units):
                arrays[f"weights_{i}"] = self.weights(b)
            with atomic_write(path, "wb") as f:
                np.savez(f, **arrays)
        elif suffix == ".csv":
            with atomic_write(path, "w") as f:
                self.frame().to_csv(f, index=False, float_format="%.17g")
        else:
            raise PdpError(f"recording file '{path}': expected a .npz or .csv file name")
        return path

    @classmethod
    def load(cls, path: str | Path) -> "Recording":
        """Read a recording written by :meth:`save` (``.npz`` or ``.csv``)."""
        p = readable_file(path, "recording file")
        if p.suffix.lower() == ".csv":
            import pandas as pd
            try:
                df = pd.read_csv(p, float_precision="round_trip")
            except (ValueError, OSError) as e:
                raise PdpError(f"recording file '{p}': not a CSV file ({e})") from None
            return cls.from_frame(df, source=f"recording file '{p}'")
        try:
            with np.load(p, allow_pickle=False) as z:
                data = {k: z[k] for k in z.files}
        except (zipfile.BadZipFile, ValueError, OSError, EOFError) as e:
            raise PdpError(f"recording file '{p}': not a pdpsim .npz recording ({e})") from None
        if "__recording__" not in data:
            raise PdpError(f"recording file '{p}': not a pdpsim recording (no __recording__ entry; "
                           "is it a weights file?)")
        meta = json.loads(str(data["__recording__"]))
        if meta.get("format") != _FORMAT:
            raise PdpError(f"recording file '{p}': format {meta.get('format')!r}, expected {_FORMAT!r}")
        rec = Recording(meta["examples"], meta["groups"], meta["quantities"], meta.get("network", "net"),
                  {b: (s, r) for b, (s, r) in meta.get("blocks", {}).items()})
        epochs = data["epochs"].astype(int)
        for k, e in enumerate(epochs):
            rec._add(int(e), {(g, q): data[f"values_{i}_{j}"][k]
                              for i, g in enumerate(rec.unit_names) for j, q in enumerate(rec.quantities)})
        for k, e in enumerate(data["weight_epochs"].astype(int)):
            rec._add_weights(int(e), {b: data[f"weights_{i}"][k] for i, b in enumerate(rec.block_units)})
        return rec

    @classmethod
    def from_frame(cls, df, network: str = "net", source: str = "frame") -> "Recording":
        """Rebuild a recording (without weights) from a tidy frame as :meth:`frame` makes."""
        need = ["epoch", "example", "group", "unit", "quantity", "value"]
        missing = [c for c in need if c not in df.columns]
        if missing:
            raise PdpError(f"{source}: missing column(s) {', '.join(missing)} (expected {', '.join(need)})")
        import pandas as pd
        examples = [str(x) for x in pd.unique(df["example"])]
        groups = {str(g): [str(u) for u in pd.unique(df.loc[df["group"] == g, "unit"])]
                  for g in pd.unique(df["group"])}
        quantities = [str(q) for q in pd.unique(df["quantity"])]
        bad = [q for q in quantities if q not in QUANTITIES]
        if bad:
            raise PdpError(f"{source}: unknown quantity {bad[0]!r}; expected one of {', '.join(QUANTITIES)}")
        rec = Recording(examples, groups, quantities, network)
        ex_pos = {e: i for i, e in enumerate(examples)}
        for epoch, d_e in df.groupby("epoch", sort=False):
            vals = {}
            for g, units in groups.items():
                u_pos = {u: i for i, u in enumerate(units)}
                for q in quantities:
                    d = d_e[(d_e["group"] == g) & (d_e["quantity"] == q)]
                    arr = np.full((len(examples), len(units)), np.nan)
                    arr[d["example"].astype(str).map(ex_pos).to_numpy(),
                        d["unit"].astype(str).map(u_pos).to_numpy()] = d["value"].to_numpy(float)
                    if np.isnan(arr).any():
                        raise PdpError(f"{source}: epoch {epoch}, group '{g}', {q}: missing values")
                    vals[(g, q)] = arr
            rec._add(int(epoch), vals)
        return rec

    def __repr__(self) -> str:
        return (f"Recording('{self.network}', {len(self._epochs)} epochs, {len(self.example_names)} examples, "
                f"groups [{', '.join(self.unit_names)}], quantities [{', '.join(self.quantities)}], "
                f"{len(self._weight_epochs)} weight epochs)")


def _span(epochs: Sequence[int]) -> str:
    if len(epochs) <= 8:
        return ", ".join(str(e) for e in epochs)
    return f"{', '.join(str(e) for e in epochs[:4])}, ..., {', '.join(str(e) for e in epochs[-2:])}"


def _schedule(spec, what: str):
    """None: every epoch; int N: every N-th epoch; iterable: exactly those epochs."""
    if spec is None:
        return lambda e: True
    if isinstance(spec, (bool, np.bool_)):
        raise PdpError(f"{what}: expected an interval (int) or a list of epochs, got {spec!r}")
    if isinstance(spec, (int, np.integer)):
        n = int(spec)
        if n < 1:
            raise PdpError(f"{what}: an interval must be >= 1, got {n}")
        return lambda e: e % n == 0
    try:
        chosen = {int(e) for e in spec}
    except (TypeError, ValueError):
        raise PdpError(f"{what}: expected an interval (int) or a list of epochs, got {spec!r}") from None
    if any(e < 0 for e in chosen):
        raise PdpError(f"{what}: epochs must be >= 0")
    return lambda e: e in chosen


def _check_groups(net: Network, groups: Iterable[str] | None, quantities: Sequence[str],
                  examples: ExampleSet) -> list[str]:
    if groups is None:
        groups = [g.name for g in net.groups.values() if g.kind in ("HIDDEN", "OUTPUT")]
    elif isinstance(groups, str):
        groups = [groups]
    groups = list(groups)
    for g in groups:
        net.group(g)                     # PdpError naming the groups if unknown
    if len(set(groups)) != len(groups):
        raise PdpError(f"groups: {groups} names a group twice")
    quantities = list(quantities)
    for q in quantities:
        if q not in QUANTITIES:
            raise PdpError(f"unknown quantity {q!r}; expected one of {', '.join(QUANTITIES)}")
    if any(q in _DERIVS for q in quantities):
        bad = [g for g in groups if net.group(g).kind == "INPUT"]
        if bad:
            raise PdpError(f"error derivatives: group(s) {', '.join(bad)} are INPUT groups, for which the "
                           "backward pass computes no derivatives; record them separately")
    if "target" in quantities:
        bad = [g for g in groups if not net.group(g).has_targets]
        if bad:
            raise PdpError(f"quantity 'target': group(s) {', '.join(bad)} have no targets (only output groups "
                           f"do: {', '.join(g.name for g in net.output_groups)}); record them separately")
    if any(q in _DERIVS for q in quantities) or "target" in quantities:
        missing = [g.name for g in net.output_groups if g.name not in examples.targets]
        if missing:
            raise PdpError(f"example set '{examples.name}' has no targets for output group(s) "
                           f"{', '.join(missing)}; error derivatives and targets need them")
    return groups


def _test_pass(net: Network, inputs: dict, targets: dict, groups: Sequence[str],
               quantities: Sequence[str]) -> dict[tuple[str, str], np.ndarray]:
    """Forward (and backward) over every example; copy the values out; restore the weight derivatives."""
    net.forward(inputs)
    if targets:
        net.set_targets(targets)
    if any(q in _DERIVS for q in quantities):
        saved = [b.weight_deriv.copy() for b in net.blocks]
        net.backward()
        for b, s in zip(net.blocks, saved):
            b.weight_deriv[...] = s
    out = {}
    for g in groups:
        grp = net.group(g)
        for q in quantities:
            out[(g, q)] = np.array(getattr(grp, q), dtype=float, copy=True)
    return out


class Recorder(Recording):
    """A training callback that records unit values (and weights) at chosen epochs.

    Parameters
    ----------
    net : Network
        The network that will be trained (one network, no ensemble axis).
    examples : ExampleSet
        The examples to test at each recorded epoch (any set that fits ``net``;
        often the training set or a subset of it).
    groups : str or list of str, optional
        Groups to record (default: every hidden and output group; name input
        groups to record their outputs too).
    quantities : str or list of str
        Any of ``output``, ``net_input``, ``output_deriv``, ``input_deriv``,
        ``target``. Derivatives need targets for every output group.
    every : int, optional
        Record every ``every``-th epoch (``epoch % every == 0``).
    epochs : list of int, optional
        Record exactly these epochs (instead of ``every``). With neither,
        every epoch is recorded.
    weights : bool or list of str
        Also record link-block weights (True: every block; or the blocks'
        ``"source->dest"`` names).
    weight_epochs : int or list of int, optional
        When to record weights (default: the same epochs as the values).

    Notes
    -----
    :func:`pdpsim.train` calls callbacks after each epoch's weight change, and
    not after an epoch that met a stopping criterion; call :meth:`capture`
    before training (epoch 0) and after it (``result.n_epochs``) to record
    those moments.
    """

    def __init__(self, net: Network, examples: ExampleSet, groups: str | Iterable[str] | None = None,
                 quantities: str | Sequence[str] = ("output",), *, every: int | None = None,
                 epochs: Iterable[int] | None = None, weights: bool | Iterable[str] = False,
                 weight_epochs: int | Iterable[int] | None = None):
        if net.ensemble:
            raise PdpError("Recorder: record one network at a time (this one has an ensemble axis)")
        if isinstance(quantities, str):
            quantities = (quantities,)
        groups = _check_groups(net, groups, quantities, examples)
        self._inputs, self._targets = feedforward_arrays(net, examples)
        if every is not None and epochs is not None:
            raise PdpError("Recorder: give 'every' or 'epochs', not both")
        self._when = _schedule(epochs if epochs is not None else every, "Recorder epochs")
        if weights is True:
            blocks = [b.name for b in net.blocks]
        elif weights is False or weights is None:
            blocks = []
        else:
            blocks = [str(b) for b in weights]
            known = {b.name for b in net.blocks}
            for b in blocks:
                if b not in known:
                    raise PdpError(f"Recorder: network '{net.name}' has no link block '{b}' "
                                   f"(blocks: {', '.join(sorted(known))})")
        block_units = {}
        for name in blocks:
            b = next(x for x in net.blocks if x.name == name)
            block_units[name] = (list(b.source.unit_names), list(b.dest.unit_names))
        if weight_epochs is None:
            self._when_weights = self._when
        else:
            self._when_weights = _schedule(weight_epochs, "Recorder weight_epochs")
        super().__init__(examples.names, {g: net.group(g).unit_names for g in groups}, quantities,
                         net.name, block_units)
        self.net = net
        self.examples = examples

    def capture(self, epoch: int, net: Network | None = None, weights: bool = True) -> None:
        """Record now, whatever the schedule (once per epoch: a repeat is ignored).

        Parameters
        ----------
        epoch : int
            The label to record under (0 before training, ``result.n_epochs`` after it).
        weights : bool
            Also record the weights (if this recorder records weights).
        """
        net = net or self.net
        epoch = int(epoch)
        if epoch not in self._epochs:
            self._add(epoch, _test_pass(net, self._inputs, self._targets, self.groups, self.quantities))
        if weights and self.block_units and epoch not in self._weight_epochs:
            self._add_weights(epoch, {b.name: b.weights.copy() for b in net.blocks if b.name in self.block_units})

    def __call__(self, epoch: int, error: float, net: Network) -> None:
        """The training callback: record if ``epoch`` is one of the chosen ones (never stops training)."""
        if self._when(epoch) and epoch not in self._epochs:
            self._add(epoch, _test_pass(net, self._inputs, self._targets, self.groups, self.quantities))
        if self.block_units and self._when_weights(epoch) and epoch not in self._weight_epochs:
            self._add_weights(epoch, {b.name: b.weights.copy() for b in net.blocks if b.name in self.block_units})
        return None


def record(net: Network, examples: ExampleSet, groups: str | Iterable[str] | None = None,
           quantities: str | Sequence[str] = ("output",), epoch: int = 0, weights: bool = False) -> Recording:
    """One test pass over ``examples``: the chosen groups' values, as a one-epoch :class:`Recording`.

    Parameters
    ----------
    net : Network
    examples : ExampleSet
    groups : str or list of str, optional
        Default: every hidden and output group.
    quantities : str or list of str
        See :data:`QUANTITIES`.
    epoch : int
        The epoch label to file the values under.
    weights : bool
        Also keep a copy of every link block's weights.

    Returns
    -------
    Recording
        ``record(net, xs, "hidden").patterns("hidden")`` is the (examples, units) array.
    """
    rec = Recorder(net, examples, groups, quantities, epochs=[], weights=bool(weights))
    rec.capture(epoch)
    return rec


def load_recording(path: str | Path) -> Recording:
    """Read a recording file (``.npz`` or ``.csv``) written by :meth:`Recording.save`."""
    return Recording.load(path)


# ---------------------------------------------------------------- networks in time
TICK_QUANTITIES = ("output", "net_input")


def record_ticks(net: Network, examples: ExampleSet, groups: str | Iterable[str] | None = None,
                 quantities: str | Sequence[str] = ("output",), examples_chosen: Sequence[str | int] | None = None,
                 ticks: Sequence[int] | None = None, epoch: int | None = None):
    """Run a CONTINUOUS network over ``examples`` (no learning) and return every chosen tick
    of the chosen groups as a tidy pandas DataFrame.

    Columns: ``epoch`` (if given), ``tick``, ``example``, ``group``, ``unit``, ``quantity``,
    ``value``; tick 0 is the initial state. ``history(frame, group)`` turns it back into an
    array (ticks, examples, units), e.g. for :func:`pdpsim.analysis.trajectory` over ticks.
    """
    import pandas as pd
    from pdpsim.dynamics.unfolding import run_examples
    if net.time is None or net.time.mode != "continuous":
        raise PdpError(f"record_ticks: network '{net.name}' does not settle over ticks (a CONTINUOUS network "
                       "is needed; a feed-forward or simple recurrent network has one pass per event)")
    if isinstance(quantities, str):
        quantities = (quantities,)
    for q in quantities:
        if q not in TICK_QUANTITIES:
            raise PdpError(f"record_ticks: quantity '{q}' is not kept per tick; expected one of "
                           f"{', '.join(TICK_QUANTITIES)}")
    if groups is None:
        chosen = [g.name for g in net.groups.values() if g.kind in ("HIDDEN", "OUTPUT")]
    else:
        chosen = [groups] if isinstance(groups, str) else list(groups)
        for g in chosen:
            net.group(g)
    run_examples(net, examples)
    idx = (np.arange(len(examples)) if examples_chosen is None
           else np.array([examples.index(e) for e in examples_chosen], dtype=int))
    T = net.group(chosen[0]).output_history.shape[0]
    tk = np.arange(T) if ticks is None else np.asarray(list(ticks), dtype=int)
    if tk.size and (tk.min() < 0 or tk.max() >= T):
        raise PdpError(f"record_ticks: ticks must be in 0-{T - 1}")
    names = np.asarray(examples.names, dtype=object)[idx]
    parts = []
    for g in chosen:
        grp = net.group(g)
        units = np.asarray(grp.unit_names, dtype=object)
        for q in quantities:
            h = (grp.output_history if q == "output" else grp.net_input_history)[np.ix_(tk, idx)]  # (t, ex, u)
            nt, nx, nu = h.shape
            part = {"tick": np.repeat(tk, nx * nu), "example": np.tile(np.repeat(names, nu), nt), "group": g,
                    "unit": np.tile(units, nt * nx), "quantity": q, "value": h.ravel()}
            if epoch is not None:
                part = {"epoch": np.full(h.size, int(epoch)), **part}
            parts.append(pd.DataFrame(part))
    return pd.concat(parts, ignore_index=True)


def history(frame, group: str, quantity: str = "output", epoch: int | None = None) -> np.ndarray:
    """From a :func:`record_ticks` frame, one group's values as (ticks, examples, units)."""
    f = frame[(frame["group"] == group) & (frame["quantity"] == quantity)]
    if epoch is not None and "epoch" in f:
        f = f[f["epoch"] == epoch]
    if f.empty:
        raise PdpError(f"history: no '{quantity}' values of group '{group}' in this frame")
    ticks = list(dict.fromkeys(f["tick"]))
    examples = list(dict.fromkeys(f["example"]))
    units = list(dict.fromkeys(f["unit"]))
    return f["value"].to_numpy().reshape(len(ticks), len(examples), len(units))


class TickRecorder:
    """A training callback for CONTINUOUS networks: at the chosen epochs, every tick of the
    chosen groups (a :func:`record_ticks` pass); ``frame()`` joins them with an ``epoch`` column."""

    def __init__(self, net: Network, examples: ExampleSet, groups=None, quantities=("output",), *,
                 every: int | None = None, epochs: Iterable[int] | None = None):
        if every is not None and epochs is not None:
            raise PdpError("TickRecorder: give 'every' or 'epochs', not both")
        self._when = _schedule(epochs if epochs is not None else every, "TickRecorder epochs")
        self.net, self.examples, self.groups, self.quantities = net, examples, groups, quantities
        record_ticks(net, examples, groups, quantities, ticks=[0])      # checks everything once, up front
        self._frames = []

    def capture(self, epoch: int) -> None:
        self._frames.append(record_ticks(self.net, self.examples, self.groups, self.quantities, epoch=epoch))

    def __call__(self, epoch: int, error: float, net: Network) -> None:
        if self._when(epoch):
            self.capture(epoch)
        return None

    def frame(self):
        import pandas as pd
        if not self._frames:
            raise PdpError("TickRecorder: nothing recorded yet")
        return pd.concat(self._frames, ignore_index=True)
