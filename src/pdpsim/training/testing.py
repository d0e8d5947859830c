"""Testing a network: every example once, forward only (Lens's ``test``)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pdpsim.dynamics.feedforward import feedforward_arrays
from pdpsim.dynamics.srn import SrnExamples
from pdpsim.dynamics.unfolding import run_examples
from pdpsim.model.examples import ExampleSet
from pdpsim.model.network import Network


@dataclass
class TestResult:
    """Outputs and errors of every example (one forward pass, no learning)."""

    names: list[str]
    outputs: dict[str, np.ndarray]
    targets: dict[str, np.ndarray]
    errors: np.ndarray
    #: simple recurrent networks: outputs per example and event (n, events, units), and errors (n, events)
    event_outputs: dict | None = None
    event_errors: np.ndarray | None = None
    __test__ = False  # not a pytest class

    @property
    def total_error(self) -> float:
        return float(self.errors.sum())

    def table(self):
        """One row per example: its outputs, targets and error (pandas DataFrame)."""
        import pandas as pd
        rows = {"example": self.names}
        for g, a in self.outputs.items():
            for j in range(a.shape[-1]):
                rows[f"{g}:{j}"] = a[:, j]
        for g, a in self.targets.items():
            for j in range(a.shape[-1]):
                rows[f"target {g}:{j}"] = a[:, j]
        rows["error"] = self.errors
        return pd.DataFrame(rows)


def test(net: Network, examples: ExampleSet) -> TestResult:
    """Run every example and report outputs and errors (Lens's ``test``).

    Networks in time report the outputs of the last tick (simple recurrent networks:
    of the last event) and the error summed over ticks (events); the whole history
    stays in each group's ``output_history``.
    """
    if net.time is not None and net.time.mode == "continuous":
        errors, unf, sched = run_examples(net, examples)
        outs = {g.name: g.output.copy() for g in net.output_groups}
        targets = {}
        for g in net.output_groups:
            y = sched.targets[g.name]
            # the last target each example had
            last = np.full(y.shape[1:], np.nan)
            for t in range(y.shape[0]):
                has = ~np.isnan(y[t])
                last = np.where(has, y[t], last)
            targets[g.name] = last
        return TestResult(list(examples.names), outs, targets, np.asarray(errors))
    if net.time is not None and net.time.mode == "srn":
        steps = SrnExamples(net, examples)
        outs = {g.name: np.full((len(examples), examples.max_events, g.size), np.nan) for g in net.output_groups}
        idx = np.arange(len(examples))
        for e in range(examples.max_events):
            steps.event(idx, e)
            for g in net.output_groups:
                outs[g.name][:, e] = g.output
        last = examples.n_events - 1
        return TestResult(list(examples.names), {g: o[idx, last] for g, o in outs.items()},
                          {g: t[idx, last] for g, t in steps.targets.items()}, np.nansum(steps.event_errors, axis=1),
                          event_outputs=outs, event_errors=steps.event_errors)
    inputs, targets = feedforward_arrays(net, examples)
    net.forward(inputs)
    net.set_targets(targets)
    errors = net.error()
    return TestResult(list(examples.names), {g.name: g.output.copy() for g in net.output_groups},
                      {g: t.copy() for g, t in targets.items()}, np.asarray(errors))


test.__test__ = False  # keep pytest from collecting this function when imported into a test module
