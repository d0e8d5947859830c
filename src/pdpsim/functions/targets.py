"""The target an output's error is taken against: Lens's target and zero-error radii.

::

    |a - t| <= zero_error_radius:  t' = a         (counts as right)
    |a - t| <= target_radius:      t' = a
    otherwise, with target_radius r > 0:  t' = t + r sign(a - t)   (the target moves r toward a)

A missing target (NaN) stays NaN: the error functions give such a unit no error and no
derivative (:meth:`pdpsim.functions.ErrorFunction.present`). Lens's convention counts an
output as right only strictly inside the zero-error radius.
"""
from __future__ import annotations

import numpy as np

from pdpsim.functions.forms import fabs, sign, where


def radius_target(a, t, target_radius: float, zero_error_radius: float):
    """t' for outputs ``a`` and targets ``t`` with the radii (plain arithmetic; NaN stays NaN)."""
    diff = a - t
    dist = fabs(diff)
    if target_radius > 0.0:
        t = where(dist <= target_radius, a, t + sign(diff) * target_radius)
    if zero_error_radius > 0.0:
        t = where(dist <= zero_error_radius, a, t)
    return t


def effective_target(a: np.ndarray, t: np.ndarray, target_radius: float = 0.0,
                     zero_error_radius: float = 0.0) -> np.ndarray:
    """The numpy form: the targets with the radii applied (NaN targets stay NaN)."""
    if target_radius <= 0.0 and zero_error_radius <= 0.0:
        return t
    with np.errstate(invalid="ignore"):
        return radius_target(a, t, target_radius, zero_error_radius)


def lens_effective_target(a: np.ndarray, t: np.ndarray, target_radius: float, zero_error_radius: float):
    """Lens's adjusted target: NaN targets stay NaN; beyond the target radius the target moves
    that far toward the output, within it the target is the output; strictly inside the
    zero-error radius the output counts as right."""
    if target_radius == 0.0 and zero_error_radius == 0.0:
        return t
    d = a - t
    adj = np.where(d > target_radius, t + target_radius, np.where(d < -target_radius, t - target_radius, a))
    adj = np.where((d < zero_error_radius) & (d > -zero_error_radius), a, adj)
    return np.where(np.isnan(t), t, adj)


def array_effective_target(xp, a, t, target_radius: float, zero_error_radius: float):
    """The Array API form of :func:`effective_target`."""
    from pdpsim.functions.forms import array_form
    if target_radius <= 0.0 and zero_error_radius <= 0.0:
        return t
    return array_form(radius_target, xp)(a, t, target_radius, zero_error_radius)
