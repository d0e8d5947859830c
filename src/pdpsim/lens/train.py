"""Lens's network model and its train/test loop, on pdpsim's :class:`~pdpsim.model.network.Network`.

Everything here follows Lens 2.63 (standard and simple-recurrent networks run
one tick per event, so a feed-forward network is what they compute when no
group feeds an earlier one). The shell (:mod:`pdpsim.lens.shell`) builds a
:class:`LensNet` from a script's commands; these modules hold the numbers:

* **Output functions** (in :mod:`pdpsim.lens.functions`) as Lens computes them: ``LOGISTIC`` through Lens's
  interpolated table (1024 steps a unit, clamped at +-16, so an output is never
  closer to 0 or 1 than about 1.1e-7), ``TANH`` clamped at +-17 with the
  derivative 1/cosh^2 of the net input, ``SOFT_MAX``, ``LINEAR``, ``EXPONENTIAL``,
  ``TERNARY``, ``GAUSSIAN``; all with Lens's ``gain``.
* **Error functions** (also there) with Lens's formulas and bounds (``SUM_SQUARED`` without
  1/2; ``CROSS_ENTROPY`` and ``DIVERGENCE`` with Lens's 1e8 / 1e-8 limits; ``COSINE``),
  ``errorScale``, NaN targets that give neither error nor derivative, and
  ``targetRadius`` / ``zeroErrorRadius`` exactly as Lens adjusts the target.
* **Weight updates** (``steepest``, ``momentum``, ``dougsMomentum``,
  ``deltaBarDelta``) written out as Lens's loops do them, link by link, with
  parameters looked up block -> group -> network, frozen links skipped, the
  last change taken as new weight minus old weight, and the report statistics
  (weight cost, gradient linearity).
* **The train loop**: batches drawn in the example set's order, continuing
  where the last batch stopped; the error of a batch is the sum over its
  examples; one weight update a batch; a report line every ``reportInterval``
  updates with the error of that update's batch.

Derivatives are summed over a batch through pdpsim's matrix products, so the
numbers agree with Lens's to rounding, not bit for bit.

Where each part lives: :mod:`pdpsim.lens.model` (groups, link blocks,
example sets, parameter tables), :mod:`pdpsim.lens.net` (:class:`LensNet`: the structure,
the feed-forward pass, one training batch), :mod:`pdpsim.lens.continuous` and
:mod:`pdpsim.lens.srbptt` (networks in time), :mod:`pdpsim.lens.update` (the weight
updates); this one holds the train / test loop and Lens's report lines, and re-exports
the names above so that ``from pdpsim.lens.train import ...`` keeps working.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Callable

from pdpsim.lens import boltzmann
from pdpsim.lens.functions import LensError
from pdpsim.lens.model import (BLOCK_PARAMS, GROUP_PARAMS, INT_PARAMS, NET_DEFAULTS, NET_TYPES, PROCS, UNIT_FIELDS,
                    UNSUPPORTED_PROCS, LensBlock, LensExampleSet, LensGroup, LensNetwork)
from pdpsim.lens.net import LensNet
from pdpsim.lens.update import ALGORITHMS

__all__ = ["ALGORITHMS", "NET_TYPES", "LensNetwork", "GROUP_PARAMS", "BLOCK_PARAMS", "UNIT_FIELDS", "LensBlock",
           "LensGroup", "NET_DEFAULTS", "INT_PARAMS", "PROCS", "UNSUPPORTED_PROCS", "LensExampleSet", "LensNet",
           "smart_format", "format_time", "REPORT_HEADER", "TrainOutcome", "train", "TestOutcome", "test",
           "report_error", "do_example"]


# ---------------------------------------------------------------- printing as Lens prints
def smart_format(x: float, width: int = 8) -> str:
    """Lens's smartFormatReal: a real in a column of ``width`` characters."""
    if x != x:
        return "".join("-" if i == width >> 1 else " " for i in range(width))
    if x == 0.0:
        decimals = width - 3
    elif math.isinf(x):
        decimals = 0
    else:
        decimals = width - 3 - int(math.log10(abs(x)))
    decimals = max(0, min(decimals, width - 3))
    return ("-" if x < 0.0 else " ") + "%-*.*f" % (width - 1, decimals, abs(x))


def format_time(seconds: float) -> str:
    """Lens's printTime."""
    t = int(seconds)
    if t > 3600:
        return "%2dh %2dm" % (t // 3600, (t % 3600) // 60)
    if t > 60:
        return "%2dm " % (t // 60) + "%2ds" % (t % 60)
    return "    " + "%2ds" % t


REPORT_HEADER = "__Update____Error___UnitCost__Wgt.Cost__Grad.Lin__TimeUsed__TimeLeft__"


# ---------------------------------------------------------------- train / test
@dataclass
class TrainOutcome:
    updates: int
    result: str
    halted: bool = False


def train(lnet: LensNet, write: Callable[[str], None], run_proc: Callable[[str], None],
          verbosity: int = 1) -> TrainOutcome:
    """Lens's standardNetTrain on the current training set."""
    p = lnet.params
    num = int(p["numUpdates"])
    if num < 0:
        raise LensError(f"numUpdates ({num}) must be positive.")
    if num == 0:
        return TrainOutcome(0, "")
    S = lnet.training_set
    if S is None:
        raise LensError("There is no training set.")
    if p["learningRate"] < 0.0:
        raise LensError(f"learningRate ({p['learningRate']:f}) cannot be negative.")
    if p["weightDecay"] < 0.0 or p["weightDecay"] > 1.0:
        raise LensError(f"weightDecay ({p['weightDecay']:f}) must be in the range [0,1].")
    if p["reportInterval"] < 0:
        raise LensError(f"reportInterval ({int(p['reportInterval'])}) cannot be negative.")
    lnet.check_feed_forward("training", S)
    algorithm = lnet.algorithm
    if verbosity >= 1:
        write(f"Performing {num} updates using {ALGORITHMS[algorithm]}...\n")
    report = int(p["reportInterval"])
    if report and verbosity >= 1:
        write(REPORT_HEADER + "\n")
    start = time.perf_counter()
    last_report = batches_at_crit = 0
    crit_reached = False
    done = False
    i = 0
    per_update = 0.0
    report_num = 0
    last_time = start
    while not done:
        i += 1
        run_proc("preEpochProc")
        crit_reached = lnet.train_batch(S)
        if lnet.error < p["criterion"] or crit_reached:
            batches_at_crit += 1
        else:
            batches_at_crit = 0
        if (p["minCritBatches"] > 0 and batches_at_crit >= p["minCritBatches"]) or i >= int(p["numUpdates"]):
            done = True
        will_report = bool(report) and (i % report == 0 or done)
        run_proc("postEpochProc")
        lnet.update_weights(algorithm, will_report)
        run_proc("postUpdateProc")
        lnet.total_updates += 1
        if will_report:
            run_proc(".report")             # Lens's ON_REPORT display signal (graphs)
            report_num = 1 if not last_report else report_num + 1
            if verbosity >= 1:
                now = time.perf_counter()
                n_up = int(p["numUpdates"])
                if n_up > i:
                    if report_num < 5:
                        per_update = (now - start) / i
                    else:
                        per_update = 0.5 * per_update + 0.5 * (now - last_time) / (i - last_report)
                    left = per_update * (n_up - i)
                else:
                    left = 0.0
                last_time = now
                write("%7d)  " % lnet.total_updates + smart_format(lnet.error) + "  "
                      + smart_format(lnet.output_cost) + "  " + smart_format(lnet.weight_cost) + "  "
                      + smart_format(lnet.gradient_linearity) + "  " + " " + format_time(now - start) + "   "
                      + format_time(left) + "\n")
            last_report = i
        if lnet.algorithm != algorithm:
            algorithm = lnet.algorithm
            if verbosity >= 1:
                write(f"Changing algorithm to {ALGORITHMS[algorithm]}...\n")
    elapsed = time.perf_counter() - start
    result = f"Performed {i} updates\n"
    if lnet.error <= p["criterion"] and batches_at_crit >= p["minCritBatches"]:
        result += f"Network reached overall error criterion of {p['criterion']:f}\n"
    if crit_reached and batches_at_crit >= p["minCritBatches"]:
        result += "Network reached group output criterion\n"
    result += f"Total time elapsed: {elapsed:.3f} seconds"
    return TrainOutcome(i, result)


@dataclass
class TestOutcome:
    examples: int
    ticks: int
    reached: int
    text: str
    variables: dict[str, str]
    __test__ = False


def test(lnet: LensNet, num: int = 0, reset_error: bool = True) -> TestOutcome:
    """Lens's standardNetTestBatch: run the testing (else training) set forward."""
    if "BOLTZMANN" in lnet.types:                    # run by pdpsim.lens.boltzmann
        return boltzmann.test(lnet, num, reset_error)
    S = lnet.testing_set or lnet.training_set
    if S is None:
        raise LensError("there are no current example sets")
    lnet.check_feed_forward("testing", S)
    if reset_error:
        lnet.reset_errors()
    if num == 0:
        num = len(S)
        S.reset()
    idx = lnet.pick_examples(S, num)
    if lnet.continuous:
        errs, ok, ticks = lnet.run_in_time(S, idx, training=False, backward=False)
        lnet.error += float(errs.sum())
        lnet.snapshot_time(S)
        return report_error(lnet, num, ticks, int(ok.sum()))
    if lnet.uses_time(S):
        errs, ok, ticks = lnet.run_srn(S, idx, training=False, backward=False)
        lnet.error += float(errs.sum())
        lnet.snapshot_srn(derivs=False)
        return report_error(lnet, num, ticks, int(ok.sum()))
    errs = lnet.forward(S, idx)
    lnet.error += float(errs.sum())
    lnet.history_batch(S, idx, store=False)
    reached = int(lnet.criteria(training=False).sum())
    lnet.snapshot(S, int(idx[-1]), derivs=False)
    return report_error(lnet, num, num, reached)


def _g(x: float) -> str:
    return "%g" % x


def report_error(lnet: LensNet, examples: int, ticks: int, reached: int) -> TestOutcome:
    """Lens's reportError: the text ``test`` prints and the ``Test`` array it sets."""
    outs = lnet.output_groups
    lines = [f"Test results on {examples} examples, {ticks} ticks:"]
    head = "                     Network     "
    if len(outs) > 1:
        head += "".join(" %-12s" % g.name for g in outs)
    lines.append(head)
    var = {"numExamples": str(examples), "numTicks": str(ticks), "totalError": _g(lnet.error)}
    row = "Error total:        " + smart_format(lnet.error)
    if len(outs) > 1:
        for g in outs:
            row += "     " + smart_format(g.error_value)
            var[f"{g.name}.totalError"] = str(ticks)        # sic: Lens stores the tick count here
    lines.append(row)
    for label, key, n in (("Error per example:  ", "exampleError", examples),
                          ("Error per tick:     ", "tickError", ticks)):
        row = label + smart_format(lnet.error / n)
        var[key] = _g(lnet.error / n)
        if len(outs) > 1:
            for g in outs:
                row += "     " + smart_format(g.error_value / n)
                var[f"{g.name}.{key}"] = _g(lnet.error / n)
        lines.append(row)
    lines.append("Unit cost per tick: " + smart_format(lnet.output_cost / ticks))
    var["totalCost"] = _g(lnet.output_cost)
    var["tickCost"] = _g(lnet.output_cost / ticks)
    lines.append("Output unit criterion reached on %d examples (%.2f%%)" % (reached, reached * 100 / examples))
    var["examplesCorrect"] = str(reached)
    var["percentCorrect"] = _g(reached * 100 / examples)
    return TestOutcome(examples, ticks, reached, "\n".join(lines), var)


def do_example(lnet: LensNet, S: LensExampleSet, num: int, training: bool) -> None:
    """Lens's doExample: run one example forward (its error adds to the network's)."""
    if "BOLTZMANN" in lnet.types:                    # run by pdpsim.lens.boltzmann
        return boltzmann.do_example(lnet, S, num, training)
    lnet.check_feed_forward("doExample", S)
    idx = S.run_indices(num)
    if lnet.continuous:
        if training:                 # Lens's training tick (error derivatives) without the backward pass
            errs, _ok, _ticks = lnet.run_ticks(S, idx, training=True, backward=False)
            lnet.error += float(errs.sum())
            return
        errs, _ok, _ticks = lnet.run_in_time(S, idx, training=False, backward=False)
        lnet.error += float(errs.sum())
        lnet.snapshot_time(S)
        return
    if lnet.uses_time(S):
        if training:                 # Lens's training tick (srbpttNetForward) without the backward pass
            errs, _ok, _ticks = lnet.run_steps(S, idx, training=True, backward=False)
            lnet.error += float(errs.sum())
            lnet.lesion_state()
            return
        errs, _ok, _ticks = lnet.run_srn(S, idx, training=False, backward=False)
        lnet.error += float(errs.sum())
        lnet.snapshot_srn(derivs=False)
        return
    errs = lnet.forward(S, idx)
    lnet.error += float(errs.sum())
    lnet.history_batch(S, idx, store=training)
    lnet.snapshot(S, int(idx[-1]), derivs=False, cost_derivs=training)
