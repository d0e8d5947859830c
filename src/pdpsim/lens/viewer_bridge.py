"""What plugs a Lens shell into the browser viewer (``pdpsim lens --view``, ``pdpsim view SCRIPT.tcl``).

Three parts, none of which imports the viewer (a layer above this one;
:mod:`pdpsim.viewer.scripts` builds the viewer's session from them):

- :class:`LensDisplay`, the shell's *display* (``LensShell(display=...)``): Lens's display
  commands call it. ``view``, ``viewUnits``, ``drawUnits``, ``autoPlot`` and ``viewObject`` ask
  for the unit viewer, ``viewLinks`` for the link viewer; it keeps what was asked
  (:attr:`LensDisplay.views`) and every graph made by ``graph`` / ``graphObject``, whose traces
  the shell records over the updates; a listener (the viewer's session) hears each new point.
- :class:`ShellThread`: a shell on a thread of its own. Tcl answers only the thread that made
  its interpreter, and the viewer's requests and training arrive on other threads, so every
  call into the shell (the script, a training chunk, a reset) is sent to that thread.
- :func:`viewable` says whether the viewer can show and step the network a script built, and
  if not, why; :func:`train_updates` runs Lens's own training loop for a number of updates.

The viewer shows Lens networks that Lens runs one tick an event on examples of one event
(feed-forward): the viewer computes every unit for every example with the same matrix products
(:class:`~pdpsim.lens.model.LensNetwork`, Lens's output and error functions) and trains with
Lens's loop (:func:`pdpsim.lens.train.train`), so a step in the viewer is ``train 1`` in the
script. Networks in time (CONTINUOUS, SRBPTT through several events, ELMAN groups, back links),
BOLTZMANN networks, Lens's unit loops (group types only they run, procedures inside examples),
lesions and noise are refused, naming the reason.
"""
from __future__ import annotations

import copy
import queue
import threading
from typing import Callable

import numpy as np

from pdpsim.lens.functions import LensError, NeedsTime

__all__ = ["LensDisplay", "ShellThread", "viewable", "train_updates", "lens_parameters", "UNIT_COMMANDS"]

#: the display commands that ask for the unit viewer (the others: viewLinks, the link viewer)
UNIT_COMMANDS = ("view", "viewUnits", "drawUnits", "autoPlot", "viewObject")


class LensDisplay:
    """The display a shell's display commands drive (see the module).

    ``views``: what the script asked for, in order: ``{"what": "units" | "links", "args": [...]}``.
    ``graphs``: Lens's graphs by number (:class:`~pdpsim.lens.display_commands.LensGraph`), as the
    shell hands them over when made and at each update they record.
    """

    def __init__(self) -> None:
        self.views: list[dict] = []
        self.graphs: dict[int, object] = {}
        #: called with each graph the shell records (the viewer's session follows its traces)
        self.listener: Callable[[object], None] | None = None

    def show(self, shell, what: str, args: tuple[str, ...]) -> None:
        self.views.append({"what": what, "args": list(args)})

    def graph(self, shell, G) -> None:
        self.graphs[G.num] = G
        listener = self.listener
        if listener is not None:
            listener(G)

    def asked(self) -> list[str]:
        """The viewers asked for, each once, in the order first asked."""
        out: list[str] = []
        for v in self.views:
            if v["what"] not in out:
                out.append(v["what"])
        return out


class ShellThread:
    """A :class:`~pdpsim.lens.shell.LensShell` living on a thread of its own (see the module).

    ``call(fn)`` runs ``fn(shell)`` on that thread and returns its result or raises its
    exception, in the caller's thread; a call from that thread itself runs at once. The
    caller waits in short steps, so that Ctrl-C reaches a main thread that waits.
    """

    def __init__(self, **shell_kwargs) -> None:
        self._jobs: queue.Queue = queue.Queue()
        self._ready = threading.Event()
        self._failed: BaseException | None = None
        self.shell = None
        self._thread = threading.Thread(target=self._loop, args=(shell_kwargs,), name="pdpsim-lens-shell",
                                        daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._failed is not None:
            raise self._failed

    def _loop(self, kwargs: dict) -> None:
        from pdpsim.lens.shell import LensShell
        try:
            self.shell = LensShell(**kwargs)
        except BaseException as e:          # noqa: BLE001 - handed to the thread that asked
            self._failed = e
            self._ready.set()
            return
        self._ready.set()
        while True:
            job = self._jobs.get()
            if job is None:
                return
            fn, box, done = job
            try:
                box.append((True, fn(self.shell)))
            except BaseException as e:      # noqa: BLE001 - raised again in the caller's thread
                box.append((False, e))
            done.set()

    def call(self, fn):
        if threading.current_thread() is self._thread:
            return fn(self.shell)
        if not self._thread.is_alive():
            raise LensError("the Lens shell has stopped")
        box: list = []
        done = threading.Event()
        self._jobs.put((fn, box, done))
        while not done.wait(0.1):
            if not self._thread.is_alive():
                raise LensError("the Lens shell has stopped")
        ok, value = box[0]
        if ok:
            return value
        raise value

    def close(self) -> None:
        if self._thread.is_alive():
            self._jobs.put(None)


# ---------------------------------------------------------------- what the viewer can show
def _time_reason(lnet, S) -> str | None:
    """Why Lens runs ``S`` on ``lnet`` tick by tick (None: it runs it feed-forward)."""
    if lnet.has_damage():
        return "it has lesioned units or noise (Lens then runs it example by example, unit by unit)"
    if lnet.uses_steps(S):
        return ("it needs Lens's unit loops (a group type only they run, groupCritRequired, procedures run "
                "inside examples, or events longer than a tick)")
    ex = S.examples
    if ex.max_events > 1 and np.any(ex.n_events > 1):
        return f"example set '{S.name}' has examples of several events (run one tick an event, in time)"
    order = list(lnet.groups)
    for g, b in lnet.all_blocks():
        if order.index(b.source.name) >= order.index(g.name):
            return (f"the link block {b.source.name} -> {g.name} comes from a later group (read from the tick "
                    "before, in time)")
    return None


def viewable(shell):
    """The shell's network and the example set the viewer shows with it (the training set, else the
    testing set); :class:`~pdpsim.lens.functions.LensError` naming what cannot be shown, and why."""
    lnet = shell.net
    if lnet is None:
        raise LensError("the script built no network (addNet): there is nothing to view")
    what = f"network '{lnet.name}'"
    why = "the viewer shows and steps Lens networks that run one tick an event on examples of one event"
    if "BOLTZMANN" in lnet.types:
        raise LensError(f"{what} is a BOLTZMANN network, which settles by annealing: {why}")
    if lnet.continuous:
        raise LensError(f"{what} is a CONTINUOUS network, which runs in ticks: {why}")
    elman = [g.name for g in lnet.groups.values() if g.kind == "ELMAN"]
    if elman:
        raise LensError(f"{what} runs in time: it has the ELMAN group '{elman[0]}' (a simple recurrent "
                        f"network, run event by event); {why}")
    S = lnet.training_set or lnet.testing_set
    if S is None:
        raise LensError(f"{what} has no example set (loadExamples, useTrainingSet): the viewer shows every unit "
                        "for each example")
    if len(S) == 0:
        raise LensError(f"{what}: example set '{S.name}' has no examples")
    reason = _time_reason(lnet, S)
    if reason is not None:
        raise LensError(f"{what} runs in time: {reason}; {why}")
    try:
        lnet.check_feed_forward("viewing", S)
        lnet.check_loaded(S)
    except NeedsTime as e:
        raise LensError(f"{what}: {e}; {why}") from None
    if not lnet.input_groups:
        raise LensError(f"{what} has no INPUT group")
    return lnet, S


def lens_parameters(lnet, S) -> dict:
    """Lens's training parameters as the viewer's page lists them."""
    p = lnet.params
    return {"trained by": "Lens's train loop (one step: one weight update, as 'train 1')",
            "algorithm": lnet.algorithm, "learningRate": p["learningRate"], "momentum": p["momentum"],
            "weightDecay": p["weightDecay"], "batchSize": int(p["batchSize"]),
            "reportInterval": int(p["reportInterval"]), "criterion": p["criterion"],
            "numUpdates (the script's)": int(p["numUpdates"]), "example set": S.name,
            "example order": S.mode}


def train_updates(shell, k: int, on_update: Callable[[int, float], None] | None = None) -> str:
    """Lens's ``train k`` on the shell's network, quietly (no report lines); graphs record as usual.

    ``on_update(updates, error)`` after each weight update: the network's update count and the
    error of that update's batch. Returns ``"max_epochs"`` after k updates, ``"criterion"`` when
    Lens's criterion stopped it earlier.
    """
    from pdpsim.lens.train import train
    lnet = shell.net
    saved = lnet.params["numUpdates"]
    lnet.params["numUpdates"] = int(k)

    def run_proc(name: str) -> None:
        shell.run_proc(name)
        if name == "postUpdateProc" and on_update is not None:
            on_update(lnet.total_updates + 1, float(lnet.error))

    try:
        outcome = train(lnet, lambda text: None, run_proc, verbosity=0)
    finally:
        lnet.params["numUpdates"] = saved
    return "max_epochs" if outcome.updates >= k else "criterion"


def save_state(shell) -> dict:
    """What a reset of the viewer restores besides the weights: the update count, Lens's random
    generator and the example sets' positions."""
    lnet = shell.net
    return {"updates": lnet.total_updates, "rand": copy.deepcopy(shell.rand.__dict__),
            "sets": {name: (S.current, list(S.permuted)) for name, S in shell.sets.items()}}


def restore_state(shell, state: dict) -> None:
    lnet = shell.net
    lnet.total_updates = state["updates"]
    shell.rand.__dict__.update(copy.deepcopy(state["rand"]))
    for name, (current, permuted) in state["sets"].items():
        S = shell.sets.get(name)
        if S is not None and len(permuted) == len(S):
            S.current, S.permuted = current, list(permuted)
