"""Exact cases for the weight update rules (pdpsim.learning.rules): each test pins a formula, a default or a
branch that dev/mutate.py showed no other test would notice if it changed.

The blocks are built by hand (weights, derivatives and last changes set to chosen numbers), and the expected
weights are the documented formula written out in the same order of operations, so they must agree bit for bit.
"""
import math
from types import SimpleNamespace

import numpy as np
import pytest

from pdpsim import PdpError
from pdpsim.learning import rules
from pdpsim.learning.rules import (algorithm_name, decay_term, descent, dougs_scale, momentum_term, rate_factor,
                                   update_weights, weight_change)
from pdpsim.model.network import LinkBlock


def block(w, g, prev=None, **kw):
    """A link block with weights ``w``, weight derivatives ``g`` and last change ``prev``."""
    w = np.array(w, dtype=float)
    b = LinkBlock(SimpleNamespace(name="a"), SimpleNamespace(name="b"), w.copy(), **kw)
    b.weight_deriv[...] = g
    if prev is not None:
        b.last_change[...] = prev
    return b


W = [[0.5, -0.25], [1.5, 0.0]]
G = [[0.3, -0.7], [0.1, 2.0]]
P = [[-0.2, 0.4], [0.05, -1.0]]


# ---------------------------------------------------------------- the formulas
def test_the_terms_and_the_change():
    g, prev, w = np.array(G), np.array(P), np.array(W)
    np.testing.assert_array_equal(descent(g, 0.5), -(0.5 * g))
    np.testing.assert_array_equal(momentum_term(prev, 0.9), 0.9 * prev)
    np.testing.assert_array_equal(decay_term(w, 0.01), -(0.01 * w))
    assert descent(2.0, 0.25) == -0.5 and momentum_term(-2.0, 0.5) == -1.0 and decay_term(4.0, 0.25) == -1.0
    assert weight_change(2.0, -2.0, 4.0, 0.25, 0.5, 0.25) == -1.0 - 0.5 - 1.0
    np.testing.assert_array_equal(weight_change(g, prev, w, 0.5, 0.9, 0.01), (0.9 * prev + -(0.5 * g)) + -(0.01 * w))


def test_dougs_scale():
    with np.errstate(all="raise"):                  # an all-zero gradient: no division by zero behind the where
        got = [float(dougs_scale(np.float64(s))) for s in (0.0, 0.25, 1.0, 1.5, 4.0, 100.0)]
    assert got == [1.0, 1.0, 1.0, 1.0 / math.sqrt(1.5), 0.5, 0.1]
    np.testing.assert_array_equal(dougs_scale(np.array([0.0, 2.25, 0.5])), [1.0, 1.0 / 1.5, 1.0])


def test_rate_factor():
    g = np.array([1.0, 1.0, -2.0, 3.0, 0.0])
    prev = np.array([-0.5, 0.5, 0.25, 0.0, 1.0])           # opposite, same, opposite, none, none
    r = np.array([1.0, 1.0, 2.0, 0.5, 1.0])
    with np.errstate(all="raise"):
        np.testing.assert_array_equal(rate_factor(r, g, prev, 0.1, 0.9), [1.1, 0.9, 2.1, 0.45, 0.9])
    assert rules.RATE_INCREMENT == 0.1 and rules.RATE_DECREMENT == 0.9


def test_algorithm_names():
    assert algorithm_name("SGD") == "steepest" and algorithm_name("steepest-descent") == "steepest"
    assert algorithm_name("DougsMomentum") == "dougs_momentum" and algorithm_name("delta-bar-delta") == "delta_bar_delta"
    for name in rules.ALGORITHMS:
        assert algorithm_name(name) == name
    with pytest.raises(PdpError, match="training.algorithm: unknown algorithm 'adam'"):
        algorithm_name("adam", "training.algorithm")


# ---------------------------------------------------------------- update_weights: defaults and per-block values
def test_steepest_with_the_defaults_is_exactly_minus_eps_g():
    b = block(W, G, P)
    update_weights([b], "steepest", 0.5)
    dw = -(0.5 * np.array(G))
    np.testing.assert_array_equal(b.last_change, dw)            # no bounds: the change asked for, exactly
    np.testing.assert_array_equal(b.weights, np.array(W) + dw)


def test_momentum_defaults_to_none():
    b = block(W, G, P)
    update_weights([b], "momentum", 0.5)
    np.testing.assert_array_equal(b.weights, np.array(W) + -(0.5 * np.array(G)))


def test_per_block_momentum_decay_and_rate():
    for algorithm in ("momentum", "dougs_momentum"):
        b = block(W, np.array(G) * 0.1, P, momentum=0.5, weight_decay=0.125, learning_rate=0.25)
        update_weights([b], algorithm, 0.75, momentum=0.9, weight_decay=0.01)
        g = np.array(G) * 0.1                                 # |g|^2 < 1: Doug's momentum leaves it alone
        dw = (0.5 * np.array(P) + -(0.25 * g)) + -(0.125 * np.array(W))
        np.testing.assert_array_equal(b.last_change, dw)
        np.testing.assert_array_equal(b.weights, np.array(W) + dw)
    b = block(W, G, P)                                         # the network's values where the block has none
    update_weights([b], "momentum", 0.75, momentum=0.9, weight_decay=0.01)
    np.testing.assert_array_equal(b.weights, np.array(W) + ((0.9 * np.array(P) + -(0.75 * np.array(G)))
                                                           + -(0.01 * np.array(W))))


def test_steepest_ignores_per_block_momentum():
    b = block(W, G, P, momentum=0.5)
    update_weights([b], "steepest", 0.5)
    np.testing.assert_array_equal(b.weights, np.array(W) + -(0.5 * np.array(G)))


def test_frozen_blocks_are_left_alone():
    frozen, live = block(W, G, P, frozen=True), block(W, G, P)
    update_weights([frozen, live], "momentum", 0.5, 0.5)
    np.testing.assert_array_equal(frozen.weights, W)
    np.testing.assert_array_equal(frozen.last_change, P)
    np.testing.assert_array_equal(live.weights, np.array(W) + (0.5 * np.array(P) + -(0.5 * np.array(G))))


def test_one_bound_alone_clips():
    hi = block(W, G, max_weight=0.4)
    update_weights([hi], "steepest", 1.0)
    np.testing.assert_array_equal(hi.weights, np.minimum(np.array(W) + -np.array(G), 0.4))
    np.testing.assert_allclose(hi.weights, [[0.2, 0.4], [0.4, -2.0]], rtol=1e-15)
    np.testing.assert_array_equal(hi.last_change, hi.weights - np.array(W))
    lo = block(W, G, min_weight=-0.5)
    update_weights([lo], "steepest", 1.0)
    np.testing.assert_array_equal(lo.weights, np.maximum(np.array(W) + -np.array(G), -0.5))
    np.testing.assert_allclose(lo.weights, [[0.2, 0.45], [1.4, -0.5]], rtol=1e-15)
    np.testing.assert_array_equal(lo.last_change, lo.weights - np.array(W))


# ---------------------------------------------------------------- Doug's momentum
def test_dougs_momentum_scales_by_the_norm_over_the_live_blocks():
    g1, g2 = np.array([[0.6, 0.0], [0.0, 0.0]]), np.array([[0.0, 0.0], [0.0, 0.9]])    # |g|^2 = 1.17
    a, b, f = block(W, g1), block(W, g2), block(W, [[5.0, 5.0], [5.0, 5.0]], frozen=True)
    update_weights([f, a, b], "dougs_momentum", 0.5)
    eps = 0.5 * float(dougs_scale(1.17))
    assert eps == 0.5 / math.sqrt(1.17)
    np.testing.assert_array_equal(a.weights, np.array(W) + -(eps * g1))
    np.testing.assert_array_equal(b.weights, np.array(W) + -(eps * g2))
    one = block(W, g2 * 2.0)                                    # one live block: |g|^2 = 3.24
    update_weights([block(W, G, frozen=True), one], "dougs_momentum", 0.5)
    np.testing.assert_array_equal(one.weights, np.array(W) + -((0.5 * (1.0 / 1.8)) * (g2 * 2.0)))
    zero = block(W, np.zeros((2, 2)), P)
    with np.errstate(all="raise"):
        update_weights([zero], "dougs_momentum", 0.5, 0.5)
    np.testing.assert_array_equal(zero.weights, np.array(W) + 0.5 * np.array(P))


def test_other_algorithms_are_not_scaled_by_the_norm():
    for algorithm in ("steepest", "momentum"):
        b = block(W, np.array(G) * 10.0)
        update_weights([b], algorithm, 0.5)
        np.testing.assert_array_equal(b.weights, np.array(W) + -(0.5 * (np.array(G) * 10.0)))


def test_ensembles_take_their_own_rates():
    """(members, from, to) weights: ensemble_rates give each member its learning rate (over the network's),
    a block's own rate overrides both, and Doug's momentum uses each member's own norm."""
    w = np.stack([np.array(W), np.array(W) * 2.0])
    g = np.stack([np.array(G) * 0.1, np.array(G)])             # member 0: |g|^2 < 1; member 1: > 1
    b = block(w, g)
    update_weights([b], "steepest", 0.7, ensemble_rates=np.array([0.25, 0.5]))
    np.testing.assert_array_equal(b.weights, w + -(np.array([0.25, 0.5])[:, None, None] * g))
    own = block(w, g, learning_rate=0.125)
    update_weights([own], "steepest", 0.7, ensemble_rates=np.array([0.25, 0.5]))
    np.testing.assert_array_equal(own.weights, w + -(0.125 * g))
    d = block(w, g)
    update_weights([d], "dougs_momentum", 0.5)
    norm1 = math.sqrt(float((g[1] ** 2).sum()))
    np.testing.assert_allclose(d.weights[0], w[0] - 0.5 * g[0], rtol=1e-15)
    np.testing.assert_allclose(d.weights[1], w[1] - 0.5 * g[1] / norm1, rtol=1e-15)


# ---------------------------------------------------------------- delta-bar-delta
def test_delta_bar_delta_keeps_its_rate_factors_between_updates():
    b = block([[0.0, 0.0]], [[1.0, -1.0]])
    update_weights([b], "delta_bar_delta", 0.5)                # no last change yet: r = 0.9 everywhere
    r1 = b.rule_state["rate_factor"].copy()
    np.testing.assert_array_equal(r1, [[0.9, 0.9]])
    np.testing.assert_array_equal(b.last_change, [[-(0.5 * 0.9) * 1.0, -(0.5 * 0.9) * -1.0]])
    b.weight_deriv[...] = [[1.0, 1.0]]                          # unit 0 keeps its direction, unit 1 turns
    update_weights([b], "delta_bar_delta", 0.5)
    r2 = b.rule_state["rate_factor"]
    np.testing.assert_array_equal(r2, [[0.9 + 0.1, 0.9 * 0.9]])
    np.testing.assert_array_equal(b.last_change, [[-((0.5 * r2[0, 0]) * 1.0), -((0.5 * r2[0, 1]) * 1.0)]])
    np.testing.assert_array_equal(b.weights, [[-0.45 - 0.5, 0.45 - 0.5 * 0.81]])


def test_delta_bar_delta_with_momentum_and_decay():
    b = block(W, G, P)
    update_weights([b], "delta_bar_delta", 0.5, momentum=0.5, weight_decay=0.125)
    r = rate_factor(np.ones((2, 2)), np.array(G), np.array(P), 0.1, 0.9)
    np.testing.assert_array_equal(b.rule_state["rate_factor"], r)
    dw = (0.5 * np.array(P) + -((0.5 * r) * np.array(G))) + -(0.125 * np.array(W))
    np.testing.assert_array_equal(b.weights, np.array(W) + dw)
