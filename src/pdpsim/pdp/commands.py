"""The ``bp`` session's commands that run ``bp``'s own loop: cascade mode, ``cycle``, ``get unames``.

:class:`BpCommands` is a part of :class:`pdpsim.pdp.script.PdpSession` (it
uses the session's ``netfile``, ``net``, ``patterns``, ``vars`` and ``echo``);
it lives here to keep that module short. The engine itself is
:class:`pdpsim.pdp.bp.BpEngine`.

``get unames NAME NAME ... end`` names units 0, 1, ... in order (fewer names
than units is allowed; the names may go on over several lines of a script,
up to ``end``). The names are labels on the pdpsim groups' units
(``net.group("hidden").unit_names``) and survive ``reset``; a new ``get
network`` forgets them.
"""
from __future__ import annotations

import numpy as np

from pdpsim.pdp.bp import BpEngine, BpParams, engine_reasons
from pdpsim.validation import PdpError


class BpCommands:
    """Cascade mode, ``cycle`` and unit names for :class:`pdpsim.pdp.script.PdpSession`."""

    engine: BpEngine | None
    unames: list[str]
    _names: list[str] | None

    # ------------------------------------------------------------ get unames
    def _unames(self, words: list[str]) -> list[str]:
        """Collect 'get unames' names up to 'end'; the words after it are the next command."""
        for k, w in enumerate(words):
            if w == "end":
                names, self._names = self._names, None
                self.set_unames(names)
                return words[k + 1:]
            self._names.append(w)
        return []

    def set_unames(self, names) -> None:
        """Name units 0, 1, ... (labels on the groups' units; ``bp`` shows them on its screen)."""
        nf = self._need_network("get unames")
        if len(names) > nf.nunits:
            raise PdpError(f"'get unames': {len(names)} names for {nf.nunits} units; expected at most "
                           f"{nf.nunits} names, then end")
        self.unames = [str(x) for x in names]
        self._label_units()

    def _label_units(self) -> None:
        segs = self.netfile.segments
        for k, name in enumerate(self.unames):
            g, j = self.netfile.locate(k, segs)
            self.net.group(g).unit_names[j] = name

    # ------------------------------------------------------------ bp's own loop
    def _engine(self, what: str, always: bool = False) -> BpEngine | None:
        """bp's own loop where pdpsim's training would not give bp's numbers (else None)."""
        nf = self._need_network(what)
        if not (always or engine_reasons(nf, self.patterns, bool(self.vars["cascade"]))):
            return None
        if self.engine is None:
            self.engine = BpEngine(nf, self.net)
        return self.engine

    def _params(self) -> BpParams:
        v = self.vars
        return BpParams(lrate=float(v["lrate"]), momentum=float(v["momentum"]), tmax=float(v["tmax"]),
                        mu=float(v["mu"]), cascade=bool(v["cascade"]), ncycles=int(v["ncycles"]),
                        crate=float(v["crate"]), lgrain=str(v["lgrain"]))

    def _echo_cycles(self, name: str, trace: np.ndarray, first: int) -> None:
        off = self.netfile.nunits - self.netfile.noutputs
        for c, act in enumerate(trace, first):
            self.echo(f"{name}  cycle {c:3d}  {' '.join(f'{a:.3f}' for a in act[off:])}")

    def cycle(self) -> np.ndarray:
        """``ncycles`` more cascade cycles from the present state (the last pattern's input stays).

        Echoes every cycle with ``set stepsize cycle``, else the last; returns the output activations.
        """
        eng = self._engine("cycle", always=True)
        eng.pull()
        trace: list[np.ndarray] = []
        eng.cycle(int(self.vars["ncycles"]), float(self.vars["crate"]), trace)
        shown = trace if self.vars["stepsize"] in ("cycle", "update") else trace[-1:]
        if shown:
            self._echo_cycles(eng.cpname or "-", np.array(shown), eng.cycleno - len(shown) + 1)
        return eng.outputs()
