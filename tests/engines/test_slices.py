"""The numpy engine moves a large full batch through slices of its rows, one a core
(reference._Slices, Network.rows): every number of a serial update, dE/dw summed over the slices."""
import numpy as np
import pytest

import pdpsim.engines.reference as reference
from pdpsim import ExampleSet, Network
from pdpsim.model.lesion import lesion_units
from pdpsim.training.loop import train
from pdpsim.validation import PdpError


def build(seed=4, error="CROSS_ENTROPY"):
    net = Network("s", seed=seed)
    net.add_group("input", 6, kind="INPUT")
    net.add_group("cue", 2, kind="INPUT")
    net.add_group("hidden", 5)
    net.add_group("output", 3, kind="OUTPUT", error=error)
    net.add_group("other", 2, kind="OUTPUT", error="SUM_SQUARED", function="TANH")
    net.connect("input", "hidden")
    net.connect("cue", "hidden")
    net.connect("hidden", "output")
    net.connect("hidden", "other")
    net.connect("cue", "other")
    net.connect_bias()
    return net


def examples(n=37, seed=0, nan=True):
    rng = np.random.default_rng(seed)
    t = rng.integers(0, 2, (n, 3)).astype(float)
    u = rng.uniform(-0.8, 0.8, (n, 2))
    if nan:
        t[3, 1] = t[30, 0] = np.nan
    return ExampleSet({"input": (rng.random((n, 6)) < 0.1).astype(float), "cue": rng.random((n, 2))},
                      {"output": t, "other": u}, name="rand", frequencies=rng.uniform(0.5, 2.0, n))


def sliced(monkeypatch, parts):
    """Every full batch in ``parts`` slices, counting the updates that ran in slices."""
    monkeypatch.setattr(reference, "SLICE_WORK", 0)
    monkeypatch.setattr(reference, "SLICE_ROWS", 2)
    monkeypatch.setattr(reference, "cores", lambda: parts)
    runs = []
    run = reference._Slices.run
    monkeypatch.setattr(reference._Slices, "run", lambda self, want: runs.append(len(self.parts)) or run(self, want))
    return runs


@pytest.mark.parametrize("parts,kw", [
    (2, dict(algorithm="momentum", learning_rate=0.2, momentum=0.9)),
    (3, dict(algorithm="steepest", learning_rate=0.3, output_criterion=0.01, example_frequency="scale")),
    (5, dict(algorithm="dougs_momentum", learning_rate=0.1, momentum=0.5, weight_decay=1e-3)),
])
def test_slices_train_as_the_whole_batch(parts, kw, monkeypatch):
    xs = examples()
    kw = dict(kw, batch_size=0, max_epochs=25, backend="numpy")
    serial, split = build(), build()
    lesion_units(serial, "hidden", 0.4, seed=1)
    lesion_units(split, "hidden", 0.4, seed=1)
    r0 = train(serial, xs, **kw)
    runs = sliced(monkeypatch, parts)
    r1 = train(split, xs, **kw)
    assert runs == [parts] * r1.n_epochs                       # every update, the first too
    np.testing.assert_allclose(r1.errors, r0.errors, rtol=1e-12)
    for a, b in zip(split.blocks, serial.blocks):
        np.testing.assert_allclose(a.weights, b.weights, rtol=1e-11, atol=1e-14)
        np.testing.assert_allclose(a.last_change, b.last_change, rtol=1e-9, atol=1e-14)
    # the network's state after training is that of the last update over the whole batch
    for g in ("hidden", "output", "other"):
        np.testing.assert_allclose(split.group(g).output, serial.group(g).output, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(split.group(g).input_deriv, serial.group(g).input_deriv, rtol=1e-9, atol=1e-16)


def test_the_error_and_the_worst_output_distance_gather_every_slice(monkeypatch):
    from pdpsim.dynamics.feedforward import max_output_distance
    from pdpsim.training.params import TrainingParams
    sliced(monkeypatch, 3)
    xs = examples()
    net = build()
    steps = reference._FeedForward(net, xs, TrainingParams(batch_size=0).validated())
    monkeypatch.setattr(steps, "n_slices", 1)
    err0, worst0 = steps.run(steps.all, True)                     # the whole batch at once
    monkeypatch.setattr(steps, "n_slices", 3)
    # where the worst unit is: not in the first slice (so that the others are read)
    d = np.nan_to_num(np.abs(net.group("output").output - net.group("output").target))
    d = np.maximum(d.max(axis=1), np.abs(net.group("other").output - net.group("other").target).max(axis=1))
    assert d.argmax() >= 37 // 3 and worst0 == max_output_distance(net)
    err1, worst1 = steps.run(steps.all, True)                     # in slices: the same weights, so the same numbers
    assert steps.slices is not None and len(steps.slices.parts) == 3
    assert worst1 == worst0
    np.testing.assert_allclose(err1, err0, rtol=1e-13)
    np.testing.assert_allclose(net.blocks[0].weight_deriv, steps.slices.parts[0].blocks[0].weight_deriv +
                               steps.slices.parts[1].blocks[0].weight_deriv +
                               steps.slices.parts[2].blocks[0].weight_deriv, rtol=1e-15)


def test_small_batches_noise_ensembles_and_minibatches_stay_whole(monkeypatch):
    runs = sliced(monkeypatch, 2)
    xs = examples()
    train(build(), xs, batch_size=10, max_epochs=3, backend="numpy")                 # minibatches
    net = build()
    net.group("hidden").output_noise = 0.1                                          # draws in order
    train(net, xs, batch_size=0, max_epochs=3, backend="numpy")
    assert runs == []
    monkeypatch.setattr(reference, "SLICE_WORK", 10**9)                             # too little work
    train(build(), xs, batch_size=0, max_epochs=3, backend="numpy")
    assert runs == []


@pytest.mark.parametrize("probe_size", [37, 9])
def test_a_callback_running_the_network_between_updates(probe_size, monkeypatch):
    """Running the network on other examples between updates (the same batch size: its own arrays
    hold the probe's values; another: other arrays) changes nothing of training, and the network
    ends holding the last update's batch."""
    xs, other = examples(), examples(n=probe_size, seed=5, nan=False)
    probe = {"input": other.inputs["input"][:, 0], "cue": other.inputs["cue"][:, 0]}
    kw = dict(algorithm="momentum", learning_rate=0.2, momentum=0.9, batch_size=0, max_epochs=14, backend="numpy")
    look = [lambda e, err, net: e % 4 == 0 and net.run(probe) and None]
    serial, split = build(), build()
    r0 = train(serial, xs, callbacks=look, **kw)
    runs = sliced(monkeypatch, 2)
    r1 = train(split, xs, callbacks=look, **kw)
    assert len(runs) == r1.n_epochs
    np.testing.assert_allclose(r1.errors, r0.errors, rtol=1e-12)
    # after training: the last update's inputs, targets and outputs (not the probe's)
    for g, f in [("input", "output"), ("cue", "net_input"), ("output", "target"), ("other", "output")]:
        np.testing.assert_allclose(getattr(split.group(g), f), getattr(serial.group(g), f), rtol=1e-12, atol=1e-15)


def test_rows_share_the_weights_and_view_the_state():
    net, xs = build(), examples()
    net.run({"input": xs.inputs["input"][:, 0], "cue": xs.inputs["cue"][:, 0]})
    part = net.rows(10, 20)
    for a, b in zip(part.blocks, net.blocks):
        assert a.weights is b.weights and a.weight_deriv is not b.weight_deriv
    for g in ("input", "hidden", "output"):
        assert part.group(g).output.shape == (10, net.group(g).size)
        assert np.shares_memory(part.group(g).output, net.group(g).output)
    part.group("hidden").output[...] = 9.0
    assert (net.group("hidden").output[10:20] == 9.0).all() and (net.group("hidden").output[:10] != 9.0).all()
    with pytest.raises(PdpError, match="rows 5:50 are not within the batch of 37"):
        net.rows(5, 50)
    with pytest.raises(PdpError, match="needs a batch"):
        build().rows(0, 1)
    ens = Network.stacked([build(1), build(2)])
    with pytest.raises(PdpError, match="not an ensemble"):
        ens.rows(0, 1)


@pytest.mark.parametrize("env,expected", [({}, None), ({"OMP_NUM_THREADS": "1"}, 1),
                                          ({"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "x"}, 1),
                                          ({"NUMBA_NUM_THREADS": "1000"}, None)])
def test_cores_follow_the_affinity_and_the_thread_limits(env, expected, monkeypatch):
    """A Dask worker (OMP_NUM_THREADS=1 and friends) slices nothing: one core."""
    import os
    from pdpsim.model import cores
    for name in cores.THREAD_LIMITS:
        monkeypatch.delenv(name, raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    monkeypatch.setattr(cores, "_CORES", None)
    assert cores.cores() == (expected or len(os.sched_getaffinity(0)))
    monkeypatch.setattr(cores, "_CORES", None)


def test_a_lesion_made_by_a_callback_reaches_the_slices(monkeypatch):
    """Callbacks may change the network (here: units lesioned at epoch 5): the slices are made
    again from it before the next update, as the whole batch would see it."""
    xs = examples()
    kw = dict(algorithm="momentum", learning_rate=0.2, momentum=0.9, batch_size=0, max_epochs=10, backend="numpy")

    def hurt(epoch, err, net):
        if epoch == 5:
            lesion_units(net, "hidden", 0.4, seed=2)

    serial, split = build(), build()
    r0 = train(serial, xs, callbacks=[hurt], **kw)
    runs = sliced(monkeypatch, 2)
    r1 = train(split, xs, callbacks=[hurt], **kw)
    assert len(runs) == r1.n_epochs
    np.testing.assert_allclose(r1.errors, r0.errors, rtol=1e-12)
    for a, b in zip(split.blocks, serial.blocks):
        np.testing.assert_allclose(a.weights, b.weights, rtol=1e-11, atol=1e-14)


def test_a_run_in_two_parts_rounds_as_one(monkeypatch):
    """Every update of a run goes through the slices, the first too: training 6 epochs and then
    6 more (a resumed run) gives the bytes of 12 at once."""
    from dataclasses import replace
    from pdpsim.training.params import TrainingParams
    sliced(monkeypatch, 2)
    xs = examples()
    p = TrainingParams(algorithm="momentum", learning_rate=0.2, momentum=0.9, batch_size=0, max_epochs=12,
                       output_criterion=None, backend="numpy")
    one, two = build(), build()
    r = train(one, xs, p)
    train(two, xs, replace(p, max_epochs=6))
    r2 = train(two, xs, p, start_epoch=6)
    assert r2.errors.tobytes() == r.errors[6:].tobytes()
    for a, b in zip(one.blocks, two.blocks):
        assert a.weights.tobytes() == b.weights.tobytes()
