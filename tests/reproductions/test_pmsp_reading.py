"""PMSP 1996: the Xerion files, reading a pronunciation, scoring nonwords, a shortened run.

The data are not shipped: every test that needs them takes ``shared_data`` (../shared/data,
or $PDPSIM_SHARED/data) and is skipped, saying where it looked, when they are not there.
"""
import json

import numpy as np
import pytest
from click.testing import CliRunner

from pdpsim import PdpError
from pdpsim.cli.main import main
from pdpsim.datasets import pmsp as ds
from pdpsim.reproductions import pmsp
from pdpsim.records.weights import load_weights
from pdpsim.training.loop import train


@pytest.fixture(scope="module")
def folder():
    from conftest import SHARED
    p = SHARED / "data" / "pmsp96_reading"
    if not p.exists():
        pytest.skip(f"PMSP data not found at {p}")
    return p


@pytest.fixture(scope="module")
def data(folder):
    return pmsp.load_data(folder)


def pattern(onset=(), vowel=None, coda=(), value=0.9, rest=0.1):
    """A phoneme pattern with the named units at ``value`` and the others at ``rest``."""
    v = np.full(len(ds.PHONEMES), rest)
    for slot, names in (("onset", onset), ("coda", coda)):
        a, b = ds.PHONEME_SLOTS[slot]
        for n in names:
            v[a + ds.PHONEMES[a:b].index(n)] = value
    if vowel is not None:
        a, b = ds.PHONEME_SLOTS["vowel"]
        v[a + ds.PHONEMES[a:b].index(vowel)] = value
    return v


# ---------------------------------------------------------------- units and decoding (no data)
def test_unit_tables():
    assert len(ds.GRAPHEMES) == 105 and len(ds.PHONEMES) == 61
    assert [b - a for a, b in ds.GRAPHEME_SLOTS.values()] == [30, 27, 48]
    assert [b - a for a, b in ds.PHONEME_SLOTS.values()] == [23, 14, 24]
    assert ds.PHONEMES[45:48] == ("ps", "ks", "ts")


def test_decode_hand_made_patterns():
    # onset and coda: units above 0.5 in the units' order; the vowel: the most active vowel unit
    v = pattern(onset=("s", "p", "l"), vowel="i", coda=("n", "t"))
    assert pmsp.decode(v) == ["splint"]
    assert pmsp.decode_parts(v) == ("spl", "i", "nt")
    v[ds.PHONEMES.index("b")] = 0.5                      # exactly 0.5 is not above 0.5
    v[ds.PHONEME_SLOTS["vowel"][0] + 7] = 0.95            # /A/ beats /i/
    assert pmsp.decode(v) == ["splAnt"]
    # no vowel unit above 0.5: still the most active one
    w = np.zeros(61)
    w[ds.PHONEME_SLOTS["vowel"][0] + 5] = 0.2
    w[ds.PHONEME_SLOTS["vowel"][0] + 6] = 0.3
    assert pmsp.decode(w) == ["^"]
    # coda order: /s/ before /p k t/ unless the cluster unit is on
    assert pmsp.decode(pattern(vowel="@", coda=("s", "k"))) == ["@sk"]
    assert pmsp.decode(pattern(vowel="@", coda=("ks", "s", "k"))) == ["@ks"]
    assert pmsp.decode(pattern(onset=("n",), vowel="e", coda=("ks", "s", "k", "t"))) == ["nekst"]
    assert pmsp.decode(pattern(vowel="@", coda=("ps", "s", "p"))) == ["@ps"]
    assert pmsp.decode(pattern(vowel="i", coda=("ts", "s", "t"))) == ["its"]
    # a cluster unit without its stop or without /s/ reorders nothing and is not a phoneme
    assert pmsp.decode(pattern(vowel="@", coda=("ks", "k"))) == ["@k"]
    assert pmsp.decode(pattern(vowel="@", coda=("ts", "s"))) == ["@s"]
    # several rows at once
    assert pmsp.decode(np.stack([pattern(vowel="a"), pattern(onset=("b",), vowel="O")])) == ["a", "bO"]
    with pytest.raises(PdpError, match="61 values"):
        pmsp.decode_parts(np.zeros(60))


def test_intervals():
    z2 = 1.96 ** 2                                        # all or none right: the bound is n / (n + z^2)
    lo, hi = pmsp.wilson(0, 10)
    assert lo == 0.0 and hi == pytest.approx(z2 / (10 + z2), rel=1e-12)
    lo, hi = pmsp.wilson(43, 43)
    assert hi == 1.0 and lo == pytest.approx(43 / (43 + z2), rel=1e-12)
    lo, hi = pmsp.wilson(20, 40)                          # symmetric about 1/2
    assert lo + hi == pytest.approx(1.0, rel=1e-12) and hi - 0.5 == pytest.approx(
        1.96 * np.sqrt(0.25 / 40 + z2 / 6400) / (1 + z2 / 40), rel=1e-12)
    m = pmsp.mean_interval([1.0, 2.0, 3.0])
    assert m["mean"] == 2.0 and m["sd"] == 1.0
    assert m["high"] - 2.0 == pytest.approx(4.302653 / np.sqrt(3), rel=1e-6)
    cut = pmsp.mean_interval([0.99, 1.0, 1.0], bounds=(0.0, 1.0))
    assert cut["high"] == 1.0 and cut["low"] == pytest.approx(1.0 - 0.01 / 3 - 4.302653 * np.std([0.99, 1, 1], ddof=1) / np.sqrt(3))
    one = pmsp.mean_interval([0.5])
    assert one["mean"] == 0.5 and np.isnan(one["low"]) and one["n"] == 1


def test_frequency_settings():
    """scale (the default, the paper's way): every word every epoch at the paper's rate, each word's
    derivatives times its frequency; sample: words drawn by frequency at the rate of the same expected step."""
    f = np.array([0.5, 0.25, 0.25, 1.0])
    s = pmsp.Settings(learning_rate=0.001)
    assert s.frequency == "scale" and s.rate(f) == 0.001
    p = s.training_params(f, max_epochs=7)
    assert (p.example_frequency, p.order, p.batch_size, p.max_epochs, p.learning_rate) == ("scale", "ordered", 0, 7,
                                                                                          0.001)
    s = pmsp.Settings(learning_rate=0.001, frequency="sample")
    assert s.sampled_learning_rate(f) == pytest.approx(0.001 * 2.0 / 4) and s.rate(f) == s.sampled_learning_rate(f)
    p = s.training_params(np.ones(10), max_epochs=7)
    assert (p.example_frequency, p.order, p.batch_size, p.max_epochs, p.learning_rate) == ("sample", "random", 0, 7,
                                                                                          0.001)
    with pytest.raises(PdpError, match="scale or sample"):
        pmsp.Settings(frequency="weights").training_params(f)


# ---------------------------------------------------------------- the files
def test_xerion_corpus_is_the_compact_corpus(folder):
    c = ds.load_items("corpus", folder)
    xs = ds.load_pmsp(folder)
    assert len(c) == 2998 and c.words == xs.names
    np.testing.assert_array_equal(c.orthography, xs.inputs["orthography"][:, 0])
    np.testing.assert_array_equal(c.phonology, xs.targets["phonology"][:, 0])
    np.testing.assert_allclose(c.freq, xs.frequencies)
    assert c.freq.sum() == pytest.approx(683.4, abs=0.05)          # the paper's summed frequency
    # the files' own comments name the units as the tables do (units never on are not named)
    g_lab, p_lab = c.labels
    assert [i for i, (a, b) in enumerate(zip(g_lab, ds.GRAPHEMES)) if a != b] == [69]
    assert g_lab[69] is None
    named = {u: ds.FILE_LABELS.get(n, n) for u, n in enumerate(ds.PHONEMES)}
    assert [u for u in range(61) if p_lab[u] != named[u]] == [4] and p_lab[4] is None


def test_decoding_reads_every_target(data):
    """The decoding rule turns every target pattern in the files into the file's pronunciation."""
    for items in (data.corpus, data.glushko, data.taraban):
        assert pmsp.decode(items.phonology) == items.phon, items.name


def test_glushko_and_taraban_sets(data):
    g = data.glushko
    assert len(g) == 86 and g.kind.count("GPR") == 43 and g.kind.count("GPE") == 43
    assert g.words[:3] == ["beed", "beld", "bild"] and g.phon[28] == "grUk"
    t = data.taraban
    assert len(t) == 192 and sorted(set(t.kind)) == sorted(f"{f}-{c}" for f in "HL" for c in ("AMB", "E", "R", "RI"))
    # every Taraban word is a corpus word with the same patterns
    where = {k: i for i, k in enumerate(zip(data.corpus.words, data.corpus.phon))}
    idx = [where[k] for k in zip(t.words, t.phon)]
    np.testing.assert_array_equal(data.corpus.orthography[idx], t.orthography)
    # the paper's item data covers the corpus
    assert set(zip(data.corpus.words, data.corpus.phon)) <= set(data.item_data)
    assert data.item_data[("ache", "Ak")]["sim1_error"] == pytest.approx(0.681629)


def test_read_xerion_errors(tmp_path):
    with pytest.raises(PdpError, match="no such file"):
        ds.read_xerion(tmp_path / "none.ex")
    bad = tmp_path / "short.ex"
    bad.write_text("# 0 ba ba 1.0 X\n" + "0 " * 105 + "\n,\n" + "0 " * 60 + "\n;\n")
    with pytest.raises(PdpError, match=r"item 'ba' \(line 1\): 105 grapheme and 60 phoneme values"):
        ds.read_xerion(bad)
    bad.write_text("# 0 ba ba 1.0 X\n" + "0 " * 105 + "\n,\n" + "0 " * 61 + "\n")
    with pytest.raises(PdpError, match="has no ';'"):
        ds.read_xerion(bad)
    bad.write_text("0 1 0\n")
    with pytest.raises(PdpError, match="line 1: expected '# index word"):
        ds.read_xerion(bad)
    with pytest.raises(PdpError, match="unknown PMSP item set"):
        ds.load_items("nothing", tmp_path)
    with pytest.raises(PdpError, match="xerion_glushkoNW-nsyl.ex is missing"):
        ds.data_folder(tmp_path)


def test_data_folder(folder, monkeypatch):
    monkeypatch.delenv("PDPSIM_PMSP_DATA", raising=False)
    with pytest.raises(PdpError, match="PMSP data were not found: give --data"):
        ds.data_folder()
    assert ds.data_folder(folder.parent) == folder == ds.data_folder(folder)
    monkeypatch.setenv("PDPSIM_PMSP_DATA", str(folder.parent))
    assert ds.data_folder() == folder


# ---------------------------------------------------------------- scoring
def test_homographs_read_either_way(data):
    c = data.corpus
    rows = {c.phon[i]: i for i, w in enumerate(c.words) if w == "bass"}
    assert sorted(rows) == ["b@s", "bAs"]
    vowel = {p: ds.PHONEME_SLOTS["vowel"][0] + i for i, p in enumerate(ds.PHONEMES[23:37])}
    out = c.phonology.copy()
    out[rows["b@s"]] = c.phonology[rows["bAs"]]          # both entries read /bAs/
    read, ok = pmsp.words_read_correctly(out, c)
    assert ok.all() and read[rows["b@s"]] == "bAs"
    out[rows["bAs"], vowel["@"]] = 5.0                   # and /b@s/ for the other: right too
    read, ok = pmsp.words_read_correctly(out, c)
    assert read[rows["bAs"]] == "b@s" and ok.all()
    out[rows["bAs"], vowel["e"]] = 9.0                   # /bes/ is no pronunciation of "bass"
    read, ok = pmsp.words_read_correctly(out, c)
    assert read[rows["bAs"]] == "bes" and not ok[rows["bAs"]] and ok.sum() == len(c) - 1


def test_nonword_scoring_rules(data):
    g = data.glushko
    i = g.words.index("grook")                           # inconsistent: book /buk/ but spook /spUk/
    assert g.kind[i] == "GPE" and g.phon[i] == "grUk"
    bodies = data.bodies[pmsp.body_key(g.orthography[i])]
    assert {"Uk", "uk"} <= bodies
    one = g.select([i])

    def score(**kw):
        s = pmsp.score_nonwords(pattern(**kw)[None], one, data.bodies)
        return s.read[0], bool(s.regular[0]), bool(s.acceptable[0])

    assert score(onset=("g", "r"), vowel="U", coda=("k",)) == ("grUk", True, True)      # regular
    assert score(onset=("g", "r"), vowel="u", coda=("k",)) == ("gruk", False, True)     # as in "book"
    assert score(onset=("g", "r"), vowel="^", coda=("k",)) == ("gr^k", False, False)    # no "ook" word says /^k/
    assert score(onset=("b", "r"), vowel="u", coda=("k",)) == ("bruk", False, False)    # wrong onset
    assert score(onset=("g", "r"), vowel="u", coda=("k", "t")) == ("grukt", False, False)
    # a consistent nonword: only its one body pronunciation
    j = g.words.index("beed")
    assert g.kind[j] == "GPR" and data.bodies[pmsp.body_key(g.orthography[j])] == {"Ed"}
    s = pmsp.score_nonwords(np.stack([g.phonology[j], pattern(onset=("b",), vowel="e", coda=("d",))]),
                            g.select([j, j]), data.bodies)
    assert s.read == ["bEd", "bed"] and s.regular.tolist() == [True, False] and s.acceptable.tolist() == [True, False]


def test_perfect_outputs_score_perfectly(data):
    """Outputs equal to the targets: every word right, every nonword regular; the cell errors are
    the cross-entropy of the targets themselves, 0."""
    _, ok = pmsp.words_read_correctly(data.corpus.phonology, data.corpus)
    assert ok.all()
    s = pmsp.score_nonwords(data.glushko.phonology, data.glushko, data.bodies)
    assert s.regular.all() and s.acceptable.all()


# ---------------------------------------------------------------- training
def test_training_is_reproducible_from_a_seed(data):
    small = pmsp._quick_subset(data, 250, 0)
    s = pmsp.Settings(hidden=20, max_epochs=6, paper_epochs=4, check_every=2)
    a = pmsp.train_network(small, s, seed=3)
    b = pmsp.train_network(small, s, seed=3)
    c = pmsp.train_network(small, s, seed=4)
    assert a.epochs == 6 and [e for e, _ in a.history] == [2, 4, 6]
    np.testing.assert_array_equal(a.errors, b.errors)
    for x, y, z in zip(a.net.blocks, b.net.blocks, c.net.blocks):
        np.testing.assert_array_equal(x.weights, y.weights)
        assert not np.array_equal(x.weights, z.weights)
    assert a.at_paper_epochs is not None and 0 <= a.at_paper_epochs["words_correct"] <= 1


def test_scaled_training_is_training_on_copies(data):
    """With frequency scale, a word of frequency k trains as k copies of it (frequencies 1-3 here):
    the same errors and weights after a few full-batch epochs of the PMSP network."""
    small = pmsp._quick_subset(data, 40, 0)
    idx = np.arange(len(small.corpus))
    freq = 1 + idx % 3
    xs = small.corpus.examples()
    xs.frequencies = freq.astype(float)
    copies = small.corpus.examples().subset(np.repeat(idx, freq))
    copies.frequencies = np.ones(len(copies))
    s = pmsp.Settings(hidden=10, init_range=1.0)
    a, b = pmsp.build_network(s, seed=1), pmsp.build_network(s, seed=1)
    ra = train(a, xs, s.training_params(xs.frequencies, max_epochs=5))
    rb = train(b, copies, pmsp.Settings(hidden=10, frequency="scale").training_params(copies.frequencies,
                                                                                      max_epochs=5))
    np.testing.assert_allclose(ra.errors, rb.errors, rtol=1e-9)
    for x, y in zip(a.blocks, b.blocks):
        np.testing.assert_allclose(x.weights, y.weights, rtol=0, atol=1e-9)


@pytest.mark.slow
def test_quick_run_through_the_command_line(folder, tmp_path):
    out = tmp_path / "pmsp"
    res = CliRunner().invoke(main, ["reproduce", "pmsp", "--data", str(folder), "--out", str(out), "--quick",
                                    "--seed", "0", "--epochs", "30"])
    assert res.exit_code == 0, res.output
    rep = json.loads((out / "report.json").read_text())
    for k in ("words_correct", "glushko_consistent_correct", "glushko_inconsistent_correct",
              "glushko_consistent_regular", "glushko_inconsistent_regular"):
        assert 0.0 <= rep[k] <= 1.0, k
        assert rep[k] == rep["summary"][k]["per_seed"][0]
    assert rep["glushko_consistent_regular"] <= rep["glushko_consistent_correct"]
    assert rep["glushko_inconsistent_regular"] <= rep["glushko_inconsistent_correct"]
    assert rep["paper"]["glushko_consistent_correct"] == 0.977 and rep["paper"]["glushko_inconsistent_correct"] == 0.72
    assert rep["seeds"] == [0] and rep["quick"] is True and rep["words"] == 400 and rep["epochs"] == [30]
    assert rep["frequency"] == "scale" and rep["learning_rate_used"] == 0.001 and rep["sampled_learning_rate"] is None
    counts = rep["per_seed"]["0"]["glushko_counts"]
    assert counts["consistent"] == counts["inconsistent"] == 43
    assert rep["glushko_consistent_correct"] == counts["consistent_acceptable"] / 43
    lo, hi = rep["per_seed_wilson"]["0"]["words_correct"]
    assert lo <= rep["words_correct"] <= hi
    cells = rep["per_seed"]["0"]["taraban"]
    assert len(cells) == 8 and all(c["n"] == 24 and c["error"] > 0 for c in cells.values())
    assert rep["paper"]["taraban_error"]["L-E"] > rep["paper"]["taraban_error"]["L-R"]
    assert rep["at_paper_epochs"]["epochs"] == 30 and "0" in rep["at_paper_epochs"]["per_seed"]
    for f in rep["figures"] + ["report.txt", "words.csv", "nonwords.csv", "taraban.csv", "weights-seed0.npz"]:
        assert (out / f).stat().st_size > 0, f
    assert (out / "nonwords.csv").read_text().count("\n") == 87
    # the saved weights are the trained network's: reading with them gives the reported words
    net = pmsp.build_network(seed=99)
    load_weights(net, out / "weights-seed0.npz")
    small = pmsp._quick_subset(pmsp.load_data(folder), 400, 0)
    assert pmsp.evaluate(net, small)["words_correct"] == rep["words_correct"]
    assert "words read correctly" in res.output


def test_sampling_by_frequency_from_the_command_line(folder, tmp_path):
    """--frequency sample: words drawn by frequency, at the paper's rate times (summed frequency / words)."""
    out = tmp_path / "pmsp"
    res = CliRunner().invoke(main, ["reproduce", "pmsp", "--data", str(folder), "--out", str(out), "--quick",
                                    "--epochs", "2", "--frequency", "sample"])
    assert res.exit_code == 0, res.output
    rep = json.loads((out / "report.json").read_text())
    assert rep["frequency"] == "sample" and rep["settings"]["frequency"] == "sample" and rep["epochs"] == [2]
    assert rep["learning_rate_used"] == rep["sampled_learning_rate"] == pytest.approx(
        0.001 * rep["summed_frequency"] / rep["words"])
    assert "words drawn in proportion to frequency" in res.output


def test_run_refuses_bad_arguments(folder, tmp_path):
    with pytest.raises(PdpError, match="--seeds"):
        pmsp.run(tmp_path, seeds=[1, 1], data_dir=folder, echo=None)
    with pytest.raises(PdpError, match="--epochs"):
        pmsp.run(tmp_path, seeds=[0], data_dir=folder, max_epochs=0, echo=None)
