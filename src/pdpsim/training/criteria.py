"""When training stops: the stopping criteria, in one place.

After every epoch the loop asks :func:`stop_reason`; the compiled kernels, which run
many epochs in one call, ask :func:`reached` (the same test as plain arithmetic, compiled
for single numbers) after each of theirs, so both stop after the same epoch.

- ``diverged``: the epoch's error is not finite;
- ``error_criterion``: the epoch's total error is at most the criterion;
- ``output_criterion``: every output is within the criterion of its target;
- ``callback``: a callback returned True.
"""
from __future__ import annotations

import math
from typing import Callable, Sequence

#: criteria the kernels take as numbers: a criterion that is not set is passed as this
UNSET = -1.0


def reached(total, worst, error_criterion, output_criterion):
    """Whether an epoch with error ``total`` and largest output distance ``worst`` ends training
    (criteria of :data:`UNSET` are not set)."""
    return ((not math.isfinite(total)) or (error_criterion >= 0.0 and total <= error_criterion)
            or (output_criterion >= 0.0 and worst <= output_criterion))


def as_numbers(error_criterion: float | None, output_criterion: float | None) -> tuple[float, float]:
    """The criteria as the kernels take them."""
    return (UNSET if error_criterion is None else float(error_criterion),
            UNSET if output_criterion is None else float(output_criterion))


def stop_reason(error: float, worst: float, error_criterion: float | None, output_criterion: float | None,
                epoch: int = 0, net=None, callbacks: Sequence[Callable] = ()) -> str | None:
    """Why training stops after this epoch (None: it goes on)."""
    if not math.isfinite(error):
        return "diverged"
    if error_criterion is not None and error <= error_criterion:
        return "error_criterion"
    if output_criterion is not None and worst <= output_criterion:
        return "output_criterion"
    if callbacks and any(cb(epoch, error, net) for cb in callbacks):
        return "callback"
    return None
