"""Kohonen's self-organizing maps: the winner, its neighbourhood on the map, and the update.

A map group's units lie on a grid of ``cols`` columns (unit u at column u % cols, row
u // cols). Each unit's net input is the squared distance between its weight vector and the
input, n_j = sum_i (w_ij - x_i)^2 (Lens's DISTANCE input); then

- the winner:        the unit of least n (the first one, on a tie);
- the neighbourhood: the units whose squared grid distance to the winner is at most
  ``neighborhood``^2 (on a torus when ``periodic``: a distance of more than half the grid
  counts the other way round);
- the outputs:       1 - n_j / max_k n_k inside the neighbourhood, 0 outside;
- going back:        dE/dn_j = 1 inside the neighbourhood (a > 0), 0 outside, so that the
  DISTANCE input's derivative 2 (w_ij - x_i) dE/dn_j moves a descent step
  dw_ij = -eps 2 (w_ij - x_i) pulls every neighbour's weights toward the input (Kohonen's rule
  with a step neighbourhood; the weight update itself is
  :func:`pdpsim.learning.rules.weight_change`).

These are Lens's KOHONEN output procedure's formulas (Src/act.c: kohonenOutput,
kohonenOutputBack, distanceSquared), used by the Lens shell (:mod:`pdpsim.lens.kohonen`).
"""
from __future__ import annotations

import numpy as np

#: Lens's LARGE_VAL: where the search for the least input starts
LARGE_VAL = 1e8


def winner(n, live=None) -> int:
    """The unit of least net input (the first on a tie; 0 when none is below 1e8, as in Lens),
    among the ``live`` units (a mask; all when None)."""
    n = np.asarray(n, dtype=float)
    cand = np.flatnonzero(np.ones(len(n), dtype=bool) if live is None else live)
    cand = cand[n[cand] < LARGE_VAL]
    return int(cand[np.argmin(n[cand])]) if len(cand) else 0


def grid_distance_squared(i, j, wi, wj, cols: int, rows: int, periodic: bool):
    """Squared distance on the map between (column i, row j) and (wi, wj); on a torus of
    ``cols`` x ``rows`` when ``periodic``."""
    di = np.abs(np.asarray(i, dtype=float) - wi)
    dj = np.abs(np.asarray(j, dtype=float) - wj)
    if periodic:
        di = np.where(2 * di > cols, cols - di, di)
        dj = np.where(2 * dj > rows, rows - dj, dj)
    return di * di + dj * dj


def neighbourhood(n, cols: int, radius: float, periodic: bool = False, live=None) -> np.ndarray:
    """The units within ``radius`` of the winner on the grid (a boolean mask)."""
    n = np.asarray(n, dtype=float)
    units = np.arange(len(n))
    w = winner(n, live)
    rows = len(n) // cols
    return grid_distance_squared(units % cols, units // cols, w % cols, w // cols, cols, rows,
                                 periodic) <= radius * radius


def kohonen_output(n, cols: int, radius: float, periodic: bool = False, live=None) -> np.ndarray:
    """The map's outputs: 1 - n / max(n) in the winner's neighbourhood, 0 elsewhere (max(n) is
    taken from 0 up, as in Lens: all inputs 0 give NaN inside the neighbourhood). Units not
    ``live`` (lesioned) take no part in the winner or the maximum."""
    n = np.asarray(n, dtype=float)
    m = n if live is None else n[np.asarray(live, dtype=bool)]
    pos = m[m > 0.0]
    top = float(pos.max()) if len(pos) else 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = 1.0 / top if top != 0.0 else np.inf
        inside = 1.0 - n * scale
    return np.where(neighbourhood(n, cols, radius, periodic, live), inside, 0.0)


def kohonen_input_deriv(a) -> np.ndarray:
    """dE/dn going back through the map: 1 where the output is positive, else 0."""
    return np.where(np.asarray(a) > 0, 1.0, 0.0)
