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
# # Lesson 5: what hidden units learn
#
# Hidden units re-represent their inputs. This lesson records what they do while a network
# learns and looks at the *similarity structure* of their patterns: which examples they treat
# as alike. The tools, all in `pdpsim.analysis`:
#
# - `dissimilarity`: the distance between every pair of examples' patterns;
# - `cluster`: a hierarchical clustering of the examples (a dendrogram);
# - `trajectory`: the patterns of many epochs projected into one plane (PCA or MDS);
# - `rsa`: representational similarity analysis, how alike two dissimilarity matrices are.
#
# First XOR, then Rumelhart's semantic network (items such as *pine*, *robin*, *salmon* and
# what is true of them). The semantic network's data set is not shipped with pdpsim (its
# source states no licence): put the folder with its four `sem_*.txt` files in
# `PDPSIM_SEMANTIC_DATA`, or name it `semantic_network` beside this notebook. Without it the
# lesson uses Hinton's family trees (shipped) instead: 24 people in two families.
#
# `PDPSIM_QUICK=1` shortens the training.

# %%
import os

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy.cluster.hierarchy import dendrogram

import pdpsim
from pdpsim import analysis
from pdpsim.reproductions import family_trees, semantic
from pdpsim.teaching.exercises import hidden as ex

QUICK = os.environ.get("PDPSIM_QUICK") == "1"

# %% [markdown]
# ## 1. XOR's hidden units
#
# `pdpsim.record` runs the examples through the network (no learning) and keeps a group's
# activations; `.patterns("hidden")` gives them as an array, one row per example.

# %%
m = pdpsim.load("xor")
xs = m.examples
inputs = xs.inputs["input"][:, 0]
labels = xs.targets["output"][:, 0, 0]
before = pdpsim.record(m.network, xs, "hidden").patterns("hidden")
result = pdpsim.train(m.network, xs, m.training)
after = pdpsim.record(m.network, xs, "hidden").patterns("hidden")
print(f"trained {result.n_epochs} epochs; stopped by {result.stopped}")

for name, patterns in (("inputs", inputs), ("hidden, untrained", before), ("hidden, trained", after)):
    sep = analysis.linear_separability(patterns, labels)["separable"]
    best = analysis.best_linear_accuracy(patterns, labels)
    print(f"{name:18} one line separates the classes: {sep!s:5}  best any line does: {best:.0%}")

# %%
fig, axes = plt.subplots(1, 3, figsize=(10, 3))
for ax, (title, p) in zip(axes[:2], (("input space", inputs), ("hidden space (trained)", after))):
    ax.scatter(p[:, 0], p[:, 1], c=["tab:blue" if t == 0 else "tab:red" for t in labels], s=60)
    for name, (a, b) in zip(xs.names, p):
        ax.annotate(name, (a, b), textcoords="offset points", xytext=(5, 5))
    ax.set_xlim(-0.1, 1.15)
    ax.set_ylim(-0.1, 1.15)
    ax.set_title(title, fontsize=9)
d = analysis.dissimilarity(after, "euclidean")
im = axes[2].imshow(d, cmap="viridis")
axes[2].set_xticks(range(4), xs.names)
axes[2].set_yticks(range(4), xs.names)
axes[2].set_title("hidden dissimilarities (euclidean)", fontsize=9)
fig.colorbar(im, ax=axes[2])
fig.tight_layout()
plt.show()

# %% [markdown]
# Red: target 1; blue: target 0. In the input square no line separates the colours; in the
# hidden square one does.
#
# **Exercise 1.** True or False: after training, one straight line separates XOR's two classes
# in the hidden units' space.

# %%
answer_1 = None
ex.check_answer_1(answer_1)

# %% [markdown]
# ## 2. Recording while a network learns
#
# A `Recorder` is a training callback: every few epochs it runs a set of examples through the
# network (without learning) and keeps the chosen groups' activations. For the semantic
# network we record the *representation* layer's pattern for each of the 8 items; for the
# family trees, the *person code* of each of the 24 people.

# %%
data_dir = os.environ.get(semantic.ENV) or ("semantic_network" if os.path.isdir("semantic_network") else None)
if data_dir:
    d = semantic.load_data(data_dir)
    net, examples, probe = semantic.build_network(d, seed=0), d.examples, d.item_probe()
    group, names = "representation", d.items
    levels = {"domain": d.domain, "basic category": d.basic}
    params = semantic.training_params()
    params.max_epochs = 600 if QUICK else 4000
    every = 50 if QUICK else 20
else:
    print("semantic network data not found: using Hinton's family trees")
    d = family_trees.load_data()
    # small starting weights (+-0.3), so that the people start out alike and differentiate
    net = family_trees.build_network(seed=0, init_range=0.3, data=d)
    examples, probe = d.examples, d.person_probe()
    group, names = "person_code", d.people
    levels = {"nationality": d.nationality, "generation": [str(g) for g in d.generation]}
    params = family_trees.training_params(epochs=300 if QUICK else 3000)
    every = 20
categories = list(levels.values())[-1]

recorder = pdpsim.Recorder(net, probe, [group], every=every)
recorder.capture(0)
result = pdpsim.train(net, examples, params, callbacks=[recorder])
recorder.capture(result.n_epochs)
stack, epochs = recorder.array(group), recorder.epochs
print(f"{result.n_epochs} epochs, error {result.errors[0]:.2f} -> {result.final_error:.3f}; "
      f"recorded {group} at {len(epochs)} epochs: array {stack.shape} (epochs, examples, units)")
recorder.frame().head()        # the same values as a tidy table (epoch, example, group, unit, ...)

# %% [markdown]
# ## 3. Progressive differentiation
#
# `level_distances` gives, for each level of a category hierarchy, the mean distance between
# examples that first differ at that level (the last level: examples that share every label).
# Their growth over the epochs shows which distinctions the representations make, and when.

# %%
curves = np.array([analysis.level_distances(p, list(levels.values())) for p in stack])
level_names = list(levels) + ["item"]
onsets = analysis.onset_epochs(curves, epochs, fraction=0.5)
fig, ax = plt.subplots(figsize=(6, 3))
for k, name in enumerate(level_names):
    line, = ax.plot(epochs, curves[:, k], label=name)
    if np.isfinite(onsets[k]):
        ax.axvline(onsets[k], color=line.get_color(), ls=":")
ax.set_xlabel("epoch")
ax.set_ylabel("mean euclidean distance")
ax.legend(frameon=False, fontsize=8)
plt.show()
print("half-maximum onsets: " + ", ".join(f"{n} epoch {e:g}" for n, e in zip(level_names, onsets)))

# %% [markdown]
# **Exercise 4** (below) asks about this for the semantic network.
#
# ## 4. Dendrograms
#
# `cluster` joins the closest examples first, then the closest clusters, and so on; the height
# of each join is the distance. Three moments of learning, on one scale:

# %%
moments = [0, len(epochs) // 3, len(epochs) - 1]
fig, axes = plt.subplots(1, 3, figsize=(11, 3), sharey=True)
for ax, k in zip(axes, moments):
    tree = analysis.cluster(stack[k], names, "euclidean", "average")
    dendrogram(tree.linkage, labels=tree.names, ax=ax, leaf_rotation=90, leaf_font_size=7)
    ax.set_title(f"epoch {epochs[k]}", fontsize=9)
fig.tight_layout()
plt.show()

# %% [markdown]
# ## 5. Trajectories: MDS and PCA
#
# `trajectory` fits one projection to the patterns of all the recorded epochs together, so a
# position means the same at every epoch: each example traces a path as it learns.

# %%
chosen = np.unique(np.linspace(0, len(epochs) - 1, 4 if QUICK else 25).astype(int))
fig, axes = plt.subplots(1, 2, figsize=(10, 4))
for ax, method in zip(axes, ("pca", "mds")):
    traj = analysis.trajectory(stack[chosen], epochs[chosen], names, method=method, seed=0, n_init=1 if QUICK else 4)
    colours = dict(zip(dict.fromkeys(categories), plt.cm.tab10.colors))
    for i, name in enumerate(names):
        path = traj.coords[:, i]
        ax.plot(path[:, 0], path[:, 1], "-", color=colours[categories[i]], alpha=0.5)
        ax.plot(*path[-1], "o", color=colours[categories[i]])
        ax.annotate(name, path[-1], fontsize=7, textcoords="offset points", xytext=(3, 3))
    ax.set_title(f"{method.upper()} of epochs {epochs[chosen][0]}-{epochs[chosen][-1]}", fontsize=9)
fig.tight_layout()
plt.show()

# %% [markdown]
# ## 6. Representational similarity analysis (RSA)
#
# Two representations of the same examples can be compared through their dissimilarity
# matrices, whatever their units: `rsa` takes the upper triangles of both (each pair of
# examples once) and correlates them, and a permutation test (relabelling the examples) says
# how often chance would do as well. Compare the representations at each epoch with a model
# in which examples of the same category are alike (one column per category label):

# %%
model = pd.get_dummies(pd.DataFrame(levels)).to_numpy(float)
late = analysis.rsa(stack[-1], model, metric="euclidean", n_permutations=100 if QUICK else 1000)
print(f"final representations ~ category model: rho {late.rho:.3f}, p {late.p_value:.3f}")
rhos = [analysis.rsa(p, model, metric="euclidean", n_permutations=1).rho for p in stack[1:]]
fig, ax = plt.subplots(figsize=(6, 3))
ax.plot(epochs[1:], rhos)
ax.set_xlabel("epoch")
ax.set_ylabel("Spearman rho with the model")
plt.show()

# %% [markdown]
# **Exercise 2.** How many distinct pairs (entries of one triangle of the dissimilarity
# matrix) do 8 items have?

# %%
answer_2 = None
ex.check_answer_2(answer_2)

# %% [markdown]
# **Exercise 3.** RSA compares two dissimilarity matrices with which correlation?
#
# (a) Pearson's, on the raw distances &nbsp; (b) Spearman's, on their ranks &nbsp; (c) none: it
# subtracts them

# %%
answer_3 = None
ex.check_answer_3(answer_3)

# %% [markdown]
# **Exercise 4.** In Rumelhart's semantic network, which distinction do the item
# representations make first?
#
# (a) plant vs animal &nbsp; (b) tree vs flower, bird vs fish &nbsp; (c) one item from another

# %%
answer_4 = None
ex.check_answer_4(answer_4)

# %% [markdown]
# *Try it:* record the `hidden` group too (`pdpsim.Recorder(net, probe, [group, "hidden"], ...)`)
# and compare it with the representation layer by RSA, epoch by epoch. The full analysis of
# the semantic network is `pdpsim reproduce semantic --data DIR --out DIR`; `pdpsim record`
# and `pdpsim analyze` do the same for any spec.
