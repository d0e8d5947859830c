"""How a network unfolds in time: a description (:class:`TimeParams`) and the builders that give
a network one (:func:`make_continuous`, :func:`make_srn`).

A network's time is part of its description: it is given when the network is built
(``Network(..., time=...)``, a spec's ``time:`` table, these builders, or
:meth:`pdpsim.Network.set_time`), never assigned from outside. The dynamics that run it
are :mod:`pdpsim.dynamics.unfolding` (CONTINUOUS networks, backpropagation through time)
and :mod:`pdpsim.dynamics.srn` (simple recurrent networks).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np

from pdpsim import limits
from pdpsim.validation import PdpError, positive_int, real

if TYPE_CHECKING:
    from pdpsim.model.network import Network


MODES = ("continuous", "srn")


@dataclass
class TimeParams:
    """How a network unfolds in time.

    Attributes
    ----------
    ticks_per_interval : int      dt = 1 / ticks_per_interval
    intervals : float             default event duration, in intervals (Lens's maxTime)
    grace : float                 intervals at the start of each event without error (Lens's graceTime)
    error_scale_per_tick : bool   multiply each tick's error by dt (Lens: yes)
    tick0_clamp : bool            hard-clamped inputs take their first event's values at tick 0
                                  (False: they start at their ``init_output`` like every other
                                  group, as Lens resets them, and are clamped from tick 1)
    integrator_lag : bool         backpropagate OUT_INTEGR / IN_INTEGR as Lens does: the derivative
                                  reaching f(n(t)) (or raw(t)) is dt times the integrated derivative
                                  of tick t+1, not of tick t (so the last tick's f gets none)
    tick0_senders_zero : bool     in the weight derivatives every sender's tick-0 output counts as 0,
                                  so tick 1 adds nothing to dE/dw (Lens in batch mode: it never
                                  stores tick 0's outputs, and its backward pass reads that
                                  history slot, which holds zeros)
    early_stop : float | None     end an event early once every targeted output is within this
                                  criterion of its target (Lens's STANDARD_CRIT with minTime),
                                  after the event's ``min`` intervals (ExampleSet.event_fields
                                  "min", default ``min_intervals``); needs batches of one example
    min_intervals : float         default shortest event, in intervals, with ``early_stop``
    max_ticks : int | None        with ``early_stop``: end the example after tick ``max_ticks - 1``
                                  whatever its events (Lens's maxTicks: an event ended early leaves
                                  its ticks to the next events, so the schedule gives every event its
                                  full length and this cuts it); None: no limit
    dt_scale : dict               group name -> a factor (or one per unit) on dt in that group's
                                  integrator, IN_INTEGR or OUT_INTEGR (Lens's group and unit
                                  dtScale); groups not named integrate with dt. Each tick's error
                                  is still scaled by dt
    """

    mode: str = "continuous"
    ticks_per_interval: int = 4
    intervals: float = 1.0
    grace: float = 0.0
    error_scale_per_tick: bool = True
    tick0_clamp: bool = True
    integrator_lag: bool = False
    tick0_senders_zero: bool = False
    early_stop: float | None = None
    min_intervals: float = 0.0
    max_ticks: int | None = None
    dt_scale: dict = field(default_factory=dict)

    def validated(self, where: str = "time") -> "TimeParams":
        p = replace(self)
        if p.mode not in MODES:
            raise PdpError(f"{where}.mode: expected one of {', '.join(MODES)}, got {p.mode!r}")
        p.ticks_per_interval = positive_int(p.ticks_per_interval, f"{where}.ticks_per_interval")
        p.intervals = real(p.intervals, f"{where}.intervals", minimum=0)
        p.grace = real(p.grace, f"{where}.grace", minimum=0)
        if p.early_stop is not None:
            p.early_stop = real(p.early_stop, f"{where}.early_stop", minimum=0)
        p.min_intervals = real(p.min_intervals, f"{where}.min_intervals", minimum=0)
        scales = {}
        for gname, v in dict(p.dt_scale or {}).items():
            a = np.asarray(v, dtype=float)
            if a.ndim > 1 or not np.all(np.isfinite(a)):
                raise PdpError(f"{where}.dt_scale[{gname!r}]: expected a real or one real per unit")
            scales[str(gname)] = float(a) if a.ndim == 0 else a.copy()
        p.dt_scale = scales
        if p.max_ticks is not None:
            p.max_ticks = positive_int(p.max_ticks, f"{where}.max_ticks")
            if p.max_ticks < 2:
                raise PdpError(f"{where}.max_ticks: tick 0 and at least one tick (2 or more)")
        p.tick0_clamp = bool(p.tick0_clamp)
        p.integrator_lag = bool(p.integrator_lag)
        p.tick0_senders_zero = bool(p.tick0_senders_zero)
        ticks = round(p.intervals * p.ticks_per_interval)
        if ticks < 1:
            raise PdpError(f"{where}.intervals: an event must last at least one tick")
        limits.check("ticks", ticks, f"{where}.intervals", f"ticks an event ({p.intervals:g} intervals of "
                     f"{p.ticks_per_interval} ticks)")
        if p.max_ticks is not None:
            limits.check("ticks", p.max_ticks, f"{where}.max_ticks", "ticks")
        return p

    @property
    def dt(self) -> float:
        return 1.0 / self.ticks_per_interval


def make_continuous(net: "Network", ticks_per_interval: int = 4, intervals: float = 1.0, grace: float = 0.0,
                    integrate: bool = True) -> "Network":
    """Turn ``net`` into a CONTINUOUS network; with ``integrate``, every group that
    computes its output and has no integration yet gets OUT_INTEGR (as Lens does)."""
    net.set_time(TimeParams("continuous", ticks_per_interval, intervals, grace))
    if integrate:
        for g in net.groups.values():
            if g.kind in ("HIDDEN", "OUTPUT") and g.integration is None:
                g.integration = "OUT_INTEGR"
    return net


def make_srn(net: "Network") -> "Network":
    """Mark ``net`` as a simple recurrent network (Elman 1990): each event is one
    feed-forward pass; CONTEXT groups (see :meth:`Network.elman_connect`) hold a copy of
    their source group's output from the previous event of the same example
    (``init_output``, default 0.5, on an example's first event)."""
    if not any(g.kind == "CONTEXT" for g in net.groups.values()):
        raise PdpError(f"network '{net.name}': a simple recurrent network needs a CONTEXT group "
                       "(add_group(..., kind='CONTEXT') and elman_connect)")
    for g in net.groups.values():
        if g.kind == "CONTEXT" and g.copy_from is None:
            raise PdpError(f"group '{g.name}' is a CONTEXT group that copies no group; call elman_connect")
    return net.set_time(TimeParams("srn", 1, 1.0))
