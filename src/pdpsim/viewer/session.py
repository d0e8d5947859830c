"""The model a viewer shows: network, examples, training parameters, and training in a thread.

A :class:`ViewerSession` owns one network. Everything that touches the
network's arrays (a training chunk, a forward pass for the views) holds
``session.lock``; the error curve and the counters sit behind a second, small
lock, so that the page can poll them while an epoch is running.

Training runs in a background thread in *chunks* of whole epochs (each a
call to :func:`pdpsim.training.loop.train` with ``start_epoch``), sized to take
about 50 ms, so the views can read the weights between chunks. Chunked
training gives exactly the weights of one long call: momentum, the update
rules' state and ``net.rng`` carry over from chunk to chunk.

The views are computed at the current weights, for every example at once,
and cached until the weights change (:class:`Snapshot`):

- feed-forward networks: one forward and one backward pass over all examples;
- networks in time (CONTINUOUS): every tick of every example
  (:func:`pdpsim.dynamics.unfolding.run_examples`), and dE/da, dE/dn of every tick
  from backpropagation through time;
- simple recurrent networks: every event of every example, context groups
  holding the previous event's copy.

Graphs (:meth:`ViewerSession.watch`) follow any one value over training, as Lens's
graphs do: a unit's value for one example and tick, an example's error, a weight. Each is
recorded when it is opened and after every epoch from then on (a training callback; the
weights are those of training without it).

:func:`network_layout` places the groups, units and their labels for the page, no two
boxes overlapping.

Bad requests raise :class:`ViewerError` (HTTP 400), :class:`NotFound` (404)
or :class:`Busy` (409), all subclasses of :class:`~pdpsim.validation.PdpError`.
"""
from __future__ import annotations

import bisect
import json
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pdpsim.model.examples import ExampleSet
from pdpsim.model.network import SET_FROM_OUTSIDE, Network
from pdpsim.formats.spec import Model, Spec, build_spec, load
from pdpsim.training.params import TrainingParams
from pdpsim.dynamics.feedforward import feedforward_arrays
from pdpsim.dynamics.srn import SrnExamples
from pdpsim.training.loop import train
from pdpsim.validation import PdpError
from pdpsim.records.weights import load_weights

#: what a unit can show, in the lecture's vocabulary
VALUES = ("output", "net_input", "target", "output_deriv", "input_deriv")
VALUE_LABELS = {"output": "output a", "net_input": "net input n", "target": "target t",
                "output_deriv": "dE/da", "input_deriv": "dE/dn"}
#: the most epochs one "run" request may ask for
MAX_RUN_EPOCHS = 1_000_000
#: a training chunk aims at about this many seconds, so the views get the lock often
CHUNK_SECONDS = 0.05


class ViewerError(PdpError):
    """A bad request (HTTP 400)."""

    status = 400


class NotFound(ViewerError):
    """An unknown group, link block or example (HTTP 404)."""

    status = 404


class Busy(ViewerError):
    """The request needs training to be paused (HTTP 409)."""

    status = 409


#: a one-example stream's representations use at most this many of its events (ticks)
REPRESENTATION_STEPS = 200
#: what a graph can follow over training: a unit's value, an example's error (or the total), a weight
WATCH_VALUES = VALUES + ("error", "weight")
#: the most graphs one session keeps
MAX_WATCHES = 16


@dataclass
class Snapshot:
    """Every group's values for every example (and tick) at one set of weights.

    ``values[group][value]`` has shape ``(steps, n_examples, units)``: one step for
    a feed-forward network, ticks + 1 for a network in time (tick 0 is the
    initial state), one per event for a simple recurrent network. NaN where a
    value does not exist (a hidden group's target, an input group's dE/da, ticks
    after an example has ended).
    """

    version: int
    last_step: np.ndarray                     # (n_examples,) the last tick (event) of each example
    values: dict[str, dict[str, np.ndarray]]
    errors: np.ndarray                        # (n_examples,) error of each example (summed over ticks)
    weight_deriv: dict[str, np.ndarray]       # dE/dw summed over all examples (what a batch update uses)
    derivs: bool                              # False when dE/da, dE/dn per tick could not be recorded


# ---------------------------------------------------------------- loading
def load_source(source: str | Path, weights: str | Path | None = None, seed: int | None = None) -> "ViewerSession":
    """A session for a spec (file or shipped name), a run folder from ``pdpsim train --out``, or a
    script: a Lens script (``.tcl``, ``.in``) or a PDP handbook ``.str`` script, run first, then
    the network it built (:mod:`pdpsim.viewer.scripts`).

    A run folder's ``run.json`` gives the spec, its seed and the training
    parameters used; its ``weights.npz`` (the trained weights) is loaded unless
    ``weights`` names another file. With its own weights the session opens where the
    run ended: at its last epoch, with the error curve of ``error.csv``, and, when the
    folder holds the run's final checkpoint, with its momentum, update-rule state and
    generator, so that training goes on exactly as the run would have. Everything is
    read here, once.
    """
    p = Path(str(source))
    if p.suffix.lower() in (".tcl", ".in", ".str"):
        if weights is not None:
            raise PdpError(f"--weights: a script ({p}) sets its own weights; load them in the script")
        from pdpsim.viewer.scripts import load_script
        return load_script(p, seed=seed)
    if p.is_dir():
        meta_path = p / "run.json"
        if not meta_path.is_file():
            raise PdpError(f"run folder '{p}': no run.json (expected a folder written by `pdpsim train --out`)")
        try:
            meta = json.loads(meta_path.read_text())
        except (json.JSONDecodeError, UnicodeDecodeError) as e:
            raise PdpError(f"run folder '{p}': run.json is not valid JSON ({e})") from None
        if not isinstance(meta, dict) or not isinstance(meta.get("spec"), dict):
            raise PdpError(f"run folder '{p}': run.json holds no spec")
        data = dict(meta["spec"])
        spec_source = meta.get("spec_source")
        spec_dir = Path(str(spec_source)).parent if spec_source else None
        data.setdefault("_dir", str(spec_dir if spec_dir is not None and spec_dir.is_dir() else p))
        if seed is None and meta.get("seed") is not None:
            seed = meta["seed"]
        model = build_spec(Spec(data, source=f"{meta_path}"), seed=seed)
        if isinstance(meta.get("training"), dict):
            known = TrainingParams.__dataclass_fields__
            model.training = TrainingParams.from_dict({k: v for k, v in meta["training"].items() if k in known},
                                                      f"{meta_path}: training")
        own = weights is None and (p / "weights.npz").is_file()
        if own:
            weights = p / "weights.npz"
        label = f"run {p}"
    else:
        model = load(source, seed=seed)
        label = str(source)
        own = False
    if weights is not None:
        load_weights(model.network, weights)
        label += f" with weights {weights}"
    if not own:
        return ViewerSession(model, source=label)
    # the run's own weights: open it where training left it, at its epoch with its error curve
    curve = _run_curve(p)
    epoch = curve[-1][0] if curve else _run_epochs(meta, p)
    if _restore_checkpoint(model.network, p, epoch):
        label += " (momentum and generator from its checkpoint)"
    return ViewerSession(model, source=label, epoch=epoch, errors=curve)


def _run_epochs(meta: dict, folder: Path) -> int:
    n = meta.get("epochs", 0)
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise PdpError(f"run folder '{folder}': run.json gives {n!r} epochs (expected a whole number)")
    return n


def _run_curve(folder: Path) -> list[tuple[int, float]]:
    """The error curve in a run folder's ``error.csv`` (epoch, error), checked; [] when there is none."""
    import csv
    path = folder / "error.csv"
    if not path.is_file():
        return []
    curve: list[tuple[int, float]] = []
    try:
        with open(path, newline="") as f:
            rows = csv.DictReader(f)
            if not rows.fieldnames or "epoch" not in rows.fieldnames or "error" not in rows.fieldnames:
                raise PdpError(f"run folder '{folder}': error.csv has no 'epoch' and 'error' columns")
            for k, row in enumerate(rows, start=2):
                try:
                    e, v = int(row["epoch"]), float(row["error"])
                except (TypeError, ValueError):
                    raise PdpError(f"run folder '{folder}': error.csv line {k} is not an epoch and an error: "
                                   f"{row['epoch']!r}, {row['error']!r}") from None
                if curve and e <= curve[-1][0]:
                    raise PdpError(f"run folder '{folder}': error.csv line {k}: epoch {e} does not follow "
                                   f"epoch {curve[-1][0]}")
                curve.append((e, v))
    except UnicodeDecodeError as e:
        raise PdpError(f"run folder '{folder}': error.csv is not text ({e})") from None
    return curve


def _restore_checkpoint(net: Network, folder: Path, epoch: int) -> bool:
    """Momentum, the update rules' state and the generator from the run's own final checkpoint, when
    it holds exactly the weights loaded, so that training goes on as the run would have."""
    from pdpsim.records.checkpoint import SEP, load_checkpoint, restore
    if not (folder / "checkpoint.json").is_file():
        return False
    try:
        ckpt = load_checkpoint(folder)
    except PdpError:
        return False
    if ckpt is None or ckpt.epoch != epoch:
        return False
    for b in net.blocks:
        w = ckpt.arrays.get(f"weights{SEP}{b.name}")
        if w is None or w.shape != b.weights.shape or not np.array_equal(w, b.weights):
            return False
    try:
        restore(net, ckpt)
    except PdpError:
        return False
    return True


# ---------------------------------------------------------------- helpers
def _layers(net: Network) -> dict[str, int]:
    """Rows of the drawing: the longest path from an input to each group, links that
    close a loop (found going forward from the inputs) left out."""
    senders: dict[str, list[str]] = {name: [] for name in net.groups}
    state: dict[str, int] = {}                   # 1 = on the current path, 2 = done

    def visit(g) -> None:
        state[g.name] = 1
        for b in g.outgoing:
            dst = b.dest
            if dst is g or state.get(dst.name) == 1:
                continue                         # a self link or a back link
            senders[dst.name].append(g.name)
            if dst.name not in state:
                visit(dst)
        state[g.name] = 2

    starts = [g for g in net.groups.values() if g.kind in ("INPUT", "CONTEXT")]
    for g in starts + [g for g in net.groups.values() if g.kind != "BIAS"]:
        if g.name not in state:
            visit(g)
    depth: dict[str, int] = {}
    for name in _topological(senders):
        depth[name] = max((depth[s] + 1 for s in senders[name]), default=0)
    return depth


#: the network drawing's measures, in CSS pixels. Labels are drawn in a monospace font whose
#: letters are at most this wide (the page: 11 px and 9 px DejaVu Sans Mono-like fonts, 0.6 em a letter)
LAYOUT = {"group_char": 7.0, "unit_char": 6.0, "group_font": 11, "unit_font": 9, "title_h": 16, "label_h": 11,
          "pad": 6, "gap": 4, "group_gap": 24, "row_gap": 18, "max_width": 720, "unit_labels_up_to": 32,
          "label_chars": 12}


def _unit_label(group: str, name: str, limit: int) -> str:
    """A unit's label under it: its name, less its group's (``hidden:3`` in group hidden: ``3``)."""
    text = name[len(group) + 1:] if name.startswith(group + ":") and len(name) > len(group) + 1 else name
    return text if len(text) <= limit else text[:limit - 1] + "…"


def network_layout(net: Network, layers: dict[str, int] | None = None) -> dict:
    """Where the page draws each group, unit and label: boxes ``{x, y, w, h}`` in pixels.

    Groups stand in rows by layer (outputs at the top), left to right, a row wrapping when it
    would pass ``LAYOUT["max_width"]``. A group is its title above a grid of units; groups of up
    to ``LAYOUT["unit_labels_up_to"]`` units (not the bias) write each unit's name under it (its group's prefix
    left out, at most ``LAYOUT["label_chars"]`` letters). Every label's box is as wide as its
    text at the page's font, columns are as wide as their widest label, and no box overlaps
    another: no label can cover a label or a unit.
    """
    L = LAYOUT
    layers = layers if layers is not None else _layers(net)
    pad, gap = L["pad"], L["gap"]
    shapes = {}
    for g in net.groups.values():
        size = 32 if g.size <= 16 else 20 if g.size <= 64 else 12
        labelled = g.size <= L["unit_labels_up_to"] and g.kind != "BIAS"
        texts = [_unit_label(g.name, n, L["label_chars"]) for n in g.unit_names] if labelled else []
        label_w = max((len(t) for t in texts), default=0) * L["unit_char"]
        pitch_w = max(size, label_w) + gap
        pitch_h = size + (L["label_h"] + 1 if labelled else 0) + gap
        cols = g.size if g.size <= 16 else int(np.ceil(np.sqrt(g.size)))
        cols = max(1, min(cols, int((L["max_width"] - 2 * pad + gap) // pitch_w)))
        rows = -(-g.size // cols)
        grid_w, grid_h = cols * pitch_w - gap, rows * pitch_h - gap
        title = f"{g.name}  {g.kind.lower()} · {g.size} · {g.function.name.lower()}"
        title_w = len(title) * L["group_char"]
        w = max(title_w, grid_w) + 2 * pad
        h = pad + L["title_h"] + gap + grid_h + pad
        shapes[g.name] = dict(size=size, texts=texts, pitch=(pitch_w, pitch_h), cols=cols, grid=(grid_w, grid_h),
                              title=title, title_w=title_w, w=w, h=h)
    # rows of the drawing: layers from the top (outputs) down, each wrapped to the width
    lines: list[list[str]] = []
    for k in sorted(set(layers.get(n, 0) for n in net.groups), reverse=True):
        line: list[str] = []
        width = 0.0
        for n in net.groups:
            if layers.get(n, 0) != k:
                continue
            add = shapes[n]["w"] + (L["group_gap"] if line else 0)
            if line and width + add > L["max_width"]:
                lines.append(line)
                line, width, add = [], 0.0, shapes[n]["w"]
            line.append(n)
            width += add
        if line:
            lines.append(line)
    widths = [sum(shapes[n]["w"] for n in line) + L["group_gap"] * (len(line) - 1) for line in lines]
    total_w = max(widths, default=0.0)
    out: dict = {}
    y = 0.0
    for line, lw in zip(lines, widths):
        x = (total_w - lw) / 2
        line_h = max(shapes[n]["h"] for n in line)
        for n in line:
            sh = shapes[n]
            gy = y + (line_h - sh["h"])                       # groups of a row share their bottom edge
            box = {"x": x, "y": gy, "w": sh["w"], "h": sh["h"]}
            label = {"x": x + pad, "y": gy + pad, "w": sh["title_w"], "h": L["title_h"], "text": sh["title"]}
            gx = x + pad + (sh["w"] - 2 * pad - sh["grid"][0]) / 2
            top = gy + pad + L["title_h"] + gap
            pw, ph = sh["pitch"]
            inner = pw - gap
            units = []
            for i in range(net.group(n).size):
                r, c = divmod(i, sh["cols"])
                cx, cy = gx + c * pw, top + r * ph
                ubox = {"x": cx + (inner - sh["size"]) / 2, "y": cy, "w": sh["size"], "h": sh["size"]}
                ulabel = None
                if sh["texts"]:
                    ulabel = {"x": cx, "y": cy + sh["size"] + 1, "w": inner, "h": L["label_h"],
                              "text": sh["texts"][i]}
                units.append({"box": ubox, "label": ulabel})
            out[n] = {"box": box, "label": label, "units": units}
            x += sh["w"] + L["group_gap"]
        y += line_h + L["row_gap"]
    return {"width": total_w, "height": max(0.0, y - L["row_gap"]), "groups": out,
            "char_width": {"group": L["group_char"], "unit": L["unit_char"]},
            "font_px": {"group": L["group_font"], "unit": L["unit_font"]}}


def _topological(senders: dict[str, list[str]]) -> list[str]:
    done: list[str] = []
    seen: set[str] = set()

    def visit(name: str) -> None:
        if name in seen:
            return
        seen.add(name)
        for s in senders[name]:
            visit(s)
        done.append(name)

    for name in senders:
        visit(name)
    return done


def _nan(shape) -> np.ndarray:
    return np.full(shape, np.nan)


# ---------------------------------------------------------------- the session
class ViewerSession:
    """One model being viewed and trained (see the module docstring)."""

    def __init__(self, model: Model, source: str = "<python>", epoch: int = 0,
                 errors: list[tuple[int, float]] | None = None):
        net = model.network
        if net.ensemble:
            raise PdpError(f"network '{net.name}': the viewer shows one network, not an ensemble")
        self.model = model
        self.net: Network = net
        self.examples: ExampleSet = model.examples
        self.params: TrainingParams = model.training
        self.source = source
        self.mode = None if net.time is None else net.time.mode      # None, "continuous", "srn"
        self.lock = threading.RLock()          # the network's arrays
        self._status = threading.Lock()        # counters and the error curve
        self._initial_weights = net.get_weights()
        self._initial_rng = net.rng.bit_generator.state
        self._initial_seed = net.seed
        self._initial_state = {b.name: (b.last_change.copy(), {k: np.array(v, copy=True)
                                                               for k, v in b.rule_state.items()})
                               for b in net.blocks}
        self._initial_epoch = int(epoch)
        self._initial_errors = [(int(e), float(v)) for e, v in (errors or [])]
        self.epoch = self._initial_epoch
        self.version = 0
        self.errors: list[tuple[int, float]] = list(self._initial_errors)
        self.watches: dict[int, dict] = {}     # graphs: what each follows and its history
        self._next_watch = 1
        self.stopped: str | None = None
        self.message: str | None = None
        self.target: int | None = None
        self._thread: threading.Thread | None = None
        self._stepping = False
        self._stop = threading.Event()
        self._snapshot: Snapshot | None = None
        self._layers = _layers(net)
        self._layout = network_layout(net, self._layers)
        self.snapshot()                        # check the examples against the network now

    # ------------------------------------------------------------ lookups
    def example_index(self, name: str | None = None, index: str | int | None = None) -> int:
        n = len(self.examples)
        if name is not None and index is not None:
            raise ViewerError("give 'example' (a name) or 'index', not both")
        if name is not None:
            try:
                return self.examples.names.index(str(name))
            except ValueError:
                raise NotFound(f"no example named '{name}' (examples: {_listing(self.examples.names)})") from None
        if index is not None:
            i = _int(index, "index")
            if not 0 <= i < n:
                raise NotFound(f"no example {i}: there are {n} examples (0..{n - 1})")
            return i
        return 0

    def group(self, name: str):
        if name not in self.net.groups:
            raise NotFound(f"no group '{name}' (groups: {', '.join(self.net.groups)})")
        return self.net.groups[name]

    def block(self, name: str):
        for b in self.net.blocks:
            if b.name == name:
                return b
        raise NotFound(f"no link block '{name}' (blocks: {', '.join(b.name for b in self.net.blocks)})")

    # ------------------------------------------------------------ description
    def describe(self) -> dict:
        net = self.net
        groups = []
        for g in net.groups.values():
            groups.append({
                "name": g.name, "kind": g.kind, "size": g.size, "unit_names": list(g.unit_names),
                "function": g.function.name, "error": g.error.name if g.error else None,
                "integration": g.integration, "layer": self._layers.get(g.name, 0),
                "has_targets": g.has_targets, "set_from_outside": g.kind in SET_FROM_OUTSIDE,
            })
        blocks = [{"name": b.name, "source": b.source.name, "dest": b.dest.name,
                   "rows": int(b.weights.shape[-2]), "cols": int(b.weights.shape[-1]), "frozen": bool(b.frozen)}
                  for b in net.blocks]
        snap = self.snapshot()
        time_info = None
        if self.mode == "continuous":
            time_info = {"mode": "continuous", "step": "tick", "ticks_per_interval": net.time.ticks_per_interval}
        elif self.mode == "srn":
            time_info = {"mode": "srn", "step": "event"}
        return {
            "name": net.name, "source": self.source, "seed": self._initial_seed,
            "groups": groups, "blocks": blocks,
            "examples": list(self.examples.names), "example_set": self.examples.name,
            "example_sets": self.example_sets(),
            "last_step": [int(s) for s in snap.last_step],
            "time": time_info, "values": list(VALUES), "value_labels": VALUE_LABELS,
            "training": self.params.to_dict(), "max_run_epochs": MAX_RUN_EPOCHS,
            "derivs_per_tick": snap.derivs, "layout": self._layout, "watch_values": list(WATCH_VALUES),
            "max_watches": MAX_WATCHES,
        }

    # ------------------------------------------------------------ views
    def snapshot(self) -> Snapshot:
        """The views' values at the current weights (cached until they change)."""
        with self.lock:
            snap = self._snapshot
            if snap is not None and snap.version == self.version:
                return snap
            snap = self._compute_snapshot()
            self._snapshot = snap
            return snap

    def _compute_snapshot(self) -> Snapshot:
        with self.lock:
            rng_state = self.net.rng.bit_generator.state       # noise in a view must not change training
            try:
                if self.mode == "continuous":
                    return self._snapshot_continuous()
                if self.mode == "srn":
                    return self._snapshot_srn()
                return self._snapshot_static()
            finally:
                self.net.rng.bit_generator.state = rng_state

    def _copy_state(self, g) -> dict[str, np.ndarray]:
        out = {"output": np.array(g.output, dtype=float), "net_input": np.array(g.net_input, dtype=float)}
        out["target"] = np.array(g.target, dtype=float) if g.has_targets else _nan(g.output.shape)
        if g.kind in SET_FROM_OUTSIDE:
            out["output_deriv"] = _nan(g.output.shape)
            out["input_deriv"] = _nan(g.output.shape)
        else:
            out["output_deriv"] = np.array(g.output_deriv, dtype=float)
            out["input_deriv"] = np.array(g.input_deriv, dtype=float)
        return out

    def _snapshot_static(self) -> Snapshot:
        net, xs = self.net, self.examples
        inputs, targets = feedforward_arrays(net, xs)
        net.forward(inputs)
        net.set_targets(targets)
        errors = np.asarray(net.error(), dtype=float)
        net.backward()
        values = {g.name: {k: v[None] for k, v in self._copy_state(g).items()} for g in net.groups.values()}
        if self.params.rule == "hebb":
            net.hebbian_deriv()
        wd = {b.name: np.array(b.weight_deriv, dtype=float) for b in net.blocks}
        return Snapshot(self.version, np.zeros(len(xs), dtype=int), values, errors, wd, True)

    def _snapshot_continuous(self) -> Snapshot:
        from pdpsim.dynamics.unfolding import run_examples
        net, xs = self.net, self.examples
        errors, unf, sched = run_examples(net, xs)
        T = sched.ticks
        values = {}
        for g in net.groups.values():
            v = {"output": np.array(g.output_history, dtype=float),
                 "net_input": np.array(g.net_input_history, dtype=float)}
            v["target"] = (np.array(sched.targets[g.name], dtype=float) if g.name in sched.targets
                           else _nan(v["output"].shape))
            v["output_deriv"] = _nan(v["output"].shape)
            v["input_deriv"] = _nan(v["output"].shape)
            values[g.name] = v
        # dE/da and dE/dn of every tick, kept as backpropagation through time computes them
        unf.backward(sched, keep_derivs=True)
        ran = {da.shape[0] - 1 for da, _dn in unf.deriv_history.values()}
        derivs = ran <= {T}                                          # (events ended early: ticks differ)
        if derivs:
            for g in unf.computed:
                da, dn = unf.deriv_history[g.name]
                values[g.name]["output_deriv"][1:T + 1] = da[1:T + 1]
                values[g.name]["input_deriv"][1:T + 1] = dn[1:T + 1]
        active = np.asarray(sched.active)                            # (T + 1, B)
        last_step = active.sum(axis=0).astype(int) - 1
        for v in values.values():
            for arr in v.values():
                arr[~active] = np.nan                                # ticks after an example ended
        wd = {b.name: np.array(b.weight_deriv, dtype=float) for b in net.blocks}
        return Snapshot(self.version, last_step, values, np.asarray(errors, dtype=float), wd, derivs)

    def _snapshot_srn(self) -> Snapshot:
        net, xs = self.net, self.examples
        events = SrnExamples(net, xs)
        n, E = len(xs), xs.max_events
        idx = np.arange(n)
        values = {g.name: {k: _nan((E, n, g.size)) for k in VALUES} for g in net.groups.values()}
        wd = {b.name: np.zeros(b.weights.shape) for b in net.blocks}
        errors = np.zeros(n)
        for e in range(E):
            here = events.present[:, e]
            errors += np.where(here, events.event(idx, e), 0.0)
            net.backward()
            for b in net.blocks:
                wd[b.name] += b.weight_deriv
            for g in net.groups.values():
                for k, arr in self._copy_state(g).items():
                    values[g.name][k][e] = np.where(here[:, None], arr, np.nan)
        return Snapshot(self.version, xs.n_events.astype(int) - 1, values, errors, wd, True)

    def state(self, example: str | None = None, tick: str | int | None = None, index=None) -> dict:
        """Every group's values for one example at one tick (event); the last one by default."""
        i = self.example_index(example, index)
        snap = self.snapshot()
        last = int(snap.last_step[i])
        t = last if tick is None or tick == "" else _int(tick, "tick")
        if not 0 <= t <= last:
            what = "event" if self.mode == "srn" else "tick"
            raise ViewerError(f"{what} {t} is out of range: example '{self.examples.names[i]}' has "
                              f"{what}s 0..{last}")
        groups = {g: {k: arr[t, i] for k, arr in v.items()} for g, v in snap.values.items()}
        return {"version": snap.version, "epoch": self.epoch, "example": self.examples.names[i], "index": i,
                "tick": t, "last_step": last, "error": float(snap.errors[i]), "total_error": float(snap.errors.sum()),
                "groups": groups}

    def block_view(self, name: str, view: str = "weights") -> dict:
        """A link block's weights (``view="weights"``) or dE/dw over all examples (``"deriv"``)."""
        if view not in ("weights", "deriv"):
            raise ViewerError(f"view must be 'weights' or 'deriv', got '{view}'")
        b = self.block(name)
        with self.lock:
            if view == "weights":
                m = np.array(b.weights, dtype=float)
                version = self.version
            else:
                snap = self.snapshot()
                m = snap.weight_deriv[b.name]
                version = snap.version
        finite = m[np.isfinite(m)]
        return {"name": b.name, "source": b.source.name, "dest": b.dest.name, "view": view,
                "version": version, "epoch": self.epoch,
                "row_names": list(b.source.unit_names), "col_names": list(b.dest.unit_names),
                "values": m, "max_abs": float(np.abs(finite).max()) if finite.size else 0.0,
                "frozen": bool(b.frozen)}

    def representations(self, group: str, method: str = "mds") -> dict:
        """Euclidean dissimilarities of ``group``'s outputs over the examples, and a 2-D projection.

        Networks in time: the outputs at each example's last tick (event).
        """
        if method not in ("mds", "pca"):
            raise ViewerError(f"method must be 'mds' or 'pca', got '{method}'")
        g = self.group(group)
        snap = self.snapshot()
        out = snap.values[g.name]["output"]
        idx = np.arange(out.shape[1])
        if out.shape[1] == 1 and snap.last_step[0] >= 1:
            # one example in time (a stream, as Elman's): its events (ticks) are the patterns,
            # the first REPRESENTATION_STEPS of them
            what = "event" if self.mode == "srn" else "tick"
            steps = np.arange(min(int(snap.last_step[0]) + 1, REPRESENTATION_STEPS))
            x = out[steps, 0]
            names = [f"{what} {t}" for t in steps]
            when = f"{what}s 0-{steps[-1]} of example '{self.examples.names[0]}'"
        else:
            x = out[snap.last_step, idx]                               # (n_examples, units)
            names = list(self.examples.names)
            when = "end of each example" if self.mode else "current weights"
        d, coords, extra = _project(x, method)
        return {"group": g.name, "method": method, "names": names,
                "patterns": x, "dissimilarity": d, "coords": coords, "version": snap.version, "epoch": self.epoch,
                "when": when, **extra}

    # ------------------------------------------------------------ training
    @property
    def running(self) -> bool:
        t = self._thread
        return t is not None and t.is_alive()

    def training_status(self, since: str | int | None = None) -> dict:
        s = -1 if since is None or since == "" else _int(since, "since")
        with self._status:
            errs = self.errors[bisect.bisect_right(self.errors, s, key=_first):] if s >= 0 else list(self.errors)
            return {"epoch": self.epoch, "version": self.version, "running": self.running,
                    "target": self.target if self.running else None, "stopped": self.stopped,
                    "message": self.message,
                    "error": self.errors[-1][1] if self.errors else None,
                    "errors": [[e, v] for e, v in errs]}

    def _train_chunk(self, k: int) -> str:
        """Train ``k`` epochs now (caller holds no lock); return why train() stopped.

        With graphs open, every epoch ends with their values recorded (a callback, so the
        engine goes one epoch at a time; the weights are those of training without it)."""
        with self.lock:
            callbacks = [self._watch_callback] if self.watches else []
            res = train(self.net, self.examples, self.params, max_epochs=self.epoch + k, start_epoch=self.epoch,
                        callbacks=callbacks)
            with self._status:
                for e, v in zip(res.epochs.tolist(), res.errors.tolist(), strict=True):
                    self.errors.append((int(e), float(v)))
                if len(res.epochs):
                    self.epoch = int(res.epochs[-1])
                self.version += 1
            if self.watches:
                self._record(self.epoch)       # the last epoch (no callback after one that met a criterion)
        return res.stopped

    # ------------------------------------------------------------ graphs of any value over training
    def watch(self, what: dict) -> dict:
        """Follow one value over training, as Lens's graphs do: recorded now and after every epoch.

        ``what``: ``{"value": V, ...}`` with V one of ``output``, ``net_input``, ``target``,
        ``output_deriv``, ``input_deriv`` (also ``group``, ``unit`` (index or name), and
        ``example`` (name; or ``index``) and ``tick``, default the first example at its last
        tick), ``error`` (``example``: that example's error; none: the total), or ``weight``
        (``block`` "SOURCE->DEST", ``from`` and ``to`` units, index or name). Values are at the
        weights after each epoch.
        """
        spec = self._watch_spec(what)
        with self.lock:
            with self._status:
                if len(self.watches) >= MAX_WATCHES:
                    raise ViewerError(f"at most {MAX_WATCHES} graphs at a time: close one first")
                wid = self._next_watch
                self._next_watch += 1
                self.watches[wid] = {**spec, "id": wid, "history": []}
            self._record(self.epoch, only=wid)
        return self.history(wid)

    def unwatch(self, wid) -> dict:
        i = _int(wid, "id")
        with self._status:
            if i not in self.watches:
                raise NotFound(f"no graph {i} (graphs: {', '.join(map(str, self.watches)) or 'none'})")
            del self.watches[i]
        return self.watch_list()

    def watch_list(self) -> dict:
        with self._status:
            return {"watches": [{"id": w["id"], "label": w["label"], "what": w["what"]} for w in self.watches.values()]}

    def history(self, wid, since: str | int | None = None) -> dict:
        """A graph's values so far: ``[[epoch, value], ...]`` (after epoch ``since``)."""
        i = _int(wid, "id")
        s = -1 if since is None or since == "" else _int(since, "since")
        with self._status:
            w = self.watches.get(i)
            if w is None:
                raise NotFound(f"no graph {i} (graphs: {', '.join(map(str, self.watches)) or 'none'})")
            hist = w["history"][bisect.bisect_right(w["history"], s, key=_first):] if s >= 0 else list(w["history"])
            return {"id": i, "label": w["label"], "what": w["what"], "epoch": self.epoch,
                    "history": [[e, v] for e, v in hist]}

    def _watch_callback(self, epoch: int, error: float, net) -> bool:
        self._record(int(epoch), current=True)
        return False

    def _record(self, epoch: int, only: int | None = None, current: bool = False) -> None:
        """Append each graph's value at ``epoch`` (the network's weights now). ``current``: in the
        middle of a training chunk, where the cached views are out of date."""
        with self.lock:
            with self._status:
                todo = [w for i, w in self.watches.items()
                        if (only is None or i == only) and not w.get("external")]   # (external: recorded by their owner)
            if not todo:
                return
            snap = None
            if any(w["kind"] != "weight" for w in todo):
                snap = self._compute_snapshot() if current else self.snapshot()
            values = []
            for w in todo:
                if w["kind"] == "weight":
                    v = float(self.net.block(w["source"], w["dest"]).weights[w["row"], w["col"]])
                elif w["kind"] == "error":
                    v = float(snap.errors.sum() if w["example"] is None else snap.errors[w["example"]])
                else:
                    arr = snap.values[w["group"]][w["kind"]]
                    t = int(snap.last_step[w["example"]]) if w["tick"] is None else w["tick"]
                    v = float(arr[t, w["example"], w["unit"]]) if t <= snap.last_step[w["example"]] else float("nan")
                values.append(v)
            self._store_history(todo, values, epoch)

    def _store_history(self, todo: list, values: list, epoch: int) -> None:
        """Each graph's ``(epoch, value)`` point: replaces the last one if it is at ``epoch``, else appended."""
        with self._status:
            for w, v in zip(todo, values):
                h = w["history"]
                if h and h[-1][0] == epoch:
                    h[-1] = (epoch, v)
                else:
                    h.append((epoch, v))

    def _watch_spec(self, what) -> dict:
        if not isinstance(what, dict):
            raise ViewerError("describe the value to graph as a JSON object")
        value = what.get("value")
        if value not in WATCH_VALUES:
            raise ViewerError(f"value must be one of {', '.join(WATCH_VALUES)}, got {value!r}")
        allowed = {"error": ("example", "index"), "weight": ("block", "from", "to")}.get(
            value, ("group", "unit", "example", "index", "tick"))
        unknown = sorted(set(what) - {"value", *allowed})
        if unknown:
            raise ViewerError(f"unknown key(s) {', '.join(repr(k) for k in unknown)} for a graph of {value} "
                              f"(expected: value, {', '.join(allowed)})")
        if value == "weight":
            if "block" not in what:
                raise ViewerError("give the link block as \"block\": \"SOURCE->DEST\"")
            b = self.block(str(what["block"]))
            if "from" not in what or "to" not in what:
                raise ViewerError("give 'from' and 'to': the sending and the receiving unit (index or name)")
            row = self._unit_index(b.source, what["from"])
            col = self._unit_index(b.dest, what["to"])
            label = f"weight {b.source.unit_names[row]} -> {b.dest.unit_names[col]}"
            return {"kind": "weight", "source": b.source.name, "dest": b.dest.name, "row": row, "col": col,
                    "label": label, "what": {"value": "weight", "block": b.name, "from": b.source.unit_names[row],
                                             "to": b.dest.unit_names[col]}}
        example = None
        if "example" in what or "index" in what:
            example = self.example_index(None if what.get("example") is None else str(what["example"]),
                                         what.get("index"))
        if value == "error":
            if example is None:
                return {"kind": "error", "example": None, "label": "error (all examples)",
                        "what": {"value": "error"}}
            name = self.examples.names[example]
            return {"kind": "error", "example": example, "label": f"error of example {name}",
                    "what": {"value": "error", "example": name}}
        if "group" not in what or "unit" not in what:
            raise ViewerError("give the unit: \"group\" and \"unit\" (an index or a unit name)")
        g = self.group(str(what["group"]))
        unit = self._unit_index(g, what["unit"])
        example = 0 if example is None else example
        snap = self.snapshot()
        last = int(snap.last_step[example])
        tick = None
        if what.get("tick") is not None and what.get("tick") != "":
            tick = _int(what["tick"], "tick")
            if not 0 <= tick <= last:
                step = "event" if self.mode == "srn" else "tick"
                raise ViewerError(f"{step} {tick} is out of range: example '{self.examples.names[example]}' has "
                                  f"{step}s 0..{last}")
        name = self.examples.names[example]
        when = "" if self.mode is None else (f", {'event' if self.mode == 'srn' else 'tick'} {tick}" if tick is not None
                                             else ", last tick" if self.mode == "continuous" else ", last event")
        label = f"{VALUE_LABELS[value]} of {g.unit_names[unit]}, example {name}{when}"
        out = {"value": value, "group": g.name, "unit": g.unit_names[unit], "example": name}
        if tick is not None:
            out["tick"] = tick
        return {"kind": value, "group": g.name, "unit": unit, "example": example, "tick": tick,
                "label": label, "what": out}

    def _unit_index(self, g, unit) -> int:
        """A unit of group ``g`` by index or by name."""
        if isinstance(unit, str) and unit in g.unit_names:
            return g.unit_names.index(unit)
        try:
            i = _int(unit, "unit")
        except ViewerError:
            raise NotFound(f"no unit {unit!r} in group '{g.name}' (units: {_listing(list(g.unit_names))})") from None
        if not 0 <= i < g.size:
            raise NotFound(f"no unit {i} in group '{g.name}': it has {g.size} units (0..{g.size - 1})")
        return i

    # ------------------------------------------------------------ one unit
    def unit(self, group: str, unit) -> dict:
        """One unit's incoming and outgoing links: the weight and the unit at the other end of each."""
        g = self.group(group)
        i = self._unit_index(g, unit)
        incoming, outgoing = [], []
        with self.lock:
            for b in self.net.blocks:
                w = np.asarray(b.weights, dtype=float)
                mask = b.mask
                if b.dest is g:
                    for k in range(w.shape[0]):
                        if mask is None or mask[k, i]:
                            incoming.append({"block": b.name, "group": b.source.name, "unit": b.source.unit_names[k],
                                             "index": k, "weight": float(w[k, i]), "frozen": bool(b.frozen)})
                if b.source is g:
                    for k in range(w.shape[1]):
                        if mask is None or mask[i, k]:
                            outgoing.append({"block": b.name, "group": b.dest.name, "unit": b.dest.unit_names[k],
                                             "index": k, "weight": float(w[i, k]), "frozen": bool(b.frozen)})
            version, epoch = self.version, self.epoch
        return {"group": g.name, "index": i, "name": g.unit_names[i], "kind": g.kind, "version": version,
                "epoch": epoch, "incoming": incoming, "outgoing": outgoing}

    def step(self, epochs: int = 1) -> dict:
        """Train ``epochs`` epochs (default one) in the caller's thread; refused while running."""
        epochs = _epochs(epochs)
        with self._status:
            if self.running or self._stepping:
                raise Busy("training is running; pause it first")
            self._stepping = True
            self.stopped = None
            self.message = None
        try:
            why = self._train_chunk(epochs)
        finally:
            with self._status:
                self._stepping = False
        with self._status:
            self.stopped = why if why != "max_epochs" else None
        return self.training_status(since=self.epoch - epochs)

    def start(self, epochs: int) -> dict:
        """Train ``epochs`` more epochs in a background thread; return at once."""
        epochs = _epochs(epochs)
        with self._status:
            if self.running or self._stepping:
                raise Busy("training is already running; pause it first")
            self._stop.clear()
            self.stopped = None
            self.message = None
            self.target = self.epoch + epochs
            self._thread = threading.Thread(target=self._worker, args=(self.target,), name="pdpsim-view-train",
                                            daemon=True)
            self._thread.start()
        return self.training_status(since=self.epoch)

    def _worker(self, target: int) -> None:
        chunk = 1
        why = "max_epochs"
        try:
            while not self._stop.is_set() and self.epoch < target:
                k = min(chunk, target - self.epoch)
                t0 = time.perf_counter()
                why = self._train_chunk(k)
                took = time.perf_counter() - t0
                if why != "max_epochs":
                    break
                if took < CHUNK_SECONDS / 2:
                    chunk *= 2
                elif took > CHUNK_SECONDS * 2 and chunk > 1:
                    chunk //= 2
                time.sleep(0.001)              # let the views take the lock
            with self._status:
                if why != "max_epochs":
                    self.stopped = why
                elif self._stop.is_set() and self.epoch < target:
                    self.stopped = "paused"
                else:
                    self.stopped = "done"
        except Exception as e:          # noqa: BLE001 - reported to the page, never lost
            with self._status:
                self.stopped = "failed"
                self.message = f"{type(e).__name__}: {e}"

    def pause(self, timeout: float = 10.0) -> dict:
        """Stop a background run after its current chunk."""
        self._stop.set()
        t = self._thread
        if t is not None:
            t.join(timeout)
        return self.training_status(since=self.epoch)

    def reset(self, seed: int | None = None) -> dict:
        """Back to where the session started (the starting weights at epoch 0, or a run folder's
        trained state at its last epoch, with its curve), or to fresh random weights drawn with
        ``seed`` at epoch 0. Graphs start again from there."""
        seed = _seed(seed, 63)
        self.pause()
        with self.lock:
            if self.running:
                raise Busy("training did not stop; try again")
            net = self.net
            for b in net.blocks:
                b.rule_state.clear()
                b.last_change[...] = 0.0
            if seed is None:
                net.set_weights(self._initial_weights, source="starting weights")
                net.rng.bit_generator.state = self._initial_rng
                net.seed = self._initial_seed
                for b in net.blocks:
                    change, state = self._initial_state[b.name]
                    b.last_change[...] = change
                    b.rule_state.update({k: v.copy() for k, v in state.items()})
            else:
                net.randomize(seed)
            with self._status:
                self.epoch = self._initial_epoch if seed is None else 0
                self.errors = list(self._initial_errors) if seed is None else []
                self.stopped = None
                self.message = None
                self.version += 1
                for w in self.watches.values():
                    w["history"] = []
            self._record(self.epoch)
        return self.training_status()

    def example_sets(self) -> list[str]:
        """The example sets the views may show (one here; a Lens script's session may hold several)."""
        return [self.examples.name]

    def use_examples(self, name: str) -> dict:
        """Show example set ``name`` (:meth:`example_sets`); the model as :meth:`describe` gives it."""
        if name != self.examples.name:
            raise NotFound(f"no example set '{name}' (example sets: {', '.join(self.example_sets())})")
        return self.describe()

    def close(self) -> None:
        self.pause(timeout=5.0)


# ---------------------------------------------------------------- small helpers
def _first(pair):
    return pair[0]


def _listing(names: list[str], limit: int = 12) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f", ... ({len(names)} in all)" if len(names) > limit else "")


def _seed(value, bits: int, note: str = ""):
    """A ``reset``'s seed: None, or an integer in 0 .. 2**``bits``-1 (``note``: after the range in the message)."""
    if value is None:
        return None
    seed = _int(value, "seed")
    if not 0 <= seed < 2 ** bits:
        raise ViewerError(f"seed must be an integer in 0..2**{bits}-1{note}, got {seed}")
    return seed


def _int(value, what: str) -> int:
    if isinstance(value, bool):
        raise ViewerError(f"{what} must be an integer, got {value!r}")
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        s = value.strip()
        if s.lstrip("+-").isdigit() and len(s) <= 20:
            return int(s)
    raise ViewerError(f"{what} must be an integer, got {value!r}")


def _epochs(value) -> int:
    n = _int(value, "epochs")
    if not 1 <= n <= MAX_RUN_EPOCHS:
        raise ViewerError(f"epochs must be between 1 and {MAX_RUN_EPOCHS}, got {n}")
    return n


def _project(x: np.ndarray, method: str) -> tuple[np.ndarray, np.ndarray, dict]:
    """Euclidean dissimilarities and a 2-D projection (pdpsim.analysis when present)."""
    n = x.shape[0]
    try:
        from pdpsim import analysis
        d = analysis.dissimilarity(x, "euclidean")
        if n < 2:
            return d, np.zeros((n, 2)), {}
        if method == "pca":
            p = analysis.pca(x, 2)
            return d, p.coords, {"explained": p.explained}
        p = analysis.mds(dissimilarities=d, n_components=2, seed=0)
        return d, p.coords, {"stress": p.stress}
    except (ImportError, AttributeError):
        pass
    from scipy.spatial.distance import pdist, squareform
    d = squareform(pdist(x, "euclidean")) if n > 1 else np.zeros((n, n))
    if n < 2 or not np.any(d > 0):
        return d, np.zeros((n, 2)), {}
    if method == "pca":
        from sklearn.decomposition import PCA
        k = min(2, n, x.shape[1])
        pca = PCA(n_components=k).fit(x)
        coords = np.zeros((n, 2))
        coords[:, :k] = pca.transform(x)
        explained = np.zeros(2)
        explained[:k] = pca.explained_variance_ratio_
        return d, coords, {"explained": explained}
    import inspect
    import warnings
    from sklearn.manifold import MDS
    params = inspect.signature(MDS.__init__).parameters
    kw = dict(n_components=2, random_state=0, n_init=4)
    if "metric_mds" in params:
        kw.update(metric_mds=True, metric="precomputed", init="random")
    else:
        kw.update(metric=True, dissimilarity="precomputed")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        model = MDS(**kw)
        coords = model.fit_transform(d)
    return d, coords, {"stress": float(model.stress_)}
