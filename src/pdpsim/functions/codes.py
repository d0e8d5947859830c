"""Kernel codes, and the compiled dispatch generated from the rule tables.

A compiled kernel holds, for each group, the codes of its output function, error function,
integration and clamp: their positions in :data:`OUTPUT_FUNCTIONS`, :data:`ERROR_FUNCTIONS`,
:data:`INTEGRATORS` and :data:`CLAMPS`. This module turns those tables into numba functions
that dispatch on a code to the rule's own formula compiled for one number
(:func:`pdpsim.functions.forms.scalar_form`)::

    unit_f(code, n)                      a = f(n)
    unit_slope(code, a, n)               da/dn
    error_value(code, a, t, eps)         E_j / s
    error_deriv(code, a, t, eps)         dE/da_j / s
    error_binary(code, a, t, eps)        E_j / s where t_j is 0 or 1 (the rule's binary_value, else value)
    fused_deriv(error, function, a, t)   dE/dn_j / s where the pair cancels
    integrate(code, prev, x, dt), integrate_into(code, d, dt), integrate_carry(code, d, dt)
    clamp(code, a, x, s), clamp_back(code, d, x, s)

and, for loops over a row of units that LLVM can vectorise (the branch on the code outside
the loop, the formula inside, in its lane form: e^x and ln x as vectorisable arithmetic)::

    f_row(code, n, out)                  out[u] = f(n[u])
    slope_row(code, a, n, d, out)        out[u] = d[u] slope(a[u], n[u])      (dE/dn from dE/da)
    error_row(code, a, t, eps, s, dist, out)          out[u] = s E(a[u], t[u]), dist[u] = |a[u] - t[u]|
    error_binary_row(code, a, t, eps, s, dist, out)   the same, every t[u] 0 or 1
    error_deriv_row(code, a, t, eps, s, out)          out[u] += s dE/da(a[u], t[u])
                                         (NaN targets: 0, and |a - t| = 0)

The source of each dispatcher is generated from its table, one ``if code == k`` branch per
rule, so a rule added to a table reaches every kernel with no other edit. Codes are given
only to rules the kernels can run (:func:`function_code` and friends refuse the others
with the reason); a code outside the table never falls back to another rule.

numba caches compiled kernels on disk, keyed on the kernel's own source file only: when a
rule's formula or the tables change, a kernel cached before would still run the old
dispatch. :func:`guard` keeps a stamp of the tables beside each kernel module's cache and
empties that cache when the stamp differs.
"""
from __future__ import annotations

import hashlib
import math
from pathlib import Path

from pdpsim.functions.clamps import CLAMPS
from pdpsim.functions.errors import ERROR_FUNCTIONS, ErrorFunction
from pdpsim.functions.forms import scalar_form
from pdpsim.functions.integrators import INTEGRATORS
from pdpsim.functions.outputs import OUTPUT_FUNCTIONS, OutputFunction


# ---------------------------------------------------------------- codes (Python side, at build time)
def compiled_reason_function(fn: OutputFunction) -> str | None:
    """Why the kernels cannot run this output function (None if they can)."""
    if not fn.elementwise:
        return f"{fn.name} units (each output depends on the whole group)"
    if not fn.plain:
        return f"{fn.describe()} units (options other than the formula's)"
    return None


def compiled_reason_error(err: ErrorFunction) -> str | None:
    if not err.elementwise:
        return f"the {err.name} error (it needs the whole group)"
    if not err.plain:
        return f"the {err.name} error with options"
    return None


def function_code(fn: OutputFunction) -> int:
    """The kernel code of an output function the kernels can run."""
    why = compiled_reason_function(fn)
    if why:
        raise ValueError(f"no kernel code for {why}; compiled kernels run "
                         f"{', '.join(n for n, c in OUTPUT_FUNCTIONS.items() if c.elementwise)}")
    return OUTPUT_FUNCTIONS.code(fn.name)


def error_code(err: ErrorFunction | None) -> int:
    """The kernel code of an error function (-1: the group has no targets)."""
    if err is None:
        return -1
    why = compiled_reason_error(err)
    if why:
        raise ValueError(f"no kernel code for {why}; compiled kernels run "
                         f"{', '.join(n for n, c in ERROR_FUNCTIONS.items() if c.elementwise)}")
    return ERROR_FUNCTIONS.code(err.name)


def has_fused(err: ErrorFunction | None, fn: OutputFunction) -> bool:
    return err is not None and fn.name in err.fused


def integration_code(name: str | None) -> int:
    return INTEGRATORS.code("NONE" if name is None else name)


def clamp_code(name: str | None) -> int:
    return CLAMPS.code("NONE" if name is None else name)


# ---------------------------------------------------------------- the tables, as the kernels see them
def _entries():
    """(dispatcher name, parameters, [(code, python function)]) for every dispatcher."""
    outs = [(k, cls) for k, (_, cls) in enumerate(OUTPUT_FUNCTIONS.items()) if cls.elementwise]
    errs = [(k, cls) for k, (_, cls) in enumerate(ERROR_FUNCTIONS.items()) if cls.elementwise]
    ints = list(enumerate(cls for _, cls in INTEGRATORS.items()))
    clamps = list(enumerate(cls for _, cls in CLAMPS.items()))
    fused = []
    for ke, cls in errs:
        for fname, fn in cls.fused.items():
            fused.append(((ke, OUTPUT_FUNCTIONS.code(fname)), fn))
    return [
        ("unit_f", "n", [(k, c.f) for k, c in outs]),
        ("unit_slope", "a, n", [(k, c.slope) for k, c in outs]),
        ("error_value", "a, t, eps", [(k, c.value) for k, c in errs]),
        ("error_deriv", "a, t, eps", [(k, c.deriv) for k, c in errs]),
        ("error_binary", "a, t, eps", [(k, c.binary_value or c.value) for k, c in errs]),
        ("integrate", "prev, x, dt", [(k, c.step) for k, c in ints]),
        ("integrate_into", "d, dt", [(k, c.into) for k, c in ints]),
        ("integrate_carry", "d, dt", [(k, c.carry) for k, c in ints]),
        ("clamp", "a, x, s", [(k, c.forward) for k, c in clamps]),
        ("clamp_back", "d, x, s", [(k, c.backward) for k, c in clamps]),
        ("fused_deriv", "a, t", fused),
    ]


def stamp() -> str:
    """A digest of every table and every formula the kernels dispatch to, and of the compiled
    vocabulary they are written in (:mod:`pdpsim.functions.forms`, :mod:`pdpsim.functions.scalar_math`)."""
    h = hashlib.sha256()
    for vocabulary in ("forms.py", "scalar_math.py"):
        h.update((Path(__file__).parent / vocabulary).read_bytes())
    for name, params, entries in _entries():
        h.update(f"{name}({params})".encode())
        for code, fn in entries:
            fn = getattr(fn, "__func__", fn)
            c = fn.__code__
            h.update(repr((code, fn.__qualname__, c.co_code, c.co_consts, c.co_names, fn.__defaults__)).encode())
    return h.hexdigest()


#: a row of outputs a against targets t (NaN: none), scaled by s: v = s F(a, t) for each unit, by
#: selects, not jumps (a missing target is replaced by the output, then v is dropped), so that
#: the loop stays vectorisable
_TARGET = "x = t[u]; here = not isnan(x); x = x if here else a[u]; v = s * F(a[u], x, eps); "
#: row dispatchers: name, parameters, the loop body per rule (``F`` is the rule's formula)
_ROWS = (("f_row", "n, out", "unit_f", "out[u] = F(n[u])"),
         ("slope_row", "a, n, d, out", "unit_slope", "out[u] = d[u] * F(a[u], n[u])"),
         # each unit's error (0 without a target) and |a - t|; the same with every target 0 or 1 (the
         # rule's binary_value); dE/da added into out
         ("error_row", "a, t, eps, s, dist, out", "error_value",
          _TARGET + "out[u] = v if here else 0.0; dist[u] = abs(a[u] - x)"),
         ("error_binary_row", "a, t, eps, s, dist, out", "error_binary",
          _TARGET + "out[u] = v if here else 0.0; dist[u] = abs(a[u] - x)"),
         ("error_deriv_row", "a, t, eps, s, out", "error_deriv", _TARGET + "out[u] += v if here else 0.0"))


def dispatch_source() -> str:
    """The Python source of every dispatcher (what numba compiles)."""
    lines = []
    entries = {name: e for name, _p, e in _entries()}
    for name, params, of, body in _ROWS:
        lines.append(f"def {name}(code, {params}):")
        for k, _fn in entries[of]:
            lines.append(f"    if code == {k}:")
            lines.append("        for u in range(out.shape[0]):")
            lines.append("            " + body.replace("F(", f"{of}_{k}_lane("))   # rows: the lane forms
            lines.append("        return")
        lines.append("    out[:] = NAN")
        lines.append("")
    for name, params, entries in _entries():
        if name == "fused_deriv":
            lines.append(f"def {name}(err, fn, {params}):")
            for (ke, kf), _fn in entries:
                lines.append(f"    if err == {ke} and fn == {kf}:")
                lines.append(f"        return {name}_{ke}_{kf}({params})")
        else:
            lines.append(f"def {name}(code, {params}):")
            for k, _fn in entries:
                lines.append(f"    if code == {k}:")
                lines.append(f"        return {name}_{k}({params})")
        lines.append("    return NAN")
        lines.append("")
    return "\n".join(lines)


_dispatch: dict = {}


def dispatchers(lanes: bool = False) -> dict:
    """The compiled dispatchers by name (numba functions; built once a process). The rows always
    run the rules' lane forms (vectorised loops); the others run the form for one number at a
    time, or with ``lanes`` the lane form (for kernels whose loops run over ensemble members).
    See :func:`pdpsim.functions.forms.scalar_form`."""
    hit = _dispatch.get(lanes)
    if hit is None:
        from numba import njit
        glb = {"NAN": math.nan, "isnan": math.isnan}
        for name, _params, entries in _entries():
            for key, fn in entries:
                suffix = f"{key[0]}_{key[1]}" if isinstance(key, tuple) else str(key)
                glb[f"{name}_{suffix}"] = scalar_form(fn, lanes)
                glb[f"{name}_{suffix}_lane"] = scalar_form(fn, True)
        exec(compile(dispatch_source(), "<pdpsim rule dispatch>", "exec"), glb)
        names = [name for name, _p, _e in _entries()] + [r[0] for r in _ROWS]
        # inlined into each kernel at numba's level, so that the kernel's own flags (fastmath or not)
        # apply to the rules' arithmetic, as if it were written there
        hit = _dispatch[lanes] = {name: njit(glb[name], inline="always") for name in names}
    return hit


def guard(dispatchers_) -> None:
    """Empty numba's disk cache of the compiled kernels ``dispatchers_`` (numba dispatchers of one
    module) when the rule tables changed since it was written (see the module docstring)."""
    now = stamp()
    for k in dispatchers_:
        cache = getattr(k, "_cache", None)
        path = getattr(cache, "_cache_path", None)
        if cache is None or path is None:
            continue
        mark = Path(path) / f"{k.py_func.__module__}.{k.py_func.__qualname__}.rules"
        try:
            if mark.read_text() == now:
                continue
        except OSError:
            pass
        cache.flush()
        try:
            mark.parent.mkdir(parents=True, exist_ok=True)
            mark.write_text(now)
        except OSError:                 # a read-only cache: numba recompiles in memory each process
            pass
