"""The Boltzmann machine's and the Kohonen map's formulas (pdpsim.learning.boltzmann, .kohonen) on
hand-made cases."""
from __future__ import annotations

import math

import numpy as np
import pytest

from pdpsim.learning import boltzmann as bz
from pdpsim.learning import kohonen as ko
from pdpsim.learning.rules import weight_change


# ---------------------------------------------------------------- Boltzmann
def test_annealed_gain_halves_its_distance_each_anneal_time():
    # ticks per interval 4, annealTime 0.5: two ticks halve the distance to the final gain
    assert bz.annealed_gain(0, 0.1, 1.0, 0.5, 4) == pytest.approx(0.1)
    assert bz.annealed_gain(2, 0.1, 1.0, 0.5, 4) == pytest.approx(0.55)
    assert bz.annealed_gain(4, 0.1, 1.0, 0.5, 4) == pytest.approx(0.775)
    assert bz.annealed_gain(10 ** 4, 0.1, 1.0, 0.5, 4) == pytest.approx(1.0)
    assert bz.annealed_gain(3, 2.0, 2.0, 1.0, 5) == 2.0               # no annealing when init = final


def test_settle_step_moves_dt_of_the_way_to_the_logistic():
    a, n = np.array([0.5, 0.2]), np.array([0.0, math.log(3.0)])
    out = bz.settle_step(a, n, 1.0, 0.25)
    # logistic(0) = 0.5 (no move), logistic(ln 3) = 0.75: 0.2 + 0.25 (0.75 - 0.2)
    assert out == pytest.approx([0.5, 0.3375])
    assert bz.settle_step(a, n, 2.0, 1.0)[1] == pytest.approx(0.9)   # gain 2: 9 / 10
    assert bz.boltzmann_logistic(np.array([-1e4, 1e4]), 1.0) == pytest.approx([0.0, 1.0])   # finite
    a = np.array([0.3])
    for _ in range(200):                                              # the fixed point is the logistic
        a = bz.settle_step(a, np.array([1.0]), 1.5, 0.2)
    assert a[0] == pytest.approx(1 / (1 + math.exp(-1.5)))


def test_settled_and_release():
    assert bz.settled(np.array([0.5, 0.2]), np.array([0.5005, 0.2]), 0.001)
    assert not bz.settled(np.array([0.5, 0.2]), np.array([0.502, 0.2]), 0.001)
    assert bz.release(np.array([0.9, 0.1]), 0.5, 1.0) == pytest.approx([0.5, 0.5])   # all the way back
    assert bz.release(np.array([0.9, 0.1]), 0.5, 0.0) == pytest.approx([0.9, 0.1])   # not at all
    assert bz.release(np.array([0.9]), 0.5, 0.25) == pytest.approx([0.8])


def test_contrastive_rule_and_its_descent_step():
    send_m, recv_m = np.array([0.2, 1.0]), np.array([0.5])
    send_p, recv_p = np.array([0.9, 1.0]), np.array([1.0])
    d = bz.link_deriv(send_m, recv_m, send_p, recv_p)
    assert d.shape == (2, 1)
    assert d[:, 0] == pytest.approx([0.2 * 0.5 - 0.9 * 1.0, 1.0 * 0.5 - 1.0 * 1.0])
    # dw = -eps dE/dw = eps (<s_i s_j>+ - <s_i s_j>-)
    dw = weight_change(d, np.zeros_like(d), np.zeros_like(d), 0.1, 0.0, 0.0)
    assert dw[:, 0] == pytest.approx(0.1 * np.array([0.9 - 0.1, 1.0 - 0.5]))
    # no change where the phases agree
    assert not bz.link_deriv(send_p, recv_p, send_p, recv_p).any()


def test_contrastive_rule_is_the_gradient_of_the_mean_field_free_energy_difference():
    """For a settled pair of units (one clamped sender s, one free receiver a = sigma(w s + b)), the
    rule's dE/dw is d(F+ - F-)/dw, F the mean-field free energy; with the positive phase clamped the
    plus term is a constant, so the finite difference of -F- matches a^- s."""
    s, b = 0.7, 0.2

    def free_energy(w):
        a = 1 / (1 + math.exp(-(w * s + b)))            # the settled free unit
        h = -(a * math.log(a) + (1 - a) * math.log(1 - a))
        return -(w * s * a + b * a) - h                  # energy minus entropy (temperature 1)
    w, eps = 0.4, 1e-6
    numeric = -(free_energy(w + eps) - free_energy(w - eps)) / (2 * eps)
    a = 1 / (1 + math.exp(-(w * s + b)))
    assert numeric == pytest.approx(bz.link_deriv(np.array([s]), np.array([a]), np.zeros(1), np.zeros(1))[0, 0],
                                    rel=1e-6)


# ---------------------------------------------------------------- Kohonen
def test_winner_is_the_first_least_input():
    assert ko.winner([3.0, 1.0, 1.0, 2.0]) == 1
    assert ko.winner([3.0, 1.0, 0.5], live=np.array([True, True, False])) == 1
    assert ko.winner([np.nan, 2.0]) == 1
    assert ko.winner([2e8, 3e8]) == 0                    # none below Lens's 1e8: unit 0


def test_grid_distance_and_torus():
    assert ko.grid_distance_squared(0, 0, 3, 2, 4, 3, False) == 9 + 4
    # on a 4 x 3 torus: 3 columns apart is 1 the other way, 2 rows apart is 1 the other way
    assert ko.grid_distance_squared(0, 0, 3, 2, 4, 3, True) == 1 + 1
    assert ko.grid_distance_squared(0, 0, 2, 0, 4, 3, True) == 4       # exactly half: kept


def test_kohonen_output_and_input_derivative():
    n = np.array([4.0, 1.0, 2.0, 8.0, 5.0, 6.0])       # a 3 x 2 map; the winner is unit 1 (column 1, row 0)
    out = ko.kohonen_output(n, 3, 1.0)
    inside = np.array([True, True, True, False, True, False])
    assert out == pytest.approx(np.where(inside, 1 - n / 8.0, 0.0))
    assert ko.kohonen_input_deriv(out) == pytest.approx(np.where(inside & (n < 8.0), 1.0, 0.0))
    # a larger neighbourhood takes every unit in; the most distant one's output is 1 - max/max = 0
    big = ko.kohonen_output(n, 3, 5.0)
    assert big[3] == 0.0 and ko.kohonen_input_deriv(big)[3] == 0.0
    with np.errstate(invalid="ignore"):
        assert np.isnan(ko.kohonen_output(np.zeros(4), 2, 1.0)[0])   # all inputs 0: Lens's 0 x inf


def test_kohonen_update_pulls_the_neighbours_toward_the_input():
    """DISTANCE's derivative 2 (w - x) dE/dn with dE/dn = 1 in the neighbourhood: a descent step moves
    those units' weights toward the input, the others not at all."""
    x = np.array([1.0, 0.0])
    w = np.array([[0.0, 0.9, 0.2], [0.0, 0.1, 0.9]])   # 2 inputs x 3 map units (one row)
    n = ((w - x[:, None]) ** 2).sum(axis=0)
    out = ko.kohonen_output(n, 3, 1.0)
    g = 2.0 * (w - x[:, None]) * ko.kohonen_input_deriv(out)[None, :]
    new = w + weight_change(g, np.zeros_like(w), w, 0.25, 0.0, 0.0)
    d_old = ((w - x[:, None]) ** 2).sum(axis=0)
    d_new = ((new - x[:, None]) ** 2).sum(axis=0)
    moved = ko.kohonen_input_deriv(out) > 0
    assert moved.any() and np.all(d_new[moved] < d_old[moved]) and np.all(d_new[~moved] == d_old[~moved])
