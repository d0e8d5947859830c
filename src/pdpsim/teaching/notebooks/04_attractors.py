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
# # Lesson 4: attractor networks, settling and lesions
#
# Plaut & Shallice (1993) trained a network to map the spelling of 40 words (20 concrete,
# 20 abstract) to their meaning, then damaged it. Its units *settle*: each integrates its
# input over time, $a \leftarrow a + dt\,(f(n) - a)$, and a *clean-up* layer linked both
# ways with the semantic units pulls each pattern into an *attractor*: the meaning of a word.
#
#     orthography (48) -> intermediate (40) <-> semantics (118) <-> clean-up (60)
#
# Damaged, the network makes the errors of patients with *deep dyslexia*: reading TART as
# "flan" (a semantic error) along with visual and mixed errors, and it reads concrete words
# better than abstract ones. The lecture uses the same network for another point: its hidden
# layer "splits the difference" between spelling and meaning.
#
# The full study is `pdpsim reproduce plaut-shallice` (the Plaut & Shallice page of the
# documentation). `PDPSIM_QUICK=1` trains for only a few epochs and makes few lesions.

# %%
import os

import matplotlib.pyplot as plt
import numpy as np

from pdpsim.model.lesion import lesion_links, lesion_units
from pdpsim.reproductions import plaut_shallice as ps
from pdpsim.teaching.exercises import attractors as ex

QUICK = os.environ.get("PDPSIM_QUICK") == "1"
data = ps.load_data()                 # the 40 words, shipped with pdpsim
settings = ps.Settings()
print(f"{len(data)} words; concrete: {', '.join(w for w, c in zip(data.words, data.concrete) if c)}")
print(f"abstract: {', '.join(w for w, c in zip(data.words, data.concrete) if not c)}")
print(f"orthography {data.orthography.shape}, semantics {data.semantics.shape}")

# %% [markdown]
# ## 1. Train the network
#
# Backpropagation through time, the whole set at once, with noise on the intermediate units
# while training (so that the attractor has something to clean up). Training stops when,
# tested without noise, every word is read correctly and every semantic feature is within
# 0.2 of its target at the last tick. A word is *read* as the word whose features are nearest
# (by the cosine) to the semantic output, if that is close enough (`settings.proximity`) and
# clearly nearer than the next word (`settings.gap`).

# %%
print(f"ticks: {settings.ticks} (dt = 1/{settings.ticks_per_interval}, {settings.intervals:g} intervals)")
trained = ps.train_network(data, settings, seed=0, max_epochs=10 if QUICK else None)
net = trained.net
print(f"{trained.epochs} epochs ({trained.seconds:.1f} s); words read correctly: "
      f"{int(trained.reading.correct.sum())} of {len(data)}")

# %% [markdown]
# **Exercise 1.** With dt = 1/4 (4 ticks per interval) and 4 intervals, over how many ticks
# does the network settle?

# %%
answer_1 = None
ex.check_answer_1(answer_1)

# %% [markdown]
# ## 2. Settling
#
# `read_words` runs every word; each group keeps its history over the ticks
# (`output_history`: ticks + 1, words, units). Read the semantic output at every tick:

# %%
ps.read_words(net, data, settings)
history = net.groups["semantics"].output_history
correct = [ps.read_out(history[t], data.semantics, settings.proximity, settings.gap).correct.mean()
           for t in range(history.shape[0])]
proximity = [ps.read_out(history[t], data.semantics, 0.0, 0.0).proximity.mean() for t in range(history.shape[0])]
fig, ax = plt.subplots(figsize=(6, 3))
ax.plot(correct, "o-", label="words read correctly")
ax.plot(proximity, "s--", label="mean proximity of the nearest word")
ax.axvspan(settings.grace * settings.ticks_per_interval + 0.5, settings.ticks + 0.5, color="0.9",
           label="ticks with targets")
ax.set_xlabel("tick")
ax.set_ylim(0, 1.05)
ax.legend(frameon=False, fontsize=8)
plt.show()

# %% [markdown]
# ## 3. Lesions
#
# `pdpsim.model.lesion` removes a random proportion of the links of a block (or of the units of
# a group); each lesion is seeded and undone afterwards. Cut 60% of the clean-up's links back
# to the semantic units and read the words:

# %%
with lesion_links(net, "cleanup->semantics", 0.6, seed=3):
    reading = ps.read_words(net, data, settings)
categories = ps.classify_reading(reading, data)
print(f"read correctly: {categories.count('correct')} of {len(data)}; the others:")
for word, response, category in zip(data.words, reading.response, categories):
    if category not in ("correct", "no_response"):
        print(f"{word:>8} -> {data.words[response]:<8} {category}")
print("no response:", ", ".join(w for w, c in zip(data.words, categories) if c == "no_response") or "none")

# %% [markdown]
# Each wrong response is scored against the data's lists of words close in spelling and close
# in meaning: *visual* (close in spelling only), *semantic* (in meaning only), *mixed* (both),
# *other* (neither).

# %%
print("close in spelling to 'tart':", data.close_orthography["tart"])
print("close in meaning to 'tart':", data.close_semantics["tart"])

# %% [markdown]
# **Exercise 2.** A reader with deep dyslexia (or a lesioned network) reads TART as "flan". What kind of
# error is that?
#
# (a) visual &nbsp; (b) semantic &nbsp; (c) mixed &nbsp; (d) other

# %%
answer_2 = None
ex.check_answer_2(answer_2)

# %% [markdown]
# Now many lesions at every site: each pathway's links and the intermediate and clean-up
# units, at a few severities, several random lesions each. `lesion_study` returns one row per
# word read; `by_site` pools the severities of each site.

# %%
severities = {site: values[::2] for site, values in ps.SEVERITIES.items()}
trials = ps.lesion_study(net, data, settings, severities=severities, n_lesions=1 if QUICK else 10, seed=0)
pooled = ps.by_site(trials)
chance = ps.chance_rates(data)
print(pooled[["site", "correct", "no_response", "visual", "semantic", "mixed", "other",
              "correct_concrete", "correct_abstract"]].round(3).to_string(index=False))
print("if errors were random words:", {k: round(v, 3) for k, v in chance.items()})

# %%
fig, axes = plt.subplots(1, 2, figsize=(10, 3.2))
bottom = np.zeros(len(pooled))
for kind in ps.ERROR_TYPES:
    axes[0].bar(pooled["site"], pooled[f"{kind}_of_errors"].fillna(0), bottom=bottom, label=kind)
    bottom += pooled[f"{kind}_of_errors"].fillna(0).to_numpy()
axes[0].set_ylabel("proportion of the errors")
axes[0].legend(frameon=False, fontsize=7)
x = np.arange(len(pooled))
axes[1].bar(x - 0.2, pooled["correct_concrete"], 0.4, label="concrete")
axes[1].bar(x + 0.2, pooled["correct_abstract"], 0.4, label="abstract")
axes[1].set_xticks(x, pooled["site"])
axes[1].set_ylabel("proportion read correctly")
axes[1].legend(frameon=False, fontsize=7)
fig.tight_layout()
plt.show()

# %% [markdown]
# **Exercise 3.** Which words does damage hurt more (at most lesion sites): concrete or
# abstract?

# %%
answer_3 = None   # a word
ex.check_answer_3(answer_3)

# %% [markdown]
# *Try it:* `lesion_units(net, "cleanup", 0.5, seed=1)` removes half of the clean-up units; use
# it like `lesion_links` above. Which kinds of error does each site make most?
#
# ## 4. "Split the difference"
#
# Spelling and meaning are unrelated in this word set: words that look alike need not mean
# alike. What does the intermediate (hidden) layer's similarity structure follow? At each
# tick, `settling_rsa` compares the 40 words' hidden patterns with their spellings and with
# their meanings (representational similarity analysis: the Spearman correlation of the two
# dissimilarity matrices, with a permutation test; lesson 5 explains it).

# %%
rows = ps.settling_rsa(net, data, settings, n_permutations=10 if QUICK else 200)
base = ps.baseline_rsa(data, settings, n_permutations=10 if QUICK else 200)
ticks = [r["tick"] for r in rows]
fig, ax = plt.subplots(figsize=(6, 3))
ax.plot(ticks, [r["rho_orthography"] for r in rows], "o-", label="hidden ~ spelling")
ax.plot(ticks, [r["rho_semantics"] for r in rows], "s-", label="hidden ~ meaning")
ax.axhline(base["rho"], color="k", ls="--", label="spelling ~ meaning")
ax.set_xlabel("tick")
ax.set_ylabel("Spearman rho")
ax.legend(frameon=False, fontsize=8)
plt.show()

# %% [markdown]
# **Exercise 4.** Spelling and meaning are unrelated in this word set. The hidden
# (intermediate) layer's similarity structure ...
#
# (a) follows spelling only &nbsp; (b) follows meaning only &nbsp; (c) correlates with both:
# it splits the difference

# %%
answer_4 = None
ex.check_answer_4(answer_4)
