"""Where an example is in its events: Lens's per-event timing (max, min and grace times,
the criteria ending an event early, groupCritRequired), shared by the unit loops of
CONTINUOUS networks (:mod:`pdpsim.lens.ticks`) and of the others (:mod:`pdpsim.lens.steps`)."""
from __future__ import annotations

from pdpsim.functions.errors.cross_entropy import SMALL_VAL


class _Events:
    """Where an example is in its events: Lens's per-event timing, shared by the unit loops of
    CONTINUOUS networks (here) and of the others (steps.py)."""

    def __init__(self, net, S, i: int, plans):
        self.net, self.S, self.i, self.plans = net, S, i, plans
        self.n = int(S.examples.n_events[i])
        self.event, self.ok = 0, True
        self.required = bool(net.params["groupCritRequired"])
        self.load(0)

    def load(self, event: int) -> None:
        """Load event ``event`` and its max / min / grace times."""
        self.net._load_event(self.S, self.i, event, self.plans)
        self.mx, self.mn, self.gr = self.net._event_times(self.S, self.i, event)
        self.grace = self.gr > 0.0
        self.on_event = 0

    def tick_done(self, tick: int, max_ticks: int, training: bool) -> bool:
        """After a tick: end the event when its time is up or (after its minimum time) it meets
        the criteria, then load the next one. False when groupCritRequired ends the example."""
        net, plans = self.net, self.plans
        self.on_event += 1
        time = self.on_event / net.ticks_per_interval + SMALL_VAL
        crit, done = None, False
        if time >= self.mx or tick >= max_ticks - 1:
            done = True
        elif time >= self.mn and (crit := net._criteria(plans, training)):
            done = True
        elif self.grace and time >= self.gr:
            self.grace = False
        if not done:
            return True
        if crit is None:
            crit = net._criteria(plans, training)
        self.ok = self.ok and crit
        net.hook("postEventProc", plans)
        if self.required and not crit:          # Lens's groupCritRequired: the example ends here
            return False
        self.event += 1
        if self.event < self.n:
            self.load(self.event)
            net.hook("preEventProc", plans)
        return True
