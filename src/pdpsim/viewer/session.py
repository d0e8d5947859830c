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
    """A session for a spec (file or shipped name) or a run folder from ``pdpsim train --out``.

    A run folder's ``run.json`` gives the spec, its seed and the training
    parameters used; its ``weights.npz`` (the trained weights) is loaded unless
    ``weights`` names another file. Everything is read here, once.
    """
    p = Path(str(source))
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
        if weights is None and (p / "weights.npz").is_file():
            weights = p / "weights.npz"
        label = f"run {p}"
    else:
        model = load(source, seed=seed)
        label = str(source)
    if weights is not None:
        load_weights(model.network, weights)
        label += f" with weights {weights}"
    return ViewerSession(model, source=label)


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

    def __init__(self, model: Model, source: str = "<python>"):
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
        self.epoch = 0
        self.version = 0
        self.errors: list[tuple[int, float]] = []
        self.stopped: str | None = None
        self.message: str | None = None
        self.target: int | None = None
        self._thread: threading.Thread | None = None
        self._stepping = False
        self._stop = threading.Event()
        self._snapshot: Snapshot | None = None
        self._layers = _layers(net)
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
            "last_step": [int(s) for s in snap.last_step],
            "time": time_info, "values": list(VALUES), "value_labels": VALUE_LABELS,
            "training": self.params.to_dict(), "max_run_epochs": MAX_RUN_EPOCHS,
            "derivs_per_tick": snap.derivs,
        }

    # ------------------------------------------------------------ views
    def snapshot(self) -> Snapshot:
        """The views' values at the current weights (cached until they change)."""
        with self.lock:
            snap = self._snapshot
            if snap is not None and snap.version == self.version:
                return snap
            rng_state = self.net.rng.bit_generator.state       # noise in a view must not change training
            try:
                if self.mode == "continuous":
                    snap = self._snapshot_continuous()
                elif self.mode == "srn":
                    snap = self._snapshot_srn()
                else:
                    snap = self._snapshot_static()
            finally:
                self.net.rng.bit_generator.state = rng_state
            self._snapshot = snap
            return snap

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
        """Train ``k`` epochs now (caller holds no lock); return why train() stopped."""
        with self.lock:
            res = train(self.net, self.examples, self.params, max_epochs=self.epoch + k, start_epoch=self.epoch)
            with self._status:
                for e, v in zip(res.epochs.tolist(), res.errors.tolist(), strict=True):
                    self.errors.append((int(e), float(v)))
                if len(res.epochs):
                    self.epoch = int(res.epochs[-1])
                self.version += 1
        return res.stopped

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
        """Back to epoch 0: the starting weights, or fresh random weights drawn with ``seed``."""
        if seed is not None:
            seed = _int(seed, "seed")
            if not 0 <= seed < 2 ** 63:
                raise ViewerError(f"seed must be an integer in 0..2**63-1, got {seed}")
        self.pause()
        with self.lock:
            if self.running:
                raise Busy("training did not stop; try again")
            net = self.net
            if seed is None:
                net.set_weights(self._initial_weights, source="starting weights")
                net.rng.bit_generator.state = self._initial_rng
                net.seed = self._initial_seed
            else:
                net.randomize(seed)
            for b in net.blocks:
                b.rule_state.clear()
                b.last_change[...] = 0.0
            with self._status:
                self.epoch = 0
                self.errors = []
                self.stopped = None
                self.message = None
                self.version += 1
        return self.training_status()

    def close(self) -> None:
        self.pause(timeout=5.0)


# ---------------------------------------------------------------- small helpers
def _first(pair):
    return pair[0]


def _listing(names: list[str], limit: int = 12) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f", ... ({len(names)} in all)" if len(names) > limit else "")


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
