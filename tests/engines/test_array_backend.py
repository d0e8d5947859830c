"""The Array API backend against the numpy reference, on the CPU: array_api_strict (the standard,
strictly) and numpy through array-api-compat. Same equations, orders, stops and results to rounding."""
import importlib.util
from pathlib import Path

import numpy as np
import pytest

import pdpsim
from pdpsim import ExampleSet, Network, PdpError

pytest.importorskip("array_api_compat")
pytest.importorskip("array_api_strict")

from pdpsim.engines.array_api import engine as array_backend
from pdpsim.training import ensemble  # noqa: E402

BACKENDS = ["array:array_api_strict", "array:numpy"]


def two_output_net(hidden_fn="LOGISTIC", out_fn="LOGISTIC", err="CROSS_ENTROPY", seed=2, dtype=np.float64, **out_kw):
    """Two hidden layers, a skip link, and an output group that also sends links."""
    net = Network("c", seed=seed, dtype=dtype)
    net.add_group("input", 4, kind="INPUT")
    net.add_group("h1", 5, function=hidden_fn)
    net.add_group("h2", 3, function=hidden_fn)
    net.add_group("out", 3, kind="OUTPUT", function=out_fn, error=err, **out_kw)
    net.add_group("out2", 2, kind="OUTPUT", function="LOGISTIC", error="SUM_SQUARED", error_scale=1.0)
    for a, b in [("input", "h1"), ("h1", "h2"), ("h2", "out"), ("input", "out"), ("h1", "out2"), ("out2", "h2")]:
        net.connect(a, b)
    net.connect_bias()
    net.block("h1", "h2").learning_rate = 0.05             # a per-block rate
    return net


def two_output_data(out_fn="LOGISTIC", n=7, nan=True):
    rng = np.random.default_rng(4)
    t = rng.uniform(0.05, 0.95, (n, 3))
    if out_fn == "TANH":
        t = 2 * t - 1
    elif out_fn == "LINEAR":
        t = rng.normal(size=(n, 3))
    elif out_fn == "SOFT_MAX":
        t = t / t.sum(axis=1, keepdims=True)
    if nan:
        t[2, 1] = np.nan                                    # no target (no error) for one unit
        t[5] = np.nan
    xs = ExampleSet({"input": rng.uniform(-1, 1, (n, 4))}, {"out": t, "out2": rng.uniform(0.1, 0.9, (n, 2))})
    xs.frequencies = np.arange(1, n + 1, dtype=float)
    return xs


def compare(build, rtol=1e-10, atol=1e-13, backends=BACKENDS, **kw):
    """Train build()'s network with the numpy reference and with each array backend."""
    kw.pop("backend", None)
    net, xs = build()
    ref = pdpsim.train(net, xs, backend="numpy", **kw)
    ref_w = {b.name: (b.weights.copy(), b.last_change.copy(), b.weight_deriv.copy()) for b in net.blocks}
    ref_z = net.rng.random()
    for be in backends:
        net, xs = build()
        r = pdpsim.train(net, xs, backend=be, **kw)
        assert r.params.backend == be
        assert (r.stopped, r.n_epochs) == (ref.stopped, ref.n_epochs), be
        np.testing.assert_array_equal(r.epochs, ref.epochs)
        np.testing.assert_allclose(r.errors, ref.errors, rtol=rtol, atol=atol, err_msg=be)
        np.testing.assert_allclose(r.max_output_distance, ref.max_output_distance, rtol=rtol, atol=atol)
        for b in net.blocks:
            for name, got, want in zip(("weights", "last_change", "weight_deriv"),
                                       (b.weights, b.last_change, b.weight_deriv), ref_w[b.name]):
                assert got.dtype == want.dtype
                np.testing.assert_allclose(got, want, rtol=rtol, atol=atol, err_msg=f"{be} {b.name} {name}")
        assert net.rng.random() == ref_z, "the generator ends where the numpy path leaves it"
    return ref


def test_xor_from_its_spec():
    ref = compare(lambda: (lambda m: (m.network, m.examples))(pdpsim.load("xor", seed=3)),
                  **pdpsim.load("xor").training.to_dict())
    assert ref.stopped == "output_criterion"


def test_encoder_8_3_8_momentum_online_permuted():
    m = pdpsim.load("encoder-8-3-8")
    assert m.training.algorithm == "momentum" and m.training.batch_size == 1
    compare(lambda: (lambda m: (m.network, m.examples))(pdpsim.load("encoder-8-3-8", seed=1)),
            **m.training.to_dict() | {"max_epochs": 40})


@pytest.mark.parametrize("hidden_fn,out_fn,err", [
    ("LOGISTIC", "LOGISTIC", "CROSS_ENTROPY"), ("TANH", "LOGISTIC", "SUM_SQUARED"),
    ("LOGISTIC", "LOGISTIC", "DIVERGENCE"), ("TANH", "TANH", "SUM_SQUARED"), ("LINEAR", "LINEAR", "SUM_SQUARED"),
    ("LOGISTIC", "SOFT_MAX", "DIVERGENCE"), ("TANH", "SOFT_MAX", "CROSS_ENTROPY")])
def test_unit_and_error_functions_with_nan_targets(hidden_fn, out_fn, err):
    compare(lambda: (two_output_net(hidden_fn, out_fn, err), two_output_data(out_fn)),
            algorithm="momentum", momentum=0.8, learning_rate=0.02 if "LINEAR" in (hidden_fn, out_fn) else 0.1,
            max_epochs=15)


@pytest.mark.parametrize("algorithm,order,batch", [
    ("steepest", "permuted", 3), ("momentum", "random", 2), ("dougs_momentum", "ordered", 0),
    ("dougs_momentum", "permuted", 1), ("steepest", "ordered", 4)])
def test_algorithms_orders_and_batches(algorithm, order, batch):
    compare(lambda: (two_output_net(), two_output_data()), algorithm=algorithm, order=order, batch_size=batch,
            learning_rate=0.5 if algorithm == "dougs_momentum" else 0.1, momentum=0.7, max_epochs=12)


def test_cross_entropy_with_binary_targets():
    """The cross-entropy error takes numpy's 0/1 fast path on exactly the same batches."""
    def build():
        xs = two_output_data(nan=False)
        t = xs.targets["out"]
        t[:4] = np.round(t[:4])                             # some batches binary, some not
        return two_output_net(), xs
    compare(build, batch_size=2, order="permuted", algorithm="momentum", momentum=0.5, max_epochs=10)


def test_weight_decay_clipping_frozen_and_lesions():
    def build():
        net = two_output_net("TANH", "LOGISTIC", "SUM_SQUARED")
        b = net.block("input", "h1")
        b.min_weight, b.max_weight = -0.3, 0.4
        net.block("h2", "out").max_weight = 0.5
        net.block("h1", "out2").weight_decay = 0.01
        net.block("input", "out").frozen = True
        m = np.ones_like(net.block("h1", "h2").weights)
        m[1, 2] = 0
        net.block("h1", "h2").mask = m
        net.block("h1", "h2").weights *= m
        net.group("h1").unit_mask = np.array([1.0, 1.0, 0.0, 1.0, 1.0])
        return net, two_output_data()
    compare(build, algorithm="momentum", momentum=0.9, weight_decay=0.002, learning_rate=0.3, max_epochs=15,
            batch_size=3)


def test_target_and_zero_error_radii():
    compare(lambda: (two_output_net(target_radius=0.1, zero_error_radius=0.05), two_output_data()),
            algorithm="momentum", momentum=0.5, max_epochs=10)


@pytest.mark.parametrize("crit", [{"error_criterion": 0.05}, {"output_criterion": 0.2}])
def test_stops_on_criteria_at_the_same_epoch(crit):
    def build():
        m = pdpsim.load("xor", seed=3)
        return m.network, m.examples
    ref = compare(build, order="permuted", batch_size=2, learning_rate=2.0, algorithm="momentum", momentum=0.9,
                  max_epochs=2000,
                  **({"output_criterion": None} | crit))
    assert ref.stopped == next(iter(crit)) and 1 < ref.n_epochs < 2000


def test_float32_agrees_loosely():
    def build():
        return two_output_net(dtype=np.float32), two_output_data()
    ref = compare(build, rtol=2e-4, atol=1e-5, algorithm="momentum", momentum=0.8, learning_rate=0.1,
                  max_epochs=10)
    assert ref.errors.size == 10


def test_resume_with_start_epoch_and_callbacks_see_current_weights():
    def run(backend):
        m = pdpsim.load("xor", seed=5)
        seen = []
        cb = (lambda epoch, error, net: seen.append(net.block("hidden", "output").weights.copy()) and None)
        r1 = pdpsim.train(m.network, m.examples, m.training, backend=backend, max_epochs=6, order="permuted",
                          algorithm="momentum", momentum=0.9, callbacks=[cb])
        r2 = pdpsim.train(m.network, m.examples, m.training, backend=backend, max_epochs=10, order="permuted",
                          algorithm="momentum", momentum=0.9, start_epoch=6)
        return np.concatenate([r1.errors, r2.errors]), r2.epochs, np.array(seen), m.network.get_weights()
    ref = run("numpy")
    got = run("array:array_api_strict")
    np.testing.assert_array_equal(got[1], ref[1])
    for a, b in zip(got[::2], ref[::2]):
        np.testing.assert_allclose(a, b, rtol=1e-10)
    for k, w in ref[3].items():
        np.testing.assert_allclose(got[3][k], w, rtol=1e-10)


def test_direct_call_device_and_test_afterwards():
    m = pdpsim.load("xor", seed=3)
    r = array_backend.train(m.network, m.examples, m.training, xp="array_api_strict", device="device1")
    assert r.params.backend == "array:array_api_strict" and r.converged
    assert pdpsim.test(m.network, m.examples).total_error == pytest.approx(r.final_error, rel=0.5)
    with pytest.raises(PdpError, match="cannot use device 'no-such-device'"):
        array_backend.train(m.network, m.examples, m.training, xp="array_api_strict", device="no-such-device")
    with pytest.raises(PdpError, match="array:numpy runs on the CPU"):
        array_backend.train(m.network, m.examples, m.training, xp="numpy", device="cuda:0")


@pytest.mark.parametrize("order,algorithm", [("permuted", "dougs_momentum"), ("ordered", "momentum"),
                                             ("random", "steepest")])
def test_ensemble_equals_numpy_ensemble(order, algorithm):
    kw = dict(order=order, algorithm=algorithm, momentum=0.9, max_epochs=300, output_criterion=0.3,
              batch_size=0 if order == "ordered" else 2)
    rates = [0.5, 2.0, 0.5, 2.0, 1.0]
    ens = pdpsim.load_ensemble("xor", seeds=range(5))
    ref = ensemble.train(ens, learning_rates=rates, backend="numpy", **kw)
    ref_w, ref_z = ens.network.get_weights(), [r.random() for r in ens.rngs]
    ens = pdpsim.load_ensemble("xor", seeds=range(5))
    got = array_backend.train_ensemble(ens, learning_rates=rates, xp="array_api_strict", **kw)
    assert got.stopped == ref.stopped and list(got.epochs_to_stop) == list(ref.epochs_to_stop)
    assert len(set(ref.epochs_to_stop)) > 1                  # members stop at different epochs
    np.testing.assert_allclose(got.errors, ref.errors, rtol=1e-10)
    for k, w in ref_w.items():
        np.testing.assert_allclose(ens.network.get_weights()[k], w, rtol=1e-10, atol=1e-13, err_msg=k)
    assert [r.random() for r in ens.rngs] == ref_z


def test_spec_cli_and_resolve_backend(tmp_path):
    from click.testing import CliRunner

    from pdpsim.cli.main import main
    from pdpsim.training.params import TrainingParams
    from pdpsim.training.loop import resolve_backend
    text = (Path(pdpsim.__file__).parent / "zoo" / "xor.yaml").read_text()
    assert "\ntraining:\n" in text
    spec = tmp_path / "xor-gpu.yaml"
    spec.write_text(text.replace("\ntraining:\n", "\ntraining:\n  backend: array:array_api_strict\n", 1))
    m = pdpsim.load(str(spec))
    assert m.training.backend == "array:array_api_strict"
    assert resolve_backend(m.network, m.examples, m.training) == "array:array_api_strict"
    res = CliRunner().invoke(main, ["train", str(spec), "--out", str(tmp_path / "run"), "--no-progress",
                                    "--checkpoint-every", "50"])
    assert res.exit_code == 0, res.output
    assert "xor: 187 epochs, final error 0.0145208" in res.output       # as the numpy path (README)
    assert "array:array_api_strict" in (tmp_path / "run" / "run.json").read_text()
    assert TrainingParams(backend="ARRAY:array-api-strict").validated().backend == "array:array_api_strict"
    with pytest.raises(PdpError, match=r"training.backend: unknown array namespace 'array:jax'; expected array:numpy"):
        TrainingParams(backend="array:jax").validated()
    with pytest.raises(PdpError, match="unknown backend 'gpu'; expected one of auto, compiled, array:<...>, numpy"):
        TrainingParams(backend="gpu").validated()


def _srn():
    from pdpsim.reproductions.elman import build_srn
    return build_srn(3, 3, hidden=2)


def _timed():
    from pdpsim.dynamics.unfolding import make_continuous
    net = Network("t", seed=0)
    net.add_group("input", 2, kind="INPUT")
    net.add_group("output", 2, kind="OUTPUT")
    net.connect("input", "output")
    make_continuous(net, ticks_per_interval=2, intervals=1.0)
    net.time.integrator_lag = True          # Lens's rule: networks in time run, this option does not
    return net


def _noisy():
    net = two_output_net()
    net.group("h1").output_noise = 0.1
    return net


@pytest.mark.parametrize("make,kw,message", [
    (_srn, {}, "does not support (simple recurrent networks|CONTEXT groups)"),
    (_timed, {}, "does not support time.integrator_lag in networks in time"),
    (_noisy, {}, "does not support output noise \\(group 'h1'\\)"),
    (two_output_net, {"algorithm": "delta_bar_delta"}, "does not support the delta_bar_delta algorithm"),
    (lambda: Network("h", seed=0), {"rule": "hebb"}, "does not support the hebb rule"),
])
def test_refusals(make, kw, message):
    net = make()
    xs = ExampleSet({"input": np.zeros((2, 4))}, {"out": np.zeros((2, 3))})
    with pytest.raises(PdpError, match=message):
        pdpsim.train(net, xs, backend="array:array_api_strict", max_epochs=1, **kw)


def test_refuses_other_unit_types_and_ensembles_in_train():
    from pdpsim.functions import output_function
    net = two_output_net()
    net.group("h2").function = output_function("LOGISTIC", lens=True)
    with pytest.raises(PdpError, match="does not support LOGISTIC\\(lens=True\\) units \\(group 'h2'\\)"):
        pdpsim.train(net, two_output_data(), backend="array:numpy", max_epochs=1)
    ens = pdpsim.load_ensemble("xor", seeds=range(2))
    with pytest.raises(PdpError, match="ensemble network is trained with pdpsim.training.ensemble.train"):
        array_backend.train(ens.network, ens.examples, ens.training, xp="numpy")
    ens.network.blocks[0].mask = np.ones_like(ens.network.blocks[0].weights)
    with pytest.raises(PdpError, match="does not support lesions in ensembles"):
        array_backend.train_ensemble(ens, xp="numpy", max_epochs=1)


@pytest.mark.skipif(importlib.util.find_spec("cupy") is not None, reason="cupy is installed")
def test_missing_namespace_says_what_to_install():
    m = pdpsim.load("xor")
    with pytest.raises(PdpError, match=r"array:cupy: the array library 'cupy' cannot be imported .*"
                                       r"pip install 'pdpsim\[gpu\]' cupy-cuda12x"):
        pdpsim.train(m.network, m.examples, m.training, backend="array:cupy")


def test_missing_array_api_compat(monkeypatch):
    import sys
    monkeypatch.setitem(sys.modules, "array_api_compat", None)     # as if not installed
    with pytest.raises(PdpError, match=r"needs the array-api-compat package.*pip install 'pdpsim\[gpu\]'"):
        array_backend.namespace("torch")


def test_import_pdpsim_does_not_import_array_api_compat():
    import subprocess
    import sys
    code = "import sys, pdpsim, pdpsim.training.loop; print('array_api_compat' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_ensemble_train_and_command_dispatch_to_the_array_backend(tmp_path):
    """ensemble.train(backend="array:...") and `pdpsim ensemble --backend` run this backend
    (a spy sees the call) and give the numpy ensemble's results."""
    from click.testing import CliRunner

    from pdpsim.engines.array_api import engine as array_backend
    from pdpsim.training import ensemble
    from pdpsim.cli.main import main
    calls = []
    real = array_backend.ArrayEngine.epochs
    array_backend.ArrayEngine.epochs = lambda self, *a, **k: calls.append(self.key) or real(self, *a, **k)
    try:
        ref = ensemble.train(pdpsim.load_ensemble("xor", range(4)), backend="numpy", max_epochs=200)
        got = ensemble.train(pdpsim.load_ensemble("xor", range(4)), backend="array:array_api_strict", max_epochs=200)
        r = CliRunner().invoke(main, ["ensemble", "xor", "--seeds", "3", "--epochs", "50", "--backend",
                                      "array:numpy", "--out", str(tmp_path / "e")])
    finally:
        array_backend.ArrayEngine.epochs = real
    assert r.exit_code == 0, r.output
    assert set(calls) == {"array_api_strict", "numpy"}
    np.testing.assert_allclose(got.errors, ref.errors, rtol=1e-10)
    assert list(got.epochs_to_stop) == list(ref.epochs_to_stop)
