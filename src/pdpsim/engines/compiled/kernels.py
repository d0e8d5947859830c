"""numba kernels behind :mod:`pdpsim.engines.compiled.flat` (imported only when the compiled loop runs)."""
import numpy as np
from numba import njit, prange

LOG_EPS = 1e-8


@njit(cache=True)
def update(WF, DWF, LCF, boff, bsize, lr, mom, decay, algorithm):
    """The update rules of pdpsim.learning.rules on flat weight buffers: steepest (0), momentum (1),
    Doug's momentum (2). Block k holds WF[boff[k]:boff[k] + bsize[k]]."""
    nb = boff.shape[0]
    scale = 1.0
    if algorithm == 2:
        sq = 0.0
        for x in range(WF.shape[0]):
            sq += DWF[x] * DWF[x]
        norm = np.sqrt(sq)
        if norm > 1.0:
            scale = 1.0 / norm
    for k in range(nb):
        eps = lr[k]
        m = mom[k] if algorithm != 0 else 0.0
        dcy = decay[k]
        f = -(eps * scale) if algorithm == 2 else -eps
        for x in range(boff[k], boff[k] + bsize[k]):
            step = DWF[x] * f
            if m != 0.0:
                dwv = LCF[x] * m + step
            else:
                dwv = step
            if dcy != 0.0:
                dwv -= dcy * WF[x]
            LCF[x] = dwv
            WF[x] += dwv


# reassociation lets LLVM vectorise the two inner loops (sums in another order: rounding-level
# differences from the numpy path, well inside the 1e-9 the tests ask); NaN handling is untouched
_VEC = {"reassoc", "contract"}
#: blocks with fewer receiving units than this use plain index loops (no views)
SMALL = 16


@njit(cache=True, fastmath=_VEC)
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


@njit(cache=True, fastmath=_VEC)
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


@njit(cache=True, fastmath=_VEC)
def _block_backward_update(WF, DWF, LCF, wo, nt, a, ss, n_src, d, s0, sz, da, back, eps, m, dcy):
    """Batch of one example (online): the backward step of one block and its weight change
    in one sweep. dE/da_i is summed with the weights as they were (before this change), and
    the change is that of :func:`update`: dw = -eps dE/dw + m dw(t-1) - dcy w."""
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
                dwv = LCF[x] * m + g * (-eps) - dcy * w
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
        if m == 0.0 and dcy == 0.0:
            for u in range(sz):
                g = ai * dv[u]
                grow[u] = g
                dwv = g * (-eps)
                lrow[u] = dwv
                row[u] += dwv
        else:
            for u in range(sz):
                g = ai * dv[u]
                grow[u] = g
                dwv = lrow[u] * m + g * (-eps) - dcy * row[u]
                lrow[u] = dwv
                row[u] += dwv


@njit(cache=True)
def _error_value(e_t, av, t):
    """One unit's error: SUM_SQUARED (0), CROSS_ENTROPY (1), DIVERGENCE (2), before the scale."""
    if e_t == 0:
        return (t - av) * (t - av)
    if e_t == 1:
        ac = min(max(av, LOG_EPS), 1.0 - LOG_EPS)
        e = 0.0
        if t > 0.0:
            e += t * np.log(t / ac)
        if t < 1.0:
            e += (1.0 - t) * np.log((1.0 - t) / (1.0 - ac))
        return e
    ac = max(av, LOG_EPS)
    return t * np.log(t / ac) if t > 0.0 else 0.0


@njit(cache=True)
def _error_deriv(e_t, av, t):
    """dE/da of one unit, before the scale."""
    if e_t == 0:
        return 2.0 * (av - t)
    if e_t == 1:
        ac = min(max(av, LOG_EPS), 1.0 - LOG_EPS)
        return (ac - t) / ac / (1.0 - ac)
    return -t / max(av, LOG_EPS)


@njit(cache=True)
def _stop(total, worst, err_crit, out_crit):
    return (not np.isfinite(total)) or (err_crit >= 0.0 and total <= err_crit) or \
        (out_crit >= 0.0 and worst <= out_crit)


@njit(cache=True)
def run_epochs(X, T, orders, n_epochs, batch, g_start, g_size, g_computed, g_func, g_err, g_scale,
               g_fused, order_groups, inc_ptr, inc_blk, blk_src, blk_dst, WF, DWF, LCF, boff, bnf, bnt, lr, mom,
               decay, algorithm, use_orders, err_crit, out_crit, errors_out, dist_out):
    N = X.shape[0]
    U = X.shape[1]
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
            fused = bsz == 1 and algorithm != 2          # online: change each block as it is passed
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
                    for u in range(sz):
                        n = net_in[s0 + u]
                        if f == 0:
                            a[s0 + u] = 1.0 / (1.0 + np.exp(-n))
                        elif f == 1:
                            a[s0 + u] = np.tanh(n)
                        else:
                            a[s0 + u] = n
                # ------------------------------------------------ error and dE/da
                for u in range(U):
                    da[u] = 0.0
                for gi in order_groups:
                    e_t = g_err[gi]
                    if e_t < 0:
                        continue
                    s0 = g_start[gi]
                    sc = g_scale[gi]
                    for u in range(g_size[gi]):
                        t = T[ex, s0 + u]
                        av = a[s0 + u]
                        if np.isnan(t):
                            t = av
                        d = abs(av - t)
                        if d > worst:
                            worst = d
                        total += sc * _error_value(e_t, av, t)
                        da[s0 + u] = sc * _error_deriv(e_t, av, t)
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
                            av = a[s0 + u]
                            if np.isnan(t):
                                t = av
                            dn[s0 + u] = sc * (av - t)
                    else:
                        for u in range(sz):
                            av = a[s0 + u]
                            if f == 0:
                                dn[s0 + u] = da[s0 + u] * ((1.0 - av) * av)
                            elif f == 1:
                                dn[s0 + u] = da[s0 + u] * (1.0 - av * av)
                            else:
                                dn[s0 + u] = da[s0 + u]
                    for p in range(inc_ptr[gi], inc_ptr[gi + 1]):
                        k = inc_blk[p]
                        src = blk_src[k]
                        if fused:
                            _block_backward_update(WF, DWF, LCF, boff[k], bnt[k], a, g_start[src], g_size[src],
                                                   dn, s0, sz, da, g_computed[src], lr[k],
                                                   mom[k] if algorithm != 0 else 0.0, decay[k])
                        else:
                            _block_backward(WF, DWF, boff[k], bnt[k], a, g_start[src], g_size[src], dn, s0, sz,
                                            da, g_computed[src])
            if not fused:
                update(WF, DWF, LCF, boff, bsize, lr, mom, decay, algorithm)
        errors_out[ep] = total
        dist_out[ep] = worst
        if _stop(total, worst, err_crit, out_crit):
            return ep + 1
    return n_epochs



@njit(cache=True)
def _f(func, n):
    if func == 0:
        return 1.0 / (1.0 + np.exp(-n))
    if func == 1:
        return np.tanh(n)
    return n


@njit(cache=True)
def _fprime(func, f):
    if func == 0:
        return f * (1.0 - f)
    if func == 1:
        return 1.0 - f * f
    return 1.0


@njit(cache=True, nogil=True)
def run_epochs_time(XS, TS, ticks, orders, n_epochs, batch, g_start, g_size, g_computed, g_func, g_integ,
                    g_clamp, g_strength, g_init_out, g_init_in, g_err, g_scale, inc_ptr, inc_blk, blk_src,
                    WF, DWF, LCF, boff, bnf, bnt, lr, mom, decay, algorithm, use_orders, dt, tick_scale, err_crit,
                    out_crit, errors_out, dist_out):
    """CONTINUOUS networks (pdpsim.dynamics.unfolding): every tick forward, then back through time,
    example by example, derivatives summed over a batch. XS/TS: (examples, ticks + 1, units),
    NaN where no input / no target; integration 0 none, 1 OUT_INTEGR, 2 IN_INTEGR; clamp 0
    none, 1 HARD, 2 SOFT."""
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
                        A[0, s0 + u] = g_init_out[gi]
                        NET[0, s0 + u] = g_init_in[gi]
                        F[0, s0 + u] = g_init_out[gi]
                        if g_clamp[gi] == 1 and not np.isnan(X[0, s0 + u]):
                            A[0, s0 + u] = X[0, s0 + u]
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
                        if g_integ[gi] == 2:
                            for u in range(sz):
                                prev = NET[t - 1, s0 + u]
                                NET[t, s0 + u] = prev + dt * (NET[t, s0 + u] - prev)
                    for gi in range(G):
                        s0 = g_start[gi]
                        sz = g_size[gi]
                        if g_computed[gi]:
                            for u in range(sz):
                                f = _f(g_func[gi], NET[t, s0 + u])
                                F[t, s0 + u] = f
                                if g_integ[gi] == 1:
                                    a = A[t - 1, s0 + u] + dt * (f - A[t - 1, s0 + u])
                                else:
                                    a = f
                                if g_clamp[gi] == 2:
                                    x = X[t, s0 + u]
                                    if not np.isnan(x):
                                        a = a + g_strength[gi] * (x - a)
                                A[t, s0 + u] = a
                        else:
                            for u in range(sz):
                                x = X[t, s0 + u]
                                if g_clamp[gi] == 1 and not np.isnan(x):
                                    A[t, s0 + u] = x
                                else:
                                    A[t, s0 + u] = A[t - 1, s0 + u]
                                NET[t, s0 + u] = NET[t - 1, s0 + u]
                    for gi in range(G):
                        e_t = g_err[gi]
                        if e_t < 0:
                            continue
                        s0 = g_start[gi]
                        sc = g_scale[gi] * tick_scale
                        for u in range(g_size[gi]):
                            y = Y[t, s0 + u]
                            if np.isnan(y):
                                continue
                            av = A[t, s0 + u]
                            dd = abs(av - y)
                            if dd > worst:
                                worst = dd
                            total += sc * _error_value(e_t, av, y)
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
                        sc = g_scale[gi] * tick_scale
                        e_t = g_err[gi]
                        for u in range(g_size[gi]):
                            j = s0 + u
                            d = d_cur[j]
                            if g_integ[gi] == 1:
                                d += (1.0 - dt) * d_next[j]
                            if e_t >= 0:
                                y = Y[t, j]
                                if not np.isnan(y):
                                    d += sc * _error_deriv(e_t, A[t, j], y)
                            if g_clamp[gi] == 2 and not np.isnan(X[t, j]):
                                d *= 1.0 - g_strength[gi]
                            d_tot[j] = d
                            df = d * dt if g_integ[gi] == 1 else d
                            dn = df * _fprime(g_func[gi], F[t, j])
                            if g_integ[gi] == 2:
                                dn += (1.0 - dt) * dn_next[j]
                                dn_next[j] = dn
                                draw[j] = dn * dt
                            else:
                                draw[j] = dn
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
        if _stop(total, worst, err_crit, out_crit):
            return ep + 1
    return n_epochs


@njit(cache=True, parallel=True)
def run_ensemble(X, T, orders, n_epochs, batch, g_start, g_size, g_computed, g_func, g_err, g_scale,
                 g_fused, order_groups, inc_ptr, inc_blk, blk_src, blk_dst, WF, DWF, LCF, boff, bnf, bnt, lr, mom,
                 decay, algorithm, use_orders, err_crit, out_crit, errors_out, dist_out, done_out):
    """Independent networks (rows of WF, DWF, LCF, lr, mom, decay, orders, errors_out) trained side by
    side, each exactly as run_epochs would train it alone; members are spread over the cores."""
    E = WF.shape[0]
    for m in prange(E):
        done_out[m] = run_epochs(X, T, orders[m], n_epochs, batch, g_start, g_size, g_computed, g_func, g_err,
                                 g_scale, g_fused, order_groups, inc_ptr, inc_blk, blk_src, blk_dst, WF[m], DWF[m],
                                 LCF[m], boff, bnf, bnt, lr[m], mom[m], decay[m], algorithm, use_orders, err_crit,
                                 out_crit, errors_out[m], dist_out[m])


# ---------------------------------------------------------------- fused elementwise steps for pdpsim.dynamics.unfolding
@njit(cache=True)
def logistic_step(n, a_prev, f, a, dt, integrate):
    """One group's tick on flat views: f = 1/(1 + exp(-n)); a = a_prev + dt (f - a_prev) with
    OUT_INTEGR (``integrate``), else a = f."""
    for k in range(n.shape[0]):
        fv = 1.0 / (1.0 + np.exp(-n[k]))
        f[k] = fv
        if integrate:
            a[k] = a_prev[k] + dt * (fv - a_prev[k])
        else:
            a[k] = fv


@njit(cache=True)
def logistic_back(d, d_next, err, has_err, f, df, dn, dt, integrate):
    """One group's backward tick on flat views: dE/da(t) = d + (1 - dt) dE/da(t+1) (OUT_INTEGR)
    + the error's dE/da; dE/df = dt dE/da (OUT_INTEGR) or dE/da; dE/dn = dE/df f (1 - f)."""
    for k in range(d.shape[0]):
        dv = d[k]
        if integrate:
            dv += d_next[k] * (1.0 - dt)
        if has_err:
            dv += err[k]
        d[k] = dv
        dfv = dv * dt if integrate else dv
        df[k] = dfv
        fv = f[k]
        dn[k] = ((1.0 - fv) * fv) * dfv
