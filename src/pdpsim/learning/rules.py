"""Weight update rules: how dE/dw becomes a weight change.

g is the weight derivative dE/dw summed over the batch, ``prev`` the change last
applied, eps the learning rate, alpha the momentum, d the weight decay. Every
algorithm is the one change :func:`weight_change` with its own eps:

- ``steepest``:        dw = -eps g - d w                    (alpha = 0)
- ``momentum``:        dw = -eps g + alpha prev - d w        (the lecture's momentum descent)
- ``dougs_momentum``:  as momentum with eps times :func:`dougs_scale`: g divided by its norm
  over all blocks when that norm exceeds 1 (Lens's default)
- ``delta_bar_delta``: as momentum with eps times each link's rate factor r (start 1,
  :func:`rate_factor`): r += 0.1 where g and prev have opposite signs (the descent keeps its
  direction), r *= 0.9 otherwise

Weight decay is not scaled by the learning rate (as in Lens). After the change,
weights are clipped to the block's optional [min_weight, max_weight], and
``last_change`` records the change actually applied (after clipping), which is
what momentum remembers. eps, alpha and d are looked up per block, falling back
to the network's values.

The formulas are plain arithmetic in the vocabulary of :mod:`pdpsim.functions.forms`:
the numpy update below, the Array API engine and the compiled kernels (which compile
them for single numbers) all call these three functions.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from pdpsim.functions.forms import maximum, sqrt, where
from pdpsim.model.network import LinkBlock
from pdpsim.validation import PdpError

ALGORITHMS = ("steepest", "momentum", "dougs_momentum", "delta_bar_delta")
_ALIASES = {"steepest_descent": "steepest", "sgd": "steepest", "dougsmomentum": "dougs_momentum",
            "deltabardelta": "delta_bar_delta"}
#: delta-bar-delta's rate increment and decrement (Lens's rateIncrement, rateDecrement)
RATE_INCREMENT, RATE_DECREMENT = 0.1, 0.9


# ---------------------------------------------------------------- the rules (every form)
def descent(g, eps):
    """The step down the gradient: -eps dE/dw."""
    return -(eps * g)


def momentum_term(prev, alpha):
    """Momentum: alpha dw(t-1), the last change again, scaled."""
    return alpha * prev


def decay_term(w, decay):
    """Weight decay: -decay w (not scaled by the learning rate, as in Lens)."""
    return -(decay * w)


def weight_change(g, prev, w, eps, alpha, decay):
    """dw = -eps dE/dw + alpha dw(t-1) - decay w. (A kernel whose alpha or decay is 0 adds only
    the terms that are not.)"""
    return momentum_term(prev, alpha) + descent(g, eps) + decay_term(w, decay)


def dougs_scale(sq_norm):
    """Doug's momentum: the factor on the gradient, 1 / |g| when |g| > 1 (|g|^2 = ``sq_norm``
    over every block), else 1."""
    return where(sq_norm > 1.0, 1.0 / sqrt(maximum(sq_norm, 1.0)), 1.0)


def rate_factor(r, g, prev, increment, decrement):
    """Delta-bar-delta: a link's rate factor grows by ``increment`` while g and the last change
    have opposite signs (the descent keeps its direction) and shrinks by ``decrement`` otherwise."""
    return where(g * prev < 0.0, r + increment, r * decrement)


# ---------------------------------------------------------------- names
def algorithm_name(name: str, where_: str = "algorithm") -> str:
    key = str(name).lower().replace("-", "_")
    key = _ALIASES.get(key.replace("_", ""), _ALIASES.get(key, key))
    if key not in ALGORITHMS:
        raise PdpError(f"{where_}: unknown algorithm {name!r}; expected one of {', '.join(ALGORITHMS)}")
    return key


# ---------------------------------------------------------------- numpy, over a network's blocks
def _apply(b: LinkBlock, dw: np.ndarray) -> None:
    """w += dw; clip, and remember the change actually made (in ``last_change``)."""
    if b.min_weight is None and b.max_weight is None:
        b.last_change[...] = dw
        b.weights += dw
    else:
        new = np.clip(b.weights + dw, b.min_weight, b.max_weight)
        np.subtract(new, b.weights, out=b.last_change)
        b.weights[...] = new


def update_weights(blocks: Sequence[LinkBlock], algorithm: str, learning_rate: float, momentum: float = 0.0,
                   weight_decay: float = 0.0, ensemble_rates: np.ndarray | None = None) -> None:
    """Change every (unfrozen) block's weights from its ``weight_deriv``.

    ``ensemble_rates`` optionally gives one learning rate per ensemble member,
    shape (E,), overriding ``learning_rate`` for blocks without their own.
    The weight derivatives are left as they were (they can still be inspected).
    """
    live = [b for b in blocks if not b.frozen]
    scale = 1.0
    if algorithm == "dougs_momentum":
        if live and live[0].weights.ndim == 3:          # an ensemble: one norm per member
            sq = sum(np.einsum("eij,eij->e", b.weight_deriv, b.weight_deriv) for b in live)
            scale = dougs_scale(sq)[:, None, None]
        else:
            scale = float(dougs_scale(sum(float(np.vdot(b.weight_deriv, b.weight_deriv)) for b in live)))
    use_momentum = algorithm != "steepest"
    for b in live:
        eps = b.learning_rate if b.learning_rate is not None else (
            ensemble_rates[:, None, None] if ensemble_rates is not None else learning_rate)
        alpha = (b.momentum if b.momentum is not None else momentum) if use_momentum else 0.0
        decay = b.weight_decay if b.weight_decay is not None else weight_decay
        g = b.weight_deriv
        if algorithm == "delta_bar_delta":
            r = b.rule_state.get("rate_factor")
            if r is None:
                r = b.rule_state["rate_factor"] = np.ones_like(b.weights)
            r[...] = rate_factor(r, g, b.last_change, RATE_INCREMENT, RATE_DECREMENT)
            eps = eps * r
        elif algorithm == "dougs_momentum":
            eps = eps * scale
        _apply(b, weight_change(g, b.last_change, b.weights, eps, alpha, decay))
