"""Feed-forward networks over an example set: the examples as arrays, and what a pass leaves.

The forward and backward passes themselves are :meth:`pdpsim.Network.forward` and
:meth:`pdpsim.Network.backward` (the generalized delta rule on the network's arrays).
"""
from __future__ import annotations

import numpy as np

from pdpsim.model.examples import ExampleSet
from pdpsim.model.network import Network
from pdpsim.validation import PdpError, check_no_nan


def feedforward_arrays(net: Network, examples: ExampleSet) -> tuple[dict, dict]:
    """Check ``examples`` against ``net`` and return 2-D (examples, units) inputs and targets."""
    sizes = {g.name: g.size for g in net.groups.values()}
    examples.check_against(sizes, [g.name for g in net.input_groups], [g.name for g in net.output_groups])
    if examples.max_events != 1:
        raise PdpError(f"example set '{examples.name}' has examples of {examples.max_events} events; "
                       f"network '{net.name}' is feed-forward and takes one event per example")
    inputs = {g: np.ascontiguousarray(a[:, 0, :], dtype=net.dtype) for g, a in examples.inputs.items()}
    targets = {g: np.ascontiguousarray(a[:, 0, :], dtype=net.dtype) for g, a in examples.targets.items()}
    for g, a in inputs.items():
        check_no_nan(a, f"example set '{examples.name}': inputs for group '{g}'", examples.names)
    return inputs, targets


def max_output_distance(net: Network, axes=None) -> float | np.ndarray:
    """The largest |output - target| over the output groups' units with a target (0 if none);
    ``axes``: the axes to reduce (default all: one number)."""
    worst = 0.0
    for g in net.output_groups:
        d = np.abs(g.output - g.target)
        if np.isnan(d).any():
            d = np.nan_to_num(d, nan=0.0)
        worst = np.maximum(worst, d.max(axis=axes))
    return float(worst) if axes is None else worst
