"""Elman (1990) reproductions: the streams, the measures, and shortened runs whose bounds
fail if the network learns nothing (an untrained network with the same weights is the baseline)."""
import json
import re

import numpy as np
import pytest
from click.testing import CliRunner

from pdpsim.datasets import elman as data
from pdpsim.cli.elman import reproduce_elman
from pdpsim.reproductions import elman

pytestmark = pytest.mark.slow          # (make test-fast leaves these out)


# ------------------------------------------------------------------ streams
def test_letter_sequence_follows_the_rules():
    rng = np.random.default_rng(0)
    cons = data.consonant_sequence(3000, rng)
    counts = np.array([cons.count(c) for c in "bdg"])
    assert np.all(np.abs(counts - 1000) < 120)              # uniform
    text = data.letter_sequence(200, np.random.default_rng(3))
    assert re.fullmatch(r"(ba|dii|guuu)+", text)
    assert len(re.findall(r"ba|dii|guuu", text)) == 200
    x = data.letter_vectors("bdgaiu")
    assert x.shape == (6, 6) and len({tuple(r) for r in x}) == 6
    assert np.all(x[:3, 0] == 1) and np.all(x[3:, 1] == 1)  # consonantal / vowel
    assert np.all(x[:, 5] == 1)                             # all voiced
    xs = data.letter_examples(text)
    assert len(xs) == 1 and xs.max_events == len(text)
    np.testing.assert_array_equal(xs.targets["output"][0, :-1], xs.inputs["input"][0, 1:])
    np.testing.assert_array_equal(xs.targets["output"][0, -1], xs.inputs["input"][0, 0])   # wraps


def test_word_stream_marks_onsets_and_positions():
    rng = np.random.default_rng(2)
    sents = data.sentences(50, rng)
    assert all(w in data.LEXICON for s in sents for w in s)
    assert all(len(s) >= 2 for s in sents)
    codes = data.letter_codes_5bit("".join(data.LEXICON), rng)
    assert len({tuple(v) for v in codes.values()}) == len(codes)       # distinct codes
    assert all(v.shape == (5,) and set(v) <= {0.0, 1.0} for v in codes.values())
    ws = data.word_stream(sents, codes)
    assert ws.text == "".join(ws.words)
    assert ws.onset.sum() == len(ws.words)
    starts = np.flatnonzero(ws.onset)
    for k, (i, w) in enumerate(zip(starts, ws.words)):
        assert ws.text[i:i + len(w)] == w
        assert list(ws.position[i:i + len(w)]) == list(range(len(w)))
        assert np.all(ws.word_index[i:i + len(w)] == k)
    np.testing.assert_array_equal(ws.examples.inputs["input"][0, 3], codes[ws.text[3]])
    # Elman's Figure 6 sentences are sentences of the grammar's lexicon
    assert all(w in data.LEXICON for s in data.ELMAN_SENTENCES for w in s)


# ------------------------------------------------------------------ measures
def test_letter_metrics_of_the_ideal_predictor_reach_the_floor():
    """Outputs the mean of b, d, g before a consonant and the exact vowel otherwise."""
    text = data.letter_sequence(100, np.random.default_rng(1))
    x = data.letter_vectors(text)
    t = np.roll(x, -1, axis=0)
    mean_c = data.letter_vectors("bdg").mean(0)
    nxt = np.roll(np.array(list(text)), -1)
    o = np.where(np.isin(nxt, list("bdg"))[:, None], mean_c, t)
    abs_err = np.abs(o - t)
    m = elman.letter_metrics(text, np.sqrt((abs_err ** 2).mean(1)), abs_err)
    assert m["vowel"] == 0
    assert m["consonant"] == pytest.approx(m["consonant_floor"])
    assert 0.25 < m["consonant_floor"] < 0.29
    fc = m["feature_error_at_consonants"]
    assert fc["consonantal"] == fc["voiced"] == 0
    assert fc["high"] == pytest.approx(4 / 9, abs=0.08)


def test_segmentation_metrics_on_errors_that_mark_every_onset():
    rng = np.random.default_rng(4)
    codes = data.letter_codes_5bit("".join(data.LEXICON), rng)
    ws = data.word_stream(data.sentences(30, rng), codes)
    n = len(ws.text)
    predicted_onset = ws.onset[(np.arange(n) + 1) % n]
    rms = np.where(predicted_onset, 1.0, 0.1)
    m = elman.segmentation_metrics(ws, rms)
    assert m["onset"] == pytest.approx(1.0) and m["within"] == pytest.approx(0.1)
    assert m["peak_precision"] == 1.0
    assert m["by_position"][0] == pytest.approx(1.0) and max(m["by_position"][1:]) == pytest.approx(0.1)
    # only onsets right after the one-letter word "a" fail to rise above the letter before
    after_a = sum(1 for a, b in zip(ws.words, ws.words[1:]) if a == "a")
    assert m["onset_rise"] == pytest.approx(1 - after_a / m["n_onsets"], abs=2 / m["n_onsets"])


def test_build_srn_shapes():
    net = elman.build_srn(6, 6, 20, seed=0)
    assert [(g.name, g.size, g.kind) for g in net.groups.values()][:4] == [
        ("input", 6, "INPUT"), ("context", 20, "CONTEXT"), ("hidden", 20, "HIDDEN"), ("output", 6, "OUTPUT")]
    assert net.group("context").copy_from is net.group("hidden")
    assert net.time.mode == "srn"


# ------------------------------------------------------------------ shortened runs (through the CLI)
def _run(tmp_path_factory, experiment):
    out = tmp_path_factory.mktemp(experiment)
    r = CliRunner().invoke(reproduce_elman, [experiment, "--out", str(out), "--quick", "--seed", "1"])
    assert r.exit_code == 0, r.output
    return out, r.output, json.loads((out / "report.json").read_text())


@pytest.fixture(scope="module")
def letters(tmp_path_factory):
    return _run(tmp_path_factory, "letters")


@pytest.fixture(scope="module")
def segmentation(tmp_path_factory):
    return _run(tmp_path_factory, "segmentation")


def test_letters_error_low_on_vowels_high_on_consonants(letters):
    out, text, rep = letters
    assert (out / "letters-error.png").stat().st_size > 5000
    assert (out / "report.txt").read_text().strip() in text
    t, u = rep["trained"], rep["untrained"]
    # untrained: no difference between consonants and vowels
    assert 0.85 < u["ratio"] < 1.15 and u["vowel"] > 0.4
    # trained: vowels predicted, consonants not (and no better than chance allows)
    assert t["vowel"] < 0.15 and t["vowel"] < 0.3 * u["vowel"]
    assert t["ratio"] > 3.0
    assert t["later_vowel"] < 0.2                             # the context carries which vowel, and how many
    assert t["consonant"] > 0.9 * t["consonant_floor"]        # the consonant itself stays unpredictable
    assert rep["training_error_per_pass"][-1] < 0.5 * rep["training_error_per_pass"][0]


def test_segmentation_error_peaks_at_word_onsets(segmentation):
    out, text, rep = segmentation
    for f in ("segmentation-error.png", "segmentation-position.png"):
        assert (out / f).stat().st_size > 5000
    t, u = rep["trained"], rep["untrained"]
    assert 0.9 < u["ratio"] < 1.1
    assert t["ratio"] > 1.4
    assert t["onset"] > t["within"] + 0.1
    assert t["onset_peak"] > u["onset_peak"] + 0.15 and t["onset_peak"] > 0.5
    assert t["by_position"][0] > max(t["by_position"][1:4])    # a word's first letter is harder than its 2nd-4th
    assert "word-initial letters" in text


def test_the_command_is_under_reproduce():
    from pdpsim.cli.main import main
    r = CliRunner().invoke(main, ["reproduce", "elman", "words", "--out", "x"])
    assert r.exit_code == 2 and "letters" in r.output
