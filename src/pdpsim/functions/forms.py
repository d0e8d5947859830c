"""One definition, three forms.

A rule's formulas are small Python functions written with arithmetic and the names
below (``exp``, ``log``, ``where``, ...)::

    def f(n):            return 1.0 / (1.0 + exp(-n))        # LOGISTIC
    def slope(a, n):     return a * (1.0 - a)

Run as written they are the **numpy form**: these names are numpy's (``exp`` quiet about
overflow, since 1 / (1 + inf) = 0 is the right answer). The same code, with the names
bound to scalar functions, is the **scalar form** that numba compiles into the kernels
(:func:`scalar_form`; for one number at a time it calls the C library's e^x and ln x, for
loops over many, the *lane* form, arithmetic that LLVM vectorises), and bound to an Array
API namespace's functions it is the form for CuPy, torch or array-api-strict arrays
(:func:`array_form`). Nothing is written twice: every form runs the one code object.

The vocabulary is deliberately small; a rule needing more adds it here, in all three forms.
"""
from __future__ import annotations

import math
import types
from typing import Callable

import numpy as np

#: the names a rule's formulas may use besides arithmetic
VOCABULARY = ("exp", "log", "log1p", "tanh", "cosh", "sqrt", "fabs", "maximum", "minimum", "clip", "where",
              "isnan", "sign")


# ---------------------------------------------------------------- the numpy form (what rules import)
def exp(x):
    """e^x; overflow gives inf without a warning."""
    with np.errstate(over="ignore"):
        return np.exp(x)


def cosh(x):
    with np.errstate(over="ignore"):
        return np.cosh(x)


def log(x):
    """ln x (the caller keeps x > 0)."""
    return np.log(x)


log1p = np.log1p
tanh = np.tanh
sqrt = np.sqrt
fabs = np.abs
maximum = np.maximum
minimum = np.minimum
isnan = np.isnan
sign = np.sign


def clip(x, lo, hi):
    """x kept inside [lo, hi]."""
    return np.minimum(np.maximum(x, lo), hi)


def where(c, x, y):
    """x where c holds, else y."""
    return np.where(c, x, y)


# ---------------------------------------------------------------- the scalar form (numba)
def _s_maximum(x, y):
    return x if x >= y else y


def _s_minimum(x, y):
    return x if x <= y else y


def _s_clip(x, lo, hi):
    return min(max(x, lo), hi)


def _s_where(c, x, y):
    return x if c else y


def _s_sign(x):
    return 1.0 if x > 0 else (-1.0 if x < 0 else 0.0)


_SCALAR: dict | None = None
_LANES: dict | None = None


def _scalar_names() -> dict:
    """The vocabulary for one number at a time: the C library's e^x and ln x (the shortest wait
    for one result)."""
    global _SCALAR
    if _SCALAR is None:
        from numba import njit as _njit

        def njit(fn):
            return _njit(fn, inline="always")
        _SCALAR = {
            # numba's math.exp and math.cosh give inf on overflow (no exception, as numpy)
            "exp": math.exp, "log": math.log, "log1p": math.log1p, "tanh": math.tanh,
            "cosh": math.cosh, "sqrt": math.sqrt, "fabs": abs, "maximum": njit(_s_maximum),
            "minimum": njit(_s_minimum), "clip": njit(_s_clip), "where": njit(_s_where), "isnan": math.isnan,
            "sign": njit(_s_sign),
        }
    return _SCALAR


def _lane_names() -> dict:
    """The vocabulary for loops over many numbers (a row of units, the members of an ensemble):
    e^x, ln x and ln(1 + x) as arithmetic LLVM puts on the vector lanes (within 1 ulp of the C
    library's; see :mod:`pdpsim.functions.scalar_math`), the rest as for one number."""
    global _LANES
    if _LANES is None:
        from pdpsim.functions import scalar_math
        _LANES = {**_scalar_names(), "exp": scalar_math.exp, "log": scalar_math.log, "log1p": scalar_math.log1p}
    return _LANES


def _rules_called(fn) -> dict:
    """The other rule formulas ``fn`` calls by name (plain functions of pdpsim's own modules)."""
    out = {}
    for name in fn.__code__.co_names:
        obj = fn.__globals__.get(name)
        if isinstance(obj, types.FunctionType) and name not in VOCABULARY and \
                getattr(obj, "__module__", "").startswith("pdpsim."):
            out[name] = obj
    return out


def rebind(fn: Callable, names: dict, form: Callable | None = None) -> Callable:
    """``fn`` with the vocabulary's names bound to ``names`` (the same code object); rule formulas
    it calls are put in the same ``form``."""
    fn = getattr(fn, "__func__", fn)
    glb = dict(fn.__globals__)
    glb.update(names)
    if form is not None:
        glb.update({name: form(obj) for name, obj in _rules_called(fn).items()})
    new = types.FunctionType(fn.__code__, glb, fn.__name__, fn.__defaults__, fn.__closure__)
    new.__qualname__ = fn.__qualname__
    new.__doc__ = fn.__doc__
    return new


_scalar_cache: dict = {}


def scalar_form(fn: Callable, lanes: bool = False):
    """``fn`` compiled by numba for single numbers (the kernels inline it); needs numba.
    ``lanes``: the form for a loop over many numbers, which LLVM vectorises (see :func:`_lane_names`)."""
    fn = getattr(fn, "__func__", fn)
    hit = _scalar_cache.get((fn, lanes))
    if hit is None:
        from numba import njit
        names = _lane_names() if lanes else _scalar_names()
        hit = _scalar_cache[(fn, lanes)] = njit(rebind(fn, names, lambda f: scalar_form(f, lanes)), inline="always")
    return hit


# ---------------------------------------------------------------- the Array API form
def array_names(xp) -> dict:
    """The vocabulary in the Array API namespace ``xp``."""

    def _scalar(v) -> bool:
        return type(v) in (int, float, bool)         # Python numbers (not numpy scalars or 0-d arrays)

    def _like(v, ref):
        if not _scalar(v):
            return v
        if _scalar(ref):
            return xp.asarray(v)
        return xp.asarray(v, dtype=ref.dtype, device=ref.device)

    def x_where(c, x, y):
        ref = x if not _scalar(x) else y
        return xp.where(c, _like(x, ref), _like(y, ref))

    def x_clip(x, lo, hi):
        return xp.clip(x, min=lo, max=hi)

    return {"exp": xp.exp, "log": xp.log, "log1p": xp.log1p, "tanh": xp.tanh, "cosh": xp.cosh, "sqrt": xp.sqrt,
            "fabs": xp.abs, "maximum": lambda x, y: xp.maximum(x, _like(y, x)),
            "minimum": lambda x, y: xp.minimum(x, _like(y, x)), "clip": x_clip, "where": x_where,
            "isnan": xp.isnan, "sign": xp.sign}


_array_cache: dict = {}


def array_form(fn: Callable, xp) -> Callable:
    """``fn`` on arrays of the Array API namespace ``xp``."""
    fn = getattr(fn, "__func__", fn)
    key = (fn, id(xp))
    hit = _array_cache.get(key)
    if hit is None:
        hit = _array_cache[key] = rebind(fn, array_names(xp), lambda f: array_form(f, xp))
    return hit
