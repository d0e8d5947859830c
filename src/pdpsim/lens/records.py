"""Lens's network output file (``openNetOutputFile``): each example's outputs and targets.

:class:`RecordMixin` is mixed into :class:`~pdpsim.lens.net.LensNet`. While a file is open
(``output_file``), every example run by ``train``, ``test`` or ``doExample`` is written as
Lens's standardWriteExample writes it, after the example has run:

* text: ``totalUpdates example-number``, ``ticks groups``, then for each tick ``tick event``
  and, for each WRITE_OUTPUTS group (output groups by default) in order, ``units is-output``
  and a line a unit: its output (and for an output group its target), ``%g``, ``-`` for NaN
  (a lesioned unit, a unit without a target);
* binary (``-binary``): the same numbers, integers as 32-bit big-endian, the flag as a byte,
  reals as 32-bit big-endian floats.
"""
from __future__ import annotations

import struct

import numpy as np


def _g(x: float) -> str:
    return "-" if x != x else "%g" % x


class RecordMixin:
    """The output file of :class:`~pdpsim.lens.net.LensNet` (None while none is open) and the
    unit histories it is written from.

    Lens writes an example's outputs and targets from its units' history, which (without the
    graphical unit viewer) only a training pass stores: ``test`` and ``doExample`` write what the
    last training pass left in the history slots they would use (0 after ``resetNet``), as Lens
    does. The slots rotate over historyLength ticks, each example starting after the last one's
    ticks; a lesioned unit's history is NaN (written ``-``).
    """

    output_file = None        # an open writer (``pdpsim.lens.output_commands.OutputChannel``)
    output_file_binary = False
    output_file_name = ""

    def _history(self) -> dict:
        H = max(1, int(self.history_length))
        h = getattr(self, "_hist", None)
        if h is None or h["H"] != H or list(h["out"]) != list(self.groups):
            h = {"H": H, "start": 0, "ticks": 0,
                 "out": {g.name: np.where(g.lesioned, np.nan, np.zeros((H, g.size))) for g in self.groups.values()},
                 "tgt": {g.name: np.where(g.lesioned, np.nan, np.zeros((H, g.size))) for g in self.groups.values()}}
            self._hist = h
        return h

    def reset_history(self) -> None:
        """resetNet: every unit's history 0 (a lesioned unit's left as it is), the slots from 0."""
        h = self._history()
        h["start"] = h["ticks"] = 0
        for g in self.groups.values():
            for key in ("out", "tgt"):
                h[key][g.name][:, ~g.lesioned] = 0.0

    def lesion_history(self, g, j: int) -> None:
        h = self._history()
        h["out"][g.name][:, j] = np.nan
        h["tgt"][g.name][:, j] = np.nan

    def history_example(self, num: int, outputs: list[dict] | None, targets: list[dict] | None, ticks: int,
                        store: bool) -> None:
        """One example has run ``ticks`` ticks: move the history start on; with ``store`` (a
        training pass) keep its outputs and targets (``outputs[t][group]``); then write it to the
        output file if one is open."""
        h = self._history()
        H = h["H"]
        h["start"] = (h["start"] + h["ticks"]) % H
        h["ticks"] = ticks
        if store:
            for t in range(ticks):
                k = (h["start"] + t) % H
                for g in self.groups.values():
                    keep = ~g.lesioned
                    h["out"][g.name][k, keep] = np.asarray(outputs[t][g.name], dtype=float).reshape(-1)[keep]
                    if g.kind == "OUTPUT":
                        h["tgt"][g.name][k, keep] = np.asarray(targets[t][g.name], dtype=float).reshape(-1)[keep]
        if self.output_file is not None:
            slots = [(h["start"] + t) % H for t in range(ticks)]
            self.record_example(num, [{g: a[k] for g, a in h["out"].items()} for k in slots],
                                [{g: a[k] for g, a in h["tgt"].items()} for k in slots])

    def history_batch(self, S, idx: np.ndarray, store: bool) -> None:
        """After a batch run at once (one tick an example): each example in turn."""
        ex = S.examples
        h = self._history()
        n = len(idx)
        first = max(0, n - h["H"]) if self.output_file is None else 0
        if first:                              # only the last H examples can leave anything
            h["start"] = (h["start"] + h["ticks"] + first - 1) % h["H"]
            h["ticks"] = 1
        for b in range(first, n):
            i = int(idx[b])
            outs = tgts = None
            if store:
                outs = {g.name: g.group.output[b] for g in self.groups.values()}
                tgts = {g.name: ex.targets[g.name][i, 0] for g in self.output_groups}
            self.history_example(i, [outs], [tgts], 1, store)

    def record_example(self, num: int, outputs: list[dict], targets: list[dict]) -> None:
        """Write one example: ``outputs[t][group]`` (units,) and ``targets[t][group]`` for each
        tick t (the event of tick t is t: one tick an event)."""
        groups = [g for g in self.groups.values() if "WRITE_OUTPUTS" in g.flags]
        binary = self.output_file_binary
        parts = []
        if binary:
            parts.append(struct.pack(">4i", self.total_updates, num, len(outputs), len(groups)))
        else:
            parts.append(f"{self.total_updates} {num}\n{len(outputs)} {len(groups)}\n")
        for t, (outs, tgts) in enumerate(zip(outputs, targets)):
            parts.append(struct.pack(">2i", t, t) if binary else f"{t} {t}\n")
            for g in groups:
                is_out = g.kind == "OUTPUT"
                a = np.asarray(outs[g.name], dtype=float).reshape(-1)
                tt = np.asarray(tgts[g.name], dtype=float).reshape(-1) if is_out else None
                if binary:
                    parts.append(struct.pack(">i", g.size) + bytes([1 if is_out else 0]))
                    vals = np.stack([a, tt], axis=1).ravel() if is_out else a
                    parts.append(vals.astype(">f4").tobytes())
                else:
                    lines = [f"{g.size} {1 if is_out else 0}\n"]
                    for j in range(g.size):
                        lines.append(_g(a[j]) + (" " + _g(tt[j]) if is_out else "") + "\n")
                    parts.append("".join(lines))
        data = b"".join(parts) if binary else "".join(parts).encode()
        self.output_file.write(data)
