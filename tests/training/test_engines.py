"""The same cases on every registered engine that supports them, held to the numpy reference.

The ``engine`` fixture (tests/conftest.py) runs over the engine registry; a case an engine
does not support is skipped with the engine's own reason. Cases that take their rules from
the tables (one per registered output function) need no edit when a rule is added.
"""
from dataclasses import replace

import numpy as np
import pytest
from builders import attractor, examples
from conftest import skip_unless_supported

import pdpsim
from pdpsim import ExampleSet, Network, TrainingParams
from pdpsim.functions import OUTPUT_FUNCTIONS
from pdpsim.training import ensemble, engines

#: engines other than numpy agree with it to rounding (compiled loops sum in other orders)
RTOL = 1e-9


def _xor():
    m = pdpsim.load("xor", seed=5)
    return m.network, m.examples, replace(m.training, max_epochs=300, error_criterion=None, output_criterion=None)


def _encoder_online():
    m = pdpsim.load("encoder-8-3-8", seed=2)
    return m.network, m.examples, replace(m.training, max_epochs=40, output_criterion=None)


def _nan_targets_dougs(seed=3):
    net = Network("n", seed=seed, init_range=0.5)
    net.add_group("input", 4, kind="INPUT")
    net.add_group("hidden", 5, function="TANH")
    net.add_group("output", 3, kind="OUTPUT", function="LOGISTIC", error="CROSS_ENTROPY")
    net.connect("input", "hidden")
    net.connect("hidden", "output")
    net.connect("input", "output")
    net.connect_bias()
    rng = np.random.default_rng(seed)
    t = rng.integers(0, 2, (6, 3)).astype(float)
    t[1, 2] = t[4, 0] = np.nan
    xs = ExampleSet({"input": rng.uniform(0, 1, (6, 4))}, {"output": t})
    return net, xs, TrainingParams(algorithm="dougs_momentum", learning_rate=0.4, momentum=0.7, weight_decay=1e-3,
                                   batch_size=3, order="random", max_epochs=60)


def _hidden(fn):
    """A network whose hidden units are ``fn`` (every registered output function gets one)."""
    def build():
        net = Network("h", seed=4, init_range=0.5)
        net.add_group("input", 3, kind="INPUT")
        net.add_group("hidden", 4, function=fn)
        net.add_group("output", 2, kind="OUTPUT", function="LOGISTIC", error="SUM_SQUARED")
        net.connect("input", "hidden")
        net.connect("hidden", "output")
        net.connect_bias()
        rng = np.random.default_rng(1)
        xs = ExampleSet({"input": rng.uniform(-1, 1, (5, 3))}, {"output": rng.uniform(0.1, 0.9, (5, 2))})
        return net, xs, TrainingParams(algorithm="momentum", learning_rate=0.2, momentum=0.5, batch_size=2,
                                       order="permuted", max_epochs=80)
    return build


def _in_time(**variant):
    def build():
        net = attractor(seed=2, **variant)
        xs = examples(np.random.default_rng(1), targets=(0.2, 0.8))
        return net, xs, TrainingParams(algorithm="momentum", learning_rate=0.3, momentum=0.8, batch_size=1,
                                       order="permuted", max_epochs=15)
    return build


CASES = {"xor": _xor, "encoder-online": _encoder_online, "nan-targets-dougs": _nan_targets_dougs,
         **{f"hidden-{fn}": _hidden(fn) for fn in OUTPUT_FUNCTIONS},
         "in-time": _in_time(), "in-time-in-integr": _in_time(out_integration="IN_INTEGR"),
         "in-time-soft-clamp": _in_time(soft=True)}


@pytest.mark.parametrize("case", CASES)
def test_every_engine_trains_as_numpy(engine, case):
    net, xs, params = CASES[case]()
    skip_unless_supported(engine, net, xs, replace(params, backend=engine))
    ref_net, _, _ = CASES[case]()
    ref = pdpsim.train(ref_net, xs, params, backend="numpy")
    got = pdpsim.train(net, xs, params, backend=engine)
    assert got.stopped == ref.stopped and got.n_epochs == ref.n_epochs
    np.testing.assert_allclose(got.errors, ref.errors, rtol=RTOL)
    for b in net.blocks:
        np.testing.assert_allclose(b.weights, ref_net.block(b.source.name, b.dest.name).weights, rtol=RTOL,
                                   atol=RTOL * np.abs(b.weights).max())
    assert net.rng.random() == ref_net.rng.random()              # the generators end in the same place


def test_every_engine_stops_where_numpy_stops(engine):
    net, xs, params = _xor()
    params = replace(params, max_epochs=3000, output_criterion=0.2, order="permuted")
    skip_unless_supported(engine, net, xs, replace(params, backend=engine))
    ref_net = _xor()[0]
    ref = pdpsim.train(ref_net, xs, params, backend="numpy")
    got = pdpsim.train(net, xs, params, backend=engine)
    assert ref.stopped == "output_criterion"
    assert (got.stopped, got.n_epochs) == (ref.stopped, ref.n_epochs)


def test_every_engine_trains_ensembles_as_numpy(engine):
    seeds, rates = [0, 1, 2, 3, 4], [0.5, 1.0, 2.0, 0.25, 0.5]
    ens = pdpsim.load_ensemble("xor", seeds)
    params = replace(ens.training, order="permuted", max_epochs=400, output_criterion=0.3)
    skip_unless_supported(engine, ens.network, ens.examples, replace(params, backend=engine),
                          engines.Members(ens.rngs, np.asarray(rates), ensemble=True))
    got = ensemble.train(ens, params, rates, backend=engine)
    ref = ensemble.train(pdpsim.load_ensemble("xor", seeds), params, rates, backend="numpy")
    assert got.stopped == ref.stopped and list(got.epochs_to_stop) == list(ref.epochs_to_stop)
    np.testing.assert_allclose(got.errors, ref.errors, rtol=RTOL)
    assert 0 < sum(got.converged) < len(seeds) or len(set(got.epochs_to_stop)) > 1


def test_auto_chooses_in_one_place_and_explains_refusals():
    """backend auto: the registry's first supporting engine worth it; a named engine that cannot run
    the case says why, naming the engine."""
    m = pdpsim.load("encoder-8-3-8")
    assert engines.resolve_backend(m.network, m.examples, m.training) == "compiled"
    assert engines.resolve_backend(m.network, m.examples, replace(m.training, max_epochs=5)) == "numpy"
    net, xs, params = _hidden("SOFT_MAX")()
    assert engines.resolve_backend(net, xs, replace(params, max_epochs=100_000)) == "numpy"
    with pytest.raises(pdpsim.PdpError, match=r"training.backend compiled does not support SOFT_MAX units "
                                              r"\(each output depends on the whole group\)"):
        pdpsim.train(net, xs, params, backend="compiled")
    with pytest.raises(pdpsim.PdpError, match="unknown backend 'gpu'; expected one of auto, compiled"):
        TrainingParams(backend="gpu").validated()
