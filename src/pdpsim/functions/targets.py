"""The target an output's error is taken against: Lens's target and zero-error radii.

::

    |a - t| <= zero_error_radius:  t' = a         (counts as right)
    |a - t| <= target_radius:      t' = a
    otherwise, with target_radius r > 0:  t' = t + r sign(a - t)   (the target moves r toward a)

A missing target (NaN) stays NaN: the error functions give such a unit no error and no
derivative (:meth:`pdpsim.functions.ErrorFunction.present`). Lens's convention (the option
``lens``) counts an output as right only strictly inside the zero-error radius.
"""
from __future__ import annotations

import numpy as np

from pdpsim.functions.forms import fabs, sign, where


def radius_target(a, t, target_radius: float, zero_error_radius: float, strict: bool = False):
    """t' for outputs ``a`` and targets ``t`` with the radii (plain arithmetic; NaN stays NaN).
    ``strict``: Lens's convention, an output counts as right only strictly inside the zero-error
    radius."""
    diff = a - t
    dist = fabs(diff)
    if target_radius > 0.0:
        t = where(dist <= target_radius, a, t + sign(diff) * target_radius)
    if zero_error_radius > 0.0:
        t = where((dist < zero_error_radius) if strict else (dist <= zero_error_radius), a, t)
    return t


def effective_target(a: np.ndarray, t: np.ndarray, target_radius: float = 0.0,
                     zero_error_radius: float = 0.0, lens: bool = False) -> np.ndarray:
    """The numpy form: the targets with the radii applied (NaN targets stay NaN); ``lens``: Lens's
    strict zero-error radius."""
    if target_radius <= 0.0 and zero_error_radius <= 0.0:
        return t
    with np.errstate(invalid="ignore"):
        return radius_target(a, t, target_radius, zero_error_radius, strict=lens)


def lens_effective_target(a: np.ndarray, t: np.ndarray, target_radius: float, zero_error_radius: float):
    """Lens's adjusted target: :func:`effective_target` with Lens's strict zero-error radius."""
    return effective_target(a, t, target_radius, zero_error_radius, lens=True)


def array_effective_target(xp, a, t, target_radius: float, zero_error_radius: float):
    """The Array API form of :func:`effective_target`."""
    from pdpsim.functions.forms import array_form
    if target_radius <= 0.0 and zero_error_radius <= 0.0:
        return t
    return array_form(radius_target, xp)(a, t, target_radius, zero_error_radius)
