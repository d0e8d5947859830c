"""The compiled loop against the numpy reference: same equations, orders and results to rounding."""
import itertools

import numpy as np
import pytest

import pdpsim
from pdpsim import ExampleSet, Network

pytest.importorskip("numba")


def net_for(hidden_fn, out_fn, err, seed, two_outputs=True):
    net = Network("c", seed=seed)
    net.add_group("input", 4, kind="INPUT")
    net.add_group("h1", 5, function=hidden_fn)
    net.add_group("h2", 3, function=hidden_fn)
    net.add_group("out", 3, kind="OUTPUT", function=out_fn, error=err)
    net.connect("input", "h1")
    net.connect("h1", "h2")
    net.connect("h2", "out")
    net.connect("input", "out")
    if two_outputs:                       # an output group that also sends links
        net.add_group("out2", 2, kind="OUTPUT", function="LOGISTIC", error="SUM_SQUARED")
        net.connect("h1", "out2")
        net.connect("out2", "h2")
    net.connect_bias()
    return net


def data(rng, n=7, out_fn="LOGISTIC"):
    t = rng.uniform(0.05, 0.95, (n, 3))
    if out_fn == "TANH":
        t = 2 * t - 1
    if out_fn == "LINEAR":
        t = rng.normal(size=(n, 3))
    t[2, 1] = np.nan
    return ExampleSet({"input": rng.uniform(-1, 1, (n, 4))},
                      {"out": t, "out2": rng.uniform(0.1, 0.9, (n, 2))})


COMBOS = [("LOGISTIC", "CROSS_ENTROPY"), ("LOGISTIC", "SUM_SQUARED"), ("LOGISTIC", "DIVERGENCE"),
          ("TANH", "SUM_SQUARED"), ("LINEAR", "SUM_SQUARED")]


@pytest.mark.parametrize("hidden_fn,combo,algorithm,order,batch",
                         [(h, c, a, o, b) for h, c in itertools.product(["LOGISTIC", "TANH", "LINEAR"], COMBOS)
                          for a, o, b in [("momentum", "permuted", 3)]] +
                         [("LOGISTIC", ("LOGISTIC", "CROSS_ENTROPY"), a, o, b)
                          for a, o, b in itertools.product(["steepest", "momentum", "dougs_momentum"],
                                                           ["ordered", "permuted", "random"], [1, 3, 0])])
def test_compiled_equals_numpy(hidden_fn, combo, algorithm, order, batch):
    out_fn, err = combo
    runs = {}
    for backend in ("numpy", "compiled"):
        rng = np.random.default_rng(4)
        net = net_for(hidden_fn, out_fn, err, seed=2)
        net.block("h1", "h2").learning_rate = 0.05           # a per-block rate
        xs = data(rng, out_fn=out_fn)
        xs.frequencies = np.arange(1, 8, dtype=float)
        r = pdpsim.train(net, xs, backend=backend, algorithm=algorithm, order=order, batch_size=batch,
                         learning_rate=0.02 if "LINEAR" in (hidden_fn, out_fn) else 0.1, momentum=0.8,
                         weight_decay=0.001, max_epochs=25)
        runs[backend] = (r, net.get_weights(), net.rng.random())
    (r1, w1, z1), (r2, w2, z2) = runs["numpy"], runs["compiled"]
    np.testing.assert_allclose(r2.errors, r1.errors, rtol=1e-9)
    for k in w1:
        np.testing.assert_allclose(w2[k], w1[k], rtol=1e-9, atol=1e-12, err_msg=k)
    assert z1 == z2                    # the generator ends where the numpy path leaves it


def test_compiled_stops_on_criteria_like_numpy():
    for crit in ({"output_criterion": 0.1}, {"error_criterion": 0.02}):
        res = []
        for backend in ("numpy", "compiled"):
            m = pdpsim.load("xor", seed=3)
            r = pdpsim.train(m.network, m.examples, m.training, backend=backend, order="permuted",
                             **({"output_criterion": None} | crit))
            res.append((r.stopped, r.n_epochs, m.network.rng.random()))
        assert res[0] == res[1]


def test_auto_backend_choice_and_refusals():
    from pdpsim.training import resolve_backend
    m = pdpsim.load("encoder-8-3-8")
    assert resolve_backend(m.network, m.examples, m.training) == "compiled"         # 3000 epochs x 8 updates
    short = m.training.__class__(**{**m.training.to_dict(), "max_epochs": 10})
    assert resolve_backend(m.network, m.examples, short) == "numpy"                # too short to pay
    sm = Network("s", seed=0)
    sm.add_group("input", 2, kind="INPUT")
    sm.add_group("out", 2, kind="OUTPUT", function="SOFT_MAX", error="DIVERGENCE")
    sm.connect("input", "out")
    xs = ExampleSet({"input": np.eye(2)}, {"out": np.eye(2)})
    with pytest.raises(pdpsim.PdpError, match="backend compiled does not support SOFT_MAX units"):
        pdpsim.train(sm, xs, backend="compiled", max_epochs=1)
    r = pdpsim.train(sm, xs, backend="auto", max_epochs=20000, learning_rate=0.5, error_criterion=0.05)
    assert r.stopped == "error_criterion"


@pytest.mark.parametrize("variant", [{}, {"out_integration": "IN_INTEGR"}, {"soft": True},
                                     {"err": "SUM_SQUARED", "out_fn": "TANH"}, {"out_integration": None}])
def test_compiled_networks_in_time_equal_numpy(variant):
    from builders import attractor, examples
    runs = {}
    for backend in ("numpy", "compiled"):
        rng = np.random.default_rng(1)
        net = attractor(seed=2, **variant)
        xs = examples(rng)
        if variant.get("out_fn") == "TANH":
            xs.targets["output"] = xs.targets["output"] * 2 - 1
        r = pdpsim.train(net, xs, backend=backend, algorithm="momentum", learning_rate=0.2, momentum=0.9,
                         batch_size=2, order="permuted", max_epochs=20)
        runs[backend] = (r.errors, net.get_weights())
    np.testing.assert_allclose(runs["compiled"][0], runs["numpy"][0], rtol=1e-10)
    for k, w in runs["numpy"][1].items():
        np.testing.assert_allclose(runs["compiled"][1][k], w, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("variant", [{}, {"out_integration": "IN_INTEGR"}, {"soft": True},
                                     {"err": "SUM_SQUARED", "out_fn": "TANH", "hid_fn": "LINEAR"},
                                     {"bias_first": True}])
@pytest.mark.parametrize("batch,slices", [(0, 1), (0, 2), (3, 2), (4, 3)])
def test_compiled_batches_in_time_equal_numpy(variant, batch, slices, monkeypatch):
    """Batches of a network in time whose examples all run the same ticks take the batch kernel
    (BLAS products, the batch cut into slices over the cores; a last batch of one example runs
    unsliced); each equals the numpy path."""

    import numba

    from pdpsim.engines.compiled import kernels_time_batch as _kernels_time_batch
    from builders import attractor
    calls = []
    kernel = _kernels_time_batch.run_epochs_time_batch
    monkeypatch.setattr(_kernels_time_batch, "run_epochs_time_batch", lambda *a: calls.append(a[6]) or kernel(*a))
    monkeypatch.setattr(numba, "get_num_threads", lambda: slices)
    runs = {}
    for backend in ("numpy", "compiled"):
        rng = np.random.default_rng(3)
        net = attractor(seed=4, **variant)
        x = rng.uniform(0, 1, (7, 2, 3))
        t = rng.uniform(0.1, 0.9, (7, 2, 3))
        if variant.get("out_fn") == "TANH":
            t = t * 2 - 1
        t[0, 0, 1] = t[4, 1, 2] = np.nan                      # no target for some units
        t[2, 0, :] = np.nan                                    # an event with no targets at all
        xs = ExampleSet({"input": x}, {"output": t}, event_fields={"grace": np.full((7, 2), 1 / 3)})
        r = pdpsim.train(net, xs, backend=backend, algorithm="momentum", learning_rate=0.2, momentum=0.9,
                         batch_size=batch, order="permuted", max_epochs=15)
        runs[backend] = (r.errors, net.get_weights())
    assert calls and set(calls) == {slices}
    np.testing.assert_allclose(runs["compiled"][0], runs["numpy"][0], rtol=1e-11)
    for k, w in runs["numpy"][1].items():
        np.testing.assert_allclose(runs["compiled"][1][k], w, rtol=1e-11, atol=1e-13)


def test_auto_takes_the_batch_kernel_for_long_runs_in_time():
    from pdpsim.tools.bench import _attractor
    from pdpsim.training.loop import resolve_backend
    net, xs, params, _ = _attractor(batch=True, quick=True)
    # 40 examples x 12,168 links: too much for the per-example kernel, not for the batch kernel
    assert 40 * net.n_links > 200_000
    assert resolve_backend(net, xs, params.__class__(batch_size=0, max_epochs=5000)) == "compiled"
    assert resolve_backend(net, xs, params.__class__(batch_size=0, max_epochs=10)) == "numpy"    # too short
    assert resolve_backend(net, xs, params.__class__(batch_size=1, max_epochs=5000)) == "compiled"


@pytest.mark.parametrize("workload", ["xor", "encoder-8-3-8", "attractor-batch", "attractor-online"])
def test_compiled_float32_equals_numpy_float32(workload):
    """float32 networks run the compiled loops in float32 (BLAS's sgemm in the batch kernel) and
    agree with the numpy path in float32 to its precision."""
    from dataclasses import replace

    from pdpsim.tools.bench import _as_float32, _build
    runs = {}
    for backend in ("numpy", "compiled"):
        net, xs, params, _ = _build(workload, True)
        net = _as_float32(net)
        r = pdpsim.train(net, xs, replace(params, backend=backend, max_epochs=min(params.max_epochs, 30)))
        runs[backend] = (np.array(r.errors), [b.weights.copy() for b in net.blocks])
    assert all(w.dtype == np.float32 for w in runs["compiled"][1])
    np.testing.assert_allclose(runs["compiled"][0], runs["numpy"][0], rtol=1e-5)
    for w, w0 in zip(runs["compiled"][1], runs["numpy"][1]):
        np.testing.assert_allclose(w, w0, rtol=1e-3, atol=1e-4 * np.abs(w0).max())


def test_compiled_loop_refuses_other_equations():
    """A unit or error class with other equations than pdpsim's own (Lens's table logistic,
    Lens's TANH) and Lens's time options never run in the compiled loop (auto takes numpy)."""
    from pdpsim.engines.compiled.flat import unsupported
    from pdpsim.functions import output_function
    from pdpsim.training.params import TrainingParams
    from pdpsim.dynamics.unfolding import make_continuous
    for name in ("LOGISTIC", "TANH"):
        net = Network("n", seed=0)
        net.add_group("input", 2, kind="INPUT")
        net.add_group("output", 2, kind="OUTPUT", error="SUM_SQUARED")
        net.connect("input", "output")
        assert unsupported(net, TrainingParams()) is None
        net.groups["output"].function = output_function(name, lens=True)
        assert unsupported(net, TrainingParams()) == f"{name}(lens=True) units (options other than the formula's)"
    net = Network("t", seed=0)
    net.add_group("input", 2, kind="INPUT")
    net.add_group("output", 2, kind="OUTPUT", error="SUM_SQUARED", integration="OUT_INTEGR")
    net.connect("input", "output")
    make_continuous(net, ticks_per_interval=2)
    assert unsupported(net, TrainingParams()) is None
    net.time.dt_scale = {"output": 0.5}
    assert unsupported(net, TrainingParams()) == "time.dt_scale"


def test_one_blas_thread_limits_numpys_and_numbas_blas_and_restores_them():
    import threadpoolctl

    from pdpsim.model import cores
    before = {i["filepath"]: i["num_threads"] for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"}
    with cores.one_blas_thread():
        inside = [i for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"]
        names = [i["filepath"] for i in inside]
        assert all(i["num_threads"] == 1 for i in inside)
        assert inside
    import scipy.linalg.cython_blas  # noqa: F401  (numba's products call this BLAS: it is limited too)
    assert len(names) == len({i["filepath"] for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"})
    after = {i["filepath"]: i["num_threads"] for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"}
    for path, n in before.items():
        assert after[path] == n


def _saturated(kind):
    """A network whose outputs all saturate near 1 (bias weights of 30: 1 - a near 1e-13), and targets all 1
    (one missing)."""
    from builders import attractor
    rng = np.random.default_rng(5)
    if kind == "feed-forward":
        net = Network("sat", seed=1)
        net.add_group("input", 3, kind="INPUT")
        net.add_group("output", 3, kind="OUTPUT", function="LOGISTIC", error="CROSS_ENTROPY")
        net.connect("input", "output")
        net.connect_bias()
        t = np.ones((6, 3))
        t[1, 2] = np.nan
        xs = ExampleSet({"input": rng.uniform(0, 1, (6, 3))}, {"output": t})
    else:
        net = attractor(seed=2, out_integration=None)
        t = np.ones((6, 2, 3))
        t[1, 0, 2] = np.nan
        xs = ExampleSet({"input": rng.uniform(0, 1, (6, 2, 3))}, {"output": t},
                        event_fields={"grace": np.full((6, 2), 1 / 3)})
    for b in net.blocks:
        b.weights[...] *= 0.1
    net.block("bias", "output").weights[...] = 30.0
    return net, xs


@pytest.mark.parametrize("kind,batch", [("feed-forward", 1), ("feed-forward", 0), ("in time", 1), ("in time", 0)])
def test_binary_targets_take_the_rules_one_logarithm_form(kind, batch):
    """Targets all 0 or 1: CROSS_ENTROPY's error is its binary form -ln(1 - |t - a|) on every engine and
    kernel (per example, online and the batch kernel in time). Outputs saturated beyond 1 - eps show
    which form ran: there the general form, which bounds a at 1 - eps, gives 1e-8 a unit; the binary
    form gives 1 - a, near e^-30."""
    errors = {}
    for backend in ("numpy", "compiled"):
        net, xs = _saturated(kind)
        r = pdpsim.train(net, xs, backend=backend, algorithm="steepest", learning_rate=1e-9, batch_size=batch,
                         max_epochs=2)
        errors[backend] = r.errors
    assert 1e-14 < errors["numpy"][0] < 1e-10               # the binary form (the general one: about 1e-7 here)
    np.testing.assert_allclose(errors["compiled"], errors["numpy"], rtol=1e-9)
