"""Plaut & Shallice (1993) deep dyslexia: data, scoring, a shortened end-to-end run, settling RSA."""
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from pdpsim import PdpError
from pdpsim.cli.main import main
from pdpsim.model.lesion import lesion_links
from pdpsim.reproductions import plaut_shallice as ps
from pdpsim.records.weights import load_weights

pytestmark = pytest.mark.slow          # (make test-fast leaves these out)

CONCRETE = "tart tent face deer coat grin lock rope hare lass flan hind wave flea star reed loon case flag post".split()
ABSTRACT = "tact rent fact deed cost gain lack role hire loss plan hint wage plea stay need loan ease flaw past".split()


@pytest.fixture(scope="module")
def data():
    return ps.load_data()


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    """One shortened run through the command line (3 severities x 3 lesions per site, 200 permutations)."""
    out = tmp_path_factory.mktemp("plaut")
    res = CliRunner().invoke(main, ["reproduce", "plaut-shallice", "--out", str(out), "--quick", "--seed", "0"])
    assert res.exit_code == 0, res.output
    return out, res.output, json.loads((out / "report.json").read_text())


# ---------------------------------------------------------------- data
def test_data_shipped_copy(data):
    assert data.words == CONCRETE + ABSTRACT
    assert data.concrete.tolist() == [True] * 20 + [False] * 20
    assert data.orthography.shape == (40, 48) and (data.orthography.sum(axis=1) == 4).all()
    assert data.semantics.shape == (40, 118) and len(data.feature_names) == 118
    assert data.feature_names[0] == "max_size_less_foot" and data.feature_names[-1] == "quality_other"
    assert len(set(map(tuple, data.orthography))) == 40 and len(set(map(tuple, data.semantics))) == 40
    assert data.close_orthography["tart"] == {"tent", "hare", "tact", "fact", "past"}
    assert data.close_semantics["tart"] == {"flan"}
    # both lists are symmetric in this data set
    for close in (data.close_orthography, data.close_semantics):
        assert all(w in close[r] for w in data.words for r in close[w])
    assert (Path(data.source) / "LICENSE").read_text().count("BSD 3-Clause") == 1


def test_data_from_shared_folder(shared_data, data):
    d = ps.load_data(shared_data)                       # the parent: finds deep_dyslexia/
    assert Path(d.source).name == "deep_dyslexia"
    np.testing.assert_array_equal(d.orthography, data.orthography)
    np.testing.assert_array_equal(d.semantics, data.semantics)
    assert d.close_semantics == data.close_semantics
    for f in ps.FILES.values():                          # the shipped copy is byte for byte the source
        assert (Path(d.source) / f).read_bytes() == (Path(data.source) / f).read_bytes()


def test_bad_data_folder(tmp_path):
    with pytest.raises(PdpError, match="lacks emergent_train_pats.tsv"):
        ps.load_data(tmp_path)
    res = CliRunner().invoke(main, ["reproduce", "plaut-shallice", "--data", str(tmp_path), "--out",
                                    str(tmp_path / "o")])
    assert res.exit_code == 2 and "lacks" in res.output
    for bad in (["--seed", "-1"], ["--lesions", "0"]):
        res = CliRunner().invoke(main, ["reproduce", "plaut-shallice", "--out", str(tmp_path / "o"), *bad])
        assert res.exit_code == 2 and "Invalid value" in res.output


# ---------------------------------------------------------------- scoring
def test_classify_hand_made(data):
    co, cs = data.close_orthography, data.close_semantics
    assert ps.classify("tart", "tart", co, cs) == "correct"
    assert ps.classify("tart", "tent", co, cs) == "visual"
    assert ps.classify("tart", "flan", co, cs) == "semantic"
    assert ps.classify("deer", "reed", co, cs) == "mixed"      # close in spelling and in meaning
    assert ps.classify("tart", "loon", co, cs) == "other"
    assert ps.classify("tart", None, co, cs) == "no_response"
    assert ps.classify("flan", "tart", co, cs) == "semantic"


def test_read_out_criterion(data):
    s = data.semantics
    gain, loss, tart = data.index("gain"), data.index("loss"), data.index("tart")
    outs = np.stack([s[gain], s[tart] * 0.9, 0.5 * (s[gain] + s[loss]), np.zeros(118), s[loss]])
    r = ps.read_out(outs, s, proximity=0.8, gap=0.02)
    assert r.response.tolist() == [gain, tart, -1, -1, loss]
    np.testing.assert_allclose(r.proximity[:2], 1.0)
    np.testing.assert_allclose(r.gap[0], 1 / 22, atol=1e-12)   # gain and loss share 21 of their 22 features
    assert r.gap[2] < 1e-12                              # exactly between two words: no response
    assert r.proximity[3] == 0.0


def test_chance_rates(data):
    c = ps.chance_rates(data)
    n = 40 * 39
    assert c == pytest.approx({"visual": 156 / n, "semantic": 132 / n, "mixed": 8 / n,
                               "other": 1 - 296 / n})


def test_summaries_count_right():
    rows = []
    for k, cats in enumerate((["correct", "visual"], ["semantic", "no_response"])):
        for i, c in enumerate(cats):
            rows.append(("X", "links", "a->b", 0.5, k, f"w{i}", i == 0, "", c))
    t = pd.DataFrame(rows, columns=["site", "kind", "target", "severity", "lesion", "word", "concrete",
                                    "response", "category"])
    s = ps.summarize(t).iloc[0]
    assert (s["trials"], s["lesions"], s["correct"], s["visual"], s["no_response"]) == (4, 2, 0.25, 0.25, 0.25)
    assert (s["correct_concrete"], s["correct_abstract"]) == (0.5, 0.0)
    assert s["explicit_errors"] == 2 and s["visual_of_errors"] == 0.5 and s["semantic_of_errors"] == 0.5


# ---------------------------------------------------------------- settling
def test_hidden_rsa_is_constant_without_feedback(data):
    """With no semantics->intermediate links the hidden layer only integrates a fixed input;
    the correlation distance ignores the offset and scale that integration changes."""
    s = ps.Settings(feedback=False)
    rows = ps.settling_rsa(ps.build_network(data, s, seed=3), data, s, n_permutations=20)
    rho = np.array([r["rho_orthography"] for r in rows])
    assert len(rows) == 16 and rho[0] > 0.3
    np.testing.assert_allclose(rho, rho[0], atol=1e-12)
    s = ps.Settings()
    rows = ps.settling_rsa(ps.build_network(data, s, seed=3), data, s, n_permutations=20)
    assert np.ptp([r["rho_orthography"] for r in rows]) > 1e-3     # feedback moves it


# ---------------------------------------------------------------- the shortened run
def test_quick_run_trains_to_criterion(quick_run, data):
    out, text, rep = quick_run
    tr = rep["training"]
    assert tr["all_correct"] and tr["min_proximity"] >= 0.8 and tr["min_gap"] >= 0.02
    assert tr["max_deviation"] <= 0.2 and tr["epochs"] < rep["settings"]["max_epochs"]
    assert tr["criterion_epoch"] is not None and tr["criterion_epoch"] <= tr["epochs"]
    # the saved weights read every word again
    net = ps.build_network(data, ps.Settings())
    load_weights(net, out / "weights.npz")
    r = ps.read_words(net, data)
    assert r.correct.all()
    # a lesion changes the reading and undoing it restores it exactly
    before = r.semantics.copy()
    with lesion_links(net, "intermediate->semantics", 0.5, seed=1):
        assert not np.allclose(ps.read_words(net, data).semantics, before)
    np.testing.assert_array_equal(ps.read_words(net, data).semantics, before)
    for name in ("error_types.png", "concreteness.png", "rsa_settling.png", "lesions.csv", "trials.csv",
                 "rsa.csv", "lesions_by_site.csv", "report.txt"):
        assert (out / name).stat().st_size > 0
    assert "intact reading: 40/40 correct" in text


def test_quick_run_lesions(quick_run):
    out, _, rep = quick_run
    table = pd.read_csv(out / "lesions.csv")
    assert len(table) == 6 * 3 and (table["trials"] == 3 * 40).all()
    np.testing.assert_allclose(table[list(ps.CATEGORIES)].sum(axis=1), 1.0, rtol=1e-6)
    trials = pd.read_csv(out / "trials.csv", keep_default_na=False)
    assert len(trials) == 6 * 3 * 3 * 40
    first = table.groupby("site", sort=False).first()
    last = table.groupby("site", sort=False).last()
    for site in ("O->I", "I->S", "I units", "C->S", "C units"):
        assert last.loc[site, "correct"] < first.loc[site, "correct"]
    # the severest direct-pathway lesions make explicit errors; semantic errors well beyond chance
    for site in ("O->I", "I units"):
        assert last.loc[site, "correct"] < 0.8
        assert last.loc[site, ["visual", "semantic", "mixed", "other"]].sum() > 0.03
    pooled = {r["site"]: r for r in rep["lesions"]["by_site"]}
    chance = rep["lesions"]["chance_of_errors"]
    assert (pooled["I->S"]["semantic_of_errors"] + pooled["I units"]["semantic_of_errors"]) / 2 > 2 * chance["semantic"]
    # removing the whole clean-up costs words: the network relies on it
    assert last.loc["C->S", "correct"] < 0.9 and last.loc["C units", "correct"] < 0.9
    # concreteness effect of damage to the semantic route's input: concrete words survive better
    for site in ("I->S", "I units"):
        assert pooled[site]["correct_concrete"] > pooled[site]["correct_abstract"] + 0.05
    # responses agree with their categories
    wrong = trials[trials["category"].isin(ps.ERROR_TYPES)]
    assert (wrong["response"] != wrong["word"]).all() and (wrong["response"] != "").all()
    assert (trials.loc[trials["category"] == "no_response", "response"] == "").all()


def test_quick_run_settling_rsa(quick_run):
    out, _, rep = quick_run
    r = rep["rsa"]
    n = r["n_permutations"]
    assert n == 200
    base = r["orthography_semantics"]
    assert abs(base["rho"]) < 0.1 and base["p_value"] > 0.05      # spelling and meaning are unrelated
    rows = r["intermediate"]
    assert [x["tick"] for x in rows] == list(range(1, 17))
    for x in rows:
        # the hidden layer resembles both, significantly: it splits the difference
        assert 0.2 < x["rho_orthography"] < 0.8 and 0.3 < x["rho_semantics"] < 0.9
        assert x["p_orthography"] == pytest.approx(1 / (n + 1)) and x["p_semantics"] == pytest.approx(1 / (n + 1))
        assert x["rho_orthography"] > base["rho"] + 0.2 and x["rho_semantics"] > base["rho"] + 0.2
    sem = [x["rho_semantics"] for x in r["semantics_output"]]
    assert sem[0] is None                                 # all words start from the same state
    assert sem[1] < sem[-1] and sem[-1] > 0.99            # the semantic output settles onto the word's meaning
    df = pd.read_csv(out / "rsa.csv")
    np.testing.assert_allclose(df["rho_orthography"], [x["rho_orthography"] for x in rows], rtol=1e-6)
