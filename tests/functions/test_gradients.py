"""Finite-difference checks of the backward pass (generalized delta rule, and backpropagation through
time) for every registered output function x error function x integration x clamp.

The combinations are drawn from the tables (pdpsim.functions), not written here: a rule added
to a table is checked with no edit to this file. An output function is paired with each error
function whose domain holds its outputs (``OutputFunction.output_range`` inside
``ErrorFunction.domain``), so the error's formula, not its bounds, is what is differentiated.
"""
import itertools

import numpy as np
import pytest

from pdpsim import ExampleSet, Network
from pdpsim.functions import CLAMPS, ERROR_FUNCTIONS, INTEGRATORS, OUTPUT_FUNCTIONS
from pdpsim.model.time import make_continuous


def _fits(out_fn: str, err: str) -> bool:
    lo, hi = OUTPUT_FUNCTIONS[out_fn].output_range
    dlo, dhi = ERROR_FUNCTIONS[err].domain
    return dlo <= lo and hi <= dhi


OUTPUT_COMBOS = [(f, e) for f in OUTPUT_FUNCTIONS for e in ERROR_FUNCTIONS if _fits(f, e)]
HIDDEN = list(OUTPUT_FUNCTIONS)


def random_net(hidden_fn, out_fn, err, seed, ensemble=None, scale=None):
    """input(3) -> h1(4) -> h2(3) -> out(4), plus a skip link input -> out and a second
    output group fed by h1: fan-in, fan-out and an output group that also has targets."""
    net = Network("g", seed=seed, ensemble=ensemble, init_range=0.5)   # (exponential units stay moderate)
    net.add_group("input", 3, kind="INPUT")
    net.add_group("h1", 4, function=hidden_fn)
    net.add_group("h2", 3, function=hidden_fn)
    net.add_group("out", 4, kind="OUTPUT", function=out_fn, error=err, error_scale=scale)
    net.add_group("out2", 2, kind="OUTPUT", function="LOGISTIC", error="SUM_SQUARED")
    net.connect("input", "h1")
    net.connect("h1", "h2")
    net.connect("h2", "out")
    net.connect("input", "out")
    net.connect("h1", "out2")
    net.connect_bias()
    return net


def targets_for(out_fn, rng, shape):
    """Targets inside the function's range (distributions for SOFT_MAX)."""
    if out_fn == "SOFT_MAX":
        t = rng.uniform(0.05, 1, size=shape)
        return t / t.sum(-1, keepdims=True)
    lo, hi = OUTPUT_FUNCTIONS[out_fn].output_range
    lo, hi = max(lo, -1.5), min(hi, 1.5)
    return rng.uniform(lo + 0.05 * (hi - lo), hi - 0.05 * (hi - lo), size=shape)


def total_error(net, x, t):
    net.forward({"input": x})
    net.set_targets(t)
    return float(net.error().sum())


def numeric_grad(net, x, t, block, h=1e-6):
    g = np.zeros_like(block.weights)
    for idx in np.ndindex(block.weights.shape):
        old = block.weights[idx]
        block.weights[idx] = old + h
        ep = total_error(net, x, t)
        block.weights[idx] = old - h
        em = total_error(net, x, t)
        block.weights[idx] = old
        g[idx] = (ep - em) / (2 * h)
    return g


@pytest.mark.parametrize("hidden_fn,combo", list(itertools.product(HIDDEN, OUTPUT_COMBOS)))
def test_backward_matches_finite_differences(hidden_fn, combo):
    out_fn, err = combo
    rng = np.random.default_rng(7)
    net = random_net(hidden_fn, out_fn, err, seed=3)
    x = rng.uniform(-1, 1, size=(5, 3))
    t = {"out": targets_for(out_fn, rng, (5, 4)), "out2": rng.uniform(0.1, 0.9, size=(5, 2))}
    total_error(net, x, t)
    net.backward()
    for b in net.blocks:
        analytic = b.weight_deriv.copy()
        numeric = numeric_grad(net, x, t, b)
        # (the absolute tolerance follows the block's largest derivative: exponential units reach 1e4)
        np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=5e-8 * max(1.0, np.abs(numeric).max()),
                                   err_msg=f"{b.name}")


def test_nan_targets_contribute_nothing():
    rng = np.random.default_rng(0)
    net = random_net("LOGISTIC", "LOGISTIC", "CROSS_ENTROPY", seed=1)
    x = rng.uniform(-1, 1, size=(4, 3))
    t = {"out": rng.uniform(0.1, 0.9, size=(4, 4)), "out2": rng.uniform(0.1, 0.9, size=(4, 2))}
    t["out"][1, 2] = np.nan
    t["out2"][:, 0] = np.nan
    e = total_error(net, x, t)
    assert np.isfinite(e)
    net.backward()
    assert net.group("out").output_deriv[1, 2] == 0.0
    assert np.all(net.group("out2").output_deriv[:, 0] == 0.0)
    for b in net.blocks:
        np.testing.assert_allclose(b.weight_deriv, numeric_grad(net, x, t, b), rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("radius", ["target_radius", "zero_error_radius"])
def test_radii_gradient(radius):
    rng = np.random.default_rng(2)
    net = random_net("TANH", "LOGISTIC", "SUM_SQUARED", seed=5)
    setattr(net.group("out"), radius, 0.15)
    x = rng.uniform(-1, 1, size=(6, 3))
    t = {"out": rng.integers(0, 2, size=(6, 4)).astype(float), "out2": rng.uniform(0.1, 0.9, size=(6, 2))}
    total_error(net, x, t)
    net.backward()
    for b in net.blocks:
        np.testing.assert_allclose(b.weight_deriv, numeric_grad(net, x, t, b, h=1e-7), rtol=1e-4, atol=1e-7)


def test_error_scale_scales_error_and_derivatives():
    rng = np.random.default_rng(4)
    x = rng.uniform(-1, 1, size=(3, 3))
    t = {"out": rng.uniform(0.1, 0.9, size=(3, 4))}
    lecture = random_net("LOGISTIC", "LOGISTIC", "SUM_SQUARED", seed=9)
    lens = random_net("LOGISTIC", "LOGISTIC", "SUM_SQUARED", seed=9, scale=1.0)
    lecture.group("out2").error.error_scale = lens.group("out2").error.error_scale = 0.0
    e_half = total_error(lecture, x, t | {"out2": np.zeros((3, 2))})
    e_lens = total_error(lens, x, t | {"out2": np.zeros((3, 2))})
    a = lens.group("out").output
    assert e_lens == pytest.approx(((a - t["out"]) ** 2).sum(), rel=1e-12)   # Lens: sum (a - t)^2
    assert e_half == pytest.approx(0.5 * e_lens, rel=1e-12)                  # lecture: 1/2 sum (t - a)^2
    lecture.backward()
    lens.backward()
    np.testing.assert_allclose(lens.group("out").output_deriv, 2 * (a - t["out"]), rtol=1e-12)
    np.testing.assert_allclose(lecture.group("out").output_deriv, -(t["out"] - a), rtol=1e-12)


def test_cross_entropy_bounded_at_saturation():
    net = Network("sat", seed=0)
    net.add_group("input", 1, kind="INPUT")
    net.add_group("out", 1, kind="OUTPUT", error="CROSS_ENTROPY")
    net.connect("input", "out", weights=[[1000.0]])
    net.forward({"input": np.array([[1.0]])})
    net.set_targets({"out": np.array([[0.0]])})
    e = net.error()
    net.backward()
    assert np.isfinite(e).all() and np.isfinite(net.group("out").output_deriv).all()
    assert e[0] == pytest.approx(-np.log(1e-8), rel=1e-6)   # ln(1/(1 - a)) with a kept at 1 - 1e-8


@pytest.mark.parametrize("hidden_fn,out_fn,err", [("TANH", "LOGISTIC", "CROSS_ENTROPY"),
                                                   ("LOGISTIC", "SOFT_MAX", "DIVERGENCE"),
                                                   ("SOFT_MAX", "SOFT_MAX", "COSINE")])
def test_ensemble_axis_equals_separate_networks(hidden_fn, out_fn, err):
    """E networks stacked on a leading axis give each member's own derivatives (group-wise rules
    such as SOFT_MAX, DIVERGENCE and COSINE sum over each member's units, not across members)."""
    rng = np.random.default_rng(11)
    x = rng.uniform(-1, 1, size=(5, 3))
    t = {"out": targets_for(out_fn, rng, (5, 4)), "out2": rng.uniform(0.1, 0.9, size=(5, 2))}
    singles = [random_net(hidden_fn, out_fn, err, seed=s) for s in range(3)]
    ens = random_net(hidden_fn, out_fn, err, seed=0, ensemble=3)
    for b in ens.blocks:
        b.weights[...] = np.stack([s.block(b.source.name, b.dest.name).weights for s in singles])
    ens.forward({"input": x})
    ens.set_targets(t)
    errs = ens.error()
    ens.backward()
    for k, s in enumerate(singles):
        assert total_error(s, x, t) == pytest.approx(errs[k].sum(), rel=1e-13)
        s.backward()
        for b in s.blocks:
            np.testing.assert_allclose(ens.block(b.source.name, b.dest.name).weight_deriv[k], b.weight_deriv,
                                       rtol=1e-12, atol=1e-15)


# ---------------------------------------------------------------- networks in time
def _in_time(out_fn, err, integration, clamp, seed=3):
    """input(2, clamp) -> hidden(2, out_fn, integration) -> output(2, out_fn, err, integration), the output
    self-recurrent and sending back to the hidden group, a bias; 3 ticks an interval."""
    net = Network("t", seed=seed, init_range=0.7)
    net.add_group("input", 2, kind="INPUT", clamp=clamp, clamp_strength=0.4)
    net.add_group("hidden", 2, function=out_fn, integration=integration)
    net.add_group("output", 2, kind="OUTPUT", function=out_fn, error=err, integration=integration)
    net.connect("input", "hidden")
    net.connect("hidden", "output")
    net.connect("output", "output")
    net.connect("output", "hidden")
    if clamp == "SOFT":
        net.connect("hidden", "input")          # a soft-clamped input computes its own output too
    net.connect_bias()
    return make_continuous(net, ticks_per_interval=3, intervals=1.0, integrate=False)


TIME_COMBOS = [(f, e, i, c) for (f, e) in OUTPUT_COMBOS
               for i in INTEGRATORS for c in CLAMPS if c != "NONE"]     # an input group is clamped one way or another


@pytest.mark.parametrize("out_fn,err,integration,clamp", TIME_COMBOS)
def test_bptt_matches_finite_differences_for_every_rule(out_fn, err, integration, clamp):
    from pdpsim.dynamics.unfolding import Unfolded, build_schedule, tables
    net = _in_time(out_fn, err, None if integration == "NONE" else integration, clamp)
    rng = np.random.default_rng(1)
    x = rng.uniform(0, 1, (2, 2, 2))
    t = targets_for(out_fn, rng, (2, 2, 2))
    t[0, 0, 1] = np.nan                                                   # a missing target
    xs = ExampleSet({"input": x}, {"output": t})
    tt = tables(net, xs)
    sched = build_schedule(net, xs, np.arange(2), tt.ticks, tt.grace)
    unf = Unfolded(net, fused=False)
    unf.forward(sched)
    unf.backward(sched)

    def total():
        return float(Unfolded(net, fused=False).forward(sched).sum())

    h = 1e-6
    for b in net.blocks:
        analytic = b.weight_deriv.copy()
        numeric = np.zeros_like(analytic)
        for idx in np.ndindex(b.weights.shape):
            old = b.weights[idx]
            b.weights[idx] = old + h
            up = total()
            b.weights[idx] = old - h
            down = total()
            b.weights[idx] = old
            numeric[idx] = (up - down) / (2 * h)
        np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-8, err_msg=b.name)
