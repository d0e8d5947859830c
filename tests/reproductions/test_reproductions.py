"""The reproductions, shortened (``quick``): their numbers, their files, their data."""
import json

import click
import numpy as np
import pytest
from click.testing import CliRunner

from pdpsim import PdpError
from pdpsim.reproductions import family_trees, get, semantic, xor


@pytest.fixture
def cli():
    from pdpsim.cli.main import _Group
    from pdpsim.cli.analysis import register

    @click.group(cls=_Group)
    def group():
        pass
    register(group)
    runner = CliRunner()
    return lambda *args, **kw: runner.invoke(group, [str(a) for a in args], catch_exceptions=False, **kw)


# ---------------------------------------------------------------- XOR
@pytest.mark.slow
def test_xor_hidden_units_make_it_separable(cli, tmp_path):
    r = cli("reproduce", "xor", "--out", tmp_path / "a", "--quick")
    assert r.exit_code == 0, r.output
    rep = json.loads((tmp_path / "a" / "report.json").read_text())
    assert rep["stopped"] == "output_criterion"
    assert rep["input"]["separable"] is False and rep["input"]["best_linear_accuracy"] == 0.75
    assert rep["hidden"]["separable"] is True and rep["hidden"]["best_linear_accuracy"] == 1.0
    assert rep["hidden"]["output_line_separates"] is True
    for f in rep["figures"] + ["report.txt", "recording.npz"]:
        assert (tmp_path / "a" / f).stat().st_size > 0, f
    assert "best accuracy of any line 0.75" in (tmp_path / "a" / "report.txt").read_text()
    # seeded: the same run gives the same numbers, bit for bit
    xor.run(tmp_path / "b", quick=True, echo=None)
    assert (tmp_path / "b" / "report.json").read_text() == (tmp_path / "a" / "report.json").read_text()


# ---------------------------------------------------------------- semantic network
def test_semantic_data_and_categories(shared_data):
    d = semantic.load_data(shared_data / "semantic_network")
    assert len(d.examples) == 32 and d.items[:2] == ["Pine", "Oak"]
    assert d.domain == ["Plant"] * 4 + ["Animal"] * 4
    assert d.basic == ["Tree", "Tree", "Flower", "Flower", "Bird", "Bird", "Fish", "Fish"]
    assert d.examples.names[1] == "Pine Is"


def test_semantic_data_errors(tmp_path, monkeypatch):
    monkeypatch.delenv(semantic.ENV, raising=False)
    with pytest.raises(PdpError, match="not shipped.*--data"):
        semantic.load_data(None)
    with pytest.raises(PdpError, match="no such folder"):
        semantic.load_data(tmp_path / "nope")
    (tmp_path / "sem_items.txt").write_text("A\nB\n")
    with pytest.raises(PdpError, match="missing sem_relations.txt"):
        semantic.load_data(tmp_path)


@pytest.mark.slow
def test_semantic_progressive_differentiation(shared_data, tmp_path):
    rep = semantic.run(tmp_path, quick=True, data_dir=shared_data / "semantic_network", echo=None)
    onset = rep["onset_epochs"]
    # coarse distinctions first: plant/animal, then tree/flower and bird/fish, then the items
    assert onset[0] < onset[1] < onset[2] <= rep["epochs"]
    assert rep["order_ok"] is True
    assert onset[1] - onset[0] >= 200 and onset[2] - onset[1] >= 200
    # the fixed-threshold onsets tell the same story
    t = rep["threshold_epochs"]
    assert t[0] < t[1] < t[2]
    # at the first onset only the domain has split; at the second the items have not
    ep = list(rep["curves"]["epochs"])
    c = {k: np.array(v) for k, v in rep["curves"].items() if k != "epochs"}
    lv = semantic.LEVELS
    k1, k2 = ep.index(onset[0]), ep.index(onset[1])
    assert c[lv[0]][k1] > 5 * c[lv[1]][k1] and c[lv[0]][k1] > 5 * c[lv[2]][k1]
    assert c[lv[1]][k2] > 5 * c[lv[2]][k2]
    assert rep["final_clusters"]["two_is_domain"] is True
    assert rep["final_error"] < 0.05 * rep["first_error"]
    assert rep["rsa_final_vs_attributes"]["rho"] > 0.5 and rep["rsa_final_vs_attributes"]["p_value"] < 0.01
    for f in rep["figures"]:
        assert (tmp_path / f).read_bytes()[:4] == b"\x89PNG", f


def test_semantic_command_needs_data(cli, tmp_path, monkeypatch):
    monkeypatch.delenv(semantic.ENV, raising=False)
    r = cli("reproduce", "semantic", "--out", tmp_path)
    assert r.exit_code == 2 and "not shipped" in r.output


# ---------------------------------------------------------------- family trees
def test_family_data_matches_the_trees():
    d = family_trees.load_data()
    assert len(d.examples) == 104 and d.answers.sum() == 112
    assert int((d.answers.sum(axis=1) == 2).sum()) == 8
    idx = {p: i for i, p in enumerate(d.people)}
    gen_step = {"father": -1, "mother": -1, "uncle": -1, "aunt": -1, "son": 1, "daughter": 1, "nephew": 1,
                "niece": 1, "husband": 0, "wife": 0, "brother": 0, "sister": 0}
    for name, ans in zip(d.examples.names, d.answers):
        who, rel = name.split()
        i = idx[who]
        for j in np.nonzero(ans)[0]:
            assert d.nationality[j] == d.nationality[i], name
            assert d.generation[j] == d.generation[i] + gen_step[rel], name
            if rel in ("brother", "sister") and d.branch[i]:
                assert d.branch[j] == d.branch[i], name
            if rel in ("husband", "wife") and d.branch[j] != d.branch[i]:
                # only the couple that joins the two branches: the parents of the third generation
                parents = {d.people[k] for n, a in zip(d.examples.names, d.answers)
                           if n.split()[1] in ("father", "mother") and d.generation[idx[n.split()[0]]] == 3
                           for k in np.nonzero(a)[0]}
                assert who in parents and d.people[j] in parents, name
    assert d.examples.names.count("Colin uncle") == 1
    uncles = d.answers[d.examples.names.index("Colin uncle")]
    assert sorted(d.people[j] for j in np.nonzero(uncles)[0]) == ["Arthur", "Charles"]


def test_family_correct_criterion():
    ans = np.array([[1, 0, 0, 0], [1, 1, 0, 0]], bool)
    out = np.array([[0.5, 0.3, 0.1, 0.1], [0.4, 0.1, 0.45, 0.05]])
    assert family_trees.correct(out, ans).tolist() == [True, False]
    assert family_trees.correct(np.array([[0.4, 0.41, 0.1, 0.09]] * 2), ans).tolist() == [False, True]


@pytest.mark.slow
def test_family_trees_generalise_and_encode(tmp_path):
    rep = family_trees.run(tmp_path, quick=True, echo=None)
    assert rep["splits"] == 3 and rep["epochs"] == 2000
    assert min(rep["train_accuracy"]) >= 0.97
    # held-out cases: far above chance (4/24 for one-answer cases) in total, and in every split but one
    assert rep["chance"] < 0.2
    assert rep["held_out_mean_correct"] >= 1.5
    assert sum(c >= 1 for c in rep["held_out_counts"]) >= 2
    ro = rep["readout"]
    assert ro["nationality"]["loo_accuracy_mean"] >= 0.9 and ro["nationality"]["best_unit_abs_r_mean"] > 0.8
    assert ro["generation"]["loo_accuracy_mean"] >= 0.75
    assert ro["branch"]["loo_accuracy_mean"] > ro["branch"]["chance"]
    for f in rep["figures"]:
        assert (tmp_path / f).read_bytes()[:4] == b"\x89PNG", f
    text = (tmp_path / "report.txt").read_text()
    assert "Held-out cases correct" in text and "nationality" in text


def test_family_split_is_reproducible():
    d = family_trees.load_data()
    p = family_trees.training_params(epochs=150)
    a = family_trees.run_split(d, 1, 7, p)
    b = family_trees.run_split(d, 1, 7, p)
    assert np.array_equal(a.person_codes, b.person_codes) and a.held_out == b.held_out
    assert a.held_out == [d.examples.names[i] for i in family_trees.held_out_split(104, 1, 7)]
    assert family_trees.held_out_split(104, 1, 7).tolist() != family_trees.held_out_split(104, 2, 7).tolist()


def test_reproduce_errors(cli, tmp_path):
    (tmp_path / "file").write_text("x")
    r = cli("reproduce", "xor", "--out", tmp_path / "file")
    assert r.exit_code == 2 and "is a file" in r.output
    r = cli("reproduce", "family-trees", "--out", tmp_path / "f", "--splits", "0")
    assert r.exit_code == 2 and "--splits" in r.output
    with pytest.raises(PdpError, match="unknown reproduction 'hopfield'"):
        get("hopfield")
    assert get("family_trees") is family_trees
