"""Elman's word segmentation measured after Elman's 10 passes and after pdpsim's 50, over seeds.

Fast: tiny streams. The full-size numbers (docs/elman.md) are pinned by the slow test at the end.
"""
from __future__ import annotations

import json
import math
from dataclasses import replace

import numpy as np
import pytest
from click.testing import CliRunner

from pdpsim.cli.elman import reproduce_elman
from pdpsim.datasets import elman as data
from pdpsim.reproductions import elman

TINY = replace(elman.SEGMENTATION_QUICK, train_sentences=8, test_sentences=8, passes=11)


def test_training_on_from_a_checkpoint_is_one_longer_run():
    """The 10-pass measure is taken on the way to 50: training 2 then 4 more passes gives the
    weights of 6 passes in one go (steepest descent per letter keeps no other state)."""
    def start():
        rng = np.random.default_rng(3)
        codes = data.letter_codes_5bit("".join(data.LEXICON), rng)
        stream = data.word_stream(data.sentences(8, rng), codes)
        return stream, elman.build_srn(5, 5, 20, seed=3)
    s1, a = start()
    elman._train(a, s1.examples, replace(TINY, passes=6))
    s2, b = start()
    elman._train(b, s2.examples, replace(TINY, passes=2))
    elman._train(b, s2.examples, replace(TINY, passes=4))
    assert all(np.array_equal(x.weights, y.weights) for x, y in zip(a.blocks, b.blocks))


def test_segmentation_over_seeds_reports_elmans_passes_and_intervals(tmp_path):
    rep = elman.run_segmentation(tmp_path, seed=4, seeds=2, settings=TINY, echo=None)
    assert rep["seeds"] == [4, 5] and rep["elman_passes"] == 10
    assert set(rep["trained_by_passes"]) == {"10", "11"}
    assert rep["trained"] == rep["trained_by_passes"]["11"]
    for label in ("untrained", "10 passes", "11 passes"):
        v = rep["over_seeds"][label]["onset_peak"]
        assert len(v["per_seed"]) == 2 and v["mean"] == pytest.approx(np.mean(v["per_seed"]))
        assert v["low"] <= v["mean"] <= v["high"]
    # the first seed's detailed numbers are its own column of the summary
    assert rep["over_seeds"]["11 passes"]["onset_peak"]["per_seed"][0] == rep["trained"]["onset_peak"]
    assert rep["over_seeds"]["untrained"]["onset_peak"]["per_seed"][0] == rep["untrained"]["onset_peak"]
    # seed 5 alone is the summary's second column
    one = elman._segmentation_seed(5, TINY, [10, 11])
    assert one["after"][11]["onset_peak"] == rep["over_seeds"]["11 passes"]["onset_peak"]["per_seed"][1]
    assert one["after"][10]["onset_peak"] == rep["over_seeds"]["10 passes"]["onset_peak"]["per_seed"][1]
    assert math.isnan(elman.mean_interval([0.5])[1]) and elman.mean_interval([0.5, 0.5])[1:] == (0.5, 0.5)
    text = (tmp_path / "report.txt").read_text()
    assert "10 passes" in text and "paper: Elman (1990), 10 passes" in text and "95% t interval" in text
    assert json.loads((tmp_path / "report.json").read_text())["seeds"] == [4, 5]


def test_seeds_option():
    r = CliRunner().invoke(reproduce_elman, ["letters", "--out", "x", "--seeds", "2"])
    assert r.exit_code == 2 and "--seeds is for segmentation" in r.output
    r = CliRunner().invoke(reproduce_elman, ["segmentation", "--out", "x", "--seeds", "0"])
    assert r.exit_code == 2
    with pytest.raises(elman.PdpError, match="--seeds"):
        elman.run_segmentation("unused", seeds=0, settings=TINY, echo=None)


@pytest.mark.slow
def test_elmans_ten_passes_full_size():
    """docs/elman.md's numbers: seeds 1-5 of the full-size run after Elman's 10 passes, at the
    default rate 0.5 and at the old rate 0.1 (which needed 50 passes)."""
    def peaks(lr):
        s = replace(elman.SEGMENTATION_FULL, learning_rate=lr, more_passes=0)
        return np.array([elman._segmentation_seed(k, s, [10])["after"][10]["onset_peak"] for k in range(1, 6)])
    fast = peaks(0.5)
    np.testing.assert_allclose(fast, [0.806, 0.745, 0.709, 0.809, 0.793], atol=0.02)
    assert elman.mean_interval(fast)[1] > 0.7
    slow = peaks(0.1)
    np.testing.assert_allclose(slow, [0.682, 0.503, 0.670, 0.707, 0.643], atol=0.02)
    assert slow.mean() < fast.mean() - 0.1
