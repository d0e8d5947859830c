"""Elman (1990), "Finding structure in time": two reproductions with simple recurrent networks.

Both train an SRN (:func:`build_srn`: input -> hidden <- context, hidden -> output,
logistic units, sum-squared error; the context group holds the hidden group's
output of the previous letter, 0.5 before the first) to predict the next letter
of a long stream, with the weights changed after every letter (Elman's
per-event backpropagation, ``TrainingParams.update = "event"``, plain steepest
descent). The streams are from :mod:`pdpsim.datasets.elman`.

- :func:`run_letters` -- *structure in letter sequences*: random consonants
  b, d, g each followed by its fixed vowels (ba, dii, guuu), letters as 6 phonetic
  features; a 6-20-6 SRN (20 context units). After training, the error is low
  on the vowels (predictable from the consonant) and high on the consonants
  (random); even at the consonants, the features all consonants share are
  predicted, so the network has learned to count the vowels.
- :func:`run_segmentation` -- *discovering the notion "word"*: sentences of a
  15-word lexicon run together letter by letter (random 5-bit letter codes); a
  5-20-5 SRN. The error is high at the first letter of a word and falls through
  it, so error peaks mark word boundaries the input never shows.

The prediction error of event i is the root mean squared error over the output
units, ``sqrt(mean_j (o_j - t_j)^2)`` (Elman's "RMS error"); since event i predicts
letter i + 1 the error is reported *at the letter predicted*. Untrained networks
(the same initial weights) give the chance baselines.

``run_letters(out, quick=False, seed=1)`` and ``run_segmentation(...)`` write
figures, ``report.txt`` and ``report.json`` into ``out`` and return the report.
"""
from __future__ import annotations

import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Callable

import numpy as np

from pdpsim.datasets import elman as data
from pdpsim.model.examples import ExampleSet
from pdpsim.model.network import Network
from pdpsim.training.params import TrainingParams
from pdpsim.training.testing import test
from pdpsim.training.loop import train
from pdpsim.dynamics.unfolding import make_srn
from pdpsim.reproductions import Report, out_dir, write_report
from pdpsim.validation import PdpError


# ------------------------------------------------------------------ settings
@dataclass(frozen=True)
class LetterSettings:
    """The letter-sequence run. Elman: 6-20-6 with 20 context units, 200 passes."""

    train_consonants: int = 1000     # ~3000 letters
    test_consonants: int = 1000      # a fresh sequence, different randomization
    hidden: int = 20
    passes: int = 200
    learning_rate: float = 0.1
    momentum: float = 0.0
    init_range: float = 0.1


@dataclass(frozen=True)
class SegmentationSettings:
    """The word-segmentation run. Elman: 5-20-5 with 20 context units, 200 sentences, 10 passes
    (his learning rate is not reported; 0.5 here). ``more_passes``: training goes on to this many
    passes in all and is measured again (0: not)."""

    train_sentences: int = 200       # ~1200 words, ~4400 letters
    test_sentences: int = 200        # fresh sentences from the same grammar
    hidden: int = 20
    passes: int = 10
    learning_rate: float = 0.5
    momentum: float = 0.0
    init_range: float = 0.1
    more_passes: int = 50


#: Elman's (1990) training for the word stream: 10 passes ("trained on 10 complete presentations")
ELMAN_SEGMENTATION_PASSES = 10
#: what Elman reports for the word stream, beside which the report puts pdpsim's numbers
ELMAN_SEGMENTATION_RESULT = ("Elman (1990), 10 passes: the error is high at the first letter of a word and falls "
                             "through it (his figure 6, one stretch of the stream; no fraction of onsets reported)")

LETTERS_FULL = LetterSettings()
LETTERS_QUICK = LetterSettings(train_consonants=300, test_consonants=300, passes=30, learning_rate=0.2)
SEGMENTATION_FULL = SegmentationSettings()
SEGMENTATION_QUICK = SegmentationSettings(train_sentences=100, test_sentences=100, passes=15, learning_rate=0.3,
                                          more_passes=0)


# ------------------------------------------------------------------ network
def build_srn(n_in: int, n_out: int, hidden: int = 20, seed: int | None = 0, init_range: float = 0.1) -> Network:
    """Elman's simple recurrent network: ``n_in`` inputs and ``hidden`` context units
    to ``hidden`` hidden units to ``n_out`` outputs (logistic, sum-squared error, bias
    on hidden and output); the context copies the hidden layer's previous output."""
    net = Network("elman-srn", seed=seed, init_range=init_range)
    net.add_group("input", n_in, kind="INPUT")
    net.add_group("context", hidden, kind="CONTEXT")
    net.add_group("hidden", hidden)
    net.add_group("output", n_out, kind="OUTPUT", error="SUM_SQUARED")
    net.connect("input", "hidden")
    net.connect("context", "hidden")
    net.connect("hidden", "output")
    net.elman_connect("hidden", "context")
    net.connect_bias()
    return make_srn(net)


def prediction_errors(net: Network, examples: ExampleSet) -> tuple[np.ndarray, np.ndarray]:
    """Run the (one-example) stream without learning; per event i (predicting letter
    i + 1): the RMS error over the output units (n,) and each unit's absolute
    error (n, units)."""
    res = test(net, examples)
    o = res.event_outputs["output"][0]
    t = examples.targets["output"][0]
    diff = np.abs(o - t)
    return np.sqrt((diff ** 2).mean(axis=1)), diff


def _train(net: Network, examples: ExampleSet, s) -> tuple[np.ndarray, float]:
    params = TrainingParams(update="event", algorithm="momentum" if s.momentum else "steepest",
                            learning_rate=s.learning_rate, momentum=s.momentum, max_epochs=s.passes,
                            order="ordered")
    t0 = time.perf_counter()
    r = train(net, examples, params)
    return r.errors, time.perf_counter() - t0


def _params_text(s, n_train: int, n_test: int, unit: str) -> str:
    mom = f", momentum {s.momentum:g}" if s.momentum else ""
    return (f"SRN {s.hidden} hidden / {s.hidden} context units; {s.passes} passes through a {n_train}-letter "
            f"{unit}, weights changed after every letter (steepest descent, learning rate {s.learning_rate:g}"
            f"{mom}); initial weights uniform in +-{s.init_range:g}; tested on a fresh {n_test}-letter {unit}")


def mean_interval(values, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and the t interval of the mean over seeds (NaN bounds for one value)."""
    from scipy import stats
    v = np.asarray(values, dtype=float)
    m = float(v.mean())
    if len(v) < 2:
        return m, float("nan"), float("nan")
    if float(v.std()) == 0.0:
        return m, m, m
    lo, hi = stats.t.interval(level, len(v) - 1, loc=m, scale=stats.sem(v))
    return m, float(lo), float(hi)


def _ratio(a: float, b: float) -> float:
    return a / b if b > 0 else float("inf")


# ------------------------------------------------------------------ letters
def letter_metrics(text: str, rms: np.ndarray, abs_err: np.ndarray) -> dict:
    """Errors of a letter stream, grouped by the letter predicted.

    Event 0 (context not yet set) is left out. ``consonant`` / ``vowel``: mean RMS
    error where the letter predicted is a consonant / a vowel; ``first_vowel``: a vowel
    right after its consonant; ``later_vowel``: a second, third or fourth vowel
    (needs the context). ``feature_error_at_consonants``: mean absolute error of each
    feature where a consonant is predicted. ``consonant_floor``: the least mean RMS
    error at consonants any predictor can reach (outputting the mean of b, d, g)."""
    n = len(text)
    nxt = np.array([text[(i + 1) % n] for i in range(n)])
    prev = np.array(list(text))                      # the input letter of each event
    keep = np.arange(n) >= 1
    cons = np.isin(nxt, data.CONSONANTS) & keep
    vow = ~np.isin(nxt, data.CONSONANTS) & keep
    first = vow & np.isin(prev, data.CONSONANTS)
    later = vow & ~np.isin(prev, data.CONSONANTS)
    codes = data.letter_vectors("".join(data.CONSONANTS))
    mean_code = codes.mean(axis=0)
    floor_by = {c: float(np.sqrt(((mean_code - data.letter_vectors(c)[0]) ** 2).mean())) for c in data.CONSONANTS}
    floor = float(np.mean([floor_by[c] for c in nxt[cons]]))
    m = {
        "consonant": float(rms[cons].mean()),
        "vowel": float(rms[vow].mean()),
        "first_vowel": float(rms[first].mean()),
        "later_vowel": float(rms[later].mean()),
        "by_letter": {c: float(rms[(nxt == c) & keep].mean()) for c in data.LETTER_CODES},
        "feature_error_at_consonants": dict(zip(data.LETTER_FEATURES, abs_err[cons].mean(axis=0).tolist())),
        "feature_error_at_vowels": dict(zip(data.LETTER_FEATURES, abs_err[vow].mean(axis=0).tolist())),
        "consonant_floor": floor,
        "n_consonant": int(cons.sum()),
        "n_vowel": int(vow.sum()),
    }
    m["ratio"] = _ratio(m["consonant"], m["vowel"])
    return m


def _letters_figure(text: str, rms: np.ndarray, abs_err: np.ndarray, rms0: np.ndarray, path: Path,
                    start: int, length: int = 36) -> Path:
    from pdpsim.analysis import figures
    plt = figures._plt()
    n = len(text)
    ev = np.arange(start, start + length)
    labels = [text[(i + 1) % n] for i in ev]
    x = np.arange(length)
    fig, axes = plt.subplots(2, 1, figsize=(7.5, 4.6), sharex=True)
    ax = axes[0]
    ax.plot(x, rms0[ev], color="0.65", ls="--", lw=1, marker=".", label="untrained")
    ax.plot(x, rms[ev], color="tab:blue", lw=1.6, marker="o", ms=3.5, label="trained")
    for k, c in enumerate(labels):
        if c in data.CONSONANTS:
            ax.axvspan(k - 0.5, k + 0.5, color="tab:red", alpha=0.08, lw=0)
    ax.set_ylim(0, max(0.68, 1.1 * float(max(rms[ev].max(), rms0[ev].max()))))
    ax.set_ylabel("RMS error")
    ax.set_title("Predicting the next letter (shaded: a consonant is predicted)")
    ax.legend(frameon=False, fontsize=8, ncol=2, loc="upper center")
    ax.grid(alpha=0.3)
    ax = axes[1]
    for j, col in ((0, "tab:green"), (3, "tab:purple")):
        ax.plot(x, abs_err[ev, j], color=col, lw=1.4, marker="o", ms=3, label=f"{data.LETTER_FEATURES[j]} feature")
    for k, c in enumerate(labels):
        if c in data.CONSONANTS:
            ax.axvspan(k - 0.5, k + 0.5, color="tab:red", alpha=0.08, lw=0)
    ax.set_ylabel("|error| of one unit")
    ax.set_ylim(-0.03, 1.03)
    ax.legend(frameon=False, fontsize=8, ncol=2, loc="upper right")
    ax.grid(alpha=0.3)
    ax.set_xticks(x, labels)
    ax.set_xlabel("letter predicted")
    fig.tight_layout()
    return figures.save(fig, path)


def run_letters(out, quick: bool = False, seed: int = 1, echo: Callable[[str], None] | None = print,
                settings: LetterSettings | None = None) -> dict:
    """Elman's letter-sequence simulation; figures and report into ``out``."""
    out = out_dir(out)
    s = settings or (LETTERS_QUICK if quick else LETTERS_FULL)
    rng = np.random.default_rng(seed)
    train_text = data.letter_sequence(s.train_consonants, rng)
    test_text = data.letter_sequence(s.test_consonants, rng)
    xs_train = data.letter_examples(train_text, "letters-train")
    xs_test = data.letter_examples(test_text, "letters-test")
    net = build_srn(6, 6, s.hidden, seed=seed, init_range=s.init_range)
    rms0, abs0 = prediction_errors(net, xs_test)
    before = letter_metrics(test_text, rms0, abs0)
    errors, seconds = _train(net, xs_train, s)
    rms, abs_err = prediction_errors(net, xs_test)
    after = letter_metrics(test_text, rms, abs_err)

    rep = Report(echo)
    rep("Elman (1990), structure in letter sequences: b -> ba, d -> dii, g -> guuu, 6 phonetic features")
    rep(_params_text(s, len(train_text), len(test_text), "sequence") + f" (seed {seed}"
        + (", quick" if quick else "") + ")")
    rep(f"training: sum-squared error per pass {errors[0]:.1f} -> {errors[-1]:.1f} ({seconds:.1f} s)")
    rep("")
    rep("mean RMS error by the letter predicted (test sequence):")
    rep(f"  {'':<22}{'untrained':>10}{'trained':>10}")
    for key, label in (("consonant", "consonant"), ("vowel", "vowel"), ("first_vowel", "  first vowel"),
                       ("later_vowel", "  later vowels")):
        rep(f"  {label:<22}{before[key]:>10.3f}{after[key]:>10.3f}")
    rep(f"  {'consonant / vowel':<22}{before['ratio']:>10.2f}{after['ratio']:>10.2f}")
    rep(f"  least possible error at consonants (outputting the mean of b, d, g): {after['consonant_floor']:.3f}")
    rep("mean |error| of each feature where a consonant is predicted (trained):")
    rep("  " + "  ".join(f"{k} {v:.2f}" for k, v in after["feature_error_at_consonants"].items()))
    rep("  (consonantal, vowel, interrupted, voiced: shared by b, d, g, so predictable once the vowels are")
    rep("   counted; high, back: which consonant comes is random, chance error 0.44)")
    start = 1 + int(np.flatnonzero(np.isin(np.array(list(test_text[2:])), data.CONSONANTS))[0])
    fig = _letters_figure(test_text, rms, abs_err, rms0, out / "letters-error.png", start)
    rep(f"figure: {fig}")
    report = {
        "experiment": "elman-letters", "seed": seed, "quick": quick, "settings": asdict(s),
        "feature_table": {c: list(v) for c, v in data.LETTER_CODES.items()}, "features": list(data.LETTER_FEATURES),
        "train_letters": len(train_text), "test_letters": len(test_text),
        "training_error_per_pass": errors, "training_seconds": seconds,
        "untrained": before, "trained": after, "figures": [fig.name],
    }
    write_report(out, rep.text, report)
    return report


# ------------------------------------------------------------------ words
def segmentation_metrics(stream: data.WordStream, rms: np.ndarray) -> dict:
    """Errors of a word stream at the letter predicted.

    ``onset`` / ``within``: mean RMS error where the letter predicted begins a word /
    continues one; ``by_position``: mean error by position in the word (0 = first
    letter); ``onset_rise``: fraction of word onsets whose error exceeds the error at
    the letter before (the last letter of the previous word); ``onset_peak``: fraction
    of onsets that are local maxima (above the letter before, at least the letter
    after); ``peak_precision``: fraction of all local maxima of the error that fall on
    word onsets; ``onset_by_word`` / ``within_by_word``: mean error at each word's first
    letter / at its other letters."""
    n = len(stream.text)
    j = (np.arange(n) + 1) % n                      # letter predicted by event i
    onset = stream.onset[j]
    pos = stream.position[j]
    keep = (np.arange(n) >= 1) & (np.arange(n) <= n - 2)   # a letter before and after, context set
    prev_e = np.r_[np.nan, rms[:-1]]
    next_e = np.r_[rms[1:], np.nan]
    rise = keep & (rms > prev_e)
    peak = rise & (rms >= next_e)
    ons = keep & onset
    words = np.array(stream.words)[stream.word_index[j]]
    m = {
        "onset": float(rms[ons].mean()),
        "within": float(rms[keep & ~onset].mean()),
        "by_position": [float(rms[keep & (pos == p)].mean()) for p in range(int(pos.max()) + 1)],
        "onset_rise": float(rise[ons].mean()),
        "onset_peak": float(peak[ons].mean()),
        "peak_precision": float(onset[peak].mean()) if peak.any() else float("nan"),
        "onset_by_word": {w: float(rms[ons & (words == w)].mean()) for w in data.LEXICON
                          if (ons & (words == w)).any()},
        "within_by_word": {w: float(rms[keep & ~onset & (words == w)].mean()) for w in data.LEXICON
                           if (keep & ~onset & (words == w)).any()},
        "n_onsets": int(ons.sum()),
        "n_within": int((keep & ~onset).sum()),
    }
    m["ratio"] = _ratio(m["onset"], m["within"])
    return m


def _segmentation_figure(stream: data.WordStream, rms: np.ndarray, rms0: np.ndarray, first: int, path: Path) -> Path:
    """Error at each letter predicted, from letter ``first`` to the end of the stream."""
    from pdpsim.analysis import figures
    plt = figures._plt()
    n = len(stream.text)
    letters = np.arange(first, n)                   # letter j is predicted by event j - 1
    ev = letters - 1
    x = np.arange(len(letters))
    fig, ax = plt.subplots(figsize=(max(7.0, 0.15 * len(x)), 3.4))
    ax.plot(x, rms0[ev], color="0.65", ls="--", lw=1, label="untrained")
    ax.plot(x, rms[ev], color="tab:blue", lw=1.6, marker="o", ms=3, label="trained")
    top = max(float(rms[ev].max()), float(rms0[ev].max())) * 1.12
    for k, jj in enumerate(letters):
        if stream.onset[jj]:
            ax.axvline(k - 0.5, color="tab:red", lw=0.8, alpha=0.5)
            ax.text(k - 0.35, top, stream.words[stream.word_index[jj]], fontsize=7, va="bottom", rotation=0)
    ax.set_ylim(0, top * 1.12)
    ax.set_xticks(x, [stream.text[jj] for jj in letters], fontsize=8)
    ax.set_xlim(-0.8, len(x) - 0.2)
    ax.set_xlabel("letter predicted (red lines: word boundaries, never shown to the network)")
    ax.set_ylabel("RMS error")
    ax.legend(frameon=False, fontsize=8, loc="upper right", bbox_to_anchor=(1.0, 0.9))
    ax.grid(alpha=0.3, axis="y")
    fig.tight_layout()
    return figures.save(fig, path)


def _position_figure(before: dict, after: dict, path: Path) -> Path:
    from pdpsim.analysis import figures
    k = min(len(before["by_position"]), len(after["by_position"]))
    labels = [str(p + 1) for p in range(k)]
    return figures.bar_table(labels, {"untrained": before["by_position"][:k], "trained": after["by_position"][:k]},
                             path, ylabel="mean RMS error", title="Error by letter position in the word (1 = first)")


def _segmentation_seed(seed: int, s: SegmentationSettings, checkpoints: list[int]) -> dict:
    """One seed of the word-segmentation run: streams, network, the test-stream measures untrained
    and after each number of passes in ``checkpoints`` (training continues from one to the next,
    which gives the same weights as one longer run); the training-stream measures and the
    figure's errors after ``s.passes``."""
    rng = np.random.default_rng(seed)
    codes = data.letter_codes_5bit("".join(data.LEXICON), rng)
    train_stream = data.word_stream(data.sentences(s.train_sentences, rng), codes, "words-train")
    test_stream = data.word_stream(data.sentences(s.test_sentences, rng), codes, "words-test")
    # the figure: Elman's Figure 6 sentences, after three sentences that set the context
    fig_sents = data.sentences(3, rng) + [list(x) for x in data.ELMAN_SENTENCES]
    fig_stream = data.word_stream(fig_sents, codes, "words-figure")
    net = build_srn(5, 5, s.hidden, seed=seed, init_range=s.init_range)
    rms0, _ = prediction_errors(net, test_stream.examples)
    before = segmentation_metrics(test_stream, rms0)
    fig0, _ = prediction_errors(net, fig_stream.examples)
    after, errors, seconds, done = {}, [], 0.0, 0
    for c in checkpoints:
        e, sec = _train(net, train_stream.examples, replace(s, passes=c - done))
        errors.append(e)
        seconds += sec
        done = c
        after[c] = segmentation_metrics(test_stream, prediction_errors(net, test_stream.examples)[0])
        if c == s.passes:
            train_after = segmentation_metrics(train_stream, prediction_errors(net, train_stream.examples)[0])
            fig1 = prediction_errors(net, fig_stream.examples)[0]
    return {"seed": seed, "codes": codes, "train_stream": train_stream, "test_stream": test_stream,
            "fig_stream": fig_stream, "fig_first": sum(len(w) for snt in fig_sents[:3] for w in snt),
            "before": before, "after": after, "errors": np.concatenate(errors), "seconds": seconds,
            "train_after": train_after, "fig0": fig0, "fig1": fig1}


def run_segmentation(out, quick: bool = False, seed: int = 1, echo: Callable[[str], None] | None = print,
                     settings: SegmentationSettings | None = None, seeds: int = 1) -> dict:
    """Elman's word-segmentation simulation; figures and report into ``out``.

    Each of ``seeds`` networks (seeds ``seed``, ``seed + 1``, ...; each its own streams, letter codes
    and initial weights) is measured after Elman's 10 passes and after the settings' passes (50);
    the report gives the first seed in detail and, over the seeds, the mean and 95% t interval of
    the fraction of word onsets that are local error peaks, beside Elman's result."""
    if seeds < 1:
        raise PdpError(f"--seeds: expected at least 1, got {seeds}")
    out = out_dir(out)
    s = settings or (SEGMENTATION_QUICK if quick else SEGMENTATION_FULL)
    checkpoints = sorted({min(ELMAN_SEGMENTATION_PASSES, s.passes), s.passes}
                         | ({s.more_passes} if s.more_passes > s.passes else set()))
    runs = [_segmentation_seed(seed + k, s, checkpoints) for k in range(seeds)]
    r0 = runs[0]
    train_stream, test_stream = r0["train_stream"], r0["test_stream"]
    before, after, train_after, errors = r0["before"], r0["after"][s.passes], r0["train_after"], r0["errors"]

    rep = Report(echo)
    rep(f"Elman (1990), discovering the notion 'word': {len(data.LEXICON)}-word lexicon, letters as random 5-bit "
        "vectors, no boundaries")
    rep(f"training stream: {s.train_sentences} sentences, {len(train_stream.words)} words, "
        f"{len(train_stream.text)} letters; test stream: {s.test_sentences} new sentences, "
        f"{len(test_stream.words)} words")
    rep(_params_text(s, len(train_stream.text), len(test_stream.text), "stream") + f" (seed {seed}"
        + (", quick" if quick else "") + ")")
    more = f"; then on to {checkpoints[-1]} passes" if checkpoints[-1] > s.passes else ""
    rep(f"training: sum-squared error per pass {errors[0]:.1f} -> {errors[s.passes - 1]:.1f} after {s.passes}{more} "
        f"({r0['seconds']:.1f} s)")
    rep("")
    rep(f"RMS error at the letter predicted (test stream), after {s.passes} passes:")
    rep(f"  {'':<36}{'untrained':>10}{'trained':>10}")
    rep(f"  {'word-initial letters (mean)':<36}{before['onset']:>10.3f}{after['onset']:>10.3f}")
    rep(f"  {'within-word letters (mean)':<36}{before['within']:>10.3f}{after['within']:>10.3f}")
    rep(f"  {'initial / within':<36}{before['ratio']:>10.2f}{after['ratio']:>10.2f}")
    rep(f"  {'onsets above the letter before':<36}{before['onset_rise']:>10.1%}{after['onset_rise']:>10.1%}")
    rep(f"  {'onsets that are local error peaks':<36}{before['onset_peak']:>10.1%}{after['onset_peak']:>10.1%}")
    rep(f"  {'local error peaks at word onsets':<36}{before['peak_precision']:>10.1%}"
        f"{after['peak_precision']:>10.1%}")
    rep("  by position in the word (trained): "
        + "  ".join(f"{p + 1}: {v:.3f}" for p, v in enumerate(after["by_position"])))
    rep(f"  training stream (trained): initial {train_after['onset']:.3f}, within {train_after['within']:.3f}, "
        f"onset peaks {train_after['onset_peak']:.1%}")
    rep("  mean error at each word's first letter (trained): "
        + ", ".join(f"{w} {v:.2f}" for w, v in sorted(after["onset_by_word"].items(), key=lambda kv: -kv[1])))
    rep("  mean error at the other letters of each word (trained): "
        + ", ".join(f"{w} {v:.2f}" for w, v in sorted(after["within_by_word"].items(), key=lambda kv: -kv[1])))
    rep("")
    names = [str(r["seed"]) for r in runs]
    rep(f"Onsets that are local error peaks (test streams), seed{'s' if seeds > 1 else ''} {', '.join(names)}"
        + ("; mean and 95% t interval over seeds:" if seeds > 1 else ":"))
    summary = {}
    rows = [("untrained", [r["before"] for r in runs])] + [(f"{c} passes", [r["after"][c] for r in runs])
                                                         for c in checkpoints]
    for label, ms in rows:
        for key, fmt in (("onset_peak", "{:.1%}"), ("ratio", "{:.2f}")):
            m, lo, hi = mean_interval([x[key] for x in ms])
            summary.setdefault(label, {})[key] = {"per_seed": [x[key] for x in ms], "mean": m, "low": lo, "high": hi}
        v = summary[label]["onset_peak"]
        line = f"  {label:<10}" + " ".join(f"{x:>6.1%}" for x in v["per_seed"])
        if seeds > 1:
            line += f"   mean {v['mean']:.1%} ({v['low']:.1%}-{v['high']:.1%})"
        line += f"; initial / within {summary[label]['ratio']['mean']:.2f}"
        rep(line)
    rep(f"  paper: {ELMAN_SEGMENTATION_RESULT}")
    f1 = _segmentation_figure(r0["fig_stream"], r0["fig1"], r0["fig0"], r0["fig_first"], out / "segmentation-error.png")
    f2 = _position_figure(before, after, out / "segmentation-position.png")
    rep(f"figures: {f1}, {f2}")
    report = {
        "experiment": "elman-segmentation", "seed": seed, "seeds": [r["seed"] for r in runs], "quick": quick,
        "settings": asdict(s), "elman_passes": ELMAN_SEGMENTATION_PASSES, "paper": ELMAN_SEGMENTATION_RESULT,
        "lexicon": list(data.LEXICON), "letter_codes": {c: v.astype(int).tolist() for c, v in r0["codes"].items()},
        "train_words": len(train_stream.words), "train_letters": len(train_stream.text),
        "test_words": len(test_stream.words), "test_letters": len(test_stream.text),
        "training_error_per_pass": errors, "training_seconds": r0["seconds"],
        "untrained": before, "trained": after, "trained_on_training_stream": train_after,
        "trained_by_passes": {str(c): r0["after"][c] for c in checkpoints},
        "over_seeds": summary,
        "figure_sentences": [" ".join(x) for x in data.ELMAN_SENTENCES], "figures": [f1.name, f2.name],
    }
    write_report(out, rep.text, report)
    return report
