"""Networks in time: finite-difference checks of backpropagation through time."""
import numpy as np
import pytest

import pdpsim
from pdpsim import ExampleSet, Network
from builders import attractor, examples  # noqa: F401  (shared with the engine tests)
from pdpsim.dynamics.unfolding import Unfolded, build_schedule, make_continuous, tables


def total_error(net, sched):
    return float(Unfolded(net).forward(sched).sum())


def check(net, xs, rtol=1e-5, atol=1e-9):
    tt = tables(net, xs)
    sched = build_schedule(net, xs, np.arange(len(xs)), tt.ticks, tt.grace)
    unf = Unfolded(net)
    unf.forward(sched)
    unf.backward(sched)
    h = 1e-6
    for b in net.blocks:
        analytic = b.weight_deriv.copy()
        numeric = np.zeros_like(analytic)
        for idx in np.ndindex(b.weights.shape):
            old = b.weights[idx]
            b.weights[idx] = old + h
            ep = total_error(net, sched)
            b.weights[idx] = old - h
            em = total_error(net, sched)
            b.weights[idx] = old
            numeric[idx] = (ep - em) / (2 * h)
        np.testing.assert_allclose(analytic, numeric, rtol=rtol, atol=atol, err_msg=b.name)
    return sched


@pytest.mark.parametrize("out_integration", [None, "OUT_INTEGR", "IN_INTEGR"])
@pytest.mark.parametrize("out_fn,err", [("LOGISTIC", "CROSS_ENTROPY"), ("LOGISTIC", "SUM_SQUARED"),
                                        ("TANH", "SUM_SQUARED"), ("LINEAR", "SUM_SQUARED"),
                                        ("SOFT_MAX", "DIVERGENCE")])
def test_bptt_matches_finite_differences(out_integration, out_fn, err):
    rng = np.random.default_rng(1)
    net = attractor(out_integration=out_integration, out_fn=out_fn, err=err)
    xs = examples(rng)
    if out_fn == "SOFT_MAX":
        t = xs.targets["output"]
        xs.targets["output"] = np.where(np.isnan(t), np.nan, t / np.nansum(t, axis=-1, keepdims=True))
        xs.targets["output"][0, 0] = [0.2, 0.3, 0.5]
    if out_fn == "TANH":
        xs.targets["output"] = xs.targets["output"] * 2 - 1
    sched = check(net, xs)
    assert sched.ticks == 9                          # longest example: 1 + 2 intervals of 3 ticks


@pytest.mark.parametrize("hid_fn", ["LOGISTIC", "TANH", "LINEAR", "SOFT_MAX"])
def test_bptt_hidden_functions(hid_fn):
    rng = np.random.default_rng(2)
    check(attractor(hid_fn=hid_fn, seed=3), examples(rng))


def test_bptt_soft_clamp_and_lesioned_unit():
    rng = np.random.default_rng(3)
    net = attractor(soft=True, seed=5)
    net.group("hidden").unit_mask = np.array([1.0, 0.0, 1.0, 1.0])
    check(net, examples(rng))


def test_schedule_lays_out_events_and_grace():
    rng = np.random.default_rng(0)
    net = attractor()
    xs = examples(rng)
    tt = tables(net, xs)
    assert tt.ticks.tolist() == [[3, 6], [3, 0], [2, 3]]
    s = build_schedule(net, xs, np.arange(3), tt.ticks, tt.grace)
    assert s.event_of_tick[0].tolist() == [0, 0, 0, 0, 1, 1, 1, 1, 1, 1]
    assert s.event_of_tick[1].tolist() == [0, 0, 0, 0, -1, -1, -1, -1, -1, -1]
    y = s.targets["output"]
    assert np.isnan(y[0]).all()                        # tick 0 sets the state only
    assert np.isnan(y[4, 0]).all() and not np.isnan(y[5, 0]).all()    # grace: first tick of event 1
    assert np.isnan(y[1, 1]).all() and not np.isnan(y[2, 1]).all()    # grace 1/3 interval = 1 tick
    assert np.isnan(y[4:, 1]).all()                                    # example 1 ended
    np.testing.assert_array_equal(s.inputs["input"][1:4, 0], np.repeat(xs.inputs["input"][0, :1], 3, axis=0))


def test_continuous_semantics_by_hand():
    """One hidden unit with OUT_INTEGR, dt = 1/2: a(t) = a(t-1) + dt (f(w x) - a(t-1)); every
    link carries the previous tick's output."""
    net = Network("hand", seed=0)
    net.add_group("input", 1, kind="INPUT")
    net.add_group("hidden", 1, integration="OUT_INTEGR")
    net.add_group("output", 1, kind="OUTPUT", integration="OUT_INTEGR", error="SUM_SQUARED", error_scale=1.0)
    net.connect("input", "hidden", weights=[[2.0]])
    net.connect("hidden", "output", weights=[[-1.0]])
    make_continuous(net, ticks_per_interval=2, intervals=1.0, integrate=False)
    xs = ExampleSet({"input": [[1.0]]}, {"output": [[0.2]]})
    errors, unf, sched = pdpsim.dynamics.unfolding.run_examples(net, xs)
    f = lambda n: 1 / (1 + np.exp(-n))
    h, o = [0.5], [0.5]
    for t in (1, 2):
        h_new = h[-1] + 0.5 * (f(2.0 * 1.0) - h[-1])
        o_new = o[-1] + 0.5 * (f(-1.0 * h[-1]) - o[-1])      # uses hidden at t-1
        h.append(h_new)
        o.append(o_new)
    np.testing.assert_allclose(net.group("hidden").output_history[:, 0, 0], h, rtol=1e-14)
    np.testing.assert_allclose(net.group("output").output_history[:, 0, 0], o, rtol=1e-14)
    # Lens: each tick's error is divided by ticks per interval
    assert errors[0] == pytest.approx(0.5 * ((o[1] - 0.2) ** 2 + (o[2] - 0.2) ** 2), rel=1e-13)


# ------------------------------------------------------------------ simple recurrent networks
def srn(seed=0):
    from pdpsim.dynamics.unfolding import make_srn
    net = Network("srn", seed=seed)
    net.add_group("input", 3, kind="INPUT")
    net.add_group("context", 6, kind="CONTEXT")
    net.add_group("hidden", 6)
    net.add_group("output", 3, kind="OUTPUT", error="CROSS_ENTROPY")
    net.connect("input", "hidden")
    net.connect("context", "hidden")
    net.connect("hidden", "output")
    net.elman_connect("hidden", "context")
    net.connect_bias()
    return make_srn(net)


def test_srn_needs_memory_and_learns():
    """a b a c a b a c ...: after 'a' the next letter depends on the letter before the 'a',
    which only the context can hold."""
    seq = [0, 1, 0, 2] * 4
    eye = np.eye(3)
    x = eye[seq[:-1]][None]
    t = eye[seq[1:]][None]
    xs = ExampleSet({"input": x}, {"output": t}, name="abac")
    net = srn(seed=0)
    r = pdpsim.train(net, xs, algorithm="momentum", learning_rate=0.1, momentum=0.9, max_epochs=1500,
                     output_criterion=0.3)
    assert r.converged, r.final_error
    res = pdpsim.test(net, xs)
    pred = res.event_outputs["output"][0].argmax(1)
    assert pred[1:].tolist() == seq[2:]           # every prediction after the first 'a' is right
    assert res.event_errors.shape == (1, 15)


def test_srn_event_updates_equal_manual_loop():
    from pdpsim.learning.rules import update_weights
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, (1, 3, 3))
    t = rng.uniform(0.1, 0.9, (1, 3, 3))
    xs = ExampleSet({"input": x}, {"output": t})
    a = srn(seed=4)
    pdpsim.train(a, xs, learning_rate=0.2, update="event", max_epochs=1)
    b = srn(seed=4)
    prev = None
    for e in range(3):
        ctx = np.full((1, 6), 0.5) if e == 0 else prev
        b.forward({"input": x[:, e], "context": ctx})
        b.set_targets({"output": t[:, e]})
        b.backward()
        update_weights(b.blocks, "steepest", 0.2)
        prev = b.group("hidden").output.copy()
    for k, v in b.get_weights().items():
        np.testing.assert_allclose(a.get_weights()[k], v, rtol=1e-13)
    # per batch: derivatives summed over the events, one update
    c = srn(seed=4)
    pdpsim.train(c, xs, learning_rate=0.2, update="batch", max_epochs=1)
    assert not np.allclose(c.get_weights()["input->hidden"], a.get_weights()["input->hidden"])


def test_continuous_network_trains_and_tests():
    rng = np.random.default_rng(5)
    net = attractor(seed=1)
    x = rng.integers(0, 2, (4, 1, 3)).astype(float)
    xs = ExampleSet({"input": x}, {"output": x.copy()}, name="copy",
                    event_fields={"max": np.full((4, 1), 2.0), "grace": np.full((4, 1), 1.0)})
    r = pdpsim.train(net, xs, algorithm="momentum", learning_rate=0.5, momentum=0.9, max_epochs=300)
    assert r.errors[-1] < 0.2 * r.errors[0]
    res = pdpsim.test(net, xs)
    assert res.outputs["output"].shape == (4, 3)
    assert np.all(np.abs(res.outputs["output"] - x[:, 0]) < 0.2)
    assert net.group("hidden").output_history.shape == (7, 4, 4)       # tick 0 + 2 intervals x 3 ticks


def test_settling_figure(tmp_path):
    from pdpsim.analysis import plots
    rng = np.random.default_rng(0)
    net = attractor()
    xs = examples(rng)
    pdpsim.test(net, xs)
    p = plots.settling(net, 0, tmp_path / "settle.png", example_name=xs.names[0])
    assert p.read_bytes()[:4] == b"\x89PNG"
    with pytest.raises(pdpsim.PdpError, match="example 7 out of range"):
        plots.settling(net, 7, tmp_path / "x.png")


# ------------------------------------------------------------------ Lens options (tick 0, integrator lag, early stop)
def test_tick0_clamp_false_starts_inputs_at_init_output():
    net = attractor()
    net.time.tick0_clamp = False
    xs = examples(np.random.default_rng(1))
    tt = tables(net, xs)
    sched = build_schedule(net, xs, np.arange(len(xs)), tt.ticks, tt.grace)
    Unfolded(net).forward(sched)
    inp = net.groups["input"]
    assert np.all(inp.output_history[0] == 0.0)              # LINEAR input: init_output 0, not the example
    np.testing.assert_allclose(inp.output_history[1], sched.inputs["input"][1])
    check(net, xs)                                            # gradients stay exact


def test_integrator_lag_is_lens_shifted_derivative():
    """With integrator_lag, f(n(t)) receives dt * dE/da(t+1): a by-hand two-tick case."""
    net = Network("lag", seed=0)
    net.add_group("input", 1, kind="INPUT")
    net.add_group("output", 1, kind="OUTPUT", function="LINEAR", error="SUM_SQUARED", integration="OUT_INTEGR")
    net.connect("input", "output", weights=[[0.7]])
    make_continuous(net, ticks_per_interval=2, intervals=1.0, integrate=False)
    net.time.integrator_lag = True
    xs = ExampleSet({"input": np.array([[[1.0]]])}, {"output": np.array([[[0.3]]])})
    tt = tables(net, xs)
    sched = build_schedule(net, xs, np.arange(1), tt.ticks, tt.grace)
    unf = Unfolded(net)
    unf.forward(sched)
    unf.backward(sched)
    dt = 0.5
    out = net.groups["output"]
    a2 = out.output_history[2]
    d2 = out.error.output_deriv(a2, np.array([[0.3]]), np.empty((1, 1)))[0, 0] * dt    # dE/da(2), scaled per tick
    # Lens: L(2) = dE/da(2); dE/df(1) = dt L(2); dE/df(2) = dt L(3) = 0; LINEAR f' = 1
    # dE/dw = x(0) dE/draw(1) + x(1) dE/draw(2) = x(0) dt L(2), with x(0) = 1 (clamped at tick 0)
    expected = 1.0 * dt * d2
    np.testing.assert_allclose(net.blocks[0].weight_deriv[0, 0], expected, rtol=1e-12)


def test_early_stop_ends_events_and_shifts_the_rest():
    net = attractor()
    xs = examples(np.random.default_rng(2), targets=(0.45, 0.55))
    tt = tables(net, xs)
    full = build_schedule(net, xs, np.array([0]), tt.ticks, tt.grace)
    net.time.early_stop = 0.5
    mins = np.ones_like(tt.ticks)
    sched = build_schedule(net, xs, np.array([0]), tt.ticks, tt.grace, mins)
    unf = Unfolded(net)
    unf.forward(sched)
    cut = unf.cut_schedule
    assert cut is not None and cut.ticks < full.ticks
    # every event still runs, in order, at least one tick
    ev = cut.event_of_tick[0, 1:]
    assert list(dict.fromkeys(ev.tolist())) == [0, 1]
    assert net.groups["output"].output_history.shape[0] == cut.ticks + 1
    unf.backward(sched)                                       # runs over the ticks really run
    with pytest.raises(pdpsim.PdpError, match="batch size 1"):
        Unfolded(net).forward(build_schedule(net, xs, np.arange(2), tt.ticks, tt.grace, np.ones_like(tt.ticks)))


def test_new_options_are_refused_by_the_compiled_loop():
    from pdpsim.engines.compiled import flat as compiled
    from pdpsim.training.params import TrainingParams
    for opt, val in (("early_stop", 0.1), ("tick0_clamp", False), ("integrator_lag", True)):
        net = attractor()
        setattr(net.time, opt, val)
        assert opt in compiled.unsupported(net, TrainingParams())


def test_record_ticks_and_trajectory_over_ticks():
    from pdpsim import analysis
    from pdpsim.records.recording import TickRecorder, history, record_ticks
    rng = np.random.default_rng(0)
    net = attractor()
    xs = examples(rng)
    f = record_ticks(net, xs, ["hidden", "output"], ["output", "net_input"])
    assert set(f.columns) == {"tick", "example", "group", "unit", "quantity", "value"}
    h = history(f, "hidden")
    np.testing.assert_array_equal(h, net.group("hidden").output_history)
    assert h.shape == (10, 3, 4)
    traj = analysis.trajectory(h, names=xs.names)                 # the hidden patterns over the ticks
    assert np.asarray(traj.coords).shape[:2] == (10, 3)
    rec = TickRecorder(net, xs, "output", every=2)
    pdpsim.train(net, xs, learning_rate=0.1, max_epochs=4, callbacks=[rec])
    fr = rec.frame()
    assert sorted(set(fr["epoch"])) == [2, 4] and set(fr["tick"]) == set(range(10))
    with pytest.raises(pdpsim.PdpError, match="quantity 'input_deriv' is not kept per tick"):
        record_ticks(net, xs, "hidden", "input_deriv")
    ff = pdpsim.load("xor")
    with pytest.raises(pdpsim.PdpError, match="does not settle over ticks"):
        record_ticks(ff.network, ff.examples)


@pytest.mark.parametrize("out_integration", [None, "OUT_INTEGR"])
def test_fused_steps_equal_plain_numpy(out_integration):
    rng = np.random.default_rng(3)
    net = attractor(out_integration=out_integration, seed=4)
    xs = examples(rng)
    tt = tables(net, xs)
    sched = build_schedule(net, xs, np.arange(len(xs)), tt.ticks, tt.grace)
    got = {}
    for fused in (False, True):
        unf = Unfolded(net, fused=fused)
        assert bool(unf.fused) == fused
        e = unf.forward(sched)
        unf.backward(sched)
        got[fused] = (e, {b.name: b.weight_deriv.copy() for b in net.blocks},
                      net.group("hidden").output_history.copy())
    np.testing.assert_allclose(got[True][0], got[False][0], rtol=1e-13)
    np.testing.assert_allclose(got[True][2], got[False][2], rtol=1e-13)
    for k, v in got[False][1].items():
        np.testing.assert_allclose(got[True][1][k], v, rtol=1e-11, atol=1e-15, err_msg=k)
