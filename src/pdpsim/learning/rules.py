"""Weight update rules: how dE/dw becomes a weight change.

g is the weight derivative dE/dw summed over the batch, ``prev`` the change
last applied, eps the learning rate, alpha the momentum, d the weight decay:

- ``steepest``:       dw = -eps g - d w
- ``momentum``:       dw = -eps g + alpha prev - d w          (the lecture's momentum descent)
- ``dougs_momentum``: as momentum, with g first divided by its norm over all
  blocks when that norm exceeds 1 (Lens's default)
- ``delta_bar_delta``: each link keeps a rate factor r (start 1): r += 0.1 where
  g and prev have opposite signs (the descent keeps its direction), r *= 0.9 otherwise; dw = -r eps g + alpha prev - d w

Weight decay is not scaled by the learning rate (as in Lens). After the change,
weights are clipped to the block's optional [min_weight, max_weight], and
``last_change`` records the change actually applied (after clipping), which is
what momentum remembers. eps, alpha and d are looked up per block, falling back
to the network's values.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from pdpsim.model.network import LinkBlock
from pdpsim.validation import PdpError

ALGORITHMS = ("steepest", "momentum", "dougs_momentum", "delta_bar_delta")
_ALIASES = {"steepest_descent": "steepest", "sgd": "steepest", "dougsmomentum": "dougs_momentum",
            "deltabardelta": "delta_bar_delta"}


def algorithm_name(name: str, where: str = "algorithm") -> str:
    key = str(name).lower().replace("-", "_")
    key = _ALIASES.get(key.replace("_", ""), _ALIASES.get(key, key))
    if key not in ALGORITHMS:
        raise PdpError(f"{where}: unknown algorithm {name!r}; expected one of {', '.join(ALGORITHMS)}")
    return key


def _apply(b: LinkBlock) -> None:
    """w += dw (dw already in ``last_change``); clip, and remember the change actually made."""
    if b.min_weight is None and b.max_weight is None:
        b.weights += b.last_change
    else:
        old = b.weights.copy()
        b.weights += b.last_change
        np.clip(b.weights, b.min_weight, b.max_weight, out=b.weights)
        np.subtract(b.weights, old, out=b.last_change)


def _nonzero(x) -> bool:
    return bool(np.any(x != 0)) if isinstance(x, np.ndarray) else x != 0


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
        if live and live[0].weights.ndim == 3:
            sq = sum(np.einsum("eij,eij->e", b.weight_deriv, b.weight_deriv) for b in live)
            norm = np.sqrt(sq)
            scale = np.where(norm > 1.0, 1.0 / np.where(norm > 0, norm, 1.0), 1.0)[:, None, None]
        else:
            norm = float(np.sqrt(sum(float(np.vdot(b.weight_deriv, b.weight_deriv)) for b in live)))
            scale = 1.0 / norm if norm > 1.0 else 1.0
    use_momentum = algorithm != "steepest"
    for b in live:
        eps = b.learning_rate if b.learning_rate is not None else (
            ensemble_rates[:, None, None] if ensemble_rates is not None else learning_rate)
        alpha = b.momentum if b.momentum is not None else momentum
        decay = b.weight_decay if b.weight_decay is not None else weight_decay
        g = b.weight_deriv
        step = b.rule_state.get("step")
        if step is None or step.shape != g.shape:
            step = b.rule_state["step"] = np.empty_like(g)
        if algorithm == "delta_bar_delta":
            r = b.rule_state.get("rate_factor")
            if r is None:
                r = b.rule_state["rate_factor"] = np.ones_like(b.weights)
            # g and the last change of opposite signs: still going downhill the same way
            r[...] = np.where(g * b.last_change < 0, r + 0.1, r * 0.9)
            np.multiply(g, r, out=step)
            step *= -eps
        else:
            np.multiply(g, -(eps * scale) if algorithm == "dougs_momentum" else -eps, out=step)
        dw = b.last_change                      # becomes dw(t) in place
        if use_momentum and _nonzero(alpha):
            dw *= alpha                         # alpha dw(t-1)
            dw += step                          # - eps dE/dw
        else:
            dw[...] = step
        if _nonzero(decay):
            dw -= decay * b.weights             # - d w
        _apply(b)
