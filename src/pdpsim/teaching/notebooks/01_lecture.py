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
# # Lesson 1: the lecture, run
#
# This notebook runs the backpropagation lecture in pdpsim, in its order:
#
# 1. the pre-lecture quiz: the Hebb rule against the Delta rule on orthogonal, linearly
#    independent and linearly dependent input sets;
# 2. XOR without hidden units (it fails) and with two (it learns);
# 3. the lecture's "really simple example", one training step traced number by number;
# 4. momentum.
#
# Run the cells in order (Shift-Enter). Change the numbers and run them again: nothing can
# break. Each exercise has a cell with `answer_N = None`: put your answer there and run the
# cell; `ex.check_answer_N` tells you whether it is right, or gives a hint.
#
# `PDPSIM_QUICK=1` in the environment shortens the training (the tests use it); the
# numbers are then not the ones the text describes.

# %%
import os

import matplotlib.pyplot as plt
import numpy as np

import pdpsim
from pdpsim.teaching import associators
from pdpsim.teaching.exercises import lecture as ex
from pdpsim.teaching.explain import explain, explain_lecture, lecture_network

QUICK = os.environ.get("PDPSIM_QUICK") == "1"
EPOCHS = 300 if QUICK else None          # None: each spec's own max_epochs
print("quick run" if QUICK else "full run")

# %% [markdown]
# ## 1. The pre-lecture quiz: Hebb against Delta
#
# A *pattern associator* has no hidden units: 8 input units linked straight to 8 linear
# output units. The **Hebb rule** changes each weight by the product of the activities at its
# ends, the target standing in for the output: $\Delta w_{ij} = \epsilon\, a_i t_j$. The
# **Delta rule** changes it by the error: $\Delta w_{ij} = \epsilon (t_j - a_j) a_i$.
#
# pdpsim ships three sets of four input patterns (`pa-orthogonal`, `pa-independent`,
# `pa-dependent`). Here they are, with their dot products (the Gram matrix $X X^T$) and rank:

# %%
for kind in associators.SETS:
    x = associators.associator(kind).examples.inputs["input"][:, 0]
    print(f"{kind}: rank {np.linalg.matrix_rank(x)}")
    print("  patterns:\n" + "\n".join("   " + " ".join(f"{v:+.0f}" for v in row) for row in x))
    print("  dot products:\n" + "\n".join("   " + " ".join(f"{v:4.0f}" for v in row) for row in x @ x.T))

# %% [markdown]
# `associators.quiz()` trains each set with one pass of the Hebb rule and with the Delta rule
# until it stops improving, and compares both with the least error any linear mapping can
# reach (least squares). The last column asks whether one Delta epoch from zero weights
# makes exactly Hebb's weights.

# %%
rows = associators.quiz(delta_epochs=EPOCHS)
print(associators.format_quiz(rows))

fig, ax = plt.subplots(figsize=(6, 3))
x = np.arange(len(rows))
for k, (label, values) in enumerate([("Hebb (one pass)", [r.hebb_error for r in rows]),
                                     ("Delta (trained)", [r.delta_least_error for r in rows]),
                                     ("least possible", [r.least_squares_error for r in rows])]):
    ax.bar(x + (k - 1) * 0.27, np.maximum(values, 1e-12), 0.27, label=label)
ax.set_xticks(x, [r.set for r in rows])
ax.set_yscale("log")
ax.set_ylabel("total error E")
ax.legend(frameon=False, fontsize=8)
plt.show()

# %% [markdown]
# **Exercise 1.** The Delta rule is guaranteed to succeed (reach zero error) when the input
# patterns are ...
#
# (a) orthogonal &nbsp; (b) linearly independent &nbsp; (c) any set of patterns

# %%
answer_1 = None   # "a", "b" or "c"
ex.check_answer_1(answer_1)

# %% [markdown]
# **Exercise 2.** True or False: linear independence and orthogonality mean the same thing.

# %%
answer_2 = None   # True or False
ex.check_answer_2(answer_2)

# %% [markdown]
# **Exercise 3.** The Hebb rule and the Delta rule make the same weights when ...
#
# (a) the inputs are linearly independent &nbsp; (b) the weights start at zero and the
# inputs are orthogonal &nbsp; (c) the learning rate is small enough

# %%
answer_3 = None
ex.check_answer_3(answer_3)

# %% [markdown]
# *Try it:* `associators.quiz(activation="LOGISTIC")` runs the same quiz with logistic output
# units (targets .1/.9). Which answers change?

# %% [markdown]
# ## 2. XOR without hidden units, and with two
#
# `pdpsim.load` builds a shipped spec (a network, its examples and how to train it);
# `pdpsim.train` trains it and `pdpsim.test` runs every example once.

# %%
curves = {}
for name in ("xor-no-hidden", "xor"):
    m = pdpsim.load(name)
    overrides = {} if EPOCHS is None else {"max_epochs": EPOCHS}
    result = pdpsim.train(m.network, m.examples, m.training, **overrides)
    curves[name] = result
    print(f"{name}: {result.n_epochs} epochs, error {result.final_error:.4f}, stopped by {result.stopped}")
    print(pdpsim.test(m.network, m.examples).table().round(3).to_string(index=False))
    if name == "xor":
        xor_model = m

fig, ax = plt.subplots(figsize=(6, 3))
for name, r in curves.items():
    ax.plot(r.epochs, r.errors, label=name)
ax.set_xlabel("epoch")
ax.set_ylabel("total error E")
ax.legend(frameon=False)
plt.show()

# %% [markdown]
# Without hidden units the error sticks: no line through the input square separates
# {01, 10} from {00, 11}. With two hidden units the inputs are *re-represented* so that the
# output unit can separate them (lesson 5 looks at how).
#
# **Exercise 4.** Without hidden units, what does the trained network answer (its output) for
# every XOR input?

# %%
answer_4 = None   # a number
ex.check_answer_4(answer_4)

# %% [markdown]
# ## 3. The worked example, step by step
#
# The lecture's "really simple example": input .03, one hidden unit, one output unit, weights
# $w_1 = .13$ (input to hidden) and $w_2 = .32$ (hidden to output), target 1, learning rate .5,
# logistic units, $E = \frac12 (t - a)^2$. `explain_lecture()` runs one training step through
# pdpsim's own arrays and prints every number, then compares them with the slides.

# %%
explanation = explain_lecture()
print(explanation.text)

# %% [markdown]
# The slides drop the minus sign of $\partial E / \partial a = -(t - a)$. The numbers are also in
# a dict, `explanation.values`:

# %%
for key in ("dE/da[output:0]", "dE/dn[output:0]", "dE/dw[hidden:0->output:0]", "dE/dw[input:0->hidden:0]"):
    print(f"{key:28} {explanation.values[key]: .6g}")

# %% [markdown]
# **Exercise 5.** In the worked example, what is dE/dw1 (the input-to-hidden weight's
# derivative), sign included? Work it out from the chain rule, then compare.

# %%
answer_5 = None   # a number, e.g. -0.0001
ex.check_answer_5(answer_5)

# %% [markdown]
# **Exercise 6.** In the worked example, what is the new w1 after one step of steepest descent
# (eps = .5)?

# %%
answer_6 = None
ex.check_answer_6(answer_6)

# %% [markdown]
# *Try it:* any small network works. Change the input, the weights or the target and trace a
# step (`explain` takes any network and example set; `lecture_network` builds the lecture's):

# %%
net, examples = lecture_network(input_value=1.0, w1=0.5, w2=-0.5, target=0.0)
print(explain(net, examples, 0, pdpsim.TrainingParams(learning_rate=0.1)).text)

# %% [markdown]
# ## 4. Momentum
#
# $\Delta w_{ij}^{[t]} = -\epsilon \frac{\partial E}{\partial w_{ij}} + \alpha\, \Delta w_{ij}^{[t-1]}$:
# each change keeps a fraction $\alpha$ of the last one. Train XOR from the same starting
# weights (the same seed) with and without momentum:

# %%
seeds = range(3) if QUICK else range(10)
max_epochs = 500 if QUICK else 5000
fig, ax = plt.subplots(figsize=(6, 3))
for alpha, colour in ((0.0, "tab:blue"), (0.9, "tab:red")):
    epochs = []
    for seed in seeds:
        m = pdpsim.load("xor", seed=seed)
        r = pdpsim.train(m.network, m.examples, m.training, momentum=alpha, max_epochs=max_epochs)
        epochs.append(r.n_epochs if r.converged else np.nan)
        ax.plot(r.epochs, r.errors, color=colour, alpha=0.5, lw=1,
                label=f"alpha = {alpha}" if seed == 0 else None)
    print(f"momentum {alpha}: learned in {np.sum(np.isfinite(epochs))} of {len(epochs)} runs, "
          f"median {np.nanmedian(epochs) if np.isfinite(epochs).any() else float('nan'):.0f} epochs")
ax.set_xscale("log")
ax.set_xlabel("epoch")
ax.set_ylabel("total error E")
ax.legend(frameon=False)
plt.show()

# %% [markdown]
# **Exercise 7.** With momentum alpha = 0.9 and the same gradient at every step, the weight
# change grows to how many times the change without momentum?

# %%
answer_7 = None
ex.check_answer_7(answer_7)

# %% [markdown]
# *Try it:* rerun the last plot with `alpha = 0.5` and `0.99`, or with a larger learning
# rate (`learning_rate=2.0` in `pdpsim.train`). Lesson 2 does this systematically.
