"""Lens's output-cost group types, checked against real Lens.

The reference scripts ``costs_ff`` (feed-forward networks) and ``costs_time`` (an Elman network
and a CONTINUOUS attractor) under tests/lens/lens_reference/ were run in Lens 2.63 (double-precision
build, 17-digit ``getObj``): LINEAR_COST, QUADRATIC_COST, CONV_QUAD_COST, LOGISTIC_COST,
COSINE_COST and DELTA_COST on hidden and output groups, with outputCostStrength, outputCostPeak
(network and group) and outputCostScale. pdpsim must print the same numbers (outputCost, errors,
derivatives, unit state, weights) to a relative 1e-12 in testing and training.
"""
from __future__ import annotations

import io
import math
import re
from types import SimpleNamespace

import numpy as np
import pytest

from pdpsim.lens import LensShell, ScriptError
from pdpsim.lens import costs
from test_lens_shell import REF, compare_outputs, ref_dir, run  # noqa: F401  (fixture)

SCRIPTS = ["costs_ff", "costs_time"]
TIGHT = 1e-12


@pytest.mark.parametrize("name", SCRIPTS)
def test_scripts_match_lens(name, ref_dir):  # noqa: F811
    ours = run(f"{name}.tcl", digits=17)
    worst = compare_outputs((ref_dir / f"{name}.lens.out").read_text(), ours)
    print(f"{name}: largest relative difference from Lens {worst:.2g}")
    assert worst < TIGHT


def _unit(outputs, lo, hi, peak=0.5, tpi=1):
    n = len(outputs)
    g = SimpleNamespace(params={"outputCostPeak": peak, "outputCostScale": 1.0}, output_cost=0.0,
                        flags=set(), delta_cost=None)
    lnet = SimpleNamespace(params={"outputCostPeak": 0.5, "outputCostStrength": 1.0}, ticks_per_interval=tpi,
                           output_cost=0.0)
    return SimpleNamespace(g=g, lnet=lnet, n=n, k=np.ones(n, dtype=bool), min_output=lo, max_output=hi,
                           s={"output": np.array(outputs, dtype=float), "outputDeriv": np.zeros(n)},
                           continuous=False, tick=1)


@pytest.mark.parametrize("proc,lo,hi,peak,half", [
    ("LINEAR_COST", math.nan, math.nan, 0.5, False), ("LINEAR_COST", 0.0, 1.0, 0.3, False),
    ("QUADRATIC_COST", math.nan, math.nan, 0.5, False), ("QUADRATIC_COST", 0.0, 1.0, 0.7, False),
    ("CONV_QUAD_COST", 0.0, 1.0, 0.3, False), ("LOGISTIC_COST", 0.0, 1.0, 0.3, False),
    ("LOGISTIC_COST", 0.0, 1.0, 0.8, False), ("COSINE_COST", 0.0, 1.0, 0.4, True)])
def test_cost_derivatives(proc, lo, hi, peak, half):
    """Each cost's derivative is the derivative of its cost (COSINE_COST: half of it, as in Lens;
    its pi is Lens's 3.1415927)."""
    x = np.array([0.12, 0.45, 0.61, 0.93]) if not math.isnan(lo) else np.array([-0.8, 0.3, 1.7, -2.2])
    u = _unit(x, lo, hi, peak)
    costs.back(u, proc)
    h = 1e-6
    for j in range(x.size):
        a, b = x.copy(), x.copy()
        a[j] += h
        b[j] -= h
        num = (costs.forward(_unit(a, lo, hi, peak), proc) - costs.forward(_unit(b, lo, hi, peak), proc)) / (2 * h)
        assert u.s["outputDeriv"][j] == pytest.approx(num * (0.5 if half else 1.0), rel=1e-5, abs=1e-8)


def test_delta_cost_memory():
    """DELTA_COST compares each output with the one of the tick before, across examples; on the first
    tick of a RESET_ON_EXAMPLE group's example (not CONTINUOUS) it counts nothing and going back takes
    the output as the previous one."""
    u = _unit([0.2, 0.4], 0.0, 1.0)
    assert costs.forward(u, "DELTA_COST") == pytest.approx(0.2 ** 2 + 0.4 ** 2)
    u.s["output"][:] = [0.5, 0.1]
    assert costs.forward(u, "DELTA_COST") == pytest.approx(0.3 ** 2 + 0.3 ** 2)
    costs.back(u, "DELTA_COST")
    assert u.s["outputDeriv"] == pytest.approx([0.6, -0.6])
    u.g.flags.add("RESET_ON_EXAMPLE")
    u.tick = 0
    assert costs.forward(u, "DELTA_COST") == 0.0
    u.s["outputDeriv"][:] = 0.0
    costs.back(u, "DELTA_COST")
    assert list(u.s["outputDeriv"]) == [0.0, 0.0]


def test_remaining_refusals():
    for script, words in [
        ("addNet n; addGroup g 3 ELMAN DELTA_COST", "an ELMAN group with the type DELTA_COST"),
    ]:
        shell = LensShell(stdout=io.StringIO())
        with pytest.raises(ScriptError, match=re.escape(words)):
            shell.eval(f"cd {{{REF}}}; " + script)
