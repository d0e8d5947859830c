"""Lesions and noise: seeded, reversible, kept through retraining."""
import numpy as np
import pytest

import pdpsim
from pdpsim.model.lesion import lesion_links, lesion_units, output_noise, weight_noise


def trained_encoder():
    m = pdpsim.load("encoder-8-3-8")
    pdpsim.train(m.network, m.examples, m.training)
    return m


def test_link_lesion_is_seeded_reversible_and_survives_retraining():
    m = trained_encoder()
    net, xs = m.network, m.examples
    before = net.get_weights()
    intact = pdpsim.test(net, xs).total_error
    d = lesion_links(net, "hidden->output", 0.5, seed=3)
    w = net.block("hidden", "output").weights
    assert (w == 0).sum() == 12                       # half of 3 x 8 links
    mask = net.block("hidden", "output").mask.copy()
    damaged = pdpsim.test(net, xs).total_error
    assert damaged > intact
    d.undo()                                          # undone at once: exactly as before
    for k, v in before.items():
        np.testing.assert_array_equal(net.get_weights()[k], v)
    assert pdpsim.test(net, xs).total_error == pytest.approx(intact, rel=1e-12)
    again = lesion_links(net, "hidden->output", 0.5, seed=3)
    np.testing.assert_array_equal(net.block("hidden", "output").mask, mask)
    r = pdpsim.train(net, xs, m.training, max_epochs=30)  # retrain after damage: cut links stay cut
    assert r.final_error < damaged
    assert np.all(net.block("hidden", "output").weights[mask == 0] == 0)
    survivors = net.block("hidden", "output").weights[mask == 1].copy()
    again.undo()
    w = net.block("hidden", "output").weights
    np.testing.assert_array_equal(w[mask == 0], before["hidden->output"][mask == 0])
    np.testing.assert_array_equal(w[mask == 1], survivors)


def test_unit_lesion_silences_units_and_their_derivatives():
    m = trained_encoder()
    net, xs = m.network, m.examples
    with lesion_units(net, "hidden", 1 / 3, seed=0):
        pdpsim.test(net, xs)
        h = net.group("hidden").output
        dead = np.flatnonzero(net.group("hidden").unit_mask == 0)
        assert len(dead) == 1 and np.all(h[:, dead] == 0)
        net.backward()
        assert np.all(net.group("hidden").input_deriv[:, dead] == 0)
        assert np.all(net.block("input", "hidden").weight_deriv[:, dead] == 0)
    assert net.group("hidden").unit_mask is None


def test_noise_is_reversible_and_seeded():
    m = trained_encoder()
    net, xs = m.network, m.examples
    w = net.get_weights()
    with weight_noise(net, 0.5, seed=1):
        a = net.get_weights()["input->hidden"].copy()
    with weight_noise(net, 0.5, seed=1):
        np.testing.assert_array_equal(net.get_weights()["input->hidden"], a)
    np.testing.assert_array_equal(net.get_weights()["input->hidden"], w["input->hidden"])
    clean = pdpsim.test(net, xs).outputs["output"]
    with output_noise(net, "input", 0.3):
        noisy = pdpsim.test(net, xs).outputs["output"]
    assert not np.allclose(clean, noisy)
    np.testing.assert_array_equal(pdpsim.test(net, xs).outputs["output"], clean)


def test_bad_lesions():
    net = pdpsim.load("xor").network
    with pytest.raises(pdpsim.PdpError, match="lesion proportion: expected a number <= 1.0"):
        lesion_links(net, "input->hidden", 1.5)
    with pytest.raises(pdpsim.PdpError, match="no link block input->output"):
        lesion_links(net, "input->output", 0.5)
    with pytest.raises(pdpsim.PdpError, match="has no group 'hid'"):
        lesion_units(net, "hid", 0.5)


def test_lesioned_units_pass_no_derivative_back():
    """A lesioned unit whose slope at output 0 is not 0 (TANH: 1): the backward pass must still
    give it no input derivative, so the weights into it get none; the whole gradient matches
    finite differences of the lesioned network's error."""
    from pdpsim import Network
    net = Network("l", seed=2, init_range=0.7)
    net.add_group("input", 3, kind="INPUT")
    net.add_group("hidden", 4, function="TANH")
    net.add_group("output", 2, kind="OUTPUT", function="LOGISTIC", error="SUM_SQUARED")
    net.connect("input", "hidden")
    net.connect("hidden", "output")
    net.connect_bias()
    rng = np.random.default_rng(0)
    x, t = rng.uniform(-1, 1, (5, 3)), rng.uniform(0.1, 0.9, (5, 2))

    def error():
        net.forward({"input": x})
        net.set_targets({"output": t})
        return float(net.error().sum())

    with lesion_units(net, "hidden", 0.5, seed=1):
        dead = np.flatnonzero(net.group("hidden").unit_mask == 0)
        assert len(dead) == 2
        error()
        net.backward()
        assert np.all(net.group("hidden").input_deriv[:, dead] == 0)
        assert np.any(net.group("hidden").output_deriv[:, dead] != 0)      # the error does reach them
        for b in net.blocks:
            analytic = b.weight_deriv.copy()
            numeric = np.zeros_like(analytic)
            for idx in np.ndindex(b.weights.shape):
                old = b.weights[idx]
                b.weights[idx] = old + 1e-6
                up = error()
                b.weights[idx] = old - 1e-6
                down = error()
                b.weights[idx] = old
                numeric[idx] = (up - down) / 2e-6
            np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-9, err_msg=b.name)
