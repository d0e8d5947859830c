# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Lesson 3: simple recurrent networks
#
# Elman (1990), "Finding structure in time": a network that reads a stream one letter at a
# time and predicts the next letter. Its hidden layer gets, besides the letter, a copy of
# its own previous state (the *context* units), so what it knows about the past can shape
# its prediction. Two of the paper's simulations:
#
# 1. letters: random consonants, each followed by fixed vowels (b -> ba, d -> dii,
#    g -> guuu);
# 2. words: sentences run together letter by letter, with no spaces.
#
# The full reproductions are `pdpsim reproduce elman letters|segmentation` (see the Elman
# page of the documentation). `PDPSIM_QUICK=1` shortens the streams and the training.

# %%
import os

import matplotlib.pyplot as plt
import numpy as np

from pdpsim import TrainingParams, train
from pdpsim.datasets import elman as data
from pdpsim.reproductions import elman
from pdpsim.teaching.exercises import srn as ex

QUICK = os.environ.get("PDPSIM_QUICK") == "1"
SEED = 1
rng = np.random.default_rng(SEED)

# %% [markdown]
# ## 1. Structure in letter sequences
#
# Each letter is a vector of six phonetic features (Elman's Table 1):

# %%
print(f"{'':3}" + "".join(f"{f:>12}" for f in data.LETTER_FEATURES))
for letter, code in data.LETTER_CODES.items():
    print(f"{letter:3}" + "".join(f"{v:>12}" for v in code))

train_text = data.letter_sequence(100 if QUICK else 1000, rng)     # consonants, each replaced by its syllable
test_text = data.letter_sequence(100 if QUICK else 300, rng)       # a fresh stream for testing
print(f"\n{len(train_text)} training letters: {train_text[:60]}...")

# %% [markdown]
# The stream is one example whose events are the letters: event $i$ has letter $i$ as input
# and letter $i+1$ as target. `elman.build_srn` builds the network: 6 inputs and 20 context
# units -> 20 hidden units -> 6 outputs; the context copies the hidden layer's previous output.

# %%
train_set = data.letter_examples(train_text, "train")
test_set = data.letter_examples(test_text, "test")
net = elman.build_srn(6, 6, hidden=20, seed=SEED)
print(net)
rms_untrained, _ = elman.prediction_errors(net, test_set)

# %% [markdown]
# Train: the weights change after every letter (`update="event"`, Elman's per-event
# backpropagation), plain steepest descent. (Elman made 200 passes at a smaller learning
# rate; the reproduction does too.)

# %%
params = TrainingParams(update="event", algorithm="steepest", learning_rate=0.3 if QUICK else 0.2,
                        max_epochs=15 if QUICK else 40)
result = train(net, train_set, params)
print(f"{result.n_epochs} passes, sum-squared error per pass {result.errors[0]:.1f} -> {result.final_error:.1f}")

rms, abs_err = elman.prediction_errors(net, test_set)
m = elman.letter_metrics(test_text, rms, abs_err)
print(f"mean RMS error where a consonant is predicted: {m['consonant']:.3f}   "
      f"(least possible: {m['consonant_floor']:.3f})")
print(f"mean RMS error where a vowel is predicted:     {m['vowel']:.3f}   "
      f"(first vowel {m['first_vowel']:.3f}, later vowels {m['later_vowel']:.3f})")

# %% [markdown]
# The error at each letter of the test stream, labelled by the letter being *predicted*
# (shaded: a consonant comes next):

# %%
start, length = 1, 36
events = np.arange(start, start + length)
labels = [test_text[(i + 1) % len(test_text)] for i in events]
fig, ax = plt.subplots(figsize=(8, 3))
ax.plot(rms_untrained[events], "--", color="0.6", label="untrained")
ax.plot(rms[events], "o-", ms=3, label="trained")
for k, c in enumerate(labels):
    if c in data.CONSONANTS:
        ax.axvspan(k - 0.5, k + 0.5, color="tab:red", alpha=0.1, lw=0)
ax.set_xticks(range(length), labels)
ax.set_xlabel("letter predicted")
ax.set_ylabel("RMS error")
ax.legend(frameon=False, fontsize=8)
plt.show()

# %% [markdown]
# **Exercise 1.** Which letters does the trained network predict well: the consonants or the
# vowels?

# %%
answer_1 = None   # a word
ex.check_answer_1(answer_1)

# %% [markdown]
# Where a consonant comes, the network cannot know *which*; but it can know *that* a
# consonant comes, if it has counted the vowels. The error of each output unit (feature)
# where a consonant is predicted:

# %%
errors = m["feature_error_at_consonants"]
fig, ax = plt.subplots(figsize=(6, 2.5))
ax.bar(list(errors), list(errors.values()))
ax.set_ylabel("mean |error|")
ax.set_title("each feature's error where a consonant is predicted", fontsize=9)
plt.show()

# %% [markdown]
# **Exercise 2.** What is the least mean RMS error any predictor can reach where a consonant
# comes (two decimals)?

# %%
answer_2 = None
ex.check_answer_2(answer_2)

# %% [markdown]
# **Exercise 3.** What do the context units hold when the first letter of a stream comes in?
# (The first paragraph of `help(elman)` says.)

# %%
answer_3 = None
ex.check_answer_3(answer_3)

# %% [markdown]
# ## 2. Discovering the notion "word"
#
# Sentences from a 15-word grammar are run together into one stream of letters, each letter a
# random 5-bit code, with no spaces and no sentence boundaries.

# %%
codes = data.letter_codes_5bit("".join(data.LEXICON), rng)
train_words = data.word_stream(data.sentences(30 if QUICK else 200, rng), codes, "train")
print(f"{len(train_words.words)} words, {len(train_words.text)} letters: {train_words.text[:70]}...")

# the paper's Figure 6 sentences, after three sentences that set the context
context = data.sentences(3, rng)
figure = data.word_stream(context + [list(s) for s in data.ELMAN_SENTENCES], codes, "figure")
first = sum(len(w) for s in context for w in s)

net = elman.build_srn(5, 5, hidden=20, seed=SEED)
before, _ = elman.prediction_errors(net, figure.examples)
params = TrainingParams(update="event", algorithm="steepest", learning_rate=0.3 if QUICK else 0.2,
                        max_epochs=5 if QUICK else 30)
result = train(net, train_words.examples, params)
after, _ = elman.prediction_errors(net, figure.examples)
print(f"{result.n_epochs} passes, error per pass {result.errors[0]:.1f} -> {result.final_error:.1f}")

# %%
letters = np.arange(first, len(figure.text))       # letter j is predicted by event j - 1
fig, ax = plt.subplots(figsize=(10, 3))
ax.plot(before[letters - 1], "--", color="0.6", label="untrained")
ax.plot(after[letters - 1], "o-", ms=3, label="trained")
for k, j in enumerate(letters):
    if figure.onset[j]:
        ax.axvline(k - 0.5, color="tab:red", lw=0.8, alpha=0.5)
        ax.text(k - 0.3, ax.get_ylim()[1] * 0.95, figure.words[figure.word_index[j]], fontsize=7)
ax.set_xticks(range(len(letters)), [figure.text[j] for j in letters], fontsize=7)
ax.set_xlabel("letter predicted (red lines: word boundaries, never shown to the network)")
ax.set_ylabel("RMS error")
ax.legend(frameon=False, fontsize=8, loc="lower right")
plt.show()

seg = elman.segmentation_metrics(figure, after)
print(f"mean error at word-initial letters {seg['onset']:.3f}, within words {seg['within']:.3f}")
print("by position in the word: " + "  ".join(f"{p + 1}: {v:.3f}" for p, v in enumerate(seg["by_position"])))

# %% [markdown]
# **Exercise 4.** In the word stream (no spaces), where does the prediction error peak?
#
# (a) at the last letter of each word &nbsp; (b) at the first letter of each word
# &nbsp; (c) at the vowels

# %%
answer_4 = None
ex.check_answer_4(answer_4)

# %% [markdown]
# *Try it:* train the letter network with fewer hidden units (`hidden=3`, then `hidden=2`):
# can it still count the vowels (the error of the "later vowels")? Train longer, or on a
# longer stream. Elman's full runs: `pdpsim reproduce elman letters --out DIR`.
