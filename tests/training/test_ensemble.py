"""Ensembles equal separate runs with the same seeds."""
import numpy as np
import pytest

import pdpsim
from builders import ATTRACTOR
from pdpsim.training import ensemble


@pytest.mark.parametrize("backend", ["numpy", "compiled"])
@pytest.mark.parametrize("order,algorithm", [("ordered", "momentum"), ("permuted", "steepest"),
                                             ("random", "dougs_momentum")])
def test_ensemble_equals_separate_runs(order, algorithm, backend):
    seeds = [0, 1, 2, 3, 7]
    rates = [0.5, 0.5, 1.0, 0.25, 0.5]
    ens = pdpsim.load_ensemble("xor", seeds)
    res = ensemble.train(ens, learning_rates=rates, order=order, algorithm=algorithm, max_epochs=400,
                         batch_size=2 if order != "ordered" else 0, backend=backend)
    for k, (s, lr) in enumerate(zip(seeds, rates)):
        m = pdpsim.load("xor", seed=s)
        r = pdpsim.train(m.network, m.examples, m.training, learning_rate=lr, order=order, algorithm=algorithm,
                         max_epochs=400, batch_size=2 if order != "ordered" else 0, backend="numpy")
        assert res.stopped[k] == r.stopped and res.epochs_to_stop[k] == r.n_epochs
        np.testing.assert_allclose(res.errors[:r.n_epochs, k], r.errors, rtol=1e-12)
        for b in m.network.blocks:
            np.testing.assert_allclose(ens.network.block(b.source.name, b.dest.name).weights[k], b.weights,
                                       rtol=1e-12, atol=1e-14)
    if algorithm == "momentum":
        assert res.converged.sum() >= 3          # and the stopped members froze at their own epoch
    assert len(res.table()) == len(seeds)


@pytest.mark.parametrize("backend", ["numpy", "compiled"])
def test_a_blocks_own_learning_rate_holds_in_every_member(backend):
    """A block with its own rate learns at it in every member; the others at each member's rate."""
    seeds, rates = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [0.5, 0.25, 1.0, 0.5, 0.3, 0.6, 0.7, 0.8, 0.9, 0.4]
    ens = pdpsim.load_ensemble("xor", seeds)
    own = ens.network.blocks[-1]
    own.learning_rate = 0.05
    res = ensemble.train(ens, learning_rates=rates, algorithm="steepest", max_epochs=60, batch_size=0,
                         backend=backend, output_criterion=None)
    for k, (s, lr) in enumerate(zip(seeds, rates)):
        m = pdpsim.load("xor", seed=s)
        m.network.block(own.source.name, own.dest.name).learning_rate = 0.05
        r = pdpsim.train(m.network, m.examples, m.training, learning_rate=lr, algorithm="steepest", max_epochs=60,
                         batch_size=0, backend="numpy", output_criterion=None)
        np.testing.assert_allclose(res.errors[:r.n_epochs, k], r.errors, rtol=1e-12)
        for b in m.network.blocks:
            np.testing.assert_allclose(ens.network.block(b.source.name, b.dest.name).weights[k], b.weights,
                                       rtol=1e-12, atol=1e-14)


def test_ensemble_refuses_mismatched_rates():
    ens = pdpsim.load_ensemble("xor", [0, 1])
    with pytest.raises(pdpsim.PdpError, match="3 learning rates for 2 networks"):
        ensemble.train(ens, learning_rates=[0.1, 0.2, 0.3])


def test_ensemble_command_and_spec_table(tmp_path):
    from click.testing import CliRunner
    from pdpsim.cli.main import main
    r = CliRunner().invoke(main, ["ensemble", "xor", "--seeds", "6", "--learning-rates", "0.5,1.0",
                                  "--out", str(tmp_path / "e")])
    assert r.exit_code == 0, r.output
    import pandas as pd
    t = pd.read_csv(tmp_path / "e" / "results.csv")
    assert t["seed"].tolist() == list(range(6)) * 2 and t["learning_rate"].tolist() == [0.5] * 6 + [1.0] * 6
    m = pdpsim.load("xor", seed=4)
    single = pdpsim.train(m.network, m.examples, m.training, learning_rate=1.0)
    assert t.loc[10, "epochs"] == single.n_epochs          # seed 4 at rate 1.0: the same start as alone
    spec = tmp_path / "x.yaml"
    spec.write_text("name: x\nensemble: {seeds: 4, learning_rates: [0.5]}\n"
                    "groups:\n  input: {units: 2, type: INPUT}\n  hidden: {units: 2}\n"
                    "  output: {units: 1, type: OUTPUT}\nlinks: [input -> hidden, hidden -> output]\n"
                    "examples: {generate: xor}\n")
    seeds, rates = pdpsim.formats.spec.ensemble_settings(str(spec))
    assert seeds == [0, 1, 2, 3] and rates == [0.5] * 4
    r = CliRunner().invoke(main, ["ensemble", "xor", "--seeds", "0", "--out", str(tmp_path / "f")])
    assert r.exit_code == 2 and "--seeds: expected a number of networks >= 1, got 0" in r.output


@pytest.mark.parametrize("order,algorithm,batch,decay", [("ordered", "momentum", 0, 0.0),
                                                         ("ordered", "momentum", 1, 0.0),
                                                         ("permuted", "steepest", 1, 0.0),
                                                         ("permuted", "momentum", 1, 1e-3),
                                                         ("random", "dougs_momentum", 3, 1e-3)])
def test_members_on_vector_lanes_equal_separate_runs(order, algorithm, batch, decay, monkeypatch):
    """13 members: the lane kernel (chunks of 4 lanes here, the last one padded), each member
    with its own rate, order and stopping epoch, equals 13 separate numpy runs."""
    from pdpsim.engines.compiled import engine as compiled
    calls = []
    run = compiled.CompiledEngine._run_lanes
    monkeypatch.setattr(compiled, "LANES", 4)
    monkeypatch.setattr(compiled.CompiledEngine, "_run_lanes",
                        lambda self, *a, **k: calls.append(a[0]) or run(self, *a, **k))
    seeds = list(range(13))
    rates = [0.5, 1.0, 0.25, 2.0] * 3 + [0.5]
    kw = dict(order=order, algorithm=algorithm, max_epochs=300, batch_size=batch, weight_decay=decay)
    ens = pdpsim.load_ensemble("xor", seeds)
    res = ensemble.train(ens, learning_rates=rates, backend="compiled", **kw)
    assert calls == [4]
    # against separate runs in the one-network compiled loop and in numpy, 1e-12 (the lanes' e^x is
    # within an ulp of the C library's, pdpsim.functions.scalar_math; with Doug's momentum, whose norm
    # numpy also sums in another order, 300 epochs grow that rounding to ~1e-10)
    rtol = 1e-9 if algorithm == "dougs_momentum" else 1e-12
    for backend in ("compiled", "numpy"):
        for k, (s, lr) in enumerate(zip(seeds, rates)):
            m = pdpsim.load("xor", seed=s)
            r = pdpsim.train(m.network, m.examples, m.training, learning_rate=lr, backend=backend, **kw)
            assert res.stopped[k] == r.stopped and res.epochs_to_stop[k] == r.n_epochs
            np.testing.assert_allclose(res.errors[:r.n_epochs, k], r.errors, rtol=rtol)
            for b in m.network.blocks:
                eb = ens.network.block(b.source.name, b.dest.name)
                np.testing.assert_allclose(eb.weights[k], b.weights, rtol=rtol, atol=1e-14)
                np.testing.assert_allclose(eb.last_change[k], b.last_change, rtol=rtol, atol=1e-14)
    assert 0 < res.converged.sum() < 13 or order != "ordered"     # members stop at their own epochs


def test_lanes_with_cross_entropy_tanh_and_nan_targets(monkeypatch, tmp_path):
    """A wider net: tanh hidden units, logistic cross-entropy outputs (the fused dE/dn), a NaN
    target; lanes and the one-member-at-a-time kernel agree with the numpy ensemble."""
    spec = {"name": "ce", "seed": 0, "bias": True, "init": {"range": 0.5},
            "groups": {"input": {"units": 5, "type": "INPUT"}, "hidden": {"units": 6, "activation": "TANH"},
                       "output": {"units": 4, "type": "OUTPUT", "activation": "LOGISTIC", "error": "CROSS_ENTROPY"}},
            "links": ["input -> hidden", "hidden -> output", "input -> output"],
            "examples": {"inputs": np.eye(5).tolist(),
                         "targets": [[1, 0, 0, 1], [0, 1, 0, 0], [0, 0, 1, 0], [1, 1, 0, 0], [0, 0, 0, "nan"]]},
            "training": {"algorithm": "momentum", "learning_rate": 0.2, "momentum": 0.8, "max_epochs": 60}}
    import yaml

    from pdpsim.engines.compiled import engine as compiled
    results = {}
    for backend, lanes in [("numpy", 0), ("compiled", 4), ("compiled", 0)]:
        monkeypatch.setattr(compiled, "LANES", lanes or 256)
        monkeypatch.setattr(compiled, "MIN_LANE_MEMBERS", 8 if lanes else 10**6)
        path = tmp_path / "ce.yaml"
        path.write_text(yaml.safe_dump(spec))
        ens = pdpsim.load_ensemble(str(path), range(9))
        res = ensemble.train(ens, backend=backend, batch_size=2, order="permuted")
        results[(backend, lanes)] = (res.errors, [b.weights.copy() for b in ens.network.blocks])
    ref = results[("numpy", 0)]
    for key, (errs, ws) in results.items():
        np.testing.assert_allclose(errs, ref[0], rtol=1e-12)
        for w, w0 in zip(ws, ref[1]):
            np.testing.assert_allclose(w, w0, rtol=1e-12, atol=1e-14)





@pytest.mark.parametrize("backend", ["numpy", "compiled"])
@pytest.mark.parametrize("order,batch", [("ordered", 0), ("permuted", 2), ("random", 1)])
def test_ensemble_of_networks_in_time_equals_separate_runs(order, batch, backend, tmp_path):
    """CONTINUOUS networks (integration, a bidirectional clean-up, grace, a NaN target): each
    member, with its own rate, example order and stop, equals a separate run: to 1e-13 after
    one epoch; the batched products round differently from one network's, and over up to 300
    updates through time that grows (to about 1e-11 here), hence 1e-9 over the whole run."""
    spec = tmp_path / "att.yaml"
    spec.write_text(ATTRACTOR)
    seeds = [0, 1, 2, 5]
    rates = [0.3, 0.6, 0.3, 1.2]
    kw = dict(order=order, batch_size=batch)
    for epochs, rtol in [(1, 1e-13), (None, 1e-9)]:
        if backend == "compiled" and epochs is None:
            rtol = 1e-8                           # the compiled loops round differently from numpy too
        run = dict(kw, max_epochs=epochs) if epochs else kw
        ens = pdpsim.load_ensemble(str(spec), seeds)
        res = ensemble.train(ens, learning_rates=rates, backend=backend, **run)
        stops = set()
        for k, (s, lr) in enumerate(zip(seeds, rates)):
            m = pdpsim.load(str(spec), seed=s)
            r = pdpsim.train(m.network, m.examples, m.training, learning_rate=lr, backend="numpy", **run)
            assert res.stopped[k] == r.stopped and res.epochs_to_stop[k] == r.n_epochs
            stops.add(r.n_epochs)
            np.testing.assert_allclose(res.errors[:r.n_epochs, k], r.errors, rtol=rtol)
            for b in m.network.blocks:
                np.testing.assert_allclose(ens.network.block(b.source.name, b.dest.name).weights[k], b.weights,
                                           rtol=rtol, atol=rtol * np.abs(b.weights).max())
    assert len(stops) > 1                          # members stopped at different epochs


def test_ensemble_of_networks_in_time_refusals(tmp_path):
    from pdpsim.model.examples import ExampleSet
    spec = tmp_path / "att.yaml"
    spec.write_text(ATTRACTOR)
    ens = pdpsim.load_ensemble(str(spec), [0, 1])
    rng = np.random.default_rng(0)                 # the first example has two events, the others one
    ens.examples = ExampleSet({"input": rng.integers(0, 2, (5, 2, 4)).astype(float)},
                              {"output": rng.integers(0, 2, (5, 2, 4)).astype(float)}, n_events=[2, 1, 1, 1, 1])
    with pytest.raises(pdpsim.PdpError, match="every example must run the same number of ticks"):
        ensemble.train(ens, order="permuted", backend="numpy")
    res = ensemble.train(ens, order="ordered", max_epochs=3, output_criterion=None, backend="numpy")
    assert res.errors.shape == (3, 2) and np.isfinite(res.errors).all()        # the same examples: fine
    # the compiled loop runs each member example by example: any order
    res = ensemble.train(ens, order="permuted", max_epochs=3, output_criterion=None, backend="compiled")
    assert res.errors.shape == (3, 2) and np.isfinite(res.errors).all()
    srn = tmp_path / "srn.yaml"
    srn.write_text(ATTRACTOR.replace("mode: continuous", "mode: srn"))
    with pytest.raises(pdpsim.PdpError, match="simple recurrent network"):
        pdpsim.load_ensemble(str(srn), [0, 1])
