"""Viewer sessions on the network a script builds: Lens scripts (``.tcl``, ``.in``) and PDP handbook
``.str`` scripts (``pdpsim view SCRIPT``, ``pdpsim lens --view SCRIPT``).

A Lens script runs in a :class:`~pdpsim.lens.LensShell` with a display
(:class:`~pdpsim.lens.viewer_bridge.LensDisplay`), so that its display commands drive the viewer
instead of being refused as in batch mode; when it ends, :class:`LensViewerSession` shows the
shell's network (a :class:`~pdpsim.model.network.Network` underneath,
:class:`~pdpsim.lens.model.LensNetwork`) with its training set (else its testing set):

- the unit panel and the link listing read the network as for any session; links that Lens's
  connection left out (``RANDOM``, ``ONE_TO_ONE``, ``connectUnits``) are not listed, and a link's
  *frozen* mark is Lens's, per receiving unit;
- training is Lens's own loop, on the shell's thread (:func:`~pdpsim.lens.viewer_bridge.train_updates`):
  a step is one weight update, as ``train 1`` in the script; "epoch" counts Lens's updates
  (``totalUpdates``), the curve is each update's error;
- each trace of each Lens graph (``graph``, ``graphObject``) is a graph of the session
  (``GET /api/watches``), with the points recorded while the script ran, and more as the viewer
  trains (at the updates the graph follows); the viewer's own graphs (``POST /api/watch``) work too,
  and one more kind: ``{"value": "object", "path": PATH}``, any Lens object whose value is a number,
  recorded after every update, as ``graphObject PATH -updates WEIGHT_UPDATES``;
- ``GET /api/model`` carries ``lens``: the display commands the script gave and the viewers they
  asked for.

A ``.str`` script runs in a :class:`~pdpsim.pdp.script.PdpSession`; the session shows its network
and patterns at the epoch the script reached (its error curve: tss / 2, pdpsim's error), and trains
as ``ptrain`` does (momentum, ``lrate``, ``lgrain``), through pdpsim's loop.

What the viewer cannot show or step is refused with a :class:`~pdpsim.validation.PdpError` naming it.
"""
from __future__ import annotations

from pathlib import Path
from typing import TextIO

import numpy as np

from pdpsim.formats.spec import Model
from pdpsim.lens.functions import LensError
from pdpsim.training.params import TrainingParams
from pdpsim.validation import PdpError
from pdpsim.viewer.session import Busy, NotFound, ViewerError, ViewerSession, _seed

#: file suffixes of Lens scripts (Lens's own Examples/ use .in)
LENS_SUFFIXES = (".tcl", ".in")
PDP_SUFFIXES = (".str",)
#: how a Lens graph's update signal reads in its label
_SIGNAL_WORDS = {"ON_REPORT": "at each progress report", "ON_UPDATE": "after each update",
                 "ON_EXAMPLE": "after each example", "ON_EVENT": "after each event", "ON_TICK": "after each tick",
                 "ON_TRAINING": "after training or testing", "ON_CUSTOM": "at user signals", "ON_NEVER": "never"}
#: the longest Lens object path a graph may follow
MAX_PATH = 200


def is_script(source) -> bool:
    return Path(str(source)).suffix.lower() in LENS_SUFFIXES + PDP_SUFFIXES


def load_script(source, seed: int | None = None, argv=(), stdout: TextIO | None = None,
                stderr: TextIO | None = None, real_digits: int = 7) -> ViewerSession:
    """A session on the network a Lens (``.tcl``, ``.in``) or handbook (``.str``) script builds."""
    p = Path(str(source))
    if not p.is_file():
        raise PdpError(f"script '{source}': no such file")
    if p.suffix.lower() in PDP_SUFFIXES:
        return load_pdp_script(p, seed=seed, stdout=stdout)
    return load_lens_script(p, argv, seed=seed, stdout=stdout, stderr=stderr, real_digits=real_digits)


# ---------------------------------------------------------------- Lens
class LensScriptError(PdpError):
    """A Lens script stopped on an error (its message names the file and line) or with a non-zero exit."""

    def __init__(self, message: str, status: int = 1, traceback: str = ""):
        super().__init__(message)
        self.status, self.traceback = status, traceback


def run_lens_script(path, argv=(), seed: int | None = None, stdout: TextIO | None = None,
                    stderr: TextIO | None = None, real_digits: int = 7):
    """Run a Lens script with a display, on a shell of its own thread; return (thread, display).

    A script error raises :class:`LensScriptError`; so does ``exit N`` with N not 0."""
    from pdpsim.lens.shell import ScriptError
    from pdpsim.lens.viewer_bridge import LensDisplay, ShellThread
    display = LensDisplay()
    thread = ShellThread(stdout=stdout, stderr=stderr, seed=seed, real_digits=real_digits, display=display)
    try:
        status = thread.call(lambda sh: sh.run_file(path, list(argv)))
    except ScriptError as e:
        thread.close()
        raise LensScriptError(str(e), 1, e.traceback) from None
    except BaseException:
        thread.close()
        raise
    if status:
        thread.close()
        raise LensScriptError(f"the script '{path}' ended with exit {status}", status)
    return thread, display


def load_lens_script(path, argv=(), seed: int | None = None, stdout: TextIO | None = None,
                     stderr: TextIO | None = None, real_digits: int = 7) -> "LensViewerSession":
    """Run a Lens script (its display commands driving the viewer) and return the session on its network."""
    thread, display = run_lens_script(path, argv, seed=seed, stdout=stdout, stderr=stderr, real_digits=real_digits)
    try:
        return thread.call(lambda sh: LensViewerSession(thread, display, source=f"Lens script {path}"))
    except BaseException:
        thread.close()
        raise


class LensViewerSession(ViewerSession):
    """A viewer session on a Lens shell's network (see the module). Made on the shell's thread."""

    def __init__(self, thread, display, source: str = "<Lens shell>"):
        from pdpsim.lens import viewer_bridge as bridge
        shell = thread.shell
        try:
            lnet, S = bridge.viewable(shell)
            lnet.configure()
            examples = S.examples
        except LensError as e:
            raise PdpError(f"cannot view the Lens network: {e}") from None
        self.thread, self.display, self.shell, self.lnet, self.lens_set = thread, display, shell, lnet, S
        self._bridge = bridge
        self._lens_blocks = {lb.block.name: lb for _g, lb in lnet.all_blocks()}
        self._lens_state = bridge.save_state(shell)
        model = Model(lnet.net, examples, TrainingParams(), None)
        super().__init__(model, source=source, epoch=lnet.total_updates)
        # Lens's graphs as the script left them (a reset goes back to these points)
        self._lens_points = {num: {path: list(pts) for path, pts in G.points.items()}
                             for num, G in display.graphs.items()}
        self._add_lens_graphs()
        display.listener = self._graph_recorded

    # ------------------------------------------------------------ what the page reads
    def describe(self) -> dict:
        d = super().describe()
        d["training"] = self._bridge.lens_parameters(self.lnet, self.lens_set)
        d["lens"] = {"views": self.display.asked(), "commands": list(self.display.views),
                     "graphs": sorted({w["graph"] for w in list(self.watches.values()) if w.get("kind") == "lens"}),
                     "example_set": self.lens_set.name}
        return d

    def _compute_snapshot(self):
        with self.lock:
            self.lnet.configure()                # Lens's gains and the like, as its own pass sets them
            snap = super()._compute_snapshot()
            for name, wd in snap.weight_deriv.items():
                lb = self._lens_blocks.get(name)
                if lb is not None and lb.mask is not None:
                    wd *= lb.mask                # links Lens's connection left out have no dE/dw
            return snap

    def block_view(self, name: str, view: str = "weights") -> dict:
        out = super().block_view(name, view)
        lb = self._lens_blocks.get(out["name"])
        if lb is not None and lb.mask is not None:
            m = np.array(out["values"], dtype=float)
            m[~lb.mask] = np.nan                 # no link there (the page leaves the cell empty)
            finite = m[np.isfinite(m)]
            out["values"] = m
            out["max_abs"] = float(np.abs(finite).max()) if finite.size else 0.0
        return out

    def unit(self, group: str, unit) -> dict:
        out = super().unit(group, unit)
        i = out["index"]

        def keep(link: dict, incoming: bool) -> bool:
            lb = self._lens_blocks.get(link["block"])
            if lb is None:
                return True
            row, col = (link["index"], i) if incoming else (i, link["index"])
            link["frozen"] = bool(lb.frozen[col] or lb.block.frozen)
            return lb.mask is None or bool(lb.mask[row, col])

        out["incoming"] = [x for x in out["incoming"] if keep(x, True)]
        out["outgoing"] = [x for x in out["outgoing"] if keep(x, False)]
        return out

    # ------------------------------------------------------------ Lens's graphs as the session's
    def _add_lens_graphs(self) -> None:
        with self._status:
            for num in sorted(self.display.graphs):
                G = self.display.graphs[num]
                if G.hidden or num not in self.shell.graphs:
                    continue
                for path in G.traces:
                    wid = self._next_watch
                    self._next_watch += 1
                    pts = list(G.points.get(path, []))
                    when = _SIGNAL_WORDS.get(G.update_on, G.update_on)
                    self.watches[wid] = {"kind": "lens", "external": True, "id": wid, "graph": num, "path": path,
                                         "seen": 0, "history": [], "label": f"Lens graph {num}: {path} ({when})",
                                         "what": {"value": "lens", "graph": num, "object": path,
                                                  "updates": G.update_on}}
                    self._take_points(self.watches[wid], pts)

    @staticmethod
    def _take_points(w: dict, pts: list) -> None:
        h = w["history"]
        for step, v in pts[w["seen"]:]:
            if h and h[-1][0] >= step:
                if h[-1][0] == step:
                    h[-1] = (step, v)
                continue
            h.append((int(step), float(v)))
        w["seen"] = len(pts)

    def _graph_recorded(self, G) -> None:
        with self._status:
            for w in self.watches.values():
                if w.get("kind") == "lens" and w["graph"] == G.num:
                    self._take_points(w, G.points.get(w["path"], []))

    # ------------------------------------------------------------ the shell's example sets
    def _viewable_sets(self) -> dict:
        """The shell's example sets the views can show with this network (events of one tick, inputs and
        targets for its groups), by name; training stays on Lens's training set."""
        out = {}
        with self.lock:                          # (building a set's arrays: not while Lens trains)
            sets = list(self.shell.sets.items())
        for name, S in sets:
            with self.lock:
                try:
                    if len(S) == 0 or self._bridge._time_reason(self.lnet, S) is not None:
                        continue
                    self.lnet.check_loaded(S)
                    if S.examples.max_events != 1:
                        continue
                except (LensError, PdpError):
                    continue
            out[name] = S
        return out

    def example_sets(self) -> list[str]:
        return list(self._viewable_sets())

    def use_examples(self, name: str) -> dict:
        """Show the Lens example set ``name``; the viewer's graphs of one example's values are closed
        (their examples are gone), Lens's graphs and weight and object graphs stay."""
        with self.lock:
            sets = self._viewable_sets()
            if name not in sets:
                raise NotFound(f"no example set '{name}' that the viewer can show with network "
                               f"'{self.lnet.name}' (example sets: {', '.join(sets) or 'none'})")
            examples = sets[name].examples
            from pdpsim.dynamics.feedforward import feedforward_arrays
            feedforward_arrays(self.net, examples)                  # checked before the views change
            with self._status:
                self.examples = self.model.examples = examples
                for wid in [i for i, w in self.watches.items() if "example" in w and w.get("example") is not None
                            or w.get("kind") in ("output", "net_input", "target", "output_deriv", "input_deriv")]:
                    del self.watches[wid]
                self.version += 1
            self._snapshot = None
        return self.describe()

    # ------------------------------------------------------------ graphs of any Lens object, from the page
    def _watch_spec(self, what) -> dict:
        """As the base, and ``{"value": "object", "path": PATH}``: any Lens object path whose value is
        a number (``error``, ``group(2).unit(0).output``, ``learningRate``, ...), as Lens's ``graphObject``."""
        if not isinstance(what, dict) or what.get("value") != "object":
            return super()._watch_spec(what)
        unknown = sorted(set(what) - {"value", "path"})
        if unknown:
            raise ViewerError(f"unknown key(s) {', '.join(repr(k) for k in unknown)} for a graph of a Lens object "
                              "(expected: value, path)")
        path = what.get("path")
        if not isinstance(path, str) or not path.strip() or len(path) > MAX_PATH:
            raise ViewerError(f"give the Lens object as \"path\": a string of 1 to {MAX_PATH} characters, "
                              "e.g. \"group(2).unit(0).output\" or \"error\"")
        path = path.strip()
        with self.lock:
            self._object_value(path, check=True)
        return {"kind": "object", "external": True, "path": path, "label": f"Lens object {path}",
                "what": {"value": "object", "path": path}}

    def _object_value(self, path: str, check: bool = False) -> float:
        """A Lens object's value now (the caller holds the lock: no training runs meanwhile)."""
        try:
            text = self.shell.objects.get(path, 17)
        except LensError as e:
            if check:
                raise NotFound(f"Lens object {path!r}: {e}") from None
            return float("nan")
        try:
            return float(text)
        except ValueError:
            if check:
                raise ViewerError(f"Lens object {path!r} is not a number (it is {text[:60]!r})") from None
            return float("nan")

    def _record(self, epoch: int, only: int | None = None, current: bool = False) -> None:
        super()._record(epoch, only, current)
        with self.lock:
            with self._status:
                todo = [w for i, w in self.watches.items()
                        if w.get("kind") == "object" and (only is None or i == only)]
            if not todo:
                return
            values = [self._object_value(w["path"]) for w in todo]
            self._store_history(todo, values, epoch)

    # ------------------------------------------------------------ training: Lens's loop, on the shell's thread
    def _train_chunk(self, k: int) -> str:
        return self.thread.call(lambda shell: self._lens_chunk(shell, k))

    def _lens_chunk(self, shell, k: int) -> str:
        with self.lock:
            watching = any(w.get("kind") != "lens" for w in self.watches.values())

            def on_update(updates: int, error: float) -> None:
                with self._status:
                    self.errors.append((updates, error))
                    self.epoch = updates
                if watching:                     # the viewer's own graphs, after every update
                    saved = {b.name: b.weight_deriv.copy() for b in self.net.blocks}
                    self._record(updates, current=True)
                    for b in self.net.blocks:
                        b.weight_deriv[...] = saved[b.name]

            try:
                why = self._bridge.train_updates(shell, k, on_update)
            except LensError as e:
                raise ViewerError(f"Lens's train: {e}") from None
            finally:
                with self._status:
                    self.epoch = self.lnet.total_updates
                    self.version += 1
            if watching:
                self._record(self.epoch)
            return why

    def reset(self, seed: int | None = None) -> dict:
        """Back to where the script left the network (its weights, update count, Lens's generator and
        the example sets' places), or Lens's ``resetNet`` after ``seed SEED``: new weights, update 0."""
        seed = _seed(seed, 32, " (Lens's seeds)")
        self.pause()
        if self.running:
            raise Busy("training did not stop; try again")
        return self.thread.call(lambda shell: self._lens_reset(shell, seed))

    def _lens_reset(self, shell, seed: int | None) -> dict:
        with self.lock:
            if seed is None:
                ViewerSession.reset(self, None)          # weights, momentum, rate factors, graphs
                self._bridge.restore_state(shell, self._lens_state)
            else:
                shell.rand.seed(seed)
                self.lnet.reset(shell.rand)              # Lens's resetNet: new weights, update 0
                with self._status:
                    self.epoch = 0
                    self.errors = []
                    self.stopped = None
                    self.message = None
                    self.version += 1
                    for w in self.watches.values():
                        if w.get("kind") != "lens":
                            w["history"] = []
                self._record(self.epoch)
            with self._status:
                for num, G in self.display.graphs.items():  # Lens's graphs: the script's points, or none
                    G.points = ({path: list(pts) for path, pts in self._lens_points.get(num, {}).items()}
                                if seed is None else {})
                for w in self.watches.values():
                    if w.get("kind") == "lens":
                        w["history"], w["seen"] = [], 0
                        G = self.display.graphs.get(w["graph"])
                        if G is not None:
                            self._take_points(w, G.points.get(w["path"], []))
        return self.training_status()

    def close(self) -> None:
        super().close()
        self.thread.close()


# ---------------------------------------------------------------- the PDP handbook's bp
def load_pdp_script(path, seed: int | None = None, stdout: TextIO | None = None) -> ViewerSession:
    """Run a handbook ``.str`` script and return a session on the network and patterns it leaves."""
    from pdpsim.pdp.bp import engine_reasons
    from pdpsim.pdp.script import run_script
    out = stdout

    def echo(line: str) -> None:
        if out is not None:
            out.write(line + "\n")
        else:
            print(line)

    pdp = run_script(path, echo=echo, seed=seed)
    if pdp.net is None or pdp.netfile is None:
        raise PdpError(f"script '{path}' builds no network ('get network FILE'): there is nothing to view")
    if pdp.patterns is None:
        raise PdpError(f"script '{path}' loads no patterns ('get patterns FILE'): the viewer shows every unit "
                       "for each pattern")
    why = engine_reasons(pdp.netfile, pdp.patterns, bool(pdp.vars["cascade"]))
    if why:
        raise PdpError(f"script '{path}': its network runs bp's own loop over units ({', '.join(why)}), which the "
                       "viewer cannot step (it steps pdpsim's training loop)")
    v = pdp.vars
    ecrit = float(v["ecrit"])
    params = TrainingParams(algorithm="momentum", learning_rate=float(v["lrate"]), momentum=float(v["momentum"]),
                            batch_size=1 if v["lgrain"] == "pattern" else 0, order="permuted",
                            max_epochs=max(1, int(v["nepochs"])),
                            error_criterion=ecrit / 2 if ecrit > 0 else None).validated("the script's training")
    examples = pdp._examples("view")
    model = Model(pdp.net, examples, params, None)
    curve = [(int(e), float(tss) / 2) for e, tss in pdp.history]
    return ViewerSession(model, source=f"PDP script {path}", epoch=pdp.epochno, errors=curve)


__all__ = ["load_script", "load_lens_script", "load_pdp_script", "run_lens_script", "LensViewerSession",
           "LensScriptError", "is_script", "LENS_SUFFIXES", "PDP_SUFFIXES"]
