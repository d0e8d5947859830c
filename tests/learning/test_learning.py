"""Update rules, batches, example order and stopping criteria."""
import numpy as np
import pytest

import pdpsim
from pdpsim import ExampleSet, Network, TrainingParams, train
from pdpsim.learning.rules import update_weights


def tiny(seed=0, **kw):
    net = Network("t", seed=seed)
    net.add_group("input", 3, kind="INPUT")
    net.add_group("hidden", 2)
    net.add_group("output", 2, kind="OUTPUT", **kw)
    net.connect("input", "hidden")
    net.connect("hidden", "output")
    net.connect_bias()
    return net


def data(n=6, seed=1):
    rng = np.random.default_rng(seed)
    return ExampleSet({"input": rng.uniform(-1, 1, (n, 3))}, {"output": rng.uniform(0.1, 0.9, (n, 2))})


def grads(net, xs, sel):
    net.forward({"input": xs.inputs["input"][sel, 0]})
    net.set_targets({"output": xs.targets["output"][sel, 0]})
    net.backward()
    return {b.name: b.weight_deriv.copy() for b in net.blocks}


def test_momentum_formula_two_steps():
    net, xs = tiny(), data()
    w0 = net.get_weights()
    g1 = grads(net, xs, slice(None))
    update_weights(net.blocks, "momentum", 0.3, 0.8, 0.0)
    g2 = grads(net, xs, slice(None))
    update_weights(net.blocks, "momentum", 0.3, 0.8, 0.0)
    for b in net.blocks:
        dw1 = -0.3 * g1[b.name]
        dw2 = -0.3 * g2[b.name] + 0.8 * dw1          # dw(t) = -eps dE/dw + alpha dw(t-1)
        np.testing.assert_allclose(b.weights, w0[b.name] + dw1 + dw2, rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(b.last_change, dw2, rtol=1e-13, atol=1e-15)


def test_steepest_ignores_momentum_and_decay_is_not_scaled_by_learning_rate():
    net, xs = tiny(), data()
    w0 = net.get_weights()
    g = grads(net, xs, slice(None))
    for b in net.blocks:
        b.last_change[...] = 5.0   # must be ignored by steepest descent
    update_weights(net.blocks, "steepest", 0.1, 0.9, 0.01)
    for b in net.blocks:
        np.testing.assert_allclose(b.weights, w0[b.name] - 0.1 * g[b.name] - 0.01 * w0[b.name], rtol=1e-13)


def test_dougs_momentum_normalises_large_gradients():
    net, xs = tiny(), data()
    w0 = net.get_weights()
    g = grads(net, xs, slice(None))
    for b in net.blocks:
        b.weight_deriv *= 100.0
    norm = np.sqrt(sum((100 * v ** 2 * 100).sum() for v in g.values()))
    assert norm > 1
    update_weights(net.blocks, "dougs_momentum", 0.2, 0.0, 0.0)
    for b in net.blocks:
        np.testing.assert_allclose(b.weights - w0[b.name], -0.2 * 100 * g[b.name] / norm, rtol=1e-12)
    # a small gradient is left as it is
    net2 = tiny()
    for b in net2.blocks:
        b.weight_deriv[...] = 1e-3
    w = net2.get_weights()
    update_weights(net2.blocks, "dougs_momentum", 0.2, 0.0, 0.0)
    for b in net2.blocks:
        np.testing.assert_allclose(b.weights - w[b.name], -0.2e-3, rtol=1e-12)


def test_delta_bar_delta_rate_factors():
    net = tiny()
    b = net.blocks[0]
    b.last_change[...] = 0.0
    b.last_change[0, 0] = -0.5       # g > 0 below: opposite signs -> r = 1.1
    b.last_change[0, 1] = 0.5        # same sign -> r = 0.9
    b.weight_deriv[...] = 1.0
    for o in net.blocks[1:]:
        o.weight_deriv[...] = 0.0
    w = b.weights.copy()
    update_weights(net.blocks, "delta_bar_delta", 0.1, 0.0, 0.0)
    r = b.rule_state["rate_factor"]
    assert r[0, 0] == pytest.approx(1.1) and r[0, 1] == pytest.approx(0.9) and r[1, 0] == pytest.approx(0.9)
    assert b.weights[0, 0] - w[0, 0] == pytest.approx(-0.11)


def test_clipping_and_momentum_remembers_applied_change():
    """min_weight/max_weight clip each weight after its step (some links at a bound, some not), and
    momentum remembers the change actually applied, not the step asked for."""
    net, xs = tiny(), data()
    b = net.blocks[0]
    b.max_weight, b.min_weight = 0.5, -0.5
    g = grads(net, xs, slice(None))[b.name]
    old = b.weights.copy()
    update_weights(net.blocks, "momentum", 0.3, 0.9, 0.0)
    want = np.clip(old - 0.3 * g, -0.5, 0.5)                   # the step, then the bounds, link by link
    assert (np.abs(want) == 0.5).any() and (np.abs(want) < 0.5).any()
    np.testing.assert_allclose(b.weights, want, rtol=1e-14, atol=1e-16)
    np.testing.assert_allclose(b.last_change, b.weights - old, rtol=0, atol=1e-15)    # what momentum remembers
    g2 = grads(net, xs, slice(None))[b.name]
    prev, before = b.last_change.copy(), b.weights.copy()
    update_weights(net.blocks, "momentum", 0.3, 0.9, 0.0)
    np.testing.assert_allclose(b.weights, np.clip(before - 0.3 * g2 + 0.9 * prev, -0.5, 0.5), rtol=1e-14,
                               atol=1e-16)


def test_per_block_learning_rate_overrides_network():
    net, xs = tiny(), data()
    net.blocks[0].learning_rate = 0.0
    w = net.get_weights()
    grads(net, xs, slice(None))
    update_weights(net.blocks, "steepest", 0.5)
    assert np.array_equal(net.blocks[0].weights, w[net.blocks[0].name])
    assert not np.array_equal(net.blocks[1].weights, w[net.blocks[1].name])


def test_batch_derivatives_sum_over_examples():
    net, xs = tiny(), data(n=4)
    full = grads(net, xs, slice(None))
    parts = [grads(net, xs, slice(i, i + 1)) for i in range(4)]
    for k in full:
        np.testing.assert_allclose(full[k], sum(p[k] for p in parts), rtol=1e-12, atol=1e-15)


def test_online_training_updates_after_each_example():
    xs = data(n=3)
    a = tiny(seed=4)
    r = train(a, xs, batch_size=1, max_epochs=1, learning_rate=0.4)
    b = tiny(seed=4)
    for i in range(3):
        grads(b, xs, slice(i, i + 1))
        update_weights(b.blocks, "steepest", 0.4)
    for k, v in b.get_weights().items():
        np.testing.assert_array_equal(a.get_weights()[k], v)
    assert r.n_epochs == 1


def test_batch_of_k_and_ordering():
    xs = data(n=5)
    a = tiny(seed=2)
    train(a, xs, batch_size=2, max_epochs=1, learning_rate=0.4)
    b = tiny(seed=2)
    for sel in (slice(0, 2), slice(2, 4), slice(4, 5)):
        grads(b, xs, sel)
        update_weights(b.blocks, "steepest", 0.4)
    for k, v in b.get_weights().items():
        np.testing.assert_allclose(a.get_weights()[k], v, rtol=1e-14)


def test_permuted_order_visits_every_example_once_and_differs_from_ordered():
    xs = data(n=6)
    seen = []

    class Spy(Network):
        def forward(self, inputs, **kw):
            seen.append(inputs["input"].copy())
            super().forward(inputs, **kw)

    net = Spy("spy", seed=3)
    net.add_group("input", 3, kind="INPUT")
    net.add_group("output", 2, kind="OUTPUT")
    net.connect("input", "output")
    train(net, xs, batch_size=1, order="permuted", max_epochs=2)
    x = xs.inputs["input"][:, 0]
    orders = []
    for e in range(2):
        idx = [int(np.flatnonzero((x == s[0]).all(1))[0]) for s in seen[e * 6:(e + 1) * 6]]
        assert sorted(idx) == list(range(6))
        orders.append(idx)
    assert orders[0] != list(range(6)) or orders[1] != list(range(6))


def test_random_order_follows_frequencies():
    xs = ExampleSet({"input": np.eye(3)}, {"output": np.zeros((3, 2))}, frequencies=[0, 0, 1])
    seen = []

    class Spy(Network):
        def forward(self, inputs, **kw):
            seen.append(inputs["input"].copy())
            super().forward(inputs, **kw)

    net = Spy("spy", seed=0)
    net.add_group("input", 3, kind="INPUT")
    net.add_group("output", 2, kind="OUTPUT")
    net.connect("input", "output")
    train(net, xs, batch_size=1, order="random", max_epochs=3)
    assert all(np.array_equal(s[0], [0, 0, 1]) for s in seen)


def test_stopping_criteria():
    m = pdpsim.load("xor")
    r = train(m.network, m.examples, m.training, output_criterion=None, error_criterion=0.05)
    assert r.stopped == "error_criterion" and r.errors[-1] <= 0.05 and (r.errors[:-1] > 0.05).all()
    m = pdpsim.load("xor")
    r = train(m.network, m.examples, m.training, output_criterion=0.2)
    assert r.stopped == "output_criterion" and r.max_output_distance[-1] <= 0.2
    m = pdpsim.load("xor")
    r = train(m.network, m.examples, m.training, output_criterion=None, max_epochs=7)
    assert r.stopped == "max_epochs" and r.n_epochs == 7 and len(r.errors) == 7
    m = pdpsim.load("xor")
    r = train(m.network, m.examples, m.training, callbacks=[lambda ep, err, net: ep == 3])
    assert r.stopped == "callback" and r.n_epochs == 3


def test_epoch_error_is_total_over_examples():
    xs = data(n=4)
    net = tiny(seed=8)
    net2 = tiny(seed=8)
    r = train(net, xs, max_epochs=1, learning_rate=0.0)
    res = pdpsim.test(net2, xs)
    assert r.errors[0] == pytest.approx(res.total_error, rel=1e-13)
    assert res.total_error == pytest.approx(
        0.5 * ((res.outputs["output"] - xs.targets["output"][:, 0]) ** 2).sum(), rel=1e-13)


def test_training_params_validation():
    with pytest.raises(pdpsim.PdpError, match="training.order: expected one of ordered, permuted, random"):
        TrainingParams(order="shuffled").validated()
    with pytest.raises(pdpsim.PdpError, match="training.learning_rate: expected a number >= 0"):
        TrainingParams(learning_rate=-1).validated()
    with pytest.raises(pdpsim.PdpError, match="unknown algorithm 'adam'"):
        TrainingParams(algorithm="adam").validated()


def test_dougs_momentum_scales_each_ensemble_member_by_its_own_norm():
    """In an ensemble, Doug's momentum divides each member's gradient by that member's norm (when
    above 1): the same change as updating each member alone."""
    from pdpsim.training.ensemble import stack
    members = [tiny(seed=s) for s in range(3)]
    xs = data(n=60)                                              # a large batch: gradient norms above 1
    ens = stack([tiny(seed=s) for s in range(3)])
    ens.forward({"input": xs.inputs["input"][:, 0]})
    ens.set_targets({"output": xs.targets["output"][:, 0]})
    ens.backward()
    update_weights(ens.blocks, "dougs_momentum", 0.5, 0.3, 0.0, ensemble_rates=np.array([0.5, 0.5, 0.5]))
    norms = []
    for k, m in enumerate(members):
        g = grads(m, xs, slice(None))
        norms.append(np.sqrt(sum(float((v ** 2).sum()) for v in g.values())))
        update_weights(m.blocks, "dougs_momentum", 0.5, 0.3, 0.0)
        for b in m.blocks:
            np.testing.assert_allclose(ens.block(b.source.name, b.dest.name).weights[k], b.weights, rtol=1e-12)
    assert min(norms) > 1.0 and len(set(np.round(norms, 6))) == 3     # each member its own norm above 1
