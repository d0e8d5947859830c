"""Damage: lesions of links and units, and noise; each seeded and reversible.

A lesion sets a 0/1 mask: a lesioned link's weight is 0 and stays 0 while the
network retrains (the training loop re-applies link masks after each update);
a lesioned unit outputs 0 and passes no derivative back. ``undo()`` gives the
cut links back the weights they had when they were cut (links that survived
keep what retraining made of them), so an undone lesion without retraining
leaves the network exactly as it was::

    with lesion_links(net, "hidden->output", 0.3, seed=1):
        damaged = test(net, xs)          # 30% of the links removed
    intact = test(net, xs)               # and back again
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from pdpsim.model.network import Network
from pdpsim.validation import PdpError, real


@dataclass
class Damage:
    """A reversible change to a network (lesion or noise)."""

    net: Network
    description: str
    _undo: list = field(default_factory=list, repr=False)
    active: bool = True

    def undo(self) -> None:
        """Restore what the damage changed (in reverse order)."""
        if not self.active:
            return
        for f in reversed(self._undo):
            f()
        self.active = False

    def __enter__(self) -> "Damage":
        return self

    def __exit__(self, *exc) -> None:
        self.undo()


def _rng(net: Network, seed):
    return np.random.default_rng(seed) if seed is not None else net.rng


def _proportion(p) -> float:
    return real(p, "lesion proportion", minimum=0.0, maximum=1.0)


def _block(net: Network, name: str):
    if "->" not in name:
        raise PdpError(f"link block '{name}': expected 'source->dest'")
    s, d = (x.strip() for x in name.split("->", 1))
    return net.block(s, d)


def lesion_links(net: Network, block: str, proportion: float, seed: int | None = None) -> Damage:
    """Remove a random ``proportion`` of the links of ``block`` ('source->dest')."""
    b = _block(net, block)
    p = _proportion(proportion)
    shape = b.weights.shape[-2:]
    n = shape[0] * shape[1]
    k = int(round(p * n))
    cut = _rng(net, seed).choice(n, size=k, replace=False)
    mask = np.ones(n)
    mask[cut] = 0.0
    mask = mask.reshape(shape)
    old_w, old_mask, old_change = b.weights.copy(), b.mask, b.last_change.copy()
    b.mask = mask if b.mask is None else b.mask * mask
    b.weights *= b.mask
    b.last_change *= b.mask

    def undo():
        # the cut links get their weights back; the surviving ones keep any retraining
        np.copyto(b.weights, old_w, where=(mask == 0))
        np.copyto(b.last_change, old_change, where=(mask == 0))
        b.mask = old_mask

    return Damage(net, f"lesion {k} of {n} links of {b.name}", [undo])


def lesion_units(net: Network, group: str, proportion: float, seed: int | None = None) -> Damage:
    """Remove a random ``proportion`` of the units of ``group`` (their outputs become 0)."""
    g = net.group(group)
    if g.kind in ("BIAS",):
        raise PdpError(f"group '{group}': the bias cannot be lesioned unit by unit; lesion its links")
    p = _proportion(proportion)
    k = int(round(p * g.size))
    cut = _rng(net, seed).choice(g.size, size=k, replace=False)
    mask = np.ones(g.size)
    mask[cut] = 0.0
    old = g.unit_mask
    g.unit_mask = mask if old is None else old * mask

    def undo():
        g.unit_mask = old

    return Damage(net, f"lesion {k} of {g.size} units of {g.name}", [undo])


def weight_noise(net: Network, sd: float, blocks: list[str] | None = None, seed: int | None = None) -> Damage:
    """Add Gaussian noise (standard deviation ``sd``) to the weights of ``blocks`` (default all)."""
    sd = real(sd, "weight noise sd", minimum=0.0)
    chosen = net.blocks if blocks is None else [_block(net, b) for b in blocks]
    rng = _rng(net, seed)
    saved = [(b, b.weights.copy()) for b in chosen]
    for b in chosen:
        b.weights += rng.normal(0.0, sd, size=b.weights.shape)
        if b.mask is not None:
            b.weights *= b.mask

    def undo():
        for b, w in saved:
            b.weights[...] = w

    return Damage(net, f"weight noise sd {sd:g} on {len(chosen)} blocks", [undo])


def output_noise(net: Network, group: str, sd: float) -> Damage:
    """Add Gaussian noise to ``group``'s outputs (inputs, for an INPUT group) every time it is run."""
    g = net.group(group)
    sd = real(sd, "output noise sd", minimum=0.0)
    old = g.output_noise
    g.output_noise = sd

    def undo():
        g.output_noise = old

    return Damage(net, f"output noise sd {sd:g} on {g.name}", [undo])
