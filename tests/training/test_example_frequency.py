"""example_frequency: scale — each example's error and derivatives times its frequency
(Lens's pseudoExampleFreq; Plaut et al. 1996), against sampling by frequency."""
import numpy as np
import pytest

import pdpsim
from pdpsim.training.loop import Orders
from pdpsim.training.params import TrainingParams
from pdpsim.validation import PdpError

FREQ = np.array([1.0, 2.0, 0.5, 3.0])


def xor(seed=3):
    m = pdpsim.load("xor", seed=seed)
    m.examples.frequencies = FREQ.copy()
    return m


def test_gradient_is_the_frequency_weighted_sum():
    """dE/dw from the backward pass with example weights equals finite differences of
    sum_p f_p E_p."""
    m = xor()
    net, xs = m.network, m.examples
    inputs, targets = {"input": xs.inputs["input"][:, 0]}, {"output": xs.targets["output"][:, 0]}

    def total():
        net.forward(inputs)
        net.set_targets(targets)
        return float(net.error(FREQ).sum())
    total()
    net.backward(FREQ)
    h = 1e-6
    for b in net.blocks:
        analytic = b.weight_deriv.copy()
        for idx in np.ndindex(b.weights.shape):
            w0 = b.weights[idx]
            b.weights[idx] = w0 + h
            up = total()
            b.weights[idx] = w0 - h
            down = total()
            b.weights[idx] = w0
            assert analytic[idx] == pytest.approx((up - down) / (2 * h), rel=1e-6, abs=1e-9), (b.name, idx)


def test_weighted_errors():
    m = xor()
    net, xs = m.network, m.examples
    net.forward({"input": xs.inputs["input"][:, 0]})
    net.set_targets({"output": xs.targets["output"][:, 0]})
    np.testing.assert_array_equal(net.error(FREQ), net.error() * FREQ)


@pytest.mark.parametrize("algorithm", ["steepest", "momentum"])
def test_a_frequency_of_k_is_k_copies_in_full_batch_training(algorithm):
    a, b = xor(), xor()
    dup = b.examples.subset([0, 1, 1, 3, 3, 3])          # frequencies 1, 2, 0 (dropped), 3
    dup.frequencies = np.ones(6)
    a.examples.frequencies = np.array([1.0, 2.0, 0.0, 3.0])
    kw = dict(algorithm=algorithm, max_epochs=150, output_criterion=None)   # example 2 has no say in the error
    ra = pdpsim.train(a.network, a.examples, a.training, example_frequency="scale", **kw)
    rb = pdpsim.train(b.network, dup, b.training, backend="numpy", **kw)
    assert len(ra.errors) == 150
    np.testing.assert_allclose(ra.errors, rb.errors, rtol=1e-12)
    for k, w in a.network.get_weights().items():
        np.testing.assert_allclose(w, b.network.get_weights()[k], rtol=0, atol=1e-12)


def test_online_steps_are_scaled_by_frequency():
    """One example at a time, in order: a frequency of 2 is that example's step at twice the rate."""
    a, b = xor(), xor()
    pdpsim.train(a.network, a.examples, a.training, algorithm="steepest", batch_size=1, example_frequency="scale",
                 max_epochs=1)
    net, xs, eps = b.network, b.examples, b.training.learning_rate
    for p in range(4):
        net.forward({"input": xs.inputs["input"][p:p + 1, 0]})
        net.set_targets({"output": xs.targets["output"][p:p + 1, 0]})
        net.backward()
        for blk in net.blocks:
            blk.weights -= eps * FREQ[p] * blk.weight_deriv
    for k, w in a.network.get_weights().items():
        np.testing.assert_allclose(w, b.network.get_weights()[k], rtol=0, atol=1e-13)


def test_sampling_and_scaling_are_exclusive():
    xs = xor().examples
    sample = Orders(TrainingParams(order="random").validated(), xs, [np.random.default_rng(0)])
    scale = Orders(TrainingParams(order="random", example_frequency="scale").validated(), xs,
                   [np.random.default_rng(0)])
    np.testing.assert_allclose(sample.probs, FREQ / FREQ.sum())
    assert scale.probs is None                      # drawn uniformly: the frequency acts through the error


def test_auto_picks_the_engine_that_can_and_others_say_why_not():
    m = xor()
    r = pdpsim.train(m.network, m.examples, m.training, example_frequency="scale", max_epochs=3)
    assert r.n_epochs == 3
    pytest.importorskip("numba")
    with pytest.raises(PdpError, match="example_frequency: scale"):
        pdpsim.train(m.network, m.examples, m.training, example_frequency="scale", backend="compiled",
                     max_epochs=3)


def test_networks_in_time_refuse_it():
    m = pdpsim.load("dyslexia-attractor")
    with pytest.raises(PdpError, match="example_frequency: scale on a network in time"):
        pdpsim.train(m.network, m.examples, m.training, example_frequency="scale", max_epochs=1)


@pytest.mark.parametrize("kw, message", [
    ({"example_frequency": "weight"}, r"training.example_frequency: expected one of sample, scale, got 'weight'"),
    ({"example_frequency": "scale", "rule": "hebb"}, r"scale needs rule backprop"),
])
def test_bad_settings(kw, message):
    with pytest.raises(PdpError, match=message):
        TrainingParams(**kw).validated()


@pytest.mark.parametrize("order,frequency", [("permuted", "sample"), ("random", "sample"), ("random", "scale")])
def test_orders_are_each_members_generator_epoch_after_epoch(order, frequency):
    """k epochs drawn at once are the orders k calls of rng.permutation(n) (rng.choice for
    random) give, member by member; a member that ran d < k of them has its generator put back
    where drawing d would have left it, so the next draw goes on from there."""
    xs = xor().examples
    p = TrainingParams(order=order, example_frequency=frequency).validated()
    orders = Orders(p, xs, [np.random.default_rng(s) for s in (7, 8, 9)])
    refs = [np.random.default_rng(s) for s in (7, 8, 9)]
    probs = FREQ / FREQ.sum() if frequency == "sample" else None

    def one(r):
        return r.permutation(4) if order == "permuted" else r.choice(4, size=4, p=probs)

    got = orders.draw(5, np.array([True, True, False]))
    assert got.shape == (3, 5, 4)
    for m in range(2):
        np.testing.assert_array_equal(got[m], [one(refs[m]) for _ in range(5)])
    np.testing.assert_array_equal(got[2], np.tile(np.arange(4), (5, 1)))      # stopped: drew nothing
    # member 0 ran all 5 epochs, member 1 only 2: its generator goes back to after 2 draws
    orders.keep(np.array([5, 2, 0]), 5)
    refs[1] = np.random.default_rng(8)
    for _ in range(2):
        one(refs[1])
    nxt = orders.draw(3, np.array([True, True, True]))
    for m in range(3):
        np.testing.assert_array_equal(nxt[m], [one(refs[m]) for _ in range(3)])
