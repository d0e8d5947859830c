"""numba kernels of the compiled engine: whole epochs of one network, example by example.

Every rule comes from where it is written once: output and error functions, integrators
and clamps through the dispatch generated from their tables (:mod:`pdpsim.functions.codes`:
each group carries the codes of its rules), the weight change from
:mod:`pdpsim.learning.rules` and the stopping test from :mod:`pdpsim.training.criteria`,
both compiled for single numbers. What is here is the loop structure: the order of the
passes, the flat buffers, and products written as loops LLVM can vectorise.

Arguments are grouped in tuples (see :class:`pdpsim.engines.compiled.flat.CompiledNet`):

- ``groups``: per group, in the order of the forward pass: (start, size, computed, function code,
  error code (-1: no targets), error scale, fused output derivative, ...);
- ``links``: incoming blocks of each group in CSR form, each block's sending group and its
  place and shape in the flat weight buffer: (inc_ptr, inc_blk, blk_src, boff, bnf, bnt);
- ``rates``: per block (learning rate, momentum, decay).
"""
import numpy as np
from numba import njit, prange

from pdpsim.functions.codes import dispatchers, guard
from pdpsim.functions.forms import scalar_form
from pdpsim.learning.rules import ALGORITHMS, decay_term, descent, dougs_scale, momentum_term, weight_change
from pdpsim.training.criteria import reached

_d = dispatchers()
fused_deriv, integrate, integrate_into, integrate_carry = (_d["fused_deriv"], _d["integrate"], _d["integrate_into"],
                                                           _d["integrate_carry"])
unit_f, unit_slope = _d["unit_f"], _d["unit_slope"]
error_value, error_deriv, error_binary = _d["error_value"], _d["error_deriv"], _d["error_binary"]
clamp, clamp_back = _d["clamp"], _d["clamp_back"]
f_row, slope_row = _d["f_row"], _d["slope_row"]
error_row, error_binary_row, error_deriv_row = _d["error_row"], _d["error_binary_row"], _d["error_deriv_row"]
_change, _descent, _momentum, _decay = (scalar_form(weight_change), scalar_form(descent), scalar_form(momentum_term),
                                         scalar_form(decay_term))
_dougs, _reached = scalar_form(dougs_scale), scalar_form(reached)

#: algorithm codes: positions in pdpsim.learning.rules.ALGORITHMS
STEEPEST, DOUGS = ALGORITHMS.index("steepest"), ALGORITHMS.index("dougs_momentum")


@njit(inline="always")
def change(g, prev, w, eps, m, dcy):
    """The weight change of pdpsim.learning.rules, adding only the terms whose factor is not 0."""
    if m != 0.0 and dcy != 0.0:
        return _change(g, prev, w, eps, m, dcy)
    if m != 0.0:
        return _momentum(prev, m) + _descent(g, eps)
    if dcy != 0.0:
        return _descent(g, eps) + _decay(w, dcy)
    return _descent(g, eps)


@njit(cache=True, error_model="numpy")
def update(WF, DWF, LCF, boff, bsize, lr, mom, decay, algorithm):
    """The update rules of pdpsim.learning.rules on flat weight buffers (steepest, momentum,
    Doug's momentum). Block k holds WF[boff[k]:boff[k] + bsize[k]]."""
    scale = 1.0
    if algorithm == DOUGS:
        sq = 0.0
        for x in range(WF.shape[0]):
            sq += DWF[x] * DWF[x]
        scale = _dougs(sq)
    for k in range(boff.shape[0]):
        eps = lr[k] * scale
        m = mom[k] if algorithm != STEEPEST else 0.0
        dcy = decay[k]
        # over the block's own 1-D views: LLVM vectorises this loop (indexed from boff[k] into the
        # whole buffers it did not, and an online update of a large network took 8 times as long)
        w = WF[boff[k]:boff[k] + bsize[k]]
        g = DWF[boff[k]:boff[k] + bsize[k]]
        lc = LCF[boff[k]:boff[k] + bsize[k]]
        for x in range(w.shape[0]):
            dwv = change(g[x], lc[x], w[x], eps, m, dcy)
            lc[x] = dwv
            w[x] += dwv


# reassociation lets LLVM vectorise the two inner loops (sums in another order: rounding-level
# differences from the numpy path, well inside the 1e-9 the tests ask); NaN handling is untouched
_VEC = {"reassoc", "contract"}
#: blocks with fewer receiving units than this use plain index loops (no views)
SMALL = 16


@njit(cache=True, fastmath=_VEC, error_model="numpy")
def _block_forward(WF, wo, nt, a, ss, n_src, net, s0, sz):
    """net[s0:s0+sz] += a[ss:ss+n_src] @ W for the block stored at WF[wo:], rows of nt.
    (Loops over local 1-D views, which LLVM vectorises.)"""
    if sz < SMALL:                                 # tiny blocks: views would cost more than they save
        for i in range(n_src):
            ai = a[ss + i]
            if ai != 0.0:
                for u in range(sz):
                    net[s0 + u] += ai * WF[wo + i * nt + u]
        return
    out = net[s0:s0 + sz]
    for i in range(n_src):
        ai = a[ss + i]
        if ai != 0.0:
            row = WF[wo + i * nt:wo + i * nt + sz]
            for u in range(sz):
                out[u] += ai * row[u]


@njit(cache=True, fastmath=_VEC, error_model="numpy")
def _block_backward(WF, DWF, wo, nt, a, ss, n_src, d, s0, sz, da, back):
    """dE/dw_iu += a_i dE/dn_u; with ``back``, dE/da_i += sum_u dE/dn_u w_iu."""
    if sz < SMALL:
        for i in range(n_src):
            ai = a[ss + i]
            acc = 0.0
            for u in range(sz):
                r = d[s0 + u]
                DWF[wo + i * nt + u] += ai * r
                acc += r * WF[wo + i * nt + u]
            if back:
                da[ss + i] += acc
        return
    dv = d[s0:s0 + sz]
    for i in range(n_src):
        ai = a[ss + i]
        row = WF[wo + i * nt:wo + i * nt + sz]
        grow = DWF[wo + i * nt:wo + i * nt + sz]
        if back:
            acc = 0.0
            for u in range(sz):
                acc += dv[u] * row[u]
            da[ss + i] += acc
        if ai != 0.0:
            for u in range(sz):
                grow[u] += ai * dv[u]


@njit(cache=True, fastmath=_VEC, error_model="numpy")
def _block_backward_update(WF, DWF, LCF, wo, nt, a, ss, n_src, d, s0, sz, da, back, eps, m, dcy):
    """Batch of one example (online): the backward step of one block and its weight change
    in one sweep. dE/da_i is summed with the weights as they were (before this change), and
    the change is that of :func:`update`."""
    if sz < SMALL:
        for i in range(n_src):
            ai = a[ss + i]
            acc = 0.0
            for u in range(sz):
                x = wo + i * nt + u
                r = d[s0 + u]
                w = WF[x]
                acc += r * w
                g = ai * r
                DWF[x] = g
                dwv = _change(g, LCF[x], w, eps, m, dcy)
                LCF[x] = dwv
                WF[x] = w + dwv
            if back:
                da[ss + i] += acc
        return
    dv = d[s0:s0 + sz]
    for i in range(n_src):
        ai = a[ss + i]
        x0 = wo + i * nt
        row = WF[x0:x0 + sz]
        grow = DWF[x0:x0 + sz]
        lrow = LCF[x0:x0 + sz]
        if back:                                   # with the weights before the change
            acc = 0.0
            for u in range(sz):
                acc += dv[u] * row[u]
            da[ss + i] += acc
        if m == 0.0 and dcy == 0.0:                # (loops specialised so that LLVM vectorises each)
            for u in range(sz):
                g = ai * dv[u]
                grow[u] = g
                dwv = _descent(g, eps)
                lrow[u] = dwv
                row[u] += dwv
        else:
            for u in range(sz):                    # (the whole change, branch-free, as LLVM vectorises it)
                g = ai * dv[u]
                grow[u] = g
                dwv = _change(g, lrow[u], row[u], eps, m, dcy)
                lrow[u] = dwv
                row[u] += dwv


@njit(cache=True, error_model="numpy")
def run_epochs(X, T, orders, n_epochs, batch, groups, links, WF, DWF, LCF, rates, algorithm, use_orders, err_crit,
               out_crit, eps_log, errors_out, dist_out):
    """Feed-forward networks: ``n_epochs`` epochs (fewer if a criterion is reached), example by
    example, derivatives summed over each batch. X, T: (examples, units), NaN where no target.
    Returns the number of epochs run."""
    g_start, g_size, g_computed, g_func, g_err, g_scale, g_fused, order_groups, g_binary = groups
    inc_ptr, inc_blk, blk_src, boff, bnf, bnt = links
    lr, mom, decay = rates
    N = X.shape[0]
    U = X.shape[1]
    ev = np.empty(U)                                   # one group's error values and |a - t|
    dv = np.empty(U)
    A = np.empty((batch, U), WF.dtype)
    NET = np.empty((batch, U), WF.dtype)
    DA = np.zeros((batch, U), WF.dtype)
    DN = np.zeros((batch, U), WF.dtype)
    bsize = bnf * bnt
    for ep in range(n_epochs):
        total = 0.0
        worst = 0.0
        for start in range(0, N, batch):
            bsz = min(batch, N - start)
            fused = bsz == 1 and algorithm != DOUGS      # online: change each block as it is passed
            if not fused:
                DWF[:] = 0.0
            for b in range(bsz):
                ex = orders[ep, start + b] if use_orders else start + b
                a = A[b]
                net_in = NET[b]
                da = DA[b]
                dn = DN[b]
                # ------------------------------------------------ forward
                for u in range(U):
                    a[u] = X[ex, u]
                for gi in order_groups:
                    if not g_computed[gi]:
                        continue
                    s0 = g_start[gi]
                    sz = g_size[gi]
                    for u in range(sz):
                        net_in[s0 + u] = 0.0
                    for p in range(inc_ptr[gi], inc_ptr[gi + 1]):
                        k = inc_blk[p]
                        src = blk_src[k]
                        _block_forward(WF, boff[k], bnt[k], a, g_start[src], g_size[src], net_in, s0, sz)
                    f = g_func[gi]
                    if sz < SMALL:                             # a = f(n): a few units one by one, else a row
                        for u in range(sz):
                            a[s0 + u] = unit_f(f, net_in[s0 + u])
                    else:
                        f_row(f, net_in[s0:s0 + sz], a[s0:s0 + sz])
                # ------------------------------------------------ error and dE/da
                for u in range(U):
                    da[u] = 0.0
                for gi in order_groups:
                    e_t = g_err[gi]
                    if e_t < 0:
                        continue
                    s0 = g_start[gi]
                    sz = g_size[gi]
                    sc = g_scale[gi]
                    if sz < SMALL:                             # a few units: one by one
                        binary = g_binary[gi]
                        for u in range(sz):
                            t = T[ex, s0 + u]
                            av = a[s0 + u]
                            here = not np.isnan(t)             # no target: no error, no derivative
                            t = t if here else av
                            d = abs(av - t)
                            if d > worst:
                                worst = d
                            v = error_binary(e_t, av, t, eps_log) if binary else error_value(e_t, av, t, eps_log)
                            total += sc * v if here else 0.0
                            da[s0 + u] = sc * error_deriv(e_t, av, t, eps_log) if here else 0.0
                        continue
                    a_g, t_g, e_row, d_row = a[s0:s0 + sz], T[ex, s0:s0 + sz], ev[:sz], dv[:sz]
                    if g_binary[gi]:                           # each unit's error and |a - t| (no target: 0, 0)
                        error_binary_row(e_t, a_g, t_g, eps_log, sc, d_row, e_row)
                    else:
                        error_row(e_t, a_g, t_g, eps_log, sc, d_row, e_row)
                    for u in range(sz):                        # the sums in the order of the units
                        total += e_row[u]
                        if d_row[u] > worst:
                            worst = d_row[u]
                    error_deriv_row(e_t, a_g, t_g, eps_log, sc, da[s0:s0 + sz])   # dE/da (onto 0)
                # ------------------------------------------------ backward
                for q in range(len(order_groups) - 1, -1, -1):
                    gi = order_groups[q]
                    if not g_computed[gi]:
                        continue
                    s0 = g_start[gi]
                    sz = g_size[gi]
                    f = g_func[gi]
                    if g_fused[gi]:
                        sc = g_scale[gi]
                        for u in range(sz):
                            t = T[ex, s0 + u]
                            dn[s0 + u] = 0.0 if np.isnan(t) else sc * fused_deriv(g_err[gi], f, a[s0 + u], t)
                    elif sz < SMALL:                               # dE/dn = dE/da f'(n)
                        for u in range(sz):
                            dn[s0 + u] = da[s0 + u] * unit_slope(f, a[s0 + u], net_in[s0 + u])
                    else:
                        slope_row(f, a[s0:s0 + sz], net_in[s0:s0 + sz], da[s0:s0 + sz], dn[s0:s0 + sz])
                    for p in range(inc_ptr[gi], inc_ptr[gi + 1]):
                        k = inc_blk[p]
                        src = blk_src[k]
                        if fused:
                            _block_backward_update(WF, DWF, LCF, boff[k], bnt[k], a, g_start[src], g_size[src],
                                                   dn, s0, sz, da, g_computed[src], lr[k],
                                                   mom[k] if algorithm != STEEPEST else 0.0, decay[k])
                        else:
                            _block_backward(WF, DWF, boff[k], bnt[k], a, g_start[src], g_size[src], dn, s0, sz,
                                            da, g_computed[src])
            if not fused:
                update(WF, DWF, LCF, boff, bsize, lr, mom, decay, algorithm)
        errors_out[ep] = total
        dist_out[ep] = worst
        if _reached(total, worst, err_crit, out_crit):
            return ep + 1
    return n_epochs


@njit(cache=True, nogil=True, error_model="numpy")
def run_epochs_time(XS, TS, ticks, orders, n_epochs, batch, groups, links, WF, DWF, LCF, rates, algorithm,
                    use_orders, dt, tick_scale, err_crit, out_crit, eps_log, errors_out, dist_out):
    """CONTINUOUS networks (pdpsim.dynamics.unfolding): every tick forward, then back through
    time, example by example, derivatives summed over a batch. XS/TS: (examples, ticks + 1,
    units), NaN where no input / no target. Each group has two integration codes, one for its
    net input (IN_INTEGR or none) and one for its output (OUT_INTEGR or none), and two clamp
    codes, one for ticks 1.. and one for tick 0 (hard clamps only)."""
    (g_start, g_size, g_computed, g_func, g_in_integ, g_out_integ, g_clamp, g_clamp0, g_strength, g_init_out,
     g_init_in, g_err, g_scale, g_binary) = groups
    inc_ptr, inc_blk, blk_src, boff, bnf, bnt = links
    lr, mom, decay = rates
    N = XS.shape[0]
    TT = XS.shape[1]
    U = XS.shape[2]
    G = g_start.shape[0]
    A = np.empty((TT, U), WF.dtype)
    NET = np.empty((TT, U), WF.dtype)
    F = np.empty((TT, U), WF.dtype)
    d_cur = np.zeros(U, WF.dtype)
    d_next = np.zeros(U, WF.dtype)
    dn_next = np.zeros(U, WF.dtype)
    d_tot = np.zeros(U, WF.dtype)
    draw = np.zeros(U, WF.dtype)
    ev = np.empty(U)                                        # one group's error values and |a - t|
    dv = np.empty(U)
    bsize = bnf * bnt
    for ep in range(n_epochs):
        total = 0.0
        worst = 0.0
        for start in range(0, N, batch):
            bsz = min(batch, N - start)
            DWF[:] = 0.0
            for b in range(bsz):
                ex = orders[ep, start + b] if use_orders else start + b
                T = ticks[ex]
                X = XS[ex]
                Y = TS[ex]
                # ---------------------------------------------------- tick 0
                for gi in range(G):
                    s0 = g_start[gi]
                    for u in range(g_size[gi]):
                        A[0, s0 + u] = clamp(g_clamp0[gi], g_init_out[gi], X[0, s0 + u], g_strength[gi])
                        NET[0, s0 + u] = g_init_in[gi]
                        F[0, s0 + u] = g_init_out[gi]
                # ---------------------------------------------------- forward
                for t in range(1, T + 1):
                    for gi in range(G):
                        if not g_computed[gi]:
                            continue
                        s0 = g_start[gi]
                        sz = g_size[gi]
                        for u in range(sz):
                            NET[t, s0 + u] = 0.0
                        for p in range(inc_ptr[gi], inc_ptr[gi + 1]):
                            k = inc_blk[p]
                            src = blk_src[k]
                            _block_forward(WF, boff[k], bnt[k], A[t - 1], g_start[src], g_size[src], NET[t], s0, sz)
                        ic = g_in_integ[gi]
                        n_t, n_p = NET[t, s0:s0 + sz], NET[t - 1, s0:s0 + sz]
                        for u in range(sz):
                            n_t[u] = integrate(ic, n_p[u], n_t[u], dt)
                    for gi in range(G):                    # (slices of rows: loops LLVM can vectorise)
                        s0 = g_start[gi]
                        e = s0 + g_size[gi]
                        a_t, a_p, f_t, n_t, n_p, x_t = A[t, s0:e], A[t - 1, s0:e], F[t, s0:e], NET[t, s0:e], \
                            NET[t - 1, s0:e], X[t, s0:e]
                        cc, st = g_clamp[gi], g_strength[gi]
                        if g_computed[gi]:
                            f_row(g_func[gi], n_t, f_t)         # f = f(n)
                            oc = g_out_integ[gi]
                            for u in range(e - s0):
                                a_t[u] = clamp(cc, integrate(oc, a_p[u], f_t[u], dt), x_t[u], st)
                        else:
                            for u in range(e - s0):
                                a_t[u] = clamp(cc, a_p[u], x_t[u], st)
                                n_t[u] = n_p[u]
                    for gi in range(G):
                        e_t = g_err[gi]
                        if e_t < 0:
                            continue
                        s0 = g_start[gi]
                        sz = g_size[gi]
                        e_row, d_row = ev[:sz], dv[:sz]             # each unit's error and |a - t| (no target: 0, 0)
                        if g_binary[gi]:
                            error_binary_row(e_t, A[t, s0:s0 + sz], Y[t, s0:s0 + sz], eps_log,
                                             g_scale[gi] * tick_scale, d_row, e_row)
                        else:
                            error_row(e_t, A[t, s0:s0 + sz], Y[t, s0:s0 + sz], eps_log, g_scale[gi] * tick_scale,
                                      d_row, e_row)
                        for u in range(sz):                         # the sums in the order of the units
                            total += e_row[u]
                            if d_row[u] > worst:
                                worst = d_row[u]
                # ---------------------------------------------------- backward through time
                for u in range(U):
                    d_cur[u] = 0.0
                    d_next[u] = 0.0
                    dn_next[u] = 0.0
                for t in range(T, 0, -1):
                    for gi in range(G):
                        if not g_computed[gi]:
                            continue
                        s0 = g_start[gi]
                        e = s0 + g_size[gi]
                        e_t = g_err[gi]
                        oc, ic, cc, st = g_out_integ[gi], g_in_integ[gi], g_clamp[gi], g_strength[gi]
                        dc, dx, d, dnn, r = d_cur[s0:e], d_next[s0:e], d_tot[s0:e], dn_next[s0:e], draw[s0:e]
                        x_t = X[t, s0:e]
                        # dE/da(t): what t+1 sent back, the OUT_INTEGR carry, the error at t, the clamp
                        for u in range(e - s0):
                            d[u] = dc[u] + integrate_carry(oc, dx[u], dt)
                        if e_t >= 0:
                            error_deriv_row(e_t, A[t, s0:e], Y[t, s0:e], eps_log, g_scale[gi] * tick_scale, d)
                        for u in range(e - s0):
                            d[u] = clamp_back(cc, d[u], x_t[u], st)
                            r[u] = integrate_into(oc, d[u], dt)     # dE/df
                        slope_row(g_func[gi], F[t, s0:e], NET[t, s0:e], r, r)   # dE/df f'(n)
                        for u in range(e - s0):                     # + the IN_INTEGR carry: dE/dn; dE/draw
                            dn = r[u] + integrate_carry(ic, dnn[u], dt)
                            dnn[u] = dn
                            r[u] = integrate_into(ic, dn, dt)
                    for u in range(U):
                        d_next[u] = d_tot[u]
                        d_cur[u] = 0.0
                    for gi in range(G):
                        if not g_computed[gi]:
                            continue
                        s0 = g_start[gi]
                        sz = g_size[gi]
                        for p in range(inc_ptr[gi], inc_ptr[gi + 1]):
                            k = inc_blk[p]
                            src = blk_src[k]
                            _block_backward(WF, DWF, boff[k], bnt[k], A[t - 1], g_start[src], g_size[src], draw,
                                            s0, sz, d_cur, g_computed[src] and t > 1)
            update(WF, DWF, LCF, boff, bsize, lr, mom, decay, algorithm)
        errors_out[ep] = total
        dist_out[ep] = worst
        if _reached(total, worst, err_crit, out_crit):
            return ep + 1
    return n_epochs


@njit(cache=True, parallel=True, error_model="numpy")
def run_ensemble(X, T, orders, n_epochs, batch, groups, links, WF, DWF, LCF, lr, mom, decay, algorithm, use_orders,
                 err_crit, out_crit, eps_log, errors_out, dist_out, done_out):
    """Independent networks (rows of WF, DWF, LCF, lr, mom, decay, orders, errors_out) trained side by
    side, each exactly as run_epochs would train it alone; members are spread over the cores."""
    E = WF.shape[0]
    for m in prange(E):
        done_out[m] = run_epochs(X, T, orders[m], n_epochs, batch, groups, links, WF[m], DWF[m], LCF[m],
                                 (lr[m], mom[m], decay[m]), algorithm, use_orders, err_crit, out_crit, eps_log,
                                 errors_out[m], dist_out[m])


guard([update, _block_forward, _block_backward, _block_backward_update, run_epochs, run_epochs_time,
       run_ensemble])
