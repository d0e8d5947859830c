"""Simple recurrent networks (Elman 1990): an example's events in order, each one feed-forward
pass, with every CONTEXT group holding its source group's output from the event before.

:class:`SrnExamples` lays out a set's events for a batch of examples in lockstep.
"""
from __future__ import annotations

import numpy as np

from pdpsim.model.examples import ExampleSet
from pdpsim.model.network import Group, Network
from pdpsim.validation import check_no_nan


def context_init(g: Group) -> float:
    """A CONTEXT group's output on an example's first event (its ``init_output``, default 0.5)."""
    return 0.5 if g.init_output is None else g.init_output


class SrnExamples:
    """An example set as events: inputs (examples, events, units), targets NaN where an example
    has no such event, and each CONTEXT group's copy."""

    def __init__(self, net: Network, examples: ExampleSet):
        sizes = {g.name: g.size for g in net.groups.values()}
        examples.check_against(sizes, [g.name for g in net.input_groups], [g.name for g in net.output_groups])
        self.net, self.examples = net, examples
        self.contexts = [g for g in net.groups.values() if g.kind == "CONTEXT"]
        present = np.arange(examples.max_events)[None, :] < examples.n_events[:, None]      # (n, E)
        self.inputs = {}
        for g, a in examples.inputs.items():
            for i in range(len(examples)):
                check_no_nan(a[i, :examples.n_events[i]], f"example set '{examples.name}': inputs for group "
                             f"'{g}', example '{examples.names[i]}'")
            self.inputs[g] = np.where(present[..., None], np.nan_to_num(a), 0.0).astype(net.dtype)
        self.targets = {g: np.where(present[..., None], a, np.nan).astype(net.dtype)
                        for g, a in examples.targets.items()}
        self.present = present
        #: per example and event, the error of the last pass (for analyses of prediction error)
        self.event_errors = np.full(present.shape, np.nan)

    def feed(self, idx: np.ndarray, e: int) -> dict:
        """Event ``e``'s inputs for examples ``idx``, with each CONTEXT group holding its copy of
        the previous event's output (its ``init_output`` on the first event)."""
        feed = {g: x[idx, e] for g, x in self.inputs.items()}
        for c in self.contexts:
            feed[c.name] = (np.full((len(idx), c.size), context_init(c)) if e == 0
                            else c.copy_from.output.copy())
        return feed

    def event(self, idx: np.ndarray, e: int) -> np.ndarray:
        """Event ``e`` forward for examples ``idx``: returns each example's error (NaN where it has
        no such event)."""
        net = self.net
        net.forward(self.feed(idx, e))
        net.set_targets({g: t[idx, e] for g, t in self.targets.items()})
        err = net.error()
        self.event_errors[idx, e] = np.where(self.present[idx, e], err, np.nan)
        return err
