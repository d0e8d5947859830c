"""Row forms: one group's elementwise work for one tick, compiled, from the rule tables.

The numpy engine in time (:mod:`pdpsim.dynamics.unfolding`) spends most of a small
network's time in Python between numpy calls. For a group whose output function is
elementwise and plain, with no clamp, lesion or noise, each tick's elementwise work runs
as one compiled loop over the group's units instead, calling the same rules through the
dispatch of :mod:`pdpsim.functions.codes`::

    forward:   f = f(n);  a = integrate(a_prev, f, dt)
    backward:  dE/da += carry(dE/da(t+1)) + error;  dE/df = into(dE/da);  dE/dn = slope(f, n) dE/df

Imported only when numba is installed and the engine asks for it.
"""
from numba import njit

from pdpsim.functions.codes import dispatchers, guard

_d = dispatchers()
unit_f, unit_slope = _d["unit_f"], _d["unit_slope"]
integrate, integrate_into, integrate_carry = _d["integrate"], _d["integrate_into"], _d["integrate_carry"]


@njit(cache=True, error_model="numpy")
def forward_row(fcode, icode, n, a_prev, f, a, dt):
    """f = f(n) and a = integrate(a_prev, f, dt) over flat views of one group at one tick."""
    for k in range(n.shape[0]):
        fv = unit_f(fcode, n[k])
        f[k] = fv
        a[k] = integrate(icode, a_prev[k], fv, dt)


@njit(cache=True, error_model="numpy")
def backward_row(fcode, icode, d, d_next, err, has_err, f, n, df, dn, dt):
    """dE/da(t) = d + carry(dE/da(t+1)) (+ the error's dE/da); dE/df = into(dE/da);
    dE/dn = slope(f, n) dE/df, over flat views of one group at one tick."""
    for k in range(d.shape[0]):
        dv = d[k] + integrate_carry(icode, d_next[k], dt)
        if has_err:
            dv += err[k]
        d[k] = dv
        dfv = integrate_into(icode, dv, dt)
        df[k] = dfv
        dn[k] = unit_slope(fcode, f[k], n[k]) * dfv


guard([forward_row, backward_row])
