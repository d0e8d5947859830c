"""Example sets: what the training environment gives a network.

An *example* is a sequence of one or more *events*; each event clamps inputs on
input groups and sets targets on output groups. Feed-forward networks use
examples of one event. The arrays are dense, with the example as the leading
axis, so a batch is a slice:

``inputs[group]``   shape ``(n_examples, max_events, units)``
``targets[group]``  shape ``(n_examples, max_events, units)``

A NaN input means "no external input for this unit in this event"; a NaN
target means "no error for this unit" (Lens's ``-``).

The formats (spec files, Lens ``.ex``/``.bex``, PDP ``.pat``) all convert to
and from this one class; nothing else knows their syntax.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np

from pdpsim.display import RichDisplay

from pdpsim.validation import PdpError, check_finite_or_nan


@dataclass
class ExampleSet(RichDisplay):
    """A named set of examples.

    Parameters
    ----------
    inputs, targets : dict of str -> ndarray, shape (n_examples, max_events, units)
        Per-group external inputs and targets. 2-D arrays ``(n_examples, units)``
        are accepted and read as one event per example.
    names : list of str, optional
        One name per example (default ``"0"``, ``"1"``, ...).
    frequencies : ndarray (n_examples,), optional
        Relative presentation frequency (Lens ``freq:``), default 1.
    n_events : ndarray of int (n_examples,), optional
        Events actually used by each example (default ``max_events``).
    """

    inputs: dict[str, np.ndarray]
    targets: dict[str, np.ndarray]
    names: list[str] = field(default_factory=list)
    frequencies: np.ndarray | None = None
    n_events: np.ndarray | None = None
    name: str = "examples"
    #: Per-example Lens ``proc:`` strings (kept for round trips), or None.
    procs: list[str | None] | None = None
    #: Set-level header values (Lens ``max:``, ``min:``, ``grace:``, ``defI:`` ...).
    header: dict[str, object] = field(default_factory=dict)
    #: Per-event timing (Lens ``max:``/``min:``/``grace:`` in event lists), NaN = default.
    event_fields: dict[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.inputs = {g: _as_3d(a, f"{self.name}: inputs for group '{g}'") for g, a in self.inputs.items()}
        self.targets = {g: _as_3d(a, f"{self.name}: targets for group '{g}'") for g, a in self.targets.items()}
        shapes = {a.shape[:2] for a in list(self.inputs.values()) + list(self.targets.values())}
        if not shapes:
            raise PdpError(f"example set '{self.name}': no inputs and no targets")
        if len({s[0] for s in shapes}) != 1:
            counts = {g: a.shape[0] for g, a in {**self.inputs, **self.targets}.items()}
            raise PdpError(f"example set '{self.name}': groups disagree on the number of examples: {counts}")
        n = next(iter(shapes))[0]
        max_events = max(s[1] for s in shapes)
        # pad groups with fewer events (NaN: nothing given)
        for d in (self.inputs, self.targets):
            for g, a in d.items():
                if a.shape[1] < max_events:
                    pad = np.full((n, max_events - a.shape[1], a.shape[2]), np.nan)
                    d[g] = np.concatenate([a, pad], axis=1)
        for g, a in self.inputs.items():
            check_finite_or_nan(a, f"example set '{self.name}': inputs for group '{g}'")
        for g, a in self.targets.items():
            check_finite_or_nan(a, f"example set '{self.name}': targets for group '{g}'")
        if not self.names:
            self.names = [str(i) for i in range(n)]
        self.names = [str(s) for s in self.names]
        if len(self.names) != n:
            raise PdpError(f"example set '{self.name}': {len(self.names)} names for {n} examples")
        if self.frequencies is None:
            self.frequencies = np.ones(n)
        self.frequencies = np.asarray(self.frequencies, dtype=float)
        if self.frequencies.shape != (n,) or np.any(~np.isfinite(self.frequencies)) or np.any(self.frequencies < 0):
            raise PdpError(f"example set '{self.name}': frequencies must be {n} finite values >= 0")
        if self.n_events is None:
            self.n_events = np.full(n, max_events, dtype=int)
        self.n_events = np.asarray(self.n_events, dtype=int)
        if self.n_events.shape != (n,) or np.any(self.n_events < 1) or np.any(self.n_events > max_events):
            raise PdpError(f"example set '{self.name}': n_events must be {n} integers in 1..{max_events}")

    # ------------------------------------------------------------------ queries
    def __len__(self) -> int:
        return len(self.names)

    @property
    def max_events(self) -> int:
        return next(iter({**self.inputs, **self.targets}.values())).shape[1]

    def index(self, name_or_index: str | int) -> int:
        """Position of an example given its name or index."""
        if isinstance(name_or_index, (int, np.integer)):
            if not -len(self) <= name_or_index < len(self):
                raise PdpError(f"example set '{self.name}' has {len(self)} examples; no example {name_or_index}")
            return int(name_or_index) % len(self)
        try:
            return self.names.index(name_or_index)
        except ValueError:
            raise PdpError(f"example set '{self.name}' has no example named '{name_or_index}'") from None

    def subset(self, indices: Sequence[int] | np.ndarray, name: str | None = None) -> "ExampleSet":
        """A new set holding the given examples (in that order)."""
        idx = np.asarray(indices, dtype=int)
        return ExampleSet(
            inputs={g: a[idx] for g, a in self.inputs.items()},
            targets={g: a[idx] for g, a in self.targets.items()},
            names=[self.names[i] for i in idx],
            frequencies=self.frequencies[idx],
            n_events=self.n_events[idx],
            name=name or self.name,
            procs=None if self.procs is None else [self.procs[i] for i in idx],
            header=dict(self.header),
            event_fields={k: v[idx] for k, v in self.event_fields.items()},
        )

    def check_against(self, group_sizes: Mapping[str, int], input_groups: Sequence[str],
                      target_groups: Sequence[str]) -> None:
        """Raise a clear error if this set does not fit a network's groups."""
        for kind, data, allowed in (("inputs", self.inputs, input_groups), ("targets", self.targets, target_groups)):
            for g, a in data.items():
                if g not in group_sizes:
                    raise PdpError(f"example set '{self.name}': {kind} for group '{g}', but the network has no "
                                   f"group '{g}' (groups: {', '.join(group_sizes)})")
                if g not in allowed:
                    raise PdpError(f"example set '{self.name}': {kind} for group '{g}', which does not take "
                                   f"{kind} ({kind} go to: {', '.join(allowed) or 'none'})")
                if a.shape[2] != group_sizes[g]:
                    raise PdpError(f"example set '{self.name}', example '{self.names[0]}': {a.shape[2]} "
                                   f"{kind[:-1]} values for group '{g}', which has {group_sizes[g]} units")
        missing = [g for g in input_groups if g not in self.inputs]
        if missing:
            raise PdpError(f"example set '{self.name}': no inputs for input group(s) {', '.join(missing)}")

    def __repr__(self) -> str:
        ins = ", ".join(f"{g}:{a.shape[2]}" for g, a in self.inputs.items())
        outs = ", ".join(f"{g}:{a.shape[2]}" for g, a in self.targets.items())
        return f"ExampleSet('{self.name}', {len(self)} examples, inputs [{ins}], targets [{outs}])"


def _as_3d(a, what: str) -> np.ndarray:
    try:
        arr = np.array(a, dtype=float)
    except (TypeError, ValueError) as e:
        raise PdpError(f"{what}: expected numbers ({e})") from None
    if arr.ndim == 1:
        arr = arr[:, None, None] if arr.size else arr.reshape(0, 1, 0)
    if arr.ndim == 2:
        arr = arr[:, None, :]
    if arr.ndim != 3:
        raise PdpError(f"{what}: expected an array (examples, units) or (examples, events, units), got {arr.ndim}-D")
    return arr


def from_arrays(inputs: Mapping[str, object] | object, targets: Mapping[str, object] | object,
                names: Sequence[str] | None = None, name: str = "examples",
                input_group: str = "input", target_group: str = "output") -> ExampleSet:
    """Build a one-event-per-example set from plain arrays or dicts of arrays.

    ``from_arrays([[0, 0], [0, 1]], [[0], [1]])`` puts the rows on groups
    ``input`` and ``output``.
    """
    ins = dict(inputs) if isinstance(inputs, Mapping) else {input_group: inputs}
    outs = dict(targets) if isinstance(targets, Mapping) else {target_group: targets}
    return ExampleSet(inputs=ins, targets=outs, names=list(names or []), name=name)
