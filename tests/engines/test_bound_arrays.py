"""The numpy engine binds its own input and target arrays to the network instead of copying them
each update (Network.forward/set_targets with ``bind``): the same numbers, and nothing of the
engine's or the user's arrays is left in the network after training."""
import numpy as np
import pytest

from pdpsim import ExampleSet, Network
from pdpsim.training.loop import train


class Copying(Network):
    """A network that never binds: every update copies inputs and targets in, as before."""

    def forward(self, inputs, bind=False, every_update=False):
        super().forward(inputs, bind=False)

    def set_targets(self, targets, bind=False):
        super().set_targets(targets, bind=False)


def build(cls=Network, seed=4, inputs=5, hidden=4):
    net = cls("b", seed=seed)
    net.add_group("input", inputs, kind="INPUT")
    net.add_group("hidden", hidden)
    net.add_group("output", 3, kind="OUTPUT", error="CROSS_ENTROPY")
    net.connect("input", "hidden")
    net.connect("hidden", "output")
    net.connect_bias()
    return net


def examples(n=12, seed=0, nan=False):
    rng = np.random.default_rng(seed)
    t = rng.integers(0, 2, (n, 3)).astype(float)
    if nan:
        t[1, 2] = np.nan
    return ExampleSet({"input": rng.integers(0, 2, (n, 5)).astype(float)}, {"output": t}, name="rand")


@pytest.mark.parametrize("batch_size,order,nan", [(0, "ordered", False), (0, "ordered", True), (5, "ordered", False),
                                                  (4, "permuted", True), (1, "permuted", False)])
def test_bound_training_is_bit_identical_to_copying(batch_size, order, nan):
    xs = examples(nan=nan)
    kw = dict(algorithm="momentum", learning_rate=0.2, momentum=0.9, batch_size=batch_size, order=order,
              max_epochs=30, backend="numpy")
    a, b = build(), build(Copying)
    ra, rb = train(a, xs, **kw), train(b, xs, **kw)
    np.testing.assert_array_equal(ra.errors, rb.errors)
    for x, y in zip(a.blocks, b.blocks):
        np.testing.assert_array_equal(x.weights, y.weights)


def test_after_training_the_network_holds_its_own_arrays():
    xs = examples()
    before = xs.inputs["input"].copy(), xs.targets["output"].copy()
    net = build()
    train(net, xs, batch_size=0, max_epochs=3, backend="numpy")
    g, o = net.group("input"), net.group("output")
    assert not net._bound
    # the last batch's values, in arrays of the network's own
    np.testing.assert_array_equal(g.output, xs.inputs["input"][:, 0])
    np.testing.assert_array_equal(g.net_input, xs.inputs["input"][:, 0])
    np.testing.assert_array_equal(o.target, xs.targets["output"][:, 0])
    for arr in (g.output, g.net_input, o.target):
        assert not np.shares_memory(arr, xs.inputs["input"]) and not np.shares_memory(arr, xs.targets["output"])
    g.output[...] = 7.0
    g.net_input[...] = 7.0
    o.target[...] = 7.0
    np.testing.assert_array_equal(xs.inputs["input"], before[0])
    np.testing.assert_array_equal(xs.targets["output"], before[1])


def test_a_callback_running_the_network_does_not_change_training():
    xs, other = examples(), examples(seed=9)
    probe = {"input": other.inputs["input"][:, 0]}

    def look(epoch, error, net):
        net.run(probe, {"output": other.targets["output"][:, 0]})      # same batch size: the same arrays

    kw = dict(algorithm="momentum", learning_rate=0.2, momentum=0.9, batch_size=0, max_epochs=20, backend="numpy")
    a, b = build(), build()
    ra = train(a, xs, callbacks=[look], **kw)
    rb = train(b, xs, **kw)
    np.testing.assert_array_equal(ra.errors, rb.errors)
    for x, y in zip(a.blocks, b.blocks):
        np.testing.assert_array_equal(x.weights, y.weights)
    np.testing.assert_array_equal(xs.inputs["input"], examples().inputs["input"])


def test_binding_other_targets_notes_their_missing_values_again():
    net = build()
    x = np.ones((3, 5))
    t1 = np.zeros((3, 3))
    t2 = t1.copy()
    t2[0, 0] = np.nan
    net.forward({"input": x}, bind=True)
    net.set_targets({"output": t1}, bind=True)
    o = net.group("output")
    assert o.target is t1 and not o.target_has_nan and o.target_binary
    net.set_targets({"output": t2}, bind=True)
    assert o.target is t2 and o.target_has_nan and o.target_binary        # 0, 1 or missing: still binary
    t3 = t2 + 0.5
    net.set_targets({"output": t3}, bind=True)
    assert o.target is t3 and o.target_has_nan and not o.target_binary
    net.set_targets({"output": t2}, bind=True)
    net.set_targets({"output": t1})                      # copying again: the network's own array
    assert o.target is not t1 and not o.target_has_nan
    np.testing.assert_array_equal(t2[0], [np.nan, 0, 0])  # the bound array was not written


def test_input_noise_is_never_added_to_bound_inputs():
    net = build()
    net.group("input").output_noise = 0.5
    x = np.ones((3, 5))
    net.forward({"input": x}, bind=True)
    np.testing.assert_array_equal(x, 1.0)
    assert net.group("input").output is not x and not np.allclose(net.group("input").output, 1.0)


def sparse_examples(n=40, seed=1):
    rng = np.random.default_rng(seed)
    x = np.zeros((n, 40))
    x[np.arange(n), rng.integers(0, 40, n)] = 1.0                 # one unit of 40 on: 2.5% non-zero
    x[np.arange(n), rng.integers(0, 40, n)] = 0.5
    return ExampleSet({"input": x}, {"output": rng.integers(0, 2, (n, 3)).astype(float)}, name="sparse")


def build_wide(cls=Network, seed=2):
    return build(cls, seed, inputs=40, hidden=6)


def test_sparse_inputs_of_a_full_batch_train_as_dense_ones_do():
    xs = sparse_examples()
    kw = dict(algorithm="momentum", learning_rate=0.1, momentum=0.9, batch_size=0, max_epochs=40, backend="numpy")
    a, b = build_wide(), build_wide(Copying)
    ra, rb = train(a, xs, **kw), train(b, xs, **kw)
    np.testing.assert_allclose(ra.errors, rb.errors, rtol=1e-12)
    for x, y in zip(a.blocks, b.blocks):
        np.testing.assert_allclose(x.weights, y.weights, rtol=1e-11, atol=1e-14)
    assert not a._sparse                                            # released with the engine's arrays


def test_sparse_forms_only_for_sparse_arrays_bound_every_update():
    from scipy import sparse
    net = build_wide()
    xs = sparse_examples()
    x = xs.inputs["input"][:, 0].copy()
    net.forward({"input": x}, bind=True)                              # a mini-batch: no sparse forms
    assert "input" not in net._sparse
    net.forward({"input": x}, bind=True, every_update=True)
    _, a, at = net._sparse["input"]
    assert sparse.issparse(a) and sparse.issparse(at)
    np.testing.assert_array_equal(a.toarray(), x)
    np.testing.assert_array_equal(at.toarray(), x.T)
    h = net.group("hidden").net_input.copy()
    net.release()
    assert not net._sparse
    net.forward({"input": x})                                         # dense, copied: the same net inputs
    np.testing.assert_allclose(net.group("hidden").net_input, h, rtol=1e-13, atol=1e-15)
    dense = np.ones_like(x)                                           # 100% non-zero: dense products
    net.forward({"input": dense}, bind=True, every_update=True)
    assert net._sparse["input"][1] is None
