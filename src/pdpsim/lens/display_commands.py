"""Lens's display commands: accepted and without effect in batch mode, or driving the viewer.

Lens 2.63 in batch mode (``lens -batch``) answers ``viewUnits``, ``viewLinks``, ``view``,
``viewObject``, ``resetPlot``, ``plotRow``, ``plotAll``, ``drawUnits`` and ``autoPlot`` with the
result "<command> is not available in batch mode" and goes on; ``viewConsole`` is the one that
stops a batch script (Lens returns a warning, an error). ``graph`` and ``graphObject`` work in
batch mode as in the interface: they make graphs (numbered from 0) whose traces are object paths,
drawn by no window. The display settings (``unitCellSize``, a group's ``numColumns``, ...) are
kept and read back by ``getObj``.

pdpsim's shell does the same. A shell may be given a *display* (an object with ``show`` and
``graph`` methods): ``view``, ``viewUnits``, ``viewLinks``, ``drawUnits`` and ``autoPlot`` then
call ``show``, and each graph's traces are recorded over the updates (as Lens's ``graph``,
``ON_REPORT`` by default; ``-updates`` as in Lens) and handed to ``graph``. ``pdpsim lens --view``
and ``pdpsim view SCRIPT.tcl`` give the browser viewer's display
(:class:`pdpsim.lens.viewer_bridge.LensDisplay`; :mod:`pdpsim.viewer.scripts` builds the page's
session from it).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from pdpsim.lens.commands import Commands, _opt
from pdpsim.lens.functions import LensError

#: Lens's update signals a graph may follow (``graphObject -updates``)
UPDATE_SIGNALS = {"NEVER": "ON_NEVER", "TICKS": "ON_TICK", "EVENTS": "ON_EVENT", "EXAMPLES": "ON_EXAMPLE",
                  "WEIGHT_UPDATES": "ON_UPDATE", "PROGRESS_REPORTS": "ON_REPORT",
                  "TRAINING_AND_TESTING": "ON_TRAINING", "USER_SIGNALS": "ON_CUSTOM"}


def _update_signal(name: str) -> str:
    """The update signal of ``graphObject -updates``."""
    if name not in UPDATE_SIGNALS:
        raise LensError(f"graphObject: unknown update signal: {name}")
    return UPDATE_SIGNALS[name]


@dataclass
class LensGraph:
    """A graph of Lens's ``graph`` / ``graphObject``: its traces (object paths) and what they recorded."""

    num: int
    update_on: str = "ON_REPORT"
    traces: list[str] = field(default_factory=list)
    hidden: bool = False
    points: dict[str, list[tuple[int, float]]] = field(default_factory=dict)

    def record(self, shell, step: int) -> None:
        for path in self.traces:
            try:
                value = float(shell.objects.get(path, 17))
            except (LensError, ValueError):
                value = float("nan")
            self.points.setdefault(path, []).append((step, value))


class DisplayCommands(Commands):
    """Lens's display commands (see the module)."""

    #: the viewer the display commands drive (None: batch mode, as ``lens -batch``)
    display = None
    graphs: dict[int, LensGraph]

    def _batch(self, cmd: str) -> str:
        return f"{cmd} is not available in batch mode"

    def _show(self, cmd: str, what: str, args) -> str:
        if len(args) == 1 and args[0] == "-h":
            return self._batch(cmd) if self.display is None else ""
        if self.display is None:
            return self._batch(cmd)
        self.display.show(self, what, tuple(args))
        return ""

    def c_view(self, *args):
        if len(args) > 1:
            raise self._usage("view", "view [<flag>]")
        return self._show("view", "units", args)

    def c_viewUnits(self, *args):
        return self._show("viewUnits", "units", args)

    def c_viewLinks(self, *args):
        return self._show("viewLinks", "links", args)

    def c_drawUnits(self, *args):
        return self._show("drawUnits", "units", args)

    def c_autoPlot(self, *args):
        if len(args) > 1:
            raise self._usage("autoPlot", "autoPlot [<plot-columns>]")
        return self._show("autoPlot", "units", args)

    def c_viewObject(self, *args):
        return self._show("viewObject", "units", args)

    def c_resetPlot(self, *args):
        return self._batch("resetPlot") if self.display is None else ""

    def c_plotRow(self, *args):
        return self._batch("plotRow") if self.display is None else ""

    def c_plotAll(self, *args):
        return self._batch("plotAll") if self.display is None else ""

    def c_viewConsole(self, *args):
        if self.display is None:
            raise LensError(self._batch("viewConsole"))
        return ""

    # ------------------------------------------------------------------ graphs
    def _new_graph(self) -> LensGraph:
        num = 0
        while num in self.graphs:
            num += 1
        G = self.graphs[num] = LensGraph(num)
        return G

    def c_graphObject(self, *args):
        usage = "graphObject [<object-list> [-updates <update-rate>]]"
        opts, _ = self._options("graphObject", usage, args, 1, valued={"u": _update_signal})
        updates = opts.get("u", "ON_REPORT")
        G = self._new_graph()
        G.update_on = updates
        G.traces = list(self.tcl.splitlist(args[0])) if args else ["error"]
        if self.display is not None:
            self.display.graph(self, G)
        return str(G.num)

    def c_graph(self, *args):
        usage = ("graph [create | list] | [delete | refresh | update | store | clear |\n"
                 "\thide | show] <graph-list>")
        if not args:
            raise self._usage("graph", usage)
        sub = args[0]
        if "create".startswith(sub) and len(sub) >= 2:
            if len(args) != 1:
                raise self._usage("graph", usage)
            return str(self._new_graph().num)
        if "list".startswith(sub):
            if len(args) != 1:
                raise self._usage("graph", usage)
            return " ".join(str(n) for n in sorted(self.graphs))
        if len(args) != 2:
            raise self._usage("graph", usage)
        names = list(self.graphs) if args[1] == "*" else self.tcl.splitlist(args[1])
        chosen = []
        for n in names:
            try:
                chosen.append(self.graphs[int(n)])
            except (ValueError, KeyError):
                raise LensError(f'graph: graph "{n}" doesn\'t exist') from None
        for G in chosen:
            if "delete".startswith(sub):
                del self.graphs[G.num]
            elif "clear".startswith(sub):
                G.points.clear()
            elif "hide".startswith(sub):
                G.hidden = True
            elif "show".startswith(sub):
                G.hidden = False
            elif "update".startswith(sub) or "store".startswith(sub) or "refresh".startswith(sub):
                self._record_graph(G)
            else:
                raise self._usage("graph", usage)
        return ""

    def c_exportGraph(self, *args):
        usage = "exportGraph <graph> <file-name> [-labels | -gnuplot]"
        if len(args) < 2:
            raise self._usage("exportGraph", usage)
        try:
            G = self.graphs[int(args[0])]
        except (ValueError, KeyError):
            raise LensError(f'exportGraph: graph "{args[0]}" doesn\'t exist') from None
        labels = any(_opt(a) == "l" for a in args[2:])
        steps = sorted({s for pts in G.points.values() for s, _ in pts})
        lines = []
        if labels:
            lines.append("\t".join(["x", *G.traces]))
        for s in steps:
            row = [str(s)]
            for t in G.traces:
                v = dict(G.points.get(t, []))
                row.append("%g" % v[s] if s in v else "-")
            lines.append("\t".join(row))
        with open(args[1], "w") as f:
            f.write("\n".join(lines) + ("\n" if lines else ""))
        return ""

    def _record_graph(self, G: LensGraph, ahead: int = 0) -> None:
        step = self.net.total_updates + ahead if self.net is not None else 0
        G.record(self, step)

    def signal_graphs(self, signal: str) -> None:
        """Record the traces of the graphs that follow ``signal`` (ON_UPDATE, ON_REPORT, ...).

        A point's x is the network's update count after the update it follows: ON_UPDATE is
        signalled before the count goes up (after ``postUpdateProc``), so its points count one ahead."""
        ahead = 1 if signal == "ON_UPDATE" else 0
        for G in list(self.graphs.values()):
            if G.update_on == signal and G.traces:
                self._record_graph(G, ahead)
                if self.display is not None:
                    self.display.graph(self, G)
