"""The faster paths of issue 14 (items 3 and 5) give what the paths they replace gave, bit for bit:

- the numpy engine's backward pass skips dE/da of an output group whose dE/dn comes from a pair
  that cancels (``Network.backward(output_derivs=False)``): the weight derivatives are the same;
- the compiled weight update (``kernels.update``) loops over each block's own view, so that LLVM
  vectorises it: the weights and last changes are those of ``pdpsim.learning.rules``;
- the ensemble lanes read every member's example once when the examples go in order: the same
  as with the orders given.
"""
import numpy as np
import pytest

from pdpsim import ExampleSet, Network
from pdpsim.learning.rules import update_weights


def _net(out_fn="LOGISTIC", err="CROSS_ENTROPY", seed=3, sends=False):
    net = Network("s", seed=seed)
    net.add_group("input", 6, kind="INPUT")
    net.add_group("hidden", 9)
    net.add_group("output", 5, kind="OUTPUT", function=out_fn, error=err)
    net.connect("input", "hidden")
    net.connect("hidden", "output")
    if sends:                                   # an output group that sends links: no shortcut
        net.add_group("after", 4, kind="OUTPUT", error="SUM_SQUARED")
        net.connect("output", "after")
    net.connect_bias()
    return net


def _batch(net, rng, n=11, nan=False):
    x = {"input": rng.integers(0, 2, (n, 6)).astype(float)}
    t = {g.name: (rng.random((n, g.size)) < 0.4).astype(float) for g in net.output_groups}
    if nan:
        t["output"][3, 2] = np.nan
    return x, t


@pytest.mark.parametrize("out_fn, err, sends, nan", [
    ("LOGISTIC", "CROSS_ENTROPY", False, False),     # the pair that cancels
    ("LOGISTIC", "CROSS_ENTROPY", False, True),      # ... with a missing target
    ("LOGISTIC", "CROSS_ENTROPY", True, False),      # the group sends links: dE/da is needed
    ("LOGISTIC", "SUM_SQUARED", False, False),       # no pair: dE/da as always
    ("SOFT_MAX", "DIVERGENCE", False, False),
])
def test_backward_without_output_derivs_is_the_same(out_fn, err, sends, nan):
    rng = np.random.default_rng(5)
    net = _net(out_fn, err, sends=sends)
    x, t = _batch(net, rng, nan=nan)
    weights = rng.uniform(0.5, 2.0, 11)
    for w in (None, weights):
        net.forward(x)
        net.set_targets(t)
        net.backward(w)
        full = {b.name: b.weight_deriv.copy() for b in net.blocks}
        din = {g.name: g.input_deriv.copy() for g in net.groups.values()}
        dout = {g.name: g.output_deriv.copy() for g in net.groups.values()}
        for g in net.groups.values():
            g.output_deriv.fill(-7.0)                # what a skipped dE/da keeps
        net.backward(w, output_derivs=False)
        for b in net.blocks:
            assert np.array_equal(b.weight_deriv, full[b.name]), b.name
        for g in net.groups.values():
            if g.kind in ("INPUT", "BIAS"):
                continue
            assert np.array_equal(g.input_deriv, din[g.name], equal_nan=True), g.name
            fused = g.has_targets and not g.outgoing and g.function.name == "LOGISTIC" and \
                g.error.name == "CROSS_ENTROPY"
            if fused:
                assert (g.output_deriv == -7.0).all()
            else:
                assert np.array_equal(g.output_deriv, dout[g.name]), g.name


def test_numpy_training_unchanged_by_the_shortcut():
    """The numpy engine trains with the shortcut: the same weights as backward() with dE/da."""
    rng = np.random.default_rng(2)
    net = _net()
    x, t = _batch(net, rng, n=20)
    xs = ExampleSet(x, t)
    a, b = _net(), _net()
    a.set_weights(net.get_weights())
    b.set_weights(net.get_weights())
    import pdpsim
    pdpsim.train(a, xs, max_epochs=15, learning_rate=0.1, momentum=0.9, algorithm="momentum", batch_size=0,
                 backend="numpy")
    for _ in range(15):                          # the same updates by hand, dE/da computed
        b.forward(x)
        b.set_targets(t)
        b.backward()
        update_weights(b.blocks, "momentum", 0.1, 0.9, 0.0)
    for k in a.get_weights():
        assert np.array_equal(a.get_weights()[k], b.get_weights()[k]), k


@pytest.mark.parametrize("algorithm, momentum, decay", [
    ("steepest", 0.0, 0.0), ("momentum", 0.9, 0.0), ("momentum", 0.9, 0.01), ("steepest", 0.0, 0.02),
    ("dougs_momentum", 0.5, 0.0)])
def test_compiled_update_equals_the_rule(algorithm, momentum, decay):
    pytest.importorskip("numba")
    from pdpsim.engines.compiled.kernels import update
    from pdpsim.learning.rules import ALGORITHMS
    rng = np.random.default_rng(7)
    net = _net(seed=11)
    for b in net.blocks:
        b.weight_deriv[...] = rng.normal(size=b.weights.shape)
        b.last_change[...] = rng.normal(size=b.weights.shape) * 0.1
    shapes = [b.weights.shape for b in net.blocks]
    WF = np.concatenate([b.weights.ravel() for b in net.blocks])
    DWF = np.concatenate([b.weight_deriv.ravel() for b in net.blocks])
    LCF = np.concatenate([b.last_change.ravel() for b in net.blocks])
    bsize = np.array([s[0] * s[1] for s in shapes], dtype=np.int64)
    boff = np.concatenate([[0], np.cumsum(bsize)[:-1]]).astype(np.int64)
    K = len(shapes)
    for _ in range(3):
        update(WF, DWF, LCF, boff, bsize, np.full(K, 0.3), np.full(K, momentum), np.full(K, decay),
               ALGORITHMS.index(algorithm))
        update_weights(net.blocks, algorithm, 0.3, momentum, decay)
    assert np.array_equal(WF, np.concatenate([b.weights.ravel() for b in net.blocks]))
    assert np.array_equal(LCF, np.concatenate([b.last_change.ravel() for b in net.blocks]))


def test_lanes_in_order_equal_lanes_with_orders():
    """An ensemble on the lanes with its examples in order trains as with the same orders given."""
    pytest.importorskip("numba")
    from pdpsim.engines.compiled import engine as compiled_engine
    from pdpsim.formats.spec import load_ensemble
    from pdpsim.training import ensemble
    runs = []
    for order in ("ordered", "given"):
        ens = load_ensemble("xor", range(24))
        kw = dict(algorithm="momentum", momentum=0.5, learning_rate=0.3, batch_size=2, max_epochs=40,
                  output_criterion=None, backend="compiled")
        if order == "given":                    # the loop hands the engine orders: identity ones
            real = compiled_engine.CompiledEngine._ensemble_epochs

            def with_orders(self, orders, K, real=real):
                if orders is None:
                    orders = np.broadcast_to(np.arange(len(self.examples)), (self.members.size, K,
                                                                              len(self.examples))).copy()
                return real(self, orders, K)
            compiled_engine.CompiledEngine._ensemble_epochs = with_orders
            try:
                r = ensemble.train(ens, **kw)
            finally:
                compiled_engine.CompiledEngine._ensemble_epochs = real
        else:
            r = ensemble.train(ens, **kw)
        runs.append((r, ens.network.get_weights()))
    (r1, w1), (r2, w2) = runs
    assert np.array_equal(np.asarray(r1.final_errors), np.asarray(r2.final_errors))
    for k in w1:
        assert np.array_equal(w1[k], w2[k]), k
