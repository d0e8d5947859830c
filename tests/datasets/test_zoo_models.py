"""The classic models shipped as specs (pdpsim list): each trains to its known result."""
from pathlib import Path

import numpy as np
import pytest

import pdpsim
from pdpsim.datasets import classic as datasets


def test_family_trees_spec_learns_every_fact():
    from pdpsim.reproductions.family_trees import load_data, correct
    m = pdpsim.load("family-trees")
    assert [g.size for g in m.network.groups.values()] == [24, 12, 6, 6, 12, 6, 24, 1]
    pdpsim.train(m.network, m.examples, m.training)                    # 3000 epochs, full batch
    res = pdpsim.test(m.network, m.examples)
    assert correct(res.outputs["patient"], load_data().answers).sum() == 104


def test_dyslexia_attractor_spec_settles_onto_each_meaning():
    m = pdpsim.load("dyslexia-attractor")
    assert m.network.time.ticks_per_interval == 4 and m.network.time.intervals == 4
    r = pdpsim.train(m.network, m.examples, m.training)
    assert r.stopped == "output_criterion"                             # every output within 0.2 (ticks 9-16)
    res = pdpsim.test(m.network, m.examples)
    out, tg = res.outputs["semantics"], m.examples.targets["semantics"][:, 0]
    cos = (out @ tg.T) / np.linalg.norm(out, axis=1)[:, None] / np.linalg.norm(tg, axis=1)[None]
    assert (cos.argmax(axis=1) == np.arange(40)).all()                 # each word read as itself
    early = m.network.groups["semantics"].output_history[2]            # tick 2: not settled yet
    assert np.abs(early - tg).mean() > 3 * np.abs(out - tg).mean()


@pytest.mark.slow
def test_elman_letters_spec_predicts_vowels_not_consonants():
    from pdpsim.datasets.elman import letter_sequence
    from pdpsim.reproductions.elman import prediction_errors
    m = pdpsim.load("elman-letters")
    pdpsim.train(m.network, m.examples, m.training)
    rms, _ = prediction_errors(m.network, datasets.elman_letters(300, seed=1))
    s = letter_sequence(300, np.random.default_rng(1))
    vowel_next = np.isin(list(s[1:] + s[0]), list("aiu"))
    assert rms[vowel_next].mean() < 0.15 < 0.25 < rms[~vowel_next].mean()


def test_generators_for_the_classic_sets():
    ft = datasets.generate("family_trees")
    assert len(ft) == 104 and set(ft.inputs) == {"person", "relation"}
    np.testing.assert_allclose(ft.targets["patient"][:, 0].sum(axis=1), 1.0)
    dd = datasets.generate("deep_dyslexia")
    assert len(dd) == 40 and dd.inputs["orthography"].shape[-1] == 48 and dd.targets["semantics"].shape[-1] == 118
    el = datasets.generate("elman_letters", consonants=10, seed=3)
    assert len(el) == 1 and el.n_events[0] >= 20                         # ba/dii/guuu: 2-4 letters each
    with pytest.raises(pdpsim.PdpError, match="consonants"):
        datasets.generate("elman_letters", consonants=0)


@pytest.mark.parametrize("kind,hebb_error", [("orthogonal", 0.0), ("independent", 5.5)])
def test_pattern_associator_specs_hebb_instructions(kind, hebb_error):
    """The shipped pattern-associator specs say how to run the Hebb rule (one pass, eps = 1/|x|^2);
    done as they say, it gives the quiz's Hebb errors, and more epochs only grow the weights."""
    import re
    text = (Path(pdpsim.__file__).parent / "zoo" / f"pa-{kind}.yaml").read_text()
    m = re.search(r"training: \{rule: hebb, learning_rate: ([0-9.]+), max_epochs: (\d+)\}", text)
    assert m, "the comment gives the Hebb settings"
    spec = pdpsim.load(f"pa-{kind}")
    pdpsim.train(spec.network, spec.examples, spec.training, rule="hebb", learning_rate=float(m.group(1)),
                 max_epochs=int(m.group(2)))
    assert pdpsim.test(spec.network, spec.examples).total_error == pytest.approx(hebb_error, abs=1e-9)
    again = pdpsim.load(f"pa-{kind}")
    pdpsim.train(again.network, again.examples, again.training, rule="hebb", learning_rate=float(m.group(1)),
                 max_epochs=20, error_criterion=None)
    assert pdpsim.test(again.network, again.examples).total_error > 100 * (hebb_error + 1)
