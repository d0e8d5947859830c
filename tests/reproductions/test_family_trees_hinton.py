"""Family trees with Hinton's own recipe (logistic outputs, squared error, his schedule and decay).

The recipe stays on the base-rate plateau in pdpsim; these tests pin the account of why
(``pdpsim.reproductions.family_trees``'s docstring): the outputs settle on the best constant,
the input-side weights' error derivatives are far weaker than the decay, and eight times the
learning rate (the decay unchanged) does learn.
"""
from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest
from click.testing import CliRunner

from pdpsim.reproductions import family_trees as ft


@pytest.fixture(scope="module")
def data():
    return ft.load_data()


def test_hinton_recipe_is_the_reported_one(data):
    rc = ft.recipe_named("hinton")
    phases = ft.training_phases(rc)
    # 20 sweeps at eps .005, alpha .5, then eps .01, alpha .9; 1500 in all; full batch, momentum
    assert [(p.max_epochs, p.learning_rate, p.momentum) for p in phases] == [(20, 0.005, 0.5), (1480, 0.01, 0.9)]
    assert all(p.batch_size == 0 and p.algorithm == "momentum" for p in phases)
    # 0.2% per sweep after the change, given to pdpsim's in-momentum decay as .002 (1 - alpha)
    assert [p.weight_decay for p in phases] == pytest.approx([0.001, 0.0002])
    assert [p.max_epochs for p in ft.training_phases(rc, epochs=10)] == [10]
    assert [p.max_epochs for p in ft.training_phases(rc, epochs=25)] == [20, 5]
    net = ft.build_network(0, data=data, recipe=rc)
    g = net.group("patient")
    assert g.function.name == "LOGISTIC" and g.error.name == "SUM_SQUARED"
    assert g.error.error_scale == pytest.approx(0.5) and g.target_radius == pytest.approx(0.2)
    assert max(float(np.abs(b.weights).max()) for b in net.blocks) <= 0.3
    # 0/1 targets, 1 on both answers of a two-answer case (softmax's are .5 each)
    t = data.multi_hot().targets["patient"][:, 0]
    assert np.array_equal(t, data.answers.astype(float))
    assert sorted(set(t.sum(axis=1).tolist())) == [1.0, 2.0]
    assert ft.recipe_named("softmax") is ft.SOFTMAX and ft.build_network(0).group("patient").function.name == "SOFT_MAX"
    with pytest.raises(ft.PdpError, match="unknown recipe"):
        ft.recipe_named("rumelhart")


def test_hinton_criterion_and_plateau_constant():
    ans = np.array([[1, 0, 0, 0], [1, 1, 0, 0]], bool)
    out = np.array([[0.6, 0.4, 0.1, 0.2], [0.9, 0.45, 0.1, 0.1]])
    assert ft.hinton_correct(out, ans).tolist() == [True, False]
    assert ft.correct(out, ans).tolist() == [True, True]
    # targets .8 on 3 of 8 units, .2 on the rest: the best constant is their mean
    assert ft.best_constant(ans, 0.2) == pytest.approx(0.2 + 0.6 * 3 / 8)


def _derivatives(net, xs):
    net.run({g: a[:, 0] for g, a in xs.inputs.items()}, {g: a[:, 0] for g, a in xs.targets.items()})
    net.backward()
    return {b.name: (float(np.linalg.norm(b.weight_deriv)), float(np.linalg.norm(b.weights))) for b in net.blocks}


def test_hinton_recipe_settles_on_the_base_rate_plateau(data):
    """150 sweeps of the recipe: every case gets the same outputs, the best constant; the person
    codes no longer tell people apart; the input-side weights' error derivatives are a small
    fraction of the decay, so they shrink toward zero."""
    start = ft.build_network(0, data=data, recipe="hinton")          # run_split's network for split 0, seed 0
    w0 = {k: float(np.abs(start.block(*k.split("->")).weights).mean()) for k in ("person->person_code",
                                                                             "relation->relation_code")}
    r = ft.run_split(data, 0, 0, ft.training_phases("hinton", epochs=150), "hinton")
    tr = np.setdiff1d(np.arange(104), ft.held_out_split(104, 0, 0))
    ans = data.answers[tr]
    o = r.train_outputs
    const = ft.best_constant(ans, 0.2)
    assert const == pytest.approx(0.2268, abs=1e-4)
    assert abs(o[~ans].mean() - const) < 0.002 and abs(o[ans].mean() - const) < 0.01
    assert o.std(axis=0).max() < 0.002                      # the same output for every case
    assert r.train_hinton == 0.0 and not any(r.held_out_hinton)
    # the input-side weights shrink as decay alone would shrink them (0.2% a sweep): the error adds nothing
    for k, w in w0.items():
        now = float(np.abs(r.network.block(*k.split("->")).weights).mean())
        assert now == pytest.approx(w * 0.998 ** 150, rel=0.03), k
    last = ft.training_phases("hinton")[-1]
    d = _derivatives(r.network, data.multi_hot().subset(tr))
    ratio = {k: last.learning_rate * g / (last.weight_decay * w) for k, (g, w) in d.items()}
    assert ratio["person->person_code"] < 0.2 and ratio["relation->relation_code"] < 0.2
    assert 0.5 < ratio["patient_code->patient"] < 1.5     # the base rate, held against the decay
    # the errors fell from the start to the plateau and then stayed there
    assert r.errors[0] > 2 * r.errors[-1] and abs(r.errors[-1] - r.errors[-20]) < 0.01


def test_hinton_recipe_learns_with_eight_times_the_rate(data):
    """The control: the same logistic outputs, error and decay, with eps x 8 and weights +-1 at the
    start, learn the training cases: the plateau is the decay against a learning rate too small."""
    fast = ft.recipe_named("hinton-x8")
    assert fast == replace(ft.HINTON, name="hinton-x8", init_range=1.0, phases=((20, 0.04, 0.5), (None, 0.08, 0.9)),
                           source=fast.source)
    r = ft.run_split(data, 0, 0, ft.training_phases(fast, epochs=400), fast)
    assert r.train_hinton > 0.8 and r.train_accuracy > 0.9


@pytest.mark.slow
def test_reproduce_family_trees_hinton_command(tmp_path):
    from pdpsim.cli.main import main
    r = CliRunner().invoke(main, ["reproduce", "family-trees", "--recipe", "hinton", "--out", str(tmp_path),
                                  "--splits", "1", "--epochs", "60"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    assert "recipe hinton" in r.output and "Hinton's criterion" in r.output and "base-rate plateau" in r.output
    rep = json.loads((tmp_path / "report.json").read_text())
    assert rep["recipe"] == "hinton" and rep["epochs"] == 60
    assert [p["learning_rate"] for p in rep["training"]] == [0.005, 0.01]
    assert rep["hinton_train_accuracy_mean"] == 0.0 and rep["paper"]["held_out_runs"] == [4, 3]
    assert rep["held_out_interval"] == [0.0, 0.0] or rep["held_out_interval"] == [None, None]


@pytest.mark.slow
def test_hinton_recipe_full_length_stays_on_the_plateau(data):
    """The whole recipe, 1500 sweeps, in 3 splits: no training case right by Hinton's criterion."""
    for split in range(3):
        r = ft.run_split(data, split, 0, None, "hinton")
        tr = np.setdiff1d(np.arange(104), ft.held_out_split(104, split, 0))
        o = r.train_outputs
        assert r.train_hinton == 0.0
        assert abs(o.mean() - ft.best_constant(data.answers[tr], 0.2)) < 0.005
