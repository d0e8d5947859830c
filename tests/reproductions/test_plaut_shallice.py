"""Plaut & Shallice (1993) deep dyslexia: data, scoring, sparse connectivity, intervals over
networks, the report's structure (fast: networks barely trained), and a shortened end-to-end run
through the command line (slow: a network trained to criterion)."""
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from scipy import stats

from pdpsim import PdpError
from pdpsim.cli.main import main
from pdpsim.model.lesion import lesion_links
from pdpsim.reproductions import plaut_shallice as ps
from pdpsim.records.weights import load_weights

CONCRETE = "tart tent face deer coat grin lock rope hare lass flan hind wave flea star reed loon case flag post".split()
ABSTRACT = "tact rent fact deed cost gain lack role hire loss plan hint wage plea stay need loan ease flaw past".split()
SITE_KEYS = ["orthography->intermediate", "intermediate->semantics", "semantics->semantics", "semantics->cleanup",
             "cleanup->semantics", "intermediate units", "cleanup units"]


@pytest.fixture(scope="module")
def data():
    return ps.load_data()


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


# ---------------------------------------------------------------- sparse connectivity
def test_density_mask_kept_through_training(data):
    s = ps.Settings(max_epochs=15, check_every=100)
    net = ps.build_network(data, s, seed=4)
    masks = {}
    for name in ps.BLOCKS:
        b = net.block(*name.split("->"))
        assert b.mask is not None
        frac = b.mask.mean()
        assert 0.2 < frac < 0.3, (name, frac)                  # a random 25% of the possible links
        assert (b.weights[b.mask == 0] == 0).all()
        masks[name] = b.mask.copy()
    assert (np.diag(net.block("semantics", "semantics").mask) == 0).all()   # no unit to itself
    # the same seed draws the same connectivity, another seed another
    again = ps.build_network(data, s, seed=4)
    other = ps.build_network(data, s, seed=5)
    for name in ps.BLOCKS:
        np.testing.assert_array_equal(again.block(*name.split("->")).mask, masks[name])
        assert (other.block(*name.split("->")).mask != masks[name]).any()
    trained = ps.train_network(data, s, seed=4)
    assert trained.epochs == 15
    for name in ps.BLOCKS:
        b = trained.net.block(*name.split("->"))
        np.testing.assert_array_equal(b.mask, masks[name])
        assert (b.weights[masks[name] == 0] == 0).all()         # absent links stay absent
        assert (b.weights[masks[name] == 1] != 0).mean() > 0.99  # present ones learn
    # full connectivity and no lateral links: no masks, no semantics->semantics block
    full = ps.build_network(data, ps.Settings(lateral=False, density={}), seed=4)
    assert all(b.mask is None for b in full.blocks)
    assert "semantics->semantics" not in {b.name for b in full.blocks}
    assert [x[0] for x in ps.sites_of(full)] == ["O->I", "I->S", "S->C", "C->S", "I units", "C units"]
    with pytest.raises(PdpError, match="density of orthography->intermediate"):
        ps.build_network(data, ps.Settings(density={"orthography->intermediate": 0.0}))


# ---------------------------------------------------------------- intervals over networks
def test_mean_interval():
    r = ps.mean_interval([1.0, 2.0, 3.0])
    h = stats.t.ppf(0.975, 2) * 1.0 / np.sqrt(3)               # sd 1
    assert r["mean"] == 2.0 and r["sd"] == 1.0 and r["n"] == 3
    assert r["low"] == pytest.approx(2 - h) and r["high"] == pytest.approx(2 + h)
    assert h == pytest.approx(2.4841, abs=1e-4)
    r = ps.mean_interval([0.5, float("nan"), 0.7, None])      # NaN and None left out
    assert r["n"] == 2 and r["mean"] == pytest.approx(0.6)
    assert r["high"] - r["mean"] == pytest.approx(stats.t.ppf(0.975, 1) * np.std([0.5, 0.7], ddof=1) / np.sqrt(2))
    one = ps.mean_interval([0.4])
    assert one["mean"] == 0.4 and np.isnan(one["low"]) and np.isnan(one["high"])
    assert np.isnan(ps.mean_interval([])["mean"])
    r = ps.mean_interval([0.3] * 5)                              # no spread: a zero-width interval
    assert r["low"] == r["high"] == pytest.approx(0.3)


def _trials(seed_counts):
    """Hand-made trials: {seed: {site: [category, ...]}}, one severity."""
    out = {}
    for sd, per_site in seed_counts.items():
        rows = []
        for site, cats in per_site.items():
            target = {x[0]: x[2] for x in ps.SITES}[site]
            for i, c in enumerate(cats):
                rows.append((site, "links", target, 0.1, 0, f"w{i}", i % 2 == 0, "", c))
        out[sd] = pd.DataFrame(rows, columns=["site", "kind", "target", "severity", "lesion", "word", "concrete",
                                              "response", "category"])
    return out


def test_across_networks_and_pathways():
    t = _trials({0: {"O->I": ["correct"] * 6 + ["visual", "visual", "semantic", "no_response"],
                     "C->S": ["correct"] * 8 + ["semantic", "other"]},
                 1: {"O->I": ["correct"] * 8 + ["visual", "mixed"],
                     "C->S": ["correct"] * 7 + ["semantic", "semantic", "visual"]}})
    pooled = {sd: ps.by_site(df) for sd, df in t.items()}
    sites = ps.across_networks(pooled, {"visual": 0.1, "semantic": 0.1, "mixed": 0.01, "other": 0.79})
    assert list(sites) == ["orthography->intermediate", "cleanup->semantics"]
    oi = sites["orthography->intermediate"]
    assert oi["correct"]["values"] == [0.6, 0.8] and oi["correct"]["mean"] == pytest.approx(0.7)
    assert oi["visual"]["values"] == [0.2, 0.1]
    assert oi["error_counts"] == {"visual": 3, "semantic": 1, "mixed": 1, "other": 0}
    assert oi["explicit_errors"] == {0: 3, 1: 2}
    assert oi["semantic_to_visual"] == pytest.approx(1 / 3)
    assert oi["paper"]["semantic"] is None and oi["paper"]["reason"]
    for e in sites.values():
        assert sum(e[c]["mean"] for c in ps.CATEGORIES) == pytest.approx(1.0)
    cmp = ps.pathway_comparison(pooled)
    # direct (O->I): semantic share of errors 1/3 and 0/2; clean-up (C->S): 1/2 and 2/3
    assert cmp["semantic_of_errors"]["direct"]["values"] == pytest.approx([1 / 3, 0.0])
    assert cmp["semantic_of_errors"]["cleanup"]["values"] == pytest.approx([1 / 2, 2 / 3])
    assert cmp["semantic_of_errors"]["cleanup_minus_direct"]["mean"] == pytest.approx((1 / 6 + 2 / 3) / 2)
    assert cmp["semantic_of_visual_or_semantic"]["direct"]["values"] == pytest.approx([1 / 3, 0.0])
    assert cmp["semantic_of_visual_or_semantic"]["cleanup"]["values"] == pytest.approx([1.0, 2 / 3])
    assert cmp["error_counts"]["cleanup"] == {"visual": 1, "semantic": 3, "mixed": 0, "other": 1}


# ---------------------------------------------------------------- the report (barely trained networks)
@pytest.fixture(scope="module")
def structure_run(tmp_path_factory):
    """The whole run, quick, on two networks trained for only a few epochs: the report's shape."""
    out = tmp_path_factory.mktemp("plaut-structure")
    rep = ps.run(out, quick=True, seeds=[0, 1], settings=ps.Settings(max_epochs=10), echo=None,
                 n_permutations=20)
    return out, rep


def test_report_structure(structure_run):
    out, rep = structure_run
    j = json.loads((out / "report.json").read_text())
    assert j["seeds"] == [0, 1] and set(j["training"]) == {"0", "1"}
    sites = j["lesion_sites"]
    assert list(sites) == list(rep["lesion_sites"]) == SITE_KEYS
    for e in sites.values():
        for c in ("correct", "visual", "semantic", "mixed", "other", "no_response"):
            d = e[c]
            assert set(d) >= {"mean", "low", "high", "n", "values"} and d["n"] == 2 and len(d["values"]) == 2
            assert 0.0 <= d["mean"] <= 1.0
            if d["low"] is not None:
                assert d["low"] <= d["mean"] <= d["high"]
        total = sum(e[c]["mean"] for c in ("correct", "visual", "semantic", "mixed", "other", "no_response"))
        assert total == pytest.approx(1.0)
        for sd in range(2):
            assert sum(e[c]["values"][sd] for c in ps.CATEGORIES) == pytest.approx(1.0)
        assert set(e["paper"]) == {"correct", "visual", "semantic", "mixed", "other", "reason"}
        assert e["readings_per_network"] == 3 * 3 * 40
    assert set(j["pathways"]) >= {"semantic_of_errors", "semantic_of_visual_or_semantic", "error_counts"}
    assert j["paper"]["values"] is None and "clean-up" in j["paper"]["claim"]
    per_tick = j["rsa"]["per_tick"]
    for g in ("intermediate", "cleanup"):
        assert [r["tick"] for r in per_tick[g]] == list(range(1, 17))
        assert per_tick[g][-1]["rho_orthography"]["n"] == 2
    assert set(j["rsa"]["by_network"]) == {"intermediate", "cleanup", "semantics"}
    sites_csv = pd.read_csv(out / "lesion_sites.csv")
    assert sites_csv["target"].tolist() == SITE_KEYS
    np.testing.assert_allclose(sites_csv[list(ps.CATEGORIES)].sum(axis=1), 1.0, rtol=1e-6)
    table = pd.read_csv(out / "lesions.csv")
    assert len(table) == 2 * 7 * 3 and (table["trials"] == 3 * 40).all()
    for name in ("weights.npz", "weights_seed0.npz", "weights_seed1.npz", "trials.csv", "rsa.csv",
                 "lesions_by_site.csv", "error_types.png", "concreteness.png", "rsa_settling.png", "report.txt"):
        assert (out / name).stat().st_size > 0
    text = (out / "report.txt").read_text()
    assert "networks: 2 (seeds 0, 1)" in text and "clean-up (S->C, C->S, C units) vs direct" in text


def test_cli_options(tmp_path, monkeypatch):
    """--seed/--seeds, --lateral, --density and --noise reach run() as seeds and settings."""
    with pytest.raises(PdpError, match="distinct seeds"):
        ps.run(tmp_path, seeds=[1, 1])
    got = {}
    monkeypatch.setattr(ps, "run", lambda out, **kw: got.update(kw))
    ok = CliRunner().invoke(main, ["reproduce", "plaut-shallice", "--out", str(tmp_path), "--seeds", "3",
                                   "--seed", "2", "--no-lateral", "--density", "1", "--noise", "0"])
    assert ok.exit_code == 0, ok.output
    s = got["settings"]
    assert got["seeds"] == [2, 3, 4] and not s.lateral and s.training_noise == 0.0
    assert set(s.density.values()) == {1.0}
    CliRunner().invoke(main, ["reproduce", "plaut-shallice", "--out", str(tmp_path), "--seed", "1", "--seed", "5"])
    assert got["seeds"] == [1, 5] and got["settings"] == ps.Settings()
    bad = CliRunner().invoke(main, ["reproduce", "plaut-shallice", "--out", str(tmp_path), "--seed", "1",
                                    "--seed", "2", "--seeds", "2"])
    assert bad.exit_code == 2 and "--seeds" in bad.output
    for opt in (["--density", "0"], ["--density", "1.5"], ["--noise", "-1"], ["--seeds", "0"]):
        res = CliRunner().invoke(main, ["reproduce", "plaut-shallice", "--out", str(tmp_path), *opt])
        assert res.exit_code == 2 and "Invalid value" in res.output, opt


# ---------------------------------------------------------------- the shortened run (trained)
@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    """One shortened run through the command line: one network trained to criterion (a minute or
    two), 3 severities x 3 lesions per site, 200 permutations."""
    out = tmp_path_factory.mktemp("plaut")
    res = CliRunner().invoke(main, ["reproduce", "plaut-shallice", "--out", str(out), "--quick", "--seed", "0"])
    assert res.exit_code == 0, res.output
    return out, res.output, json.loads((out / "report.json").read_text())


@pytest.mark.slow
def test_quick_run_trains_to_criterion(quick_run, data):
    out, text, rep = quick_run
    tr = rep["training"]["0"]
    assert tr["all_correct"] and tr["min_proximity"] >= 0.8 and tr["min_gap"] >= 0.02
    assert tr["max_deviation"] <= 0.2 and tr["epochs"] < rep["settings"]["max_epochs"]
    assert tr["criterion_epoch"] is not None and tr["criterion_epoch"] <= tr["epochs"]
    # the saved weights read every word again (the same seed draws the same sparse connectivity)
    net = ps.build_network(data, ps.Settings(), seed=0)
    load_weights(net, out / "weights.npz")
    r = ps.read_words(net, data)
    assert r.correct.all()
    # a lesion changes the reading and undoing it restores it exactly
    before = r.semantics.copy()
    with lesion_links(net, "intermediate->semantics", 0.5, seed=1):
        assert not np.allclose(ps.read_words(net, data).semantics, before)
    np.testing.assert_array_equal(ps.read_words(net, data).semantics, before)
    assert "intact: 40/40 correct" in text


@pytest.mark.slow
def test_quick_run_lesions(quick_run):
    out, _, rep = quick_run
    table = pd.read_csv(out / "lesions.csv")
    assert len(table) == 7 * 3 and (table["trials"] == 3 * 40).all()
    np.testing.assert_allclose(table[list(ps.CATEGORIES)].sum(axis=1), 1.0, rtol=1e-6)
    trials = pd.read_csv(out / "trials.csv", keep_default_na=False)
    assert len(trials) == 7 * 3 * 3 * 40
    first = table.groupby("site", sort=False).first()
    last = table.groupby("site", sort=False).last()
    for site in ("O->I", "I->S", "I units"):
        assert last.loc[site, "correct"] < first.loc[site, "correct"]
        assert last.loc[site, "correct"] < 0.8
        assert last.loc[site, ["visual", "semantic", "mixed", "other"]].sum() > 0.03
    sites = rep["lesion_sites"]
    assert list(sites) == SITE_KEYS
    # the clean-up pathway's lesions cost words too, and make explicit errors
    for key in ("cleanup->semantics", "cleanup units"):
        assert sites[key]["correct"]["mean"] < 0.97
    assert sum(sum(sites[k]["error_counts"].values()) for k in ("cleanup->semantics", "cleanup units")) > 0
    # semantic (and mixed) errors beyond chance after damage to the direct pathway
    chance = rep["lesions"]["chance_of_errors"]
    for key in ("intermediate->semantics", "intermediate units"):
        share = sites[key]["of_errors_pooled"]
        assert share["semantic"] > chance["semantic"]
        assert share["semantic"] + share["mixed"] > 1.5 * (chance["semantic"] + chance["mixed"])
    # concreteness effect of damage to the semantic route's input: concrete words survive better
    for key in ("intermediate->semantics", "intermediate units"):
        assert sites[key]["correct_concrete"]["mean"] > sites[key]["correct_abstract"]["mean"] + 0.05
    # responses agree with their categories
    wrong = trials[trials["category"].isin(ps.ERROR_TYPES)]
    assert (wrong["response"] != wrong["word"]).all() and (wrong["response"] != "").all()
    assert (trials.loc[trials["category"] == "no_response", "response"] == "").all()


@pytest.mark.slow
def test_quick_run_settling_rsa(quick_run):
    out, _, rep = quick_run
    r = rep["rsa"]
    n = r["n_permutations"]
    assert n == 200
    base = r["orthography_semantics"]
    assert abs(base["rho"]) < 0.1 and base["p_value"] > 0.05      # spelling and meaning are unrelated
    rows = r["by_network"]["intermediate"]["0"]
    assert [x["tick"] for x in rows] == list(range(1, 17))
    for x in rows:
        # the hidden layer resembles both, significantly: it splits the difference
        assert 0.1 < x["rho_orthography"] < 0.9 and 0.1 < x["rho_semantics"] < 0.9
        assert x["p_orthography"] == pytest.approx(1 / (n + 1)) and x["p_semantics"] == pytest.approx(1 / (n + 1))
        assert x["rho_orthography"] > base["rho"] + 0.1 and x["rho_semantics"] > base["rho"] + 0.1
    sem = [x["rho_semantics"] for x in r["by_network"]["semantics"]["0"]]
    assert sem[0] is None                                 # all words start from the same state
    assert sem[1] < sem[-1] and sem[-1] > 0.99            # the semantic output settles onto the word's meaning
    per_tick = r["per_tick"]["intermediate"]
    assert [x["rho_orthography"]["mean"] for x in per_tick] == pytest.approx([x["rho_orthography"] for x in rows])
    df = pd.read_csv(out / "rsa.csv")
    df = df[df["group"] == "intermediate"]
    np.testing.assert_allclose(df["rho_orthography"], [x["rho_orthography"] for x in rows], rtol=1e-6)
