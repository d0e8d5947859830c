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
# # Lesson 2: the PDP handbook's backpropagation exercises
#
# McClelland & Rumelhart's *Explorations in Parallel Distributed Processing* (1988) teaches
# backpropagation with its `bp` program: a network file (`.net`), a pattern file (`.pat`), a
# weight file (`.wts`) and a script of commands (`.str`). pdpsim reads those files and runs
# the scripts (`pdpsim pdp xor` on the command line; `pdpsim.pdp.script` in Python). This
# lesson works through the handbook's XOR exercise and its 4-2-4 encoder, then studies the
# learning rate and momentum.
#
# `PDPSIM_QUICK=1` in the environment shortens the runs (for the tests).

# %%
import os
import tempfile
from importlib import resources
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import pdpsim
from pdpsim.pdp.script import PdpSession, run_script
from pdpsim.teaching.exercises import handbook as ex
from pdpsim.training import ensemble

QUICK = os.environ.get("PDPSIM_QUICK") == "1"
HANDBOOK = Path(str(resources.files("pdpsim.zoo") / "pdp"))     # the shipped handbook files
WORK = Path(tempfile.mkdtemp(prefix="pdpsim-handbook-"))        # where 'save weights' writes
print(sorted(p.name for p in HANDBOOK.iterdir()))

# %% [markdown]
# ## 1. The handbook's files
#
# The XOR network: 5 units (2 inputs, 2 hidden, 1 output). In the `network:` block each `%r`
# line gives a block of random (`r`) weights: receiving units from, how many, sending units
# from, how many. `biases:` gives the units with a bias.

# %%
for name in ("xor.net", "xor.pat", "xor.str"):
    print(f"---- {name}\n{(HANDBOOK / name).read_text()}")

# %% [markdown]
# The script sets the seed, reads the network (which draws the starting weights from the seed,
# uniform in ±`wrange`/2 = ±0.5), reads the patterns, sets the training parameters, tests all
# patterns (`tall`), trains with the patterns in a new random order each epoch (`ptrain`)
# until the total sum of squares `tss` falls below `ecrit`, and tests again.

# %%
session = run_script("xor", echo=None)   # the handbook's script, as bp runs it (echo=print shows every epoch)
print(f"{session.epochno} epochs, tss {session.tss:.4f}")
session.echo = print
session.tall()

# %% [markdown]
# The session keeps what happened: the error of every epoch, and the pdpsim network the
# `.net` file built (a `pdpsim.Network`, with the handbook's units as groups).

# %%
epochs, tss = np.array(session.history).T
fig, ax = plt.subplots(figsize=(6, 3))
ax.plot(epochs, tss)
ax.axhline(session.vars["ecrit"], color="k", ls=":", label="ecrit")
ax.set_xlabel("epoch")
ax.set_ylabel("tss")
ax.legend(frameon=False)
plt.show()
for block in session.net.blocks:
    print(block.name, np.round(block.weights, 2).tolist())

# %% [markdown]
# `tss` is the handbook's total sum of squares, $\sum (t - a)^2$, with no $\frac12$. pdpsim's
# error is the lecture's $E = \frac12 \sum (t - a)^2$:

# %%
xs = session.patterns.to_examples(session.netfile)
print(f"tss {session.tss:.4f};  pdpsim's E on the same weights {pdpsim.test(session.net, xs).total_error:.4f}")

# %% [markdown]
# **Exercise 1.** The handbook's tss (total sum of squares) is how many times pdpsim's error E?

# %%
answer_1 = None
ex.check_answer_1(answer_1)

# %% [markdown]
# The shipped `xor.wts` holds the weights of a network that has *learned* XOR (the cascade
# script, `pdpsim pdp cascade`, reads them). Load them into a new session and test: compare
# them with the weights printed above.

# %%
trained = PdpSession(echo=print, base_dir=HANDBOOK, out_dir=WORK, seed=1)
trained.execute("get network xor.net  get patterns xor.pat  get weights xor.wts")
trained.tall()
print((HANDBOOK / "xor.wts").read_text().split())

# %% [markdown]
# ## 2. Learning rate and momentum, from the same starting weights
#
# To compare settings fairly, every run should start from the same weights. In `bp`,
# `reset` draws the starting weights again from the same seed (`newstart` takes a new
# seed). Save them too, so that they can be read back with `get weights`:

# %%
s = PdpSession(echo=None, base_dir=HANDBOOK, out_dir=WORK, seed=1)
s.execute("get network xor.net  get patterns xor.pat  save weights xor-start.wts")
print((WORK / "xor-start.wts").read_text())

# %% [markdown]
# **Exercise 2.** What does bp's 'reset' command give the network?
#
# (a) new random weights &nbsp; (b) the same starting weights again (from the same seed)
# &nbsp; (c) all weights zero

# %%
answer_2 = None
ex.check_answer_2(answer_2)

# %% [markdown]
# A small sweep: for each learning rate and momentum, reset, train (`ptrain`, at most
# `nepochs` epochs, until tss < .04) and note how many epochs it took.

# %%
rates = (0.25, 1.0) if QUICK else (0.1, 0.25, 0.5, 1.0, 2.0)
momenta = (0.0, 0.9) if QUICK else (0.0, 0.5, 0.9)
nepochs = 150 if QUICK else 3000
s.execute(f"set nepochs {nepochs}  set ecrit .04  set mode lgrain epoch")
table = np.full((len(momenta), len(rates)), np.nan)
for i, momentum in enumerate(momenta):
    for j, rate in enumerate(rates):
        s.execute(f"reset  set param lrate {rate}  set param momentum {momentum}")
        s.ptrain()
        if s.tss < 0.04:
            table[i, j] = s.epochno
        print(f"lrate {rate:<5} momentum {momentum:<4} epochs {s.epochno:>5}  tss {s.tss:.4f}")

fig, ax = plt.subplots(figsize=(5, 2.5))
im = ax.imshow(table, cmap="viridis_r")
ax.set_xticks(range(len(rates)), rates)
ax.set_yticks(range(len(momenta)), momenta)
ax.set_xlabel("lrate")
ax.set_ylabel("momentum")
for (i, j), v in np.ndenumerate(table):
    ax.text(j, i, "-" if np.isnan(v) else f"{v:.0f}", ha="center", va="center", color="w")
ax.set_title(f"epochs to tss < .04 (-: not in {nepochs})", fontsize=9)
plt.show()

# %% [markdown]
# One start is one sample. XOR's error surface has plateaus and local minima, so whether a
# setting works depends on where it starts. `pdpsim.load_ensemble` builds many networks of a
# spec at once (one per seed) and `ensemble.train` trains them side by side, each with its
# own learning rate, each stopping on its own criterion; the results are those of separate
# runs. (For big studies on many machines, see `pdpsim sweep`.)

# %%
n_seeds = 20 if QUICK else 100
rates = (0.25, 1.0) if QUICK else (0.1, 0.25, 0.5, 1.0, 2.0)
fig, axes = plt.subplots(1, 2, figsize=(8, 3))
for momentum in momenta:
    ens = pdpsim.load_ensemble("xor", seeds=range(n_seeds * len(rates)))
    result = ensemble.train(ens, learning_rates=np.repeat(rates, n_seeds), momentum=momentum,
                            max_epochs=500 if QUICK else 5000)
    runs = result.table()
    summary = runs.groupby("learning_rate").agg(success=("converged", "mean"))
    summary["epochs"] = runs[runs["converged"]].groupby("learning_rate")["epochs"].mean()
    print(f"momentum {momentum}\n{summary.round(2)}\n")
    axes[0].plot(summary.index, summary["success"], "o-", label=f"momentum {momentum}")
    axes[1].plot(summary.index, summary["epochs"], "o-", label=f"momentum {momentum}")
for ax, label in zip(axes, ("proportion learned", "mean epochs (those that learned)")):
    ax.set_xscale("log")
    ax.set_xlabel("learning rate")
    ax.set_ylabel(label)
axes[0].legend(frameon=False, fontsize=8)
fig.tight_layout()
plt.show()

# %% [markdown]
# *Try it:* what happens at a learning rate of 4 or 8? With momentum .99? Change the lists
# above and run the two cells again.
#
# ## 3. The 4-2-4 encoder
#
# Four input units, two hidden units, four output units: the network must copy each of four
# one-unit patterns from input to output through a bottleneck of two units.

# %%
for name in ("424.net", "424.pat", "424.str"):
    print(f"---- {name}\n{(HANDBOOK / name).read_text()}")

# %%
enc = run_script("424", echo=None)
print(f"{enc.epochno} epochs, tss {enc.tss:.4f}")
enc.echo = print
enc.tall()

# %% [markdown]
# What do the two hidden units do with the four patterns? `pdpsim.record` runs the patterns
# through the network and keeps the hidden units' activations:

# %%
xs = enc.patterns.to_examples(enc.netfile)
h = pdpsim.record(enc.net, xs, "hidden").patterns("hidden")
fig, ax = plt.subplots(figsize=(3.2, 3.2))
ax.scatter(h[:, 0], h[:, 1])
for name, (a, b) in zip(xs.names, h):
    ax.annotate(name, (a, b), textcoords="offset points", xytext=(5, 5))
ax.set_xlim(-0.05, 1.05)
ax.set_ylim(-0.05, 1.05)
ax.set_xlabel("hidden unit 1")
ax.set_ylabel("hidden unit 2")
plt.show()

# %% [markdown]
# **Exercise 3.** With 'set mode lgrain pattern', how many times are the 4-2-4 encoder's
# weights changed in 10 epochs (4 patterns)?

# %%
answer_3 = None
ex.check_answer_3(answer_3)

# %% [markdown]
# **Exercise 4.** After training, the 4-2-4 encoder's two hidden units code the four
# patterns ...
#
# (a) as a one-hot code, one unit per pattern &nbsp; (b) each near a different corner of the
# unit square (a binary code) &nbsp; (c) all alike: the output units do the work

# %%
answer_4 = None
ex.check_answer_4(answer_4)

# %% [markdown]
# *Try it:* the 4-2-4 encoder sometimes gets stuck with two patterns sharing a corner. Run it
# from other seeds (`run_script("424", seed=...)` is overridden by the script's own
# `set seed 2`; use a `PdpSession` as in section 2 with `set seed N` before
# `get network 424.net`) and count how often. The shipped spec `encoder-8-3-8` is the larger
# version: `pdpsim.load("encoder-8-3-8")`.
